//! Contributions: what a member consents to share with their collective's retreat.
//!
//! A contribution is a small, versioned JSON document that holds counts (how many
//! reflections named each value, how the alignment ratings fell, commitments by where they
//! stand, repairs by the parts tended) and, only when the member names them, excerpts of
//! chosen reflections. It holds exactly what [`Contribution::preview`] shows and nothing
//! more. tend-store seals it in an age file; this module never sees keys or files.
//!
//! Excerpts carry no date: the day a reflection was written, next to its words, is often
//! enough to tell who wrote it. Tags never leave the journal either.

mod build;
mod consent;
pub mod limits;
mod preview;
#[cfg(test)]
mod proptests;
mod revocation;
mod signing;

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::commitment::CommitmentState;
use crate::pack::{MAX_SCALE_POINTS, Scale};
use crate::repair::RepairPart;

pub use build::{BuildError, ContributionRequest};
pub use consent::{ConsentRecord, ConsentStatus, ExcerptRef, Included, RevocationToken};
pub use revocation::{REVOCATION_FORMAT, REVOCATION_VERSION, Revocation};
pub use signing::{
    MEMBER_KEY_PREFIX, MemberKey, MemberKeyError, SIGNING_CONTEXT, SignedContribution,
    signing_message,
};

/// The `format` field of every contribution.
pub const FORMAT: &str = "tend-contribution";
/// The contribution version this build writes, and the only one it reads: version 2 is
/// signed by the member's key for the purpose; version 1 was not, and is refused.
pub const VERSION: u32 = 2;

/// What one member consented to share, for one purpose.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Contribution {
    /// Always [`FORMAT`].
    pub format: String,
    /// The document version; see [`VERSION`].
    pub version: u32,
    /// A random id for this contribution, chosen by the member's journal.
    pub id: String,
    /// What it is for, in the words the facilitator asked for (such as "Spring retreat 2026").
    pub purpose: String,
    /// The member's public signing key for this purpose (see [`MemberKey`]): stable for one
    /// journal and one purpose, so a roster can list it and a newer contribution can replace
    /// an older one, and unlinkable across purposes.
    pub signer: MemberKey,
    /// How many contributions this journal has signed for this purpose, this one included
    /// (1 for the first): a later one from the same key replaces an earlier one by this
    /// number, never by a date.
    pub counter: u64,
    /// The values it was counted against: only the ones it covers.
    pub pack: PackRef,
    /// The days it covers.
    pub period: Period,
    /// When consent was given, until when, and whether under a name.
    pub consent: ConsentTerms,
    /// Hex SHA-256 of the secret revocation token that only the member's journal keeps.
    pub revocation_hash: String,
    /// The counts.
    pub aggregates: Aggregates,
    /// The text of reflections the member chose to share, without dates.
    pub excerpts: Vec<Excerpt>,
}

/// The values a contribution was counted against. It carries neither the pack's name nor the
/// whole pack's fingerprint, which are the same in everything one customised journal shares
/// and so would link its contributions across purposes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PackRef {
    /// The fingerprint of the covered values and the scale only (see
    /// [`covered_fingerprint`]).
    pub fingerprint: String,
    /// The values this contribution covers, in the pack's order.
    pub values: Vec<ValueRef>,
    /// The alignment rating scale.
    pub scale: Scale,
}

/// A value, by id and the name it had in the member's pack.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueRef {
    /// The value's stable id.
    pub id: String,
    /// Its name in the member's pack.
    pub name: String,
}

/// The days a contribution covers, both ends included; an open end reaches as far as the
/// journal does.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Period {
    /// The first day, if any.
    pub since: Option<NaiveDate>,
    /// The last day, if any.
    pub until: Option<NaiveDate>,
}

impl Period {
    /// Whether `day` falls within the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }

    /// Whether both ends are open.
    pub fn is_unbounded(&self) -> bool {
        self.since.is_none() && self.until.is_none()
    }

    /// The period in plain words, such as "from 1 March 2026 to 31 May 2026".
    pub fn describe(&self) -> String {
        match (self.since, self.until) {
            (None, None) => "the whole journal".to_owned(),
            (Some(s), None) => format!("from {} onwards", day(s)),
            (None, Some(u)) => format!("everything up to {}", day(u)),
            (Some(s), Some(u)) => format!("from {} to {}", day(s), day(u)),
        }
    }
}

/// A calendar date the way people read it: "1 March 2026".
pub(crate) fn day(d: NaiveDate) -> String {
    d.format("%-d %B %Y").to_string()
}

/// The terms of consent a contribution carries.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentTerms {
    /// The day consent was given (only the day: a moment to the nanosecond would be the same
    /// in every contribution one journal makes at once, and would link them).
    pub given: NaiveDate,
    /// The last day the contribution may be used; `None` until revoked.
    pub expires: Option<NaiveDate>,
    /// The name the member chose to be known by; `None` for anonymous.
    pub name: Option<String>,
}

