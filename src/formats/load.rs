//! Chapters from any input — a notes file, a chapter file in any format,
//! an MP3's tag — checked by the show's chapter rules (and against the
//! audio's end when known), and the policy of which findings stop a
//! command from writing them. A notes file is loaded as every command
//! loads an episode ([`crate::episode::Episode::load`]): its config, its
//! front matter's `audio`, every check.

use std::io::Read;
use std::path::{Path, PathBuf};

use super::{guess, notes, read, Format, Parsed};
use crate::audio::{self, AudioInfo, Mode};
use crate::chapter::{self, shift::Shift, Chapter, Rules};
use crate::config::Config;
use crate::diagnostic::{Code, Diagnostic, Family};
use crate::episode::{Audio, Episode, NotesInput};
use crate::error::{Error, ErrorKind, Result};
use crate::regular;
use crate::source::Source;
use crate::timestamp::Timestamp;

/// Findings that make the chapters themselves wrong: nothing is written.
/// Platform rules (`chapter-too-short`, `chapter-too-few`, ...) are
/// reported but do not stop a conversion. A chapter `url` or `img` that
/// fails the URL gate (`link-unsafe-scheme`, `link-invalid`) stops it too,
/// as it stops `build`: the file says to link somewhere it must not.
const BLOCKING: &[Code] = &[
    Code::LinkUnsafeScheme,
    Code::LinkInvalid,
    Code::NotesNotUtf8,
    Code::NotesEmpty,
    Code::ChaptersInvalid,
    Code::ChapterBadTimestamp,
    Code::ChapterOutOfOrder,
    Code::ChapterDuplicateStart,
    Code::ChapterPastEnd,
    Code::AudioMissing,
    Code::AudioUnreadable,
];

/// The chapter rules whose findings depend on where the chapters lie in
/// time, rather than on their order or titles: checked again after a
/// [`Loaded::shift`].
const TIMED: &[Code] = &[
    Code::ChapterFirstNotZero,
    Code::ChapterPastEnd,
    Code::ChapterTooShort,
];

/// What chapters are read with, besides the input: the show config and the
/// audio to check them against.
#[derive(Clone, Copy, Debug)]
pub struct Options<'a> {
    /// The show config: its `[chapters]` rules (and a notes file's
    /// `[links]`).
    pub config: &'a Config,
    /// Where `config` was read from, if anywhere.
    pub config_path: Option<&'a Path>,
    /// The audio named on the command line; without it, a notes file's
    /// front matter `audio` (relative to the notes file) is measured.
    pub audio: Option<&'a Path>,
    /// How the audio is measured.
    pub mode: Mode,
}

/// Chapters read from an input, checked.
#[derive(Debug)]
pub struct Loaded {
    /// The input's text, for positions (empty for binary inputs).
    pub source: Source,
    /// The format the input was read in.
    pub format: Format,
    /// The chapters, in time order (a notes file's: in the order written).
    pub chapters: Vec<Chapter>,
    /// Findings about the chapters (and the input's decoding, and the
    /// audio).
    pub diagnostics: Vec<Diagnostic>,
    /// The audio a notes file's front matter names (relative to it).
    pub named_audio: Option<PathBuf>,
    /// The audio measured (the one given, else the one the notes name),
    /// when it could be read.
    pub audio: Option<AudioInfo>,
    /// The chapter rules the chapters were checked by.
    pub rules: Rules,
    /// For a notes file: the show config and the codes the file turns
    /// off, to give findings made again ([`Loaded::shift`]) their `[rules]`
    /// severity as the first ones got theirs.
    pub(crate) rules_applied: Option<(Config, Vec<Code>)>,
}

impl Loaded {
    /// Whether a finding makes the chapters wrong (see `BLOCKING`).
    pub fn blocked(&self) -> bool {
        self.diagnostics.iter().any(|d| BLOCKING.contains(&d.code))
    }

    /// Whether the input could not be read as chapters at all (not UTF-8,
    /// not the format, the audio missing or unreadable).
    pub fn unreadable(&self) -> bool {
        self.diagnostics.iter().any(|d| d.code.unreadable())
    }

