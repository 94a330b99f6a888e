//! `tend lock`: forget every key the agent holds, now.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::context::Ctx;
use crate::{say, sitting};

/// Lock now: the agent forgets every journal's key and stops. The next command asks for the
/// passphrase again.
#[derive(Debug, Args)]
pub struct Lock {}

impl Lock {
    pub fn run(self, _ctx: &Ctx) -> Result<ExitCode> {
        match sitting::client()? {
            None => say!("Nothing was unlocked: no tend agent is running."),
            Some(client) => {
                let held = client.status().map(|s| s.journals.len()).unwrap_or(0);
                client.lock(None)?;
                if held == 0 {
                    say!("Locked. The agent held no journal, and has stopped.");
                } else {
                    say!(
                        "Locked {}. The next command will ask for the passphrase.",
                        crate::output::count_of(held, "journal", "journals")
                    );
                }
            }
        }
        super::done()
    }
}
