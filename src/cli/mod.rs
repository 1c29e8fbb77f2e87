//! The command line: arguments, dispatch, exit codes, and output plumbing
//! shared by every subcommand (one module per subcommand below).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use shownotes::diagnostic::Diagnostic;
use shownotes::error::{Error, ErrorKind};
use shownotes::notes::Notes;
use shownotes::report;

pub mod build;
pub mod chapters;
pub mod check;
pub mod context;
pub mod embed;
pub mod init;
pub mod input;
pub mod links;
pub mod output;
pub mod probe;

/// Lint, convert and publish podcast show notes and chapters.
#[derive(Debug, Parser)]
#[command(name = "shownotes", version, about, max_term_width = 100)]
pub struct Cli {
    #[command(subcommand)]
    pub command: Command,

    /// When to colour diagnostics (`NO_COLOR` is honoured under `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    pub color: ColorChoice,

    /// Print no progress bar and no summary line.
    #[arg(short, long, global = true)]
    pub quiet: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Lint notes files: chapters, links, front matter.
    Check(check::Args),
    /// List the links of a notes file, normalized.
    Links(links::Args),
    /// Read chapters and write them in another format.
    Chapters(chapters::Args),
    /// Write chapters into an MP3's own metadata (ID3v2 CHAP/CTOC frames).
    Embed(embed::Args),
    /// Audio facts: container, codec and exact duration, from the packets.
    Probe(probe::Args),
    /// Check, then write every platform's description (and chapters.json).
    Build(build::Args),
    /// Print the JSON the templates receive.
    Context(context::Args),
    /// Write a commented `shownotes.toml` and the default templates to edit.
    Init(init::Args),
    /// Print shell completions for SHELL.
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print the man page (roff) to stdout.
    Man,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorChoice {
    Auto,
    Always,
    Never,
}

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

impl Ctx {
    fn from_cli(cli: &Cli) -> Self {
        let stderr_tty = io::stderr().is_terminal();
        let no_color = std::env::var_os("NO_COLOR").is_some_and(|v| !v.is_empty());
        let color = match cli.color {
            ColorChoice::Always => true,
            ColorChoice::Never => false,
            ColorChoice::Auto => stderr_tty && !no_color,
        };
        Ctx {
            color,
            quiet: cli.quiet,
            stderr_tty,
        }
    }
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

/// A notes file read for a command other than `check`.
pub struct Loaded {
    /// `None` when the file could not be decoded (the finding was printed).
    pub notes: Option<Notes>,
}

/// Reads, parses and checks a notes file (`-` is stdin) with its show
/// config, without its audio, printing to stderr the findings `show`
/// selects, rustc-style.
pub fn load_notes(
    path: &str,
    ctx: &Ctx,
    show: impl Fn(&Diagnostic) -> bool,
) -> Result<Loaded, Fatal> {
    let input = input::Input::from_arg(path);
    let (source, notes, diags) =
        match input::load_episode(&input, shownotes::episode::Audio::Skip, None)? {
            Ok(ep) => (ep.notes.source.clone(), Some(ep.notes), ep.diagnostics),
            Err((src, d)) => (src, None, vec![d]),
        };
    let shown: Vec<Diagnostic> = diags.iter().filter(|d| show(d)).cloned().collect();
    render_all(ctx, &source, &shown);
    Ok(Loaded { notes })
}

/// Parses the arguments, runs the subcommand, and maps the result to the
/// exit codes of the README (0 clean, 1 findings, 2 could not run).
pub fn main() -> ExitCode {
    install_panic_hook();
    shownotes::write::on_register(output::install_handler);
    // A deliberate panic whose message quotes a value, so tests can check
    // that the hook prints no data. Debug builds only.
    #[cfg(debug_assertions)]
    if let Some(v) = std::env::var_os("SHOWNOTES_DEBUG_PANIC") {
        panic!("deliberate panic quoting {}", v.to_string_lossy());
    }
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let _ = e.print();
            return ExitCode::from(if e.use_stderr() { 2 } else { 0 });
        }
    };
    let ctx = Ctx::from_cli(&cli);
    match run(cli, &ctx) {
        Ok(Outcome::Clean) => ExitCode::SUCCESS,
        Ok(Outcome::Findings) => ExitCode::from(1),
        Ok(Outcome::Unreadable) => ExitCode::from(2),
        Err(Fatal(e)) => {
            print_error(&ctx, &e);
            ExitCode::from(2)
        }
    }
}

/// Replaces Rust's panic message (which quotes the panic's payload, and a
/// payload may quote a file: a line of notes, a path, an environment
/// value) with one line that names only where in the code it happened.
/// The process still exits with 101.
pub fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| (l.file(), l.line()));
        let _ = writeln!(io::stderr(), "{}", bug_report(at));
    }));
}

/// The line a panic prints: `error: shownotes hit an internal bug at
/// src/x.rs:12; please report it with the command you ran`.
pub fn bug_report(at: Option<(&str, u32)>) -> String {
    let tail = "please report it with the command you ran";
    match at {
        Some((file, line)) => format!(
            "error: shownotes hit an internal bug at {}:{line}; {tail}",
            code_path(file)
        ),
        None => format!("error: shownotes hit an internal bug; {tail}"),
    }
}

/// A source path as a bug report needs it: ours as `src/x.rs`, a
/// dependency's or the standard library's from its crate folder
/// (`annotate-snippets-0.12.17/src/renderer/source_map.rs`), without the
/// home or build folders before it.
fn code_path(file: &str) -> String {
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    match parts.iter().rposition(|p| *p == "src") {
        Some(i) if i > 0 && std::path::Path::new(file).is_absolute() => parts[i - 1..].join("/"),
        Some(i) => parts[i..].join("/"),
        None => parts.last().copied().unwrap_or("").to_string(),
    }
}

fn run(cli: Cli, ctx: &Ctx) -> Result<Outcome, Fatal> {
    match cli.command {
        Command::Check(args) => check::run(args, ctx),
        Command::Links(args) => links::run(args, ctx),
        Command::Chapters(args) => chapters::run(args, ctx),
        Command::Embed(args) => embed::run(args, ctx),
        Command::Probe(args) => probe::run(args, ctx),
        Command::Build(args) => build::run(args, ctx),
        Command::Context(args) => context::run(args, ctx),
        Command::Init(args) => init::run(args, ctx),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "shownotes", &mut buf);
            print(&String::from_utf8_lossy(&buf))?;
            Ok(Outcome::Clean)
        }
        Command::Man => {
            let mut buf = Vec::new();
            clap_mangen::Man::new(Cli::command()).render(&mut buf)?;
            print(&String::from_utf8_lossy(&buf))?;
            Ok(Outcome::Clean)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bug_report_names_the_code_and_nothing_else() {
        assert_eq!(
            bug_report(Some(("src/report.rs", 12))),
            "error: shownotes hit an internal bug at src/report.rs:12; please report it with the command you ran"
        );
        assert_eq!(
            code_path("/root/.cargo/registry/src/index.crates.io-1949cf8c6b5b557f/annotate-snippets-0.12.17/src/renderer/source_map.rs"),
            "annotate-snippets-0.12.17/src/renderer/source_map.rs"
        );
        assert_eq!(
            code_path("/rustc/5980/library/core/src/str/mod.rs"),
            "core/src/str/mod.rs"
        );
        assert_eq!(code_path("x.rs"), "x.rs");
        assert!(bug_report(None).starts_with("error: shownotes hit an internal bug;"));
    }

    #[test]
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
