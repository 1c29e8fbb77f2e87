//! The rules every rendered output is checked against: the size limit,
//! the allowed HTML tags and attributes, and the link schemes (the URL
//! gate of [`crate::links::gate`]). The platforms say which apply to them
//! ([`super::platform::Platform`]); these functions check them.

use std::sync::LazyLock;

use regex::Regex;

use super::platform::PlatformId;
use crate::diagnostic::{Code, Diagnostic};

/// `description-too-long` when `text` is over `max` bytes, naming the
/// platform and the excess.
pub(crate) fn check_size(
    platform: PlatformId,
    what: &str,
    text: &str,
    max: Option<usize>,
) -> Option<Diagnostic> {
    let max = max?;
    let len = text.len();
    (len > max).then(|| {
        Diagnostic::new(
            Code::DescriptionTooLong,
            format!(
                "the {platform} {what} is `{len}` bytes, `{}` bytes over the limit of `{max}`",
                len - max
            ),
        )
        .help(format!(
            "shorten the summary or the link list by `{}` bytes (or set `[platforms.{platform}] max_bytes` where the limit is unconfirmed)",
            len - max
        ))
        .platform(platform.as_str())
    })
}

static TAG: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"<(/?)([A-Za-z][A-Za-z0-9:_-]*)((?:\s+[^\s=/>]+(?:\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+))?)*)\s*(/?)>"#)
        .expect("a valid regex")
});
static ATTR: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(r#"([^\s=/>]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+)))?"#)
        .expect("a valid regex")
});

/// Whether a URL may appear in an output: it passes the URL gate
/// ([`crate::links::gate`]: `http`, `https`, `mailto` only, written plainly).
/// Remembered per thread ([`crate::links::passes_gate`]).
pub fn allowed_url(url: &str) -> bool {
    crate::links::passes_gate(url)
}

/// A tag as [`TAG`] reads it: where it is, its name, and its attributes.
struct Tag<'a> {
    start: usize,
    end: usize,
    name: &'a str,
    attrs: Attrs<'a>,
}

/// The attributes of a [`Tag`].
enum Attrs<'a> {
    /// None (`<p>`, `</a>`, `<br />`).
    None,
    /// Exactly one, `name="value"` (`<a href="...">`).
    One(&'a str, &'a str),
    /// The attribute text (the regex's third group), to read with [`ATTR`].
    Text(&'a str),
}

/// The tag at byte `at` (a `<`) when it has one of the two shapes every
/// built-in template writes — `<name>`, `</name>`, `<name />` and
/// `<name attr="value">`, with ASCII blanks — read without the regex.
/// For these shapes [`TAG`] can match only one way (each part is the
/// longest run of its class, and the quoted value ends at the first `"`),
/// so the result is the regex's; anything else is `None` and left to it.
///
/// This is the hot path of `build`: a capture search of [`TAG`] costs
/// thousands of instructions per tag (a bounded backtracker over a
/// Unicode NFA), and an output holds a tag or two per line of notes.
fn simple_tag(html: &str, at: usize) -> Option<Tag<'_>> {
    let b = html.as_bytes();
    let mut i = at + 1;
    if b.get(i) == Some(&b'/') {
        i += 1;
    }
    let name_start = i;
    if !b.get(i)?.is_ascii_alphabetic() {
        return None;
    }
    while b
        .get(i)
        .is_some_and(|&c| c.is_ascii_alphanumeric() || matches!(c, b':' | b'_' | b'-'))
    {
        i += 1;
    }
    let name = &html[name_start..i];
    let blanks = |mut i: usize| {
        while b.get(i) == Some(&b' ') {
            i += 1;
        }
        i
    };
    let j = blanks(i);
    // `<name>`, `<name >`, `<name/>`, `<name />`.
    let k = if b.get(j) == Some(&b'/') { j + 1 } else { j };
    if b.get(k) == Some(&b'>') {
        return Some(Tag {
            start: at,
            end: k + 1,
            name,
            attrs: Attrs::None,
        });
    }
    // `<name attr="value">`: one or more blanks, an ASCII-letter name,
    // `="`, a value without `"`, `">`.
    if j == i {
        return None;
    }
    let attr_start = j;
    let mut k = j;
    while b.get(k).is_some_and(u8::is_ascii_alphabetic) {
        k += 1;
    }
    if k == attr_start || b.get(k..k + 2) != Some(b"=\"") {
        return None;
    }
    let value_start = k + 2;
    let close = value_start + html[value_start..].find('"')?;
    if b.get(close + 1) != Some(&b'>') {
        return None;
    }
    Some(Tag {
        start: at,
        end: close + 2,
        name,
        attrs: Attrs::One(&html[attr_start..k], &html[value_start..close]),
    })
}

