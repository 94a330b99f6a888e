//! Rendering a summary with minijinja: built-in Markdown and HTML templates, JSON, and
//! templates a cooperative writes itself.
//!
//! A user template is untrusted code in a small language: it gets a strict environment (an
//! unknown name is an error, not an empty string), a fuel limit so a runaway loop stops, and
//! only the templates the caller's loader agrees to hand over. Core does no I/O, so the
//! caller supplies the loader. Templates get three filters besides minijinja's own: `md`
//! (literal Markdown text), `quote` (a Markdown block quote) and `day` ("1 March 2026").
//! [`template_name_is_loadable`], [`holds_secret_key`] and [`within_folder`] are the
//! decisions such a loader has to make.

use std::path::{Component, Path};

use minijinja::value::Serde;
use minijinja::{AutoEscape, Environment, ErrorKind, UndefinedBehavior};

use super::Summary;

/// Instructions a template may run before it is stopped: far more than the built-in
/// templates need for hundreds of values and excerpts, far fewer than a runaway loop takes.
const FUEL: u64 = 5_000_000;

/// The most a rendered summary may hold: far more than any real summary, far less than a
/// template that doubles a string until memory runs out would write.
pub const MAX_OUTPUT_BYTES: usize = 16 << 20;

const MARKDOWN: &str = include_str!("templates/summary.md.j2");
const HTML: &str = include_str!("templates/summary.html.j2");

/// How to render a summary.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// The built-in Markdown template.
    Markdown,
    /// The built-in HTML template: one self-contained file with inline SVG charts.
    Html,
    /// The summary itself, as pretty JSON.
    Json,
}

/// A summary that could not be rendered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum RenderError {
    /// The template has an error, or failed while rendering.
    #[error("{}{message}", place(name.as_deref(), *line))]
    Template {
        /// The template it happened in.
        name: Option<String>,
        /// The line, 1-based.
        line: Option<usize>,
        /// What went wrong.
        message: String,
    },
    /// The template ran too long (most likely a loop that does not end) and was stopped.
    #[error("{}the template ran too long and was stopped; look for a loop that does not end", place(name.as_deref(), *line))]
    TooLong {
        /// The template it happened in.
        name: Option<String>,
        /// The line, 1-based.
        line: Option<usize>,
    },
    /// The template asked for does not exist, or the loader refused it.
    #[error("there is no template {0:?} in the template's folder")]
    NotFound(String),
    /// The template wrote more than [`MAX_OUTPUT_BYTES`].
    #[error("the template wrote more than {} MiB and was stopped", MAX_OUTPUT_BYTES >> 20)]
    TooLarge,
}

fn place(name: Option<&str>, line: Option<usize>) -> String {
    match (name, line) {
        (Some(n), Some(l)) => format!("{n}, line {l}: "),
        (Some(n), None) => format!("{n}: "),
        (None, Some(l)) => format!("line {l}: "),
        (None, None) => String::new(),
    }
}

impl From<minijinja::Error> for RenderError {
    fn from(e: minijinja::Error) -> Self {
        let name = e.name().map(str::to_owned);
        let line = e.line().filter(|l| *l > 0);
        if e.kind() == ErrorKind::OutOfFuel {
            return RenderError::TooLong { name, line };
        }
        let mut message = match e.detail() {
            Some(detail) => format!("{}: {detail}", e.kind()),
            None => e.kind().to_string(),
        };
        // Errors inside an included template carry their cause; name it too.
        let mut source = std::error::Error::source(&e);
        while let Some(cause) = source {
            message.push_str(&format!(" ({cause})"));
            source = cause.source();
        }
        RenderError::Template {
            name,
            line,
            message,
        }
    }
}

/// Autoescaping by the template's name, ignoring a trailing `.j2`/`.jinja`/`.jinja2`: HTML,
/// XML and SVG names are escaped as HTML; everything else is left as written.
fn escape_for(name: &str) -> AutoEscape {
    let name = [".j2", ".jinja2", ".jinja"]
        .iter()
        .find_map(|ext| name.strip_suffix(ext))
        .unwrap_or(name);
    match name.rsplit('.').next() {
        Some("html" | "htm" | "xml" | "svg" | "xhtml") => AutoEscape::Html,
        _ => AutoEscape::None,
    }
}

