//! The journal file: creating, opening and unlocking it.
//!
//! A journal is one redb file. Its only plaintext is a magic string, the format version, a
//! random journal id and the wrapped data keys; everything else is sealed (see `seal`).

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use chrono::{DateTime, Utc};
use rand::RngCore;
use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use tend_core::pack::ValuesPack;

use crate::contain::{Db, contain};
use crate::error::{Error, Result};
use crate::header::Stanzas;
use crate::seal::{DataKey, Key};
use crate::unlock::{self, Attempt, NewUnlocker, Secret, UnlockerInfo};
use age::secrecy::SecretString;

/// The newest journal format this build reads and the one it writes. A format 1 journal is
/// upgraded to it when opened (see `migrate`).
pub const FORMAT_VERSION: u32 = 2;
pub(crate) const MAGIC: &[u8] = b"tend-journal";

pub(crate) const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_meta");
pub(crate) const UNLOCKERS: TableDefinition<'_, u64, &[u8]> =
    TableDefinition::new("tend_unlockers");
pub(crate) const UNLOCKER_INFO: &str = "tend_unlocker_info";
pub(crate) const SETTINGS: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_settings");

pub(crate) const PACK_SETTING: &str = "values_pack";
pub(crate) const PSEUDONYM_SETTING: &str = "pseudonym_key";
/// A sealed known value: a key that opens it is this journal's key.
pub(crate) const KEY_CHECK_SETTING: &str = "key_check";
pub(crate) const KEY_CHECK: &[u8] = b"tend key check v1";
/// How many records were deleted since the file was last rewritten (u64 LE): their sealed
/// bytes may still lie in free pages.
pub(crate) const DELETED_SETTING: &str = "deleted_since_rewrite";

/// How long to keep trying when another tend holds the journal.
#[derive(Debug, Clone)]
pub struct OpenOptions {
    /// Give up with [`Error::Busy`] after this long.
    pub busy_timeout: Duration,
}

impl Default for OpenOptions {
    fn default() -> Self {
        Self {
            busy_timeout: Duration::from_secs(5),
        }
    }
}

/// An unlocked journal.
pub struct Journal {
    pub(crate) db: Db,
    pub(crate) key: Key,
    pub(crate) path: PathBuf,
    pub(crate) unlocked_by: u64,
    /// Passphrases known this session, by unlocker id: a rotation wraps the new key for each.
    pub(crate) passphrases: Vec<(u64, SecretString)>,
    skipped: Vec<Skipped>,
    /// The manifest digest's change in the write transaction under way (see `manifest`).
    pub(crate) pending: std::sync::Mutex<[u8; 32]>,
    /// Where this machine remembers the journal's write counter, once watched (see `seen`).
    pub(crate) seen: Option<PathBuf>,
    /// Set when opening upgraded the file from format 1 (see `migrate`).
    pub(crate) upgraded: Option<crate::migrate::Upgrade>,
}

/// An unlocker passed over while opening.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Skipped {
    /// Its id.
    pub id: u64,
    /// Why.
    pub why: SkipReason,
}

/// Why an unlocker was passed over.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
#[non_exhaustive]
pub enum SkipReason {
    /// It is not a readable age file.
    Unreadable,
    /// It asks for more scrypt work (log2 N) than tend allows.
    ExcessiveWork(u8),
    /// It opened, but to a key that is not this journal's (the key check failed).
    WrongKey,
}

impl std::fmt::Debug for Journal {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Journal")
            .field("path", &self.path)
            .field("unlocked_by", &self.unlocked_by)
            .finish_non_exhaustive()
    }
}

