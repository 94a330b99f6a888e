//! Format 2's one table of records: every kind is kept in *segments* of consecutive local
//! numbers, each segment one sealed, padded value under a key no one without the data key
//! can link to its kind or number (see docs/format.md).
//!
//! ```text
//! redb key   = HMAC-SHA256(mac key, len‖"tend/v2/segment-key" ‖ len‖kind‖segment_be ‖ len‖"")[..16]
//! sealed     = seal(place = ("tend_records", kind‖segment_be), padded)
//! padded     = content_len:u32le content zero*  (to the size bucket of 4 + content_len)
//! content    = 0x02 count:varint element*count rest
//! element    = number:varint id:16 flags:u8 len:varint bytes      flags bit 0: a v1 alias
//! rest       = empty, except in an index segment: the entries' encoding (see `segment`)
//! ```

use std::collections::BTreeMap;

use redb::{ReadableTable, TableDefinition, WriteTransaction};
use tend_core::id::RecordId;
use tend_core::reflection::Entry;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::journal::{Journal, SETTINGS};
use crate::seal::{Key, Place};

/// The one table of format 2 records.
pub(crate) const RECORDS: TableDefinition<'_, [u8; 16], &[u8]> =
    TableDefinition::new(RECORDS_TABLE);
/// Its name, as places and the manifest name it.
pub(crate) const RECORDS_TABLE: &str = "tend_records";
/// The MAC "table" under which segment keys are derived (no stored table has this name).
const KEY_DOMAIN: &str = "tend/v2/segment-key";
/// The sealed setting that holds each kind's next local number.
pub(crate) const COUNTERS_SETTING: &str = "next_numbers";
const CONTENT_VERSION: u8 = 0x02;

/// A kind of segment.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub(crate) enum Kind {
    /// Reflections' texts (their JSON).
    Text = 1,
    /// Reflections' index entries.
    Index = 2,
    Commitment = 3,
    Repair = 4,
    Consent = 5,
    /// Reflections' ids alone, one segment beside each index segment (the same numbers):
    /// what a command reads to name records by handle, without opening the index.
    Ids = 6,
    /// The id directory: reflections' ids in 256 buckets by their first byte (segment =
    /// that byte), so that one reflection's handle needs one bucket (see `directory`).
    Directory = 7,
}

impl Kind {
    pub(crate) const ALL: [Kind; 7] = [
        Kind::Text,
        Kind::Index,
        Kind::Commitment,
        Kind::Repair,
        Kind::Consent,
        Kind::Ids,
        Kind::Directory,
    ];

    /// Local numbers per segment.
    pub(crate) fn per_segment(self) -> u64 {
        match self {
            Kind::Index | Kind::Ids | Kind::Directory => super::SEGMENT,
            _ => 64,
        }
    }

    /// The name `tend check` gives it.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Kind::Text => super::REFLECTIONS,
            Kind::Index => super::INDEX,
            Kind::Commitment => super::COMMITMENTS,
            Kind::Repair => super::REPAIRS,
            Kind::Consent => super::CONSENTS,
            Kind::Ids => super::IDS,
            Kind::Directory => super::DIRECTORY,
        }
    }

    pub(crate) fn from_name(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.name() == name)
    }

    /// Which counter numbers it (a reflection's text and index entry share one).
    fn counter(self) -> usize {
        match self {
            Kind::Text | Kind::Index | Kind::Ids | Kind::Directory => 0,
            Kind::Commitment => 1,
            Kind::Repair => 2,
            Kind::Consent => 3,
        }
    }

    /// The bytes that name a segment in its place (and its key's MAC input).
    pub(crate) fn place_key(self, segment: u64) -> [u8; 9] {
        let mut out = [0u8; 9];
        out[0] = self as u8;
        out[1..].copy_from_slice(&segment.to_be_bytes());
        out
    }

    pub(crate) fn segment_of(self, number: u64) -> u64 {
        number / self.per_segment()
    }

    /// The local numbers segment `segment` can hold.
    pub(crate) fn numbers(self, segment: u64) -> std::ops::Range<u64> {
        let per = self.per_segment();
        let start = segment.saturating_mul(per);
        start.max(1)..start.saturating_add(per)
    }
}

