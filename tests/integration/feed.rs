//! `shownotes import` and `shownotes feed` through the binary: the host
//! fixtures (`fixtures/feeds/`) imported and rebuilt, both feeds read by
//! real podcast feed parsers (gPodder's podcastparser and Python's
//! feedparser, through `tests/data/feed/compare.py`, and the Rust `rss`
//! crate's validator) to the same episodes; the Netstack.FM seeds built as
//! a feed; local audio walked; edited files kept; bad feeds refused
//! clearly.

use std::ffi::OsStr;
use std::fs;
use std::path::Path;
use std::process::Command;

use super::support::{code, fixture, root, run, stderr, stdout};

const HOSTS: &[&str] = &[
    "libsyn",
    "buzzsprout",
    "transistor",
    "anchor",
    "podbean",
    "hugo",
];

/// The `rss` crate reads `path` and its validator passes it.
fn rss_valid(path: &Path) -> rss::Channel {
    let bytes = fs::read(path).unwrap();
    let channel = rss::Channel::read_from(&bytes[..])
        .unwrap_or_else(|e| panic!("rss cannot read {}: {e}", path.display()));
    use rss::validation::Validate;
    channel
        .validate()
        .unwrap_or_else(|e| panic!("rss validator rejects {}: {e}", path.display()));
    channel
}

/// The comparison of two feeds by the Python parsers.
fn compare(original: &Path, rebuilt: &Path) -> serde_json::Value {
    let out = Command::new("python3")
        .arg(root().join("tests/data/feed/compare.py"))
        .arg(original)
        .arg(rebuilt)
        .output()
        .expect("python3 runs (podcastparser and feedparser are installed by .ci/run)");
    assert!(
        out.status.success(),
        "compare.py failed (pip install podcastparser feedparser): {}",
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap()
}

/// Imports `feed` into `dir`, then writes `dir/feed.xml`.
fn import_and_rebuild(feed: &Path, dir: &Path) -> std::path::PathBuf {
    let out = run(
        dir.parent().unwrap(),
        &[
            OsStr::new("import"),
            feed.as_os_str(),
            OsStr::new("--out"),
            dir.as_os_str(),
        ],
    );
    assert!(code(&out) <= 1, "{}", stderr(&out));
    let rebuilt = dir.join("feed.xml");
    let out = run(dir, &["feed", ".", "-o", "feed.xml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    rebuilt
}

#[test]
fn host_feeds_round_trip_to_the_same_episodes() {
    let tmp = tempfile::tempdir().unwrap();
    let mut episodes = 0;
    let mut report = String::new();
    for host in HOSTS {
        let original = fixture(&format!("feeds/{host}.xml"));
        let dir = tmp.path().join(host);
        let rebuilt = import_and_rebuild(&original, &dir);
        let a = rss_valid(&original);
        let b = rss_valid(&rebuilt);
        assert_eq!(a.items().len(), b.items().len(), "{host}");
        assert_eq!(a.title(), b.title(), "{host}");
        let r = compare(&original, &rebuilt);
        let n = r["episodes"].as_u64().unwrap();
        assert!(n >= 2, "{host}: {r}");
        episodes += n;
        assert_eq!(r["mismatches"], serde_json::json!([]), "{host}: {r:#}");
        report.push_str(&format!(
            "{host}: {n} episodes, fields {} / {}, gained {}\n",
            r["fields"]["podcastparser"], r["fields"]["feedparser"], r["gained"]
        ));
    }
    // The figures, for the record (`--nocapture`).
    println!("{report}{episodes} episodes compared, 0 mismatches");
}

#[test]
fn imported_notes_are_what_a_producer_writes() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("hugo");
    import_and_rebuild(&fixture("feeds/hugo.xml"), &dir);
    let notes =
        fs::read_to_string(dir.join("009-register-allocation-by-graph-colouring.md")).unwrap();
    assert!(notes.starts_with("+++\ntitle = \"Register Allocation by Graph Colouring\"\n"));
    assert!(notes.contains("\nlength = 61865984\nduration = \"01:04:26\"\n"));
    assert!(notes.contains(
        "Further reading:\nhttps://doi.org/10.1145/872726.806984 — Chaitin 1982 — Register allocation & spilling via graph coloring\n"
    ));
    assert!(notes.contains("\nChapters\n00:00:00.000 Welcome\n"));
    // The episode without a number is named by its date.
    assert!(dir.join("2025-02-06-listener-mail-parsers.md").is_file());
    let config = fs::read_to_string(dir.join("shownotes.toml")).unwrap();
    assert!(config.contains("[feed]\n"), "{config}");
    assert!(config.contains("categories = [\"Technology\"]"), "{config}");
    assert!(config.contains("url = \"https://compilernights.example.org/index.xml\""));
    // Every imported file checks without errors.
    let files: Vec<String> = fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "md"))
        .map(|p| p.display().to_string())
        .collect();
    let mut args = vec!["check".to_string()];
    args.extend(files);
    let out = run(&dir, &args);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
}

