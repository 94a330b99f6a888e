//! A retreat's roster: the members of one retreat, each by the name the circle knows them by
//! and their public key for this retreat's purpose.
//!
//! Each member runs `tend retreat join --purpose TEXT --name NAME`, which prints one roster
//! line, and hands it to the facilitator, who keeps the lines in a text file. A build with a
//! roster counts only contributions signed by a key on it, at most one per key, and names a
//! member only as the roster does. The roster's fingerprint is printed in the summary so the
//! circle can check that it was built from the roster they agreed.
//!
//! The file format (see docs/retreat-guide.md): UTF-8 text, one member a line, as
//! `ed25519:<64 hex digits> <name>`; blank lines and lines starting with `#` are ignored.

use std::collections::BTreeMap;
use std::fmt;

use sha2::{Digest, Sha256};

use crate::contribution::MemberKey;
use crate::contribution::limits::{MAX_NAME_CHARS, text_problem};

/// Most members one roster may list.
pub const MAX_ROSTER_MEMBERS: usize = 1000;
/// The largest roster file read, in bytes.
pub const MAX_ROSTER_BYTES: usize = 256 * 1024;

/// One member on a roster.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RosterEntry {
    /// Their key for the retreat's purpose.
    pub key: MemberKey,
    /// The name the circle knows them by.
    pub name: String,
}

impl RosterEntry {
    /// The line `tend retreat join` prints and a roster file holds.
    pub fn line(&self) -> String {
        format!("{} {}", self.key, self.name)
    }
}

/// The members of one retreat.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Roster {
    members: BTreeMap<MemberKey, String>,
}

/// A roster file that cannot be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RosterError {
    /// A line is not `ed25519:… NAME`.
    #[error("line {line} of the roster is not a member key followed by a name: {why}")]
    BadLine {
        /// The line, 1-based.
        line: usize,
        /// What is wrong with it.
        why: String,
    },
    /// One key is listed twice.
    #[error("line {line} of the roster lists a key already on line {first}")]
    DuplicateKey {
        /// The later line.
        line: usize,
        /// The earlier line.
        first: usize,
    },
    /// One name is given to two keys.
    #[error("line {line} of the roster gives the name on line {first} to a second key")]
    DuplicateName {
        /// The later line.
        line: usize,
        /// The earlier line.
        first: usize,
    },
    /// The file is too large or lists too many members.
    #[error("the roster is larger than tend reads (at most {MAX_ROSTER_MEMBERS} members)")]
    TooLarge,
    /// The file lists nobody.
    #[error("the roster lists no members")]
    Empty,
}

/// Whether `name` can stand on a roster (and beside an excerpt): not blank, no spaces around
/// it, no control characters, at most [`MAX_NAME_CHARS`] characters.
pub fn check_name(name: &str) -> Result<(), String> {
    if name.trim().is_empty() {
        return Err("the name is blank".into());
    }
    if name.trim() != name {
        return Err("the name has spaces around it".into());
    }
    match text_problem(name, MAX_NAME_CHARS, false) {
        Some(problem) => Err(format!("the name {problem}")),
        None => Ok(()),
    }
}

impl Roster {
    /// Reads a roster file strictly; an error names its line.
    pub fn parse(text: &str) -> Result<Self, RosterError> {
        if text.len() > MAX_ROSTER_BYTES {
            return Err(RosterError::TooLarge);
        }
        let mut members = BTreeMap::new();
        let mut key_lines: BTreeMap<MemberKey, usize> = BTreeMap::new();
        let mut name_lines: BTreeMap<String, usize> = BTreeMap::new();
        for (i, raw) in text.lines().enumerate() {
            let line = i + 1;
            let trimmed = raw.trim();
            if trimmed.is_empty() || trimmed.starts_with('#') {
                continue;
            }
            let bad = |why: &str| RosterError::BadLine {
                line,
                why: why.to_owned(),
            };
            let (key, name) = trimmed
                .split_once(' ')
                .ok_or_else(|| bad("there is no name after the key"))?;
            let key = MemberKey::parse(key).map_err(|e| bad(&e.to_string()))?;
            let name = name.trim();
            check_name(name).map_err(|why| bad(&why))?;
            if let Some(first) = key_lines.get(&key) {
                return Err(RosterError::DuplicateKey {
                    line,
                    first: *first,
                });
            }
            let folded = name.to_lowercase();
            if let Some(first) = name_lines.get(&folded) {
                return Err(RosterError::DuplicateName {
                    line,
                    first: *first,
                });
            }
            if members.len() == MAX_ROSTER_MEMBERS {
                return Err(RosterError::TooLarge);
            }
            key_lines.insert(key.clone(), line);
            name_lines.insert(folded, line);
            members.insert(key, name.to_owned());
        }
        if members.is_empty() {
            return Err(RosterError::Empty);
        }
        Ok(Self { members })
    }

