//! Hardening: text and URL safety (issue 8, defects 2, 3, 8 and 10).
use super::*;

use std::path::PathBuf;

/// A show folder: a config with a media base URL (so `build` writes the
/// RSS item) and a short MP3 named `ep.mp3`.
fn show() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("shownotes.toml"),
        "[show]\nmedia_base_url = \"https://media.example.com/show/\"\n",
    )
    .unwrap();
    let mp3 = fixture("audio/mp3-cbr-info.mp3");
    std::fs::copy(mp3, dir.path().join("ep.mp3")).unwrap();
    dir
}

/// Every file under `dir`, with its bytes.
fn files(dir: &Path) -> Vec<(PathBuf, Vec<u8>)> {
    let mut out = Vec::new();
    if let Ok(entries) = std::fs::read_dir(dir) {
        for e in entries.flatten() {
            let p = e.path();
            if p.is_dir() {
                out.extend(files(&p));
            } else {
                out.push((p.clone(), std::fs::read(&p).unwrap()));
            }
        }
    }
    out
}

/// A TOML basic string holding `s` exactly.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c if c.is_control() => out.push_str(&format!("\\u{:04X}", c as u32)),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// Notes with a NUL byte on line 3, column 5 (after a two-byte `é`).
const NUL_NOTES: &[u8] = b"Summary line.\n\nAb\xC3\xA9d\0 rest of the line\n\nChapters\n00:00 Intro\n00:20 Two\n00:40 Three\n";

