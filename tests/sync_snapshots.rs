//! What a member reads when one reflection was changed on two devices, as reviewed
//! snapshots: the sync that finds it, `tend show` with both versions, `tend sync status`,
//! and `tend sync resolve` listing them. Handles, device ids, folders, times and the day are
//! new each run, so they are redacted; the words are what is reviewed.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

#[test]
fn a_reflection_changed_on_two_devices_as_the_member_reads_it() {
    let remote = tempfile::tempdir().unwrap();
    let remote = remote.path().to_str().unwrap().to_owned();
    let a = Env::with_journal();
    let id = a.write(&[
        "The first draft of what I noticed in supervision.",
        "--on",
        "2026-03-04",
        "-v",
        "equity=4",
    ]);
    a.ok(&["sync", "init", &remote]);
    let b = Env::new();
    b.ok(&["sync", "join", &remote]);
    a.ok(&[
        "edit",
        &id,
        "--text",
        "What I noticed in supervision, written at the office.",
    ]);
    b.ok(&[
        "edit",
        &id,
        "--text",
        "What I noticed in supervision, written at home.",
    ]);
    a.ok(&["sync"]);
    let sync = b.ok(&["sync"]);
    let show = b.ok(&["show", &id]);
    let status = b.ok(&["sync", "status"]);
    let resolve = b.ok(&["sync", "resolve", &id]);
    let handle = regex_escape(&id);
    insta::with_settings!({
        filters => vec![
            (handle.as_str(), "[handle]"),
            (r"/[^\s:]*/\.tmp[A-Za-z0-9]+", "[remote]"),
            (r"\(\d+\.\d s\)", "([seconds])"),
            (r"device is [0-9a-f]{8}", "device is [device]"),
            (r"changes \d{4}-\d{2}-\d{2} \d{2}:\d{2}\.", "changes [when]."),
            (r"written \d{4}-\d{2}-\d{2} \d{2}:\d{2}, changed \d{4}-\d{2}-\d{2} \d{2}:\d{2}", "written [when], changed [when]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("sync_conflict_sync", sync);
        insta::assert_snapshot!("sync_conflict_show", show);
        insta::assert_snapshot!("sync_conflict_status", status);
        insta::assert_snapshot!("sync_conflict_resolve", resolve);
    });
}

fn regex_escape(text: &str) -> String {
    // Handles are letters only; a word boundary keeps other words whole.
    format!(r"\b{text}\b")
}
