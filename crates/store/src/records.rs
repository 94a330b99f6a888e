//! Sealed records: reflections (with their compact index), commitments, repairs and consent
//! records, each in its own table under short sequential ids.
//!
//! The index keeps each reflection's [`Entry`] (date, values, tags, content note, first line)
//! in segments of [`SEGMENT`] entries, so listing and filtering open a few hundred small
//! records instead of every text, and adding a reflection rewrites one segment only.
//! Segments are encoded compactly (see `segment`) and opened on every core at once.

mod search;
mod segment;

use redb::{
    ReadTransaction, ReadableDatabase, ReadableTable, ReadableTableMetadata, TableDefinition,
    WriteTransaction,
};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tend_core::commitment::Commitment;
use tend_core::reflection::{Entry, Reflection};
use tend_core::repair::Repair;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::journal::{Journal, SETTINGS};
use crate::seal::Place;

pub(crate) const REFLECTIONS: &str = "reflections";
pub(crate) const INDEX: &str = "reflection_index";
pub(crate) const COMMITMENTS: &str = "commitments";
pub(crate) const REPAIRS: &str = "repairs";
pub(crate) const CONSENTS: &str = "consents";

/// Entries per index segment.
pub const SEGMENT: u64 = 256;

/// The reflection ids index segment `segment` covers; `None` for a segment number that no
/// id can reach (only a damaged file holds one), so it is never turned into a range.
fn segment_ids(segment: u64) -> Option<std::ops::Range<u64>> {
    let start = segment.checked_mul(SEGMENT)?;
    Some(start..start.checked_add(SEGMENT)?)
}

pub(crate) const ALL_TABLES: [&str; 6] = [
    REFLECTIONS,
    INDEX,
    COMMITMENTS,
    REPAIRS,
    CONSENTS,
    crate::journal::UNLOCKER_INFO,
];

pub(crate) fn table(name: &str) -> TableDefinition<'_, u64, &'static [u8]> {
    TableDefinition::new(name)
}

mod sealed {
    pub trait Sealed {}
    impl Sealed for tend_core::reflection::Reflection {}
    impl Sealed for tend_core::commitment::Commitment {}
    impl Sealed for tend_core::repair::Repair {}
    impl Sealed for tend_core::contribution::ConsentRecord {}
}

/// A kind of record the journal keeps. Sealed: implemented for tend-core's records only.
pub trait Record: Serialize + DeserializeOwned + Send + sealed::Sealed {
    /// The word for one record, as errors say it.
    const KIND: &'static str;
    /// Its table.
    #[doc(hidden)]
    const TABLE: &'static str;
    /// Its index entry, for kinds that keep one.
    #[doc(hidden)]
    fn index_entry(&self, _id: u64) -> Option<Entry> {
        None
    }
}

impl Record for Reflection {
    const KIND: &'static str = "reflection";
    const TABLE: &'static str = REFLECTIONS;
    fn index_entry(&self, id: u64) -> Option<Entry> {
        Some(self.entry(id))
    }
}

impl Record for Commitment {
    const KIND: &'static str = "commitment";
    const TABLE: &'static str = COMMITMENTS;
}

impl Record for Repair {
    const KIND: &'static str = "repair";
    const TABLE: &'static str = REPAIRS;
}

impl Record for tend_core::contribution::ConsentRecord {
    const KIND: &'static str = "consent record";
    const TABLE: &'static str = CONSENTS;
}

/// Records read in one pass, with the ids of any that could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan<T> {
    /// The records that opened, by id, in id order.
    pub records: Vec<(u64, T)>,
    /// Ids of records that failed their integrity check.
    pub damaged: Vec<u64>,
}

fn counter_name(table: &str) -> String {
    format!("next_id/{table}")
}

