//! The link cache: each fetched URL's result and when it was fetched, kept
//! in a JSON file between runs so a CI job re-checks only new or stale
//! links.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use super::{now, Checked, Status};

/// The cache file's layout version; a file of another version is ignored.
const VERSION: u32 = 1;

/// Results by fetch key ([`super::fetch_key`]).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq)]
pub struct Cache {
    version: u32,
    links: BTreeMap<String, Checked>,
}

impl Cache {
    /// Reads the cache at `path`. A missing file is an empty cache; one
    /// that cannot be read or parsed is ignored, with the warning to show.
    pub fn load(path: &Path) -> (Cache, Option<String>) {
        let empty = Cache {
            version: VERSION,
            links: BTreeMap::new(),
        };
        let bytes = match crate::regular::read_input(path) {
            Ok(b) => b,
            Err(_) if !path.exists() => return (empty, None),
            Err(e) => {
                return (
                    empty,
                    Some(format!(
                        "ignoring the link cache: {e}; every link is fetched again"
                    )),
                )
            }
        };
        match serde_json::from_slice::<Cache>(&bytes) {
            Ok(c) if c.version == VERSION => (c, None),
            Ok(c) => (
                empty,
                Some(format!(
                    "ignoring the link cache `{}`: it is of version {}, not {VERSION}; every link is fetched again",
                    path.display(),
                    c.version
                )),
            ),
            Err(e) => (
                empty,
                Some(format!(
                    "ignoring the link cache `{}`: it is not a cache file ({e}); every link is fetched again, and the file rewritten",
                    path.display()
                )),
            ),
        }
    }

    /// The result for `key` fetched at most `max_age` seconds ago.
    pub fn fresh(&self, key: &str, max_age: u64) -> Option<&Checked> {
        let c = self.links.get(key)?;
        let now = now();
        // A time in the future (a clock set back) is not trusted.
        (c.checked_at <= now && now - c.checked_at < max_age).then_some(c)
    }

    /// Keeps `result` for `key`. Unreachable results are passing trouble
    /// (a timeout, a server error) and are fetched again next run, so
    /// they are not kept; skipped ones were never fetched.
    pub fn store(&mut self, key: &str, result: &Checked) {
        match result.status {
            Status::Unreachable | Status::Skipped | Status::Cached => {
                self.links.remove(key);
            }
            Status::Ok | Status::Redirected | Status::Broken => {
                self.links.insert(key.to_string(), result.clone());
            }
        }
    }

    /// Drops the entries older than `max_age` seconds.
    pub fn prune(&mut self, max_age: u64) {
        let now = now();
        self.links
            .retain(|_, c| c.checked_at <= now && now - c.checked_at < max_age);
    }

    /// Writes the cache to `path` atomically.
    pub fn save(&self, path: &Path) -> Result<(), crate::error::Error> {
        let mut json = serde_json::to_vec_pretty(self).unwrap_or_default();
        json.push(b'\n');
        crate::write::write_atomic(path, &json)
    }
}
