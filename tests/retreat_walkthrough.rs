//! The scripted retreat in examples/retreat/walkthrough.sh still runs from start to finish,
//! with the tend these tests built (so it does not build its own).
#![allow(clippy::unwrap_used)]

mod common;

#[test]
fn the_retreat_walkthrough_runs_and_leaves_the_revoked_contribution_out() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("summaries");
    let (stdout, stderr) =
        common::walkthrough("examples/retreat/walkthrough.sh", dir.path(), &out_dir);
    assert!(
        stdout.contains(&out_dir.display().to_string()),
        "it says where the summaries are: {stdout}"
    );

    for name in ["summary.md", "summary.html", "circle-notes.md"] {
        let text = std::fs::read_to_string(out_dir.join(name)).unwrap();
        assert!(text.contains("4 members"), "{name}:\n{text}");
    }
    let html = std::fs::read_to_string(out_dir.join("summary.html")).unwrap();
    assert!(html.starts_with("<!doctype html>"));
    assert!(
        html.contains("<svg role=\"img\""),
        "a chart where figures can be shown"
    );
    assert!(html.contains("Bex"), "the one member who gave a name");

    // Three builds, each with the same report: five files, one revoked, nothing else left out.
    assert_eq!(
        stderr
            .matches("Read 5 files: 4 included, 1 left out.")
            .count(),
        3,
        "{stderr}"
    );
    assert_eq!(
        stderr
            .matches("left out inbox/eli.age: its author revoked it")
            .count(),
        3,
        "{stderr}"
    );
    assert_eq!(stderr.matches("left out ").count(), 3, "{stderr}");
}