pub(crate) fn db_error(e: redb::DatabaseError, path: &Path) -> Error {
    match e {
        redb::DatabaseError::DatabaseAlreadyOpen => Error::Busy,
        redb::DatabaseError::UpgradeRequired(_) => Error::NotAJournal(path.to_owned()),
        redb::DatabaseError::Storage(redb::StorageError::Corrupted(what)) => {
            // redb says "Invalid magic number" for files that were never a redb database.
            if what.to_lowercase().contains("magic") {
                Error::NotAJournal(path.to_owned())
            } else {
                Error::Damaged(what)
            }
        }
        redb::DatabaseError::Storage(redb::StorageError::Io(e))
            if e.kind() == std::io::ErrorKind::InvalidData || e.to_string().contains("redb") =>
        {
            let what = e.to_string();
            if what.to_lowercase().contains("magic") {
                Error::NotAJournal(path.to_owned())
            } else {
                Error::Damaged(what)
            }
        }
        redb::DatabaseError::Storage(s) => s.into(),
        other => Error::Damaged(other.to_string()),
    }
}

/// redb's page cache for an opened journal. Each command reads a table once, so a cache
/// brings little; redb's default (1 GiB) let a search of 100,000 reflections keep every page
/// it had read, tripling its peak memory.
pub(crate) const CACHE_BYTES: usize = 16 << 20;

fn open_db(path: &Path, options: &OpenOptions) -> Result<Database> {
    match std::fs::metadata(path) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            return Err(Error::Missing(path.to_owned()));
        }
        Err(e) => return Err(e.into()),
        Ok(m) if !m.is_file() => return Err(Error::NotAJournal(path.to_owned())),
        Ok(m) if m.len() == 0 => return Err(Error::Damaged("the file is empty".into())),
        Ok(_) => {}
    }
    let started = Instant::now();
    let mut pause = Duration::from_millis(20);
    loop {
        match Database::builder().set_cache_size(CACHE_BYTES).open(path) {
            Ok(db) => return Ok(db),
            Err(redb::DatabaseError::DatabaseAlreadyOpen)
                if started.elapsed() < options.busy_timeout =>
            {
                std::thread::sleep(pause);
                pause = (pause * 2).min(Duration::from_millis(250));
            }
            Err(e) => return Err(db_error(e, path)),
        }
    }
}

impl Journal {
    /// Creates a new journal at `path`, holding `pack`, openable by `first`.
    ///
    /// The file is created 0600 (in a 0700 folder when tend makes the folder) and is never
    /// created over an existing file.
    pub fn create(
        path: &Path,
        first: &NewUnlocker,
        pack: &ValuesPack,
        now: DateTime<Utc>,
    ) -> Result<Journal> {
        Self::create_file(path, |file| Self::initialise(path, file, first, pack, now))
    }

    /// Makes the new private file at `path` (never over an existing one, in a 0700 folder
    /// when tend makes the folder) and fills it with `fill`; a failure leaves no file.
    fn create_file(
        path: &Path,
        fill: impl FnOnce(std::fs::File) -> Result<Journal>,
    ) -> Result<Journal> {
        if path.exists() {
            return Err(Error::AlreadyExists(path.to_owned()));
        }
        if let Some(parent) = path.parent().filter(|p| !p.as_os_str().is_empty()) {
            create_private_dir(parent)?;
        }
        let result = fill(create_private_file(path)?);
        if result.is_err() {
            // Leave nothing half-made behind.
            let _ = std::fs::remove_file(path);
        }
        result
    }

    fn initialise(
        path: &Path,
        file: std::fs::File,
        first: &NewUnlocker,
        pack: &ValuesPack,
        now: DateTime<Utc>,
    ) -> Result<Journal> {
        let mut journal_id = [0u8; 16];
        rand::rngs::OsRng.fill_bytes(&mut journal_id);
        let key = DataKey::generate(journal_id);
        let wrapped = first.wrap(key.expose())?;
        let passphrases = match first {
            NewUnlocker::Passphrase { passphrase, .. } => vec![(1, passphrase.clone())],
            NewUnlocker::Recipient(_) => Vec::new(),
        };
        Self::initialise_with(
            path,
            file,
            key,
            &[(wrapped, first.kind())],
            passphrases,
            pack,
            now,
        )
    }

