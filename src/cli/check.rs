//! `shownotes check`: lint notes files.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::ValueEnum;
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::input::{episode_from, expand, show_config, Input};
use super::{outcome, print, print_error, write_atomic, Ctx, Fatal, Outcome};
use shownotes::audio::Mode;
use shownotes::diagnostic::{Code, Diagnostic};
use shownotes::episode::Audio;
use shownotes::publish::Templates;
use shownotes::report::{self, Report, Totals};
use shownotes::source::Source;
use shownotes::{fix, pipeline};

/// Arguments of `check`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Notes files or folders to check (`-` reads stdin; folders are
    /// searched for `*.md` and `*.txt`, honouring `.gitignore` and
    /// `[check] exclude`).
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

    /// Rewrite each notes file in place with the safe fixes: tracking
    /// parameters removed, flattened line breaks restored, timestamps
    /// padded, chapters sorted; then report what is left.
    #[arg(long)]
    pub fix: bool,

    /// Print the changes `--fix` would make as a unified diff on stdout,
    /// and write nothing.
    #[arg(long)]
    pub diff: bool,

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
    /// SARIF 2.1.0 on stdout, for code scanning.
    Sarif,
}

/// What `--fix` and `--diff` do with a file's fixes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Fixing {
    /// Nothing: report the findings.
    No,
    /// Apply them (pass by pass) and report what is left.
    Apply,
    /// Work them out (pass by pass) for the diff, and report the findings
    /// of the file as it is.
    Diff,
}

/// The most passes of fixes over one file: a pass applies the fixes that
/// do not overlap; a flattened chapter list is given its line breaks in
/// one and sorted in the next.
const MAX_PASSES: usize = 5;

/// The outcome of checking one input.
enum Checked {
    /// The source, its findings, the config applied (if any), and the
    /// text as fixed when it changed (`--fix`, `--diff`).
    Done(Source, Vec<Diagnostic>, Option<PathBuf>, Option<Fixed>),
    /// The input as named, and why it could not be checked.
    Failed(String, Fatal),
}

/// A file's text before and after `--fix`.
struct Fixed {
    before: Vec<u8>,
    after: Vec<u8>,
}

/// Each worker's templates, loaded once per templates folder.
#[derive(Default)]
struct TemplateCache(Vec<(Option<PathBuf>, Result<Templates, shownotes::error::Error>)>);

impl TemplateCache {
    fn get(&mut self, dir: Option<PathBuf>) -> Result<&Templates, Fatal> {
        let i = match self.0.iter().position(|(d, _)| *d == dir) {
            Some(i) => i,
            None => {
                let t = Templates::new(dir.as_deref());
                self.0.push((dir, t));
                self.0.len() - 1
            }
        };
        self.0[i].1.as_ref().map_err(|e| Fatal(e.clone()))
    }
}

/// Checks one notes file the way `build` does (the shared pipeline: the
/// notes and their rules, the audio — `--audio`, else the front matter's
/// `audio` — and every enabled platform's output and rules), with
/// `[rules]` and the file's opt-outs applied. With `fixing`, the fixes
/// are applied pass by pass and the findings are those left.
fn check_one(
    input: &Input,
    audio: Option<&Path>,
    mode: Mode,
    config: Option<&Path>,
    fixing: Fixing,
    cache: &mut TemplateCache,
) -> Result<Checked, Fatal> {
    let (config, config_path) = show_config(input, config)?;
    let templates = cache.get(config.templates_dir())?;
    let before = input.read()?;
    let bom: &[u8] = if before.starts_with(b"\xEF\xBB\xBF") {
        b"\xEF\xBB\xBF"
    } else {
        b""
    };
    // The text `--fix` made, once it made one (the file's own bytes are
    // not copied for the first pass).
    let mut fixed_bytes: Option<Vec<u8>> = None;
    let mut pass = 0;
    // The findings of the file as it is (`--diff` reports them).
    let mut first: Option<(Source, Vec<Diagnostic>)> = None;
    loop {
        let loaded = episode_from(
            input,
            fixed_bytes.as_deref().unwrap_or(&before),
            config.clone(),
            config_path.clone(),
            Audio::Find(audio, mode),
        );
        let mut ep = match loaded {
            Ok(ep) => ep,
            Err(bad) => {
                let (source, d) = *bad;
                return Ok(Checked::Done(source, vec![d], None, None));
            }
        };
        pipeline::run(&mut ep, templates, &[])?;
        fix::attach(&ep.notes, &mut ep.diagnostics);
        pass += 1;
        if fixing == Fixing::Diff && first.is_none() {
            first = Some((ep.notes.source.clone(), ep.diagnostics.clone()));
        }
        let next = (fixing != Fixing::No && pass < MAX_PASSES)
            .then(|| {
                let edits = fix::edits(&ep.notes, &ep.diagnostics);
                fix::apply(&ep.notes.source.text, &edits)
            })
            .filter(|(_, n)| *n > 0);
        match next {
            Some((text, _)) => {
                fixed_bytes = Some([bom, text.as_bytes()].concat());
            }
            None => {
                let fixed = fixed_bytes
                    .filter(|after| *after != before)
                    .map(|after| Fixed { before, after });
                let config_path = ep.config.path.take();
                let (source, diags) = match first {
                    Some(first) => first,
                    None => (
                        std::mem::replace(&mut ep.notes.source, Source::new("", "")),
                        std::mem::take(&mut ep.diagnostics),
                    ),
                };
                // The rest of the episode (its notes read, its links) is
                // freed on a thread of its own when long.
                let large = source.text.len() >= shownotes::parallel::SHARED_FROM;
                shownotes::parallel::drop_aside(ep, large);
                return Ok(Checked::Done(source, diags, config_path, fixed));
            }
        }
    }
}

