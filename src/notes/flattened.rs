//! Recovering the line structure of notes whose line breaks were lost
//! (`Learn more:https://a/ — Ahttps://b/ — B...Chapters00:00 Intro00:34 ...`).
//!
//! The recovery cuts one physical line into logical lines, each a slice of
//! the original, so every position still points into the user's file. The
//! cuts are placed where a line break must have been:
//!
//! 1. around section labels glued to their content (`system.Learn more:https://`,
//!    `.orgChapters00:00`);
//! 2. before a URL glued to the word before it (`Masinterhttps://`);
//! 3. inside a URL or e-mail glued to the word after it: a capital in the
//!    top-level domain (`ramaproxy.orgChapters`, `netstack.fmMusic`), or a
//!    capitalized word ending the path right before ` lowercase`
//!    (`#episode-17Join our`, `29EetaSYCDReach out`);
//! 4. before each chapter stamp, choosing between digit readings
//!    (`HTTP/334:05` is `34:05`, not `334:05`) the one that keeps the list
//!    increasing;
//! 5. where the last item of a list ends and the next block begins: at the
//!    first glued capitalized word that starts a sentence (`RamaIf you`,
//!    `FMMore information`) followed by a link, and at the glued heading
//!    just before it (`ProjectRama`, `OutroNetstack.FM`);
//! 6. between glued sentences of the summary (`Masinter.We sit`).

use std::sync::LazyLock;

use regex::Regex;

use crate::links;
use crate::timestamp::Timestamp;

/// A logical line: a byte range of the physical line, and whether a
/// paragraph break (a blank line) stood before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Piece {
    /// Byte offset in the physical line where it starts.
    pub start: usize,
    /// Byte offset in the physical line just past its end.
    pub end: usize,
    /// Whether a paragraph break stood before it.
    pub paragraph: bool,
}

static STAMP_SITE: LazyLock<Regex> =
    LazyLock::new(|| Regex::new(r"([0-9]+):([0-9]{2})(?::([0-9]{2}))?(\.[0-9]{1,3})?").unwrap());

/// Whether a line looks like several lines run together. Runs on every
/// line of every file, so it counts by hand instead of compiling regexes
/// (which costs more than checking a whole episode).
pub(crate) fn is_flattened(line: &str) -> bool {
    // Every sign below holds a colon (`https:`, `00:34`, `Links:`): one
    // `memchr` pass clears most lines of prose.
    if memchr::memchr(b':', line.as_bytes()).is_none() {
        return false;
    }
    if glued_urls(line) >= 2 || glued_stamps(line) >= 2 {
        return true;
    }
    link_labels(line)
        .into_iter()
        .any(|(start, _)| start > 0 && !line[..start].ends_with(char::is_whitespace))
}

/// Link-list labels followed by their first link (`Learn more:https://`,
/// `Links: [`): (label start, end of the colon). Scanned by hand, since a
/// case-insensitive regex costs more to build than the check itself: each
/// colon (one `memchr` pass) is looked behind for a label word, so a line
/// costs one pass whatever its length.
fn link_labels(line: &str) -> Vec<(usize, usize)> {
    const WORDS: [&str; 4] = ["learn more", "links", "resources", "further reading"];
    let b = line.as_bytes();
    let mut out = Vec::new();
    for colon in memchr::memchr_iter(b':', b) {
        let mut end = colon;
        while end > 0 && matches!(b[end - 1], b' ' | b'\t') {
            end -= 1;
        }
        let Some(at) = WORDS.iter().find_map(|w| {
            let at = end.checked_sub(w.len())?;
            b[at..end].eq_ignore_ascii_case(w.as_bytes()).then_some(at)
        }) else {
            continue;
        };
        if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
            continue;
        }
        let rest = &b[skip_blanks(b, colon + 1)..];
        let starts = |p: &[u8]| rest.len() >= p.len() && rest[..p.len()].eq_ignore_ascii_case(p);
        if starts(b"http://") || starts(b"https://") || starts(b"www.") || starts(b"[") {
            out.push((at, colon + 1));
        }
    }
    out
}

