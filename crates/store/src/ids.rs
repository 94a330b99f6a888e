//! Record ids: the random 128-bit id every record carries (the same on every device), the
//! local number this device knows it by, its handle, and what a person typed.
//!
//! A reflection's id is kept beside its index entry, so reading every id never opens a text.
//! A record that came from a format 1 journal keeps its old number as its local number and
//! is marked as an alias, so `tend show 42` finds what it found.

use std::collections::{BTreeMap, HashMap};

use tend_core::id::{Handles, IdQuery, Prefix, RecordId, Resolved};

use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::records::{Record, kind_of, layout};

/// The records of one kind: number on this device <-> id on every device, and handles.
#[derive(Debug, Clone, Default)]
pub struct IdBook {
    by_number: BTreeMap<u64, (RecordId, bool)>,
    by_id: HashMap<RecordId, u64>,
    pub(crate) handles: Handles,
    /// Handles worked out beforehand, among records this book does not hold (a book of
    /// some records only, from the id directory).
    known: HashMap<RecordId, String>,
}

impl IdBook {
    pub(crate) fn new(items: impl IntoIterator<Item = (u64, RecordId, bool)>) -> Self {
        let mut by_number = BTreeMap::new();
        let mut by_id = HashMap::new();
        for (n, id, alias) in items {
            by_number.insert(n, (id, alias));
            by_id.insert(id, n);
        }
        let handles = Handles::new(by_id.keys().copied());
        IdBook {
            by_number,
            by_id,
            handles,
            known: HashMap::new(),
        }
    }

    /// A book of some records only, each with the handle it has among all the records of
    /// its kind (worked out from the id directory).
    pub(crate) fn known(items: impl IntoIterator<Item = (u64, RecordId, bool, String)>) -> Self {
        let mut book = IdBook::default();
        for (n, id, alias, handle) in items {
            book.by_number.insert(n, (id, alias));
            book.by_id.insert(id, n);
            book.known.insert(id, handle);
        }
        book
    }

    /// The id of the record numbered `number` here.
    pub fn id(&self, number: u64) -> Option<RecordId> {
        self.by_number.get(&number).map(|(id, _)| *id)
    }

    /// The number here of the record with `id`.
    pub fn number(&self, id: RecordId) -> Option<u64> {
        self.by_id.get(&id).copied()
    }

    /// The handle of record `number`: the shortest prefix of its id no other record of its
    /// kind shares, at least four letters.
    pub fn handle(&self, number: u64) -> Option<String> {
        self.id(number).map(|id| match self.known.get(&id) {
            Some(handle) => handle.clone(),
            None => self.handles.handle(id),
        })
    }

    /// Whether it holds only some records of its kind (one from
    /// [`Journal::newest_entries`]): then only its own records' handles are known.
    pub fn is_partial(&self) -> bool {
        !self.known.is_empty()
    }

    /// Whether `number` is a format 1 number kept as an alias.
    pub fn is_alias(&self, number: u64) -> bool {
        self.by_number.get(&number).is_some_and(|(_, alias)| *alias)
    }

    /// How many records.
    pub fn len(&self) -> usize {
        self.by_number.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.by_number.is_empty()
    }

    /// Every record, by number.
    pub fn iter(&self) -> impl Iterator<Item = (u64, RecordId)> + '_ {
        self.by_number.iter().map(|(n, (id, _))| (*n, *id))
    }
}

impl Journal {
    /// The ids of every record of kind `T` that opens. Reflections' ids are read from the
    /// index, without opening their texts.
    pub fn ids<T: Record>(&self) -> Result<IdBook> {
        let kind = kind_of::<T>();
        if kind == layout::Kind::Text {
            // The usual case: only the ids at the head of every index segment, on every core.
            if let Some(done) = self.whole_ids()? {
                return Ok(IdBook::new(done));
            }
            let items = self.index_items()?;
            return Ok(IdBook::new(
                items.records.into_iter().map(|(n, i)| (n, i.id, i.alias)),
            ));
        }
        let txn = redb::ReadableDatabase::begin_read(&*self.db)?;
        let mut out = Vec::new();
        let mut sealed = self.sealed_segments(&txn, kind)?;
        for items in self.open_segments(kind, &mut sealed).into_iter().flatten() {
            out.extend(items.into_iter().map(|(n, i)| (n, i.id, i.alias)));
        }
        self.agent_ok()?;
        Ok(IdBook::new(out))
    }

