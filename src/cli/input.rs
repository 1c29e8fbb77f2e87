//! Reading the user's inputs: files, directories of notes, and `-` (stdin).

use std::path::{Path, PathBuf};

use clap::builder::{PossibleValue, PossibleValuesParser, TypedValueParser};
use ignore::gitignore::Gitignore;
use ignore::WalkBuilder;

use super::{render_all, Ctx, Fatal, Outcome};
use shownotes::audio::Mode;
use shownotes::config::Config;
use shownotes::diagnostic::Diagnostic;
use shownotes::episode::{Audio, Episode, NotText, NotesInput};
use shownotes::formats::load::{self, Loaded};
use shownotes::formats::{self, Format};
use shownotes::notes::Notes;
use shownotes::regular;
use shownotes::source::Source;

/// One input to read: a path, or stdin.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    Stdin,
    File(PathBuf),
}

impl Input {
    /// The input an argument names: `-` is stdin.
    pub fn from_arg(arg: &str) -> Self {
        if arg == "-" {
            Input::Stdin
        } else {
            Input::File(arg.into())
        }
    }

    /// The name shown in diagnostics: the path as given, or `<stdin>`.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "<stdin>".to_string(),
            Input::File(p) => p.display().to_string(),
        }
    }

    /// The file's bytes, at most [`regular::TEXT_CAP`] of them. Their
    /// size goes to [`heap::input_size`](super::heap::input_size) (a file
    /// named on the command line was already seen by `heap::start`).
    pub fn read(&self) -> Result<Vec<u8>, Fatal> {
        let bytes = match self {
            Input::Stdin => regular::read_stdin(std::io::stdin().lock())?,
            Input::File(p) => read_file(p)?,
        };
        super::heap::input_size(bytes.len());
        Ok(bytes)
    }
}

/// Reads a regular file (at most [`regular::TEXT_CAP`] bytes), with an error that
/// names it and says how to fix it.
pub fn read_file(p: &Path) -> Result<Vec<u8>, Fatal> {
    Ok(regular::read_input(p)?)
}

/// Reads, parses and checks a notes file (`-` is stdin) with its show
/// config, without its audio, printing to stderr the findings `show`
/// selects, rustc-style. `None`: the file is not text (the finding was
/// printed; the command exits 2).
pub fn load_notes(
    path: &str,
    ctx: &Ctx,
    show: impl Fn(&Diagnostic) -> bool,
) -> Result<Option<Notes>, Fatal> {
    let input = Input::from_arg(path);
    let (source, notes, diags) = match load_episode(&input, shownotes::episode::Audio::Skip, None)?
    {
        Ok(ep) => (ep.notes.source.clone(), Some(ep.notes), ep.diagnostics),
        Err((src, d)) => (src, None, vec![d]),
    };
    let shown: Vec<Diagnostic> = diags.iter().filter(|d| show(d)).cloned().collect();
    render_all(ctx, &source, &shown);
    Ok(notes)
}

/// Reads an episode for a command: the config (`--config`, else
/// `shownotes.toml` found by walking up from the notes file), the notes,
/// the audio, and runs every check. `Ok(Err(..))`: the notes are not text
/// (the finding, to print; the command exits 2).
pub fn load_episode(
    input: &Input,
    audio: Audio<'_>,
    config_arg: Option<&Path>,
) -> Result<Result<Episode, (Source, Diagnostic)>, Fatal> {
    let (config, config_path) = show_config(input, config_arg)?;
    let bytes = input.read()?;
    Ok(episode_from(input, &bytes, config, config_path, audio).map_err(|bad| *bad))
}

/// Parses and checks the notes `input` holds (`bytes`, read already) with
/// `config`; `Err`: the notes are not text.
pub fn episode_from(
    input: &Input,
    bytes: &[u8],
    config: Config,
    config_path: Option<PathBuf>,
    audio: Audio<'_>,
) -> Result<Episode, NotText> {
    let name = input.name();
    let notes = NotesInput {
        name: &name,
        path: match input {
            Input::File(p) => Some(p),
            Input::Stdin => None,
        },
        bytes,
    };
    Episode::load(notes, config, config_path, audio)
}

