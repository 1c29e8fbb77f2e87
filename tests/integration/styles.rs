//! The real-world style corpus: every notes file in `fixtures/styles/`
//! follows the structure of a public podcast's notes (the folder's README
//! names the show), and `NAME.expected.json` beside it says what the text
//! means: its chapters (start, title, url) and its links (normalized URL,
//! kind), in order of appearance.
//!
//! The corpus test runs the real binary on each file, `chapters FILE --from
//! notes --to json` and `links FILE --format json`, prints one row per file
//! and the totals, and only then asserts the targets: every chapter exact,
//! no false chapter, every link found with the right kind, no false link
//! (markup URLs such as `<img src>` included), no reading error.

use std::fmt::Write as _;
use std::path::{Path, PathBuf};

use serde_json::Value;
use shownotes::links;

use crate::support;

/// Characters that never belong in a title or a URL.
const INVISIBLE: &[char] = &['\u{2060}', '\u{200B}', '\u{FEFF}', '\u{00AD}'];

/// One chapter: its start in milliseconds, title and url.
#[derive(Clone, Debug, PartialEq)]
struct Chapter {
    start_ms: u64,
    title: String,
    url: Option<String>,
}

/// One link: normalized URL and kind (`learn-more` or `text`).
#[derive(Clone, Debug, PartialEq)]
struct Link {
    url: String,
    kind: String,
}

/// What a notes file means, or what the binary read from it.
#[derive(Clone, Debug, Default, PartialEq)]
struct Reading {
    chapters: Vec<Chapter>,
    links: Vec<Link>,
}

/// `M:SS`, `MM:SS`, `H:MM:SS`, `HH:MM:SS`, optional `.mmm`, in milliseconds.
fn stamp_ms(s: &str) -> Option<u64> {
    let (clock, frac) = match s.split_once('.') {
        Some((c, f)) if (1..=3).contains(&f.len()) && f.bytes().all(|b| b.is_ascii_digit()) => {
            (c, format!("{f:0<3}").parse::<u64>().ok()?)
        }
        Some(_) => return None,
        None => (s, 0),
    };
    let fields: Vec<&str> = clock.split(':').collect();
    if !(2..=3).contains(&fields.len())
        || fields
            .iter()
            .any(|f| f.is_empty() || f.len() > 2 || !f.bytes().all(|b| b.is_ascii_digit()))
    {
        return None;
    }
    let n: Vec<u64> = fields.iter().map(|f| f.parse().unwrap()).collect();
    if n[1..].iter().any(|&v| v >= 60) || fields[1..].iter().any(|f| f.len() != 2) {
        return None;
    }
    let secs = n.iter().fold(0, |acc, v| acc * 60 + v);
    Some(secs * 1000 + frac)
}

fn show_ms(ms: u64) -> String {
    let s = ms / 1000;
    let mut out = format!("{}:{:02}:{:02}", s / 3600, s / 60 % 60, s % 60);
    if ms % 1000 != 0 {
        let _ = write!(out, ".{:03}", ms % 1000);
    }
    out
}

