//! One device's side of sync: its merged state, its own log, and how far it has read
//! every other device's log.
//!
//! A sync is three steps, each safe to cut short: seal the device's new changes into the
//! next objects of its log (the caller saves the replica before anything leaves, so an
//! object's bytes never change once chosen); write them to the remote once each; read
//! every other device's objects after the cursor this device keeps for it, open them all
//! (any that does not open stops the sync before anything is applied), and apply them in
//! an order that respects what each writer had seen.

use std::collections::{BTreeMap, BTreeSet};

use serde::{Deserialize, Serialize};

use crate::error::{Error, ObjectError, Result};
use crate::head::{HEAD_NAME, Head};
use crate::hlc::Hlc;
use crate::ids::{DeviceId, Dot, JournalId};
use crate::merge::{Change, Op, Policy, RecordKey, State, View};
use crate::object::{Kind, Place, STEP_BUCKET, SyncKey};
use crate::remote::{Remote, Written};

/// Objects of changes hold at most about this many payload bytes.
const MAX_PAYLOAD: usize = STEP_BUCKET - 4096;
const REPLICA_FORMAT: u8 = 1;

/// One object of a device's log: the changes and what the device had applied of every
/// other log when it wrote them (an object is applied only after those).
#[derive(Serialize, Deserialize)]
struct ChangeSet {
    deps: BTreeMap<DeviceId, u64>,
    changes: Vec<Change>,
}

/// A snapshot: the merged state and how far into every log it reaches.
#[derive(Serialize, Deserialize)]
pub(crate) struct Snapshot {
    pub(crate) applied: BTreeMap<DeviceId, u64>,
    clock: Hlc,
    state: State,
}

/// The name of object `seq` of `device`'s log.
pub fn log_name(device: DeviceId, seq: u64) -> String {
    format!("log/{device}/{seq:016x}")
}

/// The name of the snapshot `device` wrote when it had applied `seq` objects of all logs
/// together (its own included).
pub fn snapshot_name(device: DeviceId, seq: u64) -> String {
    format!("snap/{device}/{seq:016x}")
}

/// Reads `log/<device>/<seq>` or `snap/<device>/<seq>`; anything else is not ours (a
/// syncer's temporary file, a conflict copy, a staging object) and is passed over.
pub(crate) fn parse_name(name: &str, dir: &str) -> Option<(DeviceId, u64)> {
    let rest = name.strip_prefix(dir)?.strip_prefix('/')?;
    let (device, seq) = rest.split_once('/')?;
    if seq.len() != 16 || !seq.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    Some((DeviceId::parse(device)?, u64::from_str_radix(seq, 16).ok()?))
}

/// The device of a syncer's conflict copy of one of its log objects: Syncthing renames the
/// losing version of `log/<device>/<seq>` to `<seq>.sync-conflict-<date>-<time>-<who>`.
fn conflict_copy(name: &str) -> Option<DeviceId> {
    let (object, _) = name.split_once(".sync-conflict-")?;
    parse_name(object, "log").map(|(device, _)| device)
}

/// One opened change object: what its writer had applied, and its changes.
pub type Opened = (BTreeMap<DeviceId, u64>, Vec<Change>);

/// Opens one change object: the sealing, then its contents.
pub fn open_changes(
    key: &SyncKey,
    device: DeviceId,
    seq: u64,
    bytes: &[u8],
) -> Result<(BTreeMap<DeviceId, u64>, Vec<Change>), ObjectError> {
    let place = Place {
        journal: key.journal(),
        kind: Kind::Changes,
        device,
        seq,
    };
    let plain = key.open(place, bytes)?;
    decode_changes(device, &plain)
}

/// Reads a change object's payload.
pub(crate) fn decode_changes(device: DeviceId, plain: &[u8]) -> Result<Opened, ObjectError> {
    let set: ChangeSet = postcard::from_bytes(plain).map_err(|_| ObjectError::BadPayload)?;
    // Every change in a device's log is that device's own, and counters only grow.
    if set.changes.iter().any(|c| c.dot.device != device)
        || set
            .changes
            .windows(2)
            .any(|w| w[0].dot.counter >= w[1].dot.counter)
    {
        return Err(ObjectError::BadPayload);
    }
    Ok((set.deps, set.changes))
}