    /// A roster of these members (for callers that build one in code).
    pub fn from_entries(entries: impl IntoIterator<Item = RosterEntry>) -> Self {
        Self {
            members: entries.into_iter().map(|e| (e.key, e.name)).collect(),
        }
    }

    /// How many members it lists.
    pub fn len(&self) -> usize {
        self.members.len()
    }

    /// Whether it lists nobody.
    pub fn is_empty(&self) -> bool {
        self.members.is_empty()
    }

    /// The name the roster gives `key`, if the key is on it.
    pub fn name_of(&self, key: &MemberKey) -> Option<&str> {
        self.members.get(key).map(String::as_str)
    }

    /// The members, by key.
    pub fn entries(&self) -> impl Iterator<Item = RosterEntry> + '_ {
        self.members.iter().map(|(key, name)| RosterEntry {
            key: key.clone(),
            name: name.clone(),
        })
    }

    /// The roster's fingerprint: SHA-256 over its members in a canonical order (by key),
    /// first 32 hex digits in groups of four. Two rosters with the same members and names
    /// have the same fingerprint however their files are laid out.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        hasher.update(b"tend roster v1\n");
        for entry in self.entries() {
            hasher.update(entry.line().as_bytes());
            hasher.update(b"\n");
        }
        let digest = hasher.finalize();
        let digits: String = digest[..16].iter().map(|b| format!("{b:02x}")).collect();
        digits
            .as_bytes()
            .chunks(4)
            .map(|c| String::from_utf8_lossy(c).into_owned())
            .collect::<Vec<_>>()
            .join(" ")
    }
}

impl fmt::Display for Roster {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for entry in self.entries() {
            writeln!(f, "{}", entry.line())?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(b: u8) -> MemberKey {
        MemberKey::from_bytes([b; 32])
    }

    #[test]
    fn roster_reads_lines_and_fingerprints_members_not_layout() {
        let text = format!("# spring\n\n{} Maya Lin\n{} Sam\n", key(1), key(2));
        let roster = Roster::parse(&text).expect("a roster");
        assert_eq!(roster.len(), 2);
        assert_eq!(roster.name_of(&key(1)), Some("Maya Lin"));
        assert_eq!(roster.name_of(&key(3)), None);
        let reordered = format!("{} Sam\n{}   Maya Lin  \n", key(2), key(1));
        assert_eq!(
            Roster::parse(&reordered).expect("a roster").fingerprint(),
            roster.fingerprint()
        );
        let renamed = format!("{} Maya\n{} Sam\n", key(1), key(2));
        assert_ne!(
            Roster::parse(&renamed).expect("a roster").fingerprint(),
            roster.fingerprint()
        );
        assert_eq!(roster.fingerprint().split(' ').count(), 8);
    }

    #[test]
    fn roster_refuses_what_it_cannot_trust() {
        let k = key(1);
        for (text, want) in [
            (format!("{k}"), "no name"),
            (format!("{k} Ma\u{1b}[31mya"), "control"),
            ("ed25519:zz Maya".to_owned(), "64 lower-case"),
            (format!("{k} Maya\n{k} Sam"), "already on line 1"),
            (format!("{k} Maya\n{} maya", key(2)), "second key"),
            ("# nobody\n".to_owned(), "no members"),
            (format!("{k} {}", "x".repeat(61)), "characters long"),
        ] {
            let e = Roster::parse(&text).expect_err(&text).to_string();
            assert!(e.contains(want), "{text:?}: {e}");
        }
    }
}
