//! Format 1, kept for migration: each kind in its own table under sequential `u64` ids,
//! every record sealed alone for its place (table name, id as 8 big-endian bytes), and a
//! sealed `next_id/<table>` counter per table. Only read, to upgrade a journal to format 2.

use redb::{ReadTransaction, ReadableTable, TableDefinition};

use crate::error::{Error, Result};
use crate::seal::{Key, Place};

/// Format 1's record tables, with the index left out (format 2 rebuilds it from the texts).
pub(crate) const RECORD_TABLES: [&str; 4] = ["reflections", "commitments", "repairs", "consents"];
/// Format 1's index table (only a test's format 1 writer makes it).
pub(crate) const INDEX_TABLE: &str = "reflection_index";

pub(crate) fn table(name: &str) -> TableDefinition<'_, u64, &'static [u8]> {
    TableDefinition::new(name)
}

/// The counter setting of a format 1 table.
pub(crate) fn counter_name(table: &str) -> String {
    format!("next_id/{table}")
}

/// A format 1 record's id and plaintext (`None`: it did not open).
pub(crate) type Opened = (u64, Option<zeroize::Zeroizing<Vec<u8>>>);

/// Every record of a format 1 table: (id, plaintext), or (id, `None`) for one that does not
/// open. Opened a batch at a time (one request each through an agent).
pub(crate) fn read_table(key: &Key, txn: &ReadTransaction, name: &str) -> Result<Vec<Opened>> {
    let t = match txn.open_table(table(name)) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let records = t.iter()?.map(|item| {
        let (k, v) = item?;
        Ok::<_, Error>((k.value(), v.value().to_vec()))
    });
    let mut out = Vec::new();
    crate::batch::open_each(key, name, records, |id, plain| {
        out.push((id, plain.map(|p| zeroize::Zeroizing::new(p.to_vec()))));
        Ok(())
    })?;
    Ok(out)
}

/// The value of a format 1 counter setting, if it opens.
pub(crate) fn read_counter<T: ReadableTable<&'static str, &'static [u8]>>(
    key: &Key,
    settings: &T,
    table: &str,
) -> Result<Option<u64>> {
    let name = counter_name(table);
    let Some(raw) = settings.get(name.as_str())? else {
        return Ok(None);
    };
    Ok(key
        .open(
            Place {
                table: "tend_settings",
                key: name.as_bytes(),
            },
            raw.value(),
        )
        .and_then(|p| <[u8; 8]>::try_from(p.as_slice()).ok())
        .map(u64::from_le_bytes))
}

