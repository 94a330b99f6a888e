//! `tend ui`: the full-screen interface. Thin: it finds the journal and any secret that
//! needs no terminal, and hands both to tend-ui, which asks for the passphrase itself.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_store::Secret;

use crate::context::Ctx;
use crate::failure::fail;
use crate::secrets;

/// Open the full-screen interface: write, look back, commitments and repairs, insights and
/// share, with every key shown by `?`.
///
/// The text is written in an editor inside tend, so it never touches a file. The journal
/// unlocks with --identity, TEND_PASSPHRASE_FILE or TEND_PASSPHRASE_COMMAND when set, and
/// otherwise asks for the passphrase inside the interface.
#[derive(Debug, Args)]
pub struct Ui {}

impl Ui {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let path = ctx.journal_path()?;
        if !path.exists() {
            return Err(
                fail(format!("there is no journal at {} yet", path.display()))
                    .hint("create one with `tend init`, then run `tend ui`")
                    .into(),
            );
        }
        let mut opener = tend_ui::Opener::new(path.clone());
        if let Some(id_path) = &ctx.global.identity {
            opener = opener.with_secret(Secret::Identities(secrets::load_identities(id_path)?));
        } else if let Some(journal) = crate::sitting::open_held(&path)? {
            // `tend unlock` left the key with the agent: nothing to ask.
            opener = opener.with_held(journal);
        } else if let Some(pass) = secrets::passphrase_from_env()? {
            opener = opener.with_secret(Secret::Passphrase(pass));
        }
        match tend_ui::run(opener) {
            Ok(tend_ui::Ended::Signal(n)) => {
                Ok(ExitCode::from(u8::try_from(128 + n).unwrap_or(143)))
            }
            Ok(_) => super::done(),
            Err(tend_ui::Error::Store(e)) => Err(e.into()),
            Err(e) => {
                let mut f = fail(e.to_string());
                if let Some(h) = e.hint() {
                    f = f.hint(h);
                }
                Err(f.into())
            }
        }
    }
}
