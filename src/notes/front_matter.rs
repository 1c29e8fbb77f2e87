//! Front matter: TOML between `+++` lines or YAML between `---` lines.

use serde::Serialize;

use super::date;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Source, Span};

/// The front matter keys (the README's "The notes file"), and nothing else.
pub(crate) const KEYS: &[&str] = &[
    "title", "episode", "season", "date", "audio", "guid", "url", "image", "explicit", "type",
    "duration", "length", "draft",
];

/// The episode's metadata from the front matter.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct FrontMatter {
    /// The episode's title.
    pub title: Option<String>,
    /// The episode number.
    pub episode: Option<u64>,
    /// The season number.
    pub season: Option<u64>,
    /// A real date as written: RFC 3339 (`2025-12-09`, a date-time),
    /// RFC 2822, or epoch milliseconds (see [`super::date`]).
    pub date: Option<String>,
    /// The audio file, relative to the notes file.
    pub audio: Option<String>,
    /// The RSS `<guid>`: a stable identifier for the episode.
    pub guid: Option<String>,
    /// The episode's page.
    pub url: Option<String>,
    /// The episode's artwork URL.
    pub image: Option<String>,
    /// Whether the episode has explicit content (`<itunes:explicit>`).
    pub explicit: Option<bool>,
    /// `full`, `trailer` or `bonus`.
    #[serde(rename = "type")]
    pub episode_type: Option<String>,
    /// The audio's playing time in milliseconds, for audio shownotes can't
    /// measure (a URL): `duration` as `HH:MM:SS`, `MM:SS` or seconds.
    pub duration_ms: Option<u64>,
    /// The audio's size in bytes (`<enclosure length>`), for audio
    /// shownotes can't measure (a URL).
    pub length: Option<u64>,
    /// `draft = true`, as static-site generators write it: `shownotes
    /// feed` leaves the episode out.
    pub draft: Option<bool>,
}

/// Where the front matter was, and what it held.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// The metadata it held (empty when there was no front matter).
    pub front_matter: FrontMatter,
    /// Byte offset where the body starts.
    pub body_start: usize,
}

/// A value read from either syntax, before it is checked against the keys.
enum Value {
    Str(String),
    Int(i128),
    Bool(bool),
    Other(&'static str),
}

/// Reads the front matter at the top of `src`, if any, reporting syntax
/// errors, unknown keys and wrongly typed values with their line.
pub fn parse(src: &Source, diags: &mut Vec<Diagnostic>) -> Parsed {
    let text = &src.text;
    let first = src.line_text(1);
    let fence = match first.trim_end() {
        "+++" => "+++",
        "---" => "---",
        _ => return Parsed::default(),
    };
    let (_, first_end) = src.line_range(1);
    let content_start = (first_end + 1).min(text.len());
    // Find the closing fence line.
    let mut pos = content_start;
    let mut close = None;
    while pos < text.len() {
        let end = text[pos..].find('\n').map_or(text.len(), |i| pos + i);
        if text[pos..end].trim_end() == fence {
            close = Some((pos, (end + 1).min(text.len())));
            break;
        }
        pos = end + 1;
    }
    let Some((close_start, body_start)) = close else {
        diags.push(
            Diagnostic::new(
                Code::FrontMatterInvalid,
                format!("the front matter opened with `{fence}` never closes"),
            )
            .at(Span::new(0, fence.len()))
            .label("opened here")
            .help(format!(
                "add a line `{fence}` after the last front matter key, or remove this line"
            )),
        );
        return Parsed {
            front_matter: FrontMatter::default(),
            body_start: content_start,
        };
    };
    let content = &text[content_start..close_start];
    let entries = if fence == "+++" {
        parse_toml(content, content_start, diags)
    } else {
        parse_yaml(content, content_start, diags)
    };
    let mut fm = FrontMatter::default();
    for (key, span, value) in entries {
        apply(&mut fm, &key, span, value, diags);
    }
    Parsed {
        front_matter: fm,
        body_start,
    }
}

/// Where `key` is set in the front matter of `src`, if it is.
pub(crate) fn locate(src: &Source, key: &str) -> Option<Span> {
    let mut diags = Vec::new();
    let parsed = parse(src, &mut diags);
    let (_, first_end) = src.line_range(1);
    let start = (first_end + 1).min(src.text.len());
    let end = parsed.body_start.max(start);
    let span = key_span(&src.text[start..end], start, key);
    (span.end > span.start).then_some(span)
}

/// The span of `key` as it starts a line of `content` (`key =` / `key:`).
fn key_span(content: &str, base: usize, key: &str) -> Span {
    key_spans(content, base, &[key])[0]
}

/// The span of each of `keys` where it first starts a line of `content`
/// (`key =`, `"key" =`, `key:`), or an empty span at `base` when no line
/// starts with it. One pass over the lines, whatever the number of keys:
/// each line walks down the keys sorted by bytes (a binary search per
/// byte), so 30,000 keys cost no more than one each.
fn key_spans(content: &str, base: usize, keys: &[&str]) -> Vec<Span> {
    let mut spans = vec![None; keys.len()];
    let mut sorted: Vec<(&[u8], usize)> = keys
        .iter()
        .enumerate()
        .map(|(i, k)| (k.as_bytes(), i))
        .collect();
    sorted.sort_unstable();
    let mut left = keys.len();
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        if left == 0 {
            break;
        }
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        let bare = trimmed.trim_start_matches(['"', '\'']);
        let at = base + offset + indent + (trimmed.len() - bare.len());
        let b = bare.as_bytes();
        // `sorted[lo..hi]`: the keys that begin with `b[..d]`; a key of
        // exactly `d` bytes sorts first among them.
        let (mut lo, mut hi) = (0, sorted.len());
        let mut assigns = Assigns::default();
        for d in 0..=b.len() {
            if lo == hi {
                break;
            }
            let (key, i) = sorted[lo];
            if key.len() == d && spans[i].is_none() && assigns.at(bare, d) {
                spans[i] = Some(Span::new(at, at + d));
                left -= 1;
            }
            let Some(&c) = b.get(d) else { break };
            let run = &sorted[lo..hi];
            let from = run.partition_point(|(k, _)| k.len() == d || k[d] < c);
            let to = run.partition_point(|(k, _)| k.len() == d || k[d] <= c);
            (lo, hi) = (lo + from, lo + to);
        }
        offset += line.len();
    }
    spans
        .into_iter()
        .map(|s| s.unwrap_or(Span::new(base, base)))
        .collect()
}

