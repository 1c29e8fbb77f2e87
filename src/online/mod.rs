//! Online link checks: every distinct `http(s)` link fetched once (HEAD,
//! then GET where HEAD is refused), with a per-host and a global limit,
//! redirects followed one by one, retries honouring `Retry-After`, and a
//! cache of results; the `link-broken`, `link-redirected` and
//! `link-unreachable` findings.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::time::{Duration, SystemTime};

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::links::Link;

mod cache;
mod fetch;

pub use cache::Cache;

/// The cache file's name when `[online] cache` does not name one.
pub const DEFAULT_CACHE: &str = ".shownotes-cache.json";
/// `[online] timeout_s` when not set.
pub const DEFAULT_TIMEOUT_S: u64 = 10;
/// `[online] max_per_host` when not set.
pub const DEFAULT_MAX_PER_HOST: usize = 2;
/// `[online] cache_days` when not set.
pub const DEFAULT_CACHE_DAYS: u64 = 7;
/// Requests in flight at once over all hosts.
pub const MAX_IN_FLIGHT: usize = 128;
/// Redirects followed from one link before giving up (browsers stop at 20;
/// a show-notes link that needs more is broken for most readers too).
pub const MAX_REDIRECTS: usize = 10;
/// Retries of a request answered 429 or 503.
pub const RETRIES: u32 = 2;
/// The longest `Retry-After` waited for; a server asking for more is
/// reported unreachable at once.
pub const MAX_RETRY_AFTER: Duration = Duration::from_secs(30);

/// The default `User-Agent`: a current browser's, so that sites which turn
/// away unknown clients answer as they would to a listener, naming
/// shownotes at the end so a server's operator can tell what it was.
pub const DEFAULT_USER_AGENT: &str = concat!(
    "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0 shownotes/",
    env!("CARGO_PKG_VERSION")
);

/// How online checks run: from `[online]`, with the defaults filled in.
#[derive(Clone, Debug)]
pub struct Settings {
    /// How long one request may take.
    pub timeout: Duration,
    /// Requests in flight at once to one host.
    pub max_per_host: usize,
    /// Requests in flight at once over all hosts.
    pub max_in_flight: usize,
    /// Redirects followed from one link.
    pub max_redirects: usize,
    /// Retries of a request answered 429 or 503.
    pub retries: u32,
    /// The first wait before a retry when the server names none (doubled
    /// for each further one).
    pub backoff: Duration,
    /// The `User-Agent` header.
    pub user_agent: String,
    /// URLs matching any of these are never fetched.
    pub exclude: Vec<Regex>,
    /// The cache file; `None`: no cache.
    pub cache: Option<PathBuf>,
    /// How long a cached result is reused.
    pub cache_age: Duration,
}

impl Settings {
    /// The settings of `config`'s `[online]`. The cache is `[online] cache`
    /// relative to the config file, else [`DEFAULT_CACHE`] beside it, or in
    /// `fallback_dir` (the current folder) when there is no config file.
    pub fn from_config(config: &Config, fallback_dir: &Path) -> Settings {
        let o = &config.online;
        let dir = config.dir.as_deref().unwrap_or(fallback_dir);
        let cache = dir.join(o.cache.as_deref().unwrap_or(Path::new(DEFAULT_CACHE)));
        Settings {
            timeout: Duration::from_secs(o.timeout_s.unwrap_or(DEFAULT_TIMEOUT_S)),
            max_per_host: o.max_per_host.unwrap_or(DEFAULT_MAX_PER_HOST),
            max_in_flight: MAX_IN_FLIGHT,
            max_redirects: MAX_REDIRECTS,
            retries: RETRIES,
            backoff: Duration::from_secs(1),
            user_agent: o
                .user_agent
                .clone()
                .unwrap_or_else(|| DEFAULT_USER_AGENT.to_string()),
            // The config was validated when it was read: every pattern
            // compiles.
            exclude: o
                .exclude
                .iter()
                .filter_map(|p| Regex::new(p).ok())
                .collect(),
            cache: Some(cache),
            cache_age: Duration::from_secs(
                o.cache_days.unwrap_or(DEFAULT_CACHE_DAYS) * 24 * 60 * 60,
            ),
        }
    }
}

/// What became of one link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It answered with a page (2xx), perhaps after temporary redirects.
    Ok,
    /// It moved permanently (301, 308): the link should point at the new place.
    Redirected,
    /// It is gone: 404, 410, or its host name does not resolve.
    Broken,
    /// It could not be checked: a timeout, 5xx, 429 after retries, a TLS
    /// failure, a closed connection, a redirect loop, another 4xx.
    Unreachable,
    /// Not fetched: not `http(s)`, or excluded by `[online] exclude`.
    Skipped,
    /// Answered with a page (as [`Status::Ok`]), known from the cache.
    Cached,
}

impl Status {
    /// The name scripts see (`links --online --format json`).
    pub fn name(self) -> &'static str {
        match self {
            Status::Ok => "ok",
            Status::Redirected => "redirected",
            Status::Broken => "broken",
            Status::Unreachable => "unreachable",
            Status::Skipped => "skipped",
            Status::Cached => "cached",
        }
    }
}

/// The result of checking one URL.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checked {
    /// What became of it.
    pub status: Status,
    /// The last HTTP status answered (after redirects), if any.
    pub http_status: Option<u16>,
    /// Where the redirects ended, when there were any.
    pub final_url: Option<String>,
    /// Where the leading permanent redirects (301, 308) lead: the URL the
    /// link should be changed to.
    pub moved_to: Option<String>,
    /// What happened, for the finding's message (`answers \`404 Not Found\``).
    pub reason: String,
    /// When it was fetched, in seconds since the Unix epoch.
    pub checked_at: u64,
}

