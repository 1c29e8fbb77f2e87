//! Limits on one template render, beyond minijinja's fuel (which counts
//! instructions, not bytes): a user template must not take the machine's
//! memory or hang `build`.
//!
//! - **Filters** that can make a value much larger than their input
//!   (`indent`, `replace`, `join`, `format`, `list`, `split`, `lines`,
//!   `slice`, `batch`, `pprint`), and those that make a lazy sequence real
//!   (`sort`, `unique`, `reverse`, `map`, `select`, ...), are replaced by
//!   checked versions that
//!   refuse, before allocating, a string over [`Limits::string_bytes`] or a
//!   list over [`Limits::list_items`].
//! - **The output** is counted as it is written; past
//!   [`Limits::output_bytes`] the render stops.
//! - **Operators** (`~`, `+`, `*`) have no hook in minijinja (it caps `*`
//!   itself at 100 MB, and nothing else), so the render runs on a thread of
//!   its own whose live heap is counted by [`BudgetAlloc`], the binary's
//!   global allocator: an allocation past [`Limits::memory_bytes`] parks
//!   that thread for good and the render fails with the limit named.
//! - **Time**: the caller waits at most [`Limits::time`]; a render still
//!   running then is abandoned (its thread parks at its next allocation)
//!   and fails with the limit named.

use std::alloc::{GlobalAlloc, Layout};
use std::cell::{Cell, RefCell};
use std::sync::atomic::{AtomicBool, AtomicIsize, Ordering};
use std::sync::{mpsc, Arc};
use std::time::{Duration, Instant};

use minijinja::value::{Kwargs, Rest, Value};
use minijinja::{Environment, Error, ErrorKind, State};

const MIB: usize = 1024 * 1024;

/// The limits of one render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// The longest string a filter may make.
    pub string_bytes: usize,
    /// The longest list a filter may make.
    pub list_items: usize,
    /// The most a render may write.
    pub output_bytes: usize,
    /// The most live heap the render's thread may hold (with [`BudgetAlloc`]).
    pub memory_bytes: usize,
    /// The longest a render may take.
    pub time: Duration,
}

impl Limits {
    /// The limits for a context of `ctx_bytes` bytes (as JSON): fixed
    /// amounts that no real show comes near, growing with the notes so a
    /// long episode is never refused.
    pub fn for_context_bytes(ctx_bytes: usize) -> Limits {
        Limits {
            string_bytes: (16 * MIB).saturating_add(ctx_bytes.saturating_mul(2)),
            list_items: 1_000_000usize.saturating_add(ctx_bytes),
            output_bytes: (16 * MIB).saturating_add(ctx_bytes.saturating_mul(8)),
            memory_bytes: (256 * MIB).saturating_add(ctx_bytes.saturating_mul(16)),
            time: Duration::from_secs(10 + (ctx_bytes / MIB) as u64),
        }
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits::for_context_bytes(0)
    }
}

/// A size for people: `16 MiB`, `1.0 GiB`, `512 bytes`.
pub fn size(n: usize) -> String {
    const GIB: usize = 1024 * MIB;
    if n >= GIB {
        format!("{:.1} GiB", n as f64 / GIB as f64)
    } else if n >= MIB {
        format!("{} MiB", n / MIB)
    } else if n >= 1024 {
        format!("{} KiB", n / 1024)
    } else {
        format!("{n} bytes")
    }
}

/// What stopped a render.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Stopped {
    /// Its thread asked for more than `memory_bytes` of heap.
    Memory(usize),
    /// It ran past `time`.
    Time(Duration),
    /// Its thread could not start, or ended without an answer.
    Lost,
}

/// The heap budget of a render thread.
struct Budget {
    live: AtomicIsize,
    limit: isize,
    tripped: AtomicBool,
    cancelled: AtomicBool,
}

/// The render running on this thread: its limits and what it wrote.
struct Active {
    limits: Limits,
    written: usize,
}

thread_local! {
    /// How many renders this thread started (each goes to the next core).
    static STARTED: Cell<usize> = const { Cell::new(0) };
}

thread_local! {
    // Both are const-initialized and have no destructor, so the allocator
    // can read them without allocating or registering anything.
    static BUDGET: Cell<*const Budget> = const { Cell::new(std::ptr::null()) };
    static ACTIVE: RefCell<Option<Active>> = const { RefCell::new(None) };
}

