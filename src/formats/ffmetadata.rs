//! FFmpeg metadata files (`;FFMETADATA1`), the chapters part.
//!
//! Source: FFmpeg `doc/metadata.texi`: a
//! `;FFMETADATA1` header, then `[CHAPTER]` sections with `TIMEBASE=num/den`,
//! `START=`, `END=` and `title=`; `=`, `;`, `#`, `\` and newline are escaped
//! with `\`; lines starting with `;` or `#` are comments. FFmpeg's reader
//! (`libavformat/ffmetadec.c`) expects `TIMEBASE`, `START`, `END` in that
//! order right after `[CHAPTER]`, which is how this writer puts them.

use super::line::invalid;
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::{require_ends, Chapter};
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Source, Span};
use crate::error::Result;
use crate::timestamp::Timestamp;

/// FFmpeg metadata files.
pub const FFMETADATA: Format = Format::new(&Ffmetadata);

struct Ffmetadata;

impl ChapterFormat for Ffmetadata {
    fn name(&self) -> &'static str {
        "ffmetadata"
    }

    fn about(&self) -> &'static str {
        "FFmpeg metadata (`;FFMETADATA1`, `[CHAPTER]`)"
    }

    fn extension(&self) -> &'static str {
        "ffmetadata.txt"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["ffmeta", "ffmetadata"]
    }

    fn sniff(&self, head: &Head<'_>) -> u8 {
        if head.text().starts_with(";FFMETADATA") {
            90
        } else {
            0
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            needs_end: true,
            ..Capabilities::TEXT
        }
    }

    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        let (chapters, warnings) = read(&*input.text()?)?;
        Ok(Parsed { chapters, warnings })
    }

    fn write(&self, chapters: &[Chapter], options: &WriteOptions<'_>) -> Result<String> {
        write(chapters, options.end)
    }
}

const HEADER: &str = ";FFMETADATA1";
const EXAMPLE: &str = "a chapter is `[CHAPTER]`, `TIMEBASE=1/1000`, `START=0`, `END=90000`, `title=Intro`, one per line";

/// Writes an FFmpeg metadata file with one `[CHAPTER]` per chapter, always
/// with `TIMEBASE=1/1000`: old FFmpeg docs say a missing `TIMEBASE` means
/// milliseconds, newer ones nanoseconds (FFmpeg ticket 7184). Every chapter
/// needs its `END`, so the last one needs its own end or `audio_end`.
fn write(chapters: &[Chapter], audio_end: Option<Timestamp>) -> Result<String> {
    let ends = require_ends("ffmetadata", chapters, audio_end)?;
    let mut s = format!("{HEADER}\n");
    for (c, end) in chapters.iter().zip(ends) {
        s.push_str(&format!(
            "\n[CHAPTER]\nTIMEBASE=1/1000\nSTART={}\nEND={}\ntitle={}\n",
            c.start.as_ms(),
            end.as_ms(),
            escape(&c.title)
        ));
    }
    Ok(s)
}

/// Escapes `=`, `;`, `#`, `\` and line breaks with `\` (metadata.texi).
fn escape(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        if matches!(ch, '=' | ';' | '#' | '\\' | '\n' | '\r') {
            out.push('\\');
        }
        out.push(ch);
    }
    out
}

/// One logical line: a key and value (unescaped), or a section header.
struct Line {
    span: Span,
    key: String,
    value: Option<(String, Span)>,
}