/// Whether `=` or `:` follows a key ending at byte `d` of a line (after
/// closing quotes, then blanks). Remembers the last answer: the keys of
/// one line that are prefixes of each other (`a`, `a "`) share the quotes
/// and blanks after them, so each byte is skipped once.
#[derive(Default)]
struct Assigns {
    /// The answer for keys ending before `until` (past the last one asked).
    until: usize,
    answer: bool,
}

impl Assigns {
    fn at(&mut self, bare: &str, d: usize) -> bool {
        if d >= self.until {
            let rest = &bare[d..];
            let unquoted = rest.trim_start_matches(['"', '\'']);
            let after = unquoted.trim_start();
            // Keys ending from `d` up to (not at) the first byte that is
            // neither quote nor blank get the same answer; one ending at
            // that byte skips from there.
            self.until = d + (rest.len() - after.len());
            self.answer = after.starts_with('=') || after.starts_with(':');
        }
        self.answer
    }
}

fn parse_toml(
    content: &str,
    base: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Span, Value)> {
    let table: toml::Table = match toml::from_str(content) {
        Ok(t) => t,
        Err(e) => {
            let span = e.span().map_or(Span::new(base, base), |r| {
                Span::new(base + r.start, base + r.end)
            });
            if let Some(d) = e
                .span()
                .and_then(|r| toml_date_error(content, base, r.start))
            {
                diags.push(d);
                return vec![];
            }
            diags.push(
                Diagnostic::new(
                    Code::FrontMatterInvalid,
                    format!("the TOML front matter does not parse: {}", e.message()),
                )
                .at(span)
                .help("front matter keys look like `title = \"Episode title\"` and `episode = 17`"),
            );
            return vec![];
        }
    };
    let keys: Vec<&str> = table.keys().map(String::as_str).collect();
    let spans = key_spans(content, base, &keys);
    table
        .into_iter()
        .zip(spans)
        .map(|((k, v), span)| {
            let value = match v {
                toml::Value::String(s) => Value::Str(s),
                toml::Value::Integer(i) => Value::Int(i as i128),
                toml::Value::Boolean(b) => Value::Bool(b),
                toml::Value::Datetime(d) => Value::Str(d.to_string()),
                toml::Value::Float(_) => Value::Other("a decimal number"),
                toml::Value::Array(_) => Value::Other("a list"),
                toml::Value::Table(_) => Value::Other("a table"),
            };
            (k, span, value)
        })
        .collect()
}

