use std::collections::BTreeMap;

use chrono::NaiveDate;

use super::*;
use crate::commitment::CommitmentState;
use crate::contribution::{
    Aggregates, ConsentTerms, Contribution, Excerpt, FORMAT, MemberKey, PackRef, Period,
    RepairAggregate, Revocation, RevocationToken, VERSION, ValueAggregate, ValueRef,
};
use crate::pack::Scale;

pub(super) fn day(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("a real date")
}

pub(super) const VALUES: [(&str, &str); 4] = [
    ("equity", "Equity"),
    ("transparency", "Transparency"),
    ("repair", "Repair"),
    ("anti-oppression", "Anti-oppression"),
];

pub(super) fn token(seed: &str) -> RevocationToken {
    RevocationToken::from_bytes(seed.as_bytes())
}

/// One value's counts in a test: `(value, [(rating, count)], unrated)`.
pub(super) type ValueCounts<'a> = (&'a str, &'a [(u8, u32)], u32);

/// A contribution from member `who` with these counts.
pub(super) fn contribution(who: &str, values: &[ValueCounts<'_>]) -> Contribution {
    Contribution {
        format: FORMAT.to_owned(),
        version: VERSION,
        id: format!("id-{who}"),
        purpose: "Spring retreat".to_owned(),
        signer: key(who),
        counter: 1,
        pack: PackRef {
            fingerprint: "aaaa-bbbb-cccc-dddd".to_owned(),
            values: VALUES
                .iter()
                .map(|(id, name)| ValueRef {
                    id: (*id).to_owned(),
                    name: (*name).to_owned(),
                })
                .collect(),
            scale: Scale::default(),
        },
        period: Period {
            since: Some(day(3, 1)),
            until: Some(day(5, 31)),
        },
        consent: ConsentTerms {
            given: day(6, 1),
            expires: None,
            name: None,
        },
        revocation_hash: token(who).hash(),
        aggregates: Aggregates {
            values: values
                .iter()
                .map(|(id, ratings, unrated)| ValueAggregate {
                    id: (*id).to_owned(),
                    reflections: ratings.iter().map(|(_, n)| n).sum::<u32>() + unrated,
                    ratings: ratings.iter().copied().collect(),
                })
                .collect(),
            commitments: BTreeMap::new(),
            repairs: RepairAggregate::default(),
        },
        excerpts: vec![],
    }
}

/// The test key of member `who`.
pub(super) fn key(who: &str) -> MemberKey {
    let digest = crate::contribution::sha256_hex(who.as_bytes());
    let mut bytes = [0u8; 32];
    for (b, pair) in bytes.iter_mut().zip(digest.as_bytes().chunks(2)) {
        *b = u8::from_str_radix(std::str::from_utf8(pair).unwrap_or("0"), 16).unwrap_or(0);
    }
    MemberKey::from_bytes(bytes)
}

pub(super) fn received(c: Contribution) -> Received {
    Received {
        source: format!("p-{}.age", c.id.trim_start_matches("id-")),
        contribution: c,
        verified: true,
    }
}

fn options(min: usize) -> Options {
    Options {
        min_group: min,
        ..Options::new(day(6, 10))
    }
}

pub(super) fn run(cs: Vec<Contribution>, min: usize) -> (Summary, Report) {
    build(
        cs.into_iter().map(received).collect(),
        &[],
        vec![],
        &options(min),
    )
    .expect("builds")
}

fn value<'a>(s: &'a Summary, id: &str) -> &'a ValueSummary {
    s.values.iter().find(|v| v.id == id).expect("value present")
}

fn counts(v: &ValueSummary) -> Vec<Option<u64>> {
    v.ratings.iter().map(|r| r.count).collect()
}

#[test]
fn retreat_hides_every_figure_below_the_threshold() {
    let cs = vec![
        contribution("a", &[("equity", &[(4, 2)], 1)]),
        contribution("b", &[("equity", &[(4, 1)], 0)]),
    ];
    let (s, report) = run(cs, 3);
    assert_eq!(report.included, 2);
    assert_eq!(s.members, None);
    assert!(
        s.values.is_empty(),
        "a value named by two is not listed at all"
    );
    assert_eq!(s.commitments.total, None);
    assert_eq!(s.repairs.total, None);
}

#[test]
fn retreat_no_hidden_figure_can_be_subtracted_from_a_total() {
    // Three members rate 1, 2, 3 and 5 and leave some unrated; only d gives a 4.
    let common: &[(u8, u32)] = &[(1, 1), (2, 2), (3, 1), (5, 3)];
    let cs = vec![
        contribution("a", &[("equity", common, 1)]),
        contribution("b", &[("equity", common, 2)]),
        contribution("c", &[("equity", common, 1)]),
        contribution("d", &[("equity", &[(4, 2)], 0)]),
    ];
    let (s, _) = run(cs, 3);
    let eq = value(&s, "equity");
    assert_eq!(eq.reflections, Some(27));
    assert_eq!(
        eq.members, None,
        "4 of 4: it would tell that everyone named it"
    );
    // Rating 4 (one member) is hidden, and so is the smallest other cell, rating 1 (3).
    assert_eq!(
        counts(eq),
        vec![None, Some(6), Some(3), None, Some(9)],
        "two hidden cells, so 27 - shown = 5 does not reveal either"
    );
    assert_eq!(eq.unrated, Some(4));
    assert_eq!(eq.mean, None, "a mean would reveal the hidden cells");
    let shown: u64 = counts(eq).iter().flatten().sum::<u64>() + eq.unrated.unwrap_or(0);
    assert_eq!(27 - shown, 5, "the gap is the sum of two cells, not one");
}

