//! Chapters: the `Chapter` type, the rules every chapter list is checked
//! against, and the interchange formats (one module per format).

pub mod audacity;
pub mod audition;
pub mod cue;
pub mod ffmetadata;
pub mod id3;
pub mod json;
pub mod mp4chaps;
pub mod psc;
pub mod spotify;
pub mod vtt;
pub mod youtube;

use std::path::Path;

use crate::diagnostic::{Code, Diagnostic, Source, Span};
use crate::timestamp::{Style, Timestamp};

/// One chapter of an episode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chapter {
    /// Where the chapter starts.
    pub start: Timestamp,
    /// The title, trimmed.
    pub title: String,
    /// A link for the chapter, where the format carries one.
    pub url: Option<String>,
    /// An image for the chapter, where the format carries one.
    pub img: Option<String>,
    /// Where the chapter ends, where the format says so.
    pub end: Option<Timestamp>,
    /// `false` for a chapter hidden from the table of contents (JSON `toc`).
    pub toc: bool,
    /// Where the timestamp stands in the source.
    pub span: Option<Span>,
    /// Where the title stands in the source.
    pub title_span: Option<Span>,
}

impl Chapter {
    /// A chapter at `start` titled `title`, shown in the table of contents.
    pub fn new(start: Timestamp, title: impl Into<String>) -> Self {
        Chapter {
            start,
            title: title.into(),
            toc: true,
            ..Chapter::default()
        }
    }

    /// The chapter's span for diagnostics: the stamp through the title.
    pub fn line_span(&self) -> Option<Span> {
        match (self.span, self.title_span) {
            (Some(a), Some(b)) => Some(Span::new(a.start, b.end.max(a.end))),
            (a, b) => a.or(b),
        }
    }
}

/// Why a chapter file could not be read: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ReadError {
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl ReadError {
    /// An error at `span` (if known).
    pub fn new(message: impl Into<String>, span: Option<Span>) -> Self {
        ReadError {
            message: message.into(),
            span,
            help: None,
        }
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

impl ReadError {
    /// The error as one line, `name:line:column: message`, for output
    /// without a snippet renderer.
    pub fn located(&self, src: &Source) -> String {
        match self.span {
            Some(span) => {
                let pos = src.position(span.start);
                format!("{}:{}:{}: {}", src.name, pos.line, pos.column, self.message)
            }
            None => format!("{}: {}", src.name, self.message),
        }
    }
}

/// Why chapters could not be written in a format.
#[derive(Clone, Debug, PartialEq, Eq, thiserror::Error)]
#[error("{message}")]
pub struct WriteError {
    pub message: String,
    pub help: Option<String>,
}

impl WriteError {
    /// An error saying `message`.
    pub fn new(message: impl Into<String>) -> Self {
        WriteError {
            message: message.into(),
            help: None,
        }
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// A chapter format `shownotes chapters` reads or writes (`--from`, `--to`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, clap::ValueEnum)]
pub enum Format {
    /// The episode notes file: a "Chapters" list of `HH:MM:SS Title` lines.
    Notes,
    /// Podcasting 2.0 JSON chapters (`chapters.json`).
    Json,
    /// Podlove Simple Chapters (XML).
    Psc,
    /// mp4chaps text: `00:00:00.000 Title`, optionally ` <url>`.
    Mp4chaps,
    /// FFmpeg metadata (`;FFMETADATA1`, `[CHAPTER]`).
    Ffmetadata,
    /// WebVTT chapters.
    Vtt,
    /// Audacity labels (tab-separated seconds).
    Audacity,
    /// Adobe Audition markers (tab-separated CSV).
    Audition,
    /// A CUE sheet (`INDEX 01 mm:ss:ff`, 75 frames per second).
    Cue,
    /// YouTube description lines: `0:00 Title`.
    Youtube,
    /// Spotify description lines: `00:00 Title`.
    Spotify,
    /// ID3v2 CHAP/CTOC frames of an MP3 (read here; written by `embed`).
    Id3,
}

impl Format {
    /// Every format, in the order of `--help`.
    pub const ALL: &'static [Format] = &[
        Format::Notes,
        Format::Json,
        Format::Psc,
        Format::Mp4chaps,
        Format::Ffmetadata,
        Format::Vtt,
        Format::Audacity,
        Format::Audition,
        Format::Cue,
        Format::Youtube,
        Format::Spotify,
        Format::Id3,
    ];

    /// The name used by `--from` and `--to`.
    pub const fn name(self) -> &'static str {
        match self {
            Format::Notes => "notes",
            Format::Json => "json",
            Format::Psc => "psc",
            Format::Mp4chaps => "mp4chaps",
            Format::Ffmetadata => "ffmetadata",
            Format::Vtt => "vtt",
            Format::Audacity => "audacity",
            Format::Audition => "audition",
            Format::Cue => "cue",
            Format::Youtube => "youtube",
            Format::Spotify => "spotify",
            Format::Id3 => "id3",
        }
    }

    /// The usual end of a file name in this format, without the first dot
    /// (`chapters.txt` for mp4chaps, as in `episode.chapters.txt`).
    pub const fn extension(self) -> &'static str {
        match self {
            Format::Notes => "md",
            Format::Json => "json",
            Format::Psc => "psc",
            Format::Mp4chaps => "chapters.txt",
            Format::Ffmetadata => "ffmetadata.txt",
            Format::Vtt => "vtt",
            Format::Audacity => "labels.txt",
            Format::Audition => "csv",
            Format::Cue => "cue",
            Format::Youtube => "youtube.txt",
            Format::Spotify => "spotify.txt",
            Format::Id3 => "mp3",
        }
    }

    /// Whether [`write`] produces this format (`id3` is written by `embed`).
    pub const fn is_writable(self) -> bool {
        !matches!(self, Format::Id3)
    }

    /// Whether writing needs the audio's end (the last chapter's end).
    pub const fn needs_end(self) -> bool {
        matches!(self, Format::Vtt | Format::Ffmetadata)
    }

    /// Whether the format carries a chapter's URL.
    pub const fn keeps_urls(self) -> bool {
        matches!(
            self,
            Format::Json | Format::Psc | Format::Mp4chaps | Format::Id3
        )
    }

    /// The finest time step the format writes, in milliseconds: a time read
    /// back is within this of the time written (CUE counts 1/75 s frames;
    /// description lines and notes count whole seconds).
    pub const fn precision_ms(self) -> u64 {
        match self {
            Format::Cue => 14,
            Format::Notes | Format::Youtube | Format::Spotify => 1000,
            _ => 1,
        }
    }

    /// Guesses the format of a chapter file from its extension, then its
    /// content. `None` when neither tells.
    pub fn guess(path: Option<&Path>, content: &[u8]) -> Option<Format> {
        let name = path
            .and_then(|p| p.file_name())
            .map(|n| n.to_string_lossy().to_lowercase())
            .unwrap_or_default();
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let by_ext = match ext {
            "json" => Some(Format::Json),
            "psc" | "xml" => Some(Format::Psc),
            "vtt" | "webvtt" => Some(Format::Vtt),
            "cue" => Some(Format::Cue),
            "mp3" => Some(Format::Id3),
            "ffmeta" | "ffmetadata" => Some(Format::Ffmetadata),
            "md" | "markdown" => Some(Format::Notes),
            _ => None,
        };
        if by_ext.is_some() {
            return by_ext;
        }
        let sniffed = sniff(content);
        if ext == "csv" && sniffed.is_none() {
            return Some(Format::Audition);
        }
        match sniffed {
            Some(f) => Some(f),
            // Notes files are `.md` or `.txt` (DESIGN.md "Commands", `check`).
            None if ext == "txt" => Some(Format::Notes),
            None => None,
        }
    }
}

impl std::fmt::Display for Format {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.name())
    }
}

