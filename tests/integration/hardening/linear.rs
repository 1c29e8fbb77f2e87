//! Hardening: linear time (issue 8, defect 4). Each input family that took
//! quadratic time (`http:// ` repeated on one line: 200 KB in 11.7 s;
//! `data:` repeated; valid URLs on one line; 32k front matter keys; `build`
//! on 64k lines each with a link) is run here at a few hundred KB through
//! the binary, and what comes back is checked to be complete and in the
//! right place. No timing is asserted: `bench/scaling.sh` prints the time
//! per MB of each family at 1 to 8 MB.
use super::*;

use serde_json::Value;

/// A chapter list, so that the notes are otherwise clean.
const CHAPTERS: &str = "\nChapters\n00:00 Intro\n00:30 Middle\n01:00 End\n";

/// Writes `text` to `notes.md` in a new folder.
fn notes(text: &str) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("notes.md"), text).unwrap();
    dir
}

/// `shownotes links notes.md --format json`: the links, as JSON.
fn links(dir: &Path) -> Vec<Value> {
    let out = run(dir, &["links", "notes.md", "--format", "json"]);
    let v: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    v.as_array().unwrap().clone()
}

/// `shownotes check notes.md --format json`: the findings, as JSON.
fn findings(dir: &Path) -> Vec<Value> {
    let out = run(dir, &["check", "notes.md", "--format", "json"]);
    let v: Value =
        serde_json::from_str(&stdout(&out)).unwrap_or_else(|e| panic!("{e}: {}", stderr(&out)));
    v["files"][0]["diagnostics"].as_array().unwrap().clone()
}

fn codes(findings: &[Value]) -> Vec<&str> {
    findings
        .iter()
        .map(|d| d["code"].as_str().unwrap())
        .collect()
}

fn at(v: &Value) -> (u64, u64) {
    (v["line"].as_u64().unwrap(), v["column"].as_u64().unwrap())
}

/// One line of 300 KB of `http:// ` (no host: not a link, so no finding),
/// then a real link on that line and one on the next: both found, where
/// they are written. Each `http` once re-ran the finder to the line's end.
#[test]
fn defect_4_http_space_line_is_no_link_and_hides_none() {
    let n = 40_000;
    let line = format!("See {}https://example.com/end\n", "http:// ".repeat(n));
    let dir = notes(&format!(
        "Summary.\n{line}More: https://example.com/next\n{CHAPTERS}"
    ));
    let found = links(dir.path());
    let urls: Vec<&str> = found.iter().map(|l| l["url"].as_str().unwrap()).collect();
    assert_eq!(
        urls,
        ["https://example.com/end", "https://example.com/next"]
    );
    assert_eq!(at(&found[0]), (2, 5 + 8 * n as u64));
    assert_eq!(at(&found[1]), (3, 7));
    // 300 KB is over every platform's limit; nothing else is found.
    assert_eq!(
        codes(&findings(dir.path())),
        [
            "description-too-long",
            "description-too-long",
            "description-too-long"
        ]
    );
}

/// One line of 300 KB of `data:` runs to the first blank as one unsafe
/// link: exactly one `link-unsafe-scheme`, at its start, and the link after
/// it is still found. Each `:` once scanned to the end of the run again.
#[test]
fn defect_4_data_colons_are_one_unsafe_link() {
    let n = 60_000;
    let text = format!(
        "Summary.\nSee {} then https://example.com/after\n{CHAPTERS}",
        "data:".repeat(n)
    );
    let dir = notes(&text);
    let f = findings(dir.path());
    // Over every platform's limit (no place), then the one unsafe link.
    assert_eq!(
        codes(&f),
        [
            "description-too-long",
            "description-too-long",
            "description-too-long",
            "link-unsafe-scheme"
        ],
        "{f:?}"
    );
    assert_eq!(at(&f[3]), (2, 5));
    let found = links(dir.path());
    assert_eq!(found.len(), 1, "{found:?}");
    assert_eq!(found[0]["url"], "https://example.com/after");
    assert_eq!(at(&found[0]), (2, 5 + 5 * n as u64 + 6));
}

