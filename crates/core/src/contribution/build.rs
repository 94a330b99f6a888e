//! Building a contribution from a member's journal.
//!
//! Everything random or secret (the id, the pseudonym, the revocation token's hash) and the
//! moment of consent come from the caller, so building is a pure function of its inputs.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use chrono::{DateTime, NaiveDate, Utc};

use super::{
    Aggregates, ConsentTerms, Contribution, ContributionError, Excerpt, FORMAT, MemberKey, PackRef,
    Period, RepairAggregate, VERSION, ValueAggregate, ValueRef, covered_fingerprint, is_sha256_hex,
};
use crate::commitment::Commitment;
use crate::id::RecordId;
use crate::pack::ValuesPack;
use crate::reflection::Reflection;
use crate::repair::Repair;

/// Everything a contribution is built from, apart from the journal's records.
#[derive(Debug, Clone)]
pub struct ContributionRequest<'a> {
    /// A fresh random id.
    pub id: String,
    /// What the contribution is for.
    pub purpose: String,
    /// The member's public key for this purpose (derived by the journal from a secret and
    /// [`super::purpose_key`]).
    pub signer: MemberKey,
    /// One more than the number of contributions the journal has signed for this purpose.
    pub counter: u64,
    /// The member's values pack.
    pub pack: &'a ValuesPack,
    /// The days to count.
    pub period: Period,
    /// The values to cover; empty means every value the member named in the period.
    pub values: Vec<String>,
    /// The reflections to share as excerpts, with their ids.
    pub excerpts: Vec<(RecordId, Reflection)>,
    /// The name to be known by; `None` (or blank) for anonymous.
    pub name: Option<String>,
    /// The last day the contribution may be used.
    pub expires: Option<NaiveDate>,
    /// The moment consent is given (the contribution keeps only its day).
    pub given: DateTime<Utc>,
    /// Hex SHA-256 of the revocation token (see [`super::RevocationToken::hash`]).
    pub revocation_hash: String,
}

/// A contribution that cannot be built as asked.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum BuildError {
    /// No purpose was given.
    #[error("a contribution needs a purpose: a few words on what it is for")]
    EmptyPurpose,
    /// A value to cover is not in the pack.
    #[error("the values pack has no value with the id {0:?}")]
    UnknownValue(String),
    /// The period ends before it starts.
    #[error("the period ends ({until}) before it starts ({since})")]
    PeriodBackwards {
        /// The first day asked for.
        since: NaiveDate,
        /// The last day asked for.
        until: NaiveDate,
    },
    /// An excerpt's reflection is outside the period being shared.
    #[error("an excerpt's reflection is about {on}, outside the period you are sharing")]
    ExcerptOutsidePeriod {
        /// The reflection's id.
        id: RecordId,
        /// The day it is about.
        on: NaiveDate,
    },
    /// The expiry would be over before consent is given.
    #[error("consent that expires on {expires} would already be over")]
    ExpiresInPast {
        /// The expiry asked for.
        expires: NaiveDate,
    },
    /// The revocation hash is not a hex SHA-256 digest.
    #[error("the revocation hash is not a SHA-256 digest")]
    BadRevocationHash,
    /// The contribution would break a cap or shape a facilitator's tend checks, so it would
    /// be left out of the summary.
    #[error("a facilitator's tend would not read this contribution: {0}")]
    WouldNotRead(String),
}

