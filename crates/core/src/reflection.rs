//! Reflections: what a member writes about how their work lived up to their values.
//!
//! A [`Reflection`] is the whole entry; an [`Entry`] is its small, text-free digest (date,
//! values, tags, content note, first line) that the store keeps in a compact index so that
//! listing and filtering need not open every text.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

use crate::text;

/// One value named on a reflection, with an optional alignment rating on the pack's scale.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueRating {
    /// The value's stable id in the values pack.
    pub value: String,
    /// The alignment rating, when the member gave one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rating: Option<u8>,
}

impl ValueRating {
    /// A value with an optional rating.
    pub fn new(value: impl Into<String>, rating: Option<u8>) -> Self {
        Self {
            value: value.into(),
            rating,
        }
    }

    /// Reads `VALUE` or `VALUE=RATING` as typed after `-v`.
    pub fn parse_arg(arg: &str) -> Result<Self, String> {
        match arg.split_once('=') {
            None => Ok(Self::new(arg.trim(), None)),
            Some((value, rating)) => {
                let rating = rating.trim().parse::<u8>().map_err(|_| {
                    format!("the rating in {arg:?} is not a whole number (try {value}=3)")
                })?;
                Ok(Self::new(value.trim(), Some(rating)))
            }
        }
    }
}

/// A reflection: free text about a day, tagged with values and words of the member's choice.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reflection {
    /// The day the reflection is about.
    pub on: NaiveDate,
    /// When it was written.
    pub written: DateTime<Utc>,
    /// When it was last changed, if ever.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub edited: Option<DateTime<Utc>>,
    /// The text, as written.
    pub text: String,
    /// The values it names, each with an optional rating.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<ValueRating>,
    /// Free tags.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub tags: Vec<String>,
    /// A note shown in place of the text, so reading hard material is a choice.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_note: Option<String>,
}

impl Reflection {
    /// A reflection with text, a day and the moment it was written; nothing else yet.
    pub fn new(text: impl Into<String>, on: NaiveDate, written: DateTime<Utc>) -> Self {
        Self {
            on,
            written,
            edited: None,
            text: text.into(),
            values: Vec::new(),
            tags: Vec::new(),
            content_note: None,
        }
    }

    /// Adds a value (builder style).
    #[must_use]
    pub fn with_value(mut self, value: ValueRating) -> Self {
        self.values.push(value);
        self
    }

    /// The first line of the text, shortened for lists.
    pub fn title(&self) -> String {
        text::first_line(&self.text, 72)
    }

    /// The text-free digest kept in the index.
    pub fn entry(&self, id: u64) -> Entry {
        Entry {
            id,
            on: self.on,
            written: self.written,
            values: self.values.clone(),
            tags: self.tags.clone(),
            content_note: self.content_note.clone(),
            title: self.title(),
        }
    }

    /// Whether every word occurs (case-insensitively) in the text, tags or content note.
    /// `words` must already be lower-case (see [`Query::new`]).
    pub fn contains_all(&self, words: &[String]) -> bool {
        let haystack = self.search_text();
        words.iter().all(|w| haystack.contains(w.as_str()))
    }

    fn search_text(&self) -> String {
        let mut s = self.text.to_lowercase();
        for tag in &self.tags {
            s.push('\n');
            s.push_str(&tag.to_lowercase());
        }
        if let Some(note) = &self.content_note {
            s.push('\n');
            s.push_str(&note.to_lowercase());
        }
        s
    }
}

/// The digest of one reflection that lists and filters work from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// The reflection's id.
    pub id: u64,
    /// The day it is about.
    pub on: NaiveDate,
    /// When it was written (orders reflections of the same day).
    pub written: DateTime<Utc>,
    /// Its values and ratings.
    #[serde(default)]
    pub values: Vec<ValueRating>,
    /// Its tags.
    #[serde(default)]
    pub tags: Vec<String>,
    /// Its content note, if any.
    #[serde(default)]
    pub content_note: Option<String>,
    /// Its first line.
    pub title: String,
}

/// Which reflections a list, search or export is about.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Filter {
    /// Only reflections on or after this day.
    pub since: Option<NaiveDate>,
    /// Only reflections on or before this day.
    pub until: Option<NaiveDate>,
    /// Only reflections naming every one of these values.
    pub values: Vec<String>,
    /// Only reflections carrying every one of these tags (case-insensitive).
    pub tags: Vec<String>,
}

