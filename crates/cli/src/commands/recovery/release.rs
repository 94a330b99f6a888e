//! `tend recovery release`: a trustee sees whose share a file holds, then releases it,
//! sealed to the member's new key. No journal is opened or needed.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_store::recovery::Share;

use crate::context::Ctx;
use crate::failure::fail;
use crate::{files, note, prompt, say};

/// Release your share to a member.
#[derive(Debug, Args)]
pub struct Release {
    /// The share file the member gave you
    share: PathBuf,
    /// The member's new age recipient (age1…), from the member themselves
    #[arg(long, value_name = "AGE1…")]
    to: String,
    /// Where to write the released share [default: a name in the current folder]
    #[arg(long, short = 'o', value_name = "FILE")]
    out: Option<PathBuf>,
    /// Release without asking (for scripts; read what it shows first)
    #[arg(long)]
    yes: bool,
}

impl Release {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let ids = super::identities(ctx, "releasing a share")?;
        let to = super::recipient(&self.to, "--to")?;
        let bytes = super::read_share_file(&self.share)?;
        let share = Share::open(&bytes, &ids).map_err(|e| super::share_failure(&self.share, &e))?;
        note!(
            "This is {}'s share of {}'s recovery set {}, made {}.",
            share.trustee,
            share.member,
            share.set.short(),
            share.made.format("%Y-%m-%d %H:%M UTC")
        );
        note!(
            "  share {} of {}; any {} together open {}'s journal (fingerprint {}).",
            share.x,
            share.count,
            share.threshold,
            share.member,
            share.journal_fingerprint()
        );
        note!("  It will be sealed to {to}.");
        if ids
            .iter()
            .any(|i| i.to_public().to_string() == to.to_string())
        {
            note!("  note: that is your own key, not the member's new one.");
        }
        let question = format!(
            "Release it to {}? Only do this if {} asked you, in a way you trust",
            share.member, share.member
        );
        if !self.yes {
            if !prompt::interactive() {
                return Err(fail(
                    "releasing a share needs your yes, and there is no terminal to ask on",
                )
                .hint("read the lines above, then run again with --yes")
                .into());
            }
            if !prompt::confirm(&question, false)? {
                say!("Nothing was released.");
                return super::super::done();
            }
        }
        let sealed = share
            .seal(&to)
            .map_err(|e| super::share_failure(&self.share, &e))?;
        let out = self.out.unwrap_or_else(|| {
            PathBuf::from(format!(
                "tend-recovery-{}-from-{}-{}.released.age",
                super::slug(&share.member),
                super::slug(&share.trustee),
                share.set.short()
            ))
        });
        files::write_private(&out, &sealed, false)?;
        say!(
            "Released {}'s share to {}: {}",
            share.trustee,
            share.member,
            out.display()
        );
        say!(
            "Give it to {}; it opens only with their new key.",
            share.member
        );
        super::super::done()
    }
}
