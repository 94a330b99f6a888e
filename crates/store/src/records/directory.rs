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
//!   how many entries it holds and the newest (day, time written) among them; for each
//!   bucket, how many ids it holds. Listing the newest `n` opens index segments newest
//!   first and stops once no other segment can hold a newer one; reading a bucket checks
//!   its count against the summary.
//!
//! ```text
//! summary  = padded( 0x01 segments:varint (segment:varint count:varint day:i32le
//!                    secs:i64le nanos:u32le)*segments  bucket_count:varint*256 )
//! ```
//!
//! Both are only ever a faster way to an answer the index gives: a reader that finds either
//! missing, not opening, or disagreeing with what it reads takes the path that reads the
//! whole index, and the next write makes them again whole.

use std::collections::{BTreeMap, HashMap};

use chrono::{DateTime, Datelike, NaiveDate, Utc};
use redb::{ReadTransaction, ReadableDatabase, ReadableTable};
use tend_core::id::{Handles, Prefix, RecordId, handle_among};
use tend_core::reflection::Entry;
use zeroize::Zeroizing;

use super::layout::{self, Item, Items, Kind, Read, Writer};
use crate::error::Result;
use crate::journal::{Journal, SETTINGS};
use crate::seal::Place;

/// Buckets in the id directory: one for each value of an id's first byte.
pub(crate) const BUCKETS: u64 = 256;
/// The sealed setting that holds the index summary.
pub(crate) const SUMMARY_SETTING: &str = "index_summary";
const SUMMARY_VERSION: u8 = 0x01;

/// What orders reflections newest first (before their numbers): the day, then the time
/// written.
pub(crate) type Newest = (NaiveDate, DateTime<Utc>);

/// One index segment, as the summary holds it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct SegmentSummary {
    /// Its entries.
    pub count: u64,
    /// The newest of them.
    pub newest: Newest,
}

/// The index summary.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Summary {
    /// Every index segment that holds an entry.
    pub segments: BTreeMap<u64, SegmentSummary>,
    /// How many ids each bucket of the directory holds.
    pub buckets: Vec<u64>,
}

impl Default for Summary {
    fn default() -> Self {
        Summary {
            segments: BTreeMap::new(),
            buckets: vec![0; BUCKETS as usize],
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
        }
        for count in &self.buckets {
            layout::varint(&mut out, *count);
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
            let newest = (
                NaiveDate::from_num_days_from_ce_opt(day)?,
                DateTime::from_timestamp(secs, nanos)?,
            );
            let fresh = segments.insert(
                segment,
                SegmentSummary {
                    count: entries,
                    newest,
                },
            );
            if entries == 0 || entries > super::SEGMENT || fresh.is_some() {
                return None;
            }
        }
        let buckets = (0..BUCKETS)
            .map(|_| layout::read_varint(&mut r))
            .collect::<Option<Vec<u64>>>()?;
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
    })
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
    for (count, bucket) in summary.buckets.iter_mut().zip(&buckets) {
        *count = bucket.len() as u64;
    }
    (buckets, summary)
}

/// The summary of index entries (number, entry) and these bucket counts.
pub(crate) fn summary_of_entries<'a>(
    entries: impl IntoIterator<Item = (u64, &'a Entry)>,
    buckets: Vec<u64>,
) -> Summary {
    let mut segments: BTreeMap<u64, SegmentSummary> = BTreeMap::new();
    for (n, e) in entries {
        let line = segments
            .entry(Kind::Index.segment_of(n))
            .or_insert(SegmentSummary {
                count: 0,
                newest: (e.on, e.written),
            });
        line.count += 1;
        line.newest = line.newest.max((e.on, e.written));
    }
    Summary { segments, buckets }
}

/// The padded plaintext the summary is sealed as.
pub(crate) fn sealed_form(summary: &Summary) -> Zeroizing<Vec<u8>> {
    layout::pad(&summary.encode())
}

