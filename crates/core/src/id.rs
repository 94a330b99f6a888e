//! Record ids that two devices cannot both hand out, and the short handles a person types.
//!
//! A record's id is 128 random bits, so a member's laptop and phone can each add records
//! without asking the other for the next number. Nobody types 128 bits: a person sees and
//! types a *handle*, the shortest prefix of the id's letters that no other record of the
//! same kind shares (at least [`MIN_HANDLE`] letters, as jj and git shorten commit ids).
//! The same set of records gives the same handles on every device.
//!
//! Handles are spelled with sixteen consonants ([`ALPHABET`]): no digit, so a number typed
//! after an upgrade is always an old (format 1) record number and never a handle; no
//! vowel, so no handle spells a word; and none of `l`, `o`, `i`, `z`, which are read as
//! `1`, `0`, `1`, `2`. Each letter carries four bits, and the letters sort as the ids do.

use std::fmt;
use std::str::FromStr;

/// The sixteen letters of a handle, in the order of the four-bit values they stand for.
pub const ALPHABET: &[u8; 16] = b"bcdfghjkmnpqrstx";

/// The fewest letters a handle shows, however few records there are: short enough to type,
/// long enough that a handle read aloud is rarely mistaken for another.
pub const MIN_HANDLE: usize = 4;

/// Letters in a whole id (four bits each).
pub const ID_LETTERS: usize = 32;

/// One record's id: 128 bits, random for every record made by format 2.
#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct RecordId([u8; 16]);

impl RecordId {
    /// The id with these bytes (from a random source, or read back from a journal).
    pub const fn from_bytes(bytes: [u8; 16]) -> Self {
        Self(bytes)
    }

    /// Its bytes, as a journal stores them.
    pub const fn to_bytes(self) -> [u8; 16] {
        self.0
    }

    /// The `i`th four-bit letter value (0 is the first).
    fn nibble(self, i: usize) -> u8 {
        let b = self.0[i / 2];
        if i.is_multiple_of(2) {
            b >> 4
        } else {
            b & 0x0f
        }
    }

    /// The first `len` letters of its spelling (all of them when `len` is larger).
    pub fn prefix(self, len: usize) -> String {
        (0..len.min(ID_LETTERS))
            .map(|i| char::from(ALPHABET[usize::from(self.nibble(i))]))
            .collect()
    }

    /// How many leading letters it shares with `other`.
    fn common_letters(self, other: RecordId) -> usize {
        (0..ID_LETTERS)
            .take_while(|&i| self.nibble(i) == other.nibble(i))
            .count()
    }
}

impl fmt::Display for RecordId {
    /// All 32 letters.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.prefix(ID_LETTERS))
    }
}

impl fmt::Debug for RecordId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "RecordId({self})")
    }
}

impl FromStr for RecordId {
    type Err = IdError;

    /// A whole id, all 32 letters.
    fn from_str(s: &str) -> Result<Self, IdError> {
        let letters = Prefix::parse(s)?;
        if letters.0.len() != ID_LETTERS {
            return Err(IdError::NotAnId(s.trim().to_owned()));
        }
        Ok(letters.lowest())
    }
}

impl serde::Serialize for RecordId {
    /// As its 32 letters, as exports and consent records write it.
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> serde::Deserialize<'de> for RecordId {
    /// From its 32 letters; anything else is an error, never a panic.
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        let text = String::deserialize(d)?;
        text.parse().map_err(serde::de::Error::custom)
    }
}

fn letter_value(c: u8) -> Option<u8> {
    ALPHABET
        .iter()
        .position(|&a| a == c)
        .and_then(|p| u8::try_from(p).ok())
}

/// What a person typed to name a record, read but not yet looked up.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum IdQuery {
    /// A record number from format 1, kept as an alias after the upgrade.
    Alias(u64),
    /// The leading letters of an id.
    Prefix(Prefix),
}

