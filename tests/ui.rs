//! `tend ui`, driven in a pseudo-terminal: the real binary, real keys, and what it draws read
//! back into a screen of cells (vt100), so the tests see what a person would see.
//!
//! The main walk: write a reflection with two values and a rating, find it by search, open
//! it, edit it, leave; the CLI then lists exactly that.
#![allow(clippy::unwrap_used)]

mod common;

use std::time::Duration;

use common::Env;
use common::screen::{Ui, ui_cmdline};

fn listed(env: &Env) -> Vec<serde_json::Value> {
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    list.as_array().unwrap().clone()
}

/// Reflection `id` as `tend show --json` prints it.
fn shown(env: &Env, id: &str) -> serde_json::Value {
    serde_json::from_str(&env.ok(&["show", id, "--json"])).unwrap()
}

/// The one reflection the journal holds, as `tend show --json` prints it.
fn the_only_one(env: &Env) -> serde_json::Value {
    let ids = env.listed(&[]);
    assert_eq!(ids.len(), 1, "exactly one reflection: {ids:?}");
    shown(env, &ids[0])
}

#[test]
fn write_search_open_edit_and_leave() {
    let env = Env::with_journal();
    let mut ui = Ui::start(&env, "");
    ui.wait_for("Journal, newest first");
    ui.wait_for("Nothing here yet");

    // Write, with two values and one rating.
    ui.typed("w");
    ui.wait_for("Today's reflection");
    ui.typed("Made room for the quietest voice in the circle.");
    ui.typed("\t"); // to the values
    ui.typed(" 4"); // Equity, rated 4
    ui.typed("j "); // Transparency, no rating
    ui.wait_for("[x] Transparency (no rating)");
    ui.wait_for("[x] Equity 4 mostly");
    ui.ctrl('s');
    ui.wait_for("Saved reflection ");

    // Find it by search, open it, edit it.
    ui.typed("/quietest");
    ui.wait_for("1 of 1 reflections");
    ui.typed("\r"); // keep the search
    ui.typed("\r"); // open
    ui.wait_for("Reflection ");
    ui.wait_for("Equity: 4 of 5, mostly");
    ui.typed("e");
    ui.wait_for("Editing reflection ");
    ui.typed(" It mattered.");
    ui.ctrl('s');
    ui.wait_for("Updated reflection ");

    // A search with no match, then leave.
    ui.typed("/nothing-like-this");
    ui.wait_for("0 of 1 reflections");
    ui.esc(); // clears the search
    ui.wait_for("1 of 1 reflections");
    ui.typed("q");
    let (code, screen) = ui.finish();
    assert_eq!(code, 0, "{screen}");

    let list = listed(&env);
    assert_eq!(list.len(), 1, "exactly one reflection: {list:?}");
    let r = shown(&env, &common::json_id(&list[0]["id"]));
    assert_eq!(
        r["text"],
        "Made room for the quietest voice in the circle. It mattered."
    );
    assert_eq!(
        r["values"],
        serde_json::json!([{ "value": "equity", "rating": 4 }, { "value": "transparency" }])
    );
    assert_eq!(r["on"], chrono::Local::now().date_naive().to_string());
    assert!(r["edited"].is_string(), "{r:?}");
    assert!(
        r.get("tags")
            .is_none_or(|t| t.as_array().is_some_and(Vec::is_empty)),
        "{r:?}"
    );
}

#[test]
fn leaving_a_draft_asks_once_and_keeps_nothing() {
    let env = Env::with_journal();
    let mut ui = Ui::start(&env, "");
    ui.wait_for("Journal, newest first");
    ui.typed("w");
    ui.wait_for("Today's reflection");
    ui.typed("Something I would rather not keep");
    ui.esc();
    ui.wait_for("Leave without saving?");
    ui.typed("y");
    ui.wait_for("nothing of it was kept");
    // Leaving an untouched draft asks nothing.
    ui.typed("w");
    ui.wait_for("Today's reflection");
    ui.esc();
    ui.wait_for("Journal, newest first");
    ui.typed("q");
    let (code, screen) = ui.finish();
    assert_eq!(code, 0, "{screen}");
    assert!(listed(&env).is_empty());
}

