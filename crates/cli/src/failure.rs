//! Turning an error into one line saying what went wrong and, where there is one, one line
//! saying what to do. Nothing secret or private goes into either.

use std::process::ExitCode;

use tend_store::Error as StoreError;

/// An error the CLI raises itself, with its own hint.
#[derive(Debug)]
pub struct Failure {
    message: String,
    hint: Option<String>,
}

impl std::fmt::Display for Failure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Failure {}

/// Builds a [`Failure`]: `fail("…").hint("…")`.
pub fn fail(message: impl Into<String>) -> Failure {
    Failure {
        message: message.into(),
        hint: None,
    }
}

impl Failure {
    /// Adds the line saying what to do.
    pub fn hint(mut self, hint: impl Into<String>) -> Self {
        self.hint = Some(hint.into());
        self
    }
}

fn store_hint(e: &StoreError) -> Option<&'static str> {
    Some(match e {
        StoreError::NotFound {
            kind: "commitment", ..
        } => "`tend commit list --all` shows the ids",
        StoreError::NotFound { kind: "repair", .. } => "`tend repair list --all` shows the ids",
        StoreError::NotFound {
            kind: "consent record",
            ..
        } => "`tend consent list` shows the ids",
        StoreError::WrongPassphrase => {
            "nothing was changed; check the passphrase (or its file) and try again"
        }
        StoreError::WrongIdentity => {
            "nothing was changed; use an identity file that `tend key list` shows"
        }
        StoreError::NoUnlockerOfKind { .. } => "`tend key list` shows how this journal opens",
        StoreError::ExcessiveWork(_) => {
            "the passphrase unlocker may have been made by another program"
        }
        StoreError::Busy => "another tend is using the journal; wait a few seconds and try again",
        StoreError::Missing(_) => {
            "create one with `tend init`, or point --journal / TEND_JOURNAL at yours"
        }
        StoreError::AlreadyExists(_) => {
            "choose another path with --journal, or move the existing file away first"
        }
        StoreError::NotAJournal(_) => "check --journal / TEND_JOURNAL: it points at something else",
        StoreError::Damaged(_) => {
            "keep a copy of the file as it is, then run `tend check` to see what can still be read"
        }
        StoreError::NewerVersion { .. } => {
            "update tend to open this journal; this version changed nothing"
        }
        StoreError::NotFound { .. } => {
            "`tend list` shows the handles; a number finds only a record from before the journal's upgrade"
        }
        StoreError::NoSuchHandle { .. } => "`tend list` shows the handles",
        StoreError::AmbiguousHandle { .. } => "type a few more letters of the one you mean",
        StoreError::RecordDamaged { .. } => {
            "run `tend check` to see which records are affected; the others stay readable"
        }
        StoreError::LastUnlocker => "add another with `tend key add` first",
        StoreError::NoSuchUnlocker(_) => "`tend key list` shows the ids",
        StoreError::DiskFull => "free some space and try again; the journal is as it was",
        StoreError::KeyWithAgent => {
            "run it again after `tend lock`; it will ask for the passphrase"
        }
        StoreError::AgentLost => {
            "run the command again: it will ask for the passphrase (`tend status` says what is unlocked)"
        }
        _ => return None,
    })
}

/// Prints the error and returns the exit code.
pub fn report(err: &anyhow::Error) -> ExitCode {
    let (message, hint) = if let Some(f) = err.downcast_ref::<Failure>() {
        (f.message.clone(), f.hint.clone())
    } else if let Some(e) = err.downcast_ref::<StoreError>() {
        (e.to_string(), store_hint(e).map(str::to_owned))
    } else if let Some(io) = err.downcast_ref::<std::io::Error>() {
        if io.kind() == std::io::ErrorKind::BrokenPipe {
            return ExitCode::SUCCESS;
        }
        (format!("{err:#}"), None)
    } else {
        (format!("{err:#}"), None)
    };
    let red = anstyle::Style::new().bold();
    anstream::eprintln!("{red}tend:{red:#} {message}");
    if let Some(hint) = hint {
        anstream::eprintln!("  hint: {hint}");
    }
    ExitCode::FAILURE
}

/// Prints the line for a command that stopped on a panic: every write is one transaction, so
/// nothing half-done was kept.
pub fn report_panic(place: &str) -> ExitCode {
    let bold = anstyle::Style::new().bold();
    anstream::eprintln!(
        "{bold}tend:{bold:#} this command stopped unexpectedly; nothing half-done was saved"
    );
    anstream::eprintln!(
        "  hint: the journal file may be damaged: run `tend check`, and keep a copy of the file as it is (stopped at {place})"
    );
    ExitCode::from(101)
}
