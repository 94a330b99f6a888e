//! Every screen, drawn for a fixed journal at 80×24 and at 120×36, as insta snapshots; and
//! the rules behind them (leaving asks once, content notes hide, consent is a choice).

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use ratatui::Terminal;
use ratatui::backend::TestBackend;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use tend_core::commitment::Commitment;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Reflection, ValueRating};
use tend_core::repair::{Repair, RepairPart};
use tend_store::secrecy::SecretString;
use tend_store::{Journal, NewUnlocker};

use crate::app::{App, Clock, Tab};
use crate::theme::Theme;

/// A recipient whose secret nobody holds: a snapshot needs a fixed one.
const RECIPIENT: &str = "age1ql3z7hjy54pw3hyww5ayyfg7zqgvc7w3j2elw8zmrj2kg5sfn9aqmcac8p";

pub(crate) fn at(day: u32, hour: u32) -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, day, hour, 0, 0)
        .single()
        .expect("a time")
}

pub(crate) fn day(d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, d).expect("a date")
}

pub(crate) fn journal(dir: &std::path::Path) -> Journal {
    let unlocker = NewUnlocker::Passphrase {
        passphrase: SecretString::from("correct horse".to_owned()),
        work_factor: Some(4),
    };
    Journal::create(
        &dir.join("journal.tend"),
        &unlocker,
        &ValuesPack::default_pack(),
        at(1, 8),
    )
    .expect("a journal")
}

/// The fixed journal every snapshot draws.
fn fixture(dir: &std::path::Path) -> App {
    let j = journal(dir);
    let r = |text: &str, d: u32, values: &[(&str, Option<u8>)], tags: &[&str]| {
        let mut r = Reflection::new(text, day(d), at(d, 18));
        r.values = values
            .iter()
            .map(|(v, n)| ValueRating::new(*v, *n))
            .collect();
        r.tags = tags.iter().map(|t| (*t).to_owned()).collect();
        r
    };
    let mut hard = r(
        "The session went somewhere painful and I stayed with it.",
        12,
        &[("repair", Some(3))],
        &["clinic"],
    );
    hard.content_note = Some("a client's grief".into());
    let reflections = vec![
        r(
            "Asked who had not spoken yet in the circle.",
            3,
            &[("equity", Some(4))],
            &["circle"],
        ),
        r(
            "Shared the sliding-scale numbers openly at the members' meeting.\nIt felt exposing, and right.",
            5,
            &[("transparency", Some(5)), ("equity", Some(3))],
            &["money"],
        ),
        r(
            "Named the pay gap in the circle; nobody had the figures.",
            10,
            &[("equity", Some(2)), ("transparency", None)],
            &["circle", "money"],
        ),
        hard,
        r(
            "Noticed who carried the intake calls again.",
            17,
            &[("anti-oppression", Some(3)), ("equity", Some(3))],
            &[],
        ),
        r("A quiet week; mostly rest.", 19, &[], &["rest"]),
    ];
    add_with_steady_ids(&j, 0, reflections);
    let mut kept = Commitment::new(
        "Send the rota to everyone",
        vec!["transparency".into()],
        Some(day(8)),
        at(2, 9),
    );
    kept.keep(Some("sent on the Friday"), at(7, 9))
        .expect("keep");
    let open = Commitment::new(
        "Bring the pay figures to the circle",
        vec!["equity".into()],
        Some(day(14)),
        at(10, 9),
    );
    let later = Commitment::new(
        "Ask the intake team what they need",
        vec![],
        Some(day(28)),
        at(17, 9),
    );
    add_with_steady_ids(&j, 1, vec![kept, open, later]);
    let mut repair = Repair::open(
        "Talked over a colleague in the case review",
        vec!["repair".into()],
        Some("Sam".into()),
        at(11, 9),
    );
    repair
        .step(
            RepairPart::Reflection,
            "I was anxious to be heard",
            at(11, 20),
        )
        .expect("step");
    repair
        .step(
            RepairPart::Apology,
            "Apologised to Sam after the review",
            at(12, 10),
        )
        .expect("step");
    add_with_steady_ids(&j, 2, vec![repair]);
    App::new(j, Clock::fixed(at(20, 18), day(20)), Theme::plain()).expect("an app")
}

