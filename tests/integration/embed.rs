//! `shownotes embed` against real consumers: FFmpeg reads the chapters we
//! write into MP3s, we read the chapters FFmpeg writes, and the audio
//! stream's checksum does not change.
//!
//! The MP3s are made at test time with `ffmpeg -f lavfi -i sine=d=60`.
//! Without ffmpeg on the PATH these tests say so and pass; CI installs it
//! (Debian package `ffmpeg`, which brings `ffprobe`).

use std::ffi::OsStr;
use std::path::{Path, PathBuf};
use std::process::Command;

use shownotes::chapter::Chapter;
use shownotes::formats;
use shownotes::formats::{ffmetadata, id3, json};
use shownotes::timestamp::Timestamp;

use crate::ffmpeg::{self, audio_md5, probe, probe_chapters};
use crate::support::run;

/// A 60 s mono sine MP3 with a title and artist in an ID3v2.`version` tag.
fn make_mp3(dir: &Path, name: &str, version: u8) -> PathBuf {
    let path = dir.join(name);
    let version = version.to_string();
    ffmpeg::sine_mp3(
        &path,
        60,
        &[
            "-metadata",
            "title=Episode Title",
            "-metadata",
            "artist=Netstack.FM",
            "-id3v2_version",
            &version,
        ],
    );
    path
}

fn chapter_list() -> Vec<Chapter> {
    let titles = [
        "Intro",
        "key=value; #hash \\ \"quoted\"",
        "<b>tags</b> & ampersands",
        "emoji 🎙️ and 日本語, Ελληνικά",
        "Outro",
    ];
    titles
        .iter()
        .enumerate()
        .map(|(i, t)| {
            let mut c = Chapter::new(Timestamp::from_ms(i as u64 * 11_250), *t);
            if i == 2 {
                c.url = Some("https://example.com/a?b=1&c=2".into());
            }
            c
        })
        .collect()
}

#[test]
fn ffprobe_reads_what_embed_wrote_and_the_audio_is_unchanged() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    for version in [3u8, 4] {
        let mp3 = make_mp3(dir.path(), &format!("in{version}.mp3"), version);
        let list = chapter_list();
        let src = dir.path().join("chapters.json");
        std::fs::write(&src, formats::write(json::JSON, &list, None).unwrap()).unwrap();
        let out = dir.path().join(format!("out{version}.mp3"));
        let o = run(
            dir.path(),
            &[
                OsStr::new("embed"),
                mp3.as_os_str(),
                OsStr::new("--chapters"),
                src.as_os_str(),
                OsStr::new("-o"),
                out.as_os_str(),
            ],
        );
        assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
        assert!(String::from_utf8_lossy(&o.stderr).contains("wrote 5 chapters"));

        let v = probe(&out);
        let got = probe_chapters(&v);
        let want: Vec<(u64, String)> = list
            .iter()
            .map(|c| (c.start.as_ms(), c.title.clone()))
            .collect();
        assert_eq!(got, want, "ID3v2.{version}");
        // The last chapter ends at the audio's end.
        let last_end: f64 = v["chapters"][4]["end_time"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap();
        let duration: f64 = v["format"]["duration"].as_str().unwrap().parse().unwrap();
        assert!(
            (last_end - duration).abs() < 0.1,
            "{last_end} vs {duration}"
        );
        // The other tags are kept, and so is the tag version.
        assert_eq!(v["format"]["tags"]["title"], "Episode Title");
        assert_eq!(v["format"]["tags"]["artist"], "Netstack.FM");
        assert_eq!(std::fs::read(&out).unwrap()[3], version);
        // The audio is copied byte for byte.
        assert_eq!(audio_md5(&mp3), audio_md5(&out));
        // And we read back what we wrote, URL included.
        let back = formats::read(id3::ID3, &out).unwrap().chapters;
        assert_eq!(back.len(), 5);
        assert_eq!(
            back[2].url.as_deref(),
            Some("https://example.com/a?b=1&c=2")
        );
        assert_eq!(back[3].title, list[3].title);
    }
}

