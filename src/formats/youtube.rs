//! YouTube description chapter lines: `0:00 Title`, one per line, the
//! timestamp first on its line.
//!
//! Sources: first at `0:00`, `M:SS` or `H:MM:SS`
//! (9to5google.com/2020/05/28/youtube-video-chapters; chapter-generator.com;
//! freeCodeCamp#39546); `<` and `>` are rejected in a description (YouTube
//! Data API `snippet.description`; FriendTeamInc/VodBot#46).
//!
//! The reader (shared with Spotify, in `line`) takes every line that
//! starts with a timestamp, bare or in `()` / `[]` (Spotify help
//! 360043932711 allows `(MM:SS)`), and allows one punctuation mark between
//! the timestamp and the title (same source). Other lines are skipped: a
//! description has prose and links too.

use super::line::{self, LineFormat};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::source::{Source, Span};
use crate::error::{Error, Result};
use crate::timestamp::Style;

/// YouTube description lines.
pub const YOUTUBE: Format = Format::new(&Youtube);

struct Youtube;

impl ChapterFormat for Youtube {
    fn name(&self) -> &'static str {
        "youtube"
    }

    fn about(&self) -> &'static str {
        "YouTube description lines: `0:00 Title`"
    }

    fn extension(&self) -> &'static str {
        "youtube.txt"
    }

    /// Every line starts with a timestamp, none with a fraction, and one
    /// with a single-digit first field.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        match line::whole_second_stamps(&head.lines()) {
            Some(false) => 30,
            _ => 0,
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            precision_ms: 1000,
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

impl LineFormat for Youtube {
    fn no_chapters(&self) -> Error {
        line::no_description_lines()
    }

    fn read_line(&self, text: &str, span: Span) -> Result<Option<Chapter>> {
        line::description_line(text, span)
    }

    /// `<` and `>`, which YouTube rejects, become `‹` and `›`.
    fn write_line(&self, chapter: &Chapter) -> String {
        line::write_description_line(chapter, Style::Short, no_angles)
    }
}

/// `<` and `>` as `‹` and `›`: the replacement every plain-text
/// description output makes (YouTube rejects them; Spotify's chapter
/// lines take no markup), as `build`'s YouTube output makes it.
pub(crate) fn no_angles(title: &str) -> String {
    title.replace('<', "‹").replace('>', "›")
}

/// Writes `0:00 Title` lines (`H:MM:SS` from an hour on). `<` and `>`,
/// which YouTube rejects, become `‹` and `›`; milliseconds are dropped.
pub fn write(chapters: &[Chapter]) -> String {
    Youtube.write_lines(chapters)
}

/// Reads every line that starts with a timestamp as a chapter.
pub fn read(src: &Source) -> Result<Vec<Chapter>> {
    Youtube.read_lines(src)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

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
        assert_eq!(s.position(e.span().unwrap().start).line, 2);
        assert!(e.message().contains("`00:75`"), "{}", e.message());
        assert!(read(&Source::new("d", "1:2:3:4 x\n"))
            .unwrap_err()
            .message()
            .contains("at most three"));
        assert!(read(&Source::new("d", "just prose\n"))
            .unwrap_err()
            .message()
            .contains("no chapter lines"));
    }
}
