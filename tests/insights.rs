//! Insights end to end: per value counts, the spread and mean of ratings, a weekly chart,
//! commitments by state and repairs by the parts tended — in plain words, never a score.
#![allow(clippy::unwrap_used)]

mod common;

use common::Env;

fn days_ago(n: u64) -> String {
    (chrono::Local::now().date_naive() - chrono::Days::new(n)).to_string()
}

/// Reflections in this week, last week and the week before, plus a commitment or two and
/// a repair.
fn journal_with_history() -> Env {
    let env = Env::with_journal();
    env.ok(&[
        "write",
        "a",
        "-v",
        "equity=4",
        "-v",
        "repair",
        "--on",
        &days_ago(0),
    ]);
    env.ok(&["write", "b", "-v", "equity=4", "--on", &days_ago(7)]);
    env.ok(&[
        "write",
        "c",
        "-v",
        "equity=2",
        "-v",
        "transparency=5",
        "--on",
        &days_ago(14),
    ]);
    env.ok(&["write", "d", "--on", &days_ago(14)]);
    env.ok(&["commit", "add", "Share the rota", "--due", "3 days ago"]);
    let pay = common::saved_id(&env.ok(&["commit", "add", "Ask about pay"]));
    env.ok(&["commit", "done", &pay]);
    let group = common::saved_id(&env.ok(&["commit", "add", "Run the group"]));
    env.ok(&["commit", "release", &group, "--note", "capacity"]);
    let sam = common::saved_id(&env.ok(&["repair", "open", "Spoke over Sam"]));
    env.ok(&["repair", "step", &sam, "reflection", "--note", "x"]);
    env.ok(&["repair", "step", &sam, "change", "--note", "y"]);
    let handover = common::saved_id(&env.ok(&["repair", "open", "Missed a handover"]));
    env.ok(&["repair", "step", &handover, "reflection", "--note", "z"]);
    env.ok(&["repair", "close", &handover, "--note", "talked"]);
    env
}

#[test]
fn insights_in_plain_words() {
    let env = journal_with_history();
    let out = env.ok(&["insights"]);
    assert!(out.contains("Insights · all time"), "{out}");
    assert!(out.contains("4 reflections in this period."), "{out}");
    let lines: Vec<&str> = out.lines().collect();
    let after = |name: &str| {
        lines
            .iter()
            .position(|l| *l == name)
            .map(|i| lines[i + 1])
            .unwrap()
    };
    assert_eq!(
        after("Equity").trim(),
        "named in 3 reflections; ratings: 2×1, 4×2; mean 3.3"
    );
    assert_eq!(
        after("Transparency").trim(),
        "named in 1 reflection; ratings: 5×1; mean 5.0"
    );
    assert_eq!(after("Repair").trim(), "named in 1 reflection; no ratings");
    assert_eq!(after("Anti-oppression").trim(), "not named in this period");

    // Equity's chart: twelve weeks, the last three holding 2, 4 and 4 (reflections seven
    // days apart always fall in neighbouring weeks).
    let equity = lines.iter().position(|l| *l == "Equity").unwrap();
    let chart = lines[equity + 2].trim();
    assert_eq!(chart.chars().count(), 12, "{chart:?}");
    assert!(chart.ends_with("▃▆▆"), "{chart:?}");
    assert!(chart.starts_with("·········"), "{chart:?}");
    assert!(
        out.contains("Chart: one mark per week, 12 weeks from"),
        "{out}"
    );
    assert!(
        out.contains("▁ is 1 (not this week), █ is 5 (fully), · a week without a rating"),
        "{out}"
    );

    assert!(
        out.contains("Commitments: 1 open, 1 kept, 0 renegotiated, 1 released; 1 past its date."),
        "{out}"
    );
    assert!(
        out.contains("Repairs: 1 open, 1 closed; parts tended: self-reflection in 2, apology in 0, repair in 0, changed behaviour in 1."),
        "{out}"
    );
    let lower = out.to_lowercase();
    for word in ["score", "fail", "overdue", "good", "bad", "streak"] {
        assert!(!lower.contains(word), "{word:?} in {out}");
    }
}

