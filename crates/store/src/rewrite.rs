//! Rewriting the journal as a new file: key rotation and compaction.
//!
//! redb frees pages but does not wipe them, so a removed unlocker, an old passphrase's
//! unlocker or a deleted record can stay in the file long after tend forgot it. A rewrite
//! copies what the journal holds now, and only that, into a new file in the same folder
//! (created 0600, written in one durable transaction), then renames it over the old one: a
//! process killed at any moment leaves the old journal or the new one, whole. A rotation
//! also makes a new data key, re-seals every record under it and wraps it for the remaining
//! unlockers only, so no secret that was removed opens anything in the new file.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use age::secrecy::SecretString;
use chrono::{DateTime, Utc};
use rand::RngCore;
use redb::{Database, ReadableDatabase, ReadableTable, ReadableTableMetadata};

use crate::contain::Db;
use crate::error::{Error, Result};
use crate::journal::{
    self, DELETED_SETTING, FORMAT_VERSION, Journal, KEY_CHECK, KEY_CHECK_SETTING, MAGIC, META,
    SETTINGS, UNLOCKER_INFO, UNLOCKERS,
};
use crate::records::directory;
use crate::records::layout::{self, Kind, RECORDS, RECORDS_TABLE};
use crate::records::table;
use crate::seal::{DataKey, Place};
use crate::unlock::{self, Attempt, NewUnlocker, Secret, UnlockerInfo, UnlockerKind};

/// What a rewrite did.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rewritten {
    /// Records (and settings) carried into the new file.
    pub records: u64,
    /// Whether the data key is new (a rotation) or the same (a compaction).
    pub new_key: bool,
    /// The unlockers that open the new file.
    pub unlockers: Vec<u64>,
    /// How long it took, wrapping included.
    pub took: Duration,
}

/// Told how far a rewrite has come: records done, records in all.
pub type Progress<'a> = &'a mut dyn FnMut(u64, u64);

/// The unlockers a new file gets: id, wrapped key, description.
type Wrapped = Vec<(u64, Vec<u8>, UnlockerInfo)>;

const TEMP_MARK: &str = ".rewrite-";

impl Journal {
    /// Remembers a passphrase for this session so a rotation can wrap the new key for the
    /// passphrase unlocker it opens; returns that unlocker's id.
    pub fn provide_passphrase(&mut self, passphrase: SecretString) -> Result<u64> {
        let secret = Secret::Passphrase(passphrase);
        let txn = self.db.begin_read()?;
        let t = txn.open_table(UNLOCKERS)?;
        for item in t.iter()? {
            let (k, v) = item?;
            if self.passphrases.iter().any(|(id, _)| *id == k.value())
                || !matches!(crate::header::read(v.value()), Some(crate::header::Stanzas::Scrypt(n)) if n <= unlock::MAX_WORK_FACTOR)
            {
                continue;
            }
            // It must unwrap to this journal's key: the key check says so.
            if let Ok(Attempt::Opened(raw)) = unlock::try_unwrap(v.value(), &secret)
                && DataKey::from_slice(&raw, self.key.journal_id())
                    .map(crate::seal::Key::Local)
                    .is_some_and(|k| journal::key_checks(&self.db, &k).unwrap_or(false))
            {
                let Secret::Passphrase(p) = secret else {
                    unreachable!("made above")
                };
                self.passphrases.push((k.value(), p));
                return Ok(k.value());
            }
        }
        Err(Error::WrongPassphrase)
    }

    /// Passphrase unlockers (other than `leaving`) whose passphrase this session does not
    /// know: a rotation needs each one (see [`Journal::provide_passphrase`]).
    pub fn passphrases_needed(&self, leaving: Option<u64>) -> Result<Vec<u64>> {
        Ok(self
            .unlockers()?
            .into_iter()
            .filter(|u| u.kind == UnlockerKind::Passphrase && Some(u.id) != leaving)
            .map(|u| u.id)
            .filter(|id| !self.passphrases.iter().any(|(k, _)| k == id))
            .collect())
    }

    /// Makes a new data key, re-seals everything under it, wraps it for every unlocker and
    /// writes the result as a new file over the old one.
    pub fn rotate(&mut self, now: DateTime<Utc>, progress: Progress<'_>) -> Result<Rewritten> {
        self.rotate_to(&[], None, now, progress)
    }

