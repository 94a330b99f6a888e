//! `tend retreat build`: the retreat summary from the contribution files members sent.
//!
//! This file opens and sorts the files; which contributions count, and what the summary may
//! show, is decided in `tend_core::retreat`. A file that cannot be used is left out with its
//! reason and the build goes on; a revocation that cannot be read stops it, because going
//! on could show a contribution its author withdrew. A revocation is known before it is
//! opened by being given after `--revocations`, or by its file name holding "revocation"
//! (as `tend consent revoke` names it), so a damaged one is never mistaken for a damaged
//! contribution and skipped.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use age::x25519::Identity;
use anyhow::Result;
use clap::{Args, ValueEnum};
use tend_core::contribution::limits::MAX_SEALED_BYTES;
use tend_core::contribution::{
    ContributionError, REVOCATION_FORMAT, Revocation, SignedContribution,
};
use tend_core::retreat::{
    self, DEFAULT_MIN_GROUP, Format, LeaveReason, LeftOut, Options, Received, RenderError,
    RetreatError, SMALLEST_MIN_GROUP,
};
use tend_store::{bundle, member};
use zeroize::Zeroizing;

use super::roster::read_roster;
use super::template::UserTemplate;
use crate::context::Ctx;
use crate::failure::fail;
use crate::files::write_private;
use crate::{note, say, secrets};
use tend_core::contribution::limits::clean_for_terminal;

mod cofac;

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
/// ended, revoked, replaced by a later contribution from the same key, or, with --roster,
/// signed by a key the roster does not list. Revocation files may be given after
/// --revocations, or among the FILES when their names hold "revocation"; one that cannot be
/// read stops the build. No figure drawn from fewer members than --min-group is shown.
#[derive(Debug, Args)]
#[command(
    after_help = "Here -i / --identity names your identity file, the one `tend retreat keygen` \
wrote. No journal is opened.\nThe report at the end (on stderr) lists every file left out, and why."
)]
pub struct Build {
    /// Contribution files (and any revocation files members sent); with --plan, the leader's
    /// and the helper's aggregate shares
    #[arg(required = true, value_name = "FILES")]
    files: Vec<PathBuf>,
    /// Build a co-facilitated retreat's summary with this plan, from the two aggregate shares
    /// (needs --roster, the plan's roster)
    #[arg(long, value_name = "FILE", conflicts_with_all = ["revocations", "skip_unreadable", "purpose"])]
    plan: Option<PathBuf>,
    /// Revocation files members sent
    #[arg(long, value_name = "FILES", num_args = 1..)]
    revocations: Vec<PathBuf>,
    /// The retreat's roster: count only contributions signed by a key on it, named only as
    /// it names them [default: none; the summary then says nobody checked]
    #[arg(long, value_name = "FILE")]
    roster: Option<PathBuf>,
    /// Go on when a revocation cannot be read; the report and the summary name it
    #[arg(long)]
    skip_unreadable: bool,
    /// Hide every figure drawn from fewer members than this (3 or more)
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
    /// Build as if today were this day (debug builds only, for tests of expiry)
    #[cfg(debug_assertions)]
    #[arg(long, hide = true, value_name = "DATE")]
    today: Option<String>,
}

/// What the files held.
#[derive(Debug, Default)]
struct Inputs {
    received: Vec<Received>,
    revocations: Vec<Revocation>,
    unreadable: Vec<LeftOut>,
    /// Revocations that could not be read, skipped at the facilitator's word.
    skipped: Vec<String>,
    skip_unreadable: bool,
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
        #[cfg(debug_assertions)]
        let today = ctx.opt_date(self.today.as_deref())?.unwrap_or(ctx.today());
        #[cfg(not(debug_assertions))]
        let today = ctx.today();
        if let Some(plan) = &self.plan {
            return self.run_cofac(today, plan, identity_path);
        }
        if self.min_group < SMALLEST_MIN_GROUP {
            return Err(fail(format!(
                "a minimum group of {} would let members work out each other's figures",
                self.min_group
            ))
            .hint(format!(
                "use --min-group {SMALLEST_MIN_GROUP} or more (the default is {DEFAULT_MIN_GROUP})"
            ))
            .into());
        }
        let roster = self.roster.as_deref().map(read_roster).transpose()?;
        if self.output.exists() && !self.force {
            return Err(fail(format!("{} already exists", self.output.display()))
                .hint("choose another name, or add --force to replace it")
                .into());
        }
        let template = self.template.as_deref().map(UserTemplate::at).transpose()?;
        let identities = secrets::load_identities(identity_path)?;

        let mut inputs = Inputs {
            skip_unreadable: self.skip_unreadable,
            ..Inputs::default()
        };
        for path in &self.files {
            inputs.read(path, &identities)?;
        }
        for path in &self.revocations {
            inputs.revocation(path, &identities)?;
        }
        let revocation_files = inputs.revocations.len();

