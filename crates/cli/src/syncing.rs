//! Sync's wiring between a journal and tend-sync: this device's sync state kept sealed in the
//! journal, what changed here recorded as changes, and what other devices changed written
//! back together with the state in one transaction (so a sync cut short anywhere leaves the
//! journal and the state agreeing, and the next sync neither loses nor doubles anything).
//!
//! The commands (`tend sync …`) and `tend show`'s view of a record in conflict use this.

use std::collections::BTreeMap;
use std::time::{SystemTime, UNIX_EPOCH};

use anyhow::Result;
use tend_store::Journal;
use tend_store::sync_support::{SyncChanges, is_item_key};
use tend_sync::{JournalId, Options, Progress, Remote, Replica, Report, SyncKey, View};

use crate::failure::fail;

const STATE_FORMAT: u8 = 1;
/// A device writes a snapshot after this many objects applied since its last one.
pub const SNAPSHOT_EVERY: u64 = 64;

/// This device's sync state: which remote, and the replica.
pub struct State {
    /// The remote as the member named it.
    pub remote: String,
    /// The journal's write counter right after this state was last saved with what a sync
    /// brought (0: not known): while the journal still shows it, nothing changed here since,
    /// and the next sync need not read every record to find out.
    pub seen: u64,
    /// When this device last finished a sync that sent or brought something, in milliseconds
    /// since 1970 (0: never). A sync with nothing to exchange writes nothing, this included.
    pub last: u64,
    /// The replica.
    pub replica: Replica,
}

impl State {
    /// A new device's state.
    pub fn new(remote: &str, replica: Replica) -> State {
        State {
            remote: remote.to_owned(),
            seen: 0,
            last: 0,
            replica,
        }
    }

    /// The bytes the journal keeps (sealed).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![STATE_FORMAT];
        let remote = self.remote.as_bytes();
        out.extend((remote.len() as u32).to_le_bytes());
        out.extend(remote);
        out.extend(self.seen.to_le_bytes());
        out.extend(self.last.to_le_bytes());
        out.extend(self.replica.to_bytes());
        out
    }

    fn from_bytes(bytes: &[u8]) -> Option<State> {
        let (&format, rest) = bytes.split_first()?;
        if format != STATE_FORMAT || rest.len() < 4 {
            return None;
        }
        let len = u32::from_le_bytes(rest[..4].try_into().ok()?) as usize;
        let remote = std::str::from_utf8(rest.get(4..4 + len)?).ok()?.to_owned();
        let seen = u64::from_le_bytes(rest.get(4 + len..12 + len)?.try_into().ok()?);
        let last = u64::from_le_bytes(rest.get(12 + len..20 + len)?.try_into().ok()?);
        let replica = Replica::from_bytes(rest.get(20 + len..)?).ok()?;
        Some(State {
            remote,
            seen,
            last,
            replica,
        })
    }

    /// The journal's sync state, if it syncs.
    pub fn load(journal: &Journal) -> Result<Option<State>> {
        match journal.sync_state()? {
            None => Ok(None),
            Some(bytes) => State::from_bytes(&bytes).map(Some).ok_or_else(|| {
                fail("this journal's sync state cannot be read")
                    .hint("`tend check` says whether the journal is damaged")
                    .into()
            }),
        }
    }

    /// Loads the state of a journal that must sync.
    pub fn require(journal: &Journal) -> Result<State> {
        State::load(journal)?.ok_or_else(|| {
            fail("this journal does not sync yet")
                .hint("`tend sync init REMOTE` on your first device; `tend sync join REMOTE` on another")
                .into()
        })
    }
}

/// Milliseconds since 1970 on this machine's clock.
pub fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_millis() as u64)
}

/// The journal's sync key.
pub fn key_of(journal: &Journal) -> Result<SyncKey> {
    Ok(SyncKey::from_derived(
        journal.sync_key()?,
        JournalId(journal.id()),
    ))
}

/// A remote as the state keeps it: a folder as an absolute path (so a sync run from another
/// folder finds the same remote), anything else as typed.
pub fn spec_to_keep(spec: &str) -> Result<String> {
    let spec = spec.trim();
    if spec.is_empty() {
        return Err(fail("no remote was named")
            .hint("name a folder, s3://bucket/prefix or https://host/path (WebDAV)")
            .into());
    }
    if spec.contains("://") {
        return Ok(spec.to_owned());
    }
    let absolute = std::path::absolute(spec).map_err(|e| {
        fail(format!("cannot use `{spec}` as a folder: {e}"))
            .hint("name the folder by its full path")
    })?;
    Ok(absolute.to_string_lossy().into_owned())
}

