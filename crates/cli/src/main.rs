//! `tend`: a private, encrypted values-alignment and accountability journal.
//!
//! The binary is thin: it parses flags, asks and tells a person things, and hands every
//! decision to `tend-core` and `tend-store`.

mod cli;
mod commands;
mod config;
mod context;
mod editor;
mod failure;
mod files;
mod handles;
mod output;
mod prompt;
mod rekey;
mod secrets;
mod sitting;
mod strength;
mod syncing;
mod sys;
mod values_arg;

use std::process::ExitCode;
use std::sync::Mutex;

use clap::Parser;

/// Where the last panic happened, for the one line tend prints instead of a backtrace.
static LAST_PANIC: Mutex<Option<String>> = Mutex::new(None);

fn main() -> ExitCode {
    sys::no_core_dumps();
    // A panic is a bug in tend or (redb panics on some damaged files) a damaged journal.
    // Either way the person gets one line and a hint, not a backtrace; the store contains
    // the panics it expects and turns them into "damaged" errors on its own.
    std::panic::set_hook(Box::new(|info| {
        let place = info
            .location()
            .map(|l| format!("{}:{}", l.file(), l.line()))
            .unwrap_or_default();
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = Some(place);
        }
    }));
    let cli = cli::Cli::parse();
    output::init_color(cli.global.color);
    match std::panic::catch_unwind(|| commands::run(cli)) {
        Ok(Ok(code)) => code,
        Ok(Err(err)) => failure::report(&err),
        Err(_) => {
            let place = LAST_PANIC
                .lock()
                .ok()
                .and_then(|p| p.clone())
                .unwrap_or_default();
            failure::report_panic(&place)
        }
    }
}