    /// The names of record `number` of kind `T` alone (an empty book when there is none),
    /// with the handle it has among all: for a command that shows one record. The book
    /// [`IdBook::is_partial`], and does not say whether the number is a format 1 alias.
    pub fn book_of_one<T: Record>(&self, number: u64) -> Result<IdBook> {
        Ok(match self.handle_of::<T>(number)? {
            Some((handle, id)) => IdBook::known([(number, id, false, handle)]),
            None => IdBook::default(),
        })
    }

    /// The handle and id of record `number` of kind `T` (`None` when there is none): for a
    /// command that names one record, without building every handle.
    pub fn handle_of<T: Record>(&self, number: u64) -> Result<Option<(String, RecordId)>> {
        if kind_of::<T>() == layout::Kind::Text
            && let Some(found) = self.quick_handle(number)?
        {
            return Ok(Some(found));
        }
        if kind_of::<T>() == layout::Kind::Text
            && let Some(done) = self.whole_ids()?
        {
            let Some(id) = done
                .iter()
                .find(|(n, _, _)| *n == number)
                .map(|(_, id, _)| *id)
            else {
                return Ok(None);
            };
            let handle = tend_core::id::handle_among(id, done.iter().map(|(_, id, _)| *id));
            return Ok(Some((handle, id)));
        }
        let book = self.ids::<T>()?;
        Ok(book.id(number).map(|id| (book.handles.handle(id), id)))
    }

    /// The number of the record of kind `T` that `query` names. Digits name only the
    /// format 1 record they always named (a record made since has a handle and no number a
    /// person sees: numbers differ from device to device); letters name the one record
    /// whose handle starts with them, and otherwise say that none or several do.
    pub fn resolve<T: Record>(&self, query: &IdQuery) -> Result<u64> {
        match query {
            IdQuery::Alias(n) => {
                if self.ids::<T>()?.is_alias(*n) {
                    Ok(*n)
                } else {
                    Err(Error::NotFound {
                        kind: T::KIND,
                        id: *n,
                    })
                }
            }
            IdQuery::Prefix(p) => {
                if kind_of::<T>() == layout::Kind::Text
                    && let Some(answer) = self.quick_resolve(p)?
                {
                    return answer;
                }
                let book = self.ids::<T>()?;
                let id = pick(T::KIND, p, &book.handles)?;
                book.number(id).ok_or(Error::NoSuchHandle {
                    kind: T::KIND,
                    handle: p.to_string(),
                })
            }
        }
    }

    /// An import that keeps ids: every record written as the record with its id (replacing
    /// one there, else added under a new local number), all kinds in one durable
    /// transaction, so the import lands whole or not at all.
    pub fn import_with_ids(
        &self,
        reflections: &[(RecordId, tend_core::reflection::Reflection)],
        commitments: &[(RecordId, tend_core::commitment::Commitment)],
        repairs: &[(RecordId, tend_core::repair::Repair)],
    ) -> Result<()> {
        let mut books = (
            self.ids::<tend_core::reflection::Reflection>()?,
            self.ids::<tend_core::commitment::Commitment>()?,
            self.ids::<tend_core::repair::Repair>()?,
        );
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        self.put_by_id_in(&mut w, &mut books.0, reflections)?;
        self.put_by_id_in(&mut w, &mut books.1, commitments)?;
        self.put_by_id_in(&mut w, &mut books.2, repairs)?;
        w.finish()?;
        self.commit(txn)
    }

