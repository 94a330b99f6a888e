//! `tend retreat build --plan FILE`: a co-facilitated retreat's summary from the leader's
//! and the helper's aggregate shares.
//!
//! The two shares add up to the totals and the row profiles, which become stand-in
//! contributions; `tend_core::retreat` then builds the summary under exactly the rules of
//! the single-facilitator build (see `tend_protocol::standin`).

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use chrono::NaiveDate;
use tend_core::retreat::{Options, RosterCheck};
use tend_protocol::files::ShareFile;
use tend_protocol::{roles, standin};

use super::Build;
use crate::commands::retreat::cofac::{check_free, open, read_plan, refused};
use crate::commands::retreat::roster::read_roster;
use crate::commands::retreat::template::UserTemplate;
use crate::failure::fail;
use crate::{note, say, secrets};

impl Build {
    pub(super) fn run_cofac(
        &self,
        today: NaiveDate,
        plan_path: &Path,
        identity_path: &Path,
    ) -> Result<ExitCode> {
        let plan = read_plan(plan_path)?;
        let Some(roster_path) = &self.roster else {
            return Err(fail("a co-facilitated summary needs the plan's roster")
                .hint("add --roster FILE: the roster the plan was made with")
                .into());
        };
        let roster = read_roster(roster_path)?;
        if roster.fingerprint() != plan.roster {
            return Err(fail("this roster is not the one the plan was made with")
                .hint("use the roster file the plan was made from; nothing was built")
                .into());
        }
        let [first, second] = self.files.as_slice() else {
            return Err(
                fail("a co-facilitated summary is built from exactly two files")
                    .hint("name the leader's and the helper's aggregate shares")
                    .into(),
            );
        };
        check_free(&self.output, self.force)?;
        let template = self.template.as_deref().map(UserTemplate::at).transpose()?;
        let identities = secrets::load_identities(identity_path)?;
        let read = |path: &Path| -> Result<ShareFile> {
            let plain = open(path, &identities, "the aggregate share")?;
            ShareFile::parse(&plain).map_err(|e| {
                fail(format!("{}: {e}", path.display()))
                    .hint("ask the co-facilitator who wrote it for the share again")
                    .into()
            })
        };
        let (a, b) = (read(first)?, read(second)?);
        let combined = roles::combine(&plan, &a, &b)
            .map_err(|e| refused(e, "nothing was built; both shares must come from one batch"))?;
        let mut options = Options::new(today);
        options.min_group = self.min_group.max(plan.min_group);
        options.title = self.title.clone();
        let (mut summary, report) =
            standin::summary(&plan, &combined.tally, &combined.excerpts, &options)
                .map_err(|e| refused(e, "nothing was built"))?;
        summary.roster = Some(RosterCheck {
            fingerprint: roster.fingerprint(),
            listed: roster.len(),
            contributed: combined.tally.members,
        });
        self.write_summary(&summary, template.as_ref(), identity_path)?;
        say!("Wrote the retreat summary to {}.", self.output.display());
        note!(
            "Combined the leader's and the helper's shares of batch {}: {} members' reports, \
             checked by the helper against the roster {} ({} listed).",
            tend_protocol::ledger::short(&combined.batch),
            combined.tally.members,
            roster.fingerprint(),
            roster.len()
        );
        for warning in &report.warnings {
            note!("Note: {warning}");
        }
        crate::commands::done()
    }
}
