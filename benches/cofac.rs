//! The co-facilitated retreat for 1,000 members, each party's step timed once (the steps
//! take seconds, so criterion's repeated sampling would take minutes): every member shards
//! and seals a report; the helper opens every report, checks it and starts verifying; the
//! leader opens every leader share, finishes verifying and adds up; the helper finishes; the
//! two shares combine into the summary. Signatures are left out (one Ed25519 verification
//! is ~50 µs, 50 ms for all).
//!
//! `cargo bench --bench cofac` (or `-- 100` for another number of members).

use std::collections::BTreeMap;
use std::time::Instant;

use age::x25519::Identity;
use chrono::{DateTime, NaiveDate, Utc};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use tend_core::commitment::CommitmentState;
use tend_core::contribution::{
    Aggregates, ConsentTerms, Contribution, Excerpt, FORMAT, PackRef, Period, RepairAggregate,
    VERSION, ValueAggregate, ValueRef,
};
use tend_core::pack::ValuesPack;
use tend_core::retreat::{self, Format, Options};
use tend_protocol::Role;
use tend_protocol::files::{Answer, Batch, Report};
use tend_protocol::ledger::Ledger;
use tend_protocol::plan::{PLAN_FORMAT, Plan};
use tend_protocol::roles::{self, Incoming};
use tend_protocol::seal::{open, seal};
use tend_protocol::standin;

fn contribution(rng: &mut StdRng, k: usize, pack: &PackRef, period: Period) -> Contribution {
    Contribution {
        format: FORMAT.into(),
        version: VERSION,
        id: format!("c{k}"),
        purpose: "Spring retreat 2026".into(),
        signer: tend_core::contribution::MemberKey::from_bytes({
            let mut key = [0u8; 32];
            key[..8].copy_from_slice(&(k as u64).to_le_bytes());
            key
        }),
        counter: 1,
        pack: pack.clone(),
        period,
        consent: ConsentTerms {
            given: DateTime::<Utc>::UNIX_EPOCH.date_naive(),
            expires: None,
            name: None,
        },
        revocation_hash: format!("{k:064x}"),
        aggregates: Aggregates {
            values: pack
                .values
                .iter()
                .map(|v| {
                    let ratings: BTreeMap<u8, u32> =
                        (1..=5).map(|r| (r, rng.gen_range(0..6))).collect();
                    let rated: u32 = ratings.values().sum();
                    ValueAggregate {
                        id: v.id.clone(),
                        reflections: rated + rng.gen_range(0..4),
                        ratings,
                    }
                })
                .collect(),
            commitments: CommitmentState::ALL
                .iter()
                .map(|s| (*s, rng.gen_range(0..3)))
                .collect(),
            repairs: RepairAggregate {
                open: rng.gen_range(0..2),
                closed: rng.gen_range(0..2),
                tended: BTreeMap::new(),
            },
        },
        excerpts: if k.is_multiple_of(10) {
            vec![Excerpt {
                values: vec![pack.values[0].id.clone()],
                text: "I asked who had not spoken yet before we moved to the decision.".into(),
                content_note: None,
            }]
        } else {
            Vec::new()
        },
    }
}

fn timed<T>(what: &str, members: usize, f: impl FnOnce() -> T) -> T {
    let start = Instant::now();
    let out = f();
    let took = start.elapsed();
    println!(
        "| {what} | {members} | {:.2} s | {:.2} ms |",
        took.as_secs_f64(),
        took.as_secs_f64() * 1000.0 / members as f64
    );
    out
}

