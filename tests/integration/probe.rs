//! `shownotes probe` against the fixtures in `fixtures/audio/` (made by
//! `fixtures/audio/make.sh`; every good fixture is 4.3 s of audio).

use std::ffi::OsStr;
use std::path::PathBuf;
use std::process::Output;

use serde_json::Value;

use crate::support::{self, json, run, stderr, stdout};

/// The true length of every good fixture (README.md there).
const TRUTH_MS: u64 = 4_300;
/// One codec frame (issue 3): the most a duration may be off.
const TOLERANCE_MS: u64 = 50;

fn fixture(name: &str) -> PathBuf {
    support::fixture("audio").join(name)
}

/// `shownotes ARGS FILES…` (the files are absolute paths).
fn shownotes(args: &[&str], files: &[PathBuf]) -> Output {
    let args: Vec<&OsStr> = args
        .iter()
        .map(OsStr::new)
        .chain(files.iter().map(|f| f.as_os_str()))
        .collect();
    run(support::root(), &args)
}

/// Probes one file as JSON and returns its object.
fn probe_json(name: &str, fast: bool) -> (Value, Output) {
    let mut args = vec!["probe", "--format", "json"];
    if fast {
        args.push("--fast");
    }
    let out = shownotes(&args, &[fixture(name)]);
    let v: Value = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{name}: JSON: {e}\n{}", stdout(&out)));
    let arr = v.as_array().expect("an array");
    assert_eq!(arr.len(), 1, "{name}");
    (arr[0].clone(), out)
}

/// (file, container, codec, sample rate, exactly the truth?) — `false`
/// where the file declares no encoder delay and padding (no LAME tag), so
/// they stay in the length.
const GOOD: &[(&str, &str, &str, u64, bool)] = &[
    ("mp3-cbr-info.mp3", "mp3", "mp3", 44_100, true),
    ("mp3-vbr-xing.mp3", "mp3", "mp3", 44_100, true),
    ("mp3-vbr-xing-id3v2.mp3", "mp3", "mp3", 44_100, true),
    ("mp3-vbr-xing-22k.mp3", "mp3", "mp3", 22_050, true),
    ("mp3-cbr-noxing.mp3", "mp3", "mp3", 44_100, false),
    ("mp3-vbr-noxing.mp3", "mp3", "mp3", 44_100, false),
    ("aac.m4a", "mp4", "aac", 44_100, true),
    ("aac-faststart.m4a", "mp4", "aac", 44_100, true),
    ("vorbis.ogg", "ogg", "vorbis", 44_100, true),
    ("opus.opus", "ogg", "opus", 48_000, true),
    ("flac.flac", "flac", "flac", 8_000, true),
    ("pcm.wav", "wav", "pcm_s16le", 8_000, true),
];

#[test]
fn every_fixture_is_within_one_frame_of_the_truth_in_both_modes() {
    for &(name, container, codec, rate, exact) in GOOD {
        for fast in [false, true] {
            let (v, out) = probe_json(name, fast);
            assert!(out.status.success(), "{name}: {}", stderr(&out));
            let ms = v["duration_ms"].as_u64().unwrap();
            let err = ms.abs_diff(TRUTH_MS);
            assert!(err <= TOLERANCE_MS, "{name} fast={fast}: {ms} ms");
            if exact {
                assert!(err <= 1, "{name} fast={fast}: {ms} ms, expected {TRUTH_MS}");
            } else {
                // Encoder delay and padding undeclared: the coded length.
                assert!(ms >= TRUTH_MS, "{name} fast={fast}: {ms} ms");
            }
            assert_eq!(v["container"], container, "{name}");
            assert_eq!(v["codec"], codec, "{name}");
            assert_eq!(v["sample_rate"], rate, "{name}");
            assert_eq!(v["channels"], 1, "{name}");
            assert_eq!(v["exact"], true, "{name}");
        }
    }
}

#[test]
fn json_has_exactly_the_documented_fields() {
    let (v, _) = probe_json("mp3-vbr-xing.mp3", false);
    let obj = v.as_object().unwrap();
    let mut keys: Vec<&str> = obj.keys().map(String::as_str).collect();
    keys.sort();
    assert_eq!(
        keys,
        [
            "bytes",
            "channels",
            "codec",
            "container",
            "duration",
            "duration_ms",
            "exact",
            "path",
            "sample_rate"
        ]
    );
    let path = fixture("mp3-vbr-xing.mp3");
    assert_eq!(v["path"], path.to_str().unwrap());
    assert_eq!(v["container"], "mp3");
    assert_eq!(v["codec"], "mp3");
    assert_eq!(v["duration_ms"], 4_300);
    assert_eq!(v["duration"], "00:00:04.300");
    assert_eq!(v["exact"], true);
    assert_eq!(v["sample_rate"], 44_100);
    assert_eq!(v["channels"], 1);
    assert_eq!(v["bytes"], std::fs::metadata(&path).unwrap().len());
}

