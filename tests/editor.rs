//! Writing in an editor: the template, comment stripping, editor errors, and a private
//! temporary file that is gone afterwards.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, files_under, script};

/// tend only opens the editor when stdin is a terminal; tests give it one through a
/// pseudo-terminal.
pub fn run_in_pty(env: &Env, editor: &std::path::Path, args: &str) -> (i32, String) {
    let mut p = common::pty();
    run_in_session(&mut p, env, editor, args)
}

#[test]
fn editor_template_is_stripped_and_temp_file_is_private_and_removed() {
    let env = Env::with_journal();
    let seen = env.path("seen");
    let editor = env.path("fake-editor");
    // The fake editor records the file's mode, its folder's mode, and a prompt it saw,
    // then writes a reflection above the comment lines.
    script(
        &editor,
        &format!(
            "stat -c '%a' \"$1\" > '{seen}'; stat -c '%a' \"$(dirname \"$1\")\" >> '{seen}'; grep -c 'Equity' \"$1\" >> '{seen}'; echo \"$1\" >> '{seen}'\n\
             {{ echo 'Written in the editor about fair rotas'; cat \"$1\"; }} > \"$1.new\" && mv \"$1.new\" \"$1\"",
            seen = seen.display()
        ),
    );
    let (code, output) = run_in_pty(&env, &editor, "write -v equity=3");
    assert_eq!(code, 0, "{output}");
    let id = common::saved_id(&output);
    let seen = std::fs::read_to_string(&seen).unwrap();
    let lines: Vec<&str> = seen.lines().collect();
    assert_eq!(lines[0], "600", "the file is 0600");
    assert_eq!(lines[1], "700", "its folder is 0700");
    assert_ne!(
        lines[2], "0",
        "the template shows the value's name and prompts"
    );
    assert!(
        lines[3].starts_with(env.runtime.to_str().unwrap()),
        "it lives in XDG_RUNTIME_DIR: {}",
        lines[3]
    );
    assert!(
        files_under(&env.runtime).is_empty(),
        "nothing is left behind"
    );
    let shown = env.ok(&["show", &id]);
    assert!(shown.contains("Written in the editor about fair rotas"));
    assert!(!shown.contains('#'), "comment lines are stripped: {shown}");
}

#[test]
fn editor_error_or_empty_text_saves_nothing() {
    let env = Env::with_journal();
    let failing = env.path("failing-editor");
    script(&failing, "echo 'half a thought' > \"$1\"; exit 1");
    let (code, output) = run_in_pty(&env, &failing, "write");
    assert_eq!(code, 1);
    assert!(
        output.contains("the editor exited with an error"),
        "{output}"
    );
    assert!(output.contains("nothing was saved"));
    let untouched = env.path("untouched-editor");
    script(&untouched, "true");
    let (_, output) = run_in_pty(&env, &untouched, "write");
    assert!(
        output.contains("the reflection is empty, so nothing was saved"),
        "{output}"
    );
    assert!(files_under(&env.runtime).is_empty());
    assert_eq!(env.ok(&["list", "--json"]).trim(), "[]");
}

#[test]
fn edit_opens_the_existing_text() {
    let env = Env::with_journal();
    let id = env.write(&["original words"]);
    let editor = env.path("sed-editor");
    script(&editor, "sed -i 's/original/revised/' \"$1\"");
    let (_, output) = run_in_pty(&env, &editor, &format!("edit {id}"));
    assert!(
        output.contains(&format!("Updated reflection {id}")),
        "{output}"
    );
    assert!(env.ok(&["show", &id]).contains("revised words"));
    assert!(files_under(&env.runtime).is_empty());
}

#[test]
fn no_core_dumps_while_the_journal_is_unlocked() {
    let env = Env::with_journal();
    let seen = env.path("core-limit");
    let editor = env.path("limit-editor");
    // The editor runs while tend holds the unlocked key; it inherits tend's limits. tend
    // itself is its grandparent (tend → sh → editor), whose limits /proc shows directly.
    script(
        &editor,
        &format!(
            "ulimit -c > '{seen}'; tend_pid=$(ps -o ppid= -p $PPID | tr -d ' '); grep 'core file' /proc/$tend_pid/limits >> '{seen}'; echo text > \"$1\"",
            seen = seen.display()
        ),
    );
    // Start from a shell that allows core dumps, so the limit can only come from tend.
    let mut p = common::pty();
    p.send_line("ulimit -S -c unlimited 2>/dev/null || true")
        .unwrap();
    let (code, output) = run_in_session(&mut p, &env, &editor, "write");
    assert_eq!(code, 0, "{output}");
    let seen = std::fs::read_to_string(&seen).unwrap();
    let mut lines = seen.lines();
    assert_eq!(
        lines.next(),
        Some("0"),
        "the editor inherited a core limit of 0: {seen}"
    );
    let proc_line = lines.next().unwrap_or("");
    let fields: Vec<&str> = proc_line.split_whitespace().collect();
    assert!(
        fields.len() >= 6 && fields[4] == "0" && fields[5] == "0",
        "tend's own limits: {proc_line}"
    );
}

/// Like [`run_in_pty`], in a session the test prepared.
fn run_in_session(
    p: &mut rexpect::session::PtyReplSession,
    env: &Env,
    editor: &std::path::Path,
    args: &str,
) -> (i32, String) {
    let cmdline = format!(
        "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_PASSPHRASE_FILE='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 XDG_RUNTIME_DIR='{}' NO_COLOR=1 EDITOR='{}' '{}' {args}; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        env.pass_file.display(),
        env.runtime.display(),
        editor.display(),
        common::tend_bin().display()
    );
    p.send_line(&cmdline).unwrap();
    let (before, matched) = p.exp_regex("EXIT=[0-9]+").unwrap();
    (matched.trim_start_matches("EXIT=").parse().unwrap(), before)
}

/// A private folder left by a killed tend is swept the next time the editor opens, and a
/// private folder that is not in memory is named.
#[test]
fn stale_folders_are_swept_and_a_folder_on_disk_is_named() {
    let env = Env::with_journal();
    let stale = env
        .runtime
        .join(format!("tend-{}-0123456789abcdef", u32::MAX));
    std::fs::create_dir(&stale).unwrap();
    std::fs::write(stale.join("reflection.md"), "left behind by a killed tend").unwrap();
    let editor = env.path("fake-editor");
    script(&editor, "echo 'A second thought' > \"$1\"");
    let (code, output) = run_in_pty(&env, &editor, "write");
    assert_eq!(code, 0, "{output}");
    assert!(!stale.exists(), "the stale folder is gone");
    assert!(files_under(&env.runtime).is_empty());
    let fs_type = std::process::Command::new("stat")
        .args(["-f", "-c", "%T"])
        .arg(&env.runtime)
        .output()
        .unwrap();
    let in_memory = String::from_utf8_lossy(&fs_type.stdout).trim() == "tmpfs";
    assert_eq!(
        output.contains("may be kept on disk"),
        !in_memory,
        "{output}"
    );
}