/// Writes a format 1 journal as a format 1 tend did: for tests of the upgrade only.
#[doc(hidden)]
pub fn write_journal(
    path: &std::path::Path,
    passphrase: &str,
    work_factor: u8,
    pack: &tend_core::pack::ValuesPack,
    reflections: &[tend_core::reflection::Reflection],
    commitments: &[tend_core::commitment::Commitment],
    repairs: &[tend_core::repair::Repair],
) -> Result<()> {
    use rand::RngCore;
    use redb::Database;
    use serde::Serialize;

    use crate::journal::{
        KEY_CHECK, KEY_CHECK_SETTING, MAGIC, META, PACK_SETTING, PSEUDONYM_SETTING, SETTINGS,
        UNLOCKER_INFO, UNLOCKERS,
    };
    use crate::seal::DataKey;
    use crate::unlock::{NewUnlocker, UnlockerInfo};

    let file = crate::journal::create_private_file(path)?;
    let backend =
        redb::backends::FileBackend::new(file).map_err(|e| crate::journal::db_error(e, path))?;
    let db = Database::builder()
        .create_with_backend(backend)
        .map_err(|e| crate::journal::db_error(e, path))?;
    let mut journal_id = [0u8; 16];
    rand::rngs::OsRng.fill_bytes(&mut journal_id);
    let key = DataKey::generate(journal_id);
    let unlocker = NewUnlocker::Passphrase {
        passphrase: age::secrecy::SecretString::from(passphrase.to_owned()),
        work_factor: Some(work_factor),
    };
    let wrapped = unlocker.wrap(key.expose())?;
    let seal = |table: &str, k: &[u8], plain: &[u8]| key.seal(Place { table, key: k }, plain);
    let json = |v: &dyn erased::Json| v.json();
    let txn = db.begin_write()?;
    {
        let mut meta = txn.open_table(META)?;
        meta.insert("magic", MAGIC)?;
        meta.insert("format", 1u32.to_le_bytes().as_slice())?;
        meta.insert("journal_id", journal_id.as_slice())?;
        txn.open_table(UNLOCKERS)?.insert(1, wrapped.as_slice())?;
        let info = UnlockerInfo {
            id: 1,
            kind: unlocker.kind(),
            added: chrono::Utc::now(),
        };
        txn.open_table(table(UNLOCKER_INFO))?.insert(
            1,
            seal(UNLOCKER_INFO, &1u64.to_be_bytes(), &json(&info)).as_slice(),
        )?;
        let mut settings = txn.open_table(SETTINGS)?;
        let mut pseudonym = [0u8; 32];
        rand::rngs::OsRng.fill_bytes(&mut pseudonym);
        for (name, value) in [
            (PACK_SETTING, json(pack)),
            (PSEUDONYM_SETTING, pseudonym.to_vec()),
            (KEY_CHECK_SETTING, KEY_CHECK.to_vec()),
        ] {
            settings.insert(
                name,
                seal("tend_settings", name.as_bytes(), &value).as_slice(),
            )?;
        }
        fn write_all<T: Serialize>(
            txn: &redb::WriteTransaction,
            settings: &mut redb::Table<'_, &'static str, &'static [u8]>,
            key: &DataKey,
            name: &str,
            records: &[T],
        ) -> Result<()> {
            let mut t = txn.open_table(table(name))?;
            for (i, r) in records.iter().enumerate() {
                let id = i as u64 + 1;
                let plain = serde_json::to_vec(r).unwrap_or_default();
                let k = id.to_be_bytes();
                t.insert(
                    id,
                    key.seal(
                        Place {
                            table: name,
                            key: &k,
                        },
                        &plain,
                    )
                    .as_slice(),
                )?;
            }
            let counter = counter_name(name);
            let next = (records.len() as u64 + 1).to_le_bytes();
            settings.insert(
                counter.as_str(),
                key.seal(
                    Place {
                        table: "tend_settings",
                        key: counter.as_bytes(),
                    },
                    &next,
                )
                .as_slice(),
            )?;
            Ok(())
        }
        write_all(&txn, &mut settings, &key, "reflections", reflections)?;
        write_all(&txn, &mut settings, &key, "commitments", commitments)?;
        write_all(&txn, &mut settings, &key, "repairs", repairs)?;
        txn.open_table(table("consents"))?;
        let mut index = txn.open_table(table(INDEX_TABLE))?;
        let entries: Vec<tend_core::reflection::Entry> = reflections
            .iter()
            .enumerate()
            .map(|(i, r)| r.entry(i as u64 + 1))
            .collect();
        for chunk in entries.chunk_by(|a, b| a.id / crate::SEGMENT == b.id / crate::SEGMENT) {
            let segment = chunk[0].id / crate::SEGMENT;
            let plain = crate::records::encode_segment(chunk);
            index.insert(
                segment,
                seal(INDEX_TABLE, &segment.to_be_bytes(), &plain).as_slice(),
            )?;
        }
    }
    txn.commit()?;
    Ok(())
}

mod erased {
    /// Anything that serialises to JSON, as a trait object.
    pub(super) trait Json {
        fn json(&self) -> Vec<u8>;
    }

    impl<T: serde::Serialize> Json for T {
        fn json(&self) -> Vec<u8> {
            serde_json::to_vec(self).unwrap_or_default()
        }
    }
}
