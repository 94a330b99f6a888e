//! Rendering a user template in a child process with operating-system limits.
//!
//! minijinja's fuel stops loops, but not a macro that doubles a string: that one takes
//! memory, not steps. So `tend retreat build --template` runs the template in a child `tend`
//! (the hidden `tend retreat render-template`), which caps its own address space and
//! processor time with setrlimit before it reads anything, and gets the summary and the
//! template's folder over stdin. A child that runs out is stopped by the kernel; the parent
//! writes nothing and says why.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Command, ExitCode, Stdio};

use anyhow::Result;
use clap::Args;
use serde::{Deserialize, Serialize};
use tend_core::contribution::limits::clean_for_terminal;
use tend_core::retreat::{self, MAX_OUTPUT_BYTES, RenderError, Summary};

use super::template::UserTemplate;
use crate::context::Ctx;
use crate::failure::fail;

/// The child's address space: room for tend and a large summary, not for a runaway string.
pub const CHILD_MEMORY: u64 = 512 << 20;
/// The child's processor time, in seconds.
pub const CHILD_SECONDS: u64 = 20;

/// What the parent sends the child.
#[derive(Debug, Serialize, Deserialize)]
struct Request {
    folder: PathBuf,
    name: String,
    refused: Vec<PathBuf>,
    summary: serde_json::Value,
}

/// What the child says when rendering fails.
#[derive(Debug, Serialize, Deserialize)]
struct Refusal {
    message: String,
    hint: String,
}

/// Render a summary with a user template, within limits (used by `tend retreat build`).
#[derive(Debug, Args)]
pub struct RenderTemplate {}

impl RenderTemplate {
    pub fn run(self, _ctx: &Ctx) -> Result<ExitCode> {
        if !crate::sys::limit_self(CHILD_MEMORY, CHILD_SECONDS) {
            return Err(fail("could not limit the template's memory and time").into());
        }
        let mut input = Vec::new();
        std::io::stdin()
            .take(64 << 20)
            .read_to_end(&mut input)
            .map_err(|e| fail(format!("could not read the request: {e}")))?;
        let request: Request = serde_json::from_slice(&input)
            .map_err(|e| fail(format!("the request is not well formed: {e}")))?;
        let loader = UserTemplate::loader(request.folder.clone(), request.refused);
        match retreat::render_user_template(&request.summary, &request.name, loader) {
            Ok(text) => {
                std::io::stdout().write_all(text.as_bytes())?;
                Ok(ExitCode::SUCCESS)
            }
            Err(e) => {
                let refusal = Refusal {
                    message: format!("the summary could not be rendered: {e}"),
                    hint: hint(&e, &request.folder),
                };
                eprintln!("{}", serde_json::to_string(&refusal).unwrap_or_default());
                Ok(ExitCode::from(3))
            }
        }
    }
}

fn hint(e: &RenderError, folder: &Path) -> String {
    let refused_include = match e {
        RenderError::NotFound(_) => true,
        RenderError::Template { message, .. } => message.starts_with("template not found"),
        _ => false,
    };
    if refused_include {
        format!(
            "nothing was written; a template can include only *.j2 and *.jinja files inside its \
             own folder ({}), never one that holds a secret key, and not through links that \
             lead out of it",
            folder.display()
        )
    } else if matches!(e, RenderError::TooLong { .. }) {
        "nothing was written; a template gets a fixed number of steps, far more than any \
         summary needs"
            .to_owned()
    } else if matches!(e, RenderError::TooLarge) {
        "nothing was written; look for a loop or macro that repeats its output".to_owned()
    } else {
        "nothing was written; docs/retreat-guide.md lists what a template can use".to_owned()
    }
}

/// Renders `summary` with `template` in a limited child process.
pub fn render_in_child(
    summary: &Summary,
    template: &UserTemplate,
    identity: &Path,
) -> Result<String> {
    let mut refused = Vec::new();
    if let Ok(path) = identity.canonicalize() {
        refused.push(path);
    }
    let request = Request {
        folder: template.folder.clone(),
        name: template.name.clone(),
        refused,
        summary: serde_json::to_value(summary)?,
    };
    let exe = std::env::current_exe().map_err(|e| {
        fail(format!(
            "could not find tend itself to render the template: {e}"
        ))
    })?;
    let mut child = Command::new(exe)
        .args(["retreat", "render-template"])
        .env_clear()
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .map_err(|e| fail(format!("could not start the template's renderer: {e}")))?;
    if let Some(mut stdin) = child.stdin.take() {
        // A child that stops early closes its end; what it says next explains why.
        let _ = stdin.write_all(&serde_json::to_vec(&request)?);
    }
    let mut out = Vec::new();
    if let Some(stdout) = child.stdout.take() {
        stdout
            .take(MAX_OUTPUT_BYTES as u64 + 1)
            .read_to_end(&mut out)?;
    }
    let mut err = Vec::new();
    if let Some(stderr) = child.stderr.take() {
        stderr.take(64 << 10).read_to_end(&mut err)?;
    }
    let status = child.wait()?;
    if status.success() && out.len() <= MAX_OUTPUT_BYTES {
        return String::from_utf8(out)
            .map_err(|_| fail("the template's output is not UTF-8 text").into());
    }
    if status.code() == Some(3)
        && let Ok(refusal) = serde_json::from_slice::<Refusal>(err.trim_ascii())
    {
        return Err(fail(clean_for_terminal(&refusal.message))
            .hint(clean_for_terminal(&refusal.hint))
            .into());
    }
    Err(fail(format!(
        "the template used more than {} MiB of memory or {CHILD_SECONDS} s of processor time \
         and was stopped",
        CHILD_MEMORY >> 20
    ))
    .hint("nothing was written; look for a macro that calls itself or doubles a string")
    .into())
}
