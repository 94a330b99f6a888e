//! `tend recovery restore`: combine released shares, open the journal, choose a new
//! passphrase; the old passphrase and the spent set open nothing afterwards.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::reflection::Reflection;
use tend_store::recovery::{CombineError, RecoveryState, Share, Trustee};

use crate::context::Ctx;
use crate::failure::fail;
use crate::{prompt, rekey, say, secrets};

/// Open a journal with released shares.
#[derive(Debug, Args)]
pub struct Restore {
    /// The journal file to open
    journal: PathBuf,
    /// The shares your trustees released to you (k of them, or more)
    #[arg(required = true, value_name = "SHARE")]
    shares: Vec<PathBuf>,
    /// Read the new passphrase from this file instead of asking
    #[arg(long, value_name = "FILE")]
    new_passphrase_file: Option<PathBuf>,
    /// Make a new recovery set for the same trustees afterwards, writing its shares in DIR
    #[arg(long, value_name = "DIR", conflicts_with = "no_new_set")]
    new_set: Option<PathBuf>,
    /// Do not offer to make a new recovery set
    #[arg(long)]
    no_new_set: bool,
    /// Go ahead without asking (for scripts)
    #[arg(long)]
    yes: bool,
}

impl Restore {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let ids = super::identities(ctx, "restoring a journal")?;
        let mut shares = Vec::new();
        for path in &self.shares {
            let bytes = super::read_share_file(path)?;
            shares.push(Share::open(&bytes, &ids).map_err(|e| super::share_failure(path, &e))?);
        }
        let mut journal = tend_store::recovery::restore(&self.journal, &shares)
            .map_err(|e| combine_failure(e, &self.shares, &shares))?;
        let set = match journal.recovery()? {
            RecoveryState::Ready(s) | RecoveryState::Broken(s) => Some(s),
            _ => None,
        };
        let first = &shares[0];
        say!(
            "The shares of {} open {}'s journal (recovery set {}, made {}).",
            names(&shares),
            first.member,
            first.set.short(),
            first.made.date_naive()
        );
        if !self.yes {
            if !prompt::interactive() {
                return Err(
                    fail("restoring needs your yes, and there is no terminal to ask on")
                        .hint("run again with --yes; nothing was changed")
                        .into(),
                );
            }
            if !prompt::confirm(
                "Choose a new passphrase now? The old one and this recovery set will open nothing afterwards",
                true,
            )? {
                say!("Nothing was changed.");
                return super::super::done();
            }
        }
        let unlocker = secrets::new_passphrase(
            self.new_passphrase_file.as_deref(),
            "a new passphrase for your journal",
        )?;
        let was_held = crate::sitting::holds(&journal.id());
        let (done, id) = journal.finish_recovery(&unlocker, ctx.now(), &mut rekey::progress())?;
        crate::sitting::key_changed(&journal, was_held);
        let count = journal.count::<Reflection>()?;
        say!(
            "Your journal opens with the new passphrase (unlocker {id}), and everything is there: {}.",
            crate::output::count(count, "reflection", "reflections")
        );
        say!(
            "It has a new key ({}): the old passphrase and the shares of set {} open nothing in it.",
            rekey::summary(&done),
            first.set.short()
        );
        self.offer_new_set(ctx, &mut journal, set.as_ref())?;
        super::super::done()
    }

    fn offer_new_set(
        &self,
        ctx: &Ctx,
        journal: &mut tend_store::Journal,
        old: Option<&tend_store::recovery::RecoverySet>,
    ) -> Result<()> {
        let Some(old) = old else {
            say!("Make a new recovery set with `tend recovery setup` when you are ready.");
            return Ok(());
        };
        let who: Vec<&str> = old.trustees.iter().map(|t| t.name.as_str()).collect();
        let dir = if self.no_new_set {
            None
        } else if let Some(dir) = &self.new_set {
            Some(dir.clone())
        } else if prompt::interactive()
            && prompt::confirm(
                &format!(
                    "Make a new recovery set for the same trustees ({}), {} of {}?",
                    who.join(", "),
                    old.threshold,
                    who.len()
                ),
                true,
            )?
        {
            Some(PathBuf::from("."))
        } else {
            None
        };
        let Some(dir) = dir else {
            say!(
                "That recovery set is spent. Make a new one with `tend recovery setup` (your trustees were {}).",
                who.join(", ")
            );
            return Ok(());
        };
        let mut trustees = Vec::new();
        for t in &old.trustees {
            trustees.push(Trustee {
                name: t.name.clone(),
                recipient: super::recipient(&t.recipient, &t.name)?,
            });
        }
        super::setup::make_set(
            ctx,
            journal,
            &old.member,
            old.threshold,
            &trustees,
            Some(&dir),
        )?;
        Ok(())
    }
}

