//! Two things derived from the reflections' index and written with it in every write, so
//! that a command naming one reflection, or listing the newest, reads a few segments instead
//! of every one:
//!
//! - The **id directory** (segments of kind 7): every reflection's local number, id and
//!   alias flag, in 256 buckets by the first byte of its id. A handle is at least four
//!   letters (two bytes), so the ids that decide one reflection's handle, or that a typed
//!   handle of two letters or more can name, all share its first byte: one bucket holds
//!   them all.
//! - The **index summary** (the sealed setting `index_summary`): for each index segment,
//!   how many entries it holds, the newest (day, time written) among them and its *seal
//!   mark*; for each bucket, how many ids it holds and its seal mark. A seal mark is the
//!   first 16 bytes of the random nonce the segment was last sealed under: it names one
//!   sealing of one segment, and no one without the key can make a segment that opens
//!   under a mark of their choosing.
//!
//! Listing the newest `n` first checks every index segment's mark against the summary (a
//! key and a lookup each, nothing opened), so an older copy of the summary, or of a
//! segment, is never believed; then it opens index segments newest first and stops once no
//! other segment can hold a newer one. Reading a bucket checks its count and mark.
//!
//! ```text
//! summary  = padded( 0x01 segments:varint
//!                    (segment:varint count:varint day:i32le secs:i64le nanos:u32le mark:16)*
//!                    (bucket_count:varint mark:16)*256 )
//! ```
//!
//! Both are only ever a faster way to an answer the index gives: a reader that finds either
//! missing, not opening, or disagreeing with the file takes the path that reads the whole
//! index, and a write that changes what disagrees makes them again whole.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use redb::{ReadTransaction, ReadableDatabase, ReadableTable};
use tend_core::id::{Handles, Prefix, RecordId, handle_among};
use tend_core::reflection::Entry;
use zeroize::Zeroizing;

use super::layout::{self, Item, Items, Kind, Read, Writer};
use crate::error::Result;
use crate::journal::{Journal, SETTINGS};

/// Buckets in the id directory: one for each value of an id's first byte.
pub(crate) const BUCKETS: u64 = 256;
/// The sealed setting that holds the index summary.
pub(crate) const SUMMARY_SETTING: &str = "index_summary";
const SUMMARY_VERSION: u8 = 0x01;

/// What orders reflections newest first (before their numbers): the day, then the time
/// written.
pub(crate) type Newest = (NaiveDate, DateTime<Utc>);

/// The first 16 bytes of the nonce a sealed value was sealed under (all zero: none).
pub(crate) type Mark = [u8; 16];

/// The seal mark of a sealed value.
pub(crate) fn mark_of(sealed: &[u8]) -> Mark {
    let mut mark = [0u8; 16];
    if let Some(nonce) = sealed.get(1..17) {
        mark.copy_from_slice(nonce);
    }
    mark
}

/// One index segment, as the summary holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentSummary {
    /// Its entries.
    pub count: u64,
    /// The newest of them.
    pub newest: Newest,
    /// Its seal mark.
    pub mark: Mark,
}

/// One bucket of the id directory, as the summary holds it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct BucketSummary {
    /// Its ids.
    pub count: u64,
    /// Its seal mark (zero: no bucket there).
    pub mark: Mark,
}

/// The index summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Every index segment that holds an entry.
    pub segments: BTreeMap<u64, SegmentSummary>,
    /// Each bucket of the directory.
    pub buckets: Vec<BucketSummary>,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            segments: BTreeMap::new(),
            buckets: vec![BucketSummary::default(); BUCKETS as usize],
        }
    }
}

impl Summary {
    /// Encodes it (unpadded).
    pub(crate) fn encode(&self) -> Zeroizing<Vec<u8>> {
        let mut out = Zeroizing::new(Vec::with_capacity(16 + self.segments.len() * 24 + 512));
        out.push(SUMMARY_VERSION);
        layout::varint(&mut out, self.segments.len() as u64);
        for (segment, s) in &self.segments {
            layout::varint(&mut out, *segment);
            layout::varint(&mut out, s.count);
            out.extend_from_slice(&s.newest.0.num_days_from_ce().to_le_bytes());
            out.extend_from_slice(&s.newest.1.timestamp().to_le_bytes());
            out.extend_from_slice(&s.newest.1.timestamp_subsec_nanos().to_le_bytes());
            out.extend_from_slice(&s.mark);
        }
        for b in &self.buckets {
            layout::varint(&mut out, b.count);
            out.extend_from_slice(&b.mark);
        }
        out
    }

