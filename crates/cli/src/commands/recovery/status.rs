//! `tend recovery status`: the recovery set, as the journal keeps it.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_store::recovery::{RecoverySet, RecoveryState};

use crate::context::Ctx;
use crate::say;

/// Show the recovery set.
#[derive(Debug, Args)]
pub struct Status {}

impl Status {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        match journal.recovery()? {
            RecoveryState::Ready(set) => {
                describe(&set);
                say!("Journal fingerprint: {}", journal.fingerprint());
                say!("It opens the journal as unlocker {}.", set.unlocker);
            }
            RecoveryState::Broken(set) => {
                describe(&set);
                say!(
                    "Its shares no longer open this journal: its unlocker ({}) was removed or replaced.",
                    set.unlocker
                );
                say!("Make a new set with `tend recovery setup`.");
            }
            _ => {
                say!("This journal has no recovery set.");
                say!(
                    "Make one with `tend recovery setup --threshold 2 --trustee NAME=age1… …` (see docs/recovery.md)."
                );
            }
        }
        super::super::done()
    }
}

fn describe(set: &RecoverySet) {
    say!(
        "Recovery set {} for {}, made {}: any {} of {} trustees.",
        set.set.short(),
        set.member,
        set.made.format("%Y-%m-%d %H:%M UTC"),
        set.threshold,
        set.trustees.len()
    );
    let width = set
        .trustees
        .iter()
        .map(|t| t.name.chars().count())
        .max()
        .unwrap_or(0);
    for t in &set.trustees {
        say!("  {:width$}  {}", t.name, t.recipient);
    }
}