#[test]
fn json_is_one_array_for_many_files() {
    let files: Vec<PathBuf> = GOOD.iter().map(|g| fixture(g.0)).collect();
    let out = shownotes(&["probe", "--format", "json"], &files);
    assert!(out.status.success(), "{}", stderr(&out));
    let v = json(&out);
    let arr = v.as_array().unwrap();
    assert_eq!(arr.len(), GOOD.len());
    for (obj, file) in arr.iter().zip(&files) {
        assert_eq!(obj["path"], file.to_str().unwrap());
        let ms = obj["duration_ms"].as_u64().unwrap();
        let shown = obj["duration"].as_str().unwrap();
        assert_eq!(shown, format!("00:00:{:02}.{:03}", ms / 1000, ms % 1000));
    }
}

#[test]
fn text_is_an_aligned_table() {
    let files = [fixture("mp3-vbr-xing.mp3"), fixture("pcm.wav")];
    let out = shownotes(&["probe"], &files);
    assert!(out.status.success(), "{}", stderr(&out));
    let text = stdout(&out);
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 3, "{text}");
    for word in [
        "PATH",
        "CONTAINER",
        "CODEC",
        "DURATION",
        "EXACT",
        "RATE",
        "CHANNELS",
        "BYTES",
    ] {
        assert!(lines[0].contains(word), "{text}");
    }
    assert!(lines[1].contains("mp3-vbr-xing.mp3") && lines[1].contains("00:00:04.300"));
    assert!(lines[2].contains("pcm.wav") && lines[2].contains("pcm_s16le"));
    // Columns line up: each header word starts where its values start.
    let at = |l: &str, w: &str| l.find(w).unwrap();
    assert_eq!(at(lines[0], "DURATION"), at(lines[1], "00:00:04.300"));
    assert_eq!(at(lines[0], "DURATION"), at(lines[2], "00:00:04.300"));
    assert_eq!(at(lines[0], "CONTAINER"), at(lines[2], " wav ") + 1);
}

#[test]
fn a_header_estimate_is_overruled_by_the_walk() {
    // No Xing header and a silent start: symphonia's estimate from the first
    // frames is far too long. Both modes walk (there is no authoritative
    // header). The estimate is no claim the file makes, so a walk that
    // differs is no sign of damage: no `audio-header-mismatch`.
    for fast in [false, true] {
        let (v, out) = probe_json("mp3-vbr-noxing.mp3", fast);
        assert!(out.status.success());
        assert!(v["duration_ms"].as_u64().unwrap().abs_diff(TRUTH_MS) <= TOLERANCE_MS);
        let err = stderr(&out);
        assert!(!err.contains("audio-header-mismatch"), "{err}");
        assert!(!err.contains("damaged"), "{err}");
    }
}

#[test]
fn truncated_files_give_the_walked_length_and_a_mismatch() {
    // (file, does its header still claim the full length?)
    let cut = [
        ("cut-mp3-vbr-xing.mp3", true),
        ("cut-flac.flac", true),
        ("cut-pcm.wav", true),
        // Ogg: the length is the last page's granule, and it is gone.
        ("cut-vorbis.ogg", false),
        ("cut-opus.opus", false),
    ];
    for (name, claims) in cut {
        let (v, out) = probe_json(name, false);
        assert!(out.status.success(), "{name}: {}", stderr(&out));
        let ms = v["duration_ms"].as_u64().unwrap();
        assert!(
            (1_500..2_800).contains(&ms),
            "{name}: {ms} ms is not about half"
        );
        let err = stderr(&out);
        assert_eq!(
            err.contains("warning[audio-header-mismatch]"),
            claims,
            "{name}: {err}"
        );
        if claims {
            assert!(err.contains(name) && err.contains("00:00:04.300"), "{err}");
        }
    }
}

