//! ID3v2 chapters (CHAP and CTOC frames) of an MP3 file.
//!
//! Source: id3.org "id3v2-chapters-1.0": CHAP = element ID
//! (null-terminated), start ms, end ms, start offset, end offset
//! (`0xFFFFFFFF` = use the times), then sub-frames (`TIT2`, `TIT3`,
//! `WXXX`, `APIC`); CTOC = element ID, flags (bit 1 top-level, bit 0
//! ordered), an 8-bit entry count, the child IDs, optional sub-frames.
//! The tag and its frames are read by the MP3 byte layer (`crate::mp3::id3`).

use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::error::{Error, ErrorKind, Result};
use crate::mp3::frame::is_header as is_mpeg_frame_header;
use crate::mp3::id3::{decode, parse_frames, parse_tag, tag_len, text, u32_be, url, Frame};
use crate::timestamp::Timestamp;

/// ID3v2 chapters of an MP3.
pub const ID3: Format = Format::new(&Id3);

struct Id3;

impl ChapterFormat for Id3 {
    fn name(&self) -> &'static str {
        "id3"
    }

    fn about(&self) -> &'static str {
        "ID3v2 CHAP/CTOC frames of an MP3 (read here; written by `embed`)"
    }

    fn extension(&self) -> &'static str {
        "mp3"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["mp3"]
    }

    /// An ID3v2 tag or an MPEG audio frame header.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        let bytes = head.bytes();
        if bytes.starts_with(b"ID3") || is_mpeg_frame_header(bytes) {
            100
        } else {
            0
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            write: false,
            urls: true,
            binary: true,
            ..Capabilities::TEXT
        }
    }

    /// A file is read only as far as its tag (an episode is often larger
    /// than the cap on text inputs).
    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        let chapters = match input {
            Input::File(path) => read_file(path)?,
            other => read(&other.bytes()?)?,
        };
        Ok(Parsed::new(chapters))
    }

    fn write(&self, _: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "`id3` chapters live inside an MP3, not in a text file",
        )
        .with_help(
            "write them into the MP3 with `shownotes embed AUDIO.mp3 --chapters SRC -o OUT`",
        ))
    }
}

fn err(message: String) -> Error {
    Error::new(ErrorKind::Invalid, message)
}

struct Toc {
    id: String,
    top: bool,
    children: Vec<String>,
    offset: usize,
}

/// Reads the chapters of the MP3 file at `path`, reading only its tag.
pub fn read_file(path: &Path) -> Result<Vec<Chapter>> {
    let fail = |e: std::io::Error| err(format!("cannot read `{}`: {e}", path.display()));
    let (mut f, meta) = crate::regular::open(path)
        .map_err(|e| err(format!("cannot read `{}`: {}", path.display(), e.reason())))?;
    let file_len = meta.len() as usize;
    let mut head = Vec::new();
    f.by_ref().take(10).read_to_end(&mut head).map_err(fail)?;
    let len = tag_len(&head);
    if len > 10 {
        f.take((len - 10) as u64)
            .read_to_end(&mut head)
            .map_err(fail)?;
    }
    read_tag(&head, file_len)
}

/// Reads the chapters of an MP3 file's bytes: the CHAP frames, in the
/// order of the top-level CTOC when there is one, else in time order.
/// Chapters no CTOC lists are hidden (`toc = false`) and placed by time
/// (after the listed ones when the CTOC's own order is not by time).
pub fn read(bytes: &[u8]) -> Result<Vec<Chapter>> {
    read_tag(bytes, bytes.len())
}