    /// Creates a new journal at `path` with an existing data key and its wrapped copies (a
    /// new device of a synced journal).
    pub(crate) fn create_with_key(
        path: &Path,
        key: DataKey,
        wrapped: &[Vec<u8>],
        now: DateTime<Utc>,
    ) -> Result<Journal> {
        let unlockers: Vec<(Vec<u8>, unlock::UnlockerKind)> = wrapped
            .iter()
            .map(|w| (w.clone(), unlock::kind_of_wrapped(w)))
            .collect();
        Self::create_file(path, |file| {
            Self::initialise_with(
                path,
                file,
                key,
                &unlockers,
                Vec::new(),
                &ValuesPack::default_pack(),
                now,
            )
        })
    }

    #[allow(clippy::too_many_arguments)]
    fn initialise_with(
        path: &Path,
        file: std::fs::File,
        key: DataKey,
        unlockers: &[(Vec<u8>, unlock::UnlockerKind)],
        passphrases: Vec<(u64, SecretString)>,
        pack: &ValuesPack,
        now: DateTime<Utc>,
    ) -> Result<Journal> {
        let backend = redb::backends::FileBackend::new(file).map_err(|e| db_error(e, path))?;
        let db = Database::builder()
            .create_with_backend(backend)
            .map_err(|e| db_error(e, path))?;
        let journal_id = key.journal_id();
        let mut pseudonym_key = zeroize::Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(pseudonym_key.as_mut());

        let journal = Journal {
            db: Db::new(db),
            key: Key::Local(key),
            path: path.to_owned(),
            unlocked_by: 1,
            passphrases,
            skipped: Vec::new(),
            pending: Default::default(),
            seen: None,
            upgraded: None,
        };
        let txn = journal.begin()?;
        {
            let mut meta = txn.open_table(META)?;
            meta.insert("magic", MAGIC)?;
            meta.insert("format", FORMAT_VERSION.to_le_bytes().as_slice())?;
            meta.insert("journal_id", journal_id.as_slice())?;
            txn.open_table(crate::records::layout::RECORDS)?;
            txn.open_table(crate::records::table(UNLOCKER_INFO))?;
            txn.open_table(SETTINGS)?;
        }
        for (i, (wrapped, kind)) in unlockers.iter().enumerate() {
            journal.store_unlocker(&txn, i as u64 + 1, wrapped, kind.clone(), now)?;
        }
        journal.put_setting(
            &txn,
            PACK_SETTING,
            &serde_json::to_vec(pack).unwrap_or_default(),
        )?;
        journal.put_setting(&txn, PSEUDONYM_SETTING, pseudonym_key.as_slice())?;
        journal.put_setting(&txn, KEY_CHECK_SETTING, KEY_CHECK)?;
        journal.commit(txn)?;
        Ok(journal)
    }

    /// Opens and unlocks the journal at `path` with `secret`, waiting up to five seconds
    /// while another tend holds it.
    pub fn open(path: &Path, secret: &Secret) -> Result<Journal> {
        Self::open_with(path, secret, &OpenOptions::default())
    }

    /// Opens and unlocks with explicit options.
    pub fn open_with(path: &Path, secret: &Secret, options: &OpenOptions) -> Result<Journal> {
        contain(|| Self::unlock(path, secret, options))
    }

