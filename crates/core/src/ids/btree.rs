//! How ids spread their inserts over the leaf pages of a B-tree index. In InnoDB the primary key
//! is the clustered index: rows live in its leaf pages in key order. Ids that grow with time
//! (auto-increment, snowflake, UUID v7) all land on the last page or two, so 1,000 inserts write a
//! dozen pages; random UUID v4 ids land anywhere, so 1,000 inserts write hundreds of pages, each a
//! random read and write and a page in the buffer pool. That is the Meituan Leaf blog's argument
//! against UUID primary keys ("对MySQL索引不利"), and RFC 9562 §2.1 and §6.11 make it too ("poor
//! database-index locality"; "one order of magnitude or more").
//!
//! The model keeps only the leaf level: a list of pages, each holding up to `keys_per_page` keys
//! in order. Sources for its rules: MySQL Reference Manual, "The Physical Structure of an InnoDB
//! Index", https://dev.mysql.com/doc/refman/8.4/en/innodb-physical-structure.html ("InnoDB tries
//! to leave 1/16 of the page free … If index records are inserted in a sequential order
//! (ascending or descending), the resulting index pages are about 15/16 full. If records are
//! inserted in a random order, the pages are from 1/2 to 15/16 full"); InnoDB's code,
//! `btr_cur_optimistic_insert` (on a clustered leaf page with a split direction, an insert that
//! would leave less than `dict_index_get_space_reserve()`, 1/16 of the page, free goes to a split)
//! and `btr_page_get_split_rec_to_right` (an insert right after the page's last insert is taken
//! as a sequential pattern; the page splits at the new record, keeping at most one record after
//! it on the old page).
//!
//! Simplifications: pages hold a fixed number of keys rather than bytes (a 16 KB page holds
//! about 100 rows of 150 bytes); the levels above the leaves are not modelled (their pages are
//! few and stay in memory); the descending pattern (`btr_page_get_split_rec_to_left`) is not
//! modelled, so a descending run splits in the middle.
//!
//! Pages touched is the figure to teach. The fill the model reaches for ids from several
//! generators (nearly but not quite ascending: v7 or snowflake ids minted in one millisecond
//! arrive in any order) is about half, because the sequential heuristic keeps misfiring; real
//! InnoDB has shown the same kind of under-filled pages (MySQL bug #67718, "InnoDB drastically
//! under-fills pages in certain conditions", https://bugs.mysql.com/bug.php?id=67718, closed in
//! 2014), but its fill for such inserts today was not measured here: do not teach that number.

use alloc::collections::BTreeSet;
use alloc::format;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::ids::uuids::{self, V7ClockBack, V7Generator, V7Mint};
use crate::kernel::{bounds, SimRng};
use crate::text::Text;

/// A key of the index: a UUID's 128 bits, or a 64-bit id widened.
pub type Key = u128;

/// The fewest keys a page may hold.
pub const MIN_KEYS_PER_PAGE: u32 = 4;
/// The most keys a page may hold.
pub const MAX_KEYS_PER_PAGE: u32 = 2_000;
/// The most keys one call may insert.
pub const MAX_BATCH: usize = 100_000;
/// The most keys the index may hold.
pub const MAX_KEYS: u64 = 200_000;

/// How a full page splits.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum SplitPolicy {
    /// InnoDB's: a sequential insert (right after the page's last insert) splits the page at the
    /// new record once the page would be more than 15/16 full, so the old page stays about 15/16
    /// full; any other insert fills the page and then splits it in the middle.
    #[default]
    InnoDb,
    /// The textbook B-tree: a full page always splits in the middle, leaving two half-full pages.
    Middle,
}

/// One leaf page.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
struct Leaf {
    /// The page number (pages keep their number when they split; the new half gets a new one).
    id: u32,
    keys: Vec<Key>,
    /// The last key inserted into this page (InnoDB's `PAGE_LAST_INSERT`).
    last_insert: Option<Key>,
}

/// What one batch of inserts did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct BatchReport {
    /// Keys inserted.
    pub inserted: u32,
    /// Keys refused because the index already held them ("Duplicate entry … for key
    /// 'PRIMARY'").
    pub duplicates: u32,
    /// Distinct leaf pages written (a split writes both halves).
    pub pages_touched: u32,
    /// Page splits.
    pub splits: u32,
    /// Leaf pages after the batch.
    pub leaf_pages: u32,
    /// How full the leaf pages are after the batch, in thousandths.
    pub fill_permille: u32,
}

/// The leaf level of a clustered index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BTreeIndex {
    keys_per_page: u32,
    policy: SplitPolicy,
    leaves: Vec<Leaf>,
    next_page: u32,
    keys: u64,
}

