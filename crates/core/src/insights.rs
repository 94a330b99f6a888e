//! Insights: how a member's reflections, commitments and repairs have gone over a period.
//!
//! Everything here describes and nothing ranks: counts, the spread of alignment ratings on
//! the pack's own scale, a plain mean, and one point per week for a small chart. There is no
//! score, no streak and no "good" or "bad" — a week without a reflection is only that.

use chrono::{DateTime, Datelike, Days, FixedOffset, NaiveDate, Offset, Utc};
use serde::Serialize;

use crate::commitment::{Commitment, CommitmentState};
use crate::pack::{Scale, ValuesPack};
use crate::reflection::Entry;
use crate::repair::{Repair, RepairPart};

/// How many weeks the chart covers when the period has no start.
pub const CHART_WEEKS: u64 = 12;

/// The most weeks a chart covers; a longer period charts its latest weeks.
pub const MAX_CHART_WEEKS: u64 = 104;

/// Which days insights are about. Both ends are included; either may be open.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    /// The first day, if any.
    pub since: Option<NaiveDate>,
    /// The last day, if any.
    pub until: Option<NaiveDate>,
    /// The member's offset from UTC, so a commitment made late in the evening belongs to
    /// the day it was made on where the member lives.
    pub offset: FixedOffset,
}

impl Default for Period {
    /// All time, in UTC.
    fn default() -> Self {
        Self::new(None, None)
    }
}

impl Period {
    /// A period between two optional days, in UTC.
    pub fn new(since: Option<NaiveDate>, until: Option<NaiveDate>) -> Self {
        Self {
            since,
            until,
            offset: Utc.fix(),
        }
    }

    /// The same period, with days read at this offset from UTC.
    #[must_use]
    pub fn with_offset(mut self, offset: FixedOffset) -> Self {
        self.offset = offset;
        self
    }

    /// Whether `day` falls in the period.
    pub fn contains(&self, day: NaiveDate) -> bool {
        self.since.is_none_or(|s| day >= s) && self.until.is_none_or(|u| day <= u)
    }

    fn contains_instant(&self, at: DateTime<Utc>) -> bool {
        self.contains(at.with_timezone(&self.offset).date_naive())
    }
}

/// What a period of journaling looks like, in counts and plain numbers.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Insights {
    /// The period's first day, if it has one.
    pub since: Option<NaiveDate>,
    /// The period's last day: the one asked for, or today.
    pub until: NaiveDate,
    /// Reflections written about days in the period.
    pub reflections: usize,
    /// The pack's rating scale, so the numbers can be read in its words.
    pub scale: Scale,
    /// The weeks the charts cover.
    pub chart: ChartRange,
    /// One summary per value: the pack's values in its order, then any others the
    /// reflections name (retired values, or ids the pack no longer holds).
    pub values: Vec<ValueInsight>,
    /// Commitments made in the period, by where they stand today.
    pub commitments: CommitmentCounts,
    /// Repairs opened in the period, and the parts they have tended.
    pub repairs: RepairCounts,
}

/// The weeks a chart covers: ISO weeks, Monday to Sunday.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct ChartRange {
    /// The Monday the first week starts on.
    pub from: NaiveDate,
    /// The last day charted.
    pub to: NaiveDate,
    /// How many weeks that is.
    pub weeks: usize,
}

/// One value over the period.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueInsight {
    /// The value's id.
    pub id: String,
    /// Its name in the pack (its id, if the pack no longer holds it).
    pub name: String,
    /// Whether the pack has retired it.
    pub retired: bool,
    /// Whether the pack holds it at all.
    pub in_pack: bool,
    /// How many reflections named it.
    pub reflections: usize,
    /// How many of those gave it a rating on the pack's scale.
    pub rated: usize,
    /// How many ratings fell on each step of the scale, lowest first.
    pub ratings: Vec<RatingCount>,
    /// Ratings no longer on the scale (it changed since); left out of the numbers above.
    pub off_scale: usize,
    /// The mean rating, to one decimal place, if there was any rating.
    pub mean: Option<f64>,
    /// One point per week of the chart, oldest first.
    pub weeks: Vec<WeekPoint>,
}

