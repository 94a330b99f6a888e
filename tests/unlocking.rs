//! Unlocking and unlockers: passphrase sources, identity files, `tend key`, and the errors
//! that leave everything as it was.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, PASSPHRASE};

fn keygen(env: &Env, name: &str) -> (std::path::PathBuf, String) {
    let path = env.path(name);
    let identity = age::x25519::Identity::generate();
    use age::secrecy::ExposeSecret;
    std::fs::write(
        &path,
        format!(
            "# test identity\n{}\n",
            identity.to_string().expose_secret()
        ),
    )
    .unwrap();
    (path, identity.to_public().to_string())
}

#[test]
fn wrong_passphrase_changes_nothing() {
    let env = Env::with_journal();
    env.ok(&["write", "kept safe"]);
    let before = env.snapshot();
    let wrong = env.file("wrong", "not the passphrase\n");
    let out = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &wrong)
        .args(["write", "intruder"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("that passphrase does not open this journal"),
        "{err}"
    );
    assert!(err.contains("nothing was changed"));
    assert_eq!(
        err.lines().count(),
        2,
        "one line of error, one of hint: {err}"
    );
    assert!(before == env.snapshot(), "nothing changed");
}

#[test]
fn passphrase_command_and_no_terminal() {
    let env = Env::with_journal();
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .env(
            "TEND_PASSPHRASE_COMMAND",
            format!("cat '{}'", env.pass_file.display()),
        )
        .args(["write", "via a command"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(["list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("no terminal"), "{err}");
    assert!(err.contains("TEND_PASSPHRASE_FILE"));
    let out = env
        .cmd()
        .env_remove("TEND_PASSPHRASE_FILE")
        .env("TEND_PASSPHRASE_COMMAND", "exit 3")
        .args(["list"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("exited with"));
}

#[test]
fn passphrase_is_never_an_argument() {
    let env = Env::new();
    let out = env.run(&["init", "--passphrase", PASSPHRASE]);
    assert!(!out.status.success());
}

#[test]
fn identity_journal_and_key_management() {
    let env = Env::new();
    let (id_file, recipient) = keygen(&env, "me.key");
    let id = id_file.to_str().unwrap();
    env.ok(&["--identity", id, "init"]);
    env.ok(&["--identity", id, "write", "opened with a key"]);
    // The passphrase does not open an identity-only journal.
    let err = env.fails(&["list"]);
    assert!(err.contains("does not open with a passphrase"), "{err}");
    let list = env.ok(&["--identity", id, "key", "list"]);
    assert!(
        list.contains(&recipient) && list.contains("opened it this time"),
        "{list}"
    );
    // Add a passphrase, then open with it.
    env.ok(&[
        "--identity",
        id,
        "key",
        "add",
        "--new-passphrase-file",
        env.pass_file.to_str().unwrap(),
    ]);
    assert!(env.ok(&["list"]).contains("opened with a key"));
    // Another person's key does not open it.
    let (other, _) = keygen(&env, "other.key");
    let err = env.fails(&["--identity", other.to_str().unwrap(), "list"]);
    assert!(
        err.contains("none of the identities given opens this journal"),
        "{err}"
    );
    // Remove the identity unlocker while opened by passphrase; the key stops working.
    env.ok(&["key", "remove", "1"]);
    env.fails(&["--identity", id, "list"]);
    // The last unlocker cannot go.
    let err = env.fails(&["--identity", id, "key", "remove", "2"]);
    assert!(!err.is_empty());
    let err = env.fails(&["key", "remove", "2"]);
    assert!(err.contains("opened the journal with"), "{err}");
    let err = env.fails(&["key", "remove", "7"]);
    assert!(err.contains("no unlocker with id 7"), "{err}");
}

#[test]
fn last_unlocker_stays() {
    let env = Env::with_journal();
    let (id_file, _) = keygen(&env, "k");
    env.ok(&["key", "add", "--identity", id_file.to_str().unwrap()]);
    env.ok(&[
        "--identity",
        id_file.to_str().unwrap(),
        "key",
        "remove",
        "1",
    ]);
    let err = env.fails(&[
        "--identity",
        id_file.to_str().unwrap(),
        "key",
        "remove",
        "2",
    ]);
    assert!(err.contains("opened the journal with"), "{err}");
}

#[test]
fn passwd_makes_a_new_key_and_the_old_passphrase_stops_working() {
    let env = Env::with_journal();
    env.ok(&["write", "before the change"]);
    let new_pass = env.file("new-pass", "a brand new passphrase\n");
    env.ok(&[
        "key",
        "passwd",
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    let err = env.fails(&["list"]);
    assert!(err.contains("that passphrase does not open"));
    let out = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &new_pass)
        .args(["list"])
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&out.stdout).contains("before the change"));
    let keys = env
        .cmd()
        .env("TEND_PASSPHRASE_FILE", &new_pass)
        .args(["key", "list"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&keys.stdout).lines().count(), 1);
}

#[test]
fn init_refuses_to_overwrite_and_missing_journal_says_init() {
    let env = Env::new();
    let err = env.fails(&["list"]);
    assert!(err.contains("there is no journal at"), "{err}");
    assert!(err.contains("tend init"));
    let err = env.fails(&["write", "first"]);
    assert!(
        err.contains("there is no journal at"),
        "a first write without a terminal explains: {err}"
    );
    env.ok(&["init"]);
    let before = env.snapshot();
    let err = env.fails(&["init"]);
    assert!(err.contains("already exists"), "{err}");
    assert!(before == env.snapshot(), "nothing changed");
}

#[test]
fn default_journal_lives_in_the_data_folder() {
    let env = Env::new();
    let out = env
        .cmd()
        .env_remove("TEND_JOURNAL")
        .args(["init"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let expected = env.home.join(".local/share/tend/journal.tend");
    assert!(
        expected.exists(),
        "{}",
        String::from_utf8_lossy(&out.stdout)
    );
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&expected).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o600);
    }
    let out = env
        .cmd()
        .env_remove("TEND_JOURNAL")
        .args(["--journal", env.journal.to_str().unwrap(), "init"])
        .output()
        .unwrap();
    assert!(out.status.success());
    assert!(env.journal.exists());
}

#[test]
fn bad_work_factor_setting_is_refused() {
    let env = Env::new();
    let out = env
        .cmd()
        .env("TEND_INSECURE_SCRYPT_WORK_FACTOR", "lots")
        .args(["init"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("TEND_INSECURE_SCRYPT_WORK_FACTOR"));
    assert!(!env.journal.exists());
    // A factor that opening would refuse is refused when the passphrase is made, so a
    // passphrase changed under the setting can never lock a member out.
    for too_high in ["23", "30"] {
        let out = env
            .cmd()
            .env("TEND_INSECURE_SCRYPT_WORK_FACTOR", too_high)
            .args(["init"])
            .output()
            .unwrap();
        assert!(!out.status.success());
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains("a number from 1 to 22"), "{err}");
        assert!(!env.journal.exists());
    }
    let env = Env::with_journal();
    let out = env
        .cmd()
        .env("TEND_INSECURE_SCRYPT_WORK_FACTOR", "23")
        .args(["key", "passwd"])
        .output()
        .unwrap();
    assert!(!out.status.success());
    env.ok(&["list"]);
}

/// The test-only setting is never silent.
#[test]
fn the_work_factor_setting_warns_each_time() {
    let env = Env::new();
    let out = env.cmd().args(["init"]).output().unwrap();
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains(
            "warning: TEND_INSECURE_SCRYPT_WORK_FACTOR=8 makes this passphrase quick to guess"
        ),
        "{err}"
    );
    // Opening uses no new factor, so it says nothing.
    let out = env.cmd().args(["list"]).output().unwrap();
    assert!(!String::from_utf8_lossy(&out.stderr).contains("quick to guess"));
}
