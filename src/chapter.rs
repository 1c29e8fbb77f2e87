//! Chapters: the [`Chapter`] type and the rules every chapter list is
//! checked against, one function per rule. The files chapters are read
//! from and written to are in [`crate::formats`].

use std::collections::HashMap;

pub mod shift;

use crate::diagnostic::{Code, Diagnostic};

use crate::error::{Error, ErrorKind, Result};
use crate::source::Span;
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

/// Chapters as every writer puts them out: titles without control
/// characters (a line break or a NUL would break a line-based format; each
/// run becomes one space) or invisible ones (bidi controls, zero-width
/// characters: removed), and only the `url` / `img` that pass the URL gate.
pub fn for_output(chapters: &[Chapter]) -> Vec<Chapter> {
    chapters
        .iter()
        .map(|c| Chapter {
            title: crate::text::clean(&c.title).into_owned(),
            url: c.url.as_deref().and_then(|u| crate::links::gate(u).ok()),
            img: c.img.as_deref().and_then(|u| crate::links::gate(u).ok()),
            ..c.clone()
        })
        .collect()
}

/// The end of each chapter: its own `end` when that lies between its start
/// and the next chapter's, else the next chapter's start; the last one ends
/// at its own `end` or the audio's. `None` for a last chapter with neither.
/// `chapters` must be sorted.
pub fn ends(chapters: &[Chapter], audio_end: Option<Timestamp>) -> Vec<Option<Timestamp>> {
    chapters
        .iter()
        .enumerate()
        .map(|(i, c)| {
            let limit = chapters.get(i + 1).map(|n| n.start).or(audio_end);
            match (c.end, limit) {
                (Some(e), Some(l)) if e > c.start && e <= l => Some(e),
                (Some(e), None) if e > c.start => Some(e),
                (_, l) => l,
            }
        })
        .collect()
}

/// Checks that the last chapter can be given an end for a format whose
/// every entry needs one (`vtt`, `ffmetadata`).
pub(crate) fn require_ends(
    format: &str,
    chapters: &[Chapter],
    audio_end: Option<Timestamp>,
) -> Result<Vec<Timestamp>> {
    if let (Some(last), Some(end)) = (chapters.last(), audio_end) {
        if last.start >= end {
            return Err(Error::new(
                ErrorKind::Unsupported,
                format!(
                    "the last chapter `{}` starts at `{}`, at or after the audio's end `{}`",
                    last.title,
                    last.start,
                    end.display(Style::Precise)
                ),
            )
            .with_help("fix the chapter's time, or check that this is the right audio file"));
        }
    }
    ends(chapters, audio_end)
        .into_iter()
        .zip(chapters)
        .map(|(e, c)| {
            e.ok_or_else(|| {
                Error::new(
                    ErrorKind::Unsupported,
                    format!(
                        "`{format}` needs the end of the last chapter `{}`, and the audio's end is not known",
                        c.title
                    ),
                )
                .with_help("pass the audio with `--audio FILE`, so its length ends the last chapter")
            })
        })
        .collect()
}

/// The limits chapters are checked against; `shownotes.toml` `[chapters]`
/// may change the counts.
#[derive(Clone, Copy, Debug)]
pub struct Rules {
    /// YouTube, Spotify and Apple Podcasts show chapters only from 3 on
    /// (9to5google.com 2020-05-28 "YouTube video chapters"; Spotify for
    /// Creators help 360043932711; podcasters.apple.com/support/5482).
    pub min_count: usize,
    /// YouTube drops chapters shorter than 10 s, silently
    /// (support.vevo.com "YouTube Chapters"; glacials/splits-io#755).
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
/// whether a missing list is worth `chapters-missing`. Findings come in
/// list order: the list's own, then each chapter's.
pub fn check(chapters: &[Chapter], rules: &Rules, audio_end: Option<Timestamp>) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let Some(first) = chapters.first() else {
        return out;
    };
    out.extend(first_not_zero(first));
    out.extend(too_few(chapters, rules));
    let mut seen_titles: HashMap<String, &Chapter> = HashMap::with_capacity(chapters.len());
    for (i, ch) in chapters.iter().enumerate() {
        if let Some(prev) = i.checked_sub(1).map(|p| &chapters[p]) {
            out.extend(duplicate_start(prev, ch).or_else(|| out_of_order(prev, ch)));
        }
        out.extend(past_end(ch, audio_end));
        out.extend(too_short(chapters, i, rules, audio_end));
        if let Some(d) = title_empty(ch) {
            out.push(d);
            continue;
        }
        out.extend(title_too_long(ch, rules));
        out.extend(duplicate_title(ch, &mut seen_titles));
    }
    out
}

