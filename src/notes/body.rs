//! The notes body from the readers' lines: sections, link lists, chapter
//! lists in every form, prose, and the recovery of lines whose breaks were
//! lost.

use super::chapter_line::{self, Cand, Form, Label};
use super::flattened;
use super::line::Line;
use super::{Block, Notes};
use crate::chapter::Chapter;
use crate::diagnostic::{Code, Diagnostic};
use crate::links::{self, Kind};
use crate::source::Span;

/// Cuts lines that hold several lines run together into logical lines.
pub(crate) fn recover(source: &str, lines: Vec<Line>, flattened: &mut Vec<Span>) -> Vec<Line> {
    // Each line on its own: on long notes two threads share them.
    let cut: Vec<bool> = crate::parallel::shared(
        &lines,
        |l| l.text.len() + 1,
        crate::parallel::SHARED_FROM,
        |lines| {
            lines
                .iter()
                .map(|l| !l.verbatim && flattened::is_flattened(&l.text))
                .collect()
        },
    );
    if !cut.contains(&true) {
        return lines;
    }
    let mut out = Vec::with_capacity(lines.len());
    for (line, cut) in lines.into_iter().zip(cut) {
        if !cut {
            out.push(line);
            continue;
        }
        let span = line.span();
        flattened.push(span);
        for (k, piece) in flattened::split(&line.text).into_iter().enumerate() {
            let mut sub = line.slice(source, piece.start, piece.end);
            if k == 0 {
                sub.blank_before = line.blank_before || piece.paragraph;
                sub.new_block = line.new_block || piece.paragraph;
                sub.item = line.item;
            } else {
                sub.blank_before = piece.paragraph;
                sub.new_block = piece.paragraph;
            }
            out.push(sub);
        }
    }
    out
}

/// The label words of the first releases: a section even when nothing
/// follows them.
fn classic(label: &str) -> bool {
    matches!(
        label.to_lowercase().as_str(),
        "learn more"
            | "links"
            | "resources"
            | "further reading"
            | "show links"
            | "chapters"
            | "timestamps"
    )
}

/// A link found on a line: where its text is, where it is written.
#[derive(Clone, Debug, PartialEq)]
struct Found {
    start: usize,
    end: usize,
    dest: String,
    written: Span,
    /// Its visible text is a description (a Markdown or HTML link).
    described: bool,
}

/// Every link of a line, in order: inline links (not `#` anchors) and
/// bare URLs and e-mail addresses outside them and outside code spans.
fn line_links(line: &Line, skip: Option<usize>) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for (i, l) in line.links.iter().enumerate() {
        if Some(i) == skip || l.dest.starts_with('#') {
            continue;
        }
        out.push(Found {
            start: l.start,
            end: l.end,
            dest: l.dest.clone(),
            written: l.written,
            described: !l.auto,
        });
    }
    let mut taken: Vec<(usize, usize)> = line
        .links
        .iter()
        .map(|l| (l.start, l.end))
        .chain(line.code.iter().copied())
        .collect();
    taken.sort_unstable();
    // The furthest end among the ranges up to each: "does this overlap
    // one?" is a binary search.
    let reach: Vec<usize> = taken
        .iter()
        .scan(0, |m, &(_, e)| {
            *m = e.max(*m);
            Some(*m)
        })
        .collect();
    // A URL has `://`, an e-mail `@`, an unsafe link `scheme:`: a line
    // with none of them outside its inline links and code spans (most
    // chapter lines, prose whose links are all written as links) skips
    // the finder.
    let b = line.text.as_bytes();
    let outside = |i: usize| {
        let k = taken.partition_point(|&(s, _)| s <= i);
        !(k > 0 && reach[k - 1] > i)
    };
    // Two `memchr` scans (a set of characters would be read one by one).
    let may_link = memchr::memchr_iter(b'@', b).any(outside)
        || memchr::memchr_iter(b':', b)
            .any(|i| i > 0 && b[i - 1].is_ascii_alphabetic() && outside(i));
    let found = if may_link {
        links::find(&line.text)
    } else {
        Vec::new()
    };
    for f in found {
        let i = taken.partition_point(|&(s, _)| s < f.end);
        if i > 0 && reach[i - 1] > f.start {
            continue;
        }
        let written = line.src(f.start, f.end);
        out.push(Found {
            start: f.start,
            end: f.end,
            dest: line.text[f.start..f.end].to_string(),
            written,
            described: false,
        });
    }
    out.sort_by_key(|f| f.start);
    out
}

