//! Writing files without losing anything: temporary files with names a
//! later run recognises, a registry of the live ones (which a signal
//! handler removes), atomic replacement, and cleanup of the temporary
//! files that ended runs left behind.
//!
//! Temporary files and folders are named `.shownotes-tmp-<pid>-<random>`
//! (or `.shownotes-tmp-<label>-<pid>-<random>`);
//! a run that writes into a folder removes those whose process is gone
//! (after a SIGKILL, a crash or a power cut).

use std::fs;
use std::io::{self, Write as _};
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, OnceLock};

use crate::diagnostic::io_reason;
use crate::error::{Error, ErrorKind, Result};

/// The start of every temporary file or folder's name.
pub const TMP_PREFIX: &str = ".shownotes-tmp-";

/// The start of a build set that is complete and being moved into a folder
/// that also holds files that are not shownotes' (see [`write_set`]).
pub const COMMIT_PREFIX: &str = ".shownotes-commit-";

fn registry() -> MutexGuard<'static, Vec<PathBuf>> {
    static REGISTRY: Mutex<Vec<PathBuf>> = Mutex::new(Vec::new());
    REGISTRY.lock().unwrap_or_else(|e| e.into_inner())
}

/// What runs before the first path is registered: the binary installs its
/// signal handler there (see [`on_register`]).
static HOOK: OnceLock<fn()> = OnceLock::new();

/// Sets what runs (each time; it must be idempotent) before a temporary
/// path is registered: the binary starts its signal handler, which calls
/// [`remove_live`]. A library user without one leaves it unset.
pub fn on_register(hook: fn()) {
    let _ = HOOK.set(hook);
}

fn install_handler() {
    if let Some(hook) = HOOK.get() {
        hook();
    }
}

/// Removes every registered temporary path, and holds the registry until
/// the guard is dropped: a signal handler keeps it until the process ends,
/// so nothing new is registered (or committed) after the removal.
pub fn remove_live() -> Held {
    let paths = registry();
    for p in paths.iter() {
        remove(p);
    }
    Held(paths)
}

