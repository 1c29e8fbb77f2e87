//! Text safety: characters that must never reach an output raw.
//!
//! - Control characters (C0 but tab, DEL, C1) and the Unicode line and
//!   paragraph separators break line-based formats, terminals and
//!   workflow commands: outputs get a space instead ([`clean`]); terminal
//!   and GitHub output show a visible stand-in ([`visible`]).
//! - Bidi controls (U+202A–U+202E, U+2066–U+2069, U+200E, U+200F) reorder
//!   what a reader sees (the "Trojan Source" attack, CVE-2021-42574), and
//!   zero-width characters (U+200B–U+200D, U+2060, U+FEFF, U+00AD) hide
//!   text: they get a `text-invisible-char` warning at their position
//!   ([`invisible_diagnostics`]) and are removed from every output.

use std::borrow::Cow;

use crate::diagnostic::{Code, Diagnostic};

use crate::source::{Source, Span};

/// Bidi controls and zero-width characters.
pub fn is_invisible(c: char) -> bool {
    matches!(
        c,
        '\u{202A}'..='\u{202E}'
            | '\u{2066}'..='\u{2069}'
            | '\u{200E}'
            | '\u{200F}'
            | '\u{200B}'..='\u{200D}'
            | '\u{2060}'
            | '\u{FEFF}'
            | '\u{00AD}'
    )
}

/// Whether `s` holds an invisible character ([`is_invisible`]): an exact
/// byte-level test for their UTF-8 forms (U+00AD `C2 AD`; U+200B–U+200F
/// and U+202A–U+202E `E2 80 …`; U+2060 and U+2066–U+2069 `E2 81 …`;
/// U+FEFF `EF BB BF`), so that ASCII text and text with other non-ASCII
/// characters (an em dash is `E2 80 94`) skip the character scan.
pub(crate) fn may_hold_invisible(s: &str) -> bool {
    let b = s.as_bytes();
    // ASCII runs (most text) are passed over a chunk at a time.
    b.chunks(64).enumerate().any(|(k, chunk)| {
        !chunk.is_ascii() && (0..chunk.len()).any(|i| invisible_at(b, k * 64 + i))
    })
}

/// Whether an invisible character's UTF-8 form starts at `b[i]`.
fn invisible_at(b: &[u8], i: usize) -> bool {
    let at = |i: usize| b.get(i).copied().unwrap_or(0);
    match b[i] {
        0xC2 => at(i + 1) == 0xAD,
        0xE2 => match at(i + 1) {
            0x80 => matches!(at(i + 2), 0x8B..=0x8F | 0xAA..=0xAE),
            0x81 => matches!(at(i + 2), 0xA0 | 0xA6..=0xA9),
            _ => false,
        },
        0xEF => at(i + 1) == 0xBB && at(i + 2) == 0xBF,
        _ => false,
    }
}

/// Characters that end or break a line, or drive a terminal: C0 controls
/// (tab aside), DEL, C1 controls, U+2028 and U+2029.
pub fn is_breaking_control(c: char) -> bool {
    (c.is_control() && c != '\t') || matches!(c, '\u{2028}' | '\u{2029}')
}

/// The name of an invisible character, for messages.
fn name(c: char) -> &'static str {
    match c {
        '\u{202A}' => "LEFT-TO-RIGHT EMBEDDING",
        '\u{202B}' => "RIGHT-TO-LEFT EMBEDDING",
        '\u{202C}' => "POP DIRECTIONAL FORMATTING",
        '\u{202D}' => "LEFT-TO-RIGHT OVERRIDE",
        '\u{202E}' => "RIGHT-TO-LEFT OVERRIDE",
        '\u{2066}' => "LEFT-TO-RIGHT ISOLATE",
        '\u{2067}' => "RIGHT-TO-LEFT ISOLATE",
        '\u{2068}' => "FIRST STRONG ISOLATE",
        '\u{2069}' => "POP DIRECTIONAL ISOLATE",
        '\u{200E}' => "LEFT-TO-RIGHT MARK",
        '\u{200F}' => "RIGHT-TO-LEFT MARK",
        '\u{200B}' => "ZERO WIDTH SPACE",
        '\u{200C}' => "ZERO WIDTH NON-JOINER",
        '\u{200D}' => "ZERO WIDTH JOINER",
        '\u{2060}' => "WORD JOINER",
        '\u{FEFF}' => "ZERO WIDTH NO-BREAK SPACE",
        '\u{00AD}' => "SOFT HYPHEN",
        _ => "invisible character",
    }
}

