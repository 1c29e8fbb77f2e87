//! FLAC: the STREAMINFO block's total samples are authoritative; packet
//! durations add up exactly.

use super::rules::{Rules, Track};

pub(super) struct Flac;

impl Rules for Flac {
    /// STREAMINFO total samples (RFC 9639 section 8.2).
    fn trusts(&self, _track: &Track, _count: u64) -> bool {
        true
    }
}
