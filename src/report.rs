//! Reporting findings: one implementation of [`Report`] per output format
//! (human rustc-style, JSON, GitHub Actions workflow commands).

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};
use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic, Severity, Source};
use crate::text;

/// Collects the findings of every file checked, then renders them.
pub trait Report {
    /// Adds one file's findings (already sorted).
    fn file(&mut self, source: &Source, diags: &[Diagnostic]);
    /// What goes to stdout at the end (JSON, workflow commands), if anything.
    fn stdout(&mut self) -> String;
    /// What goes to stderr (rendered diagnostics, the summary), if anything.
    fn stderr(&mut self) -> String;
}

/// Totals over every file.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Totals {
    pub errors: usize,
    pub warnings: usize,
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

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
}

/// rustc-style diagnostics on stderr, via annotate-snippets.
pub struct Human {
    renderer: Renderer,
    out: String,
    totals: Totals,
    quiet: bool,
    configs: Vec<String>,
}

impl Human {
    /// A human report, coloured or not; `quiet` drops the summary line.
    pub fn new(color: bool, quiet: bool) -> Self {
        let renderer = if color {
            Renderer::styled()
        } else {
            Renderer::plain()
        };
        Human {
            renderer,
            out: String::new(),
            totals: Totals::default(),
            quiet,
            configs: Vec::new(),
        }
    }

    /// Names the show configs applied on the summary line.
    pub fn with_configs(mut self, configs: Vec<String>) -> Self {
        self.configs = configs;
        self
    }
}

/// How many bytes of context a long line shows on each side of the spot.
const WINDOW: usize = 80;

fn floor_char(text: &str, at: usize) -> usize {
    let mut at = at.min(text.len());
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

/// Where byte offset `at` of `line` lands once every control and
/// invisible character is replaced by its stand-in.
fn shown_offset(line: &str, at: usize) -> usize {
    line.char_indices()
        .take_while(|&(i, _)| i < at)
        .map(|(_, c)| text::stand_in(c).map_or(c.len_utf8(), |r| r.len()))
        .sum()
}

/// Renders one diagnostic the way rustc does: the code and message, the
/// path:line:column, the source line with a caret, and `help:`.
///
/// It cannot panic on any source or span: the span is clamped to the text
/// and to character boundaries, and every control and invisible character
/// of the line, the message, the label, the help and the path is shown as
/// a visible stand-in (`␀`, `␛`, `<U+202E>`), so nothing in a file can
/// drive the terminal or reorder what is shown.
pub fn render(renderer: &Renderer, source: &Source, d: &Diagnostic) -> String {
    let level = match d.severity {
        Severity::Error => Level::ERROR,
        Severity::Warning => Level::WARNING,
    };
    // In the message a tab is shown too: it may be what is wrong.
    let mut message = text::visible(&d.message).replace('\t', "\u{2409}");
    if let Some(p) = d.platform {
        message.push_str(&format!(" ({p})"));
    }
    let name = text::visible(&source.name).into_owned();
    let label = d.label.as_deref().map(text::visible);
    let help = d.help.as_deref().map(text::visible);
    let title = level.primary_title(message.as_str()).id(d.code.as_str());
    let mut arrow = None;
    let mut group: Group<'_> = match d.span {
        Some(span) => {
            let text = source.text.as_str();
            let start = floor_char(text, span.start);
            let end = floor_char(text, span.end.max(start));
            let pos = source.position(start);
            let (mut ls, mut le) = source.line_range(pos.line);
            // A very long line (flattened notes) is shown as a window around
            // the spot: rendering the whole line for every finding would
            // cost the line's length each time. The header keeps the true
            // line and column.
            let windowed = le - ls > WINDOW * 3;
            let (mut before, mut after) = ("", "");
            if windowed {
                let (full_s, full_e) = (ls, le);
                ls = floor_char(text, start.saturating_sub(WINDOW).max(ls));
                le = floor_char(text, (end + WINDOW).min(le)).max(ls);
                if ls > full_s {
                    before = "...";
                }
                if le < full_e {
                    after = "...";
                }
            }
            let raw = &text[ls..le];
            let shown = text::visible(raw);
            let a = shown_offset(raw, start.clamp(ls, le) - ls);
            let b = shown_offset(raw, end.clamp(ls, le) - ls).max(a);
            let line = format!("{before}{shown}{after}");
            let mut ann = AnnotationKind::Primary.span(before.len() + a..before.len() + b);
            if let Some(label) = &label {
                ann = ann.label(label.as_ref());
            }
            let snippet = Snippet::source(line).line_start(pos.line).annotation(ann);
            if windowed {
                // Without a path, annotate-snippets omits the `-->` line
                // (it would give the window's column); it is added below.
                arrow = Some(format!(
                    "{}--> {}:{}:{}",
                    " ".repeat(pos.line.to_string().len()),
                    name,
                    pos.line,
                    pos.column
                ));
                title.element(snippet)
            } else {
                title.element(snippet.path(name.as_str()))
            }
        }
        None => title.element(Origin::path(name.as_str())),
    };
    if let Some(help) = &help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    let out = renderer.render(&[group]);
    match (arrow, out.split_once('\n')) {
        (Some(arrow), Some((head, rest))) => format!("{head}\n{arrow}\n{rest}"),
        _ => out,
    }
}

