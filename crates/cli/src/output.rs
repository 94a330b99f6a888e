//! Output: colour only where it helps (a terminal, no NO_COLOR), and gentle words.

use anstyle::{AnsiColor, Style};
/// Counts in words (`1 reflection`, `3 reflections`), as tend-core and the ui say them.
pub use tend_core::text::{count, count_of};

use crate::cli::ColorWhen;

/// Sets the colour choice for stdout and stderr once, at start-up. `NO_COLOR` wins over
/// everything, `--color always` included.
pub fn init_color(when: ColorWhen) {
    let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
    let choice = match when {
        _ if no_color => anstream::ColorChoice::Never,
        ColorWhen::Auto => anstream::ColorChoice::Auto,
        ColorWhen::Always => anstream::ColorChoice::Always,
        ColorWhen::Never => anstream::ColorChoice::Never,
    };
    choice.write_global();
}

/// Dim text: ids, dates, secondary details. No colour carries a judgement.
pub const DIM: Style = Style::new().dimmed();
/// Bold text: headings.
pub const BOLD: Style = Style::new().bold();
/// A soft accent for value names and tags.
pub const ACCENT: Style = Style::new().fg_color(Some(anstyle::Color::Ansi(AnsiColor::Cyan)));

/// Wraps `text` in a style; the stream strips it where colour is off.
pub fn paint(style: Style, text: impl std::fmt::Display) -> String {
    format!("{style}{text}{style:#}")
}

/// Prints a line to stdout; a closed pipe (`tend list | head`) ends tend quietly.
#[macro_export]
macro_rules! say {
    ($($arg:tt)*) => { $crate::output::out_line(format_args!($($arg)*)) };
}

/// Prints a note to stderr (status, warnings), keeping stdout for data.
#[macro_export]
macro_rules! note {
    ($($arg:tt)*) => { anstream::eprintln!($($arg)*) };
}

/// Writes one line to stdout, treating a closed pipe as success.
pub fn out_line(args: std::fmt::Arguments<'_>) {
    use std::io::Write;
    let mut out = anstream::stdout().lock();
    if let Err(e) = writeln!(out, "{args}").and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

/// Ends tend after a failed write to stdout: quietly for a closed pipe, with a line otherwise.
pub fn exit_on_write_error(e: &std::io::Error) -> ! {
    if e.kind() == std::io::ErrorKind::BrokenPipe {
        std::process::exit(0);
    }
    anstream::eprintln!("tend: could not write the output: {e}");
    std::process::exit(1);
}

/// Writes raw text to stdout (a whole export, a man page), treating a closed pipe as success.
pub fn out_raw(bytes: &[u8]) {
    use std::io::Write;
    let mut out = std::io::stdout().lock();
    if let Err(e) = out.write_all(bytes).and_then(|()| out.flush()) {
        exit_on_write_error(&e);
    }
}

/// Writes JSON to stdout.
pub fn print_json<T: serde::Serialize>(value: &T) -> anyhow::Result<()> {
    let mut text = serde_json::to_string_pretty(value)?;
    text.push('\n');
    out_raw(text.as_bytes());
    Ok(())
}

/// Joins value ids with their ratings for a list line: `equity 4 · repair`.
pub fn values_line(values: &[tend_core::reflection::ValueRating]) -> String {
    values
        .iter()
        .map(|v| match v.rating {
            Some(r) => format!("{} {r}", v.value),
            None => v.value.clone(),
        })
        .collect::<Vec<_>>()
        .join(" · ")
}

/// Says, without stopping, that some records could not be opened and are left out, naming
/// their ids; `one` and `many` are the record's word (`reflection`, `reflections`).
pub fn warn_unopened<T: std::fmt::Display>(ids: &[T], one: &str, many: &str) {
    if ids.is_empty() {
        return;
    }
    let list: Vec<String> = ids.iter().map(T::to_string).collect();
    crate::note!(
        "Note: {} could not be opened and {} left out ({}). `tend check` says more.",
        count_of(ids.len(), one, many),
        if ids.len() == 1 { "is" } else { "are" },
        list.join(", ")
    );
}
