use chrono::{DateTime, NaiveDate, TimeZone, Utc};

use super::*;
use crate::commitment::Commitment;
use crate::pack::ValuesPack;
use crate::reflection::{Reflection, ValueRating};
use crate::repair::{Repair, RepairPart};

pub(crate) fn day_of(m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, m, d).expect("a real date")
}

pub(crate) fn at(m: u32, d: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, m, d, 18, 0, 0)
        .single()
        .expect("a real time")
}

fn reflection(m: u32, d: u32, text: &str, values: &[(&str, Option<u8>)]) -> Reflection {
    let mut r = Reflection::new(text, day_of(m, d), at(m, d));
    for (v, rating) in values {
        r = r.with_value(ValueRating::new(*v, *rating));
    }
    r.tags = vec!["private-tag".into()];
    r
}

fn token() -> RevocationToken {
    RevocationToken::from_bytes(&[7u8; 32])
}

fn request(pack: &ValuesPack) -> ContributionRequest<'_> {
    ContributionRequest {
        id: "0123456789abcdef".into(),
        purpose: "  Spring retreat 2026 ".into(),
        signer: MemberKey::from_bytes([3; 32]),
        counter: 1,
        pack,
        period: Period {
            since: Some(day_of(3, 1)),
            until: Some(day_of(5, 31)),
        },
        values: vec![],
        excerpts: vec![],
        name: None,
        expires: Some(day_of(6, 30)),
        given: at(6, 1),
        revocation_hash: token().hash(),
    }
}

fn journal() -> Vec<(u64, Reflection)> {
    vec![
        (
            1,
            reflection(2, 20, "Before the period", &[("equity", Some(5))]),
        ),
        (
            2,
            reflection(
                3,
                2,
                "Shared the numbers",
                &[("transparency", Some(4)), ("equity", None)],
            ),
        ),
        (
            3,
            reflection(
                4,
                9,
                "Named the pay gap",
                &[("equity", Some(3)), ("equity", Some(1))],
            ),
        ),
        (
            4,
            reflection(5, 30, "Off the scale", &[("equity", Some(9))]),
        ),
        (
            4,
            reflection(5, 30, "Same id again", &[("equity", Some(2))]),
        ),
    ]
}

/// The `i`th reflection of [`journal`] as an excerpt, with an id made from its number.
fn excerpt(i: usize) -> (crate::id::RecordId, Reflection) {
    let (n, r) = journal()[i].clone();
    let mut bytes = [0u8; 16];
    bytes[..8].copy_from_slice(&n.to_be_bytes());
    (crate::id::RecordId::from_bytes(bytes), r)
}

pub(crate) fn built() -> Contribution {
    let pack = ValuesPack::default_pack();
    let mut req = request(&pack);
    req.excerpts = vec![excerpt(2)];
    let mut kept = Commitment::new("Share the rota", vec![], None, at(3, 3));
    kept.keep(None, at(3, 9)).expect("keep");
    let commitments = vec![
        kept,
        Commitment::new("Ask about pay", vec![], None, at(4, 1)),
        Commitment::new("Too early", vec![], None, at(1, 1)),
    ];
    let mut repair = Repair::open("Talked over a colleague", vec![], None, at(4, 2));
    repair
        .step(RepairPart::Reflection, "I was rushed", at(4, 3))
        .expect("step");
    repair
        .step(RepairPart::Reflection, "and tired", at(4, 4))
        .expect("step");
    repair
        .step(RepairPart::Apology, "said sorry", at(4, 5))
        .expect("step");
    let mut closed = Repair::open("Missed a check-in", vec![], None, at(5, 2));
    closed.close("we talked", at(5, 3)).expect("close");
    req.build(journal(), commitments, vec![repair, closed])
        .expect("builds")
}