/// The most findings of one code the human report shows for one file.
///
/// A flood of one finding (a pasted list of 40,000 `http://` links, a
/// front matter of generated keys) would otherwise print some 2 KB per
/// finding — 18 MB of report per MB of notes — that nobody reads, and
/// rendering it would cost more than checking. Past this many, the human
/// report says how many more there are; the totals, the exit status and
/// the machine formats (`--format json`, `--format github`) keep every
/// finding.
pub const SHOWN_PER_CODE: usize = 50;

/// Renders one file's findings (already sorted), rustc-style: at most
/// [`SHOWN_PER_CODE`] of each code, then one line per code that had more,
/// `… and N more `code` findings in `file` (use `--format json` for all)`.
pub fn render_file(renderer: &Renderer, source: &Source, diags: &[Diagnostic]) -> String {
    let mut out = String::new();
    // Codes in the order first seen, with how many findings each had: a
    // file has a handful of codes, so a short list beats a map.
    let mut seen: Vec<(Code, usize)> = Vec::new();
    for d in diags {
        let n = match seen.iter_mut().find(|(c, _)| *c == d.code) {
            Some((_, n)) => {
                *n += 1;
                *n
            }
            None => {
                seen.push((d.code, 1));
                1
            }
        };
        if n <= SHOWN_PER_CODE {
            let _ = writeln!(out, "{}\n", render(renderer, source, d));
        }
    }
    for (code, n) in seen {
        if n > SHOWN_PER_CODE {
            let _ = writeln!(
                out,
                "\u{2026} and {} more `{code}` findings in `{}` (use `--format json` for all)\n",
                n - SHOWN_PER_CODE,
                text::visible(&source.name)
            );
        }
    }
    out
}

impl Report for Human {
    fn file(&mut self, source: &Source, diags: &[Diagnostic]) {
        self.totals.add(diags);
        self.out
            .push_str(&render_file(&self.renderer, source, diags));
    }

    fn stdout(&mut self) -> String {
        String::new()
    }

    fn stderr(&mut self) -> String {
        let mut out = std::mem::take(&mut self.out);
        if !self.quiet {
            let t = self.totals;
            let _ = write!(
                out,
                "checked {}: {}, {}",
                plural(t.files, "file"),
                plural(t.errors, "error"),
                plural(t.warnings, "warning")
            );
            match self.configs.as_slice() {
                [] => {}
                [one] => {
                    let _ = write!(out, " (config: {one})");
                }
                many => {
                    let _ = write!(out, " (configs: {})", many.join(", "));
                }
            }
            out.push('\n');
        }
        out
    }
}

/// `check --format json` (DESIGN.md "JSON shapes").
#[derive(Default)]
pub struct Json {
    files: Vec<JsonFile>,
    totals: Totals,
}

