//! Hardening: reads (issue 8, defects 5 and 6, and the symbolic links of
//! defect 2). Special files are refused before anything is read, what is
//! read is capped, a folder's walk stays inside it, and a config found by
//! walking up is applied only from the repository or home folder and only
//! when it is the user's own.
#![cfg(unix)]

use super::*;

use std::io::Write;
use std::path::PathBuf;
use std::process::Stdio;
use std::time::{Duration, Instant};

use crate::support::{mkfifo, run_guarded, wait_guarded, HANG_GUARD};

const NOTES: &str = "Hello.\n\nChapters\n0:00 Intro\n0:20 Middle\n0:40 End\n";

/// A folder with a clean `ep.md`.
fn episode() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ep.md"), NOTES).unwrap();
    dir
}

#[test]
fn defect5_a_fifo_as_audio_is_refused_without_hanging() {
    let dir = episode();
    mkfifo(&dir.path().join("ep.mp3"));
    let out = run_guarded(dir.path(), &["check", "ep.md", "--audio", "ep.mp3"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("error[audio-unreadable]: cannot read audio file `ep.mp3`: it is a named pipe (FIFO), not a regular file"),
        "{}",
        stderr(&out)
    );
    let out = run_guarded(dir.path(), &["probe", "ep.mp3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("named pipe (FIFO)"),
        "{}",
        stderr(&out)
    );
    // Named in the front matter, for `build`.
    std::fs::write(
        dir.path().join("fm.md"),
        format!("+++\naudio = \"ep.mp3\"\n+++\n{NOTES}"),
    )
    .unwrap();
    let out = run_guarded(dir.path(), &["build", "fm.md", "--out", "out"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("named pipe (FIFO)"),
        "{}",
        stderr(&out)
    );
    assert!(!dir.path().join("out").exists());
}

#[test]
fn defect5_a_fifo_as_notes_is_refused_without_hanging() {
    let dir = tempfile::tempdir().unwrap();
    mkfifo(&dir.path().join("ep.md"));
    for args in [
        &["check", "ep.md"][..],
        &["links", "ep.md"],
        &["build", "ep.md"],
        &["context", "ep.md"],
        &["chapters", "ep.md", "--to", "json"],
    ] {
        let out = run_guarded(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        let err = stderr(&out);
        assert!(
            err.contains(
                "error: cannot read `ep.md`: it is a named pipe (FIFO), not a regular file"
            ),
            "{args:?}: {err}"
        );
        assert!(err.contains("help: ") && err.contains("`-`"), "{err}");
    }
}

#[test]
fn defect5_a_fifo_as_config_or_template_is_refused_without_hanging() {
    let dir = episode();
    mkfifo(&dir.path().join("pipe.toml"));
    let out = run_guarded(dir.path(), &["check", "ep.md", "--config", "pipe.toml"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "pipe.toml: cannot read the config: it is a named pipe (FIFO), not a regular file"
        ),
        "{}",
        stderr(&out)
    );
    // Found by walking up, too.
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    mkfifo(&dir.path().join("shownotes.toml"));
    let out = run_guarded(dir.path(), &["check", "ep.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("named pipe (FIFO)"),
        "{}",
        stderr(&out)
    );
    // A template.
    std::fs::remove_file(dir.path().join("shownotes.toml")).unwrap();
    std::fs::write(dir.path().join("shownotes.toml"), "").unwrap();
    std::fs::create_dir(dir.path().join("templates")).unwrap();
    mkfifo(&dir.path().join("templates/youtube.txt.j2"));
    let out = run_guarded(
        dir.path(),
        &["build", "ep.md", "--platform", "youtube", "--out", "-"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("cannot read the template: it is a named pipe (FIFO)"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn defect5_a_fifo_named_md_in_a_checked_folder_is_skipped_unopened() {
    let dir = episode();
    mkfifo(&dir.path().join("pipe.md"));
    let out = run_guarded(dir.path(), &["check", "."]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(
        err.contains("warning: skipped `./pipe.md`: it is a named pipe (FIFO), not a regular file"),
        "{err}"
    );
    assert!(err.contains("checked 1 file: 0 errors"), "{err}");
}

#[test]
fn defect5_a_symlink_to_dev_zero_is_refused_as_notes_and_as_audio() {
    let dir = episode();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.md")).unwrap();
    std::os::unix::fs::symlink("/dev/zero", dir.path().join("zero.mp3")).unwrap();
    for args in [
        &["check", "zero.md"][..],
        &["links", "zero.md"],
        &["build", "zero.md"],
    ] {
        let out = run_guarded(dir.path(), args);
        assert_eq!(out.status.code(), Some(2), "{args:?}: {}", stderr(&out));
        assert!(
            stderr(&out)
                .contains("cannot read `zero.md`: it is a character device, not a regular file"),
            "{args:?}: {}",
            stderr(&out)
        );
    }
    let out = run_guarded(dir.path(), &["check", "ep.md", "--audio", "zero.mp3"]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("`zero.mp3`: it is a character device, not a regular file"),
        "{}",
        stderr(&out)
    );
    let out = run_guarded(dir.path(), &["probe", "zero.mp3"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("character device"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn defect5_notes_over_50_mb_are_refused_naming_file_size_and_cap() {
    let dir = tempfile::tempdir().unwrap();
    let big = dir.path().join("big.md");
    let f = std::fs::File::create(&big).unwrap();
    f.set_len(50_000_001).unwrap();
    drop(f);
    let out = run_guarded(dir.path(), &["check", "big.md"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains(
            "error: cannot read `big.md`: it is 50000001 bytes, over the 50 MB (50000000 bytes) limit for an input"
        ),
        "{}",
        stderr(&out)
    );
    // The same cap on stdin.
    let child = bin()
        .args(["links", "-"])
        .current_dir(dir.path())
        .stdin(std::fs::File::open(&big).unwrap())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_guarded(child, "links -");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: stdin holds more than the 50 MB limit for an input"),
        "{}",
        stderr(&out)
    );
}

#[test]
fn defect5_the_cap_on_text_spares_an_mp3_read_for_its_chapters() {
    // An episode's MP3 is often over 50 MB; its chapters are in its tag,
    // and only the tag is read.
    let dir = tempfile::tempdir().unwrap();
    let example = fixture("example");
    let out = run(
        dir.path(),
        &[
            "embed",
            example.join("episode-17.mp3").to_str().unwrap(),
            "--chapters",
            example.join("episode-17.md").to_str().unwrap(),
            "-o",
            "big.mp3",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let f = std::fs::OpenOptions::new()
        .write(true)
        .open(dir.path().join("big.mp3"))
        .unwrap();
    f.set_len(60_000_000).unwrap();
    drop(f);
    let out = run_guarded(dir.path(), &["chapters", "big.mp3", "--to", "youtube"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).starts_with("0:00 Intro\n"), "{}", stdout(&out));
}

/// The stdin spools in `tmp`.
fn spools(tmp: &Path) -> Vec<PathBuf> {
    std::fs::read_dir(tmp)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .unwrap()
                .to_string_lossy()
                .starts_with(".shownotes-tmp-")
        })
        .collect()
}

#[test]
fn defect5_probe_stdin_is_capped_and_its_spool_never_left_behind() {
    let dir = tempfile::tempdir().unwrap();
    let tmp = tempfile::tempdir().unwrap();
    // Over the cap: a clear error, and no spool left.
    let mut child = bin()
        .args(["probe", "-"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .env("SHOWNOTES_STDIN_CAP", "1000")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    // The child may stop reading at the cap: a broken pipe here is fine.
    let _ = input.write_all(&[0xAA; 3000]);
    drop(input);
    let out = wait_guarded(child, "probe -");
    assert_eq!(out.status.code(), Some(2));
    assert!(
        stderr(&out).contains("error: stdin holds more than the 1 kB limit for `probe -`"),
        "{}",
        stderr(&out)
    );
    assert_eq!(spools(tmp.path()), Vec::<PathBuf>::new());

    // Killed by SIGTERM while spooling endless stdin: the spool goes too.
    let mut child = bin()
        .args(["probe", "-"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut input = child.stdin.take().unwrap();
    input.write_all(&[0xAA; 4096]).unwrap();
    let start = Instant::now();
    while spools(tmp.path()).is_empty() {
        assert!(start.elapsed() < HANG_GUARD, "no spool appeared");
        std::thread::sleep(Duration::from_millis(20));
    }
    // SAFETY: a signal to the child this test started.
    assert_eq!(unsafe { libc::kill(child.id() as i32, libc::SIGTERM) }, 0);
    let start = Instant::now();
    let status = loop {
        if let Some(s) = child.try_wait().unwrap() {
            break s;
        }
        if start.elapsed() > HANG_GUARD {
            let _ = child.kill();
            panic!("`probe -` outlived SIGTERM");
        }
        std::thread::sleep(Duration::from_millis(20));
    };
    drop(input);
    use std::os::unix::process::ExitStatusExt;
    assert_eq!(status.signal(), Some(libc::SIGTERM), "{status:?}");
    assert_eq!(spools(tmp.path()), Vec::<PathBuf>::new());

    // A spool left by a run killed with SIGKILL (a process id that no
    // longer exists) is removed by the next `probe -`.
    let mut gone = std::process::Command::new("true").spawn().unwrap();
    let dead = gone.id();
    gone.wait().unwrap();
    let stale = tmp
        .path()
        .join(format!(".shownotes-tmp-spool-{dead}-abc123"));
    std::fs::write(&stale, b"old").unwrap();
    let audio = std::fs::File::open(fixture("audio/mp3-cbr-info.mp3")).unwrap();
    let child = bin()
        .args(["probe", "-"])
        .current_dir(dir.path())
        .env("TMPDIR", tmp.path())
        .stdin(audio)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let out = wait_guarded(child, "probe -");
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert!(stdout(&out).contains("<stdin>"), "{}", stdout(&out));
    assert_eq!(spools(tmp.path()), Vec::<PathBuf>::new());
}

#[test]
fn defect2_check_never_follows_a_symlink_out_of_the_folder() {
    let outside = tempfile::tempdir().unwrap();
    std::fs::write(
        outside.path().join("secret.md"),
        "TOKEN=hunter2-outside\n\nChapters\n0:00 A\n",
    )
    .unwrap();
    let dir = episode();
    std::os::unix::fs::symlink(
        outside.path().join("secret.md"),
        dir.path().join("linked.md"),
    )
    .unwrap();
    std::os::unix::fs::symlink("/proc/self/environ", dir.path().join("env.md")).unwrap();
    // A link inside the folder is still followed.
    std::os::unix::fs::symlink("ep.md", dir.path().join("again.md")).unwrap();
    let out = bin()
        .args(["check", "."])
        .current_dir(dir.path())
        .env("SHOWNOTES_CANARY", "hunter2-environ")
        .stdin(Stdio::null())
        .output()
        .unwrap();
    assert_no_panic(&out);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(0), "{err}");
    assert!(!err.contains("hunter2"), "{err}");
    assert!(!stdout(&out).contains("hunter2"));
    assert!(
        err.contains("warning: skipped `./linked.md`: a symbolic link to `"),
        "{err}"
    );
    assert!(err.contains("warning: skipped `./env.md`"), "{err}");
    assert!(err.contains("outside `.`"), "{err}");
    assert!(err.contains("checked 2 files: 0 errors"), "{err}");
}

/// Notes in `root/a/b/repo/` (a git checkout), and a config planted three
/// levels above it that adds a footer.
fn planted() -> (tempfile::TempDir, PathBuf) {
    let root = tempfile::tempdir().unwrap();
    let repo = root.path().join("a/b/repo");
    std::fs::create_dir_all(repo.join(".git")).unwrap();
    std::fs::write(repo.join("ep.md"), NOTES).unwrap();
    std::fs::write(
        root.path().join("shownotes.toml"),
        "[show]\nfooter = \"PLANTED-FOOTER\"\n",
    )
    .unwrap();
    (root, repo)
}

#[test]
fn defect6_a_config_planted_above_the_repository_or_home_is_not_applied() {
    let (root, repo) = planted();
    let build = |dir: &Path, home: &Path| {
        let out = bin()
            .args(["build", "ep.md", "--platform", "youtube", "--out", "-"])
            .current_dir(dir)
            .env("HOME", home)
            .output()
            .unwrap();
        assert_no_panic(&out);
        assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
        stdout(&out)
    };
    let elsewhere = tempfile::tempdir().unwrap();
    assert!(!build(&repo, elsewhere.path()).contains("PLANTED"));
    // The repository's own config (at its top) is applied.
    std::fs::write(
        repo.join("shownotes.toml"),
        "[show]\nfooter = \"OWN-FOOTER\"\n",
    )
    .unwrap();
    assert!(build(&repo, elsewhere.path()).contains("OWN-FOOTER"));
    // Without `.git`, the home folder is where the search stops.
    let home = root.path().join("home");
    let show = home.join("show");
    std::fs::create_dir_all(&show).unwrap();
    std::fs::write(show.join("ep.md"), NOTES).unwrap();
    assert!(!build(&show, &home).contains("PLANTED"));
    std::fs::write(
        home.join("shownotes.toml"),
        "[show]\nfooter = \"HOME-FOOTER\"\n",
    )
    .unwrap();
    assert!(build(&show, &home).contains("HOME-FOOTER"));
}

#[test]
fn defect6_a_config_others_can_write_or_own_is_refused() {
    use std::os::unix::fs::PermissionsExt;
    let (_root, repo) = planted();
    let config = repo.join("shownotes.toml");
    std::fs::write(&config, "[show]\nfooter = \"OWN-FOOTER\"\n").unwrap();
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o666)).unwrap();
    let out = run(&repo, &["check", "ep.md"]);
    let err = stderr(&out);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let shown = config.display().to_string();
    assert!(
        err.contains(&format!(
            "error: {shown}: refusing this config: anyone can write it (mode 666)"
        )),
        "{err}"
    );
    assert!(err.contains(&format!("chmod go-w {shown}")), "{err}");
    // Named with `--config`, the user trusts it.
    let out = run(&repo, &["check", "ep.md", "--config", "shownotes.toml"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    std::fs::set_permissions(&config, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert_eq!(run(&repo, &["check", "ep.md"]).status.code(), Some(0));
    // Another user's file (only root can make one here).
    // SAFETY: geteuid has no arguments and cannot fail.
    if unsafe { libc::geteuid() } == 0 {
        std::os::unix::fs::chown(&config, Some(4242), None).unwrap();
        let out = run(&repo, &["check", "ep.md"]);
        let err = stderr(&out);
        assert_eq!(out.status.code(), Some(2), "{err}");
        assert!(
            err.contains(
                "refusing this config: it belongs to another user (uid 4242; you are uid 0)"
            ),
            "{err}"
        );
        assert!(err.contains(&format!("--config {shown}")), "{err}");
    }
}

#[test]
fn defect6_checks_summary_names_the_config_it_used() {
    let (_root, repo) = planted();
    let out = run(&repo, &["check", "ep.md"]);
    assert!(
        stderr(&out).ends_with("checked 1 file: 0 errors, 0 warnings\n"),
        "{}",
        stderr(&out)
    );
    std::fs::write(repo.join("shownotes.toml"), "").unwrap();
    let out = run(&repo, &["check", "."]);
    assert!(
        stderr(&out).ends_with("checked 1 file: 0 errors, 0 warnings (config: shownotes.toml)\n"),
        "{}",
        stderr(&out)
    );
    let out = run(repo.parent().unwrap(), &["check", "repo"]);
    assert!(
        stderr(&out).contains("(config: repo/shownotes.toml)"),
        "{}",
        stderr(&out)
    );
}
