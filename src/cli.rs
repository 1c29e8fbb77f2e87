//! The command line: arguments, dispatch, exit codes, and output plumbing
//! shared by every subcommand (one module per subcommand below).

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

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
    /// Audio facts: container, codec and exact duration, from the packets.
    Probe(probe::Args),
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
/// unreadable input, bad usage, bad config.
#[derive(Debug, Clone, PartialEq)]
pub struct Fatal {
    pub message: String,
    pub help: Option<String>,
}

impl Fatal {
    /// A failure saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        Fatal {
            message: message.into(),
            help: None,
        }
    }

    /// Adds the `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl From<io::Error> for Fatal {
    fn from(e: io::Error) -> Self {
        Fatal::new(format!("could not write output: {e}"))
    }
}

/// How a command that ran ended.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Outcome {
    /// Exit 0: done, warnings allowed.
    Clean,
    /// Exit 1: findings at error level (or warnings under `--strict`).
    Findings,
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

/// Parses the arguments, runs the subcommand, and maps the result to the
/// exit codes of DESIGN.md (0 clean, 1 findings, 2 could not run).
pub fn main() -> ExitCode {
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
        Err(fatal) => {
            let mut msg = format!("error: {}\n", fatal.message);
            if let Some(help) = &fatal.help {
                msg.push_str(&format!("help: {help}\n"));
            }
            let _ = io::stderr().write_all(msg.as_bytes());
            ExitCode::from(2)
        }
    }
}

fn run(cli: Cli, ctx: &Ctx) -> Result<Outcome, Fatal> {
    match cli.command {
        Command::Probe(args) => probe::run(args, ctx),
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
    fn the_cli_definition_is_consistent() {
        Cli::command().debug_assert();
    }
}
