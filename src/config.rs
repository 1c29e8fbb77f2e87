//! The show config, `shownotes.toml` (the README's "The show config and templates"): found by
//! walking up from the notes file's folder (like `Cargo.toml`), or named
//! with `--config`. Everything in it is optional; unknown keys are errors
//! with their line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::chapter as chapters;
use crate::diagnostic::Code;
use crate::error::{Error, ErrorKind};
use crate::links;
use crate::publish::platform::{self, PlatformId};
use crate::regular::{self, OpenError, TEXT_CAP};
use crate::source::{Position, Source};

mod trust;

/// The file name searched for.
pub const FILE_NAME: &str = "shownotes.toml";

/// A show's `shownotes.toml`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder of template overrides, relative to the config file.
    pub templates: Option<PathBuf>,
    /// `[show]`: the show's title, site, language, URLs and footer.
    pub show: Show,
    /// `[links]`: extra tracking parameters to strip.
    pub links: LinksConfig,
    /// `[chapters]`: the chapter rules' thresholds.
    pub chapters: ChaptersConfig,
    /// `[platforms]`: which outputs `build` writes, and each one's limits.
    pub platforms: PlatformsConfig,
    /// `[feed]`: the channel `shownotes feed` writes.
    pub feed: FeedConfig,
    /// `[online]`: how `check --online` fetches links, and its cache.
    pub online: OnlineConfig,
    /// `[rules]`: a severity for any diagnostic code, or `off`.
    pub rules: std::collections::BTreeMap<String, RuleLevel>,
    /// `[check]`: what a folder's walk leaves out.
    pub check: CheckConfig,
    /// The config file's folder (set by [`Config::load`]).
    #[serde(skip)]
    pub dir: Option<PathBuf>,
    /// The config file (set by [`Config::load`]).
    #[serde(skip)]
    pub path: Option<PathBuf>,
}

/// `[show]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Show {
    /// The show's name, for templates and the RSS `<channel>`.
    pub title: Option<String>,
    /// The show's home page.
    pub website: Option<String>,
    /// The show's language as a BCP 47 tag (`en`, `de-AT`).
    pub language: Option<String>,
    /// The episode page; `{episode}` is replaced by the episode number.
    pub episode_url: Option<String>,
    /// The enclosure URL is this plus the audio file's name.
    pub media_base_url: Option<String>,
    /// Appended to every platform's description; `{episode_url}` and
    /// `{episode}` are replaced.
    pub footer: Option<String>,
}

/// `[feed]`: the channel of the show's whole feed (`shownotes feed`);
/// the title, website and language come from `[show]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct FeedConfig {
    /// The show's description (`<description>`).
    pub description: Option<String>,
    /// `itunes:author`.
    pub author: Option<String>,
    /// `itunes:owner`: name and e-mail.
    pub owner: Option<Owner>,
    /// The show's artwork (`itunes:image`): a URL, or a file relative to
    /// the config.
    pub image: Option<String>,
    /// Apple Podcasts categories, a subcategory as `"Parent > Child"`.
    pub categories: Vec<String>,
    /// `itunes:explicit`.
    pub explicit: Option<bool>,
    /// `itunes:type`: `episodic` or `serial`.
    #[serde(rename = "type")]
    pub kind: Option<String>,
    /// `podcast:guid`.
    pub guid: Option<String>,
    /// The feed's own address (`atom:link rel="self"`).
    pub url: Option<String>,
}

/// `[feed] owner`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq, serde::Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Owner {
    /// `itunes:name`.
    pub name: Option<String>,
    /// `itunes:email`.
    pub email: Option<String>,
}

/// `[links]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct LinksConfig {
    /// Extra tracking parameters, added to the built-in list.
    pub strip_params: Vec<String>,
}

