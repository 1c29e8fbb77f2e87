//! Audacity labels: `start<TAB>end<TAB>label`, seconds with decimals; a
//! point label has start = end, a region label an end after its start; the
//! extended form adds `\<TAB>lowHz<TAB>highHz` lines; UTF-8. Source:
//! Audacity manual, "Importing and Exporting Labels".

use super::clock::{parse_seconds, secs_decimal};
use super::line::{invalid, one_line, sub_span, LineFormat};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::source::{Source, Span};
use crate::error::{Error, Result};

/// Audacity labels.
pub const AUDACITY: Format = Format::new(&Audacity);

struct Audacity;

const HELP: &str = "each line of an Audacity label file is `start<TAB>end<TAB>label`, in seconds, such as `90.5\t90.5\tIntro`";

impl ChapterFormat for Audacity {
    fn name(&self) -> &'static str {
        "audacity"
    }

    fn about(&self) -> &'static str {
        "Audacity labels (tab-separated seconds)"
    }

    fn extension(&self) -> &'static str {
        "labels.txt"
    }

    /// Every line is a label line.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        let lines = head.lines();
        if !lines.is_empty() && lines.iter().all(|l| looks_like_label(l)) {
            40
        } else {
            0
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities::TEXT
    }

    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        read(&*input.text()?).map(Parsed::new)
    }

    fn write(&self, chapters: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Ok(write(chapters))
    }
}

impl LineFormat for Audacity {
    fn no_chapters(&self) -> Error {
        invalid("no labels", None).with_help(HELP)
    }

    /// The label text is everything after the second tab; blank lines and
    /// frequency ranges (of the label above) are skipped.
    fn read_line(&self, line: &str, span: Span) -> Result<Option<Chapter>> {
        if line.trim().is_empty() || line.starts_with("\\\t") || line.trim() == "\\" {
            return Ok(None);
        }
        let mut fields = line.splitn(3, '\t');
        let start_text = fields.next().unwrap_or("");
        let (Some(end_text), title) = (fields.next(), fields.next()) else {
            return Err(invalid(
                format!("`{}` is not a label line: it has no tab", line.trim()),
                Some(span),
            )
            .with_help(HELP));
        };
        let time = |t: &str| {
            parse_seconds(t).map_err(|m| invalid(m, Some(sub_span(line, span, t))).with_help(HELP))
        };
        let start = time(start_text)?;
        let end = time(end_text)?;
        if end < start {
            return Err(invalid(
                format!(
                    "the label ends at `{}`, before it starts at `{}`",
                    end_text.trim(),
                    start_text.trim()
                ),
                Some(sub_span(line, span, end_text)),
            )
            .with_help(
                "a region label's end comes after its start; a point label has start = end",
            ));
        }
        let title = title.unwrap_or("");
        let mut ch = Chapter::new(start, title.trim());
        ch.end = (end > start).then_some(end);
        ch.span = Some(sub_span(line, span, start_text));
        if !title.trim().is_empty() {
            ch.title_span = Some(sub_span(line, span, title.trim()));
        }
        Ok(Some(ch))
    }

    /// A region label when the chapter has an end, else a point label;
    /// seconds with six decimals, as Audacity writes them.
    fn write_line(&self, c: &Chapter) -> String {
        let end = c.end.filter(|e| *e > c.start).unwrap_or(c.start);
        format!(
            "{}\t{}\t{}",
            secs_decimal(c.start),
            secs_decimal(end),
            one_line(&c.title)
        )
    }
}

/// Writes one label per chapter.
fn write(chapters: &[Chapter]) -> String {
    Audacity.write_lines(chapters)
}

/// Reads labels.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    Audacity.read_lines(src)
}

/// Whether a line looks like an Audacity label line (for format guessing).
fn looks_like_label(line: &str) -> bool {
    if line.starts_with("\\\t") {
        return true;
    }
    let mut f = line.splitn(3, '\t');
    let num = |s: Option<&str>| s.is_some_and(|s| parse_seconds(s).is_ok());
    num(f.next()) && num(f.next())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    #[test]
    fn reads_point_and_region_labels_and_skips_frequency_lines() {
        let text = "0.000000\t0.000000\tIntro\n\\\t200.0\t4000.0\n90.500000\t120.250000\tRegion\twith\ttabs\n3600\t3600\t\n";
        let c = read(&Source::new("l.txt", text)).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].end, None);
        assert_eq!(c[1].start.as_ms(), 90_500);
        assert_eq!(c[1].end, Some(Timestamp::from_ms(120_250)));
        assert_eq!(c[1].title, "Region\twith\ttabs");
        assert_eq!(c[2].title, "");
    }

    #[test]
    fn writes_what_it_reads() {
        let mut c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(61_001), "ü\tx"),
        ];
        c[1].end = Some(Timestamp::from_ms(70_000));
        let out = write(&c);
        assert_eq!(
            out,
            "0.000000\t0.000000\tIntro\n61.001000\t70.000000\tü\tx\n"
        );
        let back = read(&Source::new("l", out)).unwrap();
        assert_eq!(back[1].title, c[1].title);
        assert_eq!(back[1].end, c[1].end);
    }

    #[test]
    fn bad_lines_are_named() {
        let s = Source::new("l.txt", "0\t0\tA\n12,5\tx\tB\n");
        let e = read(&s).unwrap_err();
        assert_eq!(s.position(e.span().unwrap().start).line, 2);
        assert!(e.message().contains("`x`"), "{}", e.message());
        assert!(read(&Source::new("l", "00:00 Intro\n"))
            .unwrap_err()
            .message()
            .contains("no tab"));
        assert!(read(&Source::new("l", "-1\t0\tA\n"))
            .unwrap_err()
            .message()
            .contains("negative"));
        assert!(read(&Source::new("l", "5\t1\tA\n"))
            .unwrap_err()
            .message()
            .contains("before"));
        assert!(read(&Source::new("l", "")).is_err());
        assert!(read(&Source::new("l", "99999999999999999999\t0\tA")).is_err());
    }
}