fn parse_yaml(
    content: &str,
    base: usize,
    diags: &mut Vec<Diagnostic>,
) -> Vec<(String, Span, Value)> {
    if content.trim().is_empty() {
        return vec![];
    }
    let map: std::collections::BTreeMap<String, serde_json::Value> =
        match serde_saphyr::from_str(content) {
            Ok(m) => m,
            Err(e) => {
                let msg = e.to_string();
                let first = msg.lines().next().unwrap_or("").trim().to_string();
                diags.push(
                    Diagnostic::new(
                        Code::FrontMatterInvalid,
                        format!("the YAML front matter does not parse: {first}"),
                    )
                    .at(yaml_error_span(&msg, content, base))
                    .help("front matter keys look like `title: Episode title` and `episode: 17`"),
                );
                return vec![];
            }
        };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    let spans = key_spans(content, base, &keys);
    map.into_iter()
        .zip(spans)
        .map(|((k, v), span)| {
            let value = match v {
                serde_json::Value::String(s) => Value::Str(s),
                serde_json::Value::Number(n) => match n.as_i64() {
                    Some(i) => Value::Int(i as i128),
                    None => Value::Other("a decimal number"),
                },
                serde_json::Value::Bool(b) => Value::Bool(b),
                serde_json::Value::Null => Value::Other("empty"),
                serde_json::Value::Array(_) => Value::Other("a list"),
                serde_json::Value::Object(_) => Value::Other("a mapping"),
            };
            (k, span, value)
        })
        .collect()
}

/// serde-saphyr reports `line L column C` in its message; point there.
fn yaml_error_span(msg: &str, content: &str, base: usize) -> Span {
    static LC: std::sync::LazyLock<regex::Regex> =
        std::sync::LazyLock::new(|| regex::Regex::new(r"line ([0-9]+),? column ([0-9]+)").unwrap());
    let Some(c) = LC.captures(msg) else {
        return Span::new(base, base);
    };
    let line: usize = c[1].parse().unwrap_or(1);
    let col: usize = c[2].parse().unwrap_or(1);
    let mut offset = 0;
    for (i, l) in content.split_inclusive('\n').enumerate() {
        if i + 1 == line {
            let col_off: usize = l
                .chars()
                .take(col.saturating_sub(1))
                .map(char::len_utf8)
                .sum();
            return Span::new(base + offset + col_off, base + offset + col_off);
        }
        offset += l.len();
    }
    Span::new(base, base)
}

