//! Round trips through the whole protocol, the stand-ins' promise, and the attacks the
//! co-facilitators must refuse.

use std::collections::BTreeMap;

use age::secrecy::ExposeSecret;
use age::x25519::Identity;
use chrono::{DateTime, NaiveDate, Utc};
use prio::codec::{Encode, ParameterizedDecode};
use proptest::prelude::*;
use tend_core::commitment::CommitmentState;
use tend_core::contribution::{
    Aggregates, ConsentTerms, Contribution, Excerpt, FORMAT, PackRef, Period, RepairAggregate,
    VERSION, ValueAggregate, ValueRef,
};
use tend_core::pack::Scale;
use tend_core::repair::RepairPart;
use tend_core::retreat::{self, Options, Received};

use crate::ProtocolError;
use crate::files::{Report, Role};
use crate::layout::{Layout, Tally};
use crate::ledger::Ledger;
use crate::plan::{PLAN_FORMAT, Plan};
use crate::roles::{self, Incoming, Refusal, hex};
use crate::standin::stand_ins;

pub(crate) struct Parties {
    pub leader: Identity,
    pub helper: Identity,
    pub plan: Plan,
}

pub(crate) fn parties(values: usize, min_group: usize) -> Parties {
    let leader = Identity::generate();
    let helper = Identity::generate();
    let plan = Plan {
        format: PLAN_FORMAT.into(),
        version: 1,
        purpose: "Spring retreat 2026".into(),
        leader: leader.to_public().to_string(),
        helper: helper.to_public().to_string(),
        roster: "roster-fp".into(),
        pack: PackRef {
            fingerprint: "abcd-abcd-abcd-abcd".into(),
            values: (0..values)
                .map(|i| ValueRef {
                    id: format!("v{i}"),
                    name: format!("Value {i}"),
                })
                .collect(),
            scale: Scale::default(),
        },
        period: Period {
            since: NaiveDate::from_ymd_opt(2026, 3, 1),
            until: NaiveDate::from_ymd_opt(2026, 5, 31),
        },
        min_group,
        excerpt_slots: 2,
    };
    Parties {
        leader,
        helper,
        plan,
    }
}

/// Figures of one member, as a generator gives them.
#[derive(Debug, Clone)]
pub(crate) struct Figures {
    values: Vec<Option<(u32, BTreeMap<u8, u32>)>>,
    commitments: BTreeMap<CommitmentState, u32>,
    open: u32,
    closed: u32,
    tended: BTreeMap<RepairPart, u32>,
    excerpts: Vec<String>,
    name: Option<String>,
}

pub(crate) fn contribution(plan: &Plan, f: &Figures, k: usize) -> Contribution {
    let values = plan
        .pack
        .values
        .iter()
        .zip(&f.values)
        .filter_map(|(v, fig)| {
            let (unrated, ratings) = fig.clone()?;
            let rated: u32 = ratings.values().sum();
            Some(ValueAggregate {
                id: v.id.clone(),
                reflections: rated + unrated,
                ratings: ratings.into_iter().filter(|(_, n)| *n > 0).collect(),
            })
        })
        .collect();
    Contribution {
        format: FORMAT.into(),
        version: VERSION,
        id: format!("c{k}"),
        purpose: plan.purpose.clone(),
        signer: tend_core::contribution::MemberKey::from_bytes({
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&(k as u64).to_le_bytes());
            key
        }),
        counter: 1,
        pack: plan.pack.clone(),
        period: plan.period,
        consent: ConsentTerms {
            given: DateTime::<Utc>::UNIX_EPOCH.date_naive(),
            expires: None,
            // A roster gives every key its own name, so no two members share one.
            name: f.name.as_ref().map(|n| format!("{n} {k}")),
        },
        revocation_hash: format!("{k:064x}"),
        aggregates: Aggregates {
            values,
            commitments: f.commitments.clone(),
            repairs: RepairAggregate {
                open: f.open,
                closed: f.closed,
                tended: f.tended.clone(),
            },
        },
        excerpts: f
            .excerpts
            .iter()
            .map(|t| Excerpt {
                values: vec!["v0".into()],
                text: t.clone(),
                content_note: None,
            })
            .collect(),
    }
}