    /// The audio's end, when the audio was measured.
    pub fn audio_end(&self) -> Option<Timestamp> {
        self.audio.as_ref().map(AudioInfo::duration)
    }

    /// Moves every chapter (and its own end) by `by`, and checks again
    /// what depends on the times (`chapter-first-not-zero`,
    /// `chapter-past-end`, `chapter-too-short`). Errors when a chapter
    /// would start before zero; nothing is moved then.
    pub fn shift(&mut self, by: Shift) -> Result<()> {
        self.chapters = by.apply(&self.chapters)?;
        let mut fresh: Vec<Diagnostic> =
            chapter::check(&self.chapters, &self.rules, self.audio_end())
                .into_iter()
                .filter(|d| TIMED.contains(&d.code))
                .collect();
        if let Some((config, off)) = &self.rules_applied {
            crate::pipeline::apply_rules(&mut fresh, config, off);
        }
        self.diagnostics.retain(|d| !TIMED.contains(&d.code));
        self.diagnostics.extend(fresh);
        crate::diagnostic::sort(&mut self.diagnostics);
        Ok(())
    }
}

/// Measures the audio at `path`, when given: the audio, and the findings
/// about it.
pub fn audio(path: Option<&Path>, mode: Mode) -> (Option<AudioInfo>, Vec<Diagnostic>) {
    match path {
        None => (None, vec![]),
        Some(p) => audio::check(p, mode),
    }
}

/// Reads chapters from the file at `path` in `from`, or the format its
/// name and content suggest, and checks them with `options`. Chapters
/// inside audio (an MP3's ID3v2 tag, an MP4's chapter track) are read from
/// the file as far as they need: an episode is often larger than the cap
/// on text inputs.
pub fn file(path: &Path, from: Option<Format>, options: &Options<'_>) -> Result<Loaded> {
    let (file, _) = regular::open(path).map_err(|e| regular::input_error(path, &e))?;
    let binary = match from {
        Some(f) => Some(f).filter(|f| f.capabilities().binary),
        None => {
            let mut head = Vec::new();
            file.take(16)
                .read_to_end(&mut head)
                .map_err(|e| regular::input_error(path, &e.into()))?;
            guess(Some(path), &head).filter(|f| f.capabilities().binary)
        }
    };
    let name = path.display().to_string();
    if let Some(format) = binary {
        let parsed = read(format, path);
        return Ok(checked(Source::new(name, ""), format, parsed, options));
    }
    let bytes = regular::read_input(path)?;
    bytes_named(&name, Some(path), &bytes, from, options)
}

/// Reads chapters from `bytes` already read (stdin), named `name` in
/// findings, as [`file()`] does.
pub fn bytes(
    name: &str,
    bytes: &[u8],
    from: Option<Format>,
    options: &Options<'_>,
) -> Result<Loaded> {
    bytes_named(name, None, bytes, from, options)
}

fn bytes_named(
    name: &str,
    path: Option<&Path>,
    bytes: &[u8],
    from: Option<Format>,
    options: &Options<'_>,
) -> Result<Loaded> {
    // Text that no chapter format claims is read as notes: the notes
    // parser finds chapter lists anywhere, even in flattened text.
    let format = from
        .or_else(|| guess(path, bytes))
        .or_else(|| std::str::from_utf8(bytes).is_ok().then_some(notes::NOTES))
        .ok_or_else(|| {
            Error::new(
                ErrorKind::Invalid,
                format!("cannot tell the chapter format of `{name}`"),
            )
            .with_help("name it with `--from FMT`, such as `--from json` or `--from notes`")
        })?;
    if format == notes::NOTES {
        let input = NotesInput { name, path, bytes };
        return Ok(from_notes(input, options));
    }
    if format.capabilities().binary {
        let source = Source::new(name, "");
        return Ok(with_rules(
            checked(source, format, read(format, bytes), options),
            options,
        ));
    }
    let source = match crate::notes::decode(name, bytes) {
        Ok(src) => src,
        Err(bad) => {
            let (source, d) = *bad;
            return Ok(Loaded {
                source,
                format,
                chapters: vec![],
                diagnostics: vec![d],
                named_audio: None,
                audio: None,
                rules: options.config.chapter_rules(),
                rules_applied: None,
            });
        }
    };
    let parsed = read(format, &source);
    let invisible = crate::text::invisible_diagnostics(&source);
    let mut loaded = checked(source, format, parsed, options);
    loaded.diagnostics.extend(invisible);
    crate::diagnostic::sort(&mut loaded.diagnostics);
    Ok(with_rules(loaded, options))
}

