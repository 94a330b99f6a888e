//! A folder remote set up for one journal, shared by the unit tests of replicas and
//! compaction.

use crate::ids::JournalId;
use crate::object::SyncKey;
use crate::remote::Remote;
use crate::replica::init_remote;

/// A fresh folder remote, initialised for the journal of [`journal_key`].
pub(crate) struct Setup {
    _dir: tempfile::TempDir,
    pub(crate) remote: Remote,
    pub(crate) key: SyncKey,
}

/// The sync key of the test journal: data key `[5; 32]`, journal id `[6; 16]`.
pub(crate) fn journal_key() -> SyncKey {
    SyncKey::derive(&[5; 32], JournalId([6; 16]))
}

pub(crate) fn setup() -> Setup {
    let dir = tempfile::tempdir().expect("tempdir");
    let remote = Remote::open(dir.path().to_str().expect("utf-8"), &|_| None).expect("opens");
    let key = journal_key();
    init_remote(&remote, &key, vec![b"unlocker".to_vec()]).expect("init");
    Setup {
        _dir: dir,
        remote,
        key,
    }
}
