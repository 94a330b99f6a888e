//! Looking back: the journal newest first, filtered by value, tag and dates, searched as
//! you type. Only the index is read to list and filter; the texts are opened once, the
//! first time a search needs them, and kept for the session.

use std::collections::HashMap;

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph};
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Entry, Filter, Query, Reflection, sort_newest_first};
use tend_store::Journal;

use crate::app::{App, Tab};
use crate::field::{Field, Form};
use crate::ids::{self, Id};
use crate::modal::{Modal, Pending};
use crate::theme::Theme;

pub(crate) const HINTS: &str =
    "Enter open · / search · v t d filter · c clear · w write · e edit · ? keys";
pub(crate) const SEARCH_HINTS: &str =
    "Type to search texts, tags and notes · Enter keeps it · Esc clears it";

/// The journal list.
#[derive(Default)]
pub(crate) struct LookBack {
    /// Every entry, newest first.
    all: Vec<Entry>,
    /// Positions in `all` of the entries shown.
    shown: Vec<usize>,
    filter: Filter,
    value_at: Option<usize>,
    query: String,
    searching: bool,
    /// The texts, by id, once a search has needed them.
    texts: Option<HashMap<Id, Reflection>>,
    selected: usize,
    offset: usize,
    rows: usize,
    list_top: u16,
    damaged: usize,
    /// The reflections' ids and handles.
    pub(crate) names: tend_store::IdBook,
    pub(crate) error: Option<String>,
}

impl std::fmt::Debug for LookBack {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("LookBack")
            .field("entries", &self.all.len())
            .field("shown", &self.shown.len())
            .finish_non_exhaustive()
    }
}

impl LookBack {
    pub(crate) fn load(journal: &Journal) -> tend_store::Result<Self> {
        let mut me = Self::default();
        me.reload(journal)?;
        Ok(me)
    }

    /// Re-reads the index; keeps filters, search and the selected reflection.
    pub(crate) fn reload(&mut self, journal: &Journal) -> tend_store::Result<()> {
        let keep = self.selected_id();
        let scan = journal.entries()?;
        self.names = journal.ids::<Reflection>()?;
        self.damaged = scan.damaged.len();
        let mut all: Vec<Entry> = scan.records.into_iter().map(|(_, e)| e).collect();
        sort_newest_first(&mut all);
        self.all = all;
        self.texts = None;
        self.apply(journal);
        if let Some(id) = keep {
            self.select_id(id);
        }
        Ok(())
    }

    /// Every entry, newest first.
    pub(crate) fn entries(&self) -> &[Entry] {
        &self.all
    }

    pub(crate) fn is_searching(&self) -> bool {
        self.searching
    }

    pub(crate) fn has_search(&self) -> bool {
        !self.query.is_empty() || self.filter != Filter::default()
    }

    pub(crate) fn selected_id(&self) -> Option<Id> {
        self.shown
            .get(self.selected)
            .and_then(|i| self.all.get(*i))
            .map(ids::of)
    }

    pub(crate) fn select_id(&mut self, id: Id) {
        if let Some(pos) = self
            .shown
            .iter()
            .position(|i| self.all.get(*i).map(ids::of) == Some(id))
        {
            self.selected = pos;
        }
    }

    /// Recomputes what is shown from the filter and the search.
    fn apply(&mut self, journal: &Journal) {
        let query = Query::new(&[self.query.as_str()]);
        if !query.is_empty() && self.texts.is_none() {
            match journal.all::<Reflection>() {
                Ok(scan) => self.texts = Some(scan.records.into_iter().collect()),
                Err(e) => self.error = Some(format!("The texts could not be searched: {e}")),
            }
        }
        let texts = self.texts.as_ref();
        self.shown = self
            .all
            .iter()
            .enumerate()
            .filter(|(_, e)| self.filter.matches(e))
            .filter(|(_, e)| {
                query.is_empty()
                    || texts
                        .and_then(|t| t.get(&ids::of(e)))
                        .is_some_and(|r| query.matches(r))
            })
            .map(|(i, _)| i)
            .collect();
        self.selected = self.selected.min(self.shown.len().saturating_sub(1));
    }

    pub(crate) fn set_tag(&mut self, tag: &str, journal: &Journal) {
        let tag = tag.trim().trim_start_matches(['#', '@']).to_owned();
        self.filter.tags = if tag.is_empty() {
            Vec::new()
        } else {
            vec![tag]
        };
        self.selected = 0;
        self.apply(journal);
    }