/// How often one step of the scale was chosen.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingCount {
    /// The step.
    pub rating: u8,
    /// Its word in the pack.
    pub word: String,
    /// How many reflections chose it.
    pub count: usize,
}

/// One week of a value's chart.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct WeekPoint {
    /// The ISO week, such as `2026-W09`.
    pub week: String,
    /// The Monday it starts on.
    pub starts: NaiveDate,
    /// How many ratings it holds.
    pub rated: usize,
    /// Their mean, to one decimal place; `None` for a week without ratings.
    pub mean: Option<f64>,
}

/// Commitments by where they stand.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct CommitmentCounts {
    /// Made, not yet kept.
    pub open: usize,
    /// Kept.
    pub kept: usize,
    /// Renegotiated, still being carried.
    pub renegotiated: usize,
    /// Let go, with a reason.
    pub released: usize,
    /// Of the open and renegotiated ones, how many are past their date.
    pub past_date: usize,
}

impl CommitmentCounts {
    /// How many commitments there are in all.
    pub fn total(&self) -> usize {
        self.open + self.kept + self.renegotiated + self.released
    }

    /// The count for one state.
    pub fn of(&self, state: CommitmentState) -> usize {
        match state {
            CommitmentState::Open => self.open,
            CommitmentState::Kept => self.kept,
            CommitmentState::Renegotiated => self.renegotiated,
            CommitmentState::Released => self.released,
        }
    }
}

/// Repairs: open or closed, and which parts of accountability they have tended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairCounts {
    /// Still open.
    pub open: usize,
    /// Closed by the member.
    pub closed: usize,
    /// For each of the four parts, in the usual order: how many repairs tended it at least
    /// once.
    pub parts: Vec<PartCount>,
}

/// How many repairs tended one part.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartCount {
    /// The part.
    pub part: RepairPart,
    /// Its heading, such as "changed behaviour".
    pub heading: &'static str,
    /// How many repairs tended it.
    pub repairs: usize,
}

/// Everything insights are drawn from.
#[derive(Debug, Clone, Copy)]
pub struct Sources<'a> {
    /// Every reflection's index entry (the period is applied here).
    pub entries: &'a [Entry],
    /// Every commitment.
    pub commitments: &'a [Commitment],
    /// Every repair.
    pub repairs: &'a [Repair],
}

/// Draws insights for `period` from `sources`, read against `pack`. `today` ends a period
/// that has no end, and decides which commitments are past their date.
pub fn insights(
    sources: Sources<'_>,
    pack: &ValuesPack,
    period: Period,
    today: NaiveDate,
) -> Insights {
    let until = period.until.unwrap_or(today);
    let entries: Vec<&Entry> = sources
        .entries
        .iter()
        .filter(|e| period.contains(e.on))
        .collect();
    let chart = chart_range(period.since, until);
    Insights {
        since: period.since,
        until,
        reflections: entries.len(),
        scale: pack.scale.clone(),
        chart,
        values: value_ids(pack, &entries)
            .into_iter()
            .map(|id| value_insight(pack, &id, &entries, chart))
            .collect(),
        commitments: commitment_counts(sources.commitments, period, today),
        repairs: repair_counts(sources.repairs, period),
    }
}

fn monday(day: NaiveDate) -> NaiveDate {
    day.checked_sub_days(Days::new(day.weekday().num_days_from_monday().into()))
        .unwrap_or(day)
}

fn chart_range(since: Option<NaiveDate>, until: NaiveDate) -> ChartRange {
    let last = monday(until);
    let back = |weeks: u64| {
        last.checked_sub_days(Days::new((weeks - 1) * 7))
            .unwrap_or(NaiveDate::MIN)
    };
    let earliest = back(MAX_CHART_WEEKS);
    let from = match since {
        Some(s) => monday(s).max(earliest),
        None => back(CHART_WEEKS),
    };
    let weeks = if from > until {
        0
    } else {
        usize::try_from((last - from).num_days() / 7 + 1).unwrap_or(0)
    };
    ChartRange {
        from,
        to: until,
        weeks,
    }
}

