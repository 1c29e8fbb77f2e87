//! `shownotes probe AUDIO... [--format text|json] [--fast]`: container,
//! codec and exact duration of each file.

use std::io::{Read, Write};
use std::path::PathBuf;

use clap::ValueEnum;

use super::{print, Ctx, Fatal, Outcome};
use shownotes::audio::{self, AudioInfo, Mode};
use shownotes::diagnostic::{Code, Severity};
use shownotes::error::Error;
use shownotes::report::human;
use shownotes::timestamp::Style;

/// Arguments of `probe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Audio files (MP3, M4A/MP4 AAC, Ogg Vorbis, Ogg Opus, FLAC, WAV); `-`
    /// reads stdin (spooled to a temporary file, at most 4 GB).
    #[arg(required = true, value_name = "AUDIO")]
    pub files: Vec<PathBuf>,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,

    /// Trust authoritative headers (Xing/Info frame count, FLAC STREAMINFO,
    /// WAV data size, Ogg end granule, MP4 `mvhd`) instead of walking every
    /// packet; files without one are still walked.
    #[arg(long)]
    pub fast: bool,
}

/// `probe --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// An aligned table.
    Text,
    /// An array, one object per file: path, container, codec, duration_ms,
    /// duration, exact, sample_rate, channels, bytes.
    Json,
}

/// The most `probe -` spools from stdin: 4 GB.
pub const STDIN_CAP: u64 = 4_000_000_000;

/// Overrides [`STDIN_CAP`] (bytes), for tests.
pub const STDIN_CAP_VAR: &str = "SHOWNOTES_STDIN_CAP";

/// Copies stdin to a temporary file (probing seeks), at most the cap. The
/// file is named and registered by `shownotes::write` like every temporary
/// file (`.shownotes-tmp-spool-<pid>-…`): removed when dropped, on SIGINT
/// or SIGTERM meanwhile, and by a later run when this one was killed.
fn spool_stdin() -> Result<Spool, Fatal> {
    let dir = std::env::temp_dir();
    let cap = std::env::var(STDIN_CAP_VAR)
        .ok()
        .and_then(|v| v.trim().parse::<u64>().ok())
        .unwrap_or(STDIN_CAP);
    let fail = |e: std::io::Error, help: &str| {
        Fatal::new(format!(
            "cannot spool stdin to `{}`: {}",
            dir.display(),
            shownotes::diagnostic::io_reason(&e)
        ))
        .help(help)
    };
    let (mut file, registered) = shownotes::write::temp_file_labelled(&dir, "spool")
        .map_err(|e| fail(e, "set TMPDIR to a writable folder"))?;
    let room = |e| fail(e, "set TMPDIR to a folder with room for the audio");
    let copied = std::io::copy(
        &mut std::io::stdin().lock().take(cap.saturating_add(1)),
        file.as_file_mut(),
    )
    .map_err(room)?;
    if copied > cap {
        return Err(Fatal::new(format!(
            "stdin holds more than the {} limit for `probe -`",
            shownotes::regular::format_size(cap)
        ))
        .help("save the audio to a file and probe the file: `shownotes probe FILE`"));
    }
    file.as_file_mut().flush().map_err(room)?;
    Ok(Spool {
        file,
        _registered: registered,
    })
}

/// A stdin spool: the file is removed when dropped (first), then its
/// registration for removal on a signal.
struct Spool {
    file: tempfile::NamedTempFile,
    _registered: shownotes::write::Registered,
}

/// Probes every file, prints what could be read, reports each failure on
/// stderr, and fails (exit 2) when any file could not be read.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let mode = if args.fast { Mode::Fast } else { Mode::Walk };
    let mut infos = Vec::new();
    let mut failed = 0usize;
    for path in &args.files {
        // `-` is stdin: spooled to a temporary file, since probing seeks.
        let spooled = if path.as_os_str() == "-" {
            Some(spool_stdin()?)
        } else {
            None
        };
        let probed = match &spooled {
            Some(spool) => audio::probe(spool.file.path(), mode).map(|mut info| {
                info.path = PathBuf::from("<stdin>");
                info
            }),
            None => audio::probe(path, mode),
        };
        match probed {
            Ok(info) => {
                if let Some(diff) = info.header_mismatch_ms() {
                    warn_mismatch(&info, diff, ctx);
                }
                infos.push(info);
            }
            Err(e) => {
                report(&e, ctx);
                failed += 1;
            }
        }
    }
    match args.format {
        Format::Json => {
            let mut json = serde_json::to_string_pretty(&infos)
                .map_err(|e| Fatal::new(format!("could not write JSON: {e}")))?;
            json.push('\n');
            print(&json)?;
        }
        Format::Text if !infos.is_empty() => print(&table(&infos))?,
        Format::Text => {}
    }
    if failed > 0 {
        let files = if failed == 1 { "file" } else { "files" };
        return Err(Fatal::new(format!(
            "{failed} of {} {files} could not be read",
            args.files.len()
        )));
    }
    Ok(Outcome::Clean)
}

