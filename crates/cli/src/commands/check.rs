//! `tend check`: open every record and report the damaged ones.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use tend_store::{AGE_DEFAULT_WORK_FACTOR, CheckReport, ManifestState, SkipReason};

use crate::context::Ctx;
use crate::output::count;
use crate::{note, say};

/// Open every record and list any that fail; the rest stay readable.
#[derive(Debug, Args)]
pub struct Check {
    /// Remove the copy of the journal kept from before its upgrade to format 2.
    #[arg(long)]
    remove_backup: bool,
}

impl Check {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let mut journal = ctx.open()?;
        if self.remove_backup {
            if journal.remove_backup()? {
                say!("Removed the copy of the journal from before its upgrade.");
            } else {
                note!("note: there is no copy from before an upgrade to remove.");
            }
        }
        let report = journal.check()?;
        let opened: u64 = report.opened.iter().map(|(_, n)| n).sum();
        advise(&report);
        if report.is_ok() {
            say!(
                "{} and the file is whole.",
                match opened {
                    1 => "The one record opens".to_owned(),
                    n => format!("All {n} records open"),
                }
            );
            return super::done();
        }
        if !report.file_ok {
            say!("The file's own structure check found a problem.");
        }
        match report.manifest {
            ManifestState::Disagrees => say!(
                "The file does not hold what its sealed manifest says: records were swapped for older copies, added or cut away, as when a journal is pieced together from older copies."
            ),
            ManifestState::Unreadable => {
                say!("The journal's sealed manifest does not open: it is damaged or was replaced.")
            }
            _ => {}
        }
        for s in &report.skipped_unlockers {
            let why = match s.why {
                SkipReason::Unreadable => "is not a readable age file".to_owned(),
                SkipReason::ExcessiveWork(n) => {
                    format!("asks for more work than tend allows (scrypt 2^{n})")
                }
                SkipReason::WrongKey => "opens to a key that is not this journal's".to_owned(),
                _ => "could not be used".to_owned(),
            };
            say!(
                "unlocker {} {why}, so it was passed over; remove it with `tend key remove {}`",
                s.id,
                s.id
            );
        }
        let names = DamageNames::read(&journal);
        for d in &report.damaged {
            say!("damaged: {}", names.label(&d.table, d.id));
        }
        if !report.index_mismatches.is_empty() {
            let ids: Vec<String> = report
                .index_mismatches
                .iter()
                .map(|n| names.reflection(*n))
                .collect();
            say!(
                "the list index disagrees about {} {}",
                if ids.len() == 1 {
                    "reflection"
                } else {
                    "reflections"
                },
                ids.join(", ")
            );
        }
        say!(
            "{} opened; {} could not be opened.",
            count(opened, "record", "records"),
            report.damaged.len()
        );
        note!(
            "hint: keep a copy of the journal file as it is; the other records stay readable and can be exported with `tend export`."
        );
        Ok(ExitCode::from(1))
    }
}

/// What is worth knowing even when everything opens.
fn advise(report: &CheckReport) {
    for (id, n) in &report.weak_unlockers {
        note!(
            "note: passphrase unlocker {id} uses a light scrypt work factor (2^{n}, below age's default of 2^{AGE_DEFAULT_WORK_FACTOR}); someone with a copy of the file could guess it faster. `tend key passwd` makes it anew."
        );
    }
    if report.deleted_since_rewrite > 0 {
        note!(
            "note: {} deleted since the file was last written anew; sealed, {} may still lie in the file's free pages. `tend key rotate` writes the file anew without them.",
            count(report.deleted_since_rewrite, "record was", "records were"),
            if report.deleted_since_rewrite == 1 {
                "it"
            } else {
                "they"
            }
        );
    }
    if let Some(backup) = &report.backup {
        if backup.same_key {
            note!(
                "note: a copy of this journal from before its upgrade to format 2 is kept at {}; it opens with the secrets it opened with then. Remove it with `tend check --remove-backup` once you no longer need it.",
                backup.path.display()
            );
        } else {
            note!(
                "note: a copy of this journal from before its upgrade to format 2 is kept at {}, and the journal's key has changed since: secrets you removed or changed since still open that copy. Remove it with `tend check --remove-backup`.",
                backup.path.display()
            );
        }
    }
    if report.manifest == ManifestState::Missing {
        note!("note: this journal has no manifest yet; the next change adds one.");
    }
}

/// How `tend check` names a damaged record: by its handle, as every other command does,
/// when its id can still be read (a reflection's is kept in the index as well as with its
/// text); otherwise by the number this device gave it, marked `#`.
struct DamageNames {
    reflections: Option<crate::handles::Names>,
    commitments: Option<crate::handles::Names>,
    repairs: Option<crate::handles::Names>,
}

impl DamageNames {
    fn read(journal: &tend_store::Journal) -> Self {
        use crate::handles::Names;
        DamageNames {
            reflections: Names::of::<tend_core::reflection::Reflection>(journal).ok(),
            commitments: Names::of::<tend_core::commitment::Commitment>(journal).ok(),
            repairs: Names::of::<tend_core::repair::Repair>(journal).ok(),
        }
    }

    /// The handle, or `#N (…)` when the id cannot be read.
    fn name(names: &Option<crate::handles::Names>, number: u64) -> String {
        match names
            .as_ref()
            .and_then(|n| n.id(number).map(|_| n.handle(number)))
        {
            Some(handle) => handle,
            None => format!("#{number} (its id cannot be read)"),
        }
    }

    fn named(names: &Option<crate::handles::Names>, word: &str, number: u64) -> String {
        format!("{word} {}", Self::name(names, number))
    }

    fn reflection(&self, number: u64) -> String {
        Self::name(&self.reflections, number)
    }

    fn label(&self, table: &str, number: u64) -> String {
        match table {
            "reflections" => Self::named(&self.reflections, "reflection", number),
            "commitments" => Self::named(&self.commitments, "commitment", number),
            "repairs" => Self::named(&self.repairs, "repair", number),
            "consents" => format!("consent records from #{number}"),
            "reflection_index" => {
                format!("list index segment {number} (read around, rebuilt by the next write)")
            }
            "reflection_ids" => format!(
                "ids segment beside the list index, at #{number} (the index is read instead)"
            ),
            "reflection_id_directory" => format!(
                "id directory entry of reflection {} (the index is read instead)",
                self.reflection(number)
            ),
            "reflection_id_directory_bucket" => format!(
                "id directory bucket {number} (the index is read instead; a write to it makes \
                 it again)"
            ),
            "index_summary" => "list index summary (the index is read instead; the next write \
                                makes it again)"
                .to_owned(),
            other => format!("{other} {number}"),
        }
    }
}
