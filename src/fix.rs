//! Safe edits for `check --fix`: the fix each fixable finding carries
//! (tracking parameters removed, flattened line breaks restored, chapters
//! sorted), the tidy edits no finding asks for (timestamps padded), and
//! applying them to the text.
//!
//! Every edit is computed from the parsed notes' public data (spans of
//! blocks, chapters and links), never by reading the text again.

use crate::diagnostic::{Code, Diagnostic, Fix};
use crate::links;
use crate::notes::{Block, Notes};
use crate::source::Span;

/// Gives each finding in `diags` that has a safe fix its [`Fix`] (when it
/// has none yet): `link-tracking` (the link without its tracking
/// parameters), `notes-flattened` (the line with its recovered line
/// breaks), `chapter-out-of-order` (the chapter lines sorted, when each
/// chapter has a line of its own).
pub fn attach(notes: &Notes, diags: &mut [Diagnostic]) {
    let mut sorted: Option<Option<Fix>> = None;
    for d in diags.iter_mut().filter(|d| d.fix.is_none()) {
        d.fix = match (d.code, d.span) {
            (Code::LinkTracking, Some(span)) => tracking(notes, span),
            (Code::NotesFlattened, Some(span)) => flattened(notes, span),
            (Code::ChapterOutOfOrder, _) => sorted.get_or_insert_with(|| sort(notes)).clone(),
            _ => None,
        };
    }
}

/// Every edit `--fix` makes to `notes`: the fixes `diags` carry, then the
/// tidy edits, each once, in the order of the text. Overlapping edits are
/// all returned; [`apply`] applies the first of each overlap, and the
/// next pass the rest.
pub fn edits(notes: &Notes, diags: &[Diagnostic]) -> Vec<Fix> {
    let mut out: Vec<Fix> = diags.iter().filter_map(|d| d.fix.clone()).collect();
    out.extend(padded(notes));
    out.sort_by_key(|f| (f.span.start, f.span.end));
    out.dedup();
    out
}

/// Applies `fixes` (sorted by [`edits`]) to `text`, skipping any that
/// overlaps one applied before it; the new text and how many were applied.
pub fn apply(text: &str, fixes: &[Fix]) -> (String, usize) {
    let mut out = String::with_capacity(text.len());
    let mut at = 0;
    let mut applied = 0;
    for f in fixes {
        let (s, e) = (f.span.start, f.span.end);
        if s < at
            || e > text.len()
            || s > e
            || !text.is_char_boundary(s)
            || !text.is_char_boundary(e)
        {
            continue;
        }
        out.push_str(&text[at..s]);
        out.push_str(&f.replacement);
        at = e;
        applied += 1;
    }
    out.push_str(&text[at..]);
    (out, applied)
}

/// `link-tracking`: the link at `span` as normalized (tracking parameters
/// out), when the source there is the link exactly as the gate passes it.
fn tracking(notes: &Notes, span: Span) -> Option<Fix> {
    let link = notes.links.iter().find(|l| l.span == span)?;
    let written = notes.source.text.get(span.start..span.end)?;
    let unchanged = links::gate(written).is_ok_and(|g| g == written);
    (written == link.original && unchanged && link.url != written).then(|| Fix {
        span,
        replacement: link.url.clone(),
    })
}

/// The span of a block.
fn block_span(b: &Block) -> Span {
    match b {
        Block::Heading { span, .. }
        | Block::Paragraph { span, .. }
        | Block::LinkList { span, .. }
        | Block::ChapterList { span, .. } => *span,
    }
}

/// `notes-flattened`: the physical line at `span` with the line breaks its
/// structure had: a blank line before each block (a paragraph, a label, a
/// heading), a line break before each chapter and each link-list item
/// and after a link glued to the next word; the blanks that stood there
/// instead are dropped.
fn flattened(notes: &Notes, at: Span) -> Option<Fix> {
    // The finding points into the line (at its start); the fix is the line's.
    let span = *notes
        .flattened
        .iter()
        .find(|f| f.start <= at.start && at.start <= f.end)?;
    let text = notes.source.text.as_str();
    let line = text.get(span.start..span.end)?;
    let inside = |s: usize| s > span.start && s < span.end && text.is_char_boundary(s);
    // (where a line starts, whether a blank line goes before it)
    let mut starts: Vec<(usize, bool)> = Vec::new();
    starts.extend(
        notes
            .blocks
            .iter()
            .map(|b| (block_span(b).start, true))
            .filter(|(s, _)| inside(*s)),
    );
    for c in &notes.chapters {
        let Some(s) = c.span else { continue };
        // A bracket before the stamp (`[00:00]`) starts the line.
        let mut start = s.start;
        while start > span.start && matches!(text.as_bytes()[start - 1], b'[' | b'(') {
            start -= 1;
        }
        if inside(start) {
            starts.push((start, false));
        }
    }
    starts.extend(
        notes
            .links
            .iter()
            .filter(|l| l.list.is_some())
            .map(|l| (l.span.start, false))
            .filter(|(s, _)| inside(*s)),
    );
    // A link glued to the word after it (`…#episode-11Join our Discord`)
    // ended where a line did.
    starts.extend(
        notes
            .links
            .iter()
            .map(|l| l.span.end)
            .filter(|&e| inside(e) && text[e..].starts_with(|c: char| c.is_alphanumeric()))
            .map(|e| (e, false)),
    );
    if starts.is_empty() {
        return None;
    }
    // One break per place, a blank line when any asks for one.
    starts.sort_by(|a, b| a.0.cmp(&b.0).then(b.1.cmp(&a.1)));
    starts.dedup_by_key(|s| s.0);
    let mut out = String::with_capacity(line.len() + 2 * starts.len());
    let mut at = span.start;
    for (s, blank) in starts {
        let piece = &text[at..s];
        out.push_str(piece.trim_end_matches([' ', '\t']));
        out.push_str(if blank { "\n\n" } else { "\n" });
        at = s;
    }
    out.push_str(&text[at..span.end]);
    (out != line).then_some(Fix {
        span,
        replacement: out,
    })
}