/// Guesses a format from content alone.
fn sniff(content: &[u8]) -> Option<Format> {
    if content.starts_with(b"ID3") || id3::is_mpeg_frame_header(content) {
        return Some(Format::Id3);
    }
    let head = &content[..content.len().min(64 * 1024)];
    let text = String::from_utf8_lossy(head);
    let text = text.trim_start_matches('\u{feff}').trim_start();
    if text.starts_with(";FFMETADATA") {
        return Some(Format::Ffmetadata);
    }
    if text.starts_with("WEBVTT") {
        return Some(Format::Vtt);
    }
    if text.starts_with('{') {
        return Some(Format::Json);
    }
    if text.starts_with('<') {
        if text.contains("simple-chapters") || text.contains("psc:chapter") {
            return Some(Format::Psc);
        }
        return None;
    }
    if text.starts_with("+++") || text.starts_with("---") {
        return Some(Format::Notes);
    }
    // LF, CRLF and a lone CR (old Mac) all end a line.
    let lines: Vec<&str> = text
        .split(['\n', '\r'])
        .filter(|l| !l.trim().is_empty())
        .collect();
    let first = lines.first()?;
    if first.to_ascii_lowercase().starts_with("name\tstart\t") {
        return Some(Format::Audition);
    }
    if lines.iter().any(|l| is_cue_track(l)) {
        return Some(Format::Cue);
    }
    if lines.iter().all(|l| audacity::looks_like_label(l)) {
        return Some(Format::Audacity);
    }
    let stamps: Vec<Option<&str>> = lines.iter().map(|l| youtube::leading_stamp(l)).collect();
    if stamps.iter().all(Option::is_some) {
        let stamps: Vec<&str> = stamps.into_iter().flatten().collect();
        if stamps.iter().any(|s| s.contains('.')) {
            return Some(Format::Mp4chaps);
        }
        if stamps
            .iter()
            .all(|s| s.split(':').next().is_some_and(|f| f.len() >= 2))
        {
            return Some(Format::Spotify);
        }
        return Some(Format::Youtube);
    }
    if stamps.iter().any(Option::is_some) {
        return Some(Format::Notes);
    }
    None
}

/// Whether a line is a CUE `TRACK nn AUDIO` command.
fn is_cue_track(line: &str) -> bool {
    let mut words = line.split_whitespace();
    words
        .next()
        .is_some_and(|w| w.eq_ignore_ascii_case("TRACK"))
        && words
            .next()
            .is_some_and(|n| n.bytes().all(|b| b.is_ascii_digit()))
        && words.next().is_some()
}

/// Chapters as read from a file, in time order, with the warnings reading
/// gave (such as `chapters-unsorted` when the file listed them out of order).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Parsed {
    pub chapters: Vec<Chapter>,
    pub warnings: Vec<Diagnostic>,
}

