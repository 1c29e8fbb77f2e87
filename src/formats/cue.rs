//! CUE sheets: `TRACK nn AUDIO`, `TITLE "..."`, `INDEX 01 mm:ss:ff` at 75
//! frames per second, minutes may exceed 59. Source: the CDRWIN cue sheet
//! syntax (Hydrogenaudio Knowledgebase, "Cue sheet"; libcue).
//!
//! A CUE string has no portable escape: libcue takes `\"` but keeps the
//! backslash, and most readers (foobar2000, OpenEmu, ...) end the string
//! at the next `"`. So the writer puts a `"` of a title or file name out
//! as `'`, which every reader takes inside a quoted string, and a line
//! break or other control character as a space; the reader still takes
//! everything between the first and the last quote of the line, so
//! sheets written by others with quotes inside read as they were meant.

use super::line::{invalid, lines, one_line, sub_span};
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::{self, Chapter};
use crate::source::{Source, Span};
use crate::error::Result;
use crate::timestamp::Timestamp;

/// CUE sheets.
pub const CUE: Format = Format::new(&Cue);

struct Cue;

impl ChapterFormat for Cue {
    fn name(&self) -> &'static str {
        "cue"
    }

    fn about(&self) -> &'static str {
        "A CUE sheet (`INDEX 01 mm:ss:ff`, 75 frames per second)"
    }

    fn extension(&self) -> &'static str {
        "cue"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["cue"]
    }

    /// A line is a `TRACK nn AUDIO` command.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        if head.lines().iter().any(|l| is_track(l)) {
            50
        } else {
            0
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            precision_ms: 14,
            ..Capabilities::TEXT
        }
    }

    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        read(&*input.text()?).map(Parsed::new)
    }

    /// `options.audio_file` names the audio in a `FILE` line.
    fn write(&self, chapters: &[Chapter], options: &WriteOptions<'_>) -> Result<String> {
        Ok(write(chapters, options.audio_file))
    }

    /// The same tracks; a `FILE` line (which names the audio) aside.
    fn same_output(&self, a: &str, b: &str) -> bool {
        let lines = |s: &str| -> Vec<String> {
            s.lines()
                .map(str::trim)
                .filter(|l| !(l.is_empty() || l.starts_with("FILE ")))
                .map(str::to_owned)
                .collect()
        };
        lines(a) == lines(b)
    }
}

/// Frames per second of a CUE time (CD audio).
const FRAMES_PER_SECOND: u64 = 75;

const HELP: &str = "a track is `TRACK 01 AUDIO`, `TITLE \"Intro\"`, `INDEX 01 00:00:00` (minutes:seconds:frames, 75 frames a second)";

/// Writes a cue sheet, one track per chapter. `file` names the audio in a
/// `FILE "..." MP3` line; players need it, so pass it when known.
fn write(chapters: &[Chapter], file: Option<&str>) -> String {
    let chapters = &chapter::for_output(chapters);
    let mut s = String::new();
    let indent = if let Some(f) = file {
        let kind = match f
            .rsplit_once('.')
            .map(|(_, e)| e.to_ascii_lowercase())
            .as_deref()
        {
            Some("wav") => "WAVE",
            Some("aif" | "aiff") => "AIFF",
            _ => "MP3",
        };
        s.push_str(&format!("FILE \"{}\" {kind}\n", cue_string(f)));
        "  "
    } else {
        ""
    };
    for (i, c) in chapters.iter().enumerate() {
        s.push_str(&format!(
            "{indent}TRACK {:02} AUDIO\n{indent}  TITLE \"{}\"\n{indent}  INDEX 01 {}\n",
            i + 1,
            cue_string(&c.title),
            msf(c.start)
        ));
    }
    s
}

/// A string for a quoted CUE field: one line, `"` as `'`, no control
/// characters.
fn cue_string(s: &str) -> String {
    crate::text::clean(&one_line(s)).replace('"', "'")
}

/// A time as `mm:ss:ff`, rounded to the nearest frame.
fn msf(t: Timestamp) -> String {
    let frames = (u128::from(t.as_ms()) * u128::from(FRAMES_PER_SECOND) + 500) / 1000;
    let fps = u128::from(FRAMES_PER_SECOND);
    format!(
        "{:02}:{:02}:{:02}",
        frames / (fps * 60),
        frames / fps % 60,
        frames % fps
    )
}

