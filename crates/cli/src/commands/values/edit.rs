//! `tend values edit`: a value's words, changed in place; its id never changes.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use super::{change_pack, refused, typed};
use crate::context::Ctx;
use crate::failure::fail;
use crate::say;

/// Change a value's name, description or prompts (its id stays the same)
///
/// --prompt adds a prompt at the end; with --clear-prompts it replaces them. If a value's
/// meaning really changes, retire it and add a new value with a new id instead.
#[derive(Debug, Args)]
pub struct Edit {
    /// The value's id (from `tend values list`)
    id: String,
    /// A new name
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// A new description
    #[arg(long, value_name = "TEXT")]
    description: Option<String>,
    /// Add a reflection question at the end (repeatable)
    #[arg(long = "prompt", value_name = "QUESTION")]
    prompts: Vec<String>,
    /// Remove the value's prompts first (with --prompt: replace them)
    #[arg(long)]
    clear_prompts: bool,
}

impl Edit {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        if self.name.is_none()
            && self.description.is_none()
            && self.prompts.is_empty()
            && !self.clear_prompts
        {
            return Err(fail("there is nothing to change yet")
                .hint("add --name, --description, --prompt or --clear-prompts")
                .into());
        }
        let id = typed(&self.id);
        let mut what = Vec::new();
        let (_, changed) = change_pack(ctx, |pack| {
            let value = pack.value_mut(&id).map_err(refused)?;
            let before = value.clone();
            if let Some(name) = &self.name {
                value.name = typed(name);
            }
            if let Some(description) = &self.description {
                value.description = typed(description);
            }
            if self.clear_prompts {
                value.prompts.clear();
            }
            value.prompts.extend(self.prompts.iter().map(|p| typed(p)));
            value.check().map_err(refused)?;
            if value.name != before.name {
                what.push("name");
            }
            if value.description != before.description {
                what.push("description");
            }
            if value.prompts != before.prompts {
                what.push("prompts");
            }
            Ok(())
        })?;
        if changed {
            say!("Changed the {} of `{id}`.", and_list(&what));
        } else {
            say!("`{id}` already reads that way; nothing changed.");
        }
        crate::commands::done()
    }
}

/// `a`, `a and b`, `a, b and c`.
fn and_list(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [only] => (*only).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}
