//! What the commands that rewrite the journal share: finding the passphrases a new key must
//! be wrapped for, showing progress, and saying what was done.

use std::time::{Duration, Instant};

use anyhow::Result;
use tend_store::{Journal, Rewritten};

use crate::failure::fail;
use crate::{note, prompt, secrets};

/// Makes sure the journal knows the passphrase of every passphrase unlocker that stays
/// (all but `leaving`): the one it opened with, the passphrase file or command, then the
/// terminal. A rotation wraps the new key for each.
pub fn gather_passphrases(journal: &mut Journal, leaving: Option<u64>) -> Result<()> {
    let mut needed = journal.passphrases_needed(leaving)?;
    if needed.is_empty() {
        return Ok(());
    }
    if let Some(pass) = secrets::passphrase_from_env()? {
        // Opened with an identity file: the passphrase routes may still name a passphrase.
        let _ = journal.provide_passphrase(pass);
        needed = journal.passphrases_needed(leaving)?;
    }
    for id in needed {
        if !prompt::can_ask_secret() {
            return Err(fail(format!(
                "a new key must be wrapped for passphrase unlocker {id}, and there is no terminal to ask for its passphrase"
            ))
            .hint(format!(
                "set {} to a file holding that passphrase, or remove that unlocker first",
                secrets::PASSPHRASE_FILE
            ))
            .into());
        }
        let mut tries = 0;
        loop {
            tries += 1;
            let pass = prompt::passphrase(&format!("Passphrase of unlocker {id}: "))?;
            match journal.provide_passphrase(pass) {
                Ok(_) => break,
                Err(tend_store::Error::WrongPassphrase) if tries < 3 => {
                    note!("That passphrase does not open unlocker {id}. Try again.");
                }
                Err(e) => return Err(e.into()),
            }
        }
    }
    Ok(())
}

/// A progress reporter that stays quiet for the first second, then shows how far a rewrite
/// has come on stderr, at most once a second.
pub fn progress() -> impl FnMut(u64, u64) {
    let started = Instant::now();
    let mut last: Option<Instant> = None;
    move |done, total| {
        let due = last.map_or(started.elapsed() >= Duration::from_secs(1), |l| {
            l.elapsed() >= Duration::from_secs(1) || done == total
        });
        if due {
            last = Some(Instant::now());
            note!("  sealed {done} of {total} records again…");
        }
    }
}

/// "123 records sealed again in 0.4 s".
pub fn summary(done: &Rewritten) -> String {
    format!(
        "{} record{} sealed again in {:.1} s",
        done.records,
        if done.records == 1 { "" } else { "s" },
        done.took.as_secs_f64()
    )
}

/// After a key change on a journal that syncs: the remote was set up under the old key, so
/// the old secret still opens what it holds and this journal no longer syncs with it.
pub fn sync_note(journal: &Journal) {
    if let Ok(Some(state)) = crate::syncing::State::load(journal) {
        note!(
            "This journal syncs with {}, which was set up under the old key: the old secret still opens what it holds, and this journal can no longer sync with it. To go on syncing: `tend sync stop`, then `tend sync init` with an empty remote, and `tend sync join` it from your other devices (sync them with the old remote first); then empty the old remote.",
            state.remote
        );
    }
}
