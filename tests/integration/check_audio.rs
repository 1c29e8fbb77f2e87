//! `check` with the episode's audio: `--audio`, front matter `audio`, and
//! the `audio-*` and audio-bound chapter findings (fixtures/audio holds
//! 4.3 s files).

use std::path::{Path, PathBuf};

use crate::support::{self, code, json, run};

fn audio(name: &str) -> PathBuf {
    support::fixture("audio").join(name)
}

fn check(dir: &Path, args: &[&str]) -> (i32, Vec<(String, String)>) {
    let out = run(dir, &[&["check"], args, &["--format", "json"]].concat());
    let code = code(&out);
    // Exit 2 with a report: audio that can't be read (the JSON is printed).
    if code == 2 && out.stdout.is_empty() {
        return (
            2,
            vec![("stderr".into(), String::from_utf8_lossy(&out.stderr).into())],
        );
    }
    let diags = json(&out)["files"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|f| f["diagnostics"].as_array().unwrap().clone())
        .map(|d| {
            (
                d["code"].as_str().unwrap().to_string(),
                d["message"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    (code, diags)
}

fn codes(d: &[(String, String)]) -> Vec<&str> {
    d.iter().map(|(c, _)| c.as_str()).collect()
}

const SHORT: &str = "Chapters\n0:00 Intro\n0:01 Middle\n0:12 Late\n";

#[test]
fn chapters_are_checked_against_the_audio() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        "Chapters\n0:00 Intro\n0:01 Two\n0:03 Three\n",
    )
    .unwrap();
    let a = audio("mp3-vbr-xing.mp3");
    let (code, d) = check(dir.path(), &["ep.md", "--audio", a.to_str().unwrap()]);
    assert_eq!(code, 1);
    // Intro lasts 1 s, Two 2 s, Three 1.3 s to the end of the 4.3 s audio.
    assert_eq!(codes(&d), ["chapter-too-short"; 3]);
    assert!(d[2].1.contains("1.300 s to the audio's end"), "{}", d[2].1);

    std::fs::write(dir.path().join("ep.md"), SHORT).unwrap();
    let (_, d) = check(dir.path(), &["ep.md", "--audio", a.to_str().unwrap()]);
    assert!(codes(&d).contains(&"chapter-past-end"), "{d:?}");
    assert!(d.iter().any(|(_, m)| m.contains("`00:00:04.300`")), "{d:?}");
}

#[test]
fn front_matter_audio_is_relative_to_the_notes_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("ep")).unwrap();
    std::fs::copy(audio("opus.opus"), dir.path().join("ep/ep.opus")).unwrap();
    std::fs::write(
        dir.path().join("ep/notes.md"),
        format!("+++\naudio = \"ep.opus\"\n+++\n{SHORT}"),
    )
    .unwrap();
    let (code, d) = check(dir.path(), &["ep"]);
    assert_eq!(code, 1);
    assert!(codes(&d).contains(&"chapter-past-end"), "{d:?}");
}

#[test]
fn bad_audio_is_a_finding_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("ep.md"),
        "Chapters\n0:00 A\n0:20 B\n0:40 C\n",
    )
    .unwrap();
    for (file, code, why) in [
        ("nope.mp3", "audio-missing", "does not exist"),
        ("random.mp3", "audio-unreadable", "random.mp3"),
        ("empty.mp3", "audio-unreadable", "empty.mp3"),
        ("id3-only.mp3", "audio-unreadable", "id3-only.mp3"),
        ("cut-aac.m4a", "audio-unreadable", "cut-aac.m4a"),
    ] {
        let p = audio(file);
        let (exit, d) = check(dir.path(), &["ep.md", "--audio", p.to_str().unwrap()]);
        assert_eq!(exit, 2, "{file}: audio that can't be read is exit 2");
        assert_eq!(codes(&d), [code], "{file}");
        assert!(d[0].1.contains(why), "{file}: {}", d[0].1);
    }
}

#[test]
fn a_truncated_upload_warns_header_mismatch() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("ep.md"), "Chapters\n0:00 A\n").unwrap();
    let p = audio("cut-mp3-vbr-xing.mp3");
    let (_, d) = check(dir.path(), &["ep.md", "--audio", p.to_str().unwrap()]);
    assert!(codes(&d).contains(&"audio-header-mismatch"), "{d:?}");
    let (_, m) = d
        .iter()
        .find(|(c, _)| c == "audio-header-mismatch")
        .unwrap();
    assert!(m.contains("`00:00:04.300`"), "{m}");
}

#[test]
fn audio_goes_with_one_notes_file() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("a.md"), SHORT).unwrap();
    std::fs::write(dir.path().join("b.md"), SHORT).unwrap();
    let p = audio("pcm.wav");
    let (code, d) = check(
        dir.path(),
        &["a.md", "b.md", "--audio", p.to_str().unwrap()],
    );
    assert_eq!(code, 2);
    assert!(
        d[0].1.contains("`--audio` goes with one notes file"),
        "{d:?}"
    );
}
