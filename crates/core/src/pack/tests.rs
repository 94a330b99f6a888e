//! Tests across the pack module: the file format end to end, bad packs, fingerprints.

#![allow(clippy::unwrap_used)]
use super::*;

#[test]
fn pack_scale_words_and_range() {
    let scale = Scale::default();
    assert_eq!(scale.word(1), Some("not this week"));
    assert_eq!(scale.word(5), Some("fully"));
    assert_eq!(scale.word(0), None);
    assert_eq!(scale.word(6), None);
    assert!(scale.contains(3));
    assert_eq!(scale.points(), 5);
    let broken = Scale {
        min: 1,
        max: 5,
        words: vec![],
    };
    assert_eq!(broken.word(3), None, "a scale built by hand never panics");
}

#[test]
fn pack_ids_have_one_shape() {
    for good in ["equity", "a", "anti-oppression", "x1-2y", &"a".repeat(40)] {
        assert!(is_valid_id(good), "{good}");
    }
    for bad in [
        "",
        "Equity",
        "1st",
        "-a",
        "a-",
        "a--b",
        "a_b",
        "a b",
        "é",
        &"a".repeat(41),
    ] {
        assert!(!is_valid_id(bad), "{bad}");
    }
}

#[test]
fn pack_suggested_ids_are_valid() {
    assert_eq!(
        suggest_id("Anti Oppression").as_deref(),
        Some("anti-oppression")
    );
    assert_eq!(
        suggest_id("People over profit!").as_deref(),
        Some("people-over-profit")
    );
    assert_eq!(suggest_id("42 care").as_deref(), Some("care"));
    assert_eq!(suggest_id("!!!"), None);
}

#[test]
fn pack_fingerprint_is_grouped_hex() {
    let fp = ValuesPack::default_pack().fingerprint();
    assert_eq!(fp.len(), 19, "{fp}");
    assert_eq!(fp.matches('-').count(), 3, "{fp}");
    assert!(fp.chars().all(|c| c == '-' || c.is_ascii_hexdigit()));
}

#[test]
fn pack_round_trips_through_json() {
    let pack = ValuesPack::default_pack();
    let json = serde_json::to_string(&pack).unwrap();
    let back: ValuesPack = serde_json::from_str(&json).unwrap();
    assert_eq!(back, pack);
}

/// A small valid pack; tests break it one line at a time.
const GOOD: &str = r#"[pack]
name = "Rivers Therapy Cooperative"

[[value]]
id = "equity"
name = "Equity"
description = "Fairness is not sameness."
prompts = ["Whose needs were easiest to overlook?"]
"#;

/// Parses `source`, expecting an error at `line`, `column`, and returns it.
fn error_at(source: &str, line: usize, column: usize) -> PackError {
    let error = ValuesPack::parse(source).expect_err("this pack should not parse");
    assert_eq!(
        (error.line, error.column),
        (Some(line), Some(column)),
        "{error} in:\n{source}"
    );
    assert!(error.hint.is_some(), "every pack error has a hint: {error}");
    error
}

#[test]
fn pack_good_pack_gets_defaults() {
    let pack = ValuesPack::parse(GOOD).unwrap();
    assert_eq!(pack.meta.version, "1");
    assert_eq!(pack.meta.language, "en");
    assert_eq!(pack.meta.description, "");
    assert_eq!(pack.scale, Scale::default());
    assert_eq!(pack.repair, RepairPrompts::default());
    assert!(!pack.values[0].retired);
}

#[test]
fn pack_syntax_error_points_at_the_line() {
    let source = GOOD.replace("name = \"Equity\"", "name = \"Equity");
    let error = error_at(&source, 6, 15);
    assert!(
        error.message.starts_with("This isn't valid TOML here"),
        "{error}"
    );
}

#[test]
fn pack_duplicate_toml_key_is_named() {
    let source = GOOD.replace(
        "name = \"Equity\"",
        "name = \"Equity\"\nname = \"Fairness\"",
    );
    let error = error_at(&source, 7, 1);
    assert_eq!(error.message, "This key appears twice in the same table.");
}

