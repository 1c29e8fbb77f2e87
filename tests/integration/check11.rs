//! `check` and `build` as one pipeline, and `check` as a CI linter: the
//! same 40 notes files through both (a green `check` means a `build` that
//! writes, with the same findings), `--fix` on the flattened seed
//! episodes, SARIF read back with serde-sarif's typed model, `[rules]`
//! and `[check] exclude`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde_json::Value;

use crate::support::{code, fixture, json, root, run, stderr, stdout};

const CHAPTERS: &str = "\nChapters\n00:00 Intro\n01:00 Middle\n02:00 Outro\n";

/// A summary of about `bytes` bytes, in sentences.
fn summary(bytes: usize) -> String {
    let s = "A conversation about QUIC, HTTP/3 and the people who build them. ";
    s.repeat(bytes / s.len() + 1)[..bytes]
        .trim_end()
        .to_string()
}

/// The 40 notes files: `(file name, bytes)`, written into one folder.
/// The seed episodes (as written, flattened, and as first published),
/// the bad-input corpus, over-long summaries and link lists, and
/// forbidden characters.
fn corpus() -> Vec<(String, Vec<u8>)> {
    let mut files: Vec<(String, Vec<u8>)> = Vec::new();
    for n in [11, 12, 13, 14, 17] {
        for ext in ["md", "flat.txt"] {
            let name = format!("episode-{n}.{ext}");
            let bytes = std::fs::read(fixture(&format!("netstack/{name}"))).unwrap();
            files.push((name, bytes));
        }
        let name = format!("netstack-ep{n}.txt");
        let bytes = std::fs::read(root().join("tests/data/chapters").join(&name)).unwrap();
        files.push((name, bytes));
    }
    let text = |name: &str, t: String| (name.to_string(), t.into_bytes());
    // The bad-input corpus.
    files.push(("empty.md".into(), Vec::new()));
    files.push((
        "not-utf8.md".into(),
        b"Summary\n\nChapters\n00:00 Intro\n\xff 01:00 Bad\n".to_vec(),
    ));
    files.push(text(
        "front-matter-bad.md",
        format!("+++\ntitle = \n+++\nSummary.\n{CHAPTERS}"),
    ));
    files.push(text(
        "front-matter-typo.md",
        format!("+++\nepisdoe = 3\n+++\nSummary.\n{CHAPTERS}"),
    ));
    files.push(text(
        "bad-stamp.md",
        "Summary.\n\nChapters\n00:00 Intro\n00:75 Bad\n02:00 Outro\n".into(),
    ));
    files.push(text(
        "out-of-order.md",
        "Summary.\n\nChapters\n00:00 Intro\n02:00 Outro\n01:00 Middle\n".into(),
    ));
    files.push(text(
        "duplicate-start.md",
        "Summary.\n\nChapters\n00:00 Intro\n01:00 A\n01:00 B\n".into(),
    ));
    files.push(text(
        "first-not-zero.md",
        "Summary.\n\nChapters\n00:05 Intro\n01:00 Middle\n02:00 Outro\n".into(),
    ));
    files.push(text(
        "too-few.md",
        "Summary.\n\nChapters\n00:00 Intro\n01:00 Outro\n".into(),
    ));
    files.push(text(
        "too-short.md",
        "Summary.\n\nChapters\n00:00 Intro\n00:05 Blink\n01:00 Outro\n".into(),
    ));
    files.push(text(
        "title-long.md",
        format!(
            "Summary.\n\nChapters\n00:00 Intro\n01:00 {}\n02:00 Intro\n",
            "A very long title ".repeat(6)
        ),
    ));
    files.push(text(
        "links-bad.md",
        format!("Summary: [click](javascript:alert(1)) and http://example.com/?utm_source=x&id=2, twice http://example.com/?utm_source=x&id=2.\n\nLearn more:\n- https://example.com/a\n- https://example.com/a\n{CHAPTERS}"),
    ));
    files.push(text(
        "invisible.md",
        format!("Summary with a zero\u{200B}width space.\n{CHAPTERS}"),
    ));
    files.push(text("no-chapters.md", "Just a summary.\n".into()));
    files.push(text(
        "audio-missing.md",
        format!("+++\naudio = \"gone.mp3\"\n+++\nSummary.\n{CHAPTERS}"),
    ));
    // Over-long: a 4.6 KB summary passes YouTube's 5,000 bytes but not
    // Spotify's or Apple's 4,000; larger ones fail all three.
    for (name, n) in [
        ("long-3900.md", 3_800),
        ("long-4600.md", 4_600),
        ("long-6000.md", 6_000),
        ("long-20000.md", 20_000),
    ] {
        files.push(text(name, format!("{}\n{CHAPTERS}", summary(n))));
    }
    let links: String = (0..120)
        .map(|i| format!("- https://example.com/resources/{i} — Resource number {i}\n"))
        .collect();
    files.push(text(
        "long-links.md",
        format!("Summary.\n\nLearn more:\n{links}{CHAPTERS}"),
    ));
    // Forbidden characters: `<` `>` in the summary, a chapter title, a
    // link description, many of them, and an autolink (which is not one).
    files.push(text(
        "angle-summary.md",
        format!("Summary about Vec<u8> and Option<T>.\n{CHAPTERS}"),
    ));
    files.push(text(
        "angle-title.md",
        "Summary.\n\nChapters\n00:00 Intro\n01:00 Box<dyn Error>\n02:00 Outro\n".into(),
    ));
    files.push(text(
        "angle-link.md",
        format!("Summary.\n\nLearn more:\n- https://example.com/ — the <best> page\n{CHAPTERS}"),
    ));
    files.push(text(
        "angle-many.md",
        format!(
            "{}\n\nChapters\n00:00 <Intro>\n01:00 A -> B\n02:00 Outro\n",
            "a < b > c ".repeat(3)
        ),
    ));
    files.push(text(
        "angle-autolink.md",
        format!("Summary, see <https://example.com/>.\n{CHAPTERS}"),
    ));
    files
}

