//! `tend config`: where the config file is, and what is set.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::config::{self, show_duration};
use crate::context::Ctx;
use crate::say;

/// Show where the config file is and the settings in effect, each with where it came from
/// (the file, an environment variable, or the default).
///
/// The file is TOML; every setting is optional:
///
///   [agent]
///   idle_timeout = "10m"      # lock after this long without use
///   absolute_limit = "2h"     # lock after this long whatever happens
///   start_on_unlock = true    # a command that asked for the passphrase keeps it unlocked
///
/// Environment variables win: TEND_AGENT_IDLE_TIMEOUT, TEND_AGENT_ABSOLUTE_LIMIT,
/// TEND_AGENT_START_ON_UNLOCK, and TEND_CONFIG for another file.
#[derive(Debug, Args)]
pub struct Config {
    /// Print only the config file's path
    #[arg(long)]
    path: bool,
}

impl Config {
    pub fn run(self, _ctx: &Ctx) -> Result<ExitCode> {
        if self.path {
            say!("{}", config::path()?.display());
            return super::done();
        }
        let c = config::load()?;
        let there = if c.exists {
            ""
        } else {
            " (not there yet: defaults apply)"
        };
        say!("Config file: {}{there}", c.path.display());
        say!(
            "agent.idle_timeout = {:<10} ({})",
            show_duration(c.idle.0),
            c.idle.1
        );
        say!(
            "agent.absolute_limit = {:<8} ({})",
            show_duration(c.limit.0),
            c.limit.1
        );
        say!(
            "agent.start_on_unlock = {:<7} ({})",
            c.start_on_unlock.0,
            c.start_on_unlock.1
        );
        super::done()
    }
}
