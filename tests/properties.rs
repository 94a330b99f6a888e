//! Nothing is lost: property tests over the whole path a member's words take.
//!
//! tend's JSON export reads back to the same records, whatever they hold; a journal gives
//! back every reflection it was given, its index agrees with the reflections through any
//! mix of edits and deletions, and what it exports another journal imports unchanged.
//! (Sealing is checked in tend-store's `seal` and `bundle` modules, the retreat summary's
//! small-group and order rules in tend-core's `retreat::proptests`.)
#![allow(clippy::unwrap_used)]

use std::collections::BTreeMap;

use age::secrecy::SecretString;
use chrono::{DateTime, NaiveDate, Utc};
use proptest::collection::vec;
use proptest::option;
use proptest::prelude::*;
use tend_core::commitment::{Commitment, CommitmentEvent, CommitmentState};
use tend_core::export::{Export, WithId};
use tend_core::id::RecordId;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Reflection, ValueRating};
use tend_core::repair::{Closing, Repair, RepairPart, RepairStep};
use tend_store::{Journal, NewUnlocker};

/// Any text a person might type, and some they would not: any Unicode, newlines, quotes.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        3 => "(?s).{0,60}",
        1 => Just(String::new()),
        1 => "[\"\\\\\n\t ]{0,4}",
    ]
}

fn words() -> impl Strategy<Value = Vec<String>> {
    vec(text(), 0..4)
}

/// Any day chrono knows, with most of them near now.
fn day() -> impl Strategy<Value = NaiveDate> {
    prop_oneof![
        3 => 738_000i32..741_000,
        1 => -100_000i32..3_500_000,
    ]
    .prop_map(|d| NaiveDate::from_num_days_from_ce_opt(d).unwrap())
}

/// Any moment between 1000 BCE and 3000 CE, to the nanosecond.
fn moment() -> impl Strategy<Value = DateTime<Utc>> {
    (-93_000_000_000i64..32_000_000_000, 0u32..1_000_000_000)
        .prop_map(|(secs, nanos)| DateTime::from_timestamp(secs, nanos).unwrap())
}

fn reflection() -> impl Strategy<Value = Reflection> {
    (
        (day(), moment(), option::of(moment()), text()),
        vec((text(), option::of(any::<u8>())), 0..4),
        words(),
        option::of(text()),
    )
        .prop_map(
            |((on, written, edited, text), values, tags, content_note)| Reflection {
                on,
                written,
                edited,
                text,
                values: values
                    .into_iter()
                    .map(|(v, r)| ValueRating::new(v, r))
                    .collect(),
                tags,
                content_note,
            },
        )
}

fn commitment_state() -> impl Strategy<Value = CommitmentState> {
    proptest::sample::select(CommitmentState::ALL.to_vec())
}

fn commitment() -> impl Strategy<Value = Commitment> {
    let event = (
        moment(),
        commitment_state(),
        option::of(text()),
        option::of(text()),
        option::of(day()),
    )
        .prop_map(
            |(at, state, note, previous_text, previous_due)| CommitmentEvent {
                at,
                state,
                note,
                previous_text,
                previous_due,
            },
        );
    (
        text(),
        words(),
        option::of(day()),
        commitment_state(),
        vec(event, 0..4),
    )
        .prop_map(|(text, values, due, state, history)| Commitment {
            text,
            values,
            due,
            state,
            history,
        })
}

fn repair() -> impl Strategy<Value = Repair> {
    let step = (
        proptest::sample::select(RepairPart::ALL.to_vec()),
        text(),
        moment(),
    )
        .prop_map(|(part, note, at)| RepairStep { part, note, at });
    let closing = (moment(), text()).prop_map(|(at, note)| Closing { at, note });
    (
        (text(), words(), option::of(text()), option::of(text())),
        moment(),
        vec(step, 0..5),
        option::of(closing),
    )
        .prop_map(
            |((text, values, affected, content_note), opened, steps, closed)| Repair {
                text,
                values,
                affected,
                content_note,
                opened,
                steps,
                closed,
            },
        )
}

