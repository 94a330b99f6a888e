//! Someone who can change the journal file: they put back an older copy of one record,
//! resurrect a deleted one, cut a table short, restore the whole file from an old copy, or
//! add unlockers of their own. `tend check` names each, and the member's own unlocker still
//! opens the journal.
#![allow(clippy::unwrap_used)]

mod common;

use age::secrecy::SecretString;
use common::{Env, PASSPHRASE, layout};
use redb::{ReadableDatabase, TableDefinition};

const UNLOCKERS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("tend_unlockers");

fn get(env: &Env, table: TableDefinition<'_, u64, &[u8]>, id: u64) -> Vec<u8> {
    let db = redb::Database::open(&env.journal).unwrap();
    let txn = db.begin_read().unwrap();
    let t = txn.open_table(table).unwrap();
    t.get(id).unwrap().unwrap().value().to_vec()
}

fn put(env: &Env, table: TableDefinition<'_, u64, &[u8]>, id: u64, value: Option<&[u8]>) {
    let db = redb::Database::open(&env.journal).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(table).unwrap();
        match value {
            Some(v) => {
                t.insert(id, v).unwrap();
            }
            None => {
                t.remove(id).unwrap();
            }
        }
    }
    txn.commit().unwrap();
}

fn check(env: &Env) -> (bool, String) {
    let out = env.run(&["check"]);
    (
        out.status.success(),
        format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        ),
    )
}

const PIECED: &str = "does not hold what its sealed manifest says";

/// The key of the text segment holding reflections 1 to 63.
fn first_texts(env: &Env) -> [u8; 16] {
    let k = layout::key(&env.journal, PASSPHRASE);
    layout::segment_key(&k, layout::TEXT, 0)
}

#[test]
fn a_record_swapped_for_its_older_copy_is_noticed() {
    let env = Env::with_journal();
    let first = env.write(&["the first version"]);
    env.ok(&["write", "another"]);
    let at = first_texts(&env);
    let older = layout::get(&env.journal, at).unwrap();
    env.ok(&["edit", &first, "--text", "the second version"]);
    assert!(check(&env).0);
    // The older copy opens on its own (it was sealed for this place by this key)...
    layout::put(&env.journal, at, Some(&older));
    assert!(env.ok(&["show", &first]).contains("the first version"));
    // ...but the manifest knows it is not what the journal last wrote.
    let (ok, out) = check(&env);
    assert!(!ok, "{out}");
    assert!(out.contains(PIECED), "{out}");
}

#[test]
fn a_resurrected_or_cut_away_record_is_noticed() {
    let env = Env::with_journal();
    let ids: Vec<String> = ["one", "two", "three"]
        .into_iter()
        .map(|text| env.write(&[text]))
        .collect();
    let at = first_texts(&env);
    let with_two = layout::get(&env.journal, at).unwrap();
    env.ok(&["delete", &ids[1], "--yes"]);
    let without = layout::get(&env.journal, at).unwrap();
    layout::put(&env.journal, at, Some(&with_two));
    let (ok, out) = check(&env);
    assert!(!ok && out.contains(PIECED), "{out}");
    layout::put(&env.journal, at, Some(&without));
    assert!(check(&env).0, "as the journal left it");
    // A table cut short: the segment of the newest reflections is gone from the file.
    layout::put(&env.journal, at, None);
    let (ok, out) = check(&env);
    assert!(!ok && out.contains(PIECED), "{out}");
    // So is one record added that the journal never wrote.
    layout::put(&env.journal, at, Some(&without));
    layout::put(&env.journal, [7; 16], Some(&without));
    let (ok, out) = check(&env);
    assert!(!ok && out.contains(PIECED), "{out}");
}

#[test]
fn an_older_copy_of_the_whole_journal_is_named_once() {
    let env = Env::with_journal();
    env.ok(&["write", "before the backup"]);
    let backup = std::fs::read(&env.journal).unwrap();
    env.ok(&["write", "after the backup"]);
    env.ok(&["write", "and another"]);
    std::fs::write(&env.journal, &backup).unwrap();
    let out = env.cmd().args(["list"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("older than the one last opened on this machine"),
        "{err}"
    );
    assert!(err.contains("restored a backup"), "{err}");
    // A whole older copy is consistent in itself: check passes, and the warning was given.
    assert!(check(&env).0);
    let again = env.cmd().args(["list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&again.stderr).contains("older than"));
    // A newer journal is no news.
    env.ok(&["write", "new again"]);
    let out = env.cmd().args(["list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("older than"));
}

/// An age file of 32 bytes to `pass`, cheap to open.
fn wrapped(pass: &str, work_factor: u8, payload: &[u8; 32]) -> Vec<u8> {
    let mut r = age::scrypt::Recipient::new(SecretString::from(pass.to_owned()));
    r.set_work_factor(work_factor);
    age::encrypt(&r, payload).unwrap()
}

#[test]
fn an_unlocker_that_opens_to_another_key_is_passed_over_and_named() {
    let env = Env::with_journal();
    env.ok(&["write", "still mine"]);
    // Cheaper than the real unlocker (2^8), so it is tried first; same passphrase.
    put(
        &env,
        UNLOCKERS,
        9,
        Some(&wrapped(PASSPHRASE, 4, &[7u8; 32])),
    );
    assert!(env.ok(&["list"]).contains("still mine"));
    let (ok, out) = check(&env);
    assert!(!ok);
    assert!(
        out.contains("unlocker 9 opens to a key that is not this journal's"),
        "{out}"
    );
}

#[test]
fn an_unlocker_asking_for_excessive_work_cannot_hold_the_others_up() {
    let env = Env::with_journal();
    env.ok(&["write", "opens at once"]);
    // A passphrase unlocker that claims scrypt 2^30 (about 20 minutes and 1 TiB), made
    // from a real one by changing the number in its header, takes the real one's id; the
    // real one moves to id 9.
    let real = get(&env, UNLOCKERS, 1);
    let magic_end = real.iter().position(|b| *b == b'\n').unwrap();
    let stanza_end = magic_end
        + 1
        + real[magic_end + 1..]
            .iter()
            .position(|b| *b == b'\n')
            .unwrap();
    assert!(real[..stanza_end].ends_with(b" 8"));
    let crafted = [&real[..stanza_end - 1], b"30", &real[stanza_end..]].concat();
    put(&env, UNLOCKERS, 1, Some(&crafted));
    put(&env, UNLOCKERS, 9, Some(&real));
    let started = std::time::Instant::now();
    let out = env.run(&["list"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(String::from_utf8_lossy(&out.stdout).contains("opens at once"));
    assert!(started.elapsed() < std::time::Duration::from_secs(60));
    let (ok, out) = check(&env);
    assert!(!ok);
    assert!(out.contains("unlocker 1 asks for more work"), "{out}");
    // Alone, it is refused with the error that names it, not tried.
    put(&env, UNLOCKERS, 9, None);
    let err = env.fails(&["list"]);
    assert!(err.contains("more work than tend allows"), "{err}");
}
