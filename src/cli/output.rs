//! Writing outputs without losing anything: an output is never one of the
//! command's inputs, never replaces a file shownotes did not write unless
//! asked (`--force`), and never leaves a temporary file behind for long.
//!
//! The temporary files themselves (names, registry, atomic writes, stale
//! cleanup) are the library's [`shownotes::write`]; here SIGINT, SIGTERM
//! and SIGHUP remove the ones a run has open.
//!
//! `build` writes its set of files into a temporary folder and swaps it in
//! whole (see [`write_set`]); concurrent builds serialize on a lock.

use std::collections::BTreeMap;
use std::fs::{self, File};
use std::io::{self, Read as _, Write as _};
use std::path::{Path, PathBuf};
use std::sync::OnceLock;

use sha2::{Digest as _, Sha256};

use super::Fatal;
use shownotes::diagnostic::io_reason;
use shownotes::write::{
    self, clean_stale, critical, remove, temp_dir_in, COMMIT_PREFIX, TMP_PREFIX,
};

/// The list of files `build` wrote into its output folder, with their
/// content hashes, so that a later build replaces only those (unchanged).
pub const MANIFEST: &str = ".shownotes-build.json";

// ---------------------------------------------------------------------------
// Inputs: an output must not be one of them.

/// A file's identity: device and inode (links followed), so that a
/// symlink, a hard link or another spelling of a path is the same file.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct FileId {
    dev: u64,
    ino: u64,
}

#[cfg(unix)]
fn file_id(p: &Path) -> Option<FileId> {
    use std::os::unix::fs::MetadataExt;
    let m = fs::metadata(p).ok()?;
    Some(FileId {
        dev: m.dev(),
        ino: m.ino(),
    })
}

#[cfg(not(unix))]
fn file_id(p: &Path) -> Option<FileId> {
    use std::hash::{Hash, Hasher};
    // No inode numbers in std here: the canonical path stands in for one.
    let c = fs::canonicalize(p).ok()?;
    let mut h = std::collections::hash_map::DefaultHasher::new();
    c.hash(&mut h);
    Some(FileId {
        dev: 0,
        ino: h.finish(),
    })
}

/// The files a command reads; outputs are checked against them.
#[derive(Debug, Default)]
pub struct Inputs {
    files: Vec<(String, PathBuf, FileId)>,
}

impl Inputs {
    /// No inputs yet.
    pub fn new() -> Self {
        Inputs::default()
    }

    /// Adds `path`, which the command reads as `role` ("the notes file").
    /// A path that does not exist is no file to protect.
    pub fn add(&mut self, role: &str, path: &Path) {
        if let Some(id) = file_id(path) {
            self.files.push((role.to_string(), path.to_path_buf(), id));
        }
    }

    /// The input that `out` is, if any.
    fn find(&self, out: &Path) -> Option<&(String, PathBuf, FileId)> {
        let id = file_id(out)?;
        self.files.iter().find(|(_, _, i)| *i == id)
    }

    /// Refuses `out` when it is one of the inputs (`--force` does not
    /// change that: an input is never an output).
    pub fn check(&self, out: &Path, flag: &str) -> Result<(), Fatal> {
        let Some((role, path, _)) = self.find(out) else {
            return Ok(());
        };
        let same = if path == out {
            String::new()
        } else {
            format!(" (`{}`)", path.display())
        };
        Err(Fatal::new(format!(
            "refusing to write `{}`: it is {role}{same}, an input of this command",
            out.display()
        ))
        .help(format!(
            "give {flag} another path; an input is never overwritten, even with `--force`"
        )))
    }
}

// ---------------------------------------------------------------------------
// Replacing an existing file.

