//! The context every template receives (`shownotes context` prints it):
//! built from the notes, the show config and the audio.

use std::collections::HashMap;

use serde::Serialize;

use super::markup::{self, Part};
use super::platform::{self, rss::rfc2822, PlatformId};
use super::segments::{display, text_segments, Segment};
use crate::audio::AudioInfo;
use crate::config::Config;
use crate::links::{self, Link};
use crate::notes::{Block, Notes};
use crate::text;
use crate::timestamp::Style;

/// What every template receives (`shownotes context` prints it). Field
/// order is the JSON's order.
#[derive(Clone, Debug, Serialize)]
pub struct Context {
    /// The show, from `[show]` of the config.
    pub show: ShowCtx,
    /// The show's channel, from `[show]` and `[feed]` (what `shownotes
    /// feed` writes around the items).
    pub channel: ChannelCtx,
    /// The episode, from the front matter.
    pub episode: EpisodeCtx,
    /// Every front matter key shownotes does not own, as written (a static
    /// site's `[extra]`, `[params]`, `tags`, ...).
    pub extra: serde_json::Map<String, serde_json::Value>,
    /// The body, block by block, in order.
    pub blocks: Vec<BlockCtx>,
    /// Every chapter, with its timestamp in each platform's form.
    pub chapters: Vec<ChapterCtx>,
    /// The show's footer (config `[show] footer`), line by line; empty when
    /// there is none or the notes already hold it.
    pub footer: Vec<Vec<Segment>>,
    /// The audio, when one was given and could be read.
    pub audio: Option<AudioCtx>,
    /// The rendered Apple and Spotify HTML, for the RSS item's
    /// `<description>` and `<content:encoded>`; `null` for the other
    /// templates, which are rendered first.
    pub html: Option<HtmlCtx>,
}

/// `[show]` from the config.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ShowCtx {
    /// `[show] title`.
    pub title: Option<String>,
    /// `[show] website`.
    pub website: Option<String>,
    /// `[show] language`.
    pub language: Option<String>,
}

/// The channel: `[show]` and `[feed]` of the config.
#[derive(Clone, Debug, Default, Serialize)]
pub struct ChannelCtx {
    /// `[show] title`.
    pub title: Option<String>,
    /// `[show] website`.
    pub link: Option<String>,
    /// `[feed] description`.
    pub description: Option<String>,
    /// `[show] language`.
    pub language: Option<String>,
    /// `[feed] author` (`itunes:author`).
    pub author: Option<String>,
    /// `[feed] owner` (`itunes:owner`).
    pub owner: Option<crate::config::Owner>,
    /// `[feed] image` as a URL (`itunes:image`).
    pub image: Option<String>,
    /// `[feed] categories`, each with its subcategory.
    pub categories: Vec<CategoryCtx>,
    /// `[feed] explicit`.
    pub explicit: Option<bool>,
    /// `[feed] type`: `episodic` or `serial`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `[feed] guid` (`podcast:guid`).
    pub guid: Option<String>,
    /// `[feed] url` (`atom:link rel="self"`).
    pub self_url: Option<String>,
    /// `<lastBuildDate>` (RFC 2822): the newest episode's date, set by
    /// `shownotes feed`; `null` for one episode.
    pub last_build_date: Option<String>,
}

/// An `itunes:category`: `"News > Tech News"` is `News` with `Tech News`.
#[derive(Clone, Debug, Serialize)]
pub struct CategoryCtx {
    /// The category.
    pub name: String,
    /// The subcategory, if any.
    pub sub: Option<String>,
}

