//! Key changes that are real: after `tend key remove`, `tend key passwd` and `tend key
//! rotate`, every age header carved out of the journal file is tried with the removed
//! identity and the old passphrase, and none opens; records sealed before a rotation do not
//! open with the new key, nor the new ones with the old key; nothing sealed in the old file
//! is left in the new one; and a rotation killed at any moment leaves the old journal or the
//! new one, whole.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use age::secrecy::{ExposeSecret, SecretString};
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use common::{Env, PASSPHRASE, layout};
use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableHandle};

fn keygen(env: &Env, name: &str) -> (std::path::PathBuf, age::x25519::Identity) {
    let path = env.path(name);
    let identity = age::x25519::Identity::generate();
    std::fs::write(&path, format!("{}\n", identity.to_string().expose_secret())).unwrap();
    (path, identity)
}

/// Every age file in `bytes`, carved as a careful attacker would: from the magic line to the
/// end of the header's MAC line, plus the 64-byte payload of a wrapped 32-byte key.
fn carve_age_files(bytes: &[u8]) -> Vec<Vec<u8>> {
    let magic = b"age-encryption.org/v1\n";
    let mut out = Vec::new();
    let mut at = 0;
    while let Some(pos) = find(&bytes[at..], magic) {
        let start = at + pos;
        at = start + 1;
        let Some(mac) = find(&bytes[start..], b"\n--- ") else {
            continue;
        };
        let Some(end) = find(&bytes[start + mac + 1..], b"\n") else {
            continue;
        };
        let header_end = start + mac + 1 + end + 1;
        let file_end = (header_end + 64).min(bytes.len());
        out.push(bytes[start..file_end].to_vec());
    }
    out
}

fn find(hay: &[u8], needle: &[u8]) -> Option<usize> {
    hay.windows(needle.len()).position(|w| w == needle)
}

/// The payload of `file` if `identity` opens its header.
fn open_with(file: &[u8], identity: &dyn age::Identity) -> Option<Vec<u8>> {
    let d = age::Decryptor::new(file).ok()?;
    let mut reader = d.decrypt(std::iter::once(identity)).ok()?;
    let mut out = Vec::new();
    std::io::Read::read_to_end(&mut reader, &mut out).ok()?;
    Some(out)
}

/// Runs tend with another passphrase file; returns stdout, requiring success.
fn with_pass(env: &Env, pass: &std::path::Path, args: &[&str]) -> String {
    let out = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", pass)
        .args(args)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout).unwrap()
}

fn passphrase(p: &str) -> age::scrypt::Identity {
    let mut id = age::scrypt::Identity::new(SecretString::from(p.to_owned()));
    id.set_max_work_factor(22);
    id
}

/// How many carved headers of the journal each secret opens.
fn opened_by(journal: &[u8], identity: &dyn age::Identity) -> usize {
    carve_age_files(journal)
        .iter()
        .filter(|f| open_with(f, identity).is_some())
        .count()
}

/// The data key, unwrapped from a carved header with a secret that should open it.
fn data_key(journal: &[u8], identity: &dyn age::Identity) -> Vec<u8> {
    carve_age_files(journal)
        .iter()
        .find_map(|f| open_with(f, identity))
        .expect("the secret opens one header")
}

const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_meta");

/// Every sealed value of every table, and the journal id, read with redb from a copy.
/// Every sealed value, the journal id, and the records table by key.
type Contents = (Vec<Vec<u8>>, Vec<u8>, Vec<([u8; 16], Vec<u8>)>);

fn sealed_values(env: &Env, bytes: &[u8]) -> Contents {
    let copy = env.path("inspect.tend");
    std::fs::write(&copy, bytes).unwrap();
    let db = redb::Database::open(&copy).unwrap();
    let txn = db.begin_read().unwrap();
    let mut all = Vec::new();
    for t in txn.list_tables().unwrap() {
        let name = t.name().to_owned();
        if name == "tend_meta" || name == "tend_settings" || name == "tend_records" {
            continue;
        }
        let def: TableDefinition<'_, u64, &[u8]> = TableDefinition::new(&name);
        for item in txn.open_table(def).unwrap().iter().unwrap() {
            all.push(item.unwrap().1.value().to_vec());
        }
    }
    let settings: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_settings");
    for item in txn.open_table(settings).unwrap().iter().unwrap() {
        all.push(item.unwrap().1.value().to_vec());
    }
    let id = txn
        .open_table(META)
        .unwrap()
        .get("journal_id")
        .unwrap()
        .unwrap()
        .value()
        .to_vec();
    drop(txn);
    drop(db);
    let records = layout::all(&copy);
    all.extend(records.iter().map(|(_, v)| v.clone()));
    std::fs::remove_file(&copy).unwrap();
    (all, id, records)
}

