//! `shownotes context`: prints the JSON the templates receive.

use std::path::PathBuf;

use super::input::{load_episode, Input};
use super::{outcome, print, render_all, template_fatal, templates, Ctx, Fatal, Outcome};
use shownotes::audio::Mode;
use shownotes::episode::{Audio, Episode};
use shownotes::publish;

/// Arguments of `context`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The episode's notes file (`-` reads stdin).
    pub notes: String,

    /// The episode's audio (default: the front matter's `audio`).
    #[arg(long, value_name = "FILE")]
    pub audio: Option<PathBuf>,

    /// The show config (default: `shownotes.toml` found by walking up).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// Runs `context`: the context as the RSS item's template receives it
/// (the others receive it with `html` null). Errors in the notes are
/// printed to stderr and make the exit code 1; the JSON is printed anyway.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let Episode {
        notes,
        config,
        audio,
        diagnostics,
        ..
    } = match load_episode(
        &Input::from_arg(&args.notes),
        Audio::Find(args.audio.as_deref(), Mode::Walk),
        args.config.as_deref(),
    )? {
        Ok(p) => p,
        Err((source, d)) => {
            render_all(ctx, &source, &[d]);
            return Ok(Outcome::Unreadable);
        }
    };
    render_all(ctx, &notes.source, &diagnostics);
    let templates = templates(&config, ctx)?;
    let context = publish::context(&notes, &config, audio.as_ref());
    let context = publish::with_html(&templates, context).map_err(|e| template_fatal(&e, ctx))?;
    let mut json = serde_json::to_string_pretty(&context)
        .map_err(|e| Fatal::new(format!("cannot write the context: {e}")))?;
    json.push('\n');
    print(&json)?;
    Ok(outcome(&diagnostics, false))
}