/// Refuses to replace the file at `out` unless it does not exist, `force`
/// is set, or `ours` recognises its first bytes (up to 1 MiB) as what this
/// command writes. Never replaces a folder or a special file (a FIFO, a
/// device), whatever `force` says.
pub fn check_replace(
    out: &Path,
    force: bool,
    what: &str,
    ours: impl Fn(&[u8]) -> bool,
) -> Result<(), Fatal> {
    let Ok(meta) = fs::metadata(out) else {
        return Ok(());
    };
    if !meta.is_file() {
        return Err(Fatal::new(format!(
            "refusing to write `{}`: it is {}, not a regular file",
            out.display(),
            if meta.is_dir() {
                "a folder"
            } else {
                "a special file"
            }
        ))
        .help("give another path, or leave the option out to print to stdout"));
    }
    if force {
        return Ok(());
    }
    let mut head = Vec::new();
    let read = File::open(out).and_then(|f| f.take(1 << 20).read_to_end(&mut head));
    if read.is_ok() && ours(&head) {
        return Ok(());
    }
    Err(Fatal::new(format!(
        "refusing to replace `{}`: it exists and is not {what}",
        out.display()
    ))
    .help("give another path, move the file away, or pass `--force` to replace it"))
}

// ---------------------------------------------------------------------------
// Signals: the library's live temporary paths removed on SIGINT, SIGTERM, SIGHUP.

/// Starts, once, the thread that removes the registered temporary files on
/// SIGINT, SIGTERM or SIGHUP, then ends the process as the signal would.
pub fn install_handler() {
    static INSTALLED: OnceLock<()> = OnceLock::new();
    INSTALLED.get_or_init(|| {
        #[cfg(unix)]
        {
            use signal_hook::consts::{SIGHUP, SIGINT, SIGTERM};
            if let Ok(mut signals) = signal_hook::iterator::Signals::new([SIGINT, SIGTERM, SIGHUP])
            {
                let _ = std::thread::Builder::new()
                    .name("shownotes-signals".into())
                    .spawn(move || {
                        if let Some(sig) = signals.forever().next() {
                            // Held until the process ends: nothing new is
                            // registered (or committed) after the removal.
                            let _held = write::remove_live();
                            let _ = signal_hook::low_level::emulate_default_handler(sig);
                            std::process::exit(128 + sig);
                        }
                    });
            }
        }
    });
}

// ---------------------------------------------------------------------------
// A set of files: `build`.

/// `sha256:<hex>` of `bytes`.
fn hash(bytes: &[u8]) -> String {
    let d = Sha256::digest(bytes);
    let mut s = String::with_capacity(7 + 64);
    s.push_str("sha256:");
    for b in d.iter() {
        s.push_str(&format!("{b:02x}"));
    }
    s
}

/// The manifest in `dir`: file name to content hash (empty when absent or
/// unreadable, so nothing is taken as ours).
fn read_manifest(dir: &Path) -> BTreeMap<String, String> {
    #[derive(serde::Deserialize)]
    struct Manifest {
        files: BTreeMap<String, String>,
    }
    fs::read(dir.join(MANIFEST))
        .ok()
        .and_then(|b| serde_json::from_slice::<Manifest>(&b).ok())
        .map(|m| m.files)
        .unwrap_or_default()
}

fn manifest_text(files: &[(&str, &str)]) -> String {
    let map: BTreeMap<&str, String> = files
        .iter()
        .map(|(n, t)| (*n, hash(t.as_bytes())))
        .collect();
    let doc = serde_json::json!({
        "written_by": "shownotes build",
        "note": "files shownotes wrote here, with their content hashes; a later build replaces them only while unchanged",
        "files": map,
    });
    let mut s = serde_json::to_string_pretty(&doc).unwrap_or_default();
    s.push('\n');
    s
}

/// Whether `dir/name` is a regular file whose content hashes to `want`.
fn unchanged(dir: &Path, name: &str, want: &str) -> bool {
    let p = dir.join(name);
    fs::symlink_metadata(&p).is_ok_and(|m| m.is_file())
        && fs::read(&p).is_ok_and(|b| hash(&b) == want)
}

