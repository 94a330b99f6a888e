//! `tend edit`: change a reflection.

use std::io::{IsTerminal, Read};
use std::process::ExitCode;

use anyhow::{Context, Result};
use clap::Args;
use tend_core::id::IdQuery;
use tend_core::reflection::{Reflection, ValueRating, normalise_tags};
use tend_core::text;

use crate::context::Ctx;
use crate::failure::fail;
use crate::{editor, say, values_arg};

/// Change a reflection. With no flags it opens in your editor (or reads new text from a
/// pipe); flags change only what they name.
#[derive(Debug, Args)]
pub struct Edit {
    /// The reflection's handle (from `tend list`), or its number from before the upgrade
    id: IdQuery,
    /// Replace the text with this
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// Set the values (replaces them all): -v equity=4 -v repair
    #[arg(short = 'v', long = "value", value_name = "VALUE[=RATING]", value_parser = values_arg::parse)]
    values: Vec<ValueRating>,
    /// Remove every value
    #[arg(long, conflicts_with = "values")]
    clear_values: bool,
    /// Set the tags (replaces them all)
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// Remove every tag
    #[arg(long, conflicts_with = "tags")]
    clear_tags: bool,
    /// Move it to another day
    #[arg(long, value_name = "DATE")]
    on: Option<String>,
    /// Set the content note
    #[arg(long, value_name = "TEXT")]
    content_note: Option<String>,
    /// Remove the content note
    #[arg(long, conflicts_with = "content_note")]
    clear_content_note: bool,
}

impl Edit {
    fn changes_metadata(&self) -> bool {
        !self.values.is_empty()
            || self.clear_values
            || !self.tags.is_empty()
            || self.clear_tags
            || self.on.is_some()
            || self.content_note.is_some()
            || self.clear_content_note
    }

    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let on = ctx.opt_date(self.on.as_deref())?;
        let journal = ctx.open()?;
        let id = journal.resolve::<Reflection>(&self.id)?;
        let handle = crate::handles::handle_of::<Reflection>(&journal, id)?;
        let pack = journal.pack()?;
        let mut r: Reflection = journal.get(id)?;
        let before = r.clone();
        if !self.values.is_empty() {
            r.values = values_arg::check(&pack, &self.values)?;
        }
        if self.clear_values {
            r.values.clear();
        }
        if !self.tags.is_empty() {
            r.tags = normalise_tags(&self.tags);
        }
        if self.clear_tags {
            r.tags.clear();
        }
        if let Some(d) = on {
            r.on = d;
        }
        if let Some(n) = &self.content_note {
            r.content_note = Some(n.trim().to_owned()).filter(|n| !n.is_empty());
        }
        if self.clear_content_note {
            r.content_note = None;
        }
        let new_text = if let Some(t) = &self.text {
            Some(t.trim().to_owned())
        } else if self.changes_metadata() {
            None
        } else if !std::io::stdin().is_terminal() {
            let mut s = String::new();
            std::io::stdin()
                .read_to_string(&mut s)
                .context("could not read the new text from stdin")?;
            Some(s.trim().to_owned())
        } else {
            let heading = format!("Editing reflection {handle} ({})", r.on);
            let edited =
                editor::edit(&super::write::template(&pack, &r.text, &r.values, &heading))?;
            Some(text::strip_comments(&edited))
        };
        if let Some(t) = new_text {
            if t.is_empty() {
                return Err(fail("the new text is empty, so nothing was changed")
                    .hint(format!(
                        "to remove the reflection, use `tend delete {handle}`"
                    ))
                    .into());
            }
            r.text = t;
        }
        if r == before {
            say!("Nothing changed in reflection {handle}.");
            return super::done();
        }
        r.edited = Some(ctx.now());
        ctx.save_or_unlock(journal, |j| j.put(id, &r))?;
        say!("Updated reflection {handle}.");
        super::done()
    }
}
