//! What people see of a small retreat, as reviewed snapshots: the Markdown summary the circle
//! reads and the report the facilitator reads. The circle is the worked example of
//! docs/retreat-guide.md; a change in either is a change in what a person sees, and shows
//! up here as a diff to review.
//!
//! Member keys are new each run, so the roster's fingerprint is redacted, and so is the day
//! the summary was built; everything else is fixed.
#![allow(clippy::unwrap_used)]

mod common;
mod retreat_support;

use common::Env;
use retreat_support::{Facilitator, PURPOSE, excerpts_by_place};

/// A member: their name, the flags of each of their reflections, and their extra share flags
/// (an `--excerpt` names a reflection by its place among theirs, counting from 1).
type Member = (
    &'static str,
    &'static [&'static [&'static str]],
    &'static [&'static str],
);

/// Six members of a circle, their reflections in the autumn, and who shares what.
const CIRCLE: [Member; 6] = [
    (
        "Amara",
        &[
            &["-v", "equity=4", "--on", "2026-09-10"],
            &["-v", "equity=4", "-v", "repair=5", "--on", "2026-10-02"],
        ],
        &[],
    ),
    (
        "Bo",
        &[
            &["-v", "equity=4", "--on", "2026-09-14"],
            &["-v", "equity=3", "-v", "repair=5", "--on", "2026-10-20"],
        ],
        &[],
    ),
    (
        "Chen",
        &[
            &["-v", "equity=4", "-v", "repair=5", "--on", "2026-09-20"],
            &["-v", "equity=5", "--on", "2026-11-02"],
        ],
        &["--excerpt", "1", "--name", "Chen"],
    ),
    (
        "Dana",
        &[&["-v", "equity=3", "-v", "repair=5", "--on", "2026-10-05"]],
        &[],
    ),
    (
        "Eli",
        &[&[
            "-v",
            "equity=2",
            "-v",
            "transparency=3",
            "--on",
            "2026-11-11",
        ]],
        &[],
    ),
    (
        "Femi",
        &[&["-v", "transparency=4", "--on", "2026-09-30"]],
        &[],
    ),
];

/// The words Chen chose to share (their first reflection).
const CHENS_WORDS: &str = "We split the intake calls by who had room, not by who asked \
first. It felt slower and fairer.";

/// Shares `env`'s journal with the facilitator for the example's period (with `extra` flags);
/// the facilitator receives the file as `name`.
fn share(env: &Env, fac: &Facilitator, extra: &[&str], name: &str) -> String {
    let mut args = vec![
        "share",
        "--purpose",
        PURPOSE,
        "--to",
        &fac.recipient,
        "--since",
        "2026-09-01",
        "--until",
        "2026-11-30",
        "-o",
        "c.age",
        "--yes",
    ];
    args.extend_from_slice(extra);
    env.ok(&args);
    fac.receive(&env.path("c.age"), name)
}

/// Builds the worked example: the facilitator, the files and the roster.
fn circle() -> (Facilitator, Vec<String>) {
    let fac = Facilitator::new();
    let mut roster = String::new();
    let mut files = Vec::new();
    for (name, reflections, extra) in CIRCLE {
        let env = Env::with_journal();
        let mut ids = Vec::new();
        for (i, args) in reflections.iter().enumerate() {
            let text = if name == "Chen" && i == 0 {
                CHENS_WORDS.to_owned()
            } else {
                format!("{name}'s reflection {}", i + 1)
            };
            let mut all = vec![text.as_str()];
            all.extend_from_slice(args);
            ids.push(env.write(&all));
        }
        let extra = excerpts_by_place(extra, &ids);
        let extra: Vec<&str> = extra.iter().map(String::as_str).collect();
        roster += &env.ok(&["retreat", "join", "--purpose", PURPOSE, "--name", name]);
        files.push(share(
            &env,
            &fac,
            &extra,
            &format!("{}.age", name.to_lowercase()),
        ));
    }
    fac.env.file("roster.txt", &roster);
    // A stranger who holds the recipient adds a file of their own.
    let stranger = Env::with_journal();
    stranger.ok(&["write", "made up", "-v", "equity=1", "--on", "2026-09-03"]);
    files.push(share(&stranger, &fac, &[], "unknown.age"));
    (fac, files)
}

#[test]
fn the_worked_example_as_the_circle_and_the_facilitator_see_it() {
    let (fac, files) = circle();
    let names: Vec<&str> = files.iter().map(String::as_str).collect();
    let (markdown, report) = fac.build_ok(&names, "summary.md", &["--roster", "roster.txt"]);
    insta::with_settings!({
        filters => vec![
            (r"(fingerprint |roster )[0-9a-f]{4}( [0-9a-f]{4}){7}", "$1[roster fingerprint]"),
            (r"Built with tend on \d{1,2} \w+ \d{4}", "Built with tend on [the day of the build]"),
        ],
        prepend_module_to_snapshot => false,
    }, {
        insta::assert_snapshot!("retreat_summary_markdown", markdown);
        insta::assert_snapshot!("retreat_build_report", report);
    });
}
