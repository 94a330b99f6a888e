//! Adding contributions up into a summary, under the small-group rules of [`super::protect`].
//!
//! The [`Summary`] is both the templates' context and the `--format json` output. A hidden
//! figure is `null`; the templates say "fewer than N members".

use std::collections::{BTreeMap, BTreeSet};

use chrono::NaiveDate;
use serde::Serialize;

use super::protect::{Group, RowProfile};
use super::{Options, RosterCheck, RowProfiles};
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
    /// The roster the contributions were checked against; `None` when they were not.
    pub roster: Option<RosterCheck>,
    /// Revocation files the facilitator chose to skip because they could not be read.
    pub skipped_revocations: Vec<String>,
    /// The rating scale the figures are shown on.
    pub scale: Scale,
    /// One entry per value named by at least `min_group` members, merged by id, in the order
    /// of their names.
    pub values: Vec<ValueSummary>,
    /// Commitments made in the period, by where they stand.
    pub commitments: CommitmentSummary,
    /// Repairs opened in the period.
    pub repairs: RepairSummary,
    /// Excerpts that name none of the values.
    pub other_excerpts: Vec<ExcerptView>,
}

/// One value's figures and excerpts.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ValueSummary {
    /// The value's id.
    pub id: String,
    /// Its name.
    pub name: String,
    /// How many members named it; hidden, too, when it differs from the summary's member
    /// count by fewer than `min_group`.
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

/// Value sets ranked by how many contributions covered them (ties by fingerprint), with
/// their counts.
fn pack_ranks(included: &[Contribution]) -> BTreeMap<&str, (usize, usize)> {
    let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
    for c in included {
        *counts.entry(c.pack.fingerprint.as_str()).or_default() += 1;
    }
    let mut ranked: Vec<(&str, usize)> = counts.into_iter().collect();
    ranked.sort_by(|(fa, a), (fb, b)| b.cmp(a).then_with(|| fa.cmp(fb)));
    ranked
        .into_iter()
        .enumerate()
        .map(|(rank, (fp, count))| (fp, (rank, count)))
        .collect()
}

/// Contributions in the order their packs are trusted for names and order: most common pack
/// first, fuller value lists first, then by content.
fn by_pack_rank<'a>(
    included: &'a [Contribution],
    ranks: &BTreeMap<&str, (usize, usize)>,
) -> Vec<&'a Contribution> {
    let mut ordered: Vec<&Contribution> = included.iter().collect();
    let rank = |c: &Contribution| ranks.get(c.pack.fingerprint.as_str()).map(|r| r.0);
    ordered.sort_by(|a, b| {
        (rank(a), std::cmp::Reverse(a.pack.values.len()), &a.id)
            .cmp(&(rank(b), std::cmp::Reverse(b.pack.values.len()), &b.id))
            .then_with(|| a.to_json().cmp(&b.to_json()))
    });
    ordered
}

/// One scale covering every pack's scale. A rating's word is the one most contributions
/// give it, when at least `min` of them do; otherwise the rating's number, so an unusual
/// word cannot point to the one pack that uses it.
fn merged_scale(ordered: &[&Contribution], least: usize) -> Scale {
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
            let mut counts: BTreeMap<&str, usize> = BTreeMap::new();
            for word in ordered.iter().filter_map(|c| c.pack.scale.word(r)) {
                *counts.entry(word).or_default() += 1;
            }
            counts
                .into_iter()
                .max_by(|(wa, a), (wb, b)| a.cmp(b).then_with(|| wb.cmp(wa)))
                .filter(|(_, n)| *n >= least)
                .map_or_else(|| r.to_string(), |(w, _)| w.to_owned())
        })
        .collect();
    Scale { min, max, words }
}

