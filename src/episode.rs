//! An episode for every command: the notes (from bytes already read), the
//! show config, the audio, and every check over them.

use std::path::{Path, PathBuf};

use crate::audio::{self, AudioInfo, Mode};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::notes::{self, front_matter, Notes};
use crate::source::Source;

/// A notes file with its config and audio, checked.
#[derive(Debug)]
pub struct Episode {
    /// The notes, parsed.
    pub notes: Notes,
    /// The show config applied (the default when there is none).
    pub config: Config,
    /// The audio measured, if any could be.
    pub audio: Option<AudioInfo>,
    /// Every finding: the notes, the chapters (against the audio when
    /// there is one), the audio.
    pub diagnostics: Vec<Diagnostic>,
    /// The notes file's stem (`episode-17`), for the default output folder.
    pub stem: String,
    /// The config file read, if any (outputs must not overwrite it).
    pub config_path: Option<PathBuf>,
    /// The audio file measured, if any (outputs must not overwrite it).
    pub audio_path: Option<PathBuf>,
}

/// Which audio to measure.
#[derive(Clone, Copy, Debug)]
pub enum Audio<'a> {
    /// None: the command does not need it (`links`).
    Skip,
    /// This file when given, else the front matter's `audio`, relative to
    /// the notes file.
    Find(Option<&'a Path>, Mode),
}

/// The notes as read: the name shown in findings, the file's path (`None`
/// for stdin) and its bytes.
#[derive(Clone, Copy, Debug)]
pub struct NotesInput<'a> {
    /// The path as given, or `<stdin>`.
    pub name: &'a str,
    /// The file read; `None` for stdin (the audio the front matter names
    /// is then relative to the current folder).
    pub path: Option<&'a Path>,
    /// The file's bytes.
    pub bytes: &'a [u8],
}

/// Notes that are not text: the source (as far as it decodes) and the
/// `notes-not-utf8` finding saying where.
pub type NotText = Box<(Source, Diagnostic)>;

impl Episode {
    /// Decodes and parses the notes, measures the audio (`audio`), and runs
    /// every check, with `config` (found at `config_path`, if anywhere).
    /// `Err`: the notes are not text.
    pub fn load(
        input: NotesInput<'_>,
        config: Config,
        config_path: Option<PathBuf>,
        audio: Audio<'_>,
    ) -> Result<Episode, NotText> {
        let source = notes::decode(input.name, input.bytes)?;
        let notes = Notes::parse(source, &config.link_rules());
        let notes_path = input.path.unwrap_or(Path::new("./-"));
        let (info, mut audio_diags, audio_path) = measure(&notes, notes_path, audio);
        let mut diagnostics = notes.check(
            &config.chapter_rules(),
            info.as_ref().map(AudioInfo::duration),
        );
        diagnostics.append(&mut audio_diags);
        // `[rules]` and the file's opt-outs, for every command alike.
        let (off, mut unknown) = crate::pipeline::disabled(&notes);
        diagnostics.append(&mut unknown);
        crate::pipeline::apply_rules(&mut diagnostics, &config, &off);
        crate::diagnostic::sort(&mut diagnostics);
        let stem = match input.path {
            Some(p) => p
                .file_stem()
                .map_or_else(|| "notes".into(), |s| s.to_string_lossy().into_owned()),
            None => "stdin".into(),
        };
        Ok(Episode {
            notes,
            config,
            audio: info,
            diagnostics,
            stem,
            config_path,
            audio_path,
        })
    }
}

/// Measures the audio asked for: the audio, the findings about it (placed
/// on the front matter's `audio` when it was named there), and its path.
fn measure(
    notes: &Notes,
    notes_path: &Path,
    audio: Audio<'_>,
) -> (Option<AudioInfo>, Vec<Diagnostic>, Option<PathBuf>) {
    let Audio::Find(arg, mode) = audio else {
        return (None, vec![], None);
    };
    let found = match arg {
        Some(p) => Some((p.to_path_buf(), false)),
        // The URL of a published file is not measured: its length and
        // duration are the front matter's (`length`, `duration`).
        None => notes
            .front_matter
            .audio
            .as_ref()
            .filter(|a| !is_url(a))
            .map(|a| {
                let base = notes_path.parent().unwrap_or(Path::new(""));
                (base.join(a), true)
            }),
    };
    let Some((path, named_in_notes)) = found else {
        return (None, vec![], None);
    };
    let (info, mut diags) = audio::check(&path, mode);
    // Findings about audio named in the front matter point there.
    if named_in_notes && !diags.is_empty() {
        let span = front_matter::locate(&notes.source, "audio");
        diags = diags.into_iter().map(|d| d.at_opt(span)).collect();
    }
    (info, diags, Some(path))
}

/// Whether front matter `audio` is the URL of a published file.
fn is_url(audio: &str) -> bool {
    let l = audio.get(..8).unwrap_or(audio).to_ascii_lowercase();
    l.starts_with("https://") || l.starts_with("http://")
}