    fn unlock(path: &Path, secret: &Secret, options: &OpenOptions) -> Result<Journal> {
        let db = Db::new(open_db(path, options)?);
        // The journal is ours now: a rewrite that was killed before its rename left only a
        // temporary file, which nothing else can be using.
        crate::rewrite::sweep_stale(path);
        let (journal_id, wrapped, format) = read_header(&db, path)?;
        let offered = match secret {
            Secret::Passphrase(_) => "passphrase",
            Secret::Identities(_) => "identity file",
        };
        let wants_passphrase = matches!(secret, Secret::Passphrase(_));
        let mut skipped = Vec::new();
        // The unlockers of the kind offered, cheapest first: a passphrase unlocker asking for
        // more work than tend allows is skipped, not tried, so it cannot hold up the others.
        let mut candidates: Vec<(u8, u64, &Vec<u8>)> = Vec::new();
        for (id, blob) in &wrapped {
            match crate::header::read(blob) {
                None => skipped.push(Skipped {
                    id: *id,
                    why: SkipReason::Unreadable,
                }),
                Some(Stanzas::Scrypt(n)) if wants_passphrase => {
                    if n > unlock::MAX_WORK_FACTOR {
                        skipped.push(Skipped {
                            id: *id,
                            why: SkipReason::ExcessiveWork(n),
                        });
                    } else {
                        candidates.push((n, *id, blob));
                    }
                }
                Some(Stanzas::Other) if !wants_passphrase => candidates.push((0, *id, blob)),
                Some(_) => {}
            }
        }
        candidates.sort_by_key(|(n, id, _)| (*n, *id));
        let any_of_kind = !candidates.is_empty()
            || skipped
                .iter()
                .any(|s| matches!(s.why, SkipReason::ExcessiveWork(_)) && wants_passphrase);
        for (_, id, blob) in candidates {
            let raw = match unlock::try_unwrap(blob, secret) {
                Ok(Attempt::Opened(raw)) => raw,
                Ok(Attempt::Refused) => continue,
                Err(Error::ExcessiveWork(n)) => {
                    skipped.push(Skipped {
                        id,
                        why: SkipReason::ExcessiveWork(n),
                    });
                    continue;
                }
                Err(Error::Damaged(_)) => {
                    skipped.push(Skipped {
                        id,
                        why: SkipReason::Unreadable,
                    });
                    continue;
                }
                Err(e) => return Err(e),
            };
            // An unlocker that opens to anything but this journal's key (the key check does
            // not open under it) is skipped and named by `tend check`.
            let key = DataKey::from_slice(&raw, journal_id)
                .map(Key::Local)
                .filter(|k| key_checks(&db, k).unwrap_or(false));
            let Some(key) = key else {
                skipped.push(Skipped {
                    id,
                    why: SkipReason::WrongKey,
                });
                continue;
            };
            let passphrases = match secret {
                Secret::Passphrase(p) => vec![(id, p.clone())],
                Secret::Identities(_) => Vec::new(),
            };
            skipped.sort_by_key(|s| s.id);
            let mut journal = Journal {
                db,
                key,
                path: path.to_owned(),
                unlocked_by: id,
                passphrases,
                skipped,
                pending: Default::default(),
                seen: None,
                upgraded: None,
            };
            if format < FORMAT_VERSION {
                journal.upgrade_from_v1()?;
            }
            return Ok(journal);
        }
        if let Some(n) = skipped.iter().find_map(|s| match s.why {
            SkipReason::ExcessiveWork(n) if wants_passphrase => Some(n),
            _ => None,
        }) {
            return Err(Error::ExcessiveWork(n));
        }
        Err(match (any_of_kind, secret) {
            (false, _) => Error::NoUnlockerOfKind { offered },
            (true, Secret::Passphrase(_)) => Error::WrongPassphrase,
            (true, Secret::Identities(_)) => Error::WrongIdentity,
        })
    }

    /// Opens the journal at `path` with the key an agent holds for it: `holder` is asked
    /// for a key holder for the journal id the file declares (`None`: it holds none). The
    /// held key must open the file's key check, so a different file at the same path, or
    /// this journal after its key changed, is never opened with another key. `Ok(None)`
    /// when no held key opens this journal; a file that is not a journal is named as such.
    pub fn open_held(
        path: &Path,
        options: &OpenOptions,
        holder: impl FnOnce([u8; 16]) -> Option<Box<dyn crate::seal::KeyHolder>>,
    ) -> Result<Option<Journal>> {
        contain(|| {
            let db = Db::new(open_db(path, options)?);
            crate::rewrite::sweep_stale(path);
            let (journal_id, _, format) = read_header(&db, path)?;
            let Some(holder) = holder(journal_id) else {
                return Ok(None);
            };
            if holder.journal_id() != journal_id {
                return Ok(None);
            }
            let key = Key::held(holder);
            if !key_checks(&db, &key)? || key.is_lost() {
                return Ok(None);
            }
            let mut journal = Journal {
                db,
                key,
                path: path.to_owned(),
                unlocked_by: 0,
                passphrases: Vec::new(),
                skipped: Vec::new(),
                pending: Default::default(),
                seen: None,
                upgraded: None,
            };
            if format < FORMAT_VERSION {
                journal.upgrade_from_v1()?;
            }
            Ok(Some(journal))
        })
    }

