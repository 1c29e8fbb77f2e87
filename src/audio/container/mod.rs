//! Each container's rules, behind one trait ([`Rules`]): which header
//! length is authoritative (trusted under `--fast`), and what a walk over
//! the packets counts. [`of`] looks a container up once; `measure` then
//! asks its rules. A new container is one file here and one table entry.

mod flac;
mod mp3;
pub(super) mod mp4;
mod ogg;
mod rules;
mod wav;

use symphonia::core::formats::well_known as format_ids;
use symphonia::core::formats::{FormatId, FORMAT_ID_NULL};

pub(super) use rules::{Claim, Rules, Track};

/// A container whose header length is only an estimate (raw ADTS, MPEG
/// Layer I/II streams, anything else): the defaults.
struct Plain;

impl Rules for Plain {}

/// A container symphonia reads.
pub(super) struct Container {
    format: FormatId,
    /// `mp3`, `mp4`, `ogg`, `flac`, `wav`, ...
    pub name: &'static str,
    /// The MIME type for an RSS enclosure.
    pub mime: &'static str,
    pub rules: &'static dyn Rules,
}

/// Every container with its name and the MIME type of an RSS enclosure.
static CONTAINERS: [Container; 8] = [
    // RFC 3003.
    Container {
        format: format_ids::FORMAT_ID_MP3,
        name: "mp3",
        mime: "audio/mpeg",
        rules: &mp3::Mp3,
    },
    Container {
        format: format_ids::FORMAT_ID_MP2,
        name: "mp2",
        mime: "audio/mpeg",
        rules: &Plain,
    },
    Container {
        format: format_ids::FORMAT_ID_MP1,
        name: "mp1",
        mime: "audio/mpeg",
        rules: &Plain,
    },
    // Apple's enclosure type for .m4a ("A Podcaster's Guide to RSS";
    // rfwilmut.net/notes/itunes/tag/enclosure.html); RFC 4337 registers
    // audio/mp4, which Apple does not list.
    Container {
        format: format_ids::FORMAT_ID_ISOMP4,
        name: "mp4",
        mime: "audio/x-m4a",
        rules: &mp4::Mp4,
    },
    // RFC 5334 (Ogg media types); RFC 7845 section 9 (Opus in Ogg).
    Container {
        format: format_ids::FORMAT_ID_OGG,
        name: "ogg",
        mime: "audio/ogg",
        rules: &ogg::Ogg,
    },
    // RFC 9639 section 8.1.
    Container {
        format: format_ids::FORMAT_ID_FLAC,
        name: "flac",
        mime: "audio/flac",
        rules: &flac::Flac,
    },
    // The type browsers and podcast hosts use (RFC 2361 names audio/vnd.wave).
    Container {
        format: format_ids::FORMAT_ID_WAVE,
        name: "wav",
        mime: "audio/wav",
        rules: &wav::Wav,
    },
    // Raw ADTS AAC.
    Container {
        format: format_ids::FORMAT_ID_ADTS,
        name: "aac",
        mime: "audio/aac",
        rules: &Plain,
    },
];

/// A format without an entry above.
static UNKNOWN: Container = Container {
    format: FORMAT_ID_NULL,
    name: "unknown",
    mime: "application/octet-stream",
    rules: &Plain,
};

/// The container symphonia found.
pub(super) fn of(format: FormatId) -> &'static Container {
    CONTAINERS
        .iter()
        .find(|c| c.format == format)
        .unwrap_or(&UNKNOWN)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_container_has_its_name_and_mime_type() {
        let got = |f| (of(f).name, of(f).mime);
        assert_eq!(got(format_ids::FORMAT_ID_MP3), ("mp3", "audio/mpeg"));
        assert_eq!(got(format_ids::FORMAT_ID_ISOMP4), ("mp4", "audio/x-m4a"));
        assert_eq!(got(format_ids::FORMAT_ID_OGG), ("ogg", "audio/ogg"));
        assert_eq!(got(format_ids::FORMAT_ID_FLAC), ("flac", "audio/flac"));
        assert_eq!(got(format_ids::FORMAT_ID_WAVE), ("wav", "audio/wav"));
        assert_eq!(got(format_ids::FORMAT_ID_ADTS), ("aac", "audio/aac"));
        assert_eq!(
            got(format_ids::FORMAT_ID_CAF),
            ("unknown", "application/octet-stream")
        );
    }
}
