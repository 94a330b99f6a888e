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
///   [sync]                    # where `tend sync` finds credentials; secrets only as commands
///   user = "me"                                   # WebDAV (TEND_SYNC_USER wins)
///   password_command = "pass show cloud/tend"     # prints it (TEND_SYNC_PASSWORD wins)
///   access_key_id = "GK…"                         # S3 (AWS_ACCESS_KEY_ID wins)
///   secret_key_command = "pass show s3/tend"      # prints it (AWS_SECRET_ACCESS_KEY wins)
///   endpoint = "https://s3.example.org"           # AWS_ENDPOINT wins
///   region = "garage"                             # AWS_REGION wins
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
        let set = |v: &Option<String>| if v.is_some() { "set" } else { "not set" };
        say!(
            "sync: user {}, password_command {}, access_key_id {}, secret_key_command {}, endpoint {}, region {} (in the file; the environment wins)",
            set(&c.sync.user),
            set(&c.sync.password_command),
            set(&c.sync.access_key_id),
            set(&c.sync.secret_key_command),
            set(&c.sync.endpoint),
            set(&c.sync.region)
        );
        super::done()
    }
}
