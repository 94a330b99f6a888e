//! `tend reflect`: a guided reflection, one question at a time on the terminal.
//!
//! Every question can be skipped with Enter; `:q` leaves at once and keeps nothing. Nothing
//! is saved until the member has seen exactly what will be kept and said yes.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::pack::{Scale, Value, ValuesPack};
use tend_core::reflection::{Reflection, ValueRating, normalise_tags};

use crate::context::Ctx;
use crate::failure::fail;
use crate::output::{ACCENT, BOLD, DIM, paint};
use crate::{note, prompt, say, values_arg};

/// What typed alone at any question leaves at once, saving nothing.
const LEAVE: &str = ":q";

/// Be asked your values' prompts one at a time on the terminal, then see what will be saved
/// and say yes.
#[derive(Debug, Args)]
#[command(
    after_help = "Press Enter to skip any question; type :q to leave at once and save \
nothing. At the end you see exactly what will be saved, may give an alignment rating for each \
value (or skip it), and are asked before anything is kept. Needs a terminal: without one, use \
`tend write`."
)]
pub struct Reflect {
    /// A value to reflect on (repeatable) [default: every active value]
    #[arg(short = 'v', long = "value", value_name = "VALUE")]
    values: Vec<String>,
    /// The day it is about: 2026-03-14, yesterday, "3 days ago", monday… [default: today]
    #[arg(long, value_name = "DATE")]
    on: Option<String>,
    /// A tag of your own (repeatable)
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    tags: Vec<String>,
    /// A note shown in place of the text until you choose to read it
    #[arg(long, value_name = "TEXT")]
    content_note: Option<String>,
}

/// How one question was answered.
enum Answer {
    Text(String),
    Skipped,
    Leave,
}

fn ask(question: &str) -> Result<Answer> {
    // End of input (Ctrl-D) is taken as leaving: nothing half-finished is kept.
    let Some(line) = prompt::line(question)? else {
        return Ok(Answer::Leave);
    };
    let answer = line.trim();
    Ok(match answer {
        LEAVE => Answer::Leave,
        "" => Answer::Skipped,
        _ => Answer::Text(answer.to_owned()),
    })
}

fn left() -> Result<ExitCode> {
    note!("You left the reflection. Nothing was saved.");
    super::done()
}

/// The scale in words, for the rating question: "1 not this week · 2 a little · …".
fn scale_words(scale: &Scale) -> String {
    (scale.min..=scale.max)
        .map(|n| {
            format!("{n} {}", scale.word(n).unwrap_or(""))
                .trim_end()
                .to_owned()
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Asks for an optional rating until one on the scale, Enter or `:q` comes back.
fn ask_rating(value: &Value, scale: &Scale) -> Result<Option<Option<u8>>> {
    let question = format!("Alignment rating for {} (Enter skips): ", value.name);
    loop {
        match ask(&question)? {
            Answer::Leave => return Ok(None),
            Answer::Skipped => return Ok(Some(None)),
            Answer::Text(t) => match t.parse::<u8>() {
                Ok(r) if scale.contains(r) => return Ok(Some(Some(r))),
                _ => note!(
                    "Please type a number from {} to {}, or press Enter to skip.",
                    scale.min,
                    scale.max
                ),
            },
        }
    }
}

impl Reflect {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        if !prompt::interactive() {
            return Err(fail(
                "tend reflect asks questions one at a time, and there is no terminal to ask on",
            )
            .hint("write with `tend write`, from arguments, a pipe or your editor")
            .into());
        }
        let on = ctx.opt_date(self.on.as_deref())?.unwrap_or(ctx.today());
        // Unlock first, so a wrong passphrase never costs a single answer.
        let journal = ctx.open_or_offer()?;
        let pack = journal.pack()?;
        let chosen_ids = values_arg::check_ids(&pack, &self.values)?;
        let explicit = !chosen_ids.is_empty();
        let chosen: Vec<&Value> = if explicit {
            chosen_ids.iter().filter_map(|id| pack.value(id)).collect()
        } else {
            pack.active().collect()
        };
        if chosen.is_empty() {
            return Err(fail("this values pack has no active values to reflect on")
                .hint("`tend values list` shows the pack; `tend write` works without values")
                .into());
        }

        note!("{}", paint(BOLD, format!("Reflecting on {on}.")));
        note!(
            "Press Enter to skip any question. Type {LEAVE} to leave at once; nothing will be saved."
        );
        let mut text = String::new();
        let mut answered: Vec<&Value> = Vec::new();
        for value in &chosen {
            note!("");
            note!("{}", paint(ACCENT, &value.name));
            let generic = [format!("What would you like to note about {}?", value.name)];
            let questions = if value.prompts.is_empty() {
                &generic[..]
            } else {
                &value.prompts[..]
            };
            for q in questions {
                match ask(&format!("{q}\n> "))? {
                    Answer::Leave => return left(),
                    Answer::Skipped => {}
                    Answer::Text(a) => {
                        if !text.is_empty() {
                            text.push_str("\n\n");
                        }
                        text.push_str(&format!("{q}\n{a}"));
                        if !answered.iter().any(|v| v.id == value.id) {
                            answered.push(value);
                        }
                    }
                }
            }
        }
        if text.is_empty() {
            note!("");
            note!("Every question was skipped, so nothing was saved. That is all right.");
            return super::done();
        }

        // Values named on the reflection: the ones chosen with -v, or else the ones answered.
        let named = if explicit { chosen } else { answered };
        note!("");
        note!("Ratings are optional: {}.", scale_words(&pack.scale));
        let mut values = Vec::new();
        for value in named {
            match ask_rating(value, &pack.scale)? {
                None => return left(),
                Some(rating) => values.push(ValueRating::new(value.id.clone(), rating)),
            }
        }

        let mut reflection = Reflection::new(text, on, ctx.now());
        reflection.values = values;
        reflection.tags = normalise_tags(&self.tags);
        reflection.content_note = self
            .content_note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        preview(&reflection, &pack);
        if !prompt::confirm("Save this reflection?", false)? {
            note!("Nothing was saved.");
            return super::done();
        }
        let (journal, id) = ctx.save_or_unlock(journal, |j| j.add(&reflection))?;
        let handle = crate::handles::handle_of::<Reflection>(&journal, id)?;
        say!("Saved reflection {handle} for {on}.");
        super::done()
    }
}

/// Shows exactly what will be kept.
fn preview(r: &Reflection, pack: &ValuesPack) {
    note!("");
    note!("{}", paint(BOLD, "This is what will be saved:"));
    note!("  Day: {}", r.on);
    for v in &r.values {
        note!(
            "  {}",
            paint(ACCENT, super::show::value_label(pack, &v.value, v.rating))
        );
    }
    if !r.tags.is_empty() {
        let tags: Vec<String> = r.tags.iter().map(|t| format!("#{t}")).collect();
        note!("  {}", paint(DIM, tags.join(" ")));
    }
    if let Some(n) = &r.content_note {
        note!("  Content note: {n}");
    }
    note!("");
    for line in r.text.lines() {
        note!("  {line}");
    }
    note!("");
}