fn with_ids<T: std::fmt::Debug>(
    records: impl Strategy<Value = T>,
) -> impl Strategy<Value = Vec<WithId<T>>> {
    vec(
        (
            proptest::option::of(any::<u64>()),
            proptest::option::of(any::<[u8; 16]>()),
            records,
        ),
        0..6,
    )
    .prop_map(|rows| {
        rows.into_iter()
            .map(|(id, rid, r)| WithId::new(id, rid.map(RecordId::from_bytes), r))
            .collect()
    })
}

/// What a journal is asked to do after it is filled.
#[derive(Debug, Clone)]
enum Change {
    /// Replace the n-th reflection still there (modulo how many there are).
    Edit(usize, Reflection),
    /// Delete it.
    Delete(usize),
    /// Add one more.
    Add(Reflection),
}

fn change() -> impl Strategy<Value = Change> {
    prop_oneof![
        2 => (any::<usize>(), reflection()).prop_map(|(n, r)| Change::Edit(n, r)),
        2 => any::<usize>().prop_map(Change::Delete),
        1 => reflection().prop_map(Change::Add),
    ]
}

fn fresh_journal(dir: &tempfile::TempDir, name: &str) -> Journal {
    let unlocker = NewUnlocker::Passphrase {
        passphrase: SecretString::from("a quiet river at dawn".to_owned()),
        work_factor: Some(4),
    };
    let now = DateTime::from_timestamp(1_780_000_000, 0).unwrap();
    Journal::create(
        &dir.path().join(name),
        &unlocker,
        &ValuesPack::default_pack(),
        now,
    )
    .unwrap()
}

/// The journal holds exactly `expected`, and its index agrees with it entry for entry.
fn assert_holds(
    journal: &Journal,
    expected: &BTreeMap<u64, Reflection>,
) -> Result<(), TestCaseError> {
    let all = journal.all::<Reflection>().unwrap();
    prop_assert!(all.damaged.is_empty());
    let held: BTreeMap<u64, Reflection> = all.records.into_iter().collect();
    prop_assert_eq!(&held, expected);

    let entries = journal.entries().unwrap();
    prop_assert!(entries.damaged.is_empty());
    let indexed: BTreeMap<_, _> = entries.records.into_iter().collect();
    let wanted: BTreeMap<_, _> = expected.iter().map(|(id, r)| (*id, r.entry(*id))).collect();
    prop_assert_eq!(indexed, wanted);
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    #[test]
    fn export_reads_back_to_the_same_records(
        exported in moment(),
        reflections in with_ids(reflection()),
        commitments in with_ids(commitment()),
        repairs in with_ids(repair()),
    ) {
        let export = Export::new(exported, reflections, commitments, repairs);
        let json = export.to_json();
        prop_assert_eq!(Export::parse(&json), Ok(export));
    }
}

