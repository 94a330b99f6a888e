//! A cooperative adopting tend: seeing, changing, importing and checking the values pack,
//! end to end. An id never changes meaning, and a refused pack or change leaves the journal
//! as it was.
#![allow(clippy::unwrap_used)]

mod common;

use std::path::PathBuf;

use common::Env;

/// A file in the workspace, such as an example pack.
fn workspace(path: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join(path)
}

/// One of the bad-pack fixtures.
fn fixture(name: &str) -> String {
    workspace(&format!("tests/fixtures/packs/{name}"))
        .display()
        .to_string()
}

/// The journal file's bytes.
fn journal_bytes(env: &Env) -> Vec<u8> {
    std::fs::read(&env.journal).unwrap()
}

/// What the journal holds, as the pack export and the reflections' index, for showing that
/// nothing changed after a command that had to unlock the journal (unlocking rewrites a
/// byte of redb's header, so the file's bytes are no test then).
fn contents(env: &Env) -> (String, String) {
    (
        env.ok(&["values", "export"]),
        env.ok(&["list", "--json", "-n", "1000"]),
    )
}

fn json(text: &str) -> serde_json::Value {
    serde_json::from_str(text).unwrap()
}

/// A newer version of the default pack: version 2, `repair` left out, `equity` renamed
/// with one more prompt, and a new value `care`.
fn newer_pack() -> String {
    let default = include_str!("../crates/core/packs/default.toml");
    let repair = default.find("[[value]]\nid = \"repair\"").unwrap();
    let after_repair = repair + default[repair + 1..].find("[[value]]").unwrap() + 1;
    let last_prompt = "shared out this week, and how does that sit with you?\",\n";
    let mut newer = format!("{}{}", &default[..repair], &default[after_repair..])
        .replacen("version = \"1\"", "version = \"2\"", 1)
        .replacen("name = \"Equity\"", "name = \"Equity and inclusion\"", 1)
        .replacen(
            last_prompt,
            &format!("{last_prompt}    \"Who was missing from the room?\",\n"),
            1,
        );
    newer.push_str(
        "\n[[value]]\nid = \"care\"\nname = \"Care\"\ndescription = \"We look after each other.\"\n",
    );
    assert!(!newer.contains("id = \"repair\"") && newer.contains("room?"));
    newer
}

#[test]
fn values_list_shows_the_pack_its_fingerprint_scale_and_values() {
    let env = Env::with_journal();
    let out = env.ok(&["values", "list"]);
    assert!(out.contains("tend default values"), "{out}");
    assert!(out.contains("Fingerprint: "), "{out}");
    assert!(
        out.contains("1 not this week · 2 a little · 3 partly · 4 mostly · 5 fully"),
        "{out}"
    );
    for (id, name) in [
        ("equity", "Equity"),
        ("transparency", "Transparency"),
        ("repair", "Repair"),
        ("anti-oppression", "Anti-oppression"),
    ] {
        let line = out
            .lines()
            .find(|l| l.trim_start().starts_with(id))
            .unwrap();
        assert!(line.contains(name) && !line.contains("retired"), "{line}");
    }

    env.ok(&["values", "retire", "repair"]);
    let out = env.ok(&["values", "list"]);
    let last = out.lines().last().unwrap();
    assert!(
        last.contains("repair") && last.contains("(retired)"),
        "retired values come last, marked: {out}"
    );

    let list = json(&env.ok(&["values", "list", "--json"]));
    assert_eq!(list["name"], "tend default values");
    assert_eq!(list["scale"]["max"], 5);
    assert_eq!(list["scale"]["words"][0], "not this week");
    assert_eq!(list["values"].as_array().unwrap().len(), 4);
    assert_eq!(list["values"][2]["id"], "repair");
    assert_eq!(list["values"][2]["retired"], true);
    let fingerprint = list["fingerprint"].as_str().unwrap();
    assert_eq!(fingerprint.len(), "a1b2-c3d4-e5f6-0789".len());
    assert!(out.contains(fingerprint));
}

