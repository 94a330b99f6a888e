//! Unlockers: the data key wrapped by age, once per way of opening the journal.
//!
//! An unlocker is an ordinary age encryption of the 32-byte data key, to a passphrase (age's
//! scrypt recipient) or to an X25519 identity. Adding one wraps the current key; removing or
//! changing one rotates to a new key in a new file (see `rewrite`).

use std::io::Read;

use age::secrecy::SecretString;
use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::error::{Error, Result};

/// The scrypt work factor (log2 N) a journal will accept when opening at most; passphrase
/// unlockers asking for more are refused as [`Error::ExcessiveWork`].
pub const MAX_WORK_FACTOR: u8 = 22;

/// A secret offered to open a journal.
pub enum Secret {
    /// A passphrase.
    Passphrase(SecretString),
    /// One or more age X25519 identities (from identity files).
    Identities(Vec<age::x25519::Identity>),
}

impl std::fmt::Debug for Secret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Secret::Passphrase(_) => f.write_str("Secret::Passphrase(redacted)"),
            Secret::Identities(ids) => write!(f, "Secret::Identities({} redacted)", ids.len()),
        }
    }
}

/// A way of opening the journal, to be added.
pub enum NewUnlocker {
    /// A passphrase, with an explicit scrypt work factor (log2 N) or `None` for age's default,
    /// which calibrates to about one second on this machine.
    Passphrase {
        /// The passphrase.
        passphrase: SecretString,
        /// The work factor, or `None` for age's calibrated default.
        work_factor: Option<u8>,
    },
    /// An age X25519 recipient, whose identity file will open the journal.
    Recipient(age::x25519::Recipient),
}

impl std::fmt::Debug for NewUnlocker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            NewUnlocker::Passphrase { work_factor, .. } => {
                write!(f, "NewUnlocker::Passphrase(redacted, {work_factor:?})")
            }
            NewUnlocker::Recipient(r) => write!(f, "NewUnlocker::Recipient({r})"),
        }
    }
}

/// What kind of unlocker.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase")]
pub enum UnlockerKind {
    /// Opens with a passphrase.
    Passphrase,
    /// Opens with the identity file of this recipient.
    Identity {
        /// The `age1…` recipient.
        recipient: String,
    },
}

/// What the journal remembers about an unlocker (kept sealed).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnlockerInfo {
    /// Its id, as `tend key remove ID` takes it.
    #[serde(skip)]
    pub id: u64,
    /// Passphrase or identity.
    #[serde(flatten)]
    pub kind: UnlockerKind,
    /// When it was added.
    pub added: DateTime<Utc>,
}

impl NewUnlocker {
    pub(crate) fn kind(&self) -> UnlockerKind {
        match self {
            NewUnlocker::Passphrase { .. } => UnlockerKind::Passphrase,
            NewUnlocker::Recipient(r) => UnlockerKind::Identity {
                recipient: r.to_string(),
            },
        }
    }

    /// Wraps the data key.
    pub(crate) fn wrap(&self, key: &[u8; 32]) -> Result<Vec<u8>> {
        let wrapped = match self {
            NewUnlocker::Passphrase {
                passphrase,
                work_factor,
            } => {
                let mut r = age::scrypt::Recipient::new(passphrase.clone());
                if let Some(n) = work_factor {
                    r.set_work_factor(*n);
                }
                age::encrypt(&r, key)
            }
            NewUnlocker::Recipient(r) => age::encrypt(r, key),
        };
        wrapped.map_err(|e| Error::Io(std::io::Error::other(e.to_string())))
    }
}

/// What kind of unlocker a wrapped key is, read from the age file alone: a passphrase's, or
/// an identity's whose recipient the file does not name.
pub(crate) fn kind_of_wrapped(wrapped: &[u8]) -> UnlockerKind {
    match age::Decryptor::new(wrapped) {
        Ok(d) if d.is_scrypt() => UnlockerKind::Passphrase,
        _ => UnlockerKind::Identity {
            recipient: "(added on another device)".into(),
        },
    }
}