    /// Decodes it; `None` for anything malformed.
    pub(crate) fn decode(content: &[u8]) -> Option<Summary> {
        let mut r = content;
        if layout::take(&mut r, 1)? != [SUMMARY_VERSION] {
            return None;
        }
        let count = usize::try_from(layout::read_varint(&mut r)?).ok()?;
        if count > r.len() {
            return None;
        }
        let mut segments = BTreeMap::new();
        for _ in 0..count {
            let segment = layout::read_varint(&mut r)?;
            let entries = layout::read_varint(&mut r)?;
            let day = i32::from_le_bytes(layout::take(&mut r, 4)?.try_into().ok()?);
            let secs = i64::from_le_bytes(layout::take(&mut r, 8)?.try_into().ok()?);
            let nanos = u32::from_le_bytes(layout::take(&mut r, 4)?.try_into().ok()?);
            let mark: Mark = layout::take(&mut r, 16)?.try_into().ok()?;
            let newest = (
                NaiveDate::from_num_days_from_ce_opt(day)?,
                DateTime::from_timestamp(secs, nanos)?,
            );
            let fresh = segments.insert(
                segment,
                SegmentSummary {
                    count: entries,
                    newest,
                    mark,
                },
            );
            if entries == 0 || entries > super::SEGMENT || fresh.is_some() {
                return None;
            }
        }
        let buckets = (0..BUCKETS)
            .map(|_| {
                Some(BucketSummary {
                    count: layout::read_varint(&mut r)?,
                    mark: layout::take(&mut r, 16)?.try_into().ok()?,
                })
            })
            .collect::<Option<Vec<BucketSummary>>>()?;
        r.is_empty().then_some(Summary { segments, buckets })
    }

    /// Whether it can describe a journal with these counters: its segments are among the
    /// index segments there can be.
    fn fits(&self, counters: &layout::Counters) -> bool {
        let range = counters.segments(Kind::Index);
        self.buckets.len() == BUCKETS as usize && self.segments.keys().all(|s| range.contains(s))
    }

    /// How many reflections it counts.
    pub(crate) fn total(&self) -> u64 {
        self.segments.values().map(|s| s.count).sum()
    }
}

/// The bucket an id belongs in.
pub(crate) fn bucket_of(id: RecordId) -> u64 {
    u64::from(id.to_bytes()[0])
}

/// What the summary says of an index segment holding `items`; `None` when it holds none.
pub(crate) fn summary_of(items: &Items) -> Option<SegmentSummary> {
    let newest = items
        .values()
        .filter_map(|i| i.entry.as_ref())
        .map(|e| (e.on, e.written))
        .max()?;
    Some(SegmentSummary {
        count: items.len() as u64,
        newest,
        mark: [0; 16],
    })
}

/// Whether two lines say the same of their segments' entries (their marks aside).
fn same_entries(a: &SegmentSummary, b: &SegmentSummary) -> bool {
    (a.count, a.newest) == (b.count, b.newest)
}

/// The id directory's item for a record (its id and alias flag; no bytes).
fn directory_item(id: RecordId, alias: bool) -> Item {
    Item {
        id,
        alias,
        bytes: Zeroizing::new(Vec::new()),
        entry: None,
    }
}

/// The directory's buckets and the summary of a whole index (segment number, its items).
pub(crate) fn derive<'a>(
    index: impl IntoIterator<Item = (u64, &'a Items)>,
) -> (Vec<Items>, Summary) {
    let mut buckets = vec![Items::new(); BUCKETS as usize];
    let mut summary = Summary::default();
    for (segment, items) in index {
        if let Some(s) = summary_of(items) {
            summary.segments.insert(segment, s);
        }
        for (n, item) in items {
            buckets[bucket_of(item.id) as usize].insert(*n, directory_item(item.id, item.alias));
        }
    }
    for (line, bucket) in summary.buckets.iter_mut().zip(&buckets) {
        line.count = bucket.len() as u64;
    }
    (buckets, summary)
}

/// Whether `read` says what the index entries (number, entry) and the buckets' counts
/// say (seal marks aside: [`Journal::marks_match`] checks those).
pub(crate) fn summary_says<'a>(
    read: &Summary,
    entries: impl IntoIterator<Item = (u64, &'a Entry)>,
    buckets: &[u64],
) -> bool {
    let mut segments: BTreeMap<u64, SegmentSummary> = BTreeMap::new();
    for (n, e) in entries {
        let line = segments
            .entry(Kind::Index.segment_of(n))
            .or_insert(SegmentSummary {
                count: 0,
                newest: (e.on, e.written),
                mark: [0; 16],
            });
        line.count += 1;
        line.newest = line.newest.max((e.on, e.written));
    }
    read.segments.len() == segments.len()
        && read
            .segments
            .iter()
            .zip(&segments)
            .all(|((s, a), (t, b))| s == t && same_entries(a, b))
        && read
            .buckets
            .iter()
            .map(|b| b.count)
            .eq(buckets.iter().copied())
}