struct Track {
    span: Span,
    title: Option<(String, Span)>,
    index: Option<(Timestamp, Span)>,
}

/// Reads the tracks of a cue sheet as chapters, each at its `INDEX 01`.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    let mut tracks: Vec<Track> = Vec::new();
    let mut file_line: Option<Span> = None;
    for (_, span, line) in lines(src) {
        let body = line.trim_start_matches('\u{feff}').trim();
        let (command, args) = body.split_once([' ', '\t']).unwrap_or((body, ""));
        let args = args.trim();
        match command.to_ascii_uppercase().as_str() {
            "FILE" => {
                if let Some(first) = file_line {
                    let line_no = src.position(first.start).line;
                    return Err(invalid(
                        format!("a second `FILE`; the first is on line {line_no}"),
                        Some(span),
                    )
                    .with_help("chapters belong to one audio file: split the cue sheet per file"));
                }
                file_line = Some(span);
            }
            "TRACK" => tracks.push(Track {
                span,
                title: None,
                index: None,
            }),
            "TITLE" => {
                if let Some(t) = tracks.last_mut() {
                    t.title = Some((title(args, line, span)?, sub_span(line, span, args)));
                }
            }
            "INDEX" => {
                let mut words = args.split_whitespace();
                let number = words.next().unwrap_or("");
                let time = words.next().unwrap_or("");
                let Some(track) = tracks.last_mut() else {
                    return Err(
                        invalid("an `INDEX` before any `TRACK`", Some(span)).with_help(HELP)
                    );
                };
                if number.parse::<u32>().ok() == Some(1) {
                    let at = sub_span(line, span, time);
                    track.index = Some((
                        parse_msf(time).map_err(|m| invalid(m, Some(at)).with_help(HELP))?,
                        at,
                    ));
                }
            }
            _ => {}
        }
    }
    if tracks.is_empty() {
        return Err(invalid("no `TRACK` in the cue sheet", None).with_help(HELP));
    }
    tracks
        .into_iter()
        .map(|t| {
            let Some((start, at)) = t.index else {
                return Err(invalid("a `TRACK` without `INDEX 01`", Some(t.span))
                    .with_help("give every track its start as `INDEX 01 mm:ss:ff`"));
            };
            let mut ch = Chapter::new(start, t.title.as_ref().map_or("", |x| x.0.trim()));
            ch.span = Some(at);
            ch.title_span = t.title.map(|x| x.1);
            Ok(ch)
        })
        .collect()
}

/// A `TITLE` argument: between the first and last quote, or a bare word.
fn title(args: &str, line: &str, span: Span) -> Result<String> {
    match args.strip_prefix('"') {
        Some(inner) => match inner.rfind('"') {
            Some(end) => Ok(inner[..end].to_string()),
            None => Err(invalid(
                "the `TITLE` has no closing quote",
                Some(sub_span(line, span, args)),
            )
            .with_help("write the title as `TITLE \"...\"`")),
        },
        None => Ok(args.to_string()),
    }
}

/// Whether a line is a CUE `TRACK nn AUDIO` command.
fn is_track(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("TRACK"))
        && words
            .next()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        && words.next().is_some()
}

