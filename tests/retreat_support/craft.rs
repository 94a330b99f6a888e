//! Contribution files a test writes itself, the way a member in the room could: start from
//! what tend wrote, change it, sign it with a key of one's own (one the roster may well
//! list), and seal it for the facilitator with the reference `age` tool.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use tend_core::contribution::{Contribution, SignedContribution, covered_fingerprint};
use tend_store::member::MemberSigningKey;

use super::{Facilitator, PURPOSE, age_decrypt, reference_age};

/// A member whose files the test writes: a signing key of their own, and the name the
/// roster gives them.
pub struct Crafter {
    key: MemberSigningKey,
    pub name: String,
}

impl Crafter {
    /// A member with a key derived from `secret` for the usual purpose.
    pub fn new(secret: &str, name: &str) -> Self {
        Self {
            key: MemberSigningKey::derive(secret.as_bytes(), PURPOSE),
            name: name.to_owned(),
        }
    }

    /// The line `tend retreat join` would have printed for them.
    pub fn roster_line(&self) -> String {
        format!("{} {}\n", self.key.public(), self.name)
    }

    /// The signed file's text: `c` with this member as its signer, its fingerprint made to
    /// match its values, signed.
    pub fn signed(&self, mut c: Contribution) -> String {
        c.pack.fingerprint = covered_fingerprint(&c.pack.values, &c.pack.scale);
        self.signed_as_is(c)
    }

    /// The signed file's text: `c` with this member as its signer, otherwise as it is.
    pub fn signed_as_is(&self, mut c: Contribution) -> String {
        c.signer = self.key.public();
        self.key.sign(&c).unwrap().to_json()
    }

    /// Signs `c` and seals it for the facilitator as `name` in their folder.
    pub fn seal(&self, fac: &Facilitator, c: Contribution, name: &str) -> String {
        age_encrypt(
            &fac.recipient,
            self.signed(c).as_bytes(),
            &fac.env.path(name),
        );
        name.to_owned()
    }
}

/// A contribution file, opened with the reference `age` tool and read by tend-core.
pub fn opened(fac: &Facilitator, file: &Path) -> Contribution {
    let plain = age_decrypt(&fac.key, file);
    SignedContribution::parse(&plain).unwrap().contribution
}

/// The same contribution as another member's: a fresh id and revocation hash, from `seed`.
pub fn as_another(mut c: Contribution, seed: u64) -> Contribution {
    c.id = format!("{seed:016x}");
    c.revocation_hash = tend_core::contribution::sha256_hex(format!("token {seed}").as_bytes());
    c
}

/// `age -r RECIPIENT -o OUT` with `plain` on stdin: the reference tool seals it.
pub fn age_encrypt(recipient: &str, plain: &[u8], out: &Path) {
    let mut child = Command::new(reference_age())
        .arg("-r")
        .arg(recipient)
        .arg("-o")
        .arg(out)
        .stdin(Stdio::piped())
        .spawn()
        .unwrap();
    child.stdin.take().unwrap().write_all(plain).unwrap();
    assert!(child.wait().unwrap().success(), "age -r failed");
}