#[test]
fn ctrl_c_with_a_draft_asks_and_no_keeps_writing() {
    let env = Env::with_journal();
    let mut ui = Ui::start(&env, "");
    ui.wait_for("Journal, newest first");
    ui.typed("w");
    ui.wait_for("Today's reflection");
    ui.typed("Half a thought");
    ui.ctrl('c');
    ui.wait_for("Leave tend?");
    ui.typed("n");
    ui.typed(", finished.");
    ui.ctrl('s');
    ui.wait_for("Saved reflection ");
    ui.ctrl('c');
    let (code, _) = ui.finish();
    assert_eq!(code, 0);
    assert_eq!(the_only_one(&env)["text"], "Half a thought, finished.");
}

#[test]
fn delete_asks_and_no_keeps_it() {
    let env = Env::with_journal();
    env.ok(&["write", "First of two", "--on", "2026-03-01"]);
    env.ok(&["write", "Second of two", "--on", "2026-03-02"]);
    let mut ui = Ui::start(&env, "");
    ui.wait_for("Second of two");
    ui.typed("x");
    ui.wait_for("Delete this reflection?");
    ui.typed("n");
    ui.wait_for("Kept reflection ");
    ui.typed("x");
    ui.wait_for("Delete this reflection?");
    ui.typed("y");
    ui.wait_for("Deleted reflection ");
    ui.typed("q");
    assert_eq!(ui.finish().0, 0);
    let list = listed(&env);
    assert_eq!(list.len(), 1);
    assert_eq!(
        shown(&env, &common::json_id(&list[0]["id"]))["text"],
        "First of two"
    );
}

#[test]
fn a_content_note_hides_the_text_until_asked() {
    let env = Env::with_journal();
    env.ok(&[
        "write",
        "The hard part of the day",
        "--content-note",
        "a loss",
    ]);
    let mut ui = Ui::start(&env, "");
    ui.wait_for("[content note: a loss]");
    assert!(!ui.contents().contains("The hard part"));
    ui.typed("\r");
    ui.wait_for("Press r when you want to read it.");
    assert!(!ui.contents().contains("The hard part"));
    ui.typed("r");
    ui.wait_for("The hard part of the day");
    ui.esc();
    ui.typed("q");
    assert_eq!(ui.finish().0, 0);
}

#[test]
fn commitments_follow_the_cli_rules() {
    let env = Env::with_journal();
    let rota = common::saved_id(&env.ok(&["commit", "add", "Send the rota to everyone"]));
    let talk = common::saved_id(&env.ok(&["repair", "open", "Talked over a colleague"]));
    let mut ui = Ui::start(&env, "");
    ui.wait_for("Journal, newest first");
    ui.typed("3");
    ui.wait_for("Send the rota to everyone");
    // Releasing needs a note: an empty one is refused, in the form.
    ui.typed("r");
    ui.wait_for("Release: Send the rota");
    ui.typed("\r");
    ui.wait_for("This step needs a note");
    ui.typed("Someone else took it on\r");
    ui.wait_for(&format!("Released commitment {rota}."));
    // A repair step, then the repair is closed.
    ui.typed("l");
    ui.typed("a");
    ui.wait_for("A repair step");
    ui.typed("\t");
    ui.typed("Sat with what happened\r");
    ui.wait_for(&format!("Added a self-reflection step to repair {talk}."));
    ui.typed("q");
    assert_eq!(ui.finish().0, 0);
    let c: serde_json::Value =
        serde_json::from_str(&env.ok(&["commit", "show", &rota, "--json"])).unwrap();
    assert_eq!(c["state"], "released");
    let r: serde_json::Value =
        serde_json::from_str(&env.ok(&["repair", "show", &talk, "--json"])).unwrap();
    assert_eq!(r["steps"][0]["note"], "Sat with what happened");
    assert_eq!(r["steps"][0]["part"], "reflection");
}

#[test]
fn the_passphrase_is_asked_inside_the_interface() {
    let env = Env::with_journal();
    env.ok(&["write", "Behind the lock"]);
    let mut ui = Ui::start(&env, "TEND_PASSPHRASE_FILE=");
    ui.wait_for("Your journal is locked.");
    ui.typed("not the passphrase\r");
    ui.wait_for("That passphrase does not open this journal. Try again.");
    assert!(
        !ui.contents().contains("not the passphrase"),
        "it is never drawn"
    );
    ui.typed(&format!("{}\r", common::PASSPHRASE));
    ui.wait_for("Behind the lock");
    ui.typed("q");
    assert_eq!(ui.finish().0, 0);
}

