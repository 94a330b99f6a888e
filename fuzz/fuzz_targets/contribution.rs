//! Contribution files, as a facilitator's tend reads them after opening the age file: the
//! signed envelope parsed, the signature checked, the contribution previewed, added up with
//! others into a retreat summary, and rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::contribution::{Contribution, MemberKey, SignedContribution};
use tend_core::retreat::{self, Format, Options, Received};
use tend_store::member;

fuzz_target!(|data: &[u8]| {
    let Ok(signed) = SignedContribution::parse(data) else {
        return;
    };
    // Checking a signature never panics; a changed document never verifies.
    let verified = member::verify(&signed);
    let again = SignedContribution::parse(signed.to_json().as_bytes());
    assert_eq!(again.as_ref(), Ok(&signed), "the envelope reads back unchanged");
    let contribution = signed.contribution;
    // What reads writes back and reads again, unchanged.
    let json = contribution.to_json();
    assert_eq!(
        Contribution::parse(json.as_bytes()).as_ref(),
        Ok(&contribution),
        "written:\n{json}"
    );
    let _ = contribution.preview();

    // Three members sending the same counts, so every figure is large enough to show.
    let received: Vec<Received> = (0u8..3)
        .map(|i| {
            let mut c = contribution.clone();
            c.id = format!("{:016x}", i);
            c.signer = MemberKey::from_bytes([i; 32]);
            Received {
                source: format!("member-{i}.age"),
                contribution: c,
                verified,
            }
        })
        .collect();
    let options = Options::new(contribution.consent.given);
    let (summary, report) = retreat::build(received, &[], vec![], &options)
        .expect("the default minimum group is allowed");
    let _ = report.to_string();
    for format in [Format::Markdown, Format::Html, Format::Json] {
        if let Err(e) = retreat::render(&summary, format) {
            panic!("the built-in {format:?} rendering failed: {e}");
        }
    }
});
