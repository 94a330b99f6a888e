//! SIGKILL in the middle of a sync, on either side, then sync again: nothing lost, nothing
//! doubled.
//!
//! Each device is a child process (this test binary run again as a worker) that keeps its
//! journal and its sync state in one file, replaced whole at every save — the way the store
//! keeps both in one transaction. A run writes the member's new reflections to its journal,
//! records them for sync, syncs through a folder remote and writes what it pulled back into
//! the journal. The parent kills two devices' runs with SIGKILL while they push or pull (at a
//! random moment after the phase begins) or at a random moment anywhere, round after round,
//! compacts the remote between rounds, then lets every device finish and checks the
//! journals, every object ever written, and a third device that joins at the end.

use std::collections::{BTreeMap, BTreeSet};
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rand::Rng;
use serde::{Deserialize, Serialize};
use tend_sync::replica::open_changes;
use tend_sync::{
    DeviceId, Dot, JournalId, Options, Policy, Progress, Remote, Replica, SyncKey, View, compact,
};

const WORKER: &str = "TEND_SYNC_KILL_WORKER";
const TEST: &str = "sigkill_during_push_or_pull_loses_nothing_and_doubles_nothing";

fn key() -> SyncKey {
    SyncKey::derive(&[21; 32], JournalId([22; 16]))
}

/// What one device keeps on disk: its journal and its sync state, saved together.
#[derive(Serialize, Deserialize, Default)]
struct Device {
    /// How many runs wrote their reflections (the member's writes that reached the disk).
    runs: u64,
    journal: BTreeMap<String, Vec<u8>>,
    replica: Vec<u8>,
}

fn load(path: &Path) -> Device {
    match std::fs::read(path) {
        Ok(bytes) => postcard::from_bytes(&bytes).expect("the device file reads"),
        Err(_) => Device::default(),
    }
}

/// Replaces the file whole (write beside it, then rename), as one transaction would.
fn save(path: &Path, device: &Device) {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, postcard::to_allocvec(device).expect("encodes")).expect("writes");
    std::fs::rename(&tmp, path).expect("renames");
}

/// The member's reflections of one run: how many, and how large. Device "a" writes enough
/// for several objects a run, so pushes and the other side's pulls take several steps.
fn writes(name: &str) -> (usize, usize) {
    if name == "a" {
        (24, 64 * 1024)
    } else {
        (12, 512)
    }
}

fn text(key: &str, len: usize) -> Vec<u8> {
    key.bytes().cycle().take(len).collect()
}

fn device_id(name: &str) -> DeviceId {
    DeviceId([name.as_bytes()[0]; 16])
}

/// One device's run: write, record, sync, write back. Prints where it is, for the parent.
fn worker(name: &str, file: &Path, remote: &str) {
    let key = key();
    let remote = open(remote);
    let mut device = load(file);
    let mut replica = if device.replica.is_empty() && name == "c" {
        // The third device joins from the newest snapshot and fills its journal from it.
        let r = Replica::join(&remote, &key, device_id(name)).expect("joins");
        for k in r.state().records.keys() {
            if let Some(v) = r.shown(k) {
                device.journal.insert(k.clone(), v.to_vec());
            }
        }
        r
    } else if device.replica.is_empty() {
        Replica::new(key.journal(), device_id(name))
    } else {
        Replica::from_bytes(&device.replica).expect("state reads")
    };
    println!("@start");
    // The last runs only sync: what they would write no other device would pull.
    if name != "c" && std::env::var_os("TEND_SYNC_KILL_SETTLE").is_none() {
        let (count, len) = writes(name);
        for i in 0..count {
            let k = format!("reflection/{name}/{:04}/{i:02}", device.runs);
            let v = text(&k, len);
            device.journal.insert(k, v);
        }
        device.runs += 1;
        save(file, &device);
    }
    println!("@written");
    let now = 1_000_000 + device.runs * 1000;
    replica.record_local(&device.journal, now);
    let mut saves = |r: &Replica| {
        device.replica = r.to_bytes();
        save(file, &device);
        println!("@saved");
        Ok(())
    };
    let report = replica
        .sync(
            &remote,
            &key,
            Options {
                snapshot_every: 4,
                now_ms: now,
            },
            &mut saves,
            &mut |p| match p {
                Progress::Pushing(i, n) => println!("@push {i} {n}"),
                Progress::Pulling(i, n) => println!("@pull {i} {n}"),
            },
        )
        .expect("syncs");
    for k in &report.changed {
        match replica.shown(k) {
            Some(v) => device.journal.insert(k.clone(), v.to_vec()),
            None => device.journal.remove(k),
        };
    }
    device.replica = replica.to_bytes();
    save(file, &device);
    println!("@done");
}

