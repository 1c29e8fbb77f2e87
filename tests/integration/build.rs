//! `shownotes build` on the five Netstack.FM seed episodes, with a
//! generated MP3 of the right length and the show's `shownotes.toml`:
//! every output read back by a real consumer (roxmltree for the XML and
//! HTML, the `rss` crate's parser and validator for the feed item, serde
//! for `<audio stem>.chapters.json`), checked against its platform's rules, and pinned
//! with insta. Then an injection corpus through every platform.
//!
//! Needs `ffmpeg` with libmp3lame (apt-get install ffmpeg).

use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use shownotes::audio::AudioInfo;
use shownotes::config::Config;
use shownotes::diagnostic::Code;
use shownotes::formats::youtube;
use shownotes::links;
use shownotes::notes::Notes;
use shownotes::publish::platform::{self, PlatformId};
use shownotes::publish::{self as render, Templates};
use shownotes::source::Source;

use crate::ffmpeg;
use crate::support::{self, run};

const EPISODES: [u32; 5] = [11, 12, 13, 14, 17];

const CONFIG: &str = r#"[show]
title = "Netstack.FM"
website = "https://netstack.fm"
language = "en"
episode_url = "https://netstack.fm/#episode-{episode}"
media_base_url = "https://media.example.com/netstack/"
footer = """
Netstack.FM
More information: {episode_url}
Join our Discord: https://discord.gg/29EetaSYCD
"""
"#;

fn fixture(name: &str) -> PathBuf {
    support::fixture("netstack").join(name)
}

fn parse(path: &Path) -> Notes {
    let text = std::fs::read_to_string(path).unwrap();
    Notes::parse(
        Source::new(path.display().to_string(), text),
        &links::Rules::default(),
    )
}

/// A show folder with the config, each episode's notes and a silent MP3
/// one minute longer than the last chapter's start, made once.
fn show() -> &'static Path {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    DIR.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("shownotes.toml"), CONFIG).unwrap();
        let jobs: Vec<_> = EPISODES
            .iter()
            .map(|n| {
                let name = format!("episode-{n}.md");
                std::fs::copy(fixture(&name), dir.path().join(&name)).unwrap();
                let notes = parse(&fixture(&name));
                let secs = notes.chapters.last().unwrap().start.as_ms() / 1000 + 60;
                let secs = secs.to_string();
                ffmpeg::lavfi(
                    "anullsrc=r=8000:cl=mono",
                    &["-t", &secs, "-c:a", "libmp3lame", "-b:a", "8k"],
                    &dir.path().join(format!("episode-{n}.mp3")),
                )
                .spawn()
                .expect("ffmpeg is installed (apt-get install ffmpeg)")
            })
            .collect();
        for mut j in jobs {
            assert!(j.wait().unwrap().success(), "ffmpeg failed");
        }
        dir
    })
    .path()
}

/// Builds episode `n` into `dist/episode-N/` of the show folder, once.
fn built(n: u32) -> PathBuf {
    static LOCK: std::sync::Mutex<()> = std::sync::Mutex::new(());
    let _g = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let dir = show();
    let out = dir.join(format!("dist/episode-{n}"));
    if !out.join(format!("episode-{n}.chapters.json")).exists() {
        let name = format!("episode-{n}.md");
        let audio = format!("episode-{n}.mp3");
        let o = run(dir, &["build", &name, "--audio", &audio]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert!(o.status.success(), "episode {n}: {err}");
        assert!(!err.contains("error"), "episode {n}: {err}");
    }
    out
}

fn read(dir: &Path, name: &str) -> String {
    std::fs::read_to_string(dir.join(name)).unwrap_or_else(|e| panic!("{name}: {e}"))
}

/// Parses HTML as XML inside a `<div>` and returns every tag name used.
fn html_tags(html: &str) -> Vec<String> {
    let wrapped = format!("<div>{html}</div>");
    let doc = roxmltree::Document::parse(&wrapped)
        .unwrap_or_else(|e| panic!("not well-formed: {e}\n{html}"));
    let mut tags: Vec<String> = doc
        .descendants()
        .filter(|n| n.is_element())
        .skip(1)
        .map(|n| n.tag_name().name().to_string())
        .collect();
    for n in doc.descendants().filter(|n| n.is_element()) {
        for a in n.attributes() {
            assert_eq!((n.tag_name().name(), a.name()), ("a", "href"), "{html}");
            assert!(render::allowed_url(a.value()), "{}", a.value());
        }
    }
    tags.sort();
    tags.dedup();
    tags
}

fn assert_allowed(html: &str, allowed: &[&str]) {
    for t in html_tags(html) {
        assert!(allowed.contains(&t.as_str()), "`<{t}>` is not allowed");
    }
}

/// Puts an item into a minimal RSS 2.0 feed and reads it with the `rss`
/// crate, validating it.
fn feed_item(item: &str) -> rss::Item {
    let feed = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<rss version=\"2.0\"><channel><title>Netstack.FM</title><link>https://netstack.fm</link><description>A podcast</description>{item}</channel></rss>"
    );
    roxmltree::Document::parse(&feed).unwrap_or_else(|e| panic!("feed not well-formed: {e}"));
    let channel = rss::Channel::read_from(feed.as_bytes()).expect("the rss crate reads the feed");
    use rss::validation::Validate;
    channel.validate().expect("the feed validates");
    assert_eq!(channel.items().len(), 1);
    channel.items()[0].clone()
}

