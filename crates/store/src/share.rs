//! Sharing a contribution: the steps `tend share` and `tend ui` take alike, kept in one place
//! so that both count the same records, sign with the same key and keep the same promise:
//! the consent record (with the secret that can revoke the contribution) is saved before the
//! file is written, and removed again if the file cannot be written.
//!
//! The member reads the preview between [`Draft::build`] and [`Prepared::seal`]; how they are
//! asked is for the caller.

use age::x25519::Recipient;
use chrono::{DateTime, NaiveDate, Utc};
use rand::RngCore;
use tend_core::commitment::Commitment;
use tend_core::contribution::{
    BuildError, ConsentRecord, Contribution, ContributionRequest, Period, RevocationToken,
    sha256_hex,
};
use tend_core::id::RecordId;
use tend_core::pack::ValuesPack;
use tend_core::reflection::Reflection;
use tend_core::repair::Repair;
use zeroize::Zeroizing;

use crate::bundle::{self, BundleError};
use crate::{Error, Journal, Result};

/// What a member asks to share, as they chose it.
#[derive(Debug)]
pub struct Request<'a> {
    /// What it is for, in the facilitator's words.
    pub purpose: String,
    /// The values pack the values are named from.
    pub pack: &'a ValuesPack,
    /// The days to count.
    pub period: Period,
    /// The ids of the values to count; empty for every value named in the period.
    pub values: Vec<String>,
    /// The numbers of the reflections whose full text is shared (a repeated one counts
    /// once). The consent record names them by their ids.
    pub excerpts: Vec<u64>,
    /// The name to be known by, if any.
    pub name: Option<String>,
    /// The last day the contribution may be used, if any.
    pub expires: Option<NaiveDate>,
    /// When the member gives their consent.
    pub given: DateTime<Utc>,
}

/// The ids of records that could not be opened, and so are not counted.
#[derive(Debug, Default)]
pub struct Unopened {
    /// Reflections.
    pub reflections: Vec<u64>,
    /// Commitments.
    pub commitments: Vec<u64>,
    /// Repairs.
    pub repairs: Vec<u64>,
}

/// Everything read from the journal for one contribution, not yet counted.
pub struct Draft<'a> {
    request: ContributionRequest<'a>,
    excerpt_ids: Vec<RecordId>,
    token: RevocationToken,
    reflections: Vec<(u64, Reflection)>,
    commitments: Vec<Commitment>,
    repairs: Vec<Repair>,
    unopened: Unopened,
}

/// Reads what the contribution asked for will hold: the excerpts, the member's key and
/// counter for the purpose, and every reflection, commitment and repair; makes the new id
/// and the secret that can revoke it.
pub fn gather<'a>(journal: &Journal, request: Request<'a>) -> Result<Draft<'a>> {
    let mut numbers: Vec<u64> = Vec::with_capacity(request.excerpts.len());
    for n in request.excerpts {
        if !numbers.contains(&n) {
            numbers.push(n);
        }
    }
    let book = journal.ids::<Reflection>()?;
    let mut excerpt_ids = Vec::with_capacity(numbers.len());
    let mut excerpts = Vec::with_capacity(numbers.len());
    for n in numbers {
        let reflection = journal.get::<Reflection>(n)?;
        let id = book.id(n).ok_or(Error::NotFound {
            kind: "reflection",
            id: n,
        })?;
        excerpt_ids.push(id);
        excerpts.push((id, reflection));
    }
    let mut token_bytes = Zeroizing::new([0u8; 32]);
    rand::rngs::OsRng.fill_bytes(token_bytes.as_mut());
    let token = RevocationToken::from_bytes(token_bytes.as_ref());
    let signer = journal.member_key(&request.purpose)?.public();
    let counter = journal
        .contribution_counter(&request.purpose)?
        .saturating_add(1);
    let contribution = ContributionRequest {
        id: new_id(),
        purpose: request.purpose,
        signer,
        counter,
        pack: request.pack,
        period: request.period,
        values: request.values,
        excerpts,
        name: request.name,
        expires: request.expires,
        given: request.given,
        revocation_hash: token.hash(),
    };
    let reflections = journal.all::<Reflection>()?;
    let commitments = journal.all::<Commitment>()?;
    let repairs = journal.all::<Repair>()?;
    Ok(Draft {
        request: contribution,
        excerpt_ids,
        token,
        reflections: reflections.records,
        commitments: commitments.records.into_iter().map(|(_, c)| c).collect(),
        repairs: repairs.records.into_iter().map(|(_, r)| r).collect(),
        unopened: Unopened {
            reflections: reflections.damaged,
            commitments: commitments.damaged,
            repairs: repairs.damaged,
        },
    })
}

