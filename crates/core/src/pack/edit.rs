//! Changing a pack one value at a time, as `tend values add|rename|retire|restore|edit` do.
//!
//! Every change keeps the pack's promises: ids are well shaped and unique for good (a
//! retired id is still taken), names are never empty, and at least one value stays active.

use super::lookup::nearest_id;
use super::{PackEditError, Value, ValuesPack, is_valid_id, suggest_id};

impl ValuesPack {
    /// Adds a new value at the end of the pack.
    ///
    /// The id must be well shaped and not used by any value, retired ones included: an id
    /// never changes meaning, so a retired id is restored, not reused.
    pub fn add_value(&mut self, value: Value) -> Result<(), PackEditError> {
        if let Some(existing) = self.value(&value.id) {
            return Err(PackEditError::DuplicateId {
                id: value.id,
                retired: existing.retired,
            });
        }
        value.check()?;
        self.values.push(value);
        Ok(())
    }

    /// Gives a value a new name. Its id, and what its id means, stay the same.
    pub fn rename(&mut self, id: &str, name: &str) -> Result<(), PackEditError> {
        if name.trim().is_empty() {
            return Err(PackEditError::EmptyName { id: id.to_owned() });
        }
        self.value_mut(id)?.name = name.to_owned();
        Ok(())
    }

    /// Retires a value: it stays known, so old reflections still read, but new
    /// reflections can no longer name it.
    ///
    /// The last active value cannot be retired ([`PackEditError::LastActive`]): a pack
    /// with nothing to reflect on is never the intent. Add or restore another first.
    pub fn retire(&mut self, id: &str) -> Result<(), PackEditError> {
        let only_one_active = self.active().nth(1).is_none();
        let value = self.value_mut(id)?;
        if value.retired {
            return Err(PackEditError::AlreadyRetired { id: id.to_owned() });
        }
        if only_one_active {
            return Err(PackEditError::LastActive { id: id.to_owned() });
        }
        value.retired = true;
        Ok(())
    }

    /// Makes a retired value active again, with the same id and meaning.
    pub fn restore(&mut self, id: &str) -> Result<(), PackEditError> {
        let value = self.value_mut(id)?;
        if !value.retired {
            return Err(PackEditError::NotRetired { id: id.to_owned() });
        }
        value.retired = false;
        Ok(())
    }

    /// The value with this id, active or retired, to change its name, description or
    /// prompts.
    ///
    /// Leave `id` as it is (an id never changes meaning; add a new value instead) and
    /// call [`Value::check`] before keeping the change.
    pub fn value_mut(&mut self, id: &str) -> Result<&mut Value, PackEditError> {
        match self.values.iter().position(|v| v.id == id) {
            Some(index) => Ok(&mut self.values[index]),
            None => Err(PackEditError::UnknownId {
                id: id.to_owned(),
                nearest: nearest_id(id, self.values.iter()),
            }),
        }
    }
}

impl Value {
    /// Whether this value could be part of a pack: a well-shaped id, a name, a description,
    /// and no empty prompts. Uniqueness of the id is the pack's to check.
    pub fn check(&self) -> Result<(), PackEditError> {
        let id = || self.id.clone();
        if !is_valid_id(&self.id) {
            return Err(PackEditError::MalformedId {
                id: id(),
                suggestion: suggest_id(&self.id),
            });
        }
        if self.name.trim().is_empty() {
            return Err(PackEditError::EmptyName { id: id() });
        }
        if self.description.trim().is_empty() {
            return Err(PackEditError::EmptyDescription { id: id() });
        }
        if self.prompts.iter().any(|p| p.trim().is_empty()) {
            return Err(PackEditError::EmptyPrompt { id: id() });
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn care() -> Value {
        Value {
            id: "care".to_owned(),
            name: "Care".to_owned(),
            description: "We look after each other.".to_owned(),
            prompts: vec!["Who looked after you this week?".to_owned()],
            retired: false,
        }
    }

    #[test]
    fn pack_add_value_checks_the_id() {
        let mut pack = ValuesPack::default_pack();
        pack.add_value(care()).expect("care is new");
        assert_eq!(
            pack.add_value(care()),
            Err(PackEditError::DuplicateId {
                id: "care".to_owned(),
                retired: false
            })
        );
        pack.retire("care").expect("care is active");
        assert_eq!(
            pack.add_value(care()),
            Err(PackEditError::DuplicateId {
                id: "care".to_owned(),
                retired: true
            }),
            "a retired id is never reused"
        );
        let shouty = Value {
            id: "Mutual Aid".to_owned(),
            ..care()
        };
        assert_eq!(
            pack.add_value(shouty),
            Err(PackEditError::MalformedId {
                id: "Mutual Aid".to_owned(),
                suggestion: Some("mutual-aid".to_owned())
            })
        );
        let nameless = Value {
            id: "rest".to_owned(),
            name: " ".to_owned(),
            ..care()
        };
        assert_eq!(
            pack.add_value(nameless),
            Err(PackEditError::EmptyName {
                id: "rest".to_owned()
            })
        );
    }

    #[test]
    fn pack_rename_changes_the_name_only() {
        let mut pack = ValuesPack::default_pack();
        pack.rename("equity", "Equity and inclusion")
            .expect("equity exists");
        let equity = pack.value("equity").expect("same id");
        assert_eq!(equity.name, "Equity and inclusion");
        assert_eq!(
            pack.rename("equity", ""),
            Err(PackEditError::EmptyName {
                id: "equity".to_owned()
            })
        );
        assert_eq!(
            pack.rename("equty", "Equity"),
            Err(PackEditError::UnknownId {
                id: "equty".to_owned(),
                nearest: Some("equity".to_owned())
            })
        );
    }

    #[test]
    fn pack_retire_and_restore() {
        let mut pack = ValuesPack::default_pack();
        pack.retire("repair").expect("repair is active");
        assert_eq!(
            pack.retire("repair"),
            Err(PackEditError::AlreadyRetired {
                id: "repair".to_owned()
            })
        );
        pack.restore("repair").expect("repair is retired");
        assert_eq!(
            pack.restore("repair"),
            Err(PackEditError::NotRetired {
                id: "repair".to_owned()
            })
        );
    }

    #[test]
    fn pack_keeps_one_active_value() {
        let mut pack = ValuesPack::default_pack();
        for id in ["equity", "transparency", "repair"] {
            pack.retire(id).expect("more than one active");
        }
        assert_eq!(
            pack.retire("anti-oppression"),
            Err(PackEditError::LastActive {
                id: "anti-oppression".to_owned()
            })
        );
        assert_eq!(pack.active().count(), 1);
    }

    #[test]
    fn pack_value_mut_edits_words() {
        let mut pack = ValuesPack::default_pack();
        let value = pack.value_mut("transparency").expect("exists");
        value.prompts.push("What did you share?".to_owned());
        value.check().expect("still a good value");
        assert!(matches!(
            pack.value_mut("nope"),
            Err(PackEditError::UnknownId { .. })
        ));
    }
}
