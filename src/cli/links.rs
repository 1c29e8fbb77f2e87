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

    #[command(flatten)]
    pub net: super::online::Flags,
}

/// `links --format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum Format {
    /// A table: line:column, kind, URL, description.
    Text,
    /// A JSON array: `url`, `original`, `text`, `kind`, `line`, `column` per link
    /// (with `--online`, also `status`, `http_status`, `final_url`).
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
    /// With `--online`: what became of it.
    #[serde(flatten)]
    online: Option<JsonOnline<'a>>,
}

/// The fields `--online` adds.
#[derive(Serialize)]
struct JsonOnline<'a> {
    status: &'static str,
    http_status: Option<u16>,
    final_url: Option<&'a str>,
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
    let (checked, online_findings) = if args.net.on() {
        let (checked, findings) = super::online::check_links(&notes, &args.notes, ctx)?;
        super::render_all(ctx, &notes.source, &findings);
        (Some(checked), findings)
    } else {
        (None, vec![])
    };
    let rows: Vec<JsonLink<'_>> = notes
        .links
        .iter()
        .enumerate()
        .map(|(i, l)| {
            let pos = notes.position(l.span.start);
            JsonLink {
                url: &l.url,
                original: &l.original,
                text: l.text.as_deref().map(shownotes::text::clean),
                kind: l.kind,
                line: pos.line,
                column: pos.column,
                online: checked.as_ref().map(|c| JsonOnline {
                    status: c[i].status.name(),
                    http_status: c[i].http_status,
                    final_url: c[i].final_url.as_deref(),
                }),
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
                let status = match &r.online {
                    Some(o) => format!("{:<11}  ", o.status),
                    None => String::new(),
                };
                let line = format!(
                    "{place:<place_w$}  {status}{kind:<10}  {:<url_w$}  {}",
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
        .chain(&online_findings)
        .any(|d| d.severity == Severity::Error && d.code.family() == Family::Link);
    Ok(if errors {
        Outcome::Findings
    } else {
        Outcome::Clean
    })
}