/// `[chapters]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct ChaptersConfig {
    /// Fewest chapters a list may have (`chapter-too-few`).
    #[serde(deserialize_with = "min_count")]
    pub min_count: Option<usize>,
    /// Shortest a chapter may be, in seconds (`chapter-too-short`).
    #[serde(deserialize_with = "min_seconds")]
    pub min_seconds: Option<u64>,
    /// Longest a chapter title may be, in characters (`chapter-title-too-long`).
    #[serde(deserialize_with = "max_title_chars")]
    pub max_title_chars: Option<usize>,
}

/// `[online]`: the settings of `check --online` and `links --online`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct OnlineConfig {
    /// Seconds one request may take before the link counts as unreachable.
    #[serde(deserialize_with = "timeout_s")]
    pub timeout_s: Option<u64>,
    /// Requests in flight at once to one host.
    #[serde(deserialize_with = "max_per_host")]
    pub max_per_host: Option<usize>,
    /// The cache file, relative to the config file.
    pub cache: Option<PathBuf>,
    /// Days a cached result is reused before the link is fetched again.
    #[serde(deserialize_with = "cache_days")]
    pub cache_days: Option<u64>,
    /// Regular expressions of URLs never fetched.
    pub exclude: Vec<String>,
    /// The `User-Agent` sent (a browser's by default).
    pub user_agent: Option<String>,
}

/// A `[rules]` value: the severity a code's findings get, or `off` to
/// drop them.
#[derive(Clone, Copy, Debug, Deserialize, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum RuleLevel {
    /// Every finding of the code is an error.
    Error,
    /// Every finding of the code is a warning.
    Warning,
    /// The code's findings are dropped.
    Off,
}

/// `[check]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct CheckConfig {
    /// Globs of files and folders a folder's walk leaves out, relative to
    /// the config file's folder, written as in `.gitignore`.
    pub exclude: Vec<String>,
}

/// `[platforms]`: `enabled`, and a table per platform that has a size
/// limit (`[platforms.youtube]`), keyed by platform.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct PlatformsConfig {
    /// Which outputs `build` writes when `--platform` is not given.
    pub enabled: Option<Vec<PlatformId>>,
    /// `[platforms.NAME]`, for the platforms given one.
    pub limits: std::collections::BTreeMap<PlatformId, Limits>,
}

impl PlatformsConfig {
    /// `[platforms.NAME]` of `platform` (empty when not given).
    pub fn limits(&self, platform: PlatformId) -> Limits {
        self.limits.get(&platform).cloned().unwrap_or_default()
    }
}

/// The keys of `[platforms]`: `enabled`, and the name of each platform
/// with a size limit (its table sets `max_bytes`).
static PLATFORMS_KEYS: std::sync::LazyLock<Vec<&'static str>> = std::sync::LazyLock::new(|| {
    std::iter::once("enabled")
        .chain(
            platform::all()
                .filter(|p| p.max_bytes().is_some())
                .map(|p| p.name()),
        )
        .collect()
});

/// A key of `[platforms]`; any other is an unknown field, reported at the key.
enum PlatformsKey {
    Enabled,
    Platform(PlatformId),
}

impl<'de> Deserialize<'de> for PlatformsKey {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl serde::de::Visitor<'_> for Visitor {
            type Value = PlatformsKey;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("field identifier")
            }
            fn visit_str<E: serde::de::Error>(self, v: &str) -> Result<PlatformsKey, E> {
                let keys: &'static [&'static str] =
                    std::sync::LazyLock::force(&PLATFORMS_KEYS).as_slice();
                match v {
                    "enabled" => Ok(PlatformsKey::Enabled),
                    _ if keys.contains(&v) => Ok(PlatformsKey::Platform(
                        v.parse().map_err(|()| E::unknown_field(v, keys))?,
                    )),
                    _ => Err(E::unknown_field(v, keys)),
                }
            }
        }
        d.deserialize_identifier(Visitor)
    }
}

