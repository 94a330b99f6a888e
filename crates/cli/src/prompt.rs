//! Asking a person things on the terminal. Nothing here runs without one: callers check
//! [`interactive`] and refuse clearly otherwise, so no test or script ever waits on a prompt.

use std::io::{BufRead, IsTerminal, Write};

use age::secrecy::SecretString;
use anyhow::{Context, Result};

/// Whether a person is at a terminal on both ends.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

/// Whether a passphrase can be asked for: a terminal is attached on stdin or stderr and
/// /dev/tty opens (stdin may be a pipe carrying a reflection).
pub fn can_ask_secret() -> bool {
    (std::io::stdin().is_terminal() || std::io::stderr().is_terminal())
        && std::fs::File::open("/dev/tty").is_ok()
}

fn tty_line(question: &str) -> Result<Option<String>> {
    let mut err = std::io::stderr();
    write!(err, "{question}")?;
    err.flush()?;
    let tty = std::fs::File::open("/dev/tty").context("no terminal to ask on")?;
    let mut line = String::new();
    let n = std::io::BufReader::new(tty).read_line(&mut line)?;
    if n == 0 {
        return Ok(None);
    }
    Ok(Some(line.trim_end_matches(['\n', '\r']).to_owned()))
}

/// Asks a yes/no question; Enter takes `default`.
pub fn confirm(question: &str, default: bool) -> Result<bool> {
    let hint = if default { "[Y/n]" } else { "[y/N]" };
    loop {
        let Some(answer) = tty_line(&format!("{question} {hint} "))? else {
            return Ok(false);
        };
        match answer.trim().to_lowercase().as_str() {
            "" => return Ok(default),
            "y" | "yes" => return Ok(true),
            "n" | "no" => return Ok(false),
            _ => eprintln!("Please answer y or n."),
        }
    }
}

/// Asks for one line of text; `None` at end of input.
pub fn line(question: &str) -> Result<Option<String>> {
    tty_line(question)
}

/// Asks for a passphrase without echo.
pub fn passphrase(question: &str) -> Result<SecretString> {
    let pass = rpassword::prompt_password(question)
        .context("could not read a passphrase from the terminal")?;
    Ok(SecretString::from(pass))
}
