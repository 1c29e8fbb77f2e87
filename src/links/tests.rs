use super::find::{FINDER, UNSAFE_SCHEMES};
use super::*;
use linkify::LinkKind;

fn norm(s: &str) -> String {
    normalize(s, &Rules::default()).unwrap().url
}

#[test]
fn removes_only_tracking_parameters() {
    assert_eq!(
        norm("https://a.org/p?utm_source=x&id=3&fbclid=y#episode-17"),
        "https://a.org/p?id=3#episode-17"
    );
    assert_eq!(norm("https://a.org/?utm_medium=x"), "https://a.org/");
    assert_eq!(norm("https://a.org?_hsenc=1&_hsmi=2"), "https://a.org");
    assert_eq!(
        norm("https://open.spotify.com/episode/1?si=abc&t=5"),
        "https://open.spotify.com/episode/1?t=5"
    );
    assert_eq!(norm("https://youtu.be/x?si=abc"), "https://youtu.be/x");
    assert_eq!(
        norm("https://a.org/?si=abc"),
        "https://a.org/?si=abc",
        "si only on YouTube and Spotify"
    );
    let rules = Rules {
        strip_params: vec!["ref_src".into()],
    };
    assert_eq!(
        normalize("https://t.co/x?ref_src=tw&b=1", &rules)
            .unwrap()
            .url,
        "https://t.co/x?b=1"
    );
}

#[test]
fn keeps_what_carries_meaning() {
    for u in [
        "https://netstack.fm/#episode-17",
        "https://www.rfc-editor.org/rfc/rfc2616",
        "https://bal-e.org/blog/",
        "https://interlisp.org",
        "https://a.org/?b=2&a=1&c=%7E",
        "https://shop.example/?ref=podcast&promo=NETSTACK",
        "https://www.youtube.com/watch?v=7xJEFPlfy7Y",
    ] {
        assert_eq!(norm(u), u);
    }
}

#[test]
fn rejects_unsafe_and_invalid() {
    assert_eq!(
        normalize("javascript:alert(1)", &Rules::default()),
        Err(Problem::UnsafeScheme("javascript".into()))
    );
    assert!(matches!(
        normalize("data:text/html,x", &Rules::default()),
        Err(Problem::UnsafeScheme(_))
    ));
    assert!(matches!(
        normalize("https://exa mple.com", &Rules::default()),
        Err(Problem::Invalid(_))
    ));
}

#[test]
fn the_gate_lets_only_plain_http_https_and_mailto_through() {
    for ok in [
        "https://a.org",
        "HTTPS://a.org/x",
        "http://a.org/?q=1#f",
        "mailto:hello@netstack.fm",
    ] {
        assert_eq!(gate(ok).as_deref(), Ok(ok), "{ok}");
    }
    assert_eq!(
        gate("https://x.org/?q=<b> c\"").as_deref(),
        Ok("https://x.org/?q=%3Cb%3E%20c%22")
    );
    let unsafe_ = |u: &str| {
        matches!(
            gate(u),
            Err(Problem::UnsafeScheme(_) | Problem::Disguised(_))
        )
    };
    for bad in [
        "javascript:alert(1)",
        "JavaScript:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "javascript :alert(1)",
        "javascript%3Aalert(1)",
        "%6Aavascript:alert(1)",
        "javascript&colon;alert(1)",
        "&#106;avascript:alert(1)",
        "javascript&#x3A;alert(1)",
        "data:text/html,x",
        "file:///etc/passwd",
        "blob:https://a.org/x",
        "intent://x#Intent;end",
        "https:\\\\evil.org",
        "https:evil.org",
        "//evil.org",
        "https://a.org ",
        "https://a.org/\u{202E}x",
        "ftp://a.org",
    ] {
        assert!(unsafe_(bad), "{bad:?}: {:?}", gate(bad));
    }
    assert!(matches!(gate("a.org/page"), Err(Problem::Invalid(_))));
    assert!(matches!(gate(""), Err(Problem::Invalid(_))));
    assert!(matches!(gate("https://"), Err(Problem::Invalid(_))));
}