/// The sealed text segment `segment` in `records`, found by its key under `key`.
fn text_segment(
    records: &[([u8; 16], Vec<u8>)],
    key: &[u8],
    journal_id: &[u8],
    segment: u64,
) -> Vec<u8> {
    let k = tend_store::SealingKey::from_bytes(
        &key.try_into().unwrap(),
        journal_id.try_into().unwrap(),
    );
    let at = layout::segment_key(&k, layout::TEXT, segment);
    records
        .iter()
        .find(|(key, _)| *key == at)
        .unwrap()
        .1
        .clone()
}

/// Opens a sealed text segment as docs/format.md describes it, with a raw data key: its
/// padded plaintext.
fn open_record(key: &[u8], journal_id: &[u8], segment: u64, sealed: &[u8]) -> Option<Vec<u8>> {
    if sealed.first() != Some(&1) || sealed.len() < 41 {
        return None;
    }
    let mut aad = b"tend/record/v1\0".to_vec();
    aad.extend_from_slice(journal_id);
    aad.extend_from_slice(b"tend_records\0");
    aad.push(layout::TEXT);
    aad.extend_from_slice(&segment.to_be_bytes());
    let cipher = chacha20poly1305::XChaCha20Poly1305::new_from_slice(key).unwrap();
    cipher
        .decrypt(
            chacha20poly1305::XNonce::from_slice(&sealed[1..25]),
            Payload {
                msg: &sealed[25..],
                aad: &aad,
            },
        )
        .ok()
}

