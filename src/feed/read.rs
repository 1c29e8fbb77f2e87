//! Reading a podcast RSS 2.0 feed with quick-xml's namespace-aware reader:
//! the channel and its items, with the iTunes, Podcasting 2.0, content,
//! Podlove Simple Chapters and Atom namespaces resolved by URI (not by the
//! prefix a host happens to use). CDATA and entity-escaped HTML are both
//! read. A document type declaration is refused: feeds have none, and an
//! internal subset is how entity bombs (`<!ENTITY`) are made.

use quick_xml::events::{BytesStart, Event};
use quick_xml::name::{Namespace, ResolveResult};
use quick_xml::NsReader;

use crate::error::{Error, ErrorKind, Result};
use crate::source::{Source, Span};

/// The iTunes namespace (Apple Podcasts, "A Podcaster's Guide to RSS").
pub const ITUNES: &str = "http://www.itunes.com/dtds/podcast-1.0.dtd";
/// Podcasting 2.0 (<https://podcastindex.org/namespace/1.0>).
pub const PODCAST: &str = "https://podcastindex.org/namespace/1.0";
/// RSS 1.0 content module (`content:encoded`).
pub const CONTENT: &str = "http://purl.org/rss/1.0/modules/content/";
/// Podlove Simple Chapters (<https://podlove.org/simple-chapters/>).
pub const PSC: &str = "http://podlove.org/simple-chapters";
/// Atom (RFC 4287), for `atom:link rel="self"`.
pub const ATOM: &str = "http://www.w3.org/2005/Atom";

/// A feed as read.
#[derive(Clone, Debug, Default)]
pub struct Feed {
    /// The channel's own tags.
    pub channel: Channel,
    /// Every `<item>`, in the feed's order.
    pub items: Vec<Item>,
}

/// The `<channel>`'s tags a show config keeps.
#[derive(Clone, Debug, Default)]
pub struct Channel {
    /// `<title>`.
    pub title: Option<String>,
    /// `<link>`: the show's website.
    pub link: Option<String>,
    /// `<description>` (or `itunes:summary`).
    pub description: Option<String>,
    /// `<language>`.
    pub language: Option<String>,
    /// `itunes:author`.
    pub author: Option<String>,
    /// `itunes:owner` / `itunes:name`.
    pub owner_name: Option<String>,
    /// `itunes:owner` / `itunes:email`.
    pub owner_email: Option<String>,
    /// `itunes:image href` (else `<image><url>`).
    pub image: Option<String>,
    /// `itunes:category text`, a subcategory as `Parent > Child`.
    pub categories: Vec<String>,
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
    /// `itunes:type`: `episodic` or `serial`.
    pub kind: Option<String>,
    /// `podcast:guid`.
    pub guid: Option<String>,
    /// `atom:link rel="self" href`.
    pub self_url: Option<String>,
}

/// An `<enclosure>`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Enclosure {
    /// `url`.
    pub url: String,
    /// `length` in bytes, when it is a number.
    pub length: Option<u64>,
    /// `type`.
    pub mime: Option<String>,
}

/// A `psc:chapter`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct PscChapter {
    /// `start`, Normal Play Time as written.
    pub start: String,
    /// `title`.
    pub title: String,
    /// `href`, when it has one.
    pub href: Option<String>,
}

/// An `<item>`.
#[derive(Clone, Debug, Default)]
pub struct Item {
    /// Where the item starts in the feed (for findings).
    pub span: Span,
    /// `<title>` (else `itunes:title`).
    pub title: Option<String>,
    /// `<link>`.
    pub link: Option<String>,
    /// `<description>` (else `itunes:summary`), HTML.
    pub description: Option<String>,
    /// `content:encoded`, HTML.
    pub content: Option<String>,
    /// `<guid>`.
    pub guid: Option<String>,
    /// `<pubDate>` as written.
    pub pub_date: Option<String>,
    /// `<enclosure>`.
    pub enclosure: Option<Enclosure>,
    /// `itunes:duration` as written.
    pub duration: Option<String>,
    /// `itunes:episode` (else `podcast:episode`).
    pub episode: Option<u64>,
    /// `itunes:season` (else `podcast:season`).
    pub season: Option<u64>,
    /// `itunes:episodeType`.
    pub episode_type: Option<String>,
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
    /// `itunes:image href`.
    pub image: Option<String>,
    /// `psc:chapters`.
    pub chapters: Vec<PscChapter>,
    /// `podcast:chapters url`.
    pub chapters_url: Option<String>,
    /// `podcast:transcript url`s.
    pub transcripts: Vec<String>,
}

