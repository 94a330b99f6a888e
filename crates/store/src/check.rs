//! `tend check`: open every record and say which ones fail, while the rest stay readable.

use redb::{ReadableDatabase, ReadableTable};
use tend_core::id::RecordId;
use tend_core::reflection::Entry;

use crate::error::Result;
use crate::journal::{Journal, Skipped, UNLOCKER_INFO};
use crate::manifest::ManifestState;
use crate::records::directory;
use crate::records::layout::{self, Kind};
use crate::records::{DIRECTORY, IDS, INDEX, REFLECTIONS};

/// One record that failed its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// Its kind ("reflections", "commitments", …; "reflection_index" for an index segment).
    pub table: String,
    /// Its local number (an index segment's number for the index). A damaged segment names
    /// every record the index says it held; a kind without an index names the first number
    /// the segment could hold.
    pub id: u64,
}

/// What `check` found.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// Records opened successfully, per table.
    pub opened: Vec<(String, u64)>,
    /// Records that failed to open.
    pub damaged: Vec<Damaged>,
    /// Whether redb's own page-level check passed.
    pub file_ok: bool,
    /// Reflections missing from, or wrong in, the index (the index is read around them).
    pub index_mismatches: Vec<u64>,
    /// Whether the file holds what its sealed manifest says (see [`ManifestState`]).
    pub manifest: ManifestState,
    /// The copy of the format 1 file kept since the upgrade, if it is still there.
    pub backup: Option<crate::migrate::Backup>,
    /// Unlockers passed over when the journal was opened this time.
    pub skipped_unlockers: Vec<Skipped>,
    /// Passphrase unlockers whose scrypt work factor (log2 N) is below
    /// [`AGE_DEFAULT_WORK_FACTOR`]: a stolen copy of the file lets them be guessed faster.
    pub weak_unlockers: Vec<(u64, u8)>,
    /// Records deleted since the file was last written anew: their sealed bytes may still lie
    /// in free pages.
    pub deleted_since_rewrite: u64,
}

/// The scrypt work factor the reference age tool uses for passphrases (2^18); tend's own
/// passphrases calibrate to about a second, which is more on most machines.
pub const AGE_DEFAULT_WORK_FACTOR: u8 = 18;

impl CheckReport {
    /// Whether everything is whole.
    pub fn is_ok(&self) -> bool {
        self.damaged.is_empty()
            && self.file_ok
            && self.index_mismatches.is_empty()
            && matches!(
                self.manifest,
                ManifestState::Matches | ManifestState::Missing
            )
            && self.skipped_unlockers.is_empty()
    }
}

