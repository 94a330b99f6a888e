//! `tend insights`: how reflections, commitments and repairs have gone, in counts, plain
//! numbers and one small chart per value. It describes; it never scores.

use std::process::ExitCode;

use anyhow::Result;
use chrono::Offset;
use clap::Args;
use tend_core::commitment::{Commitment, CommitmentState};
use tend_core::insights::{self, Insights as Summary, Period, Sources, ValueInsight};
use tend_core::pack::Scale;
use tend_core::repair::Repair;

use crate::context::Ctx;
use crate::failure::fail;
use crate::output::count_of;
use crate::output::{ACCENT, BOLD, DIM, paint};
use crate::say;

/// How your reflections, commitments and repairs have gone over time.
#[derive(Debug, Args)]
#[command(
    after_help = "Counts cover the whole period: all time, unless --since or --until \
say otherwise. The chart shows one mark per week: the weeks of the period, or the last 12 weeks \
when there is no --since (104 weeks at most). Commitments and repairs are those made or opened \
in the period, as they stand today."
)]
pub struct Insights {
    /// Only from this day on
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// Only up to this day [default: today]
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Print JSON
    #[arg(long)]
    json: bool,
}

/// The marks of the chart, lowest first.
const MARKS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];
/// The mark for a week without a rating.
const EMPTY: char = '·';

/// One mark per week: the week's mean rating placed on the scale.
pub fn sparkline(means: impl IntoIterator<Item = Option<f64>>, scale: &Scale) -> String {
    let (min, max) = (f64::from(scale.min), f64::from(scale.max));
    let top = (MARKS.len() - 1) as f64;
    means
        .into_iter()
        .map(|m| match m {
            None => EMPTY,
            Some(_) if max <= min => MARKS[MARKS.len() - 1],
            Some(m) => {
                let step = (((m - min) / (max - min)) * top).round().clamp(0.0, top);
                // `step` is a whole number from 0 to 7.
                #[allow(clippy::cast_possible_truncation, clippy::cast_sign_loss)]
                MARKS[step as usize]
            }
        })
        .collect()
}

fn value_line(v: &ValueInsight) -> String {
    if v.reflections == 0 {
        return "not named in this period".to_owned();
    }
    let mut line = format!(
        "named in {}",
        count_of(v.reflections, "reflection", "reflections")
    );
    if v.rated == 0 {
        line.push_str("; no ratings");
    } else {
        let spread: Vec<String> = v
            .ratings
            .iter()
            .filter(|r| r.count > 0)
            .map(|r| format!("{}×{}", r.rating, r.count))
            .collect();
        line.push_str(&format!("; ratings: {}", spread.join(", ")));
        if let Some(m) = v.mean {
            line.push_str(&format!("; mean {m:.1}"));
        }
    }
    if v.off_scale > 0 {
        line.push_str(&format!("; {} from an earlier scale left out", v.off_scale));
    }
    line
}

