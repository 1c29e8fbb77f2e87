//! What the first bytes of a file say before symphonia sees it: where the
//! audio starts (after any leading ID3v2 tags), and the Xing/Info or VBRI
//! header of an MP3's first frame.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use crate::mp3::frame::{self, InfoTag};
use crate::mp3::id3;

/// Facts read from the start of the file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub(super) struct Head {
    /// Where the audio starts: after any leading ID3v2 tags.
    pub audio_start: u64,
    /// The Xing/Info or VBRI header of the first MPEG audio frame.
    pub info: Option<InfoTag>,
}

/// Reads the leading ID3v2 tags (each may be followed by another) and the
/// first 4 KiB of audio after them; leaves `file` at its start.
pub(super) fn sniff(file: &mut File, len: u64) -> io::Result<Head> {
    let mut head = Head::default();
    loop {
        let mut h = [0u8; id3::HEADER_LEN];
        file.seek(SeekFrom::Start(head.audio_start))?;
        if read_up_to(file, &mut h)? < h.len() {
            break;
        }
        let Some(tag) = id3::Header::parse(&h) else {
            break;
        };
        head.audio_start = (head.audio_start + tag.tag_len() as u64).min(len);
        if head.audio_start == len {
            return Ok(head);
        }
    }
    let mut buf = vec![0u8; 4096];
    file.seek(SeekFrom::Start(head.audio_start))?;
    let n = read_up_to(file, &mut buf)?;
    head.info = frame::info_tag(&buf[..n]);
    file.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// Reads until `buf` is full or the input ends.
pub(super) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mp3::encode::syncsafe_bytes;
    use crate::mp3::testing::mp3_frame;

    fn sniffed(bytes: &[u8]) -> Head {
        let mut f = tempfile::tempfile().unwrap();
        std::io::Write::write_all(&mut f, bytes).unwrap();
        sniff(&mut f, bytes.len() as u64).unwrap()
    }

    fn tag(version: u8, flags: u8, body: usize) -> Vec<u8> {
        let mut t = vec![b'I', b'D', b'3', version, 0, flags];
        t.extend(syncsafe_bytes(body as u32));
        t.extend(vec![0; body]);
        t
    }

    #[test]
    fn skips_every_leading_tag_and_an_id3v24_footer() {
        let mut bytes = tag(3, 0, 20);
        let mut v24 = tag(4, 0x10, 30);
        v24.extend(b"3DI\x04\x00\x10\x00\x00\x00\x1e");
        bytes.extend(v24);
        let start = bytes.len();
        bytes.extend(mp3_frame());
        assert_eq!(sniffed(&bytes).audio_start, start as u64);
        // A stray bit 4 in an ID3v2.3 header is no footer.
        let mut bytes = tag(3, 0x10, 20);
        let start = bytes.len();
        bytes.extend(mp3_frame());
        assert_eq!(sniffed(&bytes).audio_start, start as u64);
    }

    #[test]
    fn a_tag_longer_than_the_file_ends_at_the_file() {
        let bytes = tag(4, 0, 1000);
        assert_eq!(sniffed(&bytes[..100]).audio_start, 100);
    }
}
