//! The `feed-*` checks: what Apple Podcasts and Podcasting 2.0 require of
//! a channel and its items.
//!
//! Sources:
//! - Apple Podcasts, "Podcast RSS feed requirements"
//!   (<https://podcasters.apple.com/support/823-podcast-requirements>) and
//!   "A Podcaster's Guide to RSS"
//!   (<https://help.apple.com/itc/podcasts_connect/#/itcb54353390>):
//!   required channel tags `<title>`, `<description>`, `<itunes:image>`,
//!   `<language>`, `<itunes:category>`, `<itunes:explicit>`; artwork a
//!   JPEG or PNG, square, 1400 to 3000 pixels; `<itunes:owner>`'s e-mail
//!   is how Apple reaches the owner; each episode's `<guid>` unique and
//!   never changed; `<enclosure>` with `url`, `length` and `type`, the
//!   type matching the file (`audio/mpeg`, `audio/x-m4a`, ...).
//! - Apple Podcasts categories
//!   (<https://podcasters.apple.com/support/1691-apple-podcasts-categories>).
//! - Podcasting 2.0 namespace, `<podcast:guid>`
//!   (<https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/tags/guid.md>)
//!   and `<podcast:episode>`/`<podcast:season>`: one episode number per
//!   season.
//! - RSS 2.0 (<https://www.rssboard.org/rss-specification>): `pubDate`
//!   in the future means the item is not yet to be shown.

use std::collections::HashMap;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;

/// Apple Podcasts' categories and their subcategories.
pub const CATEGORIES: &[(&str, &[&str])] = &[
    (
        "Arts",
        &[
            "Books",
            "Design",
            "Fashion & Beauty",
            "Food",
            "Performing Arts",
            "Visual Arts",
        ],
    ),
    (
        "Business",
        &[
            "Careers",
            "Entrepreneurship",
            "Investing",
            "Management",
            "Marketing",
            "Non-Profit",
        ],
    ),
    ("Comedy", &["Comedy Interviews", "Improv", "Stand-Up"]),
    (
        "Education",
        &["Courses", "How To", "Language Learning", "Self-Improvement"],
    ),
    ("Fiction", &["Comedy Fiction", "Drama", "Science Fiction"]),
    ("Government", &[]),
    ("History", &[]),
    (
        "Health & Fitness",
        &[
            "Alternative Health",
            "Fitness",
            "Medicine",
            "Mental Health",
            "Nutrition",
            "Sexuality",
        ],
    ),
    (
        "Kids & Family",
        &[
            "Education for Kids",
            "Parenting",
            "Pets & Animals",
            "Stories for Kids",
        ],
    ),
    (
        "Leisure",
        &[
            "Animation & Manga",
            "Automotive",
            "Aviation",
            "Crafts",
            "Games",
            "Hobbies",
            "Home & Garden",
            "Video Games",
        ],
    ),
    (
        "Music",
        &["Music Commentary", "Music History", "Music Interviews"],
    ),
    (
        "News",
        &[
            "Business News",
            "Daily News",
            "Entertainment News",
            "News Commentary",
            "Politics",
            "Sports News",
            "Tech News",
        ],
    ),
    (
        "Religion & Spirituality",
        &[
            "Buddhism",
            "Christianity",
            "Hinduism",
            "Islam",
            "Judaism",
            "Religion",
            "Spirituality",
        ],
    ),
    (
        "Science",
        &[
            "Astronomy",
            "Chemistry",
            "Earth Sciences",
            "Life Sciences",
            "Mathematics",
            "Natural Sciences",
            "Nature",
            "Physics",
            "Social Sciences",
        ],
    ),
    (
        "Society & Culture",
        &[
            "Documentary",
            "Personal Journals",
            "Philosophy",
            "Places & Travel",
            "Relationships",
        ],
    ),
    (
        "Sports",
        &[
            "Baseball",
            "Basketball",
            "Cricket",
            "Fantasy Sports",
            "Football",
            "Golf",
            "Hockey",
            "Rugby",
            "Running",
            "Soccer",
            "Swimming",
            "Tennis",
            "Volleyball",
            "Wilderness",
            "Wrestling",
        ],
    ),
    ("Technology", &[]),
    ("True Crime", &[]),
    (
        "TV & Film",
        &[
            "After Shows",
            "Film History",
            "Film Interviews",
            "Film Reviews",
            "TV Reviews",
        ],
    ),
];

