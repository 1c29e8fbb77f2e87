//! YouTube description chapter lines: `0:00 Title`, one per line, the
//! timestamp first on its line.
//!
//! Sources (PLATFORMS.md, "YouTube"): first at `0:00`, `M:SS` or `H:MM:SS`
//! (9to5google.com/2020/05/28/youtube-video-chapters; chapter-generator.com;
//! freeCodeCamp#39546); `<` and `>` are rejected in a description (YouTube
//! Data API `snippet.description`; FriendTeamInc/VodBot#46).
//!
//! The reader here also serves Spotify: it takes every line that starts
//! with a timestamp, bare or in `()` / `[]` (Spotify help 360043932711
//! allows `(MM:SS)`), and allows one punctuation mark between the
//! timestamp and the title (same source). Other lines are skipped: a
//! description has prose and links too.

use std::sync::LazyLock;

use regex::Regex;

use super::{lines, one_line, sub_span, Chapter, ReadError};
use crate::diagnostic::Source;
use crate::timestamp::{Style, Timestamp};

/// Writes `0:00 Title` lines (`H:MM:SS` from an hour on). `<` and `>`,
/// which YouTube rejects, become `‹` and `›`; milliseconds are dropped.
pub fn write(chapters: &[Chapter]) -> String {
    write_lines(chapters, Style::Short, |t| {
        t.replace('<', "‹").replace('>', "›")
    })
}

pub(crate) fn write_lines(
    chapters: &[Chapter],
    style: Style,
    clean: impl Fn(&str) -> String,
) -> String {
    let mut s = String::new();
    for c in chapters {
        s.push_str(&format!(
            "{} {}\n",
            c.start.display(style),
            clean(&one_line(&c.title))
        ));
    }
    s
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

/// The timestamp a line starts with, when it is a chapter line.
pub(crate) fn leading_stamp(line: &str) -> Option<&str> {
    split(line).map(|(stamp, _)| stamp)
}

/// Splits a chapter line into its timestamp and title; `None` when the
/// line does not start with a timestamp followed by a space, one
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

/// Reads every line that starts with a timestamp as a chapter.
pub fn read(src: &Source) -> Result<Vec<Chapter>, ReadError> {
    let mut chapters = Vec::new();
    for (_, span, line) in lines(src) {
        let Some((stamp, title)) = split(line) else {
            continue;
        };
        let stamp_span = sub_span(line, span, stamp);
        let start = Timestamp::parse(stamp).map_err(|e| {
            ReadError::new(format!("`{stamp}` is not a timestamp: {e}"), Some(stamp_span))
                .help("write `M:SS`, `MM:SS` or `H:MM:SS`, minutes and seconds below 60, such as `1:05:12 Title`")
        })?;
        let mut ch = Chapter::new(start, title);
        ch.span = Some(stamp_span);
        if !title.is_empty() {
            ch.title_span = Some(sub_span(line, span, title));
        }
        chapters.push(ch);
    }
    if chapters.is_empty() {
        return Err(ReadError::new("no chapter lines", None)
            .help("a chapter line starts with its timestamp, such as `0:00 Intro`"));
    }
    Ok(chapters)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_chapter_lines_among_prose() {
        let text = "Episode 17.\nWe talk at 10:30am about things.\n\n0:00 Intro\n(00:34) - Introduction\n[5:32] | Xerox PARC\n1:05:12: The Evolution\n1:06:00\n1:07:00—Glued dash\n";
        let c = read(&Source::new("d.txt", text)).unwrap();
        let got: Vec<(u64, &str)> = c
            .iter()
            .map(|c| (c.start.as_ms() / 1000, c.title.as_str()))
            .collect();
        assert_eq!(
            got,
            [
                (0, "Intro"),
                (34, "Introduction"),
                (332, "Xerox PARC"),
                (3912, "The Evolution"),
                (3960, ""),
                (4020, "Glued dash")
            ]
        );
    }

    #[test]
    fn writes_youtube_lines_without_angle_brackets() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "Intro <3"),
            Chapter::new(Timestamp::from_ms(332_900), "B"),
            Chapter::new(Timestamp::from_ms(3_912_000), "C"),
        ];
        assert_eq!(write(&c), "0:00 Intro ‹3\n5:32 B\n1:05:12 C\n");
    }

    #[test]
    fn bad_stamps_are_named() {
        let s = Source::new("d.txt", "0:00 Intro\n00:75 Bad\n");
        let e = read(&s).unwrap_err();
        assert_eq!(s.position(e.span.unwrap().start).line, 2);
        assert!(e.message.contains("`00:75`"), "{}", e.message);
        assert!(read(&Source::new("d", "1:2:3:4 x\n"))
            .unwrap_err()
            .message
            .contains("at most three"));
        assert!(read(&Source::new("d", "just prose\n"))
            .unwrap_err()
            .message
            .contains("no chapter lines"));
    }
}
