//! The HTML reader: notes written as HTML (a host's or a feed's
//! description) read with an HTML5 tokenizer (html5gum) into logical
//! lines. `<p>`, `<br>`, `<li>` and the ends of blocks are line breaks,
//! `<a href>` is a link with its text, entities are decoded, and the
//! `src` of `<img>`, `<iframe>` and `<script>` is markup, never a link.
//! Each line carries the equivalent Markdown, for the platforms.

use html5gum::{DefaultEmitter, Token, Tokenizer};

use super::line::{trim, Builder, Line};
use crate::source::Span;

/// Tags that end a line.
const BLOCKS: &[&str] = &[
    "address",
    "article",
    "aside",
    "blockquote",
    "body",
    "br",
    "center",
    "dd",
    "details",
    "div",
    "dl",
    "dt",
    "figcaption",
    "figure",
    "footer",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "header",
    "hr",
    "html",
    "li",
    "main",
    "nav",
    "ol",
    "p",
    "pre",
    "section",
    "summary",
    "table",
    "tbody",
    "thead",
    "tr",
    "ul",
];

/// Tags that also end a paragraph (a blank line in Markdown).
const PARAGRAPHS: &[&str] = &[
    "p",
    "div",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "ul",
    "ol",
    "table",
    "blockquote",
    "hr",
    "section",
    "article",
    "pre",
    "figure",
    "header",
    "footer",
];

/// Tags whose content is not text a listener reads.
const SKIPPED: &[&str] = &[
    "script", "style", "iframe", "template", "noscript", "head", "title", "object", "svg", "video",
    "audio", "select", "textarea",
];

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
    let tokenizer = Tokenizer::new_with_emitter(h, DefaultEmitter::<usize>::new_with_span());
    for token in tokenizer {
        match token.ok()? {
            Token::StartTag(t) => {
                let name = String::from_utf8_lossy(&t.name).to_ascii_lowercase();
                let href = t
                    .attributes
                    .get(b"href".as_slice())
                    .map(|v| attr_value(h, 0, v));
                return Some(Tag {
                    name,
                    end: false,
                    href,
                });
            }
            Token::EndTag(t) => {
                return Some(Tag {
                    name: String::from_utf8_lossy(&t.name).to_ascii_lowercase(),
                    end: true,
                    href: None,
                })
            }
            Token::Error(_) => {}
            _ => return None,
        }
    }
    None
}

/// An attribute's value, decoded, and where it is written in `source`
/// (the tokenizer's span covers the attribute; the value is found in it).
fn attr_value(
    source: &str,
    offset: usize,
    v: &html5gum::Spanned<html5gum::HtmlString, usize>,
) -> (String, Span) {
    let value = String::from_utf8_lossy(&v.value).into_owned();
    let s = (v.span.start + offset).min(source.len());
    let e = (v.span.end + offset).clamp(s, source.len());
    let floor = |mut i: usize| {
        while !source.is_char_boundary(i) {
            i -= 1;
        }
        i
    };
    let (s, e) = (floor(s), floor(e));
    let written = &source[s..e];
    let span = match written.find(value.as_str()).filter(|_| !value.is_empty()) {
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
    let tokenizer =
        Tokenizer::new_with_emitter(&body[..end], DefaultEmitter::<usize>::new_with_span());
    for token in tokenizer {
        match token {
            Ok(Token::StartTag(t)) => {
                let name = String::from_utf8_lossy(&t.name).to_ascii_lowercase();
                return BLOCKS.contains(&name.as_str())
                    || matches!(
                        name.as_str(),
                        "span" | "b" | "strong" | "a" | "img" | "iframe"
                    );
            }
            Ok(Token::Doctype(_) | Token::Comment(_) | Token::Error(_)) => {}
            Ok(Token::String(s)) if s.value.iter().all(u8::is_ascii_whitespace) => {}
            _ => return false,
        }
    }
    false
}

/// The Markdown for a piece of text: characters with a meaning in
/// Markdown escaped.
fn escape(md: &mut String, text: &str) {
    for c in text.chars() {
        if matches!(c, '\\' | '*' | '_' | '[' | ']' | '<' | '>' | '`') {
            md.push('\\');
        }
        md.push(c);
    }
}

struct Reader<'s> {
    source: &'s str,
    out: Vec<Line>,
    cur: Option<Builder>,
    md: String,
    /// Open `<a href>`s: (text start, Markdown start, destination, where written).
    links: Vec<(usize, usize, String, Span)>,
    /// Open lists: ordered, and the next number.
    lists: Vec<(bool, u64)>,
    skip: Vec<String>,
    heading: Option<u8>,
    item: Option<String>,
    paragraph: bool,
    cell: usize,
}

