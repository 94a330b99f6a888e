//! `tend values export`: the journal's pack as a TOML file to share.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::context::Ctx;
use crate::files::write_private;
use crate::say;

/// Write the journal's values pack out as a TOML file to share
///
/// Retired values are included, so the file keeps every id's meaning. `tend values import`
/// and `tend init --pack` read it back; the fingerprint is noted in a comment at the top.
#[derive(Debug, Args)]
pub struct Export {
    /// Write to this file instead of stdout
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long)]
    force: bool,
}

impl Export {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let pack = ctx.open()?.pack()?;
        let toml = pack.to_toml();
        match &self.output {
            Some(path) => {
                write_private(path, toml.as_bytes(), self.force)?;
                say!(
                    "Wrote {} to {} (fingerprint {}).",
                    pack.meta.name,
                    path.display(),
                    pack.fingerprint()
                );
            }
            None => crate::output::out_raw(toml.as_bytes()),
        }
        crate::commands::done()
    }
}
