//! The playable length of an episode's audio, to the millisecond, read from
//! the container and its packets with symphonia, without decoding.
//!
//! Headers lie (DESIGN.md "Audio"; the measured table at the end of
//! PLATFORMS.md): a VBR MP3 without a Xing header only has an estimate from
//! its first frames, and a file cut in half still claims its full length in
//! its Xing, FLAC and WAV headers. So [`probe`] reads the header **and**, by
//! default ([`Mode::Walk`]), walks every packet (reading the container's
//! framing only, never decoding) and reports the walked length;
//! [`AudioInfo::header_mismatch_ms`] says when the two disagree.
//! [`Mode::Fast`] trusts headers that are authoritative and walks only where
//! there is none.
//!
//! Every symphonia call runs under `catch_unwind`: a panic inside the library
//! becomes [`AudioError::Unreadable`], never a crash.

use std::cell::Cell;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom};
use std::panic::{self, AssertUnwindSafe};
use std::path::{Path, PathBuf};
use std::sync::Once;

use symphonia::core::codecs::audio::well_known as codec_ids;
use symphonia::core::codecs::audio::AudioCodecId;
use symphonia::core::errors::Error as SymError;
use symphonia::core::formats::probe::Hint;
use symphonia::core::formats::well_known as format_ids;
use symphonia::core::formats::{FormatOptions, FormatReader, TrackType};
use symphonia::core::io::{MediaSource, MediaSourceStream, MediaSourceStreamOptions};
use symphonia::core::meta::MetadataOptions;
use symphonia::core::units::TimeBase;

use crate::diagnostic::{io_reason, Code, Diagnostic};
use crate::timestamp::{Style, Timestamp};

/// How [`probe`] measures the duration.
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

/// What [`probe`] learned about one audio file.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct AudioInfo {
    /// The path as given.
    pub path: PathBuf,
    /// `mp3`, `mp4`, `ogg`, `flac`, `wav` (or `aac` for raw ADTS).
    pub container: &'static str,
    /// `mp3`, `aac`, `vorbis`, `opus`, `flac`, `pcm_s16le`, ...
    pub codec: String,
    /// The MIME type for an RSS `<enclosure type="...">`.
    pub mime: &'static str,
    /// The playable length: walked (default) or the header's (`--fast`, when
    /// authoritative); encoder delay and padding removed where declared.
    pub duration_ms: u64,
    /// False only when `duration_ms` is an estimate.
    pub exact: bool,
    /// What the header claims, when it claims something.
    pub header_duration_ms: Option<u64>,
    pub sample_rate: Option<u32>,
    pub channels: Option<u32>,
    /// The file's size in bytes (the enclosure `length`).
    pub bytes: u64,
}

/// The smallest disagreement between header and packets worth reporting
/// (DESIGN.md "Diagnostics", `audio-header-mismatch`: over half a second).
pub const HEADER_MISMATCH_MS: u64 = 500;

impl AudioInfo {
    /// `|header - duration|` when the header claims a length that differs
    /// from `duration_ms` by more than [`HEADER_MISMATCH_MS`] (a truncated or
    /// damaged file, or a Xing-less VBR MP3's estimate).
    pub fn header_mismatch_ms(&self) -> Option<u64> {
        let header = self.header_duration_ms?;
        let diff = header.abs_diff(self.duration_ms);
        (diff > HEADER_MISMATCH_MS).then_some(diff)
    }

    /// The duration as a [`Timestamp`] (the end of the audio).
    pub fn duration(&self) -> Timestamp {
        Timestamp::from_ms(self.duration_ms)
    }
}

/// The `probe --format json` shape (DESIGN.md "JSON shapes").
impl serde::Serialize for AudioInfo {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        #[derive(serde::Serialize)]
        struct Json<'a> {
            path: std::borrow::Cow<'a, str>,
            container: &'static str,
            codec: &'a str,
            duration_ms: u64,
            duration: String,
            exact: bool,
            sample_rate: Option<u32>,
            channels: Option<u32>,
            bytes: u64,
        }
        Json {
            path: self.path.to_string_lossy(),
            container: self.container,
            codec: &self.codec,
            duration_ms: self.duration_ms,
            duration: self.duration().display(Style::Precise).to_string(),
            exact: self.exact,
            sample_rate: self.sample_rate,
            channels: self.channels,
            bytes: self.bytes,
        }
        .serialize(s)
    }
}

