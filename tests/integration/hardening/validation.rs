//! Hardening: validation (issue 8, items 8 and 9). Dates, config numbers,
//! the templates folder, config URLs, CR line ends, well-formed XML and
//! template limits, each through the binary in a temporary show folder.

use super::*;

use std::path::PathBuf;
use std::process::Command;

/// A silent WAV of `secs` seconds (4 kHz, 8-bit mono): audio for the RSS
/// item without needing an encoder.
fn wav(path: &Path, secs: u32) {
    let rate = 4000u32;
    let data = rate * secs;
    let mut b = Vec::with_capacity(44 + data as usize);
    b.extend_from_slice(b"RIFF");
    b.extend_from_slice(&(36 + data).to_le_bytes());
    b.extend_from_slice(b"WAVEfmt ");
    b.extend_from_slice(&16u32.to_le_bytes());
    b.extend_from_slice(&1u16.to_le_bytes()); // PCM
    b.extend_from_slice(&1u16.to_le_bytes()); // mono
    b.extend_from_slice(&rate.to_le_bytes());
    b.extend_from_slice(&rate.to_le_bytes()); // bytes per second
    b.extend_from_slice(&1u16.to_le_bytes()); // block align
    b.extend_from_slice(&8u16.to_le_bytes()); // bits
    b.extend_from_slice(b"data");
    b.extend_from_slice(&data.to_le_bytes());
    b.resize(44 + data as usize, 128);
    std::fs::write(path, b).unwrap();
}

/// A show folder: `shownotes.toml` (`config`), `ep.md` with `front` as
/// its front matter lines (TOML), three chapters, and `ep.wav`.
fn show(config: &str, front: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), config).unwrap();
    // An RSS item needs a date (`rss-date-missing`).
    let date = if front.contains("date") {
        ""
    } else {
        "date = 2025-01-01\n"
    };
    std::fs::write(
        dir.path().join("ep.md"),
        format!(
            "+++\ntitle = \"Tom & Jerry\"\n{front}{date}audio = \"ep.wav\"\n+++\nSummary.\n\nChapters\n00:00 Intro\n00:30 Second\n01:00 Third\n"
        ),
    )
    .unwrap();
    wav(&dir.path().join("ep.wav"), 120);
    dir
}

const BASE: &str = "[show]\nmedia_base_url = \"https://media.example.com/show/\"\n";

fn build(dir: &Path) -> Output {
    run(dir, &["build", "ep.md", "--out", "out"])
}

/// Nothing was written: not the output folder, not a file in it.
fn assert_wrote_nothing(dir: &Path) {
    let out = dir.join("out");
    assert!(
        !out.exists() || std::fs::read_dir(&out).unwrap().next().is_none(),
        "wrote {:?}",
        std::fs::read_dir(&out).map(|d| d.count())
    );
}

