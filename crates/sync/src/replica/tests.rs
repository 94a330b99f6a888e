//! Devices as replicas over one folder remote: everything reaches everyone, conflicts keep
//! both versions, and objects that were tampered with, cut short, moved or brought from
//! another journal are refused with the replica untouched.

use super::*;
use crate::test_remote::{Setup, setup};

fn device(n: u8) -> DeviceId {
    DeviceId([n; 16])
}

fn opts(now_ms: u64) -> Options {
    Options {
        snapshot_every: 1000,
        now_ms,
    }
}

fn sync(s: &Setup, r: &mut Replica, now_ms: u64) -> Report {
    r.sync(
        &s.remote,
        &s.key,
        opts(now_ms),
        &mut |_| Ok(()),
        &mut |_| {},
    )
    .expect("syncs")
}

fn shown(r: &Replica, key: &str) -> Option<String> {
    r.shown(key)
        .map(|b| String::from_utf8_lossy(b).into_owned())
}

#[test]
fn two_devices_both_write_and_both_have_everything() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    let mut b = Replica::new(s.key.journal(), device(2));
    a.put("reflection/a1", b"office".to_vec(), 1000);
    b.put("reflection/b1", b"home".to_vec(), 1001);
    sync(&s, &mut a, 1002);
    let rb = sync(&s, &mut b, 1003);
    assert_eq!(rb.pushed_changes, 1);
    assert_eq!(rb.changed.iter().collect::<Vec<_>>(), vec!["reflection/a1"]);
    let ra = sync(&s, &mut a, 1004);
    assert_eq!(ra.changed.iter().collect::<Vec<_>>(), vec!["reflection/b1"]);
    assert_eq!(a.state(), b.state());
    // Nothing new: a sync that moves nothing.
    let again = sync(&s, &mut a, 1005);
    assert_eq!((again.pushed_objects, again.pulled_objects), (0, 0));
}

#[test]
fn both_edit_one_reflection_and_both_versions_are_kept_and_reported() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    let mut b = Replica::new(s.key.journal(), device(2));
    a.put("reflection/x", b"first".to_vec(), 1000);
    sync(&s, &mut a, 1000);
    sync(&s, &mut b, 1001);
    a.put("reflection/x", b"first, from the office".to_vec(), 2000);
    b.put("reflection/x", b"first, from home".to_vec(), 2001);
    sync(&s, &mut a, 2002);
    let rb = sync(&s, &mut b, 2003);
    assert_eq!(rb.conflicts, vec!["reflection/x".to_string()]);
    let ra = sync(&s, &mut a, 2004);
    assert_eq!(ra.conflicts, vec!["reflection/x".to_string()]);
    for r in [&a, &b] {
        match r.state().records["reflection/x"].view(Policy::KeepBoth) {
            View::Conflict(vs) => assert_eq!(vs.len(), 2),
            other => panic!("expected both versions, got {other:?}"),
        }
        // The local journal shows the later one meanwhile.
        assert_eq!(
            shown(r, "reflection/x").as_deref(),
            Some("first, from home")
        );
    }
    // The member chooses on one device; the other follows.
    a.put("reflection/x", b"first, from the office".to_vec(), 3000);
    sync(&s, &mut a, 3001);
    sync(&s, &mut b, 3002);
    assert_eq!(b.state().conflicts().count(), 0);
    assert_eq!(
        shown(&b, "reflection/x").as_deref(),
        Some("first, from the office")
    );
}

#[test]
fn delete_on_one_and_edit_on_the_other_keeps_the_edit() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    let mut b = Replica::new(s.key.journal(), device(2));
    a.put("reflection/x", b"text".to_vec(), 1000);
    sync(&s, &mut a, 1000);
    sync(&s, &mut b, 1001);
    a.delete("reflection/x", 2000);
    b.put("reflection/x", b"text, and more".to_vec(), 2001);
    sync(&s, &mut a, 2002);
    let rb = sync(&s, &mut b, 2003);
    assert_eq!(rb.kept_over_delete, vec!["reflection/x".to_string()]);
    let ra = sync(&s, &mut a, 2004);
    assert_eq!(ra.kept_over_delete, vec!["reflection/x".to_string()]);
    assert!(ra.changed.contains("reflection/x"));
    assert_eq!(shown(&a, "reflection/x").as_deref(), Some("text, and more"));
    assert_eq!(a.state(), b.state());
}

