//! The steps each party takes, as pure functions of the files they hold.
//!
//! member → helper: one [`Report`] each. helper → leader: one [`Batch`]. leader → helper:
//! one [`Answer`]. Each co-facilitator then writes its [`ShareFile`], and the two together
//! give the totals ([`combine`]). Reading and writing files, and keeping ledgers on disk,
//! is the caller's.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;

use age::x25519::{Identity, Recipient};
use rand::seq::SliceRandom;
use sha2::{Digest, Sha256};
use tend_core::contribution::{Contribution, purpose_key};

use crate::ProtocolError;
use crate::files::{
    ANSWER_FORMAT, Answer, B64, BATCH_FORMAT, Batch, BatchEntry, BatchSlip, HELD_FORMAT,
    HeldReport, HelperState, REPORT_FORMAT, ReadExcerpt, Report, Role, SHARE_FORMAT, ShareFile,
    Slip, Verdict,
};
use crate::layout::Tally;
use crate::ledger::{Ledger, short};
use crate::plan::Plan;
use crate::seal::{open, seal};
use crate::vdaf::{HELPER, LEADER, Nonce, Vdaf, VerifyKey};

/// Lower-case hex.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

fn nonce_of(b: &B64) -> Result<Nonce, ProtocolError> {
    b.0.as_slice()
        .try_into()
        .map_err(|_| ProtocolError::Malformed("a nonce is not 16 bytes".into()))
}

fn recipient(text: &str, whose: &str) -> Result<Recipient, ProtocolError> {
    text.parse().map_err(|_| {
        ProtocolError::Inconsistent(format!(
            "the plan's {whose} recipient is not an age recipient"
        ))
    })
}

fn vdaf_for(plan: &Plan) -> Result<Vdaf, ProtocolError> {
    Vdaf::new(plan.layout()?.len(), &plan.fingerprint())
}

/// A member's report for `plan`, from the contribution their preview showed, not yet
/// signed: the caller signs [`Report::signed_bytes`] with the member's roster key and sets
/// `signer` and `signature`.
pub fn member_report(
    plan: &Plan,
    contribution: &Contribution,
    counter: u64,
) -> Result<Report, ProtocolError> {
    if purpose_key(&contribution.purpose) != purpose_key(&plan.purpose) {
        return Err(ProtocolError::Mismatch {
            kind: "contribution",
            what: "purpose",
        });
    }
    if contribution.excerpts.len() > plan.excerpt_slots {
        return Err(ProtocolError::TooLarge(format!(
            "this plan carries at most {} excerpt{} per member; you chose {}",
            plan.excerpt_slots,
            if plan.excerpt_slots == 1 { "" } else { "s" },
            contribution.excerpts.len()
        )));
    }
    let fingerprint = plan.fingerprint();
    let layout = plan.layout()?;
    let measurement = layout.encode(contribution)?;
    let sharded = vdaf_for(plan)?.shard(&measurement)?;
    let leader = recipient(&plan.leader, "leader's")?;
    let mut excerpts = Vec::with_capacity(plan.excerpt_slots);
    for slot in 0..plan.excerpt_slots {
        let slip = Slip::padded(&fingerprint, contribution.excerpts.get(slot).cloned())?;
        excerpts.push(B64(seal(std::slice::from_ref(&leader), &slip)?));
    }
    Ok(Report {
        format: REPORT_FORMAT.into(),
        version: 1,
        plan: fingerprint,
        nonce: B64(sharded.nonce.to_vec()),
        public_share: B64(sharded.public_share),
        helper_share: B64(sharded.helper_share),
        leader_share: B64(seal(&[leader], &sharded.leader_share)?),
        excerpts,
        named: contribution
            .consent
            .name
            .as_deref()
            .is_some_and(|n| !n.trim().is_empty()),
        revocation_hash: contribution.revocation_hash.clone(),
        counter,
        signer: String::new(),
        signature: String::new(),
    })
}