/// `code[platform]` of each finding in `check --format json`, counted.
fn check_codes(v: &Value) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for d in v["files"][0]["diagnostics"].as_array().unwrap() {
        let key = match d["platform"].as_str() {
            Some(p) => format!("{}[{p}]", d["code"].as_str().unwrap()),
            None => d["code"].as_str().unwrap().to_string(),
        };
        *out.entry(key).or_default() += 1;
    }
    out
}

/// The same, read from `build`'s rustc-style report: `error[CODE]: ...
/// (platform)`.
fn build_codes(err: &str) -> BTreeMap<String, usize> {
    let mut out = BTreeMap::new();
    for line in err.lines() {
        let Some(rest) = line
            .strip_prefix("error[")
            .or_else(|| line.strip_prefix("warning["))
        else {
            continue;
        };
        let (code, message) = rest.split_once("]: ").unwrap();
        let platform = ["spotify", "apple", "youtube", "rss"]
            .into_iter()
            .find(|p| message.ends_with(&format!(" ({p})")));
        let key = match platform {
            Some(p) => format!("{code}[{p}]"),
            None => code.to_string(),
        };
        *out.entry(key).or_default() += 1;
    }
    out
}

/// Runs every file through `check` and `build` in `dir` and asserts they
/// agree; returns how many `check` passed.
fn agree(dir: &Path, files: &[(String, Vec<u8>)]) -> usize {
    let mut clean = 0;
    for (name, _) in files {
        let c = run(dir, &["check", name, "--format", "json"]);
        let out = format!("out-{name}");
        let b = run(dir, &["build", name, "--out", &out]);
        let (cc, bc) = (code(&c), code(&b));
        let wrote = dir.join(&out).is_dir();
        assert_eq!(
            cc == 0,
            bc == 0 && wrote,
            "{name}: check {cc}, build {bc}: {}",
            stderr(&b)
        );
        assert_eq!(cc, bc, "{name}: {}\n{}", stdout(&c), stderr(&b));
        assert_eq!(
            check_codes(&json(&c)),
            build_codes(&stderr(&b)),
            "{name}: {}",
            stderr(&b)
        );
        clean += usize::from(cc == 0);
    }
    clean
}

#[test]
fn check_passes_exactly_when_build_writes_with_the_same_findings() {
    let files = corpus();
    assert_eq!(files.len(), 40);
    let dir = tempfile::tempdir().unwrap();
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    let clean = agree(dir.path(), &files);
    // Both outcomes are exercised.
    assert!((5..35).contains(&clean), "{clean} of 40 passed");
    // The case: 4.6 KB passes nothing but YouTube.
    let v = json(&run(
        dir.path(),
        &["check", "long-4600.md", "--format", "json"],
    ));
    let c = check_codes(&v);
    assert_eq!(c.get("description-too-long[spotify]"), Some(&1), "{c:?}");
    assert_eq!(c.get("description-too-long[apple]"), Some(&1), "{c:?}");
    assert_eq!(c.get("description-too-long[youtube]"), None, "{c:?}");
}

