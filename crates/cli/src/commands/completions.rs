//! `tend completions`: shell completions from the clap definition.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, CommandFactory};
use clap_complete::Shell;

/// Print completions for a shell (bash, zsh, fish, elvish, powershell).
#[derive(Debug, Args)]
pub struct Completions {
    /// The shell
    shell: Shell,
}

impl Completions {
    pub fn run(self) -> Result<ExitCode> {
        let mut cmd = crate::cli::Cli::command();
        let mut buf = Vec::new();
        clap_complete::generate(self.shell, &mut cmd, "tend", &mut buf);
        crate::output::out_raw(&buf);
        super::done()
    }
}
