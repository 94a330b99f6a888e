//! Reading one TOML table of a pack file: its known keys, and each key as the type it
//! should be, with an error pointing at the key or the value when it is not.

use toml::Spanned;
use toml::de::{DeTable, DeValue};

use crate::pack::PackError;
use crate::pack::lookup::nearest_word;

/// Which keys each part of a pack file may have.
pub(super) const TOP_KEYS: &[&str] = &["pack", "scale", "value", "repair"];
pub(super) const PACK_KEYS: &[&str] = &["name", "version", "description", "language"];
pub(super) const SCALE_KEYS: &[&str] = &["min", "max", "words"];
pub(super) const VALUE_KEYS: &[&str] = &["id", "name", "description", "prompts", "retired"];
pub(super) const REPAIR_KEYS: &[&str] = &["reflection", "apology", "repair", "change"];

/// A piece of text from the file and the byte offset it starts at.
pub(super) struct Text {
    pub(super) text: String,
    pub(super) at: usize,
}

/// One table of the document, with what it may hold and how to talk about it.
pub(super) struct Table<'a, 'i> {
    pub(super) source: &'a str,
    pub(super) table: &'a DeTable<'i>,
    /// Where the table's header starts, for problems with the table as a whole.
    pub(super) at: usize,
    /// How a person would name the table: "the [scale] table", "this [[value]]".
    pub(super) label: &'static str,
    pub(super) known: &'static [&'static str],
}

impl<'a> Table<'a, '_> {
    pub(super) fn error(
        &self,
        at: usize,
        message: impl Into<String>,
        hint: impl Into<String>,
    ) -> PackError {
        PackError::at(self.source, at, message, Some(hint.into()))
    }

    /// The first unknown key, in the order the file has them, with the nearest known key.
    pub(super) fn check_keys(&self) -> Result<(), PackError> {
        let unknown = self
            .table
            .keys()
            .filter(|key| !self.known.contains(&key.get_ref().as_ref()))
            .min_by_key(|key| key.span().start);
        let Some(key) = unknown else {
            return Ok(());
        };
        let name = key.get_ref().as_ref();
        let hint = if let Some(near) = nearest_word(name, self.known) {
            format!("Did you mean `{near}`?")
        } else if self.known == TOP_KEYS && PACK_KEYS.contains(&name) {
            format!("`{name}` belongs under the [pack] line; move it there.")
        } else {
            format!("The keys it can have are: {}.", self.known.join(", "))
        };
        Err(self.error(
            key.span().start,
            format!("{} can't have a key `{name}`.", capitalised(self.label)),
            hint,
        ))
    }

    fn wrong_type(&self, key: &str, item: &Spanned<DeValue<'_>>, expected: &str) -> PackError {
        let example = match expected {
            "text" => format!("{key} = \"...\""),
            "a list of text" => format!("{key} = [\"...\", \"...\"]"),
            "a whole number" => format!("{key} = 1"),
            _ => format!("{key} = true"),
        };
        self.error(
            item.span().start,
            format!("`{key}` in {} should be {expected}.", self.label),
            format!("Write it like {example}."),
        )
    }

    fn missing(&self, key: &str, hint: &str) -> PackError {
        self.error(
            self.at,
            format!("{} has no `{key}`.", capitalised(self.label)),
            hint,
        )
    }

    pub(super) fn not_blank(
        &self,
        text: &Text,
        message: &str,
        hint: &str,
    ) -> Result<(), PackError> {
        if text.text.trim().is_empty() {
            Err(self.error(text.at, message, hint))
        } else {
            Ok(())
        }
    }

    pub(super) fn table(&self, key: &'static str) -> Result<Option<Table<'a, '_>>, PackError> {
        let Some(item) = self.table.get(key) else {
            return Ok(None);
        };
        let DeValue::Table(table) = item.get_ref() else {
            return Err(self.error(
                item.span().start,
                format!("`{key}` should be a table of its own."),
                format!("Write [{key}] on a line of its own, with its keys on the lines below."),
            ));
        };
        let (label, known) = match key {
            "pack" => ("the [pack] table", PACK_KEYS),
            "scale" => ("the [scale] table", SCALE_KEYS),
            _ => ("the [repair] table", REPAIR_KEYS),
        };
        Ok(Some(Table {
            source: self.source,
            table,
            at: item.span().start,
            label,
            known,
        }))
    }

    pub(super) fn text(&self, key: &str) -> Result<Option<Text>, PackError> {
        let Some(item) = self.table.get(key) else {
            return Ok(None);
        };
        match item.get_ref() {
            DeValue::String(text) => Ok(Some(Text {
                text: text.to_string(),
                at: item.span().start,
            })),
            _ => Err(self.wrong_type(key, item, "text")),
        }
    }

    pub(super) fn required_text(&self, key: &str, hint: &str) -> Result<Text, PackError> {
        self.text(key)?.ok_or_else(|| self.missing(key, hint))
    }

    pub(super) fn texts(&self, key: &str) -> Result<Option<Vec<Text>>, PackError> {
        let Some(item) = self.table.get(key) else {
            return Ok(None);
        };
        let DeValue::Array(array) = item.get_ref() else {
            return Err(self.wrong_type(key, item, "a list of text"));
        };
        array
            .iter()
            .map(|element| match element.get_ref() {
                DeValue::String(text) => Ok(Text {
                    text: text.to_string(),
                    at: element.span().start,
                }),
                _ => Err(self.wrong_type(key, element, "a list of text")),
            })
            .collect::<Result<Vec<_>, _>>()
            .map(Some)
    }

    /// A whole number from 0 to 255, and where it is.
    pub(super) fn small_number(&self, key: &str) -> Result<Option<(u8, usize)>, PackError> {
        let Some(item) = self.table.get(key) else {
            return Ok(None);
        };
        let Some(integer) = item.get_ref().as_integer() else {
            return Err(self.wrong_type(key, item, "a whole number"));
        };
        let number = i64::from_str_radix(integer.as_str(), integer.radix())
            .ok()
            .and_then(|n| u8::try_from(n).ok());
        match number {
            Some(number) => Ok(Some((number, item.span().start))),
            None => Err(self.error(
                item.span().start,
                format!("`{key}` in {} must be from 0 to 255.", self.label),
                "Rating scales use small whole numbers, such as 1 to 5.",
            )),
        }
    }

    pub(super) fn boolean(&self, key: &str) -> Result<Option<bool>, PackError> {
        let Some(item) = self.table.get(key) else {
            return Ok(None);
        };
        match item.get_ref() {
            DeValue::Boolean(flag) => Ok(Some(*flag)),
            _ => Err(self.wrong_type(key, item, "true or false")),
        }
    }
}

fn capitalised(label: &str) -> String {
    let mut chars = label.chars();
    chars
        .next()
        .map(|first| first.to_uppercase().chain(chars).collect())
        .unwrap_or_default()
}
