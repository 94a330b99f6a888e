//! The member's own record of each consent they gave.
//!
//! tend-store keeps these encrypted in the journal. The record is the only place the
//! revocation token lives, so it is the member, and only the member, who can withdraw a
//! contribution later.

use std::fmt;
use std::fmt::Write as _;

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use super::{Contribution, Period, Revocation, day, hex, sha256_hex, unhex};
use crate::id::RecordId;

/// The secret that withdraws one contribution, in hex. Its hash travels in the
/// contribution; the token itself stays in the journal until the member revokes.
///
/// It is deliberately not `Clone`, and its `Debug` does not show it.
#[derive(Serialize, Deserialize, PartialEq, Eq)]
#[serde(transparent)]
pub struct RevocationToken(String);

impl RevocationToken {
    /// A token from random bytes the caller generated (32 is plenty).
    pub fn from_bytes(bytes: &[u8]) -> Self {
        Self(hex(bytes))
    }

    /// The hex SHA-256 of the token's bytes: the contribution's `revocation_hash`.
    pub fn hash(&self) -> String {
        sha256_hex(&unhex(&self.0).unwrap_or_default())
    }

    /// The token in hex, for writing a revocation.
    pub fn expose_hex(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for RevocationToken {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("RevocationToken(hidden)")
    }
}

impl Drop for RevocationToken {
    fn drop(&mut self) {
        // Best effort without a zeroize dependency in core: overwrite the bytes we own.
        let mut bytes = std::mem::take(&mut self.0).into_bytes();
        bytes.iter_mut().for_each(|b| *b = 0);
        std::hint::black_box(&bytes);
    }
}

/// How a consent record names a reflection it shared as an excerpt.
///
/// Records written since record ids came name it by its [`RecordId`] (32 letters), which is
/// the same on every device; older records hold its format 1 number, which stays an alias
/// of the same reflection, so they still read (and their contributions can still be
/// revoked).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExcerptRef {
    /// The reflection's id.
    Id(RecordId),
    /// The reflection's format 1 number, in a record written before ids.
    Number(u64),
}

/// What a contribution included, as the member chose it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Included {
    /// The ids of the values it counted.
    pub values: Vec<String>,
    /// The reflections shared as excerpts.
    pub excerpts: Vec<ExcerptRef>,
    /// The name it was shared under; `None` when anonymous.
    pub name: Option<String>,
}

/// The journal's record of one contribution and the consent behind it.
#[derive(Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    /// The contribution's id.
    pub contribution_id: String,
    /// What it was for.
    pub purpose: String,
    /// Who it was sealed for (`age1…` recipients).
    pub recipients: Vec<String>,
    /// The days it covered.
    pub period: Period,
    /// What it included.
    pub included: Included,
    /// When consent was given.
    pub given: DateTime<Utc>,
    /// The last day it may be used, if any.
    pub expires: Option<NaiveDate>,
    /// Hex SHA-256 of the file as written, so the member can recognise it later.
    pub digest: String,
    /// The secret that withdraws it.
    pub revocation_token: RevocationToken,
    /// When the member revoked it, if they did.
    pub revoked: Option<DateTime<Utc>>,
}

/// Where a consent stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ConsentStatus {
    /// In force.
    Active,
    /// Ran out after this day.
    Expired(NaiveDate),
    /// Withdrawn at this moment.
    Revoked(DateTime<Utc>),
}

impl fmt::Display for ConsentStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Active => f.write_str("in force"),
            Self::Expired(on) => write!(f, "ended after {}", day(*on)),
            Self::Revoked(at) => write!(f, "revoked on {}", day(at.date_naive())),
        }
    }
}

impl ConsentRecord {
    /// The record of `contribution`, written to `digest` (hex SHA-256 of the sealed file) for
    /// `recipients`, sharing the reflections `excerpt_ids`, consented to at `given`. `token`
    /// must be the token whose hash the contribution carries.
    pub fn new(
        contribution: &Contribution,
        given: DateTime<Utc>,
        recipients: Vec<String>,
        excerpt_ids: Vec<RecordId>,
        digest: String,
        token: RevocationToken,
    ) -> Self {
        Self {
            contribution_id: contribution.id.clone(),
            purpose: contribution.purpose.clone(),
            recipients,
            period: contribution.period,
            included: Included {
                values: contribution
                    .aggregates
                    .values
                    .iter()
                    .map(|v| v.id.clone())
                    .collect(),
                excerpts: excerpt_ids.into_iter().map(ExcerptRef::Id).collect(),
                name: contribution.consent.name.clone(),
            },
            given,
            expires: contribution.consent.expires,
            digest,
            revocation_token: token,
            revoked: None,
        }
    }

    /// Where the consent stands on `today`.
    pub fn status(&self, today: NaiveDate) -> ConsentStatus {
        match (self.revoked, self.expires) {
            (Some(at), _) => ConsentStatus::Revoked(at),
            (None, Some(e)) if e < today => ConsentStatus::Expired(e),
            _ => ConsentStatus::Active,
        }
    }

    /// The revocation for this contribution. It can be written again at any time (to more
    /// people, or after a file was lost); the first call's moment is kept in `revoked`.
    pub fn revoke(&mut self, at: DateTime<Utc>) -> Revocation {
        self.revoked.get_or_insert(at);
        self.revocation()
    }

    /// The revocation document, without marking the record revoked.
    pub fn revocation(&self) -> Revocation {
        Revocation::new(
            &self.contribution_id,
            &self.purpose,
            self.revocation_token.expose_hex(),
        )
    }

    /// What was included, in a line: "counts for equity, repair; 2 excerpts (reflections
    /// kbxq, mdtr); anonymous". `handle` says how an excerpt's reflection is named (its handle
    /// in the journal).
    pub fn included_words(&self, handle: impl Fn(&ExcerptRef) -> String) -> String {
        let values = if self.included.values.is_empty() {
            "no value counts".to_owned()
        } else {
            format!("counts for {}", self.included.values.join(", "))
        };
        let excerpts = match self.included.excerpts.as_slice() {
            [] => "no excerpts".to_owned(),
            [one] => format!("1 excerpt (reflection {})", handle(one)),
            many => format!(
                "{} excerpts (reflections {})",
                many.len(),
                many.iter().map(&handle).collect::<Vec<_>>().join(", ")
            ),
        };
        let name = match &self.included.name {
            None => "anonymous".to_owned(),
            Some(n) => format!("under the name {n:?}"),
        };
        format!("{values}; {excerpts}; {name}")
    }

    /// Several lines for `tend consent list`: everything the member agreed to, and where it
    /// stands on `today`.
    /// `handle` names an excerpt's reflection, as for [`ConsentRecord::included_words`].
    pub fn describe(&self, today: NaiveDate, handle: impl Fn(&ExcerptRef) -> String) -> String {
        let mut out = String::new();
        let _ = writeln!(
            out,
            "{}  for {:?}: {}",
            self.contribution_id,
            self.purpose,
            self.status(today)
        );
        let _ = writeln!(out, "  sealed for: {}", self.recipients.join(", "));
        let _ = writeln!(out, "  period:     {}", self.period.describe());
        let _ = writeln!(out, "  included:   {}", self.included_words(handle));
        let _ = writeln!(
            out,
            "  given:      {}",
            self.given.format("%-d %B %Y at %H:%M UTC")
        );
        let expiry = self
            .expires
            .map_or_else(|| "no end date".to_owned(), |e| format!("after {}", day(e)));
        let _ = writeln!(out, "  ends:       {expiry}");
        let _ = writeln!(out, "  file:       sha256 {}", self.digest);
        out
    }
}