/// Which namespace a name is in, as far as a feed cares.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ns {
    None,
    Itunes,
    Podcast,
    Content,
    Psc,
    Atom,
    Other,
}

fn ns_of(r: &ResolveResult<'_>) -> Ns {
    match r {
        ResolveResult::Unbound => Ns::None,
        ResolveResult::Bound(Namespace(uri)) => {
            let uri = String::from_utf8_lossy(uri);
            let u = uri.trim_end_matches('/').to_ascii_lowercase();
            // Hosts write the iTunes URI in several spellings (`https`,
            // `www.itunes.com` in other cases); Apple reads them all.
            if u.ends_with("itunes.com/dtds/podcast-1.0.dtd") {
                Ns::Itunes
            } else if u.ends_with("podcastindex.org/namespace/1.0") {
                Ns::Podcast
            } else if u == CONTENT.trim_end_matches('/') {
                Ns::Content
            } else if u == PSC.to_ascii_lowercase() {
                Ns::Psc
            } else if u == ATOM.to_ascii_lowercase() {
                Ns::Atom
            } else {
                Ns::Other
            }
        }
        ResolveResult::Unknown(_) => Ns::Other,
    }
}

/// An XML error at byte `at` of `src`.
fn at_error(src: &Source, at: usize, message: String, help: &str) -> Error {
    let p = src.position(at.min(src.text.len()));
    Error::new(ErrorKind::Invalid, message)
        .with_path(src.name.clone())
        .at(p.line, Some(p.column))
        .with_help(help)
}

fn attr(e: &BytesStart<'_>, reader: &NsReader<&[u8]>, want: &str) -> Option<String> {
    for a in e.attributes().flatten() {
        let (ns, local) = reader.resolver().resolve_attribute(a.key);
        if local.as_ref() == want.as_bytes() && ns_of(&ns) != Ns::Other {
            let v = a
                .decoded_and_normalized_value(quick_xml::XmlVersion::Implicit1_0, reader.decoder())
                .ok()
                .map(|v| v.trim().to_string());
            return v.filter(|v| !v.is_empty());
        }
    }
    None
}

fn yes_no(s: &str) -> Option<bool> {
    // Apple: `true`/`false`; older feeds write `yes`/`no`/`clean`.
    match s.trim().to_ascii_lowercase().as_str() {
        "true" | "yes" | "explicit" => Some(true),
        "false" | "no" | "clean" => Some(false),
        _ => None,
    }
}

fn number(s: &str) -> Option<u64> {
    s.trim().parse().ok()
}

/// Where an element was found: channel, item, the item's `psc:chapters`,
/// the channel's `itunes:owner` or `<image>`.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Place {
    Outside,
    Channel,
    Item,
    Owner,
    Image,
    Chapters,
}

