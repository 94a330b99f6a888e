//! The files the protocol passes between people, read strictly.
//!
//! Every file is a versioned JSON document; binary parts are base64. Each kind has a size
//! cap, unknown fields are refused, and a wrong `format` or a newer `version` each get their
//! own error, so a co-facilitator handed the wrong file hears which one it is.

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use serde::de::DeserializeOwned;
use serde::{Deserialize, Deserializer, Serialize, Serializer};
use tend_core::contribution::Excerpt;

use crate::ProtocolError;

/// Bytes that travel as base64 text.
#[derive(Clone, PartialEq, Eq, Default)]
pub struct B64(pub Vec<u8>);

impl std::fmt::Debug for B64 {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "B64({} bytes)", self.0.len())
    }
}

impl Serialize for B64 {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&STANDARD.encode(&self.0))
    }
}

impl<'de> Deserialize<'de> for B64 {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        STANDARD
            .decode(text.as_bytes())
            .map(B64)
            .map_err(|_| serde::de::Error::custom("a binary field is not base64"))
    }
}

/// Refuses bytes over `limit`.
pub(crate) fn check_size(bytes: &[u8], limit: usize) -> Result<(), ProtocolError> {
    if bytes.len() > limit {
        return Err(ProtocolError::Oversized {
            size: bytes.len(),
            limit,
        });
    }
    Ok(())
}

/// Reads a versioned document: JSON, then `format`, then `version`, then every field.
pub(crate) fn parse_versioned<T: DeserializeOwned>(
    bytes: &[u8],
    format: &'static str,
    kind: &'static str,
    supported: u32,
) -> Result<T, ProtocolError> {
    let value: serde_json::Value = serde_json::from_slice(bytes)
        .map_err(|e| ProtocolError::Malformed(format!("not JSON ({e})")))?;
    let found = value.get("format").and_then(|f| f.as_str());
    if found != Some(format) {
        return Err(ProtocolError::WrongKind {
            expected: kind,
            found: found.map_or_else(
                || "something else".to_owned(),
                |f| format!("a {:?} file", tend_core::text::truncate(f, 40)),
            ),
        });
    }
    match value.get("version").and_then(serde_json::Value::as_u64) {
        Some(v) if v > u64::from(supported) => {
            return Err(ProtocolError::NewerVersion { kind, version: v });
        }
        Some(0) | None => {
            return Err(ProtocolError::Malformed(format!(
                "this {kind} has no version"
            )));
        }
        _ => {}
    }
    serde_json::from_value(value).map_err(|e| ProtocolError::Malformed(e.to_string()))
}

/// Implements the strict reader and the writer of one document kind.
macro_rules! document {
    ($ty:ident, $format:expr, $kind:expr, $version:expr, $max:expr) => {
        impl $ty {
            /// The document as JSON.
            pub fn to_json(&self) -> Vec<u8> {
                serde_json::to_vec(self).unwrap_or_default()
            }

            /// Reads the document strictly. Never panics, whatever the bytes.
            pub fn parse(bytes: &[u8]) -> Result<Self, ProtocolError> {
                check_size(bytes, $max)?;
                let doc: Self = parse_versioned(bytes, $format, $kind, $version)?;
                doc.check()?;
                Ok(doc)
            }
        }
    };
}

/// Which co-facilitator.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Receives the helper's batch, reads excerpts, never learns who sent what.
    Leader,
    /// Receives members' reports, checks them against the roster, sees only random shares.
    Helper,
}

impl std::fmt::Display for Role {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Role::Leader => "leader",
            Role::Helper => "helper",
        })
    }
}

fn bad(m: impl Into<String>) -> Result<(), ProtocolError> {
    Err(ProtocolError::Inconsistent(m.into()))
}

fn nonce_ok(n: &B64) -> bool {
    n.0.len() == 16
}

/// The `format` of a member's report.
pub const REPORT_FORMAT: &str = "tend-retreat-report";
/// The largest report read.
pub const MAX_REPORT_BYTES: usize = 8 * 1024 * 1024;

/// What a member sends the helper (sealed to the helper): their measurement's two shares
/// (the leader's still sealed to the leader), their excerpt slots (each sealed to the
/// leader), and a signature with their roster key over all of it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Report {
    /// [`REPORT_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The plan's fingerprint.
    pub plan: String,
    /// The report's nonce (its id).
    pub nonce: B64,
    /// The VDAF public share.
    pub public_share: B64,
    /// The helper's input share.
    pub helper_share: B64,
    /// The leader's input share, sealed to the leader.
    pub leader_share: B64,
    /// Exactly the plan's number of excerpt slots, each sealed to the leader.
    pub excerpts: Vec<B64>,
    /// Whether the member's excerpts appear under their roster name.
    pub named: bool,
    /// Hex SHA-256 of the member's revocation token.
    pub revocation_hash: String,
    /// A counter that grows with each report the member makes for this plan: a later report
    /// replaces an earlier one.
    pub counter: u64,
    /// The member's roster key.
    pub signer: String,
    /// The signature over [`Report::signed_bytes`].
    pub signature: String,
}

