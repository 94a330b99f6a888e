//! `tend retreat build`: the retreat summary from the contribution files members sent.
//!
//! This file opens and sorts the files; which contributions count, and what the summary may
//! show, is decided in `tend_core::retreat`. A file that cannot be used is left out with its
//! reason and the build goes on; a revocation that cannot be read stops it, because going
//! on could show a contribution its author withdrew.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use age::x25519::Identity;
use anyhow::Result;
use clap::{Args, ValueEnum};
use tend_core::contribution::{Contribution, ContributionError, REVOCATION_FORMAT, Revocation};
use tend_core::retreat::{
    self, DEFAULT_MIN_GROUP, Format, LeaveReason, LeftOut, Options, Received, RenderError,
    RetreatError,
};
use tend_store::bundle;
use zeroize::Zeroizing;

use super::template::UserTemplate;
use crate::context::Ctx;
use crate::failure::fail;
use crate::files::write_private;
use crate::{note, say, secrets};

/// The built-in formats.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum SummaryFormat {
    /// Markdown
    Markdown,
    /// One self-contained HTML file with charts
    Html,
    /// The summary's figures as JSON (a hidden figure is null)
    Json,
}

/// Build the retreat summary from contribution files, opened with your identity (-i FILE).
///
/// A file that cannot be used is left out and counted, with its reason, in the report at
/// the end: sealed for another key, damaged, not a contribution, from a newer tend, consent
/// ended, revoked, or replaced by a newer contribution from the same member. Revocation files
/// may be given among the FILES or after --revocations. No figure drawn from fewer members
/// than --min-group is shown.
#[derive(Debug, Args)]
#[command(
    after_help = "Here -i / --identity names your identity file, the one `tend retreat keygen` \
wrote. No journal is opened.\nThe report at the end (on stderr) lists every file left out, and why."
)]
pub struct Build {
    /// Contribution files (and any revocation files members sent)
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Revocation files members sent
    #[arg(long, value_name = "FILES", num_args = 1..)]
    revocations: Vec<PathBuf>,
    /// Hide every figure drawn from fewer members than this (2 or more)
    #[arg(long, value_name = "N", default_value_t = DEFAULT_MIN_GROUP)]
    min_group: usize,
    /// Only contributions for this purpose [default: the one most files share]
    #[arg(long, value_name = "TEXT")]
    purpose: Option<String>,
    /// The summary's title [default: the purpose]
    #[arg(long, value_name = "TEXT")]
    title: Option<String>,
    /// A built-in format [default: from the -o file's extension: .html, .json, else markdown]
    #[arg(long, value_enum, conflicts_with = "template")]
    format: Option<SummaryFormat>,
    /// Your own minijinja template; it may include only files from its own folder
    #[arg(long, value_name = "FILE")]
    template: Option<PathBuf>,
    /// Where to write the summary
    #[arg(short = 'o', long, value_name = "FILE")]
    output: PathBuf,
    /// Replace the file if it exists
    #[arg(long)]
    force: bool,
    /// Build as if today were this day (for rehearsing what expiry does)
    #[arg(long, hide = true, value_name = "DATE")]
    today: Option<String>,
}

/// What the files held.
#[derive(Debug, Default)]
struct Inputs {
    received: Vec<Received>,
    revocations: Vec<Revocation>,
    unreadable: Vec<LeftOut>,
}

impl Build {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let Some(identity_path) = &ctx.global.identity else {
            return Err(fail(
                "building a summary needs your identity file, to open the contributions",
            )
            .hint(
                "add -i FILE: the file `tend retreat keygen` wrote (an age-keygen file works too)",
            )
            .into());
        };
        let today = ctx.opt_date(self.today.as_deref())?.unwrap_or(ctx.today());
        if self.output.exists() && !self.force {
            return Err(fail(format!("{} already exists", self.output.display()))
                .hint("choose another name, or add --force to replace it")
                .into());
        }
        let template = self.template.as_deref().map(UserTemplate::at).transpose()?;
        let identities = secrets::load_identities(identity_path)?;

        let mut inputs = Inputs::default();
        for path in &self.files {
            inputs.read(path, &identities)?;
        }
        for path in &self.revocations {
            inputs.revocations.push(read_revocation(path, &identities)?);
        }
        let revocation_files = inputs.revocations.len();