impl<'de> Deserialize<'de> for PlatformsConfig {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Visitor;
        impl<'de> serde::de::Visitor<'de> for Visitor {
            type Value = PlatformsConfig;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("struct PlatformsConfig")
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<PlatformsConfig, A::Error> {
                let mut out = PlatformsConfig::default();
                while let Some(key) = map.next_key::<PlatformsKey>()? {
                    match key {
                        PlatformsKey::Enabled => out.enabled = map.next_value()?,
                        PlatformsKey::Platform(id) => {
                            out.limits.insert(id, map.next_value()?);
                        }
                    }
                }
                Ok(out)
            }
        }
        let keys: &'static [&'static str] = std::sync::LazyLock::force(&PLATFORMS_KEYS).as_slice();
        d.deserialize_struct("PlatformsConfig", keys, Visitor)
    }
}

/// `[platforms.NAME]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The description's size limit in bytes (the platform's own by default).
    #[serde(deserialize_with = "max_bytes")]
    pub max_bytes: Option<usize>,
}

/// A `deserialize_with` function for an integer key that refuses a value
/// outside `min..=max`, so the TOML error points at the value, names the
/// key and says the range (`min_seconds = 18446744073709552` would
/// otherwise overflow when turned into milliseconds).
macro_rules! ranged {
    ($name:ident: $t:ty, $min:expr, $max:expr, $unit:expr) => {
        fn $name<'de, D: serde::Deserializer<'de>>(d: D) -> Result<Option<$t>, D::Error> {
            use serde::de::Error as _;
            let v = i64::deserialize(d)?;
            if !($min..=$max).contains(&v) {
                return Err(D::Error::custom(format!(
                    "`{}` must be from {} to {}{}, not `{v}`",
                    stringify!($name),
                    $min,
                    $max,
                    $unit
                )));
            }
            // In range, so it fits.
            Ok(Some(v as $t))
        }
    };
}

/// The ranges of the numeric keys (the README lists them).
pub(crate) const MIN_COUNT_MAX: i64 = 10_000;
pub(crate) const MIN_SECONDS_MAX: i64 = 86_400;
pub(crate) const MAX_TITLE_CHARS_MAX: i64 = 10_000;
pub(crate) const MAX_BYTES_MAX: i64 = 100_000_000;
ranged!(min_count: usize, 0, MIN_COUNT_MAX, " chapters");
ranged!(min_seconds: u64, 0, MIN_SECONDS_MAX, " seconds (a day)");
ranged!(max_title_chars: usize, 1, MAX_TITLE_CHARS_MAX, " characters");
ranged!(max_bytes: usize, 1, MAX_BYTES_MAX, " bytes (100 MB)");
pub(crate) const TIMEOUT_S_MAX: i64 = 300;
pub(crate) const MAX_PER_HOST_MAX: i64 = 64;
pub(crate) const CACHE_DAYS_MAX: i64 = 3650;
ranged!(timeout_s: u64, 1, TIMEOUT_S_MAX, " seconds");
ranged!(max_per_host: usize, 1, MAX_PER_HOST_MAX, " requests");
ranged!(cache_days: u64, 0, CACHE_DAYS_MAX, " days");

/// A config error: the file, where (when known), what is wrong, and how
/// to fix it.
fn config_error(path: &Path, at: Option<Position>, message: String, help: Option<String>) -> Error {
    let e = Error::new(ErrorKind::Config, message)
        .with_path(path.display().to_string())
        .with_help_opt(help);
    match at {
        Some(p) => e.at(p.line, Some(p.column)),
        None => e,
    }
}