    /// The journal id the file at `path` declares, read without unlocking: names a file that
    /// is not a tend journal (or is damaged, or newer) before anyone is asked for a secret.
    pub fn probe(path: &Path, options: &OpenOptions) -> Result<[u8; 16]> {
        contain(|| {
            let db = Db::new(open_db(path, options)?);
            Ok(read_header(&db, path)?.0)
        })
    }

    /// The format version of the journal at `path`, read without unlocking: below
    /// [`FORMAT_VERSION`], opening it upgrades it (a caller says so first).
    pub fn probe_format(path: &Path, options: &OpenOptions) -> Result<u32> {
        contain(|| {
            let db = Db::new(open_db(path, options)?);
            Ok(read_header(&db, path)?.2)
        })
    }

    /// A copy of the data key, to hand to an agent: `None` when an agent holds it already.
    pub fn sealing_key(&self) -> Option<crate::seal::SealingKey> {
        self.key
            .local()
            .map(|k| crate::seal::SealingKey::from_bytes(k.expose(), k.journal_id()))
    }

    /// Whether an agent holds this journal's key (it was opened by [`Journal::open_held`]).
    pub fn key_is_held(&self) -> bool {
        self.key.is_held()
    }

    /// The journal id, as bytes.
    pub fn id(&self) -> [u8; 16] {
        self.key.journal_id()
    }

    /// The key held here, or [`Error::KeyWithAgent`].
    pub(crate) fn local_key(&self) -> Result<&DataKey> {
        self.key.local().ok_or(Error::KeyWithAgent)
    }

    /// [`Error::AgentLost`] once an agent holding the key has stopped answering.
    pub(crate) fn agent_ok(&self) -> Result<()> {
        if self.key.is_lost() {
            Err(Error::AgentLost)
        } else {
            Ok(())
        }
    }

    /// Unlockers passed over while opening this time: unreadable, asking for too much work,
    /// or opening to a key that is not this journal's.
    pub fn skipped_unlockers(&self) -> &[Skipped] {
        &self.skipped
    }

    /// Where the journal lives.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The journal's random id in hex (it is in the clear in the file).
    pub fn id_hex(&self) -> String {
        self.key
            .journal_id()
            .iter()
            .map(|b| format!("{b:02x}"))
            .collect()
    }

    /// The id of the unlocker that opened it this time.
    pub fn unlocked_by(&self) -> u64 {
        self.unlocked_by
    }

    /// The unlockers, oldest first.
    pub fn unlockers(&self) -> Result<Vec<UnlockerInfo>> {
        let txn = self.db.begin_read()?;
        let ids: Vec<u64> = {
            let t = txn.open_table(UNLOCKERS)?;
            t.iter()?
                .map(|item| item.map(|(k, _)| k.value()))
                .collect::<Result<_, _>>()?
        };
        ids.into_iter()
            .map(|id| {
                let mut info: UnlockerInfo = self.get_sealed_json(&txn, UNLOCKER_INFO, id)?;
                info.id = id;
                Ok(info)
            })
            .collect()
    }

    /// Adds an unlocker; returns its id. Rewraps the data key only.
    pub fn add_unlocker(&self, unlocker: &NewUnlocker, now: DateTime<Utc>) -> Result<u64> {
        let wrapped = unlocker.wrap(self.local_key()?.expose())?;
        let txn = self.begin()?;
        let id = txn
            .open_table(UNLOCKERS)?
            .last()?
            .map_or(1, |(k, _)| k.value() + 1);
        self.store_unlocker(&txn, id, &wrapped, unlocker.kind(), now)?;
        self.commit(txn)?;
        Ok(id)
    }

