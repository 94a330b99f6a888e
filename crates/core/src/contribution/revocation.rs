//! Revocations: how a member withdraws a contribution after it has left their hands.
//!
//! The contribution carries only the hash of a secret token; the revocation reveals the
//! token. Whoever holds both can check the match, and nobody but the member's journal could
//! have made the revocation.

use serde::{Deserialize, Serialize};

use super::{Contribution, ContributionError, parse_document, sha256_hex, unhex};

/// The `format` field of every revocation.
pub const REVOCATION_FORMAT: &str = "tend-revocation";
/// The revocation version this build writes, and the newest it reads.
pub const REVOCATION_VERSION: u32 = 1;

/// A member's withdrawal of one contribution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Revocation {
    /// Always [`REVOCATION_FORMAT`].
    pub format: String,
    /// The document version; see [`REVOCATION_VERSION`].
    pub version: u32,
    /// The id of the contribution it withdraws.
    pub contribution_id: String,
    /// That contribution's purpose, for people reading the file.
    pub purpose: String,
    /// The revocation token, in hex: its SHA-256 is the contribution's `revocation_hash`.
    pub token: String,
}

impl Revocation {
    /// A revocation of contribution `contribution_id` revealing the hex `token`.
    pub fn new(contribution_id: &str, purpose: &str, token: &str) -> Self {
        Self {
            format: REVOCATION_FORMAT.to_owned(),
            version: REVOCATION_VERSION,
            contribution_id: contribution_id.to_owned(),
            purpose: purpose.to_owned(),
            token: token.to_ascii_lowercase(),
        }
    }

    /// Pretty JSON: the text that goes into the sealed revocation file.
    pub fn to_json(&self) -> String {
        serde_json::to_string_pretty(self).unwrap_or_default()
    }

    /// Reads a revocation strictly: its size, the contribution id and token in their exact
    /// shapes (16 and 64 lower-case hex digits), a purpose without control characters.
    /// Never panics, whatever the bytes.
    pub fn parse(bytes: &[u8]) -> Result<Self, ContributionError> {
        use super::limits::{MAX_FILE_BYTES, MAX_PURPOSE_CHARS, is_lower_hex, text_problem};
        if bytes.len() > MAX_FILE_BYTES {
            return Err(ContributionError::TooLarge {
                bytes: bytes.len(),
                max: MAX_FILE_BYTES,
            });
        }
        let revocation: Self =
            parse_document(bytes, REVOCATION_FORMAT, "revocation", REVOCATION_VERSION)?;
        let bad = |what: String| Err(ContributionError::Inconsistent(what));
        if revocation.version != REVOCATION_VERSION {
            return bad(format!("its version is {}", revocation.version));
        }
        if !is_lower_hex(&revocation.contribution_id, 16) {
            return bad("the contribution id it names is not 16 lower-case hex digits".into());
        }
        if !is_lower_hex(&revocation.token, 64) || unhex(&revocation.token).is_none() {
            return bad("the revocation token is not 64 lower-case hex digits".into());
        }
        if let Some(problem) = text_problem(&revocation.purpose, MAX_PURPOSE_CHARS, false) {
            return bad(format!("its purpose {problem}"));
        }
        Ok(revocation)
    }

    /// Whether this revocation withdraws `contribution`: the ids match and the token hashes
    /// to the contribution's revocation hash.
    pub fn revokes(&self, contribution: &Contribution) -> bool {
        self.contribution_id == contribution.id
            && unhex(&self.token).is_some_and(|token| {
                sha256_hex(&token).eq_ignore_ascii_case(&contribution.revocation_hash)
            })
    }
}
