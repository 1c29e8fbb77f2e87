//! Podcasting 2.0 JSON chapters (`application/json+chapters`, version 1.2.0).
//!
//! Source: Podcastindex-org/podcast-namespace
//! `docs/examples/chapters/jsonChapters.md`: `version` and `chapters` are required; each chapter has
//! `startTime` (seconds) and optionally `title`, `img`, `url`, `toc`, `endTime`.

use serde::{Deserialize, Serialize};

use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::{self, Chapter};
use crate::source::{Source, Span};
use crate::error::{Error, ErrorKind, Result};
use crate::timestamp::Timestamp;

/// Podcasting 2.0 JSON chapters.
pub const JSON: Format = Format::new(&Json);

struct Json;

impl ChapterFormat for Json {
    fn name(&self) -> &'static str {
        "json"
    }

    fn about(&self) -> &'static str {
        "Podcasting 2.0 JSON chapters (`chapters.json`)"
    }

    fn extension(&self) -> &'static str {
        "json"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["json"]
    }

    fn sniff(&self, head: &Head<'_>) -> u8 {
        if head.text().starts_with('{') {
            80
        } else {
            0
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

/// The version this writer emits.
const VERSION: &str = "1.2.0";

#[derive(Serialize)]
struct FileOut<'a> {
    version: &'static str,
    chapters: Vec<ChapterOut<'a>>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct ChapterOut<'a> {
    start_time: Timestamp,
    title: &'a str,
    #[serde(skip_serializing_if = "Option::is_none")]
    img: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    url: Option<&'a str>,
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    #[serde(serialize_with = "ser_toc", rename = "toc")]
    hidden: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    end_time: Option<Timestamp>,
}

fn ser_toc<S: serde::Serializer>(_: &bool, s: S) -> std::result::Result<S::Ok, S::Error> {
    s.serialize_bool(false)
}

/// Writes chapters as pretty-printed Podcasting 2.0 JSON, with a final newline.
pub fn write(chapters: &[Chapter]) -> String {
    let chapters = &chapter::for_output(chapters);
    let file = FileOut {
        version: VERSION,
        chapters: chapters
            .iter()
            .map(|c| ChapterOut {
                start_time: c.start,
                title: &c.title,
                img: c.img.as_deref(),
                url: c.url.as_deref(),
                hidden: !c.toc,
                end_time: c.end,
            })
            .collect(),
    };
    // Serializing plain structs of strings and numbers cannot fail.
    let mut s = serde_json::to_string_pretty(&file).unwrap_or_default();
    s.push('\n');
    s
}

#[derive(Deserialize)]
struct FileIn {
    #[serde(default)]
    chapters: Option<Vec<ChapterIn>>,
}

#[derive(Deserialize)]
#[serde(rename_all = "camelCase")]
struct ChapterIn {
    start_time: f64,
    #[serde(default)]
    title: Option<String>,
    #[serde(default)]
    img: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    toc: Option<bool>,
    #[serde(default)]
    end_time: Option<f64>,
}

/// Reads Podcasting 2.0 JSON chapters, and the older `application/json`
/// files (a top-level `title`, chapters with `toc`, `img`, `url`, `endTime`).
fn read(src: &Source) -> Result<Vec<Chapter>> {
    let file: FileIn = serde_json::from_str(&src.text).map_err(|e| {
        let error = Error::new(ErrorKind::Invalid, format!("not valid chapters JSON: {e}"))
            .with_help("a chapters file is `{\"version\": \"1.2.0\", \"chapters\": [{\"startTime\": 0, \"title\": \"Intro\"}]}`");
        match offset_of(src, e.line(), e.column()) {
            Some(o) => error.with_span(Span::new(o, o)),
            None => error,
        }
    })?;
    let Some(list) = file.chapters else {
        return Err(
            Error::new(ErrorKind::Invalid, "the JSON has no `chapters` array")
                .with_help("a chapters file is `{\"version\": \"1.2.0\", \"chapters\": [...]}`"),
        );
    };
    list.into_iter()
        .enumerate()
        .map(|(i, c)| {
            let start = Timestamp::from_secs_f64(c.start_time).ok_or_else(|| {
                Error::new(
                    ErrorKind::Invalid,
                    format!(
                        "chapter {} has `startTime` `{}`, not a time",
                        i + 1,
                        c.start_time
                    ),
                )
                .with_help("`startTime` is a number of seconds, 0 or more")
            })?;
            let end = match c.end_time {
                Some(e) => Some(Timestamp::from_secs_f64(e).ok_or_else(|| {
                    Error::new(
                        ErrorKind::Invalid,
                        format!("chapter {} has `endTime` `{e}`, not a time", i + 1),
                    )
                    .with_help("`endTime` is a number of seconds, 0 or more")
                })?),
                None => None,
            };
            Ok(Chapter {
                start,
                title: c.title.unwrap_or_default().trim().to_string(),
                url: c.url,
                img: c.img,
                end,
                toc: c.toc.unwrap_or(true),
                span: None,
                title_span: None,
            })
        })
        .collect()
}

fn offset_of(src: &Source, line: usize, column: usize) -> Option<usize> {
    if line == 0 {
        return None;
    }
    let (start, end) = src.line_range(line);
    Some((start + column.saturating_sub(1)).min(end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn writes_the_documented_shape() {
        let mut c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(34_500), "Tom & \"Jerry\""),
        ];
        c[1].url = Some("https://example.com/".into());
        c[1].toc = false;
        let out = write(&c);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v["version"], "1.2.0");
        assert_eq!(v["chapters"][0]["startTime"], 0);
        assert_eq!(v["chapters"][0]["title"], "Intro");
        assert_eq!(v["chapters"][1]["startTime"], 34.5);
        assert_eq!(v["chapters"][1]["title"], "Tom & \"Jerry\"");
        assert_eq!(v["chapters"][1]["url"], "https://example.com/");
        assert_eq!(v["chapters"][1]["toc"], false);
        assert!(v["chapters"][0].get("toc").is_none());
    }

    #[test]
    fn reads_what_it_writes_and_older_files() {
        let c = vec![
            Chapter::new(Timestamp::ZERO, "Intro"),
            Chapter::new(Timestamp::from_ms(3_912_001), "Late"),
        ];
        let back = read(&Source::new("c.json", write(&c))).unwrap();
        assert_eq!(back, c);
        let old = r#"{"version":"1.0","title":"Ep","chapters":[{"startTime":0,"title":"A","toc":false,"endTime":5.5,"img":"https://i/x.png"}]}"#;
        let back = read(&Source::new("c.json", old)).unwrap();
        assert_eq!(back[0].end, Some(Timestamp::from_ms(5500)));
        assert!(!back[0].toc);
    }

    #[test]
    fn bad_json_names_the_line() {
        let e = read(&Source::new(
            "c.json",
            "{\n  \"chapters\": [\n  {\"startTime\": }\n]}",
        ))
        .unwrap_err();
        assert!(e.span().is_some());
        assert!(e.message().contains("line 3"), "{}", e.message());
        let e = read(&Source::new("c.json", r#"{"chapters":[{"startTime":-1}]}"#)).unwrap_err();
        assert!(e.message().contains("startTime"));
    }
}
