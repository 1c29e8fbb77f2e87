//! A show's whole feed: reading one ([`read`]), the `feed-*` checks
//! ([`check`]), and writing one from a folder of notes files ([`write`]),
//! each item as `build` renders the RSS item.

pub mod check;
pub mod read;

use std::path::{Path, PathBuf};

use crate::audio::Mode;
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Severity};
use crate::episode::{Audio, Episode, NotesInput};
use crate::error::Result;
use crate::publish::{self, platform::PlatformId, AudioCtx, ChannelCtx, Templates};
use crate::source::Source;

/// One notes file's part in the feed: its source (for its findings), its
/// findings, and whether it is in the feed.
#[derive(Debug)]
pub struct FileReport {
    /// The notes, as read (findings point into it).
    pub source: Source,
    /// Its findings: the notes', the item's, and why it was left out.
    pub diagnostics: Vec<Diagnostic>,
    /// Whether its item is in the feed.
    pub included: bool,
}

/// What `shownotes feed` made.
#[derive(Debug)]
pub struct Written {
    /// The feed.
    pub xml: String,
    /// The channel's findings (`feed-title-missing`, ...).
    pub channel: Vec<Diagnostic>,
    /// Each notes file, in the order read.
    pub files: Vec<FileReport>,
}

/// A notes file to put in the feed: its path and its bytes.
#[derive(Debug)]
pub struct NotesFile {
    /// Its path (its audio is relative to it).
    pub path: PathBuf,
    /// Its bytes.
    pub bytes: Vec<u8>,
}

/// One item made: its sort key and its XML.
struct Made {
    epoch: Option<i64>,
    date: Option<String>,
    number: Option<u64>,
    xml: String,
}

fn is_url(s: &str) -> bool {
    let l = s.get(..8).unwrap_or(s).to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}

/// The audio of remote notes (`audio` a URL) as the RSS item needs it:
/// its length and duration from the front matter.
fn remote_audio(url: &str, length: Option<u64>, duration_ms: Option<u64>) -> AudioCtx {
    let file_name = url
        .split(['?', '#'])
        .next()
        .and_then(|p| p.rsplit('/').next())
        .unwrap_or("")
        .to_string();
    let duration_ms = duration_ms.unwrap_or(0);
    AudioCtx {
        file_name,
        url: Some(url.to_string()),
        chapters_url: None,
        chapters_file_name: String::new(),
        bytes: length.unwrap_or(0),
        mime: check::mime_of(url).unwrap_or("audio/mpeg").to_string(),
        duration_ms,
        duration_seconds: (duration_ms + 500) / 1000,
    }
}

/// Writes the feed of `files` with `config`: each file loaded as an
/// episode (its local audio walked), drafts and files with errors left
/// out with a finding, the rest rendered by the RSS item's template and
/// checked together, newest first, inside the channel of `feed.xml.j2`.
pub fn write(
    files: Vec<NotesFile>,
    config: &Config,
    templates: &Templates,
    overrides: Option<&Path>,
) -> Result<Written> {
    let mut reports = Vec::new();
    let mut made: Vec<Option<Made>> = Vec::new();
    let mut facts_own: Vec<Facts> = Vec::new();
    for f in files {
        let name = f.path.display().to_string();
        let input = NotesInput {
            name: &name,
            path: Some(&f.path),
            bytes: &f.bytes,
        };
        // Local audio is walked; a URL is not (the front matter's
        // `length` and `duration` stand for it).
        let audio = Audio::Find(None, Mode::Walk);
        let ep = match Episode::load(input, config.clone(), config.path.clone(), audio) {
            Ok(e) => e,
            Err(not_text) => {
                let (source, d) = *not_text;
                reports.push(FileReport {
                    source,
                    diagnostics: vec![d],
                    included: false,
                });
                made.push(None);
                facts_own.push(Facts::default());
                continue;
            }
        };
        let remote = ep.notes.front_matter.audio.as_deref().is_some_and(is_url);
        let one = one(&ep, remote, config, templates)?;
        let mut diags = one.diagnostics;
        // A draft is unfinished: its notes' findings are `check`'s to
        // report, not the feed's.
        if !ep.notes.front_matter.draft() {
            diags.extend(ep.diagnostics.iter().cloned());
        }
        let fm = &ep.notes.front_matter;
        let epoch = fm
            .date
            .as_deref()
            .and_then(|d| crate::notes::date::Date::parse(d).ok())
            .map(|d| check::epoch(&d));
        let included = one.xml.is_some();
        facts_own.push(Facts {
            title: fm.title.clone().unwrap_or_else(|| ep.stem.clone()),
            guid: one.guid,
            season: fm.season,
            episode: fm.episode,
            epoch,
            enclosure: one.enclosure,
        });
        made.push(one.xml.map(|xml| Made {
            epoch,
            date: fm.date.clone(),
            number: fm.episode,
            xml,
        }));
        crate::diagnostic::sort(&mut diags);
        reports.push(FileReport {
            source: ep.notes.source.clone(),
            diagnostics: diags,
            included,
        });
    }
    // The items' checks, over the items in the feed.
    // Only the items in the feed are checked together.
    let kept: Vec<usize> = (0..made.len()).filter(|&i| made[i].is_some()).collect();
    let facts: Vec<check::ItemFacts<'_>> = kept
        .iter()
        .map(|&i| {
            let f = &facts_own[i];
            check::ItemFacts {
                span: None,
                title: &f.title,
                guid: f.guid.as_deref(),
                season: f.season,
                episode: f.episode,
                epoch: f.epoch,
                enclosure: f
                    .enclosure
                    .as_ref()
                    .map(|(u, t)| (u.as_str(), Some(t.as_str()))),
            }
        })
        .collect();
    for (k, d) in check::items(&facts, check::now()) {
        reports[kept[k]].diagnostics.push(d);
    }
    let mut channel = publish::channel(config);
    let mut channel_diags = check::channel(&check::ChannelFacts {
        title: channel.title.as_deref(),
        description: channel.description.as_deref(),
        image: config.feed.image.as_deref(),
        language: channel.language.as_deref(),
        categories: &config.feed.categories,
        explicit: channel.explicit,
        owner_email: channel.owner.as_ref().and_then(|o| o.email.as_deref()),
        kind: channel.kind.as_deref(),
        guid: channel.guid.as_deref(),
        self_url: channel.self_url.as_deref(),
    });
    if let (Some(img), Some(dir)) = (&config.feed.image, &config.dir) {
        if !is_url(img) {
            channel_diags.extend(check::image_file(&dir.join(img), img));
        }
    }
    let mut items: Vec<Made> = made.into_iter().flatten().collect();
    // Newest first; undated last; ties by episode number, highest first.
    items.sort_by(|a, b| b.epoch.cmp(&a.epoch).then(b.number.cmp(&a.number)));
    channel.last_build_date = items
        .first()
        .and_then(|m| m.date.as_deref())
        .and_then(publish::platform::rss::rfc2822);
    let xml_items: Vec<&str> = items.iter().map(|m| m.xml.trim_end()).collect();
    #[derive(serde::Serialize)]
    struct FeedView<'a> {
        show: publish::ShowCtx,
        channel: &'a ChannelCtx,
        items: &'a [&'a str],
    }
    let view = FeedView {
        show: publish::ShowCtx {
            title: config.show.title.clone(),
            website: channel.link.clone(),
            language: config.show.language.clone(),
        },
        channel: &channel,
        items: &xml_items,
    };
    let xml = publish::render_feed(overrides, &view, xml_items.len())?;
    Ok(Written {
        xml,
        channel: channel_diags,
        files: reports,
    })
}

