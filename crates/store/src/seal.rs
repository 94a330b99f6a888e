//! Sealing records with the journal's data key.
//!
//! Every record is encrypted on its own with XChaCha20-Poly1305 under a random 192-bit nonce.
//! The associated data binds it to this journal, its table and its key, so a record cannot
//! be moved to another place (or another journal) without failing to open.

use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use rand::RngCore;
use zeroize::Zeroizing;

/// The first byte of every sealed record: the sealing scheme's version.
pub(crate) const SEAL_VERSION: u8 = 1;
const NONCE_LEN: usize = 24;
/// Bytes a sealed record adds to its plaintext: version, nonce and tag.
pub const OVERHEAD: usize = 1 + NONCE_LEN + 16;

/// The 256-bit key that seals every record of one journal. Never stored unwrapped.
pub(crate) struct DataKey {
    bytes: Zeroizing<[u8; 32]>,
    /// HKDF-SHA256(data key, salt = journal id, info = "tend manifest v1"): the HMAC key
    /// of the manifest's digest, kept apart from the sealing key.
    mac_key: Zeroizing<[u8; 32]>,
    journal_id: [u8; 16],
}

fn derive_mac_key(bytes: &[u8; 32], journal_id: &[u8; 16]) -> Zeroizing<[u8; 32]> {
    let mut out = Zeroizing::new([0u8; 32]);
    hkdf::Hkdf::<sha2::Sha256>::new(Some(journal_id), bytes)
        .expand(b"tend manifest v1", out.as_mut())
        // 32 bytes is far below HKDF-SHA256's limit of 8160.
        .unwrap_or_default();
    out
}

impl std::fmt::Debug for DataKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("DataKey(redacted)")
    }
}

/// A record's place: the table and the record's key bytes.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Place<'a> {
    pub table: &'a str,
    pub key: &'a [u8],
}

impl DataKey {
    /// A fresh random key for a new journal.
    pub(crate) fn generate(journal_id: [u8; 16]) -> Self {
        let mut bytes = Zeroizing::new([0u8; 32]);
        rand::rngs::OsRng.fill_bytes(bytes.as_mut());
        let mac_key = derive_mac_key(&bytes, &journal_id);
        Self {
            bytes,
            mac_key,
            journal_id,
        }
    }

    /// A key from its 32 bytes.
    pub(crate) fn from_array(arr: [u8; 32], journal_id: [u8; 16]) -> Self {
        let bytes = Zeroizing::new(arr);
        let mac_key = derive_mac_key(&bytes, &journal_id);
        Self {
            bytes,
            mac_key,
            journal_id,
        }
    }

    /// A key recovered from an unlocker; `None` unless it is exactly 32 bytes.
    pub(crate) fn from_slice(raw: &[u8], journal_id: [u8; 16]) -> Option<Self> {
        let arr: [u8; 32] = raw.try_into().ok()?;
        let bytes = Zeroizing::new(arr);
        let mac_key = derive_mac_key(&bytes, &journal_id);
        Some(Self {
            bytes,
            mac_key,
            journal_id,
        })
    }

    /// The journal this key seals for (bound into every record's associated data).
    pub(crate) fn journal_id(&self) -> [u8; 16] {
        self.journal_id
    }

    /// The raw bytes, for wrapping by an unlocker (and comparing with an unwrapped one).
    pub(crate) fn expose(&self) -> &[u8; 32] {
        &self.bytes
    }

    /// HMAC-SHA256 under the manifest key of one stored value at `place`: an element of
    /// the manifest's digest (see `manifest`). Every length is bound, so no two different
    /// (place, value) pairs give the same input.
    pub(crate) fn mac(&self, place: Place<'_>, value: &[u8]) -> [u8; 32] {
        use hmac::{Mac, SimpleHmac};
        let mut mac = <SimpleHmac<sha2::Sha256> as Mac>::new_from_slice(self.mac_key.as_ref())
            .expect("HMAC takes a key of any length");
        for part in [place.table.as_bytes(), place.key, value] {
            mac.update(&(part.len() as u64).to_be_bytes());
            mac.update(part);
        }
        mac.finalize().into_bytes().into()
    }

