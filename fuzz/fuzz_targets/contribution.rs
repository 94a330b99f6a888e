//! Contributions, as a facilitator's tend reads them after opening the age file: parsed,
//! previewed, added up with others into a retreat summary, and rendered.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::contribution::Contribution;
use tend_core::retreat::{self, Format, Options, Received};

fuzz_target!(|data: &[u8]| {
    let Ok(contribution) = Contribution::parse(data) else {
        return;
    };
    // What reads writes back and reads again, unchanged.
    let json = contribution.to_json();
    assert_eq!(
        Contribution::parse(json.as_bytes()).as_ref(),
        Ok(&contribution),
        "written:\n{json}"
    );
    let _ = contribution.preview();

    // Three members sending the same counts, so every figure is large enough to show.
    let received: Vec<Received> = (0..3)
        .map(|i| {
            let mut c = contribution.clone();
            c.id = format!("{}-{i}", c.id);
            c.pseudonym = format!("{}-{i}", c.pseudonym);
            Received {
                source: format!("member-{i}.age"),
                contribution: c,
            }
        })
        .collect();
    let options = Options::new(contribution.consent.given.date_naive());
    let (summary, report) = retreat::build(received, &[], vec![], &options)
        .expect("the default minimum group is allowed");
    let _ = report.to_string();
    for format in [Format::Markdown, Format::Html, Format::Json] {
        if let Err(e) = retreat::render(&summary, format) {
            panic!("the built-in {format:?} rendering failed: {e}");
        }
    }
});