/// Reads `source[start..end]` as HTML.
pub(crate) fn read(source: &str, start: usize, end: usize) -> Vec<Line> {
    let html = &source[start..end];
    let mut emitter = DefaultEmitter::<usize>::new_with_span();
    emitter.naively_switch_states(true);
    let tokenizer = Tokenizer::new_with_emitter(html, emitter);
    let mut r = Reader {
        source,
        out: Vec::new(),
        cur: None,
        md: String::new(),
        links: Vec::new(),
        lists: Vec::new(),
        skip: Vec::new(),
        heading: None,
        item: None,
        paragraph: true,
        cell: 0,
    };
    for token in tokenizer {
        let Ok(token) = token;
        match token {
            Token::StartTag(t) => {
                let name = String::from_utf8_lossy(&t.name).to_ascii_lowercase();
                if !r.skip.is_empty() {
                    if !t.self_closing && name == r.skip[r.skip.len() - 1] {
                        r.skip.push(name);
                    }
                    continue;
                }
                if SKIPPED.contains(&name.as_str()) {
                    if !t.self_closing {
                        r.skip.push(name);
                    }
                    continue;
                }
                r.start_tag(&name, &t, start);
            }
            Token::EndTag(t) => {
                let name = String::from_utf8_lossy(&t.name).to_ascii_lowercase();
                if !r.skip.is_empty() {
                    if name == r.skip[r.skip.len() - 1] {
                        r.skip.pop();
                    }
                    continue;
                }
                r.end_tag(&name);
            }
            Token::String(s) => {
                if !r.skip.is_empty() {
                    continue;
                }
                let value = String::from_utf8_lossy(&s.value).into_owned();
                let span = Span::new(
                    (s.span.start + start).min(end),
                    (s.span.end + start).min(end),
                );
                r.text(&value, span);
            }
            _ => {}
        }
    }
    r.flush();
    r.out
}

