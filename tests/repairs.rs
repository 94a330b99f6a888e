//! Repair end to end: the four parts of accountability (self-reflection, apology, repair,
//! changed behaviour) in any order and more than once, a timeline that shows which parts
//! were tended without grading them, content notes, and closing.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, saved_id};

fn json(env: &Env, args: &[&str]) -> serde_json::Value {
    serde_json::from_str(&env.ok(args)).unwrap()
}

#[test]
fn repair_open_steps_in_any_order_and_timeline() {
    let env = Env::with_journal();
    let out = env.run(&[
        "repair",
        "open",
        "I spoke over Sam in the circle",
        "-v",
        "repair",
        "--affected",
        "Sam, and the newer members",
    ]);
    assert!(out.status.success());
    let id = saved_id(&String::from_utf8_lossy(&out.stdout));
    assert!(String::from_utf8_lossy(&out.stdout).contains(&format!("Opened repair {id}.")));
    assert!(String::from_utf8_lossy(&out.stderr).contains("in any order"));

    let out = env.ok(&[
        "repair",
        "step",
        &id,
        "change",
        "--note",
        "I will wait three breaths before answering",
    ]);
    assert!(
        out.contains(&format!(
            "Noted a step of changed behaviour in repair {id}."
        )),
        "{out}"
    );
    env.ok(&[
        "repair",
        "step",
        &id,
        "reflection",
        "--note",
        "I was anxious about the budget",
    ]);
    env.ok(&[
        "repair",
        "step",
        &id,
        "change",
        "--note",
        "Asked Ana to tell me when I do it",
    ]);

    let shown = env.ok(&["repair", "show", &id]);
    assert!(shown.contains(&format!("Repair {id} · open")), "{shown}");
    assert!(shown.contains("I spoke over Sam in the circle"));
    assert!(shown.contains("Affected: Sam, and the newer members"));
    assert!(
        shown.lines().any(|l| l.trim() == "Repair"),
        "the value's name: {shown}"
    );
    let timeline: Vec<&str> = shown.lines().skip_while(|l| *l != "Timeline").collect();
    assert!(timeline[1].ends_with("opened"), "{shown}");
    assert!(
        timeline[2].contains("changed behaviour: I will wait three breaths"),
        "{shown}"
    );
    assert!(
        timeline[3].contains("self-reflection: I was anxious"),
        "{shown}"
    );
    assert!(
        timeline[4].contains("changed behaviour: Asked Ana"),
        "{shown}"
    );
    assert!(
        shown.contains("Tended: self-reflection, changed behaviour"),
        "{shown}"
    );
    assert!(shown.contains("Not yet: apology, repair"), "{shown}");
    // The default prompts for the parts not yet tended, as suggestions.
    assert!(
        shown.contains("What impact do you want to acknowledge"),
        "{shown}"
    );
    assert!(
        shown.contains("What is needed to make things right"),
        "{shown}"
    );
    assert!(
        !shown.contains("What will you do differently next time?"),
        "tended parts are not re-asked"
    );
    let lower = shown.to_lowercase();
    for word in ["score", "grade", "%", "incomplete", "fail"] {
        assert!(!lower.contains(word), "{word:?}: {shown}");
    }

    let r = json(&env, &["repair", "show", &id, "--json"]);
    assert_eq!(r["steps"].as_array().unwrap().len(), 3);
    assert_eq!(r["tended"], serde_json::json!(["reflection", "change"]));
    assert_eq!(r["affected"], "Sam, and the newer members");

    let list = env.ok(&["repair", "list"]);
    assert!(
        list.contains("open") && list.contains("I spoke over Sam"),
        "{list}"
    );
    assert!(
        list.contains("tended: self-reflection, changed behaviour"),
        "{list}"
    );
}

#[test]
fn repair_close_and_a_step_on_a_closed_repair() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&["repair", "open", "Missed the handover and left Jo covering"]));
    env.ok(&[
        "repair",
        "step",
        &id,
        "apology",
        "--note",
        "Said sorry to Jo, without excuses",
    ]);
    let err = env.fails(&["repair", "close", &id, "--note", " "]);
    assert!(err.contains("this step needs a note"), "{err}");
    let out = env.ok(&[
        "repair",
        "close",
        &id,
        "--note",
        "Jo and I talked it through",
    ]);
    assert!(out.contains(&format!("Closed repair {id}.")), "{out}");

    let err = env.fails(&["repair", "step", &id, "repair", "--note", "one more"]);
    assert!(err.contains("this repair was closed"), "{err}");
    assert!(err.contains("nothing was changed"), "{err}");
    let err = env.fails(&["repair", "close", &id, "--note", "again"]);
    assert!(err.contains("this repair was closed"), "{err}");
    assert_eq!(
        json(&env, &["repair", "show", &id, "--json"])["steps"]
            .as_array()
            .unwrap()
            .len(),
        1
    );

    let shown = env.ok(&["repair", "show", &id]);
    assert!(shown.contains(&format!("Repair {id} · closed")), "{shown}");
    assert!(
        shown.contains("closed: Jo and I talked it through"),
        "{shown}"
    );
    assert!(shown.contains("Tended: apology"));
    assert!(
        !shown.contains("Not yet"),
        "a closed repair is not told what it lacked: {shown}"
    );

    let out = env.run(&["repair", "list"]);
    assert!(
        out.stdout.is_empty(),
        "closed repairs leave the default list"
    );
    assert!(String::from_utf8_lossy(&out.stderr).contains("No open repairs"));
    let all = env.ok(&["repair", "list", "--all"]);
    assert!(
        all.contains("closed") && all.contains("Missed the handover"),
        "{all}"
    );
}

