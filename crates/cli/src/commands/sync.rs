//! `tend sync`: one journal on all of a member's devices, through a folder, WebDAV or S3.
//! The work is in `crate::syncing` and the tend-sync crate; this is what a person types and
//! reads.

use std::io::IsTerminal;
use std::process::ExitCode;
use std::time::Instant;

use anyhow::Result;
use clap::{Args, Subcommand};
use tend_core::id::{IdQuery, RecordId};
use tend_core::reflection::Reflection;
use tend_store::sync_support::{SyncChanges, item_key};
use tend_store::{Journal, Secret};
use tend_sync::{DeviceId, JournalId, Progress, Replica, Report};

use crate::context::Ctx;
use crate::failure::fail;
use crate::syncing::{self, State, explain, open_remote};
use crate::{note, say};

/// `tend sync` and its commands (the help is on the command's entry in `commands`).
#[derive(Debug, Args)]
#[command(args_conflicts_with_subcommands = true)]
pub struct Sync {
    #[command(subcommand)]
    command: Option<SyncCommand>,
    /// Print what the sync did as JSON
    #[arg(long)]
    json: bool,
}

#[derive(Debug, Subcommand)]
enum SyncCommand {
    /// Start syncing this journal through REMOTE (an empty folder, bucket prefix or WebDAV
    /// folder) and send everything in it
    Init {
        /// A folder path, s3://bucket/prefix or https://host/path (WebDAV)
        remote: String,
    },
    /// Make this device's journal from REMOTE, opened with the journal's passphrase (or
    /// --identity); there must be no journal here yet
    Join {
        /// The remote your first device set up with `tend sync init`
        remote: String,
    },
    /// Say which remote this journal syncs with, what waits to be sent, and what is in
    /// conflict
    Status {
        /// Print JSON
        #[arg(long)]
        json: bool,
    },
    /// Stop syncing this device: the journal keeps everything it holds, the remote keeps
    /// what it has
    Stop,
    /// Choose between the versions of a reflection changed on two devices
    Resolve {
        /// The reflection's handle
        id: IdQuery,
        /// Keep this version (1 is the one `tend show` shows first); without it, lists them
        #[arg(long, value_name = "N")]
        keep: Option<usize>,
    },
}

impl Sync {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        match self.command {
            None => sync_now(ctx, self.json),
            Some(SyncCommand::Init { remote }) => init(ctx, &syncing::spec_to_keep(&remote)?),
            Some(SyncCommand::Join { remote }) => join(ctx, &syncing::spec_to_keep(&remote)?),
            Some(SyncCommand::Status { json }) => status(ctx, json),
            Some(SyncCommand::Resolve { id, keep }) => resolve(ctx, &id, keep),
            Some(SyncCommand::Stop) => stop(ctx),
        }
    }
}

/// Shows progress on stderr once a sync has taken over a second, when a person watches.
fn progress_printer() -> impl FnMut(Progress) {
    let started = Instant::now();
    let shown = std::io::stderr().is_terminal();
    let mut last = Instant::now();
    move |p| {
        if !shown || started.elapsed().as_secs() < 1 || last.elapsed().as_millis() < 200 {
            return;
        }
        last = Instant::now();
        let (what, done, total) = match p {
            Progress::Pushing(d, t) => ("Sending", d, t),
            Progress::Pulling(d, t) => ("Receiving", d, t),
        };
        eprint!("\r{what} {done} of {total}…   ");
        if done == total {
            eprintln!();
        }
    }
}

fn sync_now(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let started = Instant::now();
    let journal = ctx.open()?;
    let mut state = State::require(&journal)?;
    let remote = open_remote(&state.remote)?;
    let (report, _) = syncing::sync(&journal, &mut state, &remote, &mut progress_printer())?;
    if json {
        let names = crate::handles::Names::of::<Reflection>(&journal)?;
        let named = |keys: &[String]| -> Vec<serde_json::Value> {
            keys.iter()
                .map(|k| {
                    let (kind, handle, record_id) = item(&names, k);
                    serde_json::json!({ "kind": kind, "id": handle, "record_id": record_id })
                })
                .collect()
        };
        crate::output::print_json(&serde_json::json!({
            "remote": state.remote,
            "sent_changes": report.pushed_changes,
            "sent_objects": report.pushed_objects,
            "received_changes": report.pulled_changes,
            "received_objects": report.pulled_objects,
            "changed_here": report.changed.len(),
            "conflicts": named(&report.conflicts),
            "kept_over_delete": named(&report.kept_over_delete),
            "waiting": report.waiting.iter().map(|(d, n)| serde_json::json!({"device": d.to_string(), "objects": n})).collect::<Vec<_>>(),
            "rolled_back": report.rolled_back.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "forked": report.forked.iter().map(ToString::to_string).collect::<Vec<_>>(),
            "seconds": started.elapsed().as_secs_f64(),
        }))?;
        return super::done();
    }
    say!(
        "Synced with {}: sent {}, received {}{} ({:.1} s).",
        state.remote,
        crate::output::count(report.pushed_changes as u64, "change", "changes"),
        crate::output::count(report.pulled_changes as u64, "change", "changes"),
        if report.changed.is_empty() {
            String::new()
        } else {
            format!(
                "; {} here",
                crate::output::count(
                    report.changed.len() as u64,
                    "record changed",
                    "records changed"
                )
            )
        },
        started.elapsed().as_secs_f64()
    );
    tell(&journal, &report)?;
    super::done()
}

