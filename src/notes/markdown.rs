//! The Markdown reader: the body parsed as CommonMark (pulldown-cmark, with
//! source offsets) into logical lines: one per paragraph line, list item
//! line and heading, each with its visible text, inline links and code
//! spans. HTML blocks go to the HTML reader; images are markup.

use std::collections::HashMap;

use pulldown_cmark::{CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};

use super::html;
use super::line::{trim, Builder, Line};
use crate::source::Span;

/// HTML elements that, written inline in Markdown, show nothing but
/// embed something (their `src` is markup, never a link).
const EMBEDS: &[&str] = &[
    "img", "iframe", "video", "audio", "source", "picture", "embed", "object", "track",
];

struct Reader<'s> {
    source: &'s str,
    out: Vec<Line>,
    cur: Option<Builder>,
    /// Open links: (text start, destination, where it is written, autolink).
    links: Vec<(usize, String, Span, bool)>,
    images: usize,
    /// Open emphasis: written inside a URL (kept as text), and the
    /// length of its marks.
    emphasis: Vec<(bool, usize)>,
    heading: Option<u8>,
    depth: usize,
    item: bool,
    new_block: bool,
    verbatim: bool,
    /// Where the last line ended in the source.
    last_end: usize,
}

/// Reads `source[start..]` as Markdown.
/// Its reference definitions (label as written, destination) go to
/// `defs`.
pub(crate) fn read(source: &str, start: usize, defs: &mut Vec<(String, String)>) -> Vec<Line> {
    let body = &source[start..];
    let parser = Parser::new_ext(body, Options::empty());
    // About one logical line per source line (a `<br>` may make more):
    // reserved at once, the list seldom moves, and the pages past the
    // lines made are never touched.
    let most = body.matches('\n').count() + 1;
    let mut r = Reader {
        source,
        out: Vec::with_capacity(most),
        cur: None,
        links: Vec::new(),
        images: 0,
        emphasis: Vec::new(),
        heading: None,
        depth: 0,
        item: false,
        new_block: true,
        verbatim: false,
        last_end: start,
    };
    let mut iter = parser.into_offset_iter();
    // Reference definitions: where each destination is written (for
    // spans), and what it is (for the publish side).
    let mut refs: HashMap<String, Span> = HashMap::new();
    for (label, def) in iter.reference_definitions().iter() {
        let span = Span::new(def.span.start + start, def.span.end + start);
        refs.insert(ref_key(label), span);
        defs.push((label.to_string(), def.dest.to_string()));
    }
    let mut html_block: Option<Span> = None;
    for (event, range) in iter.by_ref() {
        let range = Span::new(range.start + start, range.end + start);
        match event {
            Event::Start(tag) => match tag {
                Tag::Paragraph => r.block(),
                Tag::Heading { level, .. } => {
                    r.block();
                    r.heading = Some(level as u8);
                }
                Tag::Item => {
                    r.block();
                    r.item = true;
                }
                Tag::List(_) => {
                    r.block();
                    r.depth += 1;
                }
                Tag::BlockQuote(_) => r.block(),
                Tag::CodeBlock(_) => {
                    r.block();
                    r.verbatim = true;
                }
                Tag::HtmlBlock => {
                    r.block();
                    html_block = Some(range);
                }
                Tag::Link {
                    link_type,
                    dest_url,
                    id,
                    ..
                } => {
                    let written = written_dest(source, range, &dest_url, link_type, &id, &refs);
                    let auto = matches!(link_type, LinkType::Autolink | LinkType::Email);
                    let at = r.builder().line.text.len();
                    r.links.push((at, dest_url.to_string(), written, auto));
                }
                Tag::Image { .. } => r.images += 1,
                Tag::Emphasis | Tag::Strong => {
                    let n = if matches!(tag, Tag::Strong) { 2 } else { 1 };
                    // Marks inside a bare URL (`https://x.org/_a_/`) are
                    // the URL's characters.
                    let in_url = r.cur.as_ref().is_some_and(|b| {
                        let word = b.line.text.rsplit(char::is_whitespace).next().unwrap_or("");
                        word.contains("://") || word.starts_with("www.")
                    }) && r.links.is_empty();
                    if in_url {
                        let marks = source.get(range.start..range.start + n).unwrap_or("");
                        r.builder().copy(marks, range.start);
                    }
                    r.emphasis.push((in_url, n));
                }
                _ => {}
            },
            Event::End(tag) => match tag {
                TagEnd::Paragraph | TagEnd::Heading(_) | TagEnd::Item | TagEnd::BlockQuote(_) => {
                    r.flush();
                    r.heading = None;
                    r.new_block = true;
                }
                TagEnd::List(_) => {
                    r.flush();
                    r.depth = r.depth.saturating_sub(1);
                    r.new_block = true;
                }
                TagEnd::CodeBlock => {
                    r.flush();
                    r.verbatim = false;
                    r.new_block = true;
                }
                TagEnd::HtmlBlock => {
                    if let Some(b) = html_block.take() {
                        r.flush();
                        let mut lines = html::read(source, b.start, b.end);
                        if let Some(first) = lines.first_mut() {
                            first.new_block = true;
                            first.blank_before |= r.blank_since(b.start);
                        }
                        if let Some(last) = lines.last() {
                            r.last_end = last.span().end;
                        }
                        r.out.extend(lines);
                        r.new_block = true;
                    }
                }
                TagEnd::Link => {
                    if let Some((at, dest, written, auto)) = r.links.pop() {
                        r.builder().end_link(at, dest, written, auto);
                    }
                }
                TagEnd::Image => r.images = r.images.saturating_sub(1),
                TagEnd::Emphasis | TagEnd::Strong => {
                    if let Some((true, n)) = r.emphasis.pop() {
                        let at = range.end.saturating_sub(n);
                        let marks = source.get(at..range.end).unwrap_or("");
                        r.builder().copy(marks, at);
                    }
                }
                _ => {}
            },
            Event::Text(t) => {
                if r.images > 0 || html_block.is_some() {
                    continue;
                }
                if r.verbatim {
                    r.code_text(&t, range);
                } else {
                    r.builder().read(&t, source, range);
                }
            }
            Event::Code(t) => {
                if r.images > 0 {
                    continue;
                }
                let b = r.builder();
                let at = b.line.text.len();
                let written = &source[range.start..range.end];
                match written.find(&*t) {
                    Some(i) => b.copy(&t, range.start + i),
                    None => b.stand(&t, range),
                }
                let end = b.line.text.len();
                b.line.code.push((at, end));
            }
            Event::SoftBreak | Event::HardBreak if r.images == 0 => r.flush(),
            Event::Rule => {
                r.flush();
                r.new_block = true;
            }
            Event::Html(_) => {}
            Event::InlineHtml(h) => r.inline_html(&h, range),
            _ => {}
        }
    }
    r.flush();
    r.out
}

