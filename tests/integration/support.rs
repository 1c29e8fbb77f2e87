//! What every integration test shares: the one runner of the binary (it
//! asserts the process exited by itself and did not panic), reading its
//! output and JSON, and the fixture folders.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use serde_json::Value;

/// The binary under test, with `NO_COLOR=1`.
pub fn bin() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_shownotes"));
    c.env("NO_COLOR", "1");
    c
}

/// Runs `shownotes ARGS` in `dir`, asserting it exited (not killed) and did
/// not panic.
pub fn run<S: AsRef<OsStr>>(dir: &Path, args: &[S]) -> Output {
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

/// The exit code of a process that exited by itself.
pub fn code(out: &Output) -> i32 {
    out.status.code().expect("exited, not killed")
}

/// stderr as text.
pub fn stderr(out: &Output) -> String {
    String::from_utf8_lossy(&out.stderr).into_owned()
}

/// stdout as text.
pub fn stdout(out: &Output) -> String {
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// stdout parsed as JSON; a failure shows what was printed instead.
pub fn json(out: &Output) -> Value {
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("not JSON ({e}): {}", stdout(out)))
}

/// The repository's root (where `Cargo.toml` is).
pub fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}

/// `fixtures/<name>` of the repository (`name` may hold a folder:
/// `audio/mp3-cbr-info.mp3`, `netstack/episode-11.md`).
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}
