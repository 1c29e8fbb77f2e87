//! Source texts: byte spans, line and column positions, and the index
//! that turns one into the other.

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
    /// The line, from 1.
    pub line: usize,
    /// The column in characters, from 1.
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
        line_starts.extend(memchr::memchr_iter(b'\n', text.as_bytes()).map(|i| i + 1));
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
    pub(crate) fn line_text(&self, line: usize) -> &str {
        let (start, end) = self.line_range(line);
        &self.text[start..end]
    }

    /// Byte range of the 1-based line, without its line end.
    pub(crate) fn line_range(&self, line: usize) -> (usize, usize) {
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
pub(crate) fn lone_cr_to_lf(text: String) -> String {
    let b = text.as_bytes();
    // Most files have no CR at all: a `memchr` scan says so.
    if !b.contains(&b'\r')
        || !b
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
}
