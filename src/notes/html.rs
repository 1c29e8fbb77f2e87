//! The HTML reader: notes written as HTML (a host's or a feed's
//! description) read with an HTML5 tokenizer (html5gum) into logical
//! lines. `<p>`, `<br>`, `<li>` and the ends of blocks are line breaks,
//! `<a href>` is a link with its text, entities are decoded, and the
//! `src` of `<img>`, `<iframe>` and `<script>` is markup, never a link.
//! Each line carries the equivalent Markdown, for the platforms.
//!
//! The tokenizer is driven through its callback emitter: tokens are
//! assembled here from its events, as its default emitter does, but
//! borrowed from its buffers instead of allocated one by one (a string,
//! a name and an attribute map per token), and with its parse errors
//! (which no reader here looks at) never checked for.

use std::borrow::Cow;
use std::convert::Infallible;

use html5gum::emitters::callback::{Callback, CallbackEmitter, CallbackEvent};
use html5gum::{Emitter, ForwardingEmitter, Tokenizer};

use super::line::{trim, Builder, Line};
use crate::source::Span;

/// What a tag does to the lines: bits of [`kind`].
const BLOCK: u8 = 1;
/// The tag also ends a paragraph (a blank line in Markdown).
const PARAGRAPH: u8 = 2;
/// The tag's content is not text a listener reads.
const SKIPPED: u8 = 4;

/// What the tag `name` does: [`BLOCK`] (it ends a line), [`PARAGRAPH`],
/// [`SKIPPED`]. One `match` instead of a search of name lists per tag.
fn kind(name: &[u8]) -> u8 {
    match name {
        b"p" | b"div" | b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" | b"ul" | b"ol"
        | b"table" | b"blockquote" | b"hr" | b"section" | b"article" | b"pre" | b"figure"
        | b"header" | b"footer" => BLOCK | PARAGRAPH,
        b"address" | b"aside" | b"body" | b"br" | b"center" | b"dd" | b"details" | b"dl"
        | b"dt" | b"figcaption" | b"html" | b"li" | b"main" | b"nav" | b"summary" | b"tbody"
        | b"thead" | b"tr" => BLOCK,
        b"script" | b"style" | b"iframe" | b"template" | b"noscript" | b"head" | b"title"
        | b"object" | b"svg" | b"video" | b"audio" | b"select" | b"textarea" => SKIPPED,
        _ => 0,
    }
}

/// An `<a>`'s `href` as the tokenizer gives it: the value, undecoded
/// bytes, and a span from the attribute's name to just past its value.
#[derive(Default)]
struct Href {
    value: Vec<u8>,
    start: usize,
    end: usize,
}

/// A token, borrowed from the tokenizer's buffers; spans are offsets in
/// the tokenized text.
enum Tok<'a> {
    /// A start tag: its name, whether it closes itself, where it starts,
    /// and its first `href` (handed over: its value becomes a link's
    /// destination without a copy).
    Start {
        name: &'a [u8],
        self_closing: bool,
        at: usize,
        href: Option<Href>,
        /// An `<ol>`'s `start` number.
        list_start: Option<u64>,
    },
    /// An end tag.
    End { name: &'a [u8] },
    /// Text, decoded, and the span it was read from.
    Text {
        value: &'a [u8],
        start: usize,
        end: usize,
    },
    /// A comment or a doctype.
    Other,
}

/// Assembles [`Tok`]s from the tokenizer's events, exactly as html5gum's
/// `DefaultEmitter` assembles its tokens (the first of duplicate
/// attributes kept), and hands each to `sink`; what `sink` returns is
/// what the tokenizer yields.
struct Tokens<F> {
    sink: F,
    /// The open start tag's name, and where it starts.
    name: Vec<u8>,
    at: usize,
    /// The tag's `href`, and whether values read now belong to it.
    href: Option<Href>,
    in_href: bool,
    /// The tag's `start` attribute (read on `<ol>` only), and whether
    /// values read now belong to it.
    list_start: Option<Vec<u8>>,
    in_start: bool,
}

