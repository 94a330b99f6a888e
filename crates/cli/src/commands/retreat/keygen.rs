//! `tend retreat keygen`: an age identity for a facilitator.
//!
//! The identity file is the one `age-keygen` writes, so the reference `age` tool opens
//! contributions with it too. It is written readable by its owner alone and never over an
//! existing file: replacing it would lock out every contribution sealed to the old one.

use std::path::PathBuf;
use std::process::ExitCode;

use age::secrecy::ExposeSecret;
use anyhow::Result;
use clap::Args;
use tend_store::bundle;

use crate::context::Ctx;
use crate::failure::fail;
use crate::files::write_private;
use crate::{note, say};

/// Make an age identity for collecting contributions. The identity file is written readable
/// by you alone and never replaced; the recipient members share to is printed on stdout.
#[derive(Debug, Args)]
pub struct Keygen {
    /// Where to write the identity (an existing file is never replaced)
    #[arg(
        short = 'o',
        long,
        value_name = "FILE",
        default_value = "retreat-identity.txt"
    )]
    output: PathBuf,
}

impl Keygen {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        if self.output.exists() {
            return Err(fail(format!("{} already exists, and tend never replaces an identity", self.output.display()))
                .hint("contributions sealed to it would be lost; choose another name with -o, or keep using it")
                .into());
        }
        let (identity, recipient) = bundle::generate_identity();
        let text = bundle::identity_file_text(&identity, &recipient, ctx.now());
        write_private(&self.output, text.expose_secret().as_bytes(), false)?;
        note!(
            "Wrote your identity to {} (readable by you alone). Keep it safe and private: it \
             opens every contribution sealed to it.",
            self.output.display()
        );
        note!("Hand members this recipient, for `tend share --to`:");
        say!("{recipient}");
        crate::commands::done()
    }
}
