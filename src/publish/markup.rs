//! A paragraph's Markdown (its lines are CommonMark source) as the parts
//! every platform's template renders: runs of lines and bullet or
//! numbered lists, each line text and link segments. Emphasis is taken
//! off (no platform shownotes writes for renders `<b>` or `<i>`), links
//! go through the URL gate and lose their tracking parameters, and a
//! soft line break stays a line break (producers write one line per
//! line, and expect to see it so).

use std::collections::HashMap;

use pulldown_cmark::{Event, LinkType, Options, Parser, Tag, TagEnd};
use serde::Serialize;

use super::segments::{display, push_text, text_segments, Segment};
use crate::links;
use crate::notes::ref_key;

/// A piece of a paragraph, as the templates receive it.
#[derive(Clone, Debug, PartialEq, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum Part {
    /// Consecutive lines (an HTML template joins them with `<br />`, or
    /// gives each its `<p>` where `<br>` is not allowed).
    Lines {
        /// The lines, each text and link segments.
        lines: Vec<Vec<Segment>>,
    },
    /// A bullet (`- `, `* `, `+ `) or numbered (`1. `, `1) `) list.
    List {
        /// Numbered.
        ordered: bool,
        /// The first number of a numbered list (1 for a bullet list).
        start: u64,
        /// Each item's parts (its lines, and lists nested in it).
        items: Vec<Vec<Part>>,
    },
}

/// The notes' link reference definitions (`[label]: url`), so that a
/// reference link in a paragraph finds its URL wherever the definition
/// stands. Labels are matched as CommonMark matches them: case and runs
/// of white space ignored.
#[derive(Clone, Debug, Default)]
pub(crate) struct References(HashMap<String, String>);

impl References {
    /// The reference definitions of the notes: those the Markdown reader
    /// found, else (HTML notes, definitions possible in the front matter)
    /// those of the whole text, parsed again.
    pub(crate) fn of_notes(notes: &crate::notes::Notes) -> References {
        match &notes.references {
            Some(defs) => References(
                defs.iter()
                    .map(|(label, dest)| (ref_key(label), dest.clone()))
                    .collect(),
            ),
            None => References::of(&notes.source.text),
        }
    }

    /// The reference definitions of the whole notes text.
    pub(crate) fn of(text: &str) -> References {
        if !text.contains("]:") {
            return References::default();
        }
        let parser = Parser::new_ext(text, Options::empty());
        References(
            parser
                .reference_definitions()
                .iter()
                .map(|(label, def)| (ref_key(label), def.dest.to_string()))
                .collect(),
        )
    }
}

/// A list being read: its kind and its items so far.
struct OpenList {
    ordered: bool,
    start: u64,
    items: Vec<Vec<Part>>,
}

/// The reader's state: the parts made so far, the lists open, the line
/// being made and its text not yet split into segments.
struct Builder<'r> {
    rules: &'r links::Rules,
    memo: &'r links::Memo,
    root: Vec<Part>,
    lists: Vec<OpenList>,
    line: Vec<Segment>,
    /// Text not yet searched for bare URLs (a URL may arrive in pieces).
    pending: String,
    /// The link being read: its URL (when it may be shown), whether it
    /// was written bare (an autolink), and its text so far.
    link: Option<(Option<String>, bool, String)>,
}

