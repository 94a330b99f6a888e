//! Stored records after their AEAD has opened: what a journal written by an older, newer or
//! faulty tend may hold. The first byte picks the table; the rest is the plaintext.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_store::fuzzing::{TABLES, decode_record};

fuzz_target!(|data: &[u8]| {
    let Some((pick, plaintext)) = data.split_first() else {
        return;
    };
    let table = TABLES[usize::from(*pick) % TABLES.len()];
    let _ = decode_record(table, plaintext);
});
