//! Opening the user's inputs safely: only regular files, never an open
//! that blocks (a FIFO with no writer), and a cap on what is read (a
//! symbolic link to `/dev/zero` or a `/proc` file never ends).
//!
//! The type is checked before opening (following symbolic links, as the
//! user named the path), the open itself uses `O_NONBLOCK` (open(2): on a
//! FIFO it returns at once instead of waiting for a writer), and the opened
//! handle is checked again with fstat(2), so a file swapped for a FIFO or a
//! device between the check and the open is refused too.

use std::fs::{File, FileType, Metadata};
use std::io::{self, Read};
use std::path::Path;

use crate::error::{Error, ErrorKind};

/// The most read from one text input (notes, chapter file, config,
/// template, or notes on stdin): 50 MB.
pub const TEXT_CAP: u64 = 50_000_000;

/// Why an input could not be opened or read.
#[derive(Debug)]
pub(crate) enum OpenError {
    /// The system refused (missing, permissions, ...).
    Io(io::Error),
    /// Not a regular file: what it is instead (`a named pipe (FIFO)`).
    NotRegular(&'static str),
    /// Longer than `cap` bytes; `size` is its size, or a lower bound when
    /// the file did not say (a `/proc` file, stdin).
    TooLarge { size: u64, cap: u64, exact: bool },
}

impl OpenError {
    /// Why, lowercase, to follow "cannot read `x`: ".
    pub(crate) fn reason(&self) -> String {
        match self {
            OpenError::Io(e) => crate::diagnostic::io_reason(e),
            OpenError::NotRegular(what) => format!("it is {what}, not a regular file"),
            OpenError::TooLarge {
                size,
                cap,
                exact: true,
            } if format_size(*size) == format_size(*cap) => format!(
                "it is {size} bytes, over the {} ({cap} bytes) limit for an input",
                format_size(*cap)
            ),
            OpenError::TooLarge {
                size,
                cap,
                exact: true,
            } => format!(
                "it is {} ({size} bytes), over the {} limit for an input",
                format_size(*size),
                format_size(*cap)
            ),
            OpenError::TooLarge { cap, .. } => format!(
                "it holds more than the {} limit for an input",
                format_size(*cap)
            ),
        }
    }

    /// How to fix it, when there is something to say.
    pub(crate) fn help(&self) -> Option<&'static str> {
        match self {
            OpenError::Io(e) => match e.kind() {
                io::ErrorKind::NotFound => {
                    Some("check the path; it is relative to the current folder")
                }
                io::ErrorKind::PermissionDenied => Some("check the file's permissions"),
                _ => None,
            },
            OpenError::NotRegular("a directory") => {
                Some("name a file, such as `episodes/ep17.md`")
            }
            OpenError::NotRegular(_) => Some(
                "name a regular file; to read from a pipe or a device, give `-` and redirect it to stdin",
            ),
            OpenError::TooLarge { .. } => Some("check that this is the right file"),
        }
    }

    /// Whether the file does not exist.
    pub(crate) fn is_not_found(&self) -> bool {
        matches!(self, OpenError::Io(e) if e.kind() == io::ErrorKind::NotFound)
    }
}

/// Reads a text input (notes, a chapter file): a regular file, at most
/// [`TEXT_CAP`] bytes, with an error that names it and says how to fix it.
pub fn read_input(path: &Path) -> Result<Vec<u8>, Error> {
    read(path, TEXT_CAP).map_err(|e| input_error(path, &e))
}

/// Reads a text input from `r` (stdin), at most [`TEXT_CAP`] bytes.
pub fn read_stdin(r: impl Read) -> Result<Vec<u8>, Error> {
    read_capped(r, 0, TEXT_CAP).map_err(|e| match e {
        OpenError::TooLarge { cap, .. } => Error::new(
            ErrorKind::Read,
            format!(
                "stdin holds more than the {} limit for an input",
                format_size(cap)
            ),
        )
        .with_help("check what is piped in; notes are text well under that"),
        e => Error::new(
            ErrorKind::Read,
            format!("cannot read stdin: {}", e.reason()),
        ),
    })
}