#[test]
fn defect_8_dates_that_do_not_exist_are_front_matter_invalid() {
    for (front, value, why) in [
        (
            "date = \"2025-02-30\"\n",
            "2025-02-30",
            "February 2025 has 28 days",
        ),
        (
            "date = 2025-02-30\n",
            "2025-02-30",
            "February 2025 has 28 days",
        ),
        (
            "date = \"2025-13-01\"\n",
            "2025-13-01",
            "there is no month `13`",
        ),
        (
            "date = \"2023-02-29\"\n",
            "2023-02-29",
            "2023 is not a leap year",
        ),
        (
            "date = \"2025-12-09T10:00:00+25:00\"\n",
            "2025-12-09T10:00:00+25:00",
            "the UTC offset `+25:00` does not exist",
        ),
        (
            "date = 2025-12-09T10:00:00+25:00\n",
            "2025-12-09T10:00:00+25:00",
            "does not exist",
        ),
        (
            "date = \"Wed, 09 Dec 2025 10:00:00 +0000\"\n",
            "Wed, 09 Dec 2025 10:00:00 +0000",
            "is a Tuesday, not a Wednesday",
        ),
    ] {
        let dir = show(BASE, front);
        let o = build(dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(1), "{front}: {err}");
        assert!(err.contains("error[front-matter-invalid]"), "{err}");
        assert!(err.contains(&format!("`date` `{value}`")), "{err}");
        assert!(err.contains(why), "{err}");
        assert!(err.contains("ep.md:3:1"), "the key's line: {err}");
        assert!(err.contains("help: write the date as"), "{err}");
        assert_wrote_nothing(dir.path());
    }
    // The same in YAML front matter.
    let dir = show(BASE, "");
    std::fs::write(
        dir.path().join("ep.md"),
        "---\ntitle: T\ndate: 2025-02-30\naudio: ep.wav\n---\nSummary.\n",
    )
    .unwrap();
    let o = build(dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("`date` `2025-02-30` is not a date: February 2025 has 28 days"));
    assert_wrote_nothing(dir.path());
    // Real dates, every form, give their <pubDate>.
    for (front, want) in [
        ("date = 2024-02-29\n", "Thu, 29 Feb 2024 00:00:00 +0000"),
        ("date = \"2000-02-29\"\n", "Tue, 29 Feb 2000 00:00:00 +0000"),
        (
            "date = 2024-02-29T23:30:00-05:00\n",
            "Thu, 29 Feb 2024 23:30:00 -0500",
        ),
        (
            "date = \"2025-12-09 10:00:00 +0100\"\n",
            "Tue, 09 Dec 2025 10:00:00 +0100",
        ),
        (
            "date = \"Tue, 09 Dec 2025 10:00:00 GMT\"\n",
            "Tue, 09 Dec 2025 10:00:00 +0000",
        ),
        ("date = 1733740800000\n", "Mon, 09 Dec 2024 10:40:00 +0000"),
    ] {
        let dir = show(BASE, front);
        let o = build(dir.path());
        assert_eq!(o.status.code(), Some(0), "{front}: {}", stderr(&o));
        let item = std::fs::read_to_string(dir.path().join("out/rss-item.xml")).unwrap();
        assert!(
            item.contains(&format!("<pubDate>{want}</pubDate>")),
            "{front}: {item}"
        );
    }
}

#[test]
fn defect_8_config_numbers_are_range_checked() {
    // `BASE` is two lines: the key's line is two more than in `config`.
    for (config, line, want) in [
        (
            "[chapters]\nmin_count = 3\nmin_seconds = 18446744073709552\n",
            5,
            "`min_seconds` must be from 0 to 86400 seconds (a day), not `18446744073709552`",
        ),
        (
            "[chapters]\nmin_count = -1\n",
            4,
            "`min_count` must be from 0 to 10000",
        ),
        (
            "[chapters]\nmax_title_chars = 0\n",
            4,
            "`max_title_chars` must be from 1 to 10000",
        ),
        (
            "[platforms.apple]\nmax_bytes = 4000\n[platforms.youtube]\nmax_bytes = 99999999999\n",
            6,
            "`max_bytes` must be from 1 to 100000000",
        ),
    ] {
        let dir = show(&format!("{BASE}{config}"), "");
        let o = build(dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{config}: {err}");
        assert!(err.contains(want), "{err}");
        assert!(err.contains(&format!("shownotes.toml:{line}:")), "{err}");
        assert!(err.contains("help: "), "{err}");
        assert_wrote_nothing(dir.path());
    }
    // A chapter shorter than a large (in range) minimum is still found.
    let dir = show(&format!("{BASE}[chapters]\nmin_seconds = 86400\n"), "");
    let o = build(dir.path());
    assert_eq!(o.status.code(), Some(1));
    assert!(stderr(&o).contains("chapter-too-short"));
}

#[test]
fn defect_8_a_missing_templates_folder_is_an_error() {
    let dir = show(&format!("templates = \"tempaltes\"\n{BASE}"), "");
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("templates/youtube.txt.j2"), "custom\n").unwrap();
    let o = build(dir.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("shownotes.toml:1:1"), "{err}");
    assert!(
        err.contains("the templates folder `tempaltes` does not exist"),
        "{err}"
    );
    assert!(
        err.contains("help: did you mean `templates = \"templates\"`?"),
        "{err}"
    );
    assert_wrote_nothing(dir.path());
    // Fixed, the override is used.
    std::fs::write(
        dir.path().join("shownotes.toml"),
        format!("templates = \"templates\"\n{BASE}"),
    )
    .unwrap();
    let o = run(
        dir.path(),
        &["build", "ep.md", "--platform", "youtube", "--out", "-"],
    );
    assert_eq!(stdout(&o), "custom\n", "{}", stderr(&o));
    // Without the key, a templates/ folder stays optional.
    std::fs::remove_dir_all(dir.path().join("templates")).unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), BASE).unwrap();
    assert_eq!(build(dir.path()).status.code(), Some(0));
}