impl Report {
    /// The bytes the member signs: everything but the signature, in a fixed form.
    pub fn signed_bytes(&self) -> Vec<u8> {
        let mut unsigned = self.clone();
        unsigned.signature = String::new();
        let mut out = b"tend retreat report v1\0".to_vec();
        out.extend(serde_json::to_vec(&unsigned).unwrap_or_default());
        out
    }

    fn check(&self) -> Result<(), ProtocolError> {
        if !nonce_ok(&self.nonce) {
            return bad("the report's nonce is not 16 bytes");
        }
        if self.revocation_hash.len() != 64
            || !self.revocation_hash.bytes().all(|b| b.is_ascii_hexdigit())
        {
            return bad("the report's revocation hash is not a SHA-256 digest");
        }
        if self.excerpts.len() > crate::plan::MAX_EXCERPT_SLOTS {
            return bad("the report has more excerpt slots than any plan");
        }
        Ok(())
    }
}
document!(Report, REPORT_FORMAT, "retreat report", 1, MAX_REPORT_BYTES);

/// The `format` of an excerpt slot.
pub const SLIP_FORMAT: &str = "tend-retreat-excerpt";
/// Every excerpt slot is padded to exactly this many bytes before it is sealed, so the
/// helper cannot tell one excerpt from another, or an excerpt from an empty slot, by size.
pub const SLIP_BYTES: usize = 8192;

/// One excerpt slot, as the leader reads it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Slip {
    /// [`SLIP_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The plan's fingerprint.
    pub plan: String,
    /// The excerpt, or nothing for an unused slot.
    pub excerpt: Option<Excerpt>,
    /// Spaces that bring the slot to [`SLIP_BYTES`].
    pub pad: String,
}

impl Slip {
    /// The slot padded to [`SLIP_BYTES`]; refused when the excerpt is too long to fit.
    pub fn padded(plan: &str, excerpt: Option<Excerpt>) -> Result<Vec<u8>, ProtocolError> {
        let mut slip = Slip {
            format: SLIP_FORMAT.into(),
            version: 1,
            plan: plan.into(),
            excerpt,
            pad: String::new(),
        };
        let bare = serde_json::to_vec(&slip).unwrap_or_default().len();
        if bare > SLIP_BYTES {
            return Err(ProtocolError::TooLarge(format!(
                "an excerpt is too long for a co-facilitated retreat ({bare} bytes written \
                 out; at most {SLIP_BYTES}); share a shorter reflection"
            )));
        }
        slip.pad = " ".repeat(SLIP_BYTES - bare);
        Ok(slip.to_json())
    }

    fn check(&self) -> Result<(), ProtocolError> {
        if self.pad.bytes().any(|b| b != b' ') {
            return bad("an excerpt slot's padding is not blank");
        }
        Ok(())
    }
}
document!(Slip, SLIP_FORMAT, "excerpt slot", 1, SLIP_BYTES);

/// One report in the helper's batch, as the leader receives it: nothing in it names the
/// member.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchEntry {
    /// The report's nonce.
    pub nonce: B64,
    /// The VDAF public share.
    pub public_share: B64,
    /// The leader's input share, still sealed to the leader as the member sealed it.
    pub leader_share: B64,
    /// The helper's verifier share.
    pub helper_verifier: B64,
}

/// An excerpt slot in the batch, with the roster name when the member chose to be named.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct BatchSlip {
    /// The slot, sealed to the leader.
    pub sealed: B64,
    /// The name the roster gives the member, only when they chose to be named.
    pub name: Option<String>,
}

/// The `format` of a batch.
pub const BATCH_FORMAT: &str = "tend-retreat-batch";
/// The largest batch read.
pub const MAX_BATCH_BYTES: usize = 1 << 30;

/// What the helper sends the leader (sealed to the leader): the reports it accepted, in a
/// shuffled order, and every excerpt slot, shuffled apart from the reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Batch {
    /// [`BATCH_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The plan's fingerprint.
    pub plan: String,
    /// A random id for this batch (hex).
    pub batch: String,
    /// The verification key both co-facilitators use for this batch (members never see it).
    pub verify_key: B64,
    /// The reports.
    pub reports: Vec<BatchEntry>,
    /// The excerpt slots.
    pub excerpts: Vec<BatchSlip>,
}

