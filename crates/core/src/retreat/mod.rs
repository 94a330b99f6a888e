//! Retreat summaries: one view of what members chose to give, that names nobody who did not
//! ask to be named and protects small groups.
//!
//! The facilitator's tool decrypts and parses contribution files (tend-store, tend-cli);
//! this module decides which of them count ([`build`]), adds them up under the small-group
//! rules, and renders the result ([`render`], [`render_user_template`]).
//!
//! ```
//! use chrono::NaiveDate;
//! use tend_core::retreat::{self, Format, Options};
//!
//! let today = NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date");
//! let (summary, report) = retreat::build(vec![], &[], vec![], &Options::new(today))?;
//! assert_eq!(summary.members, None, "no figure from fewer than 3 members");
//! assert!(retreat::render(&summary, Format::Markdown)?.contains("fewer than 3 members"));
//! assert_eq!(report.included, 0);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

#[cfg(test)]
mod guarantee;
#[cfg(test)]
mod proptests;
mod protect;
mod render;
#[cfg(test)]
mod render_tests;
pub mod roster;
mod select;
mod summary;
#[cfg(test)]
mod tests;

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use crate::contribution::{Contribution, Revocation};
pub use protect::RowProfile;
pub use roster::{Roster, RosterEntry, RosterError};

pub use render::{
    Format, MAX_OUTPUT_BYTES, RenderError, holds_secret_key, render, render_user_template,
    template_name_is_loadable, template_name_is_plain, within_folder,
};
pub use summary::{
    CommitmentSummary, ExcerptView, PartFigure, RatingFigure, RepairSummary, SUMMARY_FORMAT,
    StateFigure, Summary, ValueSummary,
};

/// The smallest group a figure may be drawn from, unless the facilitator chooses more.
pub const DEFAULT_MIN_GROUP: usize = 3;
/// The threshold can never go below this. With 2, either member subtracts their own figure
/// from a total and reads the other's; with 3 or more, a reader who knows the figures of up
/// to `min_group - 2` contributors still cannot single anyone out (docs/retreat-guide.md).
pub const SMALLEST_MIN_GROUP: usize = 3;

/// A contribution that was decrypted and parsed, with where it came from.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Received {
    /// Where it came from, for the report (usually the file name).
    pub source: String,
    /// The contribution.
    pub contribution: Contribution,
    /// Whether the caller checked the contribution's signature against its `signer` key
    /// (tend-store's `member::verify`) and found it good. Unverified contributions are left
    /// out.
    pub verified: bool,
}

/// Why a file was left out of a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize)]
#[serde(rename_all = "snake_case")]
#[non_exhaustive]
pub enum LeaveReason {
    /// Sealed for a key the facilitator does not hold.
    WrongRecipient,
    /// Changed or cut short after it was sealed.
    Tampered,
    /// Not a tend contribution.
    NotAContribution,
    /// Written by a newer tend.
    NewerFormat,
    /// Its consent has ended.
    Expired,
    /// Its author revoked it.
    Revoked,
    /// A newer contribution from the same member, for the same purpose, replaces it.
    Replaced,
    /// The same contribution as another file.
    Duplicate,
    /// For a different purpose than this summary.
    OtherPurpose,
    /// The file could not be read at all.
    Unreadable,
    /// Made by an older tend that did not sign contributions.
    Unsigned,
    /// Its signature does not match its content and key.
    BadSignature,
    /// Larger than any contribution tend writes.
    TooLarge,
    /// A field breaks a cap or is not in its exact shape.
    Malformed,
    /// Signed by a key that is not on the roster.
    NotOnRoster,
    /// Carries a name other than the one the roster gives its key.
    NameNotOnRoster,
}

