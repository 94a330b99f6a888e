//! `tend consent revoke`: withdraw a contribution after it has left your hands.
//!
//! The revocation file reveals the secret whose hash the contribution carries, sealed to the
//! same recipients, so the facilitator's next build leaves the contribution out.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::contribution::ConsentRecord;
use tend_store::bundle;

use crate::context::Ctx;
use crate::failure::fail;
use crate::files::write_private;
use crate::{note, say};

/// Withdraw a contribution: writes a revocation file (an age file, sealed to the same
/// recipients) for the facilitator, and marks your consent revoked.
#[derive(Debug, Args)]
pub struct Revoke {
    /// The contribution's id, as `tend consent list` shows it (its first few digits will do)
    id: String,
    /// Where to write the revocation [default: revocation-ID.age]
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Write ASCII armor instead of a binary age file
    #[arg(long)]
    armor: bool,
    /// Replace the file if it exists
    #[arg(long)]
    force: bool,
    /// Write the revocation file again for a contribution already revoked (say the first
    /// was lost)
    #[arg(long)]
    again: bool,
}

impl Revoke {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let wanted = self.id.trim().to_ascii_lowercase();
        if wanted.is_empty() {
            return Err(fail("name the contribution to revoke")
                .hint("`tend consent list` shows the ids")
                .into());
        }
        let journal = ctx.open()?;
        let scan = journal.all::<ConsentRecord>()?;
        super::warn_damaged(&journal, &scan.damaged)?;
        let mut matches: Vec<(u64, ConsentRecord)> = scan
            .records
            .into_iter()
            .filter(|(_, r)| r.contribution_id.to_ascii_lowercase().starts_with(&wanted))
            .collect();
        let (record_id, mut record) = match matches.len() {
            0 => {
                return Err(
                    fail(format!("no contribution you shared has the id {}", self.id))
                        .hint("`tend consent list` shows the ids")
                        .into(),
                );
            }
            1 => matches.remove(0),
            n => {
                return Err(fail(format!(
                    "{n} contributions have ids starting with {}",
                    self.id
                ))
                .hint("type more of the id; `tend consent list` shows them")
                .into());
            }
        };
        if let Some(at) = record.revoked
            && !self.again
        {
            return Err(fail(format!(
                "contribution {} was already revoked on {}",
                record.contribution_id,
                at.format("%-d %B %Y")
            ))
            .hint("to write its revocation file again (say the first was lost), add --again")
            .into());
        }

        let recipients = record
            .recipients
            .iter()
            .map(|r| bundle::parse_recipient(r))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| {
                fail(format!(
                    "the consent record's recipients cannot be read: {e}"
                ))
            })?;
        let path = self
            .output
            .clone()
            .unwrap_or_else(|| PathBuf::from(format!("revocation-{}.age", record.contribution_id)));
        let was_revoked = record.revoked;
        let revocation = record.revoke(ctx.now());
        let sealed = bundle::seal(revocation.to_json().as_bytes(), &recipients, self.armor)?;
        write_private(&path, &sealed, self.force)?;
        if was_revoked.is_none()
            && let Err(e) = journal.put(record_id, &record)
        {
            // Keep the two in step: no revocation file for consent the journal still holds.
            let _ = std::fs::remove_file(&path);
            return Err(e.into());
        }
        say!(
            "Revoked contribution {} for {:?}: wrote {}.",
            record.contribution_id,
            record.purpose,
            path.display()
        );
        note!(
            "Hand the file to the facilitator ({}). Any summary built with it leaves your \
             contribution out; a summary already built does not change, so ask for it to be built again.",
            record.recipients.join(", ")
        );
        crate::commands::done()
    }
}
