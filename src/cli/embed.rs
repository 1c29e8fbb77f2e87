//! `shownotes embed AUDIO --chapters SRC [-o OUT | --in-place]`: writes
//! chapters into an MP3's ID3v2 tag (CHAP/CTOC).

use std::path::PathBuf;

use super::input::{blocked_outcome, format_arg, load_chapters, ChapterArgs};
use super::output::{check_replace, Inputs};
use super::{render_all, Ctx, Fatal, Outcome};
use shownotes::audio::Mode;
use shownotes::formats::{self, id3, load, Format};
use shownotes::mp3::embed;

/// Arguments of `shownotes embed`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The MP3 file to write chapters into.
    #[arg(value_name = "AUDIO")]
    pub audio: PathBuf,

    /// The chapters: a chapter file in any format `chapters` reads, or `-`
    /// for stdin.
    #[arg(long, value_name = "SRC")]
    pub chapters: PathBuf,

    /// The format of SRC, when its extension and content do not tell.
    #[arg(long, value_name = "FMT", value_parser = format_arg())]
    pub from: Option<Format>,

    /// Where to write the MP3 with chapters (never AUDIO itself; see
    /// `--in-place`).
    #[arg(
        short,
        long,
        value_name = "OUT",
        required_unless_present = "in_place",
        conflicts_with = "in_place"
    )]
    pub output: Option<PathBuf>,

    /// The show config (default: `shownotes.toml` found by walking up from
    /// SRC's folder); its `[chapters]` rules apply.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

    /// Rewrite AUDIO itself: a temporary copy is written, read back and
    /// checked, then renamed over the original.
    #[arg(long)]
    pub in_place: bool,

    /// Replace an existing OUT even when it is not an MP3 (inputs are
    /// never replaced).
    #[arg(long, conflicts_with = "in_place")]
    pub force: bool,
}

/// Runs `embed`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let output = match (&args.output, args.in_place) {
        (_, true) => args.audio.canonicalize().map_err(|e| {
            Fatal::new(format!(
                "cannot read `{}`: {}",
                args.audio.display(),
                shownotes::diagnostic::io_reason(&e)
            ))
        })?,
        (Some(out), false) => {
            let mut audio_only = Inputs::new();
            audio_only.add("the audio file", &args.audio);
            if audio_only.check(out, "`-o`").is_err() {
                return Err(Fatal::new(format!(
                    "`-o {}` is the input file; `embed` does not overwrite its input unless asked",
                    out.display()
                ))
                .help("pass `--in-place` to rewrite the input, or give another `-o` path"));
            }
            out.clone()
        }
        (None, false) => return Err(Fatal::new("give `-o OUT` or `--in-place`")),
    };
    // Measured first, to say at once when AUDIO is no MP3; its findings
    // come again with the chapters', which are checked against it.
    let (audio, audio_diags) = load::audio(Some(&args.audio), Mode::Walk);
    let Some(audio) = audio else {
        let d = &audio_diags[0];
        return Err(Fatal::new(d.message.clone()).help_opt(d.help.as_deref()));
    };
    if audio.container != "mp3" {
        return Err(Fatal::new(format!(
            "`{}` is {} audio, not MP3",
            args.audio.display(),
            audio.container
        ))
        .help("`embed` writes ID3v2 chapters, which only MP3 files carry; for M4A use `shownotes chapters --to mp4chaps`"));
    }
    let input = args.chapters.to_string_lossy().into_owned();
    let (loaded, config_path) = load_chapters(
        &input,
        ChapterArgs {
            from: args.from,
            audio: Some(&args.audio),
            config: args.config.as_deref(),
        },
    )?;
    if !args.in_place {
        let mut inputs = Inputs::new();
        if input != "-" {
            inputs.add("the chapter source", &args.chapters);
        }
        if let Some(a) = &loaded.named_audio {
            inputs.add("the audio file the notes name", a);
        }
        if let Some(c) = &config_path {
            inputs.add("the show config", c);
        }
        inputs.check(&output, "`-o`")?;
        check_replace(&output, args.force, "an MP3", |old| {
            formats::guess(None, old) == Some(id3::ID3)
        })?;
    }
    render_all(ctx, &loaded.source, &loaded.diagnostics);
    if loaded.blocked() {
        eprintln!("error: nothing was written");
        return Ok(blocked_outcome(&loaded));
    }
    if loaded.chapters.is_empty() {
        return Err(
            Fatal::new(format!("`{}` has no chapters", loaded.source.name)).help(
                "a notes file lists chapters under a `Chapters` line, one `00:00 Title` per line",
            ),
        );
    }
    let end_ms = audio.duration_ms;
    let done = embed::embed_file(&args.audio, &output, &loaded.chapters, end_ms)
        .map_err(|e| Fatal::new(e.message()).help_opt(e.help()))?;
    if !ctx.quiet {
        eprintln!(
            "wrote {} chapter{} into `{}`",
            done.chapters,
            if done.chapters == 1 { "" } else { "s" },
            output.display()
        );
    }
    Ok(Outcome::Clean)
}
