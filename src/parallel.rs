//! Two cores at work: the machines shownotes runs on have few cores, and
//! a long episode's notes are read and published in steps that each
//! leave one idle. Here: long work shared between two threads
//! ([`shared`]), threads started so that they run at once beside the
//! caller ([`Placement`]), and large values freed on a thread of their
//! own ([`drop_aside`]).

use std::sync::atomic::{AtomicUsize, Ordering};

/// The size of a piece of work (bytes of notes text, about) from which it
/// is shared between two threads: below it, a second thread costs more
/// than it saves.
pub const SHARED_FROM: usize = 64 * 1024;

/// How many pieces shared work is cut into. Items cost unequal time (a
/// chapter line more than a line of prose), so a thread that finishes its
/// piece takes the next one left: many pieces keep both threads busy to
/// the end, and each piece is still long enough that taking it costs
/// nothing to speak of.
const PIECES: usize = 16;

/// `work` over `items`, its results in the items' order: when their
/// `size`s add up to `from` or more, shared between this thread and one
/// other (the items cut into [`PIECES`] runs of about equal size, each
/// thread taking the next run left until none is); else on this thread.
/// `work` is given runs of consecutive items and returns their results in
/// order (a result per item, or one per run: it decides).
pub(crate) fn shared<T: Sync, R: Send>(
    items: &[T],
    size: impl Fn(&T) -> usize,
    from: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let total: usize = items.iter().map(&size).sum();
    if total < from {
        return work(items);
    }
    let pieces = cut(items, &size, total);
    let next = AtomicUsize::new(0);
    let take = || {
        let mut done = Vec::new();
        loop {
            let i = next.fetch_add(1, Ordering::Relaxed);
            let Some(piece) = pieces.get(i) else {
                return done;
            };
            done.push((i, work(piece)));
        }
    };
    let mut done = std::thread::scope(|scope| {
        // The main thread's stack size: a paragraph's lists nest.
        let builder = std::thread::Builder::new().stack_size(8 * 1024 * 1024);
        let other = spawn_scoped_beside(scope, builder, take);
        // With no thread to be had, this one takes every piece.
        let mut done = take();
        if let Ok(h) = other {
            done.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)));
        }
        done
    });
    done.sort_unstable_by_key(|(i, _)| *i);
    done.into_iter().flat_map(|(_, r)| r).collect()
}

/// Starts `f` on a thread of `scope` (made by `builder`) that runs beside
/// this one, on another core when the process may use one: see
/// [`Placement`].
pub(crate) fn spawn_scoped_beside<'scope, T: Send + 'scope>(
    scope: &'scope std::thread::Scope<'scope, '_>,
    builder: std::thread::Builder,
    f: impl FnOnce() -> T + Send + 'scope,
) -> std::io::Result<std::thread::ScopedJoinHandle<'scope, T>> {
    let place = Placement::nth(0);
    let handle = builder.spawn_scoped(scope, placed(place, f))?;
    started(place);
    Ok(handle)
}

/// Starts `f` on a thread of its own (made by `builder`) that runs beside
/// this one, on another core when the process may use one: see
/// [`Placement`].
pub(crate) fn spawn_beside<T: Send + 'static>(
    builder: std::thread::Builder,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<std::thread::JoinHandle<T>> {
    let place = Placement::nth(0);
    let handle = builder.spawn(placed(place, f))?;
    started(place);
    Ok(handle)
}

/// `(aside(), here())`: on long work (`beside`), `aside` on a thread named
/// `name` started beside this one while this one does `here`; else (or
/// with no thread to be had) both on this thread.
pub(crate) fn join<A: Send, B>(
    beside: bool,
    name: &str,
    aside: impl Fn() -> A + Sync,
    here: impl FnOnce() -> B,
) -> (A, B) {
    std::thread::scope(|scope| {
        let builder = std::thread::Builder::new().name(name.into());
        let other = beside
            .then(|| spawn_scoped_beside(scope, builder, &aside).ok())
            .flatten();
        let b = here();
        let a = match other {
            Some(h) => h.join().unwrap_or_else(|e| std::panic::resume_unwind(e)),
            None => aside(),
        };
        (a, b)
    })
}

/// `f`, moved first to the core `place` names (on the new thread that
/// runs it; [`Placement::take`]).
pub(crate) fn placed<T>(
    place: Option<Placement>,
    f: impl FnOnce() -> T + Send,
) -> impl FnOnce() -> T + Send {
    move || {
        if let Some(p) = place {
            p.take();
        }
        f()
    }
}