/// What a synced item is: its kind's word, its handle when it is a reflection, and the
/// record id its key carries.
fn item<'k>(
    names: &crate::handles::Names,
    key: &'k str,
) -> (&'static str, Option<String>, &'k str) {
    let (kind, id) = key.split_once('/').unwrap_or(("", key));
    let word = match kind {
        "r" => "reflection",
        "c" => "commitment",
        "p" => "repair",
        "k" => "consent record",
        _ => "setting",
    };
    let handle = (kind == "r")
        .then(|| id.parse::<RecordId>().ok())
        .flatten()
        .map(|id| names.handle_of_id(id));
    (word, handle, id)
}

/// What a sync found that the member should know.
fn tell(journal: &Journal, report: &Report) -> Result<()> {
    let names = crate::handles::Names::of::<Reflection>(journal)?;
    let name = |key: &str| -> String {
        match item(&names, key) {
            (_, Some(handle), _) => format!("Reflection {handle}"),
            (kind, None, _) => format!("A {kind}"),
        }
    };
    for key in report.conflicts.iter().filter(|k| k.starts_with("r/")) {
        let who = name(key);
        let handle = item(&names, key).1.unwrap_or_default();
        say!(
            "{who} was changed on two devices before they synced: both versions are kept. `tend show {handle}` shows both; `tend sync resolve {handle}` keeps one."
        );
    }
    for key in report.conflicts.iter().filter(|k| !k.starts_with("r/")) {
        say!(
            "{} was changed on two devices: their histories are joined.",
            name(key)
        );
    }
    for key in &report.kept_over_delete {
        say!(
            "{} was deleted on one device and changed on another: the changed one is kept (delete it again if you meant to).",
            name(key)
        );
    }
    for (device, n) in &report.waiting {
        note!(
            "note: {} from device {} wait for an earlier one that is not on the remote yet (a syncer may still be copying); the next sync takes them in.",
            crate::output::count(*n, "object", "objects"),
            device.short()
        );
    }
    for device in &report.rolled_back {
        note!(
            "warning: the remote holds less of device {}'s changes than this device has already taken in: it may have been restored from an older copy. Nothing here was lost.",
            device.short()
        );
    }
    for device in &report.forked {
        note!(
            "warning: two machines write as device {} (a copied journal): the copy's changes stay on that machine. On the copy, move the journal aside and use `tend sync join`.",
            device.short()
        );
    }
    Ok(())
}

fn init(ctx: &Ctx, spec: &str) -> Result<ExitCode> {
    let started = Instant::now();
    let journal = ctx.open()?;
    if let Some(state) = State::load(&journal)? {
        return Err(
            fail(format!("this journal already syncs with {}", state.remote))
                .hint("`tend sync` syncs it; `tend sync status` says more")
                .into(),
        );
    }
    let remote = open_remote(spec)?;
    let key = syncing::key_of(&journal)?;
    let device = DeviceId::random();
    let replica = match tend_sync::init_remote(&remote, &key, journal.wrapped_unlockers()?) {
        Ok(()) => Replica::new(JournalId(journal.id()), device),
        // This journal's own head: an init cut short before it was saved here. Start as a
        // device of it, so nothing on the remote is left behind.
        Err(tend_sync::Error::AlreadyInitialised(_))
            if tend_sync::replica::check_head(&remote, &key).is_ok() =>
        {
            Replica::join(&remote, &key, device).map_err(explain)?
        }
        Err(e) => return Err(explain(e).into()),
    };
    let mut state = State::new(spec, replica);
    journal.set_sync_state(&state.to_bytes())?;
    let (report, _) = syncing::sync(&journal, &mut state, &remote, &mut progress_printer())?;
    say!(
        "This journal now syncs with {spec} (this device is {}). Sent {}, {}, {} and its values pack in {:.1} s.",
        device.short(),
        crate::output::count(journal.count::<Reflection>()?, "reflection", "reflections"),
        crate::output::count(
            journal.count::<tend_core::commitment::Commitment>()?,
            "commitment",
            "commitments"
        ),
        crate::output::count(
            journal.count::<tend_core::repair::Repair>()?,
            "repair",
            "repairs"
        ),
        started.elapsed().as_secs_f64()
    );
    tell(&journal, &report)?;
    note!(
        "On each other device: `tend sync join {spec}`, with this journal's passphrase. The remote holds only sealed objects."
    );
    super::done()
}

