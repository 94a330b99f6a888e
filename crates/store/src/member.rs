//! A member's signing key for one retreat: derived from the journal's pseudonym secret and
//! the purpose, so it is the same every time for one purpose and unlinkable across purposes,
//! and never stored.
//!
//! Composition: `seed = HKDF-SHA256(ikm = pseudonym secret, salt = "tend member key v1",
//! info = purpose_key(purpose))`, 32 bytes, used as an Ed25519 secret key (RFC 8032). HKDF
//! with distinct `info` gives independent-looking keys for distinct purposes (RFC 5869), so
//! two public keys of one journal cannot be linked without the secret; the salt separates
//! this use of the secret from the pseudonym HMAC it also keys. A contribution is signed
//! over [`tend_core::contribution::signing_message`] of its exact JSON text, which starts
//! with a context string no other tend signature uses.

use std::collections::BTreeMap;
use std::fmt;

use ed25519_dalek::{Signature, Signer, SigningKey, Verifier, VerifyingKey};
use hkdf::Hkdf;
use redb::ReadableDatabase;
use sha2::Sha256;
use tend_core::contribution::{Contribution, MemberKey, SignedContribution, purpose_key};
use zeroize::Zeroizing;

use crate::journal::PSEUDONYM_SETTING;
use crate::{Error, Journal, Result};

/// The setting that holds, per purpose (by pseudonym), how many contributions were signed.
const COUNTERS_SETTING: &str = "contribution_counters";
const SALT: &[u8] = b"tend member key v1";

/// A member's secret signing key for one purpose. Not `Clone`, zeroed when dropped, and its
/// `Debug` shows only the public key.
pub struct MemberSigningKey(SigningKey);

impl fmt::Debug for MemberSigningKey {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "MemberSigningKey({})", self.public())
    }
}

impl MemberSigningKey {
    /// The key derived from a journal secret and a purpose (see the module's notes).
    pub fn derive(secret: &[u8], purpose: &str) -> Self {
        let hk = Hkdf::<Sha256>::new(Some(SALT), secret);
        let mut seed = Zeroizing::new([0u8; 32]);
        // 32 bytes is far below HKDF-SHA256's limit of 8160, so expand cannot fail.
        let _ = hk.expand(purpose_key(purpose).as_bytes(), seed.as_mut());
        Self(SigningKey::from_bytes(&seed))
    }

    /// The public key, as rosters list it.
    pub fn public(&self) -> MemberKey {
        MemberKey::from_bytes(self.0.verifying_key().to_bytes())
    }

    /// Signs `contribution`, which must carry this key as its signer: returns the file's
    /// content (the signed envelope).
    pub fn sign(&self, contribution: &Contribution) -> Result<SignedContribution> {
        if contribution.signer != self.public() {
            return Err(Error::Damaged(
                "the contribution names another key than the one signing it".into(),
            ));
        }
        let signed = contribution.to_json();
        let message = tend_core::contribution::signing_message(signed.as_bytes());
        let signature = self.0.sign(&message).to_bytes();
        Ok(SignedContribution::new(
            contribution.clone(),
            signed,
            signature,
        ))
    }

    /// Signs a co-facilitated retreat report's bytes (`tend_protocol`'s
    /// `Report::signed_bytes`, which begin with their own context string). Refuses bytes that
    /// begin as a contribution's signing message does, so this can never make a signature
    /// that passes for one over a contribution.
    pub fn sign_report(&self, message: &[u8]) -> Result<[u8; 64]> {
        if !message.starts_with(REPORT_CONTEXT) {
            return Err(Error::Damaged(
                "only a retreat report is signed this way".into(),
            ));
        }
        Ok(self.0.sign(message).to_bytes())
    }
}

/// What every co-facilitated retreat report's signed bytes begin with.
pub const REPORT_CONTEXT: &[u8] = b"tend retreat report v1\0";

/// Whether `signature` is `key`'s good signature over a report's signed bytes (strict, as
/// [`verify`]).
pub fn verify_report(key: &MemberKey, message: &[u8], signature: &[u8]) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(&key.to_bytes()) else {
        return false;
    };
    let Ok(signature) = Signature::from_slice(signature) else {
        return false;
    };
    message.starts_with(REPORT_CONTEXT)
        && key.verify_strict(message, &signature).is_ok()
        && key.verify(message, &signature).is_ok()
}

