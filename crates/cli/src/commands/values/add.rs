//! `tend values add`: a new value, with an id that will mean it for good.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::pack::Value;

use super::{change_pack, refused, typed};
use crate::context::Ctx;
use crate::say;

/// Add a new value to the journal's pack
///
/// Its id can never be reused for anything else, retired or not, so choose one that will
/// keep meaning this value. New reflections can name it at once.
#[derive(Debug, Args)]
pub struct Add {
    /// The new value's id: lowercase letters, digits and single hyphens, such as `mutual-aid`
    id: String,
    /// The name people see (it can change later)
    #[arg(long, value_name = "NAME")]
    name: String,
    /// A sentence or two on what living this value looks like
    #[arg(long, value_name = "TEXT")]
    description: String,
    /// A reflection question (repeatable; each one can be skipped)
    #[arg(long = "prompt", value_name = "QUESTION")]
    prompts: Vec<String>,
}

impl Add {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let value = Value {
            id: typed(&self.id),
            name: typed(&self.name),
            description: typed(&self.description),
            prompts: self.prompts.iter().map(|p| typed(p)).collect(),
            retired: false,
        };
        // Checked before unlocking, so a mistyped id or an empty name leaves the journal
        // file exactly as it was. Whether the id is free is the pack's to say.
        value.check().map_err(refused)?;
        let (id, name) = (value.id.clone(), value.name.clone());
        change_pack(ctx, |pack| pack.add_value(value).map_err(refused))?;
        say!("Added `{id}` ({name}). New reflections can name it now.");
        crate::commands::done()
    }
}
