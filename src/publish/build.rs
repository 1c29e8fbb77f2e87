//! `build` over the platforms: which to build, what each needs, and the
//! render and checks of each output in build order (a platform that
//! embeds others' outputs comes after them).

use super::context::{Context, HtmlCtx};
use super::platform::{self, Offered, PlatformId, Unmet};
use super::rules::{check_html, check_size, forbidden_tags};
use super::templates::{Shared, Templates};
use crate::audio::AudioInfo;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic};
use crate::error::{Error, ErrorKind, Result};
use crate::notes::{Block, Notes};
use crate::source::Span;

/// Everything `build` produces: each platform's output, the chapters
/// file the RSS item points at, and the findings of the platforms' rules.
#[derive(Clone, Debug, Default)]
pub struct Outputs {
    /// `(platform, output)`, in build order.
    pub files: Vec<(PlatformId, String)>,
    /// Podcasting 2.0 chapters, `(file name, JSON)`: `<audio stem>.chapters.json`,
    /// the file the RSS item's `<podcast:chapters>` points at. Only when the
    /// RSS item is built and the episode has chapters (no other platform
    /// reads the file).
    pub chapters_file: Option<(String, String)>,
    /// `description-too-long`, `description-forbidden-char`, ...
    pub diagnostics: Vec<Diagnostic>,
}

impl Outputs {
    /// Every file to write, `(file name, text)`: each platform's output in
    /// build order, then the chapters file when there is one.
    pub fn named(&self) -> Vec<(&str, &str)> {
        let mut files: Vec<(&str, &str)> = self
            .files
            .iter()
            .map(|(id, text)| (platform::get(*id).file_name(), text.as_str()))
            .collect();
        if let Some((name, json)) = &self.chapters_file {
            files.push((name.as_str(), json.as_str()));
        }
        files
    }

    /// The output of `id`, when it was built.
    pub fn get(&self, id: PlatformId) -> Option<&str> {
        self.files
            .iter()
            .find(|(p, _)| *p == id)
            .map(|(_, s)| s.as_str())
    }
}

/// The platforms to build: `asked` (`--platform`), else `[platforms]
/// enabled`, else all; in build order, each once.
pub fn choose(asked: &[PlatformId], config: &Config) -> Vec<PlatformId> {
    let mut wanted: Vec<PlatformId> = if asked.is_empty() {
        config
            .platforms
            .enabled
            .clone()
            .unwrap_or_else(|| PlatformId::ALL.to_vec())
    } else {
        asked.to_vec()
    };
    wanted.sort();
    wanted.dedup();
    wanted
}

/// Takes out of `wanted` each platform whose output needs what the episode
/// lacks ([`platform::Platform::unmet`]: the RSS item needs the audio and
/// `[show] media_base_url`), and returns them with why. A platform asked
/// for by name (`explicit`) that can't be built is an error instead.
pub fn drop_unmet(
    wanted: &mut Vec<PlatformId>,
    explicit: bool,
    audio: Option<&AudioInfo>,
    diagnostics: &[Diagnostic],
    config: &Config,
) -> Result<Vec<(PlatformId, Unmet)>> {
    let offered = Offered {
        audio: audio.is_some(),
        audio_reported: diagnostics
            .iter()
            .any(|d| matches!(d.code, Code::AudioMissing | Code::AudioUnreadable)),
        media_base_url: config.show.media_base_url.is_some(),
    };
    let mut dropped = Vec::new();
    for &id in wanted.iter() {
        if let Some(unmet) = platform::get(id).unmet(&offered) {
            if explicit {
                return Err(Error::new(
                    ErrorKind::Unsupported,
                    format!("cannot build `{id}`: {}", unmet.why),
                )
                .with_help(unmet.help));
            }
            dropped.push((id, unmet));
        }
    }
    wanted.retain(|id| !dropped.iter().any(|(d, _)| d == id));
    Ok(dropped)
}

/// The outputs `embeds` names (rendered before), in its order.
fn embedded(embeds: &[PlatformId], rendered: &[(PlatformId, String)]) -> HtmlCtx {
    HtmlCtx(
        embeds
            .iter()
            .map(|&e| {
                let html = rendered.iter().find(|(p, _)| *p == e);
                (e, html.map(|(_, h)| h.clone()).unwrap_or_default())
            })
            .collect(),
    )
}

