//! The command line, as clap sees it. Each subcommand's flags live with its code in
//! `commands/`; this file holds what every command shares.

use std::path::PathBuf;

use clap::{Args, Parser, ValueEnum};

use crate::commands::Command;

/// tend — a private, encrypted journal for reflecting on how your work lives up to the values
/// you hold with your cooperative.
///
/// Reflections, commitments and repairs stay encrypted on this machine. Nothing leaves it
/// unless you share a contribution, after seeing exactly what it holds.
#[derive(Debug, Parser)]
#[command(name = "tend", version, propagate_version = true, max_term_width = 100)]
#[command(
    after_help = "Records are named by handle: the letters `tend list` shows (kbxq), \
typed back to show, edit, delete…; a number from before the journal's upgrade still works.\n\
Unlocking without a terminal: TEND_PASSPHRASE_FILE, \
TEND_PASSPHRASE_COMMAND, or --identity / TEND_IDENTITY.\nDocs: docs/ in the source tree, and `man tend` (see `tend man`)."
)]
pub struct Cli {
    #[command(flatten)]
    pub global: Global,
    #[command(subcommand)]
    pub command: Command,
}

/// Flags every command takes.
#[derive(Debug, Args)]
pub struct Global {
    /// The journal file [default: tend/journal.tend in your data folder]
    #[arg(long, global = true, env = "TEND_JOURNAL", value_name = "PATH")]
    pub journal: Option<PathBuf>,

    /// Unlock with an age identity file instead of a passphrase
    #[arg(
        long,
        short = 'i',
        global = true,
        env = "TEND_IDENTITY",
        value_name = "FILE"
    )]
    pub identity: Option<PathBuf>,

    /// When to use colour (never with NO_COLOR set)
    #[arg(long, global = true, value_enum, default_value_t = ColorWhen::Auto, value_name = "WHEN")]
    pub color: ColorWhen,
}

/// When to colour output.
#[derive(Debug, Clone, Copy, PartialEq, Eq, ValueEnum)]
pub enum ColorWhen {
    /// Only on a terminal, and not with NO_COLOR.
    Auto,
    /// Always.
    Always,
    /// Never.
    Never,
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    #[test]
    fn command_definition_is_consistent() {
        super::Cli::command().debug_assert();
    }
}
