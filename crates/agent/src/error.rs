//! What can go wrong talking to, or being, the agent.

use std::path::PathBuf;

/// The agent's errors, each a situation a person can act on.
#[derive(Debug)]
#[non_exhaustive]
pub enum Error {
    /// There is no folder to put the socket in (no runtime folder, no home).
    NoFolder,
    /// The agent's folder exists but others can reach it, or another user owns it.
    UnsafeFolder(PathBuf),
    /// The agent at the socket is run by another user.
    OtherUser(PathBuf),
    /// The agent refused the request.
    Refused(String),
    /// The agent sent something that is not an answer.
    Garbled,
    /// Another input/output failure.
    Io(std::io::Error),
}

impl std::fmt::Display for Error {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Error::NoFolder => {
                f.write_str("there is no runtime or cache folder for the tend agent's socket")
            }
            Error::UnsafeFolder(p) => write!(
                f,
                "the tend agent's folder {} is not private (it must be yours alone, mode 0700)",
                p.display()
            ),
            Error::OtherUser(p) => write!(
                f,
                "the tend agent at {} belongs to another user",
                p.display()
            ),
            Error::Refused(why) => write!(f, "the tend agent refused: {why}"),
            Error::Garbled => f.write_str("the tend agent sent an answer tend cannot read"),
            Error::Io(e) => write!(f, "could not reach the tend agent: {e}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Io(e) => Some(e),
            _ => None,
        }
    }
}

impl From<std::io::Error> for Error {
    fn from(e: std::io::Error) -> Self {
        Error::Io(e)
    }
}
