//! The platforms `shownotes build` writes for: one small module per
//! platform (below) behind the [`Platform`] trait, and the checks every
//! rendered output goes through (size limit, allowed tags, link schemes).

pub mod apple;
pub mod rss;
pub mod spotify;
pub mod youtube;

use std::sync::LazyLock;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::diagnostic::{Code, Diagnostic};

/// A platform by name (`--platform`, `[platforms] enabled`).
#[derive(
    Clone,
    Copy,
    Debug,
    PartialEq,
    Eq,
    PartialOrd,
    Ord,
    Hash,
    Serialize,
    Deserialize,
    clap::ValueEnum,
)]
#[serde(rename_all = "lowercase")]
pub enum PlatformId {
    Spotify,
    Apple,
    Youtube,
    Rss,
}

impl PlatformId {
    /// Every platform, in the order outputs are built (the RSS item embeds
    /// the Apple and Spotify HTML, so it comes last).
    pub const ALL: [PlatformId; 4] = [
        PlatformId::Spotify,
        PlatformId::Apple,
        PlatformId::Youtube,
        PlatformId::Rss,
    ];

    /// The name users write.
    pub const fn as_str(self) -> &'static str {
        match self {
            PlatformId::Spotify => "spotify",
            PlatformId::Apple => "apple",
            PlatformId::Youtube => "youtube",
            PlatformId::Rss => "rss",
        }
    }
}

impl std::fmt::Display for PlatformId {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// How a platform's template escapes every value it prints (chosen by the
/// template's extension, so an author cannot forget it).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Escape {
    /// `&`, `<`, `>`, `"`, `'` as entities (`.html.j2`).
    Html,
    /// The same five, for XML (`.xml.j2`).
    Xml,
    /// Plain text for YouTube: `<` and `>` become `‹` and `›` (`.txt.j2`).
    YoutubeText,
}

impl Escape {
    /// The escape a template gets from its name.
    pub fn for_template(name: &str) -> Option<Escape> {
        if name.ends_with(".html.j2") {
            Some(Escape::Html)
        } else if name.ends_with(".xml.j2") {
            Some(Escape::Xml)
        } else if name.ends_with(".txt.j2") {
            Some(Escape::YoutubeText)
        } else {
            None
        }
    }

    /// The tag minijinja's auto-escape callback gives.
    pub const fn tag(self) -> &'static str {
        match self {
            Escape::Html => "html",
            Escape::Xml => "xml",
            Escape::YoutubeText => "youtube",
        }
    }
}

/// One platform's output: its file, template, limits and rules.
pub trait Platform: Sync {
    /// Which platform.
    fn id(&self) -> PlatformId;
    /// The name users write (`youtube`).
    fn name(&self) -> &'static str {
        self.id().as_str()
    }
    /// The output file (`youtube.txt`).
    fn file_name(&self) -> &'static str;
    /// The template's name (`youtube.txt.j2`), also the override's file name.
    fn template_name(&self) -> &'static str;
    /// The built-in template.
    fn default_template(&self) -> &'static str;
    /// The description's size limit in bytes, when the platform has one.
    fn max_bytes(&self) -> Option<usize>;
    /// The HTML tags allowed, for HTML outputs.
    fn allowed_tags(&self) -> Option<&'static [&'static str]> {
        None
    }
    /// Fixes what the platform cannot take in the rendered output,
    /// reporting it (YouTube: `<` and `>`). `replaced` counts the
    /// replacements the escaper already made in values.
    fn finish(&self, output: String, _replaced: usize, _diags: &mut Vec<Diagnostic>) -> String {
        output
    }
}

/// The platform `id`.
pub fn get(id: PlatformId) -> &'static dyn Platform {
    match id {
        PlatformId::Youtube => &youtube::Youtube,
        PlatformId::Spotify => &spotify::Spotify,
        PlatformId::Apple => &apple::Apple,
        PlatformId::Rss => &rss::Rss,
    }
}

/// Every platform, in build order.
pub fn all() -> impl Iterator<Item = &'static dyn Platform> {
    PlatformId::ALL.into_iter().map(get)
}

