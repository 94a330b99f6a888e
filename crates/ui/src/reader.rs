//! One reflection, opened. A content note stands in front of the text until the member
//! chooses to read on.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::Rect;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;

use crate::app::App;
use crate::ids::{self, Id};
use crate::modal::{Modal, Pending};
use crate::theme::Theme;

pub(crate) const HINTS: &str =
    "↑↓ scroll · r read past a content note · e edit · x delete · Esc back · ? keys";

/// The reflection being read.
#[derive(Debug)]
pub(crate) struct Reader {
    pub(crate) id: Id,
    /// Its handle, as the journal list shows it.
    handle: String,
    pub(crate) reflection: Reflection,
    revealed: bool,
    scroll: u16,
}

impl Reader {
    pub(crate) fn scroll(&mut self, down: bool) {
        self.scroll = if down {
            self.scroll.saturating_add(1)
        } else {
            self.scroll.saturating_sub(1)
        };
    }

    pub(crate) fn draw(&self, frame: &mut Frame<'_>, area: Rect, pack: &ValuesPack, theme: &Theme) {
        let r = &self.reflection;
        let mut lines = vec![Line::from(vec![
            Span::styled(format!("Reflection {} ", self.handle), theme.title()),
            Span::styled(format!("· {}", r.on.format("%A %-d %B %Y")), theme.dim()),
        ])];
        if let Some(edited) = r.edited {
            lines.push(Line::styled(
                format!("changed {}", edited.format("%-d %B %Y")),
                theme.dim(),
            ));
        }
        lines.push(Line::raw(""));
        for v in &r.values {
            let (name, word) = match pack.value(&v.value) {
                Some(p) => (
                    p.name.clone(),
                    v.rating.and_then(|n| pack.scale.word(n)).map(str::to_owned),
                ),
                None => (v.value.clone(), None),
            };
            let rating = match (v.rating, word) {
                (Some(n), Some(w)) => format!(": {n} of {}, {w}", pack.scale.max),
                (Some(n), None) => format!(": {n}"),
                _ => String::new(),
            };
            lines.push(Line::from(vec![
                Span::styled("  ◆ ", theme.dim()),
                Span::styled(name, theme.accent()),
                Span::raw(rating),
            ]));
        }
        if !r.tags.is_empty() {
            lines.push(Line::styled(
                format!("  #{}", r.tags.join("  #")),
                theme.dim(),
            ));
        }
        if !r.values.is_empty() || !r.tags.is_empty() {
            lines.push(Line::raw(""));
        }
        match (&r.content_note, self.revealed) {
            (Some(note), false) => {
                lines.push(Line::styled(format!("Content note: {note}"), theme.title()));
                lines.push(Line::raw(""));
                lines.push(Line::raw(
                    "The text is hidden behind this note. Press r when you want to read it.",
                ));
            }
            (note, _) => {
                if let Some(note) = note {
                    lines.push(Line::styled(format!("Content note: {note}"), theme.dim()));
                    lines.push(Line::raw(""));
                }
                lines.extend(r.text.lines().map(|l| Line::raw(l.to_owned())));
            }
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(" Reading ");
        frame.render_widget(
            Paragraph::new(lines)
                .block(block)
                .wrap(Wrap { trim: false })
                .scroll((self.scroll, 0)),
            area,
        );
    }
}

/// Opens reflection `id` for reading.
pub(crate) fn open(app: &mut App, id: Id) {
    match app.journal.get::<Reflection>(id) {
        Ok(reflection) => {
            app.reader = Some(Reader {
                id,
                handle: ids::handle(&app.look.names, id),
                reflection,
                revealed: false,
                scroll: 0,
            });
        }
        Err(e) => app.tell(format!("That reflection could not be opened: {e}")),
    }
}

/// Asks before deleting reflection `id`.
pub(crate) fn ask_delete(app: &mut App, id: Id) {
    let label = match app.journal.get::<Reflection>(id) {
        Ok(r) => {
            let what = r
                .content_note
                .as_ref()
                .map_or_else(|| r.title(), |n| format!("[content note: {n}]"));
            format!("from {}: {what}", r.on)
        }
        Err(_) => String::new(),
    };
    app.ask(Modal::Confirm {
        title: "Delete this reflection?".into(),
        lines: vec![
            format!("Reflection {} {label}", ids::handle(&app.look.names, id)),
            "Deleting cannot be undone.".into(),
        ],
        then: Pending::DeleteReflection(id),
    });
}

pub(crate) fn key(app: &mut App, key: KeyEvent) {
    let Some(reader) = &mut app.reader else {
        return;
    };
    match key.code {
        KeyCode::Esc | KeyCode::Char('q') | KeyCode::Backspace => app.reader = None,
        KeyCode::Char('r') | KeyCode::Enter => reader.revealed = true,
        KeyCode::Down | KeyCode::Char('j') => reader.scroll(true),
        KeyCode::Up | KeyCode::Char('k') => reader.scroll(false),
        KeyCode::PageDown => reader.scroll = reader.scroll.saturating_add(10),
        KeyCode::PageUp => reader.scroll = reader.scroll.saturating_sub(10),
        KeyCode::Char('e') => {
            let id = reader.id;
            crate::write::edit(app, id);
        }
        KeyCode::Char('x') | KeyCode::Delete => {
            let id = reader.id;
            ask_delete(app, id);
        }
        _ => {}
    }
}
