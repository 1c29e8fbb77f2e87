//! ID3v2 chapters (CHAP and CTOC frames) of an MP3 file, and the small
//! ID3v2 tag parser that `embed` shares.
//!
//! Source: id3.org "id3v2-chapters-1.0":
//! CHAP = element ID (null-terminated), start ms, end ms, start offset, end
//! offset (`0xFFFFFFFF` = use the times), then sub-frames (`TIT2`, `TIT3`,
//! `WXXX`, `APIC`); CTOC = element ID, flags (bit 1 top-level, bit 0
//! ordered), an 8-bit entry count, the child IDs, optional sub-frames.
//! Frame layout: id3.org "id3v2.3.0" and "id3v2.4.0-structure" (sizes are
//! plain in 2.3, syncsafe in 2.4; unsynchronisation is per tag in 2.3, per
//! frame in 2.4).
//!
//! The parser is written here rather than taken from the `id3` crate so
//! that every damaged frame is reported with its byte offset and what is
//! wrong, and so that `embed` can copy the other frames byte for byte.

use std::borrow::Cow;
use std::collections::HashSet;
use std::io::Read;
use std::path::Path;

use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::error::{Error, ErrorKind, Result};
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

/// A parsed ID3v2 tag at the start of a file.
#[derive(Clone, Debug)]
pub(crate) struct Tag {
    /// The major version: 2, 3 or 4.
    pub version: u8,
    /// Bytes the tag takes in the file: header, body, footer.
    pub len: usize,
    /// The frames, in file order (empty for ID3v2.2, whose frames this
    /// parser does not read).
    pub frames: Vec<Frame>,
}

/// One frame: its ID, flags and data as stored (after the tag-wide
/// unsynchronisation of ID3v2.3 is undone).
#[derive(Clone, Debug)]
pub(crate) struct Frame {
    pub id: [u8; 4],
    pub flags: [u8; 2],
    pub data: Vec<u8>,
    /// The frame's byte offset in the file (approximate after ID3v2.3
    /// unsynchronisation).
    pub offset: usize,
}

impl Frame {
    pub fn id_str(&self) -> String {
        String::from_utf8_lossy(&self.id).into_owned()
    }

    /// The frame's content: grouping bytes and data length indicators
    /// skipped, frame unsynchronisation (2.4) undone.
    fn content(&self, version: u8) -> Result<Cow<'_, [u8]>> {
        let mut d: &[u8] = &self.data;
        let f = self.flags[1];
        let refuse = |what: &str| {
            Err(err(format!(
                "frame `{}` at byte {} is {what}, which is not supported",
                self.id_str(),
                self.offset
            ))
            .with_help("re-save the tag without compression or encryption"))
        };
        if version >= 4 {
            if f & 0x0C != 0 {
                return refuse("compressed or encrypted");
            }
            if f & 0x40 != 0 {
                d = d.get(1..).unwrap_or_default();
            }
            if f & 0x01 != 0 {
                d = d.get(4..).unwrap_or_default();
            }
            if f & 0x02 != 0 {
                return Ok(Cow::Owned(resync(d)));
            }
        } else {
            if f & 0xC0 != 0 {
                return refuse("compressed or encrypted");
            }
            if f & 0x20 != 0 {
                d = d.get(1..).unwrap_or_default();
            }
        }
        Ok(Cow::Borrowed(d))
    }
}

fn err(message: String) -> Error {
    Error::new(ErrorKind::Invalid, message)
}

/// Undoes unsynchronisation: every `FF 00` becomes `FF`.
fn resync(d: &[u8]) -> Vec<u8> {
    let mut out = Vec::with_capacity(d.len());
    let mut i = 0;
    while i < d.len() {
        out.push(d[i]);
        if d[i] == 0xFF && d.get(i + 1) == Some(&0) {
            i += 1;
        }
        i += 1;
    }
    out
}

/// A 28-bit syncsafe integer, or `None` when a byte has its top bit set.
pub(crate) fn syncsafe(b: &[u8]) -> Option<usize> {
    b.iter().try_fold(0usize, |acc, &x| {
        (x < 0x80).then_some((acc << 7) | usize::from(x))
    })
}

fn u32_be(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
}

