//! `tend retreat aggregate`: each co-facilitator's steps in a co-facilitated retreat.
//!
//! helper: members' reports in, a shuffled batch for the leader out (and the helper's own
//! state, sealed to itself). leader: the batch in, an answer for the helper and the
//! leader's aggregate share out. helper again, with `--answer`: its own aggregate share.
//! Each step refuses a batch below the plan's minimum group and reports its ledger has
//! seen; the protocol itself lives in `tend_protocol::roles`.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use age::x25519::Identity;
use anyhow::Result;
use clap::{Args, ValueEnum};
use tend_core::contribution::limits::clean_for_terminal;
use tend_core::contribution::{MemberKey, Revocation, sha256_hex};
use tend_core::retreat::Roster;
use tend_protocol::files::{Answer, Batch, HelperState, Report};
use tend_protocol::roles::{self, Incoming, Refusal};
use tend_protocol::{Plan, Role};
use tend_store::{bundle, member};
use zeroize::Zeroizing;

use super::cofac::{
    check_free, open, read_ledger, read_plan, recipient, refused, seal_to, write_ledger,
};
use super::roster::read_roster;
use crate::context::Ctx;
use crate::failure::fail;
use crate::{note, say, secrets};

/// Which co-facilitator is taking a step.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum As {
    /// Receives members' reports; later finishes with the leader's answer
    Helper,
    /// Receives the helper's batch
    Leader,
}

/// Take your step as a co-facilitator (-i names your identity file).
///
/// helper, with members' report files: checks each against the roster (one per key, signed
/// by it), applies revocations, and writes a shuffled batch for the leader (-o) and your own
/// state (--state). leader, with the batch: writes an answer for the helper (-o) and your
/// aggregate share (--share). helper, with --answer and --state: writes your aggregate share
/// (--share). A batch smaller than the plan's minimum group, and any report aggregated
/// before, are refused.
#[derive(Debug, Args)]
pub struct Aggregate {
    /// Your part: helper or leader
    #[arg(long = "as", value_enum, value_name = "ROLE")]
    role: As,
    /// The retreat's plan
    #[arg(long, value_name = "FILE")]
    plan: PathBuf,
    /// Your ledger of what you aggregated (made on first use; keep it for the whole retreat)
    #[arg(long, value_name = "FILE")]
    ledger: PathBuf,
    /// Members' reports (helper), or the helper's batch (leader)
    #[arg(value_name = "FILES")]
    files: Vec<PathBuf>,
    /// The roster (helper)
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Revocation files members sent (helper)
    #[arg(long, value_name = "FILES", num_args = 1..)]
    revocations: Vec<PathBuf>,
    /// The leader's answer (helper, last step)
    #[arg(long, value_name = "FILE")]
    answer: Option<PathBuf>,
    /// Your own state between your two steps (helper)
    #[arg(long, value_name = "FILE")]
    state: Option<PathBuf>,
    /// Where to write your aggregate share (leader; helper's last step)
    #[arg(long, value_name = "FILE")]
    share: Option<PathBuf>,
    /// Where to write the batch (helper) or the answer (leader)
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
    /// Replace files that exist
    #[arg(long)]
    force: bool,
}

fn needs(flag: &str, what: &str) -> anyhow::Error {
    fail(format!("this step needs {flag}"))
        .hint(format!("add {flag} FILE ({what})"))
        .into()
}