/// Chapter labels followed by a stamp (`Chapters00:00`, `.orgChapters 00:00`,
/// `Timestamps: (0:00)`): (label start, label end with its colon).
fn chapter_labels(line: &str) -> Vec<(usize, usize)> {
    let lower = line.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut out = Vec::new();
    for word in ["chapters", "timestamps"] {
        for (at, _) in lower.match_indices(word) {
            let word_end = at + word.len();
            let label_end = if b.get(word_end) == Some(&b':') {
                word_end + 1
            } else {
                word_end
            };
            let mut i = skip_blanks(b, word_end);
            if b.get(i) == Some(&b':') {
                i = skip_blanks(b, i + 1);
            }
            if matches!(b.get(i), Some(b'(' | b'[')) {
                i += 1;
            }
            let digits = b[i.min(b.len())..]
                .iter()
                .take_while(|c| c.is_ascii_digit())
                .count();
            let j = i + digits;
            if (1..=2).contains(&digits)
                && b.get(j) == Some(&b':')
                && b.get(j + 1).is_some_and(u8::is_ascii_digit)
                && b.get(j + 2).is_some_and(u8::is_ascii_digit)
            {
                out.push((at, label_end));
            }
        }
    }
    out.sort();
    out
}

fn skip_blanks(b: &[u8], mut i: usize) -> usize {
    while matches!(b.get(i), Some(b' ' | b'\t')) {
        i += 1;
    }
    i
}

/// `http://` or `https://` right after a character that does not start a
/// link (`Masinterhttps://`, `HTTP/3https://`).
fn glued_urls(line: &str) -> usize {
    let b = line.as_bytes();
    // Found from their colons (a `memchr` pass), not by searching for
    // `http` (a substring search set up anew for every line).
    memchr::memchr_iter(b':', b)
        .filter_map(|c| {
            if !b[c + 1..].starts_with(b"//") {
                return None;
            }
            let head = &b[..c];
            if head.ends_with(b"https") {
                Some(c - 5)
            } else if head.ends_with(b"http") {
                Some(c - 4)
            } else {
                None
            }
        })
        .filter(|&i| i > 0 && !b" \t\r\n([<\"'=".contains(&b[i - 1]))
        .count()
}

