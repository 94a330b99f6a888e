//! The sealed manifest: what the journal should hold, so a file pieced together from older
//! copies is noticed.
//!
//! Every record opens on its own, so an older copy of one record (or a table cut short) put
//! into the file opens as well as the real one. The manifest is one sealed setting holding a
//! counter raised by every write and a digest of every stored value: the XOR, over each
//! (table, key, stored bytes), of HMAC-SHA256 under a key derived from the data key (the
//! XOR-MAC of Bellare, Guérin and Rogaway). Keys are unique within a table and every sealed
//! value has a random nonce, so the elements are distinct; without the HMAC key nobody can
//! compute an element, so no set of copies but the real one matches the sealed digest. A
//! write updates the digest in constant time: each value it stores or removes is XORed in
//! or out. `tend check` recomputes the digest from the file and compares.

use redb::{ReadableDatabase, ReadableTable, WriteTransaction};

use crate::error::Result;
use crate::journal::UNLOCKER_INFO;
use crate::journal::{Journal, SETTINGS, UNLOCKERS};
use crate::records::layout::{RECORDS, RECORDS_TABLE};
use crate::records::table;
use crate::seal::{Key, Place};

/// The setting that holds the manifest (left out of its own digest).
pub(crate) const MANIFEST_SETTING: &str = "manifest";
const SETTINGS_TABLE: &str = "tend_settings";
pub(crate) const UNLOCKERS_TABLE: &str = "tend_unlockers";
/// Version 1: counter and digest. Version 2 adds the index summary's seal mark.
const VERSION: u8 = 2;

/// The manifest's plaintext: version, counter, digest, and the seal mark of the index
/// summary it was written with (zero: none), so that an older copy of the summary is
/// noticed without reading the index (see `records::directory`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Manifest {
    pub counter: u64,
    pub digest: [u8; 32],
    pub summary: [u8; 16],
}

impl Manifest {
    fn encode(&self) -> [u8; 57] {
        let mut out = [0u8; 57];
        out[0] = VERSION;
        out[1..9].copy_from_slice(&self.counter.to_le_bytes());
        out[9..41].copy_from_slice(&self.digest);
        out[41..].copy_from_slice(&self.summary);
        out
    }

    fn decode(plain: &[u8]) -> Option<Self> {
        let summary = match (plain.first()?, plain.len()) {
            (1, 41) => [0; 16],
            (2, 57) => plain[41..].try_into().ok()?,
            _ => return None,
        };
        Some(Self {
            counter: u64::from_le_bytes(plain[1..9].try_into().ok()?),
            digest: plain[9..41].try_into().ok()?,
            summary,
        })
    }
}

/// What the manifest says about the file, as `tend check` reports it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
#[non_exhaustive]
pub enum ManifestState {
    /// The file holds exactly what its manifest says.
    Matches,
    #[default]
    /// The journal has no manifest yet (made by a tend before it existed; the next write
    /// adds one).
    Missing,
    /// The manifest does not open: damaged or replaced.
    Unreadable,
    /// The file holds something other than what its manifest says: records swapped for
    /// older copies, added, or cut away.
    Disagrees,
}

fn xor(into: &mut [u8; 32], tag: &[u8; 32]) {
    for (a, b) in into.iter_mut().zip(tag) {
        *a ^= b;
    }
}

fn manifest_place() -> Place<'static> {
    Place {
        table: SETTINGS_TABLE,
        key: MANIFEST_SETTING.as_bytes(),
    }
}

