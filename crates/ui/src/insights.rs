//! Insights: for each value, how its ratings are spread (a bar chart in the pack's own
//! words) and how the weekly mean has moved (a line chart), with commitments and repairs at
//! a glance. Neutral greys only, and nothing that scores a person: these are the member's
//! own ratings of their own weeks.

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::symbols::Marker;
use ratatui::text::Line;
use ratatui::widgets::{
    Axis, Bar, BarChart, BarGroup, Block, Borders, Chart, Dataset, GraphType, Paragraph, Wrap,
};
use tend_core::insights::{Insights, Period, Sources, insights};
use tend_core::pack::ValuesPack;

use crate::app::Clock;
use crate::care::Care;
use crate::look::LookBack;
use crate::theme::Theme;

pub(crate) const HINTS: &str = "←→ / h l another value · the last 12 weeks · ? keys · q leave";

/// The insights screen.
#[derive(Debug, Default)]
pub(crate) struct InsightsView {
    summary: Option<Insights>,
    at: usize,
}

impl InsightsView {
    pub(crate) fn refresh(
        &mut self,
        look: &LookBack,
        care: &Care,
        pack: &ValuesPack,
        clock: Clock,
    ) {
        let commitments: Vec<_> = care.commitments.iter().map(|(_, c)| c.clone()).collect();
        let repairs: Vec<_> = care.repairs.iter().map(|(_, r)| r.clone()).collect();
        let summary = insights(
            Sources {
                entries: look.entries(),
                commitments: &commitments,
                repairs: &repairs,
            },
            pack,
            Period::new(None, None).with_offset(clock.offset),
            clock.today,
        );
        self.at = self.at.min(summary.values.len().saturating_sub(1));
        self.summary = Some(summary);
    }

    pub(crate) fn key(&mut self, key: KeyEvent) {
        let n = self.summary.as_ref().map_or(0, |s| s.values.len());
        match key.code {
            KeyCode::Right | KeyCode::Char('l' | 'j') | KeyCode::Down => {
                self.at = (self.at + 1).min(n.saturating_sub(1));
            }
            KeyCode::Left | KeyCode::Char('h' | 'k') | KeyCode::Up => {
                self.at = self.at.saturating_sub(1);
            }
            _ => {}
        }
    }

