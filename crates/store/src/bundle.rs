//! Contribution bundles: ordinary age files, so a facilitator can open them with tend or with
//! the reference `age` tool.
//!
//! A member seals a contribution (or a revocation) to the facilitator's X25519 recipients;
//! the facilitator opens it with their identity. Opening tells apart the troubles that need
//! different advice: a file sealed for someone else, a damaged or altered file, and a file
//! that is not an age file at all.

use std::io::{Read, Write};

use age::DecryptError;
use age::armor::{ArmoredReader, ArmoredWriter, Format};
use age::secrecy::SecretString;
use age::x25519::{Identity, Recipient};
use chrono::{DateTime, SecondsFormat, Utc};
use tend_core::retreat::LeaveReason;

/// The first bytes of a binary age file.
const BINARY_MAGIC: &[u8] = b"age-encryption.org/";
/// The first line of an armored age file.
const ARMOR_MAGIC: &[u8] = b"-----BEGIN AGE ENCRYPTED FILE-----";

/// A bundle that could not be sealed or opened, or a key that could not be read.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum BundleError {
    /// A recipient is not an X25519 age recipient.
    #[error(
        "{}{found:?} is not an age recipient: tend seals to X25519 recipients, which start with age1 ({reason})",
        line.map(|l| format!("line {l}: ")).unwrap_or_default()
    )]
    BadRecipient {
        /// The line in a recipients file, if it came from one.
        line: Option<usize>,
        /// What was there, shortened.
        found: String,
        /// What is wrong with it.
        reason: &'static str,
    },
    /// No recipient was given.
    #[error("no recipients: name at least one age1… recipient (the facilitator's)")]
    NoRecipients,
    /// A line of an identity file is not an X25519 identity. The line is not repeated: it
    /// may be secret.
    #[error("line {line} of the identity file is not an age identity (AGE-SECRET-KEY-1…)")]
    BadIdentity {
        /// The line, 1-based.
        line: usize,
    },
    /// An identity file holds no identity.
    #[error("the identity file holds no identity (no AGE-SECRET-KEY-1… line)")]
    NoIdentities,
    /// None of the identities can open the file: it was sealed for someone else.
    #[error(
        "this file was not sealed for any of the identities given; it may be meant for another facilitator"
    )]
    NotForThisKey,
    /// The file is an age file, but damaged, cut short or changed after it was sealed.
    #[error("this file is damaged or was changed after it was sealed; ask for a fresh copy")]
    Damaged,
    /// An age file of a newer kind than this tend reads.
    #[error("this is an age file of a newer kind than this tend reads; update tend")]
    NewerAge,
    /// Not an age file at all.
    #[error("this is not an age file")]
    NotAge,
    /// Sealing failed.
    #[error("could not seal the file: {0}")]
    Seal(String),
    /// Reading or writing failed.
    #[error(transparent)]
    Io(#[from] std::io::Error),
}

impl BundleError {
    /// Why a retreat build leaves a file with this error out.
    pub fn leave_reason(&self) -> LeaveReason {
        match self {
            Self::NotForThisKey => LeaveReason::WrongRecipient,
            Self::Damaged => LeaveReason::Tampered,
            Self::NotAge => LeaveReason::NotAContribution,
            Self::NewerAge => LeaveReason::NewerFormat,
            _ => LeaveReason::Unreadable,
        }
    }
}

impl From<&BundleError> for LeaveReason {
    fn from(e: &BundleError) -> Self {
        e.leave_reason()
    }
}

fn shorten(s: &str) -> String {
    if s.chars().count() <= 24 {
        s.to_owned()
    } else {
        format!("{}…", s.chars().take(23).collect::<String>())
    }
}

/// Reads one X25519 recipient (`age1…`), surrounding spaces ignored.
pub fn parse_recipient(s: &str) -> Result<Recipient, BundleError> {
    recipient_at(s.trim(), None)
}

fn recipient_at(s: &str, line: Option<usize>) -> Result<Recipient, BundleError> {
    s.parse::<Recipient>()
        .map_err(|reason| BundleError::BadRecipient {
            line,
            found: shorten(s),
            reason,
        })
}

/// Reads a recipients file the way `age -R` does: one recipient a line, blank lines and
/// lines starting with `#` ignored. An error names its line.
pub fn parse_recipients(text: &str) -> Result<Vec<Recipient>, BundleError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line_text = line.trim();
        if line_text.is_empty() || line_text.starts_with('#') {
            continue;
        }
        out.push(recipient_at(line_text, Some(i + 1))?);
    }
    if out.is_empty() {
        return Err(BundleError::NoRecipients);
    }
    Ok(out)
}