impl BTreeIndex {
    /// An empty index whose pages hold `keys_per_page` keys.
    pub fn new(keys_per_page: u32, policy: SplitPolicy) -> Result<BTreeIndex, Text> {
        if !(MIN_KEYS_PER_PAGE..=MAX_KEYS_PER_PAGE).contains(&keys_per_page) {
            return Err(Text::new(
                format!(
                    "A page must hold {MIN_KEYS_PER_PAGE} to {MAX_KEYS_PER_PAGE} keys, not {keys_per_page}."
                ),
                format!(
                    "每页必须能放 {MIN_KEYS_PER_PAGE} 到 {MAX_KEYS_PER_PAGE} 个键，不能是 {keys_per_page}。"
                ),
            ));
        }
        Ok(BTreeIndex {
            keys_per_page,
            policy,
            leaves: alloc::vec![Leaf {
                id: 0,
                keys: Vec::new(),
                last_insert: None,
            }],
            next_page: 1,
            keys: 0,
        })
    }

    /// Keys per page.
    pub fn keys_per_page(&self) -> u32 {
        self.keys_per_page
    }

    /// The split policy.
    pub fn policy(&self) -> SplitPolicy {
        self.policy
    }

    /// Keys in the index.
    pub fn len(&self) -> u64 {
        self.keys
    }

    /// True when the index holds no key.
    pub fn is_empty(&self) -> bool {
        self.keys == 0
    }

    /// Leaf pages.
    pub fn leaf_pages(&self) -> u32 {
        self.leaves.len() as u32
    }

    /// Keys in each leaf page, left to right (for a drawing of the pages).
    pub fn page_sizes(&self) -> Vec<u32> {
        self.leaves.iter().map(|l| l.keys.len() as u32).collect()
    }

    /// How full the leaf pages are, in thousandths.
    pub fn fill_permille(&self) -> u32 {
        let capacity = self.leaves.len() as u64 * u64::from(self.keys_per_page);
        (self.keys * 1000 / capacity.max(1)) as u32
    }

    /// Inserts `keys` in order and reports the pages written and the splits. At most
    /// [`MAX_BATCH`] keys per call and [`MAX_KEYS`] in the index; a batch over either limit is
    /// refused whole.
    pub fn insert_batch(&mut self, keys: &[Key]) -> Result<BatchReport, Text> {
        bounds::count(
            ("keys in one batch", "个键（一批）"),
            keys.len() as u64,
            MAX_BATCH as u64,
        )?;
        bounds::count(
            ("keys in the index", "个键（索引中）"),
            self.keys + keys.len() as u64,
            MAX_KEYS,
        )?;
        let mut touched = BTreeSet::new();
        let mut report = BatchReport {
            inserted: 0,
            duplicates: 0,
            pages_touched: 0,
            splits: 0,
            leaf_pages: 0,
            fill_permille: 0,
        };
        for &key in keys {
            match self.insert(key, &mut touched) {
                Insert::Duplicate => report.duplicates += 1,
                Insert::Done { split } => {
                    report.inserted += 1;
                    report.splits += u32::from(split);
                }
            }
        }
        report.pages_touched = touched.len() as u32;
        report.leaf_pages = self.leaf_pages();
        report.fill_permille = self.fill_permille();
        Ok(report)
    }

    fn insert(&mut self, key: Key, touched: &mut BTreeSet<u32>) -> Insert {
        // The leaf is the last one whose first key is at most `key` (or the first leaf).
        let index = self
            .leaves
            .partition_point(|l| l.keys.first().is_none_or(|first| *first <= key))
            .saturating_sub(1);
        let capacity = self.keys_per_page as usize;
        let reserve = capacity / 16;
        let leaf = &mut self.leaves[index];
        let pos = match leaf.keys.binary_search(&key) {
            Ok(_) => return Insert::Duplicate,
            Err(pos) => pos,
        };
        let sequential = self.policy == SplitPolicy::InnoDb
            && pos > 0
            && leaf.last_insert == Some(leaf.keys[pos - 1]);
        let len = leaf.keys.len();
        let limit = if sequential {
            capacity - reserve
        } else {
            capacity
        };
        self.keys += 1;
        touched.insert(leaf.id);
        if len < limit {
            leaf.keys.insert(pos, key);
            leaf.last_insert = Some(key);
            return Insert::Done { split: false };
        }
        // Split. Sequential: at the new record, keeping at most one record after it on the old
        // page (`btr_page_get_split_rec_to_right`). Otherwise in the middle.
        let split_at = if sequential {
            if pos + 1 >= len {
                pos
            } else {
                pos + 1
            }
        } else {
            len / 2
        };
        let right_keys = leaf.keys.split_off(split_at);
        let id = self.next_page;
        self.next_page += 1;
        let mut right = Leaf {
            id,
            keys: right_keys,
            last_insert: None,
        };
        let left = &mut self.leaves[index];
        if pos < split_at {
            left.keys.insert(pos, key);
            left.last_insert = Some(key);
        } else {
            right.keys.insert(pos - split_at, key);
            right.last_insert = Some(key);
        }
        touched.insert(id);
        self.leaves.insert(index + 1, right);
        Insert::Done { split: true }
    }
}

