//! Walking a track's packets: reading the container's framing only, never
//! decoding.

use std::io;

use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::FormatReader;

use crate::diagnostic::io_reason;
use crate::error::{Error, ErrorKind, Result};

/// What a walk over the packets found.
#[derive(Debug, Default)]
pub(super) struct Walk {
    pub first_pts: Option<i64>,
    pub last_pts: i64,
    pub last_dur: u64,
    pub sum_dur: u64,
    /// The bytes of all packets.
    pub sum_bytes: u64,
    /// The first packet's first four bytes (an MPEG frame header for MP3).
    pub first_header: Option<Vec<u8>>,
    /// Why the walk stopped before the reader said "end of stream", when it
    /// did: an unexpected end of file, or damaged data.
    pub stopped_by: Option<SymError>,
}

/// Reads every packet of `track_id` without decoding. A read that runs into
/// the end of the file (`UnexpectedEof`: a truncated FLAC, WAV or Ogg, or a
/// cut M4A sample) ends the walk: it is the end of the data, not a failure.
/// Damaged data ends it too; the caller decides whether what was walked
/// before is enough. Only a failing disk or file system is an error here.
pub(super) fn walk(reader: &mut dyn FormatReader, track_id: u32) -> Result<Walk> {
    let mut w = Walk::default();
    let mut resets = 0;
    loop {
        let packet = match reader.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymError::IoError(e)) if e.kind() != io::ErrorKind::UnexpectedEof => {
                return Err(Error::new(ErrorKind::AudioUnreadable, io_reason(&e)))
            }
            // A chained Ogg stream or a new MP4 fragment: keep walking.
            Err(SymError::ResetRequired) if resets < 16 => {
                resets += 1;
                continue;
            }
            Err(e) => {
                w.stopped_by = Some(e);
                break;
            }
        };
        if packet.track_id != track_id {
            continue;
        }
        if w.first_pts.is_none() {
            w.first_pts = Some(packet.pts.get());
            w.first_header = Some(packet.data.iter().take(4).copied().collect());
        }
        w.last_pts = packet.pts.get();
        w.last_dur = packet.dur.get();
        w.sum_dur = w.sum_dur.saturating_add(packet.dur.get());
        w.sum_bytes = w.sum_bytes.saturating_add(packet.data.len() as u64);
    }
    Ok(w)
}
