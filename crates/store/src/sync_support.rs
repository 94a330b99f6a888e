//! What syncing between devices needs of a journal, with no knowledge of how sync works:
//! every record and synced setting as (item key, bytes); merged changes and the sync state
//! applied together in one durable transaction; a key for sync derived from the data key;
//! the wrapped unlockers for a remote's head; and a journal made on a new device from them.
//!
//! Item keys are `r/`, `c/`, `p/` or `k/` and the record's id (reflection, commitment,
//! repair, consent record) or `s/` and a setting's name. The bytes are the record as the
//! journal seals it (JSON), so two devices holding the same record hold the same bytes.

use std::collections::BTreeMap;

use chrono::{DateTime, Utc};
use tend_core::commitment::Commitment;
use tend_core::contribution::ConsentRecord;
use tend_core::id::RecordId;
use tend_core::reflection::Reflection;
use tend_core::repair::Repair;
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::journal::{Journal, PACK_SETTING, PSEUDONYM_SETTING};
use crate::records::{Record, layout};
use crate::unlock::{Attempt, Secret};

/// The sealed setting that holds this device's sync state (the caller's bytes).
const SYNC_STATE_SETTING: &str = "sync_state";
/// Settings that travel: the values pack, and the pseudonym key (so a member contributes to
/// a retreat under one pseudonym from every device).
const SYNCED_SETTINGS: [&str; 2] = [PACK_SETTING, PSEUDONYM_SETTING];

/// Every record and synced setting of a journal, by item key.
#[derive(Default, Debug)]
pub struct SyncItems {
    /// Item key → bytes.
    pub items: BTreeMap<String, Zeroizing<Vec<u8>>>,
    /// Records that did not open: syncing now would pass them off as deleted.
    pub damaged: usize,
}

/// Merged changes for [`Journal::apply_sync`]: items to write and items to remove.
#[derive(Default, Debug)]
pub struct SyncChanges {
    /// Item key → new bytes.
    pub puts: Vec<(String, Vec<u8>)>,
    /// Item keys to remove (absent ones are passed over).
    pub deletes: Vec<String>,
}

fn prefix_of<T: Record>() -> &'static str {
    match T::KIND {
        "reflection" => "r",
        "commitment" => "c",
        "repair" => "p",
        _ => "k",
    }
}

/// Whether `key` is an item key this build knows.
pub fn is_item_key(key: &str) -> bool {
    match key.split_once('/') {
        Some(("s", name)) => SYNCED_SETTINGS.contains(&name),
        Some(("r" | "c" | "p" | "k", id)) => id.parse::<RecordId>().is_ok(),
        _ => false,
    }
}

/// The item key of record `id` of kind `T`.
pub fn item_key<T: Record>(id: RecordId) -> String {
    format!("{}/{id}", prefix_of::<T>())
}

impl Journal {
    /// Every record and synced setting, by item key.
    pub fn sync_items(&self) -> Result<SyncItems> {
        let mut out = SyncItems::default();
        self.items_of::<Reflection>(&mut out)?;
        self.items_of::<Commitment>(&mut out)?;
        self.items_of::<Repair>(&mut out)?;
        self.items_of::<ConsentRecord>(&mut out)?;
        let txn = redb::ReadableDatabase::begin_read(&*self.db)?;
        for name in SYNCED_SETTINGS {
            if let Some(bytes) = self.get_setting(&txn, name)? {
                out.items.insert(format!("s/{name}"), bytes);
            }
        }
        Ok(out)
    }

    fn items_of<T: Record>(&self, out: &mut SyncItems) -> Result<()> {
        let book = self.ids::<T>()?;
        let scan = self.all::<T>()?;
        out.damaged += scan.damaged.len();
        for (n, record) in scan.records {
            let Some(id) = book.id(n) else {
                out.damaged += 1;
                continue;
            };
            out.items.insert(
                item_key::<T>(id),
                Zeroizing::new(serde_json::to_vec(&record).unwrap_or_default()),
            );
        }
        Ok(())
    }

    /// Applies merged changes and saves `state` (the caller's sync state) in one durable
    /// transaction: after a crash, both or neither. An item whose bytes do not read as its
    /// kind is refused before anything is written.
    pub fn apply_sync(&self, changes: &SyncChanges, state: &[u8]) -> Result<()> {
        let Parsed {
            reflections,
            commitments,
            repairs,
            consents,
            settings,
        } = parse_changes(changes)?;
        let txn = self.begin()?;
        let mut w = layout::Writer::new(self, &txn);
        let mut deleted = false;
        deleted |= self.apply_parts(&mut w, &reflections)?;
        deleted |= self.apply_parts(&mut w, &commitments)?;
        deleted |= self.apply_parts(&mut w, &repairs)?;
        deleted |= self.apply_parts(&mut w, &consents)?;
        w.finish()?;
        for (name, bytes) in settings {
            self.put_setting(&txn, name, bytes)?;
        }
        self.put_setting(&txn, SYNC_STATE_SETTING, state)?;
        if deleted {
            self.note_deletion(&txn)?;
        }
        self.commit(txn)?;
        Ok(())
    }