impl IdQuery {
    /// Reads a handle or an old record number. Capitals are read as small letters, and
    /// spaces around it are ignored.
    pub fn parse(text: &str) -> Result<IdQuery, IdError> {
        let t = text.trim();
        if !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()) {
            return t
                .parse()
                .map(IdQuery::Alias)
                .map_err(|_| IdError::NotAnId(t.to_owned()));
        }
        Prefix::parse(t).map(IdQuery::Prefix)
    }
}

impl FromStr for IdQuery {
    type Err = IdError;
    fn from_str(s: &str) -> Result<Self, IdError> {
        IdQuery::parse(s)
    }
}

impl fmt::Display for IdQuery {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            IdQuery::Alias(n) => write!(f, "{n}"),
            IdQuery::Prefix(p) => write!(f, "{p}"),
        }
    }
}

/// The leading letters of an id (one to 32 of them), as four-bit values.
#[derive(Clone, PartialEq, Eq, Hash)]
pub struct Prefix(Vec<u8>);

impl Prefix {
    /// Reads letters of [`ALPHABET`]; capitals count as small letters.
    pub fn parse(text: &str) -> Result<Prefix, IdError> {
        let t = text.trim();
        if t.is_empty() || t.len() > ID_LETTERS {
            return Err(IdError::NotAnId(t.to_owned()));
        }
        t.bytes()
            .map(|b| letter_value(b.to_ascii_lowercase()))
            .collect::<Option<Vec<u8>>>()
            .map(Prefix)
            .ok_or_else(|| IdError::NotAnId(t.to_owned()))
    }

    /// How many letters it holds.
    pub fn len(&self) -> usize {
        self.0.len()
    }

    /// Always false: a prefix holds at least one letter.
    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }

    /// The first byte of every id it names, when it holds two letters or more.
    pub fn first_byte(&self) -> Option<u8> {
        match self.0.as_slice() {
            [hi, lo, ..] => Some((hi << 4) | lo),
            _ => None,
        }
    }

    /// The smallest id that starts with it.
    fn lowest(&self) -> RecordId {
        self.padded(0)
    }

    /// The largest id that starts with it.
    fn highest(&self) -> RecordId {
        self.padded(0x0f)
    }

    fn padded(&self, fill: u8) -> RecordId {
        let mut bytes = [0u8; 16];
        for (i, byte) in bytes.iter_mut().enumerate() {
            let hi = self.0.get(2 * i).copied().unwrap_or(fill);
            let lo = self.0.get(2 * i + 1).copied().unwrap_or(fill);
            *byte = (hi << 4) | lo;
        }
        RecordId(bytes)
    }

    /// Whether `id` starts with these letters.
    pub fn matches(&self, id: RecordId) -> bool {
        self.0.iter().enumerate().all(|(i, &v)| id.nibble(i) == v)
    }
}

impl fmt::Display for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let s: String = self
            .0
            .iter()
            .map(|&v| char::from(ALPHABET[usize::from(v)]))
            .collect();
        f.write_str(&s)
    }
}

impl fmt::Debug for Prefix {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Prefix({self})")
    }
}

/// Why typed text names no record.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum IdError {
    /// It is neither a handle nor a number.
    #[error(
        "“{0}” is not a record handle: a handle is letters such as “kbxq” (as `tend list` \
         shows them), or a number from before the journal's upgrade"
    )]
    NotAnId(String),
}

/// What a handle or number names among the records of one kind.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Resolved {
    /// Exactly one record.
    One(RecordId),
    /// No record.
    None,
    /// Several records: the handle is too short. Their ids, in order.
    Many(Vec<RecordId>),
}

/// The records of one kind, sorted by id: gives each its handle and looks handles up.
///
/// Building it sorts once; each lookup is then a binary search.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Handles {
    ids: Vec<RecordId>,
}

