//! The rules every rendered output is checked against: the size limit,
//! the allowed HTML tags and attributes, and the link schemes (the URL
//! gate of [`crate::links::gate`]). The platforms say which apply to them
//! ([`super::platform::Platform`]); these functions check them.

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

/// Whether a URL may appear in an output: it passes the URL gate
/// ([`crate::links::gate`]: `http`, `https`, `mailto` only, written plainly).
/// Remembered per thread ([`crate::links::passes_gate`]).
pub fn allowed_url(url: &str) -> bool {
    crate::links::passes_gate(url)
}

/// A piece of an output's markup, as the HTML5 tokenizer (html5gum)
/// reads it. Names are in lower case (the tokenizer lowercases them).
#[derive(Debug, PartialEq)]
enum Markup<'a> {
    /// A start tag (`end: false`) or an end tag.
    Tag { name: &'a str, end: bool },
    /// An attribute of the start tag read last, its value decoded
    /// (`&amp;` is `&`); empty when it has none.
    Attribute { name: &'a str, value: &'a str },
    /// A `<` in text: it starts no tag.
    StrayLt,
    /// A comment, a doctype, or what the tokenizer reads as one (`<!x>`,
    /// `<?x>`, `</ p>`), as written.
    Other(&'a str),
    /// The output ends inside a tag.
    Unclosed,
}

/// Reads `html` with the HTML5 tokenizer and hands each piece of markup
/// to `sink`, in order. The tokenizer's callback emitter lends names and
/// values from its buffers: nothing is allocated per tag.
fn scan(html: &str, mut sink: impl FnMut(Markup<'_>)) {
    use html5gum::emitters::callback::{CallbackEmitter, CallbackEvent};
    use html5gum::Tokenizer;

    fn text(b: &[u8]) -> std::borrow::Cow<'_, str> {
        String::from_utf8_lossy(b)
    }
    // The attribute being read: its name and its value so far (a value
    // may come in pieces), in buffers kept from tag to tag.
    let (mut name, mut value) = (Vec::new(), Vec::new());
    let mut open = false;
    let mut in_tag = false;
    let end_attr =
        |open: &mut bool, name: &[u8], value: &[u8], sink: &mut dyn FnMut(Markup<'_>)| {
            if std::mem::take(open) {
                sink(Markup::Attribute {
                    name: &text(name),
                    value: &text(value),
                });
            }
        };
    let emitter = CallbackEmitter::new(|event: CallbackEvent<'_>, span: html5gum::Span<usize>| {
        match event {
            CallbackEvent::OpenStartTag { name } => {
                in_tag = true;
                sink(Markup::Tag {
                    name: &text(name),
                    end: false,
                });
            }
            CallbackEvent::AttributeName { name: n } => {
                end_attr(&mut open, &name, &value, &mut sink);
                open = true;
                name.clear();
                name.extend_from_slice(n);
                value.clear();
            }
            CallbackEvent::AttributeValue { value: v } => value.extend_from_slice(v),
            CallbackEvent::CloseStartTag { .. } => {
                end_attr(&mut open, &name, &value, &mut sink);
                in_tag = false;
            }
            CallbackEvent::EndTag { name } => sink(Markup::Tag {
                name: &text(name),
                end: true,
            }),
            CallbackEvent::String { .. } => {
                // Text written as `&lt;` is decoded to `<`: only a `<`
                // written as it is, in the text's own span, starts no tag.
                let raw = html.get(span.start..span.end).unwrap_or_default();
                if memchr::memchr(b'<', raw.as_bytes()).is_some() {
                    sink(Markup::StrayLt);
                }
            }
            CallbackEvent::Comment { .. } | CallbackEvent::Doctype { .. } => {
                sink(Markup::Other(
                    html.get(span.start..span.end).unwrap_or_default(),
                ));
            }
            CallbackEvent::Error(_) => {}
        }
        None::<std::convert::Infallible>
    });
    for _ in Tokenizer::new_with_emitter(html, crate::notes::html::Quiet(emitter)) {}
    if in_tag {
        sink(Markup::Unclosed);
    }
}

/// Checks attribute `attr="value"` (`value` decoded) of an allowed tag
/// `name`: only `href`, only on `<a>`, only to a URL that passes the URL
/// gate.
fn check_attr(name: &str, attr: &str, value: &str, bad: &mut dyn FnMut(String)) {
    if name != "a" || attr != "href" {
        bad(format!(
            "the output holds the attribute `{attr}` on `<{name}>`"
        ));
        return;
    }
    if !allowed_url(value) {
        bad(format!(
            "the output links to `{value}`, not an http, https or mailto URL"
        ));
    }
}

/// The names (lower case) of the tags in `html` that `allowed` does not
/// list, each once, in order.
pub(crate) fn forbidden_tags(html: &str, allowed: &[&str]) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    scan(html, |m| {
        if let Markup::Tag { name, .. } = m {
            if !allowed.contains(&name) && !out.iter().any(|n| n == name) {
                out.push(name.to_string());
            }
        }
    });
    out
}

