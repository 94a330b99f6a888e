//! How guessable a new passphrase is, rated by zxcvbn (Dropbox's estimator: dictionaries,
//! common passwords, keyboard patterns, dates and names, all built in; no network). Only the
//! very weakest are refused; the merely guessable are named plainly, with a suggestion.

use rand::seq::SliceRandom;

/// What to do with a new passphrase.
#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// It would be guessed almost at once: refused, with why.
    Refuse(String),
    /// It could be guessed: said plainly, then allowed.
    Guessable(String),
    /// Strong enough.
    Fine,
}

/// Words anyone guessing a tend passphrase tries first.
pub const CONTEXT: &[&str] = &["tend", "journal", "passphrase", "password", "cooperative"];

/// Rates `passphrase`; `context` holds words an attacker would try first (the journal's
/// file name, say).
pub fn rate(passphrase: &str, context: &[&str]) -> Verdict {
    let estimate = zxcvbn::zxcvbn(passphrase, context);
    let why = estimate
        .feedback()
        .and_then(|f| f.warning())
        .map(|w| format!(" ({})", w.to_string().trim_end_matches('.').to_lowercase()))
        .unwrap_or_default();
    match estimate.score() {
        zxcvbn::Score::Zero => Verdict::Refuse(format!(
            "that passphrase is among the first few thousand anyone would try{why}"
        )),
        zxcvbn::Score::One | zxcvbn::Score::Two => Verdict::Guessable(format!(
            "that passphrase could be guessed by someone with a copy of the journal{why}"
        )),
        _ => Verdict::Fine,
    }
}

/// Five words picked at random: a passphrase that is easy to type and hard to guess.
pub fn suggestion() -> String {
    const WORDS: &[&str] = &[
        "acorn", "amber", "anchor", "apron", "arch", "aspen", "badge", "basil", "beacon", "birch",
        "bloom", "bramble", "brook", "cactus", "candle", "canoe", "cedar", "chalk", "cinder",
        "clover", "cobalt", "comet", "copper", "coral", "crane", "cricket", "dahlia", "delta",
        "drift", "ember", "fable", "fennel", "fern", "fig", "flint", "fjord", "garnet", "ginger",
        "glade", "granite", "harbor", "hazel", "heron", "hollow", "indigo", "iris", "ivy",
        "jasper", "juniper", "kettle", "kiln", "lantern", "larch", "lemon", "lilac", "linen",
        "lotus", "maple", "marble", "meadow", "mint", "moss", "nectar", "nutmeg", "oak", "olive",
        "onyx", "orchid", "otter", "pebble", "pepper", "pine", "plum", "pollen", "quartz", "quill",
        "raven", "reed", "ripple", "river", "saffron", "sage", "sparrow", "spruce", "stone",
        "sumac", "tansy", "thistle", "thyme", "tide", "tulip", "velvet", "violet", "walnut",
        "willow", "wren", "yarrow", "zephyr", "zinnia",
    ];
    let mut rng = rand::rngs::OsRng;
    (0..5)
        .filter_map(|_| WORDS.choose(&mut rng).copied())
        .collect::<Vec<_>>()
        .join(" ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_weakest_are_refused_and_words_pass() {
        for weak in ["password", "123456", "qwerty"] {
            assert!(matches!(rate(weak, &[]), Verdict::Refuse(_)), "{weak}");
        }
        for used in [
            "first passphrase",
            "a brand new passphrase",
            "a passphrase nobody saw",
        ] {
            assert!(!matches!(rate(used, CONTEXT), Verdict::Refuse(_)), "{used}");
        }
        assert!(matches!(
            rate("summer2024", &[]),
            Verdict::Guessable(_) | Verdict::Refuse(_)
        ));
        assert_eq!(rate("a quiet river at dawn", &[]), Verdict::Fine);
        assert_eq!(rate(&suggestion(), &[]), Verdict::Fine);
    }
}