impl fmt::Display for LeaveReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Self::WrongRecipient => "sealed for a different key than the ones given",
            Self::Tampered => "damaged or changed since it was sealed",
            Self::NotAContribution => "not a tend contribution",
            Self::NewerFormat => "written by a newer tend (update tend to read it)",
            Self::Expired => "the consent behind it has ended",
            Self::Revoked => "its author revoked it",
            Self::Replaced => "replaced by a newer contribution from the same member",
            Self::Duplicate => "the same contribution as another file",
            Self::OtherPurpose => "made for a different purpose",
            Self::Unreadable => "the file could not be read",
            Self::Unsigned => "made by an older tend, which did not sign contributions",
            Self::BadSignature => "its signature does not match (changed, or not made by tend)",
            Self::TooLarge => "larger than any contribution tend writes",
            Self::Malformed => "a part of it breaks tend's limits",
            Self::NotOnRoster => "not on the roster (signed by a key the roster does not list)",
            Self::NameNotOnRoster => "it carries a name the roster does not give its key",
        })
    }
}

/// A file left out of the summary, and why.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct LeftOut {
    /// Where it came from.
    pub source: String,
    /// Why it was left out.
    pub reason: LeaveReason,
    /// More about why, when there is more to say (such as which cap a field broke).
    pub detail: Option<String>,
}

impl LeftOut {
    /// `source` left out for `reason`.
    pub fn new(source: impl Into<String>, reason: LeaveReason) -> Self {
        Self {
            source: source.into(),
            reason,
            detail: None,
        }
    }

    /// The same, with more to say.
    pub fn with_detail(mut self, detail: impl Into<String>) -> Self {
        self.detail = Some(detail.into());
        self
    }
}

/// How a summary is built.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Options {
    /// The facilitator's today: consent that ended before it is not used.
    pub today: NaiveDate,
    /// No figure is shown that is drawn from fewer members than this (at least
    /// [`SMALLEST_MIN_GROUP`]).
    pub min_group: usize,
    /// Only contributions for this purpose; without it, the purpose most contributions share.
    pub purpose: Option<String>,
    /// The summary's title; without it, the purpose.
    pub title: Option<String>,
    /// The retreat's roster. Without one, every well-signed contribution counts, one per
    /// key, and the report and the summary say that nobody checked who the keys belong to.
    pub roster: Option<Roster>,
    /// Revocation files that could not be read and were skipped at the facilitator's word
    /// (`--skip-unreadable`); the report and the summary name them.
    pub skipped_revocations: Vec<String>,
}

impl Options {
    /// The defaults: a minimum group of [`DEFAULT_MIN_GROUP`], no purpose filter, no title.
    pub fn new(today: NaiveDate) -> Self {
        Self {
            today,
            min_group: DEFAULT_MIN_GROUP,
            purpose: None,
            title: None,
            roster: None,
            skipped_revocations: Vec::new(),
        }
    }
}

/// A summary that cannot be built as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RetreatError {
    /// The minimum group is below [`SMALLEST_MIN_GROUP`].
    #[error(
        "a minimum group of {0} would let members work out each other's figures; use {SMALLEST_MIN_GROUP} or more"
    )]
    MinGroupTooSmall(usize),
}

/// The closing report for the facilitator: what was read, what was used, what was left out
/// and why. It is not part of the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// Files read, readable or not.
    pub read: usize,
    /// Contributions included in the summary.
    pub included: usize,
    /// Files left out, sorted by source.
    pub left_out: Vec<LeftOut>,
    /// Things the facilitator should know.
    pub warnings: Vec<String>,
    /// The roster checked against, if any.
    pub roster: Option<RosterCheck>,
    /// Revocation files skipped because they could not be read.
    pub skipped_revocations: Vec<String>,
}

/// What a summary says about its roster.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RosterCheck {
    /// The roster's fingerprint (see [`Roster::fingerprint`]).
    pub fingerprint: String,
    /// How many people are on it.
    pub listed: usize,
    /// How many of them have a contribution in the summary.
    pub contributed: usize,
}

