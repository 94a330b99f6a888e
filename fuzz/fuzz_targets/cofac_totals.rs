//! Totals as two colluding members or a broken co-facilitator might hand them over: any
//! aggregate vector is either refused or read into totals whose stand-ins add up to it, and
//! whose row profiles (from the row sketch) are within bounds.
#![no_main]

use libfuzzer_sys::fuzz_target;
use tend_core::contribution::{PackRef, ValueRef};
use tend_core::pack::Scale;
use tend_protocol::layout::{Layout, Tally};

fuzz_target!(|data: &[u8]| {
    let Some((&members, rest)) = data.split_first() else {
        return;
    };
    let pack = PackRef {
        fingerprint: "0000-0000-0000-0000".into(),
        values: vec![ValueRef {
            id: "equity".into(),
            name: "Equity".into(),
        }],
        scale: Scale {
            min: 1,
            max: 2,
            words: vec!["a".into(), "b".into()],
        },
    };
    let layout = Layout::new(&pack).expect("a small layout");
    let aggregate: Vec<u128> = (0..layout.len())
        .map(|i| u128::from(rest.get(i).copied().unwrap_or(0) % 8))
        .collect();
    let members = usize::from(members % 8);
    if let Ok(tally) = Tally::from_aggregate(&layout, &aggregate, members) {
        let rows: Vec<Vec<Vec<u64>>> = (0..members)
            .map(|k| {
                tally
                    .groups
                    .iter()
                    .map(|g| g.stand_in_rows(members)[k].clone())
                    .collect()
            })
            .collect();
        // A stand-in may hold more than one member may measure; then there is nothing to
        // compare. The stand-ins' row sketch is their own (they are not the members), so
        // only the sums and the members behind each cell must agree.
        if let Ok(again) = Tally::of_rows(&layout, &rows) {
            for (a, t) in again.groups.iter().zip(&tally.groups) {
                assert_eq!(a.sums, t.sums, "stand-ins add up to the totals");
                assert_eq!(
                    a.membership, t.membership,
                    "stand-ins stand where members stood"
                );
            }
        }
        // The row profiles the rules read never claim more rows than there are.
        for g in &tally.groups {
            let p = g.profile(members);
            assert!(p.most_common <= p.rows && p.most_common_nonzero <= p.nonzero);
            assert!(p.nonzero <= p.rows);
        }
    }
});
