//! Links: finding URLs and e-mail addresses in text, normalizing them
//! (tracking parameters out, meaning kept), and the `link-*` checks.

use std::collections::HashMap;

use serde::Serialize;

use crate::diagnostic::{Code, Diagnostic};
use crate::source::Span;
pub use find::{find, Found};
pub(crate) use memo::{Answer, Answers, Memo};

mod find;
mod memo;

/// Where a link was found.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Kind {
    /// An item of a link list ("Learn more:", "Links:", `## Links`, ...).
    LearnMore,
    /// Anywhere else: running text, the footer.
    Text,
}

/// A link as written in the notes, with its normalized form.
#[derive(Clone, Debug, PartialEq)]
pub struct Link {
    /// As written (for e-mail addresses: the address).
    pub original: String,
    /// Normalized: tracking parameters removed, `mailto:` for e-mail.
    pub url: String,
    /// The description of a link-list item or Markdown link.
    pub text: Option<String>,
    /// Where it was found: a link list, or anywhere else.
    pub kind: Kind,
    /// Where the URL stands in the source.
    pub span: Span,
    /// Which link list it belongs to (index among the notes' lists).
    pub list: Option<usize>,
}

/// Tracking parameters removed from every link (the README's "Links"). `utm_`
/// and `_hs` are prefixes (`utm_source`, `_hsenc`, `_hsmi`).
const TRACKING_PREFIXES: &[&str] = &["utm_", "_hs"];
const TRACKING_PARAMS: &[&str] = &[
    "fbclid", "gclid", "dclid", "msclkid", "mc_cid", "mc_eid", "mkt_tok", "yclid", "twclid",
    "igshid",
];
/// `si` is a share-tracking id on YouTube and Spotify links only; elsewhere
/// it may carry meaning.
const SI_HOSTS: &[&str] = &["youtube.com", "youtu.be", "spotify.com", "spotify.link"];

/// The link rules that a show's `shownotes.toml` may extend.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Rules {
    /// Extra tracking parameters to remove (`[links] strip_params`).
    pub strip_params: Vec<String>,
}

impl Rules {
    fn is_tracking(&self, name: &str, host: &str) -> bool {
        let lower = name.to_ascii_lowercase();
        TRACKING_PREFIXES.iter().any(|p| lower.starts_with(p))
            || TRACKING_PARAMS.contains(&lower.as_str())
            || self
                .strip_params
                .iter()
                .any(|p| p.eq_ignore_ascii_case(name))
            || (lower == "si" && SI_HOSTS.iter().any(|h| host_is(host, h)))
    }
}

fn host_is(host: &str, domain: &str) -> bool {
    host.eq_ignore_ascii_case(domain)
        || (host.len() > domain.len()
            && host.to_ascii_lowercase().ends_with(domain)
            && host.as_bytes()[host.len() - domain.len() - 1] == b'.')
}

/// What normalization found out about one URL.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    /// The URL with tracking parameters removed, otherwise as written.
    pub url: String,
    /// The tracking parameters removed, by name.
    pub removed: Vec<String>,
}

/// Why a URL is not acceptable.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Problem {
    /// Does not parse as a URL (the parser's reason).
    Invalid(String),
    /// A scheme other than `http`, `https` and `mailto` (lowercase, as a
    /// browser reads it).
    UnsafeScheme(String),
    /// Written so that what a browser reads may differ from what a person
    /// sees: whitespace or control characters around or inside it, a
    /// backslash, no `//` after `http(s):`, protocol-relative, or a
    /// percent-encoded scheme (the reason).
    Disguised(&'static str),
}

impl Problem {
    /// The finding for a URL written as `original` at `span`:
    /// `link-unsafe-scheme` or `link-invalid`.
    pub fn diagnostic(&self, original: &str, span: Option<Span>) -> Diagnostic {
        let shown = ellipsize(original, 60);
        let d = match self {
            Problem::UnsafeScheme(scheme) => Diagnostic::new(
                Code::LinkUnsafeScheme,
                format!("`{shown}` uses the unsafe scheme `{scheme}:`"),
            ),
            Problem::Disguised(why) => {
                Diagnostic::new(Code::LinkUnsafeScheme, format!("`{shown}` {why}"))
            }
            Problem::Invalid(reason) => {
                return Diagnostic::new(
                    Code::LinkInvalid,
                    format!("`{shown}` is not a valid URL: {reason}"),
                )
                .at_opt(span)
                .help("check the address; a URL looks like `https://example.com/page`");
            }
        };
        d.at_opt(span)
            .label("removed from every output")
            .help("link only to `https://` pages (or `mailto:` addresses)")
    }
}

