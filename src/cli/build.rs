//! `shownotes build`: checks the notes (and audio), then writes every
//! platform's output; writes nothing when a check fails.

use std::io::Write as _;
use std::path::{Path, PathBuf};

use super::input::Input;
use super::{print, write_atomic, Ctx, Fatal, Outcome};
use crate::audio::{self, AudioInfo};
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Source, Span};
use crate::notes::{self, Notes};
use crate::platform::{self, PlatformId};
use crate::render::{self, Context, Templates};

/// Arguments of `build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode's notes file (`-` reads stdin).
    pub notes: String,

    /// The episode's audio (default: the front matter's `audio`, relative
    /// to the notes file). Needed for `rss-item.xml`.
    #[arg(long, value_name = "FILE")]
    pub audio: Option<PathBuf>,

    /// Where to write (default `dist/<notes file stem>/`); `-` prints the
    /// one platform chosen with `--platform` to stdout.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<String>,

    /// Platforms to build, comma-separated (default: `[platforms] enabled`,
    /// else all).
    #[arg(long, value_enum, value_delimiter = ',', value_name = "LIST")]
    pub platform: Vec<PlatformId>,

    /// The show config (default: `shownotes.toml` found by walking up from
    /// the notes file's folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// A notes file with its config and audio, checked.
pub struct Prepared {
    pub notes: Notes,
    pub config: Config,
    pub audio: Option<AudioInfo>,
    /// Every finding so far (notes, chapters against the audio, audio).
    pub diagnostics: Vec<Diagnostic>,
    /// The notes file's stem (`episode-17`), for the default output folder.
    pub stem: String,
}

/// Reads the notes, the config and the audio, and runs every check.
/// `Err(Ok(..))`: the notes are not text (a finding, exit 1);
/// `Err(Err(fatal))`: could not run.
pub fn prepare(
    notes_arg: &str,
    audio_arg: Option<&Path>,
    config_arg: Option<&Path>,
) -> Result<Result<Prepared, (Source, Diagnostic)>, Fatal> {
    let input = if notes_arg == "-" {
        Input::Stdin
    } else {
        Input::File(notes_arg.into())
    };
    let notes_path = match &input {
        Input::File(p) => p.clone(),
        Input::Stdin => PathBuf::from("./-"),
    };
    let config = match config_arg {
        Some(p) => Config::load(p)?,
        None => Config::discover(&notes_path)?
            .map(|(_, c)| c)
            .unwrap_or_default(),
    };
    let bytes = input.read()?;
    let source = match notes::decode(&input.name(), &bytes) {
        Ok(s) => s,
        Err(bad) => return Ok(Err(*bad)),
    };
    let notes = Notes::parse(source, &config.link_rules());
    let mut diagnostics = Vec::new();
    let audio_path = match audio_arg {
        Some(p) => Some((p.to_path_buf(), None)),
        None => notes.front_matter.audio.as_ref().map(|a| {
            let base = notes_path.parent().unwrap_or(Path::new(""));
            (base.join(a), front_matter_key(&notes.source, "audio"))
        }),
    };
    let audio = audio_path.and_then(|(path, span)| {
        match audio::probe(&path, audio::Mode::Walk) {
            Ok(info) => {
                if let Some(diff) = info.header_mismatch_ms() {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::AudioHeaderMismatch,
                            format!(
                                "the header of `{}` claims a length `{diff}` ms off the packets' (truncated or damaged?)",
                                path.display()
                            ),
                        )
                        .at_opt(span)
                        .help("check the upload is complete; `shownotes probe` shows both lengths"),
                    );
                }
                if !info.exact {
                    diagnostics.push(
                        Diagnostic::new(
                            Code::AudioDurationEstimated,
                            format!("only an estimate of the length of `{}` could be had", path.display()),
                        )
                        .at_opt(span),
                    );
                }
                Some(info)
            }
            Err(e) => {
                let help = match e.code() {
                    Code::AudioMissing => "check the path: `--audio` is relative to the current folder, front matter `audio` to the notes file",
                    _ => "give an MP3, M4A, Ogg, Opus, FLAC or WAV file",
                };
                diagnostics.push(
                    Diagnostic::new(e.code(), e.to_string())
                        .at_opt(span)
                        .help(help),
                );
                None
            }
        }
    });
    let mut all = notes.check(
        &config.chapter_rules(),
        audio.as_ref().map(AudioInfo::duration),
    );
    all.extend(diagnostics);
    crate::diagnostic::sort(&mut all);
    let stem = match &input {
        Input::File(p) => p
            .file_stem()
            .map_or_else(|| "notes".into(), |s| s.to_string_lossy().into_owned()),
        Input::Stdin => "stdin".into(),
    };
    Ok(Ok(Prepared {
        notes,
        config,
        audio,
        diagnostics: all,
        stem,
    }))
}

/// The span of a front matter key (`audio = ...` / `audio: ...`).
fn front_matter_key(src: &Source, key: &str) -> Option<Span> {
    let mut offset = 0;
    for (i, line) in src.text.split_inclusive('\n').enumerate() {
        if i > 0 && matches!(line.trim_end(), "+++" | "---") {
            return None;
        }
        if line.starts_with(key) && line[key.len()..].trim_start().starts_with(['=', ':']) {
            return Some(Span::new(offset, offset + key.len()));
        }
        offset += line.len();
    }
    None
}

