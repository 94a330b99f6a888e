//! Writes the generated seeds of `corpus/`: documents and files that only tend itself can
//! make (a contribution, its revocation, bundles sealed to the fuzzing identity, an export,
//! stored records, a journal). Run from `fuzz/` with `cargo run --example seeds`; the
//! hand-written seeds (packs, dates, jrnl files) are left alone.

use std::path::Path;

use age::secrecy::SecretString;
use chrono::{Duration, NaiveDate};
use tend_core::commitment::Commitment;
use tend_core::contribution::{ConsentRecord, Revocation, RevocationToken};
use tend_core::export::{Export, WithId};
use tend_core::id::RecordId;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Reflection, ValueRating};
use tend_core::repair::{Repair, RepairPart};
use tend_store::{Journal, NewUnlocker, bundle, fuzzing};

type Error = Box<dyn std::error::Error>;
/// Records of each kind.
type Records = (Vec<Reflection>, Vec<Commitment>, Vec<Repair>);

fn main() -> Result<(), Error> {
    let corpus = Path::new(env!("CARGO_MANIFEST_DIR")).join("corpus");
    let write = |target: &str, name: &str, bytes: &[u8]| -> Result<(), Error> {
        let dir = corpus.join(target);
        std::fs::create_dir_all(&dir)?;
        std::fs::write(dir.join(name), bytes)?;
        Ok(())
    };

    for (name, bytes) in tend_sync::fuzzing::seeds() {
        write("sync_object", name, &bytes)?;
    }

    let contribution = tend_fuzz::sample_contribution();
    let signed = tend_fuzz::sample_signed();
    let token = RevocationToken::from_bytes(&[7; 32]);
    let revocation = Revocation::new(&contribution.id, &contribution.purpose, token.expose_hex());
    write(
        "contribution",
        "spring-retreat.json",
        signed.to_json().as_bytes(),
    )?;
    write(
        "revocation",
        "spring-retreat.json",
        revocation.to_json().as_bytes(),
    )?;

    let to = [bundle::parse_recipient(tend_fuzz::RECIPIENT)?];
    write(
        "bundle",
        "contribution.age",
        &bundle::seal(signed.to_json().as_bytes(), &to, false)?,
    )?;
    write(
        "bundle",
        "contribution.age.asc",
        &bundle::seal(signed.to_json().as_bytes(), &to, true)?,
    )?;
    write(
        "bundle",
        "revocation.age",
        &bundle::seal(revocation.to_json().as_bytes(), &to, false)?,
    )?;
    write(
        "bundle",
        "recipients.txt",
        format!("# the facilitators\n{}\n", tend_fuzz::RECIPIENT).as_bytes(),
    )?;
    write(
        "bundle",
        "identity.txt",
        format!(
            "# created: 2026-11-22T00:31:35Z\n# public key: {}\n{}\n",
            tend_fuzz::RECIPIENT,
            tend_fuzz::IDENTITY
        )
        .as_bytes(),
    )?;

    let (reflections, commitments, repairs) = records()?;
    // Each record with a steady id, as an export from format 2 gives them.
    fn with_ids<T>(records: &[T], kind: u8) -> Vec<WithId<T>>
    where
        T: Clone,
    {
        records
            .iter()
            .enumerate()
            .map(|(i, r)| {
                let mut id = [kind; 16];
                id[15] = i as u8;
                WithId::new(None, Some(RecordId::from_bytes(id)), r.clone())
            })
            .collect()
    }
    let export = Export::new(
        tend_fuzz::now(),
        with_ids(&reflections, 1),
        with_ids(&commitments, 2),
        with_ids(&repairs, 3),
    );
    write("import_tend", "export.json", export.to_json().as_bytes())?;

    let consent = ConsentRecord::new(
        &contribution,
        tend_fuzz::now(),
        vec![tend_fuzz::RECIPIENT.to_owned()],
        vec![RecordId::from_bytes([2; 16])],
        "0".repeat(64),
        token,
    );
    let entries: Vec<_> = reflections
        .iter()
        .enumerate()
        .map(|(i, r)| r.entry(i as u64 + 1))
        .collect();
    let unlocker_info = br#"{"kind":"identity","recipient":"age1lpsdjua86m70kcet850meexsdd9wvu0renm47t7sq7gw53dvr4gqflrxzr","added":"2026-11-20T12:00:00Z"}"#;
    let plaintexts: [Vec<u8>; 7] = [
        serde_json::to_vec(&reflections[0])?,
        serde_json::to_vec(&entries)?,
        serde_json::to_vec(&commitments[0])?,
        serde_json::to_vec(&repairs[0])?,
        serde_json::to_vec(&consent)?,
        unlocker_info.to_vec(),
        serde_json::to_vec(&ValuesPack::default_pack())?,
    ];
    for (i, (table, plain)) in fuzzing::TABLES.iter().zip(plaintexts).enumerate() {
        assert!(
            fuzzing::decode_record(table, &plain),
            "the {table} seed decodes"
        );
        let mut seed = vec![u8::try_from(i)?];
        seed.extend(plain);
        write("stored_record", &format!("{table}.bin"), &seed)?;
    }
    // Index segments are binary now; the JSON seed above is the form earlier builds wrote.
    let index = fuzzing::TABLES
        .iter()
        .position(|t| *t == "reflection_index")
        .ok_or("an index table")?;
    let binary = fuzzing::segment_plaintext(&entries);
    assert!(
        fuzzing::decode_record("reflection_index", &binary),
        "the binary segment seed decodes"
    );
    let mut seed = vec![u8::try_from(index)?];
    seed.extend(binary);
    write("stored_record", "reflection_index-binary.bin", &seed)?;

    let dir = tempfile::tempdir()?;
    let path = dir.path().join("journal.tend");
    let unlocker = NewUnlocker::Recipient(to[0].clone());
    let journal = Journal::create(
        &path,
        &unlocker,
        &ValuesPack::default_pack(),
        tend_fuzz::now(),
    )?;
    journal.import(&reflections, &commitments, &repairs)?;
    journal.add(&consent)?;
    journal.add_unlocker(
        &NewUnlocker::Passphrase {
            passphrase: SecretString::from("correct horse".to_owned()),
            work_factor: Some(2),
        },
        tend_fuzz::now(),
    )?;
    drop(journal);
    // A smaller file is a faster input; compacting changes its layout, not what it holds.
    redb::Database::open(&path)?.compact()?;
    let secret = tend_store::Secret::Identities(vec![tend_fuzz::identity()]);
    let journal = Journal::open(&path, &secret)?;
    assert_eq!(
        journal.all::<Reflection>()?.records.len(),
        3,
        "the compacted journal reads"
    );
    assert!(journal.entries()?.damaged.is_empty());
    drop(journal);
    write("journal_file", "journal.tend", &std::fs::read(&path)?)?;

    // A recovery share sealed to the fuzzing identity, and the document inside it.
    let journal = Journal::open(&path, &secret)?;
    let trustees = [
        tend_store::recovery::Trustee {
            name: "Bo".into(),
            recipient: to[0].clone(),
        },
        tend_store::recovery::Trustee {
            name: "Cy".into(),
            recipient: age::x25519::Identity::generate().to_public(),
        },
    ];
    let prepared = journal.prepare_recovery("Ana", 2, &trustees, tend_fuzz::now())?;
    let sealed = &prepared.sealed[0].armored;
    let share = tend_store::recovery::Share::open(sealed, &[tend_fuzz::identity()])?;
    let mut seed = vec![1];
    seed.extend(sealed);
    write("recovery_share", "sealed.age", &seed)?;
    let mut seed = vec![0];
    seed.extend(share.to_json().iter());
    write("recovery_share", "share.json", &seed)?;
    Ok(())
}

