//! Rendering each platform's output: the context the templates receive
//! (built from the notes, the show config and the audio), and the
//! minijinja environment that renders the built-in templates or a show's
//! overrides — sandboxed, with strict undefined variables, a fuel limit,
//! and escaping chosen by the template's extension.

pub mod limits;
pub mod xml;

use std::path::Path;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Arc;

use minijinja::value::Value;
use minijinja::{AutoEscape, Environment, UndefinedBehavior};
use serde::Serialize;

use crate::audio::AudioInfo;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::links::{self, Kind, Link};
use crate::notes::{Block, Notes};
use crate::platform::{self, spotify, youtube, Escape, PlatformId};
use crate::source::Span;
use crate::text;
use crate::timestamp::Style;

/// What every template receives (`shownotes context` prints it). Field
/// order is the JSON's order.
#[derive(Clone, Debug, Serialize)]
pub struct Context {
    pub show: ShowCtx,
    pub episode: EpisodeCtx,
    /// The body, block by block, in order.
    pub blocks: Vec<BlockCtx>,
    /// Every chapter, with its timestamp in each platform's form.
    pub chapters: Vec<ChapterCtx>,
    /// The show's footer (config `[show] footer`), line by line; empty when
    /// there is none or the notes already hold it.
    pub footer: Vec<Vec<Segment>>,
    /// The audio, when one was given and could be read.
    pub audio: Option<AudioCtx>,
    /// The rendered Apple and Spotify HTML, for the RSS item's
    /// `<description>` and `<content:encoded>`; `null` for the other
    /// templates, which are rendered first.
    pub html: Option<HtmlCtx>,
}

/// `[show]` from the config.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ShowCtx {
    pub title: Option<String>,
    pub website: Option<String>,
    pub language: Option<String>,
}

/// The episode, from the front matter (and the config for its URL).
#[derive(Clone, Debug, Default, Serialize)]
pub struct EpisodeCtx {
    /// The front matter's `title`, else the first line of the notes.
    pub title: String,
    pub number: Option<u64>,
    pub season: Option<u64>,
    /// As written in the front matter.
    pub date: Option<String>,
    /// RFC 2822, for `<pubDate>`.
    pub pub_date: Option<String>,
    /// The front matter's `url`, else `[show] episode_url` with the number.
    pub url: Option<String>,
    /// The front matter's `guid`, else the episode URL.
    pub guid: Option<String>,
    /// Whether `guid` is the episode URL.
    pub guid_is_permalink: bool,
    pub image: Option<String>,
    pub explicit: Option<bool>,
    /// `full` (default), `trailer` or `bonus`.
    pub episode_type: String,
}

/// A block of the body.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BlockCtx {
    Heading {
        level: u8,
        text: String,
    },
    /// Lines of text, each a run of text and link segments.
    Paragraph {
        lines: Vec<Vec<Segment>>,
    },
    /// A link list ("Learn more:").
    Links {
        label: String,
        items: Vec<LinkItem>,
    },
    /// Where the chapter list stands; its chapters are `chapters`.
    Chapters {
        label: String,
    },
}

/// A piece of a line: text, or a link (`url` set) shown as `text`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Segment {
    pub text: String,
    /// The normalized URL (tracking parameters removed); only `http`,
    /// `https` and `mailto`.
    pub url: Option<String>,
    /// The link was written bare (the text is the URL or address itself).
    pub bare: bool,
}

/// An item of a link list.
#[derive(Clone, Debug, Serialize)]
pub struct LinkItem {
    /// The normalized URL; only `http`, `https` and `mailto`.
    pub url: String,
    /// The description, when the item has one.
    pub text: Option<String>,
    /// The URL as shown: the URL, or the address of a `mailto:` link.
    pub display: String,
}

/// A chapter.
#[derive(Clone, Debug, Serialize)]
pub struct ChapterCtx {
    pub start_ms: u64,
    /// YouTube form: `0:00`, `5:32`, `1:05:12`.
    pub youtube: String,
    /// Spotify form: `00:00`, `05:32`, `01:05:12`.
    pub spotify: String,
    /// Apple form: `00:00:00`.
    pub apple: String,
    /// Normal Play Time with milliseconds (Podlove Simple Chapters).
    pub npt: String,
    pub title: String,
}

/// The audio file.
#[derive(Clone, Debug, Serialize)]
pub struct AudioCtx {
    pub file_name: String,
    /// `[show] media_base_url` + the file name (percent-encoded).
    pub url: Option<String>,
    /// `[show] media_base_url` + `<file stem>.chapters.json`.
    pub chapters_url: Option<String>,
    pub bytes: u64,
    pub mime: String,
    pub duration_ms: u64,
    /// Whole seconds, rounded (`<itunes:duration>`).
    pub duration_seconds: u64,
}

/// HTML rendered before the RSS item.
#[derive(Clone, Debug, Serialize)]
pub struct HtmlCtx {
    pub apple: String,
    pub spotify: String,
}

/// Percent-encodes a file name for a URL path.
fn encode_path_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn join_url(base: &str, name: &str) -> String {
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}{}", encode_path_segment(name))
}

/// The text shown for a link written bare: the address of an e-mail link,
/// else the normalized URL.
fn display(link_url: &str) -> String {
    link_url
        .strip_prefix("mailto:")
        .unwrap_or(link_url)
        .to_string()
}

