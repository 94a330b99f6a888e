//! Sealed objects: the only bytes sync ever hands to a remote.
//!
//! An object is `TSYN`, a format byte, a kind byte, a 24-byte random nonce and the
//! XChaCha20-Poly1305 ciphertext of the padded payload. The associated data binds it to its
//! place — journal id, kind, writing device and that device's sequence number — none of
//! which is written into the object: the reader knows them from the object's name and its
//! own journal, so an object moved to another name, another device's folder or another
//! journal's remote does not open. The payload is padded (a length, the bytes, zeros) so
//! the object's size is one of a few buckets: 1 KiB, 2 KiB, 4 KiB, … 1 MiB, then whole MiBs.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::error::ObjectError;
use crate::ids::{DeviceId, JournalId};

const MAGIC: &[u8; 4] = b"TSYN";
const FORMAT: u8 = 1;
const NONCE_LEN: usize = 24;
const TAG_LEN: usize = 16;
const HEADER_LEN: usize = MAGIC.len() + 2 + NONCE_LEN;
/// Bytes an object adds around its payload before padding: header, length and tag.
pub const OVERHEAD: usize = HEADER_LEN + 4 + TAG_LEN;
/// The smallest object.
pub const MIN_BUCKET: usize = 1024;
/// Objects above this size grow in steps of this size rather than doubling.
pub const STEP_BUCKET: usize = 1 << 20;
/// No object sync reads may be larger (a remote cannot make a device allocate without end).
pub const MAX_OBJECT: usize = 64 << 20;

/// What an object holds.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Kind {
    /// A batch of changes from one device's log.
    Changes,
    /// The whole merged journal as one device saw it, for a new device to start from.
    Snapshot,
    /// The remote's head: proof that its unlockers belong to this journal.
    Head,
}

impl Kind {
    fn byte(self) -> u8 {
        match self {
            Kind::Changes => 1,
            Kind::Snapshot => 2,
            Kind::Head => 3,
        }
    }
}

/// Where an object belongs; bound into its associated data.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub struct Place {
    /// The journal it belongs to.
    pub journal: JournalId,
    /// What it holds.
    pub kind: Kind,
    /// The device that wrote it.
    pub device: DeviceId,
    /// Its place in that device's sequence.
    pub seq: u64,
}

impl Place {
    fn aad(&self) -> [u8; 15 + 16 + 1 + 16 + 8] {
        let mut aad = [0u8; 15 + 16 + 1 + 16 + 8];
        aad[..15].copy_from_slice(b"tend/sync/v1\0\0\0");
        aad[15..31].copy_from_slice(&self.journal.0);
        aad[31] = self.kind.byte();
        aad[32..48].copy_from_slice(&self.device.0);
        aad[48..].copy_from_slice(&self.seq.to_be_bytes());
        aad
    }
}

/// The key objects are sealed with: HKDF-SHA256 of the journal's data key, salted with the
/// journal id, for "tend sync v1" — never the data key itself, so no object can be mistaken
/// for a record of the local journal or the other way round.
pub struct SyncKey {
    key: Zeroizing<[u8; 32]>,
    journal: JournalId,
}

impl std::fmt::Debug for SyncKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "SyncKey(redacted, journal {})", self.journal)
    }
}

impl SyncKey {
    /// Derives the sync key from a journal's data key.
    pub fn derive(data_key: &[u8; 32], journal: JournalId) -> Self {
        let mut key = Zeroizing::new([0u8; 32]);
        hkdf::Hkdf::<sha2::Sha256>::new(Some(&journal.0), data_key)
            .expand(b"tend sync v1", key.as_mut())
            // 32 bytes is far below HKDF-SHA256's limit.
            .unwrap_or_default();
        SyncKey { key, journal }
    }

    /// Takes a key the store already derived (see [`SyncKey::derive`]).
    pub fn from_derived(key: Zeroizing<[u8; 32]>, journal: JournalId) -> Self {
        SyncKey { key, journal }
    }

    /// The journal this key seals for.
    pub fn journal(&self) -> JournalId {
        self.journal
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(self.key.as_ref()))
    }

    /// Seals `payload` for `place`, padded to its size bucket.
    pub fn seal(&self, place: Place, payload: &[u8]) -> Vec<u8> {
        let total = bucket(payload.len() + OVERHEAD);
        let mut plain = Zeroizing::new(Vec::with_capacity(total - HEADER_LEN - TAG_LEN));
        plain.extend_from_slice(&(payload.len() as u32).to_be_bytes());
        plain.extend_from_slice(payload);
        plain.resize(total - HEADER_LEN - TAG_LEN, 0);
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = Place {
            journal: self.journal,
            ..place
        }
        .aad();
        let ct = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: &plain,
                    aad: &aad,
                },
            )
            // Encryption fails only for messages over 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(total);
        out.extend_from_slice(MAGIC);
        out.push(FORMAT);
        out.push(place.kind.byte());
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens an object read from `place`'s name. Every way it can be wrong is an error:
    /// not an object, a newer format, another kind, damaged, moved, or sealed for another
    /// journal (or under another key).
    pub fn open(&self, place: Place, bytes: &[u8]) -> Result<Zeroizing<Vec<u8>>, ObjectError> {
        if bytes.len() > MAX_OBJECT {
            return Err(ObjectError::TooLarge(bytes.len()));
        }
        if bytes.len() < OVERHEAD || &bytes[..4] != MAGIC {
            return Err(ObjectError::NotAnObject);
        }
        if bytes[4] != FORMAT {
            return Err(ObjectError::NewerFormat(bytes[4]));
        }
        if bytes[5] != place.kind.byte() {
            return Err(ObjectError::WrongKind);
        }
        if place.journal != self.journal {
            return Err(ObjectError::DoesNotOpen);
        }
        let nonce = &bytes[6..HEADER_LEN];
        let aad = place.aad();
        let plain = self
            .cipher()
            .decrypt(
                XNonce::from_slice(nonce),
                Payload {
                    msg: &bytes[HEADER_LEN..],
                    aad: &aad,
                },
            )
            .map(Zeroizing::new)
            .map_err(|_| ObjectError::DoesNotOpen)?;
        unpad(plain)
    }
}

