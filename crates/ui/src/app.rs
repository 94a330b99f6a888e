//! The interface's state and its one loop step: a key (or mouse event) in, a frame out.
//! Screens live in their own modules; this file holds what they share and routes to them.

use chrono::{DateTime, FixedOffset, Local, NaiveDate, Utc};
use ratatui::Frame;
use ratatui::crossterm::event::{
    Event, KeyCode, KeyEvent, KeyEventKind, KeyModifiers, MouseButton, MouseEvent, MouseEventKind,
};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Paragraph, Tabs};
use tend_core::pack::ValuesPack;
use tend_store::Journal;

use crate::care::Care;
use crate::error::Result;
use crate::field::FormDone;
use crate::insights::InsightsView;
use crate::look::LookBack;
use crate::modal::{self, Modal, Pending};
use crate::reader::Reader;
use crate::share::ShareView;
use crate::theme::Theme;
use crate::write::Draft;

/// One "now" for a session: when records are stamped, and what day "today" is.
#[derive(Debug, Clone, Copy)]
pub struct Clock {
    pub(crate) now: DateTime<Utc>,
    pub(crate) today: NaiveDate,
    pub(crate) offset: FixedOffset,
    fixed: bool,
}

impl Clock {
    /// The machine's clock and time zone, read afresh for each record.
    pub fn local() -> Self {
        let local = Local::now();
        Self {
            now: local.with_timezone(&Utc),
            today: local.date_naive(),
            offset: *local.offset(),
            fixed: false,
        }
    }

    /// A clock that never moves (tests, snapshots, benchmarks).
    pub fn fixed(now: DateTime<Utc>, today: NaiveDate) -> Self {
        Self {
            now,
            today,
            offset: FixedOffset::east_opt(0).unwrap_or_else(|| *Local::now().offset()),
            fixed: true,
        }
    }

    pub(crate) fn tick(&mut self) {
        if !self.fixed {
            *self = Self::local();
        }
    }
}

/// The screens along the top.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Tab {
    /// The journal, newest first: look back, search, open, edit, delete.
    Journal,
    /// Today's reflection (or the one being edited).
    Write,
    /// Commitments and repairs.
    Care,
    /// Ratings over time, per value.
    Insights,
    /// A contribution for a retreat: the exact preview, and consent.
    Share,
}

impl Tab {
    const ALL: [Tab; 5] = [
        Tab::Journal,
        Tab::Write,
        Tab::Care,
        Tab::Insights,
        Tab::Share,
    ];

    fn title(self) -> &'static str {
        match self {
            Tab::Journal => "1 Journal",
            Tab::Write => "2 Write",
            Tab::Care => "3 Commitments & repairs",
            Tab::Insights => "4 Insights",
            Tab::Share => "5 Share",
        }
    }

    fn index(self) -> usize {
        Self::ALL.iter().position(|t| *t == self).unwrap_or(0)
    }
}

/// The whole interface over one unlocked journal.
pub struct App {
    pub(crate) journal: Journal,
    pub(crate) pack: ValuesPack,
    pub(crate) clock: Clock,
    pub(crate) theme: Theme,
    tab: Tab,
    pub(crate) look: LookBack,
    pub(crate) reader: Option<Reader>,
    pub(crate) draft: Option<Draft>,
    pub(crate) care: Care,
    pub(crate) insights: InsightsView,
    pub(crate) share: ShareView,
    pub(crate) modal: Option<Modal>,
    pub(crate) status: Option<String>,
    tabs_area: Rect,
    pub(crate) body_area: Rect,
    quit: bool,
}

impl std::fmt::Debug for App {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("App")
            .field("tab", &self.tab)
            .finish_non_exhaustive()
    }
}

impl App {
    /// Reads what the first screen needs (the values pack and the journal's index: never
    /// the texts) and opens on the journal, newest first.
    pub fn new(journal: Journal, clock: Clock, theme: Theme) -> Result<Self> {
        let pack = journal.pack()?;
        let look = LookBack::load(&journal)?;
        Ok(Self {
            journal,
            pack,
            clock,
            theme,
            tab: Tab::Journal,
            look,
            reader: None,
            draft: None,
            care: Care::default(),
            insights: InsightsView::default(),
            share: ShareView::default(),
            modal: None,
            status: None,
            tabs_area: Rect::default(),
            body_area: Rect::default(),
            quit: false,
        })
    }

