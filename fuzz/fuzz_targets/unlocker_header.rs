//! An unlocker's age header, as opening a journal reads it before deciding whether (and in
//! which order) to try it: anyone who can write the journal file can add one.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let _ = tend_store::fuzzing::read_unlocker_header(data);
});
