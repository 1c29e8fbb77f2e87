//! The platforms `shownotes build` writes for, each one file behind the
//! [`Platform`] trait: its output file, template, limits and rules. A new
//! platform is one file beside these, its template in `templates/`, and
//! one line in the registry below (`platforms!`).

use serde::{Deserialize, Serialize};

use crate::diagnostic::Diagnostic;
use crate::timestamp::Style;

/// Declares the platforms, in build order (the RSS item embeds the Apple
/// and Spotify HTML, so it comes last): their modules, [`PlatformId`]
/// (whose order is this order), [`PlatformId::ALL`] and [`get`].
macro_rules! platforms {
    ($($variant:ident = $name:literal => $module:ident::$platform:ident,)+) => {
        $(pub mod $module;)+

        /// A platform by name (`--platform`, `[platforms] enabled`).
        #[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
        #[serde(rename_all = "lowercase")]
        pub enum PlatformId {
            $(
                #[doc = concat!("`", $name, "`")]
                $variant,
            )+
        }

        impl PlatformId {
            /// Every platform, in the order outputs are built.
            pub const ALL: [PlatformId; [$($name),+].len()] = [$(PlatformId::$variant),+];

            /// The name users write.
            pub const fn as_str(self) -> &'static str {
                match self {
                    $(PlatformId::$variant => $name,)+
                }
            }
        }

        /// The platform `id`.
        pub fn get(id: PlatformId) -> &'static dyn Platform {
            match id {
                $(PlatformId::$variant => &$module::$platform,)+
            }
        }
    };
}

platforms! {
    Spotify = "spotify" => spotify::Spotify,
    Apple = "apple" => apple::Apple,
    Youtube = "youtube" => youtube::Youtube,
    Rss = "rss" => rss::Rss,
}

impl std::str::FromStr for PlatformId {
    type Err = ();

    /// The platform named `name` (as users write it).
    fn from_str(name: &str) -> Result<Self, ()> {
        PlatformId::ALL
            .into_iter()
            .find(|p| p.as_str() == name)
            .ok_or(())
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

/// What an episode offers beyond its notes, for [`Platform::unmet`].
#[derive(Clone, Copy, Debug)]
pub struct Offered {
    /// The audio was read.
    pub audio: bool,
    /// The audio was given but is missing or unreadable (already reported).
    pub audio_reported: bool,
    /// `[show] media_base_url` is set.
    pub media_base_url: bool,
}

/// Why a platform's output can't be built for an episode, and how to fix it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Unmet {
    /// Lowercase, values in backticks (`no audio was given`).
    pub why: &'static str,
    /// How to give what is missing.
    pub help: &'static str,
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
    /// The template's name (`youtube.txt.j2`), also the override's file
    /// name; its extension chooses how values are escaped ([`Escape`]).
    fn template_name(&self) -> &'static str;
    /// The built-in template.
    fn default_template(&self) -> &'static str;
    /// The description's size limit in bytes, when the platform has one;
    /// a platform with one takes `[platforms.NAME] max_bytes` to change it.
    fn max_bytes(&self) -> Option<usize>;
    /// The HTML tags allowed, for HTML outputs.
    fn allowed_tags(&self) -> Option<&'static [&'static str]> {
        None
    }
    /// The key and form of each chapter's start in the template context
    /// (`chapters[].youtube`: `("youtube", Style::Short)`), when the
    /// platform has a form of its own.
    fn chapter_time(&self) -> Option<(&'static str, Style)> {
        None
    }
    /// The platforms whose outputs this one's template receives in `html`
    /// (rendered first, even when not asked for), in the order of `html`'s
    /// keys.
    fn embeds(&self) -> &'static [PlatformId] {
        &[]
    }
    /// An embedded output held under another platform's size limit: that
    /// platform, and what the output is called (`item's <description>`).
    /// Checked here when that platform is not built on its own.
    fn embedded_limit(&self) -> Option<(PlatformId, &'static str)> {
        None
    }
    /// What the output needs that the episode does not offer, if anything.
    fn unmet(&self, _offered: &Offered) -> Option<Unmet> {
        None
    }
    /// Fixes what the platform cannot take in the rendered output,
    /// reporting it (YouTube: `<` and `>`). `replaced` counts the
    /// replacements the escaper already made in values.
    fn finish(&self, output: String, _replaced: usize, _diags: &mut Vec<Diagnostic>) -> String {
        output
    }
}

/// Every platform, in build order.
pub fn all() -> impl Iterator<Item = &'static dyn Platform> {
    PlatformId::ALL.into_iter().map(get)
}
