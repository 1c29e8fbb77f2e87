//! The playable length of an episode's audio, to the millisecond, read from
//! the container and its packets with symphonia, without decoding.
//!
//! Headers lie: a VBR MP3 without a Xing header only has an estimate from
//! its first frames, and a file cut in half still claims its full length in
//! its Xing, FLAC and WAV headers. So [`probe`] reads the header **and**, by
//! default ([`Mode::Walk`]), walks every packet (reading the container's
//! framing only, never decoding) and reports the walked length;
//! [`AudioInfo::header_mismatch_ms`] says when the walk contradicts a length
//! the header states (an estimate is overruled without a word).
//! [`Mode::Fast`] trusts headers that are authoritative and walks only where
//! there is none. Each container's rules (which header is authoritative,
//! what a walk counts) are in one file under `container/`.
//!
//! Every symphonia call runs under `catch_unwind` (`guard`): a panic inside
//! the library becomes an [`ErrorKind::AudioUnreadable`] error, never a
//! crash.

mod container;
mod guard;
mod head;
mod measure;
mod timebase;
mod walk;

use std::path::{Path, PathBuf};

pub use measure::Mode;

use crate::diagnostic::{io_reason, Code, Diagnostic};
use crate::error::{Error, ErrorKind, Result};
use crate::regular::OpenError;
use crate::timestamp::{Style, Timestamp};

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
    /// The length the header states (Xing/Info/VBRI frame count, FLAC
    /// STREAMINFO, WAV `data` size, Ogg end granule, MP4 `mvhd`); `None`
    /// where it states none, or only gives an estimate (a Xing-less MP3).
    pub header_duration_ms: Option<u64>,
    /// Samples per second, when the container says.
    pub sample_rate: Option<u32>,
    /// Channels, when the container says.
    pub channels: Option<u32>,
    /// The file's size in bytes (the enclosure `length`).
    pub bytes: u64,
}

/// The smallest disagreement between header and packets worth reporting
/// (`audio-header-mismatch`: over half a second).
const HEADER_MISMATCH_MS: u64 = 500;

impl AudioInfo {
    /// `|header - duration|` when the header states a length that differs
    /// from `duration_ms` by more than half a second: a truncated or
    /// damaged file. (An estimate, such as a Xing-less VBR MP3's, is never
    /// stated; see [`AudioInfo::header_duration_ms`].)
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

/// The `probe --format json` shape.
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
    let info = match probe(path, mode) {
        Ok(info) => info,
        Err(e) => {
            let code = e.code().unwrap_or(Code::AudioUnreadable);
            let mut diag = Diagnostic::new(code, e.message());
            if let Some(help) = e.help() {
                diag = diag.help(help);
            }
            return (None, vec![diag]);
        }
    };
    let mut diags = Vec::new();
    if let (Some(diff), Some(header)) = (info.header_mismatch_ms(), info.header_duration_ms) {
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

/// How to fix an `audio-unreadable` file.
const UNREADABLE_HELP: &str = "give an MP3, M4A/AAC, Ogg Vorbis, Ogg Opus, FLAC or WAV file";

/// `audio-missing`: nothing at the path.
fn missing(path: &Path) -> Error {
    Error::new(
        ErrorKind::AudioMissing,
        format!("audio file `{}` does not exist", path.display()),
    )
    .with_help(
        "check the path: `--audio` is relative to the current folder, front matter `audio` to \
         the notes file",
    )
}

/// `audio-unreadable`: something at the path, but not audio that can be
/// read; `e` says why.
fn unreadable(path: &Path, e: Error) -> Error {
    Error::new(ErrorKind::AudioUnreadable, e.message())
        .context(format_args!(
            "cannot read audio file `{}`: ",
            path.display()
        ))
        .with_help(UNREADABLE_HELP)
}

/// Measures the audio file at `path`. See the module documentation.
///
/// Errors are [`ErrorKind::AudioMissing`] (nothing at the path) or
/// [`ErrorKind::AudioUnreadable`] (`cannot read audio file `PATH`: REASON`).
pub fn probe(path: &Path, mode: Mode) -> Result<AudioInfo> {
    let fail = |reason: String| unreadable(path, Error::new(ErrorKind::AudioUnreadable, reason));
    // Only a regular file is read: a FIFO would block the open, and a
    // link to `/dev/zero` would never end.
    let (mut file, meta) = match crate::regular::open(path) {
        Ok(opened) => opened,
        Err(e) if e.is_not_found() => return Err(missing(path)),
        Err(OpenError::NotRegular("a directory")) => {
            return Err(fail("it is a directory, not an audio file".into()))
        }
        Err(e) => return Err(fail(e.reason())),
    };
    let bytes = meta.len();
    if bytes == 0 {
        return Err(fail("the file is empty".into()));
    }
    let head = head::sniff(&mut file, bytes).map_err(|e| fail(io_reason(&e)))?;
    if head.audio_start >= bytes {
        return Err(fail("the file holds only an ID3 tag and no audio".into()));
    }
    // A cut MP4 is unreadable in both modes: symphonia cannot read its
    // samples, and `mvhd` would claim the full length under `--fast`.
    if let Some(reason) = container::mp4::cut_reason(path, bytes) {
        return Err(fail(reason));
    }
    let ext = path.extension().and_then(|e| e.to_str()).map(str::to_owned);
    let m = guard::guarded(|| measure::measure(file, bytes, &head, ext.as_deref(), mode))
        .map_err(|e| unreadable(path, e))?;
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
                    if let Err(e) = probe(&path, mode) {
                        assert_eq!(e.kind(), ErrorKind::AudioUnreadable, "{name} #{k}: {e}");
                        assert!(!e.message().contains("crashed"), "{name} #{k}: {e}");
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
        assert_eq!(e.kind(), ErrorKind::AudioMissing);
        assert_eq!(e.code(), Some(Code::AudioMissing));
        assert_eq!(
            e.message(),
            format!("audio file `{}` does not exist", missing.display())
        );
        assert!(e.help().unwrap().starts_with("check the path"), "{e:?}");

        let e = probe(dir.path(), Mode::Walk).unwrap_err();
        assert_eq!(e.code(), Some(Code::AudioUnreadable));
        assert_eq!(
            e.message(),
            format!(
                "cannot read audio file `{}`: it is a directory, not an audio file",
                dir.path().display()
            )
        );
        assert_eq!(e.help(), Some(UNREADABLE_HELP));

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