impl<T, F: FnMut(Tok<'_>) -> Option<T>> Callback<T, usize> for Tokens<F> {
    fn handle_event(&mut self, event: CallbackEvent<'_>, span: html5gum::Span<usize>) -> Option<T> {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                self.name.clear();
                self.name.extend_from_slice(name);
                self.at = span.start;
                None
            }
            CallbackEvent::AttributeName { name } => {
                // A second `href` is ignored, as any duplicate attribute.
                self.in_href = name == b"href" && self.href.is_none();
                self.in_start = name == b"start" && self.name == b"ol" && self.list_start.is_none();
                if self.in_start {
                    self.list_start = Some(Vec::new());
                }
                if self.in_href {
                    self.href = Some(Href {
                        value: Vec::new(),
                        start: span.start,
                        end: span.end,
                    });
                }
                None
            }
            CallbackEvent::AttributeValue { value } => {
                if let Some(href) = self.href.as_mut().filter(|_| self.in_href) {
                    href.value.extend_from_slice(value);
                    href.end = span.end + 1;
                }
                if let Some(start) = self.list_start.as_mut().filter(|_| self.in_start) {
                    start.extend_from_slice(value);
                }
                None
            }
            CallbackEvent::CloseStartTag { self_closing } => {
                let href = self.href.take();
                // `<ol start="3">`: a number (HTML reads the digits after
                // white space; anything else leaves the list at 1).
                let list_start = self
                    .list_start
                    .take()
                    .and_then(|v| std::str::from_utf8(&v).ok()?.trim().parse::<u64>().ok());
                self.in_start = false;
                let out = (self.sink)(Tok::Start {
                    name: &self.name,
                    self_closing,
                    at: self.at,
                    href,
                    list_start,
                });
                self.name.clear();
                out
            }
            CallbackEvent::EndTag { name } => {
                self.href = None;
                self.list_start = None;
                (self.sink)(Tok::End { name })
            }
            CallbackEvent::String { value } => (self.sink)(Tok::Text {
                value,
                start: span.start,
                end: span.end,
            }),
            CallbackEvent::Comment { .. } | CallbackEvent::Doctype { .. } => {
                (self.sink)(Tok::Other)
            }
            CallbackEvent::Error(_) => None,
        }
    }
}

/// An emitter with its parse errors turned off: no reader here, and not
/// the output checks ([`crate::publish`]), looks at them, and checking
/// every byte for them is a good part of the tokenizer's work.
pub(crate) struct Quiet<E>(pub(crate) E);

impl<E: Emitter> ForwardingEmitter for Quiet<E> {
    type Token = E::Token;

    fn inner(&mut self) -> &mut impl Emitter<Token = E::Token> {
        &mut self.0
    }

    fn should_emit_errors(&mut self) -> bool {
        false
    }
}

/// A tokenizer of `html` whose tokens go to `sink`; with `naive`, the
/// content of `<script>`, `<style>`, `<title>`… is read as raw text.
fn tokenizer<T, F: FnMut(Tok<'_>) -> Option<T>>(
    html: &str,
    naive: bool,
    sink: F,
) -> Tokenizer<html5gum::StringReader<'_>, Quiet<CallbackEmitter<Tokens<F>, T, usize>>> {
    let mut emitter = CallbackEmitter::new(Tokens {
        sink,
        name: Vec::new(),
        at: 0,
        href: None,
        in_href: false,
        list_start: None,
        in_start: false,
    });
    emitter.naively_switch_states(naive);
    Tokenizer::new_with_emitter(html, Quiet(emitter))
}

/// A tag name in lowercase: html5gum gives it so already (it lowercases
/// as it reads).
fn lower(name: &[u8]) -> Cow<'_, [u8]> {
    if name.iter().any(u8::is_ascii_uppercase) {
        Cow::Owned(name.to_ascii_lowercase())
    } else {
        Cow::Borrowed(name)
    }
}