fn apply(fm: &mut FrontMatter, key: &str, span: Span, value: Value, diags: &mut Vec<Diagnostic>) {
    let wrong = |expected: &str, got: &str| {
        Diagnostic::new(
            Code::FrontMatterInvalid,
            format!("`{key}` must be {expected}, not {got}"),
        )
        .at(span)
    };
    let describe = |v: &Value| -> &'static str {
        match v {
            Value::Str(_) => "text",
            Value::Int(_) => "a number",
            Value::Bool(_) => "true or false",
            Value::Other(what) => what,
        }
    };
    match key {
        "date" => {
            // Text, a TOML date-time, or epoch milliseconds (a number).
            let text = match value {
                Value::Str(s) => s,
                Value::Int(i) => i.to_string(),
                other => {
                    let got = describe(&other);
                    diags.push(wrong("a date", got).help(date::FORMS_HELP));
                    return;
                }
            };
            match date::Date::parse(&text) {
                Ok(_) => fm.date = Some(text),
                Err(why) => diags.push(date_error(&text, &why, span)),
            }
        }
        "title" | "audio" | "guid" | "url" | "image" | "type" => {
            let Value::Str(s) = value else {
                let got = describe(&value);
                diags.push(wrong("text", got).help(format!("quote the value: `{key} = \"...\"`")));
                return;
            };
            match key {
                "title" => fm.title = Some(s),
                "audio" => fm.audio = Some(s),
                // An RSS guid is any string that identifies the episode
                // (`urn:uuid:...`, a tag, a URL), but never a script URL.
                "guid" if crate::links::is_script_like(&s) => diags.push(
                    crate::links::Problem::Disguised("reads as a script URL, which a feed reader could follow")
                        .diagnostic(&s, Some(span))
                        .help("use an opaque identifier (`urn:uuid:...`) or the episode's `https://` address as the `guid`"),
                ),
                "guid" => fm.guid = Some(s),
                // URLs reach the outputs: they pass the URL gate or are errors.
                "url" | "image" => match crate::links::gate(&s) {
                    Ok(u) if key == "url" => fm.url = Some(u),
                    Ok(u) => fm.image = Some(u),
                    Err(p) => diags.push(p.diagnostic(&s, Some(span))),
                },
                _ => {
                    if ["full", "trailer", "bonus"].contains(&s.as_str()) {
                        fm.episode_type = Some(s);
                    } else {
                        diags.push(
                            Diagnostic::new(
                                Code::FrontMatterInvalid,
                                format!("`type` `{s}` is not an episode type"),
                            )
                            .at(span)
                            .help("use `full`, `trailer` or `bonus`"),
                        );
                    }
                }
            }
        }
        "episode" | "season" => match value {
            Value::Int(i) if (0..=u32::MAX as i128).contains(&i) => {
                if key == "episode" {
                    fm.episode = Some(i as u64);
                } else {
                    fm.season = Some(i as u64);
                }
            }
            other => {
                let got = describe(&other);
                diags.push(
                    wrong("a whole number, 0 or more", got).help(format!("write `{key} = 17`")),
                );
            }
        },
        "duration" => {
            let ms = match &value {
                Value::Int(i) if (0..=u32::MAX as i128).contains(i) => Some(*i as u64 * 1000),
                Value::Str(s) => crate::timestamp::Timestamp::parse(s.trim())
                    .ok()
                    .map(|t| t.as_ms())
                    .or_else(|| s.trim().parse::<u64>().ok().map(|n| n * 1000)),
                _ => None,
            };
            match ms {
                Some(ms) => fm.duration_ms = Some(ms),
                None => {
                    let got = describe(&value);
                    diags.push(
                        wrong("a playing time", got)
                            .help("write `duration = \"01:02:03\"` or seconds"),
                    );
                }
            }
        }
        "length" => match value {
            Value::Int(i) if (0..=u64::MAX as i128).contains(&i) => fm.length = Some(i as u64),
            other => {
                let got = describe(&other);
                diags.push(wrong("a size in bytes", got).help("write `length = 34216300`"));
            }
        },
        "explicit" | "draft" => match value {
            Value::Bool(b) if key == "draft" => fm.draft = Some(b),
            Value::Bool(b) => fm.explicit = Some(b),
            other => {
                let got = describe(&other);
                diags.push(wrong("true or false", got).help(format!("write `{key} = false`")));
            }
        },
        _ => diags.push(unknown_key(key, span)),
    }
}

/// `unknown front matter key`, with the nearest key when one is near.
fn unknown_key(key: &str, span: Span) -> Diagnostic {
    // Only a distance of 2 or less makes a suggestion: a key that cannot
    // be that near (by its letters) counts as 3 without measuring.
    let letters = ascii_letters(key);
    let suggestion = KEYS
        .iter()
        .map(
            |k| match may_be_within_two(k, letters) && within_two_by_letters(k, key) {
                true => (edit_distance(k, key), k),
                false => (3, k),
            },
        )
        .min_by_key(|&(d, _)| d)
        .filter(|&(d, _)| d <= 2)
        .map(|(_, k)| k);
    let d = Diagnostic::new(
        Code::FrontMatterInvalid,
        format!("unknown front matter key `{key}`"),
    )
    .at(span)
    .label("not a front matter key");
    match suggestion {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(KEYS_HELP.as_str()),
    }
}

/// The help of an unknown key without a near miss, made once (a front
/// matter may hold thousands of unknown keys).
static KEYS_HELP: std::sync::LazyLock<String> =
    std::sync::LazyLock::new(|| format!("the keys are {}", list(KEYS)));

