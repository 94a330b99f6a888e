//! Reading a whole kind fast: `search` and `all` open every record, so this is where their
//! time goes. Segments are read a chunk at a time and every core opens (in place, without a
//! copy) and parses the segments of the chunk: one AEAD per segment of 64 records.

use std::collections::HashSet;

use redb::ReadableDatabase;
use serde::de::DeserializeOwned;
use tend_core::reflection::{Filter, Query, Reflection};
use zeroize::Zeroizing;

use super::{Scan, layout, on_every_core};
use crate::error::Result;
use crate::journal::Journal;

/// A segment's number and sealed bytes.
type Sealed = (u64, Zeroizing<Vec<u8>>);

/// Segments read before they are opened (about 4 MiB of reflections).
const CHUNK: usize = 64;

impl Journal {
    /// Reflections whose text, tags or content note hold every word of `query` and whose
    /// entries pass `filter`. Every core opens segments.
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
        self.scan_kind(
            layout::Kind::Text,
            wanted.as_ref(),
            pass,
            |r: &Reflection| query.matches(r),
        )
    }

    /// Every record of `kind` (or those in `wanted`) that opens, whose plaintext `pass` lets
    /// through, and that decodes to something `keep` accepts; in number order, with the
    /// numbers of records that did not open or decode. `pass` sees the plaintext before it
    /// is parsed and may only refuse records that `keep` would refuse.
    pub(crate) fn scan_kind<T, P, K>(
        &self,
        kind: layout::Kind,
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
        let counters = self.number_counters(&txn)?;
        let mut segments: Vec<u64> = counters.segments(kind).collect();
        if let Some(w) = wanted {
            let mut useful: Vec<u64> = w.iter().map(|n| kind.segment_of(*n)).collect();
            useful.sort_unstable();
            useful.dedup();
            segments.retain(|s| useful.binary_search(s).is_ok());
        }
        let keys = layout::keys(&self.key, kind, &segments);
        self.agent_ok()?;
        let t = txn.open_table(layout::RECORDS)?;
        let mut scan = Scan {
            records: Vec::new(),
            damaged: Vec::new(),
        };
        let mut damaged_segments = Vec::new();
        let pairs: Vec<(u64, [u8; 16])> = segments.into_iter().zip(keys).collect();
        for chunk in pairs.chunks(CHUNK) {
            let mut sealed: Vec<(u64, Zeroizing<Vec<u8>>)> = Vec::with_capacity(chunk.len());
            for (segment, k) in chunk {
                if let Some(v) = t.get(*k)? {
                    sealed.push((*segment, Zeroizing::new(v.value().to_vec())));
                }
            }
            let opened = self.open_all(kind, &mut sealed);
            let mut work: Vec<(&Sealed, bool)> = sealed.iter().zip(opened).collect();
            let found = on_every_core(&mut work, |((segment, raw), ok)| {
                let elements = super::plaintext(*ok, raw)
                    .and_then(layout::unpad)
                    .and_then(|c| layout::elements(kind, *segment, c));
                let Some(elements) = elements else {
                    return Err(*segment);
                };
                let mut found = Scan {
                    records: Vec::new(),
                    damaged: Vec::new(),
                };
                for (number, bytes) in elements {
                    if wanted.is_some_and(|w| !w.contains(&number)) || !pass(bytes) {
                        continue;
                    }
                    match serde_json::from_slice::<T>(bytes) {
                        Ok(r) if keep(&r) => found.records.push((number, r)),
                        Ok(_) => {}
                        Err(_) => found.damaged.push(number),
                    }
                }
                Ok(found)
            });
            for f in found {
                match f {
                    Ok(f) => {
                        scan.records.extend(f.records);
                        scan.damaged.extend(f.damaged);
                    }
                    Err(segment) => damaged_segments.push(segment),
                }
            }
        }
        self.agent_ok()?;
        drop(t);
        drop(txn);
        if !damaged_segments.is_empty() {
            // What the index says a damaged segment held; a kind without one, or a segment
            // the index does not know either, counts as its first number.
            let indexed: Vec<u64> = if kind == layout::Kind::Text {
                self.index_items()?
                    .records
                    .into_iter()
                    .map(|(n, _)| n)
                    .collect()
            } else {
                Vec::new()
            };
            for segment in damaged_segments {
                let range = kind.numbers(segment);
                let held: Vec<u64> = indexed
                    .iter()
                    .copied()
                    .filter(|n| range.contains(n) && wanted.is_none_or(|w| w.contains(n)))
                    .collect();
                if held.is_empty() {
                    scan.damaged.push(range.start);
                } else {
                    scan.damaged.extend(held);
                }
            }
        }
        scan.records.sort_unstable_by_key(|(id, _)| *id);
        scan.damaged.sort_unstable();
        scan.damaged.dedup();
        Ok(scan)
    }
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
