//! Which contributions count: signed, one purpose, on the roster, the latest per key by its
//! signed counter, consent in force, not revoked.
//!
//! Everything here is sorted by the contributions' own content before any choice is made, so
//! the order the files were given in never changes the outcome.

use std::collections::BTreeMap;

use super::{LeaveReason, LeftOut, Options, Received};
use crate::contribution::{Contribution, MemberKey, Revocation, purpose_key};

/// The outcome of selection.
pub(crate) struct Selection {
    /// The contributions that count, in a canonical order; with a roster, their names are
    /// the roster's.
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
    most_common(counts)
}

fn most_common(counts: BTreeMap<String, usize>) -> Option<String> {
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
    most_common(counts)
}

pub(crate) fn select(
    received: Vec<Received>,
    revocations: &[Revocation],
    options: &Options,
) -> Selection {
    let mut warnings = Vec::new();
    let mut left_out = Vec::new();
    let leave = |left_out: &mut Vec<LeftOut>, source: &str, reason| {
        left_out.push(LeftOut::new(source, reason));
    };

    let (verified, unverified): (Vec<Received>, Vec<Received>) =
        received.into_iter().partition(|r| r.verified);
    for r in unverified {
        leave(&mut left_out, &r.source, LeaveReason::BadSignature);
    }
    let key = chosen_purpose(&verified, options.purpose.as_deref());
    let purposes: BTreeMap<String, ()> = verified
        .iter()
        .map(|r| (purpose_key(&r.contribution.purpose), ()))
        .collect();
    if options.purpose.is_none() && purposes.len() > 1 {
        warnings.push(format!(
            "contributions for {} different purposes arrived; only those for the most common \
             one are included, because a member's key differs between purposes and mixing \
             them could count one member twice",
            purposes.len()
        ));
    }

    // Purpose, then roster.
    let mut candidates: Vec<(String, Received)> = Vec::new();
    for mut r in verified {
        if Some(purpose_key(&r.contribution.purpose)) != key {
            leave(&mut left_out, &r.source, LeaveReason::OtherPurpose);
            continue;
        }
        if let Some(roster) = &options.roster {
            let Some(listed) = roster.name_of(&r.contribution.signer) else {
                leave(&mut left_out, &r.source, LeaveReason::NotOnRoster);
                continue;
            };
            match &r.contribution.consent.name {
                Some(name) if name != listed => {
                    leave(&mut left_out, &r.source, LeaveReason::NameNotOnRoster);
                    continue;
                }
                _ => {}
            }
            // The roster's spelling, exactly.
            if r.contribution.consent.name.is_some() {
                r.contribution.consent.name = Some(listed.to_owned());
            }
        }
        candidates.push((r.contribution.to_json(), r));
    }

    // A canonical order: by key, then by signed counter, then by content.
    candidates.sort_by(|(ja, a), (jb, b)| {
        let (ca, cb) = (&a.contribution, &b.contribution);
        (&ca.signer, ca.counter, ja, &a.source).cmp(&(&cb.signer, cb.counter, jb, &b.source))
    });

    // The latest contribution of each key: the last in the canonical order.
    let mut latest: BTreeMap<&MemberKey, usize> = BTreeMap::new();
    for (i, (_, r)) in candidates.iter().enumerate() {
        latest.insert(&r.contribution.signer, i);
    }
    let mut clashes = 0;
    for (i, (json, r)) in candidates.iter().enumerate() {
        let head = latest[&r.contribution.signer];
        let (head_json, h) = &candidates[head];
        if i != head && h.contribution.counter == r.contribution.counter && head_json != json {
            clashes += 1;
        }
    }
    if clashes > 0 {
        warnings.push(format!(
            "{clashes} contribution(s) carry the same counter as a different one from the same \
             key (a journal restored from a copy, most likely); one of each was kept"
        ));
    }
    let latest: Vec<usize> = latest.into_values().collect();

    let mut applied = vec![false; revocations.len()];
    let mut included = Vec::new();
    for (i, (json, r)) in candidates.iter().enumerate() {
        let c = &r.contribution;
        let mut revoked = false;
        for (j, revocation) in revocations.iter().enumerate() {
            if revocation.revokes(c) {
                applied[j] = true;
                revoked = true;
            }
        }
        let reason = if revoked {
            Some(LeaveReason::Revoked)
        } else if !latest.contains(&i) {
            let head = latest
                .iter()
                .map(|n| &candidates[*n])
                .find(|(_, h)| h.contribution.signer == c.signer);
            if head.is_some_and(|(hj, _)| hj == json) {
                Some(LeaveReason::Duplicate)
            } else {
                Some(LeaveReason::Replaced)
            }
        } else if c.consent.is_expired(options.today) {
            Some(LeaveReason::Expired)
        } else {
            None
        };
        match reason {
            Some(reason) => leave(&mut left_out, &r.source, reason),
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