/// The show config for `input`, the one way every command finds it:
/// `--config FILE` as given, else `shownotes.toml` found by walking up
/// from the input's folder (the current folder for stdin), else the
/// defaults. With the path it was read from.
pub fn show_config(
    input: &Input,
    config_arg: Option<&Path>,
) -> Result<(Config, Option<PathBuf>), Fatal> {
    let input_path = match input {
        Input::File(p) => p.clone(),
        Input::Stdin => PathBuf::from("./-"),
    };
    Ok(match config_arg {
        Some(p) => (Config::load(p)?, Some(p.to_path_buf())),
        None => match Config::discover(&input_path)? {
            Some((path, c)) => (c, Some(path)),
            None => (Config::default(), None),
        },
    })
}

/// The parser of `--from FMT` and `--to FMT`: the names of the chapter
/// formats, each with its line for `--help`.
pub fn format_arg() -> impl TypedValueParser<Value = Format> {
    PossibleValuesParser::new(
        formats::ALL
            .iter()
            .map(|f| PossibleValue::new(f.name()).help(f.about())),
    )
    .try_map(|name| formats::by_name(&name).ok_or("not a chapter format"))
}

/// What a command reads chapters with, besides the input.
#[derive(Clone, Copy, Debug, Default)]
pub struct ChapterArgs<'a> {
    /// `--from`.
    pub from: Option<Format>,
    /// `--audio` (`embed`'s AUDIO): else a notes file's front matter `audio`.
    pub audio: Option<&'a Path>,
    /// `--config`.
    pub config: Option<&'a Path>,
}

/// Reads and checks chapters from `input` (`-` is stdin) in `args.from`,
/// or the format its name and content suggest (see [`load`]), with the
/// show config found as for every command ([`show_config`]) and the audio
/// (`args.audio`, else a notes file's front matter `audio`). A notes file
/// is loaded as every command loads an episode. With the path of the
/// config applied, if any (an output must not replace it).
pub fn load_chapters(
    input: &str,
    args: ChapterArgs<'_>,
) -> Result<(Loaded, Option<PathBuf>), Fatal> {
    let input = Input::from_arg(input);
    let (config, config_path) = show_config(&input, args.config)?;
    let options = load::Options {
        config: &config,
        config_path: config_path.as_deref(),
        audio: args.audio,
        mode: Mode::Walk,
    };
    let loaded = match input {
        Input::Stdin => load::bytes(
            &Input::Stdin.name(),
            &Input::Stdin.read()?,
            args.from,
            &options,
        )?,
        Input::File(p) => load::file(&p, args.from, &options)?,
    };
    Ok((loaded, config_path))
}

/// How a command ends when its chapters are blocked: exit 2 when the input
/// could not be read as chapters at all, else 1 (see [`super::outcome`]).
pub fn blocked_outcome(loaded: &Loaded) -> Outcome {
    if loaded.unreadable() {
        Outcome::Unreadable
    } else {
        Outcome::Findings
    }
}

/// A file `check` found in a folder but does not read, and why.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Skipped {
    pub path: PathBuf,
    pub why: String,
}

impl std::fmt::Display for Skipped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "skipped `{}`: {}", self.path.display(), self.why)
    }
}

/// The inputs named on `check`'s command line, folders expanded.
#[derive(Debug, Default)]
pub struct Expanded {
    /// In order; missing paths and unreadable folders as errors, each
    /// with the path as given.
    pub inputs: Vec<Result<Input, (String, Fatal)>>,
    /// Files found in folders but not read: symbolic links out of the
    /// folder or to something other than a regular file, FIFOs, devices.
    pub skipped: Vec<Skipped>,
}

