//! Commitments end to end: made, listed, kept, renegotiated with their history kept, and
//! released with a reason. A commitment past its date is shown as past its date, never as
//! failed.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, saved_id};

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&env.ok(args)).unwrap()
}

fn stderr(out: &std::process::Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

fn no_blame(text: &str) {
    let lower = text.to_lowercase();
    for word in ["fail", "overdue", "late", "missed"] {
        assert!(!lower.contains(word), "{word:?} in {text}");
    }
}

#[test]
fn commit_add_list_show_and_keep() {
    let env = Env::with_journal();
    let out = env.ok(&[
        "commit",
        "add",
        "Share",
        "the rota",
        "-v",
        "equity",
        "-v",
        "transparency",
        "--due",
        "2099-06-01",
    ]);
    let first = saved_id(&out);
    assert!(
        out.contains(&format!("Saved commitment {first}, due 2099-06-01.")),
        "{out}"
    );
    let out = env.ok(&["commit", "add", "Ask what the new member needs"]);
    let second = saved_id(&out);
    assert!(
        out.contains(&format!("Saved commitment {second}.")),
        "{out}"
    );

    let list = env.ok(&["commit", "list"]);
    let lines: Vec<&str> = list.lines().collect();
    assert_eq!(lines.len(), 2, "{list}");
    assert!(
        lines[0].contains("Share the rota") && lines[0].contains("open · due 2099-06-01"),
        "dated first: {list}"
    );
    assert!(lines[0].contains("equity · transparency"));
    assert!(lines[1].contains("Ask what the new member needs"));

    let out = env.ok(&[
        "commit",
        "done",
        &first,
        "--note",
        "posted it in the channel",
    ]);
    assert!(
        out.contains(&format!("Marked commitment {first} kept.")),
        "{out}"
    );
    let list = env.ok(&["commit", "list"]);
    assert!(
        !list.contains("Share the rota"),
        "kept ones leave the default list: {list}"
    );
    let all = env.ok(&["commit", "list", "--all"]);
    assert!(
        all.contains("Share the rota") && all.contains("kept"),
        "{all}"
    );

    let shown = env.ok(&["commit", "show", &first]);
    assert!(
        shown.contains(&format!("Commitment {first} · kept")),
        "{shown}"
    );
    assert!(shown.contains("Equity · Transparency"), "{shown}");
    assert!(shown.contains("made"));
    assert!(shown.contains("kept: posted it in the channel"), "{shown}");

    let c = json(&env, &["commit", "show", &first, "--json"]);
    assert_eq!(c["state"], "kept");
    assert_eq!(c["history"].as_array().unwrap().len(), 2);
    assert_eq!(c["values"][1], "transparency");

    // Done without a note is fine; a kept commitment cannot be kept again.
    env.ok(&["commit", "done", &second]);
    let err = env.fails(&["commit", "done", &second]);
    assert!(err.contains("this commitment is already kept"), "{err}");
    assert!(err.contains("nothing was changed"));
}

#[test]
fn commit_past_its_date_is_allowed_and_never_failed() {
    let env = Env::with_journal();
    let out = env.run(&["commit", "add", "Send the minutes", "--due", "3 days ago"]);
    assert!(out.status.success());
    let id = saved_id(&String::from_utf8_lossy(&out.stdout));
    assert!(
        stderr(&out).contains("That date has already passed; saved all the same."),
        "{}",
        stderr(&out)
    );
    let due = (chrono::Local::now().date_naive() - chrono::Days::new(3)).to_string();

    let list = env.ok(&["commit", "list"]);
    assert!(
        list.contains(&format!("past its date (was due {due})")),
        "{list}"
    );
    no_blame(&list);
    let shown = env.ok(&["commit", "show", &id]);
    assert!(shown.contains("past its date"), "{shown}");
    no_blame(&shown);
    let all = json(&env, &["commit", "list", "--json"]);
    assert_eq!(all[0]["past_date"], true);

    // A date still to come says nothing extra.
    let out = env.run(&["commit", "add", "Book the room", "--due", "tomorrow"]);
    assert!(out.status.success());
    assert!(!stderr(&out).contains("already passed"));
    assert_eq!(
        json(&env, &["commit", "list", "--json"])[1]["past_date"],
        false
    );
}

#[test]
fn commit_renegotiate_keeps_the_history() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&[
        "commit",
        "add",
        "Draft the pay policy",
        "--due",
        "2099-01-10",
    ]));
    let out = env.ok(&[
        "commit",
        "renegotiate",
        &id,
        "--text",
        "Draft the pay policy with Ana",
        "--due",
        "2099-02-01",
        "--note",
        "Ana offered to help",
    ]);
    assert!(
        out.contains(&format!(
            "Renegotiated commitment {id}: renegotiated · due 2099-02-01"
        )),
        "{out}"
    );

    let shown = env.ok(&["commit", "show", &id]);
    assert!(shown.contains("Draft the pay policy with Ana"));
    assert!(
        shown.contains("renegotiated: Ana offered to help"),
        "{shown}"
    );
    assert!(
        shown.contains("the words were: Draft the pay policy"),
        "{shown}"
    );
    assert!(shown.contains("the date was: 2099-01-10"), "{shown}");
    assert!(
        env.ok(&["commit", "list"]).contains("renegotiated"),
        "still carried"
    );

    let c = json(&env, &["commit", "show", &id, "--json"]);
    assert_eq!(c["state"], "renegotiated");
    assert_eq!(c["history"][1]["previous_text"], "Draft the pay policy");
    assert_eq!(c["due"], "2099-02-01");

    // A renegotiation can be made again, and to a date already gone (said so).
    let out = env.run(&[
        "commit",
        "renegotiate",
        &id,
        "--due",
        "yesterday",
        "--note",
        "it was done in spirit",
    ]);
    assert!(out.status.success());
    assert!(stderr(&out).contains("That date has already passed"));
    assert_eq!(
        json(&env, &["commit", "show", &id, "--json"])["history"]
            .as_array()
            .unwrap()
            .len(),
        3
    );
}