impl Builder<'_> {
    /// Where parts go now: the innermost open list item, else the top.
    fn target(&mut self) -> &mut Vec<Part> {
        match self.lists.last_mut().and_then(|l| l.items.last_mut()) {
            Some(item) => item,
            None => &mut self.root,
        }
    }

    fn text(&mut self, t: &str) {
        match &mut self.link {
            Some((_, _, text)) => text.push_str(t),
            None => self.pending.push_str(t),
        }
    }

    /// The pending text as segments, bare URLs found and normalized.
    fn flush_text(&mut self) {
        if self.pending.is_empty() {
            return;
        }
        let text = std::mem::take(&mut self.pending);
        for seg in text_segments(&text, self.rules, self.memo) {
            match seg.url {
                Some(_) => self.line.push(seg),
                None => push_text(&mut self.line, &seg.text),
            }
        }
    }

    /// Ends the line being made (an empty one is dropped).
    fn break_line(&mut self) {
        self.flush_text();
        let line = std::mem::take(&mut self.line);
        if line
            .iter()
            .all(|s| s.url.is_none() && s.text.trim().is_empty())
        {
            return;
        }
        let target = self.target();
        match target.last_mut() {
            Some(Part::Lines { lines }) => lines.push(line),
            _ => target.push(Part::Lines { lines: vec![line] }),
        }
    }

    /// Ends the run of lines, so that the next line starts a new one (a
    /// new paragraph inside the block).
    fn end_run(&mut self) {
        self.break_line();
    }

    fn start_link(&mut self, link_type: LinkType, dest: &str) {
        self.flush_text();
        let dest = if link_type == LinkType::Email && !dest.starts_with("mailto:") {
            format!("mailto:{dest}")
        } else {
            dest.to_string()
        };
        let url = if dest.starts_with("mailto:") {
            Some(dest.clone())
        } else {
            self.memo.normalize(&dest, self.rules).ok().map(|n| n.url)
        };
        let bare = matches!(link_type, LinkType::Autolink | LinkType::Email);
        self.link = Some((
            url.filter(|u| self.memo.passes_gate(u)),
            bare,
            String::new(),
        ));
    }

    fn end_link(&mut self) {
        let Some((url, bare, text)) = self.link.take() else {
            return;
        };
        match url {
            Some(url) => self.line.push(Segment {
                text: if bare || text.is_empty() {
                    display(&url)
                } else {
                    text
                },
                url: Some(url),
                bare,
            }),
            // Only http, https and mailto links survive: anything else
            // (a `#t=` anchor, a relative link) is its text.
            None => push_text(&mut self.line, &text),
        }
    }

    fn start_list(&mut self, start: Option<u64>) {
        self.break_line();
        self.lists.push(OpenList {
            ordered: start.is_some(),
            start: start.unwrap_or(1),
            items: Vec::new(),
        });
    }

    fn end_list(&mut self) {
        self.break_line();
        if let Some(l) = self.lists.pop() {
            self.target().push(Part::List {
                ordered: l.ordered,
                start: l.start,
                items: l.items,
            });
        }
    }
}

/// `lines` (CommonMark source, as written) as the parts the templates
/// render. `refs` resolves reference links defined elsewhere in the notes;
/// `memo` holds the URLs the notes' parser normalized.
pub(crate) fn parts(
    lines: &[String],
    rules: &links::Rules,
    refs: &References,
    memo: &links::Memo,
) -> Vec<Part> {
    let text = lines.join("\n");
    let mut resolve = |broken: pulldown_cmark::BrokenLink<'_>| {
        refs.0
            .get(&ref_key(&broken.reference))
            .map(|url| (url.clone().into(), "".into()))
    };
    let parser = Parser::new_with_broken_link_callback(&text, Options::empty(), Some(&mut resolve));
    let mut b = Builder {
        rules,
        memo,
        root: Vec::new(),
        lists: Vec::new(),
        line: Vec::new(),
        pending: String::new(),
        link: None,
    };
    for event in parser {
        match event {
            // Markup written in Markdown is text: every template escapes
            // it. A code or HTML block's text holds its line breaks.
            Event::Text(t)
            | Event::Code(t)
            | Event::InlineMath(t)
            | Event::DisplayMath(t)
            | Event::InlineHtml(t)
            | Event::Html(t) => {
                for (i, l) in t.split('\n').enumerate() {
                    if i > 0 {
                        b.break_line();
                    }
                    b.text(l);
                }
            }
            Event::SoftBreak | Event::HardBreak => b.break_line(),
            Event::Start(Tag::Link {
                link_type,
                dest_url,
                ..
            }) => b.start_link(link_type, &dest_url),
            Event::End(TagEnd::Link) => b.end_link(),
            Event::Start(Tag::List(start)) => b.start_list(start),
            Event::End(TagEnd::List(_)) => b.end_list(),
            Event::Start(Tag::Item) => {
                b.break_line();
                if let Some(l) = b.lists.last_mut() {
                    l.items.push(Vec::new());
                }
            }
            Event::End(TagEnd::Item) => b.break_line(),
            Event::Start(Tag::Paragraph) => {}
            Event::End(TagEnd::Paragraph) => b.end_run(),
            Event::End(TagEnd::Heading(_) | TagEnd::CodeBlock | TagEnd::HtmlBlock) => {
                b.break_line();
            }
            // Emphasis, strong emphasis and images (their alt text) are
            // kept as their text; a thematic break (`---`) has none.
            _ => {}
        }
    }
    b.break_line();
    while !b.lists.is_empty() {
        b.end_list();
    }
    b.root
}