/// The padded plaintext the summary is sealed as.
pub(crate) fn sealed_form(summary: &Summary) -> Zeroizing<Vec<u8>> {
    layout::pad(&summary.encode())
}

/// The summary in a settings table, when it is the one the manifest names (`manifest`:
/// the summary mark of the manifest, `None` to take it as it is, for `tend check`); `None`
/// when it is not there, is another, or does not open and decode.
fn summary_in<T: ReadableTable<&'static str, &'static [u8]>>(
    journal: &Journal,
    t: &T,
    manifest: Option<Mark>,
) -> Result<Option<Summary>> {
    let Some(raw) = t.get(SUMMARY_SETTING)? else {
        return Ok(None);
    };
    if manifest.is_some_and(|m| m != mark_of(raw.value())) {
        return Ok(None);
    }
    Ok(journal
        .open_setting(SUMMARY_SETTING, raw.value())?
        .and_then(|p| layout::unpad(&p).and_then(Summary::decode)))
}

/// Brings the directory and the summary in step with the index segments `w` writes: the
/// buckets of the ids that came, went or changed, and those segments' lines of the summary.
/// Anything missing or disagreeing makes both again from the whole index. Returns the
/// summary to write once the segments are sealed ([`with_marks`]); `None` when no index
/// segment changes.
pub(crate) fn follow_index(w: &mut Writer<'_>) -> Result<Option<Summary>> {
    let index = w.dirty_index();
    if index.is_empty() {
        return Ok(None);
    }
    let counters = w.counters()?;
    // The summary is carried on only when it is the one the manifest names: an older copy
    // put back from an older file is made again, not carried on.
    let summary = if w.remake_derived {
        None
    } else {
        match w.journal.read_manifest_in(w.txn)?.flatten() {
            Some(m) => summary_in(w.journal, &w.txn.open_table(SETTINGS)?, Some(m.summary))?,
            None => None,
        }
    };
    let Some(mut summary) = summary.filter(|s| s.fits(&counters)) else {
        return remake(w).map(Some);
    };

    let mut checked = std::collections::BTreeSet::new();
    for segment in index {
        let Some(before) = w.before.get(&segment).cloned() else {
            return remake(w).map(Some);
        };
        let Some(now) = w.holding(Kind::Index, segment) else {
            return remake(w).map(Some);
        };
        let after = layout::id_map(now);
        let line = summary_of(now);
        let gone = before
            .iter()
            .filter(|(n, was)| after.get(n) != Some(was))
            .map(|(n, (id, _))| (*n, *id, None));
        let came = after
            .iter()
            .filter(|(n, is)| before.get(n) != Some(is))
            .map(|(n, (id, alias))| (*n, *id, Some(*alias)));
        let changes: Vec<(u64, RecordId, Option<bool>)> = gone.chain(came).collect();
        for (n, id, alias) in changes {
            let b = bucket_of(id);
            let Some(items) = w.held(Kind::Directory, b)? else {
                return remake(w).map(Some);
            };
            // A bucket is checked against the summary before this write first changes it.
            if checked.insert(b) && items.len() as u64 != summary.buckets[b as usize].count {
                return remake(w).map(Some);
            }
            match alias {
                None => {
                    if items.remove(&n).map(|i| i.id) != Some(id) {
                        return remake(w).map(Some);
                    }
                }
                Some(alias) => {
                    items.insert(n, directory_item(id, alias));
                }
            }
            summary.buckets[b as usize].count = items.len() as u64;
            w.touch(Kind::Directory, b);
        }
        match line {
            Some(line) => summary.segments.insert(segment, line),
            None => summary.segments.remove(&segment),
        };
    }
    Ok(Some(summary))
}

/// Gives `summary` the seal marks of the index segments and buckets just written (`None`:
/// removed) and writes it.
pub(crate) fn with_marks(
    journal: &Journal,
    txn: &redb::WriteTransaction,
    summary: Summary,
    marks: &BTreeMap<(Kind, u64), Option<Mark>>,
) -> Result<()> {
    let summary = with_new_marks(summary, marks);
    journal.put_setting(txn, SUMMARY_SETTING, &sealed_form(&summary))
}

/// `summary` with the seal marks of the index segments and buckets sealed anew (`None`:
/// removed).
pub(crate) fn with_new_marks(
    mut summary: Summary,
    marks: &BTreeMap<(Kind, u64), Option<Mark>>,
) -> Summary {
    for ((kind, segment), mark) in marks {
        match kind {
            Kind::Index => {
                if let (Some(line), Some(mark)) = (summary.segments.get_mut(segment), mark) {
                    line.mark = *mark;
                }
            }
            Kind::Directory => {
                if let Some(line) = summary.buckets.get_mut(*segment as usize) {
                    line.mark = mark.unwrap_or([0; 16]);
                }
            }
            _ => {}
        }
    }
    summary
}

