//! tend's agent: one process per user that holds the data keys of unlocked journals for a
//! sitting, and seals, opens and MACs records for tend on request, the way ssh-agent signs
//! without handing out a private key.
//!
//! A client hands a key over once (`tend unlock`, or the first command that asked for the
//! passphrase); from then on it sends sealed bytes to open and plaintext to seal, in large
//! batches. The agent never writes a key anywhere and never sends one. It listens on a Unix
//! socket (0600) in a private folder (0700), refuses every connection from another user id
//! (checked with the peer's credentials), keeps keys in locked memory, is not dumpable,
//! and forgets each key after an idle timeout and an absolute limit, both measured in
//! wall-clock time so that a suspended machine counts the time it slept. On Linux it also
//! forgets every key when logind says the machine is about to sleep or the session was
//! locked (D-Bus, where there is a system bus with logind on it).
//!
//! ```no_run
//! use std::time::Duration;
//! use tend_agent::{client::Client, paths};
//!
//! let socket = paths::socket_path()?;
//! if let Some(client) = Client::connect(&socket)? {
//!     for held in client.status()?.journals {
//!         println!("{} until {:?}", held.label, held.idle_deadline);
//!     }
//! }
//! # let _ = Duration::from_secs(1);
//! # Ok::<(), tend_agent::Error>(())
//! ```
#![deny(unsafe_code)]
#![deny(missing_docs)]

pub mod client;
mod error;
#[cfg(target_os = "linux")]
mod logind;
pub mod paths;
pub mod protocol;
pub mod server;
mod sys;

pub use error::Error;