        let options = Options {
            today,
            min_group: self.min_group,
            purpose: self.purpose.clone(),
            title: self.title.clone(),
        };
        let (summary, report) = retreat::build(
            inputs.received,
            &inputs.revocations,
            inputs.unreadable,
            &options,
        )
        .map_err(|e| match e {
            RetreatError::MinGroupTooSmall(_) => fail(e.to_string()).hint("the default is 3"),
            _ => fail(e.to_string()),
        })?;
        let text = match &template {
            Some(t) => retreat::render_user_template(&summary, &t.name, t.loader()),
            None => retreat::render(&summary, self.format()),
        }
        .map_err(|e| template_failed(&e, template.as_ref()))?;
        write_private(&self.output, text.as_bytes(), self.force)?;

        say!("Wrote the retreat summary to {}.", self.output.display());
        if revocation_files > 0 {
            note!(
                "Read {revocation_files} revocation{}.",
                if revocation_files == 1 { "" } else { "s" }
            );
        }
        anstream::eprint!("{report}");
        crate::commands::done()
    }

    fn format(&self) -> Format {
        format_for(self.format, &self.output)
    }
}

/// The format asked for, or the one the output file's extension names.
pub(super) fn format_for(asked: Option<SummaryFormat>, output: &Path) -> Format {
    let chosen = asked.unwrap_or_else(|| {
        let ext = output
            .extension()
            .and_then(|e| e.to_str())
            .map(str::to_ascii_lowercase);
        match ext.as_deref() {
            Some("html" | "htm") => SummaryFormat::Html,
            Some("json") => SummaryFormat::Json,
            _ => SummaryFormat::Markdown,
        }
    });
    match chosen {
        SummaryFormat::Markdown => Format::Markdown,
        SummaryFormat::Html => Format::Html,
        SummaryFormat::Json => Format::Json,
    }
}

impl Inputs {
    /// Opens one of the FILES: a contribution, a revocation, or something left out.
    fn read(&mut self, path: &Path, identities: &[Identity]) -> Result<()> {
        let source = path.display().to_string();
        let leave = |this: &mut Self, reason: LeaveReason| {
            this.unreadable.push(LeftOut {
                source: source.clone(),
                reason,
            });
        };
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                note!("Could not read {source}: {e}");
                leave(self, LeaveReason::Unreadable);
                return Ok(());
            }
        };
        let plain = match bundle::open(&bytes, identities) {
            Ok(plain) => Zeroizing::new(plain),
            Err(e) => {
                leave(self, e.leave_reason());
                return Ok(());
            }
        };
        match Contribution::parse(&plain) {
            Ok(contribution) => self.received.push(Received {
                source,
                contribution,
            }),
            Err(ContributionError::WrongFormat {
                found: Some(found), ..
            }) if found == REVOCATION_FORMAT => {
                let revocation = Revocation::parse(&plain)
                    .map_err(|e| revocation_failed(path, &e.to_string()))?;
                self.revocations.push(revocation);
            }
            Err(e) => leave(self, e.leave_reason()),
        }
        Ok(())
    }
}

/// Opens a file given after --revocations; any trouble stops the build.
fn read_revocation(path: &Path, identities: &[Identity]) -> Result<Revocation> {
    let bytes = std::fs::read(path).map_err(|e| revocation_failed(path, &e.to_string()))?;
    let plain = Zeroizing::new(
        bundle::open(&bytes, identities).map_err(|e| revocation_failed(path, &e.to_string()))?,
    );
    Revocation::parse(&plain).map_err(|e| revocation_failed(path, &e.to_string()).into())
}

fn revocation_failed(path: &Path, why: &str) -> crate::failure::Failure {
    fail(format!(
        "could not read the revocation {}: {why}",
        path.display()
    ))
    .hint(
        "nothing was built, so no withdrawn contribution is shown; ask the member for a fresh \
         copy, or leave the file out if it was not meant for you",
    )
}

fn template_failed(e: &RenderError, template: Option<&UserTemplate>) -> anyhow::Error {
    let Some(t) = template else {
        return fail(format!("the summary could not be rendered: {e}"))
            .hint("this is a fault in tend's built-in template; please report it")
            .into();
    };
    let refused_include = match e {
        RenderError::NotFound(_) => true,
        RenderError::Template { message, .. } => message.starts_with("template not found"),
        _ => false,
    };
    let hint = if refused_include {
        format!(
            "nothing was written; a template can include only files inside its own folder ({}), \
             and not through links that lead out of it",
            t.folder.display()
        )
    } else if matches!(e, RenderError::TooLong { .. }) {
        "nothing was written; a template gets a fixed number of steps, far more than any \
         summary needs"
            .to_owned()
    } else {
        "nothing was written; docs/retreat-guide.md lists what a template can use".to_owned()
    };
    fail(format!("the summary could not be rendered: {e}"))
        .hint(hint)
        .into()
}