/// The channel from the config. An `image` that is a file beside the
/// config is published under `[show] media_base_url`.
pub fn channel(config: &Config) -> ChannelCtx {
    let f = &config.feed;
    let image = f.image.as_deref().and_then(|i| {
        if is_http(i) {
            gated(Some(i))
        } else {
            let name = std::path::Path::new(i)
                .file_name()?
                .to_string_lossy()
                .into_owned();
            config
                .show
                .media_base_url
                .as_deref()
                .map(|base| join_url(base, &name))
        }
    });
    let mut c = ChannelCtx {
        title: config.show.title.clone(),
        link: gated(config.show.website.as_deref()),
        description: f.description.clone(),
        language: config.show.language.clone(),
        author: f.author.clone(),
        owner: f.owner.clone(),
        image,
        categories: f
            .categories
            .iter()
            .map(|c| match c.split_once('>') {
                Some((p, s)) => CategoryCtx {
                    name: p.trim().to_string(),
                    sub: Some(s.trim().to_string()),
                },
                None => CategoryCtx {
                    name: c.trim().to_string(),
                    sub: None,
                },
            })
            .collect(),
        explicit: f.explicit,
        kind: f.kind.clone(),
        guid: f
            .guid
            .clone()
            .or_else(|| gated(f.url.as_deref()).map(|u| podcast_guid(&u))),
        self_url: gated(f.url.as_deref()),
        last_build_date: None,
    };
    c.clean();
    c
}

/// The `podcast:guid` of a feed at `url`, as the Podcasting 2.0 namespace
/// defines it: a UUIDv5 (RFC 4122, section 4.3: SHA-1) in the namespace
/// `ead4c236-bf58-58c6-a2c6-a6b28d128cb6` of the feed's URL without its
/// scheme and trailing slashes
/// (<https://podcastnamespace.org/tag/guid>).
pub(crate) fn podcast_guid(url: &str) -> String {
    use sha1::{Digest, Sha1};
    const NAMESPACE: [u8; 16] = [
        0xea, 0xd4, 0xc2, 0x36, 0xbf, 0x58, 0x58, 0xc6, 0xa2, 0xc6, 0xa6, 0xb2, 0x8d, 0x12, 0x8c,
        0xb6,
    ];
    let name = url
        .split_once("://")
        .map_or(url, |(_, rest)| rest)
        .trim_end_matches('/');
    let mut h = Sha1::new();
    h.update(NAMESPACE);
    h.update(name.as_bytes());
    let d = h.finalize();
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    b[6] = (b[6] & 0x0f) | 0x50;
    b[8] = (b[8] & 0x3f) | 0x80;
    let hex: String = b.iter().map(|x| format!("{x:02x}")).collect();
    format!(
        "{}-{}-{}-{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[12..16],
        &hex[16..20],
        &hex[20..32]
    )
}

impl ChannelCtx {
    /// [`text::clean`] over every text.
    fn clean(&mut self) {
        for s in [
            &mut self.title,
            &mut self.description,
            &mut self.language,
            &mut self.author,
            &mut self.kind,
            &mut self.guid,
        ]
        .into_iter()
        .flatten()
        {
            if let std::borrow::Cow::Owned(t) = text::clean(s) {
                *s = t;
            }
        }
        if let Some(o) = &mut self.owner {
            for s in [&mut o.name, &mut o.email].into_iter().flatten() {
                if let std::borrow::Cow::Owned(t) = text::clean(s) {
                    *s = t;
                }
            }
        }
        for c in &mut self.categories {
            for s in [Some(&mut c.name), c.sub.as_mut()].into_iter().flatten() {
                if let std::borrow::Cow::Owned(t) = text::clean(s) {
                    *s = t;
                }
            }
        }
    }
}

/// The episode, from the front matter (and the config for its URL).
#[derive(Clone, Debug, Default, Serialize)]
pub struct EpisodeCtx {
    /// The front matter's `title`, else the first line of the notes.
    pub title: String,
    /// The front matter's `episode`.
    pub number: Option<u64>,
    /// The front matter's `season`.
    pub season: Option<u64>,
    /// As written in the front matter.
    pub date: Option<String>,
    /// RFC 2822, for `<pubDate>`.
    pub pub_date: Option<String>,
    /// The front matter's `url`, else `[show] episode_url` with the number.
    pub url: Option<String>,
    /// The front matter's `guid`, else the episode URL, else the audio's URL.
    pub guid: Option<String>,
    /// Whether `guid` is the episode URL.
    pub guid_is_permalink: bool,
    /// The front matter's `image` (it passed the URL gate).
    pub image: Option<String>,
    /// The front matter's `explicit`.
    pub explicit: Option<bool>,
    /// `full` (default), `trailer` or `bonus`.
    pub episode_type: String,
}

