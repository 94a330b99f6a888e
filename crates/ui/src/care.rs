//! Commitments and repairs: see them, mark a commitment kept, renegotiated or released
//! with the note each needs, add repair steps and close a repair. The rules are
//! tend-core's own (`Commitment::keep`, `Repair::step`…), so they match the CLI's.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Paragraph, Wrap};
use tend_core::commitment::{Commitment, CommitmentError};
use tend_core::repair::{Repair, RepairPart};
use tend_store::Journal;

use crate::app::App;
use crate::field::{Field, Form};
use crate::ids::{self, Id};
use crate::modal::{Modal, Pending};
use crate::theme::Theme;

pub(crate) const HINTS: &str =
    "←→ side · x kept · n renegotiate · r release · a repair step · c close · ? keys";

#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
enum Side {
    #[default]
    Commitments,
    Repairs,
}

/// The commitments and repairs, as last read.
#[derive(Debug, Default)]
pub(crate) struct Care {
    pub(crate) commitments: Vec<(Id, Commitment)>,
    pub(crate) repairs: Vec<(Id, Repair)>,
    side: Side,
    at_commitment: usize,
    at_repair: usize,
    damaged: usize,
    /// The commitments' ids and handles.
    pub(crate) commitment_names: tend_store::IdBook,
    /// The repairs' ids and handles.
    pub(crate) repair_names: tend_store::IdBook,
}

impl Care {
    pub(crate) fn load(&mut self, journal: &Journal) -> tend_store::Result<()> {
        let c = journal.all::<Commitment>()?;
        let r = journal.all::<Repair>()?;
        self.damaged = c.damaged.len() + r.damaged.len();
        self.commitment_names = journal.ids::<Commitment>()?;
        self.repair_names = journal.ids::<Repair>()?;
        let mut commitments = c.records;
        // Carried ones first, soonest date first; then the rest.
        commitments.sort_by_key(|(id, c)| (!c.state.is_active(), c.due.is_none(), c.due, *id));
        let mut repairs = r.records;
        repairs.sort_by_key(|(id, r)| (!r.is_open(), std::cmp::Reverse(r.opened), *id));
        self.commitments = commitments;
        self.repairs = repairs;
        self.at_commitment = self
            .at_commitment
            .min(self.commitments.len().saturating_sub(1));
        self.at_repair = self.at_repair.min(self.repairs.len().saturating_sub(1));
        Ok(())
    }

    pub(crate) fn scroll(&mut self, down: bool) {
        let (at, len) = match self.side {
            Side::Commitments => (&mut self.at_commitment, self.commitments.len()),
            Side::Repairs => (&mut self.at_repair, self.repairs.len()),
        };
        *at = if down {
            (*at + 1).min(len.saturating_sub(1))
        } else {
            at.saturating_sub(1)
        };
    }

    fn commitment(&self) -> Option<&(Id, Commitment)> {
        self.commitments.get(self.at_commitment)
    }

    fn repair(&self) -> Option<&(Id, Repair)> {
        self.repairs.get(self.at_repair)
    }

    pub(crate) fn draw(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        today: chrono::NaiveDate,
        theme: &Theme,
    ) {
        let [left, right] =
            Layout::horizontal([Constraint::Fill(1), Constraint::Fill(1)]).areas(area);
        self.draw_commitments(frame, left, today, theme);
        self.draw_repairs(frame, right, theme);
    }