/// Reads chapters in `format` from a text source. Chapters come back sorted
/// by time; when the file had them out of order, a `chapters-unsorted`
/// warning says so. `id3` is binary: use [`read_id3`].
pub fn read(format: Format, src: &Source) -> Result<Parsed, ReadError> {
    let mut warnings = Vec::new();
    let chapters = match format {
        Format::Notes => {
            return Err(ReadError::new(
                "notes files are read by the notes parser, not the chapter readers",
                None,
            )
            .help("read the notes with `shownotes chapters NOTES --to FMT`"))
        }
        Format::Json => json::read(src)?,
        Format::Psc => psc::read(src)?,
        Format::Mp4chaps => mp4chaps::read(src)?,
        Format::Ffmetadata => {
            let (chapters, w) = ffmetadata::read(src)?;
            warnings.extend(w);
            chapters
        }
        Format::Vtt => vtt::read(src)?,
        Format::Audacity => audacity::read(src)?,
        Format::Audition => audition::read(src)?,
        Format::Cue => cue::read(src)?,
        Format::Youtube => youtube::read(src)?,
        Format::Spotify => spotify::read(src)?,
        Format::Id3 => {
            return Err(ReadError::new(
                "`id3` chapters are read from the MP3's bytes, not text",
                None,
            )
            .help("read the file's bytes with `chapters::read_id3`"))
        }
    };
    Ok(finish(chapters, warnings))
}

/// Reads the ID3v2 CHAP/CTOC chapters of an MP3 file's bytes. Chapters come
/// back in time order, as [`read`] does.
pub fn read_id3(bytes: &[u8]) -> Result<Parsed, ReadError> {
    Ok(finish(id3::read(bytes)?, Vec::new()))
}

/// Reads the ID3v2 CHAP/CTOC chapters of the MP3 file at `path`, reading
/// only its tag.
pub fn read_id3_file(path: &Path) -> Result<Parsed, ReadError> {
    Ok(finish(id3::read_file(path)?, Vec::new()))
}

/// Sorts chapters by time (stable), warning `chapters-unsorted` when they
/// were not. DAW exports are often unsorted (PLATFORMS.md "Chapter formats",
/// podlove/podlove-publisher#1416), and Podlove readers re-sort by time.
fn finish(mut chapters: Vec<Chapter>, mut warnings: Vec<Diagnostic>) -> Parsed {
    gate_urls(&mut chapters, &mut warnings);
    if let Some(i) = (1..chapters.len()).find(|&i| chapters[i].start < chapters[i - 1].start) {
        let (ch, prev) = (&chapters[i], &chapters[i - 1]);
        warnings.push(
            Diagnostic::new(
                Code::ChaptersUnsorted,
                format!(
                    "chapters are not in time order: `{}` at `{}` comes after `{}` at `{}`; they were sorted",
                    ch.title, ch.start, prev.title, prev.start
                ),
            )
            .at_opt(ch.line_span())
            .label("earlier than the chapter before it")
            .help("check the sorted chapters; DAW exports often list markers out of order"),
        );
        chapters.sort_by_key(|c| c.start);
    }
    Parsed { chapters, warnings }
}

/// Passes every chapter's `url` and `img` through the URL gate
/// ([`crate::links::gate`]): one that fails is removed and reported
/// (`link-unsafe-scheme` or `link-invalid`, errors, at the chapter's line),
/// so no script URL read from any chapter format reaches an output.
fn gate_urls(chapters: &mut [Chapter], diags: &mut Vec<Diagnostic>) {
    for ch in chapters {
        let span = ch.line_span();
        for field in [&mut ch.url, &mut ch.img] {
            let Some(u) = field.take() else { continue };
            match crate::links::gate(&u) {
                Ok(safe) => *field = Some(safe),
                Err(p) => diags.push(p.diagnostic(&u, span)),
            }
        }
    }
}

/// Chapters as every writer puts them out: titles without control
/// characters (a line break or a NUL would break a line-based format; each
/// run becomes one space) or invisible ones (bidi controls, zero-width
/// characters: removed), and only the `url` / `img` that pass the URL gate.
pub fn for_output(chapters: &[Chapter]) -> Vec<Chapter> {
    chapters
        .iter()
        .map(|c| Chapter {
            title: crate::text::clean(&c.title).into_owned(),
            url: c.url.as_deref().and_then(|u| crate::links::gate(u).ok()),
            img: c.img.as_deref().and_then(|u| crate::links::gate(u).ok()),
            ..c.clone()
        })
        .collect()
}

/// Writes chapters in `format`. `end` is the audio's end, which `vtt` and
/// `ffmetadata` need for the last chapter (unless it has its own `end`).
/// Chapters are written in time order.
pub fn write(
    format: Format,
    chapters: &[Chapter],
    end: Option<Timestamp>,
) -> Result<String, WriteError> {
    let mut sorted = for_output(chapters);
    sorted.sort_by_key(|c| c.start);
    let chapters = &sorted[..];
    Ok(match format {
        Format::Notes => write_notes(chapters),
        Format::Json => json::write(chapters),
        Format::Psc => psc::write(chapters),
        Format::Mp4chaps => mp4chaps::write(chapters),
        Format::Ffmetadata => ffmetadata::write(chapters, end)?,
        Format::Vtt => vtt::write(chapters, end)?,
        Format::Audacity => audacity::write(chapters),
        Format::Audition => audition::write(chapters),
        Format::Cue => cue::write(chapters, None),
        Format::Youtube => youtube::write(chapters),
        Format::Spotify => spotify::write(chapters),
        Format::Id3 => return Err(WriteError::new(
            "`id3` chapters live inside an MP3, not in a text file",
        )
        .help("write them into the MP3 with `shownotes embed AUDIO.mp3 --chapters SRC -o OUT`")),
    })
}