#[test]
fn every_seed_episode_builds_for_every_platform_within_its_rules() {
    for n in EPISODES {
        let out = built(n);
        let notes = parse(&fixture(&format!("episode-{n}.md")));

        // YouTube: within 5000 bytes, no `<` or `>`, every chapter on its
        // own line in YouTube form, read back by the YouTube reader.
        let yt = read(&out, "youtube.txt");
        assert!(yt.len() <= 5000, "episode {n}: youtube {} bytes", yt.len());
        assert!(!yt.contains(['<', '>']));
        let back = youtube::read(&Source::new("youtube.txt", yt.as_str())).unwrap();
        let got: Vec<_> = back.iter().map(|c| (c.start, c.title.as_str())).collect();
        let want: Vec<_> = notes
            .chapters
            .iter()
            .map(|c| (c.start, c.title.as_str()))
            .collect();
        assert_eq!(got, want, "episode {n}");
        for c in &notes.chapters {
            let line = format!(
                "\n{} {}\n",
                c.start.display(shownotes::timestamp::Style::Short),
                c.title
            );
            assert!(yt.contains(&line), "episode {n}: {line:?}");
        }
        assert!(yt.contains("0:00 Intro\n"));

        // Spotify and Apple: well-formed, allowed tags only, sizes.
        let sp = read(&out, "spotify.html");
        assert_allowed(&sp, platform::spotify::TAGS);
        assert!(sp.len() <= 4000, "episode {n}: spotify {} bytes", sp.len());
        assert!(sp.contains("00:00 Intro<br />"));
        let ap = read(&out, "apple.html");
        assert_allowed(&ap, platform::apple::TAGS);
        assert!(ap.len() <= 4000, "episode {n}: apple {} bytes", ap.len());
        // Apple allows no `<br>`: chapters are compact `<li>` lines.
        assert!(ap.contains("<ul>\n<li>00:00:00 Intro</li>\n"), "{ap}");
        for l in notes.links.iter() {
            assert!(
                sp.contains(&format!("href=\"{}\"", l.url.replace('&', "&amp;"))),
                "{}",
                l.url
            );
        }

        // RSS: the item alone, then in a feed.
        let xml = read(&out, "rss-item.xml");
        let doc = roxmltree::Document::parse(&xml).unwrap();
        assert_eq!(doc.root_element().tag_name().name(), "item");
        let item = feed_item(&xml);
        assert_eq!(item.title(), notes.front_matter.title.as_deref());
        let enc = item.enclosure().unwrap();
        assert_eq!(
            enc.url(),
            format!("https://media.example.com/netstack/episode-{n}.mp3")
        );
        let bytes = std::fs::metadata(show().join(format!("episode-{n}.mp3")))
            .unwrap()
            .len();
        assert_eq!(enc.length(), bytes.to_string());
        assert_eq!(enc.mime_type(), "audio/mpeg");
        assert_eq!(
            item.guid().unwrap().value(),
            format!("https://netstack.fm/#episode-{n}")
        );
        assert_eq!(item.description().unwrap().trim(), ap.trim());
        assert_eq!(item.content().unwrap().trim(), sp.trim());
        let it = item.itunes_ext().unwrap();
        let secs = notes.chapters.last().unwrap().start.as_ms() / 1000 + 60;
        assert_eq!(it.duration(), Some(secs.to_string().as_str()));
        assert_eq!(it.episode(), Some(n.to_string().as_str()));
        assert_eq!(it.episode_type(), Some("full"));
        let pc = &item.extensions()["podcast"]["chapters"][0];
        assert_eq!(pc.attrs()["type"], "application/json+chapters");
        assert_eq!(
            pc.attrs()["url"],
            format!("https://media.example.com/netstack/episode-{n}.chapters.json")
        );
        let psc = &item.extensions()["psc"]["chapters"][0].children()["chapter"];
        assert_eq!(psc.len(), notes.chapters.len());

        // `<audio stem>.chapters.json`: Podcasting 2.0, matching the notes.
        #[derive(serde::Deserialize)]
        #[serde(rename_all = "camelCase")]
        struct Ch {
            start_time: f64,
            title: String,
        }
        #[derive(serde::Deserialize)]
        struct File {
            version: String,
            chapters: Vec<Ch>,
        }
        let f: File =
            serde_json::from_str(&read(&out, &format!("episode-{n}.chapters.json"))).unwrap();
        assert_eq!(f.version, "1.2.0");
        let got: Vec<(u64, &str)> = f
            .chapters
            .iter()
            .map(|c| ((c.start_time * 1000.0).round() as u64, c.title.as_str()))
            .collect();
        let want: Vec<(u64, &str)> = notes
            .chapters
            .iter()
            .map(|c| (c.start.as_ms(), c.title.as_str()))
            .collect();
        assert_eq!(got, want);
    }
}