#[test]
fn defect_2_nul_in_notes_never_panics_and_points_at_the_byte() {
    let dir = show();
    let d = dir.path();
    std::fs::write(d.join("ep.md"), NUL_NOTES).unwrap();
    let commands: [&[&str]; 7] = [
        &["check", "ep.md"],
        &["check", "--format", "github", "ep.md"],
        &["build", "ep.md", "--out", "out"],
        &["links", "ep.md"],
        &["context", "ep.md"],
        &["chapters", "ep.md", "--to", "json"],
        &["chapters", "ep.md", "--from", "notes", "--to", "mp4chaps"],
    ];
    for args in commands {
        let out = run(d, args);
        let err = stderr(&out);
        let code = out.status.code();
        assert!(matches!(code, Some(1 | 2)), "{args:?}: {code:?} {err}");
        let all = format!("{err}{}", stdout(&out));
        assert!(all.contains("notes-not-utf8"), "{args:?}: {all}");
        assert!(
            all.contains("ep.md:3:5") || all.contains("line=3,col=5"),
            "{args:?}: the NUL is at line 3, column 5: {all}"
        );
        assert!(!all.contains('\0'), "{args:?}: a raw NUL was printed");
    }
    assert!(!d.join("out").exists(), "build wrote nothing");
    let out = run(d, &["check", "--format", "json", "ep.md"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let diag = &v["files"][0]["diagnostics"][0];
    assert_eq!(
        (diag["line"].as_u64(), diag["column"].as_u64()),
        (Some(3), Some(5))
    );
    // Invalid UTF-8 after wide characters: the same, on the decoded text.
    std::fs::write(
        d.join("bad.md"),
        b"\xE4\xB8\xAD\xE6\x96\x87\n  \xF0\x9F\x8E\x99 x \xFF\xFE y\n",
    )
    .unwrap();
    let out = run(d, &["check", "bad.md"]);
    assert_eq!(out.status.code(), Some(2));
    let err = stderr(&out);
    assert!(err.contains("bad.md:2:7"), "{err}");
    assert!(err.contains("byte `0xFF` at line 2, column 7"), "{err}");
}

#[cfg(debug_assertions)]
#[test]
fn defect_2_a_panic_prints_one_line_and_no_data() {
    // Debug builds panic on purpose when SHOWNOTES_DEBUG_PANIC is set, with
    // the variable's value in the panic message (as a panic could quote a
    // line of a file or an environment value).
    let out = bin()
        .env("SHOWNOTES_DEBUG_PANIC", "CI_SECRET_TOKEN=hunter2")
        .env("RUST_BACKTRACE", "1")
        .args(["check", "."])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(101));
    let err = stderr(&out);
    assert!(
        !err.contains("hunter2") && !err.contains("CI_SECRET"),
        "{err}"
    );
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert_eq!(err.lines().count(), 1, "{err}");
    assert!(
        err.starts_with("error: shownotes hit an internal bug at src/main.rs:")
            && err
                .trim_end()
                .ends_with("; please report it with the command you ran"),
        "{err}"
    );
}

/// Script URLs and the ways of disguising them: none may reach an output.
fn url_corpus() -> Vec<String> {
    let v = [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        "JAVASCRIPT:alert(1)",
        "jAvAsCrIpT:alert(1)",
        " javascript:alert(1)",
        "javascript:alert(1) ",
        "\tjavascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "java\rscript:alert(1)",
        "\u{0}javascript:alert(1)",
        "\u{1}javascript:alert(1)",
        "javascript\t:alert(1)",
        "javascript :alert(1)",
        "javascript%3Aalert(1)",
        "javascript%3aalert(1)",
        "%6Aavascript:alert(1)",
        "javascript&colon;alert(1)",
        "javascript&#58;alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&#x3A;alert(1)",
        "\u{200B}javascript:alert(1)",
        "javascript\u{200B}:alert(1)",
        "vbscript:msgbox(1)",
        "VBScript:msgbox(1)",
        "livescript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "DATA:text/html,alert(1)",
        " data:text/html,alert(1)",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "file:///etc/passwd",
        "FILE:///etc/passwd",
        "file://evil.example/share",
        "blob:https://evil.example/0e6b1b55",
        "intent://evil.example#Intent;scheme=https;end",
        "https:\\\\evil.example",
        "https:/\\evil.example",
        "http:\\\\evil.example",
        "\\\\evil.example\\x",
        "/\\evil.example",
        "//evil.example/x",
        "https:evil.example",
        "https:/evil.example",
        " https://evil.example",
        "https://evil.example ",
        "https://evil.example\n",
        "ht\ttps://evil.example",
        "ht\ntps://evil.example",
        "https://evil.example/\u{202E}gpj.exe",
        "\u{FEFF}https://evil.example",
        "https://evil.example\u{0}",
        "ftp://evil.example/x",
        "view-source:https://evil.example",
        "jar:https://evil.example/x.jar!/",
        "about:blank",
        "chrome://settings",
        "ms-settings:privacy",
        "tel:+15555550100",
    ];
    v.iter().map(|s| s.to_string()).collect()
}

/// Whether the notes reader's Markdown link (`[x](URL)`) can hold `u` as
/// written, so the corpus is tried there too: no whitespace or control
/// characters, and not an https URL that only carries invisible
/// characters (those are dropped from a link with a warning, and the
/// https link stays).
fn fits_a_markdown_link(u: &str) -> bool {
    !u.chars().any(|c| c.is_whitespace() || c.is_control())
        && !u.contains('\u{202E}')
        && !u.starts_with('\u{FEFF}')
}

#[test]
fn defect_3_no_script_url_reaches_any_output() {
    let corpus = url_corpus();
    assert!(corpus.len() >= 50);
    let dir = show();
    let d = dir.path();
    let mut runs = 0;
    for v in &corpus {
        let mut notes = vec![
            (
                "front matter url",
                format!(
                    "+++\nurl = {}\naudio = \"ep.mp3\"\n+++\nSummary.\n",
                    toml_str(v)
                ),
                2,
            ),
            (
                "front matter image",
                format!(
                    "+++\nimage = {}\naudio = \"ep.mp3\"\n+++\nSummary.\n",
                    toml_str(v)
                ),
                2,
            ),
        ];
        if fits_a_markdown_link(v) {
            notes.push((
                "notes link",
                format!("+++\naudio = \"ep.mp3\"\n+++\nSummary.\n\nSee [this]({v}) now.\n"),
                6,
            ));
        }
        for (place, text, line) in notes {
            std::fs::write(d.join("ep.md"), &text).unwrap();
            let _ = std::fs::remove_dir_all(d.join("out"));
            let out = run(d, &["build", "ep.md", "--out", "out"]);
            runs += 1;
            let err = stderr(&out);
            assert_ne!(out.status.code(), Some(0), "{place} {v:?}: {err}");
            assert!(
                err.contains("error[link-unsafe-scheme]"),
                "{place} {v:?}: {err}"
            );
            assert!(
                err.contains(&format!("ep.md:{line}:")),
                "{place} {v:?}: at its line {line}: {err}"
            );
            for (path, bytes) in files(&d.join("out")) {
                let body = String::from_utf8_lossy(&bytes);
                assert!(
                    !body.contains("evil.example")
                        && !body.contains("alert(1)")
                        && !body.contains("msgbox")
                        && !body.contains("/etc/passwd"),
                    "{place} {v:?} reached {}: {body}",
                    path.display()
                );
            }
        }
        // A chapter file's url and img, read and converted.
        let json = serde_json::json!({
            "version": "1.2.0",
            "chapters": [
                {"startTime": 0, "title": "A", "url": v},
                {"startTime": 20, "title": "B", "img": v},
                {"startTime": 40, "title": "C"},
            ]
        });
        std::fs::write(d.join("ch.json"), json.to_string()).unwrap();
        for to in ["json", "psc", "mp4chaps"] {
            let out = run(d, &["chapters", "ch.json", "--to", to]);
            runs += 1;
            let err = stderr(&out);
            assert_eq!(
                out.status.code(),
                Some(1),
                "chapters --to {to} {v:?}: {err}"
            );
            assert!(err.contains("link-unsafe-scheme"), "{v:?}: {err}");
            assert!(out.stdout.is_empty(), "{v:?}: {}", stdout(&out));
        }
    }
    // embed reads the same way: nothing is written.
    let out = run(
        d,
        &["embed", "ep.mp3", "--chapters", "ch.json", "-o", "with.mp3"],
    );
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(!d.join("with.mp3").exists());
    assert!(runs >= 150, "{runs}");
}

#[test]
fn defect_3_a_guid_is_never_a_script_and_a_permalink_only_when_http() {
    let dir = show();
    let d = dir.path();
    let build = |fm: &str| {
        std::fs::write(
            d.join("ep.md"),
            format!("+++\naudio = \"ep.mp3\"\ndate = 2025-01-01\n{fm}\n+++\nSummary.\n"),
        )
        .unwrap();
        let _ = std::fs::remove_dir_all(d.join("out"));
        let out = run(d, &["build", "ep.md", "--out", "out"]);
        let rss = std::fs::read_to_string(d.join("out/rss-item.xml")).unwrap_or_default();
        (out, rss)
    };
    for g in [
        "javascript:alert(1)",
        " JavaScript:alert(1)",
        "javascript%3Aalert(1)",
        "data:,x",
    ] {
        let (out, rss) = build(&format!("guid = {}", toml_str(g)));
        assert_eq!(out.status.code(), Some(1), "{g:?}");
        assert!(
            stderr(&out).contains("link-unsafe-scheme"),
            "{}",
            stderr(&out)
        );
        assert!(rss.is_empty());
    }
    let (out, rss) = build("guid = \"urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427\"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        rss.contains(r#"<guid isPermaLink="false">urn:uuid:1b4e28ba"#),
        "{rss}"
    );
    let (out, rss) = build("url = \"https://show.example/ep/1\"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        rss.contains(r#"<guid isPermaLink="true">https://show.example/ep/1</guid>"#),
        "{rss}"
    );
    let (out, rss) = build("url = \"mailto:host@show.example\"");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(
        rss.contains(r#"<guid isPermaLink="false">mailto:"#),
        "{rss}"
    );
}

#[test]
fn defect_8_a_markdown_link_with_a_script_in_its_query_keeps_its_text() {
    let dir = show();
    let d = dir.path();
    std::fs::write(
        d.join("ep.md"),
        "+++\naudio = \"ep.mp3\"\ndate = 2025-01-01\n+++\nSummary [click](https://x.example/?q=<script>alert(1)</script>) end.\n",
    )
    .unwrap();
    let out = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let read = |f: &str| std::fs::read_to_string(d.join("out").join(f)).unwrap();
    let url = "https://x.example/?q=%3Cscript%3Ealert(1)%3C/script%3E";
    let anchor = format!(r#"Summary <a href="{url}">click</a> end."#);
    for f in ["apple.html", "spotify.html", "rss-item.xml"] {
        let body = read(f);
        assert!(body.contains(&anchor), "{f}: {body}");
        assert!(!body.contains("<script"), "{f}: {body}");
    }
    let yt = read("youtube.txt");
    assert!(yt.contains(&format!("Summary click: {url} end.")), "{yt}");
    let out = run(d, &["links", "ep.md", "--format", "json"]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v[0]["text"], "click");
    assert_eq!(v[0]["url"], url);
}

#[test]
fn defect_10_cue_titles_with_quotes_read_back() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let json = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"Say \"hi\" there"},{"startTime":20,"title":"\"Quoted\""},{"startTime":40,"title":"Plain"}]}"#;
    std::fs::write(d.join("ch.json"), json).unwrap();
    let out = run(d, &["chapters", "ch.json", "--to", "cue", "-o", "ch.cue"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let cue = std::fs::read_to_string(d.join("ch.cue")).unwrap();
    for line in cue.lines().filter(|l| l.trim_start().starts_with("TITLE")) {
        // One quoted string: every CUE reader ends it at its own quote.
        assert_eq!(line.matches('"').count(), 2, "{line}");
        assert!(line.trim_end().ends_with('"'), "{line}");
    }
    let out = run(d, &["chapters", "ch.cue", "--to", "json"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let titles: Vec<&str> = v["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["title"].as_str().unwrap())
        .collect();
    assert_eq!(titles, ["Say 'hi' there", "'Quoted'", "Plain"]);
}

#[test]
fn defect_10_a_newline_in_a_chapter_url_or_title_never_breaks_a_line_format() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    // A newline in a URL: the URL fails the gate, nothing is written.
    let json = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"A","url":"https://a.example/\n00:00:05.000 Injected"},{"startTime":20,"title":"B"}]}"#;
    std::fs::write(d.join("url.json"), json).unwrap();
    let out = run(d, &["chapters", "url.json", "--to", "mp4chaps"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("link-unsafe-scheme"),
        "{}",
        stderr(&out)
    );
    assert!(out.stdout.is_empty(), "{}", stdout(&out));
    // Control characters in titles: each line-based format keeps one
    // chapter a line, and reads back the same chapters.
    let json = r#"{"version":"1.2.0","chapters":[{"startTime":0,"title":"A\nB\r\nC\u0000D\u001b[31mE\u2028F"},{"startTime":20,"title":"Two\r00:00:30.000 Injected"},{"startTime":40,"title":"Three","endTime":60}]}"#;
    std::fs::write(d.join("t.json"), json).unwrap();
    for to in [
        "mp4chaps",
        "ffmetadata",
        "audacity",
        "audition",
        "cue",
        "vtt",
        "youtube",
        "spotify",
        "notes",
        "psc",
        "json",
    ] {
        let file = format!("t.{to}.out");
        let out = run(d, &["chapters", "t.json", "--to", to, "-o", &file]);
        assert_eq!(out.status.code(), Some(0), "{to}: {}", stderr(&out));
        let text = std::fs::read_to_string(d.join(&file)).unwrap();
        assert!(
            !text
                .chars()
                .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{2028}'),
            "{to}: {text:?}"
        );
        assert!(text.contains("A B C D [31mE F"), "{to}: {text}");
        let back = run(d, &["chapters", &file, "--from", to, "--to", "json"]);
        assert_eq!(back.status.code(), Some(0), "{to}: {}", stderr(&back));
        let v: serde_json::Value = serde_json::from_slice(&back.stdout).unwrap();
        let titles: Vec<&str> = v["chapters"]
            .as_array()
            .unwrap()
            .iter()
            .map(|c| c["title"].as_str().unwrap())
            .collect();
        assert_eq!(
            titles,
            ["A B C D [31mE F", "Two 00:00:30.000 Injected", "Three"],
            "{to}: {text}"
        );
    }
}

#[test]
fn defect_10_control_characters_never_reach_github_annotations_or_the_terminal() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let notes = "Summary.\n\nChapters\n00:00 Intro\n00:20 Dup \u{1b}]0;pwned\u{7} 100%\n00:40 Dup \u{1b}]0;pwned\u{7} 100%\n";
    std::fs::write(d.join("a,b:c.md"), notes).unwrap();
    let out = run(d, &["check", "--format", "github", "a,b:c.md"]);
    let text = stdout(&out);
    assert!(
        text.contains("::warning file=a%2Cb%3Ac.md,line=6,col=7,title=chapter-duplicate-title::"),
        "{text}"
    );
    assert!(text.contains("\u{241b}]0;pwned\u{2407} 100%25"), "{text}");
    for line in text.lines() {
        assert!(line.starts_with("::"), "{text}");
        assert!(!line.chars().any(|c| c.is_control()), "{line:?}");
    }
    let out = run(d, &["check", "a,b:c.md"]);
    let err = stderr(&out);
    assert!(err.contains("\u{241b}]0;pwned\u{2407}"), "{err}");
    assert!(!err.chars().any(|c| c.is_control() && c != '\n'), "{err:?}");
}

