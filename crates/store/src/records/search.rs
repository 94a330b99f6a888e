//! Reading a whole table fast: `search` and `all` open every record, so this is where their
//! time goes. One thread reads sealed records out of redb into large reusable buffers while
//! every core opens (in place, without a copy) and parses the buffers already read.

use std::collections::HashSet;
use std::sync::{Mutex, mpsc};

use redb::{ReadOnlyTable, ReadableDatabase, ReadableTable, ReadableTableMetadata};
use serde::de::DeserializeOwned;
use tend_core::reflection::{Filter, Query, Reflection};
use zeroize::Zeroize;

use super::{REFLECTIONS, Scan, table};
use crate::error::Result;
use crate::journal::Journal;

/// About this many bytes of sealed records go to a core at a time.
const BATCH_BYTES: usize = 1 << 20;
/// Tables smaller than this are read and opened on the calling thread alone.
const SMALL: u64 = 2048;

/// Sealed records back to back, opened in place by a worker and wiped before reuse. Only the
/// part in use ever holds plaintext, so only that part is wiped.
#[derive(Default)]
struct Batch {
    bytes: Vec<u8>,
    /// Each record's id and where it lies in `bytes`.
    records: Vec<(u64, usize, usize)>,
}

impl Batch {
    fn wipe(&mut self) {
        self.bytes.as_mut_slice().zeroize();
        self.bytes.clear();
        self.records.clear();
    }
}

impl Drop for Batch {
    fn drop(&mut self) {
        self.wipe();
    }
}

impl Journal {
    /// Reflections whose text, tags or content note hold every word of `query` and whose
    /// entries pass `filter`. Every core opens records while the next ones are read.
    pub fn search(&self, query: &Query, filter: &Filter) -> Result<Scan<Reflection>> {
        let wanted: Option<HashSet<u64>> = if *filter == Filter::default() {
            None
        } else {
            Some(
                self.entries()?
                    .records
                    .into_iter()
                    .filter(|(_, e)| filter.matches(e))
                    .map(|(id, _)| id)
                    .collect(),
            )
        };
        let pass = |plain: &[u8]| may_match(query, plain);
        self.scan_table(REFLECTIONS, wanted.as_ref(), pass, |r: &Reflection| {
            query.matches(r)
        })
    }

    /// Every record of `table_name` (or those in `wanted`) that opens, whose plaintext
    /// `pass` lets through, and that decodes to something `keep` accepts; in id order, with
    /// the ids of records that did not open or decode. `pass` sees the plaintext before it
    /// is parsed and may only refuse records that `keep` would refuse.
    pub(crate) fn scan_table<T, P, K>(
        &self,
        table_name: &'static str,
        wanted: Option<&HashSet<u64>>,
        pass: P,
        keep: K,
    ) -> Result<Scan<T>>
    where
        T: DeserializeOwned + Send,
        P: Fn(&[u8]) -> bool + Sync,
        K: Fn(&T) -> bool + Sync,
    {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(table(table_name))?;
        let threads = std::thread::available_parallelism()
            .map_or(1, |n| n.get())
            .min(8);
        let mut scan = Scan {
            records: Vec::new(),
            damaged: Vec::new(),
        };
        if threads == 1 || t.len()? < SMALL {
            read_batches(&t, wanted, |mut batch| {
                self.open_batch(table_name, &mut batch, (&pass, &keep), &mut scan);
                batch.wipe();
                Some(batch)
            })?;
            self.agent_ok()?;
            return Ok(scan);
        }

        let (to_workers, from_reader) = mpsc::sync_channel::<Batch>(threads);
        let from_reader = Mutex::new(from_reader);
        let (to_reader, recycled) = mpsc::channel::<Batch>();
        let read = std::thread::scope(|s| {
            let workers: Vec<_> = (0..threads)
                .map(|_| {
                    let (from_reader, to_reader, pass, keep) =
                        (&from_reader, to_reader.clone(), &pass, &keep);
                    s.spawn(move || {
                        let mut found = Scan {
                            records: Vec::new(),
                            damaged: Vec::new(),
                        };
                        loop {
                            let next = match from_reader.lock() {
                                Ok(rx) => rx.recv(),
                                Err(_) => break,
                            };
                            let Ok(mut batch) = next else { break };
                            self.open_batch(table_name, &mut batch, (pass, keep), &mut found);
                            batch.wipe();
                            // The reader may have finished; then the buffer is simply dropped.
                            let _ = to_reader.send(batch);
                        }
                        found
                    })
                })
                .collect();
            drop(to_reader);
            let read = read_batches(&t, wanted, |batch| {
                to_workers.send(batch).ok()?;
                Some(recycled.try_recv().unwrap_or_default())
            });
            drop(to_workers);
            for worker in workers {
                let found = worker
                    .join()
                    .unwrap_or_else(|panic| std::panic::resume_unwind(panic));
                scan.records.extend(found.records);
                scan.damaged.extend(found.damaged);
            }
            read
        });
        read?;
        self.agent_ok()?;
        scan.records.sort_unstable_by_key(|(id, _)| *id);
        scan.damaged.sort_unstable();
        Ok(scan)
    }

