//! Round trips through every writable chapter format, and an independent
//! XML parser reading our Podlove Simple Chapters.
//!
//! For every ordered pair (A, B) of writable formats, `id3` included (via
//! `embed_bytes` on a one-frame MP3): chapters → A → read → B → read must
//! give the same chapters: times within the coarser format's precision
//! (1 ms for the millisecond formats), titles identical, URLs kept where
//! both formats carry them.
//!
//! The chapter lists: the Netstack.FM seed episodes' chapters
//! (`tests/data/chapters/`, cut from `shared/seeds/001_*.txt` and written
//! one per line as the producer would), and titles with every character
//! that needs escaping somewhere.

use shownotes::chapter::Chapter;
use shownotes::formats::{self, Format};
use shownotes::formats::{
    audacity, audition, cue, ffmetadata, id3, json, mp4chaps, psc, spotify, vtt, youtube,
};
use shownotes::mp3::embed;
use shownotes::source::Source;
use shownotes::timestamp::Timestamp;

/// The formats a round trip can go through.
const WRITABLE: &[Format] = &[
    json::JSON,
    psc::PSC,
    mp4chaps::MP4CHAPS,
    ffmetadata::FFMETADATA,
    vtt::VTT,
    audacity::AUDACITY,
    audition::AUDITION,
    cue::CUE,
    youtube::YOUTUBE,
    spotify::SPOTIFY,
    id3::ID3,
];

/// One MPEG-1 Layer III frame (128 kbit/s, 44.1 kHz, 417 bytes): enough
/// for `embed` to take it for an MP3.
fn mp3() -> Vec<u8> {
    let mut f = vec![0u8; 417];
    f[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
    f
}

fn write(format: Format, chapters: &[Chapter], end: Timestamp) -> Vec<u8> {
    if format == id3::ID3 {
        return embed::embed_bytes(&mp3(), chapters, end.as_ms())
            .unwrap_or_else(|e| panic!("embed: {e}"));
    }
    formats::write(format, chapters, Some(end))
        .unwrap_or_else(|e| panic!("write {format}: {e}"))
        .into_bytes()
}

fn read(format: Format, bytes: &[u8]) -> Vec<Chapter> {
    let parsed = if format == id3::ID3 {
        formats::read(id3::ID3, bytes).unwrap_or_else(|e| panic!("read id3: {e}"))
    } else {
        let text = String::from_utf8(bytes.to_vec()).expect("UTF-8");
        let src = Source::new(format!("c.{}", format.extension()), text.clone());
        formats::read(format, &src).unwrap_or_else(|e| panic!("read {format}: {}\n{text}", e))
    };
    assert!(
        parsed.warnings.is_empty(),
        "{format}: {:?}",
        parsed.warnings
    );
    parsed.chapters
}

/// The title `format` gives back: YouTube output never has `<` or `>`;
/// a CUE sheet has no portable escape for `"`, so it writes `'` (issue 8).
fn expected_title(title: &str, formats: &[Format]) -> String {
    let mut t = title.to_string();
    // YouTube and Spotify description lines take no `<` or `>`.
    if formats.contains(&youtube::YOUTUBE) || formats.contains(&spotify::SPOTIFY) {
        t = t.replace('<', "‹").replace('>', "›");
    }
    if formats.contains(&cue::CUE) {
        t = t.replace('"', "'");
    }
    t
}

/// Round-trips `list` through every pair; returns how many pairs ran.
fn round_trip_all(name: &str, list: &[Chapter], end: Timestamp) -> usize {
    let mut pairs = 0;
    for &a in WRITABLE {
        for &b in WRITABLE {
            let via_a = read(a, &write(a, list, end));
            let back = read(b, &write(b, &via_a, end));
            let context = format!("{name}: {a} → {b}");
            assert_eq!(back.len(), list.len(), "{context}");
            let tolerance = a.precision_ms().max(b.precision_ms());
            for (got, want) in back.iter().zip(list) {
                let (g, w) = (got.start.as_ms(), want.start.as_ms());
                assert!(
                    g.abs_diff(w) < tolerance.max(2),
                    "{context}: `{}` at {g} ms, want {w} ms (within {tolerance} ms)",
                    want.title
                );
                assert_eq!(got.title, expected_title(&want.title, &[a, b]), "{context}");
                if a.keeps_urls() && b.keeps_urls() {
                    assert_eq!(got.url, want.url, "{context}: `{}`", want.title);
                }
            }
            pairs += 1;
        }
    }
    pairs
}

fn tricky() -> Vec<Chapter> {
    let titles = [
        "Intro",
        "key=value; #hash \\backslash",
        "\"Double\" and 'single' quotes",
        "tab\there and\ttwice",
        "<b>not bold</b> & <i>co</i> -->",
        "emoji 🎙️👩🏽‍💻 and ✓",
        "日本語のタイトル",
        "Ελληνικά, Русский, עברית, العربية",
        "#1 pick",
        "ends with backslash \\",
        "&amp; stays literal",
        "100% = done; ok?",
    ];
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            // Multiples of 40 ms land exactly on CUE frames (1/75 s).
            let ms = if i == 0 {
                0
            } else {
                i as u64 * 61_040 + 3_600_000 * (i as u64 / 6)
            };
            let mut c = Chapter::new(Timestamp::from_ms(ms), *t);
            if i % 3 == 1 {
                c.url = Some(format!("https://example.com/ch/{i}?a=1&b=%20x#frag"));
            }
            c
        })
        .collect()
}

