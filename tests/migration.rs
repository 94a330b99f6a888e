//! Upgrading a format 1 journal to format 2: every record is kept (what export gives after
//! the upgrade is what was written in format 1), old numbers keep working, a copy of the old
//! file is kept until the member removes it, and a tend killed at any moment of the upgrade
//! leaves the format 1 journal or the format 2 one, whole.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use chrono::{NaiveDate, TimeZone, Utc};
use common::{Env, PASSPHRASE};
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;

fn reflections(n: usize) -> Vec<Reflection> {
    (1..=n)
        .map(|i| {
            let mut r = Reflection::new(
                format!(
                    "reflection {i} about the rota {}",
                    "and more ".repeat(i % 9)
                ),
                NaiveDate::from_ymd_opt(2026, 1, 1).unwrap() + chrono::Days::new((i % 300) as u64),
                Utc.with_ymd_and_hms(2026, 1, 1, 9, 0, 0).single().unwrap(),
            );
            r.tags = vec![format!("t{}", i % 7)];
            r
        })
        .collect()
}

fn write_v1(env: &Env, records: &[Reflection]) {
    tend_store::v1::write_journal(
        &env.journal,
        PASSPHRASE,
        8,
        &ValuesPack::default_pack(),
        records,
        &[],
        &[],
    )
    .unwrap();
}

/// The reflections of an export, without what the upgrade adds or a run varies.
fn exported(env: &Env) -> Vec<serde_json::Value> {
    let v: serde_json::Value =
        serde_json::from_str(&env.ok(&["export", "--format", "json"])).unwrap();
    v["reflections"].as_array().unwrap().clone()
}