/// The secret for a journal that is not on this device yet: --identity, the passphrase
/// file or command, or up to three tries on the terminal.
fn join_secret(ctx: &Ctx, wrapped: &[Vec<u8>], journal_id: [u8; 16]) -> Result<Journal> {
    let path = ctx.journal_path()?;
    let now = ctx.now();
    if let Some(id_path) = &ctx.global.identity {
        let ids = crate::secrets::load_identities(id_path)?;
        return Ok(Journal::create_joined(
            &path,
            journal_id,
            wrapped,
            &Secret::Identities(ids),
            now,
        )?);
    }
    if let Some(pass) = crate::secrets::passphrase_from_env()? {
        return Ok(Journal::create_joined(
            &path,
            journal_id,
            wrapped,
            &Secret::Passphrase(pass),
            now,
        )?);
    }
    if !crate::prompt::can_ask_secret() {
        return Err(fail(
            "joining needs the journal's passphrase, and there is no terminal to ask on",
        )
        .hint(format!(
            "set {} to a file holding it, {}, or use --identity",
            crate::secrets::PASSPHRASE_FILE,
            crate::secrets::PASSPHRASE_COMMAND
        ))
        .into());
    }
    let mut tries = 0;
    loop {
        tries += 1;
        let pass = crate::prompt::passphrase("The journal's passphrase: ")?;
        match Journal::create_joined(&path, journal_id, wrapped, &Secret::Passphrase(pass), now) {
            Err(tend_store::Error::WrongPassphrase) if tries < 3 => {
                eprintln!("That passphrase does not open this journal. Try again.");
            }
            other => return Ok(other?),
        }
    }
}

fn join(ctx: &Ctx, spec: &str) -> Result<ExitCode> {
    let started = Instant::now();
    let path = ctx.journal_path()?;
    if path.exists() {
        return Err(fail(format!("there is a journal at {} already", path.display()))
            .hint("join makes this device's journal: move that one aside, or name a new file with --journal")
            .into());
    }
    let remote = open_remote(spec)?;
    let head = tend_sync::read_head(&remote).map_err(explain)?;
    let unlockers = tend_sync::all_unlockers(&remote).map_err(explain)?;
    let journal = join_secret(ctx, &unlockers, head.journal.0)?;
    let result = fill_joined(&journal, spec, &remote);
    if let Err(e) = result {
        // Leave no half-made journal behind: joining again starts afresh.
        drop(journal);
        let _ = std::fs::remove_file(&path);
        return Err(e);
    }
    let count = journal.count::<Reflection>()?;
    say!(
        "Joined: this device's journal is at {} and holds {} ({:.1} s). `tend sync` keeps it in step.",
        path.display(),
        crate::output::count(count, "reflection", "reflections"),
        started.elapsed().as_secs_f64()
    );
    super::done()
}

/// Brings everything on the remote into a journal just made by joining.
fn fill_joined(journal: &Journal, spec: &str, remote: &tend_sync::Remote) -> Result<()> {
    let key = syncing::key_of(journal)?;
    tend_sync::replica::check_head(remote, &key).map_err(explain)?;
    let replica = Replica::join(remote, &key, DeviceId::random()).map_err(explain)?;
    let mut state = State::new(spec, replica);
    let mut report = Report::default();
    state
        .replica
        .pull(
            remote,
            &key,
            syncing::now_ms(),
            &mut report,
            &mut progress_printer(),
        )
        .map_err(explain)?;
    // Everything the merged state shows (from the snapshot as well as the logs).
    let keys: std::collections::BTreeSet<String> =
        state.replica.state().records.keys().cloned().collect();
    let changes = syncing::changes_for(&mut state, &keys);
    syncing::save_with(journal, &mut state, &changes)?;
    Ok(())
}