fn fail_in(dir: &Path, what: &str, e: &io::Error) -> Fatal {
    Fatal::new(format!(
        "cannot {what} `{}`: {}",
        dir.display(),
        io_reason(e)
    ))
    .help("check that the folder is writable and has room; nothing was changed")
}

/// Holds the lock that serializes builds into one folder.
struct BuildLock {
    _file: File,
}

/// Locks `on` (a folder: the output folder's parent, which does not change
/// when the output folder is swapped), waiting for another build. The
/// lock is `flock(2)` on the folder itself: it is released when the
/// process ends, however it ends, and leaves no lock file behind. (std's
/// `File::lock` needs Rust 1.89, above this crate's `rust-version`.)
fn lock(on: &Path, shown: &Path, quiet: bool) -> Result<BuildLock, Fatal> {
    let file = File::open(on).map_err(|e| fail_in(on, "lock", &e))?;
    #[cfg(unix)]
    {
        use rustix::fs::{flock, FlockOperation};
        match flock(&file, FlockOperation::NonBlockingLockExclusive) {
            Ok(()) => {}
            Err(rustix::io::Errno::WOULDBLOCK) => {
                if !quiet {
                    eprintln!(
                        "waiting for another build into `{}` to finish",
                        shown.display()
                    );
                }
                flock(&file, FlockOperation::LockExclusive)
                    .map_err(|e| fail_in(on, "lock", &e.into()))?;
            }
            Err(e) => return Err(fail_in(on, "lock", &e.into())),
        }
    }
    #[cfg(not(unix))]
    let _ = (shown, quiet);
    Ok(BuildLock { _file: file })
}

/// Syncs a folder's entries to disk (a no-op where folders can't be
/// opened).
fn sync_dir(dir: &Path) {
    if let Ok(f) = File::open(dir) {
        let _ = f.sync_all();
    }
}

/// Writes `files` (name, text) into a fresh folder `stage`, with the
/// manifest, every file synced.
fn fill(stage: &Path, files: &[(&str, &str)]) -> io::Result<()> {
    let manifest = manifest_text(files);
    let all: Vec<(&str, &str)> = files
        .iter()
        .copied()
        .chain([(MANIFEST, manifest.as_str())])
        .collect();
    // The syncs, not the writes, are most of a build's time: side by side.
    std::thread::scope(|s| {
        let handles: Vec<_> = all
            .iter()
            .map(|(name, text)| {
                let path = stage.join(name);
                s.spawn(move || -> io::Result<()> {
                    let mut f = File::create_new(path)?;
                    f.write_all(text.as_bytes())?;
                    f.sync_all()
                })
            })
            .collect();
        handles.into_iter().try_for_each(|h| {
            h.join()
                .unwrap_or_else(|_| Err(io::Error::other("a writer thread stopped")))
        })
    })?;
    sync_dir(stage);
    Ok(())
}

/// Moves a committed set (`commit`, a folder inside `dir`) into `dir`:
/// every file, then the old manifest's files that the new set no longer
/// has (unless changed since), then the new manifest last. Run again after
/// an interruption, it finishes the same work.
fn roll_forward(commit: &Path, dir: &Path) -> io::Result<()> {
    critical(|| {
        let old = read_manifest(dir);
        let new = read_manifest(commit);
        for e in fs::read_dir(commit)?.flatten() {
            let name = e.file_name();
            if name != MANIFEST {
                fs::rename(e.path(), dir.join(&name))?;
            }
        }
        for (name, h) in &old {
            if !new.contains_key(name) && unchanged(dir, name, h) {
                fs::remove_file(dir.join(name))?;
            }
        }
        let m = commit.join(MANIFEST);
        if m.exists() {
            fs::rename(&m, dir.join(MANIFEST))?;
        }
        sync_dir(dir);
        fs::remove_dir(commit)
    })
}

