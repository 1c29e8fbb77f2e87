//! Hardening: the cost per finding (issue 8, defect 4). A flood of one
//! finding — thousands of plain-`http://` links, a front matter of
//! generated keys — made `check` spend most of its time printing some
//! 2 KB of human report per finding. The human report now shows the first
//! 50 findings of each code in a file and says how many more there are;
//! the totals, the exit status and `--format json`/`github` keep every
//! finding. No timing is asserted: `bench/scaling.sh` prints the time per
//! MB of each family.
use super::*;

use serde_json::Value;

const CHAPTERS: &str = "\nChapters\n00:00 Intro\n00:30 Middle\n01:00 End\n";

/// 300 plain-`http://` links on one line and 120 unknown codes in the
/// front matter's `shownotes.disable`: 50 of each code shown, one line each for the rest, the summary
/// counting all of them; JSON and GitHub output list every finding.
#[test]
fn defect_4_a_flood_of_one_finding_is_shown_in_part_and_counted_in_full() {
    let dir = tempfile::tempdir().unwrap();
    let keys: String = (0..120).map(|i| format!("  \"key{i}\",\n")).collect();
    let keys = format!("[shownotes]\ndisable = [\n{keys}]\n");
    let links: String = (0..300)
        .map(|i| format!("http://example.com/p/{i} "))
        .collect();
    std::fs::write(
        dir.path().join("notes.md"),
        format!("+++\n{keys}+++\nSummary.\n\nSee {links}\n{CHAPTERS}"),
    )
    .unwrap();

    let out = run(dir.path(), &["check", "notes.md"]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let err = stderr(&out);
    assert_eq!(err.matches("warning[link-insecure]").count(), 50, "{err}");
    assert_eq!(
        err.matches("error[front-matter-invalid]").count(),
        50,
        "{err}"
    );
    // The first 50 of each, in order; none after.
    assert!(
        err.contains("`http://example.com/p/49` is not encrypted"),
        "{err}"
    );
    assert!(
        !err.contains("`http://example.com/p/50` is not encrypted"),
        "{err}"
    );
    assert!(err.contains("names `key49`, which is not"), "{err}");
    assert!(!err.contains("names `key50`, which is not"), "{err}");
    assert!(
        err.contains("… and 70 more `front-matter-invalid` findings in `notes.md` (use `--format json` for all)"),
        "{err}"
    );
    assert!(
        err.contains(
            "… and 250 more `link-insecure` findings in `notes.md` (use `--format json` for all)"
        ),
        "{err}"
    );
    assert!(
        err.trim_end()
            .ends_with("checked 1 file: 123 errors, 300 warnings"),
        "{err}"
    );

    let out = run(dir.path(), &["check", "notes.md", "--format", "json"]);
    let v: Value = serde_json::from_str(&stdout(&out)).unwrap();
    let d = v["files"][0]["diagnostics"].as_array().unwrap();
    let count = |code: &str| d.iter().filter(|d| d["code"] == code).count();
    assert_eq!(count("link-insecure"), 300);
    assert_eq!(count("front-matter-invalid"), 120);
    // 300 links make a description over every platform's limit (`check`
    // runs the platforms' rules too).
    assert_eq!(count("description-too-long"), 3);
    assert_eq!(
        (v["errors"].as_u64(), v["warnings"].as_u64()),
        (Some(123), Some(300))
    );

    let out = run(dir.path(), &["check", "notes.md", "--format", "github"]);
    let gh = stdout(&out);
    assert_eq!(gh.matches("title=link-insecure::").count(), 300);
    assert_eq!(gh.matches("title=front-matter-invalid::").count(), 120);
}

/// Up to 50 findings of a code, the human report shows them all and adds
/// no line.
#[test]
fn defect_4_fifty_findings_of_a_code_are_all_shown() {
    let dir = tempfile::tempdir().unwrap();
    let links: String = (0..50)
        .map(|i| format!("http://example.com/p/{i} "))
        .collect();
    std::fs::write(
        dir.path().join("notes.md"),
        format!("Summary.\n\nSee {links}\n{CHAPTERS}"),
    )
    .unwrap();
    let out = run(dir.path(), &["check", "notes.md"]);
    let err = stderr(&out);
    assert_eq!(err.matches("warning[link-insecure]").count(), 50, "{err}");
    assert!(!err.contains("more `link-insecure`"), "{err}");
    assert!(
        err.trim_end()
            .ends_with("checked 1 file: 0 errors, 50 warnings"),
        "{err}"
    );
}

/// Every command prints findings the same capped way: `links` over 120
/// plain-`http://` links shows 50 `link-insecure` findings and one line
/// for the rest, pointing at `check --format json`.
#[test]
fn defect_4_other_commands_show_a_flood_in_part_too() {
    let dir = tempfile::tempdir().unwrap();
    let links: String = (0..120)
        .map(|i| format!("http://example.com/p/{i}\n"))
        .collect();
    std::fs::write(
        dir.path().join("notes.md"),
        format!("Summary.\n\n{links}{CHAPTERS}"),
    )
    .unwrap();
    let out = run(dir.path(), &["links", "notes.md"]);
    let err = stderr(&out);
    assert_eq!(err.matches("warning[link-insecure]").count(), 50, "{err}");
    assert!(
        err.contains(
            "\u{2026} and 70 more `link-insecure` findings in `notes.md` \
             (`shownotes check --format json` lists them all)"
        ),
        "{err}"
    );
    assert_eq!(stdout(&out).lines().count(), 120, "every link is listed");
}