impl ContributionRequest<'_> {
    /// Counts the member's records within the period and assembles the contribution.
    ///
    /// Reflections count by the day they are about, commitments by when they were made,
    /// repairs by when they were opened. A reflection that names a value twice counts once,
    /// with its first rating; a rating off the pack's scale counts as no rating.
    pub fn build<R, C, P>(
        self,
        reflections: R,
        commitments: C,
        repairs: P,
    ) -> Result<Contribution, BuildError>
    where
        R: IntoIterator<Item = (u64, Reflection)>,
        C: IntoIterator<Item = Commitment>,
        P: IntoIterator<Item = Repair>,
    {
        self.check()?;
        let pack = self.pack;
        let period = self.period;
        let chosen = dedup(&self.values);

        // Per value: reflections, and ratings on the pack's scale.
        let mut counts: BTreeMap<String, (u32, BTreeMap<u8, u32>)> = BTreeMap::new();
        let mut seen = HashSet::new();
        for (id, reflection) in reflections {
            if !period.contains(reflection.on) || !seen.insert(id) {
                continue;
            }
            for (value, rating) in first_ratings(&reflection) {
                if !chosen.is_empty() && !chosen.contains(&value) {
                    continue;
                }
                let (n, ratings) = counts.entry(value).or_default();
                *n = n.saturating_add(1);
                if let Some(r) = rating.filter(|r| pack.scale.contains(*r)) {
                    let c = ratings.entry(r).or_default();
                    *c = c.saturating_add(1);
                }
            }
        }

        // The values covered: those chosen, or those named (in the period or in an excerpt).
        let mut covered: BTreeSet<String> = if chosen.is_empty() {
            counts.keys().cloned().collect()
        } else {
            chosen.iter().cloned().collect()
        };
        if chosen.is_empty() {
            for (_, r) in &self.excerpts {
                covered.extend(r.values.iter().map(|v| v.value.clone()));
            }
        }
        let ordered = pack_order(pack, &covered);

        let mut excerpts = Vec::new();
        let mut shared = HashSet::new();
        for (id, reflection) in &self.excerpts {
            if !shared.insert(*id) {
                continue;
            }
            if !period.contains(reflection.on) {
                return Err(BuildError::ExcerptOutsidePeriod {
                    id: *id,
                    on: reflection.on,
                });
            }
            excerpts.push(Excerpt {
                values: first_ratings(reflection)
                    .into_iter()
                    .map(|(v, _)| v)
                    .filter(|v| covered.contains(v))
                    .collect(),
                text: reflection.text.clone(),
                content_note: reflection
                    .content_note
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            });
        }

        let values = ordered
            .iter()
            .map(|v| {
                let (reflections, ratings) = counts.remove(&v.id).unwrap_or_default();
                ValueAggregate {
                    id: v.id.clone(),
                    reflections,
                    ratings,
                }
            })
            .collect();

        let in_period = |at: Option<DateTime<Utc>>| {
            at.map_or(period.is_unbounded(), |t| period.contains(t.date_naive()))
        };
        let mut commitment_counts = BTreeMap::new();
        for c in commitments.into_iter().filter(|c| in_period(c.made())) {
            let n: &mut u32 = commitment_counts.entry(c.state).or_default();
            *n = n.saturating_add(1);
        }
        let mut repair_counts = RepairAggregate::default();
        for r in repairs.into_iter().filter(|r| in_period(Some(r.opened))) {
            let n = if r.is_open() {
                &mut repair_counts.open
            } else {
                &mut repair_counts.closed
            };
            *n = n.saturating_add(1);
            for part in r.tended() {
                let n = repair_counts.tended.entry(part).or_default();
                *n = n.saturating_add(1);
            }
        }

        let contribution = Contribution {
            format: FORMAT.to_owned(),
            version: VERSION,
            id: self.id,
            purpose: self
                .purpose
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" "),
            signer: self.signer,
            counter: self.counter,
            pack: PackRef {
                fingerprint: covered_fingerprint(&ordered, &pack.scale),
                values: ordered,
                scale: pack.scale.clone(),
            },
            period,
            consent: ConsentTerms {
                given: self.given.date_naive(),
                expires: self.expires,
                name: self
                    .name
                    .as_deref()
                    .map(str::trim)
                    .filter(|n| !n.is_empty())
                    .map(str::to_owned),
            },
            revocation_hash: self.revocation_hash.to_ascii_lowercase(),
            aggregates: Aggregates {
                values,
                commitments: commitment_counts,
                repairs: repair_counts,
            },
            excerpts,
        };
        contribution.check().map_err(|e| match e {
            ContributionError::Inconsistent(why) => BuildError::WouldNotRead(why),
            other => BuildError::WouldNotRead(other.to_string()),
        })?;
        Ok(contribution)
    }

    fn check(&self) -> Result<(), BuildError> {
        if self.purpose.trim().is_empty() {
            return Err(BuildError::EmptyPurpose);
        }
        if let (Some(since), Some(until)) = (self.period.since, self.period.until)
            && since > until
        {
            return Err(BuildError::PeriodBackwards { since, until });
        }
        if let Some(v) = self.values.iter().find(|v| self.pack.value(v).is_none()) {
            return Err(BuildError::UnknownValue(v.clone()));
        }
        if let Some(expires) = self.expires
            && expires < self.given.date_naive()
        {
            return Err(BuildError::ExpiresInPast { expires });
        }
        if !is_sha256_hex(&self.revocation_hash) {
            return Err(BuildError::BadRevocationHash);
        }
        Ok(())
    }
}

/// The values a reflection names, each once, with the first rating given for it.
fn first_ratings(reflection: &Reflection) -> Vec<(String, Option<u8>)> {
    let mut out: Vec<(String, Option<u8>)> = Vec::new();
    for vr in &reflection.values {
        if !out.iter().any(|(v, _)| *v == vr.value) {
            out.push((vr.value.clone(), vr.rating));
        }
    }
    out
}

fn dedup(values: &[String]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for v in values {
        let v = v.trim();
        if !out.iter().any(|o| o == v) {
            out.push(v.to_owned());
        }
    }
    out
}

/// The covered values in the pack's order; ids the pack does not know (from an older
/// journal) come last, named by their id.
fn pack_order(pack: &ValuesPack, covered: &BTreeSet<String>) -> Vec<ValueRef> {
    let mut out: Vec<ValueRef> = pack
        .values
        .iter()
        .filter(|v| covered.contains(&v.id))
        .map(|v| ValueRef {
            id: v.id.clone(),
            name: v.name.clone(),
        })
        .collect();
    for id in covered {
        if pack.value(id).is_none() {
            out.push(ValueRef {
                id: id.clone(),
                name: id.clone(),
            });
        }
    }
    out
}