#[test]
fn retreat_commitments_get_the_same_protection() {
    let with = |who: &str, states: &[(CommitmentState, u32)]| {
        let mut c = contribution(who, &[]);
        c.aggregates.commitments = states.iter().copied().collect();
        c
    };
    use CommitmentState::*;
    let cs = vec![
        with("a", &[(Open, 2), (Kept, 1), (Renegotiated, 1)]),
        with("b", &[(Open, 1), (Kept, 3), (Renegotiated, 1)]),
        with(
            "c",
            &[(Open, 1), (Kept, 1), (Renegotiated, 1), (Released, 1)],
        ),
    ];
    let (s, _) = run(cs, 3);
    let shown: Vec<Option<u64>> = s.commitments.states.iter().map(|f| f.count).collect();
    assert_eq!(s.commitments.total, Some(13));
    // Released comes from one member; renegotiated (3) is the smallest shown, so it goes too.
    assert_eq!(shown, vec![Some(4), Some(5), None, None]);
}

#[test]
fn retreat_names_only_when_given_and_never_pseudonyms() {
    let mut named = contribution("a", &[("equity", &[(3, 1)], 0)]);
    named.consent.name = Some("Sam".into());
    named.excerpts = vec![Excerpt {
        values: vec!["equity".into(), "repair".into()],
        text: "We shared the rota.".into(),
        content_note: None,
    }];
    let mut anon = contribution("b", &[("equity", &[(3, 1)], 0)]);
    anon.excerpts = vec![Excerpt {
        values: vec!["repair".into()],
        text: "I asked for a pause.".into(),
        content_note: Some("conflict".into()),
    }];
    anon.aggregates.values.push(ValueAggregate {
        id: "repair".into(),
        reflections: 2,
        ratings: BTreeMap::new(),
    });
    let mut third = contribution("c", &[("equity", &[(3, 2)], 0), ("repair", &[], 3)]);
    third.consent.name = Some("Ro".into());
    let fourth = contribution("d", &[("equity", &[(4, 1)], 1), ("repair", &[(2, 1)], 0)]);
    named.aggregates.values.push(ValueAggregate {
        id: "repair".into(),
        reflections: 1,
        ratings: BTreeMap::new(),
    });
    let (s, _) = run(vec![named, anon, third, fourth], 3);
    let eq = value(&s, "equity");
    assert_eq!(eq.excerpts.len(), 1, "shown under its first value only");
    assert_eq!(eq.excerpts[0].name.as_deref(), Some("Sam"));
    assert_eq!(eq.excerpts[0].also, vec!["Repair".to_owned()]);
    let rep = value(&s, "repair");
    assert_eq!(rep.excerpts[0].name, None);
    assert_eq!(rep.excerpts[0].content_note.as_deref(), Some("conflict"));
    for format in [Format::Json, Format::Markdown, Format::Html] {
        let out = render(&s, format).expect("renders");
        assert!(!out.contains("p-a") && !out.contains("id-b"), "{format:?}");
        assert!(out.contains("Sam"));
    }
}

#[test]
fn retreat_holds_back_anonymous_excerpts_in_a_small_group() {
    let mut anon = contribution("a", &[]);
    anon.excerpts = vec![Excerpt {
        values: vec![],
        text: "Only two of us.".into(),
        content_note: None,
    }];
    let mut named = contribution("b", &[]);
    named.consent.name = Some("Ro".into());
    named.excerpts = vec![Excerpt {
        values: vec![],
        text: "Happy to be named.".into(),
        content_note: None,
    }];
    let (s, report) = run(vec![anon, named], 3);
    assert_eq!(s.other_excerpts.len(), 1);
    assert_eq!(s.other_excerpts[0].name.as_deref(), Some("Ro"));
    assert!(report.warnings.iter().any(|w| w.contains("held back")));
}

