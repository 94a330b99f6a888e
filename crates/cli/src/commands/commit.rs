//! `tend commit`: commitments — made, kept, renegotiated openly, or released with a reason.
//! A commitment past its date is shown as past its date, never as failed.

use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use clap::{Args, Subcommand};
use tend_core::commitment::{Commitment, CommitmentError, CommitmentEvent};
use tend_core::id::IdQuery;
use tend_core::pack::ValuesPack;
use tend_store::{Journal, Record};

use crate::context::Ctx;
use crate::failure::fail;
use crate::handles::Names;
use crate::output::{ACCENT, BOLD, DIM, paint};
use crate::{note, say, values_arg};

/// Commitments: make, keep, renegotiate or release them.
#[derive(Debug, Subcommand)]
pub enum CommitCommand {
    /// Make a commitment
    Add(Add),
    /// List the commitments you are carrying (open and renegotiated); --all for every one
    List(List),
    /// Show a commitment and its history
    Show(Show),
    /// Mark a commitment kept
    Done(Done),
    /// Change a commitment's words or date, saying why; the earlier terms stay in its history
    Renegotiate(Renegotiate),
    /// Let a commitment go, with a reason
    Release(Release),
}

/// Make a commitment.
#[derive(Debug, Args)]
pub struct Add {
    /// What you are committing to
    #[arg(required = true)]
    text: Vec<String>,
    /// A value it serves (repeatable)
    #[arg(short = 'v', long = "value", value_name = "VALUE")]
    values: Vec<String>,
    /// When you mean to keep it by: 2026-03-14, tomorrow… [default: no date]
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
}

/// List commitments: the ones being carried, soonest date first.
#[derive(Debug, Args)]
pub struct List {
    /// Every commitment: kept and released ones too
    #[arg(long)]
    all: bool,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Show a commitment and its history.
#[derive(Debug, Args)]
pub struct Show {
    /// The commitment's handle (from `tend commit list`)
    id: IdQuery,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// Mark a commitment kept.
#[derive(Debug, Args)]
pub struct Done {
    /// The commitment's handle (from `tend commit list`)
    id: IdQuery,
    /// A few words on how it went
    #[arg(long, value_name = "TEXT")]
    note: Option<String>,
}

/// Change a commitment's words or date. Its history keeps the earlier terms.
#[derive(Debug, Args)]
pub struct Renegotiate {
    /// The commitment's handle (from `tend commit list`)
    id: IdQuery,
    /// The new words
    #[arg(long, value_name = "TEXT")]
    text: Option<String>,
    /// The new date
    #[arg(long, value_name = "DATE")]
    due: Option<String>,
    /// What changed, in a few words
    #[arg(long, value_name = "TEXT", required = true)]
    note: String,
}

/// Let a commitment go, with a reason.
#[derive(Debug, Args)]
pub struct Release {
    /// The commitment's handle (from `tend commit list`)
    id: IdQuery,
    /// Why you are letting it go
    #[arg(long, value_name = "TEXT", required = true)]
    note: String,
}

/// Reads the record a person named (by handle, or an old number), with its number and the
/// names of its kind; an unknown or ambiguous handle says where the handles are listed.
pub fn get_or_hint<T: Record>(
    journal: &Journal,
    id: &IdQuery,
    list: &str,
) -> Result<(u64, Names, T)> {
    journal
        .resolve::<T>(id)
        .and_then(|id| Ok((id, Names::of::<T>(journal)?, journal.get(id)?)))
        .map_err(|e| match e {
            tend_store::Error::NotFound { .. }
            | tend_store::Error::NoSuchHandle { .. }
            | tend_store::Error::AmbiguousHandle { .. } => fail(e.to_string())
                .hint(format!("`{list}` shows the handles"))
                .into(),
            other => other.into(),
        })
}

const LIST_ALL: &str = "tend commit list --all";

fn refused(e: CommitmentError, id: &str) -> anyhow::Error {
    let hint = match &e {
        CommitmentError::NoteRequired => {
            "nothing was changed; add --note \"…\" with a few words, kept in the commitment's history".to_owned()
        }
        CommitmentError::Closed(_) => {
            format!("nothing was changed; `tend commit show {id}` shows its history, `tend commit add` makes a new one")
        }
        CommitmentError::NothingChanged => "nothing was changed; for example: --due 2026-04-01, or --text \"the new words\"".to_owned(),
        _ => "nothing was changed".to_owned(),
    };
    fail(e.to_string()).hint(hint).into()
}

fn warn_if_passed(due: Option<NaiveDate>, today: NaiveDate) {
    if due.is_some_and(|d| d < today) {
        note!("That date has already passed; saved all the same.");
    }
}

/// Where a commitment stands, in words: "open · due 2026-03-10", "open · past its date (was
/// due 2026-03-01)", "kept 2026-03-05".
fn standing(c: &Commitment, today: NaiveDate) -> String {
    let mut s = c.state.word().to_owned();
    if c.state.is_active() {
        match c.due {
            Some(d) if c.is_past_date(today) => {
                s.push_str(&format!(" · past its date (was due {d})"))
            }
            Some(d) => s.push_str(&format!(" · due {d}")),
            None => {}
        }
    } else if let Some(last) = c.history.last() {
        s.push_str(&format!(" {}", local_day(last)));
    }
    s
}

fn local_day(e: &CommitmentEvent) -> NaiveDate {
    e.at.with_timezone(&chrono::Local).date_naive()
}

fn value_names(pack: &ValuesPack, ids: &[String]) -> String {
    ids.iter()
        .map(|id| crate::commands::show::value_label(pack, id, None))
        .collect::<Vec<_>>()
        .join(" · ")
}

fn json_of(names: &Names, id: u64, c: &Commitment, today: NaiveDate) -> Result<serde_json::Value> {
    let mut value = crate::handles::json_of(names, id, c)?;
    value["past_date"] = c.is_past_date(today).into();
    Ok(value)
}

impl CommitCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            CommitCommand::Add(c) => c.run(ctx),
            CommitCommand::List(c) => c.run(ctx),
            CommitCommand::Show(c) => c.run(ctx),
            CommitCommand::Done(c) => c.run(ctx),
            CommitCommand::Renegotiate(c) => c.run(ctx),
            CommitCommand::Release(c) => c.run(ctx),
        }
    }
}

