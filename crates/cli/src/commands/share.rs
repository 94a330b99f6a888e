//! `tend share`: a consented, encrypted contribution for a retreat.
//!
//! The member reads exactly what the file will hold before anything is written, and only
//! their explicit yes (at the terminal, or `--yes`) seals it. The consent record, with the
//! secret that can revoke the contribution, is saved before the file is written, so no
//! contribution ever leaves the journal without a way to withdraw it.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use age::x25519::Recipient;
use anyhow::Result;
use chrono::NaiveDate;
use clap::{ArgGroup, Args};
use tend_core::contribution::{BuildError, Period};
use tend_core::id::IdQuery;
use tend_core::reflection::Reflection;
use tend_store::share::{self, GiveError, Prepared, SealError, Sealed};
use tend_store::{Journal, bundle};
use zeroize::Zeroizing;

use super::list::warn_damaged;
use crate::context::Ctx;
use crate::failure::fail;
use crate::files::write_private;
use crate::output::count_of;
use crate::{note, prompt, say, values_arg};

mod plan;

/// Share a contribution for a retreat: counts by default, your own words only from the
/// reflections you name with --excerpt, your name only with --name.
///
/// tend shows exactly what the file will hold and asks for your consent before anything is
/// written. The file is an ordinary age file, readable only by the recipients you name.
#[derive(Debug, Args)]
#[command(group(ArgGroup::new("recipients").args(["to", "recipients_file"]).multiple(true)))]
pub struct Share {
    /// What it is for, in the facilitator's words: "Spring retreat 2026"
    #[arg(long, value_name = "TEXT", required_unless_present = "plan")]
    purpose: Option<String>,
    /// Share into a co-facilitated retreat with this plan (from `tend retreat plan`): the
    /// plan sets the purpose, the values, the period and who receives the file
    #[arg(long, value_name = "FILE", conflicts_with_all = ["purpose", "to", "recipients_file", "since", "until", "values", "expires", "armor", "preview_json"])]
    plan: Option<PathBuf>,
    /// Who may open it: the facilitator's age recipient (age1…); repeatable
    #[arg(long = "to", value_name = "RECIPIENT")]
    to: Vec<String>,
    /// A file of recipients, one a line, as `age -R` reads it
    #[arg(long, value_name = "FILE")]
    recipients_file: Option<PathBuf>,
    /// The first day to count [default: the journal's first]
    #[arg(long, value_name = "DATE")]
    since: Option<String>,
    /// The last day to count [default: the journal's last]
    #[arg(long, value_name = "DATE")]
    until: Option<String>,
    /// Count only this value (repeatable) [default: every value you named in the period]
    #[arg(short = 'v', long = "value", value_name = "VALUE")]
    values: Vec<String>,
    /// Share the full text of this reflection, by its handle from `tend list` (repeatable);
    /// no other text leaves the journal
    #[arg(long = "excerpt", value_name = "HANDLE")]
    excerpts: Vec<IdQuery>,
    /// Be known by this name beside your excerpts [default: anonymous]
    #[arg(long, value_name = "NAME")]
    name: Option<String>,
    /// The last day the contribution may be used [default: until you revoke it]
    #[arg(long, value_name = "DATE")]
    expires: Option<String>,
    /// Write ASCII armor instead of a binary age file
    #[arg(long)]
    armor: bool,
    /// The contribution file to write
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        required_unless_present = "preview_json"
    )]
    output: Option<PathBuf>,
    /// Replace the file if it exists
    #[arg(long)]
    force: bool,
    /// Consent without being asked: for scripts, after reading the preview
    #[arg(long, short = 'y')]
    yes: bool,
    /// Print the exact JSON document the file would hold, and write nothing
    #[arg(long, conflicts_with = "yes")]
    preview_json: bool,
}

