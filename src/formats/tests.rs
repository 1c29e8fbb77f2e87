//! The registry, guessing, and what [`read`] and [`write`] do for every
//! format.

use std::path::Path;

use super::*;
use crate::timestamp::Timestamp;

fn ts(ms: u64) -> Timestamp {
    Timestamp::from_ms(ms)
}

#[test]
fn the_registry_names_every_format_once_in_help_order() {
    let names: Vec<&str> = ALL.iter().map(|f| f.name()).collect();
    assert_eq!(
        names,
        [
            "notes",
            "json",
            "podlove-json",
            "psc",
            "mp4chaps",
            "ffmetadata",
            "vtt",
            "audacity",
            "audition",
            "cue",
            "youtube",
            "spotify",
            "id3",
            "mp4"
        ]
    );
    for &f in ALL {
        assert_eq!(by_name(f.name()), Some(f));
        assert!(!f.about().is_empty() && !f.about().ends_with('.'), "{f}");
    }
    assert_eq!(by_name("xml"), None);
}

#[test]
fn guesses_by_extension_then_content() {
    let g = |p: &str, c: &str| guess(Some(Path::new(p)), c.as_bytes());
    assert_eq!(g("c.json", ""), Some(json::JSON));
    assert_eq!(g("C.PSC", ""), Some(psc::PSC));
    assert_eq!(g("c.vtt", ""), Some(vtt::VTT));
    assert_eq!(g("c.cue", ""), Some(cue::CUE));
    assert_eq!(g("e.mp3", ""), Some(id3::ID3));
    assert_eq!(g("notes.md", ""), Some(notes::NOTES));
    assert_eq!(g("m.csv", ""), Some(audition::AUDITION));
    assert_eq!(g("c.txt", ";FFMETADATA1\n"), Some(ffmetadata::FFMETADATA));
    assert_eq!(g("c.txt", "\u{feff}WEBVTT\n\n"), Some(vtt::VTT));
    assert_eq!(
        g("c.txt", "0.000000\t0.000000\tIntro\n\\\t1\t2\n"),
        Some(audacity::AUDACITY)
    );
    assert_eq!(
        g("c.txt", "00:00:00.000 Intro\n00:01:00.000 B\n"),
        Some(mp4chaps::MP4CHAPS)
    );
    assert_eq!(g("c.txt", "00:00 Intro\n01:00 B\n"), Some(spotify::SPOTIFY));
    assert_eq!(g("c.txt", "0:00 Intro\n1:00 B\n"), Some(youtube::YOUTUBE));
    assert_eq!(
        g("c.txt", "Hello.\n\nChapters\n00:00 Intro\n"),
        Some(notes::NOTES)
    );
    assert_eq!(g("c.txt", "just words\n"), Some(notes::NOTES));
    assert_eq!(
        g("c.txt", "FILE \"a.mp3\" MP3\nTRACK 01 AUDIO\n"),
        Some(cue::CUE)
    );
    assert_eq!(
        g(
            "m.csv",
            "Name\tStart\tDuration\tTime Format\tType\tDescription\n"
        ),
        Some(audition::AUDITION)
    );
    let none = |c: &[u8]| guess(None, c);
    assert_eq!(none(b"ID3\x04\0"), Some(id3::ID3));
    assert_eq!(none(b"\xff\xfb\x90\x64"), Some(id3::ID3));
    assert_eq!(none(b"{\"chapters\":[]}"), Some(json::JSON));
    // Podlove Web Player chapters, by content, whatever the name; never
    // confused with Podcasting 2.0 JSON, which shares `.json`.
    let podlove = br#"[{"start": "00:00:00.000", "title": "Intro"}]"#;
    let pc20 = br#"{"version": "1.2.0", "chapters": [{"startTime": 0, "title": "Intro"}]}"#;
    let episode = br#"{"version": 5, "chapters": [{"start": "00:00:00.000", "title": "Intro"}]}"#;
    assert_eq!(none(podlove), Some(podlove::PODLOVE_JSON));
    assert_eq!(none(b"[]"), Some(podlove::PODLOVE_JSON));
    assert_eq!(none(episode), Some(podlove::PODLOVE_JSON));
    assert_eq!(none(pc20), Some(json::JSON));
    let named = |p: &str, c: &[u8]| guess(Some(Path::new(p)), c);
    assert_eq!(named("c.json", podlove), Some(podlove::PODLOVE_JSON));
    assert_eq!(named("C.JSON", episode), Some(podlove::PODLOVE_JSON));
    assert_eq!(named("c.json", pc20), Some(json::JSON));
    assert_eq!(named("c.json", b""), Some(json::JSON));
    assert_eq!(named("c.json", b"{\"chapters\": []}"), Some(json::JSON));
    assert_eq!(named("c.txt", podlove), Some(podlove::PODLOVE_JSON));
    // A broken Podlove list is still Podlove (its error is a JSON one);
    // notes that open with a bracket are notes.
    assert_eq!(none(b"[{\"start\": \"0\",}]"), Some(podlove::PODLOVE_JSON));
    assert_ne!(
        none(b"[00:00] Intro\n[01:00] Two\n"),
        Some(podlove::PODLOVE_JSON)
    );
    assert_ne!(
        none(b"[Intro](https://a.org) is a link\n"),
        Some(podlove::PODLOVE_JSON)
    );
    assert_eq!(
        none(b"<?xml version=\"1.0\"?><psc:chapters xmlns:psc=\"http://podlove.org/simple-chapters\"/>"),
        Some(psc::PSC)
    );
    assert_eq!(none(b"<html></html>"), None);
    assert_eq!(none(b"+++\ntitle = \"x\"\n+++\n"), Some(notes::NOTES));
    assert_eq!(none(b"just words\n"), None);
    assert_eq!(none(b""), None);
}