impl Journal {
    pub(crate) fn put_sealed(
        &self,
        txn: &WriteTransaction,
        table_name: &str,
        id: u64,
        bytes: &[u8],
    ) -> Result<()> {
        let key = id.to_be_bytes();
        let place = Place {
            table: table_name,
            key: &key,
        };
        let sealed = self.key.seal(place, bytes);
        let old = txn
            .open_table(table(table_name))?
            .insert(id, sealed.as_slice())?
            .map(|v| v.value().to_vec());
        self.track(place, old.as_deref(), Some(&sealed));
        Ok(())
    }

    pub(crate) fn put_sealed_json<T: Serialize>(
        &self,
        txn: &WriteTransaction,
        table_name: &str,
        id: u64,
        value: &T,
    ) -> Result<()> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(value).unwrap_or_default());
        self.put_sealed(txn, table_name, id, &json)
    }

    fn open_sealed(
        &self,
        table_name: &str,
        id: u64,
        sealed: &[u8],
    ) -> Option<zeroize::Zeroizing<Vec<u8>>> {
        let key = id.to_be_bytes();
        self.key.open(
            Place {
                table: table_name,
                key: &key,
            },
            sealed,
        )
    }

    fn decode<T: DeserializeOwned>(&self, table_name: &str, id: u64, sealed: &[u8]) -> Option<T> {
        let plain = self.open_sealed(table_name, id, sealed)?;
        serde_json::from_slice(&plain).ok()
    }

    pub(crate) fn get_sealed_json<T: DeserializeOwned>(
        &self,
        txn: &ReadTransaction,
        table_name: &'static str,
        id: u64,
    ) -> Result<T> {
        let t = txn.open_table(table(table_name))?;
        let raw = t.get(id)?.ok_or(Error::RecordDamaged {
            kind: table_name,
            id,
        })?;
        let decoded = self.decode(table_name, id, raw.value());
        self.agent_ok()?;
        decoded.ok_or(Error::RecordDamaged {
            kind: table_name,
            id,
        })
    }

    pub(crate) fn put_setting(
        &self,
        txn: &WriteTransaction,
        name: &str,
        bytes: &[u8],
    ) -> Result<()> {
        let place = Place {
            table: "tend_settings",
            key: name.as_bytes(),
        };
        let sealed = self.key.seal(place, bytes);
        let old = txn
            .open_table(SETTINGS)?
            .insert(name, sealed.as_slice())?
            .map(|v| v.value().to_vec());
        self.track(place, old.as_deref(), Some(&sealed));
        Ok(())
    }

    pub(crate) fn get_setting(
        &self,
        txn: &ReadTransaction,
        name: &str,
    ) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let t = txn.open_table(SETTINGS)?;
        let raw = t.get(name)?.map(|v| v.value().to_vec());
        self.open_setting(name, raw)
    }

    /// A setting as a write transaction sees it.
    pub(crate) fn get_setting_in(
        &self,
        txn: &WriteTransaction,
        name: &str,
    ) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let t = txn.open_table(SETTINGS)?;
        let raw = t.get(name)?.map(|v| v.value().to_vec());
        self.open_setting(name, raw)
    }

    fn open_setting(
        &self,
        name: &str,
        raw: Option<Vec<u8>>,
    ) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let Some(raw) = raw else {
            return Ok(None);
        };
        let opened = self.key.open(
            Place {
                table: "tend_settings",
                key: name.as_bytes(),
            },
            &raw,
        );
        self.agent_ok()?;
        opened.map(Some).ok_or(Error::RecordDamaged {
            kind: "setting",
            id: 0,
        })
    }

    pub(crate) fn next_id(&self, txn: &WriteTransaction, table_name: &str) -> Result<u64> {
        let name = counter_name(table_name);
        let current = {
            let t = txn.open_table(SETTINGS)?;
            let raw = t.get(name.as_str())?.map(|v| v.value().to_vec());
            match raw {
                None => 1,
                Some(raw) => {
                    let plain = self.key.open(
                        Place {
                            table: "tend_settings",
                            key: name.as_bytes(),
                        },
                        &raw,
                    );
                    self.agent_ok()?;
                    let plain = plain.ok_or(Error::RecordDamaged {
                        kind: "id counter",
                        id: 0,
                    })?;
                    let arr: [u8; 8] =
                        plain
                            .as_slice()
                            .try_into()
                            .map_err(|_| Error::RecordDamaged {
                                kind: "id counter",
                                id: 0,
                            })?;
                    u64::from_le_bytes(arr)
                }
            }
        };
        // Never reuse an id, even if the counter was lost: stay above the highest id in use.
        let highest = txn
            .open_table(table(table_name))?
            .last()?
            .map_or(0, |(k, _)| k.value());
        let id = current.max(highest + 1);
        self.put_setting(txn, &name, &(id + 1).to_le_bytes())?;
        Ok(id)
    }

    /// Adds a record in one durable transaction; returns its new id.
    pub fn add<T: Record>(&self, record: &T) -> Result<u64> {
        Ok(self.add_many(std::slice::from_ref(record))?[0])
    }

    /// Adds several records in one durable transaction; returns their ids in order.
    pub fn add_many<T: Record>(&self, records: &[T]) -> Result<Vec<u64>> {
        let txn = self.begin()?;
        let ids = self.add_in(&txn, records)?;
        self.commit(txn)?;
        Ok(ids)
    }

    /// Adds reflections, commitments and repairs together in one durable transaction: an
    /// import lands whole or not at all.
    pub fn import(
        &self,
        reflections: &[Reflection],
        commitments: &[Commitment],
        repairs: &[Repair],
    ) -> Result<()> {
        let txn = self.begin()?;
        self.add_in(&txn, reflections)?;
        self.add_in(&txn, commitments)?;
        self.add_in(&txn, repairs)?;
        self.commit(txn)?;
        Ok(())
    }

    fn add_in<T: Record>(&self, txn: &WriteTransaction, records: &[T]) -> Result<Vec<u64>> {
        let mut ids = Vec::with_capacity(records.len());
        let mut entries = Vec::new();
        for r in records {
            let id = self.next_id(txn, T::TABLE)?;
            self.put_sealed_json(txn, T::TABLE, id, r)?;
            entries.extend(r.index_entry(id));
            ids.push(id);
        }
        self.update_index(txn, entries, &[])?;
        Ok(ids)
    }

    /// Reads one record.
    pub fn get<T: Record>(&self, id: u64) -> Result<T> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(table(T::TABLE))?;
        let raw = t.get(id)?.ok_or(Error::NotFound { kind: T::KIND, id })?;
        self.decode(T::TABLE, id, raw.value())
            .ok_or(Error::RecordDamaged { kind: T::KIND, id })
    }

    /// Replaces an existing record.
    pub fn put<T: Record>(&self, id: u64, record: &T) -> Result<()> {
        let txn = self.begin()?;
        if txn.open_table(table(T::TABLE))?.get(id)?.is_none() {
            return Err(Error::NotFound { kind: T::KIND, id });
        }
        self.put_in(&txn, id, record)?;
        self.commit(txn)?;
        Ok(())
    }

    /// Writes a record under `id` inside `txn`, with its index entry.
    pub(crate) fn put_in<T: Record>(
        &self,
        txn: &WriteTransaction,
        id: u64,
        record: &T,
    ) -> Result<()> {
        self.put_sealed_json(txn, T::TABLE, id, record)?;
        self.update_index(txn, record.index_entry(id).into_iter().collect(), &[])
    }

    /// Deletes a record for good.
    pub fn delete<T: Record>(&self, id: u64) -> Result<()> {
        let txn = self.begin()?;
        if !self.remove_in::<T>(&txn, id)? {
            return Err(Error::NotFound { kind: T::KIND, id });
        }
        self.note_deletion(&txn)?;
        self.commit(txn)?;
        Ok(())
    }

    /// Removes a record and its index entry inside `txn`; says whether there was one.
    pub(crate) fn remove_in<T: Record>(&self, txn: &WriteTransaction, id: u64) -> Result<bool> {
        let old = txn
            .open_table(table(T::TABLE))?
            .remove(id)?
            .map(|v| v.value().to_vec());
        self.track_removed(T::TABLE, id, old.as_deref());
        if old.is_none() {
            return Ok(false);
        }
        if T::TABLE == REFLECTIONS {
            self.update_index(txn, Vec::new(), &[id])?;
        }
        Ok(true)
    }

    /// How many records of a kind there are.
    pub fn count<T: Record>(&self) -> Result<u64> {
        let txn = self.db.begin_read()?;
        Ok(txn.open_table(table(T::TABLE))?.len()?)
    }

    /// Every record of a kind, in id order, with the ids of any damaged ones. Records are
    /// opened on every core.
    pub fn all<T: Record>(&self) -> Result<Scan<T>> {
        self.scan_table(T::TABLE, None, |_: &[u8]| true, |_: &T| true)
    }

    fn read_segment(&self, txn: &WriteTransaction, segment: u64) -> Result<Option<Vec<Entry>>> {
        let raw = txn
            .open_table(table(INDEX))?
            .get(segment)?
            .map(|v| v.value().to_vec());
        Ok(raw.and_then(|raw| self.open_segment(segment, &raw)))
    }

    /// Opens and decodes one sealed index segment; `None` when it is damaged.
    /// (Its plaintext alone decodes with [`decode_segment`].)
    pub(crate) fn open_segment(&self, segment: u64, sealed: &[u8]) -> Option<Vec<Entry>> {
        segment::decode(&self.open_sealed(INDEX, segment, sealed)?)
    }

    /// Writes new or changed entries and removes deleted ids, one segment at a time.
    fn update_index(
        &self,
        txn: &WriteTransaction,
        upserts: Vec<Entry>,
        removed: &[u64],
    ) -> Result<()> {
        let mut touched: std::collections::BTreeMap<u64, (Vec<Entry>, Vec<u64>)> =
            Default::default();
        for e in upserts {
            touched.entry(e.id / SEGMENT).or_default().0.push(e);
        }
        for id in removed {
            touched.entry(id / SEGMENT).or_default().1.push(*id);
        }
        for (segment, (ups, rems)) in touched {
            let mut entries = match self.read_segment(txn, segment)? {
                Some(entries) => entries,
                // A missing or damaged segment is rebuilt from the reflections themselves.
                None => self.rebuild_segment(txn, segment)?,
            };
            entries.retain(|e| !rems.contains(&e.id) && !ups.iter().any(|u| u.id == e.id));
            entries.extend(ups);
            entries.sort_unstable_by_key(|e| e.id);
            if entries.is_empty() {
                let old = txn
                    .open_table(table(INDEX))?
                    .remove(segment)?
                    .map(|v| v.value().to_vec());
                self.track_removed(INDEX, segment, old.as_deref());
            } else {
                let plain = Zeroizing::new(segment::encode(&entries));
                self.put_sealed(txn, INDEX, segment, &plain)?;
            }
        }
        Ok(())
    }

    fn rebuild_segment(&self, txn: &WriteTransaction, segment: u64) -> Result<Vec<Entry>> {
        let t = txn.open_table(table(REFLECTIONS))?;
        let mut out = Vec::new();
        let Some(ids) = segment_ids(segment) else {
            return Ok(out);
        };
        for item in t.range(ids)? {
            let (k, v) = item?;
            if let Some(r) = self.decode::<Reflection>(REFLECTIONS, k.value(), v.value()) {
                out.push(r.entry(k.value()));
            }
        }
        Ok(out)
    }

    /// Every reflection's index entry (unordered), with the ids of reflections that could
    /// not be read. A damaged index segment is read around, from the reflections themselves,
    /// and so is a reflection that no segment covers (a segment whose key was damaged).
    pub fn entries(&self) -> Result<Scan<Entry>> {
        let txn = self.db.begin_read()?;
        let index = txn.open_table(table(INDEX))?;
        let mut sealed: Vec<(u64, Zeroizing<Vec<u8>>)> = Vec::new();
        for item in index.iter()? {
            let (k, v) = item?;
            sealed.push((k.value(), Zeroizing::new(v.value().to_vec())));
        }
        // Each copy is opened where it lies: no second buffer per segment.
        let opened = on_every_core(&mut sealed, |(segment, raw)| {
            let key = segment.to_be_bytes();
            let plain = self.key.open_in_place(
                Place {
                    table: INDEX,
                    key: &key,
                },
                raw.as_mut_slice(),
            )?;
            segment::decode(plain)
        });
        let reflections = txn.open_table(table(REFLECTIONS))?;
        let mut scan = Scan {
            records: Vec::with_capacity(sealed.len() * SEGMENT as usize),
            damaged: Vec::new(),
        };
        for ((segment, _), entries) in sealed.iter().zip(opened) {
            // A segment that makes no sense as a place is damaged, whatever it holds.
            let Some(ids) = segment_ids(*segment) else {
                continue;
            };
            match entries {
                Some(entries) => scan.records.extend(
                    entries
                        .into_iter()
                        .filter(|e| ids.contains(&e.id))
                        .map(|e| (e.id, e)),
                ),
                None => {
                    for item in reflections.range(ids)? {
                        let (k, v) = item?;
                        self.read_entry(k.value(), v.value(), &mut scan);
                    }
                }
            }
        }
        // The table's length costs nothing to read; only when the index misses reflections
        // (a segment lost or moved) are the reflections' keys walked to find them.
        let seen = scan.records.len() + scan.damaged.len();
        if usize::try_from(reflections.len()?).ok() != Some(seen) {
            let known: std::collections::HashSet<u64> = scan
                .records
                .iter()
                .map(|(id, _)| *id)
                .chain(scan.damaged.iter().copied())
                .collect();
            for item in reflections.iter()? {
                let (k, v) = item?;
                if !known.contains(&k.value()) {
                    self.read_entry(k.value(), v.value(), &mut scan);
                }
            }
        }
        scan.damaged.sort_unstable();
        self.agent_ok()?;
        Ok(scan)
    }

    /// Opens one reflection into `scan`: its entry, or its id among the damaged.
    fn read_entry(&self, id: u64, sealed: &[u8], scan: &mut Scan<Entry>) {
        match self.decode::<Reflection>(REFLECTIONS, id, sealed) {
            Some(r) => scan.records.push((id, r.entry(id))),
            None => scan.damaged.push(id),
        }
    }
}

/// Decodes the plaintext of an index segment, in its binary encoding or the JSON of earlier
/// builds; `None` when it is malformed.
pub(crate) fn decode_segment(plaintext: &[u8]) -> Option<Vec<Entry>> {
    segment::decode(plaintext)
}

/// Encodes entries (sorted by id) as the plaintext of an index segment.
pub(crate) fn encode_segment(entries: &[Entry]) -> Vec<u8> {
    segment::encode(entries)
}

/// `f` over every item, the items shared out in order among the machine's cores.
fn on_every_core<T: Send, R: Send>(items: &mut [T], f: impl Fn(&mut T) -> R + Sync) -> Vec<R> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(8);
    if threads == 1 || items.len() < 8 {
        return items.iter_mut().map(f).collect();
    }
    let f = &f;
    let per_thread = items.len().div_ceil(threads);
    std::thread::scope(|s| {
        let parts: Vec<_> = items
            .chunks_mut(per_thread)
            .map(|part| s.spawn(move || part.iter_mut().map(f).collect::<Vec<R>>()))
            .collect();
        parts
            .into_iter()
            .flat_map(|h| {
                h.join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic))
            })
            .collect()
    })
}
