//! `tend import --from jrnl`: the output of `jrnl --format json`.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::export::{Export, WithId, parse_jrnl};

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let now = tend_fuzz::now();
    let Ok(reflections) = parse_jrnl(json, now) else {
        return;
    };
    for (i, r) in reflections.iter().enumerate() {
        assert!(!r.text.is_empty(), "an empty jrnl entry is skipped");
        assert!(r.written <= now, "nothing is written in the future");
        let _ = r.entry(i as u64 + 1);
    }
    // What came in from jrnl leaves again as tend's own export, unchanged.
    let export = Export::new(
        now,
        reflections
            .into_iter()
            .map(|r| WithId::new(None, None, r))
            .collect(),
        vec![],
        vec![],
    );
    assert_eq!(Export::parse(&export.to_json()).as_ref(), Ok(&export));
});
