//! `tend key`: the ways the journal unlocks. Adding one wraps the current data key; removing
//! one, changing the passphrase and `tend key rotate` make a new data key and a new file.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Subcommand};
use tend_store::{NewUnlocker, UnlockerKind};

use crate::context::Ctx;
use crate::failure::fail;
use crate::{note, rekey, say, secrets};

/// Manage how the journal unlocks.
#[derive(Debug, Subcommand)]
pub enum KeyCommand {
    /// List the unlockers
    List,
    /// Add an unlocker: a new passphrase, an age identity file (--identity FILE, while
    /// unlocking with your passphrase) or an age recipient (--recipient)
    Add(Add),
    /// Remove an unlocker (never the last one). The journal gets a new key and is written
    /// again as a new file, so the removed unlocker opens nothing in it
    Remove {
        /// The unlocker's id (from `tend key list`)
        id: u64,
    },
    /// Change the passphrase. The journal gets a new key and is written again as a new file,
    /// so the old passphrase opens nothing in it
    Passwd(Passwd),
    /// Make a new data key, seal every record again under it and write the journal as a new
    /// file (asks for the passphrase of every passphrase unlocker it must wrap the key for)
    Rotate,
}

/// Add an unlocker.
#[derive(Debug, Args)]
pub struct Add {
    /// An age recipient (age1…) whose identity file will open the journal
    #[arg(long, value_name = "AGE1…", conflicts_with = "new_passphrase_file")]
    recipient: Option<String>,
    /// Read the new passphrase from this file instead of asking
    #[arg(long, value_name = "FILE")]
    new_passphrase_file: Option<PathBuf>,
}

/// Change the passphrase.
#[derive(Debug, Args)]
pub struct Passwd {
    /// Read the new passphrase from this file instead of asking
    #[arg(long, value_name = "FILE")]
    new_passphrase_file: Option<PathBuf>,
}

impl KeyCommand {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        // `tend key add --identity FILE` adds that identity, so it cannot also be what
        // unlocks the journal: the passphrase does.
        let adding_identity = matches!(&self, KeyCommand::Add(a) if a.recipient.is_none() && a.new_passphrase_file.is_none())
            .then(|| ctx.global.identity.clone())
            .flatten();
        // Changing unlockers needs the key itself, which the agent never hands out.
        let mut journal = if adding_identity.is_some() {
            ctx.open_with_passphrase()?
        } else {
            ctx.open_local()?
        };
        let was_held = crate::sitting::holds(&journal.id());
        match self {
            KeyCommand::List => {
                for u in journal.unlockers()? {
                    let what = match &u.kind {
                        UnlockerKind::Passphrase => "passphrase".to_owned(),
                        UnlockerKind::Identity { recipient } => format!("identity {recipient}"),
                    };
                    let this = if u.id == journal.unlocked_by() {
                        "  (opened it this time)"
                    } else {
                        ""
                    };
                    say!("{:>3}  {what}  added {}{this}", u.id, u.added.date_naive());
                }
            }
            KeyCommand::Add(add) => {
                let unlocker = if let Some(path) = &adding_identity {
                    let ids = secrets::load_identities(path)?;
                    let first = ids
                        .first()
                        .ok_or_else(|| fail("the identity file holds no identity"))?;
                    NewUnlocker::Recipient(first.to_public())
                } else if let Some(r) = &add.recipient {
                    NewUnlocker::Recipient(r.trim().parse::<age::x25519::Recipient>().map_err(
                        |_| {
                            fail(format!("{r:?} is not an age recipient"))
                                .hint("a recipient looks like age1…")
                        },
                    )?)
                } else {
                    secrets::new_passphrase(add.new_passphrase_file.as_deref(), "a new passphrase")?
                };
                let id = journal.add_unlocker(&unlocker, ctx.now())?;
                say!("Added unlocker {id}. The journal now opens with it too.");
            }
            KeyCommand::Remove { id } => {
                if id == journal.unlocked_by() {
                    return Err(fail("that is the unlocker you opened the journal with this time")
                        .hint("open with another unlocker to remove this one, so you know the other works")
                        .into());
                }
                if !journal.unlockers()?.iter().any(|u| u.id == id) {
                    return Err(tend_store::Error::NoSuchUnlocker(id).into());
                }
                rekey::gather_passphrases(&mut journal, Some(id))?;
                let done = journal.remove_unlocker(id, ctx.now(), &mut rekey::progress())?;
                say!(
                    "Removed unlocker {id}. The journal has a new key: {}, written as a new file that unlocker {id} does not open.",
                    rekey::summary(&done)
                );
                crate::sitting::key_changed(&journal, was_held);
                rekey::sync_note(&journal);
                note!(
                    "Copies of the journal made before now (backups, other folders) still open with it; remove those copies too."
                );
            }
            KeyCommand::Passwd(p) => {
                let unlockers = journal.unlockers()?;
                let opened_with = unlockers.iter().find(|u| u.id == journal.unlocked_by());
                let target = match opened_with {
                    Some(u) if u.kind == UnlockerKind::Passphrase => u.id,
                    _ => {
                        let pass: Vec<_> = unlockers
                            .iter()
                            .filter(|u| u.kind == UnlockerKind::Passphrase)
                            .collect();
                        match pass.as_slice() {
                            [one] => one.id,
                            [] => {
                                return Err(fail("this journal has no passphrase to change")
                                    .hint("add one with `tend key add`")
                                    .into());
                            }
                            _ => {
                                return Err(fail("this journal has several passphrases")
                                    .hint("open it with the one to change, then run `tend key passwd`")
                                    .into());
                            }
                        }
                    }
                };
                rekey::gather_passphrases(&mut journal, Some(target))?;
                let unlocker =
                    secrets::new_passphrase(p.new_passphrase_file.as_deref(), "a new passphrase")?;
                let done = journal.replace_unlocker(
                    target,
                    &unlocker,
                    ctx.now(),
                    &mut rekey::progress(),
                )?;
                say!(
                    "Changed the passphrase (unlocker {target}). The journal has a new key: {}, written as a new file that the old passphrase does not open.",
                    rekey::summary(&done)
                );
                crate::sitting::key_changed(&journal, was_held);
                rekey::sync_note(&journal);
                note!(
                    "Copies of the journal made before now (backups, other folders) still open with the old passphrase; remove those copies too."
                );
            }
            KeyCommand::Rotate => {
                rekey::gather_passphrases(&mut journal, None)?;
                let done = journal.rotate(ctx.now(), &mut rekey::progress())?;
                say!(
                    "The journal has a new key: {}, written as a new file.",
                    rekey::summary(&done)
                );
                crate::sitting::key_changed(&journal, was_held);
                rekey::sync_note(&journal);
            }
        }
        super::done()
    }
}
