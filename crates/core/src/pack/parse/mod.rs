//! Reading a values pack from TOML, with a message and a hint that point at the line to fix.
//!
//! The file is read into toml's spanned document tree and walked by hand rather than
//! through serde, so that every problem (an unknown key, a missing field, a wrong type, a
//! scale that does not add up) can say exactly where it is and what to do, in plain words.
//! This file holds what a pack must say; `table.rs` holds how a table is read.

use std::collections::HashMap;

use toml::de::{DeTable, DeValue};

use super::{
    MAX_ID_LEN, MAX_SCALE_POINTS, PackError, PackMeta, RepairPrompts, Scale, Value, ValuesPack,
};
use table::{TOP_KEYS, Table, VALUE_KEYS};

mod table;

impl ValuesPack {
    /// Reads and checks a values pack written in TOML.
    ///
    /// Never panics, whatever the input. Every error carries the line and column of the
    /// problem and, where there is one, a hint saying what to do.
    pub fn parse(source: &str) -> Result<ValuesPack, PackError> {
        let document = DeTable::parse(source).map_err(|e| syntax_error(source, &e))?;
        let root = Table {
            source,
            table: document.get_ref(),
            at: 0,
            label: "the top level of the file",
            known: TOP_KEYS,
        };
        root.check_keys()?;

        let Some(pack) = root.table("pack")? else {
            return Err(PackError::at(
                source,
                0,
                "This file has no [pack] table, so the pack has no name.",
                "Start the file with a [pack] line, then name = \"Your cooperative\" below it."
                    .to_owned(),
            ));
        };
        let meta = read_meta(&pack)?;
        let scale = match root.table("scale")? {
            Some(scale) => read_scale(&scale)?,
            None => Scale::default(),
        };
        let values = read_values(&root)?;
        let repair = match root.table("repair")? {
            Some(repair) => read_repair(&repair)?,
            None => RepairPrompts::default(),
        };
        Ok(ValuesPack {
            meta,
            scale,
            values,
            repair,
        })
    }
}

fn syntax_error(source: &str, error: &toml::de::Error) -> PackError {
    let at = error.span().map_or(0, |span| span.start);
    let detail = error.message().trim_end_matches('.');
    if detail.contains("duplicate key") {
        return PackError::at(
            source,
            at,
            "This key appears twice in the same table.",
            "Keep one of them; each key can be given once per table.".to_owned(),
        );
    }
    PackError::at(
        source,
        at,
        format!("This isn't valid TOML here ({detail})."),
        "Check for a missing quote, bracket, comma or `=` near here; text goes in double quotes, like name = \"Equity\"."
            .to_owned(),
    )
}

fn read_meta(pack: &Table<'_, '_>) -> Result<PackMeta, PackError> {
    pack.check_keys()?;
    let defaults = PackMeta::default();
    let name = pack.required_text(
        "name",
        "Add name = \"...\" under [pack]: usually the cooperative's name.",
    )?;
    pack.not_blank(
        &name,
        "This pack's name is empty.",
        "Give the pack a name people will recognise, usually the cooperative's name.",
    )?;
    let language = pack.text("language")?;
    if let Some(language) = &language {
        pack.not_blank(
            language,
            "This pack's language is empty.",
            "Use a language tag such as \"en\", or leave the line out for English.",
        )?;
    }
    Ok(PackMeta {
        name: name.text,
        version: pack.text("version")?.map_or(defaults.version, |t| t.text),
        description: pack
            .text("description")?
            .map_or(defaults.description, |t| t.text),
        language: language.map_or(defaults.language, |t| t.text),
    })
}