fn valid_id(id: &[u8]) -> bool {
    id.iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// The length of the ID3v2 tag that `head` starts with (header, body and
/// footer), from its first 10 bytes; 0 when there is none.
pub(crate) fn tag_len(head: &[u8]) -> usize {
    if head.len() < 10 || &head[..3] != b"ID3" {
        return 0;
    }
    let footer = if head[3] == 4 && head[5] & 0x10 != 0 {
        10
    } else {
        0
    };
    syncsafe(&head[6..10]).map_or(0, |s| 10 + s + footer)
}

/// Parses the ID3v2 tag at the start of `bytes`; `None` when there is none.
pub(crate) fn parse_tag(bytes: &[u8]) -> Result<Option<Tag>> {
    if bytes.len() < 3 || &bytes[..3] != b"ID3" {
        return Ok(None);
    }
    if bytes.len() < 10 {
        return Err(err(format!(
            "the ID3v2 header is cut off after {} bytes",
            bytes.len()
        ))
        .with_help("the file is truncated"));
    }
    let (version, flags) = (bytes[3], bytes[5]);
    if !(2..=4).contains(&version) {
        return Err(err(format!("`ID3v2.{version}` is not a known ID3 version"))
            .with_help("ID3v2.3 and ID3v2.4 tags hold chapters"));
    }
    let size = syncsafe(&bytes[6..10]).ok_or_else(|| {
        err("the ID3v2 tag size is not a syncsafe number".into()).with_help("the tag is damaged")
    })?;
    if 10 + size > bytes.len() {
        return Err(err(format!(
            "the ID3v2 tag claims {size} bytes, but the file ends {} bytes after its header",
            bytes.len() - 10
        ))
        .with_help("the file is truncated: download or export it again"));
    }
    let footer = if version == 4 && flags & 0x10 != 0 {
        10
    } else {
        0
    };
    let mut tag = Tag {
        version,
        len: (10 + size + footer).min(bytes.len()),
        frames: Vec::new(),
    };
    if version == 2 {
        return Ok(Some(tag));
    }
    let mut body: Cow<'_, [u8]> = Cow::Borrowed(&bytes[10..10 + size]);
    if version == 3 && flags & 0x80 != 0 {
        body = Cow::Owned(resync(&body));
    }
    let mut pos = 0;
    if flags & 0x40 != 0 && body.len() >= 4 {
        pos = if version == 3 {
            u32_be(&body[..4]) as usize + 4
        } else {
            syncsafe(&body[..4]).unwrap_or(usize::MAX)
        };
        if pos > body.len() {
            return Err(err(format!(
                "the ID3v2 extended header claims {pos} bytes, past the end of the tag"
            ))
            .with_help("the tag is damaged"));
        }
    }
    tag.frames = parse_frames(&body[pos..], version, 10 + pos, "the tag")?;
    Ok(Some(tag))
}

/// Parses frames until the data or the padding ends. `base` is the byte
/// offset of `data` in the file; `within` names what holds the frames.
pub(crate) fn parse_frames(
    data: &[u8],
    version: u8,
    base: usize,
    within: &str,
) -> Result<Vec<Frame>> {
    let mut frames = Vec::new();
    let mut pos = 0;
    while pos + 10 <= data.len() {
        if data[pos] == 0 || !valid_id(&data[pos..pos + 4]) {
            break; // padding (or junk after the last frame)
        }
        let size = if version >= 4 {
            size_v4(data, pos)
        } else {
            u32_be(&data[pos + 4..pos + 8]) as usize
        };
        let mut id = [0u8; 4];
        id.copy_from_slice(&data[pos..pos + 4]);
        let start = pos + 10;
        if size > data.len() - start {
            return Err(err(format!(
                "frame `{}` at byte {} claims {size} bytes, past the end of {within} at byte {}",
                String::from_utf8_lossy(&id),
                base + pos,
                base + data.len()
            ))
            .with_help("the tag is damaged: write the chapters again with `shownotes embed`"));
        }
        frames.push(Frame {
            id,
            flags: [data[pos + 8], data[pos + 9]],
            data: data[start..start + size].to_vec(),
            offset: base + pos,
        });
        pos = start + size;
    }
    Ok(frames)
}

/// An ID3v2.4 frame size: syncsafe, except where a writer (old iTunes)
/// stored a plain number, which shows as a syncsafe size that lands
/// nowhere near the next frame while the plain one does.
fn size_v4(data: &[u8], pos: usize) -> usize {
    let raw = &data[pos + 4..pos + 8];
    let plain = u32_be(raw) as usize;
    let lands = |size: usize| {
        let next = pos + 10 + size;
        next == data.len()
            || data.get(next) == Some(&0)
            || data.get(next..next + 4).is_some_and(valid_id)
    };
    match syncsafe(raw) {
        Some(s) if lands(s) || !lands(plain) => s,
        _ => plain,
    }
}

/// Whether `b` starts with an MPEG audio frame header (MP3 without a tag).
pub(crate) fn is_mpeg_frame_header(b: &[u8]) -> bool {
    b.len() >= 4
        && b[0] == 0xFF
        && b[1] & 0xE0 == 0xE0
        && (b[1] >> 3) & 3 != 1
        && (b[1] >> 1) & 3 != 0
        && b[2] >> 4 != 15
        && (b[2] >> 2) & 3 != 3
}

/// The length in bytes of the MPEG audio frame whose header `b` starts
/// with; `None` for an invalid or free-format header. Tables: ISO/IEC
/// 11172-3 and 13818-3 (bit rates in kbit/s by version and layer).
pub(crate) fn mpeg_frame_len(b: &[u8]) -> Option<usize> {
    if !is_mpeg_frame_header(b) {
        return None;
    }
    const V1: [[u32; 15]; 3] = [
        [
            0, 32, 64, 96, 128, 160, 192, 224, 256, 288, 320, 352, 384, 416, 448,
        ],
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320, 384,
        ],
        [
            0, 32, 40, 48, 56, 64, 80, 96, 112, 128, 160, 192, 224, 256, 320,
        ],
    ];
    const V2: [[u32; 15]; 2] = [
        [
            0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
        ],
        [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
    ];
    let version = (b[1] >> 3) & 3; // 3: MPEG-1, 2: MPEG-2, 0: MPEG-2.5
    let layer = 4 - ((b[1] >> 1) & 3); // 1, 2 or 3
    let index = usize::from(b[2] >> 4);
    let kbps = if version == 3 {
        V1[usize::from(layer - 1)][index]
    } else {
        V2[usize::from(layer != 1)][index]
    };
    let rate = [
        [11_025, 12_000, 8_000],
        [0, 0, 0],
        [22_050, 24_000, 16_000],
        [44_100, 48_000, 32_000],
    ][usize::from(version)][usize::from((b[2] >> 2) & 3)];
    if kbps == 0 || rate == 0 {
        return None;
    }
    let pad = u32::from((b[2] >> 1) & 1);
    let len = match layer {
        1 => (12_000 * kbps / rate + pad) * 4,
        3 if version != 3 => 72_000 * kbps / rate + pad,
        _ => 144_000 * kbps / rate + pad,
    };
    Some(len as usize)
}

/// Whether MPEG audio starts within the first bytes of `audio`: a frame
/// header followed, one frame later, by another of the same stream (one
/// header alone is too easy to find in other data).
pub(crate) fn starts_mpeg_audio(audio: &[u8]) -> bool {
    (0..audio.len().min(4096)).any(|i| {
        let Some(n) = mpeg_frame_len(&audio[i..]) else {
            return false;
        };
        match audio.get(i + n..i + n + 4) {
            Some(next) => {
                is_mpeg_frame_header(next)
                    && next[1] == audio[i + 1]
                    && next[2] & 0x0C == audio[i + 2] & 0x0C
            }
            None => i + n == audio.len(),
        }
    })
}

/// Decodes an ID3 string in `encoding` up to its terminator; returns it
/// and the bytes after the terminator.
fn decode(encoding: u8, b: &[u8]) -> (String, &[u8]) {
    match encoding {
        1 | 2 => {
            let end = (0..b.len() / 2).find(|&i| b[2 * i] == 0 && b[2 * i + 1] == 0);
            let (body, rest) = match end {
                Some(i) => (&b[..2 * i], &b[2 * i + 2..]),
                None => (&b[..b.len() & !1], &[][..]),
            };
            let (body, big) = match body {
                [0xFE, 0xFF, r @ ..] => (r, true),
                [0xFF, 0xFE, r @ ..] => (r, false),
                r => (r, encoding == 2),
            };
            let units = body.chunks_exact(2).map(|c| {
                if big {
                    u16::from_be_bytes([c[0], c[1]])
                } else {
                    u16::from_le_bytes([c[0], c[1]])
                }
            });
            let s = char::decode_utf16(units)
                .map(|r| r.unwrap_or('\u{fffd}'))
                .collect();
            (s, rest)
        }
        _ => {
            let end = b.iter().position(|&x| x == 0);
            let (body, rest) = match end {
                Some(i) => (&b[..i], &b[i + 1..]),
                None => (b, &[][..]),
            };
            let s = if encoding == 3 {
                String::from_utf8_lossy(body).into_owned()
            } else {
                body.iter().map(|&x| char::from(x)).collect()
            };
            (s, rest)
        }
    }
}

/// A text frame's (first) value.
fn text(content: &[u8]) -> String {
    match content.split_first() {
        Some((&enc, rest)) => decode(enc, rest).0,
        None => String::new(),
    }
}

/// A `WXXX` frame's URL, or a `W***` frame's.
fn url(id: &[u8; 4], content: &[u8]) -> Option<String> {
    let raw = if id == b"WXXX" {
        let (&enc, rest) = content.split_first()?;
        decode(enc, rest).1
    } else {
        content
    };
    let url = decode(0, raw).0.trim().to_string();
    (!url.is_empty()).then_some(url)
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
        .with_help(
            "a chapter ends after it starts; write the chapters again with `shownotes embed`",
        ));
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

    /// Builds an ID3v2 frame (2.3 plain sizes, 2.4 syncsafe).
    pub(crate) fn frame(version: u8, id: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut f = id.to_vec();
        let n = body.len() as u32;
        if version >= 4 {
            f.extend([
                (n >> 21) as u8 & 0x7F,
                (n >> 14) as u8 & 0x7F,
                (n >> 7) as u8 & 0x7F,
                n as u8 & 0x7F,
            ]);
        } else {
            f.extend(n.to_be_bytes());
        }
        f.extend([0, 0]);
        f.extend(body);
        f
    }

    pub(crate) fn chap_frame(
        version: u8,
        id: &str,
        start: u32,
        end: u32,
        title: &str,
        url: Option<&str>,
    ) -> Vec<u8> {
        let mut b = id.as_bytes().to_vec();
        b.push(0);
        for n in [start, end, u32::MAX, u32::MAX] {
            b.extend(n.to_be_bytes());
        }
        let mut t = vec![3];
        t.extend(title.as_bytes());
        b.extend(frame(version, b"TIT2", &t));
        if let Some(u) = url {
            let mut w = vec![0, 0];
            w.extend(u.as_bytes());
            b.extend(frame(version, b"WXXX", &w));
        }
        frame(version, b"CHAP", &b)
    }

    pub(crate) fn tag(version: u8, frames: &[Vec<u8>]) -> Vec<u8> {
        let body: Vec<u8> = frames.concat();
        let n = body.len() + 16;
        let mut t = b"ID3".to_vec();
        t.extend([version, 0, 0]);
        t.extend([
            (n >> 21) as u8 & 0x7F,
            (n >> 14) as u8 & 0x7F,
            (n >> 7) as u8 & 0x7F,
            n as u8 & 0x7F,
        ]);
        t.extend(body);
        t.extend([0; 16]);
        t.extend(mp3_frame());
        t
    }

    /// One silent-looking MPEG-1 Layer III frame, 128 kbit/s, 44.1 kHz.
    pub(crate) fn mp3_frame() -> Vec<u8> {
        let mut f = vec![0u8; 417];
        f[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        f
    }

    fn ctoc_frame(version: u8, children: &[&str]) -> Vec<u8> {
        let mut b = b"toc\0".to_vec();
        b.extend([3, children.len() as u8]);
        for c in children {
            b.extend(c.as_bytes());
            b.push(0);
        }
        frame(version, b"CTOC", &b)
    }

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
        let parsed = crate::formats::read(ID3, &t).unwrap();
        assert_eq!(parsed.chapters[0].title, "A");
        assert_eq!(parsed.warnings[0].code.as_str(), "chapters-unsorted");
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
    fn decodes_every_text_encoding() {
        assert_eq!(text(b"\x00caf\xe9"), "café");
        assert_eq!(text(b"\x01\xff\xfec\x00a\x00\x00\x00"), "ca");
        assert_eq!(text(b"\x02\x00c\x00a"), "ca");
        assert_eq!(text(b"\x03caf\xc3\xa9\x00rest"), "café");
        assert_eq!(
            url(b"WXXX", b"\x01\xff\xfed\x00\x00\x00https://x.example/"),
            Some("https://x.example/".into())
        );
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
            read(&full[..30])
                .unwrap_err()
                .message()
                .contains("truncated")
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

    #[test]
    fn recognises_mpeg_frame_headers() {
        assert!(is_mpeg_frame_header(&[0xFF, 0xFB, 0x90, 0x64]));
        assert!(!is_mpeg_frame_header(b"ID3\x04"));
        assert!(!is_mpeg_frame_header(&[0xFF, 0xFB, 0xF0, 0x64]));
        // 128 kbit/s, 44.1 kHz, MPEG-1 Layer III: 417 bytes, 418 padded.
        assert_eq!(mpeg_frame_len(&[0xFF, 0xFB, 0x90, 0x64]), Some(417));
        assert_eq!(mpeg_frame_len(&[0xFF, 0xFB, 0x92, 0x64]), Some(418));
        // 32 kbit/s, 24 kHz, MPEG-2 Layer III: 96 bytes.
        assert_eq!(mpeg_frame_len(&[0xFF, 0xF3, 0x44, 0xC4]), Some(96));
        let mut two = vec![0u8; 417 + 4];
        two[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        two[417..].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        assert!(starts_mpeg_audio(&two));
        assert!(
            starts_mpeg_audio(&two[..417]),
            "one frame that ends the file"
        );
        assert!(!starts_mpeg_audio(&two[..300]));
        let mut noise = two.clone();
        noise[417] = 0;
        assert!(!starts_mpeg_audio(&noise));
    }
}
