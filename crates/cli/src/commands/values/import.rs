//! `tend values import`: take in a newer version of the pack, after showing what would
//! change and asking. Values the newer pack leaves out are retired, never deleted.

use std::collections::HashMap;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::pack::{PackDiff, ValuesPack};

use super::scale_line;
use crate::commands::init::load_pack;
use crate::context::Ctx;
use crate::failure::fail;
use crate::output::{DIM, paint};
use crate::{note, prompt, say};

/// Take in a newer version of the pack, after showing what would change
///
/// Shows the values that would be added, retired, restored or reworded, and asks first.
/// Values the file leaves out are retired, never deleted, so old reflections keep their
/// meaning. Without a terminal, nothing changes unless you add --yes; --dry-run only shows.
#[derive(Debug, Args)]
pub struct Import {
    /// The pack: a TOML file, or a built-in name (see `tend values packs`)
    #[arg(value_name = "FILE|NAME")]
    pack: String,
    /// Do not ask (needed when there is no terminal)
    #[arg(long, short = 'y', conflicts_with = "dry_run")]
    yes: bool,
    /// Only show what would change
    #[arg(long)]
    dry_run: bool,
}

impl Import {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        // Everything that can be refused is refused before unlocking, so a refused import
        // leaves the journal file exactly as it was.
        let newer = load_pack(&self.pack)?;
        if !self.yes && !self.dry_run && !prompt::interactive() {
            return Err(fail("importing a pack needs a yes, and there is no terminal to ask on")
                .hint(format!(
                    "`tend values import {0} --dry-run` shows what would change; add --yes to take it in",
                    self.pack
                ))
                .into());
        }
        let journal = ctx.open()?;
        let mut pack = journal.pack()?;
        let diff = pack.diff(&newer);
        if diff.is_empty() {
            say!(
                "Your journal already holds this pack (fingerprint {}); nothing to change.",
                pack.fingerprint()
            );
            return crate::commands::done();
        }
        let naming = reflections_naming(&journal, &diff.retired)?;
        show(&pack, &newer, &diff, &naming);
        if self.dry_run {
            note!("Nothing was changed (--dry-run).");
            return crate::commands::done();
        }
        if !self.yes && !prompt::confirm("Take in these changes?", false)? {
            say!("Kept your values pack as it was.");
            return crate::commands::done();
        }
        pack.apply_import(&newer);
        journal.set_pack(&pack)?;
        let counts = [
            (diff.added.len(), "added"),
            (diff.retired.len(), "retired"),
            (diff.restored.len(), "restored"),
            (diff.changed.len(), "reworded"),
        ];
        let counts: Vec<String> = counts
            .iter()
            .filter(|(n, _)| *n > 0)
            .map(|(n, what)| format!("{n} {what}"))
            .collect();
        let counts = if counts.is_empty() {
            String::new()
        } else {
            format!(" ({})", counts.join(", "))
        };
        say!(
            "Took in {}{counts}. Fingerprint now {}.",
            pack.meta.name,
            pack.fingerprint()
        );
        let kept = pack.values.len().saturating_sub(newer.values.len());
        if kept > 0 {
            note!(
                "Your journal keeps {} the file leaves out, so reflections that \
                 name them still read. Retired values do not count towards the fingerprint.",
                crate::output::count_of(kept, "retired value", "retired values")
            );
        }
        crate::commands::done()
    }
}

/// How many reflections name each of `ids`, from the index (no reflection's text is opened).
fn reflections_naming(
    journal: &tend_store::Journal,
    ids: &[String],
) -> Result<HashMap<String, usize>> {
    let mut counts = HashMap::new();
    if ids.is_empty() {
        return Ok(counts);
    }
    for (_, entry) in journal.entries()?.records {
        for value in entry.values.iter().filter(|v| ids.contains(&v.value)) {
            *counts.entry(value.value.clone()).or_insert(0) += 1;
        }
    }
    Ok(counts)
}

/// Prints, one line each, what importing `newer` would change in `pack`.
fn show(pack: &ValuesPack, newer: &ValuesPack, diff: &PackDiff, naming: &HashMap<String, usize>) {
    let width = pack
        .values
        .iter()
        .chain(&newer.values)
        .map(|v| v.id.len())
        .max()
        .unwrap_or(0);
    let name = |p: &ValuesPack, id: &str| p.value(id).map_or(String::new(), |v| v.name.clone());
    let line = |what: &str, id: &str, rest: String| {
        say!("  {what:<8} {id:width$}  {rest}");
    };
    say!(
        "Taking in {} (version {}) would:",
        newer.meta.name,
        newer.meta.version
    );
    for id in &diff.added {
        line("add", id, name(newer, id));
    }
    for id in &diff.retired {
        let why = if newer.value(id).is_some() {
            "retired in the new pack"
        } else {
            "the new pack leaves it out"
        };
        let keep = match naming.get(id).copied().unwrap_or(0) {
            0 => String::new(),
            1 => "; 1 reflection names it and keeps it".to_owned(),
            n => format!("; {n} reflections name it and keep it"),
        };
        line(
            "retire",
            id,
            format!(
                "{}  {}",
                name(pack, id),
                paint(DIM, format!("({why}{keep})"))
            ),
        );
    }
    for id in &diff.restored {
        line("restore", id, name(newer, id));
    }
    for change in &diff.changed {
        let mut parts = Vec::new();
        if let Some((old, new)) = &change.name {
            parts.push(format!("name {old} → {new}"));
        }
        if change.description_changed {
            parts.push("description".to_owned());
        }
        if change.prompts_changed {
            let count = |p: &ValuesPack| p.value(&change.id).map_or(0, |v| v.prompts.len());
            parts.push(format!("prompts ({} → {})", count(pack), count(newer)));
        }
        line("change", &change.id, parts.join("; "));
    }
    if diff.meta_changed {
        let (old, new) = (&pack.meta, &newer.meta);
        let mut parts = Vec::new();
        if old.name != new.name {
            parts.push(format!("name {} → {}", old.name, new.name));
        }
        if old.version != new.version {
            parts.push(format!("version {} → {}", old.version, new.version));
        }
        if old.description != new.description {
            parts.push("description".to_owned());
        }
        if old.language != new.language {
            parts.push(format!("language {} → {}", old.language, new.language));
        }
        say!("  change   the pack's {}", parts.join("; "));
    }
    if diff.scale_changed {
        say!("  change   the scale, from: {}", scale_line(pack));
        say!("                        to: {}", scale_line(newer));
        if (pack.scale.min, pack.scale.max) != (newer.scale.min, newer.scale.max) {
            say!(
                "           {}",
                paint(
                    DIM,
                    "(ratings already given keep their numbers, chosen on the old scale)"
                )
            );
        }
    }
    if diff.repair_changed {
        say!("  change   the repair prompts");
    }
}