fn main() {
    let members: usize = std::env::args()
        .skip(1)
        .find_map(|a| a.parse().ok())
        .unwrap_or(1000);
    let leader = Identity::generate();
    let helper = Identity::generate();
    let default = ValuesPack::default_pack();
    let pack = PackRef {
        fingerprint: default.fingerprint(),
        values: default
            .active()
            .map(|v| ValueRef {
                id: v.id.clone(),
                name: v.name.clone(),
            })
            .collect(),
        scale: default.scale.clone(),
    };
    let period = Period {
        since: NaiveDate::from_ymd_opt(2026, 3, 1),
        until: NaiveDate::from_ymd_opt(2026, 5, 31),
    };
    let plan = Plan {
        format: PLAN_FORMAT.into(),
        version: 1,
        purpose: "Spring retreat 2026".into(),
        leader: leader.to_public().to_string(),
        helper: helper.to_public().to_string(),
        roster: "bench".into(),
        pack: pack.clone(),
        period,
        min_group: 3,
        excerpt_slots: 3,
    };
    let layout = plan.layout().expect("a layout");
    println!(
        "{members} members, {} values, measurement of {} one-bit entries, 3 excerpt slots each",
        pack.values.len(),
        layout.len()
    );
    println!("| step | members | time | per member |");
    println!("|---|---|---|---|");
    let mut rng = StdRng::seed_from_u64(13);
    let contributions: Vec<Contribution> = (0..members)
        .map(|k| contribution(&mut rng, k, &pack, period))
        .collect();

    let sealed: Vec<Vec<u8>> = timed(
        "member: shard, seal shares and slots, seal the report",
        members,
        || {
            contributions
                .iter()
                .enumerate()
                .map(|(k, c)| {
                    let mut r = roles::member_report(&plan, c, 1).expect("a report");
                    r.signer = format!("key{k}");
                    seal(&[helper.to_public()], &r.to_json()).expect("sealed")
                })
                .collect()
        },
    );
    let report_bytes: usize = sealed.iter().map(Vec::len).sum::<usize>() / members;

    let fp = plan.fingerprint();
    let mut helper_ledger = Ledger::new(Role::Helper, &fp);
    let (batch_bytes, state) = timed(
        "helper: open, check, verify (first half), shuffle",
        members,
        || {
            let incoming: Vec<Incoming> = sealed
                .iter()
                .enumerate()
                .map(|(k, s)| Incoming {
                    source: format!("m{k}"),
                    report: Report::parse(&open(s, std::slice::from_ref(&helper)).expect("opens"))
                        .expect("parses"),
                })
                .collect();
            let made = roles::helper_batch(
                &plan,
                incoming,
                &|r| Ok(r.signer.clone()),
                &|_| false,
                &mut helper_ledger,
            )
            .expect("a batch");
            (
                seal(&[leader.to_public()], &made.batch.to_json()).expect("sealed"),
                made.state,
            )
        },
    );

    let mut leader_ledger = Ledger::new(Role::Leader, &fp);
    let (answer_bytes, leader_share) = timed(
        "leader: open, verify, aggregate, read excerpts",
        members,
        || {
            let batch =
                Batch::parse(&open(&batch_bytes, std::slice::from_ref(&leader)).expect("opens"))
                    .expect("parses");
            let answered = roles::leader_answer(
                &plan,
                &batch,
                std::slice::from_ref(&leader),
                &mut leader_ledger,
            )
            .expect("answered");
            (
                seal(&[helper.to_public()], &answered.answer.to_json()).expect("sealed"),
                answered.share,
            )
        },
    );

    let helper_share = timed("helper: finish verifying, aggregate", members, || {
        let answer =
            Answer::parse(&open(&answer_bytes, std::slice::from_ref(&helper)).expect("opens"))
                .expect("parses");
        roles::helper_finish(&plan, &state, &answer)
            .expect("finished")
            .share
    });

    let markdown = timed(
        "combine: unshard, stand-ins, summary, render",
        members,
        || {
            let combined = roles::combine(&plan, &leader_share, &helper_share).expect("combines");
            let mut options = Options::new(NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"));
            options.min_group = plan.min_group;
            // Stand-ins and the row profiles from the sketch, as `tend retreat build --plan`.
            let (summary, _) =
                standin::summary(&plan, &combined.tally, &combined.excerpts, &options)
                    .expect("a summary");
            retreat::render(&summary, Format::Markdown).expect("rendered")
        },
    );
    println!(
        "sizes: report {} KiB each, batch {} MiB, answer {} KiB; summary {} bytes",
        report_bytes / 1024,
        batch_bytes.len() / (1024 * 1024),
        answer_bytes.len() / 1024,
        markdown.len()
    );
}
