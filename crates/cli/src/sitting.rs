//! A sitting: the journal unlocked once and kept so by the agent, so the next command does
//! not ask again. The key goes to the agent once; afterwards this process only ever sends it
//! sealed bytes to open and plaintext to seal.

use std::path::Path;
use std::sync::Arc;
use std::time::SystemTime;

use anyhow::Result;
use tend_agent::client::Client;
use tend_store::{Journal, OpenOptions};

use crate::config::{self, Config};
use crate::failure::fail;

/// The agent, if one is running for this user.
pub fn client() -> Result<Option<Client>> {
    let socket = match tend_agent::paths::socket_path() {
        Ok(s) => s,
        Err(tend_agent::Error::NoFolder) => return Ok(None),
        Err(e) => return Err(e.into()),
    };
    match Client::connect(&socket) {
        Ok(c) => Ok(c),
        Err(e @ (tend_agent::Error::UnsafeFolder(_) | tend_agent::Error::OtherUser(_))) => {
            Err(fail(e.to_string())
                .hint("tend will not use it; remove that folder (or fix its owner and mode 0700) and unlock again")
                .into())
        }
        Err(_) => Ok(None),
    }
}

/// Opens the journal at `path` with the key the agent holds for it; `None` when no agent
/// holds this journal's key (none is running, it holds other journals, or this file is
/// another journal at the same path). A file that is not a journal is named here, before
/// anyone is asked for a passphrase.
pub fn open_held(path: &Path) -> Result<Option<Journal>> {
    if !path.exists() {
        return Err(tend_store::Error::Missing(path.to_owned()).into());
    }
    announce_upgrade(path);
    let client = match client() {
        Ok(c) => c.map(Arc::new),
        Err(e) => {
            crate::note!("note: {e:#}");
            None
        }
    };
    let Some(client) = client else {
        // No agent: only make sure the file is a journal before a passphrase is asked for.
        Journal::probe(path, &OpenOptions::default())?;
        return Ok(None);
    };
    Ok(Journal::open_held(path, &OpenOptions::default(), |id| {
        Some(Box::new(client.holder(id)) as Box<dyn tend_store::KeyHolder>)
    })?)
}

/// The agent, started if need be.
fn client_or_start() -> Result<Client> {
    if let Some(c) = client()? {
        return Ok(c);
    }
    let socket = tend_agent::paths::socket_path()?;
    let me = std::env::current_exe().map_err(|e| {
        fail(format!(
            "could not find tend itself to start the agent: {e}"
        ))
    })?;
    Ok(Client::start(&me, &["agent", "serve"], &socket)?)
}

/// Hands the journal's key to the agent (started if need be), for the configured times.
/// Returns when it locks unless used, and when at the latest.
pub fn hand_over(journal: &Journal, config: &Config) -> Result<(SystemTime, SystemTime)> {
    let key = journal
        .sealing_key()
        .ok_or_else(|| fail("the agent holds this journal's key already"))?;
    let client = client_or_start()?;
    let (idle, limit) = (config.idle.0.min(config.limit.0), config.limit.0);
    client.add(&key, idle, limit, &journal.path().display().to_string())?;
    drop(key);
    let now = SystemTime::now();
    Ok((now + idle, now + limit))
}

/// After a command that asked for the passphrase on the terminal: hands the key to the
/// agent when the config says so (the default), and says so once. A failure here costs
/// only the convenience, so it is a note, not an error.
pub fn offer(journal: &Journal) {
    let config = match config::load() {
        Ok(c) => c,
        Err(e) => {
            crate::note!("note: {e:#}");
            return;
        }
    };
    if !config.start_on_unlock.0 {
        return;
    }
    match hand_over(journal, &config) {
        Ok((idle, limit)) => crate::note!(
            "Unlocked for this sitting: until {} unless used, {} at the latest. `tend lock` locks it now.",
            clock(idle),
            clock(limit)
        ),
        Err(e) => crate::note!("note: the journal stays locked between commands: {e:#}"),
    }
}

/// Tells the agent a journal's key changed (a rotation): it holds the new one if it held
/// the old.
pub fn key_changed(journal: &Journal, old_id_was_held: bool) {
    if !old_id_was_held {
        return;
    }
    if let Err(e) = config::load().and_then(|config| hand_over(journal, &config)) {
        crate::note!("note: the agent could not be given the new key: {e:#}");
    }
}

/// Whether the agent holds a key for the journal with this id.
pub fn holds(id: &[u8; 16]) -> bool {
    matches!(client(), Ok(Some(c)) if c.status().is_ok_and(|s| s.journals.iter().any(|h| &h.journal == id)))
}

/// A moment as the local clock shows it: `14:05`, or with the date when not today.
pub fn clock(t: SystemTime) -> String {
    let local: chrono::DateTime<chrono::Local> = t.into();
    if local.date_naive() == chrono::Local::now().date_naive() {
        local.format("%H:%M").to_string()
    } else {
        local.format("%Y-%m-%d %H:%M").to_string()
    }
}

/// Says, once a run, that opening the journal at `path` will upgrade it to the current
/// format (a copy of the old file is kept beside it).
pub fn announce_upgrade(path: &Path) {
    static SAID: std::sync::atomic::AtomicBool = std::sync::atomic::AtomicBool::new(false);
    if let Ok(format) = Journal::probe_format(path, &OpenOptions::default())
        && format < tend_store::FORMAT_VERSION
        && !SAID.swap(true, std::sync::atomic::Ordering::SeqCst)
    {
        crate::note!(
            "note: this journal is in format {format}; tend upgrades it to format {} as it opens it, and keeps a sealed copy of the old file beside it until you remove it (`tend check --remove-backup`).",
            tend_store::FORMAT_VERSION
        );
    }
}