#[test]
fn contribution_counts_only_the_period() {
    let c = built();
    assert_eq!(c.format, FORMAT);
    assert_eq!(c.purpose, "Spring retreat 2026");
    let ids: Vec<&str> = c.aggregates.values.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(
        ids,
        ["equity", "transparency"],
        "pack order, only values named"
    );
    let equity = &c.aggregates.values[0];
    // Reflections 2, 3 and the first 4 (the second 4 is the same id): 3 in the period.
    assert_eq!(equity.reflections, 3);
    // Reflection 3 names equity twice: the first rating (3) counts; 9 is off the scale.
    assert_eq!(equity.ratings, BTreeMap::from([(3, 1)]));
    assert_eq!(equity.unrated(), 2);
    assert_eq!(
        c.aggregates.commitments,
        BTreeMap::from([(CommitmentState::Open, 1), (CommitmentState::Kept, 1)])
    );
    assert_eq!(c.aggregates.repairs.open, 1);
    assert_eq!(c.aggregates.repairs.closed, 1);
    assert_eq!(
        c.aggregates.repairs.tended,
        BTreeMap::from([(RepairPart::Reflection, 1), (RepairPart::Apology, 1)])
    );
}

#[test]
fn contribution_excerpts_carry_no_dates_or_tags() {
    let c = built();
    assert_eq!(c.excerpts.len(), 1);
    assert_eq!(c.excerpts[0].text, "Named the pay gap");
    assert_eq!(c.excerpts[0].values, ["equity"]);
    let json = c.to_json();
    assert!(!json.contains("2026-04-09"), "no reflection dates: {json}");
    assert!(!json.contains("private-tag"), "no tags");
    assert!(!json.contains("Shared the numbers"), "no unchosen text");
}

#[test]
fn contribution_value_filter() {
    let pack = ValuesPack::default_pack();
    let mut req = request(&pack);
    req.values = vec!["repair".into(), "transparency".into()];
    req.excerpts = vec![excerpt(2)];
    let c = req.build(journal(), vec![], vec![]).expect("builds");
    let ids: Vec<&str> = c.aggregates.values.iter().map(|v| v.id.as_str()).collect();
    assert_eq!(ids, ["transparency", "repair"]);
    assert_eq!(c.aggregates.values[1].reflections, 0, "chosen, not named");
    assert!(c.excerpts[0].values.is_empty(), "equity was not chosen");

    let mut req = request(&pack);
    req.values = vec!["kindness".into()];
    assert_eq!(
        req.build(journal(), vec![], vec![]),
        Err(BuildError::UnknownValue("kindness".into()))
    );
}

#[test]
fn contribution_build_refusals() {
    let pack = ValuesPack::default_pack();
    let mut req = request(&pack);
    req.excerpts = vec![excerpt(0)];
    assert!(matches!(
        req.build(journal(), vec![], vec![]),
        Err(BuildError::ExcerptOutsidePeriod { id, .. }) if id == excerpt(0).0
    ));
    let mut req = request(&pack);
    req.purpose = "  ".into();
    assert_eq!(
        req.build(vec![], vec![], vec![]),
        Err(BuildError::EmptyPurpose)
    );
    let mut req = request(&pack);
    req.expires = Some(day_of(5, 1));
    assert!(matches!(
        req.build(vec![], vec![], vec![]),
        Err(BuildError::ExpiresInPast { .. })
    ));
    let mut req = request(&pack);
    req.period.since = Some(day_of(6, 1));
    assert!(matches!(
        req.build(vec![], vec![], vec![]),
        Err(BuildError::PeriodBackwards { .. })
    ));
}

#[test]
fn contribution_names_only_when_given() {
    let pack = ValuesPack::default_pack();
    let mut req = request(&pack);
    req.name = Some("   ".into());
    let c = req.build(vec![], vec![], vec![]).expect("builds");
    assert_eq!(c.consent.name, None);
    assert!(c.preview().contains("anonymous"));
    let mut req = request(&pack);
    req.name = Some(" Sam ".into());
    let c = req.build(vec![], vec![], vec![]).expect("builds");
    assert_eq!(c.consent.name.as_deref(), Some("Sam"));
    assert!(c.preview().contains("\"Sam\""));
}

#[test]
fn contribution_round_trips() {
    let c = built();
    assert_eq!(Contribution::parse(c.to_json().as_bytes()), Ok(c));
}