#[test]
fn tricky_titles_survive_every_pair_of_formats() {
    let list = tricky();
    let end = Timestamp::from_ms(list.last().unwrap().start.as_ms() + 60_000);
    // Whole seconds for the formats that count seconds.
    let pairs = round_trip_all("tricky", &list, end);
    assert_eq!(pairs, WRITABLE.len() * WRITABLE.len());
}

#[test]
fn millisecond_formats_keep_milliseconds() {
    let list: Vec<Chapter> = [0u64, 1, 999, 61_001, 3_599_999, 36_000_123]
        .iter()
        .map(|&ms| Chapter::new(Timestamp::from_ms(ms), format!("at {ms}")))
        .collect();
    let end = Timestamp::from_ms(40_000_000);
    for &a in WRITABLE.iter().filter(|f| f.precision_ms() == 1) {
        for &b in WRITABLE.iter().filter(|f| f.precision_ms() == 1) {
            let back = read(b, &write(b, &read(a, &write(a, &list, end)), end));
            let got: Vec<u64> = back.iter().map(|c| c.start.as_ms()).collect();
            let want: Vec<u64> = list.iter().map(|c| c.start.as_ms()).collect();
            assert_eq!(got, want, "{a} → {b}");
        }
    }
}

#[test]
fn seed_episodes_survive_every_pair_of_formats() {
    let dir = crate::support::root().join("tests/data/chapters");
    let mut episodes = 0;
    for entry in std::fs::read_dir(&dir).expect("tests/data/chapters") {
        let path = entry.unwrap().path();
        let text = std::fs::read_to_string(&path).unwrap();
        let name = path.file_name().unwrap().to_string_lossy().to_string();
        assert_eq!(
            formats::guess(Some(&path), text.as_bytes()),
            Some(spotify::SPOTIFY),
            "{name}"
        );
        let list = formats::read(spotify::SPOTIFY, &Source::new(name.clone(), text))
            .unwrap()
            .chapters;
        assert!(list.len() >= 13, "{name}");
        let end = Timestamp::from_ms(list.last().unwrap().start.as_ms() + 120_000);
        round_trip_all(&name, &list, end);
        episodes += 1;
    }
    assert_eq!(episodes, 5);
}

#[test]
fn an_xml_parser_reads_our_simple_chapters() {
    let list = tricky();
    let xml = formats::write(psc::PSC, &list, None).unwrap();
    let doc = roxmltree::Document::parse(&xml).expect("well-formed XML");
    let root = doc.root_element();
    assert_eq!(root.tag_name().name(), "chapters");
    assert_eq!(
        root.tag_name().namespace(),
        Some("http://podlove.org/simple-chapters")
    );
    assert_eq!(root.attribute("version"), Some("1.2"));
    let items: Vec<_> = root.children().filter(|n| n.is_element()).collect();
    assert_eq!(items.len(), list.len());
    for (node, want) in items.iter().zip(&list) {
        assert_eq!(node.tag_name().name(), "chapter");
        assert_eq!(node.attribute("title"), Some(want.title.as_str()));
        assert_eq!(node.attribute("href"), want.url.as_deref());
        let start = Timestamp::parse(node.attribute("start").unwrap()).unwrap();
        assert_eq!(start, want.start);
    }
}

#[test]
fn writers_that_need_the_end_say_so() {
    let list = tricky();
    for f in [vtt::VTT, ffmetadata::FFMETADATA] {
        assert!(f.needs_end());
        let e = formats::write(f, &list, None).unwrap_err();
        assert!(e.message().contains("audio's end"), "{f}: {}", e.message());
        assert!(e.help().unwrap().contains("--audio"));
    }
    for &f in WRITABLE
        .iter()
        .filter(|f| !f.needs_end() && f.is_writable())
    {
        formats::write(f, &list, None).unwrap_or_else(|e| panic!("{f}: {e}"));
    }
}

#[test]
fn unsorted_input_is_sorted_with_a_warning_in_every_format() {
    let mut list = tricky();
    list.swap(1, 2);
    let end = Timestamp::from_ms(list.iter().map(|c| c.start).max().unwrap().as_ms() + 1000);
    // Writers sort; so build unsorted files by writing each chapter alone
    // and joining where a format is a plain list of lines.
    for f in [
        mp4chaps::MP4CHAPS,
        audacity::AUDACITY,
        youtube::YOUTUBE,
        spotify::SPOTIFY,
    ] {
        let text: String = list
            .iter()
            .map(|c| formats::write(f, std::slice::from_ref(c), Some(end)).unwrap())
            .collect();
        let parsed = formats::read(f, &Source::new("c", text)).unwrap();
        assert_eq!(parsed.warnings.len(), 1, "{f}");
        assert_eq!(parsed.warnings[0].code.as_str(), "chapters-unsorted");
        assert!(parsed.chapters.windows(2).all(|w| w[0].start <= w[1].start));
    }
}