        let options = Options {
            today,
            min_group: self.min_group,
            purpose: self.purpose.clone(),
            title: self.title.clone(),
            roster,
            skipped_revocations: std::mem::take(&mut inputs.skipped),
        };
        let (summary, report) = retreat::build(
            inputs.received,
            &inputs.revocations,
            inputs.unreadable,
            &options,
        )
        .map_err(|e| match e {
            RetreatError::MinGroupTooSmall(_) => {
                fail(e.to_string()).hint(format!("the default is {DEFAULT_MIN_GROUP}"))
            }
            _ => fail(e.to_string()),
        })?;
        self.write_summary(&summary, template.as_ref(), identity_path)?;

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

    /// Renders the summary (with the user's template, in a child process, when there is
    /// one) and writes it.
    fn write_summary(
        &self,
        summary: &retreat::Summary,
        template: Option<&UserTemplate>,
        identity_path: &Path,
    ) -> Result<()> {
        let text = match template {
            Some(t) => super::render_child::render_in_child(summary, t, identity_path)?,
            None => retreat::render(summary, self.format())
                .map_err(|e| template_failed(&e, template))?,
        };
        write_private(&self.output, text.as_bytes(), self.force)
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
        if named_as_revocation(path) {
            return self.revocation(path, identities);
        }
        let source = path.display().to_string();
        let leave = |this: &mut Self, left: LeftOut| this.unreadable.push(left);
        match std::fs::metadata(path) {
            Ok(meta) if meta.len() > MAX_SEALED_BYTES => {
                leave(
                    self,
                    LeftOut::new(&source, LeaveReason::TooLarge)
                        .with_detail(format!("{} bytes", meta.len())),
                );
                return Ok(());
            }
            _ => {}
        }
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => {
                leave(
                    self,
                    LeftOut::new(&source, LeaveReason::Unreadable).with_detail(e.to_string()),
                );
                return Ok(());
            }
        };
        let plain = match bundle::open(&bytes, identities) {
            Ok(plain) => Zeroizing::new(plain),
            Err(e) => {
                leave(self, LeftOut::new(&source, e.leave_reason()));
                return Ok(());
            }
        };
        match SignedContribution::parse(&plain) {
            Ok(signed) => {
                let verified = member::verify(&signed);
                self.received.push(Received {
                    source,
                    contribution: signed.contribution,
                    verified,
                });
            }
            Err(ContributionError::WrongFormat {
                found: Some(found), ..
            }) if found == REVOCATION_FORMAT => match Revocation::parse(&plain) {
                Ok(revocation) => self.revocations.push(revocation),
                Err(e) => self.unreadable_revocation(path, &e.to_string())?,
            },
            Err(e) => {
                let detail = match &e {
                    ContributionError::Inconsistent(why) => Some(why.clone()),
                    _ => None,
                };
                let mut left = LeftOut::new(&source, e.leave_reason());
                left.detail = detail;
                leave(self, left);
            }
        }
        Ok(())
    }

    /// Opens a file known to be a revocation; any trouble stops the build, unless the
    /// facilitator said to skip it.
    fn revocation(&mut self, path: &Path, identities: &[Identity]) -> Result<()> {
        let bytes = match std::fs::read(path) {
            Ok(bytes) => bytes,
            Err(e) => return self.unreadable_revocation(path, &e.to_string()),
        };
        let plain = match bundle::open(&bytes, identities) {
            Ok(plain) => Zeroizing::new(plain),
            Err(e) => return self.unreadable_revocation(path, &e.to_string()),
        };
        match Revocation::parse(&plain) {
            Ok(revocation) => {
                self.revocations.push(revocation);
                Ok(())
            }
            Err(e) => self.unreadable_revocation(path, &e.to_string()),
        }
    }

    fn unreadable_revocation(&mut self, path: &Path, why: &str) -> Result<()> {
        if self.skip_unreadable {
            note!(
                "Skipped the revocation {}, which could not be read: {why}",
                clean_for_terminal(&path.display().to_string())
            );
            self.skipped.push(path.display().to_string());
            return Ok(());
        }
        Err(revocation_failed(path, why).into())
    }
}

/// Whether a file's name says it is a revocation (`tend consent revoke` writes
/// `revocation-ID.age`).
fn named_as_revocation(path: &Path) -> bool {
    path.file_name()
        .and_then(|n| n.to_str())
        .is_some_and(|n| n.to_lowercase().contains("revocation"))
}

fn revocation_failed(path: &Path, why: &str) -> crate::failure::Failure {
    fail(format!(
        "could not read the revocation {}: {}",
        clean_for_terminal(&path.display().to_string()),
        clean_for_terminal(why)
    ))
    .hint(
        "nothing was built, so no withdrawn contribution is shown; ask the member for a fresh \
         copy, or add --skip-unreadable to build without it (the summary will say so)",
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