/// The global allocator of the `shownotes` binary: an allocator `A` (the
/// binary's choice), plus a count of the live heap of each template render
/// thread (see the module documentation). Threads that are not rendering
/// pay one thread-local read per allocation.
pub struct BudgetAlloc<A>(pub A);

/// Counts `n` more bytes on this thread's budget, if it has one; past the
/// budget (or once the render was abandoned) the thread parks for good.
#[inline]
fn charge(n: usize) {
    let Ok(ptr) = BUDGET.try_with(Cell::get) else {
        return;
    };
    if ptr.is_null() {
        return;
    }
    // SAFETY: the pointer is set by `run` on the render thread from an
    // `Arc<Budget>` that thread owns until after it clears the pointer.
    let b = unsafe { &*ptr };
    let n = isize::try_from(n).unwrap_or(isize::MAX);
    let live = b.live.fetch_add(n, Ordering::Relaxed).saturating_add(n);
    let over = live > b.limit;
    if over || b.cancelled.load(Ordering::Relaxed) {
        if over {
            b.tripped.store(true, Ordering::Release);
        }
        // Never return: the caller has already given up on this render
        // (or will within a poll), and returning null would abort the
        // process. Sleeping allocates nothing.
        loop {
            std::thread::sleep(Duration::from_secs(3600));
        }
    }
}

#[inline]
fn credit(n: usize) {
    if let Ok(ptr) = BUDGET.try_with(Cell::get) {
        if !ptr.is_null() {
            // SAFETY: as in `charge`.
            let b = unsafe { &*ptr };
            b.live
                .fetch_sub(isize::try_from(n).unwrap_or(isize::MAX), Ordering::Relaxed);
        }
    }
}

// SAFETY: every call is forwarded to `A` with the same arguments; the
// budget only counts, or parks the thread before the call.
unsafe impl<A: GlobalAlloc> GlobalAlloc for BudgetAlloc<A> {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        self.0.alloc(layout)
    }

    unsafe fn alloc_zeroed(&self, layout: Layout) -> *mut u8 {
        charge(layout.size());
        self.0.alloc_zeroed(layout)
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        self.0.dealloc(ptr, layout);
        credit(layout.size());
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        if new_size > layout.size() {
            charge(new_size - layout.size());
        }
        let p = self.0.realloc(ptr, layout, new_size);
        if new_size < layout.size() && !p.is_null() {
            credit(layout.size() - new_size);
        }
        p
    }
}

/// How often the caller looks at the render thread's budget.
const POLL: Duration = Duration::from_millis(10);
/// The render thread's stack: minijinja recurses per nested block and
/// macro call (up to its recursion limit).
const STACK: usize = 64 * MIB;

/// Runs `work` (a render) on a thread of its own under `limits`: its heap
/// counted by [`BudgetAlloc`], its output by [`count_output`], its filters
/// checked, and its time bounded.
pub fn run<T: Send + 'static>(
    limits: Limits,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, Stopped> {
    spawn(limits, work)?.wait()
}

/// A render started by [`spawn`], running on its own thread.
pub struct Running<T> {
    limits: Limits,
    budget: Arc<Budget>,
    rx: mpsc::Receiver<T>,
    handle: Option<std::thread::JoinHandle<()>>,
    start: Instant,
}

/// Starts `work` as [`run`] does, without waiting for it: renders that do
/// not depend on each other run at once (one thread each, each with its
/// own heap budget, its time counted from here), and the caller waits for
/// each with [`Running::wait`].
pub fn spawn<T: Send + 'static>(
    limits: Limits,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<Running<T>, Stopped> {
    let budget = Arc::new(Budget {
        live: AtomicIsize::new(0),
        limit: isize::try_from(limits.memory_bytes).unwrap_or(isize::MAX),
        tripped: AtomicBool::new(false),
        cancelled: AtomicBool::new(false),
    });
    let (tx, rx) = mpsc::sync_channel(1);
    let mine = Arc::clone(&budget);
    // Renders started one after another go round the cores: the caller
    // waits for them, so they need not be made to start before it waits
    // (the first to run moves off its core, the next takes that core).
    let place = crate::parallel::Placement::nth(STARTED.with(|n| n.replace(n.get() + 1)));
    let handle = std::thread::Builder::new()
        .name("shownotes-template".into())
        .stack_size(STACK)
        .spawn(crate::parallel::placed(place, move || {
            ACTIVE.with(|a| *a.borrow_mut() = Some(Active { limits, written: 0 }));
            BUDGET.with(|b| b.set(Arc::as_ptr(&mine)));
            let out = work();
            BUDGET.with(|b| b.set(std::ptr::null()));
            ACTIVE.with(|a| *a.borrow_mut() = None);
            let _ = tx.send(out);
            drop(mine);
        }))
        .map_err(|_| Stopped::Lost)?;
    Ok(Running {
        limits,
        budget,
        rx,
        handle: Some(handle),
        start: Instant::now(),
    })
}