#[test]
fn snapshots_pin_every_output() {
    for n in EPISODES {
        let out = built(n);
        for file in [
            "youtube.txt",
            "spotify.html",
            "apple.html",
            "rss-item.xml",
            "chapters.json",
        ] {
            // The chapters file is named after the audio (`podcast:chapters`
            // points at it); its snapshot keeps its name.
            let named = format!("episode-{n}.chapters.json");
            let name = file;
            let file = if name == "chapters.json" {
                &named
            } else {
                name
            };
            // The snapshots keep the names they had when this was its own
            // test binary, `tests/build.rs`: `tests/snapshots/build__*.snap`.
            let mut settings = insta::Settings::clone_current();
            settings.set_snapshot_path("../snapshots");
            settings.set_prepend_module_to_snapshot(false);
            settings.bind(|| {
                insta::assert_snapshot!(format!("build__episode-{n}-{name}"), read(&out, file));
            });
        }
    }
}

#[test]
fn a_footer_not_in_the_notes_is_appended() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), CONFIG).unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        "+++\nepisode = 3\n+++\nSummary.\n\nChapters\n0:00 A\n1:00 B\n2:00 C\n",
    )
    .unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "youtube", "--out", "-"],
    );
    let yt = String::from_utf8(o.stdout).unwrap();
    assert!(
        yt.ends_with("\n\nNetstack.FM\nMore information: https://netstack.fm/#episode-3\nJoin our Discord: https://discord.gg/29EetaSYCD\n"),
        "{yt}"
    );
}

/// Hostile notes: markup, CDATA ends, entities, quotes, script links,
/// emoji, right-to-left text, control characters, a 10 KB title.
fn corpus() -> String {
    let long = "Long title ".repeat(1000);
    format!(
        "+++\ntitle = \"Tom & Jerry <script>alert('x')</script> ]]> \\\"q\\\"\"\nepisode = 1\ndate = 2025-01-01\nguid = \"id-<1>&]]>\"\n+++\n\
Tom & Jerry <script>alert(\"x\")</script> ]]> and <b onclick=\"x\">bold</b> &amp; 'single' \"double\".\n\
Right-to-left: مرحبا بالعالم \u{202E}reversed\u{202C} and emoji 🚀👩‍💻.\n\
Control: a\u{1}b\u{B}c. A [link](javascript:alert(1)) and [good](https://ok.org/?a=1&b=2&utm_source=x) and <https://c.org/]]>x>.\n\
\n\
Learn more:\n\
https://a.org/?q=x&utm_medium=y — Tom & Jerry <i>]]></i>\n\
javascript:alert(2) — script\n\
\n\
Chapters\n\
00:00 Intro <script>alert(1)</script> & ]]> 🎉\n\
00:30 مرحبا \"quoted\" 'single'\n\
01:00 {long}\n"
    )
}

