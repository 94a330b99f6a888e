//! The items another device's changes carry once their object has opened — a record's key
//! and its JSON, a setting, a removal — read as the journal reads them before it writes
//! anything: a well-formed object from a device of the journal must still never panic it.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tend_store::fuzzing::sync_items(data);
});
