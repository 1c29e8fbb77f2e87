//! Static-site front matter (`extra`, lenient owned keys, `duration`,
//! `length`, `shownotes.disable`), Podlove Web Player JSON chapters
//! (`podlove-json`) and chapters read from an M4A (`--from mp4`), through
//! the binary.

use std::path::Path;

use serde_json::{json, Value};

use crate::ffmpeg;
use crate::support::{code, json as stdout_json, run, stderr, stdout};

const CHAPTERS: &str = "\nChapters\n00:00 Intro\n00:30 Middle\n01:00 End\n";

fn write(dir: &Path, name: &str, text: &str) {
    std::fs::write(dir.join(name), text).unwrap();
}

/// `check --format json` of `name`: its findings.
fn findings(dir: &Path, name: &str) -> Vec<Value> {
    let out = run(dir, &["check", name, "--format", "json"]);
    let v = stdout_json(&out);
    v["files"][0]["diagnostics"].as_array().unwrap().clone()
}

fn codes(f: &[Value]) -> Vec<&str> {
    f.iter().map(|d| d["code"].as_str().unwrap()).collect()
}

/// A Hugo, a Zola, a Jekyll, an Eleventy and an Astro page: no finding
/// about their keys, and every key the templates get as `extra`.
#[test]
fn static_site_pages_check_clean_and_give_templates_extra() {
    let dir = tempfile::tempdir().unwrap();
    let pages = [
        (
            "hugo.md",
            "+++\ntitle = \"Ep 71\"\ndate = 2024-05-01T10:00:00+02:00\ndraft = false\nslug = \"ep-71\"\ntags = [\"rust\"]\n[params]\nsubtitle = \"Sub\"\n+++\nSummary.\n",
            ("params", json!({"subtitle": "Sub"})),
        ),
        (
            "zola.md",
            "+++\ntitle = \"Ep 72\"\ndate = 2024-05-08\ntemplate = \"episode.html\"\n[taxonomies]\ntags = [\"audio\"]\n[extra]\nepisode = 72\nart = \"art.png\"\n+++\nSummary.\n",
            ("extra", json!({"episode": 72, "art": "art.png"})),
        ),
        (
            "jekyll.md",
            "---\nlayout: post\ntitle: \"Ep 73\"\ndate: 2024-05-15 10:00:00 +0200\ncategories: [podcast]\npermalink: /73/\n---\nSummary.\n",
            ("categories", json!(["podcast"])),
        ),
        (
            "eleventy.md",
            "---\ntitle: Ep 74\ndate: 2024-05-22\neleventyNavigation:\n  key: ep74\n  order: 74\ntags: episode\n---\nSummary.\n",
            ("eleventyNavigation", json!({"key": "ep74", "order": 74})),
        ),
        (
            "astro.md",
            "---\ntitle: 'Ep 75'\npubDate: 'Jul 08 2022'\ndescription: 'Five'\nheroImage: '/hero.jpg'\nepisode: \"75\"\n---\nSummary.\n",
            ("heroImage", json!("/hero.jpg")),
        ),
    ];
    for (name, text, (key, value)) in pages {
        write(dir.path(), name, &format!("{text}{CHAPTERS}"));
        let f = findings(dir.path(), name);
        assert_eq!(codes(&f), Vec::<&str>::new(), "{name}: {f:?}");
        let out = run(dir.path(), &["context", name]);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let v = stdout_json(&out);
        assert_eq!(v["extra"][key], value, "{name}");
        assert!(v["extra"].get("title").is_none(), "{name}");
    }
    // The owned keys were read: Astro's quoted episode number, Jekyll's
    // date with an offset.
    let v = stdout_json(&run(dir.path(), &["context", "astro.md"]));
    assert_eq!(v["episode"]["number"], 75);
    let v = stdout_json(&run(dir.path(), &["context", "jekyll.md"]));
    assert_eq!(v["episode"]["pub_date"], "Wed, 15 May 2024 10:00:00 +0200");
}

