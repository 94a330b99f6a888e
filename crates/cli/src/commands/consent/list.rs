//! `tend consent list`: every contribution shared, newest first.

use std::process::ExitCode;

use anyhow::Result;
use chrono::{DateTime, NaiveDate, Utc};
use clap::Args;
use serde::Serialize;
use tend_core::contribution::{ConsentRecord, ConsentStatus, Period};

use tend_core::reflection::Reflection;

use crate::context::Ctx;
use crate::handles::Names;
use crate::{note, say};

/// Every contribution you shared: its purpose, recipients, period, what it included, when
/// you consented, when that ends, the file's digest, and whether it is revoked.
#[derive(Debug, Args)]
pub struct List {
    /// Print JSON (the revocation secret is never shown)
    #[arg(long)]
    json: bool,
}

/// A consent record as `--json` shows it: everything but the revocation token.
#[derive(Debug, Serialize)]
struct View<'a> {
    id: &'a str,
    status: &'static str,
    purpose: &'a str,
    recipients: &'a [String],
    period: Period,
    values: &'a [String],
    /// The excerpts' reflections, by handle.
    excerpts: Vec<String>,
    name: Option<&'a str>,
    given: DateTime<Utc>,
    expires: Option<NaiveDate>,
    revoked: Option<DateTime<Utc>>,
    digest: &'a str,
}

fn view<'a>(record: &'a ConsentRecord, today: NaiveDate, names: &Names) -> View<'a> {
    View {
        id: &record.contribution_id,
        status: match record.status(today) {
            ConsentStatus::Active => "active",
            ConsentStatus::Expired(_) => "expired",
            ConsentStatus::Revoked(_) => "revoked",
        },
        purpose: &record.purpose,
        recipients: &record.recipients,
        period: record.period,
        values: &record.included.values,
        excerpts: record
            .included
            .excerpts
            .iter()
            .map(|e| names.excerpt(e))
            .collect(),
        name: record.included.name.as_deref(),
        given: record.given,
        expires: record.expires,
        revoked: record.revoked,
        digest: &record.digest,
    }
}

impl List {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let journal = ctx.open()?;
        let scan = journal.all::<ConsentRecord>()?;
        let names = Names::of::<Reflection>(&journal)?;
        let mut records: Vec<ConsentRecord> = scan.records.into_iter().map(|(_, r)| r).collect();
        records.sort_by_key(|r| std::cmp::Reverse(r.given));
        if self.json {
            let views: Vec<View<'_>> = records
                .iter()
                .map(|r| view(r, ctx.today(), &names))
                .collect();
            crate::output::print_json(&views)?;
        } else if records.is_empty() {
            note!("You have not shared any contributions.");
        } else {
            for (i, record) in records.iter().enumerate() {
                if i > 0 {
                    say!("");
                }
                say!(
                    "{}",
                    record
                        .describe(ctx.today(), |e| names.excerpt(e))
                        .trim_end()
                );
            }
        }
        super::warn_damaged(&journal, &scan.damaged)?;
        super::super::done()
    }
}
