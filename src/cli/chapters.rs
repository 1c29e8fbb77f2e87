//! `shownotes chapters`: read chapters from notes or any chapter format,
//! check them, and write another format.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::input::{open_fatal, Input};
use super::output::{check_replace, Inputs};
use super::{print, render_all, write_atomic, Ctx, Fatal, Outcome};
use crate::audio::{self, AudioInfo, Mode};
use crate::chapters::{self, cue, Chapter, Format};
use crate::diagnostic::{Code, Diagnostic, Severity, Source};
use crate::links;
use crate::notes::{self, Notes};
use crate::regular;

/// Arguments of `chapters`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input: a notes file or a chapter file (`-` reads stdin).
    pub input: String,

    /// The input's format (guessed from the extension, then the content).
    #[arg(long, value_enum, value_name = "FMT")]
    pub from: Option<Format>,

    /// The format to write.
    #[arg(long, value_enum, value_name = "FMT")]
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

/// Findings that make the chapters themselves wrong: nothing is written.
/// Platform rules (`chapter-too-short`, `chapter-too-few`, ...) are
/// reported but do not stop a conversion. A chapter `url` or `img` that
/// fails the URL gate (`link-unsafe-scheme`, `link-invalid`) stops it too,
/// as it stops `build`: the file says to link somewhere it must not.
const BLOCKING: &[Code] = &[
    Code::LinkUnsafeScheme,
    Code::LinkInvalid,
    Code::NotesNotUtf8,
    Code::NotesEmpty,
    Code::ChaptersInvalid,
    Code::ChapterBadTimestamp,
    Code::ChapterOutOfOrder,
    Code::ChapterDuplicateStart,
    Code::ChapterPastEnd,
    Code::AudioMissing,
    Code::AudioUnreadable,
];

/// Chapters read from an input, checked.
pub struct Loaded {
    /// The input's text, for positions (empty for binary inputs).
    pub source: Source,
    pub format: Format,
    pub chapters: Vec<Chapter>,
    /// Findings about the chapters (and the input's decoding).
    pub diagnostics: Vec<Diagnostic>,
    /// The audio a notes file's front matter names (relative to it).
    pub named_audio: Option<PathBuf>,
}

impl Loaded {
    /// Whether a finding makes the chapters wrong.
    pub fn blocked(&self) -> bool {
        self.diagnostics.iter().any(|d| BLOCKING.contains(&d.code))
    }

    /// How a command ends when the chapters are blocked: exit 2 when the
    /// input could not be read as chapters at all, else 1.
    pub fn blocked_outcome(&self) -> Outcome {
        let unreadable = [
            Code::ChaptersInvalid,
            Code::NotesNotUtf8,
            Code::AudioMissing,
            Code::AudioUnreadable,
        ];
        if self
            .diagnostics
            .iter()
            .any(|d| unreadable.contains(&d.code))
        {
            Outcome::Unreadable
        } else {
            Outcome::Findings
        }
    }
}

/// Reads chapters from `input` (`-` is stdin) in `from`, or the format its
/// name and content suggest, and checks them (against `audio` when known).
pub fn load(input: &str, from: Option<Format>, audio: Option<&AudioInfo>) -> Result<Loaded, Fatal> {
    let input = if input == "-" {
        Input::Stdin
    } else {
        Input::File(input.into())
    };
    let end = audio.map(AudioInfo::duration);
    let rules = chapters::Rules::default();
    // An MP3's chapters live in its ID3v2 tag: only the tag is read (an
    // episode is often larger than the cap on text inputs).
    if let Input::File(p) = &input {
        let (file, _) = regular::open(p).map_err(|e| open_fatal(p, &e))?;
        let id3 = match from {
            Some(f) => f == Format::Id3,
            None => {
                let mut head = Vec::new();
                file.take(16)
                    .read_to_end(&mut head)
                    .map_err(|e| open_fatal(p, &e.into()))?;
                Format::guess(Some(p), &head) == Some(Format::Id3)
            }
        };
        if id3 {
            let source = Source::new(input.name(), "");
            let parsed = chapters::read_id3_file(p);
            return Ok(checked(source, Format::Id3, parsed, &rules, end));
        }
    }
    let bytes = input.read()?;
    let name = input.name();
    let path = match &input {
        Input::File(p) => Some(p.as_path()),
        Input::Stdin => None,
    };
    // Text that no chapter format claims is read as notes: the notes
    // parser finds chapter lists anywhere, even in flattened text.
    let format = from
        .or_else(|| Format::guess(path, &bytes))
        .or_else(|| std::str::from_utf8(&bytes).is_ok().then_some(Format::Notes))
        .ok_or_else(|| {
            Fatal::new(format!("cannot tell the chapter format of `{name}`"))
                .help("name it with `--from FMT`, such as `--from json` or `--from notes`")
        })?;
    if format == Format::Id3 {
        let source = Source::new(name, "");
        return Ok(checked(
            source,
            format,
            chapters::read_id3(&bytes),
            &rules,
            end,
        ));
    }
    let source = match notes::decode(&name, &bytes) {
        Ok(src) => src,
        Err(bad) => {
            let (source, d) = *bad;
            return Ok(Loaded {
                source,
                format,
                chapters: vec![],
                diagnostics: vec![d],
                named_audio: None,
            });
        }
    };
    if format == Format::Notes {
        let notes = Notes::parse(source, &links::Rules::default());
        let diagnostics = notes
            .check(&rules, end)
            .into_iter()
            .filter(|d| {
                let c = d.code.as_str();
                c.starts_with("chapter")
                    || c.starts_with("notes-")
                    || c.starts_with("front-matter")
                    || c.starts_with("text-")
            })
            .collect();
        let named_audio = path
            .zip(notes.front_matter.audio.as_ref())
            .map(|(p, a)| p.parent().unwrap_or(Path::new("")).join(a));
        return Ok(Loaded {
            source: notes.source,
            format,
            chapters: notes.chapters,
            diagnostics,
            named_audio,
        });
    }
    let parsed = chapters::read(format, &source);
    let invisible = crate::text::invisible_diagnostics(&source);
    let mut loaded = checked(source, format, parsed, &rules, end);
    loaded.diagnostics.extend(invisible);
    crate::diagnostic::sort(&mut loaded.diagnostics);
    Ok(loaded)
}

