//! `tend show`: one reflection.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::id::IdQuery;
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;

use crate::context::Ctx;
use crate::output::{ACCENT, BOLD, DIM, paint};
use crate::say;

/// Show one reflection. One with a content note shows only the note until --reveal.
#[derive(Debug, Args)]
pub struct Show {
    /// The reflection's handle (from `tend list`), or its number from before the upgrade
    id: IdQuery,
    /// Show the text even when it carries a content note
    #[arg(long)]
    reveal: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// How a value reads on a reflection: its name, rating and the rating's word; retired and
/// unknown values are said to be so.
pub fn value_label(pack: &ValuesPack, id: &str, rating: Option<u8>) -> String {
    let (name, state) = match pack.value(id) {
        Some(v) if v.retired => (v.name.clone(), " (retired)"),
        Some(v) => (v.name.clone(), ""),
        None => (id.to_owned(), " (not in this pack)"),
    };
    match rating {
        Some(r) => match pack.scale.word(r) {
            Some(word) => format!("{name}{state}: {r} — {word}"),
            None => format!("{name}{state}: {r}"),
        },
        None => format!("{name}{state}"),
    }
}

impl Show {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let id = journal.resolve::<Reflection>(&self.id)?;
        let r: Reflection = journal.get(id)?;
        let names = crate::handles::Names::one::<Reflection>(&journal, id)?;
        let handle = names.handle(id);
        let hidden = r.content_note.is_some() && !self.reveal;
        let others = other_versions(&journal, &names, id)?;
        if self.json {
            let mut value = serde_json::to_value(&r)?;
            if hidden {
                value["text"] = serde_json::Value::Null;
            }
            names.name_json(&mut value, id);
            if !others.is_empty() {
                value["other_versions"] = others
                    .iter()
                    .map(|o| {
                        if hidden {
                            serde_json::Value::Null
                        } else {
                            o.text.clone().into()
                        }
                    })
                    .collect();
            }
            crate::output::print_json(&value)?;
            return super::done();
        }
        let pack = journal.pack()?;
        say!(
            "{}",
            paint(
                BOLD,
                format!("Reflection {handle} · {}", r.on.format("%A %-d %B %Y"))
            )
        );
        for v in &r.values {
            say!(
                "  {}",
                paint(ACCENT, value_label(&pack, &v.value, v.rating))
            );
        }
        if !r.tags.is_empty() {
            let tags: Vec<String> = r.tags.iter().map(|t| format!("#{t}")).collect();
            say!("  {}", paint(DIM, tags.join(" ")));
        }
        let mut written = format!(
            "written {}",
            r.written
                .with_timezone(&chrono::Local)
                .format("%Y-%m-%d %H:%M")
        );
        if let Some(e) = r.edited {
            written.push_str(&format!(
                ", changed {}",
                e.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
            ));
        }
        say!("  {}", paint(DIM, written));
        say!("");
        if !others.is_empty() {
            say!(
                "{}",
                paint(
                    BOLD,
                    format!(
                        "Version 1 of {}: written apart on two devices, {} kept until you choose (`tend sync resolve {handle}`)",
                        others.len() + 1,
                        if others.len() == 1 { "both" } else { "all" }
                    )
                )
            );
        }
        match (&r.content_note, hidden) {
            (Some(note), true) => {
                say!("Content note: {note}");
                say!(
                    "{}",
                    paint(
                        DIM,
                        format!(
                            "The text is hidden. `tend show {handle} --reveal` shows it, when you choose."
                        )
                    )
                );
            }
            (Some(note), false) => {
                say!("Content note: {note}");
                say!("");
                say!("{}", r.text);
            }
            (None, _) => say!("{}", r.text),
        }
        for (i, other) in others.iter().enumerate() {
            say!("");
            say!(
                "{}",
                paint(BOLD, format!("Version {} of {}", i + 2, others.len() + 1))
            );
            if hidden {
                say!("{}", paint(DIM, "Hidden with the rest, until --reveal."));
            } else {
                say!("{}", other.text);
            }
        }
        super::done()
    }
}

/// The versions of reflection `number` made on another device and not yet chosen between
/// (sync keeps both until the member chooses).
fn other_versions(
    journal: &tend_store::Journal,
    names: &crate::handles::Names,
    number: u64,
) -> Result<Vec<Reflection>> {
    let (Some(state), Some(id)) = (crate::syncing::State::load(journal)?, names.id(number)) else {
        return Ok(Vec::new());
    };
    let key = tend_store::sync_support::item_key::<Reflection>(id);
    Ok(crate::syncing::other_versions(&state, &key)
        .iter()
        .filter_map(|b| serde_json::from_slice(b).ok())
        .collect())
}