/// Called by a thread that just started one with `place`: lets the new
/// thread run if it was queued on this core, so that it moves off.
fn started(place: Option<Placement>) {
    if place.is_some() {
        std::thread::yield_now();
    }
}

/// Frees `value` on a thread of its own when `large`, so the caller goes
/// on at once (freeing a long episode's notes, context or template values
/// takes a millisecond or more of a 1 MB check); else here. The thread is
/// not waited for: a process that ends first ends it.
pub fn drop_aside<T: Send + 'static>(value: T, large: bool) {
    if large {
        let builder = std::thread::Builder::new().name("shownotes-free".into());
        // With no thread to be had, the value is freed here, with the
        // closure that holds it.
        let _ = spawn_beside(builder, move || drop(value));
    }
}

/// Where a thread about to be started should run, so that it starts at
/// once. Linux may queue a new thread (and a thread woken from sleep) on
/// the core of the thread that started it, though another core is idle,
/// until its scheduler next balances the cores: on the virtual machines
/// measured here that is about 4 ms later, each time a thread starts
/// (`bench/README.md`). Placed on another core, it starts within 0.1 ms.
///
/// The new thread moves itself ([`Placement::take`]), as the standard
/// library gives no handle to a scoped thread's OS thread: the starter
/// lets it run first.
#[derive(Clone, Copy, Debug)]
pub(crate) struct Placement {
    /// The starter's core.
    from: usize,
    /// The core to move to.
    to: usize,
}

impl Placement {
    /// The placement of the `n`th (from 0) of the threads this thread
    /// starts one after another to run beside it: the first on the next
    /// core the process may use, the second on the one after, around all
    /// of them. `None` where the thread may stay (the `n`th comes round to
    /// this core; one core; not Linux).
    pub(crate) fn nth(n: usize) -> Option<Placement> {
        let from = cores::current()?;
        let all = cores::list(&cores::allowed()?);
        let i = all.iter().position(|&c| c == from)?;
        let to = all[(i + 1 + n) % all.len()];
        (to != from).then_some(Placement { from, to })
    }

    /// Called first thing on the new thread: when it runs on its starter's
    /// core, moves it to the core it was meant for, then lets it run on
    /// every core again (so it is not held there).
    pub(crate) fn take(self) {
        if cores::current() != Some(self.from) {
            return;
        }
        let Some(all) = cores::allowed() else { return };
        if cores::set(&cores::only(self.to)) {
            cores::set(&all);
        }
    }
}

/// The cores this process may run on, and the one a thread runs on.
#[cfg(target_os = "linux")]
mod cores {
    pub(super) type Set = libc::cpu_set_t;

    /// The core the calling thread runs on.
    pub(super) fn current() -> Option<usize> {
        // SAFETY: `sched_getcpu` takes no arguments and only reads.
        usize::try_from(unsafe { libc::sched_getcpu() }).ok()
    }

    /// The cores the calling thread may run on.
    pub(super) fn allowed() -> Option<Set> {
        // SAFETY: a zeroed `cpu_set_t` is an empty set; the call writes at
        // most `size_of::<Set>()` bytes into it.
        unsafe {
            let mut set: Set = std::mem::zeroed();
            (libc::sched_getaffinity(0, std::mem::size_of::<Set>(), &mut set) == 0).then_some(set)
        }
    }

    /// The cores of `set`, in order.
    pub(super) fn list(set: &Set) -> Vec<usize> {
        let n = usize::try_from(libc::CPU_SETSIZE).unwrap_or(0);
        // SAFETY: `CPU_ISSET` reads bit `i` of the set, `i` below its size.
        (0..n)
            .filter(|&i| unsafe { libc::CPU_ISSET(i, set) })
            .collect()
    }

    /// The set of core `core` alone.
    pub(super) fn only(core: usize) -> Set {
        // SAFETY: as in `allowed`; `CPU_SET` sets a bit below the set's size
        // (`core` came from `list`).
        unsafe {
            let mut set: Set = std::mem::zeroed();
            libc::CPU_SET(core, &mut set);
            set
        }
    }

    /// Lets the calling thread run on `set` only; false when refused.
    pub(super) fn set(set: &Set) -> bool {
        // SAFETY: reads `size_of::<Set>()` bytes of a valid set.
        unsafe { libc::sched_setaffinity(0, std::mem::size_of::<Set>(), set) == 0 }
    }
}

