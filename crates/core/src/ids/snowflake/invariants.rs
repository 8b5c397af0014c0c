//! The lab's invariants over minted ids, as pure functions of the ids in the order they were
//! minted: ids unique across all generators, increasing within each generator, and (a warning,
//! not a violation) roughly time-ordered across generators.

use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use super::Layout;

/// How far behind an earlier id's time a later id may be before the lab warns: 1 s. Twitter's
/// README.mkd promises ids "roughly sortable": "k-sorted … within a reasonable bound (we're
/// promising 1s, but shooting for 10's of ms)".
pub const K_SORTED_MS: u64 = 1_000;

/// One minted id and the generator that minted it (an index the lab chooses).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Minted {
    /// Which generator minted it.
    pub generator: usize,
    /// The id.
    pub id: u64,
}

/// An id minted more than once.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Duplicate {
    /// The id.
    pub id: u64,
    /// The positions (in mint order) of every mint of this id.
    pub mints: Vec<usize>,
    /// The generators that minted it, each once, in increasing order.
    pub generators: Vec<usize>,
}

/// An id not greater than the previous id of the same generator.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NonMonotonic {
    /// The generator.
    pub generator: usize,
    /// The position (in mint order) of the offending id.
    pub at: usize,
    /// The generator's id before it.
    pub previous: u64,
    /// The offending id.
    pub id: u64,
}

/// An id whose time part is more than the tolerance behind an id minted before it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct OutOfOrder {
    /// The position (in mint order) of the late id.
    pub at: usize,
    /// The generator that minted it.
    pub generator: usize,
    /// The late id.
    pub id: u64,
    /// How far its time is behind the latest time minted before it.
    pub behind_ms: u64,
}

/// Every id minted more than once, in increasing order of id.
pub fn duplicates(minted: &[Minted]) -> Vec<Duplicate> {
    let mut order: Vec<usize> = (0..minted.len()).collect();
    order.sort_by_key(|&i| (minted[i].id, i));
    let mut out = Vec::new();
    let mut start = 0;
    while start < order.len() {
        let id = minted[order[start]].id;
        let mut end = start + 1;
        while end < order.len() && minted[order[end]].id == id {
            end += 1;
        }
        if end - start > 1 {
            let mints: Vec<usize> = order[start..end].to_vec();
            let mut generators: Vec<usize> = mints.iter().map(|&i| minted[i].generator).collect();
            generators.sort_unstable();
            generators.dedup();
            out.push(Duplicate {
                id,
                mints,
                generators,
            });
        }
        start = end;
    }
    out
}

/// Every id that is not greater than the id its generator minted just before it.
pub fn non_monotonic(minted: &[Minted]) -> Vec<NonMonotonic> {
    let mut last: Vec<(usize, u64)> = Vec::new();
    let mut out = Vec::new();
    for (at, m) in minted.iter().enumerate() {
        match last.iter_mut().find(|(g, _)| *g == m.generator) {
            Some((_, previous)) => {
                if m.id <= *previous {
                    out.push(NonMonotonic {
                        generator: m.generator,
                        at,
                        previous: *previous,
                        id: m.id,
                    });
                }
                *previous = m.id;
            }
            None => last.push((m.generator, m.id)),
        }
    }
    out
}

/// Every id whose time (in `layout`) is more than `tolerance_ms` behind the latest time of the ids
/// minted before it, by any generator ([`K_SORTED_MS`] is Twitter's promise).
pub fn out_of_order(minted: &[Minted], layout: &Layout, tolerance_ms: u64) -> Vec<OutOfOrder> {
    let mut latest: Option<u64> = None;
    let mut out = Vec::new();
    for (at, m) in minted.iter().enumerate() {
        let time = layout.decompose(m.id).unix_ms;
        match latest {
            Some(l) if time < l => {
                if l - time > tolerance_ms {
                    out.push(OutOfOrder {
                        at,
                        generator: m.generator,
                        id: m.id,
                        behind_ms: l - time,
                    });
                }
            }
            _ => latest = Some(time),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::super::{Generator, Guard, Outcome};
    use super::*;
    use alloc::vec;

    const T0: u64 = 1_700_000_000_000;

    fn mint(g: &mut Generator, generator: usize, wall: u64, out: &mut Vec<Minted>) {
        if let Outcome::Minted { id } = g.next(wall) {
            out.push(Minted { generator, id });
        }
    }

    #[test]
    fn two_servers_configured_with_one_worker_id_collide_in_the_same_millisecond() {
        let mut a = Generator::new(Layout::TWITTER, Guard::Refuse, 1, 7).unwrap();
        let mut b = Generator::new(Layout::TWITTER, Guard::Refuse, 1, 7).unwrap();
        let mut minted = Vec::new();
        for _ in 0..3 {
            mint(&mut a, 0, T0, &mut minted);
            mint(&mut b, 1, T0, &mut minted);
        }
        mint(&mut b, 1, T0 + 1, &mut minted);
        let d = duplicates(&minted);
        assert_eq!(d.len(), 3);
        assert_eq!(d[0].generators, vec![0, 1]);
        assert_eq!(d[0].mints, vec![0, 1]);
        assert!(
            non_monotonic(&minted).is_empty(),
            "each server alone is fine"
        );
        // Different worker ids: no duplicates.
        let mut c = Generator::new(Layout::TWITTER, Guard::Refuse, 1, 8).unwrap();
        let mut other = Vec::new();
        for _ in 0..3 {
            mint(&mut a, 0, T0 + 2, &mut other);
            mint(&mut c, 1, T0 + 2, &mut other);
        }
        assert!(duplicates(&other).is_empty());
    }

    #[test]
    fn a_5_ms_step_back_without_a_guard_is_found_as_duplicates_and_a_step_down() {
        let mut g = Generator::new(Layout::TWITTER, Guard::None, 0, 1).unwrap();
        let mut minted = Vec::new();
        for ms in 0..10 {
            mint(&mut g, 0, T0 + ms, &mut minted);
        }
        // NTP steps the clock back 5 ms: the next ids repeat those of ms 5 to 9.
        for ms in 5..10 {
            mint(&mut g, 0, T0 + ms, &mut minted);
        }
        let d = duplicates(&minted);
        assert_eq!(d.len(), 5);
        assert_eq!(d[0].mints, vec![5, 10]);
        assert_eq!(d[0].generators, vec![0]);
        let n = non_monotonic(&minted);
        assert_eq!(
            n.len(),
            1,
            "only the step back goes down; the repeats then climb again"
        );
        assert_eq!(n[0].at, 10);
        assert_eq!(n[0].previous, minted[9].id);
    }

    #[test]
    fn a_server_more_than_a_second_behind_is_out_of_order() {
        let l = Layout::TWITTER;
        let at = |ms: u64, w: u64| Minted {
            generator: w as usize,
            id: l.compose(T0 + ms, 0, w, 0).unwrap(),
        };
        let minted = [
            at(2_000, 0),
            at(1_500, 1),
            at(999, 1),
            at(2_001, 0),
            at(1_000, 1),
        ];
        let o = out_of_order(&minted, &l, K_SORTED_MS);
        assert_eq!(
            o,
            vec![
                OutOfOrder {
                    at: 2,
                    generator: 1,
                    id: minted[2].id,
                    behind_ms: 1_001
                },
                OutOfOrder {
                    at: 4,
                    generator: 1,
                    id: minted[4].id,
                    behind_ms: 1_001
                }
            ]
        );
    }
}
