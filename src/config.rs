//! The show config, `shownotes.toml` (DESIGN.md "The show config"): found by
//! walking up from the notes file's folder (like `Cargo.toml`), or named
//! with `--config`. Everything in it is optional; unknown keys are errors
//! with their line.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::chapters;
use crate::diagnostic::Source;
use crate::links;
use crate::platform::PlatformId;
use crate::regular::{self, OpenError, TEXT_CAP};

mod trust;

/// The file name searched for.
pub const FILE_NAME: &str = "shownotes.toml";

/// A show's `shownotes.toml`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Folder of template overrides, relative to the config file.
    pub templates: Option<PathBuf>,
    pub show: Show,
    pub links: LinksConfig,
    pub chapters: ChaptersConfig,
    pub platforms: PlatformsConfig,
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
    pub title: Option<String>,
    pub website: Option<String>,
    pub language: Option<String>,
    /// The episode page; `{episode}` is replaced by the episode number.
    pub episode_url: Option<String>,
    /// The enclosure URL is this plus the audio file's name.
    pub media_base_url: Option<String>,
    /// Appended to every platform's description; `{episode_url}` and
    /// `{episode}` are replaced.
    pub footer: Option<String>,
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
    pub min_count: Option<usize>,
    pub min_seconds: Option<u64>,
    pub max_title_chars: Option<usize>,
}

/// `[platforms]`, with one table per platform for its limits.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct PlatformsConfig {
    /// Which outputs `build` writes when `--platform` is not given.
    pub enabled: Option<Vec<PlatformId>>,
    pub youtube: Limits,
    pub spotify: Limits,
    pub apple: Limits,
}

/// `[platforms.NAME]`.
#[derive(Clone, Debug, Default, Deserialize, PartialEq)]
#[serde(deny_unknown_fields, default)]
pub struct Limits {
    /// The description's size limit in bytes (the platform's own by default).
    pub max_bytes: Option<usize>,
}

/// Why a config could not be used: the file, where, and what is wrong.
#[derive(Clone, Debug, PartialEq, thiserror::Error)]
#[error("{}", self.located())]
pub struct ConfigError {
    pub path: PathBuf,
    /// 1-based line and column, when known.
    pub line: Option<usize>,
    pub column: Option<usize>,
    pub message: String,
    pub help: Option<String>,
}

impl ConfigError {
    /// `path:line:column: message`.
    pub fn located(&self) -> String {
        match (self.line, self.column) {
            (Some(l), Some(c)) => format!("{}:{l}:{c}: {}", self.path.display(), self.message),
            _ => format!("{}: {}", self.path.display(), self.message),
        }
    }
}