/// A stamp (`1:23`, `12:34`) glued to the character before it
/// (`Intro00:34`).
fn glued_stamps(line: &str) -> usize {
    let b = line.as_bytes();
    let mut n = 0;
    for i in memchr::memchr_iter(b':', b) {
        let after = &b[i + 1..];
        if after.len() < 2 || !after[0].is_ascii_digit() || !after[1].is_ascii_digit() {
            continue;
        }
        if after
            .get(2)
            .is_some_and(|c| c.is_ascii_alphanumeric() || *c == b'_')
        {
            continue;
        }
        let digits = b[..i]
            .iter()
            .rev()
            .take_while(|c| c.is_ascii_digit())
            .count();
        if !(1..=2).contains(&digits) || i == digits {
            continue;
        }
        let before = b[i - digits - 1];
        if !b" \t\r\n([:".contains(&before) {
            n += 1;
        }
    }
    n
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
enum RegionKind {
    Links,
    Chapters,
}

/// Cuts a flattened line into logical lines.
pub fn split(line: &str) -> Vec<Piece> {
    // (position, paragraph break?)
    let mut cuts: Vec<(usize, bool)> = Vec::new();

    // 1. Section labels: a cut before (a paragraph) and after the label.
    let mut labels: Vec<(usize, usize, RegionKind)> = Vec::new();
    for (start, end) in link_labels(line) {
        labels.push((start, end, RegionKind::Links));
    }
    for (start, end) in chapter_labels(line) {
        labels.push((start, end, RegionKind::Chapters));
    }
    labels.sort();
    for &(start, end, _) in &labels {
        if start > 0 {
            cuts.push((start, true));
        }
        cuts.push((end, false));
    }

    let found = links::find(line);
    // 2. URLs glued to the word before.
    for f in &found {
        if f.email || f.start == 0 {
            continue;
        }
        let before = line[..f.start].chars().next_back().unwrap_or(' ');
        if !before.is_whitespace() && !"([<\"'".contains(before) {
            cuts.push((f.start, false));
        }
    }
    // 3. URLs and e-mails glued to the word after.
    let mut url_ends: Vec<(usize, usize)> = Vec::new();
    for f in &found {
        let end = glued_end(line, f.start, f.end, f.email);
        if end < f.end {
            cuts.push((end, false));
        }
        url_ends.push((f.start, end));
    }
    // `find` gives them in order of start.
    let url_ends = Ranges::new(url_ends);

    // 4 and 5, region by region.
    let first_label = labels.first().map_or(line.len(), |l| l.0);
    for (i, &(_, label_end, kind)) in labels.iter().enumerate() {
        let region_end = labels.get(i + 1).map_or(line.len(), |l| l.0);
        if region_end <= label_end {
            continue;
        }
        let tail_start = match kind {
            RegionKind::Links => {
                // Each item starts at a URL; the last item's description
                // runs into the next block.
                // A URL after `: ` is running text (`in Rust: https://...`).
                let last = url_ends
                    .starting_in(label_end, region_end)
                    .iter()
                    .rev()
                    .find(|(s, _)| {
                        !line[label_end..*s].trim_end().ends_with(':')
                            || line[label_end..*s].trim().is_empty()
                    });
                last.map(|&(_, e)| e)
            }
            RegionKind::Chapters => {
                let stamps = choose_stamps(line, label_end, region_end);
                for &(s, _) in &stamps {
                    if s > label_end {
                        cuts.push((s, false));
                    }
                }
                stamps.last().map(|&(_, e)| e)
            }
        };
        if let Some(t) = tail_start {
            cut_tail(line, t, region_end, &url_ends, &mut cuts);
        }
    }

    // 6. Glued sentences in the summary (before the first section).
    static SENTENCE: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[a-z0-9)][.!?][A-Z][a-z]").unwrap());
    for m in SENTENCE.find_iter(&line[..first_label]) {
        let at = m.start() + 2;
        if !url_ends.inside(at) {
            cuts.push((at, true));
        }
    }

    pieces(line, cuts)
}

/// The pieces between the cuts, trimmed, empty ones dropped; a piece
/// starts a paragraph when a paragraph cut falls before it.
fn pieces(line: &str, mut cuts: Vec<(usize, bool)>) -> Vec<Piece> {
    cuts.sort();
    cuts.dedup_by(|b, a| {
        if a.0 == b.0 {
            a.1 |= b.1;
            true
        } else {
            false
        }
    });
    let mut pieces = Vec::new();
    let mut start = 0;
    let mut paragraph = false;
    for (at, para) in cuts.into_iter().chain(std::iter::once((line.len(), false))) {
        if at <= start && at != line.len() {
            paragraph |= para;
            continue;
        }
        let (s, e) = trim(line, start, at);
        if s < e {
            pieces.push(Piece {
                start: s,
                end: e,
                paragraph,
            });
            paragraph = false;
        }
        paragraph |= para;
        start = at;
    }
    pieces
}

/// Byte ranges (URLs) in order of start, possibly overlapping, with the
/// furthest end so far at each: "is this inside one?" and "which start
/// here?" are binary searches, not a walk over every URL of the line.
struct Ranges {
    ranges: Vec<(usize, usize)>,
    /// `reach[i]`: the largest end among `ranges[..=i]`.
    reach: Vec<usize>,
}

impl Ranges {
    /// `ranges` sorted by start.
    fn new(ranges: Vec<(usize, usize)>) -> Self {
        let reach = ranges
            .iter()
            .scan(0, |max, &(_, e)| {
                *max = e.max(*max);
                Some(*max)
            })
            .collect();
        Ranges { ranges, reach }
    }

    /// Whether `at` is strictly inside one of the ranges.
    fn inside(&self, at: usize) -> bool {
        let before = self.ranges.partition_point(|&(s, _)| s < at);
        before > 0 && self.reach[before - 1] > at
    }

    /// The ranges that start in `from..to`, in order.
    fn starting_in(&self, from: usize, to: usize) -> &[(usize, usize)] {
        let first = self.ranges.partition_point(|&(s, _)| s < from);
        let last = self.ranges.partition_point(|&(s, _)| s < to).max(first);
        &self.ranges[first..last]
    }
}