/// Whether `url` passes the [`gate`] as it is, remembered per thread:
/// `build` asks about each link of the notes again for the context and
/// for every platform's HTML, and the gate parses the URL each time.
pub fn passes_gate(url: &str) -> bool {
    if PASSED
        .try_with(|p| p.borrow().contains(url))
        .unwrap_or(false)
    {
        return true;
    }
    let ok = gate(url).is_ok();
    if ok {
        remember_passed(url);
    }
    ok
}

thread_local! {
    /// URLs known to pass the gate (see [`passes_gate`]).
    static PASSED: std::cell::RefCell<std::collections::HashSet<Box<str>>> =
        std::cell::RefCell::new(std::collections::HashSet::new());
}

/// Notes that `url` passes the gate (it did, returned as it was).
fn remember_passed(url: &str) {
    /// The most URLs kept (then they are dropped and learned again).
    const KEEP: usize = 1 << 20;
    let _ = PASSED.try_with(|p| {
        let mut p = p.borrow_mut();
        if p.len() >= KEEP {
            p.clear();
        }
        if !p.contains(url) {
            p.insert(url.into());
        }
    });
}

/// The URL gate: every URL that reaches an output passes here first.
///
/// Only `http`, `https` and `mailto` URLs pass, parsed with the WHATWG
/// rules (`url` crate), and only when written plainly, so that what a
/// person reads is what a browser follows: no whitespace at either end,
/// no control or invisible characters anywhere (browsers drop tabs and
/// newlines inside `java\tscript:`), no whitespace in the scheme, no
/// backslash (browsers read `https:\\evil` as `https://evil`), `//`
/// right after `http:` / `https:`, not protocol-relative (`//evil`), and
/// no percent-encoded scheme (`javascript%3A`). Anything else is
/// [`Problem::UnsafeScheme`] or [`Problem::Disguised`]
/// (`link-unsafe-scheme`), or [`Problem::Invalid`] (`link-invalid`) when
/// an `http(s)` URL does not parse.
///
/// Returns the URL as written, with the characters that may not stand
/// raw in a URL (space, `"`, `<`, `>`, `` ` ``) percent-encoded as the
/// WHATWG serializer does, so the result is safe in any output.
pub fn gate(written: &str) -> Result<String, Problem> {
    gate_parsed(written).map(|(url, _)| url)
}

/// [`gate`], with the URL as parsed (for its host: a URL is parsed once).
fn gate_parsed(written: &str) -> Result<(String, url::Url), Problem> {
    if written.is_empty() {
        return Err(Problem::Invalid("the URL is empty".into()));
    }
    if written
        .chars()
        .any(|c| c.is_control() || crate::text::is_invisible(c))
    {
        return Err(Problem::Disguised(
            "holds control or invisible characters, which browsers drop or hide",
        ));
    }
    if written.starts_with(char::is_whitespace) || written.ends_with(char::is_whitespace) {
        return Err(Problem::Disguised(
            "starts or ends with whitespace, which browsers drop",
        ));
    }
    if written.contains('\\') {
        return Err(Problem::Disguised(
            "holds a backslash, which browsers read as `/`",
        ));
    }
    let scheme = match written.split_once(':') {
        Some((head, _)) if is_scheme(head) => head.to_ascii_lowercase(),
        _ if written.starts_with("//") => {
            return Err(Problem::Disguised(
                "is protocol-relative (`//host`): its scheme depends on the page it lands on",
            ))
        }
        _ => {
            let revealed = reveal(written);
            return Err(match revealed.split_once(':') {
                Some((head, _)) if is_scheme(head) => Problem::Disguised(
                    "hides its scheme behind whitespace or an escape (`%3A`, `&colon;`)",
                ),
                _ => Problem::Invalid("it has no scheme (such as `https://`)".into()),
            });
        }
    };
    match scheme.as_str() {
        "http" | "https" => {
            if !written[scheme.len() + 1..].starts_with("//") {
                return Err(Problem::Disguised(
                    "has no `//` after its scheme, which browsers would make up",
                ));
            }
        }
        "mailto" => {}
        _ => return Err(Problem::UnsafeScheme(scheme)),
    }
    let parsed = url::Url::parse(written).map_err(|e| Problem::Invalid(e.to_string()))?;
    if parsed.scheme() != scheme {
        return Err(Problem::UnsafeScheme(parsed.scheme().to_string()));
    }
    if scheme != "mailto" && parsed.host_str().is_none_or(str::is_empty) {
        return Err(Problem::Invalid("it has no host".into()));
    }
    if !written.contains([' ', '"', '<', '>', '`']) {
        return Ok((written.to_string(), parsed));
    }
    let mut out = String::with_capacity(written.len() + 8);
    for c in written.chars() {
        match c {
            ' ' => out.push_str("%20"),
            '"' => out.push_str("%22"),
            '<' => out.push_str("%3C"),
            '>' => out.push_str("%3E"),
            '`' => out.push_str("%60"),
            c => out.push(c),
        }
    }
    Ok((out, parsed))
}