/// Where a killed run was when it died.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Phase {
    Before,
    Push,
    Pull,
    Finished,
}

fn phase(lines: &[String]) -> Phase {
    match lines.last().map(String::as_str) {
        Some("@done") => Phase::Finished,
        // Reading objects, applying them, perhaps a snapshot, the last save.
        Some(l) if l.starts_with("@pull") => Phase::Pull,
        // Writing objects (after the last one: listing the remote, still before pulling).
        Some(l) if l.starts_with("@push") => Phase::Push,
        _ => Phase::Before,
    }
}

/// How the parent cuts a run short.
#[derive(Clone, Copy, Debug)]
enum Kill {
    /// Not at all.
    Never,
    /// At a random moment after the run prints its first line of this phase.
    During(Phase, Duration),
    /// At a random moment after it starts.
    After(Duration),
}

/// Runs one device as a child and kills it as told; where it was when it ended.
fn run(name: &str, dir: &Path, remote: &str, kill: Kill) -> Phase {
    let mut child = Command::new(std::env::current_exe().expect("test binary"))
        .args([TEST, "--exact", "--nocapture", "--test-threads=1"])
        .env(WORKER, name)
        .env("TEND_SYNC_KILL_DIR", dir)
        .env("TEND_SYNC_KILL_REMOTE", remote)
        .envs(matches!(kill, Kill::Never).then_some(("TEND_SYNC_KILL_SETTLE", "1")))
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .expect("worker starts");
    let lines = Arc::new(Mutex::new(Vec::<String>::new()));
    let stdout = child.stdout.take().expect("stdout");
    let reader = {
        let lines = Arc::clone(&lines);
        std::thread::spawn(move || {
            for line in BufReader::new(stdout).lines().map_while(Result::ok) {
                if line.starts_with('@') {
                    lines.lock().expect("lock").push(line);
                }
            }
        })
    };
    let started = Instant::now();
    let deadline = started + Duration::from_secs(60);
    let mut armed: Option<Instant> = match kill {
        Kill::After(d) => Some(started + d),
        _ => None,
    };
    loop {
        if child.try_wait().expect("waits").is_some() {
            break;
        }
        assert!(Instant::now() < deadline, "a worker ran for a minute");
        if let (Kill::During(p, d), None) = (kill, armed)
            && phase(&lines.lock().expect("lock")) >= p
        {
            armed = Some(Instant::now() + d);
        }
        if armed.is_some_and(|at| Instant::now() >= at) {
            // `Child::kill` sends SIGKILL: no handler, no unwinding, no last save.
            let _ = child.kill();
            let _ = child.wait();
            break;
        }
        std::thread::sleep(Duration::from_micros(200));
    }
    let status = child.wait().expect("waits");
    reader.join().expect("reader");
    let lines = lines.lock().expect("lock").clone();
    // Killed, a run has no exit code; one that ends on its own must succeed.
    match status.code() {
        Some(code) => assert_eq!(code, 0, "{name} failed: {lines:?}"),
        None => assert!(!matches!(kill, Kill::Never), "{name} died: {lines:?}"),
    }
    phase(&lines)
}

