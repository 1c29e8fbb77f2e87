use super::*;
use crate::links::Kind;

fn parse(text: &str) -> Notes {
    Notes::parse(Source::new("n.md", text), &links::Rules::default())
}

const EXAMPLE: &str = "episode 17 — Early Web History.

We sit down with Larry.

Learn more:
https://larrymasinter.net/ — Official website from Larry Masinter
- [RFC 2616](https://www.rfc-editor.org/rfc/rfc2616)
<https://interlisp.org>

Rama
If you like this podcast you might also like: https://ramaproxy.org

## Chapters
00:00 Intro
(00:34) Introduction to Larry Masinter
- 01:05:12 — The Evolution of Web Protocols

Netstack.FM
Reach out to us: hello@netstack.fm
";

#[test]
fn cr_line_ends_parse_like_lf() {
    let lf = parse(EXAMPLE);
    let cr = parse(&EXAMPLE.replace('\n', "\r"));
    let crlf = parse(&EXAMPLE.replace('\n', "\r\n"));
    assert_eq!(cr.chapters.len(), 3);
    for other in [&cr, &crlf] {
        assert_eq!(other.chapters.len(), lf.chapters.len());
        for (a, b) in lf.chapters.iter().zip(&other.chapters) {
            assert_eq!((a.start, &a.title), (b.start, &b.title));
            let (pa, pb) = (
                lf.position(a.span.unwrap().start),
                other.position(b.span.unwrap().start),
            );
            assert_eq!(pa, pb);
        }
        let urls = |n: &Notes| n.links.iter().map(|l| l.url.clone()).collect::<Vec<_>>();
        assert_eq!(urls(other), urls(&lf));
        assert_eq!(other.blocks.len(), lf.blocks.len());
    }
    // Offsets still match the file: one byte for one.
    assert_eq!(cr.source.text.len(), EXAMPLE.len());
}

#[test]
fn parses_every_part() {
    let n = parse(EXAMPLE);
    let codes: Vec<_> = n.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["link-no-description"]);
    let titles: Vec<_> = n
        .chapters
        .iter()
        .map(|c| (c.start.to_string(), c.title.as_str()))
        .collect();
    assert_eq!(
        titles,
        [
            ("00:00".into(), "Intro"),
            ("00:34".into(), "Introduction to Larry Masinter"),
            ("01:05:12".into(), "The Evolution of Web Protocols")
        ]
    );
    let links: Vec<_> = n
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.text.as_deref(), l.kind))
        .collect();
    assert_eq!(
        links,
        [
            (
                "https://larrymasinter.net/",
                Some("Official website from Larry Masinter"),
                Kind::LearnMore
            ),
            (
                "https://www.rfc-editor.org/rfc/rfc2616",
                Some("RFC 2616"),
                Kind::LearnMore
            ),
            ("https://interlisp.org", None, Kind::LearnMore),
            ("https://ramaproxy.org", None, Kind::Text),
            ("mailto:hello@netstack.fm", None, Kind::Text),
        ]
    );
    let pos = n.position(n.chapters[1].span.unwrap().start);
    assert_eq!((pos.line, pos.column), (15, 2));
    let d = n.check(&chapters::Rules::default(), None);
    let codes: Vec<_> = d.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["link-no-description"]);
}

#[test]
fn bad_stamps_and_missing_lists() {
    let n = parse("Chapters\n00:00 Intro\n00:75 Bad\n1:2:3:4 Worse\n99:99:99 Worst\n");
    let codes: Vec<_> = n.diagnostics.iter().map(|d| d.code.as_str()).collect();
    assert_eq!(codes, ["chapter-bad-timestamp"; 3]);
    let n = parse("Just a summary.\n");
    let d = n.check(&chapters::Rules::default(), None);
    assert_eq!(d[0].code, Code::ChaptersMissing);
    let n = parse("  \n\n");
    assert_eq!(n.diagnostics[0].code, Code::NotesEmpty);
}

#[test]
fn decoding_keeps_spans_on_the_decoded_text() {
    use crate::source::Position;
    // A NUL is kept (one byte): the span is exactly it.
    let (src, d) = *decode("n.md", b"ab\ncd\0ef").unwrap_err();
    let s = d.span.unwrap();
    assert_eq!(&src.text[s.start..s.end], "\0");
    assert_eq!(src.position(s.start), Position { line: 2, column: 3 });
    // Invalid bytes: each sequence is one U+FFFD; the span is it.
    let bytes = b"\xC3\xA9\nx\xE2\x82y\xFFz";
    let (src, d) = *decode("n.md", bytes).unwrap_err();
    assert_eq!(src.text, "é\nx\u{FFFD}y\u{FFFD}z");
    let s = d.span.unwrap();
    assert_eq!(&src.text[s.start..s.end], "\u{FFFD}");
    assert_eq!(src.position(s.start), Position { line: 2, column: 2 });
    assert!(
        d.message.contains("`0xE2` at line 2, column 2"),
        "{}",
        d.message
    );
    let lossy = Lossy::decode(bytes);
    assert_eq!(lossy.to_decoded(3), 3); // x
    assert_eq!(lossy.to_decoded(5), 4); // inside the first bad sequence
    assert_eq!(lossy.to_decoded(6), 7); // y
    assert_eq!(lossy.to_decoded(7), 8); // 0xFF
    assert_eq!(lossy.to_decoded(8), 11); // z
    assert_eq!(lossy.to_decoded(99), lossy.text.len());
}