fn list(keys: &[&str]) -> String {
    keys.iter()
        .map(|k| format!("`{k}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

/// `date` that is not a real date: the value and why, at the key.
fn date_error(text: &str, why: &str, span: Span) -> Diagnostic {
    Diagnostic::new(
        Code::FrontMatterInvalid,
        format!("`date` `{text}` is not a date: {why}"),
    )
    .at(span)
    .label("not a date")
    .help(date::FORMS_HELP)
}

/// A TOML date-time the TOML parser refused (`date = 2025-02-30`): when
/// the error is on a `date = ...` line, the date error with the reason,
/// at the key, instead of the parser's message.
fn toml_date_error(content: &str, base: usize, at: usize) -> Option<Diagnostic> {
    let start = content[..at.min(content.len())]
        .rfind('\n')
        .map_or(0, |i| i + 1);
    let end = content[start..]
        .find('\n')
        .map_or(content.len(), |i| start + i);
    let line = &content[start..end];
    let indent = line.len() - line.trim_start().len();
    let rest = line.trim_start().strip_prefix("date")?;
    let value = rest.trim_start().strip_prefix('=')?;
    let value = value.split('#').next().unwrap_or("").trim();
    let why = date::Date::parse(value).err()?;
    let key = Span::new(base + start + indent, base + start + indent + "date".len());
    Some(date_error(value, &why, key))
}

/// The Levenshtein distance, in characters; only a distance of 2 or less
/// matters (a suggestion), so a longer word answers 3 at once.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    // Every unknown key is measured against every known key: the cheap
    // refusals come first and nothing is allocated for short words (a
    // front matter of 50,000 generated keys spent most of its check here).
    let a_len = a.chars().count();
    if b.len() > 4 * (a_len + 2) {
        // More than `a_len + 2` characters (of at most 4 bytes each).
        return 3;
    }
    let b_len = b.chars().count();
    if b_len.abs_diff(a_len) > 2 {
        return 3;
    }
    /// Words up to this many characters are measured on the stack.
    const SHORT: usize = 32;
    if b_len < SHORT {
        let mut prev = [0usize; SHORT + 1];
        let mut cur = [0usize; SHORT + 1];
        levenshtein(a, b, b_len, &mut prev, &mut cur)
    } else {
        let (mut prev, mut cur) = (vec![0; b_len + 1], vec![0; b_len + 1]);
        levenshtein(a, b, b_len, &mut prev, &mut cur)
    }
}

/// The set of bytes of `word` when it is ASCII (bit `b` for byte `b`).
fn ascii_letters(word: &str) -> Option<u128> {
    word.is_ascii()
        .then(|| word.bytes().fold(0u128, |set, b| set | 1 << b))
}

/// Whether `a` may be within an edit distance of 2 of a word whose ASCII
/// bytes are `letters`: each character of `a` missing from that word
/// takes an edit of its own (a deletion or a substitution), so three
/// missing characters mean at least three edits. One lookup per byte of
/// `a`; words that are not ASCII are always measured.
fn may_be_within_two(a: &str, letters: Option<u128>) -> bool {
    let Some(set) = letters.filter(|_| a.is_ascii()) else {
        return true;
    };
    a.bytes().filter(|&b| set & (1 << b) == 0).count() <= 2
}

/// Whether `a` and `b` may be within an edit distance of 2, judged by
/// their letters alone: one edit changes the count of at most two letters
/// by one each, so when the counts differ by more than 4 in all, at least
/// 3 edits are needed. Cheap (no allocation) where [`edit_distance`] is
/// not; words that are not ASCII are always measured.
fn within_two_by_letters(a: &str, b: &str) -> bool {
    if a.len().abs_diff(b.len()) > 2 * 4 {
        // One edit changes the length by 4 bytes at most.
        return false;
    }
    if !a.is_ascii() || !b.is_ascii() || a.len() + b.len() > 100 {
        return true;
    }
    if a.len().abs_diff(b.len()) > 2 {
        // ASCII: bytes are characters.
        return false;
    }
    // Counts stay within ±100: `i8` cells, a 128-byte table.
    let mut diff = [0i8; 128];
    for c in a.bytes() {
        diff[usize::from(c)] += 1;
    }
    for c in b.bytes() {
        diff[usize::from(c)] -= 1;
    }
    let mut off = 0u32;
    for c in a.bytes().chain(b.bytes()) {
        off += u32::from(diff[usize::from(c)].unsigned_abs());
        diff[usize::from(c)] = 0;
    }
    off <= 4
}

/// The Levenshtein distance of `a` and `b` (`b_len` characters), with two
/// rows of at least `b_len + 1` cells.
fn levenshtein(a: &str, b: &str, b_len: usize, prev: &mut [usize], cur: &mut [usize]) -> usize {
    let (mut prev, mut cur) = (prev, cur);
    for (j, cell) in prev.iter_mut().enumerate().take(b_len + 1) {
        *cell = j;
    }
    for (i, ca) in a.chars().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.chars().enumerate() {
            let cost = usize::from(ca != cb);
            cur[j + 1] = (prev[j] + cost).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b_len]
}

#[cfg(test)]
mod tests;