/// Splits `line` (which starts at byte `at` of the source) into text and
/// link segments, using the notes' links found there. A Markdown link
/// `[text](url)` and an autolink `<url>` become one segment each.
///
/// `links` must be sorted by where they start (see [`by_start`]): the
/// line's links are found by binary search, so rendering costs the
/// length of the notes, not lines times links.
fn segments(line: &str, at: usize, links: &[&Link]) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut pos = 0;
    let end = at + line.len();
    let first = links.partition_point(|l| l.span.start < at);
    let last = first + links[first..].partition_point(|l| l.span.start <= end);
    let found = links[first..last]
        .iter()
        .filter(|l| l.kind == Kind::Text && l.span.end <= end);
    for l in found {
        let (s, e) = (l.span.start - at, l.span.end - at);
        if s < pos {
            continue;
        }
        let before = &line[pos..s];
        let (whole_start, whole_end, text, bare) = if let Some(b) = before
            .strip_suffix("](")
            .or_else(|| before.strip_suffix("](<"))
        {
            let open = b.rfind('[');
            let close = line[e..].find(')').map(|i| e + i + 1);
            match (open, close) {
                (Some(o), Some(c)) => (
                    pos + o,
                    c,
                    l.text.clone().unwrap_or_else(|| display(&l.url)),
                    l.text.is_none(),
                ),
                _ => (s, e, display(&l.url), true),
            }
        } else if before.ends_with('<') && line[e..].starts_with('>') {
            (s - 1, e + 1, display(&l.url), true)
        } else {
            (s, e, display(&l.url), true)
        };
        if whole_start > pos {
            push_text(&mut out, &line[pos..whole_start]);
        }
        if platform::allowed_url(&l.url) {
            out.push(Segment {
                text,
                url: Some(l.url.clone()),
                bare,
            });
        } else {
            // Only http, https and mailto links survive: anything else
            // stays as the text it was written as.
            push_text(&mut out, &line[whole_start..whole_end]);
        }
        pos = whole_end;
    }
    if pos < line.len() {
        push_text(&mut out, &line[pos..]);
    }
    out
}

/// Where `line` first occurs in `text` (`text.find(line)`). A paragraph's
/// next line is nearly always a few bytes on (past the line end and the
/// indent): those places are tried first, which costs less than setting
/// up a substring search for every line.
fn find_line(text: &str, line: &str) -> Option<usize> {
    const NEAR: usize = 8;
    for i in 0..=NEAR.min(text.len()) {
        let Some(rest) = text.get(i..) else { continue };
        if rest.starts_with(line) {
            return Some(i);
        }
    }
    // Not within the first `NEAR` bytes (every place there was tried).
    let from = (NEAR + 1).min(text.len());
    let from = (from..=text.len()).find(|&i| text.is_char_boundary(i))?;
    text[from..].find(line).map(|i| from + i)
}

/// The links sorted by where they start (a stable sort: links that start
/// at one place keep the order they were found in), for [`segments`].
fn by_start(links: &[Link]) -> Vec<&Link> {
    let mut sorted: Vec<&Link> = links.iter().collect();
    sorted.sort_by_key(|l| l.span.start);
    sorted
}

fn push_text(out: &mut Vec<Segment>, text: &str) {
    if let Some(Segment {
        text: t, url: None, ..
    }) = out.last_mut()
    {
        t.push_str(text);
    } else {
        out.push(Segment {
            text: text.to_string(),
            url: None,
            bare: false,
        });
    }
}

/// Segments for text that is not in the notes (the footer): links found
/// with the same finder and normalized with the same rules.
fn text_segments(line: &str, rules: &links::Rules) -> Vec<Segment> {
    let mut out = Vec::new();
    let mut pos = 0;
    for f in links::find(line) {
        if f.start < pos {
            continue;
        }
        let raw = &line[f.start..f.end];
        let url = if f.email {
            Some(format!("mailto:{raw}"))
        } else {
            links::normalize(raw, rules).ok().map(|n| n.url)
        };
        match url.filter(|u| platform::allowed_url(u)) {
            Some(url) => {
                if f.start > pos {
                    push_text(&mut out, &line[pos..f.start]);
                }
                out.push(Segment {
                    text: display(&url),
                    url: Some(url),
                    bare: true,
                });
            }
            None => push_text(&mut out, &line[pos..f.end]),
        }
        pos = f.end;
    }
    if pos < line.len() {
        push_text(&mut out, &line[pos..]);
    }
    out
}

/// The episode URL: the front matter's `url`, else `[show] episode_url`
/// with `{episode}` replaced (when the number is known).
fn episode_url(notes: &Notes, config: &Config) -> Option<String> {
    if let Some(u) = &notes.front_matter.url {
        return Some(u.clone());
    }
    let t = config.show.episode_url.as_ref()?;
    let url = match notes.front_matter.episode {
        Some(n) => Some(t.replace("{episode}", &n.to_string())),
        None => (!t.contains("{episode}")).then(|| t.clone()),
    };
    url.and_then(|u| links::gate(&u).ok())
}