/// Measures the audio an episode names and turns the result into findings:
/// `audio-missing` / `audio-unreadable` when it cannot be read,
/// `audio-header-mismatch` when the header and the packets disagree, and
/// `audio-duration-estimated` when only an estimate could be had.
pub fn check(path: &Path, mode: Mode) -> (Option<AudioInfo>, Vec<Diagnostic>) {
    match probe(path, mode) {
        Ok(info) => {
            let mut diags = Vec::new();
            if let (Some(diff), Some(header)) = (info.header_mismatch_ms(), info.header_duration_ms)
            {
                diags.push(
                    Diagnostic::new(
                        Code::AudioHeaderMismatch,
                        format!(
                            "`{}` claims `{}` in its header but its packets last `{}` ({} s apart)",
                            path.display(),
                            Timestamp::from_ms(header).display(Style::Precise),
                            info.duration().display(Style::Precise),
                            diff as f64 / 1000.0
                        ),
                    )
                    .help("the file may be truncated or damaged: export or upload it again"),
                );
            }
            if !info.exact {
                diags.push(
                    Diagnostic::new(
                        Code::AudioDurationEstimated,
                        format!(
                            "only an estimate of the duration of `{}` could be had",
                            path.display()
                        ),
                    )
                    .help("run without `--fast` to walk the packets"),
                );
            }
            (Some(info), diags)
        }
        Err(e) => {
            let help = match e {
                AudioError::Missing { .. } => {
                    "check the path: `--audio` is relative to the current folder, front matter `audio` to the notes file"
                }
                AudioError::Unreadable { .. } => {
                    "give an MP3, M4A/AAC, Ogg Vorbis, Ogg Opus, FLAC or WAV file"
                }
            };
            (
                None,
                vec![Diagnostic::new(e.code(), e.to_string()).help(help)],
            )
        }
    }
}

/// Why a file could not be measured.
#[derive(Debug, thiserror::Error)]
pub enum AudioError {
    /// Nothing at the path.
    #[error("audio file `{}` does not exist", path.display())]
    Missing { path: PathBuf },
    /// Something at the path, but not audio that can be read.
    #[error("cannot read audio file `{}`: {reason}", path.display())]
    Unreadable { path: PathBuf, reason: String },
}

impl AudioError {
    /// The file the error is about.
    pub fn path(&self) -> &Path {
        match self {
            AudioError::Missing { path } | AudioError::Unreadable { path, .. } => path,
        }
    }

    /// The diagnostic code: `audio-missing` or `audio-unreadable`.
    pub fn code(&self) -> Code {
        match self {
            AudioError::Missing { .. } => Code::AudioMissing,
            AudioError::Unreadable { .. } => Code::AudioUnreadable,
        }
    }
}

/// Measures the audio file at `path`. See the module documentation.
pub fn probe(path: &Path, mode: Mode) -> Result<AudioInfo, AudioError> {
    let unreadable = |reason: String| AudioError::Unreadable {
        path: path.to_path_buf(),
        reason,
    };
    // Only a regular file is read: a FIFO would block the open, and a
    // link to `/dev/zero` would never end.
    let (mut file, meta) = match crate::regular::open(path) {
        Ok(opened) => opened,
        Err(e) if e.is_not_found() => {
            return Err(AudioError::Missing {
                path: path.to_path_buf(),
            })
        }
        Err(crate::regular::OpenError::NotRegular("a directory")) => {
            return Err(unreadable("it is a directory, not an audio file".into()))
        }
        Err(e) => return Err(unreadable(e.reason())),
    };
    let bytes = meta.len();
    if bytes == 0 {
        return Err(unreadable("the file is empty".into()));
    }
    let head = sniff(&mut file, bytes).map_err(|e| unreadable(io_reason(&e)))?;
    if head.audio_start >= bytes {
        return Err(unreadable(
            "the file holds only an ID3 tag and no audio".into(),
        ));
    }
    // A cut MP4 is unreadable in both modes: symphonia cannot read its
    // samples, and `mvhd` would claim the full length under `--fast`.
    if let Some(reason) = mp4_cut_reason(path, bytes) {
        return Err(unreadable(reason));
    }
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_owned);
    let measured = guarded(|| measure(file, bytes, &head, ext.as_deref(), mode));
    let m = measured.map_err(unreadable)?;
    Ok(AudioInfo {
        path: path.to_path_buf(),
        container: m.container,
        codec: m.codec,
        mime: m.mime,
        duration_ms: m.duration_ms,
        exact: m.exact,
        header_duration_ms: m.header_duration_ms,
        sample_rate: m.sample_rate,
        channels: m.channels,
        bytes,
    })
}

fn lowercase_first(s: &str) -> String {
    let mut chars = s.chars();
    match chars.next() {
        Some(c) => c.to_lowercase().chain(chars).collect(),
        None => String::new(),
    }
}

