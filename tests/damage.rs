//! Damaged, foreign, busy and newer files: each gets its own clear error, and `tend check`
//! names damaged records while the rest stay readable.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;
use redb::ReadableTable;

fn first_line(err: &str) -> &str {
    err.lines().next().unwrap_or("")
}

#[test]
fn empty_truncated_garbage_and_directory() {
    let env = Env::with_journal();
    env.ok(&["write", "x"]);
    let good = std::fs::read(&env.journal).unwrap();

    std::fs::write(&env.journal, b"").unwrap();
    let err = env.fails(&["list"]);
    assert!(
        first_line(&err).contains("damaged") && err.contains("empty"),
        "{err}"
    );

    std::fs::write(&env.journal, &good[..good.len() / 3]).unwrap();
    let err = env.fails(&["list"]);
    assert!(
        first_line(&err).contains("damaged") || first_line(&err).contains("not a tend journal"),
        "{err}"
    );

    std::fs::write(&env.journal, b"just some notes, not a journal at all....................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................................").unwrap();
    let err = env.fails(&["list"]);
    assert!(first_line(&err).contains("is not a tend journal"), "{err}");

    std::fs::remove_file(&env.journal).unwrap();
    std::fs::create_dir(&env.journal).unwrap();
    let err = env.fails(&["list"]);
    assert!(first_line(&err).contains("is not a tend journal"), "{err}");
}

#[test]
fn another_programs_redb_file() {
    let env = Env::new();
    {
        let db = redb::Database::create(&env.journal).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<'_, &str, &str> = redb::TableDefinition::new("things");
            txn.open_table(def).unwrap().insert("a", "b").unwrap();
        }
        txn.commit().unwrap();
    }
    let err = env.fails(&["list"]);
    assert!(first_line(&err).contains("is not a tend journal"), "{err}");
}

#[test]
fn newer_format_is_refused_without_change() {
    let env = Env::with_journal();
    {
        let db = redb::Database::create(&env.journal).unwrap();
        let txn = db.begin_write().unwrap();
        {
            let def: redb::TableDefinition<'_, &str, &[u8]> =
                redb::TableDefinition::new("tend_meta");
            txn.open_table(def)
                .unwrap()
                .insert("format", 99u32.to_le_bytes().as_slice())
                .unwrap();
        }
        txn.commit().unwrap();
    }
    let err = env.fails(&["list"]);
    assert!(
        first_line(&err).contains("written by a newer tend"),
        "{err}"
    );
    assert!(err.contains("update tend"));
}

fn tamper_record(env: &Env, table: &str, id: u64) {
    let db = redb::Database::create(&env.journal).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let def: redb::TableDefinition<'_, u64, &[u8]> = redb::TableDefinition::new(table);
        let mut t = txn.open_table(def).unwrap();
        let mut bytes = t.get(id).unwrap().unwrap().value().to_vec();
        let last = bytes.len() - 5;
        bytes[last] ^= 0x40;
        t.insert(id, bytes.as_slice()).unwrap();
    }
    txn.commit().unwrap();
}

#[test]
fn check_names_damaged_records_and_the_rest_stay_readable() {
    let env = Env::with_journal();
    for i in 1..=4 {
        env.ok(&["write", &format!("reflection {i}"), "-t", "t"]);
    }
    assert!(env.ok(&["check"]).contains("All"));
    tamper_record(&env, "reflections", 2);
    let out = env.run(&["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("damaged: reflections 2"), "{stdout}");
    // The others stay readable.
    assert!(env.ok(&["show", "1"]).contains("reflection 1"));
    assert!(env.ok(&["show", "3"]).contains("reflection 3"));
    let err = env.fails(&["show", "2"]);
    assert!(
        first_line(&err).contains("reflection 2 cannot be opened"),
        "{err}"
    );
    let out = env.run(&["search", "reflection"]);
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 3);
    assert!(String::from_utf8_lossy(&out.stderr).contains("could not be opened"));
    // The list index lives apart; damaging it is read around.
    tamper_record(&env, "reflection_index", 0);
    let list = env.run(&["list"]);
    assert!(list.status.success());
    let stdout = String::from_utf8_lossy(&list.stdout);
    assert_eq!(stdout.lines().count(), 3, "{stdout}");
    // A moved record (swapped ids) does not open either.
    let db = redb::Database::create(&env.journal).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let def: redb::TableDefinition<'_, u64, &[u8]> = redb::TableDefinition::new("reflections");
        let mut t = txn.open_table(def).unwrap();
        let four = t.get(4).unwrap().unwrap().value().to_vec();
        t.insert(3, four.as_slice()).unwrap();
    }
    txn.commit().unwrap();
    drop(db);
    let err = env.fails(&["show", "3"]);
    assert!(
        first_line(&err).contains("reflection 3 cannot be opened"),
        "{err}"
    );
}

