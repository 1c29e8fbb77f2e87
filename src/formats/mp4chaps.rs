//! mp4chaps text chapters (Subler's chapter text): one chapter per line,
//! `00:00:00.000 Title`, optionally followed by ` <url>` (the Podlove and
//! Auphonic convention; Subler's wiki, "Chapters", and the Podlove
//! Publisher's chapter import).

use super::clock::parse_npt;
use super::line::{self, invalid, one_line, sub_span, LineFormat};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::source::{Source, Span};
use crate::error::{Error, Result};
use crate::timestamp::Style;

/// mp4chaps text chapters.
pub const MP4CHAPS: Format = Format::new(&Mp4chaps);

struct Mp4chaps;

const HELP: &str = "each line of an mp4chaps file is `00:00:00.000 Title`, optionally followed by ` <https://...>`";

impl ChapterFormat for Mp4chaps {
    fn name(&self) -> &'static str {
        "mp4chaps"
    }

    fn about(&self) -> &'static str {
        "mp4chaps text: `00:00:00.000 Title`, optionally ` <url>`"
    }

    fn extension(&self) -> &'static str {
        "chapters.txt"
    }

    /// Every line starts with a timestamp, and one has a fraction.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        match line::all_stamps(&head.lines()) {
            Some(stamps) if stamps.iter().any(|s| s.contains('.')) => 30,
            _ => 0,
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            urls: true,
            ..Capabilities::TEXT
        }
    }

    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        read(&*input.text()?).map(Parsed::new)
    }

    fn write(&self, chapters: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Ok(write(chapters))
    }
}

impl LineFormat for Mp4chaps {
    fn no_chapters(&self) -> Error {
        invalid("no chapter lines", None).with_help(HELP)
    }

    /// Blank lines are skipped.
    fn read_line(&self, line: &str, span: Span) -> Result<Option<Chapter>> {
        let trimmed = line.trim();
        if trimmed.is_empty() {
            return Ok(None);
        }
        let stamp = trimmed.split_whitespace().next().unwrap_or(trimmed);
        let stamp_span = sub_span(line, span, stamp);
        let start = parse_npt(stamp).map_err(|m| {
            let mut e = invalid(m, Some(stamp_span)).with_help(HELP);
            if stamp.to_ascii_uppercase().starts_with("CHAPTER") {
                e = e.with_help(format!(
                    "{HELP}; `CHAPTER01=` lines are OGM chapters, not mp4chaps"
                ));
            }
            e
        })?;
        let rest = trimmed[stamp.len()..].trim();
        let (title, url) = split_url(rest);
        let mut ch = Chapter::new(start, title.trim());
        ch.url = url.map(str::to_string);
        ch.span = Some(stamp_span);
        if !title.trim().is_empty() {
            ch.title_span = Some(sub_span(line, span, title.trim()));
        }
        Ok(Some(ch))
    }

    /// `HH:MM:SS.mmm Title <url>`.
    fn write_line(&self, c: &Chapter) -> String {
        let mut s = format!("{} {}", c.start.display(Style::Precise), one_line(&c.title));
        if let Some(url) = &c.url {
            s.push_str(&format!(" <{url}>"));
        }
        s
    }
}

/// Writes one `HH:MM:SS.mmm Title <url>` line per chapter.
fn write(chapters: &[Chapter]) -> String {
    Mp4chaps.write_lines(chapters)
}

/// Reads mp4chaps lines; blank lines are skipped.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    Mp4chaps.read_lines(src)
}

/// Splits a trailing `<url>` off a title: the last `<...>` when it ends the
/// line, holds no space, and is a URL (`scheme://` or `mailto:`).
fn split_url(rest: &str) -> (&str, Option<&str>) {
    if let Some(body) = rest.strip_suffix('>') {
        if let Some(open) = body.rfind('<') {
            let url = &body[open + 1..];
            let before = &body[..open];
            let is_url = !url.is_empty()
                && !url.contains(char::is_whitespace)
                && (url.contains("://") || url.starts_with("mailto:"));
            if is_url && (before.is_empty() || before.ends_with(char::is_whitespace)) {
                return (before, Some(url));
            }
        }
    }
    (rest, None)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    #[test]
    fn reads_lines_with_and_without_urls() {
        let src = Source::new(
            "c.txt",
            "00:00:00.000 Intro\r\n\n00:01:30.500 Tom & Jerry <https://e.example/x?a=1>\n1:02:03 a <b> c\n00:05:00.000 <https://only.example/>\n",
        );
        let c = read(&src).unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!(c[1].start.as_ms(), 90_500);
        assert_eq!(c[1].title, "Tom & Jerry");
        assert_eq!(c[1].url.as_deref(), Some("https://e.example/x?a=1"));
        assert_eq!(c[2].title, "a <b> c");
        assert_eq!(c[2].url, None);
        assert_eq!(c[2].start.as_ms(), 3_723_000);
        assert_eq!(c[3].title, "");
        assert_eq!(c[3].url.as_deref(), Some("https://only.example/"));
    }

    #[test]
    fn writes_what_it_reads() {
        let mut c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(3_723_004), "tab\there ✓"),
        ];
        c[1].url = Some("https://e.example/".into());
        let out = write(&c);
        assert_eq!(
            out,
            "00:00:00.000 Intro\n01:02:03.004 tab\there ✓ <https://e.example/>\n"
        );
        let back = read(&Source::new("c", out)).unwrap();
        assert_eq!(back[1].title, c[1].title);
        assert_eq!(back[1].url, c[1].url);
    }

    #[test]
    fn bad_lines_are_named() {
        let src = Source::new("c.txt", "00:00:00.000 Intro\n00:61:00.000 Bad\n");
        let e = read(&src).unwrap_err();
        assert_eq!(src.position(e.span().unwrap().start).line, 2);
        assert!(
            e.message().contains("`61` must be below 60"),
            "{}",
            e.message()
        );
        let e = read(&Source::new("c", "Intro at the start\n")).unwrap_err();
        assert!(e.message().contains("`Intro`"), "{}", e.message());
        assert!(read(&Source::new("c", "\n\n")).is_err());
        let e = read(&Source::new("c", "CHAPTER01=00:00:00.000\n")).unwrap_err();
        assert!(e.help().unwrap().contains("OGM"));
    }
}
