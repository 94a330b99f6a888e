//! A newcomer's first command just works: `tend write` with no journal offers to create one
//! on a terminal, asks for a passphrase twice, and saves the reflection.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

#[test]
fn first_write_offers_to_create_a_journal() {
    let env = Env::new();
    let cmdline = format!(
        "env -i HOME='{}' PATH='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 '{}' write 'My first reflection' -v equity=4; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        common::tend_bin().display()
    );
    let mut p = common::pty();
    p.send_line(&cmdline).unwrap();
    p.exp_string("There is no journal at").unwrap();
    p.exp_string("Create one now").unwrap();
    p.send_line("y").unwrap();
    p.exp_string("Choose a passphrase").unwrap();
    p.send_line("first passphrase").unwrap();
    p.exp_string("Type it again").unwrap();
    p.send_line("not the same").unwrap();
    p.exp_string("did not match").unwrap();
    p.exp_string("Choose a passphrase").unwrap();
    p.send_line("first passphrase").unwrap();
    p.exp_string("Type it again").unwrap();
    p.send_line("first passphrase").unwrap();
    let (before, code) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(code, "EXIT=0", "{before}");
    assert!(before.contains("Saved reflection "), "{before}");
    let journal = env.home.join(".local/share/tend/journal.tend");
    assert!(journal.exists());
    let pass = env.file("pass", "first passphrase\n");
    let out = env
        .cmd()
        .env("TEND_JOURNAL", &journal)
        .env("TEND_PASSPHRASE_FILE", &pass)
        .args(["list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("My first reflection"));
}

#[test]
fn three_tries_on_a_terminal_then_nothing_changes() {
    let env = Env::with_journal();
    let before = env.snapshot();
    let cmdline = format!(
        "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' '{}' write 'should not land'; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        common::tend_bin().display()
    );
    let mut p = common::pty();
    p.send_line(&cmdline).unwrap();
    for _ in 0..3 {
        p.exp_string("Passphrase:").unwrap();
        p.send_line("wrong guess").unwrap();
    }
    let (before_exit, code) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(code, "EXIT=1", "{before_exit}");
    assert!(before_exit.contains("that passphrase does not open this journal"));
    assert!(before == env.snapshot(), "nothing changed");
}

#[test]
fn the_right_passphrase_on_the_second_try() {
    let env = Env::with_journal();
    let cmdline = format!(
        "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' '{}' write 'typed on a terminal'; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        common::tend_bin().display()
    );
    let mut p = common::pty();
    p.send_line(&cmdline).unwrap();
    p.exp_string("Passphrase:").unwrap();
    p.send_line("wrong guess").unwrap();
    p.exp_string("Passphrase:").unwrap();
    p.send_line(common::PASSPHRASE).unwrap();
    let (before, code) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(code, "EXIT=0", "{before}");
    assert!(env.ok(&["list"]).contains("typed on a terminal"));
}