#[test]
fn repair_step_needs_a_note_and_a_known_part() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&["repair", "open", "Something happened"]));
    let err = env.fails(&["repair", "step", &id, "reflection", "--note", ""]);
    assert!(err.contains("this step needs a note"), "{err}");
    let out = env.run(&["repair", "step", &id, "forgiveness", "--note", "x"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("reflection") && err.contains("apology") && err.contains("change"),
        "{err}"
    );
    let out = env.run(&["repair", "step", &id, "apology"]);
    assert_eq!(out.status.code(), Some(2), "--note is required");
    let shown = env.ok(&["repair", "show", &id]);
    assert!(shown.contains("Tended: none yet"), "{shown}");
}

#[test]
fn repair_unknown_id() {
    let env = Env::with_journal();
    for args in [
        vec!["repair", "show", "7"],
        vec!["repair", "step", "7", "apology", "--note", "x"],
        vec!["repair", "close", "7", "--note", "x"],
    ] {
        let err = env.fails(&args);
        assert!(
            err.contains("there is no repair with id 7"),
            "{args:?}: {err}"
        );
        assert!(
            err.contains("hint: `tend repair list --all` shows the handles"),
            "{err}"
        );
    }
    let err = env.fails(&["repair", "open", "x", "-v", "nope"]);
    assert!(err.contains("nope"), "{err}");
}

#[test]
fn repair_content_note_makes_reading_a_choice() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&[
        "repair",
        "open",
        "What I said about Kai's accent",
        "--affected",
        "Kai",
        "--content-note",
        "racism at work",
    ]));
    env.ok(&[
        "repair",
        "step",
        &id,
        "reflection",
        "--note",
        "I repeated a stereotype",
    ]);

    let list = env.ok(&["repair", "list"]);
    assert!(list.contains("[content note: racism at work]"), "{list}");
    assert!(!list.contains("Kai"), "{list}");

    let shown = env.ok(&["repair", "show", &id]);
    assert!(shown.contains("Content note: racism at work"), "{shown}");
    assert!(shown.contains("--reveal"));
    for hidden in ["Kai", "stereotype"] {
        assert!(!shown.contains(hidden), "{hidden}: {shown}");
    }
    assert!(
        shown.contains("self-reflection"),
        "the timeline still shows the parts: {shown}"
    );

    let revealed = env.ok(&["repair", "show", &id, "--reveal"]);
    assert!(revealed.contains("What I said about Kai's accent"));
    assert!(revealed.contains("Affected: Kai"));
    assert!(
        revealed.contains("self-reflection: I repeated a stereotype"),
        "{revealed}"
    );

    let hidden = json(&env, &["repair", "show", &id, "--json"]);
    assert!(hidden["text"].is_null() && hidden["affected"].is_null());
    assert!(hidden["steps"][0]["note"].is_null());
    assert_eq!(hidden["content_note"], "racism at work");
    let listed = json(&env, &["repair", "list", "--json"]);
    assert!(listed[0]["text"].is_null());
    let shown = json(&env, &["repair", "show", &id, "--json", "--reveal"]);
    assert_eq!(shown["text"], "What I said about Kai's accent");
}

#[test]
fn repair_prompts_come_from_the_values_pack() {
    let env = Env::new();
    env.ok(&["init", "--pack", "therapy-coop"]);
    let id = saved_id(&env.ok(&["repair", "open", "Cancelled on a client at short notice"]));
    let shown = env.ok(&["repair", "show", &id]);
    assert!(
        shown.contains("What impact do you want to name, whatever you intended?"),
        "{shown}"
    );
    assert!(
        !shown.contains("What impact do you want to acknowledge"),
        "{shown}"
    );
}

#[test]
fn repairs_are_not_readable_on_disk() {
    let env = Env::with_journal();
    let id = saved_id(&env.ok(&[
        "repair",
        "open",
        "Snapped at Morgan",
        "--affected",
        "Morgan",
    ]));
    env.ok(&[
        "repair",
        "step",
        &id,
        "apology",
        "--note",
        "Apologised to Morgan",
    ]);
    let bytes = std::fs::read(&env.journal).unwrap();
    assert!(!common::contains(&bytes, b"Morgan"));
    assert!(!common::contains(&bytes, b"apology"));
}