fn figures(values: usize) -> impl Strategy<Value = Figures> {
    let count = prop_oneof![3 => Just(0u32), 2 => 1u32..4, 1 => 4u32..40];
    let ratings = prop::collection::btree_map(1u8..=5, count.clone(), 0..4);
    let value = prop::option::weighted(0.7, (count.clone(), ratings));
    (
        prop::collection::vec(value, values),
        prop::collection::btree_map(
            prop::sample::select(CommitmentState::ALL.to_vec()),
            count.clone(),
            0..3,
        ),
        count.clone(),
        count.clone(),
        prop::collection::btree_map(prop::sample::select(RepairPart::ALL.to_vec()), count, 0..3),
        prop::collection::vec("[a-z ]{1,30}", 0..=2),
        prop::option::weighted(0.3, prop::sample::select(vec!["Ada", "Kai", "Ngozi"])),
    )
        .prop_map(
            |(values, commitments, open, closed, tended, excerpts, name)| Figures {
                values,
                commitments,
                open,
                closed,
                tended,
                excerpts,
                name: name.map(str::to_owned),
            },
        )
}

fn options(plan: &Plan) -> Options {
    let mut o = Options::new(NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"));
    o.min_group = plan.min_group;
    o
}

fn summary_of(plan: &Plan, contributions: Vec<Contribution>) -> retreat::Summary {
    let received = contributions
        .into_iter()
        .enumerate()
        .map(|(i, contribution)| Received {
            source: format!("f{i}"),
            contribution,
            verified: true,
        })
        .collect();
    retreat::build(received, &[], vec![], &options(plan))
        .expect("a summary")
        .0
}

/// A roster of everyone: the signer is the member's index, the name a fixed one.
fn everyone(report: &Report) -> Result<String, Refusal> {
    if report.signer.starts_with("key") {
        Ok(format!("Name of {}", report.signer))
    } else {
        Err(Refusal::NotOnRoster)
    }
}

pub(crate) fn reports(p: &Parties, contributions: &[Contribution]) -> Vec<Incoming> {
    contributions
        .iter()
        .enumerate()
        .map(|(k, c)| {
            let mut report = roles::member_report(&p.plan, c, 1).expect("a report");
            report.signer = format!("key{k}");
            Incoming {
                source: format!("member-{k}.report"),
                report,
            }
        })
        .collect()
}

/// The whole protocol, from reports to the combined totals.
pub(crate) fn run(
    p: &Parties,
    incoming: Vec<Incoming>,
) -> Result<(roles::Combined, Vec<(String, Refusal)>), ProtocolError> {
    let fp = p.plan.fingerprint();
    let mut helper_ledger = Ledger::new(Role::Helper, &fp);
    let mut leader_ledger = Ledger::new(Role::Leader, &fp);
    let made = roles::helper_batch(&p.plan, incoming, &everyone, &|_| false, &mut helper_ledger)?;
    let batch = crate::files::Batch::parse(&made.batch.to_json())?;
    let answered = roles::leader_answer(
        &p.plan,
        &batch,
        std::slice::from_ref(&p.leader),
        &mut leader_ledger,
    )?;
    let answer = crate::files::Answer::parse(&answered.answer.to_json())?;
    let finished = roles::helper_finish(&p.plan, &made.state, &answer)?;
    let mut left = made.left_out;
    left.extend(finished.refused);
    let combined = roles::combine(&p.plan, &finished.share, &answered.share)?;
    Ok((combined, left))
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 24, .. ProptestConfig::default() })]

    /// Shard, verify, aggregate, unshard: the totals equal the plain sum of the rows.
    #[test]
    fn protocol_totals_equal_plain_totals(members in prop::collection::vec(figures(2), 3..6)) {
        let p = parties(2, 3);
        let contributions: Vec<Contribution> =
            members.iter().enumerate().map(|(k, f)| contribution(&p.plan, f, k)).collect();
        let layout = p.plan.layout().expect("a layout");
        let rows: Vec<_> = contributions.iter().map(|c| layout.rows(c)).collect();
        let plain = Tally::of_rows(&layout, &rows).expect("plain totals");
        let (combined, left) = run(&p, reports(&p, &contributions)).expect("the protocol runs");
        prop_assert!(left.is_empty(), "{left:?}");
        prop_assert_eq!(combined.tally, plain);
        let mut texts: Vec<_> = combined.excerpts.iter().map(|e| e.excerpt.text.clone()).collect();
        let mut sent: Vec<_> = members.iter().flat_map(|f| f.excerpts.clone()).collect();
        texts.sort();
        sent.sort();
        prop_assert_eq!(texts, sent);
    }

}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, .. ProptestConfig::default() })]

    /// The summary from stand-ins is the summary from the members' own contributions.
    ///
    /// The rules that read members' own rows (rows too alike, where names may stand) decide
    /// on the row profiles from the aggregate's sketch; the case in
    /// `proptest-regressions/tests.txt` is a repairs total they must hide.
    #[test]
    fn stand_ins_give_the_same_summary(members in prop::collection::vec(figures(3), 3..9)) {
        let p = parties(3, 3);
        let contributions: Vec<Contribution> =
            members.iter().enumerate().map(|(k, f)| contribution(&p.plan, f, k)).collect();
        let layout = p.plan.layout().expect("a layout");
        let rows: Vec<_> = contributions.iter().map(|c| layout.rows(c)).collect();
        let tally = Tally::of_rows(&layout, &rows).expect("totals");
        let excerpts: Vec<_> = contributions
            .iter()
            .flat_map(|c| c.excerpts.iter().map(|e| crate::files::ReadExcerpt {
                excerpt: e.clone(),
                name: c.consent.name.clone(),
            }))
            .collect();
        let standing = stand_ins(&p.plan, &tally, &excerpts).expect("stand-ins");
        prop_assert_eq!(standing.len(), contributions.len());
        let real = summary_of(&p.plan, contributions);
        let stood = crate::standin::summary(&p.plan, &tally, &excerpts, &options(&p.plan))
            .expect("a summary")
            .0;
        prop_assert_eq!(real, stood);
    }

    /// The row profile read from the sketch counts the rows, and the rows of zeros, exactly,
    /// and never says the most common row is rarer than it is: the rules on rows can only
    /// grow more cautious than the single build, never less.
    #[test]
    fn the_sketch_never_understates_the_most_common_row(
        members in prop::collection::vec(figures(2), 1..12),
        copies in 0usize..6,
    ) {
        let p = parties(2, 3);
        let mut contributions: Vec<Contribution> =
            members.iter().enumerate().map(|(k, f)| contribution(&p.plan, f, k)).collect();
        // Rows alike are what the rules look for: repeat the first member's figures.
        for k in 0..copies {
            let mut again = contributions[0].clone();
            again.id = format!("copy{k}");
            contributions.push(again);
        }
        let layout = p.plan.layout().expect("a layout");
        let rows: Vec<_> = contributions.iter().map(|c| layout.rows(c)).collect();
        let tally = Tally::of_rows(&layout, &rows).expect("totals");
        for (g, group) in tally.groups.iter().enumerate() {
            let own: Vec<Vec<u64>> = rows.iter().map(|r| r[g].clone()).collect();
            let exact = retreat::RowProfile::of(&own);
            let sketched = group.profile(rows.len());
            prop_assert_eq!(sketched.rows, exact.rows);
            prop_assert_eq!(sketched.nonzero, exact.nonzero);
            prop_assert!(sketched.most_common >= exact.most_common);
            prop_assert!(sketched.most_common_nonzero >= exact.most_common_nonzero);
        }
    }

    /// Shares and tallies survive their encodings.
    #[test]
    fn layout_rows_round_trip(f in figures(4)) {
        let p = parties(4, 3);
        let c = contribution(&p.plan, &f, 0);
        let layout = p.plan.layout().expect("a layout");
        let rows = layout.rows(&c);
        let tally = Tally::of_rows(&layout, std::slice::from_ref(&rows)).expect("one member");
        let back: Vec<Vec<u64>> = tally.groups.iter().map(|g| g.stand_in_rows(1).remove(0)).collect();
        prop_assert_eq!(back, rows);
    }
}

