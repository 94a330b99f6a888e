//! `tend recovery setup`: make a recovery set and write one sealed share per trustee.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_store::Journal;
use tend_store::recovery::{RecoverySet, RecoveryState, Trustee};

use crate::context::Ctx;
use crate::failure::fail;
use crate::{files, note, rekey, say};

/// Make a recovery set.
#[derive(Debug, Args)]
pub struct Setup {
    /// How many trustees together can help you back in (at least 2; 2 of 3 or 3 of 5 are
    /// good choices)
    #[arg(long, short = 'k', value_name = "K")]
    threshold: u8,
    /// A trustee and their age recipient, as NAME=age1… (repeat for each)
    #[arg(long = "trustee", value_name = "NAME=AGE1…")]
    trustees: Vec<String>,
    /// A file of trustees, one NAME=age1… a line (# starts a comment)
    #[arg(long = "trustees-file", value_name = "FILE")]
    trustees_file: Option<PathBuf>,
    /// Your name as your trustees know you: each share shows it, so a trustee can tell
    /// whose share they are asked for [default: the name of the set it replaces]
    #[arg(long, value_name = "NAME")]
    member: Option<String>,
    /// The folder to write the share files in [default: the current folder]
    #[arg(long, value_name = "DIR")]
    out: Option<PathBuf>,
}

impl Setup {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let mut trustees = Vec::new();
        for t in &self.trustees {
            trustees.push(parse_trustee(t, "--trustee")?);
        }
        if let Some(file) = &self.trustees_file {
            trustees.extend(read_trustees_file(file)?);
        }
        if trustees.is_empty() {
            return Err(fail("a recovery set needs trustees")
                .hint("name each with --trustee NAME=age1…, or list them in --trustees-file")
                .into());
        }
        // Adding the recovery unlocker needs the key itself, which the agent never hands out.
        let mut journal = ctx.open_local()?;
        let member = match (&self.member, journal.recovery()?) {
            (Some(m), _) => m.clone(),
            (None, RecoveryState::Ready(s) | RecoveryState::Broken(s)) => s.member,
            (None, _) => {
                return Err(fail("say whose journal this is with --member NAME")
                    .hint("each share shows it, so your trustees can tell it is yours")
                    .into());
            }
        };
        make_set(
            ctx,
            &mut journal,
            &member,
            self.threshold,
            &trustees,
            self.out.as_deref(),
        )?;
        super::super::done()
    }
}

/// Reads `NAME=age1…`.
pub(crate) fn parse_trustee(typed: &str, from: &str) -> Result<Trustee> {
    let Some((name, key)) = typed.rsplit_once('=') else {
        return Err(fail(format!("{from} {typed:?} is not NAME=age1…"))
            .hint("for example --trustee Bo=age1…")
            .into());
    };
    let name = name.trim();
    Ok(Trustee {
        name: name.to_owned(),
        recipient: super::recipient(key, &format!("{from} {name}"))?,
    })
}

fn read_trustees_file(path: &Path) -> Result<Vec<Trustee>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(format!("could not read {}: {e}", path.display()))
            .hint("give a text file with one NAME=age1… a line")
    })?;
    let mut out = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        out.push(parse_trustee(
            line,
            &format!("{} line {}:", path.display(), n + 1),
        )?);
    }
    Ok(out)
}

/// Makes a set for `trustees`, writes their files, then puts it in the journal (replacing
/// the set there, in a key rotation). Files are written first, so a journal never names a set
/// whose shares were not written; if the journal cannot take it, the files are removed.
pub(crate) fn make_set(
    ctx: &Ctx,
    journal: &mut Journal,
    member: &str,
    threshold: u8,
    trustees: &[Trustee],
    out: Option<&Path>,
) -> Result<RecoverySet> {
    let prepared = journal
        .prepare_recovery(member, threshold, trustees, ctx.now())
        .map_err(super::setup_failure)?;
    if let RecoveryState::Ready(old) = journal.recovery()? {
        rekey::gather_passphrases(journal, Some(old.unlocker))?;
    }
    if let Some(dir) = out
        && !dir.is_dir()
    {
        return Err(fail(format!("{} is not a folder", dir.display()))
            .hint("make the folder first, or give another with --out")
            .into());
    }
    let set_tag = prepared.record.set.short();
    let mut written: Vec<(String, PathBuf)> = Vec::new();
    for s in &prepared.sealed {
        let name = format!(
            "tend-recovery-{}-for-{}-{set_tag}.age",
            super::slug(member),
            super::slug(&s.trustee)
        );
        let path = super::place(out, name);
        if let Err(e) = files::write_private(&path, &s.armored, false) {
            for (_, p) in &written {
                let _ = std::fs::remove_file(p);
            }
            return Err(e);
        }
        written.push((s.trustee.clone(), path));
    }
    let installed = match journal.install_recovery(prepared, ctx.now(), &mut rekey::progress()) {
        Ok(done) => done,
        Err(e) => {
            for (_, p) in &written {
                let _ = std::fs::remove_file(p);
            }
            return Err(e.into());
        }
    };
    let set = installed.set;
    say!(
        "Made recovery set {} for {}: any {} of your {} trustees together can help you back in.",
        set.set.short(),
        set.member,
        set.threshold,
        set.trustees.len()
    );
    say!("Journal fingerprint: {}", journal.fingerprint());
    for (name, path) in &written {
        say!("  for {name}: {}", path.display());
    }
    say!("Give each trustee their own file; it opens only with their key.");
    if let Some(old) = installed.replaced {
        match installed.rewritten {
            Some(done) => {
                say!(
                    "The set made {} is replaced. The journal has a new key ({}), so its shares open nothing in this file.",
                    old.made.date_naive(),
                    rekey::summary(&done)
                );
                note!(
                    "Copies of the journal made before now (backups, other devices) still open with the old shares; remove those copies too."
                );
            }
            None => say!(
                "The set made {} had already stopped opening this journal; this one takes its place.",
                old.made.date_naive()
            ),
        }
    }
    Ok(set)
}