impl Batch {
    fn check(&self) -> Result<(), ProtocolError> {
        if self.verify_key.0.len() != 32 {
            return bad("the batch's verification key is not 32 bytes");
        }
        if self.reports.iter().any(|r| !nonce_ok(&r.nonce)) {
            return bad("a report in the batch has a nonce that is not 16 bytes");
        }
        Ok(())
    }
}
document!(Batch, BATCH_FORMAT, "retreat batch", 1, MAX_BATCH_BYTES);

/// What the helper keeps of one report between its two steps.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HeldReport {
    /// The report's nonce.
    pub nonce: B64,
    /// The VDAF public share.
    pub public_share: B64,
    /// The helper's input share.
    pub helper_share: B64,
    /// Which file it came from, for the helper's report.
    pub source: String,
}

/// The `format` of the helper's own state.
pub const HELD_FORMAT: &str = "tend-retreat-helper-state";

/// What the helper keeps for itself between making a batch and reading the leader's answer
/// (sealed to the helper).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HelperState {
    /// [`HELD_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The plan's fingerprint.
    pub plan: String,
    /// The batch id.
    pub batch: String,
    /// The batch's verification key.
    pub verify_key: B64,
    /// The reports in the batch.
    pub reports: Vec<HeldReport>,
}

impl HelperState {
    fn check(&self) -> Result<(), ProtocolError> {
        if self.verify_key.0.len() != 32 || self.reports.iter().any(|r| !nonce_ok(&r.nonce)) {
            return bad("the helper's state is damaged");
        }
        Ok(())
    }
}
document!(
    HelperState,
    HELD_FORMAT,
    "helper's state",
    1,
    MAX_BATCH_BYTES
);

/// The leader's word on one report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Verdict {
    /// The report's nonce.
    pub nonce: B64,
    /// The verifier message, when the report passed.
    pub message: Option<B64>,
    /// Why it did not.
    pub refused: Option<String>,
}

/// The `format` of the leader's answer.
pub const ANSWER_FORMAT: &str = "tend-retreat-answer";

/// What the leader sends back to the helper (sealed to the helper): one verdict per report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Answer {
    /// [`ANSWER_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The plan's fingerprint.
    pub plan: String,
    /// The batch id.
    pub batch: String,
    /// One per report of the batch.
    pub verdicts: Vec<Verdict>,
}

impl Answer {
    fn check(&self) -> Result<(), ProtocolError> {
        for v in &self.verdicts {
            if !nonce_ok(&v.nonce) || v.message.is_some() == v.refused.is_some() {
                return bad("a verdict in the answer is not well formed");
            }
        }
        Ok(())
    }
}
document!(Answer, ANSWER_FORMAT, "leader's answer", 1, MAX_BATCH_BYTES);

/// An excerpt as the leader read it, with the roster name when there is one.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ReadExcerpt {
    /// The excerpt.
    pub excerpt: Excerpt,
    /// The roster name, only when the member chose to be named.
    pub name: Option<String>,
}

/// The `format` of an aggregate share file.
pub const SHARE_FORMAT: &str = "tend-retreat-aggregate-share";
/// The largest aggregate share file read.
pub const MAX_SHARE_BYTES: usize = 64 * 1024 * 1024;

/// One co-facilitator's aggregate share (sealed to both): alone, random numbers; with the
/// other's, the batch's totals.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ShareFile {
    /// [`SHARE_FORMAT`].
    pub format: String,
    /// 1.
    pub version: u32,
    /// The plan's fingerprint.
    pub plan: String,
    /// The batch id.
    pub batch: String,
    /// Whose share it is.
    pub role: Role,
    /// How many reports are in it.
    pub members: usize,
    /// Hex SHA-256 over the sorted nonces of the reports in it: both shares must agree.
    pub reports: String,
    /// The aggregate share.
    pub share: B64,
    /// The excerpts (the leader's file only), shuffled.
    pub excerpts: Vec<ReadExcerpt>,
}

impl ShareFile {
    fn check(&self) -> Result<(), ProtocolError> {
        if self.role == Role::Helper && !self.excerpts.is_empty() {
            return bad("the helper's share carries excerpts, which only the leader reads");
        }
        Ok(())
    }
}
document!(
    ShareFile,
    SHARE_FORMAT,
    "aggregate share",
    1,
    MAX_SHARE_BYTES
);