/// Whether `c`, between `prev` and `next`, is an invisible character to
/// warn about and remove: a bidi control, a zero-width space, a word
/// joiner, a BOM or a soft hyphen anywhere; a zero-width joiner or
/// non-joiner unless it joins two visible non-ASCII characters, as it does
/// in emoji sequences (`👩‍💻`) and in Persian and Indic writing.
pub fn is_hidden(prev: Option<char>, c: char, next: Option<char>) -> bool {
    let joins = |c: Option<char>| {
        c.is_some_and(|c| !c.is_ascii() && !c.is_whitespace() && !is_invisible(c))
    };
    match c {
        '\u{200C}' | '\u{200D}' => !(joins(prev) && joins(next)),
        c => is_invisible(c),
    }
}

/// Each character of `s` with its byte offset and whether it is hidden
/// ([`is_hidden`]).
fn hidden_chars(s: &str) -> impl Iterator<Item = (usize, char, bool)> + '_ {
    let mut prev = None;
    let mut it = s.char_indices().peekable();
    std::iter::from_fn(move || {
        let (i, c) = it.next()?;
        let next = it.peek().map(|&(_, n)| n);
        let hidden = is_invisible(c) && is_hidden(prev, c, next);
        prev = Some(c);
        Some((i, c, hidden))
    })
}

/// `s` without its hidden characters ([`is_hidden`]). Borrowed when clean.
pub fn strip_invisible(s: &str) -> Cow<'_, str> {
    if !may_hold_invisible(s) || !hidden_chars(s).any(|(_, _, h)| h) {
        return Cow::Borrowed(s);
    }
    Cow::Owned(
        hidden_chars(s)
            .filter(|&(_, _, h)| !h)
            .map(|(_, c, _)| c)
            .collect(),
    )
}

/// Whether `s` is ASCII without control characters (tab aside): text
/// [`clean`] leaves as it is. One pass without an early exit, which the
/// compiler turns into vector instructions: every text of the context is
/// asked.
fn is_plain_ascii(s: &str) -> bool {
    s.bytes().fold(true, |plain, b| {
        plain & (((0x20..0x7F).contains(&b)) | (b == b'\t'))
    })
}

/// Whether [`clean`] may change `s`: it holds a hidden or control
/// character (printable ASCII and tabs are clean as they are).
pub(crate) fn may_change_in_clean(s: &str) -> bool {
    !is_plain_ascii(s) && s.chars().any(|c| is_invisible(c) || is_breaking_control(c))
}

/// Text for an output: hidden characters removed ([`is_hidden`]), each
/// run of control characters (tab aside) replaced by one space. Borrowed
/// when clean.
pub fn clean(s: &str) -> Cow<'_, str> {
    if !may_change_in_clean(s) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut in_run = false;
    for (_, c, hidden) in hidden_chars(s) {
        if hidden {
            continue;
        }
        if is_breaking_control(c) {
            if !in_run {
                out.push(' ');
            }
            in_run = true;
        } else {
            out.push(c);
            in_run = false;
        }
    }
    match out == s {
        true => Cow::Borrowed(s),
        false => Cow::Owned(out),
    }
}

/// The stand-in shown for `c` on a terminal or in a workflow command, or
/// `None` when `c` is shown as itself: C0 controls as their Unicode
/// control pictures (`␀`, `␛`), DEL as `␡`, and C1 controls, the line
/// separators and the invisible characters as `<U+202E>`.
pub fn stand_in(c: char) -> Option<String> {
    match c {
        '\t' => None,
        '\u{0}'..='\u{1F}' => char::from_u32(0x2400 + c as u32).map(String::from),
        '\u{7F}' => Some("\u{2421}".into()),
        c if is_breaking_control(c) || is_invisible(c) => Some(format!("<U+{:04X}>", c as u32)),
        _ => None,
    }
}

/// Text for a terminal or a workflow command: every control and invisible
/// character (tab aside) replaced by a visible stand-in ([`stand_in`]), so
/// nothing the user wrote can move the cursor, recolour the terminal, end
/// a line or reorder what is shown.
pub fn visible(s: &str) -> Cow<'_, str> {
    if !s.chars().any(|c| stand_in(c).is_some()) {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match stand_in(c) {
            Some(r) => out.push_str(&r),
            None => out.push(c),
        }
    }
    Cow::Owned(out)
}

