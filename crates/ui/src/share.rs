//! Share: a contribution for a retreat. The member fills in what the facilitator asked
//! for, reads tend-core's own preview (the same words `tend share` prints, drawn from the
//! same document), and consents with an explicit `y`; anything else shares nothing.
//!
//! The contribution is gathered, sealed and given by `tend_store::share`, as in the CLI: the
//! consent record (with the secret that can revoke the contribution) is saved before the file
//! is written, and removed again if the file cannot be written.

use std::path::PathBuf;

use age::x25519::Recipient;
use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use tend_core::contribution::Period;
use tend_core::text::count_of;
use tend_store::bundle;
use tend_store::share::{self, GiveError, Prepared, SealError};

use crate::app::App;
use crate::field::{Field, Form};
use crate::ids::{self, Id};
use crate::modal::{Modal, Pending};
use crate::theme::Theme;

pub(crate) const HINTS: &str =
    "Enter fill in the form · on the preview: y share, n do not share · ? keys";

const LABELS: [(&str, &str); 7] = [
    ("Purpose", "in the facilitator's words: Spring retreat 2026"),
    (
        "Recipients",
        "the facilitator's age1… recipient; several with commas",
    ),
    (
        "Since",
        "the first day to count; empty for the journal's first",
    ),
    (
        "Until",
        "the last day to count; empty for the journal's last",
    ),
    (
        "Excerpts",
        "handles (from the journal list) of reflections whose full text you share; empty for none",
    ),
    ("Your name", "empty to stay anonymous"),
    (
        "File",
        "where to write the contribution, such as contribution.age",
    ),
];

/// What is ready to be shared, once consented to.
struct Ready {
    prepared: Prepared,
    recipients: Vec<Recipient>,
    path: PathBuf,
}

/// The share screen.
#[derive(Default)]
pub(crate) struct ShareView {
    typed: Vec<String>,
    prepared: Option<Ready>,
    scroll: u16,
    outcome: Option<String>,
}

impl std::fmt::Debug for ShareView {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ShareView")
            .field("prepared", &self.prepared.is_some())
            .finish_non_exhaustive()
    }
}

impl ShareView {
    pub(crate) fn has_preview(&self) -> bool {
        self.prepared.is_some()
    }

    pub(crate) fn remember(&mut self, form: &Form) {
        self.typed = (0..LABELS.len()).map(|i| form.value(i)).collect();
    }

    fn form(&self) -> Form {
        let fields = LABELS
            .iter()
            .enumerate()
            .map(|(i, (label, hint))| {
                Field::new(label, self.typed.get(i).map_or("", String::as_str), hint)
            })
            .collect();
        Form::new("A contribution for a retreat", fields)
            .intro("Nothing is written until you have read the preview and said yes.")
    }

    pub(crate) fn draw(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let Some(p) = &self.prepared else {
            let mut lines = vec![
                Line::styled("Share a contribution for a retreat", theme.title()),
                Line::raw(""),
                Line::raw(
                    "A contribution holds counts of your reflections by value and rating, your commitments and repairs by state, and, only if you name them, the full text of chosen reflections and your name.",
                ),
                Line::raw(""),
                Line::raw(
                    "You will see exactly what it holds before anything is written, and it is sealed so that only the recipients you name can open it. You can revoke it later with `tend consent revoke`.",
                ),
                Line::raw(""),
                Line::styled("Press Enter to fill in the form.", theme.accent()),
            ];
            if let Some(o) = &self.outcome {
                lines.push(Line::raw(""));
                lines.push(Line::raw(o.clone()));
            }
            frame.render_widget(
                Paragraph::new(lines).wrap(Wrap { trim: true }).block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.border())
                        .title(" Share "),
                ),
                area,
            );
            return;
        };
        let [preview, ask] =
            Layout::vertical([Constraint::Fill(1), Constraint::Length(4)]).areas(area);
        let mut lines: Vec<Line<'_>> = p
            .prepared
            .contribution()
            .preview()
            .lines()
            .map(|l| Line::raw(l.to_owned()))
            .collect();
        let who: Vec<String> = p.recipients.iter().map(ToString::to_string).collect();
        lines.push(Line::raw(format!(
            "It will be encrypted to {} ({}) and written to {}.",
            count_of(who.len(), "recipient", "recipients"),
            who.join(", "),
            p.path.display()
        )));
        frame.render_widget(
            Paragraph::new(lines)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0))
                .block(
                    Block::default()
                        .borders(Borders::ALL)
                        .border_style(theme.border())
                        .title(" Exactly what it holds (↑↓ to scroll) "),
                ),
            preview,
        );
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!(
                        "Share this, encrypted to {}?",
                        count_of(who.len(), "recipient", "recipients")
                    ),
                    theme.title(),
                ),
                Line::raw("y  yes, share it        n  no, share nothing"),
            ])
            .block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.focus_border())
                    .title(" Your consent "),
            ),
            ask,
        );
    }
}