/// Each kind's next local number (1 when none was handed out yet).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Counters(pub [u64; 4]);

impl Default for Counters {
    fn default() -> Self {
        Counters([1; 4])
    }
}

impl Counters {
    pub(crate) fn next(&self, kind: Kind) -> u64 {
        self.0[kind.counter()]
    }

    pub(crate) fn set(&mut self, kind: Kind, next: u64) {
        self.0[kind.counter()] = next;
    }

    /// The segments a kind may have: every one up to the last number handed out.
    pub(crate) fn segments(&self, kind: Kind) -> std::ops::Range<u64> {
        match self.next(kind) {
            0 | 1 => 0..0,
            _ if kind == Kind::Directory => 0..super::directory::BUCKETS,
            next => 0..kind.segment_of(next - 1) + 1,
        }
    }

    pub(crate) fn encode(&self) -> [u8; 32] {
        let mut out = [0u8; 32];
        for (i, n) in self.0.iter().enumerate() {
            out[i * 8..i * 8 + 8].copy_from_slice(&n.to_le_bytes());
        }
        out
    }

    pub(crate) fn decode(plain: &[u8]) -> Option<Counters> {
        if plain.len() != 32 {
            return None;
        }
        let mut out = [0u64; 4];
        for (i, n) in out.iter_mut().enumerate() {
            *n = u64::from_le_bytes(plain[i * 8..i * 8 + 8].try_into().ok()?);
        }
        Some(Counters(out))
    }
}

/// One record in a segment.
#[derive(Clone)]
pub(crate) struct Item {
    pub id: RecordId,
    pub alias: bool,
    /// The record's JSON (empty in an index segment).
    pub bytes: Zeroizing<Vec<u8>>,
    /// Its index entry (index segments only).
    pub entry: Option<Entry>,
}

/// A segment's records, by local number.
pub(crate) type Items = BTreeMap<u64, Item>;

/// The size a padded plaintext of `len` bytes takes: a power of two up to 4 KiB (at least
/// 256 bytes), then a multiple of 4 KiB.
pub(crate) fn bucket(len: usize) -> usize {
    if len <= 4096 {
        len.next_power_of_two().max(256)
    } else {
        len.div_ceil(4096) * 4096
    }
}

/// The padded plaintext of a segment's content.
pub(crate) fn pad(content: &[u8]) -> Zeroizing<Vec<u8>> {
    let len = 4 + content.len();
    let mut out = Zeroizing::new(Vec::with_capacity(bucket(len)));
    out.extend_from_slice(&(content.len() as u32).to_le_bytes());
    out.extend_from_slice(content);
    out.resize(bucket(len), 0);
    out
}

/// The content within a padded plaintext; `None` when the length makes no sense.
pub(crate) fn unpad(padded: &[u8]) -> Option<&[u8]> {
    let len = usize::try_from(u32::from_le_bytes(padded.get(..4)?.try_into().ok()?)).ok()?;
    padded.get(4..4usize.checked_add(len)?)
}

/// Encodes a segment's items (in number order) as its content.
pub(crate) fn encode(kind: Kind, items: &Items) -> Zeroizing<Vec<u8>> {
    let mut out = Zeroizing::new(Vec::with_capacity(
        16 + items.values().map(|i| i.bytes.len() + 24).sum::<usize>(),
    ));
    out.push(CONTENT_VERSION);
    varint(&mut out, items.len() as u64);
    for (number, item) in items {
        varint(&mut out, *number);
        out.extend_from_slice(&item.id.to_bytes());
        out.push(u8::from(item.alias));
        varint(&mut out, item.bytes.len() as u64);
        out.extend_from_slice(&item.bytes);
    }
    if kind == Kind::Index {
        let entries: Vec<Entry> = items.values().filter_map(|i| i.entry.clone()).collect();
        out.extend_from_slice(&Zeroizing::new(super::segment::encode(&entries)));
    }
    out
}

