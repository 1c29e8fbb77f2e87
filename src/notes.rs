//! The episode notes file: front matter, summary, link lists, chapter list
//! and footer, parsed with the line and column of every item, including
//! notes whose line breaks were lost.

mod bytes;
pub mod date;
pub mod flattened;
pub mod front_matter;

use std::sync::LazyLock;

use regex::Regex;

pub use bytes::{decode, Lossy};
pub use front_matter::FrontMatter;

use crate::chapter::{self as chapters, Chapter};
use crate::diagnostic::{Code, Diagnostic};
use crate::links::{self, Kind, Link};
use crate::source::{Position, Source, Span};
use crate::timestamp::{Timestamp, TimestampError};

/// A parsed notes file.
#[derive(Clone, Debug)]
pub struct Notes {
    /// The text as read (BOM removed), for positions and snippets.
    pub source: Source,
    /// The episode's metadata from the front matter (empty when there is none).
    pub front_matter: FrontMatter,
    /// The body, block by block, in order.
    pub blocks: Vec<Block>,
    /// Every chapter of the chapter list(s), in the order written.
    pub chapters: Vec<Chapter>,
    /// Every link, in the order written.
    pub links: Vec<Link>,
    /// Whether a chapter list was found (by label, heading, or as a run of
    /// timestamp lines).
    pub has_chapter_list: bool,
    /// Physical lines whose structure was recovered (`notes-flattened`).
    pub flattened: Vec<Span>,
    /// What parsing found wrong (checks against rules come from [`Notes::check`]).
    pub diagnostics: Vec<Diagnostic>,
}

/// A block of the body.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A Markdown heading (`## Guests`) that is not a section label.
    Heading {
        /// 1 for `#`, 2 for `##`, ...
        level: u8,
        /// The heading's text, without the `#`s.
        text: String,
        /// Where the heading stands.
        span: Span,
    },
    /// Lines of running text, as written.
    Paragraph {
        /// Each line, as written.
        lines: Vec<String>,
        /// Where the paragraph stands.
        span: Span,
    },
    /// A link list; its links are those with `list == Some(index)`.
    LinkList {
        /// The section label as written (`Links`, `Learn more:`).
        label: String,
        /// Its place among the notes' link lists, from 0.
        index: usize,
        /// Where its label stands.
        span: Span,
    },
    /// The chapter list (its chapters are [`Notes::chapters`]).
    ChapterList {
        /// The section label as written (`Chapters`).
        label: String,
        /// Where its label stands.
        span: Span,
    },
}

/// A logical line: a slice of the text, with a paragraph break before it
/// when a blank line (or a recovered one) preceded it.
#[derive(Clone, Copy, Debug)]
struct Line<'a> {
    text: &'a str,
    start: usize,
    blank_before: bool,
}

impl Line<'_> {
    fn span(&self) -> Span {
        Span::new(self.start, self.start + self.text.len())
    }
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Label {
    Links,
    Chapters,
}

static HEADING: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(#{1,6})[ \t]+(.*?)[ \t]*#*[ \t]*$").unwrap());
static LABEL: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"^(?:\*\*|__)?((?i-u:learn more|links|resources|further reading|show links|chapters|timestamps))(?:[ \t]*:)?(?:\*\*|__)?(?:[ \t]*:)?[ \t]*",
    )
    .unwrap()
});
static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-*+•]|[0-9]{1,3}[.)])[ \t]+").unwrap());
/// A chapter line: optional bullet, optional bracket, a stamp-like token,
/// the closing bracket, a separator or space, and the title.
static CHAPTER_LINE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:[-*+•][ \t]+|[0-9]{1,3}[.)][ \t]+)?(?:\*\*)?([(\[])?([0-9]+(?::[0-9]+)+(?:\.[0-9]+)?)([)\]])?(?:\*\*)?(?:[ \t]*[-–—:|.][ \t]+|[ \t]+|$)")
        .unwrap()
});
/// A Markdown inline link `[text](dest)`: the destination in angle
/// brackets (group 2), or bare (group 3), where, as in CommonMark, `<` and
/// `>` may stand after its first character
/// (`[click](https://x/?q=<b>)`) and parentheses must balance. Use
/// [`md_dest`] for the destination's range.
static MD_LINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(
        r"\[([^\[\]]*)\]\([ \t]*(?:<([^<> \t]*)>|((?:[^() \t<>]|\([^() \t]*\))(?:[^() \t]|\([^() \t]*\))*))?[ \t]*\)",
    )
    .unwrap()
});

