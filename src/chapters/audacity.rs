//! Audacity labels: `start<TAB>end<TAB>label`, seconds with decimals; a
//! point label has start = end, a region label an end after its start; the
//! extended form adds `\<TAB>lowHz<TAB>highHz` lines; UTF-8. Source:
//! Audacity manual, "Importing and Exporting Labels" (PLATFORMS.md,
//! "Chapter formats").

use super::{lines, one_line, parse_seconds, secs_decimal, sub_span, Chapter, ReadError};
use crate::diagnostic::Source;

const HELP: &str = "each line of an Audacity label file is `start<TAB>end<TAB>label`, in seconds, such as `90.5\t90.5\tIntro`";

/// Writes one label per chapter: a region label when the chapter has an
/// end, else a point label. Seconds with six decimals, as Audacity does.
pub fn write(chapters: &[Chapter]) -> String {
    let mut s = String::new();
    for c in chapters {
        let end = c.end.filter(|e| *e > c.start).unwrap_or(c.start);
        s.push_str(&format!(
            "{}\t{}\t{}\n",
            secs_decimal(c.start),
            secs_decimal(end),
            one_line(&c.title)
        ));
    }
    s
}

/// Whether a line looks like an Audacity label line (for format guessing).
pub(crate) fn looks_like_label(line: &str) -> bool {
    if line.starts_with("\\\t") {
        return true;
    }
    let mut f = line.splitn(3, '\t');
    let num = |s: Option<&str>| s.is_some_and(|s| parse_seconds(s).is_ok());
    num(f.next()) && num(f.next())
}

/// Reads labels; the label text is everything after the second tab.
pub fn read(src: &Source) -> Result<Vec<Chapter>, ReadError> {
    let mut chapters = Vec::new();
    for (_, span, line) in lines(src) {
        if line.trim().is_empty() || line.starts_with("\\\t") || line.trim() == "\\" {
            continue; // blank, or the frequency range of the label above
        }
        let mut fields = line.splitn(3, '\t');
        let start_text = fields.next().unwrap_or("");
        let (Some(end_text), title) = (fields.next(), fields.next()) else {
            return Err(ReadError::new(
                format!("`{}` is not a label line: it has no tab", line.trim()),
                Some(span),
            )
            .help(HELP));
        };
        let time = |t: &str| {
            parse_seconds(t)
                .map_err(|m| ReadError::new(m, Some(sub_span(line, span, t))).help(HELP))
        };
        let start = time(start_text)?;
        let end = time(end_text)?;
        if end < start {
            return Err(ReadError::new(
                format!(
                    "the label ends at `{}`, before it starts at `{}`",
                    end_text.trim(),
                    start_text.trim()
                ),
                Some(sub_span(line, span, end_text)),
            )
            .help("a region label's end comes after its start; a point label has start = end"));
        }
        let title = title.unwrap_or("");
        let mut ch = Chapter::new(start, title.trim());
        ch.end = (end > start).then_some(end);
        ch.span = Some(sub_span(line, span, start_text));
        if !title.trim().is_empty() {
            ch.title_span = Some(sub_span(line, span, title.trim()));
        }
        chapters.push(ch);
    }
    if chapters.is_empty() {
        return Err(ReadError::new("no labels", None).help(HELP));
    }
    Ok(chapters)
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
        assert_eq!(s.position(e.span.unwrap().start).line, 2);
        assert!(e.message.contains("`x`"), "{}", e.message);
        assert!(read(&Source::new("l", "00:00 Intro\n"))
            .unwrap_err()
            .message
            .contains("no tab"));
        assert!(read(&Source::new("l", "-1\t0\tA\n"))
            .unwrap_err()
            .message
            .contains("negative"));
        assert!(read(&Source::new("l", "5\t1\tA\n"))
            .unwrap_err()
            .message
            .contains("before"));
        assert!(read(&Source::new("l", "")).is_err());
        assert!(read(&Source::new("l", "99999999999999999999\t0\tA")).is_err());
    }
}
