//! The plan: what a co-facilitated retreat is, fixed before anyone shares.
//!
//! Both co-facilitators' recipients, the roster's fingerprint, the purpose, the values and
//! their scale, the period, the minimum group and how many excerpt slots each report has.
//! Its fingerprint is shown in every member's preview and bound into every share, so a
//! member can check by voice or message that they share into the retreat the circle agreed.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use tend_core::contribution::{PackRef, Period};
use tend_core::retreat::SMALLEST_MIN_GROUP;

use crate::ProtocolError;
use crate::files::{check_size, parse_versioned};
use crate::layout::Layout;

/// The `format` field of a plan.
pub const PLAN_FORMAT: &str = "tend-retreat-plan";
/// The plan version this build writes and reads.
pub const PLAN_VERSION: u32 = 1;
/// The largest plan file read.
pub const MAX_PLAN_BYTES: usize = 256 * 1024;
/// The most excerpts one report may carry.
pub const MAX_EXCERPT_SLOTS: usize = 20;

/// A co-facilitated retreat's plan.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Plan {
    /// Always [`PLAN_FORMAT`].
    pub format: String,
    /// [`PLAN_VERSION`].
    pub version: u32,
    /// What the retreat is for.
    pub purpose: String,
    /// The leader's age recipient.
    pub leader: String,
    /// The helper's age recipient.
    pub helper: String,
    /// The fingerprint of the roster reports are checked against.
    pub roster: String,
    /// The values and scale every member's figures are counted against.
    pub pack: PackRef,
    /// The days counted.
    pub period: Period,
    /// No batch smaller than this is aggregated, and no figure from fewer members is shown.
    pub min_group: usize,
    /// How many excerpts each report carries (unused ones are blank, so nobody can tell how
    /// many a member shared).
    pub excerpt_slots: usize,
}

impl Plan {
    /// The plan's fingerprint: four groups of four hex digits of SHA-256 over its canonical
    /// JSON.
    pub fn fingerprint(&self) -> String {
        let canonical = serde_json::to_vec(self).unwrap_or_default();
        let mut h = Sha256::new();
        h.update(b"tend retreat plan v1\n");
        h.update(&canonical);
        let digest = h.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        hex.as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }

    /// The measurement layout.
    pub fn layout(&self) -> Result<Layout, ProtocolError> {
        Layout::new(&self.pack)
    }

    /// The plan as pretty JSON.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a plan strictly, and checks that its parts agree.
    pub fn parse(bytes: &[u8]) -> Result<Self, ProtocolError> {
        check_size(bytes, MAX_PLAN_BYTES)?;
        let plan: Plan = parse_versioned(bytes, PLAN_FORMAT, "retreat plan", PLAN_VERSION)?;
        plan.check()?;
        Ok(plan)
    }

    /// The parts of a plan that must agree.
    pub fn check(&self) -> Result<(), ProtocolError> {
        let bad = |m: &str| Err(ProtocolError::Inconsistent(format!("this plan {m}")));
        if self.purpose.trim().is_empty() {
            return bad("has no purpose");
        }
        if !self.leader.starts_with("age1") || !self.helper.starts_with("age1") {
            return bad("does not name both co-facilitators' age recipients");
        }
        if self.leader == self.helper {
            return bad(
                "names the same recipient for leader and helper: one person would see everything",
            );
        }
        if self.min_group < SMALLEST_MIN_GROUP.max(3) {
            return bad("has a minimum group below 3");
        }
        if self.excerpt_slots > MAX_EXCERPT_SLOTS {
            return bad("has more excerpt slots than tend allows (20)");
        }
        if self.pack.values.is_empty() {
            return bad("names no values");
        }
        let mut seen = std::collections::BTreeSet::new();
        if self.pack.values.iter().any(|v| !seen.insert(&v.id)) {
            return bad("names a value twice");
        }
        let scale = &self.pack.scale;
        if scale.min > scale.max || scale.words.len() != scale.points() {
            return bad("has a rating scale tend cannot read");
        }
        if let (Some(s), Some(u)) = (self.period.since, self.period.until)
            && s > u
        {
            return bad("has a period that ends before it starts");
        }
        self.layout().map(|_| ())
    }
}