/// Reads and checks an expected file: exactly the keys `chapters` and
/// `links`; stamps valid and strictly increasing, no single chapter (a
/// chapter list has at least two); titles trimmed, non-empty, without
/// invisible characters, surrounding separators, bold markers or brackets;
/// URLs already normalized; kinds `learn-more` or `text`.
fn parse_expected(text: &str) -> Result<Reading, String> {
    let v: Value = serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let obj = v.as_object().ok_or("not an object")?;
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort_unstable();
    if keys != ["chapters", "links"] {
        return Err(format!("keys must be `chapters` and `links`, not {keys:?}"));
    }
    let mut chapters = Vec::new();
    for (i, c) in obj["chapters"]
        .as_array()
        .ok_or("`chapters` is not an array")?
        .iter()
        .enumerate()
    {
        let c = c
            .as_object()
            .ok_or(format!("chapter {i} is not an object"))?;
        let mut ck: Vec<&str> = c.keys().map(String::as_str).collect();
        ck.sort_unstable();
        if ck != ["start", "title", "url"] {
            return Err(format!(
                "chapter {i}: keys must be start, title, url: {ck:?}"
            ));
        }
        let start = c["start"].as_str().ok_or(format!("chapter {i}: start"))?;
        let start_ms = stamp_ms(start).ok_or(format!("chapter {i}: bad stamp `{start}`"))?;
        let title = c["title"].as_str().ok_or(format!("chapter {i}: title"))?;
        check_title(title).map_err(|e| format!("chapter {i}: title `{title}` {e}"))?;
        let url = match &c["url"] {
            Value::Null => None,
            Value::String(u) => {
                check_url(u).map_err(|e| format!("chapter {i}: url `{u}` {e}"))?;
                Some(u.clone())
            }
            _ => return Err(format!("chapter {i}: url is neither null nor a string")),
        };
        if let Some(prev) = chapters.last().map(|c: &Chapter| c.start_ms) {
            if start_ms <= prev {
                return Err(format!("chapter {i}: `{start}` does not increase"));
            }
        }
        chapters.push(Chapter {
            start_ms,
            title: title.to_string(),
            url,
        });
    }
    if chapters.len() == 1 {
        return Err("a chapter list has at least two chapters".into());
    }
    let mut links = Vec::new();
    for (i, l) in obj["links"]
        .as_array()
        .ok_or("`links` is not an array")?
        .iter()
        .enumerate()
    {
        let l = l.as_object().ok_or(format!("link {i} is not an object"))?;
        let mut lk: Vec<&str> = l.keys().map(String::as_str).collect();
        lk.sort_unstable();
        if lk != ["kind", "url"] {
            return Err(format!("link {i}: keys must be url, kind: {lk:?}"));
        }
        let url = l["url"].as_str().ok_or(format!("link {i}: url"))?;
        check_url(url).map_err(|e| format!("link {i}: `{url}` {e}"))?;
        let kind = l["kind"].as_str().ok_or(format!("link {i}: kind"))?;
        if kind != "learn-more" && kind != "text" {
            return Err(format!("link {i}: kind `{kind}` is not learn-more or text"));
        }
        links.push(Link {
            url: url.to_string(),
            kind: kind.to_string(),
        });
    }
    // Every chapter url is also a link of the notes.
    for c in &chapters {
        if let Some(u) = &c.url {
            if !links.iter().any(|l| &l.url == u) {
                return Err(format!("chapter url `{u}` is not among the links"));
            }
        }
    }
    Ok(Reading { chapters, links })
}

fn check_title(t: &str) -> Result<(), &'static str> {
    if t.is_empty() {
        return Err("is empty");
    }
    if t.trim() != t {
        return Err("is not trimmed");
    }
    if t.contains(INVISIBLE) {
        return Err("holds an invisible character");
    }
    if t.starts_with(['-', '–', '—', '|', ':', '*', '[', '(', '_'])
        || t.ends_with(['-', '–', '—', '|', ':', '*', ']', '_'])
    {
        return Err("keeps a separator, bold marker or bracket");
    }
    Ok(())
}

fn check_url(u: &str) -> Result<(), String> {
    if u.contains(INVISIBLE) || u.contains(char::is_whitespace) {
        return Err("holds whitespace or an invisible character".into());
    }
    if !(u.starts_with("https://") || u.starts_with("http://") || u.starts_with("mailto:")) {
        return Err("is not http(s) or mailto".into());
    }
    match links::normalize(u, &links::Rules::default()) {
        Ok(n) if n.url == u => Ok(()),
        Ok(n) => Err(format!("is not normalized (`{}`)", n.url)),
        Err(p) => Err(format!("does not pass: {p:?}")),
    }
}

/// What the binary read, or why it could not run.
struct Run {
    got: Reading,
    /// A command that failed without output it could be judged on.
    failure: Option<String>,
    /// Error diagnostics about reading the file (front matter, notes,
    /// invalid links): a static-site page is never an error.
    read_errors: Vec<String>,
}