/// Why a report was left out.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
#[non_exhaustive]
pub enum Refusal {
    /// Its file could not be read or opened.
    Unreadable(String),
    /// Made for another plan.
    OtherPlan,
    /// Signed by a key that is not on the roster.
    NotOnRoster,
    /// Its signature does not hold: changed after signing, or forged.
    BadSignature,
    /// Its author revoked it.
    Revoked,
    /// A later report from the same roster key replaces it.
    Replaced,
    /// The same roster key sent another report with the same counter.
    Duplicate,
    /// A report from the same roster key was aggregated in an earlier batch.
    AlreadyCounted(String),
    /// This very report was aggregated in an earlier batch.
    AggregatedBefore(String),
    /// Its shares do not decode, or its figures did not pass the proof.
    Malformed(String),
}

impl fmt::Display for Refusal {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Unreadable(why) => write!(f, "could not be read ({why})"),
            Self::OtherPlan => f.write_str("made for another plan"),
            Self::NotOnRoster => f.write_str("not signed by a key on the roster"),
            Self::BadSignature => {
                f.write_str("its signature does not hold (changed after it was signed, or forged)")
            }
            Self::Revoked => f.write_str("its author revoked it"),
            Self::Replaced => f.write_str("replaced by a later report from the same member"),
            Self::Duplicate => f.write_str("a second report from the same member"),
            Self::AlreadyCounted(b) => write!(
                f,
                "this member's report was already aggregated, in batch {b}"
            ),
            Self::AggregatedBefore(b) => {
                write!(f, "this report was already aggregated, in batch {b}")
            }
            Self::Malformed(why) => write!(f, "its figures did not pass the check ({why})"),
        }
    }
}

/// A report the helper opened, with where it came from.
#[derive(Debug, Clone)]
pub struct Incoming {
    /// Usually the file name.
    pub source: String,
    /// The report.
    pub report: Report,
}

/// What the helper's first step gives.
#[derive(Debug)]
pub struct HelperBatch {
    /// For the leader (to be sealed to the leader).
    pub batch: Batch,
    /// For the helper itself (to be sealed to the helper).
    pub state: HelperState,
    /// Reports left out, with why.
    pub left_out: Vec<(String, Refusal)>,
}

/// The helper's first step: check every report against the roster (`roster` returns the
/// member's roster name, or why the report is refused), drop revoked ones (`revoked` is
/// asked each revocation hash), keep one report per roster key (the highest counter), refuse
/// keys and reports its ledger has seen, start verifying, and shuffle.
///
/// The batch is recorded in `ledger` before the minimum group is checked, so a batch that is
/// refused cannot be offered again in part.
pub fn helper_batch(
    plan: &Plan,
    incoming: Vec<Incoming>,
    roster: &dyn Fn(&Report) -> Result<String, Refusal>,
    revoked: &dyn Fn(&str) -> bool,
    ledger: &mut Ledger,
) -> Result<HelperBatch, ProtocolError> {
    let mut left_out = Vec::new();
    helper_batch_noting(plan, incoming, roster, revoked, ledger, &mut left_out)
}

