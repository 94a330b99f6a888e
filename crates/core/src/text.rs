//! Small text helpers shared by reflections, the editor template and output.

/// The first non-empty line of `text`, cut to at most `max` characters (with an ellipsis).
pub fn first_line(text: &str, max: usize) -> String {
    let line = text
        .lines()
        .map(str::trim)
        .find(|l| !l.is_empty())
        .unwrap_or("");
    truncate(line, max)
}

/// A count and its word, in the right number: `1 reflection`, `3 reflections`.
pub fn count(n: impl Into<u64>, one: &str, many: &str) -> String {
    let n = n.into();
    format!("{n} {}", if n == 1 { one } else { many })
}

/// The same for a length.
pub fn count_of(n: usize, one: &str, many: &str) -> String {
    count(n as u64, one, many)
}

/// `s` trimmed, or `None` when nothing is left: a note given as spaces is no note.
pub fn non_empty(s: &str) -> Option<String> {
    let t = s.trim();
    (!t.is_empty()).then(|| t.to_owned())
}

/// `s` cut to at most `max` characters, ending in `…` when cut.
pub fn truncate(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        return s.to_owned();
    }
    let mut out: String = s.chars().take(max.saturating_sub(1)).collect();
    out.push('…');
    out
}

/// The marker that starts a comment line in the editor template.
pub const COMMENT: &str = "#";

/// Builds the text a member sees in their editor: `body` (empty for a new reflection) then
/// the prompts of the chosen values as comment lines, which [`strip_comments`] removes again.
pub fn editor_template(body: &str, heading: &str, prompts: &[(String, Vec<String>)]) -> String {
    let mut out = String::new();
    out.push_str(body);
    if !body.ends_with('\n') {
        out.push('\n');
    }
    out.push_str(&format!("{COMMENT} {heading}\n"));
    out.push_str(&format!(
        "{COMMENT} Lines starting with {COMMENT} are removed. Every prompt is optional.\n"
    ));
    out.push_str(&format!(
        "{COMMENT} Save an empty text (or quit without saving) to keep nothing.\n"
    ));
    for (value, questions) in prompts {
        out.push_str(&format!("{COMMENT}\n{COMMENT} {value}\n"));
        for q in questions {
            out.push_str(&format!("{COMMENT}   - {q}\n"));
        }
    }
    out
}

/// Removes comment lines and surrounding blank lines from what came back from the editor.
pub fn strip_comments(edited: &str) -> String {
    let kept: Vec<&str> = edited
        .lines()
        .filter(|l| !l.trim_start().starts_with(COMMENT))
        .collect();
    kept.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn template_round_trip() {
        let t = editor_template(
            "",
            "New reflection",
            &[("Equity".into(), vec!["Who carried more?".into()])],
        );
        assert!(t.contains("Who carried more?"));
        assert_eq!(strip_comments(&t), "");
        let written = format!("I noticed the rota.\n\nIt matters.\n{t}");
        assert_eq!(
            strip_comments(&written),
            "I noticed the rota.\n\nIt matters."
        );
    }

    #[test]
    fn first_lines() {
        assert_eq!(first_line("\n  hello there \nmore", 80), "hello there");
        assert_eq!(first_line("abcdef", 4), "abc…");
        assert_eq!(first_line("", 4), "");
    }
}
