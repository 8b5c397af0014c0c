//! The keys of the lab: `k1`, `k2`, ... hashed once and kept sorted by hash, so that every
//! statistic over all of them is a single sweep along the ring.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::{self, Write};

use super::hashing::ring_hash;

/// A set of keys named `k1..=kN`, with their hashes sorted.
#[derive(Clone, PartialEq, Eq)]
pub struct KeySet {
    /// Hash of each key, by key index (key `k{i+1}` is index `i`).
    hashes: Vec<u32>,
    /// Key hashes in ascending order.
    sorted: Vec<u32>,
    /// Key index at each sorted position.
    order: Vec<u32>,
}

impl fmt::Debug for KeySet {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "KeySet({} keys)", self.hashes.len())
    }
}

/// The name of key index `i`.
pub fn key_name(i: u32) -> String {
    let mut s = String::new();
    let _ = write!(s, "k{}", u64::from(i) + 1);
    s
}

impl KeySet {
    pub fn new(count: u32) -> KeySet {
        let mut label = String::new();
        let hashes: Vec<u32> = (0..count)
            .map(|i| {
                label.clear();
                let _ = write!(label, "k{}", u64::from(i) + 1);
                ring_hash(label.as_bytes())
            })
            .collect();
        let mut pairs: Vec<(u32, u32)> = hashes.iter().copied().zip(0..count).collect();
        pairs.sort_unstable();
        KeySet {
            hashes,
            sorted: pairs.iter().map(|p| p.0).collect(),
            order: pairs.iter().map(|p| p.1).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.hashes.len()
    }

    pub fn is_empty(&self) -> bool {
        self.hashes.is_empty()
    }

    pub fn hash(&self, key: u32) -> Option<u32> {
        self.hashes.get(key as usize).copied()
    }

    pub fn sorted_hashes(&self) -> &[u32] {
        &self.sorted
    }

    /// Key indices in ascending order of hash.
    pub fn order(&self) -> &[u32] {
        &self.order
    }

    /// `hashes` by key index.
    pub fn hashes(&self) -> &[u32] {
        &self.hashes
    }

    pub fn name(&self, key: u32) -> String {
        key_name(key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sorted_view_is_a_permutation_in_hash_order() {
        let keys = KeySet::new(500);
        assert!(keys.sorted_hashes().windows(2).all(|w| w[0] <= w[1]));
        for (pos, &k) in keys.order().iter().enumerate() {
            assert_eq!(keys.hash(k), Some(keys.sorted_hashes()[pos]));
        }
        assert_eq!(keys.name(0), "k1");
        assert_eq!(keys.hash(0), Some(ring_hash(b"k1")));
    }
}
