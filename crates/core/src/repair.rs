//! Repair after harm, in the four parts of accountability described by Mia Mingus:
//! self-reflection, apology, repair, and changed behaviour.
//!
//! Parts may be tended in any order and more than once. tend shows which parts have been
//! tended; it never grades a repair.

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

/// One of the four parts of accountability.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum RepairPart {
    /// Self-reflection: what happened, and my part in it.
    Reflection,
    /// Apology: naming the harm to those affected.
    Apology,
    /// Repair: what is needed to make things right.
    Repair,
    /// Changed behaviour: what I will do differently.
    Change,
}

impl RepairPart {
    /// All four parts, in their usual order.
    pub const ALL: [RepairPart; 4] = [Self::Reflection, Self::Apology, Self::Repair, Self::Change];

    /// The word typed on the command line.
    pub fn word(self) -> &'static str {
        match self {
            Self::Reflection => "reflection",
            Self::Apology => "apology",
            Self::Repair => "repair",
            Self::Change => "change",
        }
    }

    /// A short heading shown to a person.
    pub fn heading(self) -> &'static str {
        match self {
            Self::Reflection => "self-reflection",
            Self::Apology => "apology",
            Self::Repair => "repair",
            Self::Change => "changed behaviour",
        }
    }

    /// Reads the word typed on the command line.
    pub fn parse(word: &str) -> Option<Self> {
        Self::ALL
            .into_iter()
            .find(|p| p.word() == word.trim().to_lowercase())
    }
}

/// One step taken in a repair.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct RepairStep {
    /// Which part it tends.
    pub part: RepairPart,
    /// What the member noted.
    pub note: String,
    /// When.
    pub at: DateTime<Utc>,
}

/// How a repair was closed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Closing {
    /// When.
    pub at: DateTime<Utc>,
    /// The member's closing note.
    pub note: String,
}

/// A repair process after harm.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Repair {
    /// What happened, in the member's words.
    pub text: String,
    /// Values it touches.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// Who was affected, if the member wants to note it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub affected: Option<String>,
    /// A note shown in place of the text.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub content_note: Option<String>,
    /// When it was opened.
    pub opened: DateTime<Utc>,
    /// Steps taken, oldest first.
    #[serde(default)]
    pub steps: Vec<RepairStep>,
    /// Set once the member closes it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub closed: Option<Closing>,
}

/// A change that cannot be made to a repair.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RepairError {
    /// A note is needed and none was given.
    #[error("this step needs a note: a few words on what was done or noticed")]
    NoteRequired,
    /// The repair was closed.
    #[error("this repair was closed; open a new one to carry on")]
    Closed,
}

impl Repair {
    /// A newly opened repair.
    pub fn open(
        text: impl Into<String>,
        values: Vec<String>,
        affected: Option<String>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            text: text.into(),
            values,
            affected: affected.filter(|a| !a.trim().is_empty()),
            content_note: None,
            opened: at,
            steps: Vec::new(),
            closed: None,
        }
    }

    /// Records a step.
    pub fn step(
        &mut self,
        part: RepairPart,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<(), RepairError> {
        if self.closed.is_some() {
            return Err(RepairError::Closed);
        }
        let note = crate::text::non_empty(note).ok_or(RepairError::NoteRequired)?;
        self.steps.push(RepairStep { part, note, at });
        Ok(())
    }

    /// Closes it with a note.
    pub fn close(&mut self, note: &str, at: DateTime<Utc>) -> Result<(), RepairError> {
        if self.closed.is_some() {
            return Err(RepairError::Closed);
        }
        let note = crate::text::non_empty(note).ok_or(RepairError::NoteRequired)?;
        self.closed = Some(Closing { at, note });
        Ok(())
    }

    /// Which parts have been tended at least once, in the usual order.
    pub fn tended(&self) -> Vec<RepairPart> {
        RepairPart::ALL
            .into_iter()
            .filter(|p| self.steps.iter().any(|s| s.part == *p))
            .collect()
    }

    /// Whether it is still open.
    pub fn is_open(&self) -> bool {
        self.closed.is_none()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use chrono::TimeZone;

    fn at(h: u32) -> DateTime<Utc> {
        Utc.with_ymd_and_hms(2026, 3, 1, h, 0, 0)
            .single()
            .expect("time")
    }

    #[test]
    fn parts_in_any_order_and_more_than_once() {
        let mut r = Repair::open("Talked over a colleague", vec![], Some(" ".into()), at(1));
        assert_eq!(r.affected, None);
        r.step(RepairPart::Change, "I will pause", at(2))
            .expect("step");
        r.step(RepairPart::Reflection, "I was rushed", at(3))
            .expect("step");
        r.step(RepairPart::Change, "asked for a signal", at(4))
            .expect("step");
        assert_eq!(r.tended(), vec![RepairPart::Reflection, RepairPart::Change]);
        assert_eq!(
            r.step(RepairPart::Apology, "  ", at(5)),
            Err(RepairError::NoteRequired)
        );
        r.close("we talked", at(6)).expect("close");
        assert_eq!(
            r.step(RepairPart::Apology, "late", at(7)),
            Err(RepairError::Closed)
        );
        assert!(!r.is_open());
    }

    #[test]
    fn part_words() {
        for p in RepairPart::ALL {
            assert_eq!(RepairPart::parse(p.word()), Some(p));
        }
        assert_eq!(RepairPart::parse("APOLOGY"), Some(RepairPart::Apology));
        assert_eq!(RepairPart::parse("grade"), None);
    }
}
