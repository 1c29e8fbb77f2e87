//! MPEG audio frame headers (ISO/IEC 11172-3 section 2.4.1.3 and 13818-3):
//! 11 sync bits, version, layer, bit rate, sample rate, padding, channel
//! mode; the frame's length from them; and the Xing/Info or VBRI header an
//! encoder puts in the first frame of an MP3.

/// A valid MPEG audio frame header.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Header {
    /// MPEG-1 (not MPEG-2 or 2.5).
    pub mpeg1: bool,
    /// 1, 2 or 3.
    pub layer: u8,
    /// Kbit/s; 0 for free format.
    pub bitrate_kbps: u32,
    /// Hz.
    pub sample_rate: u32,
    /// One padding slot added to the frame.
    pub padding: bool,
    /// Single channel mode.
    pub mono: bool,
}

/// Bit rates in kbit/s by index: MPEG-1 Layer I, II, III.
const V1_KBPS: [[u32; 15]; 3] = [
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

/// Bit rates in kbit/s by index: MPEG-2 and 2.5 Layer I, Layers II and III.
const V2_KBPS: [[u32; 15]; 2] = [
    [
        0, 32, 48, 56, 64, 80, 96, 112, 128, 144, 160, 176, 192, 224, 256,
    ],
    [0, 8, 16, 24, 32, 40, 48, 56, 64, 80, 96, 112, 128, 144, 160],
];

/// Sample rates in Hz by version bits (0: MPEG-2.5, 1: reserved, 2: MPEG-2,
/// 3: MPEG-1) and index.
const RATES: [[u32; 3]; 4] = [
    [11_025, 12_000, 8_000],
    [0, 0, 0],
    [22_050, 24_000, 16_000],
    [44_100, 48_000, 32_000],
];

/// The version bits of a header's second byte: 3 MPEG-1, 2 MPEG-2,
/// 0 MPEG-2.5, 1 reserved.
fn version_bits(b1: u8) -> u8 {
    (b1 >> 3) & 3
}

/// The layer bits of a header's second byte: 3 Layer I, 2 Layer II,
/// 1 Layer III, 0 reserved.
fn layer_bits(b1: u8) -> u8 {
    (b1 >> 1) & 3
}

impl Header {
    /// The header `b` starts with: sync, a version and a layer that are not
    /// reserved, a bit-rate index that is not "bad", a sample-rate index
    /// that is not reserved. Free format (bit-rate index 0) is accepted.
    pub(crate) fn parse(b: &[u8]) -> Option<Header> {
        let &[b0, b1, b2, b3, ..] = b else {
            return None;
        };
        let (version, layer) = (version_bits(b1), layer_bits(b1));
        let (index, rate) = (usize::from(b2 >> 4), usize::from((b2 >> 2) & 3));
        if b0 != 0xFF || b1 & 0xE0 != 0xE0 || version == 1 || layer == 0 {
            return None;
        }
        if index == 15 || rate == 3 {
            return None;
        }
        let layer = 4 - layer;
        let mpeg1 = version == 3;
        let bitrate_kbps = if mpeg1 {
            V1_KBPS[usize::from(layer - 1)][index]
        } else {
            V2_KBPS[usize::from(layer != 1)][index]
        };
        Some(Header {
            mpeg1,
            layer,
            bitrate_kbps,
            sample_rate: RATES[usize::from(version)][rate],
            padding: (b2 >> 1) & 1 != 0,
            mono: b3 >> 6 == 3,
        })
    }

    /// The frame's length in bytes, header included; `None` for free
    /// format, whose length the header does not give.
    pub(crate) fn frame_len(&self) -> Option<usize> {
        let (kbps, rate) = (self.bitrate_kbps, self.sample_rate);
        if kbps == 0 {
            return None;
        }
        let pad = u32::from(self.padding);
        let len = match self.layer {
            1 => (12_000 * kbps / rate + pad) * 4,
            3 if !self.mpeg1 => 72_000 * kbps / rate + pad,
            _ => 144_000 * kbps / rate + pad,
        };
        Some(len as usize)
    }

    /// Bytes of Layer III side information after the header (and CRC).
    fn side_info_len(&self) -> usize {
        match (self.mpeg1, self.mono) {
            (true, true) => 17,
            (true, false) => 32,
            (false, true) => 9,
            (false, false) => 17,
        }
    }
}

/// Whether `b` starts with an MPEG audio frame header.
pub(crate) fn is_header(b: &[u8]) -> bool {
    Header::parse(b).is_some()
}

/// The length in bytes of the MPEG audio frame whose header `b` starts
/// with; `None` for an invalid or free-format header.
pub(crate) fn frame_len(b: &[u8]) -> Option<usize> {
    Header::parse(b)?.frame_len()
}

/// Samples per MPEG audio frame from a frame header's first two bytes: 384
/// for Layer I, 1152 for Layer II, 1152 (MPEG-1) or 576 (MPEG-2/2.5) for
/// Layer III.
pub(crate) fn samples_per_frame(b: &[u8]) -> Option<u64> {
    let &[0xFF, b1, ..] = b else { return None };
    let mpeg1 = version_bits(b1) == 3;
    match layer_bits(b1) {
        3 => Some(384),
        2 => Some(1152),
        1 if mpeg1 => Some(1152),
        1 => Some(576),
        _ => None,
    }
}

/// Whether MPEG audio starts within the first bytes of `audio`: a frame
/// header followed, one frame later, by another of the same stream (one
/// header alone is too easy to find in other data).
pub(crate) fn starts_audio(audio: &[u8]) -> bool {
    (0..audio.len().min(4096)).any(|i| {
        let Some(n) = frame_len(&audio[i..]) else {
            return false;
        };
        match audio.get(i + n..i + n + 4) {
            Some(next) => {
                is_header(next) && next[1] == audio[i + 1] && next[2] & 0x0C == audio[i + 2] & 0x0C
            }
            None => i + n == audio.len(),
        }
    })
}

/// What a Xing/Info or VBRI header in an MP3's first frame declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct InfoTag {
    /// A frame count is present: the stream's only authoritative length.
    pub frames: bool,
    /// The stream's size in bytes (Xing flag bit 1; always in VBRI).
    pub bytes: Option<u64>,
}

