//! No plaintext at rest: sentinel strings written through every path (arguments, stdin,
//! the editor, import) must not appear in any byte of the journal's folder or of the
//! temporary folders afterwards.
#![allow(clippy::unwrap_used)]

mod common;

use common::{Env, contains, files_under, script};

const TEXT: &str = "sentinel-text-Zq81";
const TAG: &str = "sentineltagXw3";
const VALUE: &str = "sentinel-value-k9";
const DATE: &str = "1987-06-05";
const NOTE: &str = "sentinel-note-Pp2";
const EDITOR_TEXT: &str = "sentinel-editor-Hy6";
const IMPORTED: &str = "sentinel-jrnl-Tt4";
const COMMITMENT: &str = "sentinel-commitment-Ma5";
const RENEGOTIATED: &str = "sentinel-renegotiated-Qe1";
const REPAIR: &str = "sentinel-repair-Wd8";
const AFFECTED: &str = "sentinel-affected-Lb3";
const STEP: &str = "sentinel-step-Nc7";
const REPAIR_NOTE: &str = "sentinel-repair-note-Jf0";

fn pack() -> String {
    format!(
        r#"[pack]
name = "Sentinel pack"

[[value]]
id = "{VALUE}"
name = "Sentinel value name"
description = "A value whose id must never be readable."
prompts = ["What did you notice?"]
"#
    )
}

#[test]
fn nothing_readable_in_the_journal_or_temporary_folders() {
    let env = Env::new();
    // The journal gets its own folder, so every file tend makes there is scanned.
    let journal_dir = env.home.join("journal-folder");
    let journal = journal_dir.join("journal.tend");
    let pack = env.file("pack.toml", &pack());
    let run = |args: &[&str], stdin: &str| {
        let out = env
            .cmd()
            .env("TEND_JOURNAL", &journal)
            .args(args)
            .write_stdin(stdin)
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    run(&["init", "--pack", pack.to_str().unwrap()], "");
    run(
        &[
            "write",
            TEXT,
            "-v",
            &format!("{VALUE}=4"),
            "-t",
            TAG,
            "--on",
            DATE,
            "--content-note",
            NOTE,
        ],
        "",
    );
    run(
        &["write", "-t", TAG, "-v", VALUE],
        &format!("{TEXT} from a pipe\n"),
    );
    let jrnl = env.file(
        "jrnl.json",
        &format!(r#"{{"entries": [{{"title": "{IMPORTED}", "body": "", "date": "{DATE}", "time": "08:00", "tags": ["@{TAG}"]}}]}}"#),
    );
    run(&["import", jrnl.to_str().unwrap(), "--from", "jrnl"], "");
    run(&["edit", "1", "-t", TAG, "-t", "second"], "");
    run(&["search", TEXT], "");
    run(
        &["commit", "add", COMMITMENT, "-v", VALUE, "--due", DATE],
        "",
    );
    run(
        &[
            "commit",
            "renegotiate",
            "1",
            "--text",
            RENEGOTIATED,
            "--note",
            STEP,
        ],
        "",
    );
    run(
        &[
            "repair",
            "open",
            REPAIR,
            "-v",
            VALUE,
            "--affected",
            AFFECTED,
            "--content-note",
            REPAIR_NOTE,
        ],
        "",
    );
    run(&["repair", "step", "1", "apology", "--note", STEP], "");
    run(&["insights"], "");
    run(&["list", "-t", TAG], "");

    // The editor path, through a pseudo-terminal.
    let editor = env.path("editor.sh");
    script(&editor, &format!("printf '{EDITOR_TEXT}\\n' > \"$1\""));
    let cmdline = format!(
        "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_PASSPHRASE_FILE='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 XDG_RUNTIME_DIR='{}' EDITOR='{}' '{}' write -t {TAG}; echo EXIT=$?",
        env.home.display(),
        std::env::var("PATH").unwrap_or_default(),
        journal.display(),
        env.pass_file.display(),
        env.runtime.display(),
        editor.display(),
        common::tend_bin().display()
    );
    let mut p = common::pty();
    p.send_line(&cmdline).unwrap();
    let (before, code) = p.exp_regex("EXIT=[0-9]+").unwrap();
    assert_eq!(code, "EXIT=0", "{before}");

    let today = chrono::Local::now().date_naive().to_string();
    let sentinels: Vec<&str> = vec![
        TEXT,
        TAG,
        VALUE,
        DATE,
        NOTE,
        EDITOR_TEXT,
        IMPORTED,
        COMMITMENT,
        RENEGOTIATED,
        REPAIR,
        AFFECTED,
        STEP,
        REPAIR_NOTE,
        "Sentinel value name",
        &today,
    ];
    let mut scanned = 0;
    for dir in [&journal_dir, &env.runtime] {
        for file in files_under(dir) {
            let bytes = std::fs::read(&file).unwrap();
            scanned += bytes.len();
            for s in &sentinels {
                assert!(
                    !contains(&bytes, s.as_bytes()),
                    "{s:?} is readable in {}",
                    file.display()
                );
                // Also as UTF-16 and upper case, in case of a re-encoding.
                assert!(
                    !contains(&bytes, s.to_uppercase().as_bytes()),
                    "{s:?} (upper case) in {}",
                    file.display()
                );
            }
        }
    }
    assert!(
        scanned > 10_000,
        "the journal was scanned ({scanned} bytes)"
    );
    assert!(
        files_under(&env.runtime).is_empty(),
        "the editor's folder is gone"
    );
    // And everything is still there for its owner.
    let out = env
        .cmd()
        .env("TEND_JOURNAL", &journal)
        .args(["search", "sentinel"])
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&out.stdout).lines().count(), 4);
}