#[test]
fn ten_thousand_reflections_upgrade_keeping_every_one() {
    let env = Env::new();
    let written = reflections(10_000);
    write_v1(&env, &written);
    let out = env.run(&["list"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("upgrades it to format 2"), "{stderr}");
    let after = exported(&env);
    assert_eq!(after.len(), written.len());
    for (i, r) in written.iter().enumerate() {
        let e = after
            .iter()
            .find(|e| e["text"].as_str() == Some(r.text.as_str()))
            .unwrap_or_else(|| panic!("reflection {} is kept", i + 1));
        assert_eq!(e["tags"], serde_json::json!(r.tags));
        assert_eq!(e["on"].as_str().unwrap(), r.on.to_string());
    }
    // The upgrade made the index summary and the id directory: the newest, read through
    // them, are what the whole index gives (the days here go round every 300 reflections,
    // all written at one moment, so the newest and their ties lie in every index segment).
    for n in ["20", "300"] {
        let through_summary = env.ok(&["list", "-n", n]);
        assert_eq!(
            through_summary,
            env.ok(&["list", "-n", n, "--since", "1900-01-01"]),
            "list -n {n}"
        );
    }
    // Old numbers keep working, and the copy of the old file is named until removed.
    assert!(env.ok(&["show", "4242"]).contains("reflection 4242 "));
    let out = env.run(&["check"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("from before its upgrade"), "{stderr}");
    env.ok(&["check", "--remove-backup"]);
    let out = env.run(&["check"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("from before its upgrade"));
}

#[test]
fn sigkill_during_the_upgrade_leaves_old_or_new_whole() {
    let env = Env::new();
    write_v1(&env, &reflections(2_000));
    let v1 = std::fs::read(&env.journal).unwrap();
    let started = std::time::Instant::now();
    env.ok(&["list"]);
    let whole = env.ok(&["check"]);
    assert!(whole.contains("All"), "{whole}");
    // How long to wait before the kill, at random below this; it adapts to the machine's
    // load, so that a busy moment while measuring does not leave every run finished.
    let mut window = (started.elapsed().as_micros() as u64 * 3 / 2).max(2_000);
    let backup = env.journal.with_file_name(format!(
        "{}.format1-backup",
        env.journal.file_name().unwrap().to_string_lossy()
    ));
    let mut seed = 0x2545_f491_4f6c_dd1d_u64;
    let (mut killed, mut finished) = (0, 0);
    for _ in 0..24 {
        std::fs::write(&env.journal, &v1).unwrap();
        let _ = std::fs::remove_file(&backup);
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut child = env
            .std_cmd()
            .args(["list"])
            .stdin(std::process::Stdio::null())
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_micros((seed >> 33) % window));
        let _ = child.kill();
        if child.wait().unwrap().success() {
            finished += 1;
            window = (window * 2 / 3).max(500);
        } else {
            killed += 1;
            window = window * 11 / 10;
        }
        // Old or new, whole: it opens (upgrading now if it is still format 1) and holds
        // every reflection, and nothing half-written is left beside it.
        let check = env.run(&["check"]);
        assert!(
            check.status.success(),
            "{}",
            String::from_utf8_lossy(&check.stdout)
        );
        assert_eq!(String::from_utf8_lossy(&check.stdout), whole);
        let leftovers: Vec<_> = std::fs::read_dir(env.journal.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("rewrite"))
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }
    eprintln!("{finished} upgrades finished, {killed} were killed");
    assert!(killed >= 6, "the test really interrupted upgrades");
}

/// Every age file in `bytes`, carved as an attacker would: from the magic line to the end of
/// the header's MAC line, plus the 64-byte payload of a wrapped 32-byte key.
fn carve_age_files(bytes: &[u8]) -> Vec<Vec<u8>> {
    let find = |hay: &[u8], needle: &[u8]| hay.windows(needle.len()).position(|w| w == needle);
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(pos) = find(&bytes[at..], b"age-encryption.org/v1\n") {
        let start = at + pos;
        at = start + 1;
        let Some(mac) = find(&bytes[start..], b"\n--- ") else {
            continue;
        };
        let Some(end) = find(&bytes[start + mac + 1..], b"\n") else {
            continue;
        };
        let header_end = start + mac + 1 + end + 1;
        out.push(bytes[start..(header_end + 64).min(bytes.len())].to_vec());
    }
    out
}

/// How many carved headers of `file` the passphrase opens.
fn opened_by(file: &std::path::Path, pass: &str) -> usize {
    let mut id = age::scrypt::Identity::new(age::secrecy::SecretString::from(pass.to_owned()));
    id.set_max_work_factor(22);
    carve_age_files(&std::fs::read(file).unwrap())
        .iter()
        .filter(|f| {
            age::Decryptor::new(f.as_slice())
                .ok()
                .and_then(|d| d.decrypt(std::iter::once(&id as &dyn age::Identity)).ok())
                .is_some()
        })
        .count()
}

#[test]
fn after_the_upgrade_a_changed_passphrase_opens_nothing_in_the_journal_and_the_backup_is_named() {
    let env = Env::new();
    write_v1(&env, &reflections(20));
    env.ok(&["list"]);
    let backup = env.journal.with_file_name(format!(
        "{}.format1-backup",
        env.journal.file_name().unwrap().to_string_lossy()
    ));
    assert_eq!(opened_by(&env.journal, PASSPHRASE), 1);
    // An identity added after the upgrade and removed again opens nothing either.
    let lost = age::x25519::Identity::generate();
    env.ok(&["key", "add", "--recipient", &lost.to_public().to_string()]);
    env.ok(&["key", "remove", "2"]);
    let carved = carve_age_files(&std::fs::read(&env.journal).unwrap());
    assert!(!carved.is_empty());
    for f in &carved {
        let d = age::Decryptor::new(f.as_slice()).unwrap();
        assert!(
            d.decrypt(std::iter::once(&lost as &dyn age::Identity))
                .is_err()
        );
    }
    let new_pass = env.file("new-pass", "a passphrase nobody saw\n");
    env.ok(&[
        "key",
        "passwd",
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    // No header carved out of the journal opens with the old passphrase...
    assert_eq!(opened_by(&env.journal, PASSPHRASE), 0);
    assert_eq!(opened_by(&env.journal, "a passphrase nobody saw"), 1);
    // ...but the copy of the format 1 file still does, so check says to remove it.
    assert_eq!(opened_by(&backup, PASSPHRASE), 1);
    let check = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &new_pass)
        .args(["check"])
        .output()
        .unwrap();
    assert!(check.status.success());
    let stderr = String::from_utf8_lossy(&check.stderr);
    assert!(
        stderr.contains("the journal's key has changed since"),
        "{stderr}"
    );
    let removed = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &new_pass)
        .args(["check", "--remove-backup"])
        .output()
        .unwrap();
    assert!(removed.status.success());
    assert!(!backup.exists());
    assert!(String::from_utf8_lossy(&removed.stdout).contains("Removed the copy"));
}
