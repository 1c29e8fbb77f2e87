//! `shownotes check`: lint notes files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::input::{expand, load_episode, Input};
use super::{outcome, print, print_error, Ctx, Fatal, Outcome};
use shownotes::audio::Mode;
use shownotes::diagnostic::Diagnostic;
use shownotes::episode::Audio;
use shownotes::report::{self, Report, Totals};
use shownotes::source::Source;

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Notes files or folders to check (`-` reads stdin; folders are searched for `*.md` and `*.txt`).
    #[arg(default_value = ".")]
    pub paths: Vec<String>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Human)]
    pub format: Format,

    /// Treat warnings as errors (exit 1 on any finding).
    #[arg(long)]
    pub strict: bool,

    /// The episode's audio (one notes file only); otherwise the front
    /// matter's `audio`, relative to the notes file, is used when present.
    #[arg(long, value_name = "FILE")]
    pub audio: Option<PathBuf>,

    /// Trust authoritative audio headers instead of walking every packet.
    #[arg(long)]
    pub fast: bool,

    /// The show config (default: `shownotes.toml` found by walking up from
    /// each notes file's folder to the one holding `.git`, or to the home
    /// folder; a found config must be yours and not writable by others).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    #[command(flatten)]
    pub net: super::online::Flags,
}

/// `check --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// rustc-style diagnostics on stderr.
    Human,
    /// One JSON document on stdout.
    Json,
    /// GitHub Actions workflow commands on stdout.
    Github,
}

/// The outcome of checking one input.
enum Checked {
    /// The source, its findings, and the config applied (if any).
    Done(Source, Vec<Diagnostic>, Option<PathBuf>),
    Failed(Fatal),
}

/// Parses and checks one notes file, with its config and its audio
/// (`--audio`, else the front matter's `audio`); the findings, and the
/// path of the config applied, if any.
pub fn check_one(
    input: &Input,
    audio: Option<&Path>,
    mode: Mode,
    config: Option<&Path>,
) -> Result<(Source, Vec<Diagnostic>, Option<PathBuf>), Fatal> {
    Ok(
        match load_episode(input, Audio::Find(audio, mode), config)? {
            Ok(ep) => (ep.notes.source, ep.diagnostics, ep.config.path),
            Err((source, d)) => (source, vec![d], None),
        },
    )
}

/// How a config's path is shown: relative to the current folder when it
/// is inside it, else as it is.
fn shown_path(p: &Path) -> String {
    let cwd = std::env::current_dir().and_then(std::fs::canonicalize);
    match cwd
        .ok()
        .and_then(|cwd| p.strip_prefix(cwd).ok().map(Path::to_path_buf))
    {
        Some(rel) if !rel.as_os_str().is_empty() => rel.display().to_string(),
        _ => p.display().to_string(),
    }
}

/// Runs `check`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let expanded = expand(&args.paths);
    for skipped in &expanded.skipped {
        eprintln!("warning: {skipped}");
    }
    if !expanded.skipped.is_empty() {
        eprintln!("help: a folder's walk reads only regular files inside it; name a file on the command line to check it\n");
    }
    let inputs = expanded.inputs;
    if args.audio.is_some() && inputs.len() != 1 {
        return Err(Fatal::new(format!(
            "`--audio` goes with one notes file, and {} were given",
            inputs.len()
        ))
        .help("check episodes one at a time with `--audio`, or name each episode's audio in its front matter (`audio = \"ep17.mp3\"`)"));
    }
    let mode = if args.fast { Mode::Fast } else { Mode::Walk };
    let progress = (ctx.stderr_tty && !ctx.quiet && inputs.len() > 1).then(|| {
        let bar =
            ProgressBar::with_draw_target(Some(inputs.len() as u64), ProgressDrawTarget::stderr());
        if let Ok(style) =
            ProgressStyle::with_template("{spinner} checking {pos}/{len} {wide_bar} {elapsed}")
        {
            bar.set_style(style);
        }
        bar.tick();
        bar
    });
    let mut results = check_all(
        &inputs,
        args.audio.as_deref(),
        mode,
        args.config.as_deref(),
        progress.as_ref(),
    );
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if args.net.on() {
        super::online::check_files(
            results.iter_mut().filter_map(|r| match r {
                Checked::Done(src, d, c) => Some((&*src, d, c.as_deref())),
                Checked::Failed(_) => None,
            }),
            args.config.as_deref(),
            ctx,
        )?;
    }
    // The configs applied, each once, in the order first used.
    let mut configs: Vec<String> = Vec::new();
    for r in &results {
        if let Checked::Done(_, _, Some(p)) = r {
            let shown = shown_path(p);
            if !configs.contains(&shown) {
                configs.push(shown);
            }
        }
    }
    let mut report: Box<dyn Report> = match args.format {
        Format::Human => {
            Box::new(report::human::Human::new(ctx.color, ctx.quiet).with_configs(configs))
        }
        Format::Json => Box::new(report::json::Json::default()),
        Format::Github => Box::new(report::github::Github::default()),
    };
    let mut failures = Vec::new();
    let mut totals = Totals::default();
    let mut unreadable = false;
    for r in results {
        match r {
            Checked::Done(src, diags, _) => {
                totals.add(&diags);
                unreadable |= outcome(&diags, false) == Outcome::Unreadable;
                report.file(&src, &diags);
            }
            Checked::Failed(f) => failures.push(f),
        }
    }
    let err = report.stderr();
    if !err.is_empty() {
        eprint!("{err}");
    }
    print(&report.stdout())?;
    // Every input that could not be read, each with its `help:` line.
    for Fatal(e) in &failures {
        print_error(ctx, e);
    }
    if !failures.is_empty() {
        return Ok(Outcome::Unreadable);
    }
    if unreadable {
        Ok(Outcome::Unreadable)
    } else if totals.errors > 0 || (args.strict && totals.warnings > 0) {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Clean)
    }
}

/// Checks every input, on as many threads as there are cores, keeping the
/// inputs' order in the results.
fn check_all(
    inputs: &[Result<Input, Fatal>],
    audio: Option<&Path>,
    mode: Mode,
    config: Option<&Path>,
    progress: Option<&ProgressBar>,
) -> Vec<Checked> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Checked>> = (0..inputs.len()).map(|_| None).collect();
    let work = |i: usize| -> Checked {
        let done = match &inputs[i] {
            Err(f) => Checked::Failed(f.clone()),
            Ok(input) => match check_one(input, audio, mode, config) {
                Ok((src, d, config)) => Checked::Done(src, d, config),
                Err(f) => Checked::Failed(f),
            },
        };
        if let Some(bar) = progress {
            bar.inc(1);
        }
        done
    };
    if threads <= 1 {
        return (0..inputs.len()).map(work).collect();
    }
    let done: Vec<Vec<(usize, Checked)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= inputs.len() {
                            break mine;
                        }
                        mine.push((i, work(i)));
                    }
                })
            })
            .collect();
        handles.into_iter().filter_map(|h| h.join().ok()).collect()
    });
    for (i, c) in done.into_iter().flatten() {
        slots[i] = Some(c);
    }
    slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Checked::Failed(Fatal::new("a worker thread stopped"))))
        .collect()
}