/// The context with `html` as a platform that embeds others' outputs
/// receives it (`shownotes context` prints it so): those outputs rendered
/// from `ctx` first.
pub fn with_html(templates: &Templates, mut ctx: Context) -> Result<Context> {
    let mut rendered = Vec::new();
    let mut embeds: Vec<PlatformId> = Vec::new();
    for p in platform::all() {
        for &e in p.embeds() {
            if !embeds.contains(&e) {
                rendered.push((e, templates.render(e, &ctx)?.0));
                embeds.push(e);
            }
        }
    }
    ctx.html = Some(embedded(&embeds, &rendered));
    Ok(ctx)
}

/// Renders `platforms` (and the outputs they embed, even when not asked
/// for: the RSS item holds the Apple and Spotify HTML) and checks each
/// output against its platform's rules.
pub fn build(
    templates: &Templates,
    ctx: &Context,
    notes: &Notes,
    config: &Config,
    platforms: &[PlatformId],
) -> Result<Outputs> {
    let mut out = Outputs::default();
    let wants = |p: PlatformId| platforms.contains(&p);
    if wants(PlatformId::Rss) {
        out.chapters_file = chapters_file(ctx, notes);
        out.diagnostics.extend(rss_item_findings(ctx));
    }
    let embedded_by_wanted = |id: PlatformId| {
        platforms
            .iter()
            .any(|&p| platform::get(p).embeds().contains(&id))
    };
    // The outputs kept for a platform that embeds them.
    let mut kept: Vec<(PlatformId, String)> = Vec::new();
    // The context as template values, made once for every platform.
    let shared = Shared::new(ctx);
    let needed = |p: &dyn platform::Platform| wants(p.id()) || embedded_by_wanted(p.id());
    // The platforms that embed no other output do not depend on each
    // other: their renders start at once (the machine's cores share them)
    // and are taken in build order below, so results, findings and the
    // first error are those of rendering one after the other.
    let mut started = Vec::new();
    for p in platform::all().filter(|p| needed(*p) && p.embeds().is_empty()) {
        started.push((p.id(), templates.start(p.id(), &shared, ctx.html.as_ref())?));
    }
    let mut started = started.into_iter();
    for p in platform::all() {
        let id = p.id();
        let embedded_here = embedded_by_wanted(id);
        if !needed(p) {
            continue;
        }
        let html = (!p.embeds().is_empty()).then(|| embedded(p.embeds(), &kept));
        let (text, replaced) = match &html {
            Some(html) => templates.render_shared(id, &shared, Some(html))?,
            None => {
                let (started_id, pending) = started.next().expect("every render was started");
                debug_assert_eq!(started_id, id);
                pending.finish()?
            }
        };
        let mut diags = Vec::new();
        let text = p.finish(text, replaced, &mut diags);
        if let Some(tags) = p.allowed_tags() {
            // A built-in template escapes every value it prints, links
            // only to URLs that passed the gate, and writes only the tags
            // its platform allows: its output cannot fail the check, which
            // is there for a user template that prints a value `|safe`.
            // Checked all the same in debug builds (every test, the
            // proptest of hostile notes in `templates.rs`), skipped in a
            // release build, where it was about a tenth of a 1 MB check.
            let found = if templates.is_built_in(id) {
                debug_assert!(
                    check_html(id, &text, tags).is_empty(),
                    "the built-in {id} template wrote markup its platform refuses"
                );
                Vec::new()
            } else {
                check_html(id, &text, tags)
            };
            if found
                .iter()
                .any(|d| d.code == Code::DescriptionForbiddenTag)
            {
                // A tag the template writes itself is the template's
                // error, shown at the template, not a finding in the notes.
                for tag in forbidden_tags(&text, tags) {
                    if let Some(e) = templates.writes_tag(id, &tag, tags) {
                        return Err(e);
                    }
                }
            }
            diags.extend(found);
        }
        if wants(id) {
            diags.extend(check_size(id, "description", &text, config.max_bytes(id)));
        }
        if embedded_here {
            kept.push((id, text.clone()));
        }
        // An embedded output not built on its own is checked against its
        // own platform's limit where it stands.
        if let (Some((other, what)), Some(html)) = (p.embedded_limit(), &html) {
            if !wants(other) {
                let text = html.get(other).unwrap_or_default();
                diags.extend(check_size(id, what, text, config.max_bytes(other)));
            }
        }
        for d in &mut diags {
            if d.code == Code::DescriptionForbiddenChar && d.span.is_none() {
                d.span = first_angle(notes);
            }
        }
        if wants(id) {
            out.diagnostics.extend(diags);
            out.files.push((id, text));
        }
    }
    shared.free();
    Ok(out)
}