pub(crate) fn key(app: &mut App, code: KeyCode) {
    app.key(KeyEvent::new(code, KeyModifiers::NONE));
}

pub(crate) fn typed(app: &mut App, text: &str) {
    for c in text.chars() {
        key(app, KeyCode::Char(c));
    }
}

fn draw(app: &mut App, width: u16, height: u16) -> String {
    let mut t = Terminal::new(TestBackend::new(width, height)).expect("a test terminal");
    t.draw(|f| app.draw(f)).expect("drawn");
    steady_handles(app, format!("{}", t.backend()))
}

/// The id a fixture record of kind `kind` gets for its `n`th place (from 1): the same on every
/// run, so the handles drawn stay put (even a handle's first letter, peeking out beside a
/// form).
fn steady_id(kind: u8, n: u64) -> tend_core::id::RecordId {
    let mut bytes = [0u8; 16];
    bytes[0] = (kind << 4) | u8::try_from(n & 0x0f).unwrap_or(0);
    bytes[1] = u8::try_from((n >> 4) & 0xff).unwrap_or(0);
    tend_core::id::RecordId::from_bytes(bytes)
}

/// Adds the fixture's records of one kind under steady ids, in order.
fn add_with_steady_ids<T: tend_store::Record>(j: &Journal, kind: u8, records: Vec<T>) {
    let puts: Vec<_> = (1u64..)
        .zip(records)
        .map(|(n, r)| (steady_id(kind, n), r))
        .collect();
    j.apply_by_id(&puts, &[]).expect("records added");
}

/// The drawing with every record's whole handle replaced by a steady one of the same length,
/// made from its kind and number: records a test adds while it runs have random ids.
fn steady_handles(app: &App, shown: String) -> String {
    let books = [
        &app.look.names,
        &app.care.commitment_names,
        &app.care.repair_names,
    ];
    let mut pairs = Vec::new();
    for (kind, book) in (0u8..).zip(books) {
        for (n, _) in book.iter() {
            let real = crate::ids::handle(book, n);
            let steady = steady_id(kind, n).prefix(real.len());
            pairs.push((real, steady));
        }
    }
    // Two passes, so that a steady handle is never taken for a real one.
    let mut out = shown;
    for (i, (real, _)) in pairs.iter().enumerate() {
        out = replace_word(&out, real, &format!("\u{1}{i}\u{1}"));
    }
    for (i, (_, steady)) in pairs.iter().enumerate() {
        out = out.replace(&format!("\u{1}{i}\u{1}"), steady);
    }
    out
}

/// `text` with each whole-word `word` replaced by `with`.
fn replace_word(text: &str, word: &str, with: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(at) = rest.find(word) {
        let before = rest[..at].chars().next_back();
        let after = rest[at + word.len()..].chars().next();
        let alone = |c: Option<char>| c.is_none_or(|c| !c.is_alphanumeric());
        out.push_str(&rest[..at]);
        out.push_str(if alone(before) && alone(after) {
            with
        } else {
            word
        });
        rest = &rest[at + word.len()..];
    }
    out.push_str(rest);
    out
}

/// Snapshots one state at both sizes.
macro_rules! screens {
    ($name:literal, $app:expr) => {{
        insta::with_settings!({
            filters => vec![
                // The contribution's id and pseudonym are random on purpose.
                (r"\b[0-9a-f]{16}\b", "[random]"),
            ],
        }, {
            insta::assert_snapshot!(concat!($name, "_80x24"), draw($app, 80, 24));
            insta::assert_snapshot!(concat!($name, "_120x36"), draw($app, 120, 36));
        });
    }};
}

#[test]
fn journal_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    screens!("journal", &mut app);
    key(&mut app, KeyCode::Char('/'));
    typed(&mut app, "circle");
    screens!("journal_search", &mut app);
    key(&mut app, KeyCode::Enter);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Char('v'));
    screens!("journal_value_filter", &mut app);
    key(&mut app, KeyCode::Char('c'));
    key(&mut app, KeyCode::Char('d'));
    typed(&mut app, "2026-11-05");
    screens!("journal_date_form", &mut app);
    key(&mut app, KeyCode::Tab);
    typed(&mut app, "2026-11-12");
    key(&mut app, KeyCode::Enter);
    screens!("journal_date_filter", &mut app);
}