/// A block of the body.
#[derive(Clone, Debug, Serialize)]
#[serde(tag = "type", rename_all = "kebab-case")]
pub enum BlockCtx {
    /// A heading.
    Heading {
        /// 1 to 6, as `#` to `######`.
        level: u8,
        /// Its text.
        text: String,
    },
    /// Lines of text: the notes' Markdown, emphasis taken off.
    Paragraph {
        /// The paragraph as plain lines, each a run of text and link
        /// segments; list items marked `• ` or `1. ` (YouTube's form).
        lines: Vec<Vec<Segment>>,
        /// The same as runs of lines and bullet or numbered lists, for
        /// the HTML templates.
        parts: Vec<Part>,
    },
    /// A link list ("Learn more:").
    Links {
        /// The label line, as written.
        label: String,
        /// The items, in order.
        items: Vec<LinkItem>,
    },
    /// Where the chapter list stands; its chapters are `chapters`.
    Chapters {
        /// The label line, as written.
        label: String,
    },
}

/// An item of a link list.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct LinkItem {
    /// The normalized URL; only `http`, `https` and `mailto`.
    pub url: String,
    /// The description, when the item has one.
    pub text: Option<String>,
    /// The URL as shown: the URL, or the address of a `mailto:` link.
    pub display: String,
}

/// A chapter: its start in every platform's form, keyed by platform
/// ([`platform::Platform::chapter_time`]: `youtube`, `spotify`, `apple`, `npt`).
/// As JSON: `start_ms`, then the forms from the shortest to the longest,
/// then `title`.
#[derive(Clone, Debug)]
pub struct ChapterCtx {
    /// The start, in milliseconds.
    pub start_ms: u64,
    /// `(key, start)`, such as `("youtube", "5:32")`.
    pub times: Vec<(&'static str, String)>,
    /// The title.
    pub title: String,
}

impl Serialize for ChapterCtx {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        // A struct (static keys), as the derive wrote it: template values
        // and JSON are made without a key allocated per chapter.
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("ChapterCtx", self.times.len() + 2)?;
        m.serialize_field("start_ms", &self.start_ms)?;
        for (key, time) in &self.times {
            m.serialize_field(key, time)?;
        }
        m.serialize_field("title", &self.title)?;
        m.end()
    }
}

impl LinkItem {
    /// The item of a link list's link.
    fn of(l: &Link) -> LinkItem {
        LinkItem {
            url: l.url.clone(),
            text: l.text.as_deref().map(markup::plain),
            display: display(&l.url),
        }
    }
}

/// The audio file.
#[derive(Clone, Debug, Serialize)]
pub struct AudioCtx {
    /// The file's name, without its folder.
    pub file_name: String,
    /// `[show] media_base_url` + the file name (percent-encoded).
    pub url: Option<String>,
    /// `[show] media_base_url` + `<file stem>.chapters.json`.
    pub chapters_url: Option<String>,
    /// `<file stem>.chapters.json`: the chapters file `build` writes
    /// beside the RSS item, the name `chapters_url` ends with.
    #[serde(skip)]
    pub chapters_file_name: String,
    /// Its size in bytes (`<enclosure length>`).
    pub bytes: u64,
    /// Its MIME type (`<enclosure type>`).
    pub mime: String,
    /// Its playable length, in milliseconds.
    pub duration_ms: u64,
    /// Whole seconds, rounded (`<itunes:duration>`).
    pub duration_seconds: u64,
}

/// The outputs rendered before a platform that embeds them (the RSS item
/// embeds Apple's and Spotify's HTML: [`platform::Platform::embeds`]), keyed by
/// platform in the order it names them.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HtmlCtx(pub Vec<(PlatformId, String)>);

