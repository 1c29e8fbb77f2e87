//! Apple Podcasts (`apple.html`): the episode `<description>`.
//!
//! Sources:
//! - up to 4000 bytes, `<p> <ol> <ul> <li> <a>` allowed inside CDATA:
//!   Apple Podcasts' RSS tag reference, mirrored at
//!   <https://github.com/Podcastindex-org/podcast-namespace/blob/main/itunes_reference.md>;
//!   so no `<br>` (and no `<b>` or `<i>`: emphasis is plain text; bold and
//!   italic are not rendered either, podnews.net "html-episode-notes-in-podcast-rss").
//!   The compact lines Spotify gets as `<br />` in one `<p>` (chapters, the
//!   footer) are here the closest allowed compact form, one `<ul>` with
//!   an `<li>` a line; a paragraph's lines are each a `<p>`;
//! - chapters in the description start at `00:00:00`, at least 3:
//!   <https://podcasters.apple.com/support/5482>.

use super::{Platform, PlatformId};
use crate::timestamp::Style;

/// The tags Apple allows in a description (Apple's RSS tag reference).
pub const TAGS: &[&str] = &["p", "ol", "ul", "li", "a"];

/// The description size limit (Apple's RSS tag reference).
const MAX_BYTES: usize = 4000;

/// Apple Podcasts.
pub struct Apple;

impl Platform for Apple {
    fn id(&self) -> PlatformId {
        PlatformId::Apple
    }
    fn file_name(&self) -> &'static str {
        "apple.html"
    }
    fn template_name(&self) -> &'static str {
        "apple.html.j2"
    }
    fn default_template(&self) -> &'static str {
        include_str!("../../../templates/apple.html.j2")
    }
    fn max_bytes(&self) -> Option<usize> {
        Some(MAX_BYTES)
    }
    fn allowed_tags(&self) -> Option<&'static [&'static str]> {
        Some(TAGS)
    }
    /// Always `HH:MM:SS` (<https://podcasters.apple.com/support/5482>).
    fn chapter_time(&self) -> Option<(&'static str, Style)> {
        Some(("apple", Style::Hms))
    }
}