/// The outcome of trying one secret on one wrapped key.
pub(crate) enum Attempt {
    Opened(Zeroizing<Vec<u8>>),
    Refused,
}

/// Tries to unwrap one wrapped key with the secret.
pub(crate) fn try_unwrap(wrapped: &[u8], secret: &Secret) -> Result<Attempt> {
    let decryptor = match age::Decryptor::new(wrapped) {
        Ok(d) => d,
        Err(_) => {
            return Err(Error::Damaged(
                "an unlocker is not a readable age file".into(),
            ));
        }
    };
    let result = match secret {
        Secret::Passphrase(pass) => {
            if !decryptor.is_scrypt() {
                return Ok(Attempt::Refused);
            }
            let mut id = age::scrypt::Identity::new(pass.clone());
            id.set_max_work_factor(MAX_WORK_FACTOR);
            decryptor.decrypt(std::iter::once(&id as &dyn age::Identity))
        }
        Secret::Identities(ids) => {
            if decryptor.is_scrypt() {
                return Ok(Attempt::Refused);
            }
            decryptor.decrypt(ids.iter().map(|i| i as &dyn age::Identity))
        }
    };
    match result {
        Ok(mut reader) => {
            let mut out = Zeroizing::new(Vec::with_capacity(32));
            reader
                .read_to_end(&mut out)
                .map_err(|_| Error::Damaged("an unlocker's payload is damaged".into()))?;
            Ok(Attempt::Opened(out))
        }
        Err(age::DecryptError::DecryptionFailed | age::DecryptError::NoMatchingKeys) => {
            Ok(Attempt::Refused)
        }
        Err(age::DecryptError::ExcessiveWork { required, .. }) => {
            Err(Error::ExcessiveWork(required))
        }
        Err(age::DecryptError::Io(e)) => Err(e.into()),
        Err(other) => Err(Error::Damaged(format!(
            "an unlocker cannot be read: {other}"
        ))),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_never_show_in_debug_output() {
        let pass = "correct horse battery staple";
        let secret = Secret::Passphrase(SecretString::from(pass.to_owned()));
        assert!(!format!("{secret:?}").contains(pass));
        let new = NewUnlocker::Passphrase {
            passphrase: SecretString::from(pass.to_owned()),
            work_factor: Some(4),
        };
        assert!(!format!("{new:?}").contains(pass));
        let identity = age::x25519::Identity::generate();
        use age::secrecy::ExposeSecret;
        let text = identity.to_string().expose_secret().to_owned();
        let ids = Secret::Identities(vec![identity]);
        assert!(!format!("{ids:?}").contains(&text));
        let key = crate::seal::DataKey::generate([1; 16]);
        let hex: String = key.expose().iter().map(|b| format!("{b:02x}")).collect();
        let shown = format!("{key:?}");
        assert!(!shown.contains(&hex) && shown.contains("redacted"));
    }

    #[test]
    fn a_wrapped_key_opens_only_with_its_secret() {
        let key = [9u8; 32];
        let unlocker = NewUnlocker::Passphrase {
            passphrase: SecretString::from("right".to_owned()),
            work_factor: Some(4),
        };
        let wrapped = unlocker.wrap(&key).expect("wrap");
        assert!(matches!(
            crate::header::read(&wrapped),
            Some(crate::header::Stanzas::Scrypt(4))
        ));
        let right = Secret::Passphrase(SecretString::from("right".to_owned()));
        let wrong = Secret::Passphrase(SecretString::from("wrong".to_owned()));
        assert!(
            matches!(try_unwrap(&wrapped, &right), Ok(Attempt::Opened(k)) if k.as_slice() == key)
        );
        assert!(matches!(try_unwrap(&wrapped, &wrong), Ok(Attempt::Refused)));
        let ids = Secret::Identities(vec![age::x25519::Identity::generate()]);
        assert!(matches!(try_unwrap(&wrapped, &ids), Ok(Attempt::Refused)));
        assert!(matches!(
            try_unwrap(b"not age", &right),
            Err(Error::Damaged(_))
        ));
    }
}
