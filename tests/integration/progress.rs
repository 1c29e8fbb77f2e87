//! `check` over many files shows a progress bar on a terminal, and only
//! there: not with `--quiet`, not when stderr is a pipe. The terminal is a
//! pseudo-terminal from util-linux's `script` (Debian's bsdutils, always
//! installed).

use std::process::Command;

use crate::support::{self, run};

fn episodes() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let notes = std::fs::read_to_string(support::fixture("netstack/episode-17.flat.txt")).unwrap();
    for i in 0..400 {
        std::fs::write(dir.path().join(format!("ep{i}.txt")), &notes).unwrap();
    }
    dir
}

/// Runs `shownotes check ARGS` on a pseudo-terminal; what it drew.
fn on_a_terminal(dir: &std::path::Path, args: &str) -> Option<String> {
    let cmd = format!(
        "{} check {args} 2>&1 >/dev/null",
        env!("CARGO_BIN_EXE_shownotes")
    );
    let out = Command::new("script")
        .args(["-qfc", &cmd, "/dev/null"])
        .current_dir(dir)
        .output()
        .ok()?;
    Some(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[test]
fn a_progress_bar_only_on_a_terminal() {
    let dir = episodes();
    let Some(drawn) = on_a_terminal(dir.path(), ".") else {
        eprintln!("skipped: util-linux `script` is not installed");
        return;
    };
    assert!(drawn.contains("checking"), "no bar drawn: {drawn:.300}");
    assert!(drawn.contains("checked 400 files"), "{drawn:.300}");
    let quiet = on_a_terminal(dir.path(), "--quiet .").unwrap();
    assert!(!quiet.contains("checking"), "{quiet:.300}");
    let piped = run(dir.path(), &["check", "."]);
    let err = String::from_utf8_lossy(&piped.stderr);
    assert!(
        !err.contains("checking") && !err.contains('\r'),
        "bar drawn into a pipe"
    );
    assert!(err.contains("checked 400 files"));
}