/// 12,000 valid URLs on one line (300 KB): every one found, in order, at
/// its column. Each `http` once checked coverage against every link found.
#[test]
fn defect_4_urls_on_one_line_are_all_found() {
    let n = 12_000;
    let mut line = String::from("See");
    let mut columns = Vec::new();
    for i in 0..n {
        line.push(' ');
        columns.push(line.len() as u64 + 1);
        line.push_str(&format!("https://example.com/p/{i}"));
    }
    let dir = notes(&format!("Summary.\n{line}\n{CHAPTERS}"));
    let found = links(dir.path());
    assert_eq!(found.len(), n);
    for (i, l) in found.iter().enumerate() {
        assert_eq!(l["url"], format!("https://example.com/p/{i}"));
        assert_eq!(at(l), (2, columns[i]));
    }
    // 300 KB is over every platform's limit; nothing else is found.
    assert_eq!(
        codes(&findings(dir.path())),
        [
            "description-too-long",
            "description-too-long",
            "description-too-long"
        ]
    );
}

/// URLs glued after a digit (`HTTP/3https://`), which linkify misses and
/// the finder looks for again, 8,000 on one line: every one found. A word
/// of glued misses (`1http://_2http://_...`, 300 KB without a blank) finds
/// no link and reports no link finding.
#[test]
fn defect_4_glued_urls_are_all_found() {
    let n = 8_000;
    let line: String = (0..n)
        .map(|i| format!("HTTP/3https://example.com/g/{i} "))
        .collect();
    let dir = notes(&format!("Summary.\n{line}\n{CHAPTERS}"));
    let found = links(dir.path());
    assert_eq!(found.len(), n);
    for (i, l) in found.iter().enumerate() {
        assert_eq!(l["url"], format!("https://example.com/g/{i}"));
    }
    let word: String = (0..40_000).map(|i| format!("{}http://_", i % 10)).collect();
    let dir = notes(&format!("Summary.\n{word}\n{CHAPTERS}"));
    assert_eq!(links(dir.path()), Vec::<Value>::new());
    // (Glued `http://` is what a line of lost line breaks looks like.)
    assert_eq!(
        codes(&findings(dir.path())),
        [
            "description-too-long",
            "description-too-long",
            "description-too-long",
            "notes-flattened"
        ]
    );
}

/// 20,000 front matter keys shownotes does not own (a static site's),
/// TOML and YAML: no finding, every one kept as `extra`; and 20,000 unknown
/// codes in `shownotes.disable`, one per line: one finding each, each on
/// its own line. Each key's line was once searched from the top.
#[test]
fn defect_4_many_front_matter_keys_each_point_at_their_line() {
    let n = 20_000;
    for (open, sep) in [("+++", " = "), ("---", ": ")] {
        let keys: String = (0..n).map(|i| format!("key{i}{sep}{i}\n")).collect();
        let dir = notes(&format!("{open}\n{keys}{open}\nSummary.\n{CHAPTERS}"));
        assert_eq!(codes(&findings(dir.path())), Vec::<&str>::new(), "{open}");
        let out = run(dir.path(), &["context", "notes.md"]);
        let v: Value = serde_json::from_slice(&out.stdout).unwrap();
        let extra = v["extra"].as_object().unwrap();
        assert_eq!(extra.len(), n, "{open}");
        assert_eq!(extra[&format!("key{}", n - 1)], n - 1);
    }
    for (open, head, item) in [
        ("+++", "[shownotes]\ndisable = [\n", "  \"code{i}\",\n"),
        ("---", "shownotes:\n  disable:\n", "    - code{i}\n"),
    ] {
        let head_lines = head.lines().count();
        let items: String = (0..n)
            .map(|i| item.replace("{i}", &i.to_string()))
            .collect();
        let close = if open == "+++" { "]\n" } else { "" };
        let dir = notes(&format!(
            "{open}\n{head}{items}{close}{open}\nSummary.\n{CHAPTERS}"
        ));
        let f = findings(dir.path());
        assert_eq!(f.len(), n, "{open}");
        // Sorted by place: code `i` is on line `i + 2 + head_lines`.
        for (i, d) in f.iter().enumerate() {
            assert_eq!(d["code"], "front-matter-invalid");
            assert_eq!(
                d["message"],
                format!("`shownotes.disable` names `code{i}`, which is not a diagnostic code"),
                "{open}"
            );
            assert_eq!(at(d).0, (i + 2 + head_lines) as u64, "{open}");
        }
    }
}