fn status(ctx: &Ctx, json: bool) -> Result<ExitCode> {
    let journal = ctx.open()?;
    let Some(mut state) = State::load(&journal)? else {
        if json {
            crate::output::print_json(&serde_json::json!({ "syncing": false }))?;
        } else {
            say!(
                "This journal does not sync. `tend sync init REMOTE` starts, on your first device."
            );
        }
        return super::done();
    };
    let (pending, unconfirmed) = state.replica.unsent();
    let changed_here = syncing::record_local(&journal, &mut state)?;
    let devices = state.replica.applied().len().max(1);
    let names = crate::handles::Names::of::<Reflection>(&journal)?;
    let conflicts: Vec<String> = state
        .replica
        .state()
        .conflicts()
        .filter_map(|k| k.strip_prefix("r/"))
        .filter_map(|id| id.parse::<RecordId>().ok())
        .map(|id| names.handle_of_id(id))
        .collect();
    let waiting = pending + changed_here;
    if json {
        crate::output::print_json(&serde_json::json!({
            "syncing": true,
            "remote": state.remote,
            "device": state.replica.device().to_string(),
            "devices_seen": devices,
            "changes_to_send": waiting,
            "objects_to_confirm": unconfirmed,
            "conflicts": conflicts,
            "last_exchange": chrono::DateTime::from_timestamp_millis(state.last as i64)
                .filter(|_| state.last > 0)
                .map(|at| at.to_rfc3339()),
        }))?;
        return super::done();
    }
    say!("Syncs with {}.", state.remote);
    match chrono::DateTime::from_timestamp_millis(state.last as i64).filter(|_| state.last > 0) {
        Some(at) => say!(
            "Last sent or brought changes {}.",
            at.with_timezone(&chrono::Local).format("%Y-%m-%d %H:%M")
        ),
        None => say!("Has not sent or brought anything yet."),
    }
    say!(
        "This device is {}; {} seen.",
        state.replica.device().short(),
        crate::output::count(devices as u64, "device", "devices")
    );
    if waiting + unconfirmed == 0 {
        say!("Nothing waits to be sent.");
    } else {
        say!(
            "{} to send: `tend sync` sends {}.",
            crate::output::count(
                waiting.max(unconfirmed) as u64,
                "change waits",
                "changes wait"
            ),
            if waiting + unconfirmed == 1 {
                "it"
            } else {
                "them"
            }
        );
    }
    for handle in &conflicts {
        say!(
            "Reflection {handle} has two versions: `tend show {handle}` shows both; `tend sync resolve {handle}` keeps one."
        );
    }
    super::done()
}

fn resolve(ctx: &Ctx, query: &IdQuery, keep: Option<usize>) -> Result<ExitCode> {
    let journal = ctx.open()?;
    let mut state = State::require(&journal)?;
    let number = journal.resolve::<Reflection>(query)?;
    let names = crate::handles::Names::of::<Reflection>(&journal)?;
    let handle = names.handle(number);
    let id = names
        .id(number)
        .ok_or_else(|| fail(format!("reflection {handle} has no id")))?;
    let key = item_key::<Reflection>(id);
    let shown = journal.get::<Reflection>(number)?;
    let others = syncing::other_versions(&state, &key);
    if others.is_empty() {
        say!("Reflection {handle} has one version: there is nothing to choose.");
        return super::done();
    }
    let mut versions = vec![serde_json::to_vec(&shown)?];
    versions.extend(others);
    let Some(keep) = keep else {
        for (i, bytes) in versions.iter().enumerate() {
            let r: Option<Reflection> = serde_json::from_slice(bytes).ok();
            let text = r.map_or_else(|| "(cannot be read)".to_owned(), |r| r.text);
            say!("Version {}:", i + 1);
            say!("{text}");
            say!("");
        }
        note!(
            "Keep one with `tend sync resolve {handle} --keep N`; the others go on every device at the next sync."
        );
        return super::done();
    };
    let Some(bytes) = keep.checked_sub(1).and_then(|i| versions.get(i)) else {
        return Err(fail(format!(
            "reflection {handle} has {} versions, not {keep}",
            versions.len()
        ))
        .hint(format!("`tend sync resolve {handle}` lists them"))
        .into());
    };
    let bytes = bytes.clone();
    // Writing it replaces every version this device has seen: that is choosing.
    state.replica.put(&key, bytes.clone(), syncing::now_ms());
    let changes = SyncChanges {
        puts: vec![(key, bytes)],
        deletes: Vec::new(),
    };
    syncing::save_with(&journal, &mut state, &changes)?;
    say!(
        "Kept version {keep} of reflection {handle}. `tend sync` takes the choice to your other devices."
    );
    super::done()
}

fn stop(ctx: &Ctx) -> Result<ExitCode> {
    let journal = ctx.open()?;
    let state = State::require(&journal)?;
    let conflicts = state.replica.state().conflicts().count();
    journal.clear_sync_state()?;
    say!(
        "This device no longer syncs with {}. Its journal keeps everything it holds; the remote keeps what it has.",
        state.remote
    );
    if conflicts > 0 {
        note!(
            "{} had a second version from another device; the version this journal shows is the one kept here.",
            crate::output::count(conflicts as u64, "record", "records")
        );
    }
    note!("`tend sync init REMOTE` (an empty remote) or `tend sync join REMOTE` starts again.");
    super::done()
}
