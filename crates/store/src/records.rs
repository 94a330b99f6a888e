//! Sealed records: reflections (with their compact index), commitments, repairs and consent
//! records, all in one table of sealed, padded segments (see `layout`).
//!
//! Records are named by *local numbers*: numbers this device handed out, sealed inside the
//! segments and never visible in the file. Each record also carries its random 128-bit
//! [`RecordId`], the same on every device, and whether its number is a format 1 alias.
//! The index keeps each reflection's [`Entry`] (date, values, tags, content note, first line)
//! in segments of [`SEGMENT`] entries, so listing and filtering open a few hundred small
//! segments instead of every text, and adding a reflection rewrites two segments only.

pub(crate) mod directory;
pub(crate) mod layout;
mod search;
mod segment;

use redb::{ReadTransaction, ReadableDatabase, TableDefinition, WriteTransaction};
use serde::Serialize;
use serde::de::DeserializeOwned;
use tend_core::commitment::Commitment;
use tend_core::id::RecordId;
use tend_core::reflection::{Entry, Reflection};
use tend_core::repair::Repair;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::journal::{Journal, SETTINGS};
use crate::seal::Place;

pub(crate) const REFLECTIONS: &str = "reflections";
pub(crate) const INDEX: &str = "reflection_index";
/// The name `tend check` gives reflections' ids segments.
pub(crate) const IDS: &str = "reflection_ids";
/// The name `tend check` gives the reflections' id directory.
pub(crate) const DIRECTORY: &str = "reflection_id_directory";
pub(crate) const COMMITMENTS: &str = "commitments";
pub(crate) const REPAIRS: &str = "repairs";
pub(crate) const CONSENTS: &str = "consents";

/// Entries per index segment.
pub const SEGMENT: u64 = 256;

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

/// Records read in one pass, with the numbers of any that could not be opened.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scan<T> {
    /// The records that opened, by local number, in number order.
    pub records: Vec<(u64, T)>,
    /// Local numbers of records that failed their integrity check. A damaged segment counts
    /// as damaged every record the index says it held (for kinds without an index, the first
    /// number it could hold).
    pub damaged: Vec<u64>,
}

/// The segment kind of a record kind's own bytes.
pub(crate) fn kind_of<T: Record>() -> layout::Kind {
    layout::Kind::from_name(T::TABLE).unwrap_or(layout::Kind::Text)
}

/// Each record with a new random id.
fn fresh<T>(records: &[T]) -> Vec<(RecordId, &T)> {
    records.iter().map(|r| (fresh_id(), r)).collect()
}