#[test]
fn script_like_strings_are_found_however_written() {
    for s in [
        "javascript:x",
        " JaVa\tScRiPt:x",
        "javascript%3Ax",
        "data:x",
        "blob:x",
        "&#x6A;avascript:x",
    ] {
        assert!(is_script_like(s), "{s:?}");
    }
    for s in [
        "urn:uuid:1b4e28ba-2fa1-11d2-883f-0016d3cca427",
        "https://a.org/ep/1",
        "netstack-17",
        "tag:netstack.fm,2025:17",
    ] {
        assert!(!is_script_like(s), "{s:?}");
    }
}

#[test]
fn finds_glued_urls_and_emails() {
    let t = "HTTP/3https://b.org/ — z";
    let f = find(t);
    assert_eq!(&t[f[0].start..f[0].end], "https://b.org/");
    let t = "Masinterhttps://a.org/x — y and mail hello@netstack.fm.";
    let f = find(t);
    assert_eq!(&t[f[0].start..f[0].end], "https://a.org/x");
    assert_eq!(&t[f[1].start..f[1].end], "hello@netstack.fm");
    assert!(f[1].email);
    let t = "(see https://a.org/x_(y)) and [z](javascript:alert(1))";
    let f = find(t);
    assert_eq!(&t[f[0].start..f[0].end], "https://a.org/x_(y)");
    assert_eq!(&t[f[1].start..f[1].end], "javascript:alert");
}

/// The quadratic `find` this crate had before issue 8 (linkify re-run
/// to the end of the text at every uncovered `http`, coverage checked
/// against every match): the one-pass `find` must agree with it.
fn find_by_rescans(text: &str) -> Vec<Found> {
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
    // linkify misses a URL glued after a digit (`HTTP/3https://`): its
    // scheme would start with a digit. Look again from each `http(s)://`.
    // (Scanned by hand: a case-insensitive regex costs more to compile than
    // a whole episode takes to check.)
    let lower = text.to_ascii_lowercase();
    for (at, _) in lower.match_indices("http") {
        let rest = &lower[at + 4..];
        if !(rest.starts_with("://") || rest.starts_with("s://")) {
            continue;
        }
        if out.iter().any(|f| f.start <= at && at < f.end) {
            continue;
        }
        if let Some(link) = FINDER.links(&text[at..]).next() {
            if link.start() == 0 {
                out.push(Found {
                    start: at,
                    end: at + link.end(),
                    email: false,
                });
            }
        }
    }
    // Unsafe schemes written without `//` (`javascript:alert(1)`).
    let b = lower.as_bytes();
    for (colon, _) in lower.match_indices(':') {
        let Some(scheme) = UNSAFE_SCHEMES.iter().find(|s| lower[..colon].ends_with(*s)) else {
            continue;
        };
        let start = colon - scheme.len();
        if start > 0 && (b[start - 1].is_ascii_alphanumeric() || b[start - 1] == b'_') {
            continue;
        }
        let len = lower[colon + 1..]
            .find(|c: char| c.is_whitespace() || "<>()[]".contains(c))
            .unwrap_or(lower.len() - colon - 1);
        if len == 0 || out.iter().any(|f| f.start <= start && start < f.end) {
            continue;
        }
        out.push(Found {
            start,
            end: colon + 1 + len,
            email: false,
        });
    }
    out.sort_by_key(|f| f.start);
    out
}

fn texts(t: &str) -> Vec<&str> {
    find(t).iter().map(|f| &t[f.start..f.end]).collect()
}

