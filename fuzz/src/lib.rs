//! What the fuzz targets share: a fixed facilitator identity and a fixed clock.
//!
//! The identity is a throwaway made for these targets and public in this repository; the
//! seed bundles and the seed journal in `corpus/` are sealed to its recipient, so the
//! fuzzer starts from files that open and mutates its way into the decoding behind them.

use chrono::{DateTime, NaiveDate, TimeZone, Utc};
use tend_core::commitment::Commitment;
use tend_core::contribution::{
    Contribution, ContributionRequest, Period, RevocationToken, SignedContribution,
};
use tend_store::member::MemberSigningKey;
use tend_core::pack::ValuesPack;
use tend_core::reflection::{Reflection, ValueRating};

/// The fuzzing identity (an `age-keygen` key made for this purpose, nothing else).
pub const IDENTITY: &str =
    "AGE-SECRET-KEY-18N408WP0RC2JV94NZMZT0ECKK9JT22LMUE404RVSATJLKYAXFJJSMSCWPM";
/// Its recipient.
pub const RECIPIENT: &str = "age1lpsdjua86m70kcet850meexsdd9wvu0renm47t7sq7gw53dvr4gqflrxzr";

/// The fuzzing identity, parsed.
pub fn identity() -> age::x25519::Identity {
    IDENTITY.parse().expect("the fixed identity is well formed")
}

/// The moment every target treats as now, so a run is repeatable.
pub fn now() -> DateTime<Utc> {
    Utc.with_ymd_and_hms(2026, 11, 20, 12, 0, 0)
        .single()
        .expect("a real moment")
}

/// Today for [`now`].
pub fn today() -> NaiveDate {
    now().date_naive()
}

/// The sample member's signing key for the sample purpose.
pub fn member_key() -> MemberSigningKey {
    MemberSigningKey::derive(&[9; 32], "Spring retreat 2026")
}

/// [`sample_contribution`], signed by [`member_key`]: a contribution file's content.
pub fn sample_signed() -> SignedContribution {
    member_key()
        .sign(&sample_contribution())
        .expect("the sample key signs its own contribution")
}

/// A real contribution, built the way a member's journal builds one: two reflections
/// counted against the default values pack, one shared as an excerpt.
pub fn sample_contribution() -> Contribution {
    let pack = ValuesPack::default_pack();
    let day = |d| NaiveDate::from_ymd_opt(2026, 5, d).expect("a real date");
    let first = Reflection::new("Shared the numbers before the meeting.", day(4), now())
        .with_value(ValueRating::new("transparency", Some(4)))
        .with_value(ValueRating::new("equity", None));
    let second = Reflection::new("Asked who had not spoken yet.", day(12), now())
        .with_value(ValueRating::new("equity", Some(3)));
    let made = day(20).and_hms_opt(9, 0, 0).expect("a real time").and_utc();
    let commitment = Commitment::new("Publish the pay scale", vec![], Some(day(30)), made);
    let request = ContributionRequest {
        id: "5f2b2a9e00c0ffee".to_owned(),
        purpose: "Spring retreat 2026".to_owned(),
        signer: member_key().public(),
        counter: 1,
        pack: &pack,
        period: Period {
            since: Some(day(1)),
            until: Some(day(31)),
        },
        values: vec![],
        excerpts: vec![(tend_core::id::RecordId::from_bytes([2; 16]), second.clone())],
        name: None,
        expires: Some(NaiveDate::from_ymd_opt(2027, 6, 30).expect("a real date")),
        given: now(),
        revocation_hash: RevocationToken::from_bytes(&[7; 32]).hash(),
    };
    request
        .build(vec![(1, first), (2, second)], vec![commitment], vec![])
        .expect("the sample contribution builds")
}
