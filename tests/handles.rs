//! What a person sees names records by handle: a handle `tend list` shows opens with `show`;
//! a prefix several records share is refused with the candidates; JSON gives the handle as
//! `id` and the whole id as `record_id`, never a number; export then import keeps the ids.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, json_id, saved_id};

/// The handle alphabet: no digit, no vowel.
fn is_handle(s: &str) -> bool {
    s.len() >= 4 && s.bytes().all(|b| b"bcdfghjkmnpqrstx".contains(&b))
}

/// An export holding one reflection per id given, each about 2026-01-0N.
fn export_with_ids(ids: &[&str]) -> String {
    let reflections: Vec<serde_json::Value> = ids
        .iter()
        .enumerate()
        .map(|(i, id)| {
            serde_json::json!({
                "record_id": id,
                "on": format!("2026-01-0{}", i + 1),
                "written": "2026-01-09T12:00:00Z",
                "text": format!("Reflection number {i}"),
            })
        })
        .collect();
    serde_json::json!({
        "format": "tend-export",
        "version": 1,
        "exported": "2026-01-09T12:00:00Z",
        "reflections": reflections,
    })
    .to_string()
}

#[test]
fn a_handle_shown_by_list_opens_with_show() {
    let env = Env::with_journal();
    let saved = env.write(&["Asked who had not spoken yet", "--on", "2026-01-02"]);
    assert!(is_handle(&saved), "write says the handle: {saved}");
    let listed = env.ok(&["list"]);
    let first = listed.split_whitespace().next().unwrap();
    assert_eq!(first, saved, "list leads with the handle: {listed}");
    let shown = env.ok(&["show", first]);
    assert!(
        shown.starts_with(&format!("Reflection {saved} ·")),
        "{shown}"
    );
    assert!(shown.contains("Asked who had not spoken yet"));
    // Capitals and spaces around it are read as the same handle.
    let upper = format!(" {} ", saved.to_uppercase());
    assert!(env.ok(&["show", &upper]).contains("Asked who"));
    for line in [
        env.ok(&["edit", &saved, "-t", "circle"]),
        env.ok(&["delete", &saved, "--yes"]),
    ] {
        assert!(line.contains(&saved), "{line}");
    }
}

#[test]
fn commitments_and_repairs_are_named_by_handle_too() {
    let env = Env::with_journal();
    let c = saved_id(&env.ok(&["commit", "add", "Bring the rota"]));
    let r = saved_id(&env.ok(&["repair", "open", "Talked over a colleague"]));
    assert!(is_handle(&c) && is_handle(&r), "{c} {r}");
    assert!(env.ok(&["commit", "list"]).starts_with(&c));
    assert!(env.ok(&["repair", "list"]).starts_with(&r));
    assert!(
        env.ok(&["commit", "done", &c])
            .contains(&format!("commitment {c} kept"))
    );
    assert!(
        env.ok(&["repair", "show", &r])
            .contains(&format!("Repair {r} "))
    );
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["commit", "show", &c, "--json"])).unwrap();
    assert_eq!(json["id"], c.as_str());
    assert_eq!(json["record_id"].as_str().unwrap().len(), 32);
}

#[test]
fn an_ambiguous_prefix_lists_the_candidates() {
    let env = Env::with_journal();
    let a = "kbxqbbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    let b = "kbxqcbbbbbbbbbbbbbbbbbbbbbbbbbbb";
    let file = env.file("two.json", &export_with_ids(&[a, b]));
    let said = env.ok(&["import", file.to_str().unwrap()]);
    assert!(said.contains("each with the id it had"), "{said}");
    let err = env.fails(&["show", "kbxq"]);
    assert!(
        err.contains("kbxq could be any of 2 reflections: kbxqb, kbxqc"),
        "{err}"
    );
    assert!(err.contains("more letters"), "a hint: {err}");
    assert!(env.ok(&["show", "kbxqc"]).contains("Reflection number 1"));
    let listed = env.ok(&["list"]);
    assert!(
        listed.contains("kbxqb ") && listed.contains("kbxqc "),
        "{listed}"
    );
    let err = env.fails(&["show", "tttt"]);
    assert!(err.contains("no reflection with the handle tttt"), "{err}");
    for bad in ["k3x9", "hello", "", "-1"] {
        let err = env.fails(&["show", "--", bad]);
        assert!(!err.contains("panicked"), "{bad:?}: {err}");
    }
}

