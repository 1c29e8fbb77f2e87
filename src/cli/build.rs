//! `shownotes build`: checks the notes (and audio), then writes every
//! platform's output; writes nothing when a check fails.

use std::path::{Path, PathBuf};

use super::input::{load_episode, Input};
use super::output::{self, Inputs};
use super::{
    outcome, print, render_all, template_fatal, templates, write_atomic, Ctx, Fatal, Outcome,
};
use shownotes::audio::Mode;
use shownotes::episode::{Audio, Episode};
use shownotes::error::ErrorKind;
use shownotes::pipeline;
use shownotes::publish;
use shownotes::publish::platform::{self, PlatformId};

/// Arguments of `build`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode's notes file (`-` reads stdin).
    pub notes: String,

    /// The episode's audio (default: the front matter's `audio`, relative
    /// to the notes file). Needed for `rss-item.xml`.
    #[arg(long, value_name = "FILE")]
    pub audio: Option<PathBuf>,

    /// Where to write: a folder (default `dist/<notes file stem>/`); with
    /// one platform, that platform's file (unless it is a folder or ends
    /// with `/`), or `-` for stdout. The chapters file the RSS item points
    /// at, `<audio stem>.chapters.json`, is written beside the item when
    /// there are chapters (not with `-`); no other platform needs it.
    #[arg(long, short, value_name = "DIR|FILE")]
    pub out: Option<String>,

    /// Platforms to build, comma-separated (default: `[platforms] enabled`,
    /// else all).
    #[arg(long, value_parser = platform_parser(), value_delimiter = ',', value_name = "LIST")]
    pub platform: Vec<PlatformId>,

    /// The show config (default: `shownotes.toml` found by walking up from
    /// the notes file's folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Replace output files that an earlier build did not write, or that
    /// were changed since (inputs are never replaced).
    #[arg(long)]
    pub force: bool,
}

/// `--platform`'s values: the platforms' names, in build order.
fn platform_parser() -> impl clap::builder::TypedValueParser<Value = PlatformId> {
    use clap::builder::TypedValueParser as _;
    clap::builder::PossibleValuesParser::new(PlatformId::ALL.map(PlatformId::as_str))
        .try_map(|name| name.parse::<PlatformId>().map_err(|()| "not a platform"))
}

/// Runs `build`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let input = Input::from_arg(&args.notes);
    let audio = Audio::Find(args.audio.as_deref(), Mode::Walk);
    let mut prepared = match load_episode(&input, audio, args.config.as_deref())? {
        Ok(p) => p,
        Err((source, d)) => {
            render_all(ctx, &source, &[d]);
            return Ok(Outcome::Unreadable);
        }
    };
    let wanted = publish::choose(&args.platform, &prepared.config);
    let to_stdout = args.out.as_deref() == Some("-");
    if to_stdout && wanted.len() != 1 {
        return Err(Fatal::new(format!(
            "`--out -` prints one platform, but {} are chosen",
            wanted.len()
        ))
        .help("choose one with `--platform`, such as `--platform youtube --out -`"));
    }
    let templates = templates(&prepared.config, ctx)?;
    // The pipeline `check` runs too: a platform asked for by name that
    // can't be built stops the build; otherwise it is skipped.
    let checked = pipeline::run(&mut prepared, &templates, &args.platform).map_err(|e| {
        if e.kind() == ErrorKind::Template {
            template_fatal(&e, ctx)
        } else {
            Fatal(e)
        }
    })?;
    let (outputs, skipped) = (checked.outputs, checked.skipped);
    let Episode {
        notes,
        config,
        audio: _,
        diagnostics,
        stem,
        config_path,
        audio_path,
    } = prepared;
    let dest = match to_stdout {
        true => None,
        false => Some(Dest::of(
            args.out.as_deref(),
            &stem,
            wanted.len().saturating_sub(skipped.len()),
        )?),
    };
    render_all(ctx, &notes.source, &diagnostics);
    let errors = diagnostics.iter().filter(|d| d.is_error()).count();
    if errors > 0 {
        if !ctx.quiet {
            eprintln!(
                "error: wrote nothing: {errors} error{} in `{}`",
                if errors == 1 { "" } else { "s" },
                notes.source.name
            );
        }
        return Ok(outcome(&diagnostics, false));
    }
    for (id, unmet) in skipped.iter().filter(|_| !ctx.quiet) {
        eprintln!(
            "warning: skipped `{}`: {}\nhelp: {}\n",
            platform::get(*id).file_name(),
            unmet.why,
            unmet.help
        );
    }
    let Some(dest) = dest else {
        if let Some((_, text)) = outputs.files.first() {
            print(text)?;
        }
        return Ok(Outcome::Clean);
    };
    let mut inputs = Inputs::new();
    if let Input::File(p) = &input {
        inputs.add("the notes file", p);
    }
    if let Some(p) = &audio_path {
        inputs.add("the audio file", p);
    }
    if let Some(p) = &config_path {
        inputs.add("the show config", p);
    }
    if let Some(t) = config.templates_dir() {
        for p in publish::override_paths(&t) {
            inputs.add("a template", &p);
        }
    }
    match dest {
        Dest::Dir(dir) => write(&dir, &outputs, &inputs, args.force, ctx)?,
        Dest::File(file) => write_file(&file, &outputs, &inputs, args.force, ctx)?,
    }
    Ok(Outcome::Clean)
}

