//! Reading the user's inputs: files, directories of notes, and `-` (stdin).

use std::io::Read;
use std::path::{Path, PathBuf};

use super::Fatal;

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

    /// The file's bytes.
    pub fn read(&self) -> Result<Vec<u8>, Fatal> {
        match self {
            Input::Stdin => {
                let mut buf = Vec::new();
                std::io::stdin()
                    .read_to_end(&mut buf)
                    .map_err(|e| Fatal::new(format!("cannot read stdin: {e}")))?;
                Ok(buf)
            }
            Input::File(p) => read_file(p),
        }
    }
}

/// Reads a file, with an error that names it and says how to fix it.
pub fn read_file(p: &Path) -> Result<Vec<u8>, Fatal> {
    if p.is_dir() {
        return Err(
            Fatal::new(format!("`{}` is a directory, not a file", p.display()))
                .help("name a notes file, such as `episodes/ep17.md`"),
        );
    }
    std::fs::read(p).map_err(|e| {
        let f = Fatal::new(format!(
            "cannot read `{}`: {}",
            p.display(),
            crate::diagnostic::io_reason(&e)
        ));
        match e.kind() {
            std::io::ErrorKind::NotFound => {
                f.help("check the path; it is relative to the current folder")
            }
            std::io::ErrorKind::PermissionDenied => f.help("check the file's permissions"),
            _ => f,
        }
    })
}

/// Expands the paths given to `check`: `-` is stdin, a directory is
/// searched (recursively) for `*.md` and `*.txt` notes, skipping hidden
/// entries, `README`/`CHANGELOG`/`LICENSE` files, and `target`, `dist`
/// and `node_modules` folders. Missing paths are returned as errors, in order.
pub fn expand(paths: &[String]) -> Vec<Result<Input, Fatal>> {
    let mut out = Vec::new();
    for p in paths {
        if p == "-" {
            out.push(Ok(Input::Stdin));
            continue;
        }
        let path = PathBuf::from(p);
        if path.is_dir() {
            let mut found = Vec::new();
            if let Err(e) = walk(&path, &mut found) {
                out.push(Err(e));
            }
            found.sort();
            out.extend(found.into_iter().map(|f| Ok(Input::File(f))));
        } else if path.exists() {
            out.push(Ok(Input::File(path)));
        } else {
            out.push(Err(Fatal::new(format!("`{p}` does not exist"))
                .help("check the path; it is relative to the current folder")));
        }
    }
    out
}

fn walk(dir: &Path, out: &mut Vec<PathBuf>) -> Result<(), Fatal> {
    let entries = std::fs::read_dir(dir).map_err(|e| {
        Fatal::new(format!(
            "cannot read folder `{}`: {}",
            dir.display(),
            crate::diagnostic::io_reason(&e)
        ))
    })?;
    for entry in entries.flatten() {
        let path = entry.path();
        let name = entry.file_name().to_string_lossy().to_string();
        if name.starts_with('.') {
            continue;
        }
        let is_dir = entry.file_type().is_ok_and(|t| t.is_dir());
        if is_dir {
            if !["target", "dist", "node_modules"].contains(&name.as_str()) {
                walk(&path, out)?;
            }
            continue;
        }
        let lower = name.to_ascii_lowercase();
        let stem = lower.split('.').next().unwrap_or("");
        if (lower.ends_with(".md") || lower.ends_with(".txt"))
            && !["readme", "changelog", "license", "licence", "contributing"].contains(&stem)
        {
            out.push(path);
        }
    }
    Ok(())
}