impl Aggregate {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let Some(identity_path) = &ctx.global.identity else {
            return Err(fail("a co-facilitator's step needs your identity file")
                .hint("add -i FILE: the file `tend retreat keygen` wrote for you")
                .into());
        };
        let plan = read_plan(&self.plan)?;
        let identities = secrets::load_identities(identity_path)?;
        match (self.role, &self.answer) {
            (As::Helper, None) => self.helper_batch(&plan, &identities),
            (As::Helper, Some(answer)) => self.helper_finish(&plan, &identities, answer),
            (As::Leader, _) => self.leader(&plan, &identities),
        }
    }

    fn helper_batch(&self, plan: &Plan, identities: &[Identity]) -> Result<ExitCode> {
        let output = self
            .output
            .as_deref()
            .ok_or_else(|| needs("-o", "the batch"))?;
        let state = self
            .state
            .as_deref()
            .ok_or_else(|| needs("--state", "kept by you"))?;
        let roster_path = self
            .roster
            .as_deref()
            .ok_or_else(|| needs("--roster", "the roster"))?;
        check_free(output, self.force)?;
        check_free(state, self.force)?;
        let roster = read_roster(roster_path)?;
        if roster.fingerprint() != plan.roster {
            return Err(fail("this roster is not the one the plan was made with")
                .hint("use the roster file the plan was made from; nothing was aggregated")
                .into());
        }
        if self.files.is_empty() {
            return Err(fail("no reports were given")
                .hint("name the members' report files")
                .into());
        }
        let mut hashes = Vec::new();
        for path in &self.revocations {
            let plain = open(path, identities, "the revocation")?;
            let revocation = Revocation::parse(&plain).map_err(|e| {
                fail(format!("could not read the revocation {}: {e}", path.display()))
                    .hint("nothing was aggregated, so no withdrawn report is counted; ask the member for a fresh copy")
            })?;
            if let Some(token) = unhex(&revocation.token) {
                hashes.push(sha256_hex(&token));
            }
        }
        let mut incoming = Vec::new();
        let mut unreadable = Vec::new();
        for path in &self.files {
            let source = path.display().to_string();
            match read_report(path, identities) {
                Ok(report) => incoming.push(Incoming { source, report }),
                Err(why) => unreadable.push((source, Refusal::Unreadable(why))),
            }
        }
        let mut ledger = read_ledger(&self.ledger, Role::Helper, plan)?;
        let check = |r: &Report| on_roster(&roster, r);
        let revoked = |hash: &str| hashes.iter().any(|h| h.eq_ignore_ascii_case(hash));
        let mut left_out = unreadable;
        let made = roles::helper_batch_noting(
            plan,
            incoming,
            &check,
            &revoked,
            &mut ledger,
            &mut left_out,
        );
        write_ledger(&self.ledger, &ledger)?;
        left_out.sort();
        print_left_out(&left_out);
        let made = made.map_err(|e| refused(e, "nothing was written"))?;
        seal_to(
            output,
            &Zeroizing::new(made.batch.to_json()),
            &[recipient(plan, Role::Leader)?],
            self.force,
        )?;
        seal_to(
            state,
            &Zeroizing::new(made.state.to_json()),
            &[recipient(plan, Role::Helper)?],
            self.force,
        )?;
        say!(
            "Wrote a batch of {} reports for the leader to {} (batch {}).",
            made.batch.reports.len(),
            output.display(),
            tend_protocol::ledger::short(&made.batch.batch)
        );
        note!(
            "Kept your own state in {}; you need it for your last step.",
            state.display()
        );
        crate::commands::done()
    }

    fn leader(&self, plan: &Plan, identities: &[Identity]) -> Result<ExitCode> {
        let output = self
            .output
            .as_deref()
            .ok_or_else(|| needs("-o", "the answer for the helper"))?;
        let share = self
            .share
            .as_deref()
            .ok_or_else(|| needs("--share", "your aggregate share"))?;
        let [batch_path] = self.files.as_slice() else {
            return Err(
                fail("the leader's step takes exactly one file: the helper's batch")
                    .hint("name the batch file the helper sent")
                    .into(),
            );
        };
        check_free(output, self.force)?;
        check_free(share, self.force)?;
        let plain = open(batch_path, identities, "the batch")?;
        let batch = Batch::parse(&plain).map_err(|e| {
            fail(format!("{}: {e}", batch_path.display()))
                .hint("ask the helper for the batch again")
        })?;
        let mut ledger = read_ledger(&self.ledger, Role::Leader, plan)?;
        let answered = roles::leader_answer(plan, &batch, identities, &mut ledger);
        write_ledger(&self.ledger, &ledger)?;
        let answered = answered.map_err(|e| refused(e, "nothing was written"))?;
        let both = [
            recipient(plan, Role::Leader)?,
            recipient(plan, Role::Helper)?,
        ];
        seal_to(output, &answered.answer.to_json(), &both[1..], self.force)?;
        seal_to(
            share,
            &Zeroizing::new(answered.share.to_json()),
            &both,
            self.force,
        )?;
        say!(
            "Checked {} reports: {} passed, {} did not. Wrote the answer for the helper to {} and \
             your aggregate share to {}.",
            batch.reports.len(),
            answered.share.members,
            answered.refused,
            output.display(),
            share.display()
        );
        if answered.unreadable_excerpts > 0 {
            note!(
                "{} excerpt slot(s) could not be read (damaged, made for another plan, or                  holding text tend does not write) and were left out; nobody can tell whose.",
                answered.unreadable_excerpts
            );
        }
        crate::commands::done()
    }

    fn helper_finish(
        &self,
        plan: &Plan,
        identities: &[Identity],
        answer_path: &Path,
    ) -> Result<ExitCode> {
        let state_path = self
            .state
            .as_deref()
            .ok_or_else(|| needs("--state", "from your first step"))?;
        let share = self
            .share
            .as_deref()
            .ok_or_else(|| needs("--share", "your aggregate share"))?;
        check_free(share, self.force)?;
        let state = open(state_path, identities, "your state")?;
        let state = HelperState::parse(&state).map_err(|e| {
            fail(format!("{}: {e}", state_path.display()))
                .hint("use the --state file your first step wrote")
        })?;
        let answer = open(answer_path, identities, "the leader's answer")?;
        let answer = Answer::parse(&answer).map_err(|e| {
            fail(format!("{}: {e}", answer_path.display()))
                .hint("ask the leader for the answer again")
        })?;
        let finished = roles::helper_finish(plan, &state, &answer)
            .map_err(|e| refused(e, "nothing was written"))?;
        let both = [
            recipient(plan, Role::Leader)?,
            recipient(plan, Role::Helper)?,
        ];
        seal_to(
            share,
            &Zeroizing::new(finished.share.to_json()),
            &both,
            self.force,
        )?;
        say!(
            "Wrote your aggregate share of {} reports to {}.",
            finished.share.members,
            share.display()
        );
        print_left_out(&finished.refused);
        crate::commands::done()
    }
}

