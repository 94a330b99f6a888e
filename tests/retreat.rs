//! A facilitator building the retreat summary: keys, files that cannot be used, consent that
//! ended or was withdrawn, small-group protection end to end, and templates.
#![allow(clippy::unwrap_used)]

mod common;
mod retreat_support;

use common::Env;
use retreat_support::{Facilitator, member, rating_counts, share, value};
use serde_json::Value;

/// Members who each shared one contribution, handed to the facilitator as `m1.age`, `m2.age`…
/// Each member is the arguments of their reflections and the extra flags of their share.
fn contributions(fac: &Facilitator, members: &[(&[&[&str]], &[&str])]) -> Vec<String> {
    members
        .iter()
        .enumerate()
        .map(|(i, (reflections, extra))| {
            let env = member(reflections);
            // `--excerpt N` in a case names the member's Nth reflection: its id is read from
            // the journal, never assumed.
            let newest_first = env.listed(&[]);
            let mut extra: Vec<String> = extra.iter().map(|a| (*a).to_owned()).collect();
            for i in 1..extra.len() {
                if extra[i - 1] == "--excerpt" {
                    let n: usize = extra[i].parse().unwrap();
                    extra[i] = newest_first[newest_first.len() - n].clone();
                }
            }
            let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
            let (file, _) = share(&env, &fac.recipient, "c.age", &extra);
            fac.receive(&file, &format!("m{}.age", i + 1))
        })
        .collect()
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

#[test]
fn keygen_writes_a_private_identity_once_and_prints_the_recipient() {
    let env = Env::new();
    let out = env.run(&["retreat", "keygen"]);
    assert!(out.status.success());
    let recipient = String::from_utf8(out.stdout).unwrap().trim().to_owned();
    assert!(
        recipient.starts_with("age1") && !recipient.contains('\n'),
        "stdout is the recipient alone: {recipient}"
    );
    assert!(
        !env.path("retreat-identity.txt").exists(),
        "never in the current folder, where a template could include it"
    );
    let key = env.home.join(".config/tend/retreat-identity.txt");
    let text = std::fs::read_to_string(&key).unwrap();
    assert!(text.contains(&format!("# public key: {recipient}")));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&key).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600, "readable by the facilitator alone");
    }
    // The reference tool reads it as its own.
    let derived = std::process::Command::new("age-keygen")
        .arg("-y")
        .arg(&key)
        .output();
    if let Ok(derived) = derived {
        assert_eq!(String::from_utf8_lossy(&derived.stdout).trim(), recipient);
    } else {
        retreat_support::reference_age();
    }

    let stderr = env.fails(&["retreat", "keygen"]);
    assert!(stderr.contains("never replaces an identity"), "{stderr}");
    assert_eq!(std::fs::read_to_string(&key).unwrap(), text, "unchanged");
}

#[test]
fn build_needs_the_facilitators_identity() {
    let fac = Facilitator::new();
    let stderr = fac
        .env
        .fails(&["retreat", "build", "nothing.age", "-o", "s.md"]);
    assert!(stderr.contains("needs your identity file"), "{stderr}");
    assert!(stderr.contains("-i FILE"), "{stderr}");
    let stderr = fac.env.fails(&[
        "retreat",
        "build",
        "-i",
        "key.txt",
        "nothing.age",
        "-o",
        "s.md",
        "--min-group",
        "2",
    ]);
    assert!(stderr.contains("use --min-group 3 or more"), "{stderr}");
    assert!(!fac.env.path("s.md").exists());
}