/// Opens a remote named on the command line or kept in the state; credentials come from the
/// environment, else from the config file's `[sync]` section (secrets only as commands).
pub fn open_remote(spec: &str) -> Result<Remote> {
    let file = crate::config::load()?.sync;
    let mut values = std::collections::HashMap::new();
    let secret_needed = |var: &str| match var {
        "TEND_SYNC_USER" | "TEND_SYNC_PASSWORD" => spec.starts_with("http"),
        _ => spec.starts_with("s3://"),
    };
    for var in [
        "TEND_SYNC_USER",
        "TEND_SYNC_PASSWORD",
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_ENDPOINT",
        "AWS_REGION",
    ] {
        if secret_needed(var)
            && let Some(v) = crate::config::sync_credential(var, &file)?
        {
            values.insert(var, v);
        }
    }
    Remote::open(spec, &|var| {
        values.get(var).cloned().or_else(|| std::env::var(var).ok())
    })
    .map_err(|e| explain(e).into())
}

/// A sync error as one line and a hint.
pub fn explain(e: tend_sync::Error) -> crate::failure::Failure {
    use tend_sync::Error as E;
    let hint = match &e {
        E::BadRemote(..) => {
            "a remote is a folder path, s3://bucket/prefix or https://host/path (WebDAV); credentials go in the environment, never in the address"
        }
        E::Remote(_) => {
            "check that the remote is reachable and the credentials are right, then run `tend sync` again; nothing here was changed"
        }
        E::NoJournal => "set it up from your first device with `tend sync init REMOTE`",
        E::AlreadyInitialised(_) => {
            "to add this device to that journal, move this journal aside and use `tend sync join REMOTE`; to start another, use an empty remote"
        }
        E::OtherJournal(_) | E::HeadMismatch => {
            "this journal and the remote belong to different journals (or the key was rotated since the remote was set up); use an empty remote with `tend sync init`"
        }
        E::Refused { .. } => {
            "nothing from the remote was applied and this journal is unchanged; someone or something changed that object (or it is from another journal): remove it only if you know where it came from"
        }
        E::DeviceClash(_) => {
            "this journal was copied to another machine and both sync as one device; on the copy, move the journal aside and use `tend sync join` so it becomes a device of its own"
        }
        E::BadState => "`tend check` says whether the journal is damaged",
        _ => "run `tend sync` again; nothing was lost",
    };
    fail(e.to_string()).hint(hint)
}

/// What the journal holds now, as items, with anything this build does not know (an item a
/// newer tend synced) kept as the replica shows it so it is not taken for a deletion.
fn current_items(journal: &Journal, replica: &Replica) -> Result<BTreeMap<String, Vec<u8>>> {
    let items = journal.sync_items()?;
    if items.damaged > 0 {
        return Err(fail(format!(
            "{} in this journal could not be opened, so sync would pass them off as deleted",
            crate::output::count(items.damaged as u64, "record", "records")
        ))
        .hint("`tend check` names them; sync again once they are dealt with")
        .into());
    }
    let mut current: BTreeMap<String, Vec<u8>> = items
        .items
        .into_iter()
        .map(|(k, v)| (k, v.to_vec()))
        .collect();
    for key in replica.state().records.keys() {
        if !is_item_key(key)
            && let Some(v) = replica.shown(key)
        {
            current.insert(key.clone(), v.to_vec());
        }
    }
    Ok(current)
}

/// Records what changed in the journal since the last sync; returns how many changes.
pub fn record_local(journal: &Journal, state: &mut State) -> Result<usize> {
    let current = current_items(journal, &state.replica)?;
    Ok(state.replica.record_local(&current, now_ms()))
}

/// What to write to the journal for the items a pull changed: the shown value, or a removal.
/// A commitment's or repair's versions written apart are merged into one (their histories
/// joined), which ends that conflict: only a reflection's text waits for the member.
pub fn changes_for(state: &mut State, changed: &std::collections::BTreeSet<String>) -> SyncChanges {
    let mut out = SyncChanges::default();
    let now = now_ms();
    for key in changed {
        if !is_item_key(key) {
            continue;
        }
        if (key.starts_with("c/") || key.starts_with("p/"))
            && let Some(merged) = merge_histories(state, key)
        {
            state.replica.put(key, merged, now);
        }
        match state.replica.shown(key) {
            Some(v) => out.puts.push((key.clone(), v.to_vec())),
            None => out.deletes.push(key.clone()),
        }
    }
    out
}

