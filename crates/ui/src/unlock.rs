//! Unlocking: the routes that need no terminal first (handed over by the caller), then the
//! passphrase, asked inside the interface into a buffer that is wiped when dropped.

use std::path::{Path, PathBuf};

use ratatui::Frame;
use ratatui::crossterm::event::{KeyCode, KeyEvent, KeyModifiers};
use ratatui::layout::{Constraint, Layout, Rect};
use ratatui::text::{Line, Span};
use ratatui::widgets::{Block, Borders, Clear, Paragraph, Wrap};
use tend_store::secrecy::SecretString;
use tend_store::{Journal, OpenOptions, Secret};
use zeroize::Zeroizing;

use crate::error::{Error, Result};
use crate::theme::Theme;

/// How to open the journal: its path, and a secret when one came without a terminal
/// (`TEND_PASSPHRASE_FILE`, `TEND_PASSPHRASE_COMMAND`, `--identity`).
#[derive(Debug)]
pub struct Opener {
    path: PathBuf,
    secret: Option<Secret>,
    options: OpenOptions,
    /// The journal already opened by the caller with the key an agent holds.
    held: Option<Journal>,
}

impl Opener {
    /// Opens the journal at `path`, asking for its passphrase inside the interface.
    pub fn new(path: impl Into<PathBuf>) -> Self {
        Self {
            path: path.into(),
            secret: None,
            options: OpenOptions::default(),
            held: None,
        }
    }

    /// Tries `secret` instead of asking.
    #[must_use]
    pub fn with_secret(mut self, secret: Secret) -> Self {
        self.secret = Some(secret);
        self
    }

    /// Uses `journal`, opened by the caller with the key `tend unlock` left with the agent,
    /// so nothing is asked.
    #[must_use]
    pub fn with_held(mut self, journal: Journal) -> Self {
        self.held = Some(journal);
        self
    }

    /// The journal's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Opens the journal without asking anyone, if a route allows it: `Ok(None)` means
    /// the passphrase must be asked for.
    pub(crate) fn open_quietly(&mut self) -> Result<Option<Journal>> {
        // The agent's key first (opened by the caller); without one, the routes below.
        if let Some(journal) = self.held.take() {
            return Ok(Some(journal));
        }
        if !self.path.exists() {
            return Err(tend_store::Error::Missing(self.path.clone()).into());
        }
        match self.secret.take() {
            Some(secret) => Ok(Some(Journal::open_with(
                &self.path,
                &secret,
                &self.options,
            )?)),
            None => Ok(None),
        }
    }

    /// Tries a passphrase typed into the interface.
    pub(crate) fn open_with(&self, passphrase: SecretString) -> Result<Journal> {
        Ok(Journal::open_with(
            &self.path,
            &Secret::Passphrase(passphrase),
            &self.options,
        )?)
    }
}

/// What the passphrase screen asks of its caller after a key.
#[derive(Debug)]
pub(crate) enum Asked {
    /// Keep typing.
    Typing,
    /// Try this passphrase.
    Try(SecretString),
    /// The person chose to leave.
    Leave,
}

/// The passphrase screen. The typed characters live in a buffer that is wiped on drop and
/// on every try; only dots are drawn.
pub(crate) struct PassphraseScreen {
    typed: Zeroizing<String>,
    message: Option<String>,
    tries: u8,
    busy: bool,
}

impl std::fmt::Debug for PassphraseScreen {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PassphraseScreen")
            .field("typed", &"[redacted]")
            .field("tries", &self.tries)
            .finish()
    }
}

impl PassphraseScreen {
    pub(crate) fn new() -> Self {
        Self {
            typed: Zeroizing::new(String::new()),
            message: None,
            tries: 0,
            busy: false,
        }
    }

    pub(crate) fn key(&mut self, key: KeyEvent) -> Asked {
        let ctrl = key.modifiers.contains(KeyModifiers::CONTROL);
        match key.code {
            KeyCode::Esc => Asked::Leave,
            KeyCode::Char('c' | 'd') if ctrl => Asked::Leave,
            KeyCode::Char('u') if ctrl => {
                self.typed.clear();
                Asked::Typing
            }
            KeyCode::Enter if !self.typed.is_empty() => {
                let secret = SecretString::from(self.typed.as_str().to_owned());
                self.typed.clear();
                self.busy = true;
                Asked::Try(secret)
            }
            KeyCode::Backspace => {
                self.typed.pop();
                Asked::Typing
            }
            KeyCode::Char(c) if !ctrl => {
                self.typed.push(c);
                Asked::Typing
            }
            _ => Asked::Typing,
        }
    }

    /// Records a failed try; after three, gives up.
    pub(crate) fn refused(&mut self, error: &Error) -> Result<()> {
        self.busy = false;
        if matches!(error, Error::Store(tend_store::Error::WrongPassphrase)) {
            self.tries += 1;
            if self.tries >= 3 {
                return Err(Error::TooManyTries);
            }
            self.message =
                Some("That passphrase does not open this journal. Try again.".to_owned());
            Ok(())
        } else {
            self.message = Some(error.to_string());
            Ok(())
        }
    }

    pub(crate) fn draw(&self, frame: &mut Frame<'_>, theme: &Theme) {
        let area = centered(frame.area(), 60, 9);
        frame.render_widget(Clear, area);
        let dots: String = "•".repeat(self.typed.chars().count());
        let mut lines = vec![
            Line::styled("Your journal is locked.", theme.title()),
            Line::raw(""),
            Line::from(vec![
                Span::raw("Passphrase: "),
                Span::styled(dots, theme.accent()),
                Span::styled("▏", theme.dim()),
            ]),
            Line::raw(""),
        ];
        if self.busy {
            lines.push(Line::styled("Unlocking…", theme.dim()));
        } else if let Some(m) = &self.message {
            lines.push(Line::raw(m.clone()));
        } else {
            lines.push(Line::styled(
                "Enter unlocks · Esc leaves without changing anything",
                theme.dim(),
            ));
        }
        let block = Block::default()
            .borders(Borders::ALL)
            .border_style(theme.border())
            .title(" tend ");
        frame.render_widget(
            Paragraph::new(lines).block(block).wrap(Wrap { trim: true }),
            area,
        );
    }
}

/// A box of at most `width`×`height` in the middle of `area`.
pub(crate) fn centered(area: Rect, width: u16, height: u16) -> Rect {
    let [_, mid, _] = Layout::vertical([
        Constraint::Fill(1),
        Constraint::Length(height.min(area.height)),
        Constraint::Fill(1),
    ])
    .areas(area);
    let [_, mid, _] = Layout::horizontal([
        Constraint::Fill(1),
        Constraint::Length(width.min(area.width)),
        Constraint::Fill(1),
    ])
    .areas(mid);
    mid
}