/// A URL for the templates: through the URL gate, or left out. (The
/// notes' and the front matter's URLs were reported where they stand when
/// they failed; this is the last gate before any template.)
fn gated(url: Option<&str>) -> Option<String> {
    url.and_then(|u| links::gate(u).ok())
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

impl Context {
    /// Removes invisible characters (bidi controls, zero-width characters)
    /// from every text the templates receive, and turns control characters
    /// into spaces ([`text::clean`]), so that no template, not even one
    /// printing a value `|safe`, can write them.
    fn clean(&mut self) {
        fn c(s: &mut String) {
            if let std::borrow::Cow::Owned(t) = text::clean(s) {
                *s = t;
            }
        }
        fn opt(s: &mut Option<String>) {
            if let Some(s) = s {
                c(s);
            }
        }
        fn segs(lines: &mut [Vec<Segment>]) {
            for seg in lines.iter_mut().flatten() {
                c(&mut seg.text);
            }
        }
        opt(&mut self.show.title);
        opt(&mut self.show.language);
        let e = &mut self.episode;
        c(&mut e.title);
        opt(&mut e.date);
        opt(&mut e.guid);
        c(&mut e.episode_type);
        for b in &mut self.blocks {
            match b {
                BlockCtx::Heading { text, .. } => c(text),
                BlockCtx::Paragraph { lines } => segs(lines),
                BlockCtx::Links { label, items } => {
                    c(label);
                    for i in items {
                        opt(&mut i.text);
                        c(&mut i.display);
                    }
                }
                BlockCtx::Chapters { label } => c(label),
            }
        }
        for ch in &mut self.chapters {
            c(&mut ch.title);
        }
        segs(&mut self.footer);
        if let Some(a) = &mut self.audio {
            c(&mut a.file_name);
        }
    }
}

/// Builds the context the templates receive.
pub fn context(notes: &Notes, config: &Config, audio: Option<&AudioInfo>) -> Context {
    let fm = &notes.front_matter;
    let rules = config.link_rules();
    let text = notes.source.text.as_str();
    let all_links = by_start(&notes.links);
    // The links of each link list, gathered in one pass.
    let mut lists: std::collections::HashMap<usize, Vec<&Link>> = std::collections::HashMap::new();
    for l in &notes.links {
        if let Some(index) = l.list {
            lists.entry(index).or_default().push(l);
        }
    }
    let mut blocks = Vec::new();
    let mut first_line: Option<String> = None;
    let mut note_lines: Vec<&str> = Vec::new();
    for b in &notes.blocks {
        match b {
            Block::Heading { level, text, .. } => {
                first_line.get_or_insert_with(|| text.clone());
                blocks.push(BlockCtx::Heading {
                    level: *level,
                    text: text.clone(),
                });
            }
            Block::Paragraph { lines, span } => {
                let mut cursor = span.start.min(text.len());
                let mut out = Vec::new();
                for line in lines {
                    first_line.get_or_insert_with(|| line.clone());
                    note_lines.push(line.trim());
                    let end = span.end.clamp(cursor, text.len());
                    let at = text
                        .get(cursor..end)
                        .and_then(|t| find_line(t, line))
                        .map(|i| cursor + i);
                    match at {
                        Some(at) => {
                            out.push(segments(line, at, &all_links));
                            cursor = at + line.len();
                        }
                        None => out.push(text_segments(line, &rules)),
                    }
                }
                blocks.push(BlockCtx::Paragraph { lines: out });
            }
            Block::LinkList { label, index, .. } => blocks.push(BlockCtx::Links {
                label: label.clone(),
                items: lists
                    .get(index)
                    .into_iter()
                    .flatten()
                    .filter(|l| platform::allowed_url(&l.url))
                    .map(|l| LinkItem {
                        url: l.url.clone(),
                        text: l.text.clone(),
                        display: display(&l.url),
                    })
                    .collect(),
            }),
            Block::ChapterList { label, .. } => blocks.push(BlockCtx::Chapters {
                label: if label.is_empty() {
                    "Chapters".to_string()
                } else {
                    label.clone()
                },
            }),
        }
    }
    let url = episode_url(notes, config);
    // A footer line whose placeholder has no value (no episode number, so
    // no episode URL) is left out rather than shown dangling.
    let episode = fm.episode.map(|n| n.to_string());
    let footer_text = config.show.footer.as_ref().map(|f| {
        f.lines()
            .filter(|l| {
                !(l.contains("{episode_url}") && url.is_none()
                    || l.contains("{episode}") && episode.is_none())
            })
            .map(|l| {
                l.replace("{episode_url}", url.as_deref().unwrap_or(""))
                    .replace("{episode}", episode.as_deref().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let footer_lines: Vec<&str> = footer_text
        .as_deref()
        .map(|f| {
            let lines: Vec<&str> = f.trim().lines().map(str::trim_end).collect();
            lines
        })
        .unwrap_or_default();
    // Notes that already end with the footer (the Netstack.FM seeds do)
    // do not get it twice.
    let already = !footer_lines.is_empty()
        && footer_lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .all(|l| note_lines.contains(&l.trim()));
    let footer = if already {
        vec![]
    } else {
        footer_lines
            .iter()
            .map(|l| text_segments(l, &rules))
            .collect()
    };
    // A guid from the front matter is an identifier (never a script URL:
    // the front matter reader refuses those) and is not a permalink; the
    // episode URL standing in for it is, when it is an http(s) URL.
    let guid = fm.guid.clone().or_else(|| url.clone());
    let guid_is_permalink = fm.guid.is_none() && url.as_deref().is_some_and(is_http);
    let episode = EpisodeCtx {
        title: fm
            .title
            .clone()
            .or(first_line)
            .unwrap_or_else(|| match fm.episode {
                Some(n) => format!("Episode {n}"),
                None => "Episode".to_string(),
            }),
        number: fm.episode,
        season: fm.season,
        date: fm.date.clone(),
        pub_date: fm.date.as_deref().and_then(platform::rss::rfc2822),
        guid_is_permalink,
        guid,
        url,
        image: gated(fm.image.as_deref()),
        explicit: fm.explicit,
        episode_type: fm.episode_type.clone().unwrap_or_else(|| "full".into()),
    };
    let chapters = notes
        .chapters
        .iter()
        .map(|c| ChapterCtx {
            start_ms: c.start.as_ms(),
            youtube: c.start.display(Style::Short).to_string(),
            spotify: c.start.display(Style::TwoDigit).to_string(),
            apple: c.start.display(Style::Hms).to_string(),
            npt: c.start.display(Style::Precise).to_string(),
            title: c.title.clone(),
        })
        .collect();
    let audio = audio.map(|a| {
        let file_name = a
            .path
            .file_name()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let stem = a
            .path
            .file_stem()
            .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
        let base = config.show.media_base_url.as_deref();
        AudioCtx {
            url: gated(base.map(|b| join_url(b, &file_name)).as_deref()),
            chapters_url: gated(
                base.map(|b| join_url(b, &format!("{stem}.chapters.json")))
                    .as_deref(),
            ),
            file_name,
            bytes: a.bytes,
            mime: a.mime.to_string(),
            duration_ms: a.duration_ms,
            duration_seconds: (a.duration_ms + 500) / 1000,
        }
    });
    let mut ctx = Context {
        show: ShowCtx {
            title: config.show.title.clone(),
            website: gated(config.show.website.as_deref()),
            language: config.show.language.clone(),
        },
        episode,
        blocks,
        chapters,
        footer,
        audio,
        html: None,
    };
    ctx.clean();
    ctx
}

/// Characters XML 1.0 cannot hold (C0 controls but tab, newline and
/// carriage return; U+FFFE, U+FFFF): removed from every output, so
/// every output stays well-formed.
fn xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Escapes text for HTML and XML, content and attribute values alike.
pub fn escape_xml(s: &str) -> String {
    escape_xml_cow(s).into_owned()
}

/// Whether the escapers ([`escape_xml`], [`youtube_text`]) leave `s` as
/// it is: no character they escape, replace or remove (`&<>"'`, CR, XML-
/// invalid controls, invisible characters). The common case — a word, a
/// URL — is answered by one pass over the bytes, without allocating.
fn escapes_nothing(s: &str, table: &[bool; 128]) -> bool {
    if s.is_ascii() {
        // Every XML-invalid and invisible character but the C0 controls
        // is non-ASCII.
        return !s.bytes().any(|b| table[usize::from(b)]);
    }
    !s.chars()
        .any(|c| (c.is_ascii() && table[c as usize]) || xml_invalid(c) || text::is_invisible(c))
}

/// A table of the ASCII bytes an escaper changes: `special`, and the
/// XML-invalid C0 controls (all but tab, LF and CR).
const fn escaped_bytes(special: &[u8]) -> [bool; 128] {
    let mut table = [false; 128];
    let mut b = 0;
    while b < 0x20 {
        table[b] = !matches!(b as u8, b'\t' | b'\n' | b'\r');
        b += 1;
    }
    let mut i = 0;
    while i < special.len() {
        table[special[i] as usize & 0x7f] = true;
        i += 1;
    }
    table
}

/// What [`escape_xml`] changes in ASCII text.
const XML_ESCAPED: [bool; 128] = escaped_bytes(b"&<>\"'");
/// What [`youtube_text`] changes in ASCII text.
const YOUTUBE_ESCAPED: [bool; 128] = escaped_bytes(b"<>\r");

/// [`escape_xml`], borrowed when there is nothing to escape.
fn escape_xml_cow(s: &str) -> std::borrow::Cow<'_, str> {
    if escapes_nothing(s, &XML_ESCAPED) {
        return std::borrow::Cow::Borrowed(s);
    }
    // ASCII holds no invisible character: nothing to strip.
    let s = if s.is_ascii() {
        std::borrow::Cow::Borrowed(s)
    } else {
        text::strip_invisible(s)
    };
    let mut out = String::with_capacity(s.len() + 16);
    // Runs of characters kept as they are are copied at once.
    let mut kept = 0;
    for (i, c) in s.char_indices() {
        let with = match c {
            '&' => "&amp;",
            '<' => "&lt;",
            '>' => "&gt;",
            '"' => "&quot;",
            '\'' => "&#39;",
            c if xml_invalid(c) => "",
            _ => continue,
        };
        out.push_str(&s[kept..i]);
        out.push_str(with);
        kept = i + c.len_utf8();
    }
    out.push_str(&s[kept..]);
    std::borrow::Cow::Owned(out)
}

/// Wraps text in a CDATA section; a `]]>` inside is split across two
/// sections, so it can never end the section early.
pub fn cdata(s: &str) -> String {
    let clean: String = text::strip_invisible(s)
        .chars()
        .filter(|&c| !xml_invalid(c))
        .collect();
    format!("<![CDATA[{}]]>", clean.replace("]]>", "]]]]><![CDATA[>"))
}

/// Plain text for YouTube: `<` and `>` replaced; control characters out.
fn youtube_text(s: &str) -> (String, usize) {
    let (t, n) = youtube_text_cow(s);
    (t.into_owned(), n)
}

/// [`youtube_text`], borrowed when there is nothing to replace.
fn youtube_text_cow(s: &str) -> (std::borrow::Cow<'_, str>, usize) {
    if escapes_nothing(s, &YOUTUBE_ESCAPED) {
        return (std::borrow::Cow::Borrowed(s), 0);
    }
    if s.is_ascii() {
        // No invisible character to strip: one pass, runs copied at once.
        let mut out = String::with_capacity(s.len() + 16);
        let (mut kept, mut n) = (0, 0);
        for (i, b) in s.bytes().enumerate() {
            let with = match b {
                b'<' => "‹",
                b'>' => "›",
                b if YOUTUBE_ESCAPED[usize::from(b)] => "",
                _ => continue,
            };
            n += usize::from(!with.is_empty());
            out.push_str(&s[kept..i]);
            out.push_str(with);
            kept = i + 1;
        }
        out.push_str(&s[kept..]);
        return (std::borrow::Cow::Owned(out), n);
    }
    let clean: String = text::strip_invisible(s)
        .chars()
        .filter(|&c| !xml_invalid(c) && c != '\r')
        .collect();
    let (t, n) = youtube::replace_angles(&clean);
    (std::borrow::Cow::Owned(t), n)
}

/// Why a template could not be used: its file, line, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.located())]
pub struct TemplateError {
    /// The override's path, or `<built-in NAME>`.
    pub path: String,
    pub line: Option<usize>,
    pub message: String,
    /// The template's source, to show the line.
    pub source_text: Option<Box<str>>,
    /// The byte range of the error in the source, when known.
    pub range: Option<std::ops::Range<usize>>,
    /// How to fix it, when there is more to say than the general help.
    pub help: Option<&'static str>,
}

impl TemplateError {
    /// `path:line: message`.
    pub fn located(&self) -> String {
        match self.line {
            Some(l) => format!("{}:{l}: {}", self.path, self.message),
            None => format!("{}: {}", self.path, self.message),
        }
    }

    /// The error rustc-style: message, `--> path:line:col`, the line with a
    /// caret.
    pub fn render(&self, color: bool) -> String {
        use annotate_snippets::{AnnotationKind, Level, Renderer, Snippet};
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        let title = Level::ERROR.primary_title(self.message.as_str());
        let group = match (&self.source_text, self.line) {
            (Some(src), Some(line)) => {
                let source = crate::source::Source::new(self.path.as_str(), &**src);
                let (ls, le) = source.line_range(line);
                let (s, e) = match &self.range {
                    Some(r) if r.start >= ls && r.start <= le => {
                        (r.start, r.end.clamp(r.start, le))
                    }
                    _ => (ls, le),
                };
                let snippet = Snippet::source(&src[ls..le])
                    .line_start(line)
                    .path(self.path.as_str())
                    .annotation(AnnotationKind::Primary.span(s - ls..e - ls));
                title.element(snippet)
            }
            _ => title.element(annotate_snippets::Origin::path(self.path.as_str())),
        };
        let group = group.element(Level::HELP.message(self.help.unwrap_or(
            "templates are minijinja (Jinja2); see `shownotes context NOTES` for the variables",
        )));
        renderer.render(&[group])
    }
}

/// The templates: built in, or a show's overrides, in one sandboxed
/// environment.
pub struct Templates {
    env: Environment<'static>,
    /// Where each template came from (for errors): `(name, path, source)`.
    origins: Vec<(&'static str, String, String)>,
    replaced: Arc<AtomicUsize>,
}

/// Fuel (minijinja instructions) a template may spend: a base plus a share
/// per item of the notes, so a runaway user template stops.
fn fuel_for(ctx: &Context) -> u64 {
    let lines: usize = ctx
        .blocks
        .iter()
        .map(|b| match b {
            BlockCtx::Paragraph { lines } => lines.iter().map(|l| l.len() + 1).sum(),
            BlockCtx::Links { items, .. } => items.len(),
            _ => 1,
        })
        .sum();
    200_000 + 200 * (lines + ctx.chapters.len() + ctx.footer.len()) as u64
}

impl Templates {
    /// Loads the built-in templates, replaced by any file of the same name
    /// in `overrides`.
    pub fn new(overrides: Option<&Path>) -> Result<Templates, TemplateError> {
        let replaced = Arc::new(AtomicUsize::new(0));
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        let syntax = minijinja::syntax::SyntaxConfig::builder()
            .trim_blocks(true)
            .lstrip_blocks(true)
            .keep_trailing_newline(true)
            .build()
            .map_err(|e| TemplateError {
                path: "<syntax>".into(),
                line: None,
                message: e.to_string(),
                source_text: None,
                range: None,
                help: None,
            })?;
        env.set_syntax(syntax);
        limits::install_checked_filters(&mut env);
        // Escaping is the default, by the template's extension: an author
        // cannot forget it (`.html.j2` → HTML, `.xml.j2` → XML, `.txt.j2`
        // → YouTube text).
        env.set_auto_escape_callback(|name| match Escape::for_template(name) {
            Some(e) => AutoEscape::Custom(e.tag().into()),
            None => AutoEscape::None,
        });
        let counter = Arc::clone(&replaced);
        env.set_formatter(move |out, state, value| {
            if value.is_none() {
                return Ok(());
            }
            // A string past the output limit is refused before it is
            // copied; what escaping adds is counted after.
            let pre = value.as_str().map_or(0, str::len);
            limits::count_output(pre)?;
            // A string is escaped where it stands (most need no escaping
            // and are written as they are): no copy per value printed.
            let s = match value.as_str() {
                Some(s) => std::borrow::Cow::Borrowed(s),
                None => std::borrow::Cow::Owned(value.to_string()),
            };
            let escaped = if value.is_safe() {
                std::borrow::Cow::Borrowed(&*s)
            } else {
                match state.auto_escape() {
                    AutoEscape::Custom(tag) if tag == "html" || tag == "xml" => escape_xml_cow(&s),
                    AutoEscape::Custom(tag) if tag == "youtube" => {
                        let (t, n) = youtube_text_cow(&s);
                        counter.fetch_add(n, Ordering::Relaxed);
                        t
                    }
                    _ => std::borrow::Cow::Borrowed(&*s),
                }
            };
            limits::count_output(escaped.len().saturating_sub(pre))?;
            out.write_str(&escaped).map_err(|_| {
                minijinja::Error::new(minijinja::ErrorKind::WriteFailure, "write failed")
            })
        });
        env.add_filter("html", |s: String| Value::from_safe_string(escape_xml(&s)));
        env.add_filter("xml", |s: String| Value::from_safe_string(escape_xml(&s)));
        env.add_filter("cdata", |s: String| Value::from_safe_string(cdata(&s)));
        let counter = Arc::clone(&replaced);
        env.add_filter("youtube_text", move |s: String| {
            let (t, n) = youtube_text(&s);
            counter.fetch_add(n, Ordering::Relaxed);
            Value::from_safe_string(t)
        });
        env.add_filter("spotify_title", |s: String| spotify::plain_title(&s));
        let mut origins = Vec::new();
        for p in platform::all() {
            let name = p.template_name();
            // Anything by a template's name is that template: a FIFO or a
            // device there is an error, not a silent fallback.
            let custom = overrides
                .map(|d| d.join(name))
                .filter(|f| std::fs::symlink_metadata(f).is_ok());
            let (path, source) = match custom {
                Some(f) => {
                    let unreadable = |reason: String| TemplateError {
                        path: f.display().to_string(),
                        line: None,
                        message: format!("cannot read the template: {reason}"),
                        source_text: None,
                        range: None,
                        help: None,
                    };
                    let bytes = crate::regular::read(&f, crate::regular::TEXT_CAP)
                        .map_err(|e| unreadable(e.reason()))?;
                    let src = String::from_utf8(bytes)
                        .map_err(|_| unreadable("it is not UTF-8 text".into()))?;
                    // A lone CR (old Mac line ends) is a line break here too.
                    (f.display().to_string(), crate::source::lone_cr_to_lf(src))
                }
                None => (
                    format!("<built-in {name}>"),
                    p.default_template().to_string(),
                ),
            };
            env.add_template_owned(name, source.clone())
                .map_err(|e| template_error(&e, &path, &source))?;
            origins.push((name, path, source));
        }
        Ok(Templates {
            env,
            origins,
            replaced,
        })
    }

    /// Where a template came from: the override's path, or `<built-in NAME>`.
    pub fn origin(&self, id: PlatformId) -> &str {
        let name = platform::get(id).template_name();
        self.origins
            .iter()
            .find(|o| o.0 == name)
            .map_or("", |o| o.1.as_str())
    }

    /// Renders one platform's template; returns the output and how many
    /// `<`/`>` the YouTube escaper replaced. The render runs under
    /// [`limits::Limits`] (fuel, value and output sizes, heap, time), and
    /// an XML template's output must be well-formed XML.
    pub fn render(&self, id: PlatformId, ctx: &Context) -> Result<(String, usize), TemplateError> {
        self.render_shared(id, &Shared::new(ctx), ctx.html.as_ref())
    }

    /// [`Templates::render`] of a context made once for every platform
    /// ([`Shared`]), with `html` for the RSS item.
    fn render_shared(
        &self,
        id: PlatformId,
        shared: &Shared<'_>,
        html: Option<&HtmlCtx>,
    ) -> Result<(String, usize), TemplateError> {
        let name = platform::get(id).template_name();
        let (_, path, source) = self
            .origins
            .iter()
            .find(|o| o.0 == name)
            .expect("every platform's template is loaded");
        let mut env = self.env.clone();
        env.set_fuel(Some(shared.fuel));
        self.replaced.store(0, Ordering::Relaxed);
        let limits = limits::Limits::for_context_bytes(shared.json_len(html));
        let value = shared.value(html);
        let rendered = limits::run(limits, move || {
            env.get_template(name).and_then(|t| t.render(value))
        });
        let limit_error = |message: String, help: &'static str| TemplateError {
            path: path.clone(),
            line: None,
            message,
            source_text: None,
            range: None,
            help: Some(help),
        };
        let out = match rendered {
            Ok(r) => r.map_err(|e| template_error(&e, path, source))?,
            Err(limits::Stopped::Memory(n)) => {
                return Err(limit_error(
                    format!(
                        "the template used more than {} of memory, the limit for one render",
                        limits::size(n)
                    ),
                    "a value is built up without end (`~`, `+` or `*` in a loop?); build the output from the context's values",
                ))
            }
            Err(limits::Stopped::Time(t)) => {
                return Err(limit_error(
                    format!(
                        "the template ran longer than {} s, the limit for one render",
                        t.as_secs()
                    ),
                    "look for a loop over a very long value; build the output from the context's values",
                ))
            }
            Err(limits::Stopped::Lost) => {
                return Err(limit_error(
                    "the template's render stopped without a result".into(),
                    "this is a bug in shownotes; please report it with the template",
                ))
            }
        };
        if Escape::for_template(name) == Some(Escape::Xml) {
            if let Err(e) = xml::check(&out) {
                return Err(xml_error(&e, &out, path));
            }
        }
        Ok((out, self.replaced.load(Ordering::Relaxed)))
    }
}

/// A [`Context`] made into template values once for every platform it is
/// rendered for: the body, chapters and footer (nearly all of it) are
/// converted once and shared by each platform's value, instead of a copy
/// of the context converted, and then freed, per platform. Its size as
/// JSON (for [`limits::Limits`]) and its fuel are counted once too.
struct Shared<'a> {
    ctx: &'a Context,
    blocks: Value,
    chapters: Value,
    footer: Value,
    /// The JSON size of `ctx` with `html: null`.
    json_len: usize,
    fuel: u64,
}

/// A [`Context`] by reference, `html` apart: the same fields in the same
/// order, so the same JSON and the same template value. With [`Value`]s
/// for the big fields, minijinja passes them through as they are.
#[derive(Serialize)]
struct View<'a, B, C, F> {
    show: &'a ShowCtx,
    episode: &'a EpisodeCtx,
    blocks: &'a B,
    chapters: &'a C,
    footer: &'a F,
    audio: &'a Option<AudioCtx>,
    html: Option<&'a HtmlCtx>,
}

impl<'a> Shared<'a> {
    fn new(ctx: &'a Context) -> Shared<'a> {
        Shared {
            ctx,
            blocks: Value::from(minijinja::value::Serde(&ctx.blocks)),
            chapters: Value::from(minijinja::value::Serde(&ctx.chapters)),
            footer: Value::from(minijinja::value::Serde(&ctx.footer)),
            json_len: json_len(&View {
                show: &ctx.show,
                episode: &ctx.episode,
                blocks: &ctx.blocks,
                chapters: &ctx.chapters,
                footer: &ctx.footer,
                audio: &ctx.audio,
                html: None,
            }),
            fuel: fuel_for(ctx),
        }
    }

    /// The JSON size of the context with `html`.
    fn json_len(&self, html: Option<&HtmlCtx>) -> usize {
        match html {
            // `"html":null` becomes `"html":{...}`.
            Some(h) => self.json_len - "null".len() + json_len(h),
            None => self.json_len,
        }
    }

    /// The template value of the context with `html`.
    fn value(&self, html: Option<&HtmlCtx>) -> Value {
        Value::from(minijinja::value::Serde(&View {
            show: &self.ctx.show,
            episode: &self.ctx.episode,
            blocks: &self.blocks,
            chapters: &self.chapters,
            footer: &self.footer,
            audio: &self.ctx.audio,
            html,
        }))
    }
}

/// The size of `value` as JSON, without making the JSON.
fn json_len<T: Serialize + ?Sized>(value: &T) -> usize {
    struct Count(usize);
    impl std::io::Write for Count {
        fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
            self.0 += b.len();
            Ok(b.len())
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }
    let mut c = Count(0);
    let _ = serde_json::to_writer(&mut c, value);
    c.0
}

/// An XML template whose output is not well-formed: where in the output,
/// and the output's line.
fn xml_error(e: &xml::XmlError, out: &str, path: &str) -> TemplateError {
    let src = crate::source::Source::new("", out);
    let pos = src.position(e.offset);
    let mut line: String = src.line_text(pos.line).trim().chars().take(120).collect();
    if line.len() < src.line_text(pos.line).trim().len() {
        line.push('…');
    }
    TemplateError {
        path: path.to_string(),
        line: None,
        message: format!(
            "the output is not well-formed XML: {} (output line {}, column {}: `{line}`)",
            e.message, pos.line, pos.column
        ),
        source_text: None,
        range: None,
        help: Some(
            "a value printed with `|safe` is not escaped: drop `|safe`, or wrap HTML in `|cdata`",
        ),
    }
}

fn template_error(e: &minijinja::Error, path: &str, source: &str) -> TemplateError {
    let mut message = match e.detail() {
        Some(d) => format!("{}: {d}", e.kind()),
        None => e.kind().to_string(),
    };
    if e.kind() == minijinja::ErrorKind::OutOfFuel {
        message.push_str(" (the template ran too long: a loop that does not end?)");
    }
    TemplateError {
        path: path.to_string(),
        line: e.line(),
        message,
        source_text: Some(source.into()),
        range: None,
        help: None,
    }
}

/// Everything `build` produces: each platform's output, `chapters.json`,
/// and the findings of the platforms' rules.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// `(platform, output)`, in build order.
    pub files: Vec<(PlatformId, String)>,
    /// Podcasting 2.0 chapters (`chapters.json`).
    pub chapters_json: String,
    /// `description-too-long`, `description-forbidden-char`, ...
    pub diagnostics: Vec<Diagnostic>,
}

impl Outputs {
    /// The output of `id`, when it was built.
    pub fn get(&self, id: PlatformId) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, s)| s.as_str())
    }
}

