//! WAV: the `data` chunk's size is authoritative when the data fits in the
//! file; the walk counts PCM frames in the bytes read.

use symphonia::core::codecs::audio::well_known::*;
use symphonia::core::codecs::audio::AudioCodecParameters;
use symphonia::core::units::TimeBase;

use super::rules::{Rules, Track};
use crate::audio::walk::Walk;

pub(super) struct Wav;

impl Rules for Wav {
    /// A streamed WAV claims a huge data size: trusted only when the data
    /// fits in the file.
    fn trusts(&self, track: &Track, count: u64) -> bool {
        fits(count, track.params.as_ref(), track.file_len)
    }

    /// The `data` size is a statement even when the file was cut short of
    /// it, except for the placeholder a streaming writer leaves when it
    /// cannot seek back (`0xFFFFFFFF`, or near it).
    fn declares(&self, track: &Track, count: u64) -> bool {
        let bytes =
            pcm_bytes_per_frame(track.params.as_ref()).map_or(0, |bpf| count.saturating_mul(bpf));
        bytes < STREAMING_PLACEHOLDER
    }

    /// PCM: symphonia 0.6.1 gives a cut file's last packet the duration of
    /// a whole one (riff `common.rs`, `next_packet` reads with
    /// `read_boxed_slice`, which may return fewer bytes). Count the frames
    /// in the bytes instead.
    fn walked(&self, track: &Track, walk: &Walk, _tb: TimeBase) -> u64 {
        match pcm_bytes_per_frame(track.params.as_ref()) {
            Some(bpf) => walk.sum_bytes / bpf,
            None => track.summed(walk),
        }
    }
}

/// A `data` size this large is a streaming writer's placeholder (the
/// field's maximum, less a header), not a length.
const STREAMING_PLACEHOLDER: u64 = 0xFFFF_F000;

/// Bytes per frame of PCM data (channels × bytes per sample); `None` for
/// other codecs.
fn pcm_bytes_per_frame(params: Option<&AudioCodecParameters>) -> Option<u64> {
    let p = params?;
    let pcm = [
        CODEC_ID_PCM_U8,
        CODEC_ID_PCM_S8,
        CODEC_ID_PCM_S16LE,
        CODEC_ID_PCM_S16BE,
        CODEC_ID_PCM_S24LE,
        CODEC_ID_PCM_S24BE,
        CODEC_ID_PCM_S32LE,
        CODEC_ID_PCM_S32BE,
        CODEC_ID_PCM_F32LE,
        CODEC_ID_PCM_F32BE,
        CODEC_ID_PCM_F64LE,
        CODEC_ID_PCM_F64BE,
        CODEC_ID_PCM_ALAW,
        CODEC_ID_PCM_MULAW,
    ];
    if !pcm.contains(&p.codec) {
        return None;
    }
    let bits = u64::from(p.bits_per_coded_sample.or(p.bits_per_sample)?);
    let channels = p.channels.as_ref()?.count() as u64;
    Some(channels * bits.div_ceil(8)).filter(|&b| b > 0)
}

/// Whether a header's frame count fits in the file (PCM only; other codecs
/// are given the benefit of the doubt).
fn fits(frames: u64, params: Option<&AudioCodecParameters>, len: u64) -> bool {
    let Some(p) = params else { return true };
    let bits = p.bits_per_coded_sample.or(p.bits_per_sample);
    let channels = p.channels.as_ref().map(|c| c.count() as u64);
    match (bits, channels) {
        (Some(bits), Some(ch)) => {
            frames
                .saturating_mul(ch)
                .saturating_mul(u64::from(bits).div_ceil(8))
                <= len
        }
        _ => true,
    }
}
