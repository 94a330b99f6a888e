//! One trustee's share: its format, its strict parser, and its age seal.
//!
//! A share travels as an age file (armored) holding a small versioned JSON document. Anyone
//! can hand a trustee or a member a file, so everything in it is checked before use: the
//! format and version, every field's shape, `0 < x <= n`, `2 <= k <= n`, and the share's own
//! commitment, so a damaged share is named rather than combined.

use std::io::{Read, Write};

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};
use zeroize::Zeroizing;

use super::{SetId, check_name, fingerprint, hex, unhex};

/// The `format` field of every share document.
pub const SHARE_FORMAT: &str = "tend-recovery-share";
/// The share format this build writes and reads.
pub const SHARE_VERSION: u32 = 1;
/// Share files larger than this are refused before they are decrypted or parsed.
pub const MAX_SHARE_FILE: usize = 64 * 1024;
/// Bytes of the shared secret (an X25519 identity's scalar).
pub(crate) const SECRET_LEN: usize = 32;

/// What can be wrong with a share file. Each says what a person can do about it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ShareError {
    /// The file is not an age file at all.
    #[error("this is not a tend recovery share (it is not an age file)")]
    NotAge,
    /// The file is an age file, but not sealed to any of the identities given.
    #[error("this share is not sealed to the identity given")]
    NotForYou,
    /// The age seal does not hold: the file was cut short or changed.
    #[error("this share is damaged: its seal does not hold (the file was cut short or changed)")]
    Damaged,
    /// The file opened, but what it holds is not a share this tend reads.
    #[error("this is not a readable recovery share ({0})")]
    Malformed(String),
    /// The share was written by a newer tend.
    #[error("this share was made by a newer tend (share format {0}; this tend reads format 1)")]
    NewerVersion(u32),
    /// The share's value does not match the commitment the set made to it.
    #[error("this share is damaged: its value does not match what its set recorded for it")]
    Tampered,
    /// The file is larger than any share.
    #[error("this file is too large to be a recovery share")]
    TooLarge,
    /// Reading or sealing failed.
    #[error("could not seal the share: {0}")]
    Io(#[source] std::io::Error),
}

/// One trustee's share of a recovery set, opened.
///
/// The share's value is secret (k of them open the journal's recovery unlocker): it is
/// zeroized on drop and never shown by `Debug`.
pub struct Share {
    /// The set it belongs to.
    pub set: SetId,
    /// The id of the journal it helps open.
    pub journal: [u8; 16],
    /// The member whose journal it is, as they named themselves.
    pub member: String,
    /// The trustee it was made for.
    pub trustee: String,
    /// When the set was made.
    pub made: DateTime<Utc>,
    /// How many shares open the journal (k).
    pub threshold: u8,
    /// How many shares the set has (n).
    pub count: u8,
    /// The share's x-coordinate, 1 to n (never 0: the secret is the value at 0).
    pub x: u8,
    pub(crate) y: Zeroizing<Vec<u8>>,
    /// The commitment to every share of the set, in order of x.
    pub(crate) commitments: Vec<[u8; 32]>,
}

impl std::fmt::Debug for Share {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Share")
            .field("set", &self.set)
            .field("member", &self.member)
            .field("trustee", &self.trustee)
            .field("x", &self.x)
            .field("of", &(self.threshold, self.count))
            .finish_non_exhaustive()
    }
}

/// The document inside the age file. Unknown fields are refused: a share says exactly this.
#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Wire {
    format: String,
    version: u32,
    set: String,
    journal: String,
    member: String,
    trustee: String,
    made: DateTime<Utc>,
    threshold: u8,
    shares: u8,
    x: u8,
    y: String,
    commitments: Vec<String>,
}

/// SHA-256 over everything that makes a share what it is. Each share carries the
/// commitments of the whole set, so a share whose value was changed no longer matches its
/// own, and one that was forged with a matching commitment disagrees with its set mates.
pub(crate) fn commitment(
    set: &SetId,
    journal: &[u8; 16],
    threshold: u8,
    count: u8,
    x: u8,
    y: &[u8],
) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tend recovery share v1\0");
    h.update(set.0);
    h.update(journal);
    h.update([threshold, count, x]);
    h.update(y);
    h.finalize().into()
}

