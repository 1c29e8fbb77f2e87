//! Chapters of an MP4 file (`.m4a`, `.m4b`, `.mp4`): the QuickTime chapter
//! track, else the Nero chapter list (`moov/udta/chpl`).
//!
//! Sources: ISO/IEC 14496-12 (boxes: 32-bit size, type, a 64-bit size when
//! the size is 1, "to the end of the file" when 0; `tkhd`, `mdhd`, `hdlr`,
//! `stts`, `stsc`, `stsz`, `stco`/`co64`); Apple's QuickTime File Format
//! "Chapter lists" (a `tref/chap` reference from the audio track names a
//! text track; each of its samples is a chapter: a 16-bit length, the
//! title, then optional atoms such as `href`, "Hypertext"), and when more
//! than one track refers to chapters, the first list found is used); the
//! Nero `chpl` box as FFmpeg's `mov_read_chpl` reads it (version, flags, 4
//! more bytes from version 1 on, an 8-bit count, then per chapter a 64-bit
//! start in 100 ns units, an 8-bit length and the UTF-8 title).
//!
//! Hand-written rather than built on `mp4ameta` 0.13 (which reads both
//! forms): that crate panics on input an upload can hold (a `mvhd` or
//! `mdhd` timescale of 0 divides by zero; a chapter sample shorter than
//! its 2-byte byte-order mark underflows a length) and allocates what a
//! table's 32-bit count claims before checking it against the box. Here
//! every size and count is checked against its box and the file, the index
//! (`moov`) is read once, up to [`MAX_MOOV`], and each chapter title is read
//! from its own offset, so an episode of any size is read without loading
//! its audio.

use std::io::{Read, Seek, SeekFrom};

use super::line::invalid;
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::error::{Error, ErrorKind, Result};
use crate::timestamp::Timestamp;

/// Chapters of an MP4 file.
pub const MP4: Format = Format::new(&Mp4);

struct Mp4;

impl ChapterFormat for Mp4 {
    fn name(&self) -> &'static str {
        "mp4"
    }

    fn about(&self) -> &'static str {
        "Chapters of an M4A/M4B/MP4 file: QuickTime chapter track or Nero `chpl` (read only)"
    }

    fn extension(&self) -> &'static str {
        "m4a"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["m4a", "m4b", "mp4", "m4v"]
    }

    /// An `ftyp` box first, as every MP4 file has.
    fn sniff(&self, head: &Head<'_>) -> u8 {
        let b = head.bytes();
        if b.len() >= 12 && &b[4..8] == b"ftyp" {
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

    /// A file is read only as far as its index and chapter titles.
    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        let chapters = match input {
            Input::File(path) => {
                let (mut f, meta) = crate::regular::open(path).map_err(|e| {
                    invalid(
                        format!("cannot read `{}`: {}", path.display(), e.reason()),
                        None,
                    )
                })?;
                read_from(&mut f, meta.len())?
            }
            other => {
                let bytes = other.bytes()?;
                read(&bytes)?
            }
        };
        Ok(Parsed::new(chapters))
    }

    fn write(&self, _: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Err(Error::new(
            ErrorKind::Unsupported,
            "`mp4` chapters live inside an MP4 file, not in a text file",
        )
        .with_help(
            "write them in another format (`--to mp4chaps` or `--to ffmetadata`), which MP4 tools such as `mp4chaps` and `ffmpeg` put into the file",
        ))
    }
}

/// The largest index (`moov` box) read: an hour of AAC indexes in under
/// 1 MB.
const MAX_MOOV: u64 = 64 * 1024 * 1024;

/// The most bytes of one chapter sample read: its 16-bit length says at
/// most 65,535 bytes of title, and the atoms after it (`href`) are short.
const MAX_SAMPLE: u64 = 70 * 1024;

/// Reads the chapters of an MP4 file's bytes.
pub fn read(bytes: &[u8]) -> Result<Vec<Chapter>> {
    read_from(&mut std::io::Cursor::new(bytes), bytes.len() as u64)
}

fn err(message: impl Into<String>) -> Error {
    invalid(message, None)
}

fn io(e: &std::io::Error) -> Error {
    err(format!(
        "the file could not be read: {}",
        crate::diagnostic::io_reason(e)
    ))
}