    fn open_batch<T: DeserializeOwned>(
        &self,
        table_name: &str,
        batch: &mut Batch,
        (pass, keep): (&impl Fn(&[u8]) -> bool, &impl Fn(&T) -> bool),
        found: &mut Scan<T>,
    ) {
        let Batch { bytes, records } = batch;
        // The whole batch is opened at once: with an agent holding the key, that is one
        // request for about a megabyte of records rather than one per record.
        let keys: Vec<[u8; 8]> = records.iter().map(|(id, _, _)| id.to_be_bytes()).collect();
        let opened = {
            let mut items: Vec<(&[u8], &mut [u8])> = Vec::with_capacity(records.len());
            let mut rest: &mut [u8] = bytes.as_mut_slice();
            let mut at = 0;
            for (key, &(_, start, end)) in keys.iter().zip(records.iter()) {
                let (_, tail) = std::mem::take(&mut rest).split_at_mut(start - at);
                let (this, tail) = tail.split_at_mut(end - start);
                items.push((key.as_slice(), this));
                rest = tail;
                at = end;
            }
            self.key.open_many(table_name, &mut items)
        };
        for (&(id, start, end), ok) in records.iter().zip(opened) {
            if !ok {
                found.damaged.push(id);
                continue;
            }
            let plain = &bytes[start + crate::seal::PLAINTEXT_START..end - 16];
            if !pass(plain) {
                continue;
            }
            match serde_json::from_slice::<T>(plain) {
                Ok(r) if keep(&r) => found.records.push((id, r)),
                Ok(_) => {}
                Err(_) => found.damaged.push(id),
            }
        }
    }
}

/// Reads the sealed records of `t` (those in `wanted`, if given) into batches of about
/// [`BATCH_BYTES`] and hands each full one over; `hand_over` gives back an empty batch to fill
/// next, or `None` to stop early (the workers are gone, and joining them says why).
fn read_batches(
    t: &ReadOnlyTable<u64, &'static [u8]>,
    wanted: Option<&HashSet<u64>>,
    mut hand_over: impl FnMut(Batch) -> Option<Batch>,
) -> Result<()> {
    let mut batch = Batch::default();
    for item in t.iter()? {
        let (k, v) = item?;
        let id = k.value();
        if wanted.is_some_and(|w| !w.contains(&id)) {
            continue;
        }
        let start = batch.bytes.len();
        batch.bytes.extend_from_slice(v.value());
        batch.records.push((id, start, batch.bytes.len()));
        if batch.bytes.len() >= BATCH_BYTES {
            match hand_over(batch) {
                Some(next) => batch = next,
                None => return Ok(()),
            }
        }
    }
    if !batch.records.is_empty() {
        hand_over(batch);
    }
    Ok(())
}