    /// Writes each record as the record with its id, in the writer's transaction: over the
    /// record there, else under a new local number (a second record with the same id in
    /// `puts` then replaces the first).
    pub(crate) fn put_by_id_in<T: Record>(
        &self,
        w: &mut layout::Writer<'_>,
        book: &mut IdBook,
        puts: &[(RecordId, T)],
    ) -> Result<()> {
        for (id, record) in puts {
            match book.number(*id) {
                Some(n) => self.put_in(w, n, *id, book.is_alias(n), record)?,
                None => {
                    let n = self.add_in(w, &[(*id, record)])?[0];
                    book.by_number.insert(n, (*id, false));
                    book.by_id.insert(*id, n);
                }
            }
        }
        Ok(())
    }

    /// Removes the records with these ids (absent ones are passed over), in the writer's
    /// transaction; whether any was there.
    pub(crate) fn delete_by_id_in<T: Record>(
        &self,
        w: &mut layout::Writer<'_>,
        book: &mut IdBook,
        deletes: &[RecordId],
    ) -> Result<bool> {
        let mut deleted = false;
        for id in deletes {
            if let Some(n) = book.number(*id) {
                deleted |= self.delete_in::<T>(w, n)?;
                book.by_id.remove(id);
                book.by_number.remove(&n);
            }
        }
        Ok(deleted)
    }

    /// Sync: in one durable transaction, writes each record as the record with that id
    /// (replacing it where it is, else adding it under a new local number) and deletes the
    /// records with the given ids (absent ones are not an error).
    pub fn apply_by_id<T: Record>(
        &self,
        puts: &[(RecordId, T)],
        deletes: &[RecordId],
    ) -> Result<()> {
        let mut book = self.ids::<T>()?;
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        self.put_by_id_in(&mut w, &mut book, puts)?;
        let deleted = self.delete_by_id_in::<T>(&mut w, &mut book, deletes)?;
        w.finish()?;
        if deleted {
            self.note_deletion(&txn)?;
        }
        self.commit(txn)?;
        Ok(())
    }
}