/// `error[audio-unreadable]: cannot read audio file `x.mp3`: the file is empty`.
fn report(e: &Error, ctx: &Ctx) {
    let line = human::headline(ctx.color, Severity::Error, e.code(), e.message());
    let _ = std::io::stderr().write_all(line.as_bytes());
}

/// `warning[audio-header-mismatch]` when header and packets disagree.
fn warn_mismatch(info: &AudioInfo, diff: u64, ctx: &Ctx) {
    let header = info.header_duration_ms.unwrap_or(0);
    let message = format!(
        "`{}`: the header claims `{}` but the packets last `{}` ({} s apart); \
         the file may be truncated or damaged",
        info.path.display(),
        shownotes::timestamp::Timestamp::from_ms(header).display(Style::Precise),
        info.duration().display(Style::Precise),
        format_secs(diff),
    );
    let line = human::headline(
        ctx.color,
        Severity::Warning,
        Some(Code::AudioHeaderMismatch),
        &message,
    );
    let _ = std::io::stderr().write_all(line.as_bytes());
}

fn format_secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

/// The aligned table a person reads.
fn table(infos: &[AudioInfo]) -> String {
    let header = [
        "PATH",
        "CONTAINER",
        "CODEC",
        "DURATION",
        "EXACT",
        "RATE",
        "CHANNELS",
        "BYTES",
    ];
    let rows: Vec<[String; 8]> = infos
        .iter()
        .map(|i| {
            [
                i.path.display().to_string(),
                i.container.to_string(),
                i.codec.clone(),
                i.duration().display(Style::Precise).to_string(),
                if i.exact { "yes" } else { "estimate" }.to_string(),
                i.sample_rate.map_or("-".into(), |r| r.to_string()),
                i.channels.map_or("-".into(), |c| c.to_string()),
                i.bytes.to_string(),
            ]
        })
        .collect();
    let mut widths = header.map(|h| h.chars().count());
    for row in &rows {
        for (w, cell) in widths.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    // Numbers align right, words left.
    let right = [false, false, false, false, false, true, true, true];
    let mut out = String::new();
    let mut line = |cells: &[String]| {
        let mut l = String::new();
        for (k, cell) in cells.iter().enumerate() {
            let pad = widths[k] - cell.chars().count();
            if k > 0 {
                l.push_str("  ");
            }
            if right[k] {
                l.push_str(&" ".repeat(pad));
                l.push_str(cell);
            } else {
                l.push_str(cell);
                if k + 1 < cells.len() {
                    l.push_str(&" ".repeat(pad));
                }
            }
        }
        out.push_str(l.trim_end());
        out.push('\n');
    };
    line(&header.map(String::from));
    for row in &rows {
        line(row);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_table_aligns_columns() {
        let info = |path: &str, ms| AudioInfo {
            path: path.into(),
            container: "mp3",
            codec: "mp3".into(),
            mime: "audio/mpeg",
            duration_ms: ms,
            exact: true,
            header_duration_ms: None,
            sample_rate: Some(44_100),
            channels: Some(2),
            bytes: 1_234,
        };
        let t = table(&[info("a.mp3", 4_300), info("episodes/long.mp3", 3_912_250)]);
        let lines: Vec<&str> = t.lines().collect();
        assert_eq!(lines.len(), 3);
        assert!(lines[0].starts_with("PATH               CONTAINER"));
        assert!(lines[1].contains("00:00:04.300"));
        assert!(lines[2].contains("01:05:12.250"));
        let col = |l: &str| l.find(" mp3  ").unwrap();
        assert_eq!(col(lines[1]), col(lines[2]));
        assert!(lines[1].ends_with(" 1234"));
    }
}
