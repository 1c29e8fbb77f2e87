//! The library's one error type: what went wrong, where, and how to fix it.
//!
//! Every fallible library function returns [`Error`]. Messages follow one
//! style: lowercase, the user's values in backticks, no trailing period; a
//! [`help`](Error::help) line says how to fix it. The command line prints
//! an error as `error: MESSAGE`, `--> path:line:column` where known, and
//! `help: HELP`, and exits 2 (could not run).

use std::fmt;
use std::ops::Range;

use crate::diagnostic::Code;

use crate::source::Span;

/// A library result.
pub type Result<T, E = Error> = std::result::Result<T, E>;

/// What kind of failure an [`Error`] is: it decides the diagnostic code a
/// report gives it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorKind {
    /// An input could not be opened or read: missing, permissions, not a
    /// regular file, too large.
    Read,
    /// An input was read, but what it holds can't be used: a chapter file
    /// that does not parse, notes that are not text, a feed that is not RSS.
    Invalid,
    /// The show config (`shownotes.toml`).
    Config,
    /// A template: it does not parse, fails to render, or exceeds a limit.
    Template,
    /// The audio file named does not exist.
    AudioMissing,
    /// The audio file can't be read as audio.
    AudioUnreadable,
    /// Chapters can't be written in the format asked for (it needs what
    /// the input lacks, such as the audio's end).
    Unsupported,
    /// An output could not be written, or writing it was refused (it is an
    /// input, or a file shownotes did not write).
    Write,
    /// The request itself can't be carried out as given: options that
    /// don't go together, an input with nothing to do.
    Usage,
}

impl ErrorKind {
    /// The stable diagnostic code for this kind, where one exists.
    pub fn code(self) -> Option<Code> {
        match self {
            ErrorKind::AudioMissing => Some(Code::AudioMissing),
            ErrorKind::AudioUnreadable => Some(Code::AudioUnreadable),
            _ => None,
        }
    }
}

/// Source text to show under an error (a template's line with a caret).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Snippet {
    /// The whole text the range points into.
    pub text: Box<str>,
    /// The byte range of the error in `text`.
    pub range: Range<usize>,
}

/// A failure that stops the work asked for: what is wrong, where, and how
/// to fix it. One pointer wide, so a `Result` stays small.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error(Box<Inner>);

#[derive(Clone, Debug, PartialEq, Eq)]
struct Inner {
    kind: ErrorKind,
    message: String,
    help: Option<String>,
    path: Option<String>,
    line: Option<usize>,
    column: Option<usize>,
    span: Option<Span>,
    snippet: Option<Box<Snippet>>,
}

impl Error {
    /// An error of `kind` saying `message` (lowercase, values in backticks).
    pub fn new(kind: ErrorKind, message: impl Into<String>) -> Self {
        Error(Box::new(Inner {
            kind,
            message: message.into(),
            help: None,
            path: None,
            line: None,
            column: None,
            span: None,
            snippet: None,
        }))
    }

    /// Adds how to fix it.
    #[must_use]
    pub fn with_help(mut self, help: impl Into<String>) -> Self {
        self.0.help = Some(help.into());
        self
    }

    /// Adds how to fix it, when there is something to say.
    #[must_use]
    pub fn with_help_opt(mut self, help: Option<String>) -> Self {
        if help.is_some() {
            self.0.help = help;
        }
        self
    }

    /// Names the file the error is about (the path as the user gave it, or
    /// `<stdin>`, or `<built-in NAME>` for a built-in template).
    #[must_use]
    pub fn with_path(mut self, path: impl Into<String>) -> Self {
        self.0.path = Some(path.into());
        self
    }

    /// Places the error at a 1-based line and column of its file.
    #[must_use]
    pub fn at(mut self, line: usize, column: Option<usize>) -> Self {
        self.0.line = Some(line);
        self.0.column = column;
        self
    }

    /// Places the error at a byte range of the text it was read from; the
    /// caller that holds the text turns it into a line and column.
    #[must_use]
    pub fn with_span(mut self, span: Span) -> Self {
        self.0.span = Some(span);
        self
    }

    /// Attaches the source text to show under the message.
    #[must_use]
    pub fn with_snippet(mut self, text: impl Into<Box<str>>, range: Range<usize>) -> Self {
        self.0.snippet = Some(Box::new(Snippet {
            text: text.into(),
            range,
        }));
        self
    }

    /// Prefixes the message (`cannot read `x`: ` + message).
    #[must_use]
    pub fn context(mut self, prefix: impl fmt::Display) -> Self {
        self.0.message = format!("{prefix}{}", self.0.message);
        self
    }

    /// What kind of failure this is.
    pub fn kind(&self) -> ErrorKind {
        self.0.kind
    }

    /// The diagnostic code of this failure, where it has one.
    pub fn code(&self) -> Option<Code> {
        self.0.kind.code()
    }

    /// What is wrong.
    pub fn message(&self) -> &str {
        &self.0.message
    }

    /// How to fix it.
    pub fn help(&self) -> Option<&str> {
        self.0.help.as_deref()
    }

    /// The file it is about.
    pub fn path(&self) -> Option<&str> {
        self.0.path.as_deref()
    }

    /// The 1-based line, when known.
    pub fn line(&self) -> Option<usize> {
        self.0.line
    }

    /// The 1-based column (in characters), when known.
    pub fn column(&self) -> Option<usize> {
        self.0.column
    }

    /// The byte range in the input text, when known and not yet placed.
    pub fn span(&self) -> Option<Span> {
        self.0.span
    }

    /// The source text to show, when there is one.
    pub fn snippet(&self) -> Option<&Snippet> {
        self.0.snippet.as_deref()
    }

    /// `path:line:column`, as far as it is known.
    pub fn location(&self) -> Option<String> {
        let path = self.0.path.as_deref()?;
        Some(match (self.0.line, self.0.column) {
            (Some(l), Some(c)) => format!("{path}:{l}:{c}"),
            (Some(l), None) => format!("{path}:{l}"),
            _ => path.to_string(),
        })
    }
}

impl fmt::Display for Error {
    /// `path:line:column: message` (as far as the place is known).
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self.location() {
            Some(at) => write!(f, "{at}: {}", self.0.message),
            None => f.write_str(&self.0.message),
        }
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn displays_its_place_as_far_as_known() {
        let e = Error::new(ErrorKind::Config, "unknown key `titel`");
        assert_eq!(e.to_string(), "unknown key `titel`");
        let e = e.with_path("shownotes.toml");
        assert_eq!(e.to_string(), "shownotes.toml: unknown key `titel`");
        let e = e.at(3, Some(1)).with_help("did you mean `title`?");
        assert_eq!(e.to_string(), "shownotes.toml:3:1: unknown key `titel`");
        assert_eq!(e.help(), Some("did you mean `title`?"));
        assert_eq!(e.code(), None);
    }

    #[test]
    fn audio_kinds_carry_their_codes() {
        let e = Error::new(ErrorKind::AudioMissing, "audio file `a.mp3` does not exist");
        assert_eq!(e.code(), Some(Code::AudioMissing));
        assert_eq!(
            Error::new(ErrorKind::AudioUnreadable, "x").code(),
            Some(Code::AudioUnreadable)
        );
    }
}