/// The byte range of an [`MD_LINK`] match's destination (empty, before
/// the `)`, for `[text]()`).
fn md_dest(c: &regex::Captures<'_>) -> (usize, usize) {
    match c.get(2).or_else(|| c.get(3)) {
        Some(m) => (m.start(), m.end()),
        None => {
            let at = c.get(0).map_or(0, |w| w.end() - 1);
            (at, at)
        }
    }
}
static AUTOLINK: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"<((?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.)[^<> \t]+|[^<> \t@]+@[^<> \t@]+)>").unwrap()
});
static SEPARATOR: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^[ \t]*(?:—|–|-|:|\||·)[ \t]+|^[ \t]*(?:—|–)").unwrap());

impl Notes {
    /// Parses a notes file. Never fails: what is wrong becomes a diagnostic.
    pub fn parse(source: Source, link_rules: &links::Rules) -> Notes {
        let mut diags = crate::text::invisible_diagnostics(&source);
        let fm = front_matter::parse(&source, &mut diags);
        let mut notes = Notes {
            front_matter: fm.front_matter,
            blocks: vec![],
            chapters: vec![],
            links: vec![],
            has_chapter_list: false,
            flattened: vec![],
            diagnostics: vec![],
            source: Source::new("", ""),
        };
        let text = source.text.as_str();
        if text[fm.body_start..].trim().is_empty() {
            if !diags.iter().any(|d| d.code == Code::FrontMatterInvalid) {
                diags.push(
                    Diagnostic::new(Code::NotesEmpty, "the notes are empty")
                        .help("write a summary, a `Learn more:` list and a `Chapters` list"),
                );
            }
            notes.diagnostics = diags;
            notes.source = source;
            return notes;
        }
        let lines = logical_lines(text, fm.body_start, &mut notes.flattened);
        Parser {
            notes: &mut notes,
            diags: &mut diags,
            rules: link_rules,
            lists: 0,
        }
        .run(&lines);
        links::check_duplicates(&notes.links, &mut diags);
        notes.diagnostics = diags;
        notes.source = source;
        notes
    }

    /// Every finding: the parser's, `notes-flattened`, `chapters-missing`,
    /// and the chapter rules (against the audio's end when known).
    pub fn check(&self, rules: &chapters::Rules, audio_end: Option<Timestamp>) -> Vec<Diagnostic> {
        let mut out = self.diagnostics.clone();
        if out.iter().any(|d| d.code == Code::NotesEmpty) {
            return out;
        }
        for span in &self.flattened {
            out.push(
                Diagnostic::new(
                    Code::NotesFlattened,
                    format!(
                        "this line holds several lines run together; recovered {} chapter{} and {} link{}",
                        self.chapters.len(),
                        if self.chapters.len() == 1 { "" } else { "s" },
                        self.links.len(),
                        if self.links.len() == 1 { "" } else { "s" },
                    ),
                )
                .at(Span::new(span.start, span.start))
                .label("line breaks were lost here")
                .help("check the result with `shownotes chapters FILE --to json` and `shownotes links FILE`, or restore the line breaks"),
            );
        }
        if !self.has_chapter_list {
            out.push(
                Diagnostic::new(Code::ChaptersMissing, "the notes have no chapter list")
                    .help("add a `Chapters` line followed by one `00:00 Title` line per chapter"),
            );
        }
        out.extend(chapters::check(&self.chapters, rules, audio_end));
        crate::diagnostic::sort(&mut out);
        out
    }

    /// The line and column of a byte offset in the notes.
    pub fn position(&self, offset: usize) -> Position {
        self.source.position(offset)
    }
}

