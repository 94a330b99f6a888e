//! A member contributing to a retreat: the preview, consent, the file, and the consent
//! records that let them withdraw it.
//!
//! A contribution's id, its revocation secret and the moment of consent are new on every
//! run, so `--preview-json` and a real share can never be byte-for-byte equal. The proof that
//! the file holds what the preview showed is therefore made within one run: the file is
//! decrypted, parsed, and its own preview must be exactly the text the member was shown,
//! and its JSON exactly the bytes sealed. `--preview-json` from a separate run must then
//! agree in everything but those three fields.
#![allow(clippy::unwrap_used)]

mod common;
mod retreat_support;

use common::Env;
use retreat_support::{Facilitator, PURPOSE, age_decrypt, member, share};
use tend_core::contribution::{Revocation, SignedContribution, sha256_hex};

fn three_reflections() -> Env {
    member(&[
        &[
            "Shared the sliding-scale numbers openly",
            "-v",
            "transparency=4",
            "-t",
            "budget",
            "--on",
            "2026-03-02",
        ],
        &[
            "Asked who had not spoken yet before we decided",
            "-v",
            "equity=3",
            "-v",
            "transparency",
            "--content-note",
            "a hard meeting",
            "--on",
            "2026-03-05",
        ],
        &[
            "Something private about a colleague",
            "-v",
            "repair",
            "-t",
            "secret-tag",
            "--on",
            "2026-03-09",
        ],
    ])
}

/// The id of the reflection about `day` (each of `three_reflections` has its own day).
fn written_on(env: &Env, day: &str) -> String {
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    let entry = json.as_array().unwrap().iter().find(|e| e["on"] == day);
    common::json_id(&entry.unwrap()["id"])
}

fn consent_records(env: &Env) -> Vec<serde_json::Value> {
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["consent", "list", "--json"])).unwrap();
    json.as_array().unwrap().clone()
}

#[test]
fn share_without_consent_writes_nothing() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let out = env.run(&[
        "share",
        "--purpose",
        PURPOSE,
        "--to",
        &fac.recipient,
        "-o",
        "c.age",
    ]);
    assert_eq!(out.status.code(), Some(1));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("You are sharing one contribution"),
        "the preview is shown even so: {stderr}"
    );
    assert!(
        stderr.contains("sharing needs your explicit consent"),
        "{stderr}"
    );
    assert!(stderr.contains("--yes"), "{stderr}");
    assert!(!env.path("c.age").exists(), "no file");
    assert!(consent_records(&env).is_empty(), "no consent record");
}

#[test]
fn share_refused_at_the_prompt_writes_nothing_and_a_yes_writes_it() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let bin = common::tend_bin();
    let cmdline = |file: &str| {
        format!(
            "cd '{}' && env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_PASSPHRASE_FILE='{}' \
             TEND_INSECURE_SCRYPT_WORK_FACTOR=8 NO_COLOR=1 '{}' share --purpose '{PURPOSE}' \
             --to {} -o {file}; echo EXIT=$?",
            env.dir.path().display(),
            env.home.display(),
            std::env::var("PATH").unwrap_or_default(),
            env.journal.display(),
            env.pass_file.display(),
            bin.display(),
            fac.recipient
        )
    };
    let mut p = common::pty();
    p.send_line(&cmdline("refused.age")).unwrap();
    p.exp_string("Share this, encrypted to 1 recipient? [y/N]")
        .unwrap();
    p.send_line("n").unwrap();
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(matched, "EXIT=1", "refusing is not success: {before}");
    assert!(before.contains("you chose not to share"), "{before}");
    assert!(!env.path("refused.age").exists());
    assert!(consent_records(&env).is_empty());

    p.send_line(&cmdline("given.age")).unwrap();
    p.exp_string("[y/N]").unwrap();
    p.send_line("y").unwrap();
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(matched, "EXIT=0", "{before}");
    assert!(env.path("given.age").exists());
    assert_eq!(consent_records(&env).len(), 1);
}

