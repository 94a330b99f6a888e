//! Adding contributions up into a summary, under the small-group rules of [`super::protect`].
//!
//! The [`Summary`] is both the templates' context and the `--format json` output. A hidden
//! figure is `null`; the templates say "fewer than N members".

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::Options;
use super::protect::Group;
use crate::commitment::CommitmentState;
use crate::contribution::{Contribution, Period, sha256_hex};
use crate::pack::Scale;
use crate::repair::RepairPart;

/// The `format` field of a summary in JSON.
pub const SUMMARY_FORMAT: &str = "tend-retreat-summary";

/// A retreat summary. Every count is `None` where it would be drawn from fewer than
/// `min_group` members, or could be worked out from other figures.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Summary {
    /// Always "tend-retreat-summary".
    pub format: String,
    /// The summary's version, 1.
    pub version: u32,
    /// The title.
    pub title: String,
    /// What the contributions were for.
    pub purpose: Option<String>,
    /// The day the summary was built.
    pub built: NaiveDate,
    /// The minimum group.
    pub min_group: usize,
    /// How many members' contributions are in it.
    pub members: Option<usize>,
    /// From the earliest first day to the latest last day of the contributions (an open end
    /// when any contribution had one).
    pub period: Period,
    /// The values pack most contributions used.
    pub pack: Option<PackSummary>,
    /// The rating scale the figures are shown on.
    pub scale: Scale,
    /// One entry per value, merged by id.
    pub values: Vec<ValueSummary>,
    /// Commitments made in the period, by where they stand.
    pub commitments: CommitmentSummary,
    /// Repairs opened in the period.
    pub repairs: RepairSummary,
    /// Excerpts that name none of the values.
    pub other_excerpts: Vec<ExcerptView>,
}

/// The values pack behind the summary.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PackSummary {
    /// Its name.
    pub name: String,
    /// Its fingerprint.
    pub fingerprint: String,
    /// Whether some contributions used a different pack.
    pub differing: bool,
}

/// One value's figures and excerpts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSummary {
    /// The value's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many members named it.
    pub members: Option<usize>,
    /// How many reflections named it.
    pub reflections: Option<u64>,
    /// How many reflections gave each rating on the scale, lowest first.
    pub ratings: Vec<RatingFigure>,
    /// How many reflections named it without a rating.
    pub unrated: Option<u64>,
    /// The mean rating, to one decimal; only when every rating figure is shown.
    pub mean: Option<f64>,
    /// Excerpts whose first value (in the summary's order) is this one.
    pub excerpts: Vec<ExcerptView>,
}

/// How many reflections gave one rating.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RatingFigure {
    /// The rating.
    pub rating: u8,
    /// Its word on the scale.
    pub word: String,
    /// How many reflections gave it.
    pub count: Option<u64>,
}

/// Commitments by where they stand.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommitmentSummary {
    /// All commitments made in the period.
    pub total: Option<u64>,
    /// One figure per state.
    pub states: Vec<StateFigure>,
}

/// How many commitments stand in one state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StateFigure {
    /// The state.
    pub state: CommitmentState,
    /// Its word.
    pub word: String,
    /// How many commitments.
    pub count: Option<u64>,
}

/// Repairs opened in the period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RepairSummary {
    /// All of them.
    pub total: Option<u64>,
    /// Still open.
    pub open: Option<u64>,
    /// Closed.
    pub closed: Option<u64>,
    /// In how many repairs each part of accountability was tended.
    pub tended: Vec<PartFigure>,
}

/// In how many repairs one part was tended.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PartFigure {
    /// The part.
    pub part: RepairPart,
    /// Its heading ("self-reflection", "changed behaviour").
    pub heading: String,
    /// How many repairs.
    pub count: Option<u64>,
}

/// An excerpt as the summary shows it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ExcerptView {
    /// The text.
    pub text: String,
    /// Its content note.
    pub content_note: Option<String>,
    /// The author's name, only when they chose to give it.
    pub name: Option<String>,
    /// The names of the other values it names (it is shown under its first value only).
    pub also: Vec<String>,
}

/// Packs ranked by how many contributions used them (ties by fingerprint).
fn pack_ranks(included: &[Contribution]) -> BTreeMap<&str, usize> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in included {
        *counts.entry(c.pack.fingerprint.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|(fa, a), (fb, b)| b.cmp(a).then_with(|| fa.cmp(fb)));
    ranked
        .into_iter()
        .enumerate()
        .map(|(rank, (fp, _))| (fp, rank))
        .collect()
}

