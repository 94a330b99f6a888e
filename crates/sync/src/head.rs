//! The remote's head: the one object that says which journal a remote holds and carries
//! its unlockers, so a new device opens it with the passphrase alone.
//!
//! The head is JSON, written once by `init`: the format, the journal id, the journal's
//! unlockers (age files, exactly as the journal stores them, hex-encoded) and a check —
//! a sealed object holding the SHA-256 of the journal id and the unlockers. A device that
//! unwrapped the data key from an unlocker derives the sync key and opens the check; only
//! then does it trust the head: a head whose unlockers were swapped does not pass.

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::error::{Error, ObjectError, Result};
use crate::ids::{DeviceId, JournalId};
use crate::object::{Kind, Place, SyncKey};

/// The name of the head object under the remote's root.
pub const HEAD_NAME: &str = "head";
const FORMAT: u32 = 1;
/// No head sync reads may be larger.
pub const MAX_HEAD: usize = 1 << 20;

/// The remote's head, parsed but not yet checked.
#[derive(Clone, PartialEq, Eq, Debug)]
pub struct Head {
    /// The journal the remote holds.
    pub journal: JournalId,
    /// The journal's unlockers (each an age file wrapping the data key).
    pub unlockers: Vec<Vec<u8>>,
    check: Vec<u8>,
}

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct HeadFile {
    tend_sync: u32,
    journal: String,
    unlockers: Vec<String>,
    check: String,
}

fn digest(journal: JournalId, unlockers: &[Vec<u8>]) -> [u8; 32] {
    let mut h = Sha256::new();
    h.update(b"tend sync head v1\0");
    h.update(journal.0);
    for u in unlockers {
        h.update((u.len() as u64).to_be_bytes());
        h.update(u);
    }
    h.finalize().into()
}

fn place(journal: JournalId) -> Place {
    Place {
        journal,
        kind: Kind::Head,
        device: DeviceId([0; 16]),
        seq: 0,
    }
}

fn to_hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn from_hex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| s.get(i..i + 2).and_then(|p| u8::from_str_radix(p, 16).ok()))
        .collect()
}

impl Head {
    /// A new head for `key`'s journal with these unlockers.
    pub fn new(key: &SyncKey, unlockers: Vec<Vec<u8>>) -> Head {
        let journal = key.journal();
        let check = key.seal(place(journal), &digest(journal, &unlockers));
        Head {
            journal,
            unlockers,
            check,
        }
    }

    /// The head as it is written to the remote.
    pub fn to_bytes(&self) -> Vec<u8> {
        let file = HeadFile {
            tend_sync: FORMAT,
            journal: self.journal.to_string(),
            unlockers: self.unlockers.iter().map(|u| to_hex(u)).collect(),
            check: to_hex(&self.check),
        };
        serde_json::to_vec_pretty(&file).unwrap_or_default()
    }

    /// Reads a head from the remote's bytes (not yet trusted: see [`Head::verify`]).
    pub fn parse(bytes: &[u8]) -> Result<Head, ObjectError> {
        if bytes.len() > MAX_HEAD {
            return Err(ObjectError::TooLarge(bytes.len()));
        }
        let file: HeadFile = serde_json::from_slice(bytes).map_err(|_| ObjectError::NotAnObject)?;
        if file.tend_sync != FORMAT {
            return Err(ObjectError::NewerFormat(file.tend_sync.min(255) as u8));
        }
        let journal = JournalId::parse(&file.journal).ok_or(ObjectError::BadPayload)?;
        let unlockers = file
            .unlockers
            .iter()
            .map(|u| from_hex(u))
            .collect::<Option<Vec<_>>>()
            .ok_or(ObjectError::BadPayload)?;
        let check = from_hex(&file.check).ok_or(ObjectError::BadPayload)?;
        Ok(Head {
            journal,
            unlockers,
            check,
        })
    }

    /// Whether this head belongs to `key`: its check opens and names these unlockers.
    pub fn verify(&self, key: &SyncKey) -> Result<()> {
        if key.journal() != self.journal {
            return Err(Error::OtherJournal(self.journal.to_string()));
        }
        let opened = key
            .open(place(self.journal), &self.check)
            .map_err(|_| Error::HeadMismatch)?;
        if opened.as_slice() != digest(self.journal, &self.unlockers) {
            return Err(Error::HeadMismatch);
        }
        Ok(())
    }
}

/// Where unlockers added after `init` go: one object each, named by the SHA-256 of its
/// bytes, so writing one twice is writing it once.
pub const UNLOCKERS_PREFIX: &str = "unlockers";

/// The name of an added unlocker's object.
pub fn unlocker_name(unlocker: &[u8]) -> String {
    let d: [u8; 32] = Sha256::digest(unlocker).into();
    format!("{UNLOCKERS_PREFIX}/{}", to_hex(&d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_head_round_trips_and_swapped_unlockers_fail_the_check() {
        let key = SyncKey::derive(&[1; 32], JournalId([2; 16]));
        let head = Head::new(&key, vec![b"age one".to_vec(), b"age two".to_vec()]);
        let parsed = Head::parse(&head.to_bytes()).expect("parses");
        assert_eq!(parsed, head);
        parsed.verify(&key).expect("verifies");
        let mut swapped = parsed.clone();
        swapped.unlockers[1] = b"attacker's".to_vec();
        assert!(matches!(swapped.verify(&key), Err(Error::HeadMismatch)));
        let other = SyncKey::derive(&[9; 32], JournalId([2; 16]));
        assert!(matches!(parsed.verify(&other), Err(Error::HeadMismatch)));
        assert!(Head::parse(b"{}").is_err());
        assert!(Head::parse(b"\xff").is_err());
    }
}
