//! Format 2's one table of records, read and changed from outside tend as an attacker with
//! the file (and, for addressing, the data key) would: a segment's redb key is the first 16
//! bytes of the manifest MAC of (kind, segment number), as docs/format.md says.
#![allow(dead_code, clippy::unwrap_used)]

use age::secrecy::SecretString;
use redb::{ReadableDatabase, ReadableTable, TableDefinition};
use tend_store::SealingKey;

pub const RECORDS: TableDefinition<'_, [u8; 16], &[u8]> = TableDefinition::new("tend_records");
const UNLOCKERS: TableDefinition<'_, u64, &[u8]> = TableDefinition::new("tend_unlockers");
const META: TableDefinition<'_, &str, &[u8]> = TableDefinition::new("tend_meta");

/// Segment kinds.
pub const TEXT: u8 = 1;
pub const INDEX: u8 = 2;
pub const IDS: u8 = 6;
/// The id directory's buckets (segment = the first byte of the ids they hold).
pub const DIRECTORY: u8 = 7;

/// The data key of the journal at `path`, unwrapped with `passphrase`.
pub fn key(path: &std::path::Path, passphrase: &str) -> SealingKey {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_read().unwrap();
    let id: [u8; 16] = txn
        .open_table(META)
        .unwrap()
        .get("journal_id")
        .unwrap()
        .unwrap()
        .value()
        .try_into()
        .unwrap();
    let mut identity = age::scrypt::Identity::new(SecretString::from(passphrase.to_owned()));
    identity.set_max_work_factor(22);
    for item in txn.open_table(UNLOCKERS).unwrap().iter().unwrap() {
        let (_, v) = item.unwrap();
        let Ok(d) = age::Decryptor::new(v.value()) else {
            continue;
        };
        let Ok(mut r) = d.decrypt(std::iter::once(&identity as &dyn age::Identity)) else {
            continue;
        };
        let mut out = Vec::new();
        std::io::Read::read_to_end(&mut r, &mut out).unwrap();
        return SealingKey::from_bytes(&out.try_into().unwrap(), id);
    }
    panic!("the passphrase opens no unlocker");
}

/// The bytes naming a segment in its place.
pub fn place(kind: u8, segment: u64) -> [u8; 9] {
    let mut out = [0u8; 9];
    out[0] = kind;
    out[1..].copy_from_slice(&segment.to_be_bytes());
    out
}

/// The redb key of a segment.
pub fn segment_key(key: &SealingKey, kind: u8, segment: u64) -> [u8; 16] {
    let mac = key.mac("tend/v2/segment-key", &place(kind, segment), &[]);
    mac[..16].try_into().unwrap()
}

/// A segment's sealed bytes, if there is one.
pub fn get(path: &std::path::Path, k: [u8; 16]) -> Option<Vec<u8>> {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_read().unwrap();
    let t = txn.open_table(RECORDS).unwrap();
    t.get(k).unwrap().map(|v| v.value().to_vec())
}

/// Puts (or, with `None`, removes) the value under a key of the records table.
pub fn put(path: &std::path::Path, k: [u8; 16], value: Option<&[u8]>) {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_write().unwrap();
    {
        let mut t = txn.open_table(RECORDS).unwrap();
        match value {
            Some(v) => {
                t.insert(k, v).unwrap();
            }
            None => {
                t.remove(k).unwrap();
            }
        }
    }
    txn.commit().unwrap();
}

/// Flips a bit near the end of the sealed value under `k`.
pub fn flip(path: &std::path::Path, k: [u8; 16]) {
    let mut bytes = get(path, k).unwrap();
    let last = bytes.len() - 5;
    bytes[last] ^= 0x40;
    put(path, k, Some(&bytes));
}

/// Every (key, value) of the records table.
pub fn all(path: &std::path::Path) -> Vec<([u8; 16], Vec<u8>)> {
    let db = redb::Database::open(path).unwrap();
    let txn = db.begin_read().unwrap();
    let t = txn.open_table(RECORDS).unwrap();
    t.iter()
        .unwrap()
        .map(|i| {
            let (k, v) = i.unwrap();
            (k.value(), v.value().to_vec())
        })
        .collect()
}

/// Opens a sealed segment with `key`: its padded plaintext.
pub fn open(key: &SealingKey, kind: u8, segment: u64, sealed: &[u8]) -> Option<Vec<u8>> {
    let mut copy = sealed.to_vec();
    key.open_in_place("tend_records", &place(kind, segment), &mut copy)
        .then(|| copy[25..copy.len() - 16].to_vec())
}

/// An import file of `n` reflections ("reflection {i} …"), for `tend import`.
pub fn import_json(n: usize) -> String {
    let mut import = String::from(
        "{\"format\":\"tend-export\",\"version\":1,\"exported\":\"2026-01-02T00:00:00Z\",\"reflections\":[",
    );
    for i in 1..=n {
        if i > 1 {
            import.push(',');
        }
        import.push_str(&format!(
            "{{\"id\":{i},\"on\":\"2026-01-01\",\"written\":\"2026-01-01T10:00:00Z\",\"text\":\"reflection {i}\",\"values\":[],\"tags\":[\"t\"]}}"
        ));
    }
    import.push_str("],\"commitments\":[],\"repairs\":[]}");
    import
}
