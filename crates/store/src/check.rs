//! `tend check`: open every record and say which ones fail, while the rest stay readable.

use redb::{ReadableDatabase, ReadableTable};
use tend_core::reflection::Entry;

use crate::error::Result;
use crate::journal::{Journal, Skipped};
use crate::manifest::ManifestState;
use crate::records::{self, ALL_TABLES, INDEX, REFLECTIONS};

/// One record that failed its check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Damaged {
    /// Its table ("reflections", "commitments", …).
    pub table: String,
    /// Its id.
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
        let mut reflections: std::collections::BTreeMap<u64, Entry> = Default::default();
        let mut indexed: std::collections::BTreeMap<u64, Entry> = Default::default();
        let txn = self.db.begin_read()?;
        for name in ALL_TABLES {
            let t = txn.open_table(records::table(name))?;
            let mut opened = 0;
            let records = t.iter()?.map(|item| {
                let (k, v) = item?;
                Ok((k.value(), v.value().to_vec()))
            });
            // A batch at a time: through the agent, one request per megabyte of records.
            crate::batch::open_each(&self.key, name, records, |id, plain| {
                let ok = match (name, plain) {
                    (_, None) => false,
                    (REFLECTIONS, Some(p)) => {
                        match serde_json::from_slice::<tend_core::reflection::Reflection>(p) {
                            Ok(r) => {
                                reflections.insert(id, r.entry(id));
                                true
                            }
                            Err(_) => false,
                        }
                    }
                    (INDEX, Some(p)) => match records::decode_segment(p) {
                        Some(es) => {
                            indexed.extend(es.into_iter().map(|e| (e.id, e)));
                            true
                        }
                        None => false,
                    },
                    (_, Some(p)) => serde_json::from_slice::<serde_json::Value>(p).is_ok(),
                };
                if ok {
                    opened += 1;
                } else {
                    report.damaged.push(Damaged {
                        table: name.to_owned(),
                        id,
                    });
                }
                Ok::<(), crate::Error>(())
            })?;
            report.opened.push((name.to_owned(), opened));
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
        report.index_mismatches.sort_unstable();
        report.index_mismatches.dedup();
        Ok(report)
    }
}