fn five(p: &Parties) -> Vec<Contribution> {
    (0..5)
        .map(|k| {
            let mut ratings = BTreeMap::new();
            ratings.insert(u8::try_from(k % 5 + 1).expect("small"), 2);
            let f = Figures {
                values: vec![Some((1, ratings)), None],
                commitments: BTreeMap::from([(CommitmentState::ALL[0], 1)]),
                open: 1,
                closed: 0,
                tended: BTreeMap::new(),
                excerpts: vec![format!("excerpt {k}")],
                name: None,
            };
            contribution(&p.plan, &f, k)
        })
        .collect()
}

#[test]
fn neither_share_alone_holds_a_members_figures() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let layout = p.plan.layout().expect("a layout");
    let measurement = layout.encode(&contributions[0]).expect("encodes");
    let report = roles::member_report(&p.plan, &contributions[0], 1).expect("a report");
    // The helper's share is a seed: far shorter than the measurement, nothing to read.
    assert!(report.helper_share.0.len() < measurement.len() / 4);
    // The leader's share, opened, is field elements that are not the measurement's bits.
    let leader =
        crate::seal::open(&report.leader_share.0, std::slice::from_ref(&p.leader)).expect("opens");
    let vdaf = crate::vdaf::Vdaf::new(layout.len(), &p.plan.fingerprint()).expect("vdaf");
    let _ = vdaf;
    let elements: Vec<u128> = leader
        .chunks(16)
        .take(measurement.len())
        .map(|c| u128::from_le_bytes(c.try_into().unwrap_or([0; 16])))
        .collect();
    let small = elements.iter().filter(|e| **e <= 1).count();
    assert!(
        small < 4,
        "a random share has almost no entries that are 0 or 1; {small} of {} were",
        elements.len()
    );
    // The helper cannot open the leader's share.
    assert!(crate::seal::open(&report.leader_share.0, std::slice::from_ref(&p.helper)).is_err());
    // Two reports of the same figures share nothing.
    let again = roles::member_report(&p.plan, &contributions[0], 1).expect("a report");
    assert_ne!(again.helper_share, report.helper_share);
    assert_ne!(again.public_share, report.public_share);
}

