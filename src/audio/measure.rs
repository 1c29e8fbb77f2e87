//! Measuring with symphonia: open the container at the audio's start, read
//! what its header claims, walk the packets (unless `--fast` and the header
//! is authoritative), and turn the container's rules into milliseconds.

use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};

use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::codecs::audio::AudioCodecId;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;

use super::container::{self, Claim, Track};
use super::head::Head;
use super::timebase::ms;
use super::walk::walk;
use crate::diagnostic::io_reason;
use crate::error::{Error, ErrorKind, Result};
use crate::timestamp::{Style, Timestamp};

/// How [`probe`](super::probe) measures the duration.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Mode {
    /// Read the header and walk every packet; report the walked length.
    #[default]
    Walk,
    /// Trust an authoritative header (Xing/Info/VBRI frame count, FLAC
    /// STREAMINFO, WAV data size, Ogg end granule, MP4 `mvhd`); walk only
    /// where there is none.
    Fast,
}

/// What [`measure`] found.
pub(super) struct Measured {
    pub container: &'static str,
    pub codec: String,
    pub mime: &'static str,
    pub duration_ms: u64,
    pub exact: bool,
    pub header_duration_ms: Option<u64>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u32>,
}

/// The read buffer: large enough that a walk costs few system calls, small
/// enough for the 10 MB peak-memory budget.
const BUFFER_LEN: usize = 256 * 1024;

fn unreadable(reason: impl Into<String>) -> Error {
    Error::new(ErrorKind::AudioUnreadable, reason)
}

/// Measures the audio of `file` (`len` bytes, audio from
/// `head.audio_start`); `ext` is the file name's extension, a hint for the
/// format probe. Errors are [`ErrorKind::AudioUnreadable`], their message
/// the reason alone.
pub(super) fn measure(
    file: File,
    len: u64,
    head: &Head,
    ext: Option<&str>,
    mode: Mode,
) -> Result<Measured> {
    let mut reader = open(file, len, head.audio_start, ext)?;
    let container = container::of(reader.format_info().format);
    let sym_track = reader
        .default_track(TrackType::Audio)
        .cloned()
        .ok_or_else(|| unreadable("the file has no audio track"))?;
    let track = Track::new(
        &sym_track,
        reader.media_info(),
        head.audio_start,
        len,
        head.info,
    );
    let header = container.rules.header(&track);
    let params = track.params.as_ref();
    let mut m = Measured {
        container: container.name,
        codec: params.map_or_else(|| "unknown".to_string(), |p| codec_name(p.codec)),
        mime: container.mime,
        duration_ms: 0,
        exact: true,
        // An estimate is no claim: a walk that differs overrules it quietly.
        header_duration_ms: header.filter(|h| h.declared).map(|h| h.ms),
        sample_rate: params.and_then(|p| p.sample_rate),
        channels: params
            .and_then(|p| p.channels.as_ref())
            .map(|c| c.count() as u32),
    };
    if let (
        Mode::Fast,
        Some(Claim {
            ms,
            authoritative: true,
            ..
        }),
    ) = (mode, header)
    {
        m.duration_ms = ms;
        return Ok(m);
    }
    let walk = walk(reader.as_mut(), sym_track.id)?;
    if walk.first_pts.is_none() {
        // Nothing to measure. A truncated faststart M4A ends here: symphonia
        // 0.6.1 reads no sample once the `mdat` atom runs past the end of
        // the file.
        let mut reason = "no audio packets could be read".to_string();
        if let Some(h) = m.header_duration_ms {
            reason.push_str(&format!(
                " though the header claims `{}`: the file may be cut short",
                Timestamp::from_ms(h).display(Style::Precise)
            ));
        }
        if let Some(e) = &walk.stopped_by {
            reason.push_str(&format!(" ({})", open_reason(e)));
        }
        return Err(unreadable(reason));
    }
    let tb = track
        .time_base
        .ok_or_else(|| unreadable("the audio track has no time base"))?;
    m.duration_ms = ms(container.rules.walked(&track, &walk, tb), tb);
    Ok(m)
}

/// Opens the format reader on the audio after any leading ID3v2 tags.
fn open(
    mut file: File,
    len: u64,
    audio_start: u64,
    ext: Option<&str>,
) -> Result<Box<dyn FormatReader>> {
    file.seek(SeekFrom::Start(audio_start))
        .map_err(|e| unreadable(io_reason(&e)))?;
    let source = Window {
        file,
        start: audio_start,
        len,
    };
    let mss = MediaSourceStream::new(
        Box::new(source),
        MediaSourceStreamOptions {
            buffer_len: BUFFER_LEN,
        },
    );
    let mut hint = Hint::new();
    if let Some(ext) = ext {
        hint.with_extension(ext);
    }
    symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| unreadable(open_reason(&e)))
}

