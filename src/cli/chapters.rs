//! `shownotes chapters`: read chapters from notes or any chapter format,
//! check them, and write another format.

use std::path::{Path, PathBuf};

use super::input::{blocked_outcome, format_arg, load_chapters, ChapterArgs};
use super::output::{check_replace, Inputs};
use super::{outcome, print, render_all, write_atomic, Ctx, Fatal, Outcome};
use shownotes::chapter::shift::Shift;
use shownotes::formats::{self, id3, Format, WriteOptions};

/// Arguments of `chapters`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input: a notes file or a chapter file (`-` reads stdin).
    pub input: String,

    /// The input's format (guessed from the extension, then the content).
    #[arg(long, value_name = "FMT", value_parser = format_arg())]
    pub from: Option<Format>,

    /// The format to write (default: told by `-o`'s file name, such as
    /// `ch.vtt` or `episode.chapters.json`).
    #[arg(long, value_name = "FMT", value_parser = format_arg())]
    pub to: Option<Format>,

    /// Move every chapter by ±DURATION: `+0:30` (a pre-roll was added),
    /// `-1:02.5` (one was cut), `+90s` or `+2.5` (seconds), `+1:00:00`.
    /// No sign means later. Exact to the millisecond; a shift that would
    /// move the first chapter before zero is an error.
    #[arg(long, value_name = "±DURATION", allow_hyphen_values = true, value_parser = Shift::parse)]
    pub shift: Option<Shift>,

    /// The episode's audio (default: a notes file's front matter `audio`,
    /// relative to the notes file): chapters are checked against its end,
    /// and the last chapter ends there (`vtt` and `ffmetadata` need it).
    #[arg(long, value_name = "FILE")]
    pub audio: Option<PathBuf>,

    /// The show config (default: `shownotes.toml` found by walking up from
    /// the input's folder); its `[chapters]` rules apply.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,

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

/// The formats `chapters` writes, each with the file name end that tells
/// it: `json (.json), psc (.psc), ...`.
fn writable_list() -> String {
    formats::ALL
        .iter()
        .filter(|f| f.is_writable())
        .map(|f| format!("`{}` (.{})", f.name(), f.extension()))
        .collect::<Vec<_>>()
        .join(", ")
}

/// The format to write: `--to`, else the one `-o`'s file name tells.
fn target(args: &Args) -> Result<Format, Fatal> {
    if let Some(to) = args.to {
        return Ok(to);
    }
    match args.output.as_deref() {
        None | Some("-") => Err(Fatal::new("give the format to write with `--to FMT`").help(
            format!(
                "or name the output file after its format with `-o`; the formats: {}",
                writable_list()
            ),
        )),
        Some(out) => formats::by_file_name(Path::new(out)).ok_or_else(|| {
            Fatal::new(format!("cannot tell the format to write from `-o {out}`")).help(format!(
                "add `--to FMT`, or end the file name as one of the formats does: {}",
                writable_list()
            ))
        }),
    }
}

/// Runs `chapters`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let to = target(&args)?;
    if to == id3::ID3 {
        return Err(
            Fatal::new("`id3` chapters are written into an MP3 by `shownotes embed`")
                .help("run `shownotes embed AUDIO.mp3 --chapters INPUT -o OUT.mp3`"),
        );
    }
    let (mut loaded, config_path) = load_chapters(
        &args.input,
        ChapterArgs {
            from: args.from,
            audio: args.audio.as_deref(),
            config: args.config.as_deref(),
        },
    )?;
    if let Some(shift) = args.shift.filter(|s| !s.is_zero()) {
        if !loaded.blocked() {
            loaded.shift(shift)?;
        }
    }
    // Where to write is settled before anything is said about the
    // chapters: an output that is an input is refused whatever they hold.
    let output = match args.output.as_deref() {
        None | Some("-") => None,
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
            if let Some(c) = &config_path {
                inputs.add("the show config", c);
            }
            inputs.check(path, "`-o`")?;
            let what = format!("a `{to}` chapter file as `shownotes chapters` writes it");
            check_replace(path, args.force, &what, |old| {
                formats::written_by_us(to, old)
            })?;
            Some(path)
        }
    };
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
    let file = loaded
        .audio
        .as_ref()
        .and_then(|a| a.path.file_name())
        .map(|n| n.to_string_lossy().into_owned());
    let options = WriteOptions {
        end: loaded.audio_end(),
        audio_file: file.as_deref(),
    };
    let out = formats::write_with(to, &loaded.chapters, &options)?;
    match output {
        None => print(&out)?,
        Some(path) => write_atomic(path, out.as_bytes())?,
    }
    Ok(outcome(&loaded.diagnostics, false))
}