/// `text-invisible-char` warnings: one per line holding bidi controls or
/// zero-width characters, at the first of them, naming it and counting
/// the others. A BOM at the very start of the file is not one of them.
pub fn invisible_diagnostics(src: &Source) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let text = src.text.as_str();
    let mut line_start = 0;
    if !may_hold_invisible(text) {
        return out;
    }
    for line in text.split_inclusive('\n') {
        if !may_hold_invisible(line) {
            line_start += line.len();
            continue;
        }
        let mut first: Option<(usize, char)> = None;
        let mut count = 0usize;
        for (i, c, hidden) in hidden_chars(line) {
            let at = line_start + i;
            if hidden && !(at == 0 && c == '\u{FEFF}') {
                count += 1;
                first.get_or_insert((at, c));
            }
        }
        if let Some((at, c)) = first {
            let more = match count {
                1 => String::new(),
                2 => " (and 1 more on this line)".to_string(),
                n => format!(" (and {} more on this line)", n - 1),
            };
            let bidi = matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}');
            out.push(
                Diagnostic::new(
                    Code::TextInvisibleChar,
                    format!(
                        "the text holds an invisible `U+{:04X}` {}{more}",
                        c as u32,
                        name(c)
                    ),
                )
                .at(Span::new(at, at + c.len_utf8()))
                .label(if bidi {
                    "reorders the text around it"
                } else {
                    "invisible"
                })
                .help("delete it (it is removed from every output); editors show it with \"show invisibles\" or as `<U+...>`"),
            );
        }
        line_start += line.len();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_ascii_is_printable_ascii_and_tabs() {
        assert!(!is_plain_ascii("Chapter 1 – no"));
        assert!(is_plain_ascii("a b\tc ~!"));
        assert!(is_plain_ascii(""));
        for bad in ["a\nb", "a\u{1}", "a\u{7F}", "é", "a\rb"] {
            assert!(!is_plain_ascii(bad), "{bad:?}");
        }
    }

    #[test]
    fn the_byte_test_finds_exactly_the_invisible_characters() {
        for c in ('\u{80}'..='\u{FFFF}').chain(['a', '\u{10000}', '\u{1F600}']) {
            let s = format!("a{c}b");
            assert_eq!(
                may_hold_invisible(&s),
                is_invisible(c),
                "U+{:04X}",
                c as u32
            );
        }
        assert!(!may_hold_invisible("an em dash — and a curly ’ quote"));
    }

    #[test]
    fn clean_removes_invisibles_and_flattens_controls() {
        assert_eq!(clean("plain"), Cow::Borrowed("plain"));
        assert_eq!(clean("a\u{202E}b\u{200B}c"), "abc");
        assert_eq!(clean("a\r\nb\0c\u{1b}[31md\te"), "a b c [31md\te");
        assert_eq!(clean("x\u{2028}y\u{85}z"), "x y z");
    }

    #[test]
    fn joiners_inside_emoji_and_scripts_stay() {
        assert_eq!(clean("🚀👩\u{200D}💻"), "🚀👩\u{200D}💻");
        assert_eq!(clean("می\u{200C}خواهم"), "می\u{200C}خواهم");
        assert_eq!(clean("pay\u{200D}pal \u{200C}x"), "paypal x");
        assert_eq!(strip_invisible("a\u{200B}b"), "ab");
        let src = Source::new("n.md", "👩\u{200D}💻 ok\npay\u{200D}pal\n");
        let d = invisible_diagnostics(&src);
        assert_eq!(d.len(), 1);
        assert_eq!(src.position(d[0].span.unwrap().start).line, 2);
    }

    #[test]
    fn visible_shows_every_control() {
        assert_eq!(visible("a\0b\u{1b}c\n"), "a\u{2400}b\u{241b}c\u{240a}");
        assert_eq!(visible("\u{202E}x\u{9b}"), "<U+202E>x<U+009B>");
        assert_eq!(visible("tab\tok é 中"), "tab\tok é 中");
    }

    #[test]
    fn invisible_characters_are_found_once_per_line() {
        let src = Source::new(
            "n.md",
            "\u{FEFF}ok\nab\u{202E}cd\u{200B}\nfine\n\u{2066}x\n",
        );
        let d = invisible_diagnostics(&src);
        assert_eq!(d.len(), 2, "{d:?}");
        let p = src.position(d[0].span.unwrap().start);
        assert_eq!((p.line, p.column), (2, 3));
        assert!(d[0].message.contains("U+202E"), "{}", d[0].message);
        assert!(d[0].message.contains("1 more"), "{}", d[0].message);
        assert_eq!(src.position(d[1].span.unwrap().start).line, 4);
        assert_eq!(d[0].code, Code::TextInvisibleChar);
    }
}
