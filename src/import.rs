//! `import`: a feed's items as notes files (TOML front matter, the HTML
//! description as the Markdown a producer would have written) and its
//! channel as a `shownotes.toml`.
//!
//! The HTML is read with the html5gum tokenizer (the WHATWG HTML
//! tokenizer, entities decoded), token by token: paragraphs, line breaks,
//! emphasis, links, lists; a list whose every item is a link becomes a
//! link list (`URL — description` under a label), and stamped lines stay
//! lines, so the notes reader finds the chapter list where it was.

use std::fmt::Write as _;

use html5gum::{Token, Tokenizer};

use crate::diagnostic::Diagnostic;
use crate::feed::read::{Channel, Feed, Item};
use crate::notes::date::Date;
use crate::timestamp::{Style, Timestamp};

/// One file `import` writes: its name in the output folder and its text.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct File {
    /// The file's name (`017-early-web-history.md`, `shownotes.toml`).
    pub name: String,
    /// The text to write.
    pub text: String,
}

/// What a feed imports to: the config, one notes file per item, and the
/// findings about the feed's items.
#[derive(Clone, Debug, Default)]
pub struct Imported {
    /// `shownotes.toml` first, then the notes files in the feed's order.
    pub files: Vec<File>,
    /// `feed-guid-duplicate`, `feed-enclosure-missing`, ...
    pub diagnostics: Vec<Diagnostic>,
}

/// Turns a feed into files.
pub fn import(feed: &Feed) -> Imported {
    let mut out = Imported::default();
    out.files.push(File {
        name: crate::config::FILE_NAME.into(),
        text: config_text(&feed.channel),
    });
    let mut names = std::collections::HashSet::new();
    names.insert(crate::config::FILE_NAME.to_string());
    out.diagnostics
        .extend(crate::feed::check::items_in(&feed.items));
    for item in &feed.items {
        let name = unique_name(&file_stem(item), &mut names);
        out.files.push(File {
            name,
            text: notes_text(item),
        });
    }
    out
}

fn unique_name(stem: &str, names: &mut std::collections::HashSet<String>) -> String {
    let mut n = 1;
    loop {
        let name = if n == 1 {
            format!("{stem}.md")
        } else {
            format!("{stem}-{n}.md")
        };
        if names.insert(name.clone()) {
            return name;
        }
        n += 1;
    }
}

/// `<episode or date>-<slug>`: `s2e017-title`, `017-title`,
/// `2025-12-09-title`, or the slug alone.
fn file_stem(item: &Item) -> String {
    let slug = slug(item.title.as_deref().unwrap_or("episode"));
    let prefix = match (item.season, item.episode) {
        (Some(s), Some(e)) => Some(format!("s{s}e{e:03}")),
        (None, Some(e)) => Some(format!("{e:03}")),
        _ => item
            .pub_date
            .as_deref()
            .and_then(|d| Date::parse(d).ok())
            .map(|d| format!("{:04}-{:02}-{:02}", d.year, d.month, d.day)),
    };
    match prefix {
        Some(p) if slug.is_empty() => p,
        Some(p) => format!("{p}-{slug}"),
        None if slug.is_empty() => "episode".into(),
        None => slug,
    }
}

/// Lowercase ASCII letters and digits, words joined by `-`, at most 60
/// characters.
fn slug(title: &str) -> String {
    let mut s = String::new();
    for c in title.chars() {
        if c.is_ascii_alphanumeric() {
            s.push(c.to_ascii_lowercase());
        } else if !s.is_empty() && !s.ends_with('-') {
            s.push('-');
        }
        if s.len() >= 60 {
            break;
        }
    }
    s.trim_matches('-').to_string()
}

/// A TOML string.
fn q(s: &str) -> String {
    toml::Value::String(s.to_string()).to_string()
}

/// A front matter date as RFC 3339 (`2025-12-09T08:00:00+00:00`); the
/// text as written when it is not a date.
fn rfc3339(d: &str) -> Option<String> {
    // A weekday that does not match the date (feeds have them) is dropped:
    // the date is what apps sort by.
    let d = Date::parse(d)
        .or_else(|e| match d.split_once(',') {
            Some((day, rest)) if day.trim().len() == 3 => Date::parse(rest.trim()),
            _ => Err(e),
        })
        .ok()?;
    let off = d.offset_minutes;
    let sign = if off < 0 { '-' } else { '+' };
    Some(format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{sign}{:02}:{:02}",
        d.year,
        d.month,
        d.day,
        d.hour,
        d.minute,
        d.second,
        off.abs() / 60,
        off.abs() % 60
    ))
}

