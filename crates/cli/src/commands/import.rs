//! `tend import`: bring reflections in from tend's own export or from jrnl.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use std::collections::HashSet;

use tend_core::commitment::Commitment;
use tend_core::export::{Export, WithId, parse_jrnl};
use tend_core::id::RecordId;
use tend_core::reflection::Reflection;
use tend_core::repair::Repair;
use tend_store::{Journal, Record};

use crate::context::Ctx;
use crate::failure::fail;
use crate::output::count_of;
use crate::{note, say};

/// Where an import comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// tend's JSON export
    Tend,
    /// jrnl's `--format json` export
    Jrnl,
}

/// Bring in reflections (and, from tend, commitments and repairs). Records from a tend export
/// keep their ids when this journal holds none of them (otherwise, and for older exports
/// and jrnl, they get new ids, and tend says so). All of it comes in, or nothing.
#[derive(Debug, Args)]
pub struct Import {
    /// The file to read (`-` for stdin)
    file: PathBuf,
    /// What wrote the file
    #[arg(long = "from", value_enum, default_value_t = Source::Tend)]
    from: Source,
}

impl Import {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let text = if self.file.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        } else {
            std::fs::read_to_string(&self.file)
                .map_err(|e| fail(format!("could not read {}: {e}", self.file.display())))?
        };
        let shown = self.file.display().to_string();
        let journal = ctx.open()?;
        match self.from {
            Source::Tend => {
                let doc = Export::parse(&text).map_err(|e| {
                    fail(format!("{shown}: {e}")).hint(
                        "give a file written by `tend export --format json`, or use --from jrnl",
                    )
                })?;
                let counts = (
                    doc.reflections.len(),
                    doc.commitments.len(),
                    doc.repairs.len(),
                );
                let kept = match why_not_keep(&journal, &doc)? {
                    None => {
                        import_by_id(&journal, doc)?;
                        true
                    }
                    Some(why) => {
                        let r = WithId::unwrap_all(doc.reflections);
                        let c = WithId::unwrap_all(doc.commitments);
                        let p = WithId::unwrap_all(doc.repairs);
                        journal.import(&r, &c, &p)?;
                        note!("{why}, so each record was given a new id.");
                        false
                    }
                };
                say!(
                    "Imported {}, {} and {}{}.",
                    count_of(counts.0, "reflection", "reflections"),
                    count_of(counts.1, "commitment", "commitments"),
                    count_of(counts.2, "repair", "repairs"),
                    if kept && counts != (0, 0, 0) {
                        ", each with the id it had"
                    } else {
                        ""
                    }
                );
            }
            Source::Jrnl => {
                let reflections = parse_jrnl(&text, ctx.now()).map_err(|e| {
                    fail(format!("{shown}: {e}"))
                        .hint("export from jrnl with `jrnl --format json > FILE`")
                })?;
                journal.add_many(&reflections)?;
                say!(
                    "Imported {} from jrnl.",
                    count_of(reflections.len(), "reflection", "reflections")
                );
            }
        }
        super::done()
    }
}

/// Why the records of `doc` cannot keep their ids here, if they cannot: an export from
/// before record ids, an id named twice, or an id this journal already holds (say the
/// export of this very journal).
fn why_not_keep(journal: &Journal, doc: &Export) -> Result<Option<&'static str>> {
    Ok(why_not::<Reflection>(journal, &doc.reflections)?
        .or(why_not::<Commitment>(journal, &doc.commitments)?)
        .or(why_not::<Repair>(journal, &doc.repairs)?))
}

fn why_not<T: Record>(journal: &Journal, records: &[WithId<T>]) -> Result<Option<&'static str>> {
    if records.is_empty() {
        return Ok(None);
    }
    let Some(ids) = WithId::with_record_ids(records) else {
        return Ok(Some(
            "This export was written before records had ids of their own",
        ));
    };
    let mut seen = HashSet::with_capacity(ids.len());
    if !ids.iter().all(|(id, _)| seen.insert(*id)) {
        return Ok(Some("This export names the same record id twice"));
    }
    let book = journal.ids::<T>()?;
    if ids.iter().any(|(id, _)| book.number(*id).is_some()) {
        return Ok(Some(
            "This journal already holds records with some of these ids (perhaps the ones they were exported from)",
        ));
    }
    Ok(None)
}

/// Writes every record under the id it carries, every kind in one transaction: all of it
/// comes in or none.
fn import_by_id(journal: &Journal, doc: Export) -> Result<()> {
    fn owned<T>(records: Vec<WithId<T>>) -> Vec<(RecordId, T)> {
        records
            .into_iter()
            .filter_map(|w| Some((w.record_id?, w.record)))
            .collect()
    }
    journal.import_with_ids(
        &owned(doc.reflections),
        &owned(doc.commitments),
        &owned(doc.repairs),
    )?;
    Ok(())
}