    /// Removes an unlocker (never the last one) by rotating to a new data key that the
    /// removed one never wrapped.
    pub fn remove_unlocker(
        &mut self,
        id: u64,
        now: DateTime<Utc>,
        progress: Progress<'_>,
    ) -> Result<Rewritten> {
        let ids: Vec<u64> = self.unlockers()?.iter().map(|u| u.id).collect();
        if !ids.contains(&id) {
            return Err(Error::NoSuchUnlocker(id));
        }
        if ids.len() <= 1 {
            return Err(Error::LastUnlocker);
        }
        self.rotate_to(&[id], None, now, progress)
    }

    /// Replaces unlocker `id` with a new one (a passphrase change), rotating to a new data
    /// key so the old passphrase opens nothing in the new file.
    pub fn replace_unlocker(
        &mut self,
        id: u64,
        unlocker: &NewUnlocker,
        now: DateTime<Utc>,
        progress: Progress<'_>,
    ) -> Result<Rewritten> {
        if !self.unlockers()?.iter().any(|u| u.id == id) {
            return Err(Error::NoSuchUnlocker(id));
        }
        self.rotate_to(&[id], Some((id, unlocker)), now, progress)
    }

    /// Rewrites the journal as a new file under the same key: free pages that may hold
    /// deleted records, removed unlockers or older copies are left behind with the old file.
    pub fn compact(&mut self, progress: Progress<'_>) -> Result<Rewritten> {
        let started = Instant::now();
        let mut wrapped = Wrapped::new();
        {
            let txn = self.db.begin_read()?;
            let t = txn.open_table(UNLOCKERS)?;
            for item in t.iter()? {
                let (k, v) = item?;
                let mut info: UnlockerInfo =
                    self.get_sealed_json(&txn, UNLOCKER_INFO, k.value())?;
                info.id = k.value();
                wrapped.push((k.value(), v.value().to_vec(), info));
            }
        }
        self.rewrite(None, wrapped, started, progress)
    }

    /// Rotates to a new data key wrapped for every unlocker but those `leaving`, plus
    /// `adding` (under the id given).
    pub(crate) fn rotate_to(
        &mut self,
        leaving: &[u64],
        adding: Option<(u64, &NewUnlocker)>,
        now: DateTime<Utc>,
        progress: Progress<'_>,
    ) -> Result<Rewritten> {
        let started = Instant::now();
        let needed = self.passphrases_needed(None)?;
        if let Some(&id) = needed.iter().find(|id| !leaving.contains(id)) {
            return Err(Error::PassphraseNeeded(id));
        }
        let key = DataKey::generate(self.key.journal_id());
        let mut wrapped = Wrapped::new();
        let current_factors = self.work_factors()?;
        for info in self.unlockers()? {
            if leaving.contains(&info.id) {
                continue;
            }
            let unlocker = match &info.kind {
                UnlockerKind::Identity { recipient } => {
                    NewUnlocker::Recipient(recipient.parse().map_err(|_| {
                        Error::Damaged(format!("unlocker {} names no age recipient", info.id))
                    })?)
                }
                UnlockerKind::Passphrase => {
                    let pass = self
                        .passphrases
                        .iter()
                        .find(|(k, _)| *k == info.id)
                        .map(|(_, p)| p.clone())
                        .ok_or(Error::PassphraseNeeded(info.id))?;
                    NewUnlocker::Passphrase {
                        passphrase: pass,
                        // Keep each passphrase's cost as it was.
                        work_factor: current_factors
                            .iter()
                            .find(|(k, _)| *k == info.id)
                            .and_then(|(_, n)| *n),
                    }
                }
            };
            wrapped.push((info.id, unlocker.wrap(key.expose())?, info));
        }
        if let Some((id, unlocker)) = adding {
            let info = UnlockerInfo {
                id,
                kind: unlocker.kind(),
                added: now,
            };
            wrapped.push((id, unlocker.wrap(key.expose())?, info));
            wrapped.sort_by_key(|(id, _, _)| *id);
            if let NewUnlocker::Passphrase { passphrase, .. } = unlocker {
                self.passphrases.retain(|(k, _)| *k != id);
                self.passphrases.push((id, passphrase.clone()));
            }
        }
        let added = adding.map(|(id, _)| id);
        self.passphrases
            .retain(|(k, _)| !leaving.contains(k) || Some(*k) == added);
        self.rewrite(Some(key), wrapped, started, progress)
    }