#[test]
fn pack_unknown_key_suggests_the_nearest() {
    let source = GOOD.replace("description =", "descripton =");
    let error = error_at(&source, 7, 1);
    assert_eq!(
        error.message,
        "This [[value]] can't have a key `descripton`."
    );
    assert_eq!(error.hint.as_deref(), Some("Did you mean `description`?"));

    let source = GOOD.replace("[pack]\n", "[pack]\ncolour = \"green\"\n");
    let error = error_at(&source, 2, 1);
    assert_eq!(
        error.hint.as_deref(),
        Some("The keys it can have are: name, version, description, language.")
    );

    let source = format!("language = \"en\"\n{GOOD}");
    let error = error_at(&source, 1, 1);
    assert!(
        error
            .hint
            .unwrap_or_default()
            .contains("under the [pack] line")
    );
}

#[test]
fn pack_missing_field_points_at_the_table() {
    let source = GOOD.replace("description = \"Fairness is not sameness.\"\n", "");
    let error = error_at(&source, 4, 1);
    assert_eq!(error.message, "This [[value]] has no `description`.");

    let error = error_at(
        GOOD.replace("name = \"Rivers Therapy Cooperative\"", "")
            .as_str(),
        1,
        1,
    );
    assert_eq!(error.message, "The [pack] table has no `name`.");

    let without_pack = GOOD.replace("[pack]\nname = \"Rivers Therapy Cooperative\"\n", "");
    let error = error_at(&without_pack, 1, 1);
    assert!(error.message.contains("no [pack] table"), "{error}");
}

#[test]
fn pack_duplicate_id_names_the_first_line() {
    let source = format!(
        "{GOOD}\n[[value]]\nid = \"equity\"\nname = \"Equity again\"\ndescription = \"Twice.\"\n"
    );
    let error = error_at(&source, 11, 6);
    assert_eq!(
        error.message,
        "The id `equity` is used twice: first on line 5."
    );
}

#[test]
fn pack_malformed_id_suggests_one() {
    let source = GOOD.replace("id = \"equity\"", "id = \"Mutual Aid\"");
    let error = error_at(&source, 5, 6);
    assert!(
        error
            .message
            .contains("`Mutual Aid` can't be used as an id"),
        "{error}"
    );
    assert_eq!(error.hint.as_deref(), Some("Try id = \"mutual-aid\"."));

    for bad in ["", "1st", "a--b", "trailing-", &"x".repeat(41)] {
        let source = GOOD.replace("id = \"equity\"", &format!("id = \"{bad}\""));
        error_at(&source, 5, 6);
    }
}

#[test]
fn pack_empty_name_is_caught() {
    let source = GOOD.replace("name = \"Equity\"", "name = \"  \"");
    let error = error_at(&source, 6, 8);
    assert_eq!(error.message, "The name of `equity` is empty.");

    let source = GOOD.replace("\"Rivers Therapy Cooperative\"", "\"\"");
    error_at(&source, 2, 8);
}

#[test]
fn pack_empty_prompt_and_wrong_types_are_caught() {
    let source = GOOD.replace("prompts = [\"Whose", "prompts = [\"\", \"Whose");
    error_at(&source, 8, 12);

    let source = GOOD.replace(
        "prompts = [\"Whose needs were easiest to overlook?\"]",
        "prompts = \"Whose?\"",
    );
    let error = error_at(&source, 8, 11);
    assert_eq!(
        error.message,
        "`prompts` in this [[value]] should be a list of text."
    );

    let source = format!("{GOOD}retired = \"yes\"\n");
    error_at(&source, 9, 11);
}

#[test]
fn pack_scale_words_must_match_the_range() {
    let scale = "[scale]\nmin = 1\nmax = 5\nwords = [\"a\", \"b\", \"c\", \"d\"]\n";
    let error = error_at(&format!("{GOOD}{scale}"), 12, 9);
    assert_eq!(
        error.message,
        "The scale runs from 1 to 5, which is 5 points, but it has 4 words."
    );
}

#[test]
fn pack_scale_min_above_max() {
    let scale = "[scale]\nmin = 5\nmax = 1\nwords = [\"a\"]\n";
    let error = error_at(&format!("{GOOD}{scale}"), 10, 7);
    assert_eq!(error.message, "The scale's min (5) is above its max (1).");
}

#[test]
fn pack_scale_at_most_ten_points() {
    let scale = "[scale]\nmin = 0\nmax = 10\n";
    let error = error_at(&format!("{GOOD}{scale}"), 11, 7);
    assert!(error.message.contains("11 points"), "{error}");

    let scale = "[scale]\nmin = -1\n";
    error_at(&format!("{GOOD}{scale}"), 10, 7);

    let scale = "[scale]\nmin = 0\nmax = 3\n";
    let error = error_at(&format!("{GOOD}{scale}"), 9, 1);
    assert!(error.message.contains("has no words"), "{error}");

    let scale = "[scale]\nwords = [\"a\", \"\"]\n";
    error_at(&format!("{GOOD}{scale}"), 10, 15);
}

