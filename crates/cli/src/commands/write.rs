//! `tend write`: save a reflection.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Reflection, ValueRating, normalise_tags};
use tend_core::text;

use crate::context::Ctx;
use crate::failure::fail;
use crate::{editor, say, values_arg};

/// Write a reflection: from the arguments, from stdin when piped, or in $VISUAL/$EDITOR with
/// your values' prompts as a guide.
#[derive(Debug, Args)]
pub struct Write {
    /// The reflection's text (leave out to use stdin or your editor)
    text: Vec<String>,
    /// A value it touches, with an optional alignment rating: -v equity or -v equity=4
    #[arg(short = 'v', long = "value", value_name = "VALUE[=RATING]", value_parser = values_arg::parse)]
    values: Vec<ValueRating>,
    /// A tag of your own (repeatable)
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// The day it is about: 2026-03-14, yesterday, "3 days ago", monday… [default: today]
    #[arg(long, value_name = "DATE")]
    on: Option<String>,
    /// A note shown in place of the text until you choose to read it
    #[arg(long, value_name = "TEXT")]
    content_note: Option<String>,
}

/// The editor template for a reflection touching `values` (all active values when empty).
pub fn template(pack: &ValuesPack, body: &str, values: &[ValueRating], heading: &str) -> String {
    let chosen: Vec<_> = if values.is_empty() {
        pack.active().collect()
    } else {
        values.iter().filter_map(|v| pack.value(&v.value)).collect()
    };
    let prompts: Vec<(String, Vec<String>)> = chosen
        .iter()
        .map(|v| (v.name.clone(), v.prompts.clone()))
        .collect();
    text::editor_template(body, heading, &prompts)
}

impl Write {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let on = ctx.opt_date(self.on.as_deref())?.unwrap_or(ctx.today());
        // Unlock first, so a wrong passphrase never costs a written text.
        let journal = ctx.open_or_offer()?;
        let pack = journal.pack()?;
        let values = values_arg::check(&pack, &self.values)?;
        let text = if !self.text.is_empty() {
            self.text.join(" ").trim().to_owned()
        } else if !std::io::stdin().is_terminal() {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("could not read the reflection from stdin")?;
            s.trim().to_owned()
        } else {
            let heading = format!("New reflection for {on}");
            let edited = editor::edit(&template(&pack, "", &values, &heading))?;
            text::strip_comments(&edited)
        };
        if text.is_empty() {
            return Err(fail("the reflection is empty, so nothing was saved")
                .hint("write some text, or pipe it in: echo \"…\" | tend write")
                .into());
        }
        let mut reflection = Reflection::new(text, on, ctx.now());
        reflection.values = values;
        reflection.tags = normalise_tags(&self.tags);
        reflection.content_note = self
            .content_note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        let (journal, id) = ctx.save_or_unlock(journal, |j| j.add(&reflection))?;
        let handle = crate::handles::handle_of::<Reflection>(&journal, id)?;
        say!("Saved reflection {handle} for {on}.");
        super::done()
    }
}