#[test]
fn the_rss_item_and_rules_agree_too() {
    // With audio and `media_base_url`, the RSS item is built and checked
    // by both; `[rules]` changes severities in both.
    let dir = tempfile::tempdir().unwrap();
    std::fs::copy(
        fixture("example/episode-17.mp3"),
        dir.path().join("episode-17.mp3"),
    )
    .unwrap();
    std::fs::write(
        dir.path().join("shownotes.toml"),
        "[show]\nmedia_base_url = \"https://media.example.com/\"\nepisode_url = \"https://example.com/#ep-{episode}\"\n[rules]\ndescription-too-long = \"warning\"\nchapter-title-too-long = \"error\"\nlink-insecure = \"off\"\n",
    )
    .unwrap();
    let mut files = vec![(
        "episode-17.md".to_string(),
        std::fs::read(fixture("example/episode-17.md")).unwrap(),
    )];
    let front = "+++\ntitle = \"Seventeen\"\nepisode = 17\ndate = \"2025-01-01\"\naudio = \"episode-17.mp3\"\n+++\n";
    for (name, body) in [
        ("rss-long.md", format!("{}\n{CHAPTERS}", summary(4_600))),
        (
            "rss-title.md",
            format!(
                "See http://example.com/.\n\nChapters\n00:00 Intro\n00:10 {}\n00:20 Outro\n",
                "Long ".repeat(20)
            ),
        ),
    ] {
        files.push((name.to_string(), format!("{front}{body}").into_bytes()));
    }
    for (name, bytes) in &files {
        std::fs::write(dir.path().join(name), bytes).unwrap();
    }
    agree(dir.path(), &files);
    let v = json(&run(
        dir.path(),
        &["check", "rss-long.md", "--format", "json"],
    ));
    let d = v["files"][0]["diagnostics"].as_array().unwrap();
    assert!(
        d.iter()
            .any(|d| d["code"] == "description-too-long" && d["severity"] == "warning"),
        "{v}"
    );
    let v = json(&run(
        dir.path(),
        &["check", "rss-title.md", "--format", "json"],
    ));
    let c = check_codes(&v);
    assert!(!c.contains_key("link-insecure"), "{c:?}");
    let d = v["files"][0]["diagnostics"].as_array().unwrap();
    assert!(
        d.iter()
            .any(|d| d["code"] == "chapter-title-too-long" && d["severity"] == "error"),
        "{v}"
    );
}

/// The chapters and links `shownotes` reads from `file` (positions left out).
fn structure(dir: &Path, file: &str) -> (Value, Vec<Value>) {
    let ch = json(&run(dir, &["chapters", file, "--to", "json"]));
    let mut links = json(&run(dir, &["links", file, "--format", "json"]));
    let links = links
        .as_array_mut()
        .unwrap()
        .iter_mut()
        .map(|l| {
            let o = l.as_object_mut().unwrap();
            o.remove("line");
            o.remove("column");
            Value::Object(o.clone())
        })
        .collect();
    (ch, links)
}

#[test]
fn fix_restores_the_line_breaks_of_the_flattened_seed_episodes() {
    let dir = tempfile::tempdir().unwrap();
    let names: Vec<String> = [11, 12, 13, 14, 17]
        .iter()
        .map(|n| format!("episode-{n}.flat.txt"))
        .collect();
    let mut before = Vec::new();
    for n in &names {
        std::fs::copy(fixture(&format!("netstack/{n}")), dir.path().join(n)).unwrap();
        before.push(structure(dir.path(), n));
    }
    // `--diff` shows the fix and writes nothing.
    let d = run(dir.path(), &["check", "--diff", "."]);
    let diff = stdout(&d);
    for n in &names {
        assert!(
            diff.contains(&format!("--- a/./{n}\n+++ b/./{n}\n")),
            "{diff}"
        );
        assert_eq!(
            std::fs::read(dir.path().join(n)).unwrap(),
            std::fs::read(fixture(&format!("netstack/{n}"))).unwrap()
        );
    }
    let f = run(dir.path(), &["check", "--fix", "."]);
    assert_eq!(code(&f), 0, "{}", stderr(&f));
    let after = json(&run(dir.path(), &["check", ".", "--format", "json"]));
    assert_eq!(after["files"].as_array().unwrap().len(), 5);
    for file in after["files"].as_array().unwrap() {
        let codes: Vec<&Value> = file["diagnostics"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| &d["code"])
            .collect();
        assert!(!codes.contains(&&Value::from("notes-flattened")), "{file}");
    }
    for (n, b) in names.iter().zip(&before) {
        assert_eq!(&structure(dir.path(), n), b, "{n}");
        let text = std::fs::read_to_string(dir.path().join(n)).unwrap();
        assert!(text.lines().count() > 20, "{n}: {text}");
    }
    // A second `--fix` changes nothing.
    let snapshot: Vec<Vec<u8>> = names
        .iter()
        .map(|n| std::fs::read(dir.path().join(n)).unwrap())
        .collect();
    let again = run(dir.path(), &["check", "--fix", "."]);
    assert!(!stderr(&again).contains("fixed `"), "{}", stderr(&again));
    for (n, s) in names.iter().zip(&snapshot) {
        assert_eq!(&std::fs::read(dir.path().join(n)).unwrap(), s, "{n}");
    }
}

