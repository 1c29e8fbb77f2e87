//! Writing chapters into an MP3's own metadata: ID3v2 CHAP frames and one
//! CTOC, the other frames of the tag kept byte for byte, the audio after
//! the tag copied byte for byte.
//!
//! Source: id3.org "id3v2-chapters-1.0":
//! CHAP = element ID, start ms, end ms, start and end offsets
//! (`0xFFFFFFFF`: use the times), sub-frames `TIT2` and `WXXX`; CTOC =
//! element ID, flags (bit 1 top-level, bit 0 ordered), an 8-bit entry
//! count, child IDs; IDs unique across CHAP and CTOC. Like FFmpeg, this
//! writes CTOC `toc` with flags 3 and CHAPs `ch0`…`chN`.
//!
//! The tag is written by hand rather than with the `id3` crate: that crate
//! decodes and re-encodes every frame of the tag, which changes the bytes
//! of frames we were asked to keep and fails the whole file on one frame it
//! cannot parse; here the other frames are copied as stored.

use std::fs::{self, File};
use std::io::{self, BufReader, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::Path;

use super::encode::{encode_frame, encode_text, encode_wxxx, syncsafe_bytes};
use super::frame;
use super::id3::{self, Tag};
use crate::chapter::{ends, Chapter};
use crate::diagnostic::io_reason;
use crate::error::{Error, ErrorKind, Result};
use crate::timestamp::{Style, Timestamp};

/// A CTOC's entry count is one byte (id3v2-chapters-1.0), so at most 255.
const MAX_CHAPTERS: usize = 255;

/// Zero bytes left after the frames, so that later edits fit in place.
const PADDING: usize = 1024;

/// What [`embed_file`] wrote.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Embedded {
    /// Chapters written.
    pub chapters: usize,
    /// Bytes of the new ID3v2 tag.
    pub tag_bytes: usize,
    /// Bytes of audio copied after it.
    pub audio_bytes: u64,
}

/// One chapter as it goes into a CHAP frame.
struct Planned {
    start: u32,
    end: u32,
    title: String,
    url: Option<String>,
    /// Listed in the table of contents (JSON `toc: false` chapters are not).
    toc: bool,
}

/// Sorts the chapters and gives each its end (the next chapter's start;
/// the last one's is `end_ms`, the audio's end).
fn plan(chapters: &[Chapter], end_ms: u64) -> Result<Vec<Planned>> {
    if chapters.is_empty() {
        return Err(
            Error::new(ErrorKind::Invalid, "there are no chapters to embed")
                .with_help("give a chapter list with `--chapters`"),
        );
    }
    if chapters.len() > MAX_CHAPTERS {
        return Err(Error::new(
            ErrorKind::Unsupported,
            format!(
                "`{}` chapters, but an ID3 table of contents (CTOC) holds at most {MAX_CHAPTERS}",
                chapters.len()
            ),
        )
        .with_help("merge chapters until there are 255 or fewer"));
    }
    // Titles without control or invisible characters, URLs through the
    // URL gate, as every chapter writer does.
    let mut sorted = crate::chapter::for_output(chapters);
    sorted.sort_by_key(|c| c.start);
    let audio_end = Timestamp::from_ms(end_ms);
    if let Some(c) = sorted.iter().find(|c| c.start >= audio_end) {
        return Err(Error::new(
            ErrorKind::Invalid,
            format!(
                "chapter `{}` starts at `{}`, at or after the audio's end `{}`",
                c.title,
                c.start,
                audio_end.display(Style::Precise)
            ),
        )
        .with_help("fix the chapter's time, or check that this is the right audio file"));
    }
    let ms = |t: Timestamp| {
        u32::try_from(t.as_ms()).map_err(|_| {
            Error::new(
                ErrorKind::Unsupported,
                format!(
                    "`{}` is past what ID3 chapters can hold (49 days)",
                    t.display(Style::Precise)
                ),
            )
        })
    };
    sorted
        .iter()
        .zip(ends(&sorted, Some(audio_end)))
        .map(|(c, end)| {
            Ok(Planned {
                start: ms(c.start)?,
                end: ms(end.unwrap_or(audio_end))?,
                title: c.title.trim().to_string(),
                url: c.url.clone(),
                toc: c.toc,
            })
        })
        .collect()
}

