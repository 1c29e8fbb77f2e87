//! `--online` and `--offline` for `check` and `links`: the settings from
//! the show config, the progress bar over links, the warnings, and the
//! findings placed on every occurrence of a link.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

use super::{Ctx, Fatal};
use shownotes::config::Config;
use shownotes::diagnostic::Diagnostic;
use shownotes::links::Link;
use shownotes::notes::Notes;
use shownotes::online::{self, Checked, Settings};
use shownotes::source::Source;

/// The network flags of `check` and `links`.
#[derive(Clone, Copy, Debug, Default, clap::Args)]
pub struct Flags {
    /// Also fetch every http(s) link, once each (HEAD, then GET), and
    /// report the broken, moved and unreachable ones; `[online]` in
    /// shownotes.toml sets the timeout, limits, cache and exclusions.
    #[arg(long)]
    pub online: bool,

    /// Never use the network, even with `--online`.
    #[arg(long)]
    pub offline: bool,
}

impl Flags {
    /// Whether links are fetched: `--online` without `--offline`.
    pub fn on(self) -> bool {
        self.online && !self.offline
    }
}

/// Checks the links of every checked file online and adds the findings
/// to each file's: `files` are each file's source, findings, and the
/// config applied to it. The settings are those of `--config`, else of
/// the first file's config.
pub fn check_files<'a>(
    files: impl IntoIterator<Item = (&'a Source, &'a mut Vec<Diagnostic>, Option<&'a Path>)>,
    config_arg: Option<&Path>,
    ctx: &Ctx,
) -> Result<(), Fatal> {
    let mut configs: HashMap<PathBuf, Config> = HashMap::new();
    let mut first_config: Option<PathBuf> = config_arg.map(Path::to_path_buf);
    let mut per_file: Vec<(Vec<Link>, &'a mut Vec<Diagnostic>)> = Vec::new();
    for (source, diags, config_path) in files {
        let config_path = config_arg.or(config_path);
        let rules = match config_path {
            Some(p) => {
                if !configs.contains_key(p) {
                    configs.insert(p.to_path_buf(), Config::load(p)?);
                }
                first_config.get_or_insert_with(|| p.to_path_buf());
                configs[p].link_rules()
            }
            None => shownotes::links::Rules::default(),
        };
        // The links as the check read them (the same source and rules).
        let notes = Notes::parse(source.clone(), &rules);
        per_file.push((notes.links, diags));
    }
    let config = first_config
        .and_then(|p| configs.remove(&p))
        .unwrap_or_default();
    let urls: Vec<&str> = per_file
        .iter()
        .flat_map(|(links, _)| links.iter().map(|l| l.url.as_str()))
        .collect();
    let results = run(&urls, &config, ctx)?;
    for (links, diags) in per_file {
        let before = diags.len();
        diags.extend(findings(&links, &results));
        if diags.len() != before {
            shownotes::diagnostic::sort(diags);
        }
    }
    Ok(())
}

/// Checks `notes`'s links online (with the config found from
/// `notes_path`): each link's result, in order, and the findings.
pub fn check_links(
    notes: &Notes,
    notes_path: &str,
    ctx: &Ctx,
) -> Result<(Vec<Checked>, Vec<Diagnostic>), Fatal> {
    let path = match notes_path {
        "-" => PathBuf::from("./-"),
        p => PathBuf::from(p),
    };
    let config = Config::discover(&path)?.map(|(_, c)| c).unwrap_or_default();
    let urls: Vec<&str> = notes.links.iter().map(|l| l.url.as_str()).collect();
    let results = run(&urls, &config, ctx)?;
    let each = notes
        .links
        .iter()
        .map(|l| results.get(&l.url).cloned())
        .collect::<Option<Vec<_>>>()
        .ok_or_else(|| Fatal::new("a link was left unchecked"))?;
    Ok((each, findings(&notes.links, &results)))
}

/// The findings on every occurrence of every failing link.
fn findings(links: &[Link], results: &HashMap<String, Checked>) -> Vec<Diagnostic> {
    links
        .iter()
        .filter_map(|l| online::diagnostic(l, results.get(&l.url)?))
        .collect()
}

/// Runs the checks with `config`'s `[online]`: a progress bar on a
/// terminal, the warnings (a corrupt cache) on stderr.
fn run(urls: &[&str], config: &Config, ctx: &Ctx) -> Result<HashMap<String, Checked>, Fatal> {
    let cwd = std::env::current_dir().unwrap_or_else(|_| PathBuf::from("."));
    let settings = Settings::from_config(config, &cwd);
    let bar: OnceLock<ProgressBar> = OnceLock::new();
    let show = ctx.stderr_tty && !ctx.quiet;
    let started = |n: usize| {
        if show && n > 0 {
            let b = ProgressBar::with_draw_target(Some(n as u64), ProgressDrawTarget::stderr());
            if let Ok(style) = ProgressStyle::with_template(
                "{spinner} checking links {pos}/{len} {wide_bar} {elapsed}",
            ) {
                b.set_style(style);
            }
            b.tick();
            let _ = bar.set(b);
        }
    };
    let done = || {
        if let Some(b) = bar.get() {
            b.inc(1);
        }
    };
    let result = online::check(urls.iter().copied(), &settings, &started, &done);
    if let Some(b) = bar.get() {
        b.finish_and_clear();
    }
    for w in &result.warnings {
        eprintln!("warning: {w}");
    }
    Ok(result.results)
}
