//! Hardening (issue 8): every defect found by attacking shownotes as a
//! hostile contributor, a careless user and a flaky machine would,
//! reproduced through the real binary and asserted fixed. One module per
//! area.

mod linear;
mod reads;
mod text;
mod validation;
mod writes;

use std::path::Path;
use std::process::{Command, Output};

/// The binary under test.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shownotes"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs `shownotes ARGS` in `dir`, asserting it exited (not killed) and did
/// not panic.
pub fn run(dir: &Path, args: &[&str]) -> Output {
    let out = bin().args(args).current_dir(dir).output().unwrap();
    assert_no_panic(&out);
    out
}

/// The process exited by itself and printed no panic.
pub fn assert_no_panic(out: &Output) {
    let stderr = String::from_utf8_lossy(&out.stderr);
    let code = out.status.code();
    assert!(code.is_some(), "killed by a signal: {stderr}");
    assert_ne!(code, Some(101), "panicked: {stderr}");
    assert!(!stderr.contains("panicked at"), "{stderr}");
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}