/// Prints findings rustc-style to stderr.
pub fn print_diagnostics(ctx: &Ctx, source: &Source, diags: &[Diagnostic]) {
    let renderer = if ctx.color {
        annotate_snippets::Renderer::styled()
    } else {
        annotate_snippets::Renderer::plain()
    };
    let mut err = String::new();
    for d in diags {
        err.push_str(&crate::report::render(&renderer, source, d));
        err.push_str("\n\n");
    }
    let _ = std::io::stderr().write_all(err.as_bytes());
}

/// Loads the templates for `config`, a template error as a fatal one
/// (printed rustc-style first).
pub fn templates(config: &Config, ctx: &Ctx) -> Result<Templates, Fatal> {
    Templates::new(config.templates_dir().as_deref()).map_err(|e| template_fatal(&e, ctx))
}

/// A template error: printed rustc-style, then exit 2.
pub fn template_fatal(e: &render::TemplateError, ctx: &Ctx) -> Fatal {
    let _ = writeln!(std::io::stderr(), "{}\n", e.render(ctx.color));
    Fatal::new(format!("template `{}` failed", e.located()))
        .help("fix the template, or delete it to use the built-in one")
}

/// Runs `build`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let prepared = match prepare(&args.notes, args.audio.as_deref(), args.config.as_deref())? {
        Ok(p) => p,
        Err((source, d)) => {
            print_diagnostics(ctx, &source, &[d]);
            return Ok(Outcome::Findings);
        }
    };
    let Prepared {
        notes,
        config,
        audio,
        mut diagnostics,
        stem,
    } = prepared;
    let explicit = !args.platform.is_empty();
    let mut wanted: Vec<PlatformId> = if explicit {
        args.platform.clone()
    } else {
        config
            .platforms
            .enabled
            .clone()
            .unwrap_or_else(|| PlatformId::ALL.to_vec())
    };
    wanted.sort();
    wanted.dedup();
    let to_stdout = args.out.as_deref() == Some("-");
    if to_stdout && wanted.len() != 1 {
        return Err(Fatal::new(format!(
            "`--out -` prints one platform, but {} are chosen",
            wanted.len()
        ))
        .help("choose one with `--platform`, such as `--platform youtube --out -`"));
    }
    // RSS needs the audio (enclosure length and type, duration) and the
    // URL it is served from: asked for by name, its absence stops the
    // build; otherwise the item is skipped with a warning.
    let mut skipped = None;
    if wanted.contains(&PlatformId::Rss) {
        let missing = if audio.is_none()
            && !diagnostics
                .iter()
                .any(|d| matches!(d.code, Code::AudioMissing | Code::AudioUnreadable))
        {
            Some((
                "no audio was given",
                "give `--audio FILE` or the front matter's `audio`",
            ))
        } else if config.show.media_base_url.is_none() {
            Some((
                "`[show] media_base_url` is not set",
                "set `media_base_url` in `shownotes.toml` (see `shownotes init`)",
            ))
        } else {
            None
        };
        if let Some((why, help)) = missing {
            if explicit {
                return Err(Fatal::new(format!("cannot build `rss`: {why}")).help(help));
            }
            wanted.retain(|p| *p != PlatformId::Rss);
            skipped = Some(format!(
                "warning: skipped `rss-item.xml`: {why}\nhelp: {help}\n"
            ));
        }
    }
    let templates = templates(&config, ctx)?;
    let context: Context = render::context(&notes, &config, audio.as_ref());
    let outputs = render::build(&templates, &context, &notes, &config, &wanted)
        .map_err(|e| template_fatal(&e, ctx))?;
    diagnostics.extend(outputs.diagnostics.iter().cloned());
    crate::diagnostic::sort(&mut diagnostics);
    print_diagnostics(ctx, &notes.source, &diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        if !ctx.quiet {
            eprintln!(
                "error: wrote nothing: {errors} error{} in `{}`",
                if errors == 1 { "" } else { "s" },
                notes.source.name
            );
        }
        return Ok(Outcome::Findings);
    }
    if let Some(note) = skipped.filter(|_| !ctx.quiet) {
        eprintln!("{note}");
    }
    if to_stdout {
        if let Some((_, text)) = outputs.files.first() {
            print(text)?;
        }
        return Ok(Outcome::Clean);
    }
    let dir = PathBuf::from(args.out.unwrap_or_else(|| format!("dist/{stem}")));
    std::fs::create_dir_all(&dir).map_err(|e| {
        Fatal::new(format!(
            "cannot create `{}`: {}",
            dir.display(),
            crate::diagnostic::io_reason(&e)
        ))
        .help("choose another folder with `--out`")
    })?;
    let mut files: Vec<(&str, &str)> = outputs
        .files
        .iter()
        .map(|(id, text)| (platform::get(*id).file_name(), text.as_str()))
        .collect();
    files.push(("chapters.json", outputs.chapters_json.as_str()));
    // Each file is synced to disk before it is renamed into place; the
    // syncs, not the rendering, are most of a build's time, so they run
    // side by side.
    let results: Vec<Result<(), Fatal>> = std::thread::scope(|s| {
        let handles: Vec<_> = files
            .iter()
            .map(|(name, text)| {
                let path = dir.join(name);
                s.spawn(move || write_atomic(&path, text.as_bytes()))
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(Fatal::new("a writer thread stopped")))
            })
            .collect()
    });
    results.into_iter().collect::<Result<Vec<()>, Fatal>>()?;
    let written: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    if !ctx.quiet {
        eprintln!("wrote `{}`: {}", dir.display(), written.join(", "));
    }
    Ok(Outcome::Clean)
}