/// The pack's active values, then the retired or unknown values the entries name, each
/// once, in the pack's order and then in the order first met.
fn value_ids(pack: &ValuesPack, entries: &[&Entry]) -> Vec<String> {
    let named = |id: &str| {
        entries
            .iter()
            .any(|e| e.values.iter().any(|v| v.value == id))
    };
    let mut ids: Vec<String> = pack
        .values
        .iter()
        .filter(|v| !v.retired || named(&v.id))
        .map(|v| v.id.clone())
        .collect();
    for e in entries {
        for v in &e.values {
            if pack.value(&v.value).is_none() && !ids.contains(&v.value) {
                ids.push(v.value.clone());
            }
        }
    }
    ids
}

fn mean1(sum: u64, n: usize) -> Option<f64> {
    if n == 0 {
        return None;
    }
    // Counts and sums of small ratings are far below 2^52, so these casts are exact.
    #[allow(clippy::cast_precision_loss)]
    let mean = sum as f64 / n as f64;
    Some((mean * 10.0).round() / 10.0)
}

fn value_insight(
    pack: &ValuesPack,
    id: &str,
    entries: &[&Entry],
    chart: ChartRange,
) -> ValueInsight {
    let scale = &pack.scale;
    let mut counts = vec![0usize; scale.points()];
    let mut week_sums = vec![(0u64, 0usize); chart.weeks];
    let (mut reflections, mut off_scale, mut sum) = (0, 0, 0u64);
    for e in entries {
        // A value named twice on one reflection counts once, with its first rating.
        let Some(named) = e.values.iter().find(|v| v.value == id) else {
            continue;
        };
        reflections += 1;
        let Some(rating) = named.rating else { continue };
        if !scale.contains(rating) {
            off_scale += 1;
            continue;
        }
        counts[usize::from(rating - scale.min)] += 1;
        sum += u64::from(rating);
        if e.on >= chart.from && e.on <= chart.to {
            let week = usize::try_from((e.on - chart.from).num_days() / 7).unwrap_or(usize::MAX);
            if let Some(slot) = week_sums.get_mut(week) {
                slot.0 += u64::from(rating);
                slot.1 += 1;
            }
        }
    }
    let rated: usize = counts.iter().sum();
    let value = pack.value(id);
    ValueInsight {
        id: id.to_owned(),
        name: value.map_or_else(|| id.to_owned(), |v| v.name.clone()),
        retired: value.is_some_and(|v| v.retired),
        in_pack: value.is_some(),
        reflections,
        rated,
        ratings: (scale.min..=scale.max)
            .zip(counts)
            .map(|(rating, count)| RatingCount {
                rating,
                word: scale.word(rating).unwrap_or_default().to_owned(),
                count,
            })
            .collect(),
        off_scale,
        mean: mean1(sum, rated),
        weeks: week_sums
            .into_iter()
            .enumerate()
            .map(|(i, (sum, n))| {
                let starts = chart
                    .from
                    .checked_add_days(Days::new(u64::try_from(i).unwrap_or(0) * 7))
                    .unwrap_or(NaiveDate::MAX);
                let iso = starts.iso_week();
                WeekPoint {
                    week: format!("{}-W{:02}", iso.year(), iso.week()),
                    starts,
                    rated: n,
                    mean: mean1(sum, n),
                }
            })
            .collect(),
    }
}

fn commitment_counts(
    commitments: &[Commitment],
    period: Period,
    today: NaiveDate,
) -> CommitmentCounts {
    let mut counts = CommitmentCounts::default();
    for c in commitments {
        if !c.made().is_some_and(|at| period.contains_instant(at)) {
            continue;
        }
        match c.state {
            CommitmentState::Open => counts.open += 1,
            CommitmentState::Kept => counts.kept += 1,
            CommitmentState::Renegotiated => counts.renegotiated += 1,
            CommitmentState::Released => counts.released += 1,
        }
        if c.is_past_date(today) {
            counts.past_date += 1;
        }
    }
    counts
}