#[test]
fn contribution_parse_errors_are_distinct() {
    let c = built();
    let json: serde_json::Value = serde_json::from_str(&c.to_json()).expect("json");
    let with = |f: &dyn Fn(&mut serde_json::Value)| {
        let mut v = json.clone();
        f(&mut v);
        Contribution::parse(v.to_string().as_bytes())
    };
    assert!(matches!(
        Contribution::parse(b"\x00\xffnot json"),
        Err(ContributionError::NotJson { .. })
    ));
    assert!(matches!(
        with(&|v| v["format"] = "tend-export".into()),
        Err(ContributionError::WrongFormat { found: Some(f), .. }) if f == "tend-export"
    ));
    assert!(matches!(
        Contribution::parse(b"[1, 2]"),
        Err(ContributionError::WrongFormat { found: None, .. })
    ));
    assert!(matches!(
        with(&|v| v["version"] = 3.into()),
        Err(ContributionError::NewerVersion { version: 3, .. })
    ));
    assert!(matches!(
        with(&|v| v["version"] = 1.into()),
        Err(ContributionError::Unsigned { version: 1 })
    ));
    assert!(matches!(
        with(&|v| {
            v.as_object_mut().map(|o| o.remove("signer"));
        }),
        Err(ContributionError::MissingField { field, .. }) if field == "signer"
    ));
    assert!(matches!(
        with(&|v| v["signer"] = "ed25519:ABC".into()),
        Err(ContributionError::Malformed { .. })
    ));
    // Every string is checked for shape, control characters and length.
    for (what, change) in [
        (
            "fingerprint",
            &(|v: &mut serde_json::Value| v["pack"]["fingerprint"] = "<img src=x>".into())
                as &dyn Fn(&mut serde_json::Value),
        ),
        ("value name", &|v| {
            v["pack"]["values"][0]["name"] = "Equity\n\n## Forged".into()
        }),
        ("name", &|v| v["consent"]["name"] = "Ma\u{1b}[2Jya".into()),
        ("note", &|v| {
            v["excerpts"][0]["content_note"] = "a\nb".into()
        }),
        ("text", &|v| {
            v["excerpts"][0]["text"] = "x".repeat(limits::MAX_EXCERPT_CHARS + 1).into()
        }),
        ("purpose", &|v| v["purpose"] = "a\u{202e}b".into()),
        ("id", &|v| v["id"] = "c-1".into()),
        ("counter", &|v| v["counter"] = 0.into()),
        ("scale word", &|v| {
            v["pack"]["scale"]["words"][0] = "\u{7}".into()
        }),
    ] {
        assert!(
            matches!(with(change), Err(ContributionError::Inconsistent(_))),
            "{what}: {:?}",
            with(change)
        );
    }
    let many: Vec<serde_json::Value> = (0..limits::MAX_EXCERPTS + 1)
        .map(|_| json["excerpts"][0].clone())
        .collect();
    assert!(matches!(
        with(&|v| v["excerpts"] = many.clone().into()),
        Err(ContributionError::Inconsistent(_))
    ));
    assert!(matches!(
        with(&|v| v["aggregates"]["values"][0]["reflections"] = "three".into()),
        Err(ContributionError::Malformed { .. })
    ));
    assert!(matches!(
        with(&|v| v["excerpts"][0]["written"] = "2026-04-09".into()),
        Err(ContributionError::Malformed { .. })
    ));
    assert!(matches!(
        with(&|v| v["aggregates"]["values"][0]["reflections"] = 0.into()),
        Err(ContributionError::Inconsistent(_))
    ));
    assert!(matches!(
        with(&|v| v["excerpts"][0]["values"][0] = "kindness".into()),
        Err(ContributionError::Inconsistent(_))
    ));
    assert!(matches!(
        with(&|v| v["revocation_hash"] = "abc".into()),
        Err(ContributionError::Inconsistent(_))
    ));
    assert_eq!(
        ContributionError::NewerVersion {
            kind: "contribution",
            version: 2,
            supported: 1
        }
        .leave_reason(),
        crate::retreat::LeaveReason::NewerFormat
    );
}