/// The digest of everything `txn` holds, computed from scratch.
pub(crate) fn full_digest<R, I, S, U>(
    key: &Key,
    records: R,
    info: I,
    settings: S,
    unlockers: U,
) -> Result<[u8; 32]>
where
    R: ReadableTable<[u8; 16], &'static [u8]>,
    I: ReadableTable<u64, &'static [u8]>,
    S: ReadableTable<&'static str, &'static [u8]>,
    U: ReadableTable<u64, &'static [u8]>,
{
    let mut digest = [0u8; 32];
    // Records a batch at a time: through the agent, one request per batch, not per record.
    const BATCH: usize = 4096;
    let mut batch: Vec<(Vec<u8>, Vec<u8>)> = Vec::with_capacity(BATCH);
    let mut flush = |batch: &mut Vec<(Vec<u8>, Vec<u8>)>, table: &str| {
        let refs: Vec<(&[u8], &[u8])> = batch
            .iter()
            .map(|(k, v)| (k.as_slice(), v.as_slice()))
            .collect();
        for mac in key.mac_many(table, &refs) {
            xor(&mut digest, &mac);
        }
        batch.clear();
    };
    for item in records.iter()? {
        let (k, v) = item?;
        batch.push((k.value().to_vec(), v.value().to_vec()));
        if batch.len() >= BATCH {
            flush(&mut batch, RECORDS_TABLE);
        }
    }
    flush(&mut batch, RECORDS_TABLE);
    for item in info.iter()? {
        let (k, v) = item?;
        batch.push((k.value().to_be_bytes().to_vec(), v.value().to_vec()));
        if batch.len() >= BATCH {
            flush(&mut batch, UNLOCKER_INFO);
        }
    }
    flush(&mut batch, UNLOCKER_INFO);
    for item in settings.iter()? {
        let (k, v) = item?;
        if k.value() == MANIFEST_SETTING {
            continue;
        }
        xor(
            &mut digest,
            &key.mac(
                Place {
                    table: SETTINGS_TABLE,
                    key: k.value().as_bytes(),
                },
                v.value(),
            ),
        );
    }
    for item in unlockers.iter()? {
        let (k, v) = item?;
        let id = k.value().to_be_bytes();
        xor(
            &mut digest,
            &key.mac(
                Place {
                    table: UNLOCKERS_TABLE,
                    key: &id,
                },
                v.value(),
            ),
        );
    }
    Ok(digest)
}

/// Writes a manifest with `counter` and `digest` in `txn`, sealed with `key`, naming the
/// index summary `txn` holds.
pub(crate) fn write(
    key: &Key,
    txn: &WriteTransaction,
    counter: u64,
    digest: [u8; 32],
) -> Result<()> {
    let mut settings = txn.open_table(SETTINGS)?;
    let summary = settings
        .get(crate::records::directory::SUMMARY_SETTING)?
        .map_or([0; 16], |v| crate::records::directory::mark_of(v.value()));
    let manifest = Manifest {
        counter,
        digest,
        summary,
    };
    let sealed = key.seal(manifest_place(), &manifest.encode());
    settings.insert(MANIFEST_SETTING, sealed.as_slice())?;
    Ok(())
}

impl Journal {
    /// Notes that a write stores `new` at `place` where `old` was: XORs both into the
    /// digest change of the transaction under way.
    pub(crate) fn track(&self, place: Place<'_>, old: Option<&[u8]>, new: Option<&[u8]>) {
        let mut pending = self.pending.lock().unwrap_or_else(|p| p.into_inner());
        for v in [old, new].into_iter().flatten() {
            xor(&mut pending, &self.key.mac(place, v));
        }
    }

    /// Notes that a write stores `new` under the record key `key` where `old` was.
    pub(crate) fn track_record(&self, key: &[u8; 16], old: Option<&[u8]>, new: Option<&[u8]>) {
        self.track(
            Place {
                table: RECORDS_TABLE,
                key,
            },
            old,
            new,
        );
    }

    /// Starts a write transaction whose changes [`Journal::commit`] folds into the manifest.
    pub(crate) fn begin(&self) -> Result<WriteTransaction> {
        let txn = self.db.begin_write()?;
        *self.pending.lock().unwrap_or_else(|p| p.into_inner()) = [0; 32];
        Ok(txn)
    }

    /// Raises the manifest's counter, folds in this transaction's changes and commits.
    pub(crate) fn commit(&self, txn: WriteTransaction) -> Result<()> {
        let pending = std::mem::take(&mut *self.pending.lock().unwrap_or_else(|p| p.into_inner()));
        let current = self.read_manifest_in(&txn)?;
        let (counter, digest) = match current {
            Some(Some(m)) => {
                let mut digest = m.digest;
                xor(&mut digest, &pending);
                (m.counter.saturating_add(1), digest)
            }
            // No manifest yet (a journal made before manifests) or an unreadable one: start
            // from what the file holds now, once.
            _ => {
                let digest = full_digest(
                    &self.key,
                    txn.open_table(RECORDS)?,
                    txn.open_table(table(UNLOCKER_INFO))?,
                    txn.open_table(SETTINGS)?,
                    txn.open_table(UNLOCKERS)?,
                )?;
                (1, digest)
            }
        };
        write(&self.key, &txn, counter, digest)?;
        // With an agent that stopped answering, what was sealed is not to be trusted.
        self.agent_ok()?;
        txn.commit()?;
        self.remember_seen();
        Ok(())
    }

