//! Sorting through one shared copy of the standard library's sort.
//!
//! Every `sort_by` with its own element type or closure, and every
//! `collect::<BTreeSet<_>>()` (which sorts before it builds), compiles to its
//! own copy of the stable sort; the extension's wasm held ten of them.
//! These helpers sort a list of positions with a `dyn` comparison — one copy for
//! the whole program, so every sort in the core, the CLI and the panel goes
//! through them (tests may use std's) — and then move the items into that order. The result is
//! what `sort_by` gives (stable); the cost is an indirect call per comparison,
//! nothing next to the work each list here comes from.

use std::cmp::Ordering;

/// A stable sort, like `v.sort_by(cmp)`.
pub fn sort_by<T>(v: &mut [T], cmp: impl Fn(&T, &T) -> Ordering) {
    if v.len() < 2 {
        return;
    }
    let mut order: Vec<usize> = (0..v.len()).collect();
    {
        let items: &[T] = v;
        sort_positions(&mut order, &mut |a: &usize, b: &usize| cmp(&items[*a], &items[*b]));
    }
    // Into that order in place, one cycle of the permutation at a time: a
    // second list of the items would double the memory of a large one (a
    // HAR's records).
    for start in 0..order.len() {
        let mut at = start;
        // Position `at` takes the item now at `order[at]`; a settled position points at itself.
        while order[at] != at {
            let from = std::mem::replace(&mut order[at], at);
            if from == start {
                break;
            }
            v.swap(at, from);
            at = from;
        }
    }
}

/// A stable sort by a key, like `v.sort_by_key(key)`.
pub fn sort_by_key<T, K: Ord>(v: &mut [T], key: impl Fn(&T) -> K) {
    sort_by(v, |a, b| key(a).cmp(&key(b)));
}

/// The distinct items in ascending order: what collecting into a `BTreeSet`
/// and back gives.
pub fn distinct<T: Ord>(items: impl IntoIterator<Item = T>) -> Vec<T> {
    let mut v: Vec<T> = items.into_iter().collect();
    sort_by(&mut v, Ord::cmp);
    v.dedup();
    v
}

/// The one instantiation of the standard sort (positions, `dyn` comparison).
#[inline(never)]
fn sort_positions(order: &mut [usize], cmp: &mut dyn FnMut(&usize, &usize) -> Ordering) {
    order.sort_by(cmp);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        /// Same order as the standard stable sort, ties included (the key
        /// compares only the first field; the second shows where ties went).
        #[test]
        fn same_as_std_sort(mut v in proptest::collection::vec((0u8..5, any::<u16>()), 0..200)) {
            let mut expected = v.clone();
            expected.sort_by_key(|p| p.0);
            sort_by_key(&mut v, |p| p.0);
            prop_assert_eq!(v, expected);
        }

        #[test]
        fn distinct_is_a_sorted_set(v in proptest::collection::vec("[a-d]{0,2}", 0..50)) {
            let set: std::collections::BTreeSet<String> = v.iter().cloned().collect();
            prop_assert_eq!(distinct(v), set.into_iter().collect::<Vec<_>>());
        }
    }
}
