//! The store's errors: each one names a situation a person can act on.

use std::path::PathBuf;

/// Everything that can go wrong opening or changing a journal.
///
/// Wrong secrets, a busy journal, a damaged file and a newer format are different variants
/// because they call for different advice.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// No passphrase unlocker accepted the passphrase. Nothing was changed.
    #[error("that passphrase does not open this journal")]
    WrongPassphrase,
    /// None of the identities given matches an unlocker. Nothing was changed.
    #[error("none of the identities given opens this journal")]
    WrongIdentity,
    /// The journal has no unlocker of the kind offered (say, a passphrase for a journal that
    /// only opens with an identity file).
    #[error("this journal does not open with a {offered}")]
    NoUnlockerOfKind {
        /// "passphrase" or "identity file".
        offered: &'static str,
    },
    /// The passphrase unlocker asks for more scrypt work than this build allows.
    #[error("this journal's passphrase asks for more work than tend allows (scrypt 2^{0})")]
    ExcessiveWork(u8),
    /// Another process holds the journal open.
    #[error("the journal is busy: another tend is using it")]
    Busy,
    /// There is no journal at the path.
    #[error("there is no journal at {}", .0.display())]
    Missing(PathBuf),
    /// A journal (or another file) already exists where one would be created.
    #[error("something already exists at {}", .0.display())]
    AlreadyExists(PathBuf),
    /// The file is not a tend journal (another program's file, or a directory).
    #[error("{} is not a tend journal", .0.display())]
    NotAJournal(PathBuf),
    /// The file is damaged below the level of single records.
    #[error("the journal file is damaged ({0})")]
    Damaged(String),
    /// The journal was written by a newer version of tend.
    #[error(
        "this journal was written by a newer tend (format {found}; this tend reads format {supported})"
    )]
    NewerVersion {
        /// The format the file declares.
        found: u32,
        /// The newest format this build reads.
        supported: u32,
    },
    /// No record of that kind with that id.
    #[error("there is no {kind} with id {id}")]
    NotFound {
        /// What was looked for ("reflection", "commitment", …).
        kind: &'static str,
        /// The id asked for.
        id: u64,
    },
    /// No record of that kind has a handle that starts so.
    #[error("there is no {kind} with the handle {handle}")]
    NoSuchHandle {
        /// What was looked for ("reflection", "commitment", …).
        kind: &'static str,
        /// The letters typed.
        handle: String,
    },
    /// Several records of that kind have handles that start so: more letters are needed.
    #[error("{handle} could be any of {} {kind}s: {}", .candidates.len(), .candidates.join(", "))]
    AmbiguousHandle {
        /// What was looked for ("reflection", "commitment", …).
        kind: &'static str,
        /// The letters typed.
        handle: String,
        /// The handles of the records it could be, in order.
        candidates: Vec<String>,
    },
    /// A record failed its integrity check: damaged, or changed outside tend.
    #[error("{kind} {id} cannot be opened: it is damaged or was changed outside tend")]
    RecordDamaged {
        /// What kind of record.
        kind: &'static str,
        /// Its id.
        id: u64,
    },
    /// Removing this unlocker would leave the journal impossible to open.
    #[error("this is the journal's only unlocker, so it cannot be removed")]
    LastUnlocker,
    /// No unlocker with that id.
    #[error("there is no unlocker with id {0}")]
    NoSuchUnlocker(u64),
    /// A rotation needs the passphrase of this passphrase unlocker, to wrap the new key.
    #[error("changing the journal's key needs the passphrase of unlocker {0} too")]
    PassphraseNeeded(u64),
    /// Some records do not open, so the journal cannot be re-sealed without losing them.
    #[error("{0} record(s) cannot be opened, so the journal was not rewritten; nothing changed")]
    RewriteBlocked(u64),
    /// The disk (or a size limit) ran out of room; the write was not made.
    #[error("there is no room left on the disk; nothing was written")]
    DiskFull,
    /// The tend agent holds the key and does not hand it out; this needs the journal opened
    /// with its passphrase or identity file.
    #[error(
        "this needs the journal's passphrase (the agent seals and opens, but never hands out the key)"
    )]
    KeyWithAgent,
    /// The tend agent stopped answering in the middle of a command (locked, timed out or
    /// stopped). Nothing was written.
    #[error("the tend agent stopped answering (it was locked or stopped); nothing was written")]
    AgentLost,
    /// Another input/output failure.
    #[error("could not read or write the journal: {0}")]
    Io(#[source] std::io::Error),
}

/// A result with the store's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;

fn io(e: std::io::Error) -> Error {
    // ENOSPC and EFBIG (a file-size limit) both mean "no room".
    match e.raw_os_error() {
        Some(28) | Some(27) => Error::DiskFull,
        _ if e.kind() == std::io::ErrorKind::StorageFull => Error::DiskFull,
        _ => Error::Io(e),
    }
}

impl From<redb::StorageError> for Error {
    fn from(e: redb::StorageError) -> Self {
        match e {
            redb::StorageError::Io(e) => io(e),
            redb::StorageError::Corrupted(what) => Error::Damaged(what),
            other => Error::Damaged(other.to_string()),
        }
    }
}

impl From<redb::TransactionError> for Error {
    fn from(e: redb::TransactionError) -> Self {
        match e {
            redb::TransactionError::Storage(s) => s.into(),
            other => Error::Damaged(other.to_string()),
        }
    }
}

impl From<redb::TableError> for Error {
    fn from(e: redb::TableError) -> Self {
        match e {
            redb::TableError::Storage(s) => s.into(),
            other => Error::Damaged(other.to_string()),
        }
    }
}

impl From<redb::CommitError> for Error {
    fn from(e: redb::CommitError) -> Self {
        match e {
            redb::CommitError::Storage(s) => s.into(),
            other => Error::Damaged(other.to_string()),
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        io(e)
    }
}
