//! `tend unlock`: ask for the passphrase once and keep the journal unlocked for the sitting.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::context::Ctx;
use crate::sitting::{self, clock};
use crate::{config, say};

/// Unlock the journal for this sitting: asks for the passphrase once, and the tend agent
/// keeps the key so the next commands do not ask.
///
/// The agent locks the journal after the idle timeout (default 10 minutes without use) and
/// at the absolute limit (default 2 hours), on suspend, and with `tend lock`; `tend config`
/// shows and sets both. The key stays inside the agent: commands send it sealed bytes to
/// open and plaintext to seal.
#[derive(Debug, Args)]
pub struct Unlock {}

impl Unlock {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let config = config::load()?;
        let path = ctx.journal_path()?;
        if let Some(journal) = sitting::open_held(&path)? {
            let id = journal.id();
            let held = sitting::client()?
                .and_then(|c| c.status().ok())
                .and_then(|s| s.journals.into_iter().find(|h| h.journal == id));
            match held {
                Some(h) => say!(
                    "{} is unlocked already: until {} unless used, {} at the latest.",
                    path.display(),
                    clock(h.idle_deadline),
                    clock(h.limit_deadline)
                ),
                None => say!("{} is unlocked already.", path.display()),
            }
            return super::done();
        }
        // Asked for here, so the agent starts whatever `start_on_unlock` says.
        let journal = ctx.open_local()?;
        let (idle, limit) = sitting::hand_over(&journal, &config)?;
        say!(
            "Unlocked {} for this sitting: until {} unless used, {} at the latest.",
            path.display(),
            clock(idle),
            clock(limit)
        );
        crate::note!("`tend lock` locks it now; `tend status` says until when.");
        super::done()
    }
}
