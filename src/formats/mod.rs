//! The chapter file formats: one [`ChapterFormat`] per format, one file per
//! format below, and the registry ([`ALL`]) that [`guess`], [`by_name`],
//! [`read`] and [`write`] go through.
//!
//! Adding a format is one file that implements [`ChapterFormat`] and
//! exports a [`Format`] constant, plus one line in the `registry!` below
//! (which declares the module and lists the format in [`ALL`]). Helpers
//! the format files share live in sibling modules (`line`, `clock`), never
//! here.

use std::fmt;
use std::hash::{Hash, Hasher};
use std::path::Path;

use crate::chapter::{self, Chapter};
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, Result};
use crate::source::Source;
use crate::timestamp::Timestamp;

mod clock;
mod input;
mod line;
pub mod load;

pub use input::Input;

/// Declares each format's module and lists its [`Format`] in [`ALL`]: the
/// one line a format adds here.
macro_rules! registry {
    ($($module:ident::$format:ident),* $(,)?) => {
        $(pub mod $module;)*

        /// Every chapter format, in the order of `--help`: the registry.
        pub const ALL: &[Format] = &[$($module::$format),*];
    };
}

registry! {
    notes::NOTES,
    json::JSON,
    podlove::PODLOVE_JSON,
    psc::PSC,
    mp4chaps::MP4CHAPS,
    ffmetadata::FFMETADATA,
    vtt::VTT,
    audacity::AUDACITY,
    audition::AUDITION,
    cue::CUE,
    youtube::YOUTUBE,
    spotify::SPOTIFY,
    id3::ID3,
    mp4::MP4,
}

/// A chapter file format: how to recognize, read and write it.
pub trait ChapterFormat: Sync {
    /// The name `--from` and `--to` take.
    fn name(&self) -> &'static str;

    /// One line for `--help`.
    fn about(&self) -> &'static str;

    /// The usual end of a file name in this format, without the first dot
    /// (`chapters.txt` for mp4chaps, as in `episode.chapters.txt`).
    fn extension(&self) -> &'static str;

    /// File name extensions (lowercase) that name this format whatever the
    /// content.
    fn extensions(&self) -> &'static [&'static str] {
        &[]
    }

    /// File name extensions that name this format when the content matches
    /// no format (`.csv` for Audition markers, `.txt` for notes).
    fn fallback_extensions(&self) -> &'static [&'static str] {
        &[]
    }

    /// How surely the start of a file is in this format: 0 for not at all;
    /// the highest score wins. Magic numbers score 100, a first line only
    /// this format starts with 90, a first character 80, line-based
    /// patterns 30 to 70, a single timestamp line 10.
    fn sniff(&self, head: &Head<'_>) -> u8;

    /// What the format can do.
    fn capabilities(&self) -> Capabilities;

    /// Reads the chapters of `input`, in the order the file has them, with
    /// the warnings reading gave. A text format is given
    /// [`Input::Text`] by [`read`].
    fn read(&self, input: &Input<'_>) -> Result<Parsed>;

    /// Writes chapters, which come sorted by time and cleaned for output
    /// ([`chapter::for_output`]).
    fn write(&self, chapters: &[Chapter], options: &WriteOptions<'_>) -> Result<String>;

    /// Whether two files in this format say the same thing, such as a file
    /// on disk and what writing its chapters again gives: the same lines,
    /// blank lines and indents aside.
    fn same_output(&self, a: &str, b: &str) -> bool {
        let lines = |s: &str| -> Vec<String> {
            s.lines()
                .map(str::trim)
                .filter(|l| !l.is_empty())
                .map(str::to_owned)
                .collect()
        };
        lines(a) == lines(b)
    }
}

/// What a format can do, beyond reading (every format reads).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Capabilities {
    /// [`write()`] produces the format (`id3` is written into an MP3 by
    /// `embed`).
    pub write: bool,
    /// Writing needs the audio's end (the last chapter's end).
    pub needs_end: bool,
    /// The format carries a chapter's URL.
    pub urls: bool,
    /// The finest time step the format writes, in milliseconds: a time read
    /// back is within this of the time written.
    pub precision_ms: u64,
    /// The format is binary: read from bytes, not text.
    pub binary: bool,
}

impl Capabilities {
    /// A text format that writes milliseconds and no URLs.
    pub(crate) const TEXT: Capabilities = Capabilities {
        write: true,
        needs_end: false,
        urls: false,
        precision_ms: 1,
        binary: false,
    };
}

/// The start of a file, as format sniffers see it.
pub struct Head<'a> {
    bytes: &'a [u8],
    text: String,
}

