//! `tend repair`: repair after harm, in the four parts of accountability described by Mia
//! Mingus — self-reflection, apology, repair, changed behaviour. Parts can be tended in any
//! order and more than once; tend shows which have been tended and never grades a repair.

use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand, ValueEnum};
use tend_core::id::IdQuery;
use tend_core::pack::{RepairPrompts, ValuesPack};
use tend_core::repair::{Repair, RepairError, RepairPart};

use super::commit::get_or_hint;
use crate::context::Ctx;
use crate::failure::fail;
use crate::handles::Names;
use crate::output::{ACCENT, BOLD, DIM, paint};
use crate::{note, say, values_arg};

/// Repair after harm: self-reflection, apology, repair, changed behaviour.
#[derive(Debug, Subcommand)]
pub enum RepairCommand {
    /// Open a repair: what happened, in your own words
    Open(Open),
    /// Note a step in one of the four parts; any order, as often as needed
    Step(Step),
    /// List open repairs; --all includes closed ones
    List(List),
    /// Show a repair's timeline, the parts tended, and prompts for the others
    Show(Show),
    /// Close a repair, with a note
    Close(Close),
}

/// Open a repair.
#[derive(Debug, Args)]
pub struct Open {
    /// What happened, in your own words
    #[arg(required = true)]
    text: Vec<String>,
    /// A value it touches (repeatable)
    #[arg(short = 'v', long = "value", value_name = "VALUE")]
    values: Vec<String>,
    /// Who was affected, if you want to note it
    #[arg(long, value_name = "TEXT")]
    affected: Option<String>,
    /// A note shown in place of the text until you choose to read it
    #[arg(long, value_name = "TEXT")]
    content_note: Option<String>,
}

/// The four parts of accountability, as typed.
#[derive(Debug, Clone, Copy, ValueEnum)]
enum Part {
    /// Self-reflection: what happened; who was affected, and how
    Reflection,
    /// Apology: acknowledging the impact, without explaining it away
    Apology,
    /// Repair: what is needed to make things right
    Repair,
    /// Changed behaviour: what you will do differently
    Change,
}

impl From<Part> for RepairPart {
    fn from(p: Part) -> Self {
        match p {
            Part::Reflection => RepairPart::Reflection,
            Part::Apology => RepairPart::Apology,
            Part::Repair => RepairPart::Repair,
            Part::Change => RepairPart::Change,
        }
    }
}

/// Note a step in one part of a repair.
#[derive(Debug, Args)]
pub struct Step {
    /// The repair's handle (from `tend repair list`)
    id: IdQuery,
    /// Which part this step tends
    #[arg(value_enum)]
    part: Part,
    /// What you did or noticed
    #[arg(long, value_name = "TEXT", required = true)]
    note: String,
}

/// List repairs, newest first.
#[derive(Debug, Args)]
pub struct List {
    /// Closed repairs too
    #[arg(long)]
    all: bool,
    /// Print JSON (a content note stands in for the text, as on screen)
    #[arg(long)]
    json: bool,
}

