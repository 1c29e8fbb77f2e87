use super::*;

fn run(text: &str) -> (Parsed, Vec<Diagnostic>, Source) {
    let src = Source::new("n.md", text);
    let mut d = vec![];
    let p = parse(&src, &mut d);
    (p, d, src)
}

#[test]
fn reads_toml_and_yaml() {
    let (p, d, src) = run("+++\ntitle = \"Ep\"\nepisode = 17\ndate = 2025-12-09\naudio = \"ep17.mp3\"\nexplicit = false\n+++\nbody");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.title.as_deref(), Some("Ep"));
    assert_eq!(p.front_matter.episode, Some(17));
    assert_eq!(p.front_matter.date.as_deref(), Some("2025-12-09"));
    assert_eq!(&src.text[p.body_start..], "body");
    let (p, d, _) = run("---\ntitle: Ep\nepisode: 17\ndate: 2025-12-09\ntype: bonus\n---\nbody");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.episode, Some(17));
    assert_eq!(p.front_matter.episode_type.as_deref(), Some("bonus"));
}

#[test]
fn unknown_keys_name_their_line() {
    let (_, d, src) = run("---\ntitle: Ep\nepisdoe: 17\n---\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    assert_eq!(src.position(d[0].span.unwrap().start).line, 3);
    assert_eq!(d[0].help.as_deref(), Some("did you mean `episode`?"));
    let (_, d, src) = run("+++\ntitle = \"x\"\n  colour = 1\n+++\n");
    assert_eq!(src.position(d[0].span.unwrap().start).line, 3);
}

#[test]
fn bad_syntax_and_values_are_errors() {
    let (_, d, src) = run("+++\ntitle = \n+++\n");
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    assert_eq!(src.position(d[0].span.unwrap().start).line, 2);
    let (_, d, _) = run("---\ntitle: [a\n---\n");
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    let (_, d, _) = run("+++\nepisode = \"x\"\ndate = \"yesterday\"\ntype = \"main\"\n+++\n");
    assert_eq!(d.len(), 3);
}

/// The per-key rescan that `key_spans` replaced: they must agree.
fn key_span_by_rescans(content: &str, base: usize, key: &str) -> Span {
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.trim_start_matches(['"', '\'']);
        if let Some(rest) = bare.strip_prefix(key) {
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            if rest.starts_with('=') || rest.starts_with(':') {
                let start = base + offset + indent + (trimmed.len() - bare.len());
                return Span::new(start, start + key.len());
            }
        }
        offset += line.len();
    }
    Span::new(base, base)
}

#[test]
fn the_letter_bound_never_hides_a_near_key() {
    let words = [
        "title", "titel", "tilte", "episode", "episdoe", "epsiode", "key12", "date", "dates",
        "data", "url", "uri", "image", "imgae", "explicit", "type", "typo", "guid", "audio", "",
        "a", "ab", "xyz", "season", "seasons", "sesaon",
    ];
    for a in words {
        for b in words {
            if edit_distance(a, b) <= 2 {
                assert!(within_two_by_letters(a, b), "{a} {b}");
            }
        }
    }
    assert!(!within_two_by_letters("episode", "key12345"));
    for a in words {
        for b in words {
            if edit_distance(a, b) <= 2 {
                assert!(may_be_within_two(a, ascii_letters(b)), "{a} {b}");
            }
        }
    }
    assert!(!may_be_within_two("episode", ascii_letters("key1234")));
    assert!(may_be_within_two("episode", ascii_letters("ép")));
}

#[test]
fn edit_distance_is_exact_up_to_two() {
    assert_eq!(edit_distance("episode", "episdoe"), 2);
    assert_eq!(edit_distance("title", "titel"), 2);
    assert_eq!(edit_distance("date", "dates"), 1);
    assert_eq!(edit_distance("url", "url"), 0);
    assert_eq!(edit_distance("ürl", "url"), 1);
    assert!(edit_distance("url", "image") > 2);
    assert!(edit_distance("type", &"x".repeat(100_000)) > 2);
}

#[test]
fn key_spans_in_one_pass() {
    let content = "title = 1\n  \"a b\" = 2\n'a' : 3\na = 4\nab=5\na\" \"= 6\na\" = 7\n\"\" = 8\ntitle = 9\né = 10\n";
    let keys = [
        "title", "a b", "a", "ab", "a\" ", "a\"", "", "é", "missing", "a b =",
    ];
    let spans = key_spans(content, 7, &keys);
    for (key, span) in keys.iter().zip(&spans) {
        assert_eq!(*span, key_span_by_rescans(content, 7, key), "{key:?}");
    }
    // The first line wins; a missing key gets an empty span at `base`.
    assert_eq!(&content[spans[0].start - 7..spans[0].end - 7], "title");
    assert_eq!(spans[0].start, 7);
    assert_eq!(spans[8], Span::new(7, 7));
    assert_eq!(&content[spans[1].start - 7..spans[1].end - 7], "a b");
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
    #[test]
    fn key_spans_agree_with_rescans(
        lines in proptest::collection::vec(proptest::collection::vec(
            proptest::sample::select(vec!["a", "b", "é", " ", "\t", "\"", "'", "=", ":", "\r"]),
            0..8), 0..12),
        keys in proptest::collection::vec(proptest::collection::vec(
            proptest::sample::select(vec!["a", "b", "é", " ", "\"", "'", "="]), 0..4), 0..8),
    ) {
        let content: String = lines.iter().map(|l| l.concat() + "\n").collect();
        let mut keys: Vec<String> = keys.iter().map(|k| k.concat()).collect();
        keys.sort();
        keys.dedup();
        let keys: Vec<&str> = keys.iter().map(String::as_str).collect();
        let spans = key_spans(&content, 3, &keys);
        for (key, span) in keys.iter().zip(&spans) {
            proptest::prop_assert_eq!(*span, key_span_by_rescans(&content, 3, key), "{:?} in {:?}", key, content);
        }
    }
}

