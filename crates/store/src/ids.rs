//! From what a person typed to a record, and between a record's number on this device and
//! its id on every device.
//!
//! A record has a *number* on this device (what the store's reads and writes take) and an
//! *id* (`tend_core::id::RecordId`, 128 bits) that is the same on every device, from which a
//! person's *handle* comes. [`IdBook`] holds both for one kind of record; [`Journal::ids`]
//! reads it, [`Journal::resolve`] turns typed text into a number, and
//! [`Journal::apply_by_id`] writes records named by id (what sync needs).
//!
//! A format 1 journal stores numbers only. Until it is upgraded, each of its records has an
//! id derived from the journal's key and its number (a keyed MAC, so it reveals nothing and
//! is the same every time), every number is an alias, and records written by id keep their
//! ids in a sealed setting.

use std::collections::{BTreeMap, HashMap};

use redb::{ReadableDatabase, ReadableTable};
use tend_core::id::{Handles, IdQuery, Prefix, RecordId, Resolved};

use crate::error::{Error, Result};
use crate::journal::Journal;
use crate::records::{Record, table};

/// The ids of every record of one kind: its number on this device, its id on every device,
/// and the handle a person types.
#[derive(Debug, Clone, Default)]
pub struct IdBook {
    by_number: BTreeMap<u64, RecordId>,
    by_id: HashMap<RecordId, u64>,
    aliases: std::collections::BTreeSet<u64>,
    handles: Handles,
}

impl IdBook {
    /// A book of these records: (number, id, whether the number is a format 1 alias).
    pub(crate) fn new(records: impl IntoIterator<Item = (u64, RecordId, bool)>) -> Self {
        let mut book = IdBook::default();
        for (number, id, alias) in records {
            book.by_number.insert(number, id);
            book.by_id.insert(id, number);
            if alias {
                book.aliases.insert(number);
            }
        }
        book.handles = Handles::new(book.by_number.values().copied());
        book
    }

    /// The id of the record with this number here.
    pub fn id(&self, number: u64) -> Option<RecordId> {
        self.by_number.get(&number).copied()
    }

    /// The number here of the record with this id.
    pub fn number(&self, id: RecordId) -> Option<u64> {
        self.by_id.get(&id).copied()
    }

    /// The handle a person sees for the record with this number: the shortest prefix of its
    /// id that no other record of its kind shares, at least four letters.
    pub fn handle(&self, number: u64) -> Option<String> {
        self.id(number).map(|id| self.handles.handle(id))
    }

    /// Whether `number` is a format 1 record number its record keeps as an alias, so that
    /// `tend show 42` still finds what it found before the upgrade.
    pub fn is_alias(&self, number: u64) -> bool {
        self.aliases.contains(&number)
    }

    /// How many records it holds.
    pub fn len(&self) -> usize {
        self.by_number.len()
    }

    /// Whether it holds none.
    pub fn is_empty(&self) -> bool {
        self.by_number.is_empty()
    }

    /// Every (number, id), by number.
    pub fn iter(&self) -> impl Iterator<Item = (u64, RecordId)> + '_ {
        self.by_number.iter().map(|(&n, &id)| (n, id))
    }

    /// The number `query` names, or why it names none.
    pub(crate) fn resolve(&self, kind: &'static str, query: &IdQuery) -> Result<u64> {
        match query {
            IdQuery::Alias(n) if self.is_alias(*n) => Ok(*n),
            IdQuery::Alias(n) => Err(Error::NotFound { kind, id: *n }),
            IdQuery::Prefix(p) => {
                let id = pick(kind, p, &self.handles)?;
                self.number(id).ok_or(Error::NoSuchHandle {
                    kind,
                    handle: p.to_string(),
                })
            }
        }
    }
}

/// The sealed setting holding the ids of a format 1 table's records written by id.
fn ids_setting(table_name: &str) -> String {
    format!("ids/{table_name}")
}

