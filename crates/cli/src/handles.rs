//! How a record is named to a person or a program: by its handle (the shortest prefix of its
//! id that no other record of its kind shares), never by the number the store uses on this
//! device. One [`Names`] is read per command and kind, not per record.

use tend_core::contribution::ExcerptRef;
use tend_core::id::RecordId;
use tend_store::{IdBook, Journal, Record};

/// The ids and handles of every record of one kind.
#[derive(Debug, Clone)]
pub struct Names {
    book: IdBook,
}

impl Names {
    /// The names of every record of kind `T` (reads ids only, no record is opened).
    pub fn of<T: Record>(journal: &Journal) -> tend_store::Result<Self> {
        Ok(Self {
            book: journal.ids::<T>()?,
        })
    }

    /// The names of record `number` of kind `T` alone, read from one bucket of the id
    /// directory where it can: for a command that shows one record.
    pub fn one<T: Record>(journal: &Journal, number: u64) -> tend_store::Result<Self> {
        Ok(Self {
            book: journal.book_of_one::<T>(number)?,
        })
    }

    /// The names of the records in `book`.
    pub fn from_book(book: IdBook) -> Self {
        Self { book }
    }

    /// The handle of the record with this number here. A number that names no record (one
    /// removed since the names were read) is shown as `?`, never as the number.
    pub fn handle(&self, number: u64) -> String {
        self.book.handle(number).unwrap_or_else(|| "?".to_owned())
    }

    /// The handle of the record with this id (the handle it would have, if it is not here).
    pub fn handle_of_id(&self, id: RecordId) -> String {
        match self.book.number(id) {
            Some(n) => self.handle(n),
            None => tend_core::id::Handles::new(self.book.iter().map(|(_, id)| id)).handle(id),
        }
    }

    /// The whole id of the record with this number.
    pub fn id(&self, number: u64) -> Option<RecordId> {
        self.book.id(number)
    }

    /// How a consent record's excerpt is named: its reflection's handle; an old record's
    /// number is the handle of the reflection that had it, or `#N` when it is gone.
    pub fn excerpt(&self, excerpt: &ExcerptRef) -> String {
        match *excerpt {
            ExcerptRef::Id(id) => self.handle_of_id(id),
            ExcerptRef::Number(n) if self.book.is_alias(n) => self.handle(n),
            ExcerptRef::Number(n) => format!("#{n} (no longer in the journal)"),
        }
    }

    /// Gives a record's JSON its names: `"id"`, the handle a person or script types back,
    /// and `"record_id"`, the whole id (32 letters). No number.
    pub fn name_json(&self, value: &mut serde_json::Value, number: u64) {
        value["id"] = self.handle(number).into();
        value["record_id"] = self
            .id(number)
            .map_or(serde_json::Value::Null, |id| id.to_string().into());
    }

    /// The widest handle among these numbers, for lining up a list.
    pub fn width(&self, numbers: impl IntoIterator<Item = u64>) -> usize {
        numbers
            .into_iter()
            .map(|n| self.handle(n).len())
            .max()
            .unwrap_or(tend_core::id::MIN_HANDLE)
    }

    /// The handles of these numbers, in order.
    pub fn handles(&self, numbers: &[u64]) -> Vec<String> {
        numbers.iter().map(|&n| self.handle(n)).collect()
    }
}

/// The handle of one record, without reading every handle (`?` when it is gone).
pub fn handle_of<T: Record>(journal: &Journal, number: u64) -> tend_store::Result<String> {
    Ok(journal
        .handle_of::<T>(number)?
        .map_or_else(|| "?".to_owned(), |(handle, _)| handle))
}

/// JSON of a record named by its handle and id (see [`Names::name_json`]).
pub fn json_of<T: serde::Serialize>(
    names: &Names,
    number: u64,
    record: &T,
) -> anyhow::Result<serde_json::Value> {
    let mut value = serde_json::to_value(record)?;
    names.name_json(&mut value, number);
    Ok(value)
}
