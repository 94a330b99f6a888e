//! Writing and editing a reflection in an editor inside tend: the text never touches a
//! file. Beside it, the chosen values' prompts as guidance; below, values with optional
//! ratings in the pack's own words, tags, a content note and the day.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers, MouseEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use ratatui_textarea::TextArea;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Reflection, ValueRating, normalise_tags};

use crate::app::{App, Tab};
use crate::field::Field;
use crate::ids::{self, Id};
use crate::modal::{Modal, Pending};
use crate::theme::Theme;

pub(crate) const HINTS: &str =
    "Ctrl-S save · Tab next part · Space choose a value · ←→ rate · Esc leave · F1";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    Text,
    Values,
    Date,
    Tags,
    Note,
}

const ORDER: [Part; 5] = [Part::Text, Part::Values, Part::Date, Part::Tags, Part::Note];

/// One value offered on the draft.
#[derive(Debug, Clone)]
struct Offered {
    id: String,
    chosen: bool,
    rating: Option<u8>,
}

/// A reflection being written or edited.
pub(crate) struct Draft {
    editing: Option<(Id, Reflection)>,
    /// The handle of the reflection being edited.
    editing_handle: String,
    text: TextArea<'static>,
    date: Field,
    tags: Field,
    note: Field,
    values: Vec<Offered>,
    at: usize,
    focus: Part,
    error: Option<String>,
    text_area: Rect,
}

impl std::fmt::Debug for Draft {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("editing", &self.editing.as_ref().map(|(id, _)| *id))
            .field("text", &"[private]")
            .finish_non_exhaustive()
    }
}

fn text_area(lines: Vec<String>) -> TextArea<'static> {
    let mut t = TextArea::new(lines);
    t.set_cursor_line_style(ratatui::style::Style::default());
    t.set_wrap_mode(ratatui_textarea::WrapMode::Word);
    t.set_placeholder_text("Write here. Every prompt is optional; write what is true for you.");
    t
}

impl Draft {
    pub(crate) fn new(pack: &ValuesPack, today: chrono::NaiveDate) -> Self {
        Self {
            editing: None,
            editing_handle: String::new(),
            text: text_area(vec![String::new()]),
            date: Field::new("Day", &today.to_string(), "2026-03-14, yesterday, monday…"),
            tags: Field::new("Tags", "", "words of your own, with commas between"),
            note: Field::new(
                "Content note",
                "",
                "shown in place of the text until you choose to read it",
            ),
            values: pack
                .active()
                .map(|v| Offered {
                    id: v.id.clone(),
                    chosen: false,
                    rating: None,
                })
                .collect(),
            at: 0,
            focus: Part::Text,
            error: None,
            text_area: Rect::default(),
        }
    }

    pub(crate) fn editing(pack: &ValuesPack, id: Id, handle: String, r: Reflection) -> Self {
        let mut d = Self::new(pack, r.on);
        d.text = text_area(r.text.lines().map(str::to_owned).collect());
        d.text.move_cursor(ratatui_textarea::CursorMove::Bottom);
        d.text.move_cursor(ratatui_textarea::CursorMove::End);
        d.tags.set(&r.tags.join(", "));
        d.note.set(r.content_note.as_deref().unwrap_or(""));
        for v in &r.values {
            match d.values.iter_mut().find(|o| o.id == v.value) {
                Some(o) => {
                    o.chosen = true;
                    o.rating = v.rating;
                }
                // A retired value stays on the reflection unless the member drops it.
                None => d.values.push(Offered {
                    id: v.value.clone(),
                    chosen: true,
                    rating: v.rating,
                }),
            }
        }
        d.editing = Some((id, r));
        d.editing_handle = handle;
        d
    }

    fn text(&self) -> String {
        self.text.lines().join("\n").trim().to_owned()
    }

    fn chosen(&self) -> Vec<ValueRating> {
        self.values
            .iter()
            .filter(|o| o.chosen)
            .map(|o| ValueRating::new(o.id.clone(), o.rating))
            .collect()
    }

    fn tags(&self) -> Vec<String> {
        normalise_tags(&self.tags.value().split(',').collect::<Vec<_>>())
    }

    fn content_note(&self) -> Option<String> {
        tend_core::text::non_empty(&self.note.value())
    }

    /// Whether leaving would lose something.
    pub(crate) fn is_dirty(&self, _pack: &ValuesPack) -> bool {
        match &self.editing {
            None => {
                !self.text().is_empty()
                    || !self.chosen().is_empty()
                    || !self.tags.value().is_empty()
                    || !self.note.value().is_empty()
            }
            Some((_, r)) => {
                self.text() != r.text.trim()
                    || self.chosen() != r.values
                    || self.tags() != r.tags
                    || self.content_note() != r.content_note
                    || self.date.value() != r.on.to_string()
            }
        }
    }

    pub(crate) fn paste(&mut self, text: &str) {
        if self.focus == Part::Text {
            self.text.insert_str(text);
        }
    }

