//! Helpers for the text formats, and the [`LineFormat`] trait for those
//! whose chapters are one line each (mp4chaps, Audacity labels, YouTube and
//! Spotify description lines): lines with their places in the source,
//! one-line titles, errors at a place, and the description-line grammar
//! (`0:00 Title`) that YouTube, Spotify and the format guesser share.

use std::sync::LazyLock;

use regex::Regex;

use crate::chapter::Chapter;
use crate::error::{Error, ErrorKind, Result};
use crate::source::{Source, Span};
use crate::timestamp::{Style, Timestamp};

/// A format whose every chapter is one line of text. Implementing a line's
/// reading and writing gives the whole file's.
pub(crate) trait LineFormat {
    /// The error for a file in which no line holds a chapter.
    fn no_chapters(&self) -> Error;

    /// Reads one line (`span`: where it stands, without its line end);
    /// `Ok(None)` skips it (a blank line, prose, a line that continues the
    /// one before).
    fn read_line(&self, line: &str, span: Span) -> Result<Option<Chapter>>;

    /// Writes one chapter as one line, without the line end.
    fn write_line(&self, chapter: &Chapter) -> String;

    /// Reads every line; an error when none holds a chapter.
    fn read_lines(&self, src: &Source) -> Result<Vec<Chapter>> {
        let mut chapters = Vec::new();
        for (_, span, line) in lines(src) {
            chapters.extend(self.read_line(line, span)?);
        }
        if chapters.is_empty() {
            return Err(self.no_chapters());
        }
        Ok(chapters)
    }

    /// Writes one line per chapter, each ended by `\n`.
    fn write_lines(&self, chapters: &[Chapter]) -> String {
        let mut s = String::new();
        for c in chapters {
            s.push_str(&self.write_line(c));
            s.push('\n');
        }
        s
    }
}

/// An error about a chapter file's content, at `span` when known.
pub(crate) fn invalid(message: impl Into<String>, span: Option<Span>) -> Error {
    let e = Error::new(ErrorKind::Invalid, message);
    match span {
        Some(span) => e.with_span(span),
        None => e,
    }
}

/// The lines of a source: 1-based number, byte span without the line end,
/// and text.
pub(crate) fn lines(src: &Source) -> impl Iterator<Item = (usize, Span, &str)> {
    let text = src.text.as_str();
    let mut start = 0;
    text.split_inclusive('\n').enumerate().map(move |(i, raw)| {
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let body = body.strip_suffix('\r').unwrap_or(body);
        let span = Span::new(start, start + body.len());
        start += raw.len();
        (i + 1, span, body)
    })
}

/// The span of `part`, a subslice of `whole` which starts at `whole_span`.
pub(crate) fn sub_span(whole: &str, whole_span: Span, part: &str) -> Span {
    let offset = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    let offset = offset.min(whole.len());
    Span::new(
        whole_span.start + offset,
        whole_span.start + offset + part.len(),
    )
}

/// A title for a line-based format: line breaks become spaces.
pub(crate) fn one_line(title: &str) -> String {
    title.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// Whether every line of a sniffed file is a description line, and then
/// the stamps they start with (`None` for no lines, or any other line).
pub(crate) fn all_stamps<'a>(lines: &[&'a str]) -> Option<Vec<&'a str>> {
    if lines.is_empty() {
        return None;
    }
    lines.iter().map(|l| leading_stamp(l)).collect()
}

/// When every line starts with a timestamp without a fraction (YouTube's
/// and Spotify's description lines): whether every first field has two
/// digits (`00:00`, Spotify's form) rather than one somewhere (`0:00`,
/// YouTube's).
pub(crate) fn whole_second_stamps(lines: &[&str]) -> Option<bool> {
    let stamps = all_stamps(lines)?;
    if stamps.iter().any(|s| s.contains('.')) {
        return None;
    }
    Some(
        stamps
            .iter()
            .all(|s| s.split(':').next().is_some_and(|f| f.len() >= 2)),
    )
}

/// A line's leading timestamp: optional spaces, an optional `(` or `[`,
/// digits and colons with an optional fraction, then the rest.
static STAMP: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^[ \t]*(?:\(([0-9]+(?::[0-9]+)+(?:\.[0-9]+)?)\)|\[([0-9]+(?::[0-9]+)+(?:\.[0-9]+)?)\]|([0-9]+(?::[0-9]+)+(?:\.[0-9]+)?))")
        .expect("a valid regex")
});

/// The one punctuation mark allowed between a timestamp and its title.
const SEPARATORS: &[char] = &[
    '-', '–', '—', ':', '|', '•', '·', '.', ',', ';', '~', '*', '>', '/',
];

/// The timestamp a line starts with, when it is a description line.
pub(crate) fn leading_stamp(line: &str) -> Option<&str> {
    split(line).map(|(stamp, _)| stamp)
}

/// Splits a description line into its timestamp and title; `None` when
/// the line does not start with a timestamp followed by a space, one
/// punctuation mark (`0:00 - Intro`, `0:00: Intro`, `0:00—Intro`), or the
/// line's end (`10:30am` is prose).
fn split(line: &str) -> Option<(&str, &str)> {
    let caps = STAMP.captures(line)?;
    let stamp = caps.get(1).or(caps.get(2)).or(caps.get(3))?.as_str();
    let rest = &line[caps.get(0)?.end()..];
    let trimmed = rest.trim_start();
    let spaced = trimmed.len() < rest.len();
    let mut chars = trimmed.chars();
    let title = match chars.next() {
        None => "",
        Some(c)
            if SEPARATORS.contains(&c)
                && !(matches!(c, '.' | ',' | '/')
                    && chars.as_str().starts_with(|d: char| d.is_ascii_digit())) =>
        {
            chars.as_str().trim()
        }
        Some(_) if spaced => trimmed.trim_end(),
        Some(_) => return None,
    };
    Some((stamp, title))
}

/// Reads a description line (`0:00 Title`) as a chapter; `None` for a
/// line that does not start with a timestamp (prose, links).
pub(crate) fn description_line(line: &str, span: Span) -> Result<Option<Chapter>> {
    let Some((stamp, title)) = split(line) else {
        return Ok(None);
    };
    let stamp_span = sub_span(line, span, stamp);
    let start = Timestamp::parse(stamp).map_err(|e| {
        invalid(format!("`{stamp}` is not a timestamp: {e}"), Some(stamp_span))
            .with_help("write `M:SS`, `MM:SS` or `H:MM:SS`, minutes and seconds below 60, such as `1:05:12 Title`")
    })?;
    let mut ch = Chapter::new(start, title);
    ch.span = Some(stamp_span);
    if !title.is_empty() {
        ch.title_span = Some(sub_span(line, span, title));
    }
    Ok(Some(ch))
}

/// The error for a description without chapter lines.
pub(crate) fn no_description_lines() -> Error {
    invalid("no chapter lines", None)
        .with_help("a chapter line starts with its timestamp, such as `0:00 Intro`")
}

/// A description line: the stamp in `style`, then the title on one line,
/// passed through `clean`.
pub(crate) fn write_description_line(
    chapter: &Chapter,
    style: Style,
    clean: impl Fn(&str) -> String,
) -> String {
    format!(
        "{} {}",
        chapter.start.display(style),
        clean(&one_line(&chapter.title))
    )
}