/// `text` (one line of CommonMark inline markup: a heading, a label) as
/// plain text: emphasis markers and link destinations taken off.
pub(crate) fn plain(text: &str) -> String {
    if !text.contains(['*', '_', '[', '`', '\\', '&', '<']) {
        return text.to_string();
    }
    let mut out = String::new();
    for (i, event) in Parser::new_ext(text, Options::empty()).enumerate() {
        // A line that Markdown reads as a block of its own (`1. Intro`,
        // `- x`, `# x`) keeps its text as it is: only inline markup goes.
        if i == 0 && !matches!(event, Event::Start(Tag::Paragraph)) {
            return text.to_string();
        }
        match event {
            Event::Text(t) | Event::Code(t) | Event::InlineHtml(t) | Event::Html(t) => {
                out.push_str(&t);
            }
            Event::SoftBreak | Event::HardBreak => out.push(' '),
            _ => {}
        }
    }
    out
}

/// `parts` as plain lines: list items marked `• ` or `N. `, nested ones
/// indented two spaces a level (YouTube's description, and the `lines`
/// of the context for templates that do not read `parts`).
pub(crate) fn plain_lines(parts: &[Part]) -> Vec<Vec<Segment>> {
    let mut out = Vec::new();
    flatten(parts, "", &mut out);
    out
}