#[test]
fn insights_json() {
    let env = journal_with_history();
    let json: serde_json::Value = serde_json::from_str(&env.ok(&["insights", "--json"])).unwrap();
    assert_eq!(json["reflections"], 4);
    assert!(json["since"].is_null());
    let equity = &json["values"][0];
    assert_eq!(equity["id"], "equity");
    assert_eq!(equity["reflections"], 3);
    assert_eq!(equity["rated"], 3);
    assert_eq!(equity["mean"], 3.3);
    let counts: Vec<u64> = equity["ratings"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["count"].as_u64().unwrap())
        .collect();
    assert_eq!(counts, [0, 1, 0, 2, 0]);
    assert_eq!(equity["ratings"][3]["word"], "mostly");
    let weeks = equity["weeks"].as_array().unwrap();
    assert_eq!(weeks.len(), 12);
    assert_eq!(weeks[11]["mean"], 4.0);
    assert_eq!(weeks[9]["mean"], 2.0);
    assert!(weeks[0]["mean"].is_null());
    assert_eq!(
        json["commitments"],
        serde_json::json!({ "open": 1, "kept": 1, "renegotiated": 0, "released": 1, "past_date": 1 })
    );
    assert_eq!(json["repairs"]["open"], 1);
    assert_eq!(json["repairs"]["parts"][3]["repairs"], 1);
}

#[test]
fn insights_for_a_period() {
    let env = journal_with_history();
    let since = days_ago(10);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["insights", "--since", &since, "--json"])).unwrap();
    assert_eq!(json["reflections"], 2);
    assert_eq!(json["values"][0]["mean"], 4.0);
    assert_eq!(json["since"], since.as_str());
    let weeks = json["values"][0]["weeks"].as_array().unwrap().len();
    assert!((2..=3).contains(&weeks), "the weeks of the period: {weeks}");

    let until = days_ago(10);
    let json: serde_json::Value =
        serde_json::from_str(&env.ok(&["insights", "--until", &until, "--json"])).unwrap();
    assert_eq!(json["reflections"], 2);
    assert_eq!(json["values"][0]["mean"], 2.0);
    assert_eq!(json["commitments"]["open"], 0, "made after the period");

    let out = env.ok(&["insights", "--since", "2000-01-01", "--until", "2000-12-31"]);
    assert!(out.contains("0 reflections in this period."), "{out}");
    assert!(
        out.contains("Commitments: none made in this period."),
        "{out}"
    );
    assert!(
        out.contains("Repairs: none opened in this period."),
        "{out}"
    );
    assert!(!out.contains("Chart:"), "no chart without ratings: {out}");

    let err = env.fails(&["insights", "--since", "2026-02-01", "--until", "2026-01-01"]);
    assert!(
        err.contains("--since 2026-02-01 comes after --until 2026-01-01"),
        "{err}"
    );
    let err = env.fails(&["insights", "--since", "whenever"]);
    assert!(
        err.contains("could not read \"whenever\" as a date"),
        "{err}"
    );
}

#[test]
fn insights_on_an_empty_journal() {
    let env = Env::with_journal();
    let out = env.ok(&["insights"]);
    assert!(out.contains("0 reflections in this period."), "{out}");
    assert_eq!(out.matches("not named in this period").count(), 4, "{out}");
    assert!(out.contains("Commitments: none made in this period."));
}

#[test]
fn insights_colours_carry_no_judgement() {
    let env = journal_with_history();
    // NO_COLOR (set for every test) wins over --color, so it is left out here.
    let out = env
        .std_cmd()
        .env_remove("NO_COLOR")
        .args(["--color", "always", "insights"])
        .output()
        .unwrap();
    assert!(out.status.success());
    let out = String::from_utf8(out.stdout).unwrap();
    assert!(out.contains('\u{1b}'), "colour was asked for");
    // Red, green and yellow (and their bright forms) are the colours that read as a verdict.
    for code in [
        "\u{1b}[31m",
        "\u{1b}[32m",
        "\u{1b}[33m",
        "\u{1b}[91m",
        "\u{1b}[92m",
        "\u{1b}[93m",
    ] {
        assert!(!out.contains(code), "{code:?} in {out}");
    }
}