#[test]
fn reading_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    // The reflection with a content note is the third newest.
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Enter);
    let hidden = draw(&mut app, 80, 24);
    assert!(
        hidden.contains("Content note: a client's grief"),
        "{hidden}"
    );
    assert!(!hidden.contains("somewhere painful"), "{hidden}");
    screens!("reader_content_note", &mut app);
    key(&mut app, KeyCode::Char('r'));
    assert!(draw(&mut app, 80, 24).contains("somewhere painful"));
    screens!("reader_revealed", &mut app);
    key(&mut app, KeyCode::Char('x'));
    screens!("reader_delete_question", &mut app);
    key(&mut app, KeyCode::Char('n'));
    assert_eq!(app.journal.count::<Reflection>().expect("count"), 6);
}

#[test]
fn write_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    key(&mut app, KeyCode::Char('w'));
    assert_eq!(app.tab(), Tab::Write);
    screens!("write_empty", &mut app);
    typed(&mut app, "Made room for the quietest voice.");
    key(&mut app, KeyCode::Tab);
    key(&mut app, KeyCode::Char(' '));
    key(&mut app, KeyCode::Char('4'));
    key(&mut app, KeyCode::Down);
    key(&mut app, KeyCode::Char(' '));
    screens!("write_values", &mut app);
    key(&mut app, KeyCode::Esc);
    screens!("write_leave_question", &mut app);
}

#[test]
fn care_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    key(&mut app, KeyCode::Char('3'));
    screens!("care", &mut app);
    key(&mut app, KeyCode::Char('n'));
    screens!("care_renegotiate_form", &mut app);
    key(&mut app, KeyCode::Esc);
    key(&mut app, KeyCode::Right);
    key(&mut app, KeyCode::Char('a'));
    screens!("care_repair_step_form", &mut app);
}

#[test]
fn insights_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    key(&mut app, KeyCode::Char('4'));
    screens!("insights", &mut app);
    key(&mut app, KeyCode::Right);
    screens!("insights_next_value", &mut app);
}

#[test]
fn share_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    key(&mut app, KeyCode::Char('5'));
    screens!("share", &mut app);
    key(&mut app, KeyCode::Enter);
    typed(&mut app, "Spring retreat 2026");
    key(&mut app, KeyCode::Tab);
    typed(&mut app, RECIPIENT);
    for _ in 0..5 {
        key(&mut app, KeyCode::Tab);
    }
    let out = dir.path().join("contribution.age");
    typed(&mut app, "contribution.age");
    screens!("share_form", &mut app);
    // Point the file into the test's folder without drawing that path.
    if let Some(crate::modal::Modal::Form(form, _)) = &mut app.modal
        && let Some(f) = form.fields.last_mut()
    {
        f.set(&out.display().to_string());
    }
    key(&mut app, KeyCode::Enter);
    assert!(app.share.has_preview(), "the preview shows");
    let shown = draw(&mut app, 120, 36);
    assert!(
        shown.contains("Share this, encrypted to 1 recipient?"),
        "{shown}"
    );
    assert!(
        shown.contains("You are sharing one contribution for \"Spring retreat 2026\"."),
        "{shown}"
    );
    // Saying no writes nothing and records nothing.
    key(&mut app, KeyCode::Char('n'));
    assert!(!out.exists());
    assert_eq!(
        app.journal
            .count::<tend_core::contribution::ConsentRecord>()
            .expect("count"),
        0
    );
    screens!("share_declined", &mut app);
}

#[test]
fn help_and_unlock_screens() {
    let dir = tempfile::tempdir().expect("dir");
    let mut app = fixture(dir.path());
    key(&mut app, KeyCode::Char('?'));
    screens!("help", &mut app);
    let mut screen = crate::unlock::PassphraseScreen::new();
    for c in "secret".chars() {
        screen.key(KeyEvent::new(KeyCode::Char(c), KeyModifiers::NONE));
    }
    let theme = Theme::plain();
    for (w, h) in [(80, 24), (120, 36)] {
        let mut t = Terminal::new(TestBackend::new(w, h)).expect("terminal");
        t.draw(|f| screen.draw(f, &theme)).expect("drawn");
        let shown = format!("{}", t.backend());
        assert!(!shown.contains("secret"), "the passphrase is never drawn");
        insta::assert_snapshot!(format!("unlock_{w}x{h}"), shown);
    }
}