#[test]
fn a_malformed_measurement_is_refused_without_being_seen() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let mut incoming = reports(&p, &contributions);
    // Member 0 puts 200 into one entry of the leader's share: it still decodes.
    let leader_share = crate::seal::open(
        &incoming[0].report.leader_share.0,
        std::slice::from_ref(&p.leader),
    )
    .expect("opens");
    let layout = p.plan.layout().expect("layout");
    let vdaf = prio::vdaf::prio3::Prio3SumVec::new_sum_vec(
        2,
        1,
        layout.len(),
        prio::vdaf::prio3::optimal_chunk_length(layout.len()),
    )
    .expect("vdaf");
    let mut share =
        prio::vdaf::prio3::Prio3InputShare::<prio::field::Field128, 32>::get_decoded_with_param(
            &(&vdaf, 0),
            &leader_share,
        )
        .expect("decodes");
    let mut bytes = share.get_encoded().expect("encodes");
    bytes[0] = bytes[0].wrapping_add(199);
    share = prio::vdaf::prio3::Prio3InputShare::get_decoded_with_param(&(&vdaf, 0), &bytes)
        .expect("still decodes");
    let crafted = share.get_encoded().expect("encodes");
    incoming[0].report.leader_share =
        crate::files::B64(crate::seal::seal(&[p.leader.to_public()], &crafted).expect("seals"));
    let (combined, left) = run(&p, incoming).expect("the other four go through");
    assert_eq!(combined.tally.members, 4);
    assert_eq!(left.len(), 1);
    assert_eq!(left[0].0, "member-0.report");
    assert!(
        matches!(left[0].1, Refusal::Malformed(_)),
        "{:?}",
        left[0].1
    );
}

#[test]
fn reports_not_on_the_roster_twice_or_revoked_are_left_out() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let mut incoming = reports(&p, &contributions);
    incoming[1].report.signer = "stranger".into();
    let mut second = incoming[2].clone();
    second.source = "member-2-again.report".into();
    incoming.push(second);
    let mut later = roles::member_report(&p.plan, &contributions[3], 2).expect("a report");
    later.signer = "key3".into();
    incoming.push(Incoming {
        source: "member-3-later.report".into(),
        report: later,
    });
    let fp = p.plan.fingerprint();
    let mut ledger = Ledger::new(Role::Helper, &fp);
    let revoked_hash = contributions[4].revocation_hash.clone();
    let made = roles::helper_batch(
        &p.plan,
        incoming,
        &everyone,
        &|h| h == revoked_hash,
        &mut ledger,
    );
    // Left: member 0 and member 3's later report: 2, below the minimum group of 3.
    assert!(matches!(
        made,
        Err(ProtocolError::BelowMinGroup { count: 2, min: 3 })
    ));
    // The reports it held are in the ledger, so they cannot come back in a smaller batch.
    assert_eq!(ledger.batches.len(), 1);
    assert_eq!(ledger.batches[0].reports.len(), 2);
}

