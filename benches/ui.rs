//! `tend ui` over a journal of 10,000 reflections: how long from an unlocked journal to the
//! first screen drawn, and what one step of scrolling or searching costs (a key in, a frame
//! out). The target is the first screen under 100 ms after unlocking; a frame must stay
//! well under the 16 ms of a 60 Hz screen for scrolling to feel smooth.
//!
//! `cargo bench --bench ui`. Under `cargo test` each benchmark runs once over a small
//! journal. Frames are drawn into ratatui's test backend at 120×36: the same layout and
//! diffing work as a real terminal, without the terminal's own time to paint.

use std::hint::black_box;

use chrono::{NaiveDate, TimeZone, Utc};
use criterion::{BatchSize, Criterion, criterion_group, criterion_main};
use rand::SeedableRng;
use rand::rngs::StdRng;
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;
use tend_store::{Journal, NewUnlocker, Secret};
use tend_ui::{App, Clock, Theme};

#[path = "../bench/synth.rs"]
mod synth;

fn size() -> usize {
    if std::env::args().any(|a| a == "--bench") {
        10_000
    } else {
        200
    }
}

struct Fixture {
    _dir: tempfile::TempDir,
    path: std::path::PathBuf,
    secret: Secret,
}

fn fixture(n: usize) -> Fixture {
    let dir = tempfile::tempdir().expect("a temp folder");
    let path = dir.path().join("bench.tend");
    let identity = age::x25519::Identity::generate();
    let journal = Journal::create(
        &path,
        &NewUnlocker::Recipient(identity.to_public()),
        &ValuesPack::default_pack(),
        Utc::now(),
    )
    .expect("a new journal");
    let mut rng = StdRng::seed_from_u64(1);
    let all: Vec<Reflection> = (0..n).map(|i| synth::reflection(&mut rng, i, n)).collect();
    for chunk in all.chunks(1000) {
        journal.add_many(chunk).expect("reflections added");
    }
    drop(journal);
    Fixture {
        _dir: dir,
        path,
        secret: Secret::Identities(vec![identity]),
    }
}

fn clock() -> Clock {
    let now = Utc
        .with_ymd_and_hms(2026, 11, 20, 18, 0, 0)
        .single()
        .expect("a time");
    Clock::fixed(now, NaiveDate::from_ymd_opt(2026, 11, 20).expect("a day"))
}

fn terminal() -> Terminal<TestBackend> {
    Terminal::new(TestBackend::new(120, 36)).expect("a test terminal")
}

fn key(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

fn ui(c: &mut Criterion) {
    let f = fixture(size());
    let mut g = c.benchmark_group("ui");
    g.sample_size(20);

    // From an unlocked journal to the first frame: read the pack and the index, sort, draw.
    g.bench_function("first_screen", |b| {
        b.iter_batched(
            || Journal::open(&f.path, &f.secret).expect("opens"),
            |journal| {
                let mut app = App::new(journal, clock(), Theme::plain()).expect("an app");
                let mut t = terminal();
                t.draw(|frame| app.draw(frame)).expect("drawn");
                app
            },
            BatchSize::PerIteration,
        );
    });

    let journal = Journal::open(&f.path, &f.secret).expect("opens");
    let mut app = App::new(journal, clock(), Theme::plain()).expect("an app");
    let mut t = terminal();
    t.draw(|frame| app.draw(frame)).expect("drawn");

    g.bench_function("scroll_one_line", |b| {
        let mut down = true;
        b.iter(|| {
            // Down to the end and back, one key and one frame at a time.
            key(&mut app, if down { KeyCode::Down } else { KeyCode::Up });
            t.draw(|frame| app.draw(frame)).expect("drawn");
            down = !down;
        });
    });
    g.bench_function("scroll_page", |b| {
        let mut down = true;
        b.iter(|| {
            key(
                &mut app,
                if down {
                    KeyCode::PageDown
                } else {
                    KeyCode::PageUp
                },
            );
            t.draw(|frame| app.draw(frame)).expect("drawn");
            down = !down;
        });
    });
    g.bench_function("jump_to_oldest", |b| {
        b.iter(|| {
            key(&mut app, KeyCode::End);
            t.draw(|frame| app.draw(frame)).expect("drawn");
            key(&mut app, KeyCode::Home);
            t.draw(|frame| app.draw(frame)).expect("drawn");
        });
    });

    // Search as you type: the first word opens every text once; later keys search memory.
    key(&mut app, KeyCode::Char('/'));
    g.bench_function("search_keystroke", |b| {
        let mut on = true;
        b.iter(|| {
            if on {
                key(
                    &mut app,
                    KeyCode::Char(synth::SEARCH[0].as_bytes()[0] as char),
                );
            } else {
                key(&mut app, KeyCode::Backspace);
            }
            t.draw(|frame| app.draw(frame)).expect("drawn");
            on = !on;
        });
    });
    // The journal takes one holder at a time.
    drop(app);
    g.bench_function("search_first_keystroke", |b| {
        b.iter_batched(
            || {
                let journal = Journal::open(&f.path, &f.secret).expect("opens");
                let mut app = App::new(journal, clock(), Theme::plain()).expect("an app");
                key(&mut app, KeyCode::Char('/'));
                app
            },
            |mut app| {
                key(&mut app, KeyCode::Char('i'));
                let mut t = terminal();
                t.draw(|frame| app.draw(frame)).expect("drawn");
                black_box(app)
            },
            BatchSize::PerIteration,
        );
    });
    g.finish();
}

criterion_group!(benches, ui);
criterion_main!(benches);
