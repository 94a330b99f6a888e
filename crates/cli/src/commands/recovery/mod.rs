//! `tend recovery`: k of n trusted members can help a member back into a journal whose
//! passphrase is lost, while none of them can read it. See docs/recovery.md.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Result;
use clap::Subcommand;
use tend_store::recovery::{SetupError, ShareError};

use crate::context::Ctx;
use crate::failure::{Failure, fail};

mod release;
mod restore;
mod setup;
mod status;

/// Recovery through trusted members.
#[derive(Debug, Subcommand)]
pub enum RecoveryCommand {
    /// Give k of n trustees a share each, so any k together can help you back in. Setting
    /// up again replaces the set: the journal gets a new key and old shares open nothing
    Setup(setup::Setup),
    /// Show the recovery set: its trustees, how many are needed, when it was made
    Status(status::Status),
    /// For trustees: see whose share a file is, then release it sealed to the member's new
    /// key
    Release(release::Release),
    /// Open a journal with k released shares, choose a new passphrase, and retire the old
    /// passphrase and the spent set
    Restore(restore::Restore),
}

impl RecoveryCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self {
            RecoveryCommand::Setup(c) => c.run(ctx),
            RecoveryCommand::Status(c) => c.run(ctx),
            RecoveryCommand::Release(c) => c.run(ctx),
            RecoveryCommand::Restore(c) => c.run(ctx),
        }
    }
}

/// A name made safe for a file name: lower-case letters and digits, other runs as `-`.
pub(crate) fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars().flat_map(char::to_lowercase) {
        if c.is_alphanumeric() {
            out.push(c);
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out: String = out.trim_end_matches('-').chars().take(32).collect();
    if out.is_empty() {
        "someone".into()
    } else {
        out
    }
}

/// Reads a share file from disk, refusing anything larger than a share could be.
pub(crate) fn read_share_file(path: &Path) -> Result<Vec<u8>> {
    let shown = path.display();
    let meta = std::fs::metadata(path).map_err(|e| {
        fail(format!("could not read the share {shown}: {e}")).hint("give the path of a share file")
    })?;
    if meta.is_dir() {
        return Err(fail(format!("{shown} is a folder, not a share file")).into());
    }
    if meta.len() > tend_store::recovery::MAX_SHARE_FILE as u64 {
        return Err(share_failure(path, &ShareError::TooLarge).into());
    }
    Ok(std::fs::read(path).map_err(|e| fail(format!("could not read the share {shown}: {e}")))?)
}

/// One line naming the share file and what is wrong with it, and what to do.
pub(crate) fn share_failure(path: &Path, e: &ShareError) -> Failure {
    let hint = match e {
        ShareError::NotForYou => {
            "check that -i names the identity file whose recipient this share was sealed to"
        }
        ShareError::Damaged | ShareError::Tampered => {
            "ask its trustee for their share again; the others are not affected"
        }
        ShareError::NewerVersion(_) => "update tend to read it",
        ShareError::NotAge | ShareError::Malformed(_) | ShareError::TooLarge => {
            "give the file tend made for this trustee, or that the trustee released"
        }
        _ => "check the file",
    };
    fail(format!("{}: {e}", path.display())).hint(hint)
}

pub(crate) fn setup_failure(e: SetupError) -> anyhow::Error {
    let e = match e {
        SetupError::Journal(e) => return e.into(),
        other => other,
    };
    let hint = match &e {
        SetupError::ThresholdTooLow => "2 of 3 or 3 of 5 are good choices; see docs/recovery.md",
        SetupError::ThresholdAboveCount { .. } => "add trustees, or lower --threshold",
        SetupError::TooManyTrustees => "choose the few people you trust most",
        SetupError::BadName { .. } => {
            "use the name the person goes by, for example --trustee Bo=age1…"
        }
        SetupError::SameName(_) => "give each trustee their own name",
        SetupError::SameKey(..) => {
            "each trustee needs their own age key (`tend retreat keygen` or age-keygen makes one)"
        }
        _ => "nothing was changed",
    };
    fail(e.to_string()).hint(hint).into()
}

/// The identities of `-i FILE`, required for `what`.
pub(crate) fn identities(ctx: &Ctx, what: &str) -> Result<Vec<age::x25519::Identity>> {
    let Some(path) = &ctx.global.identity else {
        return Err(fail(format!("{what} needs your identity file"))
            .hint("give it with -i FILE (or TEND_IDENTITY)")
            .into());
    };
    crate::secrets::load_identities(path)
}

/// An `age1…` recipient typed by a person.
pub(crate) fn recipient(typed: &str, whose: &str) -> Result<age::x25519::Recipient> {
    typed.trim().parse().map_err(|_| {
        fail(format!("{whose}: {typed:?} is not an age recipient"))
            .hint("a recipient looks like age1… (age-keygen -y KEYFILE prints it)")
            .into()
    })
}

/// Where a new file goes: `dir/name`, or `name` in the current folder.
pub(crate) fn place(dir: Option<&Path>, name: String) -> PathBuf {
    match dir {
        Some(d) => d.join(name),
        None => PathBuf::from(name),
    }
}
