//! `shownotes chapters`: read chapters from notes, write a chapter format.

use clap::ValueEnum;

use super::{load_notes, print, write_atomic, Ctx, Fatal, Outcome};
use crate::chapters::json;
use crate::diagnostic::{Code, Severity};

/// Arguments of `chapters`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The input: a notes file (`-` reads stdin).
    pub input: String,

    /// The input's format.
    #[arg(long, value_enum, default_value_t = From::Notes)]
    pub from: From,

    /// The format to write.
    #[arg(long, value_enum)]
    pub to: To,

    /// Write to FILE (atomically) instead of stdout.
    #[arg(short, long, value_name = "FILE")]
    pub output: Option<String>,
}

/// `chapters --from`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum From {
    /// A notes file's chapter list.
    Notes,
}

/// `chapters --to`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum To {
    /// Podcasting 2.0 JSON chapters (version 1.2.0).
    Json,
}

/// Findings that make the chapters themselves wrong: nothing is written.
/// (Platform rules such as `chapter-too-short` are reported but do not
/// stop a conversion.)
const BLOCKING: &[Code] = &[
    Code::NotesNotUtf8,
    Code::NotesEmpty,
    Code::ChapterBadTimestamp,
    Code::ChapterOutOfOrder,
    Code::ChapterDuplicateStart,
    Code::ChapterPastEnd,
];

/// Runs `chapters`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let loaded = load_notes(&args.input, ctx, |d| {
        d.code.as_str().starts_with("chapter") || d.code.as_str().starts_with("notes-")
    })?;
    let Some(notes) = loaded.notes else {
        return Ok(Outcome::Findings);
    };
    if notes.chapters.is_empty() {
        return Err(
            Fatal::new(format!("`{}` has no chapters", notes.source.name))
                .help("add a `Chapters` line followed by one `00:00 Title` line per chapter"),
        );
    }
    if loaded
        .diagnostics
        .iter()
        .any(|d| BLOCKING.contains(&d.code))
    {
        return Ok(Outcome::Findings);
    }
    let out = match args.to {
        To::Json => json::write(&notes.chapters),
    };
    match args.output.as_deref() {
        None | Some("-") => print(&out)?,
        Some(path) => write_atomic(std::path::Path::new(path), out.as_bytes())?,
    }
    Ok(
        if loaded
            .diagnostics
            .iter()
            .any(|d| d.severity == Severity::Error)
        {
            Outcome::Findings
        } else {
            Outcome::Clean
        },
    )
}
