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
///
/// Without -o it goes to tend's folder in your configuration folder, never to the current
/// folder, where a summary template could sit beside it.
#[derive(Debug, Args)]
pub struct Keygen {
    /// Where to write the identity (an existing file is never replaced)
    /// [default: retreat-identity.txt in tend's configuration folder]
    #[arg(short = 'o', long, value_name = "FILE")]
    output: Option<PathBuf>,
}

impl Keygen {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let output = match self.output {
            Some(path) => path,
            None => default_path()?,
        };
        Self::write(&output, ctx)
    }

    fn write(output: &std::path::Path, ctx: &Ctx) -> Result<ExitCode> {
        if output.exists() {
            return Err(fail(format!("{} already exists, and tend never replaces an identity", output.display()))
                .hint("contributions sealed to it would be lost; choose another name with -o, or keep using it")
                .into());
        }
        let (identity, recipient) = bundle::generate_identity();
        let text = bundle::identity_file_text(&identity, &recipient, ctx.now());
        write_private(output, text.expose_secret().as_bytes(), false)?;
        note!(
            "Wrote your identity to {} (readable by you alone). Keep it safe and private: it \
             opens every contribution sealed to it.",
            output.display()
        );
        note!("Hand members this recipient, for `tend share --to`:");
        say!("{recipient}");
        crate::commands::done()
    }
}

/// `retreat-identity.txt` in tend's configuration folder, which is made (0700) if need be.
fn default_path() -> Result<PathBuf> {
    let dirs = directories::ProjectDirs::from("org", "tend", "tend").ok_or_else(|| {
        fail("tend could not find your configuration folder for the identity")
            .hint("say where to write it with -o FILE (not inside a template's folder)")
    })?;
    let folder = dirs.config_dir();
    std::fs::create_dir_all(folder).map_err(|e| {
        fail(format!("could not make {}: {e}", folder.display()))
            .hint("say where to write the identity with -o FILE")
    })?;
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let _ = std::fs::set_permissions(folder, std::fs::Permissions::from_mode(0o700));
    }
    Ok(folder.join("retreat-identity.txt"))
}