/// Decodes a segment's content; `None` for anything malformed (a damaged segment).
pub(crate) fn decode(kind: Kind, segment: u64, content: &[u8]) -> Option<Items> {
    let mut r = content;
    if take(&mut r, 1)? != [CONTENT_VERSION] {
        return None;
    }
    let count = usize::try_from(read_varint(&mut r)?).ok()?;
    if count > r.len() {
        return None;
    }
    let range = kind.numbers(segment);
    // A directory bucket holds the ids that start with its byte; other segments, their
    // numbers.
    let fits = |number: u64, id: RecordId| match kind {
        Kind::Directory => number >= 1 && u64::from(id.to_bytes()[0]) == segment,
        _ => range.contains(&number),
    };
    let mut items = Items::new();
    for _ in 0..count {
        let number = read_varint(&mut r)?;
        let id = RecordId::from_bytes(take(&mut r, 16)?.try_into().ok()?);
        let alias = match take(&mut r, 1)?[0] {
            0 => false,
            1 => true,
            _ => return None,
        };
        let len = usize::try_from(read_varint(&mut r)?).ok()?;
        let bytes = Zeroizing::new(take(&mut r, len)?.to_vec());
        // A record outside the segment's numbers, or twice, is no record of this place.
        if !fits(number, id)
            || items
                .insert(
                    number,
                    Item {
                        id,
                        alias,
                        bytes,
                        entry: None,
                    },
                )
                .is_some()
        {
            return None;
        }
    }
    if kind == Kind::Index {
        let entries = super::segment::decode(r)?;
        if entries.len() != items.len() {
            return None;
        }
        for e in entries {
            let n = e.id;
            items.get_mut(&n)?.entry = Some(e);
        }
    } else if !r.is_empty() {
        return None;
    }
    Some(items)
}

/// The records of a segment's content as (number, bytes), borrowed, for a kind without an
/// index encoding; `None` for anything malformed.
pub(crate) fn elements(kind: Kind, segment: u64, content: &[u8]) -> Option<Vec<(u64, &[u8])>> {
    let mut r = content;
    if take(&mut r, 1)? != [CONTENT_VERSION] || kind == Kind::Index {
        return None;
    }
    let count = usize::try_from(read_varint(&mut r)?).ok()?;
    if count > r.len() {
        return None;
    }
    let range = kind.numbers(segment);
    let mut out: Vec<(u64, &[u8])> = Vec::with_capacity(count);
    for _ in 0..count {
        let number = read_varint(&mut r)?;
        take(&mut r, 16)?;
        if take(&mut r, 1)?[0] > 1 {
            return None;
        }
        let len = usize::try_from(read_varint(&mut r)?).ok()?;
        let bytes = take(&mut r, len)?;
        // In order and within the segment's numbers, as `encode` writes them.
        if !range.contains(&number) || out.last().is_some_and(|(n, _)| *n >= number) {
            return None;
        }
        out.push((number, bytes));
    }
    r.is_empty().then_some(out)
}

/// The index entries of an index segment's content, without its records' ids (what
/// listing needs); `None` for anything malformed.
pub(crate) fn index_entries(segment: u64, content: &[u8]) -> Option<Vec<Entry>> {
    index_entries_with_ids(segment, content).map(|(entries, _)| entries)
}

/// One record's number, id and alias flag, as an index segment holds them.
pub(crate) type IdItem = (u64, tend_core::id::RecordId, bool);

/// The ids an index segment holds (its elements' headers), without decoding the entries.
pub(crate) fn index_ids(segment: u64, content: &[u8]) -> Option<Vec<IdItem>> {
    index_headers(segment, content).map(|(ids, _)| ids)
}

fn index_headers(segment: u64, content: &[u8]) -> Option<(Vec<IdItem>, &[u8])> {
    let mut r = content;
    if take(&mut r, 1)? != [CONTENT_VERSION] {
        return None;
    }
    let count = usize::try_from(read_varint(&mut r)?).ok()?;
    if count > r.len() {
        return None;
    }
    let range = Kind::Index.numbers(segment);
    let mut ids = Vec::with_capacity(count);
    for _ in 0..count {
        let number = read_varint(&mut r)?;
        let head = take(&mut r, 17)?;
        let id: [u8; 16] = head[..16].try_into().ok()?;
        let alias = match head[16] {
            0 => false,
            1 => true,
            _ => return None,
        };
        let len = usize::try_from(read_varint(&mut r)?).ok()?;
        take(&mut r, len)?;
        if !range.contains(&number) {
            return None;
        }
        ids.push((number, tend_core::id::RecordId::from_bytes(id), alias));
    }
    Some((ids, r))
}

