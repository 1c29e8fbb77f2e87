//! Findings about the user's input: stable codes, severities, and where in
//! the source they apply.

use std::fmt;

use crate::source::Span;

/// How bad a finding is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Worth a look; fails the run only under `--strict`.
    Warning,
    /// Must be fixed; the run fails.
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

/// What a finding is about: the families of codes, named by the word each
/// code starts with (`chapter-…` and `chapters-…` are one family).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Family {
    /// The notes file as a whole (`notes-…`).
    Notes,
    /// The front matter (`front-matter-…`).
    FrontMatter,
    /// Chapters (`chapter-…`, `chapters-…`).
    Chapters,
    /// Links (`link-…`).
    Link,
    /// The audio (`audio-…`).
    Audio,
    /// A platform's description (`description-…`).
    Description,
    /// Characters in the text (`text-…`).
    Text,
    /// An RSS item (`rss-…`).
    Rss,
    /// A whole feed's channel and items (`feed-…`).
    Feed,
}

macro_rules! codes {
    ($($variant:ident = $name:literal, $severity:ident, $family:ident;)*) => {
        /// A stable diagnostic code (listed in the README): never renamed.
        #[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
        pub enum Code { $(#[doc = concat!("`", $name, "` (see docs/diagnostics.md).")] $variant,)* }

        impl Code {
            /// Every code, grouped by family.
            pub const ALL: &'static [Code] = &[$(Code::$variant,)*];

            /// The code as users, scripts and CI see it.
            pub const fn as_str(self) -> &'static str {
                match self { $(Code::$variant => $name,)* }
            }

            /// The code named `name` (`link-insecure`), if there is one.
            pub fn from_name(name: &str) -> Option<Code> {
                match name { $($name => Some(Code::$variant),)* _ => None }
            }

            /// The severity the code has unless a rule says otherwise.
            pub const fn severity(self) -> Severity {
                match self { $(Code::$variant => Severity::$severity,)* }
            }

            /// Whether the finding means an input could not be read at all
            /// (notes that are not text, a chapter file that does not
            /// parse, audio missing or unreadable): the command could not
            /// do its work, and exits 2 whatever else it found.
            pub const fn unreadable(self) -> bool {
                matches!(
                    self,
                    Code::NotesNotUtf8
                        | Code::ChaptersInvalid
                        | Code::AudioMissing
                        | Code::AudioUnreadable
                )
            }

            /// What the code is about (the word its name starts with).
            pub const fn family(self) -> Family {
                match self { $(Code::$variant => Family::$family,)* }
            }
        }
    };
}

codes! {
    NotesEmpty = "notes-empty", Error, Notes;
    NotesNotUtf8 = "notes-not-utf8", Error, Notes;
    FrontMatterInvalid = "front-matter-invalid", Error, FrontMatter;
    NotesFlattened = "notes-flattened", Warning, Notes;
    NotesDisableUnknown = "notes-disable-unknown", Warning, Notes;
    ChaptersMissing = "chapters-missing", Warning, Chapters;
    ChapterBadTimestamp = "chapter-bad-timestamp", Error, Chapters;
    ChapterOutOfOrder = "chapter-out-of-order", Error, Chapters;
    ChapterDuplicateStart = "chapter-duplicate-start", Error, Chapters;
    ChapterFirstNotZero = "chapter-first-not-zero", Error, Chapters;
    ChapterTooFew = "chapter-too-few", Error, Chapters;
    ChapterTooShort = "chapter-too-short", Error, Chapters;
    ChapterPastEnd = "chapter-past-end", Error, Chapters;
    ChapterTitleEmpty = "chapter-title-empty", Error, Chapters;
    ChapterTitleTooLong = "chapter-title-too-long", Warning, Chapters;
    ChapterDuplicateTitle = "chapter-duplicate-title", Warning, Chapters;
    ChaptersUnsorted = "chapters-unsorted", Warning, Chapters;
    ChaptersTimebaseMissing = "chapters-timebase-missing", Warning, Chapters;
    ChaptersInvalid = "chapters-invalid", Error, Chapters;
    LinkInvalid = "link-invalid", Error, Link;
    LinkUnsafeScheme = "link-unsafe-scheme", Error, Link;
    LinkInsecure = "link-insecure", Warning, Link;
    LinkDuplicate = "link-duplicate", Warning, Link;
    LinkTracking = "link-tracking", Warning, Link;
    LinkNoDescription = "link-no-description", Warning, Link;
    LinkBroken = "link-broken", Error, Link;
    LinkRedirected = "link-redirected", Warning, Link;
    LinkUnreachable = "link-unreachable", Warning, Link;
    AudioMissing = "audio-missing", Error, Audio;
    AudioUnreadable = "audio-unreadable", Error, Audio;
    AudioDurationEstimated = "audio-duration-estimated", Warning, Audio;
    AudioHeaderMismatch = "audio-header-mismatch", Warning, Audio;
    DescriptionTooLong = "description-too-long", Error, Description;
    DescriptionForbiddenChar = "description-forbidden-char", Warning, Description;
    DescriptionForbiddenTag = "description-forbidden-tag", Error, Description;
    TextInvisibleChar = "text-invisible-char", Warning, Text;
    RssGuidMissing = "rss-guid-missing", Error, Rss;
    RssDateMissing = "rss-date-missing", Error, Rss;
    FeedTitleMissing = "feed-title-missing", Error, Feed;
    FeedDescriptionMissing = "feed-description-missing", Error, Feed;
    FeedImageMissing = "feed-image-missing", Error, Feed;
    FeedImageInvalid = "feed-image-invalid", Error, Feed;
    FeedLanguageMissing = "feed-language-missing", Error, Feed;
    FeedCategoryMissing = "feed-category-missing", Error, Feed;
    FeedCategoryInvalid = "feed-category-invalid", Error, Feed;
    FeedExplicitMissing = "feed-explicit-missing", Error, Feed;
    FeedOwnerEmailMissing = "feed-owner-email-missing", Warning, Feed;
    FeedTypeInvalid = "feed-type-invalid", Error, Feed;
    FeedPodcastGuidMissing = "feed-podcast-guid-missing", Warning, Feed;
    FeedSelfLinkMissing = "feed-self-link-missing", Warning, Feed;
    FeedGuidDuplicate = "feed-guid-duplicate", Error, Feed;
    FeedEpisodeDuplicate = "feed-episode-duplicate", Error, Feed;
    FeedEnclosureMissing = "feed-enclosure-missing", Warning, Feed;
    FeedEnclosureTypeMismatch = "feed-enclosure-type-mismatch", Error, Feed;
    FeedDateFuture = "feed-date-future", Warning, Feed;
    FeedDraftSkipped = "feed-draft-skipped", Warning, Feed;
    FeedEpisodeSkipped = "feed-episode-skipped", Warning, Feed;
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
    /// Which rule or check found it.
    pub code: Code,
    /// How bad it is here (usually the code's own severity).
    pub severity: Severity,
    /// What is wrong, lowercase, user values in backticks.
    pub message: String,
    /// Where in the source; `None` for findings about the file as a whole.
    pub span: Option<Span>,
    /// A label shown at the caret.
    pub label: Option<String>,
    /// How to fix it.
    pub help: Option<String>,
    /// The platform a rule belongs to, for platform-specific findings.
    pub platform: Option<&'static str>,
    /// A safe, mechanical fix (`check --fix` applies it), when there is one.
    pub fix: Option<Fix>,
}

/// A safe edit of the notes file that fixes a finding: replace the bytes
/// of `span` with `replacement`.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Fix {
    /// The bytes of the source to replace (empty to insert).
    pub span: Span,
    /// What to put there.
    pub replacement: String,
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
            fix: None,
        }
    }

    /// Points the finding at `span`.
    pub fn at(mut self, span: Span) -> Self {
        self.span = Some(span);
        self
    }

    /// Points the finding at `span` when there is one.
    pub(crate) fn at_opt(mut self, span: Option<Span>) -> Self {
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

    /// Adds the fix `check --fix` applies.
    pub fn fix(mut self, span: Span, replacement: impl Into<String>) -> Self {
        self.fix = Some(Fix {
            span,
            replacement: replacement.into(),
        });
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

    #[test]
    fn a_code_names_its_family_first() {
        for code in Code::ALL {
            let word = match code.family() {
                Family::Notes => "notes-",
                Family::FrontMatter => "front-matter-",
                Family::Chapters => "chapter",
                Family::Link => "link-",
                Family::Audio => "audio-",
                Family::Description => "description-",
                Family::Text => "text-",
                Family::Rss => "rss-",
                Family::Feed => "feed-",
            };
            assert!(code.as_str().starts_with(word), "{code}");
        }
    }
}
