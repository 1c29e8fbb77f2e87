//! `check --format sarif`: SARIF 2.1.0 (OASIS, "Static Analysis Results
//! Interchange Format Version 2.1.0") for code-scanning tools such as
//! GitHub's, built on serde-sarif's typed model.

use serde_sarif::sarif;

use super::Report;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::error::Error;
use crate::source::Source;

/// The SARIF 2.1.0 schema, as the standard publishes it.
const SCHEMA: &str =
    "https://docs.oasis-open.org/sarif/sarif/v2.1.0/errata01/os/schemas/sarif-schema-2.1.0.json";

/// SARIF 2.1.0 on stdout: one run, one rule per diagnostic code (every
/// code, so a rule's index never changes), one result per finding with
/// its file and region (columns count Unicode code points), the fix where
/// there is one; failures as the invocation's notifications.
#[derive(Default)]
pub struct Sarif {
    results: Vec<sarif::Result>,
    notifications: Vec<sarif::Notification>,
}

/// A path as a relative URI reference: `/` between parts, and every byte
/// that a URI may not hold as it is percent-encoded (RFC 3986, 2.1).
fn uri(path: &str) -> String {
    let path = path.replace('\\', "/");
    let path = path.strip_prefix("./").unwrap_or(&path);
    let mut out = String::with_capacity(path.len());
    for b in path.bytes() {
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn level(s: Severity) -> sarif::ResultLevel {
    match s {
        Severity::Error => sarif::ResultLevel::Error,
        Severity::Warning => sarif::ResultLevel::Warning,
    }
}

fn artifact(path: &str) -> sarif::ArtifactLocation {
    sarif::ArtifactLocation::builder().uri(uri(path)).build()
}

/// The region from `a` to just before `b` (1-based lines and columns).
fn region(a: crate::source::Position, b: crate::source::Position) -> sarif::Region {
    sarif::Region::builder()
        .start_line(a.line as i64)
        .start_column(a.column as i64)
        .end_line(b.line as i64)
        .end_column(b.column as i64)
        .build()
}

/// What a code is about, for its rule's description.
fn describe(code: Code) -> &'static str {
    use Code::*;
    match code {
        NotesEmpty => "The notes hold nothing to parse.",
        NotesNotUtf8 => "The notes file is not UTF-8 text.",
        FrontMatterInvalid => "The front matter does not parse, or a key cannot mean anything.",
        NotesFlattened => "The notes lost their line breaks; their structure was recovered.",
        NotesDisableUnknown => "An opt-out comment names something that is not a code.",
        ChaptersMissing => "The notes have no chapter list.",
        ChapterBadTimestamp => "A chapter's timestamp is not a time.",
        ChapterOutOfOrder => "A chapter starts earlier than the one before it.",
        ChapterDuplicateStart => "Two chapters start at the same time.",
        ChapterFirstNotZero => "The first chapter does not start at 00:00.",
        ChapterTooFew => "Fewer chapters than the platforms need.",
        ChapterTooShort => "A chapter is shorter than YouTube's minimum.",
        ChapterPastEnd => "A chapter starts at or after the audio's end.",
        ChapterTitleEmpty => "A chapter has no title.",
        ChapterTitleTooLong => "A chapter title is longer than the platforms show.",
        ChapterDuplicateTitle => "Two chapters have the same title.",
        ChaptersUnsorted => "A chapter file lists chapters out of order.",
        ChaptersTimebaseMissing => "A chapter file gives no timebase.",
        ChaptersInvalid => "A chapter file does not parse.",
        LinkInvalid => "A link does not parse as a URL.",
        LinkUnsafeScheme => "A link has a scheme that runs code or reads files.",
        LinkInsecure => "A link is plain http://.",
        LinkDuplicate => "The same link twice in a list.",
        LinkTracking => "A link carries tracking parameters.",
        LinkNoDescription => "A link-list item has no description.",
        LinkBroken => "A link answers 404 or 410, or its host does not resolve.",
        LinkRedirected => "A link redirects permanently.",
        LinkUnreachable => "A link could not be reached.",
        AudioMissing => "The audio file named does not exist.",
        AudioUnreadable => "The audio file is not supported or not valid.",
        AudioDurationEstimated => "Only an estimate of the audio's duration could be had.",
        AudioHeaderMismatch => "The audio header's duration and the packets' differ.",
        DescriptionTooLong => "A platform's description exceeds its limit.",
        DescriptionForbiddenChar => {
            "A platform forbids a character of the text (replaced in its output)."
        }
        DescriptionForbiddenTag => "A template writes HTML the platform does not allow.",
        TextInvisibleChar => "An invisible character stands in the text.",
        RssGuidMissing => "An RSS item has no guid and nothing to derive one from.",
        RssDateMissing => "An RSS item has no date.",
        FeedTitleMissing => "The feed's channel has no title.",
        FeedDescriptionMissing => "The feed's channel has no description.",
        FeedImageMissing => "The feed's channel has no artwork.",
        FeedImageInvalid => {
            "The feed's artwork is not a square JPEG or PNG of 1400 to 3000 pixels."
        }
        FeedLanguageMissing => "The feed's channel has no language.",
        FeedCategoryMissing => "The feed's channel has no category.",
        FeedCategoryInvalid => "A feed category is not one of Apple Podcasts' categories.",
        FeedExplicitMissing => "The feed's channel does not say whether it is explicit.",
        FeedOwnerEmailMissing => "The feed's owner has no e-mail address.",
        FeedTypeInvalid => "The feed's type is neither episodic nor serial.",
        FeedPodcastGuidMissing => "The feed has no podcast:guid.",
        FeedSelfLinkMissing => "The feed does not name its own URL.",
        FeedGuidDuplicate => "Two episodes of the feed have the same guid.",
        FeedEpisodeDuplicate => "Two episodes of one season have the same number.",
        FeedEnclosureMissing => "An item of the feed has no enclosure.",
        FeedEnclosureTypeMismatch => "An enclosure's type does not match its audio.",
        FeedDateFuture => "An episode is dated in the future.",
        FeedDraftSkipped => "A draft is left out of the feed.",
        FeedEpisodeSkipped => "An episode is left out of the feed.",
    }
}

fn rules() -> Vec<sarif::ReportingDescriptor> {
    Code::ALL
        .iter()
        .map(|&code| {
            let level = match code.severity() {
                Severity::Error => "error",
                Severity::Warning => "warning",
            };
            sarif::ReportingDescriptor::builder()
                .id(code.as_str())
                .name(code.as_str())
                .short_description(
                    sarif::MultiformatMessageString::builder()
                        .text(describe(code))
                        .build(),
                )
                .default_configuration(
                    sarif::ReportingConfiguration::builder()
                        .level(serde_json::json!(level))
                        .build(),
                )
                .build()
        })
        .collect()
}

impl Report for Sarif {
    fn file(&mut self, source: &Source, diags: &[Diagnostic]) {
        for d in diags {
            let mut physical = sarif::PhysicalLocation::builder()
                .artifact_location(artifact(&source.name))
                .build();
            if let Some((a, b)) = super::range(source, d) {
                physical.region = Some(region(a, b));
            }
            let mut text = d.message.clone();
            if let Some(p) = d.platform {
                text.push_str(&format!(" ({p})"));
            }
            if let Some(help) = &d.help {
                text.push_str(&format!("\nhelp: {help}"));
            }
            let index = Code::ALL.iter().position(|c| *c == d.code).unwrap_or(0);
            let mut result = sarif::Result::builder()
                .rule_id(d.code.as_str())
                .rule_index(index as i64)
                .level(level(d.severity))
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![sarif::Location::builder()
                    .physical_location(physical)
                    .build()])
                .build();
            if let Some(f) = &d.fix {
                let deleted = region(source.position(f.span.start), source.position(f.span.end));
                let change = sarif::ArtifactChange::builder()
                    .artifact_location(artifact(&source.name))
                    .replacements(vec![sarif::Replacement::builder()
                        .deleted_region(deleted)
                        .inserted_content(
                            sarif::ArtifactContent::builder()
                                .text(f.replacement.clone())
                                .build(),
                        )
                        .build()])
                    .build();
                result.fixes = Some(vec![sarif::Fix::builder()
                    .description(
                        sarif::Message::builder()
                            .text("shownotes check --fix")
                            .build(),
                    )
                    .artifact_changes(vec![change])
                    .build()]);
            }
            self.results.push(result);
        }
    }

    fn fatal(&mut self, path: &str, error: &Error) {
        let mut text = error.to_string();
        if let Some(help) = error.help() {
            text.push_str(&format!("\nhelp: {help}"));
        }
        self.notifications.push(
            sarif::Notification::builder()
                .level(serde_json::json!("error"))
                .message(sarif::Message::builder().text(text).build())
                .locations(vec![sarif::Location::builder()
                    .physical_location(
                        sarif::PhysicalLocation::builder()
                            .artifact_location(artifact(path))
                            .build(),
                    )
                    .build()])
                .build(),
        );
    }

    fn stdout(&mut self) -> String {
        let driver = sarif::ToolComponent::builder()
            .name("shownotes")
            .version(env!("CARGO_PKG_VERSION"))
            .semantic_version(env!("CARGO_PKG_VERSION"))
            .rules(rules())
            .build();
        let invocation = sarif::Invocation::builder()
            .execution_successful(self.notifications.is_empty())
            .tool_execution_notifications(std::mem::take(&mut self.notifications))
            .build();
        let run = sarif::Run::builder()
            .tool(sarif::Tool::builder().driver(driver).build())
            .results(std::mem::take(&mut self.results))
            .invocations(vec![invocation])
            .column_kind(serde_json::json!("unicodeCodePoints"))
            .build();
        let doc = sarif::Sarif::builder()
            .schema(SCHEMA)
            .version(serde_json::json!("2.1.0"))
            .runs(vec![run])
            .build();
        let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
        s.push('\n');
        s
    }

    fn stderr(&mut self) -> String {
        String::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::tests::sample;

    #[test]
    fn sarif_reads_back_with_rules_levels_and_regions() {
        let (src, mut d) = sample();
        d[0] = d[0].clone().fix(crate::source::Span::new(21, 26), "01:15");
        let mut r = Sarif::default();
        r.file(&src, &d);
        let out = r.stdout();
        let doc: sarif::Sarif = serde_json::from_str(&out).unwrap();
        assert_eq!(doc.version, serde_json::json!("2.1.0"));
        let run = &doc.runs[0];
        let rules = run.tool.driver.rules.as_ref().unwrap();
        assert_eq!(rules.len(), Code::ALL.len());
        let results = run.results.as_ref().unwrap();
        assert_eq!(results.len(), 2);
        let r0 = &results[0];
        assert_eq!(r0.rule_id.as_deref(), Some("chapter-bad-timestamp"));
        let i = r0.rule_index.unwrap() as usize;
        assert_eq!(rules[i].id, "chapter-bad-timestamp");
        assert!(matches!(r0.level, Some(sarif::ResultLevel::Error)));
        let loc = r0.locations.as_ref().unwrap()[0]
            .physical_location
            .as_ref()
            .unwrap();
        assert_eq!(
            loc.artifact_location.as_ref().unwrap().uri.as_deref(),
            Some("ep.md")
        );
        let reg = loc.region.as_ref().unwrap();
        assert_eq!(
            (
                reg.start_line,
                reg.start_column,
                reg.end_line,
                reg.end_column
            ),
            (Some(3), Some(1), Some(3), Some(6))
        );
        assert!(r0.fixes.is_some());
        assert!(matches!(
            results[1].level,
            Some(sarif::ResultLevel::Warning)
        ));
    }

    #[test]
    fn paths_are_uri_references() {
        assert_eq!(uri("./eps/ep 1#.md"), "eps/ep%201%23.md");
        assert_eq!(uri("a\\b.md"), "a/b.md");
    }
}