#[test]
fn one_pass_cursor_edge_cases() {
    // Adjacent links, glued links, a URL at the very end, overlaps of
    // a glued URL with what linkify found, unsafe schemes inside URLs.
    for t in [
        "https://a.org https://b.org",
        "https://a.org/x https://b.org/y",
        "(https://a.org)(https://b.org)",
        "3https://a.org/x3https://b.org/y",
        "HTTP/3https://a.org/?u=http://b.org/",
        "x3https://a.org,4http://b.org.",
        "https://a.org/ends-here",
        "mail a@b.org3https://c.org/d@e.org",
        "3https://a@b.com and 3http://x@y.org",
        "https://a.org/javascript:x data:text/html,<b> javascript:alert(1)",
        "data:data:data:",
        "xdata:no _javascript:no 1javascript:no",
        "http:// http:// https://",
        "3http://_3http://_3http://a.org/_",
        "http://a.org/\u{a0}b https://é.org/ü",
        "HTTPS://A.ORG 3HTTPS://B.ORG",
        "@http://a.org a@http://b.org \"http://c.org\"",
        "https://a.org/((((x 9https://b.org/)))",
        "",
        "http",
        "https:",
        "https://",
        "3https://",
        "3https:///x",
    ] {
        assert_eq!(find(t), find_by_rescans(t), "{t}");
    }
    // linkify takes `x3https` for a scheme (cut to `https`) while the
    // glued pass finds the whole: the two overlap, as they always did.
    assert_eq!(
        texts("3https://a.org/x3https://b.org/y"),
        ["https://a.org/x3https://b.org/y", "https://b.org/y"]
    );
    assert_eq!(
        texts("https://a.org https://b.org"),
        ["https://a.org", "https://b.org"]
    );
    assert_eq!(
        texts("x3https://a.org, 4http://b.org."),
        ["https://a.org", "http://b.org"]
    );
    assert_eq!(
        texts("x3https://a.org,4http://b.org."),
        ["https://a.org,4http://b.org"]
    );
    assert_eq!(texts("data:data:data: x"), ["data:data:data:"]);
    assert_eq!(texts("http:// http:// https://"), Vec::<&str>::new());
    assert_eq!(
        texts("3http://_3http://_3http://a.org/_"),
        ["http://a.org/_"]
    );
}

proptest::proptest! {
    #![proptest_config(proptest::prelude::ProptestConfig::with_cases(3000))]
    /// On text built from the pieces that steer the finder, the
    /// one-pass `find` gives exactly what the rescanning one gave.
    #[test]
    fn one_pass_find_agrees_with_rescans(
        parts in proptest::collection::vec(proptest::sample::select(vec![
            "http", "https", "HTTP", "://", ":", "/", "//", "a.org", "b.co", "x",
            "3", "_", "@", ".", ",", "(", ")", "[", "]", "<", ">", "\"", "'", "?",
            " ", "\t", "\n", "é", "\u{a0}", "data", "javascript", "file", ":alert",
            "mailto:", "a@b.org", "-", "|", "{", "}", "%3A", "#",
        ]), 0..40)
    ) {
        let t: String = parts.concat();
        proptest::prop_assert_eq!(find(&t), find_by_rescans(&t), "{:?}", t);
    }
}

#[test]
fn passes_gate_remembers_only_what_the_gate_passes() {
    let urls = [
        "https://a.org/x",
        "javascript:alert(1)",
        "https://a.org/?q=<b> c",
        "http://b.org",
        "mailto:x@y.org",
        "https://",
        " https://a.org",
    ];
    for _ in 0..2 {
        for u in urls {
            assert_eq!(passes_gate(u), gate(u).is_ok(), "{u}");
            // Normalizing remembers what passed unchanged.
            let _ = normalize(u, &Rules::default());
            assert_eq!(passes_gate(u), gate(u).is_ok(), "{u}");
        }
    }
}

#[test]
fn dedup_key_folds_equivalent_forms() {
    assert_eq!(dedup_key("https://A.org"), dedup_key("https://a.org/"));
    assert_ne!(dedup_key("https://a.org/#x"), dedup_key("https://a.org/"));
}