/// An index segment's entries and its records' ids, in one pass.
pub(crate) fn index_entries_with_ids(
    segment: u64,
    content: &[u8],
) -> Option<(Vec<Entry>, Vec<IdItem>)> {
    let (ids, rest) = index_headers(segment, content)?;
    let range = Kind::Index.numbers(segment);
    let entries = super::segment::decode(rest)?;
    (entries.len() == ids.len() && entries.iter().all(|e| range.contains(&e.id)))
        .then_some((entries, ids))
}

pub(super) fn take<'a>(r: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if n > r.len() {
        return None;
    }
    let (head, rest) = r.split_at(n);
    *r = rest;
    Some(head)
}

pub(super) fn varint(out: &mut Vec<u8>, mut v: u64) {
    while v >= 0x80 {
        out.push((v as u8) | 0x80);
        v >>= 7;
    }
    out.push(v as u8);
}

pub(super) fn read_varint(r: &mut &[u8]) -> Option<u64> {
    let mut v = 0u64;
    for (i, &b) in r.iter().enumerate().take(10) {
        if i == 9 && b > 1 {
            return None;
        }
        v |= u64::from(b & 0x7f) << (7 * i);
        if b & 0x80 == 0 {
            *r = &r[i + 1..];
            return Some(v);
        }
    }
    None
}

/// The redb keys of `segments` of `kind` under `key` (one request through an agent per
/// 4,096).
pub(crate) fn keys(key: &Key, kind: Kind, segments: &[u64]) -> Vec<[u8; 16]> {
    let mut out = Vec::with_capacity(segments.len());
    for chunk in segments.chunks(4096) {
        let names: Vec<[u8; 9]> = chunk.iter().map(|s| kind.place_key(*s)).collect();
        let items: Vec<(&[u8], &[u8])> = names.iter().map(|n| (n.as_slice(), &[][..])).collect();
        for mac in key.mac_many(KEY_DOMAIN, &items) {
            let mut k = [0u8; 16];
            k.copy_from_slice(&mac[..16]);
            out.push(k);
        }
    }
    out
}

/// The redb key of one segment.
pub(crate) fn key_of(key: &Key, kind: Kind, segment: u64) -> [u8; 16] {
    let name = kind.place_key(segment);
    let mac = key.mac(
        Place {
            table: KEY_DOMAIN,
            key: &name,
        },
        &[],
    );
    let mut k = [0u8; 16];
    k.copy_from_slice(&mac[..16]);
    k
}

/// Seals a segment's content for its place.
pub(crate) fn seal(key: &Key, kind: Kind, segment: u64, content: &[u8]) -> Vec<u8> {
    let name = kind.place_key(segment);
    key.seal(
        Place {
            table: RECORDS_TABLE,
            key: &name,
        },
        &pad(content),
    )
}

/// What reading one segment found.
pub(crate) enum Read {
    /// No segment there (every record it held was deleted, or none was made).
    Absent,
    /// It does not open or decode.
    Damaged,
    Opened(Items),
}

/// Opens a sealed segment.
pub(crate) fn open(key: &Key, kind: Kind, segment: u64, sealed: &[u8]) -> Read {
    let name = kind.place_key(segment);
    let Some(plain) = key.open(
        Place {
            table: RECORDS_TABLE,
            key: &name,
        },
        sealed,
    ) else {
        return Read::Damaged;
    };
    match unpad(&plain).and_then(|c| decode(kind, segment, c)) {
        Some(items) => Read::Opened(items),
        None => Read::Damaged,
    }
}

/// Reads and opens one segment of `t`.
pub(crate) fn read<T: ReadableTable<[u8; 16], &'static [u8]>>(
    key: &Key,
    t: &T,
    kind: Kind,
    segment: u64,
) -> Result<Read> {
    let k = key_of(key, kind, segment);
    let Some(v) = t.get(k)? else {
        return Ok(Read::Absent);
    };
    Ok(open(key, kind, segment, v.value()))
}