#[test]
fn values_show_gives_the_words_and_how_many_reflections_name_it() {
    let env = Env::with_journal();
    env.ok(&["write", "one", "-v", "repair=3"]);
    env.ok(&["write", "two", "-v", "repair", "-v", "equity"]);
    env.ok(&["write", "three", "-v", "equity"]);
    let out = env.ok(&["values", "show", "repair"]);
    assert!(out.starts_with("Repair"), "{out}");
    assert!(out.contains("Prompts:"), "{out}");
    assert!(out.contains("2 reflections name it."), "{out}");
    assert!(!out.contains("retired"), "{out}");

    let shown = json(&env.ok(&["values", "show", "equity", "--json"]));
    assert_eq!(shown["id"], "equity");
    assert_eq!(shown["name"], "Equity");
    assert_eq!(shown["retired"], false);
    assert_eq!(shown["reflections"], 2);
    assert!(shown["description"].as_str().unwrap().len() > 10);
    assert!(!shown["prompts"].as_array().unwrap().is_empty());

    env.ok(&["values", "retire", "repair"]);
    let out = env.ok(&["values", "show", "repair"]);
    assert!(out.contains("Repair (retired)"), "{out}");
    assert!(out.contains("tend values restore repair"), "{out}");
    assert_eq!(
        json(&env.ok(&["values", "show", "repair", "--json"]))["retired"],
        true
    );

    let err = env.fails(&["values", "show", "repiar"]);
    assert!(err.contains("Did you mean `repair`?"), "{err}");
    assert!(err.contains("hint: `tend values list`"), "{err}");
}

#[test]
fn values_packs_lists_the_builtin_packs_without_a_journal() {
    let env = Env::new();
    let out = env.ok(&["values", "packs"]);
    for name in [
        "default",
        "therapy-coop",
        "justice-practice",
        "healing-justice",
    ] {
        assert!(
            out.lines()
                .any(|l| l.starts_with(name) && l.contains("fingerprint")),
            "{name}: {out}"
        );
    }
    assert!(out.contains("Worker-owned therapy cooperative"), "{out}");
    assert!(!env.journal.exists());
}

#[test]
fn values_add_a_value_then_reflect_on_it() {
    let env = Env::with_journal();
    let out = env.ok(&[
        "values",
        "add",
        "mutual-aid",
        "--name",
        "Mutual aid",
        "--description",
        "We look after each other's material needs.",
        "--prompt",
        "Who did you support this week, and who supported you?",
    ]);
    assert_eq!(
        out.trim(),
        "Added `mutual-aid` (Mutual aid). New reflections can name it now."
    );
    let shown = json(&env.ok(&["values", "show", "mutual-aid", "--json"]));
    assert_eq!(
        shown["prompts"][0],
        "Who did you support this week, and who supported you?"
    );
    let id = env.write(&["Dropped off groceries", "-v", "mutual-aid=4"]);
    assert!(env.ok(&["show", &id]).contains("Mutual aid: 4 — mostly"));

    let err = env.fails(&[
        "values",
        "add",
        "Mutual Aid",
        "--name",
        "x",
        "--description",
        "y",
    ]);
    assert!(err.contains("Try `mutual-aid`"), "{err}");
    assert!(err.contains("hint:"), "{err}");
    let err = env.fails(&[
        "values",
        "add",
        "equity",
        "--name",
        "x",
        "--description",
        "y",
    ]);
    assert!(err.contains("already has a value `equity`"), "{err}");
    assert!(err.contains("tend values edit equity"), "{err}");
    env.ok(&["values", "retire", "repair"]);
    let err = env.fails(&[
        "values",
        "add",
        "repair",
        "--name",
        "x",
        "--description",
        "y",
    ]);
    assert!(
        err.contains("`repair` (retired)"),
        "a retired id is never reused: {err}"
    );
    assert!(err.contains("tend values restore repair"), "{err}");
    let err = env.fails(&["values", "add", "care", "--name", " ", "--description", "y"]);
    assert!(err.contains("needs a name"), "{err}");
    let err = env.fails(&["values", "add", "care", "--name", "Care"]);
    assert!(err.contains("--description"), "{err}");
}