/// The registry, held: no temporary path is registered or dropped while
/// this lives.
#[must_use]
pub struct Held(#[allow(dead_code)] MutexGuard<'static, Vec<PathBuf>>);

/// Removes `path` (a file, a link or a whole folder), if it is there.
pub fn remove(path: &Path) {
    match fs::symlink_metadata(path) {
        Ok(m) if m.is_dir() => {
            let _ = fs::remove_dir_all(path);
        }
        Ok(_) => {
            let _ = fs::remove_file(path);
        }
        Err(_) => {}
    }
}

/// A registered temporary path: removed on a signal while this lives.
/// Dropping it unregisters the path (it does not remove it).
#[derive(Debug)]
pub struct Registered(PathBuf);

impl Registered {
    /// Registers `path` for removal on a signal.
    pub fn new(path: &Path) -> Self {
        install_handler();
        registry().push(path.to_path_buf());
        Registered(path.to_path_buf())
    }
}

impl Drop for Registered {
    fn drop(&mut self) {
        let mut r = registry();
        if let Some(i) = r.iter().position(|p| *p == self.0) {
            r.swap_remove(i);
        }
    }
}

/// Runs `f` with signal cleanup held off: a SIGINT or SIGTERM arriving
/// meanwhile takes effect once `f` is done (used for a commit that must
/// not stop half-way). `f` must not create registered paths.
pub fn critical<T>(f: impl FnOnce() -> T) -> T {
    let _held = registry();
    f()
}

/// The prefix of this process's temporary names.
fn own_prefix() -> String {
    format!("{TMP_PREFIX}{}-", std::process::id())
}

/// A temporary file in `dir`, named and registered for cleanup, with the
/// stale temporary files of dead runs in `dir` removed first.
/// `perms` are the new file's permissions (default: tempfile's 0600).
pub(crate) fn temp_file_in(
    dir: &Path,
    perms: Option<fs::Permissions>,
) -> io::Result<(tempfile::NamedTempFile, Registered)> {
    temp_file(dir, &own_prefix(), perms)
}

/// A temporary file like [`temp_file_in`], named
/// `.shownotes-tmp-<label>-<pid>-<random>` (`label`: ASCII letters) so a
/// person can tell what it holds (`probe -` spools stdin as `spool`).
pub fn temp_file_labelled(
    dir: &Path,
    label: &str,
) -> io::Result<(tempfile::NamedTempFile, Registered)> {
    debug_assert!(!label.is_empty() && label.bytes().all(|b| b.is_ascii_alphabetic()));
    let prefix = format!("{TMP_PREFIX}{label}-{}-", std::process::id());
    temp_file(dir, &prefix, None)
}

fn temp_file(
    dir: &Path,
    prefix: &str,
    perms: Option<fs::Permissions>,
) -> io::Result<(tempfile::NamedTempFile, Registered)> {
    clean_stale(dir);
    let mut b = tempfile::Builder::new();
    b.prefix(prefix);
    if let Some(p) = perms {
        b.permissions(p);
    }
    install_handler();
    // Created and registered under the registry's lock: a signal arriving
    // in between is handled once the path is registered.
    let mut paths = registry();
    let tmp = b.tempfile_in(dir)?;
    paths.push(tmp.path().to_path_buf());
    drop(paths);
    let reg = Registered(tmp.path().to_path_buf());
    Ok((tmp, reg))
}

/// A temporary folder in `parent`, named and registered like
/// [`temp_file_in`] (the caller removes it).
pub fn temp_dir_in(parent: &Path) -> io::Result<(PathBuf, Registered)> {
    install_handler();
    let mut paths = registry();
    let dir = tempfile::Builder::new()
        .prefix(&own_prefix())
        .tempdir_in(parent)?
        .keep();
    paths.push(dir.clone());
    drop(paths);
    Ok((dir.clone(), Registered(dir)))
}

/// The process that made a temporary name, from the name.
fn owner_pid(name: &str) -> Option<u32> {
    let rest = name
        .strip_prefix(TMP_PREFIX)
        .or_else(|| name.strip_prefix(COMMIT_PREFIX))?;
    let mut fields = rest.split('-');
    let first = fields.next()?;
    // A label ([`temp_file_labelled`]) stands before the process id.
    let pid = if first.bytes().all(|b| b.is_ascii_alphabetic()) {
        fields.next()?
    } else {
        first
    };
    pid.parse().ok()
}

/// Whether process `pid` is running (a process of another user counts).
#[cfg(unix)]
fn alive(pid: u32) -> bool {
    let Some(p) = i32::try_from(pid)
        .ok()
        .and_then(rustix::process::Pid::from_raw)
    else {
        return false;
    };
    !matches!(
        rustix::process::test_kill_process(p),
        Err(rustix::io::Errno::SRCH)
    )
}

#[cfg(not(unix))]
fn alive(_pid: u32) -> bool {
    // Without a portable liveness check, keep everything.
    true
}

/// Whether the temporary `name` in a folder is left over by a run that
/// has ended: its process is gone, or it names this process but was not
/// made by it (a pid reused since).
fn is_stale(name: &str, path: &Path) -> bool {
    let Some(pid) = owner_pid(name) else {
        return false;
    };
    if pid == std::process::id() {
        return !registry().iter().any(|p| p == path);
    }
    !alive(pid)
}

/// Removes the temporary files and folders that ended runs left in `dir`.
pub fn clean_stale(dir: &Path) {
    let Ok(entries) = fs::read_dir(dir) else {
        return;
    };
    for e in entries.flatten() {
        let name = e.file_name();
        let Some(name) = name.to_str() else { continue };
        if name.starts_with(TMP_PREFIX) && is_stale(name, &e.path()) {
            remove(&e.path());
        }
    }
}

// ---------------------------------------------------------------------------
// One file, atomically.

/// The folder `path` is in (`.` for a bare name).
pub(crate) fn parent_dir(path: &Path) -> &Path {
    match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => Path::new("."),
    }
}