#[test]
fn contribution_preview_shows_every_part() {
    let c = built();
    let p = c.preview();
    for needle in [
        "You are sharing one contribution for \"Spring retreat 2026\"",
        "from 1 March 2026 to 31 May 2026",
        "anonymous",
        "ends after 30 June 2026",
        "Equity: 3 reflections named it.",
        "Transparency: 1 reflection named it.",
        "1 × 3 (partly); 2 without a rating",
        "Commitments made in this period: 2",
        "1 open, 1 kept",
        "Repairs opened in this period: 2 (1 open, 1 closed)",
        "self-reflection in 1 repair, apology in 1 repair",
        "| Named the pay gap",
        "0123456789abcdef",
        "0303-0303-0303-0303",
        "Nothing else leaves your journal: no other text, no dates of single reflections, no tags.",
    ] {
        assert!(p.contains(needle), "missing {needle:?} in:\n{p}");
    }
}

#[test]
fn revocation_matches_only_its_contribution() {
    let c = built();
    let tok = token();
    let r = Revocation::new(&c.id, &c.purpose, tok.expose_hex());
    assert!(r.revokes(&c));
    assert_eq!(Revocation::parse(r.to_json().as_bytes()), Ok(r.clone()));
    let other = Revocation::new("c-2", &c.purpose, tok.expose_hex());
    assert!(!other.revokes(&c));
    let forged = Revocation::new(&c.id, &c.purpose, &hex(&[8u8; 32]));
    assert!(!forged.revokes(&c));
    assert!(matches!(
        Revocation::parse(c.to_json().as_bytes()),
        Err(ContributionError::WrongFormat { .. })
    ));
    let mut bad = r;
    for not_hex in ["zz", "+7+7", "-7"] {
        bad.token = not_hex.into();
        assert!(
            matches!(
                Revocation::parse(bad.to_json().as_bytes()),
                Err(ContributionError::Inconsistent(_))
            ),
            "{not_hex:?}"
        );
    }
}

#[test]
fn consent_record_keeps_the_token_and_tells_where_it_stands() {
    let c = built();
    let mut record = ConsentRecord::new(
        &c,
        at(6, 1),
        vec!["age1example".into()],
        vec![excerpt(2).0],
        "ab".repeat(32),
        token(),
    );
    assert!(!format!("{record:?}").contains(token().expose_hex()));
    assert_eq!(record.status(day_of(6, 30)), ConsentStatus::Active);
    assert_eq!(
        record.status(day_of(7, 1)),
        ConsentStatus::Expired(day_of(6, 30))
    );
    let short = |e: &ExcerptRef| match e {
        ExcerptRef::Id(id) => id.prefix(4),
        ExcerptRef::Number(n) => format!("#{n}"),
    };
    assert_eq!(
        record.included_words(short),
        "counts for equity, transparency; 1 excerpt (reflection bbbb); anonymous"
    );
    let json = serde_json::to_string(&record).expect("serializes");
    assert!(
        json.contains(&format!("\"excerpts\":[\"{}\"]", excerpt(2).0)),
        "{json}"
    );
    let back: ConsentRecord = serde_json::from_str(&json).expect("parses");
    assert_eq!(back, record);
    // A record written before ids names its excerpts by number, and still reads.
    let old = json.replace(&format!("\"{}\"", excerpt(2).0), "3");
    let old: ConsentRecord = serde_json::from_str(&old).expect("an old record parses");
    assert_eq!(old.included.excerpts, vec![ExcerptRef::Number(3)]);
    assert!(old.included_words(short).contains("(reflection #3)"));
    let revocation = record.revoke(at(6, 5));
    assert!(revocation.revokes(&c));
    record.revoke(at(6, 9));
    assert_eq!(
        record.revoked,
        Some(at(6, 5)),
        "the first revocation counts"
    );
    assert!(
        record
            .describe(day_of(6, 10), short)
            .contains("revoked on 5 June 2026")
    );
}