/// Splits the text into logical lines: a `\` escapes the next character,
/// line breaks included; comment and blank lines are dropped.
fn logical_lines(text: &str) -> Vec<Line> {
    let mut out = Vec::new();
    let mut chars = text.char_indices().peekable();
    while let Some(&(start, first)) = chars.peek() {
        if first == ';' || first == '#' {
            for (_, c) in chars.by_ref() {
                if c == '\n' {
                    break;
                }
            }
            continue;
        }
        let mut key = String::new();
        let mut value: Option<(String, usize)> = None;
        let mut end = text.len();
        let mut raw_cr = false;
        while let Some((i, c)) = chars.next() {
            if c == '=' && value.is_none() {
                raw_cr = false;
                value = Some((String::new(), i + 1));
                continue;
            }
            if c == '\n' {
                end = i;
                break;
            }
            let buf = match &mut value {
                Some((v, _)) => v,
                None => &mut key,
            };
            raw_cr = c == '\r';
            if c != '\\' {
                buf.push(c);
                continue;
            }
            match chars.next() {
                Some((_, '\r')) if chars.peek().map(|p| p.1) == Some('\n') => {
                    chars.next();
                    buf.push('\n');
                }
                Some((_, n)) => buf.push(n),
                None => {}
            }
        }
        if raw_cr {
            match &mut value {
                Some((v, _)) => v.pop(),
                None => key.pop(),
            };
        }
        let mut line_end = end;
        if text[..line_end].ends_with('\r') && raw_cr {
            line_end -= 1;
        }
        if key.trim().is_empty() && value.is_none() {
            continue;
        }
        out.push(Line {
            span: Span::new(start, line_end.max(start)),
            key,
            value: value.map(|(v, at)| {
                (
                    v,
                    Span::new(at.min(line_end), line_end.max(at.min(line_end))),
                )
            }),
        });
    }
    out
}

#[derive(Default)]
struct Draft {
    header: Span,
    timebase: Option<(i64, i64)>,
    start: Option<(i64, Span)>,
    end: Option<(i64, Span)>,
    title: Option<(String, Span)>,
}

/// Reads the `[CHAPTER]` sections of an FFmpeg metadata file, honouring
/// each chapter's `TIMEBASE`. A chapter without one is read in nanoseconds,
/// as FFmpeg reads it, with a `chapters-timebase-missing` warning.
fn read(src: &Source) -> Result<(Vec<Chapter>, Vec<Diagnostic>)> {
    let first = src.line_text(1);
    if !first.starts_with(";FFMETADATA") {
        let (a, b) = src.line_range(1);
        return Err(invalid(
            "not an FFmpeg metadata file: the first line is not `;FFMETADATA1`",
            Some(Span::new(a, b)),
        )
        .with_help(format!("start the file with `;FFMETADATA1`; {EXAMPLE}")));
    }
    let mut drafts: Vec<Draft> = Vec::new();
    let mut in_chapter = false;
    for line in logical_lines(&src.text) {
        let Some((value, value_span)) = line.value else {
            let header = line.key.trim();
            if header.starts_with('[') && header.ends_with(']') {
                in_chapter = header.eq_ignore_ascii_case("[CHAPTER]");
                if in_chapter {
                    drafts.push(Draft {
                        header: line.span,
                        ..Draft::default()
                    });
                }
                continue;
            }
            return Err(
                invalid(format!("`{header}` is not `key=value`"), Some(line.span)).with_help(
                    format!("escape a literal `=`, `;`, `#` or `\\` with `\\`; {EXAMPLE}"),
                ),
            );
        };
        let Some(draft) = drafts.last_mut().filter(|_| in_chapter) else {
            continue;
        };
        let key = line.key.trim();
        if key.eq_ignore_ascii_case("TIMEBASE") {
            draft.timebase = Some(timebase(&value, value_span)?);
        } else if key.eq_ignore_ascii_case("START") {
            draft.start = Some((integer("START", &value, value_span)?, value_span));
        } else if key.eq_ignore_ascii_case("END") {
            draft.end = Some((integer("END", &value, value_span)?, value_span));
        } else if key.eq_ignore_ascii_case("title") {
            draft.title = Some((value, value_span));
        }
    }
    if drafts.is_empty() {
        return Err(invalid("no `[CHAPTER]` sections", None).with_help(EXAMPLE));
    }
    let mut warnings = Vec::new();
    let mut chapters = Vec::new();
    for d in drafts {
        let Some((start, start_span)) = d.start else {
            return Err(
                invalid("a `[CHAPTER]` without `START=`", Some(d.header)).with_help(EXAMPLE)
            );
        };
        let title = d
            .title
            .as_ref()
            .map(|t| t.0.trim().to_string())
            .unwrap_or_default();
        // FFmpeg's default time base is 1/1e9 (ffmetadec.c `read_chapter`).
        let (num, den) = d.timebase.unwrap_or((1, 1_000_000_000));
        if d.timebase.is_none() && warnings.is_empty() {
            warnings.push(
                Diagnostic::new(
                    Code::ChaptersTimebaseMissing,
                    format!("chapter `{title}` has no `TIMEBASE`, so its times were read as nanoseconds, as FFmpeg reads them"),
                )
                .at(d.header)
                .help("add `TIMEBASE=1/1000` after `[CHAPTER]` if the times are milliseconds (FFmpeg ticket 7184)"),
            );
        }
        let start_ms = to_ms(start, num, den, start_span)?;
        let mut ch = Chapter::new(start_ms, title);
        ch.span = Some(start_span);
        ch.title_span = d.title.map(|t| t.1);
        if let Some((end, end_span)) = d.end {
            let end_ms = to_ms(end, num, den, end_span)?;
            // FFmpeg refuses a chapter that ends before it starts
            // (libavformat `avpriv_new_chapter`: "Chapter end time before start").
            if end < start {
                return Err(invalid(
                    format!("`END={end}` is before `START={start}`"),
                    Some(end_span),
                )
                .with_help("a chapter ends after it starts; fix `START` or `END`"));
            }
            ch.end = Some(end_ms);
        }
        chapters.push(ch);
    }
    Ok((chapters, warnings))
}