/// The Xing/Info or VBRI header of the first MPEG Layer III frame in `buf`.
///
/// Xing/Info: the tag follows the side information (17 or 32 bytes for
/// MPEG-1 mono/stereo, 9 or 17 for MPEG-2/2.5); flags (4 bytes, big-endian):
/// bit 0 = a 4-byte frame count follows, bit 1 = a 4-byte stream size
/// follows. VBRI: 32 bytes after the 4-byte header, "VBRI", version (2),
/// delay (2), quality (2), stream size (4), frame count (4). Sources: the
/// Xing/Info and VBRI layouts as symphonia-bundle-mp3 0.6.1 reads them
/// (`demuxer.rs`, `try_read_info_tag`, `try_read_vbri_tag`); LAME's
/// "mp3 info tag rev 1 specifications" (gabriel.mp3-tech.org).
pub(crate) fn info_tag(buf: &[u8]) -> Option<InfoTag> {
    let layer3 = |b: &[u8]| Header::parse(b).filter(|h| h.layer == 3 && h.bitrate_kbps > 0);
    let i = (0..buf.len().saturating_sub(4)).find(|&i| layer3(&buf[i..]).is_some())?;
    let side = layer3(&buf[i..])?.side_info_len();
    let frame = &buf[i..];
    let at = |o: usize, n: usize| frame.get(o..o + n);
    let be32 = |o: usize| at(o, 4).map(|b| u64::from(u32::from_be_bytes([b[0], b[1], b[2], b[3]])));
    // With a CRC, the two CRC bytes come before the side information.
    for offset in [4 + side, 6 + side] {
        if let (Some(id), Some(flags)) = (at(offset, 4), be32(offset + 4)) {
            if id == b"Xing" || id == b"Info" {
                let frames = flags & 1 != 0;
                let bytes_at = offset + 8 + if frames { 4 } else { 0 };
                let bytes = if flags & 2 != 0 { be32(bytes_at) } else { None };
                return Some(InfoTag { frames, bytes });
            }
        }
    }
    (at(36, 4) == Some(b"VBRI")).then(|| InfoTag {
        frames: true,
        bytes: be32(46),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_the_header_fields() {
        let h = Header::parse(&[0xFF, 0xFB, 0x92, 0xC4]).unwrap();
        assert_eq!(
            h,
            Header {
                mpeg1: true,
                layer: 3,
                bitrate_kbps: 128,
                sample_rate: 44_100,
                padding: true,
                mono: true,
            }
        );
        // MPEG-2.5 Layer III, 8 kbit/s, 8 kHz.
        let h = Header::parse(&[0xFF, 0xE3, 0x18, 0x00]).unwrap();
        assert_eq!((h.mpeg1, h.bitrate_kbps, h.sample_rate), (false, 8, 8_000));
        // Free format parses; its length is unknown.
        let free = Header::parse(&[0xFF, 0xFB, 0x00, 0x00]).unwrap();
        assert_eq!(free.frame_len(), None);
        assert_eq!(Header::parse(&[0xFF, 0xFB, 0x90]), None);
    }

    #[test]
    fn recognises_mpeg_frame_headers() {
        assert!(is_header(&[0xFF, 0xFB, 0x90, 0x64]));
        assert!(!is_header(b"ID3\x04"));
        assert!(!is_header(&[0xFF, 0xFB, 0xF0, 0x64]), "bad bit rate");
        assert!(!is_header(&[0xFF, 0xFB, 0x9C, 0x64]), "reserved rate");
        assert!(!is_header(&[0xFF, 0xEB, 0x90, 0x64]), "reserved version");
        assert!(!is_header(&[0xFF, 0xF9, 0x90, 0x64]), "reserved layer");
        // 128 kbit/s, 44.1 kHz, MPEG-1 Layer III: 417 bytes, 418 padded.
        assert_eq!(frame_len(&[0xFF, 0xFB, 0x90, 0x64]), Some(417));
        assert_eq!(frame_len(&[0xFF, 0xFB, 0x92, 0x64]), Some(418));
        // 32 kbit/s, 24 kHz, MPEG-2 Layer III: 96 bytes.
        assert_eq!(frame_len(&[0xFF, 0xF3, 0x44, 0xC4]), Some(96));
        // 32 kbit/s, 44.1 kHz, MPEG-1 Layer I: 8 slots of 4 bytes.
        assert_eq!(frame_len(&[0xFF, 0xFF, 0x10, 0x00]), Some(8 * 4));
        // 64 kbit/s, 48 kHz, MPEG-1 Layer II: 192 bytes.
        assert_eq!(frame_len(&[0xFF, 0xFD, 0x44, 0x00]), Some(192));
        let mut two = vec![0u8; 417 + 4];
        two[..4].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        two[417..].copy_from_slice(&[0xFF, 0xFB, 0x90, 0x64]);
        assert!(starts_audio(&two));
        assert!(starts_audio(&two[..417]), "one frame that ends the file");
        assert!(!starts_audio(&two[..300]));
        let mut noise = two.clone();
        noise[417] = 0;
        assert!(!starts_audio(&noise));
    }

    #[test]
    fn samples_per_frame_follow_version_and_layer() {
        assert_eq!(samples_per_frame(&[0xff, 0xfb]), Some(1152));
        assert_eq!(samples_per_frame(&[0xff, 0xf3]), Some(576));
        assert_eq!(samples_per_frame(&[0xff, 0xe3]), Some(576));
        assert_eq!(samples_per_frame(&[0xff, 0xfd]), Some(1152));
        assert_eq!(samples_per_frame(&[0xff, 0xff]), Some(384));
        assert_eq!(samples_per_frame(&[0x00, 0xfb]), None);
    }

    fn frame(header: [u8; 4], tag_at: usize, tag: &[u8]) -> Vec<u8> {
        let mut f = vec![0u8; 200];
        f[..4].copy_from_slice(&header);
        f[tag_at..tag_at + tag.len()].copy_from_slice(tag);
        f
    }

    #[test]
    fn finds_xing_info_and_vbri_frame_counts() {
        // MPEG-1 Layer III, 32 kbit/s, 44.1 kHz, mono: side info is 17 bytes.
        let mono = [0xff, 0xfb, 0x10, 0xc4];
        let tag = |frames, bytes| Some(InfoTag { frames, bytes });
        let xing = b"Xing\0\0\0\x03\0\0\0\x09\0\0\x01\x02";
        assert_eq!(info_tag(&frame(mono, 21, xing)), tag(true, Some(258)));
        assert_eq!(
            info_tag(&frame(mono, 21, b"Info\0\0\0\x01")),
            tag(true, None)
        );
        assert_eq!(
            info_tag(&frame(mono, 21, b"Info\0\0\0\x02\0\0\0\x07")),
            tag(false, Some(7))
        );
        let vbri = b"VBRI\0\x01\0\0\0\0\0\0\x10\0\0\0\0\x20";
        assert_eq!(info_tag(&frame(mono, 36, vbri)), tag(true, Some(4096)));
        assert_eq!(info_tag(&frame(mono, 60, b"Xing\0\0\0\x0f")), None);
        // Stereo: 32 bytes of side info; junk before the frame is skipped.
        let mut f = vec![0x00, 0x12];
        f.extend(frame([0xff, 0xfb, 0x90, 0x44], 36, b"Xing\0\0\0\x01"));
        assert_eq!(info_tag(&f), tag(true, None));
        // MPEG-2 mono: 9 bytes of side info; with a CRC, 2 bytes later.
        let mpeg2 = frame([0xff, 0xf3, 0x44, 0xc4], 13, b"Info\0\0\0\x01");
        assert_eq!(info_tag(&mpeg2), tag(true, None));
        let crc = frame([0xff, 0xfa, 0x90, 0x44], 38, b"Xing\0\0\0\x01");
        assert_eq!(info_tag(&crc), tag(true, None));
        assert_eq!(info_tag(b"not audio at all"), None);
        assert_eq!(info_tag(&[]), None);
    }
}
