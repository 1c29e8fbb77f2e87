//! ID3v2 tags at the start of an MP3 file: the tag header, syncsafe sizes,
//! the ID3v2.4 footer, frames, and text encodings, read (the writers are
//! in `encode`).
//!
//! Sources: id3.org "ID3 tag version 2.4.0 - Main Structure" (header and
//! footer, section 3; frame header, section 4; unsynchronisation per frame,
//! section 6) and "ID3 tag version 2.3.0" (plain frame sizes; tag-wide
//! unsynchronisation). Sizes in the tag header are 28-bit syncsafe numbers
//! in every version; frame sizes are plain in ID3v2.3 and syncsafe in 2.4.
//!
//! Only ID3v2.4 has a footer: flag bit 4 of its header says that a 10-byte
//! copy of the header (`3DI`) follows the tag, which the size in the header
//! does not count (2.4.0 structure, sections 3.1 and 3.4). In ID3v2.3 that
//! bit is undefined and in ID3v2.2 unused, so it adds nothing there (as
//! symphonia-metadata 0.6.1 reads it, `read_id3v2_header`).
//!
//! The parser is written here rather than taken from the `id3` crate so
//! that every damaged frame is reported with its byte offset and what is
//! wrong, and so that `embed` can copy the other frames byte for byte.

use std::borrow::Cow;

use crate::error::{Error, ErrorKind, Result};

/// Bytes of a tag header, and of a footer.
pub(crate) const HEADER_LEN: usize = 10;

/// Flag bit 4 of an ID3v2.4 header: a footer follows the tag.
const FOOTER_FLAG: u8 = 0x10;

/// The 10-byte header of an ID3v2 tag: `ID3`, version and revision (never
/// `0xFF`), flags, and the 28-bit syncsafe size of what follows the header
/// (extended header, frames, padding; not the footer).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// The major version: 2, 3 or 4 for the tags in use.
    pub version: u8,
    /// The header's flags byte.
    pub flags: u8,
    /// Bytes after the header, footer excluded.
    pub size: usize,
}

impl Header {
    /// The ID3v2 header `b` starts with; `None` when `b` starts with none.
    pub(crate) fn parse(b: &[u8]) -> Option<Header> {
        let h = b.get(..HEADER_LEN)?;
        if &h[..3] != b"ID3" || h[3] == 0xFF || h[4] == 0xFF {
            return None;
        }
        Some(Header {
            version: h[3],
            flags: h[5],
            size: syncsafe(&h[6..10])?,
        })
    }

    /// Bytes of the footer: 10 when an ID3v2.4 header has its footer flag.
    pub(crate) fn footer_len(&self) -> usize {
        if self.version == 4 && self.flags & FOOTER_FLAG != 0 {
            HEADER_LEN
        } else {
            0
        }
    }

    /// Bytes the whole tag takes: header, body and footer.
    pub(crate) fn tag_len(&self) -> usize {
        HEADER_LEN + self.size + self.footer_len()
    }
}

/// The length of the ID3v2 tag that `head` starts with (header, body and
/// footer), from its first 10 bytes; 0 when there is none.
pub(crate) fn tag_len(head: &[u8]) -> usize {
    Header::parse(head).map_or(0, |h| h.tag_len())
}

/// A 28-bit syncsafe integer, or `None` when a byte has its top bit set.
pub(crate) fn syncsafe(b: &[u8]) -> Option<usize> {
    b.iter().try_fold(0usize, |acc, &x| {
        (x < 0x80).then_some((acc << 7) | usize::from(x))
    })
}