/// Parses `mm:ss:ff`: minutes of any size, seconds below 60, frames below 75.
fn parse_msf(text: &str) -> Result<Timestamp, String> {
    let fields: Vec<&str> = text.split(':').collect();
    if fields.len() != 3
        || fields
            .iter()
            .any(|f| f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return Err(format!("`{text}` is not a CUE time `mm:ss:ff`"));
    }
    let too_large = || format!("`{text}` is too large a time");
    let m: u64 = fields[0].parse().map_err(|_| too_large())?;
    let s: u64 = fields[1].parse().map_err(|_| too_large())?;
    let f: u64 = fields[2].parse().map_err(|_| too_large())?;
    if s >= 60 {
        return Err(format!(
            "`{text}` is not a CUE time: seconds `{}` must be below 60",
            fields[1]
        ));
    }
    if f >= FRAMES_PER_SECOND {
        return Err(format!(
            "`{text}` is not a CUE time: frame `{}` must be below 75 (a second has 75 frames)",
            fields[2]
        ));
    }
    let frames = m
        .checked_mul(60)
        .and_then(|x| x.checked_add(s))
        .and_then(|x| x.checked_mul(FRAMES_PER_SECOND))
        .and_then(|x| x.checked_add(f))
        .filter(|&x| x < u64::MAX / 2000)
        .ok_or_else(too_large)?;
    Ok(Timestamp::from_ms(
        (frames * 1000 + FRAMES_PER_SECOND / 2) / FRAMES_PER_SECOND,
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_cue_sheet() {
        let text = "REM GENRE Podcast\r\nTITLE \"The album\"\r\nFILE \"ep.mp3\" MP3\r\n  TRACK 01 AUDIO\r\n    TITLE \"Intro\"\r\n    INDEX 01 00:00:00\r\n  TRACK 02 AUDIO\r\n    TITLE \"Say \"hi\" there\"\r\n    PERFORMER \"x\"\r\n    INDEX 00 01:29:00\r\n    INDEX 01 01:30:37\r\n  TRACK 03 AUDIO\r\n    TITLE Bare\r\n    INDEX 01 75:00:74\r\n";
        let c = read(&Source::new("e.cue", text)).unwrap();
        assert_eq!(c.len(), 3);
        assert_eq!(c[0].title, "Intro");
        assert_eq!(c[1].title, "Say \"hi\" there");
        assert_eq!(c[1].start.as_ms(), 90_493);
        assert_eq!(c[2].title, "Bare");
        assert_eq!(c[2].start.as_ms(), 4_500_987);
    }

    #[test]
    fn writes_frames_and_reads_them_back() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(90_493), "Say \"hi\""),
            Chapter::new(Timestamp::from_ms(4_500_987), "Late"),
        ];
        let out = write(&c, Some("ep.mp3"));
        assert_eq!(
            out,
            "FILE \"ep.mp3\" MP3\n  TRACK 01 AUDIO\n    TITLE \"Intro\"\n    INDEX 01 00:00:00\n  TRACK 02 AUDIO\n    TITLE \"Say 'hi'\"\n    INDEX 01 01:30:37\n  TRACK 03 AUDIO\n    TITLE \"Late\"\n    INDEX 01 75:00:74\n"
        );
        // A `"` has no portable escape in CUE: it is written as `'`, so
        // every reader ends the string where the title ends.
        let back = read(&Source::new("e.cue", out)).unwrap();
        assert_eq!(back[1].title, "Say 'hi'");
        assert_eq!(back[1].start, c[1].start);
        assert_eq!(back[2].start, c[2].start);
    }

    #[test]
    fn frame_80_and_other_bad_input_are_named() {
        let s = Source::new(
            "e.cue",
            "TRACK 01 AUDIO\n  TITLE \"A\"\n  INDEX 01 00:00:80\n",
        );
        let e = read(&s).unwrap_err();
        assert_eq!(s.position(e.span().unwrap().start).line, 3);
        assert!(
            e.message().contains("frame `80` must be below 75"),
            "{}",
            e.message()
        );
        assert!(
            read(&Source::new("e", "TRACK 01 AUDIO\nINDEX 01 00:60:00\n"))
                .unwrap_err()
                .message()
                .contains("below 60")
        );
        assert!(read(&Source::new("e", "TRACK 01 AUDIO\nINDEX 01 00:00\n"))
            .unwrap_err()
            .message()
            .contains("mm:ss:ff"));
        assert!(read(&Source::new("e", "TRACK 01 AUDIO\nTITLE \"A\n"))
            .unwrap_err()
            .message()
            .contains("closing quote"));
        assert!(read(&Source::new("e", "TRACK 01 AUDIO\nTITLE \"A\"\n"))
            .unwrap_err()
            .message()
            .contains("without `INDEX 01`"));
        assert!(read(&Source::new("e", "00:00 Intro\n"))
            .unwrap_err()
            .message()
            .contains("no `TRACK`"));
        assert!(read(&Source::new("e", "FILE \"a\" MP3\nFILE \"b\" MP3\n"))
            .unwrap_err()
            .message()
            .contains("second `FILE`"));
        assert!(read(&Source::new(
            "e",
            "TRACK 01 AUDIO\nINDEX 01 99999999999999999999:00:00\n"
        ))
        .is_err());
    }
}
