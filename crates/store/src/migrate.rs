//! Upgrading a format 1 journal to format 2 when it is opened.
//!
//! First a copy of the format 1 file is kept beside it (`<name>.format1-backup`, 0600,
//! written through a temporary file and renamed, so it is whole or absent); it stays until
//! the member removes it (`tend check --remove-backup`). Then the format 2 file is written
//! as a rewrite is (see `rewrite`): a new 0600 file in the same folder, one durable
//! transaction, an atomic rename over the journal. A process killed at any moment leaves the
//! format 1 journal or the format 2 one, whole; the next open upgrades again if need be.
//!
//! Every record keeps its format 1 number as its local number, marked as an alias, so
//! `tend show 42` finds what it found, and gets a new random record id. The data key, the
//! unlockers and the settings are kept as they were (the settings' places did not change).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use redb::{Database, ReadableDatabase, ReadableTable};

use crate::contain::Db;
use crate::error::Result;
use crate::journal::{self, Journal, MAGIC, META, SETTINGS, UNLOCKER_INFO, UNLOCKERS};
use crate::records::layout::{self, Counters, Item, Items, Kind, RECORDS};
use crate::seal::Place;

/// What opening did to a format 1 journal.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Upgrade {
    pub backup: PathBuf,
    /// Records that did not open, so stay only in the backup.
    pub left_behind: u64,
}

/// Where the copy of a journal's format 1 file is kept.
pub(crate) fn backup_path(path: &Path) -> PathBuf {
    let name = path
        .file_name()
        .map_or_else(|| "journal".into(), |n| n.to_string_lossy().into_owned());
    path.with_file_name(format!("{name}.format1-backup"))
}

/// What is known of the kept format 1 copy, for `tend check`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Backup {
    /// Where it is.
    pub path: PathBuf,
    /// Whether the journal's current key still opens it: `false` after the key changed
    /// (`tend key remove`, `key passwd`, `key rotate`), when it still opens with secrets
    /// removed since and should be removed.
    pub same_key: bool,
}

impl Journal {
    /// Whether opening upgraded this journal from format 1: where the copy of the old file
    /// is kept, and how many records did not open and so stay only in that copy.
    pub fn upgraded(&self) -> Option<(&Path, u64)> {
        self.upgraded
            .as_ref()
            .map(|u| (u.backup.as_path(), u.left_behind))
    }

    /// The copy of the format 1 file kept since the upgrade, if it is still there.
    pub fn backup(&self) -> Result<Option<Backup>> {
        let path = backup_path(&self.path);
        if !path.is_file() {
            return Ok(None);
        }
        let same_key = crate::contain::contain(|| {
            // Copied while the journal was open, it reads as not closed cleanly: redb
            // repairs it on a writable open (a read-only one would refuse it).
            let db = Database::builder()
                .set_cache_size(1 << 20)
                .open(&path)
                .map_err(|e| journal::db_error(e, &path))?;
            let txn = db.begin_read()?;
            let t = txn.open_table(SETTINGS)?;
            let Some(raw) = t.get(journal::KEY_CHECK_SETTING)? else {
                return Ok(false);
            };
            let opened = self.key.open(
                Place {
                    table: "tend_settings",
                    key: journal::KEY_CHECK_SETTING.as_bytes(),
                },
                raw.value(),
            );
            Ok(opened.is_some_and(|p| p.as_slice() == journal::KEY_CHECK))
        })
        .unwrap_or(false);
        Ok(Some(Backup { path, same_key }))
    }

