//! Stand-ins: contributions that add up exactly to the totals, so the summary is built by
//! the same code, under the same small-group rules, as the single-facilitator build.
//!
//! The rules in `tend_core::retreat` read, for each group of figures, each cell's sum, how
//! many members add to each cell and how many add to each combination of cells — all of
//! which the totals hold. Stand-ins are made to match all three; no stand-in is any member.
//! The property test in this crate checks that a summary from stand-ins equals the summary
//! from the members' own contributions.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tend_core::commitment::CommitmentState;
use tend_core::contribution::{
    Aggregates, ConsentTerms, Contribution, Excerpt, FORMAT, RepairAggregate, VERSION,
    ValueAggregate,
};
use tend_core::repair::RepairPart;

use tend_core::retreat::{self, Options, Received, Report, Summary};

use crate::ProtocolError;
use crate::files::ReadExcerpt;
use crate::layout::Tally;
use crate::plan::Plan;

/// `members` contributions whose figures add up to `tally`, carrying `excerpts` under the
/// names they came with (one stand-in per name; the anonymous ones together).
pub fn stand_ins(
    plan: &Plan,
    tally: &Tally,
    excerpts: &[ReadExcerpt],
) -> Result<Vec<Contribution>, ProtocolError> {
    let layout = plan.layout()?;
    let n = tally.members;
    let rows: Vec<Vec<Vec<u64>>> = tally.groups.iter().map(|g| g.stand_in_rows(n)).collect();
    if rows.iter().any(|g| g.len() != n) {
        return Err(ProtocolError::Inconsistent(
            "a group has more members than the batch".into(),
        ));
    }
    let values = layout.pack().values.len();
    let scale = &layout.pack().scale;
    let given: DateTime<Utc> = DateTime::UNIX_EPOCH;
    let count = |x: u64| u32::try_from(x).unwrap_or(u32::MAX);

    // Excerpts by name: each name on a stand-in of its own, anonymous ones on the next.
    let mut by_name: BTreeMap<Option<String>, Vec<Excerpt>> = BTreeMap::new();
    for e in excerpts {
        by_name
            .entry(e.name.clone())
            .or_default()
            .push(e.excerpt.clone());
    }
    if by_name.len() > n {
        return Err(ProtocolError::Inconsistent(
            "the excerpts carry more names than there are members".into(),
        ));
    }
    let mut names = by_name.into_iter();

    let mut out = Vec::with_capacity(n);
    #[allow(clippy::needless_range_loop)] // k indexes every group's rows at once
    for k in 0..n {
        let mut aggregates = Aggregates::default();
        for (v, value) in layout.pack().values.iter().enumerate() {
            let row = &rows[v][k];
            if row.iter().all(|x| *x == 0) {
                continue;
            }
            let ratings = (scale.min..=scale.max)
                .zip(row)
                .filter(|(_, x)| **x > 0)
                .map(|(r, x)| (r, count(*x)))
                .collect();
            aggregates.values.push(ValueAggregate {
                id: value.id.clone(),
                reflections: count(row.iter().sum()),
                ratings,
            });
        }
        aggregates.commitments = CommitmentState::ALL
            .iter()
            .zip(&rows[values][k])
            .filter(|(_, x)| **x > 0)
            .map(|(s, x)| (*s, count(*x)))
            .collect();
        let status = &rows[values + 1][k];
        aggregates.repairs = RepairAggregate {
            open: count(status[0]),
            closed: count(status[1]),
            tended: RepairPart::ALL
                .iter()
                .zip(&rows[values + 2][k])
                .filter(|(_, x)| **x > 0)
                .map(|(p, x)| (*p, count(*x)))
                .collect(),
        };
        let (name, excerpts) = names.next().unwrap_or((None, Vec::new()));
        out.push(Contribution {
            format: FORMAT.into(),
            version: VERSION,
            id: format!("stand-in-{k}"),
            purpose: plan.purpose.clone(),
            // A distinct made-up key per stand-in: the build keeps one contribution per key.
            signer: tend_core::contribution::MemberKey::from_bytes({
                let mut key = [0u8; 32];
                key[..8].copy_from_slice(&(k as u64).to_le_bytes());
                key
            }),
            counter: 1,
            pack: layout.pack().clone(),
            period: plan.period,
            consent: ConsentTerms {
                given: given.date_naive(),
                expires: None,
                name,
            },
            revocation_hash: "0".repeat(64),
            aggregates,
            excerpts,
        });
    }
    Ok(out)
}

/// The summary of a co-facilitated retreat: stand-ins for `tally` and `excerpts`, built by
/// `tend_core::retreat` under the plan's minimum group, with the rules that read members'
/// rows deciding on the rows' profiles from the same aggregate.
pub fn summary(
    plan: &Plan,
    tally: &Tally,
    excerpts: &[ReadExcerpt],
    options: &Options,
) -> Result<(Summary, Report), ProtocolError> {
    let layout = plan.layout()?;
    let received = stand_ins(plan, tally, excerpts)?
        .into_iter()
        .enumerate()
        .map(|(i, contribution)| Received {
            source: format!("stand-in {i}"),
            contribution,
            verified: true,
        })
        .collect();
    let mut options = options.clone();
    options.min_group = options.min_group.max(plan.min_group);
    retreat::build_with_profiles(received, &[], vec![], &options, &tally.profiles(&layout))
        .map_err(|e| ProtocolError::Inconsistent(e.to_string()))
}
