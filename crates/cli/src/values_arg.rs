//! Checking `-v VALUE[=RATING]` against the journal's values pack.

use anyhow::Result;
use tend_core::pack::ValuesPack;
use tend_core::reflection::ValueRating;

use crate::failure::fail;

/// Resolves each typed value to an active value of the pack, checks its rating against the
/// pack's scale, and drops repeats (the last rating given wins).
pub fn check(pack: &ValuesPack, typed: &[ValueRating]) -> Result<Vec<ValueRating>> {
    let mut out: Vec<ValueRating> = Vec::new();
    for v in typed {
        let value = resolve(pack, &v.value)?;
        if let Some(r) = v.rating
            && !pack.scale.contains(r)
        {
            let words: Vec<String> = (pack.scale.min..=pack.scale.max)
                .map(|n| format!("{n} {}", pack.scale.word(n).unwrap_or("")))
                .collect();
            return Err(fail(format!(
                "{r} is not on this pack's scale, which runs from {} to {}",
                pack.scale.min, pack.scale.max
            ))
            .hint(format!("the steps are: {}", words.join(", ")))
            .into());
        }
        let rating = ValueRating::new(value, v.rating);
        match out.iter_mut().find(|o| o.value == rating.value) {
            Some(existing) => *existing = rating,
            None => out.push(rating),
        }
    }
    Ok(out)
}

/// Resolves value ids typed without ratings (commitments, repairs, filters of new records).
pub fn check_ids(pack: &ValuesPack, typed: &[String]) -> Result<Vec<String>> {
    let mut out: Vec<String> = Vec::new();
    for t in typed {
        let id = resolve(pack, t)?;
        if !out.contains(&id) {
            out.push(id);
        }
    }
    Ok(out)
}

/// One active value's id, or an error that lists the active ids and the nearest one.
pub fn resolve(pack: &ValuesPack, typed: &str) -> Result<String> {
    match pack.resolve_active(typed) {
        Ok(v) => Ok(v.id.clone()),
        Err(e) => Err(fail(e.to_string())
            .hint("`tend values list` shows every value, and which are retired")
            .into()),
    }
}

/// Parses `-v` arguments for clap.
pub fn parse(arg: &str) -> Result<ValueRating, String> {
    ValueRating::parse_arg(arg)
}
