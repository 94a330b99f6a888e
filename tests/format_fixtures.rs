//! Format pinning: files written by tend format version 1 (made once by
//! `tests/fixtures/format/make.sh` and committed) must open, forever after, to exactly what
//! they held. A change that breaks this breaks members' journals and facilitators' files.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::Env;

fn fixture(name: &str) -> PathBuf {
    fixture_of("v1", name)
}

fn fixture_of(version: &str, name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/fixtures/format")
        .join(version)
        .join(name)
}

/// A copy of the fixture journal in a fresh home (opening a redb file rewrites a header byte,
/// and the committed file must stay as it was made).
fn fixture_env(version: &str) -> Env {
    let env = Env::new();
    std::fs::copy(fixture_of(version, "journal.tend"), &env.journal).unwrap();
    std::fs::copy(fixture_of(version, "passphrase.txt"), &env.pass_file).unwrap();
    env
}

/// The export without its time, and without each record's `record_id` (which the committed
/// fixture, written before record ids, does not hold).
fn without_exported(text: &str) -> serde_json::Value {
    let mut v: serde_json::Value = serde_json::from_str(text).unwrap();
    v.as_object_mut().unwrap().remove("exported");
    for kind in ["reflections", "commitments", "repairs"] {
        for record in v[kind].as_array_mut().into_iter().flatten() {
            record.as_object_mut().unwrap().remove("record_id");
        }
    }
    v
}

#[test]
fn v1_journal_opens_to_what_it_held() {
    let env = fixture_env("v1");
    // The first command says it upgrades the journal, and keeps a copy of the old file.
    let out = env.run(&["list"]);
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("upgrades it to format 2"), "{stderr}");
    let backup = env.journal.with_file_name("journal.tend.format1-backup");
    assert_eq!(
        std::fs::read(&backup).unwrap().len(),
        std::fs::read(fixture("journal.tend")).unwrap().len()
    );
    let again = env.run(&["list"]);
    assert!(!String::from_utf8_lossy(&again.stderr).contains("upgrades"));
    journal_opens_to_what_it_held(&env, "v1");
}

#[test]
fn v2_journal_opens_to_what_it_held() {
    let env = fixture_env("v2");
    let out = env.run(&["list"]);
    assert!(!String::from_utf8_lossy(&out.stderr).contains("upgrades"));
    journal_opens_to_what_it_held(&env, "v2");
    assert!(
        !env.journal
            .with_file_name("journal.tend.format1-backup")
            .exists()
    );
}

/// The fixture journal of `version`, opened with this build, holds what it held.
fn journal_opens_to_what_it_held(env: &Env, version: &str) {
    let fixture = |name: &str| fixture_of(version, name);
    let expected = without_exported(&std::fs::read_to_string(fixture("export.json")).unwrap());
    let actual = without_exported(&env.ok(&["export", "--format", "json"]));
    assert_eq!(actual, expected);
    assert_eq!(
        actual["reflections"].as_array().unwrap().len(),
        3,
        "ids 1, 2 and 4; 3 was deleted"
    );
    assert!(env.ok(&["check"]).contains("All"));
    let fingerprint = std::fs::read_to_string(fixture("fingerprint.txt")).unwrap();
    let pack: serde_json::Value =
        serde_json::from_str(&env.ok(&["values", "list", "--json"])).unwrap();
    assert_eq!(pack["fingerprint"].as_str().unwrap(), fingerprint.trim());
    let list = env.ok(&["list", "--json"]);
    let list: serde_json::Value = serde_json::from_str(&list).unwrap();
    let texts: Vec<&str> = list
        .as_array()
        .unwrap()
        .iter()
        .map(|e| e["title"].as_str().unwrap())
        .collect();
    assert!(
        texts[0].starts_with("Shared the rota"),
        "newest first: {texts:?}"
    );
    assert!(texts[2].starts_with("Named the pay gap"), "{texts:?}");
    let handle = list[0]["id"].as_str().unwrap();
    assert!(
        env.ok(&["show", handle])
            .contains(&format!("Reflection {handle} ")),
        "a handle finds its record"
    );
    if version == "v1" {
        // The export says which v1 number each id keeps as an alias.
        let export: serde_json::Value =
            serde_json::from_str(&env.ok(&["export", "--format", "json"])).unwrap();
        let number_of = |record_id: &serde_json::Value| {
            export["reflections"]
                .as_array()
                .unwrap()
                .iter()
                .find(|r| &r["record_id"] == record_id)
                .and_then(|r| r["id"].as_u64())
        };
        let ids: Vec<Option<u64>> = list
            .as_array()
            .unwrap()
            .iter()
            .map(|e| number_of(&e["record_id"]))
            .collect();
        assert_eq!(
            ids,
            vec![Some(4), Some(2), Some(1)],
            "the index of v1 reads, newest first"
        );
        assert!(
            env.ok(&["show", "4"])
                .contains(&format!("Reflection {handle} ")),
            "a v1 number still finds its record, shown by handle"
        );
    }
    assert!(env.ok(&["search", "rota"]).contains("Shared the rota"));
    let consents: serde_json::Value =
        serde_json::from_str(&env.ok(&["consent", "list", "--json"])).unwrap();
    assert_eq!(consents[0]["status"], "revoked");
    // The identity unlocker opens it too.
    let member_key = fixture("member.key");
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(["--identity", member_key.to_str().unwrap(), "list"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // And new writes go on from the old ids.
    assert!(
        env.ok(&["write", "written by a newer build"])
            .contains("Saved reflection ")
    );
}

#[test]
fn v1_contribution_and_revocation_open_to_what_they_held() {
    let key = std::fs::read_to_string(fixture("facilitator.key")).unwrap();
    let identities = tend_store::bundle::read_identities(&key).unwrap();
    let contribution = tend_store::bundle::open(
        &std::fs::read(fixture("contribution.age")).unwrap(),
        &identities,
    )
    .unwrap();
    assert_eq!(
        contribution,
        std::fs::read(fixture("contribution.json")).unwrap()
    );
    // Version 1 contributions were not signed: they still open with age, but since the
    // roster work anyone holding the facilitator's recipient could have made one, so they
    // are refused by name rather than counted.
    let refused = tend_core::contribution::Contribution::parse(&contribution).unwrap_err();
    assert!(
        matches!(
            refused,
            tend_core::contribution::ContributionError::Unsigned { version: 1 }
        ),
        "{refused:?}"
    );
    let revocation = tend_store::bundle::open(
        &std::fs::read(fixture("revocation.age")).unwrap(),
        &identities,
    )
    .unwrap();
    assert_eq!(
        revocation,
        std::fs::read(fixture("revocation.json")).unwrap()
    );

    // The retreat build leaves the old contribution out with its reason.
    let env = Env::new();
    let out = env.path("summary.json");
    let build = env
        .cmd()
        .args([
            "--identity",
            fixture("facilitator.key").to_str().unwrap(),
            "retreat",
            "build",
        ])
        .arg(fixture("contribution.age"))
        .args(["--format", "json", "-o", out.to_str().unwrap()])
        .output()
        .unwrap();
    let report = String::from_utf8_lossy(&build.stderr);
    assert!(report.contains("older tend"), "{report}");
}
