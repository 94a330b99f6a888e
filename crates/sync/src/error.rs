//! What can go wrong while syncing, in words a person can act on.

use thiserror::Error;

use crate::ids::DeviceId;

/// Why one object read from a remote was refused.
#[derive(Debug, Error, Clone, PartialEq, Eq)]
#[non_exhaustive]
pub enum ObjectError {
    /// Not a tend sync object at all (or cut short before its header ends).
    #[error("not a tend sync object")]
    NotAnObject,
    /// Written by a newer tend.
    #[error("written by a newer tend (object format {0})")]
    NewerFormat(u8),
    /// An object of another kind under this name.
    #[error("an object of another kind under this name")]
    WrongKind,
    /// Failed authentication: changed, cut short, moved from another name, device or
    /// journal, or sealed under another key.
    #[error(
        "it does not open: changed, cut short, moved from elsewhere, or sealed for another journal"
    )]
    DoesNotOpen,
    /// Opened, but its padding or length is wrong.
    #[error("its padding is wrong")]
    BadPadding,
    /// Opened, but what it holds cannot be read.
    #[error("what it holds cannot be read")]
    BadPayload,
    /// Larger than any object sync writes.
    #[error("it is {0} bytes, larger than any sync object")]
    TooLarge(usize),
}

/// Everything syncing can fail with.
#[derive(Debug, Error)]
#[non_exhaustive]
pub enum Error {
    /// The remote's address cannot be understood.
    #[error("cannot use `{0}` as a remote: {1}")]
    BadRemote(String, String),
    /// The remote could not be reached or refused a request.
    #[error("the remote did not answer as expected ({0})")]
    Remote(String),
    /// The remote holds no tend journal (for join and sync).
    #[error("the remote holds no tend journal yet")]
    NoJournal,
    /// The remote already holds a journal (for init).
    #[error("the remote already holds a tend journal ({0})")]
    AlreadyInitialised(String),
    /// The remote holds another journal than this one.
    #[error("the remote holds another journal ({0}), not this one")]
    OtherJournal(String),
    /// An object on the remote was refused; nothing was applied.
    #[error("object {name} on the remote was refused: {why}")]
    Refused {
        /// The object's name under the remote.
        name: String,
        /// Why.
        why: ObjectError,
    },
    /// Another device writes under this device's id (a copied journal file).
    #[error("another device writes as this one ({0})")]
    DeviceClash(DeviceId),
    /// A device's log on the remote is shorter than what this device already took from it.
    #[error(
        "the remote holds fewer changes from device {device} than this device already has ({has} of {had})"
    )]
    RolledBack {
        /// The device whose log is short.
        device: DeviceId,
        /// How many objects the remote has.
        has: u64,
        /// How many this device had applied.
        had: u64,
    },
    /// The head's unlockers did not give this journal's key.
    #[error("the remote's head does not belong to this journal's key")]
    HeadMismatch,
    /// The local sync state cannot be read.
    #[error("this device's sync state cannot be read")]
    BadState,
}

/// `Result` with sync's [`Error`].
pub type Result<T, E = Error> = std::result::Result<T, E>;
