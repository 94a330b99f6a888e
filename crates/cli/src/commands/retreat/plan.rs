//! `tend retreat plan`: what a co-facilitated retreat is, fixed before anyone shares.
//!
//! The plan names both co-facilitators' recipients, the roster, the purpose, the values and
//! their scale, the period and the minimum group. Members see its fingerprint in their
//! preview, and every report and share is bound to it.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::contribution::{PackRef, Period, ValueRef, covered_fingerprint};
use tend_core::retreat::{DEFAULT_MIN_GROUP, SMALLEST_MIN_GROUP};
use tend_protocol::plan::{PLAN_FORMAT, PLAN_VERSION};
use tend_protocol::{Plan, Role};

use super::cofac::{check_free, recipient};
use super::roster::read_roster;
use crate::commands::init::load_pack;
use crate::context::Ctx;
use crate::failure::fail;
use crate::files::write_private;
use crate::{note, say};

/// Plan a co-facilitated retreat, in which neither co-facilitator alone sees any member's
/// figures: write the plan file members share into (`tend share --plan FILE`).
#[derive(Debug, Args)]
pub struct PlanRetreat {
    /// What the retreat is for: "Spring retreat 2026"
    #[arg(long, value_name = "TEXT")]
    purpose: String,
    /// The leader's age recipient (age1…): reads the excerpts, never learns who sent what
    #[arg(long, value_name = "RECIPIENT")]
    leader: String,
    /// The helper's age recipient (age1…): receives members' reports, sees only random shares
    #[arg(long, value_name = "RECIPIENT")]
    helper: String,
    /// The retreat's roster (one line per member, as `tend retreat join` prints it)
    #[arg(long, value_name = "FILE")]
    roster: PathBuf,
    /// The values pack: a built-in name or a TOML file
    #[arg(long, value_name = "FILE|NAME", default_value = "default")]
    pack: String,
    /// Count this value (repeatable) [default: every value of the pack]
    #[arg(short = 'v', long = "value", value_name = "VALUE")]
    values: Vec<String>,
    /// The first day counted
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// The last day counted
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// No batch smaller than this is aggregated, and no figure from fewer members is shown
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_GROUP)]
    min_group: usize,
    /// How many excerpts each member may share (unused ones travel blank)
    #[arg(long, value_name = "N", default_value_t = 2)]
    excerpt_slots: usize,
    /// Where to write the plan
    #[arg(short = 'o', long, value_name = "FILE")]
    output: PathBuf,
    /// Replace the file if it exists
    #[arg(long)]
    force: bool,
}

impl PlanRetreat {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        check_free(&self.output, self.force)?;
        if self.min_group < SMALLEST_MIN_GROUP {
            return Err(fail(format!(
                "a minimum group of {} would let members work out each other's figures",
                self.min_group
            ))
            .hint(format!("use --min-group {SMALLEST_MIN_GROUP} or more"))
            .into());
        }
        let roster = read_roster(&self.roster)?;
        let pack = load_pack(&self.pack)?;
        let mut values = Vec::new();
        if self.values.is_empty() {
            values.extend(pack.active().map(|v| v.id.clone()));
        }
        for id in &self.values {
            if pack.value(id).is_none() {
                return Err(fail(format!("the pack has no value {id:?}"))
                    .hint("`tend values packs` lists the built-in packs and their values")
                    .into());
            }
            if !values.contains(id) {
                values.push(id.clone());
            }
        }
        // The pack's order, as a member's contribution lists the values it covers.
        let ordered: Vec<ValueRef> = pack
            .values
            .iter()
            .filter(|v| values.contains(&v.id))
            .map(|v| ValueRef {
                id: v.id.clone(),
                name: v.name.clone(),
            })
            .collect();
        let plan = Plan {
            format: PLAN_FORMAT.into(),
            version: PLAN_VERSION,
            purpose: self
                .purpose
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            leader: self.leader.trim().to_owned(),
            helper: self.helper.trim().to_owned(),
            roster: roster.fingerprint(),
            pack: PackRef {
                fingerprint: covered_fingerprint(&ordered, &pack.scale),
                values: ordered,
                scale: pack.scale.clone(),
            },
            period: Period {
                since: ctx.opt_date(self.since.as_deref())?,
                until: ctx.opt_date(self.until.as_deref())?,
            },
            min_group: self.min_group,
            excerpt_slots: self.excerpt_slots,
        };
        plan.check().map_err(|e| {
            fail(e.to_string()).hint("nothing was written; change the options and plan again")
        })?;
        recipient(&plan, Role::Leader)?;
        recipient(&plan, Role::Helper)?;
        write_private(&self.output, plan.to_json().as_bytes(), self.force)?;
        say!("Wrote the plan to {}.", self.output.display());
        say!("Plan fingerprint: {}", plan.fingerprint());
        note!(
            "Hand the plan to every member on the roster ({} listed) and read them the \
             fingerprint: their preview shows it.",
            roster.len()
        );
        crate::commands::done()
    }
}