#[test]
fn three_devices_converge() {
    let s = setup();
    let mut rs: Vec<Replica> = (1..=3)
        .map(|n| Replica::new(s.key.journal(), device(n)))
        .collect();
    for round in 0..4u64 {
        for (i, r) in rs.iter_mut().enumerate() {
            r.put(
                &format!("reflection/{i}-{round}"),
                vec![i as u8, round as u8],
                1000 + round,
            );
            r.put("settings/pack", vec![i as u8], 1000 + round);
            sync(&s, r, 1000 + round);
        }
    }
    for r in rs.iter_mut() {
        sync(&s, r, 2000);
    }
    assert_eq!(rs[0].state(), rs[1].state());
    assert_eq!(rs[1].state(), rs[2].state());
    assert_eq!(rs[0].state().records.len(), 13);
}

#[test]
fn an_interrupted_sync_sends_the_same_bytes_again() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    a.put("reflection/x", b"text".to_vec(), 1000);
    // Killed after saving the sealed object, before or after writing it.
    a.seal_pending(&s.key);
    let saved = Replica::from_bytes(&a.to_bytes()).expect("reads back");
    a.push(&s.remote, &mut Report::default(), &mut |_| {})
        .expect("pushes");
    let mut again = saved;
    let report = sync(&s, &mut again, 1001);
    assert_eq!(report.pushed_objects, 1);
    let mut b = Replica::new(s.key.journal(), device(2));
    sync(&s, &mut b, 1002);
    assert_eq!(b.state().records.len(), 1);
    assert_eq!(b.state().records["reflection/x"].heads.len(), 1);
}

#[test]
fn a_copied_device_is_named_not_merged() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    sync(&s, &mut a, 1000);
    let mut copy = a.clone();
    a.put("reflection/x", b"one".to_vec(), 1001);
    copy.put("reflection/y", b"two".to_vec(), 1001);
    sync(&s, &mut a, 1002);
    let err = copy
        .sync(&s.remote, &s.key, opts(1003), &mut |_| Ok(()), &mut |_| {})
        .expect_err("clash");
    assert!(matches!(err, Error::DeviceClash(_)), "{err}");
}

fn refused(s: &Setup, r: &mut Replica) -> Error {
    let before = r.clone();
    let err = r
        .pull(&s.remote, &s.key, 5000, &mut Report::default(), &mut |_| {})
        .expect_err("refused");
    assert_eq!(r, &before, "a refused pull changes nothing");
    err
}

fn one_object(s: &Setup) -> (Replica, String) {
    let mut a = Replica::new(s.key.journal(), device(1));
    a.put("reflection/x", b"text".to_vec(), 1000);
    a.put("reflection/y", b"more".to_vec(), 1000);
    sync(s, &mut a, 1000);
    (a, log_name(device(1), 0))
}

fn file(s: &Setup, name: &str) -> std::path::PathBuf {
    std::path::Path::new(s.remote.spec()).join(name)
}

#[test]
fn tampered_truncated_replayed_and_foreign_objects_are_refused() {
    let s = setup();
    let (_a, name) = one_object(&s);
    let path = file(&s, &name);
    let good = std::fs::read(&path).expect("reads");
    let mut b = Replica::new(s.key.journal(), device(2));

    let mut flipped = good.clone();
    flipped[100] ^= 1;
    std::fs::write(&path, &flipped).expect("writes");
    assert!(matches!(
        refused(&s, &mut b),
        Error::Refused {
            why: ObjectError::DoesNotOpen,
            ..
        }
    ));

    std::fs::write(&path, &good[..good.len() / 2]).expect("writes");
    assert!(matches!(refused(&s, &mut b), Error::Refused { .. }));

    std::fs::write(&path, b"").expect("writes");
    assert!(matches!(
        refused(&s, &mut b),
        Error::Refused {
            why: ObjectError::NotAnObject,
            ..
        }
    ));

    // Replayed as another device's object, or as a later object of the same device.
    std::fs::write(&path, &good).expect("writes");
    let other = file(&s, &log_name(device(3), 0));
    std::fs::create_dir_all(other.parent().expect("parent")).expect("mkdir");
    std::fs::write(&other, &good).expect("writes");
    let mut c = Replica::new(s.key.journal(), device(4));
    assert!(matches!(
        refused(&s, &mut c),
        Error::Refused {
            why: ObjectError::DoesNotOpen,
            ..
        }
    ));
    std::fs::remove_file(&other).expect("removes");
    std::fs::write(file(&s, &log_name(device(1), 1)), &good).expect("writes");
    assert!(matches!(
        refused(&s, &mut c),
        Error::Refused {
            why: ObjectError::DoesNotOpen,
            ..
        }
    ));
    std::fs::remove_file(file(&s, &log_name(device(1), 1))).expect("removes");

    // From another journal (another key and id, or the same id under another key).
    let foreign_key = SyncKey::derive(&[9; 32], JournalId([6; 16]));
    let mut f = Replica::new(foreign_key.journal(), device(1));
    f.put("reflection/z", b"not yours".to_vec(), 1000);
    f.seal_pending(&foreign_key);
    let (_, bytes) = f.outbox.iter().next().expect("sealed");
    std::fs::write(&path, bytes).expect("writes");
    assert!(matches!(
        refused(&s, &mut c),
        Error::Refused {
            why: ObjectError::DoesNotOpen,
            ..
        }
    ));

    // Put back, it applies.
    std::fs::write(&path, &good).expect("writes");
    c.pull(&s.remote, &s.key, 5000, &mut Report::default(), &mut |_| {})
        .expect("applies");
    assert_eq!(c.state().records.len(), 2);
}