#[test]
fn carved_headers_open_for_no_removed_secret_and_old_records_need_the_old_key() {
    let env = Env::with_journal();
    let (a_file, a) = keygen(&env, "laptop.key");
    let (_, lost) = keygen(&env, "lost.key");
    env.ok(&["key", "add", "--identity", a_file.to_str().unwrap()]);
    env.ok(&["key", "add", "--recipient", &lost.to_public().to_string()]);
    env.ok(&["write", "written before any change"]);
    let deleted_later = env.write(&["a reflection deleted later"]);
    env.ok(&["write", "kept until the end"]);
    let before = std::fs::read(&env.journal).unwrap();
    assert_eq!(
        opened_by(&before, &lost),
        1,
        "the lost key opened the old file"
    );
    let old_key = data_key(&before, &a);
    let (old_sealed, journal_id, old_reflections) = sealed_values(&env, &before);

    // Remove the lost laptop's identity.
    let out = env.ok(&["key", "remove", "3"]);
    assert!(out.contains("new key"), "{out}");
    let after_remove = std::fs::read(&env.journal).unwrap();
    assert_eq!(opened_by(&after_remove, &lost), 0);
    assert_eq!(opened_by(&after_remove, &passphrase(PASSPHRASE)), 1);
    assert_eq!(opened_by(&after_remove, &a), 1);

    // Delete a reflection, then change a passphrase someone saw typed.
    env.ok(&["delete", &deleted_later, "--yes"]);
    let new_pass = env.file("new-pass", "a passphrase nobody saw\n");
    env.ok(&[
        "key",
        "passwd",
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    let after_passwd = std::fs::read(&env.journal).unwrap();
    assert_eq!(opened_by(&after_passwd, &passphrase(PASSPHRASE)), 0);
    assert_eq!(opened_by(&after_passwd, &lost), 0);
    assert_eq!(
        opened_by(&after_passwd, &passphrase("a passphrase nobody saw")),
        1
    );
    let err = env.fails(&["list"]);
    assert!(err.contains("does not open"), "{err}");

    // Rotate once more, opened with the identity file this time: the passphrase is asked
    // through the passphrase file.
    let rotate = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &new_pass)
        .args(["--identity", a_file.to_str().unwrap(), "key", "rotate"])
        .output()
        .unwrap();
    assert!(
        rotate.status.success(),
        "{}",
        String::from_utf8_lossy(&rotate.stderr)
    );
    let after = std::fs::read(&env.journal).unwrap();
    for old_secret in [&passphrase(PASSPHRASE) as &dyn age::Identity, &lost] {
        assert_eq!(opened_by(&after, old_secret), 0);
    }
    assert_eq!(opened_by(&after, &a), 1);
    assert_eq!(opened_by(&after, &passphrase("a passphrase nobody saw")), 1);

    // The key is new, and neither key opens the other's records.
    let new_key = data_key(&after, &a);
    assert_ne!(old_key, new_key);
    let (new_sealed, new_id, new_reflections) = sealed_values(&env, &after);
    assert_eq!(journal_id, new_id, "the journal keeps its id");
    let old_record = &text_segment(&old_reflections, &old_key, &journal_id, 0);
    let new_record = &text_segment(&new_reflections, &new_key, &journal_id, 0);
    assert!(open_record(&old_key, &journal_id, 0, old_record).is_some());
    let opened = open_record(&new_key, &journal_id, 0, new_record).unwrap();
    assert!(open_record(&new_key, &journal_id, 0, old_record).is_none());
    assert!(open_record(&old_key, &journal_id, 0, new_record).is_none());
    let text = String::from_utf8_lossy(&opened);
    assert!(text.contains("kept until the end"), "{text}");
    assert!(
        !text.contains("deleted later"),
        "the deleted reflection is gone"
    );
    // Segment keys are a MAC under the data key: a rotation changes every one of them.
    assert!(
        old_reflections
            .iter()
            .all(|(k, _)| new_reflections.iter().all(|(n, _)| n != k))
    );

    // Nothing sealed in the old file (records, the deleted one, index, settings,
    // unlockers) lies anywhere in the new one, free pages included.
    for value in old_sealed.iter().filter(|v| v.len() >= 32) {
        assert!(
            find(&after, value).is_none(),
            "a value of the old file survived the rotation"
        );
    }
    assert!(!new_sealed.is_empty());
    // And the journal reads as before.
    let list = with_pass(&env, &new_pass, &["list"]);
    assert!(list.contains("written before any change") && list.contains("kept until the end"));
    assert!(!list.contains("deleted later"));
    assert!(with_pass(&env, &new_pass, &["check"]).contains("whole"));
}

#[test]
fn a_rotation_needs_every_passphrase_it_wraps_for() {
    let env = Env::with_journal();
    let (a_file, _) = keygen(&env, "a.key");
    env.ok(&["key", "add", "--identity", a_file.to_str().unwrap()]);
    env.ok(&["write", "still here"]);
    let before = env.snapshot();
    // Opened with the identity, and no passphrase given: nothing to wrap the passphrase
    // unlocker's new key with, so nothing changes.
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(["--identity", a_file.to_str().unwrap(), "key", "rotate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("passphrase unlocker 1"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    // A wrong passphrase file is refused the same way.
    let wrong = env.file("wrong", "not it\n");
    let out = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &wrong)
        .args(["--identity", a_file.to_str().unwrap(), "key", "rotate"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert_eq!(env.snapshot(), before);
    // Removing the passphrase unlocker needs no passphrase at all.
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(["--identity", a_file.to_str().unwrap(), "key", "remove", "1"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let bytes = std::fs::read(&env.journal).unwrap();
    assert_eq!(opened_by(&bytes, &passphrase(PASSPHRASE)), 0);
}

#[test]
fn purge_leaves_no_sealed_copy_in_free_pages() {
    let env = Env::with_journal();
    let ids: Vec<String> = (0..20)
        .map(|i| env.write(&[&format!("reflection number {i}")]))
        .collect();
    // All twenty share one text segment: each deletion rewrites it.
    let at = layout::segment_key(&layout::key(&env.journal, PASSPHRASE), layout::TEXT, 0);
    let doomed = layout::get(&env.journal, at).unwrap();
    env.ok(&["delete", &ids[6], "--yes"]);
    let other = layout::get(&env.journal, at).unwrap();
    let note = String::from_utf8(env.run(&["check"]).stderr).unwrap();
    assert!(note.contains("free pages"), "{note}");
    assert!(
        note.contains("passphrase unlocker 1 uses a light scrypt work factor (2^8"),
        "the tests' lowered work factor is named: {note}"
    );
    env.ok(&["delete", &ids[7], "--yes", "--purge"]);
    let after = std::fs::read(&env.journal).unwrap();
    assert!(
        find(&after, &doomed).is_none(),
        "the first deletion is gone"
    );
    assert!(find(&after, &other).is_none(), "the purged one is gone");
    let check = env.run(&["check"]);
    assert!(check.status.success());
    assert!(!String::from_utf8_lossy(&check.stderr).contains("free pages"));
    let list = env.ok(&["list", "--all"]);
    assert_eq!(list.lines().count(), 18, "{list}");
}

#[test]
fn sigkill_during_rotation_leaves_old_or_new_whole() {
    let env = Env::with_journal();
    // Enough records that a rotation takes a while.
    let mut import = String::from(
        "{\"format\":\"tend-export\",\"version\":1,\"exported\":\"2026-01-02T00:00:00Z\",\"reflections\":[",
    );
    for i in 0..600 {
        if i > 0 {
            import.push(',');
        }
        import.push_str(&format!(
            "{{\"id\":{i},\"on\":\"2026-01-01\",\"written\":\"2026-01-01T10:00:00Z\",\"text\":\"reflection {i} {}\",\"values\":[],\"tags\":[\"t{}\"]}}",
            "words ".repeat(i % 50),
            i % 7
        ));
    }
    import.push_str("],\"commitments\":[],\"repairs\":[]}");
    let file = env.file("import.json", &import);
    env.ok(&["import", file.to_str().unwrap()]);
    let before = env.snapshot();
    let started = std::time::Instant::now();
    env.ok(&["key", "rotate"]);
    // It adapts to the machine's load: shorter after a run that finished, longer after one
    // that was killed, so a busy moment while measuring does not leave every run finished.
    let mut window = (started.elapsed().as_micros() as u64 * 3 / 2).max(2_000);
    eprintln!("kill window: {window} µs");
    let mut seed = 0x9e37_79b9_7f4a_7c15_u64;
    let (mut killed, mut finished) = (0, 0);
    for _ in 0..40 {
        seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        let mut child = env
            .std_cmd()
            .args(["key", "rotate"])
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
        // Old or new, whole: it opens with the passphrase and holds the same records.
        assert_eq!(env.snapshot(), before, "the journal is whole");
        let siblings: Vec<_> = std::fs::read_dir(env.journal.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .filter(|n| n.contains("rewrite"))
            .collect();
        assert!(
            siblings.is_empty(),
            "a killed rotation's temporary file is swept: {siblings:?}"
        );
    }
    eprintln!("{finished} rotations finished, {killed} were killed");
    assert!(killed >= 10, "the test really interrupted rotations");
    let check = env.run(&["check"]);
    assert!(
        check.status.success(),
        "{}",
        String::from_utf8_lossy(&check.stdout)
    );
}

#[test]
fn a_rotation_that_runs_out_of_room_changes_nothing() {
    let env = Env::with_journal();
    for i in 0..50 {
        env.ok(&["write", &format!("reflection {i} {}", "words ".repeat(200))]);
    }
    let before = env.snapshot();
    let size = std::fs::metadata(&env.journal).unwrap().len();
    // A file-size limit below the journal's size stands in for a full disk: the new file
    // cannot be written whole.
    let base = env.std_cmd();
    let mut cmd = std::process::Command::new("prlimit");
    cmd.env_clear()
        .envs(base.get_envs().filter_map(|(k, v)| v.map(|v| (k, v))))
        .arg(format!("--fsize={}", size / 2))
        .arg(common::tend_bin())
        .args(["key", "rotate"]);
    let out = cmd.output().unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no room left on the disk"), "{err}");
    assert_eq!(env.snapshot(), before, "the journal is as it was");
    let leftovers: Vec<_> = std::fs::read_dir(env.journal.parent().unwrap())
        .unwrap()
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().contains("rewrite"))
        .collect();
    assert!(leftovers.is_empty(), "{leftovers:?}");
    env.ok(&["key", "rotate"]);
    assert_eq!(env.snapshot(), before);
}