    /// Removes the kept format 1 copy; whether there was one.
    pub fn remove_backup(&self) -> Result<bool> {
        let path = backup_path(&self.path);
        match std::fs::remove_file(&path) {
            Ok(()) => {
                crate::rewrite::sync_dir(&path);
                Ok(true)
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Keeps a copy of the format 1 file, then writes the format 2 file over it.
    pub(crate) fn upgrade_from_v1(&mut self) -> Result<()> {
        let backup = backup_path(&self.path);
        write_backup(&self.path, &backup)?;
        let temp = crate::rewrite::temp_path(&self.path);
        let file = journal::create_private_file(&temp)?;
        let (db, left_behind) = match self.write_v2(file, &temp) {
            Ok(done) => done,
            Err(e) => {
                let _ = std::fs::remove_file(&temp);
                return Err(e);
            }
        };
        if let Err(e) = std::fs::rename(&temp, &self.path) {
            drop(db);
            let _ = std::fs::remove_file(&temp);
            return Err(e.into());
        }
        crate::rewrite::sync_dir(&self.path);
        self.db = db;
        self.upgraded = Some(Upgrade {
            backup,
            left_behind,
        });
        Ok(())
    }

    fn write_v2(&self, file: std::fs::File, temp: &Path) -> Result<(Db, u64)> {
        let key = &self.key;
        let backend =
            redb::backends::FileBackend::new(file).map_err(|e| journal::db_error(e, temp))?;
        let db = Database::builder()
            .set_cache_size(journal::CACHE_BYTES)
            .create_with_backend(backend)
            .map_err(|e| journal::db_error(e, temp))?;
        let db = Db::new(db);
        let old = self.db.begin_read()?;
        let txn = db.begin_write()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("magic", MAGIC)?;
            meta.insert("format", journal::FORMAT_VERSION.to_le_bytes().as_slice())?;
            meta.insert("journal_id", key.journal_id().as_slice())?;
            // The unlockers, their sealed descriptions and the settings keep their places,
            // so they are carried as they are.
            let mut to = txn.open_table(UNLOCKERS)?;
            for item in old.open_table(UNLOCKERS)?.iter()? {
                let (k, v) = item?;
                to.insert(k.value(), v.value())?;
            }
            let mut to = txn.open_table(crate::records::table(UNLOCKER_INFO))?;
            if let Ok(from) = old.open_table(crate::records::table(UNLOCKER_INFO)) {
                for item in from.iter()? {
                    let (k, v) = item?;
                    to.insert(k.value(), v.value())?;
                }
            }
            let mut to = txn.open_table(SETTINGS)?;
            for item in old.open_table(SETTINGS)?.iter()? {
                let (k, v) = item?;
                let name = k.value();
                if name.starts_with("next_id/")
                    || name == crate::manifest::MANIFEST_SETTING
                    || name == journal::DELETED_SETTING
                {
                    continue; // counters are one setting now; the manifest is new
                }
                to.insert(name, v.value())?;
            }
        }
        let settings = old.open_table(SETTINGS)?;
        let mut counters = Counters::default();
        let mut segments: BTreeMap<(Kind, u64), Items> = BTreeMap::new();
        let mut left_behind = 0u64;
        for name in crate::v1::RECORD_TABLES {
            let kind = Kind::from_name(name).unwrap_or(Kind::Text);
            let mut next = crate::v1::read_counter(key, &settings, name)?.unwrap_or(1);
            for (number, plain) in crate::v1::read_table(key, &old, name)? {
                let valid = plain.filter(|p| valid(kind, p));
                let Some(bytes) = valid else {
                    // A record that does not open says nothing of the numbers handed out (its
                    // number is in the clear in format 1, and may be anything): the sealed
                    // counter does.
                    left_behind += 1;
                    continue;
                };
                next = next.max(number.saturating_add(1));
                if number == 0 {
                    left_behind += 1;
                    continue;
                }
                let item = Item {
                    id: crate::records::fresh_id(),
                    alias: true,
                    bytes,
                    entry: None,
                };
                if kind == Kind::Text
                    && let Some(entry) = layout::index_entry(number, &item.bytes)
                {
                    segments
                        .entry((Kind::Index, Kind::Index.segment_of(number)))
                        .or_default()
                        .insert(number, layout::index_item(&item, entry));
                }
                segments
                    .entry((kind, kind.segment_of(number)))
                    .or_default()
                    .insert(number, item);
            }
            counters.set(kind, next.max(1));
        }
        self.agent_ok()?;
        let ids: Vec<((Kind, u64), Items)> = segments
            .iter()
            .filter(|((kind, _), _)| *kind == Kind::Index)
            .map(|((_, segment), items)| ((Kind::Ids, *segment), layout::ids_of(items)))
            .collect();
        segments.extend(ids);
        let (buckets, summary) = crate::records::directory::derive(
            segments
                .iter()
                .filter(|((kind, _), _)| *kind == Kind::Index)
                .map(|((_, segment), items)| (*segment, items)),
        );
        for (b, items) in buckets.into_iter().enumerate() {
            if !items.is_empty() {
                segments.insert((Kind::Directory, b as u64), items);
            }
        }
        {
            let mut t = txn.open_table(RECORDS)?;
            let mut summary = summary;
            for ((kind, segment), items) in &segments {
                let k = layout::key_of(key, *kind, *segment);
                let sealed = layout::seal(key, *kind, *segment, &layout::encode(*kind, items));
                t.insert(k, sealed.as_slice())?;
                let mark = crate::records::directory::mark_of(&sealed);
                match kind {
                    Kind::Index => {
                        if let Some(line) = summary.segments.get_mut(segment) {
                            line.mark = mark;
                        }
                    }
                    Kind::Directory => summary.buckets[*segment as usize].mark = mark,
                    _ => {}
                }
            }
            let mut s = txn.open_table(SETTINGS)?;
            let place = Place {
                table: "tend_settings",
                key: layout::COUNTERS_SETTING.as_bytes(),
            };
            s.insert(
                layout::COUNTERS_SETTING,
                key.seal(place, &counters.encode()).as_slice(),
            )?;
            let summary_name = crate::records::directory::SUMMARY_SETTING;
            let place = Place {
                table: "tend_settings",
                key: summary_name.as_bytes(),
            };
            s.insert(
                summary_name,
                key.seal(place, &crate::records::directory::sealed_form(&summary))
                    .as_slice(),
            )?;
        }
        let counter = self
            .read_manifest(&old)?
            .flatten()
            .map_or(0, |m| m.counter)
            .saturating_add(1);
        let digest = crate::manifest::full_digest(
            key,
            txn.open_table(RECORDS)?,
            txn.open_table(crate::records::table(UNLOCKER_INFO))?,
            txn.open_table(SETTINGS)?,
            txn.open_table(UNLOCKERS)?,
        )?;
        crate::manifest::write(key, &txn, counter, digest)?;
        self.agent_ok()?;
        txn.commit()?;
        drop(settings);
        drop(old);
        Ok((db, left_behind))
    }
}

/// Whether a format 1 record's plaintext decodes as its kind.
fn valid(kind: Kind, plain: &[u8]) -> bool {
    use tend_core::{commitment::Commitment, contribution::ConsentRecord, repair::Repair};
    match kind {
        Kind::Text | Kind::Index => {
            serde_json::from_slice::<tend_core::reflection::Reflection>(plain).is_ok()
        }
        Kind::Commitment => serde_json::from_slice::<Commitment>(plain).is_ok(),
        Kind::Repair => serde_json::from_slice::<Repair>(plain).is_ok(),
        Kind::Consent => serde_json::from_slice::<ConsentRecord>(plain).is_ok(),
        // Format 1 has no ids segments or id directory: they are made from the index.
        Kind::Ids | Kind::Directory => false,
    }
}

/// Copies the format 1 file to `backup`: a new private file beside it, synced, renamed.
fn write_backup(path: &Path, backup: &Path) -> Result<()> {
    let temp = crate::rewrite::temp_path(path);
    let copied = (|| -> Result<()> {
        let mut to = journal::create_private_file(&temp)?;
        let mut from = std::fs::File::open(path)?;
        std::io::copy(&mut from, &mut to)?;
        to.sync_all()?;
        std::fs::rename(&temp, backup)?;
        crate::rewrite::sync_dir(backup);
        Ok(())
    })();
    if copied.is_err() {
        let _ = std::fs::remove_file(&temp);
    }
    copied
}

#[cfg(test)]
mod tests {
    use age::secrecy::SecretString;
    use chrono::{NaiveDate, Utc};
    use tend_core::commitment::Commitment;
    use tend_core::pack::ValuesPack;
    use tend_core::reflection::Reflection;

    use super::*;
    use crate::unlock::Secret;

    #[test]
    fn a_format_1_journal_upgrades_keeping_numbers_as_aliases() {
        let dir = tempfile::tempdir().expect("temp dir");
        let path = dir.path().join("j.tend");
        let on = NaiveDate::from_ymd_opt(2026, 3, 2).expect("a date");
        let reflections: Vec<Reflection> = (0..300)
            .map(|i| Reflection::new(format!("reflection {i}"), on, Utc::now()))
            .collect();
        let commitments = vec![Commitment::new("bring the rota", vec![], None, Utc::now())];
        crate::v1::write_journal(
            &path,
            "p",
            4,
            &ValuesPack::default_pack(),
            &reflections,
            &commitments,
            &[],
        )
        .expect("written");
        let secret = Secret::Passphrase(SecretString::from("p".to_owned()));
        let mut j = Journal::open(&path, &secret).expect("opens");
        let (backup, left) = j.upgraded().expect("upgraded");
        assert_eq!((backup.to_owned(), left), (backup_path(&path), 0));
        assert_eq!(j.get::<Reflection>(42).expect("42").text, "reflection 41");
        let ids = j.ids::<Reflection>().expect("ids");
        assert_eq!(ids.len(), 300);
        assert!(ids.is_alias(300) && !ids.is_alias(301));
        // The upgrade made the id directory and the index summary: the newest and a handle
        // come from them, and say what the whole index says.
        let newest = j
            .newest_entries(5)
            .expect("reads")
            .expect("the summary answers");
        assert_eq!(newest.total, 300);
        assert_eq!(newest.entries.len(), 5);
        for e in &newest.entries {
            assert_eq!(newest.book.handle(e.id), ids.handle(e.id));
        }
        assert_eq!(
            j.quick_handle(42).expect("reads").map(|(h, _)| h),
            ids.handle(42)
        );
        let new = j
            .add(&Reflection::new("after", on, Utc::now()))
            .expect("added");
        assert_eq!(new, 301);
        assert!(!j.ids::<Reflection>().expect("ids").is_alias(301));
        let report = j.check().expect("checks");
        assert!(report.is_ok(), "{report:?}");
        assert!(report.backup.as_ref().is_some_and(|b| b.same_key));
        drop(j);
        let j = Journal::open(&path, &secret).expect("opens again");
        assert!(j.upgraded().is_none(), "once");
        assert_eq!(j.all::<Commitment>().expect("all").records.len(), 1);
        assert!(j.remove_backup().expect("removed"));
        assert!(!backup_path(&path).exists());
    }
}
