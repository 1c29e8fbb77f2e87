//! The parser returns on any input: arbitrary strings, and strings built
//! from the pieces real notes are made of (stamps, URLs, labels, glue).

use proptest::prelude::*;
use shownotes::chapter as chapters;
use shownotes::links;
use shownotes::notes::{self, Notes};
use shownotes::source::Source;

fn parse_and_check(text: &str) {
    let notes = Notes::parse(Source::new("p.md", text), &links::Rules::default());
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
        let s = c.span.unwrap();
        assert!(s.end <= text.len() && text.is_char_boundary(s.start));
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