impl Share {
    /// The fingerprint of the journal this share helps open, as `tend recovery status`
    /// shows it.
    pub fn journal_fingerprint(&self) -> String {
        fingerprint(&self.journal)
    }

    /// What every share of one set has in common; two shares of the same set agree on it.
    pub(crate) fn set_view(&self) -> [u8; 32] {
        let mut h = Sha256::new();
        h.update(b"tend recovery set v1\0");
        h.update(self.set.0);
        h.update(self.journal);
        h.update((self.member.len() as u64).to_le_bytes());
        h.update(self.member.as_bytes());
        h.update(self.made.timestamp_micros().to_le_bytes());
        h.update([self.threshold, self.count]);
        for c in &self.commitments {
            h.update(c);
        }
        h.finalize().into()
    }

    /// The JSON document, as sealed inside the age file.
    pub fn to_json(&self) -> Zeroizing<Vec<u8>> {
        let wire = Zeroizing::new(hex(&self.y));
        let doc = Wire {
            format: SHARE_FORMAT.into(),
            version: SHARE_VERSION,
            set: self.set.to_hex(),
            journal: hex(&self.journal),
            member: self.member.clone(),
            trustee: self.trustee.clone(),
            made: self.made,
            threshold: self.threshold,
            shares: self.count,
            x: self.x,
            y: wire.to_string(),
            commitments: self.commitments.iter().map(|c| hex(c)).collect(),
        };
        let out = Zeroizing::new(serde_json::to_vec_pretty(&doc).unwrap_or_default());
        // The copy of the value inside `doc` goes with it.
        let mut y = doc.y;
        zeroize::Zeroize::zeroize(&mut y);
        out
    }

    /// Parses a share document strictly: every field present, nothing more, every value in
    /// range, and the share's value matching its own commitment.
    pub fn parse(json: &[u8]) -> Result<Share, ShareError> {
        if json.len() > MAX_SHARE_FILE {
            return Err(ShareError::TooLarge);
        }
        let malformed = |why: &str| ShareError::Malformed(why.to_owned());
        // A first, lenient look at the version, so a newer share is named as such.
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(json)
            && v.get("format").and_then(|f| f.as_str()) == Some(SHARE_FORMAT)
            && let Some(n) = v.get("version").and_then(|n| n.as_u64())
            && n > u64::from(SHARE_VERSION)
        {
            return Err(ShareError::NewerVersion(
                u32::try_from(n).unwrap_or(u32::MAX),
            ));
        }
        let wire: Wire = serde_json::from_slice(json).map_err(|e| {
            ShareError::Malformed(format!("not the share document: {}", e.classify_word()))
        })?;
        let mut wire = scopeguard_y(wire);
        if wire.format != SHARE_FORMAT {
            return Err(malformed("it names another format"));
        }
        if wire.version != SHARE_VERSION {
            return Err(malformed("unknown share version"));
        }
        let set =
            SetId::from_hex(&wire.set).ok_or_else(|| malformed("the set id is unreadable"))?;
        let journal: [u8; 16] = unhex(&wire.journal)
            .and_then(|b| b.try_into().ok())
            .ok_or_else(|| malformed("the journal id is unreadable"))?;
        check_name(&wire.member).map_err(|why| malformed(&format!("the member's name {why}")))?;
        check_name(&wire.trustee).map_err(|why| malformed(&format!("the trustee's name {why}")))?;
        let (k, n, x) = (wire.threshold, wire.shares, wire.x);
        if k < 2 || k > n {
            return Err(malformed(
                "its threshold is not between 2 and the number of shares",
            ));
        }
        if x == 0 || x > n {
            return Err(malformed(
                "its x-coordinate is not between 1 and the number of shares",
            ));
        }
        let y = Zeroizing::new(
            unhex(&wire.y)
                .filter(|y| y.len() == SECRET_LEN)
                .ok_or_else(|| malformed("its value is unreadable"))?,
        );
        if wire.commitments.len() != usize::from(n) {
            return Err(malformed("it does not list one commitment per share"));
        }
        let commitments = wire
            .commitments
            .iter()
            .map(|c| unhex(c).and_then(|b| <[u8; 32]>::try_from(b).ok()))
            .collect::<Option<Vec<_>>>()
            .ok_or_else(|| malformed("a commitment is unreadable"))?;
        zeroize::Zeroize::zeroize(&mut wire.y);
        let share = Share {
            set,
            journal,
            member: wire.member.clone(),
            trustee: wire.trustee.clone(),
            made: wire.made,
            threshold: k,
            count: n,
            x,
            y,
            commitments,
        };
        let own = commitment(&share.set, &share.journal, k, n, x, &share.y);
        if share.commitments[usize::from(x) - 1] != own {
            return Err(ShareError::Tampered);
        }
        Ok(share)
    }