#[test]
fn a_number_names_no_record_made_since_ids() {
    // Records brought in by id (as sync will bring them) have a number on this device, but it
    // is not theirs to be typed: only format 1 numbers are aliases.
    let env = Env::with_journal();
    let id = "mnpqrstxbcdfghjkmnpqrstxbcdfghjk";
    let file = env.file("one.json", &export_with_ids(&[id]));
    env.ok(&["import", file.to_str().unwrap()]);
    assert!(env.ok(&["show", "mnpq"]).contains("Reflection number 0"));
    for n in 0..=20 {
        let err = env.fails(&["show", &n.to_string()]);
        assert!(err.contains("tend list` shows the handles"), "{n}: {err}");
    }
}

#[test]
fn json_names_records_by_handle_and_id_and_round_trips_to_show() {
    let env = Env::with_journal();
    env.write(&["One", "--on", "2026-01-02"]);
    env.write(&["Two", "--on", "2026-01-03", "--content-note", "hard"]);
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    let list = list.as_array().unwrap();
    assert_eq!(list.len(), 2);
    for entry in list {
        let id = entry["id"]
            .as_str()
            .expect("the id is the handle, a string");
        assert!(is_handle(id), "{id}");
        let record_id = entry["record_id"].as_str().unwrap();
        assert_eq!(record_id.len(), 32);
        assert!(record_id.starts_with(id));
        let shown: serde_json::Value =
            serde_json::from_str(&env.ok(&["show", &json_id(&entry["id"]), "--json"])).unwrap();
        assert_eq!(shown["id"], entry["id"]);
        assert_eq!(shown["record_id"], entry["record_id"]);
        // The whole id opens it as well.
        assert!(env.ok(&["show", record_id]).contains(id));
    }
    let search: serde_json::Value =
        serde_json::from_str(&env.ok(&["search", "one", "--json"])).unwrap();
    assert!(search[0]["id"].is_string());
}

#[test]
fn export_then_import_into_a_new_journal_keeps_the_ids() {
    let a = Env::with_journal();
    a.write(&["About pay", "--on", "2026-01-02", "-v", "equity=3"]);
    a.ok(&["commit", "add", "Bring the rota"]);
    a.ok(&["repair", "open", "Talked over a colleague"]);
    let export = a.ok(&["export", "--format", "json"]);
    let doc: serde_json::Value = serde_json::from_str(&export).unwrap();
    for kind in ["reflections", "commitments", "repairs"] {
        assert_eq!(
            doc[kind][0]["record_id"].as_str().unwrap().len(),
            32,
            "{kind}"
        );
    }
    let file = a.file("export.json", &export);

    let b = Env::with_journal();
    let said = b.ok(&["import", file.to_str().unwrap()]);
    assert!(said.contains("each with the id it had"), "{said}");
    let again: serde_json::Value =
        serde_json::from_str(&b.ok(&["export", "--format", "json"])).unwrap();
    for kind in ["reflections", "commitments", "repairs"] {
        assert_eq!(
            again[kind][0]["record_id"], doc[kind][0]["record_id"],
            "{kind}"
        );
    }
    assert_eq!(a.listed(&[]), b.listed(&[]), "the same handles");

    // Into the journal they came from, the ids are taken: new ones, and tend says so.
    let out = a
        .cmd()
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("each record was given a new id"),
        "{stderr}"
    );
    assert_eq!(a.listed(&[]).len(), 2);
}

#[test]
fn an_export_from_before_ids_still_imports() {
    let env = Env::with_journal();
    let old = r#"{"format":"tend-export","version":1,"exported":"2026-01-09T12:00:00Z",
        "reflections":[{"id":7,"on":"2026-01-02","written":"2026-01-09T12:00:00Z","text":"Old"}]}"#;
    let file = env.file("old.json", old);
    let out = env
        .cmd()
        .args(["import", file.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("before records had ids"), "{stderr}");
    assert_eq!(env.listed(&[]).len(), 1);
    // A record id that is not 32 letters is refused, with nothing imported.
    let bad = old.replace(r#""id":7"#, r#""record_id":"kbxq""#);
    let file = env.file("bad.json", &bad);
    env.fails(&["import", file.to_str().unwrap()]);
    assert_eq!(env.listed(&[]).len(), 1);
}

/// docs/threat-model.md: a contribution file carries no record id or handle. (The preview is
/// the contribution exactly, less its signature: tests/share.rs shows they agree.)
#[test]
fn a_contribution_names_no_record() {
    let env = Env::with_journal();
    env.write(&["Named the pay gap in the circle", "-v", "equity=2"]);
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    let handle = list[0]["id"].as_str().unwrap();
    let record_id = list[0]["record_id"].as_str().unwrap();
    let preview = env.ok(&[
        "share",
        "--purpose",
        "Spring retreat 2026",
        "--excerpt",
        handle,
        "--preview-json",
    ]);
    assert!(preview.contains("Named the pay gap"), "{preview}");
    for never in [handle, record_id] {
        assert!(
            !preview.contains(never),
            "{never} must not leave the journal"
        );
    }
}