/// Reads the feed `src` (its text, named for errors).
pub fn parse(src: &Source) -> Result<Feed> {
    let text = src.text.as_str();
    let mut reader = NsReader::from_str(text);
    reader.config_mut().trim_text(false);
    let mut feed = Feed::default();
    let mut stack: Vec<(Ns, String, Place)> = Vec::new();
    let mut buf_text = String::new();
    let mut item: Option<Item> = None;
    let mut seen_root = false;
    let mut category_parent: Vec<Option<String>> = Vec::new();
    let mut saw_channel = false;
    loop {
        let pos = reader.buffer_position() as usize;
        let ev = reader.read_resolved_event();
        let (ns, ev) = match ev {
            Ok(x) => x,
            Err(e) => {
                let at = reader.error_position() as usize;
                return Err(at_error(
                    src,
                    at,
                    format!("the feed is not well-formed XML: {e}"),
                    "a feed is an RSS 2.0 XML document; check that the file is the feed itself and not truncated",
                ));
            }
        };
        let ns = ns_of(&ns);
        match ev {
            Event::DocType(d) => {
                // No feed needs a DTD; an internal subset declares the
                // entities of a "billion laughs" bomb.
                let body = String::from_utf8_lossy(d.as_ref()).to_ascii_lowercase();
                let (message, help) = if body.contains("html") {
                    (
                        "this is an HTML page, not a podcast feed".to_string(),
                        "give the feed's own address or file (`<rss>`), often linked as `RSS` on the show's page",
                    )
                } else {
                    (
                        "the feed declares a document type (`<!DOCTYPE`); entities are never expanded".to_string(),
                        "remove the `<!DOCTYPE ...>` declaration: RSS 2.0 feeds have none",
                    )
                };
                return Err(at_error(src, pos, message, help));
            }
            Event::Start(e) | Event::Empty(e) if !seen_root => {
                seen_root = true;
                let local = String::from_utf8_lossy(e.local_name().as_ref()).to_ascii_lowercase();
                let (message, help) = match local.as_str() {
                    "rss" => {
                        stack.push((ns, local, Place::Outside));
                        continue;
                    }
                    "html" => (
                        "this is an HTML page, not a podcast feed".to_string(),
                        "give the feed's own address or file (`<rss>`), often linked as `RSS` on the show's page",
                    ),
                    "feed" => (
                        "this is an Atom feed; podcast apps and shownotes read RSS 2.0 podcast feeds".to_string(),
                        "give the show's RSS feed (Apple Podcasts requires RSS 2.0)",
                    ),
                    other => (
                        format!("the document is `<{other}>`, not an RSS feed (`<rss>`)"),
                        "give the show's RSS 2.0 feed",
                    ),
                };
                return Err(at_error(src, pos, message, help));
            }
            Event::Start(e) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let parent = stack.last().map_or(Place::Outside, |s| s.2);
                let depth_parent = stack.last().map(|s| (s.0, s.1.clone()));
                let place = match (ns, local.as_str(), parent) {
                    (Ns::None, "channel", _) if stack.len() == 1 => {
                        saw_channel = true;
                        Place::Channel
                    }
                    (Ns::None, "item", Place::Channel) => {
                        item = Some(Item {
                            span: Span::new(pos, pos),
                            ..Item::default()
                        });
                        Place::Item
                    }
                    (Ns::Itunes, "owner", Place::Channel) => Place::Owner,
                    (Ns::None, "image", Place::Channel) => Place::Image,
                    (Ns::Psc, "chapters", Place::Item) => Place::Chapters,
                    _ => parent,
                };
                if ns == Ns::Itunes && local == "category" {
                    on_category(&e, &reader, &mut feed.channel, &category_parent);
                    category_parent.push(attr(&e, &reader, "text"));
                }
                start_attrs(
                    ns,
                    &local,
                    &e,
                    &reader,
                    place,
                    &mut feed.channel,
                    item.as_mut(),
                );
                let _ = depth_parent;
                stack.push((ns, local, place));
                buf_text.clear();
            }
            Event::Empty(e) => {
                let local = String::from_utf8_lossy(e.local_name().as_ref()).into_owned();
                let place = stack.last().map_or(Place::Outside, |s| s.2);
                if ns == Ns::Itunes && local == "category" {
                    on_category(&e, &reader, &mut feed.channel, &category_parent);
                }
                start_attrs(
                    ns,
                    &local,
                    &e,
                    &reader,
                    place,
                    &mut feed.channel,
                    item.as_mut(),
                );
                if ns == Ns::Psc && local == "chapter" && place == Place::Chapters {
                    if let (Some(i), Some(start)) = (item.as_mut(), attr(&e, &reader, "start")) {
                        i.chapters.push(PscChapter {
                            start,
                            title: attr(&e, &reader, "title").unwrap_or_default(),
                            href: attr(&e, &reader, "href"),
                        });
                    }
                }
            }
            Event::Text(t) => {
                let s = t.decode().map_err(|e| {
                    at_error(
                        src,
                        pos,
                        format!("the feed's text is not UTF-8: {e}"),
                        "save the feed as UTF-8",
                    )
                })?;
                let s = quick_xml::escape::unescape(&s).map_err(|e| {
                    at_error(
                        src,
                        pos,
                        format!("the feed uses an entity XML does not define: {e}"),
                        "RSS feeds escape only `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and numeric references (`&#8217;`)",
                    )
                })?;
                buf_text.push_str(&s);
            }
            Event::GeneralRef(r) => {
                // `&name;` between text runs.
                let name = String::from_utf8_lossy(r.as_ref()).into_owned();
                let whole = format!("&{name};");
                let s = quick_xml::escape::unescape(&whole).map_err(|_| {
                    at_error(
                        src,
                        pos,
                        format!("the feed uses the entity `&{name};`, which XML does not define"),
                        "RSS feeds escape only `&amp;`, `&lt;`, `&gt;`, `&quot;`, `&apos;` and numeric references (`&#8217;`)",
                    )
                })?;
                buf_text.push_str(&s);
            }
            Event::CData(c) => {
                buf_text.push_str(&String::from_utf8_lossy(&c.into_inner()));
            }
            Event::End(_) => {
                let Some((ns, local, place)) = stack.pop() else {
                    continue;
                };
                let value = std::mem::take(&mut buf_text);
                let value = value.trim();
                if ns == Ns::Itunes && local == "category" {
                    category_parent.pop();
                }
                let parent = stack.last().map_or(Place::Outside, |s| s.2);
                if place == Place::Item && parent == Place::Channel && local == "item" {
                    if let Some(i) = item.take() {
                        feed.items.push(i);
                    }
                    continue;
                }
                end_text(ns, &local, value, place, &mut feed.channel, item.as_mut());
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some((_, open, _)) = stack.last() {
        return Err(at_error(
            src,
            text.len(),
            format!("the feed ends inside `<{open}>`: it is cut short"),
            "download the feed again: a complete feed ends with `</rss>`",
        ));
    }
    if !seen_root {
        return Err(at_error(
            src,
            0,
            "the feed is empty: it holds no XML element".into(),
            "give the show's RSS 2.0 feed",
        ));
    }
    if !saw_channel {
        return Err(at_error(
            src,
            0,
            "the feed has no `<channel>`".into(),
            "an RSS 2.0 feed is `<rss><channel>...</channel></rss>`",
        ));
    }
    Ok(feed)
}

/// `itunes:category text=...`, nested once for a subcategory.
fn on_category(
    e: &BytesStart<'_>,
    reader: &NsReader<&[u8]>,
    ch: &mut Channel,
    parents: &[Option<String>],
) {
    let Some(text) = attr(e, reader, "text") else {
        return;
    };
    match parents.last().cloned().flatten() {
        Some(parent) => {
            // The parent alone was pushed when it opened; the pair
            // replaces it.
            if let Some(last) = ch.categories.last_mut() {
                if *last == parent {
                    *last = format!("{parent} > {text}");
                    return;
                }
            }
            ch.categories.push(format!("{parent} > {text}"));
        }
        None => ch.categories.push(text),
    }
}

/// Tags whose value is in their attributes.
fn start_attrs(
    ns: Ns,
    local: &str,
    e: &BytesStart<'_>,
    reader: &NsReader<&[u8]>,
    place: Place,
    ch: &mut Channel,
    item: Option<&mut Item>,
) {
    match (place, ns, local) {
        (Place::Channel, Ns::Itunes, "image") => {
            if let Some(h) = attr(e, reader, "href") {
                ch.image = Some(h);
            }
        }
        (Place::Channel, Ns::Atom, "link") if attr(e, reader, "rel").as_deref() == Some("self") => {
            ch.self_url = attr(e, reader, "href");
        }
        (Place::Item, _, _) => {
            let Some(i) = item else { return };
            match (ns, local) {
                (Ns::None, "enclosure") => {
                    if let Some(url) = attr(e, reader, "url") {
                        i.enclosure = Some(Enclosure {
                            url,
                            length: attr(e, reader, "length").and_then(|l| number(&l)),
                            mime: attr(e, reader, "type"),
                        });
                    }
                }
                (Ns::Itunes, "image") => i.image = attr(e, reader, "href"),
                (Ns::Podcast, "chapters") => i.chapters_url = attr(e, reader, "url"),
                (Ns::Podcast, "transcript") => {
                    if let Some(u) = attr(e, reader, "url") {
                        i.transcripts.push(u);
                    }
                }
                (Ns::None, "guid") => {}
                _ => {}
            }
        }
        _ => {}
    }
}

fn set(slot: &mut Option<String>, value: &str) {
    if slot.is_none() && !value.is_empty() {
        *slot = Some(value.to_string());
    }
}

/// Tags whose value is their text.
fn end_text(
    ns: Ns,
    local: &str,
    value: &str,
    place: Place,
    ch: &mut Channel,
    item: Option<&mut Item>,
) {
    match place {
        Place::Channel => match (ns, local) {
            (Ns::None, "title") => set(&mut ch.title, value),
            (Ns::None, "link") => set(&mut ch.link, value),
            (Ns::None, "description") => ch.description = Some(value.to_string()),
            (Ns::Itunes, "summary") => set(&mut ch.description, value),
            (Ns::None, "language") => set(&mut ch.language, value),
            (Ns::Itunes, "author") => set(&mut ch.author, value),
            (Ns::Itunes, "explicit") => ch.explicit = yes_no(value),
            (Ns::Itunes, "type") => set(&mut ch.kind, &value.to_ascii_lowercase()),
            (Ns::Podcast, "guid") => set(&mut ch.guid, value),
            _ => {}
        },
        Place::Owner => match (ns, local) {
            (Ns::Itunes, "name") => set(&mut ch.owner_name, value),
            (Ns::Itunes, "email") => set(&mut ch.owner_email, value),
            _ => {}
        },
        Place::Image if ns == Ns::None && local == "url" => set(&mut ch.image, value),
        Place::Item => {
            let Some(i) = item else { return };
            match (ns, local) {
                (Ns::None, "title") => i.title = Some(value.to_string()),
                (Ns::Itunes, "title") => set(&mut i.title, value),
                (Ns::None, "link") => set(&mut i.link, value),
                (Ns::None, "description") => i.description = Some(value.to_string()),
                (Ns::Itunes, "summary") => set(&mut i.description, value),
                (Ns::Content, "encoded") => set(&mut i.content, value),
                (Ns::None, "guid") => set(&mut i.guid, value),
                (Ns::None, "pubDate") => set(&mut i.pub_date, value),
                (Ns::Itunes, "duration") => set(&mut i.duration, value),
                (Ns::Itunes, "episode") => i.episode = number(value).or(i.episode),
                (Ns::Podcast, "episode") => i.episode = i.episode.or(number(value)),
                (Ns::Itunes, "season") => i.season = number(value).or(i.season),
                (Ns::Podcast, "season") => i.season = i.season.or(number(value)),
                (Ns::Itunes, "episodeType") => {
                    set(&mut i.episode_type, &value.to_ascii_lowercase())
                }
                (Ns::Itunes, "explicit") => i.explicit = yes_no(value),
                _ => {}
            }
        }
        _ => {}
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read(text: &str) -> Result<Feed> {
        parse(&Source::new("feed.xml", text))
    }

    #[test]
    fn cdata_and_escaped_html_read_alike() {
        let f = read(r#"<?xml version="1.0"?>
<rss version="2.0" xmlns:itunes="http://www.itunes.com/dtds/podcast-1.0.dtd" xmlns:p="https://podcastindex.org/namespace/1.0" xmlns:psc="http://podlove.org/simple-chapters">
<channel><title>Show &amp; Tell</title>
<itunes:category text="Technology"><itunes:category text="Tech News"/></itunes:category>
<itunes:category text="Comedy"/>
<itunes:owner><itunes:name>O</itunes:name><itunes:email>o@example.com</itunes:email></itunes:owner>
<item><title>A</title><description><![CDATA[<p>Hi <b>there</b></p>]]></description>
<enclosure url="https://m.example/a.mp3" length="12" type="audio/mpeg"/>
<p:season>2</p:season><itunes:episode>3</itunes:episode>
<psc:chapters version="1.2"><psc:chapter start="00:00:00" title="Intro"/></psc:chapters></item>
<item><title>B</title><description>&lt;p&gt;Hi &lt;b&gt;there&lt;/b&gt;&lt;/p&gt;</description></item>
</channel></rss>"#).unwrap();
        assert_eq!(f.channel.title.as_deref(), Some("Show & Tell"));
        assert_eq!(f.channel.categories, ["Technology > Tech News", "Comedy"]);
        assert_eq!(f.channel.owner_email.as_deref(), Some("o@example.com"));
        assert_eq!(f.items.len(), 2);
        assert_eq!(f.items[0].description, f.items[1].description);
        assert_eq!(f.items[0].season, Some(2));
        assert_eq!(f.items[0].episode, Some(3));
        assert_eq!(f.items[0].chapters[0].title, "Intro");
        assert_eq!(f.items[0].enclosure.as_ref().unwrap().length, Some(12));
        assert!(f.items[1].enclosure.is_none());
    }

    #[test]
    fn entities_html_and_atom_are_refused() {
        let bomb = r#"<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]><rss><channel><title>&lol2;</title></channel></rss>"#;
        let e = read(bomb).unwrap_err();
        assert!(e.message().contains("document type"), "{}", e.message());
        let e = read("<html><body>hi</body></html>").unwrap_err();
        assert!(e.message().contains("HTML page"));
        let e = read(r#"<feed xmlns="http://www.w3.org/2005/Atom"></feed>"#).unwrap_err();
        assert!(e.message().contains("Atom"));
        let e = read("not xml at all").unwrap_err();
        assert!(e.message().contains("no XML element"), "{}", e.message());
        let e = read("<rss><channel><title>&nope;</title></channel></rss>").unwrap_err();
        assert!(e.message().contains("&nope;"), "{}", e.message());
        let e = read("<rss><channel><title>x</channel></rss>").unwrap_err();
        assert!(e.message().contains("well-formed"), "{}", e.message());
    }
}
