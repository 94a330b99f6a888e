//! Compaction: a remote that only ever grows would make every device list years of objects.
//! Once every device the remote knows has passed a log object — as its newest snapshot
//! shows — and snapshots carry what it held, the object can go.
//!
//! Each device's progress is read from its newest snapshot (the only place the remote says
//! how far a device has applied the others' logs), so a device that has never written one
//! holds compaction back, and so does a device that stopped syncing: it is named, and
//! nothing it may still need is removed. Every device's newest snapshot reaches at least
//! as far as what is removed, so a new device joining from any of them misses nothing.
//! The newest object of every log stays, so a log cut short is still noticed.

use std::collections::BTreeMap;

use crate::error::{Error, Result};
use crate::ids::DeviceId;
use crate::object::SyncKey;
use crate::remote::Remote;
use crate::replica::{check_head, log_name, open_snapshot, parse_name, snapshot_name};

/// What one compaction did.
#[derive(Clone, Default, Debug, PartialEq, Eq)]
pub struct Compaction {
    /// Log objects removed.
    pub removed_objects: usize,
    /// Older snapshots removed (each device's newest stays).
    pub removed_snapshots: usize,
    /// Devices with no snapshot yet: while there are any, no log object is removed.
    pub held_back_by: Vec<DeviceId>,
}

/// Removes what every known device has passed. Safe to run from any device at any time and
/// to cut short; a snapshot that does not open stops it before anything is removed.
pub fn compact(remote: &Remote, key: &SyncKey) -> Result<Compaction> {
    check_head(remote, key)?;
    let mut logs: BTreeMap<DeviceId, Vec<u64>> = BTreeMap::new();
    for (name, _) in remote.list("log")? {
        if let Some((device, seq)) = parse_name(&name, "log") {
            logs.entry(device).or_default().push(seq);
        }
    }
    let mut snaps: BTreeMap<DeviceId, Vec<u64>> = BTreeMap::new();
    for (name, _) in remote.list("snap")? {
        if let Some((device, seq)) = parse_name(&name, "snap") {
            snaps.entry(device).or_default().push(seq);
        }
    }
    let mut report = Compaction {
        held_back_by: logs
            .keys()
            .filter(|d| !snaps.contains_key(d))
            .copied()
            .collect(),
        ..Compaction::default()
    };
    if !report.held_back_by.is_empty() {
        return Ok(report);
    }

    // How far every device has applied every log, by its newest snapshot.
    let mut progress: Vec<BTreeMap<DeviceId, u64>> = Vec::new();
    for (&device, seqs) in &snaps {
        let seq = seqs.iter().copied().max().unwrap_or(0);
        let name = snapshot_name(device, seq);
        let bytes = remote
            .get(&name)?
            .ok_or_else(|| Error::Remote(format!("{name} went away while compacting")))?;
        let snap =
            open_snapshot(key, device, seq, &bytes).map_err(|why| Error::Refused { name, why })?;
        progress.push(snap.applied);
    }

    for (&device, seqs) in &logs {
        let passed = progress
            .iter()
            .map(|applied| applied.get(&device).copied().unwrap_or(0))
            .min()
            .unwrap_or(0);
        let newest = seqs.iter().copied().max().unwrap_or(0);
        for &seq in seqs.iter().filter(|&&s| s < passed && s < newest) {
            remote.delete(&log_name(device, seq))?;
            report.removed_objects += 1;
        }
    }
    for (&device, seqs) in &snaps {
        let newest = seqs.iter().copied().max().unwrap_or(0);
        for &seq in seqs.iter().filter(|&&s| s < newest) {
            remote.delete(&snapshot_name(device, seq))?;
            report.removed_snapshots += 1;
        }
    }
    Ok(report)
}

#[cfg(test)]
mod tests;