/// A new random record id.
pub(crate) fn fresh_id() -> RecordId {
    use rand::RngCore;
    let mut b = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut b);
    RecordId::from_bytes(b)
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
        let key = id.to_be_bytes();
        let plain = self.key.open(
            Place {
                table: table_name,
                key: &key,
            },
            raw.value(),
        );
        self.agent_ok()?;
        plain
            .and_then(|p| serde_json::from_slice(&p).ok())
            .ok_or(Error::RecordDamaged {
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

    /// Opens the sealed value of setting `name`: its plaintext, or `None` when it does not
    /// open (an agent that stopped answering is an error).
    pub(crate) fn open_setting(
        &self,
        name: &str,
        sealed: &[u8],
    ) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let opened = self.key.open(
            Place {
                table: "tend_settings",
                key: name.as_bytes(),
            },
            sealed,
        );
        self.agent_ok()?;
        Ok(opened)
    }

    pub(crate) fn get_setting(
        &self,
        txn: &ReadTransaction,
        name: &str,
    ) -> Result<Option<zeroize::Zeroizing<Vec<u8>>>> {
        let t = txn.open_table(SETTINGS)?;
        let Some(raw) = t.get(name)? else {
            return Ok(None);
        };
        let opened = self.open_setting(name, raw.value())?;
        opened.map(Some).ok_or(Error::RecordDamaged {
            kind: "setting",
            id: 0,
        })
    }

    /// Each kind's next local number.
    pub(crate) fn number_counters(&self, txn: &ReadTransaction) -> Result<layout::Counters> {
        let t = txn.open_table(SETTINGS)?;
        self.counters_from(&t)
    }

    /// Adds a record in one durable transaction; returns its new local number.
    pub fn add<T: Record>(&self, record: &T) -> Result<u64> {
        Ok(self.add_many(std::slice::from_ref(record))?[0])
    }

    /// Adds several records in one durable transaction; returns their numbers in order.
    pub fn add_many<T: Record>(&self, records: &[T]) -> Result<Vec<u64>> {
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        let items: Vec<(RecordId, &T)> = records.iter().map(|r| (fresh_id(), r)).collect();
        let ids = self.add_in(&mut w, &items)?;
        w.finish()?;
        self.commit(txn)?;
        Ok(ids)
    }

    /// Adds reflections, commitments and repairs together in one durable transaction: an
    /// import lands whole or not at all. Each gets a new random record id.
    pub fn import(
        &self,
        reflections: &[Reflection],
        commitments: &[Commitment],
        repairs: &[Repair],
    ) -> Result<()> {
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        self.add_in(&mut w, &fresh(reflections))?;
        self.add_in(&mut w, &fresh(commitments))?;
        self.add_in(&mut w, &fresh(repairs))?;
        w.finish()?;
        self.commit(txn)?;
        Ok(())
    }

    /// Adds each record under the next local number, with the id given and no alias.
    pub(crate) fn add_in<T: Record>(
        &self,
        w: &mut layout::Writer<'_>,
        records: &[(RecordId, &T)],
    ) -> Result<Vec<u64>> {
        let kind = kind_of::<T>();
        let mut numbers = Vec::with_capacity(records.len());
        let mut counters = w.counters()?;
        for (id, r) in records {
            let mut number = counters.next(kind);
            // A segment that does not open is never written over: its records stay for
            // `tend check` to name. New records go to the next segment instead.
            while !w.usable(kind, number)? {
                number = (kind.segment_of(number) + 1) * kind.per_segment();
            }
            counters.set(kind, number + 1);
            self.put_in(w, number, *id, false, *r)?;
            numbers.push(number);
        }
        w.set_counters(counters);
        Ok(numbers)
    }

    /// Writes `record` at `number` with its id and alias flag, and its index entry.
    pub(crate) fn put_in<T: Record>(
        &self,
        w: &mut layout::Writer<'_>,
        number: u64,
        id: RecordId,
        alias: bool,
        record: &T,
    ) -> Result<()> {
        let kind = kind_of::<T>();
        let item = layout::Item {
            id,
            alias,
            bytes: Zeroizing::new(serde_json::to_vec(record).unwrap_or_default()),
            entry: None,
        };
        if let Some(entry) = record.index_entry(number) {
            w.put(
                layout::Kind::Index,
                number,
                layout::index_item(&item, entry),
                T::KIND,
            )?;
        }
        w.put(kind, number, item, T::KIND)
    }

    /// Removes record `number`; whether it was there.
    pub(crate) fn delete_in<T: Record>(
        &self,
        w: &mut layout::Writer<'_>,
        number: u64,
    ) -> Result<bool> {
        let kind = kind_of::<T>();
        let was = w.remove(kind, number, T::KIND)?;
        if was && kind == layout::Kind::Text {
            w.remove(layout::Kind::Index, number, T::KIND)?;
        }
        Ok(was)
    }

    /// Reads one record.
    pub fn get<T: Record>(&self, id: u64) -> Result<T> {
        let kind = kind_of::<T>();
        let txn = self.db.begin_read()?;
        let t = txn.open_table(layout::RECORDS)?;
        let read = layout::read(&self.key, &t, kind, kind.segment_of(id))?;
        self.agent_ok()?;
        let counters = self.number_counters(&txn)?;
        match read {
            layout::Read::Opened(items) => {
                let item = items
                    .get(&id)
                    .ok_or(Error::NotFound { kind: T::KIND, id })?;
                serde_json::from_slice(&item.bytes)
                    .map_err(|_| Error::RecordDamaged { kind: T::KIND, id })
            }
            layout::Read::Damaged if id >= 1 && id < counters.next(kind) => {
                Err(Error::RecordDamaged { kind: T::KIND, id })
            }
            _ => Err(Error::NotFound { kind: T::KIND, id }),
        }
    }

    /// Replaces an existing record (keeping its record id).
    pub fn put<T: Record>(&self, id: u64, record: &T) -> Result<()> {
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        let (rid, alias) = match w.get(kind_of::<T>(), id, T::KIND)? {
            Some(item) => (item.id, item.alias),
            None => return Err(Error::NotFound { kind: T::KIND, id }),
        };
        self.put_in(&mut w, id, rid, alias, record)?;
        w.finish()?;
        self.commit(txn)?;
        Ok(())
    }

    /// Deletes a record for good.
    pub fn delete<T: Record>(&self, id: u64) -> Result<()> {
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        if !self.delete_in::<T>(&mut w, id)? {
            return Err(Error::NotFound { kind: T::KIND, id });
        }
        w.finish()?;
        self.note_deletion(&txn)?;
        self.commit(txn)?;
        Ok(())
    }

    /// How many records of a kind there are (damaged ones included).
    pub fn count<T: Record>(&self) -> Result<u64> {
        let kind = kind_of::<T>();
        let n = if kind == layout::Kind::Text {
            let s = self.entries()?;
            s.records.len() + s.damaged.len()
        } else {
            let s = self.all::<T>()?;
            s.records.len() + s.damaged.len()
        };
        Ok(n as u64)
    }

    /// Every record of a kind, in number order, with the numbers of any damaged ones.
    /// Segments are opened on every core.
    pub fn all<T: Record>(&self) -> Result<Scan<T>> {
        self.scan_kind(kind_of::<T>(), None, |_: &[u8]| true, |_: &T| true)
    }

    /// Every segment of `kind`, read (sealed) in segment order: segment number and bytes.
    pub(crate) fn sealed_segments(
        &self,
        txn: &ReadTransaction,
        kind: layout::Kind,
    ) -> Result<Vec<(u64, Zeroizing<Vec<u8>>)>> {
        let counters = self.number_counters(txn)?;
        let segments: Vec<u64> = counters.segments(kind).collect();
        let keys = layout::keys(&self.key, kind, &segments);
        self.agent_ok()?;
        let t = txn.open_table(layout::RECORDS)?;
        let mut out = Vec::new();
        for (segment, k) in segments.into_iter().zip(keys) {
            if let Some(v) = t.get(k)? {
                out.push((segment, Zeroizing::new(v.value().to_vec())));
            }
        }
        Ok(out)
    }

    /// Every reflection's index item (number, id, alias and entry), with the numbers of
    /// reflections that could not be read. A damaged or missing index segment is read
    /// around, from the reflections themselves.
    pub(crate) fn index_items(&self) -> Result<Scan<layout::Item>> {
        let txn = self.db.begin_read()?;
        let counters = self.number_counters(&txn)?;
        let mut sealed = self.sealed_segments(&txn, layout::Kind::Index)?;
        let opened = self.open_segments(layout::Kind::Index, &mut sealed);
        let mut scan = Scan {
            records: Vec::with_capacity(sealed.len() * SEGMENT as usize),
            damaged: Vec::new(),
        };
        let mut present = std::collections::HashSet::new();
        for ((segment, _), items) in sealed.iter().zip(opened) {
            present.insert(*segment);
            match items {
                Some(items) => scan.records.extend(items),
                None => self.index_around(&txn, *segment, &mut scan)?,
            }
        }
        // An index segment missing while reflections of its numbers remain (cut away, or
        // never written by a damaged write) is read around too.
        let missing: Vec<u64> = counters
            .segments(layout::Kind::Index)
            .filter(|s| !present.contains(s))
            .collect();
        if !missing.is_empty() {
            let per = SEGMENT / layout::Kind::Text.per_segment();
            let texts: Vec<u64> = missing
                .iter()
                .flat_map(|s| s * per..(s + 1) * per)
                .collect();
            let keys = layout::keys(&self.key, layout::Kind::Text, &texts);
            let t = txn.open_table(layout::RECORDS)?;
            let mut holding = std::collections::BTreeSet::new();
            for (text, k) in texts.iter().zip(keys) {
                if t.get(k)?.is_some() {
                    holding.insert(text / per);
                }
            }
            for segment in holding {
                self.index_around(&txn, segment, &mut scan)?;
            }
        }
        scan.records.sort_unstable_by_key(|(n, _)| *n);
        scan.damaged.sort_unstable();
        self.agent_ok()?;
        Ok(scan)
    }

    /// Opens sealed segments of `kind` on every core; each one's items, or `None`.
    pub(crate) fn open_segments(
        &self,
        kind: layout::Kind,
        sealed: &mut [(u64, Zeroizing<Vec<u8>>)],
    ) -> Vec<Option<layout::Items>> {
        let opened = self.open_all(kind, sealed);
        let mut work: Vec<(&SealedSegment, bool)> = sealed.iter().zip(opened).collect();
        on_every_core(&mut work, |((segment, raw), ok)| {
            let plain = plaintext(*ok, raw)?;
            layout::decode(kind, *segment, layout::unpad(plain)?)
        })
    }

    /// Opens sealed segments of `kind` in place: on every core with the key here, a
    /// megabyte a request through an agent. Whether each opened (see [`plaintext`]).
    pub(crate) fn open_all(
        &self,
        kind: layout::Kind,
        sealed: &mut [(u64, Zeroizing<Vec<u8>>)],
    ) -> Vec<bool> {
        if !self.key.is_held() {
            return on_every_core(sealed, |(segment, raw)| {
                let name = kind.place_key(*segment);
                self.key
                    .open_in_place(
                        Place {
                            table: layout::RECORDS_TABLE,
                            key: &name,
                        },
                        raw.as_mut_slice(),
                    )
                    .is_some()
            });
        }
        let mut out = Vec::with_capacity(sealed.len());
        let mut rest = sealed;
        while !rest.is_empty() {
            let mut bytes = 0;
            let take = rest
                .iter()
                .take_while(|(_, raw)| {
                    bytes += raw.len();
                    bytes < (1 << 20)
                })
                .count()
                .max(1);
            let (batch, tail) = std::mem::take(&mut rest).split_at_mut(take);
            let names: Vec<[u8; 9]> = batch.iter().map(|(s, _)| kind.place_key(*s)).collect();
            let mut items: Vec<(&[u8], &mut [u8])> = names
                .iter()
                .zip(batch.iter_mut())
                .map(|(n, (_, raw))| (n.as_slice(), raw.as_mut_slice()))
                .collect();
            out.extend(self.key.open_many(layout::RECORDS_TABLE, &mut items));
            rest = tail;
        }
        out
    }

    /// The index items of index segment `segment`, from the reflections' texts.
    fn index_around(
        &self,
        txn: &ReadTransaction,
        segment: u64,
        scan: &mut Scan<layout::Item>,
    ) -> Result<()> {
        let t = txn.open_table(layout::RECORDS)?;
        let per = SEGMENT / layout::Kind::Text.per_segment();
        for text in segment * per..(segment + 1) * per {
            match layout::read(&self.key, &t, layout::Kind::Text, text)? {
                layout::Read::Absent => {}
                layout::Read::Damaged => scan.damaged.push(layout::Kind::Text.numbers(text).start),
                layout::Read::Opened(items) => {
                    for (n, item) in items {
                        match layout::index_entry(n, &item.bytes) {
                            Some(e) => scan.records.push((n, layout::index_item(&item, e))),
                            None => scan.damaged.push(n),
                        }
                    }
                }
            }
        }
        Ok(())
    }

    /// Every reflection's index entry (unordered), with the numbers of reflections that could
    /// not be read. A damaged index segment is read around, from the reflections themselves.
    pub fn entries(&self) -> Result<Scan<Entry>> {
        // The usual case, fast: every index segment there and whole, decoded on every core
        // without the records' ids.
        if let Some(done) = self.whole_index(layout::index_entries)? {
            let mut records = Vec::with_capacity(done.len() * SEGMENT as usize);
            for entries in done {
                records.extend(entries.into_iter().map(|e| (e.id, e)));
            }
            return Ok(Scan {
                records,
                damaged: Vec::new(),
            });
        }
        let items = self.index_items()?;
        Ok(Scan {
            records: items
                .records
                .into_iter()
                .filter_map(|(n, i)| i.entry.map(|e| (n, e)))
                .collect(),
            damaged: items.damaged,
        })
    }

    /// Every reflection's index entry and the ids of every reflection, read in one pass
    /// (what a list or a search shows, with handles). Same results as [`Journal::entries`]
    /// and [`Journal::ids`].
    pub fn entries_and_ids(&self) -> Result<(Scan<Entry>, crate::IdBook)> {
        if let Some(done) = self.whole_index(layout::index_entries_with_ids)? {
            let mut records = Vec::with_capacity(done.len() * SEGMENT as usize);
            let mut ids = Vec::with_capacity(done.len() * SEGMENT as usize);
            for (entries, segment_ids) in done {
                records.extend(entries.into_iter().map(|e| (e.id, e)));
                ids.extend(segment_ids);
            }
            let scan = Scan {
                records,
                damaged: Vec::new(),
            };
            return Ok((scan, crate::IdBook::new(ids)));
        }
        Ok((self.entries()?, self.ids::<Reflection>()?))
    }

    /// `decode` over every index segment's plaintext, on every core, when every segment is
    /// there, opens and decodes (the usual case); `None` otherwise, for the caller to take
    /// the path that reads around what is missing or damaged.
    pub(crate) fn whole_index<R: Send>(
        &self,
        decode: impl Fn(u64, &[u8]) -> Option<R> + Sync,
    ) -> Result<Option<Vec<R>>> {
        self.whole_segments(layout::Kind::Index, decode)
    }

    /// Every reflection's id, from the ids segments when every one is there and opens
    /// (a journal written before they existed has none until its index segments are written
    /// again), else from the index segments; `None` when neither is whole.
    pub(crate) fn whole_ids(&self) -> Result<Option<Vec<layout::IdItem>>> {
        if let Some(done) = self.whole_segments(layout::Kind::Ids, layout::index_ids)? {
            return Ok(Some(done.into_iter().flatten().collect()));
        }
        Ok(self
            .whole_index(layout::index_ids)?
            .map(|done| done.into_iter().flatten().collect()))
    }

    /// `decode` over every segment of `kind`, on every core, when each is there and opens
    /// and decodes; `None` otherwise.
    pub(crate) fn whole_segments<R: Send>(
        &self,
        kind: layout::Kind,
        decode: impl Fn(u64, &[u8]) -> Option<R> + Sync,
    ) -> Result<Option<Vec<R>>> {
        let txn = self.db.begin_read()?;
        let expected = self.number_counters(&txn)?.segments(kind).count();
        let mut sealed = self.sealed_segments(&txn, kind)?;
        if sealed.len() != expected {
            return Ok(None);
        }
        let opened = self.open_all(kind, &mut sealed);
        let mut work: Vec<(&SealedSegment, bool)> = sealed.iter().zip(opened).collect();
        let decoded = on_every_core(&mut work, |((segment, raw), ok)| {
            decode(*segment, layout::unpad(plaintext(*ok, raw)?)?)
        });
        self.agent_ok()?;
        Ok(decoded.into_iter().collect())
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

/// A segment's number and sealed bytes.
pub(crate) type SealedSegment = (u64, Zeroizing<Vec<u8>>);

/// The plaintext of a sealed value opened in place, if it opened.
pub(crate) fn plaintext(opened: bool, sealed: &[u8]) -> Option<&[u8]> {
    (opened && sealed.len() >= crate::seal::OVERHEAD)
        .then(|| &sealed[crate::seal::PLAINTEXT_START..sealed.len() - 16])
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
