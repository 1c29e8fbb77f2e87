//! Chapters: the `Chapter` type, the rules every chapter list is checked
//! against, and the interchange formats (one module per format).

pub mod json;

use crate::diagnostic::{Code, Diagnostic, Span};
use crate::timestamp::{Style, Timestamp};

/// One chapter of an episode.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Chapter {
    /// Where the chapter starts.
    pub start: Timestamp,
    /// The title, trimmed.
    pub title: String,
    /// A link for the chapter, where the format carries one.
    pub url: Option<String>,
    /// An image for the chapter, where the format carries one.
    pub img: Option<String>,
    /// Where the chapter ends, where the format says so.
    pub end: Option<Timestamp>,
    /// `false` for a chapter hidden from the table of contents (JSON `toc`).
    pub toc: bool,
    /// Where the timestamp stands in the source.
    pub span: Option<Span>,
    /// Where the title stands in the source.
    pub title_span: Option<Span>,
}

impl Chapter {
    /// A chapter at `start` titled `title`, shown in the table of contents.
    pub fn new(start: Timestamp, title: impl Into<String>) -> Self {
        Chapter {
            start,
            title: title.into(),
            toc: true,
            ..Chapter::default()
        }
    }

    /// The chapter's span for diagnostics: the stamp through the title.
    pub fn line_span(&self) -> Option<Span> {
        match (self.span, self.title_span) {
            (Some(a), Some(b)) => Some(Span::new(a.start, b.end.max(a.end))),
            (a, b) => a.or(b),
        }
    }
}

/// Why a chapter file could not be read: what is wrong, where, and how to fix it.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct ReadError {
    pub message: String,
    pub span: Option<Span>,
    pub help: Option<String>,
}

impl ReadError {
    /// An error at `span` (if known).
    pub fn new(message: impl Into<String>, span: Option<Span>) -> Self {
        ReadError {
            message: message.into(),
            span,
            help: None,
        }
    }

    /// Adds how to fix it.
    pub fn help(mut self, help: impl Into<String>) -> Self {
        self.help = Some(help.into());
        self
    }
}

/// The limits chapters are checked against; `shownotes.toml` `[chapters]`
/// may change the counts.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// YouTube, Spotify and Apple Podcasts show chapters only from 3 on.
    /// Source: PLATFORMS.md (9to5google 2020-05-28; Spotify help 360043932711;
    /// podcasters.apple.com/support/5482).
    pub min_count: usize,
    /// YouTube drops chapters shorter than 10 s, silently.
    /// Source: PLATFORMS.md (support.vevo.com "YouTube Chapters"; glacials/splits-io#755).
    pub min_seconds: u64,
    /// YouTube shows up to 70 characters of a title (Vevo page); Spotify
    /// advises 40 (Spotify help 360043932711).
    pub max_title_chars: usize,
}

impl Default for Rules {
    fn default() -> Self {
        Rules {
            min_count: 3,
            min_seconds: 10,
            max_title_chars: 70,
        }
    }
}