proptest! {
    // Each case creates two journals on disk: few cases, each doing a lot.
    #![proptest_config(ProptestConfig::with_cases(16))]

    #[test]
    fn journal_keeps_every_reflection_and_its_index_agrees(
        first in vec(reflection(), 0..300),
        changes in vec(change(), 0..40),
    ) {
        let dir = tempfile::tempdir().unwrap();
        let journal = fresh_journal(&dir, "journal.tend");
        let ids = journal.add_many(&first).unwrap();
        let mut expected: BTreeMap<u64, Reflection> = ids.into_iter().zip(first).collect();
        assert_holds(&journal, &expected)?;

        for change in changes {
            let nth = |n: usize| expected.keys().nth(n % expected.len().max(1)).copied();
            match change {
                Change::Edit(n, r) => {
                    if let Some(id) = nth(n) {
                        journal.put(id, &r).unwrap();
                        expected.insert(id, r);
                    }
                }
                Change::Delete(n) => {
                    if let Some(id) = nth(n) {
                        journal.delete::<Reflection>(id).unwrap();
                        expected.remove(&id);
                    }
                }
                Change::Add(r) => {
                    let id = journal.add(&r).unwrap();
                    prop_assert!(!expected.contains_key(&id), "id {} is used again", id);
                    expected.insert(id, r);
                }
            }
        }
        assert_holds(&journal, &expected)?;

        // What it exports, another journal imports unchanged (under its own ids, in order).
        let export = Export::new(
            DateTime::from_timestamp(1_780_000_000, 0).unwrap(),
            journal
                .all::<Reflection>()
                .unwrap()
                .records
                .into_iter()
                .map(|(n, r)| WithId::new(Some(n), None, r))
                .collect(),
            vec![],
            vec![],
        );
        let read = Export::parse(&export.to_json()).unwrap();
        let other = fresh_journal(&dir, "other.tend");
        other.import(&WithId::unwrap_all(read.reflections), &[], &[]).unwrap();
        let imported: Vec<Reflection> = other
            .all::<Reflection>()
            .unwrap()
            .records
            .into_iter()
            .map(|(_, r)| r)
            .collect();
        prop_assert_eq!(imported, expected.into_values().collect::<Vec<_>>());
    }
}

/// Inputs that once made a fuzz target panic (`fuzz/corpus/*/regression-*`) end in errors,
/// or open and are read without a panic.
#[test]
fn fuzz_regressions_end_in_errors_or_are_read_around() {
    use tend_store::{OpenOptions, Secret};
    let corpus = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus");
    let regressions = |target: &str| {
        let mut files: Vec<_> = std::fs::read_dir(corpus.join(target))
            .unwrap()
            .map(|e| e.unwrap().path())
            .filter(|p| {
                p.file_name()
                    .unwrap()
                    .to_string_lossy()
                    .starts_with("regression-")
            })
            .collect();
        files.sort();
        assert!(!files.is_empty(), "no regressions for {target}");
        files
    };
    let dir = tempfile::tempdir().unwrap();
    // The seed journals are sealed to the fuzzing identity (fuzz/src/lib.rs), so a damaged
    // file that still opens is read the way the fuzz target reads it.
    let fuzz_lib = std::fs::read_to_string(corpus.join("../src/lib.rs")).unwrap();
    let key = fuzz_lib
        .split('"')
        .find(|s| s.starts_with("AGE-SECRET-KEY-1"))
        .unwrap();
    let secret = Secret::Identities(tend_store::bundle::read_identities(key).unwrap());
    let options = OpenOptions {
        busy_timeout: std::time::Duration::ZERO,
    };
    for (i, file) in regressions("journal_file").iter().enumerate() {
        let path = dir.path().join(format!("{i}.tend"));
        std::fs::copy(file, &path).unwrap();
        let name = file.file_name().unwrap().to_string_lossy();
        let opened = Journal::open_with(&path, &secret, &options);
        if name.starts_with("regression-redb-") {
            assert!(opened.is_err(), "{name}");
            continue;
        }
        // The file opens; every read ends without a panic, and what the index lost is read
        // around from the reflections themselves.
        let mut journal = opened.unwrap();
        let all = journal.all::<Reflection>().unwrap();
        let entries = journal.entries().unwrap();
        assert!(!all.records.is_empty(), "{name}");
        assert_eq!(entries.records.len(), all.records.len(), "{name}");
        let report = journal.check().unwrap();
        // The seeds are format 1 journals: the upgrade to format 2 rebuilds the index from
        // the reflections, so damage confined to the old index is left behind with it.
        assert!(
            !report.is_ok() || journal.upgraded().is_some(),
            "{name}: check finds the damage"
        );
    }
    for file in regressions("revocation") {
        let bytes = std::fs::read(&file).unwrap();
        assert!(
            tend_core::contribution::Revocation::parse(&bytes).is_err(),
            "{}",
            file.display()
        );
    }
}
