//! The five Netstack.FM episodes of seed 001 (notes as a podcast app shows
//! them, every line break lost) and the same notes as a producer writes
//! them: every chapter and every link is pinned in
//! `fixtures/netstack/episode-N.expected.json`.

use serde_json::Value;
use shownotes::chapter as chapters;
use shownotes::diagnostic::Code;
use shownotes::links::{self, Kind};
use shownotes::notes::Notes;
use shownotes::source::Source;

const EPISODES: [u32; 5] = [11, 12, 13, 14, 17];

fn fixture(name: &str) -> String {
    let path = crate::support::fixture("netstack").join(name);
    std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn parse(name: &str) -> Notes {
    Notes::parse(Source::new(name, fixture(name)), &links::Rules::default())
}

struct Expected {
    chapters: Vec<(String, String)>,
    learn_more: Vec<(String, String)>,
    other: Vec<String>,
}

fn expected(n: u32) -> Expected {
    let v: Value = serde_json::from_str(&fixture(&format!("episode-{n}.expected.json"))).unwrap();
    let pairs = |k: &str| -> Vec<(String, String)> {
        v[k].as_array()
            .unwrap()
            .iter()
            .map(|p| {
                (
                    p[0].as_str().unwrap().to_string(),
                    p[1].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    Expected {
        chapters: pairs("chapters"),
        learn_more: pairs("learn_more"),
        other: v["other_links"]
            .as_array()
            .unwrap()
            .iter()
            .map(|s| s.as_str().unwrap().to_string())
            .collect(),
    }
}

fn assert_matches(notes: &Notes, exp: &Expected, what: &str) {
    let got: Vec<(String, String)> = notes
        .chapters
        .iter()
        .map(|c| (c.start.to_string(), c.title.clone()))
        .collect();
    assert_eq!(got, exp.chapters, "{what}: chapters");
    let got: Vec<(String, String)> = notes
        .links
        .iter()
        .filter(|l| l.kind == Kind::LearnMore)
        .map(|l| (l.url.clone(), l.text.clone().unwrap_or_default()))
        .collect();
    assert_eq!(got, exp.learn_more, "{what}: learn-more links");
    let got: Vec<String> = notes
        .links
        .iter()
        .filter(|l| l.kind == Kind::Text)
        .map(|l| l.url.clone())
        .collect();
    assert_eq!(got, exp.other, "{what}: other links");
}

#[test]
fn flattened_seed_episodes_recover_every_chapter_and_link() {
    let (mut chapters, mut learn_more) = (0, 0);
    for n in EPISODES {
        let notes = parse(&format!("episode-{n}.flat.txt"));
        let exp = expected(n);
        assert_matches(&notes, &exp, &format!("episode {n} (flattened)"));
        chapters += notes.chapters.len();
        learn_more += notes
            .links
            .iter()
            .filter(|l| l.kind == Kind::LearnMore)
            .count();
        let codes: Vec<Code> = notes
            .check(&chapters::Rules::default(), None)
            .iter()
            .map(|d| d.code)
            .collect();
        assert_eq!(codes, [Code::NotesFlattened], "episode {n}");
    }
    assert_eq!((chapters, learn_more), (88, 51));
}

#[test]
fn structured_seed_episodes_give_the_same_result() {
    for n in EPISODES {
        let notes = parse(&format!("episode-{n}.md"));
        assert_matches(&notes, &expected(n), &format!("episode {n} (structured)"));
        let diags = notes.check(&chapters::Rules::default(), None);
        assert!(diags.is_empty(), "episode {n}: {diags:?}");
        assert_eq!(notes.front_matter.episode, Some(u64::from(n)));
    }
}

#[test]
fn positions_point_into_the_original_text() {
    for n in EPISODES {
        for name in [format!("episode-{n}.flat.txt"), format!("episode-{n}.md")] {
            let notes = parse(&name);
            let text = &notes.source.text;
            for c in &notes.chapters {
                let span = c.span.unwrap();
                let stamp = &text[span.start..span.end];
                assert_eq!(
                    shownotes::timestamp::Timestamp::parse(stamp).unwrap(),
                    c.start,
                    "{name}"
                );
                let t = c.title_span.unwrap();
                assert_eq!(&text[t.start..t.end], c.title, "{name}");
            }
            for l in &notes.links {
                let written = &text[l.span.start..l.span.end];
                assert_eq!(written, l.original, "{name}");
            }
        }
    }
}

/// Stock linkify on the raw flattened text, for comparison: it takes the
/// word glued before `https://` as part of the scheme.
#[test]
fn stock_linkify_gets_most_flattened_links_wrong() {
    let mut right = 0;
    let mut total = 0;
    let finder = linkify::LinkFinder::new();
    for n in EPISODES {
        let text = fixture(&format!("episode-{n}.flat.txt"));
        let found: Vec<String> = finder
            .links(&text)
            .map(|l| l.as_str().to_string())
            .collect();
        for (url, _) in expected(n).learn_more {
            total += 1;
            right += usize::from(found.contains(&url));
        }
    }
    assert_eq!(total, 51);
    eprintln!("stock linkify: {right} of {total} learn-more links");
    assert!(right < 30, "linkify alone found {right} of 51");
}