impl Config {
    /// Finds `shownotes.toml` in the notes file's folder or the nearest
    /// folder above it, and loads it. `Ok(None)`: there is none.
    ///
    /// The search stops at the folder holding `.git` (the repository's
    /// top, searched too) and at the home folder, so a file planted
    /// higher up is never applied; a config found that belongs to another
    /// user, or that others can write, is refused (an error naming it).
    pub fn discover(notes_path: &Path) -> Result<Option<(PathBuf, Config)>, Error> {
        let start = notes_path
            .parent()
            .filter(|p| !p.as_os_str().is_empty())
            .map_or_else(|| PathBuf::from("."), Path::to_path_buf);
        let start = std::fs::canonicalize(&start).unwrap_or(start);
        let home = std::env::var_os("HOME")
            .or_else(|| std::env::var_os("USERPROFILE"))
            .filter(|h| !h.is_empty())
            .map(PathBuf::from)
            .map(|h| std::fs::canonicalize(&h).unwrap_or(h));
        for dir in start.ancestors() {
            let candidate = dir.join(FILE_NAME);
            // Anything by that name is the config: a FIFO or a folder
            // named so is an error, not skipped.
            if std::fs::symlink_metadata(&candidate).is_ok() {
                let config = Config::read(&candidate, false)?;
                return Ok(Some((candidate, config)));
            }
            let top = std::fs::symlink_metadata(dir.join(".git")).is_ok();
            if top || home.as_deref() == Some(dir) {
                break;
            }
        }
        Ok(None)
    }

    /// Reads and checks the config at `path` (named by the user, so
    /// trusted whoever owns it).
    pub fn load(path: &Path) -> Result<Config, Error> {
        Config::read(path, true)
    }

