//! A logical line of the notes body as a reader gives it: the text a
//! reader of the notes sees, where each byte of it stands in the source,
//! its inline links and code spans, and the Markdown it carries.

use crate::source::Span;

/// Where each byte of a line's text stands in the source: segments that
/// are copies of the source (byte for byte) or stand for a source range
/// as a whole (a decoded entity, a line break read as a space).
#[derive(Clone, Debug, Default)]
pub(crate) struct Map {
    /// `(text offset, source start, source end, copied)`, by text offset.
    segs: Vec<(usize, usize, usize, bool)>,
}

impl Map {
    /// Text from `text_at` on is a copy of the source from `src_at` on.
    pub(crate) fn copied(&mut self, text_at: usize, src_at: usize) {
        // A copy that goes on where the last one stands needs no segment
        // of its own (a reader gives text in pieces: one per event).
        if let Some(&(t, s, _, true)) = self.segs.last() {
            if text_at >= t && s + (text_at - t) == src_at {
                return;
            }
        }
        self.segs.push((text_at, src_at, src_at, true));
    }

    /// Text from `text_at` on (up to the next segment) stands for the
    /// source range `src`.
    pub(crate) fn stands_for(&mut self, text_at: usize, src: Span) {
        self.segs.push((text_at, src.start, src.end, false));
    }

    fn seg(&self, at: usize) -> Option<&(usize, usize, usize, bool)> {
        let i = self.segs.partition_point(|s| s.0 <= at);
        i.checked_sub(1).map(|i| &self.segs[i])
    }

    /// The source offset where the text's byte `at` starts.
    pub(crate) fn start(&self, at: usize) -> usize {
        match self.seg(at) {
            Some(&(t, s, _, true)) => s + (at - t),
            Some(&(_, s, _, false)) => s,
            None => self.segs.first().map_or(0, |s| s.1),
        }
    }

    /// The source offset just past the text's byte `at - 1`.
    pub(crate) fn end(&self, at: usize) -> usize {
        if at == 0 {
            return self.start(0);
        }
        match self.seg(at - 1) {
            Some(&(t, s, _, true)) => s + (at - t),
            Some(&(_, _, e, false)) => e,
            None => self.start(0),
        }
    }

    /// The source span of the text's `start..end`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let s = self.start(start);
        if end <= start {
            return Span::new(s, s);
        }
        Span::new(s, self.end(end).max(s))
    }

    /// Whether the text's `start..end` is a plain copy of the source.
    pub(crate) fn is_copy(&self, start: usize, end: usize) -> bool {
        if end <= start {
            return true;
        }
        let i = self.segs.partition_point(|s| s.0 <= start);
        let Some(first) = i.checked_sub(1) else {
            return false;
        };
        let (t0, s0, _, copied) = self.segs[first];
        if !copied {
            return false;
        }
        self.segs[first + 1..]
            .iter()
            .take_while(|s| s.0 < end)
            .all(|&(t, s, _, c)| c && s == s0 + (t - t0))
    }

    /// The map of the text's `start..`, shifted so that `start` is 0.
    fn from(&self, start: usize, end: usize) -> Map {
        let mut out = Map::default();
        let i = self.segs.partition_point(|s| s.0 <= start);
        let first = i.saturating_sub(1);
        for &(t, s, e, c) in &self.segs[first..] {
            if t >= end {
                break;
            }
            if t <= start {
                if c {
                    out.segs.push((0, s + (start - t), 0, true));
                } else {
                    out.segs.push((0, s, e, false));
                }
            } else {
                out.segs.push((t - start, s, e, c));
            }
        }
        out
    }
}

/// A link written inline: a Markdown link or autolink, or an HTML `<a>`.
#[derive(Clone, Debug)]
pub(crate) struct Inline {
    /// Where its visible text stands in the line's text.
    pub start: usize,
    /// Just past its visible text.
    pub end: usize,
    /// The destination, decoded (escapes and entities).
    pub dest: String,
    /// Where the destination is written in the source.
    pub written: Span,
    /// An autolink (`<https://…>`): its text is its URL, not a description.
    pub auto: bool,
}

