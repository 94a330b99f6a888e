//! `tend status`: whether the journal is unlocked, which one, and until when. Looking does
//! not count as use, so it never keeps a journal unlocked longer.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_store::{Journal, OpenOptions};

use crate::context::Ctx;
use crate::say;
use crate::sitting::{self, clock};

/// Say whether the journal is unlocked for this sitting, and until when
#[derive(Debug, Args)]
pub struct Status {}

fn hex(id: &[u8; 16]) -> String {
    id.iter().map(|b| format!("{b:02x}")).collect()
}

impl Status {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let path = ctx.journal_path()?;
        let this = path
            .exists()
            .then(|| Journal::probe(&path, &OpenOptions::default()).ok())
            .flatten();
        let (held, pid) = match sitting::client()? {
            None => (Vec::new(), None),
            Some(client) => {
                let s = client.status()?;
                (s.journals, Some(s.pid))
            }
        };
        match held.iter().find(|h| Some(h.journal) == this) {
            Some(h) => say!(
                "Unlocked: {} (journal {}), until {} unless used, {} at the latest.",
                path.display(),
                &hex(&h.journal)[..8],
                clock(h.idle_deadline),
                clock(h.limit_deadline)
            ),
            None if this.is_some() => say!(
                "Locked: {}. `tend unlock` unlocks it for this sitting.",
                path.display()
            ),
            None => say!("There is no journal at {}.", path.display()),
        }
        for h in held.iter().filter(|h| Some(h.journal) != this) {
            say!(
                "Also unlocked: {} (journal {}), until {} unless used, {} at the latest.",
                h.label,
                &hex(&h.journal)[..8],
                clock(h.idle_deadline),
                clock(h.limit_deadline)
            );
        }
        if let Some(pid) = pid {
            crate::note!("The tend agent is process {pid}; `tend lock` locks everything it holds.");
        }
        super::done()
    }
}