#[test]
fn values_add_refused_leaves_the_journal_as_it_was() {
    let env = Env::with_journal();
    env.ok(&["write", "something", "-v", "equity"]);
    // A malformed id is refused before the journal is unlocked: not a byte changes.
    let before = journal_bytes(&env);
    env.fails(&[
        "values",
        "add",
        "Mutual Aid",
        "--name",
        "x",
        "--description",
        "y",
    ]);
    env.fails(&[
        "values",
        "add",
        "care",
        "--name",
        "Care",
        "--description",
        "  ",
    ]);
    assert!(journal_bytes(&env) == before, "the journal file changed");
    // A taken id can only be refused after unlocking; what the journal holds is the same.
    let before = contents(&env);
    env.fails(&[
        "values",
        "add",
        "equity",
        "--name",
        "x",
        "--description",
        "y",
    ]);
    assert_eq!(contents(&env), before);
}

#[test]
fn values_edit_changes_words_and_checks_them_first() {
    let env = Env::with_journal();
    let prompts = |env: &Env| {
        json(&env.ok(&["values", "show", "equity", "--json"]))["prompts"]
            .as_array()
            .unwrap()
            .clone()
    };
    let count = prompts(&env).len();
    let out = env.ok(&[
        "values",
        "edit",
        "equity",
        "--prompt",
        "Who was missing from the room?",
    ]);
    assert_eq!(out.trim(), "Changed the prompts of `equity`.");
    let now = prompts(&env);
    assert_eq!(now.len(), count + 1);
    assert_eq!(now[count], "Who was missing from the room?");

    let out = env.ok(&[
        "values",
        "edit",
        "equity",
        "--name",
        "Equity and inclusion",
        "--description",
        "Everyone can take part.",
        "--clear-prompts",
        "--prompt",
        "Who was easiest to overlook?",
    ]);
    assert_eq!(
        out.trim(),
        "Changed the name, description and prompts of `equity`."
    );
    let shown = json(&env.ok(&["values", "show", "equity", "--json"]));
    assert_eq!(shown["name"], "Equity and inclusion");
    assert_eq!(shown["description"], "Everyone can take part.");
    assert_eq!(
        shown["prompts"],
        serde_json::json!(["Who was easiest to overlook?"])
    );

    let out = env.ok(&["values", "edit", "equity", "--name", "Equity and inclusion"]);
    assert!(out.contains("nothing changed"), "{out}");

    let before = contents(&env);
    let err = env.fails(&["values", "edit", "equity", "--description", " "]);
    assert!(err.contains("needs a description"), "{err}");
    let err = env.fails(&["values", "edit", "equity", "--prompt", ""]);
    assert!(err.contains("prompts for `equity` is empty"), "{err}");
    let err = env.fails(&["values", "edit", "equity"]);
    assert!(
        err.contains("hint: add --name, --description, --prompt or --clear-prompts"),
        "{err}"
    );
    let err = env.fails(&["values", "edit", "equty", "--name", "x"]);
    assert!(err.contains("Did you mean `equity`?"), "{err}");
    assert_eq!(contents(&env), before, "refused edits change nothing");
}

#[test]
fn values_rename_keeps_reflections_pointing_at_the_same_id() {
    let env = Env::with_journal();
    let id = env.write(&["Rota talk", "-v", "equity=4"]);
    let out = env.ok(&["values", "rename", "equity", "Equity and inclusion"]);
    assert_eq!(
        out.trim(),
        "Renamed `equity` from Equity to Equity and inclusion. Reflections that name it show the new name."
    );
    let reflection = json(&env.ok(&["show", &id, "--json"]));
    assert_eq!(
        reflection["values"][0]["value"], "equity",
        "the id is the same"
    );
    assert!(
        env.ok(&["show", &id])
            .contains("Equity and inclusion: 4 — mostly")
    );
    assert!(
        env.ok(&["values", "list"])
            .contains("equity           Equity and inclusion")
    );
    env.ok(&["write", "More", "-v", "equity"]);
    assert_eq!(
        json(&env.ok(&["values", "show", "equity", "--json"]))["reflections"],
        2
    );

    let err = env.fails(&["values", "rename", "equity", "  "]);
    assert!(err.contains("needs a name"), "{err}");
    let err = env.fails(&["values", "rename", "nothing-here", "Name"]);
    assert!(err.contains("no value `nothing-here`"), "{err}");
}

