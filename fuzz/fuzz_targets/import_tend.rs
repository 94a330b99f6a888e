//! `tend import --from tend`: a tend JSON export, perhaps from another machine or hand-edited.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::export::Export;

fuzz_target!(|data: &[u8]| {
    let Ok(json) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(export) = Export::parse(json) else {
        return;
    };
    // Nothing read is lost on the way back out.
    let written = export.to_json();
    assert_eq!(
        Export::parse(&written).as_ref(),
        Ok(&export),
        "written:\n{written}"
    );
    let _ = export.to_markdown();
    for r in &export.reflections {
        let _ = r.record.entry(r.id.unwrap_or(1));
    }
});