#[test]
fn the_fixes_are_in_the_json_and_fix_writes_them() {
    let dir = tempfile::tempdir().unwrap();
    let text = "Summary: https://example.com/a?utm_source=pod&id=1 — see it.\n\nChapters\n0:00 Intro\n2:00 Outro\n1:00 Middle\n";
    std::fs::write(dir.path().join("ep.md"), text).unwrap();
    let v = json(&run(dir.path(), &["check", "ep.md", "--format", "json"]));
    let d = &v["files"][0]["diagnostics"];
    let tracking = d
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "link-tracking")
        .unwrap();
    assert_eq!(
        tracking["fix"],
        serde_json::json!({"replacement": "https://example.com/a?id=1", "line": 1, "column": 10, "end_line": 1, "end_column": 51})
    );
    let order = d
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "chapter-out-of-order")
        .unwrap();
    assert_eq!(order["fix"]["line"], 4);
    assert_eq!(order["fix"]["end_line"], 6);
    assert_eq!(code(&run(dir.path(), &["check", "--fix", "ep.md"])), 0);
    assert_eq!(
        std::fs::read_to_string(dir.path().join("ep.md")).unwrap(),
        "Summary: https://example.com/a?id=1 — see it.\n\nChapters\n00:00 Intro\n01:00 Middle\n02:00 Outro\n"
    );
    // Stdin can be shown a diff, not rewritten.
    let out = run(dir.path(), &["check", "--fix", "-"]);
    assert_eq!(code(&out), 2);
    assert!(stderr(&out).contains("use `--diff`"), "{}", stderr(&out));
}

#[test]
fn sarif_reads_back_with_rule_ids_levels_and_regions() {
    use serde_sarif::sarif;
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("eps")).unwrap();
    std::fs::write(
        dir.path().join("eps/ep 1.md"),
        "Summary http://example.com/.\n\nChapters\n00:00 Intro\n00:75 Bad\n02:00 Outro\n",
    )
    .unwrap();
    let out = run(
        dir.path(),
        &["check", "eps", "missing.md", "--format", "sarif"],
    );
    assert_eq!(code(&out), 2);
    let doc: sarif::Sarif = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(doc.version, serde_json::json!("2.1.0"));
    let run0 = &doc.runs[0];
    let rules = run0.tool.driver.rules.as_ref().unwrap();
    let ids: Vec<&str> = rules.iter().map(|r| r.id.as_str()).collect();
    assert!(ids.contains(&"link-insecure") && ids.contains(&"chapter-bad-timestamp"));
    let results = run0.results.as_ref().unwrap();
    let find = |id: &str| {
        results
            .iter()
            .find(|r| r.rule_id.as_deref() == Some(id))
            .unwrap_or_else(|| panic!("{id}"))
    };
    let bad = find("chapter-bad-timestamp");
    assert!(matches!(bad.level, Some(sarif::ResultLevel::Error)));
    assert_eq!(
        rules[bad.rule_index.unwrap() as usize].id,
        "chapter-bad-timestamp"
    );
    let loc = bad.locations.as_ref().unwrap()[0]
        .physical_location
        .as_ref()
        .unwrap();
    assert_eq!(
        loc.artifact_location.as_ref().unwrap().uri.as_deref(),
        Some("eps/ep%201.md")
    );
    let r = loc.region.as_ref().unwrap();
    assert_eq!((r.start_line, r.start_column), (Some(5), Some(1)));
    assert_eq!((r.end_line, r.end_column), (Some(5), Some(6)));
    assert!(matches!(
        find("link-insecure").level,
        Some(sarif::ResultLevel::Warning)
    ));
    let inv = &run0.invocations.as_ref().unwrap()[0];
    assert!(!inv.execution_successful);
    let notes = inv.tool_execution_notifications.as_ref().unwrap();
    assert_eq!(notes.len(), 1);
    assert!(notes[0]
        .message
        .text
        .as_deref()
        .unwrap()
        .contains("`missing.md` does not exist"));
}