    /// Reads and checks the config at `path`; `named`: the user named it
    /// (else it was found by walking up, and must be theirs alone).
    fn read(path: &Path, named: bool) -> Result<Config, Error> {
        let fail = |message: String, help: Option<String>| config_error(path, None, message, help);
        let unreadable = |e: OpenError| {
            let help = match e.help() {
                Some(h) => h.to_string(),
                None if named => "check the path given to `--config`".into(),
                None => "fix the file, or remove it".into(),
            };
            fail(
                format!("cannot read the config: {}", e.reason()),
                Some(help),
            )
        };
        let (file, meta) = regular::open(path).map_err(unreadable)?;
        if !named {
            if let Some(why) = trust::check(&meta) {
                return Err(fail(
                    why.message(),
                    Some(why.help(&path.display().to_string())),
                ));
            }
        }
        if meta.len() > TEXT_CAP {
            return Err(unreadable(OpenError::TooLarge {
                size: meta.len(),
                cap: TEXT_CAP,
                exact: true,
            }));
        }
        let bytes = regular::read_capped(file, meta.len(), TEXT_CAP).map_err(unreadable)?;
        let text = String::from_utf8(bytes).map_err(|_| {
            fail(
                "cannot read the config: it is not UTF-8 text".into(),
                Some("save it as UTF-8".into()),
            )
        })?;
        let mut config = Config::parse(path, &text)?;
        config.dir = Some(
            path.parent()
                .filter(|p| !p.as_os_str().is_empty())
                .map_or_else(|| PathBuf::from("."), Path::to_path_buf),
        );
        config.path = Some(path.to_path_buf());
        config.check_templates(path, &crate::source::lone_cr_to_lf(text))?;
        Ok(config)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, Error> {
        // TOML knows LF and CRLF; a lone CR (old Mac) is a line break too.
        let text = &crate::source::lone_cr_to_lf(text.to_string());
        let config: Config = toml::from_str(text).map_err(|e| {
            let src = Source::new(path.display().to_string(), text);
            let pos = e.span().map(|r| src.position(r.start));
            let message = e.message().trim().to_string();
            let message = lower_first(&message.replace('\n', " "));
            let help = Some(if message.starts_with("unknown field") || message.starts_with("unknown variant") {
                    "see `shownotes init` for every key, with comments".to_string()
                } else if message.contains("` must be from ") {
                    "write a whole number in that range, or delete the key for the default (see `shownotes init`)".to_string()
                } else {
                    "the config is TOML: `key = \"value\"` under `[show]`, `[links]`, `[chapters]`, `[platforms]` and `[online]`".to_string()
                });
            config_error(path, pos, message, help)
        })?;
        config.validate(path, text)?;
        Ok(config)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), Error> {
        let err = |table: &str, key: &str, message: String, help: &str| {
            let at = key_position(text, table, key);
            config_error(path, at, message, Some(help.to_string()))
        };
        for code in self.rules.keys() {
            if Code::from_name(code).is_none() {
                let near = Code::ALL
                    .iter()
                    .map(|c| {
                        (
                            crate::notes::front_matter::edit_distance(code, c.as_str()),
                            c,
                        )
                    })
                    .filter(|(d, _)| *d <= 2)
                    .min_by_key(|(d, _)| *d);
                let help = match near {
                    Some((_, c)) => format!("did you mean `{c}`?"),
                    None => "a key of `[rules]` is a diagnostic code, such as `link-insecure` (`shownotes check --format json` shows each finding's code)".into(),
                };
                return Err(err(
                    "rules",
                    code,
                    format!("unknown diagnostic code `{code}` in `[rules]`"),
                    &help,
                ));
            }
        }
        if let Err(e) = exclude_matcher(Path::new("."), &self.check.exclude) {
            return Err(err(
                "check",
                "exclude",
                format!("`[check] exclude` has a bad glob: {e}"),
                "write globs as in `.gitignore`, such as `drafts/**` or `README.md`",
            ));
        }
        if let Some(base) = &self.show.media_base_url {
            if let Err(why) = http_url(base) {
                return Err(err(
                    "show",
                    "media_base_url",
                    format!("`media_base_url` `{base}` {why}"),
                    "write the folder URL the audio is served from, such as `https://media.example.com/show/`",
                ));
            }
            // The audio file's name is appended: a query or fragment
            // would come before it and the enclosure would not point at
            // the file (`https://m.example/?t=1/ep.mp3`).
            if base.contains(['?', '#']) {
                return Err(err(
                    "show",
                    "media_base_url",
                    format!(
                        "`media_base_url` `{base}` has a {}, but the audio file's name is appended to it",
                        if base.contains('?') { "query (`?...`)" } else { "fragment (`#...`)" }
                    ),
                    "write the plain folder URL the audio is served from, such as `https://media.example.com/show/`; the enclosure is that URL followed by the file name",
                ));
            }
        }
        if let Some(u) = &self.show.episode_url {
            let probe = u.replace("{episode}", "1");
            if let Some(i) = probe.find('{') {
                let end = probe[i..].find('}').map_or(probe.len(), |e| i + e + 1);
                return Err(err(
                    "show",
                    "episode_url",
                    format!(
                        "`episode_url` `{u}` has the placeholder `{}`, which is not one",
                        &probe[i..end]
                    ),
                    "the only placeholder is `{episode}`, the episode number: `https://example.com/#episode-{episode}`",
                ));
            }
            if let Err(why) = http_url(&probe) {
                return Err(err(
                    "show",
                    "episode_url",
                    format!("`episode_url` `{u}` {why}"),
                    "write a full URL such as `https://example.com/#episode-{episode}`",
                ));
            }
        }
        if let Some(u) = &self.show.website {
            if let Err(why) = http_url(u) {
                return Err(err(
                    "show",
                    "website",
                    format!("`website` `{u}` {why}"),
                    "write a full URL such as `https://example.com/`",
                ));
            }
        }
        self.validate_online(path, text)
    }

    /// `[online]`: every `exclude` must compile as a regular expression, and
    /// `user_agent` must be a header value a server accepts.
    fn validate_online(&self, path: &Path, text: &str) -> Result<(), Error> {
        let online = &self.online;
        for pattern in &online.exclude {
            if let Err(e) = regex::Regex::new(pattern) {
                let why = e.to_string();
                let why = why.lines().last().unwrap_or("").trim();
                return Err(config_error(
                    path,
                    key_position(text, "online", "exclude"),
                    format!("`exclude` pattern `{pattern}` is not a regular expression: {}", lower_first(why.trim_start_matches("error: "))),
                    Some("write a regular expression matched against each normalized URL, such as `^https://twitter\\.com/` (in TOML, `\\\\.` for a literal dot)".into()),
                ));
            }
        }
        if let Some(ua) = &online.user_agent {
            if ua.trim().is_empty() || ua.chars().any(|c| c.is_control() || !c.is_ascii()) {
                return Err(config_error(
                    path,
                    key_position(text, "online", "user_agent"),
                    format!("`user_agent` `{}` cannot be sent: it must be printable ASCII, and not empty", ua.escape_debug()),
                    Some("write it on one line, such as `Mozilla/5.0 (compatible; MyShow link checker)`, or delete it for the default".into()),
                ));
            }
        }
        if online
            .cache
            .as_ref()
            .is_some_and(|c| c.as_os_str().is_empty())
        {
            return Err(config_error(
                path,
                key_position(text, "online", "cache"),
                "`cache` is empty".into(),
                Some("name the cache file, such as `.shownotes-cache.json`, or delete the key for that default".into()),
            ));
        }
        Ok(())
    }

    /// A `templates` folder that is not there is an error (with the name
    /// of a folder beside it that is close), not a silent fall back to
    /// the built-in templates. `text` is the config, for the key's line.
    fn check_templates(&self, path: &Path, text: &str) -> Result<(), Error> {
        let (Some(t), Some(dir)) = (&self.templates, &self.dir) else {
            return Ok(());
        };
        let full = dir.join(t);
        if full.is_dir() {
            return Ok(());
        }
        let at = key_position(text, "", "templates");
        let what = if full.exists() {
            "is not a folder"
        } else {
            "does not exist"
        };
        let near = full
            .file_name()
            .and_then(|name| {
                let name = name.to_string_lossy();
                let parent = full.parent().unwrap_or(dir);
                std::fs::read_dir(parent)
                    .ok()?
                    .filter_map(Result::ok)
                    .filter(|e| e.path().is_dir())
                    .map(|e| e.file_name().to_string_lossy().into_owned())
                    .map(|n| (crate::notes::front_matter::edit_distance(&n, &name), n))
                    .filter(|(d, n)| *d <= 2.max(n.chars().count() / 3))
                    .min()
            })
            .map(|(_, n)| n);
        let shown = |p: &Path| p.display().to_string();
        let message = format!(
            "the templates folder `{}` {what} (`{}`)",
            shown(t),
            shown(&full)
        );
        let help = match near {
            Some(n) => {
                let fixed = t.with_file_name(&n);
                format!("did you mean `templates = \"{}\"`?", shown(&fixed))
            }
            None => {
                "create the folder, or delete the `templates` line to use the built-in templates"
                    .into()
            }
        };
        Err(config_error(path, at, message, Some(help)))
    }

    /// The link rules: the built-in tracking parameters plus `[links] strip_params`.
    pub fn link_rules(&self) -> links::Rules {
        links::Rules {
            strip_params: self.links.strip_params.clone(),
        }
    }

    /// The chapter rules: the built-in ones, with `[chapters]` applied.
    pub(crate) fn chapter_rules(&self) -> chapters::Rules {
        let d = chapters::Rules::default();
        chapters::Rules {
            min_count: self.chapters.min_count.unwrap_or(d.min_count),
            min_seconds: self.chapters.min_seconds.unwrap_or(d.min_seconds),
            max_title_chars: self.chapters.max_title_chars.unwrap_or(d.max_title_chars),
        }
    }

    /// The folder of template overrides: `templates` relative to the config
    /// file, else a `templates/` folder beside it when there is one.
    pub fn templates_dir(&self) -> Option<PathBuf> {
        let dir = self.dir.as_deref()?;
        match &self.templates {
            Some(t) => Some(dir.join(t)),
            None => Some(dir.join("templates")).filter(|d| d.is_dir()),
        }
    }

    /// The severity `[rules]` gives `code`, if it names it.
    pub fn rule(&self, code: Code) -> Option<RuleLevel> {
        self.rules.get(code.as_str()).copied()
    }

    /// The matcher of `[check] exclude`, rooted at the config file's
    /// folder (`root`: that folder as the walk sees it). `None`: no
    /// excludes.
    pub fn excludes(&self, root: &Path) -> Option<ignore::gitignore::Gitignore> {
        if self.check.exclude.is_empty() {
            return None;
        }
        // Checked when the config was read.
        exclude_matcher(root, &self.check.exclude).ok()
    }

    /// The size limit of `platform`'s description, configured or its own.
    pub fn max_bytes(&self, platform: PlatformId) -> Option<usize> {
        let configured = self.platforms.limits.get(&platform);
        configured
            .and_then(|l| l.max_bytes)
            .or(platform::get(platform).max_bytes())
    }
}

/// Why `raw` is not a URL that may stand in a published feed: parsed
/// with the WHATWG rules (`url`), `http` or `https` with `://` and a host,
/// no user name or password, and nothing the parser would silently drop
/// or change (spaces, control characters, backslashes), because the
/// outputs use the text as written.
fn http_url(raw: &str) -> Result<url::Url, String> {
    if let Some(c) = raw
        .chars()
        .find(|c| c.is_whitespace() || c.is_control() || *c == '\\')
    {
        return Err(format!(
            "holds {}, which a URL cannot",
            match c {
                ' ' => "a space".to_string(),
                '\\' => "a backslash".to_string(),
                c => format!("the character U+{:04X}", u32::from(c)),
            }
        ));
    }
    let url = url::Url::parse(raw).map_err(|e| format!("is not a URL: {e}"))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(format!(
            "is not an http(s) URL (its scheme is `{}`)",
            url.scheme()
        ));
    }
    if !raw[url.scheme().len()..].starts_with("://") || url.host_str().is_none_or(str::is_empty) {
        return Err("is not a full URL: write `https://` and the host".into());
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(
            "holds a user name or password, which every feed and description would publish".into(),
        );
    }
    Ok(url)
}

