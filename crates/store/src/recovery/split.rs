//! Splitting a recovery identity into shares and combining shares back into it.
//!
//! The secret is the 32-byte scalar of a fresh age X25519 identity, split byte by byte with
//! Shamir's scheme over GF(256) (the `blahaj` crate). Combining never trusts its input: the
//! shares must come from one set, be distinct, agree about the set, number at least k, and
//! the identity they give must be the one the set was made for.

use blahaj::Sharks;
use zeroize::Zeroizing;

use super::share::{SECRET_LEN, Share, commitment};
use super::{CombineError, SetId};

/// A fresh recovery identity: its scalar and the identity age parses from it.
pub(crate) fn fresh_secret() -> Zeroizing<[u8; SECRET_LEN]> {
    use rand::RngCore;
    let mut secret = Zeroizing::new([0u8; SECRET_LEN]);
    rand::rngs::OsRng.fill_bytes(secret.as_mut());
    secret
}

/// The age identity whose scalar is `secret` (age clamps it as X25519 does).
pub(crate) fn identity_of(secret: &[u8]) -> Option<age::x25519::Identity> {
    let hrp = bech32::Hrp::parse("age-secret-key-").ok()?;
    let encoded = Zeroizing::new(bech32::encode::<bech32::Bech32>(hrp, secret).ok()?);
    let upper = Zeroizing::new(encoded.to_uppercase());
    upper.parse().ok()
}

/// What a new set's shares have in common.
pub(crate) struct Dealt<'a> {
    pub set: SetId,
    pub journal: [u8; 16],
    pub member: &'a str,
    pub made: chrono::DateTime<chrono::Utc>,
    pub threshold: u8,
}

/// Splits `secret` into one share per trustee name (x = 1, 2, … in the order given).
pub(crate) fn split(secret: &[u8], dealt: &Dealt<'_>, trustees: &[&str]) -> Vec<Share> {
    let count = u8::try_from(trustees.len()).unwrap_or(u8::MAX);
    let raw: Vec<blahaj::Share> = Sharks(dealt.threshold)
        .dealer(secret)
        .take(usize::from(count))
        .collect();
    let values: Vec<(u8, Zeroizing<Vec<u8>>)> = raw
        .iter()
        .map(|s| {
            let bytes = Zeroizing::new(Vec::from(s));
            (bytes[0], Zeroizing::new(bytes[1..].to_vec()))
        })
        .collect();
    let commitments: Vec<[u8; 32]> = values
        .iter()
        .map(|(x, y)| commitment(&dealt.set, &dealt.journal, dealt.threshold, count, *x, y))
        .collect();
    values
        .into_iter()
        .zip(trustees)
        .map(|((x, y), name)| Share {
            set: dealt.set,
            journal: dealt.journal,
            member: dealt.member.to_owned(),
            trustee: (*name).to_owned(),
            made: dealt.made,
            threshold: dealt.threshold,
            count,
            x,
            y,
            commitments: commitments.clone(),
        })
        .collect()
}

/// Checks that `shares` can be combined: one set, no share twice, agreeing about the set,
/// at least k of them. Errors name shares by their place in `shares`.
pub(crate) fn check(shares: &[Share]) -> Result<(), CombineError> {
    let Some(first) = shares.first() else {
        return Err(CombineError::NoShares);
    };
    // The set most of the shares belong to is the one asked for; every other is named.
    let mut sets: Vec<(SetId, usize, usize)> = Vec::new(); // set, count, first index
    for (i, s) in shares.iter().enumerate() {
        match sets.iter_mut().find(|(id, _, _)| *id == s.set) {
            Some(entry) => entry.1 += 1,
            None => sets.push((s.set, 1, i)),
        }
    }
    let (main, _, main_at) = sets
        .iter()
        .copied()
        .max_by_key(|(_, n, first)| (*n, std::cmp::Reverse(*first)))
        .unwrap_or((first.set, 1, 0));
    if let Some(i) = shares.iter().position(|s| s.set != main) {
        let journal_differs = shares[i].journal != shares[main_at].journal;
        return Err(CombineError::OtherSet {
            index: i,
            other: main_at,
            other_journal: journal_differs,
        });
    }
    for (i, s) in shares.iter().enumerate() {
        if let Some(j) = shares[..i].iter().position(|t| t.x == s.x) {
            return Err(CombineError::Duplicate { index: i, first: j });
        }
    }
    // Shares of one set carry the same view of it; with three or more, the odd one out is
    // the one named.
    let views: Vec<[u8; 32]> = shares.iter().map(Share::set_view).collect();
    if views.iter().any(|v| *v != views[0]) {
        let most = views
            .iter()
            .max_by_key(|v| views.iter().filter(|w| w == v).count())
            .copied()
            .unwrap_or(views[0]);
        let agreeing = views.iter().filter(|v| **v == most).count();
        let odd = views.iter().position(|v| *v != most).unwrap_or(0);
        let with = views.iter().position(|v| *v == most).unwrap_or(0);
        return Err(CombineError::Disagree {
            index: odd,
            other: with,
            sure: agreeing >= 2,
        });
    }
    let need = first.threshold;
    if shares.len() < usize::from(need) {
        return Err(CombineError::TooFew {
            have: shares.len(),
            need,
        });
    }
    Ok(())
}