    fn aad(&self, place: Place<'_>) -> Vec<u8> {
        let mut aad = Vec::with_capacity(32 + place.table.len() + place.key.len());
        aad.extend_from_slice(b"tend/record/v1\0");
        aad.extend_from_slice(&self.journal_id);
        aad.extend_from_slice(place.table.as_bytes());
        aad.push(0);
        aad.extend_from_slice(place.key);
        aad
    }

    fn cipher(&self) -> XChaCha20Poly1305 {
        XChaCha20Poly1305::new(chacha20poly1305::Key::from_slice(self.bytes.as_ref()))
    }

    /// Seals `plaintext` for `place`.
    pub(crate) fn seal(&self, place: Place<'_>, plaintext: &[u8]) -> Vec<u8> {
        let mut nonce = [0u8; NONCE_LEN];
        rand::rngs::OsRng.fill_bytes(&mut nonce);
        let aad = self.aad(place);
        let ct = self
            .cipher()
            .encrypt(
                XNonce::from_slice(&nonce),
                Payload {
                    msg: plaintext,
                    aad: &aad,
                },
            )
            // Encryption fails only for messages over 256 GiB.
            .unwrap_or_default();
        let mut out = Vec::with_capacity(OVERHEAD + plaintext.len());
        out.push(SEAL_VERSION);
        out.extend_from_slice(&nonce);
        out.extend_from_slice(&ct);
        out
    }

    /// Opens a sealed record; `None` when it was damaged, moved or sealed by another key.
    pub(crate) fn open(&self, place: Place<'_>, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        if sealed.len() < OVERHEAD || sealed[0] != SEAL_VERSION {
            return None;
        }
        let (nonce, ct) = sealed[1..].split_at(NONCE_LEN);
        let aad = self.aad(place);
        self.cipher()
            .decrypt(XNonce::from_slice(nonce), Payload { msg: ct, aad: &aad })
            .ok()
            .map(Zeroizing::new)
    }

    /// Opens a sealed record where it lies, without allocating: the plaintext is the part of
    /// `sealed` returned. `None` (with `sealed` unchanged or garbled) when it does not open.
    pub(crate) fn open_in_place<'b>(
        &self,
        place: Place<'_>,
        sealed: &'b mut [u8],
    ) -> Option<&'b [u8]> {
        use chacha20poly1305::aead::AeadInPlace;
        if sealed.len() < OVERHEAD || sealed[0] != SEAL_VERSION {
            return None;
        }
        let (head, body) = sealed.split_at_mut(1 + NONCE_LEN);
        let (ct, tag) = body.split_at_mut(body.len() - 16);
        let aad = self.aad(place);
        self.cipher()
            .decrypt_in_place_detached(
                XNonce::from_slice(&head[1..]),
                &aad,
                ct,
                chacha20poly1305::Tag::from_slice(tag),
            )
            .ok()?;
        Some(ct)
    }
}

/// Something outside this process that holds a journal's data key and seals, opens and
/// MACs with it on request: the tend agent. The key never reaches the journal's process.
///
/// Every method answers `None` when the holder cannot be reached any more (the agent was
/// stopped or locked mid-command); the journal then refuses to commit and says so.
pub trait KeyHolder: Send + Sync {
    /// The journal id the held key belongs to.
    fn journal_id(&self) -> [u8; 16];
    /// Seals `plaintext` for the record `key` of `table` (see [`SealingKey::seal`]).
    fn seal(&self, table: &str, key: &[u8], plaintext: &[u8]) -> Option<Vec<u8>>;
    /// Opens each sealed record where it lies, as [`SealingKey::open_in_place`] does: for
    /// each item (record key, sealed bytes) whether it opened; the plaintext of one that
    /// did is `sealed[1 + 24 .. len - 16]`.
    fn open_many(&self, table: &str, items: &mut [(&[u8], &mut [u8])]) -> Option<Vec<bool>>;
    /// The manifest MAC of `value` stored at `key` of `table` (see [`SealingKey::mac`]).
    fn mac(&self, table: &str, key: &[u8], value: &[u8]) -> Option<[u8; 32]>;
    /// The manifest MACs of many values (key, value) of one table, in order. A holder that
    /// can do them in one request should; by default, one at a time.
    fn mac_many(&self, table: &str, items: &[(&[u8], &[u8])]) -> Option<Vec<[u8; 32]>> {
        items
            .iter()
            .map(|(key, value)| self.mac(table, key, value))
            .collect()
    }
}