/// An input (notes, a chapter file) that could not be opened or read, as
/// every command reports it: what, and how to fix it.
pub(crate) fn input_error(path: &Path, e: &OpenError) -> Error {
    let error = match e {
        OpenError::NotRegular("a directory") => Error::new(
            ErrorKind::Read,
            format!("`{}` is a directory, not a file", path.display()),
        )
        .with_help("name a notes file, such as `episodes/ep17.md`"),
        e if e.is_not_found() => Error::new(
            ErrorKind::Read,
            format!("`{}` does not exist", path.display()),
        ),
        e => Error::new(
            ErrorKind::Read,
            format!("cannot read `{}`: {}", path.display(), e.reason()),
        ),
    };
    match (error.help(), e.help()) {
        (None, Some(h)) => error.with_help(h),
        _ => error,
    }
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// What a file type is, when it is not a regular file.
pub fn not_regular(t: &FileType) -> Option<&'static str> {
    if t.is_file() {
        return None;
    }
    if t.is_dir() {
        return Some("a directory");
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        if t.is_fifo() {
            return Some("a named pipe (FIFO)");
        }
        if t.is_socket() {
            return Some("a socket");
        }
        if t.is_char_device() {
            return Some("a character device");
        }
        if t.is_block_device() {
            return Some("a block device");
        }
    }
    if t.is_symlink() {
        return Some("a symbolic link");
    }
    Some("not a file")
}

/// Opens `path` for reading when it is a regular file (through symbolic
/// links), without ever blocking in the open; the handle and its metadata.
pub(crate) fn open(path: &Path) -> Result<(File, Metadata), OpenError> {
    let before = std::fs::metadata(path)?;
    if let Some(what) = not_regular(&before.file_type()) {
        return Err(OpenError::NotRegular(what));
    }
    let mut options = std::fs::OpenOptions::new();
    options.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.custom_flags(libc::O_NONBLOCK | libc::O_NOCTTY);
    }
    let file = options.open(path)?;
    let meta = file.metadata()?;
    if let Some(what) = not_regular(&meta.file_type()) {
        return Err(OpenError::NotRegular(what));
    }
    #[cfg(unix)]
    clear_nonblock(&file)?;
    Ok((file, meta))
}

/// Back to blocking reads: O_NONBLOCK was for the open (fcntl(2)).
#[cfg(unix)]
fn clear_nonblock(file: &File) -> io::Result<()> {
    use std::os::unix::io::AsRawFd;
    let fd = file.as_raw_fd();
    // SAFETY: fcntl on a descriptor this function's caller owns, with
    // integer arguments only.
    unsafe {
        let flags = libc::fcntl(fd, libc::F_GETFL);
        if flags == -1 {
            return Err(io::Error::last_os_error());
        }
        if flags & libc::O_NONBLOCK != 0
            && libc::fcntl(fd, libc::F_SETFL, flags & !libc::O_NONBLOCK) == -1
        {
            return Err(io::Error::last_os_error());
        }
    }
    Ok(())
}

/// Reads the regular file at `path`, refusing one over `cap` bytes.
pub(crate) fn read(path: &Path, cap: u64) -> Result<Vec<u8>, OpenError> {
    let (file, meta) = open(path)?;
    if meta.len() > cap {
        return Err(OpenError::TooLarge {
            size: meta.len(),
            cap,
            exact: true,
        });
    }
    read_capped(file, meta.len(), cap)
}

/// Reads `r` to its end, refusing more than `cap` bytes (a file that grew,
/// a `/proc` file that claims 0 bytes, stdin). `hint`: the expected size.
pub(crate) fn read_capped(r: impl Read, hint: u64, cap: u64) -> Result<Vec<u8>, OpenError> {
    let mut buf = Vec::with_capacity(hint.min(cap) as usize);
    r.take(cap.saturating_add(1)).read_to_end(&mut buf)?;
    if buf.len() as u64 > cap {
        return Err(OpenError::TooLarge {
            size: buf.len() as u64,
            cap,
            exact: false,
        });
    }
    Ok(buf)
}