    /// Writes a wrapped key and its sealed description under `id`. Wrapping (scrypt, about
    /// a second) happens before the transaction, so the journal is not held meanwhile.
    pub(crate) fn store_unlocker(
        &self,
        txn: &redb::WriteTransaction,
        id: u64,
        wrapped: &[u8],
        kind: unlock::UnlockerKind,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let old = txn
            .open_table(UNLOCKERS)?
            .insert(id, wrapped)?
            .map(|v| v.value().to_vec());
        let key = id.to_be_bytes();
        self.track(
            crate::seal::Place {
                table: crate::manifest::UNLOCKERS_TABLE,
                key: &key,
            },
            old.as_deref(),
            Some(wrapped),
        );
        let info = UnlockerInfo {
            id,
            kind,
            added: now,
        };
        self.put_sealed_json(txn, UNLOCKER_INFO, id, &info)
    }

    /// Counts a deletion whose sealed bytes may stay in free pages until the next rewrite.
    pub(crate) fn note_deletion(&self, txn: &redb::WriteTransaction) -> Result<()> {
        let n = self.deleted_in(txn)?.saturating_add(1);
        self.put_setting(txn, DELETED_SETTING, &n.to_le_bytes())
    }

    fn deleted_in(&self, txn: &redb::WriteTransaction) -> Result<u64> {
        let raw = txn
            .open_table(SETTINGS)?
            .get(DELETED_SETTING)?
            .map(|v| v.value().to_vec());
        Ok(raw
            .and_then(|raw| {
                self.key.open(
                    crate::seal::Place {
                        table: "tend_settings",
                        key: DELETED_SETTING.as_bytes(),
                    },
                    &raw,
                )
            })
            .and_then(|p| <[u8; 8]>::try_from(p.as_slice()).ok())
            .map_or(0, u64::from_le_bytes))
    }

    /// Records deleted since the file was last rewritten (by a rotation or compaction):
    /// their sealed bytes may still lie in the file's free pages.
    pub fn deleted_since_rewrite(&self) -> Result<u64> {
        let txn = self.db.begin_read()?;
        Ok(self
            .get_setting(&txn, DELETED_SETTING)?
            .and_then(|p| <[u8; 8]>::try_from(p.as_slice()).ok())
            .map_or(0, u64::from_le_bytes))
    }

    /// The journal's own copy of its values pack.
    pub fn pack(&self) -> Result<ValuesPack> {
        let txn = self.db.begin_read()?;
        let raw = self
            .get_setting(&txn, PACK_SETTING)?
            .ok_or(Error::RecordDamaged {
                kind: "values pack",
                id: 0,
            })?;
        serde_json::from_slice(&raw).map_err(|_| Error::RecordDamaged {
            kind: "values pack",
            id: 0,
        })
    }

    /// Replaces the journal's values pack.
    pub fn set_pack(&self, pack: &ValuesPack) -> Result<()> {
        let txn = self.begin()?;
        self.put_setting(
            &txn,
            PACK_SETTING,
            &serde_json::to_vec(pack).unwrap_or_default(),
        )?;
        self.commit(txn)?;
        Ok(())
    }

    /// A pseudonym for this journal and `purpose`: the same every time for the same purpose
    /// (compared as `purpose_key` does: trimmed, spaces collapsed, lower-case), and
    /// unlinkable across purposes without the journal's secret.
    pub fn pseudonym(&self, purpose: &str) -> Result<String> {
        use hmac::{Mac, SimpleHmac};
        let txn = self.db.begin_read()?;
        let secret = self
            .get_setting(&txn, PSEUDONYM_SETTING)?
            .ok_or(Error::RecordDamaged {
                kind: "pseudonym key",
                id: 0,
            })?;
        let mut mac = <SimpleHmac<sha2::Sha256> as Mac>::new_from_slice(&secret)
            .map_err(|_| Error::Damaged("the pseudonym key is unreadable".into()))?;
        mac.update(b"tend pseudonym v1\0");
        mac.update(tend_core::contribution::purpose_key(purpose).as_bytes());
        let tag = mac.finalize().into_bytes();
        Ok(tag.iter().take(8).map(|b| format!("{b:02x}")).collect())
    }
}

/// The wrapped data keys, by unlocker id.
type Wrapped = Vec<(u64, Vec<u8>)>;

