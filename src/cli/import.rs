//! `shownotes import`: a podcast feed in, one notes file per episode and a
//! `shownotes.toml` out. A file an earlier import wrote is replaced only
//! while it is unchanged (its hash is in `.shownotes-import.json`); an
//! edited one, or one import did not write, only with `--force`.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use sha2::{Digest, Sha256};

use super::input::Input;
use super::{outcome, print, render_all, Ctx, Fatal, Outcome};
use shownotes::error::{Error, ErrorKind};
use shownotes::source::Source;

/// The manifest of what `import` wrote: file name → SHA-256 of its text.
const MANIFEST: &str = ".shownotes-import.json";

/// Arguments of `import`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The podcast's RSS feed (a file; `-` reads stdin).
    pub feed: String,

    /// The folder to write the notes files and `shownotes.toml` into.
    #[arg(long, short, value_name = "DIR", default_value = ".")]
    pub out: PathBuf,

    /// Replace files that were edited since an earlier import, or that
    /// import did not write.
    #[arg(long)]
    pub force: bool,
}

fn sha(text: &str) -> String {
    Sha256::digest(text.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

fn read_manifest(dir: &Path) -> BTreeMap<String, String> {
    std::fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice(&b).ok())
        .unwrap_or_default()
}

/// Runs `import`.
pub fn run(args: Args, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let input = Input::from_arg(&args.feed);
    let bytes = input.read()?;
    let name = input.name();
    let text = String::from_utf8(bytes).map_err(|e| {
        Error::new(
            ErrorKind::Invalid,
            format!(
                "the feed is not UTF-8 text (byte {} is not)",
                e.utf8_error().valid_up_to()
            ),
        )
        .with_path(name.clone())
        .with_help("podcast feeds are UTF-8 XML; save the feed as UTF-8")
    })?;
    let source = Source::new(name, text);
    let feed = shownotes::feed::read::parse(&source)?;
    let imported = shownotes::import::import(&feed);
    render_all(ctx, &source, &imported.diagnostics);

    let dir = &args.out;
    std::fs::create_dir_all(dir).map_err(|e| {
        Fatal::new(format!("cannot create `{}`: {e}", dir.display()))
            .help("choose another folder with `--out`")
    })?;
    let mut manifest = read_manifest(dir);
    let mut report = String::new();
    let (mut wrote, mut same, mut skipped) = (0, 0, 0);
    let mut to_write: Vec<(&str, &[u8])> = Vec::new();
    for f in &imported.files {
        let path = dir.join(&f.name);
        let new_hash = sha(&f.text);
        let status = match std::fs::read(&path) {
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => "wrote",
            Err(e) => return Err(Fatal::new(format!("cannot read `{}`: {e}", path.display()))),
            Ok(old) => {
                let old_hash = sha(&String::from_utf8_lossy(&old));
                if old_hash == new_hash {
                    "unchanged"
                } else if args.force || manifest.get(&f.name) == Some(&old_hash) {
                    "wrote"
                } else {
                    "skipped"
                }
            }
        };
        match status {
            "wrote" => {
                to_write.push((f.name.as_str(), f.text.as_bytes()));
                manifest.insert(f.name.clone(), new_hash);
                wrote += 1;
                report.push_str(&format!("wrote {}\n", path.display()));
            }
            "unchanged" => {
                manifest.insert(f.name.clone(), new_hash);
                same += 1;
            }
            _ => {
                skipped += 1;
                report.push_str(&format!(
                    "skipped {} (changed since import wrote it; `--force` replaces it)\n",
                    path.display()
                ));
            }
        }
    }
    let json = serde_json::to_string_pretty(&manifest)
        .map_err(|e| Fatal::new(format!("cannot write the manifest: {e}")))?;
    let json = format!("{json}\n");
    // The manifest last: it vouches only for files already written.
    to_write.push((MANIFEST, json.as_bytes()));
    shownotes::write::write_atomic_many(dir, &to_write)?;
    report.push_str(&format!(
        "{} episodes: {wrote} files written, {same} unchanged, {skipped} skipped\n",
        feed.items.len()
    ));
    print(&report)?;
    Ok(outcome(&imported.diagnostics, false))
}