/// A category as `"Parent"` or `"Parent > Child"`: `(parent, child)` when
/// Apple lists it.
pub fn category(text: &str) -> Option<(&'static str, Option<&'static str>)> {
    let (parent, child) = match text.split_once('>') {
        Some((p, c)) => (p.trim(), Some(c.trim())),
        None => (text.trim(), None),
    };
    let (p, subs) = CATEGORIES.iter().find(|(p, _)| *p == parent)?;
    match child {
        None => Some((p, None)),
        Some(c) => subs.iter().find(|s| **s == c).map(|s| (*p, Some(*s))),
    }
}

/// The channel's facts the checks need.
#[derive(Clone, Debug, Default)]
pub struct ChannelFacts<'a> {
    /// `<title>`.
    pub title: Option<&'a str>,
    /// `<description>`.
    pub description: Option<&'a str>,
    /// `itunes:image`.
    pub image: Option<&'a str>,
    /// `<language>`.
    pub language: Option<&'a str>,
    /// `itunes:category`, as written in `[feed] categories`.
    pub categories: &'a [String],
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
    /// `itunes:owner`'s e-mail.
    pub owner_email: Option<&'a str>,
    /// `itunes:type`.
    pub kind: Option<&'a str>,
    /// `podcast:guid`.
    pub guid: Option<&'a str>,
    /// `atom:link rel="self"`.
    pub self_url: Option<&'a str>,
}

fn missing(code: Code, what: &str, key: &str, why: &str) -> Diagnostic {
    Diagnostic::new(code, format!("the feed has no {what}"))
        .help(format!("set `{key}` in `shownotes.toml` ({why})"))
}

