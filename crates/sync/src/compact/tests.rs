//! Compaction over a folder remote: what every device has passed goes, nothing a device
//! still needs does, and devices keep syncing and joining afterwards.

use super::*;
use crate::replica::{Options, Replica, Report};
use crate::test_remote::{Setup, setup};

fn sync(s: &Setup, r: &mut Replica, every: u64, now_ms: u64) -> Report {
    r.sync(
        &s.remote,
        &s.key,
        Options {
            snapshot_every: every,
            now_ms,
        },
        &mut |_| Ok(()),
        &mut |_| {},
    )
    .expect("syncs")
}

fn logs(s: &Setup) -> usize {
    s.remote.list("log").expect("lists").len()
}

/// Two devices write and sync in turn for `rounds` rounds, snapshotting every other object.
fn rounds(s: &Setup, a: &mut Replica, b: &mut Replica, from: u64, rounds: u64) {
    for round in from..from + rounds {
        let now = 1000 + round * 10;
        a.put(&format!("reflection/a{round}"), vec![1; 100], now);
        b.put(&format!("reflection/b{round}"), vec![2; 100], now + 1);
        sync(s, a, 2, now + 2);
        sync(s, b, 2, now + 3);
    }
}

#[test]
fn what_every_device_passed_goes_and_everyone_keeps_syncing() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), DeviceId([1; 16]));
    let mut b = Replica::new(s.key.journal(), DeviceId([2; 16]));
    rounds(&s, &mut a, &mut b, 0, 6);
    let before = logs(&s);
    let done = compact(&s.remote, &s.key).expect("compacts");
    assert!(done.held_back_by.is_empty());
    assert!(done.removed_objects > 0, "{done:?}");
    assert_eq!(logs(&s), before - done.removed_objects);
    // Every log keeps its newest object.
    for r in [&a, &b] {
        let newest = log_name(r.device(), r.applied()[&r.device()] - 1);
        assert!(s.remote.get(&newest).expect("reads").is_some());
    }

    // Both go on: nothing waits, nothing reads as cut short, both end equal.
    rounds(&s, &mut a, &mut b, 6, 3);
    let ra = sync(&s, &mut a, 2, 5000);
    let rb = sync(&s, &mut b, 2, 5001);
    for r in [&ra, &rb] {
        assert!(r.waiting.is_empty() && r.rolled_back.is_empty(), "{r:?}");
    }
    assert_eq!(a.state(), b.state());
    assert_eq!(a.state().records.len(), 18);

    // A new device joins from a snapshot and reads only what is still there.
    compact(&s.remote, &s.key).expect("compacts again");
    let mut c = Replica::join(&s.remote, &s.key, DeviceId([3; 16])).expect("joins");
    let rc = sync(&s, &mut c, 2, 5002);
    assert!(rc.waiting.is_empty(), "{rc:?}");
    assert_eq!(c.state(), a.state());

    // Only each device's newest snapshot stays.
    let snaps = s.remote.list("snap").expect("lists");
    let mut devices: Vec<_> = snaps
        .iter()
        .filter_map(|(n, _)| parse_name(n, "snap").map(|(d, _)| d))
        .collect();
    devices.dedup();
    assert_eq!(devices.len(), snaps.len(), "{snaps:?}");
}

#[test]
fn a_device_behind_keeps_what_it_has_not_read() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), DeviceId([1; 16]));
    let mut b = Replica::new(s.key.journal(), DeviceId([2; 16]));
    rounds(&s, &mut a, &mut b, 0, 2);
    // Device b stops syncing; device a writes on.
    for round in 2..8 {
        a.put(&format!("reflection/a{round}"), vec![1; 100], 2000 + round);
        sync(&s, &mut a, 2, 2000 + round);
    }
    let done = compact(&s.remote, &s.key).expect("compacts");
    assert!(
        done.removed_objects > 0,
        "what both had passed goes: {done:?}"
    );
    let report = sync(&s, &mut b, 2, 3000);
    assert!(report.waiting.is_empty(), "{report:?}");
    assert_eq!(b.state(), a.state());
}

#[test]
fn a_device_without_a_snapshot_holds_everything_back() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), DeviceId([1; 16]));
    let mut b = Replica::new(s.key.journal(), DeviceId([2; 16]));
    rounds(&s, &mut a, &mut b, 0, 4);
    let mut quiet = Replica::new(s.key.journal(), DeviceId([9; 16]));
    quiet.put("reflection/q", vec![3; 10], 4000);
    sync(&s, &mut quiet, u64::MAX, 4001);
    let before = logs(&s);
    let done = compact(&s.remote, &s.key).expect("compacts");
    assert_eq!(done.held_back_by, vec![DeviceId([9; 16])]);
    assert_eq!(done.removed_objects, 0);
    assert_eq!(logs(&s), before);
}

#[test]
fn a_device_that_joined_before_any_snapshot_holds_removals_back_until_it_catches_up() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), DeviceId([1; 16]));
    a.put("reflection/first", vec![1; 10], 900);
    sync(&s, &mut a, u64::MAX, 901);
    let mut late = Replica::join(&s.remote, &s.key, DeviceId([5; 16])).expect("joins");
    let mut b = Replica::new(s.key.journal(), DeviceId([2; 16]));
    rounds(&s, &mut a, &mut b, 0, 4);
    let done = compact(&s.remote, &s.key).expect("compacts");
    assert_eq!(done.removed_objects, 0, "{done:?}");
    let report = sync(&s, &mut late, 2, 5000);
    assert!(report.waiting.is_empty(), "{report:?}");
    assert_eq!(late.state(), b.state());
    // Once it has caught up (and said so in a snapshot), removals go on.
    late.put("reflection/late", vec![5; 10], 5001);
    sync(&s, &mut late, 1, 5002);
    rounds(&s, &mut a, &mut b, 4, 2);
    assert!(
        compact(&s.remote, &s.key)
            .expect("compacts")
            .removed_objects
            > 0
    );
}

#[test]
fn a_snapshot_that_does_not_open_stops_compaction_before_anything_goes() {
    let s = setup();
    let mut a = Replica::new(s.key.journal(), DeviceId([1; 16]));
    let mut b = Replica::new(s.key.journal(), DeviceId([2; 16]));
    rounds(&s, &mut a, &mut b, 0, 4);
    let before = logs(&s);
    let (name, _) = s
        .remote
        .list("snap")
        .expect("lists")
        .pop()
        .expect("a snapshot");
    let path = std::path::Path::new(s.remote.spec()).join(&name);
    let mut bytes = std::fs::read(&path).expect("reads");
    bytes[60] ^= 1;
    std::fs::write(&path, bytes).expect("writes");
    let err = compact(&s.remote, &s.key).expect_err("refused");
    assert!(matches!(err, Error::Refused { .. }), "{err}");
    assert_eq!(logs(&s), before);
}
