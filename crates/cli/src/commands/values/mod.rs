//! `tend values`: see, change, import and check the values pack a journal reflects against.
//!
//! Each subcommand has its own file. Every change is one `set_pack` call, so it is one
//! durable transaction; a refused change never reaches the journal at all.

use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use tend_core::pack::{PackEditError, ValuesPack};

use crate::context::Ctx;
use crate::failure::fail;
use crate::output::{BOLD, DIM, paint};
use crate::say;

mod add;
mod check;
mod edit;
mod export;
mod import;
mod list;
mod packs;
mod rename;
mod restore;
mod retire;
mod show;

/// See, change, import and check the values pack.
///
/// Each subcommand's help is the doc comment on its own struct, in its own file.
#[derive(Debug, Subcommand)]
pub enum ValuesCommand {
    List(list::List),
    Show(show::Show),
    Packs(packs::Packs),
    Add(add::Add),
    Edit(edit::Edit),
    Rename(rename::Rename),
    Retire(retire::Retire),
    Restore(restore::Restore),
    Export(export::Export),
    Import(import::Import),
    Check(check::Check),
}

impl ValuesCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            ValuesCommand::List(c) => c.run(ctx),
            ValuesCommand::Show(c) => c.run(ctx),
            ValuesCommand::Packs(c) => c.run(),
            ValuesCommand::Add(c) => c.run(ctx),
            ValuesCommand::Edit(c) => c.run(ctx),
            ValuesCommand::Rename(c) => c.run(ctx),
            ValuesCommand::Retire(c) => c.run(ctx),
            ValuesCommand::Restore(c) => c.run(ctx),
            ValuesCommand::Export(c) => c.run(ctx),
            ValuesCommand::Import(c) => c.run(ctx),
            ValuesCommand::Check(c) => c.run(),
        }
    }
}

/// Changes the journal's pack with `change` and saves it in one transaction, returning the
/// pack as saved. Nothing is written when `change` refuses, or when it changes nothing
/// (then the second part is `false`).
fn change_pack(
    ctx: &Ctx,
    change: impl FnOnce(&mut ValuesPack) -> Result<()>,
) -> Result<(ValuesPack, bool)> {
    let journal = ctx.open()?;
    let before = journal.pack()?;
    let mut pack = before.clone();
    change(&mut pack)?;
    if pack == before {
        return Ok((pack, false));
    }
    journal.set_pack(&pack)?;
    Ok((pack, true))
}

/// A change the pack refused, as one line and what to do instead.
fn refused(error: PackEditError) -> anyhow::Error {
    let hint = match &error {
        PackEditError::MalformedId { .. } => {
            "nothing was changed; an id looks like `equity` or `anti-oppression`, and it never changes meaning".to_owned()
        }
        PackEditError::DuplicateId { id, retired: true } => {
            format!("to bring it back, `tend values restore {id}`; for a different value, choose a new id")
        }
        PackEditError::DuplicateId { id, retired: false } => {
            format!("`tend values edit {id}` changes its words; a different value needs a new id")
        }
        PackEditError::UnknownId { .. } => {
            "`tend values list` shows every value, and which are retired".to_owned()
        }
        PackEditError::LastActive { .. } => {
            "`tend values add` or `tend values restore` another value first".to_owned()
        }
        PackEditError::AlreadyRetired { id } => {
            format!("nothing needed changing; `tend values restore {id}` brings it back")
        }
        PackEditError::NotRetired { .. } => {
            "nothing needed changing; new reflections can already name it".to_owned()
        }
        _ => "nothing was changed".to_owned(),
    };
    fail(error.to_string()).hint(hint).into()
}

/// Prints what a pack holds: name, fingerprint, scale words, then the active values and
/// the retired ones, marked. Shared by `list` and `check`.
fn print_pack(pack: &ValuesPack) {
    say!(
        "{}  {}",
        paint(BOLD, &pack.meta.name),
        paint(DIM, format!("version {}", pack.meta.version))
    );
    say!("Fingerprint: {}", pack.fingerprint());
    say!("Scale: {}", scale_line(pack));
    say!("");
    let width = pack.values.iter().map(|v| v.id.len()).max().unwrap_or(0);
    for value in pack.active() {
        say!("  {:width$}  {}", value.id, value.name);
    }
    for value in pack.values.iter().filter(|v| v.retired) {
        say!(
            "  {}  {} {}",
            paint(DIM, format!("{:width$}", value.id)),
            value.name,
            paint(DIM, "(retired)")
        );
    }
}

/// The scale as people read it: `1 not this week · 2 a little · …`.
fn scale_line(pack: &ValuesPack) -> String {
    (pack.scale.min..=pack.scale.max)
        .map(|n| format!("{n} {}", pack.scale.word(n).unwrap_or("")))
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Trims text typed on the command line; the pack's own checks catch what is left empty.
fn typed(text: &str) -> String {
    text.trim().to_owned()
}