/// Makes the directory and the summary from the whole index, as this write leaves it.
fn remake(w: &mut Writer<'_>) -> Result<Summary> {
    let counters = w.counters()?;
    let mut index: Vec<(u64, Items)> = Vec::new();
    let mut marks: BTreeMap<u64, Mark> = BTreeMap::new();
    let there: Vec<bool>;
    {
        let txn = w.txn;
        let t = txn.open_table(layout::RECORDS)?;
        let keys = layout::keys(
            &w.journal.key,
            Kind::Directory,
            &(0..BUCKETS).collect::<Vec<_>>(),
        );
        there = keys
            .iter()
            .map(|k| Ok(t.get(*k)?.is_some()))
            .collect::<Result<_>>()?;
        for segment in counters.segments(Kind::Index) {
            let items = match w.holding(Kind::Index, segment) {
                // Written by this transaction: its mark comes when it is sealed.
                Some(items) => items.clone(),
                None => {
                    let k = layout::key_of(&w.journal.key, Kind::Index, segment);
                    let Some(sealed) = t.get(k)? else {
                        continue;
                    };
                    let sealed = sealed.value();
                    match layout::open(&w.journal.key, Kind::Index, segment, sealed) {
                        Read::Opened(items) => {
                            marks.insert(segment, mark_of(sealed));
                            items
                        }
                        // Not written back here: it stays read around, as it is elsewhere.
                        _ => w.rebuild_index(&t, segment)?,
                    }
                }
            };
            index.push((segment, items));
        }
    }
    w.journal.agent_ok()?;
    let (buckets, mut summary) = derive(index.iter().map(|(s, items)| (*s, items)));
    for (segment, mark) in marks {
        if let Some(line) = summary.segments.get_mut(&segment) {
            line.mark = mark;
        }
    }
    for (b, items) in buckets.into_iter().enumerate() {
        // An empty bucket is written only over one there (buckets are never removed).
        if !items.is_empty() || there[b] {
            w.replace(Kind::Directory, b as u64, items);
        }
    }
    w.remake_derived = false;
    Ok(summary)
}

/// The most [`Journal::newest_entries`] reads through the summary.
const NEWEST_AT_MOST: usize = 4 * super::SEGMENT as usize;

/// The newest reflections, as [`Journal::newest_entries`] finds them.
#[derive(Debug, Clone)]
pub struct NewestEntries {
    /// The newest entries, newest first.
    pub entries: Vec<Entry>,
    /// How many reflections the journal holds.
    pub total: u64,
    /// The ids and handles of these entries only (handles worked out among every
    /// reflection).
    pub book: crate::IdBook,
}

/// A read of the summary and of directory buckets, checked against each other.
struct Derived {
    summary: Summary,
    records: redb::ReadOnlyTable<[u8; 16], &'static [u8]>,
    buckets: HashMap<u64, Option<Items>>,
}

impl Journal {
    /// The index summary as the file holds it: `None` when no write has made it yet,
    /// `Some(None)` when it does not open or decode.
    pub(crate) fn index_summary(&self, txn: &ReadTransaction) -> Result<Option<Option<Summary>>> {
        let t = txn.open_table(SETTINGS)?;
        if t.get(SUMMARY_SETTING)?.is_none() {
            return Ok(None);
        }
        Ok(Some(summary_in(self, &t, None)?))
    }

    /// The summary and the records table, when the summary is there, opens and fits.
    fn derived(&self, txn: &ReadTransaction) -> Result<Option<Derived>> {
        let Some(manifest) = self.read_manifest(txn)?.flatten() else {
            return Ok(None);
        };
        let Some(summary) = summary_in(self, &txn.open_table(SETTINGS)?, Some(manifest.summary))?
        else {
            return Ok(None);
        };
        if !summary.fits(&self.number_counters(txn)?) {
            return Ok(None);
        }
        Ok(Some(Derived {
            summary,
            records: txn.open_table(layout::RECORDS)?,
            buckets: HashMap::new(),
        }))
    }

    /// Whether every index segment there is the sealing the summary names (and no other is
    /// there), or with `buckets` every directory bucket too: a key and a lookup each,
    /// nothing opened.
    pub(crate) fn marks_match(
        &self,
        txn: &ReadTransaction,
        summary: &Summary,
        buckets: bool,
    ) -> Result<bool> {
        let t = txn.open_table(layout::RECORDS)?;
        let counters = self.number_counters(txn)?;
        self.marks_match_in(&t, &counters, summary, buckets)
    }

