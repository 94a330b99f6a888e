//! `tend values rename`: a new name for a value; the id keeps its meaning.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{change_pack, refused, typed};
use crate::context::Ctx;
use crate::say;

/// Give a value a new name; its id, and what it means, stay the same
///
/// Every reflection that names the value shows the new name.
#[derive(Debug, Args)]
pub struct Rename {
    /// The value's id (from `tend values list`)
    id: String,
    /// The new name
    name: String,
}

impl Rename {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let (id, name) = (typed(&self.id), typed(&self.name));
        let mut old = String::new();
        let (_, changed) = change_pack(ctx, |pack| {
            old = pack.value_mut(&id).map_err(refused)?.name.clone();
            pack.rename(&id, &name).map_err(refused)
        })?;
        if changed {
            say!(
                "Renamed `{id}` from {old} to {name}. Reflections that name it show the new name."
            );
        } else {
            say!("`{id}` is already called {name}; nothing changed.");
        }
        crate::commands::done()
    }
}
