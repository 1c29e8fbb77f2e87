//! `shownotes chapters`: read chapters from notes or any chapter format,
//! check them, and write another format.

use std::path::{Path, PathBuf};

use super::input::{blocked_outcome, format_arg, load_chapters};
use super::output::{check_replace, Inputs};
use super::{outcome, print, render_all, write_atomic, Ctx, Fatal, Outcome};
use shownotes::audio::AudioInfo;
use shownotes::formats::{self, id3, load, Format, WriteOptions};

/// Arguments of `chapters`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input: a notes file or a chapter file (`-` reads stdin).
    pub input: String,

    /// The input's format (guessed from the extension, then the content).
    #[arg(long, value_name = "FMT", value_parser = format_arg())]
    pub from: Option<Format>,

    /// The format to write.
    #[arg(long, value_name = "FMT", value_parser = format_arg())]
    pub to: Format,

    /// The episode's audio: chapters are checked against its end, and the
    /// last chapter ends there (`vtt` and `ffmetadata` need it).
    #[arg(long, value_name = "FILE")]
    pub audio: Option<PathBuf>,

    /// Write to FILE (atomically) instead of stdout. An existing FILE is
    /// replaced only when it is a chapter file in the `--to` format, as
    /// this command writes it (or with `--force`); never an input.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,

    /// Replace `-o FILE` even when it is not a chapter file in the `--to`
    /// format.
    #[arg(long, requires = "output")]
    pub force: bool,
}

/// Runs `chapters`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    if args.to == id3::ID3 {
        return Err(
            Fatal::new("`id3` chapters are written into an MP3 by `shownotes embed`")
                .help("run `shownotes embed AUDIO.mp3 --chapters INPUT -o OUT.mp3`"),
        );
    }
    let (audio, audio_diags) = load::audio(args.audio.as_deref());
    let mut loaded = load_chapters(&args.input, args.from, audio.as_ref())?;
    loaded.diagnostics.extend(audio_diags);
    render_all(ctx, &loaded.source, &loaded.diagnostics);
    if loaded.blocked() {
        return Ok(blocked_outcome(&loaded));
    }
    if loaded.chapters.is_empty() {
        return Err(
            Fatal::new(format!("`{}` has no chapters", loaded.source.name)).help(
                "a notes file lists chapters under a `Chapters` line, one `00:00 Title` per line",
            ),
        );
    }
    let file = args
        .audio
        .as_deref()
        .and_then(Path::file_name)
        .map(|n| n.to_string_lossy().into_owned());
    let options = WriteOptions {
        end: audio.as_ref().map(AudioInfo::duration),
        audio_file: file.as_deref(),
    };
    let out = formats::write_with(args.to, &loaded.chapters, &options)?;
    match args.output.as_deref() {
        None | Some("-") => print(&out)?,
        Some(path) => {
            let path = Path::new(path);
            let mut inputs = Inputs::new();
            if args.input != "-" {
                inputs.add("the input file", Path::new(&args.input));
            }
            if let Some(a) = &args.audio {
                inputs.add("the audio file", a);
            }
            if let Some(a) = &loaded.named_audio {
                inputs.add("the audio file the notes name", a);
            }
            inputs.check(path, "`-o`")?;
            let what = format!(
                "a `{}` chapter file as `shownotes chapters` writes it",
                args.to
            );
            check_replace(path, args.force, &what, |old| {
                formats::written_by_us(args.to, old)
            })?;
            write_atomic(path, out.as_bytes())?;
        }
    }
    Ok(outcome(&loaded.diagnostics, false))
}