impl fmt::Display for Report {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        use crate::contribution::limits::clean_for_terminal as clean;
        let files = if self.read == 1 { "file" } else { "files" };
        writeln!(
            f,
            "Read {} {files}: {} included, {} left out.",
            self.read,
            self.included,
            self.left_out.len()
        )?;
        for left in &self.left_out {
            write!(f, "  left out {}: {}", clean(&left.source), left.reason)?;
            match &left.detail {
                Some(detail) => writeln!(f, " ({})", clean(detail))?,
                None => writeln!(f)?,
            }
        }
        match &self.roster {
            Some(r) => writeln!(
                f,
                "Checked against the roster {} ({} listed, {} contributed).",
                r.fingerprint, r.listed, r.contributed
            )?,
            None => writeln!(
                f,
                "Note: no roster was given, so contributions were not checked against a roster: \
                 anyone holding your recipient could have added some."
            )?,
        }
        for skipped in &self.skipped_revocations {
            writeln!(
                f,
                "Note: the revocation {} could not be read and was skipped (--skip-unreadable).",
                clean(skipped)
            )?;
        }
        for warning in &self.warnings {
            writeln!(f, "Note: {}", clean(warning))?;
        }
        Ok(())
    }
}

/// The profiles of members' rows that a co-facilitated build knows from the aggregate but
/// cannot read from its stand-in contributions (see [`RowProfile`]). A group without one is
/// profiled from the contributions' own rows, as in the single-facilitator build.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct RowProfiles {
    /// Per value, by id.
    pub values: std::collections::BTreeMap<String, RowProfile>,
    /// Commitments by state.
    pub commitments: Option<RowProfile>,
    /// Repairs open and closed.
    pub repair_status: Option<RowProfile>,
    /// Repairs by the parts tended.
    pub repair_parts: Option<RowProfile>,
}

/// Decides which contributions count and builds the summary from them.
///
/// `unreadable` lists files the caller could not open or parse (with the reason); they are
/// counted in the report. Rules, in order: a contribution whose signature was not verified
/// is left out; only one purpose (see [`Options::purpose`]); with a roster, only keys on it,
/// and only names as it gives them; of one key's contributions, only the one with the
/// highest signed counter counts, even when it is itself revoked or expired, so a replaced
/// contribution never comes back; a contribution whose revocation is among `revocations` is
/// left out; so is one whose consent ended before `today`. The result does not depend on the
/// order of the inputs.
pub fn build(
    received: Vec<Received>,
    revocations: &[Revocation],
    unreadable: Vec<LeftOut>,
    options: &Options,
) -> Result<(Summary, Report), RetreatError> {
    build_with_profiles(
        received,
        revocations,
        unreadable,
        options,
        &RowProfiles::default(),
    )
}

/// [`build`], with the small-group rules that read members' rows deciding on `profiles`
/// where it has them: for a co-facilitated build, whose contributions are stand-ins made
/// from the totals and `profiles` come from the same aggregate.
pub fn build_with_profiles(
    received: Vec<Received>,
    revocations: &[Revocation],
    unreadable: Vec<LeftOut>,
    options: &Options,
    profiles: &RowProfiles,
) -> Result<(Summary, Report), RetreatError> {
    if options.min_group < SMALLEST_MIN_GROUP {
        return Err(RetreatError::MinGroupTooSmall(options.min_group));
    }
    let read = received.len() + unreadable.len();
    let mut selection = select::select(received, revocations, options);
    let roster = options.roster.as_ref().map(|r| RosterCheck {
        fingerprint: r.fingerprint(),
        listed: r.len(),
        contributed: selection.included.len(),
    });
    let summary = summary::summarise(
        &selection.included,
        selection.purpose.clone(),
        options,
        roster.clone(),
        &mut selection.warnings,
        profiles,
    );
    let mut left_out = unreadable;
    left_out.extend(selection.left_out);
    left_out.sort();
    let report = Report {
        read,
        included: selection.included.len(),
        left_out,
        warnings: selection.warnings,
        roster,
        skipped_revocations: options.skipped_revocations.clone(),
    };
    Ok((summary, report))
}