/// Renders `platforms` (RSS needs the Apple and Spotify HTML, which are
/// rendered for it even when not asked for) and checks each output
/// against its platform's rules.
pub fn build(
    templates: &Templates,
    ctx: &Context,
    notes: &Notes,
    config: &Config,
    platforms: &[PlatformId],
) -> Result<Outputs, TemplateError> {
    let mut out = Outputs {
        chapters_json: crate::formats::json::write(&notes.chapters),
        ..Outputs::default()
    };
    let wants = |p: PlatformId| platforms.contains(&p);
    let mut html = HtmlCtx {
        apple: String::new(),
        spotify: String::new(),
    };
    // The context as template values, made once for every platform.
    let shared = Shared::new(ctx);
    for id in PlatformId::ALL {
        let needed_for_rss =
            wants(PlatformId::Rss) && matches!(id, PlatformId::Apple | PlatformId::Spotify);
        if !wants(id) && !needed_for_rss {
            continue;
        }
        let p = platform::get(id);
        let (text, replaced) = if id == PlatformId::Rss {
            templates.render_shared(id, &shared, Some(&html))?
        } else {
            templates.render_shared(id, &shared, ctx.html.as_ref())?
        };
        let mut diags = Vec::new();
        let text = p.finish(text, replaced, &mut diags);
        if let Some(tags) = p.allowed_tags() {
            diags.extend(platform::check_html(id, &text, tags));
        }
        if wants(id) {
            diags.extend(platform::check_size(
                id,
                "description",
                &text,
                config.max_bytes(id),
            ));
        }
        match id {
            // Kept for the RSS item only when it is built.
            PlatformId::Apple if wants(PlatformId::Rss) => html.apple = text.clone(),
            PlatformId::Spotify if wants(PlatformId::Rss) => html.spotify = text.clone(),
            PlatformId::Rss if !wants(PlatformId::Apple) => {
                // The item's <description> is Apple's HTML: Apple's limit.
                diags.extend(platform::check_size(
                    id,
                    "item's <description>",
                    &html.apple,
                    config.max_bytes(PlatformId::Apple),
                ));
            }
            _ => {}
        }
        for d in &mut diags {
            if d.code == Code::DescriptionForbiddenChar && d.span.is_none() {
                d.span = first_angle(notes);
            }
        }
        if wants(id) {
            out.diagnostics.extend(diags);
            out.files.push((id, text));
        }
    }
    Ok(out)
}

