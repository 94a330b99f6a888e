//! The store's hot paths: sealing a record on the way in (`add`, `add_many`), opening one
//! (`get`), and the read paths that `list`, filters, `search` and `export` take over a
//! journal of 10,000 reflections.
//!
//! `cargo bench --bench store`. Under `cargo test` (no `--bench` flag) each benchmark runs
//! once over a small journal, so the test suite stays quick.

use std::hint::black_box;

use chrono::Utc;
use criterion::{BatchSize, Criterion, Throughput, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Filter, Query, Reflection};
use tend_store::{Journal, NewUnlocker};

#[path = "../bench/synth.rs"]
mod synth;

/// How many reflections the read benchmarks scan.
fn size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        200
    }
}

fn reflections(n: usize, seed: u64) -> Vec<Reflection> {
    let mut rng = StdRng::seed_from_u64(seed);
    (0..n).map(|i| synth::reflection(&mut rng, i, n)).collect()
}

fn empty_journal() -> (tempfile::TempDir, Journal) {
    let dir = tempfile::tempdir().expect("a temp folder");
    let identity = age::x25519::Identity::generate();
    let journal = Journal::create(
        &dir.path().join("bench.tend"),
        &NewUnlocker::Recipient(identity.to_public()),
        &ValuesPack::default_pack(),
        Utc::now(),
    )
    .expect("a new journal");
    (dir, journal)
}

fn filled_journal(n: usize) -> (tempfile::TempDir, Journal) {
    let (dir, journal) = empty_journal();
    for chunk in reflections(n, 1).chunks(1000) {
        journal.add_many(chunk).expect("reflections added");
    }
    (dir, journal)
}

fn records(c: &mut Criterion) {
    let n = size();
    let (_dir, journal) = filled_journal(n);
    let one = reflections(1, 7).remove(0);
    let mut g = c.benchmark_group("record");
    // Seal one reflection, rewrite its index segment, commit durably.
    g.bench_function("add (durable commit)", |b| {
        b.iter(|| journal.add(black_box(&one)).expect("added"));
    });
    // Read, open and parse one reflection.
    let mut id = 0u64;
    g.bench_function("get", |b| {
        b.iter(|| {
            id = id % n as u64 + 1;
            journal.get::<Reflection>(black_box(id)).expect("read")
        });
    });
    g.finish();

    let batch = reflections(1000, 3);
    let mut g = c.benchmark_group("insert");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.sample_size(10);
    g.bench_function("add_many 1000", |b| {
        b.iter_batched(
            empty_journal,
            |(_dir, journal)| journal.add_many(black_box(&batch)).expect("added"),
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

fn reads(c: &mut Criterion) {
    let n = size();
    let (_dir, journal) = filled_journal(n);
    let mut g = c.benchmark_group(format!("read {n}"));
    g.throughput(Throughput::Elements(n as u64));
    g.sample_size(20);
    g.bench_function("entries (list)", |b| {
        b.iter(|| journal.entries().expect("entries"))
    });
    let tag = Filter {
        tags: vec![synth::TAG.to_owned()],
        ..Default::default()
    };
    g.bench_function("entries + tag filter", |b| {
        b.iter(|| {
            let scan = journal.entries().expect("entries");
            scan.records
                .into_iter()
                .filter(|(_, e)| tag.matches(e))
                .count()
        });
    });
    let query = Query::new(&synth::SEARCH);
    g.bench_function("search two words", |b| {
        b.iter(|| {
            journal
                .search(black_box(&query), &Filter::default())
                .expect("search")
        });
    });
    g.bench_function("all (export)", |b| {
        b.iter(|| journal.all::<Reflection>().expect("all"))
    });
    g.finish();
}

criterion_group!(benches, records, reads);
criterion_main!(benches);
