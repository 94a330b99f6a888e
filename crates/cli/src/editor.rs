//! Writing in `$VISUAL` / `$EDITOR` without leaving plaintext behind.
//!
//! The text lives in a private folder (0700) on a memory-backed filesystem where there is
//! one (`$XDG_RUNTIME_DIR`, else `/dev/shm`), in a 0600 file that is overwritten in place and
//! removed on every path out — success, an editor error, or Ctrl-C (which goes to the editor,
//! not to tend, while it runs). A folder that a killed tend could not clean up is swept the
//! next time the editor opens.

use std::path::{Path, PathBuf};
use std::time::Duration;

use anyhow::{Context, Result};
use rand::RngCore;
use zeroize::Zeroizing;

use crate::failure::fail;
use crate::sys::SignalsToChild;

/// A folder of a process whose pid can no longer be checked (or of an earlier build, whose
/// names carry none) counts as stale after this long.
const STALE_AFTER: Duration = Duration::from_secs(24 * 60 * 60);

/// A private folder that is removed, with its contents, when dropped.
struct PrivateDir {
    path: PathBuf,
}

impl PrivateDir {
    fn new() -> Result<Self> {
        let base = private_base();
        sweep_stale(&base);
        let mut suffix = [0u8; 8];
        rand::rngs::OsRng.fill_bytes(&mut suffix);
        let name: String = suffix.iter().map(|b| format!("{b:02x}")).collect();
        // The pid tells a later tend whether this folder's owner is still running.
        let path = base.join(format!("tend-{}-{name}", std::process::id()));
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
        scrub(&self.path);
    }
}

/// Overwrites every file in `dir` where it lies (the same blocks, then synced, so the text
/// does not stay on a disk-backed filesystem), then removes the folder.
fn scrub(dir: &Path) {
    use std::io::{Seek, Write};
    if let Ok(entries) = std::fs::read_dir(dir) {
        for entry in entries.flatten() {
            let p = entry.path();
            let Ok(meta) = std::fs::symlink_metadata(&p) else {
                continue;
            };
            if !meta.is_file() {
                continue;
            }
            // No truncation: truncating first would free the blocks and write the zeros
            // elsewhere, overwriting nothing.
            if let Ok(mut f) = std::fs::OpenOptions::new().write(true).open(&p) {
                let zeros = [0u8; 8192];
                let mut left = meta.len();
                let _ = f.rewind();
                while left > 0 {
                    let n = usize::try_from(left.min(zeros.len() as u64)).unwrap_or(zeros.len());
                    if f.write_all(&zeros[..n]).is_err() {
                        break;
                    }
                    left -= n as u64;
                }
                let _ = f.sync_all();
            }
        }
    }
    let _ = std::fs::remove_dir_all(dir);
}

/// Removes the private folders of editors' sessions whose tend was killed before it could.
fn sweep_stale(base: &Path) {
    let Ok(entries) = std::fs::read_dir(base) else {
        return;
    };
    for entry in entries.flatten() {
        let name = entry.file_name();
        let Some(rest) = name.to_str().and_then(|n| n.strip_prefix("tend-")) else {
            continue;
        };
        let Ok(meta) = std::fs::symlink_metadata(entry.path()) else {
            continue;
        };
        if !meta.is_dir() || !owned_by_me(&meta) {
            continue;
        }
        let pid = rest
            .split_once('-')
            .and_then(|(pid, _)| pid.parse::<u32>().ok());
        let stale = match pid {
            Some(pid) if pid == std::process::id() => false,
            Some(pid) => match process_is_running(pid) {
                Some(running) => !running,
                None => older_than(&meta, STALE_AFTER),
            },
            None => older_than(&meta, STALE_AFTER),
        };
        if stale {
            scrub(&entry.path());
        }
    }
}

fn older_than(meta: &std::fs::Metadata, age: Duration) -> bool {
    meta.modified()
        .ok()
        .and_then(|m| m.elapsed().ok())
        .is_some_and(|e| e > age)
}

#[cfg(unix)]
fn owned_by_me(meta: &std::fs::Metadata) -> bool {
    use std::os::unix::fs::MetadataExt;
    meta.uid() == crate::sys::user_id()
}

#[cfg(not(unix))]
fn owned_by_me(_meta: &std::fs::Metadata) -> bool {
    true
}

/// Whether a process is running, where the system can say (`/proc`); `None` elsewhere.
fn process_is_running(pid: u32) -> Option<bool> {
    let proc = Path::new("/proc");
    if !proc.join("self").exists() {
        return None;
    }
    Some(proc.join(pid.to_string()).exists())
}