fn trim(line: &str, start: usize, end: usize) -> (usize, usize) {
    let s = &line[start..end];
    let lead = s.len() - s.trim_start().len();
    let trail = s.len() - s.trim_end().len();
    (start + lead, (end - trail).max(start + lead))
}

/// Where a URL or e-mail found at `start..end` really ends, when a word
/// was glued to it (rule 3).
fn glued_end(line: &str, start: usize, end: usize, email: bool) -> usize {
    let token = &line[start..end];
    let host_start = if email {
        token.find('@').map_or(0, |i| i + 1)
    } else {
        token.find("://").map_or(0, |i| i + 3)
    };
    let host_end = token[host_start..]
        .find(['/', '?', '#', ':'])
        .map_or(token.len(), |i| host_start + i);
    let host = &token[host_start..host_end];
    // A capital after a lowercase letter in the top-level domain:
    // host names are written in lowercase, so this is the next word.
    if let Some(dot) = host.rfind('.') {
        let tld = &host[dot + 1..];
        let b = tld.as_bytes();
        for i in 1..b.len() {
            if b[i].is_ascii_uppercase() && b[i - 1].is_ascii_lowercase() {
                return start + host_start + dot + 1 + i;
            }
        }
    }
    if email || host_end == token.len() {
        return end;
    }
    // A capitalized word ending the path, right before ` lowercase`.
    let next_is_lower_word = line[end..].starts_with(' ')
        && line[end + 1..]
            .chars()
            .next()
            .is_some_and(|c| c.is_lowercase());
    if !next_is_lower_word {
        return end;
    }
    let b = token.as_bytes();
    let mut i = b.len();
    while i > 0 && b[i - 1].is_ascii_lowercase() {
        i -= 1;
    }
    if i < b.len() && i > host_end + 1 && b[i - 1].is_ascii_uppercase() {
        let cap = i - 1;
        let before = b[cap - 1];
        if before.is_ascii_alphanumeric() {
            return start + cap;
        }
    }
    end
}

/// A stamp reading: where it starts, and its time.
type Reading = (usize, u64);

/// The ways the digits of a stamp site can be read, most likely first:
/// two-digit leading fields, then one digit, then longer (rule 4).
fn readings(caps: &regex::Captures<'_>) -> Vec<Reading> {
    let lead = caps.get(1).unwrap();
    let b = caps.get(2).unwrap().as_str();
    let frac = caps.get(4).map_or("", |m| m.as_str());
    let mut out = Vec::new();
    let mut push = |start: usize, text: String| {
        if let Ok(t) = Timestamp::parse(&text) {
            out.push((start, t.as_ms()));
        }
    };
    let digits = lead.as_str();
    let n = digits.len();
    let mut lens: Vec<usize> = vec![];
    for l in [2, 1] {
        if l <= n {
            lens.push(l);
        }
    }
    lens.extend(3..=n.min(4));
    match caps.get(3) {
        Some(c) => {
            for &l in &lens {
                push(
                    lead.end() - l,
                    format!("{}:{b}:{}{frac}", &digits[n - l..], c.as_str()),
                );
            }
            // The last two fields alone, the first being the previous title's end.
            let m = caps.get(2).unwrap();
            push(m.start(), format!("{b}:{}{frac}", c.as_str()));
        }
        None => {
            for &l in &lens {
                push(lead.end() - l, format!("{}:{b}{frac}", &digits[n - l..]));
            }
        }
    }
    out
}

