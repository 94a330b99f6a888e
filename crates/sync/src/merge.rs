//! Merging: every device ends with the same journal, whatever order changes arrive in, and
//! no change is lost without someone having seen it.
//!
//! Each record is a multi-value register with a causal context: a write names (by its
//! version vector) every version its device had seen, and replaces exactly those. Two writes
//! that did not see each other both stay — for a reflection that is the "both versions
//! kept" conflict; for a setting the later one by [`Hlc`] is shown. A deletion is a write
//! of a tombstone, so a deletion and an edit made without seeing each other leave the edit
//! standing (the text is never the thing lost). Events (the history of a commitment or a
//! repair) are a grow-only set ordered by time; each is kept once, by its [`Dot`].

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::hlc::Hlc;
use crate::ids::{Dot, VersionVector};

/// Which record a change is about: the store's own key for it (kind and id), opaque here.
pub type RecordKey = String;

/// One change, as it travels.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Change {
    /// The change's own name.
    pub dot: Dot,
    /// When it was made.
    pub hlc: Hlc,
    /// The record it is about.
    pub key: RecordKey,
    /// What it does.
    pub op: Op,
}

/// What a change does to its record.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub enum Op {
    /// Writes a new version, replacing the versions `seen` covers.
    Put {
        /// The record's bytes as the store keeps them (before sealing).
        value: Vec<u8>,
        /// Everything the writing device had seen of this record.
        seen: VersionVector,
    },
    /// Deletes the record: a tombstone replacing the versions `seen` covers.
    Delete {
        /// Everything the deleting device had seen of this record.
        seen: VersionVector,
    },
    /// Adds one event to the record's history.
    Event {
        /// The event's bytes as the store keeps them.
        value: Vec<u8>,
    },
}

/// One version of a record that no later write has replaced.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Version {
    /// The write that made it.
    pub dot: Dot,
    /// When.
    pub hlc: Hlc,
    /// The bytes, or `None` for a deletion.
    pub value: Option<Vec<u8>>,
}

/// One event of a record's history.
#[derive(Clone, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Event {
    /// When it was made.
    pub hlc: Hlc,
    /// Its bytes.
    pub value: Vec<u8>,
}

/// Everything known of one record.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct Record {
    /// Every change to this record taken in so far.
    pub context: VersionVector,
    /// Versions no write has replaced, in [`Dot`] order. More than one is a conflict.
    pub heads: Vec<Version>,
    /// The record's events, by their names.
    pub events: BTreeMap<Dot, Event>,
}

/// How a record with more than one standing version is shown.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Policy {
    /// Show every version and say so until the member chooses (reflections).
    KeepBoth,
    /// Show the latest by clock (settings, the values pack); the others stay until replaced.
    Latest,
}

/// What a record looks like after merging.
#[derive(Clone, PartialEq, Eq, Debug)]
pub enum View<'a> {
    /// No version and no event: nothing here.
    Absent,
    /// Deleted everywhere it was seen.
    Deleted,
    /// One value.
    One(&'a Version),
    /// Several values written without seeing each other, latest first; all kept.
    Conflict(Vec<&'a Version>),
}

impl Record {
    /// Whether `dot` has already been taken in.
    pub fn has(&self, dot: Dot) -> bool {
        self.context.contains(dot) || self.events.contains_key(&dot)
    }

    /// Takes in one change. Applying a change twice changes nothing.
    pub fn apply(&mut self, change: &Change) {
        if self.has(change.dot) {
            return;
        }
        match &change.op {
            Op::Put { seen, .. } | Op::Delete { seen } => {
                self.heads.retain(|h| !seen.contains(h.dot));
                let value = match &change.op {
                    Op::Put { value, .. } => Some(value.clone()),
                    _ => None,
                };
                let at = self.heads.partition_point(|h| h.dot < change.dot);
                self.heads.insert(
                    at,
                    Version {
                        dot: change.dot,
                        hlc: change.hlc,
                        value,
                    },
                );
                self.context.merge(seen);
                self.context.add(change.dot);
            }
            Op::Event { value } => {
                self.events.insert(
                    change.dot,
                    Event {
                        hlc: change.hlc,
                        value: value.clone(),
                    },
                );
            }
        }
    }

    /// The standing versions that hold a value, latest first, one per distinct value.
    pub fn live(&self) -> Vec<&Version> {
        let mut live: Vec<&Version> = self.heads.iter().filter(|h| h.value.is_some()).collect();
        live.sort_by_key(|v| std::cmp::Reverse((v.hlc, v.dot)));
        let mut seen_values: Vec<&[u8]> = Vec::new();
        live.retain(|v| {
            let bytes = v.value.as_deref().unwrap_or_default();
            if seen_values.contains(&bytes) {
                false
            } else {
                seen_values.push(bytes);
                true
            }
        });
        live
    }

    /// How the record is shown under `policy`.
    pub fn view(&self, policy: Policy) -> View<'_> {
        let live = self.live();
        match (live.len(), policy) {
            (0, _) if self.heads.is_empty() && self.events.is_empty() => View::Absent,
            (0, _) if self.heads.is_empty() => View::Absent,
            (0, _) => View::Deleted,
            (1, _) | (_, Policy::Latest) => View::One(live[0]),
            _ => View::Conflict(live),
        }
    }

    /// Whether a deletion and a write were made without seeing each other (the write stands).
    pub fn deleted_while_edited(&self) -> bool {
        self.heads.iter().any(|h| h.value.is_none()) && self.heads.iter().any(|h| h.value.is_some())
    }

    /// The events in time order.
    pub fn history(&self) -> Vec<(&Dot, &Event)> {
        let mut events: Vec<_> = self.events.iter().collect();
        events.sort_by(|a, b| (a.1.hlc, a.0).cmp(&(b.1.hlc, b.0)));
        events
    }
}

/// The merged journal: every record's state.
#[derive(Clone, Default, PartialEq, Eq, Debug, Serialize, Deserialize)]
pub struct State {
    /// Records by key.
    pub records: BTreeMap<RecordKey, Record>,
}

impl State {
    /// Takes in one change.
    pub fn apply(&mut self, change: &Change) {
        self.records
            .entry(change.key.clone())
            .or_default()
            .apply(change);
    }

    /// Everything this state knows of a record's changes (what a new write replaces).
    pub fn seen(&self, key: &str) -> VersionVector {
        self.records
            .get(key)
            .map(|r| r.context.clone())
            .unwrap_or_default()
    }

    /// Keys of records with several standing values.
    pub fn conflicts(&self) -> impl Iterator<Item = &RecordKey> {
        self.records
            .iter()
            .filter(|(_, r)| r.live().len() > 1)
            .map(|(k, _)| k)
    }
}

#[cfg(test)]
mod tests;