/// A fresh contribution id: 16 random hex digits.
fn new_id() -> String {
    let mut bytes = [0u8; 8];
    rand::rngs::OsRng.fill_bytes(&mut bytes);
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

impl Draft<'_> {
    /// The records that could not be opened, and so will not be counted.
    pub fn unopened(&self) -> &Unopened {
        &self.unopened
    }

    /// Counts the records and builds the contribution, ready for the member to read.
    pub fn build(self) -> Result<Prepared, BuildError> {
        let contribution = self
            .request
            .build(self.reflections, self.commitments, self.repairs)?;
        Ok(Prepared {
            contribution,
            excerpt_ids: self.excerpt_ids,
            token: self.token,
        })
    }
}

/// A contribution built and waiting for the member's consent.
pub struct Prepared {
    contribution: Contribution,
    excerpt_ids: Vec<RecordId>,
    token: RevocationToken,
}

/// Why a contribution could not be sealed; nothing was written or recorded.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum SealError {
    /// The member's key could not be read, or did not sign.
    #[error(transparent)]
    Sign(Error),
    /// The signed contribution could not be encrypted to the recipients.
    #[error(transparent)]
    Seal(BundleError),
}

impl Prepared {
    /// The contribution, exactly as the member reads it in the preview.
    pub fn contribution(&self) -> &Contribution {
        &self.contribution
    }

    /// Signs the contribution with the member's key for its purpose (over the exact text the
    /// preview was made from) and seals it to every recipient.
    pub fn seal(
        self,
        journal: &Journal,
        recipients: &[Recipient],
        armor: bool,
        now: DateTime<Utc>,
    ) -> Result<Sealed, SealError> {
        let signed = journal
            .member_key(&self.contribution.purpose)
            .and_then(|key| key.sign(&self.contribution))
            .map_err(SealError::Sign)?;
        let file = Zeroizing::new(signed.to_json());
        let bytes = bundle::seal(file.as_bytes(), recipients, armor).map_err(SealError::Seal)?;
        let who = recipients.iter().map(ToString::to_string).collect();
        Ok(self.sealed_as(bytes, who, now))
    }

    /// The contribution as `bytes` someone else sealed (a co-facilitated report), sent to
    /// `recipients`.
    pub fn sealed_as(self, bytes: Vec<u8>, recipients: Vec<String>, now: DateTime<Utc>) -> Sealed {
        let record = ConsentRecord::new(
            &self.contribution,
            now,
            recipients,
            self.excerpt_ids,
            sha256_hex(&bytes),
            self.token,
        );
        Sealed {
            contribution: self.contribution,
            bytes,
            record,
        }
    }
}

/// A sealed contribution and the record of the member's consent to it, not yet given.
pub struct Sealed {
    contribution: Contribution,
    bytes: Vec<u8>,
    record: ConsentRecord,
}

/// Why a sealed contribution was not given: either its record was not saved, or the
/// caller's write failed (its own error, so the caller's advice stays its own). There is no
/// third way, so callers may match both.
#[derive(Debug)]
pub enum GiveError<E> {
    /// The consent record or the counter could not be saved; nothing was written.
    Record(Error),
    /// The file could not be written; the consent record was removed again.
    Write(E),
}

impl Sealed {
    /// The contribution sealed.
    pub fn contribution(&self) -> &Contribution {
        &self.contribution
    }