/// Chooses the chapter stamps of a flattened chapter list: the readings
/// that keep the list increasing (rule 4). Returns (start, end) of each.
fn choose_stamps(line: &str, start: usize, end: usize) -> Vec<(usize, usize)> {
    let region = &line[start..end];
    let mut sites: Vec<(Vec<Reading>, usize)> = Vec::new();
    for caps in STAMP_SITE.captures_iter(region) {
        let m = caps.get(0).unwrap();
        // A stamp is followed by a space, a separator, or the end.
        let after = region[m.end()..].chars().next();
        if !after.is_none_or(|c| c.is_whitespace() || "-–—|)]".contains(c)) {
            continue;
        }
        let r: Vec<Reading> = readings(&caps)
            .into_iter()
            .map(|(s, t)| (s + start, t))
            .collect();
        if !r.is_empty() {
            sites.push((r, m.end() + start));
        }
    }
    // The largest time any later site can take, for each site.
    let mut later_max = vec![u64::MAX; sites.len()];
    let mut max = 0u64;
    let mut any = false;
    for i in (0..sites.len()).rev() {
        if any {
            later_max[i] = max;
        }
        max = max.max(sites[i].0.iter().map(|r| r.1).max().unwrap_or(0));
        any = true;
    }
    let mut chosen: Vec<(usize, usize)> = Vec::new();
    let mut prev: Option<u64> = None;
    let mut prev_end = start;
    for (i, (reads, site_end)) in sites.iter().enumerate() {
        let pick = reads.iter().find(|&&(s, t)| {
            (chosen.is_empty() || s > prev_end) && prev.is_none_or(|p| t > p) && t < later_max[i]
        });
        if let Some(&(s, t)) = pick {
            chosen.push((s, *site_end));
            prev = Some(t);
            prev_end = *site_end;
        }
    }
    chosen
}

/// Rule 5: where the text after the last item of a list stops being that
/// item. `from..to` is the tail; cuts are added at the sentence that starts
/// the next block and at a glued heading just before it.
fn cut_tail(line: &str, from: usize, to: usize, urls: &Ranges, cuts: &mut Vec<(usize, bool)>) {
    if from >= to {
        return;
    }
    let glues = glue_points(line, from, to, urls);
    let has_link_after = |at: usize| !urls.starting_in(at, to).is_empty();
    let sentence = glues
        .iter()
        .copied()
        .find(|&p| starts_sentence(line, p) && has_link_after(p));
    // Else a capitalized word glued to a lowercase one, followed by a
    // link (`Closing thoughtsSoftware Engineering Daily is …: https://`):
    // a word that is not CamelCase (`YouTube`, `GitHub` start with a
    // capital; `iPhone`'s head is one letter).
    let sentence = sentence.or_else(|| {
        glues
            .iter()
            .copied()
            .find(|&p| lower_head(line, from, p) && capital_word(line, p) && has_link_after(p))
    });
    let Some(s) = sentence else {
        return;
    };
    // (Searched back to `from` only: past it, the answer is `from`.)
    let token_start = line[from..s]
        .rfind(char::is_whitespace)
        .map_or(from, |i| from + i + 1);
    if let Some(h) = glues.iter().copied().find(|&p| p > token_start && p < s) {
        cuts.push((h, true));
        cuts.push((s, false));
    } else {
        cuts.push((s, true));
    }
    // The rest is ordinary lines (a footer, a blurb): cut at every glued
    // sentence start.
    for p in glues
        .into_iter()
        .filter(|&p| p > s && starts_sentence(line, p))
    {
        cuts.push((p, false));
    }
}

/// Positions in `from..to` where a capital letter is glued to what comes
/// before it: after a lowercase letter (`ProjectRama`), a digit or closing
/// punctuation (`2025)Rama`), or ending an acronym (`FMMore`). Positions
/// inside URLs are not glue.
fn glue_points(line: &str, from: usize, to: usize, urls: &Ranges) -> Vec<usize> {
    let mut out = Vec::new();
    let mut prev2: Option<char> = None;
    let mut prev: Option<char> = None;
    let text = &line[from..to];
    let mut iter = text.char_indices().peekable();
    while let Some((i, c)) = iter.next() {
        let next = iter.peek().map(|&(_, n)| n);
        let at = from + i;
        if c.is_uppercase() && !urls.inside(at) {
            let glued = match prev {
                Some(p) if p.is_lowercase() => true,
                Some(p) if p.is_ascii_digit() || ").!?\"'’”]".contains(p) => true,
                Some(p) if p.is_uppercase() => {
                    prev2.is_some_and(char::is_uppercase) && next.is_some_and(char::is_lowercase)
                }
                _ => false,
            };
            if glued {
                out.push(at);
            }
        }
        prev2 = prev;
        prev = Some(c);
    }
    out
}