/// `chapter-first-not-zero`: platforms show chapters only when the first
/// starts at zero.
fn first_not_zero(first: &Chapter) -> Option<Diagnostic> {
    (first.start != Timestamp::ZERO).then(|| {
        Diagnostic::new(
            Code::ChapterFirstNotZero,
            format!(
                "the first chapter starts at `{}`, not at `00:00`",
                first.start
            ),
        )
        .at_opt(first.span)
        .label("platforms show chapters only when the first starts at zero")
        .help("add a first chapter at `00:00`, such as `00:00 Intro`")
    })
}

/// `chapter-too-few`: fewer chapters than the platforms show.
fn too_few(chapters: &[Chapter], rules: &Rules) -> Option<Diagnostic> {
    (chapters.len() < rules.min_count).then(|| {
        Diagnostic::new(
            Code::ChapterTooFew,
            format!(
                "{} chapter{}, but YouTube, Spotify and Apple Podcasts need at least {}",
                chapters.len(),
                if chapters.len() == 1 { "" } else { "s" },
                rules.min_count
            ),
        )
        .at_opt(chapters.first().and_then(|c| c.span))
        .help(format!(
            "add chapters until there are at least {}",
            rules.min_count
        ))
    })
}

/// `chapter-duplicate-start`: two chapters at the same time.
fn duplicate_start(prev: &Chapter, ch: &Chapter) -> Option<Diagnostic> {
    (ch.start == prev.start).then(|| {
        Diagnostic::new(
            Code::ChapterDuplicateStart,
            format!("two chapters start at `{}`", ch.start),
        )
        .at_opt(ch.span)
        .label(format!("`{}` also starts here", prev.title))
        .help("give each chapter its own start time, or merge the two")
    })
}

/// `chapter-out-of-order`: a chapter earlier than the one before it.
fn out_of_order(prev: &Chapter, ch: &Chapter) -> Option<Diagnostic> {
    (ch.start < prev.start).then(|| {
        Diagnostic::new(
            Code::ChapterOutOfOrder,
            format!(
                "chapter `{}` at `{}` comes after `{}` at `{}`",
                ch.title, ch.start, prev.title, prev.start
            ),
        )
        .at_opt(ch.span)
        .label("earlier than the chapter before it")
        .help("list chapters in increasing order of time, or fix the timestamp")
    })
}

/// `chapter-past-end`: a chapter at or after the audio's end.
fn past_end(ch: &Chapter, audio_end: Option<Timestamp>) -> Option<Diagnostic> {
    let end = audio_end.filter(|&e| ch.start >= e)?;
    Some(
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
    )
}

/// `chapter-too-short`: the `i`th chapter lasts less than YouTube's
/// minimum, up to the next chapter or the audio's end.
fn too_short(
    chapters: &[Chapter],
    i: usize,
    rules: &Rules,
    audio_end: Option<Timestamp>,
) -> Option<Diagnostic> {
    let ch = &chapters[i];
    let next = chapters.get(i + 1).map(|n| n.start).or(audio_end)?;
    let len = next.as_ms().saturating_sub(ch.start.as_ms());
    let past_end = audio_end.is_some_and(|e| ch.start >= e);
    if next <= ch.start || len >= rules.min_seconds.saturating_mul(1000) || past_end {
        return None;
    }
    let last = i + 1 == chapters.len();
    Some(
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
    )
}

/// `chapter-title-empty`.
fn title_empty(ch: &Chapter) -> Option<Diagnostic> {
    ch.title.trim().is_empty().then(|| {
        Diagnostic::new(
            Code::ChapterTitleEmpty,
            format!("the chapter at `{}` has no title", ch.start),
        )
        .at_opt(ch.span)
        .help("write a title after the timestamp, such as `00:00 Intro`")
    })
}

