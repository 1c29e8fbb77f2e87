//! Loading an episode for a command: the notes, the show config, the audio,
//! and every check over them.

use std::path::{Path, PathBuf};

use super::input::Input;
use super::Fatal;
use crate::audio::{self, AudioInfo, Mode};
use crate::config::Config;
use crate::diagnostic::Diagnostic;
use crate::notes::{self, front_matter, Notes};
use crate::source::Source;

/// A notes file with its config and audio, checked.
pub struct Episode {
    pub notes: Notes,
    pub config: Config,
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
    /// `--audio FILE` when given, else the front matter's `audio`,
    /// relative to the notes file.
    Find(Option<&'a Path>, Mode),
}

/// Reads an episode: the config (`--config`, else `shownotes.toml` found by
/// walking up from the notes file), the notes, the audio, and runs every
/// check. `Ok(Err(..))`: the notes are not text (a finding, exit 1).
pub fn load(
    input: &Input,
    audio: Audio<'_>,
    config_arg: Option<&Path>,
) -> Result<Result<Episode, (Source, Diagnostic)>, Fatal> {
    let notes_path = match input {
        Input::File(p) => p.clone(),
        Input::Stdin => PathBuf::from("./-"),
    };
    let (config, config_path) = match config_arg {
        Some(p) => (Config::load(p)?, Some(p.to_path_buf())),
        None => match Config::discover(&notes_path)? {
            Some((path, c)) => (c, Some(path)),
            None => (Config::default(), None),
        },
    };
    let bytes = input.read()?;
    let source = match notes::decode(&input.name(), &bytes) {
        Ok(s) => s,
        Err(bad) => return Ok(Err(*bad)),
    };
    let notes = Notes::parse(source, &config.link_rules());
    let mut audio_path = None;
    let (info, mut audio_diags) = match audio {
        Audio::Skip => (None, vec![]),
        Audio::Find(arg, mode) => {
            let found = match arg {
                Some(p) => Some((p.to_path_buf(), false)),
                None => notes.front_matter.audio.as_ref().map(|a| {
                    let base = notes_path.parent().unwrap_or(Path::new(""));
                    (base.join(a), true)
                }),
            };
            match found {
                None => (None, vec![]),
                Some((path, named_in_notes)) => {
                    let (info, mut diags) = audio::check(&path, mode);
                    audio_path = Some(path);
                    // Findings about audio named in the front matter point there.
                    if named_in_notes && !diags.is_empty() {
                        let span = front_matter::locate(&notes.source, "audio");
                        diags = diags.into_iter().map(|d| d.at_opt(span)).collect();
                    }
                    (info, diags)
                }
            }
        }
    };
    let mut diagnostics = notes.check(
        &config.chapter_rules(),
        info.as_ref().map(AudioInfo::duration),
    );
    diagnostics.append(&mut audio_diags);
    crate::diagnostic::sort(&mut diagnostics);
    let stem = match input {
        Input::File(p) => p
            .file_stem()
            .map_or_else(|| "notes".into(), |s| s.to_string_lossy().into_owned()),
        Input::Stdin => "stdin".into(),
    };
    Ok(Ok(Episode {
        notes,
        config,
        audio: info,
        diagnostics,
        stem,
        config_path,
        audio_path,
    }))
}
