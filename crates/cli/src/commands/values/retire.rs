//! `tend values retire`: a value no longer offered, but never forgotten.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{change_pack, refused, typed};
use crate::context::Ctx;
use crate::say;

/// Retire a value: old reflections keep it, new ones can't name it
///
/// Reflections that name it show it as retired; `tend values restore` brings it back. The
/// last active value can't be retired.
#[derive(Debug, Args)]
pub struct Retire {
    /// The value's id (from `tend values list`)
    id: String,
}

impl Retire {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let id = typed(&self.id);
        let (pack, _) = change_pack(ctx, |pack| pack.retire(&id).map_err(refused))?;
        let name = pack.value(&id).map_or(id.as_str(), |v| v.name.as_str());
        say!("Retired `{id}` ({name}). Reflections that name it keep it; new ones can't name it.");
        crate::commands::done()
    }
}
