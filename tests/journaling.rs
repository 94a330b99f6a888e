//! A member journaling privately: write, list, search, show, edit and delete, end to end.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, saved_id};

#[test]
fn write_from_arguments_and_stdin_then_list_newest_first() {
    let env = Env::with_journal();
    let out = env.ok(&[
        "write",
        "Shared the budget openly at the circle",
        "-v",
        "transparency=4",
        "-t",
        "budget",
        "--on",
        "2026-01-05",
    ]);
    assert!(out.contains("Saved reflection "), "{out}");
    let out = env.ok_stdin(
        &["write", "-v", "equity", "-t", "#pay", "--on", "2026-01-07"],
        "Noticed who takes the evening slots.\nMore later.\n",
    );
    let second = saved_id(&out);
    env.ok(&["write", "An older one", "--on", "2025-12-31"]);

    let list = env.ok(&["list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 3, "{list}");
    assert!(
        lines[0].contains("2026-01-07")
            && lines[0].contains("Noticed who takes the evening slots.")
    );
    assert!(lines[0].contains("equity") && lines[0].contains("#pay"));
    assert!(lines[1].contains("transparency 4") && lines[1].contains("#budget"));
    assert!(lines[2].contains("2025-12-31"));

    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--json", "-n", "1"])).unwrap();
    assert_eq!(json.as_array().unwrap().len(), 1);
    assert_eq!(common::json_id(&json[0]["id"]), second);
    assert_eq!(json[0]["tags"][0], "pay");
}

#[test]
fn list_filters() {
    let env = Env::with_journal();
    let one = env.write(&["one", "-v", "equity=2", "-t", "a", "--on", "2026-02-01"]);
    let two = env.write(&["two", "-v", "repair", "-t", "b", "--on", "2026-02-10"]);
    let three = env.write(&["three", "-v", "equity", "-t", "b", "--on", "2026-02-20"]);
    let (one, two, three) = (one.as_str(), two.as_str(), three.as_str());
    let ids = |args: &[&str]| env.listed(args);
    assert_eq!(ids(&[]), [three, two, one]);
    assert_eq!(ids(&["-v", "equity"]), [three, one]);
    assert_eq!(ids(&["-t", "B"]), [three, two]);
    assert_eq!(ids(&["--since", "2026-02-05"]), [three, two]);
    assert_eq!(
        ids(&["--until", "2026-02-10", "--since", "2026-02-02"]),
        [two]
    );
    assert_eq!(ids(&["-n", "2"]), [three, two]);
    assert_eq!(ids(&["-t", "b", "-v", "equity"]), [three]);
    let none = env.run(&["list", "-t", "nothing"]);
    assert!(none.status.success());
    assert!(String::from_utf8_lossy(&none.stderr).contains("No reflections match."));
}

/// `-n 0` and `--all` show everything; "No reflections yet" only for a journal with none;
/// what is left out is counted.
#[test]
fn list_and_search_show_all_when_asked() {
    let env = Env::with_journal();
    let empty = env.run(&["list", "-n", "0"]);
    assert!(String::from_utf8_lossy(&empty.stderr).contains("No reflections yet."));
    std::fs::write(env.path("jrnl.json"), jrnl_export(25)).unwrap();
    env.ok(&[
        "import",
        env.path("jrnl.json").to_str().unwrap(),
        "--from",
        "jrnl",
    ]);
    let out = env.run(&["list"]);
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 20);
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("(5 more; --all shows them all)"),
        "{out:?}"
    );
    for args in [
        &["list", "-n", "0"][..],
        &["list", "--all"],
        &["search", "circle", "--all"],
    ] {
        let out = env.run(args);
        assert!(out.status.success(), "{args:?}");
        assert_eq!(
            String::from_utf8_lossy(&out.stdout).lines().count(),
            25,
            "{args:?}"
        );
        assert!(
            !String::from_utf8_lossy(&out.stderr).contains("more"),
            "{args:?}"
        );
    }
    assert_eq!(env.ok(&["search", "circle", "-n", "3"]).lines().count(), 3);
    let err = env.fails(&["list", "--all", "-n", "3"]);
    assert!(err.contains("cannot be used with"), "{err}");
}

/// A jrnl JSON export of `n` reflections, one a day.
fn jrnl_export(n: usize) -> String {
    let entries: Vec<serde_json::Value> = (1..=n)
        .map(|i| {
            serde_json::json!({
                "date": format!("2026-03-{i:02}"),
                "time": "09:00",
                "title": format!("circle note {i}"),
                "body": "",
                "tags": [],
                "starred": false
            })
        })
        .collect();
    serde_json::json!({ "tags": {}, "entries": entries }).to_string()
}

