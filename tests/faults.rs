//! Faults: a write killed at random moments, several writers at once, and a full disk.
//! Whatever happens, every reflection whose command reported success is there, exactly,
//! and `tend check` passes.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeMap;
use std::time::Duration;

use common::Env;

/// A small, seedable generator, so a failing run can be repeated.
struct Lcg(u64);

impl Lcg {
    fn next(&mut self) -> u64 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        self.0 >> 33
    }
}

/// The handle a write reported.
fn saved_id(stdout: &[u8]) -> Option<String> {
    let s = String::from_utf8_lossy(stdout);
    let rest = s.split("Saved reflection ").nth(1)?;
    Some(rest.split_whitespace().next()?.to_owned())
}

/// Every reflection's text, by its whole id (a handle is a prefix of it).
fn texts_by_id(env: &Env) -> BTreeMap<String, String> {
    let export: serde_json::Value = serde_json::from_str(&env.ok(&["export"])).unwrap();
    export["reflections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["record_id"].as_str().unwrap().to_owned(),
                r["text"].as_str().unwrap().to_owned(),
            )
        })
        .collect()
}

#[test]
fn sigkill_at_random_moments_loses_nothing_that_was_reported() {
    let env = Env::with_journal();
    let seed = std::env::var("TEND_CRASH_SEED")
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or_else(|| {
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap()
                .as_nanos() as u64
        });
    eprintln!("crash test seed: {seed} (set TEND_CRASH_SEED to repeat)");
    let mut rng = Lcg(seed);
    // Kill within about one and a half times a normal write's duration, so some writes
    // finish and others are cut at every stage (start-up, unlock, transaction, commit).
    let started = std::time::Instant::now();
    for _ in 0..3 {
        env.ok(&["write", "timing", "-t", "timing"]);
    }
    // Adapts to the machine's load: shorter after a write that finished, longer after one
    // that was killed.
    let mut window = (started.elapsed().as_micros() as u64 / 3 * 3 / 2).max(1_000);
    eprintln!("kill window: {window} µs");
    let mut reported: BTreeMap<String, String> = BTreeMap::new();
    let mut killed = 0;
    for i in 0..220 {
        let text = format!(
            "crash-test reflection {i} {}",
            "words ".repeat((rng.next() % 200) as usize)
        );
        let mut child = env
            .std_cmd()
            .args(["write", &text, "-t", "crash"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros(rng.next() % window));
        let _ = child.kill();
        let out = child.wait_with_output().unwrap();
        if out.status.success() {
            if let Some(id) = saved_id(&out.stdout) {
                reported.insert(id, text.trim().to_owned());
            }
            window = (window * 2 / 3).max(300);
        } else {
            killed += 1;
            window = window * 11 / 10;
        }
    }
    eprintln!(
        "{} writes reported success, {killed} were killed first",
        reported.len()
    );
    assert!(killed > 20, "the test really interrupted writes ({killed})");
    assert!(!reported.is_empty(), "some writes finished");
    let check = env.run(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
    let stored = texts_by_id(&env);
    for (id, text) in &reported {
        // A handle is the shortest unique prefix when it was shown; records written later
        // may share it, so the reported text must be among the records it starts.
        let found: Vec<&String> = stored
            .iter()
            .filter(|(rid, _)| rid.starts_with(id.as_str()))
            .map(|(_, t)| t)
            .collect();
        assert!(found.contains(&text), "reflection {id} was reported saved");
    }
    // Writes that were killed before reporting are either whole or absent.
    for (id, text) in &stored {
        assert!(
            text.starts_with("crash-test reflection") || text == "timing",
            "reflection {id} is whole"
        );
    }
    let listed: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--json", "-n", "100000"])).unwrap();
    assert_eq!(
        listed.as_array().unwrap().len(),
        stored.len(),
        "the index agrees with the records"
    );
}

#[test]
fn several_writers_at_once_all_land_or_say_busy() {
    let env = Env::with_journal();
    let writers = 6;
    let each = 5;
    let handles: Vec<_> = (0..writers)
        .map(|w| {
            let cmds: Vec<std::process::Command> = (0..each)
                .map(|n| {
                    let mut c = env.std_cmd();
                    c.args(["write", &format!("writer {w} note {n}")])
                        .stdin(std::process::Stdio::null());
                    c
                })
                .collect();
            std::thread::spawn(move || {
                cmds.into_iter()
                    .map(|mut c| {
                        let out = c.output().unwrap();
                        (
                            out.status.success(),
                            String::from_utf8_lossy(&out.stdout).to_string(),
                            String::from_utf8_lossy(&out.stderr).to_string(),
                        )
                    })
                    .collect::<Vec<_>>()
            })
        })
        .collect();
    let mut saved = Vec::new();
    for h in handles {
        for (ok, stdout, stderr) in h.join().unwrap() {
            if ok {
                saved.push(saved_id(stdout.as_bytes()).unwrap());
            } else {
                assert!(
                    stderr.contains("busy"),
                    "a failure is a clear 'busy': {stderr}"
                );
            }
        }
    }
    assert!(
        saved.len() >= writers,
        "most writes land ({} of {})",
        saved.len(),
        writers * each
    );
    let mut unique = saved.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), saved.len(), "no id was given twice");
    let stored = texts_by_id(&env);
    assert_eq!(stored.len(), saved.len());
    assert!(env.run(&["check"]).status.success());
}

#[test]
fn a_full_disk_fails_clearly_and_changes_nothing() {
    let env = Env::with_journal();
    env.ok(&["write", "before the disk filled"]);
    let before = env.snapshot();
    let size = std::fs::metadata(&env.journal).unwrap().len();
    // A file-size limit just above the journal's size stands in for a full disk.
    let big = "a long reflection that will not fit ".repeat(60_000);
    let base = env.std_cmd();
    let mut cmd = std::process::Command::new("prlimit");
    cmd.env_clear()
        .envs(base.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .arg(format!("--fsize={}", size + 4096))
        .arg(common::tend_bin())
        .args(["write", "-t", "big"]);
    let out = assert_cmd::Command::from_std(cmd)
        .write_stdin(big)
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("no room left on the disk; nothing was written"),
        "{err}"
    );
    assert!(err.contains("free some space"), "{err}");
    assert!(env.run(&["check"]).status.success());
    assert!(before == env.snapshot(), "the journal is as it was");
    env.ok(&["write", "after space was freed"]);
}

#[test]
fn flipped_header_bytes_get_a_clear_error() {
    let env = Env::with_journal();
    env.ok(&["write", "x"]);
    let good = std::fs::read(&env.journal).unwrap();
    for offset in [0usize, 9, 20, 40, 64, 100, 200, 300] {
        let mut bad = good.clone();
        bad[offset] ^= 0xff;
        std::fs::write(&env.journal, &bad).unwrap();
        let out = env.run(&["list"]);
        let err = String::from_utf8_lossy(&out.stderr);
        if !out.status.success() {
            assert_eq!(
                err.lines().filter(|l| l.starts_with("tend:")).count(),
                1,
                "one clear line at {offset}: {err}"
            );
            assert!(!err.contains("panicked"), "{err}");
        }
    }
}