/// A segment held while a write transaction changes it.
struct Held {
    items: Items,
    /// It did not open: it must not be written back.
    damaged: bool,
}

/// The segments a write transaction changes, written back (sealed, padded, tracked in the
/// manifest) by [`Writer::finish`].
pub(crate) struct Writer<'a> {
    pub(super) journal: &'a Journal,
    pub(super) txn: &'a WriteTransaction,
    segments: BTreeMap<(Kind, u64), Held>,
    dirty: std::collections::BTreeSet<(Kind, u64)>,
    counters: Option<Counters>,
    /// Each index segment's records (number -> id, alias) as it was read, for the id
    /// directory to follow what changed.
    pub(super) before: BTreeMap<u64, BTreeMap<u64, (RecordId, bool)>>,
    /// An index segment did not open: the id directory and summary are made again whole.
    pub(super) remake_derived: bool,
}

impl<'a> Writer<'a> {
    pub(crate) fn new(journal: &'a Journal, txn: &'a WriteTransaction) -> Self {
        Writer {
            journal,
            txn,
            segments: BTreeMap::new(),
            dirty: Default::default(),
            counters: None,
            before: BTreeMap::new(),
            remake_derived: false,
        }
    }

    pub(crate) fn counters(&mut self) -> Result<Counters> {
        if let Some(c) = self.counters {
            return Ok(c);
        }
        let c = self.journal.counters_in_write(self.txn)?;
        self.counters = Some(c);
        Ok(c)
    }

    pub(crate) fn set_counters(&mut self, c: Counters) {
        self.counters = Some(c);
    }

    fn load(&mut self, kind: Kind, segment: u64) -> Result<&mut Held> {
        if !self.segments.contains_key(&(kind, segment)) {
            let t = self.txn.open_table(RECORDS)?;
            let read = read(&self.journal.key, &t, kind, segment)?;
            if kind == Kind::Index {
                match &read {
                    Read::Opened(items) => {
                        self.before.insert(segment, id_map(items));
                    }
                    Read::Absent => {
                        self.before.insert(segment, BTreeMap::new());
                    }
                    Read::Damaged => self.remake_derived = true,
                }
            }
            let held = match read {
                Read::Absent => Held {
                    items: Items::new(),
                    damaged: false,
                },
                Read::Opened(items) => Held {
                    items,
                    damaged: false,
                },
                Read::Damaged if kind == Kind::Index => Held {
                    // A damaged index segment is rebuilt from the reflections themselves.
                    items: self.rebuild_index(&t, segment)?,
                    damaged: false,
                },
                Read::Damaged => Held {
                    items: Items::new(),
                    damaged: true,
                },
            };
            self.journal.agent_ok()?;
            if kind == Kind::Index {
                self.dirty.insert((kind, segment));
            }
            self.segments.insert((kind, segment), held);
        }
        Ok(self
            .segments
            .get_mut(&(kind, segment))
            .expect("inserted above"))
    }

