//! `shownotes check`: lint notes files.

use std::sync::atomic::{AtomicUsize, Ordering};

use clap::ValueEnum;

use super::input::{expand, Input};
use super::{print, Ctx, Fatal, Outcome};
use crate::chapters;
use crate::diagnostic::{Diagnostic, Severity, Source};
use crate::links;
use crate::notes::{self, Notes};
use crate::report::{self, Report};

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

/// Parses and checks one notes file.
pub fn check_one(input: &Input) -> Result<(Source, Vec<Diagnostic>), Fatal> {
    let bytes = input.read()?;
    match notes::decode(&input.name(), &bytes) {
        Ok(src) => {
            let notes = Notes::parse(src, &links::Rules::default());
            let diags = notes.check(&chapters::Rules::default(), None);
            Ok((notes.source, diags))
        }
        Err(bad) => Ok((bad.0, vec![bad.1])),
    }
}

/// Runs `check`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let inputs = expand(&args.paths);
    let results = check_all(&inputs);
    let mut report: Box<dyn Report> = match args.format {
        Format::Human => Box::new(report::Human::new(ctx.color, ctx.quiet)),
        Format::Json => Box::new(report::Json::default()),
        Format::Github => Box::new(report::Github::default()),
    };
    let mut failures = Vec::new();
    let (mut errors, mut warnings) = (0, 0);
    for r in results {
        match r {
            Checked::Done(src, diags) => {
                errors += diags
                    .iter()
                    .filter(|d| d.severity == Severity::Error)
                    .count();
                warnings += diags
                    .iter()
                    .filter(|d| d.severity == Severity::Warning)
                    .count();
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
            eprintln!("error: {}", f.message);
        }
        return Err(first.clone());
    }
    if errors > 0 || (args.strict && warnings > 0) {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Clean)
    }
}

/// Checks every input, on as many threads as there are cores, keeping the
/// inputs' order in the results.
fn check_all(inputs: &[Result<Input, Fatal>]) -> Vec<Checked> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Checked>> = (0..inputs.len()).map(|_| None).collect();
    let work = |i: usize| -> Checked {
        match &inputs[i] {
            Err(f) => Checked::Failed(f.clone()),
            Ok(input) => match check_one(input) {
                Ok((src, d)) => Checked::Done(src, d),
                Err(f) => Checked::Failed(f),
            },
        }
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
