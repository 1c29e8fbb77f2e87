//! Findings about the user's input: stable codes, severities, and where in
//! the source they apply.

use std::fmt;

/// A byte range in a source text.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Span {
    /// Byte offset of the first byte.
    pub start: usize,
    /// Byte offset one past the last byte.
    pub end: usize,
}

impl Span {
    /// The range `start..end`.
    pub const fn new(start: usize, end: usize) -> Self {
        Span { start, end }
    }

    /// The span shifted right by `by` bytes.
    pub const fn shift(self, by: usize) -> Self {
        Span {
            start: self.start + by,
            end: self.end + by,
        }
    }
}

/// A 1-based line and column (the column counts characters, not bytes).
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, serde::Serialize)]
pub struct Position {
    pub line: usize,
    pub column: usize,
}

/// A source text with a line index, to turn byte offsets into lines and columns.
#[derive(Clone, Debug)]
pub struct Source {
    /// The name shown to the user: the path as given, or `<stdin>`.
    pub name: String,
    /// The text (after BOM removal; CRLF kept, and a lone CR — old Mac
    /// line ends — read as LF, byte for byte, so offsets match the file).
    pub text: String,
    line_starts: Vec<usize>,
    /// How many characters stand before each [`CHAR_MARK`]-th byte
    /// (floored to a character boundary): built on the first column asked
    /// on a long line, so a column costs at most that many bytes to count
    /// (thousands of findings on one long line would otherwise count the
    /// line from its start each time).
    char_marks: std::sync::OnceLock<Vec<usize>>,
}

/// The distance in bytes between two [`Source`] character marks.
const CHAR_MARK: usize = 4096;

fn floor_boundary(text: &str, mut at: usize) -> usize {
    while !text.is_char_boundary(at) {
        at -= 1;
    }
    at
}

impl Source {
    /// Indexes `text` under the display name `name`.
    pub fn new(name: impl Into<String>, text: impl Into<String>) -> Self {
        let text = lone_cr_to_lf(text.into());
        let mut line_starts = vec![0];
        line_starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        Source {
            name: name.into(),
            text,
            line_starts,
            char_marks: std::sync::OnceLock::new(),
        }
    }

    /// The number of characters before byte `at` (a character boundary).
    fn chars_before(&self, at: usize) -> usize {
        let marks = self.char_marks.get_or_init(|| {
            let mut marks = Vec::with_capacity(self.text.len() / CHAR_MARK + 1);
            let (mut from, mut count) = (0, 0);
            for k in 0..=self.text.len() / CHAR_MARK {
                let to = floor_boundary(&self.text, k * CHAR_MARK);
                count += self.text[from..to].chars().count();
                marks.push(count);
                from = to;
            }
            marks
        });
        let k = at / CHAR_MARK;
        let from = floor_boundary(&self.text, k * CHAR_MARK);
        marks[k] + self.text[from..at].chars().count()
    }

    /// The line and column of a byte offset (clamped to the text).
    pub fn position(&self, offset: usize) -> Position {
        let offset = offset.min(self.text.len());
        let line = self.line_starts.partition_point(|&s| s <= offset) - 1;
        let start = self.line_starts[line];
        let end = floor_boundary(&self.text, offset);
        let chars = if end - start <= CHAR_MARK {
            self.text[start..end].chars().count()
        } else {
            self.chars_before(end) - self.chars_before(start)
        };
        Position {
            line: line + 1,
            column: chars + 1,
        }
    }

    /// The 1-based line number's text, without its line end.
    pub fn line_text(&self, line: usize) -> &str {
        let (start, end) = self.line_range(line);
        &self.text[start..end]
    }

    /// Byte range of the 1-based line, without its line end.
    pub fn line_range(&self, line: usize) -> (usize, usize) {
        let i = line.saturating_sub(1).min(self.line_starts.len() - 1);
        let start = self.line_starts[i];
        let mut end = self
            .line_starts
            .get(i + 1)
            .map_or(self.text.len(), |&n| n - 1);
        if end > start && self.text.as_bytes()[end - 1] == b'\r' {
            end -= 1;
        }
        (start, end)
    }
}