    pub(crate) fn mouse(&mut self, mouse: MouseEvent) {
        let at = ratatui::layout::Position::new(mouse.column, mouse.row);
        if self.text_area.contains(at) {
            self.focus = Part::Text;
            self.text.input(mouse);
        }
    }

    fn step_rating(&mut self, pack: &ValuesPack, up: bool) {
        let Some(o) = self.values.get_mut(self.at) else {
            return;
        };
        let (min, max) = (pack.scale.min, pack.scale.max);
        o.rating = match (o.rating, up) {
            (None, true) => Some(min),
            (None, false) => Some(max),
            (Some(r), true) if r < max => Some(r + 1),
            (Some(r), false) if r > min => Some(r - 1),
            _ => None,
        };
        if o.rating.is_some() {
            o.chosen = true;
        }
    }

    /// Builds the reflection to save, or says what is missing.
    fn build(
        &self,
        app_today: chrono::NaiveDate,
        now: chrono::DateTime<chrono::Utc>,
    ) -> Result<Reflection, String> {
        let text = self.text();
        if text.is_empty() {
            return Err("The reflection is empty, so there is nothing to save yet.".into());
        }
        let on = tend_core::date::parse(&self.date.value(), app_today)
            .map_err(|e| format!("{e} ({})", tend_core::date::DateError::HINT))?;
        let mut r = match &self.editing {
            Some((_, before)) => before.clone(),
            None => Reflection::new(String::new(), on, now),
        };
        r.text = text;
        r.on = on;
        r.values = self.chosen();
        r.tags = self.tags();
        r.content_note = self.content_note();
        if self.editing.is_some() {
            r.edited = Some(now);
        }
        Ok(r)
    }

    pub(crate) fn draw(
        &mut self,
        frame: &mut Frame<'_>,
        area: Rect,
        pack: &ValuesPack,
        theme: &Theme,
    ) {
        let [fields, main, foot] = Layout::vertical([
            Constraint::Length(3),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(area);
        let [date, tags, note] = Layout::horizontal([
            Constraint::Length(16),
            Constraint::Fill(1),
            Constraint::Fill(1),
        ])
        .areas(fields);
        self.date.draw(frame, date, self.focus == Part::Date, theme);
        self.tags.draw(frame, tags, self.focus == Part::Tags, theme);
        self.note.draw(frame, note, self.focus == Part::Note, theme);

        let side = if area.width >= 110 { 48 } else { 34 };
        let [text, panel] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Length(side)]).areas(main);
        let title = match &self.editing {
            Some(_) => format!(" Editing reflection {} ", self.editing_handle),
            None => " Today's reflection ".to_owned(),
        };
        self.text.set_block(
            Block::default()
                .borders(Borders::ALL)
                .border_style(if self.focus == Part::Text {
                    theme.focus_border()
                } else {
                    theme.border()
                })
                .title(title),
        );
        self.text.set_cursor_style(if self.focus == Part::Text {
            theme.selected()
        } else {
            theme.text()
        });
        self.text.set_placeholder_style(theme.dim());
        self.text_area = text;
        frame.render_widget(&self.text, text);

        let rows = (self.values.len() as u16 + 2).min(panel.height / 2).max(3);
        let [vals, prompts] =
            Layout::vertical([Constraint::Length(rows), Constraint::Fill(1)]).areas(panel);
        let width = usize::from(vals.width.saturating_sub(2));
        let items: Vec<Line<'_>> = self
            .values
            .iter()
            .enumerate()
            .map(|(i, o)| {
                let name = pack.value(&o.id).map_or(o.id.as_str(), |v| v.name.as_str());
                let mark = if o.chosen { "[x]" } else { "[ ]" };
                let rating = match o.rating {
                    Some(r) => format!(" {r} {}", pack.scale.word(r).unwrap_or("")),
                    None if o.chosen => " (no rating)".to_owned(),
                    None => String::new(),
                };
                let text = tend_core::text::truncate(&format!("{mark} {name}{rating}"), width);
                if self.focus == Part::Values && i == self.at {
                    Line::styled(text, theme.selected())
                } else if o.chosen {
                    Line::styled(text, theme.accent())
                } else {
                    Line::raw(text)
                }
            })
            .collect();
        frame.render_widget(
            Paragraph::new(items).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(if self.focus == Part::Values {
                        theme.focus_border()
                    } else {
                        theme.border()
                    })
                    .title(" Values "),
            ),
            vals,
        );

        let chosen: Vec<&Offered> = self.values.iter().filter(|o| o.chosen).collect();
        let mut lines: Vec<Line<'_>> = Vec::new();
        let show: Vec<&tend_core::pack::Value> = if chosen.is_empty() {
            pack.active().collect()
        } else {
            chosen.iter().filter_map(|o| pack.value(&o.id)).collect()
        };
        for v in show {
            lines.push(Line::styled(v.name.clone(), theme.title()));
            for p in &v.prompts {
                lines.push(Line::from(vec![
                    Span::styled("· ", theme.dim()),
                    Span::raw(p.clone()),
                ]));
            }
        }
        frame.render_widget(
            Paragraph::new(lines).wrap(Wrap { trim: true }).block(
                Block::default()
                    .borders(Borders::ALL)
                    .border_style(theme.border())
                    .title(" Prompts, all optional "),
            ),
            prompts,
        );
        let foot_line = match &self.error {
            Some(e) => Line::styled(e.clone(), theme.accent()),
            None => {
                let scale: Vec<String> = (pack.scale.min..=pack.scale.max)
                    .map(|n| format!("{n} {}", pack.scale.word(n).unwrap_or("")))
                    .collect();
                Line::styled(format!("Ratings: {}", scale.join(" · ")), theme.dim())
            }
        };
        frame.render_widget(Paragraph::new(foot_line), foot);
    }
}

