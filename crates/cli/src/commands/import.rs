//! `tend import`: bring reflections in from tend's own export or from jrnl.

use std::io::Read;
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, ValueEnum};
use tend_core::export::{Export, WithId, parse_jrnl};

use crate::context::Ctx;
use crate::failure::fail;
use crate::output::count_of;
use crate::say;

/// Where an import comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum Source {
    /// tend's JSON export
    Tend,
    /// jrnl's `--format json` export
    Jrnl,
}

/// Bring in reflections (and, from tend, commitments and repairs). New ids are given; the
/// whole import is one transaction: all of it or nothing.
#[derive(Debug, Args)]
pub struct Import {
    /// The file to read (`-` for stdin)
    file: PathBuf,
    /// What wrote the file
    #[arg(long = "from", value_enum, default_value_t = Source::Tend)]
    from: Source,
}

impl Import {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let text = if self.file.as_os_str() == "-" {
            let mut s = String::new();
            std::io::stdin().read_to_string(&mut s)?;
            s
        } else {
            std::fs::read_to_string(&self.file)
                .map_err(|e| fail(format!("could not read {}: {e}", self.file.display())))?
        };
        let shown = self.file.display().to_string();
        let journal = ctx.open()?;
        match self.from {
            Source::Tend => {
                let doc = Export::parse(&text).map_err(|e| {
                    fail(format!("{shown}: {e}")).hint(
                        "give a file written by `tend export --format json`, or use --from jrnl",
                    )
                })?;
                let r = WithId::unwrap_all(doc.reflections);
                let c = WithId::unwrap_all(doc.commitments);
                let p = WithId::unwrap_all(doc.repairs);
                journal.import(&r, &c, &p)?;
                say!(
                    "Imported {}, {} and {}.",
                    count_of(r.len(), "reflection", "reflections"),
                    count_of(c.len(), "commitment", "commitments"),
                    count_of(p.len(), "repair", "repairs")
                );
            }
            Source::Jrnl => {
                let reflections = parse_jrnl(&text, ctx.now()).map_err(|e| {
                    fail(format!("{shown}: {e}"))
                        .hint("export from jrnl with `jrnl --format json > FILE`")
                })?;
                journal.add_many(&reflections)?;
                say!(
                    "Imported {} from jrnl.",
                    count_of(reflections.len(), "reflection", "reflections")
                );
            }
        }
        super::done()
    }
}
