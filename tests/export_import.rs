//! Leaving and entering: tend's JSON export round-trips; jrnl's JSON export comes in.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

#[test]
fn export_then_import_gives_back_the_same_reflections() {
    let a = Env::with_journal();
    a.ok(&[
        "write",
        "First, about pay",
        "-v",
        "equity=2",
        "-t",
        "pay",
        "--on",
        "2026-01-02",
    ]);
    a.ok(&[
        "write",
        "Second\nwith two lines",
        "-v",
        "repair",
        "--content-note",
        "conflict",
        "--on",
        "2026-01-03",
    ]);
    let third = a.write(&["Third", "--on", "2026-01-04"]);
    a.ok(&["delete", &third, "--yes"]);
    let out = a.run(&["export", "--format", "json"]);
    assert!(out.status.success());
    assert!(
        String::from_utf8_lossy(&out.stderr).contains("plaintext"),
        "it says so before writing"
    );
    let exported = String::from_utf8(out.stdout).unwrap();

    let b = Env::with_journal();
    let file = b.file("export.json", &exported);
    let said = b.ok(&["import", file.to_str().unwrap(), "--from", "tend"]);
    assert!(said.contains("Imported 2 reflections"), "{said}");
    let again: serde_json::Value = serde_json::from_str(&b.ok(&["export"])).unwrap();
    let first: serde_json::Value = serde_json::from_str(&exported).unwrap();
    let strip = |v: &serde_json::Value| -> Vec<serde_json::Value> {
        v["reflections"]
            .as_array()
            .unwrap()
            .iter()
            .map(|r| {
                let mut r = r.clone();
                r.as_object_mut().unwrap().remove("id");
                r
            })
            .collect()
    };
    assert_eq!(strip(&first), strip(&again));
}

#[test]
fn markdown_export_to_a_private_file() {
    let env = Env::with_journal();
    env.ok(&["write", "A day of repair", "-v", "repair=4", "-t", "circle"]);
    let path = env.path("out.md");
    let said = env.ok(&[
        "export",
        "--format",
        "markdown",
        "-o",
        path.to_str().unwrap(),
    ]);
    assert!(
        said.contains("Exported 1 reflection, 0 commitments and 0 repairs to"),
        "{said}"
    );
    let md = std::fs::read_to_string(&path).unwrap();
    assert!(md.contains("A day of repair") && md.contains("repair (4)") && md.contains("circle"));
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        assert_eq!(
            std::fs::metadata(&path).unwrap().permissions().mode() & 0o777,
            0o600
        );
    }
    let err = env.fails(&["export", "-o", path.to_str().unwrap()]);
    assert!(
        err.contains("already exists") && err.contains("--force"),
        "{err}"
    );
    env.ok(&["export", "-o", path.to_str().unwrap(), "--force"]);
}

/// `--force` never keeps a readable file's mode and never writes through a symbolic link
/// into a file someone else chose.
#[cfg(unix)]
#[test]
fn force_replaces_readable_files_and_links_with_private_ones() {
    use std::os::unix::fs::PermissionsExt;
    let env = Env::with_journal();
    env.ok(&["write", "private words"]);
    let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;

    let readable = env.path("readable.json");
    std::fs::write(&readable, "old").unwrap();
    std::fs::set_permissions(&readable, std::fs::Permissions::from_mode(0o644)).unwrap();
    env.ok(&["export", "-o", readable.to_str().unwrap(), "--force"]);
    assert_eq!(mode(&readable), 0o600);
    assert!(
        std::fs::read_to_string(&readable)
            .unwrap()
            .contains("private words")
    );

    let shared = env.path("shared-notes.txt");
    std::fs::write(&shared, "someone else's file").unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o644)).unwrap();
    let link = env.path("export.json");
    std::os::unix::fs::symlink(&shared, &link).unwrap();
    let err = env.fails(&["export", "-o", link.to_str().unwrap()]);
    assert!(err.contains("already exists"), "{err}");
    env.ok(&["export", "-o", link.to_str().unwrap(), "--force"]);
    assert_eq!(
        std::fs::read_to_string(&shared).unwrap(),
        "someone else's file"
    );
    assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
    assert_eq!(mode(&link), 0o600);
    // No temporary file is left beside them.
    let stray: Vec<_> = std::fs::read_dir(readable.parent().unwrap())
        .unwrap()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_name().to_string_lossy().ends_with(".part"))
        .collect();
    assert!(stray.is_empty(), "{stray:?}");
}

#[test]
fn jrnl_json_becomes_reflections() {
    let env = Env::with_journal();
    let file = env.file(
        "jrnl.json",
        r#"{"tags": {"@work": 2}, "entries": [
            {"title": "Circle day.", "body": "We named the budget.", "date": "2024-05-01", "time": "09:30", "tags": ["@work"], "starred": false},
            {"title": "Quiet one", "body": "", "date": "2024-05-02", "time": "21:00", "tags": ["@work", "@home"], "starred": true}
        ]}"#,
    );
    let said = env.ok(&["import", file.to_str().unwrap(), "--from", "jrnl"]);
    assert!(said.contains("Imported 2 reflections from jrnl"));
    let list: serde_json::Value = serde_json::from_str(&env.ok(&["list", "--json"])).unwrap();
    assert_eq!(list[0]["on"], "2024-05-02");
    assert_eq!(list[0]["tags"], serde_json::json!(["work", "home"]));
    let first = common::json_id(&list[1]["id"]);
    assert!(
        env.ok(&["show", &first])
            .contains("Circle day.\n\nWe named the budget.")
    );
}

#[test]
fn bad_import_files_change_nothing() {
    let env = Env::with_journal();
    env.ok(&["write", "already here"]);
    let before = env.snapshot();
    let cases = [
        ("not-json.json", "this is not json", "tend", "line 1"),
        (
            "other.json",
            r#"{"format": "something-else"}"#,
            "tend",
            "not a tend export",
        ),
        (
            "newer.json",
            r#"{"format": "tend-export", "version": 9}"#,
            "tend",
            "newer tend",
        ),
        (
            "jrnl-bad-date.json",
            r#"{"entries": [{"title": "x", "date": "May 1"}]}"#,
            "jrnl",
            "jrnl entry 1",
        ),
        ("jrnl-not.json", r#"[1, 2, 3]"#, "jrnl", "line 1"),
    ];
    for (name, contents, from, expected) in cases {
        let file = env.file(name, contents);
        let err = env.fails(&["import", file.to_str().unwrap(), "--from", from]);
        assert!(
            err.contains(name) && err.contains(expected),
            "{name}: {err}"
        );
        assert!(err.contains("hint:"), "{err}");
    }
    let err = env.fails(&["import", "missing.json"]);
    assert!(err.contains("could not read"));
    assert!(before == env.snapshot(), "nothing changed");
}