/// Seals `plaintext` to every recipient, as binary age or, with `armor`, as ASCII armor.
pub fn seal(
    plaintext: &[u8],
    recipients: &[Recipient],
    armor: bool,
) -> Result<Vec<u8>, BundleError> {
    if recipients.is_empty() {
        return Err(BundleError::NoRecipients);
    }
    let encryptor =
        age::Encryptor::with_recipients(recipients.iter().map(|r| r as &dyn age::Recipient))
            .map_err(|e| BundleError::Seal(e.to_string()))?;
    let format = if armor {
        Format::AsciiArmor
    } else {
        Format::Binary
    };
    let mut out = Vec::new();
    let armored = ArmoredWriter::wrap_output(&mut out, format)?;
    let mut writer = encryptor.wrap_output(armored)?;
    writer.write_all(plaintext)?;
    writer.finish()?.finish()?;
    Ok(out)
}

/// Opens an age file (binary or armored) with any of `identities`.
pub fn open(ciphertext: &[u8], identities: &[Identity]) -> Result<Vec<u8>, BundleError> {
    let start = ciphertext.trim_ascii_start();
    let looks_like_age = start.starts_with(BINARY_MAGIC) || start.starts_with(ARMOR_MAGIC);
    let classify = |e: DecryptError| match e {
        DecryptError::NoMatchingKeys | DecryptError::ExcessiveWork { .. } => {
            BundleError::NotForThisKey
        }
        _ if !looks_like_age => BundleError::NotAge,
        DecryptError::UnknownFormat => BundleError::NewerAge,
        _ => BundleError::Damaged,
    };
    let decryptor =
        age::Decryptor::new_buffered(ArmoredReader::new(ciphertext)).map_err(classify)?;
    let mut reader = decryptor
        .decrypt(identities.iter().map(|i| i as &dyn age::Identity))
        .map_err(classify)?;
    let mut plaintext = Vec::new();
    reader
        .read_to_end(&mut plaintext)
        .map_err(|_| BundleError::Damaged)?;
    Ok(plaintext)
}

/// A new X25519 identity (`AGE-SECRET-KEY-1…`, kept secret) and its recipient (`age1…`).
pub fn generate_identity() -> (SecretString, String) {
    let identity = Identity::generate();
    let recipient = identity.to_public().to_string();
    (identity.to_string(), recipient)
}

/// The text of an identity file as `age-keygen` writes it, so the reference tool reads it.
pub fn identity_file_text(
    identity: &SecretString,
    recipient: &str,
    created: DateTime<Utc>,
) -> SecretString {
    use age::secrecy::ExposeSecret;
    SecretString::from(format!(
        "# created: {}\n# public key: {recipient}\n{}\n",
        created.to_rfc3339_opts(SecondsFormat::Secs, true),
        identity.expose_secret()
    ))
}

