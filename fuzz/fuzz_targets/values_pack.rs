//! Values packs: TOML a cooperative writes by hand, or receives from another cooperative.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::pack::ValuesPack;

fuzz_target!(|data: &[u8]| {
    let Ok(source) = std::str::from_utf8(data) else {
        return;
    };
    let Ok(pack) = ValuesPack::parse(source) else {
        return;
    };
    // A pack that reads is one the editing commands accept, and it writes back unchanged.
    for value in &pack.values {
        assert!(value.check().is_ok(), "parse accepted {value:?}");
    }
    let written = pack.to_toml();
    assert_eq!(
        ValuesPack::parse(&written).as_ref(),
        Ok(&pack),
        "written:\n{written}"
    );
    let _ = pack.fingerprint();
});