/// [`helper_batch`], noting the reports left out in `left_out` even when the batch is
/// refused (so the helper can say why there were too few).
pub fn helper_batch_noting(
    plan: &Plan,
    incoming: Vec<Incoming>,
    roster: &dyn Fn(&Report) -> Result<String, Refusal>,
    revoked: &dyn Fn(&str) -> bool,
    ledger: &mut Ledger,
    left_out: &mut Vec<(String, Refusal)>,
) -> Result<HelperBatch, ProtocolError> {
    let fingerprint = plan.fingerprint();
    let vdaf = vdaf_for(plan)?;

    // Plan, roster and revocation first.
    let mut by_signer: BTreeMap<String, Vec<(Incoming, String)>> = BTreeMap::new();
    for inc in incoming {
        if inc.report.plan != fingerprint {
            left_out.push((inc.source, Refusal::OtherPlan));
            continue;
        }
        match roster(&inc.report) {
            Err(refusal) => left_out.push((inc.source, refusal)),
            Ok(_) if revoked(&inc.report.revocation_hash) => {
                left_out.push((inc.source, Refusal::Revoked));
            }
            Ok(name) => by_signer
                .entry(inc.report.signer.clone())
                .or_default()
                .push((inc, name)),
        }
    }

    // One report per roster key: the highest counter; a tie keeps none of them, because the
    // helper cannot tell which one the member meant.
    let mut chosen: Vec<(Incoming, String)> = Vec::new();
    for (signer, mut reports) in by_signer {
        if let Some(batch) = ledger.batch_of_signer(&signer) {
            let batch = short(batch);
            for (inc, _) in reports {
                left_out.push((inc.source, Refusal::AlreadyCounted(batch.clone())));
            }
            continue;
        }
        reports.sort_by_key(|(inc, _)| std::cmp::Reverse(inc.report.counter));
        let top = reports[0].0.report.counter;
        let tied = reports
            .iter()
            .filter(|(i, _)| i.report.counter == top)
            .count();
        let mut rest = reports.into_iter();
        if tied > 1 {
            for (inc, _) in rest.by_ref().take(tied) {
                left_out.push((inc.source, Refusal::Duplicate));
            }
        } else if let Some(first) = rest.next() {
            chosen.push(first);
        }
        for (inc, _) in rest {
            left_out.push((inc.source, Refusal::Replaced));
        }
    }

    // Reports the ledger has seen, then the helper's half of verification.
    let verify_key: VerifyKey = rand::random();
    let mut entries = Vec::new();
    let mut held = Vec::new();
    let mut slips = Vec::new();
    let mut signers = Vec::new();
    for (inc, name) in chosen {
        let r = &inc.report;
        let nonce = nonce_of(&r.nonce)?;
        if let Some(batch) = ledger.batch_of_report(&hex(&nonce)) {
            left_out.push((inc.source, Refusal::AggregatedBefore(short(batch))));
            continue;
        }
        if r.excerpts.len() != plan.excerpt_slots {
            left_out.push((
                inc.source,
                Refusal::Malformed("it does not have the plan's number of excerpt slots".into()),
            ));
            continue;
        }
        let verifying = match vdaf.verify_init(
            &verify_key,
            HELPER,
            &nonce,
            &r.public_share.0,
            &r.helper_share.0,
        ) {
            Ok(v) => v,
            Err(e) => {
                left_out.push((inc.source, Refusal::Malformed(e.to_string())));
                continue;
            }
        };
        entries.push(BatchEntry {
            nonce: r.nonce.clone(),
            public_share: r.public_share.clone(),
            leader_share: r.leader_share.clone(),
            helper_verifier: B64(verifying.share),
        });
        held.push(HeldReport {
            nonce: r.nonce.clone(),
            public_share: r.public_share.clone(),
            helper_share: r.helper_share.clone(),
            source: inc.source.clone(),
        });
        let named = r.named.then(|| name.clone());
        slips.extend(r.excerpts.iter().map(|sealed| BatchSlip {
            sealed: sealed.clone(),
            name: named.clone(),
        }));
        signers.push(r.signer.clone());
    }

    let batch_id = hex(&rand::random::<[u8; 16]>());
    ledger.record(
        &batch_id,
        held.iter().map(|h| hex(&h.nonce.0)).collect(),
        signers,
    )?;
    left_out.sort();
    if entries.len() < plan.min_group {
        return Err(ProtocolError::BelowMinGroup {
            count: entries.len(),
            min: plan.min_group,
        });
    }

    // The leader must not learn order of arrival: reports and slips are shuffled apart.
    let mut rng = rand::thread_rng();
    entries.shuffle(&mut rng);
    slips.shuffle(&mut rng);
    Ok(HelperBatch {
        batch: Batch {
            format: BATCH_FORMAT.into(),
            version: 1,
            plan: fingerprint.clone(),
            batch: batch_id.clone(),
            verify_key: B64(verify_key.to_vec()),
            reports: entries,
            excerpts: slips,
        },
        state: HelperState {
            format: HELD_FORMAT.into(),
            version: 1,
            plan: fingerprint,
            batch: batch_id,
            verify_key: B64(verify_key.to_vec()),
            reports: held,
        },
        left_out: left_out.clone(),
    })
}