#[test]
fn small_groups_are_protected_end_to_end_even_from_subtraction() {
    let fac = Facilitator::new();
    // Three members rate equity 3 (a and c once more, 4 and 3); a fourth, alone, rates it 1.
    // Two name transparency.
    let files = contributions(
        &fac,
        &[
            (
                &[
                    &["a", "-v", "equity=3", "-v", "transparency=4"],
                    &["a2", "-v", "equity=4"],
                ],
                &[],
            ),
            (&[&["b", "-v", "equity=3", "-v", "transparency=4"]], &[]),
            (&[&["c", "-v", "equity=3"], &["c2", "-v", "equity=3"]], &[]),
            (&[&["d", "-v", "equity=1"]], &[]),
        ],
    );
    let (four, report) = fac.build_json(&refs(&files), &[]);
    assert!(
        report.contains("Read 4 files: 4 included, 0 left out."),
        "{report}"
    );
    assert_eq!(four["members"], 4);
    let equity = value(&four, "equity").unwrap();
    assert_eq!(
        equity["members"],
        Value::Null,
        "4 of 4 would say everyone named it"
    );
    assert_eq!(equity["reflections"], 6, "the total comes from 4 members");
    assert_eq!(
        rating_counts(equity),
        vec![Value::Null; 5],
        "showing the 3s would give away the lone 1 and 4 (6 - 4)"
    );
    assert_eq!(equity["mean"], Value::Null);
    assert!(
        four["values"]
            .as_array()
            .unwrap()
            .iter()
            .all(|v| v["id"] != "transparency"),
        "named by only 2: not listed at all"
    );
    let (markdown, _) = fac.build_ok(&refs(&files), "summary.md", &[]);
    assert!(markdown.contains("*fewer than 3 members*"), "{markdown}");
    assert!(!markdown.contains("Transparency"), "{markdown}");
}

#[test]
fn names_appear_only_beside_excerpts_whose_authors_gave_one() {
    let fac = Facilitator::new();
    let files = contributions(
        &fac,
        &[
            (
                &[&["Rosa's words on pay", "-v", "equity=2"]],
                &["--excerpt", "1", "--name", "Rosa"],
            ),
            (
                &[&["Words without a name", "-v", "equity=4"]],
                &["--excerpt", "1"],
            ),
            (&[&["Counted, never quoted", "-v", "equity=5"]], &[]),
        ],
    );
    let (summary, _) = fac.build_json(&refs(&files), &[]);
    let excerpts = value(&summary, "equity").unwrap()["excerpts"]
        .as_array()
        .unwrap();
    assert_eq!(excerpts.len(), 2);
    for e in excerpts {
        match e["text"].as_str().unwrap() {
            "Rosa's words on pay" => assert_eq!(e["name"], "Rosa"),
            "Words without a name" => assert_eq!(e["name"], Value::Null),
            other => panic!("unexpected excerpt {other:?}"),
        }
    }
    let text = summary.to_string();
    assert!(!text.contains("Counted, never quoted"));
    let (markdown, _) = fac.build_ok(&refs(&files), "summary.md", &[]);
    assert!(markdown.contains("— Rosa"), "{markdown}");
    assert_eq!(
        markdown.matches("— ").count(),
        1,
        "no other name: {markdown}"
    );

    // Two members are too few for an excerpt without a name to stay anonymous.
    let (small, report) = fac.build_json(&refs(&files[..2]), &["--min-group", "3"]);
    assert!(small["values"].as_array().unwrap().is_empty());
    let excerpts = small["other_excerpts"].as_array().unwrap();
    assert_eq!(excerpts.len(), 1);
    assert_eq!(excerpts[0]["name"], "Rosa");
    assert!(report.contains("held back"), "{report}");
}

