//! Importing a newer version of a pack: what would change, and making the change.
//!
//! A member's journal keeps every value its reflections ever named. Importing therefore
//! never deletes: a value the newer pack leaves out is retired, so its id keeps its
//! meaning and old reflections still read.

use serde::{Deserialize, Serialize};

use super::ValuesPack;

/// What importing a newer pack would change, for showing before asking.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PackDiff {
    /// Ids of values the newer pack brings in.
    pub added: Vec<String>,
    /// Ids of active values that would be retired: left out of the newer pack, or retired in it.
    pub retired: Vec<String>,
    /// Ids of retired values the newer pack makes active again.
    pub restored: Vec<String>,
    /// Values in both whose words would change.
    pub changed: Vec<ValueChange>,
    /// Whether the pack's name, version, description or language would change.
    pub meta_changed: bool,
    /// Whether the rating scale (its range or its words) would change.
    pub scale_changed: bool,
    /// Whether the repair prompts would change.
    pub repair_changed: bool,
}

/// How one value's words would change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ValueChange {
    /// The value's id, which does not change.
    pub id: String,
    /// The old and new name, if the name changes.
    pub name: Option<(String, String)>,
    /// Whether the description changes.
    pub description_changed: bool,
    /// Whether the prompts change (added, removed, reworded or reordered).
    pub prompts_changed: bool,
}

impl PackDiff {
    /// Whether importing would change nothing at all.
    pub fn is_empty(&self) -> bool {
        self == &PackDiff::default()
    }
}

impl ValuesPack {
    /// What [`ValuesPack::apply_import`] with `newer` would change in this pack.
    pub fn diff(&self, newer: &ValuesPack) -> PackDiff {
        let mut diff = PackDiff {
            meta_changed: self.meta != newer.meta,
            scale_changed: self.scale != newer.scale,
            repair_changed: self.repair != newer.repair,
            ..PackDiff::default()
        };
        for new in &newer.values {
            let Some(old) = self.value(&new.id) else {
                diff.added.push(new.id.clone());
                continue;
            };
            match (old.retired, new.retired) {
                (false, true) => diff.retired.push(new.id.clone()),
                (true, false) => diff.restored.push(new.id.clone()),
                _ => {}
            }
            let change = ValueChange {
                id: new.id.clone(),
                name: (old.name != new.name).then(|| (old.name.clone(), new.name.clone())),
                description_changed: old.description != new.description,
                prompts_changed: old.prompts != new.prompts,
            };
            if change.name.is_some() || change.description_changed || change.prompts_changed {
                diff.changed.push(change);
            }
        }
        for old in self.active() {
            if newer.value(&old.id).is_none() {
                diff.retired.push(old.id.clone());
            }
        }
        diff
    }

    /// Takes in a newer version of the pack.
    ///
    /// Values in `newer` are added or updated (name, description, prompts and whether
    /// retired); values missing from `newer` are retired, never deleted, so an id never
    /// changes meaning. The name, scale and repair prompts are taken from `newer`. The
    /// values end up in `newer`'s order, followed by the ones it left out.
    pub fn apply_import(&mut self, newer: &ValuesPack) {
        let mut old = std::mem::take(&mut self.values);
        let mut values = Vec::with_capacity(newer.values.len() + old.len());
        for new in &newer.values {
            values.push(new.clone());
            old.retain(|v| v.id != new.id);
        }
        for mut left_out in old {
            left_out.retired = true;
            values.push(left_out);
        }
        self.values = values;
        self.meta = newer.meta.clone();
        self.scale = newer.scale.clone();
        self.repair = newer.repair.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::super::Value;
    use super::*;

    fn newer() -> ValuesPack {
        let mut newer = ValuesPack::default_pack();
        newer.values.retain(|v| v.id != "repair");
        if let Some(equity) = newer.values.iter_mut().find(|v| v.id == "equity") {
            equity.name = "Equity and inclusion".to_owned();
            equity
                .prompts
                .push("Who was missing from the room?".to_owned());
        }
        newer.values.push(Value {
            id: "care".to_owned(),
            name: "Care".to_owned(),
            description: "We look after each other.".to_owned(),
            prompts: vec![],
            retired: false,
        });
        newer.meta.version = "2".to_owned();
        newer
    }

    #[test]
    fn pack_diff_shows_what_import_would_change() {
        let pack = ValuesPack::default_pack();
        let diff = pack.diff(&newer());
        assert_eq!(diff.added, ["care"]);
        assert_eq!(diff.retired, ["repair"]);
        assert!(diff.restored.is_empty());
        assert_eq!(
            diff.changed,
            [ValueChange {
                id: "equity".to_owned(),
                name: Some(("Equity".to_owned(), "Equity and inclusion".to_owned())),
                description_changed: false,
                prompts_changed: true,
            }]
        );
        assert!(diff.meta_changed);
        assert!(!diff.scale_changed);
        assert!(!diff.repair_changed);
        assert!(!diff.is_empty());
        assert!(pack.diff(&pack).is_empty());
    }

    #[test]
    fn pack_import_retires_missing_values_and_never_deletes() {
        let mut pack = ValuesPack::default_pack();
        let newer = newer();
        pack.apply_import(&newer);
        let repair = pack.value("repair").expect("repair is still known");
        assert!(repair.retired);
        assert_eq!(pack.values.last().map(|v| v.id.as_str()), Some("repair"));
        assert_eq!(
            pack.resolve_active("care").map(|v| v.name.as_str()),
            Ok("Care")
        );
        assert_eq!(pack.meta.version, "2");
        assert!(
            pack.diff(&newer).is_empty(),
            "importing twice changes nothing"
        );
    }

    #[test]
    fn pack_import_restores_values_the_newer_pack_brings_back() {
        let mut pack = ValuesPack::default_pack();
        pack.retire("repair").expect("repair is active");
        let newer = ValuesPack::default_pack();
        assert_eq!(pack.diff(&newer).restored, ["repair"]);
        pack.apply_import(&newer);
        assert_eq!(pack, newer);
    }
}