#[test]
fn dates_are_real_dates() {
    for text in [
        "+++\ndate = 2024-02-29\n+++\n",
        "+++\ndate = 2024-02-29T10:00:00+01:00\n+++\n",
        "+++\ndate = \"2024-02-29\"\n+++\n",
        "+++\ndate = \"Thu, 29 Feb 2024 10:00:00 +0000\"\n+++\n",
        "+++\ndate = 1733740800000\n+++\n",
        "---\ndate: 2024-02-29\n---\n",
        "---\ndate: 2024-02-29 10:00:00 +01:00\n---\n",
        "---\ndate: 1733740800000\n---\n",
    ] {
        let (p, d, _) = run(text);
        assert!(d.is_empty(), "{text}: {d:?}");
        assert!(p.front_matter.date.is_some(), "{text}");
    }
    for (text, value, why) in [
        (
            "+++\ntitle = \"x\"\ndate = \"2025-02-30\"\n+++\n",
            "2025-02-30",
            "February 2025 has 28 days",
        ),
        (
            "+++\ntitle = \"x\"\ndate = 2025-02-30\n+++\n",
            "2025-02-30",
            "February 2025 has 28 days",
        ),
        (
            "+++\ntitle = \"x\"\ndate = 2023-02-29 # c\n+++\n",
            "2023-02-29",
            "2023 is not a leap year",
        ),
        (
            "+++\ntitle = \"x\"\ndate = 2025-12-09T10:00:00+25:00\n+++\n",
            "2025-12-09T10:00:00+25:00",
            "offset `+25:00` does not exist",
        ),
        (
            "---\ntitle: x\ndate: 2025-13-01\n---\n",
            "2025-13-01",
            "no month `13`",
        ),
        (
            "---\ntitle: x\ndate: '2025-12-09T10:00:00+25:00'\n---\n",
            "2025-12-09T10:00:00+25:00",
            "does not exist",
        ),
        (
            "---\ntitle: x\ndate: 1733740800\n---\n",
            "1733740800",
            "seconds?",
        ),
    ] {
        let (p, d, src) = run(text);
        assert_eq!(p.front_matter.date, None, "{text}");
        assert_eq!(d.len(), 1, "{text}: {d:?}");
        assert_eq!(d[0].code, Code::FrontMatterInvalid);
        assert!(
            d[0].message.contains(&format!("`{value}`")),
            "{}",
            d[0].message
        );
        assert!(d[0].message.contains(why), "{}", d[0].message);
        assert!(d[0].help.as_deref().unwrap().contains("RFC 3339"));
        let span = d[0].span.unwrap();
        assert_eq!(src.position(span.start).line, 3, "{text}");
        assert_eq!(&src.text[span.start..span.end], "date", "{text}");
    }
}

#[test]
fn urls_pass_the_gate_and_a_guid_is_never_a_script() {
    let (p, d, src) = run("+++\ntitle = \"x\"\nurl = \"JavaScript:alert(1)\"\nimage = \"https://a.org/c.jpg\"\nguid = \" java\\tscript:alert(1)\"\n+++\n");
    let mut d = d;
    crate::diagnostic::sort(&mut d);
    let codes: Vec<_> = d.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::LinkUnsafeScheme, Code::LinkUnsafeScheme]);
    assert_eq!(src.position(d[0].span.unwrap().start).line, 3);
    assert_eq!(src.position(d[1].span.unwrap().start).line, 5);
    assert_eq!(p.front_matter.url, None);
    assert_eq!(p.front_matter.guid, None);
    assert_eq!(p.front_matter.image.as_deref(), Some("https://a.org/c.jpg"));
    let (p, d, _) = run("---\nguid: urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427\nimage: data:image/png;base64,AAAA\n---\n");
    assert_eq!(d.len(), 1);
    assert_eq!(d[0].code, Code::LinkUnsafeScheme);
    assert!(p.front_matter.guid.is_some());
}

#[test]
fn an_unclosed_front_matter_is_an_error() {
    let (p, d, _) = run("+++\ntitle = \"x\"\nbody");
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    assert!(d[0].message.contains("never closes"));
    assert_eq!(p.body_start, 4);
}
