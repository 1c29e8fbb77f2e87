//! Hardening: writes (issue 8, defects 1 and 7). Outputs never replace an
//! input or a file shownotes did not write; interrupted runs leave no
//! temporary files behind and never a set of outputs from two runs.

use super::*;

use std::fs;
use std::process::{Command, Stdio};
use std::time::Duration;

/// Notes naming `ep.mp3` in their front matter, with chapters.
const NOTES: &str = "+++\ntitle = \"Ep\"\naudio = \"ep.mp3\"\n+++\nSummary.\n\nChapters\n00:00 Intro\n00:15 Middle\n00:40 End\n";

/// Notes whose title and chapter titles all carry `tag`, so every file of
/// a build tells which notes it came from.
fn tagged(tag: &str) -> String {
    format!(
        "+++\ntitle = \"Version {tag}\"\n+++\nSummary of version {tag}.\n\nChapters\n00:00 Intro {tag}\n00:15 Middle {tag}\n00:40 End {tag}\n"
    )
}

/// A folder with `ep.md` (naming `ep.mp3`) and a real 60 s MP3 `ep.mp3`.
fn episode() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    mp3(&dir.path().join("ep.mp3"), 60);
    dir
}

/// A `seconds`-long MP3 made with ffmpeg (installed where the tests run).
fn mp3(path: &Path, seconds: u32) {
    crate::ffmpeg::sine_mp3(path, seconds, &[]);
}

/// Asserts `out` is a refusal (exit 2, `error:` and `help:`) that left
/// `file` as it was.
fn refused(out: &Output, file: &Path, before: &[u8], says: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(err.contains("error: ") && err.contains("help: "), "{err}");
    assert!(err.contains(says), "{err}");
    assert_eq!(fs::read(file).unwrap(), before, "the file was changed");
}

/// The temporary files and folders left in `dir`.
fn leftovers(dir: &Path) -> Vec<String> {
    fs::read_dir(dir)
        .unwrap()
        .flatten()
        .map(|e| e.file_name().to_string_lossy().into_owned())
        .filter(|n| n.starts_with(".shownotes-tmp-") || n.starts_with(".shownotes-commit-"))
        .collect()
}

/// Runs `shownotes ARGS` in `dir` and, as soon as it has a temporary file
/// or folder in `watch`, sends it `signal` (`KILL`, `TERM`, `INT`).
/// Returns whether the signal was sent (the run may end first).
fn signal_when_temp(dir: &Path, args: &[&str], watch: &Path, signal: &str) -> bool {
    let mut child = bin()
        .args(args)
        .current_dir(dir)
        .stderr(Stdio::null())
        .spawn()
        .unwrap();
    let own = format!(".shownotes-tmp-{}-", child.id());
    let mut sent = false;
    while child.try_wait().unwrap().is_none() {
        if leftovers(watch).iter().any(|n| n.starts_with(&own)) {
            Command::new("kill")
                .args([format!("-{signal}"), child.id().to_string()])
                .status()
                .unwrap();
            sent = true;
            break;
        }
    }
    let _ = child.wait();
    sent
}

/// Which version (`A` or `B`) each file of the set in `out` comes from;
/// panics when they disagree (a torn set).
fn version_of_set(out: &Path) -> Option<char> {
    let mut seen = None;
    for e in fs::read_dir(out).ok()?.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        if name.starts_with('.') {
            continue;
        }
        let text = fs::read_to_string(e.path()).unwrap();
        let a = text.contains("Intro A");
        let b = text.contains("Intro B");
        assert!(a != b, "`{name}` is from neither or both versions:\n{text}");
        let v = if a { 'A' } else { 'B' };
        assert!(
            seen.is_none_or(|s| s == v),
            "torn set: `{name}` is from version {v}, others from {seen:?}"
        );
        seen = Some(v);
    }
    seen
}

#[test]
fn defect_1_chapters_to_notes_onto_its_own_input_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    let out = run(
        dir.path(),
        &["chapters", "ep.md", "--to", "notes", "-o", "ep.md"],
    );
    refused(&out, &dir.path().join("ep.md"), NOTES.as_bytes(), "input");
    // `--force` does not make an input an output.
    let out = run(
        dir.path(),
        &[
            "chapters", "ep.md", "--to", "notes", "-o", "ep.md", "--force",
        ],
    );
    refused(&out, &dir.path().join("ep.md"), NOTES.as_bytes(), "input");
}

#[test]
fn defect_1_chapters_to_json_onto_the_notes_audio_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    // Only named in the front matter, not read: any bytes will do.
    let audio = b"ID3\x04\x00\x00\x00\x00\x00\x00not really audio";
    fs::write(dir.path().join("ep.mp3"), audio).unwrap();
    let out = run(
        dir.path(),
        &["chapters", "ep.md", "--to", "json", "-o", "ep.mp3"],
    );
    refused(&out, &dir.path().join("ep.mp3"), audio, "audio");
}

