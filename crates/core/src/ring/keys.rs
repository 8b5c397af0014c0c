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
        let mut label = DecimalLabel::new(b'k');
        let hashes: Vec<u32> = (0..count)
            .map(|i| ring_hash(label.with(u64::from(i) + 1)))
            .collect();
        // Each entry is the hash in the high half and the key index in the low half, so that sorting
        // the entries sorts by hash and, among equal hashes, by key index.
        let mut entries: Vec<u64> = hashes
            .iter()
            .zip(0..count)
            .map(|(&h, i)| (u64::from(h) << 32) | u64::from(i))
            .collect();
        entries.sort_unstable();
        KeySet {
            sorted: entries.iter().map(|&e| (e >> 32) as u32).collect(),
            order: entries.iter().map(|&e| e as u32).collect(),
            hashes,
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

/// A name made of a prefix letter and a decimal number (`k17`), written without the formatting
/// machinery: building a million key names is most of the cost of a large key set.
pub(crate) struct DecimalLabel {
    buf: [u8; 21],
}

impl DecimalLabel {
    pub(crate) fn new(prefix: u8) -> DecimalLabel {
        let mut buf = [0; 21];
        buf[0] = prefix;
        DecimalLabel { buf }
    }

    /// The prefix followed by `n` in decimal.
    pub(crate) fn with(&mut self, mut n: u64) -> &[u8] {
        let mut digits = [0u8; 20];
        let mut len = 0;
        loop {
            digits[len] = b'0' + (n % 10) as u8;
            len += 1;
            n /= 10;
            if n == 0 {
                break;
            }
        }
        for (i, d) in digits[..len].iter().rev().enumerate() {
            self.buf[1 + i] = *d;
        }
        &self.buf[..=len]
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

    #[test]
    fn names_and_order_match_the_plain_definition() {
        // The fast path (hand-written digits, radix sort) against `format!` and a comparison sort.
        let keys = KeySet::new(20_000);
        let mut pairs: Vec<(u32, u32)> = (0..20_000u32)
            .map(|i| (ring_hash(key_name(i).as_bytes()), i))
            .collect();
        assert!(pairs.iter().all(|&(h, i)| keys.hash(i) == Some(h)));
        pairs.sort_unstable();
        assert!(pairs
            .iter()
            .map(|p| p.0)
            .eq(keys.sorted_hashes().iter().copied()));
        assert!(pairs.iter().map(|p| p.1).eq(keys.order().iter().copied()));
        let mut label = DecimalLabel::new(b'k');
        assert_eq!(label.with(0), b"k0");
        assert_eq!(label.with(1_000_000), b"k1000000");
        assert_eq!(label.with(u64::MAX), b"k18446744073709551615");
    }
}
