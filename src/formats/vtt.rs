//! WebVTT chapters: `WEBVTT`, a blank line, then one cue per chapter,
//! `HH:MM:SS.mmm --> HH:MM:SS.mmm` and the title. Every cue needs its end,
//! so the last chapter ends at the audio's end. Source: W3C "WebVTT: The
//! Web Video Text Tracks Format", "WebVTT chapter title text".

use super::clock::parse_npt;
use super::line::{invalid, lines, one_line, sub_span};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::{require_ends, Chapter};
use crate::source::{Source, Span};
use crate::error::Result;
use crate::timestamp::{Style, Timestamp};

/// WebVTT chapters.
pub const VTT: Format = Format::new(&Vtt);

struct Vtt;

impl ChapterFormat for Vtt {
    fn name(&self) -> &'static str {
        "vtt"
    }

    fn about(&self) -> &'static str {
        "WebVTT chapters"
    }

    fn extension(&self) -> &'static str {
        "vtt"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["vtt", "webvtt"]
    }

    fn sniff(&self, head: &Head<'_>) -> u8 {
        if head.text().starts_with("WEBVTT") {
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
        read(&*input.text()?).map(Parsed::new)
    }

    fn write(&self, chapters: &[Chapter], options: &WriteOptions<'_>) -> Result<String> {
        write(chapters, options.end)
    }
}

const EXAMPLE: &str =
    "a chapter cue is a line `00:00:00.000 --> 00:01:30.000`, then the title, then a blank line";

/// Writes numbered cues; the last ends at its own end or `audio_end`.
fn write(chapters: &[Chapter], audio_end: Option<Timestamp>) -> Result<String> {
    let ends = require_ends("vtt", chapters, audio_end)?;
    let mut s = String::from("WEBVTT\n");
    for (i, (c, end)) in chapters.iter().zip(ends).enumerate() {
        s.push_str(&format!(
            "\n{}\n{} --> {}\n{}\n",
            i + 1,
            c.start.display(Style::Precise),
            end.display(Style::Precise),
            escape(&one_line(&c.title))
        ));
    }
    Ok(s)
}

/// Escapes cue text: `&`, `<` and `>` as character references, which also
/// keeps `-->` out of a title.
fn escape(title: &str) -> String {
    title
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
}

/// Reads the cues of a WebVTT file as chapters (with their ends). `NOTE`,
/// `STYLE` and `REGION` blocks are skipped; tags in cue text are dropped.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    let all: Vec<(usize, Span, &str)> = lines(src).collect();
    let Some(&(_, first_span, first)) = all.first() else {
        return Err(
            invalid("the file is empty", None).with_help("a WebVTT file starts with `WEBVTT`")
        );
    };
    let rest = first.strip_prefix("WEBVTT");
    if !rest.is_some_and(|r| r.is_empty() || r.starts_with([' ', '\t'])) {
        return Err(invalid(
            "not a WebVTT file: the first line is not `WEBVTT`",
            Some(first_span),
        )
        .with_help(format!(
            "start the file with `WEBVTT` and a blank line; {EXAMPLE}"
        )));
    }
    let mut blocks: Vec<Vec<(Span, &str)>> = Vec::new();
    let mut current: Vec<(Span, &str)> = Vec::new();
    for &(_, span, line) in &all[1..] {
        if line.trim().is_empty() {
            if !current.is_empty() {
                blocks.push(std::mem::take(&mut current));
            }
        } else {
            current.push((span, line));
        }
    }
    if !current.is_empty() {
        blocks.push(current);
    }
    let mut chapters = Vec::new();
    for (i, block) in blocks.iter().enumerate() {
        let head = block[0].1;
        if i == 0 && !all.get(1).is_some_and(|l| l.2.trim().is_empty()) && !head.contains("-->") {
            continue; // header lines right after `WEBVTT`
        }
        let keyword = head.split([' ', '\t']).next().unwrap_or("");
        if matches!(keyword, "NOTE" | "STYLE" | "REGION") {
            continue;
        }
        let timing_at = if head.contains("-->") { 0 } else { 1 };
        let Some(&(span, timing)) = block.get(timing_at).filter(|(_, l)| l.contains("-->")) else {
            return Err(invalid(
                format!("the cue `{}` has no timing line", head.trim()),
                Some(block[0].0),
            )
            .with_help(EXAMPLE));
        };
        let (left, right) = timing.split_once("-->").unwrap_or((timing, ""));
        let start_text = left.trim();
        let end_text = right.split_whitespace().next().unwrap_or("");
        let time = |t: &str| {
            parse_npt(t).map_err(|m| {
                invalid(m, Some(sub_span(timing, span, t)))
                    .with_help("WebVTT times are `HH:MM:SS.mmm` or `MM:SS.mmm`")
            })
        };
        let start = time(start_text)?;
        let end = time(end_text)?;
        if end < start {
            return Err(invalid(
                format!("the cue ends at `{end_text}`, before it starts at `{start_text}`"),
                Some(sub_span(timing, span, end_text)),
            )
            .with_help("a cue's end comes after its start"));
        }
        let payload = &block[timing_at + 1..];
        let title: Vec<String> = payload.iter().map(|(_, l)| unescape(l.trim())).collect();
        let mut ch = Chapter::new(start, title.join(" ").trim());
        ch.end = Some(end);
        ch.span = Some(sub_span(timing, span, start_text));
        ch.title_span = payload
            .first()
            .map(|(s, l)| Span::new(s.start, s.start + l.len()));
        chapters.push(ch);
    }
    if chapters.is_empty() {
        return Err(invalid("no cues", Some(first_span)).with_help(EXAMPLE));
    }
    Ok(chapters)
}