    pub(super) fn rebuild_index<T: ReadableTable<[u8; 16], &'static [u8]>>(
        &self,
        t: &T,
        segment: u64,
    ) -> Result<Items> {
        let per = Kind::Index.per_segment() / Kind::Text.per_segment();
        let mut out = Items::new();
        for text in segment * per..(segment + 1) * per {
            if let Read::Opened(items) = read(&self.journal.key, t, Kind::Text, text)? {
                for (n, item) in items {
                    if let Some(entry) = index_entry(n, &item.bytes) {
                        out.insert(n, index_item(&item, entry));
                    }
                }
            }
        }
        Ok(out)
    }

    /// The records of segment `segment` of `kind` as this transaction will leave them;
    /// `None` when it did not open.
    pub(super) fn held(&mut self, kind: Kind, segment: u64) -> Result<Option<&mut Items>> {
        let held = self.load(kind, segment)?;
        Ok((!held.damaged).then_some(&mut held.items))
    }

    /// The records of a segment this transaction already holds (read or changed).
    pub(super) fn holding(&self, kind: Kind, segment: u64) -> Option<&Items> {
        self.segments
            .get(&(kind, segment))
            .filter(|h| !h.damaged)
            .map(|h| &h.items)
    }

    /// Sets a whole segment's records, to be written by [`Writer::finish`].
    pub(super) fn replace(&mut self, kind: Kind, segment: u64, items: Items) {
        self.segments.insert(
            (kind, segment),
            Held {
                items,
                damaged: false,
            },
        );
        self.dirty.insert((kind, segment));
    }

    /// Marks a segment held (and changed through [`Writer::held`]) to be written.
    pub(super) fn touch(&mut self, kind: Kind, segment: u64) {
        self.dirty.insert((kind, segment));
    }

    /// The index segments this transaction writes.
    pub(super) fn dirty_index(&self) -> Vec<u64> {
        self.dirty
            .iter()
            .filter(|(kind, segment)| {
                *kind == Kind::Index && self.holding(Kind::Index, *segment).is_some()
            })
            .map(|(_, segment)| *segment)
            .collect()
    }

    /// Whether the segment holding `number` of `kind` opened (or is new).
    pub(crate) fn usable(&mut self, kind: Kind, number: u64) -> Result<bool> {
        Ok(!self.load(kind, kind.segment_of(number))?.damaged)
    }

    /// The record `number` of `kind`: `Ok(None)` when absent; an error when its segment is
    /// damaged.
    pub(crate) fn get(
        &mut self,
        kind: Kind,
        number: u64,
        what: &'static str,
    ) -> Result<Option<&Item>> {
        let held = self.load(kind, kind.segment_of(number))?;
        if held.damaged {
            return Err(Error::RecordDamaged {
                kind: what,
                id: number,
            });
        }
        Ok(held.items.get(&number))
    }

    /// Puts `item` at `number` of `kind`.
    pub(crate) fn put(
        &mut self,
        kind: Kind,
        number: u64,
        item: Item,
        what: &'static str,
    ) -> Result<()> {
        let segment = kind.segment_of(number);
        let held = self.load(kind, segment)?;
        if held.damaged {
            return Err(Error::RecordDamaged {
                kind: what,
                id: number,
            });
        }
        held.items.insert(number, item);
        self.dirty.insert((kind, segment));
        Ok(())
    }

    /// Removes `number` of `kind`; whether it was there.
    pub(crate) fn remove(&mut self, kind: Kind, number: u64, what: &'static str) -> Result<bool> {
        let segment = kind.segment_of(number);
        let held = self.load(kind, segment)?;
        if held.damaged {
            return Err(Error::RecordDamaged {
                kind: what,
                id: number,
            });
        }
        let was = held.items.remove(&number).is_some();
        self.dirty.insert((kind, segment));
        Ok(was)
    }

    /// Writes every changed segment and the counters.
    pub(crate) fn finish(mut self) -> Result<()> {
        // Every index segment written has its ids segment written beside it.
        let index: Vec<u64> = self
            .dirty
            .iter()
            .filter(|(kind, _)| *kind == Kind::Index)
            .map(|(_, segment)| *segment)
            .collect();
        for segment in index {
            let Some(held) = self.segments.get(&(Kind::Index, segment)) else {
                continue;
            };
            if held.damaged {
                continue;
            }
            let items = ids_of(&held.items);
            self.segments.insert(
                (Kind::Ids, segment),
                Held {
                    items,
                    damaged: false,
                },
            );
            self.dirty.insert((Kind::Ids, segment));
        }
        // And the id directory and the index summary follow the index.
        let summary = super::directory::follow_index(&mut self)?;
        let mut marks = BTreeMap::new();
        let mut t = self.txn.open_table(RECORDS)?;
        for (kind, segment) in std::mem::take(&mut self.dirty) {
            let Some(held) = self.segments.get(&(kind, segment)) else {
                continue;
            };
            if held.damaged {
                continue;
            }
            let k = key_of(&self.journal.key, kind, segment);
            // An emptied directory bucket stays, sealed and padded as any: a bucket that
            // went away would tell that a deletion emptied it.
            let (old, new) = if held.items.is_empty() && kind != Kind::Directory {
                (t.remove(k)?.map(|v| v.value().to_vec()), None)
            } else {
                let sealed = seal(&self.journal.key, kind, segment, &encode(kind, &held.items));
                let old = t.insert(k, sealed.as_slice())?.map(|v| v.value().to_vec());
                (old, Some(sealed))
            };
            self.journal
                .track_record(&k, old.as_deref(), new.as_deref());
            if matches!(kind, Kind::Index | Kind::Directory) {
                marks.insert(
                    (kind, segment),
                    new.as_deref().map(super::directory::mark_of),
                );
            }
        }
        drop(t);
        if let Some(summary) = summary {
            super::directory::with_marks(self.journal, self.txn, summary, &marks)?;
        }
        if let Some(c) = self.counters {
            self.journal
                .put_setting(self.txn, COUNTERS_SETTING, &c.encode())?;
        }
        Ok(())
    }
}