#[test]
fn values_retire_and_restore_keep_old_reflections_reading() {
    let env = Env::with_journal();
    let id = env.write(&["A hard conversation", "-v", "repair=3", "-v", "equity"]);
    let out = env.ok(&["values", "retire", "repair"]);
    assert_eq!(
        out.trim(),
        "Retired `repair` (Repair). Reflections that name it keep it; new ones can't name it."
    );
    assert!(
        env.ok(&["show", &id])
            .contains("Repair (retired): 3 — partly")
    );

    let err = env.fails(&["write", "x", "-v", "repair"]);
    assert!(err.contains("`repair` is retired"), "{err}");
    assert!(
        err.contains("Active values: equity, transparency, anti-oppression."),
        "{err}"
    );
    let err = env.fails(&["values", "retire", "repair"]);
    assert!(err.contains("already retired"), "{err}");

    let out = env.ok(&["values", "restore", "repair"]);
    assert_eq!(
        out.trim(),
        "Restored `repair` (Repair). New reflections can name it again."
    );
    env.ok(&["write", "x", "-v", "repair"]);
    assert!(!env.ok(&["show", &id]).contains("retired"));
    let err = env.fails(&["values", "restore", "repair"]);
    assert!(err.contains("already active"), "{err}");

    for id in ["equity", "transparency", "repair"] {
        env.ok(&["values", "retire", id]);
    }
    let before = contents(&env);
    let err = env.fails(&["values", "retire", "anti-oppression"]);
    assert!(err.contains("last active value"), "{err}");
    assert!(
        err.contains("hint: `tend values add` or `tend values restore`"),
        "{err}"
    );
    assert_eq!(contents(&env), before);
}

#[test]
fn values_export_to_stdout_and_to_a_file() {
    let env = Env::with_journal();
    env.ok(&["values", "rename", "equity", "Equity and inclusion"]);
    env.ok(&["values", "retire", "repair"]);
    let fingerprint = json(&env.ok(&["values", "list", "--json"]))["fingerprint"]
        .as_str()
        .unwrap()
        .to_owned();
    let toml = env.ok(&["values", "export"]);
    assert!(toml.starts_with(&format!("# Fingerprint when exported: {fingerprint}")));
    assert!(toml.contains("name = \"Equity and inclusion\""), "{toml}");
    assert!(toml.contains("retired = true"), "{toml}");

    let path = env.path("ours.toml");
    let file = path.to_str().unwrap();
    let out = env.ok(&["values", "export", "-o", file]);
    assert!(out.contains(&fingerprint), "{out}");
    assert_eq!(std::fs::read_to_string(&path).unwrap(), toml);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&path).unwrap().permissions().mode();
        assert_eq!(mode & 0o777, 0o600);
    }
    let err = env.fails(&["values", "export", "-o", file]);
    assert!(err.contains("already exists"), "{err}");
    assert!(err.contains("--force"), "{err}");
    std::fs::write(&path, "old").unwrap();
    env.ok(&["values", "export", "-o", file, "--force"]);
    assert_eq!(std::fs::read_to_string(&path).unwrap(), toml);

    // The exported file reads back to the same pack.
    let checked = env.ok(&["values", "check", file]);
    assert!(checked.contains(&fingerprint), "{checked}");
    let other = Env::new();
    other.ok(&["init", "--pack", file]);
    assert_eq!(
        json(&other.ok(&["values", "list", "--json"]))["fingerprint"],
        fingerprint.as_str()
    );
}