/// Whether `dir` is on a filesystem held in memory (tmpfs, ramfs); `None` where the system
/// cannot say.
pub fn in_memory(dir: &Path) -> Option<bool> {
    let dir = dir.canonicalize().ok()?;
    let mounts = std::fs::read_to_string("/proc/self/mountinfo").ok()?;
    let mut best: Option<(usize, bool)> = None;
    for line in mounts.lines() {
        // "36 35 98:0 /root /mnt/point rw,noatime master:1 - tmpfs none rw"
        let Some((left, right)) = line.split_once(" - ") else {
            continue;
        };
        let Some(point) = left.split(' ').nth(4) else {
            continue;
        };
        let point = unescape_mount(point);
        let Some(fs) = right.split(' ').next() else {
            continue;
        };
        if dir.starts_with(&point) {
            let depth = Path::new(&point).components().count();
            if best.is_none_or(|(d, _)| depth >= d) {
                best = Some((depth, matches!(fs, "tmpfs" | "ramfs")));
            }
        }
    }
    best.map(|(_, memory)| memory)
}

/// Mount points escape spaces and a few other bytes as `\ooo`.
fn unescape_mount(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let octal = bytes
            .get(i + 1..i + 4)
            .filter(|d| d.iter().all(|b| (b'0'..=b'7').contains(b)));
        if bytes[i] == b'\\'
            && let Some(d) = octal
        {
            out.push(
                d.iter()
                    .fold(0u8, |n, b| n.wrapping_mul(8).wrapping_add(b - b'0')),
            );
            i += 4;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    String::from_utf8_lossy(&out).into_owned()
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
    if in_memory(&dir.path) != Some(true) {
        crate::note!(
            "Note: the editor's file is in {}, which may be kept on disk; tend overwrites it \
             afterwards, but a disk can keep old copies. Set XDG_RUNTIME_DIR to a folder in \
             memory (a tmpfs) to avoid that.",
            dir.path.parent().unwrap_or(&dir.path).display()
        );
    }
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

#[cfg(test)]
mod tests {
    #![allow(clippy::unwrap_used)]
    use super::*;

    #[test]
    fn mount_points_unescape() {
        assert_eq!(unescape_mount(r"/media/my\040disk"), "/media/my disk");
        assert_eq!(unescape_mount(r"/a\\b"), r"/a\\b");
        assert_eq!(unescape_mount(r"/end\04"), r"/end\04");
        assert_eq!(unescape_mount("/ü\\"), "/ü\\");
    }

    #[test]
    fn memory_filesystems_are_told_apart() {
        if Path::new("/proc/self/mountinfo").exists() && Path::new("/dev/shm").is_dir() {
            assert_eq!(in_memory(Path::new("/dev/shm")), Some(true));
            assert_eq!(in_memory(Path::new("/proc/self")), Some(false));
        }
    }

    #[test]
    fn scrub_overwrites_in_place_and_removes() {
        use std::os::unix::fs::MetadataExt;
        let base = tempfile::tempdir().unwrap();
        let dir = base.path().join("tend-1-x");
        std::fs::create_dir(&dir).unwrap();
        let file = dir.join("reflection.md");
        std::fs::write(&file, "a private thought").unwrap();
        // A hard link keeps the inode reachable, so its contents after the scrub show whether
        // the same blocks were overwritten (a truncating write would leave them to a new
        // inode's reuse instead of zeroing this one).
        let witness = base.path().join("witness");
        std::fs::hard_link(&file, &witness).unwrap();
        let ino = std::fs::metadata(&file).unwrap().ino();
        scrub(&dir);
        assert!(!dir.exists());
        assert_eq!(std::fs::metadata(&witness).unwrap().ino(), ino);
        assert_eq!(std::fs::read(&witness).unwrap(), vec![0u8; 17]);
    }

    #[test]
    fn stale_folders_of_dead_processes_are_swept() {
        let base = tempfile::tempdir().unwrap();
        // u32::MAX is above any pid limit, so no such process runs.
        let dead = base.path().join(format!("tend-{}-00", u32::MAX));
        let mine = base.path().join(format!("tend-{}-00", std::process::id()));
        let other = base.path().join("not-tend");
        for d in [&dead, &mine, &other] {
            std::fs::create_dir(d).unwrap();
            std::fs::write(d.join("reflection.md"), "words").unwrap();
        }
        sweep_stale(base.path());
        if Path::new("/proc/self").exists() {
            assert!(!dead.exists());
        }
        assert!(mine.exists());
        assert!(other.exists());
    }
}
