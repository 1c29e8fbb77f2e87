//! The Markdown reader: the body parsed as CommonMark (pulldown-cmark, with
//! source offsets) into logical lines: one per paragraph line, list item
//! line and heading, each with its visible text, inline links and code
//! spans. HTML blocks go to the HTML reader; images are markup.

use std::collections::HashMap;
use std::sync::mpsc;

use pulldown_cmark::{BrokenLink, CowStr, Event, LinkType, Options, Parser, Tag, TagEnd};
use unicase::UniCase;

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
    /// Where the first line's blank line before it was looked for (see
    /// [`Reader::blank_since`]).
    first_at: Option<usize>,
}

/// The lines of a text, and what the lines after it need.
struct Read {
    lines: Vec<Line>,
    /// Where the last line ended.
    last_end: usize,
    /// Where the first line's blank line before it was looked for.
    first_at: Option<usize>,
}

/// A reference definition, owned: its label (as pulldown-cmark keys
/// it), destination, title, and where it is written in the source.
type Definition = (String, String, String, std::ops::Range<usize>);

/// The reference definitions a reader hands on: label as written,
/// destination.
type Defs = Vec<(String, String)>;

/// One of [`halves`], read.
struct Half {
    read: Read,
    /// Its reference definitions.
    defs: Defs,
    /// The furthest any block but a list reached.
    reached: usize,
    /// The furthest a code or HTML block reached.
    held: usize,
}

/// Reads `source[start..]` as Markdown.
/// Its reference definitions (label as written, destination) go to
/// `defs`.
pub(crate) fn read(source: &str, start: usize, defs: &mut Vec<(String, String)>) -> Vec<Line> {
    read_from(source, start, defs, crate::parallel::SHARED_FROM)
}

/// [`read`], in two halves at once when the body has `halves_from` bytes
/// or more ([`crate::parallel::SHARED_FROM`]) and can be cut where the
/// halves read as the whole does ([`split_point`]).
fn read_from(source: &str, start: usize, defs: &mut Defs, halves_from: usize) -> Vec<Line> {
    if source.len() - start >= halves_from {
        if let Some(split) = split_point(source, start) {
            if let Some((lines, found)) = halves(source, start, split) {
                defs.extend(found);
                return lines;
            }
        }
    }
    let mut iter = Parser::new_ext(&source[start..], Options::empty()).into_offset_iter();
    let found = definitions(iter.reference_definitions(), start);
    let refs = written_at(&found);
    defs.extend(handed_on(found));
    lines(source, start, source.len(), start, &refs, iter.by_ref()).lines
}

/// Where each definition's destination is written, by matching key
/// ([`ref_key`]); the first of two with one key wins.
fn written_at<'a>(found: impl IntoIterator<Item = &'a Definition>) -> HashMap<String, Span> {
    let mut refs = HashMap::new();
    for (label, _, _, span) in found {
        refs.entry(ref_key(label))
            .or_insert(Span::new(span.start, span.end));
    }
    refs
}

/// The definitions as the reader hands them on: label, destination.
fn handed_on(found: Vec<Definition>) -> Defs {
    found
        .into_iter()
        .map(|(label, dest, _, _)| (label, dest))
        .collect()
}

/// The reference definitions pulldown-cmark found in a text read at
/// `at` in the source, owned.
fn definitions(refs: &pulldown_cmark::RefDefs<'_>, at: usize) -> Vec<Definition> {
    refs.iter()
        .map(|(label, def)| {
            (
                label.to_string(),
                def.dest.to_string(),
                def.title.as_deref().unwrap_or_default().to_string(),
                def.span.start + at..def.span.end + at,
            )
        })
        .collect()
}

/// A cut of the body in two halves ([`split_point`]).
#[derive(Clone, Copy, Debug)]
struct Cut {
    /// Where the first half's text ends: the line break of its last
    /// line that is not blank.
    end: usize,
    /// Where the second half starts (a line start).
    next: usize,
    /// A blank line stands between them.
    blank: bool,
}

/// What a line costs the reader, in bytes of text: a line of a list (an
/// item, its link) costs about as much as 80 bytes of a paragraph
/// (measured on `bench/long_notes.py`'s rich Markdown: its first half,
/// paragraphs, took 64 M instructions to read, its second, lists, 100 M).
const LINE_COST: usize = 80;

