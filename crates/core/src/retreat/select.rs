//! Which contributions count: one purpose, consent in force, not revoked, newest per member.
//!
//! Everything here is sorted by the contributions' own content before any choice is made, so
//! the order the files were given in never changes the outcome.

use std::collections::BTreeMap;

use super::{LeaveReason, LeftOut, Options, Received};
use crate::contribution::{Contribution, Revocation, purpose_key};

/// The outcome of selection.
pub(crate) struct Selection {
    /// The contributions that count, in a canonical order.
    pub included: Vec<Contribution>,
    /// The ones that do not, with reasons.
    pub left_out: Vec<LeftOut>,
    /// The purpose of the summary, as members wrote it (the most common spelling).
    pub purpose: Option<String>,
    /// Things the facilitator should know.
    pub warnings: Vec<String>,
}

/// The purpose the summary is for: the one asked for, or the one most contributions share
/// (ties go to the alphabetically first, so the choice never depends on file order).
fn chosen_purpose(received: &[Received], asked: Option<&str>) -> Option<String> {
    if let Some(asked) = asked {
        return Some(purpose_key(asked));
    }
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for r in received {
        *counts
            .entry(purpose_key(&r.contribution.purpose))
            .or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|(ka, a), (kb, b)| a.cmp(b).then_with(|| kb.cmp(ka)))
        .map(|(k, _)| k)
}

/// The most common spelling of a purpose among the given contributions (ties go to the
/// alphabetically first, which puts capitals first).
fn spelling<'a>(contributions: impl Iterator<Item = &'a Contribution>) -> Option<String> {
    let mut counts: BTreeMap<String, usize> = BTreeMap::new();
    for c in contributions {
        let spelt = c.purpose.split_whitespace().collect::<Vec<_>>().join(" ");
        *counts.entry(spelt).or_default() += 1;
    }
    counts
        .into_iter()
        .max_by(|(ka, a), (kb, b)| a.cmp(b).then_with(|| kb.cmp(ka)))
        .map(|(k, _)| k)
}

pub(crate) fn select(
    received: Vec<Received>,
    revocations: &[Revocation],
    options: &Options,
) -> Selection {
    let mut warnings = Vec::new();
    let mut left_out = Vec::new();
    let key = chosen_purpose(&received, options.purpose.as_deref());

    let purposes: BTreeMap<String, ()> = received
        .iter()
        .map(|r| (purpose_key(&r.contribution.purpose), ()))
        .collect();
    if options.purpose.is_none() && purposes.len() > 1 {
        warnings.push(format!(
            "contributions for {} different purposes arrived; only those for the most common \
             one are included, because a member's pseudonym differs between purposes and \
             mixing them could count one member twice",
            purposes.len()
        ));
    }

    // A canonical order: by member, then by when consent was given, then by content.
    let mut candidates: Vec<(String, Received)> = Vec::new();
    for r in received {
        if Some(purpose_key(&r.contribution.purpose)) == key {
            candidates.push((r.contribution.to_json(), r));
        } else {
            left_out.push(LeftOut {
                source: r.source,
                reason: LeaveReason::OtherPurpose,
            });
        }
    }
    candidates.sort_by(|(ja, a), (jb, b)| {
        let (ca, cb) = (&a.contribution, &b.contribution);
        (&ca.pseudonym, ca.consent.given, &ca.id, ja, &a.source).cmp(&(
            &cb.pseudonym,
            cb.consent.given,
            &cb.id,
            jb,
            &b.source,
        ))
    });

    // The newest contribution of each member (the last in the canonical order).
    let mut newest: BTreeMap<&str, usize> = BTreeMap::new();
    for (i, (_, r)) in candidates.iter().enumerate() {
        newest.insert(r.contribution.pseudonym.as_str(), i);
    }
    let newest: Vec<usize> = newest.into_values().collect();

    let mut applied = vec![false; revocations.len()];
    let mut included = Vec::new();
    for (i, (_, r)) in candidates.iter().enumerate() {
        let c = &r.contribution;
        let mut revoked = false;
        for (j, revocation) in revocations.iter().enumerate() {
            if revocation.revokes(c) {
                applied[j] = true;
                revoked = true;
            }
        }
        let current = newest.contains(&i);
        let reason = if revoked {
            Some(LeaveReason::Revoked)
        } else if c.consent.is_expired(options.today) {
            Some(LeaveReason::Expired)
        } else if !current {
            let head = newest
                .iter()
                .map(|n| &candidates[*n].1.contribution)
                .find(|n| n.pseudonym == c.pseudonym);
            if head.is_some_and(|h| h == c) {
                Some(LeaveReason::Duplicate)
            } else {
                Some(LeaveReason::Replaced)
            }
        } else {
            None
        };
        match reason {
            Some(reason) => left_out.push(LeftOut {
                source: r.source.clone(),
                reason,
            }),
            None => included.push(c.clone()),
        }
    }

    let unmatched = applied.iter().filter(|a| !**a).count();
    if unmatched > 0 {
        warnings.push(format!(
            "{unmatched} of {} revocations matched none of the contributions read",
            revocations.len()
        ));
    }

    let purpose = spelling(included.iter())
        .or_else(|| spelling(candidates.iter().map(|(_, r)| &r.contribution)));
    let purpose = purpose.or_else(|| options.purpose.clone());
    Selection {
        included,
        left_out,
        purpose,
        warnings,
    }
}