/// A big-endian 32-bit number from the first four bytes of `b`.
pub(crate) fn u32_be(b: &[u8]) -> u32 {
    u32::from_be_bytes([b[0], b[1], b[2], b[3]])
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
    pub(crate) fn id_str(&self) -> String {
        String::from_utf8_lossy(&self.id).into_owned()
    }

    /// The frame's content: grouping bytes and data length indicators
    /// skipped, frame unsynchronisation (2.4) undone.
    pub(crate) fn content(&self, version: u8) -> Result<Cow<'_, [u8]>> {
        let mut d: &[u8] = &self.data;
        let f = self.flags[1];
        let refuse = |what: &str| {
            Err(invalid(format!(
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

fn invalid(message: String) -> Error {
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

fn valid_id(id: &[u8]) -> bool {
    id.iter()
        .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
}

/// Parses the ID3v2 tag at the start of `bytes`; `None` when there is none.
pub(crate) fn parse_tag(bytes: &[u8]) -> Result<Option<Tag>> {
    if bytes.len() < 3 || &bytes[..3] != b"ID3" {
        return Ok(None);
    }
    if bytes.len() < HEADER_LEN {
        return Err(invalid(format!(
            "the ID3v2 header is cut off after {} bytes",
            bytes.len()
        ))
        .with_help("the file is truncated"));
    }
    let (version, revision) = (bytes[3], bytes[4]);
    if !(2..=4).contains(&version) || revision == 0xFF {
        let shown = if revision == 0xFF {
            format!("{version}.{revision}")
        } else {
            version.to_string()
        };
        return Err(
            invalid(format!("`ID3v2.{shown}` is not a known ID3 version"))
                .with_help("ID3v2.3 and ID3v2.4 tags hold chapters"),
        );
    }
    let header = Header::parse(bytes).ok_or_else(|| {
        invalid("the ID3v2 tag size is not a syncsafe number".into())
            .with_help("the tag is damaged")
    })?;
    let size = header.size;
    if HEADER_LEN + size > bytes.len() {
        return Err(invalid(format!(
            "the ID3v2 tag claims {size} bytes, but the file ends {} bytes after its header",
            bytes.len() - HEADER_LEN
        ))
        .with_help("the file is truncated: download or export it again"));
    }
    let mut tag = Tag {
        version,
        len: header.tag_len().min(bytes.len()),
        frames: Vec::new(),
    };
    if version == 2 {
        return Ok(Some(tag));
    }
    let flags = header.flags;
    let mut body: Cow<'_, [u8]> = Cow::Borrowed(&bytes[HEADER_LEN..HEADER_LEN + size]);
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
            return Err(invalid(format!(
                "the ID3v2 extended header claims {pos} bytes, past the end of the tag"
            ))
            .with_help("the tag is damaged"));
        }
    }
    tag.frames = parse_frames(&body[pos..], version, HEADER_LEN + pos, "the tag")?;
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
            return Err(invalid(format!(
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

/// Decodes an ID3 string in `encoding` (0 ISO-8859-1, 1 UTF-16 with a byte
/// order mark, 2 UTF-16BE, 3 UTF-8) up to its terminator; returns it and
/// the bytes after the terminator.
pub(crate) fn decode(encoding: u8, b: &[u8]) -> (String, &[u8]) {
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
pub(crate) fn text(content: &[u8]) -> String {
    match content.split_first() {
        Some((&enc, rest)) => decode(enc, rest).0,
        None => String::new(),
    }
}

/// A `WXXX` frame's URL, or a `W***` frame's.
pub(crate) fn url(id: &[u8; 4], content: &[u8]) -> Option<String> {
    let raw = if id == b"WXXX" {
        let (&enc, rest) = content.split_first()?;
        decode(enc, rest).1
    } else {
        content
    };
    let url = decode(0, raw).0.trim().to_string();
    (!url.is_empty()).then_some(url)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mp3::encode::{encode_frame, encode_text, encode_wxxx, syncsafe_bytes};
    use crate::mp3::testing::{frame, mp3_frame, tag};

    #[test]
    fn sizes_are_syncsafe() {
        assert_eq!(tag_len(b"ID3\x04\x00\x00\x00\x00\x02\x01"), 10 + 257);
        assert_eq!(syncsafe(&[0x7F, 0x7F, 0x7F, 0x7F]), Some((1 << 28) - 1));
        assert_eq!(syncsafe(&[0, 0, 0x80, 0]), None);
        assert_eq!(syncsafe_bytes(257), [0, 0, 2, 1]);
        assert_eq!(syncsafe(&syncsafe_bytes(123_456_789)), Some(123_456_789));
        assert_eq!(tag_len(b"ID3\x04\x00\x00\x00\x00\x80\x00"), 0);
        assert_eq!(tag_len(b"RIFF\x04\x00\x00\x00\x00\x00"), 0);
        assert_eq!(tag_len(b"ID3\x04\x00\x00\x00"), 0);
        // Version and revision are never 0xFF (2.4.0 structure, 3.1).
        assert_eq!(tag_len(b"ID3\xff\x00\x00\x00\x00\x00\x01"), 0);
        assert_eq!(tag_len(b"ID3\x04\xff\x00\x00\x00\x00\x01"), 0);
    }

    #[test]
    fn only_an_id3v24_footer_adds_ten_bytes() {
        assert_eq!(tag_len(b"ID3\x04\x00\x10\x00\x00\x00\x05"), 25);
        // Bit 4 is undefined in ID3v2.3 and unused in 2.2: no footer.
        assert_eq!(tag_len(b"ID3\x03\x00\x10\x00\x00\x00\x05"), 15);
        assert_eq!(tag_len(b"ID3\x02\x00\x10\x00\x00\x00\x05"), 15);
    }

    #[test]
    fn a_tag_with_a_footer_ends_after_the_footer() {
        // An ID3v2.4 tag with one TIT2 frame, no padding (a tag with a
        // footer has none), then the footer `3DI`, then audio.
        let mut title = vec![3];
        title.extend(b"Episode");
        let body = frame(4, b"TIT2", &title);
        let mut bytes = b"ID3\x04\x00\x10".to_vec();
        bytes.extend(syncsafe_bytes(body.len() as u32));
        bytes.extend(&body);
        bytes.extend(b"3DI\x04\x00\x10");
        bytes.extend(syncsafe_bytes(body.len() as u32));
        let audio_start = bytes.len();
        bytes.extend(mp3_frame());
        assert_eq!(tag_len(&bytes), audio_start);
        let t = parse_tag(&bytes).unwrap().unwrap();
        assert_eq!(t.len, audio_start);
        assert_eq!(t.frames.len(), 1, "the footer is not read as a frame");
        assert_eq!(text(&t.frames[0].content(4).unwrap()), "Episode");
    }

    #[test]
    fn parses_frames_of_both_versions() {
        for v in [3, 4] {
            let t = parse_tag(&tag(
                v,
                &[frame(v, b"TIT2", b"\x00A"), frame(v, b"TALB", b"\x00B")],
            ))
            .unwrap()
            .unwrap();
            let ids: Vec<String> = t.frames.iter().map(Frame::id_str).collect();
            assert_eq!(ids, ["TIT2", "TALB"]);
            assert_eq!(t.frames[1].offset, 10 + 12);
            assert_eq!(t.len, 10 + 24 + 16);
        }
        assert!(parse_tag(&mp3_frame()).unwrap().is_none());
    }

    #[test]
    fn undoes_unsynchronisation() {
        assert_eq!(
            resync(&[0xFF, 0x00, 0xE0, 0xFF, 0x00, 0x00]),
            [0xFF, 0xE0, 0xFF, 0x00]
        );
        let f = Frame {
            id: *b"TIT2",
            flags: [0, 0x02],
            data: vec![0, 0xFF, 0x00, 0xFB],
            offset: 10,
        };
        assert_eq!(&*f.content(4).unwrap(), &[0, 0xFF, 0xFB]);
        let f = Frame {
            flags: [0, 0x08],
            ..f
        };
        let e = f.content(4).unwrap_err();
        assert_eq!(
            e.message(),
            "frame `TIT2` at byte 10 is compressed or encrypted, which is not supported"
        );
    }

    #[test]
    fn refuses_unknown_versions() {
        let e = parse_tag(b"ID3\x05\x00\x00\x00\x00\x00\x00").unwrap_err();
        assert_eq!(e.message(), "`ID3v2.5` is not a known ID3 version");
        let e = parse_tag(b"ID3\x04\xff\x00\x00\x00\x00\x00").unwrap_err();
        assert_eq!(e.message(), "`ID3v2.4.255` is not a known ID3 version");
        let e = parse_tag(b"ID3\x04\x00\x00\x00\x00\x80\x00").unwrap_err();
        assert!(e.message().contains("syncsafe"), "{}", e.message());
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
    fn encodes_what_it_decodes() {
        for (v, s) in [(4, "Ünï 🎙"), (3, "café"), (3, "日本語")] {
            assert_eq!(text(&encode_text(v, s)), s, "v2.{v}");
        }
        assert_eq!(encode_text(3, "café")[0], 0, "ISO-8859-1 when it fits");
        assert_eq!(
            url(b"WXXX", &encode_wxxx("https://e.example/a b")),
            Some("https://e.example/a%20b".into())
        );
        let f = encode_frame(4, b"TIT2", [0, 0], &[0; 200]);
        assert_eq!(&f[4..8], &[0, 0, 1, 0x48]);
        let f = encode_frame(3, b"TIT2", [0, 0], &[0; 200]);
        assert_eq!(&f[4..8], &[0, 0, 0, 200]);
    }
}