fn integer(key: &str, value: &str, span: Span) -> Result<i64> {
    let v: i64 = value.trim().parse().map_err(|_| {
        invalid(format!("`{key}={value}` is not a whole number"), Some(span)).with_help(format!(
            "`{key}` counts `TIMEBASE` units, such as `{key}=90000` with `TIMEBASE=1/1000`"
        ))
    })?;
    if v < 0 {
        return Err(invalid(format!("`{key}={value}` is negative"), Some(span))
            .with_help("times start at 0"));
    }
    Ok(v)
}

fn timebase(value: &str, span: Span) -> Result<(i64, i64)> {
    let bad = || {
        invalid(
            format!("`TIMEBASE={value}` is not a fraction such as `1/1000`"),
            Some(span),
        )
        .with_help("`TIMEBASE=1/1000` counts milliseconds; both numbers are above 0")
    };
    let (n, d) = value.trim().split_once('/').ok_or_else(bad)?;
    let n: i64 = n.trim().parse().map_err(|_| bad())?;
    let d: i64 = d.trim().parse().map_err(|_| bad())?;
    if n <= 0 || d <= 0 {
        return Err(bad());
    }
    Ok((n, d))
}

/// `v` units of `num/den` seconds, in milliseconds, rounded.
fn to_ms(v: i64, num: i64, den: i64, span: Span) -> Result<Timestamp> {
    let scaled = i128::from(v) * i128::from(num) * 1000;
    let ms = (scaled * 2 + i128::from(den)) / (2 * i128::from(den));
    u64::try_from(ms)
        .ok()
        .filter(|&m| m < u64::MAX / 4)
        .map(Timestamp::from_ms)
        .ok_or_else(|| {
            invalid(format!("the time `{v}` is out of range"), Some(span))
                .with_help("check `TIMEBASE` and the time")
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(s: &str) -> Source {
        Source::new("c.ffmeta", s)
    }

    #[test]
    fn reads_chapters_with_their_timebase() {
        let text = ";FFMETADATA1\r\ntitle=Episode\r\nartist=A\\=B\r\n\r\n[CHAPTER]\r\nTIMEBASE=1/1000\r\nSTART=0\r\nEND=90500\r\ntitle=a\\=b\\;c\\#d\\\\e\r\n# comment\r\n[STREAM]\r\ntitle=not a chapter\r\n[CHAPTER]\r\nTIMEBASE=1/44100\r\nSTART=3969000\r\nEND=4410000\r\ntitle=two\\\r\nlines\r\n";
        let (c, w) = read(&src(text)).unwrap();
        assert!(w.is_empty());
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].title, "a=b;c#d\\e");
        assert_eq!(c[0].end, Some(Timestamp::from_ms(90_500)));
        assert_eq!(c[1].start, Timestamp::from_ms(90_000));
        assert_eq!(c[1].end, Some(Timestamp::from_ms(100_000)));
        assert_eq!(c[1].title, "two\nlines");
    }

    #[test]
    fn a_missing_timebase_is_nanoseconds_with_a_warning() {
        let (c, w) = read(&src(
            ";FFMETADATA1\n[CHAPTER]\nSTART=1500000000\nEND=2000000000\ntitle=x\n",
        ))
        .unwrap();
        assert_eq!(c[0].start.as_ms(), 1500);
        assert_eq!(w.len(), 1);
        assert_eq!(w[0].code, Code::ChaptersTimebaseMissing);
    }

    #[test]
    fn writes_what_ffmpeg_expects_and_reads_it_back() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(61_001), "= ; # \\ and\nnewline"),
        ];
        assert!(write(&c, None)
            .unwrap_err()
            .message()
            .contains("`ffmetadata` needs the end"));
        let out = write(&c, Some(Timestamp::from_ms(120_000))).unwrap();
        assert_eq!(
            out,
            ";FFMETADATA1\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\nEND=61001\ntitle=Intro\n\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=61001\nEND=120000\ntitle=\\= \\; \\# \\\\ and\\\nnewline\n"
        );
        let (back, _) = read(&src(&out)).unwrap();
        assert_eq!(back[1].title, c[1].title);
        assert_eq!(back[1].start, c[1].start);
        assert!(
            write(&c, Some(Timestamp::from_ms(61_001))).is_err(),
            "the last chapter starts at the end"
        );
    }

    #[test]
    fn bad_input_names_the_line() {
        let s = src(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=abc\nEND=5\n");
        let e = read(&s).unwrap_err();
        assert_eq!(s.position(e.span().unwrap().start).line, 4);
        assert!(e.message().contains("`START=abc`"), "{}", e.message());
        let e = read(&src("[CHAPTER]\nSTART=0\n")).unwrap_err();
        assert!(e.message().contains("`;FFMETADATA1`"));
        let e = read(&src(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/0\nSTART=0\n")).unwrap_err();
        assert!(e.message().contains("TIMEBASE"));
        let e = read(&src(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=-5\n")).unwrap_err();
        assert!(e.message().contains("negative"));
        let e = read(&src(
            ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=5000\nEND=1000\n",
        ))
        .unwrap_err();
        assert!(e.message().contains("before"));
        let e = read(&src(";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nEND=1000\n")).unwrap_err();
        assert!(e.message().contains("without `START=`"));
        let e = read(&src(";FFMETADATA1\ntitle=x\n")).unwrap_err();
        assert!(e.message().contains("no `[CHAPTER]`"));
        let e = read(&src(
            ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1\nSTART=99999999999999999\n",
        ))
        .unwrap_err();
        assert!(e.message().contains("out of range"), "{}", e.message());
        let e = read(&src(";FFMETADATA1\n[CHAPTER]\njunk line\n")).unwrap_err();
        assert!(e.message().contains("not `key=value`"));
        // Truncated mid-escape: no panic.
        let _ = read(&src(
            ";FFMETADATA1\n[CHAPTER]\nTIMEBASE=1/1000\nSTART=0\ntitle=x\\",
        ));
    }
}