/// A few records of each kind, with every optional part used somewhere.
fn records() -> Result<Records, Error> {
    let now = tend_fuzz::now();
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).ok_or("a real date");
    let mut first = Reflection::new(
        "Shared the numbers before the meeting.\n\nIt felt exposed, and right.",
        day(5, 4)?,
        now,
    )
    .with_value(ValueRating::new("transparency", Some(4)))
    .with_value(ValueRating::new("equity", None));
    first.tags = vec!["pay".to_owned(), "circle".to_owned()];
    let mut second = Reflection::new("Talked over someone in the rota meeting.", day(5, 12)?, now)
        .with_value(ValueRating::new("repair", Some(2)));
    second.content_note = Some("conflict".to_owned());
    second.edited = Some(now + Duration::hours(1));
    let third = Reflection::new("Quiet week. Café ☕ with the new member.", day(5, 13)?, now);

    let mut kept = Commitment::new(
        "Publish the pay scale",
        vec!["transparency".to_owned()],
        Some(day(5, 30)?),
        now,
    );
    kept.keep(
        Some("Posted in the shared folder."),
        now + Duration::days(1),
    )?;
    let mut moved = Commitment::new("Ask the rota group what they need", vec![], None, now);
    moved.renegotiate(
        Some("Ask the rota group, with a facilitator"),
        Some(day(6, 15)?),
        "They asked for one.",
        now + Duration::days(2),
    )?;

    let mut repair = Repair::open(
        "Talked over Sam twice.",
        vec!["repair".to_owned()],
        Some("Sam".to_owned()),
        now,
    );
    repair.step(
        RepairPart::Reflection,
        "I was anxious about the deadline.",
        now + Duration::hours(2),
    )?;
    repair.step(
        RepairPart::Apology,
        "Said sorry after the meeting, without excuses.",
        now + Duration::days(1),
    )?;
    repair.close("Sam said it felt heard.", now + Duration::days(3))?;
    Ok((vec![first, second, third], vec![kept, moved], vec![repair]))
}
