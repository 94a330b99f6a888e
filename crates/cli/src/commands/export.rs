//! `tend export`: everything as plaintext, after saying so.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use tend_core::commitment::Commitment;
use tend_core::export::{Export as Document, WithId};
use tend_core::reflection::Reflection;
use tend_core::repair::Repair;

use super::list::warn_damaged;
use crate::context::Ctx;
use crate::failure::fail;
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

/// Writes a file readable by its owner only, never over an existing one unless `force`.
pub fn write_private(path: &std::path::Path, bytes: &[u8], force: bool) -> Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true);
    if force {
        options.create(true).truncate(true);
    } else {
        options.create_new(true);
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            fail(format!("{} already exists", path.display()))
                .hint("choose another name, or add --force to replace it")
        } else {
            fail(format!("could not write {}: {e}", path.display()))
        }
    })?;
    f.write_all(bytes)
        .and_then(|()| f.sync_all())
        .map_err(|e| fail(format!("could not write {}: {e}", path.display())))?;
    Ok(())
}

impl Export {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let reflections = journal.all::<Reflection>()?;
        let commitments = journal.all::<Commitment>()?;
        let repairs = journal.all::<Repair>()?;
        let doc = Document::new(
            ctx.now(),
            WithId::wrap_all(reflections.records),
            WithId::wrap_all(commitments.records),
            WithId::wrap_all(repairs.records),
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
        warn_damaged(&reflections.damaged);
        if !commitments.damaged.is_empty() || !repairs.damaged.is_empty() {
            note!(
                "Note: some commitments or repairs could not be opened and are left out; `tend check` says more."
            );
        }
        super::done()
    }
}