/// `chapter-out-of-order`: the chapter list's lines in order of time, when
/// every chapter stands on a line of its own and the lines follow one
/// another (a flattened list is given its line breaks first).
fn sort(notes: &Notes) -> Option<Fix> {
    let src = &notes.source;
    let mut lines = Vec::with_capacity(notes.chapters.len());
    for c in &notes.chapters {
        let line = src.position(c.span?.start).line;
        lines.push((line, c.start));
    }
    let first = lines.first()?.0;
    if lines
        .iter()
        .enumerate()
        .any(|(i, (line, _))| *line != first + i)
    {
        return None;
    }
    let (start, _) = src.line_range(first);
    let (_, end) = src.line_range(first + lines.len() - 1);
    let mut order: Vec<usize> = (0..lines.len()).collect();
    order.sort_by_key(|&i| lines[i].1);
    // Each line's text is moved; the line ends stay where they are.
    let mut out = String::with_capacity(end - start);
    for (k, &i) in order.iter().enumerate() {
        let (s, e) = src.line_range(first + i);
        out.push_str(&src.text[s..e]);
        if k + 1 < order.len() {
            let (_, here_end) = src.line_range(first + k);
            let (next_start, _) = src.line_range(first + k + 1);
            out.push_str(&src.text[here_end..next_start]);
        }
    }
    Some(Fix {
        span: Span::new(start, end),
        replacement: out,
    })
}

/// Tidy edits: each chapter stamp whose first field has one digit
/// (`0:00`, `1:02:03`) padded to two (`00:00`, `01:02:03`).
fn padded(notes: &Notes) -> Vec<Fix> {
    let text = notes.source.text.as_str();
    notes
        .chapters
        .iter()
        .filter_map(|c| {
            let span = c.span?;
            let stamp = text.get(span.start..span.end)?;
            let (first, rest) = stamp.split_once(':')?;
            let is_stamp = first.len() == 1
                && first.bytes().all(|b| b.is_ascii_digit())
                && rest
                    .bytes()
                    .all(|b| b.is_ascii_digit() || b == b':' || b == b'.');
            is_stamp.then(|| Fix {
                span: Span::new(span.start, span.start),
                replacement: "0".into(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::source::Source;

    fn parse(text: &str) -> Notes {
        Notes::parse(Source::new("ep.md", text), &Default::default())
    }

    /// Fixes `text` pass by pass until nothing changes (at most 5 passes).
    fn fixed(text: &str) -> String {
        let mut text = text.to_string();
        for _ in 0..5 {
            let notes = parse(&text);
            let mut d = notes.check(&Default::default(), None);
            attach(&notes, &mut d);
            let (next, n) = apply(&text, &edits(&notes, &d));
            if n == 0 {
                break;
            }
            text = next;
        }
        text
    }

    #[test]
    fn tracking_parameters_are_removed_where_the_link_stands() {
        let text = "Summary.\n\nLinks\n- https://a.org/x?utm_source=pod&id=2 — A\n";
        assert_eq!(
            fixed(text),
            "Summary.\n\nLinks\n- https://a.org/x?id=2 — A\n"
        );
    }

    #[test]
    fn timestamps_are_padded_and_chapters_sorted() {
        let text = "Summary.\n\nChapters\n0:00 Intro\n2:00 End\n1:00 Middle\n";
        assert_eq!(
            fixed(text),
            "Summary.\n\nChapters\n00:00 Intro\n01:00 Middle\n02:00 End\n"
        );
    }

    #[test]
    fn flattened_line_breaks_are_restored() {
        let text = "Summary here.Learn more:https://a.org/ — A pagehttps://b.org/ — B pageChapters00:00 Intro01:00 Middle02:00 Outro\n";
        let before = parse(text);
        let out = fixed(text);
        let after = parse(&out);
        assert!(after.flattened.is_empty(), "{out}");
        let titles = |n: &Notes| {
            n.chapters
                .iter()
                .map(|c| (c.start, c.title.clone()))
                .collect::<Vec<_>>()
        };
        assert_eq!(titles(&before), titles(&after), "{out}");
        let urls = |n: &Notes| n.links.iter().map(|l| l.url.clone()).collect::<Vec<_>>();
        assert_eq!(urls(&before), urls(&after), "{out}");
        assert_eq!(fixed(&out), out);
    }

    #[test]
    fn overlapping_edits_wait_for_the_next_pass() {
        let f = |s, e, r: &str| Fix {
            span: Span::new(s, e),
            replacement: r.into(),
        };
        let (out, n) = apply("abcdef", &[f(0, 2, "X"), f(1, 3, "Y"), f(4, 4, "-")]);
        assert_eq!((out.as_str(), n), ("Xcd-ef", 2));
    }
}
