//! What every command needs: where the journal is, how to unlock it, and what day it is.

use std::path::PathBuf;

use anyhow::Result;
use chrono::{DateTime, Local, NaiveDate, Utc};
use tend_core::pack::ValuesPack;
use tend_store::{Journal, NewUnlocker, Secret};

use crate::cli::Global;
use crate::failure::fail;
use crate::{prompt, secrets};

/// Shared state for one run of tend.
#[derive(Debug)]
pub struct Ctx {
    /// The global flags.
    pub global: Global,
    now: DateTime<Utc>,
    today: NaiveDate,
}

impl Ctx {
    /// Captures the flags and the clock once, so a command sees one "now".
    pub fn new(global: Global) -> Self {
        let local = Local::now();
        Self {
            global,
            now: local.with_timezone(&Utc),
            today: local.date_naive(),
        }
    }

    /// This moment.
    pub fn now(&self) -> DateTime<Utc> {
        self.now
    }

    /// Today, in local time.
    pub fn today(&self) -> NaiveDate {
        self.today
    }

    /// Reads a date as people type it.
    pub fn date(&self, typed: &str) -> Result<NaiveDate> {
        tend_core::date::parse(typed, self.today).map_err(|e| {
            fail(e.to_string())
                .hint(tend_core::date::DateError::HINT)
                .into()
        })
    }

    /// Reads an optional date.
    pub fn opt_date(&self, typed: Option<&str>) -> Result<Option<NaiveDate>> {
        typed.map(|t| self.date(t)).transpose()
    }

    /// The journal's path: --journal, TEND_JOURNAL, or the platform data folder.
    pub fn journal_path(&self) -> Result<PathBuf> {
        if let Some(p) = &self.global.journal {
            return Ok(p.clone());
        }
        let dirs = directories::ProjectDirs::from("org", "tend", "tend").ok_or_else(|| {
            fail("tend could not find a home folder for the journal")
                .hint("set --journal or TEND_JOURNAL to a path")
        })?;
        Ok(dirs.data_dir().join("journal.tend"))
    }

    /// Opens and unlocks the journal: identity file; else the key the agent holds for it;
    /// else passphrase file or command, or up to three tries on the terminal (and then, as
    /// configured, the key goes to the agent so the next command does not ask).
    pub fn open(&self) -> Result<Journal> {
        let path = self.journal_path()?;
        crate::sitting::announce_upgrade(&path);
        if let Some(id_path) = &self.global.identity {
            let ids = secrets::load_identities(id_path)?;
            return Ok(self.watched(Journal::open(&path, &Secret::Identities(ids))?));
        }
        if let Some(journal) = crate::sitting::open_held(&path)? {
            return Ok(self.watched(journal));
        }
        self.unlock_with_passphrase(true)
    }

    /// Saves with `save`; when the agent locked the journal meanwhile (its timer ran out while
    /// the person was writing in the editor), asks for the passphrase on the terminal and
    /// saves again, so what was written is not lost. Returns the journal it saved with.
    pub fn save_or_unlock<T>(
        &self,
        journal: Journal,
        save: impl Fn(&Journal) -> tend_store::Result<T>,
    ) -> Result<(Journal, T)> {
        match save(&journal) {
            Err(tend_store::Error::AgentLost) if prompt::can_ask_secret() => {
                drop(journal);
                eprintln!(
                    "The journal locked while you wrote (the sitting's time ran out). What you wrote is kept: unlock to save it."
                );
                let journal = self.unlock_with_passphrase(true)?;
                let saved = save(&journal)?;
                Ok((journal, saved))
            }
            other => Ok((journal, other?)),
        }
    }

    /// Opens the journal with its own key in this process (identity file or passphrase,
    /// never the agent): for changing unlockers, which needs the key itself.
    pub fn open_local(&self) -> Result<Journal> {
        let path = self.journal_path()?;
        crate::sitting::announce_upgrade(&path);
        if let Some(id_path) = &self.global.identity {
            let ids = secrets::load_identities(id_path)?;
            return Ok(self.watched(Journal::open(&path, &Secret::Identities(ids))?));
        }
        self.open_with_passphrase()
    }

