//! Contributions and revocations arrive from other people's machines: their parsers must
//! never panic, whatever the bytes.

use proptest::prelude::*;

use super::tests::built;
use super::{Contribution, Revocation};

proptest! {
    #[test]
    fn contribution_parse_never_panics_on_bytes(bytes in proptest::collection::vec(any::<u8>(), 0..512)) {
        let _ = Contribution::parse(&bytes);
        let _ = Revocation::parse(&bytes);
    }

    #[test]
    fn contribution_parse_never_panics_on_json_like_text(text in r#"[\[\]{}":,0-9a-z_\- ]{0,200}"#) {
        let _ = Contribution::parse(text.as_bytes());
        let _ = Revocation::parse(text.as_bytes());
    }

    #[test]
    fn contribution_parse_never_panics_on_damaged_documents(
        edits in proptest::collection::vec((any::<proptest::sample::Index>(), any::<u8>()), 1..8)
    ) {
        let mut bytes = built().to_json().into_bytes();
        for (at, byte) in edits {
            let i = at.index(bytes.len());
            bytes[i] = byte;
        }
        if let Ok(c) = Contribution::parse(&bytes) {
            // Whatever still parses must survive a round trip unchanged.
            prop_assert_eq!(Contribution::parse(c.to_json().as_bytes()), Ok(c));
        }
    }

    #[test]
    fn contribution_parse_never_panics_when_a_number_changes(
        n in any::<i64>(),
        which in 0usize..6,
    ) {
        let mut v: serde_json::Value = serde_json::from_str(&built().to_json()).expect("json");
        let slot = match which {
            0 => &mut v["version"],
            1 => &mut v["aggregates"]["values"][0]["reflections"],
            2 => &mut v["pack"]["scale"]["min"],
            3 => &mut v["pack"]["scale"]["max"],
            4 => &mut v["aggregates"]["repairs"]["open"],
            _ => &mut v["aggregates"]["commitments"]["open"],
        };
        *slot = n.into();
        let _ = Contribution::parse(v.to_string().as_bytes());
    }
}