#[derive(Serialize)]
struct JsonFile {
    path: String,
    diagnostics: Vec<JsonDiagnostic>,
}

#[derive(Serialize)]
struct JsonDiagnostic {
    code: &'static str,
    severity: Severity,
    message: String,
    line: Option<usize>,
    column: Option<usize>,
    platform: Option<&'static str>,
}

impl Report for Json {
    fn file(&mut self, source: &Source, diags: &[Diagnostic]) {
        self.totals.add(diags);
        self.files.push(JsonFile {
            path: source.name.clone(),
            diagnostics: diags
                .iter()
                .map(|d| {
                    let pos = d.span.map(|s| source.position(s.start));
                    JsonDiagnostic {
                        code: d.code.as_str(),
                        severity: d.severity,
                        message: d.message.clone(),
                        line: pos.map(|p| p.line),
                        column: pos.map(|p| p.column),
                        platform: d.platform,
                    }
                })
                .collect(),
        });
    }

    fn stdout(&mut self) -> String {
        #[derive(Serialize)]
        struct Out<'a> {
            files: &'a [JsonFile],
            errors: usize,
            warnings: usize,
        }
        let out = Out {
            files: &self.files,
            errors: self.totals.errors,
            warnings: self.totals.warnings,
        };
        let mut s = serde_json::to_string_pretty(&out).unwrap_or_default();
        s.push('\n');
        s
    }

    fn stderr(&mut self) -> String {
        String::new()
    }
}

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

    fn stdout(&mut self) -> String {
        std::mem::take(&mut self.out)
    }

    fn stderr(&mut self) -> String {
        String::new()
    }
}

