//! `tend search`: reflections holding every word.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::reflection::{Entry, Query, newest};

use super::list::{FilterArgs, HowMany, more_not_shown, print_json, print_lines, warn_damaged};
use crate::context::Ctx;
use crate::failure::fail;
use crate::handles::Names;
use crate::note;

/// Find reflections whose text, tags or content note hold every word (case does not matter).
#[derive(Debug, Args)]
pub struct Search {
    /// The words to look for
    #[arg(required = true)]
    words: Vec<String>,
    #[command(flatten)]
    filter: FilterArgs,
    #[command(flatten)]
    how_many: HowMany<50>,
    /// Print JSON (as `tend list --json` does)
    #[arg(long)]
    json: bool,
}

impl Search {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let query = Query::new(&self.words);
        if query.is_empty() {
            return Err(fail("there is nothing to search for")
                .hint("give one or more words")
                .into());
        }
        let filter = self.filter.filter(ctx)?;
        let journal = ctx.open()?;
        let scan = journal.search(&query, &filter)?;
        let names = Names::of::<tend_core::reflection::Reflection>(&journal)?;
        let found: Vec<Entry> = scan
            .records
            .iter()
            .map(|(id, r)| r.entry(*id))
            .filter(|e| filter.matches(e))
            .collect();
        let total = found.len();
        let shown = newest(found, self.how_many.limit());
        if self.json {
            print_json(&shown, &names)?;
        } else if shown.is_empty() {
            note!("No reflections hold all of those words.");
        } else {
            print_lines(&shown, &names);
            more_not_shown(total, shown.len());
        }
        warn_damaged(&names, &scan.damaged);
        super::done()
    }
}
