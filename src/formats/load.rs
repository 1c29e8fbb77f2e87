//! Chapters from any input — a notes file, a chapter file in any format,
//! an MP3's tag — checked by the chapter rules (and against the audio's
//! end when known), and the policy of which findings stop a command from
//! writing them.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{guess, notes, read, Format, Parsed};
use crate::audio::{self, AudioInfo, Mode};
use crate::chapter::{self, Chapter, Rules};
use crate::diagnostic::{Code, Diagnostic, Family};
use crate::error::{Error, ErrorKind, Result};
use crate::notes::Notes;
use crate::regular;
use crate::source::Source;
use crate::timestamp::Timestamp;

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
#[derive(Debug)]
pub struct Loaded {
    /// The input's text, for positions (empty for binary inputs).
    pub source: Source,
    /// The format the input was read in.
    pub format: Format,
    /// The chapters, in time order (a notes file's: in the order written).
    pub chapters: Vec<Chapter>,
    /// Findings about the chapters (and the input's decoding).
    pub diagnostics: Vec<Diagnostic>,
    /// The audio a notes file's front matter names (relative to it).
    pub named_audio: Option<PathBuf>,
}

impl Loaded {
    /// Whether a finding makes the chapters wrong (see `BLOCKING`).
    pub fn blocked(&self) -> bool {
        self.diagnostics.iter().any(|d| BLOCKING.contains(&d.code))
    }

    /// Whether the input could not be read as chapters at all (not UTF-8,
    /// not the format, the audio missing or unreadable).
    pub fn unreadable(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code.unreadable())
    }
}

/// Measures the audio at `path`, when given: the audio, and the findings
/// about it.
pub fn audio(path: Option<&Path>) -> (Option<AudioInfo>, Vec<Diagnostic>) {
    match path {
        None => (None, vec![]),
        Some(p) => audio::check(p, Mode::Walk),
    }
}

/// Reads chapters from the file at `path` in `from`, or the format its
/// name and content suggest, and checks them (against `audio_end` when
/// known). Chapters inside audio (an MP3's ID3v2 tag, an MP4's chapter
/// track) are read from the file as far as they need: an episode is often
/// larger than the cap on text inputs.
pub fn file(path: &Path, from: Option<Format>, audio_end: Option<Timestamp>) -> Result<Loaded> {
    let (file, _) = regular::open(path).map_err(|e| regular::input_error(path, &e))?;
    let binary = match from {
        Some(f) => Some(f).filter(|f| f.capabilities().binary),
        None => {
            let mut head = Vec::new();
            file.take(16)
                .read_to_end(&mut head)
                .map_err(|e| regular::input_error(path, &e.into()))?;
            guess(Some(path), &head).filter(|f| f.capabilities().binary)
        }
    };
    let name = path.display().to_string();
    if let Some(format) = binary {
        let parsed = read(format, path);
        return Ok(checked(Source::new(name, ""), format, parsed, audio_end));
    }
    let bytes = regular::read_input(path)?;
    bytes_named(&name, Some(path), &bytes, from, audio_end)
}

/// Reads chapters from `bytes` already read (stdin), named `name` in
/// findings, as [`file()`] does.
pub fn bytes(
    name: &str,
    bytes: &[u8],
    from: Option<Format>,
    audio_end: Option<Timestamp>,
) -> Result<Loaded> {
    bytes_named(name, None, bytes, from, audio_end)
}

fn bytes_named(
    name: &str,
    path: Option<&Path>,
    bytes: &[u8],
    from: Option<Format>,
    audio_end: Option<Timestamp>,
) -> Result<Loaded> {
    // Text that no chapter format claims is read as notes: the notes
    // parser finds chapter lists anywhere, even in flattened text.
    let format = from
        .or_else(|| guess(path, bytes))
        .or_else(|| std::str::from_utf8(bytes).is_ok().then_some(notes::NOTES))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Invalid,
                format!("cannot tell the chapter format of `{name}`"),
            )
            .with_help("name it with `--from FMT`, such as `--from json` or `--from notes`")
        })?;
    if format.capabilities().binary {
        let source = Source::new(name, "");
        return Ok(checked(source, format, read(format, bytes), audio_end));
    }
    let source = match crate::notes::decode(name, bytes) {
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
    if format == notes::NOTES {
        return Ok(from_notes(source, path, audio_end));
    }
    let parsed = read(format, &source);
    let invisible = crate::text::invisible_diagnostics(&source);
    let mut loaded = checked(source, format, parsed, audio_end);
    loaded.diagnostics.extend(invisible);
    crate::diagnostic::sort(&mut loaded.diagnostics);
    Ok(loaded)
}

/// The chapters of a notes file, with the notes' findings about them (and
/// about the front matter and the text), and the audio it names.
fn from_notes(source: Source, path: Option<&Path>, audio_end: Option<Timestamp>) -> Loaded {
    let notes = Notes::parse(source, &crate::links::Rules::default());
    let diagnostics = notes
        .check(&Rules::default(), audio_end)
        .into_iter()
        .filter(|d| {
            matches!(
                d.code.family(),
                Family::Chapters | Family::Notes | Family::FrontMatter | Family::Text
            )
        })
        .collect();
    let named_audio = path
        .zip(notes.front_matter.audio.as_ref())
        .map(|(p, a)| p.parent().unwrap_or(Path::new("")).join(a));
    Loaded {
        source: notes.source,
        format: notes::NOTES,
        chapters: notes.chapters,
        diagnostics,
        named_audio,
    }
}

/// What a chapter reader returned, checked by the chapter rules; a read
/// error becomes a `chapters-invalid` finding at its place.
fn checked(
    source: Source,
    format: Format,
    parsed: Result<Parsed>,
    audio_end: Option<Timestamp>,
) -> Loaded {
    let (chapters, diagnostics) = match parsed {
        Ok(parsed) => {
            let mut diagnostics = parsed.warnings;
            diagnostics.extend(chapter::check(
                &parsed.chapters,
                &Rules::default(),
                audio_end,
            ));
            crate::diagnostic::sort(&mut diagnostics);
            (parsed.chapters, diagnostics)
        }
        Err(e) => {
            let mut d = Diagnostic::new(
                Code::ChaptersInvalid,
                format!("not a valid `{format}` chapter file: {}", e.message()),
            )
            .at_opt(e.span());
            if let Some(help) = e.help() {
                d = d.help(help);
            }
            (vec![], vec![d])
        }
    };
    Loaded {
        source,
        format,
        chapters,
        diagnostics,
        named_audio: None,
    }
}
