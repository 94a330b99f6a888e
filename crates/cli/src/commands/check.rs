//! `tend check`: open every record and report the damaged ones.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;

use crate::context::Ctx;
use crate::output::count;
use crate::{note, say};

/// Open every record and list any that fail; the rest stay readable.
#[derive(Debug, Args)]
pub struct Check {}

impl Check {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let mut journal = ctx.open()?;
        let report = journal.check()?;
        let opened: u64 = report.opened.iter().map(|(_, n)| n).sum();
        if report.is_ok() {
            say!(
                "{} and the file is whole.",
                match opened {
                    1 => "The one record opens".to_owned(),
                    n => format!("All {n} records open"),
                }
            );
            return super::done();
        }
        if !report.file_ok {
            say!("The file's own structure check found a problem.");
        }
        for d in &report.damaged {
            say!("damaged: {} {}", d.table, d.id);
        }
        if !report.index_mismatches.is_empty() {
            let ids: Vec<String> = report.index_mismatches.iter().map(u64::to_string).collect();
            say!(
                "the list index disagrees about {} {}",
                if ids.len() == 1 {
                    "reflection"
                } else {
                    "reflections"
                },
                ids.join(", ")
            );
        }
        say!(
            "{} opened; {} could not be opened.",
            count(opened, "record", "records"),
            report.damaged.len()
        );
        note!(
            "hint: keep a copy of the journal file as it is; the other records stay readable and can be exported with `tend export`."
        );
        Ok(ExitCode::from(1))
    }
}