impl<T> Running<T> {
    /// Waits for the render's result, or until it passes a limit (the
    /// render is then abandoned: its thread parks at its next allocation).
    pub fn wait(mut self) -> Result<T, Stopped> {
        loop {
            match self.rx.recv_timeout(POLL) {
                Ok(out) => {
                    if let Some(h) = self.handle.take() {
                        let _ = h.join();
                    }
                    return Ok(out);
                }
                Err(mpsc::RecvTimeoutError::Disconnected) => return Err(Stopped::Lost),
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.budget.tripped.load(Ordering::Acquire) {
                        return Err(Stopped::Memory(self.limits.memory_bytes));
                    }
                    if self.start.elapsed() >= self.limits.time {
                        return Err(Stopped::Time(self.limits.time));
                    }
                }
            }
        }
    }
}

impl<T> Drop for Running<T> {
    /// A render given up on (past a limit, or no longer wanted because an
    /// earlier one failed) stops at its next allocation.
    fn drop(&mut self) {
        if self.handle.is_some() {
            self.budget.cancelled.store(true, Ordering::Relaxed);
        }
    }
}

/// The limits of the render on this thread (the defaults outside one).
fn limits() -> Limits {
    ACTIVE
        .try_with(|a| a.borrow().as_ref().map(|a| a.limits))
        .ok()
        .flatten()
        .unwrap_or_default()
}

fn too_big(what: String) -> Error {
    Error::new(ErrorKind::InvalidOperation, what)
}

/// Counts `n` bytes about to be written by the render on this thread;
/// an error past [`Limits::output_bytes`].
pub fn count_output(n: usize) -> Result<(), Error> {
    let over = ACTIVE
        .try_with(|a| {
            let mut a = a.borrow_mut();
            let a = a.as_mut()?;
            a.written = a.written.saturating_add(n);
            (a.written > a.limits.output_bytes).then_some(a.limits.output_bytes)
        })
        .ok()
        .flatten();
    match over {
        Some(limit) => Err(too_big(format!(
            "the output grew past {}, the limit for one template",
            size(limit)
        ))),
        None => Ok(()),
    }
}

/// A positional argument (not the keyword arguments).
fn positional(args: &[Value], i: usize) -> Option<&Value> {
    args.get(i).filter(|v| !v.is_kwargs())
}

/// A keyword argument, when given.
fn keyword(args: &[Value], key: &str) -> Option<Value> {
    args.last()
        .filter(|v| v.is_kwargs())
        .and_then(|k| k.get_attr(key).ok())
        .filter(|v| !v.is_undefined() && !v.is_none())
}

/// The length in bytes of a value as a string, without making the string
/// when it is not one already.
fn text_len(v: &Value) -> usize {
    v.as_str()
        .map_or_else(|| v.len().unwrap_or(0).saturating_mul(8), str::len)
}

/// The most bytes a printf-style `format` string can write: its own
/// length plus every conversion's width and precision (each the most
/// bytes one conversion may write).
fn format_len(s: &str) -> usize {
    let mut total = s.len();
    let b = s.as_bytes();
    let mut i = 0;
    while i < b.len() {
        if b[i] == b'%' {
            i += 1;
            while i < b.len() && b"-+ #0".contains(&b[i]) {
                i += 1;
            }
            for _ in 0..2 {
                let start = i;
                while i < b.len() && b[i].is_ascii_digit() {
                    i += 1;
                }
                // Digits that do not fit are a width past any limit.
                let n = match s[start..i].parse::<usize>() {
                    Ok(n) => n,
                    Err(_) if i > start => usize::MAX,
                    Err(_) => 0,
                };
                total = total.saturating_add(n);
                if i < b.len() && b[i] == b'.' {
                    i += 1;
                } else {
                    break;
                }
            }
        } else {
            i += 1;
        }
    }
    total
}