impl<'a> Head<'a> {
    /// How much of a file is looked at as text.
    const TEXT_LIMIT: usize = 64 * 1024;

    /// The head of `content`.
    fn new(content: &'a [u8]) -> Self {
        let head = &content[..content.len().min(Self::TEXT_LIMIT)];
        let text = String::from_utf8_lossy(head);
        let text = text.trim_start_matches('\u{feff}').trim_start().to_string();
        Head {
            bytes: content,
            text,
        }
    }

    /// All the bytes.
    pub(crate) fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The first 64 KiB as text (invalid UTF-8 replaced), without a BOM or
    /// leading white space.
    pub(crate) fn text(&self) -> &str {
        &self.text
    }

    /// The non-blank lines of [`Head::text`] (LF, CRLF and a lone CR all
    /// end a line); none for markup (text that starts with `<`), which no
    /// line-based format is.
    pub(crate) fn lines(&self) -> Vec<&str> {
        if self.text.starts_with('<') {
            return Vec::new();
        }
        self.text
            .split(['\n', '\r'])
            .filter(|l| !l.trim().is_empty())
            .collect()
    }
}

/// How to write: what the chapters alone do not say.
#[derive(Clone, Copy, Debug, Default)]
pub struct WriteOptions<'a> {
    /// The audio's end, which the last chapter ends at (`vtt` and
    /// `ffmetadata` need it, unless the last chapter has its own end).
    pub end: Option<Timestamp>,
    /// The audio's file name, for formats that name it (a CUE sheet's
    /// `FILE` line).
    pub audio_file: Option<&'a str>,
}

/// Chapters as read from a file, in time order, with the warnings reading
/// gave (such as `chapters-unsorted` when the file listed them out of order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    /// The chapters.
    pub chapters: Vec<Chapter>,
    /// What reading found.
    pub warnings: Vec<Diagnostic>,
}

impl Parsed {
    /// Chapters read without warnings.
    pub(crate) fn new(chapters: Vec<Chapter>) -> Self {
        Parsed {
            chapters,
            warnings: Vec::new(),
        }
    }
}

/// A chapter format, as `--from` and `--to` name it: one entry of [`ALL`].
#[derive(Clone, Copy)]
pub struct Format(&'static dyn ChapterFormat);

impl Format {
    /// The format `format` implements.
    pub(crate) const fn new(format: &'static dyn ChapterFormat) -> Self {
        Format(format)
    }

    /// The name used by `--from` and `--to`.
    pub fn name(self) -> &'static str {
        self.0.name()
    }

    /// One line for `--help`.
    pub fn about(self) -> &'static str {
        self.0.about()
    }

    /// The usual end of a file name in this format, without the first dot.
    pub fn extension(self) -> &'static str {
        self.0.extension()
    }

    /// What the format can do.
    pub fn capabilities(self) -> Capabilities {
        self.0.capabilities()
    }

    /// Whether [`write()`] produces this format (`id3` is written by `embed`).
    pub fn is_writable(self) -> bool {
        self.capabilities().write
    }

    /// Whether writing needs the audio's end (the last chapter's end).
    pub fn needs_end(self) -> bool {
        self.capabilities().needs_end
    }

    /// Whether the format carries a chapter's URL.
    pub fn keeps_urls(self) -> bool {
        self.capabilities().urls
    }

    /// The finest time step the format writes, in milliseconds.
    pub fn precision_ms(self) -> u64 {
        self.capabilities().precision_ms
    }
}

