//! Front matter: TOML between `+++` lines or YAML between `---` lines.
//!
//! Notes files are often static-site pages (Hugo, Zola, Jekyll, Eleventy,
//! Astro), whose front matter holds keys for the site: every key shownotes
//! does not own is kept, as written, in [`FrontMatter::extra`] and is never
//! a finding. The owned keys are read leniently where the meaning is plain
//! (`episode = "71"`, `explicit = "yes"`, a date in any common form) and
//! are an error at the key's line only when they can't mean anything.

use serde::Serialize;
use serde_json::Value;

use super::date;
use crate::diagnostic::{Code, Diagnostic};
use crate::source::{Source, Span};

/// The keys shownotes owns; every other key is [`FrontMatter::extra`].
pub(crate) const KEYS: &[&str] = &[
    "title",
    "episode",
    "season",
    "date",
    "audio",
    "guid",
    "url",
    "image",
    "explicit",
    "type",
    "duration",
    "length",
    "shownotes",
];

/// The keys of the `shownotes` table.
const SHOWNOTES_KEYS: &[&str] = &["disable"];

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
    /// RFC 2822, or epoch seconds or milliseconds (see [`super::date`]).
    pub date: Option<String>,
    /// The audio: a file relative to the notes file, or the URL of a
    /// published file.
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
    /// The diagnostic codes this file opts out of (`shownotes.disable`),
    /// each a known code.
    pub disable: Vec<String>,
    /// Every key shownotes does not own, with its value as written (nested
    /// tables such as Zola's `[extra]` and Hugo's `[params]` included):
    /// the templates receive it as `extra`.
    pub extra: serde_json::Map<String, Value>,
}

impl FrontMatter {
    /// `draft = true`, as static-site generators write it (a key of
    /// [`FrontMatter::extra`], not owned): `shownotes feed` leaves the
    /// episode out.
    pub fn draft(&self) -> bool {
        match self.extra.get("draft") {
            Some(Value::Bool(b)) => *b,
            Some(Value::String(s)) => s.trim().eq_ignore_ascii_case("true"),
            _ => false,
        }
    }
}

/// Where the front matter was, and what it held.
#[derive(Clone, Debug, Default)]
pub struct Parsed {
    /// The metadata it held (empty when there was no front matter).
    pub front_matter: FrontMatter,
    /// Byte offset where the body starts.
    pub body_start: usize,
}

/// Reads the front matter at the top of `src`, if any, reporting syntax
/// errors and owned keys whose values can't mean anything, with their line.
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
    // Only owned keys can be findings: only theirs are located.
    let owned: Vec<&str> = entries
        .iter()
        .map(|(k, _)| k.as_str())
        .filter(|k| KEYS.contains(k))
        .collect();
    let spans: Vec<(String, Span)> = owned
        .iter()
        .map(|k| k.to_string())
        .zip(key_spans(content, content_start, &owned))
        .collect();
    for (key, value) in entries {
        if !KEYS.contains(&key.as_str()) {
            fm.extra.insert(key, value);
            continue;
        }
        let span = spans
            .iter()
            .find(|(k, _)| *k == key)
            .map_or(Span::new(content_start, content_start), |&(_, s)| s);
        if key == "shownotes" {
            shownotes(&mut fm, value, content, content_start, diags);
        } else {
            apply(&mut fm, &key, span, value, diags);
        }
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

/// The top-level keys of a TOML front matter, with their values as JSON
/// (dates and times as their TOML text).
fn parse_toml(content: &str, base: usize, diags: &mut Vec<Diagnostic>) -> Vec<(String, Value)> {
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
    table.into_iter().map(|(k, v)| (k, toml_json(v))).collect()
}

/// A TOML value as JSON: dates and times as their TOML text, and the
/// floats JSON has no number for (`nan`, `inf`) as text too.
fn toml_json(v: toml::Value) -> Value {
    match v {
        toml::Value::String(s) => Value::String(s),
        toml::Value::Integer(i) => Value::from(i),
        toml::Value::Float(f) => serde_json::Number::from_f64(f)
            .map_or_else(|| Value::String(f.to_string()), Value::Number),
        toml::Value::Boolean(b) => Value::Bool(b),
        toml::Value::Datetime(d) => Value::String(d.to_string()),
        toml::Value::Array(a) => Value::Array(a.into_iter().map(toml_json).collect()),
        toml::Value::Table(t) => {
            Value::Object(t.into_iter().map(|(k, v)| (k, toml_json(v))).collect())
        }
    }
}

/// The top-level keys of a YAML front matter, with their values.
fn parse_yaml(content: &str, base: usize, diags: &mut Vec<Diagnostic>) -> Vec<(String, Value)> {
    if content.trim().is_empty() {
        return vec![];
    }
    match serde_saphyr::from_str::<std::collections::BTreeMap<String, Value>>(content) {
        Ok(m) => m.into_iter().collect(),
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
            vec![]
        }
    }
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

/// What a value is, for `must be X, not Y`.
fn describe(v: &Value) -> &'static str {
    match v {
        Value::String(_) => "text",
        Value::Number(n) if n.is_i64() || n.is_u64() => "a number",
        Value::Number(_) => "a decimal number",
        Value::Bool(_) => "true or false",
        Value::Null => "empty",
        Value::Array(_) => "a list",
        Value::Object(_) => "a table",
    }
}

