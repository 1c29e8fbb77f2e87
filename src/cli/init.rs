//! `shownotes init`: writes a commented `shownotes.toml` and copies of the
//! built-in templates to edit; never overwrites a file.

use std::path::PathBuf;

use super::{Ctx, Fatal, Outcome};
use shownotes::config;
use shownotes::publish::platform;
use shownotes::write::write_new;

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The show's folder.
    #[arg(default_value = ".")]
    pub dir: PathBuf,
}

/// Runs `init`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    // `init` in the current folder names files without a `./`.
    let dir = if args.dir == std::path::Path::new(".") {
        PathBuf::new()
    } else {
        args.dir.clone()
    };
    let mut files: Vec<(PathBuf, &str)> =
        vec![(dir.join(config::FILE_NAME), config::INIT_TEMPLATE)];
    for p in platform::all() {
        files.push((
            dir.join("templates").join(p.template_name()),
            p.default_template(),
        ));
    }
    let existing: Vec<String> = files
        .iter()
        // A dangling symlink is a file too: writing would follow or replace it.
        .filter(|(p, _)| std::fs::symlink_metadata(p).is_ok())
        .map(|(p, _)| format!("`{}`", p.display()))
        .collect();
    if !existing.is_empty() {
        return Err(
            Fatal::new(format!("refusing to overwrite {}", existing.join(", ")))
                .help("move them away, or give `shownotes init` another folder"),
        );
    }
    let templates = dir.join("templates");
    std::fs::create_dir_all(&templates).map_err(|e| {
        Fatal::new(format!(
            "cannot create `{}`: {}",
            templates.display(),
            shownotes::diagnostic::io_reason(&e)
        ))
    })?;
    for (path, text) in &files {
        // Fails if the file appeared since the check (never replaced).
        write_new(path, text.as_bytes())?;
    }
    if !ctx.quiet {
        for (path, _) in &files {
            eprintln!("wrote `{}`", path.display());
        }
    }
    Ok(Outcome::Clean)
}