/// Where the reader's work on `source[start..]` is half done, about: the
/// offset where the bytes so far, and [`LINE_COST`] a line that is not
/// blank, reach half of the whole. A cut at the middle byte gave one
/// thread half as much again as the other on notes whose second half is
/// lists (the chapters, the links).
fn weighted_middle(source: &str, start: usize) -> usize {
    let b = &source.as_bytes()[start..];
    // The starts of lines that are not blank (after a line break that is
    // not followed by another), one pass.
    let starts = || {
        memchr::memchr_iter(b'\n', b)
            .filter(|&i| b.get(i + 1).is_some_and(|&c| c != b'\n'))
            .map(|i| i + 1)
    };
    let half = (b.len() + LINE_COST * starts().count()) / 2;
    let mut lines = 0;
    for at in starts() {
        lines += 1;
        if at + LINE_COST * lines >= half {
            return start + at;
        }
    }
    start + b.len() / 2
}

/// Where the body at `start` may be cut in two halves that, read each on
/// its own, read as the whole: the line start nearest the middle of the
/// work ([`weighted_middle`]) where a new top-level block starts whatever
/// came before. That is a line at the margin after a blank line (a list,
/// a quote or a paragraph ends there; the next item of a loose list
/// starts a list that reads the same), or a bullet item at the margin
/// (`- x`, `* x`, `+ x`: it ends a paragraph, and starts the next item
/// or a new list).
///
/// What such a line does not end (a fenced code block, an HTML block)
/// is found after reading the first half ([`halves`]).
fn split_point(source: &str, start: usize) -> Option<Cut> {
    let b = source.as_bytes();
    let middle = weighted_middle(source, start);
    // The cut at the line that starts at `at`, if it is one.
    let cut_at = |at: usize| -> Option<Cut> {
        let first = *b.get(at)?;
        if first.is_ascii_whitespace() || at <= start {
            return None;
        }
        // The line before, and the one before it.
        let mut end = at - 1;
        let line_start = |e: usize| {
            b[start..e]
                .iter()
                .rposition(|&c| c == b'\n')
                .map(|i| start + i + 1)
        };
        let before = line_start(end).unwrap_or(start);
        let blank = b[before..end].iter().all(|c| c.is_ascii_whitespace());
        if blank {
            // The text before ends at the line break before the blank line.
            end = before.checked_sub(1)?;
            if end < start {
                return None;
            }
        } else {
            let bullet = matches!(first, b'-' | b'*' | b'+')
                && matches!(b.get(at + 1), Some(b' ' | b'\t'))
                && b.get(at + 2..)
                    .and_then(|rest| {
                        rest.iter()
                            .position(|&c| c == b'\n' || !c.is_ascii_whitespace())
                    })
                    .is_some_and(|i| b[at + 2 + i] != b'\n');
            if !bullet {
                return None;
            }
        }
        Some(Cut {
            end,
            next: at,
            blank,
        })
    };
    let after = memchr::memchr_iter(b'\n', &b[middle..]).find_map(|i| cut_at(middle + i + 1));
    let before = memchr::memrchr_iter(b'\n', &b[start..middle]).find_map(|i| cut_at(start + i + 1));
    match (before, after) {
        (Some(x), Some(y)) => Some(if middle - x.next <= y.next - middle {
            x
        } else {
            y
        }),
        (x, y) => x.or(y),
    }
}

/// Reads the body at `start` as two halves cut at `split` (see
/// [`split_point`]), the second on a thread of its own, and returns the
/// lines and definitions; `None` when the halves would not read as the
/// whole (the caller then reads it whole): a label both define (the
/// first definition wins, which the second half cannot see), a block of
/// the first half that goes on past the blank line, or no thread.
///
/// A reference link in one half to a definition in the other is given
/// its destination by pulldown-cmark's broken-link callback, with the
/// labels matched as pulldown-cmark matches them (Unicode case folding).
fn halves(source: &str, start: usize, Cut { end, next, blank }: Cut) -> Option<(Vec<Line>, Defs)> {
    let (to_second, from_first) = mpsc::sync_channel(1);
    let (to_first, from_second) = mpsc::sync_channel(1);
    std::thread::scope(|scope| {
        let builder = std::thread::Builder::new()
            .name("shownotes-markdown".into())
            .stack_size(8 * 1024 * 1024);
        let second = crate::parallel::spawn_scoped_beside(scope, builder, move || {
            half(source, next, source.len(), end, &to_first, &from_first)
        })
        .ok();
        let first = second
            .is_some()
            .then(|| half(source, start, next, start, &to_second, &from_second))
            .flatten();
        let second = second?
            .join()
            .unwrap_or_else(|e| std::panic::resume_unwind(e));
        let first = first?;
        let mut more = second?;
        // A block of the first half that reached past its last line
        // (into the blank line) was left open: the whole would read on.
        // Without a blank line, a code or HTML block that reached the cut
        // may go on too (the item would be its text).
        if first.reached > end + 1 || !blank && first.held >= next {
            return None;
        }
        // The second half's first line was read as if the first half's
        // last line ended at the cut; it ended where it did.
        if let (Some(at), Some(line)) = (more.read.first_at, more.read.lines.first_mut()) {
            line.blank_before |= blank_between(source, first.read.last_end, at);
        }
        let mut lines = first.read.lines;
        lines.extend(more.read.lines);
        let mut defs = first.defs;
        defs.extend(more.defs);
        Some((lines, defs))
    })
}

