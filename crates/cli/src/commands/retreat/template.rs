//! The loader for a facilitator's own template: it hands over files from the template's
//! folder and nothing else.
//!
//! minijinja's own path loader follows symbolic links out of its folder, so this one
//! canonicalises the folder once and every requested file, and refuses any name that is not
//! plain or any file whose real place is outside the folder.

use std::io::ErrorKind;
use std::path::{Path, PathBuf};

use anyhow::Result;
use tend_core::retreat::{template_name_is_plain, within_folder};

use crate::failure::fail;

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
        Ok(Self {
            folder: folder.to_owned(),
            name: name.to_owned(),
        })
    }

    /// The loader for [`tend_core::retreat::render_user_template`]: `Ok(None)` for anything
    /// outside the folder, as for a file that does not exist.
    pub fn loader(
        &self,
    ) -> impl Fn(&str) -> Result<Option<String>, String> + Send + Sync + 'static {
        let folder = self.folder.clone();
        move |name: &str| {
            if !template_name_is_plain(name) {
                return Ok(None);
            }
            let path = match folder.join(name).canonicalize() {
                Ok(p) => p,
                Err(e) if matches!(e.kind(), ErrorKind::NotFound | ErrorKind::NotADirectory) => {
                    return Ok(None);
                }
                Err(e) => return Err(e.to_string()),
            };
            if !within_folder(&folder, &path) || !path.is_file() {
                return Ok(None);
            }
            std::fs::read_to_string(&path)
                .map(Some)
                .map_err(|e| e.to_string())
        }
    }
}
