//! Every use of a record's id in the interface goes through here: the store's number for a
//! record on this device (what reads and writes take) and the handle a person sees and types
//! (the shortest prefix of its id that no other record of its kind shares). A number is
//! never shown.

use tend_core::id::IdQuery;
use tend_core::reflection::Entry;
use tend_store::{IdBook, Journal, Record};

/// The store's number for a record on this device, as the interface holds it.
pub type Id = u64;

/// The number of the reflection an entry digests.
pub fn of(entry: &Entry) -> Id {
    entry.id
}

/// How a record is shown to a person (and typed back, for excerpts): its handle among the
/// records of its kind in `book`. A record no longer there shows as `?`.
pub fn handle(book: &IdBook, id: Id) -> String {
    book.handle(id).unwrap_or_else(|| "?".to_owned())
}

/// The record of kind `T` a person named by its handle (or a number from before the
/// journal's upgrade), or why none is named, in words for the screen.
pub fn parse<T: Record>(journal: &Journal, typed: &str) -> Result<Id, String> {
    let query = IdQuery::parse(typed.trim().trim_start_matches('#')).map_err(|e| e.to_string())?;
    journal.resolve::<T>(&query).map_err(|e| e.to_string())
}
