//! A notes file's bytes to text: UTF-8 with an optional BOM, and where
//! the bytes that are not text stand.

use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Source, Span};

/// Turns a file's bytes into a [`Source`]: UTF-8 with an optional BOM.
/// Bytes that are not UTF-8, or NUL bytes (binary data), give
/// `notes-not-utf8` saying where, with a source to show the spot whose
/// positions are those of the decoded text: a NUL is valid UTF-8 and is
/// kept as it is (one byte; the human renderer shows it as `␀`), and
/// invalid bytes become U+FFFD with a map from file offsets to decoded
/// ones ([`Lossy`]), so the span always covers whole characters.
pub fn decode(name: &str, bytes: &[u8]) -> Result<Source, Box<(Source, Diagnostic)>> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    match std::str::from_utf8(bytes) {
        Ok(text) => match text.find('\0') {
            None => Ok(Source::new(name, text)),
            Some(at) => {
                let src = Source::new(name, text);
                let pos = src.position(at);
                let d = Diagnostic::new(
                    Code::NotesNotUtf8,
                    format!(
                        "the file holds binary data (a NUL byte at line {}, column {}), not text",
                        pos.line, pos.column
                    ),
                )
                .at(Span::new(at, at + 1))
                .label("NUL byte")
                .help("give a UTF-8 text file of show notes");
                Err(Box::new((src, d)))
            }
        },
        Err(e) => {
            let raw_at = e.valid_up_to();
            let bad = bytes[raw_at];
            let lossy = Lossy::decode(bytes);
            let at = lossy.to_decoded(raw_at);
            let src = Source::new(name, lossy.text);
            let end = (at + '\u{FFFD}'.len_utf8()).min(src.text.len());
            let pos = src.position(at);
            let d = Diagnostic::new(
                Code::NotesNotUtf8,
                format!(
                    "the file is not UTF-8: byte `0x{bad:02X}` at line {}, column {}",
                    pos.line, pos.column
                ),
            )
            .at(Span::new(at, end))
            .label("not UTF-8")
            .help("save the file as UTF-8 (most editors offer it under \"Save with encoding\")");
            Err(Box::new((src, d)))
        }
    }
}

/// Bytes decoded as UTF-8 with each invalid sequence replaced by U+FFFD
/// (as `String::from_utf8_lossy` does), and where each replacement stands
/// in the bytes and in the text, to turn byte offsets into text offsets.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Lossy {
    /// The decoded text.
    pub text: String,
    /// `(byte offset, bytes replaced, text offset)` of each U+FFFD written.
    replaced: Vec<(usize, usize, usize)>,
}

impl Lossy {
    /// Decodes `bytes`.
    pub fn decode(bytes: &[u8]) -> Lossy {
        let mut text = String::with_capacity(bytes.len());
        let mut replaced = Vec::new();
        let mut raw = 0;
        for chunk in bytes.utf8_chunks() {
            text.push_str(chunk.valid());
            raw += chunk.valid().len();
            if !chunk.invalid().is_empty() {
                replaced.push((raw, chunk.invalid().len(), text.len()));
                text.push('\u{FFFD}');
                raw += chunk.invalid().len();
            }
        }
        Lossy { text, replaced }
    }

    /// The text offset of byte offset `raw`: a byte inside a replaced
    /// sequence maps to the start of its U+FFFD.
    pub(crate) fn to_decoded(&self, raw: usize) -> usize {
        let i = self.replaced.partition_point(|&(r, _, _)| r <= raw);
        match i.checked_sub(1).map(|j| self.replaced[j]) {
            None => raw.min(self.text.len()),
            Some((r, len, d)) if raw < r + len => d,
            Some((r, len, d)) => (d + '\u{FFFD}'.len_utf8() + (raw - r - len)).min(self.text.len()),
        }
    }
}