#[test]
fn unusable_files_are_left_out_with_their_reason_and_the_build_goes_on() {
    let fac = Facilitator::new();
    let other = Facilitator::new();
    let files = contributions(
        &fac,
        &[
            (&[&["one", "-v", "equity=2"]], &[]),
            (&[&["two", "-v", "equity=3"]], &[]),
            (&[&["three", "-v", "equity=4"]], &[]),
        ],
    );
    // A bit flipped in the payload of a good file.
    let mut bytes = std::fs::read(fac.env.path(&files[0])).unwrap();
    let last = bytes.len() - 1;
    bytes[last] ^= 0x01;
    std::fs::write(fac.env.path("flipped.age"), &bytes).unwrap();
    // A contribution sealed for another facilitator.
    let elsewhere = member(&[&["four", "-v", "equity"]]);
    let (file, _) = share(&elsewhere, &other.recipient, "c.age", &[]);
    fac.receive(&file, "for-someone-else.age");
    // An age file that is not a contribution, and one from a newer tend.
    fac.seal_foreign("holiday-photos.age", b"not a tend document");
    let mut newer: Value = serde_json::from_slice(&fac.open(&fac.env.path(&files[1]))).unwrap();
    newer["version"] = 3.into();
    fac.seal_foreign("from-the-future.age", newer.to_string().as_bytes());
    // Not an age file at all.
    std::fs::write(fac.env.path("notes.txt"), "bring snacks").unwrap();

    let mut all = refs(&files);
    all.extend([
        "flipped.age",
        "for-someone-else.age",
        "holiday-photos.age",
        "from-the-future.age",
        "notes.txt",
        "missing.age",
    ]);
    let (summary, report) = fac.build_json(&all, &[]);
    assert!(
        report.contains("Read 9 files: 3 included, 6 left out."),
        "{report}"
    );
    for expected in [
        "left out flipped.age: damaged or changed since it was sealed",
        "left out for-someone-else.age: sealed for a different key than the ones given",
        "left out holiday-photos.age: not a tend contribution",
        "left out from-the-future.age: written by a newer tend",
        "left out notes.txt: not a tend contribution",
        "left out missing.age: the file could not be read",
    ] {
        assert!(report.contains(expected), "{expected:?} in:\n{report}");
    }
    assert_eq!(summary["members"], 3);
    assert_eq!(value(&summary, "equity").unwrap()["reflections"], 3);
}

#[test]
fn expired_consent_is_left_out() {
    let fac = Facilitator::new();
    let files = contributions(
        &fac,
        &[
            (&[&["a", "-v", "equity"]], &["--expires", "2099-06-30"]),
            (&[&["b", "-v", "equity"]], &[]),
            (&[&["c", "-v", "equity"]], &[]),
        ],
    );
    // --today exists only in debug builds, for this test.
    let on = |day| ["--today", day];
    let (_, report) = fac.build_json(&refs(&files), &on("2099-06-30"));
    assert!(
        report.contains("3 included, 0 left out"),
        "the last day still counts: {report}"
    );
    let (summary, report) = fac.build_json(&refs(&files), &on("2099-07-01"));
    assert!(
        report.contains("left out m1.age: the consent behind it has ended"),
        "{report}"
    );
    assert_eq!(
        summary["members"],
        Value::Null,
        "two members left: below the threshold"
    );
}

#[test]
fn revoked_contributions_are_left_out() {
    let fac = Facilitator::new();
    let members: Vec<Env> = (0..4)
        .map(|i| {
            member(&[&[
                &format!("reflection {i}"),
                "-v",
                &format!("equity={}", i + 1),
            ]])
        })
        .collect();
    let mut files = Vec::new();
    for (i, m) in members.iter().enumerate() {
        let (file, _) = share(m, &fac.recipient, "c.age", &[]);
        files.push(fac.receive(&file, &format!("m{}.age", i + 1)));
    }
    let id = members[0].ok(&["consent", "list", "--json"]);
    let id: Value = serde_json::from_str(&id).unwrap();
    let id = id[0]["id"].as_str().unwrap().to_owned();
    members[0].ok(&["consent", "revoke", &id, "-o", "rev.age"]);
    fac.receive(&members[0].path("rev.age"), "revocation.age");

    // Among the files, or after --revocations: the same outcome.
    let mut among = refs(&files);
    among.push("revocation.age");
    let (summary, report) = fac.build_json(&among, &[]);
    assert!(
        report.contains("left out m1.age: its author revoked it"),
        "{report}"
    );
    assert!(
        report.contains("Read 4 files: 3 included, 1 left out."),
        "{report}"
    );
    assert_eq!(summary["members"], 3);
    let (_, report) = fac.build_json(&refs(&files), &["--revocations", "revocation.age"]);
    assert!(
        report.contains("left out m1.age: its author revoked it"),
        "{report}"
    );

    // A revocation that cannot be read stops the build: going on might show a contribution
    // its author withdrew.
    fac.seal_foreign("garbled.age", b"{}");
    let out = fac.build(
        &refs(&files),
        &["--revocations", "garbled.age", "-o", "stopped.json"],
    );
    assert!(!out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("could not read the revocation garbled.age"),
        "{stderr}"
    );
    assert!(!fac.env.path("stopped.json").exists());
}