/// Whether the word glued before `at` is lowercase letters only, two or
/// more (`thoughts` in `thoughtsSoftware`).
fn lower_head(line: &str, from: usize, at: usize) -> bool {
    let head = &line[from..at];
    let word = head
        .rsplit(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    word.chars().count() >= 2 && word.chars().all(char::is_lowercase)
}

/// Whether a capital and two or more lowercase letters start at `at`.
fn capital_word(line: &str, at: usize) -> bool {
    let mut chars = line[at..].chars();
    chars.next().is_some_and(char::is_uppercase)
        && chars.take(2).filter(|c| c.is_lowercase()).count() == 2
}

/// Whether a capitalized word starting at `at` begins a sentence: the word
/// (`If`, `More`) is followed by a space and a lowercase letter.
fn starts_sentence(line: &str, at: usize) -> bool {
    let rest = &line[at..];
    let mut chars = rest.char_indices();
    chars.next();
    for (i, c) in chars {
        if c.is_lowercase() {
            continue;
        }
        return c == ' ' && rest[i + 1..].chars().next().is_some_and(char::is_lowercase);
    }
    false
}

#[cfg(test)]
mod tests {
    #[test]
    fn glued_urls_are_counted_from_their_colons() {
        for (line, n) in [
            ("Masinterhttps://a.org and https://b.org", 1),
            ("xhttp://a yhttps://b", 2),
            ("https://a", 0),
            ("a=https://b (http://c)", 0),
            ("httphttps://x", 1),
            ("HTTP/3https://b http:/c https:", 1),
        ] {
            assert_eq!(super::glued_urls(line), n, "{line}");
        }
    }

    /// The scan by colons against the scan by words it replaced.
    #[test]
    fn link_labels_by_colon_match_the_scan_by_word() {
        // Link-list labels followed by their first link (`Learn more:https://`,
        // `Links: [`): (label start, end of the colon). Scanned by hand, since a
        // case-insensitive regex costs more to build than the check itself.
        fn old_link_labels(line: &str) -> Vec<(usize, usize)> {
            let lower = line.to_ascii_lowercase();
            let b = lower.as_bytes();
            let mut out = Vec::new();
            for word in ["learn more", "links", "resources", "further reading"] {
                for (at, _) in lower.match_indices(word) {
                    if at > 0 && (b[at - 1].is_ascii_alphanumeric() || b[at - 1] == b'_') {
                        continue;
                    }
                    let mut i = skip_blanks(b, at + word.len());
                    if b.get(i) != Some(&b':') {
                        continue;
                    }
                    let colon_end = i + 1;
                    i = skip_blanks(b, colon_end);
                    let rest = &lower[i..];
                    if rest.starts_with("http://")
                        || rest.starts_with("https://")
                        || rest.starts_with("www.")
                        || rest.starts_with('[')
                    {
                        out.push((at, colon_end));
                    }
                }
            }
            out.sort();
            out
        }

        let pieces = [
            "Learn more:",
            "LINKS :",
            "links\t: ",
            "resources:",
            "Further Reading:",
            "https://a.org",
            "http://b.org",
            "www.c.org",
            "[x](y)",
            "xlinks:",
            "_links:",
            "Links:",
            " ",
            "text",
            "é",
            ":",
            "learn  more:",
            "Learn more :https://d",
        ];
        let mut seed = 7u64;
        for _ in 0..20_000 {
            let mut line = String::new();
            for _ in 0..6 {
                seed = seed
                    .wrapping_mul(6364136223846793005)
                    .wrapping_add(1442695040888963407);
                line.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            assert_eq!(link_labels(&line), old_link_labels(&line), "{line:?}");
        }
    }

    use super::*;

    fn lines(s: &str) -> Vec<&str> {
        split(s).iter().map(|p| &s[p.start..p.end]).collect()
    }

    #[test]
    fn hand_counts_match_the_patterns() {
        let urls = Regex::new(r#"[^ \t\r\n(\[<"'=]https?://"#).unwrap();
        let stamps = Regex::new(r"[^ \t\r\n0-9(\[:][0-9]{1,2}:[0-9]{2}(?-u:\b)").unwrap();
        for line in [
            "Learn more:https://a.org/ — Ahttps://b.org/ — B (https://c) \"https://d",
            "Chapters00:00 Intro00:34 Two05:32 Three (00:40) 1:00 x 123:45 é1:23 a12:345",
            "HTTP/3https://x.org and :http://y 9:00am x12:00",
            "",
        ] {
            assert_eq!(glued_urls(line), urls.find_iter(line).count(), "{line}");
            assert_eq!(glued_stamps(line), stamps.find_iter(line).count(), "{line}");
        }
    }

    #[test]
    fn detects_flattened_lines() {
        assert!(is_flattened(
            "Learn more:https://a.org/ — Ahttps://b.org/ — B"
        ));
        assert!(is_flattened("Chapters00:00 Intro00:34 Two05:32 Three"));
        assert!(!is_flattened(
            "An ordinary sentence with https://a.org in it."
        ));
        assert!(!is_flattened("00:34 Introduction to Larry Masinter"));
    }

    #[test]
    fn splits_glued_links() {
        let s = "Summary.Learn more:https://a.org/ — Official site from Ahttps://b.org/x — B (1998)RamaIf you like it: https://rama.orgChapters00:00 Intro";
        assert_eq!(
            lines(s),
            [
                "Summary.",
                "Learn more:",
                "https://a.org/ — Official site from A",
                "https://b.org/x — B (1998)",
                "Rama",
                "If you like it: https://rama.org",
                "Chapters",
                "00:00 Intro"
            ]
        );
    }

    #[test]
    fn splits_chapters_by_increasing_reading() {
        let s = "Chapters00:00 Intro32:40 Exploring HTTP/2 and HTTP/334:05 Mask36:14 Web Standards01:05:12 Evolution01:25:09 OutroNetstack.FMMore information: https://n.fm/#episode-17Join our Discord: https://d.gg/29EetaSYCDReach out to us: hello@n.fmMusic by Dj.";
        assert_eq!(
            lines(s),
            [
                "Chapters",
                "00:00 Intro",
                "32:40 Exploring HTTP/2 and HTTP/3",
                "34:05 Mask",
                "36:14 Web Standards",
                "01:05:12 Evolution",
                "01:25:09 Outro",
                "Netstack.FM",
                "More information: https://n.fm/#episode-17",
                "Join our Discord: https://d.gg/29EetaSYCD",
                "Reach out to us: hello@n.fm",
                "Music by Dj."
            ]
        );
    }

    #[test]
    fn url_ranges_answer_by_binary_search() {
        // Sorted by start, overlapping (a glued URL over linkify's).
        let list = vec![(2, 10), (3, 5), (12, 14), (12, 20), (30, 31)];
        let r = Ranges::new(list.clone());
        for at in 0..35 {
            let inside = list.iter().any(|&(s, e)| s < at && at < e);
            assert_eq!(r.inside(at), inside, "{at}");
            for to in at..35 {
                let starting: Vec<_> = list
                    .iter()
                    .copied()
                    .filter(|&(s, _)| s >= at && s < to)
                    .collect();
                assert_eq!(r.starting_in(at, to), starting, "{at}..{to}");
            }
        }
        assert!(!Ranges::new(vec![]).inside(0));
    }

    #[test]
    fn url_glue_rules() {
        let l = "x https://ramaproxy.orgChapters";
        assert_eq!(glued_end(l, 2, l.len(), false), l.find("Chapters").unwrap());
        let l = "https://discord.gg/29EetaSYCDReach out";
        assert_eq!(
            glued_end(l, 0, l.find(' ').unwrap(), false),
            l.find("Reach").unwrap()
        );
        let l = "https://on.soundcloud.com/4MRyPSNj8FZoVGpytj.";
        assert_eq!(glued_end(l, 0, l.len() - 1, false), l.len() - 1);
        let l = "https://example.com/About us";
        assert_eq!(
            glued_end(l, 0, l.find(' ').unwrap(), false),
            l.find(' ').unwrap()
        );
    }
}