/// Expands the paths given to `check`: `-` is stdin, a directory is
/// searched (recursively) for `*.md` and `*.txt` notes, skipping what
/// `.gitignore` (and `.ignore`, `.git/info/exclude`) leave out, what the
/// show config's `[check] exclude` names (the config of `config_arg`,
/// else the one found from the folder), hidden entries,
/// `README`/`CHANGELOG`/`LICENSE` files, and `target`, `dist` and
/// `node_modules` folders. Missing paths are returned as errors, in order.
///
/// A folder's walk never leaves it: a symbolic link is followed only when
/// it resolves to a regular file inside the folder given, and anything
/// else that is not a regular file (a FIFO, a device) is skipped unread.
/// Paths named on the command line are read as named.
pub fn expand(paths: &[String], config_arg: Option<&Path>) -> Expanded {
    let mut out = Expanded::default();
    for p in paths {
        if p == "-" {
            out.inputs.push(Ok(Input::Stdin));
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_dir() {
            let root = Root {
                real: std::fs::canonicalize(&path).unwrap_or_else(|_| path.clone()),
                given: p,
            };
            let mut found = Vec::new();
            match excludes(&path, config_arg) {
                Ok(ex) => {
                    if let Err(e) = walk(&path, &root, ex.as_ref(), &mut found, &mut out.skipped) {
                        out.inputs.push(Err((p.clone(), e)));
                    }
                }
                Err(e) => out.inputs.push(Err((p.clone(), e))),
            }
            found.sort();
            out.skipped.sort_by(|a, b| a.path.cmp(&b.path));
            out.inputs
                .extend(found.into_iter().map(|f| Ok(Input::File(f))));
        } else if path.exists() {
            out.inputs.push(Ok(Input::File(path)));
        } else {
            out.inputs.push(Err((
                p.clone(),
                Fatal::new(format!("`{p}` does not exist"))
                    .help("check the path; it is relative to the current folder"),
            )));
        }
    }
    out
}

/// `[check] exclude` of the config that applies to the folder `dir`,
/// rooted at the config's folder (canonical, as the walk's paths are
/// made), if it has any.
fn excludes(dir: &Path, config_arg: Option<&Path>) -> Result<Option<Gitignore>, Fatal> {
    let config = match config_arg {
        Some(p) => Some(Config::load(p)?),
        // A name inside the folder: the search starts at the folder.
        None => Config::discover(&dir.join("notes.md"))?.map(|(_, c)| c),
    };
    Ok(config.and_then(|c| {
        let base = c.dir.clone()?;
        let base = std::fs::canonicalize(&base).unwrap_or(base);
        c.excludes(&base)
    }))
}

/// Whether a file name is a notes file's.
fn is_notes_name(name: &str) -> bool {
    let lower = name.to_ascii_lowercase();
    let stem = lower.split('.').next().unwrap_or("");
    (lower.ends_with(".md") || lower.ends_with(".txt"))
        && !["readme", "changelog", "license", "licence", "contributing"].contains(&stem)
}

/// The folder a walk started from.
struct Root<'a> {
    /// Its canonical path.
    real: PathBuf,
    /// As given on the command line.
    given: &'a str,
}

/// Whether `[check] exclude` (`ex`) leaves out `path`, a path of the
/// walk of `dir` (whose canonical path is `real`).
fn excluded(ex: Option<&Gitignore>, real: &Path, dir: &Path, path: &Path, is_dir: bool) -> bool {
    let Some(ex) = ex else { return false };
    let rel = path.strip_prefix(dir).unwrap_or(path);
    let full = real.join(rel);
    if !full.starts_with(ex.path()) {
        return false;
    }
    ex.matched_path_or_any_parents(&full, is_dir).is_ignore()
}

/// Collects the notes files under `dir`, a folder inside `root`, with the
/// `ignore` crate's walker (the `.gitignore` rules of git, in a
/// repository or not).
fn walk(
    dir: &Path,
    root: &Root<'_>,
    ex: Option<&Gitignore>,
    out: &mut Vec<PathBuf>,
    skipped: &mut Vec<Skipped>,
) -> Result<(), Fatal> {
    let walker = WalkBuilder::new(dir)
        .hidden(true)
        .require_git(false)
        .follow_links(false)
        .filter_entry({
            let (dir, root_real, ex) = (dir.to_path_buf(), root.real.clone(), ex.cloned());
            move |e| {
                let is_dir = e.file_type().is_some_and(|t| t.is_dir());
                if !is_dir || e.depth() == 0 {
                    return true;
                }
                let name = e.file_name().to_string_lossy();
                if ["target", "dist", "node_modules"].contains(&name.as_ref()) {
                    return false;
                }
                !excluded(ex.as_ref(), &root_real, &dir, e.path(), true)
            }
        })
        .build();
    for entry in walker {
        let entry = entry.map_err(|e| {
            Fatal::new(format!(
                "cannot read folder `{}`: {}",
                dir.display(),
                walk_reason(&e)
            ))
        })?;
        let Some(kind) = entry.file_type() else {
            continue;
        };
        if kind.is_dir() {
            continue;
        }
        let path = entry.path().to_path_buf();
        let name = entry.file_name().to_string_lossy().to_string();
        if !is_notes_name(&name) || excluded(ex, &root.real, dir, &path, false) {
            continue;
        }
        if kind.is_symlink() {
            match link_target(&path, root) {
                Ok(()) => out.push(path),
                Err(why) => skipped.push(Skipped { path, why }),
            }
        } else if let Some(what) = regular::not_regular(&kind) {
            skipped.push(Skipped {
                path,
                why: format!("it is {what}, not a regular file"),
            });
        } else {
            out.push(path);
        }
    }
    Ok(())
}