fn names(shares: &[Share]) -> String {
    let names: Vec<&str> = shares.iter().map(|s| s.trustee.as_str()).collect();
    match names.as_slice() {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [rest @ .., last] => format!("{} and {last}", rest.join(", ")),
    }
}

fn combine_failure(e: CombineError, paths: &[PathBuf], shares: &[Share]) -> anyhow::Error {
    let named = |i: usize| -> String {
        let p = paths
            .get(i)
            .map_or_else(String::new, |p: &PathBuf| p.display().to_string());
        match shares.get(i) {
            Some(s) => format!("{p} ({}'s share)", s.trustee),
            None => p,
        }
    };
    let f = match e {
        CombineError::Journal(e) => return e.into(),
        CombineError::NoShares => fail("no shares were given").hint("give the released share files"),
        CombineError::TooFew { have, need } => fail(format!(
            "{} of the {need} shares this recovery set needs; {} more must be released",
            if have == 1 { "this is 1".to_owned() } else { format!("these are {have}") },
            usize::from(need).saturating_sub(have)
        ))
        .hint("ask more of your trustees to release their shares with `tend recovery release`; nothing was changed"),
        CombineError::OtherJournal { index, theirs, ours } => fail(format!(
            "{} is a share for another journal (fingerprint {theirs}; this journal is {ours})",
            named(index)
        ))
        .hint("leave that share out, or give the journal it belongs to"),
        CombineError::OtherSet { index, other, other_journal } => fail(format!(
            "{} belongs to another recovery set{} than {}",
            named(index),
            if other_journal { " and another journal" } else { "" },
            named(other)
        ))
        .hint(set_hint(shares.get(index), shares.get(other))),
        CombineError::Duplicate { index, first } => fail(format!(
            "{} is the same share as {}",
            named(index),
            named(first)
        ))
        .hint("each trustee's share counts once; ask another trustee"),
        CombineError::Disagree { index, sure: true, .. } => fail(format!(
            "{} is damaged or forged: it disagrees with the other shares about their set",
            named(index)
        ))
        .hint("leave it out and ask that trustee, or another, for a share"),
        CombineError::Disagree { index, other, .. } => fail(format!(
            "{} and {} disagree about their set: one of them is damaged or forged",
            named(index),
            named(other)
        ))
        .hint("add a third trustee's share, and tend can tell which one is wrong"),
        CombineError::OpensNothing { made } => fail(format!(
            "these shares (of the set made {}) open nothing in this journal",
            made.date_naive()
        ))
        .hint("a newer `tend recovery setup` replaced that set, or a share was forged; use the newest shares, or a copy of the journal from before that setup"),
        _ => fail("these shares cannot be combined"),
    };
    f.into()
}

fn set_hint(odd: Option<&Share>, main: Option<&Share>) -> String {
    match (odd, main) {
        (Some(o), Some(m)) => format!(
            "that share is of {}'s set made {}, the others of {}'s set made {}; leave it out",
            o.member,
            o.made.date_naive(),
            m.member,
            m.made.date_naive()
        ),
        _ => "leave that share out".into(),
    }
}