/// Bad input of every kind, for every reader: an error, never a panic.
#[test]
fn no_reader_panics_on_bad_input() {
    let list = tricky();
    let end = Timestamp::from_ms(10_000_000);
    let mut inputs: Vec<Vec<u8>> = vec![
        b"".to_vec(),
        b"\n\n\n".to_vec(),
        b"\xff\xfe\x00garbage".to_vec(),
        "0:00 Intro\n".into(),
        "{\"chapters\": [{\"startTime\": 1e400}]}".into(),
    ];
    for &f in WRITABLE {
        let full = write(f, &list, end);
        for cut in [1, 2, 7, full.len() / 3, full.len() / 2, full.len() - 1] {
            inputs.push(full[..cut.min(full.len())].to_vec());
        }
        inputs.push(full);
    }
    for input in &inputs {
        for &f in formats::ALL {
            if f == id3::ID3 {
                let _ = formats::read(id3::ID3, input);
            } else {
                let src = Source::new("x", String::from_utf8_lossy(input).into_owned());
                if let Err(e) = formats::read(f, &src) {
                    assert!(!e.message().is_empty());
                    let _ = e.to_string();
                }
            }
        }
    }
}

mod fuzz {
    use super::*;
    use proptest::prelude::*;

    /// Text made of the characters chapter formats give meaning to.
    fn syntaxy() -> impl Strategy<Value = String> {
        proptest::collection::vec(
            prop_oneof![
                Just("\n".to_string()),
                Just("\t".to_string()),
                Just("\r\n".to_string()),
                Just("WEBVTT\n\n".to_string()),
                Just(";FFMETADATA1\n".to_string()),
                Just("[CHAPTER]\n".to_string()),
                Just("TIMEBASE=1/1000\n".to_string()),
                Just("START=".to_string()),
                Just("END=".to_string()),
                Just("title=".to_string()),
                Just(" --> ".to_string()),
                Just("TRACK 01 AUDIO\n".to_string()),
                Just("INDEX 01 ".to_string()),
                Just("TITLE \"".to_string()),
                Just("<psc:chapters xmlns:psc=\"http://podlove.org/simple-chapters\">".to_string()),
                Just("<psc:chapter start=\"".to_string()),
                Just("\" title=\"".to_string()),
                Just("\"/>".to_string()),
                Just("Name\tStart\tDuration\tTime Format\tType\tDescription\n".to_string()),
                Just("\tdecimal\tCue\t".to_string()),
                Just("&#".to_string()),
                Just("&amp;".to_string()),
                Just("\\".to_string()),
                "[0-9]{1,25}".prop_map(|s| s),
                Just(":".to_string()),
                Just(".".to_string()),
                Just("(".to_string()),
                Just("-".to_string()),
                Just(" ".to_string()),
                "\\PC{0,5}".prop_map(|s| s),
            ],
            0..60,
        )
        .prop_map(|parts| parts.concat())
    }

    proptest! {
        #![proptest_config(ProptestConfig {
            cases: 400,
            failure_persistence: None,
            ..ProptestConfig::default()
        })]

        #[test]
        fn readers_never_panic(text in syntaxy()) {
            let src = Source::new("fuzz", text.clone());
            for &f in formats::ALL {
                if f == id3::ID3 {
                    let _ = formats::read(id3::ID3, text.as_bytes());
                } else if let Err(e) = formats::read(f, &src) {
                    let _ = e.to_string();
                }
            }
            let _ = formats::guess(None, text.as_bytes());
        }

        #[test]
        fn id3_reader_never_panics(bytes in proptest::collection::vec(any::<u8>(), 0..400), keep in 0usize..200) {
            // A real tag with its tail replaced by noise.
            let list = vec![
                Chapter::new(Timestamp::ZERO, "Intro"),
                Chapter::new(Timestamp::from_ms(5_000), "Two"),
            ];
            let mut tag = embed::embed_bytes(&mp3(), &list, 10_000).unwrap();
            tag.truncate(keep.min(tag.len()));
            tag.extend(&bytes);
            let _ = formats::read(id3::ID3, &tag);
            let _ = formats::read(id3::ID3, &bytes);
        }

        #[test]
        fn any_single_line_title_round_trips(
            // Single-line: no controls, and no line or paragraph separators
            // (U+2028, U+2029), which every writer turns into a space.
            title in "[^\\s\\p{C}<>\\-–—:|•·.,;~*/](?:[^\\p{C}\\p{Zl}\\p{Zp}]|\t){0,40}[^\\s\\p{C}<>]"
        ) {
            let list = vec![
                Chapter::new(Timestamp::ZERO, "Intro"),
                Chapter::new(Timestamp::from_ms(61_000), title.trim()),
            ];
            prop_assume!(!list[1].title.is_empty());
            let end = Timestamp::from_ms(120_000);
            for &f in WRITABLE {
                let back = read(f, &write(f, &list, end));
                prop_assert_eq!(&back[1].title, &expected_title(&list[1].title, &[f]), "{}", f);
            }
        }
    }
}