/// Writes a notes-style "Chapters" list: `HH:MM:SS Title` lines (the form
/// Apple Podcasts reads from a description: podcasters.apple.com/support/5482).
fn write_notes(chapters: &[Chapter]) -> String {
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

/// The end of each chapter: its own `end` when that lies between its start
/// and the next chapter's, else the next chapter's start; the last one ends
/// at its own `end` or the audio's. `None` for a last chapter with neither.
/// `chapters` must be sorted.
pub fn ends(chapters: &[Chapter], audio_end: Option<Timestamp>) -> Vec<Option<Timestamp>> {
    chapters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let limit = chapters.get(i + 1).map(|n| n.start).or(audio_end);
            match (c.end, limit) {
                (Some(e), Some(l)) if e > c.start && e <= l => Some(e),
                (Some(e), None) if e > c.start => Some(e),
                (_, l) => l,
            }
        })
        .collect()
}

/// Checks that the last chapter can be given an end for a format whose
/// every entry needs one (`vtt`, `ffmetadata`).
pub(crate) fn require_ends(
    format: Format,
    chapters: &[Chapter],
    audio_end: Option<Timestamp>,
) -> Result<Vec<Timestamp>, WriteError> {
    if let (Some(last), Some(end)) = (chapters.last(), audio_end) {
        if last.start >= end {
            return Err(WriteError::new(format!(
                "the last chapter `{}` starts at `{}`, at or after the audio's end `{}`",
                last.title,
                last.start,
                end.display(Style::Precise)
            ))
            .help("fix the chapter's time, or check that this is the right audio file"));
        }
    }
    ends(chapters, audio_end)
        .into_iter()
        .zip(chapters)
        .map(|(e, c)| {
            e.ok_or_else(|| {
                WriteError::new(format!(
                    "`{format}` needs the end of the last chapter `{}`, and the audio's end is not known",
                    c.title
                ))
                .help("pass the audio with `--audio FILE`, so its length ends the last chapter")
            })
        })
        .collect()
}

/// The lines of a source: 1-based number, byte span without the line end,
/// and text.
pub(crate) fn lines(src: &Source) -> impl Iterator<Item = (usize, Span, &str)> {
    let text = src.text.as_str();
    let mut start = 0;
    text.split_inclusive('\n').enumerate().map(move |(i, raw)| {
        let body = raw.strip_suffix('\n').unwrap_or(raw);
        let body = body.strip_suffix('\r').unwrap_or(body);
        let span = Span::new(start, start + body.len());
        start += raw.len();
        (i + 1, span, body)
    })
}

/// The span of `part`, a subslice of `whole` which starts at `whole_span`.
pub(crate) fn sub_span(whole: &str, whole_span: Span, part: &str) -> Span {
    let offset = (part.as_ptr() as usize).saturating_sub(whole.as_ptr() as usize);
    let offset = offset.min(whole.len());
    Span::new(
        whole_span.start + offset,
        whole_span.start + offset + part.len(),
    )
}

/// A title for a line-based format: line breaks become spaces.
pub(crate) fn one_line(title: &str) -> String {
    title.replace("\r\n", " ").replace(['\n', '\r'], " ")
}

/// Parses Normal Play Time (RFC 2326 §3.6, as Podlove Simple Chapters 1.2
/// uses it: `37`, `7:48`, `35:12.250`, `01:35:52`, `05:12:03.500`; source:
/// PLATFORMS.md "Chapter formats"). Fields after the first have one or two
/// digits and are below 60; the fraction may have any number of digits and
/// is rounded to the millisecond. Also used for the clock times of mp4chaps,
/// WebVTT and Audition, which are its subsets.
pub(crate) fn parse_npt(s: &str) -> Result<Timestamp, String> {
    let s = s.trim();
    if s.is_empty() {
        return Err("the time is empty".into());
    }
    let (clock, fraction) = match s.split_once('.') {
        Some((c, f)) => (c, Some(f)),
        None => (s, None),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    if fields.len() > 3 {
        return Err(format!(
            "`{s}` has {} fields; a time has at most three (`H:MM:SS`)",
            fields.len()
        ));
    }
    let mut total: u64 = 0;
    for (i, field) in fields.iter().enumerate() {
        if field.is_empty() || !field.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!("`{s}` is not a time: `{field}` is not a number"));
        }
        let value: u64 = field
            .parse()
            .map_err(|_| format!("`{s}` is too large a time"))?;
        if i > 0 {
            let name = if i + 1 == fields.len() {
                "seconds"
            } else {
                "minutes"
            };
            if field.len() > 2 || value >= 60 {
                return Err(format!(
                    "`{s}` is not a time: {name} `{field}` must be below 60"
                ));
            }
        }
        total = total
            .checked_mul(60)
            .and_then(|t| t.checked_add(value))
            .ok_or_else(|| format!("`{s}` is too large a time"))?;
    }
    let mut ms = total
        .checked_mul(1000)
        .ok_or_else(|| format!("`{s}` is too large a time"))?;
    if let Some(f) = fraction {
        if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
            return Err(format!(
                "`{s}` is not a time: the fraction `.{f}` must be digits"
            ));
        }
        ms += fraction_ms(f);
    }
    Ok(Timestamp::from_ms(ms))
}

