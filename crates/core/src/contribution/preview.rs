//! The plain-words preview a member reads before consenting.
//!
//! It walks every field of the document, so that what the member reads is what the file
//! holds: nothing is summarised away and nothing is added.

use std::fmt::Write as _;

use super::{Contribution, ValueAggregate, day};
use crate::commitment::CommitmentState;
use crate::repair::RepairPart;
use crate::text::count;

impl Contribution {
    /// Exactly what the contribution holds, in plain words, for the member to read before
    /// they consent.
    pub fn preview(&self) -> String {
        let mut out = String::new();
        // Writing to a String cannot fail; the results are ignored on purpose.
        let _ = self.write_preview(&mut out);
        out
    }

    fn write_preview(&self, out: &mut String) -> std::fmt::Result {
        writeln!(
            out,
            "You are sharing one contribution for {:?}.",
            self.purpose
        )?;
        writeln!(out)?;
        writeln!(
            out,
            "It counts {}, for the values it covers (their fingerprint: {}).",
            self.period.describe(),
            self.pack.fingerprint
        )?;
        match &self.consent.name {
            None => writeln!(out, "It is anonymous: your name is not in it.")?,
            Some(name) => writeln!(
                out,
                "It carries your name, {name:?}, which appears beside your excerpts."
            )?,
        }
        let given = day(self.consent.given);
        match self.consent.expires {
            Some(e) => writeln!(
                out,
                "Your consent is given on {given} and ends after {}; a summary built later \
                 leaves this contribution out.",
                day(e)
            )?,
            None => writeln!(out, "Your consent is given on {given}, with no end date.")?,
        }
        writeln!(
            out,
            "You can revoke it at any time; a summary built after that leaves it out."
        )?;

        writeln!(out)?;
        self.write_values(out)?;
        writeln!(out)?;
        self.write_commitments_and_repairs(out)?;
        writeln!(out)?;
        self.write_excerpts(out)?;

        writeln!(out)?;
        writeln!(
            out,
            "The file also holds: this contribution's id ({}); your key for this purpose \
             ({}), the one `tend retreat join` gives the facilitator's roster, which stays the \
             same for everything you share for {:?} and cannot be linked to anything you \
             share for another purpose; its number among your contributions for it ({}), so \
             a newer one replaces this one; your signature; the names of the values it covers \
             and the pack's rating words; and a fingerprint of a secret revocation key that \
             stays in your journal.",
            self.id,
            self.signer.short(),
            self.purpose,
            self.counter
        )?;
        writeln!(
            out,
            "Nothing else leaves your journal: no other text, no dates of single reflections, \
             no tags."
        )
    }

    fn value_name<'a>(&'a self, id: &'a str) -> &'a str {
        self.pack
            .values
            .iter()
            .find(|v| v.id == id)
            .map_or(id, |v| v.name.as_str())
    }

    fn write_values(&self, out: &mut String) -> std::fmt::Result {
        if self.aggregates.values.is_empty() {
            return writeln!(out, "Values: none; no counts of reflections are included.");
        }
        writeln!(
            out,
            "For each value, how many of your reflections named it:"
        )?;
        for agg in &self.aggregates.values {
            let name = self.value_name(&agg.id);
            if agg.reflections == 0 {
                writeln!(out, "  {name}: no reflections named it.")?;
                continue;
            }
            writeln!(
                out,
                "  {name}: {} named it.",
                count(agg.reflections, "reflection", "reflections")
            )?;
            writeln!(out, "    {}", self.ratings_line(agg))?;
        }
        Ok(())
    }

    fn ratings_line(&self, agg: &ValueAggregate) -> String {
        let scale = &self.pack.scale;
        let given: Vec<String> = agg
            .ratings
            .iter()
            .filter(|(_, n)| **n > 0)
            .map(|(r, n)| {
                let word = scale.word(*r).unwrap_or("");
                format!("{n} × {r} ({word})")
            })
            .collect();
        let unrated = agg.unrated();
        match (given.is_empty(), unrated) {
            (true, _) => "Alignment ratings: none given.".to_owned(),
            (false, 0) => format!("Alignment ratings: {}.", given.join(", ")),
            (false, u) => format!(
                "Alignment ratings: {}; {} without a rating.",
                given.join(", "),
                u
            ),
        }
    }

    fn write_commitments_and_repairs(&self, out: &mut String) -> std::fmt::Result {
        let commitments = &self.aggregates.commitments;
        let total: u32 = commitments.values().fold(0u32, |a, n| a.saturating_add(*n));
        if total == 0 {
            writeln!(out, "Commitments made in this period: none.")?;
        } else {
            let states: Vec<String> = CommitmentState::ALL
                .iter()
                .filter_map(|s| {
                    commitments
                        .get(s)
                        .filter(|n| **n > 0)
                        .map(|n| format!("{n} {}", s.word()))
                })
                .collect();
            writeln!(
                out,
                "Commitments made in this period: {}, by where they stand now: {}.",
                total,
                states.join(", ")
            )?;
        }
        let repairs = &self.aggregates.repairs;
        let total = repairs.open.saturating_add(repairs.closed);
        if total == 0 {
            return writeln!(out, "Repairs opened in this period: none.");
        }
        writeln!(
            out,
            "Repairs opened in this period: {} ({} open, {} closed).",
            total, repairs.open, repairs.closed
        )?;
        let parts: Vec<String> = RepairPart::ALL
            .iter()
            .filter_map(|p| {
                repairs
                    .tended
                    .get(p)
                    .filter(|n| **n > 0)
                    .map(|n| format!("{} in {}", p.heading(), count(*n, "repair", "repairs")))
            })
            .collect();
        if parts.is_empty() {
            writeln!(out, "  Parts tended: none yet.")
        } else {
            writeln!(out, "  Parts tended: {}.", parts.join(", "))
        }
    }

    fn write_excerpts(&self, out: &mut String) -> std::fmt::Result {
        if self.excerpts.is_empty() {
            return writeln!(out, "Excerpts: none. None of your own words are included.");
        }
        writeln!(
            out,
            "Excerpts: the full text of {} you chose, without dates:",
            count(
                u32::try_from(self.excerpts.len()).unwrap_or(u32::MAX),
                "reflection",
                "reflections"
            )
        )?;
        for (i, excerpt) in self.excerpts.iter().enumerate() {
            let values: Vec<&str> = excerpt.values.iter().map(|v| self.value_name(v)).collect();
            let about = if values.is_empty() {
                "no value".to_owned()
            } else {
                values.join(", ")
            };
            writeln!(out)?;
            writeln!(out, "  {}. About: {about}", i + 1)?;
            if let Some(note) = &excerpt.content_note {
                writeln!(out, "     Content note: {note}")?;
            }
            for line in excerpt.text.lines() {
                writeln!(out, "     | {line}")?;
            }
        }
        Ok(())
    }
}