/// One of [`halves`]: the text `from..to` read with the other half's
/// definitions (exchanged through `send` and `receive` once both are
/// known), its lines as read after a line that ended at `last_end`.
fn half(
    source: &str,
    from: usize,
    to: usize,
    last_end: usize,
    send: &mpsc::SyncSender<Vec<Definition>>,
    receive: &mpsc::Receiver<Vec<Definition>>,
) -> Option<Half> {
    let theirs: std::cell::OnceCell<HashMap<UniCase<String>, (String, String)>> =
        std::cell::OnceCell::new();
    let callback = |link: BrokenLink<'_>| {
        let (dest, title) = theirs
            .get()?
            .get(&UniCase::new(link.reference.to_string()))?;
        Some((CowStr::from(dest.clone()), CowStr::from(title.clone())))
    };
    let mut iter =
        Parser::new_with_broken_link_callback(&source[from..to], Options::empty(), Some(callback))
            .into_offset_iter();
    let mine = definitions(iter.reference_definitions(), from);
    send.send(mine.clone()).ok()?;
    let other = receive.recv().ok()?;
    if other
        .iter()
        .any(|(label, ..)| iter.reference_definitions().get(label).is_some())
    {
        return None;
    }
    let refs = written_at(mine.iter().chain(&other));
    let _ = theirs.set(
        other
            .into_iter()
            .map(|(label, dest, title, _)| (UniCase::new(label), (dest, title)))
            .collect(),
    );
    let mut reached = from;
    let mut held = from;
    let events = iter.by_ref().inspect(|(event, range)| {
        if matches!(
            event,
            Event::Start(Tag::CodeBlock(_) | Tag::HtmlBlock)
                | Event::End(TagEnd::CodeBlock | TagEnd::HtmlBlock)
        ) {
            held = held.max(from + range.end);
        }
        // A list's range takes in the blank lines after it; a list ends
        // at the cut all the same (the next line is not indented).
        if !matches!(
            event,
            Event::Start(Tag::List(_) | Tag::Item) | Event::End(TagEnd::List(_) | TagEnd::Item)
        ) {
            reached = reached.max(from + range.end);
        }
    });
    let read = lines(source, from, to, last_end, &refs, events);
    Some(Half {
        read,
        defs: handed_on(mine),
        reached,
        held,
    })
}

