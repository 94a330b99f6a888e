//! Entry points for the fuzz targets in `fuzz/`: every parser of bytes a remote hands us.
//! Not part of the API.

use crate::head::Head;
use crate::ids::{DeviceId, JournalId};
use crate::object::{Kind, Place, SyncKey};
use crate::replica::{Replica, decode_changes, decode_snapshot, open_changes};

/// The fixed key the fuzz seeds are sealed with.
pub fn key() -> SyncKey {
    SyncKey::derive(&[0x42; 32], JournalId([0x17; 16]))
}

/// The device and sequence the fuzz seeds are sealed for.
pub const DEVICE: DeviceId = DeviceId([0x23; 16]);

/// Feeds `data` to one parser, chosen by its first byte: a sealed change object, a sealed
/// snapshot, a change object's payload, a snapshot's payload, a head, a saved replica.
pub fn parse(data: &[u8]) {
    let Some((&which, rest)) = data.split_first() else {
        return;
    };
    let key = key();
    match which % 6 {
        0 => {
            let _ = open_changes(&key, DEVICE, 0, rest);
        }
        1 => {
            let place = Place {
                journal: key.journal(),
                kind: Kind::Snapshot,
                device: DEVICE,
                seq: 0,
            };
            if let Ok(plain) = key.open(place, rest) {
                let _ = decode_snapshot(&plain);
            }
        }
        2 => {
            let _ = decode_changes(DEVICE, rest);
        }
        3 => {
            let _ = decode_snapshot(rest);
        }
        4 => {
            if let Ok(head) = Head::parse(rest) {
                let _ = head.verify(&key);
                // What parses writes back the same.
                assert_eq!(Head::parse(&head.to_bytes()).ok(), Some(head));
            }
        }
        _ => {
            if let Ok(r) = Replica::from_bytes(rest) {
                assert_eq!(Replica::from_bytes(&r.to_bytes()).ok(), Some(r));
            }
        }
    }
}

/// Seeds for the fuzz target: one valid input for each parser, prefixed by its selector.
pub fn seeds() -> Vec<(&'static str, Vec<u8>)> {
    let key = key();
    let mut r = Replica::new(key.journal(), DEVICE);
    r.put(
        "reflection/1",
        b"{\"text\":\"a reflection\"}".to_vec(),
        1_700_000_000_000,
    );
    r.delete("reflection/2", 1_700_000_000_001);
    r.event(
        "commitment/3",
        b"{\"step\":\"kept\"}".to_vec(),
        1_700_000_000_002,
    );
    let changes: Vec<_> = r.pending_changes().to_vec();
    let payload = crate::replica::encode_changes(&changes);
    r.seal_pending(&key);
    let sealed = r.outbox_object(0).unwrap_or_default();
    let snapshot = crate::replica::encode_snapshot(&r);
    let place = Place {
        journal: key.journal(),
        kind: Kind::Snapshot,
        device: DEVICE,
        seq: 0,
    };
    let sealed_snapshot = key.seal(place, &snapshot);
    let head = Head::new(&key, vec![b"age-encryption.org/v1 (an unlocker)".to_vec()]).to_bytes();
    let with = |which: u8, bytes: &[u8]| {
        let mut v = vec![which];
        v.extend_from_slice(bytes);
        v
    };
    vec![
        ("change-object", with(0, &sealed)),
        ("snapshot-object", with(1, &sealed_snapshot)),
        ("change-payload", with(2, &payload)),
        ("snapshot-payload", with(3, &snapshot)),
        ("head.json", with(4, &head)),
        ("replica", with(5, &r.to_bytes())),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_seed_reaches_its_parser_and_parses() {
        let key = key();
        for (name, bytes) in seeds() {
            parse(&bytes);
            let rest = &bytes[1..];
            let ok = match bytes[0] {
                0 => open_changes(&key, DEVICE, 0, rest).is_ok(),
                2 => decode_changes(DEVICE, rest).is_ok(),
                3 => decode_snapshot(rest).is_ok(),
                4 => Head::parse(rest).is_ok_and(|h| h.verify(&key).is_ok()),
                5 => Replica::from_bytes(rest).is_ok(),
                _ => true,
            };
            assert!(ok, "{name} does not parse");
        }
    }
}
