//! `shownotes embed AUDIO --chapters SRC [-o OUT | --in-place]`: writes
//! chapters into an MP3's ID3v2 tag (CHAP/CTOC).

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::{Ctx, Fatal, Outcome};
use crate::chapters::{self, Format, Parsed, ReadError};
use crate::diagnostic::{Code, Diagnostic, Source};
use crate::embed;
use crate::timestamp::Timestamp;

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
    #[arg(long, value_enum, value_name = "FMT")]
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

    /// Rewrite AUDIO itself: a temporary copy is written, read back and
    /// checked, then renamed over the original.
    #[arg(long)]
    pub in_place: bool,
}

/// Runs `embed`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let output = match (&args.output, args.in_place) {
        (_, true) => args.audio.canonicalize().map_err(|e| {
            Fatal::new(format!(
                "cannot read `{}`: {}",
                args.audio.display(),
                io_message(&e)
            ))
        })?,
        (Some(out), false) => {
            if same_file(&args.audio, out) {
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
    let parsed = read_chapters(&args.chapters, args.from)?;
    for w in &parsed.parsed.warnings {
        eprint!("{}", render(w, &parsed.source));
    }
    let end_ms = mp3_duration_ms(&args.audio).map_err(|e| {
        Fatal::new(format!(
            "cannot read the audio `{}`: {e}",
            args.audio.display()
        ))
        .help("`embed` writes chapters into MP3 files")
    })?;
    let end = Timestamp::from_ms(end_ms);
    let errors: Vec<Diagnostic> =
        chapters::check(&parsed.parsed.chapters, &Default::default(), Some(end))
            .into_iter()
            .filter(|d| matches!(d.code, Code::ChapterPastEnd))
            .collect();
    if !errors.is_empty() {
        // One wrong audio file puts every later chapter past its end: show a few.
        for d in errors.iter().take(3) {
            eprint!("{}", render(d, &parsed.source));
        }
        if errors.len() > 3 {
            eprintln!(
                "... and {} more chapters past the audio's end",
                errors.len() - 3
            );
        }
        eprintln!("error: nothing was written");
        return Ok(Outcome::Findings);
    }
    let done =
        embed::embed_file(&args.audio, &output, &parsed.parsed.chapters, end_ms).map_err(|e| {
            let mut f = Fatal::new(e.message);
            f.help = e.help;
            f
        })?;
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

/// Chapters read from SRC, with the source they were read from.
struct ReadChapters {
    parsed: Parsed,
    source: Source,
}

fn read_chapters(path: &Path, from: Option<Format>) -> Result<ReadChapters, Fatal> {
    let name = if path == Path::new("-") {
        "<stdin>".to_string()
    } else {
        path.display().to_string()
    };
    let mut bytes = Vec::new();
    let read = if path == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::read(path).map(|b| bytes = b)
    };
    read.map_err(|e| Fatal::new(format!("cannot read `{name}`: {}", io_message(&e))))?;
    let path_for_guess = (path != Path::new("-")).then_some(path);
    let format = from
        .or_else(|| Format::guess(path_for_guess, &bytes))
        .ok_or_else(|| {
            Fatal::new(format!("cannot tell the chapter format of `{name}`"))
                .help("name it with `--from FMT`, such as `--from json`")
        })?;
    let fatal = |e: ReadError, src: &Source| {
        let mut f = Fatal::new(e.located(src));
        f.help = e.help;
        f
    };
    if format == Format::Id3 {
        let source = Source::new(name, "");
        let parsed = chapters::read_id3(&bytes).map_err(|e| fatal(e, &source))?;
        return Ok(ReadChapters { parsed, source });
    }
    let text = String::from_utf8(bytes).map_err(|e| {
        Fatal::new(format!(
            "`{name}` is not UTF-8 text (byte {} is not valid UTF-8)",
            e.utf8_error().valid_up_to()
        ))
        .help("save the chapter file as UTF-8")
    })?;
    let text = text
        .strip_prefix('\u{feff}')
        .map(str::to_string)
        .unwrap_or(text);
    let source = Source::new(name, text);
    let parsed = chapters::read(format, &source).map_err(|e| fatal(e, &source))?;
    Ok(ReadChapters { parsed, source })
}

/// An I/O error as a lowercase phrase: `no such file or directory`.
pub(crate) fn io_message(e: &std::io::Error) -> String {
    crate::embed::io_message(e)
}

/// Whether two paths name one file (the second may not exist yet).
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

/// A diagnostic as plain text: `severity[code]: message`, where, and help.
fn render(d: &Diagnostic, src: &Source) -> String {
    let mut s = format!("{}[{}]: {}\n", d.severity, d.code, d.message);
    if let Some(span) = d.span {
        let pos = src.position(span.start);
        s.push_str(&format!("  --> {}:{}:{}\n", src.name, pos.line, pos.column));
    } else {
        s.push_str(&format!("  --> {}\n", src.name));
    }
    if let Some(help) = &d.help {
        s.push_str(&format!("help: {help}\n"));
    }
    s
}

/// The playable length of an MP3 in milliseconds, from walking its packets
/// (encoder delay and padding trimmed where the file declares them).
///
/// Stands in until `crate::audio::probe` lands.
pub fn mp3_duration_ms(path: &Path) -> Result<u64, String> {
    use symphonia::core::formats::probe::Hint;
    use symphonia::core::formats::{FormatOptions, TrackType};
    use symphonia::core::io::MediaSourceStream;
    use symphonia::core::meta::MetadataOptions;
    use symphonia::core::units::Duration;

    let io = |e: std::io::Error| io_message(&e);
    let mut file = std::fs::File::open(path).map_err(io)?;
    let mut head = Vec::new();
    (&mut file).take(10).read_to_end(&mut head).map_err(io)?;
    // Start after the ID3v2 tag: chapter frames hold `FF FF` runs that a
    // scan for the first MPEG frame could take for one.
    let base = crate::chapters::id3::tag_len(&head) as u64;
    let len = file.metadata().map_err(io)?.len();
    file.seek(SeekFrom::Start(base)).map_err(io)?;
    let mut peek = Vec::new();
    (&mut file).take(8192).read_to_end(&mut peek).map_err(io)?;
    if !crate::chapters::id3::starts_mpeg_audio(&peek) {
        return Err("no MPEG audio frames after the ID3 tag: not an MP3".into());
    }
    file.seek(SeekFrom::Start(base)).map_err(io)?;
    let source = After { file, base, len };
    let mss = MediaSourceStream::new(Box::new(source), Default::default());
    let mut hint = Hint::new();
    hint.with_extension("mp3");
    let mut format = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| format!("not a readable MP3 ({e})"))?;
    let track = format
        .default_track(TrackType::Audio)
        .ok_or("no audio track")?;
    let (id, time_base) = (track.id, track.time_base.ok_or("no time base")?);
    let mut total: u64 = 0;
    loop {
        match format.next_packet() {
            Ok(Some(p)) if p.track_id == id => total = total.saturating_add(p.dur.get()),
            Ok(Some(_)) => {}
            Ok(None) => break,
            Err(e) if total > 0 => {
                let _ = e; // a damaged tail: keep what was walked
                break;
            }
            Err(e) => return Err(format!("not a readable MP3 ({e})")),
        }
    }
    if total == 0 {
        return Err("no audio frames".into());
    }
    let time = time_base
        .calc_duration(Duration::from(total))
        .ok_or("a duration out of range")?;
    u64::try_from(time.as_millis()).map_err(|_| "a duration out of range".to_string())
}

/// A file seen from byte `base` on, as a media source.
struct After {
    file: std::fs::File,
    base: u64,
    len: u64,
}

impl Read for After {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for After {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        let pos = match pos {
            SeekFrom::Start(n) => SeekFrom::Start(self.base + n),
            other => other,
        };
        let at = self.file.seek(pos)?;
        if at < self.base {
            self.file.seek(SeekFrom::Start(self.base))?;
            return Err(std::io::Error::new(
                std::io::ErrorKind::InvalidInput,
                "seek before the audio",
            ));
        }
        Ok(at - self.base)
    }
}

impl symphonia::core::io::MediaSource for After {
    fn is_seekable(&self) -> bool {
        true
    }

    fn byte_len(&self) -> Option<u64> {
        Some(self.len - self.base.min(self.len))
    }
}