#[test]
fn pack_scale_range_follows_its_words() {
    let scale = "[scale]\nmin = 0\nwords = [\"not yet\", \"some\", \"lots\"]\n";
    let pack = ValuesPack::parse(&format!("{GOOD}{scale}")).unwrap();
    assert_eq!((pack.scale.min, pack.scale.max), (0, 2));
    assert_eq!(pack.scale.word(2), Some("lots"));
}

#[test]
fn pack_with_no_values_asks_for_one() {
    let source = "[pack]\nname = \"Rivers\"\n\n";
    let error = error_at(source, 2, 16);
    assert_eq!(
        error.message,
        "This pack has no values yet: add at least one [[value]] table."
    );

    let source = "value = []\n[pack]\nname = \"Rivers\"\n";
    error_at(source, 3, 16);

    let source = "[pack]\nname = \"Rivers\"\n[value]\nid = \"equity\"\n";
    let error = error_at(source, 3, 1);
    assert!(error.message.contains("[[value]]"), "{error}");
}

#[test]
fn pack_with_every_value_retired_is_caught() {
    let source = format!("{GOOD}retired = true\n");
    let error = error_at(&source, 4, 1);
    assert!(
        error
            .message
            .contains("Every value in this pack is retired"),
        "{error}"
    );
}

#[test]
fn pack_repair_parts_default_one_by_one() {
    let source = format!("{GOOD}[repair]\napology = [\"What do you want to acknowledge?\"]\n");
    let pack = ValuesPack::parse(&source).unwrap();
    let defaults = RepairPrompts::default();
    assert_eq!(pack.repair.apology, ["What do you want to acknowledge?"]);
    assert_eq!(pack.repair.reflection, defaults.reflection);
    assert_eq!(pack.repair.change, defaults.change);

    let source = format!("{GOOD}[repair]\napologies = []\n");
    let error = error_at(&source, 10, 1);
    assert_eq!(error.hint.as_deref(), Some("Did you mean `apology`?"));
}

#[test]
fn pack_round_trips_through_toml() {
    for name in ValuesPack::builtin_names() {
        let pack = ValuesPack::builtin(name).unwrap();
        assert_eq!(ValuesPack::parse(&pack.to_toml()).unwrap(), pack, "{name}");
    }
    let mut pack = ValuesPack::default_pack();
    pack.retire("repair").unwrap();
    pack.meta.description = String::new();
    assert_eq!(ValuesPack::parse(&pack.to_toml()).unwrap(), pack);
}

#[test]
fn pack_fingerprint_ignores_layout_but_not_content() {
    let reordered = r#"
        # Same pack, other layout.
        [[value]]
        prompts = [ "Whose needs were easiest to overlook?", ]
        description = 'Fairness is not sameness.'
        name    = "Equity"
        id = "equity"

        [pack]
        name = "Rivers Therapy Cooperative"
        version = "1"
        language = "en"
    "#;
    let a = ValuesPack::parse(GOOD).unwrap();
    let b = ValuesPack::parse(reordered).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.fingerprint(), b.fingerprint());

    let mut c = a.clone();
    c.values[0].prompts[0].push_str(" (skip if it doesn't fit)");
    assert_ne!(a.fingerprint(), c.fingerprint());
    let mut d = a.clone();
    d.scale.words[0] = "not yet".to_owned();
    assert_ne!(a.fingerprint(), d.fingerprint());
}

#[test]
fn pack_fingerprint_ignores_values_retired_by_an_import() {
    let mut member = ValuesPack::default_pack();
    let mut shared = ValuesPack::default_pack();
    shared.values.retain(|v| v.id != "repair");
    member.apply_import(&shared);
    assert!(
        member.value("repair").is_some_and(|v| v.retired),
        "kept, retired"
    );
    assert_eq!(
        member.fingerprint(),
        shared.fingerprint(),
        "same active pack, same fingerprint"
    );
    let mut reworded = shared.clone();
    reworded.values[0].prompts.push("One more question?".into());
    assert_ne!(reworded.fingerprint(), shared.fingerprint());
}