/// A carriage return not followed by a line feed (the line end of classic
/// Mac OS and some exporters) becomes a line feed, so every reader sees
/// the line breaks the user sees. One byte for one: offsets, lines and
/// columns still match the file. CRLF stays as it is.
pub fn lone_cr_to_lf(text: String) -> String {
    let b = text.as_bytes();
    if !b
        .iter()
        .enumerate()
        .any(|(i, &c)| c == b'\r' && b.get(i + 1) != Some(&b'\n'))
    {
        return text;
    }
    let mut bytes = text.into_bytes();
    for i in 0..bytes.len() {
        if bytes[i] == b'\r' && bytes.get(i + 1) != Some(&b'\n') {
            bytes[i] = b'\n';
        }
    }
    // Only ASCII bytes changed, for ASCII bytes: still UTF-8.
    String::from_utf8(bytes).unwrap_or_else(|e| String::from_utf8_lossy(e.as_bytes()).into_owned())
}

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Warning,
    Error,
}

impl fmt::Display for Severity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        })
    }
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident;)*) => {
        /// A stable diagnostic code (DESIGN.md "Diagnostics"): never renamed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $($variant,)* }

        impl Code {
            /// Every code, in the order of DESIGN.md.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users, scripts and CI see it.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The severity the code has unless a rule says otherwise.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }
        }
    };
}

codes! {
    NotesEmpty = "notes-empty", Error;
    NotesNotUtf8 = "notes-not-utf8", Error;
    FrontMatterInvalid = "front-matter-invalid", Error;
    NotesFlattened = "notes-flattened", Warning;
    ChaptersMissing = "chapters-missing", Warning;
    ChapterBadTimestamp = "chapter-bad-timestamp", Error;
    ChapterOutOfOrder = "chapter-out-of-order", Error;
    ChapterDuplicateStart = "chapter-duplicate-start", Error;
    ChapterFirstNotZero = "chapter-first-not-zero", Error;
    ChapterTooFew = "chapter-too-few", Error;
    ChapterTooShort = "chapter-too-short", Error;
    ChapterPastEnd = "chapter-past-end", Error;
    ChapterTitleEmpty = "chapter-title-empty", Error;
    ChapterTitleTooLong = "chapter-title-too-long", Warning;
    ChapterDuplicateTitle = "chapter-duplicate-title", Warning;
    ChaptersUnsorted = "chapters-unsorted", Warning;
    ChaptersTimebaseMissing = "chapters-timebase-missing", Warning;
    ChaptersInvalid = "chapters-invalid", Error;
    LinkInvalid = "link-invalid", Error;
    LinkUnsafeScheme = "link-unsafe-scheme", Error;
    LinkInsecure = "link-insecure", Warning;
    LinkDuplicate = "link-duplicate", Warning;
    LinkTracking = "link-tracking", Warning;
    LinkNoDescription = "link-no-description", Warning;
    AudioMissing = "audio-missing", Error;
    AudioUnreadable = "audio-unreadable", Error;
    AudioDurationEstimated = "audio-duration-estimated", Warning;
    AudioHeaderMismatch = "audio-header-mismatch", Warning;
    DescriptionTooLong = "description-too-long", Error;
    DescriptionForbiddenChar = "description-forbidden-char", Warning;
    DescriptionForbiddenTag = "description-forbidden-tag", Error;
    TextInvisibleChar = "text-invisible-char", Warning;
}

impl fmt::Display for Code {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// One finding: a code, a message with the user's values in backticks,
/// where it applies, and how to fix it when there is a fix.
#[derive(Clone, Debug, PartialEq)]
pub struct Diagnostic {
    pub code: Code,
    pub severity: Severity,
    pub message: String,
    /// Where in the source; `None` for findings about the file as a whole.
    pub span: Option<Span>,
    /// A label shown at the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The platform a rule belongs to, for platform-specific findings.
    pub platform: Option<&'static str>,
}

impl Diagnostic {
    /// A finding with the code's own severity.
    pub fn new(code: Code, message: impl Into<String>) -> Self {
        Diagnostic {
            code,
            severity: code.severity(),
            message: message.into(),
            span: None,
            label: None,
            help: None,
            platform: None,
        }
    }

    /// Points the finding at `span`.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Points the finding at `span` when there is one.
    pub fn at_opt(mut self, span: Option<Span>) -> Self {
        self.span = span;
        self
    }

    /// Adds the label shown at the caret.
    pub fn label(mut self, label: impl Into<String>) -> Self {
        self.label = Some(label.into());
        self
    }

    /// Adds the `help:` line.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }

    /// Ties the finding to a platform's rule.
    pub fn platform(mut self, platform: &'static str) -> Self {
        self.platform = Some(platform);
        self
    }