/// Refuses a call of filter `name` whose result would pass a limit, from
/// its arguments alone, before the filter allocates it.
fn precheck(name: &str, args: &[Value], l: &Limits) -> Result<(), Error> {
    let value = args.first();
    let s = value.and_then(Value::as_str).unwrap_or("");
    let string = |projected: usize| {
        if projected > l.string_bytes {
            Err(too_big(format!(
                "`{name}` would make a string of {}, over the limit of {} for one value",
                size(projected),
                size(l.string_bytes)
            )))
        } else {
            Ok(())
        }
    };
    let list = |projected: usize| {
        if projected > l.list_items {
            Err(too_big(format!(
                "`{name}` would make a list of {projected} items, over the limit of {}",
                l.list_items
            )))
        } else {
            Ok(())
        }
    };
    match name {
        "indent" => {
            let width = positional(args, 1)
                .cloned()
                .or_else(|| keyword(args, "width"))
                .and_then(|w| w.as_usize())
                .unwrap_or(4);
            let lines = s.bytes().filter(|&b| b == b'\n').count() + 1;
            string(s.len().saturating_add(lines.saturating_mul(width)))
        }
        "replace" => {
            let from = positional(args, 1).and_then(Value::as_str).unwrap_or("");
            let to = positional(args, 2).map_or(0, text_len);
            let count = if from.is_empty() {
                s.chars().count() + 1
            } else {
                s.matches(from).count()
            };
            string(s.len().saturating_add(count.saturating_mul(to)))
        }
        "join" => {
            let items = value.map_or(0, |v| {
                v.as_str()
                    .map_or_else(|| v.len().unwrap_or(0), |s| s.chars().count())
            });
            let sep = positional(args, 1)
                .cloned()
                .or_else(|| keyword(args, "d"))
                .map_or(0, |v| text_len(&v));
            list(items)?;
            string(items.saturating_mul(sep))
        }
        "format" => string(format_len(s)),
        "slice" | "batch" => list(positional(args, 1).and_then(Value::as_usize).unwrap_or(0)),
        "list" => match value {
            Some(v) if v.as_str().is_some() => list(s.chars().count()),
            Some(v) => list(v.len().unwrap_or(0)),
            None => Ok(()),
        },
        "split" => {
            let pieces = match positional(args, 1).and_then(Value::as_str) {
                Some(sep) if !sep.is_empty() => s.matches(sep).count() + 1,
                _ => s.split_whitespace().count(),
            };
            list(pieces)
        }
        "lines" => list(s.lines().count()),
        // Filters that collect their input into a list: `[1]*100000000`
        // is lazy until one of them makes it real.
        _ => list(value.and_then(Value::len).unwrap_or(0)),
    }
}

/// Refuses a result over the limits (for filters whose size can't be
/// told in advance).
fn postcheck(name: &str, out: &Value, l: &Limits) -> Result<(), Error> {
    if let Some(s) = out.as_str() {
        if s.len() > l.string_bytes {
            return Err(too_big(format!(
                "`{name}` made a string of {}, over the limit of {} for one value",
                size(s.len()),
                size(l.string_bytes)
            )));
        }
    } else if let Some(n) = out.len() {
        if n > l.list_items {
            return Err(too_big(format!(
                "`{name}` made a list of {n} items, over the limit of {}",
                l.list_items
            )));
        }
    }
    Ok(())
}