/// A tag name as text, in lowercase.
fn name_of(name: &[u8]) -> Cow<'_, str> {
    match std::str::from_utf8(name) {
        Ok(s) if !name.iter().any(u8::is_ascii_uppercase) => Cow::Borrowed(s),
        _ => Cow::Owned(String::from_utf8_lossy(name).to_ascii_lowercase()),
    }
}

/// A byte escaped in Markdown: a bit of [`BYTES`].
const MARK: u8 = 1;
/// A byte of white space other than a space.
const WHITE: u8 = 2;
/// A space.
const SPACE: u8 = 4;
/// A lead byte of a non-ASCII white space character (U+0085, U+00A0,
/// U+1680, U+2000–U+205F, U+3000).
const LEAD: u8 = 8;

/// What each byte of text is, for the scans of every piece of text: one
/// look-up per byte instead of a chain of comparisons.
const BYTES: [u8; 256] = {
    let mut t = [0; 256];
    let marks = b"\\*_[]<>`";
    let mut i = 0;
    while i < marks.len() {
        t[marks[i] as usize] = MARK;
        i += 1;
    }
    t[b'\t' as usize] = WHITE;
    t[b'\n' as usize] = WHITE;
    t[0x0B] = WHITE;
    t[0x0C] = WHITE;
    t[b'\r' as usize] = WHITE;
    t[b' ' as usize] = SPACE;
    t[0xC2] = LEAD;
    t[0xE1] = LEAD;
    t[0xE2] = LEAD;
    t[0xE3] = LEAD;
    t
};

/// A tag read on its own (inline HTML in Markdown).
pub(crate) struct Tag {
    /// The name, lowercase.
    pub name: String,
    /// An end tag.
    pub end: bool,
    /// An `<a>`'s `href`: decoded, and where it is written (relative to
    /// the tag).
    pub href: Option<(String, Span)>,
}

/// The first tag of `h`, when `h` starts with one.
pub(crate) fn tag_of(h: &str) -> Option<Tag> {
    let mut tokens = tokenizer(h, false, |tok| {
        Some(match tok {
            Tok::Start { name, href, .. } => Some(Tag {
                name: name_of(name).into_owned(),
                end: false,
                href: href.map(|v| attr_value(h, 0, v)),
            }),
            Tok::End { name } => Some(Tag {
                name: name_of(name).into_owned(),
                end: true,
                href: None,
            }),
            Tok::Text { .. } | Tok::Other => None,
        })
    });
    let Ok(tag) = tokens.next()?;
    tag
}

/// The first place `needle` (not empty) is written in `hay`: `str::find`
/// without its searcher's set-up, which costs more than the search on
/// an attribute.
fn find(hay: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (hay.as_bytes(), needle.as_bytes());
    let first = *needle.first()?;
    let mut from = 0;
    while let Some(i) = hay[from..].iter().position(|&b| b == first) {
        if hay[from + i..].starts_with(needle) {
            return Some(from + i);
        }
        from += i + 1;
    }
    None
}

/// An attribute's value, decoded, and where it is written in `source`
/// (the tokenizer's span covers the attribute; the value is found in it).
fn attr_value(source: &str, offset: usize, v: Href) -> (String, Span) {
    let value = String::from_utf8(v.value)
        .unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned());
    let s = (v.start + offset).min(source.len());
    let e = (v.end + offset).clamp(s, source.len());
    let floor = |mut i: usize| {
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (s, e) = (floor(s), floor(e));
    let written = &source[s..e];
    let span = match find(written, &value) {
        Some(i) => Span::new(s + i, s + i + value.len()),
        None => {
            // Entities in the value: from the `=` (and quote) to the end.
            let at = written.find('=').map_or(0, |i| i + 1);
            let rest = &written[at..];
            let lead = rest.len() - rest.trim_start_matches(['"', '\'', ' ']).len();
            let mut end = e;
            if written.ends_with(['"', '\'']) && e > s + at + lead {
                end -= 1;
            }
            Span::new(s + at + lead, end.max(s + at + lead))
        }
    };
    (value, span)
}