fn read_errors(stderr: &str) -> Vec<String> {
    stderr
        .lines()
        .filter(|l| {
            ["error[front-matter-", "error[notes-", "error[link-"]
                .iter()
                .any(|p| l.starts_with(p))
        })
        .map(str::to_string)
        .collect()
}

fn run_binary(dir: &Path, file: &str) -> Run {
    let mut failure = None;
    let mut got = Reading::default();
    let out = support::run_guarded(dir, &["chapters", file, "--from", "notes", "--to", "json"]);
    let err = support::stderr(&out);
    let mut errors = read_errors(&err);
    match serde_json::from_slice::<Value>(&out.stdout) {
        // Chapter rules (first not at zero, too few) exit 1 with the JSON.
        Ok(v) if support::code(&out) <= 1 => {
            for c in v["chapters"].as_array().into_iter().flatten() {
                let secs = c["startTime"].as_f64().unwrap_or(-1.0);
                got.chapters.push(Chapter {
                    start_ms: (secs * 1000.0).round().max(0.0) as u64,
                    title: c["title"].as_str().unwrap_or_default().to_string(),
                    url: c["url"].as_str().map(str::to_string),
                });
            }
        }
        // No chapter list: exit 2, nothing on stdout.
        Err(_) if out.stdout.is_empty() && err.contains("no chapter") => {}
        // Chapters read but refused (out of order, duplicated): exit 1 and
        // nothing on stdout. What was read is in the template context.
        Err(_) if out.stdout.is_empty() && support::code(&out) == 1 => {
            let ctx = support::run_guarded(dir, &["context", file]);
            match serde_json::from_slice::<Value>(&ctx.stdout) {
                Ok(v) => {
                    for c in v["chapters"].as_array().into_iter().flatten() {
                        got.chapters.push(Chapter {
                            start_ms: c["start_ms"].as_u64().unwrap_or(u64::MAX),
                            title: c["title"].as_str().unwrap_or_default().to_string(),
                            url: c["url"].as_str().map(str::to_string),
                        });
                    }
                }
                Err(_) => {
                    failure = Some(format!(
                        "`chapters` exited 1 without output and `context` exited {}",
                        support::code(&ctx)
                    ))
                }
            }
        }
        _ => {
            failure = Some(format!(
                "`chapters` exited {}: {}",
                support::code(&out),
                err.lines().last().unwrap_or_default()
            ))
        }
    }
    let out = support::run_guarded(dir, &["links", file, "--format", "json"]);
    let err = support::stderr(&out);
    // The same finding from both commands counts once.
    for e in read_errors(&err) {
        if !errors.contains(&e) {
            errors.push(e);
        }
    }
    match serde_json::from_slice::<Value>(&out.stdout) {
        Ok(Value::Array(items)) if support::code(&out) <= 1 => {
            for l in items {
                got.links.push(Link {
                    url: l["url"].as_str().unwrap_or_default().to_string(),
                    kind: l["kind"].as_str().unwrap_or_default().to_string(),
                });
            }
        }
        _ => {
            let why = format!(
                "`links` exited {}: {}",
                support::code(&out),
                err.lines().last().unwrap_or_default()
            );
            failure = Some(failure.map_or(why.clone(), |f| format!("{f}; {why}")));
        }
    }
    Run {
        got,
        failure,
        read_errors: errors,
    }
}

/// How one file's reading compares with what it means.
#[derive(Debug, Default, PartialEq)]
struct Score {
    chapters_exact: usize,
    chapters_total: usize,
    /// Read chapters at a start no expected chapter has.
    false_chapters: usize,
    links_found: usize,
    links_total: usize,
    wrong_kind: usize,
    false_links: usize,
    /// Of the false links, those that are markup (`src`, Markdown images).
    markup_links: usize,
    /// What differs, one line each.
    notes: Vec<String>,
}

impl Score {
    fn perfect(&self) -> bool {
        self.chapters_exact == self.chapters_total
            && self.false_chapters == 0
            && self.links_found == self.links_total
            && self.wrong_kind == 0
            && self.false_links == 0
    }
}

