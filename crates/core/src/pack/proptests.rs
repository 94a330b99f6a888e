//! Property tests: any valid pack survives export and import unchanged, and no input,
//! however broken, makes the parser panic.

use proptest::prelude::*;

use super::{PackMeta, RepairPrompts, Scale, Value, ValuesPack};

/// Text with at least one visible character, including the characters TOML must escape.
fn text() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-zA-Z][a-zA-Z ,.?'-]{0,40}",
        "\\PC{1,30}",
        "[\"'\\\\\n\t\r#=\\[\\]{} a-z]{0,12}[a-z][\"'\\\\\n\t\r]{0,6}",
    ]
    .prop_filter("not blank", |s| !s.trim().is_empty())
}

fn id() -> impl Strategy<Value = String> {
    "[a-z][a-z0-9]{0,8}(-[a-z0-9]{1,6}){0,3}"
}

fn value() -> impl Strategy<Value = Value> {
    (
        id(),
        text(),
        text(),
        prop::collection::vec(text(), 0..4),
        any::<bool>(),
    )
        .prop_map(|(id, name, description, prompts, retired)| Value {
            id,
            name,
            description,
            prompts,
            retired,
        })
}

fn scale() -> impl Strategy<Value = Scale> {
    (0u8..=245, 1usize..=10).prop_flat_map(|(min, points)| {
        prop::collection::vec(text(), points).prop_map(move |words| Scale {
            min,
            max: min + u8::try_from(words.len() - 1).unwrap_or(0),
            words,
        })
    })
}

fn pack() -> impl Strategy<Value = ValuesPack> {
    let meta = (text(), "\\PC{0,10}", "\\PC{0,40}", "[a-z]{2}(-[A-Z]{2})?").prop_map(
        |(name, version, description, language)| PackMeta {
            name,
            version,
            description,
            language,
        },
    );
    let prompts = || prop::collection::vec(text(), 0..3);
    let repair = (prompts(), prompts(), prompts(), prompts()).prop_map(
        |(reflection, apology, repair, change)| RepairPrompts {
            reflection,
            apology,
            repair,
            change,
        },
    );
    (meta, scale(), prop::collection::vec(value(), 1..6), repair).prop_map(
        |(meta, scale, mut values, repair)| {
            let mut seen = std::collections::HashSet::new();
            values.retain(|v| seen.insert(v.id.clone()));
            // A pack always has something to reflect on.
            values[0].retired = false;
            ValuesPack {
                meta,
                scale,
                values,
                repair,
            }
        },
    )
}

proptest! {
    #[test]
    fn pack_any_valid_pack_round_trips(pack in pack()) {
        let toml = pack.to_toml();
        let back = ValuesPack::parse(&toml);
        prop_assert_eq!(back.as_ref(), Ok(&pack), "exported as:\n{}", toml);
        if let Ok(back) = back {
            prop_assert_eq!(back.fingerprint(), pack.fingerprint());
        }
    }

    #[test]
    fn pack_parse_never_panics_on_any_text(source in "\\PC*") {
        let _ = ValuesPack::parse(&source);
    }

    #[test]
    fn pack_parse_never_panics_on_damaged_packs(
        cuts in prop::collection::vec((any::<prop::sample::Index>(), 0usize..8, "[\\[\\]\"'=\n#a-z0-9 .,{}-]{0,4}"), 1..6)
    ) {
        let mut source = ValuesPack::default_pack().to_toml();
        for (at, len, insert) in cuts {
            let start = at.index(source.len() + 1);
            let end = (start + len).min(source.len());
            if source.is_char_boundary(start) && source.is_char_boundary(end) {
                source.replace_range(start..end, &insert);
            }
        }
        if let Err(error) = ValuesPack::parse(&source) {
            prop_assert!(error.line.is_some());
            prop_assert!(!error.message.is_empty());
        }
    }
}
