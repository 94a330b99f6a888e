//! The guided reflection, driven through a pseudo-terminal: questions one at a time, Enter
//! skips, `:q` leaves and keeps nothing, and nothing is saved without seeing it and saying yes.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;
use rexpect::session::PtyReplSession;

/// A small pack, so the questions are few and known.
const PACK: &str = r#"
[pack]
name = "Test cooperative"

[[value]]
id = "care"
name = "Care"
description = "Looking after each other."
prompts = ["Who did you look after?", "Who looked after you?"]

[[value]]
id = "voice"
name = "Voice"
description = "Every voice counts."
prompts = ["Whose voice was missing?"]
"#;

fn env_with_pack() -> Env {
    let env = Env::new();
    let pack = env.file("pack.toml", PACK);
    env.ok(&["init", "--pack", pack.to_str().unwrap()]);
    env
}

/// Starts `tend reflect ARGS` on a pseudo-terminal, with the same clean environment as
/// [`Env::cmd`]; the shell prints `EXIT=<code>` when tend ends.
fn reflect(env: &Env, args: &str) -> PtyReplSession {
    let cmdline = format!(
        "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_PASSPHRASE_FILE='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 XDG_RUNTIME_DIR='{}' NO_COLOR=1 '{}' reflect {args}; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        env.pass_file.display(),
        env.runtime.display(),
        common::tend_bin().display()
    );
    let mut p = common::pty();
    p.send_line(&cmdline).unwrap();
    p
}

/// Waits for `question` (ASCII: rexpect reads each byte as a character), then types
/// `answer` and Enter.
fn answer(p: &mut PtyReplSession, question: &str, answer: &str) {
    p.exp_string(question).unwrap();
    p.send_line(answer).unwrap();
}

/// Waits for tend to end; returns its exit code and what it printed since the last answer.
fn finish(p: &mut PtyReplSession) -> (i32, String) {
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    (matched.trim_start_matches("EXIT=").parse().unwrap(), before)
}

fn reflections(env: &Env) -> Vec<serde_json::Value> {
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    list.as_array().unwrap().clone()
}

#[test]
fn reflect_refuses_without_a_terminal() {
    let env = env_with_pack();
    let err = env.fails(&["reflect"]);
    assert!(
        err.contains(
            "tend reflect asks questions one at a time, and there is no terminal to ask on"
        ),
        "{err}"
    );
    assert!(err.contains("hint: write with `tend write`"), "{err}");
}

#[test]
fn reflect_skips_questions_and_saves_with_a_rating() {
    let env = env_with_pack();
    let mut p = reflect(&env, "--on 2026-03-04");
    p.exp_string("Press Enter to skip any question").unwrap();
    answer(
        &mut p,
        "Who did you look after?",
        "Covered Jo's clients on Tuesday",
    );
    answer(&mut p, "Who looked after you?", "");
    answer(&mut p, "Whose voice was missing?", "");
    // Only Care was answered, so only Care is asked for a rating.
    // (rexpect reads bytes one by one as characters, so only ASCII is matched here.)
    p.exp_string("Ratings are optional: 1 not this week")
        .unwrap();
    answer(&mut p, "Alignment rating for Care (Enter skips): ", "9");
    answer(&mut p, "Please type a number from 1 to 5", "4");
    p.exp_string("This is what will be saved:").unwrap();
    p.exp_string("Day: 2026-03-04").unwrap();
    p.exp_string("Care: 4 ").unwrap();
    p.exp_string("Who did you look after?").unwrap();
    p.exp_string("Covered Jo's clients on Tuesday").unwrap();
    answer(&mut p, "Save this reflection? [y/N]", "y");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 0, "{out}");
    let id = common::saved_id(&out);
    assert!(
        out.contains(&format!("Saved reflection {id} for 2026-03-04.")),
        "{out}"
    );
    assert!(!out.contains("Alignment rating for Voice"), "{out}");

    let r: serde_json::Value = serde_json::from_str(&env.ok(&["show", &id, "--json"])).unwrap();
    assert_eq!(
        r["text"],
        "Who did you look after?\nCovered Jo's clients on Tuesday"
    );
    assert_eq!(
        r["values"],
        serde_json::json!([{ "value": "care", "rating": 4 }])
    );
    assert_eq!(r["on"], "2026-03-04");
}

#[test]
fn reflect_chosen_values_are_named_even_without_a_rating() {
    let env = env_with_pack();
    let mut p = reflect(&env, "-v voice -t circle --content-note 'a hard meeting'");
    answer(&mut p, "Whose voice was missing?", "The night staff, again");
    answer(&mut p, "Alignment rating for Voice (Enter skips): ", "");
    p.exp_string("Content note: a hard meeting").unwrap();
    answer(&mut p, "Save this reflection? [y/N]", "yes");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 0, "{out}");
    assert!(
        !out.contains("Who did you look after?"),
        "only the chosen value is asked: {out}"
    );
    let list = reflections(&env);
    assert_eq!(list.len(), 1);
    assert_eq!(list[0]["values"], serde_json::json!([{ "value": "voice" }]));
    assert_eq!(list[0]["tags"], serde_json::json!(["circle"]));
    assert_eq!(list[0]["content_note"], "a hard meeting");
}

#[test]
fn reflect_leaving_with_q_saves_nothing() {
    let env = env_with_pack();
    let mut p = reflect(&env, "");
    answer(
        &mut p,
        "Who did you look after?",
        "Something I would rather not keep",
    );
    answer(&mut p, "Who looked after you?", ":q");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 0, "leaving is a choice, not an error: {out}");
    assert!(out.contains("Nothing was saved"), "{out}");
    assert!(
        !out.contains("Whose voice was missing?"),
        "it leaves at once: {out}"
    );
    assert!(reflections(&env).is_empty());

    // Leaving at the rating keeps nothing either.
    let mut p = reflect(&env, "-v care");
    answer(&mut p, "Who did you look after?", "A first answer");
    answer(&mut p, "Who looked after you?", "");
    answer(&mut p, "Alignment rating for Care", ":q");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 0);
    assert!(out.contains("Nothing was saved"), "{out}");
    assert!(reflections(&env).is_empty());
}

#[test]
fn reflect_every_question_skipped_or_a_no_saves_nothing() {
    let env = env_with_pack();
    let mut p = reflect(&env, "");
    answer(&mut p, "Who did you look after?", "");
    answer(&mut p, "Who looked after you?", "");
    answer(&mut p, "Whose voice was missing?", "");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 0, "{out}");
    assert!(
        out.contains("Every question was skipped, so nothing was saved."),
        "{out}"
    );
    assert!(!out.contains("Alignment rating"), "{out}");

    let mut p = reflect(&env, "");
    answer(&mut p, "Who did you look after?", "");
    answer(&mut p, "Who looked after you?", "Ana checked in on me");
    answer(&mut p, "Whose voice was missing?", "");
    answer(&mut p, "Alignment rating for Care", "");
    p.exp_string("Ana checked in on me").unwrap();
    answer(&mut p, "Save this reflection? [y/N]", "");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 0);
    assert!(
        out.contains("Nothing was saved."),
        "Enter at the last question means no: {out}"
    );
    assert!(reflections(&env).is_empty());
}

#[test]
fn reflect_checks_values_before_asking() {
    let env = env_with_pack();
    let mut p = reflect(&env, "-v equity");
    let (code, out) = finish(&mut p);
    assert_eq!(code, 1);
    assert!(out.contains("equity"), "{out}");
    assert!(!out.contains("Who did you look after?"));
}