    /// Seals the share to `to` as an armored age file: how a share is given to a trustee,
    /// and how a trustee releases it to the member.
    pub fn seal(&self, to: &age::x25519::Recipient) -> Result<Vec<u8>, ShareError> {
        let json = self.to_json();
        let io = |e: std::io::Error| ShareError::Io(e);
        let encryptor = age::Encryptor::with_recipients(std::iter::once(to as &dyn age::Recipient))
            .map_err(|e| ShareError::Io(std::io::Error::other(e.to_string())))?;
        let mut out = Vec::new();
        let armor =
            age::armor::ArmoredWriter::wrap_output(&mut out, age::armor::Format::AsciiArmor)
                .map_err(io)?;
        let mut w = encryptor.wrap_output(armor).map_err(io)?;
        w.write_all(&json).map_err(io)?;
        w.finish().and_then(|a| a.finish()).map_err(io)?;
        Ok(out)
    }

    /// Opens a share file (armored or binary age) with any of `identities`, then parses it.
    pub fn open(bytes: &[u8], identities: &[age::x25519::Identity]) -> Result<Share, ShareError> {
        if bytes.len() > MAX_SHARE_FILE {
            return Err(ShareError::TooLarge);
        }
        // A file that begins as an age file does but does not read as one was cut short or
        // changed; anything else is another kind of file.
        let start = bytes.trim_ascii_start();
        let looks_like_age = start.starts_with(b"-----BEGIN AGE ENCRYPTED FILE-----")
            || start.starts_with(b"age-encryption.org/");
        let reader = age::armor::ArmoredReader::new(bytes);
        let decryptor = age::Decryptor::new(reader).map_err(|_| {
            if looks_like_age {
                ShareError::Damaged
            } else {
                ShareError::NotAge
            }
        })?;
        if decryptor.is_scrypt() {
            return Err(ShareError::NotForYou);
        }
        let mut r = decryptor
            .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
            .map_err(|e| match e {
                age::DecryptError::NoMatchingKeys => ShareError::NotForYou,
                _ => ShareError::Damaged,
            })?;
        let mut json = Zeroizing::new(Vec::new());
        r.by_ref()
            .take(MAX_SHARE_FILE as u64 + 1)
            .read_to_end(&mut json)
            .map_err(|_| ShareError::Damaged)?;
        Share::parse(&json)
    }
}

/// The wire document's value, wiped when the document goes however parsing ends.
struct WireGuard(Wire);

impl Drop for WireGuard {
    fn drop(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0.y);
    }
}

impl std::ops::Deref for WireGuard {
    type Target = Wire;
    fn deref(&self) -> &Wire {
        &self.0
    }
}

impl std::ops::DerefMut for WireGuard {
    fn deref_mut(&mut self) -> &mut Wire {
        &mut self.0
    }
}

fn scopeguard_y(wire: Wire) -> WireGuard {
    WireGuard(wire)
}

/// Names serde's error class without echoing any of the document (which holds a secret).
trait ClassifyWord {
    fn classify_word(&self) -> &'static str;
}

impl ClassifyWord for serde_json::Error {
    fn classify_word(&self) -> &'static str {
        match self.classify() {
            serde_json::error::Category::Io => "it could not be read",
            serde_json::error::Category::Syntax => "it is not JSON",
            serde_json::error::Category::Data => "a field is missing, unknown or of the wrong kind",
            serde_json::error::Category::Eof => "it ends too soon",
        }
    }
}