/// Whether `signed` carries a good signature by the key its contribution names. Strict
/// verification (RFC 8032 with the checks that refuse weak keys and malleable signatures).
pub fn verify(signed: &SignedContribution) -> bool {
    let Ok(key) = VerifyingKey::from_bytes(&signed.contribution.signer.to_bytes()) else {
        return false;
    };
    let signature = Signature::from_bytes(&signed.signature);
    key.verify_strict(&signed.message(), &signature).is_ok()
        && key.verify(&signed.message(), &signature).is_ok()
}

impl Journal {
    /// The member's signing key for `purpose` (compared as `purpose_key` does).
    pub fn member_key(&self, purpose: &str) -> Result<MemberSigningKey> {
        let txn = self.db.begin_read()?;
        let secret = self
            .get_setting(&txn, PSEUDONYM_SETTING)?
            .ok_or(Error::RecordDamaged {
                kind: "pseudonym key",
                id: 0,
            })?;
        Ok(MemberSigningKey::derive(&secret, purpose))
    }

    /// How many contributions this journal has signed for `purpose`.
    pub fn contribution_counter(&self, purpose: &str) -> Result<u64> {
        let counters = self.counters()?;
        Ok(counters
            .get(&self.pseudonym(purpose)?)
            .copied()
            .unwrap_or(0))
    }

    /// Records that a contribution with `counter` was signed for `purpose`; the stored count
    /// only ever grows, so no later contribution reuses a number.
    pub fn record_contribution_counter(&self, purpose: &str, counter: u64) -> Result<()> {
        let mut counters = self.counters()?;
        let slot = counters.entry(self.pseudonym(purpose)?).or_default();
        *slot = (*slot).max(counter);
        let txn = self.begin()?;
        self.put_setting(
            &txn,
            COUNTERS_SETTING,
            &serde_json::to_vec(&counters).unwrap_or_default(),
        )?;
        self.commit(txn)
    }

    fn counters(&self) -> Result<BTreeMap<String, u64>> {
        let txn = self.db.begin_read()?;
        match self.get_setting(&txn, COUNTERS_SETTING)? {
            None => Ok(BTreeMap::new()),
            Some(raw) => serde_json::from_slice(&raw).map_err(|_| Error::RecordDamaged {
                kind: "contribution counters",
                id: 0,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn member_keys_are_stable_per_purpose_and_differ_across_purposes() {
        let secret = [7u8; 32];
        let a = MemberSigningKey::derive(&secret, "Spring retreat 2026");
        let again = MemberSigningKey::derive(&secret, "  spring   RETREAT 2026 ");
        let b = MemberSigningKey::derive(&secret, "Autumn retreat 2026");
        let other = MemberSigningKey::derive(&[8u8; 32], "Spring retreat 2026");
        assert_eq!(a.public(), again.public());
        assert_ne!(a.public(), b.public());
        assert_ne!(a.public(), other.public());
        assert!(!format!("{a:?}").contains("[7"));
    }

    #[test]
    fn report_signatures_hold_only_for_reports_and_their_own_bytes() {
        let key = MemberSigningKey::derive(&[7u8; 32], "Spring retreat 2026");
        let other = MemberSigningKey::derive(&[7u8; 32], "Autumn retreat 2026");
        let message = [REPORT_CONTEXT, b"{\"counter\":1}"].concat();
        let signature = key.sign_report(&message).expect("a report signs");
        assert!(verify_report(&key.public(), &message, &signature));
        assert!(!verify_report(&other.public(), &message, &signature));
        let changed = [REPORT_CONTEXT, b"{\"counter\":2}"].concat();
        assert!(!verify_report(&key.public(), &changed, &signature));
        assert!(!verify_report(&key.public(), &message, &signature[..63]));
        // Never a signature that could pass for one over a contribution.
        let contribution = tend_core::contribution::signing_message(b"{}");
        assert!(key.sign_report(&contribution).is_err());
    }
}