/// One item's facts for the checks over all items.
#[derive(Debug, Default)]
struct Facts {
    title: String,
    guid: Option<String>,
    season: Option<u64>,
    episode: Option<u64>,
    epoch: Option<i64>,
    /// The enclosure's URL (or file) and type.
    enclosure: Option<(String, String)>,
}

/// One episode made into an item, or why not.
#[derive(Debug, Default)]
struct One {
    xml: Option<String>,
    diagnostics: Vec<Diagnostic>,
    guid: Option<String>,
    enclosure: Option<(String, String)>,
}

/// One episode's item, or why it is left out.
fn one(ep: &Episode, remote: bool, config: &Config, templates: &Templates) -> Result<One> {
    let fm = &ep.notes.front_matter;
    let left_out = |d: Vec<Diagnostic>| One {
        diagnostics: d,
        ..One::default()
    };
    let skip = |why: String, help: &str| Diagnostic::new(Code::FeedEpisodeSkipped, why).help(help);
    if fm.draft() {
        let d = Diagnostic::new(
            Code::FeedDraftSkipped,
            format!("`{}` is a draft: left out of the feed", ep.stem),
        )
        .at_opt(crate::notes::front_matter::locate(
            &ep.notes.source,
            "draft",
        ))
        .help("set `draft = false` (or delete it) to publish the episode");
        return Ok(left_out(vec![d]));
    }
    if ep.diagnostics.iter().any(|d| d.severity == Severity::Error) {
        return Ok(left_out(vec![skip(
            format!("`{}` has errors: left out of the feed", ep.stem),
            "fix the errors above; `shownotes check` lists them",
        )]));
    }
    let mut ctx = publish::context(&ep.notes, config, ep.audio.as_ref());
    if remote {
        let url = fm.audio.as_deref().unwrap_or_default();
        ctx.audio = Some(remote_audio(url, fm.length, fm.duration_ms));
    }
    let Some(audio) = &ctx.audio else {
        let why = if fm.audio.is_some() {
            "its audio could not be read"
        } else {
            "it has no `audio`"
        };
        return Ok(left_out(vec![Diagnostic::new(
            Code::FeedEnclosureMissing,
            format!("`{}` is left out of the feed: {why}", ep.stem),
        )
        .help("give the episode `audio`: a file beside the notes, or the published file's URL with `length` and `duration`")]));
    };
    if audio.url.is_none() {
        return Ok(left_out(vec![skip(
            format!("`{}` is left out of the feed: its audio has no URL", ep.stem),
            "set `[show] media_base_url` in `shownotes.toml`, or give `audio` as the published file's URL",
        )]));
    }
    // The file as named (its extension) and the type the enclosure gets.
    let enclosure = (
        fm.audio.clone().unwrap_or_else(|| audio.file_name.clone()),
        audio.mime.clone(),
    );
    let out = publish::build(templates, &ctx, &ep.notes, config, &[PlatformId::Rss])?;
    let mut diags = out.diagnostics;
    if diags.iter().any(|d| d.severity == Severity::Error) {
        diags.push(skip(
            format!("`{}`'s item has errors: left out of the feed", ep.stem),
            "fix the errors above; `shownotes build --platform rss` shows the item",
        ));
        return Ok(left_out(diags));
    }
    let xml = out
        .files
        .into_iter()
        .find(|(p, _)| *p == PlatformId::Rss)
        .map(|(_, x)| x);
    Ok(One {
        xml,
        diagnostics: diags,
        guid: ctx.episode.guid.clone(),
        enclosure: Some(enclosure),
    })
}