/// Reads the identities of an `age-keygen` file: comment lines (`#`) and blank lines
/// ignored, every other line an `AGE-SECRET-KEY-1…`. An error names its line, never its text.
pub fn read_identities(text: &str) -> Result<Vec<Identity>, BundleError> {
    let mut out = Vec::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let identity = line
            .parse::<Identity>()
            .map_err(|_| BundleError::BadIdentity { line: i + 1 })?;
        out.push(identity);
    }
    if out.is_empty() {
        return Err(BundleError::NoIdentities);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use age::secrecy::ExposeSecret;
    use proptest::prelude::*;

    use super::*;

    fn keypair() -> (Identity, Recipient) {
        let (secret, public) = generate_identity();
        let identity = read_identities(secret.expose_secret())
            .expect("a fresh identity reads")
            .remove(0);
        (
            identity,
            parse_recipient(&public).expect("a fresh recipient reads"),
        )
    }

    const DOC: &[u8] = br#"{"format":"tend-contribution","version":1}"#;

    #[test]
    fn bundle_round_trips_binary_and_armored() {
        let (id, to) = keypair();
        let binary = seal(DOC, std::slice::from_ref(&to), false).expect("seals");
        assert!(binary.starts_with(BINARY_MAGIC));
        assert_eq!(
            open(&binary, std::slice::from_ref(&id)).expect("opens"),
            DOC
        );
        let armored = seal(DOC, std::slice::from_ref(&to), true).expect("seals");
        assert!(armored.starts_with(ARMOR_MAGIC));
        assert!(std::str::from_utf8(&armored).is_ok());
        assert_eq!(open(&armored, &[id]).expect("opens"), DOC);
    }

    #[test]
    fn bundle_for_several_recipients_opens_for_each() {
        let (a, to_a) = keypair();
        let (b, to_b) = keypair();
        let sealed = seal(DOC, &[to_a, to_b], false).expect("seals");
        assert_eq!(open(&sealed, &[a]).expect("a opens"), DOC);
        assert_eq!(open(&sealed, &[b]).expect("b opens"), DOC);
    }

    #[test]
    fn bundle_for_someone_else_is_not_for_this_key() {
        let (_, to) = keypair();
        let (other, _) = keypair();
        for armor in [false, true] {
            let sealed = seal(DOC, std::slice::from_ref(&to), armor).expect("seals");
            let err = open(&sealed, std::slice::from_ref(&other)).expect_err("wrong key");
            assert!(matches!(err, BundleError::NotForThisKey), "{err:?}");
            assert_eq!(err.leave_reason(), LeaveReason::WrongRecipient);
        }
    }

    #[test]
    fn bundle_with_a_flipped_byte_is_damaged() {
        let (id, to) = keypair();
        let sealed = seal(DOC, &[to], false).expect("seals");
        let last = sealed.len() - 1;
        for at in [last, last - 20, 30, 60] {
            let mut changed = sealed.clone();
            changed[at] ^= 0x01;
            let err = open(&changed, std::slice::from_ref(&id)).expect_err("damaged");
            assert!(
                matches!(err, BundleError::Damaged | BundleError::NotForThisKey),
                "byte {at}: {err:?}"
            );
        }
        let mut payload = sealed.clone();
        payload[last] ^= 0x01;
        let err = open(&payload, std::slice::from_ref(&id)).expect_err("damaged");
        assert!(matches!(err, BundleError::Damaged), "{err:?}");
        assert_eq!(err.leave_reason(), LeaveReason::Tampered);
        let cut = &sealed[..sealed.len() - 5];
        assert!(matches!(
            open(cut, std::slice::from_ref(&id)),
            Err(BundleError::Damaged)
        ));
        let header_only = &sealed[..40];
        assert!(matches!(
            open(header_only, &[id]),
            Err(BundleError::Damaged)
        ));
    }

    #[test]
    fn bundle_of_something_else_is_not_age() {
        let (id, _) = keypair();
        for junk in [
            &b""[..],
            b"\x00\x01\x02 random bytes",
            DOC,
            b"-----BEGIN PGP MESSAGE-----\n",
        ] {
            let err = open(junk, std::slice::from_ref(&id)).expect_err("not age");
            assert!(matches!(err, BundleError::NotAge), "{junk:?}: {err:?}");
            assert_eq!(err.leave_reason(), LeaveReason::NotAContribution);
        }
    }

    #[test]
    fn bundle_recipients_files_read_like_age_dash_r() {
        let (_, a) = keypair();
        let (_, b) = keypair();
        let text = format!("# the facilitators\n\n{a}\n   {b}  \r\n# done\n");
        assert_eq!(parse_recipients(&text).expect("reads"), vec![a.clone(), b]);
        let err = parse_recipients(&format!("{a}\n\nage1nope\n")).expect_err("bad line");
        assert!(matches!(
            err,
            BundleError::BadRecipient { line: Some(3), .. }
        ));
        assert!(err.to_string().starts_with("line 3: \"age1nope\""), "{err}");
        assert!(matches!(
            parse_recipients("# nobody\n"),
            Err(BundleError::NoRecipients)
        ));
        assert!(matches!(
            seal(DOC, &[], false),
            Err(BundleError::NoRecipients)
        ));
        assert!(parse_recipient(" ssh-ed25519 AAAA ").is_err());
    }

    #[test]
    fn bundle_identity_files_read_like_age_keygen() {
        let (secret, public) = generate_identity();
        let created = chrono::DateTime::from_timestamp(1_780_000_000, 0).expect("a time");
        let file = identity_file_text(&secret, &public, created);
        assert!(file.expose_secret().starts_with("# created: 2026-"));
        assert!(
            file.expose_secret()
                .contains(&format!("# public key: {public}\n"))
        );
        let ids = read_identities(file.expose_secret()).expect("reads");
        assert_eq!(ids[0].to_public().to_string(), public);

        let Err(err) = read_identities("# c\nAGE-SECRET-KEY-1NOTREALLY\n") else {
            panic!("a bad line is refused");
        };
        assert!(matches!(err, BundleError::BadIdentity { line: 2 }));
        assert!(
            !err.to_string().contains("NOTREALLY"),
            "never echoes a key line"
        );
        assert!(matches!(
            read_identities("# empty\n"),
            Err(BundleError::NoIdentities)
        ));
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(32))]

        #[test]
        fn bundle_seal_open_round_trip(plaintext in proptest::collection::vec(any::<u8>(), 0..70_000), armor in any::<bool>()) {
            let (id, to) = keypair();
            let sealed = seal(&plaintext, &[to], armor).expect("seals");
            prop_assert_eq!(open(&sealed, &[id]).expect("opens"), plaintext);
        }

        #[test]
        fn bundle_open_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), prefix in 0usize..3) {
            let (id, _) = keypair();
            let mut input = match prefix {
                0 => Vec::new(),
                1 => BINARY_MAGIC.to_vec(),
                _ => ARMOR_MAGIC.to_vec(),
            };
            input.extend(bytes);
            let _ = open(&input, &[id]);
        }
    }
}
