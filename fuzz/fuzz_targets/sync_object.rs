//! Everything sync reads from a remote — sealed change objects and snapshots, their
//! payloads, the head — and the device's saved sync state: storage is not trusted.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    tend_sync::fuzzing::parse(data);
});
