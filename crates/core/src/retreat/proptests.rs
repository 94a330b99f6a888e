//! Small-group protection, checked against an independent count of the contributions.
//!
//! For random sets of contributions and thresholds: every figure the summary shows equals
//! the true sum and is drawn from at least `min_group` members; every group whose total is
//! shown has no hidden cells or at least two, whose sum (the total minus the shown ones)
//! comes from no member or from at least `min_group`; a mean appears only with its whole distribution; and the summary does not depend
//! on the order of the files.

use proptest::prelude::*;

use super::tests::{contribution, day, key, received, token};
use super::*;
use crate::commitment::CommitmentState;
use crate::contribution::{Contribution, Excerpt, Revocation};
use crate::repair::RepairPart;

pub(super) const IDS: [&str; 3] = ["equity", "transparency", "repair"];

/// One member's counts: per value (present?, ratings 1..=5, unrated), commitments per
/// state, repairs open/closed, tended per part.
pub(super) type Counts = (Vec<(bool, [u32; 5], u32)>, [u32; 4], (u32, u32), [u32; 4]);

pub(super) fn counts() -> impl Strategy<Value = Counts> {
    // Small numbers with many zeros, so thresholds are often near the edge.
    let n = || prop_oneof![3 => Just(0u32), 2 => 1u32..3, 1 => 3u32..9];
    (
        proptest::collection::vec((any::<bool>(), [n(), n(), n(), n(), n()], n()), IDS.len()),
        [n(), n(), n(), n()],
        (n(), n()),
        [n(), n(), n(), n()],
    )
}

pub(super) fn member(
    i: usize,
    (values, commitments, (open, closed), tended): &Counts,
) -> Contribution {
    let mut c = contribution(&format!("m{i}"), &[]);
    for (id, (present, ratings, unrated)) in IDS.iter().zip(values) {
        if *present {
            c.aggregates
                .values
                .push(crate::contribution::ValueAggregate {
                    id: (*id).to_owned(),
                    reflections: ratings.iter().sum::<u32>() + unrated,
                    ratings: (1u8..=5)
                        .zip(ratings.iter().copied())
                        .filter(|(_, n)| *n > 0)
                        .collect(),
                });
        }
    }
    c.aggregates.commitments = CommitmentState::ALL
        .iter()
        .copied()
        .zip(commitments.iter().copied())
        .filter(|(_, n)| *n > 0)
        .collect();
    c.aggregates.repairs.open = *open;
    c.aggregates.repairs.closed = *closed;
    c.aggregates.repairs.tended = RepairPart::ALL
        .iter()
        .copied()
        .zip(tended.iter().copied())
        .filter(|(_, n)| *n > 0)
        .collect();
    c
}

/// A figure checked against the truth: its members and its sum across contributions.
fn check(shown: Option<u64>, per_member: &[u64], min: usize) -> Result<(), TestCaseError> {
    let members = per_member.iter().filter(|n| **n > 0).count();
    if let Some(n) = shown {
        prop_assert_eq!(n, per_member.iter().sum::<u64>());
        prop_assert!(
            members >= min,
            "shown figure {} from {} members",
            n,
            members
        );
    }
    Ok(())
}

/// A group with a shown total must not have exactly one hidden cell, and its hidden cells
/// together (the total minus the shown cells) must come from no member or from at least
/// `min` members. `cells` pairs each shown-or-hidden figure with its per-member counts.
fn check_group(
    total: Option<u64>,
    cells: &[(Option<u64>, Vec<u64>)],
    min: usize,
) -> Result<(), TestCaseError> {
    if total.is_none() {
        return Ok(());
    }
    let hidden: Vec<&Vec<u64>> = cells
        .iter()
        .filter(|(f, _)| f.is_none())
        .map(|(_, p)| p)
        .collect();
    prop_assert!(hidden.len() != 1, "one hidden cell beside a shown total");
    let members = cells.first().map_or(0, |(_, p)| p.len());
    let behind = (0..members)
        .filter(|m| hidden.iter().any(|p| p[*m] > 0))
        .count();
    prop_assert!(
        behind == 0 || behind >= min,
        "total minus shown cells speaks for {} members (< {})",
        behind,
        min
    );
    let gap = total.unwrap_or(0) - cells.iter().filter_map(|(f, _)| *f).sum::<u64>();
    let hidden_sum: u64 = hidden.iter().map(|p| p.iter().sum::<u64>()).sum();
    prop_assert_eq!(gap, hidden_sum);
    Ok(())
}

