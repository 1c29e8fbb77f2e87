//! Issue 11's build problems (5, 6, 7) and issue 10's Markdown carried to
//! the platforms, through the binary and read back by real consumers:
//! roxmltree for the HTML and the item, the `rss` crate for the item in
//! a feed, serde for the chapters file.
//!
//! - `--out FILE` (and `-`) with one platform writes just that file; the
//!   chapters file is `<audio stem>.chapters.json`, written only with the
//!   RSS item, the name its `podcast:chapters` points at;
//! - `rss-guid-missing`, `rss-date-missing`; no `podcast:chapters`
//!   without chapters;
//! - template errors at the template's line and column, once, with a
//!   `did you mean`;
//! - one rendering of chapters, footer and `<` `>` on Spotify and Apple;
//! - `**bold**`, `_italic_`, lists and links as each platform's markup.

use std::path::Path;

use shownotes::audio::AudioInfo;
use shownotes::config::Config;
use shownotes::diagnostic::Code;
use shownotes::links;
use shownotes::notes::Notes;
use shownotes::publish::platform::{self, PlatformId};
use shownotes::publish::{self, Templates};
use shownotes::source::Source;

use crate::support::{code, run, stderr, stdout};

const CONFIG: &str = "[show]\nmedia_base_url = \"https://media.example.com/show/\"\n";

const NOTES: &str = "+++\ntitle = \"Ep\"\ndate = 2025-10-28\naudio = \"talk.mp3\"\n+++\nSummary.\n\nChapters\n00:00 Intro\n00:15 Middle\n00:30 End\n";

/// A show folder: the config, `ep.md` (naming `talk.mp3`) and a 40 s MP3.
fn show(notes: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), CONFIG).unwrap();
    std::fs::write(dir.path().join("ep.md"), notes).unwrap();
    crate::ffmpeg::sine_mp3(&dir.path().join("talk.mp3"), 40, &[]);
    dir
}

/// The file names in `dir`, sorted.
fn names(dir: &Path) -> Vec<String> {
    let mut n: Vec<String> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    n.sort();
    n
}

/// Parses HTML as XML inside a `<div>`; every element's name in order.
fn tags(html: &str) -> Vec<String> {
    let wrapped = format!("<div>{html}</div>");
    let doc = roxmltree::Document::parse(&wrapped)
        .unwrap_or_else(|e| panic!("not well-formed: {e}\n{html}"));
    doc.descendants()
        .filter(|n| n.is_element())
        .skip(1)
        .map(|n| n.tag_name().name().to_string())
        .collect()
}

/// The text of HTML, as a reader sees it.
fn text(html: &str) -> String {
    let wrapped = format!("<div>{html}</div>");
    let doc = roxmltree::Document::parse(&wrapped).unwrap();
    doc.descendants().filter_map(|n| n.text()).collect()
}

