//! tend's encrypted journal: one redb file whose every record is sealed with a random data
//! key, itself stored only wrapped by age *unlockers* (a passphrase, or an X25519 identity).
//!
//! This crate knows nothing of terminals or flags: it opens, unlocks, reads and writes, and
//! says precisely what went wrong. It also writes and reads contribution bundles (age files
//! for a retreat facilitator), and takes a member's contribution from the journal to a sealed
//! file with its consent record ([`share`]).
//!
//! ```
//! use age::secrecy::SecretString;
//! use chrono::{NaiveDate, Utc};
//! use tend_core::{pack::ValuesPack, reflection::Reflection};
//! use tend_store::{Journal, NewUnlocker, Secret};
//!
//! let dir = tempfile::tempdir()?;
//! let path = dir.path().join("journal.tend");
//! let unlocker = NewUnlocker::Passphrase {
//!     passphrase: SecretString::from("correct horse".to_owned()),
//!     work_factor: Some(10), // low for the example; real journals use age's default
//! };
//! let journal = Journal::create(&path, &unlocker, &ValuesPack::default_pack(), Utc::now())?;
//! let on = NaiveDate::from_ymd_opt(2026, 11, 20).expect("a date");
//! let id = journal.add(&Reflection::new("Asked who had not spoken yet.", on, Utc::now()))?;
//! drop(journal);
//!
//! let secret = Secret::Passphrase(SecretString::from("correct horse".to_owned()));
//! let journal = Journal::open(&path, &secret)?;
//! assert_eq!(journal.get::<Reflection>(id)?.text, "Asked who had not spoken yet.");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod batch;
pub mod bundle;
mod check;
mod contain;
mod error;
#[doc(hidden)]
pub mod fuzzing;
mod header;
mod ids;
mod journal;
mod manifest;
pub mod member;
mod migrate;
mod records;
pub mod recovery;
mod rewrite;
mod seal;
mod seen;
pub mod share;
pub mod sync_support;
mod unlock;
#[doc(hidden)]
pub mod v1;

pub use check::{AGE_DEFAULT_WORK_FACTOR, CheckReport, Damaged};
pub use error::{Error, Result};
pub use ids::IdBook;
pub use journal::{FORMAT_VERSION, Journal, OpenOptions, SkipReason, Skipped};
pub use manifest::ManifestState;
pub use migrate::Backup;
pub use records::directory::NewestEntries;
pub use records::{Record, SEGMENT, Scan};
pub use rewrite::{Progress, Rewritten};
pub use seal::{KeyHolder, OVERHEAD, PLAINTEXT_START, SealingKey};
pub use seen::Freshness;
pub use unlock::{MAX_WORK_FACTOR, NewUnlocker, Secret, UnlockerInfo, UnlockerKind};

/// Re-exported so callers name the same secret types tend uses.
pub use age::secrecy;