fn repair_counts(repairs: &[Repair], period: Period) -> RepairCounts {
    let in_period: Vec<&Repair> = repairs
        .iter()
        .filter(|r| period.contains_instant(r.opened))
        .collect();
    let open = in_period.iter().filter(|r| r.is_open()).count();
    RepairCounts {
        open,
        closed: in_period.len() - open,
        parts: RepairPart::ALL
            .into_iter()
            .map(|part| PartCount {
                part,
                heading: part.heading(),
                repairs: in_period
                    .iter()
                    .filter(|r| r.tended().contains(&part))
                    .count(),
            })
            .collect(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::reflection::ValueRating;
    use chrono::TimeZone;

    fn day(m: u32, d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, m, d).expect("date")
    }

    fn at(m: u32, d: u32, h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, m, d, h, 0, 0)
            .single()
            .expect("time")
    }

    fn entry(id: u64, on: NaiveDate, values: &[(&str, Option<u8>)]) -> Entry {
        Entry {
            id,
            on,
            written: at(1, 1, 0),
            values: values
                .iter()
                .map(|(v, r)| ValueRating::new(*v, *r))
                .collect(),
            tags: Vec::new(),
            content_note: None,
            title: String::new(),
        }
    }

    fn run(entries: &[Entry], period: Period, today: NaiveDate) -> Insights {
        let sources = Sources {
            entries,
            commitments: &[],
            repairs: &[],
        };
        insights(sources, &ValuesPack::default_pack(), period, today)
    }

    #[test]
    fn insights_count_values_ratings_and_means() {
        // 2026-03-02 is a Monday.
        let entries = [
            entry(1, day(3, 2), &[("equity", Some(2)), ("repair", None)]),
            entry(2, day(3, 4), &[("equity", Some(4))]),
            entry(3, day(3, 10), &[("equity", Some(3)), ("equity", Some(5))]),
            entry(4, day(3, 16), &[("transparency", None)]),
        ];
        let i = run(&entries, Period::default(), day(3, 20));
        assert_eq!(i.reflections, 4);
        let ids: Vec<&str> = i.values.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["equity", "transparency", "repair", "anti-oppression"]);
        let equity = &i.values[0];
        assert_eq!(equity.reflections, 3);
        assert_eq!(equity.rated, 3);
        let counts: Vec<usize> = equity.ratings.iter().map(|r| r.count).collect();
        assert_eq!(counts, [0, 1, 1, 1, 0]);
        assert_eq!(equity.ratings[1].word, "a little");
        assert_eq!(equity.mean, Some(3.0));
        assert_eq!(i.values[2].reflections, 1);
        assert_eq!(i.values[2].mean, None);
        assert_eq!(i.values[3].reflections, 0);

        // No start: the last twelve weeks, ending in the week of today.
        assert_eq!(i.chart.weeks, 12);
        assert_eq!(i.chart.to, day(3, 20));
        let weeks = &equity.weeks;
        assert_eq!(weeks.len(), 12);
        assert_eq!(weeks[11].week, "2026-W12");
        assert_eq!(weeks[11].starts, day(3, 16));
        assert_eq!(weeks[11].mean, None);
        assert_eq!(weeks[10].mean, Some(3.0));
        assert_eq!((weeks[9].rated, weeks[9].mean), (2, Some(3.0)));
    }

    #[test]
    fn insights_keep_to_the_period() {
        let entries = [
            entry(1, day(1, 5), &[("equity", Some(1))]),
            entry(2, day(2, 5), &[("equity", Some(4))]),
            entry(3, day(3, 5), &[("equity", Some(5))]),
        ];
        let period = Period::new(Some(day(2, 1)), Some(day(2, 28)));
        let i = run(&entries, period, day(6, 1));
        assert_eq!(i.reflections, 1);
        assert_eq!(i.values[0].mean, Some(4.0));
        assert_eq!(i.until, day(2, 28));
        // From the Monday of 1 February's week (26 January) to the week of 28 February.
        assert_eq!(i.chart.from, day(1, 26));
        assert_eq!(i.chart.weeks, 5);
        assert_eq!(i.values[0].weeks[1].mean, Some(4.0));
    }

    #[test]
    fn a_long_period_charts_its_latest_weeks() {
        let i = run(
            &[],
            Period::new(Some(day(1, 1) - Days::new(3650)), None),
            day(3, 20),
        );
        assert_eq!(
            i.chart.weeks,
            usize::try_from(MAX_CHART_WEEKS).expect("small")
        );
        assert_eq!(i.values[0].weeks.last().map(|w| w.starts), Some(day(3, 16)));
        // A start after the end charts nothing, and says so by having no weeks.
        let i = run(&[], Period::new(Some(day(4, 1)), None), day(3, 20));
        assert_eq!(i.chart.weeks, 0);
    }

    #[test]
    fn retired_and_unknown_values_appear_only_when_named() {
        let mut pack = ValuesPack::default_pack();
        pack.retire("repair").expect("retire");
        let entries = [entry(
            1,
            day(3, 2),
            &[("gone", Some(9)), ("equity", Some(9))],
        )];
        let sources = Sources {
            entries: &entries,
            commitments: &[],
            repairs: &[],
        };
        let i = insights(sources, &pack, Period::default(), day(3, 3));
        let ids: Vec<&str> = i.values.iter().map(|v| v.id.as_str()).collect();
        assert_eq!(ids, ["equity", "transparency", "anti-oppression", "gone"]);
        let gone = &i.values[3];
        assert!(!gone.in_pack);
        assert_eq!((gone.reflections, gone.rated, gone.off_scale), (1, 0, 1));
        assert_eq!(
            i.values[0].mean, None,
            "a rating off the scale is not averaged"
        );

        let entries = [entry(1, day(3, 2), &[("repair", Some(2))])];
        let sources = Sources {
            entries: &entries,
            commitments: &[],
            repairs: &[],
        };
        let i = insights(sources, &pack, Period::default(), day(3, 3));
        let repair = i.values.iter().find(|v| v.id == "repair").expect("named");
        assert!(repair.retired && repair.in_pack);
        assert_eq!(i.values[2].id, "repair", "in the pack's order");
    }

    #[test]
    fn means_have_one_decimal() {
        let entries = [
            entry(1, day(3, 2), &[("equity", Some(1))]),
            entry(2, day(3, 3), &[("equity", Some(2))]),
            entry(3, day(3, 4), &[("equity", Some(2))]),
        ];
        let i = run(&entries, Period::default(), day(3, 4));
        assert_eq!(i.values[0].mean, Some(1.7));
    }

    #[test]
    fn commitments_and_repairs_as_they_stand() {
        let mut kept = Commitment::new("a", vec![], None, at(3, 1, 9));
        kept.keep(None, at(3, 2, 9)).expect("keep");
        let past = Commitment::new("b", vec![], Some(day(3, 5)), at(3, 1, 9));
        let mut renegotiated = Commitment::new("c", vec![], Some(day(3, 5)), at(3, 1, 9));
        renegotiated
            .renegotiate(None, Some(day(4, 1)), "more time", at(3, 3, 9))
            .expect("renegotiate");
        let mut released = Commitment::new("d", vec![], Some(day(3, 1)), at(3, 1, 9));
        released.release("not mine", at(3, 2, 9)).expect("release");
        let earlier = Commitment::new("e", vec![], None, at(1, 1, 9));
        let commitments = [kept, past, renegotiated, released, earlier];

        let mut both = Repair::open("x", vec![], None, at(3, 1, 9));
        both.step(RepairPart::Reflection, "noticed", at(3, 2, 9))
            .expect("step");
        both.step(RepairPart::Change, "new habit", at(3, 3, 9))
            .expect("step");
        both.step(RepairPart::Change, "again", at(3, 4, 9))
            .expect("step");
        both.close("done for now", at(3, 5, 9)).expect("close");
        let fresh = Repair::open("y", vec![], None, at(3, 2, 9));
        let repairs = [both, fresh];

        let sources = Sources {
            entries: &[],
            commitments: &commitments,
            repairs: &repairs,
        };
        let period = Period::new(Some(day(2, 1)), None);
        let i = insights(sources, &ValuesPack::default_pack(), period, day(3, 10));
        let c = i.commitments;
        assert_eq!((c.open, c.kept, c.renegotiated, c.released), (1, 1, 1, 1));
        assert_eq!(c.past_date, 1, "only the open one whose date went by");
        assert_eq!(c.total(), 4);
        assert_eq!((i.repairs.open, i.repairs.closed), (1, 1));
        let parts: Vec<usize> = i.repairs.parts.iter().map(|p| p.repairs).collect();
        assert_eq!(parts, [1, 0, 0, 1], "a part tended twice counts once");
        assert_eq!(i.repairs.parts[3].heading, "changed behaviour");
    }

    #[test]
    fn the_day_is_read_where_the_member_lives() {
        // 23:30 UTC on 28 February is already 1 March two hours east.
        let c = Commitment::new(
            "late",
            vec![],
            None,
            Utc.with_ymd_and_hms(2026, 2, 28, 23, 30, 0)
                .single()
                .expect("time"),
        );
        let commitments = [c];
        let sources = Sources {
            entries: &[],
            commitments: &commitments,
            repairs: &[],
        };
        let march = Period::new(Some(day(3, 1)), None);
        let pack = ValuesPack::default_pack();
        assert_eq!(
            insights(sources, &pack, march, day(3, 2)).commitments.open,
            0
        );
        let east = FixedOffset::east_opt(2 * 3600).expect("offset");
        assert_eq!(
            insights(sources, &pack, march.with_offset(east), day(3, 2))
                .commitments
                .open,
            1
        );
    }

    #[test]
    fn insights_serialize_plainly() {
        let entries = [entry(1, day(3, 2), &[("equity", Some(4))])];
        let json = serde_json::to_value(run(&entries, Period::default(), day(3, 2))).expect("json");
        assert_eq!(json["values"][0]["mean"], 4.0);
        assert_eq!(json["values"][0]["ratings"][3]["count"], 1);
        assert_eq!(json["commitments"]["past_date"], 0);
        assert_eq!(json["repairs"]["parts"][0]["part"], "reflection");
        assert!(json["since"].is_null());
    }

    mod props {
        use super::*;
        use proptest::prelude::*;

        fn arb_entry() -> impl Strategy<Value = Entry> {
            let value = prop::sample::select(vec!["equity", "transparency", "repair", "gone"]);
            (
                0u64..400,
                0u64..200,
                prop::collection::vec((value, prop::option::of(0u8..8)), 0..4),
            )
                .prop_map(|(id, offset, values)| {
                    let on = day(1, 1) + Days::new(offset);
                    let values: Vec<(&str, Option<u8>)> = values;
                    entry(id, on, &values)
                })
        }

        proptest! {
            #[test]
            fn insights_numbers_add_up(
                entries in prop::collection::vec(arb_entry(), 0..60),
                since in prop::option::of(0u64..200),
                until in prop::option::of(0u64..200),
                today in 0u64..260,
            ) {
                let d = |o: u64| day(1, 1) + Days::new(o);
                let period = Period::new(since.map(d), until.map(d));
                let i = run(&entries, period, d(today));
                let in_period = entries.iter().filter(|e| period.contains(e.on)).count();
                prop_assert_eq!(i.reflections, in_period);
                for v in &i.values {
                    let spread: usize = v.ratings.iter().map(|r| r.count).sum();
                    prop_assert_eq!(spread, v.rated);
                    prop_assert!(v.rated + v.off_scale <= v.reflections);
                    prop_assert!(v.reflections <= i.reflections);
                    prop_assert_eq!(v.ratings.len(), i.scale.points());
                    prop_assert_eq!(v.weeks.len(), i.chart.weeks);
                    let charted: usize = v.weeks.iter().map(|w| w.rated).sum();
                    prop_assert!(charted <= v.rated);
                    let on_scale = |m: f64| m >= f64::from(i.scale.min) && m <= f64::from(i.scale.max);
                    prop_assert_eq!(v.mean.is_some(), v.rated > 0);
                    prop_assert!(v.mean.is_none_or(on_scale));
                    for w in &v.weeks {
                        prop_assert_eq!(w.mean.is_some(), w.rated > 0);
                        prop_assert!(w.mean.is_none_or(on_scale));
                    }
                }
                prop_assert!(i.chart.weeks <= usize::try_from(MAX_CHART_WEEKS).unwrap_or(usize::MAX));
            }
        }
    }
}
