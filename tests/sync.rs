//! `tend sync` end to end: devices are separate homes with their own journals, the remote a
//! folder (or a real WebDAV server), and every step the real binary.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::{Env, files_under, saved_id};
use rand::Rng;

/// A remote folder and the first device, whose journal syncs through it.
struct World {
    remote_dir: tempfile::TempDir,
    a: Env,
}

impl World {
    fn new() -> World {
        let remote_dir = tempfile::tempdir().unwrap();
        let a = Env::with_journal();
        let w = World { remote_dir, a };
        w.a.ok(&["sync", "init", w.remote()]);
        w
    }

    fn remote(&self) -> &str {
        self.remote_dir.path().to_str().unwrap()
    }

    fn remote_path(&self) -> PathBuf {
        self.remote_dir.path().to_owned()
    }

    /// Another device, joined with the passphrase alone.
    fn join(&self) -> Env {
        let b = Env::new();
        let out = b.ok(&["sync", "join", self.remote()]);
        assert!(out.contains("Joined"), "{out}");
        b
    }
}

/// What a journal holds, as its export (without the time it was made), records by id.
fn holdings(env: &Env) -> serde_json::Value {
    let mut v: serde_json::Value =
        serde_json::from_str(&env.ok(&["export", "--format", "json"])).unwrap();
    v.as_object_mut().unwrap().remove("exported");
    for kind in ["reflections", "commitments", "repairs"] {
        if let Some(list) = v[kind].as_array_mut() {
            list.sort_by_key(|r| r["record_id"].as_str().unwrap_or_default().to_owned());
        }
    }
    v
}

fn texts(env: &Env) -> Vec<String> {
    let v = holdings(env);
    let mut t: Vec<String> = v["reflections"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_owned())
        .collect();
    t.sort();
    t
}

#[test]
fn two_devices_both_write_both_sync_and_both_hold_everything() {
    let w = World::new();
    w.a.write(&["Named the pay gap at the finance circle.", "-v", "equity=4"]);
    w.a.ok(&["commit", "add", "Bring the rota to the next meeting"]);
    w.a.ok(&["sync"]);
    let b = w.join();
    assert_eq!(texts(&b), vec!["Named the pay gap at the finance circle."]);
    b.write(&["Written at home."]);
    b.ok(&["repair", "open", "I talked over a colleague"]);
    let out = b.ok(&["sync"]);
    assert!(out.contains("sent 2 changes"), "{out}");
    let out = w.a.ok(&["sync"]);
    assert!(out.contains("received 2 changes"), "{out}");
    assert_eq!(holdings(&w.a), holdings(&b));
    assert_eq!(texts(&w.a).len(), 2);
    // Handles are the same on both devices.
    assert_eq!(w.a.listed(&[]), b.listed(&[]));
    // The values pack travels, and so does the pseudonym a retreat sees.
    w.a.ok(&[
        "values",
        "add",
        "care",
        "--name",
        "Care",
        "--description",
        "Looking after one another",
    ]);
    w.a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert!(b.ok(&["values", "list"]).contains("Care"));
    let status = b.ok(&["sync", "status"]);
    assert!(status.contains("Nothing waits to be sent"), "{status}");
    assert!(status.contains("2 devices seen"), "{status}");
    assert!(
        status.contains("Last sent or brought changes 20"),
        "{status}"
    );
    let json: serde_json::Value =
        serde_json::from_str(&b.ok(&["sync", "status", "--json"])).unwrap();
    assert!(json["last_exchange"].as_str().is_some(), "{json}");
}

#[test]
fn three_devices_end_equal_and_commitment_histories_join() {
    let w = World::new();
    let c = saved_id(&w.a.ok(&["commit", "add", "Bring the rota", "--due", "2026-03-20"]));
    w.a.ok(&["sync"]);
    let b = w.join();
    let d = w.join();
    // Two devices change the same commitment apart: both changes stay in its history.
    w.a.ok(&[
        "commit",
        "renegotiate",
        &c,
        "--due",
        "2026-03-27",
        "--note",
        "the meeting moved",
    ]);
    b.ok(&["commit", "done", &c, "--note", "brought it"]);
    d.write(&["From the third device."]);
    for env in [&w.a, &b, &d, &w.a, &b] {
        env.ok(&["sync"]);
    }
    assert_eq!(holdings(&w.a), holdings(&b));
    assert_eq!(holdings(&w.a), holdings(&d));
    let shown = w.a.ok(&["commit", "show", &c]);
    assert!(shown.contains("the meeting moved"), "{shown}");
    assert!(shown.contains("brought it"), "{shown}");
}