/// Checks an HTML output against the platform's allowed tags: every tag
/// in the list, `href` the only attribute (on `<a>`), and only `http`,
/// `https` and `mailto` links. A `<` that does not start a tag, a
/// comment or a doctype, and an output that ends inside a tag are
/// errors too (the escaper never leaves one; a template might).
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
    // Each forbidden tag is reported once (not again at its end tag), and
    // so is a stray `<`.
    let mut reported: Vec<String> = Vec::new();
    let mut stray = false;
    // The start tag read last, when its attributes are to be checked.
    let mut checking: Option<&str> = None;
    scan(html, |m| match m {
        Markup::Tag { name, end } => {
            let known = allowed.iter().find(|t| **t == name);
            checking = known.filter(|_| !end).copied();
            if known.is_none() && !reported.iter().any(|r| r == name) {
                bad(format!("the output holds the tag `<{name}>`"));
                reported.push(name.to_string());
            }
        }
        Markup::Attribute { name, value } => {
            if let Some(tag) = checking {
                check_attr(tag, name, value, &mut bad);
            }
        }
        Markup::StrayLt => {
            if !std::mem::replace(&mut stray, true) {
                bad("the output holds a `<` that starts no tag".into());
            }
        }
        Markup::Other(written) => {
            // Shown whole up to 40 characters (a comment may be long).
            let shown: String = match written.char_indices().nth(40) {
                Some((i, _)) => format!("{}…", &written[..i]),
                None => written.to_string(),
            };
            bad(format!("the output holds `{shown}`, which is no tag"));
        }
        Markup::Unclosed => bad("the output ends inside a tag".into()),
    });
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

    fn messages(html: &str) -> Vec<String> {
        check_html(PlatformId::Spotify, html, spotify::TAGS)
            .into_iter()
            .map(|d| d.message)
            .collect()
    }

    #[test]
    fn markup_is_read_as_an_html5_tokenizer_reads_it() {
        // Entities are decoded in attribute values; names are lowercased;
        // unquoted and single-quoted values are values.
        assert!(messages("<A HREF='https://x.org/?a=1&amp;b=2'>x</A><BR/><p>y</p>").is_empty());
        assert!(messages("<a href=https://x.org>x</a>").is_empty());
        assert_eq!(
            messages("<a href=\"java&#115;cript:x\">x</a>"),
            ["the output links to `javascript:x`, not an http, https or mailto URL"]
        );
        // An attribute without a value, and one on an end tag (ignored,
        // as a browser ignores it).
        assert_eq!(
            messages("<p hidden>x</p x=\"y\">"),
            ["the output holds the attribute `hidden` on `<p>`"]
        );
        assert_eq!(
            messages("<a href>x</a>"),
            ["the output links to ``, not an http, https or mailto URL"]
        );
        // Escaped `<` is text; a `<` written as it is starts no tag (once
        // reported); so does `< p>`.
        assert!(messages("<p>1 &lt; 2</p>").is_empty());
        assert_eq!(
            messages("<p>1 < 2 < 3</p>< p>"),
            ["the output holds a `<` that starts no tag"]
        );
        // Comments, doctypes, `</ p>`, `<?x>`: no tag.
        assert_eq!(
            messages("<!-- note --><p>x</p>"),
            ["the output holds `<!-- note -->`, which is no tag"]
        );
        assert_eq!(messages("<!DOCTYPE html></ p><?x>").len(), 3);
        let long = format!("<!--{}-->", "x".repeat(60));
        assert_eq!(
            messages(&long),
            [format!(
                "the output holds `<!--{}…`, which is no tag",
                "x".repeat(36)
            )]
        );
        // An output that stops inside a tag.
        assert_eq!(
            messages("<p>x</p><a href=\"https://x.org"),
            ["the output ends inside a tag"]
        );
        // A forbidden tag's attributes are not reported besides it.
        assert_eq!(
            messages("<img src=\"x\" onerror=\"y\">"),
            ["the output holds the tag `<img>`"]
        );
    }

    proptest::proptest! {
        #![proptest_config(proptest::prelude::ProptestConfig::with_cases(2000))]
        /// Text escaped as the templates escape it, in the tags the
        /// platform allows, is never a finding; the same with a `<` left
        /// in always is.
        #[test]
        fn escaped_text_passes_and_a_raw_lt_never_does(
            text in "[^\u{0}]{0,40}",
            at in 0usize..40,
        ) {
            let escaped = crate::publish::escape::escape_xml(&text);
            let html = format!("<p>{escaped}<br /><a href=\"https://x.org/\">{escaped}</a></p>");
            proptest::prop_assert!(messages(&html).is_empty(), "{}", html);
            let at = escaped.char_indices().map(|(i, _)| i).nth(at).unwrap_or(escaped.len());
            let raw = format!("<p>{}< {}</p>", &escaped[..at], &escaped[at..]);
            proptest::prop_assert_eq!(
                messages(&raw),
                vec!["the output holds a `<` that starts no tag".to_string()]
            );
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