/// Hex SHA-256 over the sorted nonces: what both shares must agree on.
fn digest_of(nonces: &mut [Vec<u8>]) -> String {
    nonces.sort();
    let mut h = Sha256::new();
    for n in nonces.iter() {
        h.update(n);
    }
    hex(&h.finalize())
}

/// What the leader's step gives.
#[derive(Debug)]
pub struct LeaderAnswer {
    /// For the helper (to be sealed to the helper).
    pub answer: Answer,
    /// The leader's aggregate share (to be sealed to both co-facilitators).
    pub share: ShareFile,
    /// How many reports did not pass the check.
    pub refused: usize,
    /// How many excerpt slots could not be read (damaged, for another plan, or holding
    /// text tend would not write), and were left out.
    pub unreadable_excerpts: usize,
}

/// The leader's step: refuse a batch its ledger has seen or that is smaller than the
/// minimum group; open each leader share, finish verifying with the helper's verifier share,
/// add up the output shares of the reports that pass; open the excerpt slots, drop the blank
/// ones and shuffle the rest.
///
/// The batch's reports are recorded in `ledger` first, whatever follows.
pub fn leader_answer(
    plan: &Plan,
    batch: &Batch,
    identities: &[Identity],
    ledger: &mut Ledger,
) -> Result<LeaderAnswer, ProtocolError> {
    let fingerprint = plan.fingerprint();
    if batch.plan != fingerprint {
        return Err(ProtocolError::Mismatch {
            kind: "batch",
            what: "plan",
        });
    }
    ledger.record(
        &batch.batch,
        batch.reports.iter().map(|r| hex(&r.nonce.0)).collect(),
        Vec::new(),
    )?;
    if batch.reports.len() < plan.min_group {
        return Err(ProtocolError::BelowMinGroup {
            count: batch.reports.len(),
            min: plan.min_group,
        });
    }
    let vdaf = vdaf_for(plan)?;
    let key: VerifyKey = batch
        .verify_key
        .0
        .as_slice()
        .try_into()
        .map_err(|_| ProtocolError::Malformed("the verification key is not 32 bytes".into()))?;
    let mut total = vdaf.empty();
    let mut verdicts = Vec::with_capacity(batch.reports.len());
    let mut accepted = Vec::new();
    for entry in &batch.reports {
        let nonce = nonce_of(&entry.nonce)?;
        let outcome = (|| {
            let share = open(&entry.leader_share.0, identities)?;
            let mine = vdaf.verify_init(&key, LEADER, &nonce, &entry.public_share.0, &share)?;
            let message = vdaf.combine(&mine, &entry.helper_verifier.0)?;
            let out = vdaf.finish(mine, &message)?;
            Ok::<_, ProtocolError>((message, out))
        })();
        match outcome {
            Ok((message, out)) => {
                total.add(&out)?;
                accepted.push(entry.nonce.0.clone());
                verdicts.push(Verdict {
                    nonce: entry.nonce.clone(),
                    message: Some(B64(message)),
                    refused: None,
                });
            }
            Err(e) => verdicts.push(Verdict {
                nonce: entry.nonce.clone(),
                message: None,
                refused: Some(e.to_string()),
            }),
        }
    }
    let refused = batch.reports.len() - accepted.len();
    if accepted.len() < plan.min_group {
        return Err(ProtocolError::BelowMinGroup {
            count: accepted.len(),
            min: plan.min_group,
        });
    }

    // A slot that does not open, is not a slot of this plan, or holds text tend would not
    // write is left out and counted: slots are shuffled apart from the reports, so nobody
    // can say whose it was, and one member's broken slot must not stop everyone's batch.
    let mut excerpts = Vec::new();
    let mut unreadable_excerpts = 0;
    for slip in &batch.excerpts {
        let read = open(&slip.sealed.0, identities).and_then(|plain| Slip::parse(&plain));
        match read {
            Ok(read) if read.plan == fingerprint => {
                if let Some(excerpt) = read.excerpt {
                    if excerpt_is_clean(&excerpt, plan) {
                        excerpts.push(ReadExcerpt {
                            excerpt,
                            name: slip.name.clone(),
                        });
                    } else {
                        unreadable_excerpts += 1;
                    }
                }
            }
            _ => unreadable_excerpts += 1,
        }
    }
    excerpts.shuffle(&mut rand::thread_rng());

    let members = accepted.len();
    Ok(LeaderAnswer {
        answer: Answer {
            format: ANSWER_FORMAT.into(),
            version: 1,
            plan: fingerprint.clone(),
            batch: batch.batch.clone(),
            verdicts,
        },
        share: ShareFile {
            format: SHARE_FORMAT.into(),
            version: 1,
            plan: fingerprint,
            batch: batch.batch.clone(),
            role: Role::Leader,
            members,
            reports: digest_of(&mut accepted),
            share: B64(total.encode()?),
            excerpts,
        },
        refused,
        unreadable_excerpts,
    })
}

