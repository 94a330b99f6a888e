//! `tend delete`: remove a reflection for good (with `--purge`, from free pages too).

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::id::IdQuery;
use tend_core::reflection::Reflection;

use crate::context::Ctx;
use crate::failure::fail;
use crate::{prompt, rekey, say};

/// Delete a reflection for good (asks first; --yes to skip the question).
#[derive(Debug, Args)]
pub struct Delete {
    /// The reflection's handle (from `tend list`), or its number from before the upgrade
    id: IdQuery,
    /// Do not ask
    #[arg(long, short = 'y')]
    yes: bool,
    /// Then write the journal again as a new file, so the sealed reflection is not left in
    /// the file's free pages either
    #[arg(long)]
    purge: bool,
}

impl Delete {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let mut journal = ctx.open()?;
        let id = journal.resolve::<Reflection>(&self.id)?;
        let r: Reflection = journal.get(id)?;
        let handle = crate::handles::handle_of::<Reflection>(&journal, id)?;
        if !self.yes {
            if !prompt::interactive() {
                return Err(
                    fail("deleting needs a yes, and there is no terminal to ask on")
                        .hint(format!("run `tend delete {handle} --yes` to delete it"))
                        .into(),
                );
            }
            let label = r
                .content_note
                .as_ref()
                .map_or_else(|| r.title(), |n| format!("[content note: {n}]"));
            let question = format!(
                "Delete reflection {handle} from {} ({label})? This cannot be undone.",
                r.on
            );
            if !prompt::confirm(&question, false)? {
                say!("Kept reflection {handle}.");
                return super::done();
            }
        }
        journal.delete::<Reflection>(id)?;
        say!("Deleted reflection {handle}.");
        if self.purge {
            let done = journal.compact(&mut rekey::progress())?;
            say!(
                "Wrote the journal again as a new file ({}), so no free page holds it.",
                rekey::summary(&done)
            );
        }
        super::done()
    }
}
