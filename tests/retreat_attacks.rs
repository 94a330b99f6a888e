//! Issue 10's nine findings, each tried again against the real `tend` (and, where a file has to
//! be made by hand, the reference `age` tool), and each now failing: the attacks a curious
//! member or facilitator could make on the retreat summary.
#![allow(clippy::unwrap_used)]

mod common;
mod retreat_support;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use common::Env;
use retreat_support::craft::{Crafter, as_another, opened};
use retreat_support::{Facilitator, PURPOSE, member, member_with_ids, rating_counts, share, value};
use serde_json::Value;
use tend_core::contribution::{Contribution, Excerpt, ValueRef};

/// `tend retreat join` for `env`: the roster line it prints.
fn join(env: &Env, name: &str) -> String {
    env.ok(&["retreat", "join", "--purpose", PURPOSE, "--name", name])
}

/// Shares for each member and hands the files over as `NAME.age`.
fn hand_over(fac: &Facilitator, members: &[(&Env, &str)], extra: &[&str]) -> Vec<String> {
    members
        .iter()
        .map(|(env, name)| {
            let (file, _) = share(env, &fac.recipient, "c.age", extra);
            fac.receive(&file, &format!("{name}.age"))
        })
        .collect()
}

fn refs(names: &[String]) -> Vec<&str> {
    names.iter().map(String::as_str).collect()
}

/// Three members whose reflections rate equity 2, 3 and 4, each handing over one
/// contribution (`a.age`, `b.age`, `c.age`).
fn three_members(fac: &Facilitator) -> Vec<String> {
    let people: Vec<Env> = (2..=4)
        .map(|i| member(&[&[&format!("w{i}"), "-v", &format!("equity={i}")]]))
        .collect();
    hand_over(
        fac,
        &[(&people[0], "a"), (&people[1], "b"), (&people[2], "c")],
        &[],
    )
}

/// Finding 1: throwaway journals sealed to the facilitator's public recipient used to be
/// counted as members, so subtracting the fakes gave the one real member's ratings. With a
/// roster they are left out, and nothing is shown for the one real member.
#[test]
fn attack_1_made_up_contributions_are_left_out_as_not_on_the_roster() {
    let fac = Facilitator::new();
    let robin = member(&[&["a", "-v", "equity=2"], &["b", "-v", "equity=4"]]);
    let mut roster = join(&robin, "Robin");
    roster += &join(&Env::with_journal(), "Sam");
    roster += &join(&Env::with_journal(), "Alex");
    fac.env.file("roster.txt", &roster);
    let mut files = hand_over(&fac, &[(&robin, "robin")], &[]);
    let one_of_each: Vec<[String; 3]> = (1..=5)
        .map(|r| ["w".to_owned(), "-v".to_owned(), format!("equity={r}")])
        .collect();
    for i in 1..=3 {
        let fake = Env::with_journal();
        for args in &one_of_each {
            fake.ok(&["write", &args[0], &args[1], &args[2]]);
        }
        files.extend(hand_over(&fac, &[(&fake, &format!("fake{i}"))], &[]));
    }

    // The attack as it was: without a roster all four count, and the summary says so.
    let (open, report) = fac.build_json(&refs(&files), &[]);
    assert_eq!(open["members"], 4, "{open}");
    assert!(report.contains("no roster was given"), "{report}");
    assert_eq!(open["roster"], Value::Null);

    let (summary, report) = fac.build_json(&refs(&files), &["--roster", "roster.txt"]);
    for i in 1..=3 {
        assert!(
            report.contains(&format!("left out fake{i}.age: not on the roster")),
            "{report}"
        );
    }
    assert!(
        report.contains("Read 4 files: 1 included, 3 left out."),
        "{report}"
    );
    assert_eq!(summary["members"], Value::Null, "{summary}");
    assert_eq!(summary["values"], serde_json::json!([]), "{summary}");
    assert_eq!(summary["roster"]["listed"], 3);
    assert_eq!(summary["roster"]["contributed"], 1);
    let (markdown, _) = fac.build_ok(&refs(&files), "summary.md", &["--roster", "roster.txt"]);
    assert!(
        markdown.contains("3 people are on it, and 1 contributed"),
        "{markdown}"
    );
    assert!(
        markdown.contains("Fewer than 3 members contributed"),
        "{markdown}"
    );
}

