//! A line of the notes as the templates receive it: runs of text and
//! links, found with the notes' own links (or the link finder, for text
//! that is not in the notes).

use serde::Serialize;

use super::rules::allowed_url;
use crate::links::{self, Kind, Link};

/// A piece of a line: text, or a link (`url` set) shown as `text`.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Segment {
    /// The text shown.
    pub text: String,
    /// The normalized URL (tracking parameters removed); only `http`,
    /// `https` and `mailto`.
    pub url: Option<String>,
    /// The link was written bare (the text is the URL or address itself).
    pub bare: bool,
}

/// The text shown for a link written bare: the address of an e-mail link,
/// else the normalized URL.
pub(crate) fn display(link_url: &str) -> String {
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
pub(crate) fn segments(line: &str, at: usize, links: &[&Link]) -> Vec<Segment> {
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
        if allowed_url(&l.url) {
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
pub(crate) fn find_line(text: &str, line: &str) -> Option<usize> {
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
pub(crate) fn by_start(links: &[Link]) -> Vec<&Link> {
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
pub(crate) fn text_segments(line: &str, rules: &links::Rules) -> Vec<Segment> {
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
        match url.filter(|u| allowed_url(u)) {
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::notes::Notes;
    use crate::source::Source;

    fn notes(text: &str) -> Notes {
        Notes::parse(Source::new("n.md", text), &links::Rules::default())
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
}
