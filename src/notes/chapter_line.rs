//! What a line of the notes is, read from its visible text: a section
//! label (`Chapters`, `**Links:**`, `## Episode links ##`), a chapter in
//! any of the forms producers write, or several chapters on one line whose
//! line breaks became spaces.

use std::sync::LazyLock;

use regex::Regex;

use super::line::Line;
use crate::timestamp::{Timestamp, TimestampError};

/// A section a label opens.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Label {
    Links,
    Chapters,
}

/// A bullet that is not Markdown's (`•`, `▪`, `►`), or Markdown's in
/// text that was not read as Markdown.
static BULLET: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"^(?:[-*+•▪►◦‣·][ \t]+|[0-9]{1,3}[.)][ \t]+)").unwrap());

/// The length of the bullet (and the blanks after it) that `text` starts
/// with, 0 for none.
pub(crate) fn bullet_len(text: &str) -> usize {
    BULLET.find(text).map_or(0, |m| m.end())
}
/// A chapter line, stamp first: optional bullet, optional bracket, a
/// stamp-like token, the closing bracket, a separator or space, the title.
static STAMP_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(?:\*\*)?([(\[])?([0-9]+(?::[0-9]+)+(?:\.[0-9]+)?)([)\]])?(?:\*\*)?(?:[ \t]*[-–—:|.•·~][ \t]+|[ \t]*[-–—|•·~]$|[ \t]+|$)")
        .unwrap()
});
/// A chapter line, title first: the title, a separator or an opening
/// bracket, the stamp, the closing bracket, the end.
static TITLE_FIRST: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r"^(.*?[^ \t])[ \t]*(?:[-–—|:·•~][ \t]*([(\[])?|[ \t]([(\[])|([(\[]))([0-9]+(?::[0-9]+)+(?:\.[0-9]+)?)([)\]])?[ \t]*$")
        .unwrap()
});
/// A stamp anywhere, for lines of several chapters.
static STAMP: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"[(\[]?([0-9]{1,2}(?::[0-9]{2}){1,2})[)\]]?").unwrap());

/// How a chapter is written.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Form {
    /// `00:00 Title` and its kin.
    StampFirst,
    /// `Title - 00:00`, `Title (00:00)`.
    TitleFirst,
    /// The stamp alone; the title is on the next line.
    StampOnly,
}

/// A chapter read from a line (text offsets).
#[derive(Clone, Debug)]
pub(crate) struct Cand {
    pub start: Timestamp,
    pub form: Form,
    /// The stamp's text range.
    pub stamp: (usize, usize),
    /// The title's text range.
    pub title: (usize, usize),
    /// The inline link that is the chapter's time target (not a link).
    pub target: Option<usize>,
}

/// A stamp of the right shape that is not a time: its text range, as
/// written, and why.
pub(crate) type BadStamp = ((usize, usize), String, TimestampError);