/// Parses a number of seconds with an optional fraction (`12`, `12.5`,
/// `12,5`), rounded to the millisecond.
pub(crate) fn parse_seconds(s: &str) -> Result<Timestamp, String> {
    let t = s.trim();
    let (int, frac) = match t.split_once(['.', ',']) {
        Some((i, f)) => (i, f),
        None => (t, ""),
    };
    let digits = |x: &str| x.bytes().all(|b| b.is_ascii_digit());
    if int.is_empty() && frac.is_empty() || !digits(int) || !digits(frac) {
        if t.starts_with('-') {
            return Err(format!("`{t}` is negative; times start at 0"));
        }
        return Err(format!("`{t}` is not a number of seconds"));
    }
    let secs: u64 = if int.is_empty() {
        0
    } else {
        int.parse()
            .map_err(|_| format!("`{t}` is too large a time"))?
    };
    let ms = secs
        .checked_mul(1000)
        .and_then(|m| {
            m.checked_add(if frac.is_empty() {
                0
            } else {
                fraction_ms(frac)
            })
        })
        .filter(|&m| m < u64::MAX / 4)
        .ok_or_else(|| format!("`{t}` is too large a time"))?;
    Ok(Timestamp::from_ms(ms))
}

/// Milliseconds of a decimal fraction's digits, rounded (`5` → 500,
/// `2504` → 250, `2505` → 251).
fn fraction_ms(digits: &str) -> u64 {
    let mut padded: String = digits.chars().take(4).collect();
    while padded.len() < 4 {
        padded.push('0');
    }
    let n: u64 = padded.parse().unwrap_or(0);
    (n + 5) / 10
}

/// Seconds with six decimals, as Audacity writes them: `75.250000`.
pub(crate) fn secs_decimal(t: Timestamp) -> String {
    format!("{}.{:03}000", t.as_ms() / 1000, t.as_ms() % 1000)
}

#[cfg(test)]
mod format_tests {
    use super::*;

    fn ts(ms: u64) -> Timestamp {
        Timestamp::from_ms(ms)
    }

    #[test]
    fn format_names_match_the_cli() {
        use clap::ValueEnum;
        let names: Vec<String> = Format::value_variants()
            .iter()
            .map(|f| f.to_possible_value().unwrap().get_name().to_string())
            .collect();
        assert_eq!(
            names,
            [
                "notes",
                "json",
                "psc",
                "mp4chaps",
                "ffmetadata",
                "vtt",
                "audacity",
                "audition",
                "cue",
                "youtube",
                "spotify",
                "id3"
            ]
        );
        for f in Format::ALL {
            assert_eq!(f.to_possible_value().unwrap().get_name(), f.name());
        }
    }

    #[test]
    fn guesses_by_extension_then_content() {
        let g = |p: &str, c: &str| Format::guess(Some(Path::new(p)), c.as_bytes());
        assert_eq!(g("c.json", ""), Some(Format::Json));
        assert_eq!(g("C.PSC", ""), Some(Format::Psc));
        assert_eq!(g("c.vtt", ""), Some(Format::Vtt));
        assert_eq!(g("c.cue", ""), Some(Format::Cue));
        assert_eq!(g("e.mp3", ""), Some(Format::Id3));
        assert_eq!(g("notes.md", ""), Some(Format::Notes));
        assert_eq!(g("m.csv", ""), Some(Format::Audition));
        assert_eq!(g("c.txt", ";FFMETADATA1\n"), Some(Format::Ffmetadata));
        assert_eq!(g("c.txt", "\u{feff}WEBVTT\n\n"), Some(Format::Vtt));
        assert_eq!(
            g("c.txt", "0.000000\t0.000000\tIntro\n\\\t1\t2\n"),
            Some(Format::Audacity)
        );
        assert_eq!(
            g("c.txt", "00:00:00.000 Intro\n00:01:00.000 B\n"),
            Some(Format::Mp4chaps)
        );
        assert_eq!(g("c.txt", "00:00 Intro\n01:00 B\n"), Some(Format::Spotify));
        assert_eq!(g("c.txt", "0:00 Intro\n1:00 B\n"), Some(Format::Youtube));
        assert_eq!(
            g("c.txt", "Hello.\n\nChapters\n00:00 Intro\n"),
            Some(Format::Notes)
        );
        assert_eq!(g("c.txt", "just words\n"), Some(Format::Notes));
        assert_eq!(
            g("c.txt", "FILE \"a.mp3\" MP3\nTRACK 01 AUDIO\n"),
            Some(Format::Cue)
        );
        assert_eq!(
            g(
                "m.csv",
                "Name\tStart\tDuration\tTime Format\tType\tDescription\n"
            ),
            Some(Format::Audition)
        );
        let none = |c: &[u8]| Format::guess(None, c);
        assert_eq!(none(b"ID3\x04\0"), Some(Format::Id3));
        assert_eq!(none(b"\xff\xfb\x90\x64"), Some(Format::Id3));
        assert_eq!(none(b"{\"chapters\":[]}"), Some(Format::Json));
        assert_eq!(
            none(b"<?xml version=\"1.0\"?><psc:chapters xmlns:psc=\"http://podlove.org/simple-chapters\"/>"),
            Some(Format::Psc)
        );
        assert_eq!(none(b"<html></html>"), None);
        assert_eq!(none(b"+++\ntitle = \"x\"\n+++\n"), Some(Format::Notes));
        assert_eq!(none(b"just words\n"), None);
        assert_eq!(none(b""), None);
    }