#[test]
fn values_import_shows_the_changes_and_asks_first() {
    let env = Env::with_journal();
    let hard = env.write(&["A hard conversation", "-v", "repair=3"]);
    let pay = env.write(&["Pay talk", "-v", "equity=4"]);
    let newer = env.file("newer.toml", &newer_pack());
    let newer = newer.to_str().unwrap();

    let shown = env.ok(&["values", "import", newer, "--dry-run"]);
    let line = |word: &str, id: &str| {
        shown
            .lines()
            .find(|l| l.trim_start().starts_with(word) && l.contains(id))
            .unwrap_or_else(|| panic!("no `{word} {id}` line: {shown}"))
            .to_owned()
    };
    assert!(line("add", "care").contains("Care"));
    let retire = line("retire", "repair");
    assert!(retire.contains("the new pack leaves it out"), "{retire}");
    assert!(
        retire.contains("1 reflection names it and keeps it"),
        "{retire}"
    );
    let change = line("change", "equity");
    assert!(
        change.contains("name Equity → Equity and inclusion"),
        "{change}"
    );
    assert!(change.contains("prompts"), "{change}");
    assert!(line("change", "the pack's").contains("version 1 → 2"));
    assert!(
        !shown.contains("the scale"),
        "the scale is the same: {shown}"
    );
    assert!(!shown.contains("repair prompts"), "{shown}");
    assert_eq!(
        shown.lines().filter(|l| l.starts_with("  ")).count(),
        4,
        "{shown}"
    );
    let before = contents(&env);
    assert!(before.0.contains("name = \"Repair\"") && !before.0.contains("retired"));

    // Without a terminal and without --yes, it refuses before unlocking.
    let bytes = journal_bytes(&env);
    let err = env.fails(&["values", "import", newer]);
    assert!(err.contains("needs a yes"), "{err}");
    assert!(err.contains("--dry-run") && err.contains("--yes"), "{err}");
    assert!(journal_bytes(&env) == bytes, "the journal file changed");

    let out = env.ok(&["values", "import", newer, "--yes"]);
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("add") && l.contains("care")),
        "it shows the changes: {out}"
    );
    assert!(
        out.contains("Took in tend default values (1 added, 1 retired, 1 reworded)"),
        "{out}"
    );
    let list = env.ok(&["values", "list"]);
    assert!(
        list.contains("care") && list.contains("Equity and inclusion"),
        "{list}"
    );
    assert!(
        list.lines()
            .any(|l| l.contains("repair") && l.contains("(retired)")),
        "left out means retired, never deleted: {list}"
    );
    assert!(
        env.ok(&["show", &hard])
            .contains("Repair (retired): 3 — partly")
    );
    assert!(
        env.ok(&["show", &pay])
            .contains("Equity and inclusion: 4 — mostly")
    );
    let err = env.fails(&["write", "x", "-v", "repair"]);
    assert!(err.contains("`repair` is retired"), "{err}");
    assert!(
        err.contains("Active values: equity, transparency, anti-oppression, care."),
        "{err}"
    );
    env.ok(&["write", "x", "-v", "care=5"]);

    let again = env.ok(&["values", "import", newer, "--yes"]);
    assert!(again.contains("already holds this pack"), "{again}");
}

#[test]
fn values_import_restores_and_shows_a_new_scale() {
    let env = Env::with_journal();
    env.ok(&["values", "retire", "repair"]);
    let out = env.ok(&["values", "import", "justice-practice", "--dry-run"]);
    assert!(
        out.contains("1 not yet · 2 beginning · 3 growing · 4 rooted"),
        "{out}"
    );
    assert!(
        out.contains("ratings already given keep their numbers"),
        "{out}"
    );
    let out = env.ok(&["values", "import", "default", "--dry-run"]);
    assert!(
        out.lines()
            .any(|l| l.trim_start().starts_with("restore") && l.contains("repair")),
        "{out}"
    );
    env.ok(&["values", "import", "default", "--yes"]);
    env.ok(&["write", "x", "-v", "repair"]);
}

