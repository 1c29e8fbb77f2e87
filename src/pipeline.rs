//! The one pipeline `check` and `build` share, so they cannot disagree:
//! a loaded episode (notes rules, audio; [`Episode::load`]) → the enabled
//! platforms rendered → each output checked against its platform's rules
//! → `[rules]` severities and the file's own opt-outs applied.

use crate::diagnostic::{self, Code, Diagnostic};
use crate::episode::Episode;
use crate::error::Result;
use crate::notes::Notes;
use crate::publish::platform::{PlatformId, Unmet};
use crate::publish::{self, Outputs, Templates};
use crate::source::Span;

/// What the pipeline made of an episode besides its findings (which it
/// adds to [`Episode::diagnostics`]).
#[derive(Debug)]
pub struct Checked {
    /// Each platform's output, in build order (findings moved out).
    pub outputs: Outputs,
    /// The platforms left out because the episode lacks what they need
    /// (the RSS item without audio or `[show] media_base_url`), with why.
    pub skipped: Vec<(PlatformId, Unmet)>,
}

/// Runs the platforms' half of the pipeline over `episode`: the platforms
/// `asked` for (`--platform`; empty: `[platforms] enabled`, else all),
/// less those the episode cannot feed (skipped; an error when `asked`
/// named one), rendered with `templates` and checked against each
/// platform's rules. Those findings get their `[rules]` severity (or are
/// dropped), as the episode's own got theirs in [`Episode::load`], the
/// codes the notes turn off are dropped, and all are sorted.
///
/// `Err`: a platform named in `asked` cannot be built, or a template
/// failed.
pub fn run(episode: &mut Episode, templates: &Templates, asked: &[PlatformId]) -> Result<Checked> {
    drop_directives(&mut episode.notes);
    let explicit = !asked.is_empty();
    let mut wanted = publish::choose(asked, &episode.config);
    let skipped = publish::drop_unmet(
        &mut wanted,
        explicit,
        episode.audio.as_ref(),
        &episode.diagnostics,
        &episode.config,
    )?;
    let context = publish::context(&episode.notes, &episode.config, episode.audio.as_ref());
    let mut outputs = publish::build(
        templates,
        &context,
        &episode.notes,
        &episode.config,
        &wanted,
    )?;
    let large = episode.notes.source.text.len() >= crate::parallel::SHARED_FROM;
    crate::parallel::drop_aside(context, large);
    // The episode's own findings had `[rules]` applied when it was loaded.
    let mut found = std::mem::take(&mut outputs.diagnostics);
    let (off, _) = disabled(&episode.notes);
    apply_rules(&mut found, &episode.config, &off);
    episode.diagnostics.append(&mut found);
    diagnostic::sort(&mut episode.diagnostics);
    Ok(Checked { outputs, skipped })
}

/// Applies `[rules]` (a code's severity, or `off`) and the codes the file
/// turns off (`off`) to `diags`.
pub fn apply_rules(diags: &mut Vec<Diagnostic>, config: &crate::config::Config, off: &[Code]) {
    use crate::config::RuleLevel;
    use crate::diagnostic::Severity;
    if config.rules.is_empty() && off.is_empty() {
        return;
    }
    diags.retain_mut(|d| {
        if off.contains(&d.code) {
            return false;
        }
        match config.rule(d.code) {
            Some(RuleLevel::Off) => false,
            Some(RuleLevel::Error) => {
                d.severity = Severity::Error;
                true
            }
            Some(RuleLevel::Warning) => {
                d.severity = Severity::Warning;
                true
            }
            None => true,
        }
    });
}

/// The word that starts an opt-out comment.
const DISABLE: &str = "shownotes-disable";

/// The codes a notes file turns off for itself, and a finding for each
/// name in an opt-out that is not a code (`notes-disable-unknown`, with a
/// near miss when there is one).
///
/// The opt-out is an HTML comment on a line of its own,
/// `<!-- shownotes-disable link-insecure chapter-title-too-long -->`
/// (codes separated by blanks or commas); Markdown renderers hide it, and
/// the notes reader keeps it out of every output.
pub fn disabled(notes: &Notes) -> (Vec<Code>, Vec<Diagnostic>) {
    let mut names: Vec<(&str, Option<Span>)> = comment_codes(&notes.source.text);
    // The front matter's `shownotes.disable` list (its unknown codes are
    // `front-matter-invalid` already, at their line).
    names.extend(
        notes
            .front_matter
            .disable
            .iter()
            .filter(|c| Code::from_name(c).is_some())
            .map(|c| (c.as_str(), None)),
    );
    names.retain(|(n, _)| !n.is_empty());
    let mut off = Vec::new();
    let mut unknown = Vec::new();
    for (name, span) in names {
        match Code::from_name(name) {
            Some(code) => off.push(code),
            None => {
                let near = Code::ALL
                    .iter()
                    .map(|c| {
                        (
                            crate::notes::front_matter::edit_distance(name, c.as_str()),
                            c,
                        )
                    })
                    .filter(|(d, _)| *d <= 2)
                    .min_by_key(|(d, _)| *d);
                let d = Diagnostic::new(
                    Code::NotesDisableUnknown,
                    format!("`{name}` in `{DISABLE}` is not a diagnostic code"),
                )
                .at_opt(span)
                .label("not a code");
                unknown.push(match near {
                    Some((_, c)) => d.help(format!("did you mean `{c}`?")),
                    None => d.help(
                        "name codes as findings show them, such as `link-insecure` (`shownotes check --format json` lists each finding's code)",
                    ),
                });
            }
        }
    }
    (off, unknown)
}

