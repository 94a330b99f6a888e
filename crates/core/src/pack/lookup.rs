//! Finding a value by the id a person typed, and suggesting the one they probably meant.
//!
//! People type ids from memory, often tired; a near miss should come back with the right
//! spelling rather than a bare "not found".

use super::{Value, ValueLookupError, ValuesPack};

impl ValuesPack {
    /// The active value with exactly this id, for naming on a new reflection.
    ///
    /// An unknown id comes back with the nearest active id (by spelling, or by matching a
    /// value's name without regard to case) and the list of active ids; a retired id comes
    /// back as [`ValueLookupError::Retired`].
    pub fn resolve_active(&self, id: &str) -> Result<&Value, ValueLookupError> {
        let active_ids = || self.active().map(|v| v.id.clone()).collect();
        match self.value(id) {
            Some(value) if !value.retired => Ok(value),
            Some(_) => Err(ValueLookupError::Retired {
                id: id.to_owned(),
                active: active_ids(),
            }),
            None => Err(ValueLookupError::Unknown {
                id: id.to_owned(),
                nearest: nearest_id(id, self.active()),
                active: active_ids(),
            }),
        }
    }
}

/// The id among `candidates` that `typed` most probably meant, if any is close enough.
///
/// A value matches when `typed` is its id or name give or take a few typos (about one in
/// three characters), or the start of exactly one id or name.
pub(crate) fn nearest_id<'a>(
    typed: &str,
    candidates: impl IntoIterator<Item = &'a Value>,
) -> Option<String> {
    let candidates: Vec<&Value> = candidates.into_iter().collect();
    let typed = typed.trim().to_lowercase();
    if typed.is_empty() {
        return None;
    }
    let mut best: Option<(usize, &Value)> = None;
    for value in &candidates {
        let name = value.name.to_lowercase();
        let distance = edit_distance(&typed, &value.id).min(edit_distance(&typed, &name));
        let allowed = (typed.chars().count().max(value.id.len()) / 3).max(1);
        let closer = best.is_none_or(|(d, _)| distance < d);
        if distance <= allowed && closer {
            best = Some((distance, value));
        }
    }
    if let Some((_, value)) = best {
        return Some(value.id.clone());
    }
    if typed.chars().count() >= 3 {
        let mut starts = candidates
            .iter()
            .filter(|v| v.id.starts_with(&typed) || v.name.to_lowercase().starts_with(&typed));
        if let (Some(only), None) = (starts.next(), starts.next()) {
            return Some(only.id.clone());
        }
    }
    None
}

/// The nearest of `known` to `typed`, for misspelt keys: up to one edit, plus one for
/// every three letters of the known word.
pub(crate) fn nearest_word<'a>(typed: &str, known: &[&'a str]) -> Option<&'a str> {
    let typed = typed.to_lowercase();
    known
        .iter()
        .map(|k| (edit_distance(&typed, k), *k))
        .filter(|(d, k)| *d <= k.chars().count() / 3 + 1)
        .min_by_key(|(d, _)| *d)
        .map(|(_, k)| k)
}

/// Edit distance in characters, counting a swap of two neighbouring characters as one
/// edit (optimal string alignment), since "nmae" is one slip, not two.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows of the table: two back (for swaps), one back, and the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut best = (previous[j - 1] + cost)
                .min(previous[j] + 1)
                .min(current[j - 1] + 1);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                best = best.min(before[j - 2] + 1);
            }
            current[j] = best;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ids() -> Vec<String> {
        ValuesPack::default_pack()
            .active()
            .map(|v| v.id.clone())
            .collect()
    }

    fn nearest(typed: &str) -> Option<String> {
        let pack = ValuesPack::default_pack();
        match pack.resolve_active(typed) {
            Err(ValueLookupError::Unknown {
                nearest, active, ..
            }) => {
                assert_eq!(active, ids());
                nearest
            }
            other => panic!("expected an unknown id, got {other:?}"),
        }
    }

    #[test]
    fn pack_edit_distance_counts_edits() {
        assert_eq!(edit_distance("", ""), 0);
        assert_eq!(edit_distance("equty", "equity"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("é", "e"), 1);
        assert_eq!(edit_distance("nmae", "name"), 1);
        assert_eq!(edit_distance("abc", ""), 3);
    }

    #[test]
    fn pack_resolve_active_finds_exact_ids() {
        let pack = ValuesPack::default_pack();
        assert_eq!(
            pack.resolve_active("equity").map(|v| v.id.as_str()),
            Ok("equity")
        );
    }

    #[test]
    fn pack_nearest_id_by_spelling_name_and_prefix() {
        assert_eq!(nearest("equty").as_deref(), Some("equity"));
        assert_eq!(nearest("transparancy").as_deref(), Some("transparency"));
        assert_eq!(
            nearest("Anti-Oppression").as_deref(),
            Some("anti-oppression")
        );
        assert_eq!(
            nearest("anti oppression").as_deref(),
            Some("anti-oppression")
        );
        assert_eq!(nearest("Equity").as_deref(), Some("equity"));
        assert_eq!(nearest("trans").as_deref(), Some("transparency"));
        assert_eq!(nearest("gardening"), None);
        assert_eq!(nearest(""), None);
    }

    #[test]
    fn pack_nearest_id_matches_names_too() {
        let mut pack = ValuesPack::default_pack();
        pack.rename("repair", "Restorative approaches")
            .expect("repair is in the default pack");
        match pack.resolve_active("restorative aproaches") {
            Err(ValueLookupError::Unknown { nearest, .. }) => {
                assert_eq!(nearest.as_deref(), Some("repair"));
            }
            other => panic!("expected an unknown id, got {other:?}"),
        }
    }

    #[test]
    fn pack_retired_values_are_not_given_to_new_reflections() {
        let mut pack = ValuesPack::default_pack();
        pack.retire("repair").expect("repair is active");
        assert_eq!(
            pack.resolve_active("repair"),
            Err(ValueLookupError::Retired {
                id: "repair".to_owned(),
                active: vec![
                    "equity".to_owned(),
                    "transparency".to_owned(),
                    "anti-oppression".to_owned()
                ],
            })
        );
        assert!(pack.value("repair").is_some(), "retired values stay known");
    }

    #[test]
    fn pack_nearest_word_for_keys() {
        let keys = ["id", "name", "description", "prompts", "retired"];
        assert_eq!(nearest_word("descripton", &keys), Some("description"));
        assert_eq!(nearest_word("prompt", &keys), Some("prompts"));
        assert_eq!(nearest_word("nmae", &keys), Some("name"));
        assert_eq!(nearest_word("x", &keys), None);
        assert_eq!(nearest_word("colour", &keys), None);
    }
}