// ---------------------------------------------------------------------------
// The panic guard.

thread_local! {
    /// Set while symphonia runs on this thread: its panics are reported as
    /// `audio-unreadable`, so the default hook must not print them.
    static IN_GUARD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into `Err(reason)`. The first call
/// installs a panic hook that stays silent for panics inside the guard and
/// hands every other panic to the hook that was there before.
fn guarded<T>(f: impl FnOnce() -> Result<T, String>) -> Result<T, String> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_GUARD.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_GUARD.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_GUARD.with(|g| g.set(was));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(format!("the audio reader crashed on this file ({msg})"))
        }
    }
}

// ---------------------------------------------------------------------------
// What the first bytes say: leading ID3v2 tags, and an MP3's Xing/VBRI frame.

/// Facts read from the start of the file before symphonia sees it.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct Head {
    /// Where the audio starts: after any leading ID3v2 tags.
    audio_start: u64,
    /// The first MPEG audio frame carries a Xing/Info or VBRI header with a
    /// frame count: an MP3's only authoritative length.
    mp3_frame_count: bool,
    /// The stream size in bytes that header declares, when it does.
    mp3_stream_bytes: Option<u64>,
}

fn sniff(file: &mut File, len: u64) -> io::Result<Head> {
    let mut head = Head::default();
    // Leading ID3v2 tags: "ID3", version (2), flags (1), a 28-bit syncsafe
    // size (4), then a 10-byte footer when flag bit 4 is set.
    // Source: id3.org "ID3 tag version 2.4.0 - Main Structure", section 3.1.
    loop {
        let mut h = [0u8; 10];
        file.seek(SeekFrom::Start(head.audio_start))?;
        if read_up_to(file, &mut h)? < 10 {
            break;
        }
        let Some(size) = id3v2_size(&h) else { break };
        head.audio_start = (head.audio_start + size).min(len);
        if head.audio_start == len {
            return Ok(head);
        }
    }
    let mut buf = vec![0u8; 4096];
    file.seek(SeekFrom::Start(head.audio_start))?;
    let n = read_up_to(file, &mut buf)?;
    if let Some(tag) = mp3_tag(&buf[..n]) {
        head.mp3_frame_count = tag.frames;
        head.mp3_stream_bytes = tag.bytes;
    }
    file.seek(SeekFrom::Start(0))?;
    Ok(head)
}

/// The whole size of an ID3v2 tag (header, body and footer) from its
/// 10-byte header, or `None` when `h` is no ID3v2 header.
fn id3v2_size(h: &[u8; 10]) -> Option<u64> {
    if &h[..3] != b"ID3" || h[3] == 0xff || h[4] == 0xff || h[6..].iter().any(|b| b & 0x80 != 0) {
        return None;
    }
    let body = h[6..]
        .iter()
        .fold(0u64, |acc, &b| (acc << 7) | u64::from(b));
    let footer = if h[5] & 0x10 != 0 { 10 } else { 0 };
    Some(10 + body + footer)
}

/// Reads until `buf` is full or the input ends.
pub(crate) fn read_up_to(r: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut n = 0;
    while n < buf.len() {
        match r.read(&mut buf[n..]) {
            Ok(0) => break,
            Ok(k) => n += k,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(n)
}

/// What a Xing/Info or VBRI header in an MP3's first frame declares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct Mp3Tag {
    /// A frame count is present.
    frames: bool,
    /// The stream's size in bytes (Xing flag bit 1; always in VBRI).
    bytes: Option<u64>,
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
fn mp3_tag(buf: &[u8]) -> Option<Mp3Tag> {
    let i = (0..buf.len().saturating_sub(4)).find(|&i| mpeg_l3_header(&buf[i..]).is_some())?;
    let (mpeg1, mono) = mpeg_l3_header(&buf[i..])?;
    let side = match (mpeg1, mono) {
        (true, true) => 17,
        (true, false) => 32,
        (false, true) => 9,
        (false, false) => 17,
    };
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
                return Some(Mp3Tag { frames, bytes });
            }
        }
    }
    (at(36, 4) == Some(b"VBRI")).then(|| Mp3Tag {
        frames: true,
        bytes: be32(46),
    })
}

/// `(is MPEG-1, is mono)` when `b` starts with a valid MPEG Layer III frame
/// header (ISO/IEC 11172-3 2.4.1.3: 11 sync bits, version, layer, bitrate
/// index not free/bad, sample-rate index not reserved).
fn mpeg_l3_header(b: &[u8]) -> Option<(bool, bool)> {
    let &[b0, b1, b2, b3, ..] = b else {
        return None;
    };
    let version = (b1 >> 3) & 3;
    let layer = (b1 >> 1) & 3;
    let bitrate = b2 >> 4;
    let rate = (b2 >> 2) & 3;
    if b0 != 0xff || b1 & 0xe0 != 0xe0 || version == 1 || layer != 1 {
        return None;
    }
    if bitrate == 0 || bitrate == 15 || rate == 3 {
        return None;
    }
    Some((version == 3, b3 >> 6 == 3))
}