fn read_tag(bytes: &[u8], file_len: usize) -> Result<Vec<Chapter>> {
    let Some(tag) = parse_tag(bytes)? else {
        return Err(
            err("no ID3v2 tag at the start of the file, so no chapters".into()).with_help(
                "`--from id3` reads MP3 files; write chapters into one with `shownotes embed`",
            ),
        );
    };
    if tag.version == 2 {
        return Err(err(
            "an ID3v2.2 tag, which cannot hold chapters (CHAP frames exist from ID3v2.3 on)".into(),
        )
        .with_help("re-save the tag as ID3v2.3 or ID3v2.4 with a tag editor"));
    }
    let mut chapters: Vec<(String, Chapter)> = Vec::new();
    let mut tocs: Vec<Toc> = Vec::new();
    for f in &tag.frames {
        match &f.id {
            b"CHAP" => {
                let (id, ch) = chap(f, tag.version, file_len)?;
                if chapters.iter().any(|(other, _)| *other == id) {
                    return Err(err(format!(
                        "two CHAP frames have the element ID `{id}` (the second at byte {})",
                        f.offset
                    ))
                    .with_help(
                        "element IDs are unique; write the chapters again with `shownotes embed`",
                    ));
                }
                chapters.push((id, ch));
            }
            b"CTOC" => tocs.push(ctoc(f, tag.version)?),
            _ => {}
        }
    }
    if chapters.is_empty() {
        return Err(
            err("the ID3v2 tag has no CHAP frames, so no chapters".into())
                .with_help("write chapters into the MP3 with `shownotes embed`"),
        );
    }
    let Some(root) = tocs.iter().find(|t| t.top).or(tocs.first()) else {
        let mut list: Vec<Chapter> = chapters.into_iter().map(|(_, c)| c).collect();
        list.sort_by_key(|c| c.start);
        return Ok(list);
    };
    let mut order = Vec::new();
    let mut seen = HashSet::new();
    walk(root, &tocs, &chapters, &mut order, &mut seen)?;
    let mut out: Vec<Chapter> = order.iter().map(|&i| chapters[i].1.clone()).collect();
    let mut hidden: Vec<Chapter> = (0..chapters.len())
        .filter(|i| !order.contains(i))
        .map(|i| Chapter {
            toc: false,
            ..chapters[i].1.clone()
        })
        .collect();
    hidden.sort_by_key(|c| c.start);
    let listed_in_time_order = out.windows(2).all(|w| w[0].start <= w[1].start);
    out.extend(hidden);
    if listed_in_time_order {
        // Hidden chapters take their place in time; only a CTOC that
        // lists chapters out of time order is worth a warning.
        out.sort_by_key(|c| c.start);
    }
    Ok(out)
}

/// Lists the chapters under a CTOC, depth first, nested CTOCs expanded.
fn walk(
    toc: &Toc,
    tocs: &[Toc],
    chapters: &[(String, Chapter)],
    order: &mut Vec<usize>,
    seen: &mut HashSet<String>,
) -> Result<()> {
    if !seen.insert(toc.id.clone()) {
        return Ok(());
    }
    for child in &toc.children {
        if let Some(i) = chapters.iter().position(|(id, _)| id == child) {
            if !order.contains(&i) {
                order.push(i);
            }
        } else if let Some(sub) = tocs.iter().find(|t| t.id == *child) {
            walk(sub, tocs, chapters, order, seen)?;
        } else {
            return Err(err(format!(
                "the CTOC `{}` at byte {} lists `{child}`, but no CHAP or CTOC frame has that ID",
                toc.id, toc.offset
            ))
            .with_help("the tag is damaged: write the chapters again with `shownotes embed`"));
        }
    }
    Ok(())
}

/// Splits a null-terminated element ID off the front of a frame.
fn element_id<'a>(f: &Frame, d: &'a [u8]) -> Result<(String, &'a [u8])> {
    let nul = d.iter().position(|&b| b == 0).ok_or_else(|| {
        err(format!(
            "the {} frame at byte {} has no null-terminated element ID",
            f.id_str(),
            f.offset
        ))
        .with_help("the tag is damaged: write the chapters again with `shownotes embed`")
    })?;
    Ok((decode(0, &d[..nul]).0, &d[nul + 1..]))
}