#[test]
fn invisible_characters_are_warned_about_where_they_stand() {
    let n = parse("Sum\u{202E}mary.\n\nChapters\n00:00 In\u{200B}tro\n00:30 Two\n");
    let d: Vec<_> = n
        .diagnostics
        .iter()
        .filter(|d| d.code == Code::TextInvisibleChar)
        .collect();
    assert_eq!(d.len(), 2);
    assert_eq!(n.position(d[0].span.unwrap().start).column, 4);
    assert_eq!(n.position(d[1].span.unwrap().start).line, 4);
}

#[test]
fn a_markdown_link_may_hold_angle_brackets() {
    let n = parse("See [click](https://x.org/?q=<script>alert(1)</script>) now.\n");
    assert_eq!(n.links.len(), 1, "{:?}", n.links);
    assert_eq!(n.links[0].text.as_deref(), Some("click"));
    assert_eq!(
        n.links[0].url,
        "https://x.org/?q=%3Cscript%3Ealert(1)%3C/script%3E"
    );
    assert_eq!(
        n.links[0].original,
        "https://x.org/?q=<script>alert(1)</script>"
    );
    let n = parse("See [x](<https://a.org/b>) and [y]().\n");
    assert_eq!(n.links[0].url, "https://a.org/b");
    assert!(n.diagnostics.iter().any(|d| d.code == Code::LinkInvalid));
}

#[test]
fn text_links_skip_urls_inside_markdown_and_autolinks() {
    let text = "[a](https://a.org)<https://b.org> https://c.org [x](<https://d.org>)https://e.org";
    let n = parse(&format!("{text}\n"));
    let got: Vec<(String, Option<String>, usize)> = n
        .links
        .iter()
        .map(|l| (l.url.clone(), l.text.clone(), l.span.start))
        .collect();
    assert_eq!(
        got,
        [
            ("https://a.org".into(), Some("a".into()), 4),
            ("https://b.org".into(), None, 19),
            ("https://c.org".into(), None, 34),
            ("https://d.org".into(), Some("x".into()), 53),
            ("https://e.org".into(), None, 68),
        ]
    );
}

#[test]
fn an_unlabelled_run_of_stamps_is_a_chapter_list() {
    let n = parse("Summary.\n\n0:00 Intro\n1:00 Two\n2:00 Three\n");
    assert!(n.has_chapter_list);
    assert_eq!(n.chapters.len(), 3);
    let n = parse("We met at 10:30 to talk.\n");
    assert!(!n.has_chapter_list);
}

#[test]
fn paragraph_lines_are_markdown_as_written() {
    let text = "Summary.\n\n[link 0](https://example.com/m/0) [link 1](https://example.com/m/1) \n";
    let n = parse(text);
    let Block::Paragraph { lines, span } = &n.blocks[1] else {
        panic!("{:?}", n.blocks)
    };
    assert_eq!(
        lines,
        &["[link 0](https://example.com/m/0) [link 1](https://example.com/m/1)"]
    );
    assert_eq!(&text[span.start..span.end], lines[0]);
}

fn chapters_of(n: &Notes) -> Vec<(String, String, Option<String>)> {
    n.chapters
        .iter()
        .map(|c| (c.start.to_string(), c.title.clone(), c.url.clone()))
        .collect()
}

fn titles(text: &str) -> Vec<(String, String)> {
    parse(text)
        .chapters
        .iter()
        .map(|c| (c.start.to_string(), c.title.clone()))
        .collect()
}

