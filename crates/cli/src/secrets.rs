//! Where passphrases and identities come from: a file, a command, or the terminal — never a
//! command-line argument.

use std::path::Path;

use age::secrecy::{ExposeSecret, SecretString};
use anyhow::{Context, Result};
use tend_store::NewUnlocker;
use zeroize::Zeroizing;

use crate::failure::fail;
use crate::prompt;
use crate::strength::Verdict;

/// The environment variable that names a file holding the passphrase.
pub const PASSPHRASE_FILE: &str = "TEND_PASSPHRASE_FILE";
/// The environment variable holding a command whose output is the passphrase.
pub const PASSPHRASE_COMMAND: &str = "TEND_PASSPHRASE_COMMAND";
/// The environment variable that lowers the scrypt work factor of new passphrase unlockers.
/// Meant for tests only: it makes a stolen journal far cheaper to attack.
pub const INSECURE_WORK_FACTOR: &str = "TEND_INSECURE_SCRYPT_WORK_FACTOR";

fn first_line(bytes: Zeroizing<Vec<u8>>, from: &str) -> Result<SecretString> {
    let text = std::str::from_utf8(&bytes)
        .map_err(|_| fail(format!("the passphrase from {from} is not text")))?;
    let line = text.lines().next().unwrap_or("");
    if line.is_empty() {
        return Err(fail(format!("the passphrase from {from} is empty"))
            .hint("put the passphrase on the first line")
            .into());
    }
    Ok(SecretString::from(line.to_owned()))
}

/// A passphrase from `TEND_PASSPHRASE_FILE` or `TEND_PASSPHRASE_COMMAND`, if either is set.
pub fn passphrase_from_env() -> Result<Option<SecretString>> {
    if let Some(path) = std::env::var_os(PASSPHRASE_FILE).filter(|p| !p.is_empty()) {
        return read_passphrase_file(Path::new(&path)).map(Some);
    }
    if let Some(cmd) = std::env::var_os(PASSPHRASE_COMMAND).filter(|p| !p.is_empty()) {
        let output = std::process::Command::new("sh")
            .arg("-c")
            .arg(&cmd)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::inherit())
            .output()
            .with_context(|| format!("could not run {PASSPHRASE_COMMAND}"))?;
        if !output.status.success() {
            return Err(fail(format!(
                "{PASSPHRASE_COMMAND} exited with {}",
                output.status
            ))
            .hint("run the command by hand to see what it says")
            .into());
        }
        return first_line(Zeroizing::new(output.stdout), PASSPHRASE_COMMAND).map(Some);
    }
    Ok(None)
}

/// Reads a passphrase from the first line of a file.
pub fn read_passphrase_file(path: &Path) -> Result<SecretString> {
    let bytes = std::fs::read(path).map_err(|e| {
        fail(format!(
            "could not read the passphrase file {}: {e}",
            path.display()
        ))
        .hint(format!("check {PASSPHRASE_FILE}"))
    })?;
    first_line(Zeroizing::new(bytes), &path.display().to_string())
}

/// Reads age identities from an identity file (as `age-keygen` writes it).
pub fn load_identities(path: &Path) -> Result<Vec<age::x25519::Identity>> {
    let text = Zeroizing::new(std::fs::read_to_string(path).map_err(|e| {
        fail(format!(
            "could not read the identity file {}: {e}",
            path.display()
        ))
        .hint("give the path of a file made by `age-keygen` or `tend retreat keygen`")
    })?);
    let mut ids = Vec::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let id = line.parse::<age::x25519::Identity>().map_err(|_| {
            fail(format!(
                "{} line {}: this is not an age identity",
                path.display(),
                n + 1
            ))
            .hint("an identity file holds lines starting with AGE-SECRET-KEY-1")
        })?;
        ids.push(id);
    }
    if ids.is_empty() {
        return Err(fail(format!("{} holds no identity", path.display()))
            .hint("an identity file holds lines starting with AGE-SECRET-KEY-1")
            .into());
    }
    Ok(ids)
}

/// The scrypt work factor for new passphrase unlockers: age's calibrated default, unless
/// the test-only setting lowers it. The setting takes only factors that opening accepts (so a
/// passphrase made under it can always be used again) and is named each time it is used.
pub fn work_factor() -> Result<Option<u8>> {
    let max = tend_store::MAX_WORK_FACTOR;
    match std::env::var(INSECURE_WORK_FACTOR) {
        Err(_) => Ok(None),
        Ok(v) if v.is_empty() => Ok(None),
        Ok(v) => match v.trim().parse::<u8>() {
            Ok(n) if (1..=max).contains(&n) => {
                crate::note!(
                    "warning: {INSECURE_WORK_FACTOR}={n} makes this passphrase quick to guess; \
                     it is meant for tests. Unset it and change the passphrase for a real journal."
                );
                Ok(Some(n))
            }
            _ => Err(fail(format!(
                "{INSECURE_WORK_FACTOR} must be a number from 1 to {max}"
            ))
            .hint("unset it for real journals; nothing was created or changed")
            .into()),
        },
    }
}

/// A new passphrase: from `file` if given, else the environment, else asked twice on the
/// terminal.
pub fn new_passphrase(file: Option<&Path>, what: &str) -> Result<NewUnlocker> {
    let given = if let Some(file) = file {
        Some(read_passphrase_file(file)?)
    } else {
        passphrase_from_env()?
    };
    let passphrase = if let Some(p) = given {
        match crate::strength::rate(p.expose_secret(), crate::strength::CONTEXT) {
            Verdict::Refuse(why) => {
                return Err(fail(format!("{why}; nothing was created or changed"))
                    .hint(format!(
                        "choose several random words, for example: {}",
                        crate::strength::suggestion()
                    ))
                    .into());
            }
            Verdict::Guessable(why) => crate::note!(
                "note: {why}. Several random words are stronger, for example: {}",
                crate::strength::suggestion()
            ),
            Verdict::Fine => {}
        }
        p
    } else if prompt::can_ask_secret() {
        ask_twice(what)?
    } else {
        return Err(fail(format!(
            "tend needs {what}, and there is no terminal to ask on"
        ))
        .hint(format!(
            "set {PASSPHRASE_FILE} to a file holding it, or use --identity"
        ))
        .into());
    };
    Ok(NewUnlocker::Passphrase {
        passphrase,
        work_factor: work_factor()?,
    })
}

fn ask_twice(what: &str) -> Result<SecretString> {
    for _ in 0..3 {
        let first = prompt::passphrase(&format!("Choose {what}: "))?;
        if first.expose_secret().is_empty() {
            eprintln!(
                "An empty passphrase would leave the journal open to anyone. Please choose one."
            );
            continue;
        }
        match crate::strength::rate(first.expose_secret(), crate::strength::CONTEXT) {
            Verdict::Refuse(why) => {
                eprintln!(
                    "tend will not use it: {why}. Several random words are easy to type and hard to guess, for example: {}",
                    crate::strength::suggestion()
                );
                continue;
            }
            Verdict::Guessable(why) => {
                eprintln!(
                    "A word of care: {why}. Several random words are stronger, for example: {}",
                    crate::strength::suggestion()
                );
                if !prompt::confirm("Use it anyway?", false)? {
                    continue;
                }
            }
            Verdict::Fine => {}
        }
        let second = prompt::passphrase("Type it again: ")?;
        if first.expose_secret() == second.expose_secret() {
            return Ok(first);
        }
        eprintln!("Those two did not match. Let's try again.");
    }
    Err(fail("no passphrase was set")
        .hint("nothing was created or changed")
        .into())
}