    pub(crate) fn set_dates(
        &mut self,
        since: Option<chrono::NaiveDate>,
        until: Option<chrono::NaiveDate>,
        journal: &Journal,
    ) {
        self.filter.since = since;
        self.filter.until = until;
        self.selected = 0;
        self.apply(journal);
    }

    fn next_value(&mut self, pack: &ValuesPack, journal: &Journal) {
        let ids: Vec<&str> = pack.values.iter().map(|v| v.id.as_str()).collect();
        self.value_at = match self.value_at {
            None if !ids.is_empty() => Some(0),
            Some(i) if i + 1 < ids.len() => Some(i + 1),
            _ => None,
        };
        self.filter.values = self
            .value_at
            .and_then(|i| ids.get(i))
            .map(|v| vec![(*v).to_owned()])
            .unwrap_or_default();
        self.selected = 0;
        self.apply(journal);
    }

    fn clear(&mut self, journal: &Journal) {
        self.filter = Filter::default();
        self.value_at = None;
        self.query.clear();
        self.searching = false;
        self.apply(journal);
    }

    fn move_by(&mut self, delta: isize) {
        let last = self.shown.len().saturating_sub(1);
        self.selected = self.selected.saturating_add_signed(delta).min(last);
    }

    pub(crate) fn scroll(&mut self, down: bool, n: isize) {
        self.move_by(if down { n } else { -n });
    }

    pub(crate) fn click(&mut self, row: u16) {
        if row >= self.list_top {
            let at = self.offset + usize::from(row - self.list_top);
            if at < self.shown.len() {
                self.selected = at;
            }
        }
    }

    fn describe_filter(&self, pack: &ValuesPack) -> String {
        let mut parts = Vec::new();
        for v in &self.filter.values {
            let name = pack.value(v).map_or(v.as_str(), |v| v.name.as_str());
            parts.push(format!("value: {name}"));
        }
        for t in &self.filter.tags {
            parts.push(format!("tag: {t}"));
        }
        match (self.filter.since, self.filter.until) {
            (Some(s), Some(u)) => parts.push(format!("{s} to {u}")),
            (Some(s), None) => parts.push(format!("since {s}")),
            (None, Some(u)) => parts.push(format!("until {u}")),
            (None, None) => {}
        }
        if parts.is_empty() {
            "everything".to_owned()
        } else {
            parts.join(" · ")
        }
    }

    pub(crate) fn draw(
        &mut self,
        frame: &mut Frame<'_>,
        area: Rect,
        pack: &ValuesPack,
        theme: &Theme,
    ) {
        let [bar, list] =
            Layout::vertical([Constraint::Length(3), Constraint::Fill(1)]).areas(area);
        let search = if self.searching {
            Line::from(vec![
                Span::raw("Search: "),
                Span::styled(self.query.clone(), theme.accent()),
                Span::styled("▏", theme.dim()),
            ])
        } else if self.query.is_empty() {
            Line::styled("Search: press / to search as you type", theme.dim())
        } else {
            Line::from(vec![
                Span::raw("Search: "),
                Span::styled(self.query.clone(), theme.accent()),
            ])
        };
        let count = format!(
            "{} of {} reflections · showing {}",
            self.shown.len(),
            self.all.len(),
            self.describe_filter(pack)
        );
        let mut bar_lines = vec![search, Line::styled(count, theme.dim())];
        if self.damaged > 0 {
            bar_lines[1] = Line::styled(
                format!(
                    "{} · {} could not be opened (tend check says more)",
                    bar_lines[1], self.damaged
                ),
                theme.dim(),
            );
        }
        if let Some(e) = &self.error {
            bar_lines.push(Line::raw(e.clone()));
        }
        frame.render_widget(Paragraph::new(bar_lines), bar);

        let block = Block::default()
            .borders(Borders::TOP)
            .border_style(theme.border())
            .title(" Journal, newest first ");
        let inner = block.inner(list);
        frame.render_widget(block, list);
        self.list_top = inner.y;
        self.rows = usize::from(inner.height).max(1);
        // Only the rows on screen are built, so ten thousand reflections scroll as one.
        if self.selected < self.offset {
            self.offset = self.selected;
        } else if self.selected >= self.offset + self.rows {
            self.offset = self.selected + 1 - self.rows;
        }
        if self.shown.is_empty() {
            let text = if self.all.is_empty() {
                "Nothing here yet. Press w to write your first reflection."
            } else {
                "No reflection matches. Press c to clear the filters and the search."
            };
            frame.render_widget(Paragraph::new(Line::styled(text, theme.dim())), inner);
            return;
        }
        let width = usize::from(inner.width);
        let lines: Vec<Line<'_>> = self
            .shown
            .iter()
            .enumerate()
            .skip(self.offset)
            .take(self.rows)
            .filter_map(|(pos, i)| self.all.get(*i).map(|e| (pos, e)))
            .map(|(pos, e)| {
                let line = row(e, &self.names, pack, width);
                if pos == self.selected {
                    Line::styled(line, theme.selected())
                } else {
                    Line::raw(line)
                }
            })
            .collect();
        frame.render_widget(Paragraph::new(lines), inner);
    }
}