    #[test]
    fn normal_play_time_and_seconds_parse() {
        let npt = |s: &str| parse_npt(s).map(Timestamp::as_ms);
        assert_eq!(npt("37"), Ok(37_000));
        assert_eq!(npt("7:48"), Ok(468_000));
        assert_eq!(npt("35:12.250"), Ok(2_112_250));
        assert_eq!(npt("01:35:52"), Ok(5_752_000));
        assert_eq!(npt("05:12:03.500"), Ok(18_723_500));
        assert_eq!(npt("1:1:1.1"), Ok(3_661_100));
        assert_eq!(npt("0.0005"), Ok(1));
        assert_eq!(npt("0.9999"), Ok(1000));
        assert!(npt("1:60").unwrap_err().contains("`60` must be below 60"));
        assert!(npt("1:2:3:4").is_err());
        assert!(npt("").is_err());
        assert!(npt("1:").is_err());
        assert!(npt("1.").is_err());
        assert!(npt("99999999999999999999").is_err());
        let secs = |s: &str| parse_seconds(s).map(Timestamp::as_ms);
        assert_eq!(secs("12"), Ok(12_000));
        assert_eq!(secs("12.5"), Ok(12_500));
        assert_eq!(secs("12,5"), Ok(12_500));
        assert_eq!(secs(".5"), Ok(500));
        assert_eq!(secs("75.250000"), Ok(75_250));
        assert!(secs("-1").unwrap_err().contains("negative"));
        assert!(secs("x").is_err());
        assert!(secs("").is_err());
        assert!(secs(".").is_err());
        assert_eq!(secs_decimal(ts(75_250)), "75.250000");
    }

    #[test]
    fn reading_sorts_and_warns() {
        let src = Source::new("l.txt", "0\t0\tA\n60\t60\tC\n30\t30\tB\n");
        let p = read(Format::Audacity, &src).unwrap();
        let titles: Vec<&str> = p.chapters.iter().map(|c| c.title.as_str()).collect();
        assert_eq!(titles, ["A", "B", "C"]);
        assert_eq!(p.warnings.len(), 1);
        assert_eq!(p.warnings[0].code, Code::ChaptersUnsorted);
        assert_eq!(src.position(p.warnings[0].span.unwrap().start).line, 3);
        let sorted = read(Format::Audacity, &Source::new("l", "0\t0\tA\n1\t1\tB\n")).unwrap();
        assert!(sorted.warnings.is_empty());
    }

    #[test]
    fn notes_and_id3_are_not_read_as_text() {
        let src = Source::new("n.md", "00:00 Intro\n");
        assert!(read(Format::Notes, &src)
            .unwrap_err()
            .message
            .contains("notes parser"));
        assert!(read(Format::Id3, &src).unwrap_err().message.contains("MP3"));
        assert!(write(Format::Id3, &[], None)
            .unwrap_err()
            .help
            .unwrap()
            .contains("embed"));
    }

    #[test]
    fn writes_notes_and_sorts_before_writing() {
        let c = vec![
            Chapter::new(ts(3_912_500), "Late"),
            Chapter::new(ts(0), "Intro\nsplit"),
        ];
        assert_eq!(
            write(Format::Notes, &c, None).unwrap(),
            "Chapters\n00:00:00 Intro split\n01:05:12 Late\n"
        );
    }