/// Whether `line` is an opt-out comment (`<!-- shownotes-disable ... -->`).
fn is_directive(line: &str) -> bool {
    line.trim()
        .strip_prefix("<!--")
        .and_then(|r| r.strip_suffix("-->"))
        .and_then(|r| r.trim_start().strip_prefix(DISABLE))
        .is_some_and(|r| r.starts_with(|c: char| c.is_whitespace() || c == ':'))
}

/// Takes the opt-out comments out of the notes' paragraphs: they are
/// directives to `check`, not text for any platform.
fn drop_directives(notes: &mut Notes) {
    if !notes.source.text.contains(DISABLE) {
        return;
    }
    for b in &mut notes.blocks {
        if let crate::notes::Block::Paragraph { lines, .. } = b {
            lines.retain(|l| !is_directive(l));
        }
    }
    notes
        .blocks
        .retain(|b| !matches!(b, crate::notes::Block::Paragraph { lines, .. } if lines.is_empty()));
}

/// The names in every opt-out comment of `text`, each with its span.
fn comment_codes(text: &str) -> Vec<(&str, Option<Span>)> {
    let mut out = Vec::new();
    if !text.contains(DISABLE) {
        return out;
    }
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        if !is_directive(line) {
            continue;
        }
        let Some(rest) = line
            .trim()
            .strip_prefix("<!--")
            .and_then(|r| r.strip_suffix("-->"))
            .and_then(|r| r.trim_start().strip_prefix(DISABLE))
        else {
            continue;
        };
        // Byte offset of `rest` in the text.
        let base = start + (rest.as_ptr() as usize - line.as_ptr() as usize);
        let mut at = 0;
        for word in rest.split(|c: char| c.is_whitespace() || c == ',' || c == ':') {
            if !word.is_empty() {
                out.push((word, Some(Span::new(base + at, base + at + word.len()))));
            }
            at += word.len() + 1;
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::Config;
    use crate::source::Source;

    fn notes(text: &str) -> Notes {
        Notes::parse(Source::new("ep.md", text), &Default::default())
    }

    #[test]
    fn an_opt_out_comment_names_codes_and_a_typo_gets_a_suggestion() {
        let text = "Summary.\n\n<!-- shownotes-disable link-insecure, chapter-title-too-lng -->\n  <!--shownotes-disable: notes-flattened-->\n<!-- shownotes-disabled link-tracking -->\n";
        let (off, unknown) = disabled(&notes(text));
        assert_eq!(off, [Code::LinkInsecure, Code::NotesFlattened]);
        assert_eq!(unknown.len(), 1);
        let d = &unknown[0];
        assert_eq!(d.code, Code::NotesDisableUnknown);
        assert_eq!(
            d.help.as_deref(),
            Some("did you mean `chapter-title-too-long`?")
        );
        let s = d.span.unwrap();
        assert_eq!(&text[s.start..s.end], "chapter-title-too-lng");
    }

    #[test]
    fn rules_change_severities_and_turn_codes_off() {
        let config = Config::parse(
            std::path::Path::new("shownotes.toml"),
            "[rules]\nlink-insecure = \"error\"\nchapters-missing = \"off\"\nchapter-too-few = \"warning\"\n",
        )
        .unwrap();
        let mut d = vec![
            Diagnostic::new(Code::LinkInsecure, "a"),
            Diagnostic::new(Code::ChaptersMissing, "b"),
            Diagnostic::new(Code::ChapterTooFew, "c"),
            Diagnostic::new(Code::LinkTracking, "d"),
            Diagnostic::new(Code::LinkDuplicate, "e"),
        ];
        apply_rules(&mut d, &config, &[Code::LinkDuplicate]);
        let got: Vec<(Code, bool)> = d.iter().map(|d| (d.code, d.is_error())).collect();
        assert_eq!(
            got,
            [
                (Code::LinkInsecure, true),
                (Code::ChapterTooFew, false),
                (Code::LinkTracking, false)
            ]
        );
    }

    #[test]
    fn rules_and_excludes_are_checked_when_the_config_is_read() {
        let parse = |t: &str| Config::parse(std::path::Path::new("shownotes.toml"), t);
        let e = parse(
            "[rules]
link-insecure = \"off\"\nlnk-tracking = \"error\"\n",
        )
        .unwrap_err();
        assert_eq!(
            e.message(),
            "unknown diagnostic code `lnk-tracking` in `[rules]`"
        );
        assert_eq!((e.line(), e.column()), (Some(3), Some(1)));
        assert_eq!(e.help(), Some("did you mean `link-tracking`?"));
        let e = parse("[rules]\nlink-insecure = \"loud\"\n").unwrap_err();
        assert!(
            e.message().contains("unknown variant `loud`"),
            "{}",
            e.message()
        );
        let e = parse("[check]\nexclude = [\"drafts/[z-a]\"]\n").unwrap_err();
        assert!(
            e.message().starts_with("`[check] exclude` has a bad glob"),
            "{}",
            e.message()
        );
        assert_eq!(e.line(), Some(2));
        let c = parse("[check]\nexclude = [\"drafts/\", \"*.tmp.md\"]\n").unwrap();
        let ex = c.excludes(std::path::Path::new("/show")).unwrap();
        assert!(ex
            .matched_path_or_any_parents("/show/drafts/a.md", false)
            .is_ignore());
        assert!(ex
            .matched_path_or_any_parents("/show/eps/x.tmp.md", false)
            .is_ignore());
        assert!(!ex
            .matched_path_or_any_parents("/show/eps/x.md", false)
            .is_ignore());
    }
}
