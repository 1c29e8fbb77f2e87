//! Spotify description chapter lines: `00:00 Title`, two-digit `MM:SS` or
//! `HH:MM:SS`, one per line, first at `00:00`, chronological.
//!
//! Source: Spotify for Creators help, "Creating and managing chapters"
//! (article 360043932711; PLATFORMS.md, "Spotify"). Reading accepts what
//! that article allows (`(MM:SS)`, one punctuation mark before the title);
//! it shares the YouTube reader.

use super::youtube::write_lines;
use super::{Chapter, ReadError};
use crate::diagnostic::Source;
use crate::timestamp::Style;

/// Writes `00:00 Title` lines (`01:05:12` from an hour on); milliseconds
/// are dropped.
pub fn write(chapters: &[Chapter]) -> String {
    write_lines(chapters, Style::TwoDigit, str::to_string)
}

/// Reads every line that starts with a timestamp as a chapter.
pub fn read(src: &Source) -> Result<Vec<Chapter>, ReadError> {
    super::youtube::read(src)
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
        assert_eq!(out, "00:00 Intro\n05:32 <b>\n01:05:12 Late\n");
        let back = read(&Source::new("s.txt", out)).unwrap();
        assert_eq!(back[1].title, "<b>");
        assert_eq!(back[2].start, c[2].start);
        assert!(
            read(&Source::new("s.txt", "(00:00) Intro\n(01:00), Next\n"))
                .unwrap()
                .len()
                == 2
        );
    }
}