fn write_fail(path: &Path, e: &io::Error) -> Error {
    Error::new(
        ErrorKind::Write,
        format!("cannot write `{}`: {}", path.display(), io_reason(e)),
    )
    .with_help("check that the folder exists, is writable and has room")
}

/// A complete temporary file beside `path` holding `bytes`, synced, with
/// the permissions of the file it replaces (or 0666 less the umask).
fn prepare(path: &Path, bytes: &[u8]) -> Result<(tempfile::NamedTempFile, Registered)> {
    let fail = |e: io::Error| write_fail(path, &e);
    // A new file gets the usual 0666 less the umask (tempfile's own 0600
    // would surprise); a file being replaced keeps its permissions.
    #[cfg(unix)]
    let perms = {
        use std::os::unix::fs::PermissionsExt;
        Some(
            fs::metadata(path)
                .map(|m| m.permissions())
                .unwrap_or_else(|_| fs::Permissions::from_mode(0o666)),
        )
    };
    #[cfg(not(unix))]
    let perms = None;
    let (mut tmp, reg) = temp_file_in(parent_dir(path), perms).map_err(fail)?;
    tmp.write_all(bytes).map_err(fail)?;
    tmp.as_file().sync_all().map_err(fail)?;
    Ok((tmp, reg))
}

/// Writes `bytes` to `path` atomically: a temporary file in the same
/// folder, renamed over the target once it is complete, so an interrupted
/// run leaves the old file or the new one, never half of one.
pub fn write_atomic(path: &Path, bytes: &[u8]) -> Result<()> {
    let (tmp, _reg) = prepare(path, bytes)?;
    tmp.persist(path).map_err(|e| write_fail(path, &e.error))?;
    Ok(())
}

/// [`write_atomic`] for many files of one folder `dir` (`import`'s
/// thousand notes files): every temporary file is written first, the
/// file system is synced once (instead of once per file), then each is
/// renamed over its target. Each file is replaced atomically (its old text
/// or its new one, never half); after a crash, some files may be new and
/// others old.
pub fn write_atomic_many(dir: &Path, files: &[(&str, &[u8])]) -> Result<()> {
    let fail = |name: &str, e: &io::Error| write_fail(&dir.join(name), e);
    clean_stale(dir);
    install_handler();
    let mut staged = Vec::with_capacity(files.len());
    for (name, bytes) in files {
        let path = dir.join(name);
        #[cfg(unix)]
        let perms = {
            use std::os::unix::fs::PermissionsExt;
            fs::metadata(&path)
                .map(|m| m.permissions())
                .unwrap_or_else(|_| fs::Permissions::from_mode(0o666))
        };
        let mut b = tempfile::Builder::new();
        let prefix = own_prefix();
        b.prefix(&prefix);
        #[cfg(unix)]
        b.permissions(perms);
        let mut paths = registry();
        let mut tmp = b.tempfile_in(dir).map_err(|e| fail(name, &e))?;
        paths.push(tmp.path().to_path_buf());
        drop(paths);
        let reg = Registered(tmp.path().to_path_buf());
        tmp.write_all(bytes).map_err(|e| fail(name, &e))?;
        staged.push((path, tmp, reg));
    }
    // One sync of the file system for all the data: on Linux `syncfs`;
    // elsewhere each file's own.
    #[cfg(target_os = "linux")]
    {
        if let Some((_, tmp, _)) = staged.first() {
            rustix::fs::syncfs(tmp.as_file()).map_err(|e| fail(files[0].0, &e.into()))?;
        }
    }
    #[cfg(not(target_os = "linux"))]
    for ((name, _), (_, tmp, _)) in files.iter().zip(&staged) {
        tmp.as_file().sync_all().map_err(|e| fail(name, &e))?;
    }
    for (path, tmp, _reg) in staged {
        tmp.persist(&path)
            .map_err(|e| write_fail(&path, &e.error))?;
    }
    Ok(())
}