    /// The scrypt work factor of each passphrase unlocker, by id (`None` for the others).
    pub(crate) fn work_factors(&self) -> Result<Vec<(u64, Option<u8>)>> {
        let txn = self.db.begin_read()?;
        let t = txn.open_table(UNLOCKERS)?;
        let mut out = Vec::new();
        for item in t.iter()? {
            let (k, v) = item?;
            let n = match crate::header::read(v.value()) {
                Some(crate::header::Stanzas::Scrypt(n)) => Some(n),
                _ => None,
            };
            out.push((k.value(), n));
        }
        Ok(out)
    }

    /// Copies every record, opened with the current key and sealed with `key` (the same
    /// key when `None`), and the `wrapped` unlockers into a new file, then renames it over
    /// the journal.
    fn rewrite(
        &mut self,
        key: Option<DataKey>,
        wrapped: Wrapped,
        started: Instant,
        progress: Progress<'_>,
    ) -> Result<Rewritten> {
        let temp = temp_path(&self.path);
        let file = journal::create_private_file(&temp)?;
        let key = key.map(crate::seal::Key::Local);
        let result = self.write_copy(file, &temp, key.as_ref(), &wrapped, progress);
        let (db, records) = match result {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        };
        // The copy is whole and durable (one committed transaction); the rename makes it
        // the journal in one step, and syncing the folder makes the rename itself last.
        if let Err(e) = std::fs::rename(&temp, &self.path) {
            drop(db);
            let _ = std::fs::remove_file(&temp);
            return Err(e.into());
        }
        sync_dir(&self.path);
        // The new file stays open (and locked) from its creation on, so no other tend
        // could slip in between the rename and here.
        self.db = db;
        let new_key = key.is_some();
        if let Some(key) = key {
            self.key = key;
        }
        self.remember_seen();
        Ok(Rewritten {
            records,
            new_key,
            unlockers: wrapped.iter().map(|(id, _, _)| *id).collect(),
            took: started.elapsed(),
        })
    }

