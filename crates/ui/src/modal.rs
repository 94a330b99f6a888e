//! What floats over a screen: the keys, a yes-or-no question, a small form, a message.

use ratatui::Frame;
use ratatui::layout::Constraint;
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Cell, Clear, Paragraph, Row, Table, TableState, Wrap};

use crate::field::Form;
use crate::ids::Id;
use crate::theme::Theme;

/// What a question or form is for, so its answer can be carried out.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Pending {
    DeleteReflection(Id),
    LeaveDraft,
    QuitWithDraft,
    KeepCommitment(Id),
    Renegotiate(Id),
    Release(Id),
    RepairStep(Id),
    CloseRepair(Id),
    TagFilter,
    DateFilter,
    ShareForm,
}

/// One thing over the screen.
#[derive(Debug)]
pub(crate) enum Modal {
    Help(usize),
    Confirm {
        title: String,
        lines: Vec<String>,
        then: Pending,
    },
    Form(Form, Pending),
    Message(String),
}

pub(crate) fn draw_confirm(frame: &mut Frame<'_>, theme: &Theme, title: &str, lines: &[String]) {
    let width = frame.area().width.saturating_sub(4).min(70);
    let height = (lines.len() as u16 + 5).min(frame.area().height);
    let area = crate::unlock::centered(frame.area(), width, height);
    frame.render_widget(Clear, area);
    let mut text: Vec<Line<'_>> = lines.iter().map(|l| Line::raw(l.clone())).collect();
    text.push(Line::raw(""));
    text.push(Line::from(vec![
        Span::styled("y", theme.accent()),
        Span::raw(" yes   "),
        Span::styled("n", theme.accent()),
        Span::raw(" / Esc no"),
    ]));
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus_border())
        .title(format!(" {title} "));
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

pub(crate) fn draw_message(frame: &mut Frame<'_>, theme: &Theme, message: &str) {
    let width = frame.area().width.saturating_sub(4).min(70);
    let area = crate::unlock::centered(frame.area(), width, 6);
    frame.render_widget(Clear, area);
    let block = Block::default()
        .borders(Borders::ALL)
        .border_style(theme.focus_border());
    let text = vec![
        Line::raw(message.to_owned()),
        Line::raw(""),
        Line::styled("Any key goes on.", theme.dim()),
    ];
    frame.render_widget(
        Paragraph::new(text).block(block).wrap(Wrap { trim: true }),
        area,
    );
}

pub(crate) fn draw_help(frame: &mut Frame<'_>, theme: &Theme, offset: usize) {
    let area = frame.area();
    let width = area.width.saturating_sub(2).min(96);
    let height = area.height.saturating_sub(2);
    let area = crate::unlock::centered(area, width, height);
    frame.render_widget(Clear, area);
    let rows = crate::help::KEYS.iter().map(|(place, keys, what)| {
        Row::new(vec![
            Cell::from(Span::styled(*place, theme.dim())),
            Cell::from(Span::styled(*keys, theme.accent())),
            Cell::from(*what),
        ])
    });
    let table = Table::new(
        rows,
        [
            Constraint::Length(16),
            Constraint::Length(15),
            Constraint::Fill(1),
        ],
    )
    .block(
        Block::default()
            .borders(Borders::ALL)
            .border_style(theme.focus_border())
            .title(" Keys · ↑↓ scroll · any other key closes "),
    );
    let mut state = TableState::default().with_offset(offset);
    frame.render_stateful_widget(table, area, &mut state);
}