impl Handles {
    /// The handles of these ids (in any order; duplicates are kept once).
    pub fn new(ids: impl IntoIterator<Item = RecordId>) -> Self {
        let mut ids: Vec<RecordId> = ids.into_iter().collect();
        ids.sort_unstable();
        ids.dedup();
        Self { ids }
    }

    /// The ids, in order.
    pub fn ids(&self) -> &[RecordId] {
        &self.ids
    }

    /// The handle of `id`: the shortest prefix no other id here shares, at least
    /// [`MIN_HANDLE`] letters. An id not among them gets the handle it would have if it were.
    pub fn handle(&self, id: RecordId) -> String {
        id.prefix(self.handle_len(id))
    }

    /// How many letters `id`'s handle has.
    pub fn handle_len(&self, id: RecordId) -> usize {
        let at = self.ids.partition_point(|&x| x < id);
        let before = at.checked_sub(1).and_then(|i| self.ids.get(i));
        let after_at = if self.ids.get(at) == Some(&id) {
            at + 1
        } else {
            at
        };
        let after = self.ids.get(after_at);
        let shared = [before, after]
            .into_iter()
            .flatten()
            .map(|&other| id.common_letters(other))
            .max()
            .unwrap_or(0);
        (shared + 1).clamp(MIN_HANDLE, ID_LETTERS)
    }

    /// The ids that start with `prefix`.
    pub fn matching(&self, prefix: &Prefix) -> &[RecordId] {
        let (low, high) = (prefix.lowest(), prefix.highest());
        let start = self.ids.partition_point(|&x| x < low);
        let end = self.ids.partition_point(|&x| x <= high);
        &self.ids[start..end]
    }

    /// What `prefix` names here.
    pub fn resolve(&self, prefix: &Prefix) -> Resolved {
        match self.matching(prefix) {
            [] => Resolved::None,
            [one] => Resolved::One(*one),
            many => Resolved::Many(many.to_vec()),
        }
    }
}