#[test]
fn ffmpeg_merges_our_ffmetadata_and_we_read_its_id3_chapters() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "a.mp3", 4);
    let list = chapter_list();
    let meta = dir.path().join("chapters.txt");
    let text = formats::write(
        ffmetadata::FFMETADATA,
        &list,
        Some(Timestamp::from_ms(60_000)),
    )
    .unwrap();
    std::fs::write(&meta, text).unwrap();
    let out = dir.path().join("merged.mp3");
    ffmpeg::ok(
        Command::new("ffmpeg")
            .args(["-v", "error", "-y", "-i"])
            .arg(&mp3)
            .arg("-i")
            .arg(&meta)
            .args(["-map_metadata", "1", "-c", "copy"])
            .arg(&out),
    );
    let got = probe_chapters(&probe(&out));
    let want: Vec<(u64, String)> = list
        .iter()
        .map(|c| (c.start.as_ms(), c.title.clone()))
        .collect();
    assert_eq!(got, want, "ffprobe reads our ffmetadata, escapes undone");

    // FFmpeg wrote ID3v2 CHAP/CTOC frames: our reader reads them.
    let bytes = std::fs::read(&out).unwrap();
    assert_eq!(formats::guess(Some(&out), &bytes), Some(id3::ID3));
    let parsed = formats::read(id3::ID3, &bytes).unwrap();
    assert!(parsed.warnings.is_empty());
    let back: Vec<(u64, String)> = parsed
        .chapters
        .iter()
        .map(|c| (c.start.as_ms(), c.title.clone()))
        .collect();
    assert_eq!(back, want);
    assert_eq!(parsed.chapters[4].end, Some(Timestamp::from_ms(60_000)));
}

#[test]
fn in_place_rewrites_the_input_and_keeps_its_permissions() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "ep.mp3", 4);
    let md5 = audio_md5(&mp3);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        std::fs::set_permissions(&mp3, std::fs::Permissions::from_mode(0o640)).unwrap();
    }
    let src = dir.path().join("chapters.txt");
    std::fs::write(
        &src,
        "00:00:00.000 Intro\n00:00:20.000 Middle <https://e.example/>\n00:00:40.000 End\n",
    )
    .unwrap();
    let o = run(
        dir.path(),
        &[
            OsStr::new("embed"),
            mp3.as_os_str(),
            OsStr::new("--chapters"),
            src.as_os_str(),
            OsStr::new("--in-place"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = probe_chapters(&probe(&mp3));
    assert_eq!(
        got.iter().map(|c| c.1.as_str()).collect::<Vec<_>>(),
        ["Intro", "Middle", "End"]
    );
    assert_eq!(audio_md5(&mp3), md5);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(&mp3).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
    }
    // Embedding again replaces the chapters rather than adding to them.
    std::fs::write(&src, "0:00 One\n0:30 Two\n").unwrap();
    let o = run(
        dir.path(),
        &[
            OsStr::new("embed"),
            mp3.as_os_str(),
            OsStr::new("--chapters"),
            src.as_os_str(),
            OsStr::new("--in-place"),
        ],
    );
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let got = probe_chapters(&probe(&mp3));
    assert_eq!(got, [(0, "One".to_string()), (30_000, "Two".to_string())]);
    assert_eq!(audio_md5(&mp3), md5);
    // No temporary file is left behind.
    let left: Vec<_> = std::fs::read_dir(dir.path())
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    assert_eq!(left.len(), 2, "{left:?}");
}

#[test]
fn embed_refuses_to_overwrite_or_write_bad_chapters() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "ep.mp3", 4);
    let before = std::fs::read(&mp3).unwrap();
    let src = dir.path().join("c.txt");
    std::fs::write(&src, "0:00 Intro\n0:30 Middle\n").unwrap();
    let embed = |extra: &[&OsStr]| {
        let mut args: Vec<&OsStr> = vec![
            OsStr::new("embed"),
            mp3.as_os_str(),
            OsStr::new("--chapters"),
            src.as_os_str(),
        ];
        args.extend(extra);
        run(dir.path(), &args)
    };
    // -o naming the input.
    let o = embed(&[OsStr::new("-o"), mp3.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&o.stderr).contains("--in-place"));
    // Neither -o nor --in-place.
    assert_eq!(embed(&[]).status.code(), Some(2));
    assert_eq!(std::fs::read(&mp3).unwrap(), before);

    // A chapter past the audio's end: findings, nothing written.
    std::fs::write(&src, "0:00 Intro\n0:30 Middle\n1:30 Too late\n").unwrap();
    let out = dir.path().join("out.mp3");
    let o = embed(&[OsStr::new("-o"), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(1));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("chapter-past-end") && err.contains("c.txt:3:1"),
        "{err}"
    );
    assert!(!out.exists());

    // More than 255 chapters.
    let many: String = (0..300)
        .map(|i| format!("00:00:{:02}.{:03} Ch {i}\n", i / 10, (i % 10) * 100))
        .collect();
    std::fs::write(&src, many).unwrap();
    let o = embed(&[OsStr::new("-o"), out.as_os_str()]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("`300` chapters") && err.contains("255"),
        "{err}"
    );
    assert!(!out.exists());

    // Unreadable chapters name the file and line.
    std::fs::write(&src, "TRACK 01 AUDIO\n  INDEX 01 00:00:80\n").unwrap();
    let o = embed(&[
        OsStr::new("-o"),
        out.as_os_str(),
        OsStr::new("--from"),
        OsStr::new("cue"),
    ]);
    assert_eq!(o.status.code(), Some(2));
    let err = String::from_utf8_lossy(&o.stderr).to_string();
    assert!(
        err.contains("c.txt:2:12") && err.contains("frame `80` must be below 75"),
        "{err}"
    );

    // Not an MP3.
    let wav = dir.path().join("a.wav");
    ffmpeg::ok(&mut ffmpeg::lavfi("sine=d=1", &[], &wav));
    std::fs::write(&src, "0:00 Intro\n").unwrap();
    let o = run(
        dir.path(),
        &[
            OsStr::new("embed"),
            wav.as_os_str(),
            OsStr::new("--chapters"),
            src.as_os_str(),
            OsStr::new("-o"),
            out.as_os_str(),
        ],
    );
    assert_eq!(
        o.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(!out.exists());
}

