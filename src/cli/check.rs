//! `shownotes check`: lint notes files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::episode::{self, Audio};
use super::input::{expand, Input};
use super::{print, Ctx, Fatal, Outcome};
use crate::audio::Mode;
use crate::diagnostic::{Diagnostic, Source};
use crate::report::{self, Report, Totals};

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
    /// each notes file's folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
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
    Done(Source, Vec<Diagnostic>),
    Failed(Fatal),
}

/// Parses and checks one notes file, with its config and its audio
/// (`--audio`, else the front matter's `audio`).
pub fn check_one(
    input: &Input,
    audio: Option<&Path>,
    mode: Mode,
    config: Option<&Path>,
) -> Result<(Source, Vec<Diagnostic>), Fatal> {
    Ok(
        match episode::load(input, Audio::Find(audio, mode), config)? {
            Ok(ep) => (ep.notes.source, ep.diagnostics),
            Err((source, d)) => (source, vec![d]),
        },
    )
}

/// Runs `check`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let inputs = expand(&args.paths);
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
    let results = check_all(
        &inputs,
        args.audio.as_deref(),
        mode,
        args.config.as_deref(),
        progress.as_ref(),
    );
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    let mut report: Box<dyn Report> = match args.format {
        Format::Human => Box::new(report::Human::new(ctx.color, ctx.quiet)),
        Format::Json => Box::new(report::Json::default()),
        Format::Github => Box::new(report::Github::default()),
    };
    let mut failures = Vec::new();
    let mut totals = Totals::default();
    for r in results {
        match r {
            Checked::Done(src, diags) => {
                totals.add(&diags);
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
    if let Some(first) = failures.first() {
        for f in &failures[1..] {
            eprintln!("error: {}", crate::text::visible(&f.message));
        }
        return Err(first.clone());
    }
    if totals.errors > 0 || (args.strict && totals.warnings > 0) {
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
                Ok((src, d)) => Checked::Done(src, d),
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
