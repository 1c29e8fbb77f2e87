//! Byte builders for tests: ID3v2 frames and tags, CHAP frames, one MPEG
//! audio frame.

use super::encode::{encode_frame, syncsafe_bytes};

/// Builds an ID3v2 frame (2.3 plain sizes, 2.4 syncsafe), flags cleared.
pub(crate) fn frame(version: u8, id: &[u8; 4], body: &[u8]) -> Vec<u8> {
    encode_frame(version, id, [0, 0], body)
}

/// A CHAP frame with a UTF-8 `TIT2` and, when given, a `WXXX`.
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

/// A top-level `CTOC` frame (ID `toc`), ordered, listing `children`.
pub(crate) fn ctoc_frame(version: u8, children: &[&str]) -> Vec<u8> {
    let mut b = b"toc\0".to_vec();
    b.extend([3, children.len() as u8]);
    for c in children {
        b.extend(c.as_bytes());
        b.push(0);
    }
    frame(version, b"CTOC", &b)
}

/// An ID3v2 tag holding `frames` and 16 bytes of padding, then one MPEG
/// audio frame.
pub(crate) fn tag(version: u8, frames: &[Vec<u8>]) -> Vec<u8> {
    let body: Vec<u8> = frames.concat();
    let mut t = b"ID3".to_vec();
    t.extend([version, 0, 0]);
    t.extend(syncsafe_bytes((body.len() + 16) as u32));
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