#[test]
fn defect_8_config_urls_are_http_and_media_base_url_takes_a_file_name() {
    for (config, want) in [
        (
            "[show]\nmedia_base_url = \"https://media.example.com/show/?token=abc\"\n",
            "has a query (`?...`), but the audio file's name is appended to it",
        ),
        (
            "[show]\nmedia_base_url = \"https://media.example.com/show/#x\"\n",
            "has a fragment (`#...`)",
        ),
        (
            "[show]\nmedia_base_url = \"javascript:alert(1)//\"\n",
            "is not an http(s) URL (its scheme is `javascript`)",
        ),
        (
            "[show]\nmedia_base_url = \"https://m.example.com/\"\nwebsite = \"data:text/html,x\"\n",
            "`website` `data:text/html,x` is not an http(s) URL",
        ),
        (
            "[show]\nmedia_base_url = \"https://m.example.com/\"\nepisode_url = \"https://x.example/{number}\"\n",
            "has the placeholder `{number}`",
        ),
    ] {
        let dir = show(config, "episode = 3\n");
        let o = build(dir.path());
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{config}: {err}");
        assert!(err.contains(want), "{err}");
        let line = config.lines().count();
        assert!(err.contains(&format!("shownotes.toml:{line}:1")), "{err}");
        assert_wrote_nothing(dir.path());
    }
    // Without a trailing slash the base is still the folder.
    let dir = show(
        "[show]\nmedia_base_url = \"https://media.example.com/show\"\n",
        "",
    );
    let o = build(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let item = std::fs::read_to_string(dir.path().join("out/rss-item.xml")).unwrap();
    assert!(
        item.contains("url=\"https://media.example.com/show/ep.wav\""),
        "{item}"
    );
    assert!(item.contains("url=\"https://media.example.com/show/ep.chapters.json\""));
}

#[test]
fn defect_8_cr_only_line_ends_parse_like_lf() {
    let lf = "Summary line.\n\nLearn more:\nhttps://a.example/ \u{2014} A\n\nChapters\n00:00 Intro\n00:30 Second\n01:00 Third\n";
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("lf.md"), lf).unwrap();
    std::fs::write(dir.path().join("cr.md"), lf.replace('\n', "\r")).unwrap();
    std::fs::write(dir.path().join("crlf.md"), lf.replace('\n', "\r\n")).unwrap();
    let json = |name: &str| {
        let o = run(dir.path(), &["chapters", name, "--to", "json"]);
        assert_eq!(o.status.code(), Some(0), "{name}: {}", stderr(&o));
        stdout(&o)
    };
    assert!(json("lf.md").contains("\"Third\""));
    assert_eq!(json("cr.md"), json("lf.md"));
    assert_eq!(json("crlf.md"), json("lf.md"));
    let links = |name: &str| -> serde_json::Value {
        serde_json::from_str(&stdout(&run(
            dir.path(),
            &["links", name, "--format", "json"],
        )))
        .unwrap()
    };
    assert_eq!(links("lf.md")[0]["line"], 4);
    assert_eq!(links("cr.md"), links("lf.md"));
    // Positions: a bad stamp on line 10, shown with its own line.
    let bad = format!("{lf}00:75 Bad\n").replace('\n', "\r");
    std::fs::write(dir.path().join("bad.md"), bad).unwrap();
    let o = run(dir.path(), &["check", "bad.md"]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(1), "{err}");
    assert!(err.contains("bad.md:10:1"), "{err}");
    assert!(err.contains("10 | 00:75 Bad\n"), "{err}");
    // Rendered text has the lines too.
    let o = run(
        dir.path(),
        &["build", "cr.md", "--platform", "youtube", "--out", "-"],
    );
    assert!(
        stdout(&o).contains("0:30 Second\n1:00 Third\n"),
        "{}",
        stdout(&o)
    );
}

