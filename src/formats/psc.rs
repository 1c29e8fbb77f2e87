//! Podlove Simple Chapters 1.2 (XML).
//!
//! Source: podlove-specifications `podlove-simple-chapters.md` 1.2:
//! namespace
//! `http://podlove.org/simple-chapters`, a `<psc:chapters version="1.2">`
//! list of `<psc:chapter start="..." title="..." href="..." image="..."/>`;
//! `start` in Normal Play Time (`37`, `7:48`, `35:12.250`, `01:35:52`,
//! `05:12:03.500`); readers re-sort by time.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::ResolveResult;
use quick_xml::reader::NsReader;
use quick_xml::XmlVersion;

use super::clock::parse_npt;
use super::line::invalid;
use super::{Capabilities, ChapterFormat, Format, Head, Input, Parsed, WriteOptions};
use crate::chapter::Chapter;
use crate::source::{Source, Span};
use crate::error::Result;
use crate::timestamp::Style;

/// Podlove Simple Chapters.
pub const PSC: Format = Format::new(&Psc);

struct Psc;

impl ChapterFormat for Psc {
    fn name(&self) -> &'static str {
        "psc"
    }

    fn about(&self) -> &'static str {
        "Podlove Simple Chapters (XML)"
    }

    fn extension(&self) -> &'static str {
        "psc"
    }

    fn extensions(&self) -> &'static [&'static str] {
        &["psc", "xml"]
    }

    fn sniff(&self, head: &Head<'_>) -> u8 {
        let text = head.text();
        let psc = text.contains("simple-chapters") || text.contains("psc:chapter");
        if text.starts_with('<') && psc {
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

/// The Simple Chapters namespace.
const NAMESPACE: &str = "http://podlove.org/simple-chapters";

const EXAMPLE: &str = "a chapter is `<psc:chapter start=\"00:01:30.000\" title=\"Intro\"/>` inside `<psc:chapters version=\"1.2\" xmlns:psc=\"http://podlove.org/simple-chapters\">`";

/// Writes a standalone Simple Chapters document, with a final newline.
fn write(chapters: &[Chapter]) -> String {
    let mut s = format!(
        "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<psc:chapters version=\"1.2\" xmlns:psc=\"{NAMESPACE}\">\n"
    );
    for c in chapters {
        s.push_str(&format!(
            "  <psc:chapter start=\"{}\" title=\"{}\"",
            c.start.display(Style::Precise),
            attr(&c.title)
        ));
        if let Some(href) = &c.url {
            s.push_str(&format!(" href=\"{}\"", attr(href)));
        }
        if let Some(image) = &c.img {
            s.push_str(&format!(" image=\"{}\"", attr(image)));
        }
        s.push_str("/>\n");
    }
    s.push_str("</psc:chapters>\n");
    s
}

/// Escapes an attribute value so that any XML 1.0 parser gives it back
/// unchanged: markup characters as entities, and tab and line breaks as
/// character references (a parser turns literal ones into spaces, XML 1.0
/// §3.3.3). Characters XML 1.0 cannot carry at all become U+FFFD.
fn attr(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    for ch in value.chars() {
        match ch {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\t' => out.push_str("&#9;"),
            '\n' => out.push_str("&#10;"),
            '\r' => out.push_str("&#13;"),
            c if (c as u32) < 0x20 || c == '\u{fffe}' || c == '\u{ffff}' => out.push('\u{fffd}'),
            c => out.push(c),
        }
    }
    out
}

/// Reads the chapters of a Simple Chapters document, or of a feed item
/// that holds one `psc:chapters` list.
fn read(src: &Source) -> Result<Vec<Chapter>> {
    let mut reader = NsReader::from_str(&src.text);
    let mut chapters = Vec::new();
    let mut lists: Vec<Span> = Vec::new();
    loop {
        let at = reader.buffer_position() as usize;
        let event = match reader.read_event() {
            Ok(event) => event,
            Err(e) => {
                let pos = reader.error_position() as usize;
                return Err(invalid(format!("not well-formed XML: {e}"), Some(Span::new(pos, pos)))
                    .with_help("fix the XML; Simple Chapters is a `psc:chapters` element of `psc:chapter` elements"));
            }
        };
        let element = match event {
            Event::Start(e) | Event::Empty(e) => e,
            Event::Eof => break,
            _ => continue,
        };
        let span = Span::new(at, reader.buffer_position() as usize);
        if !is_psc(
            &reader.resolver().resolve_element(element.name()).0,
            &element,
        ) {
            continue;
        }
        match element.local_name().as_ref() {
            b"chapters" => {
                if let Some(first) = lists.first() {
                    let line = src.position(first.start).line;
                    return Err(invalid(
                        format!("a second `psc:chapters` list; the first is on line {line}"),
                        Some(span),
                    )
                    .with_help("give one episode's chapters: cut the other lists out"));
                }
                lists.push(span);
            }
            b"chapter" => chapters.push(chapter(src, &element, span)?),
            _ => {}
        }
    }
    if chapters.is_empty() {
        return Err(invalid("no `psc:chapter` elements", lists.first().copied()).with_help(EXAMPLE));
    }
    Ok(chapters)
}

/// Whether an element is in the Simple Chapters namespace, or written with
/// the `psc` prefix (or none) and no namespace declared.
fn is_psc(ns: &ResolveResult<'_>, element: &BytesStart<'_>) -> bool {
    match ns {
        ResolveResult::Bound(n) => n.as_ref() == NAMESPACE.as_bytes(),
        ResolveResult::Unknown(prefix) => prefix.as_slice() == b"psc",
        ResolveResult::Unbound => {
            matches!(element.local_name().as_ref(), b"chapters" | b"chapter")
        }
    }
}

fn chapter(src: &Source, e: &BytesStart<'_>, span: Span) -> Result<Chapter> {
    let mut ch = Chapter::new(Default::default(), "");
    let mut start = None;
    for a in e.attributes() {
        let a = a.map_err(|err| {
            invalid(
                format!("a bad attribute in `psc:chapter`: {err}"),
                Some(span),
            )
            .with_help("write each attribute once, as `name=\"value\"`")
        })?;
        let key = a.key.local_name();
        let value_span = value_span(src, &a.value).unwrap_or(span);
        let value = a.normalized_value(XmlVersion::Implicit1_0).map_err(|err| {
            invalid(
                format!("a bad value in `psc:chapter`: {err}"),
                Some(value_span),
            )
            .with_help("escape `&` as `&amp;` and `<` as `&lt;`")
        })?;
        match key.as_ref() {
            b"start" => start = Some((value.into_owned(), value_span)),
            b"title" => {
                ch.title = value.trim().to_string();
                ch.title_span = Some(value_span);
            }
            b"href" if !value.trim().is_empty() => ch.url = Some(value.trim().to_string()),
            b"image" if !value.trim().is_empty() => ch.img = Some(value.trim().to_string()),
            _ => {}
        }
    }
    let Some((start, start_span)) = start else {
        return Err(invalid("a `psc:chapter` without `start`", Some(span)).with_help(EXAMPLE));
    };
    ch.start = parse_npt(&start).map_err(|m| {
        invalid(format!("`start` {m}"), Some(start_span)).with_help(
            "`start` is Normal Play Time: `37`, `7:48`, `35:12.250`, `01:35:52` or `05:12:03.500`",
        )
    })?;
    ch.span = Some(start_span);
    Ok(ch)
}

/// Where a raw attribute value, borrowed from the source, stands in it.
fn value_span(src: &Source, raw: &[u8]) -> Option<Span> {
    let base = src.text.as_ptr() as usize;
    let p = raw.as_ptr() as usize;
    (p >= base && p + raw.len() <= base + src.text.len())
        .then(|| Span::new(p - base, p - base + raw.len()))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::timestamp::Timestamp;

    fn src(s: &str) -> Source {
        Source::new("c.psc", s)
    }

    #[test]
    fn reads_every_normal_play_time_form() {
        let text = r#"<?xml version="1.0"?>
<psc:chapters version="1.2" xmlns:psc="http://podlove.org/simple-chapters">
  <psc:chapter start="0" title="Zero"/>
  <psc:chapter start="37" title="Seconds"/>
  <psc:chapter start="7:48" title="Minutes"/>
  <psc:chapter start="35:12.250" title="Fraction"/>
  <psc:chapter start="01:35:52" title="Hours" href="https://a.example/?x=1&amp;y=2"/>
  <psc:chapter start="05:12:03.500" title="Tom &amp; &quot;Jerry&quot;&#9;tab" image="https://i.example/c.jpg"/>
  <psc:chapter start="37.5" title="Seconds fraction"/>
</psc:chapters>"#;
        let c = read(&src(text)).unwrap();
        let ms: Vec<u64> = c.iter().map(|c| c.start.as_ms()).collect();
        assert_eq!(
            ms,
            [0, 37_000, 468_000, 2_112_250, 5_752_000, 18_723_500, 37_500]
        );
        assert_eq!(c[4].url.as_deref(), Some("https://a.example/?x=1&y=2"));
        assert_eq!(c[5].title, "Tom & \"Jerry\"\ttab");
        assert_eq!(c[5].img.as_deref(), Some("https://i.example/c.jpg"));
        assert!(c[0].span.is_some());
    }

    #[test]
    fn reads_a_feed_item_and_ignores_other_namespaces() {
        let text = r#"<item xmlns:psc="http://podlove.org/simple-chapters" xmlns:x="urn:x">
<title>Ep</title><x:chapter start="9" title="not ours"/>
<psc:chapters version="1.2"><psc:chapter start="00:00:00.000" title="Intro"></psc:chapter></psc:chapters>
</item>"#;
        let c = read(&src(text)).unwrap();
        assert_eq!(c.len(), 1);
        assert_eq!(c[0].title, "Intro");
    }

    #[test]
    fn writes_escaped_xml_that_reads_back() {
        let mut c = vec![
            Chapter::new(Timestamp::ZERO, "A <b> & \"q\" 'x'\tt"),
            Chapter::new(Timestamp::from_ms(3_723_004), "日本語 🎙"),
        ];
        c[1].url = Some("https://e.example/?a=1&b=2".into());
        let out = write(&c);
        assert!(out.contains("start=\"01:02:03.004\""), "{out}");
        assert!(
            out.contains("&lt;b&gt; &amp; &quot;q&quot; 'x'&#9;t"),
            "{out}"
        );
        // The same well-formedness check every rendered XML output gets.
        crate::publish::xml::check(&out).unwrap();
        let back = read(&src(&out)).unwrap();
        assert_eq!(back[0].title, c[0].title);
        assert_eq!(back[1].title, c[1].title);
        assert_eq!(back[1].url, c[1].url);
        assert_eq!(back[1].start, c[1].start);
    }

    #[test]
    fn bad_input_names_the_place() {
        let e = read(&src("<psc:chapters xmlns:psc=\"http://podlove.org/simple-chapters\">\n<psc:chapter start=\"1:75\" title=\"x\"/>\n</psc:chapters>")).unwrap_err();
        assert!(
            e.message().contains("`75` must be below 60"),
            "{}",
            e.message()
        );
        let s = src("<psc:chapters xmlns:psc=\"http://podlove.org/simple-chapters\">\n<psc:chapter start=\"1:75\" title=\"x\"/>\n</psc:chapters>");
        assert_eq!(s.position(e.span().unwrap().start).line, 2);
        // Truncated.
        let e = read(&src("<psc:chapters xmlns:psc=\"http://podlove.org/simple-chapters\">\n<psc:chapter start=\"0\" title=\"x")).unwrap_err();
        assert!(e.message().contains("XML"), "{}", e.message());
        // Wrong format.
        let e = read(&src("00:00 Intro\n01:00 Next\n")).unwrap_err();
        assert!(e.message().contains("no `psc:chapter`"), "{}", e.message());
        let e = read(&src(
            "<psc:chapters><psc:chapter title=\"x\"/></psc:chapters>",
        ))
        .unwrap_err();
        assert!(e.message().contains("without `start`"), "{}", e.message());
        let e = read(&src(
            "<psc:chapters><psc:chapter start=\"-1\" title=\"x\"/></psc:chapters>",
        ))
        .unwrap_err();
        assert!(e.message().contains("not a number"), "{}", e.message());
        let e = read(&src(
            "<psc:chapters><psc:chapter start=\"0\" title=\"a &bogus; b\"/></psc:chapters>",
        ))
        .unwrap_err();
        assert!(e.span().is_some());
    }
}
