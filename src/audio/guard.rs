//! The panic guard: every symphonia call runs under `catch_unwind`, so a
//! panic inside the library becomes an `audio-unreadable` error, never a
//! crash.

use std::cell::Cell;
use std::panic::{self, AssertUnwindSafe};
use std::sync::Once;

use crate::error::{Error, ErrorKind, Result};

thread_local! {
    /// Set while symphonia runs on this thread: its panics are reported as
    /// `audio-unreadable`, so the default hook must not print them.
    static IN_GUARD: Cell<bool> = const { Cell::new(false) };
}

/// Runs `f`, turning a panic inside it into an
/// [`ErrorKind::AudioUnreadable`] error. The first call installs a panic
/// hook that stays silent for panics inside the guard and hands every
/// other panic to the hook that was there before.
pub(super) fn guarded<T>(f: impl FnOnce() -> Result<T>) -> Result<T> {
    static HOOK: Once = Once::new();
    HOOK.call_once(|| {
        let previous = panic::take_hook();
        panic::set_hook(Box::new(move |info| {
            if !IN_GUARD.with(Cell::get) {
                previous(info);
            }
        }));
    });
    let was = IN_GUARD.with(|g| g.replace(true));
    let result = panic::catch_unwind(AssertUnwindSafe(f));
    IN_GUARD.with(|g| g.set(was));
    match result {
        Ok(r) => r,
        Err(payload) => {
            let msg = payload
                .downcast_ref::<&str>()
                .map(|s| (*s).to_string())
                .or_else(|| payload.downcast_ref::<String>().cloned())
                .unwrap_or_else(|| "no message".into());
            Err(Error::new(
                ErrorKind::AudioUnreadable,
                format!("the audio reader crashed on this file ({msg})"),
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panic_inside_the_guard_is_an_error() {
        let r: Result<()> = guarded(|| panic!("boom"));
        let e = r.unwrap_err();
        assert_eq!(e.message(), "the audio reader crashed on this file (boom)");
        assert_eq!(e.kind(), ErrorKind::AudioUnreadable);
        let r: Result<u8> = guarded(|| Ok(7));
        assert_eq!(r, Ok(7));
        assert!(!IN_GUARD.with(Cell::get));
    }

    #[test]
    fn an_error_inside_the_guard_passes_through() {
        let e = Error::new(ErrorKind::AudioUnreadable, "the file has no audio track");
        let r: Result<()> = guarded(|| Err(e.clone()));
        assert_eq!(r, Err(e));
    }
}