/// Finishes the committed sets an interrupted build left in `dir`.
fn recover(dir: &Path) -> Result<(), Fatal> {
    let Ok(entries) = fs::read_dir(dir) else {
        return Ok(());
    };
    let mut commits: Vec<PathBuf> = entries
        .flatten()
        .filter(|e| e.file_name().to_string_lossy().starts_with(COMMIT_PREFIX))
        .map(|e| e.path())
        .collect();
    commits.sort();
    for c in commits {
        roll_forward(&c, dir).map_err(|e| fail_in(dir, "finish an interrupted build in", &e))?;
    }
    Ok(())
}

/// Swaps folders `a` and `b` in one step, where the system can.
fn exchange(a: &Path, b: &Path) -> io::Result<()> {
    #[cfg(any(target_os = "linux", target_os = "android", target_vendor = "apple"))]
    {
        rustix::fs::renameat_with(
            rustix::fs::CWD,
            a,
            rustix::fs::CWD,
            b,
            rustix::fs::RenameFlags::EXCHANGE,
        )
        .map_err(io::Error::from)
    }
    #[cfg(not(any(target_os = "linux", target_os = "android", target_vendor = "apple")))]
    {
        let _ = (a, b);
        Err(io::Error::from(io::ErrorKind::Unsupported))
    }
}

/// Options of [`write_set`].
pub struct SetOptions<'a> {
    /// The files the build read: none of them is written over.
    pub inputs: &'a Inputs,
    /// Replace files shownotes did not write (or that changed since).
    pub force: bool,
    /// No "waiting" line.
    pub quiet: bool,
}

/// Writes a build's `files` (name, text) into `dir` as one set, so that
/// the folder holds every file of one run, never files of two.
///
/// Builds into one folder serialize on a lock (on the folder's parent).
/// The new set is written and synced into a temporary folder first; a
/// write that fails (a full disk) leaves the old set as it was.
///
/// - When `dir` holds nothing but shownotes' files (those in its manifest,
///   `.shownotes-build.json`), the temporary folder is swapped with `dir`
///   in one step (`renameat2(RENAME_EXCHANGE)` on Linux, `renamex_np
///   (RENAME_SWAP)` on macOS), and the old set is removed.
/// - When `dir` also holds other files (`--out .`), or the system cannot
///   swap, those files stay and the set moves in file by file: the
///   complete set is first renamed to `.shownotes-commit-…` (the commit
///   point), then each file is renamed into place, the manifest last. A
///   build interrupted meanwhile is finished by the next build into `dir`.
///
/// An existing file of the set is replaced only when the manifest lists it
/// and it is unchanged since, or with `force`; an input never is.
pub fn write_set(dir: &Path, files: &[(&str, &str)], opts: &SetOptions<'_>) -> Result<(), Fatal> {
    fs::create_dir_all(dir).map_err(|e| {
        Fatal::new(format!(
            "cannot create `{}`: {}",
            dir.display(),
            io_reason(&e)
        ))
        .help("choose another folder with `--out`")
    })?;
    for (name, _) in files.iter().chain([&(MANIFEST, "")]) {
        opts.inputs.check(&dir.join(name), "`--out`")?;
    }
    let real = fs::canonicalize(dir).map_err(|e| fail_in(dir, "open", &e))?;
    let parent = real.parent().unwrap_or(&real).to_path_buf();
    let _lock = lock(&parent, dir, opts.quiet)?;

    clean_stale(&parent);
    clean_stale(&real);
    recover(&real)?;

    let manifest = read_manifest(&real);
    refuse_foreign(dir, &real, files, &manifest, opts.force)?;
    if let Some(done) = swap_whole(dir, &real, &parent, files, &manifest) {
        return done;
    }

    // Other files in the folder: commit, then move in file by file.
    let (stage, reg) = temp_dir_in(&real).map_err(|e| fail_in(dir, "write into", &e))?;
    if let Err(e) = fill(&stage, files) {
        remove(&stage);
        return Err(fail_in(dir, "write into", &e));
    }
    let commit = real.join(format!(
        "{COMMIT_PREFIX}{}",
        &stage.file_name().unwrap_or_default().to_string_lossy()[TMP_PREFIX.len()..]
    ));
    fs::rename(&stage, &commit).map_err(|e| {
        remove(&stage);
        fail_in(dir, "write into", &e)
    })?;
    drop(reg);
    roll_forward(&commit, &real).map_err(|e| fail_in(dir, "write into", &e))
}

