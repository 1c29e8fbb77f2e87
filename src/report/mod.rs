//! Reporting findings: one implementation of [`Report`] per output format
//! (human rustc-style, JSON, GitHub Actions workflow commands, SARIF).

use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::source::{Position, Source};

pub mod github;
pub mod human;
pub mod json;
pub mod sarif;

/// Collects the findings of every file checked, then renders them.
pub trait Report {
    /// Adds one file's findings (already sorted).
    fn file(&mut self, source: &Source, diags: &[Diagnostic]);
    /// Adds an input that could not be checked at all (missing,
    /// unreadable, a bad config), `path` as given.
    fn fatal(&mut self, path: &str, error: &Error);
    /// What goes to stdout at the end (JSON, workflow commands), if anything.
    fn stdout(&mut self) -> String;
    /// What goes to stderr (rendered diagnostics, the summary), if anything.
    fn stderr(&mut self) -> String;
}

/// Where a finding stands: its first character's line and column, and
/// the line and column just past its last character (as SARIF's
/// `endColumn`); the columns count characters.
pub fn range(source: &Source, d: &Diagnostic) -> Option<(Position, Position)> {
    d.span.map(|s| {
        (
            source.position(s.start),
            source.position(s.end.max(s.start)),
        )
    })
}

/// Totals over every file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    /// Findings at error level.
    pub errors: usize,
    /// Findings at warning level.
    pub warnings: usize,
    /// Files reported.
    pub files: usize,
}

impl Totals {
    /// Adds one file's findings.
    pub fn add(&mut self, diags: &[Diagnostic]) {
        self.files += 1;
        for d in diags {
            match d.severity {
                Severity::Error => self.errors += 1,
                Severity::Warning => self.warnings += 1,
            }
        }
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use crate::diagnostic::{Code, Diagnostic};
    use crate::source::{Source, Span};

    pub(crate) fn sample() -> (Source, Vec<Diagnostic>) {
        let src = Source::new("ep.md", "Chapters\n00:00 Intro\n00:75 Bad, stamp\n");
        let d = Diagnostic::new(
            Code::ChapterBadTimestamp,
            "`00:75` is not a valid timestamp",
        )
        .at(Span::new(21, 26))
        .label("bad timestamp")
        .help("write `MM:SS`");
        (
            src,
            vec![d, Diagnostic::new(Code::ChaptersMissing, "no list")],
        )
    }
}