/// Opens and reads one member's report; why not, in words.
fn read_report(path: &Path, identities: &[Identity]) -> Result<Report, String> {
    // Sealing adds a header and a tag per 64 KiB chunk: a little over 1/1000.
    let limit = tend_protocol::files::MAX_REPORT_BYTES as u64 * 1001 / 1000 + 4096;
    let size = std::fs::metadata(path).map_err(|e| e.to_string())?.len();
    if size > limit {
        return Err("larger than any report tend writes".into());
    }
    let bytes = std::fs::read(path).map_err(|e| e.to_string())?;
    let plain = bundle::open(&bytes, identities).map_err(|e| e.to_string())?;
    Report::parse(&Zeroizing::new(plain)).map_err(|e| e.to_string())
}

/// The roster's name for a report's signer, when the key is listed and its signature holds.
fn on_roster(roster: &Roster, report: &Report) -> Result<String, Refusal> {
    let key = MemberKey::parse(&report.signer).map_err(|_| Refusal::NotOnRoster)?;
    let name = roster.name_of(&key).ok_or(Refusal::NotOnRoster)?;
    let signature = unhex(&report.signature).ok_or(Refusal::BadSignature)?;
    if !member::verify_report(&key, &report.signed_bytes(), &signature) {
        return Err(Refusal::BadSignature);
    }
    Ok(name.to_owned())
}

fn print_left_out(left: &[(String, Refusal)]) {
    for (source, why) in left {
        note!(
            "  left out {}: {}",
            clean_for_terminal(source),
            clean_for_terminal(&why.to_string())
        );
    }
}

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}
