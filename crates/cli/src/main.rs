//! `tend`: a private, encrypted values-alignment and accountability journal.
//!
//! The binary is thin: it parses flags, asks and tells a person things, and hands every
//! decision to `tend-core` and `tend-store`.

mod cli;
mod commands;
mod context;
mod editor;
mod failure;
mod output;
mod prompt;
mod secrets;
mod sys;
mod values_arg;

use std::process::ExitCode;

use clap::Parser;

fn main() -> ExitCode {
    sys::no_core_dumps();
    let cli = cli::Cli::parse();
    output::init_color(cli.global.color);
    match commands::run(cli) {
        Ok(code) => code,
        Err(err) => failure::report(&err),
    }
}
