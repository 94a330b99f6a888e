//! Neutral styles only: greys, bold and reverse video; never red or green, nothing that
//! reads as a judgement. With `NO_COLOR` set there is no colour at all.

use ratatui::style::{Color, Modifier, Style};

/// The interface's styles.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Theme {
    color: bool,
}

impl Theme {
    /// Colour unless `NO_COLOR` is set (to anything but the empty string).
    pub fn from_env() -> Self {
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        Self { color: !no_color }
    }

    /// No colour at all: only bold, dim and reverse video.
    pub fn plain() -> Self {
        Self { color: false }
    }

    /// Neutral greys.
    pub fn neutral() -> Self {
        Self { color: true }
    }

    /// Whether colour is used.
    pub fn colored(&self) -> bool {
        self.color
    }

    pub(crate) fn text(&self) -> Style {
        Style::default()
    }

    pub(crate) fn dim(&self) -> Style {
        if self.color {
            Style::default().fg(Color::DarkGray)
        } else {
            Style::default().add_modifier(Modifier::DIM)
        }
    }

    pub(crate) fn title(&self) -> Style {
        Style::default().add_modifier(Modifier::BOLD)
    }

    pub(crate) fn selected(&self) -> Style {
        Style::default().add_modifier(Modifier::REVERSED)
    }

    pub(crate) fn accent(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub(crate) fn border(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Gray)
        } else {
            Style::default()
        }
    }

    pub(crate) fn focus_border(&self) -> Style {
        if self.color {
            Style::default()
                .fg(Color::White)
                .add_modifier(Modifier::BOLD)
        } else {
            Style::default().add_modifier(Modifier::BOLD)
        }
    }

    pub(crate) fn bar(&self) -> Style {
        if self.color {
            Style::default().fg(Color::Gray)
        } else {
            Style::default()
        }
    }

    pub(crate) fn line(&self) -> Style {
        if self.color {
            Style::default().fg(Color::White)
        } else {
            Style::default()
        }
    }
}