/// A chapter file's findings with the show's `[rules]` severities (or
/// dropped where a rule is `off`), as a notes file's get theirs when its
/// episode is loaded; kept so findings made again get them too.
fn with_rules(mut loaded: Loaded, options: &Options<'_>) -> Loaded {
    crate::pipeline::apply_rules(&mut loaded.diagnostics, options.config, &[]);
    loaded.rules_applied = Some((options.config.clone(), vec![]));
    loaded
}

/// The chapters of a notes file, loaded as every command loads an episode
/// (its config, its audio: the one given, else the front matter's), with
/// the episode's findings about the chapters, the notes, the front matter,
/// the text and the audio (not its links or platforms: those are
/// `check`'s and `build`'s).
fn from_notes(input: NotesInput<'_>, options: &Options<'_>) -> Loaded {
    let rules = options.config.chapter_rules();
    let episode = Episode::load(
        input,
        options.config.clone(),
        options.config_path.map(Path::to_path_buf),
        Audio::Find(options.audio, options.mode),
    );
    let episode = match episode {
        Ok(ep) => ep,
        Err(bad) => {
            let (source, d) = *bad;
            return Loaded {
                source,
                format: notes::NOTES,
                chapters: vec![],
                diagnostics: vec![d],
                named_audio: None,
                audio: None,
                rules,
                rules_applied: None,
            };
        }
    };
    let diagnostics = episode
        .diagnostics
        .into_iter()
        .filter(|d| {
            matches!(
                d.code.family(),
                Family::Chapters
                    | Family::Notes
                    | Family::FrontMatter
                    | Family::Text
                    | Family::Audio
            )
        })
        .collect();
    let named_audio = input
        .path
        .zip(episode.notes.front_matter.audio.as_ref())
        .map(|(p, a)| p.parent().unwrap_or(Path::new("")).join(a));
    let (off, _) = crate::pipeline::disabled(&episode.notes);
    Loaded {
        source: episode.notes.source,
        format: notes::NOTES,
        chapters: episode.notes.chapters,
        diagnostics,
        named_audio,
        audio: episode.audio,
        rules,
        rules_applied: Some((episode.config, off)),
    }
}

/// What a chapter reader returned, checked by the show's chapter rules
/// and against the audio given (measured here); a read error becomes a
/// `chapters-invalid` finding at its place.
fn checked(
    source: Source,
    format: Format,
    parsed: Result<Parsed>,
    options: &Options<'_>,
) -> Loaded {
    let rules = options.config.chapter_rules();
    let (info, audio_diags) = audio(options.audio, options.mode);
    let audio_end = info.as_ref().map(AudioInfo::duration);
    let (chapters, mut diagnostics) = match parsed {
        Ok(parsed) => {
            let mut diagnostics = parsed.warnings;
            diagnostics.extend(chapter::check(&parsed.chapters, &rules, audio_end));
            (parsed.chapters, diagnostics)
        }
        Err(e) => {
            let mut d = Diagnostic::new(
                Code::ChaptersInvalid,
                format!("not a valid `{format}` chapter file: {}", e.message()),
            )
            .at_opt(e.span());
            if let Some(help) = e.help() {
                d = d.help(help);
            }
            (vec![], vec![d])
        }
    };
    diagnostics.extend(audio_diags);
    crate::diagnostic::sort(&mut diagnostics);
    Loaded {
        source,
        format,
        chapters,
        diagnostics,
        named_audio: None,
        audio: info,
        rules,
        rules_applied: None,
    }
}