    #[test]
    fn chapter_urls_pass_the_gate_in_every_reader() {
        let json = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"A","url":"JavaScript:alert(1)","img":"data:image/png;base64,AA"},{"startTime":5,"title":"B","url":"https://a.org/x y"}]}"#;
        let p = read(Format::Json, &Source::new("c.json", json)).unwrap();
        let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
        assert_eq!(codes, [Code::LinkUnsafeScheme, Code::LinkUnsafeScheme]);
        assert_eq!(
            (p.chapters[0].url.as_deref(), p.chapters[0].img.as_deref()),
            (None, None)
        );
        assert_eq!(p.chapters[1].url.as_deref(), Some("https://a.org/x%20y"));
        let psc = r#"<psc:chapters version="1.2" xmlns:psc="http://podlove.org/simple-chapters"><psc:chapter start="0" title="A" href="file:///etc/passwd"/></psc:chapters>"#;
        let p = read(Format::Psc, &Source::new("c.psc", psc)).unwrap();
        assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
        assert_eq!(p.chapters[0].url, None);
        let mp4 = "00:00:00.000 A <intent://x.org/#Intent;end>\n00:00:05.000 B\n";
        let p = read(Format::Mp4chaps, &Source::new("c.txt", mp4)).unwrap();
        assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
        let mp3 = id3::tests::tag(
            4,
            &[id3::tests::chap_frame(
                4,
                "c0",
                0,
                1000,
                "A",
                Some("javascript:alert(1)"),
            )],
        );
        let p = read_id3(&mp3).unwrap();
        assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
        assert_eq!(p.chapters[0].url, None);
    }

    #[test]
    fn every_writer_keeps_controls_and_invisibles_out() {
        let mut c = vec![
            Chapter::new(ts(0), "A\r\nB\0C\u{1b}[31mD\u{202E}E\u{2028}F"),
            Chapter::new(ts(10_000), "Two"),
        ];
        c[0].url = Some("https://a.org/\n00:00:09.000 Injected".into());
        c[1].end = Some(ts(20_000));
        for &f in Format::ALL.iter().filter(|f| f.is_writable()) {
            let out = write(f, &c, Some(ts(20_000))).unwrap();
            assert!(
                !out.chars()
                    .any(|ch| (ch.is_control() && ch != '\n' && ch != '\t')
                        || crate::text::is_invisible(ch)
                        || ch == '\u{2028}'),
                "{f}: {out:?}"
            );
            assert!(!out.contains("Injected"), "{f}: {out}");
            assert!(out.contains("A B C [31mDE F"), "{f}: {out}");
        }
    }

    #[test]
    fn ends_come_from_the_next_chapter_or_the_audio() {
        let mut c = vec![
            Chapter::new(ts(0), "A"),
            Chapter::new(ts(10_000), "B"),
            Chapter::new(ts(20_000), "C"),
        ];
        c[0].end = Some(ts(5_000));
        c[1].end = Some(ts(25_000)); // overlaps the next chapter: ignored
        assert_eq!(ends(&c, None), [Some(ts(5_000)), Some(ts(20_000)), None]);
        assert_eq!(ends(&c, Some(ts(30_000)))[2], Some(ts(30_000)));
        c[2].end = Some(ts(28_000));
        assert_eq!(ends(&c, Some(ts(30_000)))[2], Some(ts(28_000)));
        assert_eq!(ends(&c, None)[2], Some(ts(28_000)));
        let e = require_ends(Format::Vtt, &c, Some(ts(20_000))).unwrap_err();
        assert!(
            e.message.contains("at or after the audio's end"),
            "{}",
            e.message
        );
    }

    #[test]
    fn read_errors_locate_themselves() {
        let src = Source::new("c.cue", "TRACK 01 AUDIO\n  INDEX 01 00:00:80\n");
        let e = read(Format::Cue, &src).unwrap_err();
        assert!(
            e.located(&src).starts_with("c.cue:2:12: "),
            "{}",
            e.located(&src)
        );
        assert_eq!(ReadError::new("x", None).located(&src), "c.cue: x");
    }
}

/// The limits chapters are checked against; `shownotes.toml` `[chapters]`
/// may change the counts.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// YouTube, Spotify and Apple Podcasts show chapters only from 3 on.
    /// Source: PLATFORMS.md (9to5google 2020-05-28; Spotify help 360043932711;
    /// podcasters.apple.com/support/5482).
    pub min_count: usize,
    /// YouTube drops chapters shorter than 10 s, silently.
    /// Source: PLATFORMS.md (support.vevo.com "YouTube Chapters"; glacials/splits-io#755).
    pub min_seconds: u64,
    /// YouTube shows up to 70 characters of a title (Vevo page); Spotify
    /// advises 40 (Spotify help 360043932711).
    pub max_title_chars: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_count: 3,
            min_seconds: 10,
            max_title_chars: 70,
        }
    }
}

