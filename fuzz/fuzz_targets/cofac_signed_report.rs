//! A member's report as the helper checks it against the roster: parsed strictly, its
//! roster key read, its signature checked over its signed bytes. Never a panic, and a
//! report whose bytes were changed after signing never verifies.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::contribution::MemberKey;
use tend_protocol::files::Report;
use tend_store::member::verify_report;

fn unhex(text: &str) -> Option<Vec<u8>> {
    if !text.len().is_multiple_of(2) || !text.is_ascii() {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&text[i..i + 2], 16).ok())
        .collect()
}

fuzz_target!(|data: &[u8]| {
    let Ok(report) = Report::parse(data) else {
        return;
    };
    let Ok(key) = MemberKey::parse(&report.signer) else {
        return;
    };
    let signature = unhex(&report.signature).unwrap_or_default();
    let message = report.signed_bytes();
    let good = verify_report(&key, &message, &signature);
    if good {
        let mut changed = report.clone();
        changed.counter = changed.counter.wrapping_add(1);
        assert!(!verify_report(&key, &changed.signed_bytes(), &signature));
    }
});