#[test]
fn a_newer_contribution_from_the_same_member_replaces_the_older() {
    let fac = Facilitator::new();
    let env = member(&[&["first", "-v", "equity=2"]]);
    let (file, _) = share(&env, &fac.recipient, "old.age", &[]);
    let old = fac.receive(&file, "old.age");
    env.ok(&["write", "second", "-v", "equity=4"]);
    // The same purpose, spelt a little differently, is the same purpose.
    let out = env.ok(&[
        "share",
        "--purpose",
        "spring  retreat 2026",
        "--to",
        &fac.recipient,
        "-o",
        "new.age",
        "--yes",
    ]);
    assert!(out.contains("Shared"));
    let new = fac.receive(&env.path("new.age"), "new.age");
    let others = contributions(
        &fac,
        &[
            (&[&["x", "-v", "equity=1"]], &[]),
            (&[&["y", "-v", "equity=3"]], &[]),
        ],
    );
    let mut all = vec![new.as_str(), old.as_str()];
    all.extend(refs(&others));
    let (summary, report) = fac.build_json(&all, &[]);
    assert!(
        report.contains("left out old.age: replaced by a newer contribution from the same member"),
        "by its signed counter, never by a date: {report}"
    );
    assert!(!report.contains("left out new.age"), "{report}");
    assert_eq!(summary["members"], 3);
    assert_eq!(
        value(&summary, "equity").unwrap()["reflections"],
        4,
        "2 + 1 + 1"
    );
}

#[test]
fn differing_values_packs_are_noted() {
    let fac = Facilitator::new();
    let changed = member(&[&["a", "-v", "equity=2"]]);
    changed.ok(&[
        "values",
        "add",
        "mutual-aid",
        "--name",
        "Mutual aid",
        "--description",
        "We look after each other.",
    ]);
    let (file, _) = share(&changed, &fac.recipient, "c.age", &[]);
    let mut files = vec![fac.receive(&file, "changed.age")];
    files.extend(contributions(
        &fac,
        &[
            (&[&["b", "-v", "equity=3"], &["b2", "-v", "repair"]], &[]),
            (&[&["c", "-v", "equity=4"], &["c2", "-v", "repair"]], &[]),
            (&[&["d", "-v", "equity=5"], &["d2", "-v", "repair"]], &[]),
        ],
    ));
    let (summary, report) = fac.build_json(&refs(&files), &[]);
    assert!(report.contains("2 different sets of values"), "{report}");
    // Which values most members covered is never in the summary: beside each value's count
    // it could say who covered what.
    assert!(summary.get("pack").is_none(), "{summary}");
}

#[test]
fn a_members_markup_stays_inert_in_the_html_summary() {
    let fac = Facilitator::new();
    let attack = "<script>alert('x')</script><img src=x onerror=alert(1)>";
    let files = contributions(
        &fac,
        &[
            (
                &[&[attack, "-v", "equity=2"]],
                &["--excerpt", "1", "--name", "<b>Eve</b>"],
            ),
            (&[&["b", "-v", "equity=3"]], &[]),
            (&[&["c", "-v", "equity=4"]], &[]),
        ],
    );
    let (html, _) = fac.build_ok(&refs(&files), "summary.html", &[]);
    assert!(
        html.starts_with("<!doctype html>"),
        "the .html name picks HTML"
    );
    assert!(!html.contains("<script"), "{html}");
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<b>Eve"), "{html}");
    assert!(
        html.contains("&lt;script&gt;"),
        "the words are shown, as text"
    );
    let (markdown, _) = fac.build_ok(&refs(&files), "summary.md", &[]);
    assert!(markdown.contains("\\<script\\>"), "{markdown}");
}

/// Members enough for a summary, and a template folder beside a secret.
fn template_world() -> (Facilitator, Vec<String>) {
    let fac = Facilitator::new();
    let files = contributions(
        &fac,
        &[
            (&[&["a", "-v", "equity=2"]], &[]),
            (&[&["b", "-v", "equity=3"]], &[]),
            (&[&["c", "-v", "equity=4"]], &[]),
        ],
    );
    std::fs::create_dir_all(fac.env.path("templates/parts")).unwrap();
    fac.env.file("secret.txt", "THE FACILITATOR'S SECRET");
    fac.env.file(
        "templates/parts/values.j2",
        "{% for v in values %}{{ v.name }}: {{ v.reflections }}\n{% endfor %}",
    );
    (fac, files)
}

