//! Sync through a real WebDAV server: `rclone serve webdav` (Debian's rclone, installed by
//! scripts/install-test-tools.sh), with a user and password, started and stopped here.

mod common;
use common::webdav::serve;

use tend_sync::{
    DeviceId, Error, JournalId, Options, Policy, Remote, Replica, SyncKey, View, init_remote,
};

fn credentials(var: &str) -> Option<String> {
    match var {
        "TEND_SYNC_USER" => Some(common::webdav::USER.into()),
        "TEND_SYNC_PASSWORD" => Some(common::webdav::PASSWORD.into()),
        _ => None,
    }
}

fn sync(remote: &Remote, key: &SyncKey, r: &mut Replica, now_ms: u64) -> tend_sync::Report {
    r.sync(
        remote,
        key,
        Options {
            snapshot_every: 1000,
            now_ms,
        },
        &mut |_| Ok(()),
        &mut |_| {},
    )
    .expect("syncs")
}

#[test]
fn two_devices_sync_through_webdav_and_keep_both_versions_of_a_conflict() {
    let server = serve();
    let remote = Remote::open(&server.url, &credentials).expect("opens");
    let key = SyncKey::derive(&[3; 32], JournalId([4; 16]));
    init_remote(&remote, &key, vec![b"unlocker".to_vec()]).expect("init");
    let mut a = Replica::new(key.journal(), DeviceId([1; 16]));
    let mut b = Replica::new(key.journal(), DeviceId([2; 16]));
    a.put("reflection/x", b"written at the office".to_vec(), 1000);
    sync(&remote, &key, &mut a, 1000);
    let report = sync(&remote, &key, &mut b, 1001);
    assert_eq!(report.pulled_changes, 1);
    a.put("reflection/x", b"edited at the office".to_vec(), 2000);
    b.put("reflection/x", b"edited at home".to_vec(), 2001);
    sync(&remote, &key, &mut a, 2002);
    let report = sync(&remote, &key, &mut b, 2003);
    assert_eq!(report.conflicts, vec!["reflection/x".to_string()]);
    sync(&remote, &key, &mut a, 2004);
    assert_eq!(a.state(), b.state());
    assert!(
        matches!(a.state().records["reflection/x"].view(Policy::KeepBoth), View::Conflict(v) if v.len() == 2)
    );

    // The server holds only sealed objects, in size buckets, and no staging leftovers.
    let mut sizes = Vec::new();
    for entry in walk(server.dir.path()) {
        let bytes = std::fs::read(&entry).expect("reads");
        assert!(
            !contains(&bytes, b"office") && !contains(&bytes, b"home"),
            "{entry:?} holds text"
        );
        let rel = entry
            .strip_prefix(server.dir.path())
            .expect("inside")
            .to_string_lossy()
            .into_owned();
        assert!(!rel.contains("tmp/"), "a staging object was left: {rel}");
        if rel.contains("/log/") {
            sizes.push(bytes.len());
        }
    }
    assert!(sizes.iter().all(|&s| s == 1024), "{sizes:?}");

    // A new device joins through the same server.
    let mut c = Replica::join(&remote, &key, DeviceId([3; 16])).expect("joins");
    sync(&remote, &key, &mut c, 3000);
    assert_eq!(c.state(), a.state());
}

#[test]
fn wrong_webdav_credentials_fail_with_the_servers_answer() {
    let server = serve();
    let remote = Remote::open(&server.url, &|v| {
        if v == "TEND_SYNC_USER" {
            Some("member".into())
        } else if v == "TEND_SYNC_PASSWORD" {
            Some("wrong".into())
        } else {
            None
        }
    })
    .expect("opens");
    let key = SyncKey::derive(&[3; 32], JournalId([4; 16]));
    let err = init_remote(&remote, &key, vec![]).expect_err("refused");
    assert!(matches!(err, Error::Remote(_)), "{err}");
    assert!(
        !err.to_string().contains("wrong"),
        "the password never shows: {err}"
    );
}

fn walk(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("reads").flatten() {
        let p = entry.path();
        if p.is_dir() {
            out.extend(walk(&p));
        } else {
            out.push(p);
        }
    }
    out
}

fn contains(hay: &[u8], needle: &[u8]) -> bool {
    hay.windows(needle.len()).any(|w| w == needle)
}