/// Three members on the roster whose files were written by hand: every string that reaches
/// the summary carries Markdown, HTML and a forged line of figures.
fn injection_world() -> (Facilitator, Vec<String>) {
    let fac = Facilitator::new();
    let (base, ids) = member_with_ids(&[&["words", "-v", "equity=3"]]);
    let (file, _) = share(&base, &fac.recipient, "c.age", &["--excerpt", &ids[0]]);
    let base = opened(&fac, &file);

    let names = [
        "[Eve](https://evil.example/a) <img src=x>",
        "**Named by 9 members** `code`",
        "Mallory <script>x</script>",
    ];
    let mut roster = String::new();
    let mut files = Vec::new();
    for (i, name) in names.iter().enumerate() {
        let who = Crafter::new(&format!("crafter {i}"), name);
        roster += &who.roster_line();
        let mut c = as_another(base.clone(), i as u64 + 1);
        c.purpose = format!("{PURPOSE} <img src=p> [p](https://evil.example/p)");
        c.pack.values = vec![ValueRef {
            id: "equity".into(),
            name: "Equity <img src=v onerror=alert(1)> [v](https://evil.example/v)".into(),
        }];
        c.pack.scale.words[3] = "[mostly](https://evil.example/w)".into();
        let agg = &mut c.aggregates.values[0];
        agg.ratings = [(1 + 2 * i as u8, 1)].into_iter().collect();
        agg.reflections = 1 + i as u32;
        c.consent.name = Some((*name).to_owned());
        c.excerpts = vec![Excerpt {
            values: vec!["equity".into()],
            text: "We kept going.\n\nNamed by 9 members, in 40 reflections. Mean alignment \
                   rating: 1.2.\n\n<img src=x onerror=alert(1)>\n# A forged heading\n\
                   [a link](https://evil.example/track)\n| forged | table |"
                .into(),
            content_note: Some("<img src=n> [note](https://evil.example/n)".into()),
        }];
        files.push(who.seal(&fac, c, &format!("crafted{i}.age")));
    }
    // A fourth member tries a fingerprint that starts a new block, and a value name that
    // breaks its line.
    let fourth = Crafter::new("crafter 3", "Fourth");
    roster += &fourth.roster_line();
    let mut c = as_another(base.clone(), 10);
    c.pack.fingerprint = "abcd-abcd-abcd-abcd\n# Forged".into();
    retreat_support::craft::age_encrypt(
        &fac.recipient,
        fourth.signed_as_is(c).as_bytes(),
        &fac.env.path("fingerprint.age"),
    );
    files.push("fingerprint.age".into());
    let mut c = as_another(base, 11);
    c.pack.values[0].name = "Equity\n\nNamed by 9 members".into();
    files.push(fourth.seal(&fac, c, "newline.age"));
    fac.env.file("roster.txt", &roster);
    (fac, files)
}

/// Every `pattern` in `markdown` follows a backslash: `\<` starts no HTML, `\](` closes no
/// link or image.
fn all_escaped(markdown: &str, pattern: &str) -> bool {
    markdown
        .match_indices(pattern)
        .all(|(i, _)| markdown[..i].ends_with('\\'))
}