#[test]
fn a_user_template_renders_and_reads_only_its_own_folder() {
    let (fac, files) = template_world();
    fac.env.file(
        "templates/notes.md.j2",
        "Notes for {{ title }} ({{ members }} members)\n{% include \"parts/values.j2\" %}",
    );
    let (text, _) = fac.build_ok(
        &refs(&files),
        "notes.txt",
        &[
            "--template",
            "templates/notes.md.j2",
            "--title",
            "Circle notes",
        ],
    );
    assert!(
        text.starts_with("Notes for Circle notes (3 members)"),
        "{text}"
    );
    assert!(text.contains("Equity: 3"), "{text}");

    #[cfg(unix)]
    std::os::unix::fs::symlink(
        fac.env.path("secret.txt"),
        fac.env.path("templates/link.j2"),
    )
    .unwrap();
    let secret = fac.env.path("secret.txt");
    let escapes = [
        "../secret.txt".to_owned(),
        secret.display().to_string(),
        "parts/../../secret.txt".to_owned(),
        "link.j2".to_owned(),
    ];
    for escape in &escapes {
        fac.env.file(
            "templates/escape.j2",
            &format!("{{% include {escape:?} %}}"),
        );
        let out = fac.build(
            &refs(&files),
            &["--template", "templates/escape.j2", "-o", "escaped.txt"],
        );
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{escape}: {stderr}");
        assert!(
            stderr.contains("could not be rendered"),
            "{escape}: {stderr}"
        );
        assert!(!stderr.contains("FACILITATOR'S SECRET"));
        assert!(!fac.env.path("escaped.txt").exists(), "{escape}");
    }
}

#[test]
fn a_runaway_template_is_stopped() {
    let (fac, files) = template_world();
    fac.env.file(
        "templates/forever.j2",
        "{% for a in range(100000) %}{% for b in range(100000) %}{{ a }}{% endfor %}{% endfor %}",
    );
    let out = fac.build(
        &refs(&files),
        &["--template", "templates/forever.j2", "-o", "never.txt"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("ran too long and was stopped"), "{stderr}");
    assert!(!fac.env.path("never.txt").exists());
}

#[test]
fn a_template_error_names_its_line() {
    let (fac, files) = template_world();
    fac.env.file(
        "templates/typo.j2",
        "# {{ title }}\n\n{{ no_such_figure }}\n",
    );
    let out = fac.build(
        &refs(&files),
        &["--template", "templates/typo.j2", "-o", "t.txt"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(stderr.contains("typo.j2, line 3"), "{stderr}");
    fac.env.file("templates/syntax.j2", "fine\n{% if %}\n");
    let out = fac.build(
        &refs(&files),
        &["--template", "templates/syntax.j2", "-o", "t.txt"],
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("syntax.j2, line 2"), "{stderr}");
    assert!(!fac.env.path("t.txt").exists());
}

#[test]
fn a_roster_line_survives_key_rotation_and_differs_across_purposes() {
    let env = Env::with_journal();
    let join = |purpose: &str| env.ok(&["retreat", "join", "--purpose", purpose, "--name", "Sam"]);
    let spring = join("Spring retreat 2026");
    let autumn = join("Autumn retreat 2026");
    assert!(spring.contains("ed25519:"), "{spring}");
    let key_of = |line: &str| {
        line.split_whitespace()
            .find(|w| w.starts_with("ed25519:"))
            .map(str::to_owned)
            .expect("a key")
    };
    assert_ne!(
        key_of(&spring),
        key_of(&autumn),
        "one journal's keys for two purposes are unrelated"
    );
    // A rotation makes a new data key; the member's roster key for a purpose stays, so the
    // facilitator's roster still counts them.
    env.ok(&["key", "rotate"]);
    assert_eq!(join("Spring retreat 2026"), spring);
    assert_eq!(join("Autumn retreat 2026"), autumn);
}