/// Appends `parts` to `out` as plain lines, each line after `indent`.
fn flatten(parts: &[Part], indent: &str, out: &mut Vec<Vec<Segment>>) {
    for p in parts {
        match p {
            Part::Lines { lines } => {
                for l in lines {
                    let mut line = Vec::new();
                    if !indent.is_empty() {
                        push_text(&mut line, indent);
                    }
                    for s in l {
                        match s.url {
                            Some(_) => line.push(s.clone()),
                            None => push_text(&mut line, &s.text),
                        }
                    }
                    out.push(line);
                }
            }
            Part::List {
                ordered,
                start,
                items,
            } => {
                let inner = format!("{indent}  ");
                for (i, item) in items.iter().enumerate() {
                    let marker = if *ordered {
                        format!("{indent}{}. ", start + i as u64)
                    } else {
                        format!("{indent}• ")
                    };
                    let from = out.len();
                    flatten(item, &inner, out);
                    // The item's first line gets the marker in place of
                    // its indent; an item that starts with a list (or is
                    // empty) gets a line of its own.
                    let first = match out.get_mut(from) {
                        Some(l) if matches!(item.first(), Some(Part::Lines { .. })) => l,
                        _ => {
                            out.insert(from, Vec::new());
                            &mut out[from]
                        }
                    };
                    match first.first_mut() {
                        Some(Segment {
                            text, url: None, ..
                        }) => {
                            let rest = text.strip_prefix(inner.as_str()).unwrap_or(text);
                            *text = format!("{marker}{rest}");
                        }
                        _ => first.insert(
                            0,
                            Segment {
                                text: marker,
                                url: None,
                                bare: false,
                            },
                        ),
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_readers_definitions_are_those_of_the_whole_text() {
        let read = |text: &str| {
            let n = crate::notes::Notes::parse(
                crate::source::Source::new("n.md", text),
                &links::Rules::default(),
            );
            (References::of_notes(&n).0, References::of(text).0)
        };
        let text = "+++\ntitle = \"T\"\n+++\n\nSee [the site][Site  One] and [b].\n\n[site one]: https://a.org/?x=1\n[B]: <https://b.org> \"B\"\n[b]: https://second.org\n";
        let (from_reader, from_text) = read(text);
        assert_eq!(from_reader.len(), 2);
        assert_eq!(from_reader, from_text);
        // Definitions the front matter might hold: the whole text is read.
        let (from_reader, from_text) = read("---\nx: \"[a]: https://c.org\"\n---\n\nText [a].\n");
        assert_eq!(from_reader, from_text);
    }

    fn p(md: &str) -> Vec<Part> {
        let lines: Vec<String> = md.lines().map(str::to_string).collect();
        parts(
            &lines,
            &links::Rules::default(),
            &References::default(),
            &links::Memo::default(),
        )
    }

    fn texts(lines: &[Vec<Segment>]) -> Vec<String> {
        lines
            .iter()
            .map(|l| l.iter().map(|s| s.text.as_str()).collect())
            .collect()
    }

    #[test]
    fn emphasis_is_taken_off_and_lines_stay_lines() {
        let got = p("We talk **QUIC** and _HTTP/3_.\nSecond *line* with snake_case\\_name.");
        let [Part::Lines { lines }] = got.as_slice() else {
            panic!("{got:?}")
        };
        assert_eq!(
            texts(lines),
            [
                "We talk QUIC and HTTP/3.",
                "Second line with snake_case_name."
            ]
        );
    }

    #[test]
    fn links_are_gated_and_lose_tracking_parameters() {
        let got = p("See [the RFC](https://a.org/x?utm_source=z), <https://b.org>, https://c.org/a_b_c and [x](javascript:alert(1)) [t](#t=1:00).");
        let [Part::Lines { lines }] = got.as_slice() else {
            panic!("{got:?}")
        };
        let segs: Vec<(&str, Option<&str>, bool)> = lines[0]
            .iter()
            .map(|s| (s.text.as_str(), s.url.as_deref(), s.bare))
            .collect();
        assert_eq!(
            segs,
            [
                ("See ", None, false),
                ("the RFC", Some("https://a.org/x"), false),
                (", ", None, false),
                ("https://b.org", Some("https://b.org"), true),
                (", ", None, false),
                ("https://c.org/a_b_c", Some("https://c.org/a_b_c"), true),
                (" and x t.", None, false),
            ]
        );
    }

    #[test]
    fn lists_nest_and_number() {
        let got = p("Topics:\n\n- one **bold**\n- two\n  1. a\n  2. b\n\n3. three\n4. four");
        assert_eq!(got.len(), 3, "{got:?}");
        let Part::List {
            ordered: false,
            items,
            ..
        } = &got[1]
        else {
            panic!("{got:?}")
        };
        assert_eq!(items.len(), 2);
        assert!(matches!(
            &items[1][1],
            Part::List {
                ordered: true,
                start: 1,
                ..
            }
        ));
        assert!(matches!(
            &got[2],
            Part::List {
                ordered: true,
                start: 3,
                ..
            }
        ));
        assert_eq!(
            texts(&plain_lines(&got)),
            [
                "Topics:",
                "• one bold",
                "• two",
                "  1. a",
                "  2. b",
                "3. three",
                "4. four"
            ]
        );
    }

    #[test]
    fn reference_links_resolve_across_the_notes() {
        let refs = References::of("x\n\n[Site]: https://site.org/?fbclid=1\n");
        let got = parts(
            &["Visit [the site][site].".to_string()],
            &links::Rules::default(),
            &refs,
            &links::Memo::default(),
        );
        let [Part::Lines { lines }] = got.as_slice() else {
            panic!("{got:?}")
        };
        assert_eq!(lines[0][1].url.as_deref(), Some("https://site.org/"));
    }

    #[test]
    fn markup_and_angle_brackets_stay_text() {
        let got = p("Intro <3 and <b>bold</b> & more");
        assert_eq!(
            texts(&plain_lines(&got)),
            ["Intro <3 and <b>bold</b> & more"]
        );
        assert_eq!(plain("**Links** _here_"), "Links here");
        // Blocks that hold line breaks keep them as lines.
        let got = p("Code:\n\n    let a = 1;\n    let b = 2;\n\n<div>\nraw\n</div>");
        assert_eq!(
            texts(&plain_lines(&got)),
            [
                "Code:",
                "let a = 1;",
                "let b = 2;",
                "<div>",
                "raw",
                "</div>"
            ]
        );
        assert_eq!(plain("1. Intro"), "1. Intro");
    }
}
