//! `tend man`: the man page, from the clap definition.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory};

/// Print the man page in roff (try `tend man | man -l -`).
#[derive(Debug, Args)]
pub struct Man {}

impl Man {
    pub fn run(self) -> Result<ExitCode> {
        let mut buf = Vec::new();
        clap_mangen::Man::new(crate::cli::Cli::command()).render(&mut buf)?;
        crate::output::out_raw(&buf);
        super::done()
    }
}
