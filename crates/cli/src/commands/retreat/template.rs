//! The loader for a facilitator's own template: it hands over files from the template's
//! folder and nothing else.
//!
//! minijinja's own path loader follows symbolic links out of its folder, so this one
//! canonicalises the folder once and every requested file, and refuses any name that is not
//! a plain `*.j2` / `*.jinja` name, any file whose real place is outside the folder, the
//! facilitator's identity file (`-i`), and any file that holds an age secret key.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Result;
use tend_core::retreat::{holds_secret_key, template_name_is_loadable, within_folder};

use crate::failure::fail;

/// The largest template file loaded.
const MAX_TEMPLATE_BYTES: u64 = 1 << 20;

/// A template file: its canonical folder and its name within it.
#[derive(Debug)]
pub struct UserTemplate {
    pub folder: PathBuf,
    pub name: String,
}

impl UserTemplate {
    /// Finds the template at `path`.
    pub fn at(path: &Path) -> Result<Self> {
        let canonical = path.canonicalize().map_err(|e| {
            fail(format!(
                "could not read the template {}: {e}",
                path.display()
            ))
            .hint("check the path given to --template")
        })?;
        if !canonical.is_file() {
            return Err(fail(format!("the template {} is not a file", path.display())).into());
        }
        let (Some(folder), Some(name)) = (
            canonical.parent(),
            canonical.file_name().and_then(|n| n.to_str()),
        ) else {
            return Err(fail(format!(
                "the template {} has a name tend cannot use",
                path.display()
            ))
            .hint("give it a plain name such as summary.md.j2")
            .into());
        };
        if !template_name_is_loadable(name) {
            return Err(fail(format!(
                "the template {} does not end in .j2 or .jinja",
                path.display()
            ))
            .hint("name template files such as summary.md.j2; only those are ever loaded")
            .into());
        }
        Ok(Self {
            folder: folder.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The loader for [`tend_core::retreat::render_user_template`]: `Ok(None)` for anything
    /// outside the folder, as for a file that does not exist.
    /// `refused` lists files (canonical paths) never to hand over, such as the identity.
    pub fn loader(
        folder: PathBuf,
        refused: Vec<PathBuf>,
    ) -> impl Fn(&str) -> Result<Option<String>, String> + Send + Sync + 'static {
        move |name: &str| {
            if !template_name_is_loadable(name) {
                return Ok(None);
            }
            let path = match folder.join(name).canonicalize() {
                Ok(p) => p,
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                    return Ok(None);
                }
                Err(e) => return Err(e.to_string()),
            };
            if !within_folder(&folder, &path) || !path.is_file() || refused.contains(&path) {
                return Ok(None);
            }
            let meta = std::fs::metadata(&path).map_err(|e| e.to_string())?;
            if meta.len() > MAX_TEMPLATE_BYTES {
                return Err(format!(
                    "it is larger than {} KiB",
                    MAX_TEMPLATE_BYTES >> 10
                ));
            }
            let text = std::fs::read_to_string(&path).map_err(|e| e.to_string())?;
            if holds_secret_key(&text) {
                return Ok(None);
            }
            Ok(Some(text))
        }
    }
}