/// The channel's checks.
pub fn channel(c: &ChannelFacts<'_>) -> Vec<Diagnostic> {
    let mut d = Vec::new();
    let blank = |s: Option<&str>| s.is_none_or(|s| s.trim().is_empty());
    // Apple: `<title>` is required.
    if blank(c.title) {
        d.push(missing(
            Code::FeedTitleMissing,
            "title",
            "[show] title",
            "Apple Podcasts requires `<title>`",
        ));
    }
    // Apple: `<description>` is required (up to 4000 bytes).
    if blank(c.description) {
        d.push(missing(
            Code::FeedDescriptionMissing,
            "description",
            "[feed] description",
            "Apple Podcasts requires `<description>`",
        ));
    }
    // Apple: `<itunes:image>` is required.
    if blank(c.image) {
        d.push(missing(
            Code::FeedImageMissing,
            "artwork",
            "[feed] image",
            "Apple Podcasts requires `<itunes:image>`, 1400 to 3000 px square",
        ));
    }
    // Apple: `<language>` is required (ISO 639 code).
    if blank(c.language) {
        d.push(missing(
            Code::FeedLanguageMissing,
            "language",
            "[show] language",
            "Apple Podcasts requires `<language>`, such as `en`",
        ));
    }
    // Apple: `<itunes:category>` is required, from Apple's list.
    if c.categories.is_empty() {
        d.push(missing(
            Code::FeedCategoryMissing,
            "category",
            "[feed] categories",
            "Apple Podcasts requires an `<itunes:category>`, such as `\"Technology\"`",
        ));
    }
    for cat in c.categories {
        if category(cat).is_none() {
            d.push(
                Diagnostic::new(
                    Code::FeedCategoryInvalid,
                    format!("`{cat}` is not an Apple Podcasts category"),
                )
                .help(category_help(cat)),
            );
        }
    }
    // Apple: `<itunes:explicit>` is required (`true` or `false`).
    if c.explicit.is_none() {
        d.push(missing(
            Code::FeedExplicitMissing,
            "explicit flag",
            "[feed] explicit",
            "Apple Podcasts requires `<itunes:explicit>`",
        ));
    }
    // Apple: the owner's e-mail is how Apple Podcasts Connect reaches the
    // owner (and verifies the feed).
    match c.owner_email {
        None => d.push(missing(
            Code::FeedOwnerEmailMissing,
            "owner e-mail",
            "[feed] owner = { email = \"...\" }",
            "Apple Podcasts reaches the owner through `<itunes:owner>`",
        )),
        Some(e) if !plausible_email(e) => d.push(
            Diagnostic::new(
                Code::FeedOwnerEmailMissing,
                format!("the owner e-mail `{e}` is not an e-mail address"),
            )
            .help("write `owner = { email = \"you@example.com\" }` under `[feed]`"),
        ),
        _ => {}
    }
    if let Some(k) = c.kind {
        if k != "episodic" && k != "serial" {
            d.push(
                Diagnostic::new(
                    Code::FeedTypeInvalid,
                    format!("`type` `{k}` is not a show type"),
                )
                .help("Apple Podcasts knows `episodic` and `serial`"),
            );
        }
    }
    // Podcasting 2.0: `<podcast:guid>` identifies the show across moves.
    if blank(c.guid) {
        d.push(missing(
            Code::FeedPodcastGuidMissing,
            "`podcast:guid`",
            "[feed] guid",
            "Podcasting 2.0 apps follow a show across hosts by it; or set `[feed] url`, and it is derived from it",
        ));
    }
    // RSS Advisory Board: a feed should name its own address.
    if blank(c.self_url) {
        d.push(missing(
            Code::FeedSelfLinkMissing,
            "address of its own (`atom:link rel=\"self\"`)",
            "[feed] url",
            "apps follow a moved feed by it",
        ));
    }
    d
}

fn plausible_email(e: &str) -> bool {
    match e.split_once('@') {
        Some((user, host)) => {
            !user.is_empty() && host.contains('.') && !e.contains(char::is_whitespace)
        }
        None => false,
    }
}

