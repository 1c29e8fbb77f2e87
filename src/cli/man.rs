//! `shownotes man [COMMAND] [--out DIR]`: the man pages, one per command,
//! rendered from the command line's own definition (clap_mangen), so they
//! say what `--help` says.

use std::path::{Path, PathBuf};

use super::output::check_replace;
use super::{print, write_atomic, Ctx, Fatal, Outcome};

/// Arguments of `man`.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// The command whose page to print: `check` prints shownotes-check(1).
    /// Without it, the main page, shownotes(1), which lists the others.
    #[arg(value_name = "COMMAND", conflicts_with = "out")]
    pub page: Option<String>,

    /// Write every page into DIR instead (`shownotes.1`,
    /// `shownotes-check.1`, ...), creating DIR when missing. A file there
    /// is replaced only when it is one of these man pages.
    #[arg(long, value_name = "DIR")]
    pub out: Option<PathBuf>,

    /// Replace files in DIR named like the pages even when they are not
    /// shownotes man pages.
    #[arg(long, requires = "out")]
    pub force: bool,
}

/// The command line as the pages describe it: built (so each command
/// knows its full name, `shownotes-check`), without the `help` command,
/// which has no page.
fn built(cmd: clap::Command) -> clap::Command {
    let mut cmd = cmd.disable_help_subcommand(true);
    cmd.build();
    cmd
}

/// The pages: the main one first, then one per command, each with its
/// file name (`shownotes-check.1`).
fn pages(cmd: &clap::Command) -> Vec<(String, clap::Command)> {
    let mut out = vec![(file_name(cmd), cmd.clone())];
    out.extend(
        cmd.get_subcommands()
            .filter(|s| !s.is_hide_set())
            .map(|s| (file_name(s), s.clone())),
    );
    out
}

fn file_name(cmd: &clap::Command) -> String {
    clap_mangen::Man::new(cmd.clone()).get_filename()
}

/// One page: clap_mangen's sections, the examples of `--help` as an
/// EXAMPLES section kept as written (roff would refill them into
/// paragraphs), and, for a command's page, SEE ALSO the main one.
fn render(cmd: clap::Command) -> Result<String, Fatal> {
    let examples = cmd.get_after_help().map(|h| h.to_string());
    let is_main = cmd.get_subcommands().next().is_some();
    let has_version = cmd.get_version().is_some();
    let man = clap_mangen::Man::new(cmd.after_help(None::<&str>))
        .source(format!("shownotes {}", env!("CARGO_PKG_VERSION")));
    let mut buf = Vec::new();
    man.render_title(&mut buf)?;
    man.render_name_section(&mut buf)?;
    man.render_synopsis_section(&mut buf)?;
    man.render_description_section(&mut buf)?;
    man.render_options_section(&mut buf)?;
    if is_main {
        man.render_subcommands_section(&mut buf)?;
    }
    let mut out = String::from_utf8_lossy(&buf).into_owned();
    if let Some(text) = examples {
        out.push_str(&examples_section(&text));
    }
    if !is_main {
        out.push_str(".SH \"SEE ALSO\"\nshownotes(1)\n");
    }
    if has_version {
        let mut version = Vec::new();
        man.render_version_section(&mut version)?;
        out.push_str(&String::from_utf8_lossy(&version));
    }
    Ok(out)
}

/// `Examples:` and its lines as a roff EXAMPLES section, unfilled.
fn examples_section(text: &str) -> String {
    let mut out = String::from(".SH EXAMPLES\n.nf\n");
    for line in text.lines().skip_while(|l| l.trim() == "Examples:") {
        let line = line.strip_prefix("  ").unwrap_or(line);
        let escaped = line.replace('\\', "\\e").replace('-', "\\-");
        if escaped.starts_with(['.', '\'']) {
            out.push_str("\\&");
        }
        out.push_str(&escaped);
        out.push('\n');
    }
    out.push_str(".fi\n");
    out
}

/// Whether `bytes` are a page this command writes: roff with its title
/// line for one of `names` (`.TH shownotes-check 1`).
fn is_our_page(bytes: &[u8], names: &[String]) -> bool {
    let text = String::from_utf8_lossy(bytes);
    text.lines().take(5).any(|l| {
        l.strip_prefix(".TH ")
            .and_then(|rest| rest.split_whitespace().next())
            .is_some_and(|title| names.iter().any(|n| n.strip_suffix(".1") == Some(title)))
    })
}

/// Runs `man` over `cmd`, the whole command line.
pub fn run(args: Args, cmd: clap::Command, ctx: &Ctx) -> Result<Outcome, Fatal> {
    let cmd = built(cmd);
    if let Some(dir) = &args.out {
        return write_all(&cmd, dir, args.force, ctx);
    }
    let page = match args.page.as_deref() {
        None => cmd,
        Some(name) => match cmd.find_subcommand(name) {
            Some(sub) => sub.clone(),
            None => {
                let names: Vec<String> = cmd
                    .get_subcommands()
                    .map(|s| format!("`{}`", s.get_name()))
                    .collect();
                return Err(Fatal::new(format!("there is no command `{name}`"))
                    .help(format!("the pages: {}", names.join(", "))));
            }
        },
    };
    print(&render(page)?)?;
    Ok(Outcome::Clean)
}

/// Writes every page into `dir`.
fn write_all(cmd: &clap::Command, dir: &Path, force: bool, ctx: &Ctx) -> Result<Outcome, Fatal> {
    std::fs::create_dir_all(dir).map_err(|e| {
        Fatal::new(format!(
            "cannot create `{}`: {}",
            dir.display(),
            shownotes::diagnostic::io_reason(&e)
        ))
    })?;
    let pages = pages(cmd);
    let names: Vec<String> = pages.iter().map(|(n, _)| n.clone()).collect();
    for name in &names {
        check_replace(&dir.join(name), force, "a shownotes man page", |old| {
            is_our_page(old, &names)
        })?;
    }
    for (name, page) in pages {
        write_atomic(&dir.join(&name), render(page)?.as_bytes())?;
    }
    if !ctx.quiet {
        eprintln!("wrote `{}`: {}", dir.display(), names.join(", "));
    }
    Ok(Outcome::Clean)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pages_are_recognized_by_their_title() {
        let names = vec!["shownotes.1".to_string(), "shownotes-check.1".to_string()];
        assert!(is_our_page(
            b".ie x\n.el y\n.TH shownotes-check 1 \"\"\n",
            &names
        ));
        assert!(is_our_page(b".TH shownotes 1\n", &names));
        assert!(!is_our_page(b".TH ls 1\n", &names));
        assert!(!is_our_page(b"my notes\n", &names));
    }

    #[test]
    fn examples_keep_their_lines_and_escape_roff() {
        let s = examples_section("Examples:\n  # a\n  $ shownotes x --to -\n.dot\n");
        assert_eq!(
            s,
            ".SH EXAMPLES\n.nf\n# a\n$ shownotes x \\-\\-to \\-\n\\&.dot\n.fi\n"
        );
    }
}