    pub(crate) fn draw(&self, frame: &mut Frame<'_>, area: Rect, theme: &Theme) {
        let Some(s) = &self.summary else {
            return;
        };
        let [head, charts, legend, glance] = Layout::vertical([
            Constraint::Length(2),
            Constraint::Fill(1),
            Constraint::Length(1),
            Constraint::Length(3),
        ])
        .areas(area);
        let period = match s.since {
            Some(since) => format!("{since} to {}", s.until),
            None => format!("up to {}", s.until),
        };
        let names: Vec<String> = s
            .values
            .iter()
            .enumerate()
            .map(|(i, v)| {
                if i == self.at {
                    format!("[{}]", v.name)
                } else {
                    v.name.clone()
                }
            })
            .collect();
        frame.render_widget(
            Paragraph::new(vec![
                Line::styled(
                    format!(
                        "{} reflections {period} · your own ratings, scoring no one",
                        s.reflections
                    ),
                    theme.dim(),
                ),
                Line::raw(names.join("  ")),
            ])
            .wrap(Wrap { trim: true }),
            head,
        );

        match s.values.get(self.at) {
            None => frame.render_widget(
                Paragraph::new("No value has been named on a reflection yet. Write one, choose a value, and its ratings will show here.")
                    .wrap(Wrap { trim: true }),
                charts,
            ),
            Some(v) => {
                let [bars, line] =
                    Layout::horizontal([Constraint::Fill(2), Constraint::Fill(3)]).areas(charts);
                let slots = v.ratings.len().max(1) as u16;
                let inner_w = bars.width.saturating_sub(2);
                let width = (inner_w / slots).saturating_sub(1).clamp(1, 12);
                // The pack's words where they fit; the numbers (and the legend below) where not.
                let words_fit = v
                    .ratings
                    .iter()
                    .all(|r| r.word.chars().count() + 2 <= usize::from(width));
                let data: Vec<Bar<'_>> = v
                    .ratings
                    .iter()
                    .map(|r| {
                        let label = if words_fit {
                            format!("{} {}", r.rating, r.word)
                        } else {
                            r.rating.to_string()
                        };
                        Bar::default()
                            .value(r.count as u64)
                            .label(Line::raw(label))
                            .style(theme.bar())
                    })
                    .collect();
                let mean = v.mean.map(|m| format!(" · mean {m:.1}")).unwrap_or_default();
                let chart = BarChart::default()
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(theme.border())
                            .title(format!(" {} · {} of {} rated ", v.name, v.rated, v.reflections)),
                    )
                    .data(BarGroup::default().bars(&data))
                    .bar_width(width)
                    .bar_gap(1)
                    .value_style(theme.selected())
                    .label_style(theme.dim());
                frame.render_widget(chart, bars);

                let points: Vec<(f64, f64)> = v
                    .weeks
                    .iter()
                    .enumerate()
                    .filter_map(|(i, w)| w.mean.map(|m| (i as f64, m)))
                    .collect();
                let weeks = v.weeks.len().max(2) as f64 - 1.0;
                let first = v.weeks.first().map(|w| w.starts.format("%-d %b").to_string()).unwrap_or_default();
                let last = v.weeks.last().map(|w| w.starts.format("%-d %b").to_string()).unwrap_or_default();
                let (min, max) = (f64::from(s.scale.min), f64::from(s.scale.max));
                let datasets = vec![
                    Dataset::default()
                        .name("weekly mean")
                        .marker(Marker::Braille)
                        .graph_type(GraphType::Line)
                        .style(theme.line())
                        .data(&points),
                    Dataset::default()
                        .marker(Marker::Dot)
                        .graph_type(GraphType::Scatter)
                        .style(theme.line())
                        .data(&points),
                ];
                let chart = Chart::new(datasets)
                    .block(
                        Block::default()
                            .borders(Borders::ALL)
                            .border_style(theme.border())
                            .title(format!(" Week by week{mean} ")),
                    )
                    .x_axis(
                        Axis::default()
                            .bounds([0.0, weeks])
                            .labels(vec![Line::raw(first), Line::raw(last)])
                            .style(theme.dim()),
                    )
                    .y_axis(
                        Axis::default()
                            .bounds([min, max])
                            .labels(vec![Line::raw(format!("{min}")), Line::raw(format!("{max}"))])
                            .style(theme.dim()),
                    )
                    .legend_position(None);
                frame.render_widget(chart, line);
            }
        }

        let words: Vec<String> = (s.scale.min..=s.scale.max)
            .map(|n| format!("{n} {}", s.scale.word(n).unwrap_or("")))
            .collect();
        frame.render_widget(
            Paragraph::new(Line::styled(
                format!("Ratings: {}", words.join(" · ")),
                theme.dim(),
            )),
            legend,
        );
        let c = &s.commitments;
        let r = &s.repairs;
        let parts: Vec<String> = r
            .parts
            .iter()
            .map(|p| format!("{} {}", p.part.word(), p.repairs))
            .collect();
        frame.render_widget(
            Paragraph::new(vec![
                Line::raw(format!(
                    "Commitments: {} open · {} kept · {} renegotiated · {} released · {} past their date",
                    c.open, c.kept, c.renegotiated, c.released, c.past_date
                )),
                Line::raw(format!(
                    "Repairs: {} open · {} closed · steps: {}",
                    r.open,
                    r.closed,
                    parts.join(" · ")
                )),
            ])
            .wrap(Wrap { trim: true })
            .block(Block::default().borders(Borders::TOP).border_style(theme.border()).title(" At a glance ")),
            glance,
        );
    }
}