#[test]
fn share_file_holds_exactly_what_the_preview_showed() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let second = written_on(&env, "2026-03-05");
    let extra = [
        "--since",
        "2026-03-01",
        "--until",
        "2026-03-31",
        "--excerpt",
        &second,
    ];
    let (file, preview) = share(&env, &fac.recipient, "c.age", &extra);

    let plain = fac.open(&file);
    let signed = SignedContribution::parse(&plain).unwrap();
    assert_eq!(
        String::from_utf8(plain.clone()).unwrap(),
        signed.to_json(),
        "the file holds the signed document and nothing else"
    );
    let contribution = signed.contribution;
    assert!(
        preview.contains(&contribution.preview()),
        "what the member read is the file's own preview, word for word:\n{preview}"
    );

    // What the preview promises is what the document holds.
    assert_eq!(contribution.excerpts.len(), 1);
    let excerpt = &contribution.excerpts[0];
    assert_eq!(
        excerpt.text,
        "Asked who had not spoken yet before we decided"
    );
    assert_eq!(excerpt.content_note.as_deref(), Some("a hard meeting"));
    assert_eq!(contribution.consent.name, None, "anonymous without --name");
    let text = String::from_utf8(plain).unwrap();
    for never in [
        "Something private",
        "sliding-scale",
        "secret-tag",
        "budget",
        "2026-03-05",
    ] {
        assert!(
            !text.contains(never),
            "{never:?} must not leave the journal"
        );
    }

    // --preview-json prints the same document (unsigned) but for what is new on every run.
    let mut args = vec!["share", "--purpose", PURPOSE, "--preview-json"];
    args.extend_from_slice(&extra);
    let previewed = env.ok(&args);
    let strip = |mut v: serde_json::Value| {
        let o = v.as_object_mut().unwrap();
        o.remove("id");
        o.remove("revocation_hash");
        // The preview shows the count the next share would sign with.
        o.remove("counter");
        o["consent"].as_object_mut().unwrap().remove("given");
        v
    };
    assert_eq!(
        strip(serde_json::from_str(&previewed).unwrap()),
        strip(serde_json::to_value(&contribution).unwrap())
    );
    assert_eq!(
        consent_records(&env).len(),
        1,
        "--preview-json records nothing"
    );
}

#[test]
fn share_names_the_member_only_when_asked() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let (file, preview) = share(&env, &fac.recipient, "named.age", &["--name", "Rosa"]);
    assert!(
        preview.contains("It carries your name, \"Rosa\""),
        "{preview}"
    );
    let named = SignedContribution::parse(&fac.open(&file))
        .unwrap()
        .contribution;
    assert_eq!(named.consent.name.as_deref(), Some("Rosa"));
    let (file, preview) = share(&env, &fac.recipient, "anonymous.age", &[]);
    assert!(preview.contains("It is anonymous"), "{preview}");
    let plain = fac.open(&file);
    assert!(!String::from_utf8(plain.clone()).unwrap().contains("Rosa"));
    assert_eq!(
        SignedContribution::parse(&plain)
            .unwrap()
            .contribution
            .consent
            .name,
        None
    );
}

#[test]
fn share_reference_age_tool_decrypts_binary_and_armored_files() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let second = Facilitator::new();
    let recipients = env.file(
        "recipients.txt",
        &format!(
            "# the retreat's two facilitators\n{}\n\n{}\n",
            fac.recipient, second.recipient
        ),
    );
    let first = written_on(&env, "2026-03-02");
    let (binary, _) = share(&env, &fac.recipient, "c.age", &["--excerpt", &first]);
    assert!(
        std::fs::read(&binary)
            .unwrap()
            .starts_with(b"age-encryption.org/v1")
    );
    let plain = age_decrypt(&fac.key, &binary);
    assert!(SignedContribution::parse(&plain).is_ok());
    assert_eq!(plain, fac.open(&binary));

    let out = env.run(&[
        "share",
        "--purpose",
        PURPOSE,
        "--recipients-file",
        recipients.to_str().unwrap(),
        "--armor",
        "-o",
        "armored.age",
        "--yes",
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let armored = env.path("armored.age");
    let text = std::fs::read_to_string(&armored).unwrap();
    assert!(
        text.starts_with("-----BEGIN AGE ENCRYPTED FILE-----"),
        "{text}"
    );
    for who in [&fac, &second] {
        let plain = age_decrypt(&who.key, &armored);
        assert_eq!(
            SignedContribution::parse(&plain)
                .unwrap()
                .contribution
                .purpose,
            PURPOSE,
            "each recipient opens it"
        );
    }
}

#[test]
fn share_refuses_what_it_cannot_honour_and_writes_nothing() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let to = fac.recipient.as_str();
    let first = written_on(&env, "2026-03-02");
    let base = ["share", "--purpose", PURPOSE, "-o", "c.age", "--yes"];
    let cases: &[(&[&str], &str)] = &[
        (
            &["--to", to, "--excerpt", &first, "--since", "2026-03-04"],
            "outside the period you are sharing",
        ),
        (&["--to", to, "--excerpt", "42"], "there is no reflection"),
        (&["--to", to, "-v", "kindness"], "kindness"),
        (&["--to", to, "--expires", "2001-01-01"], "already be over"),
        (&["--to", "age1nope"], "is not an age recipient"),
        (&[], "at least one recipient"),
        (
            &["--to", to, "--since", "2026-04-01", "--until", "2026-03-01"],
            "before it starts",
        ),
    ];
    for (extra, expected) in cases {
        let mut args = base.to_vec();
        args.extend_from_slice(extra);
        let stderr = env.fails(&args);
        assert!(stderr.contains(expected), "{extra:?}: {stderr}");
        assert!(!env.path("c.age").exists(), "{extra:?}");
    }
    let stderr = env.fails(&[
        "share",
        "--purpose",
        " ",
        "--to",
        to,
        "-o",
        "c.age",
        "--yes",
    ]);
    assert!(stderr.contains("needs a purpose"), "{stderr}");

    std::fs::write(env.path("c.age"), "someone else's file").unwrap();
    let stderr = env.fails(&[
        "share",
        "--purpose",
        PURPOSE,
        "--to",
        to,
        "-o",
        "c.age",
        "--yes",
    ]);
    assert!(stderr.contains("already exists"), "{stderr}");
    assert_eq!(
        std::fs::read_to_string(env.path("c.age")).unwrap(),
        "someone else's file"
    );
    assert!(consent_records(&env).is_empty());
}