/// The new tag: the existing tag's other frames as stored, a CTOC, one
/// CHAP per chapter, padding. Keeps the existing tag's version (2.3 or
/// 2.4); a file without a tag gets an ID3v2.4 tag.
fn build_tag(existing: Option<&Tag>, chapters: &[Planned]) -> Result<Vec<u8>> {
    let version = match existing.map(|t| t.version) {
        Some(2) => {
            return Err(Error::new(
                ErrorKind::Unsupported,
                "the MP3 has an ID3v2.2 tag, which cannot hold chapters",
            )
            .with_help(
                "re-save its tag as ID3v2.3 or ID3v2.4 with a tag editor, then embed again",
            ))
        }
        Some(v) => v,
        None => 4,
    };
    let mut body = Vec::new();
    for f in existing.map_or(&[][..], |t| &t.frames[..]) {
        if &f.id != b"CHAP" && &f.id != b"CTOC" {
            body.extend(encode_frame(version, &f.id, f.flags, &f.data));
        }
    }
    // The CTOC lists the chapters shown in a table of contents; hidden
    // ones get a CHAP frame only. A CTOC lists at least one entry.
    let mut listed: Vec<usize> = (0..chapters.len()).filter(|&i| chapters[i].toc).collect();
    if listed.is_empty() {
        listed = (0..chapters.len()).collect();
    }
    let mut toc = b"toc\0".to_vec();
    toc.extend([0x03, listed.len() as u8]);
    for i in listed {
        toc.extend(format!("ch{i}\0").bytes());
    }
    body.extend(encode_frame(version, b"CTOC", [0, 0], &toc));
    for (i, c) in chapters.iter().enumerate() {
        let mut chap = format!("ch{i}\0").into_bytes();
        for n in [c.start, c.end, u32::MAX, u32::MAX] {
            chap.extend(n.to_be_bytes());
        }
        chap.extend(encode_frame(
            version,
            b"TIT2",
            [0, 0],
            &encode_text(version, &c.title),
        ));
        if let Some(url) = &c.url {
            chap.extend(encode_frame(version, b"WXXX", [0, 0], &encode_wxxx(url)));
        }
        body.extend(encode_frame(version, b"CHAP", [0, 0], &chap));
    }
    body.extend([0; PADDING]);
    if body.len() >= 1 << 28 {
        return Err(Error::new(
            ErrorKind::Unsupported,
            "the ID3v2 tag would be over 256 MiB, more than a tag can hold",
        )
        .with_help("remove large pictures from the tag"));
    }
    // Header flags cleared: no tag-wide unsynchronisation (FFmpeg would
    // apply it to our frames too), no extended header, no footer.
    let mut tag = b"ID3".to_vec();
    tag.extend([version, 0, 0]);
    tag.extend(syncsafe_bytes(body.len() as u32));
    tag.extend(body);
    Ok(tag)
}

/// Checks that MPEG audio follows the tag (`audio` holds its first bytes).
fn check_mp3(audio: &[u8], name: &str) -> Result<()> {
    if frame::starts_audio(audio) {
        return Ok(());
    }
    Err(Error::new(
        ErrorKind::Invalid,
        format!("`{name}` is not an MP3: no MPEG audio frame follows its ID3 tag"),
    )
    .with_help("`embed` writes ID3v2 chapters into MP3 files"))
}

/// The tag parser's error about the file `name`.
fn tag_error(name: &str, e: Error) -> Error {
    e.context(format_args!("`{name}`: "))
}

