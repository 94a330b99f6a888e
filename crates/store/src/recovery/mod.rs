//! Recovery through trusted members: a forgotten passphrase need not be the end of a journal.
//!
//! A *recovery set* is one more unlocker of the journal, an age X25519 identity made for the
//! purpose, whose secret is split with Shamir's scheme into n shares, each sealed with age to
//! one trustee; the identity itself is forgotten at once. Any k trustees together can give
//! the member back that identity, and no fewer learn anything of it. Setting up again
//! replaces the set's unlocker in a key rotation, so older shares open nothing in the file
//! that results. See docs/recovery.md for the argument.

mod share;
mod split;

use chrono::{DateTime, Utc};
use redb::{ReadableDatabase, ReadableTable};
use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::journal::{Journal, UNLOCKERS};
use crate::rewrite::{Progress, Rewritten};
use crate::unlock::{NewUnlocker, Secret, UnlockerKind};

pub use share::{MAX_SHARE_FILE, SHARE_FORMAT, SHARE_VERSION, Share, ShareError};

/// The sealed setting that describes the journal's recovery set.
pub(crate) const RECOVERY_SETTING: &str = "recovery_set";
/// The most trustees one set can have: shares are points of GF(256), and past a few dozen
/// people a set is no longer a circle of trust anyone can keep track of.
pub const MAX_TRUSTEES: usize = 64;
/// The longest name (in characters) a member or trustee can have.
pub const MAX_NAME: usize = 64;

/// A recovery set's random id: every share of the set carries it.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
pub struct SetId(pub [u8; 16]);

impl SetId {
    fn random() -> Self {
        use rand::RngCore;
        let mut id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut id);
        SetId(id)
    }

    /// The id in hex.
    pub fn to_hex(&self) -> String {
        hex(&self.0)
    }

    /// Reads an id from 32 lower-case hex digits.
    pub fn from_hex(s: &str) -> Option<Self> {
        unhex(s).and_then(|b| b.try_into().ok()).map(SetId)
    }

    /// A short form for people: the first eight hex digits.
    pub fn short(&self) -> String {
        self.to_hex()[..8].to_owned()
    }
}

impl std::fmt::Debug for SetId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SetId({})", self.to_hex())
    }
}

impl Serialize for SetId {
    fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
        s.serialize_str(&self.to_hex())
    }
}

impl<'de> Deserialize<'de> for SetId {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
        let s = String::deserialize(d)?;
        SetId::from_hex(&s).ok_or_else(|| serde::de::Error::custom("not a set id"))
    }
}

/// A journal's fingerprint for people to compare: its id's first 16 hex digits in groups of
/// four. A trustee reads it from the share, a member from `tend recovery status`.
pub fn fingerprint(journal_id: &[u8; 16]) -> String {
    let h = hex(&journal_id[..8]);
    format!("{}-{}-{}-{}", &h[0..4], &h[4..8], &h[8..12], &h[12..16])
}

pub(crate) fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

pub(crate) fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

/// Whether `name` can name a member or trustee: 1 to [`MAX_NAME`] characters, no control
/// characters, no spaces at either end. Says what is wrong otherwise.
pub fn check_name(name: &str) -> std::result::Result<(), &'static str> {
    if name.trim().is_empty() {
        return Err("is empty");
    }
    if name.trim() != name {
        return Err("has spaces at an end");
    }
    if name.chars().count() > MAX_NAME {
        return Err("is longer than 64 characters");
    }
    if name.chars().any(char::is_control) {
        return Err("holds control characters");
    }
    Ok(())
}

/// One person who will hold a share.
#[derive(Debug, Clone)]
pub struct Trustee {
    /// Their name, as the member knows them.
    pub name: String,
    /// Their age recipient.
    pub recipient: age::x25519::Recipient,
}

/// What the journal remembers about one trustee of its set (sealed, like everything).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct TrusteeInfo {
    /// Their name.
    pub name: String,
    /// Their age recipient.
    pub recipient: String,
    /// Their share's x-coordinate.
    pub x: u8,
}

/// The journal's record of its recovery set (kept sealed in the journal).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecoverySet {
    /// The set's id.
    pub set: SetId,
    /// The unlocker the set opens.
    pub unlocker: u64,
    /// That unlocker's recipient (the recovery identity's public half).
    pub recipient: String,
    /// The member's name, as the shares show it.
    pub member: String,
    /// How many shares open the journal (k).
    pub threshold: u8,
    /// The trustees, in order of their shares.
    pub trustees: Vec<TrusteeInfo>,
    /// When the set was made.
    pub made: DateTime<Utc>,
}

