//! Files tend writes for a person: exports, contributions, revocations, summaries, keys.
//!
//! Each is written to a new 0600 file beside its destination and renamed into place, so an
//! existing file's mode is never kept, a symbolic link at the destination is replaced rather
//! than followed, and a crash leaves the old file or the new one, never half of either.

use std::io::Write;
use std::path::{Path, PathBuf};

use anyhow::Result;
use rand::RngCore;

use crate::failure::fail;

/// Writes a file readable by its owner only, never over an existing one unless `force`.
pub fn write_private(path: &Path, bytes: &[u8], force: bool) -> Result<()> {
    let shown = path.display();
    match std::fs::symlink_metadata(path) {
        Ok(meta) if meta.is_dir() => {
            return Err(fail(format!("{shown} is a folder"))
                .hint("give a file name, for example FOLDER/name")
                .into());
        }
        Ok(_) if !force => {
            return Err(fail(format!("{shown} already exists"))
                .hint("choose another name, or add --force to replace it")
                .into());
        }
        _ => {}
    }
    let folder = match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_owned(),
        _ => PathBuf::from("."),
    };
    let written = |e: std::io::Error| fail(format!("could not write {shown}: {e}"));
    let temp = Temp::create(&folder).map_err(written)?;
    let mut file = &temp.file;
    file.write_all(bytes)
        .and_then(|()| file.sync_all())
        .map_err(written)?;
    if !force {
        // Made meanwhile by someone else: still never replaced without --force.
        if std::fs::symlink_metadata(path).is_ok() {
            return Err(fail(format!("{shown} already exists"))
                .hint("choose another name, or add --force to replace it")
                .into());
        }
    }
    std::fs::rename(&temp.path, path).map_err(written)?;
    temp.keep();
    // The rename itself reaches the disk with the folder's entry.
    if let Ok(dir) = std::fs::File::open(&folder) {
        let _ = dir.sync_all();
    }
    Ok(())
}

/// A new private file beside the destination, removed unless kept.
struct Temp {
    path: PathBuf,
    file: std::fs::File,
    kept: bool,
}

impl Temp {
    fn create(folder: &Path) -> std::io::Result<Self> {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        loop {
            let mut suffix = [0u8; 6];
            rand::rngs::OsRng.fill_bytes(&mut suffix);
            let name: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
            let path = folder.join(format!(".tend-{name}.part"));
            match options.open(&path) {
                Ok(file) => {
                    return Ok(Self {
                        path,
                        file,
                        kept: false,
                    });
                }
                Err(e) if e.kind() == std::io::ErrorKind::AlreadyExists => continue,
                Err(e) => return Err(e),
            }
        }
    }

    fn keep(mut self) {
        self.kept = true;
    }
}

impl Drop for Temp {
    fn drop(&mut self) {
        if !self.kept {
            let _ = std::fs::remove_file(&self.path);
        }
    }
}

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    fn mode(path: &Path) -> u32 {
        use std::os::unix::fs::PermissionsExt;
        std::fs::metadata(path).unwrap().permissions().mode() & 0o777
    }

    #[test]
    fn a_new_file_is_private_and_an_old_one_is_kept_without_force() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        write_private(&path, b"one", false).unwrap();
        assert_eq!(mode(&path), 0o600);
        assert!(write_private(&path, b"two", false).is_err());
        assert_eq!(std::fs::read(&path).unwrap(), b"one");
        // Nothing is left beside it.
        assert_eq!(std::fs::read_dir(dir.path()).unwrap().count(), 1);
    }

    #[test]
    fn force_replaces_a_readable_file_with_a_private_one() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("out.txt");
        std::fs::write(&path, b"old").unwrap();
        std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o644)).unwrap();
        write_private(&path, b"new", true).unwrap();
        assert_eq!(std::fs::read(&path).unwrap(), b"new");
        assert_eq!(mode(&path), 0o600);
    }

    #[test]
    fn a_symlink_is_replaced_not_followed() {
        let dir = tempfile::tempdir().unwrap();
        let target = dir.path().join("elsewhere.txt");
        std::fs::write(&target, b"someone else's").unwrap();
        let link = dir.path().join("out.txt");
        std::os::unix::fs::symlink(&target, &link).unwrap();
        assert!(write_private(&link, b"mine", false).is_err());
        write_private(&link, b"mine", true).unwrap();
        assert_eq!(std::fs::read(&target).unwrap(), b"someone else's");
        assert!(!std::fs::symlink_metadata(&link).unwrap().is_symlink());
        assert_eq!(std::fs::read(&link).unwrap(), b"mine");
    }

    #[test]
    fn a_folder_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let err = write_private(dir.path(), b"x", true).unwrap_err();
        assert!(err.to_string().contains("is a folder"), "{err}");
    }
}