/// Checks a chapter list against the rules, and against the audio's end
/// when it is known. An empty list gives nothing: the caller decides
/// whether a missing list is worth `chapters-missing`.
pub fn check(chapters: &[Chapter], rules: &Rules, audio_end: Option<Timestamp>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(first) = chapters.first() else {
        return out;
    };
    if first.start != Timestamp::ZERO {
        out.push(
            Diagnostic::new(
                Code::ChapterFirstNotZero,
                format!(
                    "the first chapter starts at `{}`, not at `00:00`",
                    first.start
                ),
            )
            .at_opt(first.span)
            .label("platforms show chapters only when the first starts at zero")
            .help("add a first chapter at `00:00`, such as `00:00 Intro`"),
        );
    }
    if chapters.len() < rules.min_count {
        out.push(
            Diagnostic::new(
                Code::ChapterTooFew,
                format!(
                    "{} chapter{}, but YouTube, Spotify and Apple Podcasts need at least {}",
                    chapters.len(),
                    if chapters.len() == 1 { "" } else { "s" },
                    rules.min_count
                ),
            )
            .at_opt(first.span)
            .help(format!(
                "add chapters until there are at least {}",
                rules.min_count
            )),
        );
    }
    let mut seen_titles: std::collections::HashMap<String, &Chapter> =
        std::collections::HashMap::new();
    for (i, ch) in chapters.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| &chapters[p]) {
            if ch.start == prev.start {
                out.push(
                    Diagnostic::new(
                        Code::ChapterDuplicateStart,
                        format!("two chapters start at `{}`", ch.start),
                    )
                    .at_opt(ch.span)
                    .label(format!("`{}` also starts here", prev.title))
                    .help("give each chapter its own start time, or merge the two"),
                );
            } else if ch.start < prev.start {
                out.push(
                    Diagnostic::new(
                        Code::ChapterOutOfOrder,
                        format!(
                            "chapter `{}` at `{}` comes after `{}` at `{}`",
                            ch.title, ch.start, prev.title, prev.start
                        ),
                    )
                    .at_opt(ch.span)
                    .label("earlier than the chapter before it")
                    .help("list chapters in increasing order of time, or fix the timestamp"),
                );
            }
        }
        if let Some(end) = audio_end {
            if ch.start >= end {
                out.push(
                    Diagnostic::new(
                        Code::ChapterPastEnd,
                        format!(
                            "chapter `{}` starts at `{}`, at or after the audio's end `{}`",
                            ch.title,
                            ch.start,
                            end.display(Style::Precise)
                        ),
                    )
                    .at_opt(ch.span)
                    .label("past the end of the audio")
                    .help("fix the timestamp, or check that this is the right audio file"),
                );
            }
        }
        let next_start = chapters.get(i + 1).map(|n| n.start).or(audio_end);
        if let Some(next) = next_start {
            let len = next.as_ms().saturating_sub(ch.start.as_ms());
            let past_end = audio_end.is_some_and(|e| ch.start >= e);
            if next > ch.start && len < rules.min_seconds.saturating_mul(1000) && !past_end {
                let last = i + 1 == chapters.len();
                out.push(
                    Diagnostic::new(
                        Code::ChapterTooShort,
                        format!(
                            "chapter `{}` lasts {}{}, under YouTube's minimum of {} s",
                            ch.title,
                            fmt_secs(len),
                            if last { " to the audio's end" } else { "" },
                            rules.min_seconds
                        ),
                    )
                    .at_opt(ch.span)
                    .platform("youtube")
                    .help("merge it with a neighbour or move a timestamp"),
                );
            }
        }
        let title = ch.title.trim();
        if title.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::ChapterTitleEmpty,
                    format!("the chapter at `{}` has no title", ch.start),
                )
                .at_opt(ch.span)
                .help("write a title after the timestamp, such as `00:00 Intro`"),
            );
            continue;
        }
        let chars = title.chars().count();
        if chars > rules.max_title_chars {
            out.push(
                Diagnostic::new(
                    Code::ChapterTitleTooLong,
                    format!(
                        "the title of the chapter at `{}` has {chars} characters; YouTube shows {}",
                        ch.start, rules.max_title_chars
                    ),
                )
                .at_opt(ch.title_span.or(ch.span))
                .help("shorten the title (Spotify advises under 40 characters)"),
            );
        }
        let key = title.to_lowercase();
        if let Some(other) = seen_titles.get(&key) {
            out.push(
                Diagnostic::new(
                    Code::ChapterDuplicateTitle,
                    format!(
                        "chapters at `{}` and `{}` are both titled `{title}`",
                        other.start, ch.start
                    ),
                )
                .at_opt(ch.title_span.or(ch.span))
                .help("give each chapter a title of its own"),
            );
        } else {
            seen_titles.insert(key, ch);
        }
    }
    out
}

fn fmt_secs(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.3} s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chs(list: &[(&str, &str)]) -> Vec<Chapter> {
        list.iter()
            .map(|(t, title)| Chapter::new(Timestamp::parse(t).unwrap(), *title))
            .collect()
    }

    fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
        d.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_good_list_passes() {
        let c = chs(&[("0:00", "Intro"), ("1:00", "Middle"), ("2:00", "Outro")]);
        assert!(check(&c, &Rules::default(), None).is_empty());
        assert!(check(&c, &Rules::default(), Some(Timestamp::from_ms(200_000))).is_empty());
    }

    #[test]
    fn each_rule_fires() {
        let r = Rules::default();
        assert_eq!(
            codes(&check(
                &chs(&[("0:05", "A"), ("1:00", "B"), ("2:00", "C")]),
                &r,
                None
            )),
            ["chapter-first-not-zero"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("1:00", "B")]), &r, None)),
            ["chapter-too-few"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("2:00", "B"), ("1:00", "C")]),
                &r,
                None
            )),
            ["chapter-out-of-order"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("1:00", "B"), ("1:00", "C")]),
                &r,
                None
            )),
            ["chapter-duplicate-start"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("0:05", "B"), ("1:00", "C")]),
                &r,
                None
            )),
            ["chapter-too-short"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("1:00", "a"), ("2:00", "")]),
                &r,
                None
            )),
            ["chapter-duplicate-title", "chapter-title-empty"]
        );
        let long = "x".repeat(71);
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("1:00", "B"), ("2:00", &long)]),
                &r,
                None
            )),
            ["chapter-title-too-long"]
        );
    }

    #[test]
    fn audio_end_bounds_the_last_chapter() {
        let r = Rules::default();
        let c = chs(&[("0:00", "A"), ("1:00", "B"), ("2:00", "C")]);
        let d = check(&c, &r, Some(Timestamp::from_ms(125_000)));
        assert_eq!(codes(&d), ["chapter-too-short"]);
        assert!(
            d[0].message.contains("to the audio's end"),
            "{}",
            d[0].message
        );
        let d = check(&c, &r, Some(Timestamp::from_ms(120_000)));
        assert_eq!(codes(&d), ["chapter-past-end"]);
    }
}