/// `description-too-long` when `text` is over `max` bytes, naming the
/// platform and the excess.
pub fn check_size(
    platform: PlatformId,
    what: &str,
    text: &str,
    max: Option<usize>,
) -> Option<Diagnostic> {
    let max = max?;
    let len = text.len();
    (len > max).then(|| {
        Diagnostic::new(
            Code::DescriptionTooLong,
            format!(
                "the {platform} {what} is `{len}` bytes, `{}` bytes over the limit of `{max}`",
                len - max
            ),
        )
        .help(format!(
            "shorten the summary or the link list by `{}` bytes (or set `[platforms.{platform}] max_bytes` where the limit is unconfirmed)",
            len - max
        ))
        .platform(platform.as_str())
    })
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(/?)([A-Za-z][A-Za-z0-9:_-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(/?)>"#)
        .expect("a valid regex")
});
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"#)
        .expect("a valid regex")
});

/// Whether a URL may appear in an output: it passes the URL gate
/// ([`crate::links::gate`]: `http`, `https`, `mailto` only, written plainly).
pub fn allowed_url(url: &str) -> bool {
    crate::links::gate(url).is_ok()
}

/// Checks an HTML output against the platform's allowed tags: every tag
/// in the list, `href` the only attribute (on `<a>`), and only `http`,
/// `https` and `mailto` links. A `<` that does not start a tag is an
/// error too (the escaper never leaves one; a template might).
pub fn check_html(platform: PlatformId, html: &str, allowed: &[&str]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |what: String| {
        out.push(
            Diagnostic::new(Code::DescriptionForbiddenTag, what)
                .help(format!(
                    "{platform} allows only {}; check the `{platform}` template",
                    allowed
                        .iter()
                        .map(|t| format!("`<{t}>`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .platform(platform.as_str()),
        );
    };
    let mut covered = 0;
    for m in TAG.captures_iter(html) {
        let whole = m.get(0).unwrap();
        if html[covered..whole.start()].contains('<') {
            bad("the output holds a `<` that starts no tag".into());
        }
        covered = whole.end();
        let name = m[2].to_ascii_lowercase();
        if !allowed.contains(&name.as_str()) {
            bad(format!("the output holds the tag `<{name}>`"));
            continue;
        }
        for a in ATTR.captures_iter(&m[3]) {
            let attr = a[1].to_ascii_lowercase();
            if name != "a" || attr != "href" {
                bad(format!(
                    "the output holds the attribute `{attr}` on `<{name}>`"
                ));
                continue;
            }
            let value = a
                .get(2)
                .or(a.get(3))
                .or(a.get(4))
                .map_or("", |v| v.as_str());
            let value = value.replace("&amp;", "&");
            if !allowed_url(&value) {
                bad(format!(
                    "the output links to `{value}`, not an http, https or mailto URL"
                ));
            }
        }
    }
    if html[covered..].contains('<') {
        bad("the output holds a `<` that starts no tag".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn html_checks_find_tags_attributes_and_schemes() {
        let ok = "<p>a <a href=\"https://x.org/?a=1&amp;b=2\">x</a><br /></p><ul><li>y</li></ul>";
        assert!(check_html(PlatformId::Spotify, ok, spotify::TAGS).is_empty());
        let codes = |h: &str| check_html(PlatformId::Apple, h, apple::TAGS).len();
        assert_eq!(codes("<p>x<br /></p>"), 1);
        assert_eq!(codes("<script>x</script>"), 2);
        assert_eq!(codes("<a href=\"javascript:alert(1)\">x</a>"), 1);
        assert_eq!(codes("<a onclick=\"x\" href=\"https://a\">x</a>"), 1);
        assert_eq!(codes("<p>1 < 2</p>"), 1);
    }

    #[test]
    fn sizes_are_checked_in_bytes() {
        assert!(check_size(PlatformId::Youtube, "description", "é", Some(2)).is_none());
        let d = check_size(PlatformId::Youtube, "description", "éé", Some(3)).unwrap();
        assert!(d.message.contains("`1` bytes over"), "{}", d.message);
        assert_eq!(d.platform, Some("youtube"));
    }
}