/// The chapters file beside the RSS item: `<audio stem>.chapters.json`
/// (the name `<podcast:chapters url>` ends with), when there are chapters.
fn chapters_file(ctx: &Context, notes: &Notes) -> Option<(String, String)> {
    if notes.chapters.is_empty() {
        return None;
    }
    let audio = ctx.audio.as_ref()?;
    Some((
        audio.chapters_file_name.clone(),
        crate::formats::json::write(&notes.chapters),
    ))
}

/// What an RSS item must have that the episode may lack: a `<guid>`
/// (the front matter's, else the episode URL, else the audio URL) and a
/// `<pubDate>` (RSS 2.0 specification, <https://www.rssboard.org/rss-specification>:
/// podcast apps identify and order episodes by them).
fn rss_item_findings(ctx: &Context) -> Vec<Diagnostic> {
    let mut out = Vec::new();
    if ctx.episode.guid.is_none() {
        out.push(
            Diagnostic::new(
                Code::RssGuidMissing,
                "the RSS item has no `<guid>`: the front matter has no `guid`, and there is no episode URL or audio URL to derive one from",
            )
            .help("add a `guid` to the front matter (any stable identifier), or set `[show] episode_url` in `shownotes.toml`")
            .platform("rss"),
        );
    }
    // A date that is not a date is reported where it stands
    // (`front-matter-invalid`); only a missing one is reported here.
    if ctx.episode.date.is_none() {
        out.push(
            Diagnostic::new(
                Code::RssDateMissing,
                "the RSS item has no `<pubDate>`: the front matter has no `date`",
            )
            .help("add the release date to the front matter, such as `date: 2025-10-28` (YAML) or `date = 2025-10-28` (TOML)")
            .platform("rss"),
        );
    }
    out
}

/// The first `<` or `>` in the notes' text that reaches an output: a
/// chapter title or a paragraph (not an `<autolink>`).
fn first_angle(notes: &Notes) -> Option<Span> {
    let text = &notes.source.text;
    let mut spans: Vec<Span> = notes.chapters.iter().filter_map(|c| c.title_span).collect();
    spans.extend(notes.blocks.iter().filter_map(|b| match b {
        Block::Paragraph { span, .. } | Block::Heading { span, .. } => Some(*span),
        _ => None,
    }));
    spans.sort();
    let link_ends: std::collections::HashSet<usize> =
        notes.links.iter().map(|l| l.span.end).collect();
    spans.into_iter().find_map(|s| {
        let body = text.get(s.start..s.end)?;
        body.char_indices()
            .filter(|(_, c)| matches!(c, '<' | '>'))
            .find(|(i, c)| {
                // Skip the brackets of `<https://...>` autolinks.
                let rest = &body[*i..];
                !(*c == '<' && (rest.starts_with("<http") || rest.starts_with("<mailto:")))
                    && !(*c == '>' && link_ends.contains(&(s.start + i)))
            })
            .map(|(i, _)| Span::new(s.start + i, s.start + i + 1))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn platforms_are_chosen_in_build_order_once() {
        let config = Config::default();
        let asked = [PlatformId::Rss, PlatformId::Youtube, PlatformId::Rss];
        assert_eq!(
            choose(&asked, &config),
            [PlatformId::Youtube, PlatformId::Rss]
        );
        assert_eq!(choose(&[], &config), PlatformId::ALL);
    }

    #[test]
    fn a_platform_that_needs_what_is_missing_is_dropped_or_refused() {
        let config = Config::default();
        let mut wanted = PlatformId::ALL.to_vec();
        let dropped = drop_unmet(&mut wanted, false, None, &[], &config).unwrap();
        assert_eq!(
            wanted,
            [PlatformId::Spotify, PlatformId::Apple, PlatformId::Youtube]
        );
        assert_eq!(dropped.len(), 1);
        assert_eq!(dropped[0].0, PlatformId::Rss);
        assert_eq!(dropped[0].1.why, "no audio was given");
        let mut wanted = vec![PlatformId::Rss];
        let e = drop_unmet(&mut wanted, true, None, &[], &config).unwrap_err();
        assert_eq!(e.message(), "cannot build `rss`: no audio was given");
        assert_eq!(
            e.help(),
            Some("give `--audio FILE` or the front matter's `audio`")
        );
    }
}
