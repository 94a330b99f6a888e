//! The names sync gives to journals, devices and single changes.
//!
//! A device id is 128 random bits chosen when a device first syncs (or joins), so two
//! devices never write under one name. A [`Dot`] names one change: the device that made it
//! and that device's own counter, which only ever grows.

use std::collections::BTreeMap;
use std::fmt;

use serde::{Deserialize, Serialize};

/// One journal's id, the same on every device (it is bound into every sealed object).
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct JournalId(pub [u8; 16]);

/// One device's id: random, chosen once per device, never shared by two devices.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct DeviceId(pub [u8; 16]);

fn hex(bytes: &[u8; 16], f: &mut fmt::Formatter<'_>) -> fmt::Result {
    for b in bytes {
        write!(f, "{b:02x}")?;
    }
    Ok(())
}

/// Reads 32 lowercase hex digits (the form ids take in object names).
pub(crate) fn parse_hex16(s: &str) -> Option<[u8; 16]> {
    if s.len() != 32 || !s.bytes().all(|b| matches!(b, b'0'..=b'9' | b'a'..=b'f')) {
        return None;
    }
    let mut out = [0u8; 16];
    for (i, byte) in out.iter_mut().enumerate() {
        *byte = u8::from_str_radix(&s[2 * i..2 * i + 2], 16).ok()?;
    }
    Some(out)
}

impl fmt::Display for JournalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex(&self.0, f)
    }
}
impl fmt::Debug for JournalId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "JournalId({self})")
    }
}
impl fmt::Display for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        hex(&self.0, f)
    }
}
impl fmt::Debug for DeviceId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "DeviceId({self})")
    }
}

impl DeviceId {
    /// A fresh random device id.
    pub fn random() -> Self {
        DeviceId(rand::random())
    }

    /// Reads the 32 hex digits a device id takes in object names.
    pub fn parse(s: &str) -> Option<Self> {
        parse_hex16(s).map(DeviceId)
    }

    /// The first eight hex digits: enough to tell a member's few devices apart.
    pub fn short(&self) -> String {
        self.to_string()[..8].to_string()
    }
}

impl JournalId {
    /// Reads the 32 hex digits a journal id is shown as.
    pub fn parse(s: &str) -> Option<Self> {
        parse_hex16(s).map(JournalId)
    }
}

/// One change's name: the device that made it and that device's counter for it.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Debug, Serialize, Deserialize)]
pub struct Dot {
    /// The device that made the change.
    pub device: DeviceId,
    /// The device's counter: 1 for its first change, then one more for each.
    pub counter: u64,
}

/// For each device, the highest counter seen: a summary of "everything up to here".
///
/// Changes from one device are always applied in the device's order, so "counter n of
/// device d is in the vector" means every earlier change of d (to the same record) is too.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct VersionVector(pub BTreeMap<DeviceId, u64>);

impl VersionVector {
    /// Whether the change `dot` is covered.
    pub fn contains(&self, dot: Dot) -> bool {
        self.0.get(&dot.device).is_some_and(|&c| c >= dot.counter)
    }

    /// Adds one change.
    pub fn add(&mut self, dot: Dot) {
        let slot = self.0.entry(dot.device).or_insert(0);
        *slot = (*slot).max(dot.counter);
    }

    /// Takes in everything `other` covers.
    pub fn merge(&mut self, other: &VersionVector) {
        for (&device, &counter) in &other.0 {
            self.add(Dot { device, counter });
        }
    }

    /// The counter for one device (0 when none of its changes are covered).
    pub fn get(&self, device: DeviceId) -> u64 {
        self.0.get(&device).copied().unwrap_or(0)
    }

    /// Whether everything `other` covers is covered here too.
    pub fn covers(&self, other: &VersionVector) -> bool {
        other
            .0
            .iter()
            .all(|(&device, &counter)| self.get(device) >= counter)
    }
}