/// `--fix --online`: writes the final URL of each permanent redirect into
/// the text `--fix` left (the online findings point into that text), and
/// drops the findings it fixed.
fn redirect_fixes(src: &Source, diags: &mut Vec<Diagnostic>, fixed: &mut Option<Fixed>) {
    let is_redirect = |d: &Diagnostic| d.code == Code::LinkRedirected && d.fix.is_some();
    let mut edits: Vec<_> = diags
        .iter()
        .filter(|d| is_redirect(d))
        .filter_map(|d| d.fix.clone())
        .collect();
    if edits.is_empty() {
        return;
    }
    edits.sort_by_key(|f| (f.span.start, f.span.end));
    let (text, applied) = fix::apply(&src.text, &edits);
    if applied == 0 {
        return;
    }
    let before = match fixed.take() {
        Some(f) => f.before,
        None => match std::fs::read(&src.name) {
            Ok(b) => b,
            Err(_) => return,
        },
    };
    let bom: &[u8] = if before.starts_with(b"\xEF\xBB\xBF") {
        b"\xEF\xBB\xBF"
    } else {
        b""
    };
    *fixed = Some(Fixed {
        before,
        after: [bom, text.as_bytes()].concat(),
    });
    diags.retain(|d| !is_redirect(d));
}

/// A unified diff of a file's fix, `a/PATH` to `b/PATH`.
fn unified(name: &str, fixed: &Fixed) -> String {
    let (a, b) = (
        String::from_utf8_lossy(&fixed.before),
        String::from_utf8_lossy(&fixed.after),
    );
    similar::TextDiff::from_lines(a.as_ref(), b.as_ref())
        .unified_diff()
        .context_radius(3)
        .header(&format!("a/{name}"), &format!("b/{name}"))
        .to_string()
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
    if args.diff && args.format != Format::Human {
        return Err(Fatal::new(
            "`--diff` prints the diff on stdout, where `--format` prints its report too",
        )
        .help("run `check --diff` (findings go to stderr) and `check --format ...` apart"));
    }
    let fixing = if args.diff {
        Fixing::Diff
    } else if args.fix {
        Fixing::Apply
    } else {
        Fixing::No
    };
    let expanded = expand(&args.paths, args.config.as_deref());
    if args.fix
        && !args.diff
        && expanded
            .inputs
            .iter()
            .any(|i| matches!(i, Ok(Input::Stdin)))
    {
        return Err(
            Fatal::new("`--fix` rewrites files in place, and stdin is not a file")
                .help("use `--diff` to see the fixes for stdin, or name the file"),
        );
    }
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
    let opts = Opts {
        audio: args.audio.as_deref(),
        mode,
        config: args.config.as_deref(),
        fixing,
    };
    let mut results = check_all(&inputs, &opts, progress.as_ref());
    if let Some(bar) = progress {
        bar.finish_and_clear();
    }
    if args.net.on() {
        super::online::check_files(
            results.iter_mut().filter_map(|r| match r {
                Checked::Done(src, d, c, _) => Some((&*src, d, c.as_deref())),
                Checked::Failed(..) => None,
            }),
            args.config.as_deref(),
            ctx,
        )?;
        if args.fix {
            for r in &mut results {
                if let Checked::Done(src, diags, _, fixed) = r {
                    redirect_fixes(src, diags, fixed);
                }
            }
        }
    }
    // The configs applied, each once, in the order first used.
    let mut configs: Vec<String> = Vec::new();
    for r in &results {
        if let Checked::Done(_, _, Some(p), _) = r {
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
        Format::Sarif => Box::new(report::sarif::Sarif::default()),
    };
    let mut failed = false;
    let mut totals = Totals::default();
    let mut unreadable = false;
    let mut diffs = String::new();
    for r in results {
        match r {
            Checked::Done(src, diags, _, fixed) => {
                if let Some(fixed) = &fixed {
                    if args.diff {
                        diffs.push_str(&unified(&src.name, fixed));
                    } else if let Err(Fatal(e)) = write_fixed(&src.name, fixed, ctx) {
                        failed = true;
                        report.fatal(&src.name, &e);
                        if args.format != Format::Human {
                            print_error(ctx, &e);
                        }
                    }
                }
                totals.add(&diags);
                unreadable |= outcome(&diags, false) == Outcome::Unreadable;
                report.file(&src, &diags);
            }
            Checked::Failed(path, Fatal(e)) => {
                failed = true;
                report.fatal(&path, &e);
                // The machine formats carry it on stdout; the log shows it too.
                if args.format != Format::Human {
                    print_error(ctx, &e);
                }
            }
        }
    }
    if !diffs.is_empty() {
        print(&diffs)?;
    }
    let err = report.stderr();
    if !err.is_empty() {
        eprint!("{err}");
    }
    print(&report.stdout())?;
    if failed || unreadable {
        Ok(Outcome::Unreadable)
    } else if totals.errors > 0 || (args.strict && totals.warnings > 0) {
        Ok(Outcome::Findings)
    } else {
        Ok(Outcome::Clean)
    }
}

/// Writes a fixed file back in place (atomically), and says so.
fn write_fixed(name: &str, fixed: &Fixed, ctx: &Ctx) -> Result<(), Fatal> {
    write_atomic(Path::new(name), &fixed.after)?;
    if !ctx.quiet {
        eprintln!("fixed `{name}`");
    }
    Ok(())
}

/// What every input is checked with.
struct Opts<'a> {
    audio: Option<&'a Path>,
    mode: Mode,
    config: Option<&'a Path>,
    fixing: Fixing,
}