/// A logical line.
#[derive(Clone, Debug, Default)]
pub(crate) struct Line {
    /// The text as a reader sees it: emphasis marks, link destinations and
    /// tags left out, entities decoded.
    pub text: String,
    /// Where the text stands in the source.
    pub map: Map,
    /// Its links written inline, in order.
    pub links: Vec<Inline>,
    /// Its code spans (text ranges, never scanned for links or stamps).
    pub code: Vec<(usize, usize)>,
    /// The line as Markdown (as written, for Markdown notes).
    /// (Empty when `md_src` says where it is written.)
    pub md: String,
    /// Where the line's Markdown stands in the source when it is a copy of
    /// it (Markdown notes): not copied out, see [`Line::md`].
    pub md_src: Option<Span>,
    /// Where `md` starts in the source (as written), or the line's start.
    pub md_at: usize,
    /// A blank line stood before it.
    pub blank_before: bool,
    /// It starts a block (a paragraph, a list item, a heading).
    pub new_block: bool,
    /// A heading's level.
    pub heading: Option<u8>,
    /// It starts a list item.
    pub item: bool,
    /// How deep in lists it stands (0: not in a list).
    pub depth: usize,
    /// A line of a code block: kept as written, never scanned.
    pub verbatim: bool,
}

impl Line {
    /// The line as Markdown: `md`, or the source where `md_src` says.
    pub(crate) fn md<'a>(&'a self, source: &'a str) -> &'a str {
        match self.md_src {
            Some(s) => source.get(s.start..s.end).unwrap_or(""),
            None => &self.md,
        }
    }

    /// Where the line stands in the source.
    pub(crate) fn span(&self) -> Span {
        self.map.span(0, self.text.len())
    }

    /// The source span of the text's `start..end`.
    pub(crate) fn src(&self, start: usize, end: usize) -> Span {
        self.map.span(start, end)
    }

    /// The text's `start..end` (trimmed) as a line of its own; `md` is the
    /// source there when the text is a copy of it.
    pub(crate) fn slice(&self, source: &str, start: usize, end: usize) -> Line {
        let piece = &self.text[start..end];
        let start = start + (piece.len() - piece.trim_start().len());
        let end = (end - (piece.len() - piece.trim_end().len())).max(start);
        let text = self.text[start..end].to_string();
        let map = self.map.from(start, end);
        let links = self
            .links
            .iter()
            .filter(|l| l.start >= start && l.end <= end)
            .map(|l| Inline {
                start: l.start - start,
                end: l.end - start,
                ..l.clone()
            })
            .collect();
        let code = self
            .code
            .iter()
            .filter(|c| c.1 > start && c.0 < end)
            .map(|&(s, e)| (s.max(start) - start, e.min(end) - start))
            .collect();
        let md_at = self.map.start(start);
        let copy = self
            .map
            .is_copy(start, end)
            .then(|| self.map.span(start, end));
        let md_src = copy.filter(|s| source.get(s.start..s.end).is_some());
        let md = if md_src.is_some() {
            String::new()
        } else {
            text.clone()
        };
        Line {
            text,
            map,
            links,
            code,
            md,
            md_src,
            md_at,
            blank_before: false,
            new_block: false,
            heading: self.heading,
            item: false,
            depth: self.depth,
            verbatim: self.verbatim,
        }
    }

    /// Whether the text's byte `at` lies in a code span.
    pub(crate) fn in_code(&self, start: usize, end: usize) -> bool {
        self.code.iter().any(|&(s, e)| start < e && s < end)
    }
}

/// An invisible character a reader leaves out (the joiners, which emoji
/// and some scripts need, are kept).
fn hidden(c: char) -> bool {
    crate::text::is_invisible(c) && !matches!(c, '\u{200C}' | '\u{200D}')
}

/// The line with white space at both ends cut off (links and code moved).
pub(crate) fn trim(line: Line) -> Line {
    let lead = line.text.len() - line.text.trim_start().len();
    let end = line.text.trim_end().len().max(lead);
    if lead == 0 && end == line.text.len() {
        return line;
    }
    let mut out = line.slice("", lead, end);
    out.heading = line.heading;
    out.item = line.item;
    out.new_block = line.new_block;
    out.verbatim = line.verbatim;
    out.md = line.md;
    out.md_src = line.md_src;
    out.md_at = line.md_at;
    out
}

/// Builds a line's text and map.
#[derive(Default)]
pub(crate) struct Builder {
    pub line: Line,
}

impl Builder {
    /// Ends an inline link opened at `start` of the line's text: its visible
    /// text runs to where the line stands now.
    pub(crate) fn end_link(&mut self, start: usize, dest: String, written: Span, auto: bool) {
        let end = self.line.text.len();
        self.line.links.push(Inline {
            start,
            end,
            dest,
            written,
            auto,
        });
    }

    /// Appends `text`, a copy of the source at `src_at`. Invisible
    /// characters (U+200B, U+2060, U+FEFF, the soft hyphen, bidi
    /// controls) are left out: no reader sees them, and they never end up
    /// in a title or a URL.
    pub(crate) fn copy(&mut self, text: &str, src_at: usize) {
        if text.is_empty() {
            return;
        }
        if !crate::text::may_hold_invisible(text) {
            self.line.map.copied(self.line.text.len(), src_at);
            self.line.text.push_str(text);
            return;
        }
        let mut run = 0;
        for (i, c) in text.char_indices() {
            if hidden(c) {
                if run < i {
                    self.line.map.copied(self.line.text.len(), src_at + run);
                    self.line.text.push_str(&text[run..i]);
                }
                run = i + c.len_utf8();
            }
        }
        if run < text.len() {
            self.line.map.copied(self.line.text.len(), src_at + run);
            self.line.text.push_str(&text[run..]);
        }
    }