    /// Whether the person chose to leave.
    pub fn should_quit(&self) -> bool {
        self.quit
    }

    /// The screen shown.
    pub fn tab(&self) -> Tab {
        self.tab
    }

    /// Whether a draft holds words that are not saved.
    pub fn has_unsaved_draft(&self) -> bool {
        self.draft.as_ref().is_some_and(|d| d.is_dirty(&self.pack))
    }

    /// Takes one terminal event.
    pub fn handle(&mut self, event: Event) {
        match event {
            Event::Key(key) if key.kind != KeyEventKind::Release => self.key(key),
            Event::Mouse(mouse) => self.mouse(mouse),
            Event::Paste(text) => {
                if self.tab == Tab::Write
                    && self.modal.is_none()
                    && let Some(d) = &mut self.draft
                {
                    d.paste(&text);
                }
            }
            _ => {}
        }
    }

    /// Takes one key press.
    pub fn key(&mut self, key: KeyEvent) {
        self.clock.tick();
        // A status line is read once: the next key clears it.
        self.status = None;
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        if ctrl && key.code == KeyCode::Char('c') && self.modal.is_none() {
            self.ask_to_quit();
            return;
        }
        if let Some(m) = self.modal.take() {
            self.modal_key(m, key);
            return;
        }
        // Screens that are typing take every key first.
        let typing = match self.tab {
            Tab::Write => self.draft.is_some(),
            Tab::Journal => self.reader.is_none() && self.look.is_searching(),
            _ => false,
        };
        if typing {
            self.screen_key(key);
            return;
        }
        match key.code {
            KeyCode::Char('?') => self.modal = Some(Modal::Help(0)),
            KeyCode::Char(c @ '1'..='5') => {
                let i = usize::from(c as u8 - b'1');
                self.switch(Tab::ALL[i]);
            }
            KeyCode::Tab => self.switch(Tab::ALL[(self.tab.index() + 1) % Tab::ALL.len()]),
            KeyCode::BackTab => {
                self.switch(Tab::ALL[(self.tab.index() + Tab::ALL.len() - 1) % Tab::ALL.len()]);
            }
            KeyCode::Char('q') | KeyCode::Esc if self.at_top() => self.ask_to_quit(),
            _ => self.screen_key(key),
        }
    }

    fn at_top(&self) -> bool {
        match self.tab {
            Tab::Journal => self.reader.is_none() && !self.look.has_search(),
            Tab::Share => !self.share.has_preview(),
            _ => true,
        }
    }

    fn ask_to_quit(&mut self) {
        if self.has_unsaved_draft() {
            self.modal = Some(Modal::Confirm {
                title: "Leave tend?".into(),
                lines: vec![
                    "The reflection you are writing is not saved.".into(),
                    "Leave anyway? Nothing of it will be kept.".into(),
                ],
                then: Pending::QuitWithDraft,
            });
        } else {
            self.quit = true;
        }
    }

    pub(crate) fn switch(&mut self, tab: Tab) {
        self.tab = tab;
        match tab {
            Tab::Write if self.draft.is_none() => {
                self.draft = Some(Draft::new(&self.pack, self.clock.today));
            }
            Tab::Care => self.load_care(),
            Tab::Insights => {
                self.load_care();
                self.insights
                    .refresh(&self.look, &self.care, &self.pack, self.clock);
            }
            _ => {}
        }
    }

    pub(crate) fn load_care(&mut self) {
        if let Err(e) = self.care.load(&self.journal) {
            self.tell(format!("Commitments and repairs could not be read: {e}"));
        }
    }

    /// Shows a message until the next key.
    pub(crate) fn tell(&mut self, message: impl Into<String>) {
        self.modal = Some(Modal::Message(message.into()));
    }

    pub(crate) fn ask(&mut self, modal: Modal) {
        self.modal = Some(modal);
    }

