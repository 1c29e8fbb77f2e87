//! The interface between `measure` and each container's rules: what the
//! track declares ([`Track`]), what a header claims ([`Claim`]), and the
//! [`Rules`] trait with its defaults.

use symphonia::core::codecs::audio::well_known::CODEC_ID_OPUS;
use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::formats::{MediaInfo, Track as SymTrack};
use symphonia::core::units::TimeBase;

use crate::audio::timebase::ms;
use crate::audio::walk::Walk;
use crate::mp3::frame::InfoTag;

/// What the container and the track declare, as the rules need it.
pub(crate) struct Track {
    /// The audio codec's parameters, when the track has them.
    pub params: Option<AudioCodecParameters>,
    /// The codec is Opus, whose counts include the pre-skip.
    pub is_opus: bool,
    /// Frames (samples per channel) the header declares.
    pub num_frames: Option<u64>,
    /// Encoder delay and padding, in frames.
    pub delay: u64,
    pub padding: u64,
    /// The length of the track's sample table (MP4), in its time base.
    pub table: Option<u64>,
    pub time_base: Option<TimeBase>,
    /// The whole media's length and time base (MP4: `mvhd`).
    pub media: Option<(u64, TimeBase)>,
    /// Where the audio starts in the file, and the file's length.
    pub audio_start: u64,
    pub file_len: u64,
    /// The Xing/Info or VBRI header of an MP3's first frame.
    pub info: Option<InfoTag>,
}

impl Track {
    pub(crate) fn new(
        track: &SymTrack,
        media: &MediaInfo,
        audio_start: u64,
        file_len: u64,
        info: Option<InfoTag>,
    ) -> Track {
        let params = track.codec_params.as_ref().and_then(|p| p.audio()).cloned();
        Track {
            is_opus: params.as_ref().map(|p| p.codec) == Some(CODEC_ID_OPUS),
            params,
            num_frames: track.num_frames,
            delay: u64::from(track.delay.unwrap_or(0)),
            padding: u64::from(track.padding.unwrap_or(0)),
            table: track.duration.map(|d| d.get()),
            time_base: track.time_base,
            media: media
                .duration
                .zip(media.time_base)
                .map(|(d, tb)| (d.get(), tb)),
            audio_start,
            file_len,
            info,
        }
    }

    /// The frames the header declares, without Opus's pre-skip (RFC 7845
    /// section 4.2); `None` when it declares none.
    pub(super) fn count(&self) -> Option<u64> {
        let n = self.num_frames.filter(|&n| n > 0)?;
        Some(if self.is_opus {
            n.saturating_sub(self.delay)
        } else {
            n
        })
    }

    /// The sum of the walked packets' durations, without Opus's pre-skip
    /// (RFC 7845 section 4.2).
    pub(super) fn summed(&self, w: &Walk) -> u64 {
        if self.is_opus {
            w.sum_dur.saturating_sub(self.delay)
        } else {
            w.sum_dur
        }
    }
}

/// What a header says about the length.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Claim {
    /// The length, in milliseconds.
    pub ms: u64,
    /// It can be trusted without walking the packets (`--fast`).
    pub authoritative: bool,
    /// The header states the length (a Xing/Info/VBRI frame count, FLAC
    /// STREAMINFO, a WAV `data` size, an Ogg end granule, MP4 `mvhd`), so
    /// a walk that disagrees means a damaged file, even where a cut made
    /// the statement untrustworthy. `false` for a guess from the bitrate
    /// or the first frames, which a walk simply overrules.
    pub declared: bool,
}

/// One container's rules. The defaults fit a container whose frame count
/// is an estimate and whose packet durations add up exactly.
pub(crate) trait Rules: Sync {
    /// Whether the header's frame `count` can be trusted.
    fn trusts(&self, _track: &Track, _count: u64) -> bool {
        false
    }

    /// Whether the header states its frame `count` (rather than a reader
    /// estimating it): by default, whenever it is trusted.
    fn declares(&self, track: &Track, count: u64) -> bool {
        self.trusts(track, count)
    }

    /// What the header claims: by default, its frame count.
    fn header(&self, track: &Track) -> Option<Claim> {
        let n = track.count()?;
        let authoritative = self.trusts(track, n);
        Some(Claim {
            ms: ms(n, track.time_base?),
            authoritative,
            declared: authoritative || self.declares(track, n),
        })
    }

    /// The walked length in units of `tb`, the track's time base: by
    /// default the sum of the packet durations (exact for Vorbis, FLAC and
    /// PCM, measured with symphonia 0.6.1).
    fn walked(&self, track: &Track, walk: &Walk, _tb: TimeBase) -> u64 {
        track.summed(walk)
    }
}