/// Schemes that run code or reach local data in a browser or an app.
const SCRIPT_SCHEMES: &[&str] = &[
    "javascript",
    "vbscript",
    "livescript",
    "data",
    "file",
    "blob",
    "filesystem",
    "intent",
    "view-source",
    "jar",
];

/// Whether `s` reads as a script or local URL once what browsers ignore
/// or decode is taken out (whitespace, control and invisible characters,
/// percent-escapes, case): `JavaScript:`, ` java\tscript:`,
/// `javascript%3A`, `data:`, `file:`, `blob:`, `intent:`. For strings that
/// may legitimately be something other than a URL (an RSS `guid`) but must
/// never be a script URL.
pub(crate) fn is_script_like(s: &str) -> bool {
    let bare = reveal(s);
    SCRIPT_SCHEMES.iter().any(|scheme| {
        bare.strip_prefix(scheme)
            .is_some_and(|rest| rest.starts_with(':'))
    })
}

/// What a browser may read in `s`: percent-escapes and HTML character
/// references decoded (an `href` attribute decodes `&colon;`), then
/// whitespace, control and invisible characters dropped, lowercased.
fn reveal(s: &str) -> String {
    percent_decoded(&entities_decoded(s))
        .chars()
        .filter(|&c| !c.is_whitespace() && !c.is_control() && !crate::text::is_invisible(c))
        .collect::<String>()
        .to_ascii_lowercase()
}