impl Filter {
    /// Whether an entry passes the filter.
    pub fn matches(&self, entry: &Entry) -> bool {
        self.since.is_none_or(|d| entry.on >= d)
            && self.until.is_none_or(|d| entry.on <= d)
            && self
                .values
                .iter()
                .all(|v| entry.values.iter().any(|r| &r.value == v))
            && self
                .tags
                .iter()
                .all(|t| entry.tags.iter().any(|e| e.eq_ignore_ascii_case(t)))
    }
}

/// Orders entries newest first: by day, then by when they were written, then by id.
pub fn sort_newest_first(entries: &mut [Entry]) {
    entries.sort_unstable_by_key(|e| std::cmp::Reverse((e.on, e.written, e.id)));
}

/// The newest `n` entries, newest first, without sorting the whole list.
pub fn newest(mut entries: Vec<Entry>, n: usize) -> Vec<Entry> {
    if n < entries.len() {
        let key = |e: &Entry| std::cmp::Reverse((e.on, e.written, e.id));
        entries.select_nth_unstable_by_key(n, key);
        entries.truncate(n);
    }
    sort_newest_first(&mut entries);
    entries
}

/// A search: words that must all occur, case-insensitively.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Query {
    words: Vec<String>,
}

impl Query {
    /// Splits the typed words on whitespace and lower-cases them.
    pub fn new<S: AsRef<str>>(typed: &[S]) -> Self {
        let words = typed
            .iter()
            .flat_map(|w| w.as_ref().split_whitespace())
            .map(str::to_lowercase)
            .collect();
        Self { words }
    }

    /// Whether the query has no words at all.
    pub fn is_empty(&self) -> bool {
        self.words.is_empty()
    }

    /// Whether a reflection matches.
    pub fn matches(&self, reflection: &Reflection) -> bool {
        reflection.contains_all(&self.words)
    }
}

/// Normalises tags as typed: trimmed, a leading `#` or `@` dropped, empty ones removed,
/// duplicates (ignoring case) removed, order kept.
pub fn normalise_tags<S: AsRef<str>>(tags: &[S]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    for tag in tags {
        let t = tag.as_ref().trim().trim_start_matches(['#', '@']).trim();
        if !t.is_empty() && !out.iter().any(|o| o.eq_ignore_ascii_case(t)) {
            out.push(t.to_owned());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn r(text: &str, day: u32) -> Reflection {
        Reflection::new(
            text,
            NaiveDate::from_ymd_opt(2026, 1, day).expect("date"),
            Utc.with_ymd_and_hms(2026, 1, day, 9, 0, 0)
                .single()
                .expect("time"),
        )
    }

    #[test]
    fn value_args() {
        assert_eq!(
            ValueRating::parse_arg("equity=4"),
            Ok(ValueRating::new("equity", Some(4)))
        );
        assert_eq!(
            ValueRating::parse_arg("repair"),
            Ok(ValueRating::new("repair", None))
        );
        assert!(ValueRating::parse_arg("repair=lots").is_err());
    }

    #[test]
    fn search_is_case_insensitive_and_needs_every_word() {
        let mut refl = r("Named the Pay gap in the circle", 2);
        refl.tags = vec!["Budget".into()];
        assert!(Query::new(&["pay", "CIRCLE"]).matches(&refl));
        assert!(Query::new(&["budget gap"]).matches(&refl));
        assert!(!Query::new(&["pay", "absent"]).matches(&refl));
    }

    #[test]
    fn filters() {
        let mut refl = r("x", 5);
        refl.values.push(ValueRating::new("equity", Some(3)));
        refl.tags.push("Team".into());
        let e = refl.entry(1);
        let day = |d| NaiveDate::from_ymd_opt(2026, 1, d);
        assert!(Filter::default().matches(&e));
        assert!(
            Filter {
                since: day(5),
                until: day(5),
                ..Default::default()
            }
            .matches(&e)
        );
        assert!(
            !Filter {
                since: day(6),
                ..Default::default()
            }
            .matches(&e)
        );
        assert!(
            Filter {
                tags: vec!["team".into()],
                ..Default::default()
            }
            .matches(&e)
        );
        assert!(
            !Filter {
                values: vec!["repair".into()],
                ..Default::default()
            }
            .matches(&e)
        );
    }

    #[test]
    fn newest_first() {
        let entries: Vec<Entry> = (1..=9).map(|d| r("x", d).entry(u64::from(d))).collect();
        let top = newest(entries.clone(), 3);
        assert_eq!(top.iter().map(|e| e.id).collect::<Vec<_>>(), vec![9, 8, 7]);
        assert_eq!(newest(entries, 100).len(), 9);
    }

    #[test]
    fn tags_are_normalised() {
        assert_eq!(
            normalise_tags(&["#team", " Team ", "", "@pay"]),
            vec!["team".to_owned(), "pay".to_owned()]
        );
    }
}