impl HtmlCtx {
    /// The output of `id`, when it is held.
    pub fn get(&self, id: PlatformId) -> Option<&str> {
        self.0
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, s)| s.as_str())
    }
}

impl Serialize for HtmlCtx {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeStruct;
        let mut m = s.serialize_struct("HtmlCtx", self.0.len())?;
        for (id, html) in &self.0 {
            m.serialize_field(id.as_str(), html)?;
        }
        m.end()
    }
}

/// Percent-encodes a file name for a URL path.
fn encode_path_segment(s: &str) -> String {
    let mut out = String::new();
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn join_url(base: &str, name: &str) -> String {
    let sep = if base.ends_with('/') { "" } else { "/" };
    format!("{base}{sep}{}", encode_path_segment(name))
}

/// The episode URL: the front matter's `url`, else `[show] episode_url`
/// with `{episode}` replaced (when the number is known).
fn episode_url(notes: &Notes, config: &Config) -> Option<String> {
    if let Some(u) = &notes.front_matter.url {
        return Some(u.clone());
    }
    let t = config.show.episode_url.as_ref()?;
    let url = match notes.front_matter.episode {
        Some(n) => Some(t.replace("{episode}", &n.to_string())),
        None => (!t.contains("{episode}")).then(|| t.clone()),
    };
    url.and_then(|u| links::gate(&u).ok())
}

/// A URL for the templates: through the URL gate, or left out. (The
/// notes' and the front matter's URLs were reported where they stand when
/// they failed; this is the last gate before any template.)
fn gated(url: Option<&str>) -> Option<String> {
    url.and_then(|u| links::gate(u).ok())
}

fn is_http(url: &str) -> bool {
    let lower = url.get(..8).unwrap_or(url).to_ascii_lowercase();
    lower.starts_with("https://") || lower.starts_with("http://")
}

impl Context {
    /// Removes invisible characters (bidi controls, zero-width characters)
    /// from every text the templates receive, and turns control characters
    /// into spaces ([`text::clean`]), so that no template, not even one
    /// printing a value `|safe`, can write them.
    fn clean(&mut self) {
        fn c(s: &mut String) {
            if let std::borrow::Cow::Owned(t) = text::clean(s) {
                *s = t;
            }
        }
        fn opt(s: &mut Option<String>) {
            if let Some(s) = s {
                c(s);
            }
        }
        fn segs(lines: &mut [Vec<Segment>]) {
            for seg in lines.iter_mut().flatten() {
                c(&mut seg.text);
            }
        }
        opt(&mut self.show.title);
        opt(&mut self.show.language);
        let e = &mut self.episode;
        c(&mut e.title);
        opt(&mut e.date);
        opt(&mut e.guid);
        c(&mut e.episode_type);
        fn json(v: &mut serde_json::Value) {
            match v {
                serde_json::Value::String(s) => c(s),
                serde_json::Value::Array(a) => a.iter_mut().for_each(json),
                serde_json::Value::Object(o) => o.values_mut().for_each(json),
                _ => {}
            }
        }
        self.extra.values_mut().for_each(json);
        for b in &mut self.blocks {
            match b {
                BlockCtx::Heading { text, .. } => c(text),
                BlockCtx::Paragraph { lines, parts } => {
                    // `lines` are `parts`' texts with list markers: when
                    // no text of `parts` has anything to clean, neither
                    // has any of `lines`.
                    if clean_parts(parts) {
                        segs(lines);
                    }
                }
                BlockCtx::Links { label, items } => {
                    c(label);
                    for i in items {
                        opt(&mut i.text);
                        c(&mut i.display);
                    }
                }
                BlockCtx::Chapters { label } => c(label),
            }
        }
        for ch in &mut self.chapters {
            c(&mut ch.title);
        }
        /// Cleans `parts`; whether any text had a character to clean.
        fn clean_parts(parts: &mut [Part]) -> bool {
            let mut any = false;
            for p in parts {
                match p {
                    Part::Lines { lines } => {
                        for seg in lines.iter_mut().flatten() {
                            if text::may_change_in_clean(&seg.text) {
                                any = true;
                                c(&mut seg.text);
                            }
                        }
                    }
                    Part::List { items, .. } => {
                        for i in items {
                            any |= clean_parts(i);
                        }
                    }
                }
            }
            any
        }
        segs(&mut self.footer);
        if let Some(a) = &mut self.audio {
            c(&mut a.file_name);
        }
    }
}

/// Builds the context the templates receive.
pub fn context(notes: &Notes, config: &Config, audio: Option<&AudioInfo>) -> Context {
    let rules = config.link_rules();
    // The chapters do not depend on the body: on long notes they are made
    // on another thread meanwhile.
    let (chapters, body) = crate::parallel::join(
        notes.source.text.len() >= crate::parallel::SHARED_FROM,
        "shownotes-chapters",
        || chapters(notes),
        || body(notes, &rules),
    );
    let url = episode_url(notes, config);
    let footer = footer(notes, config, url.as_deref(), &body.note_lines, &rules);
    let mut episode = episode(notes, url, body.first_line);
    let audio = audio.map(|a| audio_ctx(a, config));
    // Without a guid or an episode URL, the audio's URL is the stable
    // identifier left (not a permalink: it is not the episode's page).
    if episode.guid.is_none() {
        episode.guid = audio.as_ref().and_then(|a| a.url.clone());
    }
    let mut ctx = Context {
        show: ShowCtx {
            title: config.show.title.clone(),
            website: gated(config.show.website.as_deref()),
            language: config.show.language.clone(),
        },
        channel: channel(config),
        episode,
        extra: notes.front_matter.extra.clone(),
        blocks: body.blocks,
        chapters,
        footer,
        audio,
        html: None,
    };
    ctx.clean();
    ctx
}

/// The body as the templates receive it, and what the episode title and
/// the footer need from it.
struct Body<'a> {
    blocks: Vec<BlockCtx>,
    /// The first heading or line: the title when the front matter has none.
    first_line: Option<String>,
    /// Every line of every paragraph, trimmed.
    note_lines: Vec<&'a str>,
}