/// `itunes:duration` (seconds, `MM:SS` or `HH:MM:SS`) as `HH:MM:SS`.
pub fn duration_text(d: &str) -> Option<String> {
    let d = d.trim();
    let secs = match d.parse::<f64>() {
        Ok(s) if s.is_finite() && s >= 0.0 => s.round() as u64,
        _ => Timestamp::parse(d).ok()?.as_ms().div_ceil(1000),
    };
    Some(format!(
        "{:02}:{:02}:{:02}",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    ))
}

/// The notes file of one item.
pub fn notes_text(item: &Item) -> String {
    let mut fm = String::from("+++\n");
    let mut kv = |k: &str, v: String| {
        let _ = writeln!(fm, "{k} = {v}");
    };
    kv("title", q(item.title.as_deref().unwrap_or("")));
    if let Some(g) = &item.guid {
        kv("guid", q(g));
    }
    if let Some(d) = &item.pub_date {
        kv("date", q(&rfc3339(d).unwrap_or_else(|| d.clone())));
    }
    if let Some(e) = item.episode {
        kv("episode", e.to_string());
    }
    if let Some(s) = item.season {
        kv("season", s.to_string());
    }
    if let Some(t) = &item.episode_type {
        if ["full", "trailer", "bonus"].contains(&t.as_str()) {
            kv("type", q(t));
        }
    }
    if let Some(x) = item.explicit {
        kv("explicit", x.to_string());
    }
    if let Some(i) = &item.image {
        kv("image", q(i));
    }
    if let Some(u) = &item.link {
        kv("url", q(u));
    }
    if let Some(e) = &item.enclosure {
        kv("audio", q(&e.url));
        if let Some(l) = e.length {
            kv("length", l.to_string());
        }
    }
    if let Some(d) = item.duration.as_deref().and_then(duration_text) {
        kv("duration", q(&d));
    }
    fm.push_str("+++\n\n");
    let html = item
        .content
        .as_deref()
        .or(item.description.as_deref())
        .unwrap_or("");
    let mut body = markdown(html);
    let has_stamped = body.lines().filter(|l| stamped(l)).take(2).count() >= 2;
    if !item.chapters.is_empty() && !has_stamped {
        if !body.is_empty() {
            body.push_str("\n\n");
        }
        body.push_str("Chapters\n");
        for c in &item.chapters {
            let start = Timestamp::parse(c.start.trim())
                .map(|t| t.display(Style::Precise).to_string())
                .unwrap_or_else(|_| c.start.clone());
            let title = c.title.replace(['\n', '\r'], " ");
            let _ = writeln!(body, "{start} {title}");
        }
    }
    if body.trim().is_empty() {
        body = item.title.clone().unwrap_or_default();
    }
    let body = body.trim_end();
    format!("{fm}{body}\n")
}

/// A line that starts with a timestamp (`00:00 Intro`, `(1:02:03) Title`).
fn stamped(line: &str) -> bool {
    let t = line.trim_start_matches(['(', '[', '-', '*', ' ']);
    let stamp: String = t
        .chars()
        .take_while(|c| c.is_ascii_digit() || *c == ':' || *c == '.')
        .collect();
    stamp.contains(':') && Timestamp::parse(stamp.trim_end_matches('.')).is_ok()
}

/// The blocks as Markdown, blank lines between; runs of blocks that are
/// each one stamped line (`<p>00:00 Intro</p><p>03:12 ...</p>`) are one
/// chapter list.
fn join_blocks(blocks: Vec<String>) -> String {
    let mut out = String::new();
    let mut prev_stamped = false;
    let mut prev_label = false;
    for b in blocks {
        let one_stamp = !b.contains('\n') && stamped(&b);
        let starts_stamped = b.lines().next().is_some_and(stamped);
        if !out.is_empty() {
            let tight = (one_stamp && prev_stamped) || (starts_stamped && prev_label);
            out.push_str(if tight { "\n" } else { "\n\n" });
        }
        prev_stamped = one_stamp || b.lines().last().is_some_and(stamped);
        // A short line without a sentence's stop: a label (`Chapters`).
        prev_label = !b.contains('\n')
            && b.chars().count() <= 40
            && !b.contains(['.', '!', '?', '['])
            && !one_stamp;
        out.push_str(&b);
    }
    out
}

