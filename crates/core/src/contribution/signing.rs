//! Signed contributions: the member's public key for one purpose, and the envelope that
//! carries a contribution's exact bytes beside the member's signature over them.
//!
//! tend-core holds no cryptography: it defines what is signed (domain-separated bytes, so a
//! signature over a contribution can never be passed off as anything else) and reads the
//! envelope strictly; tend-store derives the keys and makes and checks the Ed25519
//! signatures. A caller that has checked a signature says so in
//! [`crate::retreat::Received::verified`].

use std::fmt;

use serde::{Deserialize, Serialize};

use super::limits::MAX_FILE_BYTES;
use super::{Contribution, ContributionError, FORMAT, VERSION, hex, parse_document, unhex};

/// What goes before a contribution's bytes in the message a member signs.
pub const SIGNING_CONTEXT: &[u8] = b"tend contribution v2\0";

/// The prefix of a [`MemberKey`]'s text form.
pub const MEMBER_KEY_PREFIX: &str = "ed25519:";

/// A member's public signing key for one purpose (an Ed25519 public key), as text:
/// `ed25519:` and 64 lower-case hex digits. It is what `tend retreat join` prints and what a
/// roster lists; derived from the journal's secret and the purpose, it is the same every time
/// for one purpose and cannot be linked across purposes.
#[derive(Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "String", into = "String")]
pub struct MemberKey([u8; 32]);

/// A member key that is not in its exact shape.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("a member key is \"ed25519:\" followed by 64 lower-case hex digits")]
pub struct MemberKeyError;

impl MemberKey {
    /// The key with these public-key bytes.
    pub fn from_bytes(bytes: [u8; 32]) -> Self {
        Self(bytes)
    }

    /// The public-key bytes.
    pub fn to_bytes(&self) -> [u8; 32] {
        self.0
    }

    /// Reads the exact text form; nothing else (no spaces, no capitals) is accepted, so one
    /// key has one spelling.
    pub fn parse(text: &str) -> Result<Self, MemberKeyError> {
        let digits = text.strip_prefix(MEMBER_KEY_PREFIX).ok_or(MemberKeyError)?;
        if digits.len() != 64
            || !digits
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        {
            return Err(MemberKeyError);
        }
        let bytes = unhex(digits).ok_or(MemberKeyError)?;
        let bytes: [u8; 32] = bytes.try_into().map_err(|_| MemberKeyError)?;
        Ok(Self(bytes))
    }

    /// A short form for people to compare by eye: the first 16 hex digits in groups of four.
    pub fn short(&self) -> String {
        let digits = hex(&self.0[..8]);
        digits
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

impl fmt::Display for MemberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{MEMBER_KEY_PREFIX}{}", hex(&self.0))
    }
}

impl fmt::Debug for MemberKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemberKey({self})")
    }
}

impl TryFrom<String> for MemberKey {
    type Error = MemberKeyError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        Self::parse(&s)
    }
}

impl From<MemberKey> for String {
    fn from(k: MemberKey) -> Self {
        k.to_string()
    }
}

/// The bytes a member signs for a contribution whose JSON text is `body`.
pub fn signing_message(body: &[u8]) -> Vec<u8> {
    let mut message = Vec::with_capacity(SIGNING_CONTEXT.len() + body.len());
    message.extend_from_slice(SIGNING_CONTEXT);
    message.extend_from_slice(body);
    message
}

/// The envelope as it is stored: the contribution's exact JSON text and the signature.
#[derive(Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Envelope {
    format: String,
    version: u32,
    /// The contribution, as the exact text that was signed.
    signed: String,
    /// 128 lower-case hex digits: the Ed25519 signature by `signed`'s `signer`.
    signature: String,
}

/// A contribution file's content: the contribution, the exact text that was signed, and the
/// signature. Whether the signature is good is for tend-store to check
/// (`tend_store::member::verify`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SignedContribution {
    /// The contribution, read strictly from [`Self::signed`].
    pub contribution: Contribution,
    /// The exact text the member signed.
    pub signed: String,
    /// The Ed25519 signature over [`signing_message`] of [`Self::signed`].
    pub signature: [u8; 64],
}

impl SignedContribution {
    /// Wraps `contribution` (whose JSON text is `signed`) with `signature`.
    pub fn new(contribution: Contribution, signed: String, signature: [u8; 64]) -> Self {
        Self {
            contribution,
            signed,
            signature,
        }
    }

    /// The message the signature must be over.
    pub fn message(&self) -> Vec<u8> {
        signing_message(self.signed.as_bytes())
    }

    /// The file's content: pretty JSON of the envelope.
    pub fn to_json(&self) -> String {
        let envelope = Envelope {
            format: FORMAT.to_owned(),
            version: VERSION,
            signed: self.signed.clone(),
            signature: hex(&self.signature),
        };
        serde_json::to_string_pretty(&envelope).unwrap_or_default()
    }

    /// Reads a contribution file's content strictly: its size, the envelope, the signature's
    /// shape, then the contribution inside (see [`Contribution::parse`]). Never panics,
    /// whatever the bytes. An unsigned contribution from an older tend is refused with
    /// [`ContributionError::Unsigned`].
    pub fn parse(bytes: &[u8]) -> Result<Self, ContributionError> {
        if bytes.len() > MAX_FILE_BYTES {
            return Err(ContributionError::TooLarge {
                bytes: bytes.len(),
                max: MAX_FILE_BYTES,
            });
        }
        let envelope: Envelope = parse_document(bytes, FORMAT, "contribution", VERSION)?;
        let signature = (envelope.signature.len() == 128
            && envelope
                .signature
                .bytes()
                .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b)))
        .then(|| unhex(&envelope.signature))
        .flatten()
        .and_then(|s| <[u8; 64]>::try_from(s).ok())
        .ok_or_else(|| {
            ContributionError::Inconsistent("its signature is not 128 hex digits".into())
        })?;
        let contribution = Contribution::parse(envelope.signed.as_bytes())?;
        Ok(Self {
            contribution,
            signed: envelope.signed,
            signature,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_key_has_one_spelling() {
        let key = MemberKey::from_bytes([0xab; 32]);
        let text = key.to_string();
        assert_eq!(MemberKey::parse(&text), Ok(key.clone()));
        assert_eq!(key.short(), "abab-abab-abab-abab");
        for bad in [
            text.to_uppercase(),
            text.replace("ed25519:", ""),
            format!("{text} "),
            format!("{text}0"),
            text[..text.len() - 1].to_owned(),
            text.replace('a', "g"),
        ] {
            assert!(MemberKey::parse(&bad).is_err(), "{bad}");
        }
    }
}
