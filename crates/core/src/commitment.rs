//! Commitments: keeping one's word, and changing it openly when life asks.
//!
//! A commitment is open until it is kept, renegotiated (still open, with new terms) or
//! released (let go, with a reason). A commitment past its date is only that — past its
//! date — never "failed". Every change is kept in its history.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};

/// Where a commitment stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum CommitmentState {
    /// Made, not yet kept.
    Open,
    /// Kept.
    Kept,
    /// Its terms were changed; still open.
    Renegotiated,
    /// Let go, with a reason.
    Released,
}

impl CommitmentState {
    /// Every state, in a stable order.
    pub const ALL: [CommitmentState; 4] =
        [Self::Open, Self::Kept, Self::Renegotiated, Self::Released];

    /// The word shown to a person.
    pub fn word(self) -> &'static str {
        match self {
            Self::Open => "open",
            Self::Kept => "kept",
            Self::Renegotiated => "renegotiated",
            Self::Released => "released",
        }
    }

    /// Whether the commitment is still being carried.
    pub fn is_active(self) -> bool {
        matches!(self, Self::Open | Self::Renegotiated)
    }
}

/// One change in a commitment's life.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CommitmentEvent {
    /// When it happened.
    pub at: DateTime<Utc>,
    /// The state it led to.
    pub state: CommitmentState,
    /// The member's note.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub note: Option<String>,
    /// For a renegotiation: the text before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_text: Option<String>,
    /// For a renegotiation: the date before it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub previous_due: Option<NaiveDate>,
}

/// A commitment a member made.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Commitment {
    /// What was committed to (current terms).
    pub text: String,
    /// Values it serves.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub values: Vec<String>,
    /// When it is meant to be kept by, if anytime.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub due: Option<NaiveDate>,
    /// Where it stands now.
    pub state: CommitmentState,
    /// Every change, oldest first; the first is its making.
    pub history: Vec<CommitmentEvent>,
}

/// A change that cannot be made to a commitment.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum CommitmentError {
    /// A note is needed and none was given.
    #[error("this step needs a note: a few words on what changed")]
    NoteRequired,
    /// The commitment was already kept or released.
    #[error("this commitment is already {}", .0.word())]
    Closed(CommitmentState),
    /// A renegotiation changed nothing.
    #[error("a renegotiation needs new words (--text) or a new date (--due)")]
    NothingChanged,
}

fn required(note: &str) -> Result<String, CommitmentError> {
    crate::text::non_empty(note).ok_or(CommitmentError::NoteRequired)
}

impl Commitment {
    /// A new, open commitment.
    pub fn new(
        text: impl Into<String>,
        values: Vec<String>,
        due: Option<NaiveDate>,
        at: DateTime<Utc>,
    ) -> Self {
        Self {
            text: text.into(),
            values,
            due,
            state: CommitmentState::Open,
            history: vec![CommitmentEvent {
                at,
                state: CommitmentState::Open,
                note: None,
                previous_text: None,
                previous_due: None,
            }],
        }
    }

    /// When it was made.
    pub fn made(&self) -> Option<DateTime<Utc>> {
        self.history.first().map(|e| e.at)
    }

    /// Whether it is still carried and its date has gone by.
    pub fn is_past_date(&self, today: NaiveDate) -> bool {
        self.state.is_active() && self.due.is_some_and(|d| d < today)
    }

    fn ensure_active(&self) -> Result<(), CommitmentError> {
        if self.state.is_active() {
            Ok(())
        } else {
            Err(CommitmentError::Closed(self.state))
        }
    }

    fn record(&mut self, state: CommitmentState, at: DateTime<Utc>, note: Option<String>) {
        self.state = state;
        self.history.push(CommitmentEvent {
            at,
            state,
            note,
            previous_text: None,
            previous_due: None,
        });
    }

    /// Marks it kept, with an optional note.
    pub fn keep(&mut self, note: Option<&str>, at: DateTime<Utc>) -> Result<(), CommitmentError> {
        self.ensure_active()?;
        let note = note.and_then(crate::text::non_empty);
        self.record(CommitmentState::Kept, at, note);
        Ok(())
    }

    /// Changes its words and/or date; the old terms stay in the history.
    pub fn renegotiate(
        &mut self,
        text: Option<&str>,
        due: Option<NaiveDate>,
        note: &str,
        at: DateTime<Utc>,
    ) -> Result<(), CommitmentError> {
        self.ensure_active()?;
        let note = required(note)?;
        let text = text
            .map(str::trim)
            .filter(|t| !t.is_empty() && *t != self.text);
        let due = due.filter(|d| Some(*d) != self.due);
        if text.is_none() && due.is_none() {
            return Err(CommitmentError::NothingChanged);
        }
        let event = CommitmentEvent {
            at,
            state: CommitmentState::Renegotiated,
            note: Some(note),
            previous_text: text.map(|_| self.text.clone()),
            previous_due: due.and(self.due),
        };
        if let Some(t) = text {
            self.text = t.to_owned();
        }
        if let Some(d) = due {
            self.due = Some(d);
        }
        self.state = CommitmentState::Renegotiated;
        self.history.push(event);
        Ok(())
    }

    /// Lets it go, with a reason.
    pub fn release(&mut self, note: &str, at: DateTime<Utc>) -> Result<(), CommitmentError> {
        self.ensure_active()?;
        let note = required(note)?;
        self.record(CommitmentState::Released, at, Some(note));
        Ok(())
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
    fn day(d: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(2026, 3, d).expect("date")
    }

    #[test]
    fn life_of_a_commitment() {
        let mut c = Commitment::new("Share the rota", vec![], Some(day(5)), at(1));
        assert!(c.is_past_date(day(6)));
        assert!(!c.is_past_date(day(5)));
        assert_eq!(
            c.renegotiate(None, None, "x", at(2)),
            Err(CommitmentError::NothingChanged)
        );
        assert_eq!(
            c.renegotiate(None, Some(day(9)), " ", at(2)),
            Err(CommitmentError::NoteRequired)
        );
        c.renegotiate(
            Some("Share the rota with everyone"),
            Some(day(9)),
            "more time",
            at(2),
        )
        .expect("renegotiate");
        assert_eq!(c.state, CommitmentState::Renegotiated);
        assert_eq!(
            c.history[1].previous_text.as_deref(),
            Some("Share the rota")
        );
        assert_eq!(c.history[1].previous_due, Some(day(5)));
        c.keep(Some("done"), at(3)).expect("keep");
        assert!(!c.is_past_date(day(20)));
        assert_eq!(
            c.release("late", at(4)),
            Err(CommitmentError::Closed(CommitmentState::Kept))
        );
        assert_eq!(c.history.len(), 3);
    }

    #[test]
    fn release_needs_a_reason() {
        let mut c = Commitment::new("x", vec![], None, at(1));
        assert_eq!(c.release("", at(2)), Err(CommitmentError::NoteRequired));
        c.release("no longer mine to carry", at(2))
            .expect("release");
        assert_eq!(c.state, CommitmentState::Released);
    }
}
