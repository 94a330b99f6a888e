//! `tend retreat`: the facilitator's side. A key to collect contributions with, and the
//! retreat summary built from them.
//!
//! A co-facilitated retreat adds `plan` and `aggregate` (docs/retreat-protocol.md).
//!
//! Only `join` opens a journal (the member's); a facilitator needs no journal of their own.
//! For `build` and `aggregate`, the global `--identity` / `-i` names the (co-)facilitator's
//! identity file.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;

mod aggregate;
mod build;
pub(crate) mod cofac;
mod join;
mod keygen;
mod plan;
mod render_child;
mod roster;
mod template;

/// Retreats: join one as a member; make a key, keep a roster and build the summary as a
/// facilitator.
#[derive(Debug, Subcommand)]
pub enum RetreatCommand {
    /// Print your roster line for a retreat (your name and your key for its purpose)
    Join(join::Join),
    /// Make an identity for collecting contributions, and print the recipient to hand members
    Keygen(keygen::Keygen),
    /// Show a roster file and its fingerprint
    Roster(roster::ShowRoster),
    /// Plan a co-facilitated retreat (neither co-facilitator alone sees any member's figures)
    Plan(plan::PlanRetreat),
    /// Take your step as a co-facilitator: --as helper or --as leader
    Aggregate(aggregate::Aggregate),
    /// Build the retreat summary from contribution (and revocation) files, or with --plan
    /// from the co-facilitators' two aggregate shares
    Build(build::Build),
    /// Render a summary with a user template (used by `build`, in a limited child process)
    #[command(hide = true)]
    RenderTemplate(render_child::RenderTemplate),
}

impl RetreatCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            RetreatCommand::Join(c) => c.run(ctx),
            RetreatCommand::Keygen(c) => c.run(ctx),
            RetreatCommand::Roster(c) => c.run(ctx),
            RetreatCommand::Plan(c) => c.run(ctx),
            RetreatCommand::Aggregate(c) => c.run(ctx),
            RetreatCommand::Build(c) => c.run(ctx),
            RetreatCommand::RenderTemplate(c) => c.run(ctx),
        }
    }
}