/// One line of the list: handle, day, values, then the first line or the content note.
fn row(e: &Entry, names: &tend_store::IdBook, pack: &ValuesPack, width: usize) -> String {
    let values: Vec<String> = e
        .values
        .iter()
        .map(|v| {
            let name = pack
                .value(&v.value)
                .map_or(v.value.as_str(), |p| p.name.as_str());
            match v.rating {
                Some(r) => format!("{name} {r}"),
                None => name.to_owned(),
            }
        })
        .collect();
    let title = match &e.content_note {
        Some(n) => format!("[content note: {n}]"),
        None => e.title.clone(),
    };
    let mut line = format!(" {:<4}  {}  ", ids::handle(names, ids::of(e)), e.on);
    if !values.is_empty() {
        line.push_str(&format!("[{}] ", values.join(", ")));
    }
    line.push_str(&title);
    if !e.tags.is_empty() {
        line.push_str(&format!("  #{}", e.tags.join(" #")));
    }
    tend_core::text::truncate(&line, width)
}

pub(crate) fn key(app: &mut App, key: KeyEvent) {
    let look = &mut app.look;
    if look.searching {
        match key.code {
            KeyCode::Esc => {
                look.query.clear();
                look.searching = false;
            }
            KeyCode::Enter => look.searching = false,
            KeyCode::Backspace => {
                look.query.pop();
            }
            KeyCode::Char('u') if key.modifiers.contains(KeyModifiers::CONTROL) => {
                look.query.clear();
            }
            KeyCode::Down => look.move_by(1),
            KeyCode::Up => look.move_by(-1),
            KeyCode::Char(c) if !key.modifiers.contains(KeyModifiers::CONTROL) => {
                look.query.push(c);
            }
            _ => return,
        }
        look.selected = if matches!(key.code, KeyCode::Down | KeyCode::Up) {
            look.selected
        } else {
            0
        };
        look.apply(&app.journal);
        return;
    }
    let page = look.rows.max(1) as isize;
    match key.code {
        KeyCode::Down | KeyCode::Char('j') => look.move_by(1),
        KeyCode::Up | KeyCode::Char('k') => look.move_by(-1),
        KeyCode::PageDown => look.move_by(page),
        KeyCode::PageUp => look.move_by(-page),
        KeyCode::Home | KeyCode::Char('g') => look.selected = 0,
        KeyCode::End | KeyCode::Char('G') => look.move_by(isize::MAX / 2),
        KeyCode::Char('/') => look.searching = true,
        KeyCode::Char('v') => look.next_value(&app.pack, &app.journal),
        KeyCode::Char('c') => look.clear(&app.journal),
        KeyCode::Esc => look.clear(&app.journal),
        KeyCode::Char('t') => {
            let now = look.filter.tags.first().cloned().unwrap_or_default();
            app.modal = Some(Modal::Form(
                Form::new(
                    "Filter by a tag",
                    vec![Field::new("Tag", &now, "leave empty for every tag")],
                ),
                Pending::TagFilter,
            ));
        }
        KeyCode::Char('d') => {
            let show = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            app.modal = Some(Modal::Form(
                Form::new(
                    "Filter by dates",
                    vec![
                        Field::new(
                            "Since",
                            &show(look.filter.since),
                            "2026-03-14, yesterday, 3 weeks ago, monday…",
                        ),
                        Field::new("Until", &show(look.filter.until), "leave empty for no end"),
                    ],
                ),
                Pending::DateFilter,
            ));
        }
        KeyCode::Char('w' | 'n') => app.switch(Tab::Write),
        KeyCode::Enter => {
            if let Some(id) = look.selected_id() {
                crate::reader::open(app, id);
            }
        }
        KeyCode::Char('e') => {
            if let Some(id) = look.selected_id() {
                crate::write::edit(app, id);
            }
        }
        KeyCode::Char('x') | KeyCode::Delete => {
            if let Some(id) = look.selected_id() {
                crate::reader::ask_delete(app, id);
            }
        }
        _ => {}
    }
}
