//! Every XML output is parsed before it is written: a template that
//! prints unescaped text (`|safe`) can't produce a file that is not
//! well-formed. The rules are XML 1.0 (W3C, fifth edition) and Namespaces
//! in XML 1.0: one root element, tags that nest and match, attributes
//! that are unique and quoted without `<`, references that are the five
//! predefined entities or characters XML allows, every prefix declared.

use quick_xml::events::{BytesRef, BytesStart, Event};
use quick_xml::name::{NamespaceResolver, ResolveResult};
use quick_xml::reader::NsReader;

use crate::error::{Error, ErrorKind};
use crate::source::Span;

/// Where an output is not well-formed (the error's span: an empty range
/// at the byte offset in the output), and what is wrong.
fn xml_error(offset: usize, message: String) -> Error {
    Error::new(ErrorKind::Template, message).with_span(Span::new(offset, offset))
}

/// Characters XML 1.0 allows (production `Char`).
fn xml_char(c: char) -> bool {
    matches!(c, '\t' | '\n' | '\r' | '\u{20}'..='\u{D7FF}' | '\u{E000}'..='\u{FFFD}' | '\u{10000}'..)
}

/// Checks the attributes of element `name`: each well-formed, without
/// `<`, with references XML allows, its prefix declared.
fn check_attributes(
    e: &BytesStart<'_>,
    name: &str,
    resolver: &NamespaceResolver,
) -> Result<(), String> {
    for a in e.attributes() {
        let a = a.map_err(|err| format!("in `<{name}>`: {err}"))?;
        let key = String::from_utf8_lossy(a.key.as_ref()).into_owned();
        let raw = String::from_utf8_lossy(&a.value).into_owned();
        if raw.contains('<') {
            return Err(format!("the attribute `{key}` of `<{name}>` holds a `<`"));
        }
        if let Err(err) = quick_xml::escape::unescape(&raw) {
            return Err(format!("the attribute `{key}` of `<{name}>`: {err}"));
        }
        if let (ResolveResult::Unknown(p), _) = resolver.resolve_attribute(a.key) {
            return Err(format!(
                "the prefix `{}` of the attribute `{key}` is not declared",
                String::from_utf8_lossy(&p)
            ));
        }
    }
    Ok(())
}

/// Checks a reference in text: a character XML allows, or one of the five
/// predefined entities.
fn check_reference(g: &BytesRef<'_>) -> Result<(), String> {
    let name = String::from_utf8_lossy(g).into_owned();
    if g.is_char_ref() {
        match g.resolve_char_ref() {
            Ok(Some(c)) if xml_char(c) => Ok(()),
            _ => Err(format!("`&{name};` is not a character XML allows")),
        }
    } else if !matches!(name.as_str(), "amp" | "lt" | "gt" | "quot" | "apos") {
        Err(format!(
            "`&{name};` is not an XML entity (only `&amp;`, `&lt;`, `&gt;`, `&quot;` and `&apos;` are)"
        ))
    } else {
        Ok(())
    }
}