#[test]
fn a_remote_of_another_journal_is_refused() {
    let s = setup();
    let other = SyncKey::derive(&[5; 32], JournalId([7; 16]));
    let mut r = Replica::new(other.journal(), device(1));
    let err = r
        .sync(&s.remote, &other, opts(1), &mut |_| Ok(()), &mut |_| {})
        .expect_err("refused");
    assert!(matches!(err, Error::OtherJournal(_)), "{err}");
    assert!(matches!(
        init_remote(&s.remote, &s.key, vec![]),
        Err(Error::AlreadyInitialised(_))
    ));
}

#[test]
fn a_dropped_object_holds_back_what_follows_and_is_reported() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    for i in 0..3u8 {
        a.put(&format!("reflection/{i}"), vec![i], 1000 + u64::from(i));
        sync(&s, &mut a, 1000 + u64::from(i));
    }
    std::fs::remove_file(file(&s, &log_name(device(1), 1))).expect("drops");
    let mut b = Replica::new(s.key.journal(), device(2));
    let report = sync(&s, &mut b, 2000);
    assert_eq!(report.waiting, vec![(device(1), 1)]);
    assert_eq!(b.state().records.len(), 1);
}

#[test]
fn a_log_cut_short_is_reported() {
    let s = setup();
    let (_a, name) = one_object(&s);
    let mut b = Replica::new(s.key.journal(), device(2));
    sync(&s, &mut b, 2000);
    std::fs::remove_file(file(&s, &name)).expect("cuts");
    let report = sync(&s, &mut b, 2001);
    assert_eq!(report.rolled_back, vec![device(1)]);
    assert_eq!(b.state().records.len(), 2);
}

#[test]
fn a_new_device_starts_from_a_snapshot_and_reads_only_what_follows() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), device(1));
    for i in 0..5u8 {
        a.put(&format!("reflection/{i}"), vec![i], 1000);
        let report = a
            .sync(
                &s.remote,
                &s.key,
                Options {
                    snapshot_every: 3,
                    now_ms: 1000,
                },
                &mut |_| Ok(()),
                &mut |_| {},
            )
            .expect("syncs");
        assert_eq!(report.snapshot, i == 2);
    }
    let mut c = Replica::join(&s.remote, &s.key, device(3)).expect("joins");
    assert_eq!(c.state().records.len(), 3);
    let report = sync(&s, &mut c, 2000);
    assert_eq!(report.pulled_objects, 2);
    assert_eq!(c.state(), a.state());
}

#[test]
fn replica_bytes_round_trip_and_garbage_is_refused() {
    let mut a = Replica::new(JournalId([1; 16]), device(1));
    a.put("k", b"v".to_vec(), 1);
    assert_eq!(Replica::from_bytes(&a.to_bytes()).expect("reads"), a);
    assert!(Replica::from_bytes(b"").is_err());
    assert!(Replica::from_bytes(b"\x01\xff\xff").is_err());
}

#[test]
fn names_that_are_not_ours_are_passed_over() {
    assert_eq!(
        parse_name(&log_name(device(1), 10), "log"),
        Some((device(1), 10))
    );
    for name in [
        "log/0101/0000000000000001",
        "log/01010101010101010101010101010101/.syncthing.0000000000000001.tmp",
        "log/01010101010101010101010101010101/0000000000000001.sync-conflict-20260101",
        "log/01010101010101010101010101010101/000000000000000G",
        "snap/01010101010101010101010101010101/0000000000000001",
    ] {
        assert_eq!(parse_name(name, "log"), None, "{name}");
    }
    // Only a conflict copy of one of our objects names a forked device.
    assert_eq!(
        conflict_copy(
            "log/01010101010101010101010101010101/0000000000000001.sync-conflict-20260101-101010-ABCDEFG"
        ),
        Some(device(1))
    );
    assert_eq!(conflict_copy("log/x/1.sync-conflict-20260101"), None);
    assert_eq!(
        conflict_copy("log/01010101010101010101010101010101/0000000000000001"),
        None
    );
}