impl ConsentTerms {
    /// Whether consent has run out by `today` (the expiry day itself still counts).
    pub fn is_expired(&self, today: NaiveDate) -> bool {
        self.expires.is_some_and(|e| e < today)
    }
}

/// The counts a contribution carries.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Aggregates {
    /// One entry per value covered, in the pack's order.
    pub values: Vec<ValueAggregate>,
    /// Commitments made in the period, by where they stand now. Absent states are zero.
    pub commitments: BTreeMap<CommitmentState, u32>,
    /// Repairs opened in the period.
    pub repairs: RepairAggregate,
}

/// How often one value was named, and how its alignment ratings fell.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ValueAggregate {
    /// The value's id.
    pub id: String,
    /// How many reflections in the period named it.
    pub reflections: u32,
    /// How many of those gave each rating; reflections without a rating are the rest.
    pub ratings: BTreeMap<u8, u32>,
}

impl ValueAggregate {
    /// How many of its reflections carried no rating.
    pub fn unrated(&self) -> u32 {
        let rated: u64 = self.ratings.values().map(|c| u64::from(*c)).sum();
        u32::try_from(u64::from(self.reflections).saturating_sub(rated)).unwrap_or(0)
    }
}

/// Repairs opened in the period.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RepairAggregate {
    /// Still open.
    pub open: u32,
    /// Closed by the member.
    pub closed: u32,
    /// For each part of accountability, in how many repairs it was tended at least once.
    pub tended: BTreeMap<RepairPart, u32>,
}

/// The full text of one reflection a member chose to share.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Excerpt {
    /// The ids of the covered values it names, in the order the member named them.
    pub values: Vec<String>,
    /// The reflection's text, as written.
    pub text: String,
    /// The member's content note, shown before the text so reading it is a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_note: Option<String>,
}

/// A contribution or revocation document that could not be read.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum ContributionError {
    /// The bytes are not JSON at all.
    #[error("this is not a JSON document (line {line}, column {column}: {message})")]
    NotJson {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// JSON, but not the kind of tend document expected (its `format` field differs).
    #[error("this is not a {expected} (its format is {})", found.as_deref().map_or("missing".to_owned(), |f| format!("{f:?}")))]
    WrongFormat {
        /// The format that was expected.
        expected: &'static str,
        /// The format it has, if any (shortened).
        found: Option<String>,
    },
    /// Written by a newer tend.
    #[error(
        "this {kind} was written by a newer tend (version {version}; this tend reads up to {supported}): update tend to read it"
    )]
    NewerVersion {
        /// "contribution" or "revocation".
        kind: &'static str,
        /// The version the document has.
        version: u64,
        /// The newest version this build reads.
        supported: u32,
    },
    /// A contribution from an older tend, which did not sign contributions.
    #[error(
        "this contribution was made by an older tend (version {version}) and is not signed; ask the member to share it again with a current tend"
    )]
    Unsigned {
        /// The version the document has.
        version: u64,
    },
    /// The document is larger than any contribution tend writes.
    #[error("this file is {bytes} bytes, more than the {max} a contribution may have")]
    TooLarge {
        /// Its size.
        bytes: usize,
        /// The cap.
        max: usize,
    },
    /// A field the document must have is missing.
    #[error("this document has no {field:?} field, which every {kind} has")]
    MissingField {
        /// "contribution" or "revocation".
        kind: &'static str,
        /// The field's name.
        field: String,
    },
    /// A field has the wrong shape, or there is a field tend does not know.
    #[error("this document is not well formed (line {line}, column {column}: {message})")]
    Malformed {
        /// 1-based line.
        line: usize,
        /// 1-based column.
        column: usize,
        /// What the parser said.
        message: String,
    },
    /// Well formed, but its parts do not agree with each other.
    #[error("this contribution does not add up: {0}")]
    Inconsistent(String),
}

impl ContributionError {
    /// Why a retreat build leaves a file with this error out.
    pub fn leave_reason(&self) -> crate::retreat::LeaveReason {
        use crate::retreat::LeaveReason;
        match self {
            Self::NewerVersion { .. } => LeaveReason::NewerFormat,
            Self::Unsigned { .. } => LeaveReason::Unsigned,
            Self::TooLarge { .. } => LeaveReason::TooLarge,
            Self::Inconsistent(_) => LeaveReason::Malformed,
            _ => LeaveReason::NotAContribution,
        }
    }
}

/// Hex SHA-256 of `bytes`: the digest of a written file, or the hash of a revocation token.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex(&Sha256::digest(bytes))
}

