//! The scripted co-facilitated retreat in examples/retreat/cofac-walkthrough.sh runs from
//! start to finish, with the tend these tests built.
#![allow(clippy::unwrap_used)]

mod common;

#[test]
fn the_co_facilitated_walkthrough_runs_and_leaves_the_revoked_report_out() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("summaries");
    let (_, stderr) = common::walkthrough(
        "examples/retreat/cofac-walkthrough.sh",
        dir.path(),
        &out_dir,
    );
    assert!(
        stderr.contains("Neither co-facilitator alone can see your figures"),
        "Amara's preview says who sees what: {stderr}"
    );
    assert!(
        stderr.contains("left out inbox/eli.age: its author revoked it"),
        "{stderr}"
    );
    assert!(
        stderr.contains("this member's report was already aggregated"),
        "{stderr}"
    );
    for name in ["summary.md", "summary.html"] {
        let text = std::fs::read_to_string(out_dir.join(name)).unwrap();
        assert!(text.contains("4 members"), "{name}:\n{text}");
    }
    let html = std::fs::read_to_string(out_dir.join("summary.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
}