#[test]
fn reading_sorts_and_warns() {
    let src = Source::new("l.txt", "0\t0\tA\n60\t60\tC\n30\t30\tB\n");
    let p = read(audacity::AUDACITY, &src).unwrap();
    let titles: Vec<&str> = p.chapters.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["A", "B", "C"]);
    assert_eq!(p.warnings.len(), 1);
    assert_eq!(p.warnings[0].code, Code::ChaptersUnsorted);
    assert_eq!(src.position(p.warnings[0].span.unwrap().start).line, 3);
    let sorted = read(audacity::AUDACITY, &Source::new("l", "0\t0\tA\n1\t1\tB\n")).unwrap();
    assert!(sorted.warnings.is_empty());
}

/// `read` takes every format it lists, `notes` and `id3` included (they
/// were refused before, and the command line read them aside); `id3` is
/// written by `embed`, not `write`.
#[test]
fn read_takes_notes_and_id3_too() {
    let src = Source::new("n.md", "Hello.\n\nChapters\n00:00 Intro\n01:00 Two\n");
    let p = read(notes::NOTES, &src).unwrap();
    let titles: Vec<&str> = p.chapters.iter().map(|c| c.title.as_str()).collect();
    assert_eq!(titles, ["Intro", "Two"]);
    let e = read(notes::NOTES, &Source::new("n.md", "just words\n")).unwrap_err();
    assert!(e.message().contains("no chapters"), "{}", e.message());
    let mp3 = id3::tests::tag(4, &[id3::tests::chap_frame(4, "c0", 0, 1000, "A", None)]);
    assert_eq!(read(id3::ID3, &mp3).unwrap().chapters[0].title, "A");
    let e = read(id3::ID3, &src).unwrap_err();
    assert!(e.message().contains("no ID3v2 tag"), "{}", e.message());
    assert!(write(id3::ID3, &[], None)
        .unwrap_err()
        .help()
        .unwrap()
        .contains("embed"));
}

/// An ID3 tag whose CTOC lists its chapters out of time order: the ID3
/// reader keeps the CTOC order (id3.rs), `read` sorts and warns.
#[test]
fn a_ctoc_out_of_time_order_is_kept_for_the_unsorted_warning() {
    use crate::mp3::testing::{chap_frame, ctoc_frame, tag};
    let t = tag(
        4,
        &[
            chap_frame(4, "a", 0, 5_000, "A", None),
            chap_frame(4, "b", 5_000, 9_000, "B", None),
            ctoc_frame(4, &["b", "a"]),
        ],
    );
    let parsed = read(id3::ID3, &t).unwrap();
    assert_eq!(parsed.chapters[0].title, "A");
    assert_eq!(parsed.warnings[0].code.as_str(), "chapters-unsorted");
}