/// A URL that the source uses as markup: an `src` attribute's value or a
/// Markdown image's destination.
fn is_markup(source: &str, url: &str) -> bool {
    if ["src=\"", "src='", "src="]
        .iter()
        .any(|p| source.contains(&format!("{p}{url}")))
    {
        return true;
    }
    source.match_indices(&format!("]({url}")).any(|(at, _)| {
        // The `[` opening this link text: an image when `!` precedes it.
        let before = &source[..at];
        let mut depth = 0usize;
        for (i, ch) in before.char_indices().rev() {
            match ch {
                ']' => depth += 1,
                '[' if depth == 0 => return before[..i].ends_with('!'),
                '[' => depth -= 1,
                '\n' if before[i..].starts_with("\n\n") => return false,
                _ => {}
            }
        }
        false
    })
}

fn compare(expected: &Reading, got: &Reading, source: &str) -> Score {
    let mut s = Score {
        chapters_total: expected.chapters.len(),
        links_total: expected.links.len(),
        ..Score::default()
    };
    let mut used = vec![false; got.chapters.len()];
    for e in &expected.chapters {
        if let Some(i) = (0..got.chapters.len()).find(|&i| !used[i] && got.chapters[i] == *e) {
            used[i] = true;
            s.chapters_exact += 1;
        } else if let Some(g) = got.chapters.iter().find(|g| g.start_ms == e.start_ms) {
            s.notes.push(format!(
                "chapter {}: expected {:?} url {:?}, read {:?} url {:?}",
                show_ms(e.start_ms),
                e.title,
                e.url,
                g.title,
                g.url
            ));
        } else {
            s.notes.push(format!(
                "chapter {} {:?}: missing",
                show_ms(e.start_ms),
                e.title
            ));
        }
    }
    for g in &got.chapters {
        if !expected.chapters.iter().any(|e| e.start_ms == g.start_ms) {
            s.false_chapters += 1;
            s.notes.push(format!(
                "false chapter {} {:?}",
                show_ms(g.start_ms),
                g.title
            ));
        }
    }
    // Links: one expected occurrence per read occurrence, the same URL and
    // kind first, then the same URL with another kind.
    let mut used = vec![false; got.links.len()];
    let mut matched = vec![None; expected.links.len()];
    for same_kind in [true, false] {
        for (ei, e) in expected.links.iter().enumerate() {
            if matched[ei].is_some() {
                continue;
            }
            if let Some(i) = (0..got.links.len()).find(|&i| {
                !used[i] && got.links[i].url == e.url && (!same_kind || got.links[i].kind == e.kind)
            }) {
                used[i] = true;
                matched[ei] = Some(i);
            }
        }
    }
    for (e, m) in expected.links.iter().zip(&matched) {
        match m {
            Some(i) => {
                s.links_found += 1;
                if got.links[*i].kind != e.kind {
                    s.wrong_kind += 1;
                    s.notes.push(format!(
                        "link {} is {}, read as {}",
                        e.url, e.kind, got.links[*i].kind
                    ));
                }
            }
            None => s.notes.push(format!("link {} ({}) missing", e.url, e.kind)),
        }
    }
    for (g, u) in got.links.iter().zip(&used) {
        if !u {
            s.false_links += 1;
            if is_markup(source, &g.url) {
                s.markup_links += 1;
                s.notes
                    .push(format!("markup URL read as a link: {}", g.url));
            } else {
                s.notes.push(format!("false link {} ({})", g.url, g.kind));
            }
        }
    }
    s
}

fn styles_dir() -> PathBuf {
    support::fixture("styles")
}

/// The notes files of the corpus, sorted: every file but the README and
/// the expected files.
fn notes_files() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(styles_dir())
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .filter(|n| n != "README.md" && !n.ends_with(".expected.json"))
        .collect();
    names.sort();
    names
}

fn expected_name(file: &str) -> String {
    let stem = file.rsplit_once('.').map_or(file, |(s, _)| s);
    format!("{stem}.expected.json")
}

