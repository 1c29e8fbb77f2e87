//! `shownotes probe AUDIO... [--format text|json] [--fast]`: container,
//! codec and exact duration of each file.

use std::io::Write;
use std::path::PathBuf;

use clap::ValueEnum;

use super::{print, Ctx, Fatal, Outcome};
use crate::audio::{self, AudioError, AudioInfo, Mode};
use crate::timestamp::Style;

/// Arguments of `probe`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// Audio files (MP3, M4A/MP4 AAC, Ogg Vorbis, Ogg Opus, FLAC, WAV); `-` reads stdin.
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

fn spool_stdin() -> Result<tempfile::NamedTempFile, Fatal> {
    let fail = |e: std::io::Error| Fatal::new(format!("cannot read stdin: {e}"));
    let mut tmp = tempfile::NamedTempFile::new().map_err(fail)?;
    std::io::copy(&mut std::io::stdin().lock(), &mut tmp).map_err(fail)?;
    tmp.flush().map_err(fail)?;
    Ok(tmp)
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
            Some(tmp) => audio::probe(tmp.path(), mode).map(|mut info| {
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
fn report(e: &AudioError, ctx: &Ctx) {
    let head = paint(ctx, "1;31", &format!("error[{}]", e.code()));
    let _ = writeln!(std::io::stderr(), "{head}: {e}");
}

/// `warning[audio-header-mismatch]` when header and packets disagree.
fn warn_mismatch(info: &AudioInfo, diff: u64, ctx: &Ctx) {
    let header = info.header_duration_ms.unwrap_or(0);
    let head = paint(ctx, "1;33", "warning[audio-header-mismatch]");
    let _ = writeln!(
        std::io::stderr(),
        "{head}: `{}`: the header claims `{}` but the packets last `{}` ({} s apart); \
         the file may be truncated or damaged",
        info.path.display(),
        crate::timestamp::Timestamp::from_ms(header).display(Style::Precise),
        info.duration().display(Style::Precise),
        format_secs(diff),
    );
}

fn format_secs(ms: u64) -> String {
    format!("{}.{:03}", ms / 1000, ms % 1000)
}

fn paint(ctx: &Ctx, sgr: &str, s: &str) -> String {
    if ctx.color {
        format!("\x1b[{sgr}m{s}\x1b[0m")
    } else {
        s.to_string()
    }
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