/// Whether an excerpt holds only what tend's own share would write: text without control
/// or invisible reordering characters (line breaks and tabs aside), within the caps, and
/// only values of the plan.
fn excerpt_is_clean(excerpt: &tend_core::contribution::Excerpt, plan: &Plan) -> bool {
    use tend_core::contribution::limits::{MAX_EXCERPT_CHARS, MAX_NOTE_CHARS, is_unsafe_char};
    let clean = |text: &str, max: usize, multiline: bool| {
        text.chars().count() <= max
            && !text
                .chars()
                .any(|c| is_unsafe_char(c) && !(multiline && matches!(c, '\n' | '\t')))
    };
    clean(&excerpt.text, MAX_EXCERPT_CHARS, true)
        && excerpt
            .content_note
            .as_deref()
            .is_none_or(|n| clean(n, MAX_NOTE_CHARS, false))
        && excerpt
            .values
            .iter()
            .all(|v| plan.pack.values.iter().any(|p| &p.id == v))
}

/// What the helper's last step gives.
#[derive(Debug)]
pub struct HelperShare {
    /// The helper's aggregate share (to be sealed to both co-facilitators).
    pub share: ShareFile,
    /// Reports the leader refused, by the file they came from.
    pub refused: Vec<(String, Refusal)>,
}

