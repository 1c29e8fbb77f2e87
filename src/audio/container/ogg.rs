//! Ogg (Vorbis, Opus, FLAC): the last page's granule position is
//! authoritative; packet durations add up exactly, less Opus's pre-skip.

use super::rules::{Rules, Track};

pub(super) struct Ogg;

impl Rules for Ogg {
    /// The end page's granule position (RFC 3533 section 6), found only
    /// when the last page is there.
    fn trusts(&self, _track: &Track, _count: u64) -> bool {
        true
    }
}