    /// [`Journal::marks_match`] in table `t`, with these counters.
    pub(crate) fn marks_match_in<T: ReadableTable<[u8; 16], &'static [u8]>>(
        &self,
        t: &T,
        counters: &layout::Counters,
        summary: &Summary,
        buckets: bool,
    ) -> Result<bool> {
        let segments: Vec<u64> = counters.segments(Kind::Index).collect();
        let keys = layout::keys(&self.key, Kind::Index, &segments);
        self.agent_ok()?;
        for (segment, k) in segments.iter().zip(keys) {
            let there = t.get(k)?.map(|v| mark_of(v.value()));
            if there != summary.segments.get(segment).map(|l| l.mark) {
                return Ok(false);
            }
        }
        if buckets {
            let all: Vec<u64> = (0..BUCKETS).collect();
            let keys = layout::keys(&self.key, Kind::Directory, &all);
            self.agent_ok()?;
            for (line, k) in summary.buckets.iter().zip(keys) {
                let there = t.get(k)?.map(|v| mark_of(v.value()));
                if there.unwrap_or([0; 16]) != line.mark || (there.is_none() && line.count > 0) {
                    return Ok(false);
                }
            }
        }
        Ok(true)
    }

    /// Bucket `b`, when it is the sealing the summary names and holds as many ids as it
    /// says.
    fn bucket<'d>(&self, d: &'d mut Derived, b: u64) -> Result<Option<&'d Items>> {
        if !d.buckets.contains_key(&b) {
            let expected = d.summary.buckets[b as usize];
            let k = layout::key_of(&self.key, Kind::Directory, b);
            let items = match d.records.get(k)? {
                None if expected == BucketSummary::default() => Some(Items::new()),
                Some(sealed) if mark_of(sealed.value()) == expected.mark => {
                    match layout::open(&self.key, Kind::Directory, b, sealed.value()) {
                        Read::Opened(items) if items.len() as u64 == expected.count => Some(items),
                        _ => None,
                    }
                }
                _ => None,
            };
            d.buckets.insert(b, items);
        }
        Ok(d.buckets.get(&b).and_then(Option::as_ref))
    }

    /// The handle of reflection `number` with `id` from its bucket; `None` when the bucket
    /// cannot tell.
    fn handle_in(&self, d: &mut Derived, number: u64, id: RecordId) -> Result<Option<String>> {
        let Some(bucket) = self.bucket(d, bucket_of(id))? else {
            return Ok(None);
        };
        if bucket.get(&number).map(|i| i.id) != Some(id) {
            return Ok(None);
        }
        Ok(Some(handle_among(id, bucket.values().map(|i| i.id))))
    }

    /// Reflection `number`'s handle and id from its ids segment and one bucket; `None`
    /// when they cannot tell (the caller reads every id instead).
    pub(crate) fn quick_handle(&self, number: u64) -> Result<Option<(String, RecordId)>> {
        let txn = self.db.begin_read()?;
        let Some(mut d) = self.derived(&txn)? else {
            return Ok(None);
        };
        let id = match layout::read(
            &self.key,
            &d.records,
            Kind::Ids,
            Kind::Ids.segment_of(number),
        )? {
            Read::Opened(items) => items.get(&number).map(|i| i.id),
            _ => None,
        };
        let Some(id) = id else {
            return Ok(None);
        };
        let handle = self.handle_in(&mut d, number, id)?;
        self.agent_ok()?;
        Ok(handle.map(|h| (h, id)))
    }

    /// What a typed handle of two letters or more names among reflections, from one bucket:
    /// the reflection's number, or why there is none; `None` when the directory cannot
    /// tell.
    pub(crate) fn quick_resolve(&self, prefix: &Prefix) -> Result<Option<Result<u64>>> {
        let Some(b) = prefix.first_byte() else {
            return Ok(None);
        };
        let txn = self.db.begin_read()?;
        let Some(mut d) = self.derived(&txn)? else {
            return Ok(None);
        };
        let Some(bucket) = self.bucket(&mut d, u64::from(b))? else {
            return Ok(None);
        };
        let by_id: HashMap<RecordId, u64> = bucket.iter().map(|(n, i)| (i.id, *n)).collect();
        let handles = Handles::new(by_id.keys().copied());
        self.agent_ok()?;
        Ok(Some(
            crate::ids::pick(
                <tend_core::reflection::Reflection as super::Record>::KIND,
                prefix,
                &handles,
            )
            .map(|id| by_id[&id]),
        ))
    }

    /// The newest `n` reflections (by day, then time written), with how many there are in
    /// all and their handles, read from the few index segments that can hold them and the
    /// buckets of their ids. `None` when the summary or a bucket is missing, damaged or
    /// disagrees with the index, or `n` is 0 or over 1,024: then read every entry instead.
    pub fn newest_entries(&self, n: usize) -> Result<Option<NewestEntries>> {
        // Many more than a screenful are read as every entry is: in one pass.
        if n == 0 || n > NEWEST_AT_MOST {
            return Ok(None);
        }
        let txn = self.db.begin_read()?;
        let Some(mut d) = self.derived(&txn)? else {
            return Ok(None);
        };
        let mut order: Vec<(u64, SegmentSummary)> =
            d.summary.segments.iter().map(|(s, l)| (*s, *l)).collect();
        order.sort_by(|a, b| b.1.newest.cmp(&a.1.newest).then(a.0.cmp(&b.0)));
        let key = |e: &(Entry, RecordId, bool)| std::cmp::Reverse((e.0.on, e.0.written, e.0.id));
        let mut found: Vec<(Entry, RecordId, bool)> = Vec::new();
        for (segment, line) in order {
            if found.len() >= n
                && found
                    .last()
                    .is_some_and(|e| line.newest < (e.0.on, e.0.written))
            {
                break;
            }
            // Each segment read must be the sealing its line names.
            let k = layout::key_of(&self.key, Kind::Index, segment);
            let Some(sealed) = d.records.get(k)? else {
                return Ok(None);
            };
            if mark_of(sealed.value()) != line.mark {
                return Ok(None);
            }
            let Read::Opened(items) = layout::open(&self.key, Kind::Index, segment, sealed.value())
            else {
                return Ok(None);
            };
            if !summary_of(&items).is_some_and(|read| same_entries(&read, &line)) {
                return Ok(None);
            }
            for (_, item) in items {
                let Some(entry) = item.entry else {
                    return Ok(None);
                };
                found.push((entry, item.id, item.alias));
            }
            found.sort_by_key(key);
            found.truncate(n);
        }
        let mut named = Vec::with_capacity(found.len());
        for (entry, id, alias) in &found {
            let Some(handle) = self.handle_in(&mut d, entry.id, *id)? else {
                return Ok(None);
            };
            named.push((entry.id, *id, *alias, handle));
        }
        self.agent_ok()?;
        Ok(Some(NewestEntries {
            total: d.summary.total(),
            book: crate::IdBook::known(named),
            entries: found.into_iter().map(|(e, _, _)| e).collect(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::Duration;
    use proptest::prelude::*;
    use tend_core::id::IdQuery;
    use tend_core::reflection::{Reflection, newest};

    /// What `tend list -n n` shows, the slow way: every entry, every id.
    fn every_entry(j: &Journal, n: usize) -> (Vec<(Entry, String)>, u64) {
        let (scan, book) = j.entries_and_ids().expect("reads");
        let total = scan.records.len() as u64;
        let shown = newest(scan.records.into_iter().map(|(_, e)| e).collect(), n);
        let named = shown
            .into_iter()
            .map(|e| {
                let h = book.handle(e.id).expect("a handle");
                (e, h)
            })
            .collect();
        (named, total)
    }

    fn through_summary(j: &Journal, n: usize) -> Option<(Vec<(Entry, String)>, u64)> {
        let found = j.newest_entries(n).expect("reads")?;
        let named = found
            .entries
            .into_iter()
            .map(|e| {
                let h = found.book.handle(e.id).expect("a handle");
                (e, h)
            })
            .collect();
        Some((named, found.total))
    }

    /// Every fast answer the directory and summary give is the slow answer.
    fn agrees(j: &mut Journal, untouched: bool) {
        for n in [1, 3, 20, 300] {
            let slow = every_entry(j, n);
            match through_summary(j, n) {
                Some(fast) => assert_eq!(fast, slow, "newest {n}"),
                // A journal no reflection was ever written to has no summary yet.
                None => assert_eq!(slow.1, 0, "the summary answers"),
            }
        }
        let book = j.ids::<Reflection>().expect("ids");
        for (number, id) in book.iter() {
            let quick = j.quick_handle(number).expect("reads");
            assert_eq!(quick, Some((book.handle(number).expect("handle"), id)));
            for len in [2, 3, 4, 5] {
                let prefix = tend_core::id::Prefix::parse(&id.prefix(len)).expect("letters");
                let slow = book.handles.resolve(&prefix);
                let fast = j.quick_resolve(&prefix).expect("reads").expect("answers");
                match slow {
                    tend_core::id::Resolved::One(one) => {
                        assert_eq!(fast.expect("one"), book.number(one).expect("numbered"))
                    }
                    _ => assert!(fast.is_err(), "{prefix} is ambiguous"),
                }
            }
        }
        let report = j.check().expect("checks");
        if untouched {
            assert!(report.is_ok(), "{report:?}");
        } else {
            // Changed behind tend's back: only the manifest may disagree.
            assert!(report.damaged.is_empty(), "{report:?}");
            assert!(report.index_mismatches.is_empty(), "{report:?}");
        }
    }

    fn reflection(i: usize, day: i64) -> Reflection {
        let on = NaiveDate::from_ymd_opt(2020, 1, 1).expect("a date") + Duration::days(day);
        Reflection::new(format!("reflection {i}"), on, Utc::now())
    }

    #[derive(Debug, Clone)]
    enum Step {
        /// Adds this many reflections, on days going back from `day` (a backdated batch
        /// when `day` is small).
        Add(usize, i64),
        /// Deletes the reflection at this place in number order.
        Delete(usize),
        /// Puts a changed copy of one (a new day) by its id, and one from elsewhere.
        Apply(usize, i64),
    }

    fn step() -> impl Strategy<Value = Step> {
        prop_oneof![
            (1usize..300, 0i64..4000).prop_map(|(n, d)| Step::Add(n, d)),
            (0usize..1000).prop_map(Step::Delete),
            (0usize..1000, 0i64..4000).prop_map(|(i, d)| Step::Apply(i, d)),
        ]
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 8, ..ProptestConfig::default() })]

        #[test]
        fn the_directory_and_summary_answer_what_the_whole_index_does(
            steps in proptest::collection::vec(step(), 1..6)
        ) {
            let dir = tempfile::tempdir().expect("temp dir");
            let mut j = crate::sync_support::tests::journal(dir.path(), "j.tend");
            let mut made = 0;
            for s in steps {
                match s {
                    Step::Add(n, day) => {
                        let rs: Vec<Reflection> =
                            (0..n).map(|i| reflection(made + i, day - (i as i64 % 50))).collect();
                        made += n;
                        j.add_many(&rs).expect("added");
                    }
                    Step::Delete(at) => {
                        let book = j.ids::<Reflection>().expect("ids");
                        if let Some((n, _)) = book.iter().nth(at % book.len().max(1)) {
                            j.delete::<Reflection>(n).expect("deleted");
                        }
                    }
                    Step::Apply(at, day) => {
                        let book = j.ids::<Reflection>().expect("ids");
                        let mut puts = vec![(crate::records::fresh_id(), reflection(made, day))];
                        made += 1;
                        if let Some((_, id)) = book.iter().nth(at % book.len().max(1)) {
                            puts.push((id, reflection(made, day)));
                            made += 1;
                        }
                        j.apply_by_id(&puts, &[]).expect("applied");
                    }
                }
                agrees(&mut j, true);
            }
        }
    }

    /// A new journal holding `n` reflections, one a day: it and their numbers.
    fn with_reflections(dir: &std::path::Path, n: usize) -> (Journal, Vec<u64>) {
        let j = crate::sync_support::tests::journal(dir, "j.tend");
        let rs: Vec<Reflection> = (0..n).map(|i| reflection(i, i as i64)).collect();
        let numbers = j.add_many(&rs).expect("added");
        (j, numbers)
    }

    /// Removes the summary, as a journal written before it existed has none.
    fn forget_summary(j: &Journal) {
        let txn = j.db.begin_write().expect("writes");
        txn.open_table(SETTINGS)
            .expect("settings")
            .remove(SUMMARY_SETTING)
            .expect("removed");
        txn.commit().expect("committed");
    }

    #[test]
    fn a_journal_without_them_is_read_the_slow_way_and_the_next_write_makes_them() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut j, _) = with_reflections(dir.path(), 600);
        forget_summary(&j);
        assert!(j.newest_entries(20).expect("reads").is_none());
        let book = j.ids::<Reflection>().expect("ids");
        let (first, id) = book.iter().next().expect("one");
        assert!(j.quick_handle(first).expect("reads").is_none());
        // The slow path still names it.
        assert_eq!(
            j.handle_of::<Reflection>(first).expect("reads"),
            Some((book.handle(first).expect("a handle"), id))
        );
        j.add(&reflection(600, 1)).expect("added");
        agrees(&mut j, false);
    }

    /// Puts an older copy of a redb value back, as someone holding an old copy of the file
    /// could.
    fn put_back(j: &Journal, key: [u8; 16], value: &[u8]) {
        let txn = j.db.begin_write().expect("writes");
        txn.open_table(layout::RECORDS)
            .expect("records")
            .insert(key, value)
            .expect("put back");
        txn.commit().expect("committed");
    }

    fn raw(j: &Journal, key: [u8; 16]) -> Vec<u8> {
        let txn = j.db.begin_read().expect("reads");
        let t = txn.open_table(layout::RECORDS).expect("records");
        t.get(key).expect("reads").expect("there").value().to_vec()
    }

    #[test]
    fn an_old_or_flipped_bucket_is_never_believed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let mut j = crate::sync_support::tests::journal(dir.path(), "j.tend");
        let first = j.add(&reflection(0, 1)).expect("added");
        let id = j
            .ids::<Reflection>()
            .expect("ids")
            .id(first)
            .expect("an id");
        let key = layout::key_of(&j.key, Kind::Directory, bucket_of(id));
        let old = raw(&j, key);
        // A second reflection in the same bucket, then the bucket rolled back.
        let mut second = None;
        for i in 1..2000 {
            let n = j.add(&reflection(i, 2)).expect("added");
            let other = j.ids::<Reflection>().expect("ids").id(n).expect("an id");
            if bucket_of(other) == bucket_of(id) {
                second = Some(n);
                break;
            }
        }
        let second = second.expect("some id shares the first byte in 2,000");
        put_back(&j, key, &old);
        assert!(
            j.quick_handle(second).expect("reads").is_none(),
            "not in the old bucket"
        );
        assert!(
            j.newest_entries(3).expect("reads").is_none(),
            "counts disagree"
        );
        let report = j.check().expect("checks");
        assert!(
            report
                .damaged
                .iter()
                .any(|d| d.table == crate::records::DIRECTORY),
            "{report:?}"
        );
        // Every answer is still the whole index's.
        let book = j.ids::<Reflection>().expect("ids");
        assert_eq!(
            j.handle_of::<Reflection>(second)
                .expect("reads")
                .map(|(h, _)| h),
            book.handle(second)
        );
        let typed = IdQuery::parse(&book.handle(second).expect("a handle")).expect("a query");
        assert_eq!(j.resolve::<Reflection>(&typed).expect("found"), second);
        // A flipped bucket does not open: the same.
        let mut flipped = raw(&j, key);
        let last = flipped.len() - 1;
        flipped[last] ^= 1;
        put_back(&j, key, &flipped);
        assert!(j.quick_handle(second).expect("reads").is_none());
        // The next write that touches the bucket makes both again.
        j.delete::<Reflection>(first).expect("deleted");
        agrees(&mut j, false);
    }

    #[test]
    fn a_rotated_or_compacted_journal_keeps_them_in_step() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut j, numbers) = with_reflections(dir.path(), 400);
        j.rotate(Utc::now(), &mut |_, _| {}).expect("rotated");
        agrees(&mut j, true);
        j.delete::<Reflection>(numbers[7]).expect("deleted");
        j.compact(&mut |_, _| {}).expect("compacted");
        agrees(&mut j, true);
    }

    fn raw_setting(j: &Journal) -> Vec<u8> {
        let txn = j.db.begin_read().expect("reads");
        let t = txn.open_table(SETTINGS).expect("settings");
        t.get(SUMMARY_SETTING)
            .expect("reads")
            .expect("there")
            .value()
            .to_vec()
    }

    #[test]
    fn an_older_summary_is_never_believed() {
        let dir = tempfile::tempdir().expect("temp dir");
        let (mut j, _) = with_reflections(dir.path(), 300);
        let older = raw_setting(&j);
        // The newest reflection now lies in a segment the older summary says is older.
        let newest = j.add(&reflection(300, 5000)).expect("added");
        assert_eq!(
            j.newest_entries(1)
                .expect("reads")
                .expect("answers")
                .entries[0]
                .id,
            newest
        );
        let txn = j.db.begin_write().expect("writes");
        txn.open_table(SETTINGS)
            .expect("settings")
            .insert(SUMMARY_SETTING, older.as_slice())
            .expect("put back");
        txn.commit().expect("committed");
        assert!(j.newest_entries(1).expect("reads").is_none());
        let report = j.check().expect("checks");
        assert!(
            report.damaged.iter().any(|d| d.table == SUMMARY_SETTING),
            "{report:?}"
        );
        // A write to the index writes the summary again, in step.
        j.add(&reflection(301, 1)).expect("added");
        agrees(&mut j, false);
    }

    proptest! {
        #[test]
        fn any_bytes_decode_to_a_summary_or_nothing_without_panic(
            bytes in proptest::collection::vec(any::<u8>(), 0..6000)
        ) {
            if let Some(summary) = Summary::decode(&bytes) {
                prop_assert_eq!(Summary::decode(&summary.encode()), Some(summary));
            }
        }
    }

    #[test]
    fn the_summary_round_trips_and_refuses_what_is_malformed() {
        let mut s = Summary::default();
        let on = NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
        let at = DateTime::from_timestamp(1_800_000_000, 123).expect("a time");
        s.segments.insert(
            3,
            SegmentSummary {
                count: 17,
                newest: (on, at),
                mark: [7; 16],
            },
        );
        s.buckets[200] = BucketSummary {
            count: 17,
            mark: [9; 16],
        };
        let content = s.encode();
        assert_eq!(Summary::decode(&content), Some(s.clone()));
        let padded = sealed_form(&s);
        assert_eq!(layout::unpad(&padded).and_then(Summary::decode), Some(s));
        for cut in 0..content.len() {
            assert!(Summary::decode(&content[..cut]).is_none(), "cut at {cut}");
        }
        let mut longer = content.to_vec();
        longer.push(0);
        assert!(Summary::decode(&longer).is_none());
    }
}