/// The Netstack.FM seed episodes, with their published audio's URL,
/// length and duration added to the front matter, as a feed.
#[test]
fn netstack_seeds_build_as_a_feed_and_round_trip() {
    let tmp = tempfile::tempdir().unwrap();
    let show = tmp.path().join("netstack");
    fs::create_dir(&show).unwrap();
    fs::write(
        show.join("shownotes.toml"),
        r#"[show]
title = "Netstack.FM"
website = "https://netstack.fm"
language = "en"
episode_url = "https://netstack.fm/#episode-{episode}"

[feed]
description = "A podcast about networking, Rust, and everything in between."
author = "Plabayo"
owner = { name = "Plabayo", email = "hello@netstack.fm" }
image = "https://netstack.fm/cover.jpg"
categories = ["Technology"]
explicit = false
type = "episodic"
guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
url = "https://netstack.fm/rss.xml"
"#,
    )
    .unwrap();
    let mut count = 0;
    for n in [11, 12, 13, 14, 17] {
        let text = fs::read_to_string(fixture(&format!("netstack/episode-{n}.md"))).unwrap();
        let url = format!("https://media.example.com/netstack/episode-{n}.mp3");
        let length = 40_000_000 + n;
        // TOML (`+++`) or YAML (`---`) front matter, as the seeds have.
        let text = if text.starts_with("---\n") {
            text.replacen(
                "---\n",
                &format!("---\naudio: \"{url}\"\nlength: {length}\nduration: \"01:{n}:05\"\n"),
                1,
            )
        } else {
            text.replacen(
                "+++\n",
                &format!("+++\naudio = \"{url}\"\nlength = {length}\nduration = \"01:{n}:05\"\n"),
                1,
            )
        };
        fs::write(show.join(format!("episode-{n}.md")), text).unwrap();
        count += 1;
    }
    let out = run(&show, &["feed", "-o", "feed.xml"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let feed = show.join("feed.xml");
    let channel = rss_valid(&feed);
    assert_eq!(channel.items().len(), count);
    // Newest first.
    assert_eq!(
        channel.items()[0].title(),
        Some("Early Web History and Interlisp with Larry Masinter")
    );
    let item = &channel.items()[0];
    let enclosure = item.enclosure().unwrap();
    assert_eq!(
        enclosure.url(),
        "https://media.example.com/netstack/episode-17.mp3"
    );
    assert_eq!(enclosure.length(), "40000017");
    assert_eq!(item.itunes_ext().unwrap().duration(), Some("4625"));
    let text = fs::read_to_string(&feed).unwrap();
    assert!(text.contains("<podcast:guid>917393e3-1b1e-5cef-ace4-edaa54e1f810</podcast:guid>"));
    assert!(text.contains("<atom:link href=\"https://netstack.fm/rss.xml\" rel=\"self\""));
    assert!(text.contains("<lastBuildDate>Tue, 09 Dec 2025 00:00:00 +0000</lastBuildDate>"));
    // The built feed imported and rebuilt reads the same in the parsers.
    let again = tmp.path().join("again");
    let rebuilt = import_and_rebuild(&feed, &again);
    let r = compare(&feed, &rebuilt);
    assert_eq!(r["episodes"].as_u64(), Some(count as u64), "{r}");
    assert_eq!(r["mismatches"], serde_json::json!([]), "{r:#}");
    assert_eq!(r["gained"], serde_json::json!([]), "{r:#}");
    println!("netstack: {count} episodes, 0 mismatches");
}

#[test]
fn local_audio_is_walked_for_length_and_duration() {
    let tmp = tempfile::tempdir().unwrap();
    let show = tmp.path();
    for f in ["episode-17.md", "episode-17.mp3"] {
        fs::copy(fixture(&format!("example/{f}")), show.join(f)).unwrap();
    }
    fs::write(
        show.join("shownotes.toml"),
        "[show]\ntitle = \"Netstack.FM\"\nlanguage = \"en\"\nmedia_base_url = \"https://media.example.com/netstack/\"\n[feed]\ndescription = \"d\"\n",
    )
    .unwrap();
    let out = run(show, &["feed"]);
    // Channel findings (no image, no category, ...) are errors: exit 1,
    // the feed is printed all the same.
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    for c in [
        "feed-image-missing",
        "feed-category-missing",
        "feed-explicit-missing",
        "feed-owner-email-missing",
    ] {
        assert!(err.contains(c), "{c}: {err}");
    }
    let channel = rss::Channel::read_from(stdout(&out).as_bytes()).unwrap();
    let item = &channel.items()[0];
    let size = fs::metadata(show.join("episode-17.mp3")).unwrap().len();
    let enc = item.enclosure().unwrap();
    assert_eq!(enc.length(), size.to_string());
    assert_eq!(
        enc.url(),
        "https://media.example.com/netstack/episode-17.mp3"
    );
    let probe = run(show, &["probe", "episode-17.mp3", "--format", "json"]);
    let secs = super::support::json(&probe)[0]["duration_ms"]
        .as_u64()
        .unwrap() as f64
        / 1000.0;
    assert_eq!(
        item.itunes_ext().unwrap().duration(),
        Some(format!("{}", secs.round() as u64).as_str())
    );
}

#[test]
fn drafts_and_files_with_errors_are_left_out_with_a_finding() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("show");
    import_and_rebuild(&fixture("feeds/podbean.xml"), &dir);
    let draft = dir.join("018-the-turnpike-to-bath.md");
    let text = fs::read_to_string(&draft).unwrap();
    fs::write(&draft, text.replacen("+++\n", "+++\ndraft = true\n", 1)).unwrap();
    fs::write(
        dir.join("broken.md"),
        "+++\nepisode = \"three\"\n+++\nBody.\n",
    )
    .unwrap();
    let out = run(&dir, &["feed"]);
    let err = stderr(&out);
    assert!(err.contains("warning[feed-draft-skipped]"), "{err}");
    assert!(
        err.contains("018-the-turnpike-to-bath` is a draft"),
        "{err}"
    );
    assert!(
        err.contains("warning[feed-episode-skipped]: `broken` has errors"),
        "{err}"
    );
    assert!(
        err.contains("1 of 3 notes files in the feed (2 left out)"),
        "{err}"
    );
    assert_eq!(code(&out), 1);
    let channel = rss::Channel::read_from(stdout(&out).as_bytes()).unwrap();
    assert_eq!(channel.items().len(), 1);
    assert_eq!(channel.items()[0].title(), Some("Drovers’ Roads of Wales"));
}

#[test]
fn duplicate_guids_and_episode_numbers_are_findings() {
    let tmp = tempfile::tempdir().unwrap();
    let feed = tmp.path().join("dup.xml");
    let item = |title: &str, guid: &str, n: u32| {
        format!(
            "<item><title>{title}</title><guid>{guid}</guid><pubDate>Mon, 03 Mar 2025 06:00:00 GMT</pubDate>\
             <itunes:episode>{n}</itunes:episode><enclosure url=\"https://m.example/{title}.mp3\" length=\"10\" type=\"audio/mpeg\"/></item>"
        )
    };
    fs::write(
        &feed,
        format!(
            "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>T</title>{}{}{}</channel></rss>",
            item("one", "g-1", 1),
            item("two", "g-1", 2),
            item("three", "g-3", 2)
        ),
    )
    .unwrap();
    let out = run(tmp.path(), &["import", "dup.xml", "--out", "show"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(
        err.contains("error[feed-guid-duplicate]: `two` has the guid `g-1` of `one` before it"),
        "{err}"
    );
    assert!(
        err.contains("error[feed-episode-duplicate]: `three` is episode 2, like `two` before it"),
        "{err}"
    );
    assert!(
        err.contains("dup.xml:1:"),
        "findings point into the feed: {err}"
    );
    // Every item is still imported, each to its own file.
    assert_eq!(stdout(&out).matches(".md\n").count(), 3, "{}", stdout(&out));
    // Rebuilt, the same findings stand against the notes.
    let out = run(&tmp.path().join("show"), &["feed"]);
    let err = stderr(&out);
    assert!(err.contains("error[feed-guid-duplicate]"), "{err}");
    assert!(err.contains("error[feed-episode-duplicate]"), "{err}");
}

#[test]
fn import_keeps_edited_files_unless_forced() {
    let tmp = tempfile::tempdir().unwrap();
    let feed = fixture("feeds/libsyn.xml");
    let out = run(tmp.path(), &[OsStr::new("import"), feed.as_os_str()]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).ends_with("2 episodes: 3 files written, 0 unchanged, 0 skipped\n"));
    let ep = tmp.path().join("041-41-seed-catalogue-season.md");
    let edited = fs::read_to_string(&ep).unwrap() + "\nMy own note.\n";
    fs::write(&ep, &edited).unwrap();
    let out = run(tmp.path(), &[OsStr::new("import"), feed.as_os_str()]);
    assert_eq!(code(&out), 0);
    assert!(
        stdout(&out).contains("skipped ./041-41-seed-catalogue-season.md (changed since import wrote it; `--force` replaces it)"),
        "{}",
        stdout(&out)
    );
    assert!(
        stdout(&out).ends_with("0 files written, 2 unchanged, 1 skipped\n"),
        "{}",
        stdout(&out)
    );
    assert_eq!(fs::read_to_string(&ep).unwrap(), edited);
    // A file import never wrote is not replaced either.
    fs::remove_file(tmp.path().join(".shownotes-import.json")).unwrap();
    fs::write(tmp.path().join("shownotes.toml"), "[show]\n").unwrap();
    let out = run(tmp.path(), &[OsStr::new("import"), feed.as_os_str()]);
    assert!(
        stdout(&out).contains("skipped ./shownotes.toml"),
        "{}",
        stdout(&out)
    );
    let out = run(
        tmp.path(),
        &[
            OsStr::new("import"),
            feed.as_os_str(),
            OsStr::new("--force"),
        ],
    );
    assert!(
        stdout(&out).ends_with("2 files written, 1 unchanged, 0 skipped\n"),
        "{}",
        stdout(&out)
    );
    assert!(!fs::read_to_string(&ep).unwrap().contains("My own note."));
}

#[test]
fn a_feed_template_override_replaces_the_channel() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("show");
    import_and_rebuild(&fixture("feeds/transistor.xml"), &dir);
    fs::create_dir(dir.join("templates")).unwrap();
    fs::write(
        dir.join("templates/feed.xml.j2"),
        "<rss version=\"2.0\"><channel><title>{{ channel.title }} (mirror)</title>\
         {% for item in items %}{{ item | safe }}{% endfor %}</channel></rss>\n",
    )
    .unwrap();
    let out = run(&dir, &["feed"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let channel = rss::Channel::read_from(stdout(&out).as_bytes()).unwrap();
    assert_eq!(channel.title(), "Shipping Small (mirror)");
    assert_eq!(channel.items().len(), 2);
    // The channel is in every template's context too.
    let ep = dir.join("012-pricing-is-a-feature.md");
    let out = run(&dir, &[OsStr::new("context"), ep.as_os_str()]);
    let ctx = super::support::json(&out);
    assert_eq!(ctx["channel"]["title"], "Shipping Small");
    assert_eq!(ctx["channel"]["categories"][1]["sub"], "Entrepreneurship");
}

/// Without `[feed] guid`, `podcast:guid` is derived from `[feed] url` as
/// the Podcasting 2.0 namespace defines it (a UUIDv5 of the URL without
/// its scheme), and no `feed-podcast-guid-missing` is reported.
#[test]
fn podcast_guid_is_derived_from_the_feed_url() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path().join("show");
    import_and_rebuild(&fixture("feeds/transistor.xml"), &dir);
    let toml = fs::read_to_string(dir.join("shownotes.toml")).unwrap();
    let kept: Vec<&str> = toml
        .lines()
        .filter(|l| !l.starts_with("guid ") && !l.starts_with("url "))
        .collect();
    let feed_at = kept.iter().position(|l| *l == "[feed]").unwrap();
    let mut lines: Vec<String> = kept.iter().map(|l| l.to_string()).collect();
    lines.insert(feed_at + 1, "url = \"https://podnews.net/rss\"".into());
    fs::write(dir.join("shownotes.toml"), lines.join("\n") + "\n").unwrap();
    let out = run(&dir, &["feed"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let xml = stdout(&out);
    assert!(
        xml.contains("<podcast:guid>9b024349-ccf0-5f69-a609-6b82873eab3c</podcast:guid>"),
        "{xml}"
    );
    assert!(!stderr(&out).contains("feed-podcast-guid-missing"));
}

/// Bad feeds: each a clear error or finding, never a panic.
#[test]
fn bad_feeds_are_refused_clearly() {
    let tmp = tempfile::tempdir().unwrap();
    let cases: &[(&str, String, &str)] = &[
        ("not-xml.xml", "this is not a feed".into(), "the feed is empty: it holds no XML element"),
        (
            "page.html",
            "<!DOCTYPE html><html><head><title>My show</title></head><body><p>Listen</p></body></html>".into(),
            "this is an HTML page, not a podcast feed",
        ),
        (
            "page2.html",
            "<html><body><p>Listen</p></body></html>".into(),
            "this is an HTML page, not a podcast feed",
        ),
        (
            "atom.xml",
            "<?xml version=\"1.0\"?><feed xmlns=\"http://www.w3.org/2005/Atom\"><title>A</title></feed>".into(),
            "this is an Atom feed",
        ),
        (
            "bomb.xml",
            format!(
                "<?xml version=\"1.0\"?><!DOCTYPE lolz [<!ENTITY lol \"lol\">{}]><rss><channel><title>&lol9;</title></channel></rss>",
                (1..10)
                    .map(|i| format!("<!ENTITY lol{i} \"{}\">", format!("&lol{};", i - 1).repeat(10).replace("&lol0;", "&lol;")))
                    .collect::<String>()
            ),
            "the feed declares a document type (`<!DOCTYPE`); entities are never expanded",
        ),
        (
            "undeclared.xml",
            "<rss><channel><title>&lol9;</title></channel></rss>".into(),
            "the feed uses the entity `&lol9;`, which XML does not define",
        ),
        (
            "truncated.xml",
            "<rss><channel><title>T</title><item><title>x</title>".into(),
            "the feed ends inside `<item>`: it is cut short",
        ),
    ];
    for (name, text, message) in cases {
        fs::write(tmp.path().join(name), text).unwrap();
        let out = run(tmp.path(), &["import", name, "--out", "out"]);
        assert_eq!(code(&out), 2, "{name}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(err.contains(message), "{name}: {err}");
        assert!(err.contains("help:"), "{name}: {err}");
    }
    assert!(
        !tmp.path().join("out").exists(),
        "nothing written for a bad feed"
    );

    // Items without enclosures: imported, with a finding each.
    fs::write(
        tmp.path().join("noenc.xml"),
        "<rss version=\"2.0\"><channel><title>T</title><item><title>Post</title><guid>p</guid></item></channel></rss>",
    )
    .unwrap();
    let out = run(tmp.path(), &["import", "noenc.xml", "--out", "noenc"]);
    assert_eq!(code(&out), 0);
    assert!(stderr(&out)
        .contains("warning[feed-enclosure-missing]: `Post` has no audio (`<enclosure>`)"));
    let out = run(&tmp.path().join("noenc"), &["feed"]);
    assert!(
        stderr(&out).contains("`post` is left out of the feed: it has no `audio`"),
        "{}",
        stderr(&out)
    );

    // A description of 50 MB: over the input cap, refused before parsing.
    let big = format!(
        "<rss><channel><title>T</title><item><title>x</title><description>{}</description></item></channel></rss>",
        "a".repeat(50_000_000)
    );
    fs::write(tmp.path().join("big.xml"), big).unwrap();
    let out = run(tmp.path(), &["import", "big.xml", "--out", "big"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("big.xml"), "{}", stderr(&out));
    assert!(stderr(&out).contains("help:"), "{}", stderr(&out));
}

#[test]
fn ten_thousand_items_import() {
    let tmp = tempfile::tempdir().unwrap();
    let mut feed = String::from(
        "<rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\"><channel><title>Big</title>",
    );
    for i in 0..10_000 {
        feed.push_str(&format!(
            "<item><title>Episode {i}</title><guid>g{i}</guid><itunes:episode>{i}</itunes:episode>\
             <description><![CDATA[<p>Notes of {i}.</p>]]></description>\
             <enclosure url=\"https://m.example/{i}.mp3\" length=\"1000\" type=\"audio/mpeg\"/></item>"
        ));
    }
    feed.push_str("</channel></rss>");
    fs::write(tmp.path().join("big.xml"), feed).unwrap();
    let out = run(tmp.path(), &["import", "big.xml", "--out", "show"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(stdout(&out).ends_with("10000 episodes: 10001 files written, 0 unchanged, 0 skipped\n"));
    assert!(tmp.path().join("show/9999-episode-9999.md").is_file());
}