impl PartialEq for Format {
    fn eq(&self, other: &Self) -> bool {
        self.name() == other.name()
    }
}

impl Eq for Format {}

impl Hash for Format {
    fn hash<H: Hasher>(&self, state: &mut H) {
        self.name().hash(state);
    }
}

impl fmt::Debug for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Format({})", self.name())
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

/// The format named `name` (as `--from` and `--to` take it).
pub fn by_name(name: &str) -> Option<Format> {
    ALL.iter().copied().find(|f| f.name() == name)
}

/// Guesses the format of a chapter file from its extension, then its
/// content, then the extensions that name a format only when the content
/// does not tell. `None` when nothing tells. Where formats share an
/// extension (`.json`: Podcasting 2.0 and Podlove Web Player chapters),
/// the content decides among them.
pub fn guess(path: Option<&Path>, content: &[u8]) -> Option<Format> {
    let name = path
        .and_then(|p| p.file_name())
        .map(|n| n.to_string_lossy().to_lowercase())
        .unwrap_or_default();
    let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
    let named = |list: fn(&Format) -> &'static [&'static str]| {
        let mut found = ALL.iter().copied().filter(|f| list(f).contains(&ext));
        let first = found.next()?;
        let mut rest = found.peekable();
        if rest.peek().is_none() {
            return Some(first);
        }
        let head = Head::new(content);
        let mut best = (first.0.sniff(&head), first);
        for f in rest {
            let score = f.0.sniff(&head);
            if score > best.0 {
                best = (score, f);
            }
        }
        Some(best.1)
    };
    named(|f| f.0.extensions())
        .or_else(|| sniff(content))
        .or_else(|| named(|f| f.0.fallback_extensions()))
}

/// The format a file named `path` is written in, told by the end of its
/// name alone: the longest of the formats' usual ends
/// (`episode.youtube.txt`, `labels.txt`) and their extensions (`.vtt`,
/// `.json`, `.md`) that the name ends with, the first in [`ALL`] on a tie.
/// `None` when no format's end fits (a bare `.txt` names none).
pub fn by_file_name(path: &Path) -> Option<Format> {
    let name = path.file_name()?.to_string_lossy().to_lowercase();
    let mut best: Option<(usize, Format)> = None;
    for &f in ALL {
        let ends = std::iter::once(f.extension()).chain(f.0.extensions().iter().copied());
        for end in ends {
            let fits = name.len() > end.len() + 1
                && name.ends_with(end)
                && name.as_bytes()[name.len() - end.len() - 1] == b'.';
            if fits && best.is_none_or(|(len, _)| end.len() > len) {
                best = Some((end.len(), f));
            }
        }
    }
    best.map(|(_, f)| f)
}

/// Guesses a format from content alone: the format that scores highest
/// (the first in [`ALL`] on a tie).
fn sniff(content: &[u8]) -> Option<Format> {
    let head = Head::new(content);
    let mut best: Option<(u8, Format)> = None;
    for &f in ALL {
        let score = f.0.sniff(&head);
        if score > best.map_or(0, |(b, _)| b) {
            best = Some((score, f));
        }
    }
    best.map(|(_, f)| f)
}

/// Reads chapters in `format` from `input` (a [`Source`], bytes, or a
/// path). Chapters come back sorted by time; when the file had them out of
/// order, a `chapters-unsorted` warning says so. A chapter's `url` or `img`
/// that fails the URL gate is dropped with a warning. An error read from a
/// text names its file, line and column.
pub fn read<'a>(format: Format, input: impl Into<Input<'a>>) -> Result<Parsed> {
    let input = input.into();
    let parsed = if format.capabilities().binary {
        format.0.read(&input)?
    } else {
        let src = input.text()?;
        format
            .0
            .read(&Input::Text(&src))
            .map_err(|e| place(e, &src))?
    };
    Ok(finish(parsed))
}

