//! Finding URLs and e-mail addresses in running text, in one linear pass.

use std::sync::LazyLock;

use linkify::{LinkFinder, LinkKind};

/// Schemes that run code or read local files: never a show-notes link.
pub(super) const UNSAFE_SCHEMES: &[&str] = &["javascript", "data", "vbscript", "file"];

pub(super) static FINDER: LazyLock<LinkFinder> = LazyLock::new(|| {
    let mut f = LinkFinder::new();
    f.kinds(&[LinkKind::Url, LinkKind::Email]);
    f
});

/// A URL or e-mail address found in text: byte range and whether it is an
/// e-mail address.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Found {
    /// Byte offset where it starts.
    pub start: usize,
    /// Byte offset just past its end.
    pub end: usize,
    /// Whether it is an e-mail address rather than a URL.
    pub email: bool,
}

/// Finds URLs (`scheme://...`) and e-mail addresses in running text.
///
/// linkify finds them and handles trailing punctuation and brackets well,
/// but takes a word glued before the scheme as part of it
/// (`Masinterhttps://x` has scheme `Masinterhttps`): such a match is cut to
/// start at its `http://` / `https://`. Unsafe schemes written as
/// `javascript:...` (no `//`) are found as well, so they can be reported.
///
/// Linear in the length of `text`: linkify runs once over the text; the
/// two passes after it walk their positions left to right and ask "is this
/// already covered?" of a [`Coverage`] cursor, and every look-ahead (to the
/// end of a word, of a URL's host) is cached, so no byte is scanned again
/// and again.
pub fn find(text: &str) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for link in FINDER.links(text) {
        let mut start = link.start();
        let s = link.as_str();
        let email = *link.kind() == LinkKind::Email;
        if !email {
            if let Some(sep) = s.find("://") {
                let scheme = &s[..sep].to_ascii_lowercase();
                for known in ["https", "http"] {
                    if scheme.len() > known.len() && scheme.ends_with(known) {
                        start += sep - known.len();
                        break;
                    }
                }
            }
        }
        out.push(Found {
            start,
            end: link.end(),
            email,
        });
    }
    // linkify's matches are in order.
    let mut covered = Coverage::new(out.len());
    // linkify misses a URL glued after a digit (`HTTP/3https://`): its
    // scheme would start with a digit. Look again from each `http(s)://`
    // that no match covers. (Scanned by hand: a case-insensitive regex
    // costs more to compile than a whole episode takes to check.)
    let lower = text.to_ascii_lowercase();
    let b = lower.as_bytes();
    let mut word_end = WordEnd::default();
    let mut glued = Vec::new();
    for (at, _) in lower.match_indices("http") {
        let rest = &lower[at + 4..];
        let sep = if rest.starts_with("://") {
            at + 4
        } else if rest.starts_with("s://") {
            at + 5
        } else {
            continue;
        };
        if covered.covers(&out, at) {
            continue;
        }
        if let Some(end) = glued_url(text, at, sep, word_end.from(b, at)) {
            let f = Found {
                start: at,
                end,
                email: false,
            };
            covered.add(f);
            glued.push(f);
        }
    }
    out.extend(glued);
    // Unsafe schemes written without `//` (`javascript:alert(1)`), where
    // nothing found so far covers them.
    let mut prior = out.clone();
    prior.sort_by_key(|f| f.start);
    let mut covered = Coverage::new(prior.len());
    let mut unsafe_end = UnsafeEnd::default();
    let mut unsafe_found = Vec::new();
    for (colon, _) in lower.match_indices(':') {
        let Some(scheme) = UNSAFE_SCHEMES.iter().find(|s| lower[..colon].ends_with(*s)) else {
            continue;
        };
        let start = colon - scheme.len();
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        let len = unsafe_end.from(&lower, colon + 1) - colon - 1;
        // Starts grow with the colons (a scheme holds no `:`), as the
        // cursor needs.
        if len == 0 || covered.covers(&prior, start) {
            continue;
        }
        let f = Found {
            start,
            end: colon + 1 + len,
            email: false,
        };
        covered.add(f);
        unsafe_found.push(f);
    }
    out.extend(unsafe_found);
    out.sort_by_key(|f| f.start);
    out
}

/// Whether a position lies inside a match, for positions asked in
/// increasing order: a cursor over matches sorted by start, plus the
/// matches added since. Every match added starts at or before the position
/// it was found at, so the furthest end of all passed is all it keeps.
struct Coverage {
    /// How many of the matches given to [`Coverage::covers`] to use.
    sorted: usize,
    /// The matches before `next` start at or before the last position
    /// asked about.
    next: usize,
    /// The furthest end of the matches passed and added.
    reach: usize,
}

impl Coverage {
    fn new(sorted: usize) -> Self {
        Coverage {
            sorted,
            next: 0,
            reach: 0,
        }
    }

    /// Whether `at` lies in a match: `any(|f| f.start <= at && at < f.end)`
    /// over the first `sorted` of `found` (sorted by start) and those added.
    /// `at` must not decrease from one call to the next.
    fn covers(&mut self, found: &[Found], at: usize) -> bool {
        while self.next < self.sorted && found[self.next].start <= at {
            self.reach = self.reach.max(found[self.next].end);
            self.next += 1;
        }
        at < self.reach
    }

    /// A match found at a position already asked about.
    fn add(&mut self, f: Found) {
        self.reach = self.reach.max(f.end);
    }
}

/// Where the word at a position ends: the first byte at or after it that
/// is ASCII white space or a control character, where linkify ends every
/// URL. Cached, so asking for positions in increasing order is linear.
#[derive(Default)]
struct WordEnd {
    end: usize,
}

impl WordEnd {
    fn from(&mut self, b: &[u8], at: usize) -> usize {
        if at >= self.end {
            self.end = b[at..]
                .iter()
                .position(|&c| c <= b' ')
                .map_or(b.len(), |i| at + i);
        }
        self.end
    }
}

/// Where an unsafe-scheme link written without `//` ends: at white space
/// or one of `<>()[]`. Cached like [`WordEnd`].
#[derive(Default)]
struct UnsafeEnd {
    end: usize,
}

impl UnsafeEnd {
    fn from(&mut self, lower: &str, at: usize) -> usize {
        if at > self.end {
            self.end = lower[at..]
                .find(|c: char| c.is_whitespace() || "<>()[]".contains(c))
                .map_or(lower.len(), |i| at + i);
        }
        self.end
    }
}

/// The end of the URL linkify finds starting exactly at `at` (an `http` or
/// `https` whose `:` is at `sep`), in `text[at..word_end]`; `None` when
/// the first thing linkify finds there starts later or nothing is found.
///
/// Equal to running linkify on `text[at..]`: its URLs end at the white
/// space or control character that ends the word. And linear: linkify is
/// first run on the text up to the first `/` after the `://` (inclusive),
/// where it decides whether the URL's host is valid; only when it is,
/// linkify runs to the end of the word, and then stops at that URL. Were
/// it run to the end of the word at every miss, a word of glued misses
/// (`1http://_2http://_...`) would take quadratic time.
fn glued_url(text: &str, at: usize, sep: usize, word_end: usize) -> Option<usize> {
    let after = sep + 3;
    let probe_end = text.as_bytes()[after.min(word_end)..word_end]
        .iter()
        .position(|&c| c == b'/')
        .map_or(word_end, |i| after + i + 1);
    let first = |end: usize| FINDER.links(&text[at..end]).next();
    first(probe_end).filter(|l| l.start() == 0)?;
    first(word_end)
        .filter(|l| l.start() == 0)
        .map(|l| at + l.end())
}