/// Show a repair's timeline. One with a content note shows only the note until --reveal.
#[derive(Debug, Args)]
pub struct Show {
    /// The repair's handle (from `tend repair list`)
    id: IdQuery,
    /// Show the text, who was affected and the notes even when there is a content note
    #[arg(long)]
    reveal: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Close a repair, with a note.
#[derive(Debug, Args)]
pub struct Close {
    /// The repair's handle (from `tend repair list`)
    id: IdQuery,
    /// Where things stand, in a few words
    #[arg(long, value_name = "TEXT", required = true)]
    note: String,
}

const LIST_ALL: &str = "tend repair list --all";

fn refused(e: RepairError, id: &str) -> anyhow::Error {
    let hint = match &e {
        RepairError::NoteRequired => {
            "nothing was changed; add --note \"…\" with a few words".to_owned()
        }
        RepairError::Closed => {
            format!(
                "nothing was changed; `tend repair show {id}` shows its timeline, `tend repair open` starts a new one"
            )
        }
        _ => "nothing was changed".to_owned(),
    };
    fail(e.to_string()).hint(hint).into()
}

/// The pack's prompts for one part.
pub fn prompts(p: &RepairPrompts, part: RepairPart) -> &[String] {
    match part {
        RepairPart::Reflection => &p.reflection,
        RepairPart::Apology => &p.apology,
        RepairPart::Repair => &p.repair,
        RepairPart::Change => &p.change,
    }
}

fn capitalised(s: &str) -> String {
    let mut chars = s.chars();
    chars
        .next()
        .map_or_else(String::new, |c| c.to_uppercase().chain(chars).collect())
}

fn headings(parts: &[RepairPart]) -> String {
    parts
        .iter()
        .map(|p| p.heading())
        .collect::<Vec<_>>()
        .join(", ")
}

fn not_yet(r: &Repair) -> Vec<RepairPart> {
    let tended = r.tended();
    RepairPart::ALL
        .into_iter()
        .filter(|p| !tended.contains(p))
        .collect()
}

fn tended_line(r: &Repair) -> String {
    let tended = r.tended();
    if tended.is_empty() {
        "no parts tended yet".to_owned()
    } else {
        format!("tended: {}", headings(&tended))
    }
}

fn local(at: chrono::DateTime<chrono::Utc>) -> chrono::DateTime<chrono::Local> {
    at.with_timezone(&chrono::Local)
}

/// The repair as JSON; with `hidden`, the text, who was affected and every note are left out.
fn json_of(names: &Names, id: u64, r: &Repair, hidden: bool) -> Result<serde_json::Value> {
    let mut value = crate::handles::json_of(names, id, r)?;
    value["tended"] = serde_json::to_value(r.tended())?;
    if hidden {
        value["text"] = serde_json::Value::Null;
        value["affected"] = serde_json::Value::Null;
        if let Some(steps) = value["steps"].as_array_mut() {
            steps
                .iter_mut()
                .for_each(|s| s["note"] = serde_json::Value::Null);
        }
        if value["closed"].is_object() {
            value["closed"]["note"] = serde_json::Value::Null;
        }
    }
    Ok(value)
}

impl RepairCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            RepairCommand::Open(c) => c.run(ctx),
            RepairCommand::Step(c) => c.run(ctx),
            RepairCommand::List(c) => c.run(ctx),
            RepairCommand::Show(c) => c.run(ctx),
            RepairCommand::Close(c) => c.run(ctx),
        }
    }
}

impl Open {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let text = self.text.join(" ").trim().to_owned();
        if text.is_empty() {
            return Err(fail("a repair starts with a few words on what happened; nothing was saved")
                .hint("tend repair open \"…\" (add --content-note \"…\" to keep it out of sight in lists)")
                .into());
        }
        let journal = ctx.open_or_offer()?;
        let values = values_arg::check_ids(&journal.pack()?, &self.values)?;
        let mut repair = Repair::open(text, values, self.affected, ctx.now());
        repair.content_note = self
            .content_note
            .map(|n| n.trim().to_owned())
            .filter(|n| !n.is_empty());
        let id = journal.add(&repair)?;
        let id = Names::of::<Repair>(&journal)?.handle(id);
        say!("Opened repair {id}.");
        note!(
            "The four parts (self-reflection, apology, repair, changed behaviour) can be tended in any order, \
             with `tend repair step {id} PART --note \"…\"`. `tend repair show {id}` offers questions for each."
        );
        super::done()
    }
}

impl Step {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let (id, names, mut r): (u64, _, Repair) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let handle = names.handle(id);
        let part = RepairPart::from(self.part);
        r.step(part, &self.note, ctx.now())
            .map_err(|e| refused(e, &handle))?;
        journal.put(id, &r)?;
        say!("Noted a step of {} in repair {handle}.", part.heading());
        let later = not_yet(&r);
        if later.is_empty() {
            note!("Tended so far: {}.", headings(&r.tended()));
        } else {
            note!(
                "Tended so far: {}. Not yet: {}.",
                headings(&r.tended()),
                headings(&later)
            );
        }
        super::done()
    }
}

