//! YouTube (`youtube.txt`): plain text, pasted into the video's description.
//!
//! Sources:
//! - at most 5000 bytes: YouTube Data API reference, `videos`,
//!   `snippet.description`, <https://developers.google.com/youtube/v3/docs/videos>;
//! - `<` and `>` are rejected (the API answers `invalidDescription`): same;
//!   <https://github.com/FriendTeamInc/VodBot/issues/46>;
//!   <https://github.com/tokland/youtube-upload/issues/168>;
//! - chapters one per line, the timestamp first on its line, `M:SS` or
//!   `H:MM:SS`, first at `0:00`:
//!   <https://9to5google.com/2020/05/28/youtube-video-chapters/>;
//!   <https://github.com/freeCodeCamp/freeCodeCamp/issues/39546>;
//! - plain-text URLs are linked: YouTube Help, "Add links to your videos".

use super::{Platform, PlatformId};
use crate::diagnostic::{Code, Diagnostic};
use crate::timestamp::Style;

/// The description size limit (YouTube Data API `snippet.description`).
const MAX_BYTES: usize = 5000;

/// YouTube.
pub struct Youtube;

/// Replaces `<` and `>`, which YouTube rejects, with `‹` and `›` — the
/// replacement `formats::youtube::write` makes in chapter titles — and
/// counts them.
pub(crate) fn replace_angles(s: &str) -> (String, usize) {
    let n = count_angles(s);
    if n == 0 {
        return (s.to_string(), 0);
    }
    (s.replace('<', "‹").replace('>', "›"), n)
}

/// How many `<` and `>` `s` holds (ASCII: a byte count finds them).
fn count_angles(s: &str) -> usize {
    s.bytes().filter(|&b| b == b'<' || b == b'>').count()
}

impl Platform for Youtube {
    fn id(&self) -> PlatformId {
        PlatformId::Youtube
    }
    fn file_name(&self) -> &'static str {
        "youtube.txt"
    }
    fn template_name(&self) -> &'static str {
        "youtube.txt.j2"
    }
    fn default_template(&self) -> &'static str {
        include_str!("../../../templates/youtube.txt.j2")
    }
    fn max_bytes(&self) -> Option<usize> {
        Some(MAX_BYTES)
    }
    /// `0:00`, `5:32`, `1:05:12`: no leading zero (9to5google, above).
    fn chapter_time(&self) -> Option<(&'static str, Style)> {
        Some(("youtube", Style::Short))
    }
    /// `<` and `>` never reach YouTube: values were escaped on the way in;
    /// a template's own text is fixed here. Either way it is a warning.
    fn finish(&self, output: String, replaced: usize, diags: &mut Vec<Diagnostic>) -> String {
        // Nearly every output has none left: it is kept, not copied.
        let (out, more) = match count_angles(&output) {
            0 => (output, 0),
            _ => replace_angles(&output),
        };
        let n = replaced + more;
        if n > 0 {
            diags.push(
                Diagnostic::new(
                    Code::DescriptionForbiddenChar,
                    format!("YouTube rejects `<` and `>`; replaced {n} of them with `‹` and `›`"),
                )
                .help("write the text without `<` and `>` to choose the replacement yourself")
                .platform("youtube"),
            );
        }
        out
    }
}