/// A template reads `extra` like any other value.
#[test]
fn templates_read_extra() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ep.md",
        &format!("+++\ntitle = \"Ep\"\n[extra]\nsponsor = \"Acme\"\n+++\nSummary.\n{CHAPTERS}"),
    );
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    write(
        dir.path(),
        "templates/youtube.txt.j2",
        "Sponsored by {{ extra.extra.sponsor }}.\n",
    );
    write(dir.path(), "shownotes.toml", "templates = \"templates\"\n");
    let out = run(
        dir.path(),
        &["build", "ep.md", "--platform", "youtube", "--out", "-"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert!(
        stdout(&out).contains("Sponsored by Acme."),
        "{}",
        stdout(&out)
    );
}

/// Owned keys that can't mean anything are errors at their line; plain
/// ones are read.
#[test]
fn owned_keys_are_lenient_and_errors_name_their_line() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ok.md",
        &format!("---\ntitle: Ep\nepisode: \"71\"\nseason: '2'\nexplicit: clean\ndate: 1714557600\nduration: \"01:02:03\"\nlength: 48213705\n---\nSummary.\n{CHAPTERS}"),
    );
    assert_eq!(codes(&findings(dir.path(), "ok.md")), Vec::<&str>::new());
    let v = stdout_json(&run(dir.path(), &["context", "ok.md"]));
    assert_eq!(v["episode"]["number"], 71);
    assert_eq!(v["episode"]["season"], 2);
    assert_eq!(v["episode"]["explicit"], false);
    assert_eq!(v["episode"]["pub_date"], "Wed, 01 May 2024 10:00:00 +0000");
    write(
        dir.path(),
        "bad.md",
        &format!("+++\ntitle = \"Ep\"\nepisode = \"seventy-one\"\nexplicit = \"maybe\"\nduration = \"an hour\"\ndate = \"someday\"\n+++\nSummary.\n{CHAPTERS}"),
    );
    let f = findings(dir.path(), "bad.md");
    let got: Vec<(u64, &str)> = f
        .iter()
        .map(|d| (d["line"].as_u64().unwrap(), d["code"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (3, "front-matter-invalid"),
            (4, "front-matter-invalid"),
            (5, "front-matter-invalid"),
            (6, "front-matter-invalid")
        ]
    );
    let out = run(dir.path(), &["check", "bad.md"]);
    assert_eq!(code(&out), 1);
    let err = stderr(&out);
    assert!(
        err.contains("`episode` must be a whole number, 0 or more, not `seventy-one`"),
        "{err}"
    );
    assert_eq!(err.matches("help: ").count(), 4, "{err}");
}

/// `shownotes.disable`: known codes are kept; an unknown one is
/// `front-matter-invalid` at its line, with the nearest code.
#[test]
fn shownotes_disable_unknown_codes_say_did_you_mean() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ep.md",
        &format!("+++\ntitle = \"Ep\"\n[shownotes]\ndisable = [\n  \"link-insecure\",\n  \"chapter-too-shrot\",\n]\n+++\nSummary.\n{CHAPTERS}"),
    );
    let f = findings(dir.path(), "ep.md");
    assert_eq!(codes(&f), ["front-matter-invalid"], "{f:?}");
    assert_eq!(f[0]["line"], 6);
    let out = run(dir.path(), &["check", "ep.md"]);
    let err = stderr(&out);
    assert!(
        err.contains(
            "`shownotes.disable` names `chapter-too-shrot`, which is not a diagnostic code"
        ),
        "{err}"
    );
    assert!(
        err.contains("help: did you mean `chapter-too-short`?"),
        "{err}"
    );
}