/// Reads the chapters of the MP4 file `r` of `len` bytes.
pub fn read_from<R: Read + Seek>(r: &mut R, len: u64) -> Result<Vec<Chapter>> {
    let moov = find_moov(r, len)?;
    let children = boxes(&moov, "moov")?;
    let mut tracks = Vec::new();
    let mut chpl = None;
    for b in &children {
        match &b.kind {
            b"trak" => tracks.push(track(b.body)?),
            b"udta" => {
                for u in boxes(b.body, "udta")? {
                    if &u.kind == b"chpl" {
                        chpl = Some(u.body);
                    }
                }
            }
            _ => {}
        }
    }
    if let Some(t) = chapter_track(&tracks) {
        return track_chapters(r, len, t);
    }
    if let Some(body) = chpl {
        return nero(body);
    }
    Err(err("the file has no chapters: neither a QuickTime chapter track nor a Nero `chpl` list")
        .with_help("read the chapters from another file, or add them with an MP4 tool (`mp4chaps -i`, or `ffmpeg -i in.m4a -i chapters.ffmeta -map_metadata 1 -c copy out.m4a`)"))
}

/// A box of a byte slice: its type, its body, and where it starts in the
/// slice.
struct Bx<'a> {
    kind: [u8; 4],
    body: &'a [u8],
}

/// The type of a box, as shown in a message.
fn name(kind: &[u8; 4]) -> String {
    kind.iter()
        .map(|&b| if b.is_ascii_graphic() || b == b' ' { b as char } else { '?' })
        .collect()
}

/// The boxes of `data` (the body of the box `parent`), every size checked
/// against it.
fn boxes<'a>(data: &'a [u8], parent: &str) -> Result<Vec<Bx<'a>>> {
    let mut out = Vec::new();
    let mut pos = 0usize;
    while pos < data.len() {
        let rest = &data[pos..];
        if rest.len() < 8 {
            return Err(err(format!(
                "a box inside `{parent}` is cut off after {} bytes",
                rest.len()
            ))
            .with_help(DAMAGED));
        }
        let kind: [u8; 4] = [rest[4], rest[5], rest[6], rest[7]];
        let (size, header) = match be32(rest, 0) {
            0 => (rest.len() as u64, 8),
            1 => match rest.get(8..16) {
                Some(b) => (u64::from_be_bytes(b.try_into().unwrap_or_default()), 16),
                None => {
                    return Err(err(format!("the `{}` box inside `{parent}` is cut off", name(&kind)))
                        .with_help(DAMAGED))
                }
            },
            s => (u64::from(s), 8),
        };
        if size < header || size > rest.len() as u64 {
            return Err(err(format!(
                "the `{}` box inside `{parent}` claims {size} bytes, but {} remain",
                name(&kind),
                rest.len()
            ))
            .with_help(DAMAGED));
        }
        let size = size as usize;
        out.push(Bx {
            kind,
            body: &rest[header as usize..size],
        });
        pos += size;
    }
    Ok(out)
}

const DAMAGED: &str = "the file is damaged or cut short; export it again, or read the chapters from another file";

fn be16(b: &[u8], at: usize) -> u16 {
    b.get(at..at + 2)
        .map_or(0, |x| u16::from_be_bytes([x[0], x[1]]))
}

fn be32(b: &[u8], at: usize) -> u32 {
    b.get(at..at + 4)
        .map_or(0, |x| u32::from_be_bytes([x[0], x[1], x[2], x[3]]))
}

fn be64(b: &[u8], at: usize) -> u64 {
    b.get(at..at + 8).map_or(0, |x| {
        u64::from_be_bytes([x[0], x[1], x[2], x[3], x[4], x[5], x[6], x[7]])
    })
}

