//! Whether a `shownotes.toml` found by walking up may be applied: like
//! git's `safe.directory` (git-config(1)) and OpenSSH's checks of its own
//! config files (ssh_config(5), "FILES"), a file someone else owns, or
//! others can write, is refused. A config named with `--config` is trusted.

use std::fs::Metadata;

/// Why a discovered config is refused.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) enum Distrust {
    /// Another user owns it.
    Owner { owner: u32, me: u32 },
    /// Others (`group` false) or its group can write it.
    Writable { group: bool, mode: u32 },
}

impl Distrust {
    /// The message, after the config's path.
    pub(crate) fn message(&self) -> String {
        match self {
            Distrust::Owner { owner, me } => format!(
                "refusing this config: it belongs to another user (uid {owner}; you are uid {me})"
            ),
            Distrust::Writable { group: false, mode } => {
                format!("refusing this config: anyone can write it (mode {mode:03o})")
            }
            Distrust::Writable { group: true, mode } => {
                format!("refusing this config: others in its group can write it (mode {mode:03o})")
            }
        }
    }

    /// How to fix it, for the config at `shown`.
    pub(crate) fn help(&self, shown: &str) -> String {
        match self {
            Distrust::Owner { .. } => format!(
                "a `shownotes.toml` found by walking up from the notes is applied only when it is yours; \
                 if you trust it, name it: `--config {shown}`"
            ),
            Distrust::Writable { .. } => format!(
                "whoever can write it can change what shownotes writes: run `chmod go-w {shown}`, \
                 or name it with `--config {shown}` if you trust it"
            ),
        }
    }
}

/// Judges a config from its owner, group and mode, for the user `me`.
/// Root's files are trusted (root can change anything anyway); a
/// group-writable file is trusted when its group is the owner's private
/// group (`private_group`), as with a umask of 002.
pub(crate) fn judge(
    owner: u32,
    gid: u32,
    mode: u32,
    me: u32,
    private_group: impl FnOnce(u32, u32) -> bool,
) -> Option<Distrust> {
    let mode = mode & 0o7777;
    if owner != me && owner != 0 {
        return Some(Distrust::Owner { owner, me });
    }
    if mode & 0o002 != 0 {
        return Some(Distrust::Writable { group: false, mode });
    }
    if mode & 0o020 != 0 && !private_group(owner, gid) {
        return Some(Distrust::Writable { group: true, mode });
    }
    None
}

/// Judges the opened config's metadata for the effective user.
#[cfg(unix)]
pub(crate) fn check(meta: &Metadata) -> Option<Distrust> {
    use std::os::unix::fs::MetadataExt;
    // SAFETY: geteuid cannot fail and has no arguments.
    let me = unsafe { libc::geteuid() };
    judge(meta.uid(), meta.gid(), meta.mode(), me, private_group)
}

/// Windows has no owner or mode bits to compare here.
#[cfg(not(unix))]
pub(crate) fn check(_meta: &Metadata) -> Option<Distrust> {
    None
}

/// Whether `gid` is `owner`'s user private group (useradd(8),
/// USERGROUPS_ENAB): named like the user, the user's primary group, and
/// no other member listed.
#[cfg(unix)]
fn private_group(owner: u32, gid: u32) -> bool {
    let Some((user, primary)) = user(owner) else {
        return false;
    };
    let Some((name, members)) = group(gid) else {
        return false;
    };
    primary == gid && name == user && members.iter().all(|m| *m == user)
}

/// Calls a `get*_r` function with a buffer grown until it fits (ERANGE).
#[cfg(unix)]
fn with_buffer<T>(mut call: impl FnMut(&mut [libc::c_char]) -> Result<T, i32>) -> Option<T> {
    let mut buf = vec![0 as libc::c_char; 1024];
    loop {
        match call(&mut buf) {
            Ok(v) => return Some(v),
            Err(libc::ERANGE) if buf.len() < 1 << 20 => {
                let n = buf.len() * 2;
                buf.resize(n, 0);
            }
            Err(_) => return None,
        }
    }
}