/// Replaces minijinja's filters that can grow a value by more than a
/// constant factor with checked versions (same names, same behaviour
/// within the limits).
pub fn install_checked_filters(env: &mut Environment<'_>) {
    use minijinja::filters as f;
    let filters: [(&'static str, Value); 21] = [
        ("sort", Value::from_function(f::sort)),
        ("unique", Value::from_function(f::unique)),
        ("reverse", Value::from_function(f::reverse)),
        ("dictsort", Value::from_function(f::dictsort)),
        ("items", Value::from_function(f::items)),
        ("map", Value::from_function(f::map)),
        ("select", Value::from_function(f::select)),
        ("reject", Value::from_function(f::reject)),
        ("selectattr", Value::from_function(f::selectattr)),
        ("rejectattr", Value::from_function(f::rejectattr)),
        ("groupby", Value::from_function(f::groupby)),
        ("indent", Value::from_function(f::indent)),
        ("replace", Value::from_function(f::replace)),
        ("join", Value::from_function(f::join)),
        ("format", Value::from_function(f::format)),
        ("slice", Value::from_function(f::slice)),
        ("batch", Value::from_function(f::batch)),
        ("list", Value::from_function(f::list)),
        ("split", Value::from_function(f::split)),
        ("lines", Value::from_function(f::lines)),
        ("pprint", Value::from_function(f::pprint)),
    ];
    for (name, original) in filters {
        env.add_filter(
            name,
            move |state: &mut State, args: Rest<Value>, kwargs: Kwargs| -> Result<Value, Error> {
                let mut args = args.0;
                if kwargs.args().next().is_some() {
                    args.push(Value::from(kwargs));
                }
                let l = limits();
                precheck(name, &args, &l)?;
                let out = original.call(state, &args)?;
                postcheck(name, &out, &l)?;
                Ok(out)
            },
        );
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn render(src: &str) -> Result<String, Error> {
        let mut env = Environment::new();
        install_checked_filters(&mut env);
        env.render_str(src, ())
    }

    #[test]
    fn filters_within_the_limits_behave_as_before() {
        assert_eq!(render("{{ 'a\nb'|indent(2) }}").unwrap(), "a\n  b");
        assert_eq!(
            render("{{ 'a\nb'|indent(width=2, first=true) }}").unwrap(),
            "  a\n  b"
        );
        assert_eq!(render("{{ 'abc'|replace('b', 'x') }}").unwrap(), "axc");
        assert_eq!(render("{{ [1, 2]|join(', ') }}").unwrap(), "1, 2");
        assert_eq!(render("{{ '%5s|'|format('x') }}").unwrap(), "    x|");
        assert_eq!(render("{{ 'ab'|list|length }}").unwrap(), "2");
        assert_eq!(render("{{ 'a b'|split|length }}").unwrap(), "2");
        assert_eq!(render("{{ [1,2,3]|batch(2)|length }}").unwrap(), "2");
    }

    #[test]
    fn filters_past_the_limits_stop_before_allocating() {
        for (src, want) in [
            (
                "{{ 'x'|indent(1000000000) }}",
                "`indent` would make a string of",
            ),
            (
                "{{ 'x\nx'|indent(width=1000000000) }}",
                "`indent` would make",
            ),
            (
                "{{ ('x'*10000000)|replace('x', 'yyyy') }}",
                "`replace` would make",
            ),
            (
                "{{ ('x'*10000000)|replace('', 'yy') }}",
                "`replace` would make",
            ),
            ("{{ ('x'*10000000)|join('yy') }}", "`join` would make"),
            ("{{ '%999999999s'|format('x') }}", "`format` would make"),
            ("{{ '%.999999999f'|format(1.5) }}", "`format` would make"),
            (
                "{{ [1]|slice(100000000)|length }}",
                "`slice` would make a list",
            ),
            (
                "{{ ([1]*100000000)|sort|length }}",
                "`sort` would make a list of 100000000 items",
            ),
            (
                "{{ ([1]*100000000)|map('abs')|list|length }}",
                "`map` would make a list",
            ),
            ("{{ ([1]*100000000)|join }}", "`join` would make a list"),
            (
                "{{ [1]|batch(100000000, 0)|length }}",
                "`batch` would make a list",
            ),
            (
                "{{ ('x'*10000000)|list|length }}",
                "`list` would make a list",
            ),
            (
                "{{ ('x '*2000000)|split|length }}",
                "`split` would make a list",
            ),
            (
                "{{ ('x\n'*2000000)|lines|length }}",
                "`lines` would make a list",
            ),
        ] {
            let e = render(src).expect_err(src);
            assert!(e.to_string().contains(want), "{src}: {e}");
        }
    }

    #[test]
    fn sizes_read_well() {
        assert_eq!(size(16 * MIB), "16 MiB");
        assert_eq!(size(3 * 1024 * MIB / 2), "1.5 GiB");
        assert_eq!(size(2048), "2 KiB");
        assert_eq!(size(5), "5 bytes");
    }

    #[test]
    fn a_render_past_its_time_is_abandoned() {
        let l = Limits {
            time: Duration::from_millis(50),
            ..Limits::default()
        };
        let r = run(l, || std::thread::sleep(Duration::from_secs(2)));
        assert_eq!(r, Err(Stopped::Time(Duration::from_millis(50))));
        assert_eq!(run(l, || 7), Ok(7));
    }

    #[test]
    fn output_is_counted_on_the_render_thread() {
        let l = Limits {
            output_bytes: 10,
            ..Limits::default()
        };
        let r = run(l, || (count_output(6).is_ok(), count_output(6).is_err()));
        assert_eq!(r, Ok((true, true)));
        // Outside a render nothing is counted.
        assert!(count_output(usize::MAX).is_ok());
    }
}
