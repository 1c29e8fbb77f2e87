//! Work over a long list split between two threads: the machines
//! shownotes runs on have few cores, and a long episode's notes are read
//! and published in steps that each leave one idle.

/// The size of a piece of work (bytes of notes text, about) from which it
/// is split over two threads: below it, a second thread costs more than
/// it saves.
pub(crate) const HALVES_FROM: usize = 64 * 1024;

/// `work` over `items`, in order: when their `size`s add up to `from` or
/// more, over the two halves at once (cut where half the size is
/// passed), the second on a thread of its own; else on this thread.
pub(crate) fn in_halves<T: Sync, R: Send>(
    items: &[T],
    size: impl Fn(&T) -> usize,
    from: usize,
    work: impl Fn(&[T]) -> Vec<R> + Sync,
) -> Vec<R> {
    let total: usize = items.iter().map(&size).sum();
    if total < from {
        return work(items);
    }
    // The first item past half the size starts the second half.
    let mut passed = 0;
    let half = items
        .iter()
        .position(|b| {
            passed += size(b);
            2 * passed >= total
        })
        .map_or(items.len(), |i| i + 1);
    let (first, second) = items.split_at(half);
    std::thread::scope(|scope| {
        // The main thread's stack size: a paragraph's lists nest.
        let other = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn_scoped(scope, || work(second));
        let mut out = work(first);
        match other {
            Ok(h) => out.extend(h.join().unwrap_or_else(|e| std::panic::resume_unwind(e))),
            // No thread to be had: the rest here.
            Err(_) => out.extend(work(second)),
        }
        out
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn halves_give_what_one_pass_gives_in_order() {
        let items: Vec<usize> = (0..1000).collect();
        let double = |xs: &[usize]| xs.iter().map(|x| 2 * x).collect::<Vec<_>>();
        let whole = in_halves(&items, |_| 1, usize::MAX, double);
        let halves = in_halves(&items, |_| 1, 0, double);
        assert_eq!(whole, halves);
        assert_eq!(halves.len(), 1000);
        // One item, or none, is cut as well as any.
        assert_eq!(in_halves(&[7usize], |_| 1, 0, double), [14]);
        assert!(in_halves(&[] as &[usize], |_| 1, 0, double).is_empty());
    }
}