/// `s` with the HTML character references that can spell a scheme
/// decoded: `&#58;`, `&#x3A;` (any number), `&colon;`, `&tab;`,
/// `&newline;` (the `;` optional, as HTML allows for numbers).
fn entities_decoded(s: &str) -> String {
    if !s.contains('&') {
        return s.to_string();
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(i) = rest.find('&') {
        out.push_str(&rest[..i]);
        rest = &rest[i..];
        let mut end = rest.len().min(12);
        while !rest.is_char_boundary(end) {
            end -= 1;
        }
        let lower = rest[..end].to_ascii_lowercase();
        let named = [("&colon;", ':'), ("&tab;", '\t'), ("&newline;", '\n')]
            .into_iter()
            .find(|(n, _)| lower.starts_with(n));
        if let Some((n, c)) = named {
            out.push(c);
            rest = &rest[n.len()..];
            continue;
        }
        let (digits, radix) = match lower.strip_prefix("&#x") {
            Some(h) => (h, 16),
            None => (lower.strip_prefix("&#").unwrap_or(""), 10),
        };
        let len = digits.chars().take_while(|c| c.is_digit(radix)).count();
        let value = digits[..len.min(8)]
            .chars()
            .try_fold(0u32, |v, c| Some(v * radix + c.to_digit(radix)?));
        match value.filter(|_| len > 0).and_then(char::from_u32) {
            Some(c) => {
                out.push(c);
                let prefix = if radix == 16 { 3 } else { 2 };
                let mut used = prefix + len.min(8);
                if rest[used..].starts_with(';') {
                    used += 1;
                }
                rest = &rest[used..];
            }
            None => {
                out.push('&');
                rest = &rest[1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// `s` with every `%XX` escape decoded (invalid UTF-8 replaced).
fn percent_decoded(s: &str) -> String {
    let b = s.as_bytes();
    let mut out = Vec::with_capacity(b.len());
    let mut i = 0;
    while i < b.len() {
        let hex = |c: u8| (c as char).to_digit(16);
        match (
            b[i],
            b.get(i + 1).copied().and_then(hex),
            b.get(i + 2).copied().and_then(hex),
        ) {
            (b'%', Some(h), Some(l)) => {
                out.push((h * 16 + l) as u8);
                i += 3;
            }
            (c, _, _) => {
                out.push(c);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// `scheme = ALPHA *( ALPHA / DIGIT / "+" / "-" / "." )` (RFC 3986 §3.1).
fn is_scheme(s: &str) -> bool {
    let mut b = s.bytes();
    b.next().is_some_and(|c| c.is_ascii_alphabetic())
        && b.all(|c| c.is_ascii_alphanumeric() || matches!(c, b'+' | b'-' | b'.'))
}

/// Normalizes a URL as written: passes it through the [`gate`] (which
/// parses it with the WHATWG rules, `url` crate), then removes tracking
/// parameters from the text as written. The string is edited rather than
/// re-serialized because re-serializing changes what a link must
/// keep as written: `url` adds a `/` to a bare host, re-encodes the query, and
/// lowercases percent-escapes.
pub fn normalize(original: &str, rules: &Rules) -> Result<Normalized, Problem> {
    let (gated, parsed) = gate_parsed(original)?;
    if gated == original {
        // The normalized URL is most often this one: `build` asks the
        // gate about it again (see `passes_gate`).
        remember_passed(original);
    }
    Ok(strip(gated, &parsed, rules))
}

/// A URL that passed the gate (`gated`, as `parsed`) with its tracking
/// parameters removed from the text as written.
fn strip(gated: String, parsed: &url::Url, rules: &Rules) -> Normalized {
    if gated.len() >= 7 && gated[..7].eq_ignore_ascii_case("mailto:") {
        return Normalized {
            url: gated,
            removed: vec![],
        };
    }
    let original = gated.as_str();
    let (before_frag, frag) = match original.find('#') {
        Some(i) => original.split_at(i),
        None => (original, ""),
    };
    let Some(q) = before_frag.find('?') else {
        return Normalized {
            url: gated,
            removed: vec![],
        };
    };
    let (base, query) = (&before_frag[..q], &before_frag[q + 1..]);
    // The host, for host-specific rules, as the gate parsed it.
    let host = parsed.host_str().unwrap_or_default();
    let mut kept = Vec::new();
    let mut removed = Vec::new();
    for pair in query.split('&') {
        let name = pair.split('=').next().unwrap_or("");
        let decoded = percent_decode(name);
        if !pair.is_empty() && rules.is_tracking(&decoded, host) {
            removed.push(decoded);
        } else {
            kept.push(pair);
        }
    }
    let url = if removed.is_empty() {
        return Normalized {
            url: gated,
            removed,
        };
    } else if kept.iter().all(|p| p.is_empty()) {
        format!("{base}{frag}")
    } else {
        format!("{base}?{}{frag}", kept.join("&"))
    };
    Normalized { url, removed }
}

fn percent_decode(s: &str) -> String {
    url::form_urlencoded::parse(s.as_bytes())
        .next()
        .map(|(k, _)| k.into_owned())
        .unwrap_or_default()
}

/// The key links are de-duplicated on: the WHATWG serialization of the
/// normalized URL, so `https://a.org` and `https://A.org/` are one link.
pub(crate) fn dedup_key(url: &str) -> String {
    url::Url::parse(url).map_or_else(|_| url.to_string(), |u| u.to_string())
}

/// Builds a [`Link`] from what was written at `span`, reporting what is
/// wrong with it. Returns `None` when the URL is unusable (the diagnostics
/// say why); it then appears in no output.
pub fn make(
    original: &str,
    text: Option<String>,
    kind: Kind,
    span: Span,
    list: Option<usize>,
    rules: &Rules,
    diags: &mut Vec<Diagnostic>,
) -> Option<Link> {
    make_decoded(original, original, text, kind, span, list, rules, diags)
}

/// [`make`] for a link whose destination a reader decoded (Markdown
/// escapes, HTML entities): `original` is as written at `span`, `dest` is
/// what it means.
#[allow(clippy::too_many_arguments)]
pub fn make_decoded(
    original: &str,
    dest: &str,
    text: Option<String>,
    kind: Kind,
    span: Span,
    list: Option<usize>,
    rules: &Rules,
    diags: &mut Vec<Diagnostic>,
) -> Option<Link> {
    let written = written_form(dest);
    let normalized = normalize(&written, rules);
    make_from(
        original, &written, normalized, text, kind, span, list, diags,
    )
}

/// The URL a link to `dest` (as a reader decoded it) is normalized from:
/// `dest` without invisible characters, `mailto:` before an e-mail
/// address.
pub(crate) fn written_form(dest: &str) -> String {
    let is_email = !dest.contains(':') && dest.contains('@');
    // Invisible characters (a zero-width space pasted with a URL) never end
    // up in a URL: they are warned about where they stand
    // (`text-invisible-char`) and left out here.
    let bare: String = if crate::text::may_hold_invisible(dest) {
        dest.chars()
            .filter(|&c| !crate::text::is_invisible(c))
            .collect()
    } else {
        dest.to_string()
    };
    if is_email {
        format!("mailto:{bare}")
    } else {
        bare
    }
}

/// [`make_decoded`] for a destination whose [`written_form`] is `written`
/// and was normalized already (`normalized`).
#[allow(clippy::too_many_arguments)]
pub(crate) fn make_from(
    original: &str,
    written: &str,
    normalized: Result<Normalized, Problem>,
    text: Option<String>,
    kind: Kind,
    span: Span,
    list: Option<usize>,
    diags: &mut Vec<Diagnostic>,
) -> Option<Link> {
    match normalized {
        Ok(n) => {
            if n.url.starts_with("http://") {
                diags.push(
                    Diagnostic::new(Code::LinkInsecure, format!("`{original}` is not encrypted"))
                        .at(span)
                        .label("plain `http://`")
                        .help(format!(
                            "use `https://{}` if the site supports it",
                            written.get("http://".len()..).unwrap_or_default()
                        )),
                );
            }
            if !n.removed.is_empty() {
                diags.push(
                    Diagnostic::new(
                        Code::LinkTracking,
                        format!(
                            "`{original}` carries tracking parameter{} {}",
                            if n.removed.len() == 1 { "" } else { "s" },
                            n.removed
                                .iter()
                                .map(|r| format!("`{r}`"))
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .at(span)
                    .label("removed in every output")
                    .help(format!("write the link as `{}`", n.url)),
                );
            }
            if kind == Kind::LearnMore && text.as_deref().is_none_or(|t| t.trim().is_empty()) {
                diags.push(
                    Diagnostic::new(
                        Code::LinkNoDescription,
                        format!("the link `{original}` has no description"),
                    )
                    .at(span)
                    .help(format!(
                        "write it as `{original} — what the listener finds there`"
                    )),
                );
            }
            Some(Link {
                original: original.to_string(),
                url: n.url,
                text,
                kind,
                span,
                list,
            })
        }
        Err(problem) => {
            diags.push(problem.diagnostic(original, Some(span)));
            None
        }
    }
}

/// Reports links that appear twice in one link list (`link-duplicate`).
/// `memo` knows the keys of the URLs it normalized.
pub(crate) fn check_duplicates(links: &[Link], memo: &Memo, diags: &mut Vec<Diagnostic>) {
    let listed = links.iter().filter(|l| l.list.is_some()).count();
    let mut seen: HashMap<(usize, std::borrow::Cow<'_, str>), &Link> =
        HashMap::with_capacity(listed);
    for link in links {
        let Some(list) = link.list else { continue };
        match seen.entry((list, memo.dedup_key(&link.url))) {
            std::collections::hash_map::Entry::Occupied(first) => {
                let first = first.get();
                diags.push(
                    Diagnostic::new(
                        Code::LinkDuplicate,
                        format!("`{}` is already in this list", link.url),
                    )
                    .at(link.span)
                    .label("listed again here")
                    .help(format!(
                        "remove one of the two (the first is `{}`)",
                        first.original
                    )),
                );
            }
            std::collections::hash_map::Entry::Vacant(v) => {
                v.insert(link);
            }
        }
    }
}

pub(crate) fn ellipsize(s: &str, max: usize) -> String {
    if s.chars().count() <= max {
        s.to_string()
    } else {
        let cut: String = s.chars().take(max).collect();
        format!("{cut}…")
    }
}

#[cfg(test)]
mod tests;