#[test]
fn styles_corpus_meets_the_targets() {
    let dir = styles_dir();
    let files = notes_files();
    let mut table = String::new();
    let _ = writeln!(
        table,
        "{:<40} {:>9} {:>6} {:>9} {:>6} {:>6} {:>6} {:>5}",
        "file", "chapters", "false", "links", "kind", "false", "markup", "err"
    );
    let mut total = Score::default();
    let mut details = String::new();
    let mut failures = Vec::new();
    let mut read_errors = 0;
    let mut perfect_files = 0;
    for file in &files {
        let source = std::fs::read_to_string(dir.join(file)).unwrap();
        let expected =
            parse_expected(&std::fs::read_to_string(dir.join(expected_name(file))).unwrap())
                .unwrap_or_else(|e| panic!("{}: {e}", expected_name(file)));
        let run = run_binary(&dir, file);
        let s = compare(&expected, &run.got, &source);
        let _ = writeln!(
            table,
            "{:<40} {:>9} {:>6} {:>9} {:>6} {:>6} {:>6} {:>5}",
            file,
            format!("{}/{}", s.chapters_exact, s.chapters_total),
            s.false_chapters,
            format!("{}/{}", s.links_found, s.links_total),
            s.wrong_kind,
            s.false_links,
            s.markup_links,
            run.read_errors.len(),
        );
        if s.perfect() && run.failure.is_none() && run.read_errors.is_empty() {
            perfect_files += 1;
        } else {
            let _ = writeln!(details, "{file}:");
            for n in run.failure.iter().chain(&run.read_errors).chain(&s.notes) {
                let _ = writeln!(details, "    {n}");
            }
        }
        if let Some(f) = run.failure {
            failures.push(format!("{file}: {f}"));
        }
        read_errors += run.read_errors.len();
        total.chapters_exact += s.chapters_exact;
        total.chapters_total += s.chapters_total;
        total.false_chapters += s.false_chapters;
        total.links_found += s.links_found;
        total.links_total += s.links_total;
        total.wrong_kind += s.wrong_kind;
        total.false_links += s.false_links;
        total.markup_links += s.markup_links;
    }
    let _ = writeln!(
        table,
        "{:<40} {:>9} {:>6} {:>9} {:>6} {:>6} {:>6} {:>5}",
        "TOTAL",
        format!("{}/{}", total.chapters_exact, total.chapters_total),
        total.false_chapters,
        format!("{}/{}", total.links_found, total.links_total),
        total.wrong_kind,
        total.false_links,
        total.markup_links,
        read_errors,
    );
    println!("{details}\n{table}");
    println!(
        "files read exactly: {perfect_files}/{}; chapters exact {}/{}, false chapters {}; \
         links found {}/{}, wrong kind {}, false links {} (markup {}); reading errors {}",
        files.len(),
        total.chapters_exact,
        total.chapters_total,
        total.false_chapters,
        total.links_found,
        total.links_total,
        total.wrong_kind,
        total.false_links,
        total.markup_links,
        read_errors
    );
    assert!(files.len() >= 30, "the corpus has {} files", files.len());
    assert!(failures.is_empty(), "runs that failed: {failures:#?}");
    assert_eq!(
        (total.chapters_exact, total.false_chapters),
        (total.chapters_total, 0),
        "chapters: every chapter exact, no false chapter (see the table above)"
    );
    assert_eq!(
        (total.links_found, total.wrong_kind, total.false_links),
        (total.links_total, 0, 0),
        "links: every link found with its kind, no false link (see the table above)"
    );
    assert_eq!(read_errors, 0, "reading errors (see the table above)");
}

