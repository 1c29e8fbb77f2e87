//! Bad input, through the real binary: each case gives its expected
//! diagnostic or error, and nothing panics.

use serde_json::Value;

use crate::support::{code, json, run};

/// Checks `bytes` as a notes file; returns the exit code and the JSON report.
fn check(bytes: &[u8]) -> (i32, Value, String) {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), bytes).unwrap();
    let out = run(dir.path(), &["check", "notes.md", "--format", "json"]);
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    assert!(!stderr.contains("panicked"), "{stderr}");
    (code(&out), json(&out), stderr)
}

/// The codes reported, with their line.
fn codes(v: &Value) -> Vec<(String, Option<u64>)> {
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| (d["code"].as_str().unwrap().to_string(), d["line"].as_u64()))
        .collect()
}

fn has(v: &Value, code: &str, line: u64) -> bool {
    codes(v).contains(&(code.to_string(), Some(line)))
}

const GOOD_CHAPTERS: &str = "Chapters\n00:00 Intro\n01:00 Middle\n02:00 Outro\n";

#[test]
fn not_utf8_says_where() {
    let (code, v, _) = check(b"Summary\n\nChapters\n00:00 Intro\n\xff\xfe 01:00 Bad\n");
    assert_eq!(code, 2, "an input that is not text could not be read");
    assert!(has(&v, "notes-not-utf8", 5), "{:?}", codes(&v));
    let msg = v["files"][0]["diagnostics"][0]["message"].as_str().unwrap();
    assert!(
        msg.contains("`0xFF`") && msg.contains("line 5, column 1"),
        "{msg}"
    );
}

#[test]
fn binary_bytes_are_not_notes() {
    let mut png = b"\x89PNG\r\n\x1a\n".to_vec();
    png.extend(std::iter::repeat_n(0u8, 4096));
    let (code, v, _) = check(&png);
    assert_eq!(code, 2, "an input that is not text could not be read");
    assert_eq!(codes(&v)[0].0, "notes-not-utf8");
    let (code, v, _) = check(&[0u8; 100]);
    assert_eq!(code, 2, "an input that is not text could not be read");
    assert_eq!(codes(&v)[0].0, "notes-not-utf8");
}

#[test]
fn an_empty_file_is_empty() {
    for text in [&b""[..], b"\n\n  \n", b"\xEF\xBB\xBF"] {
        let (code, v, _) = check(text);
        assert_eq!(code, 1);
        assert_eq!(codes(&v), [("notes-empty".to_string(), None)]);
    }
}

#[test]
fn ten_megabytes_of_text_is_checked() {
    let para = "We talk about QUIC, HTTP/3 and the people who build them. See https://example.com/x?utm_source=a for more.\n\n";
    let mut text = String::from(GOOD_CHAPTERS);
    text.push('\n');
    while text.len() < 10 * 1024 * 1024 {
        text.push_str(para);
    }
    let (code, v, _) = check(text.as_bytes());
    // `check` runs the platforms' rules too: 10 MB is over every limit.
    assert_eq!(code, 1);
    assert_eq!(too_long(&v), ["spotify", "apple", "youtube"]);
    let n = codes(&v)
        .iter()
        .filter(|(c, _)| c == "link-tracking")
        .count();
    assert!(n > 90_000, "{n}");
}

#[test]
fn a_hundred_thousand_chapters_are_checked() {
    let mut text = String::from("Chapters\n");
    for i in 0..100_000u64 {
        let s = i * 30;
        text.push_str(&format!(
            "{}:{:02}:{:02} Chapter number {i}\n",
            s / 3600,
            (s / 60) % 60,
            s % 60
        ));
    }
    let (code, v, _) = check(text.as_bytes());
    // Clean notes, but far over every platform's limit (`check` runs the
    // platforms' rules too).
    assert_eq!(code, 1, "{:?}", &codes(&v)[..3.min(codes(&v).len())]);
    assert_eq!(too_long(&v), ["spotify", "apple", "youtube"]);
    assert_eq!(
        codes(&v).len(),
        3,
        "{:?}",
        &codes(&v)[..5.min(codes(&v).len())]
    );
}