/// A change object's payload (for the fuzz seeds).
pub(crate) fn encode_changes(changes: &[Change]) -> Vec<u8> {
    postcard::to_allocvec(&ChangeSet {
        deps: BTreeMap::new(),
        changes: changes.to_vec(),
    })
    .unwrap_or_default()
}

/// A snapshot's payload.
pub(crate) fn encode_snapshot(r: &Replica) -> Vec<u8> {
    let snap = Snapshot {
        applied: r.applied.clone(),
        clock: r.clock,
        state: r.state.clone(),
    };
    postcard::to_allocvec(&snap).unwrap_or_default()
}

/// Opens one snapshot object: the sealing, then its contents.
pub(crate) fn open_snapshot(
    key: &SyncKey,
    device: DeviceId,
    seq: u64,
    bytes: &[u8],
) -> Result<Snapshot, ObjectError> {
    let place = Place {
        journal: key.journal(),
        kind: Kind::Snapshot,
        device,
        seq,
    };
    decode_snapshot(&key.open(place, bytes)?)
}

/// Reads a snapshot's payload.
pub(crate) fn decode_snapshot(plain: &[u8]) -> Result<Snapshot, ObjectError> {
    postcard::from_bytes(plain).map_err(|_| ObjectError::BadPayload)
}

/// What one sync did, for the member to read.
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct Report {
    /// Objects this device wrote.
    pub pushed_objects: usize,
    /// Changes in them.
    pub pushed_changes: usize,
    /// Objects read from other devices.
    pub pulled_objects: usize,
    /// Changes in them.
    pub pulled_changes: usize,
    /// Records whose shown value changed by what was read (to write to the local journal).
    pub changed: BTreeSet<RecordKey>,
    /// Records that now hold several versions written apart (newly so).
    pub conflicts: Vec<RecordKey>,
    /// Records deleted on one device and edited on another without seeing the deletion:
    /// the edit stands.
    pub kept_over_delete: Vec<RecordKey>,
    /// Devices whose next object is not on the remote yet while a later one is (a syncer
    /// still copying, or storage that dropped it): how many objects wait behind it.
    pub waiting: Vec<(DeviceId, u64)>,
    /// Devices whose log on the remote is shorter than what this device has applied.
    pub rolled_back: Vec<DeviceId>,
    /// Whether a snapshot was written.
    pub snapshot: bool,
    /// Devices whose log a syncer found two versions of one object in (Syncthing's
    /// `.sync-conflict-` copies): two machines write as one device, a copied journal.
    /// The copy's changes stay on its machine until it joins as a device of its own.
    pub forked: Vec<DeviceId>,
}

/// How far a long sync has come.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Progress {
    /// Writing this device's objects: done of total.
    Pushing(usize, usize),
    /// Reading other devices' objects: done of total.
    Pulling(usize, usize),
}

/// Sync's settings.
#[derive(Clone, Copy, Debug)]
pub struct Options {
    /// Write a snapshot after this many objects were applied since the last one.
    pub snapshot_every: u64,
    /// This device's wall clock, in milliseconds since 1970.
    pub now_ms: u64,
}

/// One device's sync state. The caller keeps it (sealed) beside the journal.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Replica {
    journal: JournalId,
    device: DeviceId,
    clock: Hlc,
    counter: u64,
    next_seq: u64,
    applied: BTreeMap<DeviceId, u64>,
    pending: Vec<Change>,
    outbox: BTreeMap<u64, Vec<u8>>,
    since_snapshot: u64,
    state: State,
}

impl Replica {
    /// A new device's replica with nothing in it.
    pub fn new(journal: JournalId, device: DeviceId) -> Replica {
        Replica {
            journal,
            device,
            clock: Hlc::default(),
            counter: 0,
            next_seq: 0,
            applied: BTreeMap::new(),
            pending: Vec::new(),
            outbox: BTreeMap::new(),
            since_snapshot: 0,
            state: State::default(),
        }
    }

    /// This device's id.
    pub fn device(&self) -> DeviceId {
        self.device
    }

    /// The journal this replica syncs.
    pub fn journal(&self) -> JournalId {
        self.journal
    }

    /// The merged state.
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Changes made here that no object holds yet, and objects not yet confirmed written.
    pub fn unsent(&self) -> (usize, usize) {
        (self.pending.len(), self.outbox.len())
    }

    /// Changes made here that no object holds yet.
    pub fn pending_changes(&self) -> &[Change] {
        &self.pending
    }