impl Journal {
    /// Opens every sealed record and compares the index with the reflections.
    pub fn check(&mut self) -> Result<CheckReport> {
        let mut report = CheckReport {
            file_ok: self.db.check_integrity().unwrap_or(false),
            ..Default::default()
        };
        let mut reflections: std::collections::BTreeMap<u64, (Entry, RecordId, bool)> =
            Default::default();
        let mut indexed: std::collections::BTreeMap<u64, (Entry, RecordId, bool)> =
            Default::default();
        let mut damaged_texts = Vec::new();
        let mut ids_seen: std::collections::BTreeMap<u64, (RecordId, bool)> = Default::default();
        let mut ids_segments = std::collections::BTreeSet::new();
        let mut directory_seen: std::collections::BTreeMap<u64, (RecordId, bool)> =
            Default::default();
        let mut directory_counts = vec![0u64; directory::BUCKETS as usize];
        let txn = self.db.begin_read()?;
        for kind in Kind::ALL {
            let mut opened = 0;
            let mut sealed = self.sealed_segments(&txn, kind)?;
            let segments = self.open_segments(kind, &mut sealed);
            for ((segment, _), items) in sealed.iter().map(|(s, _)| (*s, ())).zip(segments) {
                let items = match items {
                    Some(items) => items,
                    None => {
                        match kind {
                            Kind::Text => damaged_texts.push(segment),
                            Kind::Index => report.damaged.push(Damaged {
                                table: INDEX.to_owned(),
                                id: segment,
                            }),
                            Kind::Directory => report.damaged.push(Damaged {
                                table: format!("{DIRECTORY}_bucket"),
                                id: segment,
                            }),
                            _ => report.damaged.push(Damaged {
                                table: kind.name().to_owned(),
                                id: kind.numbers(segment).start,
                            }),
                        }
                        continue;
                    }
                };
                if kind == Kind::Index {
                    opened += 1;
                }
                if kind == Kind::Directory {
                    directory_counts[segment as usize] = items.len() as u64;
                    for (n, item) in items {
                        directory_seen.insert(n, (item.id, item.alias));
                    }
                    continue;
                }
                if kind == Kind::Ids {
                    ids_segments.insert(segment);
                    for (n, item) in items {
                        ids_seen.insert(n, (item.id, item.alias));
                    }
                    continue;
                }
                for (n, item) in items {
                    let ok = match kind {
                        Kind::Index => {
                            if let Some(e) = item.entry {
                                indexed.insert(n, (e, item.id, item.alias));
                            }
                            continue;
                        }
                        Kind::Text => match layout::index_entry(n, &item.bytes) {
                            Some(e) => {
                                reflections.insert(n, (e, item.id, item.alias));
                                true
                            }
                            None => false,
                        },
                        _ => serde_json::from_slice::<serde_json::Value>(&item.bytes).is_ok(),
                    };
                    if ok {
                        opened += 1;
                    } else {
                        report.damaged.push(Damaged {
                            table: kind.name().to_owned(),
                            id: n,
                        });
                    }
                }
            }
            if kind != Kind::Ids && kind != Kind::Directory {
                report.opened.push((kind.name().to_owned(), opened));
            }
        }
        // An ids segment must say what its index segment says (it is rewritten with it).
        for (n, (id, alias)) in &ids_seen {
            if indexed
                .get(n)
                .is_some_and(|(_, i, a)| (i, a) != (id, alias))
            {
                report.damaged.push(Damaged {
                    table: IDS.to_owned(),
                    id: *n,
                });
            }
        }
        for n in indexed.keys() {
            if ids_segments.contains(&Kind::Ids.segment_of(*n)) && !ids_seen.contains_key(n) {
                report.damaged.push(Damaged {
                    table: IDS.to_owned(),
                    id: *n,
                });
            }
        }
        // The id directory and the index summary must say what the index says (they are
        // written with it), once a write has made them and when the whole index opened.
        let index_whole = !report.damaged.iter().any(|d| d.table == INDEX);
        if index_whole && let Some(read) = self.index_summary(&txn)? {
            for (n, (id, alias)) in &directory_seen {
                if indexed.get(n).is_none_or(|(_, i, a)| (i, a) != (id, alias)) {
                    report.damaged.push(Damaged {
                        table: DIRECTORY.to_owned(),
                        id: *n,
                    });
                }
            }
            for (n, (_, id, alias)) in &indexed {
                if directory_seen.get(n) != Some(&(*id, *alias)) {
                    report.damaged.push(Damaged {
                        table: DIRECTORY.to_owned(),
                        id: *n,
                    });
                }
            }
            let says = read.as_ref().is_some_and(|read| {
                directory::summary_says(
                    read,
                    indexed.iter().map(|(n, (e, _, _))| (*n, e)),
                    &directory_counts,
                )
            });
            let sealings = match &read {
                Some(read) => self.marks_match(&txn, read, true)?,
                None => false,
            };
            if !says || !sealings {
                report.damaged.push(Damaged {
                    table: directory::SUMMARY_SETTING.to_owned(),
                    id: 0,
                });
            }
        }
        for segment in damaged_texts {
            let range = Kind::Text.numbers(segment);
            let held: Vec<u64> = indexed.range(range.clone()).map(|(n, _)| *n).collect();
            let held = if held.is_empty() {
                vec![range.start]
            } else {
                held
            };
            report.damaged.extend(held.into_iter().map(|id| Damaged {
                table: REFLECTIONS.to_owned(),
                id,
            }));
        }
        {
            let t = txn.open_table(crate::records::table(UNLOCKER_INFO))?;
            let mut opened = 0;
            for item in t.iter()? {
                let (k, v) = item?;
                let key = k.value().to_be_bytes();
                let ok = self
                    .key
                    .open(
                        crate::seal::Place {
                            table: UNLOCKER_INFO,
                            key: &key,
                        },
                        v.value(),
                    )
                    .is_some_and(|p| serde_json::from_slice::<serde_json::Value>(&p).is_ok());
                if ok {
                    opened += 1;
                } else {
                    report.damaged.push(Damaged {
                        table: UNLOCKER_INFO.to_owned(),
                        id: k.value(),
                    });
                }
            }
            report.opened.push((UNLOCKER_INFO.to_owned(), opened));
        }
        self.agent_ok()?;
        for (id, entry) in &reflections {
            if indexed.get(id) != Some(entry) {
                report.index_mismatches.push(*id);
            }
        }
        for id in indexed.keys() {
            if !reflections.contains_key(id)
                && !report
                    .damaged
                    .iter()
                    .any(|d| d.table == REFLECTIONS && d.id == *id)
            {
                report.index_mismatches.push(*id);
            }
        }
        drop(txn);
        report.manifest = self.manifest_state()?;
        report.skipped_unlockers = self.skipped_unlockers().to_vec();
        report.weak_unlockers = self
            .work_factors()?
            .into_iter()
            .filter_map(|(id, n)| n.filter(|n| *n < AGE_DEFAULT_WORK_FACTOR).map(|n| (id, n)))
            .collect();
        report.deleted_since_rewrite = self.deleted_since_rewrite()?;
        report.backup = self.backup()?;
        report.index_mismatches.sort_unstable();
        report.index_mismatches.dedup();
        Ok(report)
    }
}