    /// Appends `text`, standing for the source range `src`.
    pub(crate) fn stand(&mut self, text: &str, src: Span) {
        if text.is_empty() || text.chars().all(hidden) {
            return;
        }
        self.line.map.stands_for(self.line.text.len(), src);
        self.line.text.push_str(text);
    }

    /// Appends `text` read from the source range `src`: a copy where it is
    /// one, else aligned piece by piece (a reader decodes escapes and
    /// entities), so that every character stands where it was written.
    pub(crate) fn read(&mut self, text: &str, source: &str, src: Span) {
        if self.line.text.capacity() == 0 {
            // Room for the rest of the source line at once (a line's
            // text comes in pieces, one per event).
            let rest = source.get(src.start..).unwrap_or("").as_bytes();
            let len = memchr::memchr(b'\n', rest).unwrap_or(rest.len());
            self.line.text.reserve(len.max(text.len()));
        }
        let written = source.get(src.start..src.end).unwrap_or("");
        if written == text {
            self.copy(text, src.start);
            return;
        }
        // Align: common characters are copies; what differs stands for
        // the source up to where the two agree again.
        let mut t = 0;
        let mut w = 0;
        let tb = text.as_bytes();
        while t < text.len() {
            if w < written.len() && tb[t] == written.as_bytes()[w] && written.is_char_boundary(w) {
                // Copy the longest common run.
                let mut n = 0;
                while t + n < text.len()
                    && w + n < written.len()
                    && tb[t + n] == written.as_bytes()[w + n]
                    && !matches!(tb[t + n], b'&' | b'\\' | b'\r')
                {
                    n += 1;
                }
                while n > 0 && (!text.is_char_boundary(t + n) || !written.is_char_boundary(w + n)) {
                    n -= 1;
                }
                if n > 0 {
                    self.copy(&text[t..t + n], src.start + w);
                    t += n;
                    w += n;
                    continue;
                }
            }
            // One character of the text for the source up to the next
            // place the following text character is written.
            let c = text[t..].chars().next().unwrap_or(' ');
            if c.is_whitespace() && written[w..].starts_with(char::is_whitespace) {
                // White space read as one space: the whole run.
                let run = written[w..]
                    .find(|c: char| !c.is_whitespace())
                    .unwrap_or(written.len() - w);
                self.stand(
                    &text[t..t + c.len_utf8()],
                    Span::new(src.start + w, src.start + w + run),
                );
                t += c.len_utf8();
                w += run;
                continue;
            }
            let next_t = t + c.len_utf8();
            let mut next_w = written.len();
            if w < written.len() {
                // Skip the written form: `&…;`, `\x`, `\r\n`.
                let rest = &written[w..];
                let skip = if rest.starts_with('&') {
                    rest.find(';').filter(|&i| i <= 32).map_or(1, |i| i + 1)
                } else if rest.starts_with('\\') || rest.starts_with('\r') {
                    rest.chars().take(2).map(char::len_utf8).sum()
                } else {
                    rest.chars().next().map_or(1, char::len_utf8)
                };
                next_w = (w + skip).min(written.len());
            }
            self.stand(
                &text[t..next_t],
                Span::new(src.start + w, src.start + next_w),
            );
            t = next_t;
            w = next_w;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn map_points_back_into_the_source() {
        let source = "ab &amp; cd\\*e";
        let mut b = Builder::default();
        b.read("ab & cd*e", source, Span::new(0, source.len()));
        let line = b.line;
        assert_eq!(line.text, "ab & cd*e");
        let s = line.src(0, 2);
        assert_eq!(&source[s.start..s.end], "ab");
        let s = line.src(3, 4);
        assert_eq!(&source[s.start..s.end], "&amp;");
        let s = line.src(5, 7);
        assert_eq!(&source[s.start..s.end], "cd");
        let s = line.src(7, 8);
        assert_eq!(&source[s.start..s.end], "\\*");
        assert_eq!(line.span(), Span::new(0, source.len()));
        let sub = line.slice(source, 5, 9);
        assert_eq!(sub.text, "cd*e");
        assert_eq!(sub.md(source), "cd*e");
        let s = sub.src(0, 2);
        assert_eq!(&source[s.start..s.end], "cd");
    }
}