    /// A sealed object of this device's log not yet confirmed written.
    pub fn outbox_object(&self, seq: u64) -> Option<Vec<u8>> {
        self.outbox.get(&seq).cloned()
    }

    /// How many objects of each device's log this device has applied.
    pub fn applied(&self) -> &BTreeMap<DeviceId, u64> {
        &self.applied
    }

    /// The replica as bytes (to be sealed by the caller; it holds the journal's text).
    pub fn to_bytes(&self) -> Vec<u8> {
        let mut out = vec![REPLICA_FORMAT];
        out.extend(postcard::to_allocvec(self).unwrap_or_default());
        out
    }

    /// Reads what [`Replica::to_bytes`] wrote.
    pub fn from_bytes(bytes: &[u8]) -> Result<Replica> {
        match bytes.split_first() {
            Some((&REPLICA_FORMAT, rest)) => {
                postcard::from_bytes(rest).map_err(|_| Error::BadState)
            }
            _ => Err(Error::BadState),
        }
    }

    fn local(&mut self, key: &str, op: Op, now_ms: u64) {
        self.counter += 1;
        let change = Change {
            dot: Dot {
                device: self.device,
                counter: self.counter,
            },
            hlc: self.clock.tick(now_ms),
            key: key.to_string(),
            op,
        };
        self.state.apply(&change);
        self.pending.push(change);
    }

    /// Records a local write of `key` (replacing every version this device has seen, so
    /// writing a record in conflict is choosing).
    pub fn put(&mut self, key: &str, value: Vec<u8>, now_ms: u64) {
        let seen = self.state.seen(key);
        self.local(key, Op::Put { value, seen }, now_ms);
    }

    /// Records a local deletion of `key`.
    pub fn delete(&mut self, key: &str, now_ms: u64) {
        let seen = self.state.seen(key);
        self.local(key, Op::Delete { seen }, now_ms);
    }

    /// Records one event in `key`'s history.
    pub fn event(&mut self, key: &str, value: Vec<u8>, now_ms: u64) {
        self.local(key, Op::Event { value }, now_ms);
    }

    /// Compares what the local journal holds now with the merged state and records the
    /// difference as local changes: a value unlike every standing version is a write (a
    /// record in conflict stays in conflict while the journal shows one of its versions);
    /// a record the state shows but the journal no longer holds is a deletion.
    /// Returns how many changes were recorded.
    pub fn record_local(&mut self, current: &BTreeMap<RecordKey, Vec<u8>>, now_ms: u64) -> usize {
        let mut writes = Vec::new();
        for (key, value) in current {
            let unchanged = self.state.records.get(key).is_some_and(|r| {
                r.live()
                    .iter()
                    .any(|v| v.value.as_deref() == Some(value.as_slice()))
            });
            if !unchanged {
                writes.push((key.clone(), Some(value.clone())));
            }
        }
        for (key, record) in &self.state.records {
            if !current.contains_key(key) && !record.live().is_empty() {
                writes.push((key.clone(), None));
            }
        }
        let n = writes.len();
        for (key, value) in writes {
            match value {
                Some(v) => self.put(&key, v, now_ms),
                None => self.delete(&key, now_ms),
            }
        }
        n
    }

    /// What the local journal should hold for `key` after merging: the one value, the
    /// latest of several (the others stay in the state until the member chooses), or
    /// nothing.
    pub fn shown(&self, key: &str) -> Option<&[u8]> {
        let record = self.state.records.get(key)?;
        match record.view(Policy::Latest) {
            View::One(v) => v.value.as_deref(),
            _ => None,
        }
    }

    /// Seals pending changes into the next objects of this device's log. The caller must
    /// save the replica after this and before [`Replica::push`].
    pub fn seal_pending(&mut self, key: &SyncKey) -> usize {
        let mut made = 0;
        let pending = std::mem::take(&mut self.pending);
        let mut batch: Vec<Change> = Vec::new();
        let mut size = 0;
        let mut batches = Vec::new();
        for change in pending {
            let len = postcard::experimental::serialized_size(&change).unwrap_or(MAX_PAYLOAD);
            if !batch.is_empty() && size + len > MAX_PAYLOAD {
                batches.push(std::mem::take(&mut batch));
                size = 0;
            }
            size += len;
            batch.push(change);
        }
        if !batch.is_empty() {
            batches.push(batch);
        }
        for changes in batches {
            let mut deps = self.applied.clone();
            deps.remove(&self.device);
            let payload = postcard::to_allocvec(&ChangeSet { deps, changes }).unwrap_or_default();
            let seq = self.next_seq;
            let place = Place {
                journal: self.journal,
                kind: Kind::Changes,
                device: self.device,
                seq,
            };
            self.outbox.insert(seq, key.seal(place, &payload));
            self.next_seq += 1;
            self.applied.insert(self.device, self.next_seq);
            self.since_snapshot += 1;
            made += 1;
        }
        made
    }

