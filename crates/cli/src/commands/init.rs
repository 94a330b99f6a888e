//! `tend init`: create a journal.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::pack::ValuesPack;

use crate::context::Ctx;
use crate::failure::fail;
use crate::{note, say};

/// Create a journal, unlocked by a passphrase (asked twice) or by --identity.
#[derive(Debug, Args)]
pub struct Init {
    /// The values pack to start with: a built-in name (see `tend values packs`) or a TOML file
    #[arg(long, value_name = "FILE|NAME", default_value = "default")]
    pack: String,
    /// Read the new passphrase from this file instead of asking
    #[arg(long, value_name = "FILE")]
    passphrase_file: Option<PathBuf>,
}

/// Loads a pack named on the command line: a built-in name, or a path to a TOML file.
pub fn load_pack(name_or_file: &str) -> Result<ValuesPack> {
    if let Some(pack) = ValuesPack::builtin(name_or_file) {
        return Ok(pack);
    }
    let path = std::path::Path::new(name_or_file);
    if !path.exists() {
        return Err(fail(format!(
            "there is no built-in pack or file called {name_or_file:?}"
        ))
        .hint(format!(
            "the built-in packs are: {}",
            ValuesPack::builtin_names().join(", ")
        ))
        .into());
    }
    let source = std::fs::read_to_string(path).map_err(|e| {
        fail(format!("could not read {}: {e}", path.display()))
            .hint("a values pack is a text file in TOML; see docs/values-packs.md for the format")
    })?;
    ValuesPack::parse(&source).map_err(|e| {
        let hint = e
            .hint
            .clone()
            .unwrap_or_else(|| "see docs/values-packs.md for the format".to_owned());
        fail(format!("{}: {e}", path.display())).hint(hint).into()
    })
}

impl Init {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let pack = load_pack(&self.pack)?;
        let journal = ctx.create(&pack, self.passphrase_file.as_deref())?;
        say!("Created a journal at {}.", journal.path().display());
        say!(
            "Values pack: {} ({} values, fingerprint {}).",
            pack.meta.name,
            pack.active().count(),
            pack.fingerprint()
        );
        note!("Write your first reflection with `tend write`, or be guided with `tend reflect`.");
        super::done()
    }
}
