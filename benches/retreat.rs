//! Building a retreat summary from 10, 100 and 1,000 contributions: selection, small-group
//! protection, aggregation and rendering (Markdown and HTML with charts). One more case times
//! the facilitator's whole path for 1,000: read the roster, open each age file, parse it,
//! check its signature, check it against the roster, build, render.
//!
//! `cargo bench --bench retreat`. Under `cargo test` each case runs once.

use std::collections::BTreeMap;
use std::hint::black_box;

use chrono::NaiveDate;
use criterion::{BatchSize, BenchmarkId, Criterion, criterion_group, criterion_main};
use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use tend_core::commitment::CommitmentState;
use tend_core::contribution::{
    Aggregates, ConsentTerms, Contribution, Excerpt, FORMAT, PackRef, Period, RepairAggregate,
    RevocationToken, SignedContribution, VERSION, ValueAggregate, ValueRef, covered_fingerprint,
};
use tend_core::pack::ValuesPack;
use tend_core::repair::RepairPart;
use tend_core::retreat::{self, Format, Options, Received, Roster, RosterEntry};
use tend_store::bundle;
use tend_store::member::{self, MemberSigningKey};

const PURPOSE: &str = "Spring retreat 2026";

const EXCERPT: &str = "I asked who had not spoken yet before we moved to the decision, and two \
people who usually stay quiet shared what the new rota would cost them. We are still deciding \
by whoever stays latest in the meeting, which is not consent and not fair to people with caring \
responsibilities. I want to bring the question of who does the invisible admin to the retreat.";

fn key(member: usize) -> MemberSigningKey {
    MemberSigningKey::derive(&member.to_le_bytes(), PURPOSE)
}

fn contribution(rng: &mut StdRng, member: usize, pack: &ValuesPack) -> Contribution {
    let values: Vec<ValueRef> = pack
        .active()
        .map(|v| ValueRef {
            id: v.id.clone(),
            name: v.name.clone(),
        })
        .collect();
    let aggregates = Aggregates {
        values: values
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
            .map(|s| (*s, rng.gen_range(0..4)))
            .collect(),
        repairs: RepairAggregate {
            open: rng.gen_range(0..2),
            closed: rng.gen_range(0..3),
            tended: RepairPart::ALL
                .iter()
                .map(|p| (*p, rng.gen_range(0..3)))
                .collect(),
        },
    };
    let excerpts = (0..rng.gen_range(0..=2))
        .map(|_| Excerpt {
            values: values
                .choose_multiple(rng, 2)
                .map(|v| v.id.clone())
                .collect(),
            text: EXCERPT.to_owned(),
            content_note: None,
        })
        .collect();
    Contribution {
        format: FORMAT.to_owned(),
        version: VERSION,
        id: format!("{member:016x}"),
        purpose: PURPOSE.to_owned(),
        signer: key(member).public(),
        counter: 1,
        pack: PackRef {
            fingerprint: covered_fingerprint(&values, &pack.scale),
            values,
            scale: pack.scale.clone(),
        },
        period: Period {
            since: NaiveDate::from_ymd_opt(2026, 3, 1),
            until: NaiveDate::from_ymd_opt(2026, 5, 31),
        },
        consent: ConsentTerms {
            given: NaiveDate::from_ymd_opt(2026, 6, 1).expect("a date"),
            expires: NaiveDate::from_ymd_opt(2026, 12, 31),
            name: rng.gen_bool(0.2).then(|| format!("Member {member}")),
        },
        revocation_hash: RevocationToken::from_bytes(&member.to_le_bytes()).hash(),
        aggregates,
        excerpts,
    }
}

fn received(n: usize) -> Vec<Received> {
    let pack = ValuesPack::default_pack();
    let mut rng = StdRng::seed_from_u64(n as u64);
    (0..n)
        .map(|m| Received {
            source: format!("member-{m}.age"),
            contribution: contribution(&mut rng, m, &pack),
            verified: true,
        })
        .collect()
}

fn summarise(received: Vec<Received>, roster: Option<Roster>) -> (String, String) {
    let today = NaiveDate::from_ymd_opt(2026, 6, 10).expect("a date");
    let options = Options {
        roster,
        ..Options::new(today)
    };
    let (summary, report) = retreat::build(received, &[], vec![], &options).expect("a summary");
    assert!(report.left_out.is_empty(), "every contribution counts");
    (
        retreat::render(&summary, Format::Markdown).expect("markdown"),
        retreat::render(&summary, Format::Html).expect("html"),
    )
}

fn build_and_render(c: &mut Criterion) {
    let mut g = c.benchmark_group("retreat summary");
    g.sample_size(20);
    for n in [10, 100, 1000] {
        let input = received(n);
        g.bench_with_input(BenchmarkId::new("build + render", n), &input, |b, input| {
            b.iter_batched(
                || input.clone(),
                |r| summarise(black_box(r), None),
                BatchSize::SmallInput,
            );
        });
    }

    // The facilitator's whole path: the roster read, 1,000 age files opened, parsed, checked
    // against it, summarised, rendered.
    let roster_text: String = (0..1000)
        .map(|m| {
            RosterEntry {
                key: key(m).public(),
                name: format!("Member {m}"),
            }
            .line()
                + "\n"
        })
        .collect();
    let identity = age::x25519::Identity::generate();
    let recipient = identity.to_public();
    let files: Vec<Vec<u8>> = received(1000)
        .iter()
        .enumerate()
        .map(|(m, r)| {
            let signed = key(m).sign(&r.contribution).expect("signed");
            bundle::seal(
                signed.to_json().as_bytes(),
                std::slice::from_ref(&recipient),
                false,
            )
            .expect("sealed")
        })
        .collect();
    let identities = [identity];
    g.sample_size(10);
    let open_all = || -> Vec<Received> {
        files
            .iter()
            .enumerate()
            .map(|(i, f)| {
                let signed =
                    SignedContribution::parse(&bundle::open(f, &identities).expect("opens"))
                        .expect("parses");
                Received {
                    source: format!("member-{i}.age"),
                    verified: member::verify(&signed),
                    contribution: signed.contribution,
                }
            })
            .collect()
    };
    // Without a roster, as before it existed: the two side by side show what it costs.
    g.bench_function("open + parse + build + render/1000", |b| {
        b.iter(|| summarise(open_all(), None));
    });
    g.bench_function("roster + open + parse + build + render/1000", |b| {
        b.iter(|| {
            let roster = Roster::parse(&roster_text).expect("a roster");
            summarise(open_all(), Some(roster))
        });
    });
    g.finish();
}

criterion_group!(benches, build_and_render);
criterion_main!(benches);