    /// Compares the journal with the copy last opened on this machine, and says so when it
    /// is older (a restored backup, or a copy put back by someone else).
    fn watched(&self, mut journal: Journal) -> Journal {
        if let Some((_, left)) = journal.upgraded()
            && left > 0
        {
            crate::note!(
                "note: {} could not be opened while upgrading, so {} only in the copy of the old file.",
                crate::output::count(left, "record", "records"),
                if left == 1 { "it stays" } else { "they stay" }
            );
        }
        let Some(dirs) = directories::ProjectDirs::from("org", "tend", "tend") else {
            return journal;
        };
        let dir = dirs
            .state_dir()
            .unwrap_or_else(|| dirs.data_local_dir())
            .join("seen");
        if let Ok(tend_store::Freshness::Older { now, last_seen }) = journal.watch_freshness(&dir) {
            crate::note!(
                "note: this journal is older than the one last opened on this machine (it has seen {now} changes; that one had seen {last_seen}). If you restored a backup, that is expected; if not, a newer copy may be somewhere else."
            );
        }
        journal
    }

    /// Opens and unlocks the journal with its passphrase only (file, command or terminal),
    /// whatever --identity says.
    pub fn open_with_passphrase(&self) -> Result<Journal> {
        self.unlock_with_passphrase(false)
    }

    /// The passphrase from a file, a command or the terminal; with `offer`, a journal
    /// opened by a passphrase typed on the terminal is handed to the agent.
    pub fn unlock_with_passphrase(&self, offer: bool) -> Result<Journal> {
        let path = self.journal_path()?;
        crate::sitting::announce_upgrade(&path);
        if let Some(pass) = secrets::passphrase_from_env()? {
            return Ok(self.watched(Journal::open(&path, &Secret::Passphrase(pass))?));
        }
        if !path.exists() {
            return Err(tend_store::Error::Missing(path).into());
        }
        // A file that is not a journal is named before anyone types a passphrase for it.
        Journal::probe(&path, &tend_store::OpenOptions::default())?;
        if !prompt::can_ask_secret() {
            return Err(fail(
                "tend needs the journal's passphrase, and there is no terminal to ask on",
            )
            .hint(format!(
                "set {} to a file holding it, {}, or use --identity",
                secrets::PASSPHRASE_FILE,
                secrets::PASSPHRASE_COMMAND
            ))
            .into());
        }
        let mut tries = 0;
        loop {
            tries += 1;
            let pass = prompt::passphrase("Passphrase: ")?;
            match Journal::open(&path, &Secret::Passphrase(pass)) {
                Err(tend_store::Error::WrongPassphrase) if tries < 3 => {
                    eprintln!("That passphrase does not open this journal. Try again.");
                }
                other => {
                    let journal = self.watched(other?);
                    if offer {
                        crate::sitting::offer(&journal);
                    }
                    return Ok(journal);
                }
            }
        }
    }

    /// Creates a journal with `pack`, unlocked by --identity or a new passphrase.
    pub fn create(
        &self,
        pack: &ValuesPack,
        passphrase_file: Option<&std::path::Path>,
    ) -> Result<Journal> {
        let path = self.journal_path()?;
        if path.exists() {
            return Err(tend_store::Error::AlreadyExists(path).into());
        }
        let unlocker = match &self.global.identity {
            Some(id_path) => {
                let ids = secrets::load_identities(id_path)?;
                let first = ids
                    .first()
                    .ok_or_else(|| fail("the identity file holds no identity"))?;
                NewUnlocker::Recipient(first.to_public())
            }
            None => secrets::new_passphrase(passphrase_file, "a passphrase for your journal")?,
        };
        let journal = self.watched(Journal::create(&path, &unlocker, pack, self.now)?);
        // Said once, when the journal is made.
        crate::note!(
            "Keep your passphrase (or identity file) somewhere safe: if it is lost, nobody can open this journal again, not tend and not your cooperative. A second way in helps: `tend key add` adds another passphrase, `tend key add --identity FILE` an identity file."
        );
        Ok(journal)
    }

    /// Opens the journal; when there is none yet and a person is at the terminal, offers to
    /// create one with the built-in values pack, so a first `tend write` just works.
    pub fn open_or_offer(&self) -> Result<Journal> {
        let path = self.journal_path()?;
        if path.exists() {
            return self.open();
        }
        if !prompt::interactive() {
            return Err(tend_store::Error::Missing(path).into());
        }
        eprintln!("There is no journal at {} yet.", path.display());
        if !prompt::confirm("Create one now, with the built-in values pack?", true)? {
            return Err(fail("nothing was written")
                .hint("create a journal with `tend init` when you are ready")
                .into());
        }
        let journal = self.create(&ValuesPack::default_pack(), None)?;
        eprintln!("Created your journal at {}.", path.display());
        Ok(journal)
    }
}
