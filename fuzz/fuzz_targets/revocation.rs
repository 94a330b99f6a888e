//! Revocations, as a facilitator's tend reads them after opening the age file.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::contribution::{Revocation, sha256_hex};

fuzz_target!(|data: &[u8]| {
    let Ok(revocation) = Revocation::parse(data) else {
        return;
    };
    let json = revocation.to_json();
    assert_eq!(
        Revocation::parse(json.as_bytes()).as_ref(),
        Ok(&revocation),
        "written:\n{json}"
    );
    // The token is hex and nothing else, so one token has one spelling (up to case).
    let token = unhex(&revocation.token).expect("an accepted token is hex");

    // It withdraws the contribution whose id it names and whose hash its token matches.
    let mut target = tend_fuzz::sample_contribution();
    target.id = revocation.contribution_id.clone();
    target.revocation_hash = "0".repeat(64);
    assert!(
        !revocation.revokes(&target),
        "a token that does not match revokes nothing"
    );
    target.revocation_hash = sha256_hex(&token);
    assert!(revocation.revokes(&target));
    target.id.push('x');
    assert!(
        !revocation.revokes(&target),
        "nor does one for another contribution"
    );
});

fn unhex(s: &str) -> Option<Vec<u8>> {
    if !s.len().is_multiple_of(2) || !s.bytes().all(|b| b.is_ascii_hexdigit()) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}
