//! ID3v2 writers: syncsafe sizes, frames as stored, text and `WXXX`
//! bodies. A leaf: the reader (`id3`), the chapter writer (`embed`) and
//! the test byte builders all import it, and it imports none of them.
//!
//! Source: id3.org "ID3 tag version 2.4.0 - Main Structure" (syncsafe
//! integers, section 6.2; frame header, section 4) and "ID3 tag version
//! 2.3.0" (plain frame sizes; no UTF-8 text encoding).

/// `n` (below 2^28) as a syncsafe integer.
pub(crate) fn syncsafe_bytes(n: u32) -> [u8; 4] {
    [
        (n >> 21) as u8 & 0x7F,
        (n >> 14) as u8 & 0x7F,
        (n >> 7) as u8 & 0x7F,
        n as u8 & 0x7F,
    ]
}

/// A frame as stored: ID, size (plain in ID3v2.3, syncsafe in 2.4), flags,
/// body.
pub(crate) fn encode_frame(version: u8, id: &[u8; 4], flags: [u8; 2], body: &[u8]) -> Vec<u8> {
    let mut f = Vec::with_capacity(body.len() + 10);
    f.extend(id);
    let n = body.len() as u32;
    if version >= 4 {
        f.extend(syncsafe_bytes(n));
    } else {
        f.extend(n.to_be_bytes());
    }
    f.extend(flags);
    f.extend(body);
    f
}

/// A text frame body: UTF-8 in ID3v2.4; in 2.3, ISO-8859-1 when the text
/// fits, else UTF-16 with a byte order mark (2.3 has no UTF-8).
pub(crate) fn encode_text(version: u8, text: &str) -> Vec<u8> {
    if version >= 4 {
        let mut b = vec![3];
        b.extend(text.as_bytes());
        return b;
    }
    if text.chars().all(|c| (c as u32) < 0x100) {
        let mut b = vec![0];
        b.extend(text.chars().map(|c| c as u8));
        return b;
    }
    let mut b = vec![1, 0xFF, 0xFE];
    for unit in text.encode_utf16() {
        b.extend(unit.to_le_bytes());
    }
    b
}

/// A `WXXX` body: an empty description and the URL, which is ISO-8859-1;
/// anything else in it is percent-encoded.
pub(crate) fn encode_wxxx(url: &str) -> Vec<u8> {
    let mut b = vec![0, 0];
    for byte in url.bytes() {
        if byte.is_ascii() && !byte.is_ascii_control() && byte != b' ' {
            b.push(byte);
        } else {
            b.extend(format!("%{byte:02X}").bytes());
        }
    }
    b
}