#[test]
fn search_needs_every_word_and_ignores_case() {
    let env = Env::with_journal();
    env.ok(&["write", "The pay gap came up in circle", "-t", "money"]);
    env.ok(&["write", "Circle ran long; nobody named pay"]);
    env.ok(&["write", "Quiet day"]);
    let out = env.ok(&["search", "PAY", "circle"]);
    assert_eq!(out.lines().count(), 2, "{out}");
    let out = env.ok(&["search", "gap", "pay"]);
    assert_eq!(out.lines().count(), 1);
    assert!(out.contains("The pay gap"));
    let out = env.ok(&["search", "money"]);
    assert_eq!(out.lines().count(), 1, "tags are searched too");
    let out = env.run(&["search", "absent"]);
    assert!(out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("No reflections hold"));
    let out = env.ok(&["search", "circle", "--since", "2000-01-01", "-t", "money"]);
    assert_eq!(out.lines().count(), 1);
}

#[test]
fn show_and_content_notes() {
    let env = Env::with_journal();
    let id = env.write(&[
        "Hard words in supervision",
        "--content-note",
        "conflict at work",
        "-v",
        "repair=3",
    ]);
    let list = env.ok(&["list"]);
    assert!(list.contains("[content note: conflict at work]"));
    assert!(!list.contains("Hard words"));
    let shown = env.ok(&["show", &id]);
    assert!(shown.contains("Content note: conflict at work"));
    assert!(!shown.contains("Hard words"));
    assert!(shown.contains("--reveal"));
    let revealed = env.ok(&["show", &id, "--reveal"]);
    assert!(revealed.contains("Hard words in supervision"));
    assert!(revealed.contains("Repair: 3"), "{revealed}");
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", &id, "--json"])).unwrap();
    assert!(json["text"].is_null());
    let err = env.fails(&["show", "9"]);
    assert!(err.contains("there is no reflection with id 9"), "{err}");
    assert!(err.contains("hint: `tend list` shows the handles"), "{err}");
}

#[test]
fn edit_with_flags_and_stdin() {
    let env = Env::with_journal();
    let id = env.write(&[
        "first words",
        "-v",
        "equity=2",
        "-t",
        "x",
        "--on",
        "2026-03-01",
    ]);
    env.ok(&[
        "edit",
        &id,
        "-v",
        "repair=5",
        "-t",
        "y",
        "--on",
        "2026-03-02",
    ]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(json["values"][0]["value"], "repair");
    assert_eq!(json["tags"][0], "y");
    assert_eq!(json["on"], "2026-03-02");
    assert_eq!(json["text"], "first words");
    assert!(json["edited"].is_string());
    env.ok_stdin(&["edit", &id], "second words\n");
    assert!(env.ok(&["show", &id]).contains("second words"));
    env.ok(&["edit", &id, "--text", "third words", "--clear-tags"]);
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(json["text"], "third words");
    assert!(
        json.get("tags")
            .is_none_or(|t| t.as_array().unwrap().is_empty())
    );
    let err = env.fails(&["edit", &id, "--text", "   "]);
    assert!(err.contains("empty"));
    let list = env.ok(&["list"]);
    assert!(
        list.contains("third words"),
        "the index follows edits: {list}"
    );
}

#[test]
fn delete_asks_or_needs_yes() {
    let env = Env::with_journal();
    let removed = env.write(&["to be removed"]);
    env.ok(&["write", "to stay"]);
    let err = env.fails(&["delete", &removed]);
    assert!(err.contains("needs a yes"), "{err}");
    assert!(env.ok(&["list"]).contains("to be removed"));
    env.ok(&["delete", &removed, "--yes"]);
    let list = env.ok(&["list"]);
    assert!(!list.contains("to be removed"));
    assert!(list.contains("to stay"));
    env.fails(&["show", &removed]);
    let new = env.write(&["new one"]);
    assert_ne!(new, removed, "ids are never reused");
    assert_eq!(env.listed(&[])[0], new);
}

#[test]
fn dates_people_type() {
    let env = Env::with_journal();
    for d in [
        "today",
        "yesterday",
        "3 days ago",
        "monday",
        "last friday",
        "2 weeks ago",
    ] {
        env.ok(&["write", d, "--on", d]);
    }
    let err = env.fails(&["write", "x", "--on", "someday"]);
    assert!(
        err.contains("could not read \"someday\" as a date"),
        "{err}"
    );
    assert!(err.contains("hint:"));
    let today = chrono::Local::now().date_naive();
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--json", "-t", "none"])).unwrap();
    assert!(json.as_array().unwrap().is_empty());
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["list", "--json", "--since", "today"])).unwrap();
    assert_eq!(json[0]["on"], today.to_string());
}