/// `found` ([`line_links`] of `line`) without its inline link `k`: what
/// `line_links(line, Some(k))` finds (the other links are found alike).
fn without(found: &[Found], line: &Line, k: usize) -> Vec<Found> {
    let mut out = found.to_vec();
    if let Some(l) = line.links.get(k) {
        out.retain(|f| !(f.start == l.start && f.end == l.end && f.written == l.written));
    }
    out
}

/// A description after a link: the separator cut off.
fn describe(rest: &str) -> Option<String> {
    let t = clean(after_separator(rest).trim());
    (!t.is_empty()).then_some(t)
}

/// `rest` after the separator it starts with (blanks first): `—`, `–`,
/// `-`, `:`, `|` or `·` followed by blanks, or a dash (`—`, `–`) glued to
/// the text; all of `rest` when there is none. Written out rather than as
/// a regex: compiling one for this cost a seed episode's run 4 % of its
/// instructions.
fn after_separator(rest: &str) -> &str {
    const BLANKS: [char; 2] = [' ', '\t'];
    let t = rest.trim_start_matches(BLANKS);
    let Some(sep) = ['—', '–', '-', ':', '|', '·']
        .into_iter()
        .find(|&c| t.starts_with(c))
    else {
        return rest;
    };
    let after = &t[sep.len_utf8()..];
    let text = after.trim_start_matches(BLANKS);
    if text.len() < after.len() {
        text
    } else if matches!(sep, '—' | '–') {
        after
    } else {
        rest
    }
}

/// Text without invisible characters.
fn clean(s: &str) -> String {
    if !crate::text::may_hold_invisible(s) {
        return s.trim().to_string();
    }
    s.chars()
        .filter(|&c| !crate::text::is_invisible(c))
        .collect::<String>()
        .trim()
        .to_string()
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Section {
    Prose,
    Links(usize),
    /// A chapter list: inside which link list, and the list depth of its
    /// items (links in items nested under a chapter belong to it).
    Chapters(Option<usize>, usize),
}

/// Builds the notes from the lines.
pub(crate) struct Parser<'n> {
    notes: &'n mut Notes,
    diags: &'n mut Vec<Diagnostic>,
    rules: &'n links::Rules,
    source: &'n str,
    lists: usize,
    para: Option<(Vec<String>, Span)>,
    /// The paragraph being read is a list's items.
    para_list: bool,
    /// Whether a chapter list block was written for heading chapters.
    heading_list: bool,
    /// The list depth of the last line of a link list.
    last_depth: usize,
    /// What the pre-pass found on each line read (see [`Parser::run`]).
    pre: Pre,
    /// The index of the line being read.
    at: usize,
}

/// What [`Parser::run`]'s pre-pass found on the lines it was given: each
/// line's links, and their URLs normalized. A line is known by where it
/// is stored (a line cut out of one is not among them).
#[derive(Default)]
struct Pre {
    /// Where the lines are stored: the address of the first, and past the
    /// last.
    lines: std::ops::Range<usize>,
    /// Each line's [`line_links`].
    found: Vec<Vec<Found>>,
    /// Each line's links' URLs as written, normalized.
    answers: std::sync::Arc<links::Answers>,
}

impl Pre {
    /// The index of `line` among the lines read, if it is one of them.
    fn index(&self, line: &Line) -> Option<usize> {
        let at = line as *const Line as usize;
        self.lines
            .contains(&at)
            .then(|| (at - self.lines.start) / std::mem::size_of::<Line>())
    }
}

