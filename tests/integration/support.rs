//! What every integration test shares: the one runner of the binary (it
//! asserts the process exited by itself and did not panic), reading its
//! output and JSON, and the fixture folders.

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};
use std::time::{Duration, Instant};

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

/// How long a command may take before it counts as hung: a guard against
/// a test that never ends, not a measure of speed.
pub const HANG_GUARD: Duration = Duration::from_secs(20);

/// Waits for `child`, killing it (and failing) if it outlives the guard.
pub fn wait_guarded(mut child: Child, what: &str) -> Output {
    let start = Instant::now();
    loop {
        if child.try_wait().unwrap().is_some() {
            break;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            let _ = child.wait();
            panic!("`shownotes {what}` hung: killed after {HANG_GUARD:?}");
        }
        std::thread::sleep(Duration::from_millis(20));
    }
    let out = child.wait_with_output().unwrap();
    assert_no_panic(&out);
    out
}

/// Runs `shownotes ARGS` in `dir` with stdin closed, failing if it hangs.
pub fn run_guarded(dir: &Path, args: &[&str]) -> Output {
    let child = bin()
        .args(args)
        .current_dir(dir)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    wait_guarded(child, &args.join(" "))
}

/// Makes a named pipe (FIFO) at `path`.
#[cfg(unix)]
pub fn mkfifo(path: &Path) {
    let c = std::ffi::CString::new(path.to_str().unwrap()).unwrap();
    // SAFETY: a valid NUL-terminated path.
    assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0, "mkfifo");
}