#[test]
fn every_notes_file_has_a_valid_expected_file_and_a_readme_row() {
    let dir = styles_dir();
    let readme = std::fs::read_to_string(dir.join("README.md")).unwrap();
    let files = notes_files();
    let mut problems = Vec::new();
    for file in &files {
        if ![".md", ".txt", ".html"].iter().any(|e| file.ends_with(e)) {
            problems.push(format!("{file}: notes files are .md, .txt or .html"));
        }
        let exp = expected_name(file);
        match std::fs::read_to_string(dir.join(&exp)) {
            Ok(text) => {
                if let Err(e) = parse_expected(&text) {
                    problems.push(format!("{exp}: {e}"));
                }
            }
            Err(e) => problems.push(format!("{file} has no {exp}: {e}")),
        }
        if !readme.contains(&format!("| `{file}` |")) {
            problems.push(format!("README.md has no row for `{file}`"));
        }
        let size = std::fs::metadata(dir.join(file)).unwrap().len();
        if size > 8 * 1024 {
            problems.push(format!("{file} is {size} bytes: keep it small"));
        }
    }
    // No expected file without its notes file.
    for e in std::fs::read_dir(&dir).unwrap() {
        let name = e.unwrap().file_name().to_string_lossy().into_owned();
        if let Some(stem) = name.strip_suffix(".expected.json") {
            if !files.iter().any(|f| f.rsplit_once('.').unwrap().0 == stem) {
                problems.push(format!("{name} has no notes file"));
            }
        }
    }
    let total: u64 = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().metadata().unwrap().len())
        .sum();
    if total >= 300 * 1024 {
        problems.push(format!("the corpus is {total} bytes"));
    }
    assert!(problems.is_empty(), "{problems:#?}");
}

fn reading(text: &str) -> Reading {
    parse_expected(text).unwrap()
}

const SAMPLE: &str = r#"{
  "chapters": [
    {"start": "00:00", "title": "Intro", "url": null},
    {"start": "1:02:03.500", "title": "EPA guide", "url": "https://example.org/epa"}
  ],
  "links": [
    {"url": "https://example.org/epa", "kind": "text"},
    {"url": "mailto:hi@example.org", "kind": "learn-more"}
  ]
}"#;

#[test]
fn the_comparison_catches_every_kind_of_difference() {
    let exp = reading(SAMPLE);
    assert_eq!(exp.chapters[1].start_ms, 3_723_500);
    let same = compare(&exp, &exp.clone(), "");
    assert!(same.perfect(), "{same:?}");
    assert_eq!((same.chapters_exact, same.links_found), (2, 2));

    let differs = |change: &dyn Fn(&mut Reading)| {
        let mut got = exp.clone();
        change(&mut got);
        let s = compare(&exp, &got, "<img src=\"https://img.example/a.png\">");
        assert!(!s.perfect(), "{got:?} passed");
        s
    };
    let s = differs(&|g| g.chapters[0].title = "Intro:".into());
    assert_eq!((s.chapters_exact, s.false_chapters), (1, 0));
    let s = differs(&|g| g.chapters[1].start_ms += 1000);
    assert_eq!((s.chapters_exact, s.false_chapters), (1, 1));
    let s = differs(&|g| g.chapters[1].url = None);
    assert_eq!(s.chapters_exact, 1);
    let s = differs(&|g| {
        g.chapters.insert(
            1,
            Chapter {
                start_ms: 60_000,
                title: "x".into(),
                url: None,
            },
        )
    });
    assert_eq!((s.chapters_exact, s.false_chapters), (2, 1));
    differs(&|g| {
        g.chapters.pop();
    });
    let s = differs(&|g| g.links[1].kind = "text".into());
    assert_eq!((s.links_found, s.wrong_kind), (2, 1));
    let s = differs(&|g| {
        g.links.remove(0);
    });
    assert_eq!(s.links_found, 1);
    let s = differs(&|g| {
        g.links.push(Link {
            url: "https://img.example/a.png".into(),
            kind: "text".into(),
        })
    });
    assert_eq!((s.false_links, s.markup_links), (1, 1));
    // One occurrence each: a link read once but written twice is missing once.
    let mut twice = exp.clone();
    twice.links.push(twice.links[0].clone());
    assert_eq!(compare(&twice, &exp, "").links_found, 2);
}