// `render_error_snippet` (below) joins the human renderer when report.rs
// is split; until then it follows the tests.
#[allow(clippy::items_after_test_module)]
#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Span;

    fn sample() -> (Source, Vec<Diagnostic>) {
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

    #[test]
    fn human_output_is_rustc_style() {
        let (src, d) = sample();
        let mut r = Human::new(false, false);
        r.file(&src, &d);
        let out = r.stderr();
        assert!(
            out.contains("error[chapter-bad-timestamp]: `00:75` is not a valid timestamp"),
            "{out}"
        );
        assert!(out.contains("--> ep.md:3:1"), "{out}");
        assert!(out.contains("00:75 Bad, stamp"), "{out}");
        assert!(out.contains("^^^^^ bad timestamp"), "{out}");
        assert!(out.contains("help: write `MM:SS`"), "{out}");
        assert!(out.contains("checked 1 file: 1 error, 1 warning"), "{out}");
    }

    #[test]
    fn a_flood_of_one_code_is_shown_in_part() {
        let src = Source::new("n.md", "x ".repeat(200));
        let diags: Vec<Diagnostic> = (0..120)
            .map(|i| {
                let code = if i % 3 == 0 {
                    Code::LinkTracking
                } else {
                    Code::LinkInsecure
                };
                Diagnostic::new(code, format!("finding {i}")).at(Span::new(i, i + 1))
            })
            .collect();
        let out = render_file(&Renderer::plain(), &src, &diags);
        // 40 `link-tracking` (all shown), 80 `link-insecure` (50 shown).
        assert_eq!(out.matches("warning[link-tracking]").count(), 40, "{out}");
        assert_eq!(out.matches("warning[link-insecure]").count(), 50, "{out}");
        assert!(out.contains("finding 74\n"), "{out}");
        assert!(!out.contains("finding 76\n"), "{out}");
        assert!(out.trim_end().ends_with(
            "\u{2026} and 30 more `link-insecure` findings in `n.md` (use `--format json` for all)"
        ));
        assert!(!out.contains("more `link-tracking`"), "{out}");
        let mut r = Human::new(false, false);
        r.file(&src, &diags);
        assert!(r
            .stderr()
            .ends_with("checked 1 file: 0 errors, 120 warnings\n"));
    }

    #[test]
    fn the_summary_names_the_configs_applied() {
        let (src, d) = sample();
        let summary = |configs: &[&str]| {
            let mut r = Human::new(false, false)
                .with_configs(configs.iter().map(|c| c.to_string()).collect());
            r.file(&src, &d);
            r.stderr().lines().last().unwrap().to_string()
        };
        assert_eq!(summary(&[]), "checked 1 file: 1 error, 1 warning");
        assert_eq!(
            summary(&["shownotes.toml"]),
            "checked 1 file: 1 error, 1 warning (config: shownotes.toml)"
        );
        assert_eq!(
            summary(&["a/shownotes.toml", "b/shownotes.toml"]),
            "checked 1 file: 1 error, 1 warning (configs: a/shownotes.toml, b/shownotes.toml)"
        );
    }

    #[test]
    fn human_output_never_panics_and_shows_controls() {
        let src = Source::new("e\u{1b}[31mvil.md", "a\0b\u{202E}c\u{1b}[2J é\tx\r\nnext\n");
        let r = Renderer::plain();
        // Spans off the end, inside a character, reversed, on the CR.
        for (s, e) in [
            (0, 1),
            (1, 2),
            (3, 4),
            (4, 5),
            (2, 99),
            (99, 120),
            (9, 3),
            (15, 16),
        ] {
            let d = Diagnostic::new(crate::diagnostic::Code::NotesNotUtf8, "bad \u{7} `x\ny`")
                .at(Span::new(s, e))
                .label("here\u{0}")
                .help("fix \u{9b}it");
            let out = render(&r, &src, &d);
            assert!(
                !out.chars()
                    .any(|c| (c.is_control() && c != '\n') || crate::text::is_invisible(c)),
                "{out:?}"
            );
        }
        let d = Diagnostic::new(crate::diagnostic::Code::NotesNotUtf8, "x").at(Span::new(1, 2));
        let out = render(&r, &src, &d);
        assert!(out.contains("a\u{2400}b<U+202E>c\u{241b}[2J"), "{out}");
        assert!(out.contains("-->"), "{out}");
        assert!(
            out.contains("\n  |  ^"),
            "the caret is under the NUL: {out}"
        );
    }

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

    #[test]
    fn json_output_has_the_documented_shape() {
        let (src, d) = sample();
        let mut r = Json::default();
        r.file(&src, &d);
        let v: serde_json::Value = serde_json::from_str(&r.stdout()).unwrap();
        assert_eq!(v["errors"], 1);
        assert_eq!(v["warnings"], 1);
        let d0 = &v["files"][0]["diagnostics"][0];
        assert_eq!(v["files"][0]["path"], "ep.md");
        assert_eq!(d0["code"], "chapter-bad-timestamp");
        assert_eq!(d0["severity"], "error");
        assert_eq!(d0["line"], 3);
        assert_eq!(d0["column"], 1);
        assert_eq!(d0["platform"], serde_json::Value::Null);
    }
}

/// An error rustc-style: `error: MESSAGE`, `--> path:line` with the line
/// and a caret under its range when the error carries a snippet, else
/// `--> path`, then `help: HELP`. Template errors are printed this way.
pub fn render_error_snippet(e: &crate::error::Error, color: bool) -> String {
    let renderer = if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    };
    let path = e.path().unwrap_or_default();
    let title = Level::ERROR.primary_title(e.message());
    let group = match (e.snippet(), e.line()) {
        (Some(snip), Some(line)) => {
            let src = &*snip.text;
            let (ls, le) = Source::new(path, src).line_range(line);
            let r = &snip.range;
            let (start, end) = if r.start >= ls && r.start <= le {
                (r.start, r.end.clamp(r.start, le))
            } else {
                (ls, le)
            };
            let snippet = Snippet::source(&src[ls..le])
                .line_start(line)
                .path(path)
                .annotation(AnnotationKind::Primary.span(start - ls..end - ls));
            title.element(snippet)
        }
        _ => title.element(Origin::path(path)),
    };
    let group = match e.help() {
        Some(help) => group.element(Level::HELP.message(help)),
        None => group,
    };
    renderer.render(&[group])
}