fn render(s: &Summary) {
    let period = match s.since {
        Some(since) => format!("{since} to {}", s.until),
        None => format!("all time, to {}", s.until),
    };
    say!("{}", paint(BOLD, format!("Insights · {period}")));
    say!(
        "{} in this period.",
        count_of(s.reflections, "reflection", "reflections")
    );
    say!("");
    let width = s.chart.weeks;
    for v in &s.values {
        let mut name = v.name.clone();
        if v.retired {
            name.push_str(" (retired)");
        } else if !v.in_pack {
            name.push_str(" (not in this pack)");
        }
        say!("{}", paint(ACCENT, name));
        say!("  {}", value_line(v));
        if v.weeks.iter().any(|w| w.mean.is_some()) {
            say!("  {}", sparkline(v.weeks.iter().map(|w| w.mean), &s.scale));
        }
    }
    if width > 0
        && s.values
            .iter()
            .any(|v| v.weeks.iter().any(|w| w.mean.is_some()))
    {
        let (lo, hi) = (s.scale.min, s.scale.max);
        say!("");
        say!(
            "{}",
            paint(
                DIM,
                format!(
                    "Chart: one mark per week, {} from {} to {}; {} is {lo} ({}), {} is {hi} ({}), {EMPTY} a week without a rating.",
                    count_of(width, "week", "weeks"),
                    s.chart.from,
                    s.chart.to,
                    MARKS[0],
                    s.scale.word(lo).unwrap_or(""),
                    MARKS[MARKS.len() - 1],
                    s.scale.word(hi).unwrap_or("")
                )
            )
        );
    }
    say!("");
    let c = &s.commitments;
    if c.total() == 0 {
        say!("Commitments: none made in this period.");
    } else {
        let states: Vec<String> = CommitmentState::ALL
            .iter()
            .map(|st| format!("{} {}", c.of(*st), st.word()))
            .collect();
        let mut line = format!("Commitments: {}", states.join(", "));
        if c.past_date > 0 {
            line.push_str(&format!(
                "; {} past {} date",
                c.past_date,
                if c.past_date == 1 { "its" } else { "their" }
            ));
        }
        say!("{line}.");
    }
    let r = &s.repairs;
    if r.open + r.closed == 0 {
        say!("Repairs: none opened in this period.");
    } else {
        let parts: Vec<String> = r
            .parts
            .iter()
            .map(|p| format!("{} in {}", p.heading, p.repairs))
            .collect();
        say!(
            "Repairs: {} open, {} closed; parts tended: {}.",
            r.open,
            r.closed,
            parts.join(", ")
        );
    }
}

impl Insights {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let since = ctx.opt_date(self.since.as_deref())?;
        let until = ctx.opt_date(self.until.as_deref())?;
        if let (Some(s), Some(u)) = (since, until)
            && s > u
        {
            return Err(fail(format!("--since {s} comes after --until {u}"))
                .hint("give the earlier day to --since")
                .into());
        }
        let journal = ctx.open()?;
        let pack = journal.pack()?;
        let entries = journal.entries()?;
        let commitments = journal.all::<Commitment>()?;
        let repairs = journal.all::<Repair>()?;
        let entry_list: Vec<_> = entries.records.into_iter().map(|(_, e)| e).collect();
        let commitment_list: Vec<Commitment> =
            commitments.records.into_iter().map(|(_, c)| c).collect();
        let repair_list: Vec<Repair> = repairs.records.into_iter().map(|(_, r)| r).collect();
        let offset = chrono::Local::now().offset().fix();
        let summary = insights::insights(
            Sources {
                entries: &entry_list,
                commitments: &commitment_list,
                repairs: &repair_list,
            },
            &pack,
            Period::new(since, until).with_offset(offset),
            ctx.today(),
        );
        if self.json {
            crate::output::print_json(&summary)?;
        } else {
            render(&summary);
        }
        use crate::handles::Names;
        use crate::output::warn_unopened;
        if !entries.damaged.is_empty() {
            let names = Names::of::<tend_core::reflection::Reflection>(&journal)?;
            warn_unopened(
                &names.handles(&entries.damaged),
                "reflection",
                "reflections",
            );
        }
        if !commitments.damaged.is_empty() {
            let names = Names::of::<Commitment>(&journal)?;
            warn_unopened(
                &names.handles(&commitments.damaged),
                "commitment",
                "commitments",
            );
        }
        if !repairs.damaged.is_empty() {
            let names = Names::of::<Repair>(&journal)?;
            warn_unopened(&names.handles(&repairs.damaged), "repair", "repairs");
        }
        super::done()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sparkline_places_means_on_the_scale() {
        let scale = Scale::default();
        let line = sparkline([Some(1.0), None, Some(3.0), Some(5.0), Some(4.4)], &scale);
        assert_eq!(line, "▁·▅█▇");
    }
}
