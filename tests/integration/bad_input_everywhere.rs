//! One exit policy: the same bad input gives every command that reads it
//! the same exit code and the same message (exit 2: the input could not
//! be read; `error: …`, where it is, `help: …`).

#![cfg(unix)]

use std::path::Path;

use crate::support::{mkfifo, run_guarded};

/// A folder with an MP3 (for `embed`), a non-UTF-8 notes file and a FIFO.
fn setup() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    std::fs::copy(
        root.join("fixtures/audio/mp3-vbr-xing.mp3"),
        dir.path().join("ep.mp3"),
    )
    .unwrap();
    std::fs::write(dir.path().join("bad.md"), b"Chapters\n00:00 A\xff\n").unwrap();
    mkfifo(&dir.path().join("fifo.md"));
    mkfifo(&dir.path().join("fifo.mp3"));
    dir
}

/// Every command that reads a notes (or chapter) file, reading `file`.
fn commands(file: &str) -> Vec<Vec<String>> {
    let cmds: [&[&str]; 6] = [
        &["check", file],
        &["build", file, "--out", "out"],
        &["links", file],
        &["context", file],
        &["chapters", file, "--to", "json"],
        &["embed", "ep.mp3", "--chapters", file, "-o", "out.mp3"],
    ];
    cmds.iter()
        .map(|c| c.iter().map(|s| s.to_string()).collect())
        .collect()
}

/// Runs `args` and asserts exit 2 and `message` in stderr exactly once.
fn assert_one_way(dir: &Path, args: &[String], message: &str) {
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let out = run_guarded(dir, &args);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
    assert_eq!(err.matches(message).count(), 1, "{args:?}: {err}");
    assert!(!err.contains("panicked"), "{args:?}: {err}");
}

#[test]
fn a_missing_notes_file_exits_2_the_same_way_everywhere() {
    let dir = setup();
    for args in commands("nope.md") {
        assert_one_way(
            dir.path(),
            &args,
            "error: `nope.md` does not exist\nhelp: check the path; it is relative to the current folder\n",
        );
    }
    assert!(!dir.path().join("out").exists() && !dir.path().join("out.mp3").exists());
}

#[test]
fn a_non_utf8_notes_file_exits_2_the_same_way_everywhere() {
    let dir = setup();
    for args in commands("bad.md") {
        assert_one_way(
            dir.path(),
            &args,
            "error[notes-not-utf8]: the file is not UTF-8: byte `0xFF` at line 2, column 8\n --> bad.md:2:8\n",
        );
    }
    assert!(!dir.path().join("out").exists() && !dir.path().join("out.mp3").exists());
}

#[test]
fn a_fifo_as_notes_exits_2_the_same_way_everywhere() {
    let dir = setup();
    for args in commands("fifo.md") {
        assert_one_way(
            dir.path(),
            &args,
            "error: cannot read `fifo.md`: it is a named pipe (FIFO), not a regular file\nhelp: name a regular file; to read from a pipe or a device, give `-` and redirect it to stdin\n",
        );
    }
}

#[test]
fn missing_or_fifo_audio_exits_2_from_probe_and_check() {
    let dir = setup();
    std::fs::write(
        dir.path().join("ep.md"),
        "Chapters\n00:00 A\n00:30 B\n01:00 C\n",
    )
    .unwrap();
    for (audio, message) in [
        ("nope.mp3", "error[audio-missing]: audio file `nope.mp3` does not exist"),
        (
            "fifo.mp3",
            "error[audio-unreadable]: cannot read audio file `fifo.mp3`: it is a named pipe (FIFO), not a regular file",
        ),
    ] {
        for args in [
            vec!["probe", audio],
            vec!["check", "ep.md", "--audio", audio],
            vec!["chapters", "ep.md", "--to", "json", "--audio", audio],
        ] {
            let args: Vec<String> = args.into_iter().map(String::from).collect();
            assert_one_way(dir.path(), &args, message);
        }
    }
}