/// Elsewhere threads start where the system places them.
#[cfg(not(target_os = "linux"))]
mod cores {
    pub(super) struct Set;
    pub(super) fn current() -> Option<usize> {
        None
    }
    pub(super) fn allowed() -> Option<Set> {
        None
    }
    pub(super) fn list(_: &Set) -> Vec<usize> {
        Vec::new()
    }
    pub(super) fn only(_: usize) -> Set {
        Set
    }
    pub(super) fn set(_: &Set) -> bool {
        false
    }
}

/// `items` cut into at most [`PIECES`] runs, each ending at the first
/// item past its share of `total`.
fn cut<T>(items: &[T], size: impl Fn(&T) -> usize, total: usize) -> Vec<&[T]> {
    let mut pieces = Vec::with_capacity(PIECES);
    let mut start = 0;
    let mut passed = 0;
    for (i, item) in items.iter().enumerate() {
        passed += size(item);
        // The share passed: `passed / total` past `(pieces + 1) / PIECES`.
        if passed * PIECES >= (pieces.len() + 1) * total {
            pieces.push(&items[start..=i]);
            start = i + 1;
        }
    }
    if start < items.len() {
        pieces.push(&items[start..]);
    }
    pieces
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shared_work_gives_what_one_pass_gives_in_order() {
        let items: Vec<usize> = (0..1000).collect();
        let double = |xs: &[usize]| xs.iter().map(|x| 2 * x).collect::<Vec<_>>();
        let whole = shared(&items, |_| 1, usize::MAX, double);
        let pieces = shared(&items, |_| 1, 0, double);
        assert_eq!(whole, pieces);
        assert_eq!(pieces.len(), 1000);
        // Uneven sizes, and a result per run rather than per item.
        let uneven = shared(&items, |&x| x % 7 * 100, 0, |xs| vec![xs.len()]);
        assert_eq!(uneven.iter().sum::<usize>(), 1000);
        assert!(uneven.len() > 1 && uneven.len() <= PIECES, "{uneven:?}");
        // One item, or none, is shared as well as any.
        assert_eq!(shared(&[7usize], |_| 1, 0, double), [14]);
        assert!(shared(&[] as &[usize], |_| 1, 0, double).is_empty());
        assert!(shared(&[1usize, 2], |_| 0, 0, double) == [2, 4]);
    }

    #[test]
    fn pieces_cover_the_items_in_order_at_about_equal_sizes() {
        let items: Vec<usize> = (0..1600).collect();
        let pieces = cut(&items, |_| 1, 1600);
        assert_eq!(pieces.len(), PIECES);
        assert!(pieces.iter().all(|p| p.len() == 100));
        assert_eq!(pieces.concat(), items);
        // One item past every share: no empty piece.
        let big = [1usize, 1000, 1, 1];
        let pieces = cut(&big, |&x| x, 1003);
        assert_eq!(pieces.concat(), big);
        assert!(pieces.iter().all(|p| !p.is_empty()));
    }
    #[test]
    fn threads_started_beside_run_and_answer() {
        let data = [1, 2, 3];
        let sum = std::thread::scope(|s| {
            let h =
                spawn_scoped_beside(s, std::thread::Builder::new(), || data.iter().sum::<i32>())
                    .unwrap();
            h.join().unwrap()
        });
        assert_eq!(sum, 6);
        for beside in [false, true] {
            assert_eq!(join(beside, "t", || data.len(), || data[0]), (3, 1));
        }
        let h = spawn_beside(std::thread::Builder::new(), || 7).unwrap();
        assert_eq!(h.join().unwrap(), 7);
    }

    #[test]
    fn a_placed_thread_may_run_on_every_core_again() {
        let before = cores::allowed().map(|s| cores::list(&s));
        for n in 0..3 {
            let Some(p) = Placement::nth(n) else { continue };
            assert_ne!(p.from, p.to);
            let after = std::thread::spawn(move || {
                p.take();
                cores::allowed().map(|s| cores::list(&s))
            })
            .join()
            .unwrap();
            assert_eq!(after, before);
        }
    }

    #[test]
    fn values_dropped_aside_are_freed() {
        struct Tell(std::sync::mpsc::Sender<()>);
        impl Drop for Tell {
            fn drop(&mut self) {
                let _ = self.0.send(());
            }
        }
        for large in [false, true] {
            let (tx, rx) = std::sync::mpsc::channel();
            drop_aside(Tell(tx), large);
            assert!(rx.recv_timeout(std::time::Duration::from_secs(10)).is_ok());
        }
    }
}