/// Opens reflection `id` in the editor.
pub(crate) fn edit(app: &mut App, id: Id) {
    if app.has_unsaved_draft() {
        app.tell("Another reflection is being written. Save it or leave it first (2 Write).");
        return;
    }
    match app.journal.get::<Reflection>(id) {
        Ok(r) => {
            let handle = ids::handle(&app.look.names, id);
            app.draft = Some(Draft::editing(&app.pack, id, handle, r));
            app.reader = None;
            app.switch(Tab::Write);
        }
        Err(e) => app.tell(format!("That reflection could not be opened: {e}")),
    }
}

fn save(app: &mut App) {
    let Some(draft) = &mut app.draft else {
        return;
    };
    let r = match draft.build(app.clock.today, app.clock.now) {
        Ok(r) => r,
        Err(e) => {
            draft.error = Some(e);
            return;
        }
    };
    let on = r.on;
    let result = match &draft.editing {
        Some((id, _)) => app.journal.put(*id, &r).map(|()| (*id, true)),
        None => app.journal.add(&r).map(|id| (id, false)),
    };
    match result {
        Ok((id, edited)) => {
            app.draft = None;
            app.reload_journal();
            app.look.select_id(id);
            app.switch(Tab::Journal);
            app.status = Some(if edited {
                format!("Updated reflection {}.", ids::handle(&app.look.names, id))
            } else {
                format!(
                    "Saved reflection {} for {on}.",
                    ids::handle(&app.look.names, id)
                )
            });
        }
        Err(e) => {
            draft.error = Some(format!(
                "It could not be saved, and your text is still here: {e}"
            ))
        }
    }
}

pub(crate) fn key(app: &mut App, key: KeyEvent) {
    let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
    if ctrl && key.code == KeyCode::Char('s') {
        save(app);
        return;
    }
    if key.code == KeyCode::F(1) {
        app.ask(Modal::Help(0));
        return;
    }
    let pack = app.pack.clone();
    let Some(draft) = &mut app.draft else {
        return;
    };
    draft.error = None;
    match key.code {
        KeyCode::Esc => {
            if draft.is_dirty(&pack) {
                app.ask(Modal::Confirm {
                    title: "Leave without saving?".into(),
                    lines: vec![
                        "What you wrote here is not saved.".into(),
                        "Leave, and keep nothing of it?".into(),
                    ],
                    then: Pending::LeaveDraft,
                });
            } else {
                app.draft = None;
                app.switch(Tab::Journal);
            }
            return;
        }
        KeyCode::Tab | KeyCode::BackTab => {
            let i = ORDER.iter().position(|p| *p == draft.focus).unwrap_or(0);
            let n = ORDER.len();
            let next = if key.code == KeyCode::Tab {
                i + 1
            } else {
                i + n - 1
            };
            draft.focus = ORDER[next % n];
            return;
        }
        _ => {}
    }
    match draft.focus {
        Part::Text => {
            draft.text.input(key);
        }
        Part::Date => {
            draft.date.key(key);
        }
        Part::Tags => {
            draft.tags.key(key);
        }
        Part::Note => {
            draft.note.key(key);
        }
        Part::Values => match key.code {
            KeyCode::Down | KeyCode::Char('j') => {
                draft.at = (draft.at + 1).min(draft.values.len().saturating_sub(1));
            }
            KeyCode::Up | KeyCode::Char('k') => draft.at = draft.at.saturating_sub(1),
            KeyCode::Char(' ') | KeyCode::Enter => {
                if let Some(o) = draft.values.get_mut(draft.at) {
                    o.chosen = !o.chosen;
                    if !o.chosen {
                        o.rating = None;
                    }
                }
            }
            KeyCode::Right | KeyCode::Char('l' | '+') => draft.step_rating(&pack, true),
            KeyCode::Left | KeyCode::Char('h' | '-') => draft.step_rating(&pack, false),
            KeyCode::Char(c) if c.is_ascii_digit() => {
                let n = c as u8 - b'0';
                if let Some(o) = draft.values.get_mut(draft.at) {
                    if pack.scale.contains(n) {
                        o.rating = Some(n);
                        o.chosen = true;
                    } else if n == 0 {
                        o.rating = None;
                    } else {
                        draft.error = Some(format!(
                            "{n} is not on this pack's scale, which runs from {} to {}.",
                            pack.scale.min, pack.scale.max
                        ));
                    }
                }
            }
            _ => {}
        },
    }
}
