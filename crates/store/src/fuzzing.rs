//! Hooks for the fuzz targets in `fuzz/`; not part of tend-store's API.
//!
//! Every record is opened by its AEAD before it is decoded, so bytes fed to a journal file
//! never reach the decoding behind it. [`decode_record`] runs that decoding on plaintext
//! directly, the way the journal does once a record has opened.

use serde::de::DeserializeOwned;
use tend_core::commitment::Commitment;
use tend_core::contribution::ConsentRecord;
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;
use tend_core::repair::Repair;

use crate::journal::{PACK_SETTING, UNLOCKER_INFO};
use crate::records::directory::{SUMMARY_SETTING, Summary};
use crate::records::layout::{self, Kind};
use crate::records::{
    COMMITMENTS, CONSENTS, DIRECTORY, INDEX, REFLECTIONS, REPAIRS, decode_segment, encode_segment,
};
use crate::unlock::UnlockerInfo;

/// The places whose plaintext [`decode_record`] reads: the record tables, the unlocker
/// notes, the values pack kept among the settings, the id directory's buckets and the index
/// summary (both padded, as stored).
pub const TABLES: [&str; 9] = [
    REFLECTIONS,
    INDEX,
    COMMITMENTS,
    REPAIRS,
    CONSENTS,
    UNLOCKER_INFO,
    PACK_SETTING,
    DIRECTORY,
    SUMMARY_SETTING,
];

/// Decodes `plaintext` as the journal decodes an opened record of `table` (one of
/// [`TABLES`]), deriving a reflection's index entry as listing does. Whether it decoded.
pub fn decode_record(table: &str, plaintext: &[u8]) -> bool {
    match table {
        REFLECTIONS => decode::<Reflection>(plaintext)
            .map(|r| r.entry(1))
            .is_some(),
        INDEX => decode_segment(plaintext).is_some(),
        COMMITMENTS => decode::<Commitment>(plaintext).is_some(),
        REPAIRS => decode::<Repair>(plaintext).is_some(),
        CONSENTS => decode::<ConsentRecord>(plaintext).is_some(),
        UNLOCKER_INFO => decode::<UnlockerInfo>(plaintext).is_some(),
        PACK_SETTING => decode::<ValuesPack>(plaintext).is_some(),
        // A bucket's number is its first byte here.
        DIRECTORY => plaintext.split_first().is_some_and(|(bucket, padded)| {
            layout::unpad(padded)
                .and_then(|c| layout::decode(Kind::Directory, u64::from(*bucket), c))
                .is_some()
        }),
        SUMMARY_SETTING => layout::unpad(plaintext).and_then(Summary::decode).is_some(),
        _ => false,
    }
}

/// The journal's decoding of every other record (`Journal::decode`, `Journal::pack`).
fn decode<T: DeserializeOwned>(plaintext: &[u8]) -> Option<T> {
    serde_json::from_slice(plaintext).ok()
}

/// The plaintext the journal writes for an index segment holding `entries` (sorted by id),
/// for seeding the fuzzer with real segments.
pub fn segment_plaintext(entries: &[tend_core::reflection::Entry]) -> Vec<u8> {
    encode_segment(entries)
}

/// Reads an unlocker's age header as opening a journal does (its scrypt work factor, or
/// that it is another kind), without decrypting: `Some(Some(n))` for a passphrase asking
/// for 2^n, `Some(None)` for another kind, `None` when it is not an age header.
pub fn read_unlocker_header(wrapped: &[u8]) -> Option<Option<u8>> {
    crate::header::read(wrapped).map(|s| match s {
        crate::header::Stanzas::Scrypt(n) => Some(n),
        crate::header::Stanzas::Other => None,
    })
}

/// Reads `data` as merged changes from another device, the way `Journal::apply_sync` reads
/// them before writing anything: items separated by a zero byte, each `key`, a zero byte and
/// its bytes; a key starting with `-` is a removal. Whether they all read.
pub fn sync_items(data: &[u8]) -> bool {
    let mut changes = crate::sync_support::SyncChanges::default();
    let mut parts = data.split(|b| *b == 0);
    while let Some(key) = parts.next() {
        let Ok(key) = std::str::from_utf8(key) else {
            return false;
        };
        if let Some(removed) = key.strip_prefix('-') {
            changes.deletes.push(removed.to_owned());
        } else {
            let value = parts.next().unwrap_or_default();
            changes.puts.push((key.to_owned(), value.to_vec()));
        }
    }
    crate::sync_support::changes_read(&changes)
}
