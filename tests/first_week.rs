//! The first week: a new passphrase is rated (the weakest refused, the guessable named with
//! a suggestion), and a new journal says once that a lost passphrase cannot be recovered.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

#[test]
fn the_weakest_passphrases_are_refused_and_say_why() {
    let env = Env::new();
    for weak in ["password", "123456", "qwerty"] {
        std::fs::write(&env.pass_file, format!("{weak}\n")).unwrap();
        let err = env.fails(&["init"]);
        assert!(err.contains("first few thousand"), "{err}");
        assert!(err.contains("hint: choose several random words"), "{err}");
        assert!(!env.journal.exists(), "nothing was created");
    }
}

#[test]
fn a_guessable_passphrase_is_named_plainly_then_allowed() {
    let env = Env::new();
    std::fs::write(&env.pass_file, "summer2024\n").unwrap();
    let out = env.run(&["init"]);
    assert!(out.status.success());
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("could be guessed"), "{err}");
    assert!(err.contains("Several random words are stronger"), "{err}");
}

#[test]
fn a_new_journal_says_once_that_a_lost_passphrase_cannot_be_recovered() {
    let env = Env::new();
    let out = env.run(&["init"]);
    let err = String::from_utf8(out.stderr).unwrap();
    assert!(err.contains("nobody can open this journal again"), "{err}");
    assert!(err.contains("tend key add"), "{err}");
    assert!(!err.contains("could be guessed"), "{err}");
    let out = env.run(&["list"]);
    assert!(
        !String::from_utf8(out.stderr)
            .unwrap()
            .contains("nobody can open")
    );
}

#[test]
fn a_weak_passphrase_typed_on_the_terminal_is_asked_again() {
    let env = Env::new();
    let mut p = common::pty();
    p.send_line(&format!(
        "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 XDG_RUNTIME_DIR='{}' NO_COLOR=1 '{}' init; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        env.journal.display(),
        env.runtime.display(),
        common::tend_bin().display()
    ))
    .unwrap();
    p.exp_string("Choose a passphrase").unwrap();
    p.send_line("qwerty").unwrap();
    p.exp_string("tend will not use it").unwrap();
    p.exp_string("Choose a passphrase").unwrap();
    p.send_line("summer2024").unwrap();
    p.exp_string("Use it anyway?").unwrap();
    p.send_line("n").unwrap();
    p.exp_string("Choose a passphrase").unwrap();
    p.send_line(common::PASSPHRASE).unwrap();
    p.exp_string("Type it again").unwrap();
    p.send_line(common::PASSPHRASE).unwrap();
    let (before, code) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(code, "EXIT=0", "{before}");
    assert!(env.journal.exists());
}
