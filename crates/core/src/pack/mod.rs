//! Values packs: the list of values a cooperative reflects against, in its own words.
//!
//! A pack belongs to the cooperative, not to tend, so it is a plain TOML file that people
//! write and review by hand. This module reads that file with messages that point at the
//! line to fix, writes it back out, and keeps one promise above all: a value's id never
//! changes meaning. Names and words can change; a value that is no longer wanted is
//! retired, never deleted, so old reflections keep reading the way they were written.
//!
//! ```
//! use tend_core::pack::ValuesPack;
//!
//! let pack = ValuesPack::parse(
//!     r#"
//! [pack]
//! name = "Rivers Therapy Cooperative"
//!
//! [[value]]
//! id = "equity"
//! name = "Equity"
//! description = "Fairness is not sameness."
//! prompts = ["Whose needs were easiest to overlook this week?"]
//! "#,
//! )?;
//! assert_eq!(pack.resolve_active("equity")?.name, "Equity");
//! assert_eq!(pack.scale.word(5), Some("fully"));
//! assert_eq!(ValuesPack::parse(&pack.to_toml())?, pack);
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```

mod builtin;
mod diff;
mod edit;
mod error;
mod export;
mod lookup;
mod parse;
#[cfg(test)]
mod proptests;
#[cfg(test)]
mod tests;

use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

pub use diff::{PackDiff, ValueChange};
pub use error::{PackEditError, PackError, ValueLookupError};

/// The longest id a value may have, in characters.
pub const MAX_ID_LEN: usize = 40;

/// The most points a rating scale may have. More than this and the words stop meaning
/// different things to different people.
pub const MAX_SCALE_POINTS: usize = 10;

/// A cooperative's values, the words of its rating scale, and its repair prompts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValuesPack {
    /// The pack's name, version, description and language.
    pub meta: PackMeta,
    /// The alignment rating scale and the word for each point on it.
    pub scale: Scale,
    /// Every value the pack has ever held, retired ones included, in the pack's order.
    pub values: Vec<Value>,
    /// The prompts offered when a member works through a repair.
    pub repair: RepairPrompts,
}

/// What a values pack is called and who it speaks to.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackMeta {
    /// The pack's name, usually the cooperative's name. Never empty.
    pub name: String,
    /// A free-form version the cooperative chooses, such as `"2"` or `"2026 retreat"`.
    pub version: String,
    /// A few sentences on where the pack comes from. May be empty.
    pub description: String,
    /// The language the pack is written in, as a tag such as `"en"`.
    pub language: String,
}

/// The alignment rating scale: whole numbers from `min` to `max`, one word for each.
///
/// The words describe how much a week lived a value ("partly", "mostly"); they never judge
/// the person who chose them.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Scale {
    /// The lowest rating.
    pub min: u8,
    /// The highest rating.
    pub max: u8,
    /// One word for each rating from `min` to `max`, in order.
    pub words: Vec<String>,
}

/// One value of a values pack, known by an id that never changes meaning.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Value {
    /// The stable id: lowercase letters, digits and single hyphens, starting with a letter.
    pub id: String,
    /// The name people see. It may change; the id does not.
    pub name: String,
    /// What living this value looks like, in the cooperative's words.
    pub description: String,
    /// Reflection questions. Each is an invitation, and each can be skipped.
    pub prompts: Vec<String>,
    /// A retired value stays known, so old reflections still read, but new reflections
    /// cannot name it.
    #[serde(default)]
    pub retired: bool,
}

/// Prompts for the four parts of accountability (after Mia Mingus): self-reflection,
/// apology, repair and changed behaviour.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairPrompts {
    /// Self-reflection: what happened, and who was affected and how.
    pub reflection: Vec<String>,
    /// Apology: acknowledging the impact, without explaining it away.
    pub apology: Vec<String>,
    /// Repair: what is needed to make things right, as far as they can be.
    pub repair: Vec<String>,
    /// Changed behaviour: what will be done differently.
    pub change: Vec<String>,
}

impl Scale {
    /// The word for `rating`, or `None` if the rating is not on this scale.
    pub fn word(&self, rating: u8) -> Option<&str> {
        if !self.contains(rating) {
            return None;
        }
        self.words
            .get(usize::from(rating - self.min))
            .map(String::as_str)
    }

    /// Whether `rating` is on this scale.
    pub fn contains(&self, rating: u8) -> bool {
        (self.min..=self.max).contains(&rating)
    }

    /// How many points the scale has: `max - min + 1`.
    pub fn points(&self) -> usize {
        usize::from(self.max.saturating_sub(self.min)) + 1
    }
}

impl Default for Scale {
    /// One to five, in words that describe how much the week lived the value.
    fn default() -> Self {
        Scale {
            min: 1,
            max: 5,
            words: ["not this week", "a little", "partly", "mostly", "fully"]
                .map(String::from)
                .to_vec(),
        }
    }
}

impl Default for PackMeta {
    /// An unnamed pack, version `"1"`, in English. Not valid until it has a name.
    fn default() -> Self {
        PackMeta {
            name: String::new(),
            version: "1".to_owned(),
            description: String::new(),
            language: "en".to_owned(),
        }
    }
}

impl Default for RepairPrompts {
    /// Prompts built on the restorative questions: what happened; who was affected and
    /// how; what is needed to make things right; what will I do differently.
    fn default() -> Self {
        let list = |prompts: &[&str]| prompts.iter().map(|p| (*p).to_owned()).collect();
        RepairPrompts {
            reflection: list(&[
                "What happened, in your own words?",
                "What was going on for you at the time: what were you feeling, needing or assuming?",
                "Who was affected, and how? What might it have been like for them?",
                "Which of our values does this touch?",
            ]),
            apology: list(&[
                "What impact do you want to acknowledge, apart from what you intended?",
                "Who is an apology owed to, and how would they like to receive it, if at all?",
                "What would you say without explaining it away?",
            ]),
            repair: list(&[
                "What is needed to make things right, as far as they can be?",
                "Have you asked the people affected what they need, rather than guessing?",
                "What can you offer, and by when?",
            ]),
            change: list(&[
                "What will you do differently next time?",
                "What support, practice or structure would help that change last?",
                "Who could help you notice whether the change is holding?",
            ]),
        }
    }
}

impl ValuesPack {
    /// The value with this id, active or retired.
    pub fn value(&self, id: &str) -> Option<&Value> {
        self.values.iter().find(|v| v.id == id)
    }

    /// The values new reflections can name, in the pack's order.
    pub fn active(&self) -> impl Iterator<Item = &Value> {
        self.values.iter().filter(|v| !v.retired)
    }

    /// A short, stable fingerprint of the pack's content, such as `"a1b2-c3d4-e5f6-0789"`.
    ///
    /// Two members whose fingerprints match hold the same pack: the same details, scale,
    /// repair prompts and active values with the same words and prompts, in the same order.
    /// Retired values are left out: a journal keeps values retired by an import so old
    /// reflections still read, and that history should not make a member's pack look
    /// different from a newcomer's made from the same file. It depends only on the content,
    /// never on how the TOML file was laid out, so it is the thing to compare before a retreat.
    pub fn fingerprint(&self) -> String {
        let mut hasher = Sha256::new();
        // A versioned prefix, so a future change to the canonical form cannot collide.
        hasher.update(b"tend values pack v2\n");
        let mut active = self.clone();
        active.values.retain(|v| !v.retired);
        // Serializing plain structs and vectors (no maps) gives one canonical JSON text.
        let canonical = serde_json::to_vec(&active).unwrap_or_default();
        hasher.update(&canonical);
        let digest = hasher.finalize();
        let hex: String = digest.iter().take(8).map(|b| format!("{b:02x}")).collect();
        hex.as_bytes()
            .chunks(4)
            .map(|chunk| String::from_utf8_lossy(chunk).into_owned())
            .collect::<Vec<_>>()
            .join("-")
    }
}

/// Whether `id` has the shape of a value id: `^[a-z][a-z0-9-]{0,39}$` with no trailing or
/// doubled hyphen.
pub(crate) fn is_valid_id(id: &str) -> bool {
    let bytes = id.as_bytes();
    match bytes.first() {
        Some(first) if first.is_ascii_lowercase() => {}
        _ => return false,
    }
    bytes.len() <= MAX_ID_LEN
        && bytes
            .iter()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || *b == b'-')
        && !id.ends_with('-')
        && !id.contains("--")
}

/// A well-shaped id made from `text`, for hints: "Anti Oppression" becomes
/// "anti-oppression". `None` if nothing usable is left.
pub(crate) fn suggest_id(text: &str) -> Option<String> {
    let mut id = String::new();
    for c in text.chars().flat_map(char::to_lowercase) {
        if c.is_ascii_lowercase() || (c.is_ascii_digit() && !id.is_empty()) {
            id.push(c);
        } else if !id.is_empty() && !id.ends_with('-') {
            id.push('-');
        }
    }
    let mut id: String = id.chars().take(MAX_ID_LEN).collect();
    while id.ends_with('-') {
        id.pop();
    }
    is_valid_id(&id).then_some(id)
}