#[test]
fn one_reflection_edited_on_two_devices_keeps_both_until_the_member_chooses() {
    let w = World::new();
    let id = w.a.write(&["The first draft."]);
    w.a.ok(&["sync"]);
    let b = w.join();
    w.a.ok(&["edit", &id, "--text", "Edited at the office."]);
    b.ok(&["edit", &id, "--text", "Edited at home."]);
    w.a.ok(&["sync"]);
    let out = b.ok(&["sync", "--json"]);
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(report["received_changes"], 1, "{out}");
    assert_eq!(report["conflicts"][0]["kind"], "reflection", "{out}");
    assert_eq!(report["conflicts"][0]["id"], id.as_str(), "{out}");
    let out = w.a.ok(&["sync"]);
    assert!(out.contains("both versions are kept"), "{out}");
    // Both devices show both versions, the same way.
    for env in [&w.a, &b] {
        let shown = env.ok(&["show", &id]);
        assert!(shown.contains("Edited at the office."), "{shown}");
        assert!(shown.contains("Edited at home."), "{shown}");
        assert!(env.ok(&["sync", "status"]).contains("has two versions"));
        let json: serde_json::Value =
            serde_json::from_str(&env.ok(&["show", &id, "--json"])).unwrap();
        assert_eq!(json["other_versions"].as_array().unwrap().len(), 1);
    }
    assert_eq!(holdings(&w.a), holdings(&b));
    // Choosing on one device settles it on both.
    let listed = b.ok(&["sync", "resolve", &id]);
    let keep = if listed.find("Edited at home.") < listed.find("Edited at the office.") {
        "1"
    } else {
        "2"
    };
    let out = b.fails(&["sync", "resolve", &id, "--keep", "5"]);
    assert!(out.contains("not 5"), "{out}");
    b.ok(&["sync", "resolve", &id, "--keep", keep]);
    b.ok(&["sync"]);
    w.a.ok(&["sync"]);
    for env in [&w.a, &b] {
        let shown = env.ok(&["show", &id]);
        assert!(shown.contains("Edited at home."), "{shown}");
        assert!(!shown.contains("Edited at the office."), "{shown}");
        assert!(!env.ok(&["sync", "status"]).contains("two versions"));
    }
    assert!(b.ok(&["sync", "resolve", &id]).contains("one version"));
}

#[test]
fn a_deletion_and_an_edit_made_apart_keep_the_edit_and_say_so() {
    let w = World::new();
    let id = w.a.write(&["Something I may take back."]);
    w.a.ok(&["sync"]);
    let b = w.join();
    w.a.ok(&["delete", &id, "--yes"]);
    b.ok(&["edit", &id, "--text", "Something I kept, changed."]);
    w.a.ok(&["sync"]);
    let out = b.ok(&["sync"]);
    assert!(
        out.contains("deleted on one device and changed on another"),
        "{out}"
    );
    let out = w.a.ok(&["sync"]);
    assert!(
        out.contains("deleted on one device and changed on another"),
        "{out}"
    );
    assert_eq!(texts(&w.a), vec!["Something I kept, changed."]);
    assert_eq!(holdings(&w.a), holdings(&b));
    // A deletion seen by both is a deletion everywhere.
    w.a.ok(&["delete", &id, "--yes"]);
    w.a.ok(&["sync"]);
    b.ok(&["sync"]);
    assert!(texts(&b).is_empty());
}

#[test]
fn joining_needs_the_passphrase_and_leaves_nothing_when_it_is_wrong() {
    let w = World::new();
    w.a.write(&["Only for those who hold the passphrase."]);
    w.a.ok(&["sync"]);
    let b = Env::new();
    std::fs::write(&b.pass_file, "not the passphrase\n").unwrap();
    let out = b.fails(&["sync", "join", w.remote()]);
    assert!(out.contains("passphrase"), "{out}");
    assert!(!b.journal.exists(), "a failed join leaves no journal");
    // A journal already here is never replaced.
    let c = Env::with_journal();
    let before = std::fs::read(&c.journal).unwrap();
    let out = c.fails(&["sync", "join", w.remote()]);
    assert!(out.contains("already"), "{out}");
    assert_eq!(std::fs::read(&c.journal).unwrap(), before);
    // A remote holding a journal is not set up again by another journal.
    let out = c.fails(&["sync", "init", w.remote()]);
    assert!(out.contains("already holds a tend journal"), "{out}");
    // An empty folder holds no journal to join.
    let empty = tempfile::tempdir().unwrap();
    let d = Env::new();
    let out = d.fails(&["sync", "join", empty.path().to_str().unwrap()]);
    assert!(out.contains("no tend journal"), "{out}");
    // A journal that does not sync says how to start.
    let out = c.fails(&["sync"]);
    assert!(out.contains("tend sync init"), "{out}");
}