/// The summary in a settings table: `None` when it is not there or does not open and
/// decode.
fn summary_in<T: ReadableTable<&'static str, &'static [u8]>>(
    journal: &Journal,
    t: &T,
) -> Result<Option<Summary>> {
    let Some(raw) = t.get(SUMMARY_SETTING)? else {
        return Ok(None);
    };
    let plain = journal.key.open(
        Place {
            table: "tend_settings",
            key: SUMMARY_SETTING.as_bytes(),
        },
        raw.value(),
    );
    journal.agent_ok()?;
    Ok(plain.and_then(|p| layout::unpad(&p).and_then(Summary::decode)))
}

/// Brings the directory and the summary in step with the index segments `w` writes: the
/// buckets of the ids that came, went or changed, and those segments' lines of the summary.
/// Anything missing or disagreeing makes both again from the whole index.
pub(crate) fn follow_index(w: &mut Writer<'_>) -> Result<()> {
    let index = w.dirty_index();
    if index.is_empty() {
        return Ok(());
    }
    let counters = w.counters()?;
    let summary = if w.remake_derived {
        None
    } else {
        summary_in(w.journal, &w.txn.open_table(SETTINGS)?)?
    };
    let Some(mut summary) = summary.filter(|s| s.fits(&counters)) else {
        return remake(w);
    };
    let mut checked = std::collections::BTreeSet::new();
    for segment in index {
        let Some(before) = w.before.get(&segment).cloned() else {
            return remake(w);
        };
        let Some(now) = w.holding(Kind::Index, segment) else {
            return remake(w);
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
                return remake(w);
            };
            // A bucket is checked against the summary before this write first changes it.
            if checked.insert(b) && items.len() as u64 != summary.buckets[b as usize] {
                return remake(w);
            }
            match alias {
                None => {
                    if items.remove(&n).map(|i| i.id) != Some(id) {
                        return remake(w);
                    }
                }
                Some(alias) => {
                    items.insert(n, directory_item(id, alias));
                }
            }
            summary.buckets[b as usize] = items.len() as u64;
            w.touch(Kind::Directory, b);
        }
        match line {
            Some(line) => summary.segments.insert(segment, line),
            None => summary.segments.remove(&segment),
        };
    }
    w.journal
        .put_setting(w.txn, SUMMARY_SETTING, &sealed_form(&summary))
}

/// Makes the directory and the summary from the whole index, as this write leaves it.
fn remake(w: &mut Writer<'_>) -> Result<()> {
    let counters = w.counters()?;
    let mut index: Vec<(u64, Items)> = Vec::new();
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
                Some(items) => items.clone(),
                None => match layout::read(&w.journal.key, &t, Kind::Index, segment)? {
                    Read::Opened(items) => items,
                    Read::Absent => continue,
                    Read::Damaged => w.rebuild_index(&t, segment)?,
                },
            };
            index.push((segment, items));
        }
    }
    w.journal.agent_ok()?;
    let (buckets, summary) = derive(index.iter().map(|(s, items)| (*s, items)));
    for (b, items) in buckets.into_iter().enumerate() {
        // An empty bucket is written only over one there (buckets are never removed).
        if !items.is_empty() || there[b] {
            w.replace(Kind::Directory, b as u64, items);
        }
    }
    w.remake_derived = false;
    w.journal
        .put_setting(w.txn, SUMMARY_SETTING, &sealed_form(&summary))
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
        Ok(Some(summary_in(self, &t)?))
    }

    /// The summary and the records table, when the summary is there, opens and fits.
    fn derived(&self, txn: &ReadTransaction) -> Result<Option<Derived>> {
        let Some(summary) = summary_in(self, &txn.open_table(SETTINGS)?)? else {
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

    /// Bucket `b`, when it holds as many ids as the summary says.
    fn bucket<'d>(&self, d: &'d mut Derived, b: u64) -> Result<Option<&'d Items>> {
        if !d.buckets.contains_key(&b) {
            let expected = d.summary.buckets[b as usize];
            let items = match layout::read(&self.key, &d.records, Kind::Directory, b)? {
                Read::Opened(items) if items.len() as u64 == expected => Some(items),
                Read::Absent if expected == 0 => Some(Items::new()),
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
            let Read::Opened(items) = layout::read(&self.key, &d.records, Kind::Index, segment)?
            else {
                return Ok(None);
            };
            if summary_of(&items) != Some(line) {
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
            },
        );
        s.buckets[200] = 17;
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