/// Where `build` writes (`--out -` was handled before).
enum Dest {
    /// A folder: every output under its file name, as one set.
    Dir(PathBuf),
    /// One platform's output as this file (and the RSS item's chapters
    /// file beside it).
    File(PathBuf),
}

impl Dest {
    /// `--out` for `platforms` platforms: a folder by default, when it is
    /// one or ends with `/`, or when several platforms are built; else
    /// the one platform's file.
    fn of(out: Option<&str>, stem: &str, platforms: usize) -> Result<Dest, Fatal> {
        let Some(out) = out else {
            return Ok(Dest::Dir(PathBuf::from(format!("dist/{stem}"))));
        };
        let path = PathBuf::from(out);
        let folder =
            out.ends_with('/') || out.ends_with(std::path::MAIN_SEPARATOR) || path.is_dir();
        if folder {
            return Ok(Dest::Dir(path));
        }
        if platforms == 1 {
            return Ok(Dest::File(path));
        }
        if path.exists() {
            return Err(Fatal::new(format!(
                "`--out {out}` is a file, but {platforms} platforms are built into a folder"
            ))
            .help(
                "give a folder, or choose one platform with `--platform` to write just its file",
            ));
        }
        Ok(Dest::Dir(path))
    }
}

/// Whether `old` (an existing file's first bytes) looks like `id`'s
/// output as `build` writes it, so that a rebuild may replace it without
/// `--force`: the RSS item starts with `<item`; the HTML starts with one
/// of its block tags; the YouTube text holds no `<` or `>` (YouTube
/// rejects them) and nothing of a notes file (front matter, Markdown
/// links, emphasis or headings).
fn looks_built(id: platform::PlatformId, old: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(old) else {
        return false;
    };
    let head = text.trim_start();
    match id {
        PlatformId::Rss => head.starts_with("<item"),
        PlatformId::Spotify | PlatformId::Apple => {
            head.is_empty() || ["<p>", "<ul>", "<ol>"].iter().any(|t| head.starts_with(t))
        }
        PlatformId::Youtube => {
            !text.contains(['<', '>', '\0'])
                && !head.starts_with("---")
                && !head.starts_with("+++")
                && !text.contains("](")
                && !text.contains("**")
                && !text.lines().any(|l| l.starts_with('#'))
        }
    }
}

