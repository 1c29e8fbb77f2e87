//! `shownotes init`: writes a commented `shownotes.toml` (and, with
//! `--templates`, copies of the built-in templates to edit); never
//! replaces a file unless asked (`--force`).

use std::path::{Path, PathBuf};

use super::{Ctx, Fatal, Outcome};
use shownotes::config;
use shownotes::publish::{self, platform};
use shownotes::write::{write_atomic, write_new};

/// Arguments of `init`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The show's folder (created when missing; other files in it are left
    /// alone).
    #[arg(default_value = ".")]
    pub dir: PathBuf,

    /// Also copy the built-in templates into `DIR/templates/` to edit. A
    /// copy replaces the built-in template for good (later fixes to the
    /// built-in one no longer apply), so copy only to change one.
    #[arg(long)]
    pub templates: bool,

    /// Replace files `init` would write that exist already.
    #[arg(long)]
    pub force: bool,
}

/// Runs `init`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    // `init` in the current folder names files without a `./`.
    let dir = if args.dir == Path::new(".") {
        PathBuf::new()
    } else {
        args.dir.clone()
    };
    let mut files: Vec<(PathBuf, &str)> =
        vec![(dir.join(config::FILE_NAME), config::INIT_TEMPLATE)];
    if args.templates {
        for p in platform::all() {
            files.push((
                dir.join("templates").join(p.template_name()),
                p.default_template(),
            ));
        }
        // The whole feed's template (`shownotes feed`) is one too.
        files.push((
            dir.join("templates").join(publish::FEED_TEMPLATE),
            publish::FEED_TEMPLATE_SOURCE,
        ));
    }
    // A dangling symlink is a file too: writing would follow or replace it.
    let exists = |p: &Path| std::fs::symlink_metadata(p).is_ok();
    let shown = |list: Vec<&PathBuf>| {
        list.iter()
            .map(|p| format!("`{}`", p.display()))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let not_files: Vec<&PathBuf> = files
        .iter()
        .map(|(p, _)| p)
        .filter(|p| exists(p) && !std::fs::metadata(p).is_ok_and(|m| m.is_file()))
        .collect();
    if !not_files.is_empty() {
        return Err(Fatal::new(format!(
            "refusing to write {}: not a regular file",
            shown(not_files)
        ))
        .help("move it away, or give `shownotes init` another folder"));
    }
    let existing: Vec<&PathBuf> = files.iter().map(|(p, _)| p).filter(|p| exists(p)).collect();
    if !existing.is_empty() && !args.force {
        let them = if existing.len() == 1 { "it" } else { "them" };
        return Err(
            Fatal::new(format!("refusing to overwrite {}", shown(existing))).help(format!(
                "pass `--force` to replace {them} with the defaults, or give `shownotes init` another folder"
            )),
        );
    }
    let folders = if args.templates {
        dir.join("templates")
    } else {
        dir.clone()
    };
    if !folders.as_os_str().is_empty() {
        std::fs::create_dir_all(&folders).map_err(|e| {
            Fatal::new(format!(
                "cannot create `{}`: {}",
                folders.display(),
                shownotes::diagnostic::io_reason(&e)
            ))
        })?;
    }
    for (path, text) in &files {
        if args.force {
            write_atomic(path, text.as_bytes())?;
        } else {
            // Fails if the file appeared since the check (never replaced).
            write_new(path, text.as_bytes())?;
        }
    }
    if !ctx.quiet {
        for (path, _) in &files {
            eprintln!("wrote `{}`", path.display());
        }
    }
    Ok(Outcome::Clean)
}
