//! tend's full-screen terminal interface: a journal a member can use without knowing a shell.
//!
//! `tend ui` hands this crate a way to open the journal (an [`Opener`]); it unlocks (asking
//! for the passphrase inside the interface when no other route holds it), then runs an
//! [`App`] over the same library code as the CLI: `tend-core` decides, `tend-store` keeps.
//! The text is written in an editor inside the process, so it never touches a file.
//!
//! The [`App`] draws on any ratatui backend and takes events one at a time, so every
//! screen can be driven and drawn in a test without a terminal:
//!
//! ```
//! use chrono::{NaiveDate, TimeZone, Utc};
//! use ratatui::{Terminal, backend::TestBackend};
//! use tend_core::{pack::ValuesPack, reflection::Reflection};
//! use tend_store::{Journal, NewUnlocker, secrecy::SecretString};
//! use tend_ui::{App, Clock, Theme};
//!
//! let dir = tempfile::tempdir()?;
//! let unlocker = NewUnlocker::Passphrase {
//!     passphrase: SecretString::from("correct horse".to_owned()),
//!     work_factor: Some(10),
//! };
//! let now = Utc.with_ymd_and_hms(2026, 11, 20, 18, 0, 0).unwrap();
//! let journal = Journal::create(
//!     &dir.path().join("j.tend"), &unlocker, &ValuesPack::default_pack(), now,
//! )?;
//! let on = NaiveDate::from_ymd_opt(2026, 11, 20).unwrap();
//! journal.add(&Reflection::new("Asked who had not spoken yet.", on, now))?;
//!
//! let mut app = App::new(journal, Clock::fixed(now, on), Theme::plain())?;
//! let mut terminal = Terminal::new(TestBackend::new(80, 24))?;
//! terminal.draw(|frame| app.draw(frame))?;
//! assert!(format!("{}", terminal.backend()).contains("Asked who had not spoken yet."));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![forbid(unsafe_code)]
#![deny(missing_docs)]

mod app;
mod care;
mod error;
mod field;
mod help;
mod ids;
mod insights;
mod look;
mod modal;
mod reader;
mod share;
mod terminal;
mod theme;
mod unlock;
mod write;

pub use app::{App, Clock, Tab};
pub use error::{Error, Result};
pub use terminal::{Ended, run};
pub use theme::Theme;
pub use unlock::Opener;

#[cfg(test)]
mod tests;