/// Contributions in the order their packs are trusted for names and order: most common pack
/// first, fuller value lists first, then by content.
fn by_pack_rank<'a>(
    included: &'a [Contribution],
    ranks: &BTreeMap<&str, usize>,
) -> Vec<&'a Contribution> {
    let mut ordered: Vec<&Contribution> = included.iter().collect();
    let rank = |c: &Contribution| ranks.get(c.pack.fingerprint.as_str()).copied();
    ordered.sort_by(|a, b| {
        (rank(a), std::cmp::Reverse(a.pack.values.len()), &a.id)
            .cmp(&(rank(b), std::cmp::Reverse(b.pack.values.len()), &b.id))
            .then_with(|| a.to_json().cmp(&b.to_json()))
    });
    ordered
}

/// One scale covering every pack's scale, in the words of the most trusted pack.
fn merged_scale(ordered: &[&Contribution]) -> Scale {
    let Some(min) = ordered.iter().map(|c| c.pack.scale.min).min() else {
        return Scale::default();
    };
    let max = ordered
        .iter()
        .map(|c| c.pack.scale.max)
        .max()
        .unwrap_or(min);
    let words = (min..=max)
        .map(|r| {
            ordered
                .iter()
                .find_map(|c| c.pack.scale.word(r))
                .map_or_else(|| r.to_string(), str::to_owned)
        })
        .collect();
    Scale { min, max, words }
}

pub(crate) fn summarise(
    included: &[Contribution],
    purpose: Option<String>,
    options: &Options,
    warnings: &mut Vec<String>,
) -> Summary {
    let min = options.min_group;
    let ranks = pack_ranks(included);
    let ordered = by_pack_rank(included, &ranks);
    let scale = merged_scale(&ordered);

    if ranks.len() > 1 {
        let fps: Vec<&str> = ranks.keys().copied().collect();
        warnings.push(format!(
            "contributions used {} different values packs (fingerprints {}); values were \
             merged by id, with names from the pack most used",
            ranks.len(),
            fps.join(", ")
        ));
    }
    if ordered
        .iter()
        .any(|c| c.pack.scale.min != scale.min || c.pack.scale.max != scale.max)
    {
        warnings.push(format!(
            "rating scales differ between contributions; ratings are shown on one scale from \
             {} to {}",
            scale.min, scale.max
        ));
    }

    // Values: merged by id, in the order and with the names of the most trusted packs.
    let mut values: Vec<(String, String)> = Vec::new();
    for c in &ordered {
        for v in &c.pack.values {
            if !values.iter().any(|(id, _)| *id == v.id) {
                values.push((v.id.clone(), v.name.clone()));
            }
        }
    }
    let mut value_summaries: Vec<ValueSummary> = values
        .iter()
        .map(|(id, name)| value_summary(id, name, included, &scale, min))
        .collect();

    let members = included.len();
    let (other_excerpts, held_back) =
        place_excerpts(included, &mut value_summaries, members >= min);
    if held_back > 0 {
        let held = if held_back == 1 {
            "1 excerpt without a name was".to_owned()
        } else {
            format!("{held_back} excerpts without a name were")
        };
        warnings.push(format!(
            "{held} held back: with fewer than {min} members, an excerpt without a name \
             could point to the person who wrote it"
        ));
    }

    Summary {
        format: SUMMARY_FORMAT.to_owned(),
        version: 1,
        title: options
            .title
            .clone()
            .or_else(|| purpose.clone())
            .unwrap_or_else(|| "Retreat summary".to_owned()),
        purpose,
        built: options.today,
        min_group: min,
        members: (members >= min).then_some(members),
        period: overall_period(included),
        pack: ordered.first().map(|c| PackSummary {
            name: c.pack.name.clone(),
            fingerprint: c.pack.fingerprint.clone(),
            differing: ranks.len() > 1,
        }),
        scale,
        values: value_summaries,
        commitments: commitments(included, min),
        repairs: repairs(included, min),
        other_excerpts,
    }
}

fn value_summary(
    id: &str,
    name: &str,
    included: &[Contribution],
    scale: &Scale,
    min: usize,
) -> ValueSummary {
    let buckets: Vec<u8> = (scale.min..=scale.max).collect();
    // One row per member: a count per rating bucket, then the unrated count.
    let rows = included.iter().filter_map(|c| {
        let agg = c.aggregates.values.iter().find(|v| v.id == id)?;
        let mut row: Vec<u64> = buckets
            .iter()
            .map(|r| {
                let on_scale = c.pack.scale.contains(*r);
                u64::from(
                    agg.ratings
                        .get(r)
                        .copied()
                        .filter(|_| on_scale)
                        .unwrap_or(0),
                )
            })
            .collect();
        let rated: u64 = row.iter().sum();
        row.push(u64::from(agg.reflections).saturating_sub(rated));
        Some(row)
    });
    let group = Group::tally(rows, buckets.len() + 1, true, min);
    let members = group.total.map_or(0, |t| t.members);

    let ratings: Vec<RatingFigure> = buckets
        .iter()
        .zip(&group.cells)
        .map(|(r, cell)| RatingFigure {
            rating: *r,
            word: scale.word(*r).unwrap_or_default().to_owned(),
            count: cell.figure(),
        })
        .collect();
    let mean = if ratings.iter().all(|f| f.count.is_some()) {
        let (sum, n) = buckets
            .iter()
            .zip(&group.cells)
            .fold((0f64, 0u64), |(s, n), (r, c)| {
                (s + f64::from(*r) * c.count as f64, n + c.count)
            });
        (n > 0).then(|| (sum / n as f64 * 10.0).round() / 10.0)
    } else {
        None
    };
    ValueSummary {
        id: id.to_owned(),
        name: name.to_owned(),
        members: (members >= min).then_some(members),
        reflections: group.total_figure(),
        ratings,
        unrated: group.cells.last().and_then(|c| c.figure()),
        mean,
        excerpts: Vec::new(),
    }
}