#[test]
fn the_reasons_are_given_per_report() {
    let p = parties(2, 3);
    let mut contributions = five(&p);
    contributions.push(contribution(&p.plan, &sample(), 5));
    let mut incoming = reports(&p, &contributions);
    incoming[1].report.signer = "stranger".into();
    let mut second = incoming[2].clone();
    second.source = "member-2-again.report".into();
    incoming.push(second);
    let fp = p.plan.fingerprint();
    let mut ledger = Ledger::new(Role::Helper, &fp);
    let revoked_hash = contributions[4].revocation_hash.clone();
    let made = roles::helper_batch(
        &p.plan,
        incoming,
        &everyone,
        &|h| h == revoked_hash,
        &mut ledger,
    )
    .expect("four are left");
    let reasons: Vec<(String, Refusal)> = made.left_out;
    assert_eq!(
        reasons,
        vec![
            ("member-1.report".into(), Refusal::NotOnRoster),
            ("member-2-again.report".into(), Refusal::Duplicate),
            ("member-2.report".into(), Refusal::Duplicate),
            ("member-4.report".into(), Refusal::Revoked),
        ]
        .into_iter()
        .collect::<std::collections::BTreeSet<_>>()
        .into_iter()
        .collect::<Vec<_>>()
    );
    assert_eq!(made.batch.reports.len(), 3, "members 0, 3 and 5");
}

fn sample() -> Figures {
    Figures {
        values: vec![None, None],
        commitments: BTreeMap::new(),
        open: 0,
        closed: 1,
        tended: BTreeMap::new(),
        excerpts: vec![],
        name: None,
    }
}

#[test]
fn no_report_is_aggregated_twice() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let incoming = reports(&p, &contributions);
    let fp = p.plan.fingerprint();
    let mut helper = Ledger::new(Role::Helper, &fp);
    let mut leader = Ledger::new(Role::Leader, &fp);
    let first = roles::helper_batch(
        &p.plan,
        incoming.clone(),
        &everyone,
        &|_| false,
        &mut helper,
    )
    .expect("a batch");
    roles::leader_answer(
        &p.plan,
        &first.batch,
        std::slice::from_ref(&p.leader),
        &mut leader,
    )
    .expect("answered");
    // The helper refuses every report again (by key and by report).
    let again = roles::helper_batch(&p.plan, incoming, &everyone, &|_| false, &mut helper);
    assert!(matches!(
        again,
        Err(ProtocolError::BelowMinGroup { count: 0, .. })
    ));
    // A helper that forgot its ledger: the leader refuses the same reports.
    let mut forgetful = Ledger::new(Role::Helper, &fp);
    let replay = roles::helper_batch(
        &p.plan,
        reports(&p, &contributions),
        &everyone,
        &|_| false,
        &mut forgetful,
    )
    .expect("a fresh-looking batch");
    let mut replayed = replay.batch.clone();
    replayed.reports = first.batch.reports.clone();
    let refused = roles::leader_answer(
        &p.plan,
        &replayed,
        std::slice::from_ref(&p.leader),
        &mut leader,
    );
    assert!(
        matches!(
            refused,
            Err(ProtocolError::AlreadyAggregated { count: 5, .. })
        ),
        "{refused:?}"
    );
    // Nor can the helper drop one member and offer the rest again.
    let mut fewer = first.batch.clone();
    fewer.batch = hex(&[9; 16]);
    fewer.reports.pop();
    let refused = roles::leader_answer(
        &p.plan,
        &fewer,
        std::slice::from_ref(&p.leader),
        &mut leader,
    );
    assert!(matches!(
        refused,
        Err(ProtocolError::AlreadyAggregated { .. })
    ));
}