    fn block<'a>(&self, title: &'a str, side: Side, theme: &Theme) -> Block<'a> {
        Block::default()
            .borders(Borders::ALL)
            .border_style(if self.side == side {
                theme.focus_border()
            } else {
                theme.border()
            })
            .title(title)
    }

    fn draw_commitments(
        &self,
        frame: &mut Frame<'_>,
        area: Rect,
        today: chrono::NaiveDate,
        theme: &Theme,
    ) {
        let block = self.block(" Commitments ", Side::Commitments, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
        let width = usize::from(list.width);
        let mut lines: Vec<Line<'_>> = Vec::new();
        if self.commitments.is_empty() {
            lines.push(Line::styled(
                "No commitments yet. `tend commit add` makes one.",
                theme.dim(),
            ));
        }
        for (i, (id, c)) in self.commitments.iter().enumerate() {
            let due = match c.due {
                Some(d) if c.is_past_date(today) => format!("{} passed · ", d.format("%-d %b")),
                Some(d) => format!("by {} · ", d.format("%-d %b")),
                None => String::new(),
            };
            let text = tend_core::text::truncate(
                &format!(
                    "{:<4} {} · {due}{}",
                    ids::handle(&self.commitment_names, *id),
                    c.state.word(),
                    c.text
                ),
                width,
            );
            lines.push(
                if self.side == Side::Commitments && i == self.at_commitment {
                    Line::styled(text, theme.selected())
                } else if c.state.is_active() {
                    Line::raw(text)
                } else {
                    Line::styled(text, theme.dim())
                },
            );
        }
        let skip = self
            .at_commitment
            .saturating_sub(usize::from(list.height).saturating_sub(1));
        frame.render_widget(Paragraph::new(lines).scroll((skip as u16, 0)), list);

        let mut d: Vec<Line<'_>> = Vec::new();
        if let Some((_, c)) = self.commitment() {
            d.push(Line::styled(c.text.clone(), theme.title()));
            for e in &c.history {
                let mut s = format!("{} {}", e.at.format("%-d %b %Y"), e.state.word());
                if let Some(t) = &e.previous_text {
                    s.push_str(&format!(" (was: {t})"));
                }
                if let Some(p) = e.previous_due {
                    s.push_str(&format!(" (was due {p})"));
                }
                if let Some(n) = &e.note {
                    s.push_str(&format!(": {n}"));
                }
                d.push(Line::from(vec![
                    Span::styled("· ", theme.dim()),
                    Span::raw(s),
                ]));
            }
        }
        frame.render_widget(
            Paragraph::new(d).wrap(Wrap { trim: true }).block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.border()),
            ),
            detail,
        );
    }

    fn draw_repairs(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let block = self.block(" Repairs ", Side::Repairs, theme);
        let inner = block.inner(area);
        frame.render_widget(block, area);
        let [list, detail] =
            Layout::vertical([Constraint::Fill(1), Constraint::Fill(1)]).areas(inner);
        let width = usize::from(list.width);
        let mut lines: Vec<Line<'_>> = Vec::new();
        if self.repairs.is_empty() {
            lines.push(Line::styled(
                "No repairs yet. `tend repair open` opens one.",
                theme.dim(),
            ));
        }
        for (i, (id, r)) in self.repairs.iter().enumerate() {
            let marks: String = RepairPart::ALL
                .iter()
                .map(|p| if r.tended().contains(p) { '◆' } else { '◇' })
                .collect();
            let state = if r.is_open() { "open" } else { "closed" };
            let what = match &r.content_note {
                Some(n) => format!("[content note: {n}]"),
                None => r.text.clone(),
            };
            let text = tend_core::text::truncate(
                &format!(
                    "{:<4} {state} {marks} {what}",
                    ids::handle(&self.repair_names, *id)
                ),
                width,
            );
            lines.push(if self.side == Side::Repairs && i == self.at_repair {
                Line::styled(text, theme.selected())
            } else if r.is_open() {
                Line::raw(text)
            } else {
                Line::styled(text, theme.dim())
            });
        }
        let skip = self
            .at_repair
            .saturating_sub(usize::from(list.height).saturating_sub(1));
        frame.render_widget(Paragraph::new(lines).scroll((skip as u16, 0)), list);

        let mut d: Vec<Line<'_>> = Vec::new();
        if let Some((_, r)) = self.repair() {
            d.push(Line::styled(
                r.content_note
                    .as_ref()
                    .map_or_else(|| r.text.clone(), |n| format!("[content note: {n}]")),
                theme.title(),
            ));
            if let Some(a) = &r.affected {
                d.push(Line::styled(format!("with {a}"), theme.dim()));
            }
            for p in RepairPart::ALL {
                let steps: Vec<&str> = r
                    .steps
                    .iter()
                    .filter(|s| s.part == p)
                    .map(|s| s.note.as_str())
                    .collect();
                let mark = if steps.is_empty() { "◇" } else { "◆" };
                d.push(Line::raw(format!(
                    "{mark} {}: {}",
                    p.heading(),
                    steps.join("; ")
                )));
            }
            if let Some(c) = &r.closed {
                d.push(Line::styled(
                    format!("closed {}: {}", c.at.format("%-d %b %Y"), c.note),
                    theme.dim(),
                ));
            }
        } else if self.damaged > 0 {
            d.push(Line::raw(format!(
                "{} could not be opened; `tend check` says more.",
                self.damaged
            )));
        }
        frame.render_widget(
            Paragraph::new(d).wrap(Wrap { trim: true }).block(
                Block::default()
                    .borders(Borders::TOP)
                    .border_style(theme.border()),
            ),
            detail,
        );
    }
}

fn note_form(title: String, hint: &'static str) -> Form {
    Form::new(title, vec![Field::new("Note", "", hint)])
}

