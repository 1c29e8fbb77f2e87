//! Spotify description chapter lines: `00:00 Title`, two-digit `MM:SS` or
//! `HH:MM:SS`, one per line, first at `00:00`, chronological.
//!
//! Source: Spotify for Creators help, "Creating and managing chapters"
//! (article 360043932711). Reading accepts what that article allows
//! (`(MM:SS)`, one punctuation mark before the title); it shares the
//! YouTube reader (in `line`).

use super::line::{self, LineFormat};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::source::{Source, Span};
use crate::error::{Error, Result};
use crate::timestamp::Style;

/// Spotify description lines.
pub const SPOTIFY: Format = Format::new(&Spotify);

struct Spotify;

impl ChapterFormat for Spotify {
    fn name(&self) -> &'static str {
        "spotify"
    }

    fn about(&self) -> &'static str {
        "Spotify description lines: `00:00 Title`"
    }

    fn extension(&self) -> &'static str {
        "spotify.txt"
    }

    /// Every line starts with a timestamp of two-digit fields, none with a
    /// fraction.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        match line::whole_second_stamps(&head.lines()) {
            Some(true) => 30,
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

impl LineFormat for Spotify {
    fn no_chapters(&self) -> Error {
        line::no_description_lines()
    }

    fn read_line(&self, text: &str, span: Span) -> Result<Option<Chapter>> {
        line::description_line(text, span)
    }

    /// `<` and `>` become `‹` and `›`, as in YouTube's lines: these lines
    /// are pasted as text, and Spotify takes no markup in chapter titles
    /// (Spotify help 360043932711: "no emoji or HTML in titles").
    fn write_line(&self, chapter: &Chapter) -> String {
        line::write_description_line(chapter, Style::TwoDigit, super::youtube::no_angles)
    }
}

/// Writes `00:00 Title` lines (`01:05:12` from an hour on); milliseconds
/// are dropped, `<` and `>` become `‹` and `›`.
fn write(chapters: &[Chapter]) -> String {
    Spotify.write_lines(chapters)
}

/// Reads every line that starts with a timestamp as a chapter.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    Spotify.read_lines(src)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    #[test]
    fn writes_two_digit_stamps_and_reads_them() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(332_000), "<b>"),
            Chapter::new(Timestamp::from_ms(3_912_000), "Late"),
        ];
        let out = write(&c);
        // `<` and `>` are replaced as in YouTube's lines (and `build`'s).
        assert_eq!(out, "00:00 Intro\n05:32 ‹b›\n01:05:12 Late\n");
        let back = read(&Source::new("s.txt", out)).unwrap();
        assert_eq!(back[1].title, "‹b›");
        assert_eq!(back[2].start, c[2].start);
        assert!(
            read(&Source::new("s.txt", "(00:00) Intro\n(01:00), Next\n"))
                .unwrap()
                .len()
                == 2
        );
    }
}
