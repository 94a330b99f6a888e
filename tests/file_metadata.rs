//! What an attacker holding the journal file (and no secret) can read from it, checked line
//! by line against docs/threat-model.md: no table or setting names a kind of record, no key
//! counts or orders records, a deletion leaves no gap, and every sealed segment's size is a
//! bucket.
#![allow(clippy::unwrap_used)]

mod common;

use std::collections::BTreeSet;

use common::{Env, layout};
use redb::{ReadableDatabase, ReadableTable, TableDefinition, TableHandle};

fn tables(env: &Env) -> BTreeSet<String> {
    let db = redb::Database::open(&env.journal).unwrap();
    let txn = db.begin_read().unwrap();
    txn.list_tables()
        .unwrap()
        .map(|t| t.name().to_owned())
        .collect()
}

fn settings(env: &Env) -> BTreeSet<String> {
    let db = redb::Database::open(&env.journal).unwrap();
    let txn = db.begin_read().unwrap();
    let def: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_settings");
    txn.open_table(def)
        .unwrap()
        .iter()
        .unwrap()
        .map(|i| i.unwrap().0.value().to_owned())
        .collect()
}

/// Whether `len` is a size bucket of a padded plaintext (docs/format.md).
fn is_bucket(len: usize) -> bool {
    ((256..=4096).contains(&len) && len.is_power_of_two())
        || (len > 4096 && len.is_multiple_of(4096))
}

#[test]
fn the_file_names_no_kind_of_record_and_pads_every_segment() {
    let env = Env::with_journal();
    for i in 0..3 {
        env.ok(&[
            "write",
            &format!("reflection {i} {}", "words ".repeat(i * 40)),
        ]);
    }
    env.ok(&["commit", "add", "Bring the rota to the next meeting"]);
    env.ok(&[
        "repair",
        "open",
        "I talked over a colleague",
        "--affected",
        "a colleague",
    ]);
    let names = tables(&env);
    let expected: BTreeSet<String> = [
        "tend_meta",
        "tend_records",
        "tend_settings",
        "tend_unlocker_info",
        "tend_unlockers",
    ]
    .into_iter()
    .map(str::to_owned)
    .collect();
    assert_eq!(names, expected);
    for name in settings(&env) {
        for word in ["reflection", "commit", "repair", "consent", "next_id"] {
            assert!(!name.contains(word), "{name}");
        }
    }
    let rows = layout::all(&env.journal);
    // Texts, index, ids, one commitment segment, one repair segment, and one id directory
    // bucket for each first byte the three reflections' ids start with: nothing says which
    // is which.
    let listed: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--json"])).expect("list --json");
    let first_bytes: BTreeSet<String> = listed
        .as_array()
        .expect("an array")
        .iter()
        .map(|r| r["record_id"].as_str().expect("a record id")[..2].to_owned())
        .collect();
    assert_eq!(rows.len(), 5 + first_bytes.len());
    for (_, sealed) in &rows {
        assert!(is_bucket(sealed.len() - 41), "{}", sealed.len());
    }
    // The index summary is padded as segments are.
    let db = redb::Database::open(&env.journal).unwrap();
    let txn = db.begin_read().unwrap();
    let def: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_settings");
    let t = txn.open_table(def).unwrap();
    let summary = t
        .get("index_summary")
        .unwrap()
        .expect("a summary")
        .value()
        .len();
    assert!(is_bucket(summary - 41), "{summary}");
}

#[test]
fn a_deletion_leaves_no_gap_and_keys_follow_no_order() {
    let env = Env::with_journal();
    let ids: Vec<String> = (1..=5)
        .map(|i| env.write(&[&format!("reflection {i}")]))
        .collect();
    let keys = |env: &Env| -> BTreeSet<[u8; 16]> {
        layout::all(&env.journal)
            .into_iter()
            .map(|(k, _)| k)
            .collect()
    };
    let before = keys(&env);
    env.ok(&["delete", &ids[2], "--yes"]);
    assert_eq!(keys(&env), before, "the same segments, rewritten in place");
    // Only the size can change, from bucket to bucket (here the texts' segment may drop
    // from 1 KiB to 512 bytes): the threat model says so.
    for (_, sealed) in layout::all(&env.journal) {
        assert!(is_bucket(sealed.len() - 41), "{}", sealed.len());
    }
    // Keys are a MAC, not a counter: none is a small number in any byte order.
    for k in before {
        assert!(k[..12].iter().any(|b| *b != 0), "{k:?}");
    }
}