/// Splits the body into logical lines, recovering flattened lines.
fn logical_lines<'a>(text: &'a str, body_start: usize, flattened: &mut Vec<Span>) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let mut blank = false;
    let mut pos = body_start;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        let raw = text[pos..end].trim_end_matches('\r');
        let trimmed_start = raw.len() - raw.trim_start().len();
        let line = raw.trim();
        let start = pos + trimmed_start;
        if line.is_empty() {
            blank = true;
        } else if flattened::is_flattened(line) {
            flattened.push(Span::new(start, start + line.len()));
            for piece in flattened::split(line) {
                out.push(Line {
                    text: &line[piece.start..piece.end],
                    start: start + piece.start,
                    blank_before: blank || piece.paragraph,
                });
                blank = false;
            }
        } else {
            out.push(Line {
                text: line,
                start,
                blank_before: blank,
            });
            blank = false;
        }
        pos = end + 1;
    }
    out
}

struct Parser<'n> {
    notes: &'n mut Notes,
    diags: &'n mut Vec<Diagnostic>,
    rules: &'n links::Rules,
    lists: usize,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Prose,
    Links(usize),
    Chapters,
}

impl Parser<'_> {
    fn run(&mut self, lines: &[Line<'_>]) {
        let mut section = Section::Prose;
        let mut para: Option<(Vec<String>, Span)> = None;
        let mut i = 0;
        while i < lines.len() {
            let line = lines[i];
            if line.blank_before {
                self.end_paragraph(&mut para);
            }
            // Section starts: a label line or a heading naming a section.
            if let Some((label, rest_at, name)) = section_label(line) {
                self.end_paragraph(&mut para);
                section = self.start_section(label, name, line.span());
                let rest = &line.text[rest_at..];
                if !rest.trim().is_empty() {
                    let sub = Line {
                        text: rest.trim(),
                        start: line.start + rest_at + (rest.len() - rest.trim_start().len()),
                        blank_before: false,
                    };
                    section = self.in_section(section, sub, true);
                    if section == Section::Prose {
                        self.prose_line(sub, &mut para);
                    }
                }
                i += 1;
                continue;
            }
            if let Some(h) = HEADING.captures(line.text) {
                self.end_paragraph(&mut para);
                let text = h[2].to_string();
                self.notes.blocks.push(Block::Heading {
                    level: h[1].len() as u8,
                    text,
                    span: line.span(),
                });
                section = Section::Prose;
                i += 1;
                continue;
            }
            if section != Section::Prose {
                section = self.in_section(section, line, !line.blank_before);
                if section != Section::Prose {
                    i += 1;
                    continue;
                }
            }
            // A run of two or more chapter lines is a chapter list, label or not.
            if matches!(parse_chapter_line(line), Some(Ok(_)))
                && lines
                    .get(i + 1)
                    .is_some_and(|n| matches!(parse_chapter_line(*n), Some(Ok(_))))
            {
                self.end_paragraph(&mut para);
                section = self.start_section(
                    Label::Chapters,
                    String::new(),
                    Span::new(line.start, line.start),
                );
                continue;
            }
            self.prose_line(line, &mut para);
            i += 1;
        }
        self.end_paragraph(&mut para);
    }

    fn start_section(&mut self, label: Label, name: String, span: Span) -> Section {
        match label {
            Label::Links => {
                let index = self.lists;
                self.lists += 1;
                self.notes.blocks.push(Block::LinkList {
                    label: name,
                    index,
                    span,
                });
                Section::Links(index)
            }
            Label::Chapters => {
                self.notes.has_chapter_list = true;
                self.notes
                    .blocks
                    .push(Block::ChapterList { label: name, span });
                Section::Chapters
            }
        }
    }

    /// Handles a line inside a section; returns the section after it
    /// (`Prose` when the line ended the section and was not consumed).
    fn in_section(&mut self, section: Section, line: Line<'_>, contiguous: bool) -> Section {
        match section {
            Section::Links(index) => match parse_link_item(line, contiguous) {
                Some(item) => {
                    if let Some(link) = links::make(
                        &item.url,
                        item.text,
                        Kind::LearnMore,
                        item.span,
                        Some(index),
                        self.rules,
                        self.diags,
                    ) {
                        self.notes.links.push(link);
                    }
                    section
                }
                None => Section::Prose,
            },
            Section::Chapters => match parse_chapter_line(line) {
                Some(Ok(ch)) => {
                    self.notes.chapters.push(ch);
                    section
                }
                Some(Err((span, raw, e))) => {
                    self.diags.push(
                        Diagnostic::new(
                            Code::ChapterBadTimestamp,
                            format!("`{raw}` is not a valid timestamp: {e}"),
                        )
                        .at(span)
                        .label("bad timestamp")
                        .help("write `M:SS`, `MM:SS`, `H:MM:SS` or `HH:MM:SS`, minutes and seconds below 60"),
                    );
                    section
                }
                None => Section::Prose,
            },
            Section::Prose => Section::Prose,
        }
    }

    fn prose_line(&mut self, line: Line<'_>, para: &mut Option<(Vec<String>, Span)>) {
        match para {
            Some((lines, span)) => {
                lines.push(line.text.to_string());
                span.end = line.span().end;
            }
            None => *para = Some((vec![line.text.to_string()], line.span())),
        }
        for (url, text, span) in text_links(line) {
            if let Some(link) =
                links::make(&url, text, Kind::Text, span, None, self.rules, self.diags)
            {
                self.notes.links.push(link);
            }
        }
    }

    fn end_paragraph(&mut self, para: &mut Option<(Vec<String>, Span)>) {
        if let Some((lines, span)) = para.take() {
            self.notes.blocks.push(Block::Paragraph { lines, span });
        }
    }
}

