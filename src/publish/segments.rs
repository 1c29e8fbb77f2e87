//! A line as the templates receive it: runs of text and links, the
//! links found by the link finder (bare URLs) or given by Markdown
//! ([`super::markup`]), normalized with the show's rules.

use serde::Serialize;

use crate::links;

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

/// Appends text to `out`, to its last segment when that is text too.
pub(crate) fn push_text(out: &mut Vec<Segment>, text: &str) {
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

/// Segments for a line of text: links found with the notes' finder and
/// normalized with the same rules (looked up in `memo` when normalized
/// there already).
pub(crate) fn text_segments(line: &str, rules: &links::Rules, memo: &links::Memo) -> Vec<Segment> {
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
            memo.normalize(raw, rules).ok().map(|n| n.url)
        };
        match url.filter(|u| memo.passes_gate(u)) {
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