impl<'n> Parser<'n> {
    pub(crate) fn new(
        notes: &'n mut Notes,
        diags: &'n mut Vec<Diagnostic>,
        rules: &'n links::Rules,
        source: &'n str,
    ) -> Self {
        Parser {
            notes,
            diags,
            rules,
            source,
            lists: 0,
            para: None,
            para_list: false,
            heading_list: false,
            last_depth: 0,
            pre: Pre::default(),
            at: 0,
        }
    }

    pub(crate) fn run(&mut self, lines: &[Line]) {
        // What each line is on its own (a chapter, a label, its links and
        // their URLs normalized), read before the lines are taken in
        // order: on long notes, on two threads.
        let rules = self.rules;
        let read = crate::parallel::shared(
            lines,
            |l| l.text.len() + 1,
            crate::parallel::SHARED_FROM,
            |lines| {
                lines
                    .iter()
                    .map(|l| {
                        if l.verbatim {
                            return (None, None, Vec::new(), Vec::new());
                        }
                        let found = line_links(l, None);
                        let answers = found
                            .iter()
                            .map(|f| {
                                let written = links::written_form(&f.dest);
                                let answer = links::Answer::of(&written, rules);
                                (written, answer)
                            })
                            .collect();
                        (
                            chapter_line::parse(l),
                            chapter_line::label(l),
                            found,
                            answers,
                        )
                    })
                    .collect()
            },
        );
        let mut cands = Vec::with_capacity(lines.len());
        let mut labels = Vec::with_capacity(lines.len());
        let mut found = Vec::with_capacity(lines.len());
        let mut answers = Vec::with_capacity(lines.len());
        for (c, l, f, a) in read {
            cands.push(c);
            labels.push(l);
            found.push(f);
            answers.push(a);
        }
        let range = lines.as_ptr_range();
        self.pre = Pre {
            lines: range.start as usize..range.end as usize,
            found,
            answers: std::sync::Arc::new(answers),
        };
        // The platforms' context asks about the same URLs: they are
        // indexed for it ([`links::Memo`]) on another thread meanwhile.
        let large = lines.len() > 1 && self.source.len() >= crate::parallel::SHARED_FROM;
        let to_index = std::sync::Arc::clone(&self.pre.answers);
        let rules_owned = rules.clone();
        let index = move || links::Memo::new(&rules_owned, to_index);
        let indexing = if large {
            let builder = std::thread::Builder::new().name("shownotes-links".into());
            crate::parallel::spawn_beside(builder, index).map_err(|_| ())
        } else {
            Err(())
        };
        // Room for every chapter and link the lines may hold: long lists
        // grown by doubling are copied, and each copy is fresh memory.
        let stamped = cands.iter().filter(|c| matches!(c, Some(Ok(_)))).count();
        self.notes.chapters.reserve(stamped);
        self.notes
            .links
            .reserve(self.pre.found.iter().map(Vec::len).sum());
        let heading_chapters = heading_chapters(lines, &cands);
        let mut section = Section::Prose;
        let mut i = 0;
        while i < lines.len() {
            self.at = i;
            let line = &lines[i];
            if line.verbatim {
                self.prose(line, false);
                i += 1;
                continue;
            }
            // The items of one tight list stay one paragraph (its lines
            // the Markdown list as written), so a platform gets one list.
            let continues_list = self.para_list && line.item && line.depth > 0;
            if line.blank_before || (line.new_block && !continues_list) {
                self.end_paragraph();
            }
            if let Some((label, rest_at, name)) = labels[i].clone() {
                let rest = line.text[rest_at..].trim();
                let next = lines.get(i + 1);
                let opens = classic(&name)
                    || !rest.is_empty()
                    || line.heading.is_some() && label == Label::Links
                    || match label {
                        Label::Chapters => next.is_some_and(|n| {
                            matches!(cands[i + 1], Some(Ok(_)))
                                || !chapter_line::sites(n).is_empty()
                        }),
                        Label::Links => self.links_follow(&lines[i + 1..]),
                    };
                if opens {
                    self.open(&mut section, label, name, line, rest_at);
                    i += 1;
                    continue;
                }
            }
            if line.heading.is_some() {
                self.end_paragraph();
                if heading_chapters.contains(&i) {
                    if let Some(Ok(c)) = &cands[i] {
                        if !self.heading_list {
                            self.heading_list = true;
                            self.notes.has_chapter_list = true;
                            let at = line.span().start;
                            self.notes.blocks.push(Block::ChapterList {
                                label: String::new(),
                                span: Span::new(at, at),
                            });
                        }
                        self.chapter(line, c, None);
                        section = Section::Prose;
                        i += 1;
                        continue;
                    }
                }
                let md = line.md(self.source).trim_start_matches('#').trim_start();
                let md = md.trim_end_matches('#').trim_end();
                let text = if md.is_empty() {
                    line.text.clone()
                } else {
                    md.to_string()
                };
                self.notes.blocks.push(Block::Heading {
                    level: line.heading.unwrap_or(1),
                    text,
                    span: line.span(),
                });
                for f in self.links_of(line, None) {
                    self.link(line, &f, Kind::Text, None, None);
                }
                section = Section::Prose;
                i += 1;
                continue;
            }
            if section != Section::Prose {
                let n = self.in_section(&mut section, lines, &cands, i);
                if n > 0 {
                    i += n;
                    continue;
                }
                if section != Section::Prose {
                    continue;
                }
            }
            if run_at(lines, &cands, i) {
                self.end_paragraph();
                let at = line.span().start;
                self.start_section(Label::Chapters, String::new(), Span::new(at, at));
                section = Section::Chapters(None, line.depth);
                continue;
            }
            // A chapter label inside a line of prose: a line whose breaks
            // became spaces.
            if let Some(at) = chapter_line::inline_label(line) {
                let head = line.slice(self.source, 0, at);
                self.prose(&head, true);
                let tail = line.slice(self.source, at, line.text.len());
                if let Some((label, rest_at, name)) = chapter_line::label(&tail) {
                    self.open(&mut section, label, name, &tail, rest_at);
                    i += 1;
                    continue;
                }
            }
            self.prose(line, true);
            i += 1;
        }
        self.end_paragraph();
        self.notes.normalized = match indexing {
            Ok(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            Err(()) => links::Memo::new(self.rules, std::sync::Arc::clone(&self.pre.answers)),
        };
    }

    /// [`line_links`]`(line, skip)`, from what the pre-pass found when
    /// `line` is one of the lines read (it reads each with no link
    /// skipped; leaving the inline link `skip` out changes nothing else).
    fn links_of(&self, line: &Line, skip: Option<usize>) -> Vec<Found> {
        match (self.pre.index(line), skip) {
            (Some(i), None) => self.pre.found[i].clone(),
            (Some(i), Some(k)) => without(&self.pre.found[i], line, k),
            (None, _) => line_links(line, skip),
        }
    }

    /// Whether `line` holds a link ([`line_links`]).
    fn has_links(&self, line: &Line) -> bool {
        match self.pre.index(line) {
            Some(i) => !self.pre.found[i].is_empty(),
            None => !line_links(line, None).is_empty(),
        }
    }

    /// Whether one of the next three lines holds a link, with no heading
    /// or paragraph break before it after the first line.
    fn links_follow(&self, next: &[Line]) -> bool {
        next.iter()
            .take(3)
            .enumerate()
            .take_while(|(k, n)| n.heading.is_none() && (*k == 0 || !n.blank_before))
            .any(|(_, n)| self.has_links(n))
    }

    /// `written` normalized by the pre-pass, on `line` or the line being
    /// read (which a piece of a line was cut from).
    fn answer(&self, line: &Line, written: &str) -> Option<&links::Answer> {
        [self.pre.index(line), Some(self.at)]
            .into_iter()
            .flatten()
            .filter_map(|i| self.pre.answers.get(i))
            .flat_map(|a| a.iter())
            .find(|(w, _)| w == written)
            .map(|(_, a)| a)
    }

    /// Opens the section a label names; content on the label's line
    /// (from `rest_at`) is its first item.
    fn open(
        &mut self,
        section: &mut Section,
        label: Label,
        name: String,
        line: &Line,
        rest_at: usize,
    ) {
        self.end_paragraph();
        *section = self.start_section(label, name, line.span());
        if let Section::Chapters(_, d) = section {
            *d = line.depth;
        }
        self.last_depth = 0;
        if line.text[rest_at..].trim().is_empty() {
            return;
        }
        let sub = line.slice(self.source, rest_at, line.text.len());
        let cand = (!sub.verbatim).then(|| chapter_line::parse(&sub)).flatten();
        if self.in_section(section, &[sub], &[cand], 0) == 0 {
            *section = Section::Prose;
            let sub = line.slice(self.source, rest_at, line.text.len());
            self.prose(&sub, true);
        }
    }

    fn start_section(&mut self, label: Label, name: String, span: Span) -> Section {
        match label {
            Label::Links => {
                let index = self.lists;
                self.lists += 1;
                self.notes.blocks.push(Block::LinkList {
                    label: name,
                    index,
                    span,
                });
                Section::Links(index)
            }
            Label::Chapters => {
                self.notes.has_chapter_list = true;
                self.notes
                    .blocks
                    .push(Block::ChapterList { label: name, span });
                Section::Chapters(None, 0)
            }
        }
    }

    /// Reads `lines[i..]` in a section: how many lines were taken (0: the
    /// line ends the section, or the section changed).
    /// Reads `lines[i]` in `section`; `cands` is each line read as a
    /// chapter (read once, in [`Parser::run`]). Returns how many lines it
    /// took (0: none, the section ended).
    fn in_section(
        &mut self,
        section: &mut Section,
        lines: &[Line],
        cands: &[Option<Result<Cand, chapter_line::BadStamp>>],
        i: usize,
    ) -> usize {
        let line = &lines[i];
        match *section {
            Section::Links(index) => {
                // A chapter list inside a link list (`### Show Notes`),
                // told from the next four lines.
                let end = lines.len().min(i + 4);
                if run_at(&lines[i..end], &cands[i..end], 0) {
                    *section = Section::Chapters(Some(index), line.depth);
                    return 0;
                }
                let found = self.links_of(line, None);
                if found.is_empty() {
                    // A list item without a link (a guest's name over
                    // their links) stays in the list; so does a line that
                    // introduces the next item's link.
                    let keeps = !chapter_line::other_label(line)
                        && (line.depth > 0 && (self.last_depth > 0 || line.item)
                            || !line.blank_before
                                && line.heading.is_none()
                                && lines[i + 1..]
                                    .iter()
                                    .take(2)
                                    .take_while(|n| !n.blank_before && n.heading.is_none())
                                    .any(|n| self.has_links(n)));
                    if keeps {
                        self.prose(line, false);
                        self.last_depth = line.depth;
                        return 1;
                    }
                    *section = Section::Prose;
                    return 0;
                }
                if self.last_depth > 0 && line.depth == 0 {
                    *section = Section::Prose;
                    return 0;
                }
                let bullet = chapter_line::bullet_len(&line.text);
                if line.blank_before && line.depth == 0 && found[0].start > bullet {
                    *section = Section::Prose;
                    return 0;
                }
                self.link_item(line, &found, bullet, index);
                self.last_depth = line.depth;
                1
            }
            Section::Chapters(in_links, depth) => {
                if line.heading.is_some() {
                    return 0;
                }
                let sites = chapter_line::sites(line);
                if !sites.is_empty() {
                    self.run_together(line, &sites);
                    return 1;
                }
                match &cands[i] {
                    Some(Ok(c)) if c.form == Form::StampOnly => {
                        // The title on the next line (a bullet, a line).
                        match lines.get(i + 1) {
                            Some(next)
                                if next.heading.is_none()
                                    && cands[i + 1].is_none()
                                    && chapter_line::label(next).is_none() =>
                            {
                                self.chapter(line, c, Some(next));
                                2
                            }
                            _ => {
                                self.chapter(line, c, None);
                                1
                            }
                        }
                    }
                    Some(Ok(c)) => {
                        self.chapter(line, c, None);
                        1
                    }
                    Some(Err((r, raw, e))) => {
                        let r = *r;
                        self.diags.push(
                            Diagnostic::new(
                                Code::ChapterBadTimestamp,
                                format!("`{raw}` is not a valid timestamp: {e}"),
                            )
                            .at(line.src(r.0, r.1))
                            .label("bad timestamp")
                            .help("write `M:SS`, `MM:SS`, `H:MM:SS` or `HH:MM:SS`, minutes and seconds below 60"),
                        );
                        1
                    }
                    None if line.depth > depth => {
                        // Under a chapter's item: its links.
                        let found = self.links_of(line, None);
                        self.prose(line, in_links.is_none());
                        if let Some(index) = in_links {
                            if !found.is_empty() {
                                let bullet = chapter_line::bullet_len(&line.text);
                                self.link_item(line, &found, bullet, index);
                            }
                        }
                        1
                    }
                    None => {
                        *section = Section::Prose;
                        0
                    }
                }
            }
            Section::Prose => 0,
        }
    }

    /// Chapters on one line whose breaks became spaces; what follows the
    /// last title is prose.
    fn run_together(&mut self, line: &Line, sites: &[usize]) {
        self.notes.flattened.push(line.span());
        for (k, &at) in sites.iter().enumerate() {
            let end = sites.get(k + 1).copied().unwrap_or(line.text.len());
            let piece = line.slice(self.source, at, end);
            let Some(Ok(c)) = chapter_line::parse(&piece) else {
                continue;
            };
            if k + 1 < sites.len() {
                self.chapter(&piece, &c, None);
                continue;
            }
            match chapter_line::title_end(&piece, c.title) {
                Some(cut) if cut > c.title.0 => {
                    let head = piece.slice(self.source, 0, cut);
                    let tail = piece.slice(self.source, cut, piece.text.len());
                    if let Some(Ok(c)) = chapter_line::parse(&head) {
                        self.chapter(&head, &c, None);
                    }
                    self.end_paragraph();
                    self.prose(&tail, true);
                }
                _ => self.chapter(&piece, &c, None),
            }
        }
    }

    /// A chapter; its title from `title_line` when the stamp stands alone.
    fn chapter(&mut self, line: &Line, c: &Cand, title_line: Option<&Line>) {
        let (tl, mut title) = match title_line {
            Some(t) => (t, (0, t.text.len())),
            None => (line, c.title),
        };
        let skip = if title_line.is_none() { c.target } else { None };
        // Stamp and title as one link's text: the link is the time target.
        if let Some(t) = skip.map(|k| &line.links[k]) {
            if t.end >= title.1 && title.0 < title.1 {
                title.1 = title.1.min(t.end);
            }
        }
        let found: Vec<Found> = self
            .links_of(tl, skip)
            .into_iter()
            .filter(|f| title_line.is_some() || f.start >= c.title.0.min(c.stamp.1))
            .collect();
        let mut url_link: Option<usize> = None;
        if c.form != Form::TitleFirst {
            // A trailing link is the chapter's `url`.
            let body = tl.text[title.0..title.1].trim_end_matches([' ', ')', ']', '.']);
            let body_end = title.0 + body.len();
            if let Some((k, f)) = found.iter().enumerate().next_back() {
                if f.end >= body_end && f.start >= title.0 {
                    url_link = Some(k);
                    let before = tl.text[title.0..f.start]
                        .trim_end()
                        .trim_end_matches(['-', '–', '—', '|', ':', '(', '[', '·'])
                        .trim_end();
                    if !before.is_empty() {
                        title.1 = title.0 + before.len();
                    } else if f.described {
                        title = (f.start, f.end);
                    }
                }
            }
        }
        let mut url = None;
        for (k, f) in found.iter().enumerate() {
            let made = self.link(tl, f, Kind::Text, None, None);
            if Some(k) == url_link {
                url = made;
            }
        }
        let text = tl.text[title.0..title.1]
            .trim()
            .trim_end_matches(['-', '–', '—', '|', ':', '·'])
            .trim();
        let at = title.0
            + (tl.text[title.0..title.1].len() - tl.text[title.0..title.1].trim_start().len());
        let title_span = tl.src(at, at + text.len());
        let mut ch = Chapter::new(c.start, clean(text));
        ch.span = Some(line.src(c.stamp.0, c.stamp.1));
        ch.title_span = Some(title_span);
        ch.url = url;
        self.notes.chapters.push(ch);
    }

    /// A link list item: every link of the line, with its description.
    fn link_item(&mut self, line: &Line, found: &[Found], bullet: usize, index: usize) {
        let text = line.text.as_str();
        if let [f] = found {
            let desc = if f.start <= bullet {
                let rest = &text[f.end..];
                // `[Title](url), see the appendix`: the sentence goes on
                // after the link, and reads as written.
                let goes_on = rest.starts_with([',', ';', '.', ')']);
                let more = describe(rest);
                match (f.described.then(|| clean(&text[f.start..f.end])), more) {
                    (Some(t), Some(m)) if !t.is_empty() && goes_on => Some(format!("{t}{m}")),
                    (Some(t), Some(m)) if !t.is_empty() => Some(format!("{t} — {m}")),
                    (Some(t), None) if !t.is_empty() => Some(t),
                    (_, m) => m,
                }
            } else if f.described {
                Some(clean(&text[f.start..f.end])).filter(|t| !t.is_empty())
            } else {
                let before = text[bullet..f.start].trim_end();
                let before = before
                    .strip_suffix(['—', '–', '-', ':', '|'])
                    .unwrap_or(before)
                    .trim();
                let after = describe(&text[f.end..]);
                Some(clean(before)).filter(|t| !t.is_empty()).or(after)
            };
            self.link(line, f, Kind::LearnMore, Some(index), Some(desc));
            return;
        }
        let mut prev_end = bullet;
        for (k, f) in found.iter().enumerate() {
            let desc = if f.described {
                Some(clean(&text[f.start..f.end])).filter(|t| !t.is_empty())
            } else {
                let before = text
                    .get(prev_end.min(f.start)..f.start)
                    .unwrap_or("")
                    .trim();
                let before = before
                    .trim_end_matches(['—', '–', '-', ':', '|', '('])
                    .trim_start_matches(['—', '–', '-', ':', '|', ')', ','])
                    .trim();
                if before.is_empty() || before.split_whitespace().count() > 8 {
                    let next = found.get(k + 1).map_or(text.len(), |n| n.start);
                    describe(text.get(f.end..next.max(f.end)).unwrap_or(""))
                } else {
                    Some(clean(before))
                }
            };
            self.link(line, f, Kind::LearnMore, Some(index), Some(desc));
            prev_end = prev_end.max(f.end);
        }
    }

    /// Makes and keeps a link; returns its normalized URL.
    fn link(
        &mut self,
        line: &Line,
        f: &Found,
        kind: Kind,
        list: Option<usize>,
        desc: Option<Option<String>>,
    ) -> Option<String> {
        let original = self
            .source
            .get(f.written.start..f.written.end)
            .unwrap_or("");
        let text = match desc {
            Some(d) => d,
            None => f
                .described
                .then(|| clean(&line.text[f.start..f.end]))
                .filter(|t| !t.is_empty()),
        };
        let written = links::written_form(&f.dest);
        let normalized = match self.answer(line, &written) {
            Some(a) => a.normalized().clone(),
            None => links::normalize(&written, self.rules),
        };
        let link = links::make_from(
            original, &written, normalized, text, kind, f.written, list, self.diags,
        )?;
        let url = link.url.clone();
        self.notes.links.push(link);
        Some(url)
    }

    /// A line of running text: kept for the paragraph, its links found.
    fn prose(&mut self, line: &Line, scan: bool) {
        let span = line.span();
        let mut span = Span::new(line.md_at.min(span.start), span.end);
        let md = line.md(self.source);
        if self.source[line.md_at.min(self.source.len())..].starts_with(md) {
            span.end = span.end.max(line.md_at + md.len());
        }
        match &mut self.para {
            Some((lines, s)) => {
                lines.push(md.to_string());
                s.end = s.end.max(span.end);
            }
            None => self.para = Some((vec![md.to_string()], span)),
        }
        self.para_list = line.depth > 0;
        if scan {
            for f in self.links_of(line, None) {
                self.link(line, &f, Kind::Text, None, None);
            }
        }
    }

    fn end_paragraph(&mut self) {
        if let Some((lines, span)) = self.para.take() {
            self.notes.blocks.push(Block::Paragraph { lines, span });
        }
    }
}

/// Headings that are chapters (`### 0:00 First`): at least two, in
/// increasing time.
fn heading_chapters(
    lines: &[Line],
    cands: &[Option<Result<Cand, chapter_line::BadStamp>>],
) -> Vec<usize> {
    let mut out = Vec::new();
    let mut last = None;
    for (i, l) in lines.iter().enumerate() {
        if l.heading.is_none() {
            continue;
        }
        if let Some(Ok(c)) = &cands[i] {
            if c.form == Form::StampFirst && last.is_none_or(|t| c.start > t) {
                out.push(i);
                last = Some(c.start);
            }
        }
    }
    if out.len() < 2 {
        out.clear();
    }
    out
}

/// Whether an unlabelled chapter list starts at `lines[i]`: at least two
/// chapter items of one form in increasing time, the first at the start
/// of the episode (clock times in a schedule start later; YouTube asks
/// for a first chapter at 0:00); or one line of chapters run together.
fn run_at(
    lines: &[Line],
    cands: &[Option<Result<Cand, chapter_line::BadStamp>>],
    i: usize,
) -> bool {
    if lines[i].heading.is_some() {
        return false;
    }
    let sites = chapter_line::sites(&lines[i]);
    if sites.len() >= 3 {
        if let Some(Ok(c)) = &cands[i] {
            return c.start.as_ms() == 0;
        }
    }
    let Some(Ok(first)) = &cands[i] else {
        return false;
    };
    let form = first.form;
    let mut count = 0;
    let mut last = None;
    let mut j = i;
    while j < lines.len() && count < 3 {
        let Some(Ok(c)) = &cands[j] else { break };
        if lines[j].heading.is_some() || c.form != form {
            break;
        }
        if last.is_some_and(|t| c.start <= t) {
            break;
        }
        last = Some(c.start);
        count += 1;
        j += if form == Form::StampOnly { 2 } else { 1 };
        if form == Form::StampOnly
            && lines
                .get(j - 1)
                .is_none_or(|t| t.heading.is_some() || cands[j - 1].is_some())
        {
            return false;
        }
    }
    count >= 2 && first.start.as_ms() == 0
}

#[cfg(test)]
mod tests {
    use super::{after_separator, line_links, without};

