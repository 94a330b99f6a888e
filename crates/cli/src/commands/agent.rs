//! `tend agent serve`: the agent itself, started by `tend unlock` (hidden from help).

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;

/// The tend agent (started by tend itself)
#[derive(Debug, Subcommand)]
pub enum AgentCommand {
    /// Run the agent in the foreground until every key it holds is locked
    Serve,
}

impl AgentCommand {
    pub fn run(self, _ctx: &Ctx) -> Result<ExitCode> {
        match self {
            AgentCommand::Serve => {
                let folder = tend_agent::paths::folder()?;
                tend_agent::server::serve(&folder)?;
                super::done()
            }
        }
    }
}
