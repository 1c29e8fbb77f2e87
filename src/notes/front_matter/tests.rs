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

/// Hugo, Zola, Jekyll, Eleventy and Astro pages: every key shownotes does
/// not own, nested tables included, is kept as written and is no finding.
#[test]
fn static_site_keys_are_kept_as_extra() {
    // Zola: `[extra]`, `[taxonomies]`, dates as TOML dates.
    let (p, d, _) = run("+++\ntitle = \"Ep 71\"\ndate = 2024-05-01\ndraft = false\ntemplate = \"episode.html\"\n[taxonomies]\ntags = [\"rust\", \"audio\"]\n[extra]\nepisode_art = \"art.png\"\nguests = [{ name = \"Ada\", site = \"https://ada.example\" }]\n+++\nbody");
    assert!(d.is_empty(), "{d:?}");
    let fm = p.front_matter;
    assert_eq!(fm.title.as_deref(), Some("Ep 71"));
    assert_eq!(fm.extra["draft"], false);
    assert_eq!(fm.extra["template"], "episode.html");
    assert_eq!(fm.extra["taxonomies"]["tags"][1], "audio");
    assert_eq!(fm.extra["extra"]["episode_art"], "art.png");
    assert_eq!(fm.extra["extra"]["guests"][0]["name"], "Ada");
    assert!(!fm.extra.contains_key("title"));
    // Hugo: `[params]`, a local date-time, weights and floats.
    let (p, d, _) = run("+++\ntitle = \"x\"\ndate = 2024-05-01T10:00:00\nweight = 3\nrating = 4.5\nupdated = 2024-05-02T08:00:00Z\n[params]\nsubtitle = \"A sub\"\n+++\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.date.as_deref(), Some("2024-05-01T10:00:00"));
    assert_eq!(p.front_matter.extra["weight"], 3);
    assert_eq!(p.front_matter.extra["rating"], 4.5);
    assert_eq!(p.front_matter.extra["updated"], "2024-05-02T08:00:00Z");
    assert_eq!(p.front_matter.extra["params"]["subtitle"], "A sub");
    // Jekyll, Eleventy, Astro (YAML): layouts, permalinks, tag lists,
    // nested mappings, an empty value, a key that is a near miss.
    let (p, d, _) = run("---\nlayout: post\ntitle: \"Ep 3\"\npermalink: /ep/3/\ntags: [a, b]\neleventyNavigation:\n  key: ep3\n  order: 3\npubDate: 2024-05-01\nheroImage:\nepisdoe: 17\n---\nbody");
    assert!(d.is_empty(), "{d:?}");
    let fm = p.front_matter;
    assert_eq!(fm.extra["layout"], "post");
    assert_eq!(fm.extra["tags"], serde_json::json!(["a", "b"]));
    assert_eq!(fm.extra["eleventyNavigation"]["order"], 3);
    assert_eq!(fm.extra["heroImage"], serde_json::Value::Null);
    assert_eq!(fm.extra["episdoe"], 17);
    assert_eq!(fm.episode, None);
}

/// Owned keys read leniently where the meaning is plain.
#[test]
fn owned_keys_read_leniently() {
    let (p, d, _) = run("+++\nepisode = \"71\"\nseason = \" 2 \"\nexplicit = \"yes\"\ntype = \"Bonus\"\nimage = \"\"\nguid = 7101\n+++\n");
    assert!(d.is_empty(), "{d:?}");
    let fm = p.front_matter;
    assert_eq!((fm.episode, fm.season), (Some(71), Some(2)));
    assert_eq!(fm.explicit, Some(true));
    assert_eq!(fm.episode_type.as_deref(), Some("bonus"));
    assert_eq!(fm.image, None);
    assert_eq!(fm.guid.as_deref(), Some("7101"));
    for (text, want) in [
        ("no", false),
        ("No", false),
        ("clean", false),
        ("true", true),
        ("explicit", true),
        ("false", false),
    ] {
        let (p, d, _) = run(&format!("---\nexplicit: \"{text}\"\n---\n"));
        assert!(d.is_empty(), "{text}: {d:?}");
        assert_eq!(p.front_matter.explicit, Some(want), "{text}");
    }
    // YAML reads `yes`/`no` unquoted as text (YAML 1.2): still plain.
    let (p, d, _) = run("---\ntitle: 1984\nepisode: 12.0\nexplicit: no\n---\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.title.as_deref(), Some("1984"));
    assert_eq!(p.front_matter.episode, Some(12));
    assert_eq!(p.front_matter.explicit, Some(false));
}

#[test]
fn every_date_form_reads() {
    for (value, pub_date) in [
        ("2024-05-01", "Wed, 01 May 2024 00:00:00 +0000"),
        (
            "2024-05-01T10:00:00+02:00",
            "Wed, 01 May 2024 10:00:00 +0200",
        ),
        ("2024-05-01T10:00:00", "Wed, 01 May 2024 10:00:00 +0000"),
        (
            "2024-05-01 10:00:00 +0530",
            "Wed, 01 May 2024 10:00:00 +0530",
        ),
        (
            "Wed, 01 May 2024 10:00:00 GMT",
            "Wed, 01 May 2024 10:00:00 +0000",
        ),
        ("1714557600000", "Wed, 01 May 2024 10:00:00 +0000"),
        ("1714557600", "Wed, 01 May 2024 10:00:00 +0000"),
    ] {
        for text in [
            format!("---\ndate: \"{value}\"\n---\n"),
            format!("+++\ndate = \"{value}\"\n+++\n"),
        ] {
            let (p, d, _) = run(&text);
            assert!(d.is_empty(), "{text}: {d:?}");
            let date = p.front_matter.date.unwrap();
            assert_eq!(date, value);
            assert_eq!(date::Date::parse(&date).unwrap().rfc2822(), pub_date);
        }
    }
    // Numbers: epoch milliseconds and seconds.
    for text in [
        "+++\ndate = 1714557600\n+++\n",
        "---\ndate: 1714557600000\n---\n",
    ] {
        let (p, d, _) = run(text);
        assert!(d.is_empty(), "{text}: {d:?}");
        let date = p.front_matter.date.unwrap();
        assert_eq!(
            date::Date::parse(&date).unwrap().rfc2822(),
            "Wed, 01 May 2024 10:00:00 +0000"
        );
    }
}

#[test]
fn duration_and_length_for_remote_audio() {
    for (value, ms) in [
        ("\"01:02:03\"", 3_723_000),
        ("\"62:03\"", 3_723_000),
        ("\"75:00\"", 4_500_000),
        ("\"3723\"", 3_723_000),
        ("3723", 3_723_000),
        ("3723.5", 3_723_500),
        ("\"1:02:03.25\"", 3_723_250),
    ] {
        let (p, d, _) = run(&format!(
            "+++\naudio = \"https://cdn.example/ep.mp3\"\nduration = {value}\nlength = 48213705\n+++\n"
        ));
        assert!(d.is_empty(), "{value}: {d:?}");
        assert_eq!(p.front_matter.duration_ms, Some(ms), "{value}");
        assert_eq!(p.front_matter.length, Some(48_213_705));
        assert_eq!(
            p.front_matter.audio.as_deref(),
            Some("https://cdn.example/ep.mp3")
        );
    }
    let (p, d, _) = run("---\nduration: '45:10'\nlength: '1234'\n---\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.duration_ms, Some(2_710_000));
    assert_eq!(p.front_matter.length, Some(1234));
}

#[test]
fn values_that_mean_nothing_are_errors_at_their_line() {
    for (text, line, message) in [
        (
            "+++\ntitle = \"x\"\nepisode = \"seventy\"\n+++\n",
            3,
            "`episode` must be a whole number, 0 or more, not `seventy`",
        ),
        (
            "+++\ntitle = \"x\"\nseason = -1\n+++\n",
            3,
            "`season` must be a whole number, 0 or more, not `-1`",
        ),
        (
            "---\ntitle: x\nexplicit: maybe\n---\n",
            3,
            "`explicit` must be true or false, not `maybe`",
        ),
        (
            "---\ntitle: x\nduration: an hour\n---\n",
            3,
            "`duration` must be a playing time, not `an hour`",
        ),
        (
            "---\ntitle: x\nduration: '1:75'\n---\n",
            3,
            "`duration` must be a playing time, not `1:75`",
        ),
        (
            "+++\ntitle = \"x\"\nlength = \"big\"\n+++\n",
            3,
            "`length` must be a number of bytes, not `big`",
        ),
        (
            "+++\ntitle = \"x\"\ntitle2 = 1\nepisode = [1]\n+++\n",
            4,
            "`episode` must be a whole number, 0 or more, not a list",
        ),
        (
            "+++\ntitle = \"x\"\ntype = \"main\"\n+++\n",
            3,
            "`type` `main` is not an episode type",
        ),
        ("+++\nurl = 3\n+++\n", 2, "`url` must be text, not `3`"),
        (
            "+++\n[title]\nmain = \"x\"\n+++\n",
            2,
            "`title` must be text, not a table",
        ),
    ] {
        let (_, d, src) = run(text);
        assert_eq!(d.len(), 1, "{text}: {d:?}");
        assert_eq!(d[0].code, Code::FrontMatterInvalid);
        assert_eq!(d[0].message, message, "{text}");
        assert!(d[0].help.is_some(), "{text}");
        assert_eq!(src.position(d[0].span.unwrap().start).line, line, "{text}");
    }
}

#[test]
fn shownotes_disable_lists_codes() {
    let (p, d, _) = run("+++\ntitle = \"x\"\n[shownotes]\ndisable = [\"link-insecure\", \"chapters-missing\"]\n[params]\ndisable = [\"comments\"]\n+++\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(
        p.front_matter.disable,
        ["link-insecure", "chapters-missing"]
    );
    assert_eq!(p.front_matter.extra["params"]["disable"][0], "comments");
    assert!(!p.front_matter.extra.contains_key("shownotes"));
    let (p, d, _) = run("+++\nshownotes.disable = \"link-insecure\"\n+++\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.disable, ["link-insecure"]);
    let (p, d, _) = run("---\nshownotes: {disable: [link-tracking]}\n---\n");
    assert!(d.is_empty(), "{d:?}");
    assert_eq!(p.front_matter.disable, ["link-tracking"]);
    // Unknown codes: at their own line, with the nearest code.
    let (p, d, src) = run("---\ntitle: x\nshownotes:\n  disable:\n    - link-insecure\n    - link-insecur\n    - nothing-like-it\n---\n");
    assert_eq!(p.front_matter.disable, ["link-insecure"]);
    assert_eq!(d.len(), 2, "{d:?}");
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    assert_eq!(
        d[0].message,
        "`shownotes.disable` names `link-insecur`, which is not a diagnostic code"
    );
    assert_eq!(d[0].help.as_deref(), Some("did you mean `link-insecure`?"));
    let span = d[0].span.unwrap();
    assert_eq!(src.position(span.start).line, 6);
    assert_eq!(&src.text[span.start..span.end], "link-insecur");
    assert_eq!(src.position(d[1].span.unwrap().start).line, 7);
    assert!(d[1].help.as_deref().unwrap().contains("`link-insecure`"));
    // Unknown keys of the table, and a table that is not one.
    let (_, d, src) = run("+++\n[shownotes]\ndisabel = []\n+++\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert_eq!(d[0].message, "unknown front matter key `shownotes.disabel`");
    assert_eq!(d[0].help.as_deref(), Some("did you mean `disable`?"));
    assert_eq!(src.position(d[0].span.unwrap().start).line, 3);
    let (_, d, _) = run("+++\nshownotes = \"quiet\"\n+++\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("must be a table"), "{}", d[0].message);
    let (_, d, _) = run("+++\n[shownotes]\ndisable = [3]\n+++\n");
    assert_eq!(d.len(), 1, "{d:?}");
    assert!(d[0].message.contains("not a code"), "{}", d[0].message);
}

#[test]
fn bad_syntax_and_values_are_errors() {
    let (_, d, src) = run("+++\ntitle = \n+++\n");
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    assert_eq!(src.position(d[0].span.unwrap().start).line, 2);
    let (_, d, _) = run("---\ntitle: [a\n---\n");
    assert_eq!(d[0].code, Code::FrontMatterInvalid);
    let (_, d, _) =
        run("+++\nepisode = \"x\"\ndate = \"yesterday\"\ntype = \"main\"\nunknown = 1\n+++\n");
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
            "---\ntitle: x\ndate: 17337408000\n---\n",
            "17337408000",
            "could be seconds",
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