/// Refuses (before anything is written) to replace a file of the set that
/// shownotes did not write, or that changed since, unless `force`.
fn refuse_foreign(
    dir: &Path,
    real: &Path,
    files: &[(&str, &str)],
    manifest: &BTreeMap<String, String>,
    force: bool,
) -> Result<(), Fatal> {
    let mut refused = Vec::new();
    for (name, _) in files {
        let p = real.join(name);
        match fs::symlink_metadata(&p) {
            Err(_) => {}
            Ok(m) if m.is_dir() => {
                return Err(Fatal::new(format!(
                    "refusing to write `{}`: it is a folder",
                    dir.join(name).display()
                ))
                .help("move it away, or choose another folder with `--out`"));
            }
            Ok(_) if force => {}
            Ok(_) => {
                let shown = dir.join(name);
                match manifest.get(*name) {
                    Some(h) if unchanged(real, name, h) => {}
                    Some(_) => refused.push(format!("`{}` (changed since)", shown.display())),
                    None => refused.push(format!("`{}` (not written by it)", shown.display())),
                }
            }
        }
    }
    if !refused.is_empty() {
        let (it, was) = if refused.len() == 1 {
            ("it", "was")
        } else {
            ("them", "were")
        };
        return Err(Fatal::new(format!(
            "refusing to replace {}: `shownotes build` replaces only the files it wrote, unchanged",
            refused.join(", ")
        ))
        .help(format!(
            "move {it} away, or pass `--force` to replace {it}; nothing {was} written"
        )));
    }

    Ok(())
}

/// When `dir` holds only shownotes' files, writes the set into a
/// temporary folder and swaps it with `dir` in one step. `None`: not done
/// (other files there, or no swap on this system).
fn swap_whole(
    dir: &Path,
    real: &Path,
    parent: &Path,
    files: &[(&str, &str)],
    manifest: &BTreeMap<String, String>,
) -> Option<Result<(), Fatal>> {
    // Only ours in the folder: swap the whole folder.
    let cwd = std::env::current_dir()
        .ok()
        .and_then(|c| fs::canonicalize(c).ok());
    let only_ours = cwd.as_deref() != Some(real)
        && fs::read_dir(real).is_ok_and(|entries| {
            entries.flatten().all(|e| {
                let n = e.file_name().to_string_lossy().into_owned();
                // A file of an older set that was changed since stays.
                n == MANIFEST
                    || files.iter().any(|(f, _)| *f == n)
                    || manifest.get(&n).is_some_and(|h| unchanged(real, &n, h))
            })
        });
    if only_ours {
        if let Ok((stage, reg)) = temp_dir_in(parent) {
            let written = fill(&stage, files).and_then(|()| {
                if let Ok(m) = fs::metadata(real) {
                    let _ = fs::set_permissions(&stage, m.permissions());
                }
                exchange(&stage, real)
            });
            match written {
                Ok(()) => {
                    // `stage` now holds the old set.
                    sync_dir(parent);
                    remove(&stage);
                    drop(reg);
                    return Some(Ok(()));
                }
                Err(e) if e.kind() != io::ErrorKind::Unsupported && !is_no_swap(&e) => {
                    remove(&stage);
                    return Some(Err(fail_in(dir, "write into", &e)));
                }
                Err(_) => remove(&stage),
            }
        }
    }
    None
}

