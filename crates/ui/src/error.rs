//! What can go wrong in the interface, in words a person can act on.

/// An error from the interface.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// The journal said no (wrong passphrase, damaged, busy…); its message says why.
    #[error(transparent)]
    Store(#[from] tend_store::Error),
    /// The terminal could not be set up or drawn on.
    #[error("the terminal could not be used: {0}")]
    Terminal(#[from] std::io::Error),
    /// Three passphrases in a row did not open the journal.
    #[error("that passphrase did not open this journal, three times; nothing was changed")]
    TooManyTries,
    /// The person left at the passphrase screen.
    #[error("you left before unlocking; nothing was changed")]
    LeftBeforeUnlocking,
    /// `tend ui` was started without a terminal to draw on.
    #[error("tend ui needs a terminal to draw on, and there is none")]
    NoTerminal,
}

/// A result with the interface's error.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// One line on what to do next, where there is one.
    pub fn hint(&self) -> Option<&'static str> {
        match self {
            Error::NoTerminal => {
                Some("run it in a terminal window, or use the other tend commands")
            }
            Error::TooManyTries => Some("check the passphrase, then run `tend ui` again"),
            _ => None,
        }
    }
}