    fn apply_parts<T: Record>(&self, w: &mut layout::Writer<'_>, parts: &Parts<T>) -> Result<bool> {
        if parts.puts.is_empty() && parts.deletes.is_empty() {
            return Ok(false);
        }
        let mut book = self.ids::<T>()?;
        self.put_by_id_in(w, &mut book, &parts.puts)?;
        self.delete_by_id_in::<T>(w, &mut book, &parts.deletes)
    }

    /// This device's sync state, as [`Journal::apply_sync`] or
    /// [`Journal::set_sync_state`] saved it.
    pub fn sync_state(&self) -> Result<Option<Zeroizing<Vec<u8>>>> {
        let txn = redb::ReadableDatabase::begin_read(&*self.db)?;
        self.get_setting(&txn, SYNC_STATE_SETTING)
    }

    /// Saves this device's sync state (durably), changing nothing else.
    pub fn set_sync_state(&self, state: &[u8]) -> Result<()> {
        let txn = self.begin()?;
        self.put_setting(&txn, SYNC_STATE_SETTING, state)?;
        self.commit(txn)
    }

    /// Forgets this device's sync state (the journal's records stay as they are).
    pub fn clear_sync_state(&self) -> Result<()> {
        let txn = self.begin()?;
        let old = txn
            .open_table(crate::journal::SETTINGS)?
            .remove(SYNC_STATE_SETTING)?
            .map(|v| v.value().to_vec());
        self.track(
            crate::seal::Place {
                table: "tend_settings",
                key: SYNC_STATE_SETTING.as_bytes(),
            },
            old.as_deref(),
            None,
        );
        self.commit(txn)
    }

    /// A 32-byte key for sealing sync objects, the same on every device of this journal and
    /// changed by a key rotation: HMAC-SHA256 under the journal's MAC key (itself derived by
    /// HKDF from the data key) of a label no stored value uses. It works when an agent holds
    /// the key, too.
    pub fn sync_key(&self) -> Result<Zeroizing<[u8; 32]>> {
        let id = self.id();
        let mac = self.key.mac(
            crate::seal::Place {
                table: "tend sync key v1",
                key: b"",
            },
            &id,
        );
        self.agent_ok()?;
        Ok(Zeroizing::new(mac))
    }

    /// The wrapped data keys of every unlocker (age files), to go into a remote's head so a
    /// new device opens with the same passphrase or identity.
    pub fn wrapped_unlockers(&self) -> Result<Vec<Vec<u8>>> {
        let txn = redb::ReadableDatabase::begin_read(&*self.db)?;
        let t = txn.open_table(crate::journal::UNLOCKERS)?;
        let mut out = Vec::new();
        for item in redb::ReadableTable::iter(&t)? {
            let (_, v) = item?;
            out.push(v.value().to_vec());
        }
        Ok(out)
    }

    /// Makes a journal on a new device for the journal `journal_id` whose unlockers are
    /// `wrapped`: `secret` must open one of them. The new file holds the same unlockers (the
    /// same passphrases and identities open it) and no records yet; sync brings them.
    pub fn create_joined(
        path: &std::path::Path,
        journal_id: [u8; 16],
        wrapped: &[Vec<u8>],
        secret: &Secret,
        now: DateTime<Utc>,
    ) -> Result<Journal> {
        let mut key = None;
        for w in wrapped {
            match crate::unlock::try_unwrap(w, secret) {
                Ok(Attempt::Opened(raw)) => {
                    key = Some(raw);
                    break;
                }
                Ok(Attempt::Refused) | Err(_) => {}
            }
        }
        let raw = key.ok_or(match secret {
            Secret::Passphrase(_) => Error::WrongPassphrase,
            Secret::Identities(_) => Error::WrongIdentity,
        })?;
        let key = crate::seal::DataKey::from_slice(&raw, journal_id)
            .ok_or_else(|| Error::Damaged("the remote's unlocker holds no key".into()))?;
        Journal::create_with_key(path, key, wrapped, now)
    }
}

/// Merged changes read as records, before anything is written.
struct Parsed<'a> {
    reflections: Parts<Reflection>,
    commitments: Parts<Commitment>,
    repairs: Parts<Repair>,
    consents: Parts<ConsentRecord>,
    settings: Vec<(&'a str, &'a [u8])>,
}