/// Reads a line as a chapter.
pub(crate) fn parse(line: &Line) -> Option<Result<Cand, BadStamp>> {
    let text = line.text.as_str();
    // Every form holds a stamp: a colon between digits.
    if !has_stamp_colon(text) {
        return None;
    }
    let bullet = if text.starts_with(|c: char| c.is_ascii_digit() && c != '0')
        || text.starts_with(['-', '*', '+', '•', '▪', '►', '◦', '‣', '·'])
    {
        bullet_len(text)
    } else {
        0
    };
    let body = &text[bullet..];
    let stamp_first =
        body.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '(' | '[' | '*'));
    if let Some(m) = stamp_first.then(|| STAMP_FIRST.find(body)).flatten() {
        let g = StampFirst::of(m.as_str());
        match (g.open, g.close) {
            (None, None) | (Some(b'('), Some(b')')) | (Some(b'['), Some(b']')) => {}
            _ => return None,
        }
        let stamp = &body[g.stamp.0..g.stamp.1];
        let stamp_r = (bullet + g.stamp.0, bullet + g.stamp.1);
        if line.in_code(stamp_r.0, stamp_r.1) {
            return None;
        }
        let title_start = bullet + m.end();
        let rest = &text[title_start..];
        let lead = rest.len() - rest.trim_start().len();
        let title = (title_start + lead, title_start + rest.trim_end().len());
        // A chat log line: `[12:01] <nick> text`.
        if text[title.0..].starts_with('<') {
            return None;
        }
        let start = match Timestamp::parse(stamp) {
            Ok(t) => t,
            Err(e) => return Some(Err((stamp_r, stamp.to_string(), e))),
        };
        let target = line
            .links
            .iter()
            .position(|l| l.start <= stamp_r.0 && l.end >= stamp_r.1);
        let form = if title.0 >= title.1 {
            Form::StampOnly
        } else {
            Form::StampFirst
        };
        return Some(Ok(Cand {
            start,
            form,
            stamp: stamp_r,
            title,
            target,
        }));
    }
    if !body
        .trim_end()
        .ends_with(|c: char| c.is_ascii_digit() || matches!(c, ')' | ']'))
    {
        return None;
    }
    let c = TITLE_FIRST.captures(body)?;
    let open = c.get(2).or(c.get(3)).or(c.get(4)).map(|m| m.as_str());
    match (open, c.get(6).map(|m| m.as_str())) {
        (None, None) | (Some("("), Some(")")) | (Some("["), Some("]")) => {}
        _ => return None,
    }
    let stamp = c.get(5).unwrap();
    let stamp_r = (bullet + stamp.start(), bullet + stamp.end());
    let title = c.get(1).unwrap();
    let title_r = (bullet + title.start(), bullet + title.end());
    if line.in_code(stamp_r.0, stamp_r.1) {
        return None;
    }
    // The title is short and not a sentence.
    if title.as_str().split_whitespace().count() > 12 || title.as_str().ends_with(['.', ',']) {
        return None;
    }
    let start = Timestamp::parse(stamp.as_str()).ok()?;
    let target = line
        .links
        .iter()
        .position(|l| l.start <= stamp_r.0 && l.end >= stamp_r.1);
    Some(Ok(Cand {
        start,
        form: Form::TitleFirst,
        stamp: stamp_r,
        title: title_r,
        target,
    }))
}

/// The groups of a [`STAMP_FIRST`] match: its opening bracket, the
/// stamp's byte range, its closing bracket. Read off the matched text by
/// hand: each optional part of the pattern can only be taken when it is
/// there (leaving it out leaves a character no later part takes), so the
/// groups are where the pattern's greedy parts end. Asking the regex for
/// its groups (a backtracking search) was a fifth of the pre-pass on a
/// long chapter list; `find` runs the lazy DFA. A test compares the two.
struct StampFirst {
    open: Option<u8>,
    stamp: (usize, usize),
    close: Option<u8>,
}