/// Markdown text as literal text: the characters that would start HTML, a link or an image
/// are escaped, so a member's words can never fetch anything or run anything when the
/// Markdown is rendered.
fn md(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if matches!(
            c,
            '\\' | '<' | '>' | '&' | '[' | ']' | '`' | '*' | '_' | '|'
        ) {
            out.push('\\');
        }
        out.push(c);
    }
    out
}

/// A Markdown block quote of `text`, escaped as by [`md`]. No line of it can open a block of
/// its own inside the quote either: leading spaces (which would make code) are dropped, and a
/// heading, list, rule or fence marker at the start of a line is escaped.
fn quote(text: &str) -> String {
    text.lines()
        .map(|line| {
            let line = inert_line_start(&md(line.trim_start()));
            if line.trim().is_empty() {
                ">".to_owned()
            } else {
                format!("> {line}")
            }
        })
        .collect::<Vec<_>>()
        .join("\n")
}

/// `line` with a backslash before the marker that would make it a heading (`#`), a list item
/// (`-`, `+`, `1.`, `1)`), a rule or setext underline (`-`, `=`) or a fence (`~`).
fn inert_line_start(line: &str) -> String {
    let digits = line.bytes().take_while(u8::is_ascii_digit).count();
    let marker = if digits > 0 {
        matches!(line.as_bytes().get(digits), Some(b'.' | b')')).then_some(digits)
    } else {
        matches!(
            line.as_bytes().first(),
            Some(b'#' | b'-' | b'+' | b'=' | b'~')
        )
        .then_some(0)
    };
    match marker {
        Some(at) => format!("{}\\{}", &line[..at], &line[at..]),
        None => line.to_owned(),
    }
}

/// An ISO date as people read it ("1 March 2026"); anything else is left as it is.
fn day(text: &str) -> String {
    chrono::NaiveDate::parse_from_str(text, "%Y-%m-%d")
        .map_or_else(|_| text.to_owned(), crate::contribution::day)
}

fn environment() -> Environment<'static> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_fuel(Some(FUEL));
    env.set_auto_escape_callback(escape_for);
    env.add_filter("md", |s: String| md(&s));
    env.add_filter("quote", |s: String| quote(&s));
    env.add_filter("day", |s: String| day(&s));
    env
}

/// Renders `summary` with a built-in template, or as JSON.
pub fn render(summary: &Summary, format: Format) -> Result<String, RenderError> {
    let (name, source) = match format {
        Format::Json => {
            let mut json =
                serde_json::to_string_pretty(summary).map_err(|e| RenderError::Template {
                    name: None,
                    line: None,
                    message: e.to_string(),
                })?;
            json.push('\n');
            return Ok(json);
        }
        Format::Markdown => ("summary.md.j2", MARKDOWN),
        Format::Html => ("summary.html.j2", HTML),
    };
    let mut env = environment();
    env.add_template(name, source)?;
    Ok(env.get_template(name)?.render(Serde(summary))?)
}

/// Renders `summary` with the user template `name`, which `loader` supplies along with
/// anything it includes, extends or imports.
///
/// The loader returns `Ok(None)` for a name it does not have or will not hand over, and
/// `Err(message)` when reading fails. It should refuse names that are not
/// [plain](template_name_is_plain) and files that are not [within](within_folder) the
/// template's own folder once symbolic links are resolved.
///
/// `summary` is a [`Summary`], or its JSON as a `serde_json::Value` (how the child process
/// that renders user templates receives it). The output is capped at [`MAX_OUTPUT_BYTES`].
/// Fuel stops loops; it does not stop a macro that doubles a string, so a caller running
/// untrusted templates should also bound memory (tend renders them in a child process with
/// operating-system limits).
pub fn render_user_template<S, F>(summary: &S, name: &str, loader: F) -> Result<String, RenderError>
where
    S: serde::Serialize,
    F: Fn(&str) -> Result<Option<String>, String> + Send + Sync + 'static,
{
    let mut env = environment();
    env.set_loader(move |wanted| {
        if !template_name_is_loadable(wanted) {
            return Ok(None);
        }
        loader(wanted).map_err(|message| {
            minijinja::Error::new(
                ErrorKind::InvalidOperation,
                format!("could not read template {wanted:?}: {message}"),
            )
        })
    });
    let template = env.get_template(name).map_err(|e| match e.kind() {
        ErrorKind::TemplateNotFound => RenderError::NotFound(name.to_owned()),
        _ => RenderError::from(e),
    })?;
    let mut out = Capped::default();
    match template.render_captured_to(Serde(summary), &mut out) {
        Ok(_) => String::from_utf8(out.bytes).map_err(|_| RenderError::Template {
            name: Some(name.to_owned()),
            line: None,
            message: "the output is not UTF-8".into(),
        }),
        Err(_) if out.overflowed => Err(RenderError::TooLarge),
        Err(e) => Err(e.into()),
    }
}