#[test]
fn the_remote_holds_no_text_and_objects_come_in_size_buckets() {
    let w = World::new();
    w.a.write(&["A sentence the storage must never see."]);
    w.a.ok(&["commit", "add", "A commitment the storage must never see"]);
    w.a.ok(&["sync"]);
    let b = w.join();
    b.ok(&["sync"]);
    for file in files_under(&w.remote_path()) {
        let bytes = std::fs::read(&file).unwrap();
        for needle in ["must never see", "equity", "Equity"] {
            assert!(
                !common::contains(&bytes, needle.as_bytes()),
                "{file:?} holds {needle}"
            );
        }
        if file.to_str().unwrap().contains("/log/") {
            assert_eq!(bytes.len() % 1024, 0, "{file:?}: {} bytes", bytes.len());
        }
    }
}

#[test]
fn a_tampered_truncated_or_replayed_object_is_refused_and_the_journal_is_untouched() {
    let w = World::new();
    w.a.write(&["Before the attack."]);
    w.a.ok(&["sync"]);
    let b = w.join();
    b.write(&["B's first."]);
    b.ok(&["sync"]);
    b.write(&["B's second."]);
    b.ok(&["sync"]);
    let b_log = w.remote_path().join("log").join(device_of(&b)).to_owned();
    let first = b_log.join(format!("{:016x}", 0));
    let second = b_log.join(format!("{:016x}", 1));
    let original = std::fs::read(&second).unwrap();
    let before = std::fs::read(&w.a.journal).unwrap();
    let holdings_before = holdings(&w.a);

    let attempts: Vec<(&str, Vec<u8>)> = vec![
        ("one bit flipped", {
            let mut t = original.clone();
            let at = t.len() / 2;
            t[at] ^= 1;
            t
        }),
        ("truncated", original[..original.len() / 2].to_vec()),
        (
            "replayed from earlier in its log",
            std::fs::read(&first).unwrap(),
        ),
        ("replayed from another device", {
            let a_log = w.remote_path().join("log").join(device_of(&w.a));
            std::fs::read(a_log.join(format!("{:016x}", 0))).unwrap()
        }),
        ("from another journal", other_journals_object()),
    ];
    for (what, bytes) in attempts {
        std::fs::write(&second, &bytes).unwrap();
        let out = w.a.run(&["sync"]);
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{what}: accepted");
        assert!(err.contains("was refused"), "{what}: {err}");
        assert!(
            err.contains("nothing from the remote was applied"),
            "{what}: {err}"
        );
        assert_eq!(holdings(&w.a), holdings_before, "{what}");
    }
    let _ = before;
    // Put back, the object is taken in.
    std::fs::write(&second, &original).unwrap();
    w.a.ok(&["sync"]);
    assert_eq!(texts(&w.a).len(), 3);
}

/// The id of a device's log folder: the one folder of `log/` its status names.
fn device_of(env: &Env) -> String {
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["sync", "status", "--json"])).unwrap();
    json["device"].as_str().unwrap().to_owned()
}

/// The second object of a device's log in another journal's remote.
fn other_journals_object() -> Vec<u8> {
    let w = World::new();
    w.a.write(&["Another journal."]);
    w.a.ok(&["sync"]);
    w.a.write(&["Another journal, again."]);
    w.a.ok(&["sync"]);
    let log = w.remote_path().join("log").join(device_of(&w.a));
    std::fs::read(log.join(format!("{:016x}", 1))).unwrap()
}

#[test]
fn sync_killed_at_any_moment_on_either_side_loses_and_doubles_nothing() {
    let w = World::new();
    let b = w.join();
    let mut rng = rand::thread_rng();
    let mut written: Vec<String> = Vec::new();
    let mut killed = 0;
    for round in 0..12 {
        for (name, env) in [("a", &w.a), ("b", &b)] {
            let text = format!("Round {round} on {name}.");
            env.write(&[&text]);
            written.push(text);
            let mut child = env.std_cmd().arg("sync").spawn().unwrap();
            std::thread::sleep(Duration::from_millis(rng.gen_range(0..120)));
            if child.try_wait().unwrap().is_none() {
                // SAFETY-free: kill(2) through the standard library.
                child.kill().unwrap();
                killed += 1;
            }
            let _ = child.wait();
        }
    }
    for env in [&w.a, &b, &w.a] {
        env.ok(&["sync"]);
    }
    written.sort();
    assert_eq!(texts(&w.a), written, "every reflection once on a");
    assert_eq!(texts(&b), written, "every reflection once on b");
    assert_eq!(holdings(&w.a), holdings(&b));
    assert!(w.a.ok(&["check"]).contains("All"));
    eprintln!("killed {killed} of 24 syncs");
}