enum Insert {
    Duplicate,
    Done { split: bool },
}

/// The id schemes of the locality chart, each as its ids arrive at the database.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Workload {
    /// Auto-increment: 1, 2, 3, …
    Sequential,
    /// 32 snowflake workers (Twitter layout), each minting one id per millisecond, in a random
    /// order within the millisecond.
    Snowflake,
    /// Ten UUID v7 generators, each minting one id per millisecond, in a random order within the
    /// millisecond.
    UuidV7,
    /// Random UUID v4.
    UuidV4,
}

impl Workload {
    pub const ALL: [Workload; 4] = [
        Workload::Sequential,
        Workload::Snowflake,
        Workload::UuidV7,
        Workload::UuidV4,
    ];

    /// The scheme's name.
    pub fn name(self) -> Text {
        match self {
            Workload::Sequential => Text::new("auto-increment", "数据库自增"),
            Workload::Snowflake => Text::new("snowflake, 32 workers", "雪花算法，32 个 worker"),
            Workload::UuidV7 => Text::new("UUID v7, 10 servers", "UUID v7，10 台服务"),
            Workload::UuidV4 => Text::new("UUID v4", "UUID v4"),
        }
    }

    /// The first `n` ids of this workload (at most [`MAX_KEYS`]), from the seed `seed`.
    pub fn keys(self, n: usize, seed: u64) -> Vec<Key> {
        let n = n.min(MAX_KEYS as usize);
        let mut rng = SimRng::seeded(seed);
        match self {
            Workload::Sequential => (1..=n as u128).collect(),
            Workload::UuidV4 => (0..n).map(|_| uuids::v4(&mut rng).as_u128()).collect(),
            Workload::UuidV7 => {
                let mut gens: Vec<V7Generator> = (0..10)
                    .map(|_| V7Generator::new(V7ClockBack::ReusePrevious))
                    .collect();
                let mut out = Vec::with_capacity(n);
                let mut ms = 1_700_000_000_000;
                while out.len() < n {
                    for g in shuffled(10, &mut rng) {
                        if let V7Mint::Minted { id, .. } = gens[g].mint(ms, &mut rng) {
                            out.push(id);
                        }
                    }
                    ms += 1;
                }
                out.truncate(n);
                out
            }
            Workload::Snowflake => {
                let mut out = Vec::with_capacity(n);
                let mut ms: u128 = 500_000_000_000;
                while out.len() < n {
                    for worker in shuffled(32, &mut rng) {
                        out.push((ms << 22) | ((worker as u128) << 12));
                    }
                    ms += 1;
                }
                out.truncate(n);
                out
            }
        }
    }
}

/// `0..n` in a random order (Fisher–Yates).
fn shuffled(n: usize, rng: &mut SimRng) -> Vec<usize> {
    let mut order: Vec<usize> = (0..n).collect();
    for i in (1..n).rev() {
        order.swap(i, rng.below(i as u64 + 1) as usize);
    }
    order
}

/// The rows in the index before the measured inserts of the locality chart.
pub const CHART_ROWS: usize = 20_000;
/// Keys per page in the locality chart (a 16 KB page of rows of about 150 bytes).
pub const CHART_KEYS_PER_PAGE: u32 = 100;

/// What 1,000 inserts of `workload` do to an index that holds `rows` of its earlier ids, with
/// pages of `keys_per_page` keys (InnoDB's splits).
pub fn locality(workload: Workload, rows: usize, keys_per_page: u32) -> Result<BatchReport, Text> {
    let rows = rows.min(MAX_KEYS as usize - 1_000);
    let keys = workload.keys(rows + 1_000, 12);
    let mut index = BTreeIndex::new(keys_per_page, SplitPolicy::InnoDb)?;
    index.insert_batch(&keys[..rows])?;
    index.insert_batch(&keys[rows..])
}

#[cfg(test)]
mod tests {
    use super::*;

    const PAGE: u32 = 100;
    const WARM_UP: usize = 100_000;

    fn measure(keys: &[Key], policy: SplitPolicy) -> BatchReport {
        let mut index = BTreeIndex::new(PAGE, policy).unwrap();
        index.insert_batch(&keys[..WARM_UP]).unwrap();
        let report = index.insert_batch(&keys[WARM_UP..WARM_UP + 1_000]).unwrap();
        assert_eq!(report.inserted, 1_000);
        report
    }