#[test]
fn retreat_leaves_out_expired_revoked_and_replaced() {
    let mut expired = contribution("a", &[]);
    expired.consent.expires = Some(day(6, 9));
    let mut last_day = contribution("b", &[]);
    last_day.consent.expires = Some(day(6, 10));
    let revoked = contribution("c", &[]);
    let revocation = Revocation::new("id-c", "Spring retreat", token("c").expose_hex());
    let stray = Revocation::new("id-zz", "Spring retreat", token("zz").expose_hex());
    let older = contribution("d", &[("equity", &[(1, 5)], 0)]);
    let mut newer = contribution("d", &[("equity", &[(2, 5)], 0)]);
    newer.id = "id-d2".into();
    newer.counter = 2;
    let mut duplicate = received(newer.clone());
    duplicate.source = "copy-of-d.age".into();
    let mut other = contribution("e", &[]);
    other.purpose = "Budget circle".into();

    let mut files: Vec<Received> = [expired, last_day, revoked, older, newer, other]
        .into_iter()
        .map(received)
        .collect();
    files[3].source = "d-old.age".into();
    files.push(duplicate);
    let unreadable = vec![LeftOut::new("x.age", LeaveReason::WrongRecipient)];
    let (s, report) = build(files, &[revocation, stray], unreadable, &options(3)).expect("builds");
    let reasons: BTreeMap<&str, LeaveReason> = report
        .left_out
        .iter()
        .map(|l| (l.source.as_str(), l.reason))
        .collect();
    assert_eq!(
        reasons,
        BTreeMap::from([
            ("copy-of-d.age", LeaveReason::Duplicate),
            ("d-old.age", LeaveReason::Replaced),
            ("p-a.age", LeaveReason::Expired),
            ("p-c.age", LeaveReason::Revoked),
            ("p-e.age", LeaveReason::OtherPurpose),
            ("x.age", LeaveReason::WrongRecipient),
        ])
    );
    assert_eq!(report.read, 8);
    assert_eq!(
        report.included, 2,
        "b (last day of consent) and d's newer one"
    );
    assert_eq!(s.members, None, "two members are fewer than three");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("1 of 2 revocations"))
    );
    let text = report.to_string();
    assert!(
        text.starts_with("Read 8 files: 2 included, 6 left out."),
        "{text}"
    );
    assert!(
        text.contains("left out p-c.age: its author revoked it"),
        "{text}"
    );
}

#[test]
fn retreat_a_revoked_replacement_does_not_bring_back_the_older_one() {
    let older = contribution("d", &[]);
    let mut newer = contribution("d", &[]);
    newer.id = "id-d2".into();
    newer.counter = 2;
    newer.revocation_hash = token("d2").hash();
    let revocation = Revocation::new("id-d2", "Spring retreat", token("d2").expose_hex());
    let mut files = vec![received(older), received(newer)];
    files[1].source = "new.age".into();
    let (_, report) = build(files, &[revocation], vec![], &options(3)).expect("builds");
    assert_eq!(report.included, 0);
    let reasons: Vec<LeaveReason> = report.left_out.iter().map(|l| l.reason).collect();
    assert_eq!(reasons, vec![LeaveReason::Revoked, LeaveReason::Replaced]);
}

#[test]
fn retreat_does_not_depend_on_file_order() {
    let mut cs: Vec<Contribution> = (0..6)
        .map(|i| {
            let mut c = contribution(
                &format!("m{i}"),
                &[("equity", &[(i % 5 + 1, 2), (3, 1)], u32::from(i % 2))],
            );
            c.excerpts = vec![Excerpt {
                values: vec!["equity".into()],
                text: format!("Words from member {i}"),
                content_note: None,
            }];
            c
        })
        .collect();
    cs[0].pack.fingerprint = "ffff-0000-ffff-0000".into();
    cs[0].pack.values[0].name = "Fairness".into();
    let forward = run(cs.clone(), 3);
    cs.reverse();
    cs.rotate_left(2);
    let shuffled = run(cs, 3);
    assert_eq!(forward, shuffled);
    assert_eq!(
        value(&forward.0, "equity").name,
        "Equity",
        "most common pack's name"
    );
    assert!(
        forward
            .1
            .warnings
            .iter()
            .any(|w| w.contains("2 different sets of values"))
    );
    let texts: Vec<&str> = value(&forward.0, "equity")
        .excerpts
        .iter()
        .map(|e| e.text.as_str())
        .collect();
    let mut by_member = texts.clone();
    by_member.sort_unstable();
    assert_ne!(
        texts, by_member,
        "excerpt order does not follow the members"
    );
}

#[test]
fn retreat_refuses_a_threshold_below_three() {
    assert_eq!(
        build(vec![], &[], vec![], &options(2)),
        Err(RetreatError::MinGroupTooSmall(2))
    );
}

#[test]
fn retreat_chooses_one_purpose() {
    let mut cs: Vec<Contribution> = ["a", "b", "c"]
        .iter()
        .map(|w| contribution(w, &[]))
        .collect();
    cs[2].purpose = "Budget circle".into();
    cs[1].purpose = "  spring  RETREAT ".into();
    cs.push(contribution("d", &[]));
    let (s, report) = run(cs.clone(), 3);
    assert_eq!(report.included, 3, "the same purpose, spelt differently");
    assert_eq!(s.title, "Spring retreat");
    assert!(
        report
            .warnings
            .iter()
            .any(|w| w.contains("2 different purposes"))
    );
    let (_, report) = build(
        cs.into_iter().map(received).collect(),
        &[],
        vec![],
        &Options {
            purpose: Some("budget circle".into()),
            ..options(3)
        },
    )
    .expect("builds");
    assert_eq!(report.included, 1);
}