fn check_summary(cs: &[Contribution], s: &Summary, min: usize) -> Result<(), TestCaseError> {
    let ones: Vec<u64> = cs.iter().map(|_| 1).collect();
    check(s.members.map(|n| n as u64), &ones, min)?;

    for v in &s.values {
        let aggs: Vec<Option<&crate::contribution::ValueAggregate>> = cs
            .iter()
            .map(|c| c.aggregates.values.iter().find(|a| a.id == v.id))
            .collect();
        let reflections: Vec<u64> = aggs
            .iter()
            .map(|a| a.map_or(0, |a| u64::from(a.reflections)))
            .collect();
        check(v.reflections, &reflections, min)?;
        check(
            v.members.map(|n| n as u64),
            &reflections
                .iter()
                .map(|n| u64::from(*n > 0))
                .collect::<Vec<_>>(),
            min,
        )?;
        let mut cells = Vec::new();
        for r in &v.ratings {
            let per: Vec<u64> = aggs
                .iter()
                .map(|a| {
                    a.and_then(|a| a.ratings.get(&r.rating))
                        .map_or(0, |n| u64::from(*n))
                })
                .collect();
            check(r.count, &per, min)?;
            cells.push((r.count, per));
        }
        let unrated: Vec<u64> = aggs
            .iter()
            .map(|a| a.map_or(0, |a| u64::from(a.unrated())))
            .collect();
        check(v.unrated, &unrated, min)?;
        cells.push((v.unrated, unrated));
        check_group(v.reflections, &cells, min)?;
        if v.mean.is_some() {
            prop_assert!(v.ratings.iter().all(|r| r.count.is_some()));
        }
    }

    let states: Vec<Vec<u64>> = CommitmentState::ALL
        .iter()
        .map(|st| {
            cs.iter()
                .map(|c| u64::from(c.aggregates.commitments.get(st).copied().unwrap_or(0)))
                .collect()
        })
        .collect();
    let totals: Vec<u64> = (0..cs.len())
        .map(|i| states.iter().map(|s| s[i]).sum())
        .collect();
    check(s.commitments.total, &totals, min)?;
    for (fig, per) in s.commitments.states.iter().zip(&states) {
        check(fig.count, per, min)?;
    }
    let cells: Vec<(Option<u64>, Vec<u64>)> = s
        .commitments
        .states
        .iter()
        .map(|f| f.count)
        .zip(states)
        .collect();
    check_group(s.commitments.total, &cells, min)?;

    let open: Vec<u64> = cs
        .iter()
        .map(|c| u64::from(c.aggregates.repairs.open))
        .collect();
    let closed: Vec<u64> = cs
        .iter()
        .map(|c| u64::from(c.aggregates.repairs.closed))
        .collect();
    let both: Vec<u64> = open.iter().zip(&closed).map(|(a, b)| a + b).collect();
    check(s.repairs.open, &open, min)?;
    check(s.repairs.closed, &closed, min)?;
    check(s.repairs.total, &both, min)?;
    check_group(
        s.repairs.total,
        &[(s.repairs.open, open), (s.repairs.closed, closed)],
        min,
    )?;
    for fig in &s.repairs.tended {
        let per: Vec<u64> = cs
            .iter()
            .map(|c| {
                u64::from(
                    c.aggregates
                        .repairs
                        .tended
                        .get(&fig.part)
                        .copied()
                        .unwrap_or(0),
                )
            })
            .collect();
        check(fig.count, &per, min)?;
    }
    Ok(())
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn retreat_no_figure_speaks_for_fewer_than_min_group(
        members in proptest::collection::vec(counts(), 0..9),
        min in 3usize..6,
    ) {
        let cs: Vec<Contribution> = members.iter().enumerate().map(|(i, m)| member(i, m)).collect();
        let options = Options { min_group: min, ..Options::new(day(6, 10)) };
        let (s, report) = build(cs.iter().cloned().map(received).collect(), &[], vec![], &options)
            .expect("builds");
        prop_assert_eq!(report.included, cs.len());
        check_summary(&cs, &s, min)?;
    }

    #[test]
    fn retreat_order_of_files_never_matters(
        members in proptest::collection::vec((counts(), 0usize..4, 0u8..3, any::<bool>(), any::<bool>()), 0..8),
        seed in any::<u64>(),
        min in 3usize..5,
    ) {
        // Some members send two contributions, some expire, some are revoked, some are named.
        let mut files = Vec::new();
        let mut revocations = Vec::new();
        for (i, (m, who, expiry, revoke, named)) in members.iter().enumerate() {
            let mut c = member(i, m);
            c.signer = key(&format!("p-{who}"));
            c.counter = 1 + u64::try_from(i % 20).unwrap_or(0);
            c.consent.expires = match expiry { 0 => None, 1 => Some(day(6, 1)), _ => Some(day(7, 1)) };
            if *named { c.consent.name = Some(format!("Member {i}")); }
            c.excerpts = vec![Excerpt {
                values: vec![IDS[i % 3].to_owned()],
                text: format!("words {i}"),
                content_note: None,
            }];
            if *revoke {
                revocations.push(Revocation::new(&c.id, &c.purpose, token(&format!("m{i}")).expose_hex()));
            }
            files.push(received(c));
        }
        let options = Options { min_group: min, ..Options::new(day(6, 10)) };
        let forward = build(files.clone(), &revocations, vec![], &options).expect("builds");
        // A deterministic shuffle from the seed.
        let mut shuffled = files;
        let mut state = seed | 1;
        for i in (1..shuffled.len()).rev() {
            state ^= state << 13; state ^= state >> 7; state ^= state << 17;
            let j = usize::try_from(state % (i as u64 + 1)).unwrap_or(0);
            shuffled.swap(i, j);
        }
        revocations.reverse();
        let backward = build(shuffled, &revocations, vec![], &options).expect("builds");
        prop_assert_eq!(&forward, &backward);
        prop_assert_eq!(render(&forward.0, Format::Html).ok(), render(&backward.0, Format::Html).ok());
    }
}