/// A label line (`Learn more:`, `Chapters`) or a heading naming a section
/// (`## Links`): the section, where content on the same line starts, and
/// the label as written.
fn section_label(line: Line<'_>) -> Option<(Label, usize, String)> {
    let (text, offset) = match HEADING.captures(line.text) {
        Some(h) => {
            let m = h.get(2).unwrap();
            (m.as_str(), m.start())
        }
        None => (line.text, 0),
    };
    let m = LABEL.captures(text)?;
    let word = m.get(1).unwrap().as_str();
    let rest = &text[m.get(0).unwrap().end()..];
    let label = match word.to_ascii_lowercase().as_str() {
        "chapters" | "timestamps" => Label::Chapters,
        _ => Label::Links,
    };
    // The label stands alone, or is followed by its content on the line:
    // a chapter stamp or a link item. ("Links to the past" is prose.)
    let consumed = m.get(0).unwrap().end();
    let has_colon = m.get(0).unwrap().as_str().contains(':');
    let ok = rest.is_empty()
        || match label {
            Label::Chapters => CHAPTER_LINE.is_match(rest),
            Label::Links => has_colon && starts_with_link(rest),
        };
    ok.then(|| (label, offset + consumed, word.to_string()))
}

fn starts_with_link(s: &str) -> bool {
    let s = BULLET.find(s).map_or(s, |m| &s[m.end()..]);
    s.starts_with('[') || s.starts_with('<') || links::find(s).first().is_some_and(|f| f.start == 0)
}

/// A link-list item as written.
struct Item {
    url: String,
    text: Option<String>,
    span: Span,
}

/// Parses a link-list item: `URL — description`, `[description](URL)`,
/// `<URL>`, or `description: URL` (only right after another item),
/// optionally bulleted.
fn parse_link_item(line: Line<'_>, contiguous: bool) -> Option<Item> {
    let bullet = BULLET.find(line.text).map_or(0, |m| m.end());
    let body = &line.text[bullet..];
    let base = line.start + bullet;
    let describe = |rest: &str| -> Option<String> {
        let t = SEPARATOR
            .find(rest)
            .map_or(rest, |m| &rest[m.end()..])
            .trim();
        (!t.is_empty()).then(|| t.to_string())
    };
    if let Some(c) = MD_LINK
        .captures(body)
        .filter(|c| c.get(0).unwrap().start() == 0)
    {
        let (us, ue) = md_dest(&c);
        let mut text = c[1].trim().to_string();
        if let Some(more) = describe(&body[c.get(0).unwrap().end()..]) {
            text = if text.is_empty() {
                more
            } else {
                format!("{text} — {more}")
            };
        }
        return Some(Item {
            url: body[us..ue].to_string(),
            text: (!text.is_empty()).then_some(text),
            span: Span::new(base + us, base + ue),
        });
    }
    if let Some(c) = AUTOLINK
        .captures(body)
        .filter(|c| c.get(0).unwrap().start() == 0)
    {
        let url = c.get(1).unwrap();
        return Some(Item {
            url: url.as_str().to_string(),
            text: describe(&body[c.get(0).unwrap().end()..]),
            span: Span::new(base + url.start(), base + url.end()),
        });
    }
    let found = links::find(body);
    let first = found.first()?;
    if first.start == 0 {
        return Some(Item {
            url: body[..first.end].to_string(),
            text: describe(&body[first.end..]),
            span: Span::new(base, base + first.end),
        });
    }
    // `description — URL`: the line ends with the link.
    if contiguous && found.len() == 1 && body[first.end..].trim().is_empty() {
        let desc = body[..first.start].trim_end();
        let desc = desc
            .strip_suffix(['—', '–', '-', ':', '|'])
            .unwrap_or(desc)
            .trim();
        if !desc.is_empty() {
            return Some(Item {
                url: body[first.start..first.end].to_string(),
                text: Some(desc.to_string()),
                span: Span::new(base + first.start, base + first.end),
            });
        }
    }
    None
}

