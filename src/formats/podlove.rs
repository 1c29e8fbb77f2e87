//! Podlove Web Player JSON chapters: `[{"start": "00:00:00.000", "title":
//! "Intro", "href": "...", "image": "..."}]`.
//!
//! Source: the Podlove Web Player 5 configuration
//! (docs.podlove.org/podlove-web-player/v5/configuration): `chapters` is a
//! list of `{start, title, href, image}`, or the URL of a JSON file holding
//! that list; podlove/ui `packages/player/sagas/chapters.js` reads each
//! entry and `packages/utils/time.js` `toPlayerTime` its `start`: text
//! `HH:MM:SS.mmm` (or `MM:SS`, `SS`), or a number of **milliseconds**. The
//! player's sample files write `"href": ""` and `"image": ""` for none. A
//! chapter's end is the next one's start (the last one's, the audio's end).
//!
//! Written as the bare list (what the player loads from a chapters URL);
//! read from the bare list or from an episode configuration, which holds
//! the list under `chapters`. Podcasting 2.0 JSON (`{"version": ...,
//! "chapters": [{"startTime": 0}]}`) is the `json` format, never this one.

use serde::{Deserialize, Serialize};
use serde_json::value::RawValue;
use serde_json::Value;

use super::clock::parse_npt;
use super::line::invalid;
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::error::Result;
use crate::source::{Source, Span};
use crate::timestamp::{Style, Timestamp};

/// Podlove Web Player JSON chapters.
pub const PODLOVE_JSON: Format = Format::new(&PodloveJson);

struct PodloveJson;

impl ChapterFormat for PodloveJson {
    fn name(&self) -> &'static str {
        "podlove-json"
    }

    fn about(&self) -> &'static str {
        "Podlove Web Player JSON chapters (`[{\"start\": \"00:00:00.000\", \"title\": ...}]`)"
    }

    /// `episode.podlove.json`: a plain `.json` is Podcasting 2.0 JSON when
    /// naming an output; when reading, the content tells the two apart.
    fn extension(&self) -> &'static str {
        "podlove.json"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["json"]
    }

    /// A JSON list of chapters with `start`, or an object whose `chapters`
    /// list has them (90: above Podcasting 2.0 JSON's `{`); a broken file
    /// that opens as a list of objects, 60 (so that its error is a JSON
    /// one).
    fn sniff(&self, head: &Head<'_>) -> u8 {
        let text = head.text();
        if !(text.starts_with('[') || text.starts_with('{')) {
            return 0;
        }
        let Ok(whole) = std::str::from_utf8(head.bytes()) else {
            return 0;
        };
        let whole = whole.trim_start_matches('\u{feff}');
        match serde_json::from_str::<Probe>(whole) {
            Ok(Probe::List(_)) => 90,
            Ok(Probe::Object { chapters }) if !chapters.is_empty() => 90,
            Ok(Probe::Object { .. }) => 0,
            Err(_) if text.starts_with('[') && text[1..].trim_start().starts_with(['{', ']']) => {
                60
            }
            Err(_) => 0,
        }
    }

    fn capabilities(&self) -> Capabilities {
        Capabilities {
            urls: true,
            ..Capabilities::TEXT
        }
    }

    fn read(&self, input: &Input<'_>) -> Result<Parsed> {
        read(&*input.text()?).map(Parsed::new)
    }

    fn write(&self, chapters: &[Chapter], _: &WriteOptions<'_>) -> Result<String> {
        Ok(write(chapters))
    }
}

/// What sniffing looks for: chapters that have a `start` (Podcasting 2.0
/// chapters have `startTime` instead).
#[derive(Deserialize)]
#[serde(untagged)]
enum Probe {
    List(#[allow(dead_code)] Vec<ProbeChapter>),
    Object { chapters: Vec<ProbeChapter> },
}

#[derive(Deserialize)]
struct ProbeChapter {
    #[allow(dead_code)]
    start: Value,
}

const EXAMPLE: &str = "Podlove Web Player chapters are `[{\"start\": \"00:00:00.000\", \"title\": \"Intro\"}]`, with `href` and `image` where there are some";

#[derive(Serialize)]
struct ChapterOut<'a> {
    start: String,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    href: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    image: Option<&'a str>,
}

/// Writes the chapters as a pretty-printed JSON list, with a final newline.
fn write(chapters: &[Chapter]) -> String {
    let list: Vec<ChapterOut<'_>> = chapters
        .iter()
        .map(|c| ChapterOut {
            start: c.start.display(Style::Precise).to_string(),
            title: &c.title,
            href: c.url.as_deref(),
            image: c.img.as_deref(),
        })
        .collect();
    // Serializing plain structs of strings cannot fail.
    let mut s = serde_json::to_string_pretty(&list).unwrap_or_default();
    s.push('\n');
    s
}