    fn modal_key(&mut self, modal: Modal, key: KeyEvent) {
        match modal {
            Modal::Help(offset) => match key.code {
                KeyCode::Down | KeyCode::Char('j') => {
                    let max = crate::help::KEYS.len().saturating_sub(1);
                    self.modal = Some(Modal::Help((offset + 1).min(max)));
                }
                KeyCode::Up | KeyCode::Char('k') => {
                    self.modal = Some(Modal::Help(offset.saturating_sub(1)));
                }
                _ => {}
            },
            Modal::Message(_) => {}
            Modal::Confirm { title, lines, then } => match key.code {
                KeyCode::Char('y' | 'Y') => self.confirmed(then),
                KeyCode::Char('n' | 'N') | KeyCode::Esc => self.declined(&then),
                _ => self.modal = Some(Modal::Confirm { title, lines, then }),
            },
            Modal::Form(mut form, then) => match form.key(key) {
                FormDone::Open => self.modal = Some(Modal::Form(form, then)),
                FormDone::Cancelled => {
                    if then == Pending::ShareForm {
                        self.share.remember(&form);
                    }
                }
                FormDone::Submitted => {
                    if let Err(message) = self.submitted(&form, &then) {
                        form.error = Some(message);
                        self.modal.get_or_insert(Modal::Form(form, then));
                    }
                }
            },
        }
    }

    fn confirmed(&mut self, then: Pending) {
        match then {
            Pending::DeleteReflection(id) => self.delete_reflection(id),
            Pending::LeaveDraft => {
                self.draft = None;
                self.status = Some("Left the draft; nothing of it was kept.".into());
                self.tab = Tab::Journal;
            }
            Pending::QuitWithDraft => {
                self.draft = None;
                self.quit = true;
            }
            _ => {}
        }
    }

    fn declined(&mut self, then: &Pending) {
        if let Pending::DeleteReflection(id) = then {
            let handle = crate::ids::handle(&self.look.names, *id);
            self.status = Some(format!("Kept reflection {handle}."));
        }
    }

    /// Carries out a submitted form; an `Err` is shown in the form, which stays open.
    fn submitted(&mut self, form: &crate::field::Form, then: &Pending) -> Result<(), String> {
        match then {
            Pending::TagFilter => {
                self.look.set_tag(&form.value(0), &self.journal);
                Ok(())
            }
            Pending::DateFilter => {
                let today = self.clock.today;
                let read = |s: String| -> Result<Option<NaiveDate>, String> {
                    if s.is_empty() {
                        return Ok(None);
                    }
                    tend_core::date::parse(&s, today)
                        .map(Some)
                        .map_err(|e| format!("{e} ({})", tend_core::date::DateError::HINT))
                };
                let since = read(form.value(0))?;
                let until = read(form.value(1))?;
                self.look.set_dates(since, until, &self.journal);
                Ok(())
            }
            Pending::KeepCommitment(id)
            | Pending::Renegotiate(id)
            | Pending::Release(id)
            | Pending::RepairStep(id)
            | Pending::CloseRepair(id) => {
                let said = crate::care::carry_out(self, then, *id, form)?;
                self.status = Some(said);
                Ok(())
            }
            Pending::ShareForm => {
                self.share.remember(form);
                crate::share::prepare(self)
            }
            _ => Ok(()),
        }
    }

    fn delete_reflection(&mut self, id: crate::ids::Id) {
        let handle = crate::ids::handle(&self.look.names, id);
        match self.journal.delete::<tend_core::reflection::Reflection>(id) {
            Ok(()) => {
                self.reader = None;
                self.reload_journal();
                self.status = Some(format!("Deleted reflection {handle}."));
            }
            Err(e) => self.tell(format!("That reflection could not be deleted: {e}")),
        }
    }

    /// Re-reads the index after a change, keeping filters, search and place.
    pub(crate) fn reload_journal(&mut self) {
        if let Err(e) = self.look.reload(&self.journal) {
            self.tell(format!("The journal could not be read again: {e}"));
        }
    }

    fn screen_key(&mut self, key: KeyEvent) {
        match self.tab {
            Tab::Journal => {
                if self.reader.is_some() {
                    crate::reader::key(self, key);
                } else {
                    crate::look::key(self, key);
                }
            }
            Tab::Write => crate::write::key(self, key),
            Tab::Care => crate::care::key(self, key),
            Tab::Insights => self.insights.key(key),
            Tab::Share => crate::share::key(self, key),
        }
    }