/// Walks the top-level boxes to the `moov` box and reads it.
fn find_moov<R: Read + Seek>(r: &mut R, len: u64) -> Result<Vec<u8>> {
    let mut pos = 0u64;
    let mut first = true;
    while pos < len {
        let mut h = [0u8; 16];
        r.seek(SeekFrom::Start(pos)).map_err(|e| io(&e))?;
        let n = read_up_to(r, &mut h)?;
        if n < 8 {
            break;
        }
        let kind: [u8; 4] = [h[4], h[5], h[6], h[7]];
        // An MP4 file opens with `ftyp`; older QuickTime files with one of
        // these.
        const OPENERS: [&[u8; 4]; 7] = [b"ftyp", b"moov", b"mdat", b"free", b"skip", b"wide", b"pnot"];
        if first && !OPENERS.contains(&&kind) {
            return Err(err("not an MP4 file: it does not start with an MP4 box (`ftyp`)")
                .with_help("`--from mp4` reads M4A, M4B and MP4 files"));
        }
        if !kind.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            if first {
                return Err(err("not an MP4 file: it does not start with an MP4 box")
                    .with_help("`--from mp4` reads M4A, M4B and MP4 files"));
            }
            return Err(err(format!(
                "the box at byte {pos} has no type (`{}`): the file is damaged",
                name(&kind)
            ))
            .with_help(DAMAGED));
        }
        first = false;
        let (size, header) = match be32(&h, 0) {
            0 => (len - pos, 8),
            1 if n == 16 => (be64(&h, 8), 16),
            1 => return Err(cut(&kind, pos, u64::MAX, len)),
            s => (u64::from(s), 8),
        };
        if size < header {
            return Err(err(format!(
                "the `{}` box at byte {pos} claims {size} bytes, less than its header",
                name(&kind)
            ))
            .with_help(DAMAGED));
        }
        let end = pos.saturating_add(size);
        if end > len {
            return Err(cut(&kind, pos, end, len));
        }
        if &kind == b"moov" {
            let body = size - header;
            if body > MAX_MOOV {
                return Err(err(format!(
                    "the index (`moov` box) is {body} bytes, over the {MAX_MOOV} this reader takes"
                ))
                .with_help("read the chapters with an MP4 tool (`mp4chaps -x`, `ffprobe -show_chapters`) and convert that file"));
            }
            r.seek(SeekFrom::Start(pos + header))
                .map_err(|e| io(&e))?;
            let mut moov = Vec::with_capacity(body as usize);
            r.take(body).read_to_end(&mut moov).map_err(|e| io(&e))?;
            if (moov.len() as u64) < body {
                return Err(cut(&kind, pos, end, pos + header + moov.len() as u64));
            }
            return Ok(moov);
        }
        pos = end;
    }
    if first {
        return Err(err("not an MP4 file: it is empty").with_help("`--from mp4` reads M4A, M4B and MP4 files"));
    }
    Err(err("the file has no index (`moov` box), so no chapters")
        .with_help(DAMAGED))
}

/// A box that runs past the end of the file.
fn cut(kind: &[u8; 4], pos: u64, end: u64, len: u64) -> Error {
    let end = if end == u64::MAX {
        "its 64-bit size".to_string()
    } else {
        format!("byte {end}")
    };
    err(format!(
        "the file is cut short: its `{}` box at byte {pos} runs to {end}, but the file ends at byte {len}",
        name(kind)
    ))
    .with_help(DAMAGED)
}

/// Reads as much of `buf` as the reader has.
fn read_up_to<R: Read>(r: &mut R, buf: &mut [u8]) -> Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == std::io::ErrorKind::Interrupted => {}
            Err(e) => return Err(io(&e)),
        }
    }
    Ok(n)
}

/// What the chapter reader needs of a track.
#[derive(Default)]
struct Track<'a> {
    id: u32,
    /// The tracks its `tref/chap` names.
    chapters: Vec<u32>,
    /// `mdhd`: units per second.
    timescale: u32,
    /// `hdlr`: `soun`, `text`, `sbtl`, `vide`, ...
    handler: [u8; 4],
    stts: Option<&'a [u8]>,
    stsc: Option<&'a [u8]>,
    stsz: Option<&'a [u8]>,
    stco: Option<&'a [u8]>,
    co64: Option<&'a [u8]>,
}

/// The body of a full box past its version and flags, and its version.
fn full<'a>(body: &'a [u8], kind: &str) -> Result<(u8, &'a [u8])> {
    if body.len() < 4 {
        return Err(err(format!("the `{kind}` box is cut off")).with_help(DAMAGED));
    }
    Ok((body[0], &body[4..]))
}