fn chap(f: &Frame, version: u8, file_len: usize) -> Result<(String, Chapter)> {
    let d = f.content(version)?;
    let (id, rest) = element_id(f, &d)?;
    if rest.len() < 16 {
        return Err(err(format!(
            "CHAP `{id}` at byte {} is cut off: {} bytes of times and offsets, not 16",
            f.offset,
            rest.len()
        ))
        .with_help("the tag is damaged: write the chapters again with `shownotes embed`"));
    }
    let (start, end) = (u32_be(&rest[0..4]), u32_be(&rest[4..8]));
    if end < start {
        return Err(err(format!(
            "CHAP `{id}` ends at {end} ms, before it starts at {start} ms"
        ))
        .with_help("a chapter ends after it starts; write the chapters again with `shownotes embed`"));
    }
    for (what, offset) in [
        ("start", u32_be(&rest[8..12])),
        ("end", u32_be(&rest[12..16])),
    ] {
        if offset != u32::MAX && offset as usize > file_len {
            return Err(err(format!(
                "CHAP `{id}` puts its {what} at byte {offset}, past the end of the file ({file_len} bytes)"
            ))
            .with_help("the file was cut or the tag is damaged: write the chapters again with `shownotes embed`"));
        }
    }
    let within = format!("CHAP `{id}`");
    let sub_base = f.offset + 10 + (d.len() - rest.len()) + 16;
    let mut ch = Chapter::new(Timestamp::from_ms(start.into()), "");
    ch.end = Some(Timestamp::from_ms(end.into()));
    for sub in parse_frames(&rest[16..], version, sub_base, &within)? {
        let content = sub.content(version)?;
        match &sub.id {
            b"TIT2" => ch.title = text(&content).trim().to_string(),
            [b'W', ..] if ch.url.is_none() || &sub.id == b"WXXX" => {
                if let Some(u) = url(&sub.id, &content) {
                    ch.url = Some(u);
                }
            }
            _ => {}
        }
    }
    Ok((id, ch))
}

