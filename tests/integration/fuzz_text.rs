//! Fuzzes the notes reader and the human renderer together (issue 8):
//! bytes built from what breaks text handling (NUL, invalid and truncated
//! UTF-8, CR, tabs, bidi controls, zero-width and wide characters, escape
//! sequences, very long lines) mixed with the pieces real notes are made
//! of, decoded, parsed, checked, and every finding rendered rustc-style
//! (plain and coloured) and as GitHub workflow commands. Nothing may
//! panic; every span lies on character boundaries; a file that is not
//! text is reported at the true line and column of its first bad byte;
//! rendered output holds no control or invisible character.
//!
//! Runs 500 cases per property here; `PROPTEST_CASES=100000` (as
//! `bench/fuzz.sh` does, in release) for the long run.

use annotate_snippets::Renderer;
use proptest::prelude::*;
use shownotes::chapter as chapters;
use shownotes::diagnostic::Diagnostic;
use shownotes::links;
use shownotes::notes::{self, Notes};
use shownotes::report::{self, Report};
use shownotes::source::Source;
use shownotes::text;

fn cases() -> u32 {
    std::env::var("PROPTEST_CASES")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(500)
}

/// Where a file that is not text goes wrong first, computed from the
/// bytes alone: the first invalid UTF-8 byte, else the first NUL; as a
/// 1-based line (LF, CRLF and lone CR end a line) and a column counted in characters.
fn first_bad(bytes: &[u8]) -> Option<(usize, usize)> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let at = match std::str::from_utf8(bytes) {
        Err(e) => e.valid_up_to(),
        Ok(t) => t.find('\0')?,
    };
    let before = &bytes[..at];
    // A line ends at LF, CRLF, or a lone CR (classic Mac line ends).
    let breaks: Vec<usize> = (0..before.len())
        .filter(|&i| before[i] == b'\n' || (before[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n')))
        .collect();
    let line_start = breaks.last().map_or(0, |i| i + 1);
    let line = breaks.len() + 1;
    let column = std::str::from_utf8(&before[line_start..])
        .expect("the bytes before the first bad one are text")
        .chars()
        .count()
        + 1;
    Some((line, column))
}

fn reader_and_renderer(bytes: &[u8]) -> Result<(), TestCaseError> {
    let expected = first_bad(bytes);
    let (source, diags): (Source, Vec<Diagnostic>) = match notes::decode("f.md", bytes) {
        Ok(src) => {
            prop_assert!(expected.is_none());
            let n = Notes::parse(src, &links::Rules::default());
            let d = n.check(&chapters::Rules::default(), None);
            (n.source, d)
        }
        Err(bad) => {
            let (src, d) = *bad;
            let pos = src.position(d.span.expect("a bad byte has a place").start);
            prop_assert_eq!(Some((pos.line, pos.column)), expected);
            (src, vec![d])
        }
    };
    let text_len = source.text.len();
    for d in &diags {
        if let Some(s) = d.span {
            prop_assert!(s.start <= s.end && s.end <= text_len, "{:?}", d);
            prop_assert!(
                source.text.is_char_boundary(s.start) && source.text.is_char_boundary(s.end),
                "{:?}",
                d
            );
        }
    }
    let plain = Renderer::plain();
    let styled = Renderer::styled();
    for d in &diags {
        let out = report::human::render(&plain, &source, d);
        prop_assert!(
            !out.chars()
                .any(|c| (c.is_control() && c != '\n' && c != '\t') || text::is_invisible(c)),
            "{:?}",
            out
        );
        let _ = report::human::render(&styled, &source, d);
    }
    let mut gh = report::github::Github::default();
    gh.file(&source, &diags);
    for line in gh.stdout().lines() {
        prop_assert!(line.starts_with("::"), "{:?}", line);
        prop_assert!(
            !line.chars().any(|c| c.is_control() && c != '\t'),
            "{:?}",
            line
        );
    }
    let mut human = report::human::Human::new(false, false);
    human.file(&source, &diags);
    let _ = human.stderr();
    Ok(())
}

/// The alphabet: hostile bytes and characters, and note pieces.
fn piece() -> impl Strategy<Value = Vec<u8>> {
    let fixed: Vec<&'static [u8]> = vec![
        b"\0",
        b"\xFF",
        b"\xFE",
        b"\xC3",
        b"\xE2\x82",
        b"\xF0\x9F\x8E",
        b"\xED\xA0\x80", // a UTF-16 surrogate, invalid in UTF-8
        b"\xEF\xBB\xBF",
        b"\r",
        b"\n",
        b"\r\n",
        b"\t",
        b" ",
        "\u{202E}".as_bytes(),
        "\u{202A}".as_bytes(),
        "\u{2066}".as_bytes(),
        "\u{2069}".as_bytes(),
        "\u{200B}".as_bytes(),
        "\u{200D}".as_bytes(),
        "\u{2060}".as_bytes(),
        "\u{FEFF}".as_bytes(),
        "\u{2028}".as_bytes(),
        "\u{1b}[31m".as_bytes(),
        "\u{9b}".as_bytes(),
        "\u{7f}".as_bytes(),
        "中文".as_bytes(),
        "🎙".as_bytes(),
        "ｗｉｄｅ".as_bytes(),
        "e\u{301}".as_bytes(),
        "👩\u{200D}💻".as_bytes(),
        b"Chapters\n",
        b"Learn more:\n",
        b"## Links\n",
        b"+++\n",
        b"---\n",
        b"title = \"x\"\n",
        b"url = \"javascript:alert(1)\"\n",
        b"00:00 ",
        b"0:00 ",
        b"01:05:12 ",
        b"00:75 ",
        b"(00:34) ",
        b" \xE2\x80\x94 ",
        b"- ",
        b"[t](https://a.org/<x>)",
        b"[click](https://x/?q=<script>alert(1)</script>)",
        b"https://a.org/x?utm_source=y#f",
        b"http://b.org",
        b"<https://c.org>",
        b"javascript:alert(1)",
        b"hello@x.org",
        b"Masinterhttps://d.org",
        // The Markdown and HTML readers.
        b"<p>",
        b"<a href=\"https://a.org/?x=1&amp;y=2\">",
        b"</a>",
        b"<br>",
        b"<li>",
        b"&amp;",
        b"**",
        b"`",
        b"[2:22](#t=2:22) ",
        b"[0:00 \xE2\x80\x93 Intro](https://youtu.be/x?t=0)",
        b"Timestamps: 00:00 Intro 05:12 Next ",
    ];
    prop_oneof![
        8 => prop::sample::select(fixed).prop_map(<[u8]>::to_vec),
        2 => "[a-zA-Z0-9 .:/()\\[\\]#-]{0,12}".prop_map(String::into_bytes),
        1 => prop::collection::vec(any::<u8>(), 0..4),
        1 => (1usize..400).prop_map(|n| "word ".repeat(n / 5 + 1).into_bytes()),
    ]
}

proptest! {
    // Failures are kept beside this file, in `fuzz_text.proptest-regressions`
    // (proptest's default would put them in tests/proptest-regressions/,
    // since tests/integration/ has a main.rs).
    #![proptest_config(ProptestConfig {
        cases: cases(),
        failure_persistence: Some(Box::new(prop::test_runner::FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn hostile_notes_read_and_render(pieces in prop::collection::vec(piece(), 0..80)) {
        reader_and_renderer(&pieces.concat())?;
    }

    #[test]
    fn any_bytes_read_and_render(bytes in prop::collection::vec(any::<u8>(), 0..400)) {
        reader_and_renderer(&bytes)?;
    }
}