/// The journal id, the wrapped keys and the format version.
pub(crate) fn read_header(db: &Database, path: &Path) -> Result<([u8; 16], Wrapped, u32)> {
    let txn = db.begin_read()?;
    let meta = match txn.open_table(META) {
        Ok(t) => t,
        Err(
            redb::TableError::TableDoesNotExist(_) | redb::TableError::TableTypeMismatch { .. },
        ) => {
            return Err(Error::NotAJournal(path.to_owned()));
        }
        Err(e) => return Err(e.into()),
    };
    let get = |k: &str| -> Result<Option<Vec<u8>>> { Ok(meta.get(k)?.map(|v| v.value().to_vec())) };
    if get("magic")?.as_deref() != Some(MAGIC) {
        return Err(Error::NotAJournal(path.to_owned()));
    }
    let format = get("format")?
        .and_then(|b| <[u8; 4]>::try_from(b.as_slice()).ok())
        .map(u32::from_le_bytes)
        .ok_or_else(|| Error::Damaged("the format version is unreadable".into()))?;
    if format == 0 {
        return Err(Error::Damaged("the format version is unreadable".into()));
    }
    if format > FORMAT_VERSION {
        return Err(Error::NewerVersion {
            found: format,
            supported: FORMAT_VERSION,
        });
    }
    let journal_id: [u8; 16] = get("journal_id")?
        .and_then(|b| b.as_slice().try_into().ok())
        .ok_or_else(|| Error::Damaged("the journal id is unreadable".into()))?;
    let unlockers = txn.open_table(UNLOCKERS)?;
    let mut wrapped = Vec::new();
    for item in unlockers.iter()? {
        let (k, v) = item?;
        wrapped.push((k.value(), v.value().to_vec()));
    }
    if wrapped.is_empty() {
        return Err(Error::Damaged("the journal has no unlockers".into()));
    }
    Ok((journal_id, wrapped, format))
}

/// The journal id of the file at `path`, read without unlocking it (it is in the clear).
pub(crate) fn peek_id(path: &Path) -> Result<[u8; 16]> {
    let db = open_db(path, &OpenOptions::default())?;
    Ok(read_header(&db, path)?.0)
}

/// Whether `key` is the journal's key: it opens the sealed key check (or, in a journal made
/// before the key check existed, the sealed values pack, which every journal holds).
pub(crate) fn key_checks(db: &Database, key: &Key) -> Result<bool> {
    let txn = db.begin_read()?;
    let t = match txn.open_table(SETTINGS) {
        Ok(t) => t,
        Err(redb::TableError::TableDoesNotExist(_)) => return Ok(false),
        Err(e) => return Err(e.into()),
    };
    let open = |name: &str| -> Result<Option<bool>> {
        Ok(t.get(name)?.map(|v| {
            key.open(
                crate::seal::Place {
                    table: "tend_settings",
                    key: name.as_bytes(),
                },
                v.value(),
            )
            .is_some_and(|p| name != KEY_CHECK_SETTING || p.as_slice() == KEY_CHECK)
        }))
    };
    Ok(match open(KEY_CHECK_SETTING)? {
        Some(ok) => ok,
        None => open(PACK_SETTING)?.unwrap_or(false),
    })
}

#[cfg(unix)]
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    use std::os::unix::fs::DirBuilderExt;
    if dir.is_dir() {
        return Ok(());
    }
    std::fs::DirBuilder::new()
        .recursive(true)
        .mode(0o700)
        .create(dir)?;
    Ok(())
}

#[cfg(not(unix))]
pub(crate) fn create_private_dir(dir: &Path) -> Result<()> {
    std::fs::create_dir_all(dir)?;
    Ok(())
}

pub(crate) fn create_private_file(path: &Path) -> Result<std::fs::File> {
    let mut options = std::fs::OpenOptions::new();
    options.read(true).write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options.open(path).map_err(|e| {
        if e.kind() == std::io::ErrorKind::AlreadyExists {
            Error::AlreadyExists(path.to_owned())
        } else {
            e.into()
        }
    })
}