/// The position of `key` at the start of a line in `[table]` (`""`: the
/// top level, before any table), for errors about a key's value.
fn key_position(text: &str, table: &str, key: &str) -> Option<Position> {
    let src = Source::new("", text);
    let mut current = String::new();
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let trimmed = line.trim_start();
        let indent = line.len() - trimmed.len();
        if let Some(rest) = trimmed.strip_prefix('[') {
            current = rest.split(']').next().unwrap_or("").trim().to_string();
        } else if current == table {
            if let Some(rest) = trimmed.strip_prefix(key) {
                if rest.trim_start().starts_with('=') {
                    return Some(src.position(offset + indent));
                }
            }
        }
        offset += line.len();
    }
    None
}

/// `[check] exclude` as a `.gitignore` rooted at `root`: each glob is a
/// line of it.
fn exclude_matcher(root: &Path, globs: &[String]) -> Result<ignore::gitignore::Gitignore, String> {
    let mut b = ignore::gitignore::GitignoreBuilder::new(root);
    for g in globs {
        b.add_line(None, g)
            .map_err(|e| format!("`{g}`: {}", lower_first(&e.to_string())))?;
    }
    b.build().map_err(|e| lower_first(&e.to_string()))
}

fn lower_first(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_lowercase().chain(c).collect(),
        None => String::new(),
    }
}

