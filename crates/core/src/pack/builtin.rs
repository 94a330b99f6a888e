//! The packs that ship with tend: the default four values, and one example for each
//! cooperative tend was first written for.
//!
//! They are ordinary pack files, compiled in, so what a cooperative reads in
//! `examples/values/` is exactly what the built-in of the same name gives a member.

use super::ValuesPack;

/// Short name and TOML text of every built-in pack, the default first.
const BUILTINS: &[(&str, &str)] = &[
    ("default", include_str!("../../packs/default.toml")),
    (
        "therapy-coop",
        include_str!("../../../../examples/values/therapy-coop.toml"),
    ),
    (
        "justice-practice",
        include_str!("../../../../examples/values/justice-practice.toml"),
    ),
    (
        "healing-justice",
        include_str!("../../../../examples/values/healing-justice.toml"),
    ),
];

const NAMES: &[&str] = &[
    "default",
    "therapy-coop",
    "justice-practice",
    "healing-justice",
];

impl ValuesPack {
    /// The built-in default pack: equity, transparency, repair and anti-oppression.
    pub fn default_pack() -> ValuesPack {
        // The built-in files are checked by the tests below; a failure here is a bug in
        // tend, never something a person typed.
        ValuesPack::parse(BUILTINS[0].1).expect("the built-in default pack parses")
    }

    /// The built-in pack with this short name (see [`ValuesPack::builtin_names`]).
    pub fn builtin(name: &str) -> Option<ValuesPack> {
        BUILTINS
            .iter()
            .find(|(builtin, _)| *builtin == name)
            .and_then(|(_, source)| ValuesPack::parse(source).ok())
    }

    /// The short names of the built-in packs, `"default"` first.
    pub fn builtin_names() -> &'static [&'static str] {
        NAMES
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pack_builtin_names_match_the_files() {
        let names: Vec<&str> = BUILTINS.iter().map(|(name, _)| *name).collect();
        assert_eq!(names, ValuesPack::builtin_names());
        assert_eq!(
            ValuesPack::builtin("default"),
            Some(ValuesPack::default_pack())
        );
        assert_eq!(ValuesPack::builtin("nope"), None);
    }

    #[test]
    fn pack_every_builtin_parses_and_keeps_its_promises() {
        for (name, source) in BUILTINS {
            let pack = match ValuesPack::parse(source) {
                Ok(pack) => pack,
                Err(e) => panic!("built-in pack {name}: {e} ({:?})", e.hint),
            };
            assert!(pack.active().count() >= 3, "{name}");
            for value in &pack.values {
                value.check().unwrap_or_else(|e| panic!("{name}: {e}"));
                assert!(
                    (3..=5).contains(&value.prompts.len()),
                    "{name}/{}: three to five prompts",
                    value.id
                );
            }
            for word in &pack.scale.words {
                for judging in ["bad", "poor", "fail", "wrong", "good", "excellent"] {
                    assert!(!word.contains(judging), "{name}: scale word {word:?}");
                }
            }
            assert_eq!(ValuesPack::parse(&pack.to_toml()).as_ref(), Ok(&pack));
        }
    }

    #[test]
    fn pack_default_holds_the_four_values() {
        let ids: Vec<String> = ValuesPack::default_pack()
            .active()
            .map(|v| v.id.clone())
            .collect();
        assert_eq!(ids, ["equity", "transparency", "repair", "anti-oppression"]);
    }

    #[test]
    fn pack_at_least_one_example_has_its_own_repair_prompts() {
        let own = ValuesPack::builtin_names()
            .iter()
            .filter_map(|name| ValuesPack::builtin(name))
            .filter(|pack| pack.repair != super::super::RepairPrompts::default())
            .count();
        assert!(own >= 1);
    }
}