fn body<'a>(notes: &'a Notes, rules: &links::Rules) -> Body<'a> {
    let lists = link_lists(notes);
    let refs = markup::References::of_notes(notes);
    let read = read_blocks(&notes.blocks, &lists, rules, &refs, &notes.normalized);
    let mut body = Body {
        blocks: Vec::new(),
        first_line: None,
        note_lines: Vec::new(),
    };
    for (b, read) in notes.blocks.iter().zip(read) {
        let block = match b {
            Block::Heading { level, text, .. } => {
                let text = markup::plain(text);
                body.first_line.get_or_insert_with(|| text.clone());
                BlockCtx::Heading {
                    level: *level,
                    text,
                }
            }
            Block::Paragraph { lines, .. } => {
                let Read::Paragraph(parts, lines_ctx) = read else {
                    unreachable!("every paragraph was read as one")
                };
                if let Some(first) = lines_ctx.first() {
                    body.first_line
                        .get_or_insert_with(|| first.iter().map(|s| s.text.as_str()).collect());
                }
                for line in lines {
                    body.note_lines.push(line.trim());
                }
                BlockCtx::Paragraph {
                    lines: lines_ctx,
                    parts,
                }
            }
            Block::LinkList { label, .. } => BlockCtx::Links {
                label: markup::plain(label),
                items: match read {
                    Read::Links(items) => items,
                    _ => unreachable!("every link list was read as one"),
                },
            },
            Block::ChapterList { label, .. } => BlockCtx::Chapters {
                label: if label.is_empty() {
                    "Chapters".to_string()
                } else {
                    markup::plain(label)
                },
            },
        };
        body.blocks.push(block);
    }
    body
}

/// The links of each link list (by its index), gathered in one pass.
fn link_lists(notes: &Notes) -> HashMap<usize, Vec<&Link>> {
    let mut lists: HashMap<usize, Vec<&Link>> = HashMap::new();
    for l in &notes.links {
        if let Some(index) = l.list {
            lists.entry(index).or_default().push(l);
        }
    }
    lists
}