/// 10,000 lines with a link each, and as many Markdown links on one line:
/// `check` and `links` find all, and `build` renders every one into the
/// description (one `<a href>` per link). Rendering once filtered every
/// link of the notes for each line.
#[test]
fn defect_4_many_lines_with_links_check_and_build() {
    let n = 10_000;
    let lines: String = (0..n)
        .map(|i| format!("Line {i} points to https://example.com/p/{i} for more.\n"))
        .collect();
    let markdown: String = (0..n)
        .map(|i| format!("[link {i}](https://example.com/m/{i}) "))
        .collect();
    let dir = notes(&format!("Summary.\n\n{lines}\n{markdown}\n{CHAPTERS}"));
    std::fs::write(
        dir.path().join("shownotes.toml"),
        "[platforms.spotify]\nmax_bytes = 10000000\n",
    )
    .unwrap();
    // Only Spotify's limit is raised: Apple's and YouTube's are exceeded.
    let f = findings(dir.path());
    assert_eq!(codes(&f), ["description-too-long", "description-too-long"]);
    assert_eq!(
        (&f[0]["platform"], &f[1]["platform"]),
        (&"apple".into(), &"youtube".into())
    );
    let found = links(dir.path());
    assert_eq!(found.len(), 2 * n);
    for (i, l) in found[..n].iter().enumerate() {
        assert_eq!(l["url"], format!("https://example.com/p/{i}"));
        let column = format!("Line {i} points to ").len() as u64 + 1;
        assert_eq!(at(l), (i as u64 + 3, column));
    }
    for (i, l) in found[n..].iter().enumerate() {
        assert_eq!(l["url"], format!("https://example.com/m/{i}"));
        assert_eq!(l["text"], format!("link {i}"));
    }
    let out = run(
        dir.path(),
        &[
            "build",
            "notes.md",
            "--config",
            "shownotes.toml",
            "--platform",
            "spotify",
            "--out",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = stdout(&out);
    assert_eq!(html.matches("<a href=").count(), 2 * n);
    for i in [0, n / 2, n - 1] {
        assert!(html.contains(&format!("<a href=\"https://example.com/p/{i}\">")));
        assert!(html.contains(&format!(
            "<a href=\"https://example.com/m/{i}\">link {i}</a>"
        )));
    }
}

/// 5,000 link lists of one item each (`build` once walked every link for
/// each list): every item is rendered under its own list.
#[test]
fn defect_4_many_link_lists_build() {
    let n = 5_000;
    let lists: String = (0..n)
        .map(|i| format!("Links:\nhttps://example.com/l/{i} — item {i}\n\n"))
        .collect();
    let dir = notes(&format!("Summary.\n\n{lists}{CHAPTERS}"));
    std::fs::write(
        dir.path().join("shownotes.toml"),
        "[platforms.spotify]\nmax_bytes = 10000000\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &[
            "build",
            "notes.md",
            "--config",
            "shownotes.toml",
            "--platform",
            "spotify",
            "--out",
            "-",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let html = stdout(&out);
    let hrefs: Vec<&str> = html
        .match_indices("<a href=\"")
        .map(|(i, m)| {
            let rest = &html[i + m.len()..];
            &rest[..rest.find('"').unwrap()]
        })
        .collect();
    let want: Vec<String> = (0..n)
        .map(|i| format!("https://example.com/l/{i}"))
        .collect();
    assert_eq!(hrefs, want);
}
