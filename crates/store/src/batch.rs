//! Opening every record of a table a batch at a time. With an agent holding the key, one
//! request opens about a megabyte of records, where opening them one by one would cost a
//! round trip each; with the key here it is the same work either way.

use zeroize::Zeroizing;

use crate::seal::{Key, OVERHEAD, PLAINTEXT_START};

/// A batch is handed over once it holds this many bytes of sealed records…
const BATCH_BYTES: usize = 1 << 20;
/// …or this many records.
const BATCH_RECORDS: usize = 4096;

/// Opens the sealed `records` (id, sealed bytes) of `table`, in batches, and calls `each`
/// in order with each id and its plaintext, or `None` for a record that does not open.
pub(crate) fn open_each<E>(
    key: &Key,
    table: &str,
    records: impl IntoIterator<Item = Result<(u64, Vec<u8>), E>>,
    mut each: impl FnMut(u64, Option<&[u8]>) -> Result<(), E>,
) -> Result<(), E> {
    let mut batch: Vec<(u64, Zeroizing<Vec<u8>>)> = Vec::new();
    let mut bytes = 0;
    for record in records {
        let (id, sealed) = record?;
        bytes += sealed.len();
        batch.push((id, Zeroizing::new(sealed)));
        if bytes >= BATCH_BYTES || batch.len() >= BATCH_RECORDS {
            open_batch(key, table, &mut batch, &mut each)?;
            bytes = 0;
        }
    }
    open_batch(key, table, &mut batch, &mut each)
}

fn open_batch<E>(
    key: &Key,
    table: &str,
    batch: &mut Vec<(u64, Zeroizing<Vec<u8>>)>,
    each: &mut impl FnMut(u64, Option<&[u8]>) -> Result<(), E>,
) -> Result<(), E> {
    if batch.is_empty() {
        return Ok(());
    }
    let ids: Vec<[u8; 8]> = batch.iter().map(|(id, _)| id.to_be_bytes()).collect();
    let opened = {
        let mut items: Vec<(&[u8], &mut [u8])> = ids
            .iter()
            .zip(batch.iter_mut())
            .map(|(id, (_, sealed))| (id.as_slice(), sealed.as_mut_slice()))
            .collect();
        key.open_many(table, &mut items)
    };
    for ((id, sealed), ok) in batch.iter().zip(opened) {
        // Opened in place: the plaintext lies between the nonce and the tag.
        let plain =
            (ok && sealed.len() >= OVERHEAD).then(|| &sealed[PLAINTEXT_START..sealed.len() - 16]);
        each(*id, plain)?;
    }
    // Dropping the buffers zeroises the plaintext they now hold.
    batch.clear();
    Ok(())
}
