//! Damaged, foreign, busy and newer files: each gets its own clear error, and `tend check`
//! names damaged records while the rest stay readable.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, PASSPHRASE, layout};

fn first_line(err: &str) -> &str {
    err.lines().next().unwrap_or("")
}

/// The handle of each reflection `tend list --json` shows, by its title.
fn handles_by_title(env: &Env) -> std::collections::HashMap<String, String> {
    let out = env.ok(&["list", "--json", "-n", "0"]);
    let json: serde_json::Value = serde_json::from_str(&out).unwrap();
    json.as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["title"].as_str().unwrap().to_owned(),
                common::json_id(&e["id"]),
            )
        })
        .collect()
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

/// The data key of the test journal, for addressing its segments.
fn key(env: &Env) -> tend_store::SealingKey {
    layout::key(&env.journal, PASSPHRASE)
}

#[test]
fn check_names_damaged_records_and_the_rest_stay_readable() {
    let env = Env::with_journal();
    // 130 reflections: text segments 0 (1–63), 1 (64–127) and 2 (128–130).
    let file = env.file("import.json", &layout::import_json(130));
    env.ok(&["import", file.to_str().unwrap()]);
    assert!(env.ok(&["check"]).contains("All"));
    let handles = handles_by_title(&env);
    let handle = |n: u32| handles[&format!("reflection {n}")].clone();
    let k = key(&env);
    layout::flip(&env.journal, layout::segment_key(&k, layout::TEXT, 1));
    let out = env.run(&["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    // A damaged segment names every reflection the index says it held, and only those.
    // Named by handle, as every other command names them (the index still holds the ids).
    for n in 64..128 {
        assert!(
            stdout.contains(&format!("damaged: reflection {}\n", handle(n))),
            "{stdout}"
        );
    }
    assert!(
        !stdout.contains(&format!("damaged: reflection {}\n", handle(63))),
        "{stdout}"
    );
    assert!(
        !stdout.contains(&format!("damaged: reflection {}\n", handle(128))),
        "{stdout}"
    );
    // The others stay readable.
    assert!(env.ok(&["show", &handle(1)]).contains("reflection 1"));
    assert!(env.ok(&["show", &handle(130)]).contains("reflection 130"));
    let err = env.fails(&["show", &handle(70)]);
    assert!(
        first_line(&err).contains("reflection 70 cannot be opened"),
        "{err}"
    );
    let out = env.run(&["search", "reflection"]);
    assert!(out.status.success());
    let found = String::from_utf8_lossy(&out.stdout);
    assert!(
        found.contains("reflection 130") && found.contains("reflection 63"),
        "{found}"
    );
    assert!(!found.contains("reflection 70"), "{found}");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("64 reflections could not be opened"),
        "{stderr}"
    );
    // The list index lives apart; damaging it is read around.
    let index = layout::segment_key(&k, layout::INDEX, 0);
    let whole_index = layout::get(&env.journal, index).unwrap();
    layout::flip(&env.journal, index);
    let list = env.run(&["list", "--all"]);
    assert!(list.status.success());
    let stdout = String::from_utf8_lossy(&list.stdout);
    assert_eq!(stdout.lines().count(), 66, "{stdout}");
    // A moved segment (another segment's bytes at its key) does not open either. (The
    // index is put back first: it is what finds a reflection by its handle.)
    layout::put(&env.journal, index, Some(&whole_index));
    let two = layout::get(&env.journal, layout::segment_key(&k, layout::TEXT, 2)).unwrap();
    layout::put(
        &env.journal,
        layout::segment_key(&k, layout::TEXT, 0),
        Some(&two),
    );
    let err = env.fails(&["show", &handle(3)]);
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

/// An index segment moved to a key that is no segment's place (as a damaged file might
/// have it): `list` reads the reflections around it instead of saying the journal is empty,
/// and `check` says the index disagrees.
#[test]
fn an_index_segment_moved_away_is_read_around() {
    let env = Env::with_journal();
    for i in 1..=3 {
        env.ok(&["write", &format!("reflection {i}"), "-t", "kept"]);
    }
    let k = key(&env);
    let at = layout::segment_key(&k, layout::INDEX, 0);
    let bytes = layout::get(&env.journal, at).unwrap();
    for elsewhere in [
        [0u8; 16],
        [0xff; 16],
        layout::segment_key(&k, layout::INDEX, 1),
    ] {
        layout::put(&env.journal, at, None);
        layout::put(&env.journal, elsewhere, Some(&bytes));
        let list = env.run(&["list"]);
        assert!(list.status.success(), "{list:?}");
        let stdout = String::from_utf8_lossy(&list.stdout);
        assert_eq!(stdout.lines().count(), 3, "{stdout}");
        assert!(!String::from_utf8_lossy(&list.stderr).contains("No reflections"));
        assert_eq!(env.ok(&["list", "-t", "kept"]).lines().count(), 3);
        let out = env.run(&["check"]);
        assert!(!out.status.success());
        let stdout = String::from_utf8_lossy(&out.stdout);
        assert!(stdout.contains("the list index disagrees"), "{stdout}");
        layout::put(&env.journal, elsewhere, None);
        layout::put(&env.journal, at, Some(&bytes));
    }
    assert!(env.ok(&["check"]).contains("All"));
}

/// When reflections are there but none opens, `list` says so instead of "No reflections yet",
/// as search already did.
#[test]
fn list_never_calls_a_damaged_journal_empty() {
    let env = Env::with_journal();
    env.ok(&["write", "the only one"]);
    let k = key(&env);
    layout::flip(&env.journal, layout::segment_key(&k, layout::TEXT, 0));
    layout::flip(&env.journal, layout::segment_key(&k, layout::INDEX, 0));
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

/// The ids segment beside an index segment is only a faster way to read the ids: damaged,
/// or replaced by an older copy of itself, handles still come from the index, and `tend
/// check` names it.
#[test]
fn a_damaged_or_older_ids_segment_changes_no_handle_and_check_names_it() {
    let env = Env::with_journal();
    let first = env.write(&["the first"]);
    let k = key(&env);
    let ids_key = layout::segment_key(&k, layout::IDS, 0);
    let older = layout::get(&env.journal, ids_key).expect("an ids segment beside the index");
    let second = env.write(&["the second"]);
    let listed = env.listed(&[]);
    assert_eq!(listed, vec![second.clone(), first.clone()]);

    layout::flip(&env.journal, ids_key);
    assert_eq!(env.listed(&[]), listed);
    assert!(env.ok(&["show", &second]).contains("the second"));
    let out = env.run(&["check"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("ids segment beside the list index"));

    // An older copy, validly sealed, lacks the second reflection: check says so.
    layout::put(&env.journal, ids_key, Some(&older));
    let out = env.run(&["check"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stdout).contains("ids segment beside the list index"));
    // The next write puts the ids segment right again.
    let third = env.write(&["the third"]);
    assert!(env.ok(&["show", &third]).contains("the third"));
    assert!(env.ok(&["show", &second]).contains("the second"));
    let out = env.run(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !stdout.contains("ids segment beside the list index"),
        "{stdout}"
    );
}

/// The id directory bucket of a whole id (32 letters): its first byte.
fn bucket_of(record_id: &str) -> u64 {
    let v = |c: u8| b"bcdfghjkmnpqrstx".iter().position(|&a| a == c).unwrap() as u64;
    let b = record_id.as_bytes();
    (v(b[0]) << 4) | v(b[1])
}

/// `tend list -n N` reads the newest from the index summary, the few index segments that
/// can hold them and one id directory bucket per reflection shown. It shows exactly what
/// listing through every entry shows (a filter that keeps every reflection takes that
/// path), and a damaged bucket changes nothing but the speed; `tend check` names it, and a
/// change to a reflection in it makes it again.
#[test]
fn the_newest_and_their_handles_are_the_whole_index_s_even_with_a_damaged_directory() {
    let env = Env::with_journal();
    let file = env.file("import.json", &layout::import_json(300));
    env.ok(&["import", file.to_str().unwrap()]);
    for (i, on) in ["2026-03-01", "2025-12-24", "2026-02-14", "2026-01-01"]
        .iter()
        .enumerate()
    {
        env.write(&["--on", on, &format!("backdated {i}")]);
    }
    let all_kept = ["--since", "1900-01-01"];
    let same_as_whole = |env: &Env| {
        for n in ["1", "20", "400"] {
            for json in [&[][..], &["--json"][..]] {
                let fast = env.ok(&[&["list", "-n", n][..], json].concat());
                let whole = env.ok(&[&["list", "-n", n][..], json, &all_kept].concat());
                assert_eq!(fast, whole, "list -n {n} {json:?}");
            }
        }
    };
    same_as_whole(&env);
    let newest: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "-n", "1", "--json"])).unwrap();
    let handle = newest[0]["id"].as_str().unwrap().to_owned();
    let record_id = newest[0]["record_id"].as_str().unwrap().to_owned();
    assert!(env.ok(&["show", &handle]).contains("backdated 0"));

    let k = key(&env);
    layout::flip(
        &env.journal,
        layout::segment_key(&k, layout::DIRECTORY, bucket_of(&record_id)),
    );
    same_as_whole(&env);
    assert!(env.ok(&["show", &handle]).contains("backdated 0"));
    let out = env.run(&["check"]);
    assert!(!out.status.success());
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(stdout.contains("id directory bucket"), "{stdout}");

    env.ok(&["delete", &handle, "--yes"]);
    same_as_whole(&env);
    let out = env.run(&["check"]);
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(!stdout.contains("id directory"), "{stdout}");
    assert!(!stdout.contains("summary"), "{stdout}");
}
