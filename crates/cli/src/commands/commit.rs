//! Not built yet; being written in this session.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;

use crate::context::Ctx;
use crate::failure::fail;

/// (in progress)
#[derive(Debug, Subcommand)]
pub enum CommitCommand {
    /// (in progress)
    List,
}

impl CommitCommand {
    pub fn run(self, _ctx: &Ctx) -> Result<ExitCode> {
        Err(fail("this command is not built yet").into())
    }
}
