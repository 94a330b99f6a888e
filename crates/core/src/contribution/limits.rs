//! The caps and shapes every field of a contribution or revocation must keep.
//!
//! A contribution comes from someone the facilitator cannot check beyond its signature, and
//! every string in it ends up in Markdown, HTML or a terminal. So nothing is taken on trust:
//! each string has a length cap and may hold no control characters (only an excerpt's text
//! keeps line breaks and tabs), and each list has a cap, so a file can neither smuggle
//! escape sequences nor make the build slow.

/// The largest contribution or revocation document read, in bytes (before sealing).
pub const MAX_FILE_BYTES: usize = 1 << 20;
/// The largest sealed file a facilitator's build opens: the document, armored.
pub const MAX_SEALED_BYTES: u64 = 2 << 20;
/// Most values one contribution may cover.
pub const MAX_VALUES: usize = 64;
/// Most excerpts one contribution may carry.
pub const MAX_EXCERPTS: usize = 32;
/// Longest excerpt text, in characters.
pub const MAX_EXCERPT_CHARS: usize = 10_000;
/// Longest purpose, in characters.
pub const MAX_PURPOSE_CHARS: usize = 120;
/// Longest member name, in characters.
pub const MAX_NAME_CHARS: usize = 60;
/// Longest value name, in characters.
pub const MAX_VALUE_NAME_CHARS: usize = 80;
/// Longest content note, in characters.
pub const MAX_NOTE_CHARS: usize = 200;
/// Longest word on the rating scale, in characters.
pub const MAX_SCALE_WORD_CHARS: usize = 40;

/// Why a string was refused, if it was.
pub(crate) fn text_problem(text: &str, max: usize, multiline: bool) -> Option<String> {
    let chars = text.chars().count();
    if chars > max {
        return Some(format!("is {chars} characters long (at most {max})"));
    }
    if let Some(c) = text
        .chars()
        .find(|c| is_unsafe_char(*c) && !(multiline && matches!(c, '\n' | '\t')))
    {
        return Some(format!(
            "holds the control character U+{:04X}",
            u32::from(c)
        ));
    }
    None
}

/// Control characters (C0, DEL, C1), and the invisible characters that reorder or hide
/// text (bidirectional overrides and isolates, line and paragraph separators).
pub fn is_unsafe_char(c: char) -> bool {
    c.is_control()
        || matches!(c,
            '\u{200B}'..='\u{200F}' | '\u{2028}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{FEFF}')
}

/// `text` with every unsafe character (see [`is_unsafe_char`]) replaced by `�`, for a
/// terminal: nothing a file says can move the cursor, change colours or retitle the window.
pub fn clean_for_terminal(text: &str) -> String {
    text.chars()
        .map(|c| if is_unsafe_char(c) { '\u{FFFD}' } else { c })
        .collect()
}

/// Whether `s` is a fingerprint in its exact shape: four groups of four lower-case hex
/// digits joined by `-`.
pub fn is_fingerprint(s: &str) -> bool {
    let groups: Vec<&str> = s.split('-').collect();
    groups.len() == 4
        && groups.iter().all(|g| {
            g.len() == 4
                && g.bytes()
                    .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
        })
}

/// Whether `s` is `len` lower-case hex digits.
pub(crate) fn is_lower_hex(s: &str, len: usize) -> bool {
    s.len() == len
        && s.bytes()
            .all(|b| b.is_ascii_digit() || (b'a'..=b'f').contains(&b))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn limits_refuse_control_characters_and_long_text() {
        assert_eq!(text_problem("fine words", 20, false), None);
        assert!(text_problem("a\nb", 20, false).is_some());
        assert_eq!(text_problem("a\nb\tc", 20, true), None);
        assert!(text_problem("\u{1b}[2J", 20, true).is_some());
        assert!(text_problem("\u{202E}evil", 20, true).is_some());
        assert!(text_problem(&"x".repeat(21), 20, true).is_some());
        assert_eq!(
            clean_for_terminal("a\u{1b}]0;t\u{7}b"),
            "a\u{FFFD}]0;t\u{FFFD}b"
        );
    }

    #[test]
    fn limits_fingerprint_shape() {
        assert!(is_fingerprint("0a1b-2c3d-4e5f-6789"));
        for bad in [
            "0A1B-2C3D-4E5F-6789",
            "0a1b2c3d4e5f6789",
            "0a1b-2c3d-4e5f",
            "<img>-aaaa-aaaa-aaaa",
            "0a1b-2c3d-4e5f-678\n",
        ] {
            assert!(!is_fingerprint(bad), "{bad}");
        }
    }
}
