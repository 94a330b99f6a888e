//! `tend values check`: read a pack file exactly as `init` and `import` would, and say
//! what it holds or where it goes wrong. Needs no journal, so it never asks to unlock.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::commands::init::load_pack;
use crate::note;

/// Check a values pack file without changing anything (no journal needed)
///
/// Prints the pack's name, scale, values and fingerprint; or says what is wrong, on which
/// line, and what to do, and exits with status 1. It reads the file exactly as `tend init
/// --pack` and `tend values import` would.
#[derive(Debug, Args)]
pub struct Check {
    /// The pack: a TOML file, or a built-in name (see `tend values packs`)
    #[arg(value_name = "FILE|NAME")]
    pack: String,
}

impl Check {
    pub fn run(self) -> Result<ExitCode> {
        let pack = load_pack(&self.pack)?;
        super::print_pack(&pack);
        note!(
            "This pack reads well: `tend init --pack {0}` starts a journal with it, and `tend values import {0}` takes it into yours.",
            self.pack
        );
        crate::commands::done()
    }
}