impl Share {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        if let Some(plan) = self.plan.clone() {
            return self.run_plan(ctx, &plan);
        }
        let purpose = self.purpose.clone().unwrap_or_default();
        // Everything that can be checked without the journal is checked before unlocking.
        let period = Period {
            since: ctx.opt_date(self.since.as_deref())?,
            until: ctx.opt_date(self.until.as_deref())?,
        };
        let expires = ctx.opt_date(self.expires.as_deref())?;
        let recipients = self.recipients()?;
        let output = match (&self.output, self.preview_json) {
            (_, true) => None,
            (Some(path), false) => Some(path.as_path()),
            (None, false) => {
                return Err(fail("say where to write the contribution")
                    .hint("add -o FILE")
                    .into());
            }
        };
        if let Some(path) = output {
            if recipients.is_empty() {
                return Err(fail("a contribution needs at least one recipient to be sealed for")
                    .hint("add --to age1… (the facilitator's recipient) or --recipients-file FILE")
                    .into());
            }
            if path.exists() && !self.force {
                return Err(fail(format!("{} already exists", path.display()))
                    .hint("choose another name, or add --force to replace it")
                    .into());
            }
        }

        let journal = ctx.open()?;
        let prepared = self.contribution(ctx, &journal, &purpose, period, expires)?;
        let Some(path) = output else {
            let json = Zeroizing::new(prepared.contribution().to_json());
            crate::output::out_raw(format!("{}\n", json.as_str()).as_bytes());
            return super::done();
        };

        // The preview goes to stderr, beside the question, so it is read even when stdout
        // is redirected.
        let who: Vec<String> = recipients.iter().map(ToString::to_string).collect();
        note!("{}", prepared.contribution().preview());
        note!(
            "It will be encrypted to {} ({}) and written to {}.",
            count_of(who.len(), "recipient", "recipients"),
            who.join(", "),
            path.display()
        );
        note!("");
        consent(self.yes, who.len())?;

        let sealed = prepared
            .seal(&journal, &recipients, self.armor, ctx.now())
            .map_err(not_sealed)?;
        give(&journal, &sealed, path, self.force)?;
        note!(
            "Hand the file to the facilitator. `tend consent list` shows what you consented to; \
             `tend consent revoke {}` withdraws it.",
            sealed.contribution().id
        );
        super::done()
    }

    /// Reads what the contribution holds from the journal and builds it, saying which
    /// records could not be opened and so are not counted.
    fn contribution(
        &self,
        ctx: &Ctx,
        journal: &Journal,
        purpose: &str,
        period: Period,
        expires: Option<NaiveDate>,
    ) -> Result<Prepared> {
        let pack = journal.pack()?;
        let values = values_arg::check_ids(&pack, &self.values)?;
        let mut excerpts = Vec::with_capacity(self.excerpts.len());
        for typed in &self.excerpts {
            excerpts.push(journal.resolve::<Reflection>(typed)?);
        }
        let draft = share::gather(
            journal,
            share::Request {
                purpose: purpose.to_owned(),
                pack: &pack,
                period,
                values,
                excerpts,
                name: self.name.clone(),
                expires,
                given: ctx.now(),
            },
        )?;
        let unopened = draft.unopened();
        if !unopened.reflections.is_empty() {
            let names = crate::handles::Names::of::<Reflection>(journal)?;
            warn_damaged(&names, &unopened.reflections);
        }
        if !unopened.commitments.is_empty() || !unopened.repairs.is_empty() {
            note!(
                "Note: some commitments or repairs could not be opened and are not counted; \
                 `tend check` says more."
            );
        }
        draft.build().map_err(|e| match e {
            BuildError::ExcerptOutsidePeriod { id, on } => {
                let handle = crate::handles::Names::of::<Reflection>(journal)
                    .map_or_else(|_| id.prefix(4), |names| names.handle_of_id(id));
                fail(format!(
                    "reflection {handle} is about {on}, outside the period you are sharing"
                ))
                .hint(OUTSIDE_HINT)
                .into()
            }
            other => refused(other),
        })
    }

    /// The recipients from --to and --recipients-file, each once, in the order given.
    fn recipients(&self) -> Result<Vec<Recipient>> {
        let mut out: Vec<Recipient> = Vec::new();
        for typed in &self.to {
            let r = bundle::parse_recipient(typed).map_err(|e| {
                fail(e.to_string())
                    .hint("the facilitator's `tend retreat keygen` printed their recipient")
            })?;
            out.push(r);
        }
        if let Some(file) = &self.recipients_file {
            out.extend(read_recipients_file(file)?);
        }
        let mut seen = Vec::new();
        out.retain(|r| {
            let s = r.to_string();
            let fresh = !seen.contains(&s);
            seen.push(s);
            fresh
        });
        Ok(out)
    }
}

