//! `shownotes links`: list the links of a notes file, normalized.

use std::fmt::Write as _;

use clap::ValueEnum;
use serde::Serialize;

use super::input::load_notes;
use super::{print, Ctx, Fatal, Outcome};
use shownotes::diagnostic::{Code, Family, Severity};
use shownotes::links::Kind;

/// Arguments of `links`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The notes file (`-` reads stdin).
    pub notes: String,

    /// Output format.
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
}

/// `links --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table: line:column, kind, URL, description.
    Text,
    /// A JSON array: `url`, `original`, `text`, `kind`, `line`, `column` per link.
    Json,
}

#[derive(Serialize)]
struct JsonLink<'a> {
    url: &'a str,
    original: &'a str,
    /// Without control or invisible characters ([`shownotes::text::clean`]).
    text: Option<std::borrow::Cow<'a, str>>,
    kind: Kind,
    line: usize,
    column: usize,
}

/// Runs `links`. Links that could not be used (invalid, unsafe) are left
/// out and reported on stderr; they make the exit code 1.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let notes = load_notes(&args.notes, ctx, |d| {
        d.code.family() == Family::Link || d.code == Code::NotesNotUtf8
    })?;
    let Some(notes) = notes else {
        // Not text: the input could not be read.
        return Ok(Outcome::Unreadable);
    };
    let rows: Vec<JsonLink<'_>> = notes
        .links
        .iter()
        .map(|l| {
            let pos = notes.position(l.span.start);
            JsonLink {
                url: &l.url,
                original: &l.original,
                text: l.text.as_deref().map(shownotes::text::clean),
                kind: l.kind,
                line: pos.line,
                column: pos.column,
            }
        })
        .collect();
    let out = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&rows).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = String::new();
            let place_w = rows
                .iter()
                .map(|r| format!("{}:{}", r.line, r.column).len())
                .max()
                .unwrap_or(0);
            let url_w = rows
                .iter()
                .map(|r| r.url.chars().count())
                .max()
                .unwrap_or(0);
            for r in &rows {
                let place = format!("{}:{}", r.line, r.column);
                let kind = match r.kind {
                    Kind::LearnMore => "learn-more",
                    Kind::Text => "text",
                };
                let line = format!(
                    "{place:<place_w$}  {kind:<10}  {:<url_w$}  {}",
                    r.url,
                    r.text.as_deref().unwrap_or("")
                );
                let _ = writeln!(s, "{}", line.trim_end());
            }
            s
        }
    };
    print(&out)?;
    let errors = notes
        .diagnostics
        .iter()
        .any(|d| d.severity == Severity::Error && d.code.family() == Family::Link);
    Ok(if errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