/// Whether a notes body is HTML: it starts with a block-level tag (or a
/// doctype or comment before one).
pub(crate) fn looks_like_html(body: &str) -> bool {
    let body = body.trim_start();
    if !body.starts_with('<') {
        return false;
    }
    let mut end = body.len().min(4096);
    while !body.is_char_boundary(end) {
        end -= 1;
    }
    let mut tokens = tokenizer(&body[..end], false, |tok| match tok {
        Tok::Start { name, .. } => {
            let name = lower(name);
            Some(
                kind(&name) & BLOCK != 0
                    || matches!(
                        &*name,
                        b"span" | b"b" | b"strong" | b"a" | b"img" | b"iframe"
                    ),
            )
        }
        Tok::Other => None,
        Tok::Text { value, .. } if value.iter().all(u8::is_ascii_whitespace) => None,
        Tok::Text { .. } | Tok::End { .. } => Some(false),
    });
    matches!(tokens.next(), Some(Ok(true)))
}

/// The Markdown for a piece of text: characters with a meaning in
/// Markdown escaped. Runs without one are copied whole (all of them are
/// ASCII, so a byte never splits a character).
fn escape(md: &mut String, text: &str) {
    let mut run = 0;
    for (i, &b) in text.as_bytes().iter().enumerate() {
        if BYTES[b as usize] & MARK != 0 {
            md.push_str(&text[run..i]);
            md.push('\\');
            run = i;
        }
    }
    md.push_str(&text[run..]);
}

/// A link's destination in Markdown: spaces written `%20`.
fn push_dest(md: &mut String, dest: &str) {
    let mut rest = dest;
    while let Some(i) = rest.find(' ') {
        md.push_str(&rest[..i]);
        md.push_str("%20");
        rest = &rest[i + 1..];
    }
    md.push_str(rest);
}

/// Whether HTML text reads differently from how it is written as to
/// white space: a white space character other than a space, two spaces
/// in a row, or a space where a line (or a word) starts.
fn spaced(value: &str, starts_line: bool) -> bool {
    if starts_line && value.starts_with(' ') {
        return true;
    }
    let mut space = false;
    for (i, &b) in value.as_bytes().iter().enumerate() {
        let what = BYTES[b as usize];
        if what & (WHITE | SPACE | LEAD) == 0 {
            space = false;
            continue;
        }
        if what & SPACE != 0 {
            if space {
                return true;
            }
            space = true;
            continue;
        }
        space = false;
        if what & WHITE != 0 || value[i..].chars().next().is_some_and(char::is_whitespace) {
            return true;
        }
    }
    false
}

struct Reader<'s> {
    source: &'s str,
    out: Vec<Line>,
    /// A line is being read (in `b`).
    open: bool,
    /// The line being read; between lines, empty but for the capacity of
    /// its text, which the next line reuses.
    b: Builder,
    md: String,
    /// Open `<a href>`s: (text start, Markdown start, destination, where written).
    links: Vec<(usize, usize, String, Span)>,
    /// Open lists: ordered, and the next number.
    lists: Vec<(bool, u64)>,
    skip: Vec<Vec<u8>>,
    heading: Option<u8>,
    /// The next line starts a list item: its depth, and its number in an
    /// ordered list.
    item: Option<(usize, Option<u64>)>,
    paragraph: bool,
    cell: usize,
    /// Text with its white space collapsed (a buffer kept for reuse).
    collapsed: String,
}