/// Where the plaintext of a record opened in place lies within its sealed bytes.
pub const PLAINTEXT_START: usize = 1 + NONCE_LEN;

/// One journal's data key, for a key holder (the agent) to seal and open with. Made only
/// from an unlocked [`crate::Journal`] or from the bytes one handed over.
pub struct SealingKey(DataKey);

impl std::fmt::Debug for SealingKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("SealingKey(redacted)")
    }
}

impl SealingKey {
    /// The key from its 32 bytes and the journal id it seals for.
    pub fn from_bytes(bytes: &[u8; 32], journal_id: [u8; 16]) -> Self {
        Self(DataKey::from_array(*bytes, journal_id))
    }

    /// The raw key, to hand to an agent over a checked channel. Keep it in a zeroizing
    /// buffer and drop it at once.
    pub fn expose_bytes(&self) -> &[u8; 32] {
        self.0.expose()
    }

    /// The journal this key seals for.
    pub fn journal_id(&self) -> [u8; 16] {
        self.0.journal_id()
    }

    /// Seals `plaintext` for the record `key` of `table`.
    pub fn seal(&self, table: &str, key: &[u8], plaintext: &[u8]) -> Vec<u8> {
        self.0.seal(Place { table, key }, plaintext)
    }

    /// Opens a sealed record in place; whether it opened (the plaintext then lies at
    /// [`PLAINTEXT_START`]`..len - 16`).
    pub fn open_in_place(&self, table: &str, key: &[u8], sealed: &mut [u8]) -> bool {
        self.0.open_in_place(Place { table, key }, sealed).is_some()
    }

    /// The manifest MAC of `value` at `key` of `table`.
    pub fn mac(&self, table: &str, key: &[u8], value: &[u8]) -> [u8; 32] {
        self.0.mac(Place { table, key }, value)
    }
}

/// The data key as a journal uses it: held here, or by an agent that seals and opens for
/// this process. Every operation of the journal on its key goes through here.
pub(crate) enum Key {
    Local(DataKey),
    Held {
        holder: Box<dyn KeyHolder>,
        /// Set when the holder stopped answering: later results are not to be trusted,
        /// and nothing is committed.
        lost: std::sync::atomic::AtomicBool,
    },
}

impl std::fmt::Debug for Key {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Key::Local(_) => f.write_str("Key::Local(redacted)"),
            Key::Held { .. } => f.write_str("Key::Held"),
        }
    }
}

impl Key {
    pub(crate) fn held(holder: Box<dyn KeyHolder>) -> Self {
        Key::Held {
            holder,
            lost: std::sync::atomic::AtomicBool::new(false),
        }
    }

    fn lose<T>(&self, result: Option<T>) -> Option<T> {
        if let (None, Key::Held { lost, .. }) = (&result, self) {
            lost.store(true, std::sync::atomic::Ordering::SeqCst);
        }
        result
    }

    /// Whether an agent holding the key stopped answering during this session.
    pub(crate) fn is_lost(&self) -> bool {
        match self {
            Key::Local(_) => false,
            Key::Held { lost, .. } => lost.load(std::sync::atomic::Ordering::SeqCst),
        }
    }

    /// Whether the key is held by an agent.
    pub(crate) fn is_held(&self) -> bool {
        matches!(self, Key::Held { .. })
    }

    pub(crate) fn journal_id(&self) -> [u8; 16] {
        match self {
            Key::Local(k) => k.journal_id(),
            Key::Held { holder, .. } => holder.journal_id(),
        }
    }

    /// The key itself, held here; `None` when an agent holds it.
    pub(crate) fn local(&self) -> Option<&DataKey> {
        match self {
            Key::Local(k) => Some(k),
            Key::Held { .. } => None,
        }
    }

    pub(crate) fn seal(&self, place: Place<'_>, plaintext: &[u8]) -> Vec<u8> {
        match self {
            Key::Local(k) => k.seal(place, plaintext),
            Key::Held { holder, .. } => self
                .lose(holder.seal(place.table, place.key, plaintext))
                .unwrap_or_default(),
        }
    }

    pub(crate) fn open(&self, place: Place<'_>, sealed: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
        match self {
            Key::Local(k) => k.open(place, sealed),
            Key::Held { .. } => {
                let mut copy = Zeroizing::new(sealed.to_vec());
                let plain = self.open_in_place(place, copy.as_mut_slice())?;
                Some(Zeroizing::new(plain.to_vec()))
            }
        }
    }