/// The commented config `shownotes init` writes: every key, with the
/// Netstack.FM values as examples.
pub const INIT_TEMPLATE: &str = r#"# shownotes.toml — the show's settings for `shownotes build`, `check` and
# `context`. Everything is optional: delete what you do not need. shownotes
# finds this file by walking up from the notes file's folder, like Cargo,
# up to the folder holding `.git` or your home folder; it must be yours and
# not writable by others (`chmod go-w shownotes.toml`).

# Folder of template overrides, relative to this file. A file named like a
# built-in template (youtube.txt.j2, spotify.html.j2, apple.html.j2,
# rss-item.xml.j2) replaces it. Default: a templates/ folder beside this file.
# A folder named here that does not exist is an error.
# templates = "templates"

[show]
# title = "Netstack.FM"
# website = "https://netstack.fm"
# language = "en"
# The episode page; {episode} is the front matter's episode number.
# episode_url = "https://netstack.fm/#episode-{episode}"
# The RSS enclosure URL is this plus the audio file's name; the
# chapters.json URL is this plus `<audio file stem>.chapters.json`.
# A folder URL: http(s), no query or fragment; a missing final / is added.
# media_base_url = "https://media.example.com/netstack/"
# Appended to every platform's description ({episode_url} and {episode}
# are replaced). Left out when the notes already hold every line of it.
# footer = """
# Netstack.FM
# More information: {episode_url}
# Join our Discord: https://discord.gg/29EetaSYCD
# """