/// Lower-case hex of `bytes`.
pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Bytes from hex (either case); `None` unless it is an even number of hex digits.
pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    // from_str_radix alone would also take a sign: "+7" would read as 07.
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    s.as_bytes()
        .chunks(2)
        .map(|pair| {
            let text = std::str::from_utf8(pair).ok()?;
            u8::from_str_radix(text, 16).ok()
        })
        .collect()
}

/// Whether `s` looks like a hex SHA-256 digest.
pub(crate) fn is_sha256_hex(s: &str) -> bool {
    s.len() == 64 && s.bytes().all(|b| b.is_ascii_hexdigit())
}

/// The form of a purpose that decides whether two contributions are for the same thing:
/// trimmed, inner spaces collapsed, lower-case. Use it to derive pseudonyms, too.
pub fn purpose_key(purpose: &str) -> String {
    purpose
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        .to_lowercase()
}

impl Contribution {
    /// Pretty JSON: the text that goes into the sealed file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a contribution strictly: unknown fields, newer versions and parts that do not
    /// agree are refused, each with its own error. Never panics, whatever the bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContributionError> {
        let contribution: Self = parse_document(bytes, FORMAT, "contribution", VERSION)?;
        contribution.check()?;
        Ok(contribution)
    }

    /// The shapes, caps and agreements every contribution keeps (see [`limits`]).
    fn check(&self) -> Result<(), ContributionError> {
        use limits::{
            MAX_EXCERPT_CHARS, MAX_EXCERPTS, MAX_NAME_CHARS, MAX_NOTE_CHARS, MAX_PURPOSE_CHARS,
            MAX_SCALE_WORD_CHARS, MAX_VALUE_NAME_CHARS, MAX_VALUES, is_fingerprint, is_lower_hex,
            text_problem,
        };
        let bad = |what: String| Err(ContributionError::Inconsistent(what));
        let text = |what: &str, s: &str, max: usize, multiline: bool| match text_problem(
            s, max, multiline,
        ) {
            Some(problem) => bad(format!("{what} {problem}")),
            None => Ok(()),
        };
        if self.version != VERSION {
            return bad(format!("its version is {}", self.version));
        }
        if !is_lower_hex(&self.id, 16) {
            return bad("its id is not 16 lower-case hex digits".into());
        }
        if self.counter == 0 {
            return bad("its counter is 0".into());
        }
        text("its purpose", &self.purpose, MAX_PURPOSE_CHARS, false)?;
        if self.purpose.trim().is_empty() {
            return bad("it has no purpose".into());
        }
        if !is_sha256_hex(&self.revocation_hash)
            || self.revocation_hash != self.revocation_hash.to_ascii_lowercase()
        {
            return bad("its revocation hash is not a SHA-256 digest".into());
        }
        if let (Some(s), Some(u)) = (self.period.since, self.period.until)
            && s > u
        {
            return bad("its period ends before it starts".into());
        }
        if let Some(name) = &self.consent.name {
            text("its name", name, MAX_NAME_CHARS, false)?;
            if name.trim().is_empty() || name.trim() != name {
                return bad("its name is blank or has spaces around it".into());
            }
        }
        if !is_fingerprint(&self.pack.fingerprint) {
            return bad("its values fingerprint is not in the shape xxxx-xxxx-xxxx-xxxx".into());
        }
        let scale = &self.pack.scale;
        if scale.min > scale.max
            || scale.points() > MAX_SCALE_POINTS
            || scale.words.len() != scale.points()
        {
            return bad("its rating scale is not a scale tend can read".into());
        }
        for word in &scale.words {
            text(
                "a word of its rating scale",
                word,
                MAX_SCALE_WORD_CHARS,
                false,
            )?;
        }
        if self.pack.values.len() > MAX_VALUES {
            return bad(format!(
                "it covers {} values (at most {MAX_VALUES})",
                self.pack.values.len()
            ));
        }
        if self.excerpts.len() > MAX_EXCERPTS {
            return bad(format!(
                "it has {} excerpts (at most {MAX_EXCERPTS})",
                self.excerpts.len()
            ));
        }
        let mut known = BTreeSet::new();
        for v in &self.pack.values {
            if !crate::pack::is_valid_id(&v.id) {
                return bad("a value id is not in the shape of a value id".into());
            }
            text(
                &format!("the name of value {:?}", v.id),
                &v.name,
                MAX_VALUE_NAME_CHARS,
                false,
            )?;
            if v.name.trim().is_empty() {
                return bad(format!("value {:?} has no name", v.id));
            }
            if !known.insert(v.id.as_str()) {
                return bad(format!("value {:?} is listed twice", v.id));
            }
        }
        if self.pack.fingerprint != covered_fingerprint(&self.pack.values, scale) {
            return bad("its values fingerprint does not match its values".into());
        }
        let mut counted = BTreeMap::new();
        for agg in &self.aggregates.values {
            if !known.contains(agg.id.as_str()) {
                return bad(format!("value {:?} is counted but not listed", agg.id));
            }
            if counted.insert(agg.id.as_str(), agg.reflections).is_some() {
                return bad(format!("value {:?} is counted twice", agg.id));
            }
            if let Some(r) = agg.ratings.keys().find(|r| !scale.contains(**r)) {
                return bad(format!("rating {r} of {:?} is not on its scale", agg.id));
            }
            let rated: u64 = agg.ratings.values().map(|c| u64::from(*c)).sum();
            if rated > u64::from(agg.reflections) {
                return bad(format!(
                    "value {:?} has more ratings than reflections",
                    agg.id
                ));
            }
        }
        for (i, excerpt) in self.excerpts.iter().enumerate() {
            let n = i + 1;
            text(
                &format!("excerpt {n}'s text"),
                &excerpt.text,
                MAX_EXCERPT_CHARS,
                true,
            )?;
            if let Some(note) = &excerpt.content_note {
                text(
                    &format!("excerpt {n}'s content note"),
                    note,
                    MAX_NOTE_CHARS,
                    false,
                )?;
            }
            if excerpt.values.len() > MAX_VALUES {
                return bad(format!("excerpt {n} names too many values"));
            }
            let mut named = BTreeSet::new();
            for v in &excerpt.values {
                if !known.contains(v.as_str()) {
                    return bad(format!("an excerpt names value {v:?}, which is not listed"));
                }
                if !named.insert(v.as_str()) {
                    return bad(format!("excerpt {n} names value {v:?} twice"));
                }
                // An excerpt's reflection is in the period, so it counts towards its values.
                if counted.get(v.as_str()).copied().unwrap_or(0) == 0 {
                    return bad(format!(
                        "excerpt {n} names value {v:?}, which no reflection is counted for"
                    ));
                }
            }
        }
        Ok(())
    }
}