fn category_help(cat: &str) -> String {
    let parent = cat.split('>').next().unwrap_or("").trim();
    match CATEGORIES
        .iter()
        .find(|(p, _)| p.eq_ignore_ascii_case(parent))
    {
        Some((p, [])) => {
            format!("`{p}` has no subcategories; write `\"{p}\"`")
        }
        Some((p, subs)) => format!(
            "`{p}`'s subcategories are {}",
            subs.iter()
                .map(|s| format!("`{p} > {s}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
        None => format!(
            "Apple's categories are {}",
            CATEGORIES
                .iter()
                .map(|(p, _)| format!("`{p}`"))
                .collect::<Vec<_>>()
                .join(", ")
        ),
    }
}

/// The artwork file's checks (a file beside the config): Apple requires a
/// JPEG or PNG, square, from 1400 to 3000 pixels a side.
pub fn image_file(path: &std::path::Path, shown: &str) -> Vec<Diagnostic> {
    let bad = |why: String| {
        vec![Diagnostic::new(
            Code::FeedImageInvalid,
            format!("the artwork `{shown}` {why}"),
        )
        .help("Apple Podcasts requires a JPEG or PNG, square, 1400 to 3000 pixels a side")]
    };
    let head = match crate::regular::read(path, 50_000_000) {
        Ok(b) => b,
        Err(e) => return bad(format!("can't be read: {}", e.reason())),
    };
    let Some((kind, w, h)) = image_size(&head) else {
        return bad("is not a JPEG or PNG image".into());
    };
    if w != h {
        return bad(format!("is {w}×{h} {kind}, not square"));
    }
    if !(1400..=3000).contains(&w) {
        return bad(format!("is {w}×{h} {kind}, outside 1400 to 3000 pixels"));
    }
    vec![]
}

/// `(format, width, height)` of a PNG (its IHDR chunk) or a JPEG (its
/// first start-of-frame marker).
fn image_size(b: &[u8]) -> Option<(&'static str, u32, u32)> {
    let be32 =
        |i: usize| -> Option<u32> { Some(u32::from_be_bytes(b.get(i..i + 4)?.try_into().ok()?)) };
    let be16 = |i: usize| -> Option<u32> {
        Some(u16::from_be_bytes(b.get(i..i + 2)?.try_into().ok()?) as u32)
    };
    if b.starts_with(b"\x89PNG\r\n\x1a\n") && b.get(12..16) == Some(b"IHDR") {
        return Some(("PNG", be32(16)?, be32(20)?));
    }
    if !b.starts_with(&[0xFF, 0xD8]) {
        return None;
    }
    let mut i = 2;
    while i + 4 <= b.len() {
        if b[i] != 0xFF {
            return None;
        }
        let marker = b[i + 1];
        if marker == 0xFF {
            i += 1;
            continue;
        }
        let len = be16(i + 2)? as usize;
        let sof = matches!(marker, 0xC0..=0xCF) && !matches!(marker, 0xC4 | 0xC8 | 0xCC);
        if sof {
            return Some(("JPEG", be16(i + 7)?, be16(i + 5)?));
        }
        i += 2 + len;
    }
    None
}

/// An item's facts the checks need.
#[derive(Clone, Debug, Default)]
pub struct ItemFacts<'a> {
    /// Where to point a finding.
    pub span: Option<Span>,
    /// `<title>`, for messages.
    pub title: &'a str,
    /// `<guid>`.
    pub guid: Option<&'a str>,
    /// `itunes:season`.
    pub season: Option<u64>,
    /// `itunes:episode`.
    pub episode: Option<u64>,
    /// Seconds since the epoch of `pubDate`.
    pub epoch: Option<i64>,
    /// The enclosure's URL (or file) and its type.
    pub enclosure: Option<(&'a str, Option<&'a str>)>,
}

/// The MIME type an audio file's extension stands for (Apple's list of
/// supported formats: `.m4a`, `.mp3`, `.mov`, `.mp4`, `.m4v`, `.pdf`, plus
/// the Ogg, Opus, FLAC and WAV files Podcasting 2.0 apps play).
pub fn mime_of(url: &str) -> Option<&'static str> {
    let path = url.split(['?', '#']).next().unwrap_or(url);
    let ext = path.rsplit_once('.')?.1.to_ascii_lowercase();
    Some(match ext.as_str() {
        "mp3" => "audio/mpeg",
        "m4a" | "m4b" => "audio/x-m4a",
        "mp4" => "video/mp4",
        "m4v" => "video/x-m4v",
        "mov" => "video/quicktime",
        "aac" => "audio/aac",
        "ogg" | "oga" => "audio/ogg",
        "opus" => "audio/opus",
        "flac" => "audio/flac",
        "wav" => "audio/wav",
        "pdf" => "application/pdf",
        _ => return None,
    })
}

/// Whether two MIME types name the same kind of file (`audio/mp4` and
/// `audio/x-m4a` both are M4A).
fn same_mime(a: &str, b: &str) -> bool {
    fn norm(m: &str) -> String {
        let m = m.split(';').next().unwrap_or(m).trim().to_ascii_lowercase();
        match m.as_str() {
            "audio/mp3" | "audio/mpeg3" | "audio/x-mpeg" | "audio/x-mp3" => "audio/mpeg".into(),
            "audio/mp4" | "audio/m4a" | "audio/x-m4b" | "audio/mp4a-latm" => "audio/x-m4a".into(),
            "audio/x-wav" | "audio/wave" => "audio/wav".into(),
            "audio/x-flac" => "audio/flac".into(),
            _ => m,
        }
    }
    norm(a) == norm(b)
}

/// The items' checks, each finding with the index of its item.
pub fn items(items: &[ItemFacts<'_>], now: i64) -> Vec<(usize, Diagnostic)> {
    let mut out = Vec::new();
    let mut guids: HashMap<&str, usize> = HashMap::new();
    let mut numbers: HashMap<(Option<u64>, u64), usize> = HashMap::new();
    for (i, it) in items.iter().enumerate() {
        let at = |d: Diagnostic| d.at_opt(it.span);
        // Apple: every episode's `<guid>` is unique and never changes.
        if let Some(g) = it.guid {
            if let Some(&first) = guids.get(g) {
                out.push((
                    i,
                    at(Diagnostic::new(
                        Code::FeedGuidDuplicate,
                        format!(
                            "`{}` has the guid `{g}` of `{}` before it",
                            it.title, items[first].title
                        ),
                    )
                    .help("every episode needs its own `guid`; apps show only one of two with the same")),
                ));
            } else {
                guids.insert(g, i);
            }
        }
        // Podcasting 2.0 / Apple: one episode number per season.
        if let Some(n) = it.episode {
            if let Some(&first) = numbers.get(&(it.season, n)) {
                let season = it
                    .season
                    .map_or(String::new(), |s| format!(" of season {s}"));
                out.push((
                    i,
                    at(Diagnostic::new(
                        Code::FeedEpisodeDuplicate,
                        format!(
                            "`{}` is episode {n}{season}, like `{}` before it",
                            it.title, items[first].title
                        ),
                    )
                    .help("give each episode of a season its own `episode` number")),
                ));
            } else {
                numbers.insert((it.season, n), i);
            }
        }
        match it.enclosure {
            // Apple: an episode needs an `<enclosure>`.
            None => out.push((
                i,
                at(Diagnostic::new(
                    Code::FeedEnclosureMissing,
                    format!("`{}` has no audio (`<enclosure>`)", it.title),
                )
                .help("podcast apps list only items with an enclosure; give the episode `audio`")),
            )),
            Some((url, Some(mime))) => {
                if let Some(by_name) = mime_of(url) {
                    if !same_mime(mime, by_name) {
                        out.push((
                            i,
                            at(Diagnostic::new(
                                Code::FeedEnclosureTypeMismatch,
                                format!(
                                    "`{}`'s audio is `{mime}`, but its file name says `{by_name}`",
                                    it.title
                                ),
                            )
                            .help("Apple Podcasts requires the enclosure's `type` to match the file; fix the type or the file")),
                        ));
                    }
                }
            }
            Some((_, None)) => {}
        }
        if let Some(e) = it.epoch {
            if e > now {
                out.push((
                    i,
                    at(Diagnostic::new(
                        Code::FeedDateFuture,
                        format!("`{}` is dated in the future", it.title),
                    )
                    .help("apps hide or misorder episodes dated ahead; publish it on its date, or fix `date`")),
                ));
            }
        }
    }
    out
}

/// [`items`] over a feed being imported (spans in the feed).
pub fn items_in(items_read: &[super::read::Item]) -> Vec<Diagnostic> {
    let facts: Vec<ItemFacts<'_>> = items_read
        .iter()
        .map(|i| ItemFacts {
            span: Some(i.span),
            title: i.title.as_deref().unwrap_or("(untitled)"),
            guid: i.guid.as_deref(),
            season: i.season,
            episode: i.episode,
            epoch: i
                .pub_date
                .as_deref()
                .and_then(|d| crate::notes::date::Date::parse(d).ok())
                .map(|d| epoch(&d)),
            enclosure: i
                .enclosure
                .as_ref()
                .map(|e| (e.url.as_str(), e.mime.as_deref())),
        })
        .collect();
    items(&facts, now()).into_iter().map(|(_, d)| d).collect()
}

/// Seconds since 1970 of a date.
pub fn epoch(d: &crate::notes::date::Date) -> i64 {
    // Days from the civil date (Howard Hinnant's algorithm).
    let y = if d.month <= 2 { d.year - 1 } else { d.year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = d.month as i64;
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + d.day as i64 - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    let days = era * 146_097 + doe - 719_468;
    days * 86_400 + (d.hour * 3600 + d.minute * 60 + d.second) as i64 - d.offset_minutes as i64 * 60
}

/// Seconds since 1970, now.
pub fn now() -> i64 {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs() as i64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn categories_are_apples() {
        assert_eq!(category("Technology"), Some(("Technology", None)));
        assert_eq!(
            category("News > Tech News"),
            Some(("News", Some("Tech News")))
        );
        assert_eq!(category("Tech"), None);
        assert_eq!(category("Technology > Podcasting"), None);
        assert!(category_help("Technology > X").contains("no subcategories"));
    }

    #[test]
    fn a_bare_channel_lists_what_apple_requires() {
        let codes: Vec<&str> = channel(&ChannelFacts::default())
            .iter()
            .map(|d| d.code.as_str())
            .collect();
        assert_eq!(
            codes,
            [
                "feed-title-missing",
                "feed-description-missing",
                "feed-image-missing",
                "feed-language-missing",
                "feed-category-missing",
                "feed-explicit-missing",
                "feed-owner-email-missing",
                "feed-podcast-guid-missing",
                "feed-self-link-missing"
            ]
        );
    }

    #[test]
    fn items_duplicates_types_and_dates() {
        let a = ItemFacts {
            title: "A",
            guid: Some("g"),
            season: Some(1),
            episode: Some(1),
            enclosure: Some(("https://m/a.mp3", Some("audio/mpeg"))),
            ..Default::default()
        };
        let b = ItemFacts {
            title: "B",
            guid: Some("g"),
            season: Some(1),
            episode: Some(1),
            epoch: Some(200),
            enclosure: Some(("https://m/b.m4a", Some("audio/mpeg"))),
            ..Default::default()
        };
        let c = ItemFacts {
            title: "C",
            season: Some(2),
            episode: Some(1),
            ..Default::default()
        };
        let found: Vec<(usize, &str)> = items(&[a, b, c], 100)
            .iter()
            .map(|(i, d)| (*i, d.code.as_str()))
            .collect();
        assert_eq!(
            found,
            [
                (1, "feed-guid-duplicate"),
                (1, "feed-episode-duplicate"),
                (1, "feed-enclosure-type-mismatch"),
                (1, "feed-date-future"),
                (2, "feed-enclosure-missing")
            ]
        );
    }

    #[test]
    fn image_sizes() {
        let mut png = b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR".to_vec();
        png.extend(1400u32.to_be_bytes());
        png.extend(1400u32.to_be_bytes());
        assert_eq!(image_size(&png), Some(("PNG", 1400, 1400)));
        let jpeg = [
            0xFF, 0xD8, 0xFF, 0xE0, 0, 4, 0, 0, 0xFF, 0xC0, 0, 11, 8, 0x05, 0xDC, 0x0B, 0xB8,
        ];
        assert_eq!(image_size(&jpeg), Some(("JPEG", 3000, 1500)));
        assert_eq!(image_size(b"GIF89a"), None);
    }

    #[test]
    fn epochs() {
        let d = crate::notes::date::Date::parse("1970-01-02T00:00:00+01:00").unwrap();
        assert_eq!(epoch(&d), 86_400 - 3600);
        let d = crate::notes::date::Date::parse("2000-03-01").unwrap();
        assert_eq!(epoch(&d), 951_868_800);
    }
}