impl Journal {
    /// The ids of every record of kind `T`. Reads ids only: no record is opened.
    pub fn ids<T: Record>(&self) -> Result<IdBook> {
        let txn = self.db.begin_read()?;
        let numbers: Vec<u64> = {
            let t = txn.open_table(table(T::TABLE))?;
            let mut numbers = Vec::new();
            for item in t.iter()? {
                numbers.push(item?.0.value());
            }
            numbers
        };
        let written = self.written_ids(self.get_setting(&txn, &ids_setting(T::TABLE))?)?;
        let derived = self.derived_ids(T::TABLE, &numbers)?;
        Ok(IdBook::new(numbers.iter().zip(derived).map(
            |(&n, id)| match written.get(&n) {
                Some(&given) => (n, given, false),
                None => (n, id, true),
            },
        )))
    }

    /// The number of the record of kind `T` that `query` names. A number names the record
    /// that had it in format 1 (a record made since has no number a person types); letters
    /// name the one record whose handle starts with them, and otherwise say that none or
    /// several do.
    pub fn resolve<T: Record>(&self, query: &IdQuery) -> Result<u64> {
        if let IdQuery::Alias(n) = query {
            // Every number is an alias but those of records written by id: no need to
            // derive every record's id to know that.
            let txn = self.db.begin_read()?;
            let written = self.written_ids(self.get_setting(&txn, &ids_setting(T::TABLE))?)?;
            if !written.contains_key(n) {
                return Ok(*n);
            }
        }
        self.ids::<T>()?.resolve(T::KIND, query)
    }

    /// Writes records named by id, in one durable transaction: each of `puts` replaces the
    /// record with its id, or is added under a new number when there is none; each of
    /// `deletes` removes the record with that id (one that is not here is passed over).
    pub fn apply_by_id<T: Record>(
        &self,
        puts: &[(RecordId, T)],
        deletes: &[RecordId],
    ) -> Result<()> {
        let book = self.ids::<T>()?;
        let txn = self.begin()?;
        let setting = ids_setting(T::TABLE);
        let mut written = self.written_ids(self.get_setting_in(&txn, &setting)?)?;
        let mut added: HashMap<RecordId, u64> = HashMap::new();
        for (id, record) in puts {
            let number = match book.number(*id).or_else(|| added.get(id).copied()) {
                Some(n) => n,
                None => {
                    let n = self.next_id(&txn, T::TABLE)?;
                    added.insert(*id, n);
                    written.insert(n, *id);
                    n
                }
            };
            self.put_in(&txn, number, record)?;
        }
        let mut gone = Vec::new();
        for id in deletes {
            let Some(number) = book.number(*id).or_else(|| added.get(id).copied()) else {
                continue;
            };
            if self.remove_in::<T>(&txn, number)? {
                written.remove(&number);
                gone.push(number);
            }
        }
        if !gone.is_empty() {
            self.note_deletion(&txn)?;
        }
        self.put_setting(&txn, &setting, &encode_written(&written))?;
        self.commit(txn)?;
        Ok(())
    }

    /// The ids of records written by id, from their sealed setting.
    fn written_ids(
        &self,
        raw: Option<zeroize::Zeroizing<Vec<u8>>>,
    ) -> Result<BTreeMap<u64, RecordId>> {
        match raw {
            Some(raw) => decode_written(&raw).ok_or(Error::RecordDamaged {
                kind: "id list",
                id: 0,
            }),
            None => Ok(BTreeMap::new()),
        }
    }

    /// The ids a format 1 journal's records have: a MAC of their table and number under the
    /// journal's key, cut to 128 bits (one request for all when an agent holds the key).
    fn derived_ids(&self, table_name: &str, numbers: &[u64]) -> Result<Vec<RecordId>> {
        let keys: Vec<[u8; 8]> = numbers.iter().map(|n| n.to_be_bytes()).collect();
        let items: Vec<(&[u8], &[u8])> = keys.iter().map(|k| (k.as_slice(), &b""[..])).collect();
        let place = format!("tend_v1_ids/{table_name}");
        let macs = self.key.mac_many(&place, &items);
        self.agent_ok()?;
        Ok(macs
            .into_iter()
            .map(|m| {
                let mut b = [0u8; 16];
                b.copy_from_slice(&m[..16]);
                RecordId::from_bytes(b)
            })
            .collect())
    }
}

fn encode_written(written: &BTreeMap<u64, RecordId>) -> Vec<u8> {
    let mut out = Vec::with_capacity(written.len() * 24);
    for (n, id) in written {
        out.extend_from_slice(&n.to_le_bytes());
        out.extend_from_slice(&id.to_bytes());
    }
    out
}