    fn write_copy(
        &self,
        file: std::fs::File,
        temp: &Path,
        new_key: Option<&crate::seal::Key>,
        wrapped: &Wrapped,
        progress: Progress<'_>,
    ) -> Result<(Db, u64)> {
        let key = new_key.unwrap_or(&self.key);
        let backend =
            redb::backends::FileBackend::new(file).map_err(|e| journal::db_error(e, temp))?;
        let db = Database::builder()
            .set_cache_size(journal::CACHE_BYTES)
            .create_with_backend(backend)
            .map_err(|e| journal::db_error(e, temp))?;
        let db = Db::new(db);
        let old = self.db.begin_read()?;
        let mut sealed: Vec<(Kind, u64, zeroize::Zeroizing<Vec<u8>>)> = Vec::new();
        for kind in Kind::ALL {
            for (segment, bytes) in self.sealed_segments(&old, kind)? {
                sealed.push((kind, segment, bytes));
            }
        }
        let total = sealed.len() as u64 + old.open_table(SETTINGS)?.len()?;
        let mut done = 0u64;
        let mut damaged = 0u64;
        let mut marks = std::collections::BTreeMap::new();
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("magic", MAGIC)?;
            meta.insert("format", FORMAT_VERSION.to_le_bytes().as_slice())?;
            meta.insert("journal_id", self.key.journal_id().as_slice())?;
        }
        {
            let mut to = txn.open_table(RECORDS)?;
            for (kind, segment, mut bytes) in sealed {
                let name = kind.place_key(segment);
                let place = Place {
                    table: RECORDS_TABLE,
                    key: &name,
                };
                // The padded plaintext is sealed again as it is: its size does not change.
                match self.key.open_in_place(place, bytes.as_mut_slice()) {
                    Some(plain) => {
                        let k = layout::key_of(key, kind, segment);
                        let sealed = key.seal(place, plain);
                        to.insert(k, sealed.as_slice())?;
                        marks.insert((kind, segment), Some(directory::mark_of(&sealed)));
                    }
                    None => damaged += 1,
                }
                done += 1;
                if done.is_multiple_of(100) {
                    progress(done, total);
                }
            }
        }
        {
            let mut to = txn.open_table(SETTINGS)?;
            let from = old.open_table(SETTINGS)?;
            for item in from.iter()? {
                let (k, v) = item?;
                let name = k.value();
                if name == DELETED_SETTING
                    || name == KEY_CHECK_SETTING
                    || name == crate::manifest::MANIFEST_SETTING
                {
                    continue; // a new file holds no deleted records; its key check is new
                }
                let place = Place {
                    table: "tend_settings",
                    key: name.as_bytes(),
                };
                match self.key.open(place, v.value()) {
                    // The index summary names each segment's sealing: the new ones.
                    Some(plain) if name == directory::SUMMARY_SETTING => {
                        if let Some(summary) =
                            layout::unpad(&plain).and_then(directory::Summary::decode)
                        {
                            let plain =
                                directory::sealed_form(&directory::with_new_marks(summary, &marks));
                            to.insert(name, key.seal(place, &plain).as_slice())?;
                        }
                        // One that does not decode is left out: the next write makes it.
                    }
                    Some(plain) => {
                        to.insert(name, key.seal(place, &plain).as_slice())?;
                    }
                    None => damaged += 1,
                }
            }
            let place = Place {
                table: "tend_settings",
                key: KEY_CHECK_SETTING.as_bytes(),
            };
            to.insert(KEY_CHECK_SETTING, key.seal(place, KEY_CHECK).as_slice())?;
        }
        // An agent that stopped answering mid-copy left records unopened or sealed empty:
        // the new file must not replace the old one.
        self.agent_ok()?;
        if damaged > 0 {
            // Carrying a record that does not open would keep it under the old key; leaving
            // it out would lose it. Neither without the person's say.
            return Err(Error::RewriteBlocked(damaged));
        }
        {
            let mut unlockers = txn.open_table(UNLOCKERS)?;
            let mut info = txn.open_table(table(UNLOCKER_INFO))?;
            for (id, blob, about) in wrapped {
                unlockers.insert(*id, blob.as_slice())?;
                let json = zeroize::Zeroizing::new(serde_json::to_vec(about).unwrap_or_default());
                let key_bytes = id.to_be_bytes();
                let place = Place {
                    table: UNLOCKER_INFO,
                    key: &key_bytes,
                };
                info.insert(*id, key.seal(place, &json).as_slice())?;
            }
        }
        // The new file's manifest: everything it holds, one write past the old file's count
        // (so it reads as newer than any copy of the old one).
        let counter = self
            .read_manifest(&old)?
            .flatten()
            .map_or(0, |m| m.counter)
            .saturating_add(1);
        let digest = crate::manifest::full_digest(
            key,
            txn.open_table(RECORDS)?,
            txn.open_table(table(UNLOCKER_INFO))?,
            txn.open_table(SETTINGS)?,
            txn.open_table(UNLOCKERS)?,
        )?;
        crate::manifest::write(key, &txn, counter, digest)?;
        self.agent_ok()?;
        txn.commit()?;
        drop(old);
        progress(total, total);
        Ok((db, total))
    }
}

/// A new temporary name beside the journal, never an existing file's.
pub(crate) fn temp_path(path: &Path) -> PathBuf {
    let mut tag = [0u8; 6];
    rand::rngs::OsRng.fill_bytes(&mut tag);
    let hex: String = tag.iter().map(|b| format!("{b:02x}")).collect();
    let name = path
        .file_name()
        .map_or_else(|| "journal".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!(".{name}{TEMP_MARK}{hex}"))
}

/// Removes temporary files of rewrites that were killed before their rename. Called only
/// while this process holds the journal, so no rewrite is running.
pub(crate) fn sweep_stale(path: &Path) {
    let (Some(dir), Some(name)) = (path.parent(), path.file_name()) else {
        return;
    };
    let prefix = format!(".{}{TEMP_MARK}", name.to_string_lossy());
    let dir = if dir.as_os_str().is_empty() {
        Path::new(".")
    } else {
        dir
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return;
    };
    for entry in entries.flatten() {
        if entry.file_name().to_string_lossy().starts_with(&prefix) {
            let _ = std::fs::remove_file(entry.path());
        }
    }
}