/// Reads `source[start..end]` as HTML.
pub(crate) fn read(source: &str, start: usize, end: usize) -> Vec<Line> {
    let mut r = Reader {
        source,
        out: Vec::new(),
        open: false,
        b: Builder::default(),
        md: String::new(),
        links: Vec::new(),
        lists: Vec::new(),
        skip: Vec::new(),
        heading: None,
        item: None,
        paragraph: true,
        cell: 0,
        collapsed: String::new(),
    };
    let tokens = tokenizer(&source[start..end], true, |tok| {
        r.token(tok, start, end);
        None::<Infallible>
    });
    let Ok(()) = tokens.finish();
    r.flush();
    r.out
}

impl Reader<'_> {
    /// Reads a token of `source[start..end]`.
    fn token(&mut self, tok: Tok<'_>, start: usize, end: usize) {
        match tok {
            Tok::Start {
                name,
                self_closing,
                at,
                href,
                list_start,
            } => {
                let name = lower(name);
                if let Some(top) = self.skip.last() {
                    if !self_closing && *name == **top {
                        self.skip.push(name.into_owned());
                    }
                    return;
                }
                if kind(&name) & SKIPPED != 0 {
                    if !self_closing {
                        self.skip.push(name.into_owned());
                    }
                    return;
                }
                self.start_tag(&name, at + start, href, list_start, start);
            }
            Tok::End { name } => {
                let name = lower(name);
                if let Some(top) = self.skip.last() {
                    if *name == **top {
                        self.skip.pop();
                    }
                    return;
                }
                self.end_tag(&name);
            }
            Tok::Text {
                value,
                start: s,
                end: e,
            } => {
                if !self.skip.is_empty() {
                    return;
                }
                let span = Span::new((s + start).min(end), (e + start).min(end));
                self.text(value, span);
            }
            Tok::Other => {}
        }
    }

    fn builder(&mut self) -> &mut Builder {
        if !self.open {
            self.open = true;
            let line = &mut self.b.line;
            line.heading = self.heading;
            line.blank_before = std::mem::take(&mut self.paragraph);
            line.new_block = true;
            line.depth = self.lists.len();
            self.md.clear();
            if let Some(h) = self.heading {
                for _ in 0..h {
                    self.md.push('#');
                }
                self.md.push(' ');
            }
            if let Some((depth, number)) = self.item.take() {
                line.item = true;
                for _ in 0..depth {
                    self.md.push_str("  ");
                }
                match number {
                    Some(n) => {
                        use std::fmt::Write;
                        let _ = write!(self.md, "{n}. ");
                    }
                    None => self.md.push_str("- "),
                }
            }
        }
        &mut self.b
    }

    fn flush(&mut self) {
        if !std::mem::take(&mut self.open) {
            return;
        }
        while let Some((at, _, dest, written)) = self.links.pop() {
            self.end_link(at, dest, written);
        }
        let mut line = std::mem::take(&mut self.b.line);
        // Lines live until the whole body is parsed: each keeps exact-size
        // copies of its text and map, not buffers grown by doubling (the
        // builder keeps its text buffer for the next line).
        let text = line.text.as_str().to_owned();
        self.b.line.text = std::mem::replace(&mut line.text, text);
        self.b.line.text.clear();
        line.map = line.map.clone();
        line.links.sort_by_key(|l| l.start);
        line.md = self.md.trim().to_string();
        let mut line = trim(line);
        line.md_at = line.span().start;
        if line.text.is_empty() && line.links.is_empty() {
            // Nothing read: the paragraph break stays for the next line.
            self.paragraph |= line.blank_before;
            return;
        }
        self.out.push(line);
    }

    /// Ends the link opened at `at` of the line's text. Most lines hold
    /// one link at most: room for one, not the four a `Vec` starts with.
    fn end_link(&mut self, at: usize, dest: String, written: Span) {
        if self.b.line.links.capacity() == 0 {
            self.b.line.links.reserve_exact(1);
        }
        self.b.end_link(at, dest, written, false);
    }

    /// A start tag written at `at`; `offset` is where the HTML starts in
    /// the source.
    fn start_tag(
        &mut self,
        name: &[u8],
        at: usize,
        href: Option<Href>,
        list_start: Option<u64>,
        offset: usize,
    ) {
        let kind = kind(name);
        if kind & BLOCK != 0 {
            self.flush();
            if kind & PARAGRAPH != 0 {
                self.paragraph = true;
            }
        }
        match name {
            b"h1" | b"h2" | b"h3" | b"h4" | b"h5" | b"h6" => {
                self.heading = Some(name[1] - b'0');
            }
            b"ul" | b"ol" => self.lists.push((name == b"ol", list_start.unwrap_or(1))),
            b"li" => {
                let depth = self.lists.len().saturating_sub(1);
                let number = match self.lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        Some(*n - 1)
                    }
                    _ => None,
                };
                self.item = Some((depth, number));
            }
            b"tr" => {
                self.cell = 0;
            }
            b"td" | b"th" => {
                let sep = if self.cell == 0 { "| " } else { " | " };
                self.cell += 1;
                self.builder().stand(sep, Span::new(at, at));
                self.md.push_str(sep);
            }
            b"b" | b"strong" => {
                self.builder();
                self.md.push_str("**");
            }
            b"i" | b"em" => {
                self.builder();
                self.md.push('_');
            }
            b"a" => {
                if let Some(v) = href {
                    let (dest, written) = attr_value(self.source, offset, v);
                    let at = self.builder().line.text.len();
                    self.md.push('[');
                    self.links.push((at, self.md.len(), dest, written));
                }
            }
            _ => {}
        }
    }

    fn end_tag(&mut self, name: &[u8]) {
        match name {
            b"b" | b"strong" => self.md.push_str("**"),
            b"i" | b"em" => self.md.push('_'),
            b"a" => {
                if let Some((at, _, dest, written)) = self.links.pop() {
                    if self.open {
                        self.md.push_str("](");
                        push_dest(&mut self.md, &dest);
                        self.md.push(')');
                        self.end_link(at, dest, written);
                    }
                }
            }
            b"ul" | b"ol" => {
                self.lists.pop();
            }
            b"td" | b"th" => {}
            b"tr" if self.cell > 0 && self.open => {
                let b = &mut self.b;
                let at = b.line.map.end(b.line.text.len());
                b.stand(" |", Span::new(at, at));
                self.md.push_str(" |");
            }
            _ => {}
        }
        let kind = kind(name);
        if kind & BLOCK != 0 {
            self.flush();
            if kind & PARAGRAPH != 0 {
                self.paragraph = true;
            }
            if name.starts_with(b"h") && name.len() == 2 {
                self.heading = None;
            }
        }
    }

    /// Text (as the tokenizer gives it) read from `span`: white space runs
    /// read as one space (HTML renders them so).
    fn text(&mut self, value: &[u8], span: Span) {
        let source = self.source;
        let written = source.get(span.start..span.end);
        // Most text is written as it reads: no entity, no run of spaces;
        // then it is the source itself, never copied.
        let (value, copy) = match written {
            Some(w) if w.as_bytes() == value => (Cow::Borrowed(w), true),
            _ => {
                let value = String::from_utf8_lossy(value);
                let copy = written == Some(&*value);
                (value, copy)
            }
        };
        let starts_line =
            !self.open || self.b.line.text.is_empty() || self.b.line.text.ends_with(' ');
        if copy && !spaced(&value, starts_line) {
            if value.is_empty() {
                return;
            }
            self.builder().copy(&value, span.start);
            escape(&mut self.md, &value);
            return;
        }
        let mut collapsed = std::mem::take(&mut self.collapsed);
        collapsed.clear();
        let mut space = starts_line;
        for c in value.chars() {
            if c.is_whitespace() {
                if !space {
                    collapsed.push(' ');
                }
                space = true;
            } else {
                collapsed.push(c);
                space = false;
            }
        }
        if !collapsed.is_empty() {
            // The leading white space cut off: align from the first
            // character as written. That is the written white space's
            // length, not the decoded one's (a CR LF reads as one LF),
            // and always a character boundary; an entity that reads as
            // white space (`&nbsp;`) is written text, and stays.
            let written = written.unwrap_or("");
            let src_start = if value.trim_start().len() < value.len() {
                span.start + (written.len() - written.trim_start().len())
            } else {
                span.start
            };
            let src = Span::new(src_start.min(span.end), span.end);
            self.builder().read(&collapsed, source, src);
            escape(&mut self.md, &collapsed);
        }
        self.collapsed = collapsed;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(html: &str) -> Vec<String> {
        read(html, 0, html.len())
            .into_iter()
            .map(|l| l.text)
            .collect()
    }

    /// A text that starts with CR LF and a wide space (U+2000): the CR LF
    /// reads as one LF, so the decoded white space is shorter than the
    /// written; the line still starts at its first character as written.
    #[test]
    fn a_line_after_cr_lf_and_wide_spaces_starts_where_it_is_written() {
        for html in [
            "<p>\r\n\u{2000}\u{10740}",
            "<p>\r\n \u{a0}\r\n\u{2003}x &amp; y</p>\r\n<p>\r\n\t\u{3000}z</p>",
        ] {
            for line in read(html, 0, html.len()) {
                let span = line.span();
                assert!(
                    html.is_char_boundary(span.start) && html.is_char_boundary(line.md_at),
                    "{html:?}: {line:?}"
                );
                let first = line.text.chars().next().unwrap();
                assert!(html[span.start..].starts_with(first), "{html:?}: {line:?}");
            }
        }
    }

    #[test]
    fn blocks_and_breaks_are_lines() {
        assert_eq!(
            lines(
                "<p>Hello&nbsp;there &amp; you</p><p>Two<br>Three</p><ul><li>A</li><li>B</li></ul>"
            ),
            ["Hello there & you", "Two", "Three", "A", "B"]
        );
    }

    #[test]
    fn a_numbered_list_keeps_its_start() {
        let html = "<ol start=\" 3\"><li>C</li><li>D</li></ol><ol start=\"x\"><li>A</li></ol><ul start=\"5\"><li>B</li></ul>";
        let md: Vec<String> = read(html, 0, html.len())
            .into_iter()
            .map(|l| l.md)
            .collect();
        assert_eq!(md, ["3. C", "4. D", "1. A", "- B"]);
    }

    #[test]
    fn links_point_at_their_href() {
        let html = "<p>See <a href=\"https://a.org/?x=1&amp;y=2\">the <b>site</b></a> <img src=\"https://img.org/x.png\"></p><iframe src=\"https://player.org/e\"></iframe><script>var u = 'https://s.org';</script>";
        let ls = read(html, 0, html.len());
        assert_eq!(ls.len(), 1);
        let l = &ls[0];
        assert_eq!(l.text, "See the site");
        assert_eq!(l.links.len(), 1);
        assert_eq!(l.links[0].dest, "https://a.org/?x=1&y=2");
        let w = l.links[0].written;
        assert_eq!(&html[w.start..w.end], "https://a.org/?x=1&amp;y=2");
        assert_eq!(&l.text[l.links[0].start..l.links[0].end], "the site");
        assert_eq!(l.md, "See [the **site**](https://a.org/?x=1&y=2)");
        let s = l.src(4, 7);
        assert_eq!(&html[s.start..s.end], "the");
    }

    #[test]
    fn detects_html_bodies() {
        assert!(looks_like_html("  <p>Hi</p>"));
        assert!(looks_like_html("<!-- x --><div>Hi</div>"));
        assert!(!looks_like_html("Hi <b>there</b>"));
        assert!(!looks_like_html("<https://a.org> is a link"));
        assert!(!looks_like_html("<nick> hello"));
    }
}