impl StampFirst {
    fn of(matched: &str) -> StampFirst {
        let b = matched.as_bytes();
        let digits = |i: usize| {
            i + b[i.min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count()
        };
        let then_digit =
            |i: usize, c: u8| b.get(i) == Some(&c) && b.get(i + 1).is_some_and(u8::is_ascii_digit);
        let mut i = if matched.starts_with("**") { 2 } else { 0 };
        let open = b.get(i).copied().filter(|c| matches!(c, b'(' | b'['));
        i += usize::from(open.is_some());
        let start = i;
        i = digits(i);
        while then_digit(i, b':') {
            i = digits(i + 1);
        }
        if then_digit(i, b'.') {
            i = digits(i + 1);
        }
        let close = b.get(i).copied().filter(|c| matches!(c, b')' | b']'));
        StampFirst {
            open,
            stamp: (start, i),
            close,
        }
    }
}

/// Whether `text` has a colon with a digit on each side (one pass).
fn has_stamp_colon(text: &str) -> bool {
    let b = text.as_bytes();
    text.match_indices(':').any(|(i, _)| {
        i > 0 && b[i - 1].is_ascii_digit() && b.get(i + 1).is_some_and(u8::is_ascii_digit)
    })
}

/// Whether `text` starts with digits, a colon and a digit: what a stamp
/// starts with (a quick test before [`STAMP_FIRST`]).
fn starts_stamp(text: &str) -> bool {
    let b = text.as_bytes();
    let digits = b.iter().take_while(|c| c.is_ascii_digit()).count();
    digits > 0 && b.get(digits) == Some(&b':') && b.get(digits + 1).is_some_and(u8::is_ascii_digit)
}

/// The words of a label that name a chapter list.
fn chapter_label(words: &str) -> bool {
    matches!(
        words,
        "chapters"
            | "chapter"
            | "chapter list"
            | "episode chapters"
            | "timestamps"
            | "timestamp"
            | "time stamps"
            | "time codes"
            | "timecodes"
            | "topics"
            | "topics covered"
            | "topics discussed"
            | "chapter markers"
            | "outline"
            | "episode outline"
            | "show outline"
            | "episode highlights"
            | "highlights"
            | "in this episode"
            | "contents"
            | "table of contents"
            | "rundown"
            | "segments"
            | "what we discuss"
            | "what we talk about"
            | "what we covered"
            | "we discuss"
            | "episode breakdown"
            | "breakdown"
    )
}

/// The words of a label that name a link list.
fn links_label(words: &str) -> bool {
    let n = words.split(' ').count();
    if n > 8 {
        return false;
    }
    if phrase_label(words) {
        return true;
    }
    if n > 6 {
        return false;
    }
    words.split(' ').any(|w| w == "links")
        || words.starts_with("learn more")
        || words.starts_with("where to find")
        || words.starts_with("where to follow")
        || words.starts_with("find ") && (words.contains(" online") || words.ends_with(" on"))
        || words.starts_with("mentioned in")
        || words.ends_with(" mentioned")
        || words.starts_with("things mentioned")
        || words.starts_with("stuff mentioned")
        || words.starts_with("resources")
        || words.ends_with(" resources")
        || matches!(
            words,
            "references"
                | "further reading"
                | "show notes"
                | "shownotes"
                | "episode notes"
                | "mentioned"
                | "sponsors"
                | "sponsor"
                | "sponsored by"
                | "brought to you by"
                | "referenced"
                | "background reading"
                | "reading"
                | "mentioned in the show"
                | "tools mentioned"
                | "books mentioned"
                | "this episode is sponsored by"
                | "our sponsors"
                | "today's sponsors"
                | "today’s sponsors"
                | "sources"
                | "reading list"
                | "recommendations"
                | "picks"
                | "connect"
                | "follow us"
                | "follow"
                | "socials"
                | "credits"
                | "about the guest"
                | "see also"
        )
}

/// A label that is a phrase (`Where to find Ana`, `Follow the hosts`):
/// a label only alone on its line (`Follow us on X: https://…` is prose).
fn phrase_label(words: &str) -> bool {
    words.starts_with("sponsored by")
        || words.starts_with("brought to you by")
        || words.starts_with("follow ")
        || words.starts_with("connect with")
        || words.starts_with("where to find")
}

/// Whether a character may stand around a label (emphasis, emoji,
/// arrows, the heading marks of text not read as Markdown).
fn decoration(c: char) -> bool {
    !c.is_alphanumeric() && !matches!(c, '(' | ')' | ':' | '\'' | '’' | '&')
}

/// A label line: `Chapters`, `Timestamps:`, `**Links:**`, `LINKS
/// (partial list)`, `📌 Episode links:`, `Where to find Ana:`. Returns
/// the section, where the content on the same line starts (text offset),
/// and the label as written.
pub(crate) fn label(line: &Line) -> Option<(Label, usize, String)> {
    let text = line.text.as_str();
    // The label ends at the first colon, or is the whole line.
    let (head, rest_at) = match text.find(':') {
        Some(i) => (&text[..i], i + 1),
        None => (text, text.len()),
    };
    // A colon inside a stamp (`Chapters 00:00 Intro`) is not the label's.
    // Only a digit in the first 80 bytes counts: the search stops there
    // (a line of prose need not be read to its end).
    let digit = head
        .char_indices()
        .take_while(|&(i, _)| i <= 80)
        .find(|(_, c)| c.is_ascii_digit())
        .map(|(i, _)| i);
    let (head, rest_at) = match digit {
        Some(d)
            if d > 0 && d <= 80 && starts_stamp(&text[d..]) && STAMP_FIRST.is_match(&text[d..]) =>
        {
            (&text[..d], d)
        }
        _ => (head, rest_at),
    };
    if head.len() > 160 {
        return None;
    }
    let name = head.trim_matches(decoration).trim();
    // A parenthetical after it: `Links (partial)`, `Chapters (approx.)`.
    let bare = match name.find('(') {
        Some(i) if name.ends_with(')') => name[..i].trim_end(),
        _ => name,
    };
    let bare = bare.trim_matches(decoration);
    // Every label word is written with letters (a stamp, a URL's scheme
    // alone are not labels).
    if bare.is_empty() || bare.len() > 60 || !bare.contains(char::is_alphabetic) {
        return None;
    }
    let words = bare
        .to_lowercase()
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ");
    let kind = if chapter_label(&words) {
        Label::Chapters
    } else if links_label(&words) {
        Label::Links
    } else {
        return None;
    };
    let rest = text[rest_at..].trim_start_matches(decoration).trim_start();
    let rest_at = text.len() - rest.len();
    let had_colon = text[..rest_at].contains(':');
    // With its first item on the line, a link label is a name, not a
    // sentence (`Links to the past were: https://…` is prose).
    let named = kind == Label::Chapters
        || words.split(' ').count() <= 3
            && (words.ends_with("links")
                || words.starts_with("learn more")
                || !words.contains("links"))
            && !phrase_label(&words);
    let ok = rest.is_empty()
        || named
            && match kind {
                Label::Chapters => STAMP_FIRST.is_match(rest),
                Label::Links => {
                    had_colon
                        && (line.links.iter().any(|l| l.start == rest_at)
                            || crate::links::find(rest)
                                .first()
                                .is_some_and(|f| f.start == 0))
                }
            };
    // A heading is a label whatever follows; a line is one alone or with
    // its first item.
    ok.then(|| (kind, rest_at, bare.to_string()))
}

/// Where the chapters of a line whose line breaks became spaces start
/// (`00:00 Intro 05:12 Next 27:30 Third`): text offsets of each stamp
/// (bracket included), in increasing time, the first at the line's start.
/// Empty unless there are at least two.
pub(crate) fn sites(line: &Line) -> Vec<usize> {
    let text = line.text.as_str();
    if !text.starts_with(|c: char| c.is_ascii_digit() || matches!(c, '(' | '[')) {
        return vec![];
    }
    // A second stamp after the first word.
    let rest = text.find(char::is_whitespace).map_or("", |i| &text[i..]);
    if !has_stamp_colon(rest) {
        return vec![];
    }
    let mut out = Vec::new();
    let mut last: Option<Timestamp> = None;
    for c in STAMP.captures_iter(text) {
        let m = c.get(0).unwrap();
        let at = m.start();
        if at > 0 && !text[..at].ends_with(char::is_whitespace) {
            continue;
        }
        let after = text[m.end()..].chars().next();
        if !after.is_none_or(|c| c.is_whitespace() || "-–—|:".contains(c)) {
            continue;
        }
        if line.in_code(at, m.end()) {
            continue;
        }
        let Ok(t) = Timestamp::parse(c.get(1).unwrap().as_str()) else {
            continue;
        };
        if out.is_empty() && at != 0 {
            return vec![];
        }
        if last.is_none_or(|l| t > l) {
            out.push(at);
            last = Some(t);
        }
    }
    if out.len() < 2 {
        out.clear();
    }
    out
}

/// Where the last title of a line of chapters run together ends, when
/// text that is not a title follows it: `27:30 Third Access exclusive
/// episodes at https://…` ends after `Third`. `title` is the title's text
/// range; returns the text offset where the rest starts.
pub(crate) fn title_end(line: &Line, title: (usize, usize)) -> Option<usize> {
    let text = &line.text[title.0..title.1];
    // Where the first sentence of the rest ends: a URL or a link, or `.`
    // `!` `?` before a capital.
    let url = crate::links::find(text)
        .first()
        .map(|f| f.start)
        .into_iter()
        .chain(
            line.links
                .iter()
                .filter(|l| l.start >= title.0 && l.start < title.1)
                .map(|l| l.start - title.0),
        )
        .min();
    let punct = text
        .char_indices()
        .find(|&(i, c)| {
            matches!(c, '.' | '!' | '?')
                && text[i + 1..].starts_with(' ')
                && text[i + 1..]
                    .trim_start()
                    .chars()
                    .next()
                    .is_some_and(char::is_uppercase)
        })
        .map(|(i, _)| i);
    let stop = match (url, punct) {
        (Some(u), Some(p)) => u.min(p),
        (Some(u), None) => u,
        (None, Some(p)) => p,
        (None, None) => return None,
    };
    // The last capitalized word before it that is followed by a lowercase
    // word starts the sentence (not the title's first word).
    let mut words: Vec<(usize, &str)> = Vec::new();
    let mut at = 0;
    for w in text.split(' ') {
        if !w.is_empty() {
            words.push((at, w));
        }
        at += w.len() + 1;
    }
    let mut cut = None;
    for k in 1..words.len() {
        let (pos, w) = words[k];
        if pos >= stop {
            break;
        }
        let next_lower = words
            .get(k + 1)
            .is_some_and(|(_, n)| n.chars().next().is_some_and(char::is_lowercase));
        if w.chars().next().is_some_and(char::is_uppercase) && next_lower {
            cut = Some(pos);
        }
    }
    match cut {
        Some(c) => Some(title.0 + c),
        None if Some(stop) == punct => {
            let after = stop + 1;
            Some(title.0 + after + (text[after..].len() - text[after..].trim_start().len()))
        }
        None => None,
    }
}

/// A chapter label inside a line, followed by its first stamp
/// (`… and Function. Timestamps 00:00:00 Dr. Lena …`): where it starts.
pub(crate) fn inline_label(line: &Line) -> Option<usize> {
    if !has_stamp_colon(&line.text) {
        return None;
    }
    let lower = line.text.to_ascii_lowercase();
    for word in ["timestamps", "chapters", "time stamps", "outline"] {
        for (at, _) in lower.match_indices(word) {
            if at == 0 || !lower[..at].ends_with(|c: char| c.is_whitespace() || c == '.') {
                continue;
            }
            let rest = lower[at + word.len()..]
                .trim_start_matches(':')
                .trim_start();
            if rest.len() + word.len() == lower.len() - at {
                continue;
            }
            if STAMP_FIRST.is_match(rest) && !line.in_code(at, at + word.len()) {
                return Some(at);
            }
        }
    }
    None
}

/// A line without links that reads like the label of another section
/// (`EXTRAS:`, `CREDITS:`): short, upper-case, ending with a colon.
pub(crate) fn other_label(line: &Line) -> bool {
    let t = line.text.trim_matches(decoration).trim();
    let Some(head) = t.strip_suffix(':') else {
        return false;
    };
    head.split_whitespace().count() <= 4
        && head.chars().any(char::is_alphabetic)
        && !head.chars().any(char::is_lowercase)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The groups [`StampFirst::of`] reads are the regex's own.
    fn same_groups(body: &str) {
        let Some(c) = STAMP_FIRST.captures(body) else {
            return;
        };
        let g = StampFirst::of(c.get(0).unwrap().as_str());
        let byte = |i| c.get(i).map(|m| m.as_str().as_bytes()[0]);
        let stamp = c.get(2).unwrap();
        assert_eq!(g.open, byte(1), "{body:?}");
        assert_eq!(g.stamp, (stamp.start(), stamp.end()), "{body:?}");
        assert_eq!(g.close, byte(3), "{body:?}");
    }

    #[test]
    fn stamp_first_groups_are_the_patterns() {
        for body in [
            "00:00 Intro",
            "**00:00** Intro",
            "(01:02:03) Title",
            "[12:01] <nick> hi",
            "1:2.5 - x",
            "1:2. Title",
            "1:2:3",
            "00:30 —",
            "(00:30] odd",
            "**[1:00]** x",
            "12:30|next",
        ] {
            same_groups(body);
        }
    }

    proptest::proptest! {
        #[test]
        fn stamp_first_groups_are_the_patterns_on_any_text(
            body in "[0-9:.()\\[\\]* \t|—x-]{0,16}"
        ) {
            same_groups(&body);
        }
    }
}
