//! RSS (`rss-item.xml`): one `<item>` to paste into the show's feed, with
//! the namespaces it uses declared on it, and `<audio stem>.chapters.json`
//! beside it (the file its `<podcast:chapters>` points at; neither when
//! the episode has no chapters).
//!
//! Sources:
//! - `content:encoded`: `http://purl.org/rss/1.0/modules/content/`;
//! - iTunes: `http://www.itunes.com/dtds/podcast-1.0.dtd`;
//! - Podcasting 2.0: `https://podcastindex.org/namespace/1.0`,
//!   `<podcast:chapters url="..." type="application/json+chapters"/>`
//!   (<https://github.com/Podcastindex-org/podcast-namespace/blob/main/docs/tags/chapters.md>);
//! - Podlove Simple Chapters: `http://podlove.org/simple-chapters`
//!   (<https://podlove.org/simple-chapters/>), read by Spotify
//!   (Spotify for Creators help, article 360043932711), starts in Normal
//!   Play Time;
//! - `<description>` holds the Apple-safe HTML (Apple reads it; many other
//!   apps prefer `content:encoded`:
//!   <https://github.com/PRX/feeder.prx.org/issues/1030>);
//! - `pubDate` is RFC 2822 (RSS 2.0 specification,
//!   <https://www.rssboard.org/rss-specification>);
//! - the enclosure needs the audio's length and type, and its URL (RSS 2.0
//!   specification, `<enclosure>`).

use super::{Offered, Platform, PlatformId, Unmet};
use crate::timestamp::Style;

/// The RSS item.
pub struct Rss;

impl Platform for Rss {
    fn id(&self) -> PlatformId {
        PlatformId::Rss
    }
    fn file_name(&self) -> &'static str {
        "rss-item.xml"
    }
    fn template_name(&self) -> &'static str {
        "rss-item.xml.j2"
    }
    fn default_template(&self) -> &'static str {
        include_str!("../../../templates/rss-item.xml.j2")
    }
    /// The item has no limit of its own; its `<description>` is Apple's
    /// HTML, checked against Apple's.
    fn max_bytes(&self) -> Option<usize> {
        None
    }
    /// `<description>` holds Apple's HTML, `<content:encoded>` Spotify's.
    fn embeds(&self) -> &'static [PlatformId] {
        &[PlatformId::Apple, PlatformId::Spotify]
    }
    /// The item's `<description>` is Apple's HTML: Apple's limit.
    fn embedded_limit(&self) -> Option<(PlatformId, &'static str)> {
        Some((PlatformId::Apple, "item's <description>"))
    }
    /// Podlove Simple Chapters' Normal Play Time with milliseconds.
    fn chapter_time(&self) -> Option<(&'static str, Style)> {
        Some(("npt", Style::Precise))
    }
    /// The enclosure needs the audio (length, type, duration) and the URL
    /// it is served from.
    fn unmet(&self, offered: &Offered) -> Option<Unmet> {
        if !offered.audio && !offered.audio_reported {
            Some(Unmet {
                why: "no audio was given",
                help: "give `--audio FILE` or the front matter's `audio`",
            })
        } else if !offered.media_base_url {
            Some(Unmet {
                why: "`[show] media_base_url` is not set",
                help: "set `media_base_url` in `shownotes.toml` (see `shownotes init`)",
            })
        } else {
            None
        }
    }
}

/// A front matter date (see [`crate::notes::date`]: RFC 3339, RFC 2822 or
/// epoch milliseconds) as an RFC 2822 date for `<pubDate>`:
/// `Tue, 09 Dec 2025 00:00:00 +0000`. `None` when it is not a real date
/// (the front matter reports those as `front-matter-invalid`).
pub fn rfc2822(date: &str) -> Option<String> {
    crate::notes::date::Date::parse(date)
        .ok()
        .map(|d| d.rfc2822())
}

#[cfg(test)]
mod tests {
    use super::rfc2822;

    #[test]
    fn dates_become_rfc_2822() {
        assert_eq!(
            rfc2822("2025-12-09").unwrap(),
            "Tue, 09 Dec 2025 00:00:00 +0000"
        );
        assert_eq!(
            rfc2822("1970-01-01").unwrap(),
            "Thu, 01 Jan 1970 00:00:00 +0000"
        );
        assert_eq!(
            rfc2822("2024-02-29T10:05:07.25+01:00").unwrap(),
            "Thu, 29 Feb 2024 10:05:07 +0100"
        );
        assert_eq!(
            rfc2822("2000-03-01 23:59Z").unwrap(),
            "Wed, 01 Mar 2000 23:59:00 +0000"
        );
        assert_eq!(
            rfc2822("2025-10-28T08:00:00-0500").unwrap(),
            "Tue, 28 Oct 2025 08:00:00 -0500"
        );
        for bad in [
            "2023-02-29",
            "2025-13-01",
            "2025-1-01",
            "yesterday",
            "2025-12-09T25:00",
            "2025-12-09Tx",
            "2025-12-09T10:00+1",
        ] {
            assert_eq!(rfc2822(bad), None, "{bad}");
        }
    }
}