pub(crate) fn key(app: &mut App, key: KeyEvent) {
    let care = &mut app.care;
    match key.code {
        KeyCode::Left | KeyCode::Char('h') => care.side = Side::Commitments,
        KeyCode::Right | KeyCode::Char('l') => care.side = Side::Repairs,
        KeyCode::Down | KeyCode::Char('j') => care.scroll(true),
        KeyCode::Up | KeyCode::Char('k') => care.scroll(false),
        KeyCode::Char('x') => {
            if let Some((id, c)) = care.commitment() {
                let form = note_form(
                    format!("Kept: {}", c.text),
                    "optional: a few words on how it went",
                );
                app.modal = Some(Modal::Form(form, Pending::KeepCommitment(*id)));
            }
        }
        KeyCode::Char('n') => {
            if let Some((id, c)) = care.commitment() {
                let due = c.due.map(|d| d.to_string()).unwrap_or_default();
                let form = Form::new(
                    "Renegotiate",
                    vec![
                        Field::new("Its words", &c.text, "change the words, the date, or both"),
                        Field::new(
                            "By when",
                            &due,
                            "a date, or words like next friday, in 2 weeks",
                        ),
                        Field::new("Note", "", "needed: a few words on what changed"),
                    ],
                );
                app.modal = Some(Modal::Form(form, Pending::Renegotiate(*id)));
            }
        }
        KeyCode::Char('r') => {
            if let Some((id, c)) = care.commitment() {
                let form = note_form(
                    format!("Release: {}", c.text),
                    "needed: why it is being let go",
                );
                app.modal = Some(Modal::Form(form, Pending::Release(*id)));
            }
        }
        KeyCode::Char('a') => {
            if let Some((id, r)) = care.repair() {
                let next = RepairPart::ALL
                    .into_iter()
                    .find(|p| !r.tended().contains(p))
                    .unwrap_or(RepairPart::Change);
                let form = Form::new(
                    "A repair step",
                    vec![
                        Field::new("Part", next.word(), "reflection, apology, repair or change"),
                        Field::new("Note", "", "needed: what was done or noticed"),
                    ],
                );
                app.modal = Some(Modal::Form(form, Pending::RepairStep(*id)));
            }
        }
        KeyCode::Char('c') => {
            if let Some((id, _)) = care.repair() {
                let form = note_form(
                    "Close this repair".into(),
                    "needed: a few words on where it rests",
                );
                app.modal = Some(Modal::Form(form, Pending::CloseRepair(*id)));
            }
        }
        _ => {}
    }
}

fn commitment_error(e: CommitmentError) -> String {
    match e {
        CommitmentError::NothingChanged => {
            "A renegotiation needs new words or a new date.".to_owned()
        }
        other => capitalise(&other.to_string()),
    }
}

fn capitalise(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect::<String>())
        .unwrap_or_default()
}

/// Carries out a commitment or repair form; returns what to tell the member.
pub(crate) fn carry_out(
    app: &mut App,
    what: &Pending,
    id: Id,
    form: &Form,
) -> Result<String, String> {
    let now = app.clock.now;
    let handle = match what {
        Pending::RepairStep(_) | Pending::CloseRepair(_) => ids::handle(&app.care.repair_names, id),
        _ => ids::handle(&app.care.commitment_names, id),
    };
    let said = match what {
        Pending::KeepCommitment(_) | Pending::Renegotiate(_) | Pending::Release(_) => {
            let mut c: Commitment = app.journal.get(id).map_err(|e| e.to_string())?;
            let said = match what {
                Pending::KeepCommitment(_) => {
                    let note = form.value(0);
                    c.keep(Some(&note), now).map_err(commitment_error)?;
                    format!("Marked commitment {handle} kept.")
                }
                Pending::Renegotiate(_) => {
                    let due = match form.value(1) {
                        s if s.is_empty() => None,
                        s => {
                            Some(tend_core::date::parse(&s, app.clock.today).map_err(|e| {
                                format!("{e} ({})", tend_core::date::DateError::HINT)
                            })?)
                        }
                    };
                    c.renegotiate(Some(&form.value(0)), due, &form.value(2), now)
                        .map_err(commitment_error)?;
                    format!("Renegotiated commitment {handle}.")
                }
                _ => {
                    c.release(&form.value(0), now).map_err(commitment_error)?;
                    format!("Released commitment {handle}.")
                }
            };
            app.journal.put(id, &c).map_err(|e| e.to_string())?;
            said
        }
        Pending::RepairStep(_) | Pending::CloseRepair(_) => {
            let mut r: Repair = app.journal.get(id).map_err(|e| e.to_string())?;
            let said = if matches!(what, Pending::RepairStep(_)) {
                let typed = form.value(0);
                let part = RepairPart::parse(&typed).ok_or_else(|| {
                    format!("{typed:?} is not a part of repair: say reflection, apology, repair or change.")
                })?;
                r.step(part, &form.value(1), now)
                    .map_err(|e| capitalise(&e.to_string()))?;
                format!("Added a {} step to repair {handle}.", part.heading())
            } else {
                r.close(&form.value(0), now)
                    .map_err(|e| capitalise(&e.to_string()))?;
                format!("Closed repair {handle}.")
            };
            app.journal.put(id, &r).map_err(|e| e.to_string())?;
            said
        }
        _ => return Ok(String::new()),
    };
    app.load_care();
    Ok(said)
}
