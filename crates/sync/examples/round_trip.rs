//! Measures sync for docs/performance.md: the first sync of 10,000 reflections to a folder
//! (and to WebDAV when `rclone` is installed), then one new reflection end to end — written
//! on one device, synced, synced on the other, seen there — with each device's state saved
//! as it would be beside the journal.
//!
//! With `TEND_SYNC_TEST_S3=s3://bucket/prefix` and the S3 credentials in the environment
//! (scripts/sync-s3.sh --bench sets them for a Garage on loopback) it measures S3 too.
//!
//! `cargo run --release -p tend-sync --example round_trip [REFLECTIONS]`

use std::time::{Duration, Instant};

use tend_sync::{DeviceId, JournalId, Options, Remote, Replica, SyncKey, init_remote};

fn now_ms() -> u64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

fn sync(remote: &Remote, key: &SyncKey, r: &mut Replica, saved: &mut usize) -> tend_sync::Report {
    let mut save = |r: &Replica| {
        *saved = r.to_bytes().len();
        Ok(())
    };
    let report = r
        .sync(
            remote,
            key,
            Options {
                snapshot_every: u64::MAX,
                now_ms: now_ms(),
            },
            &mut save,
            &mut |_| {},
        )
        .expect("syncs");
    // The state is saved after every sync.
    *saved = r.to_bytes().len();
    report
}

fn text(i: usize) -> Vec<u8> {
    format!(
        "{{\"date\":\"2026-01-{:02}\",\"values\":[\"equity\",\"repair\"],\"text\":\"Reflection {i}: {}\"}}",
        i % 28 + 1,
        "what went well this week, where I fell short of our values, and what I mean to repair. ".repeat(6)
    )
    .into_bytes()
}

fn run(label: &str, spec: &str, env: &dyn Fn(&str) -> Option<String>, n: usize) {
    let remote = Remote::open(spec, env).expect("opens");
    let key = SyncKey::derive(&[1; 32], JournalId(rand_id()));
    init_remote(&remote, &key, vec![vec![0; 300]]).expect("init");
    let mut a = Replica::new(key.journal(), DeviceId::random());
    let mut b = Replica::new(key.journal(), DeviceId::random());
    let mut saved = 0;
    for i in 0..n {
        a.put(&format!("reflection/{i:08}"), text(i), now_ms());
    }
    let t = Instant::now();
    let first = sync(&remote, &key, &mut a, &mut saved);
    let push = t.elapsed();
    let t = Instant::now();
    let pulled = sync(&remote, &key, &mut b, &mut saved);
    let pull = t.elapsed();
    let mut trips = Vec::new();
    for round in 0..5 {
        let t = Instant::now();
        let k = format!("reflection/new{round}");
        a.put(&k, text(n + round), now_ms());
        sync(&remote, &key, &mut a, &mut saved);
        let report = sync(&remote, &key, &mut b, &mut saved);
        assert!(report.changed.contains(&k) && b.shown(&k).is_some());
        trips.push(t.elapsed());
    }
    trips.sort();
    let median: Duration = trips[trips.len() / 2];
    println!(
        "{label}: first sync of {n} reflections: push {:.2} s ({} objects), pull on the second device {:.2} s ({} changes); \
         one new reflection round trip: median {:.0} ms (min {:.0}, max {:.0}); saved state {:.1} MB",
        push.as_secs_f64(),
        first.pushed_objects,
        pull.as_secs_f64(),
        pulled.pulled_changes,
        median.as_secs_f64() * 1e3,
        trips[0].as_secs_f64() * 1e3,
        trips[trips.len() - 1].as_secs_f64() * 1e3,
        saved as f64 / 1e6,
    );
}

fn rand_id() -> [u8; 16] {
    DeviceId::random().0
}

fn main() {
    let n: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let dir = tempfile::tempdir().expect("tempdir");
    run(
        "folder",
        dir.path().join("remote").to_str().expect("utf-8"),
        &|_| None,
        n,
    );
    if std::process::Command::new("rclone")
        .arg("version")
        .output()
        .is_ok()
    {
        let port = std::net::TcpListener::bind("127.0.0.1:0")
            .expect("binds")
            .local_addr()
            .expect("addr")
            .port();
        let served = tempfile::tempdir().expect("tempdir");
        let mut child = std::process::Command::new("rclone")
            .args(["serve", "webdav", "--addr", &format!("127.0.0.1:{port}")])
            .arg(served.path())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .expect("rclone");
        while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
            std::thread::sleep(Duration::from_millis(50));
        }
        run(
            "webdav (rclone serve webdav, loopback)",
            &format!("http://127.0.0.1:{port}/tend"),
            &|_| None,
            n,
        );
        let _ = child.kill();
        let _ = child.wait();
    }
    if let Ok(base) = std::env::var("TEND_SYNC_TEST_S3") {
        run(
            "s3 (Garage, loopback)",
            &format!(
                "{}/bench-{:016x}",
                base.trim_end_matches('/'),
                rand::random::<u64>()
            ),
            &|v| std::env::var(v).ok(),
            n,
        );
    }
}