/// Writes the one platform's output to `file` (atomically; never over an
/// input, nor over a file `build` did not write unless `force`), and the
/// chapters file beside it when there is one, and says so.
fn write_file(
    file: &Path,
    outputs: &publish::Outputs,
    inputs: &Inputs,
    force: bool,
    ctx: &Ctx,
) -> Result<(), Fatal> {
    let Some((id, text)) = outputs.files.first() else {
        return Ok(());
    };
    let beside = file.parent().unwrap_or(Path::new(""));
    let chapters = outputs
        .chapters_file
        .as_ref()
        .map(|(name, json)| (beside.join(name), json));
    // Everything is checked before anything is written.
    inputs.check(file, "`--out`")?;
    let what = format!("a `{id}` output as `shownotes build` writes it");
    output::check_replace(file, force, &what, |old| looks_built(*id, old))?;
    if let Some((path, _)) = &chapters {
        inputs.check(path, "`--out`")?;
        output::check_replace(
            path,
            force,
            "a `json` chapter file as `shownotes build` writes it",
            |old| shownotes::formats::written_by_us(shownotes::formats::json::JSON, old),
        )?;
    }
    write_atomic(file, text.as_bytes())?;
    let mut written = vec![file.display().to_string()];
    if let Some((path, json)) = &chapters {
        write_atomic(path, json.as_bytes())?;
        written.push(path.display().to_string());
    }
    if !ctx.quiet {
        eprintln!("wrote `{}`", written.join("`, `"));
    }
    Ok(())
}

/// Writes the outputs into `dir` (never over `inputs`), and says so.
fn write(
    dir: &Path,
    outputs: &publish::Outputs,
    inputs: &Inputs,
    force: bool,
    ctx: &Ctx,
) -> Result<(), Fatal> {
    let files = outputs.named();
    output::write_set(
        dir,
        &files,
        &output::SetOptions {
            inputs,
            force,
            quiet: ctx.quiet,
        },
    )?;
    let written: Vec<&str> = files.iter().map(|(n, _)| *n).collect();
    if !ctx.quiet {
        eprintln!("wrote `{}`: {}", dir.display(), written.join(", "));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_what_looks_like_a_platforms_output_is_replaced_without_force() {
        let yt = |s: &str| looks_built(PlatformId::Youtube, s.as_bytes());
        assert!(yt("Summary.\n\nChapters\n0:00 Intro\n"));
        assert!(!yt("+++\ntitle = \"x\"\n+++\nSummary.\n"));
        assert!(!yt("Summary with [a link](https://x.example/).\n"));
        assert!(!yt("# Episode 3\n"));
        assert!(!yt("<p>html</p>"));
        assert!(looks_built(PlatformId::Apple, b"<p>x</p>\n"));
        assert!(!looks_built(PlatformId::Apple, b"Summary <p>\n"));
        assert!(looks_built(PlatformId::Rss, b"<item xmlns:itunes=\"\">"));
        assert!(!looks_built(
            PlatformId::Rss,
            b"<?xml version=\"1.0\"?><rss>"
        ));
        assert!(!looks_built(PlatformId::Spotify, &[0xff, 0xfe]));
    }

    #[test]
    fn out_is_a_file_only_for_one_platform() {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path().display().to_string();
        assert!(
            matches!(Dest::of(None, "ep", 1).unwrap(), Dest::Dir(p) if p == Path::new("dist/ep"))
        );
        assert!(matches!(
            Dest::of(Some("yt.txt"), "ep", 1).unwrap(),
            Dest::File(_)
        ));
        assert!(matches!(
            Dest::of(Some("out/"), "ep", 1).unwrap(),
            Dest::Dir(_)
        ));
        assert!(matches!(Dest::of(Some(&d), "ep", 1).unwrap(), Dest::Dir(_)));
        assert!(matches!(
            Dest::of(Some("new"), "ep", 3).unwrap(),
            Dest::Dir(_)
        ));
        let file = dir.path().join("f.txt");
        std::fs::write(&file, "x").unwrap();
        let e = Dest::of(Some(&file.display().to_string()), "ep", 2)
            .err()
            .unwrap();
        assert!(
            e.0.message().contains("is a file, but 2 platforms"),
            "{:?}",
            e.0
        );
    }
}