    fn sequential() -> Vec<Key> {
        Workload::Sequential.keys(WARM_UP + 1_000, 0)
    }

    fn random_v4(seed: u64) -> Vec<Key> {
        Workload::UuidV4.keys(WARM_UP + 1_000, seed)
    }

    fn v7_from_ten(seed: u64) -> Vec<Key> {
        Workload::UuidV7.keys(WARM_UP + 1_000, seed)
    }

    fn snowflake_32(seed: u64) -> Vec<Key> {
        Workload::Snowflake.keys(WARM_UP + 1_000, seed)
    }

    #[test]
    fn the_chart_shows_v4_writing_every_page_and_the_others_a_dozen() {
        let pages: Vec<u32> = Workload::ALL
            .iter()
            .map(|&w| {
                locality(w, CHART_ROWS, CHART_KEYS_PER_PAGE)
                    .unwrap()
                    .pages_touched
            })
            .collect();
        assert!((10..=12).contains(&pages[0]), "{pages:?}");
        assert!(pages[1] <= 30 && pages[2] <= 30, "{pages:?}");
        // 20,000 random rows fill about 290 pages, and 1,000 more write nearly all of them.
        assert!((200..=330).contains(&pages[3]), "{pages:?}");
    }

    #[test]
    fn sequential_keys_write_a_dozen_pages_that_stay_15_16_full() {
        let r = measure(&sequential(), SplitPolicy::InnoDb);
        // 94 keys per page (100 less the 1/16 reserve): 1,000 keys fill 10 or 11 new pages.
        assert!((10..=12).contains(&r.pages_touched), "{r:?}");
        assert!((10..=11).contains(&r.splits), "{r:?}");
        assert!((930..=940).contains(&r.fill_permille), "{r:?}");
        // The textbook split leaves every page half full.
        let r = measure(&sequential(), SplitPolicy::Middle);
        assert!((490..=510).contains(&r.fill_permille), "{r:?}");
    }

    #[test]
    fn random_v4_keys_write_hundreds_of_pages() {
        let keys = random_v4(12);
        let r = measure(&keys, SplitPolicy::InnoDb);
        assert!((550..=800).contains(&r.pages_touched), "{r:?}");
        assert!((8..=25).contains(&r.splits), "{r:?}");
        // Random inserts: pages between half and full (the manual: 1/2 to 15/16; about ln 2).
        assert!((600..=780).contains(&r.fill_permille), "{r:?}");
    }

    #[test]
    fn time_ordered_ids_stay_at_the_right_edge() {
        let v4 = measure(&random_v4(12), SplitPolicy::InnoDb);
        for keys in [v7_from_ten(5), snowflake_32(6)] {
            let r = measure(&keys, SplitPolicy::InnoDb);
            assert!(r.pages_touched <= 30, "{r:?}");
            assert!(v4.pages_touched > 20 * r.pages_touched, "{v4:?} {r:?}");
        }
    }

    #[test]
    fn duplicates_are_refused_and_batches_are_bounded() {
        let mut index = BTreeIndex::new(8, SplitPolicy::InnoDb).unwrap();
        let r = index.insert_batch(&[5, 3, 5, 9, 3]).unwrap();
        assert_eq!((r.inserted, r.duplicates, index.len()), (3, 2, 3));
        assert!(BTreeIndex::new(3, SplitPolicy::InnoDb).is_err());
        assert!(BTreeIndex::new(MAX_KEYS_PER_PAGE + 1, SplitPolicy::Middle).is_err());
        let too_many = alloc::vec![0; MAX_BATCH + 1];
        assert!(index.insert_batch(&too_many).is_err());
        assert_eq!(index.len(), 3, "a refused batch inserts nothing");
    }

    #[test]
    fn pages_stay_sorted_and_within_capacity() {
        for policy in [SplitPolicy::InnoDb, SplitPolicy::Middle] {
            let mut index = BTreeIndex::new(16, policy).unwrap();
            let mut rng = SimRng::seeded(77);
            let mut keys: Vec<Key> = (0..3_000).map(|_| u128::from(rng.below(5_000))).collect();
            // A sequential run in the middle of random inserts.
            keys.extend(10_000..10_500);
            keys.extend((0..500).map(|_| u128::from(rng.below(20_000))));
            index.insert_batch(&keys).unwrap();
            let all: Vec<Key> = index.leaves.iter().flat_map(|l| l.keys.clone()).collect();
            assert!(all.windows(2).all(|w| w[0] < w[1]));
            assert_eq!(all.len() as u64, index.len());
            assert!(index
                .leaves
                .iter()
                .all(|l| !l.keys.is_empty() && l.keys.len() <= 16));
        }
    }
}