/// Checks a chapter list against the rules, and against the audio's end
/// when it is known. An empty list gives nothing: the caller decides
/// whether a missing list is worth `chapters-missing`.
pub fn check(chapters: &[Chapter], rules: &Rules, audio_end: Option<Timestamp>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(first) = chapters.first() else {
        return out;
    };
    if first.start != Timestamp::ZERO {
        out.push(
            Diagnostic::new(
                Code::ChapterFirstNotZero,
                format!("the first chapter starts at `{}`, not at `00:00`", first.start),
            )
            .at_opt(first.span)
            .label("platforms show chapters only when the first starts at zero")
            .help("add a first chapter at `00:00`, such as `00:00 Intro`"),
        );
    }
    if chapters.len() < rules.min_count {
        out.push(
            Diagnostic::new(
                Code::ChapterTooFew,
                format!(
                    "{} chapter{}, but YouTube, Spotify and Apple Podcasts need at least {}",
                    chapters.len(),
                    if chapters.len() == 1 { "" } else { "s" },
                    rules.min_count
                ),
            )
            .at_opt(first.span)
            .help(format!("add chapters until there are at least {}", rules.min_count)),
        );
    }
    let mut seen_titles: std::collections::HashMap<String, &Chapter> = std::collections::HashMap::new();
    for (i, ch) in chapters.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| &chapters[p]) {
            if ch.start == prev.start {
                out.push(
                    Diagnostic::new(
                        Code::ChapterDuplicateStart,
                        format!("two chapters start at `{}`", ch.start),
                    )
                    .at_opt(ch.span)
                    .label(format!("`{}` also starts here", prev.title))
                    .help("give each chapter its own start time, or merge the two"),
                );
            } else if ch.start < prev.start {
                out.push(
                    Diagnostic::new(
                        Code::ChapterOutOfOrder,
                        format!(
                            "chapter `{}` at `{}` comes after `{}` at `{}`",
                            ch.title, ch.start, prev.title, prev.start
                        ),
                    )
                    .at_opt(ch.span)
                    .label("earlier than the chapter before it")
                    .help("list chapters in increasing order of time, or fix the timestamp"),
                );
            }
        }
        if let Some(end) = audio_end {
            if ch.start >= end {
                out.push(
                    Diagnostic::new(
                        Code::ChapterPastEnd,
                        format!(
                            "chapter `{}` starts at `{}`, at or after the audio's end `{}`",
                            ch.title,
                            ch.start,
                            end.display(Style::Precise)
                        ),
                    )
                    .at_opt(ch.span)
                    .label("past the end of the audio")
                    .help("fix the timestamp, or check that this is the right audio file"),
                );
            }
        }
        let next_start = chapters.get(i + 1).map(|n| n.start).or(audio_end);
        if let Some(next) = next_start {
            let len = next.as_ms().saturating_sub(ch.start.as_ms());
            let past_end = audio_end.is_some_and(|e| ch.start >= e);
            if next > ch.start && len < rules.min_seconds * 1000 && !past_end {
                let last = i + 1 == chapters.len();
                out.push(
                    Diagnostic::new(
                        Code::ChapterTooShort,
                        format!(
                            "chapter `{}` lasts {}{}, under YouTube's minimum of {} s",
                            ch.title,
                            fmt_secs(len),
                            if last { " to the audio's end" } else { "" },
                            rules.min_seconds
                        ),
                    )
                    .at_opt(ch.span)
                    .platform("youtube")
                    .help("merge it with a neighbour or move a timestamp"),
                );
            }
        }
        let title = ch.title.trim();
        if title.is_empty() {
            out.push(
                Diagnostic::new(
                    Code::ChapterTitleEmpty,
                    format!("the chapter at `{}` has no title", ch.start),
                )
                .at_opt(ch.span)
                .help("write a title after the timestamp, such as `00:00 Intro`"),
            );
            continue;
        }
        let chars = title.chars().count();
        if chars > rules.max_title_chars {
            out.push(
                Diagnostic::new(
                    Code::ChapterTitleTooLong,
                    format!(
                        "the title of the chapter at `{}` has {chars} characters; YouTube shows {}",
                        ch.start, rules.max_title_chars
                    ),
                )
                .at_opt(ch.title_span.or(ch.span))
                .help("shorten the title (Spotify advises under 40 characters)"),
            );
        }
        let key = title.to_lowercase();
        if let Some(other) = seen_titles.get(&key) {
            out.push(
                Diagnostic::new(
                    Code::ChapterDuplicateTitle,
                    format!(
                        "chapters at `{}` and `{}` are both titled `{title}`",
                        other.start, ch.start
                    ),
                )
                .at_opt(ch.title_span.or(ch.span))
                .help("give each chapter a title of its own"),
            );
        } else {
            seen_titles.insert(key, ch);
        }
    }
    out
}

fn fmt_secs(ms: u64) -> String {
    if ms % 1000 == 0 {
        format!("{} s", ms / 1000)
    } else {
        format!("{:.3} s", ms as f64 / 1000.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn chs(list: &[(&str, &str)]) -> Vec<Chapter> {
        list.iter()
            .map(|(t, title)| Chapter::new(Timestamp::parse(t).unwrap(), *title))
            .collect()
    }

    fn codes(d: &[Diagnostic]) -> Vec<&'static str> {
        d.iter().map(|d| d.code.as_str()).collect()
    }

    #[test]
    fn a_good_list_passes() {
        let c = chs(&[("0:00", "Intro"), ("1:00", "Middle"), ("2:00", "Outro")]);
        assert!(check(&c, &Rules::default(), None).is_empty());
        assert!(check(&c, &Rules::default(), Some(Timestamp::from_ms(200_000))).is_empty());
    }

    #[test]
    fn each_rule_fires() {
        let r = Rules::default();
        assert_eq!(
            codes(&check(&chs(&[("0:05", "A"), ("1:00", "B"), ("2:00", "C")]), &r, None)),
            ["chapter-first-not-zero"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("1:00", "B")]), &r, None)),
            ["chapter-too-few"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("2:00", "B"), ("1:00", "C")]), &r, None)),
            ["chapter-out-of-order"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("1:00", "B"), ("1:00", "C")]), &r, None)),
            ["chapter-duplicate-start"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("0:05", "B"), ("1:00", "C")]), &r, None)),
            ["chapter-too-short"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("1:00", "a"), ("2:00", "")]), &r, None)),
            ["chapter-duplicate-title", "chapter-title-empty"]
        );
        let long = "x".repeat(71);
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("1:00", "B"), ("2:00", &long)]), &r, None)),
            ["chapter-title-too-long"]
        );
    }

    #[test]
    fn audio_end_bounds_the_last_chapter() {
        let r = Rules::default();
        let c = chs(&[("0:00", "A"), ("1:00", "B"), ("2:00", "C")]);
        let d = check(&c, &r, Some(Timestamp::from_ms(125_000)));
        assert_eq!(codes(&d), ["chapter-too-short"]);
        assert!(d[0].message.contains("to the audio's end"), "{}", d[0].message);
        let d = check(&c, &r, Some(Timestamp::from_ms(120_000)));
        assert_eq!(codes(&d), ["chapter-past-end"]);
    }
}
