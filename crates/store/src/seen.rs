//! Noticing a journal older than the one last opened on this machine.
//!
//! Someone who can replace the journal file can put back an older copy of it, whole: every
//! record and the manifest then agree, so only a memory kept outside the file can tell. This
//! machine keeps, per journal id, the manifest counter it last saw (a number in the clear in
//! a private folder: the journal id is in the clear in the file too), and opening a journal
//! whose counter is lower says so. It is a warning, not a refusal: restoring a backup is
//! legitimate.

use std::path::{Path, PathBuf};

use crate::error::Result;
use crate::journal::Journal;

/// How the journal opened compares with the one last opened here.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum Freshness {
    /// This machine has not opened this journal before (or it has no manifest yet).
    Unknown,
    /// As new as, or newer than, any copy opened here before.
    Current,
    /// Older than the copy last opened here: it has seen fewer writes.
    Older {
        /// Writes the journal opened now has seen.
        now: u64,
        /// Writes the copy last opened here had seen.
        last_seen: u64,
    },
}

impl Journal {
    /// Compares this journal with the copy last opened on this machine (remembered under
    /// `dir`), remembers this one, and keeps remembering after every write from now on.
    /// After an [`Freshness::Older`] answer the older copy is the one remembered, so the
    /// warning is given once.
    pub fn watch_freshness(&mut self, dir: &Path) -> Result<Freshness> {
        let path = dir.join(self.id_hex());
        let Some(now) = self.write_counter()? else {
            self.seen = Some(path);
            return Ok(Freshness::Unknown);
        };
        let last_seen = std::fs::read_to_string(&path)
            .ok()
            .and_then(|s| s.trim().parse::<u64>().ok());
        crate::journal::create_private_dir(dir)?;
        remember(&path, now);
        self.seen = Some(path);
        Ok(match last_seen {
            None => Freshness::Unknown,
            Some(last_seen) if now < last_seen => Freshness::Older { now, last_seen },
            Some(_) => Freshness::Current,
        })
    }

    /// After a write: remember the new counter, if this journal is watched.
    pub(crate) fn remember_seen(&self) {
        if let Some(path) = &self.seen
            && let Ok(Some(now)) = self.write_counter()
        {
            remember(path, now);
        }
    }
}

/// Writes the counter through a new private file renamed into place; a failure only means
/// a warning may be missed, so it is not reported.
fn remember(path: &Path, counter: u64) {
    let mut temp: PathBuf = path.to_owned();
    temp.set_extension(format!("{}.new", std::process::id()));
    let _ = std::fs::remove_file(&temp);
    let written = crate::journal::create_private_file(&temp).and_then(|mut f| {
        use std::io::Write;
        f.write_all(format!("{counter}\n").as_bytes())?;
        Ok(())
    });
    if written.is_ok() {
        let _ = std::fs::rename(&temp, path);
    } else {
        let _ = std::fs::remove_file(&temp);
    }
}
