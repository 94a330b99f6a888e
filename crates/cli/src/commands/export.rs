//! `tend export`: everything as plaintext, after saying so.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use tend_core::commitment::Commitment;
use tend_core::export::{Export as Document, WithId};
use tend_core::reflection::Reflection;
use tend_core::repair::Repair;
use tend_store::{Journal, Record};

use super::list::warn_damaged;
use crate::context::Ctx;
use crate::files::write_private;
use crate::handles::Names;
use crate::output::count_of;
use crate::{note, say};

/// Export formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// tend's own JSON (`tend import --from tend` reads it back)
    Json,
    /// Markdown, for reading or printing
    Markdown,
}

/// Write everything out as plaintext: reflections, commitments and repairs.
#[derive(Debug, Args)]
pub struct Export {
    /// The format
    #[arg(long, value_enum, default_value_t = Format::Json)]
    format: Format,
    /// Write to this file (made readable by you alone) instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long)]
    force: bool,
}

impl Export {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let reflections = journal.all::<Reflection>()?;
        let commitments = journal.all::<Commitment>()?;
        let repairs = journal.all::<Repair>()?;
        let reflection_names = Names::of::<Reflection>(&journal)?;
        let doc = Document::new(
            ctx.now(),
            with_ids(&journal, reflections.records)?,
            with_ids(&journal, commitments.records)?,
            with_ids(&journal, repairs.records)?,
        );
        let text = match self.format {
            Format::Json => doc.to_json() + "\n",
            Format::Markdown => doc.to_markdown(),
        };
        note!("This export is plaintext: anyone who can read it can read everything in it.");
        match &self.output {
            Some(path) => {
                write_private(path, text.as_bytes(), self.force)?;
                say!(
                    "Exported {}, {} and {} to {}.",
                    count_of(doc.reflections.len(), "reflection", "reflections"),
                    count_of(doc.commitments.len(), "commitment", "commitments"),
                    count_of(doc.repairs.len(), "repair", "repairs"),
                    path.display()
                );
            }
            None => crate::output::out_raw(text.as_bytes()),
        }
        warn_damaged(&reflection_names, &reflections.damaged);
        if !commitments.damaged.is_empty() || !repairs.damaged.is_empty() {
            note!(
                "Note: some commitments or repairs could not be opened and are left out; `tend check` says more."
            );
        }
        super::done()
    }
}

/// Records with their ids: the whole id of each, and the format 1 number of those that have
/// one (it stays an alias of the same record).
fn with_ids<T: Record>(journal: &Journal, records: Vec<(u64, T)>) -> Result<Vec<WithId<T>>> {
    let book = journal.ids::<T>()?;
    Ok(records
        .into_iter()
        .map(|(n, record)| {
            let alias = book.is_alias(n).then_some(n);
            WithId::new(alias, book.id(n), record)
        })
        .collect())
}