fn commitments(included: &[Contribution], min: usize) -> CommitmentSummary {
    let rows = included.iter().map(|c| {
        CommitmentState::ALL
            .iter()
            .map(|s| u64::from(c.aggregates.commitments.get(s).copied().unwrap_or(0)))
            .collect()
    });
    let group = Group::tally(rows, CommitmentState::ALL.len(), true, min);
    CommitmentSummary {
        total: group.total_figure(),
        states: CommitmentState::ALL
            .iter()
            .zip(&group.cells)
            .map(|(s, cell)| StateFigure {
                state: *s,
                word: s.word().to_owned(),
                count: cell.figure(),
            })
            .collect(),
    }
}

fn repairs(included: &[Contribution], min: usize) -> RepairSummary {
    let status = Group::tally(
        included.iter().map(|c| {
            let r = &c.aggregates.repairs;
            vec![u64::from(r.open), u64::from(r.closed)]
        }),
        2,
        true,
        min,
    );
    // Parts overlap (one repair tends several), so they have no total to subtract from.
    let parts = Group::tally(
        included.iter().map(|c| {
            RepairPart::ALL
                .iter()
                .map(|p| u64::from(c.aggregates.repairs.tended.get(p).copied().unwrap_or(0)))
                .collect()
        }),
        RepairPart::ALL.len(),
        false,
        min,
    );
    RepairSummary {
        total: status.total_figure(),
        open: status.cells[0].figure(),
        closed: status.cells[1].figure(),
        tended: RepairPart::ALL
            .iter()
            .zip(&parts.cells)
            .map(|(p, cell)| PartFigure {
                part: *p,
                heading: p.heading().to_owned(),
                count: cell.figure(),
            })
            .collect(),
    }
}

fn overall_period(included: &[Contribution]) -> Period {
    let since = included
        .iter()
        .map(|c| c.period.since)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().min());
    let until = included
        .iter()
        .map(|c| c.period.until)
        .collect::<Option<Vec<_>>>()
        .and_then(|v| v.into_iter().max());
    Period { since, until }
}

/// Puts each excerpt under the first of its values in the summary's order (the others are
/// listed in `also`), orders each list by a hash of the text so that file order and
/// authorship leave no trace, and holds back anonymous excerpts when the group is too small
/// for them to stay anonymous. Returns the excerpts with no value, and how many were held.
fn place_excerpts(
    included: &[Contribution],
    values: &mut [ValueSummary],
    group_large_enough: bool,
) -> (Vec<ExcerptView>, usize) {
    let position: BTreeMap<String, usize> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.clone(), i))
        .collect();
    let mut other = Vec::new();
    let mut held_back = 0;
    for c in included {
        let name = c
            .consent
            .name
            .as_deref()
            .map(str::trim)
            .filter(|n| !n.is_empty());
        for excerpt in &c.excerpts {
            if name.is_none() && !group_large_enough {
                held_back += 1;
                continue;
            }
            let places: BTreeSet<usize> = excerpt
                .values
                .iter()
                .filter_map(|v| position.get(v.as_str()).copied())
                .collect();
            let mut places = places.into_iter();
            let first = places.next();
            let view = ExcerptView {
                text: excerpt.text.clone(),
                content_note: excerpt.content_note.clone(),
                name: name.map(str::to_owned),
                also: places.map(|i| values[i].name.clone()).collect(),
            };
            match first {
                Some(i) => values[i].excerpts.push(view),
                None => other.push(view),
            }
        }
    }
    let order = |e: &ExcerptView| {
        (
            sha256_hex(e.text.as_bytes()),
            e.text.clone(),
            e.name.clone(),
        )
    };
    for v in values.iter_mut() {
        v.excerpts.sort_by_cached_key(order);
    }
    other.sort_by_cached_key(order);
    (other, held_back)
}