#[test]
fn writes_notes_and_sorts_before_writing() {
    let c = vec![
        Chapter::new(ts(3_912_500), "Late"),
        Chapter::new(ts(0), "Intro\nsplit"),
    ];
    assert_eq!(
        write(notes::NOTES, &c, None).unwrap(),
        "Chapters\n00:00:00 Intro split\n01:05:12 Late\n"
    );
}

#[test]
fn chapter_urls_pass_the_gate_in_every_reader() {
    let json = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"A","url":"JavaScript:alert(1)","img":"data:image/png;base64,AA"},{"startTime":5,"title":"B","url":"https://a.org/x y"}]}"#;
    let p = read(json::JSON, &Source::new("c.json", json)).unwrap();
    let codes: Vec<_> = p.warnings.iter().map(|d| d.code).collect();
    assert_eq!(codes, [Code::LinkUnsafeScheme, Code::LinkUnsafeScheme]);
    assert_eq!(
        (p.chapters[0].url.as_deref(), p.chapters[0].img.as_deref()),
        (None, None)
    );
    assert_eq!(p.chapters[1].url.as_deref(), Some("https://a.org/x%20y"));
    let psc = r#"<psc:chapters version="1.2" xmlns:psc="http://podlove.org/simple-chapters"><psc:chapter start="0" title="A" href="file:///etc/passwd"/></psc:chapters>"#;
    let p = read(psc::PSC, &Source::new("c.psc", psc)).unwrap();
    assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
    assert_eq!(p.chapters[0].url, None);
    let mp4 = "00:00:00.000 A <intent://x.org/#Intent;end>\n00:00:05.000 B\n";
    let p = read(mp4chaps::MP4CHAPS, &Source::new("c.txt", mp4)).unwrap();
    assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
    let mp3 = id3::tests::tag(
        4,
        &[id3::tests::chap_frame(
            4,
            "c0",
            0,
            1000,
            "A",
            Some("javascript:alert(1)"),
        )],
    );
    let p = read(id3::ID3, &mp3).unwrap();
    assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
    assert_eq!(p.chapters[0].url, None);
    let podlove = "[\n{\"start\": \"0\", \"title\": \"A\", \"href\": \"javascript:alert(1)\", \"image\": \"https://a.org/i.png\"}\n]";
    let src = Source::new("c.json", podlove);
    let p = read(podlove::PODLOVE_JSON, &src).unwrap();
    assert_eq!(p.warnings[0].code, Code::LinkUnsafeScheme);
    assert_eq!(src.position(p.warnings[0].span.unwrap().start).line, 2);
    assert_eq!(p.chapters[0].url, None);
    assert_eq!(p.chapters[0].img.as_deref(), Some("https://a.org/i.png"));
}

#[test]
fn every_writer_keeps_controls_and_invisibles_out() {
    let mut c = vec![
        Chapter::new(ts(0), "A\r\nB\0C\u{1b}[31mD\u{202E}E\u{2028}F"),
        Chapter::new(ts(10_000), "Two"),
    ];
    c[0].url = Some("https://a.org/\n00:00:09.000 Injected".into());
    c[1].end = Some(ts(20_000));
    for &f in ALL.iter().filter(|f| f.is_writable()) {
        let out = write(f, &c, Some(ts(20_000))).unwrap();
        assert!(
            !out.chars()
                .any(|ch| (ch.is_control() && ch != '\n' && ch != '\t')
                    || crate::text::is_invisible(ch)
                    || ch == '\u{2028}'),
            "{f}: {out:?}"
        );
        assert!(!out.contains("Injected"), "{f}: {out}");
        assert!(out.contains("A B C [31mDE F"), "{f}: {out}");
    }
}

#[test]
fn read_errors_locate_themselves() {
    let src = Source::new("c.cue", "TRACK 01 AUDIO\n  INDEX 01 00:00:80\n");
    let e = read(cue::CUE, &src).unwrap_err();
    assert!(e.to_string().starts_with("c.cue:2:12: "), "{}", e);
    let e = read(cue::CUE, &Source::new("c.cue", "00:00 Intro\n")).unwrap_err();
    assert_eq!(e.to_string(), "c.cue: no `TRACK` in the cue sheet");
}