/// Whether the reflection whose JSON is `plain` may hold every word of `query`: `false` only
/// when it certainly does not, so most reflections are never parsed.
///
/// A reflection's text, tags and content note appear in its JSON as they are, except where
/// JSON escapes a character (`"`, `\\`, control characters), and lower-casing them inside the
/// JSON gives what lower-casing them alone gives, except for the one rule that looks at
/// neighbours (Greek capital sigma). A search word holds no whitespace, so it never spans the
/// `\n` that stands for a newline. Hence: with no escape but `\n` and no `Σ`, a word in the
/// reflection is in its lower-cased JSON too. Anything else is parsed and checked in full.
fn may_match(query: &Query, plain: &[u8]) -> bool {
    let Ok(json) = std::str::from_utf8(plain) else {
        return true;
    };
    // `str` searches for one character with memchr, which matters at 100,000 records.
    let bytes = json.as_bytes();
    let escaped = json
        .match_indices('\\')
        .any(|(i, _)| bytes.get(i + 1) != Some(&b'n'));
    if escaped || json.contains('Σ') {
        return true;
    }
    query.matches(&Reflection::new(
        json,
        chrono::NaiveDate::MIN,
        chrono::DateTime::UNIX_EPOCH,
    ))
}

#[cfg(test)]
mod tests {
    use chrono::{NaiveDate, TimeZone, Utc};
    use proptest::prelude::*;

    use super::*;

    fn reflection(text: &str, tags: Vec<String>, note: Option<String>) -> Reflection {
        let mut r = Reflection::new(
            text,
            NaiveDate::from_ymd_opt(2026, 3, 14).expect("a date"),
            Utc.with_ymd_and_hms(2026, 3, 14, 9, 0, 0)
                .single()
                .expect("a time"),
        );
        r.tags = tags;
        r.content_note = note;
        r
    }

    fn json(r: &Reflection) -> Vec<u8> {
        serde_json::to_vec(r).expect("json")
    }

    #[test]
    fn refuses_only_what_cannot_match() {
        let r = reflection(
            "Named the PAY gap\nin the circle",
            vec!["Budget".into()],
            Some("Grief".into()),
        );
        assert!(may_match(
            &Query::new(&["pay", "budget", "grief"]),
            &json(&r)
        ));
        assert!(!may_match(&Query::new(&["interpreter"]), &json(&r)));
        // Escapes other than newlines, and sigma, are left to the full check.
        let quoted = reflection("said \"enough\"", vec![], None);
        assert!(may_match(&Query::new(&["\"enough\""]), &json(&quoted)));
        let greek = reflection("ΟΔΟΣ\nΣΑΣ", vec![], None);
        assert!(Query::new(&["σας"]).matches(&greek));
        assert!(may_match(&Query::new(&["σας"]), &json(&greek)));
        // Σ after a newline lower-cases to σ; after the `n` of `\n` in JSON it would be ς.
        let after_newline = reflection("a\nΣ.", vec![], None);
        assert!(Query::new(&["σ."]).matches(&after_newline));
        assert!(may_match(&Query::new(&["σ."]), &json(&after_newline)));
    }

    proptest! {
        // Cheap cases, and the rare ones (a `Σ` just after a newline) need many to turn up.
        #![proptest_config(ProptestConfig::with_cases(4096))]
        #[test]
        fn never_refuses_a_match(text in "[aΣ\u{212A}\"\\\\\n\u{8} .]{0,12}",
                                 tag in "[aZΣ\"\\\\ ]{0,6}",
                                 note in proptest::option::of("[aZΣ\n]{0,6}"),
                                 start in 0usize..16, len in 1usize..4) {
            let r = reflection(&text, vec![tag], note);
            // Words taken from what a search would see, so many of them match.
            let haystack = format!("{}\n{}", text.to_lowercase(), r.tags[0].to_lowercase());
            let chars: Vec<char> = haystack.chars().collect();
            let word: String = chars.iter().skip(start.min(chars.len())).take(len).collect();
            let query = Query::new(&[word]);
            if !query.is_empty() && query.matches(&r) {
                prop_assert!(may_match(&query, &json(&r)));
            }
        }
    }
}