/// Reads every item of `changes` as what its key names; the first that does not read is
/// the error, and nothing is written.
fn parse_changes(changes: &SyncChanges) -> Result<Parsed<'_>> {
    let mut p = Parsed {
        reflections: Parts::default(),
        commitments: Parts::default(),
        repairs: Parts::default(),
        consents: Parts::default(),
        settings: Vec::new(),
    };
    for (key, bytes) in &changes.puts {
        match key.split_once('/') {
            Some(("r", id)) => p.reflections.put(key, id, bytes)?,
            Some(("c", id)) => p.commitments.put(key, id, bytes)?,
            Some(("p", id)) => p.repairs.put(key, id, bytes)?,
            Some(("k", id)) => p.consents.put(key, id, bytes)?,
            Some(("s", name)) if SYNCED_SETTINGS.contains(&name) => {
                if name == PACK_SETTING {
                    serde_json::from_slice::<tend_core::pack::ValuesPack>(bytes)
                        .map_err(|_| bad_item(key))?;
                }
                p.settings.push((name, bytes));
            }
            _ => return Err(bad_item(key)),
        }
    }
    for key in &changes.deletes {
        match key.split_once('/') {
            Some(("r", id)) => p.reflections.delete(key, id)?,
            Some(("c", id)) => p.commitments.delete(key, id)?,
            Some(("p", id)) => p.repairs.delete(key, id)?,
            Some(("k", id)) => p.consents.delete(key, id)?,
            // A setting is never deleted; a newer build's item is passed over.
            _ => {}
        }
    }
    Ok(p)
}

/// For the fuzz target: whether `changes` read, as [`Journal::apply_sync`] reads them.
#[doc(hidden)]
pub fn changes_read(changes: &SyncChanges) -> bool {
    parse_changes(changes).is_ok()
}

/// The records of one kind a sync writes and removes.
struct Parts<T> {
    puts: Vec<(RecordId, T)>,
    deletes: Vec<RecordId>,
}

impl<T> Default for Parts<T> {
    fn default() -> Self {
        Parts {
            puts: Vec::new(),
            deletes: Vec::new(),
        }
    }
}

impl<T: Record> Parts<T> {
    fn put(&mut self, key: &str, id: &str, bytes: &[u8]) -> Result<()> {
        let id: RecordId = id.parse().map_err(|_| bad_item(key))?;
        let record: T = serde_json::from_slice(bytes).map_err(|_| bad_item(key))?;
        self.puts.push((id, record));
        Ok(())
    }

    fn delete(&mut self, key: &str, id: &str) -> Result<()> {
        self.deletes.push(id.parse().map_err(|_| bad_item(key))?);
        Ok(())
    }
}

fn bad_item(key: &str) -> Error {
    Error::Damaged(format!(
        "a synced item ({key}) does not read as what it names"
    ))
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use age::secrecy::SecretString;
    use chrono::NaiveDate;

    /// A new journal in `dir` with a quick passphrase, for unit tests.
    pub(crate) fn journal(dir: &std::path::Path, name: &str) -> Journal {
        let unlocker = crate::NewUnlocker::Passphrase {
            passphrase: SecretString::from("p".to_owned()),
            work_factor: Some(4),
        };
        Journal::create(
            &dir.join(name),
            &unlocker,
            &tend_core::pack::ValuesPack::default_pack(),
            Utc::now(),
        )
        .expect("created")
    }

    #[test]
    fn items_carried_over_make_the_same_journal_and_a_bad_one_writes_nothing() {
        let dir = tempfile::tempdir().expect("temp dir");
        let a = journal(dir.path(), "a.tend");
        let on = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        a.add(&Reflection::new("Named the pay gap.", on, Utc::now()))
            .expect("added");
        a.add(&Commitment::new(
            "Bring the rota",
            Vec::new(),
            None,
            Utc::now(),
        ))
        .expect("added");
        let items = a.sync_items().expect("items");
        assert_eq!(items.damaged, 0);
        assert_eq!(
            items.items.len(),
            4,
            "a reflection, a commitment, two settings"
        );

        let b = journal(dir.path(), "b.tend");
        let changes = SyncChanges {
            puts: items
                .items
                .iter()
                .map(|(k, v)| (k.clone(), v.to_vec()))
                .collect(),
            deletes: Vec::new(),
        };
        b.apply_sync(&changes, b"state").expect("applied");
        let back = b.sync_items().expect("items");
        assert_eq!(
            back.items.keys().collect::<Vec<_>>(),
            items.items.keys().collect::<Vec<_>>()
        );
        for (k, v) in &items.items {
            assert_eq!(back.items[k].as_slice(), v.as_slice(), "{k}");
        }
        assert_eq!(
            b.sync_state().expect("reads").expect("saved").as_slice(),
            b"state"
        );
        assert_eq!(
            b.pseudonym("Spring").expect("p"),
            a.pseudonym("Spring").expect("p")
        );

        // One item that does not read as what it names: nothing at all is written.
        let c = journal(dir.path(), "c.tend");
        let mut bad = changes;
        bad.puts.push((
            "c/bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb".into(),
            b"{\"not\": \"a commitment\"}".to_vec(),
        ));
        let err = c.apply_sync(&bad, b"state").expect_err("refused");
        assert!(err.to_string().contains("does not read"), "{err}");
        assert_eq!(c.count::<Reflection>().expect("counts"), 0);
        assert!(c.sync_state().expect("reads").is_none());
        for key in ["x/y", "r/not-an-id", "s/unknown_setting"] {
            let odd = SyncChanges {
                puts: vec![(key.into(), b"{}".to_vec())],
                deletes: Vec::new(),
            };
            assert!(!changes_read(&odd), "{key}");
        }
    }
}