/// The seed episode's expectation in this corpus's shape (its file lists
/// learn-more links and other links apart, so the order is by kind).
fn seed_expectation() -> Reading {
    let path = support::fixture("netstack").join("episode-17.expected.json");
    let v: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let chapters = v["chapters"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| Chapter {
            start_ms: stamp_ms(p[0].as_str().unwrap()).unwrap(),
            title: p[1].as_str().unwrap().to_string(),
            url: None,
        })
        .collect();
    let learn_more = v["learn_more"].as_array().unwrap().iter().map(|p| Link {
        url: p[0].as_str().unwrap().to_string(),
        kind: "learn-more".into(),
    });
    let other = v["other_links"].as_array().unwrap().iter().map(|u| Link {
        url: u.as_str().unwrap().to_string(),
        kind: "text".into(),
    });
    Reading {
        chapters,
        links: learn_more.chain(other).collect(),
    }
}

#[test]
fn a_changed_expectation_fails_against_the_binary() {
    // The seed episode is read exactly (its own test pins that), so the
    // harness, run through the binary, passes on it...
    let dir = support::fixture("netstack");
    let source = std::fs::read_to_string(dir.join("episode-17.md")).unwrap();
    let run = run_binary(&dir, "episode-17.md");
    assert!(run.failure.is_none(), "{:?}", run.failure);
    let exp = seed_expectation();
    let s = compare(&exp, &run.got, &source);
    assert!(s.perfect(), "{:#?}", s.notes);
    assert_eq!((s.chapters_exact, s.links_found), (21, 12));
    // ...and fails as soon as one expectation is changed.
    let changes: [&dyn Fn(&mut Reading); 5] = [
        &|r| r.chapters[3].title.push('!'),
        &|r| r.chapters[5].start_ms += 1000,
        &|r| r.chapters[0].url = Some("https://netstack.fm/".into()),
        &|r| r.links[0].kind = "text".into(),
        &|r| {
            r.links.pop();
        },
    ];
    for change in changes {
        let mut broken = exp.clone();
        change(&mut broken);
        assert!(!compare(&broken, &run.got, &source).perfect(), "{broken:?}");
    }
}

#[test]
fn a_broken_expected_file_is_rejected() {
    let broken = [
        SAMPLE.replace("\"Intro\"", "\"Intro\u{2060}\""),
        SAMPLE.replace("\"Intro\"", "\"Intro \""),
        SAMPLE.replace("\"Intro\"", "\"**Intro**\""),
        SAMPLE.replace("\"Intro\"", "\"– Intro\""),
        SAMPLE.replace("\"1:02:03.500\"", "\"00:00\""),
        SAMPLE.replace("\"1:02:03.500\"", "\"1:75\""),
        SAMPLE.replace("\"learn-more\"", "\"learnmore\""),
        SAMPLE.replace("mailto:hi@example.org", "hi@example.org"),
        SAMPLE.replace(
            "example.org/epa\", \"kind",
            "example.org/epa?utm_source=x\", \"kind",
        ),
        SAMPLE.replace("\"links\"", "\"link\""),
        SAMPLE.replace(
            "{\"url\": \"https://example.org/epa\", \"kind\": \"text\"},",
            "",
        ),
    ];
    for b in &broken {
        assert!(parse_expected(b).is_err(), "accepted: {b}");
    }
}

#[test]
fn markup_urls_are_told_apart_from_links() {
    let src = "![cover](https://img.example/c.png) [site](https://example.org/) \
               <iframe src=\"https://player.example/e/1\"></iframe>";
    assert!(is_markup(src, "https://img.example/c.png"));
    assert!(is_markup(src, "https://player.example/e/1"));
    assert!(!is_markup(src, "https://example.org/"));
}

#[test]
fn stamps_are_read_as_the_notes_write_them() {
    assert_eq!(stamp_ms("0:00"), Some(0));
    assert_eq!(stamp_ms("75:10"), Some(4_510_000));
    assert_eq!(stamp_ms("01:05:12"), Some(3_912_000));
    assert_eq!(stamp_ms("00:00:01.25"), Some(1_250));
    assert_eq!(stamp_ms("1:2"), None);
    assert_eq!(stamp_ms("00:60"), None);
    assert_eq!(stamp_ms("1:2:3:4"), None);
}