/// The text captures in `docs/ui-screens.md`, one per screen at 80×24, made from the
/// snapshots above, so the documentation shows what the interface draws today.
/// `TEND_UPDATE_DOCS=1 cargo test -p tend-ui docs_show` writes it anew.
#[test]
fn docs_show_every_screen_as_drawn() {
    const SCREENS: &[(&str, &str)] = &[
        (
            "unlock",
            "Unlocking: the passphrase is asked inside the interface",
        ),
        ("journal", "1 Journal, newest first"),
        ("journal_search", "1 Journal, searching as you type"),
        ("journal_value_filter", "1 Journal, filtered by a value"),
        ("journal_date_form", "1 Journal, choosing dates"),
        ("journal_date_filter", "1 Journal, filtered by dates"),
        (
            "reader_content_note",
            "Reading: a content note hides the text until asked",
        ),
        ("reader_revealed", "Reading: the text, once asked for"),
        ("reader_delete_question", "Reading: deleting asks first"),
        (
            "write_empty",
            "2 Write: an empty page, the values' prompts beside it",
        ),
        (
            "write_values",
            "2 Write: values and ratings in the pack's words",
        ),
        ("write_leave_question", "2 Write: leaving a draft asks once"),
        ("care", "3 Commitments & repairs"),
        ("care_renegotiate_form", "3 Renegotiating a commitment"),
        ("care_repair_step_form", "3 A repair step"),
        ("insights", "4 Insights: ratings over time"),
        ("insights_next_value", "4 Insights: the next value"),
        ("share_form", "5 Share: what to contribute"),
        (
            "share",
            "5 Share: the exact preview, and consent as a choice",
        ),
        ("share_declined", "5 Share: declined, nothing written"),
        ("help", "? Every key"),
    ];
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut doc = String::from(
        "# `tend ui`, screen by screen\n\n\
         Text captures of what `tend ui` draws at 80×24, for a fixed journal of six \
         reflections. They are made from the interface's snapshot tests \
         (`crates/ui/src/snapshots/`, which also hold each screen at 120×36), so they show \
         what it draws today; `TEND_UPDATE_DOCS=1 cargo test -p tend-ui docs_show` writes \
         this page again after a snapshot changes. See [ui.md](ui.md) for the keys.\n",
    );
    let mut named = std::collections::BTreeSet::new();
    for (name, title) in SCREENS {
        named.insert(*name);
        let snap = root.join(format!("src/snapshots/tend_ui__tests__{name}_80x24.snap"));
        let text = std::fs::read_to_string(&snap).expect("every screen has a snapshot");
        doc.push_str(&format!("\n## {title}\n\n```text\n"));
        for line in text.lines().skip_while(|l| *l != "---").skip(1) {
            let line = line.strip_prefix('"').and_then(|l| l.strip_suffix('"'));
            if let Some(line) = line {
                let line = line.replace("\\\"", "\"").replace("\\\\", "\\");
                doc.push_str(line.trim_end());
                doc.push('\n');
            }
        }
        doc.push_str("```\n");
    }
    for entry in std::fs::read_dir(root.join("src/snapshots")).expect("snapshots") {
        let file = entry.expect("an entry").file_name();
        let file = file.to_string_lossy();
        if let Some(name) = file
            .strip_prefix("tend_ui__tests__")
            .and_then(|f| f.strip_suffix("_80x24.snap"))
        {
            assert!(
                named.contains(name),
                "the screen `{name}` has no caption in docs/ui-screens.md: add it to SCREENS"
            );
        }
    }
    let path = root.join("../../docs/ui-screens.md");
    if std::env::var_os("TEND_UPDATE_DOCS").is_some() {
        std::fs::write(&path, &doc).expect("write docs/ui-screens.md");
    }
    let written = std::fs::read_to_string(&path).unwrap_or_default();
    assert!(
        written == doc,
        "docs/ui-screens.md is not what the snapshots draw; run \
         `TEND_UPDATE_DOCS=1 cargo test -p tend-ui docs_show` and commit it"
    );
}