#[test]
fn injections_are_escaped_on_every_platform() {
    let text = corpus();
    let notes = Notes::parse(
        Source::new("evil.md", text.as_str()),
        &links::Rules::default(),
    );
    let mut config = Config::parse(Path::new("shownotes.toml"), CONFIG).unwrap();
    config.show.footer = Some("Footer & <b>co</b> ]]> {episode_url}".into());
    let audio = AudioInfo {
        path: "evil <&> ]]>.mp3".into(),
        container: "mp3",
        codec: "mp3".into(),
        mime: "audio/mpeg",
        duration_ms: 3_600_000,
        exact: true,
        header_duration_ms: None,
        sample_rate: Some(8000),
        channels: Some(1),
        bytes: 1234,
    };
    let ctx = render::context(&notes, &config, Some(&audio));
    let templates = Templates::new(None).unwrap();
    let out = render::build(&templates, &ctx, &notes, &config, &PlatformId::ALL).unwrap();
    let codes: Vec<(Code, Option<&str>)> = out
        .diagnostics
        .iter()
        .map(|d| (d.code, d.platform))
        .collect();
    // The 10 KB title makes every description too long, each named.
    for p in ["youtube", "spotify", "apple"] {
        assert!(
            codes.contains(&(Code::DescriptionTooLong, Some(p))),
            "{codes:?}"
        );
    }
    assert!(codes.contains(&(Code::DescriptionForbiddenChar, Some("youtube"))));
    assert!(
        !codes.iter().any(|c| c.0 == Code::DescriptionForbiddenTag),
        "{codes:?}"
    );

    let long = "Long title ".repeat(1000);
    let long = long.trim();
    // YouTube: no angle brackets; everything else kept.
    let yt = out.get(PlatformId::Youtube).unwrap();
    assert!(!yt.contains(['<', '>']), "{yt}");
    for kept in [
        "Tom & Jerry ‹script›alert(\"x\")‹/script› ]]›",
        // Bidi controls are removed from every output (issue 8, defect 10).
        "مرحبا بالعالم reversed",
        "🚀👩‍💻",
        "https://ok.org/?a=1&b=2",
        long,
    ] {
        assert!(yt.contains(kept), "youtube lost {kept:?}");
    }
    assert!(!yt.contains("utm_"));
    assert!(!yt.contains('\u{1}'));
    assert!(!yt.contains('\u{202E}'));

    for (id, allowed) in [
        (PlatformId::Spotify, platform::spotify::TAGS),
        (PlatformId::Apple, platform::apple::TAGS),
    ] {
        let html = out.get(id).unwrap();
        assert_allowed(html, allowed);
        // Read back, the text is what was written.
        let wrapped = format!("<div>{html}</div>");
        let doc = roxmltree::Document::parse(&wrapped).unwrap();
        let text: String = doc.descendants().filter_map(|n| n.text()).collect();
        // The notes are Markdown: `&amp;` there is an entity, `&`.
        for kept in ["Tom & Jerry <script>alert(\"x\")</script> ]]> and <b onclick=\"x\">bold</b> & 'single' \"double\".", "مرحبا", "reversed", long] {
            assert!(text.contains(kept), "{id} lost {kept:?}");
        }
        assert!(!html.contains("javascript:alert(1)\""));
        // An unsafe link is its text, without the link (Markdown is
        // rendered: no `[..](..)` reaches a platform).
        assert!(
            text.contains("A link and good"),
            "{id}: unsafe links stay text"
        );
        assert!(!text.contains("javascript:"), "{id}");
        assert!(html.contains("href=\"https://ok.org/?a=1&amp;b=2\""));
    }
    // Spotify chapter titles lose emoji; `<` and `>` are escaped as on
    // Apple (text, never markup).
    let sp = out.get(PlatformId::Spotify).unwrap();
    assert!(
        sp.contains("00:00 Intro &lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt;<br />"),
        "{sp}"
    );
    assert!(out
        .get(PlatformId::Apple)
        .unwrap()
        .contains("<li>00:00:00 Intro &lt;script&gt;alert(1)&lt;/script&gt; &amp; ]]&gt; 🎉</li>"));

    // RSS: well-formed alone and in a feed; the CDATA holds.
    let xml = out.get(PlatformId::Rss).unwrap();
    roxmltree::Document::parse(xml).unwrap_or_else(|e| panic!("{e}\n{xml}"));
    let item = feed_item(xml);
    assert_eq!(
        item.title(),
        Some("Tom & Jerry <script>alert('x')</script> ]]> \"q\"")
    );
    assert_eq!(
        item.description().unwrap().trim(),
        out.get(PlatformId::Apple).unwrap().trim()
    );
    assert_eq!(item.guid().unwrap().value(), "id-<1>&]]>");
    assert_eq!(
        item.enclosure().unwrap().url(),
        "https://media.example.com/netstack/evil%20%3C%26%3E%20%5D%5D%3E.mp3"
    );
}