#[test]
fn defect_1_embed_onto_its_chapter_source_is_refused() {
    let dir = episode();
    let out = run(
        dir.path(),
        &["embed", "ep.mp3", "--chapters", "ep.md", "-o", "ep.md"],
    );
    refused(&out, &dir.path().join("ep.md"), NOTES.as_bytes(), "input");
}

#[test]
fn defect_1_build_into_the_notes_folder_never_writes_over_the_notes() {
    let dir = tempfile::tempdir().unwrap();
    let notes = tagged("A");
    fs::write(dir.path().join("youtube.txt"), &notes).unwrap();
    let out = run(dir.path(), &["build", "youtube.txt", "--out", "."]);
    refused(
        &out,
        &dir.path().join("youtube.txt"),
        notes.as_bytes(),
        "notes file",
    );
    let out = run(
        dir.path(),
        &["build", "youtube.txt", "--out", ".", "--force"],
    );
    refused(
        &out,
        &dir.path().join("youtube.txt"),
        notes.as_bytes(),
        "notes file",
    );
    assert!(!dir.path().join("apple.html").exists(), "nothing written");
}

#[test]
fn defect_1_build_does_not_replace_a_hand_made_chapters_json() {
    // The chapters file is written beside the RSS item, named after the
    // audio (`ep.chapters.json`, where `podcast:chapters` points).
    let dir = tempfile::tempdir().unwrap();
    fs::write(
        dir.path().join("shownotes.toml"),
        "[show]\nmedia_base_url = \"https://media.example.com/show/\"\n",
    )
    .unwrap();
    mp3(&dir.path().join("ep.mp3"), 60);
    let notes = |tag: &str| {
        tagged(tag).replacen("+++\n", "+++\ndate = 2025-01-01\naudio = \"ep.mp3\"\n", 1)
    };
    fs::write(dir.path().join("ep.md"), notes("A")).unwrap();
    let mine = b"{\"version\":\"1.2.0\",\"chapters\":[{\"startTime\":0,\"title\":\"Mine\"}]}";
    let chapters = dir.path().join("ep.chapters.json");
    fs::write(&chapters, mine).unwrap();
    let out = run(dir.path(), &["build", "ep.md", "--out", "."]);
    refused(&out, &chapters, mine, "--force");
    assert!(!dir.path().join("youtube.txt").exists(), "nothing written");
    // Asked to, it replaces it; then a second build replaces its own set.
    let out = run(dir.path(), &["build", "ep.md", "--out", ".", "--force"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    fs::write(dir.path().join("ep.md"), notes("B")).unwrap();
    let out = run(dir.path(), &["build", "ep.md", "--out", "."]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::read_to_string(&chapters).unwrap().contains("Intro B"));
    // A file of the set edited by hand is kept too.
    fs::write(dir.path().join("youtube.txt"), "edited").unwrap();
    let out = run(dir.path(), &["build", "ep.md", "--out", "."]);
    refused(
        &out,
        &dir.path().join("youtube.txt"),
        b"edited",
        "changed since",
    );
}

#[cfg(unix)]
#[test]
fn defect_1_a_symlink_or_hard_link_to_an_input_is_the_input() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    std::os::unix::fs::symlink("ep.md", dir.path().join("link.md")).unwrap();
    fs::hard_link(dir.path().join("ep.md"), dir.path().join("hard.md")).unwrap();
    for out in ["link.md", "hard.md"] {
        let o = run(
            dir.path(),
            &["chapters", "ep.md", "--to", "json", "-o", out, "--force"],
        );
        refused(&o, &dir.path().join("ep.md"), NOTES.as_bytes(), "input");
    }
}

#[test]
fn defect_1_chapters_replaces_only_its_own_kind_of_file() {
    // The audio the notes name is there: `chapters` measures it, as every
    // command does.
    let dir = episode();
    let todo = b"call the guest back\n";
    fs::write(dir.path().join("todo.txt"), todo).unwrap();
    let args = ["chapters", "ep.md", "--to", "youtube", "-o", "todo.txt"];
    let out = run(dir.path(), &args);
    refused(&out, &dir.path().join("todo.txt"), todo, "--force");
    // Its own output, written again, is replaced without asking.
    let out = run(
        dir.path(),
        &["chapters", "ep.md", "--to", "json", "-o", "ch.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &["chapters", "ep.md", "--to", "json", "-o", "ch.json"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(dir.path(), &[&args[..], &["--force"]].concat());
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(fs::read_to_string(dir.path().join("todo.txt"))
        .unwrap()
        .contains("Intro"));
}

#[test]
fn defect_1_embed_replaces_only_an_mp3() {
    let dir = episode();
    let notes = b"my other notes\n";
    fs::write(dir.path().join("other.md"), notes).unwrap();
    let args = ["embed", "ep.mp3", "--chapters", "ep.md", "-o", "other.md"];
    let out = run(dir.path(), &args);
    refused(&out, &dir.path().join("other.md"), notes, "not an MP3");
    let out = run(
        dir.path(),
        &["embed", "ep.mp3", "--chapters", "ep.md", "-o", "out.mp3"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let out = run(
        dir.path(),
        &["embed", "ep.mp3", "--chapters", "ep.md", "-o", "out.mp3"],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}

#[test]
fn defect_7_killed_embed_in_place_leaves_nothing_after_the_next_run() {
    let dir = episode();
    // A leftover of a run that was killed: its process is gone (a pid
    // above Linux's largest, 2^22).
    let stale = dir.path().join(".shownotes-tmp-4194305-abcdef");
    fs::write(&stale, vec![0u8; 100_000]).unwrap();
    let args = ["embed", "ep.mp3", "--chapters", "ep.md", "--in-place"];
    let mut killed = 0;
    for _ in 0..6 {
        // SIGKILL while the temporary copy is being written.
        killed += usize::from(signal_when_temp(dir.path(), &args, dir.path(), "KILL"));
        // Each run removes what the killed ones left: never more than one.
        assert!(
            leftovers(dir.path()).len() <= 1,
            "{:?}",
            leftovers(dir.path())
        );
    }
    assert!(killed > 0, "no run was killed while writing");
    let out = run(dir.path(), &args);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    let out = run(dir.path(), &["chapters", "ep.mp3", "--to", "youtube"]);
    assert!(stdout(&out).contains("Middle"), "{}", stderr(&out));
}

#[cfg(unix)]
#[test]
fn defect_7_sigterm_and_sigint_remove_the_temporary_copy() {
    let dir = tempfile::tempdir().unwrap();
    fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    // Long enough (about 14 MB) that the copy takes a while.
    mp3(&dir.path().join("ep.mp3"), 3600);
    let args = ["embed", "ep.mp3", "--chapters", "ep.md", "--in-place"];
    let mut signalled = 0;
    for signal in ["TERM", "INT", "TERM", "INT"] {
        signalled += usize::from(signal_when_temp(dir.path(), &args, dir.path(), signal));
        assert_eq!(
            leftovers(dir.path()),
            Vec::<String>::new(),
            "after SIG{signal}"
        );
    }
    assert!(signalled > 0, "no run was signalled while writing");
}

#[test]
fn defect_7_killed_builds_never_leave_a_torn_set() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["A", "B"] {
        fs::write(dir.path().join(format!("{v}.md")), tagged(v)).unwrap();
    }
    for i in 0..8u64 {
        let v = if i % 2 == 0 { "A.md" } else { "B.md" };
        // Killed while its new set is being written beside `out`...
        signal_when_temp(
            dir.path(),
            &["build", v, "--out", "out"],
            dir.path(),
            "KILL",
        );
        version_of_set(&dir.path().join("out"));
        // ... and at other moments.
        let mut child = bin()
            .args(["build", v, "--out", "out"])
            .current_dir(dir.path())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        std::thread::sleep(Duration::from_millis(1 + 3 * i));
        let _ = child.kill();
        let _ = child.wait();
        version_of_set(&dir.path().join("out"));
    }
    let out = run(dir.path(), &["build", "B.md", "--out", "out"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_eq!(version_of_set(&dir.path().join("out")), Some('B'));
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
    assert_eq!(leftovers(&dir.path().join("out")), Vec::<String>::new());
    let files = fs::read_dir(dir.path().join("out")).unwrap().count();
    // The chapters file is written only with the RSS item (which needs
    // the audio): three platforms and the manifest.
    assert_eq!(files, 4, "three platforms and the manifest");
}

#[test]
fn defect_7_concurrent_builds_never_leave_a_torn_set() {
    let dir = tempfile::tempdir().unwrap();
    for v in ["A", "B"] {
        fs::write(dir.path().join(format!("{v}.md")), tagged(v)).unwrap();
    }
    for _ in 0..4 {
        let children: Vec<_> = ["A.md", "B.md", "A.md"]
            .iter()
            .map(|v| {
                bin()
                    .args(["build", "--quiet", v, "--out", "out"])
                    .current_dir(dir.path())
                    .stderr(Stdio::piped())
                    .spawn()
                    .unwrap()
            })
            .collect();
        for c in children {
            let out = c.wait_with_output().unwrap();
            assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        }
        assert!(version_of_set(&dir.path().join("out")).is_some());
    }
    assert_eq!(leftovers(dir.path()), Vec::<String>::new());
}