/// A block read by [`read_blocks`].
#[derive(Debug, PartialEq)]
enum Read {
    /// A paragraph's parts, and the same as plain lines.
    Paragraph(Vec<Part>, Vec<Vec<Segment>>),
    /// A link list's items (the links that pass the URL gate).
    Links(Vec<LinkItem>),
    /// A heading or the chapter list: read where it stands.
    Other,
}

/// Each block read, in order: a paragraph's Markdown ([`markup::parts`],
/// [`markup::plain_lines`]) and a link list's items (`lists`: each list's
/// links). Blocks are read each on its own (the reference definitions
/// gathered before), so on long notes two threads share them
/// ([`crate::parallel::shared`]): the Markdown of every paragraph is the
/// costliest part of the context, and a long link list the next.
fn read_blocks(
    blocks: &[Block],
    lists: &HashMap<usize, Vec<&Link>>,
    rules: &links::Rules,
    refs: &markup::References,
    memo: &links::Memo,
) -> Vec<Read> {
    let size = |b: &Block| match b {
        Block::Paragraph { lines, .. } => lines.iter().map(|l| l.len() + 1).sum(),
        Block::LinkList { index, .. } => lists.get(index).map_or(0, |l| 64 * l.len()),
        _ => 0,
    };
    crate::parallel::shared(blocks, size, crate::parallel::SHARED_FROM, |blocks| {
        blocks
            .iter()
            .map(|b| match b {
                Block::Paragraph { lines, .. } => {
                    let parts = markup::parts(lines, rules, refs, memo);
                    let plain = markup::plain_lines(&parts);
                    Read::Paragraph(parts, plain)
                }
                Block::LinkList { index, .. } => Read::Links(
                    lists
                        .get(index)
                        .into_iter()
                        .flatten()
                        .filter(|l| memo.passes_gate(&l.url))
                        .map(|l| LinkItem::of(l))
                        .collect(),
                ),
                _ => Read::Other,
            })
            .collect()
    })
}

/// The show's footer with its placeholders filled in, line by line; empty
/// when the notes already end with it.
fn footer(
    notes: &Notes,
    config: &Config,
    url: Option<&str>,
    note_lines: &[&str],
    rules: &links::Rules,
) -> Vec<Vec<Segment>> {
    // A footer line whose placeholder has no value (no episode number, so
    // no episode URL) is left out rather than shown dangling.
    let episode = notes.front_matter.episode.map(|n| n.to_string());
    let footer_text = config.show.footer.as_ref().map(|f| {
        f.lines()
            .filter(|l| {
                !(l.contains("{episode_url}") && url.is_none()
                    || l.contains("{episode}") && episode.is_none())
            })
            .map(|l| {
                l.replace("{episode_url}", url.unwrap_or(""))
                    .replace("{episode}", episode.as_deref().unwrap_or(""))
            })
            .collect::<Vec<_>>()
            .join("\n")
    });
    let footer_lines: Vec<&str> = footer_text
        .as_deref()
        .map(|f| {
            let lines: Vec<&str> = f.trim().lines().map(str::trim_end).collect();
            lines
        })
        .unwrap_or_default();
    // Notes that already end with the footer (the Netstack.FM seeds do)
    // do not get it twice.
    let already = !footer_lines.is_empty()
        && footer_lines
            .iter()
            .filter(|l| !l.trim().is_empty())
            .all(|l| note_lines.contains(&l.trim()));
    if already {
        vec![]
    } else {
        footer_lines
            .iter()
            .map(|l| text_segments(l, rules, &notes.normalized))
            .collect()
    }
}