#[test]
fn busy_journal_waits_then_says_so() {
    let env = Env::with_journal();
    let holder = redb::Database::open(&env.journal).unwrap();
    let started = std::time::Instant::now();
    let err = env.fails(&["list"]);
    assert!(first_line(&err).contains("busy"), "{err}");
    assert!(err.contains("wait a few seconds"));
    assert!(
        started.elapsed() >= std::time::Duration::from_secs(2),
        "it waited before giving up"
    );
    drop(holder);
    env.ok(&["list"]);
}

/// Moves a record to another key in a table, as a damaged file might.
fn move_record(env: &Env, table: &str, from: u64, to: u64) {
    let db = redb::Database::create(&env.journal).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let def: redb::TableDefinition<'_, u64, &[u8]> = redb::TableDefinition::new(table);
        let mut t = txn.open_table(def).unwrap();
        let bytes = t.remove(from).unwrap().unwrap().value().to_vec();
        t.insert(to, bytes.as_slice()).unwrap();
    }
    txn.commit().unwrap();
}

/// A damaged index segment key so large that it cannot be a place (the fuzzing finding of
/// the journal file): nothing overflows, and `list` reads the reflections around it instead
/// of saying the journal is empty.
#[test]
fn an_index_key_out_of_range_is_read_around() {
    let env = Env::with_journal();
    for i in 1..=3 {
        env.ok(&["write", &format!("reflection {i}"), "-t", "kept"]);
    }
    for huge in [u64::MAX, u64::MAX / 256, u64::MAX / 256 + 1, u64::MAX / 3] {
        move_record(&env, "reflection_index", 0, huge);
        let list = env.run(&["list"]);
        assert!(list.status.success(), "{list:?}");
        let stdout = String::from_utf8_lossy(&list.stdout);
        assert_eq!(stdout.lines().count(), 3, "{stdout}");
        assert!(!String::from_utf8_lossy(&list.stderr).contains("No reflections"));
        assert_eq!(env.ok(&["list", "-t", "kept"]).lines().count(), 3);
        let out = env.run(&["check"]);
        assert!(!out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(
            stdout.contains(&format!("damaged: reflection_index {huge}")),
            "{stdout}"
        );
        move_record(&env, "reflection_index", huge, 0);
    }
    assert!(env.ok(&["check"]).contains("All"));
}

/// When reflections are there but none opens, `list` says so instead of "No reflections yet",
/// as search already did.
#[test]
fn list_never_calls_a_damaged_journal_empty() {
    let env = Env::with_journal();
    env.ok(&["write", "the only one"]);
    tamper_record(&env, "reflections", 1);
    tamper_record(&env, "reflection_index", 0);
    let out = env.run(&["list"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("No reflections could be opened."),
        "{stderr}"
    );
    assert!(!stderr.contains("No reflections yet"), "{stderr}");
    assert!(
        stderr.contains("1 reflection could not be opened and is left out (")
            && !stderr.contains("out (1)"),
        "{stderr}"
    );
    let out = env.run(&["list", "-v", "equity"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("None of the reflections that could be opened match."),
        "{stderr}"
    );
}