/// Links in running text: Markdown links, `<autolinks>`, bare URLs and
/// e-mail addresses.
fn text_links(line: Line<'_>) -> Vec<(String, Option<String>, Span)> {
    let mut out: Vec<(String, Option<String>, Span)> = Vec::new();
    // What the Markdown links and the autolinks took: each list in order
    // and without overlaps (regex matches), so a binary search answers
    // "does this overlap?" whatever the number of links on the line.
    let mut markdown: Vec<(usize, usize)> = Vec::new();
    let mut auto: Vec<(usize, usize)> = Vec::new();
    for c in MD_LINK.captures_iter(line.text) {
        let whole = c.get(0).unwrap();
        let (us, ue) = md_dest(&c);
        let text = c[1].trim();
        out.push((
            line.text[us..ue].to_string(),
            (!text.is_empty()).then(|| text.to_string()),
            Span::new(line.start + us, line.start + ue),
        ));
        markdown.push((whole.start(), whole.end()));
    }
    for c in AUTOLINK.captures_iter(line.text) {
        let whole = c.get(0).unwrap();
        if overlaps(&markdown, whole.start(), whole.end()) {
            continue;
        }
        let url = c.get(1).unwrap();
        out.push((
            url.as_str().to_string(),
            None,
            Span::new(line.start + url.start(), line.start + url.end()),
        ));
        auto.push((whole.start(), whole.end()));
    }
    for f in links::find(line.text) {
        if overlaps(&markdown, f.start, f.end) || overlaps(&auto, f.start, f.end) {
            continue;
        }
        out.push((
            line.text[f.start..f.end].to_string(),
            None,
            Span::new(line.start + f.start, line.start + f.end),
        ));
    }
    out.sort_by_key(|l| l.2.start);
    out
}

/// Whether `start..end` overlaps one of `taken`: ranges in order that do
/// not overlap each other, so their ends are in order too.
fn overlaps(taken: &[(usize, usize)], start: usize, end: usize) -> bool {
    let first_after = taken.partition_point(|&(_, e)| e <= start);
    taken.get(first_after).is_some_and(|&(s, _)| s < end)
}

/// Parses a chapter line. `None`: not a chapter line. `Some(Err)`: it has
/// the shape of one but the stamp is bad (span, stamp as written, reason).
fn parse_chapter_line(line: Line<'_>) -> Option<Result<Chapter, (Span, String, TimestampError)>> {
    let c = CHAPTER_LINE.captures(line.text)?;
    // Brackets must pair: `(00:34)` or `[00:34]`, not `(00:34]`.
    match (c.get(1).map(|m| m.as_str()), c.get(3).map(|m| m.as_str())) {
        (None, None) | (Some("("), Some(")")) | (Some("["), Some("]")) => {}
        _ => return None,
    }
    let stamp = c.get(2).unwrap();
    let span = Span::new(line.start + stamp.start(), line.start + stamp.end());
    let whole = c.get(0).unwrap();
    let title_raw = &line.text[whole.end()..];
    let title = title_raw.trim();
    let title_start = line.start + whole.end() + (title_raw.len() - title_raw.trim_start().len());
    match Timestamp::parse(stamp.as_str()) {
        Ok(start) => Some(Ok(Chapter {
            start,
            title: title.to_string(),
            span: Some(span),
            title_span: Some(Span::new(title_start, title_start + title.len())),
            ..Chapter::new(start, "")
        })),
        Err(e) => Some(Err((span, stamp.as_str().to_string(), e))),
    }
}

#[cfg(test)]
mod tests;
