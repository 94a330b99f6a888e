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
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["init", "--pack", pack.to_str().unwrap()], "");
    let first = common::saved_id(&run(
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
    ));
    run(
        &["write", "-t", TAG, "-v", VALUE],
        &format!("{TEXT} from a pipe\n"),
    );
    let jrnl = env.file(
        "jrnl.json",
        &format!(r#"{{"entries": [{{"title": "{IMPORTED}", "body": "", "date": "{DATE}", "time": "08:00", "tags": ["@{TAG}"]}}]}}"#),
    );
    run(&["import", jrnl.to_str().unwrap(), "--from", "jrnl"], "");
    run(&["edit", &first, "-t", TAG, "-t", "second"], "");
    run(&["search", TEXT], "");
    let commitment = common::saved_id(&run(
        &["commit", "add", COMMITMENT, "-v", VALUE, "--due", DATE],
        "",
    ));
    run(
        &[
            "commit",
            "renegotiate",
            &commitment,
            "--text",
            RENEGOTIATED,
            "--note",
            STEP,
        ],
        "",
    );
    let repair = common::saved_id(&run(
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
    ));
    run(&["repair", "step", &repair, "apology", "--note", STEP], "");
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

/// Every file under each folder, watched until `stop` is set: whatever appeared at any
/// moment, even for a few milliseconds.
fn watch(
    dirs: Vec<std::path::PathBuf>,
    stop: std::sync::Arc<std::sync::atomic::AtomicBool>,
) -> std::thread::JoinHandle<std::collections::BTreeSet<std::path::PathBuf>> {
    std::thread::spawn(move || {
        let mut seen = std::collections::BTreeSet::new();
        loop {
            let last = stop.load(std::sync::atomic::Ordering::Relaxed);
            for dir in &dirs {
                seen.extend(files_under(dir));
            }
            if last {
                return seen;
            }
            std::thread::sleep(std::time::Duration::from_millis(5));
        }
    })
}

#[test]
fn the_interface_writes_no_file_but_the_journal() {
    use common::screen::Ui;
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    const UI_TEXT: &str = "sentinel-ui-text-Rb4";
    const UI_EDIT: &str = "sentinel-ui-edit-Gk2";
    const UI_TAG: &str = "sentineluitagVv7";
    const UI_NOTE: &str = "sentinel-ui-note-Yc9";

    let env = Env::new();
    let journal_dir = env.home.join("journal-folder");
    let journal = journal_dir.join("journal.tend");
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let pack = env.file("pack.toml", &pack());
    let out = env
        .cmd()
        .env("TEND_JOURNAL", &journal)
        .args(["init", "--pack", pack.to_str().unwrap()])
        .output()
        .unwrap();
    assert!(out.status.success());
    let home_before = files_under(&env.home);
    let system_tmp = std::env::temp_dir();
    let system_before: std::collections::BTreeSet<_> = std::fs::read_dir(&system_tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .collect();

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(
        vec![env.home.clone(), env.runtime.clone(), tmp.clone()],
        Arc::clone(&stop),
    );
    let mut ui = Ui::start(&env, &format!("TEND_JOURNAL='{}'", journal.display()));
    ui.wait_for("Journal, newest first");
    ui.typed("w");
    ui.wait_for("Today's reflection");
    ui.typed(UI_TEXT);
    ui.typed("\t \t\t"); // the value, then the day, then the tags
    ui.typed(UI_TAG);
    ui.typed("\t");
    ui.typed(UI_NOTE);
    ui.ctrl('s');
    ui.wait_for("Saved reflection ");
    ui.typed("/sentinel-ui");
    ui.wait_for("1 of 1 reflections");
    ui.typed("\r\r");
    ui.wait_for("Press r when you want to read it.");
    ui.typed("r");
    ui.wait_for(UI_TEXT);
    ui.typed("e");
    ui.wait_for("Editing reflection ");
    ui.typed(&format!(" {UI_EDIT}"));
    ui.ctrl('s');
    ui.wait_for("Updated reflection ");
    ui.typed("4"); // insights read every record too
    ui.wait_for("Week by week");
    ui.typed("q");
    let (code, screen) = ui.finish();
    assert_eq!(code, 0, "{screen}");
    stop.store(true, Ordering::Relaxed);
    let seen = watcher.join().unwrap();

    // No file appeared anywhere but the journal, at any moment of the session.
    let allowed: std::collections::BTreeSet<_> =
        home_before.into_iter().chain([journal.clone()]).collect();
    let extra: Vec<_> = seen.difference(&allowed).collect();
    assert!(
        extra.is_empty(),
        "files appeared during the session: {extra:?}"
    );
    assert!(seen.contains(&journal), "the watcher saw the journal");

    // Nothing readable in the journal, the runtime or the temporary folders; and nothing
    // of ours in any file that appeared in the system's temporary folder meanwhile.
    let sentinels = [
        UI_TEXT,
        UI_EDIT,
        UI_TAG,
        UI_NOTE,
        VALUE,
        "Sentinel value name",
    ];
    let mut scanned = 0;
    let appeared = std::fs::read_dir(&system_tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| !system_before.contains(p))
        .flat_map(|p| if p.is_dir() { files_under(&p) } else { vec![p] });
    for file in files_under(&journal_dir)
        .into_iter()
        .chain(files_under(&env.runtime))
        .chain(files_under(&tmp))
        .chain(appeared)
    {
        let Ok(bytes) = std::fs::read(&file) else {
            continue;
        };
        scanned += bytes.len();
        for s in sentinels {
            assert!(
                !contains(&bytes, s.as_bytes()),
                "{s:?} is readable in {}",
                file.display()
            );
        }
    }
    assert!(
        scanned > 10_000,
        "the journal was scanned ({scanned} bytes)"
    );

    // And its owner reads exactly what was written.
    let listed = env
        .cmd()
        .env("TEND_JOURNAL", &journal)
        .args(["list", "--json"])
        .output()
        .unwrap();
    let listed: serde_json::Value = serde_json::from_slice(&listed.stdout).unwrap();
    let written = common::json_id(&listed[0]["id"]);
    let out = env
        .cmd()
        .env("TEND_JOURNAL", &journal)
        .args(["show", &written, "--json", "--reveal"])
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let r: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(r["text"], format!("{UI_TEXT} {UI_EDIT}"), "{r}");
    assert_eq!(r["tags"], serde_json::json!([UI_TAG]));
    assert_eq!(r["content_note"], UI_NOTE);
    assert_eq!(r["values"], serde_json::json!([{ "value": VALUE }]));
}

#[test]
fn with_the_agent_nothing_new_on_disk_but_the_socket() {
    use std::sync::Arc;
    use std::sync::atomic::{AtomicBool, Ordering};

    const AGENT_TEXT: &str = "sentinel-agent-text-Ue5";
    const AGENT_TAG: &str = "sentinelagenttagKo2";
    let env = Env::new();
    let journal_dir = env.home.join("journal-folder");
    let journal = journal_dir.join("journal.tend");
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let run = |args: &[&str], with_passphrase: bool| {
        let mut cmd = env.cmd();
        cmd.env("TEND_JOURNAL", &journal).env("TMPDIR", &tmp);
        if !with_passphrase {
            cmd.env_remove("TEND_PASSPHRASE_FILE");
        }
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8(out.stdout).unwrap()
    };
    run(&["init"], true);
    let before: std::collections::BTreeSet<_> = files_under(&env.home).into_iter().collect();

    let stop = Arc::new(AtomicBool::new(false));
    let watcher = watch(
        vec![env.home.clone(), env.runtime.clone(), tmp.clone()],
        Arc::clone(&stop),
    );
    run(&["unlock"], true);
    // Every command below has no passphrase: the agent seals and opens for it.
    run(
        &["write", AGENT_TEXT, "-t", AGENT_TAG, "-v", "equity=4"],
        false,
    );
    let _ = env
        .cmd()
        .env("TEND_JOURNAL", &journal)
        .env_remove("TEND_PASSPHRASE_FILE")
        .args(["write", "-t", AGENT_TAG])
        .write_stdin(format!("{AGENT_TEXT} from a pipe\n"))
        .output()
        .unwrap();
    assert!(run(&["search", AGENT_TEXT], false).contains(AGENT_TEXT));
    assert!(run(&["list", "-t", AGENT_TAG], false).contains(AGENT_TEXT));
    run(&["commit", "add", AGENT_TEXT, "-v", "equity"], false);
    run(&["status"], false);
    run(&["lock"], false);
    std::thread::sleep(std::time::Duration::from_millis(400));
    stop.store(true, Ordering::Relaxed);
    let seen = watcher.join().unwrap();

    let socket = env.runtime.join("tend").join("agent.sock");
    // The write counter this machine remembers (a number, no text) is replaced through a
    // short-lived `.new` file beside it; one seen in passing is no file left on disk.
    let counter_dir = env.home.join(".local/state/tend/seen");
    let passing = |p: &std::path::Path| {
        p.parent() == Some(counter_dir.as_path())
            && p.extension().is_some_and(|e| e == "new")
            && !p.exists()
    };
    let new: Vec<_> = seen
        .iter()
        .filter(|p| !before.contains(*p) && **p != socket && !passing(p))
        .collect();
    assert!(new.is_empty(), "files besides the socket: {new:?}");
    assert!(seen.contains(&socket), "the agent's socket was watched");
    assert!(!socket.exists(), "the agent removes its socket when locked");
    for file in files_under(&journal_dir) {
        let bytes = std::fs::read(&file).unwrap();
        for s in [AGENT_TEXT, AGENT_TAG] {
            assert!(
                !contains(&bytes, s.as_bytes()),
                "{s:?} in {}",
                file.display()
            );
        }
    }
    assert!(run(&["search", AGENT_TEXT], true).contains(AGENT_TEXT));
}

/// The forms a recovery identity could leak in: its bech32 text either case, its 32 raw
/// bytes, and their hex.
fn identity_forms(identity: &age::x25519::Identity) -> Vec<Vec<u8>> {
    use age::secrecy::ExposeSecret;
    let text = identity.to_string().expose_secret().to_owned();
    let (_, raw) = bech32::decode(&text).unwrap();
    assert_eq!(raw.len(), 32);
    let hex: String = raw.iter().map(|b| format!("{b:02x}")).collect();
    vec![
        text.clone().into_bytes(),
        text.to_lowercase().into_bytes(),
        raw,
        hex.clone().into_bytes(),
        hex.to_uppercase().into_bytes(),
    ]
}

#[test]
fn the_recovery_identity_never_touches_disk_in_the_clear() {
    use age::secrecy::ExposeSecret;
    use tend_store::recovery::Share;
    let env = Env::new();
    let journal_dir = env.home.join("journal-folder");
    let journal = journal_dir.join("journal.tend");
    let tmp = env.path("tmp");
    std::fs::create_dir_all(&tmp).unwrap();
    let run = |args: &[&str], pass: bool| {
        let mut cmd = env.cmd();
        cmd.env("TEND_JOURNAL", &journal).env("TMPDIR", &tmp);
        if !pass {
            cmd.env_remove("TEND_PASSPHRASE_FILE");
        }
        let out = cmd.args(args).output().unwrap();
        assert!(
            out.status.success(),
            "{args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    };
    let key = |name: &str| {
        let identity = age::x25519::Identity::generate();
        let path = env.path(&format!("{name}.key"));
        std::fs::write(&path, format!("{}\n", identity.to_string().expose_secret())).unwrap();
        (path, identity)
    };
    let people: Vec<_> = ["bo", "cy", "di"].iter().map(|n| key(n)).collect();
    let (member_key, member) = key("ana-new");
    run(&["init"], true);
    run(&["write", TEXT], true);
    let shares = env.path("shares");
    let next = env.path("next-shares");
    std::fs::create_dir_all(&shares).unwrap();
    std::fs::create_dir_all(&next).unwrap();
    let trustee_args: Vec<String> = ["Bo", "Cy", "Di"]
        .iter()
        .zip(&people)
        .flat_map(|(n, (_, id))| ["--trustee".to_owned(), format!("{n}={}", id.to_public())])
        .collect();
    let mut setup = vec!["recovery", "setup", "-k", "2", "--member", "Ana", "--out"];
    setup.push(shares.to_str().unwrap());
    setup.extend(trustee_args.iter().map(String::as_str));
    run(&setup, true);
    let share_files: Vec<_> = files_under(&shares);
    let to = member.to_public().to_string();
    let mut released = Vec::new();
    for (i, file) in share_files.iter().take(2).enumerate() {
        let owner = people
            .iter()
            .find(|(_, id)| {
                Share::open(&std::fs::read(file).unwrap(), std::slice::from_ref(id)).is_ok()
            })
            .unwrap();
        let out = env.path(&format!("released-{i}.age"));
        run(
            &[
                "recovery",
                "release",
                file.to_str().unwrap(),
                "-i",
                owner.0.to_str().unwrap(),
                "--to",
                &to,
                "--out",
                out.to_str().unwrap(),
                "--yes",
            ],
            false,
        );
        released.push(out);
    }
    let newpass = env.file("new-pass", "a new passphrase\n");
    let mut restore = vec!["recovery", "restore", journal.to_str().unwrap()];
    restore.extend(released.iter().map(|p| p.to_str().unwrap()));
    restore.extend([
        "-i",
        member_key.to_str().unwrap(),
        "--new-passphrase-file",
        newpass.to_str().unwrap(),
        "--new-set",
        next.to_str().unwrap(),
        "--yes",
    ]);
    run(&restore, false);

    // The identities as only k trustees together could rebuild them: the spent set's from
    // the released shares, the new set's from two trustees' own shares.
    let open_all = |files: &[std::path::PathBuf], ids: &[age::x25519::Identity]| -> Vec<Share> {
        files
            .iter()
            .filter_map(|f| Share::open(&std::fs::read(f).unwrap(), ids).ok())
            .collect()
    };
    let spent =
        tend_store::recovery::combine(&open_all(&released, std::slice::from_ref(&member))).unwrap();
    let trustee_ids: Vec<_> = people.iter().map(|(_, id)| id.clone()).collect();
    let new_shares = open_all(&files_under(&next), &trustee_ids);
    assert_eq!(new_shares.len(), 3);
    let current = tend_store::recovery::combine(&new_shares[..2]).unwrap();
    let mut needles = identity_forms(&spent);
    needles.extend(identity_forms(&current));
    // Every share's value, in the clear, is a secret too.
    for s in open_all(&share_files, &trustee_ids)
        .iter()
        .chain(&new_shares)
    {
        let doc: serde_json::Value = serde_json::from_slice(&s.to_json()).unwrap();
        needles.push(doc["y"].as_str().unwrap().as_bytes().to_vec());
    }
    let mut scanned = 0;
    for file in files_under(env.dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        scanned += bytes.len();
        for n in &needles {
            assert!(
                !contains(&bytes, n),
                "a recovery secret is readable in {}",
                file.display()
            );
        }
    }
    assert!(scanned > 10_000, "scanned {scanned} bytes");
    assert!(
        files_under(&tmp).is_empty(),
        "nothing left in the temporary folder"
    );
}