#[test]
fn empty_text_saves_nothing() {
    let env = Env::with_journal();
    let err = env
        .cmd()
        .args(["write"])
        .write_stdin("   \n")
        .output()
        .unwrap();
    assert!(!err.status.success());
    assert!(String::from_utf8_lossy(&err.stderr).contains("nothing was saved"));
    assert!(env.ok(&["list", "--json"]).trim() == "[]");
}

#[test]
fn unknown_value_suggests_the_nearest() {
    let env = Env::with_journal();
    let err = env.fails(&["write", "x", "-v", "equty"]);
    assert!(err.contains("equty"), "{err}");
    assert!(err.contains("Did you mean `equity`"), "{err}");
    let err = env.fails(&["write", "x", "-v", "equity=9"]);
    assert!(err.contains("not on this pack's scale"), "{err}");
    let err = env.fails(&["write", "x", "-v", "equity=lots"]);
    assert!(err.contains("not a whole number"), "{err}");
}

#[test]
fn help_completions_and_man_page() {
    let env = Env::new();
    let help = env.ok(&["--help"]);
    for cmd in [
        "init",
        "write",
        "list",
        "search",
        "show",
        "edit",
        "delete",
        "key",
        "check",
        "export",
        "import",
        "completions",
        "man",
    ] {
        assert!(help.contains(cmd), "help lacks {cmd}");
    }
    assert!(env.ok(&["completions", "bash"]).contains("tend"));
    assert!(env.ok(&["completions", "zsh"]).contains("#compdef tend"));
    assert!(env.ok(&["man"]).contains(".TH tend"));
}

#[test]
fn closed_pipe_is_not_an_error() {
    let env = Env::with_journal();
    let mut cmd = env.std_cmd();
    let mut child = cmd
        .arg("man")
        .stdin(std::process::Stdio::null())
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    drop(child.stdout.take());
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{:?} {}",
        out.status,
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(
        out.stderr.is_empty(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
}

#[test]
fn colour_only_when_asked_and_never_with_no_color() {
    let env = Env::with_journal();
    env.ok(&["write", "colourful", "-v", "equity=3", "-t", "x"]);
    let plain = env
        .cmd()
        .env_remove("NO_COLOR")
        .args(["list"])
        .output()
        .unwrap();
    assert!(
        !plain.stdout.contains(&0x1b),
        "no escapes when not a terminal"
    );
    let forced = env
        .cmd()
        .env_remove("NO_COLOR")
        .args(["--color", "always", "list"])
        .output()
        .unwrap();
    assert!(forced.stdout.contains(&0x1b), "escapes with --color always");
    let refused = env
        .cmd()
        .args(["--color", "always", "list"])
        .output()
        .unwrap();
    assert!(!refused.stdout.contains(&0x1b), "NO_COLOR wins");
}

/// A record is named by its number or by the letters of its handle; text that is neither is
/// refused before the journal is opened, and letters that name nothing say where ids are.
#[test]
fn records_are_named_by_number_or_handle() {
    let env = Env::with_journal();
    env.ok(&["write", "one"]);
    env.ok(&["commit", "add", "Ask first"]);
    let err = env.fails(&["show", "bbbbbbbbbbbb"]);
    assert!(
        err.contains("there is no reflection with the handle bbbbbbbbbbbb"),
        "{err}"
    );
    assert!(err.contains("hint: `tend list` shows the handles"), "{err}");
    let err = env.fails(&["commit", "done", "BBBBBBBBBBBB"]);
    assert!(
        err.contains("there is no commitment with the handle bbbbbbbbbbbb"),
        "capitals read as small letters: {err}"
    );
    assert!(
        err.contains("`tend commit list --all` shows the handles"),
        "{err}"
    );
    let out = env.run(&["delete", "k3x9", "--yes"]);
    assert_eq!(out.status.code(), Some(2), "a usage error");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("“k3x9” is not a record handle"), "{err}");
    assert_eq!(env.listed(&[]).len(), 1, "nothing was deleted");
}
