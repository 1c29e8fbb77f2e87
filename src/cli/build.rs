//! `shownotes build`: checks the notes (and audio), then writes every
//! platform's output; writes nothing when a check fails.

use std::path::PathBuf;

use super::input::{load_episode, Input};
use super::output::{self, Inputs};
use super::{outcome, print, render_all, template_fatal, templates, Ctx, Fatal, Outcome};
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

    /// Where to write (default `dist/<notes file stem>/`); `-` prints the
    /// one platform chosen with `--platform` to stdout.
    #[arg(long, short, value_name = "DIR")]
    pub out: Option<String>,

    /// Platforms to build, comma-separated (default: `[platforms] enabled`,
    /// else all).
    #[arg(long, value_parser = platform_parser(), value_delimiter = ',', value_name = "LIST")]
    pub platform: Vec<PlatformId>,

    /// The show config (default: `shownotes.toml` found by walking up from
    /// the notes file's folder).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Replace files in the output folder that an earlier build did not
    /// write, or that were changed since (inputs are never replaced).
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
    if to_stdout {
        if let Some((_, text)) = outputs.files.first() {
            print(text)?;
        }
        return Ok(Outcome::Clean);
    }
    let dir = PathBuf::from(args.out.unwrap_or_else(|| format!("dist/{stem}")));
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
    write(&dir, &outputs, &inputs, args.force, ctx)?;
    Ok(Outcome::Clean)
}

/// Writes the outputs into `dir` (never over `inputs`), and says so.
fn write(
    dir: &std::path::Path,
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