fn track(body: &[u8]) -> Result<Track<'_>> {
    let mut t = Track::default();
    for b in boxes(body, "trak")? {
        match &b.kind {
            b"tkhd" => {
                let (version, rest) = full(b.body, "tkhd")?;
                let at = if version == 1 { 16 } else { 8 };
                if rest.len() < at + 4 {
                    return Err(err("the `tkhd` box is cut off").with_help(DAMAGED));
                }
                t.id = be32(rest, at);
            }
            b"tref" => {
                for r in boxes(b.body, "tref")? {
                    if &r.kind == b"chap" {
                        t.chapters
                            .extend(r.body.chunks_exact(4).map(|c| be32(c, 0)));
                    }
                }
            }
            b"mdia" => {
                for m in boxes(b.body, "mdia")? {
                    match &m.kind {
                        b"mdhd" => {
                            let (version, rest) = full(m.body, "mdhd")?;
                            let at = if version == 1 { 16 } else { 8 };
                            if rest.len() < at + 4 {
                                return Err(err("the `mdhd` box is cut off").with_help(DAMAGED));
                            }
                            t.timescale = be32(rest, at);
                        }
                        b"hdlr" => {
                            let (_, rest) = full(m.body, "hdlr")?;
                            if let Some(h) = rest.get(4..8) {
                                t.handler = [h[0], h[1], h[2], h[3]];
                            }
                        }
                        b"minf" => {
                            for i in boxes(m.body, "minf")? {
                                if &i.kind != b"stbl" {
                                    continue;
                                }
                                for s in boxes(i.body, "stbl")? {
                                    let slot = match &s.kind {
                                        b"stts" => &mut t.stts,
                                        b"stsc" => &mut t.stsc,
                                        b"stsz" => &mut t.stsz,
                                        b"stco" => &mut t.stco,
                                        b"co64" => &mut t.co64,
                                        _ => continue,
                                    };
                                    *slot = Some(s.body);
                                }
                            }
                        }
                        _ => {}
                    }
                }
            }
            _ => {}
        }
    }
    Ok(t)
}

/// The chapter track: the first text track a `tref/chap` names (a chapter
/// reference may also name a video track of chapter pictures).
fn chapter_track<'t, 'a>(tracks: &'t [Track<'a>]) -> Option<&'t Track<'a>> {
    tracks
        .iter()
        .flat_map(|t| t.chapters.iter())
        .find_map(|&id| {
            tracks
                .iter()
                .find(|t| t.id == id && matches!(&t.handler, b"text" | b"sbtl"))
        })
}

/// The entries of a full-box table (`stts`, `stsc`, `stco`, `co64`): its
/// count checked against the bytes there are, `width` bytes each.
fn table<'a>(body: Option<&'a [u8]>, kind: &str, width: usize) -> Result<&'a [u8]> {
    let Some(body) = body else {
        return Err(err(format!("the chapter track has no `{kind}` box")).with_help(DAMAGED));
    };
    let (_, rest) = full(body, kind)?;
    let count = be32(rest, 0) as usize;
    let entries = rest.get(4..).unwrap_or_default();
    if count.checked_mul(width).is_none_or(|n| n > entries.len()) {
        return Err(err(format!(
            "the chapter track's `{kind}` box lists {count} entries but holds {}",
            entries.len() / width
        ))
        .with_help(DAMAGED));
    }
    Ok(&entries[..count * width])
}

/// One chapter sample: where its bytes are, and when it plays.
struct Sample {
    offset: u64,
    size: u32,
    start: u64,
    duration: u64,
}

/// Every sample of the chapter track, from its sample tables.
fn samples(t: &Track<'_>) -> Result<Vec<Sample>> {
    // Sample sizes: one for all, or one each.
    let stsz = t.stsz.ok_or_else(|| {
        err("the chapter track has no `stsz` box").with_help(DAMAGED)
    })?;
    let (_, stsz) = full(stsz, "stsz")?;
    if stsz.len() < 8 {
        return Err(err("the `stsz` box is cut off").with_help(DAMAGED));
    }
    let uniform = be32(stsz, 0);
    let count = be32(stsz, 4) as usize;
    let sizes = stsz.get(8..).unwrap_or_default();
    if uniform == 0 && count.checked_mul(4).is_none_or(|n| n > sizes.len()) {
        return Err(err(format!(
            "the chapter track's `stsz` box lists {count} samples but holds {}",
            sizes.len() / 4
        ))
        .with_help(DAMAGED));
    }
    // With one size for all, the count is checked against the time table.
    let stts = table(t.stts, "stts", 8)?;
    let timed: u64 = stts.chunks_exact(8).map(|e| u64::from(be32(e, 0))).sum();
    if (count as u64) > timed {
        return Err(err(format!(
            "the chapter track has {count} samples, but its `stts` box times {timed}"
        ))
        .with_help(DAMAGED));
    }
    let size_of = |i: usize| if uniform != 0 { uniform } else { be32(sizes, i * 4) };
    // Chunk offsets, and how many samples each chunk holds.
    let offsets: Vec<u64> = match (t.stco, t.co64) {
        (_, Some(b)) => table(Some(b), "co64", 8)?
            .chunks_exact(8)
            .map(|c| be64(c, 0))
            .collect(),
        (b, None) => table(b, "stco", 4)?
            .chunks_exact(4)
            .map(|c| u64::from(be32(c, 0)))
            .collect(),
    };
    let stsc: Vec<(u32, u32)> = table(t.stsc, "stsc", 12)?
        .chunks_exact(12)
        .map(|e| (be32(e, 0), be32(e, 4)))
        .collect();
    let mut out = Vec::with_capacity(count);
    let mut deltas = stts
        .chunks_exact(8)
        .flat_map(|e| std::iter::repeat_n(u64::from(be32(e, 4)), be32(e, 0) as usize));
    let mut time = 0u64;
    'chunks: for (i, &(first, per_chunk)) in stsc.iter().enumerate() {
        let next = stsc.get(i + 1).map_or(offsets.len() as u64 + 1, |n| u64::from(n.0));
        if first == 0 || u64::from(first) > next {
            return Err(err("the chapter track's `stsc` box is out of order").with_help(DAMAGED));
        }
        for chunk in u64::from(first)..next {
            let Some(&base) = offsets.get(chunk as usize - 1) else {
                return Err(err(format!(
                    "the chapter track's `stsc` box names chunk {chunk}, but `stco` lists {}",
                    offsets.len()
                ))
                .with_help(DAMAGED));
            };
            let mut offset = base;
            for _ in 0..per_chunk {
                if out.len() == count {
                    break 'chunks;
                }
                let size = size_of(out.len());
                let duration = deltas.next().unwrap_or(0);
                out.push(Sample {
                    offset,
                    size,
                    start: time,
                    duration,
                });
                offset = offset.saturating_add(u64::from(size));
                time = time.saturating_add(duration);
            }
        }
    }
    if out.len() < count {
        return Err(err(format!(
            "the chapter track's chunks hold {} of its {count} samples",
            out.len()
        ))
        .with_help(DAMAGED));
    }
    Ok(out)
}