fn unpad(plain: Zeroizing<Vec<u8>>) -> Result<Zeroizing<Vec<u8>>, ObjectError> {
    if plain.len() < 4 {
        return Err(ObjectError::BadPadding);
    }
    let len = u32::from_be_bytes([plain[0], plain[1], plain[2], plain[3]]) as usize;
    let body = &plain[4..];
    if len > body.len() || body[len..].iter().any(|&b| b != 0) {
        return Err(ObjectError::BadPadding);
    }
    Ok(Zeroizing::new(body[..len].to_vec()))
}

/// The size an object of `len` bytes is padded to.
pub fn bucket(len: usize) -> usize {
    if len <= MIN_BUCKET {
        MIN_BUCKET
    } else if len <= STEP_BUCKET {
        len.next_power_of_two()
    } else {
        len.div_ceil(STEP_BUCKET) * STEP_BUCKET
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn key(j: u8) -> SyncKey {
        SyncKey::derive(&[7u8; 32], JournalId([j; 16]))
    }

    fn place(j: u8, device: u8, seq: u64) -> Place {
        Place {
            journal: JournalId([j; 16]),
            kind: Kind::Changes,
            device: DeviceId([device; 16]),
            seq,
        }
    }

    #[test]
    fn sizes_fall_into_buckets() {
        assert_eq!(bucket(1), 1024);
        assert_eq!(bucket(1025), 2048);
        assert_eq!(bucket(STEP_BUCKET), STEP_BUCKET);
        assert_eq!(bucket(STEP_BUCKET + 1), 2 * STEP_BUCKET);
        for len in [0usize, 1, 900, 3000, 70_000] {
            let sealed = key(1).seal(place(1, 1, 1), &vec![9u8; len]);
            assert_eq!(sealed.len(), bucket(len + OVERHEAD));
        }
    }

    #[test]
    fn moved_or_foreign_objects_do_not_open() {
        let k = key(1);
        let sealed = k.seal(place(1, 1, 5), b"hello");
        assert_eq!(&*k.open(place(1, 1, 5), &sealed).expect("opens"), b"hello");
        // Another sequence number (replay in place of another), another device, another journal.
        assert_eq!(
            k.open(place(1, 1, 6), &sealed),
            Err(ObjectError::DoesNotOpen)
        );
        assert_eq!(
            k.open(place(1, 2, 5), &sealed),
            Err(ObjectError::DoesNotOpen)
        );
        assert_eq!(
            key(2).open(place(2, 1, 5), &sealed),
            Err(ObjectError::DoesNotOpen)
        );
        let snap = Place {
            kind: Kind::Snapshot,
            ..place(1, 1, 5)
        };
        assert_eq!(k.open(snap, &sealed), Err(ObjectError::WrongKind));
        // Another key for the same journal id (a journal whose key was rotated).
        let other = SyncKey::derive(&[8u8; 32], JournalId([1; 16]));
        assert_eq!(
            other.open(place(1, 1, 5), &sealed),
            Err(ObjectError::DoesNotOpen)
        );
        // Truncated.
        assert!(k.open(place(1, 1, 5), &sealed[..sealed.len() - 1]).is_err());
        assert_eq!(
            k.open(place(1, 1, 5), &sealed[..10]),
            Err(ObjectError::NotAnObject)
        );
    }

    proptest! {
        #[test]
        fn seal_open_round_trips(payload in proptest::collection::vec(any::<u8>(), 0..5000), seq in any::<u64>()) {
            let k = key(3);
            let sealed = k.seal(place(3, 4, seq), &payload);
            prop_assert_eq!(&*k.open(place(3, 4, seq), &sealed).expect("opens"), &payload);
        }

        #[test]
        fn any_flipped_byte_is_refused(payload in proptest::collection::vec(any::<u8>(), 0..300), at in any::<prop::sample::Index>(), bit in 0u8..8) {
            let k = key(3);
            let mut sealed = k.seal(place(3, 4, 1), &payload);
            let i = at.index(sealed.len());
            sealed[i] ^= 1 << bit;
            prop_assert!(k.open(place(3, 4, 1), &sealed).is_err());
        }
    }
}
