//! MP3: only a Xing/Info or VBRI frame count is authoritative; the walk
//! counts MPEG frames between the first and the last packet.

use symphonia::core::units::TimeBase;

use super::rules::{Rules, Track};
use crate::audio::walk::Walk;
use crate::mp3::frame::samples_per_frame;

pub(super) struct Mp3;

impl Rules for Mp3 {
    /// Without a Xing/Info/VBRI frame count, symphonia estimates from the
    /// first 16 frames (`demuxer.rs`, `estimate_num_mpeg_frames`): 505 s
    /// short on a one-hour VBR. A count whose declared stream size overruns
    /// the file belongs to a file that was cut: not trusted either.
    fn trusts(&self, track: &Track, _count: u64) -> bool {
        track.info.is_some_and(|tag| {
            tag.frames
                && tag
                    .bytes
                    .is_none_or(|b| track.audio_start.saturating_add(b) <= track.file_len)
        })
    }

    /// A Xing/Info/VBRI frame count is written by the encoder: a file cut
    /// after it still states its full length. Without one, symphonia's
    /// count is an estimate from the first frames, not a statement.
    fn declares(&self, track: &Track, _count: u64) -> bool {
        track.info.is_some_and(|tag| tag.frames)
    }

    /// Counts MPEG frames from the first and last packet's timestamps; does
    /// not sum `dur`: in symphonia 0.6.1 it ignores the trims, and
    /// `trim_end` is not capped at the frame size. Then removes the LAME
    /// tag's encoder delay and padding, the padding only when the walk
    /// reached the end the Xing header announces.
    fn walked(&self, track: &Track, walk: &Walk, _tb: TimeBase) -> u64 {
        let spf = walk
            .first_header
            .as_deref()
            .and_then(samples_per_frame)
            .unwrap_or(walk.last_dur.max(1));
        let first = walk.first_pts.unwrap_or(walk.last_pts);
        let span = u64::try_from(walk.last_pts.saturating_sub(first)).unwrap_or(0);
        let coded = (span / spf + 1) * spf;
        let (delay, padding) = (track.delay, track.padding);
        let counted = track.info.is_some_and(|tag| tag.frames);
        let full = track
            .num_frames
            .filter(|_| counted)
            .is_some_and(|n| coded >= n + delay + padding);
        coded.saturating_sub(delay + if full { padding } else { 0 })
    }
}
