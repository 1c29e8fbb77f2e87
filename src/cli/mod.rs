//! The command line's shared plumbing: the global options, the failure
//! type, the one exit policy, printing; one module per subcommand below
//! (none imports another), with `input` and `output` for reading and
//! writing files, and `online` for the `--online` link checks.

use std::io::{self, Write};

use shownotes::diagnostic::Diagnostic;
use shownotes::error::{Error, ErrorKind};
use shownotes::report;

pub mod build;
pub mod chapters;
pub mod check;
pub mod context;
pub mod embed;
pub mod examples;
pub mod feed;
pub mod heap;
pub mod import;
pub mod init;
pub mod input;
pub mod links;
pub mod man;
pub mod online;
pub mod output;
pub mod probe;

/// What every subcommand may need from the global options.
#[derive(Clone, Copy, Debug)]
pub struct Ctx {
    /// Colour diagnostics on stderr.
    pub color: bool,
    /// No progress bar, no summary.
    pub quiet: bool,
    /// stderr is a terminal (progress bars go there).
    pub stderr_tty: bool,
}

/// A failure that stops a command before it could do its work (exit 2):
/// unreadable input, bad usage, bad config. A thin wrapper over the
/// library's [`Error`], so every failure prints the one way
/// ([`report::human::error`]).
#[derive(Debug, Clone, PartialEq)]
pub struct Fatal(pub Error);

impl Fatal {
    /// A failure of the command line itself (bad usage) saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Fatal(Error::new(ErrorKind::Usage, message))
    }

    /// Adds the `help:` line.
    pub fn help(self, help: impl Into<String>) -> Self {
        Fatal(self.0.with_help(help))
    }

    /// Adds the `help:` line, when there is one.
    pub fn help_opt(self, help: Option<&str>) -> Self {
        Fatal(self.0.with_help_opt(help.map(str::to_string)))
    }
}

impl From<Error> for Fatal {
    fn from(e: Error) -> Self {
        Fatal(e)
    }
}

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Self {
        Fatal(Error::new(
            ErrorKind::Write,
            format!("could not write output: {e}"),
        ))
    }
}

/// Prints a failure to stderr the one way: `error: [path:line:col: ]message`
/// and `help: ...`, or rustc-style with its snippet when it has one.
pub fn print_error(ctx: &Ctx, e: &Error) {
    let _ = io::stderr().write_all(report::human::error(ctx.color, e).as_bytes());
}

/// How a command that ran ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: done, warnings allowed.
    Clean,
    /// Exit 1: findings at error level (or warnings under `--strict`).
    Findings,
    /// Exit 2: the input could not be read at all (already reported).
    Unreadable,
}

/// The one exit policy for a command's findings: exit 2 when one says an
/// input could not be read at all ([`shownotes::diagnostic::Code::unreadable`]: not text, not
/// the format, audio missing or unreadable), 1 for findings at error level
/// (or any finding under `strict`), else 0.
pub fn outcome(diags: &[Diagnostic], strict: bool) -> Outcome {
    if diags.iter().any(|d| d.code.unreadable()) {
        Outcome::Unreadable
    } else if diags.iter().any(|d| strict || d.is_error()) {
        Outcome::Findings
    } else {
        Outcome::Clean
    }
}

/// Writes to stdout; a closed pipe (`shownotes links | head -1`) ends the
/// output quietly instead of failing.
pub fn print(s: &str) -> Result<(), Fatal> {
    let mut out = io::stdout().lock();
    match out.write_all(s.as_bytes()).and_then(|_| out.flush()) {
        Err(e) if e.kind() == io::ErrorKind::BrokenPipe => Ok(()),
        other => Ok(other?),
    }
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// folder, renamed over the target once it is complete, so an interrupted
/// run leaves the old file or the new one, never half of one (see
/// [`shownotes::write`] for the temporary files' names and cleanup).
pub fn write_atomic(path: &std::path::Path, bytes: &[u8]) -> Result<(), Fatal> {
    Ok(shownotes::write::write_atomic(path, bytes)?)
}

/// Prints findings to stderr, rustc-style.
pub fn render_all(ctx: &Ctx, source: &shownotes::source::Source, diags: &[Diagnostic]) {
    let err = report::human::diagnostics(ctx.color, source, diags);
    let _ = io::stderr().write_all(err.as_bytes());
}

/// Loads the templates for `config`, a template error as a fatal one.
pub fn templates(
    config: &shownotes::config::Config,
    ctx: &Ctx,
) -> Result<shownotes::publish::Templates, Fatal> {
    shownotes::publish::Templates::new(config.templates_dir().as_deref())
        .map_err(|e| template_fatal(&e, ctx))
}

/// A template error as a fatal one (exit 2), printed once, rustc-style at
/// the template's line and column ([`report::human::template_error`]).
pub fn template_fatal(e: &Error, _ctx: &Ctx) -> Fatal {
    Fatal(e.clone())
}
