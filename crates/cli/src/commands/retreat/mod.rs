//! `tend retreat`: the facilitator's side. A key to collect contributions with, and the
//! retreat summary built from them.
//!
//! Neither command opens a journal: a facilitator needs no journal of their own. For
//! `build`, the global `--identity` / `-i` names the facilitator's identity file.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;

mod build;
mod keygen;
mod template;

/// For facilitators: make a key and build the retreat summary.
#[derive(Debug, Subcommand)]
pub enum RetreatCommand {
    /// Make an identity for collecting contributions, and print the recipient to hand members
    Keygen(keygen::Keygen),
    /// Build the retreat summary from contribution (and revocation) files
    Build(build::Build),
}

impl RetreatCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            RetreatCommand::Keygen(c) => c.run(ctx),
            RetreatCommand::Build(c) => c.run(ctx),
        }
    }
}