fn pairs(list: &[(&str, &str)]) -> Vec<(String, String)> {
    list.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn every_chapter_line_form_reads() {
    let want = pairs(&[("00:00", "Intro"), ("01:30", "Middle part")]);
    for text in [
        "00:00 Intro\n01:30 Middle part\n",
        "0:00 - Intro\n1:30 - Middle part\n",
        "00:00 | Intro\n01:30 | Middle part\n",
        "(00:00) Intro\n(01:30) Middle part\n",
        "[00:00:00] Intro\n[00:01:30] Middle part\n",
        "00:00 — Intro\n01:30 — Middle part\n",
        "- 00:00 Intro\n- 01:30 Middle part\n",
        "1. 00:00 Intro\n2. 01:30 Middle part\n",
        "**00:00** Intro\n**01:30** Middle part\n",
        "• 00:00 Intro\n• 01:30 Middle part\n",
        "[00:00](#t=00:00) Intro\n[01:30](#t=01:30) Middle part\n",
        "- **[00:00](#t=00:00)** Intro\n- **[01:30](#t=01:30)** Middle part\n",
        "[00:00](https://youtu.be/x?t=0) Intro\n[01:30](https://youtu.be/x?t=95) Middle part\n",
        "- [0:00 – Intro](https://youtu.be/x?t=0)\n- [1:30 – Middle part](https://youtu.be/x?t=90)\n",
        "### 0:00 Intro\nSome text.\n### 1:30 Middle part\nMore.\n",
        "## 00:00 Intro ##\n## 01:30 Middle part ##\n",
        "Intro - 00:00\nMiddle part - 01:30\n",
        "Intro (00:00)\nMiddle part (01:30)\n",
        "Chapters\n00:00\nIntro\n01:30\nMiddle part\n",
        "Timestamps: 00:00 Intro 01:30 Middle part\n",
        "Chapters\n\n00:00 Intro 01:30 Middle part\n",
        "**Timestamps:**\n- 00:00 Intro\n- 01:30 Middle part\n",
        "TOPICS (approximate)\n00:00 Intro\n01:30 Middle part\n",
        "<p>Chapters</p><ul><li>00:00 Intro</li><li>01:30 Middle&nbsp;part</li></ul>",
        "00:00\u{200B} Intro\n01:30 Middle\u{2060} part\u{AD}\n",
    ] {
        assert_eq!(titles(text), want, "{text:?}");
        // A time target is not a link; its anchor is never `link-invalid`.
        let n = parse(text);
        assert!(
            !n.links.iter().any(|l| l.url.contains("youtu.be")),
            "{text:?}: {:?}",
            n.links
        );
        assert!(!n.diagnostics.iter().any(|d| d.code == Code::LinkInvalid));
        for c in &n.chapters {
            let s = c.span.unwrap();
            assert!(crate::timestamp::Timestamp::parse(&n.source.text[s.start..s.end]).is_ok());
        }
    }
}

#[test]
fn a_trailing_link_is_the_chapters_url_and_a_text_link() {
    let n = parse("00:00 Intro\n01:00 EPA guide https://epa.example/guide\n02:00 [Spec](https://spec.example/) \n");
    assert_eq!(
        chapters_of(&n),
        [
            ("00:00".into(), "Intro".into(), None),
            (
                "01:00".into(),
                "EPA guide".into(),
                Some("https://epa.example/guide".into())
            ),
            (
                "02:00".into(),
                "Spec".into(),
                Some("https://spec.example/".into())
            ),
        ]
    );
    let kinds: Vec<_> = n.links.iter().map(|l| (l.url.as_str(), l.kind)).collect();
    assert_eq!(
        kinds,
        [
            ("https://epa.example/guide", Kind::Text),
            ("https://spec.example/", Kind::Text)
        ]
    );
}

#[test]
fn traps_give_no_chapters() {
    for text in [
        "Join us live: doors 19:30, show 20:15.\n",
        "| Time | Show |\n|---|---|\n| 12:30 | News |\n| 13:00 | Sport |\n",
        "[12:01] <alice> hi\n[12:02] <bob> hello\n[12:05] <alice> bye\n",
        "Arsenal won 3:1 and then 2:0.\n",
        "Saturday\n12:30 Liverpool v Everton\n15:00 Fulham v Spurs\n",
        "At 14:20 we discuss the budget, and at 15:10 the weather.\n",
        "`00:00 Intro`\n`01:00 Two`\n",
        "```\n00:00 Intro\n01:00 Two\n```\n",
    ] {
        let n = parse(text);
        assert_eq!(titles(text), vec![], "{text:?}");
        assert!(!n.has_chapter_list, "{text:?}");
    }
}

#[test]
fn link_lists_under_any_links_label() {
    for label in [
        "Links",
        "### Links ###",
        "**LINKS:**",
        "Episode links:",
        "Links from the show",
        "## Show notes",
        "Resources (partial list):",
        "References",
        "Further reading:",
        "Mentioned in this episode:",
        "Guest links",
        "Where to find Ana:",
        "Sponsors:",
    ] {
        let text = format!(
            "Summary.\n\n{label}\n- [A site](https://a.example/) — the first\n  - nested: https://b.example/\n- <https://c.example/>\n\nThanks for listening: https://d.example/\n"
        );
        let n = parse(&text);
        let got: Vec<_> = n.links.iter().map(|l| (l.url.as_str(), l.kind)).collect();
        assert_eq!(
            got,
            [
                ("https://a.example/", Kind::LearnMore),
                ("https://b.example/", Kind::LearnMore),
                ("https://c.example/", Kind::LearnMore),
                ("https://d.example/", Kind::Text),
            ],
            "{label}"
        );
        assert_eq!(n.links[0].text.as_deref(), Some("A site — the first"));
    }
}

/// A link item whose sentence goes on after the link keeps it as
/// written; one with a separator is the link's text, a dash, the rest.
#[test]
fn a_link_item_that_goes_on_after_the_link_reads_as_written() {
    let n = parse(
        "Links:\n\n- [Night foraging](https://a.example/), see the appendix\n- [Sleep](https://b.example/) — a study\n",
    );
    let texts: Vec<_> = n.links.iter().map(|l| l.text.as_deref()).collect();
    assert_eq!(
        texts,
        [
            Some("Night foraging, see the appendix"),
            Some("Sleep — a study")
        ]
    );
}

#[test]
fn markdown_reads_as_markdown() {
    let text = "Intro with `https://code.example/` and ![logo](https://img.example/l.png).\n\
See [the spec][spec], [RFC](https://rfc.example/ \"RFC title\"), <https://auto.example/> and *emphasis*.\n\n\
[spec]: https://spec.example/x\n";
    let n = parse(text);
    let got: Vec<_> = n
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.text.as_deref()))
        .collect();
    assert_eq!(
        got,
        [
            ("https://spec.example/x", Some("the spec")),
            ("https://rfc.example/", Some("RFC")),
            ("https://auto.example/", None),
        ]
    );
    // Spans point at the destination as written (the reference's in its
    // definition).
    for l in &n.links {
        assert_eq!(&text[l.span.start..l.span.end], l.original);
    }
    assert_eq!(n.position(n.links[0].span.start).line, 4);
}