/// The `shownotes.toml` of a channel: `[show]` and `[feed]`.
pub fn config_text(ch: &Channel) -> String {
    let mut s = String::from(
        "# shownotes.toml, written by `shownotes import` from the show's feed.\n\n[show]\n",
    );
    let kv = |s: &mut String, k: &str, v: Option<String>| {
        if let Some(v) = v {
            let _ = writeln!(s, "{k} = {v}");
        }
    };
    kv(&mut s, "title", ch.title.as_deref().map(q));
    kv(
        &mut s,
        "website",
        ch.link
            .as_deref()
            .filter(|l| crate::links::gate(l).is_ok())
            .map(q),
    );
    kv(&mut s, "language", ch.language.as_deref().map(q));
    s.push_str("\n[feed]\n");
    kv(
        &mut s,
        "description",
        ch.description.as_deref().map(|d| q(&plain(d))),
    );
    kv(&mut s, "author", ch.author.as_deref().map(q));
    if ch.owner_name.is_some() || ch.owner_email.is_some() {
        let mut parts = Vec::new();
        if let Some(n) = &ch.owner_name {
            parts.push(format!("name = {}", q(n)));
        }
        if let Some(e) = &ch.owner_email {
            parts.push(format!("email = {}", q(e)));
        }
        let _ = writeln!(s, "owner = {{ {} }}", parts.join(", "));
    }
    kv(&mut s, "image", ch.image.as_deref().map(q));
    if !ch.categories.is_empty() {
        let list: Vec<String> = ch.categories.iter().map(|c| q(c)).collect();
        let _ = writeln!(s, "categories = [{}]", list.join(", "));
    }
    kv(&mut s, "explicit", ch.explicit.map(|e| e.to_string()));
    kv(
        &mut s,
        "type",
        ch.kind
            .as_deref()
            .filter(|k| ["episodic", "serial"].contains(k))
            .map(q),
    );
    kv(&mut s, "guid", ch.guid.as_deref().map(q));
    kv(&mut s, "url", ch.self_url.as_deref().map(q));
    s
}

