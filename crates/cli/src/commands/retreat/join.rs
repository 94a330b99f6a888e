//! `tend retreat join`: the one line a member hands the facilitator for the roster.
//!
//! The key is derived from the journal's secret and the purpose (tend-store's
//! `member` module), so joining twice prints the same line and nothing is written.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::retreat::RosterEntry;
use tend_core::retreat::roster::check_name;

use crate::context::Ctx;
use crate::failure::fail;
use crate::{note, say};

/// Print your roster line for a retreat: your name and your key for this purpose.
///
/// Hand the line to the facilitator. Your key is the same every time for this purpose and
/// cannot be linked to your key for any other purpose; nothing is written to your journal.
#[derive(Debug, Args)]
pub struct Join {
    /// What the retreat is for, in the facilitator's words: "Spring retreat 2026"
    #[arg(long, value_name = "TEXT")]
    purpose: String,
    /// The name the circle knows you by, as it should appear beside excerpts you sign
    #[arg(long, value_name = "NAME")]
    name: String,
}

impl Join {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        if self.purpose.trim().is_empty() {
            return Err(fail("joining a retreat needs its purpose")
                .hint("use the facilitator's words, such as --purpose \"Spring retreat 2026\"")
                .into());
        }
        let name = self.name.trim().to_owned();
        check_name(&name).map_err(|why| {
            fail(format!("that name cannot stand on a roster: {why}"))
                .hint("use a short name without control characters, such as --name \"Maya\"")
        })?;
        let journal = ctx.open()?;
        let key = journal.member_key(&self.purpose)?.public();
        note!(
            "Hand this line to the facilitator for the roster of {:?}; share with the same \
             --purpose, and with --name {name:?} if you want your name beside your excerpts:",
            self.purpose.trim()
        );
        say!("{}", RosterEntry { key, name }.line());
        crate::commands::done()
    }
}