#[derive(Deserialize)]
struct EpisodeIn<'a> {
    #[serde(borrow, default)]
    chapters: Option<Vec<&'a RawValue>>,
}

#[derive(Deserialize)]
struct ChapterIn {
    #[serde(default)]
    start: Option<Value>,
    #[serde(default)]
    title: Option<Value>,
    #[serde(default)]
    href: Option<Value>,
    #[serde(default)]
    image: Option<Value>,
}

/// Reads the list, or an episode configuration's `chapters` list.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    let text = src.text.as_str();
    let json_error = |e: serde_json::Error| {
        invalid(format!("not valid JSON: {e}"), offset_of(src, e.line(), e.column()))
            .with_help(EXAMPLE)
    };
    let list: Vec<&RawValue> = if text.trim_start().starts_with('{') {
        let episode: EpisodeIn<'_> = serde_json::from_str(text).map_err(json_error)?;
        episode.chapters.ok_or_else(|| {
            invalid("the JSON object has no `chapters` list", None).with_help(EXAMPLE)
        })?
    } else {
        serde_json::from_str(text).map_err(|e| {
            // Valid JSON that is not a list of values.
            if e.is_data() {
                invalid("the JSON is not a list of chapters", None).with_help(EXAMPLE)
            } else {
                json_error(e)
            }
        })?
    };
    list.into_iter()
        .enumerate()
        .map(|(i, raw)| chapter(src, i + 1, raw))
        .collect()
}

fn chapter(src: &Source, n: usize, raw: &RawValue) -> Result<Chapter> {
    let span = span_of(src, raw.get());
    let item: ChapterIn = serde_json::from_str(raw.get()).map_err(|_| {
        invalid(
            format!("chapter {n} is not an object with `start` and `title`"),
            span,
        )
        .with_help(EXAMPLE)
    })?;
    let text = |key: &str, v: Option<Value>| -> Result<Option<String>> {
        match v {
            None | Some(Value::Null) => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.trim().to_string())),
            Some(other) => Err(invalid(
                format!("chapter {n} has `{key}` {other}, not text"),
                span,
            )
            .with_help(EXAMPLE)),
        }
    };
    let start = match item.start {
        None | Some(Value::Null) => {
            return Err(invalid(format!("chapter {n} has no `start`"), span).with_help(EXAMPLE))
        }
        Some(Value::String(s)) => parse_npt(&s).map_err(|m| {
            invalid(format!("chapter {n} has `start` {m}"), span).with_help(
                "`start` is `HH:MM:SS.mmm` (`00:01:30.000`), `MM:SS` or seconds, as text",
            )
        })?,
        // The player reads a number as milliseconds (`toPlayerTime`).
        Some(Value::Number(ms)) => ms
            .as_u64()
            .map(Timestamp::from_ms)
            .ok_or_else(|| {
                invalid(
                    format!("chapter {n} has `start` `{ms}`, not a number of milliseconds"),
                    span,
                )
                .with_help("`start` is `HH:MM:SS.mmm` as text, or whole milliseconds 0 or more")
            })?,
        Some(other) => {
            return Err(invalid(
                format!("chapter {n} has `start` {other}, not a time"),
                span,
            )
            .with_help(EXAMPLE))
        }
    };
    let title = match item.title {
        Some(Value::Number(x)) => Some(x.to_string()),
        other => text("title", other)?,
    };
    let nonempty = |s: Option<String>| s.filter(|s| !s.is_empty());
    Ok(Chapter {
        start,
        title: title.unwrap_or_default(),
        url: nonempty(text("href", item.href)?),
        img: nonempty(text("image", item.image)?),
        span,
        // The format has no hidden chapters.
        toc: true,
        ..Chapter::default()
    })
}

/// Where a slice of `src.text` stands in it.
fn span_of(src: &Source, part: &str) -> Option<Span> {
    let base = src.text.as_ptr() as usize;
    let p = part.as_ptr() as usize;
    (p >= base && p + part.len() <= base + src.text.len())
        .then(|| Span::new(p - base, p - base + part.len()))
}