/// A value as the user wrote it, for a message: text as is, the rest as
/// JSON.
fn shown(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

/// A whole number 0 or more written as a number (`17`, `17.0`) or as
/// text (`"17"`, `" 17 "`).
fn whole_number(v: &Value) -> Option<u64> {
    match v {
        Value::Number(n) => n.as_u64().or_else(|| {
            n.as_f64()
                .filter(|f| f.fract() == 0.0 && *f >= 0.0 && *f <= u32::MAX as f64)
                .map(|f| f as u64)
        }),
        Value::String(s) => {
            let t = s.trim();
            (!t.is_empty() && t.bytes().all(|b| b.is_ascii_digit()))
                .then(|| t.parse().ok())
                .flatten()
        }
        _ => None,
    }
}

/// `explicit` as podcast feeds and producers write it: `true`/`false`,
/// and the older `yes`/`no`/`clean`/`explicit` of `<itunes:explicit>`.
fn explicit(v: &Value) -> Option<bool> {
    match v {
        Value::Bool(b) => Some(*b),
        Value::String(s) => match s.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "explicit" => Some(true),
            "false" | "no" | "clean" => Some(false),
            _ => None,
        },
        _ => None,
    }
}

/// A playing time in milliseconds: seconds as a number (`3723`,
/// `3723.5`), or text `HH:MM:SS`, `MM:SS` or seconds, with an optional
/// fraction of a second (`<itunes:duration>` takes the same forms). The
/// first field may exceed 59 (`75:00`); the others may not.
fn duration_ms(v: &Value) -> Option<u64> {
    /// The longest accepted: 1,000 days.
    const MAX_MS: u64 = 1000 * 86_400_000;
    let ms = match v {
        Value::Number(n) => {
            let secs = n.as_f64()?;
            (secs.is_finite() && secs >= 0.0).then(|| (secs * 1000.0).round() as u64)?
        }
        Value::String(s) => {
            let t = s.trim();
            let (clock, frac) = match t.split_once('.') {
                Some((c, f)) => (c, Some(f)),
                None => (t, None),
            };
            let fields: Vec<&str> = clock.split(':').collect();
            if fields.len() > 3 {
                return None;
            }
            let mut secs: u64 = 0;
            for (i, f) in fields.iter().enumerate() {
                if f.is_empty() || f.len() > 9 || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let n: u64 = f.parse().ok()?;
                if i > 0 && (f.len() > 2 || n > 59) {
                    return None;
                }
                secs = secs * 60 + n;
            }
            let mut ms = secs.checked_mul(1000)?;
            if let Some(f) = frac {
                if f.is_empty() || !f.bytes().all(|b| b.is_ascii_digit()) {
                    return None;
                }
                let digits: String = f.chars().chain("000".chars()).take(3).collect();
                ms += digits.parse::<u64>().ok()?;
            }
            ms
        }
        _ => return None,
    };
    (ms <= MAX_MS).then_some(ms)
}