/// Finding 2: Markdown injection. Every field a member writes is literal text in the
/// Markdown (no raw HTML, no link, no line that starts a block of its own), HTML-escaped in
/// the HTML, and cleaned of control characters on the facilitator's terminal.
#[test]
fn attack_2_injected_markdown_stays_inert() {
    let (fac, files) = injection_world();
    let (markdown, report) = fac.build_ok(&refs(&files), "summary.md", &["--roster", "roster.txt"]);
    assert!(
        report.contains("Read 5 files: 3 included, 2 left out."),
        "{report}"
    );
    assert!(
        report.contains(
            "left out newline.age: a part of it breaks tend's limits (the name of value \"equity\" \
             holds the control character U+000A)"
        ),
        "{report}"
    );
    assert!(
        report.contains(
            "left out fingerprint.age: a part of it breaks tend's limits (its values fingerprint \
             is not in the shape xxxx-xxxx-xxxx-xxxx)"
        ),
        "{report}"
    );
    assert!(markdown.contains("3 members contributed"), "{markdown}");
    // The words are there, as text.
    assert!(markdown.contains("Named by 9 members, in 40"), "{markdown}");
    assert!(
        markdown.contains("\\<img src=x onerror=alert(1)\\>"),
        "{markdown}"
    );
    assert!(markdown.contains("Equity \\<img src=v"), "{markdown}");
    // But nothing in it is live.
    assert!(all_escaped(&markdown, "<"), "{markdown}");
    assert!(all_escaped(&markdown, "]("), "{markdown}");
    assert!(!markdown.contains("# Forged"), "{markdown}");
    for line in markdown.lines() {
        match line.strip_prefix("> ") {
            // Inside a member's quote, no line opens a block of its own ("> # A forged
            // heading" would be a heading).
            Some(quoted) => assert!(
                !quoted.starts_with(['#', '<', '|', '[', '-', '+', '=', '~', ' ']),
                "{line:?}\n{markdown}"
            ),
            // Outside it, none of the member's words start a line at all.
            None => {
                for forged in [
                    "Named by 9",
                    "# A forged",
                    "<",
                    "| forged",
                    "[a link",
                    "**Named",
                ] {
                    assert!(
                        !line.starts_with(forged),
                        "a member's words start a block of their own: {line:?}\n{markdown}"
                    );
                }
            }
        }
    }

    let (html, _) = fac.build_ok(&refs(&files), "summary.html", &["--roster", "roster.txt"]);
    assert!(!html.contains("<img"), "{html}");
    assert!(!html.contains("<script>x"), "{html}");
    assert!(!html.contains("href=\"https://evil"), "{html}");
    assert!(html.contains("&lt;img src=x"), "{html}");

    // On the facilitator's terminal, a file name cannot move the cursor or retitle the window.
    let odd = "m\u{1b}]0;owned\u{7}\u{1b}[31m.age";
    std::fs::copy(fac.env.path("newline.age"), fac.env.path(odd)).unwrap();
    let out = fac.build(&[odd], &["-o", "t.md", "--roster", "roster.txt"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stderr}");
    assert!(stderr.contains("left out m\u{fffd}]0;owned"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}') && !stderr.contains('\u{7}'),
        "{stderr:?}"
    );
}

/// Finding 3: names and replacement were self-asserted. A member cannot take another's name,
/// nobody can replace a member's file without that member's key (not with a far-future date,
/// not with a higher counter), and a member's own later contribution replaces the earlier by
/// its signed counter, whatever the clock said.
#[test]
fn attack_3_a_forged_name_or_replacement_is_refused() {
    let fac = Facilitator::new();
    let people: Vec<Env> = (1..=4)
        .map(|i| member(&[&[&format!("w{i}"), "-v", &format!("equity={i}")]]))
        .collect();
    let names = ["Robin", "Sam", "Alex", "Kai"];
    let roster: String = people.iter().zip(names).map(|(p, n)| join(p, n)).collect();
    fac.env.file("roster.txt", &roster);
    // Robin shares twice (the second replaces the first); Alex and Kai once; Sam as "Robin".
    let first = hand_over(&fac, &[(&people[0], "robin-first")], &[]);
    people[0].ok(&["write", "later", "-v", "equity=5"]);
    let mut files = first;
    files.extend(hand_over(
        &fac,
        &[(&people[0], "robin-second")],
        &["--force"],
    ));
    files.extend(hand_over(
        &fac,
        &[(&people[1], "sam")],
        &["--force", "--name", "Robin"],
    ));
    files.extend(hand_over(
        &fac,
        &[(&people[2], "alex"), (&people[3], "kai")],
        &["--force"],
    ));

    // Someone who knows Robin's key (a co-facilitator reads it on the roster) writes a file
    // "from" Robin with a far higher counter and a date far ahead, to push Robin's out.
    let mut c = opened(&fac, &fac.env.path("alex.age"));
    let robin_key = opened(&fac, &fac.env.path("robin-second.age")).signer;
    c = as_another(c, 99);
    c.counter = 999;
    c.consent.given = chrono::NaiveDate::from_ymd_opt(9999, 12, 31).unwrap();
    let mallory = Crafter::new("mallory", "Mallory");
    let signed = mallory.signed(c);
    let mallory_key = opened_key(&signed);
    let forged = signed.replace(&mallory_key, &robin_key.to_string());
    assert_ne!(forged, signed);
    retreat_support::craft::age_encrypt(
        &fac.recipient,
        forged.as_bytes(),
        &fac.env.path("robin-forged.age"),
    );
    files.push("robin-forged.age".into());

    let (summary, report) = fac.build_json(&refs(&files), &["--roster", "roster.txt"]);
    assert!(
        report.contains("left out sam.age: it carries a name the roster does not give its key"),
        "{report}"
    );
    assert!(
        report.contains("left out robin-forged.age: its signature does not match"),
        "{report}"
    );
    assert!(
        report.contains("left out robin-first.age: replaced by a newer contribution"),
        "{report}"
    );
    assert!(report.contains("3 included"), "{report}");
    assert!(!report.contains("left out robin-second.age"), "{report}");
    assert_eq!(summary["members"], 3, "{summary}");
}

/// The signer key written in a signed file's text.
fn opened_key(signed: &str) -> String {
    let envelope: Value = serde_json::from_str(signed).unwrap();
    let inner: Value = serde_json::from_str(envelope["signed"].as_str().unwrap()).unwrap();
    inner["signer"].as_str().unwrap().to_owned()
}

/// Finding 4: a template included the facilitator's identity from its own folder. Now a
/// template loads only `*.j2`/`*.jinja` files, never one holding a secret key, never the
/// `-i` file, and `retreat keygen` never writes to the current folder.
#[test]
fn attack_4_a_template_cannot_include_the_identity() {
    let fac = Facilitator::new();
    let files = three_members(&fac);
    std::fs::create_dir_all(fac.env.path("templates")).unwrap();
    let secret = std::fs::read_to_string(&fac.key).unwrap();
    for copy in ["fac.txt", "fac.j2", "key.j2"] {
        fac.env.file(&format!("templates/{copy}"), &secret);
    }
    for (include, identity) in [
        ("fac.txt", "key.txt"),
        ("fac.j2", "key.txt"),
        ("key.j2", "templates/key.j2"),
    ] {
        fac.env.file(
            "templates/summary.md.j2",
            &format!("# {{{{ title }}}}\n<!-- {{% include {include:?} %}} -->\n"),
        );
        let mut args = vec!["retreat", "build", "-i", identity];
        args.extend(refs(&files));
        args.extend(["--template", "templates/summary.md.j2", "-o", "out.md"]);
        let out = fac.env.run(&args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{include}: {stderr}");
        assert!(
            stderr.contains("could not be rendered"),
            "{include}: {stderr}"
        );
        assert!(!stderr.contains("AGE-SECRET-KEY"), "{include}: {stderr}");
        assert!(!fac.env.path("out.md").exists(), "{include}");
    }

    // keygen without -o writes nowhere a template folder could be.
    let elsewhere = Env::new();
    let out = elsewhere.ok(&["retreat", "keygen"]);
    assert!(out.trim().starts_with("age1"), "{out}");
    for file in common::files_under(elsewhere.dir.path()) {
        let in_home = file.starts_with(&elsewhere.home);
        let holds_key = std::fs::read(&file)
            .map(|b| common::contains(&b, b"AGE-SECRET-KEY-"))
            .unwrap_or(false);
        assert!(!holds_key || in_home, "a secret key in {}", file.display());
    }
}

/// Finding 5: inference from the suppression itself. When every rating of a value lies in
/// one cell, the summary no longer says so ("4 · mostly: 4" with 4 members told each member's
/// rating); a name never stands beside a value whose figures would pin a rating to that
/// person; and a threshold of 2 is refused.
#[test]
fn attack_5_a_one_cell_distribution_is_hidden() {
    let fac = Facilitator::new();
    let counts = [1, 2, 1, 3];
    let (people, firsts): (Vec<Env>, Vec<String>) = counts
        .iter()
        .map(|n| {
            let env = Env::with_journal();
            let ids: Vec<String> = (0..*n)
                .map(|j| env.write(&[&format!("week {j}"), "-v", "equity=4"]))
                .collect();
            (env, ids[0].clone())
        })
        .unzip();
    let mut files = hand_over(
        &fac,
        &[(&people[0], "named")],
        &["--excerpt", &firsts[0], "--name", "Robin"],
    );
    files.extend(hand_over(
        &fac,
        &[(&people[1], "b"), (&people[2], "c"), (&people[3], "d")],
        &[],
    ));
    let (summary, report) = fac.build_json(&refs(&files), &[]);
    assert!(report.contains("4 included"), "{report}");
    // Equity is listed (the members' counts differ enough), with how many reflections named
    // it, but not how they were rated.
    let equity = value(&summary, "equity").expect("equity is listed");
    assert_eq!(equity["reflections"], 7, "{equity}");
    assert!(
        rating_counts(equity).iter().all(Value::is_null),
        "every rating was a 4; the distribution would say so: {equity}"
    );
    assert_eq!(equity["unrated"], Value::Null, "{equity}");
    assert_eq!(equity["mean"], Value::Null, "{equity}");
    let (markdown, _) = fac.build_ok(&refs(&files), "summary.md", &[]);
    assert!(!markdown.contains("| 4 · mostly | 7 |"), "{markdown}");
    assert!(!markdown.contains("Mean alignment rating: 4"), "{markdown}");

    // Robin's name stands beside their words, because no rating of equity is shown: the name
    // pins no rating to Robin.
    let names: Vec<&Value> = equity["excerpts"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| &e["name"])
        .collect();
    assert_eq!(names, vec![&Value::from("Robin")], "{equity}");

    // With a threshold of 2, each of two members would read the other's figures.
    let out = fac.build(&refs(&files), &["-o", "two.md", "--min-group", "2"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        stderr.contains("would let members work out each other's figures"),
        "{stderr}"
    );
    assert!(!fac.env.path("two.md").exists());
}

/// Finding 6: a damaged revocation was skipped silently, and the withdrawn contribution came
/// back. Now it stops the build, naming the file; `--skip-unreadable` goes on and says so in
/// the report and in the summary.
#[test]
fn attack_6_a_truncated_revocation_stops_the_build() {
    let fac = Facilitator::new();
    let people: Vec<Env> = (1..=4)
        .map(|i| member(&[&[&format!("w{i}"), "-v", &format!("equity={i}")]]))
        .collect();
    let pairs: Vec<(&Env, &str)> = people.iter().zip(["m1", "m2", "m3", "m4"]).collect();
    let files = hand_over(&fac, &pairs, &[]);
    let list: Value = serde_json::from_str(&people[0].ok(&["consent", "list", "--json"])).unwrap();
    let id = list[0]["id"].as_str().unwrap().to_owned();
    people[0].ok(&["consent", "revoke", &id, "-o", "rev.age"]);
    let mut bytes = std::fs::read(people[0].path("rev.age")).unwrap();
    bytes.truncate(bytes.len() - 3);
    std::fs::write(fac.env.path("revocation-m1.age"), &bytes).unwrap();
    std::fs::write(fac.env.path("withdrawn.age"), &bytes).unwrap();

    let mut among = refs(&files);
    among.push("revocation-m1.age");
    let out = fac.build(&among, &["-o", "summary.md"]);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr.contains("could not read the revocation revocation-m1.age"),
        "{stderr}"
    );
    assert!(stderr.contains("--skip-unreadable"), "{stderr}");
    assert!(!fac.env.path("summary.md").exists());
    // Given after --revocations, whatever its name, the same.
    let mut after = refs(&files);
    after.extend(["--revocations", "withdrawn.age"]);
    let out = fac.build(&after, &["-o", "summary.md"]);
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("withdrawn.age"));

    let (markdown, report) = fac.build_ok(&among, "summary.md", &["--skip-unreadable"]);
    assert!(
        report.contains("the revocation revocation-m1.age could not be read and was skipped"),
        "{report}"
    );
    assert!(
        markdown.contains("A revocation could not be read and was skipped** (revocation-m1.age)"),
        "{markdown}"
    );
    let (json, _) = fac.build_json(&among, &["--skip-unreadable"]);
    assert_eq!(
        json["skipped_revocations"],
        serde_json::json!(["revocation-m1.age"])
    );
}

/// Every leaf of a JSON document, by its path.
fn leaves(v: &Value, path: &str, out: &mut BTreeMap<String, Value>) {
    match v {
        Value::Object(map) => {
            for (k, v) in map {
                leaves(v, &format!("{path}.{k}"), out);
            }
        }
        Value::Array(items) if !items.is_empty() => {
            for (i, v) in items.iter().enumerate() {
                leaves(v, &format!("{path}[{i}]"), out);
            }
        }
        other => {
            out.insert(path.to_owned(), other.clone());
        }
    }
}

/// A contribution as the facilitator decrypts it (the signed text inside the envelope),
/// leaf by leaf.
fn decrypted_leaves(fac: &Facilitator, file: &str) -> BTreeMap<String, Value> {
    let plain = retreat_support::age_decrypt(&fac.key, &fac.env.path(file));
    let envelope: Value = serde_json::from_slice(&plain).unwrap();
    let inner: Value = serde_json::from_str(envelope["signed"].as_str().unwrap()).unwrap();
    let mut out = BTreeMap::new();
    leaves(&inner, "", &mut out);
    out
}

/// A journal with its own pack: a value of its own and a value renamed, and reflections.
fn customised(reflections: &[&[&str]]) -> Env {
    let env = Env::with_journal();
    env.ok(&[
        "values",
        "add",
        "mutual-aid",
        "--name",
        "Mutual aid, our way",
        "--description",
        "We carry each other.",
    ]);
    env.ok(&["values", "rename", "equity", "Fairness for all"]);
    for args in reflections {
        let mut all = vec!["write"];
        all.extend_from_slice(args);
        env.ok(&all);
    }
    env
}

/// Finding 7: contributions linked across purposes by the pack's name and fingerprint, custom
/// value ids and a nanosecond timestamp. Now two contributions from one customised journal
/// for two purposes share no field but the format and the values they cover; and every
/// field they do share, a different member with the same pack sharing the same things on the
/// same day shares too, so no field says "the same journal".
#[test]
fn attack_7_contributions_for_two_purposes_do_not_link() {
    let fac = Facilitator::new();
    let reflections: &[&[&str]] = &[
        &[
            "spring",
            "-v",
            "equity=3",
            "-v",
            "mutual-aid=4",
            "--on",
            "2026-03-02",
        ],
        &[
            "april",
            "-v",
            "equity=1",
            "-v",
            "mutual-aid=1",
            "--on",
            "2026-04-02",
        ],
        &[
            "autumn",
            "-v",
            "equity=2",
            "-v",
            "mutual-aid=5",
            "--on",
            "2026-09-10",
        ],
    ];
    let journal = customised(reflections);
    let other = customised(reflections);
    let share_for = |env: &Env, purpose: &str, period: [&str; 2], file: &str| {
        let out = env.run(&[
            "share",
            "--purpose",
            purpose,
            "--to",
            &fac.recipient,
            period[0],
            period[1],
            "-o",
            "c.age",
            "--yes",
            "--force",
        ]);
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        fac.receive(&env.path("c.age"), file);
        decrypted_leaves(&fac, file)
    };
    let spring = share_for(
        &journal,
        "Spring retreat 2026",
        ["--until", "2026-06-30"],
        "a.age",
    );
    let autumn = share_for(
        &journal,
        "Autumn retreat 2026",
        ["--since", "2026-07-01"],
        "b.age",
    );
    let control = share_for(
        &other,
        "Autumn retreat 2026",
        ["--since", "2026-07-01"],
        "c.age",
    );

    let shared: Vec<&String> = spring
        .keys()
        .filter(|k| spring.get(*k) == autumn.get(*k))
        .collect();
    // Whatever the two share, an unrelated journal with the same pack shares as well.
    for k in &shared {
        assert_eq!(
            autumn.get(*k),
            control.get(*k),
            "{k} is the same in two contributions of one journal but not in another member's"
        );
    }
    // What links a journal differs: its ids, its key, its revocation hash.
    for k in [".id", ".signer", ".revocation_hash"] {
        assert!(!shared.contains(&&k.to_owned()), "{k} links the two");
        assert_ne!(autumn.get(k), control.get(k), "{k}");
    }
    // No pack name, no whole-pack fingerprint, no moment finer than a day.
    assert!(
        spring.keys().all(|k| !k.contains("pack.name")),
        "{spring:?}"
    );
    assert_eq!(spring[".consent.given"].as_str().unwrap().len(), 10);
    // The figures differ with the periods; what is shared is the format and the values.
    for k in &shared {
        let allowed = k.starts_with(".pack.")
            || matches!(
                k.as_str(),
                ".format"
                    | ".version"
                    | ".counter"
                    | ".consent.given"
                    | ".consent.expires"
                    | ".consent.name"
                    | ".excerpts"
            )
            || k.starts_with(".aggregates.commitments")
            || k.starts_with(".aggregates.repairs")
            || k.ends_with("].id");
        assert!(allowed, "{k} is shared: {:?}", spring.get(*k));
    }
    for k in [
        ".aggregates.values[0].ratings.3",
        ".period.since",
        ".period.until",
        ".purpose",
    ] {
        assert_ne!(spring.get(k), autumn.get(k), "{k}");
    }
}

/// Finding 8: figures outside the rule. A value only one member's pack has is not listed (nor
/// named beside an excerpt); a value's member count that differs from the summary's by fewer
/// than the threshold is hidden; and no date override exists in a release build.
#[test]
fn attack_8_figures_outside_the_rule_are_not_shown() {
    let fac = Facilitator::new();
    let own = Env::with_journal();
    own.ok(&[
        "values",
        "add",
        "our-secret",
        "--name",
        "Only in my pack",
        "--description",
        "Mine.",
    ]);
    let both = own.write(&["both", "-v", "equity=1", "-v", "our-secret=5"]);
    let mut files = hand_over(&fac, &[(&own, "own")], &["--excerpt", &both]);
    let people: Vec<Env> = (2..=5)
        .map(|i| member(&[&[&format!("w{i}"), "-v", &format!("equity={}", 1 + i % 4)]]))
        .collect();
    files.extend(hand_over(
        &fac,
        &[(&people[0], "b"), (&people[1], "c"), (&people[2], "d")],
        &[],
    ));
    // The fifth member names repair only, so equity is named by 4 of 5.
    let fifth = member(&[&["r", "-v", "repair"]]);
    files.extend(hand_over(&fac, &[(&fifth, "e")], &[]));

    let (summary, _) = fac.build_json(&refs(&files), &[]);
    assert_eq!(summary["members"], 5, "{summary}");
    assert!(value(&summary, "our-secret").is_none(), "{summary}");
    let text = summary.to_string();
    assert!(
        !text.contains("Only in my pack") && !text.contains("our-secret"),
        "{text}"
    );
    let equity = value(&summary, "equity").expect("equity is named by 4");
    assert_eq!(
        equity["members"],
        Value::Null,
        "5 - 4 = 1 would point to the fifth"
    );
    let (markdown, _) = fac.build_ok(&refs(&files), "summary.md", &[]);
    assert!(!markdown.contains("Only in my pack"), "{markdown}");
    assert!(
        markdown.contains("Named by at least 3 members"),
        "{markdown}"
    );

    let out = fac.build(&refs(&files), &["-o", "back.md", "--today", "2026-01-01"]);
    if cfg!(debug_assertions) {
        // Debug builds keep it for tests of expiry; it is not in the help.
        let help = fac.env.ok(&["retreat", "build", "--help"]);
        assert!(!help.contains("--today"), "{help}");
    } else {
        assert!(!out.status.success(), "a release build has no --today");
    }
}

/// Finding 9, files: an oversized file and a huge list of values are left out with their
/// reasons, and the build stays fast.
#[test]
fn attack_9_oversized_contributions_are_left_out_and_the_build_stays_fast() {
    let fac = Facilitator::new();
    let mut files = three_members(&fac);
    let base: Contribution = opened(&fac, &fac.env.path("a.age"));
    let huge = |n: usize, seed: u64| {
        let mut c = as_another(base.clone(), seed);
        c.pack.values = (0..n)
            .map(|i| ValueRef {
                id: format!("v{i}"),
                name: format!("Value {i}"),
            })
            .collect();
        c.aggregates.values = Vec::new();
        c
    };
    let who = Crafter::new("many values", "Many");
    files.push(who.seal(&fac, huge(65, 1), "sixty-five.age"));
    files.push(who.seal(&fac, huge(40_000, 2), "forty-thousand.age"));
    files.push(who.seal(&fac, huge(100_000, 3), "hundred-thousand.age"));
    // Not even an age file: too large to open.
    std::fs::write(fac.env.path("big.age"), vec![b'x'; 3 << 20]).unwrap();
    files.push("big.age".into());

    let started = Instant::now();
    let (summary, report) = fac.build_json(&refs(&files), &[]);
    let took = started.elapsed();
    assert!(
        report.contains("left out sixty-five.age: a part of it breaks tend's limits (it covers 65 values (at most 64))"),
        "{report}"
    );
    assert!(
        report.contains("left out forty-thousand.age: larger than any contribution tend writes"),
        "{report}"
    );
    assert!(
        report.contains("left out hundred-thousand.age: larger than any contribution tend writes"),
        "{report}"
    );
    assert!(
        report
            .contains("left out big.age: larger than any contribution tend writes (3145728 bytes)"),
        "{report}"
    );
    assert_eq!(summary["members"], 3, "{summary}");
    assert!(took < Duration::from_secs(20), "the build took {took:?}");
}

/// Finding 9, templates: a recursive macro that doubles a string is stopped with a clear
/// error and within bounded memory: under an address-space limit of 1 GiB for the whole
/// build (the attack reached 1.5 GB), tend still stops it itself and says why.
#[test]
fn attack_9_a_doubling_template_stops_with_bounded_memory() {
    let fac = Facilitator::new();
    let files = three_members(&fac);
    std::fs::create_dir_all(fac.env.path("templates")).unwrap();
    fac.env.file(
        "templates/double.md.j2",
        "{% macro d(s, n) %}{% if n > 0 %}{{ d(s ~ s, n - 1) }}{% else %}{{ s | length }}\
         {% endif %}{% endmacro %}{{ d(\"x\", 40) }}",
    );
    let mut cmd = fac.env.std_cmd();
    let tend = common::tend_bin();
    cmd.env("TEND_BIN_UNDER_TEST", &tend);
    let mut args = vec![
        "-c".to_owned(),
        "ulimit -v 1048576 && exec \"$TEND_BIN_UNDER_TEST\" \"$@\"".to_owned(),
        "sh".to_owned(),
    ];
    for a in ["retreat", "build", "-i", "key.txt"] {
        args.push(a.to_owned());
    }
    args.extend(files.iter().cloned());
    for a in ["--template", "templates/double.md.j2", "-o", "double.md"] {
        args.push(a.to_owned());
    }
    let mut sh = std::process::Command::new("sh");
    sh.args(&args);
    sh.env_clear();
    for (k, v) in cmd.get_envs() {
        if let Some(v) = v {
            sh.env(k, v);
        }
    }
    sh.current_dir(fac.env.dir.path());
    let started = Instant::now();
    let out = sh.output().unwrap();
    let took = started.elapsed();
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "{stderr}");
    assert!(
        stderr
            .contains("used more than 512 MiB of memory or 20 s of processor time and was stopped"),
        "{stderr}"
    );
    assert!(stderr.contains("nothing was written"), "{stderr}");
    assert!(
        !stderr.contains("memory allocation"),
        "tend stopped it, not the allocator: {stderr}"
    );
    assert!(!fac.env.path("double.md").exists());
    assert!(took < Duration::from_secs(60), "took {took:?}");
}
