//! The `shownotes` binary: the command line over the `shownotes` library.
//! Here: the arguments, the dispatch to one module per subcommand (under
//! `cli`), the exit codes, and the panic hook.

use std::io::{self, IsTerminal, Write};
use std::process::ExitCode;

use clap::{CommandFactory, Parser, Subcommand, ValueEnum};

use cli::{print, print_error, Ctx, Fatal, Outcome};

mod cli;

/// mimalloc, counting the heap of template renders so a user template
/// can't take the machine's memory (see `publish::limits`).
///
/// Why mimalloc rather than the system's malloc: a `check` of 1 MB of notes
/// allocates about 20 MB in many small blocks, on the main thread and on
/// the render threads at once. glibc's malloc faults that memory in 4 KiB
/// page by page (about 6,000 faults; on a virtual machine each can cost
/// tens of microseconds) and its arenas' locks make the render threads
/// wait for each other. mimalloc reserves its heap in one region the
/// kernel may back with 2 MiB pages (`MADV_HUGEPAGE`), keeps a heap per
/// thread, and allocates with fewer instructions: about 500 faults, and a
/// third less wall time on 1 MB of HTML notes (`bench/README.md`). Huge
/// pages are used only for large inputs (`cli::heap`).
#[global_allocator]
static ALLOC: shownotes::publish::limits::BudgetAlloc<mimalloc::MiMalloc> =
    shownotes::publish::limits::BudgetAlloc(mimalloc::MiMalloc);

/// Lint, convert and publish podcast show notes and chapters.
#[derive(Debug, Parser)]
#[command(
    name = "shownotes",
    version,
    about,
    max_term_width = 100,
    after_help = cli::examples::MAIN
)]
struct Cli {
    #[command(subcommand)]
    command: Command,

    /// When to colour diagnostics (`NO_COLOR` is honoured under `auto`).
    #[arg(long, global = true, value_enum, default_value_t = ColorChoice::Auto)]
    color: ColorChoice,

    /// Print no progress bar and no summary line.
    #[arg(short, long, global = true)]
    quiet: bool,
}

/// The subcommands; each `--help` ends with examples that run as written
/// from the repository's top folder (`cli::examples`).
#[derive(Debug, Subcommand)]
enum Command {
    /// Lint notes files: chapters, links, front matter.
    #[command(after_help = cli::examples::CHECK)]
    Check(cli::check::Args),
    /// List the links of a notes file, normalized.
    #[command(after_help = cli::examples::LINKS)]
    Links(cli::links::Args),
    /// Read chapters and write them in another format.
    #[command(after_help = cli::examples::CHAPTERS)]
    Chapters(cli::chapters::Args),
    /// Write chapters into an MP3's own metadata (ID3v2 CHAP/CTOC frames).
    #[command(after_help = cli::examples::EMBED)]
    Embed(cli::embed::Args),
    /// Audio facts: container, codec and exact duration, from the packets.
    #[command(after_help = cli::examples::PROBE)]
    Probe(cli::probe::Args),
    /// Check, then write every platform's description (and, with the RSS
    /// item, the chapters file it points at).
    #[command(after_help = cli::examples::BUILD)]
    Build(cli::build::Args),
    /// Print the JSON the templates receive.
    #[command(after_help = cli::examples::CONTEXT)]
    Context(cli::context::Args),
    /// Import a podcast's RSS feed: one notes file per episode and a
    /// `shownotes.toml` from the channel.
    #[command(after_help = cli::examples::IMPORT)]
    Import(cli::import::Args),
    /// Write the show's whole RSS feed from a folder of notes files.
    #[command(after_help = cli::examples::FEED)]
    Feed(cli::feed::Args),
    /// Write a commented `shownotes.toml` (and, with `--templates`, the
    /// default templates) to edit.
    #[command(after_help = cli::examples::INIT)]
    Init(cli::init::Args),
    /// Print shell completions for SHELL.
    #[command(after_help = cli::examples::COMPLETIONS)]
    Completions {
        #[arg(value_enum)]
        shell: clap_complete::Shell,
    },
    /// Print a man page (roff): the main one, or one command's.
    #[command(after_help = cli::examples::MAN)]
    Man(cli::man::Args),
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum ColorChoice {
    Auto,
    Always,
    Never,
}

/// The global options every subcommand may need.
fn ctx(cli: &Cli) -> Ctx {
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

/// Parses the arguments, runs the subcommand, and maps the result to the
/// exit codes of the README (0 clean, 1 findings, 2 could not run).
fn main() -> ExitCode {
    cli::heap::start();
    install_panic_hook();
    shownotes::write::on_register(cli::output::install_handler);
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
    let ctx = ctx(&cli);
    let code = match run(cli, &ctx) {
        Ok(Outcome::Clean) => 0,
        Ok(Outcome::Findings) => 1,
        Ok(Outcome::Unreadable) => 2,
        Err(Fatal(e)) => {
            print_error(&ctx, &e);
            2
        }
    };
    exit_now(code)
}

/// Ends the process with `code`, once what it printed is written, without
/// the C library's exit handlers: everything shownotes writes to files is
/// written and closed by now, and mimalloc's handler hands the heap back
/// to the system a page range at a time (a hundred `madvise` calls after a
/// 1 MB check, each stopping the other threads' cores: about 3 ms), which
/// the system does at once for a process that ends.
fn exit_now(code: u8) -> ExitCode {
    let _ = io::stdout().flush();
    let _ = io::stderr().flush();
    #[cfg(unix)]
    // SAFETY: `_exit` ends the process; it touches no Rust state.
    unsafe {
        libc::_exit(i32::from(code))
    }
    #[cfg(not(unix))]
    ExitCode::from(code)
}

/// Replaces Rust's panic message (which quotes the panic's payload, and a
/// payload may quote a file: a line of notes, a path, an environment
/// value) with one line that names only where in the code it happened.
/// The process still exits with 101.
fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        let at = info.location().map(|l| (l.file(), l.line()));
        let _ = writeln!(io::stderr(), "{}", bug_report(at));
    }));
}

/// The line a panic prints: `error: shownotes hit an internal bug at
/// src/x.rs:12; please report it with the command you ran`.
fn bug_report(at: Option<(&str, u32)>) -> String {
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
        Command::Check(args) => cli::check::run(args, ctx),
        Command::Links(args) => cli::links::run(args, ctx),
        Command::Chapters(args) => cli::chapters::run(args, ctx),
        Command::Embed(args) => cli::embed::run(args, ctx),
        Command::Probe(args) => cli::probe::run(args, ctx),
        Command::Build(args) => cli::build::run(args, ctx),
        Command::Context(args) => cli::context::run(args, ctx),
        Command::Import(args) => cli::import::run(args, ctx),
        Command::Feed(args) => cli::feed::run(args, ctx),
        Command::Init(args) => cli::init::run(args, ctx),
        Command::Completions { shell } => {
            let mut buf = Vec::new();
            clap_complete::generate(shell, &mut Cli::command(), "shownotes", &mut buf);
            print(&String::from_utf8_lossy(&buf))?;
            Ok(Outcome::Clean)
        }
        Command::Man(args) => cli::man::run(args, Cli::command(), ctx),
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
