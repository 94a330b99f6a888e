//! One-line text fields (the text area crate, kept to one line) and the small forms built
//! from them: a note for a kept commitment, a repair step, the share form, a filter.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::Line;
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use ratatui_textarea::TextArea;

use crate::theme::Theme;

/// A labelled one-line field.
pub(crate) struct Field {
    pub(crate) label: &'static str,
    pub(crate) hint: &'static str,
    input: TextArea<'static>,
}

impl std::fmt::Debug for Field {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Field")
            .field("label", &self.label)
            .finish_non_exhaustive()
    }
}

impl Field {
    pub(crate) fn new(label: &'static str, initial: &str, hint: &'static str) -> Self {
        let mut input = TextArea::new(vec![initial.replace('\n', " ")]);
        input.move_cursor(ratatui_textarea::CursorMove::End);
        input.set_cursor_line_style(ratatui::style::Style::default());
        input.set_max_histories(50);
        Self { label, hint, input }
    }

    /// What was typed, trimmed.
    pub(crate) fn value(&self) -> String {
        self.input.lines().join(" ").trim().to_owned()
    }

    /// Passes a key to the field; Enter, Tab and Esc are left to the caller.
    pub(crate) fn key(&mut self, key: KeyEvent) -> bool {
        match key.code {
            KeyCode::Enter | KeyCode::Tab | KeyCode::BackTab | KeyCode::Esc => false,
            KeyCode::Char('m' | 'j') if key.modifiers.contains(KeyModifiers::CONTROL) => false,
            KeyCode::Up | KeyCode::Down => false,
            _ => self.input.input(key),
        }
    }

    /// Replaces the text.
    pub(crate) fn set(&mut self, text: &str) {
        self.input = TextArea::new(vec![text.to_owned()]);
        self.input.move_cursor(ratatui_textarea::CursorMove::End);
        self.input
            .set_cursor_line_style(ratatui::style::Style::default());
    }

    /// One row: the label, then the text (for forms on small screens).
    pub(crate) fn draw_compact(
        &mut self,
        frame: &mut Frame<'_>,
        area: Rect,
        focused: bool,
        theme: &Theme,
    ) {
        let [label, input] =
            Layout::horizontal([Constraint::Length(13), Constraint::Fill(1)]).areas(area);
        let style = if focused { theme.accent() } else { theme.dim() };
        let mark = if focused { "›" } else { " " };
        frame.render_widget(
            Paragraph::new(Line::styled(format!("{mark}{}", self.label), style)),
            label,
        );
        self.input.remove_block();
        self.input.set_cursor_style(if focused {
            theme.selected()
        } else {
            theme.text()
        });
        frame.render_widget(&self.input, input);
    }

    pub(crate) fn draw(&mut self, frame: &mut Frame<'_>, area: Rect, focused: bool, theme: &Theme) {
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(if focused {
                theme.focus_border()
            } else {
                theme.border()
            })
            .title(format!(" {} ", self.label));
        self.input.set_block(block);
        self.input.set_cursor_style(if focused {
            theme.selected()
        } else {
            theme.text()
        });
        frame.render_widget(&self.input, area);
    }
}

/// What a form's keys led to.
#[derive(Debug, PartialEq, Eq)]
pub(crate) enum FormDone {
    /// Still filling it in.
    Open,
    /// Left without doing anything.
    Cancelled,
    /// Ready: the caller reads the fields.
    Submitted,
}

/// A few fields in a box, Tab between them, Enter on the last (or Ctrl-S) to submit.
#[derive(Debug)]
pub(crate) struct Form {
    pub(crate) title: String,
    pub(crate) intro: Vec<String>,
    pub(crate) fields: Vec<Field>,
    pub(crate) focus: usize,
    pub(crate) error: Option<String>,
}

impl Form {
    pub(crate) fn new(title: impl Into<String>, fields: Vec<Field>) -> Self {
        Self {
            title: title.into(),
            intro: Vec::new(),
            fields,
            focus: 0,
            error: None,
        }
    }

    #[must_use]
    pub(crate) fn intro(mut self, line: impl Into<String>) -> Self {
        self.intro.push(line.into());
        self
    }

    pub(crate) fn value(&self, i: usize) -> String {
        self.fields.get(i).map(Field::value).unwrap_or_default()
    }

    pub(crate) fn key(&mut self, key: KeyEvent) -> FormDone {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        let last = self.fields.len().saturating_sub(1);
        match key.code {
            KeyCode::Esc => return FormDone::Cancelled,
            KeyCode::Char('s') if ctrl => return FormDone::Submitted,
            KeyCode::Enter if self.focus >= last => return FormDone::Submitted,
            KeyCode::Enter | KeyCode::Tab | KeyCode::Down => {
                self.focus = (self.focus + 1).min(last);
            }
            KeyCode::BackTab | KeyCode::Up => self.focus = self.focus.saturating_sub(1),
            _ => {
                if let Some(f) = self.fields.get_mut(self.focus) {
                    f.key(key);
                    self.error = None;
                }
            }
        }
        FormDone::Open
    }

    pub(crate) fn draw(&mut self, frame: &mut Frame<'_>, theme: &Theme) {
        let area = frame.area();
        let width = area.width.saturating_sub(4).min(76);
        let intro_height = self.intro.len() as u16;
        let roomy = 2 + intro_height + 3 * self.fields.len() as u16 + 3;
        // On a small screen each field takes one row instead of a box.
        let compact = roomy > area.height;
        let per_field = if compact { 1 } else { 3 };
        let height = 2 + intro_height + per_field * self.fields.len() as u16 + 3;
        let area = crate::unlock::centered(area, width, height);
        frame.render_widget(Clear, area);
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus_border())
            .title(format!(" {} ", self.title));
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let mut rows = vec![Constraint::Length(intro_height)];
        rows.extend(self.fields.iter().map(|_| Constraint::Length(per_field)));
        rows.push(Constraint::Min(1));
        let parts = Layout::vertical(rows).split(inner);
        frame.render_widget(
            Paragraph::new(
                self.intro
                    .iter()
                    .map(|l| Line::raw(l.clone()))
                    .collect::<Vec<_>>(),
            )
            .wrap(Wrap { trim: false }),
            parts[0],
        );
        let focus = self.focus;
        for (i, f) in self.fields.iter_mut().enumerate() {
            if compact {
                f.draw_compact(frame, parts[i + 1], i == focus, theme);
            } else {
                f.draw(frame, parts[i + 1], i == focus, theme);
            }
        }
        let foot = match &self.error {
            Some(e) => Line::styled(e.clone(), theme.accent()),
            None => {
                let hint = self.fields.get(focus).map_or("", |f| f.hint);
                let keys = "Tab next · Enter on the last field saves · Esc leaves";
                if hint.is_empty() {
                    Line::styled(keys, theme.dim())
                } else {
                    Line::styled(format!("{hint} · {keys}"), theme.dim())
                }
            }
        };
        if let Some(last) = parts.last() {
            frame.render_widget(Paragraph::new(foot).wrap(Wrap { trim: true }), *last);
        }
    }
}