    /// Records the member's consent and the contribution's counter, then hands the sealed
    /// bytes to `write`. The counter and the record come first, so a file that is out there
    /// can always be revoked and no later contribution reuses its number; if `write` fails,
    /// the record is removed again.
    pub fn give<E>(
        &self,
        journal: &Journal,
        write: impl FnOnce(&[u8]) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), GiveError<E>> {
        journal
            .record_contribution_counter(&self.contribution.purpose, self.contribution.counter)
            .map_err(GiveError::Record)?;
        let record_id = journal.add(&self.record).map_err(GiveError::Record)?;
        if let Err(e) = write(&self.bytes) {
            let _ = journal.delete::<ConsentRecord>(record_id);
            return Err(GiveError::Write(e));
        }
        Ok(())
    }
}

// What these hold is private (reflections, excerpts, the revocation secret): their `Debug`
// names the contribution only.
impl std::fmt::Debug for Draft<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Draft")
            .field("id", &self.request.id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Prepared {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Prepared")
            .field("id", &self.contribution.id)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for Sealed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Sealed")
            .field("id", &self.contribution.id)
            .finish_non_exhaustive()
    }
}

#[cfg(test)]
mod tests {
    use age::secrecy::{ExposeSecret, SecretString};
    use tend_core::contribution::SignedContribution;

    use super::*;
    use crate::NewUnlocker;

    const PURPOSE: &str = "Spring retreat 2026";

    #[test]
    fn the_record_is_kept_only_when_the_file_is_written() {
        let dir = tempfile::tempdir().expect("a temporary folder");
        let now = Utc::now();
        let unlocker = NewUnlocker::Passphrase {
            passphrase: SecretString::from("correct horse".to_owned()),
            work_factor: Some(10),
        };
        let journal = Journal::create(
            &dir.path().join("journal.tend"),
            &unlocker,
            &ValuesPack::default_pack(),
            now,
        )
        .expect("a journal");
        let on = now.date_naive();
        let id = journal
            .add(&Reflection::new("Asked who had not spoken yet.", on, now))
            .expect("a reflection");
        let pack = journal.pack().expect("the pack");
        let (identity, recipient_line) = bundle::generate_identity();
        let recipient = bundle::parse_recipient(&recipient_line).expect("a recipient");
        let request = Request {
            purpose: PURPOSE.to_owned(),
            pack: &pack,
            period: Period {
                since: None,
                until: None,
            },
            values: Vec::new(),
            excerpts: vec![id, id],
            name: None,
            expires: None,
            given: now,
        };
        let draft = gather(&journal, request).expect("gathered");
        assert!(draft.unopened().reflections.is_empty());
        let prepared = draft.build().expect("built");
        let record_id = journal
            .ids::<Reflection>()
            .expect("ids")
            .id(id)
            .expect("its id");
        assert_eq!(
            prepared.excerpt_ids,
            vec![record_id],
            "an excerpt named twice counts once, by its id"
        );
        assert_eq!(prepared.contribution().counter, 1);
        let sealed = prepared
            .seal(&journal, &[recipient], false, now)
            .expect("sealed");

        let failed = sealed.give(&journal, |_| Err("no room"));
        assert!(matches!(failed, Err(GiveError::Write("no room"))));
        let records = journal.all::<ConsentRecord>().expect("records");
        assert!(records.records.is_empty(), "the record went with the file");

        let mut written = Vec::new();
        sealed
            .give(&journal, |bytes| {
                written = bytes.to_vec();
                Ok::<(), ()>(())
            })
            .expect("given");
        let records = journal.all::<ConsentRecord>().expect("records");
        assert_eq!(records.records.len(), 1);
        assert_eq!(journal.contribution_counter(PURPOSE).expect("counter"), 1);
        let identity_file = bundle::identity_file_text(&identity, &recipient_line, now);
        let identities =
            bundle::read_identities(identity_file.expose_secret()).expect("the identity");
        let opened = bundle::open(&written, &identities).expect("opens");
        let signed = SignedContribution::parse(&opened).expect("a signed contribution");
        assert!(crate::member::verify(&signed));
    }
}