#[test]
fn a_user_template_is_escaped_and_limited() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), "").unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        "Tom & <b>Jerry</b>\n\nChapters\n0:00 A\n1:00 B\n2:00 C\n",
    )
    .unwrap();
    let tpl = dir.path().join("templates/apple.html.j2");
    // Values are escaped without a filter.
    std::fs::write(&tpl, "<p>{{ blocks[0].lines[0][0].text }}</p>\n").unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "apple", "--out", "-"],
    );
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "<p>Tom &amp; &lt;b&gt;Jerry&lt;/b&gt;</p>\n"
    );
    // A forbidden tag the template writes is the template's error, shown
    // once, at the template.
    std::fs::write(&tpl, "<script>x</script>\n").unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "apple", "--out", "-"],
    );
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("the template writes the tag `<script>`"),
        "{err}"
    );
    assert!(err.contains("templates/apple.html.j2:1:1"), "{err}");
    assert_eq!(err.matches("error").count(), 1, "{err}");
    // An undefined variable names the template's line.
    std::fs::write(&tpl, "<p>ok</p>\n<p>{{ nope }}</p>\n").unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "apple", "--out", "-"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("apple.html.j2:2"), "{err}");
    // A loop that never ends runs out of fuel.
    std::fs::write(
        &tpl,
        "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}\n",
    )
    .unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "apple", "--out", "-"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("fuel"), "{err}");
    // A syntax error names its line.
    std::fs::write(&tpl, "<p>\n{% if %}\n").unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "apple", "--out", "-"],
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(err.contains("apple.html.j2:2"), "{err}");
}

#[test]
fn errors_write_nothing() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        "Summary.\n\nChapters\n0:00 A\n0:05 B\n1:00 C\n",
    )
    .unwrap();
    let o = run(dir.path(), &["build", "ep.md"]);
    assert_eq!(o.status.code(), Some(1));
    assert!(String::from_utf8_lossy(&o.stderr).contains("chapter-too-short"));
    assert!(!dir.path().join("dist").exists());
    // Asked for by name, RSS without audio cannot be built (exit 2).
    std::fs::write(
        dir.path().join("ep.md"),
        "Summary.\n\nChapters\n0:00 A\n0:15 B\n1:00 C\n",
    )
    .unwrap();
    let o = run(dir.path(), &["build", "ep.md", "--platform", "rss"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("cannot build `rss`: no audio was given"));
    assert!(!dir.path().join("dist").exists());
    // Otherwise it is skipped, with a warning.
    let o = run(dir.path(), &["build", "ep.md"]);
    assert_eq!(o.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&o.stderr).contains("skipped `rss-item.xml`"));
    let mut names: Vec<_> = std::fs::read_dir(dir.path().join("dist/ep"))
        .unwrap()
        .map(|e| e.unwrap().file_name().into_string().unwrap())
        .collect();
    names.sort();
    // The manifest lists what the build wrote, so a later build replaces
    // only those files.
    assert_eq!(
        names,
        [
            ".shownotes-build.json",
            "apple.html",
            "spotify.html",
            "youtube.txt"
        ]
    );
    // A missing audio file is a finding, and an input that could not be read.
    let o = run(
        dir.path(),
        &["build", "ep.md", "--audio", "nope.mp3", "--out", "x"],
    );
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("error[audio-missing]"));
    assert!(!dir.path().join("x").exists());
}

#[test]
fn a_bad_config_names_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shownotes.toml"),
        "[show]\ntitle = \"x\"\ntitel = \"y\"\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("ep.md"), "Summary.\n").unwrap();
    let o = run(dir.path(), &["build", "ep.md"]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(
        err.contains("shownotes.toml:3:1: unknown field `titel`"),
        "{err}"
    );
}
