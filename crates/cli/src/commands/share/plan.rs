//! `tend share --plan FILE`: a member's report for a co-facilitated retreat.
//!
//! The contribution is counted exactly as for a single facilitator, then becomes one Prio3
//! measurement in two shares: the helper's in the clear inside the file, the leader's
//! sealed to the leader; excerpts each sealed to the leader; the whole file signed with the
//! member's roster key for the purpose and sealed to the helper.

use std::path::Path;
use std::process::ExitCode;

use anyhow::Result;
use tend_protocol::Role;
use tend_protocol::roles::{hex, member_report};
use tend_store::bundle;
use zeroize::Zeroizing;

use super::{Share, consent, give};
use crate::commands::retreat::cofac::{check_free, read_plan, recipient, refused};
use crate::context::Ctx;
use crate::failure::fail;
use crate::note;

/// What every member's preview says about who sees what.
pub const WHO_SEES_WHAT: &str =
    "Neither co-facilitator alone can see your figures; together they see only everyone's totals.";

impl Share {
    pub(super) fn run_plan(mut self, ctx: &Ctx, plan_path: &Path) -> Result<ExitCode> {
        let plan = read_plan(plan_path)?;
        let Some(path) = self.output.clone() else {
            return Err(fail("say where to write your report")
                .hint("add -o FILE, and hand the file to the helper")
                .into());
        };
        check_free(&path, self.force)?;
        let helper = recipient(&plan, Role::Helper)?;
        let leader = recipient(&plan, Role::Leader)?;
        self.values = plan.pack.values.iter().map(|v| v.id.clone()).collect();

        let journal = ctx.open()?;
        let prepared = self.contribution(ctx, &journal, &plan.purpose, plan.period, None)?;
        let contribution = prepared.contribution();
        let key = journal.member_key(&plan.purpose)?;
        let mut report = member_report(&plan, contribution, contribution.counter).map_err(|e| {
            refused(
                e,
                "nothing was written; share fewer excerpts or a shorter period",
            )
        })?;

        note!("{}", contribution.preview());
        note!(
            "This is for the co-facilitated retreat with plan {}.",
            plan.fingerprint()
        );
        note!("{WHO_SEES_WHAT}");
        note!(
            "Your excerpts go to the leader through the helper, so the leader reads them without \
             knowing whose they are{}.",
            if report.named {
                "; your name stands beside them only as the roster gives it"
            } else {
                ""
            }
        );
        note!(
            "The report will be signed with your roster key and written to {}.",
            path.display()
        );
        note!("");
        consent(self.yes, 2)?;

        report.signer = key.public().to_string();
        report.signature = hex(&key.sign_report(&report.signed_bytes())?);
        let file = Zeroizing::new(report.to_json());
        let sealed = bundle::seal(&file, std::slice::from_ref(&helper), false)?;
        // A revocation goes to the helper, who applies it; the leader may read it too.
        let sealed = prepared.sealed_as(
            sealed,
            vec![helper.to_string(), leader.to_string()],
            ctx.now(),
        );
        give(&journal, &sealed, &path, self.force)?;
        note!(
            "Hand the file to the helper. `tend consent revoke {}` withdraws it.",
            sealed.contribution().id
        );
        crate::commands::done()
    }
}