/// The lines of `source[from..to]` read as `events` (offsets from
/// `from`), the line before them having ended at `last_end`; `refs`:
/// where each reference definition's destination is written.
fn lines<'s>(
    source: &'s str,
    from: usize,
    to: usize,
    last_end: usize,
    refs: &HashMap<String, Span>,
    events: impl Iterator<Item = (Event<'s>, std::ops::Range<usize>)>,
) -> Read {
    let body = &source[from..to];
    // About one logical line per source line (a `<br>` may make more):
    // reserved at once, the list seldom moves, and the pages past the
    // lines made are never touched.
    let most = memchr::memchr_iter(b'\n', body.as_bytes()).count() + 1;
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
        last_end,
        first_at: None,
    };
    let mut html_block: Option<Span> = None;
    for (event, range) in events {
        let range = Span::new(range.start + from, range.end + from);
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
                    let written = written_dest(source, range, &dest_url, link_type, &id, refs);
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
                    // An item without a line of text (`-` alone, or only a
                    // code block) does not make the next line an item.
                    if matches!(tag, TagEnd::Item) {
                        r.item = false;
                    }
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
                            if r.out.is_empty() {
                                r.first_at = Some(b.start);
                            }
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
    Read {
        lines: r.out,
        last_end: r.last_end,
        first_at: r.first_at,
    }
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
        blank_between(self.source, self.last_end, at)
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
        if self.out.is_empty() {
            self.first_at = Some(span.start);
        }
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

/// Whether a blank line stands between `from` (where a line ended) and
/// `at`.
fn blank_between(source: &str, from: usize, at: usize) -> bool {
    let between = source.get(from..at).unwrap_or("");
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_work_is_cut_where_lines_and_bytes_are_half_done() {
        // Paragraphs of 400 bytes, then list items of 22: the items are
        // more lines for their bytes, so the first half takes more bytes
        // (the cut comes after the middle byte), where the weighted work
        // is halved.
        let para = format!("{}\n\n", "word ".repeat(80));
        let text = format!(
            "{}{}",
            para.repeat(100),
            "- item of a list here\n".repeat(2000)
        );
        let at = weighted_middle(&text, 0);
        assert!(at > text.len() / 2, "{at} of {}", text.len());
        assert_eq!(&text[at - 1..at], "\n");
        let lines = text[..at].lines().filter(|l| !l.is_empty()).count();
        let rest = text[at..].lines().filter(|l| !l.is_empty()).count();
        let cost = |bytes: usize, lines: usize| bytes + LINE_COST * lines;
        let (a, b) = (cost(at, lines), cost(text.len() - at, rest));
        assert!(a.abs_diff(b) <= 2 * (LINE_COST + 410), "{a} {b}");
        // Text of one line: the middle byte.
        assert_eq!(weighted_middle("abcd", 0), 2);
    }

    /// The lines and definitions of `text` read whole, and read in two
    /// halves at once where it can be.
    fn whole_and_halves(text: &str) -> (String, String) {
        let read = |halves_from| {
            let mut defs = Vec::new();
            let lines = read_from(text, 0, &mut defs, halves_from);
            defs.sort();
            format!("{lines:#?}\n{defs:?}")
        };
        (read(usize::MAX), read(0))
    }

    /// Whether `text` is read in halves (not whole again).
    fn read_in_halves(text: &str) -> bool {
        split_point(text, 0).is_some_and(|split| halves(text, 0, split).is_some())
    }

    #[test]
    fn halves_read_as_the_whole_with_links_to_either_half() {
        let text = "# Notes\n\nSee [the guide][Guide] and [docs].\n\n- one\n- two\n\n\
                    [docs]: https://docs.example/ \"Docs\"\n\nMore text, [back][docs].\n\n\
                    [guide]: https://guide.example/\n\n00:00 Intro\n";
        assert!(read_in_halves(text));
        let (whole, halves) = whole_and_halves(text);
        assert_eq!(whole, halves);
        assert!(halves.contains("https://guide.example/"), "{halves}");
    }

    #[test]
    fn halves_are_not_used_where_they_would_read_otherwise() {
        // A fence left open over the cut: the whole reads it as code.
        let open_fence = "Intro\n\n```\ncode\n\nmore code\n\nand more\n\nstill code\n";
        assert!(!read_in_halves(open_fence));
        // The same label defined in both halves: the first one wins.
        let twice = "[a]: https://one.example/\n\nSee [a].\n\nText\n\nText\n\n[A]: https://two.example/\n\nSee [a] again.\n";
        assert!(!read_in_halves(twice));
        for text in [open_fence, twice] {
            let (whole, halves) = whole_and_halves(text);
            assert_eq!(whole, halves);
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(1000))]
        /// Any body read in halves (where a cut is found and allowed)
        /// reads as it does whole: blocks left open over the cut, links
        /// to definitions in the other half, labels defined twice.
        #[test]
        fn halves_always_read_as_the_whole(
            pieces in proptest::collection::vec(0usize..PIECES.len(), 2..40)
        ) {
            let text: String = pieces.iter().map(|&i| PIECES[i]).collect();
            let (whole, halves) = whole_and_halves(&text);
            proptest::prop_assert_eq!(whole, halves, "{:?}", text);
        }
    }

    /// What the generated bodies are made of.
    const PIECES: &[&str] = &[
        "\n",
        "\n",
        "\n",
        "A paragraph with [a ref][a], [b] and *emphasis*.\n",
        "Another with [Straße] and [x](https://x.example/a \"t\") <https://auto.example>.\n",
        "[a]: https://a.example/1 \"A\"\n",
        "[B]: https://b.example/2\n",
        "[STRASSE]: https://sz.example/\n",
        "[a]: https://again.example/\n",
        "```\n",
        "~~~\n",
        "<pre>\n",
        "</pre>\n",
        "<!-- open\n",
        "-->\n",
        "<div>\n",
        "</div>\n",
        "- item\n",
        "  continued\n",
        "* star\n",
        "1. numbered\n",
        "> quote\n",
        "    indented code\n",
        "# Heading\n",
        "Setext\n===\n",
        "---\n",
        "00:00 Intro\n",
        "12:30 Next [link](https://y.example/b)\n",
        "Text <a href=\"https://h.example\">x</a> and<br>break\n",
        "`code span` and **bold**\n",
        "plain text line\n",
        "+ plus item\n",
        "-\n",
        "- - -\n",
        "2. second\n",
        "[a]:\n",
        "<span>\n",
        "<script>\n",
        "</script>\n",
        "  - nested item\n",
        "- ```\n",
        "> lazy\n",
        "- item with [a ref][a] and [x](https://x.example/a)\n",
        "\r\n",
        "windows line\r\n",
        "- windows item\r\n",
    ];
}