    /// Whether the finding is an error.
    pub fn is_error(&self) -> bool {
        self.severity == Severity::Error
    }
}

/// An I/O error's reason as a lowercase phrase without the `(os error N)`
/// suffix: `no such file or directory`.
pub fn io_reason(e: &std::io::Error) -> String {
    if e.kind() == std::io::ErrorKind::UnexpectedEof {
        return "the file ends too early".into();
    }
    let s = e.to_string();
    let s = s.split(" (os error").next().unwrap_or(&s);
    let mut chars = s.chars();
    chars
        .next()
        .map(|c| c.to_lowercase().chain(chars).collect())
        .unwrap_or_default()
}

/// Sorts findings by place, then by code, so output is stable.
pub fn sort(diags: &mut [Diagnostic]) {
    let key = |d: &Diagnostic| (d.span.map(|s| s.start), d.span.map(|s| s.end));
    // Findings in order already cost one look each; others are sorted by
    // their keys and then moved once each (a stable sort of the findings
    // themselves moves each of them many times, and a front matter of
    // generated keys yields tens of thousands).
    if diags.windows(2).all(|w| key(&w[0]) <= key(&w[1])) {
        return;
    }
    diags.sort_by_cached_key(key);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn positions_count_lines_and_characters() {
        let src = Source::new("n.md", "ab\r\ncé d\nlast");
        assert_eq!(src.position(0), Position { line: 1, column: 1 });
        assert_eq!(src.position(4), Position { line: 2, column: 1 });
        // `d` is after `c`, `é` (two bytes) and a space.
        assert_eq!(src.position(8), Position { line: 2, column: 4 });
        assert_eq!(src.position(100), Position { line: 3, column: 5 });
        assert_eq!(src.line_text(1), "ab");
        assert_eq!(src.line_text(2), "cé d");
        assert_eq!(src.line_text(3), "last");
    }

    #[test]
    fn a_lone_cr_is_a_line_break() {
        let src = Source::new("n.md", "a\rb\r\nc\r\rd\r");
        assert_eq!(src.text, "a\nb\r\nc\n\nd\n");
        assert_eq!(src.position(2), Position { line: 2, column: 1 });
        assert_eq!(src.line_text(2), "b");
        assert_eq!(src.line_text(3), "c");
        assert_eq!(src.line_text(5), "d");
        assert_eq!(src.position(8), Position { line: 5, column: 1 });
    }

    #[test]
    fn columns_on_long_lines_count_characters() {
        // Lines longer than the distance between marks, with multi-byte
        // characters across the marks, against counting from the start.
        let mut text = String::from("short\n");
        for i in 0..3 * CHAR_MARK {
            text.push(if i % 7 == 0 { 'é' } else { 'a' });
            if i % 5000 == 4999 {
                text.push('\n');
            }
        }
        text.push_str("€x");
        let src = Source::new("n.md", text.clone());
        for offset in (0..text.len() + 2).step_by(97).chain([text.len() - 1]) {
            let end = floor_boundary(&text, offset.min(text.len()));
            let line_start = text[..end].rfind('\n').map_or(0, |i| i + 1);
            let want = Position {
                line: text[..end].matches('\n').count() + 1,
                column: text[line_start..end].chars().count() + 1,
            };
            assert_eq!(src.position(offset), want, "offset {offset}");
        }
    }

    #[test]
    fn sorting_is_stable_by_place() {
        let d = |code, span: Option<(usize, usize)>| {
            Diagnostic::new(code, "x").at_opt(span.map(|(s, e)| Span::new(s, e)))
        };
        let mut v = vec![
            d(Code::LinkInsecure, Some((5, 9))),
            d(Code::LinkTracking, Some((5, 9))),
            d(Code::ChaptersMissing, None),
            d(Code::LinkDuplicate, Some((1, 2))),
            d(Code::LinkInvalid, Some((5, 7))),
            d(Code::NotesEmpty, None),
        ];
        sort(&mut v);
        let codes: Vec<Code> = v.iter().map(|d| d.code).collect();
        assert_eq!(
            codes,
            [
                Code::ChaptersMissing,
                Code::NotesEmpty,
                Code::LinkDuplicate,
                Code::LinkInvalid,
                Code::LinkInsecure,
                Code::LinkTracking
            ]
        );
    }

    #[test]
    fn codes_are_unique_and_kebab_case() {
        let mut names: Vec<_> = Code::ALL.iter().map(|c| c.as_str()).collect();
        assert!(names.iter().all(|n| n
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b == b'-' || b.is_ascii_digit())));
        names.sort();
        names.dedup();
        assert_eq!(names.len(), Code::ALL.len());
    }
}