#[test]
fn defect_9_xml_that_is_not_well_formed_is_an_error_and_writes_nothing() {
    let dir = show(BASE, "");
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    let tpl = dir.path().join("templates/rss-item.xml.j2");
    std::fs::write(
        &tpl,
        "<item>\n  <title>{{ episode.title|safe }}</title>\n  <enclosure url=\"{{ audio.url }}\"/>\n</item>\n",
    )
    .unwrap();
    let o = build(dir.path());
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("rss-item.xml.j2"), "names the template: {err}");
    assert!(err.contains("the output is not well-formed XML"), "{err}");
    assert!(err.contains("output line 2"), "{err}");
    assert!(err.contains("<title>Tom & Jerry</title>"), "{err}");
    assert!(err.contains("help: a value printed with `|safe`"), "{err}");
    assert_wrote_nothing(dir.path());
    // An undeclared prefix is caught too.
    std::fs::write(
        &tpl,
        "<item><itunes:title>{{ episode.title }}</itunes:title></item>\n",
    )
    .unwrap();
    let o = build(dir.path());
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("the prefix `itunes`"), "{}", stderr(&o));
    assert_wrote_nothing(dir.path());
    // Escaped, it builds.
    std::fs::write(
        &tpl,
        "<item>\n  <title>{{ episode.title }}</title>\n</item>\n",
    )
    .unwrap();
    let o = build(dir.path());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let item = std::fs::read_to_string(dir.path().join("out/rss-item.xml")).unwrap();
    roxmltree::Document::parse(&item).unwrap();
}

/// `shownotes ARGS` in `dir` with at most 1 GiB of address space: a
/// template that takes gigabytes fails the test instead of the machine.
fn run_limited(dir: &Path, args: &[&str]) -> Output {
    let out = Command::new("prlimit")
        .arg(format!("--as={}", 1u64 << 30))
        .arg("--")
        .arg(PathBuf::from(env!("CARGO_BIN_EXE_shownotes")))
        .args(args)
        .env("NO_COLOR", "1")
        .current_dir(dir)
        .output()
        .expect("prlimit (util-linux) is installed");
    assert_no_panic(&out);
    out
}

#[test]
fn defect_9_template_memory_output_and_time_are_bounded() {
    let dir = show(BASE, "");
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    let tpl = dir.path().join("templates/apple.html.j2");
    for (source, want) in [
        // The issue's cases: 4.5 GB and 3.8 GB before.
        (
            "{% set a = 'x'*100000000 %}{% set b = a ~ a %}{% set c = b ~ b %}{{ c ~ c }}",
            "the template used more than 256 MiB of memory, the limit for one render",
        ),
        (
            "{% set a = 'x'*100000000 %}<p>{{ a ~ a }}</p>",
            "the template used more than 256 MiB of memory",
        ),
        (
            "<p>{{ 'x'|indent(1000000000) }}</p>",
            "`indent` would make a string of 953 MiB, over the limit of 16 MiB for one value",
        ),
        (
            "{% set l = [1]*100000000 %}<p>{{ l|sort|length }}</p>",
            "`sort` would make a list of 100000000 items, over the limit of",
        ),
        (
            "<p>{{ ('ab'*1000)|replace('', 'x'*100000) }}</p>",
            "`replace` would make a string of",
        ),
        (
            "{% for i in range(100000) %}{{ 'y'*1000 }}{% endfor %}",
            "the output grew past 16 MiB, the limit for one template",
        ),
        // Within fuel and memory, but each step scans 100 MB.
        (
            "{% set a = 'x'*100000000 %}{% for i in range(30000) %}{% if 'y' in a %}{% endif %}{% endfor %}",
            "the template ran longer than 10 s, the limit for one render",
        ),
    ] {
        std::fs::write(&tpl, source).unwrap();
        let o = run_limited(dir.path(), &["build", "ep.md", "--out", "out"]);
        let err = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{source}: {err}");
        assert!(err.contains(want), "{source}: {err}");
        assert!(err.contains("templates/apple.html.j2"), "{err}");
        assert_wrote_nothing(dir.path());
    }
    // The fuel limit stays.
    std::fs::write(
        &tpl,
        "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    )
    .unwrap();
    let o = run_limited(dir.path(), &["build", "ep.md", "--out", "out"]);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("fuel"), "{}", stderr(&o));
    // A template within the limits renders as before.
    std::fs::write(
        &tpl,
        "<p>{{ episode.title }}</p>{{ ('x'*100)|indent(2)|length }}",
    )
    .unwrap();
    let o = run_limited(
        dir.path(),
        &["build", "ep.md", "--platform", "apple", "--out", "-"],
    );
    assert_eq!(stdout(&o), "<p>Tom &amp; Jerry</p>100", "{}", stderr(&o));
}