#[test]
fn html_notes_read_as_html() {
    let text = "<p>A show about &amp; things.</p>\n<p>Links:</p>\n<ul>\n<li><a href=\"https://a.example/?x=1&amp;y=2\">A&nbsp;site</a></li>\n<li><a href=\"https://b.example/\">B</a></li>\n</ul>\n<p><img src=\"https://img.example/a.png\"><iframe src=\"https://player.example/e\"></iframe></p>\n<p>Chapters<br>00:00 Intro<br>01:00 Next &amp; last</p>\n";
    let n = Notes::parse(Source::new("n.html", text), &links::Rules::default());
    let got: Vec<_> = n
        .links
        .iter()
        .map(|l| (l.url.as_str(), l.text.as_deref(), l.kind))
        .collect();
    assert_eq!(
        got,
        [
            (
                "https://a.example/?x=1&y=2",
                Some("A site"),
                Kind::LearnMore
            ),
            ("https://b.example/", Some("B"), Kind::LearnMore),
        ]
    );
    assert_eq!(
        &text[n.links[0].span.start..n.links[0].span.end],
        "https://a.example/?x=1&amp;y=2"
    );
    assert_eq!(
        titles(text),
        pairs(&[("00:00", "Intro"), ("01:00", "Next & last")])
    );
    let Block::Paragraph { lines, .. } = &n.blocks[0] else {
        panic!("{:?}", n.blocks)
    };
    assert_eq!(lines, &["A show about & things."]);
    // Detected from the content too.
    let n = parse(text);
    assert_eq!(n.chapters.len(), 2);
}

#[test]
fn the_last_run_together_title_ends_where_the_sentence_starts() {
    let n = parse("Timestamps: 00:00 Intro 05:12 Next steps 27:30 Third Access exclusive episodes at https://x.example/join\n");
    assert_eq!(
        titles("Timestamps: 00:00 Intro 05:12 Next steps 27:30 Third Access exclusive episodes at https://x.example/join\n"),
        pairs(&[("00:00", "Intro"), ("05:12", "Next steps"), ("27:30", "Third")])
    );
    assert_eq!(n.links.len(), 1);
    assert_eq!(n.links[0].kind, Kind::Text);
    assert_eq!(n.flattened.len(), 1);
}

#[test]
fn a_sentence_that_starts_with_a_label_word_is_prose() {
    for text in [
        "Links to the past were many: https://a.example/\n",
        "Follow the show on X: https://x.example/show\n",
        "Resources we never used in our lives: https://b.example/\n",
    ] {
        let n = parse(text);
        assert!(
            n.links.iter().all(|l| l.kind == Kind::Text),
            "{text:?}: {:?}",
            n.links
        );
        assert!(!n.blocks.iter().any(|b| matches!(b, Block::LinkList { .. })));
    }
    let n = parse("Episode links: https://a.example/ — A\n");
    assert_eq!(n.links[0].kind, Kind::LearnMore);
}