#[test]
fn values_import_on_a_terminal_asks_first() {
    let env = Env::with_journal();
    let newer = env.file("newer.toml", &newer_pack());
    let run = |answer: &str| {
        let cmdline = format!(
            "env -i HOME='{}' PATH='{}' TEND_JOURNAL='{}' TEND_PASSPHRASE_FILE='{}' TEND_INSECURE_SCRYPT_WORK_FACTOR=8 NO_COLOR=1 '{}' values import '{}'; echo EXIT=$?",
            env.home.display(),
            std::env::var("PATH").unwrap_or_default(),
            env.journal.display(),
            env.pass_file.display(),
            common::tend_bin().display(),
            newer.display()
        );
        let mut p = common::pty();
        p.send_line(&cmdline).unwrap();
        p.exp_string("Take in these changes? [y/N]").unwrap();
        p.send_line(answer).unwrap();
        let (before, code) = p.exp_regex("EXIT=[0-9]+").unwrap();
        assert_eq!(code, "EXIT=0", "{before}");
        before
    };
    let before = contents(&env);
    assert!(run("n").contains("Kept your values pack as it was."));
    assert_eq!(contents(&env), before);
    assert!(run("y").contains("Took in tend default values"));
    assert!(env.ok(&["values", "list"]).contains("care"));
}

#[test]
fn values_check_passes_the_examples_and_the_default_pack() {
    let env = Env::new();
    for (pack, name, count) in [
        (
            "examples/values/therapy-coop.toml",
            "Worker-owned therapy cooperative",
            12,
        ),
        (
            "examples/values/justice-practice.toml",
            "Justice-oriented group practice",
            7,
        ),
        (
            "examples/values/healing-justice.toml",
            "Healing-justice network",
            8,
        ),
    ] {
        let path = workspace(pack);
        let out = env.ok(&["values", "check", path.to_str().unwrap()]);
        assert!(out.starts_with(name), "{out}");
        assert!(out.contains("Fingerprint: "), "{out}");
        let values = out.lines().filter(|l| l.starts_with("  ")).count();
        assert_eq!(values, count, "{out}");
        // The built-in pack of the same short name is the same file.
        let short = pack
            .trim_start_matches("examples/values/")
            .trim_end_matches(".toml");
        let builtin = env.ok(&["values", "check", short]);
        assert_eq!(builtin, out);
    }
    let out = env.ok(&["values", "check", "default"]);
    assert!(out.starts_with("tend default values"), "{out}");
    assert!(out.contains("anti-oppression"), "{out}");
}

#[test]
fn values_check_needs_no_journal_and_no_passphrase() {
    let env = Env::new();
    std::fs::remove_file(&env.pass_file).unwrap();
    let pack = env.file("ours.toml", &newer_pack());
    let out = env.ok(&["values", "check", pack.to_str().unwrap()]);
    assert!(
        out.contains("care") && out.contains("Fingerprint: "),
        "{out}"
    );
    assert!(!env.journal.exists());
    let err = env.fails(&["values", "check", "no-such-pack"]);
    assert!(
        err.contains("no built-in pack or file called \"no-such-pack\""),
        "{err}"
    );
    assert!(
        err.contains("hint: the built-in packs are: default, therapy-coop"),
        "{err}"
    );
}

#[test]
fn init_with_a_builtin_pack_or_a_file() {
    let env = Env::new();
    let out = env.ok(&["init", "--pack", "therapy-coop"]);
    assert!(
        out.contains("Worker-owned therapy cooperative (12 values"),
        "{out}"
    );
    assert_eq!(
        json(&env.ok(&["values", "list", "--json"]))["name"],
        "Worker-owned therapy cooperative"
    );

    let env = Env::new();
    std::fs::create_dir_all(env.path("packs/ours")).unwrap();
    env.file("packs/ours/values.toml", &newer_pack());
    env.ok(&["init", "--pack", "packs/ours/values.toml"]);
    let list = env.ok(&["values", "list"]);
    assert!(
        list.contains("care") && list.contains("version 2"),
        "{list}"
    );
    env.ok(&["write", "x", "-v", "care"]);
}