/// The one id among `handles` that `prefix` names, or why there is none.
pub(crate) fn pick(kind: &'static str, prefix: &Prefix, handles: &Handles) -> Result<RecordId> {
    match handles.resolve(prefix) {
        Resolved::One(id) => Ok(id),
        Resolved::None => Err(Error::NoSuchHandle {
            kind,
            handle: prefix.to_string(),
        }),
        Resolved::Many(ids) => Err(Error::AmbiguousHandle {
            kind,
            handle: prefix.to_string(),
            candidates: ids.into_iter().map(|id| handles.handle(id)).collect(),
        }),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn apply_by_id_replaces_adds_and_deletes_in_one_write() {
        use chrono::{NaiveDate, Utc};
        use tend_core::reflection::Reflection;
        let dir = tempfile::tempdir().expect("temp dir");
        let mut j = crate::sync_support::tests::journal(dir.path(), "j.tend");
        let on = NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
        let r = |t: &str| Reflection::new(t, on, Utc::now());
        let a = j.add(&r("a")).expect("a");
        let b = j.add(&r("b")).expect("b");
        let book = j.ids::<Reflection>().expect("ids");
        assert_eq!(book.len(), 2);
        let (ida, idb) = (book.id(a).expect("a"), book.id(b).expect("b"));
        assert_eq!(book.number(ida), Some(a));
        assert!(!book.is_alias(a));
        let handle = book.handle(a).expect("a handle");
        assert!(handle.len() >= 4);
        let query = IdQuery::parse(&handle).expect("letters");
        assert_eq!(j.resolve::<Reflection>(&query).expect("resolves"), a);
        let new_id = RecordId::from_bytes([9; 16]);
        let counter = j.write_counter().expect("reads");
        j.apply_by_id(
            &[
                (ida, r("a, changed elsewhere")),
                (new_id, r("made elsewhere")),
            ],
            &[idb, RecordId::from_bytes([1; 16])],
        )
        .expect("applied");
        assert_eq!(
            j.write_counter().expect("reads"),
            counter.map(|c| c + 1),
            "one write"
        );
        let book = j.ids::<Reflection>().expect("ids");
        assert_eq!(book.len(), 2);
        assert_eq!(book.number(ida), Some(a));
        assert_eq!(
            j.get::<Reflection>(a).expect("a").text,
            "a, changed elsewhere"
        );
        let n = book.number(new_id).expect("added");
        assert_eq!(n, 3, "a new local number");
        assert_eq!(j.get::<Reflection>(n).expect("new").text, "made elsewhere");
        assert!(book.number(idb).is_none());
        assert!(j.check().expect("checks").is_ok());
    }

    #[test]
    fn one_pass_gives_the_entries_and_ids_the_two_reads_give() {
        use chrono::{NaiveDate, Utc};
        use tend_core::reflection::Reflection;
        let dir = tempfile::tempdir().expect("temp dir");
        let j = crate::sync_support::tests::journal(dir.path(), "j.tend");
        let on = NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
        // Across index segments (256 each), with a deletion in the middle.
        let records: Vec<Reflection> = (0..600)
            .map(|i| Reflection::new(format!("number {i}"), on, Utc::now()))
            .collect();
        let numbers = j.add_many(&records).expect("added");
        j.delete::<Reflection>(numbers[300]).expect("deleted");
        let from_ids = j
            .whole_segments(layout::Kind::Ids, layout::index_ids)
            .expect("reads")
            .expect("every ids segment is there and opens");
        assert_eq!(from_ids.into_iter().flatten().count(), 599);
        let (scan, book) = j.entries_and_ids().expect("one pass");
        assert_eq!(scan, j.entries().expect("entries"));
        let two = j.ids::<Reflection>().expect("ids");
        assert_eq!(book.len(), 599);
        assert_eq!(
            book.iter().collect::<Vec<_>>(),
            two.iter().collect::<Vec<_>>()
        );
        for (n, _) in book.iter() {
            assert_eq!(book.handle(n), two.handle(n));
        }
    }

    #[test]
    fn an_import_by_id_is_one_write_of_every_kind() {
        use chrono::{NaiveDate, Utc};
        use tend_core::commitment::Commitment;
        use tend_core::reflection::Reflection;
        use tend_core::repair::Repair;
        let dir = tempfile::tempdir().expect("temp dir");
        let j = crate::sync_support::tests::journal(dir.path(), "j.tend");
        let on = NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
        let counter = j.write_counter().expect("reads");
        j.import_with_ids(
            &[(
                RecordId::from_bytes([1; 16]),
                Reflection::new("r", on, Utc::now()),
            )],
            &[(
                RecordId::from_bytes([2; 16]),
                Commitment::new("c", Vec::new(), None, Utc::now()),
            )],
            &[(
                RecordId::from_bytes([3; 16]),
                Repair::open("p", Vec::new(), None, Utc::now()),
            )],
        )
        .expect("imported");
        assert_eq!(
            j.write_counter().expect("reads"),
            counter.map(|c| c + 1),
            "one write"
        );
        assert!(
            j.ids::<Reflection>()
                .expect("ids")
                .number(RecordId::from_bytes([1; 16]))
                .is_some()
        );
        assert!(
            j.ids::<Commitment>()
                .expect("ids")
                .number(RecordId::from_bytes([2; 16]))
                .is_some()
        );
        assert!(
            j.ids::<Repair>()
                .expect("ids")
                .number(RecordId::from_bytes([3; 16]))
                .is_some()
        );
    }

    fn id(bytes: [u8; 2]) -> RecordId {
        let mut b = [0u8; 16];
        b[..2].copy_from_slice(&bytes);
        RecordId::from_bytes(b)
    }

    #[test]
    fn an_ambiguous_handle_names_every_candidate_by_its_own_handle() {
        let handles = Handles::new([id([0x12, 0x34]), id([0x12, 0x35]), id([0x99, 0])]);
        let typed = Prefix::parse("cd").expect("letters");
        let err = pick("reflection", &typed, &handles).expect_err("two start so");
        assert_eq!(
            err.to_string(),
            "cd could be any of 2 reflections: cdfg, cdfh"
        );
        let typed = Prefix::parse("nn").expect("letters");
        assert_eq!(pick("repair", &typed, &handles).ok(), Some(id([0x99, 0])));
        let typed = Prefix::parse("xx").expect("letters");
        assert_eq!(
            pick("repair", &typed, &handles)
                .expect_err("none")
                .to_string(),
            "there is no repair with the handle xx"
        );
    }
}
