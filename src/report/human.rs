//! rustc-style reports on stderr: the crate's only annotate-snippets
//! renderer, for findings and for library errors (with the source text to
//! show, when an error has one).

use std::fmt::Write as _;

use annotate_snippets::{AnnotationKind, Group, Level, Origin, Renderer, Snippet};

use super::{Report, Totals};
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::error::Error;
use crate::source::Source;
use crate::text;

/// rustc-style diagnostics on stderr, via annotate-snippets.
pub struct Human {
    renderer: Renderer,
    out: String,
    totals: Totals,
    quiet: bool,
    configs: Vec<String>,
    color: bool,
    /// The failures, rendered, printed after the summary.
    fatal: String,
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
            color,
            fatal: String::new(),
        }
    }

    /// Names the show configs applied on the summary line.
    pub fn with_configs(mut self, configs: Vec<String>) -> Self {
        self.configs = configs;
        self
    }
}

fn plural(n: usize, word: &str) -> String {
    format!("{n} {word}{}", if n == 1 { "" } else { "s" })
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

/// Renders findings about one source (as a command other than `check`
/// prints them): each rustc-style, followed by a blank line.
pub fn diagnostics(color: bool, source: &Source, diags: &[Diagnostic]) -> String {
    render_file(&renderer(color), source, diags, OTHER_HINT)
}

fn renderer(color: bool) -> Renderer {
    if color {
        Renderer::styled()
    } else {
        Renderer::plain()
    }
}

/// Renders a library error the one way every command prints a failure:
/// `error: path:line:column: message` (as far as the place is known) and
/// `help: ...`, each line ending in a newline. An error that carries its
/// source text (a template's line) is shown rustc-style instead, with the
/// line and a caret under the spot. Control and invisible characters are
/// shown as visible stand-ins.
pub fn error(color: bool, e: &Error) -> String {
    if e.kind() == crate::error::ErrorKind::Template {
        let mut out = template_error(e, color);
        out.push('\n');
        return out;
    }
    if let Some(snippet) = e.snippet() {
        let mut out = with_snippet(&renderer(color), e, snippet);
        out.push('\n');
        return out;
    }
    let mut out = format!("error: {}\n", text::visible(&e.to_string()));
    if let Some(help) = e.help() {
        let _ = writeln!(out, "help: {}", text::visible(help));
    }
    out
}

/// An error with its source text, rustc-style: the message, the
/// `--> path:line:column`, the line with a caret, and `help:`.
fn with_snippet(renderer: &Renderer, e: &Error, snippet: &crate::error::Snippet) -> String {
    let source = Source::new(e.path().unwrap_or("<input>"), &*snippet.text);
    let text = source.text.as_str();
    let start = floor_char(text, snippet.range.start);
    let end = floor_char(text, snippet.range.end.max(start));
    let pos = source.position(start);
    let (ls, le) = source.line_range(pos.line);
    let raw = &text[ls..le];
    let a = shown_offset(raw, start.clamp(ls, le) - ls);
    let b = shown_offset(raw, end.clamp(ls, le) - ls).max(a);
    let message = text::visible(e.message());
    let name = text::visible(&source.name).into_owned();
    let help = e.help().map(text::visible);
    let shown = text::visible(raw).into_owned();
    let mut group = Level::ERROR.primary_title(message.as_ref()).element(
        Snippet::source(shown.as_str())
            .line_start(pos.line)
            .path(name.as_str())
            .annotation(AnnotationKind::Primary.span(a..b)),
    );
    if let Some(help) = &help {
        group = group.element(Level::HELP.message(help.as_ref()));
    }
    renderer.render(&[group])
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
pub(crate) const SHOWN_PER_CODE: usize = 50;

/// How `check` says to see every finding.
const CHECK_HINT: &str = "use `--format json` for all";

/// How the other commands say to see every finding.
const OTHER_HINT: &str = "`shownotes check --format json` lists them all";

/// Renders one file's findings (already sorted), rustc-style: at most
/// [`SHOWN_PER_CODE`] of each code, then one line per code that had more,
/// `… and N more `code` findings in `file` (HINT)`, where `hint` says how
/// to see them all.
pub(crate) fn render_file(
    renderer: &Renderer,
    source: &Source,
    diags: &[Diagnostic],
    hint: &str,
) -> String {
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
                "\u{2026} and {} more `{code}` findings in `{}` ({hint})\n",
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
            .push_str(&render_file(&self.renderer, source, diags, CHECK_HINT));
    }

    fn fatal(&mut self, _path: &str, e: &Error) {
        self.fatal.push_str(&error(self.color, e));
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
        out.push_str(&std::mem::take(&mut self.fatal));
        out
    }
}

/// A template error rustc-style: `error: MESSAGE`, then the template's line
/// with a caret (the same rendering as [`error`] gives any error with a
/// snippet), or `--> path` when there is no line, then `help: HELP`.
pub fn template_error(e: &Error, color: bool) -> String {
    let renderer = renderer(color);
    if let Some(snippet) = e.snippet() {
        return with_snippet(&renderer, e, snippet);
    }
    let title = Level::ERROR.primary_title(e.message());
    let group = title.element(Origin::path(e.path().unwrap_or_default()));
    let group = match e.help() {
        Some(help) => group.element(Level::HELP.message(help)),
        None => group,
    };
    renderer.render(&[group])
}

/// One finding or failure on one line, without a snippet:
/// `error[CODE]: MESSAGE` (or `warning[CODE]`, or plain `error` without a
/// code), the head in bold red or yellow when `color`. `probe` reports
/// each file it could not read this way, beside its table.
pub fn headline(color: bool, severity: Severity, code: Option<Code>, message: &str) -> String {
    let (word, sgr) = match severity {
        Severity::Error => ("error", "1;31"),
        Severity::Warning => ("warning", "1;33"),
    };
    let head = match code {
        Some(code) => format!("{word}[{code}]"),
        None => word.to_string(),
    };
    let head = if color {
        format!("\x1b[{sgr}m{head}\x1b[0m")
    } else {
        head
    };
    format!("{head}: {}\n", text::visible(message))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::diagnostic::Code;
    use crate::error::ErrorKind;
    use crate::report::tests::sample;
    use crate::source::Span;

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
        let out = render_file(&Renderer::plain(), &src, &diags, CHECK_HINT);
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
    fn an_error_prints_its_place_and_help() {
        let e = Error::new(ErrorKind::Config, "unknown field `titel`")
            .with_path("shownotes.toml")
            .at(3, Some(1))
            .with_help("see `shownotes init`");
        assert_eq!(
            error(false, &e),
            "error: shownotes.toml:3:1: unknown field `titel`\nhelp: see `shownotes init`\n"
        );
        let e = Error::new(ErrorKind::Usage, "give `-o \u{1b}[2J`");
        assert_eq!(error(true, &e), "error: give `-o \u{241b}[2J`\n");
    }

    #[test]
    fn an_error_with_its_source_shows_the_line() {
        let e = Error::new(ErrorKind::Template, "unknown filter `shout`")
            .with_path("spotify.html")
            .with_snippet("<p>\n{{ title | shout }}\n", 13..18)
            .with_help("see the templates section of the README");
        let out = error(false, &e);
        assert!(out.starts_with("error: unknown filter `shout`\n"), "{out}");
        assert!(out.contains("--> spotify.html:2:10"), "{out}");
        assert!(out.contains("{{ title | shout }}"), "{out}");
        assert!(out.contains("^^^^^"), "{out}");
        assert!(out.contains("help: see the templates section"), "{out}");
    }
}