/// Where a link's destination is written: inside the link for an inline
/// link or autolink, in its definition for a reference link; the whole
/// link when it cannot be found.
fn written_dest(
    source: &str,
    range: Span,
    dest: &CowStr<'_>,
    link_type: LinkType,
    id: &CowStr<'_>,
    refs: &HashMap<String, Span>,
) -> Span {
    let find_in = |span: Span, from_end: bool| -> Option<Span> {
        let s = source.get(span.start..span.end)?;
        // A substring search without setting up `str::find`'s searcher
        // anew for every link.
        let i = if from_end {
            memchr::memmem::rfind(s.as_bytes(), dest.as_bytes())?
        } else {
            memchr::memmem::find(s.as_bytes(), dest.as_bytes())?
        };
        (!dest.is_empty()).then(|| Span::new(span.start + i, span.start + i + dest.len()))
    };
    match link_type {
        LinkType::Inline => {
            // After the `](`: search from the last `](` that precedes it.
            let s = &source[range.start..range.end];
            let from = s.rfind("](").map_or(range.start, |i| range.start + i);
            find_in(Span::new(from, range.end), false)
        }
        LinkType::Autolink | LinkType::Email => find_in(range, false),
        LinkType::Reference
        | LinkType::Collapsed
        | LinkType::Shortcut
        | LinkType::ReferenceUnknown
        | LinkType::CollapsedUnknown
        | LinkType::ShortcutUnknown => refs.get(&ref_key(id)).and_then(|span| {
            let s = source.get(span.start..span.end)?;
            let colon = s.find("]:")? + 2;
            find_in(Span::new(span.start + colon, span.end), false)
        }),
        _ => None,
    }
    .unwrap_or(range)
}

/// A reference label as matched (CommonMark: case-folded, inner white
/// space collapsed): the reader's key, and the publish side's.
pub(crate) fn ref_key(label: &str) -> String {
    let mut out = String::with_capacity(label.len());
    for w in label.split_whitespace() {
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(&w.to_lowercase());
    }
    out
}

