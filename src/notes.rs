//! The episode notes file: front matter, summary, link lists, chapter list
//! and footer, parsed with the line and column of every item, including
//! notes whose line breaks were lost.

mod body;
mod bytes;
mod chapter_line;
pub mod date;
pub mod flattened;
pub mod front_matter;
pub(crate) mod html;
mod line;
mod markdown;

pub use bytes::{decode, Lossy};
pub use front_matter::FrontMatter;
pub(crate) use markdown::ref_key;

use crate::chapter::{self as chapters, Chapter};
use crate::diagnostic::{Code, Diagnostic};
use crate::links::{self, Link};
use crate::source::{Position, Source, Span};
use crate::timestamp::Timestamp;

/// A parsed notes file.
#[derive(Clone, Debug)]
pub struct Notes {
    /// The text as read (BOM removed), for positions and snippets.
    pub source: Source,
    /// The episode's metadata from the front matter (empty when there is none).
    pub front_matter: FrontMatter,
    /// The body, block by block, in order.
    pub blocks: Vec<Block>,
    /// Every chapter of the chapter list(s), in the order written.
    pub chapters: Vec<Chapter>,
    /// Every link, in the order written.
    pub links: Vec<Link>,
    /// Whether a chapter list was found (by label, heading, or as a run of
    /// timestamp lines).
    pub has_chapter_list: bool,
    /// Physical lines whose structure was recovered (`notes-flattened`).
    pub flattened: Vec<Span>,
    /// What parsing found wrong (checks against rules come from [`Notes::check`]).
    pub diagnostics: Vec<Diagnostic>,
    /// The Markdown reference definitions of the body (label as written,
    /// destination), as the reader found them; `None` when the reader did
    /// not read the body as Markdown, or the front matter may hold some.
    pub(crate) references: Option<Vec<(String, String)>>,
    /// The URLs of the body, normalized ahead of need (with the link rules
    /// the notes were parsed with).
    pub(crate) normalized: links::Memo,
}

/// A block of the body.
#[derive(Clone, Debug, PartialEq)]
pub enum Block {
    /// A Markdown heading (`## Guests`) that is not a section label.
    Heading {
        /// 1 for `#`, 2 for `##`, ...
        level: u8,
        /// The heading's text, without the `#`s.
        text: String,
        /// Where the heading stands.
        span: Span,
    },
    /// Lines of running text, as written.
    Paragraph {
        /// Each line, as written.
        lines: Vec<String>,
        /// Where the paragraph stands.
        span: Span,
    },
    /// A link list; its links are those with `list == Some(index)`.
    LinkList {
        /// The section label as written (`Links`, `Learn more:`).
        label: String,
        /// Its place among the notes' link lists, from 0.
        index: usize,
        /// Where its label stands.
        span: Span,
    },
    /// The chapter list (its chapters are [`Notes::chapters`]).
    ChapterList {
        /// The section label as written (`Chapters`).
        label: String,
        /// Where its label stands.
        span: Span,
    },
}

impl Notes {
    /// Parses a notes file. Never fails: what is wrong becomes a diagnostic.
    pub fn parse(source: Source, link_rules: &links::Rules) -> Notes {
        let mut diags = crate::text::invisible_diagnostics(&source);
        let fm = front_matter::parse(&source, &mut diags);
        let mut notes = Notes {
            front_matter: fm.front_matter,
            blocks: vec![],
            chapters: vec![],
            links: vec![],
            has_chapter_list: false,
            flattened: vec![],
            diagnostics: vec![],
            references: None,
            normalized: links::Memo::default(),
            source: Source::new("", ""),
        };
        let text = source.text.as_str();
        if text[fm.body_start..].trim().is_empty() {
            if !diags.iter().any(|d| d.code == Code::FrontMatterInvalid) {
                diags.push(
                    Diagnostic::new(Code::NotesEmpty, "the notes are empty")
                        .help("write a summary, a `Learn more:` list and a `Chapters` list"),
                );
            }
            notes.diagnostics = diags;
            notes.source = source;
            return notes;
        }
        let is_html = [".html", ".htm"]
            .iter()
            .any(|e| source.name.to_ascii_lowercase().ends_with(e))
            || html::looks_like_html(&text[fm.body_start..]);
        let read = if is_html {
            html::read(text, fm.body_start, text.len())
        } else {
            let mut defs = Vec::new();
            let lines = markdown::read(text, fm.body_start, &mut defs);
            // A reader of the whole text could take definitions from the
            // front matter too: the publish side reads it again then.
            if !text[..fm.body_start].contains("]:") {
                notes.references = Some(defs);
            }
            lines
        };
        let lines = body::recover(text, read, &mut notes.flattened);
        body::Parser::new(&mut notes, &mut diags, link_rules, text).run(&lines);
        // The lines read (a long body's take a millisecond to free).
        crate::parallel::drop_aside(lines, text.len() >= crate::parallel::SHARED_FROM);
        links::check_duplicates(&notes.links, &notes.normalized, &mut diags);
        notes.diagnostics = diags;
        notes.source = source;
        notes
    }

    /// Every finding: the parser's, `notes-flattened`, `chapters-missing`,
    /// and the chapter rules (against the audio's end when known).
    pub fn check(&self, rules: &chapters::Rules, audio_end: Option<Timestamp>) -> Vec<Diagnostic> {
        let mut out = self.diagnostics.clone();
        if out.iter().any(|d| d.code == Code::NotesEmpty) {
            return out;
        }
        for span in &self.flattened {
            out.push(
                Diagnostic::new(
                    Code::NotesFlattened,
                    format!(
                        "this line holds several lines run together; recovered {} chapter{} and {} link{}",
                        self.chapters.len(),
                        if self.chapters.len() == 1 { "" } else { "s" },
                        self.links.len(),
                        if self.links.len() == 1 { "" } else { "s" },
                    ),
                )
                .at(Span::new(span.start, span.start))
                .label("line breaks were lost here")
                .help("check the result with `shownotes chapters FILE --to json` and `shownotes links FILE`, or restore the line breaks"),
            );
        }
        if !self.has_chapter_list {
            out.push(
                Diagnostic::new(Code::ChaptersMissing, "the notes have no chapter list")
                    .help("add a `Chapters` line followed by one `00:00 Title` line per chapter"),
            );
        }
        out.extend(chapters::check(&self.chapters, rules, audio_end));
        crate::diagnostic::sort(&mut out);
        out
    }

    /// The line and column of a byte offset in the notes.
    pub fn position(&self, offset: usize) -> Position {
        self.source.position(offset)
    }
}

#[cfg(test)]
mod tests;