#[test]
fn defect_10_bidi_and_zero_width_characters_are_warned_about_and_removed() {
    let dir = show();
    let d = dir.path();
    let notes = "+++\naudio = \"ep.mp3\"\ntitle = \"Ep\u{200B}isode\"\ndate = 2025-01-01\n+++\nSummary with \u{202E}evil\u{202C} text.\n\nLearn more:\nhttps://a.example/\u{200B} \u{2014} A \u{2066}site\u{2069}\n";
    std::fs::write(d.join("ep.md"), notes).unwrap();
    let out = run(d, &["check", "ep.md"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(err.contains("warning[text-invisible-char]"), "{err}");
    assert!(err.contains("ep.md:3:12"), "the title's ZWSP: {err}");
    assert!(err.contains("ep.md:6:14"), "the RLO: {err}");
    assert!(err.contains("ep.md:9:19"), "the link's ZWSP: {err}");
    assert!(err.contains("<U+202E>"), "{err}");
    assert!(!err.contains('\u{202E}'), "{err}");
    let out = run(d, &["build", "ep.md", "--out", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let invisible = |c: char| matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}');
    let written = files(&d.join("out"));
    // No chapters, so no chapters file.
    assert_eq!(written.len(), 5, "four platforms and the build list");
    for (path, bytes) in written {
        let body = String::from_utf8(bytes).unwrap();
        assert!(!body.chars().any(invisible), "{}: {body:?}", path.display());
        if path.ends_with("rss-item.xml") {
            assert!(body.contains("<title>Episode</title>"), "{body}");
            assert!(
                body.contains(r#"<a href="https://a.example/">A site</a>"#),
                "{body}"
            );
        }
    }
    let out = run(d, &["context", "ep.md"]);
    assert!(!stdout(&out).chars().any(invisible));
}