/// Samples per MPEG audio frame from a frame header's first bytes: 384 for
/// Layer I, 1152 for Layer II, 1152 (MPEG-1) or 576 (MPEG-2/2.5) for Layer
/// III (ISO/IEC 11172-3 and 13818-3).
fn mpeg_samples_per_frame(b: &[u8]) -> Option<u64> {
    let &[0xff, b1, ..] = b else { return None };
    let mpeg1 = (b1 >> 3) & 3 == 3;
    match (b1 >> 1) & 3 {
        3 => Some(384),
        2 => Some(1152),
        1 if mpeg1 => Some(1152),
        1 => Some(576),
        _ => None,
    }
}

/// Why an MP4 file is cut short, when it is: its media data or index atom
/// (top level, ISO/IEC 14496-12 4.2: 32-bit size, type, a 64-bit size when
/// the size is 1, "to the end of the file" when 0) runs past the end.
/// Symphonia 0.6.1 reports such a file as unsupported (`moov` lost after the
/// cut) or yields no packet (`mdat` cut, `moov` first); this names the
/// cause instead. `None` for anything else, MP4 or not.
fn mp4_cut_reason(path: &Path, len: u64) -> Option<String> {
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

// ---------------------------------------------------------------------------
// The symphonia part.

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

/// The read buffer: large enough that a walk costs few system calls, small
/// enough for the 10 MB peak-memory budget.
const BUFFER_LEN: usize = 256 * 1024;

struct Measured {
    container: &'static str,
    codec: String,
    mime: &'static str,
    duration_ms: u64,
    exact: bool,
    header_duration_ms: Option<u64>,
    sample_rate: Option<u32>,
    channels: Option<u32>,
}

fn measure(
    mut file: File,
    len: u64,
    head: &Head,
    ext: Option<&str>,
    mode: Mode,
) -> Result<Measured, String> {
    file.seek(SeekFrom::Start(head.audio_start))
        .map_err(|e| io_reason(&e))?;
    let source = Window {
        file,
        start: head.audio_start,
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
    let mut reader = symphonia::default::get_probe()
        .probe(
            &hint,
            mss,
            FormatOptions::default(),
            MetadataOptions::default(),
        )
        .map_err(|e| open_reason(&e))?;

    let format = reader.format_info().format;
    let (container, mime) = container_of(format);
    let track = reader
        .default_track(TrackType::Audio)
        .cloned()
        .ok_or_else(|| "the file has no audio track".to_string())?;
    let params = track.codec_params.as_ref().and_then(|p| p.audio()).cloned();
    let codec_id = params.as_ref().map(|p| p.codec);
    let codec = codec_id.map_or_else(|| "unknown".to_string(), codec_name);
    let sample_rate = params.as_ref().and_then(|p| p.sample_rate);
    let channels = params
        .as_ref()
        .and_then(|p| p.channels.as_ref())
        .map(|c| c.count() as u32);
    let is_opus = codec_id == Some(codec_ids::CODEC_ID_OPUS);
    let tb = track.time_base;

    // What the header claims, in the track's time base, and whether it is
    // authoritative.
    let delay = u64::from(track.delay.unwrap_or(0));
    let padding = u64::from(track.padding.unwrap_or(0));
    let mvhd = if format == format_ids::FORMAT_ID_ISOMP4 {
        let info = reader.media_info();
        info.duration
            .zip(info.time_base)
            .map(|(d, tb)| (d.get(), tb))
    } else {
        None
    };
    let header: Option<(u64, bool)> = if let Some((d, mtb)) = mvhd {
        // MP4: `mvhd` holds the edit list's length (the playable length;
        // the track's sample table adds AAC's priming samples). Measured:
        // PLATFORMS.md, last table.
        (d > 0).then(|| (ms(d, mtb), true))
    } else {
        let frames = track.num_frames.filter(|&n| n > 0);
        frames.and_then(|n| {
            // Opus granules count the pre-skip (RFC 7845 section 4.2).
            let n = if is_opus { n.saturating_sub(delay) } else { n };
            let authoritative = if format == format_ids::FORMAT_ID_MP3 {
                // Without a Xing/Info/VBRI frame count, symphonia estimates
                // from the first 16 frames (demuxer.rs,
                // `estimate_num_mpeg_frames`): 505 s short on a one-hour VBR.
                // A count whose declared stream size overruns the file
                // belongs to a file that was cut: not trusted either.
                head.mp3_frame_count
                    && head
                        .mp3_stream_bytes
                        .is_none_or(|b| head.audio_start.saturating_add(b) <= len)
            } else if format == format_ids::FORMAT_ID_WAVE {
                // A streamed WAV claims a huge data size: trust it only when
                // the data fits in the file.
                wav_fits(n, params.as_ref(), len)
            } else {
                // FLAC STREAMINFO total samples; Ogg: the end page's granule
                // (found only when the last page is there).
                format == format_ids::FORMAT_ID_FLAC || format == format_ids::FORMAT_ID_OGG
            };
            Some((tb.map(|tb| ms(n, tb))?, authoritative))
        })
    };
    let header_duration_ms = header.map(|(h, _)| h);

    let measured = |duration_ms, exact| Measured {
        container,
        codec: codec.clone(),
        mime,
        duration_ms,
        exact,
        header_duration_ms,
        sample_rate,
        channels,
    };

    if mode == Mode::Fast {
        if let Some((h, true)) = header {
            return Ok(measured(h, true));
        }
    }

    let walk = walk(reader.as_mut(), track.id)?;
    let Some(first) = walk.first_pts else {
        // Nothing to measure. A truncated faststart M4A ends here: symphonia
        // 0.6.1 reads no sample once the `mdat` atom runs past the end of
        // the file (issue 3).
        let mut reason = "no audio packets could be read".to_string();
        if let Some(h) = header_duration_ms {
            reason.push_str(&format!(
                " though the header claims `{}`: the file may be cut short",
                Timestamp::from_ms(h).display(Style::Precise)
            ));
        }
        if let Some(e) = &walk.stopped_by {
            reason.push_str(&format!(" ({})", open_reason(e)));
        }
        return Err(reason);
    };
    let tb = tb.ok_or_else(|| "the audio track has no time base".to_string())?;

    let walked_units = if format == format_ids::FORMAT_ID_MP3 {
        // Count MPEG frames from the first and last packet's timestamps; do
        // not sum `dur`: in 0.6.1 it ignores the trims, and `trim_end` is not
        // capped at the frame size (issue 3). Then remove the LAME tag's
        // encoder delay and padding, the padding only when the walk reached
        // the end the Xing header announces.
        let spf = walk
            .first_header
            .as_deref()
            .and_then(mpeg_samples_per_frame)
            .unwrap_or(walk.last_dur.max(1));
        let span = u64::try_from(walk.last_pts.saturating_sub(first)).unwrap_or(0);
        let coded = (span / spf + 1) * spf;
        let full = track
            .num_frames
            .filter(|_| head.mp3_frame_count)
            .is_some_and(|n| coded >= n + delay + padding);
        coded.saturating_sub(delay + if full { padding } else { 0 })
    } else if let Some((d, mtb)) = mvhd {
        // MP4: the packets carry the whole sample table (priming included);
        // the edit list's trim is what `mvhd` leaves out of it.
        let table = track.duration.map_or(0, |d| d.get());
        let playable = rescale(d, mtb, tb);
        let trim = table.checked_sub(playable).filter(|&t| t <= MAX_MP4_TRIM);
        walk.sum_dur.saturating_sub(trim.unwrap_or(0))
    } else if let Some(bpf) = pcm_bytes_per_frame(format, params.as_ref()) {
        // WAV: symphonia 0.6.1 gives a cut file's last packet the duration
        // of a whole one (riff `common.rs`, `next_packet` reads with
        // `read_boxed_slice`, which may return fewer bytes). Count the
        // frames in the bytes instead.
        walk.sum_bytes / bpf
    } else if is_opus {
        // Opus: the sum counts the pre-skip (RFC 7845 section 4.2).
        walk.sum_dur.saturating_sub(delay)
    } else {
        // Vorbis, FLAC, PCM: the sum of packet durations is exact (issue 3,
        // measured with symphonia 0.6.1).
        walk.sum_dur
    };
    Ok(measured(ms(walked_units, tb), true))
}

/// The most an MP4 edit list is taken to trim from the sample table:
/// priming plus padding of an AAC stream (Apple's 2112 + up to 1024 + a
/// frame), in samples. Larger gaps mean `mvhd` measures another track.
const MAX_MP4_TRIM: u64 = 4 * 1024;

/// What a walk over the packets found.
#[derive(Debug, Default)]
struct Walk {
    first_pts: Option<i64>,
    last_pts: i64,
    last_dur: u64,
    sum_dur: u64,
    /// The bytes of all packets.
    sum_bytes: u64,
    /// The first packet's first four bytes (an MPEG frame header for MP3).
    first_header: Option<Vec<u8>>,
    /// Why the walk stopped before the reader said "end of stream", when it
    /// did: an unexpected end of file, or damaged data.
    stopped_by: Option<SymError>,
}

/// Reads every packet of `track_id` without decoding. A read that runs into
/// the end of the file (`UnexpectedEof`: a truncated FLAC, WAV or Ogg, or a
/// cut M4A sample) ends the walk: it is the end of the data, not a failure.
/// Damaged data ends it too; the caller decides whether what was walked
/// before is enough. Only a failing disk or file system is an error here.
fn walk(reader: &mut dyn FormatReader, track_id: u32) -> Result<Walk, String> {
    let mut w = Walk::default();
    let mut resets = 0;
    loop {
        let packet = match reader.next_packet() {
            Ok(Some(p)) => p,
            Ok(None) => break,
            Err(SymError::IoError(e)) if e.kind() != io::ErrorKind::UnexpectedEof => {
                return Err(io_reason(&e))
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

/// Bytes per frame of a WAV file's PCM data (channels × bytes per sample);
/// `None` for other containers and codecs.
fn pcm_bytes_per_frame(
    format: symphonia::core::formats::FormatId,
    params: Option<&symphonia::core::codecs::audio::AudioCodecParameters>,
) -> Option<u64> {
    use codec_ids::*;
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
    if format != format_ids::FORMAT_ID_WAVE || !pcm.contains(&p.codec) {
        return None;
    }
    let bits = u64::from(p.bits_per_coded_sample.or(p.bits_per_sample)?);
    let channels = p.channels.as_ref()?.count() as u64;
    Some(channels * bits.div_ceil(8)).filter(|&b| b > 0)
}

/// Whether a WAV header's frame count fits in the file (PCM only; other
/// codecs are given the benefit of the doubt).
fn wav_fits(
    frames: u64,
    params: Option<&symphonia::core::codecs::audio::AudioCodecParameters>,
    len: u64,
) -> bool {
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

/// `units` of `tb` in milliseconds, rounded to the nearest.
fn ms(units: u64, tb: TimeBase) -> u64 {
    let num = u128::from(units) * u128::from(tb.numer.get()) * 1000;
    let den = u128::from(tb.denom.get());
    u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
}

/// `units` of `from` in units of `to`, rounded to the nearest.
fn rescale(units: u64, from: TimeBase, to: TimeBase) -> u64 {
    let num = u128::from(units) * u128::from(from.numer.get()) * u128::from(to.denom.get());
    let den = u128::from(from.denom.get()) * u128::from(to.numer.get());
    u64::try_from((num + den / 2) / den).unwrap_or(u64::MAX)
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

/// The container's name and its MIME type for an RSS enclosure.
fn container_of(format: symphonia::core::formats::FormatId) -> (&'static str, &'static str) {
    match format {
        // RFC 3003.
        format_ids::FORMAT_ID_MP3 => ("mp3", "audio/mpeg"),
        format_ids::FORMAT_ID_MP2 => ("mp2", "audio/mpeg"),
        format_ids::FORMAT_ID_MP1 => ("mp1", "audio/mpeg"),
        // Apple's enclosure type for .m4a ("A Podcaster's Guide to RSS";
        // rfwilmut.net/notes/itunes/tag/enclosure.html); RFC 4337 registers
        // audio/mp4, which Apple does not list.
        format_ids::FORMAT_ID_ISOMP4 => ("mp4", "audio/x-m4a"),
        // RFC 5334 (Ogg media types); RFC 7845 section 9 (Opus in Ogg).
        format_ids::FORMAT_ID_OGG => ("ogg", "audio/ogg"),
        // RFC 9639 section 8.1.
        format_ids::FORMAT_ID_FLAC => ("flac", "audio/flac"),
        // The type browsers and podcast hosts use (RFC 2361 names audio/vnd.wave).
        format_ids::FORMAT_ID_WAVE => ("wav", "audio/wav"),
        format_ids::FORMAT_ID_ADTS => ("aac", "audio/aac"),
        _ => ("unknown", "application/octet-stream"),
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
    fn mismatch_needs_more_than_half_a_second() {
        let mut info = AudioInfo {
            path: "a.mp3".into(),
            container: "mp3",
            codec: "mp3".into(),
            mime: "audio/mpeg",
            duration_ms: 10_000,
            exact: true,
            header_duration_ms: None,
            sample_rate: Some(44_100),
            channels: Some(1),
            bytes: 1,
        };
        assert_eq!(info.header_mismatch_ms(), None);
        info.header_duration_ms = Some(10_500);
        assert_eq!(info.header_mismatch_ms(), None);
        info.header_duration_ms = Some(10_501);
        assert_eq!(info.header_mismatch_ms(), Some(501));
        info.header_duration_ms = Some(5_000);
        assert_eq!(info.header_mismatch_ms(), Some(5_000));
    }

    #[test]
    fn serializes_the_documented_shape() {
        let info = AudioInfo {
            path: "ep/17.mp3".into(),
            container: "mp3",
            codec: "mp3".into(),
            mime: "audio/mpeg",
            duration_ms: 3_912_250,
            exact: true,
            header_duration_ms: Some(1),
            sample_rate: Some(44_100),
            channels: Some(2),
            bytes: 123,
        };
        let v: serde_json::Value = serde_json::to_value(&info).unwrap();
        assert_eq!(
            v,
            serde_json::json!({
                "path": "ep/17.mp3", "container": "mp3", "codec": "mp3",
                "duration_ms": 3_912_250, "duration": "01:05:12.250", "exact": true,
                "sample_rate": 44_100, "channels": 2, "bytes": 123
            })
        );
    }

    #[test]
    fn time_bases_convert_with_rounding() {
        let tb = TimeBase::try_from_recip(44_100).unwrap();
        assert_eq!(ms(189_630, tb), 4_300);
        assert_eq!(ms(22, tb), 0);
        assert_eq!(ms(23, tb), 1);
        let mvhd = TimeBase::try_from_recip(1_000).unwrap();
        assert_eq!(rescale(4_300, mvhd, tb), 189_630);
        assert_eq!(
            ms(u64::MAX, TimeBase::try_new(u32::MAX, 1).unwrap()),
            u64::MAX
        );
    }

    #[test]
    fn id3v2_sizes_are_syncsafe() {
        let h = *b"ID3\x04\x00\x00\x00\x00\x02\x01";
        assert_eq!(id3v2_size(&h), Some(10 + 257));
        let footer = *b"ID3\x04\x00\x10\x00\x00\x00\x05";
        assert_eq!(id3v2_size(&footer), Some(25));
        assert_eq!(id3v2_size(b"ID3\x04\x00\x00\x00\x00\x80\x00"), None);
        assert_eq!(id3v2_size(b"RIFF\x04\x00\x00\x00\x00\x00"), None);
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
        let tag = |frames, bytes| Some(Mp3Tag { frames, bytes });
        let xing = b"Xing\0\0\0\x03\0\0\0\x09\0\0\x01\x02";
        assert_eq!(mp3_tag(&frame(mono, 21, xing)), tag(true, Some(258)));
        assert_eq!(
            mp3_tag(&frame(mono, 21, b"Info\0\0\0\x01")),
            tag(true, None)
        );
        assert_eq!(
            mp3_tag(&frame(mono, 21, b"Info\0\0\0\x02\0\0\0\x07")),
            tag(false, Some(7))
        );
        let vbri = b"VBRI\0\x01\0\0\0\0\0\0\x10\0\0\0\0\x20";
        assert_eq!(mp3_tag(&frame(mono, 36, vbri)), tag(true, Some(4096)));
        assert_eq!(mp3_tag(&frame(mono, 60, b"Xing\0\0\0\x0f")), None);
        // Stereo: 32 bytes of side info; junk before the frame is skipped.
        let mut f = vec![0x00, 0x12];
        f.extend(frame([0xff, 0xfb, 0x90, 0x44], 36, b"Xing\0\0\0\x01"));
        assert_eq!(mp3_tag(&f), tag(true, None));
        assert_eq!(mp3_tag(b"not audio at all"), None);
        assert_eq!(mp3_tag(&[]), None);
    }

    #[test]
    fn samples_per_frame_follow_version_and_layer() {
        assert_eq!(mpeg_samples_per_frame(&[0xff, 0xfb]), Some(1152));
        assert_eq!(mpeg_samples_per_frame(&[0xff, 0xf3]), Some(576));
        assert_eq!(mpeg_samples_per_frame(&[0xff, 0xe3]), Some(576));
        assert_eq!(mpeg_samples_per_frame(&[0xff, 0xfd]), Some(1152));
        assert_eq!(mpeg_samples_per_frame(&[0xff, 0xff]), Some(384));
        assert_eq!(mpeg_samples_per_frame(&[0x00, 0xfb]), None);
    }

    #[test]
    fn a_panic_inside_the_guard_is_an_error() {
        let r: Result<(), String> = guarded(|| panic!("boom"));
        assert_eq!(
            r.unwrap_err(),
            "the audio reader crashed on this file (boom)"
        );
        let r: Result<u8, String> = guarded(|| Ok(7));
        assert_eq!(r, Ok(7));
        assert!(!IN_GUARD.with(Cell::get));
    }

    fn fixture(name: &str) -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("fixtures/audio")
            .join(name)
    }

    #[test]
    fn walks_fixtures_to_the_sample() {
        // 4.3 s of audio, encoder delay and padding declared (README there).
        for name in ["mp3-vbr-xing.mp3", "aac.m4a", "opus.opus", "flac.flac"] {
            for mode in [Mode::Walk, Mode::Fast] {
                let info = probe(&fixture(name), mode).unwrap();
                assert_eq!(info.duration_ms, 4_300, "{name} {mode:?}");
                assert_eq!(info.header_duration_ms, Some(4_300), "{name}");
                assert_eq!(info.header_mismatch_ms(), None, "{name}");
                assert!(info.exact);
            }
        }
        let mp3 = probe(&fixture("mp3-vbr-xing-id3v2.mp3"), Mode::Walk).unwrap();
        assert_eq!((mp3.container, mp3.mime), ("mp3", "audio/mpeg"));
        assert_eq!(mp3.duration_ms, 4_300);
    }

    #[test]
    fn a_cut_file_disagrees_with_its_header() {
        let info = probe(&fixture("cut-mp3-vbr-xing.mp3"), Mode::Walk).unwrap();
        assert_eq!(info.header_duration_ms, Some(4_300));
        let diff = info.header_mismatch_ms().unwrap();
        assert_eq!(diff, 4_300 - info.duration_ms);
        assert!(diff > 1_500, "{info:?}");
        // --fast does not trust a Xing header whose stream size overruns the file.
        let fast = probe(&fixture("cut-mp3-vbr-xing.mp3"), Mode::Fast).unwrap();
        assert_eq!(fast, info);
    }

    #[test]
    fn cut_or_damaged_files_never_panic() {
        // Every good fixture cut at many points and with bytes overwritten
        // at many places: each gives a length or a reason, never a panic
        // (the guard would turn one into a "crashed" reason: none expected).
        let dir = tempfile::tempdir().unwrap();
        let names = [
            "mp3-vbr-xing-id3v2.mp3",
            "mp3-vbr-noxing.mp3",
            "aac.m4a",
            "aac-faststart.m4a",
            "vorbis.ogg",
            "opus.opus",
            "flac.flac",
            "pcm.wav",
        ];
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = move || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        for name in names {
            let data = std::fs::read(fixture(name)).unwrap();
            let path = dir.path().join(name);
            for k in 0..24 {
                let mut bytes = data.clone();
                if k % 2 == 0 {
                    bytes.truncate((next() % data.len() as u64) as usize);
                } else {
                    for _ in 0..8 {
                        let at = (next() % data.len() as u64) as usize;
                        bytes[at] = next() as u8;
                    }
                }
                std::fs::write(&path, &bytes).unwrap();
                for mode in [Mode::Walk, Mode::Fast] {
                    if let Err(AudioError::Unreadable { reason, .. }) = probe(&path, mode) {
                        assert!(!reason.contains("crashed"), "{name} #{k}: {reason}");
                    }
                }
            }
        }
    }

    #[test]
    fn errors_name_the_file_and_the_code() {
        let dir = tempfile::tempdir().unwrap();
        let missing = dir.path().join("nope.mp3");
        let e = probe(&missing, Mode::Walk).unwrap_err();
        assert!(matches!(e, AudioError::Missing { .. }));
        assert_eq!(e.code(), Code::AudioMissing);
        assert_eq!(e.path(), missing);
        assert!(e.to_string().contains("nope.mp3"), "{e}");

        let e = probe(dir.path(), Mode::Walk).unwrap_err();
        assert_eq!(e.code(), Code::AudioUnreadable);
        assert!(e.to_string().contains("directory"), "{e}");

        let empty = dir.path().join("empty.mp3");
        std::fs::write(&empty, b"").unwrap();
        let e = probe(&empty, Mode::Fast).unwrap_err();
        assert!(e.to_string().ends_with("the file is empty"), "{e}");

        let tag_only = dir.path().join("tag.mp3");
        let mut tag = b"ID3\x04\x00\x00\x00\x00\x00\x10".to_vec();
        tag.extend([0u8; 16]);
        std::fs::write(&tag_only, tag).unwrap();
        let e = probe(&tag_only, Mode::Walk).unwrap_err();
        assert!(e.to_string().contains("only an ID3 tag"), "{e}");
    }
}
