//! The escapers every value a template prints goes through (chosen by
//! the template's extension: [`super::platform::Escape`]), also offered
//! as filters: HTML and XML text, CDATA sections, YouTube's plain text.

use std::borrow::Cow;

use super::platform::youtube;
use crate::text;

/// Characters XML 1.0 cannot hold (C0 controls but tab, newline and
/// carriage return; U+FFFE, U+FFFF): removed from every output, so
/// every output stays well-formed.
fn xml_invalid(c: char) -> bool {
    matches!(c, '\u{0}'..='\u{8}' | '\u{B}' | '\u{C}' | '\u{E}'..='\u{1F}' | '\u{FFFE}' | '\u{FFFF}')
}

/// Escapes text for HTML and XML, content and attribute values alike.
pub(crate) fn escape_xml(s: &str) -> String {
    escape_xml_cow(s).into_owned()
}

/// Whether the escapers ([`escape_xml`], [`youtube_text`]) leave `s` as
/// it is: no character they escape, replace or remove (`&<>"'`, CR, XML-
/// invalid controls, invisible characters). The common case — a word, a
/// URL — is answered by one pass over the bytes, without allocating.
fn escapes_nothing(s: &str, table: &[bool; 256]) -> bool {
    // One pass, eight bytes at a time and one branch a chunk: no byte the
    // table marks (the escaped ASCII bytes and every non-ASCII byte) means
    // ASCII with nothing to escape. Every value a template prints comes
    // here, so it is worth the unrolling.
    let bytes = s.as_bytes();
    let mut chunks = bytes.chunks_exact(8);
    let marked = |c: &[u8]| c.iter().fold(false, |m, &b| m | table[usize::from(b)]);
    if !chunks.any(marked) && !marked(chunks.remainder()) {
        return true;
    }
    if s.is_ascii() {
        // Every XML-invalid and invisible character but the C0 controls
        // is non-ASCII.
        return !s.bytes().any(|b| table[usize::from(b)]);
    }
    !s.chars()
        .any(|c| (c.is_ascii() && table[c as usize]) || xml_invalid(c) || text::is_invisible(c))
}

/// A table of the bytes an escaper may change: `special`, the XML-invalid
/// C0 controls (all but tab, LF and CR), and every non-ASCII byte (their
/// characters are looked at one by one).
const fn escaped_bytes(special: &[u8]) -> [bool; 256] {
    let mut table = [false; 256];
    let mut b = 0x80;
    while b < 0x100 {
        table[b] = true;
        b += 1;
    }
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
const XML_ESCAPED: [bool; 256] = escaped_bytes(b"&<>\"'");
/// What [`youtube_text`] changes in ASCII text.
const YOUTUBE_ESCAPED: [bool; 256] = escaped_bytes(b"<>\r");

/// ASCII text `s` with each byte `with` names replaced (by `""`: left
/// out), in one pass over the bytes, the runs between copied at once; and
/// how many were replaced by text rather than left out.
fn replace_ascii(s: &str, with: impl Fn(u8) -> Option<&'static str>) -> (String, usize) {
    let mut out = String::with_capacity(s.len() + 16);
    let (mut kept, mut n) = (0, 0);
    for (i, b) in s.bytes().enumerate() {
        let Some(with) = with(b) else { continue };
        n += usize::from(!with.is_empty());
        out.push_str(&s[kept..i]);
        out.push_str(with);
        kept = i + 1;
    }
    out.push_str(&s[kept..]);
    (out, n)
}

/// [`escape_xml`], borrowed when there is nothing to escape.
pub(crate) fn escape_xml_cow(s: &str) -> Cow<'_, str> {
    if escapes_nothing(s, &XML_ESCAPED) {
        return Cow::Borrowed(s);
    }
    if s.is_ascii() {
        // No invisible character to strip (every line of a paragraph with
        // `<b>` in its text comes here).
        let (out, _) = replace_ascii(s, |b| match b {
            b'&' => Some("&amp;"),
            b'<' => Some("&lt;"),
            b'>' => Some("&gt;"),
            b'"' => Some("&quot;"),
            b'\'' => Some("&#39;"),
            b if XML_ESCAPED[usize::from(b)] => Some(""),
            _ => None,
        });
        return Cow::Owned(out);
    }
    let s = text::strip_invisible(s);
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
    Cow::Owned(out)
}

/// Wraps text in a CDATA section; a `]]>` inside is split across two
/// sections, so it can never end the section early.
pub(crate) fn cdata(s: &str) -> String {
    let clean: String = text::strip_invisible(s)
        .chars()
        .filter(|&c| !xml_invalid(c))
        .collect();
    format!("<![CDATA[{}]]>", clean.replace("]]>", "]]]]><![CDATA[>"))
}

/// Plain text for YouTube: `<` and `>` replaced; control characters out.
pub(crate) fn youtube_text(s: &str) -> (String, usize) {
    let (t, n) = youtube_text_cow(s);
    (t.into_owned(), n)
}

/// [`youtube_text`], borrowed when there is nothing to replace.
pub(crate) fn youtube_text_cow(s: &str) -> (Cow<'_, str>, usize) {
    if escapes_nothing(s, &YOUTUBE_ESCAPED) {
        return (Cow::Borrowed(s), 0);
    }
    if s.is_ascii() {
        // No invisible character to strip.
        let (out, n) = replace_ascii(s, |b| match b {
            b'<' => Some("‹"),
            b'>' => Some("›"),
            b if YOUTUBE_ESCAPED[usize::from(b)] => Some(""),
            _ => None,
        });
        return (Cow::Owned(out), n);
    }
    let clean: String = text::strip_invisible(s)
        .chars()
        .filter(|&c| !xml_invalid(c) && c != '\r')
        .collect();
    let (t, n) = youtube::replace_angles(&clean);
    (Cow::Owned(t), n)
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn cdata_cannot_be_closed_early() {
        assert_eq!(cdata("a]]>b"), "<![CDATA[a]]]]><![CDATA[>b]]>");
        assert_eq!(
            escape_xml("<a href='x'>&\u{1}"),
            "&lt;a href=&#39;x&#39;&gt;&amp;"
        );
    }
}
