//! `tend list`: reflections, newest first.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::reflection::{Entry, Filter, newest};

use crate::context::Ctx;
use crate::handles::Names;
use crate::output::{ACCENT, DIM, paint, values_line};
use crate::{note, say};

/// Filters shared by list, search and export.
#[derive(Debug, Args, Clone, Default)]
pub struct FilterArgs {
    /// Only reflections on or after this day
    #[arg(long, value_name = "DATE")]
    pub since: Option<String>,
    /// Only reflections on or before this day
    #[arg(long, value_name = "DATE")]
    pub until: Option<String>,
    /// Only reflections naming this value (repeatable: all must match)
    #[arg(short = 'v', long = "value", value_name = "VALUE")]
    pub values: Vec<String>,
    /// Only reflections with this tag (repeatable: all must match)
    #[arg(short = 't', long = "tag", value_name = "TAG")]
    pub tags: Vec<String>,
}

/// How many to show: `-n N` (0 means all) or `--all`; `DEFAULT` when neither is given.
#[derive(Debug, Args, Clone, Copy)]
pub struct HowMany<const DEFAULT: usize> {
    /// Show at most this many, newest first (0 shows them all)
    #[arg(short = 'n', long, value_name = "N", default_value_t = DEFAULT)]
    number: usize,
    /// Show them all
    #[arg(long, conflicts_with = "number")]
    all: bool,
}

impl<const DEFAULT: usize> HowMany<DEFAULT> {
    /// The most to show; `usize::MAX` for all.
    pub fn limit(self) -> usize {
        if self.all || self.number == 0 {
            usize::MAX
        } else {
            self.number
        }
    }
}

/// What to say when nothing is shown: an empty journal, no match, or nothing that opened.
pub fn nothing_shown(filtered: bool, damaged: &[u64]) -> &'static str {
    match (filtered, damaged.is_empty()) {
        (false, true) => "No reflections yet.",
        (true, true) => "No reflections match.",
        (false, false) => "No reflections could be opened.",
        (true, false) => "None of the reflections that could be opened match.",
    }
}

impl FilterArgs {
    /// The filter, with dates read.
    pub fn filter(&self, ctx: &Ctx) -> Result<Filter> {
        Ok(Filter {
            since: ctx.opt_date(self.since.as_deref())?,
            until: ctx.opt_date(self.until.as_deref())?,
            values: self.values.iter().map(|v| v.trim().to_owned()).collect(),
            tags: tend_core::reflection::normalise_tags(&self.tags),
        })
    }
}

/// List reflections, newest first.
#[derive(Debug, Args)]
pub struct List {
    #[command(flatten)]
    filter: FilterArgs,
    #[command(flatten)]
    how_many: HowMany<20>,
    /// Print JSON (handle as "id", whole "record_id", date, values, tags, content note, first
    /// line)
    #[arg(long)]
    json: bool,
}

/// Prints the list lines, each led by its reflection's handle.
pub fn print_lines(entries: &[Entry], names: &Names) {
    let width = names.width(entries.iter().map(|e| e.id));
    for e in entries {
        print_line(e, &names.handle(e.id), width);
    }
}

/// Prints one list line; a content note stands in for the first line.
fn print_line(e: &Entry, handle: &str, width: usize) {
    let title = match &e.content_note {
        Some(note) => format!("[content note: {note}]"),
        None => e.title.clone(),
    };
    let mut line = format!(
        "{}  {}  {title}",
        paint(DIM, format!("{handle:<width$}")),
        paint(DIM, e.on)
    );
    if !e.values.is_empty() {
        line.push_str(&format!("  {}", paint(ACCENT, values_line(&e.values))));
    }
    if !e.tags.is_empty() {
        let tags: Vec<String> = e.tags.iter().map(|t| format!("#{t}")).collect();
        line.push_str(&format!("  {}", paint(DIM, tags.join(" "))));
    }
    say!("{line}");
}

/// Says how many matched beyond those shown, and how to see them.
pub fn more_not_shown(total: usize, shown: usize) {
    if total > shown {
        note!("({} more; --all shows them all)", total - shown);
    }
}

/// Warns about reflections that could not be read (by handle), without stopping.
pub fn warn_damaged(names: &Names, damaged: &[u64]) {
    crate::output::warn_unopened(&names.handles(damaged), "reflection", "reflections");
}

/// Prints entries as JSON, each with its handle as `"id"` and its whole id as
/// `"record_id"`.
pub fn print_json(entries: &[Entry], names: &Names) -> Result<()> {
    let values = entries
        .iter()
        .map(|e| crate::handles::json_of(names, e.id, e))
        .collect::<Result<Vec<_>>>()?;
    crate::output::print_json(&values)
}

impl List {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let filter = self.filter.filter(ctx)?;
        let journal = ctx.open()?;
        // The newest few, unfiltered: from the index segments that can hold them.
        if filter == Filter::default()
            && let Some(newest) = journal.newest_entries(self.how_many.limit())?
        {
            let names = Names::from_book(newest.book);
            let total = usize::try_from(newest.total).unwrap_or(usize::MAX);
            if self.json {
                print_json(&newest.entries, &names)?;
            } else if newest.entries.is_empty() {
                note!("{}", nothing_shown(false, &[]));
            } else {
                print_lines(&newest.entries, &names);
                more_not_shown(total, newest.entries.len());
            }
            return super::done();
        }
        let (scan, book) = journal.entries_and_ids()?;
        let names = Names::from_book(book);
        let matching: Vec<Entry> = scan
            .records
            .into_iter()
            .map(|(_, e)| e)
            .filter(|e| filter.matches(e))
            .collect();
        let total = matching.len();
        let shown = newest(matching, self.how_many.limit());
        if self.json {
            print_json(&shown, &names)?;
        } else if shown.is_empty() {
            note!(
                "{}",
                nothing_shown(filter != Filter::default(), &scan.damaged)
            );
        } else {
            print_lines(&shown, &names);
            more_not_shown(total, shown.len());
        }
        warn_damaged(&names, &scan.damaged);
        super::done()
    }
}