/// Whether the journal has a recovery set that works.
#[derive(Debug, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum RecoveryState {
    /// No recovery set.
    None,
    /// A set whose unlocker is in place.
    Ready(RecoverySet),
    /// A set whose unlocker is gone or is no longer the one it was made for (removed with
    /// `tend key remove`, or a setup that was interrupted): its shares open nothing.
    Broken(RecoverySet),
}

/// Why a recovery set cannot be made as asked.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SetupError {
    /// k below 2 would let one trustee alone open the journal.
    #[error("the threshold must be at least 2, so that no trustee alone can open the journal")]
    ThresholdTooLow,
    /// k above n could never be met.
    #[error("the threshold is {threshold}, but there are only {count} trustees")]
    ThresholdAboveCount {
        /// k.
        threshold: u8,
        /// n.
        count: usize,
    },
    /// More trustees than a set can have.
    #[error("a recovery set can have at most {MAX_TRUSTEES} trustees")]
    TooManyTrustees,
    /// A name that cannot name anyone.
    #[error("the name {name:?} {why}")]
    BadName {
        /// The name given.
        name: String,
        /// What is wrong with it.
        why: &'static str,
    },
    /// Two trustees with the same name.
    #[error("{0:?} is named twice")]
    SameName(String),
    /// Two trustees with the same key: one person would hold two shares.
    #[error("{0} and {1} have the same key, so one person would hold two shares")]
    SameKey(String, String),
    /// A share could not be sealed.
    #[error(transparent)]
    Share(#[from] ShareError),
    /// The journal could not be changed.
    #[error(transparent)]
    Journal(#[from] Error),
}

/// Why shares do not give back a journal. Shares are named by their place in the list given.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum CombineError {
    /// No shares at all.
    #[error("no shares were given")]
    NoShares,
    /// Fewer shares than the set needs.
    #[error("these are {have} of the {need} shares this set needs")]
    TooFew {
        /// Shares given.
        have: usize,
        /// k.
        need: u8,
    },
    /// A share of another set than the others (or of another journal).
    #[error("share {index} belongs to another recovery set than share {other}")]
    OtherSet {
        /// The odd share.
        index: usize,
        /// A share of the set most of them belong to.
        other: usize,
        /// Whether it is another journal's share altogether.
        other_journal: bool,
    },
    /// A share of another journal than the one being restored.
    #[error("share {index} belongs to another journal")]
    OtherJournal {
        /// The share.
        index: usize,
        /// The share's journal fingerprint.
        theirs: String,
        /// This journal's fingerprint.
        ours: String,
    },
    /// The same share twice.
    #[error("share {index} is the same share as share {first}")]
    Duplicate {
        /// The second copy.
        index: usize,
        /// The first.
        first: usize,
    },
    /// Two shares of one set that disagree about it: one is damaged or forged.
    #[error("share {index} disagrees with share {other} about their set")]
    Disagree {
        /// The odd share (when `sure`, the one the others outvote).
        index: usize,
        /// A share it disagrees with.
        other: usize,
        /// Whether two or more shares agree against it (with two shares, either may be wrong).
        sure: bool,
    },
    /// The shares combine, but to an identity that opens nothing in this journal: their set
    /// was replaced by a newer setup (or a share was forged with care).
    #[error("these shares open nothing in this journal")]
    OpensNothing {
        /// When their set was made.
        made: DateTime<Utc>,
    },
    /// The journal itself could not be opened.
    #[error(transparent)]
    Journal(#[from] Error),
}

/// A set made and sealed, not yet in the journal: [`Journal::install_recovery`] puts it
/// there. Holds no secret: the identity was forgotten as soon as it was split.
#[derive(Debug)]
pub struct PreparedSet {
    /// The record the journal will keep (its `unlocker` is filled in on install).
    pub record: RecoverySet,
    /// One sealed share per trustee, in the order given: an armored age file each.
    pub sealed: Vec<SealedShare>,
    recipient: age::x25519::Recipient,
}

/// One trustee's share, sealed to them.
#[derive(Debug)]
pub struct SealedShare {
    /// The trustee's name.
    pub trustee: String,
    /// The armored age file.
    pub armored: Vec<u8>,
}

/// What installing a set did.
#[derive(Debug)]
pub struct Installed {
    /// The set now in place.
    pub set: RecoverySet,
    /// The set it replaced, if any.
    pub replaced: Option<RecoverySet>,
    /// The rotation that removed the old set's unlocker, if there was one.
    pub rewritten: Option<Rewritten>,
}

impl Journal {
    /// The journal's fingerprint (see [`fingerprint`]).
    pub fn fingerprint(&self) -> String {
        fingerprint(&self.key.journal_id())
    }

    fn recovery_record(&self) -> Result<Option<RecoverySet>> {
        let txn = self.db.begin_read()?;
        let Some(raw) = self.get_setting(&txn, RECOVERY_SETTING)? else {
            return Ok(None);
        };
        serde_json::from_slice::<Option<RecoverySet>>(&raw).map_err(|_| Error::RecordDamaged {
            kind: "recovery set",
            id: 0,
        })
    }

    /// The journal's recovery set, and whether its unlocker is still in place.
    pub fn recovery(&self) -> Result<RecoveryState> {
        let Some(set) = self.recovery_record()? else {
            return Ok(RecoveryState::None);
        };
        let live = self.unlockers()?.into_iter().any(|u| {
            u.id == set.unlocker
                && u.kind
                    == UnlockerKind::Identity {
                        recipient: set.recipient.clone(),
                    }
        });
        Ok(if live {
            RecoveryState::Ready(set)
        } else {
            RecoveryState::Broken(set)
        })
    }

    /// Makes a new recovery set for `trustees` (any `threshold` of them open the journal):
    /// a fresh identity, split into one share per trustee and sealed to each. The identity
    /// is forgotten before this returns; nothing in the journal changes until
    /// [`Journal::install_recovery`].
    pub fn prepare_recovery(
        &self,
        member: &str,
        threshold: u8,
        trustees: &[Trustee],
        now: DateTime<Utc>,
    ) -> std::result::Result<PreparedSet, SetupError> {
        let bad = |name: &str, why| SetupError::BadName {
            name: name.to_owned(),
            why,
        };
        check_name(member).map_err(|why| bad(member, why))?;
        if threshold < 2 {
            return Err(SetupError::ThresholdTooLow);
        }
        if usize::from(threshold) > trustees.len() {
            return Err(SetupError::ThresholdAboveCount {
                threshold,
                count: trustees.len(),
            });
        }
        if trustees.len() > MAX_TRUSTEES {
            return Err(SetupError::TooManyTrustees);
        }
        for (i, t) in trustees.iter().enumerate() {
            check_name(&t.name).map_err(|why| bad(&t.name, why))?;
            for earlier in &trustees[..i] {
                if earlier.name.to_lowercase() == t.name.to_lowercase() {
                    return Err(SetupError::SameName(t.name.clone()));
                }
                if earlier.recipient.to_string() == t.recipient.to_string() {
                    return Err(SetupError::SameKey(earlier.name.clone(), t.name.clone()));
                }
            }
        }
        let secret = split::fresh_secret();
        let identity = split::identity_of(secret.as_ref())
            .ok_or_else(|| Error::Damaged("a recovery identity could not be made".into()))?;
        let recipient = identity.to_public();
        drop(identity);
        let dealt = split::Dealt {
            set: SetId::random(),
            journal: self.key.journal_id(),
            member,
            made: now,
            threshold,
        };
        let names: Vec<&str> = trustees.iter().map(|t| t.name.as_str()).collect();
        let shares = split::split(secret.as_ref(), &dealt, &names);
        drop(secret);
        let mut sealed = Vec::with_capacity(shares.len());
        let mut infos = Vec::with_capacity(shares.len());
        for (share, t) in shares.iter().zip(trustees) {
            sealed.push(SealedShare {
                trustee: t.name.clone(),
                armored: share.seal(&t.recipient)?,
            });
            infos.push(TrusteeInfo {
                name: t.name.clone(),
                recipient: t.recipient.to_string(),
                x: share.x,
            });
        }
        Ok(PreparedSet {
            record: RecoverySet {
                set: dealt.set,
                unlocker: 0,
                recipient: recipient.to_string(),
                member: member.to_owned(),
                threshold,
                trustees: infos,
                made: now,
            },
            sealed,
            recipient,
        })
    }

    /// Puts a prepared set in place. A first set is one more unlocker (the data key is
    /// wrapped for it, nothing else changes). A set that replaces a working one takes its
    /// unlocker's place in a key rotation, so the old shares open nothing in the new file;
    /// every passphrase unlocker's passphrase must be known (see
    /// [`Journal::provide_passphrase`]).
    pub fn install_recovery(
        &mut self,
        prepared: PreparedSet,
        now: DateTime<Utc>,
        progress: Progress<'_>,
    ) -> Result<Installed> {
        let PreparedSet {
            mut record,
            recipient,
            ..
        } = prepared;
        let unlocker = NewUnlocker::Recipient(recipient);
        match self.recovery()? {
            RecoveryState::Ready(old) => {
                let done = self.replace_unlocker(old.unlocker, &unlocker, now, progress)?;
                record.unlocker = old.unlocker;
                self.put_recovery(Some(&record))?;
                Ok(Installed {
                    set: record,
                    replaced: Some(old),
                    rewritten: Some(done),
                })
            }
            state => {
                let wrapped = unlocker.wrap(self.local_key()?.expose())?;
                let txn = self.begin()?;
                let id = txn
                    .open_table(UNLOCKERS)?
                    .last()?
                    .map_or(1, |(k, _)| k.value() + 1);
                self.store_unlocker(&txn, id, &wrapped, unlocker.kind(), now)?;
                record.unlocker = id;
                let json =
                    zeroize::Zeroizing::new(serde_json::to_vec(&Some(&record)).unwrap_or_default());
                self.put_setting(&txn, RECOVERY_SETTING, &json)?;
                self.commit(txn)?;
                Ok(Installed {
                    set: record,
                    replaced: match state {
                        RecoveryState::Broken(old) => Some(old),
                        _ => None,
                    },
                    rewritten: None,
                })
            }
        }
    }

    fn put_recovery(&self, set: Option<&RecoverySet>) -> Result<()> {
        let json = zeroize::Zeroizing::new(serde_json::to_vec(&set).unwrap_or_default());
        let txn = self.begin()?;
        self.put_setting(&txn, RECOVERY_SETTING, &json)?;
        self.commit(txn)
    }

    /// After a recovery: `new` (a passphrase) replaces every passphrase unlocker and the
    /// unlocker the journal was opened with (the recovery set's, whose shares have now been
    /// brought together), in one key rotation. The spent set is forgotten. Identity
    /// unlockers other than the one used stay. Returns the rotation and the new unlocker's id.
    pub fn finish_recovery(
        &mut self,
        new: &NewUnlocker,
        now: DateTime<Utc>,
        progress: Progress<'_>,
    ) -> Result<(Rewritten, u64)> {
        let unlockers = self.unlockers()?;
        let mut leaving: Vec<u64> = unlockers
            .iter()
            .filter(|u| u.kind == UnlockerKind::Passphrase)
            .map(|u| u.id)
            .collect();
        leaving.push(self.unlocked_by);
        let id = unlockers.iter().map(|u| u.id).max().unwrap_or(0) + 1;
        let done = self.rotate_to(&leaving, Some((id, new)), now, progress)?;
        self.put_recovery(None)?;
        Ok((done, id))
    }
}

/// The recovery identity `shares` give back, after checking them: one set, no share twice,
/// agreeing about their set, at least k. A share that passed these checks is one the set
/// made (each matches a commitment every other share carries), so any k of them give the
/// set's identity; whether that identity still opens a journal is for [`restore`] to see.
pub fn combine(shares: &[Share]) -> std::result::Result<age::x25519::Identity, CombineError> {
    split::check(shares)?;
    let all: Vec<&Share> = shares.iter().collect();
    split::combine(&all)
        .and_then(|secret| split::identity_of(&secret))
        .ok_or(CombineError::OpensNothing {
            made: shares[0].made,
        })
}

/// Opens the journal at `path` with shares released to the member, after checking them
/// (see [`combine`]) and that they are this journal's. The identity they give must open
/// one of the journal's unlockers, or nothing is accepted.
pub fn restore(
    path: &std::path::Path,
    shares: &[Share],
) -> std::result::Result<Journal, CombineError> {
    let ours = crate::journal::peek_id(path)?;
    if let Some(i) = shares.iter().position(|s| s.journal != ours) {
        return Err(CombineError::OtherJournal {
            index: i,
            theirs: shares[i].journal_fingerprint(),
            ours: fingerprint(&ours),
        });
    }
    let identity = combine(shares)?;
    match Journal::open(path, &Secret::Identities(vec![identity])) {
        Ok(journal) => Ok(journal),
        Err(Error::WrongIdentity | Error::NoUnlockerOfKind { .. }) => {
            Err(CombineError::OpensNothing {
                made: shares[0].made,
            })
        }
        Err(e) => Err(e.into()),
    }
}
