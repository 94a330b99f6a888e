//! A recovery share file, as `tend recovery release` and `restore` read it: anyone can hand
//! a trustee or a member a file. The first byte picks the layer: 0 feeds the document
//! parser directly (what an opened age file holds), anything else feeds the rest as a whole
//! share file to be opened with the fuzzing identity, then parsed.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_store::recovery::Share;

fuzz_target!(|data: &[u8]| {
    let Some((&mode, rest)) = data.split_first() else {
        return;
    };
    let share = if mode == 0 {
        Share::parse(rest)
    } else {
        Share::open(rest, &[tend_fuzz::identity()])
    };
    let Ok(share) = share else {
        return;
    };
    // What the parser accepts is in range and reads back as itself.
    assert!(share.x >= 1 && share.x <= share.count);
    assert!(share.threshold >= 2 && share.threshold <= share.count);
    let json = share.to_json();
    let again = Share::parse(&json).expect("a parsed share reads back");
    assert_eq!(*again.to_json(), *json);
    let recipient = tend_fuzz::identity().to_public();
    let sealed = share.seal(&recipient).expect("seals");
    let opened = Share::open(&sealed, &[tend_fuzz::identity()]).expect("opens again");
    assert_eq!(*opened.to_json(), *json);
});
