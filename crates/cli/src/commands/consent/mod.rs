//! `tend consent`: what you consented to share, and withdrawing it.
//!
//! Each contribution leaves a consent record in the journal; it is the only place the secret
//! that revokes the contribution is kept.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;

mod list;
mod revoke;

/// See and revoke the contributions you consented to.
#[derive(Debug, Subcommand)]
pub enum ConsentCommand {
    /// Every contribution you shared: for what, for whom, what it held, and where it stands
    List(list::List),
    /// Withdraw a contribution: write a revocation file for the facilitator
    Revoke(revoke::Revoke),
}

impl ConsentCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            ConsentCommand::List(c) => c.run(ctx),
            ConsentCommand::Revoke(c) => c.run(ctx),
        }
    }
}

/// Warns about consent records that could not be opened (by handle), without stopping.
fn warn_damaged(journal: &tend_store::Journal, damaged: &[u64]) -> Result<()> {
    if damaged.is_empty() {
        return Ok(());
    }
    let names = crate::handles::Names::of::<tend_core::contribution::ConsentRecord>(journal)?;
    crate::output::warn_unopened(&names.handles(damaged), "consent record", "consent records");
    Ok(())
}