/// Why a walk failed, as a lowercase phrase.
fn walk_reason(e: &ignore::Error) -> String {
    match e.io_error() {
        Some(io) => shownotes::diagnostic::io_reason(io),
        None => e.to_string(),
    }
}

/// Whether the symbolic link at `link` may be read as notes: it resolves
/// to a regular file inside `root`. `Err`: why not.
fn link_target(link: &Path, root: &Root<'_>) -> Result<(), String> {
    let target = std::fs::canonicalize(link).map_err(|e| {
        format!(
            "a symbolic link that cannot be followed: {}",
            shownotes::diagnostic::io_reason(&e)
        )
    })?;
    if !target.starts_with(&root.real) {
        return Err(format!(
            "a symbolic link to `{}`, outside `{}`",
            target.display(),
            root.given
        ));
    }
    let meta = std::fs::metadata(&target).map_err(|e| {
        format!(
            "a symbolic link that cannot be followed: {}",
            shownotes::diagnostic::io_reason(&e)
        )
    })?;
    match regular::not_regular(&meta.file_type()) {
        None => Ok(()),
        Some(what) => Err(format!("a symbolic link to {what}, not to a regular file")),
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn walks_never_leave_the_folder_nor_open_special_files() {
        let outside = tempfile::tempdir().unwrap();
        std::fs::write(outside.path().join("secret.md"), "x").unwrap();
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::create_dir(root.join("eps")).unwrap();
        std::fs::write(root.join("eps/ep1.md"), "a").unwrap();
        std::os::unix::fs::symlink("eps/ep1.md", root.join("same.md")).unwrap();
        std::os::unix::fs::symlink(outside.path().join("secret.md"), root.join("out.md")).unwrap();
        std::os::unix::fs::symlink("/proc/self/environ", root.join("env.md")).unwrap();
        std::os::unix::fs::symlink("eps", root.join("dir.md")).unwrap();
        std::os::unix::fs::symlink("gone.md", root.join("dangling.md")).unwrap();
        let c = std::ffi::CString::new(root.join("pipe.md").to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = expand(&[root.display().to_string()], None);
        let read: Vec<PathBuf> = e
            .inputs
            .iter()
            .map(|i| match i {
                Ok(Input::File(p)) => p.strip_prefix(root).unwrap().to_path_buf(),
                other => panic!("{other:?}"),
            })
            .collect();
        assert_eq!(
            read,
            [PathBuf::from("eps/ep1.md"), PathBuf::from("same.md")]
        );
        let mut skipped: Vec<String> = e
            .skipped
            .iter()
            .map(|s| s.path.file_name().unwrap().to_string_lossy().into_owned())
            .collect();
        skipped.sort();
        assert_eq!(
            skipped,
            ["dangling.md", "dir.md", "env.md", "out.md", "pipe.md"]
        );
        let why = |n: &str| {
            e.skipped
                .iter()
                .find(|s| s.path.ends_with(n))
                .unwrap()
                .to_string()
        };
        assert!(why("out.md").contains("outside"), "{}", why("out.md"));
        assert!(why("env.md").contains("outside"), "{}", why("env.md"));
        assert!(why("pipe.md").contains("FIFO"), "{}", why("pipe.md"));
        assert!(why("dir.md").contains("a directory"), "{}", why("dir.md"));
    }
}