    /// `None` when there is no manifest, `Some(None)` when it does not open.
    pub(crate) fn read_manifest_in(
        &self,
        txn: &WriteTransaction,
    ) -> Result<Option<Option<Manifest>>> {
        let raw = txn
            .open_table(SETTINGS)?
            .get(MANIFEST_SETTING)?
            .map(|v| v.value().to_vec());
        Ok(raw.map(|raw| {
            self.key
                .open(manifest_place(), &raw)
                .and_then(|p| Manifest::decode(&p))
        }))
    }

    pub(crate) fn read_manifest(
        &self,
        txn: &redb::ReadTransaction,
    ) -> Result<Option<Option<Manifest>>> {
        let t = txn.open_table(SETTINGS)?;
        let raw = t.get(MANIFEST_SETTING)?.map(|v| v.value().to_vec());
        Ok(raw.map(|raw| {
            self.key
                .open(manifest_place(), &raw)
                .and_then(|p| Manifest::decode(&p))
        }))
    }

    /// How many writes this journal has seen (the manifest's counter), or `None` for a
    /// journal without a readable manifest. A copy of the journal with a lower number is
    /// older than one with a higher number.
    pub fn write_counter(&self) -> Result<Option<u64>> {
        let txn = self.db.begin_read()?;
        Ok(self.read_manifest(&txn)?.flatten().map(|m| m.counter))
    }

    /// Compares what the file holds with its manifest.
    pub(crate) fn manifest_state(&self) -> Result<ManifestState> {
        let txn = self.db.begin_read()?;
        let m = match self.read_manifest(&txn)? {
            None => return Ok(ManifestState::Missing),
            Some(None) => return Ok(ManifestState::Unreadable),
            Some(Some(m)) => m,
        };
        let digest = full_digest(
            &self.key,
            txn.open_table(RECORDS)?,
            txn.open_table(table(UNLOCKER_INFO))?,
            txn.open_table(SETTINGS)?,
            txn.open_table(UNLOCKERS)?,
        )?;
        Ok(if digest == m.digest {
            ManifestState::Matches
        } else {
            ManifestState::Disagrees
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::SecretString;
    use chrono::Utc;
    use tend_core::pack::ValuesPack;
    use tend_core::reflection::Reflection;

    use crate::unlock::NewUnlocker;

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(12))]
        /// Whatever the writes, the digest kept up write by write equals the one computed
        /// from the file, and the counter rises by one per write.
        #[test]
        fn the_running_digest_is_the_files_digest(ops in proptest::collection::vec(0u8..5, 1..24)) {
            let dir = tempfile::tempdir().expect("temp dir");
            let path = dir.path().join("j.tend");
            let unlocker = NewUnlocker::Passphrase {
                passphrase: SecretString::from("p".to_owned()),
                work_factor: Some(4),
            };
            let j = Journal::create(&path, &unlocker, &ValuesPack::default_pack(), Utc::now())
                .expect("created");
            let on = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
            let mut ids: Vec<u64> = Vec::new();
            let mut counter = j.write_counter().expect("reads").expect("a manifest");
            for (i, op) in ops.into_iter().enumerate() {
                let r = Reflection::new(format!("reflection {i}"), on, Utc::now());
                let wrote = match (op, ids.as_slice()) {
                    (0, _) | (1 | 2, []) => {
                        ids.push(j.add(&r).expect("added"));
                        true
                    }
                    (1, [.., last]) => {
                        j.put(*last, &r).expect("replaced");
                        true
                    }
                    (2, [first, ..]) => {
                        j.delete::<Reflection>(*first).expect("deleted");
                        ids.remove(0);
                        true
                    }
                    (3, _) => {
                        j.set_pack(&ValuesPack::default_pack()).expect("set");
                        true
                    }
                    _ => {
                        // A failed write (no such record) changes nothing, counter included.
                        let _ = j.delete::<Reflection>(999_999);
                        false
                    }
                };
                let now = j.write_counter().expect("reads").expect("a manifest");
                proptest::prop_assert_eq!(now, counter + u64::from(wrote));
                counter = now;
                proptest::prop_assert_eq!(j.manifest_state().expect("state"), ManifestState::Matches);
            }
        }
    }
}