impl From<ConfigError> for crate::cli::Fatal {
    fn from(e: ConfigError) -> Self {
        let f = crate::cli::Fatal::new(e.located());
        match e.help {
            Some(h) => f.help(h),
            None => f,
        }
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
    pub fn discover(notes_path: &Path) -> Result<Option<(PathBuf, Config)>, ConfigError> {
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
    pub fn load(path: &Path) -> Result<Config, ConfigError> {
        Config::read(path, true)
    }

    /// Reads and checks the config at `path`; `named`: the user named it
    /// (else it was found by walking up, and must be theirs alone).
    fn read(path: &Path, named: bool) -> Result<Config, ConfigError> {
        let fail = |message: String, help: Option<String>| ConfigError {
            path: path.to_path_buf(),
            line: None,
            column: None,
            message,
            help,
        };
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
        Ok(config)
    }

    /// Parses config text; `path` names it in errors.
    pub fn parse(path: &Path, text: &str) -> Result<Config, ConfigError> {
        let config: Config = toml::from_str(text).map_err(|e| {
            let src = Source::new(path.display().to_string(), text);
            let pos = e.span().map(|r| src.position(r.start));
            let message = e.message().trim().to_string();
            let message = lower_first(&message.replace('\n', " "));
            ConfigError {
                path: path.to_path_buf(),
                line: pos.map(|p| p.line),
                column: pos.map(|p| p.column),
                help: Some(if message.starts_with("unknown field") || message.starts_with("unknown variant") {
                    "see `shownotes init` for every key, with comments".to_string()
                } else {
                    "the config is TOML: `key = \"value\"` under `[show]`, `[links]`, `[chapters]` and `[platforms]`".to_string()
                }),
                message,
            }
        })?;
        config.validate(path, text)?;
        Ok(config)
    }

    fn validate(&self, path: &Path, text: &str) -> Result<(), ConfigError> {
        let err = |key: &str, message: String, help: &str| {
            let src = Source::new("", text);
            let at = text
                .match_indices(key)
                .find(|(i, _)| *i == 0 || text.as_bytes()[i - 1] == b'\n')
                .map(|(i, _)| src.position(i));
            ConfigError {
                path: path.to_path_buf(),
                line: at.map(|p| p.line),
                column: at.map(|p| p.column),
                message,
                help: Some(help.to_string()),
            }
        };
        if let Some(base) = &self.show.media_base_url {
            if !(base.starts_with("https://") || base.starts_with("http://"))
                || url::Url::parse(base).is_err()
            {
                return Err(err(
                    "media_base_url",
                    format!("`media_base_url` `{base}` is not an http(s) URL"),
                    "write the folder URL the audio is served from, such as `https://media.example.com/show/`",
                ));
            }
        }
        for (key, v) in [
            ("episode_url", &self.show.episode_url),
            ("website", &self.show.website),
        ] {
            if let Some(u) = v {
                let probe = u.replace("{episode}", "1");
                if !(probe.starts_with("https://") || probe.starts_with("http://"))
                    || url::Url::parse(&probe).is_err()
                {
                    return Err(err(
                        key,
                        format!("`{key}` `{u}` is not an http(s) URL"),
                        "write a full URL such as `https://example.com/#episode-{episode}`",
                    ));
                }
            }
        }
        Ok(())
    }

    /// The link rules: the built-in tracking parameters plus `[links] strip_params`.
    pub fn link_rules(&self) -> links::Rules {
        links::Rules {
            strip_params: self.links.strip_params.clone(),
        }
    }

    /// The chapter rules: the built-in ones, with `[chapters]` applied.
    pub fn chapter_rules(&self) -> chapters::Rules {
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

    /// The size limit of `platform`'s description, configured or its own.
    pub fn max_bytes(&self, platform: PlatformId) -> Option<usize> {
        let configured = match platform {
            PlatformId::Youtube => self.platforms.youtube.max_bytes,
            PlatformId::Spotify => self.platforms.spotify.max_bytes,
            PlatformId::Apple => self.platforms.apple.max_bytes,
            PlatformId::Rss => None,
        };
        configured.or(crate::platform::get(platform).max_bytes())
    }
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
# templates = "templates"

[show]
# title = "Netstack.FM"
# website = "https://netstack.fm"
# language = "en"
# The episode page; {episode} is the front matter's episode number.
# episode_url = "https://netstack.fm/#episode-{episode}"
# The RSS enclosure URL is this plus the audio file's name; the
# chapters.json URL is this plus `<audio file stem>.chapters.json`.
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
# YouTube, Spotify and Apple show chapters only from 3 on.
# min_count = 3
# YouTube drops chapters shorter than 10 seconds.
# min_seconds = 10
# YouTube shows 70 characters of a title.
# max_title_chars = 70

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
"#;

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(text: &str) -> Result<Config, ConfigError> {
        Config::parse(Path::new("shownotes.toml"), text)
    }

    #[test]
    fn reads_every_key() {
        let c = parse(
            "templates = \"tpl\"\n[show]\ntitle = \"Netstack.FM\"\nwebsite = \"https://netstack.fm\"\nlanguage = \"en\"\nepisode_url = \"https://netstack.fm/#episode-{episode}\"\nmedia_base_url = \"https://media.example.com/n/\"\nfooter = \"x\"\n[links]\nstrip_params = [\"ref_src\"]\n[chapters]\nmin_count = 4\nmin_seconds = 30\n[platforms]\nenabled = [\"youtube\", \"rss\"]\n[platforms.spotify]\nmax_bytes = 3000\n",
        )
        .unwrap();
        assert_eq!(c.chapter_rules().min_count, 4);
        assert_eq!(c.chapter_rules().min_seconds, 30);
        assert_eq!(c.chapter_rules().max_title_chars, 70);
        assert_eq!(c.link_rules().strip_params, ["ref_src"]);
        assert_eq!(
            c.platforms.enabled,
            Some(vec![PlatformId::Youtube, PlatformId::Rss])
        );
        assert_eq!(c.max_bytes(PlatformId::Spotify), Some(3000));
        assert_eq!(c.max_bytes(PlatformId::Youtube), Some(5000));
    }

    #[test]
    fn unknown_keys_name_their_line() {
        let e = parse("[show]\ntitle = \"A\"\ntitel = \"B\"\n").unwrap_err();
        assert_eq!((e.line, e.column), (Some(3), Some(1)), "{e}");
        assert!(e.message.contains("unknown field `titel`"), "{}", e.message);
        let e = parse("[platforms]\nenabled = [\"myspace\"]\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
        let e = parse("[nope]\n").unwrap_err();
        assert_eq!(e.line, Some(1), "{e}");
        let e = parse("[show]\nmedia_base_url = \"ftp://x\"\n").unwrap_err();
        assert_eq!(e.line, Some(2), "{e}");
    }

    #[test]
    fn the_init_template_parses_and_so_does_it_uncommented() {
        assert_eq!(parse(INIT_TEMPLATE).unwrap(), Config::default());
        let uncommented: String = INIT_TEMPLATE
            .lines()
            .filter(|l| {
                !l.starts_with("# ")
                    || l.contains(" = ")
                    || l.starts_with("# [")
                    || l.starts_with("# \"\"\"")
                    || l.starts_with("# Netstack.FM")
                    || l.starts_with("# More information")
                    || l.starts_with("# Join")
            })
            .filter(|l| {
                !(l.starts_with("# ")
                    && !l.contains(" = ")
                    && !l.starts_with("# [")
                    && !l.starts_with("# \"\"\"")
                    && !l.starts_with("# Netstack.FM")
                    && !l.starts_with("# More information")
                    && !l.starts_with("# Join"))
            })
            .map(|l| format!("{}\n", l.strip_prefix("# ").unwrap_or(l)))
            .collect();
        let c = parse(&uncommented).unwrap();
        assert_eq!(c.show.title.as_deref(), Some("Netstack.FM"));
        assert!(c.show.footer.unwrap().contains("{episode_url}"));
        assert_eq!(c.platforms.spotify.max_bytes, Some(4000));
    }
}