/// What a chapter reader returned, checked by the chapter rules.
fn checked(
    source: Source,
    format: Format,
    parsed: Result<chapters::Parsed, chapters::ReadError>,
    rules: &chapters::Rules,
    end: Option<crate::timestamp::Timestamp>,
) -> Loaded {
    match parsed {
        Ok(parsed) => {
            let mut diagnostics = parsed.warnings;
            diagnostics.extend(chapters::check(&parsed.chapters, rules, end));
            crate::diagnostic::sort(&mut diagnostics);
            Loaded {
                source,
                format,
                chapters: parsed.chapters,
                diagnostics,
                named_audio: None,
            }
        }
        Err(e) => invalid(source, format, e),
    }
}

fn invalid(source: Source, format: Format, e: chapters::ReadError) -> Loaded {
    let mut d = Diagnostic::new(
        Code::ChaptersInvalid,
        format!("not a valid `{format}` chapter file: {}", e.message),
    )
    .at_opt(e.span);
    if let Some(help) = e.help {
        d = d.help(help);
    }
    Loaded {
        source,
        format,
        chapters: vec![],
        diagnostics: vec![d],
        named_audio: None,
    }
}

/// Whether `old` (a file's first bytes) is a chapter file in `format` as
/// this command writes it: read back and written again, it gives the same
/// lines. A notes file with more than chapters in it is not.
fn written_by_us(format: Format, old: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(old) else {
        return false;
    };
    let source = Source::new("", text);
    let chapters = if format == Format::Notes {
        Notes::parse(source, &links::Rules::default()).chapters
    } else {
        match chapters::read(format, &source) {
            Ok(p) => p.chapters,
            Err(_) => return false,
        }
    };
    if chapters.is_empty() {
        return false;
    }
    let end = chapters.iter().filter_map(|c| c.end).max();
    let Ok(again) = chapters::write(format, &chapters, end) else {
        return false;
    };
    // A CUE sheet's `FILE` line (and the indent under it) names the audio.
    let lines = |s: &str| -> Vec<String> {
        s.lines()
            .map(str::trim)
            .filter(|l| !(l.is_empty() || format == Format::Cue && l.starts_with("FILE ")))
            .map(str::to_owned)
            .collect()
    };
    lines(&again) == lines(text)
}

/// Measures `--audio` when given: the audio, and the findings about it.
pub fn load_audio(path: Option<&Path>) -> (Option<AudioInfo>, Vec<Diagnostic>) {
    match path {
        None => (None, vec![]),
        Some(p) => audio::check(p, Mode::Walk),
    }
}

/// Runs `chapters`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    if args.to == Format::Id3 {
        return Err(
            Fatal::new("`id3` chapters are written into an MP3 by `shownotes embed`")
                .help("run `shownotes embed AUDIO.mp3 --chapters INPUT -o OUT.mp3`"),
        );
    }
    let (audio, audio_diags) = load_audio(args.audio.as_deref());
    let mut loaded = load(&args.input, args.from, audio.as_ref())?;
    loaded.diagnostics.extend(audio_diags);
    render_all(ctx, &loaded.source, &loaded.diagnostics);
    if loaded.blocked() {
        return Ok(loaded.blocked_outcome());
    }
    if loaded.chapters.is_empty() {
        return Err(
            Fatal::new(format!("`{}` has no chapters", loaded.source.name)).help(
                "a notes file lists chapters under a `Chapters` line, one `00:00 Title` per line",
            ),
        );
    }
    let end = audio.as_ref().map(AudioInfo::duration);
    let out = if args.to == Format::Cue {
        let file = args
            .audio
            .as_deref()
            .and_then(Path::file_name)
            .map(|n| n.to_string_lossy().into_owned());
        let mut sorted = loaded.chapters.clone();
        sorted.sort_by_key(|c| c.start);
        cue::write(&sorted, file.as_deref())
    } else {
        chapters::write(args.to, &loaded.chapters, end).map_err(|e| {
            let mut f = Fatal::new(e.message);
            f.help = e.help;
            f
        })?
    };
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
            check_replace(path, args.force, &what, |old| written_by_us(args.to, old))?;
            write_atomic(path, out.as_bytes())?;
        }
    }
    let errors = loaded
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error);
    Ok(if errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
