//! The scripted co-facilitated retreat in examples/retreat/cofac-walkthrough.sh runs from
//! start to finish, with the tend these tests built.
#![allow(clippy::unwrap_used)]

mod common;

#[test]
fn the_co_facilitated_walkthrough_runs_and_leaves_the_revoked_report_out() {
    let dir = tempfile::tempdir().unwrap();
    let out_dir = dir.path().join("summaries");
    let script = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("examples/retreat/cofac-walkthrough.sh");
    let output = std::process::Command::new("bash")
        .arg(&script)
        .arg(&out_dir)
        .env_clear()
        .env("PATH", std::env::var_os("PATH").unwrap_or_default())
        .env("HOME", dir.path())
        .env("TMPDIR", dir.path())
        .env("TEND", common::tend_bin())
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        output.status.success(),
        "the walkthrough failed:\n{stderr}\n{stdout}"
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