[links]
# Extra tracking parameters to remove, added to the built-in list
# (utm_*, fbclid, gclid, si on YouTube/Spotify links, ...).
# strip_params = ["ref_src"]

[chapters]
# Ranges: min_count 0 to 10000, min_seconds 0 to 86400,
# max_title_chars 1 to 10000; max_bytes below is 1 to 100000000.
# YouTube, Spotify and Apple show chapters only from 3 on.
# min_count = 3
# YouTube drops chapters shorter than 10 seconds.
# min_seconds = 10
# YouTube shows 70 characters of a title.
# max_title_chars = 70

[feed]
# The channel `shownotes feed` writes (title, website and language come
# from [show]). Apple Podcasts requires a description, artwork, a category
# and explicit; `shownotes import` fills this table from a feed.
# description = "A podcast about networking, Rust, and everything in between."
# author = "Plabayo"
# owner = { name = "Plabayo", email = "hello@netstack.fm" }
# Artwork: a URL, or a file beside this one (JPEG or PNG, 1400 to 3000 px square).
# image = "https://netstack.fm/cover.jpg"
# Apple Podcasts categories; a subcategory as "Parent > Child".
# categories = ["Technology"]
# explicit = false
# type = "episodic"       # or "serial"
# podcast:guid, the show's Podcasting 2.0 identifier.
# guid = "917393e3-1b1e-5cef-ace4-edaa54e1f810"
# The feed's own address (atom:link rel="self").
# url = "https://netstack.fm/rss.xml"

[platforms]
# What `shownotes build` writes when `--platform` is not given.
# enabled = ["spotify", "apple", "youtube", "rss"]

# Description size limits, in bytes.
# [platforms.youtube]
# max_bytes = 5000        # YouTube Data API: 5000 bytes
# [platforms.spotify]
# max_bytes = 4000        # unconfirmed by Spotify; a safe default
# [platforms.apple]
# max_bytes = 4000        # Apple's RSS tag reference: 4000 bytes

[online]
# `check --online` and `links --online` fetch every http(s) link once.
# Seconds one request may take (1 to 300).
# timeout_s = 10
# Requests in flight at once to one host (1 to 64).
# max_per_host = 2
# Results are kept here, relative to this file, and reused for
# cache_days (0 to 3650; 0 fetches every link each run). A CI job can
# cache this file between runs.
# cache = ".shownotes-cache.json"
# cache_days = 7
# Regular expressions of URLs never fetched (matched against each
# normalized URL).
# exclude = ["^https://twitter\\.com/"]
# The User-Agent sent; by default a browser's, naming shownotes too.
# user_agent = "Mozilla/5.0 (compatible; MyShow link check)"

[rules]
# Any diagnostic code: "error", "warning" or "off" (for `check` and
# `build` alike). One notes file can turn codes off for itself with a line
# `<!-- shownotes-disable link-insecure -->`.
# link-insecure = "off"
# chapter-title-too-long = "error"

[check]
# Files and folders `shownotes check` leaves out when it walks a folder,
# as in .gitignore (which is honoured too), relative to this file.
# exclude = ["drafts/**", "README.md"]
"#;

#[cfg(test)]
mod tests;