#[test]
fn a_cut_wav_counts_only_the_frames_it_holds() {
    // 44-byte header (ffmpeg -bitexact), then 16-bit mono frames at 8 kHz.
    let bytes = std::fs::metadata(fixture("cut-pcm.wav")).unwrap().len();
    let frames = (bytes - 44) / 2;
    let (v, _) = probe_json("cut-pcm.wav", false);
    assert_eq!(v["duration_ms"], (frames * 1000 + 4_000) / 8_000);
}

#[test]
fn fast_trusts_authoritative_headers_unless_the_file_is_too_short_for_them() {
    // The documented cost of --fast: a cut FLAC still claims 4.3 s
    // (STREAMINFO has no byte count to check against the file).
    let (v, _) = probe_json("cut-flac.flac", true);
    assert_eq!(v["duration_ms"], 4_300);
    // A Xing stream size or WAV data size beyond the end of the file is not
    // trusted: the file is walked.
    for name in ["cut-mp3-vbr-xing.mp3", "cut-pcm.wav"] {
        let (v, out) = probe_json(name, true);
        assert!(v["duration_ms"].as_u64().unwrap() < 2_800, "{name}");
        assert!(stderr(&out).contains("warning[audio-header-mismatch]"));
    }
}

fn assert_unreadable(out: &Output, name: &str, code: &str, reason: &str) {
    let err = stderr(out);
    assert_eq!(out.status.code(), Some(2), "{name}: {err}");
    assert!(
        err.contains(&format!("error[{code}]")),
        "{name}: no `{code}`: {err}"
    );
    assert!(err.contains(name), "{name}: the file is not named: {err}");
    assert!(err.contains(reason), "{name}: no `{reason}`: {err}");
    assert!(!err.contains("panicked"), "{name}: {err}");
}

#[test]
fn bad_files_are_named_with_a_reason_and_exit_2() {
    let bad = [
        ("cut-aac.m4a", "the index (`moov`) is missing"),
        ("cut-aac-faststart.m4a", "cut short"),
        ("random.mp3", "not a supported audio file"),
        ("empty.mp3", "the file is empty"),
        ("id3-only.mp3", "only an ID3 tag"),
    ];
    for (name, reason) in bad {
        for fast in [false, true] {
            let args: &[&str] = if fast {
                &["probe", "--fast"]
            } else {
                &["probe"]
            };
            let out = shownotes(args, &[fixture(name)]);
            assert_unreadable(&out, name, "audio-unreadable", reason);
            assert!(out.stdout.is_empty(), "{name}: {}", stdout(&out));
        }
    }
}

#[test]
fn a_directory_and_a_missing_path_are_errors() {
    let dir = fixture("");
    let out = shownotes(&["probe"], &[dir]);
    assert_unreadable(&out, "fixtures/audio", "audio-unreadable", "directory");

    let missing = fixture("no-such-episode.mp3");
    let out = shownotes(&["probe"], &[missing]);
    assert_unreadable(
        &out,
        "no-such-episode.mp3",
        "audio-missing",
        "does not exist",
    );
}

#[test]
fn a_file_without_read_permission_is_an_error() {
    use std::os::unix::fs::PermissionsExt;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("locked.mp3");
    std::fs::copy(fixture("mp3-vbr-xing.mp3"), &path).unwrap();
    std::fs::set_permissions(&path, std::fs::Permissions::from_mode(0o000)).unwrap();
    if std::fs::File::open(&path).is_ok() {
        // Running as root: permissions do not stop reads. Nothing to test.
        eprintln!("skipped: files without read permission are readable here (root?)");
        return;
    }
    let out = shownotes(&["probe"], &[path]);
    assert_unreadable(&out, "locked.mp3", "audio-unreadable", "permission denied");
}

#[test]
fn good_files_are_still_printed_when_others_fail() {
    let files = [
        fixture("random.mp3"),
        fixture("opus.opus"),
        fixture("no-such-episode.mp3"),
    ];
    let out = shownotes(&["probe", "--format", "json"], &files);
    assert_eq!(out.status.code(), Some(2));
    let v = json(&out);
    assert_eq!(v.as_array().unwrap().len(), 1);
    assert_eq!(v[0]["codec"], "opus");
    let err = stderr(&out);
    assert!(err.contains("random.mp3") && err.contains("no-such-episode.mp3"));
    assert!(err.contains("2 of 3 files could not be read"), "{err}");
}

#[test]
fn no_file_is_a_usage_error() {
    let out = shownotes(&["probe"], &[]);
    assert_eq!(out.status.code(), Some(2));
}