/// `chapter-title-too-long`: longer than YouTube shows.
fn title_too_long(ch: &Chapter, rules: &Rules) -> Option<Diagnostic> {
    let chars = ch.title.trim().chars().count();
    (chars > rules.max_title_chars).then(|| {
        Diagnostic::new(
            Code::ChapterTitleTooLong,
            format!(
                "the title of the chapter at `{}` has {chars} characters; YouTube shows {}",
                ch.start, rules.max_title_chars
            ),
        )
        .at_opt(ch.title_span.or(ch.span))
        .help("shorten the title (Spotify advises under 40 characters)")
    })
}

/// `chapter-duplicate-title`: a title (ignoring case) seen before; `seen`
/// remembers the first chapter of each title.
fn duplicate_title<'a>(
    ch: &'a Chapter,
    seen: &mut HashMap<String, &'a Chapter>,
) -> Option<Diagnostic> {
    let title = ch.title.trim();
    let key = title.to_lowercase();
    let Some(other) = seen.get(&key) else {
        seen.insert(key, ch);
        return None;
    };
    Some(
        Diagnostic::new(
            Code::ChapterDuplicateTitle,
            format!(
                "chapters at `{}` and `{}` are both titled `{title}`",
                other.start, ch.start
            ),
        )
        .at_opt(ch.title_span.or(ch.span))
        .help("give each chapter a title of its own"),
    )
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
            codes(&check(
                &chs(&[("0:05", "A"), ("1:00", "B"), ("2:00", "C")]),
                &r,
                None
            )),
            ["chapter-first-not-zero"]
        );
        assert_eq!(
            codes(&check(&chs(&[("0:00", "A"), ("1:00", "B")]), &r, None)),
            ["chapter-too-few"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("2:00", "B"), ("1:00", "C")]),
                &r,
                None
            )),
            ["chapter-out-of-order"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("1:00", "B"), ("1:00", "C")]),
                &r,
                None
            )),
            ["chapter-duplicate-start"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("0:05", "B"), ("1:00", "C")]),
                &r,
                None
            )),
            ["chapter-too-short"]
        );
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("1:00", "a"), ("2:00", "")]),
                &r,
                None
            )),
            ["chapter-duplicate-title", "chapter-title-empty"]
        );
        let long = "x".repeat(71);
        assert_eq!(
            codes(&check(
                &chs(&[("0:00", "A"), ("1:00", "B"), ("2:00", &long)]),
                &r,
                None
            )),
            ["chapter-title-too-long"]
        );
    }

    #[test]
    fn audio_end_bounds_the_last_chapter() {
        let r = Rules::default();
        let c = chs(&[("0:00", "A"), ("1:00", "B"), ("2:00", "C")]);
        let d = check(&c, &r, Some(Timestamp::from_ms(125_000)));
        assert_eq!(codes(&d), ["chapter-too-short"]);
        assert!(
            d[0].message.contains("to the audio's end"),
            "{}",
            d[0].message
        );
        let d = check(&c, &r, Some(Timestamp::from_ms(120_000)));
        assert_eq!(codes(&d), ["chapter-past-end"]);
    }

    fn ts(ms: u64) -> Timestamp {
        Timestamp::from_ms(ms)
    }

    #[test]
    fn ends_come_from_the_next_chapter_or_the_audio() {
        let mut c = vec![
            Chapter::new(ts(0), "A"),
            Chapter::new(ts(10_000), "B"),
            Chapter::new(ts(20_000), "C"),
        ];
        c[0].end = Some(ts(5_000));
        c[1].end = Some(ts(25_000)); // overlaps the next chapter: ignored
        assert_eq!(ends(&c, None), [Some(ts(5_000)), Some(ts(20_000)), None]);
        assert_eq!(ends(&c, Some(ts(30_000)))[2], Some(ts(30_000)));
        c[2].end = Some(ts(28_000));
        assert_eq!(ends(&c, Some(ts(30_000)))[2], Some(ts(28_000)));
        assert_eq!(ends(&c, None)[2], Some(ts(28_000)));
        let e = require_ends("vtt", &c, Some(ts(20_000))).unwrap_err();
        assert!(
            e.message().contains("at or after the audio's end"),
            "{}",
            e.message()
        );
    }
}