/// Checks every input, on as many threads as there are cores, keeping the
/// inputs' order in the results.
fn check_all(
    inputs: &[Result<Input, (String, Fatal)>],
    opts: &Opts<'_>,
    progress: Option<&ProgressBar>,
) -> Vec<Checked> {
    let threads = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(inputs.len().max(1));
    let next = AtomicUsize::new(0);
    let mut slots: Vec<Option<Checked>> = (0..inputs.len()).map(|_| None).collect();
    let work = |i: usize, cache: &mut TemplateCache| -> Checked {
        let done = match &inputs[i] {
            Err((path, f)) => Checked::Failed(path.clone(), f.clone()),
            Ok(input) => check_one(
                input,
                opts.audio,
                opts.mode,
                opts.config,
                opts.fixing,
                cache,
            )
            .unwrap_or_else(|f| Checked::Failed(input.name(), f)),
        };
        if let Some(bar) = progress {
            bar.inc(1);
        }
        done
    };
    if threads <= 1 {
        let mut cache = TemplateCache::default();
        return (0..inputs.len()).map(|i| work(i, &mut cache)).collect();
    }
    let done: Vec<Vec<(usize, Checked)>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads)
            .map(|_| {
                s.spawn(|| {
                    let mut cache = TemplateCache::default();
                    let mut mine = Vec::new();
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        if i >= inputs.len() {
                            break mine;
                        }
                        mine.push((i, work(i, &mut cache)));
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
        .map(|s| {
            s.unwrap_or_else(|| {
                Checked::Failed(String::new(), Fatal::new("a worker thread stopped"))
            })
        })
        .collect()
}
