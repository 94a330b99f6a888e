//! Sync through real S3-compatible storage. scripts/sync-s3.sh builds Garage from crates.io,
//! starts a single-node instance on loopback, makes a bucket and a key, and runs this test
//! with `TEND_SYNC_TEST_S3=s3://bucket/prefix` and the credentials in the environment
//! (`AWS_ACCESS_KEY_ID`, `AWS_SECRET_ACCESS_KEY`, `AWS_ENDPOINT`, `AWS_REGION`,
//! `AWS_ALLOW_HTTP`). Without that variable it says so and passes: the server is too long
//! to build for every `cargo test`.

use tend_sync::{
    DeviceId, Error, JournalId, Options, Policy, Remote, Replica, Report, SyncKey, View,
    init_remote,
};

/// A fresh prefix under the bucket the script made, so runs never meet.
fn remote() -> Option<Remote> {
    let Ok(base) = std::env::var("TEND_SYNC_TEST_S3") else {
        eprintln!("skipped: TEND_SYNC_TEST_S3 is not set (scripts/sync-s3.sh sets it)");
        return None;
    };
    let spec = format!(
        "{}/{:016x}",
        base.trim_end_matches('/'),
        rand::random::<u64>()
    );
    Some(Remote::open(&spec, &|v| std::env::var(v).ok()).expect("opens"))
}

fn sync(remote: &Remote, key: &SyncKey, r: &mut Replica, now_ms: u64) -> Report {
    r.sync(
        remote,
        key,
        Options {
            snapshot_every: 3,
            now_ms,
        },
        &mut |_| Ok(()),
        &mut |_| {},
    )
    .expect("syncs")
}

#[test]
fn three_devices_sync_through_s3_keep_both_versions_and_a_fourth_joins() {
    let Some(remote) = remote() else { return };
    let key = SyncKey::derive(&[31; 32], JournalId([32; 16]));
    init_remote(&remote, &key, vec![b"unlockers".to_vec()]).expect("init");
    assert!(matches!(
        init_remote(&remote, &key, vec![]),
        Err(Error::AlreadyInitialised(_))
    ));
    let mut devices: Vec<Replica> = (1..=3)
        .map(|n| Replica::new(key.journal(), DeviceId([n; 16])))
        .collect();
    for (i, d) in devices.iter_mut().enumerate() {
        for j in 0..4 {
            d.put(
                &format!("reflection/{i}-{j}"),
                format!("written on device {i}").into_bytes(),
                1000 + j,
            );
        }
    }
    let mut now = 2000;
    for _ in 0..2 {
        for d in &mut devices {
            now += 1;
            sync(&remote, &key, d, now);
        }
    }
    assert!(devices.iter().all(|d| d.state().records.len() == 12));

    // The same reflection edited on two devices between syncs: both versions stay.
    devices[0].put("reflection/0-0", b"edited at the office".to_vec(), 3000);
    devices[1].put("reflection/0-0", b"edited at home".to_vec(), 3001);
    devices[2].delete("reflection/1-1", 3002);
    let mut conflicts = Vec::new();
    for _ in 0..2 {
        for d in &mut devices {
            now += 1;
            conflicts.extend(sync(&remote, &key, d, now).conflicts);
        }
    }
    assert!(conflicts.contains(&"reflection/0-0".to_string()));
    assert_eq!(devices[0].state(), devices[1].state());
    assert_eq!(devices[1].state(), devices[2].state());
    assert!(matches!(
        devices[0].state().records["reflection/0-0"].view(Policy::KeepBoth),
        View::Conflict(v) if v.len() == 2
    ));
    assert_eq!(devices[0].shown("reflection/1-1"), None);

    // The storage holds sealed objects only.
    for (name, _) in remote.list("").expect("lists") {
        let bytes = remote.get(&name).expect("reads").expect("there");
        for word in [&b"office"[..], b"home", b"device"] {
            assert!(
                !bytes.windows(word.len()).any(|w| w == word),
                "{name} holds text"
            );
        }
    }

    // A fourth device joins from a snapshot and reaches the same journal.
    let mut d = Replica::join(&remote, &key, DeviceId([4; 16])).expect("joins");
    assert!(!d.state().records.is_empty(), "started from a snapshot");
    sync(&remote, &key, &mut d, now + 1);
    assert_eq!(d.state(), devices[0].state());
}

#[test]
fn wrong_s3_credentials_are_refused_without_showing_the_secret() {
    let Ok(base) = std::env::var("TEND_SYNC_TEST_S3") else {
        eprintln!("skipped: TEND_SYNC_TEST_S3 is not set (scripts/sync-s3.sh sets it)");
        return;
    };
    let remote = Remote::open(&format!("{base}/wrong"), &|v| {
        if v == "AWS_SECRET_ACCESS_KEY" {
            Some("0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef".into())
        } else {
            std::env::var(v).ok()
        }
    })
    .expect("opens");
    let key = SyncKey::derive(&[31; 32], JournalId([32; 16]));
    let err = init_remote(&remote, &key, vec![]).expect_err("refused");
    assert!(matches!(err, Error::Remote(_)), "{err}");
    assert!(!err.to_string().contains("0123456789abcdef"), "{err}");
}
