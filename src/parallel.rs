//! Work over a long list shared between two threads: the machines
//! shownotes runs on have few cores, and a long episode's notes are read
//! and published in steps that each leave one idle.

use std::sync::atomic::{AtomicUsize, Ordering};

/// The size of a piece of work (bytes of notes text, about) from which it
/// is shared between two threads: below it, a second thread costs more
/// than it saves.
pub(crate) const SHARED_FROM: usize = 64 * 1024;

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
        let other = std::thread::Builder::new()
            .stack_size(8 * 1024 * 1024)
            .spawn_scoped(scope, take);
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

/// `items` cut into at most [`PIECES`] runs, each ending at the first
/// item past its share of `total`.
fn cut<'a, T>(items: &'a [T], size: impl Fn(&T) -> usize, total: usize) -> Vec<&'a [T]> {
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
}