/// Embeds chapters into MP3 bytes; `end_ms` is the audio's end, where the
/// last chapter ends.
pub fn embed_bytes(mp3: &[u8], chapters: &[Chapter], end_ms: u64) -> Result<Vec<u8>> {
    let planned = plan(chapters, end_ms)?;
    let tag = id3::parse_tag(mp3).map_err(|e| tag_error("the MP3", e))?;
    let audio_start = tag.as_ref().map_or(0, |t| t.len);
    check_mp3(&mp3[audio_start..], "the input")?;
    let mut out = build_tag(tag.as_ref(), &planned)?;
    out.extend(&mp3[audio_start..]);
    Ok(out)
}

/// Embeds chapters into the MP3 at `input`, writing `output` (which may be
/// `input` itself). The new file is written to a temporary file in
/// `output`'s folder, read back and checked (the chapters, and the audio
/// byte for byte), then renamed over `output`: an interrupted run leaves
/// the old file or the new one, never half of one.
pub fn embed_file(
    input: &Path,
    output: &Path,
    chapters: &[Chapter],
    end_ms: u64,
) -> Result<Embedded> {
    let name = input.display().to_string();
    let io_err = |what: &str, path: &Path, e: io::Error| {
        let kind = if what == "read" {
            ErrorKind::Read
        } else {
            ErrorKind::Write
        };
        Error::new(
            kind,
            format!("cannot {what} `{}`: {}", path.display(), io_reason(&e)),
        )
    };
    let planned = plan(chapters, end_ms)?;

    let mut inp = File::open(input).map_err(|e| io_err("read", input, e))?;
    let meta = inp.metadata().map_err(|e| io_err("read", input, e))?;
    let mut head = Vec::new();
    (&mut inp)
        .take(10)
        .read_to_end(&mut head)
        .map_err(|e| io_err("read", input, e))?;
    let tag_len = id3::tag_len(&head) as u64;
    if tag_len > 10 {
        (&mut inp)
            .take(tag_len - 10)
            .read_to_end(&mut head)
            .map_err(|e| io_err("read", input, e))?;
    }
    let tag = id3::parse_tag(&head).map_err(|e| tag_error(&name, e))?;
    let audio_start = tag.as_ref().map_or(0, |t| t.len) as u64;
    let mut peek = Vec::new();
    inp.seek(SeekFrom::Start(audio_start))
        .map_err(|e| io_err("read", input, e))?;
    (&mut inp)
        .take(4096)
        .read_to_end(&mut peek)
        .map_err(|e| io_err("read", input, e))?;
    check_mp3(&peek, &name)?;
    let new_tag = build_tag(tag.as_ref(), &planned)?;

    let dir = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p,
        _ => Path::new("."),
    };
    // Named and registered so that a signal removes it and a later run
    // removes it if this one is killed: no full-size copies pile up.
    let (tmp, _registered) = crate::write::temp_file_in(dir, None)
        .map_err(|e| io_err("write a temporary file in", dir, e))?;
    let audio_bytes = {
        let mut w = BufWriter::new(tmp.as_file());
        w.write_all(&new_tag)
            .map_err(|e| io_err("write", tmp.path(), e))?;
        inp.seek(SeekFrom::Start(audio_start))
            .map_err(|e| io_err("read", input, e))?;
        let n = io::copy(&mut BufReader::new(&mut inp), &mut w)
            .map_err(|e| io_err("write", tmp.path(), e))?;
        w.flush().map_err(|e| io_err("write", tmp.path(), e))?;
        n
    };
    tmp.as_file()
        .sync_all()
        .map_err(|e| io_err("write", tmp.path(), e))?;

    verify(
        tmp.path(),
        &planned,
        input,
        audio_start,
        new_tag.len() as u64,
    )?;
    fs::set_permissions(tmp.path(), meta.permissions())
        .map_err(|e| io_err("write", tmp.path(), e))?;
    tmp.persist(output)
        .map_err(|e| io_err("write", output, e.error))?;
    Ok(Embedded {
        chapters: planned.len(),
        tag_bytes: new_tag.len(),
        audio_bytes,
    })
}