/// The byte offset of a 1-based line and column of `src`, as an empty span.
fn offset_of(src: &Source, line: usize, column: usize) -> Option<Span> {
    if line == 0 {
        return None;
    }
    let (start, end) = src.line_range(line);
    let at = (start + column.saturating_sub(1)).min(end);
    Some(Span::new(at, at))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn src(s: &str) -> Source {
        Source::new("c.json", s)
    }

    #[test]
    fn reads_the_players_sample_shape() {
        // As the player's own sample files write it: empty `href` and
        // `image` for none, titles with escapes.
        let text = "[\n  {\n     \"start\":\"00:00:00.000\",\n     \"title\":\"Intro\",\n     \"href\":\"\",\n     \"image\":\"\"\n  },\n  {\n     \"start\":\"00:00:43.137\",\n     \"title\":\"Begr\\u00fc\\u00dfung\",\n     \"href\":\" https://example.com/a \",\n     \"image\":\"https://example.com/a.jpg\"\n  },\n  {\"start\": \"1:02:03\", \"title\": \"Long\"},\n  {\"start\": 3723500, \"title\": 42}\n]\n";
        let c = read(&src(text)).unwrap();
        assert_eq!(c.len(), 4);
        assert_eq!((c[0].start, c[0].title.as_str()), (Timestamp::ZERO, "Intro"));
        assert_eq!((c[0].url.as_deref(), c[0].img.as_deref()), (None, None));
        assert_eq!(c[1].start, Timestamp::from_ms(43_137));
        assert_eq!(c[1].title, "Begrüßung");
        assert_eq!(c[1].url.as_deref(), Some("https://example.com/a"));
        assert_eq!(c[1].img.as_deref(), Some("https://example.com/a.jpg"));
        assert_eq!(c[2].start, Timestamp::from_ms(3_723_000));
        // A number is milliseconds, as the player reads it.
        assert_eq!(c[3].start, Timestamp::from_ms(3_723_500));
        assert_eq!(c[3].title, "42");
        let s = src(text);
        assert_eq!(s.position(c[1].span.unwrap().start).line, 8);
        assert!(c.iter().all(|c| c.toc && c.end.is_none()));
    }

    #[test]
    fn reads_an_episode_configuration() {
        let text = r#"{"version": 5, "title": "Ep", "duration": "01:31:18.610", "chapters": [{"start": "00:00:00.000", "title": "A"}, {"start": "00:10:00.250", "title": "B", "href": "https://b.example/"}]}"#;
        let c = read(&src(text)).unwrap();
        assert_eq!(c.len(), 2);
        assert_eq!(c[1].start, Timestamp::from_ms(600_250));
        assert_eq!(c[1].url.as_deref(), Some("https://b.example/"));
        let e = read(&src(r#"{"version": 5}"#)).unwrap_err();
        assert!(e.message().contains("no `chapters` list"), "{}", e.message());
    }

    #[test]
    fn writes_what_it_reads() {
        let mut c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(3_723_042), "Tom & \"Jerry\" <live>"),
        ];
        c[1].url = Some("https://example.com/?a=1&b=2".into());
        c[1].img = Some("https://example.com/i.png".into());
        let out = write(&c);
        let v: Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0], serde_json::json!({"start": "00:00:00.000", "title": "Intro"}));
        assert_eq!(
            v[1],
            serde_json::json!({"start": "01:02:03.042", "title": "Tom & \"Jerry\" <live>", "href": "https://example.com/?a=1&b=2", "image": "https://example.com/i.png"})
        );
        let back: Vec<Chapter> = read(&src(&out))
            .unwrap()
            .into_iter()
            .map(|c| Chapter { span: None, ..c })
            .collect();
        assert_eq!(back, c);
    }

    #[test]
    fn bad_files_say_what_and_where() {
        for (text, line, want) in [
            ("[\n{\"start\": \"00:00\", \"title\": \"A\"},\n{\"title\": \"B\"}\n]", 3, "chapter 2 has no `start`"),
            ("[\n{\"start\": \"00:75\", \"title\": \"A\"}\n]", 2, "chapter 1 has `start`"),
            ("[\n{\"start\": -5, \"title\": \"A\"}\n]", 2, "not a number of milliseconds"),
            ("[\n{\"start\": true}\n]", 2, "not a time"),
            ("[\n{\"start\": \"0\", \"href\": 3}\n]", 2, "`href` 3, not text"),
            ("[\n\"00:00 Intro\"\n]", 2, "chapter 1 is not an object"),
            ("[\n{\"start\": \"0\",}\n]", 2, "not valid JSON"),
        ] {
            let s = src(text);
            let e = read(&s).unwrap_err();
            assert!(e.message().contains(want), "{text}: {}", e.message());
            let span = e.span().unwrap_or_else(|| panic!("{text}: no span"));
            assert_eq!(s.position(span.start).line, line, "{text}");
            assert!(e.help().is_some());
        }
        let e = read(&src("{\"chapters\": 3}")).unwrap_err();
        assert!(e.message().contains("not valid JSON"), "{}", e.message());
        let e = read(&src("\"x\"")).unwrap_err();
        assert!(e.message().contains("not a list"), "{}", e.message());
    }
}