#[test]
fn out_file_with_one_platform_writes_just_that_file() {
    let dir = show(NOTES);
    let d = dir.path();
    let o = run(
        d,
        &["build", "ep.md", "--platform", "youtube", "--out", "yt.txt"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(d.join("yt.txt").is_file(), "a file, not a folder");
    assert!(std::fs::read_to_string(d.join("yt.txt"))
        .unwrap()
        .contains("0:15 Middle\n"));
    // Rebuilt, its own file is replaced; a file it did not write is not.
    let o = run(
        d,
        &["build", "ep.md", "--platform", "youtube", "--out", "yt.txt"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    std::fs::write(d.join("mine.txt"), "<b>mine</b>").unwrap();
    let o = run(
        d,
        &[
            "build",
            "ep.md",
            "--platform",
            "youtube",
            "--out",
            "mine.txt",
        ],
    );
    assert_eq!(code(&o), 2);
    assert!(
        stderr(&o).contains("refusing to replace `mine.txt`"),
        "{}",
        stderr(&o)
    );
    assert_eq!(
        std::fs::read_to_string(d.join("mine.txt")).unwrap(),
        "<b>mine</b>"
    );
    // Nor the notes, even with `--force`.
    let o = run(
        d,
        &[
            "build",
            "ep.md",
            "--platform",
            "youtube",
            "--out",
            "ep.md",
            "--force",
        ],
    );
    assert_eq!(code(&o), 2);
    assert_eq!(std::fs::read_to_string(d.join("ep.md")).unwrap(), NOTES);
    // A name ending with `/`, or an existing folder, is a folder.
    let o = run(
        d,
        &["build", "ep.md", "--platform", "youtube", "--out", "yt/"],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        names(&d.join("yt")),
        [".shownotes-build.json", "youtube.txt"]
    );
    // YouTube alone needs no chapters file: none is written.
    assert!(
        !names(d).iter().any(|n| n.ends_with(".chapters.json")),
        "{:?}",
        names(d)
    );
    // Several platforms go into a folder; a file there is refused.
    let o = run(d, &["build", "ep.md", "--out", "yt.txt"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("`--out yt.txt` is a file, but 4 platforms"),
        "{err}"
    );
    assert!(err.contains("help: "), "{err}");
}

#[test]
fn the_chapters_file_is_named_where_the_item_points_and_only_with_it() {
    let dir = show(NOTES);
    let d = dir.path();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(
        names(&d.join("out")),
        [
            ".shownotes-build.json",
            "apple.html",
            "rss-item.xml",
            "spotify.html",
            "talk.chapters.json",
            "youtube.txt"
        ]
    );
    let xml = std::fs::read_to_string(d.join("out/rss-item.xml")).unwrap();
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let pc = doc
        .descendants()
        .find(|n| {
            n.tag_name().name() == "chapters"
                && n.tag_name().namespace() == Some("https://podcastindex.org/namespace/1.0")
        })
        .expect("podcast:chapters");
    let url = pc.attribute("url").unwrap();
    assert_eq!(url, "https://media.example.com/show/talk.chapters.json");
    assert_eq!(pc.attribute("type"), Some("application/json+chapters"));
    // The file the URL names is beside the item, and holds the chapters.
    let name = url.rsplit('/').next().unwrap();
    let json: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(d.join("out").join(name)).unwrap()).unwrap();
    assert_eq!(json["version"], "1.2.0");
    assert_eq!(json["chapters"][1]["startTime"], 15.0);
    assert_eq!(json["chapters"][1]["title"], "Middle");

    // `--out FILE` for the item: the chapters file beside it.
    let o = run(
        d,
        &[
            "build",
            "ep.md",
            "--platform",
            "rss",
            "--out",
            "feed/item.xml",
        ],
    );
    assert_eq!(code(&o), 2, "no such folder: {}", stderr(&o));
    std::fs::create_dir(d.join("feed")).unwrap();
    let o = run(
        d,
        &[
            "build",
            "ep.md",
            "--platform",
            "rss",
            "--out",
            "feed/item.xml",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert_eq!(names(&d.join("feed")), ["item.xml", "talk.chapters.json"]);
    // `--out -` prints the item alone.
    let o = run(d, &["build", "ep.md", "--platform", "rss", "--out", "-"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(stdout(&o).starts_with("<item "));
}

#[test]
fn an_item_without_chapters_has_no_podcast_chapters_and_no_file() {
    let dir = show("+++\ndate = 2025-10-28\naudio = \"talk.mp3\"\n+++\nSummary only.\n");
    let d = dir.path();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    assert!(!names(&d.join("out"))
        .iter()
        .any(|n| n.ends_with(".chapters.json")));
    let xml = std::fs::read_to_string(d.join("out/rss-item.xml")).unwrap();
    // A real feed reader: no Podcasting 2.0 or PSC chapters at all.
    let feed = format!(
        "<?xml version=\"1.0\"?><rss version=\"2.0\" xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\" xmlns:podcast=\"https://podcastindex.org/namespace/1.0\" xmlns:content=\"http://purl.org/rss/1.0/modules/content/\" xmlns:psc=\"http://podlove.org/simple-chapters\"><channel><title>t</title><link>https://x.example/</link><description>d</description>{xml}</channel></rss>"
    );
    let channel = rss::Channel::read_from(feed.as_bytes()).unwrap();
    let item = &channel.items()[0];
    assert!(item.extensions().get("podcast").is_none(), "{xml}");
    assert!(item.extensions().get("psc").is_none(), "{xml}");
    assert_eq!(item.pub_date(), Some("Tue, 28 Oct 2025 00:00:00 +0000"));
    // No episode URL, no guid: the audio's URL stands in, not a permalink.
    let guid = item.guid().unwrap();
    assert_eq!(guid.value(), "https://media.example.com/show/talk.mp3");
    assert!(!guid.is_permalink());
}

#[test]
fn an_item_without_a_date_is_refused() {
    let dir =
        show("+++\naudio = \"talk.mp3\"\n+++\nSummary.\n\nChapters\n00:00 A\n00:15 B\n00:30 C\n");
    let d = dir.path();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert!(err.contains("error[rss-date-missing]"), "{err}");
    assert!(err.contains("help: add the release date"), "{err}");
    assert!(!d.join("out").exists(), "wrote nothing");
    // Without the RSS item the date is not needed.
    let o = run(
        d,
        &[
            "build",
            "ep.md",
            "--platform",
            "youtube,spotify",
            "--out",
            "out",
        ],
    );
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    // `check` leaves it to the build that makes an item.
}

#[test]
fn an_item_without_any_guid_is_refused() {
    // Through the library: the CLI never builds an item without the
    // audio's URL (`[show] media_base_url` is required), which would
    // stand in; a context without it has nothing to derive a guid from.
    let notes = Notes::parse(
        Source::new("ep.md", "+++\ndate = 2025-10-28\n+++\nSummary.\n"),
        &links::Rules::default(),
    );
    let config = Config::default();
    let audio = AudioInfo {
        path: "talk.mp3".into(),
        container: "mp3",
        codec: "mp3".into(),
        mime: "audio/mpeg",
        duration_ms: 40_000,
        exact: true,
        header_duration_ms: None,
        sample_rate: Some(8000),
        channels: Some(1),
        bytes: 1234,
    };
    let ctx = publish::context(&notes, &config, Some(&audio));
    let templates = Templates::new(None).unwrap();
    let out = publish::build(&templates, &ctx, &notes, &config, &[PlatformId::Rss]).unwrap();
    let codes: Vec<Code> = out.diagnostics.iter().map(|d| d.code).collect();
    assert!(codes.contains(&Code::RssGuidMissing), "{codes:?}");
    assert!(!codes.contains(&Code::RssDateMissing), "{codes:?}");
    // Only the item needs one.
    let out = publish::build(&templates, &ctx, &notes, &config, &[PlatformId::Youtube]).unwrap();
    assert!(!out
        .diagnostics
        .iter()
        .any(|d| d.code == Code::RssGuidMissing));
    // With a guid in the front matter, or an episode URL, there is one.
    for front in ["guid = \"urn:x:1\"", "url = \"https://show.example/1\""] {
        let notes = Notes::parse(
            Source::new(
                "ep.md",
                format!("+++\ndate = 2025-10-28\n{front}\n+++\nSummary.\n"),
            ),
            &links::Rules::default(),
        );
        let ctx = publish::context(&notes, &config, Some(&audio));
        let out = publish::build(&templates, &ctx, &notes, &config, &[PlatformId::Rss]).unwrap();
        assert!(out.diagnostics.is_empty(), "{front}: {:?}", out.diagnostics);
    }
}

#[test]
fn a_template_typo_is_reported_once_at_the_template_with_a_suggestion() {
    let dir = show(NOTES);
    let d = dir.path();
    std::fs::create_dir(d.join("templates")).unwrap();
    std::fs::write(
        d.join("templates/spotify.html.j2"),
        "<p>{{ episode.title }}</p>\n{% for c in chapters %}\n<p>{{ c.spotify }} {{ c.titel }}</p>\n{% endfor %}\n",
    )
    .unwrap();
    let o = run(
        d,
        &["build", "ep.md", "--platform", "spotify", "--out", "-"],
    );
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(err.contains("`c.titel` is undefined"), "{err}");
    assert!(err.contains("templates/spotify.html.j2:3:23"), "{err}");
    assert!(err.contains("^^^^^^^"), "the name is marked: {err}");
    assert!(err.contains("help: did you mean `c.title`?"), "{err}");
    assert_eq!(err.matches("error").count(), 1, "once: {err}");
    assert!(!err.contains("ep.md"), "not at the notes: {err}");
    assert!(stdout(&o).is_empty());
    // A top-level name is matched against the context's keys.
    std::fs::write(
        d.join("templates/spotify.html.j2"),
        "<p>{{ episod.title }}</p>\n",
    )
    .unwrap();
    let err = stderr(&run(
        d,
        &["build", "ep.md", "--platform", "spotify", "--out", "-"],
    ));
    assert!(err.contains("help: did you mean `episode.title`?"), "{err}");
    // So is an attribute of a known object.
    std::fs::write(
        d.join("templates/spotify.html.j2"),
        "<p>{{ episode.titel }}</p>\n",
    )
    .unwrap();
    let err = stderr(&run(
        d,
        &["build", "ep.md", "--platform", "spotify", "--out", "-"],
    ));
    assert!(err.contains("templates/spotify.html.j2:1:7"), "{err}");
    assert!(err.contains("help: did you mean `episode.title`?"), "{err}");
    // Nothing close: no guess.
    std::fs::write(d.join("templates/spotify.html.j2"), "<p>{{ zzzzzz }}</p>\n").unwrap();
    let err = stderr(&run(
        d,
        &["build", "ep.md", "--platform", "spotify", "--out", "-"],
    ));
    assert!(!err.contains("did you mean"), "{err}");
    assert!(err.contains("help: templates are minijinja"), "{err}");
}

#[test]
fn a_forbidden_tag_in_a_template_is_reported_once_at_the_template() {
    let dir = show(NOTES);
    let d = dir.path();
    std::fs::create_dir(d.join("templates")).unwrap();
    std::fs::write(
        d.join("templates/apple.html.j2"),
        "{# <i> in a comment is not written #}\n<p>{{ episode.title }}</p>\n<p><i>{{ episode.title }}</i> <i>again</i></p>\n",
    )
    .unwrap();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 2);
    let err = stderr(&o);
    assert!(
        err.contains("the template writes the tag `<i>`, which apple does not allow"),
        "{err}"
    );
    assert!(err.contains("templates/apple.html.j2:3:4"), "{err}");
    assert_eq!(err.matches("error").count(), 1, "once: {err}");
    assert!(!err.contains("ep.md"), "{err}");
    assert!(!d.join("out").exists());
    // A tag that comes from a value printed `|safe` is the notes': a
    // finding, reported once for the tag (not again at its end tag).
    std::fs::write(
        d.join("ep.md"),
        NOTES.replace("Summary.", "Summary <u>x</u> and <u>y</u>."),
    )
    .unwrap();
    std::fs::write(
        d.join("templates/apple.html.j2"),
        "<p>{{ blocks[0].lines[0][0].text | safe }}</p>\n",
    )
    .unwrap();
    let o = run(d, &["build", "ep.md", "--platform", "apple", "--out", "-"]);
    assert_eq!(code(&o), 1);
    let err = stderr(&o);
    assert_eq!(
        err.matches("error[description-forbidden-tag]").count(),
        1,
        "{err}"
    );
}

/// Notes written as Markdown producers write them.
const MARKDOWN: &str = "+++\ntitle = \"Markdown\"\ndate = 2025-10-28\naudio = \"talk.mp3\"\n+++\nWe talk **QUIC** and _HTTP/3_ with [Max](https://max.example/?utm_source=feed), see https://docs.example/a_b_c.\n\nTopics:\n\n- **Congestion** control\n- UDP I/O with [quinn](https://github.com/quinn-rs/quinn)\n\n1. First _point_\n2. Second point\n\nChapters\n00:00 Intro\n00:15 Middle\n00:30 End\n";

#[test]
fn markdown_is_carried_to_every_platform_in_its_own_markup() {
    let dir = show(MARKDOWN);
    let d = dir.path();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(d.join("out").join(f)).unwrap();
    // Apple's chapters are a list too.
    for (f, allowed, list_count) in [
        ("spotify.html", platform::spotify::TAGS, 2),
        ("apple.html", platform::apple::TAGS, 3),
    ] {
        let html = read(f);
        let t = tags(&html);
        assert!(
            t.iter().all(|t| allowed.contains(&t.as_str())),
            "{f}: {t:?}"
        );
        // Bullet list then numbered list, each item an `<li>`.
        let lists: Vec<&String> = t.iter().filter(|t| *t == "ul" || *t == "ol").collect();
        assert_eq!(lists.len(), list_count, "{f}: {html}");
        assert!(html.contains("<ul>\n<li>Congestion control</li>\n<li>UDP I/O with <a href=\"https://github.com/quinn-rs/quinn\">quinn</a></li>\n</ul>"), "{f}: {html}");
        assert!(
            html.contains("<ol>\n<li>First point</li>\n<li>Second point</li>\n</ol>"),
            "{f}: {html}"
        );
        // Links: the gate, and no tracking parameters.
        assert!(
            html.contains("with <a href=\"https://max.example/\">Max</a>"),
            "{f}: {html}"
        );
        assert!(
            html.contains("<a href=\"https://docs.example/a_b_c\">https://docs.example/a_b_c</a>"),
            "{f}: {html}"
        );
        let shown = text(&html);
        assert!(
            shown.contains("We talk QUIC and HTTP/3 with Max"),
            "{f}: {shown}"
        );
        assert!(
            !shown.contains("**") && !shown.contains("_HTTP") && !shown.contains("point_"),
            "{f}: {shown}"
        );
    }
    let yt = read("youtube.txt");
    assert!(yt.contains("We talk QUIC and HTTP/3 with Max: https://max.example/, see https://docs.example/a_b_c.\n"), "{yt}");
    assert!(
        yt.contains(
            "• Congestion control\n• UDP I/O with quinn: https://github.com/quinn-rs/quinn\n"
        ),
        "{yt}"
    );
    assert!(yt.contains("1. First point\n2. Second point\n"), "{yt}");
    assert!(
        !yt.contains("**") && !yt.contains("_HTTP") && !yt.contains("utm_"),
        "{yt}"
    );
    // The item holds the Apple and Spotify HTML as they are.
    let xml = read("rss-item.xml");
    let doc = roxmltree::Document::parse(&xml).unwrap();
    let desc = doc
        .descendants()
        .find(|n| n.has_tag_name("description"))
        .unwrap();
    assert_eq!(desc.text().unwrap(), read("apple.html"));
}

/// A numbered list that goes on from an earlier one (`3.`): Spotify and
/// Apple take no `<ol start>`, so its items carry their own numbers.
#[test]
fn a_numbered_list_past_one_keeps_its_numbers_on_every_platform() {
    let dir = show(&MARKDOWN.replace(
        "1. First _point_\n2. Second point",
        "3. First _point_\n4. Second point",
    ));
    let d = dir.path();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(d.join("out").join(f)).unwrap();
    for f in ["spotify.html", "apple.html"] {
        let html = read(f);
        assert!(
            html.contains("<ul>\n<li>3. First point</li>\n<li>4. Second point</li>\n</ul>"),
            "{f}: {html}"
        );
        assert!(!html.contains("<ol>"), "{f}: {html}");
    }
    assert!(
        read("youtube.txt").contains("3. First point\n4. Second point\n"),
        "{}",
        read("youtube.txt")
    );
}

#[test]
fn spotify_and_apple_render_chapters_footer_and_angles_alike() {
    let dir = show(
        "+++\ndate = 2025-10-28\naudio = \"talk.mp3\"\n+++\nWe love <blink> & 1 < 2.\n\nChapters\n00:00 Intro <3\n00:15 The <b> tag\n00:30 End\n",
    );
    let d = dir.path();
    std::fs::write(
        d.join("shownotes.toml"),
        format!("{CONFIG}footer = \"\"\"\nThe Show\nMore: https://show.example/\n\"\"\"\n"),
    )
    .unwrap();
    let o = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(code(&o), 0, "{}", stderr(&o));
    let read = |f: &str| std::fs::read_to_string(d.join("out").join(f)).unwrap();
    let sp = read("spotify.html");
    let ap = read("apple.html");
    // Compact lines: `<br />` in one `<p>` on Spotify; Apple has no
    // `<br>`, so one `<li>` a line in one `<ul>`.
    assert!(
        sp.contains("<p>\n00:00 Intro &lt;3<br />\n00:15 The &lt;b&gt; tag<br />\n00:30 End\n</p>"),
        "{sp}"
    );
    assert!(ap.contains("<ul>\n<li>00:00:00 Intro &lt;3</li>\n<li>00:00:15 The &lt;b&gt; tag</li>\n<li>00:00:30 End</li>\n</ul>"), "{ap}");
    assert!(sp.contains("<p>The Show<br />More: <a href=\"https://show.example/\">https://show.example/</a></p>"), "{sp}");
    assert!(ap.contains("<ul>\n<li>The Show</li>\n<li>More: <a href=\"https://show.example/\">https://show.example/</a></li>\n</ul>"), "{ap}");
    assert!(!ap.contains("<br"), "{ap}");
    // The same text on both, read back: `<` and `>` as they were written.
    for (name, html) in [("spotify", &sp), ("apple", &ap)] {
        let t = text(html);
        assert!(t.contains("We love <blink> & 1 < 2."), "{name}: {t}");
        assert!(t.contains("Intro <3"), "{name}: {t}");
        assert!(t.contains("The <b> tag"), "{name}: {t}");
        assert!(!t.contains('‹'), "{name}: {t}");
    }
    // Plain text replaces them one way: YouTube, and `chapters --to`.
    let yt = read("youtube.txt");
    assert!(yt.contains("0:00 Intro ‹3\n0:15 The ‹b› tag\n"), "{yt}");
    assert!(yt.contains("We love ‹blink› & 1 ‹ 2."), "{yt}");
    for (to, want) in [
        ("youtube", "0:00 Intro ‹3\n0:15 The ‹b› tag\n0:30 End\n"),
        ("spotify", "00:00 Intro ‹3\n00:15 The ‹b› tag\n00:30 End\n"),
    ] {
        let o = run(d, &["chapters", "ep.md", "--to", to]);
        assert_eq!(code(&o), 0, "{}", stderr(&o));
        assert_eq!(stdout(&o), want);
    }
}