/// The handle `id` has among `others` (which may include `id` itself): what
/// [`Handles::handle`] gives, in one pass and without sorting, for a command that names one
/// record.
pub fn handle_among(id: RecordId, others: impl IntoIterator<Item = RecordId>) -> String {
    let shared = others
        .into_iter()
        .filter(|&other| other != id)
        .map(|other| id.common_letters(other))
        .max()
        .unwrap_or(0);
    id.prefix((shared + 1).clamp(MIN_HANDLE, ID_LETTERS))
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn id(first: u8, rest: u8) -> RecordId {
        let mut b = [rest; 16];
        b[0] = first;
        RecordId::from_bytes(b)
    }

    #[test]
    fn the_alphabet_sorts_and_has_no_confusable_letters() {
        assert!(ALPHABET.windows(2).all(|w| w[0] < w[1]));
        for c in b"aeiouylz0123456789" {
            assert!(!ALPHABET.contains(c), "{}", char::from(*c));
        }
    }

    #[test]
    fn numbers_are_old_ids_and_letters_are_handles() {
        assert_eq!(IdQuery::parse(" 42 "), Ok(IdQuery::Alias(42)));
        let IdQuery::Prefix(p) = IdQuery::parse("KBxq").expect("capitals read") else {
            panic!("a prefix");
        };
        assert_eq!(p.to_string(), "kbxq");
        for bad in ["", "k3x9", "hello", "-1", "99999999999999999999999", "kb q"] {
            assert!(IdQuery::parse(bad).is_err(), "{bad:?}");
        }
        let long = "b".repeat(ID_LETTERS + 1);
        assert!(IdQuery::parse(&long).is_err());
    }

    #[test]
    fn a_lone_record_has_the_shortest_handle() {
        let a = id(0x00, 0x11);
        let handles = Handles::new([a]);
        assert_eq!(handles.handle(a), "bbcc");
        assert_eq!(handles.handle(a).len(), MIN_HANDLE);
    }

    #[test]
    fn neighbours_lengthen_each_other_only() {
        let a = RecordId::from_bytes([0xab; 16]);
        let mut b_bytes = [0xab; 16];
        b_bytes[3] = 0xac; // shares 7 letters with a
        let b = RecordId::from_bytes(b_bytes);
        let c = id(0x10, 0);
        let handles = Handles::new([c, b, a]);
        assert_eq!(handles.handle_len(a), 8);
        assert_eq!(handles.handle_len(b), 8);
        assert_eq!(handles.handle_len(c), MIN_HANDLE);
    }

    #[test]
    fn an_ambiguous_prefix_lists_every_candidate() {
        let a = id(0xab, 0x00);
        let b = id(0xab, 0xff);
        let handles = Handles::new([a, b]);
        let p = Prefix::parse("pq").expect("letters read");
        assert_eq!(handles.resolve(&p), Resolved::Many(vec![a, b]));
        let p = Prefix::parse("bbbb").expect("letters read");
        assert_eq!(handles.resolve(&p), Resolved::None);
    }

    #[test]
    fn a_whole_id_reads_back() {
        let a = RecordId::from_bytes(*b"0123456789abcdef");
        assert_eq!(a.to_string().len(), ID_LETTERS);
        assert_eq!(a.to_string().parse::<RecordId>(), Ok(a));
        assert!("bcdf".parse::<RecordId>().is_err());
    }

    fn ids() -> impl Strategy<Value = Vec<RecordId>> {
        // Ids crowded into few leading values, so that long shared prefixes occur.
        prop::collection::vec(
            (0u8..4, any::<[u8; 16]>()).prop_map(|(first, mut b)| {
                b[0] = first;
                b[1] &= 0x0f;
                RecordId::from_bytes(b)
            }),
            1..60,
        )
    }

    proptest! {
        #[test]
        fn every_handle_names_its_record_and_no_shorter_prefix_does(ids in ids()) {
            let handles = Handles::new(ids.iter().copied());
            for &id in &ids {
                let handle = handles.handle(id);
                prop_assert!(handle.len() >= MIN_HANDLE);
                let p = Prefix::parse(&handle).expect("a handle reads back");
                prop_assert_eq!(handles.resolve(&p), Resolved::One(id));
                if handle.len() > MIN_HANDLE {
                    let shorter = Prefix::parse(&handle[..handle.len() - 1]).expect("a shorter prefix reads");
                    prop_assert!(matches!(handles.resolve(&shorter), Resolved::Many(m) if m.contains(&id)));
                }
            }
        }

        #[test]
        fn one_handle_in_one_pass_is_the_handle_the_sorted_set_gives(ids in ids()) {
            let handles = Handles::new(ids.iter().copied());
            for &id in &ids {
                prop_assert_eq!(handle_among(id, ids.iter().copied()), handles.handle(id));
            }
        }

        #[test]
        fn a_prefix_matches_exactly_the_ids_that_start_with_it(ids in ids(), len in 1usize..6, pick in any::<prop::sample::Index>()) {
            let handles = Handles::new(ids.iter().copied());
            let chosen = ids[pick.index(ids.len())];
            let p = Prefix::parse(&chosen.prefix(len)).expect("a prefix reads");
            let expected: Vec<RecordId> = handles.ids().iter().copied().filter(|&i| i.to_string().starts_with(&p.to_string())).collect();
            prop_assert_eq!(handles.matching(&p).to_vec(), expected);
        }

        #[test]
        fn spelling_keeps_order_and_reads_back(a in any::<[u8; 16]>(), b in any::<[u8; 16]>()) {
            let (a, b) = (RecordId::from_bytes(a), RecordId::from_bytes(b));
            prop_assert_eq!(a.cmp(&b), a.to_string().cmp(&b.to_string()));
            prop_assert_eq!(a.to_string().parse::<RecordId>(), Ok(a));
        }

        #[test]
        fn parsing_any_text_never_panics(s in "\\PC{0,40}") {
            let _ = IdQuery::parse(&s);
        }
    }
}
