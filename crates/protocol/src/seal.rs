//! The age layers inside the protocol's files: a leader's input share and every excerpt
//! slot are sealed to the leader by the member, so the helper carries them unread.
//!
//! Whole files are sealed by the caller (tend-store's bundles); these inner layers are
//! plain binary age, to X25519 recipients only.

use std::io::{Read, Write};

use age::x25519::{Identity, Recipient};

use crate::ProtocolError;

/// Seals `plaintext` to `recipients`.
pub fn seal(recipients: &[Recipient], plaintext: &[u8]) -> Result<Vec<u8>, ProtocolError> {
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| ProtocolError::Seal(format!("could not seal: {e}")))?;
    let mut out = Vec::new();
    let mut writer = encryptor
        .wrap_output(&mut out)
        .map_err(|e| ProtocolError::Seal(format!("could not seal: {e}")))?;
    writer
        .write_all(plaintext)
        .and_then(|()| writer.finish().map(|_| ()))
        .map_err(|e| ProtocolError::Seal(format!("could not seal: {e}")))?;
    Ok(out)
}

/// Opens a layer sealed to one of `identities`.
pub fn open(ciphertext: &[u8], identities: &[Identity]) -> Result<Vec<u8>, ProtocolError> {
    let refused = |e: age::DecryptError| match e {
        age::DecryptError::NoMatchingKeys => ProtocolError::Seal(
            "a part sealed to the leader does not open with this identity: it was sealed for \
             another leader"
                .into(),
        ),
        _ => ProtocolError::Seal("a sealed part is damaged or was changed".into()),
    };
    let decryptor = age::Decryptor::new_buffered(ciphertext).map_err(refused)?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(refused)?;
    let mut plain = Vec::new();
    reader
        .read_to_end(&mut plain)
        .map_err(|_| ProtocolError::Seal("a sealed part is damaged or was changed".into()))?;
    Ok(plain)
}