#[test]
fn after_tend_unlock_it_opens_without_asking() {
    let env = Env::with_journal();
    env.ok(&["write", "Kept by the agent"]);
    env.ok(&["unlock"]);
    // No passphrase file: only the agent's key can open it without asking.
    let mut ui = Ui::start(&env, "TEND_PASSPHRASE_FILE=");
    ui.wait_for("Kept by the agent");
    assert!(
        !ui.contents().contains("Your journal is locked."),
        "nothing is asked"
    );
    ui.typed("q");
    assert_eq!(ui.finish().0, 0);
    env.ok(&["lock"]);
    // Locked again, the interface asks.
    let mut ui = Ui::start(&env, "TEND_PASSPHRASE_FILE=");
    ui.wait_for("Your journal is locked.");
    ui.typed("\x1b");
    ui.finish();
}

#[test]
fn leaving_at_the_passphrase_or_three_wrong_tries_change_nothing() {
    let env = Env::with_journal();
    let mut ui = Ui::start(&env, "TEND_PASSPHRASE_FILE=");
    ui.wait_for("Your journal is locked.");
    ui.esc();
    let (code, screen) = ui.finish();
    assert_eq!(code, 1);
    assert!(
        screen.contains("you left before unlocking; nothing was changed"),
        "{screen}"
    );

    let mut ui = Ui::start(&env, "TEND_PASSPHRASE_FILE=");
    for _ in 0..3 {
        ui.wait_for("Your journal is locked.");
        ui.typed("wrong\r");
        std::thread::sleep(Duration::from_millis(200));
    }
    let (code, screen) = ui.finish();
    assert_eq!(code, 1);
    assert!(screen.contains("three times"), "{screen}");
    assert!(screen.contains("hint: check the passphrase"), "{screen}");
}

#[test]
fn an_identity_file_opens_it_without_asking() {
    let env = Env::new();
    let key = env.path("me.key");
    env.ok(&["retreat", "keygen", "-o", key.to_str().unwrap()]);
    env.cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(["init", "--identity", key.to_str().unwrap()])
        .assert()
        .success();
    let mut ui = Ui::start(
        &env,
        &format!("TEND_PASSPHRASE_FILE= TEND_IDENTITY='{}'", key.display()),
    );
    ui.wait_for("Journal, newest first");
    assert!(!ui.contents().contains("locked"));
    ui.typed("q");
    assert_eq!(ui.finish().0, 0);
}

#[test]
fn a_signal_restores_the_terminal() {
    let env = Env::with_journal();
    let mut pty = common::pty();
    let before = env.path("before.stty");
    pty.send_line(&format!("stty -g > '{}'", before.display()))
        .unwrap();
    // The shell prints tend's process id, then becomes tend.
    pty.send_line(&ui_cmdline(&env, "").replace(
        "; env -i",
        "; sh -c 'echo TENDPID=$$; exec \"$0\" \"$@\"' env -i",
    ))
    .unwrap();
    let (_, line) = pty.exp_regex("TENDPID=[0-9]+").unwrap();
    let pid = line.trim_start_matches("TENDPID=").to_owned();
    let mut ui = Ui::attach(pty);
    ui.wait_for("Journal, newest first");
    let status = std::process::Command::new("kill")
        .args(["-TERM", &pid])
        .status()
        .unwrap();
    assert!(status.success());
    let (code, _) = ui.finish();
    assert_eq!(code, 128 + 15, "ended as a signal ends a program");
    assert!(
        !ui.screen.screen().alternate_screen(),
        "back on the main screen"
    );
    assert!(!ui.screen.screen().hide_cursor(), "the cursor shows again");
    ui.typed(&format!(
        "stty -g | cmp -s - '{}' && echo SAME-\"MODES\" || echo OTHER-\"MODES\"\r",
        before.display()
    ));
    ui.wait_for("-MODES");
    let shown = ui.contents();
    assert!(
        shown.contains("SAME-MODES"),
        "the terminal's modes are as before: {shown}"
    );
}

#[test]
fn without_a_terminal_it_says_so() {
    let env = Env::with_journal();
    let err = env.fails(&["ui"]);
    assert!(err.contains("tend ui needs a terminal to draw on"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let env = Env::new();
    let err = env.fails(&["ui"]);
    assert!(err.contains("there is no journal at"), "{err}");
}
