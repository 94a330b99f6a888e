//! What can go wrong with a values pack, in words a person can act on.
//!
//! Reading a pack, naming a value and editing a pack fail for different reasons and need
//! different advice, so each has its own error.

use std::fmt;

use thiserror::Error;

/// A values pack file that could not be read, with where and what to do about it.
///
/// Displays as `line L, column C: message` (both 1-based); the caller adds the file name
/// in front and shows `hint` on a line of its own.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[error("{}", Located(self))]
pub struct PackError {
    /// The 1-based line the problem is on, when it is on one.
    pub line: Option<usize>,
    /// The 1-based column (in characters) the problem starts at, when known.
    pub column: Option<usize>,
    /// What is wrong, in a plain sentence.
    pub message: String,
    /// What to do about it, when there is something specific to suggest.
    pub hint: Option<String>,
}

/// `PackError`'s display: the position, then the message.
struct Located<'a>(&'a PackError);

impl fmt::Display for Located<'_> {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let error = self.0;
        match (error.line, error.column) {
            (Some(line), Some(column)) => write!(f, "line {line}, column {column}: ")?,
            (Some(line), None) => write!(f, "line {line}: ")?,
            _ => {}
        }
        f.write_str(&error.message)
    }
}

impl PackError {
    /// An error at a byte offset in `source`, turned into a line and column.
    pub(crate) fn at(
        source: &str,
        offset: usize,
        message: impl Into<String>,
        hint: impl Into<Option<String>>,
    ) -> PackError {
        let (line, column) = line_column(source, offset);
        PackError {
            line: Some(line),
            column: Some(column),
            message: message.into(),
            hint: hint.into(),
        }
    }
}

/// The 1-based line and column (in characters) of byte `offset` in `source`. An offset
/// past the end or inside a character is moved back to the nearest character start.
pub(crate) fn line_column(source: &str, offset: usize) -> (usize, usize) {
    let mut offset = offset.min(source.len());
    while !source.is_char_boundary(offset) {
        offset -= 1;
    }
    let before = &source[..offset];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    let column = before[line_start..].chars().count() + 1;
    (line, column)
}

/// A value named for a new reflection that the pack cannot give.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum ValueLookupError {
    /// No value has this id.
    #[error(
        "This values pack has no value `{id}`.{} Active values: {}.",
        nearest.as_ref().map(|n| format!(" Did you mean `{n}`?")).unwrap_or_default(),
        list(active)
    )]
    Unknown {
        /// The id that was asked for.
        id: String,
        /// The closest active id, by spelling or by name, if one is close.
        nearest: Option<String>,
        /// The ids of the active values.
        active: Vec<String>,
    },
    /// The value exists but has been retired, so new reflections cannot name it.
    #[error(
        "The value `{id}` is retired, so new reflections can't name it (it can be restored). Active values: {}.",
        list(active)
    )]
    Retired {
        /// The retired value's id.
        id: String,
        /// The ids of the active values.
        active: Vec<String>,
    },
}

fn list(ids: &[String]) -> String {
    if ids.is_empty() {
        "none".to_owned()
    } else {
        ids.join(", ")
    }
}

/// A change to a values pack that could not be made. The pack is left as it was.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
#[non_exhaustive]
pub enum PackEditError {
    /// The id does not have the shape of a value id.
    #[error(
        "`{id}` can't be a value id: ids use lowercase letters, digits and single hyphens, start with a letter and are at most 40 characters.{}",
        suggestion.as_ref().map(|s| format!(" Try `{s}`.")).unwrap_or_default()
    )]
    MalformedId {
        /// The id as given.
        id: String,
        /// A well-shaped id made from it, if one can be.
        suggestion: Option<String>,
    },
    /// Another value, active or retired, already has this id.
    #[error(
        "The pack already has a value `{id}`{}; ids never change meaning, so choose another id.",
        if *retired { " (retired)" } else { "" }
    )]
    DuplicateId {
        /// The id already in use.
        id: String,
        /// Whether the value holding it is retired (it could be restored instead).
        retired: bool,
    },
    /// No value has this id.
    #[error(
        "This values pack has no value `{id}`.{}",
        nearest.as_ref().map(|n| format!(" Did you mean `{n}`?")).unwrap_or_default()
    )]
    UnknownId {
        /// The id as given.
        id: String,
        /// The closest id in the pack, if one is close.
        nearest: Option<String>,
    },
    /// A value needs a name people can recognise.
    #[error("The value `{id}` needs a name; it can't be empty.")]
    EmptyName {
        /// The value's id.
        id: String,
    },
    /// A value needs a description.
    #[error(
        "The value `{id}` needs a description: a sentence or two on what living it looks like."
    )]
    EmptyDescription {
        /// The value's id.
        id: String,
    },
    /// One of a value's prompts is empty.
    #[error("One of the prompts for `{id}` is empty; remove it or write the question.")]
    EmptyPrompt {
        /// The value's id.
        id: String,
    },
    /// The value is already retired.
    #[error("The value `{id}` is already retired.")]
    AlreadyRetired {
        /// The value's id.
        id: String,
    },
    /// The value is active, so there is nothing to restore.
    #[error("The value `{id}` is already active; there is nothing to restore.")]
    NotRetired {
        /// The value's id.
        id: String,
    },
    /// Retiring this value would leave the pack with no active values.
    #[error("`{id}` is the last active value; add or restore another value before retiring it.")]
    LastActive {
        /// The value's id.
        id: String,
    },
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_error_display_puts_the_position_first() {
        let error = PackError::at("a\nbc = 1", 3, "Something.", None);
        assert_eq!(error.to_string(), "line 2, column 2: Something.");
        let nowhere = PackError {
            line: None,
            column: None,
            message: "Something.".to_owned(),
            hint: None,
        };
        assert_eq!(nowhere.to_string(), "Something.");
    }

    #[test]
    fn pack_line_column_counts_characters_and_never_panics() {
        assert_eq!(line_column("", 0), (1, 1));
        assert_eq!(line_column("ab", 99), (1, 3));
        assert_eq!(line_column("é = 1", 2), (1, 2));
        assert_eq!(line_column("é = 1", 1), (1, 1), "inside a character");
        assert_eq!(line_column("x\n\ny", 3), (3, 1));
    }

    #[test]
    fn pack_lookup_errors_read_plainly() {
        let error = ValueLookupError::Unknown {
            id: "equty".to_owned(),
            nearest: Some("equity".to_owned()),
            active: vec!["equity".to_owned(), "repair".to_owned()],
        };
        assert_eq!(
            error.to_string(),
            "This values pack has no value `equty`. Did you mean `equity`? Active values: equity, repair."
        );
    }
}