/// Builds the contribution from the form; on success the preview is shown.
pub(crate) fn prepare(app: &mut App) -> Result<(), String> {
    let typed = app.share.typed.clone();
    let get = |i: usize| typed.get(i).cloned().unwrap_or_default();
    let today = app.clock.today;
    let date = |s: String| -> Result<Option<chrono::NaiveDate>, String> {
        if s.is_empty() {
            return Ok(None);
        }
        tend_core::date::parse(&s, today)
            .map(Some)
            .map_err(|e| format!("{e} ({})", tend_core::date::DateError::HINT))
    };
    let purpose = get(0);
    let mut recipients: Vec<Recipient> = Vec::new();
    for typed in get(1).split([',', ' ']).filter(|s| !s.is_empty()) {
        let r = bundle::parse_recipient(typed).map_err(|e| format!("{e}"))?;
        if !recipients.iter().any(|o| o.to_string() == r.to_string()) {
            recipients.push(r);
        }
    }
    if recipients.is_empty() {
        return Err(
            "A contribution needs the facilitator's recipient (age1…) to be sealed for.".into(),
        );
    }
    let period = Period {
        since: date(get(2))?,
        until: date(get(3))?,
    };
    let mut excerpt_ids: Vec<Id> = Vec::new();
    for t in get(4).split([',', ' ']).filter(|s| !s.is_empty()) {
        let id = ids::parse::<tend_core::reflection::Reflection>(&app.journal, t)
            .map_err(|e| format!("{e}; the journal list shows the handles."))?;
        excerpt_ids.push(id);
    }
    let path = PathBuf::from(get(6));
    if get(6).is_empty() {
        return Err("Say where to write the contribution, such as contribution.age.".into());
    }
    if path.exists() {
        return Err(format!(
            "{} already exists; choose another name.",
            path.display()
        ));
    }
    let store = |e: tend_store::Error| e.to_string();
    let draft = share::gather(
        &app.journal,
        share::Request {
            purpose,
            pack: &app.pack,
            period,
            values: Vec::new(),
            excerpts: excerpt_ids,
            name: tend_core::text::non_empty(&get(5)),
            expires: None,
            given: app.clock.now,
        },
    )
    .map_err(store)?;
    let prepared = draft.build().map_err(|e| {
        let s = e.to_string();
        let mut c = s.chars();
        c.next()
            .map(|f| f.to_uppercase().chain(c).collect::<String>())
            .unwrap_or_default()
    })?;
    app.share.prepared = Some(Ready {
        prepared,
        recipients,
        path,
    });
    app.share.scroll = 0;
    app.share.outcome = None;
    Ok(())
}

/// Seals and writes what was consented to.
fn give(app: &mut App) {
    let Some(Ready {
        prepared,
        recipients,
        path,
    }) = app.share.prepared.take()
    else {
        return;
    };
    let sealed = match prepared.seal(&app.journal, &recipients, false, app.clock.now) {
        Ok(sealed) => sealed,
        Err(SealError::Sign(e)) => {
            app.share.outcome = Some(format!(
                "It could not be signed, so nothing was written: {e}"
            ));
            return;
        }
        Err(e) => {
            app.share.outcome = Some(format!(
                "It could not be sealed, so nothing was written: {e}"
            ));
            return;
        }
    };
    let id = sealed.contribution().id.clone();
    match sealed.give(&app.journal, |bytes| write_private(&path, bytes)) {
        Ok(()) => {}
        Err(GiveError::Record(e)) => {
            app.share.outcome = Some(format!(
                "Your consent could not be recorded, so nothing was written: {e}"
            ));
            return;
        }
        Err(GiveError::Write(e)) => {
            app.share.outcome = Some(format!(
                "{} could not be written ({e}); nothing was shared or recorded.",
                path.display()
            ));
            return;
        }
    }
    app.share.outcome = Some(format!(
        "Shared contribution {id}: wrote {}. Hand the file to the facilitator; `tend consent revoke {id}` withdraws it.",
        path.display()
    ));
    app.status = Some(format!("Shared contribution {id}."));
}

fn write_private(path: &std::path::Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    let mut options = std::fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    let mut f = options.open(path)?;
    f.write_all(bytes)?;
    f.sync_all()
}

pub(crate) fn key(app: &mut App, key: KeyEvent) {
    if app.share.prepared.is_some() {
        match key.code {
            KeyCode::Char('y' | 'Y') => give(app),
            KeyCode::Char('n' | 'N') | KeyCode::Esc | KeyCode::Char('q') => {
                app.share.prepared = None;
                app.share.outcome =
                    Some("You chose not to share, so nothing was written or recorded.".into());
            }
            KeyCode::Down | KeyCode::Char('j') => {
                app.share.scroll = app.share.scroll.saturating_add(1)
            }
            KeyCode::Up | KeyCode::Char('k') => {
                app.share.scroll = app.share.scroll.saturating_sub(1)
            }
            _ => {}
        }
        return;
    }
    if matches!(key.code, KeyCode::Enter | KeyCode::Char('p' | 'e')) {
        let form = app.share.form();
        app.ask(Modal::Form(form, Pending::ShareForm));
    }
}