/// A file seen from the end of its leading ID3v2 tags, so that the format
/// probe starts at the audio and never parses (or buffers) the tag and its
/// cover art.
struct Window {
    file: File,
    start: u64,
    len: u64,
}

impl Read for Window {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        self.file.read(buf)
    }
}

impl Seek for Window {
    fn seek(&mut self, pos: SeekFrom) -> io::Result<u64> {
        let pos = match pos {
            SeekFrom::Start(p) => SeekFrom::Start(self.start.saturating_add(p)),
            SeekFrom::End(d) => SeekFrom::End(d),
            SeekFrom::Current(d) => SeekFrom::Current(d),
        };
        let abs = self.file.seek(pos)?;
        if abs < self.start {
            self.file.seek(SeekFrom::Start(self.start))?;
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "seek before the start of the audio",
            ));
        }
        Ok(abs - self.start)
    }
}

impl MediaSource for Window {
    fn is_seekable(&self) -> bool {
        true
    }
    fn byte_len(&self) -> Option<u64> {
        Some(self.len - self.start)
    }
}

/// Why symphonia could not open or read the file, in words for a producer.
fn open_reason(e: &SymError) -> String {
    match e {
        SymError::Unsupported(_) => {
            "not a supported audio file (MP3, M4A/MP4 AAC, Ogg Vorbis or Opus, FLAC, WAV)".into()
        }
        SymError::IoError(e) if e.kind() == io::ErrorKind::UnexpectedEof => {
            "the file ends before its audio could be found (cut short?)".into()
        }
        SymError::IoError(e) => io_reason(e),
        SymError::DecodeError(msg) => format!("the container is damaged ({msg})"),
        SymError::LimitError(msg) => format!("the file exceeds a reader limit ({msg})"),
        other => lowercase_first(&other.to_string()),
    }
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

/// A codec's name, in FFmpeg's spelling where it has one.
fn codec_name(id: AudioCodecId) -> String {
    use codec_ids::*;
    let name = match id {
        CODEC_ID_MP3 => "mp3",
        CODEC_ID_MP2 => "mp2",
        CODEC_ID_MP1 => "mp1",
        CODEC_ID_AAC => "aac",
        CODEC_ID_VORBIS => "vorbis",
        CODEC_ID_OPUS => "opus",
        CODEC_ID_FLAC => "flac",
        CODEC_ID_ALAC => "alac",
        CODEC_ID_PCM_U8 => "pcm_u8",
        CODEC_ID_PCM_S8 => "pcm_s8",
        CODEC_ID_PCM_S16LE => "pcm_s16le",
        CODEC_ID_PCM_S16BE => "pcm_s16be",
        CODEC_ID_PCM_S24LE => "pcm_s24le",
        CODEC_ID_PCM_S24BE => "pcm_s24be",
        CODEC_ID_PCM_S32LE => "pcm_s32le",
        CODEC_ID_PCM_S32BE => "pcm_s32be",
        CODEC_ID_PCM_F32LE => "pcm_f32le",
        CODEC_ID_PCM_F32BE => "pcm_f32be",
        CODEC_ID_PCM_F64LE => "pcm_f64le",
        CODEC_ID_PCM_F64BE => "pcm_f64be",
        CODEC_ID_PCM_ALAW => "pcm_alaw",
        CODEC_ID_PCM_MULAW => "pcm_mulaw",
        CODEC_ID_ADPCM_MS => "adpcm_ms",
        CODEC_ID_ADPCM_IMA_WAV => "adpcm_ima_wav",
        _ => {
            return symphonia::default::get_codecs()
                .get_audio_decoder(id)
                .map_or_else(
                    || format!("unknown ({id})"),
                    |d| d.codec.info.short_name.to_string(),
                )
        }
    };
    name.to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reasons_are_lowercase_words() {
        assert_eq!(lowercase_first("Seek error"), "seek error");
        assert_eq!(lowercase_first(""), "");
        let eof = SymError::IoError(io::ErrorKind::UnexpectedEof.into());
        assert!(open_reason(&eof).contains("cut short"));
        assert_eq!(codec_name(codec_ids::CODEC_ID_PCM_S16LE), "pcm_s16le");
    }
}