#[test]
fn two_devices_sync_through_a_real_webdav_server() {
    let server = common::webdav::serve();
    let with_credentials = |env: &Env, args: &[&str]| {
        let mut cmd = env.cmd();
        cmd.env("TEND_SYNC_USER", common::webdav::USER)
            .env("TEND_SYNC_PASSWORD", common::webdav::PASSWORD);
        env.ok_with(cmd, args)
    };
    let a = Env::with_journal();
    a.write(&["Written at the office."]);
    with_credentials(&a, &["sync", "init", &server.url]);
    // Device B keeps its credentials in the config file: the user as text, the password
    // only as a command that prints it.
    let b = Env::new();
    let secret = b.file(
        "webdav-password",
        &format!("{}\n", common::webdav::PASSWORD),
    );
    let config = b.file(
        "config.toml",
        &format!(
            "[sync]\nuser = \"{}\"\npassword_command = \"cat '{}'\"\n",
            common::webdav::USER,
            secret.display()
        ),
    );
    let from_config = |args: &[&str]| {
        let mut cmd = b.cmd();
        cmd.env("TEND_CONFIG", &config);
        b.ok_with(cmd, args)
    };
    from_config(&["sync", "join", &server.url]);
    b.write(&["Written at home."]);
    from_config(&["sync"]);
    with_credentials(&a, &["sync"]);
    assert_eq!(holdings(&a), holdings(&b));
    assert_eq!(texts(&a).len(), 2);
    // Without the credentials the server's refusal is said, not the password.
    let out = a.fails(&["sync"]);
    assert!(!out.contains(common::webdav::PASSWORD), "{out}");
    for file in files_under(server.dir.path()) {
        let bytes = std::fs::read(&file).unwrap();
        assert!(!common::contains(&bytes, b"Written at"), "{file:?}");
    }
}

#[test]
fn a_remote_address_with_credentials_in_it_is_refused() {
    let a = Env::with_journal();
    let out = a.fails(&["sync", "init", "https://member:secret@example.org/dav/tend"]);
    assert!(out.contains("hint"), "{out}");
    assert!(
        !out.contains("secret@"),
        "the password is not repeated: {out}"
    );
}

#[test]
fn a_damaged_record_stops_sync_before_it_passes_for_a_deletion() {
    let w = World::new();
    w.a.write(&["Kept safe on every device."]);
    w.a.ok(&["sync"]);
    let b = w.join();
    let k = common::layout::key(&w.a.journal, common::PASSPHRASE);
    common::layout::flip(
        &w.a.journal,
        common::layout::segment_key(&k, common::layout::TEXT, 0),
    );
    // Nothing written since the last sync: nothing to send, the damage passes for nothing.
    let out = w.a.ok(&["sync"]);
    assert!(out.contains("sent 0 changes"), "{out}");
    // Once there is something to send, sync reads every record and stops at the damage.
    w.a.write(&["Written after the damage."]);
    let err = w.a.fails(&["sync"]);
    assert!(err.contains("could not be opened"), "{err}");
    assert!(err.contains("tend check"), "{err}");
    b.ok(&["sync"]);
    assert_eq!(texts(&b), vec!["Kept safe on every device."]);
}

#[test]
fn after_a_passphrase_change_the_old_remote_is_left_and_a_new_one_opens_only_with_the_new() {
    let w = World::new();
    w.a.write(&["Written before the change."]);
    w.a.ok(&["sync"]);
    let new_pass =
        w.a.file("new-passphrase", "a new passphrase nobody saw typed\n");
    let out = w.a.run(&[
        "key",
        "passwd",
        "--new-passphrase-file",
        new_pass.to_str().unwrap(),
    ]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("set up under the old key"), "{err}");
    std::fs::copy(&new_pass, &w.a.pass_file).unwrap();
    // The old remote no longer opens with the journal's new key: refused, nothing changed.
    let err = w.a.fails(&["sync"]);
    assert!(err.contains("rotated"), "{err}");
    w.a.ok(&["sync", "stop"]);
    assert!(w.a.fails(&["sync"]).contains("does not sync"));
    let fresh = tempfile::tempdir().unwrap();
    let fresh = fresh.path().to_str().unwrap();
    w.a.ok(&["sync", "init", fresh]);
    // A device with the old passphrase cannot join the new remote; with the new one it can.
    let old = Env::new();
    let err = old.fails(&["sync", "join", fresh]);
    assert!(err.contains("passphrase"), "{err}");
    let c = Env::new();
    std::fs::copy(&new_pass, &c.pass_file).unwrap();
    c.ok(&["sync", "join", fresh]);
    assert_eq!(texts(&c), vec!["Written before the change."]);
}

