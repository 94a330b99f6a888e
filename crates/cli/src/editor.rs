//! Writing in `$VISUAL` / `$EDITOR` without leaving plaintext behind.
//!
//! The text lives in a private folder (0700) on a memory-backed filesystem where there is
//! one (`$XDG_RUNTIME_DIR`, else `/dev/shm`), in a 0600 file that is overwritten and removed
//! on every path out — success, an editor error, or Ctrl-C (which goes to the editor, not to
//! tend, while it runs).

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::failure::fail;
use crate::sys::SignalsToChild;

/// A private folder that is removed, with its contents, when dropped.
struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    fn new() -> Result<Self> {
        let base = private_base();
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let name: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        let path = base.join(format!("tend-{name}"));
        let mut builder = std::fs::DirBuilder::new();
        #[cfg(unix)]
        {
            use std::os::unix::fs::DirBuilderExt;
            builder.mode(0o700);
        }
        builder
            .create(&path)
            .with_context(|| format!("could not make a private folder in {}", base.display()))?;
        Ok(Self { path })
    }
}

impl Drop for PrivateDir {
    fn drop(&mut self) {
        if let Ok(entries) = std::fs::read_dir(&self.path) {
            for entry in entries.flatten() {
                let p = entry.path();
                if let Ok(meta) = std::fs::metadata(&p)
                    && meta.is_file()
                {
                    // Overwrite before removing, for filesystems that are not in memory.
                    let zeros = vec![0u8; usize::try_from(meta.len()).unwrap_or(0)];
                    let _ = std::fs::write(&p, zeros);
                }
            }
        }
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// Where the private folder goes: `$XDG_RUNTIME_DIR`, else `/dev/shm`, else the temp folder.
pub fn private_base() -> PathBuf {
    if let Some(dir) = std::env::var_os("XDG_RUNTIME_DIR").map(PathBuf::from)
        && dir.is_dir()
    {
        return dir;
    }
    let shm = Path::new("/dev/shm");
    if shm.is_dir() {
        return shm.to_owned();
    }
    std::env::temp_dir()
}

/// The editor command: `$VISUAL`, then `$EDITOR`, then `vi`.
fn editor_command() -> String {
    ["VISUAL", "EDITOR"]
        .iter()
        .filter_map(|v| std::env::var(v).ok())
        .find(|v| !v.trim().is_empty())
        .unwrap_or_else(|| "vi".to_owned())
}

/// Opens `initial` in the editor and returns what was saved.
///
/// An editor that exits with an error is an error: nothing is returned, so nothing is saved.
pub fn edit(initial: &str) -> Result<Zeroizing<String>> {
    let dir = PrivateDir::new()?;
    let file = dir.path.join("reflection.md");
    {
        let mut options = std::fs::OpenOptions::new();
        options.write(true).create_new(true);
        #[cfg(unix)]
        {
            use std::os::unix::fs::OpenOptionsExt;
            options.mode(0o600);
        }
        use std::io::Write;
        let mut f = options
            .open(&file)
            .context("could not make the editor's file")?;
        f.write_all(initial.as_bytes())?;
    }
    let editor = editor_command();
    let status = {
        let _signals = SignalsToChild::new();
        // Run through the shell so EDITOR may carry arguments ("code --wait").
        std::process::Command::new("sh")
            .arg("-c")
            .arg(format!("{editor} \"$1\""))
            .arg("tend-editor")
            .arg(&file)
            .status()
    };
    let status = status.map_err(|e| {
        fail(format!("could not start the editor ({editor}): {e}"))
            .hint("set VISUAL or EDITOR to an editor you have")
    })?;
    if !status.success() {
        return Err(fail(format!(
            "the editor exited with an error ({status}); nothing was saved"
        ))
        .hint("your journal is as it was")
        .into());
    }
    let text = Zeroizing::new(
        std::fs::read_to_string(&file).context("could not read back the editor's file")?,
    );
    drop(dir);
    Ok(text)
}