impl Reader<'_> {
    fn builder(&mut self) -> &mut Builder {
        if self.cur.is_none() {
            let mut b = Builder::default();
            b.line.heading = self.heading;
            b.line.blank_before = std::mem::take(&mut self.paragraph);
            b.line.new_block = true;
            b.line.depth = self.lists.len();
            self.md.clear();
            if let Some(h) = self.heading {
                for _ in 0..h {
                    self.md.push('#');
                }
                self.md.push(' ');
            }
            if let Some(marker) = self.item.take() {
                b.line.item = true;
                self.md.push_str(&marker);
            }
            self.cur = Some(b);
        }
        self.cur.as_mut().unwrap()
    }

    fn flush(&mut self) {
        let Some(mut b) = self.cur.take() else {
            return;
        };
        while let Some((at, _, dest, written)) = self.links.pop() {
            b.end_link(at, dest, written, false);
        }
        b.line.links.sort_by_key(|l| l.start);
        b.line.md = self.md.trim().to_string();
        let mut line = trim(b.line);
        line.md_at = line.span().start;
        if line.text.is_empty() && line.links.is_empty() {
            // Nothing read: the paragraph break stays for the next line.
            self.paragraph |= line.blank_before;
            return;
        }
        self.out.push(line);
    }

    fn start_tag(&mut self, name: &str, t: &html5gum::StartTag<usize>, offset: usize) {
        if BLOCKS.contains(&name) {
            self.flush();
            if PARAGRAPHS.contains(&name) {
                self.paragraph = true;
            }
        }
        match name {
            "h1" | "h2" | "h3" | "h4" | "h5" | "h6" => {
                self.heading = name[1..].parse().ok();
            }
            "ul" | "ol" => self.lists.push((name == "ol", 1)),
            "li" => {
                let depth = self.lists.len().saturating_sub(1);
                let marker = match self.lists.last_mut() {
                    Some((true, n)) => {
                        *n += 1;
                        format!("{}. ", *n - 1)
                    }
                    _ => "- ".to_string(),
                };
                self.item = Some(format!("{}{marker}", "  ".repeat(depth)));
            }
            "tr" => {
                self.cell = 0;
            }
            "td" | "th" => {
                let sep = if self.cell == 0 { "| " } else { " | " };
                self.cell += 1;
                let b = self.builder();
                let at = t.span.start + offset;
                b.stand(sep, Span::new(at, at));
                self.md.push_str(sep);
            }
            "b" | "strong" => {
                self.builder();
                self.md.push_str("**");
            }
            "i" | "em" => {
                self.builder();
                self.md.push('_');
            }
            "a" => {
                if let Some(v) = t.attributes.get(b"href".as_slice()) {
                    let (dest, written) = attr_value(self.source, offset, v);
                    let at = self.builder().line.text.len();
                    self.md.push('[');
                    self.links.push((at, self.md.len(), dest, written));
                }
            }
            _ => {}
        }
    }

    fn end_tag(&mut self, name: &str) {
        match name {
            "b" | "strong" => self.md.push_str("**"),
            "i" | "em" => self.md.push('_'),
            "a" => {
                if let Some((at, _, dest, written)) = self.links.pop() {
                    if let Some(b) = self.cur.as_mut() {
                        b.end_link(at, dest.clone(), written, false);
                        self.md.push_str("](");
                        self.md.push_str(&dest.replace(' ', "%20"));
                        self.md.push(')');
                    }
                }
            }
            "ul" | "ol" => {
                self.lists.pop();
            }
            "td" | "th" => {}
            "tr" if self.cell > 0 => {
                if let Some(b) = self.cur.as_mut() {
                    let at = b.line.map.end(b.line.text.len());
                    b.stand(" |", Span::new(at, at));
                    self.md.push_str(" |");
                }
            }
            _ => {}
        }
        if BLOCKS.contains(&name) {
            self.flush();
            if PARAGRAPHS.contains(&name) {
                self.paragraph = true;
            }
            if name.starts_with('h') && name.len() == 2 {
                self.heading = None;
            }
        }
    }

    /// Text: white space runs read as one space (HTML renders them so).
    fn text(&mut self, value: &str, span: Span) {
        let starts_line = self
            .cur
            .as_ref()
            .is_none_or(|b| b.line.text.is_empty() || b.line.text.ends_with(' '));
        // Most text is written as it reads: no entity, no run of spaces.
        let spaced = value.contains(|c: char| c.is_whitespace() && c != ' ')
            || value.contains("  ")
            || starts_line && value.starts_with(' ');
        let plain = !spaced && self.source.get(span.start..span.end) == Some(value);
        if plain {
            if value.is_empty() {
                return;
            }
            self.builder().copy(value, span.start);
            escape(&mut self.md, value);
            return;
        }
        let mut collapsed = String::with_capacity(value.len());
        let starts_line = self
            .cur
            .as_ref()
            .is_none_or(|b| b.line.text.is_empty() || b.line.text.ends_with(' '));
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
        if collapsed.is_empty() {
            return;
        }
        // The leading white space cut off: align from the first character.
        let lead = value.len() - value.trim_start().len();
        let written = self.source.get(span.start..span.end).unwrap_or("");
        let src_start = if value.trim_start().len() < value.len() {
            span.start + (written.len() - written.trim_start().len()).min(lead.max(1))
        } else {
            span.start
        };
        let src = Span::new(src_start.min(span.end), span.end);
        let source = self.source;
        self.builder().read(&collapsed, source, src);
        escape(&mut self.md, &collapsed);
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