/// Names the file, line and column of an error at a span of `src`.
fn place(e: Error, src: &Source) -> Error {
    if src.name.is_empty() {
        return e;
    }
    let span = e.span();
    let e = e.with_path(src.name.clone());
    match span {
        Some(span) => {
            let pos = src.position(span.start);
            e.at(pos.line, Some(pos.column))
        }
        None => e,
    }
}

/// Sorts chapters by time (stable), warning `chapters-unsorted` when they
/// were not. DAW exports are often unsorted
/// (podlove/podlove-publisher#1416), and Podlove readers re-sort by time.
fn finish(parsed: Parsed) -> Parsed {
    let Parsed {
        mut chapters,
        mut warnings,
    } = parsed;
    gate_urls(&mut chapters, &mut warnings);
    if let Some(i) = (1..chapters.len()).find(|&i| chapters[i].start < chapters[i - 1].start) {
        let (ch, prev) = (&chapters[i], &chapters[i - 1]);
        warnings.push(
            Diagnostic::new(
                Code::ChaptersUnsorted,
                format!(
                    "chapters are not in time order: `{}` at `{}` comes after `{}` at `{}`; they were sorted",
                    ch.title, ch.start, prev.title, prev.start
                ),
            )
            .at_opt(ch.line_span())
            .label("earlier than the chapter before it")
            .help("check the sorted chapters; DAW exports often list markers out of order"),
        );
        chapters.sort_by_key(|c| c.start);
    }
    Parsed { chapters, warnings }
}

/// Passes every chapter's `url` and `img` through the URL gate
/// ([`crate::links::gate`]): one that fails is removed and reported
/// (`link-unsafe-scheme` or `link-invalid`, errors, at the chapter's line),
/// so no script URL read from any chapter format reaches an output.
fn gate_urls(chapters: &mut [Chapter], diags: &mut Vec<Diagnostic>) {
    for ch in chapters {
        let span = ch.line_span();
        for field in [&mut ch.url, &mut ch.img] {
            let Some(u) = field.take() else { continue };
            match crate::links::gate(&u) {
                Ok(safe) => *field = Some(safe),
                Err(p) => diags.push(p.diagnostic(&u, span)),
            }
        }
    }
}

/// Writes chapters in `format`, in time order. `end` is the audio's end,
/// which `vtt` and `ffmetadata` need for the last chapter (unless it has
/// its own `end`).
pub fn write(format: Format, chapters: &[Chapter], end: Option<Timestamp>) -> Result<String> {
    write_with(
        format,
        chapters,
        &WriteOptions {
            end,
            ..WriteOptions::default()
        },
    )
}

/// Writes chapters in `format`, in time order, with everything
/// [`WriteOptions`] can say.
pub fn write_with(
    format: Format,
    chapters: &[Chapter],
    options: &WriteOptions<'_>,
) -> Result<String> {
    let mut sorted = chapter::for_output(chapters);
    sorted.sort_by_key(|c| c.start);
    format.0.write(&sorted, options)
}

/// Whether `old` (a file's bytes) is a chapter file in `format` as
/// shownotes writes it: read back and written again, it says the same. A
/// notes file with more than chapters in it is not.
pub fn written_by_us(format: Format, old: &[u8]) -> bool {
    let Ok(text) = std::str::from_utf8(old) else {
        return false;
    };
    let Ok(parsed) = read(format, &Source::new("", text)) else {
        return false;
    };
    if parsed.chapters.is_empty() {
        return false;
    }
    let end = parsed.chapters.iter().filter_map(|c| c.end).max();
    write(format, &parsed.chapters, end).is_ok_and(|again| format.0.same_output(&again, text))
}

#[cfg(test)]
mod tests;