/// The platforms of the `description-too-long` findings, in order.
fn too_long(v: &Value) -> Vec<String> {
    v["files"][0]["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["code"] == "description-too-long")
        .map(|d| d["platform"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn bad_timestamps_are_errors_on_their_line() {
    for (stamp, why) in [
        ("00:75", "seconds `75` must be below 60"),
        ("1:2:3:4", "at most three fields"),
        ("99:99:99", "minutes `99` must be below 60"),
    ] {
        let text = format!("Chapters\n00:00 Intro\n{stamp} Bad one\n05:00 Later\n10:00 End\n");
        let (code, v, _) = check(text.as_bytes());
        assert_eq!(code, 1, "{stamp}");
        assert!(
            has(&v, "chapter-bad-timestamp", 3),
            "{stamp}: {:?}",
            codes(&v)
        );
        let msg = v["files"][0]["diagnostics"][0]["message"].as_str().unwrap();
        assert!(msg.contains(why), "{msg}");
    }
}

#[test]
fn out_of_order_and_duplicate_stamps() {
    let (code, v, _) = check(b"Chapters\n00:00 Intro\n05:00 B\n03:00 C\n03:00 D\n09:00 E\n");
    assert_eq!(code, 1);
    assert!(has(&v, "chapter-out-of-order", 4), "{:?}", codes(&v));
    assert!(has(&v, "chapter-duplicate-start", 5), "{:?}", codes(&v));
}

#[test]
fn unsafe_links_are_errors() {
    let text = format!(
        "Learn more:\njavascript:alert(1) — click me\n[a picture](data:text/html;base64,PHNjcmlwdD4=)\n- <vbscript:msgbox> — old\n\nSee [this](javascript:void(0)).\n\n{GOOD_CHAPTERS}"
    );
    let (code, v, _) = check(text.as_bytes());
    assert_eq!(code, 1);
    for line in [2, 3, 4, 6] {
        assert!(
            has(&v, "link-unsafe-scheme", line),
            "line {line}: {:?}",
            codes(&v)
        );
    }
}

#[test]
fn unbalanced_brackets_around_urls() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "(see https://example.com/a and [b](https://example.com/b\n<https://example.com/c\nhttps://example.com/d) ]https://example.com/e[\n\n{GOOD_CHAPTERS}"
    );
    std::fs::write(dir.path().join("n.md"), text).unwrap();
    let out = run(dir.path(), &["links", "n.md", "--format", "json"]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: Value = serde_json::from_slice(&out.stdout).unwrap();
    let urls: Vec<&str> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|l| l["url"].as_str().unwrap())
        .collect();
    assert_eq!(
        urls,
        [
            "https://example.com/a",
            "https://example.com/b",
            "https://example.com/c",
            "https://example.com/d",
            "https://example.com/e"
        ]
    );
}

#[test]
fn crlf_bom_and_tabs_parse_like_plain_text() {
    let plain = "+++\ntitle = \"T\"\n+++\nSummary.\n\nLearn more:\nhttps://a.org/ — A\n\nChapters\n00:00 Intro\n01:00 Middle\n02:00 Outro\n";
    let crlf = plain.replace('\n', "\r\n");
    let mut bom = b"\xEF\xBB\xBF".to_vec();
    bom.extend_from_slice(plain.as_bytes());
    let tabs = plain.replace("00 ", "00\t").replace(" — ", "\t—\t");
    for (what, bytes) in [
        ("crlf", crlf.into_bytes()),
        ("bom", bom),
        ("tabs", tabs.into_bytes()),
    ] {
        let (code, v, _) = check(&bytes);
        assert_eq!(code, 0, "{what}: {:?}", codes(&v));
        assert!(codes(&v).is_empty(), "{what}: {:?}", codes(&v));
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("n.md"), &bytes).unwrap();
        let out = run(dir.path(), &["chapters", "n.md", "--to", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v["chapters"][2]["title"], "Outro", "{what}");
        assert_eq!(v["chapters"][2]["startTime"], 120, "{what}");
        let out = run(dir.path(), &["links", "n.md", "--format", "json"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        assert_eq!(v[0]["text"], "A", "{what}");
        assert_eq!(v[0]["line"], 7, "{what}");
    }
}

#[test]
fn a_front_matter_that_never_closes() {
    let (code, v, _) = check(format!("---\ntitle: Ep\nepisode: 3\n{GOOD_CHAPTERS}").as_bytes());
    assert_eq!(code, 1);
    assert!(has(&v, "front-matter-invalid", 1), "{:?}", codes(&v));
}

/// Unknown keys are a static site's own (kept as `extra`): no finding. An
/// owned key whose value can't mean anything is one, at its line.
#[test]
fn bad_owned_front_matter_values_name_their_line() {
    let (code, v, stderr) = check(
        format!("+++\ntitle = \"Ep\"\nepisode = \"three\"\nepisdoe = 3\n+++\n{GOOD_CHAPTERS}")
            .as_bytes(),
    );
    assert_eq!(code, 1);
    assert!(
        has(&v, "front-matter-invalid", 3),
        "{:?} {stderr}",
        codes(&v)
    );
    assert!(!has(&v, "front-matter-invalid", 4), "{:?}", codes(&v));
}

#[test]
fn missing_paths_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let out = run(dir.path(), &["check", "nope.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(err.contains("error: `nope.md` does not exist"), "{err}");
    assert!(err.contains("help:"), "{err}");
}

#[test]
fn invalid_and_duplicate_links() {
    let text = format!(
        "Learn more:\n<https://[::1> — a broken IPv6 host\nhttp://999.999.999.999/ — not an address\nhttps://a.org — A\nhttps://A.org/?utm_source=x — A again\n\n{GOOD_CHAPTERS}"
    );
    let (code, v, _) = check(text.as_bytes());
    assert_eq!(code, 1);
    assert!(has(&v, "link-invalid", 2), "{:?}", codes(&v));
    assert!(has(&v, "link-invalid", 3), "{:?}", codes(&v));
    assert!(has(&v, "link-duplicate", 5), "{:?}", codes(&v));
    assert!(has(&v, "link-tracking", 5), "{:?}", codes(&v));
}

#[test]
fn completions_and_man_page() {
    let dir = tempfile::tempdir().unwrap();
    for shell in ["bash", "zsh", "fish", "elvish", "powershell"] {
        let out = run(dir.path(), &["completions", shell]);
        assert_eq!(out.status.code(), Some(0), "{shell}");
        let text = String::from_utf8_lossy(&out.stdout);
        assert!(
            text.contains("shownotes") && text.contains("chapters"),
            "{shell}"
        );
    }
    let out = run(dir.path(), &["man"]);
    assert_eq!(out.status.code(), Some(0));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(text.contains(".TH shownotes 1"), "{text}");
    assert!(text.contains("check") && text.contains("probe") && text.contains("embed"));
}