/// The text of some HTML, tags out, whitespace collapsed.
fn plain(html: &str) -> String {
    let md = Converter::run(html, false);
    md.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// HTML as Markdown.
pub fn markdown(html: &str) -> String {
    Converter::run(html, true)
}

/// An open `<a>`: its URL and the text seen inside it so far.
struct OpenLink {
    href: Option<String>,
    text: String,
}

/// A list item that is a link alone: its URL and description.
type LinkAlone = (String, String);

/// A list being read: each item's Markdown, and whether each item is a
/// link alone.
#[derive(Default)]
struct List {
    ordered: bool,
    items: Vec<(String, Option<LinkAlone>)>,
}

struct Converter {
    /// Finished blocks, each Markdown text without the blank line.
    blocks: Vec<String>,
    /// The block being written.
    cur: String,
    link: Option<OpenLink>,
    /// Links seen in the current list item: `(url, text)`.
    item_links: Vec<(String, String)>,
    lists: Vec<List>,
    markup: bool,
    /// Inside `<script>`/`<style>`: text skipped.
    skip: usize,
}

impl Converter {
    fn run(html: &str, markup: bool) -> String {
        let mut c = Converter {
            blocks: Vec::new(),
            cur: String::new(),
            link: None,
            item_links: Vec::new(),
            lists: Vec::new(),
            markup,
            skip: 0,
        };
        for token in Tokenizer::new(html).flatten() {
            match token {
                Token::StartTag(t) => {
                    let name = String::from_utf8_lossy(&t.name).to_ascii_lowercase();
                    let href = t
                        .attributes
                        .get(b"href".as_slice())
                        .map(|v| String::from_utf8_lossy(v).trim().to_string());
                    c.start(&name, href, t.self_closing);
                }
                Token::EndTag(t) => {
                    let name = String::from_utf8_lossy(&t.name).to_ascii_lowercase();
                    c.end(&name);
                }
                Token::String(s) if c.skip == 0 => c.text(&String::from_utf8_lossy(&s)),
                _ => {}
            }
        }
        c.close_link();
        while !c.lists.is_empty() {
            c.end("ul");
        }
        c.flush();
        join_blocks(c.blocks)
    }

    fn out(&mut self) -> &mut String {
        match &mut self.link {
            Some(l) => &mut l.text,
            None => &mut self.cur,
        }
    }

    /// Text, whitespace collapsed as HTML shows it.
    fn text(&mut self, s: &str) {
        let out = self.out();
        for (i, part) in s.split(char::is_whitespace).enumerate() {
            if i > 0 && !out.is_empty() && !out.ends_with([' ', '\n']) {
                out.push(' ');
            }
            out.push_str(part);
        }
    }

    /// Ends the current line (`<br>`).
    fn newline(&mut self) {
        let out = self.out();
        while out.ends_with(' ') {
            out.pop();
        }
        if !out.is_empty() && !out.ends_with('\n') {
            out.push('\n');
        }
    }

    fn flush(&mut self) {
        let mut block: String = self
            .cur
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join("\n");
        self.cur.clear();
        // A short paragraph wholly in bold (`<p><strong>Links</strong></p>`)
        // is a label: written plain, as a producer writes one.
        if let Some(inner) = block.strip_prefix("**").and_then(|b| b.strip_suffix("**")) {
            if !inner.contains(['*', '\n']) && inner.chars().count() <= 40 {
                block = inner.trim().to_string();
            }
        }
        if !block.is_empty() {
            self.blocks.push(block);
        }
    }

    fn close_link(&mut self) {
        let Some(l) = self.link.take() else { return };
        let text = l.text.trim().to_string();
        let Some(href) = l.href.filter(|h| !h.is_empty()) else {
            self.cur.push_str(&text);
            return;
        };
        if !self.lists.is_empty() {
            self.item_links.push((href.clone(), text.clone()));
        }
        let same = text.is_empty() || text == href || href.strip_prefix("mailto:") == Some(&text);
        if same {
            self.cur.push_str(&href);
        } else if self.markup {
            let _ = write!(
                self.cur,
                "[{}]({})",
                text.replace(['[', ']'], ""),
                href.replace(' ', "%20")
            );
        } else {
            self.cur.push_str(&text);
        }
    }

    fn emphasis(&mut self, mark: &str) {
        if self.markup {
            self.out().push_str(mark);
        }
    }

    fn start(&mut self, name: &str, href: Option<String>, self_closing: bool) {
        match name {
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "section"
            | "table" | "tr" | "pre" => {
                self.close_link();
                if self.lists.is_empty() {
                    self.flush();
                    if self.markup && name.len() == 2 && name.starts_with('h') {
                        let level = name[1..].parse::<usize>().unwrap_or(1).min(6);
                        self.cur.push_str(&"#".repeat(level));
                        self.cur.push(' ');
                    }
                } else {
                    self.newline();
                }
            }
            "br" => self.newline(),
            "hr" => {
                self.close_link();
                self.flush();
            }
            "b" | "strong" => self.emphasis("**"),
            "i" | "em" => self.emphasis("*"),
            "a" if !self_closing => {
                self.close_link();
                self.link = Some(OpenLink {
                    href,
                    text: String::new(),
                });
            }
            "ul" | "ol" => {
                self.close_link();
                if self.lists.is_empty() {
                    self.flush();
                } else {
                    self.end_item();
                }
                self.lists.push(List {
                    ordered: name == "ol",
                    items: Vec::new(),
                });
            }
            "li" => {
                self.close_link();
                self.end_item();
            }
            "script" | "style" => self.skip += 1,
            _ => {}
        }
    }

    /// Files the current list item (its text in `cur`).
    fn end_item(&mut self) {
        let text = std::mem::take(&mut self.cur);
        let text = text
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty())
            .collect::<Vec<_>>()
            .join(" ");
        let links = std::mem::take(&mut self.item_links);
        if text.is_empty() {
            return;
        }
        let Some(list) = self.lists.last_mut() else {
            return;
        };
        // A link alone, perhaps with a description after it.
        let alone = match links.as_slice() {
            [(url, t)] => {
                let shown = if t.is_empty() || t == url {
                    url.clone()
                } else {
                    format!(
                        "[{}]({})",
                        t.replace(['[', ']'], ""),
                        url.replace(' ', "%20")
                    )
                };
                text.find(&shown).map(|at| {
                    let before = text[..at].trim().to_string();
                    let after = text[at + shown.len()..]
                        .trim()
                        .trim_start_matches(['—', '-', '–', ':', '|'])
                        .trim()
                        .to_string();
                    let desc = [t.as_str(), before.as_str(), after.as_str()]
                        .iter()
                        .filter(|s| !s.is_empty() && *s != url)
                        .cloned()
                        .collect::<Vec<_>>()
                        .join(" — ");
                    (url.clone(), desc)
                })
            }
            _ => None,
        };
        list.items.push((text, alone));
    }

    fn end(&mut self, name: &str) {
        match name {
            "a" => self.close_link(),
            "p" | "div" | "h1" | "h2" | "h3" | "h4" | "h5" | "h6" | "blockquote" | "section"
            | "table" | "tr" | "pre" => {
                self.close_link();
                if self.lists.is_empty() {
                    self.flush();
                } else {
                    self.newline();
                }
            }
            "b" | "strong" => self.emphasis("**"),
            "i" | "em" => self.emphasis("*"),
            "li" => {
                self.close_link();
                self.end_item();
            }
            "ul" | "ol" => {
                self.close_link();
                self.end_item();
                let Some(list) = self.lists.pop() else { return };
                let block = self.list_block(list);
                if let Some(outer) = self.lists.last_mut() {
                    // A nested list joins its parent item's text.
                    if let Some(last) = outer.items.last_mut() {
                        last.0.push('\n');
                        last.0.push_str(&block);
                        last.1 = None;
                    }
                } else if !block.is_empty() {
                    self.blocks.push(block);
                }
            }
            "script" | "style" => self.skip = self.skip.saturating_sub(1),
            _ => {}
        }
    }

    /// A list's Markdown: a link list (`URL — description` lines under a
    /// label) when every item is a link alone, else `- item` lines.
    fn list_block(&mut self, list: List) -> String {
        if list.items.is_empty() {
            return String::new();
        }
        if self.markup && list.items.iter().all(|(_, a)| a.is_some()) {
            let mut lines = Vec::new();
            // The paragraph before, when it is a label (`Links:`), labels
            // the list; else a label is given.
            let labelled = self.blocks.last().is_some_and(|b| {
                !b.contains('\n')
                    && b.chars().count() <= 40
                    && !b.contains("](")
                    && (b.trim_end().ends_with(':') || !b.contains(['.', '!', '?']))
            });
            if labelled {
                lines.push(self.blocks.pop().unwrap_or_default());
            } else {
                lines.push("Links:".to_string());
            }
            for (_, a) in &list.items {
                if let Some((url, desc)) = a {
                    if desc.is_empty() {
                        lines.push(url.clone());
                    } else {
                        lines.push(format!("{url} — {desc}"));
                    }
                }
            }
            return lines.join("\n");
        }
        let mut lines = Vec::new();
        for (i, (text, _)) in list.items.iter().enumerate() {
            let mark = if list.ordered {
                format!("{}.", i + 1)
            } else {
                "-".into()
            };
            if self.markup {
                lines.push(format!("{mark} {}", text.replace('\n', "\n  ")));
            } else {
                lines.push(text.clone());
            }
        }
        lines.join("\n")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_becomes_the_markdown_a_producer_writes() {
        let md = markdown(
            "<p>We talk <b>Rust</b> &amp; <em>HTTP</em>.<br>Second line with <a href=\"https://ex.com/a\">a link</a>.</p>\
             <p>Links:</p><ul><li><a href=\"https://ex.com/1\">One</a> — the first</li><li><a href=\"https://ex.com/2\">https://ex.com/2</a></li></ul>\
             <p>00:00 Intro<br>01:02:03 Outro</p><ul><li>plain</li><li>item</li></ul>",
        );
        assert_eq!(
            md,
            "We talk **Rust** & *HTTP*.\nSecond line with [a link](https://ex.com/a).\n\n\
             Links:\nhttps://ex.com/1 — One — the first\nhttps://ex.com/2\n\n\
             00:00 Intro\n01:02:03 Outro\n\n- plain\n- item"
        );
    }

    #[test]
    fn a_link_list_without_a_label_gets_one() {
        let md = markdown("<ul><li><a href='https://a.example/'>A</a></li></ul>");
        assert_eq!(md, "Links:\nhttps://a.example/ — A");
    }

    #[test]
    fn names_and_durations() {
        assert_eq!(
            slug("Ep. 17: Early Web — History!"),
            "ep-17-early-web-history"
        );
        assert_eq!(duration_text("3723").unwrap(), "01:02:03");
        assert_eq!(duration_text("62:03").unwrap(), "01:02:03");
        assert_eq!(duration_text("1:02:03").unwrap(), "01:02:03");
        assert_eq!(duration_text("x"), None);
        assert_eq!(
            rfc3339("Tue, 09 Dec 2025 08:00:00 GMT").unwrap(),
            "2025-12-09T08:00:00+00:00"
        );
        // The wrong weekday of a real feed is dropped.
        assert_eq!(
            rfc3339("Mon, 09 Dec 2025 08:00:00 +0100").unwrap(),
            "2025-12-09T08:00:00+01:00"
        );
    }
}