#[test]
fn the_leader_refuses_a_batch_below_the_minimum_group() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let fp = p.plan.fingerprint();
    let mut helper = Ledger::new(Role::Helper, &fp);
    let mut made = roles::helper_batch(
        &p.plan,
        reports(&p, &contributions),
        &everyone,
        &|_| false,
        &mut helper,
    )
    .expect("a batch");
    made.batch.reports.truncate(2);
    let mut leader = Ledger::new(Role::Leader, &fp);
    let refused = roles::leader_answer(
        &p.plan,
        &made.batch,
        std::slice::from_ref(&p.leader),
        &mut leader,
    );
    assert!(matches!(
        refused,
        Err(ProtocolError::BelowMinGroup { count: 2, min: 3 })
    ));
    assert_eq!(
        leader.batches.len(),
        1,
        "the refused reports are still spent"
    );
}

#[test]
fn shares_from_different_batches_do_not_combine() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let (a, _) = run(&p, reports(&p, &contributions[..3])).expect("batch a");
    let _ = a;
    let fp = p.plan.fingerprint();
    let mut hl = Ledger::new(Role::Helper, &fp);
    let mut ll = Ledger::new(Role::Leader, &fp);
    let made = roles::helper_batch(
        &p.plan,
        reports(&p, &contributions),
        &everyone,
        &|_| false,
        &mut hl,
    )
    .expect("batch");
    let answered = roles::leader_answer(
        &p.plan,
        &made.batch,
        std::slice::from_ref(&p.leader),
        &mut ll,
    )
    .expect("answer");
    let finished = roles::helper_finish(&p.plan, &made.state, &answered.answer).expect("finish");
    let mut other = finished.share.clone();
    other.batch = "elsewhere".into();
    assert!(roles::combine(&p.plan, &answered.share, &other).is_err());
    assert!(roles::combine(&p.plan, &answered.share, &answered.share).is_err());
    assert!(roles::combine(&p.plan, &finished.share, &answered.share).is_ok());
}

#[test]
fn a_lie_the_proof_cannot_see_stops_the_build() {
    let p = parties(1, 3);
    let layout = Layout::new(&p.plan.pack).expect("layout");
    let honest = vec![vec![0, 0, 1, 0, 0, 0], vec![0; 4], vec![0, 0], vec![0; 4]];
    let mut sums = vec![0u128; layout.len()];
    for _ in 0..3 {
        for (s, e) in sums
            .iter_mut()
            .zip(layout.encode_rows(&honest).expect("encodes"))
        {
            *s += e;
        }
    }
    // A fourth member sets two combination bits in the value's group: one member would be
    // counted as two behind the hidden cells.
    let mut liar = layout.encode_rows(&honest).expect("encodes");
    let patterns = 6 * crate::layout::COUNT_BITS;
    liar[patterns + 1] = 1;
    for (s, e) in sums.iter_mut().zip(liar) {
        *s += e;
    }
    let refused = Tally::from_aggregate(&layout, &sums, 4);
    assert!(
        matches!(refused, Err(ProtocolError::Inconsistent(_))),
        "{refused:?}"
    );
}

#[test]
fn identities_stay_secret_in_debug_output() {
    let p = parties(1, 3);
    let debug = format!("{:?}", p.plan);
    assert!(!debug.contains(p.leader.to_string().expose_secret()));
}

#[test]
fn a_broken_excerpt_slot_is_left_out_and_the_batch_goes_on() {
    let p = parties(2, 3);
    let contributions = five(&p);
    let mut incoming = reports(&p, &contributions);
    // One slot sealed to the helper instead of the leader, one holding an escape sequence.
    incoming[0].report.excerpts[0] = crate::files::B64(
        crate::seal::seal(&[p.helper.to_public()], b"not for the leader").expect("seals"),
    );
    let hostile = crate::files::Slip::padded(
        &p.plan.fingerprint(),
        Some(Excerpt {
            values: vec!["v0".into()],
            text: "look \u{1b}[2J here".into(),
            content_note: None,
        }),
    )
    .expect("a slot");
    incoming[1].report.excerpts[0] =
        crate::files::B64(crate::seal::seal(&[p.leader.to_public()], &hostile).expect("seals"));
    let (combined, left) = run(&p, incoming).expect("the batch goes on");
    assert!(left.is_empty(), "{left:?}");
    assert_eq!(combined.tally.members, 5);
    let mut texts: Vec<String> = combined
        .excerpts
        .iter()
        .map(|e| e.excerpt.text.clone())
        .collect();
    texts.sort();
    assert_eq!(texts, vec!["excerpt 2", "excerpt 3", "excerpt 4"]);
}