/// Like [`write_atomic`], but fails when `path` exists (even if it
/// appeared meanwhile): for files that are never replaced.
pub fn write_new(path: &Path, bytes: &[u8]) -> Result<()> {
    let (tmp, _reg) = prepare(path, bytes)?;
    tmp.persist_noclobber(path).map_err(|e| {
        if e.error.kind() == io::ErrorKind::AlreadyExists {
            Error::new(
                ErrorKind::Write,
                format!("refusing to overwrite `{}`", path.display()),
            )
            .with_help("move it away, or choose another folder")
        } else {
            write_fail(path, &e.error)
        }
    })?;
    Ok(())
}

#[cfg(test)]
mod tests {
    #[test]
    fn a_label_stands_before_the_process_id() {
        assert_eq!(owner_pid(".shownotes-tmp-123-abc"), Some(123));
        assert_eq!(owner_pid(".shownotes-tmp-spool-123-abc"), Some(123));
        assert_eq!(owner_pid(".shownotes-commit-7-x"), Some(7));
        assert_eq!(owner_pid(".shownotes-tmp-spool-abc"), None);
        assert_eq!(owner_pid("notes.md"), None);
    }

    use super::*;

    #[cfg(unix)]
    #[test]
    fn atomic_writes_keep_or_give_sensible_permissions() {
        use std::os::unix::fs::PermissionsExt;
        let dir = tempfile::tempdir().unwrap();
        let new = dir.path().join("new.txt");
        write_atomic(&new, b"a").unwrap();
        let mode = std::fs::metadata(&new).unwrap().permissions().mode() & 0o777;
        assert_ne!(
            mode & 0o044,
            0,
            "readable by others as umask allows: {mode:o}"
        );
        let old = dir.path().join("old.txt");
        std::fs::write(&old, "x").unwrap();
        std::fs::set_permissions(&old, std::fs::Permissions::from_mode(0o640)).unwrap();
        write_atomic(&old, b"y").unwrap();
        assert_eq!(std::fs::read_to_string(&old).unwrap(), "y");
        let mode = std::fs::metadata(&old).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode, 0o640);
        let leftovers = std::fs::read_dir(dir.path()).unwrap().count();
        assert_eq!(leftovers, 2, "no temporary file left behind");
    }

    #[test]
    fn many_files_are_written_at_once() {
        let d = tempfile::tempdir().unwrap();
        std::fs::write(d.path().join("b.md"), "old").unwrap();
        write_atomic_many(d.path(), &[("a.md", b"a"), ("b.md", b"new")]).unwrap();
        assert_eq!(std::fs::read_to_string(d.path().join("a.md")).unwrap(), "a");
        assert_eq!(
            std::fs::read_to_string(d.path().join("b.md")).unwrap(),
            "new"
        );
        assert_eq!(
            std::fs::read_dir(d.path()).unwrap().count(),
            2,
            "no temporary left"
        );
    }

    #[test]
    fn stale_temporaries_of_dead_processes_are_removed() {
        let d = tempfile::tempdir().unwrap();
        // A pid that can't be running (above Linux's pid_max limit).
        let dead = d.path().join(format!("{TMP_PREFIX}4294967-abc"));
        fs::write(&dead, "x").unwrap();
        let mine = d.path().join(format!("{}zzz", own_prefix()));
        fs::write(&mine, "x").unwrap();
        let other = d.path().join(".shownotes-other");
        fs::write(&other, "x").unwrap();
        clean_stale(d.path());
        assert!(!dead.exists());
        assert!(!mine.exists(), "this pid, but not registered: a reused pid");
        assert!(other.exists());
    }
}
