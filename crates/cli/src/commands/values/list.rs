//! `tend values list`: the journal's values pack at a glance.

use std::process::ExitCode;

use anyhow::Result;
use clap::Args;
use serde_json::json;

use crate::context::Ctx;

/// The journal's values pack: its name, fingerprint, scale, and every value
///
/// Active values first, then retired ones, marked. Compare fingerprints with the rest of
/// your cooperative before a retreat.
#[derive(Debug, Args)]
pub struct List {
    /// Print JSON (the pack's details, fingerprint, scale, and each value's id, name and
    /// whether it is retired)
    #[arg(long)]
    json: bool,
}

impl List {
    pub fn run(self, ctx: &Ctx) -> Result<ExitCode> {
        let pack = ctx.open()?.pack()?;
        if self.json {
            let values: Vec<_> = pack
                .values
                .iter()
                .map(|v| json!({ "id": v.id, "name": v.name, "retired": v.retired }))
                .collect();
            crate::output::print_json(&json!({
                "name": pack.meta.name,
                "version": pack.meta.version,
                "language": pack.meta.language,
                "fingerprint": pack.fingerprint(),
                "scale": pack.scale,
                "values": values,
            }))?;
        } else {
            super::print_pack(&pack);
        }
        crate::commands::done()
    }
}