    pub(crate) fn open_in_place<'b>(
        &self,
        place: Place<'_>,
        sealed: &'b mut [u8],
    ) -> Option<&'b [u8]> {
        match self {
            Key::Local(k) => k.open_in_place(place, sealed),
            Key::Held { holder, .. } => {
                if sealed.len() < OVERHEAD {
                    return None;
                }
                let opened =
                    self.lose(holder.open_many(place.table, &mut [(place.key, &mut *sealed)]))?;
                if opened.first() == Some(&true) {
                    let end = sealed.len() - 16;
                    Some(&sealed[PLAINTEXT_START..end])
                } else {
                    None
                }
            }
        }
    }

    /// Opens many records of one table in place, in one request when an agent holds the key:
    /// for each, whether it opened (its plaintext then lies at `PLAINTEXT_START..len - 16`).
    pub(crate) fn open_many(&self, table: &str, items: &mut [(&[u8], &mut [u8])]) -> Vec<bool> {
        match self {
            Key::Local(k) => items
                .iter_mut()
                .map(|(key, sealed)| k.open_in_place(Place { table, key }, sealed).is_some())
                .collect(),
            Key::Held { holder, .. } => self
                .lose(holder.open_many(table, items))
                .filter(|v| v.len() == items.len())
                .unwrap_or_else(|| vec![false; items.len()]),
        }
    }

    /// The MACs of many values of one table, in one request when an agent holds the key.
    pub(crate) fn mac_many(&self, table: &str, items: &[(&[u8], &[u8])]) -> Vec<[u8; 32]> {
        match self {
            Key::Local(k) => items
                .iter()
                .map(|(key, value)| k.mac(Place { table, key }, value))
                .collect(),
            Key::Held { holder, .. } => self
                .lose(
                    holder
                        .mac_many(table, items)
                        .filter(|v| v.len() == items.len()),
                )
                .unwrap_or_else(|| vec![[0u8; 32]; items.len()]),
        }
    }

    pub(crate) fn mac(&self, place: Place<'_>, value: &[u8]) -> [u8; 32] {
        match self {
            Key::Local(k) => k.mac(place, value),
            Key::Held { holder, .. } => self
                .lose(holder.mac(place.table, place.key, value))
                .unwrap_or_default(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key() -> DataKey {
        DataKey::generate([7; 16])
    }

    #[test]
    fn bound_to_place_and_journal() {
        let k = key();
        let here = Place {
            table: "reflections",
            key: &1u64.to_be_bytes(),
        };
        let there = Place {
            table: "reflections",
            key: &2u64.to_be_bytes(),
        };
        let other_table = Place {
            table: "repairs",
            key: &1u64.to_be_bytes(),
        };
        let sealed = k.seal(here, b"private words");
        assert_eq!(
            k.open(here, &sealed).as_deref().map(Vec::as_slice),
            Some(&b"private words"[..])
        );
        assert!(k.open(there, &sealed).is_none());
        assert!(k.open(other_table, &sealed).is_none());
        let same_bytes_other_journal = DataKey::from_slice(k.expose(), [8; 16]).expect("32 bytes");
        assert!(same_bytes_other_journal.open(here, &sealed).is_none());
        assert!(k.open(here, &sealed[..sealed.len() - 1]).is_none());
        assert!(k.open(here, &[]).is_none());
    }

    proptest::proptest! {
        #[test]
        fn round_trip_and_tamper(data in proptest::collection::vec(proptest::num::u8::ANY, 0..2048),
                                 flip in 0usize..4096) {
            let k = key();
            let place = Place { table: "t", key: b"k" };
            let sealed = k.seal(place, &data);
            proptest::prop_assert_eq!(sealed.len(), data.len() + OVERHEAD);
            let opened = k.open(place, &sealed).expect("opens");
            proptest::prop_assert_eq!(opened.as_slice(), data.as_slice());
            let mut in_place = sealed.clone();
            proptest::prop_assert_eq!(k.open_in_place(place, &mut in_place), Some(data.as_slice()));
            let mut bad = sealed.clone();
            let i = flip % bad.len();
            bad[i] ^= 0x01;
            proptest::prop_assert!(k.open(place, &bad).is_none());
            proptest::prop_assert!(k.open_in_place(place, &mut bad).is_none());
        }
    }
}