impl List {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let scan = journal.all::<Repair>()?;
        let names = Names::of::<Repair>(&journal)?;
        let mut shown: Vec<(u64, Repair)> = scan
            .records
            .into_iter()
            .filter(|(_, r)| self.all || r.is_open())
            .collect();
        shown.sort_by_key(|(id, r)| std::cmp::Reverse((r.opened, *id)));
        if self.json {
            let values = shown
                .iter()
                .map(|(id, r)| json_of(&names, *id, r, r.content_note.is_some()))
                .collect::<Result<Vec<_>>>()?;
            crate::output::print_json(&values)?;
        } else if shown.is_empty() {
            if self.all {
                note!("No repairs yet.");
            } else {
                note!("No open repairs. `tend repair list --all` shows closed ones too.");
            }
        } else {
            let width = names.width(shown.iter().map(|(id, _)| *id));
            for (id, r) in &shown {
                let title = match &r.content_note {
                    Some(n) => format!("[content note: {n}]"),
                    None => tend_core::text::first_line(&r.text, 60),
                };
                let state = if r.is_open() { "open" } else { "closed" };
                say!(
                    "{}  {}  {state}  {title}  {}",
                    paint(DIM, format!("{:<width$}", names.handle(*id))),
                    paint(DIM, local(r.opened).date_naive()),
                    paint(DIM, tended_line(r))
                );
            }
        }
        crate::output::warn_unopened(&names.handles(&scan.damaged), "repair", "repairs");
        super::done()
    }
}

impl Show {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let (id, names, r): (u64, _, Repair) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let hidden = r.content_note.is_some() && !self.reveal;
        if self.json {
            crate::output::print_json(&json_of(&names, id, &r, hidden)?)?;
            return super::done();
        }
        let pack = journal.pack()?;
        print_timeline(&names.handle(id), &r, &pack, hidden);
        super::done()
    }
}

fn print_timeline(id: &str, r: &Repair, pack: &ValuesPack, hidden: bool) {
    let state = if r.is_open() { "open" } else { "closed" };
    let opened = local(r.opened);
    say!(
        "{}",
        paint(
            BOLD,
            format!(
                "Repair {id} · {state} · opened {}",
                opened.format("%A %-d %B %Y")
            )
        )
    );
    if !r.values.is_empty() {
        let names: Vec<String> = r
            .values
            .iter()
            .map(|v| super::show::value_label(pack, v, None))
            .collect();
        say!("  {}", paint(ACCENT, names.join(" · ")));
    }
    if let Some(n) = &r.content_note {
        say!("  Content note: {n}");
    }
    say!("");
    if hidden {
        say!(
            "{}",
            paint(
                DIM,
                format!(
                    "The text and notes are hidden. `tend repair show {id} --reveal` shows them, when you choose."
                )
            )
        );
    } else {
        say!("{}", r.text);
        if let Some(a) = &r.affected {
            say!("  Affected: {a}");
        }
    }
    say!("");
    say!("Timeline");
    let stamp = |at| paint(DIM, local(at).format("%Y-%m-%d %H:%M"));
    say!("  {}  opened", stamp(r.opened));
    for s in &r.steps {
        if hidden {
            say!("  {}  {}", stamp(s.at), s.part.heading());
        } else {
            say!("  {}  {}: {}", stamp(s.at), s.part.heading(), s.note);
        }
    }
    if let Some(c) = &r.closed {
        if hidden {
            say!("  {}  closed", stamp(c.at));
        } else {
            say!("  {}  closed: {}", stamp(c.at), c.note);
        }
    }
    say!("");
    let tended = r.tended();
    let later = not_yet(r);
    if tended.is_empty() {
        say!("Tended: none yet");
    } else {
        say!("Tended: {}", headings(&tended));
    }
    // A closed repair is left as its member closed it: no list of what it lacked.
    if !r.is_open() || later.is_empty() {
        return;
    }
    say!("Not yet: {}", headings(&later));
    say!("");
    say!("When you are ready, some questions that may help (each one optional):");
    for part in later {
        let questions = prompts(&pack.repair, part);
        if questions.is_empty() {
            continue;
        }
        say!("  {}", paint(BOLD, capitalised(part.heading())));
        for q in questions {
            say!("    - {q}");
        }
    }
}

impl Close {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let (id, names, mut r): (u64, _, Repair) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let handle = names.handle(id);
        r.close(&self.note, ctx.now())
            .map_err(|e| refused(e, &handle))?;
        journal.put(id, &r)?;
        say!("Closed repair {handle}. Its timeline stays in your journal.");
        super::done()
    }
}