/// `50 MB`, `52.4 MB`, `4 GB`, `812 bytes` (SI units, as the caps are).
pub fn format_size(bytes: u64) -> String {
    let units = [(1_000_000_000u64, "GB"), (1_000_000, "MB"), (1_000, "kB")];
    for (unit, name) in units {
        if bytes >= unit {
            let tenths = bytes * 10 / unit;
            return if tenths % 10 == 0 {
                format!("{} {name}", tenths / 10)
            } else {
                format!("{}.{} {name}", tenths / 10, tenths % 10)
            };
        }
    }
    format!("{bytes} bytes")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sizes_read_like_the_caps() {
        assert_eq!(format_size(TEXT_CAP), "50 MB");
        assert_eq!(format_size(52_428_801), "52.4 MB");
        assert_eq!(format_size(4_000_000_000), "4 GB");
        assert_eq!(format_size(1_500), "1.5 kB");
        assert_eq!(format_size(812), "812 bytes");
    }

    #[test]
    fn reads_regular_files_up_to_the_cap() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, b"hello").unwrap();
        assert_eq!(read(&p, 5).unwrap(), b"hello");
        let e = read(&p, 4).unwrap_err();
        assert!(
            matches!(
                e,
                OpenError::TooLarge {
                    size: 5,
                    cap: 4,
                    exact: true
                }
            ),
            "{e:?}"
        );
        let e = read(dir.path(), 4).unwrap_err();
        assert!(matches!(e, OpenError::NotRegular("a directory")), "{e:?}");
        assert!(read(&dir.path().join("none"), 4)
            .unwrap_err()
            .is_not_found());
        let e = read_capped(&b"0123456789"[..], 0, 3).unwrap_err();
        assert!(
            e.reason().contains("more than the 3 bytes limit"),
            "{}",
            e.reason()
        );
        let big = |size| OpenError::TooLarge {
            size,
            cap: TEXT_CAP,
            exact: true,
        };
        assert_eq!(
            big(TEXT_CAP + 1).reason(),
            "it is 50000001 bytes, over the 50 MB (50000000 bytes) limit for an input"
        );
        assert_eq!(
            big(3_000_000_000).reason(),
            "it is 3 GB (3000000000 bytes), over the 50 MB limit for an input"
        );
    }

    #[cfg(unix)]
    #[test]
    fn refuses_fifos_and_devices_without_blocking() {
        let dir = tempfile::tempdir().unwrap();
        let fifo = dir.path().join("pipe.md");
        let c = std::ffi::CString::new(fifo.to_str().unwrap()).unwrap();
        // SAFETY: a valid NUL-terminated path.
        assert_eq!(unsafe { libc::mkfifo(c.as_ptr(), 0o600) }, 0);
        let e = open(&fifo).unwrap_err();
        assert!(
            matches!(e, OpenError::NotRegular("a named pipe (FIFO)")),
            "{e:?}"
        );
        let link = dir.path().join("zero.md");
        std::os::unix::fs::symlink("/dev/zero", &link).unwrap();
        let e = read(&link, TEXT_CAP).unwrap_err();
        assert!(
            matches!(e, OpenError::NotRegular("a character device")),
            "{e:?}"
        );
        assert!(e.help().unwrap().contains('-'));
    }

    #[cfg(unix)]
    #[test]
    fn the_opened_file_reads_blocking() {
        use std::os::unix::io::AsRawFd;
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.md");
        std::fs::write(&p, b"x").unwrap();
        let (f, _) = open(&p).unwrap();
        // SAFETY: F_GETFL on an open descriptor.
        let flags = unsafe { libc::fcntl(f.as_raw_fd(), libc::F_GETFL) };
        assert_eq!(flags & libc::O_NONBLOCK, 0);
    }
}
