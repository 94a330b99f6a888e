//! Where the agent's socket lives: `$XDG_RUNTIME_DIR/tend/agent.sock`, or where there is no
//! runtime folder, `agent/agent.sock` in tend's cache folder. The folder is made 0700 and is
//! refused when it is another user's or open to others.

use std::path::{Path, PathBuf};

use crate::Error;

/// The socket's file name inside the agent's folder.
pub const SOCKET_NAME: &str = "agent.sock";

/// The agent's private folder.
pub fn folder() -> Result<PathBuf, Error> {
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR")
        .map(PathBuf::from)
        .filter(|d| d.is_absolute())
    {
        return Ok(dir.join("tend"));
    }
    let dirs = directories::ProjectDirs::from("org", "tend", "tend").ok_or(Error::NoFolder)?;
    Ok(match dirs.runtime_dir() {
        Some(run) => run.to_owned(),
        None => dirs.cache_dir().join("agent"),
    })
}

/// The socket's path.
pub fn socket_path() -> Result<PathBuf, Error> {
    Ok(folder()?.join(SOCKET_NAME))
}

/// Makes the folder (0700) if it is missing, and checks that it is a real folder that
/// belongs to this user and that nobody else can enter.
pub fn ensure_private(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::{DirBuilderExt, PermissionsExt};
    match std::fs::symlink_metadata(dir) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
            std::fs::DirBuilder::new()
                .recursive(true)
                .mode(0o700)
                .create(dir)?;
            std::fs::set_permissions(dir, std::fs::Permissions::from_mode(0o700))?;
            check_private(dir)
        }
        Err(e) => Err(e.into()),
        Ok(_) => check_private(dir),
    }
}

/// Checks, without changing anything, that `dir` is this user's private folder.
pub fn check_private(dir: &Path) -> Result<(), Error> {
    use std::os::unix::fs::MetadataExt;
    let m = std::fs::symlink_metadata(dir)?;
    if !m.is_dir() || m.uid() != crate::sys::user_id() || m.mode() & 0o077 != 0 {
        return Err(Error::UnsafeFolder(dir.to_owned()));
    }
    Ok(())
}