pub(crate) fn summarise(
    included: &[Contribution],
    purpose: Option<String>,
    options: &Options,
    roster: Option<RosterCheck>,
    warnings: &mut Vec<String>,
    profiles: &RowProfiles,
) -> Summary {
    let min = options.min_group;
    let ranks = pack_ranks(included);
    let ordered = by_pack_rank(included, &ranks);
    let scale = merged_scale(&ordered, min);

    if ranks.len() > 1 {
        warnings.push(format!(
            "contributions covered {} different sets of values; values were merged by id",
            ranks.len()
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

    // Values: merged by id.
    let ids: BTreeSet<&str> = ordered
        .iter()
        .flat_map(|c| c.pack.values.iter().map(|v| v.id.as_str()))
        .collect();
    let members = included.len();
    let mut value_summaries = Vec::new();
    let mut names_allowed = BTreeMap::new();
    for id in ids {
        if let Some((summary, names_ok)) = value_summary(id, included, &scale, min, profiles) {
            names_allowed.insert(id.to_owned(), names_ok);
            value_summaries.push(summary);
        }
    }
    // In the order of their names: an order taken from the packs would follow which values
    // most members covered, and so could say something of who covered what.
    value_summaries.sort_by_cached_key(|v| (v.name.to_lowercase(), v.id.clone()));
    for v in &mut value_summaries {
        // A member count close to everyone's would tell the few who did not name it.
        if v.members.is_some_and(|m| members.saturating_sub(m) < min) {
            v.members = None;
        }
    }

    let (other_excerpts, held_back, unnamed) = place_excerpts(
        included,
        &mut value_summaries,
        &names_allowed,
        members >= min,
    );
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
    if unnamed > 0 {
        warnings.push(format!(
            "{unnamed} named excerpt(s) appear without their name: beside the figures of a \
             value they are about, the name would tell something of that member's figures"
        ));
    }

    Summary {
        format: SUMMARY_FORMAT.to_owned(),
        version: 2,
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
        roster,
        skipped_revocations: options.skipped_revocations.clone(),
        scale,
        values: value_summaries,
        commitments: commitments(included, min, profiles),
        repairs: repairs(included, min, profiles),
        other_excerpts,
    }
}

/// One value's figures, or `None` when it may not be listed: named by fewer than `min`
/// members, or with rows too alike to show anything (see [`super::protect`]). The flag says
/// whether names may stand beside excerpts about it.
fn value_summary(
    id: &str,
    included: &[Contribution],
    scale: &Scale,
    min: usize,
    profiles: &RowProfiles,
) -> Option<(ValueSummary, bool)> {
    let buckets: Vec<u8> = (scale.min..=scale.max).collect();
    // One row per contributor (zeros for one who did not cover it): a count per rating
    // bucket, then the unrated count.
    let rows: Vec<Vec<u64>> = included
        .iter()
        .map(|c| {
            let Some(agg) = c.aggregates.values.iter().find(|v| v.id == id) else {
                return vec![0; buckets.len() + 1];
            };
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
            row
        })
        .collect();
    let profile = profiles
        .values
        .get(id)
        .copied()
        .unwrap_or_else(|| RowProfile::of(&rows));
    let group = Group::tally_with(rows, buckets.len() + 1, true, min, Some(profile));
    let members = group.total.map_or(0, |t| t.members);
    if members < min || !group.any_shown() {
        return None;
    }
    let named = included
        .iter()
        .filter(|c| {
            c.consent.name.is_some() && c.excerpts.iter().any(|e| e.values.iter().any(|v| v == id))
        })
        .count();
    let names_ok = profile.names_safe(named, min);

    // Its name: the one most members' packs give it, when at least `min` do; else its id.
    let mut names: BTreeMap<&str, usize> = BTreeMap::new();
    for c in included {
        if let Some(v) = c.pack.values.iter().find(|v| v.id == id) {
            *names.entry(v.name.as_str()).or_default() += 1;
        }
    }
    let name = names
        .into_iter()
        .max_by(|(na, a), (nb, b)| a.cmp(b).then_with(|| nb.cmp(na)))
        .filter(|(_, n)| *n >= min)
        .map_or_else(|| id.to_owned(), |(n, _)| n.to_owned());

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
    let summary = ValueSummary {
        id: id.to_owned(),
        name,
        members: Some(members),
        reflections: group.total_figure(),
        ratings,
        unrated: group.cells.last().and_then(|c| c.figure()),
        mean,
        excerpts: Vec::new(),
    };
    Some((summary, names_ok))
}

fn commitments(included: &[Contribution], min: usize, profiles: &RowProfiles) -> CommitmentSummary {
    let rows = included.iter().map(|c| {
        CommitmentState::ALL
            .iter()
            .map(|s| u64::from(c.aggregates.commitments.get(s).copied().unwrap_or(0)))
            .collect()
    });
    let group = Group::tally_with(
        rows,
        CommitmentState::ALL.len(),
        true,
        min,
        profiles.commitments,
    );
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

fn repairs(included: &[Contribution], min: usize, profiles: &RowProfiles) -> RepairSummary {
    let status = Group::tally_with(
        included.iter().map(|c| {
            let r = &c.aggregates.repairs;
            vec![u64::from(r.open), u64::from(r.closed)]
        }),
        2,
        true,
        min,
        profiles.repair_status,
    );
    // Parts overlap (one repair tends several), so they have no total to subtract from.
    let parts = Group::tally_with(
        included.iter().map(|c| {
            RepairPart::ALL
                .iter()
                .map(|p| u64::from(c.aggregates.repairs.tended.get(p).copied().unwrap_or(0)))
                .collect()
        }),
        RepairPart::ALL.len(),
        false,
        min,
        profiles.repair_parts,
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

/// Puts each excerpt under the first of its listed values in the summary's order (the other
/// listed ones are named in `also`; values not listed are not named at all), orders each
/// list by a hash of the text so that file order and authorship leave no trace, holds back
/// anonymous excerpts when the group is too small for them to stay anonymous, and shows a
/// name only where every listed value the excerpt is about allows names. Returns the
/// excerpts under no listed value, how many were held back, and how many lost their name.
fn place_excerpts(
    included: &[Contribution],
    values: &mut [ValueSummary],
    names_allowed: &BTreeMap<String, bool>,
    group_large_enough: bool,
) -> (Vec<ExcerptView>, usize, usize) {
    let position: BTreeMap<String, usize> = values
        .iter()
        .enumerate()
        .map(|(i, v)| (v.id.clone(), i))
        .collect();
    let mut other = Vec::new();
    let mut held_back = 0;
    let mut unnamed = 0;
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
            let allowed = excerpt
                .values
                .iter()
                .all(|v| names_allowed.get(v.as_str()).copied().unwrap_or(true));
            if name.is_some() && !allowed {
                unnamed += 1;
            }
            let mut places = places.into_iter();
            let first = places.next();
            let view = ExcerptView {
                text: excerpt.text.clone(),
                content_note: excerpt.content_note.clone(),
                name: name.filter(|_| allowed).map(str::to_owned),
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
    (other, held_back, unnamed)
}