fn read_recipients_file(path: &Path) -> Result<Vec<Recipient>> {
    let text = std::fs::read_to_string(path).map_err(|e| {
        fail(format!(
            "could not read the recipients file {}: {e}",
            path.display()
        ))
        .hint("a recipients file holds one age1… recipient a line")
    })?;
    bundle::parse_recipients(&text).map_err(|e| {
        fail(format!("{}: {e}", path.display()))
            .hint("a recipients file holds one age1… recipient a line; lines starting with # are ignored")
            .into()
    })
}

/// Takes --yes, or asks at the terminal; without either, nothing is written.
fn consent(yes: bool, recipients: usize) -> Result<()> {
    if yes {
        return Ok(());
    }
    if !prompt::interactive() {
        return Err(fail(
            "sharing needs your explicit consent, and there is no terminal to ask on; nothing was written",
        )
        .hint("read the preview above (or --preview-json), then run the same command with --yes")
        .into());
    }
    let question = format!(
        "Share this, encrypted to {}?",
        count_of(recipients, "recipient", "recipients")
    );
    if prompt::confirm(&question, false)? {
        Ok(())
    } else {
        Err(fail("you chose not to share, so nothing was written")
            .hint("nothing was recorded either; run the command again whenever you are ready")
            .into())
    }
}

/// A contribution that could not be signed or sealed: the journal's own error keeps its
/// hint.
fn not_sealed(error: SealError) -> anyhow::Error {
    match error {
        SealError::Sign(e) => e.into(),
        SealError::Seal(e) => e.into(),
        other => other.into(),
    }
}

/// Records the consent, writes the file (the record is removed again if it cannot be
/// written), and says so.
fn give(journal: &Journal, sealed: &Sealed, path: &Path, force: bool) -> Result<()> {
    sealed
        .give(journal, |bytes| write_private(path, bytes, force))
        .map_err(|error| match error {
            GiveError::Record(e) => e.into(),
            GiveError::Write(e) => e,
        })?;
    let contribution = sealed.contribution();
    say!(
        "Shared contribution {} for {:?}: wrote {}.",
        contribution.id,
        contribution.purpose,
        path.display()
    );
    Ok(())
}

const OUTSIDE_HINT: &str =
    "choose a reflection from the period, or widen --since / --until; `tend list` shows the days";

/// A contribution the library refused to build, as one line and what to do instead.
fn refused(error: BuildError) -> anyhow::Error {
    let hint = match &error {
        BuildError::EmptyPurpose => {
            "use the words the facilitator gave, such as --purpose \"Spring retreat 2026\""
        }
        BuildError::UnknownValue(_) => "`tend values list` shows the values' ids",
        BuildError::PeriodBackwards { .. } => "swap --since and --until",
        BuildError::ExcerptOutsidePeriod { .. } => OUTSIDE_HINT,
        BuildError::ExpiresInPast { .. } => {
            "choose an --expires day from today on, or leave it out"
        }
        BuildError::WouldNotRead(_) => {
            "nothing was written; share fewer values (--value) or other excerpts, or shorten the text"
        }
        _ => "nothing was written",
    };
    fail(error.to_string()).hint(hint).into()
}
