//! MP4 (M4A): `mvhd` holds the edit list's length, the playable length
//! (the track's sample table adds AAC's priming samples); the walk sums
//! the samples and takes off the edit list's trim. Also: a cut MP4 is
//! named as such before symphonia reads it.

use std::io::{Seek, SeekFrom};
use std::path::Path;

use symphonia::core::units::TimeBase;

use super::rules::{Claim, Rules, Track};
use crate::audio::head::read_up_to;
use crate::audio::timebase::{ms, rescale};
use crate::audio::walk::Walk;

pub(super) struct Mp4;

/// The most an MP4 edit list is taken to trim from the sample table:
/// priming plus padding of an AAC stream (Apple's 2112 + up to 1024 + a
/// frame), in samples. Larger gaps mean `mvhd` measures another track.
const MAX_TRIM: u64 = 4 * 1024;

impl Rules for Mp4 {
    /// `mvhd`, when there is one, is authoritative (measured against
    /// ffprobe: it is the playable length); else the sample count is an
    /// estimate.
    fn header(&self, track: &Track) -> Option<Claim> {
        let Some((d, mtb)) = track.media else {
            let n = track.count()?;
            return Some(Claim {
                ms: ms(n, track.time_base?),
                authoritative: false,
                declared: false,
            });
        };
        (d > 0).then(|| Claim {
            ms: ms(d, mtb),
            authoritative: true,
            declared: true,
        })
    }

    /// The packets carry the whole sample table (priming included); the
    /// edit list's trim is what `mvhd` leaves out of it.
    fn walked(&self, track: &Track, walk: &Walk, tb: TimeBase) -> u64 {
        let Some((d, mtb)) = track.media else {
            return track.summed(walk);
        };
        let table = track.table.unwrap_or(0);
        let playable = rescale(d, mtb, tb);
        let trim = table.checked_sub(playable).filter(|&t| t <= MAX_TRIM);
        walk.sum_dur.saturating_sub(trim.unwrap_or(0))
    }
}

/// Why an MP4 file is cut short, when it is: its media data or index atom
/// (top level, ISO/IEC 14496-12 4.2: 32-bit size, type, a 64-bit size when
/// the size is 1, "to the end of the file" when 0) runs past the end.
/// Symphonia 0.6.1 reports such a file as unsupported (`moov` lost after the
/// cut) or yields no packet (`mdat` cut, `moov` first); this names the
/// cause instead. `None` for anything else, MP4 or not.
pub(crate) fn cut_reason(path: &Path, len: u64) -> Option<String> {
    let (mut f, _) = crate::regular::open(path).ok()?;
    let mut pos = 0u64;
    let mut seen_moov = false;
    let mut first = true;
    while pos + 8 <= len {
        let mut h = [0u8; 16];
        f.seek(SeekFrom::Start(pos)).ok()?;
        let n = read_up_to(&mut f, &mut h).ok()?;
        let kind = &h[4..8];
        if first && kind != b"ftyp" {
            return None;
        }
        first = false;
        if !kind.iter().all(|b| b.is_ascii_graphic() || *b == b' ') {
            return None;
        }
        let size = match u32::from_be_bytes([h[0], h[1], h[2], h[3]]) {
            0 => len - pos,
            1 if n == 16 => u64::from_be_bytes(h[8..16].try_into().ok()?),
            s => u64::from(s),
        };
        if size < 8 {
            return None;
        }
        let end = pos.checked_add(size)?;
        if kind == b"moov" {
            seen_moov = true;
        }
        if end > len && matches!(kind, b"mdat" | b"moov" | b"moof") {
            let kind = String::from_utf8_lossy(kind);
            let lost = if seen_moov {
                ""
            } else {
                "; the index (`moov`) is missing"
            };
            return Some(format!(
                "the file is cut short: its `{kind}` atom runs to byte {end} but the file ends at \
                 byte {len}{lost}"
            ));
        }
        pos = end;
    }
    None
}
