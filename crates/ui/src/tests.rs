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
    j.add_many(&reflections).expect("reflections");
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
    j.add_many(&[kept, open, later]).expect("commitments");
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
    j.add(&repair).expect("repair");
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
    format!("{}", t.backend())
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