/// The next tag [`TAG`] finds at or after byte `from`, the first `<` at
/// or after `from` being at `lt`.
fn next_tag(html: &str, from: usize) -> Option<Tag<'_>> {
    let lt = from + memchr::memchr(b'<', &html.as_bytes()[from..])?;
    if let Some(t) = simple_tag(html, lt) {
        return Some(t);
    }
    // No match can start before `lt` (a match starts with `<`), so the
    // regex's next match from `lt` is its next match from `from`.
    let m = TAG.captures_at(html, lt)?;
    let whole = m.get(0)?;
    Some(Tag {
        start: whole.start(),
        end: whole.end(),
        name: m.get(2)?.as_str(),
        attrs: Attrs::Text(m.get(3).map_or("", |a| a.as_str())),
    })
}

/// `s` in ASCII lower case, borrowed when it already is.
fn lower(s: &str) -> std::borrow::Cow<'_, str> {
    if s.bytes().any(|b| b.is_ascii_uppercase()) {
        std::borrow::Cow::Owned(s.to_ascii_lowercase())
    } else {
        std::borrow::Cow::Borrowed(s)
    }
}

/// Checks attribute `attr="value"` of an allowed tag `name` (lower case):
/// only `href`, only on `<a>`, only to a URL that passes the URL gate.
fn check_attr(name: &str, attr: &str, value: &str, bad: &mut dyn FnMut(String)) {
    let attr = lower(attr);
    if name != "a" || attr != "href" {
        bad(format!(
            "the output holds the attribute `{attr}` on `<{name}>`"
        ));
        return;
    }
    let value = match value.contains('&') {
        true => std::borrow::Cow::Owned(value.replace("&amp;", "&")),
        false => std::borrow::Cow::Borrowed(value),
    };
    if !allowed_url(&value) {
        bad(format!(
            "the output links to `{value}`, not an http, https or mailto URL"
        ));
    }
}

/// The names (lower case) of the tags in `html` that `allowed` does not
/// list, each once, in order.
pub(crate) fn forbidden_tags(html: &str, allowed: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut covered = 0;
    while let Some(tag) = next_tag(html, covered) {
        covered = tag.end;
        let name = lower(tag.name);
        if !allowed.contains(&name.as_ref()) && !out.iter().any(|n| *n == name) {
            out.push(name.into_owned());
        }
    }
    out
}