/// A bad pack is reported by `values check`, `init --pack` and `values import` alike: the
/// file, the line, what is wrong and a hint; and nothing in any journal changes.
fn bad_pack(name: &str, line: usize, what: &str) {
    let path = fixture(name);
    let env = Env::with_journal();
    let before = journal_bytes(&env);
    for command in [
        &["values", "check", path.as_str()][..],
        &["values", "import", path.as_str(), "--yes"],
        &["values", "import", path.as_str(), "--dry-run"],
    ] {
        let out = env.run(command);
        assert_eq!(out.status.code(), Some(1), "{command:?}");
        let err = String::from_utf8(out.stderr).unwrap();
        let lines: Vec<&str> = err.lines().collect();
        assert_eq!(
            lines.len(),
            2,
            "one line for the problem, one for the hint: {err}"
        );
        assert!(
            lines[0].starts_with(&format!("tend: {path}: line {line}, column ")),
            "{command:?}: {err}"
        );
        assert!(lines[0].contains(what), "{command:?}: {err}");
        assert!(lines[1].starts_with("  hint: "), "{err}");
        assert!(out.stdout.is_empty(), "{command:?}");
    }
    assert!(journal_bytes(&env) == before, "the journal file changed");

    let fresh = Env::new();
    let err = fresh.fails(&["init", "--pack", &path]);
    assert!(
        err.contains(&format!("{name}: line {line}, column ")),
        "{err}"
    );
    assert!(err.contains("  hint: "), "{err}");
    assert!(
        !fresh.journal.exists(),
        "no journal is made from a bad pack"
    );
}

#[test]
fn bad_pack_toml_syntax() {
    bad_pack("syntax.toml", 7, "isn't valid TOML here");
    let err = Env::new().fails(&["values", "check", &fixture("syntax.toml")]);
    assert!(err.contains("hint: Check for a missing quote"), "{err}");
}

#[test]
fn bad_pack_unknown_key() {
    bad_pack("unknown-key.toml", 8, "can't have a key `descripton`");
    let err = Env::new().fails(&["values", "check", &fixture("unknown-key.toml")]);
    assert!(err.contains("hint: Did you mean `description`?"), "{err}");
}

#[test]
fn bad_pack_missing_field() {
    bad_pack(
        "missing-field.toml",
        10,
        "This [[value]] has no `description`",
    );
}

#[test]
fn bad_pack_duplicate_id() {
    bad_pack(
        "duplicate-id.toml",
        11,
        "The id `equity` is used twice: first on line 6",
    );
}

#[test]
fn bad_pack_malformed_id() {
    bad_pack(
        "malformed-id.toml",
        6,
        "`Mutual Aid` can't be used as an id",
    );
    let err = Env::new().fails(&["values", "check", &fixture("malformed-id.toml")]);
    assert!(err.contains("hint: Try id = \"mutual-aid\"."), "{err}");
}

#[test]
fn bad_pack_empty_name() {
    bad_pack("empty-name.toml", 7, "The name of `equity` is empty");
}

#[test]
fn bad_pack_scale_range_and_words_disagree() {
    bad_pack(
        "scale-mismatch.toml",
        8,
        "runs from 1 to 5, which is 5 points, but it has 4 words",
    );
}

#[test]
fn bad_pack_with_no_values() {
    bad_pack("empty.toml", 3, "This pack has no values yet");
}

#[test]
fn bad_pack_with_every_value_retired() {
    bad_pack("all-retired.toml", 5, "Every value in this pack is retired");
}

#[test]
fn values_import_leaves_the_same_fingerprint_as_a_newcomer() {
    let member = Env::with_journal();
    let newer = member.file("newer.toml", &newer_pack());
    member.ok(&["values", "import", newer.to_str().unwrap(), "--yes"]);
    let newcomer = Env::new();
    newcomer.ok(&["init", "--pack", newer.to_str().unwrap()]);
    let fp = |env: &Env| json(&env.ok(&["values", "list", "--json"]))["fingerprint"].clone();
    assert_eq!(
        fp(&member),
        fp(&newcomer),
        "retired leftovers do not change the fingerprint"
    );
    let checked = member.ok(&["values", "check", newer.to_str().unwrap()]);
    assert!(checked.contains(fp(&member).as_str().unwrap()), "{checked}");
}