#[test]
fn consent_list_shows_every_contribution_and_its_digest() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let second = written_on(&env, "2026-03-05");
    let (first, _) = share(
        &env,
        &fac.recipient,
        "first.age",
        &["--excerpt", &second, "--expires", "2099-12-31"],
    );
    let out = env.ok(&[
        "share",
        "--purpose",
        "Autumn check-in",
        "--to",
        &fac.recipient,
        "-v",
        "equity",
        "--until",
        "2026-03-31",
        "--name",
        "Sam",
        "-o",
        "second.age",
        "--yes",
    ]);
    assert!(out.contains("Shared contribution"), "{out}");

    let records = consent_records(&env);
    assert_eq!(records.len(), 2);
    let by_purpose = |p: &str| records.iter().find(|r| r["purpose"] == p).unwrap();
    let spring = by_purpose(PURPOSE);
    assert_eq!(spring["status"], "active");
    assert_eq!(spring["recipients"][0], fac.recipient.as_str());
    assert_eq!(spring["excerpts"].as_array().unwrap().len(), 1);
    assert_eq!(common::json_id(&spring["excerpts"][0]), second);
    assert_eq!(spring["expires"], "2099-12-31");
    assert_eq!(spring["name"], serde_json::Value::Null);
    assert_eq!(
        spring["digest"],
        sha256_hex(&std::fs::read(&first).unwrap()).as_str()
    );
    let autumn = by_purpose("Autumn check-in");
    assert_eq!(autumn["values"], serde_json::json!(["equity"]));
    assert_eq!(autumn["period"]["until"], "2026-03-31");
    assert_eq!(autumn["name"], "Sam");

    let text = env.ok(&["consent", "list"]);
    for expected in [
        "for \"Spring retreat 2026\": in force",
        "sealed for: age1",
        "period:     the whole journal",
        &format!(
            "included:   counts for equity, transparency, repair; 1 excerpt (reflection {second}); anonymous"
        ),
        "ends:       after 31 December 2099",
        "everything up to 31 March 2026",
        "under the name \"Sam\"",
        &format!("file:       sha256 {}", spring["digest"].as_str().unwrap()),
    ] {
        assert!(text.contains(expected), "{expected:?} in:\n{text}");
    }
}

#[test]
fn consent_revoke_writes_a_revocation_for_the_same_recipients() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let (file, _) = share(&env, &fac.recipient, "c.age", &[]);
    let contribution = SignedContribution::parse(&fac.open(&file))
        .unwrap()
        .contribution;
    let id = contribution.id.clone();

    let stderr = env.fails(&["consent", "revoke", "zzzz"]);
    assert!(stderr.contains("no contribution you shared"), "{stderr}");

    let out = env.ok(&["consent", "revoke", &id[..6]]);
    assert!(out.contains(&format!("Revoked contribution {id}")), "{out}");
    let revocation_file = env.path(&format!("revocation-{id}.age"));
    let plain = age_decrypt(&fac.key, &revocation_file);
    let revocation = Revocation::parse(&plain).unwrap();
    assert!(revocation.revokes(&contribution));

    let records = consent_records(&env);
    assert_eq!(records[0]["status"], "revoked");
    let listed = env.ok(&["consent", "list", "--json"]) + &env.ok(&["consent", "list"]);
    assert!(
        !listed.contains(&revocation.token),
        "the secret is never listed"
    );

    let stderr = env.fails(&["consent", "revoke", &id]);
    assert!(stderr.contains("already revoked"), "{stderr}");
    assert!(stderr.contains("--again"), "{stderr}");
    env.ok(&[
        "consent",
        "revoke",
        &id,
        "--again",
        "--armor",
        "-o",
        "again.age",
    ]);
    let again = Revocation::parse(&fac.open(&env.path("again.age"))).unwrap();
    assert_eq!(again, revocation);
}

#[test]
fn consent_records_are_sealed_in_the_journal() {
    let env = three_reflections();
    let fac = Facilitator::new();
    let second = written_on(&env, "2026-03-05");
    share(
        &env,
        &fac.recipient,
        "c.age",
        &["--name", "Rosalind", "--excerpt", &second],
    );
    let id = consent_records(&env)[0]["id"].as_str().unwrap().to_owned();
    env.ok(&["consent", "revoke", &id]);
    let bytes = std::fs::read(&env.journal).unwrap();
    for plain in [PURPOSE, "Rosalind", id.as_str(), fac.recipient.as_str()] {
        assert!(
            !common::contains(&bytes, plain.as_bytes()),
            "{plain:?} is in the journal file in plaintext"
        );
    }
}