/// Checks an HTML output against the platform's allowed tags: every tag
/// in the list, `href` the only attribute (on `<a>`), and only `http`,
/// `https` and `mailto` links. A `<` that does not start a tag is an
/// error too (the escaper never leaves one; a template might).
pub(crate) fn check_html(platform: PlatformId, html: &str, allowed: &[&str]) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    let mut bad = |what: String| {
        out.push(
            Diagnostic::new(Code::DescriptionForbiddenTag, what)
                .help(format!(
                    "{platform} allows only {}; check the `{platform}` template",
                    allowed
                        .iter()
                        .map(|t| format!("`<{t}>`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
                .platform(platform.as_str()),
        );
    };
    let mut covered = 0;
    // Each forbidden tag is reported once (not again at its end tag).
    let mut reported: Vec<String> = Vec::new();
    // The regex's matches in order (`TAG.captures_iter`), most read by
    // `simple_tag`.
    while let Some(tag) = next_tag(html, covered) {
        if html[covered..tag.start].contains('<') {
            bad("the output holds a `<` that starts no tag".into());
        }
        covered = tag.end;
        let name = lower(tag.name);
        if !allowed.contains(&name.as_ref()) {
            if !reported.iter().any(|r| *r == name) {
                bad(format!("the output holds the tag `<{name}>`"));
                reported.push(name.into_owned());
            }
            continue;
        }
        match tag.attrs {
            Attrs::None => {}
            Attrs::One(attr, value) => check_attr(&name, attr, value, &mut bad),
            Attrs::Text(text) => {
                for a in ATTR.captures_iter(text) {
                    let value = a
                        .get(2)
                        .or(a.get(3))
                        .or(a.get(4))
                        .map_or("", |v| v.as_str());
                    check_attr(&name, &a[1], value, &mut bad);
                }
            }
        }
    }
    if html[covered..].contains('<') {
        bad("the output holds a `<` that starts no tag".into());
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::publish::platform::{apple, spotify};

    #[test]
    fn html_checks_find_tags_attributes_and_schemes() {
        let ok = "<p>a <a href=\"https://x.org/?a=1&amp;b=2\">x</a><br /></p><ul><li>y</li></ul>";
        assert!(check_html(PlatformId::Spotify, ok, spotify::TAGS).is_empty());
        let codes = |h: &str| check_html(PlatformId::Apple, h, apple::TAGS).len();
        assert_eq!(codes("<p>x<br /></p>"), 1);
        // A forbidden tag is reported once, not again at its end tag.
        assert_eq!(codes("<script>x</script>"), 1);
        assert_eq!(codes("<b>x</b> <b>y</b> <i>z</i>"), 2);
        assert_eq!(
            forbidden_tags("<b>x</b><p><I>y</i></p>", apple::TAGS),
            ["b", "i"]
        );
        assert_eq!(codes("<a href=\"javascript:alert(1)\">x</a>"), 1);
        assert_eq!(codes("<a onclick=\"x\" href=\"https://a\">x</a>"), 1);
        assert_eq!(codes("<p>1 < 2</p>"), 1);
    }

    /// `check_html` as it was, all by the regexes: the reference for the
    /// fast path.
    fn check_html_by_regex(html: &str, allowed: &[&str]) -> Vec<String> {
        let mut out = Vec::new();
        let mut covered = 0;
        for m in TAG.captures_iter(html) {
            let whole = m.get(0).unwrap();
            if html[covered..whole.start()].contains('<') {
                out.push("the output holds a `<` that starts no tag".to_string());
            }
            covered = whole.end();
            let name = m[2].to_ascii_lowercase();
            if !allowed.contains(&name.as_str()) {
                let m = format!("the output holds the tag `<{name}>`");
                if !out.contains(&m) {
                    out.push(m);
                }
                continue;
            }
            for a in ATTR.captures_iter(&m[3]) {
                let attr = a[1].to_ascii_lowercase();
                if name != "a" || attr != "href" {
                    out.push(format!(
                        "the output holds the attribute `{attr}` on `<{name}>`"
                    ));
                    continue;
                }
                let value = a
                    .get(2)
                    .or(a.get(3))
                    .or(a.get(4))
                    .map_or("", |v| v.as_str());
                let value = value.replace("&amp;", "&");
                if !allowed_url(&value) {
                    out.push(format!(
                        "the output links to `{value}`, not an http, https or mailto URL"
                    ));
                }
            }
        }
        if html[covered..].contains('<') {
            out.push("the output holds a `<` that starts no tag".to_string());
        }
        out
    }

    fn messages(html: &str) -> Vec<String> {
        check_html(PlatformId::Spotify, html, spotify::TAGS)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn tags_read_without_the_regex_are_read_as_the_regex_reads_them() {
        for html in [
            "<p>a <a href=\"https://x.org/?a=1&amp;b=2\">x</a><br /></p>",
            "<a href=\"https://x.org\"y>z</a><a href=\"javascript:x\">",
            "<A HREF=\"https://x.org\">x</A><br/><br ><BR  /><p\u{a0}>",
            "<a href=\"a>b\">x</a><a  href=\"https://x.org\"><a href=\"x",
            "<a href='https://x.org'><a href=https://x.org><a href = \"x\">",
            "<a title=\"x\"><a data-x=\"y\"><a href=\"\"><a href=\"x\" />",
            "<p x><p/x><//p><1p><a:b-c_d>< p><p\n><a\thref=\"https://x.org\">",
            "a < b <p>c</p> d > e <",
        ] {
            assert_eq!(
                messages(html),
                check_html_by_regex(html, spotify::TAGS),
                "{html}"
            );
        }
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
        #[test]
        fn the_fast_tag_path_agrees_with_the_regex(
            html in "([<>/=\"' \u{a0}\tahrefAHpbBR:_x-]|https://x\\.org|&amp;|javascript:|<a href=\"|\">|</a>|<br />|<p>){0,40}"
        ) {
            proptest::prop_assert_eq!(messages(&html), check_html_by_regex(&html, spotify::TAGS));
        }
    }

    #[test]
    fn sizes_are_checked_in_bytes() {
        assert!(check_size(PlatformId::Youtube, "description", "é", Some(2)).is_none());
        let d = check_size(PlatformId::Youtube, "description", "éé", Some(3)).unwrap();
        assert!(d.message.contains("`1` bytes over"), "{}", d.message);
        assert_eq!(d.platform, Some("youtube"));
    }
}