    #[test]
    fn a_line_without_one_inline_link_has_the_links_line_links_finds() {
        let mut lines = Vec::new();
        for f in std::fs::read_dir("fixtures/styles").unwrap() {
            let path = f.unwrap().path();
            if path.extension().is_some_and(|e| e == "md") {
                let text = std::fs::read_to_string(&path).unwrap();
                lines.extend(super::super::markdown::read(&text, 0, &mut Vec::new()));
            }
        }
        let mut checked = 0;
        for line in &lines {
            let all = line_links(line, None);
            for k in 0..line.links.len() {
                assert_eq!(
                    without(&all, line, k),
                    line_links(line, Some(k)),
                    "{}",
                    line.text
                );
                checked += 1;
            }
        }
        assert!(checked > 100, "{checked}");
    }

    #[test]
    fn a_description_loses_the_separator_it_starts_with() {
        for (rest, after) in [
            (" — the docs", "the docs"),
            ("\t-  the docs", "the docs"),
            (": the docs", "the docs"),
            (" | the docs", "the docs"),
            (" · the docs", "the docs"),
            (" –the docs", "the docs"),
            ("—the docs", "the docs"),
            // A hyphen, colon or bar glued to the text is part of it.
            (" -the docs", " -the docs"),
            (":the docs", ":the docs"),
            (" the docs", " the docs"),
            ("", ""),
            (" — ", ""),
        ] {
            assert_eq!(after_separator(rest), after, "{rest:?}");
        }
    }
}
