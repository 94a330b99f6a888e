//! `tend retreat roster`: a roster file as tend reads it, with its fingerprint, so the
//! facilitator and the circle can check it before a build.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::contribution::limits::clean_for_terminal;
use tend_core::retreat::Roster;
use tend_core::retreat::roster::MAX_ROSTER_BYTES;

use crate::context::Ctx;
use crate::failure::fail;
use crate::output::count_of;
use crate::say;

/// Show a roster file: its members and its fingerprint (the one the summary prints).
#[derive(Debug, Args)]
pub struct ShowRoster {
    /// The roster file: one `ed25519:… NAME` line per member, from `tend retreat join`
    #[arg(value_name = "FILE")]
    file: PathBuf,
}

impl ShowRoster {
    pub fn run(self, _ctx: &Ctx) -> Result<ExitCode> {
        let roster = read_roster(&self.file)?;
        say!(
            "Roster {}: {}.",
            self.file.display(),
            count_of(roster.len(), "member", "members")
        );
        for entry in roster.entries() {
            say!(
                "  {}  {}",
                entry.key.short(),
                clean_for_terminal(&entry.name)
            );
        }
        say!("Fingerprint: {}", roster.fingerprint());
        crate::commands::done()
    }
}

/// Reads and checks a roster file; any trouble is one line naming the file.
pub fn read_roster(path: &Path) -> Result<Roster> {
    let hint = "a roster holds one line per member, as `tend retreat join` prints it: \
                ed25519:… NAME";
    let size = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
    if size > MAX_ROSTER_BYTES as u64 {
        return Err(fail(format!("the roster {} is too large", path.display()))
            .hint(hint)
            .into());
    }
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(format!("could not read the roster {}: {e}", path.display())).hint(hint)
    })?;
    Roster::parse(&text).map_err(|e| fail(format!("{}: {e}", path.display())).hint(hint).into())
}