/// A time in `timescale` units, in milliseconds (rounded).
fn ms(units: u64, timescale: u64) -> u64 {
    ((u128::from(units) * 1000 + u128::from(timescale) / 2) / u128::from(timescale))
        .min(u128::from(u64::MAX / 2)) as u64
}

/// The chapters of the QuickTime chapter track `t`: one per sample, its
/// title read from the file. The track's edit list is not applied: chapter
/// tracks start with the audio.
fn track_chapters<R: Read + Seek>(r: &mut R, len: u64, t: &Track<'_>) -> Result<Vec<Chapter>> {
    if t.timescale == 0 {
        return Err(err("the chapter track's timescale (`mdhd`) is 0, so its times mean nothing")
            .with_help(DAMAGED));
    }
    let scale = u64::from(t.timescale);
    let mut out = Vec::new();
    for (i, s) in samples(t)?.into_iter().enumerate() {
        let n = i + 1;
        let take = u64::from(s.size).min(MAX_SAMPLE);
        if s.offset.saturating_add(take) > len {
            return Err(err(format!(
                "the file is cut short: chapter {n}'s title is at byte {}, past the end of the file at byte {len}",
                s.offset
            ))
            .with_help(DAMAGED));
        }
        r.seek(SeekFrom::Start(s.offset)).map_err(|e| io(&e))?;
        let mut bytes = vec![0u8; take as usize];
        let got = read_up_to(r, &mut bytes)?;
        bytes.truncate(got);
        let (title, url) = text_sample(&bytes, n)?;
        let start = ms(s.start, scale);
        let mut ch = Chapter::new(Timestamp::from_ms(start), title);
        ch.url = url;
        if s.duration > 0 {
            ch.end = Some(Timestamp::from_ms(ms(s.start.saturating_add(s.duration), scale)));
        }
        out.push(ch);
    }
    Ok(out)
}

/// A QuickTime text sample: a 16-bit length, the text (UTF-8, or UTF-16
/// after a byte-order mark), then atoms; an `href` atom ("Hypertext":
/// start and end character, an 8-bit length and the URL) is the
/// chapter's link. An empty sample is an empty title.
fn text_sample(bytes: &[u8], n: usize) -> Result<(String, Option<String>)> {
    if bytes.len() < 2 {
        return Ok((String::new(), None));
    }
    let len = usize::from(be16(bytes, 0));
    let Some(text) = bytes.get(2..2 + len) else {
        return Err(err(format!(
            "chapter {n}'s title says it is {len} bytes, but its sample holds {}",
            bytes.len() - 2
        ))
        .with_help(DAMAGED));
    };
    let title = decode_text(text);
    let mut url = None;
    let mut rest = &bytes[2 + len..];
    while rest.len() >= 8 {
        let size = be32(rest, 0) as usize;
        if size < 8 || size > rest.len() {
            break;
        }
        if &rest[4..8] == b"href" {
            let body = &rest[8..size];
            let ulen = body.get(4).copied().map_or(0, usize::from);
            if let Some(u) = body.get(5..5 + ulen) {
                let u = String::from_utf8_lossy(u).trim_end_matches('\0').trim().to_string();
                if !u.is_empty() {
                    url = Some(u);
                }
            }
        }
        rest = &rest[size..];
    }
    Ok((title, url))
}

