//! `check` honours the show's `shownotes.toml`, found by walking up from
//! each notes file, or given with `--config`.

use crate::support::{code, run, stderr, stdout};

fn check(dir: &std::path::Path, args: &[&str]) -> (i32, String, String) {
    let out = run(dir, &[&["check"], args].concat());
    (code(&out), stdout(&out), stderr(&out))
}

const NOTES: &str =
    "Learn more:\nhttps://a.org/?ref_src=feed — A\n\nChapters\n0:00 Intro\n0:20 Outro\n";

#[test]
fn config_rules_apply_to_check() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("episodes")).unwrap();
    std::fs::write(dir.path().join("episodes/ep.md"), NOTES).unwrap();
    // Without a config: two chapters are too few, `ref_src` is not tracking.
    let (code, _, err) = check(dir.path(), &["episodes"]);
    assert_eq!(code, 1, "{err}");
    assert!(
        err.contains("chapter-too-few") && !err.contains("link-tracking"),
        "{err}"
    );
    // The show's config, found by walking up.
    std::fs::write(
        dir.path().join("shownotes.toml"),
        "[links]\nstrip_params = [\"ref_src\"]\n\n[chapters]\nmin_count = 2\n",
    )
    .unwrap();
    let (code, _, err) = check(dir.path(), &["episodes"]);
    assert_eq!(code, 0, "{err}");
    assert!(
        !err.contains("chapter-too-few") && err.contains("link-tracking"),
        "{err}"
    );
}

#[test]
fn a_bad_config_exits_2_naming_its_line() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    std::fs::write(
        dir.path().join("other.toml"),
        "[show]\ntitle = \"x\"\ntitel = \"y\"\n",
    )
    .unwrap();
    let (code, _, err) = check(dir.path(), &["ep.md", "--config", "other.toml"]);
    assert_eq!(code, 2, "{err}");
    assert!(err.contains("other.toml:3:1"), "{err}");
    assert!(err.contains("titel"), "{err}");
}