#[test]
fn commit_renegotiate_needs_a_change_and_a_note() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&["commit", "add", "Call the landlord", "--due", "2099-01-10"]));
    let err = env.fails(&["commit", "renegotiate", &id, "--note", "just because"]);
    assert!(
        err.contains("a renegotiation needs new words (--text) or a new date (--due)"),
        "{err}"
    );
    let err = env.fails(&[
        "commit",
        "renegotiate",
        &id,
        "--due",
        "2099-02-01",
        "--note",
        "   ",
    ]);
    assert!(err.contains("this step needs a note"), "{err}");
    assert!(err.contains("hint: nothing was changed"), "{err}");
    let out = env.run(&["commit", "renegotiate", &id, "--due", "2099-02-01"]);
    assert_eq!(
        out.status.code(),
        Some(2),
        "a missing --note is a usage error"
    );
    assert!(stderr(&out).contains("--note"));
    let c = json(&env, &["commit", "show", &id, "--json"]);
    assert_eq!(c["state"], "open", "nothing changed");
    assert_eq!(c["history"].as_array().unwrap().len(), 1);
}

#[test]
fn commit_release_with_a_reason() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&["commit", "add", "Run the Thursday group"]));
    let err = env.fails(&["commit", "release", &id, "--note", ""]);
    assert!(err.contains("this step needs a note"), "{err}");
    let out = env.ok(&[
        "commit",
        "release",
        &id,
        "--note",
        "my capacity changed, and that is allowed",
    ]);
    assert!(out.contains(&format!("Released commitment {id}.")), "{out}");
    assert!(!env.ok(&["commit", "list"]).contains("Thursday"));
    let all = env.ok(&["commit", "list", "--all"]);
    assert!(
        all.contains("Run the Thursday group") && all.contains("released"),
        "{all}"
    );
    let shown = env.ok(&["commit", "show", &id]);
    assert!(
        shown.contains("released: my capacity changed, and that is allowed"),
        "{shown}"
    );
    let err = env.fails(&["commit", "done", &id]);
    assert!(err.contains("already released"), "{err}");
    let err = env.fails(&[
        "commit",
        "renegotiate",
        &id,
        "--text",
        "new",
        "--note",
        "again",
    ]);
    assert!(err.contains("already released"), "{err}");
}

#[test]
fn commit_unknown_id_value_date_or_empty_text() {
    let env = Env::with_journal();
    env.ok(&["commit", "add", "Something"]);
    for args in [
        vec!["commit", "show", "42"],
        vec!["commit", "done", "42"],
        vec!["commit", "renegotiate", "42", "--text", "x", "--note", "y"],
        vec!["commit", "release", "42", "--note", "y"],
    ] {
        let err = env.fails(&args);
        assert!(
            err.contains("there is no commitment with id 42"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("hint: `tend commit list --all` shows the handles"),
            "{err}"
        );
    }
    let err = env.fails(&["commit", "add", "x", "-v", "equty"]);
    assert!(err.contains("Did you mean `equity`"), "{err}");
    let err = env.fails(&["commit", "add", "x", "--due", "someday"]);
    assert!(
        err.contains("could not read \"someday\" as a date"),
        "{err}"
    );
    let err = env.fails(&["commit", "add", "   "]);
    assert!(err.contains("nothing was saved"), "{err}");
    assert_eq!(
        json(&env, &["commit", "list", "--all", "--json"])
            .as_array()
            .unwrap()
            .len(),
        1
    );
}

#[test]
fn commit_list_when_there_are_none() {
    let env = Env::with_journal();
    let out = env.run(&["commit", "list"]);
    assert!(out.status.success());
    assert!(out.stdout.is_empty());
    assert!(
        stderr(&out).contains("No commitments being carried"),
        "{}",
        stderr(&out)
    );
    let out = env.run(&["commit", "list", "--all"]);
    assert!(stderr(&out).contains("No commitments yet"));
    assert_eq!(env.ok(&["commit", "list", "--json"]).trim(), "[]");
}

#[test]
fn commitments_are_not_readable_on_disk() {
    let env = Env::with_journal();
    env.ok(&[
        "commit",
        "add",
        "Tell Priya about the grant",
        "--due",
        "2099-01-01",
    ]);
    let bytes = std::fs::read(&env.journal).unwrap();
    assert!(!common::contains(&bytes, b"Priya"));
    assert!(!common::contains(&bytes, b"2099-01-01"));
}
