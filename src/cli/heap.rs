//! Huge pages for the heap, only when the input is large.
//!
//! The binary's allocator (mimalloc, see `src/main.rs`) asks the kernel
//! for transparent huge pages on its heap (`MADV_HUGEPAGE`). On a large
//! input that saves thousands of page faults: a `check` of 1 MB of notes
//! touches about 20 MB of heap, about 5,000 faults of 4 KiB pages and about
//! ten of 2 MiB ones. On a small input it costs time instead: every 2 MiB
//! page is zeroed whole when first touched, though a seed episode's run
//! uses little of each (about 1 ms of a 5 ms run, measured with
//! `bench/check.sh`).
//!
//! So the process starts with huge pages off ([`start`]), unless one of its
//! arguments is a large file, and turns them on once it knows an input is
//! large ([`input_size`]). The switch is Linux's
//! `PR_SET_THP_DISABLE`, which the kernel checks at each page fault, so
//! memory touched after the switch gets huge pages. Elsewhere both calls
//! do nothing.

/// From this input size on, huge pages pay for themselves.
const LARGE_INPUT: usize = 256 * 1024;

/// Turns huge pages off for this process, unless an argument names a
/// large file: then they stay on from the start, so that no memory touched
/// before the file is read (the heap's first 2 MiB) is split into small
/// pages. Call it first thing in `main`, before the arguments are parsed.
/// Otherwise [`input_size`] turns them on when it sees a large input.
pub fn start() {
    set_huge_pages(names_large_file(std::env::args_os().skip(1)));
}

/// Whether one of `args` is the path of a regular file of at least
/// [`LARGE_INPUT`] bytes (a `stat` each; nothing is opened).
fn names_large_file(args: impl IntoIterator<Item = std::ffi::OsString>) -> bool {
    args.into_iter().any(|arg| {
        std::fs::metadata(&arg).is_ok_and(|m| m.is_file() && m.len() >= LARGE_INPUT as u64)
    })
}

/// Tells the heap the size of an input just read: a large one turns huge
/// pages on for the rest of the run.
pub fn input_size(bytes: usize) {
    if bytes >= LARGE_INPUT {
        set_huge_pages(true);
    }
}

#[cfg(any(target_os = "linux", target_os = "android"))]
fn set_huge_pages(on: bool) {
    // SAFETY: `prctl(PR_SET_THP_DISABLE, flag, 0, 0, 0)` only sets a flag of
    // this process's memory map. An error (a kernel without it) leaves
    // huge pages as they were, which is harmless either way.
    unsafe {
        libc::prctl(libc::PR_SET_THP_DISABLE, libc::c_ulong::from(!on), 0, 0, 0);
    }
}

#[cfg(not(any(target_os = "linux", target_os = "android")))]
fn set_huge_pages(_on: bool) {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_a_large_regular_file_counts_as_a_large_argument() {
        let dir = tempfile::tempdir().unwrap();
        let small = dir.path().join("small.md");
        let large = dir.path().join("large.md");
        std::fs::write(&small, vec![b'a'; LARGE_INPUT - 1]).unwrap();
        std::fs::write(&large, vec![b'a'; LARGE_INPUT]).unwrap();
        let args = |a: &[&std::path::Path]| {
            a.iter()
                .map(|p| p.as_os_str().to_owned())
                .collect::<Vec<_>>()
        };
        assert!(!names_large_file(args(&[
            std::path::Path::new("check"),
            &small
        ])));
        assert!(!names_large_file(args(&[dir.path()])));
        assert!(!names_large_file(args(&[&dir.path().join("missing.md")])));
        assert!(names_large_file(args(&[
            std::path::Path::new("--quiet"),
            &large
        ])));
    }

    #[cfg(any(target_os = "linux", target_os = "android"))]
    #[test]
    fn a_large_input_turns_huge_pages_on() {
        // SAFETY: reads this process's flag; no arguments are pointers.
        let on = || unsafe { libc::prctl(libc::PR_GET_THP_DISABLE, 0, 0, 0, 0) } == 0;
        set_huge_pages(false);
        assert!(!on());
        input_size(LARGE_INPUT - 1);
        assert!(!on());
        input_size(LARGE_INPUT);
        assert!(on());
    }
}