impl Reader<'_> {
    fn builder(&mut self) -> &mut Builder {
        if self.cur.is_none() {
            let mut b = Builder::default();
            b.line.heading = self.heading;
            b.line.item = std::mem::take(&mut self.item);
            b.line.depth = self.depth;
            b.line.new_block = std::mem::take(&mut self.new_block);
            b.line.verbatim = self.verbatim;
            self.cur = Some(b);
        }
        self.cur.as_mut().unwrap()
    }

    fn block(&mut self) {
        self.flush();
        self.new_block = true;
    }

    /// Whether a blank line stands between the last line and `at`.
    fn blank_since(&self, at: usize) -> bool {
        let between = self.source.get(self.last_end..at).unwrap_or("");
        // The whole lines between: those after the first line break and
        // before the last.
        let mut lines = between.split('\n');
        lines.next();
        let mut prev: Option<&str> = None;
        for l in lines {
            if prev.is_some_and(|p| p.trim().is_empty()) {
                return true;
            }
            prev = Some(l);
        }
        false
    }

    /// Ends the current line.
    fn flush(&mut self) {
        let Some(mut b) = self.cur.take() else {
            return;
        };
        // Links left open (an image's, an unclosed tag's) end with the line.
        while let Some((at, dest, written, auto)) = self.links.pop() {
            b.end_link(at, dest, written, auto);
        }
        b.line.links.sort_by_key(|l| l.start);
        let mut line = trim(b.line);
        if line.text.is_empty() && line.links.is_empty() {
            return;
        }
        let span = line.span();
        line.blank_before = self.blank_since(span.start);
        let md = physical(self.source, span);
        (line.md, line.md_src, line.md_at) = (String::new(), Some(md), md.start);
        self.last_end = span.end;
        self.out.push(line);
    }

    fn code_text(&mut self, t: &str, range: Span) {
        // A code block: one line per source line, kept as written.
        let mut at = range.start;
        for piece in t.split_inclusive('\n') {
            let body = piece.trim_end_matches(['\n', '\r']);
            let src_at = self.source[at..range.end.max(at)]
                .find(body)
                .map_or(at, |i| at + i);
            self.builder().copy(body, src_at);
            if piece.ends_with('\n') {
                self.flush();
                self.new_block = false;
            }
            at = (src_at + body.len()).min(range.end.max(at));
        }
    }

    /// Inline HTML: `<a href>` opens a link, `</a>` closes it, `<br>` ends
    /// the line, an embed (`<img>`, `<iframe>`) shows nothing; any other
    /// tag stays as written (a chat log's `<nick>`, a `<script>` in a
    /// title), never scanned for links or stamps.
    fn inline_html(&mut self, h: &str, range: Span) {
        if self.images > 0 {
            return;
        }
        let tag = html::tag_of(h);
        match tag {
            Some(t) if t.name == "a" && t.end => {
                if let Some((at, dest, written, auto)) = self.links.pop() {
                    self.builder().end_link(at, dest, written, auto);
                }
            }
            Some(t) if t.name == "a" && t.href.is_some() => {
                if let Some((dest, at)) = t.href {
                    let written = Span::new(range.start + at.start, range.start + at.end);
                    let text_at = self.builder().line.text.len();
                    self.links.push((text_at, dest, written, false));
                }
            }
            Some(t) if t.name == "br" && !t.end => self.flush(),
            Some(t) if EMBEDS.contains(&t.name.as_str()) => {}
            _ => {
                let source = self.source;
                let b = self.builder();
                let at = b.line.text.len();
                b.read(h, source, range);
                let end = b.line.text.len();
                b.line.code.push((at, end));
            }
        }
    }
}

/// The physical source lines holding `span`, trimmed: where a line's
/// Markdown is written (its list marker, heading marks and inline markup
/// included).
fn physical(source: &str, span: Span) -> Span {
    let start = source[..span.start.min(source.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = source[span.end.min(source.len())..]
        .find('\n')
        .map_or(source.len(), |i| span.end + i);
    // A line that a `<br>` ended keeps what follows it out.
    let end = match source[span.end.min(end)..end].find("<br") {
        Some(i) => span.end + i,
        None => end,
    };
    let mut at = start;
    let mut s = source[start..end].trim();
    // A line that starts after a `<br>` keeps only its own text.
    if span.start > start && source[start..span.start].contains("<br") {
        at = span.start;
        s = source[span.start..end].trim();
    }
    let lead = source[at..end].len() - source[at..end].trim_start().len();
    Span::new(at + lead, at + lead + s.len())
}