impl Add {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let text = self.text.join(" ").trim().to_owned();
        if text.is_empty() {
            return Err(fail("the commitment has no words, so nothing was saved")
                .hint("say what you are committing to: tend commit add \"…\"")
                .into());
        }
        let due = ctx.opt_date(self.due.as_deref())?;
        let journal = ctx.open_or_offer()?;
        let values = values_arg::check_ids(&journal.pack()?, &self.values)?;
        let id = journal.add(&Commitment::new(text, values, due, ctx.now()))?;
        let id = Names::of::<Commitment>(&journal)?.handle(id);
        match due {
            Some(d) => say!("Saved commitment {id}, due {d}."),
            None => say!("Saved commitment {id}."),
        }
        warn_if_passed(due, ctx.today());
        super::done()
    }
}

impl List {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let scan = journal.all::<Commitment>()?;
        let names = Names::of::<Commitment>(&journal)?;
        let today = ctx.today();
        let mut shown: Vec<(u64, Commitment)> = scan
            .records
            .into_iter()
            .filter(|(_, c)| self.all || c.state.is_active())
            .collect();
        // Carried ones first, soonest date first; those without a date after them.
        shown.sort_by_key(|(id, c)| (!c.state.is_active(), c.due.is_none(), c.due, *id));
        if self.json {
            let values = shown
                .iter()
                .map(|(id, c)| json_of(&names, *id, c, today))
                .collect::<Result<Vec<_>>>()?;
            crate::output::print_json(&values)?;
        } else if shown.is_empty() {
            if self.all {
                note!("No commitments yet. `tend commit add \"…\"` makes one.");
            } else {
                note!("No commitments being carried. `tend commit list --all` shows every one.");
            }
        } else {
            let width = names.width(shown.iter().map(|(id, _)| *id));
            for (id, c) in &shown {
                let mut line = format!(
                    "{}  {}  {}",
                    paint(DIM, format!("{:<width$}", names.handle(*id))),
                    tend_core::text::truncate(&c.text, 60),
                    paint(DIM, standing(c, today))
                );
                if !c.values.is_empty() {
                    line.push_str(&format!("  {}", paint(ACCENT, c.values.join(" · "))));
                }
                say!("{line}");
            }
        }
        crate::output::warn_unopened(&names.handles(&scan.damaged), "commitment", "commitments");
        super::done()
    }
}

impl Show {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let (id, names, c): (u64, _, Commitment) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let today = ctx.today();
        if self.json {
            crate::output::print_json(&json_of(&names, id, &c, today)?)?;
            return super::done();
        }
        let pack = journal.pack()?;
        say!(
            "{}",
            paint(
                BOLD,
                format!("Commitment {} · {}", names.handle(id), standing(&c, today))
            )
        );
        say!("{}", c.text);
        if !c.values.is_empty() {
            say!("  {}", paint(ACCENT, value_names(&pack, &c.values)));
        }
        say!("");
        say!("History");
        for (i, e) in c.history.iter().enumerate() {
            let when = e.at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M");
            let what = if i == 0 { "made" } else { e.state.word() };
            let mut line = format!("  {}  {what}", paint(DIM, when));
            if let Some(n) = &e.note {
                line.push_str(&format!(": {n}"));
            }
            say!("{line}");
            if let Some(t) = &e.previous_text {
                say!("      {}", paint(DIM, format!("the words were: {t}")));
            }
            if let Some(d) = e.previous_due {
                say!("      {}", paint(DIM, format!("the date was: {d}")));
            }
        }
        super::done()
    }
}

impl Done {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let (id, names, mut c): (u64, _, Commitment) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let handle = names.handle(id);
        c.keep(self.note.as_deref(), ctx.now())
            .map_err(|e| refused(e, &handle))?;
        journal.put(id, &c)?;
        say!("Marked commitment {handle} kept.");
        super::done()
    }
}

impl Renegotiate {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let due = ctx.opt_date(self.due.as_deref())?;
        let journal = ctx.open()?;
        let (id, names, mut c): (u64, _, Commitment) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let handle = names.handle(id);
        c.renegotiate(self.text.as_deref(), due, &self.note, ctx.now())
            .map_err(|e| refused(e, &handle))?;
        journal.put(id, &c)?;
        say!(
            "Renegotiated commitment {handle}: {}",
            standing(&c, ctx.today())
        );
        warn_if_passed(due, ctx.today());
        super::done()
    }
}

impl Release {
    fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let (id, names, mut c): (u64, _, Commitment) = get_or_hint(&journal, &self.id, LIST_ALL)?;
        let handle = names.handle(id);
        c.release(&self.note, ctx.now())
            .map_err(|e| refused(e, &handle))?;
        journal.put(id, &c)?;
        say!("Released commitment {handle}. The reason is kept with it.");
        super::done()
    }
}