/// Reads the written file back: the chapters as planned, and the audio
/// equal to the input's, byte for byte.
fn verify(
    written: &Path,
    planned: &[Planned],
    input: &Path,
    audio_start: u64,
    new_start: u64,
) -> Result<()> {
    let failed = |why: String| {
        Error::new(
            ErrorKind::Write,
            format!(
                "the file written did not read back as written ({why}); the original is untouched"
            ),
        )
        .with_help("check the disk (space, errors) and try again")
    };
    let back =
        crate::formats::id3::read_file(written).map_err(|e| failed(e.message().to_string()))?;
    let mut got: Vec<(u64, &str)> = back
        .iter()
        .map(|c| (c.start.as_ms(), c.title.as_str()))
        .collect();
    let mut want: Vec<(u64, &str)> = planned
        .iter()
        .map(|p| (u64::from(p.start), p.title.as_str()))
        .collect();
    got.sort_unstable();
    want.sort_unstable();
    let same = got == want;
    if !same {
        return Err(failed("the chapters differ".into()));
    }
    let open_at = |p: &Path, at: u64| -> io::Result<BufReader<File>> {
        let mut f = File::open(p)?;
        f.seek(SeekFrom::Start(at))?;
        Ok(BufReader::with_capacity(1 << 16, f))
    };
    let mut a = open_at(input, audio_start).map_err(|e| failed(io_reason(&e)))?;
    let mut b = open_at(written, new_start).map_err(|e| failed(io_reason(&e)))?;
    let (mut x, mut y) = (Vec::with_capacity(1 << 16), Vec::with_capacity(1 << 16));
    loop {
        // Each read fills its chunk unless the file ends.
        x.clear();
        y.clear();
        let n = (&mut a)
            .take(1 << 16)
            .read_to_end(&mut x)
            .map_err(|e| failed(io_reason(&e)))?;
        let m = (&mut b)
            .take(1 << 16)
            .read_to_end(&mut y)
            .map_err(|e| failed(io_reason(&e)))?;
        if n != m || x != y {
            return Err(failed("the audio differs".into()));
        }
        if n == 0 {
            return Ok(());
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::formats::id3::read;
    use crate::mp3::testing::{chap_frame, frame as raw_frame, mp3_frame, tag};

    fn chs() -> Vec<Chapter> {
        let mut c = vec![
            Chapter::new(Timestamp::from_ms(60_000), "Ünïcode 🎙 日本語"),
            Chapter::new(Timestamp::ZERO, "Intro"),
        ];
        c[0].url = Some("https://e.example/a b".into());
        c
    }

    #[test]
    fn writes_chap_and_ctoc_and_keeps_other_frames() {
        for v in [3u8, 4] {
            let mut title = vec![0];
            title.extend(b"Episode 1");
            let mp3 = tag(
                v,
                &[
                    raw_frame(v, b"TIT2", &title),
                    chap_frame(v, "old", 0, 5, "Old", None),
                ],
            );
            let out = embed_bytes(&mp3, &chs(), 90_000).unwrap();
            assert_eq!(out[3], v, "the version is kept");
            let back = read(&out).unwrap();
            assert_eq!(back.len(), 2);
            assert_eq!(back[0].title, "Intro");
            assert_eq!(back[0].end, Some(Timestamp::from_ms(60_000)));
            assert_eq!(back[1].title, "Ünïcode 🎙 日本語");
            assert_eq!(back[1].end, Some(Timestamp::from_ms(90_000)));
            assert_eq!(back[1].url.as_deref(), Some("https://e.example/a%20b"));
            let t = id3::parse_tag(&out).unwrap().unwrap();
            let ids: Vec<String> = t.frames.iter().map(|f| f.id_str()).collect();
            assert_eq!(ids, ["TIT2", "CTOC", "CHAP", "CHAP"]);
            assert_eq!(t.frames[0].data, title, "other frames are kept as stored");
            assert!(out.ends_with(&mp3_frame()), "the audio follows");
        }
    }

    #[test]
    fn hidden_chapters_are_left_out_of_the_ctoc() {
        let mut c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(10_000), "Ad"),
            Chapter::new(Timestamp::from_ms(20_000), "Talk"),
        ];
        c[1].toc = false;
        let out = embed_bytes(&mp3_frame(), &c, 30_000).unwrap();
        let back = read(&out).unwrap();
        let shown: Vec<(&str, bool)> = back.iter().map(|c| (c.title.as_str(), c.toc)).collect();
        assert_eq!(shown, [("Intro", true), ("Ad", false), ("Talk", true)]);
        // All hidden: the CTOC still lists them all (it needs an entry).
        for ch in &mut c {
            ch.toc = false;
        }
        let back = read(&embed_bytes(&mp3_frame(), &c, 30_000).unwrap()).unwrap();
        assert!(back.iter().all(|c| c.toc));
    }

    #[test]
    fn a_footer_is_replaced_with_the_tag_not_kept_as_audio() {
        // ID3v2.4 with a footer (header flag bit 4): `3DI` + 7 bytes after
        // the frames, which belong to the tag, not to the audio.
        let body = raw_frame(4, b"TIT2", b"\x03Episode");
        let mut mp3 = b"ID3\x04\x00\x10".to_vec();
        mp3.extend(syncsafe_bytes(body.len() as u32));
        mp3.extend(&body);
        mp3.extend(b"3DI\x04\x00\x10");
        mp3.extend(syncsafe_bytes(body.len() as u32));
        mp3.extend(mp3_frame());
        let out = embed_bytes(&mp3, &chs(), 90_000).unwrap();
        let t = id3::parse_tag(&out).unwrap().unwrap();
        assert_eq!(&out[t.len..], &mp3_frame()[..], "only the audio follows");
        assert_eq!(out[5], 0, "the new tag has no footer");
        assert_eq!(t.frames[0].data, b"\x03Episode");
    }

    #[test]
    fn a_file_without_a_tag_gets_an_id3v24_tag() {
        let mp3 = mp3_frame();
        let out = embed_bytes(&mp3, &chs(), 90_000).unwrap();
        assert_eq!(&out[..4], b"ID3\x04");
        assert!(out.ends_with(&mp3));
        assert_eq!(read(&out).unwrap().len(), 2);
    }

    #[test]
    fn refuses_what_id3_cannot_hold() {
        let mp3 = mp3_frame();
        let many: Vec<Chapter> = (0..256)
            .map(|i| Chapter::new(Timestamp::from_ms(i * 1000), "x"))
            .collect();
        let e = embed_bytes(&mp3, &many, 300_000).unwrap_err();
        assert!(
            e.message().contains("`256` chapters") && e.message().contains("255"),
            "{}",
            e.message()
        );
        assert!(embed_bytes(&mp3, &many[..255], 300_000).is_ok());
        let e = embed_bytes(&mp3, &chs(), 60_000).unwrap_err();
        assert!(
            e.message().contains("at or after the audio's end"),
            "{}",
            e.message()
        );
        assert!(embed_bytes(&mp3, &[], 60_000)
            .unwrap_err()
            .message()
            .contains("no chapters"));
        let e = embed_bytes(b"RIFF\0\0\0\0WAVEfmt ", &chs(), 90_000).unwrap_err();
        assert!(e.message().contains("not an MP3"), "{}", e.message());
        let v22 = [&b"ID3\x02\0\0\0\0\0\0"[..], &mp3_frame()].concat();
        let e = embed_bytes(&v22, &chs(), 90_000).unwrap_err();
        assert!(e.message().contains("ID3v2.2"), "{}", e.message());
    }
}