/// Cue text as shown: tags dropped, character references resolved.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(i) = rest.find(['<', '&']) {
        out.push_str(&rest[..i]);
        let tail = &rest[i..];
        if tail.starts_with('<') {
            match tail.find('>') {
                Some(j) => rest = &tail[j + 1..],
                None => {
                    out.push_str(tail);
                    rest = "";
                }
            }
            continue;
        }
        let entity = tail.find(';').filter(|&j| j <= 10).map(|j| &tail[1..j]);
        let decoded = entity.and_then(|e| match e {
            "amp" => Some('&'),
            "lt" => Some('<'),
            "gt" => Some('>'),
            "nbsp" => Some('\u{a0}'),
            "lrm" => Some('\u{200e}'),
            "rlm" => Some('\u{200f}'),
            _ => {
                let n = e.strip_prefix('#')?;
                let code = match n.strip_prefix(['x', 'X']) {
                    Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                    None => n.parse().ok()?,
                };
                char::from_u32(code)
            }
        });
        match (decoded, entity) {
            (Some(c), Some(e)) => {
                out.push(c);
                rest = &tail[e.len() + 2..];
            }
            _ => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_cues_ending_at_the_next_chapter_and_the_audio_end() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(90_500), "A --> B & <c>"),
        ];
        let e = write(&c, None).unwrap_err();
        assert!(
            e.message().contains("`vtt` needs the end"),
            "{}",
            e.message()
        );
        assert!(e.help().unwrap().contains("--audio"));
        let out = write(&c, Some(Timestamp::from_ms(3_600_000))).unwrap();
        assert_eq!(
            out,
            "WEBVTT\n\n1\n00:00:00.000 --> 00:01:30.500\nIntro\n\n2\n00:01:30.500 --> 01:00:00.000\nA --&gt; B &amp; &lt;c&gt;\n"
        );
        let back = read(&Source::new("c.vtt", out)).unwrap();
        assert_eq!(back[1].title, c[1].title);
        assert_eq!(back[1].end, Some(Timestamp::from_ms(3_600_000)));
    }

    #[test]
    fn reads_real_world_files() {
        let text = "WEBVTT - chapters\r\nKind: chapters\r\n\r\nNOTE made by hand\r\nover two lines\r\n\r\nintro\r\n00:00.000 --> 01:00.000 align:start\r\n<b>Intro</b> &amp; more&#33;\r\n\r\n01:00.000 --> 02:00.000\r\nSecond\r\n";
        let c = read(&Source::new("c.vtt", text)).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[0].title, "Intro & more!");
        assert_eq!(c[1].start.as_ms(), 60_000);
        assert_eq!(c[1].end, Some(Timestamp::from_ms(120_000)));
    }

    #[test]
    fn bad_input_names_the_line() {
        let s = Source::new(
            "c.vtt",
            "WEBVTT\n\n00:00.000 --> 00:10.000\nA\n\n00:10.000 --> 00:05.000\nB\n",
        );
        let e = read(&s).unwrap_err();
        assert_eq!(s.position(e.span().unwrap().start).line, 6);
        assert!(e.message().contains("before it starts"));
        let s = Source::new("c.vtt", "WEBVTT\n\n00:00.000 --> 00:99.000\nA\n");
        let e = read(&s).unwrap_err();
        assert!(e.message().contains("below 60"), "{}", e.message());
        assert!(read(&Source::new("c.vtt", "00:00 Intro\n"))
            .unwrap_err()
            .message()
            .contains("`WEBVTT`"));
        assert!(read(&Source::new("c.vtt", "WEBVTT\n\nid only\nA\n"))
            .unwrap_err()
            .message()
            .contains("no timing"));
        assert!(read(&Source::new("c.vtt", "WEBVTT\n"))
            .unwrap_err()
            .message()
            .contains("no cues"));
        assert!(read(&Source::new("c.vtt", "")).is_err());
        assert!(read(&Source::new("c.vtt", "WEBVTT\n\n00:00.000 -->")).is_err());
        assert_eq!(unescape("a &bogus; &#xZZ; & <i"), "a &bogus; &#xZZ; & <i");
    }
}
