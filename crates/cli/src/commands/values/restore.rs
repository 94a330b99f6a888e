//! `tend values restore`: a retired value, active again with the same id and meaning.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{change_pack, refused, typed};
use crate::context::Ctx;
use crate::say;

/// Make a retired value active again
///
/// It keeps its id and meaning, and new reflections can name it again.
#[derive(Debug, Args)]
pub struct Restore {
    /// The retired value's id (from `tend values list`)
    id: String,
}

impl Restore {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let id = typed(&self.id);
        let (pack, _) = change_pack(ctx, |pack| pack.restore(&id).map_err(refused))?;
        let name = pack.value(&id).map_or(id.as_str(), |v| v.name.as_str());
        say!("Restored `{id}` ({name}). New reflections can name it again.");
        crate::commands::done()
    }
}