#[test]
fn a_folder_walk_honours_gitignore_and_excludes_and_rules_name_codes() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path();
    for d in ["eps", "eps/drafts", "build", "notes"] {
        std::fs::create_dir_all(p.join(d)).unwrap();
    }
    let notes = format!("Summary.\n{CHAPTERS}");
    for f in [
        "eps/ep1.md",
        "eps/drafts/d.md",
        "build/gen.md",
        "notes/keep.txt",
        "notes/skip.txt",
    ] {
        std::fs::write(p.join(f), &notes).unwrap();
    }
    std::fs::write(p.join(".gitignore"), "build/\n").unwrap();
    std::fs::write(p.join("notes/.gitignore"), "skip.txt\n").unwrap();
    std::fs::write(
        p.join("shownotes.toml"),
        "[check]\nexclude = [\"drafts/\"]\n",
    )
    .unwrap();
    let v = json(&run(p, &["check", ".", "--format", "json"]));
    let mut paths: Vec<PathBuf> = v["files"]
        .as_array()
        .unwrap()
        .iter()
        .map(|f| PathBuf::from(f["path"].as_str().unwrap()))
        .collect();
    paths.sort();
    assert_eq!(
        paths,
        [
            PathBuf::from("./eps/ep1.md"),
            PathBuf::from("./notes/keep.txt")
        ]
    );
    // A file named on the command line is checked whatever the excludes.
    let v = json(&run(p, &["check", "build/gen.md", "--format", "json"]));
    assert_eq!(v["files"].as_array().unwrap().len(), 1);
    // An unknown code in `[rules]` is a config error with a suggestion.
    std::fs::write(
        p.join("shownotes.toml"),
        "[rules]\nlink-insecure = \"off\"\nlink-insecur = \"error\"\n",
    )
    .unwrap();
    let out = run(p, &["check", "eps/ep1.md"]);
    assert_eq!(code(&out), 2);
    let err = stderr(&out);
    assert!(
        err.contains("unknown diagnostic code `link-insecur` in `[rules]`"),
        "{err}"
    );
    assert!(err.contains("shownotes.toml:3:1"), "{err}");
    assert!(err.contains("did you mean `link-insecure`?"), "{err}");
    std::fs::write(
        p.join("shownotes.toml"),
        "[rules]\nlink-insecure = \"loud\"\n",
    )
    .unwrap();
    let out = run(p, &["check", "eps/ep1.md"]);
    assert_eq!(code(&out), 2, "{}", stderr(&out));
    assert!(
        stderr(&out).contains("unknown variant `loud`"),
        "{}",
        stderr(&out)
    );
}

/// Python's sarif-tools (a second SARIF consumer) reads the same output:
/// each finding's rule, level and line. `.ci/run` installs it; elsewhere
/// the test says it was not run, unless `CI` is set, when it must run.
#[test]
fn sarif_tools_reads_the_sarif_too() {
    let tool = std::process::Command::new("sarif")
        .arg("--version")
        .output();
    if !tool.is_ok_and(|o| o.status.success()) {
        assert!(
            std::env::var_os("CI").is_none(),
            "sarif-tools is not installed (pip install sarif-tools)"
        );
        eprintln!("sarif-tools is not installed: not run");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        "Summary http://example.com/.\n\nChapters\n00:00 Intro\n00:75 Bad\n02:00 Outro\n",
    )
    .unwrap();
    let out = run(dir.path(), &["check", "ep.md", "--format", "sarif"]);
    std::fs::write(dir.path().join("out.sarif"), &out.stdout).unwrap();
    let conv = std::process::Command::new("sarif")
        .args(["codeclimate", "-o", "cc.json", "out.sarif"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(
        conv.status.success(),
        "{}",
        String::from_utf8_lossy(&conv.stderr)
    );
    let v: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("cc.json")).unwrap()).unwrap();
    let mut seen: Vec<(String, String, String, u64)> = v
        .as_array()
        .unwrap()
        .iter()
        .map(|i| {
            (
                i["check_name"].as_str().unwrap().to_string(),
                i["severity"].as_str().unwrap().to_string(),
                i["location"]["path"].as_str().unwrap().to_string(),
                i["location"]["lines"]["begin"].as_u64().unwrap(),
            )
        })
        .collect();
    seen.sort();
    let row = |c: &str, s: &str, l| (c.to_string(), s.to_string(), "ep.md".to_string(), l);
    assert_eq!(
        seen,
        [
            row("chapter-bad-timestamp", "major", 5),
            // The bad stamp leaves two chapters.
            row("chapter-too-few", "major", 4),
            row("link-insecure", "minor", 1)
        ]
    );
}