/// Whether a swap failed because the system or file system has none.
fn is_no_swap(e: &io::Error) -> bool {
    #[cfg(unix)]
    {
        let code = e.raw_os_error();
        [
            rustix::io::Errno::INVAL,
            rustix::io::Errno::NOSYS,
            rustix::io::Errno::NOTSUP,
            rustix::io::Errno::XDEV,
            rustix::io::Errno::BUSY,
        ]
        .iter()
        .any(|x| Some(x.raw_os_error()) == code)
    }
    #[cfg(not(unix))]
    {
        let _ = e;
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_input_is_found_through_a_hard_link_and_a_symlink() {
        let d = tempfile::tempdir().unwrap();
        let a = d.path().join("a.md");
        fs::write(&a, "x").unwrap();
        fs::hard_link(&a, d.path().join("h.md")).unwrap();
        #[cfg(unix)]
        std::os::unix::fs::symlink(&a, d.path().join("s.md")).unwrap();
        let mut inputs = Inputs::new();
        inputs.add("the notes file", &a);
        assert!(inputs.check(&d.path().join("h.md"), "`-o`").is_err());
        #[cfg(unix)]
        assert!(inputs.check(&d.path().join("s.md"), "`-o`").is_err());
        assert!(inputs.check(&d.path().join("new.md"), "`-o`").is_ok());
    }

    #[test]
    fn a_set_replaces_its_own_files_and_refuses_others() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        let inputs = Inputs::new();
        let opts = SetOptions {
            inputs: &inputs,
            force: false,
            quiet: true,
        };
        write_set(&out, &[("a.txt", "1"), ("b.txt", "1")], &opts).unwrap();
        write_set(&out, &[("a.txt", "2")], &opts).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "2");
        assert!(!out.join("b.txt").exists(), "the old set's extra file went");
        fs::write(out.join("a.txt"), "edited").unwrap();
        assert!(write_set(&out, &[("a.txt", "3")], &opts).is_err());
        let forced = SetOptions {
            force: true,
            ..opts
        };
        write_set(&out, &[("a.txt", "3")], &forced).unwrap();
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "3");
        let left: Vec<_> = fs::read_dir(d.path()).unwrap().flatten().collect();
        assert_eq!(left.len(), 1, "no temporary folder beside the output");
    }

    #[test]
    fn a_set_beside_other_files_keeps_them() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        let inputs = Inputs::new();
        let opts = SetOptions {
            inputs: &inputs,
            force: false,
            quiet: true,
        };
        write_set(&out, &[("a.txt", "1"), ("b.txt", "1")], &opts).unwrap();
        write_set(&out, &[("a.txt", "2")], &opts).unwrap();
        assert_eq!(fs::read_to_string(out.join("notes.md")).unwrap(), "mine");
        assert_eq!(fs::read_to_string(out.join("a.txt")).unwrap(), "2");
        assert!(!out.join("b.txt").exists());
        let names: Vec<String> = fs::read_dir(&out)
            .unwrap()
            .flatten()
            .map(|e| e.file_name().to_string_lossy().into_owned())
            .collect();
        assert_eq!(names.len(), 3, "{names:?}");
    }

    #[test]
    fn an_interrupted_commit_is_finished_by_the_next_build() {
        let d = tempfile::tempdir().unwrap();
        let out = d.path().join("out");
        fs::create_dir(&out).unwrap();
        fs::write(out.join("notes.md"), "mine").unwrap();
        let commit = out.join(format!("{COMMIT_PREFIX}1-x"));
        fs::create_dir(&commit).unwrap();
        fill(&commit, &[("a.txt", "old-run"), ("b.txt", "old-run")]).unwrap();
        // Half moved: `a.txt` is in place, `b.txt` is not yet.
        fs::rename(commit.join("a.txt"), out.join("a.txt")).unwrap();
        recover(&out).unwrap();
        assert!(!commit.exists());
        assert_eq!(fs::read_to_string(out.join("b.txt")).unwrap(), "old-run");
        assert!(read_manifest(&out).contains_key("b.txt"));
    }
}