fn read_scale(scale: &Table<'_, '_>) -> Result<Scale, PackError> {
    scale.check_keys()?;
    let min = scale.small_number("min")?;
    let max = scale.small_number("max")?;
    let words = scale.texts("words")?;
    for word in words.iter().flatten() {
        scale.not_blank(
            word,
            "One of the scale's words is empty.",
            "Give every point on the scale a word that describes it, such as \"partly\".",
        )?;
    }
    let (min_value, min_at) = min.unwrap_or((1, scale.at));
    let default = Scale::default();
    let (max_value, max_at) = match (max, &words) {
        (Some((max, at)), _) => (i64::from(max), at),
        (None, Some(words)) if !words.is_empty() => {
            let count = i64::try_from(words.len()).unwrap_or(i64::MAX);
            (i64::from(min_value).saturating_add(count) - 1, scale.at)
        }
        _ => (
            i64::from(min_value) + i64::from(default.max - default.min),
            scale.at,
        ),
    };
    let Ok(max_value) = u8::try_from(max_value) else {
        return Err(scale.error(
            max_at,
            format!("This scale would run past 255 (from {min_value})."),
            "Give a smaller min, or a max of at most 255.",
        ));
    };
    if min_value > max_value {
        return Err(scale.error(
            min_at,
            format!("The scale's min ({min_value}) is above its max ({max_value})."),
            "Swap them: min is the lowest rating and max the highest.",
        ));
    }
    let points = usize::from(max_value - min_value) + 1;
    if points > MAX_SCALE_POINTS {
        return Err(scale.error(
            max_at,
            format!(
                "This scale has {points} points ({min_value} to {max_value}); a scale can have at most {MAX_SCALE_POINTS}."
            ),
            "Use fewer points: a few words people agree on say more than many numbers.",
        ));
    }
    let words = match words {
        Some(words) => {
            if words.len() != points {
                let at = scale
                    .table
                    .get("words")
                    .map_or(scale.at, |w| w.span().start);
                return Err(scale.error(
                    at,
                    format!(
                        "The scale runs from {min_value} to {max_value}, which is {points} points, but it has {}.",
                        match words.len() {
                            1 => "1 word".to_owned(),
                            n => format!("{n} words"),
                        }
                    ),
                    "Give exactly one word for each point, lowest first, or change min and max to match the words.",
                ));
            }
            words.into_iter().map(|w| w.text).collect()
        }
        None if points == default.points() => default.words,
        None => {
            return Err(scale.error(
                scale.at,
                format!("The scale runs from {min_value} to {max_value} ({points} points) but has no words."),
                "Add words = [\"...\", ...] with one word for each point, lowest first.",
            ));
        }
    };
    Ok(Scale {
        min: min_value,
        max: max_value,
        words,
    })
}

fn read_values(root: &Table<'_, '_>) -> Result<Vec<Value>, PackError> {
    let source = root.source;
    let no_values = || {
        PackError::at(
            source,
            source.trim_end().len(),
            "This pack has no values yet: add at least one [[value]] table.",
            "Add a [[value]] table at the end, with an id, a name and a description.".to_owned(),
        )
    };
    let Some(item) = root.table.get("value") else {
        return Err(no_values());
    };
    let DeValue::Array(tables) = item.get_ref() else {
        return Err(root.error(
            item.span().start,
            "Values are written as [[value]] tables, with two square brackets.",
            "Write [[value]] on its own line above each value's id, name and description.",
        ));
    };
    if tables.is_empty() {
        return Err(no_values());
    }
    let mut values = Vec::with_capacity(tables.len());
    let mut first_seen: HashMap<String, usize> = HashMap::new();
    for table in tables.iter() {
        let DeValue::Table(entries) = table.get_ref() else {
            return Err(root.error(
                table.span().start,
                "Each value should be a [[value]] table of its own.",
                "Write [[value]] on its own line, then id, name and description below it.",
            ));
        };
        let table = Table {
            source,
            table: entries,
            at: table.span().start,
            label: "this [[value]]",
            known: VALUE_KEYS,
        };
        let value = read_value(&table)?;
        if let Some(first) = first_seen.get(&value.id) {
            let (line, _) = super::error::line_column(source, *first);
            let at = table.table.get("id").map_or(table.at, |id| id.span().start);
            return Err(table.error(
                at,
                format!("The id `{}` is used twice: first on line {line}.", value.id),
                "Each value needs its own id. If these are different values, give one of them a new id.",
            ));
        }
        let at = table.table.get("id").map_or(table.at, |id| id.span().start);
        first_seen.insert(value.id.clone(), at);
        values.push(value);
    }
    if values.iter().all(|v| v.retired) {
        return Err(root.error(
            item.span().start,
            "Every value in this pack is retired, so new reflections would have nothing to name.",
            "Set retired = false (or remove the retired line) on at least one value.",
        ));
    }
    Ok(values)
}