/// Checks that `xml` is one well-formed, namespace-well-formed element
/// (an optional XML declaration, comments and processing instructions
/// around it).
pub(crate) fn check(xml: &str) -> Result<(), Error> {
    if let Some((i, c)) = xml.char_indices().find(|&(_, c)| !xml_char(c)) {
        return Err(xml_error(
            i,
            format!("the character U+{:04X} is not allowed in XML", u32::from(c)),
        ));
    }
    let mut r = NsReader::from_str(xml);
    {
        let cfg = r.config_mut();
        cfg.check_end_names = true;
        cfg.check_comments = true;
        cfg.allow_unmatched_ends = false;
        cfg.allow_dangling_amp = false;
    }
    let mut depth = 0usize;
    let mut roots = 0usize;
    let mut open: Vec<String> = Vec::new();
    loop {
        let before = r.buffer_position() as usize;
        let fail = |message: String| xml_error(before, message);
        let (ns, event) = match r.read_resolved_event() {
            Ok(x) => x,
            Err(e) => return Err(xml_error(r.error_position() as usize, e.to_string())),
        };
        let unbound = match ns {
            ResolveResult::Unknown(p) => Some(String::from_utf8_lossy(&p).into_owned()),
            _ => None,
        };
        match event {
            Event::Start(ref e) | Event::Empty(ref e) => {
                let name = String::from_utf8_lossy(e.name().as_ref()).into_owned();
                if let Some(p) = unbound {
                    return Err(fail(format!(
                        "the prefix `{p}` of `<{name}>` is not declared (no `xmlns:{p}=\"...\"`)"
                    )));
                }
                if depth == 0 {
                    roots += 1;
                    if roots > 1 {
                        return Err(fail(format!(
                            "a second root element `<{name}>`: the output must be one element"
                        )));
                    }
                }
                check_attributes(e, &name, r.resolver()).map_err(&fail)?;
                if matches!(event, Event::Start(_)) {
                    depth += 1;
                    open.push(name);
                }
            }
            Event::End(_) => {
                depth = depth.saturating_sub(1);
                open.pop();
            }
            Event::Text(ref t) if depth == 0 && !t.iter().all(u8::is_ascii_whitespace) => {
                return Err(fail("text outside the root element".into()));
            }
            Event::GeneralRef(ref g) => {
                if depth == 0 {
                    return Err(fail("a reference outside the root element".into()));
                }
                check_reference(g).map_err(&fail)?;
            }
            Event::CData(_) if depth == 0 => {
                return Err(fail("a CDATA section outside the root element".into()));
            }
            Event::DocType(_) => {
                return Err(fail("a `<!DOCTYPE>` (not allowed in an output)".into()));
            }
            Event::Eof => break,
            _ => {}
        }
    }
    if let Some(name) = open.last() {
        return Err(xml_error(xml.len(), format!("`<{name}>` is never closed")));
    }
    if roots == 0 {
        return Err(xml_error(0, "there is no element".into()));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_built_in_item_shape_passes() {
        let ok = "<item xmlns:itunes=\"http://www.itunes.com/dtds/podcast-1.0.dtd\">\n  <title>a &amp; b &#233; &#x1F600;</title>\n  <description><![CDATA[<p>x & y</p>]]></description>\n  <itunes:image href=\"https://a/?x=1&amp;y=2\" />\n</item>\n";
        assert_eq!(check(ok), Ok(()));
        assert_eq!(check("<?xml version=\"1.0\"?>\n<a/>\n<!-- c -->\n"), Ok(()));
    }

    #[test]
    fn what_is_not_well_formed_is_named() {
        for (xml, want) in [
            ("<item><title>a & b</title></item>", ""),
            ("<item><title>x</item>", "title"),
            ("<item><title>x</title>", "`<item>` is never closed"),
            ("<item></item></item>", ""),
            ("<item/><item/>", "a second root element"),
            ("text<item/>", "text outside the root element"),
            ("<item>&nbsp;</item>", "`&nbsp;` is not an XML entity"),
            ("<item>&#0;</item>", "`&#0;` is not a character"),
            ("<item>\u{1}</item>", "U+0001"),
            ("<item a=\"1\" a=\"2\"/>", "`<item>`"),
            ("<item a=\"<\"/>", "holds a `<`"),
            ("<item a=\"&bogus;\"/>", "attribute `a`"),
            ("<itunes:x/>", "prefix `itunes`"),
            ("<item x:a=\"1\"/>", "prefix `x`"),
            ("<item><!-- a -- b --></item>", ""),
            ("", "there is no element"),
            ("<!DOCTYPE x><x/>", "DOCTYPE"),
        ] {
            let e = check(xml).expect_err(xml);
            assert!(e.message().contains(want), "{xml}: {}", e.message());
            assert!(e.span().unwrap().start <= xml.len());
        }
    }
}