fn decode_written(raw: &[u8]) -> Option<BTreeMap<u64, RecordId>> {
    if !raw.len().is_multiple_of(24) {
        return None;
    }
    raw.chunks_exact(24)
        .map(|c| {
            let (n, id) = c.split_at(8);
            Some((
                u64::from_le_bytes(n.try_into().ok()?),
                RecordId::from_bytes(id.try_into().ok()?),
            ))
        })
        .collect()
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
    use age::secrecy::SecretString;
    use chrono::{NaiveDate, Utc};
    use tend_core::pack::ValuesPack;
    use tend_core::reflection::Reflection;

    use crate::unlock::{NewUnlocker, Secret};

    fn reflection(text: &str) -> Reflection {
        let on = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
        Reflection::new(text, on, Utc::now())
    }

    fn journal(dir: &tempfile::TempDir) -> Journal {
        let unlocker = NewUnlocker::Passphrase {
            passphrase: SecretString::from("p".to_owned()),
            work_factor: Some(4),
        };
        let path = dir.path().join("j.tend");
        Journal::create(&path, &unlocker, &ValuesPack::default_pack(), Utc::now()).expect("made")
    }

    #[test]
    fn ids_are_the_same_on_every_open_and_numbers_resolve_as_aliases() {
        let dir = tempfile::tempdir().expect("temp dir");
        let j = journal(&dir);
        let numbers = j
            .add_many(&[reflection("one"), reflection("two")])
            .expect("added");
        let book = j.ids::<Reflection>().expect("ids");
        assert_eq!(book.len(), 2);
        let path = j.path().to_owned();
        drop(j);
        let j = Journal::open(
            &path,
            &Secret::Passphrase(SecretString::from("p".to_owned())),
        )
        .expect("opens");
        let again = j.ids::<Reflection>().expect("ids");
        assert_eq!(
            book.iter().collect::<Vec<_>>(),
            again.iter().collect::<Vec<_>>()
        );
        for &n in &numbers {
            assert!(again.is_alias(n));
            assert_eq!(
                j.resolve::<Reflection>(&IdQuery::Alias(n)).expect("alias"),
                n
            );
            let handle = again.handle(n).expect("a handle");
            let typed = IdQuery::parse(&handle).expect("letters");
            assert_eq!(j.resolve::<Reflection>(&typed).expect("handle"), n);
        }
        assert_ne!(again.id(numbers[0]), again.id(numbers[1]));
    }

    #[test]
    fn records_written_by_id_keep_their_id_are_replaced_and_deleted_by_it() {
        let dir = tempfile::tempdir().expect("temp dir");
        let j = journal(&dir);
        let mine = j.add(&reflection("mine")).expect("added");
        let theirs = RecordId::from_bytes([7; 16]);
        j.apply_by_id(&[(theirs, reflection("from the laptop"))], &[])
            .expect("applied");
        let book = j.ids::<Reflection>().expect("ids");
        let n = book.number(theirs).expect("kept its id");
        assert!(!book.is_alias(n), "a number made here is no alias");
        assert!(book.is_alias(mine));
        assert!(j.resolve::<Reflection>(&IdQuery::Alias(n)).is_err());
        assert_eq!(
            j.get::<Reflection>(n).expect("read").text,
            "from the laptop"
        );

        j.apply_by_id(&[(theirs, reflection("edited on the laptop"))], &[])
            .expect("applied");
        let again = j.ids::<Reflection>().expect("ids");
        assert_eq!(again.number(theirs), Some(n), "replaced in place");
        assert_eq!(
            j.get::<Reflection>(n).expect("read").text,
            "edited on the laptop"
        );
        assert_eq!(j.entries().expect("index").records.len(), 2);

        let gone = RecordId::from_bytes([9; 16]);
        j.apply_by_id::<Reflection>(&[], &[theirs, gone])
            .expect("applied");
        let after = j.ids::<Reflection>().expect("ids");
        assert_eq!(after.len(), 1);
        assert_eq!(after.number(theirs), None);
        assert_eq!(j.entries().expect("index").records.len(), 1);
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