#[test]
fn a_damaged_chap_frame_is_reported_by_frame_and_byte() {
    if !ffmpeg::available() {
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    let mp3 = make_mp3(dir.path(), "a.mp3", 4);
    let out = dir.path().join("b.mp3");
    let bytes =
        shownotes::mp3::embed::embed_bytes(&std::fs::read(&mp3).unwrap(), &chapter_list(), 60_000)
            .unwrap();
    std::fs::write(&out, &bytes).unwrap();
    assert_eq!(formats::read(id3::ID3, &out).unwrap().chapters.len(), 5);
    // Make the first CHAP frame claim more bytes than the tag has.
    let at = bytes.windows(4).position(|w| w == b"CHAP").unwrap();
    let mut bad = bytes.clone();
    bad[at + 4..at + 8].copy_from_slice(&[0x7F, 0x7F, 0x7F, 0x7F]);
    let e = formats::read(id3::ID3, &bad).unwrap_err();
    assert!(
        e.message()
            .contains(&format!("frame `CHAP` at byte {at} claims")),
        "{}",
        e.message()
    );
    // A file cut inside its tag.
    let e = formats::read(id3::ID3, &bytes[..at + 20]).unwrap_err();
    assert!(e.message().contains("claims"), "{}", e.message());
    // A CHAP start offset pointing past the end of the file.
    let mut bad = bytes.clone();
    let id_end = at + 10 + bad[at + 10..].iter().position(|&b| b == 0).unwrap() + 1;
    bad[id_end + 8..id_end + 12].copy_from_slice(&0x0FFF_FFFFu32.to_be_bytes());
    let e = formats::read(id3::ID3, &bad).unwrap_err();
    assert!(
        e.message().contains("past the end of the file"),
        "{}",
        e.message()
    );
}
