//! The parser returns on any input: arbitrary strings, and strings built
//! from the pieces real notes are made of (stamps, URLs, labels, glue).

use proptest::prelude::*;
use shownotes::chapter as chapters;
use shownotes::links;
use shownotes::notes::{self, Notes};
use shownotes::source::Source;

fn parse_and_check(text: &str) {
    parse_named("p.md", text);
}

/// Parses `text` as the file `name` (`.html` is read as HTML) and checks
/// every position.
fn parse_named(name: &str, text: &str) {
    let notes = Notes::parse(Source::new(name, text), &links::Rules::default());
    let diags = notes.check(&chapters::Rules::default(), None);
    // Every position is inside the text, on a character boundary.
    for d in &diags {
        if let Some(s) = d.span {
            assert!(s.start <= s.end && s.end <= text.len(), "{d:?}");
            assert!(
                text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "{d:?}"
            );
            let _ = notes.position(s.start);
        }
    }
    for c in &notes.chapters {
        for s in [c.span.unwrap(), c.title_span.unwrap()] {
            assert!(s.start <= s.end && s.end <= text.len(), "{c:?}");
            assert!(
                text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
                "{c:?}"
            );
        }
        assert!(!c.title.chars().any(shownotes::text::is_invisible), "{c:?}");
    }
    for b in &notes.blocks {
        let s = match b {
            notes::Block::Heading { span, .. }
            | notes::Block::Paragraph { span, .. }
            | notes::Block::LinkList { span, .. }
            | notes::Block::ChapterList { span, .. } => *span,
        };
        assert!(s.start <= s.end && s.end <= text.len(), "{b:?}");
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
    }
    for s in &notes.flattened {
        assert!(s.start <= s.end && s.end <= text.len());
        assert!(text.is_char_boundary(s.start) && text.is_char_boundary(s.end));
    }
    for l in &notes.links {
        assert_eq!(&text[l.span.start..l.span.end], l.original);
    }
}

fn piece() -> impl Strategy<Value = String> {
    prop_oneof![
        Just("Chapters".to_string()),
        Just("Learn more:".to_string()),
        Just("+++".to_string()),
        Just("---".to_string()),
        Just("\n".to_string()),
        Just("\r\n".to_string()),
        Just(" — ".to_string()),
        Just("https://a.org/x?utm_source=y#f".to_string()),
        Just("hello@netstack.fm".to_string()),
        Just("javascript:alert(1)".to_string()),
        Just("[t](https://b.org/(x))".to_string()),
        Just("<https://c.org>".to_string()),
        "[0-9]{1,3}:[0-9]{1,3}(:[0-9]{2})?(\\.[0-9]{1,4})?",
        "[A-Za-z]{1,8}",
        "[A-Z][a-z]{1,6}[A-Z][a-z]{1,6}",
        "[ .():\\[\\]/#-]",
        "\\PC{1,4}",
    ]
}

/// The pieces of Markdown, HTML and run-together notes the readers meet.
fn markup_piece() -> impl Strategy<Value = String> {
    prop_oneof![
        piece(),
        prop::sample::select(vec![
            "<p>",
            "</p>",
            "<br>",
            "<ul>",
            "<li>",
            "</li>",
            "</ul>",
            "<h3>",
            "</h3>",
            "<a href=\"https://a.org/?a=1&amp;b=2\">",
            "<a href='#t=1:00'>",
            "</a>",
            "<img src=\"https://i.org/x.png\">",
            "<iframe src=\"https://p.org/e\"></iframe>",
            "<script>var u='https://s.org';</script>",
            "&amp;",
            "&nbsp;",
            "&#x3A;",
            "&bogus",
            "**",
            "__",
            "*",
            "_",
            "`",
            "```\n",
            "    ",
            "> ",
            "### ",
            "1. ",
            "- ",
            "  - ",
            "[0:00 – Intro](https://youtu.be/x?t=0)",
            "[2:22](#t=2:22)",
            "**[00:31](#t=00:31)**",
            "![alt](https://img.org/a.png)",
            "[x][ref]",
            "\n[ref]: https://r.org \"t\"\n",
            "[t](https://a.org \"title\")",
            "<nick>",
            "Timestamps: ",
            "Time stamps",
            "Outline",
            "Episode links:",
            "Where to find Ana:",
            "(00:12:30)",
            " - 00:00",
            "\u{2060}",
            "\u{200B}",
            "\u{FEFF}",
            "\u{AD}",
            "\\*",
            "\\[",
            "https://x.org/_a_/",
        ])
        .prop_map(str::to_string),
    ]
}

proptest! {
    // Failures are kept beside this file, in `parser_props.proptest-regressions`
    // (proptest's default would put them in tests/proptest-regressions/,
    // since tests/integration/ has a main.rs).
    #![proptest_config(ProptestConfig {
        cases: 2000,
        failure_persistence: Some(Box::new(prop::test_runner::FileFailurePersistence::WithSource("proptest-regressions"))),
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_string_parses(text in "\\PC*") {
        parse_and_check(&text);
    }

    #[test]
    fn any_mix_of_note_pieces_parses(pieces in prop::collection::vec(piece(), 0..60)) {
        parse_and_check(&pieces.concat());
    }

    #[test]
    fn any_mix_of_markdown_pieces_parses(pieces in prop::collection::vec(markup_piece(), 0..60)) {
        parse_named("p.md", &pieces.concat());
    }

    #[test]
    fn any_mix_of_html_pieces_parses(pieces in prop::collection::vec(markup_piece(), 0..60)) {
        parse_named("p.html", &pieces.concat());
    }

    #[test]
    fn any_string_parses_as_html(text in "\\PC*") {
        parse_named("p.html", &text);
    }

    #[test]
    fn any_bytes_decode_or_fail_cleanly(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        match notes::decode("p.md", &bytes) {
            Ok(src) => parse_and_check(&src.text),
            Err(bad) => {
                let s = bad.1.span.unwrap();
                prop_assert!(s.end <= bad.0.text.len());
            }
        }
    }
}
