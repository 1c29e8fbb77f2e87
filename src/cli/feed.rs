//! `shownotes feed`: the show's whole RSS feed from a folder of notes
//! files and its `shownotes.toml`.

use std::path::{Path, PathBuf};

use super::input::read_file;
use super::{
    outcome, print, render_all, template_fatal, templates, write_atomic, Ctx, Fatal, Outcome,
};
use shownotes::config::{self, Config};
use shownotes::diagnostic::Diagnostic;
use shownotes::feed::{self, NotesFile};
use shownotes::source::Source;

/// Arguments of `feed`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The show's folder: its notes files (`*.md`, `*.markdown`, `*.txt`,
    /// `*.html`) and `shownotes.toml`.
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Write the feed to FILE (default: stdout).
    #[arg(long, short, value_name = "FILE")]
    pub output: Option<PathBuf>,

    /// The show config (default: `shownotes.toml` in DIR, else found by
    /// walking up).
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
}

/// The notes files of `dir`, by name.
fn notes_files(dir: &Path) -> Result<Vec<PathBuf>, Fatal> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Fatal::new(format!("cannot read the folder `{}`: {e}", dir.display()))
            .help("give the show's folder: its notes files and `shownotes.toml`")
    })?;
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            let ext = p
                .extension()
                .map(|e| e.to_string_lossy().to_ascii_lowercase());
            matches!(ext.as_deref(), Some("md" | "markdown" | "txt" | "html"))
                && p.is_file()
                && !p
                    .file_name()
                    .is_some_and(|n| n.to_string_lossy().starts_with('.'))
                && !p
                    .file_name()
                    .is_some_and(|n| n.eq_ignore_ascii_case("README.md"))
        })
        .collect();
    files.sort();
    Ok(files)
}

/// Runs `feed`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    // `--config FILE`, else `shownotes.toml` in DIR or a folder above it,
    // found and trusted the way every command finds it.
    let (config, config_path) = match &args.config {
        Some(p) => (Config::load(p)?, Some(p.clone())),
        None => match Config::discover(&args.dir.join("-"))? {
            Some((p, c)) => (c, Some(p)),
            None => (Config::default(), None),
        },
    };
    let mut config = config;
    config.path = config_path.clone().or(config.path);
    let templates_loaded = templates(&config, ctx)?;
    let mut files = Vec::new();
    for path in notes_files(&args.dir)? {
        let bytes = read_file(&path)?;
        files.push(NotesFile { path, bytes });
    }
    let count = files.len();
    let written = feed::write(
        files,
        &config,
        &templates_loaded,
        config.templates_dir().as_deref(),
    )
    .map_err(|e| template_fatal(&e, ctx))?;
    let mut all: Vec<Diagnostic> = Vec::new();
    let config_name = config_path.as_deref().map_or_else(
        || config::FILE_NAME.to_string(),
        |p| p.display().to_string(),
    );
    render_all(ctx, &Source::new(config_name, ""), &written.channel);
    all.extend(written.channel.iter().cloned());
    let mut included = 0;
    for f in &written.files {
        render_all(ctx, &f.source, &f.diagnostics);
        all.extend(f.diagnostics.iter().cloned());
        included += usize::from(f.included);
    }
    match &args.output {
        Some(out) if out.as_os_str() != "-" => {
            if let Some(cp) = &config_path {
                if out.canonicalize().ok() == cp.canonicalize().ok() {
                    return Err(Fatal::new(format!(
                        "refusing to write the feed over `{}`, the show config",
                        out.display()
                    ))
                    .help("choose another file with `-o`"));
                }
            }
            write_atomic(out, written.xml.as_bytes())?;
        }
        _ => print(&written.xml)?,
    }
    if !ctx.quiet {
        eprintln!(
            "{included} of {count} notes files in the feed ({} left out)",
            count - included
        );
    }
    Ok(outcome(&all, false))
}