/// Combines checked shares into the secret (at x = 0).
pub(crate) fn combine(shares: &[&Share]) -> Option<Zeroizing<Vec<u8>>> {
    let threshold = shares.first()?.threshold;
    let raw: Vec<blahaj::Share> = shares
        .iter()
        .filter_map(|s| {
            let mut bytes = Zeroizing::new(Vec::with_capacity(1 + s.y.len()));
            bytes.push(s.x);
            bytes.extend_from_slice(&s.y);
            blahaj::Share::try_from(bytes.as_slice()).ok()
        })
        .collect();
    Sharks(threshold).recover(&raw).ok().map(Zeroizing::new)
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn dealt(threshold: u8) -> Dealt<'static> {
        Dealt {
            set: SetId([7; 16]),
            journal: [3; 16],
            member: "Ana",
            made: chrono::DateTime::from_timestamp(1_700_000_000, 0).expect("a time"),
            threshold,
        }
    }

    #[test]
    fn a_share_is_never_at_zero_and_each_matches_its_commitment() {
        let secret = fresh_secret();
        let shares = split(secret.as_ref(), &dealt(3), &["a", "b", "c", "d", "e"]);
        let xs: Vec<u8> = shares.iter().map(|s| s.x).collect();
        assert_eq!(xs, vec![1, 2, 3, 4, 5]);
        for s in &shares {
            let again = Share::parse(&s.to_json()).expect("parses");
            assert_eq!(again.y.as_slice(), s.y.as_slice());
        }
    }

    #[test]
    fn the_identity_of_a_secret_is_stable_and_parses() {
        let secret = fresh_secret();
        let a = identity_of(secret.as_ref()).expect("an identity");
        let b = identity_of(secret.as_ref()).expect("an identity");
        assert_eq!(a.to_public().to_string(), b.to_public().to_string());
        assert!(identity_of(&[1, 2, 3]).is_none());
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(48))]
        #[test]
        fn any_k_of_n_combine_and_fewer_do_not(n in 2u8..8, k_off in 0u8..6, pick in any::<u64>()) {
            let k = 2 + k_off % (n - 1);
            let secret = fresh_secret();
            let names: Vec<String> = (0..n).map(|i| format!("t{i}")).collect();
            let refs: Vec<&str> = names.iter().map(String::as_str).collect();
            let shares = split(secret.as_ref(), &dealt(k), &refs);
            // A pseudo-random choice of k distinct shares.
            let mut order: Vec<usize> = (0..usize::from(n)).collect();
            let mut p = pick;
            for i in (1..order.len()).rev() {
                order.swap(i, (p % (i as u64 + 1)) as usize);
                p /= i as u64 + 1;
            }
            let chosen: Vec<&Share> = order[..usize::from(k)].iter().map(|&i| &shares[i]).collect();
            let got = combine(&chosen).expect("combines");
            prop_assert_eq!(got.as_slice(), secret.as_slice());
            let fewer = &chosen[..usize::from(k) - 1];
            let owned: Vec<Share> = fewer.iter().map(|s| Share::parse(&s.to_json()).expect("parses")).collect();
            let refused = matches!(check(&owned), Err(CombineError::TooFew { .. }));
            prop_assert!(refused);
        }
    }
}