/// The versions of a commitment or repair written apart, as one: the latest version's
/// fields with the events of all of them (each once, in time order).
fn merge_histories(state: &State, key: &str) -> Option<Vec<u8>> {
    let record = state.replica.state().records.get(key)?;
    let View::Conflict(versions) = record.view(tend_sync::Policy::KeepBoth) else {
        return None;
    };
    let field = if key.starts_with("c/") {
        "history"
    } else {
        "steps"
    };
    let parsed: Vec<serde_json::Value> = versions
        .iter()
        .filter_map(|v| serde_json::from_slice(v.value.as_deref()?).ok())
        .collect();
    let mut base = parsed.first()?.clone();
    let mut events: Vec<serde_json::Value> = Vec::new();
    for v in &parsed {
        for e in v[field].as_array().into_iter().flatten() {
            if !events.contains(e) {
                events.push(e.clone());
            }
        }
    }
    let at = |e: &serde_json::Value| {
        e["at"]
            .as_str()
            .and_then(|s| chrono::DateTime::parse_from_rfc3339(s).ok())
    };
    events.sort_by_key(|e| at(e));
    if field == "history"
        && let Some(last) = events.last()
        && let Some(state) = last.get("state")
    {
        base["state"] = state.clone();
        if let Some(due) = last.get("due") {
            base["due"] = due.clone();
        }
    }
    if field == "steps" {
        // A repair closed on any device stays closed.
        if base["closed"].is_null()
            && let Some(closed) = parsed.iter().find(|v| !v["closed"].is_null())
        {
            base["closed"] = closed["closed"].clone();
        }
    }
    base[field] = serde_json::Value::Array(events);
    serde_json::to_vec(&base).ok()
}

/// One whole sync: record, seal and save, push, pull, and write what was pulled together
/// with the state. `progress` is told how far it has come.
pub fn sync(
    journal: &Journal,
    state: &mut State,
    remote: &Remote,
    progress: &mut dyn FnMut(Progress),
) -> Result<(Report, usize)> {
    let key = key_of(journal)?;
    let unchanged = state.seen != 0 && journal.write_counter()? == Some(state.seen);
    let recorded = if unchanged {
        0
    } else {
        record_local(journal, state)?
    };
    let spec = state.remote.clone();
    let last = state.last;
    let options = Options {
        snapshot_every: SNAPSHOT_EVERY,
        now_ms: now_ms(),
    };
    let mut save_error = None;
    let report = state.replica.sync(
        remote,
        &key,
        options,
        &mut |replica| {
            let bytes = State {
                remote: spec.clone(),
                seen: 0,
                last,
                replica: replica.clone(),
            }
            .to_bytes();
            journal.set_sync_state(&bytes).map_err(|e| {
                let message = e.to_string();
                save_error = Some(e);
                tend_sync::Error::Remote(format!("could not save the sync state: {message}"))
            })
        },
        progress,
    );
    if let Some(e) = save_error {
        return Err(e.into());
    }
    let report = report.map_err(explain)?;
    let mut keys = report.changed.clone();
    keys.extend(report.conflicts.iter().cloned());
    let changes = changes_for(state, &keys);
    let idle = unchanged
        && report.pushed_objects == 0
        && report.pulled_objects == 0
        && !report.snapshot
        && state.replica.unsent() == (0, 0);
    state.last = now_ms();
    if !idle {
        save_with(journal, state, &changes)?;
    }
    // A passphrase or identity added to the journal since: a device joining later opens
    // with it too.
    if !unchanged {
        match tend_sync::add_unlockers(remote, &key, &journal.wrapped_unlockers()?) {
            Ok(0) => {}
            Ok(n) => crate::note!(
                "The remote now holds {} added here, so a device joining later opens with {} too.",
                crate::output::count(n as u64, "unlocker", "unlockers"),
                if n == 1 { "it" } else { "them" }
            ),
            Err(e) => crate::note!(
                "note: the unlockers added here could not be put on the remote this time ({e}); the next sync tries again."
            ),
        }
    }
    // After writing a snapshot, this device removes what every device has passed, so the
    // remote does not grow for ever. It is safe to cut short; a failure changes nothing here.
    if report.snapshot
        && let Err(e) = tend_sync::compact(remote, &key)
    {
        crate::note!(
            "note: the remote could not be tidied this time ({e}); the next sync tries again."
        );
    }
    Ok((report, recorded))
}

/// Writes `changes` and the state in one transaction, the state knowing the journal's
/// write counter that transaction leaves (every commit raises it by one).
pub fn save_with(journal: &Journal, state: &mut State, changes: &SyncChanges) -> Result<()> {
    state.seen = journal.write_counter()?.map_or(0, |c| c + 1);
    journal.apply_sync(changes, &state.to_bytes())?;
    Ok(())
}

/// Standing versions of `key` other than the one the journal shows, latest first.
pub fn other_versions(state: &State, key: &str) -> Vec<Vec<u8>> {
    let Some(record) = state.replica.state().records.get(key) else {
        return Vec::new();
    };
    match record.view(tend_sync::Policy::KeepBoth) {
        View::Conflict(versions) => versions
            .iter()
            .skip(1)
            .filter_map(|v| v.value.clone())
            .collect(),
        _ => Vec::new(),
    }
}