/// The user's name and primary group (getpwuid_r(3)).
#[cfg(unix)]
fn user(uid: u32) -> Option<(Vec<u8>, u32)> {
    with_buffer(|buf| {
        // SAFETY: getpwuid_r writes into `pwd` and `buf` (of the length
        // given) only; the strings read afterwards point into `buf`.
        unsafe {
            let mut pwd: libc::passwd = std::mem::zeroed();
            let mut found: *mut libc::passwd = std::ptr::null_mut();
            let rc = libc::getpwuid_r(uid, &mut pwd, buf.as_mut_ptr(), buf.len(), &mut found);
            if rc != 0 {
                return Err(rc);
            }
            if found.is_null() || pwd.pw_name.is_null() {
                return Err(0);
            }
            let name = std::ffi::CStr::from_ptr(pwd.pw_name).to_bytes().to_vec();
            Ok((name, pwd.pw_gid))
        }
    })
}

/// The group's name and listed members (getgrgid_r(3)).
#[cfg(unix)]
fn group(gid: u32) -> Option<(Vec<u8>, Vec<Vec<u8>>)> {
    with_buffer(|buf| {
        // SAFETY: getgrgid_r writes into `grp` and `buf` only; `gr_mem` is
        // a NULL-terminated array of strings inside `buf`.
        unsafe {
            let mut grp: libc::group = std::mem::zeroed();
            let mut found: *mut libc::group = std::ptr::null_mut();
            let rc = libc::getgrgid_r(gid, &mut grp, buf.as_mut_ptr(), buf.len(), &mut found);
            if rc != 0 {
                return Err(rc);
            }
            if found.is_null() || grp.gr_name.is_null() {
                return Err(0);
            }
            let name = std::ffi::CStr::from_ptr(grp.gr_name).to_bytes().to_vec();
            let mut members = Vec::new();
            let mut at = grp.gr_mem;
            while !at.is_null() && !(*at).is_null() {
                members.push(std::ffi::CStr::from_ptr(*at).to_bytes().to_vec());
                at = at.add(1);
            }
            Ok((name, members))
        }
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_what_others_own_or_can_write() {
        let private = |_, _| true;
        let shared = |_, _| false;
        assert_eq!(judge(1000, 1000, 0o644, 1000, shared), None);
        assert_eq!(judge(0, 0, 0o644, 1000, shared), None, "root's files");
        assert_eq!(
            judge(1001, 1001, 0o644, 1000, shared),
            Some(Distrust::Owner {
                owner: 1001,
                me: 1000
            })
        );
        assert_eq!(
            judge(1001, 1001, 0o644, 0, shared),
            Some(Distrust::Owner { owner: 1001, me: 0 }),
            "root does not run others' configs either"
        );
        assert_eq!(
            judge(1000, 1000, 0o100666, 1000, private),
            Some(Distrust::Writable {
                group: false,
                mode: 0o666
            })
        );
        assert_eq!(
            judge(1000, 100, 0o664, 1000, shared),
            Some(Distrust::Writable {
                group: true,
                mode: 0o664
            })
        );
        assert_eq!(judge(1000, 1000, 0o664, 1000, private), None, "umask 002");
        let d = judge(1000, 1000, 0o666, 1000, private).unwrap();
        assert!(d
            .help("a/shownotes.toml")
            .contains("chmod go-w a/shownotes.toml"));
        assert!(d.message().contains("mode 666"), "{}", d.message());
        let d = judge(7, 7, 0o644, 1000, private).unwrap();
        assert!(d.help("x.toml").contains("--config x.toml"));
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn roots_group_is_its_own() {
        // uid 0 and gid 0 are user and group `root` on Linux.
        assert!(private_group(0, 0));
        assert!(!private_group(0, 65_534_000));
    }
}