/// The first `<` or `>` in the notes' text that reaches an output: a
/// chapter title or a paragraph (not an `<autolink>`).
fn first_angle(notes: &Notes) -> Option<Span> {
    let text = &notes.source.text;
    let mut spans: Vec<Span> = notes.chapters.iter().filter_map(|c| c.title_span).collect();
    spans.extend(notes.blocks.iter().filter_map(|b| match b {
        Block::Paragraph { span, .. } | Block::Heading { span, .. } => Some(*span),
        _ => None,
    }));
    spans.sort();
    let link_ends: std::collections::HashSet<usize> =
        notes.links.iter().map(|l| l.span.end).collect();
    spans.into_iter().find_map(|s| {
        let body = text.get(s.start..s.end)?;
        body.char_indices()
            .filter(|(_, c)| matches!(c, '<' | '>'))
            .find(|(i, c)| {
                // Skip the brackets of `<https://...>` autolinks.
                let rest = &body[*i..];
                !(*c == '<' && (rest.starts_with("<http") || rest.starts_with("<mailto:")))
                    && !(*c == '>' && link_ends.contains(&(s.start + i)))
            })
            .map(|(i, _)| Span::new(s.start + i, s.start + i + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn notes(text: &str) -> Notes {
        Notes::parse(Source::new("n.md", text), &links::Rules::default())
    }

    #[test]
    fn paragraphs_split_into_text_and_links() {
        let n = notes("See [the RFC](https://a.org/x?utm_source=z) and <https://b.org>, or https://c.org. Mail hello@x.org\n");
        let c = context(&n, &Config::default(), None);
        let BlockCtx::Paragraph { lines } = &c.blocks[0] else {
            panic!("{:?}", c.blocks)
        };
        let got: Vec<(&str, Option<&str>)> = lines[0]
            .iter()
            .map(|s| (s.text.as_str(), s.url.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("See ", None),
                ("the RFC", Some("https://a.org/x")),
                (" and ", None),
                ("https://b.org", Some("https://b.org")),
                (", or ", None),
                ("https://c.org", Some("https://c.org")),
                (". Mail ", None),
                ("hello@x.org", Some("mailto:hello@x.org")),
            ]
        );
    }

    #[test]
    fn segments_find_the_lines_links_by_binary_search() {
        // Adjacent links, a link ending a line right before the next
        // line's, a link at the very end, Markdown links and autolinks.
        let text = "Summary https://a.org\nhttps://b.org https://c.org\n[d](https://d.org)<https://e.org>\nx https://f.org\nhttps://g.org";
        let n = notes(text);
        let sorted = by_start(&n.links);
        assert!(sorted
            .windows(2)
            .all(|w| w[0].span.start <= w[1].span.start));
        let mut at = 0;
        for line in text.split('\n') {
            let end = at + line.len();
            // What `segments` did before: every link of the notes filtered.
            let mine: Vec<&Link> = sorted
                .iter()
                .copied()
                .filter(|l| l.kind == Kind::Text && l.span.start >= at && l.span.end <= end)
                .collect();
            assert!(!mine.is_empty(), "{line}");
            let got = segments(line, at, &sorted);
            assert_eq!(got, segments(line, at, &mine), "{line}");
            let urls: Vec<&str> = got.iter().filter_map(|s| s.url.as_deref()).collect();
            assert_eq!(urls.len(), mine.len(), "{line}");
            at = end + 1;
        }
    }

    #[test]
    fn the_escapers_fast_paths_change_nothing() {
        // What the escapers were before their fast paths.
        fn slow_xml(s: &str) -> String {
            let mut out = String::new();
            for c in text::strip_invisible(s).chars() {
                match c {
                    '&' => out.push_str("&amp;"),
                    '<' => out.push_str("&lt;"),
                    '>' => out.push_str("&gt;"),
                    '"' => out.push_str("&quot;"),
                    '\'' => out.push_str("&#39;"),
                    c if xml_invalid(c) => {}
                    c => out.push(c),
                }
            }
            out
        }
        fn slow_youtube(s: &str) -> (String, usize) {
            let clean: String = text::strip_invisible(s)
                .chars()
                .filter(|&c| !xml_invalid(c) && c != '\r')
                .collect();
            youtube::replace_angles(&clean)
        }
        for s in [
            "",
            "plain words",
            "https://example.com/p/1?a=1&b=2",
            "a > b",
            "tab\tnew\nline\r\n",
            "nul\0 bell\u{7} esc\u{1b}",
            "\u{7f} del",
            "é 中 👩\u{200D}💻",
            "pay\u{200D}pal \u{202E}x",
            "\u{FFFE}\u{FFFF}",
            "q\"'",
            "a < b > c & d\r\n\0e\u{1f}",
            "<<>>&&",
            "é < ü > \u{200B}x\r",
        ] {
            assert_eq!(escape_xml(s), slow_xml(s), "{s:?}");
            assert_eq!(youtube_text(s), slow_youtube(s), "{s:?}");
        }
    }

    #[test]
    fn lines_are_found_where_find_finds_them() {
        let text = "abc\n  abcd\r\n\u{e9}\u{e9}\u{e9}\u{e9}\u{e9}\u{e9} abc abcd\n";
        for line in [
            "abc",
            "abcd",
            "bcd",
            "",
            "\u{e9} abc",
            "zz",
            "abc abcd",
            "d\n",
        ] {
            for from in 0..=text.len() {
                if let Some(t) = text.get(from..) {
                    assert_eq!(find_line(t, line), t.find(line), "{from} {line:?}");
                }
            }
        }
    }

    #[test]
    fn cdata_cannot_be_closed_early() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(
            escape_xml("<a href='x'>&\u{1}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }

    #[test]
    fn youtube_chapter_lines_match_the_chapter_writer() {
        let n = notes("Chapters\n00:00 Intro <3\n05:32 B > A\n01:05:12 C\n");
        let c = context(&n, &Config::default(), None);
        let t = Templates::new(None).unwrap();
        let (out, replaced) = t.render(PlatformId::Youtube, &c).unwrap();
        assert!(
            out.contains(&crate::formats::youtube::write(&n.chapters)),
            "{out}"
        );
        assert_eq!(replaced, 2);
    }

    #[test]
    fn the_footer_is_appended_once() {
        let mut config = Config::default();
        config.show.episode_url = Some("https://n.fm/#episode-{episode}".into());
        config.show.footer = Some("N.FM\nMore information: {episode_url}\n".into());
        let n = notes("+++\nepisode = 3\n+++\nSummary.\n");
        let c = context(&n, &config, None);
        assert_eq!(c.footer.len(), 2);
        assert_eq!(
            c.footer[1][1].url.as_deref(),
            Some("https://n.fm/#episode-3")
        );
        let n = notes("+++\nepisode = 3\n+++\nSummary.\n\nN.FM\nMore information: https://n.fm/#episode-3\nMore.\n");
        assert!(context(&n, &config, None).footer.is_empty());
        // Without an episode number there is no episode URL: that line goes.
        let n = notes("Summary.\n");
        assert_eq!(context(&n, &config, None).footer.len(), 1);
    }
}