    fn mouse(&mut self, mouse: MouseEvent) {
        if self.modal.is_some() {
            return;
        }
        let at = ratatui::layout::Position::new(mouse.column, mouse.row);
        match mouse.kind {
            MouseEventKind::Down(MouseButton::Left) if self.tabs_area.contains(at) => {
                // Each title is its own width plus the divider.
                let mut x = self.tabs_area.x + 1;
                for tab in Tab::ALL {
                    let w = tab.title().chars().count() as u16 + 3;
                    if mouse.column < x + w {
                        if self.tab != Tab::Write || !self.has_unsaved_draft() {
                            self.switch(tab);
                        }
                        return;
                    }
                    x += w;
                }
            }
            MouseEventKind::ScrollDown | MouseEventKind::ScrollUp => {
                let down = mouse.kind == MouseEventKind::ScrollDown;
                match self.tab {
                    Tab::Journal if self.reader.is_none() => self.look.scroll(down, 3),
                    Tab::Journal => {
                        if let Some(r) = &mut self.reader {
                            r.scroll(down);
                        }
                    }
                    Tab::Care => self.care.scroll(down),
                    Tab::Write => {
                        if let Some(d) = &mut self.draft {
                            d.mouse(mouse);
                        }
                    }
                    _ => {}
                }
            }
            MouseEventKind::Down(MouseButton::Left) if self.body_area.contains(at) => {
                match self.tab {
                    Tab::Journal if self.reader.is_none() => self.look.click(mouse.row),
                    Tab::Write => {
                        if let Some(d) = &mut self.draft {
                            d.mouse(mouse);
                        }
                    }
                    _ => {}
                }
            }
            _ => {}
        }
    }

    /// Draws the whole screen.
    pub fn draw(&mut self, frame: &mut Frame<'_>) {
        let [top, body, foot] = Layout::vertical([
            Constraint::Length(1),
            Constraint::Fill(1),
            Constraint::Length(1),
        ])
        .areas(frame.area());
        self.tabs_area = top;
        self.body_area = body;
        let tabs = Tabs::new(Tab::ALL.iter().map(|t| t.title()))
            .select(self.tab.index())
            .style(self.theme.dim())
            .highlight_style(self.theme.selected())
            .divider("│");
        frame.render_widget(tabs, top);

        match self.tab {
            Tab::Journal => match &mut self.reader {
                Some(r) => r.draw(frame, body, &self.pack, &self.theme),
                None => self.look.draw(frame, body, &self.pack, &self.theme),
            },
            Tab::Write => {
                if let Some(d) = &mut self.draft {
                    d.draw(frame, body, &self.pack, &self.theme);
                }
            }
            Tab::Care => self.care.draw(frame, body, self.clock.today, &self.theme),
            Tab::Insights => self.insights.draw(frame, body, &self.theme),
            Tab::Share => self.share.draw(frame, body, &self.theme),
        }

        let hints = match self.tab {
            Tab::Journal if self.reader.is_some() => crate::reader::HINTS,
            Tab::Journal if self.look.is_searching() => crate::look::SEARCH_HINTS,
            Tab::Journal => crate::look::HINTS,
            Tab::Write => crate::write::HINTS,
            Tab::Care => crate::care::HINTS,
            Tab::Insights => crate::insights::HINTS,
            Tab::Share => crate::share::HINTS,
        };
        let line = match &self.status {
            Some(s) => Line::from(vec![
                Span::styled(s.clone(), self.theme.accent()),
                Span::styled("  ·  ? keys", self.theme.dim()),
            ]),
            None => Line::styled(hints, self.theme.dim()),
        };
        frame.render_widget(Paragraph::new(line), foot);

        match &mut self.modal {
            None => {}
            Some(Modal::Help(offset)) => modal::draw_help(frame, &self.theme, *offset),
            Some(Modal::Confirm { title, lines, .. }) => {
                modal::draw_confirm(frame, &self.theme, title, lines);
            }
            Some(Modal::Form(form, _)) => form.draw(frame, &self.theme),
            Some(Modal::Message(m)) => modal::draw_message(frame, &self.theme, m),
        }
    }
}
