//! Contribution bundles and the key files beside them: age files (binary or armored) opened
//! with the facilitator's identity, then read as a contribution or a revocation the way a
//! retreat build reads them; and the text of recipients and identity files.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::contribution::{Contribution, Revocation};
use tend_store::bundle;

fuzz_target!(|data: &[u8]| {
    let identities = [tend_fuzz::identity()];
    if let Ok(plaintext) = bundle::open(data, &identities) {
        let _ = Contribution::parse(&plaintext);
        let _ = Revocation::parse(&plaintext);
    }
    if let Ok(text) = std::str::from_utf8(data) {
        let _ = bundle::parse_recipient(text);
        let _ = bundle::parse_recipients(text);
        let _ = bundle::read_identities(text);
    }
});