/// The helper's last step: with the leader's verdicts, finish verifying the reports that
/// passed and add up their output shares.
pub fn helper_finish(
    plan: &Plan,
    state: &HelperState,
    answer: &Answer,
) -> Result<HelperShare, ProtocolError> {
    let fingerprint = plan.fingerprint();
    if state.plan != fingerprint || answer.plan != fingerprint {
        return Err(ProtocolError::Mismatch {
            kind: "answer",
            what: "plan",
        });
    }
    if answer.batch != state.batch {
        return Err(ProtocolError::Mismatch {
            kind: "answer",
            what: "batch",
        });
    }
    let held: BTreeMap<&[u8], &HeldReport> = state
        .reports
        .iter()
        .map(|h| (h.nonce.0.as_slice(), h))
        .collect();
    let answered: BTreeSet<&[u8]> = answer
        .verdicts
        .iter()
        .map(|v| v.nonce.0.as_slice())
        .collect();
    if answered.len() != answer.verdicts.len() || answered != held.keys().copied().collect() {
        return Err(ProtocolError::Inconsistent(
            "the leader's answer does not speak of exactly the reports in the batch".into(),
        ));
    }
    let vdaf = vdaf_for(plan)?;
    let key: VerifyKey = state
        .verify_key
        .0
        .as_slice()
        .try_into()
        .map_err(|_| ProtocolError::Malformed("the verification key is not 32 bytes".into()))?;
    let mut total = vdaf.empty();
    let mut accepted = Vec::new();
    let mut refused = Vec::new();
    for verdict in &answer.verdicts {
        let h = held[verdict.nonce.0.as_slice()];
        let Some(message) = &verdict.message else {
            let why = verdict.refused.clone().unwrap_or_default();
            refused.push((h.source.clone(), Refusal::Malformed(why)));
            continue;
        };
        let nonce = nonce_of(&h.nonce)?;
        let mine = vdaf.verify_init(&key, HELPER, &nonce, &h.public_share.0, &h.helper_share.0)?;
        let out = vdaf.finish(mine, &message.0)?;
        total.add(&out)?;
        accepted.push(h.nonce.0.clone());
    }
    if accepted.len() < plan.min_group {
        return Err(ProtocolError::BelowMinGroup {
            count: accepted.len(),
            min: plan.min_group,
        });
    }
    refused.sort();
    Ok(HelperShare {
        share: ShareFile {
            format: SHARE_FORMAT.into(),
            version: 1,
            plan: fingerprint,
            batch: state.batch.clone(),
            role: Role::Helper,
            members: accepted.len(),
            reports: digest_of(&mut accepted),
            share: B64(total.encode()?),
            excerpts: Vec::new(),
        },
        refused,
    })
}

/// The two shares together: the batch's totals, checked, and the excerpts.
#[derive(Debug, Clone)]
pub struct Combined {
    /// The totals.
    pub tally: Tally,
    /// The excerpts the leader read.
    pub excerpts: Vec<ReadExcerpt>,
    /// The batch id.
    pub batch: String,
}

/// Adds the leader's and the helper's aggregate shares (in either order) into the totals.
pub fn combine(plan: &Plan, a: &ShareFile, b: &ShareFile) -> Result<Combined, ProtocolError> {
    let fingerprint = plan.fingerprint();
    let (leader, helper) = match (a.role, b.role) {
        (Role::Leader, Role::Helper) => (a, b),
        (Role::Helper, Role::Leader) => (b, a),
        _ => {
            return Err(ProtocolError::Inconsistent(
                "a summary needs one share from the leader and one from the helper".into(),
            ));
        }
    };
    if leader.plan != fingerprint || helper.plan != fingerprint {
        return Err(ProtocolError::Mismatch {
            kind: "aggregate share",
            what: "plan",
        });
    }
    if leader.batch != helper.batch {
        return Err(ProtocolError::Mismatch {
            kind: "aggregate share",
            what: "batch",
        });
    }
    if leader.members != helper.members || leader.reports != helper.reports {
        return Err(ProtocolError::Inconsistent(
            "the two shares were added up over different reports".into(),
        ));
    }
    if leader.members < plan.min_group {
        return Err(ProtocolError::BelowMinGroup {
            count: leader.members,
            min: plan.min_group,
        });
    }
    let vdaf = vdaf_for(plan)?;
    let aggregate = vdaf.unshard(
        vdaf.decode_share(&leader.share.0)?,
        vdaf.decode_share(&helper.share.0)?,
        leader.members,
    )?;
    let tally = Tally::from_aggregate(&plan.layout()?, &aggregate, leader.members)?;
    Ok(Combined {
        tally,
        excerpts: leader.excerpts.clone(),
        batch: leader.batch.clone(),
    })
}
