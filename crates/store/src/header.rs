//! Reading an unlocker's age header without decrypting it.
//!
//! The journal's unlockers are untrusted input: anyone who can write the file can add one.
//! Reading the scrypt work factor from the header lets tend try cheap unlockers first, skip
//! one that asks for more work than it allows (so one crafted unlocker cannot keep the
//! others from opening the journal), and name weak ones in `tend check`.

/// The first line of every binary age file.
const MAGIC: &[u8] = b"age-encryption.org/v1";
/// Headers are small; a longer one is not worth reading.
const MAX_HEADER: usize = 8 << 10;

/// What an age header says about how it is opened.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Stanzas {
    /// One scrypt stanza (a passphrase) with this work factor (log2 N).
    Scrypt(u8),
    /// Stanzas of other kinds only (X25519 and others).
    Other,
}

/// Reads the stanzas of a binary age header; `None` when it is not one.
pub(crate) fn read(file: &[u8]) -> Option<Stanzas> {
    let head = &file[..file.len().min(MAX_HEADER)];
    let mut lines = head.split(|b| *b == b'\n');
    if lines.next()? != MAGIC {
        return None;
    }
    let mut scrypt = None;
    let mut stanzas = 0usize;
    for line in lines {
        if line.starts_with(b"---") {
            return match (stanzas, scrypt) {
                (0, _) => None,
                // age allows a scrypt stanza only on its own.
                (1, Some(n)) => Some(Stanzas::Scrypt(n)),
                (_, Some(_)) => None,
                (_, None) => Some(Stanzas::Other),
            };
        }
        let Some(args) = line.strip_prefix(b"-> ") else {
            continue; // a body line of the previous stanza
        };
        stanzas += 1;
        let mut args = args.split(|b| *b == b' ');
        if args.next() == Some(b"scrypt") {
            let _salt = args.next()?;
            let n = std::str::from_utf8(args.next()?).ok()?;
            if args.next().is_some() || n.is_empty() || n.starts_with('0') {
                return None;
            }
            scrypt = Some(n.parse::<u8>().ok()?);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;
    use age::secrecy::SecretString;

    #[test]
    fn reads_what_age_writes() {
        let mut r = age::scrypt::Recipient::new(SecretString::from("p".to_owned()));
        r.set_work_factor(9);
        let file = age::encrypt(&r, &[0u8; 32]).expect("encrypts");
        assert_eq!(read(&file), Some(Stanzas::Scrypt(9)));
        let id = age::x25519::Identity::generate();
        let file = age::encrypt(&id.to_public(), &[0u8; 32]).expect("encrypts");
        assert_eq!(read(&file), Some(Stanzas::Other));
    }

    #[test]
    fn refuses_what_is_not_a_header() {
        assert_eq!(read(b""), None);
        assert_eq!(read(b"age-encryption.org/v1\n--- abc\n"), None);
        assert_eq!(
            read(b"age-encryption.org/v1\n-> scrypt c2FsdA 99999\n"),
            None
        );
        assert_eq!(
            read(b"age-encryption.org/v1\n-> scrypt c2FsdA 018\nAAAA\n--- x\n"),
            None
        );
        assert_eq!(
            read(b"age-encryption.org/v1\n-> scrypt c2FsdA 30\nAAAA\n--- x\n"),
            Some(Stanzas::Scrypt(30))
        );
    }

    proptest::proptest! {
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::num::u8::ANY, 0..512)) {
            let mut file = MAGIC.to_vec();
            file.push(b'\n');
            file.extend_from_slice(&bytes);
            let _ = read(&file);
            let _ = read(&bytes);
        }
    }
}