#[test]
fn sync_works_in_an_unlocked_sitting_with_the_key_held_by_the_agent() {
    let w = World::new();
    w.a.write(&["Written before unlocking."]);
    w.a.ok(&["unlock"]);
    // No passphrase source at all: only the agent can open the journal (and derive the
    // sync key, which it does without handing out the data key).
    let bare = |args: &[&str]| {
        let mut cmd = w.a.cmd();
        cmd.env_remove("TEND_PASSPHRASE_FILE");
        w.a.ok_with(cmd, args)
    };
    let out = bare(&["sync"]);
    assert!(out.contains("sent 1 change"), "{out}");
    let b = w.join();
    assert_eq!(texts(&b), vec!["Written before unlocking."]);
    b.write(&["Written on the other device."]);
    b.ok(&["sync"]);
    let out = bare(&["sync"]);
    assert!(out.contains("received 1 change"), "{out}");
    let _ = w.a.run(&["lock"]);
    assert_eq!(texts(&w.a).len(), 2);
}

#[test]
fn a_passphrase_added_after_init_lets_a_later_device_join() {
    let w = World::new();
    w.a.write(&["Written before the second passphrase."]);
    w.a.ok(&["sync"]);
    let second =
        w.a.file("second-passphrase", "a second passphrase for the office\n");
    w.a.ok(&[
        "key",
        "add",
        "--new-passphrase-file",
        second.to_str().unwrap(),
    ]);
    let out = w.a.run(&["sync"]);
    assert!(out.status.success());
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("a device joining later opens with it"),
        "{err}"
    );
    let c = Env::new();
    std::fs::copy(&second, &c.pass_file).unwrap();
    c.ok(&["sync", "join", w.remote()]);
    assert_eq!(texts(&c), vec!["Written before the second passphrase."]);
    // An unlocker someone planted (an age file for a key of their own) opens nothing: the
    // head's sealed check refuses the key it gives, and nothing is left behind.
    let planted = w.remote_path().join("unlockers");
    let before = std::fs::read_dir(&planted).unwrap().count();
    let d = Env::new();
    std::fs::write(&d.pass_file, "the planter's own passphrase\n").unwrap();
    let other = Env::new();
    std::fs::copy(&d.pass_file, &other.pass_file).unwrap();
    other.ok(&["init"]);
    let other_remote = tempfile::tempdir().unwrap();
    other.ok(&["sync", "init", other_remote.path().to_str().unwrap()]);
    let head: serde_json::Value =
        serde_json::from_slice(&std::fs::read(other_remote.path().join("head")).unwrap()).unwrap();
    let age_hex = head["unlockers"][0].as_str().unwrap();
    let age: Vec<u8> = (0..age_hex.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&age_hex[i..i + 2], 16).unwrap())
        .collect();
    let name = {
        use sha2::Digest;
        let d: [u8; 32] = sha2::Sha256::digest(&age).into();
        d.iter().map(|b| format!("{b:02x}")).collect::<String>()
    };
    std::fs::write(planted.join(name), &age).unwrap();
    assert_eq!(std::fs::read_dir(&planted).unwrap().count(), before + 1);
    let err = d.fails(&["sync", "join", w.remote()]);
    assert!(err.contains("does not belong"), "{err}");
    assert!(!d.journal.exists());
}

#[test]
fn a_folder_named_relatively_is_kept_by_its_full_path() {
    let a = Env::with_journal();
    a.write(&["Written in one folder."]);
    let here = a.dir.path().join("work");
    std::fs::create_dir_all(&here).unwrap();
    let mut cmd = a.cmd();
    cmd.current_dir(&here);
    let out = a.ok_with(cmd, &["sync", "init", "remote-folder"]);
    let full = here.join("remote-folder");
    assert!(out.contains(full.to_str().unwrap()), "{out}");
    // Run from anywhere else, sync still finds it; and a second device joins it by it.
    let status = a.ok(&["sync", "status"]);
    assert!(status.contains(full.to_str().unwrap()), "{status}");
    a.ok(&["sync"]);
    let b = Env::new();
    b.ok(&["sync", "join", full.to_str().unwrap()]);
    assert_eq!(texts(&b), vec!["Written in one folder."]);
    let err = b.fails(&["sync", "init", "  "]);
    assert!(err.contains("no remote was named"), "{err}");
}