/// The index entry of the reflection whose JSON is `bytes`, numbered `number`.
pub(crate) fn index_entry(number: u64, bytes: &[u8]) -> Option<Entry> {
    serde_json::from_slice::<tend_core::reflection::Reflection>(bytes)
        .ok()
        .map(|r| r.entry(number))
}

/// A segment's records as number -> (id, alias).
pub(crate) fn id_map(items: &Items) -> BTreeMap<u64, (RecordId, bool)> {
    items
        .iter()
        .map(|(n, item)| (*n, (item.id, item.alias)))
        .collect()
}

/// The ids segment that goes beside an index segment holding `index`: each record's
/// number, id and alias flag, and nothing else.
pub(crate) fn ids_of(index: &Items) -> Items {
    index
        .iter()
        .map(|(n, item)| {
            (
                *n,
                Item {
                    id: item.id,
                    alias: item.alias,
                    bytes: Zeroizing::new(Vec::new()),
                    entry: None,
                },
            )
        })
        .collect()
}

/// The index segment's item for a reflection's text item and entry.
pub(crate) fn index_item(text: &Item, entry: Entry) -> Item {
    Item {
        id: text.id,
        alias: text.alias,
        bytes: Zeroizing::new(Vec::new()),
        entry: Some(entry),
    }
}

impl Journal {
    /// Each kind's next local number, in a write transaction.
    pub(crate) fn counters_in_write(&self, txn: &WriteTransaction) -> Result<Counters> {
        let t = txn.open_table(SETTINGS)?;
        self.counters_from(&t)
    }

    /// Each kind's next local number.
    pub(crate) fn counters_from<T: ReadableTable<&'static str, &'static [u8]>>(
        &self,
        t: &T,
    ) -> Result<Counters> {
        let Some(raw) = t.get(COUNTERS_SETTING)? else {
            return Ok(Counters::default());
        };
        self.open_setting(COUNTERS_SETTING, raw.value())?
            .and_then(|p| Counters::decode(&p))
            .ok_or(Error::RecordDamaged {
                kind: "number counter",
                id: 0,
            })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn buckets_and_padding() {
        assert_eq!(bucket(1), 256);
        assert_eq!(bucket(257), 512);
        assert_eq!(bucket(4096), 4096);
        assert_eq!(bucket(4097), 8192);
        assert_eq!(bucket(70_000), 73_728);
        let padded = pad(b"hello");
        assert_eq!(padded.len(), 256);
        assert_eq!(unpad(&padded), Some(&b"hello"[..]));
        assert_eq!(unpad(&[9, 0, 0, 0, 1]), None);
    }

    #[test]
    fn content_round_trip_and_refusals() {
        let mut items = Items::new();
        items.insert(
            65,
            Item {
                id: RecordId::from_bytes([3; 16]),
                alias: true,
                bytes: Zeroizing::new(b"{}".to_vec()),
                entry: None,
            },
        );
        let content = encode(Kind::Commitment, &items);
        let back = decode(Kind::Commitment, 1, &content).expect("decodes");
        assert_eq!(back.len(), 1);
        assert!(back[&65].alias);
        // Not a number of segment 0, nor of another kind's layout.
        assert!(decode(Kind::Commitment, 0, &content).is_none());
        assert!(decode(Kind::Commitment, 1, &content[..content.len() - 1]).is_none());
    }
}
