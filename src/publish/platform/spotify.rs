//! Spotify (`spotify.html`): the episode description as HTML.
//!
//! Sources:
//! - `<p>`, `<ul><li>`, `<a href>` render, line breaks render:
//!   podnews.net "html-episode-notes-in-podcast-rss" (`<ol>` and `<br>` are
//!   the list and line-break forms of the same); no `<b>` or `<i>`, so
//!   Markdown emphasis is plain text;
//! - chapters from the description: one per line (or `<br>`), `MM:SS` or
//!   `HH:MM:SS`, first at `00:00`, at least 3, no emoji or HTML in titles:
//!   Spotify for Creators help, "Creating and managing chapters"
//!   (article 360043932711);
//! - description size: unconfirmed, so configurable; 4000 bytes by default.

use super::{Platform, PlatformId};
use crate::timestamp::Style;

/// The tags Spotify renders (podnews.net, above).
pub const TAGS: &[&str] = &["p", "br", "ul", "ol", "li", "a"];

/// Unconfirmed (no primary source): a safe default, configurable with
/// `[platforms.spotify] max_bytes`.
const MAX_BYTES: usize = 4000;

/// Spotify.
pub struct Spotify;

impl Platform for Spotify {
    fn id(&self) -> PlatformId {
        PlatformId::Spotify
    }
    fn file_name(&self) -> &'static str {
        "spotify.html"
    }
    fn template_name(&self) -> &'static str {
        "spotify.html.j2"
    }
    fn default_template(&self) -> &'static str {
        include_str!("../../../templates/spotify.html.j2")
    }
    fn max_bytes(&self) -> Option<usize> {
        Some(MAX_BYTES)
    }
    fn allowed_tags(&self) -> Option<&'static [&'static str]> {
        Some(TAGS)
    }
    /// `00:00`, `05:32`, `01:05:12` (Spotify help 360043932711: `MM:SS`
    /// or `HH:MM:SS`).
    fn chapter_time(&self) -> Option<(&'static str, Style)> {
        Some(("spotify", Style::TwoDigit))
    }
}

/// A chapter title as Spotify wants it: no emoji, no markup (Spotify help
/// 360043932711: "no emoji or HTML in titles"). Emoji are removed and the
/// spaces left behind are collapsed; `<` and `>` are left to the HTML
/// escaper (`&lt;` and `&gt;`, text and never markup, as on Apple).
pub fn plain_title(title: &str) -> String {
    let kept: String = title.chars().filter(|&c| !is_emoji(c)).collect();
    kept.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Whether [`plain_title`] leaves `title` as it is: no emoji, and its
/// white space single ASCII spaces between words. Most titles are, and
/// are answered with one pass and no copy.
pub fn is_plain_title(title: &str) -> bool {
    // A space at the start is dropped, as is one after another.
    let mut after_space = true;
    for c in title.chars() {
        if is_emoji(c) {
            return false;
        }
        if c.is_whitespace() {
            if c != ' ' || after_space {
                return false;
            }
            after_space = true;
        } else {
            after_space = false;
        }
    }
    !after_space || title.is_empty()
}

/// Emoji and their joiners and modifiers, by code point block.
fn is_emoji(c: char) -> bool {
    matches!(c as u32,
        0x1F000..=0x1FAFF   // mahjong, cards, emoticons, symbols, pictographs, transport, ...
        | 0x2600..=0x27BF   // miscellaneous symbols, dingbats
        | 0x2B00..=0x2BFF   // arrows and stars (⭐ ⬆)
        | 0xFE00..=0xFE0F   // variation selectors
        | 0x200D            // zero-width joiner
        | 0x20E3            // combining keycap
        | 0xE0020..=0xE007F // tag characters (flags)
    )
}

#[cfg(test)]
mod tests {
    #[test]
    fn titles_lose_emoji_and_markup() {
        assert_eq!(
            super::plain_title("🚀 Launch <b>day</b> 👩‍💻!"),
            "Launch <b>day</b> !"
        );
        assert_eq!(super::plain_title("Café: مرحبا"), "Café: مرحبا");
    }

    #[test]
    fn a_plain_title_is_one_plain_title_leaves_alone() {
        for t in [
            "",
            " ",
            "a",
            "a b",
            " a",
            "a ",
            "a  b",
            "a\tb",
            "a\u{a0}b",
            "🚀",
            "x 🚀 y",
            "Café: مرحبا",
            "a\u{200D}b",
            "Launch <b>day</b> !",
        ] {
            assert_eq!(super::is_plain_title(t), super::plain_title(t) == t, "{t:?}");
        }
    }
}