/// The episode, from the front matter, its URL and the notes' first line.
fn episode(notes: &Notes, url: Option<String>, first_line: Option<String>) -> EpisodeCtx {
    let fm = &notes.front_matter;
    // A guid from the front matter is an identifier (never a script URL:
    // the front matter reader refuses those) and is not a permalink; the
    // episode URL standing in for it is, when it is an http(s) URL.
    let guid = fm.guid.clone().or_else(|| url.clone());
    let guid_is_permalink = fm.guid.is_none() && url.as_deref().is_some_and(is_http);
    EpisodeCtx {
        title: fm
            .title
            .clone()
            .or(first_line)
            .unwrap_or_else(|| match fm.episode {
                Some(n) => format!("Episode {n}"),
                None => "Episode".to_string(),
            }),
        number: fm.episode,
        season: fm.season,
        date: fm.date.clone(),
        pub_date: fm.date.as_deref().and_then(rfc2822),
        guid_is_permalink,
        guid,
        url,
        image: gated(fm.image.as_deref()),
        explicit: fm.explicit,
        episode_type: fm.episode_type.clone().unwrap_or_else(|| "full".into()),
    }
}

/// The chapters, each start in every form a platform asks for
/// ([`platform::Platform::chapter_time`]), from the shortest form to the longest.
fn chapters(notes: &Notes) -> Vec<ChapterCtx> {
    let mut forms: Vec<(&'static str, Style)> =
        platform::all().filter_map(|p| p.chapter_time()).collect();
    // `Style` lists the forms from the shortest to the longest.
    forms.sort_by_key(|&(_, style)| style as u8);
    notes
        .chapters
        .iter()
        .map(|c| ChapterCtx {
            start_ms: c.start.as_ms(),
            times: forms
                .iter()
                .map(|&(key, style)| (key, c.start.display(style).to_string()))
                .collect(),
            title: c.title.clone(),
        })
        .collect()
}

/// The audio file, its URLs under `[show] media_base_url`.
fn audio_ctx(a: &AudioInfo, config: &Config) -> AudioCtx {
    let file_name = a
        .path
        .file_name()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let stem = a
        .path
        .file_stem()
        .map_or_else(String::new, |n| n.to_string_lossy().into_owned());
    let base = config.show.media_base_url.as_deref();
    AudioCtx {
        url: gated(base.map(|b| join_url(b, &file_name)).as_deref()),
        chapters_url: gated(
            base.map(|b| join_url(b, &format!("{stem}.chapters.json")))
                .as_deref(),
        ),
        chapters_file_name: format!("{stem}.chapters.json"),
        file_name,
        bytes: a.bytes,
        mime: a.mime.to_string(),
        duration_ms: a.duration_ms,
        duration_seconds: (a.duration_ms + 500) / 1000,
    }
}

#[cfg(test)]
mod tests {

    /// The Podcasting 2.0 namespace's own example: `https://podnews.net/rss`
    /// has the guid `9b024349-ccf0-5f69-a609-6b82873eab3c`.
    #[test]
    fn podcast_guid_is_the_namespace_uuid_v5_of_the_feed_url() {
        let want = "9b024349-ccf0-5f69-a609-6b82873eab3c";
        assert_eq!(podcast_guid("https://podnews.net/rss"), want);
        assert_eq!(podcast_guid("http://podnews.net/rss/"), want);
        assert_ne!(podcast_guid("https://podnews.net/rss2"), want);
    }

    use super::*;
    use crate::source::Source;

    fn notes(text: &str) -> Notes {
        Notes::parse(Source::new("n.md", text), &links::Rules::default())
    }

    #[test]
    fn paragraphs_split_into_text_and_links() {
        let n = notes("See [the RFC](https://a.org/x?utm_source=z) and <https://b.org>, or https://c.org. Mail hello@x.org\n");
        let c = context(&n, &Config::default(), None);
        let BlockCtx::Paragraph { lines, .. } = &c.blocks[0] else {
            panic!("{:?}", c.blocks)
        };
        let got: Vec<(&str, Option<&str>)> = lines[0]
            .iter()
            .map(|s| (s.text.as_str(), s.url.as_deref()))
            .collect();
        assert_eq!(
            got,
            [
                ("See ", None),
                ("the RFC", Some("https://a.org/x")),
                (" and ", None),
                ("https://b.org", Some("https://b.org")),
                (", or ", None),
                ("https://c.org", Some("https://c.org")),
                (". Mail ", None),
                ("hello@x.org", Some("mailto:hello@x.org")),
            ]
        );
    }

    #[test]
    fn paragraph_lines_are_cleaned_like_their_parts() {
        for text in [
            "Intro a\u{200B}b\n\n- one\u{202E}x\n- two \u{7}y\n  1. a\u{FEFF}\n",
            "Plain words.\n\n- one\n- two\n",
        ] {
            let c = context(&notes(text), &Config::default(), None);
            for b in &c.blocks {
                if let BlockCtx::Paragraph { lines, .. } = b {
                    for s in lines.iter().flatten() {
                        assert_eq!(text::clean(&s.text), s.text.as_str(), "{text:?}");
                    }
                }
            }
        }
    }

    #[test]
    fn long_notes_read_on_two_threads_read_as_on_one() {
        let text = "Intro with [a ref][r] and https://a.org/x.\n\n- one **two** <https://b.org>\n- three\n  1. four\n\n[r]: https://r.org/?utm_source=x\n\n# Part\n\nLinks:\n- https://c.org/?utm_medium=y — the **c** site\n- [d](https://d.org)\n\n".repeat(1500);
        let n = notes(&text);
        let rules = links::Rules::default();
        let refs = markup::References::of(&n.source.text);
        let lists = link_lists(&n);
        let size = |b: &Block| match b {
            Block::Paragraph { lines, .. } => lines.iter().map(|l| l.len() + 1).sum(),
            _ => 0,
        };
        let total: usize = n.blocks.iter().map(size).sum();
        assert!(total > 2 * crate::parallel::SHARED_FROM, "{total}");
        assert!(lists.len() > 1000, "{}", lists.len());
        // With the URLs the parser normalized, as without them.
        let got = read_blocks(&n.blocks, &lists, &rules, &refs, &n.normalized);
        assert_eq!(got.len(), n.blocks.len());
        for (b, read) in n.blocks.iter().zip(got) {
            let want = match b {
                Block::Paragraph { lines, .. } => {
                    let parts = markup::parts(lines, &rules, &refs, &links::Memo::default());
                    let plain = markup::plain_lines(&parts);
                    Read::Paragraph(parts, plain)
                }
                Block::LinkList { index, .. } => Read::Links(
                    lists[index]
                        .iter()
                        .filter(|l| links::passes_gate(&l.url))
                        .map(|l| LinkItem::of(l))
                        .collect(),
                ),
                _ => Read::Other,
            };
            assert_eq!(read, want);
        }
    }

    #[test]
    fn the_footer_is_appended_once() {
        let mut config = Config::default();
        config.show.episode_url = Some("https://n.fm/#episode-{episode}".into());
        config.show.footer = Some("N.FM\nMore information: {episode_url}\n".into());
        let n = notes("+++\nepisode = 3\n+++\nSummary.\n");
        let c = context(&n, &config, None);
        assert_eq!(c.footer.len(), 2);
        assert_eq!(
            c.footer[1][1].url.as_deref(),
            Some("https://n.fm/#episode-3")
        );
        let n = notes("+++\nepisode = 3\n+++\nSummary.\n\nN.FM\nMore information: https://n.fm/#episode-3\nMore.\n");
        assert!(context(&n, &config, None).footer.is_empty());
        // Without an episode number there is no episode URL: that line goes.
        let n = notes("Summary.\n");
        assert_eq!(context(&n, &config, None).footer.len(), 1);
    }

    #[test]
    fn unowned_front_matter_keys_reach_the_templates_as_extra() {
        let n = notes(
            "+++\ntitle = \"x\"\ntags = [\"a\"]\n[extra]\nart = \"a\u{200b}.png\"\n+++\nSummary.\n",
        );
        let c = context(&n, &Config::default(), None);
        assert_eq!(c.extra["tags"][0], "a");
        // Cleaned like every text the templates receive.
        assert_eq!(c.extra["extra"]["art"], "a.png");
        let v = serde_json::to_value(&c).unwrap();
        assert_eq!(v["extra"]["extra"]["art"], "a.png");
    }
}