/// Notes to Podlove Web Player JSON and back, through the binary: the
/// format is guessed from the content (the file is `.json`, as Podcasting
/// 2.0 chapters are).
#[test]
fn podlove_json_round_trips_through_the_cli() {
    let dir = tempfile::tempdir().unwrap();
    write(
        dir.path(),
        "ep.md",
        "Summary.\n\nChapters\n00:00 Intro\n00:30 [Middle](https://example.com/middle)\n01:00:05 End\n",
    );
    let out = run(
        dir.path(),
        &[
            "chapters",
            "ep.md",
            "--to",
            "podlove-json",
            "-o",
            "chapters.json",
        ],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let written: Value =
        serde_json::from_str(&std::fs::read_to_string(dir.path().join("chapters.json")).unwrap())
            .unwrap();
    assert_eq!(
        written[0],
        json!({"start": "00:00:00.000", "title": "Intro"})
    );
    assert_eq!(written[2], json!({"start": "01:00:05.000", "title": "End"}));
    assert_eq!(written[1]["start"], "00:00:30.000");
    let out = run(dir.path(), &["chapters", "chapters.json", "--to", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    let v = stdout_json(&out);
    let starts: Vec<f64> = v["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["startTime"].as_f64().unwrap())
        .collect();
    assert_eq!(starts, [0.0, 30.0, 3605.0]);
    assert_eq!(v["chapters"][2]["title"], "End");
    // Podcasting 2.0 JSON back to Podlove: the same list.
    write(dir.path(), "pc20.json", &stdout(&out));
    let out = run(
        dir.path(),
        &["chapters", "pc20.json", "--to", "podlove-json"],
    );
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(stdout_json(&out), written);
    // The player's own sample shape (empty `href` and `image`), and an
    // unsafe link, which stops the conversion at its line.
    write(
        dir.path(),
        "player.json",
        "[\n{\"start\":\"00:00:00.000\",\"title\":\"A\",\"href\":\"\",\"image\":\"\"},\n{\"start\":\"00:00:43.137\",\"title\":\"B\",\"href\":\"javascript:alert(1)\",\"image\":\"\"}\n]\n",
    );
    let out = run(dir.path(), &["chapters", "player.json", "--to", "mp4chaps"]);
    assert_eq!(code(&out), 1, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("link-unsafe-scheme"),
        "{}",
        stderr(&out)
    );
    assert!(stderr(&out).contains("player.json:3:"), "{}", stderr(&out));
    // A bad start names the chapter and its line.
    write(
        dir.path(),
        "bad.json",
        "[\n{\"start\":\"00:00:00.000\",\"title\":\"A\"},\n{\"start\":\"00:99\",\"title\":\"B\"}\n]\n",
    );
    let out = run(
        dir.path(),
        &[
            "chapters",
            "bad.json",
            "--from",
            "podlove-json",
            "--to",
            "json",
        ],
    );
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("chapters-invalid"), "{err}");
    assert!(err.contains("chapter 2 has `start`"), "{err}");
    assert!(err.contains("bad.json:3:"), "{err}");
}

/// An ffmetadata file for ffmpeg: chapters of (start ms, end ms, title).
fn ffmeta(chapters: &[(u64, u64, &str)]) -> String {
    let mut s = String::from(";FFMETADATA1\n");
    for (start, end, title) in chapters {
        s.push_str(&format!(
            "[CHAPTER]\nTIMEBASE=1/1000\nSTART={start}\nEND={end}\ntitle={title}\n"
        ));
    }
    s
}

const M4A_CHAPTERS: &[(u64, u64, &str)] = &[
    (0, 12_500, "Intro"),
    (12_500, 25_250, "Café & “quotes”"),
    (25_250, 40_000, "Outro"),
];

/// A 40 s silent AAC M4A with `M4A_CHAPTERS`, written by ffmpeg with
/// `movflags` (FFmpeg writes a QuickTime chapter track and a Nero `chpl`).
fn m4a(dir: &Path, name: &str, movflags: Option<&str>) {
    write(dir, "meta.txt", &ffmeta(M4A_CHAPTERS));
    let mut args = vec![
        "-i",
        "meta.txt",
        "-map",
        "0",
        "-map_metadata",
        "1",
        "-c:a",
        "aac",
    ];
    if let Some(f) = movflags {
        args.extend(["-movflags", f]);
    }
    let mut cmd = ffmpeg::lavfi("anullsrc=r=22050:cl=mono:d=40", &args, &dir.join(name));
    ffmpeg::ok(cmd.current_dir(dir));
}

/// The exact chapters, as Podcasting 2.0 JSON.
fn expected() -> Value {
    json!({"version": "1.2.0", "chapters": M4A_CHAPTERS.iter().map(|(s, e, t)| {
        json!({"startTime": *s as f64 / 1000.0, "title": t, "endTime": *e as f64 / 1000.0})
    }).collect::<Vec<_>>()})
}

/// The offsets of each box of type `kind` in `bytes`.
fn find(bytes: &[u8], kind: &[u8; 4]) -> Vec<usize> {
    bytes
        .windows(4)
        .enumerate()
        .filter(|(_, w)| w == kind)
        .map(|(i, _)| i)
        .collect()
}

/// Normalizes JSON numbers so that `0` and `0.0` compare equal.
fn numbers_as_f64(v: &Value) -> Value {
    match v {
        Value::Number(n) => json!(n.as_f64().unwrap()),
        Value::Array(a) => Value::Array(a.iter().map(numbers_as_f64).collect()),
        Value::Object(o) => Value::Object(
            o.iter()
                .map(|(k, v)| (k.clone(), numbers_as_f64(v)))
                .collect(),
        ),
        other => other.clone(),
    }
}

#[test]
fn m4a_chapters_from_ffmpeg_read_exactly() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    // Both forms (FFmpeg's default), the chapter track alone, and the
    // Nero list alone (the chapter reference renamed `free`, so the track
    // is no chapter track).
    m4a(dir.path(), "both.m4a", None);
    m4a(dir.path(), "track.m4a", Some("disable_chpl"));
    let both = std::fs::read(dir.path().join("both.m4a")).unwrap();
    let track = std::fs::read(dir.path().join("track.m4a")).unwrap();
    assert_eq!(find(&both, b"chpl").len(), 1, "FFmpeg writes a Nero list");
    assert_eq!(find(&track, b"chpl").len(), 0);
    assert_eq!(
        find(&both, b"tref").len(),
        1,
        "FFmpeg writes a chapter track"
    );
    let mut nero = both.clone();
    let at = find(&nero, b"tref")[0];
    nero[at..at + 4].copy_from_slice(b"free");
    std::fs::write(dir.path().join("nero.m4b"), &nero).unwrap();
    std::fs::copy(dir.path().join("track.m4a"), dir.path().join("track.bin")).unwrap();

    for (name, from, exact_ends) in [
        ("both.m4a", None, true),
        ("track.m4a", None, true),
        ("nero.m4b", None, false),
        ("track.bin", Some("mp4"), true),
    ] {
        let mut args = vec!["chapters", name, "--to", "json"];
        if let Some(f) = from {
            args.extend(["--from", f]);
        }
        let out = run(dir.path(), &args);
        assert_eq!(code(&out), 0, "{name}: {}", stderr(&out));
        let got = numbers_as_f64(&stdout_json(&out));
        let mut want = numbers_as_f64(&expected());
        if !exact_ends {
            // The Nero list has no ends.
            for c in want["chapters"].as_array_mut().unwrap() {
                c.as_object_mut().unwrap().remove("endTime");
            }
        }
        assert_eq!(got, want, "{name}");
    }
    // An episode larger than the cap on text inputs (50 MB) is read as
    // far as its index and titles: a 60 MB `free` box after the index,
    // made as a sparse file.
    let mut big = both.clone();
    let pad: u32 = 60_000_000;
    big.extend_from_slice(&pad.to_be_bytes());
    big.extend_from_slice(b"free");
    let path = dir.path().join("big.m4a");
    std::fs::write(&path, &big).unwrap();
    let f = std::fs::OpenOptions::new().write(true).open(&path).unwrap();
    f.set_len((both.len() as u64) + u64::from(pad)).unwrap();
    drop(f);
    let out = run(dir.path(), &["chapters", "big.m4a", "--to", "json"]);
    assert_eq!(code(&out), 0, "{}", stderr(&out));
    assert_eq!(
        numbers_as_f64(&stdout_json(&out)),
        numbers_as_f64(&expected())
    );
    // ffprobe reads the same chapters from the file.
    let probed = ffmpeg::probe(&dir.path().join("both.m4a"));
    assert_eq!(probed["chapters"][1]["tags"]["title"], "Café & “quotes”");
    // To any text format, with the file's chapters.
    let out = run(dir.path(), &["chapters", "both.m4a", "--to", "mp4chaps"]);
    assert_eq!(
        stdout(&out),
        "00:00:00.000 Intro\n00:00:12.500 Café & “quotes”\n00:00:25.250 Outro\n"
    );
}

#[test]
fn cut_or_damaged_m4a_is_chapters_invalid_never_a_panic() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    m4a(dir.path(), "ep.m4a", None);
    let bytes = std::fs::read(dir.path().join("ep.m4a")).unwrap();
    // FFmpeg writes the index last: cut it.
    std::fs::write(dir.path().join("cut.m4a"), &bytes[..bytes.len() - 100]).unwrap();
    let out = run(dir.path(), &["chapters", "cut.m4a", "--to", "json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    let err = stderr(&out);
    assert!(err.contains("error[chapters-invalid]"), "{err}");
    assert!(err.contains("the file is cut short"), "{err}");
    assert!(err.contains("help:"), "{err}");
    // Not an MP4 at all, read as one.
    write(dir.path(), "words.m4a", "just words, not audio\n");
    let out = run(dir.path(), &["chapters", "words.m4a", "--to", "json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("not an MP4 file"), "{}", stderr(&out));
    // Every cut and a damaged byte every 7: an error or chapters, never a
    // panic or a hang.
    let mut damaged = 0;
    for n in (0..bytes.len()).step_by(7) {
        let mut bad = bytes.clone();
        bad[n] ^= 0xA5;
        std::fs::write(dir.path().join("bad.m4a"), &bad).unwrap();
        let out = run(dir.path(), &["chapters", "bad.m4a", "--to", "json"]);
        if code(&out) == 2 {
            damaged += 1;
            assert!(
                stderr(&out).contains("chapters-invalid"),
                "{}",
                stderr(&out)
            );
        }
        if n % 97 == 0 {
            std::fs::write(dir.path().join("cut.m4a"), &bytes[..n]).unwrap();
            let out = run(dir.path(), &["chapters", "cut.m4a", "--to", "json"]);
            assert_eq!(code(&out), 2, "cut at {n}: {}", stderr(&out));
        }
    }
    assert!(damaged > 0);
    // An M4A without chapters says so.
    let mut cmd = ffmpeg::lavfi(
        "anullsrc=r=22050:cl=mono:d=2",
        &["-c:a", "aac"],
        &dir.path().join("plain.m4a"),
    );
    ffmpeg::ok(&mut cmd);
    let out = run(dir.path(), &["chapters", "plain.m4a", "--to", "json"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(stderr(&out).contains("has no chapters"), "{}", stderr(&out));
}