/// Makes a rename in the journal's folder durable.
pub(crate) fn sync_dir(path: &Path) {
    #[cfg(unix)]
    if let Some(dir) = path.parent() {
        let dir = if dir.as_os_str().is_empty() {
            Path::new(".")
        } else {
            dir
        };
        if let Ok(d) = std::fs::File::open(dir) {
            let _ = d.sync_all();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tend_core::pack::ValuesPack;
    use tend_core::reflection::Reflection;

    fn pass(p: &str) -> NewUnlocker {
        NewUnlocker::Passphrase {
            passphrase: SecretString::from(p.to_owned()),
            work_factor: Some(4),
        }
    }

    fn secret(p: &str) -> Secret {
        Secret::Passphrase(SecretString::from(p.to_owned()))
    }

    fn reflection(text: &str) -> Reflection {
        let on = chrono::NaiveDate::from_ymd_opt(2026, 5, 1).expect("a date");
        Reflection::new(text, on, Utc::now())
    }

    #[test]
    fn rotation_keeps_records_makes_a_new_key_and_drops_the_removed_unlocker() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("j.tend");
        let mut j = Journal::create(&path, &pass("one"), &ValuesPack::default_pack(), Utc::now())
            .expect("created");
        let ids = j
            .add_many(&[reflection("first"), reflection("second")])
            .expect("added");
        let laptop = age::x25519::Identity::generate();
        j.add_unlocker(&NewUnlocker::Recipient(laptop.to_public()), Utc::now())
            .expect("added");
        let old_key = *j.key.local().expect("held here").expose();
        let before = j.write_counter().expect("counter").expect("a manifest");
        let done = j
            .remove_unlocker(2, Utc::now(), &mut |_, _| {})
            .expect("removed");
        assert!(done.new_key);
        assert_eq!(done.unlockers, vec![1]);
        assert_ne!(&old_key, j.key.local().expect("held here").expose());
        assert!(j.write_counter().expect("counter").expect("a manifest") > before);
        assert_eq!(j.get::<Reflection>(ids[1]).expect("reads").text, "second");
        assert_eq!(
            j.manifest_state().expect("state"),
            crate::manifest::ManifestState::Matches
        );
        drop(j);
        let j = Journal::open(&path, &secret("one")).expect("opens with the passphrase");
        assert_eq!(j.get::<Reflection>(ids[0]).expect("reads").text, "first");
        drop(j);
        let err = Journal::open(&path, &Secret::Identities(vec![laptop])).expect_err("refused");
        assert!(matches!(err, Error::NoUnlockerOfKind { .. }), "{err:?}");
    }

    #[test]
    fn rotation_wraps_only_for_passphrases_it_was_given() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("j.tend");
        let me = age::x25519::Identity::generate();
        let j = Journal::create(
            &path,
            &NewUnlocker::Recipient(me.to_public()),
            &ValuesPack::default_pack(),
            Utc::now(),
        )
        .expect("created");
        j.add_unlocker(&pass("spoken"), Utc::now()).expect("added");
        drop(j);
        let mut j = Journal::open(&path, &Secret::Identities(vec![me.clone()])).expect("opens");
        j.add(&reflection("kept")).expect("added");
        let err = j.rotate(Utc::now(), &mut |_, _| {}).expect_err("refused");
        assert!(matches!(err, Error::PassphraseNeeded(2)), "{err:?}");
        assert!(matches!(
            j.provide_passphrase(SecretString::from("wrong".to_owned())),
            Err(Error::WrongPassphrase)
        ));
        assert_eq!(
            j.provide_passphrase(SecretString::from("spoken".to_owned()))
                .expect("right"),
            2
        );
        assert!(j.passphrases_needed(None).expect("known").is_empty());
        j.rotate(Utc::now(), &mut |_, _| {}).expect("rotated");
        drop(j);
        for s in [secret("spoken"), Secret::Identities(vec![me])] {
            let j = Journal::open(&path, &s).expect("opens");
            assert_eq!(j.count::<Reflection>().expect("counts"), 1);
        }
        let leftovers: Vec<_> = std::fs::read_dir(dir.path())
            .expect("reads")
            .flatten()
            .filter(|e| e.file_name() != "j.tend")
            .collect();
        assert!(leftovers.is_empty(), "{leftovers:?}");
    }

    #[test]
    fn a_stale_temporary_file_is_swept_on_open() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("j.tend");
        drop(
            Journal::create(&path, &pass("p"), &ValuesPack::default_pack(), Utc::now())
                .expect("created"),
        );
        let stale = temp_path(&path);
        std::fs::write(&stale, b"half a rotation").expect("written");
        let other = dir.path().join(".other.tend.rewrite-00");
        std::fs::write(&other, b"not ours").expect("written");
        drop(Journal::open(&path, &secret("p")).expect("opens"));
        assert!(!stale.exists());
        assert!(other.exists(), "only this journal's leftovers go");
    }
}