fn ctoc(f: &Frame, version: u8) -> Result<Toc> {
    let d = f.content(version)?;
    let (id, rest) = element_id(f, &d)?;
    let cut = || {
        err(format!("CTOC `{id}` at byte {} is cut off", f.offset))
            .with_help("the tag is damaged: write the chapters again with `shownotes embed`")
    };
    let [flags, count, rest @ ..] = rest else {
        return Err(cut());
    };
    let mut rest: &[u8] = rest;
    let mut children = Vec::new();
    for _ in 0..*count {
        let nul = rest.iter().position(|&b| b == 0).ok_or_else(cut)?;
        children.push(decode(0, &rest[..nul]).0);
        rest = &rest[nul + 1..];
    }
    Ok(Toc {
        id,
        top: flags & 0x02 != 0,
        children,
        offset: f.offset,
    })
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    pub(crate) use crate::mp3::testing::{chap_frame, ctoc_frame, frame, tag};

    #[test]
    fn reads_chapters_in_ctoc_order_for_both_versions() {
        for v in [3, 4] {
            let t = tag(
                v,
                &[
                    frame(v, b"TIT2", b"\x00Episode"),
                    chap_frame(
                        v,
                        "b",
                        60_000,
                        120_000,
                        "Second ✓",
                        Some("https://e.example/"),
                    ),
                    chap_frame(v, "a", 0, 60_000, "First", None),
                    chap_frame(v, "hidden", 30_000, 31_000, "Ad", None),
                    ctoc_frame(v, &["a", "b"]),
                ],
            );
            let c = read(&t).unwrap();
            assert_eq!(c.len(), 3, "v2.{v}");
            assert_eq!(c[0].title, "First");
            assert_eq!(c[1].title, "Ad");
            assert!(!c[1].toc, "a chapter no CTOC lists is hidden");
            assert_eq!(c[2].title, "Second ✓");
            assert!(c[2].toc);
            assert_eq!(c[2].url.as_deref(), Some("https://e.example/"));
            assert_eq!(c[2].end, Some(Timestamp::from_ms(120_000)));
        }
    }

    #[test]
    fn a_ctoc_out_of_time_order_is_kept_for_the_unsorted_warning() {
        let t = tag(
            4,
            &[
                chap_frame(4, "a", 0, 5_000, "A", None),
                chap_frame(4, "b", 5_000, 9_000, "B", None),
                ctoc_frame(4, &["b", "a"]),
            ],
        );
        let c = read(&t).unwrap();
        assert_eq!(c[0].title, "B");
        // `formats::read` then sorts them and warns: formats/tests.rs.
    }

    #[test]
    fn without_ctoc_chapters_come_in_time_order() {
        let t = tag(
            3,
            &[
                chap_frame(3, "b", 9_000, 10_000, "B", None),
                chap_frame(3, "a", 0, 9_000, "A", None),
            ],
        );
        let c = read(&t).unwrap();
        assert_eq!(c[0].title, "A");
    }

    #[test]
    fn damaged_tags_give_clear_errors() {
        // A CHAP frame whose size points past the end of the tag.
        let mut t = tag(4, &[chap_frame(4, "a", 0, 1000, "A", None)]);
        t[10 + 7] = 0x7F;
        let e = read(&t).unwrap_err();
        assert!(
            e.message().contains("frame `CHAP` at byte 10 claims"),
            "{}",
            e.message()
        );
        assert!(
            e.message().contains("past the end of the tag"),
            "{}",
            e.message()
        );
        // A CHAP pointing past the end of the file.
        let mut b = b"a\0".to_vec();
        for n in [0u32, 1000, 50_000_000, u32::MAX] {
            b.extend(n.to_be_bytes());
        }
        let e = read(&tag(3, &[frame(3, b"CHAP", &b)])).unwrap_err();
        assert!(
            e.message().contains("past the end of the file"),
            "{}",
            e.message()
        );
        // End before start.
        let e = read(&tag(3, &[chap_frame(3, "a", 5000, 1000, "A", None)])).unwrap_err();
        assert!(e.message().contains("before it starts"), "{}", e.message());
        // Truncated file, truncated CHAP, no tag, no chapters, bad CTOC, v2.2.
        let full = tag(3, &[chap_frame(3, "a", 0, 1000, "A", None)]);
        assert!(
            read(&full[..30]).unwrap_err().message().contains("truncated")
                || read(&full[..30])
                    .unwrap_err()
                    .help()
                    .unwrap()
                    .contains("truncated")
        );
        assert!(read(&tag(3, &[frame(3, b"CHAP", b"a\0\0\0")]))
            .unwrap_err()
            .message()
            .contains("cut off"));
        assert!(read(b"\xff\xfb\x90\x64")
            .unwrap_err()
            .message()
            .contains("no ID3v2 tag"));
        assert!(read(&tag(3, &[frame(3, b"TIT2", b"\0x")]))
            .unwrap_err()
            .message()
            .contains("no CHAP"));
        let e = read(&tag(
            3,
            &[
                chap_frame(3, "a", 0, 1000, "A", None),
                ctoc_frame(3, &["a", "zz"]),
            ],
        ))
        .unwrap_err();
        assert!(e.message().contains("`zz`"), "{}", e.message());
        assert!(read(b"ID3\x02\x00\x00\x00\x00\x00\x00")
            .unwrap_err()
            .message()
            .contains("ID3v2.2"));
        assert!(read(b"ID3\x04").is_err());
        assert!(read(&tag(3, &[frame(3, b"CHAP", b"no terminator")]))
            .unwrap_err()
            .message()
            .contains("element ID"));
    }

    #[test]
    fn never_panics_on_cut_tags() {
        let t = tag(
            4,
            &[
                chap_frame(4, "a", 0, 1000, "A", Some("https://x.example/")),
                ctoc_frame(4, &["a"]),
            ],
        );
        for n in 0..t.len() {
            let _ = read(&t[..n]);
            let mut bad = t.clone();
            bad[n] ^= 0xFF;
            let _ = read(&bad);
        }
    }
}