/// Text in UTF-16 after a byte-order mark, else UTF-8 (bytes that are not
/// become U+FFFD), trimmed.
fn decode_text(b: &[u8]) -> String {
    let utf16 = |be: bool| {
        let units: Vec<u16> = b[2..]
            .chunks_exact(2)
            .map(|c| if be { u16::from_be_bytes([c[0], c[1]]) } else { u16::from_le_bytes([c[0], c[1]]) })
            .collect();
        String::from_utf16_lossy(&units)
    };
    let s = match b {
        [0xFE, 0xFF, ..] => utf16(true),
        [0xFF, 0xFE, ..] => utf16(false),
        _ => String::from_utf8_lossy(b).into_owned(),
    };
    s.trim_matches(|c: char| c.is_whitespace() || c == '\0').to_string()
}

/// The Nero chapter list: starts in 100 ns units, UTF-8 titles.
fn nero(body: &[u8]) -> Result<Vec<Chapter>> {
    let (version, rest) = full(body, "chpl")?;
    // From version 1 on, 4 more bytes come first (FFmpeg writes zero).
    // mp4v2 writes a reserved byte and a 32-bit count there instead; its
    // last byte is the count either way for up to 255 chapters.
    let (count, mut entries) = if version >= 1 {
        let Some(head) = rest.get(..5) else {
            return Err(err("the `chpl` box is cut off").with_help(DAMAGED));
        };
        let count = if head[0] == 0 { be32(head, 1) } else { u32::from(head[4]) };
        (count as usize, &rest[5..])
    } else {
        let Some(&c) = rest.first() else {
            return Err(err("the `chpl` box is cut off").with_help(DAMAGED));
        };
        (usize::from(c), &rest[1..])
    };
    let mut out = Vec::new();
    for n in 1..=count {
        let (Some(start), Some(&tlen)) = (entries.get(..8), entries.get(8)) else {
            return Err(err(format!(
                "the `chpl` box lists {count} chapters but holds {}",
                n - 1
            ))
            .with_help(DAMAGED));
        };
        let start = be64(start, 0);
        let Some(title) = entries.get(9..9 + usize::from(tlen)) else {
            return Err(err(format!("chapter {n} of the `chpl` box is cut off")).with_help(DAMAGED));
        };
        out.push(Chapter::new(
            Timestamp::from_ms(ms(start, 10_000_000)),
            decode_text(title),
        ));
        entries = &entries[9 + usize::from(tlen)..];
    }
    Ok(out)
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;

    /// A box of `kind` around `body`.
    pub(crate) fn bx(kind: &[u8; 4], body: &[u8]) -> Vec<u8> {
        let mut v = ((body.len() + 8) as u32).to_be_bytes().to_vec();
        v.extend_from_slice(kind);
        v.extend_from_slice(body);
        v
    }

    /// A full box: version, zero flags, body.
    fn fbx(kind: &[u8; 4], version: u8, body: &[u8]) -> Vec<u8> {
        let mut b = vec![version, 0, 0, 0];
        b.extend_from_slice(body);
        bx(kind, &b)
    }

    /// A Nero `chpl` box (version 1, as FFmpeg writes it).
    pub(crate) fn chpl(chapters: &[(u64, &str)]) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 0, chapters.len() as u8];
        for (start_ms, title) in chapters {
            b.extend_from_slice(&(start_ms * 10_000).to_be_bytes());
            b.push(title.len() as u8);
            b.extend_from_slice(title.as_bytes());
        }
        fbx(b"chpl", 1, &b)
    }

    /// An M4A with a text chapter track (timescale 1000) referenced by
    /// track 1, its samples in `mdat`, and `extra` boxes in `udta`.
    pub(crate) fn m4a(chapters: &[(u32, u32, &[u8])], udta: &[u8]) -> Vec<u8> {
        let ftyp = bx(b"ftyp", b"M4A \0\0\0\0M4A isom");
        let mut samples = Vec::new();
        for (_, _, s) in chapters {
            samples.extend_from_slice(s);
        }
        let mdat = bx(b"mdat", &samples);
        let mdat_body = (ftyp.len() + 8) as u32;
        let tkhd = |id: u32| {
            let mut b = vec![0; 8];
            b.extend_from_slice(&id.to_be_bytes());
            b.extend_from_slice(&[0; 72]);
            fbx(b"tkhd", 0, &b)
        };
        let mdia = |handler: &[u8; 4], stbl: Vec<u8>| {
            let mut mdhd = vec![0; 8];
            mdhd.extend_from_slice(&1000u32.to_be_bytes());
            mdhd.extend_from_slice(&[0; 8]);
            let mut hdlr = vec![0; 4];
            hdlr.extend_from_slice(handler);
            hdlr.extend_from_slice(&[0; 13]);
            let mut b = fbx(b"mdhd", 0, &mdhd);
            b.extend(fbx(b"hdlr", 0, &hdlr));
            b.extend(bx(b"minf", &bx(b"stbl", &stbl)));
            bx(b"mdia", &b)
        };
        let mut stts = (chapters.len() as u32).to_be_bytes().to_vec();
        let mut stsz = vec![0, 0, 0, 0];
        stsz.extend_from_slice(&(chapters.len() as u32).to_be_bytes());
        for (_, dur, s) in chapters {
            stts.extend_from_slice(&1u32.to_be_bytes());
            stts.extend_from_slice(&dur.to_be_bytes());
            stsz.extend_from_slice(&(s.len() as u32).to_be_bytes());
        }
        let mut stsc = 1u32.to_be_bytes().to_vec();
        stsc.extend_from_slice(&[0, 0, 0, 1]);
        stsc.extend_from_slice(&(chapters.len().max(1) as u32).to_be_bytes());
        stsc.extend_from_slice(&[0, 0, 0, 1]);
        let mut stco = 1u32.to_be_bytes().to_vec();
        stco.extend_from_slice(&mdat_body.to_be_bytes());
        let mut stbl = fbx(b"stts", 0, &stts);
        stbl.extend(fbx(b"stsc", 0, &stsc));
        stbl.extend(fbx(b"stsz", 0, &stsz));
        stbl.extend(fbx(b"stco", 0, &stco));
        let mut audio = tkhd(1);
        audio.extend(bx(b"tref", &bx(b"chap", &2u32.to_be_bytes())));
        audio.extend(mdia(b"soun", vec![]));
        let mut text = tkhd(2);
        text.extend(mdia(b"text", stbl));
        let mut moov = bx(b"trak", &audio);
        moov.extend(bx(b"trak", &text));
        if !udta.is_empty() {
            moov.extend(bx(b"udta", udta));
        }
        let mut file = ftyp;
        file.extend(mdat);
        file.extend(bx(b"moov", &moov));
        file
    }

    /// A text sample: length, UTF-8 title, atoms.
    pub(crate) fn sample(title: &str, atoms: &[u8]) -> Vec<u8> {
        let mut s = (title.len() as u16).to_be_bytes().to_vec();
        s.extend_from_slice(title.as_bytes());
        s.extend_from_slice(atoms);
        s
    }

    fn href(url: &str) -> Vec<u8> {
        let mut b = vec![0, 0, 0, 5, url.len() as u8];
        b.extend_from_slice(url.as_bytes());
        b.push(0);
        bx(b"href", &b)
    }

    fn titles(c: &[Chapter]) -> Vec<(u64, &str)> {
        c.iter().map(|c| (c.start.as_ms(), c.title.as_str())).collect()
    }

    #[test]
    fn reads_a_chapter_track_with_links_and_utf16() {
        let utf16: Vec<u8> = {
            let mut t = vec![0xFE, 0xFF];
            t.extend("Zwëi".encode_utf16().flat_map(u16::to_be_bytes));
            let mut s = (t.len() as u16).to_be_bytes().to_vec();
            s.extend(t);
            s
        };
        let one = sample("Intro", &href("https://example.com/one"));
        let three = sample("", &[]);
        let f = m4a(
            &[(0, 1500, &one), (0, 2250, &utf16), (0, 1000, &three)],
            &chpl(&[(0, "Nero")]),
        );
        let c = read(&f).unwrap();
        assert_eq!(titles(&c), [(0, "Intro"), (1500, "Zwëi"), (3750, "")]);
        assert_eq!(c[0].url.as_deref(), Some("https://example.com/one"));
        assert_eq!(c[0].end, Some(Timestamp::from_ms(1500)));
        assert_eq!(c[2].end, Some(Timestamp::from_ms(4750)));
    }

    #[test]
    fn reads_a_nero_list_without_a_chapter_track() {
        let mut file = bx(b"ftyp", b"M4A \0\0\0\0");
        let mut udta = chpl(&[(0, "Intro"), (61_500, "Café"), (3_600_000, "Late")]);
        udta.extend(bx(b"meta", &[0; 4]));
        file.extend(bx(b"moov", &bx(b"udta", &udta)));
        let c = read(&file).unwrap();
        assert_eq!(titles(&c), [(0, "Intro"), (61_500, "Café"), (3_600_000, "Late")]);
        // Version 0: no 4 bytes before the count.
        let mut v0 = vec![0, 0, 0, 0, 1];
        v0.extend_from_slice(&0u64.to_be_bytes());
        v0.extend_from_slice(b"\x01A");
        let mut file = bx(b"ftyp", b"M4A \0\0\0\0");
        file.extend(bx(b"moov", &bx(b"udta", &bx(b"chpl", &v0))));
        assert_eq!(titles(&read(&file).unwrap()), [(0, "A")]);
    }

    #[test]
    fn no_chapters_and_not_mp4_say_so() {
        let mut file = bx(b"ftyp", b"M4A \0\0\0\0");
        file.extend(bx(b"moov", &bx(b"mvhd", &[0; 100])));
        let e = read(&file).unwrap_err();
        assert!(e.message().contains("has no chapters"), "{}", e.message());
        let e = read(b"\x00\x00\x00\x08\xff\xfe\xfd\xfc").unwrap_err();
        assert!(e.message().contains("not an MP4 file"), "{}", e.message());
        let e = read(b"").unwrap_err();
        assert!(e.message().contains("empty"), "{}", e.message());
        let e = read(&bx(b"ftyp", b"M4A ")).unwrap_err();
        assert!(e.message().contains("no index"), "{}", e.message());
    }

    #[test]
    fn cut_and_damaged_files_are_errors_never_panics() {
        let one = sample("Intro", &href("https://example.com/one"));
        let two = sample("Two", &[]);
        let f = m4a(&[(0, 1500, &one), (0, 2250, &two)], &chpl(&[(0, "Nero")]));
        assert!(read(&f).is_ok());
        let cut = read(&f[..f.len() - 10]).unwrap_err();
        assert!(cut.message().contains("cut short"), "{}", cut.message());
        assert!(cut.help().is_some());
        for n in 0..f.len() {
            let _ = read(&f[..n]);
            for x in [0xFF, 0x80, 0x01] {
                let mut bad = f.clone();
                bad[n] ^= x;
                let _ = read(&bad);
            }
        }
        // A timescale of 0, a huge count, a sample past the end.
        let zero = {
            let mut g = f.clone();
            // The text track's `mdhd` (the second): its timescale follows
            // the version, flags, and creation and modification times.
            let mdhd: Vec<usize> = g
                .windows(4)
                .enumerate()
                .filter(|(_, w)| *w == b"mdhd")
                .map(|(i, _)| i)
                .collect();
            let at = mdhd[1] + 16;
            g[at..at + 4].copy_from_slice(&[0; 4]);
            g
        };
        let e = read(&zero).unwrap_err();
        assert!(e.message().contains("timescale"), "{}", e.message());
        let huge = {
            let mut g = f.clone();
            let at = g.windows(4).position(|w| w == b"stts").unwrap() + 8;
            g[at..at + 4].copy_from_slice(&u32::MAX.to_be_bytes());
            g
        };
        let e = read(&huge).unwrap_err();
        assert!(e.message().contains("`stts`"), "{}", e.message());
        let far = {
            let mut g = f.clone();
            let at = g.windows(4).position(|w| w == b"stco").unwrap() + 12;
            g[at..at + 4].copy_from_slice(&0x7FFF_FFF0u32.to_be_bytes());
            g
        };
        let e = read(&far).unwrap_err();
        assert!(e.message().contains("cut short"), "{}", e.message());
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(500))]
        #[test]
        fn never_panics(bytes in proptest::collection::vec(proptest::prelude::any::<u8>(), 0..600), at in 0usize..600) {
            let one = sample("Intro", &[]);
            let mut f = m4a(&[(0, 1500, &one)], &chpl(&[(0, "Nero")]));
            let at = at.min(f.len());
            f.splice(at..(at + bytes.len()).min(f.len()), bytes);
            let _ = read(&f);
        }
    }
}