/// Text that can stand for an owned key's value: text as is, numbers
/// and booleans as written (a YAML `title: 1984`). `None` for lists and
/// tables.
fn text_of(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

fn apply(fm: &mut FrontMatter, key: &str, span: Span, value: Value, diags: &mut Vec<Diagnostic>) {
    // An empty value (`image = ""`, YAML `image:`) is a key left unset,
    // as site generators treat it.
    match &value {
        Value::Null => return,
        Value::String(s) if s.trim().is_empty() => return,
        _ => {}
    }
    let wrong = |expected: &str, got: &Value| {
        Diagnostic::new(
            Code::FrontMatterInvalid,
            match got {
                Value::String(_) | Value::Number(_) | Value::Bool(_) => {
                    format!("`{key}` must be {expected}, not `{}`", shown(got))
                }
                _ => format!("`{key}` must be {expected}, not {}", describe(got)),
            },
        )
        .at(span)
    };
    match key {
        "date" => {
            // Text, a TOML date-time, or epoch seconds or milliseconds.
            let text = match &value {
                Value::String(s) => s.clone(),
                Value::Number(n) if n.is_u64() => n.to_string(),
                other => {
                    diags.push(wrong("a date", other).help(date::FORMS_HELP));
                    return;
                }
            };
            match date::Date::parse(&text) {
                Ok(_) => fm.date = Some(text),
                Err(why) => diags.push(date_error(&text, &why, span)),
            }
        }
        "title" => match text_of(&value) {
            Some(s) => fm.title = Some(s),
            None => diags.push(
                wrong("text", &value).help("write the title as text: `title = \"...\"`"),
            ),
        },
        // An RSS guid is any string that identifies the episode
        // (`urn:uuid:...`, a tag, a URL, a number), but never a script URL.
        "guid" => match text_of(&value) {
            Some(s) if crate::links::is_script_like(&s) => diags.push(
                crate::links::Problem::Disguised("reads as a script URL, which a feed reader could follow")
                    .diagnostic(&s, Some(span))
                    .help("use an opaque identifier (`urn:uuid:...`) or the episode's `https://` address as the `guid`"),
            ),
            Some(s) => fm.guid = Some(s),
            None => diags.push(wrong("text", &value).help("quote the value: `guid = \"...\"`")),
        },
        "audio" | "url" | "image" => {
            let Value::String(s) = value else {
                diags.push(wrong("text", &value).help(format!("quote the value: `{key} = \"...\"`")));
                return;
            };
            // As written: the URL gate refuses one disguised with
            // surrounding white space.
            match key {
                "audio" => fm.audio = Some(s),
                // URLs reach the outputs: they pass the URL gate or are errors.
                _ => match crate::links::gate(&s) {
                    Ok(u) if key == "url" => fm.url = Some(u),
                    Ok(u) => fm.image = Some(u),
                    Err(p) => diags.push(p.diagnostic(&s, Some(span))),
                },
            }
        }
        "type" => {
            let t = text_of(&value).map(|s| s.trim().to_ascii_lowercase());
            match t {
                Some(t) if ["full", "trailer", "bonus"].contains(&t.as_str()) => {
                    fm.episode_type = Some(t);
                }
                _ => diags.push(
                    Diagnostic::new(
                        Code::FrontMatterInvalid,
                        format!("`type` `{}` is not an episode type", shown(&value)),
                    )
                    .at(span)
                    .help("use `full`, `trailer` or `bonus`"),
                ),
            }
        }
        "episode" | "season" => match whole_number(&value).filter(|&n| n <= u64::from(u32::MAX)) {
            Some(n) if key == "episode" => fm.episode = Some(n),
            Some(n) => fm.season = Some(n),
            None => diags.push(
                wrong("a whole number, 0 or more", &value).help(format!("write `{key} = 17`")),
            ),
        },
        "explicit" => match explicit(&value) {
            Some(b) => fm.explicit = Some(b),
            None => diags.push(
                wrong("true or false", &value)
                    .help("write `explicit = true` or `explicit = false` (`yes`, `no` and `clean` are read too)"),
            ),
        },
        "duration" => match duration_ms(&value) {
            Some(ms) => fm.duration_ms = Some(ms),
            None => diags.push(
                wrong("a playing time", &value)
                    .help("write `duration = \"01:02:03\"` (`HH:MM:SS`), `\"62:03\"` (`MM:SS`) or seconds (`3723`)"),
            ),
        },
        "length" => match whole_number(&value) {
            Some(n) => fm.length = Some(n),
            None => diags.push(
                wrong("a number of bytes", &value)
                    .help("write the audio file's size in bytes: `length = 48213705`"),
            ),
        },
        _ => {}
    }
}

/// The `shownotes` table: `disable`, the codes this file opts out of.
/// Its keys are shownotes' own, so an unknown one is an error (with the
/// nearest key), and so is an unknown code (with the nearest code).
fn shownotes(
    fm: &mut FrontMatter,
    value: Value,
    content: &str,
    base: usize,
    diags: &mut Vec<Diagnostic>,
) {
    let table_at = table_start(content);
    let at = |from: usize, word: &str| -> Span {
        word_span(content, base, from, word).unwrap_or(Span::new(base + from, base + from))
    };
    let Value::Object(table) = value else {
        if value.is_null() {
            return;
        }
        diags.push(
            Diagnostic::new(
                Code::FrontMatterInvalid,
                format!("`shownotes` must be a table, not {}", describe(&value)),
            )
            .at(at(table_at, "shownotes"))
            .help("write `[shownotes]` and `disable = [\"link-insecure\"]` below it (TOML), or `shownotes:` and `  disable: [link-insecure]` (YAML)"),
        );
        return;
    };
    for (key, v) in table {
        let key_span = at(table_at, &key);
        if key != "disable" {
            diags.push(unknown_key(
                &format!("shownotes.{key}"),
                &key,
                SHOWNOTES_KEYS,
                key_span,
            ));
            continue;
        }
        let items: Vec<Value> = match v {
            Value::Array(a) => a,
            Value::Null => vec![],
            one @ Value::String(_) => vec![one],
            other => {
                diags.push(
                    Diagnostic::new(
                        Code::FrontMatterInvalid,
                        format!(
                            "`shownotes.disable` must be a list of codes, not {}",
                            describe(&other)
                        ),
                    )
                    .at(key_span)
                    .help("write `disable = [\"link-insecure\"]`"),
                );
                continue;
            }
        };
        // Each code is looked for after the one before: one pass over the
        // list, whatever its length.
        let mut cursor = key_span.end.saturating_sub(base);
        for item in items {
            let Value::String(code) = item else {
                diags.push(
                    Diagnostic::new(
                        Code::FrontMatterInvalid,
                        format!("`shownotes.disable` lists {}, not a code", describe(&item)),
                    )
                    .at(key_span)
                    .help("write the codes as text: `disable = [\"link-insecure\"]`"),
                );
                continue;
            };
            let span = word_span(content, base, cursor, &code);
            if let Some(s) = span {
                cursor = s.end - base;
            }
            if Code::ALL.iter().any(|c| c.as_str() == code) {
                if !fm.disable.contains(&code) {
                    fm.disable.push(code);
                }
                continue;
            }
            let codes: Vec<&str> = Code::ALL.iter().map(|c| c.as_str()).collect();
            diags.push(unknown_code(&code, &codes, span.unwrap_or(key_span)));
        }
    }
}

/// Where the `shownotes` table starts in `content`: its `[shownotes]`
/// header, its `shownotes:` or `shownotes =` line, or its first dotted
/// `shownotes.` key; 0 when no line says.
fn table_start(content: &str) -> usize {
    let mut offset = 0;
    for line in content.split_inclusive('\n') {
        let t = line.trim_start().trim_start_matches(['"', '\'']);
        let t = t.strip_prefix('[').map_or(t, str::trim_start);
        if let Some(rest) = t.strip_prefix("shownotes") {
            let rest = rest.trim_start_matches(['"', '\'']).trim_start();
            if rest.starts_with([':', '=', '.', ']']) {
                return offset;
            }
        }
        offset += line.len();
    }
    0
}

/// The first place at or after byte `from` of `content` where `word`
/// stands whole: neither letter, digit, `-` nor `_` on either side.
fn word_span(content: &str, base: usize, from: usize, word: &str) -> Option<Span> {
    if word.is_empty() {
        return None;
    }
    let part = |c: char| c.is_alphanumeric() || c == '-' || c == '_';
    let mut from = from.min(content.len());
    while !content.is_char_boundary(from) {
        from += 1;
    }
    for (i, _) in content[from..].match_indices(word) {
        let start = from + i;
        let end = start + word.len();
        let before = content[..start].chars().next_back();
        let after = content[end..].chars().next();
        if !before.is_some_and(part) && !after.is_some_and(part) {
            return Some(Span::new(base + start, base + end));
        }
    }
    None
}

/// `unknown front matter key`, with the nearest of `keys` when one is
/// near (`name` is the key as shown, `key` as compared).
fn unknown_key(name: &str, key: &str, keys: &[&str], span: Span) -> Diagnostic {
    let d = Diagnostic::new(
        Code::FrontMatterInvalid,
        format!("unknown front matter key `{name}`"),
    )
    .at(span)
    .label("not a key of `shownotes`");
    match nearest(key, keys) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help(format!("the keys of `shownotes` are {}", list(keys))),
    }
}

/// An unknown code in `shownotes.disable`, with the nearest code when one
/// is near.
fn unknown_code(code: &str, codes: &[&str], span: Span) -> Diagnostic {
    let d = Diagnostic::new(
        Code::FrontMatterInvalid,
        format!("`shownotes.disable` names `{code}`, which is not a diagnostic code"),
    )
    .at(span)
    .label("not a code");
    match nearest(code, codes) {
        Some(s) => d.help(format!("did you mean `{s}`?")),
        None => d.help("use a code as `shownotes check` prints it, such as `link-insecure`"),
    }
}

/// The word of `words` nearest to `word`, when it is 2 edits or fewer
/// away.
fn nearest<'a>(word: &str, words: &[&'a str]) -> Option<&'a str> {
    // Only a distance of 2 or less makes a suggestion: a word that cannot
    // be that near (by its letters) counts as 3 without measuring.
    let letters = ascii_letters(word);
    words
        .iter()
        .map(
            |k| match may_be_within_two(k, letters) && within_two_by_letters(k, word) {
                true => (edit_distance(k, word), *k),
                false => (3, *k),
            },
        )
        .min_by_key(|&(d, _)| d)
        .filter(|&(d, _)| d <= 2)
        .map(|(_, k)| k)
}

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
