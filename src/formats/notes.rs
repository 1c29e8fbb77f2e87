//! The episode notes file as a chapter format: its chapter list is read by
//! the notes parser (under a `Chapters` label, a heading, or as a run of
//! timestamp lines); a list is written as a `Chapters` line and
//! `HH:MM:SS Title` lines, the form Apple Podcasts reads from a
//! description (podcasters.apple.com/support/5482).

use super::line::{self, invalid, one_line};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::error::Result;
use crate::notes::Notes;
use crate::timestamp::Style;

/// The episode notes file.
pub const NOTES: Format = Format::new(&NotesFormat);

struct NotesFormat;

impl ChapterFormat for NotesFormat {
    fn name(&self) -> &'static str {
        "notes"
    }

    fn about(&self) -> &'static str {
        "The episode notes file: a \"Chapters\" list of `HH:MM:SS Title` lines"
    }

    fn extension(&self) -> &'static str {
        "md"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["md", "markdown"]
    }

    /// Notes files are `.md` or `.txt`, as `check` finds them in a folder.
    fn fallback_extensions(&self) -> &'static [&'static str] {
        &["txt"]
    }

    /// Front matter (`+++` or `---`) scores above the line-based formats;
    /// text with some timestamp lines among others, below them.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        let text = head.text();
        if text.starts_with("+++") || text.starts_with("---") {
            return 70;
        }
        if head
            .lines()
            .iter()
            .any(|l| line::leading_stamp(l).is_some())
        {
            10
        } else {
            0
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            precision_ms: 1000,
            ..Capabilities::TEXT
        }
    }

    /// The chapters of the notes' chapter list(s); the notes' own findings
    /// come from [`Notes::check`].
    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        let src = input.text()?.into_owned();
        let notes = Notes::parse(src, &crate::links::Rules::default());
        if notes.chapters.is_empty() {
            return Err(invalid("the notes have no chapters", None).with_help(
                "a notes file lists chapters under a `Chapters` line, one `00:00 Title` per line",
            ));
        }
        Ok(Parsed::new(notes.chapters))
    }

    fn write(&self, chapters: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Ok(write(chapters))
    }
}

/// Writes a notes-style "Chapters" list: `HH:MM:SS Title` lines.
fn write(chapters: &[Chapter]) -> String {
    let mut s = String::from("Chapters\n");
    for c in chapters {
        s.push_str(&format!(
            "{} {}\n",
            c.start.display(Style::Hms),
            one_line(&c.title)
        ));
    }
    s
}
