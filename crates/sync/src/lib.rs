//! tend-sync: one journal on all of a member's devices, through storage they already have.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

pub mod compact;
pub mod error;
#[doc(hidden)]
pub mod fuzzing;
pub mod head;
pub mod hlc;
pub mod ids;
pub mod merge;
pub mod object;
pub mod remote;
pub mod replica;
#[cfg(test)]
mod test_remote;

pub use compact::{Compaction, compact};
pub use error::{Error, ObjectError, Result};
pub use head::Head;
pub use hlc::Hlc;
pub use ids::{DeviceId, Dot, JournalId, VersionVector};
pub use merge::{Change, Op, Policy, Record, RecordKey, State, Version, View};
pub use object::{Kind, Place, SyncKey};
pub use remote::{Remote, RemoteKind};
pub use replica::{
    Options, Progress, Replica, Report, add_unlockers, all_unlockers, init_remote, read_head,
};