    /// Writes the sealed objects not yet confirmed on the remote.
    pub fn push(
        &mut self,
        remote: &Remote,
        report: &mut Report,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<()> {
        let total = self.outbox.len();
        let seqs: Vec<u64> = self.outbox.keys().copied().collect();
        for (i, seq) in seqs.into_iter().enumerate() {
            progress(Progress::Pushing(i, total));
            let bytes = &self.outbox[&seq];
            match remote.put_once(&log_name(self.device, seq), bytes)? {
                Written::New | Written::AlreadyThere => {}
                Written::OtherBytes => return Err(Error::DeviceClash(self.device)),
            }
            self.outbox.remove(&seq);
            report.pushed_objects += 1;
        }
        progress(Progress::Pushing(total, total));
        Ok(())
    }

    /// Reads and applies every other device's new objects. Nothing is applied unless all of
    /// them open.
    pub fn pull(
        &mut self,
        remote: &Remote,
        key: &SyncKey,
        now_ms: u64,
        report: &mut Report,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<()> {
        let mut logs: BTreeMap<DeviceId, Vec<u64>> = BTreeMap::new();
        for (name, _) in remote.list("log")? {
            if let Some((device, seq)) = parse_name(&name, "log") {
                logs.entry(device).or_default().push(seq);
            } else if let Some(device) = conflict_copy(&name)
                && !report.forked.contains(&device)
            {
                report.forked.push(device);
            }
        }
        for (&device, &had) in &self.applied {
            let has = logs
                .get(&device)
                .and_then(|s| s.last())
                .map_or(0, |&s| s + 1);
            if has < had && device != self.device {
                report.rolled_back.push(device);
            }
        }
        // What to fetch: for each device, the unbroken run after this device's cursor
        // (our own log too: objects a restored or cut-short copy of this device wrote).
        let mut wanted: Vec<(DeviceId, u64)> = Vec::new();
        for (&device, seqs) in &logs {
            let from = self.applied.get(&device).copied().unwrap_or(0);
            let mut next = from;
            for &seq in seqs.iter().filter(|&&s| s >= from) {
                if seq != next {
                    break;
                }
                wanted.push((device, seq));
                next += 1;
            }
            let beyond = seqs.iter().filter(|&&s| s > next).count() as u64;
            if beyond > 0 {
                report.waiting.push((device, beyond));
            }
        }
        let total = wanted.len();
        let mut opened: BTreeMap<DeviceId, Vec<Opened>> = BTreeMap::new();
        for (i, &(device, seq)) in wanted.iter().enumerate() {
            progress(Progress::Pulling(i, total));
            let name = log_name(device, seq);
            let bytes = remote
                .get(&name)?
                .ok_or_else(|| Error::Remote(format!("{name} went away while syncing")))?;
            let set = open_changes(key, device, seq, &bytes)
                .map_err(|why| Error::Refused { name, why })?;
            opened.entry(device).or_default().push(set);
        }
        progress(Progress::Pulling(total, total));
        let before: BTreeMap<RecordKey, (usize, bool, Option<Vec<u8>>)> = BTreeMap::new();
        let mut before = before;
        let mut cursors: BTreeMap<DeviceId, usize> = opened.keys().map(|&d| (d, 0)).collect();
        loop {
            let mut moved = false;
            for (&device, sets) in &opened {
                let at = cursors.get_mut(&device).expect("a cursor for every device");
                while let Some((deps, changes)) = sets.get(*at) {
                    if deps.iter().any(|(d, &n)| {
                        *d != device && self.applied.get(d).copied().unwrap_or(0) < n
                    }) {
                        break;
                    }
                    for change in changes {
                        if !before.contains_key(&change.key) {
                            let r = self.state.records.get(&change.key);
                            before.insert(
                                change.key.clone(),
                                (
                                    r.map_or(0, |r| r.live().len()),
                                    r.is_some_and(|r| r.deleted_while_edited()),
                                    self.shown(&change.key).map(<[u8]>::to_vec),
                                ),
                            );
                        }
                        self.clock.observe(change.hlc, now_ms);
                        self.counter = if device == self.device {
                            self.counter.max(change.dot.counter)
                        } else {
                            self.counter
                        };
                        self.state.apply(change);
                    }
                    report.pulled_changes += changes.len();
                    report.pulled_objects += 1;
                    self.since_snapshot += 1;
                    let next = self.applied.get(&device).copied().unwrap_or(0) + 1;
                    self.applied.insert(device, next);
                    if device == self.device {
                        self.next_seq = self.next_seq.max(next);
                    }
                    *at += 1;
                    moved = true;
                }
            }
            if !moved {
                break;
            }
        }
        for (&device, sets) in &opened {
            let left = sets.len() - cursors[&device];
            if left > 0 {
                report.waiting.push((device, left as u64));
            }
        }
        for (key, (live_before, deleted_edit_before, shown_before)) in before {
            let record = &self.state.records[&key];
            let live = record.live().len();
            if live > 1 && live > live_before {
                report.conflicts.push(key.clone());
            }
            if record.deleted_while_edited() && !deleted_edit_before {
                report.kept_over_delete.push(key.clone());
            }
            if self.shown(&key).map(<[u8]>::to_vec) != shown_before {
                report.changed.insert(key);
            }
        }
        Ok(())
    }

    /// Writes a snapshot of the merged state if enough has happened since the last one.
    pub fn maybe_snapshot(
        &mut self,
        remote: &Remote,
        key: &SyncKey,
        every: u64,
        report: &mut Report,
    ) -> Result<()> {
        if self.since_snapshot < every || !self.pending.is_empty() || !self.outbox.is_empty() {
            return Ok(());
        }
        let snap = Snapshot {
            applied: self.applied.clone(),
            clock: self.clock,
            state: self.state.clone(),
        };
        let payload = postcard::to_allocvec(&snap).unwrap_or_default();
        // Named by how much it holds, which only grows: a device that only reads still
        // moves its snapshots on, so compaction sees how far it has come.
        let seq = self.applied.values().sum();
        let place = Place {
            journal: self.journal,
            kind: Kind::Snapshot,
            device: self.device,
            seq,
        };
        // A snapshot already at this point (an interrupted sync wrote it) is as good.
        remote.put_once(&snapshot_name(self.device, seq), &key.seal(place, &payload))?;
        self.since_snapshot = 0;
        report.snapshot = true;
        Ok(())
    }

    /// One whole sync: seal, save, push, perhaps snapshot, pull. `save` is called with the
    /// replica whenever it must reach disk before the next step; the caller saves it again
    /// (with what the pull changed in the journal) after this returns.
    ///
    /// The snapshot is taken before the pull, so it holds only what this device had saved
    /// by the end of its previous sync: a snapshot is how other devices learn how far this
    /// one has read (compaction removes what every device has passed), and it must never
    /// claim what a sync cut short before its last save did not keep.
    pub fn sync(
        &mut self,
        remote: &Remote,
        key: &SyncKey,
        options: Options,
        save: &mut dyn FnMut(&Replica) -> Result<()>,
        progress: &mut dyn FnMut(Progress),
    ) -> Result<Report> {
        if key.journal() != self.journal {
            return Err(Error::OtherJournal(key.journal().to_string()));
        }
        check_head(remote, key)?;
        let mut report = Report {
            pushed_changes: self.pending.len(),
            ..Report::default()
        };
        if self.seal_pending(key) > 0 {
            save(self)?;
        }
        self.push(remote, &mut report, progress)?;
        self.maybe_snapshot(remote, key, options.snapshot_every, &mut report)?;
        self.pull(remote, key, options.now_ms, &mut report, progress)?;
        Ok(report)
    }

    /// Starts a new device from the fullest snapshot on the remote (or from nothing), and
    /// leaves a snapshot of where it starts. A device that syncs a compacted remote must
    /// start here, not from [`Replica::new`].
    pub fn join(remote: &Remote, key: &SyncKey, device: DeviceId) -> Result<Replica> {
        check_head(remote, key)?;
        let mut replica = Replica::new(key.journal(), device);
        let mut newest: BTreeMap<DeviceId, u64> = BTreeMap::new();
        for (name, _) in remote.list("snap")? {
            if let Some((d, seq)) = parse_name(&name, "snap") {
                let slot = newest.entry(d).or_insert(seq);
                *slot = (*slot).max(seq);
            }
        }
        let mut best: Option<Snapshot> = None;
        for (d, seq) in newest {
            let name = snapshot_name(d, seq);
            let Some(bytes) = remote.get(&name)? else {
                continue;
            };
            let snap =
                open_snapshot(key, d, seq, &bytes).map_err(|why| Error::Refused { name, why })?;
            let reach: u64 = snap.applied.values().sum();
            if best
                .as_ref()
                .is_none_or(|b| b.applied.values().sum::<u64>() < reach)
            {
                best = Some(snap);
            }
        }
        if let Some(snap) = best {
            replica.applied = snap.applied;
            replica.clock = snap.clock;
            replica.state = snap.state;
        }
        // Where the new device starts (perhaps from nothing), for compaction — which knows
        // a device's progress only from its snapshots — never to remove what it has yet
        // to read.
        replica.maybe_snapshot(remote, key, 0, &mut Report::default())?;
        Ok(replica)
    }
}

/// Writes the head of a new remote for `key`'s journal; refuses a remote that holds one.
pub fn init_remote(remote: &Remote, key: &SyncKey, unlockers: Vec<Vec<u8>>) -> Result<()> {
    if let Some(bytes) = remote.get(HEAD_NAME)? {
        let journal = Head::parse(&bytes)
            .map(|h| h.journal.to_string())
            .unwrap_or_else(|_| "unreadable".into());
        return Err(Error::AlreadyInitialised(journal));
    }
    match remote.put_once(HEAD_NAME, &Head::new(key, unlockers).to_bytes())? {
        Written::New | Written::AlreadyThere => Ok(()),
        Written::OtherBytes => Err(Error::AlreadyInitialised(
            "written at the same moment".into(),
        )),
    }
}

/// Reads the remote's head (for `join`: its unlockers open the journal's key).
pub fn read_head(remote: &Remote) -> Result<Head> {
    let bytes = remote.get(HEAD_NAME)?.ok_or(Error::NoJournal)?;
    Head::parse(&bytes).map_err(|why| Error::Refused {
        name: HEAD_NAME.into(),
        why,
    })
}

/// Every unlocker a new device may open the journal with: the head's, then those added
/// since (`add_unlockers`). None of them is trusted by itself: whatever key one unwraps must
/// derive a sync key the head's sealed check opens with ([`check_head`]), which no one
/// without the journal's key can make.
pub fn all_unlockers(remote: &Remote) -> Result<Vec<Vec<u8>>> {
    let mut out = read_head(remote)?.unlockers;
    for (name, size) in remote.list(crate::head::UNLOCKERS_PREFIX)? {
        if size as usize > crate::head::MAX_HEAD {
            continue;
        }
        if let Some(bytes) = remote.get(&name)?
            && name == crate::head::unlocker_name(&bytes)
            && !out.contains(&bytes)
        {
            out.push(bytes);
        }
    }
    Ok(out)
}

/// Puts on the remote each of `unlockers` it does not hold yet (a passphrase or identity
/// added to the journal after `init`), so a device joining later opens with it too.
/// Returns how many were added. Checks first that the remote is this journal's.
pub fn add_unlockers(remote: &Remote, key: &SyncKey, unlockers: &[Vec<u8>]) -> Result<usize> {
    check_head(remote, key)?;
    let there = all_unlockers(remote)?;
    let mut added = 0;
    for u in unlockers.iter().filter(|u| !there.contains(u)) {
        match remote.put_once(&crate::head::unlocker_name(u), u)? {
            Written::New => added += 1,
            Written::AlreadyThere => {}
            // Another object under the name an unlocker's digest gives: not ours to replace.
            Written::OtherBytes => {}
        }
    }
    Ok(added)
}

/// Checks that the remote's head belongs to `key`'s journal.
pub fn check_head(remote: &Remote, key: &SyncKey) -> Result<()> {
    read_head(remote)?.verify(key)
}

#[cfg(test)]
mod tests;