fn read_value(table: &Table<'_, '_>) -> Result<Value, PackError> {
    table.check_keys()?;
    let id = table.required_text(
        "id",
        "Add id = \"...\": a short lowercase id such as \"equity\", which never changes meaning.",
    )?;
    if let Some(problem) = id_problem(&id.text) {
        let hint = match super::suggest_id(&id.text) {
            Some(suggestion) => format!("Try id = \"{suggestion}\"."),
            None => "For example: id = \"equity\" or id = \"anti-oppression\".".to_owned(),
        };
        return Err(table.error(
            id.at,
            format!("`{}` can't be used as an id: {problem}.", id.text),
            hint,
        ));
    }
    let name = table.required_text("name", "Add name = \"...\": the name people will see.")?;
    table.not_blank(
        &name,
        &format!("The name of `{}` is empty.", id.text),
        "Give it a short name people will recognise, like name = \"Equity\".",
    )?;
    let description = table.required_text(
        "description",
        "Add description = \"...\": a sentence or two on what living this value looks like.",
    )?;
    table.not_blank(
        &description,
        &format!("The description of `{}` is empty.", id.text),
        "Write a sentence or two on what living this value looks like.",
    )?;
    let prompts = table.texts("prompts")?.unwrap_or_default();
    for prompt in &prompts {
        table.not_blank(
            prompt,
            &format!("One of the prompts for `{}` is empty.", id.text),
            "Write the question, or take the empty \"\" out of the list.",
        )?;
    }
    Ok(Value {
        id: id.text,
        name: name.text,
        description: description.text,
        prompts: prompts.into_iter().map(|p| p.text).collect(),
        retired: table.boolean("retired")?.unwrap_or(false),
    })
}

fn read_repair(table: &Table<'_, '_>) -> Result<RepairPrompts, PackError> {
    table.check_keys()?;
    let defaults = RepairPrompts::default();
    let part = |key: &str, default: Vec<String>| -> Result<Vec<String>, PackError> {
        let Some(prompts) = table.texts(key)? else {
            return Ok(default);
        };
        for prompt in &prompts {
            table.not_blank(
                prompt,
                &format!("One of the repair prompts under `{key}` is empty."),
                "Write the question, or take the empty \"\" out of the list.",
            )?;
        }
        Ok(prompts.into_iter().map(|p| p.text).collect())
    };
    Ok(RepairPrompts {
        reflection: part("reflection", defaults.reflection)?,
        apology: part("apology", defaults.apology)?,
        repair: part("repair", defaults.repair)?,
        change: part("change", defaults.change)?,
    })
}

/// Why `id` cannot be a value id, or `None` if it can.
pub(crate) fn id_problem(id: &str) -> Option<&'static str> {
    if id.is_empty() {
        Some("it is empty")
    } else if id.chars().count() > MAX_ID_LEN {
        Some("ids are at most 40 characters")
    } else if !id.starts_with(|c: char| c.is_ascii_lowercase()) {
        Some("ids start with a lowercase letter")
    } else if !id
        .chars()
        .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
    {
        Some("ids use only lowercase letters a-z, digits and hyphens")
    } else if id.contains("--") || id.ends_with('-') {
        Some("ids can't have a doubled hyphen or end with one")
    } else {
        None
    }
}