#[test]
fn sigkill_during_push_or_pull_loses_nothing_and_doubles_nothing() {
    if let Ok(name) = std::env::var(WORKER) {
        let dir = PathBuf::from(std::env::var_os("TEND_SYNC_KILL_DIR").expect("dir"));
        worker(
            &name,
            &dir.join(format!("{name}.device")),
            &remote_spec(&dir),
        );
        return;
    }
    let dir = tempfile::tempdir().expect("tempdir");
    let spec = remote_spec(dir.path());
    eprintln!("remote: {spec}");
    let remote = open(&spec);
    tend_sync::init_remote(&remote, &key(), vec![b"unlockers".to_vec()]).expect("init");

    let mut rng = rand::thread_rng();
    let mut killed: BTreeMap<(&str, Phase), usize> = BTreeMap::new();
    let mut sent = Sent::default();
    let mut removed = 0;
    for round in 0..14 {
        for name in ["a", "b"] {
            let kill = match (round % 3, name) {
                (0, "a") | (1, "b") => {
                    Kill::During(Phase::Push, Duration::from_micros(rng.gen_range(0..20_000)))
                }
                (0, "b") | (1, "a") => {
                    Kill::During(Phase::Pull, Duration::from_micros(rng.gen_range(0..20_000)))
                }
                _ => Kill::After(Duration::from_micros(rng.gen_range(0..150_000))),
            };
            let at = run(name, dir.path(), &spec, kill);
            *killed.entry((name, at)).or_default() += 1;
        }
        // Between rounds: note every object written so far (compaction may remove it),
        // then compact what both devices' snapshots say they have passed.
        read_new_objects(&remote, &mut sent);
        removed += compact(&remote, &key()).expect("compacts").removed_objects;
    }

    eprintln!("where the killed runs were: {killed:?}");
    let during = |p: Phase| killed.iter().filter(|((_, at), _)| *at == p).count();
    assert!(
        during(Phase::Push) > 0 && during(Phase::Pull) > 0,
        "no run was killed while pushing or while pulling: {killed:?}"
    );

    // Every device finishes, twice round, untouched.
    for name in ["a", "b", "a", "b"] {
        run(name, dir.path(), &spec, Kill::Never);
    }
    read_new_objects(&remote, &mut sent);
    let last = compact(&remote, &key()).expect("compacts");
    removed += last.removed_objects;
    eprintln!("compaction removed {removed} log objects in all; the last one: {last:?}");
    assert!(removed > 0, "compaction removed nothing");
    run("c", dir.path(), &spec, Kill::Never);
    let a = load(&dir.path().join("a.device"));
    let b = load(&dir.path().join("b.device"));
    let c = load(&dir.path().join("c.device"));

    // Nothing lost: each journal holds exactly what the runs that reached the disk wrote.
    let mut expected = BTreeMap::new();
    for (name, device) in [("a", &a), ("b", &b)] {
        let (count, len) = writes(name);
        for run in 0..device.runs {
            for i in 0..count {
                let k = format!("reflection/{name}/{run:04}/{i:02}");
                let v = text(&k, len);
                expected.insert(k, v);
            }
        }
    }
    assert!(
        a.runs >= 10 && b.runs >= 10,
        "{} and {} runs",
        a.runs,
        b.runs
    );
    for (name, device) in [("a", &a), ("b", &b), ("c", &c)] {
        assert!(
            device.journal == expected,
            "device {name} holds {} reflections of {}",
            device.journal.len(),
            expected.len()
        );
    }

    // Nothing doubled: every record holds one version, and the remote holds every change
    // exactly once (no change sealed into two objects).
    let replica = Replica::from_bytes(&a.replica).expect("reads");
    for (k, record) in &replica.state().records {
        assert!(
            matches!(record.view(Policy::KeepBoth), View::One(_)),
            "{k} holds several versions"
        );
    }
    read_new_objects(&remote, &mut sent);
    assert_eq!(
        sent.changes,
        expected.len(),
        "one change for each reflection"
    );
}

/// Every change object ever read from the remote, by name, and the changes in them.
#[derive(Default)]
struct Sent {
    objects: BTreeSet<String>,
    dots: BTreeSet<Dot>,
    changes: usize,
}

/// Opens the log objects not read before; no change may appear in two of them.
fn read_new_objects(remote: &Remote, sent: &mut Sent) {
    let key = key();
    for (name, _) in remote.list("log").expect("lists") {
        let Some((device, seq)) = name
            .strip_prefix("log/")
            .and_then(|rest| rest.split_once('/'))
            .and_then(|(d, s)| Some((DeviceId::parse(d)?, u64::from_str_radix(s, 16).ok()?)))
        else {
            continue;
        };
        if !sent.objects.insert(name.clone()) {
            continue;
        }
        let bytes = remote.get(&name).expect("reads").expect("there");
        let (_, set) = open_changes(&key, device, seq, &bytes).expect("opens");
        for change in set {
            assert!(
                sent.dots.insert(change.dot),
                "{:?} was sent twice",
                change.dot
            );
            sent.changes += 1;
        }
    }
}

/// The folder remote, or (with `TEND_SYNC_TEST_S3`, as scripts/sync-s3.sh runs it) a fresh
/// prefix in that bucket, chosen by the parent and handed to the workers.
fn remote_spec(dir: &Path) -> String {
    if let Ok(spec) = std::env::var("TEND_SYNC_KILL_REMOTE") {
        return spec;
    }
    match std::env::var("TEND_SYNC_TEST_S3") {
        Ok(base) => format!(
            "{}/kill-{:016x}",
            base.trim_end_matches('/'),
            rand::random::<u64>()
        ),
        Err(_) => dir.join("remote").to_str().expect("utf-8").to_string(),
    }
}

fn open(spec: &str) -> Remote {
    Remote::open(spec, &|v| std::env::var(v).ok()).expect("opens")
}
