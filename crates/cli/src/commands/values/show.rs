//! `tend values show`: one value, in full.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::commands::list::warn_damaged;
use crate::context::Ctx;
use crate::output::{BOLD, DIM, paint};
use crate::say;

/// One value: its description, its prompts, and how many reflections name it
///
/// Also says whether it is retired. Counting reads only the journal's index, never a
/// reflection's text.
#[derive(Debug, Args)]
pub struct Show {
    /// The value's id (from `tend values list`)
    id: String,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

impl Show {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let mut pack = journal.pack()?;
        // value_mut rather than value, for its error: it suggests the nearest id among
        // retired values too.
        let value = pack
            .value_mut(self.id.trim())
            .map_err(super::refused)?
            .clone();
        // The index holds each reflection's values, so counting opens no reflection's text.
        let scan = journal.entries()?;
        let naming = scan
            .records
            .iter()
            .filter(|(_, e)| e.values.iter().any(|v| v.value == value.id))
            .count();
        if self.json {
            crate::output::print_json(&json!({
                "id": value.id,
                "name": value.name,
                "description": value.description,
                "prompts": value.prompts,
                "retired": value.retired,
                "reflections": naming,
            }))?;
        } else {
            let state = if value.retired { " (retired)" } else { "" };
            say!(
                "{}  {}",
                paint(BOLD, format!("{}{state}", value.name)),
                paint(DIM, &value.id)
            );
            say!("{}", value.description);
            if !value.prompts.is_empty() {
                say!("");
                say!("Prompts:");
                for prompt in &value.prompts {
                    say!("  - {prompt}");
                }
            }
            say!("");
            let reflections = match naming {
                0 => "No reflections name it yet.".to_owned(),
                1 => "1 reflection names it.".to_owned(),
                n => format!("{n} reflections name it."),
            };
            say!("{reflections}");
            if value.retired {
                say!(
                    "{}",
                    paint(
                        DIM,
                        format!(
                            "Retired: old reflections keep it, new ones can't name it. \
                             `tend values restore {}` brings it back.",
                            value.id
                        )
                    )
                );
            }
        }
        if !scan.damaged.is_empty() {
            let names = crate::handles::Names::of::<tend_core::reflection::Reflection>(&journal)?;
            warn_damaged(&names, &scan.damaged);
        }
        crate::commands::done()
    }
}