/// The fingerprint of the values a contribution covers (ids and names, in order) and its
/// rating scale, in the shape of a pack fingerprint. Two members who cover the same values
/// of the same pack have the same one; it says nothing about the rest of the pack.
pub fn covered_fingerprint(values: &[ValueRef], scale: &Scale) -> String {
    let mut hasher = Sha256::new();
    hasher.update(b"tend covered values v1\n");
    let canonical = serde_json::to_vec(&(values, scale)).unwrap_or_default();
    hasher.update(&canonical);
    let digits = hex(&hasher.finalize()[..8]);
    digits
        .as_bytes()
        .chunks(4)
        .map(|c| String::from_utf8_lossy(c).into_owned())
        .collect::<Vec<_>>()
        .join("-")
}

/// Reads a versioned tend JSON document: JSON first, then its `format`, then its `version`,
/// then every field, so each kind of trouble gets its own error.
pub(crate) fn parse_document<T: DeserializeOwned>(
    bytes: &[u8],
    format: &'static str,
    kind: &'static str,
    supported: u32,
) -> Result<T, ContributionError> {
    let value: serde_json::Value =
        serde_json::from_slice(bytes).map_err(|e| ContributionError::NotJson {
            line: e.line(),
            column: e.column(),
            message: serde_message(&e),
        })?;
    let expected = match kind {
        "revocation" => "tend revocation",
        _ => "tend contribution",
    };
    let found = value.get("format").map(|f| match f.as_str() {
        Some(s) => crate::text::truncate(s, 40),
        None => crate::text::truncate(&f.to_string(), 40),
    });
    if found.as_deref() != Some(format) {
        return Err(ContributionError::WrongFormat { expected, found });
    }
    match value.get("version").map(serde_json::Value::as_u64) {
        None => {
            return Err(ContributionError::MissingField {
                kind,
                field: "version".into(),
            });
        }
        Some(Some(v)) if v > u64::from(supported) => {
            return Err(ContributionError::NewerVersion {
                kind,
                version: v,
                supported,
            });
        }
        Some(Some(v)) if kind == "contribution" && v < u64::from(supported) => {
            return Err(ContributionError::Unsigned { version: v });
        }
        _ => {}
    }
    serde_json::from_slice(bytes).map_err(|e| {
        let message = serde_message(&e);
        match message
            .strip_prefix("missing field `")
            .and_then(|rest| rest.split_once('`'))
        {
            Some((field, _)) => ContributionError::MissingField {
                kind,
                field: field.to_owned(),
            },
            None => ContributionError::Malformed {
                line: e.line(),
                column: e.column(),
                message,
            },
        }
    })
}

/// serde_json's message without its trailing " at line L column C".
fn serde_message(e: &serde_json::Error) -> String {
    let message = e.to_string();
    message
        .rsplit_once(" at line ")
        .map_or(message.as_str(), |(m, _)| m)
        .to_owned()
}

#[cfg(test)]
pub(crate) mod tests;
