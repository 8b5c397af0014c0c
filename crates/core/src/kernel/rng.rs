//! The only source of randomness in the core: a ChaCha8 generator seeded by the scenario. It lives
//! inside the world, so checkpoints capture it and a replay draws the same numbers again.

use rand_chacha::ChaCha8Rng;
use rand_core::{RngCore, SeedableRng};

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SimRng(ChaCha8Rng);

/// Two generators hash alike when they will draw the same numbers: same seed, stream and position.
impl core::hash::Hash for SimRng {
    fn hash<H: core::hash::Hasher>(&self, h: &mut H) {
        self.0.get_seed().hash(h);
        self.0.get_stream().hash(h);
        self.0.get_word_pos().hash(h);
    }
}

impl SimRng {
    pub fn seeded(seed: u64) -> SimRng {
        SimRng(ChaCha8Rng::seed_from_u64(seed))
    }

    pub fn next_u64(&mut self) -> u64 {
        self.0.next_u64()
    }

    /// A uniform number in `0..n` (0 when `n` is 0), without modulo bias.
    pub fn below(&mut self, n: u64) -> u64 {
        if n == 0 {
            return 0;
        }
        // Rejection sampling: discard the top partial bucket so every residue is equally likely.
        let zone = u64::MAX - (u64::MAX % n) - 1;
        loop {
            let x = self.next_u64();
            if x <= zone {
                return x % n;
            }
        }
    }

    /// A uniform number in `lo..=hi`; the bounds may come in either order.
    pub fn between(&mut self, lo: u64, hi: u64) -> u64 {
        let (lo, hi) = if lo <= hi { (lo, hi) } else { (hi, lo) };
        match (hi - lo).checked_add(1) {
            Some(span) => lo + self.below(span),
            None => self.next_u64(),
        }
    }

    /// True with probability `permille / 1000`. Rates are integers so that no float rounding can
    /// make two platforms disagree.
    pub fn chance_permille(&mut self, permille: u16) -> bool {
        match permille {
            0 => false,
            p if p >= 1000 => true,
            p => self.below(1000) < u64::from(p),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_seed_same_numbers() {
        let mut a = SimRng::seeded(42);
        let mut b = SimRng::seeded(42);
        for _ in 0..100 {
            assert_eq!(a.next_u64(), b.next_u64());
        }
        assert_ne!(SimRng::seeded(1).next_u64(), SimRng::seeded(2).next_u64());
    }

    #[test]
    fn between_stays_in_bounds_and_covers_them() {
        let mut rng = SimRng::seeded(7);
        let mut seen = [false; 5];
        for _ in 0..500 {
            let x = rng.between(10, 14);
            assert!((10..=14).contains(&x));
            seen[(x - 10) as usize] = true;
        }
        assert!(seen.iter().all(|s| *s));
        assert_eq!(rng.between(3, 3), 3);
        assert!((3..=9).contains(&rng.between(9, 3)));
    }

    #[test]
    fn chance_respects_its_extremes_and_rate() {
        let mut rng = SimRng::seeded(9);
        assert!((0..100).all(|_| !rng.chance_permille(0)));
        assert!((0..100).all(|_| rng.chance_permille(1000)));
        let hits = (0..10_000).filter(|_| rng.chance_permille(250)).count();
        assert!((2_200..2_800).contains(&hits), "{hits}");
    }
}
