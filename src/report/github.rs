//! GitHub Actions workflow commands on stdout.

use std::fmt::Write as _;

use super::Report;
use crate::diagnostic::{Diagnostic, Severity};
use crate::error::Error;
use crate::source::Source;
use crate::text;

/// GitHub Actions workflow commands: `::error file=F,line=L,col=C,title=CODE::MESSAGE`.
#[derive(Default)]
pub struct Github {
    out: String,
}

/// Escapes a workflow-command message (GitHub's toolkit `escapeData`,
/// actions/toolkit `packages/core/src/command.ts`): `%`, CR and LF. Other
/// control and invisible characters, which the runner would put in the
/// log raw, are shown as visible stand-ins (`␀`, `<U+202E>`).
fn escape_data(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '%' => out.push_str("%25"),
            '\r' => out.push_str("%0D"),
            '\n' => out.push_str("%0A"),
            c => match text::stand_in(c) {
                Some(r) => out.push_str(&r),
                None => out.push(c),
            },
        }
    }
    out
}

/// Escapes a workflow-command property (GitHub's toolkit `escapeProperty`).
fn escape_property(s: &str) -> String {
    escape_data(s).replace(':', "%3A").replace(',', "%2C")
}

impl Report for Github {
    fn file(&mut self, source: &Source, diags: &[Diagnostic]) {
        for d in diags {
            let kind = match d.severity {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            let mut props = format!("file={}", escape_property(&source.name));
            if let Some(span) = d.span {
                let pos = source.position(span.start);
                let _ = write!(props, ",line={},col={}", pos.line, pos.column);
            }
            let _ = write!(props, ",title={}", escape_property(d.code.as_str()));
            let mut msg = d.message.clone();
            if let Some(help) = &d.help {
                let _ = write!(msg, "\nhelp: {help}");
            }
            let _ = writeln!(self.out, "::{kind} {props}::{}", escape_data(&msg));
        }
    }

    fn fatal(&mut self, path: &str, error: &Error) {
        let mut props = format!("file={}", escape_property(path));
        if let Some(line) = error.line() {
            let _ = write!(props, ",line={line}");
            if let Some(col) = error.column() {
                let _ = write!(props, ",col={col}");
            }
        }
        props.push_str(",title=fatal");
        let mut msg = error.message().to_string();
        if let Some(help) = error.help() {
            let _ = write!(msg, "\nhelp: {help}");
        }
        let _ = writeln!(self.out, "::error {props}::{}", escape_data(&msg));
    }

    fn stdout(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    fn stderr(&mut self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::report::tests::sample;
    use crate::source::Span;

    #[test]
    fn github_output_escapes() {
        let (src, d) = sample();
        let mut r = Github::default();
        r.file(&src, &d);
        let out = r.stdout();
        let first = out.lines().next().unwrap();
        assert_eq!(
            first,
            "::error file=ep.md,line=3,col=1,title=chapter-bad-timestamp::`00:75` is not a valid timestamp%0Ahelp: write `MM:SS`"
        );
        assert!(out
            .lines()
            .nth(1)
            .unwrap()
            .starts_with("::warning file=ep.md,title=chapters-missing::"));
    }

    #[test]
    fn a_fatal_failure_is_an_error_annotation() {
        use crate::error::ErrorKind;
        let mut r = Github::default();
        r.fatal(
            "missing.md",
            &Error::new(ErrorKind::Read, "`missing.md` does not exist").with_help("check the path"),
        );
        assert_eq!(
            r.stdout(),
            "::error file=missing.md,title=fatal::`missing.md` does not exist%0Ahelp: check the path\n"
        );
    }

    #[test]
    fn github_output_shows_controls_and_escapes_properties() {
        let src = Source::new("a,b:c%.md", "x\n");
        let d = Diagnostic::new(
            Code::ChapterDuplicateTitle,
            "`T\u{0}\u{1b}[31m 100%` twice\r\n::error::fake",
        )
        .at(Span::new(0, 1))
        .help("rename\u{202E} one");
        let mut r = Github::default();
        r.file(&src, &[d]);
        let out = r.stdout();
        assert_eq!(out.lines().count(), 1, "{out:?}");
        assert!(
            out.starts_with(
                "::warning file=a%2Cb%3Ac%25.md,line=1,col=1,title=chapter-duplicate-title::"
            ),
            "{out}"
        );
        assert!(
            out.contains(
                "\u{2400}\u{241b}[31m 100%25` twice%0D%0A::error::fake%0Ahelp: rename<U+202E> one"
            ),
            "{out}"
        );
        assert!(!out.trim_end().chars().any(|c| c.is_control()), "{out:?}");
    }
}