/// A writer that refuses to grow past [`MAX_OUTPUT_BYTES`].
#[derive(Default)]
struct Capped {
    bytes: Vec<u8>,
    overflowed: bool,
}

impl std::io::Write for Capped {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        if self.bytes.len() + buf.len() > MAX_OUTPUT_BYTES {
            self.overflowed = true;
            return Err(std::io::Error::other("the summary is too large"));
        }
        self.bytes.extend_from_slice(buf);
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// Whether a template name is one a user template may load: [plain](template_name_is_plain)
/// and ending in `.j2`, `.jinja` or `.jinja2`, so an include can never pull in an identity,
/// a key or any other file that happens to sit in the folder.
pub fn template_name_is_loadable(name: &str) -> bool {
    template_name_is_plain(name)
        && [".j2", ".jinja", ".jinja2"]
            .iter()
            .any(|ext| name.len() > ext.len() && name.to_ascii_lowercase().ends_with(ext))
}

/// Whether `text` holds an age secret key (`AGE-SECRET-KEY-1…`, in either case), which no
/// template ever needs and which must never reach a summary.
pub fn holds_secret_key(text: &str) -> bool {
    text.to_ascii_uppercase().contains("AGE-SECRET-KEY-")
}

/// Whether a template name asks only for a file inside the template's folder: relative,
/// no `..`, no drive or root, not empty.
pub fn template_name_is_plain(name: &str) -> bool {
    let path = Path::new(name);
    !name.is_empty()
        && !name.contains('\\')
        && !name.contains('\0')
        && path
            .components()
            .all(|c| matches!(c, Component::Normal(_) | Component::CurDir))
}

/// Whether `candidate` lies inside `folder`. Both must already be canonical (absolute, with
/// symbolic links resolved), so a link that points out of the folder is caught.
pub fn within_folder(folder: &Path, candidate: &Path) -> bool {
    candidate != folder && candidate.starts_with(folder)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn render_markdown_escapes_html_links_and_images() {
        assert_eq!(md("<b>[x](y)</b>"), "\\<b\\>\\[x\\](y)\\</b\\>");
        assert_eq!(
            quote("one\n\n![t](http://x)"),
            "> one\n>\n> !\\[t\\](http://x)"
        );
    }

    #[test]
    fn render_days() {
        assert_eq!(day("2026-03-01"), "1 March 2026");
        assert_eq!(day("soon"), "soon");
    }

    #[test]
    fn render_template_names() {
        assert!(template_name_is_plain("summary.html"));
        assert!(template_name_is_plain("parts/chart.html"));
        for bad in ["", "../x.html", "/etc/passwd", "a/../../b", "a\\..\\b"] {
            assert!(!template_name_is_plain(bad), "{bad}");
        }
        let folder = Path::new("/home/f/templates");
        assert!(within_folder(folder, Path::new("/home/f/templates/a.html")));
        assert!(!within_folder(folder, Path::new("/home/f/secret")));
        assert!(!within_folder(
            folder,
            Path::new("/home/f/templates-other/a")
        ));
        assert!(!within_folder(folder, folder));
    }

    #[test]
    fn render_escape_by_name() {
        assert_eq!(escape_for("summary.html.j2"), AutoEscape::Html);
        assert_eq!(escape_for("mine.SVG"), AutoEscape::None);
        assert_eq!(escape_for("mine.svg"), AutoEscape::Html);
        assert_eq!(escape_for("summary.md.j2"), AutoEscape::None);
    }

    #[test]
    fn render_quote_opens_no_block_of_its_own() {
        let text = "fine\n# heading\n- item\n  12. twelve\n    code\n=====\n~~~\n+ plus\n> nested";
        assert_eq!(
            quote(text),
            "> fine\n> \\# heading\n> \\- item\n> 12\\. twelve\n> code\n> \\=====\n> \\~~~\n\
             > \\+ plus\n> \\> nested"
        );
    }
}
