//! `tend values packs`: the values packs built into tend.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use tend_core::pack::ValuesPack;

use crate::output::{DIM, paint};
use crate::{note, say};

/// The values packs built into tend
///
/// Each by the short name that `tend init --pack`, `tend values check` and `tend values
/// import` take.
#[derive(Debug, Args)]
pub struct Packs {}

impl Packs {
    pub fn run(self) -> Result<ExitCode> {
        let packs: Vec<(&str, ValuesPack)> = ValuesPack::builtin_names()
            .iter()
            .filter_map(|name| Some((*name, ValuesPack::builtin(name)?)))
            .collect();
        let width = packs.iter().map(|(n, _)| n.len()).max().unwrap_or(0);
        let name_width = packs
            .iter()
            .map(|(_, p)| p.meta.name.chars().count())
            .max()
            .unwrap_or(0);
        for (short, pack) in &packs {
            say!(
                "{short:width$}  {:name_width$}  {}",
                pack.meta.name,
                paint(
                    DIM,
                    format!(
                        "{} values · fingerprint {}",
                        pack.active().count(),
                        pack.fingerprint()
                    )
                )
            );
        }
        note!(
            "`tend values check NAME` shows a pack's values; `tend init --pack NAME` starts a journal with it."
        );
        crate::commands::done()
    }
}