impl Checked {
    fn skipped(reason: &str) -> Checked {
        Checked {
            status: Status::Skipped,
            http_status: None,
            final_url: None,
            moved_to: None,
            reason: reason.to_string(),
            checked_at: now(),
        }
    }
}

/// Seconds since the Unix epoch, now.
pub(crate) fn now() -> u64 {
    SystemTime::now()
        .duration_since(SystemTime::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// The URL fetched for a link, and the key of its result: the normalized
/// URL without its fragment (never sent to the server). `None`: not an
/// `http(s)` URL, so never fetched.
pub fn fetch_key(url: &str) -> Option<String> {
    let mut parsed = url::Url::parse(url).ok()?;
    if !matches!(parsed.scheme(), "http" | "https") || parsed.host_str().is_none() {
        return None;
    }
    parsed.set_fragment(None);
    Some(parsed.into())
}

/// The results of a run, and what it has to say besides.
#[derive(Debug, Default)]
pub struct Run {
    /// Each URL asked about (as given), with its result.
    pub results: HashMap<String, Checked>,
    /// Warnings for the user: a corrupt or unwritable cache.
    pub warnings: Vec<String>,
    /// How many URLs were fetched (not skipped, not cached).
    pub fetched: usize,
}

/// Checks every distinct URL of `urls` once: the excluded and non-`http(s)`
/// ones are skipped, fresh cached results reused, the rest fetched (see
/// [`Settings`]); the cache is then written back. `started(n)` is told how
/// many will be fetched, `done()` once for each as it finishes (for a
/// progress bar).
pub fn check<'a>(
    urls: impl IntoIterator<Item = &'a str>,
    settings: &Settings,
    started: &dyn Fn(usize),
    done: &(dyn Fn() + Sync),
) -> Run {
    let mut run = Run::default();
    let (mut cache, warning) = match &settings.cache {
        Some(path) => Cache::load(path),
        None => (Cache::default(), None),
    };
    run.warnings.extend(warning);
    let max_age = settings.cache_age.as_secs();
    let mut keys: HashMap<String, Option<String>> = HashMap::new();
    let mut to_fetch: Vec<String> = Vec::new();
    let mut queued: std::collections::HashSet<String> = std::collections::HashSet::new();
    let mut known: HashMap<String, Checked> = HashMap::new();
    for url in urls {
        if keys.contains_key(url) {
            continue;
        }
        let key = fetch_key(url);
        keys.insert(url.to_string(), key.clone());
        let Some(key) = key else { continue };
        if known.contains_key(&key) || queued.contains(&key) {
            continue;
        }
        if settings
            .exclude
            .iter()
            .any(|r| r.is_match(url) || r.is_match(&key))
        {
            known.insert(key, Checked::skipped("excluded by `[online] exclude`"));
        } else if let Some(hit) = cache.fresh(&key, max_age) {
            let mut hit = hit.clone();
            if hit.status == Status::Ok {
                hit.status = Status::Cached;
            }
            known.insert(key, hit);
        } else {
            queued.insert(key.clone());
            to_fetch.push(key);
        }
    }
    run.fetched = to_fetch.len();
    started(to_fetch.len());
    if !to_fetch.is_empty() {
        let fetched = fetch::fetch_all(&to_fetch, settings, done);
        for (key, result) in to_fetch.into_iter().zip(fetched) {
            cache.store(&key, &result);
            known.insert(key, result);
        }
        if let Some(path) = &settings.cache {
            cache.prune(max_age);
            if let Err(e) = cache.save(path) {
                run.warnings.push(format!(
                    "could not write the link cache `{}`: {e}",
                    path.display()
                ));
            }
        }
    }
    for (url, key) in keys {
        let result = match key.and_then(|k| known.get(&k).cloned()) {
            Some(r) => r,
            None => Checked::skipped("not an http(s) link"),
        };
        run.results.insert(url, result);
    }
    run
}

/// The finding for `link` given its result: `link-broken`,
/// `link-redirected` (with the fix to the new URL) or `link-unreachable`;
/// `None` when it is fine or was not checked.
pub fn diagnostic(link: &Link, checked: &Checked) -> Option<Diagnostic> {
    let shown = crate::links::ellipsize(&link.url, 80);
    match checked.status {
        Status::Ok | Status::Cached | Status::Skipped => None,
        Status::Broken => Some(
            Diagnostic::new(Code::LinkBroken, format!("`{shown}` {}", checked.reason))
                .at(link.span)
                .label("broken link")
                .help("link to where the page moved, or to an archived copy (https://web.archive.org/), or remove the link"),
        ),
        Status::Unreachable => Some(
            Diagnostic::new(Code::LinkUnreachable, format!("`{shown}` {}", checked.reason))
                .at(link.span)
                .label("could not be checked")
                .help("open it in a browser; if it works there, add a pattern for it to `[online] exclude` in shownotes.toml"),
        ),
        Status::Redirected => {
            let to = checked.moved_to.as_deref()?;
            let to = with_fragment(to, &link.original);
            Some(
                Diagnostic::new(
                    Code::LinkRedirected,
                    format!("`{shown}` {}", checked.reason),
                )
                .at(link.span)
                .help(format!("link to `{to}` (`shownotes check --fix` writes it)"))
                .fix(link.span, to),
            )
        }
    }
}

/// `to` with the fragment of `original` when `to` has none, as a browser
/// keeps it across a redirect (RFC 9110, section 10.2.2).
fn with_fragment(to: &str, original: &str) -> String {
    match (to.contains('#'), original.split_once('#')) {
        (false, Some((_, fragment))) if !fragment.is_empty() => format!("{to}#{fragment}"),
        _ => to.to_string(),
    }
}

#[cfg(test)]
mod tests;
