//! Every file a co-facilitated retreat reads (plan, report, excerpt slot, batch, answer,
//! aggregate share, ledger), as each party's tend reads it after opening the age layer:
//! never a panic, and what is accepted writes back to the same document.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_protocol::Plan;
use tend_protocol::files::{Answer, Batch, HelperState, Report, ShareFile, Slip};
use tend_protocol::ledger::Ledger;

macro_rules! round_trip {
    ($ty:ty, $data:expr) => {
        if let Ok(doc) = <$ty>::parse($data) {
            let again = <$ty>::parse(&doc.to_json()).expect("what was read writes back");
            assert_eq!(again, doc);
        }
    };
}

fuzz_target!(|data: &[u8]| {
    if let Ok(plan) = Plan::parse(data) {
        let again = Plan::parse(plan.to_json().as_bytes()).expect("a plan writes back");
        assert_eq!(again.fingerprint(), plan.fingerprint());
        let _ = plan.layout().expect("a checked plan has a layout");
    }
    round_trip!(Report, data);
    round_trip!(Slip, data);
    round_trip!(Batch, data);
    round_trip!(HelperState, data);
    round_trip!(Answer, data);
    round_trip!(ShareFile, data);
    for role in [tend_protocol::Role::Leader, tend_protocol::Role::Helper] {
        if let Ok(ledger) = Ledger::parse(data, role, "plan") {
            assert_eq!(Ledger::parse(&ledger.to_json(), role, "plan"), Ok(ledger));
        }
    }
});
