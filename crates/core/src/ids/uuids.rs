//! UUID version 4 (122 random bits) and version 7 (48 bits of Unix milliseconds, then 74 bits of
//! randomness and counter), built by the `uuid` crate from bytes the caller draws from the world's
//! seeded generator, and the birthday bound that says how unlikely two random ids are to collide.
//! Seed 004 §六 names UUID first among the schemes; the lesson it teaches here is the one the
//! Meituan Leaf blog gives against UUID primary keys ("对MySQL索引不利"): v4 ids land at random
//! places in a B-tree index, v7 ids at its right edge (see [`super::btree`]).
//!
//! Sources: RFC 9562 §5.4 (v4), §5.7 (v7 layout), §6.2 (monotonicity and counters),
//! https://www.rfc-editor.org/rfc/rfc9562.html; the `uuid` crate 1.29 (`Builder::from_random_bytes`,
//! `Builder::from_unix_timestamp_millis`, `src/timestamp.rs`). The crate is used without its `v4`
//! and `v7` features, which would pull in `getrandom`: its docs ("Embedded") say to pass your own
//! random bytes instead, and its `ContextV7` (the v7 counter) exists only with those features, so
//! the counter of [`V7Generator`] is written here.

use alloc::format;
use alloc::string::{String, ToString};

use serde::{Deserialize, Serialize};
use uuid::{Builder, Uuid};

use crate::kernel::SimRng;
use crate::text::Text;

/// The random bits of a v4 UUID: 128 less 4 bits of version and 2 of variant (RFC 9562 §5.4).
pub const V4_RANDOM_BITS: u32 = 122;

/// The bits after a v7 UUID's timestamp that are not version or variant: `rand_a` (12) and
/// `rand_b` (62) (RFC 9562 §5.7). [`V7Generator`] spends the 12 of `rand_a` on its counter, so
/// two of its ids minted in one millisecond differ in the counter and 62 random bits remain.
pub const V7_RANDOM_BITS: u32 = 74;

/// The largest Unix millisecond a v7 UUID can carry: its `unix_ts_ms` field is 48 bits
/// (RFC 9562 §5.7), which lasts until the year 10889.
pub const V7_MAX_UNIX_MS: u64 = (1 << 48) - 1;

/// The largest value of the 12-bit counter in `rand_a`.
pub const V7_COUNTER_MAX: u16 = 0x0FFF;

/// `n` bytes from the world's generator.
pub fn random_bytes<const N: usize>(rng: &mut SimRng) -> [u8; N] {
    let mut out = [0u8; N];
    for chunk in out.chunks_mut(8) {
        let word = rng.next_u64().to_be_bytes();
        chunk.copy_from_slice(&word[..chunk.len()]);
    }
    out
}

/// A v4 UUID from 16 random bytes: the crate overwrites the version nibble with 4 and the top
/// two bits of byte 8 with the RFC variant `10` (`Builder::from_random_bytes`).
pub fn v4_from_bytes(bytes: [u8; 16]) -> Uuid {
    Builder::from_random_bytes(bytes).into_uuid()
}

/// A v4 UUID from the world's generator.
pub fn v4(rng: &mut SimRng) -> Uuid {
    v4_from_bytes(random_bytes(rng))
}

/// A v7 UUID for `unix_ms` from 10 bytes of counter and randomness
/// (`Builder::from_unix_timestamp_millis`): bytes 0–1 give `rand_a` (their top 4 bits are
/// replaced by the version), bytes 2–9 give `rand_b` (the top 2 bits of byte 2 are replaced by
/// the variant). A time past the 48-bit field is refused.
pub fn v7_from_bytes(unix_ms: u64, bytes: &[u8; 10]) -> Result<Uuid, Text> {
    if unix_ms > V7_MAX_UNIX_MS {
        return Err(too_late(unix_ms));
    }
    Ok(Builder::from_unix_timestamp_millis(unix_ms, bytes).into_uuid())
}

/// A v7 UUID for `unix_ms` with all 74 bits after the timestamp random, as a generator without a
/// counter makes it (RFC 9562 §5.7): ids of one millisecond are then in random order.
pub fn v7(unix_ms: u64, rng: &mut SimRng) -> Result<Uuid, Text> {
    v7_from_bytes(unix_ms, &random_bytes(rng))
}

fn too_late(unix_ms: u64) -> Text {
    Text::new(
        format!(
            "The clock reads {unix_ms} ms since 1970, past the 48 bits of a v7 UUID's timestamp (at most {V7_MAX_UNIX_MS})."
        ),
        format!(
            "时钟读数是 1970 年以来 {unix_ms} ms，超出了 v7 UUID 时间戳的 48 位（最大 {V7_MAX_UNIX_MS}）。"
        ),
    )
}

/// What a UUID says about itself, for the decoder in the view.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct UuidView {
    /// The canonical text form, `8-4-4-4-12` lower-case hex digits.
    pub text: String,
    /// The version nibble (4 for random, 7 for Unix-time ordered; 0 for the nil UUID).
    pub version: u8,
    /// True when the variant bits are `10`, the variant of RFC 9562 (and RFC 4122).
    pub rfc_variant: bool,
    /// For a v7 UUID, its `unix_ts_ms` field (the crate's `get_timestamp`).
    pub unix_ms: Option<u64>,
    /// For a v7 UUID, its 12-bit `rand_a` field, where [`V7Generator`] keeps its counter.
    pub rand_a: Option<u16>,
}

/// Decodes a UUID given as its 128-bit value.
pub fn view(id: u128) -> UuidView {
    let uuid = Uuid::from_u128(id);
    let version = uuid.get_version_num() as u8;
    let unix_ms = uuid.get_timestamp().and_then(|ts| {
        let (seconds, nanos) = ts.to_unix();
        (version == 7).then(|| seconds * 1000 + u64::from(nanos) / 1_000_000)
    });
    UuidView {
        text: uuid.hyphenated().to_string(),
        version,
        rfc_variant: (id >> 62) & 0b11 == 0b10,
        unix_ms,
        rand_a: (version == 7).then_some(((id >> 64) & 0x0FFF) as u16),
    }
}

/// Reads a UUID typed into the decoder (hyphenated, simple, braced or `urn:uuid:` form, as the
/// crate's `Uuid::parse_str` accepts); a malformed one is refused with a message.
pub fn parse(s: &str) -> Result<u128, Text> {
    let s = s.trim();
    if s.len() > 64 {
        let head: String = s.chars().take(40).collect();
        return Err(not_a_uuid(&format!("{head}…")));
    }
    Uuid::parse_str(s)
        .map(|u| u.as_u128())
        .map_err(|_| not_a_uuid(s))
}

fn not_a_uuid(s: &str) -> Text {
    Text::new(
        format!(
            "\"{s}\" is not a UUID: a UUID is 32 hexadecimal digits, usually written 8-4-4-4-12."
        ),
        format!("“{s}”不是 UUID：UUID 是 32 个十六进制数字，通常写成 8-4-4-4-12 的形式。"),
    )
}

/// What a v7 generator does when the clock reads earlier than the last id's timestamp, and when
/// its counter runs out within one millisecond.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum V7ClockBack {
    /// RFC 9562 §6.2, "Monotonic Error Checking": "the application MAY reuse the previous
    /// timestamp and increment the previous counter". When the counter then runs out, the
    /// timestamp is moved one millisecond ahead of the clock and the counter reseeded ("Counter
    /// Rollover Handling": "implementations MAY increment the timestamp ahead of the actual time
    /// and reinitialize the counter"). This is what the `uuid` crate's `ContextV7` does. Ids stay
    /// strictly increasing and unique whatever the clock does; their timestamps may run ahead of
    /// the clock.
    #[default]
    ReusePrevious,
    /// RFC 9562 §6.2: "or they should at least report an appropriate error". The generator
    /// refuses until the clock is back at the last timestamp, and when the counter runs out it
    /// refuses until the next millisecond ("freeze the counter and wait for the timestamp to
    /// advance"). Like Twitter's snowflake, it stays correct by becoming unavailable.
    Refuse,
}

/// How a minted v7 id got its timestamp.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum V7How {
    /// The first id of a new millisecond: the counter was reseeded at random.
    NewMillisecond,
    /// Another id in the same millisecond: the counter went up by one.
    SameMillisecond,
    /// The clock read `by_ms` earlier than the last timestamp, which was reused.
    ClockBehind { by_ms: u64 },
    /// The counter ran out, so the timestamp moved one millisecond past the last one, `by_ms`
    /// ahead of the clock.
    AheadOfClock { by_ms: u64 },
}

/// What one call of [`V7Generator::mint`] did.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum V7Mint {
    /// A new id.
    Minted {
        id: u128,
        /// The timestamp written into the id.
        unix_ms: u64,
        /// The 12-bit counter written into `rand_a`.
        counter: u16,
        how: V7How,
    },
    /// No id: the reason, and the clock reading from which a retry can succeed (none when the
    /// clock is past what a v7 UUID can hold).
    Refused {
        reason: Text,
        retry_at_ms: Option<u64>,
    },
}

/// A v7 UUID generator that keeps its ids strictly increasing within one millisecond with a
/// counter in the 12 bits of `rand_a`: RFC 9562 §6.2 "Fixed Bit-Length Dedicated Counter
/// (Method 1)", at the 12-bit length the RFC gives as the least it should be.
///
/// On each new millisecond the counter is seeded at random with its leftmost bit zero, the RFC's
/// rollover guard ("Fixed Bit-Length Dedicated Counter Seeding"), so at least 2,049 ids fit in a
/// millisecond before it runs out; within a millisecond it goes up by one. The other 62 bits
/// (`rand_b`) are random for every id. What happens when the clock goes back or the counter runs
/// out is [`V7ClockBack`].
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct V7Generator {
    guard: V7ClockBack,
    /// The timestamp of the last id, none before the first.
    last_ms: Option<u64>,
    /// The counter of the last id.
    counter: u16,
}

impl V7Generator {
    /// A generator that has minted nothing yet.
    pub fn new(guard: V7ClockBack) -> V7Generator {
        V7Generator {
            guard,
            last_ms: None,
            counter: 0,
        }
    }

    /// The guard against a clock going back.
    pub fn guard(&self) -> V7ClockBack {
        self.guard
    }

    /// The timestamp of the last id minted, if any.
    pub fn last_ms(&self) -> Option<u64> {
        self.last_ms
    }

    /// The counter of the last id minted.
    pub fn counter(&self) -> u16 {
        self.counter
    }

    /// Mints one id at the clock reading `now_ms` (Unix milliseconds), drawing the random bits
    /// from `rng`. Follows RFC 9562 §6.2's steps: the same millisecond as the last id increments
    /// the counter; a later one reseeds it; an earlier one is handled by the guard.
    pub fn mint(&mut self, now_ms: u64, rng: &mut SimRng) -> V7Mint {
        let bytes: [u8; 10] = random_bytes(rng);
        let (unix_ms, counter, how) = match self.last_ms {
            Some(last) if now_ms <= last => {
                let behind = last - now_ms;
                if behind > 0 && self.guard == V7ClockBack::Refuse {
                    return V7Mint::Refused {
                        reason: clock_behind(behind, last),
                        retry_at_ms: Some(last),
                    };
                }
                if self.counter < V7_COUNTER_MAX {
                    let how = if behind == 0 {
                        V7How::SameMillisecond
                    } else {
                        V7How::ClockBehind { by_ms: behind }
                    };
                    (last, self.counter + 1, how)
                } else if self.guard == V7ClockBack::Refuse {
                    return V7Mint::Refused {
                        reason: counter_out(last),
                        retry_at_ms: Some(last + 1),
                    };
                } else if last >= V7_MAX_UNIX_MS {
                    return V7Mint::Refused {
                        reason: too_late(last + 1),
                        retry_at_ms: None,
                    };
                } else {
                    let ahead = last + 1 - now_ms;
                    (last + 1, seed(&bytes), V7How::AheadOfClock { by_ms: ahead })
                }
            }
            _ => {
                if now_ms > V7_MAX_UNIX_MS {
                    return V7Mint::Refused {
                        reason: too_late(now_ms),
                        retry_at_ms: None,
                    };
                }
                (now_ms, seed(&bytes), V7How::NewMillisecond)
            }
        };
        let mut bytes = bytes;
        bytes[0] = (counter >> 8) as u8;
        bytes[1] = counter as u8;
        let id = Builder::from_unix_timestamp_millis(unix_ms, &bytes)
            .into_uuid()
            .as_u128();
        self.last_ms = Some(unix_ms);
        self.counter = counter;
        V7Mint::Minted {
            id,
            unix_ms,
            counter,
            how,
        }
    }
}

/// A fresh counter for a new millisecond: 11 random bits under a zero guard bit.
fn seed(bytes: &[u8; 10]) -> u16 {
    u16::from_be_bytes([bytes[0], bytes[1]]) & 0x07FF
}

fn clock_behind(by_ms: u64, last: u64) -> Text {
    Text::new(
        format!(
            "The clock reads {by_ms} ms earlier than the last id's timestamp: refusing to mint until it reaches {last} again (RFC 9562 §6.2: report an error rather than go backwards)."
        ),
        format!(
            "时钟比上一个 ID 的时间戳早了 {by_ms} ms：在时钟回到 {last} 之前拒绝生成（RFC 9562 §6.2：宁可报错，也不能让 ID 倒退）。"
        ),
    )
}

fn counter_out(last: u64) -> Text {
    Text::new(
        format!(
            "The 12-bit counter has run out in millisecond {last}: no more ids until the next millisecond (RFC 9562 §6.2: freeze the counter and wait for the timestamp to advance)."
        ),
        format!(
            "第 {last} 毫秒内 12 位计数器已用完：要等到下一毫秒才能继续生成（RFC 9562 §6.2：冻结计数器，等时间戳前进）。"
        ),
    )
}

/// The probability that at least one pair among `n` ids with `random_bits` random bits each is
/// equal, by the birthday bound `p ≈ 1 − exp(−n² / 2^(random_bits + 1))`. Computed as
/// `−expm1(−x)`, which stays accurate when `x` is tiny (where `1 − exp(−x)` would round to 0)
/// and tends to 1 when it is large. `n` below 0 or not a number counts as 0.
pub fn collision_probability(n: f64, random_bits: u32) -> f64 {
    if n.is_nan() || n <= 0.0 {
        return 0.0;
    }
    let space = libm::ldexp(1.0, random_bits as i32 + 1);
    let x = (n / space) * n;
    -libm::expm1(-x)
}

/// The birthday bound for `n` random v4 UUIDs (122 random bits): 50% at about 2.71 × 10^18 ids,
/// one in a billion at about 1.03 × 10^14 (the figures Wikipedia gives, recomputed; RFC 9562 §6.7
/// treats collisions only in words). Do not apply it to v7 ids: they can collide only within one
/// millisecond and carry fewer random bits ([`V7_RANDOM_BITS`]).
pub fn v4_collision_probability(n: f64) -> f64 {
    collision_probability(n, V4_RANDOM_BITS)
}

/// A probability as the view writes it: "4.8 × 10⁻³⁰" below one in a thousand, "0.3%" above, "0"
/// and "1" at the ends; written with integers so that no float formatting is linked.
pub fn probability_text(p: f64) -> String {
    if p.is_nan() || p <= 0.0 {
        return String::from("0");
    }
    if p >= 1.0 {
        return String::from("1");
    }
    if p >= 0.001 {
        // Tenths of a percent.
        let tenths = libm::round(p * 1000.0) as u64;
        return match tenths % 10 {
            0 => format!("{}%", tenths / 10),
            f => format!("{}.{f}%", tenths / 10),
        };
    }
    let mut exp = libm::floor(libm::log10(p)) as i32;
    let mut tenths = libm::round(p / libm::pow(10.0, f64::from(exp)) * 10.0) as u64;
    if tenths >= 100 {
        tenths /= 10;
        exp += 1;
    }
    const SUPERSCRIPT: [char; 10] = ['⁰', '¹', '²', '³', '⁴', '⁵', '⁶', '⁷', '⁸', '⁹'];
    let digits: String = exp
        .unsigned_abs()
        .to_string()
        .chars()
        .map(|c| SUPERSCRIPT[c.to_digit(10).unwrap_or(0) as usize])
        .collect();
    let sign = if exp < 0 { "⁻" } else { "" };
    format!("{}.{} × 10{sign}{digits}", tenths / 10, tenths % 10)
}

/// How many ids with `random_bits` random bits give a collision probability of `p` (the inverse
/// of [`collision_probability`]: `n = sqrt(−2^(random_bits+1) · ln(1 − p))`). `p` is clamped to
/// `0..1`; at 1 the answer is infinite.
pub fn ids_for_probability(p: f64, random_bits: u32) -> f64 {
    if p.is_nan() || p <= 0.0 {
        return 0.0;
    }
    if p >= 1.0 {
        return f64::INFINITY;
    }
    let space = libm::ldexp(1.0, random_bits as i32 + 1);
    libm::sqrt(-space * libm::log1p(-p))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn probabilities_read_as_a_person_writes_them() {
        assert_eq!(
            probability_text(v4_collision_probability(7_110.0)),
            "4.8 × 10⁻³⁰"
        );
        assert_eq!(probability_text(0.5), "50%");
        assert_eq!(probability_text(0.0123), "1.2%");
        assert_eq!(probability_text(9.96e-5), "1.0 × 10⁻⁴");
        assert_eq!(probability_text(0.0), "0");
        assert_eq!(probability_text(f64::NAN), "0");
        assert_eq!(probability_text(2.0), "1");
        assert_eq!(probability_text(f64::MIN_POSITIVE), "2.2 × 10⁻³⁰⁸");
    }
    use alloc::vec::Vec;
    use proptest::prelude::*;

    fn minted(m: V7Mint) -> (u128, u64, u16, V7How) {
        match m {
            V7Mint::Minted {
                id,
                unix_ms,
                counter,
                how,
            } => (id, unix_ms, counter, how),
            V7Mint::Refused { reason, .. } => panic!("refused: {}", reason.en),
        }
    }

    #[test]
    fn the_crate_sets_version_and_variant_over_the_bytes_given() {
        let id = v4_from_bytes([0xff; 16]);
        assert_eq!(id.to_string(), "ffffffff-ffff-4fff-bfff-ffffffffffff");
        let v = view(id.as_u128());
        assert_eq!((v.version, v.rfc_variant, v.unix_ms), (4, true, None));

        let id = v7_from_bytes(0x0123_4567_89ab, &[0xff; 10]).unwrap();
        assert_eq!(id.to_string(), "01234567-89ab-7fff-bfff-ffffffffffff");
        let v = view(id.as_u128());
        assert_eq!(v.version, 7);
        assert_eq!(v.unix_ms, Some(0x0123_4567_89ab));
        assert_eq!(v.rand_a, Some(0x0fff));
        assert!(v7_from_bytes(V7_MAX_UNIX_MS + 1, &[0; 10]).is_err());
    }

    #[test]
    fn ids_from_the_world_generator_are_reproducible() {
        let a = v4(&mut SimRng::seeded(3));
        let b = v4(&mut SimRng::seeded(3));
        assert_eq!(a, b);
        assert_ne!(a, v4(&mut SimRng::seeded(4)));
        assert_eq!(view(a.as_u128()).version, 4);
    }

    #[test]
    fn parse_reads_the_usual_forms_and_refuses_the_rest() {
        let id = parse("01234567-89ab-7fff-bfff-ffffffffffff").unwrap();
        assert_eq!(parse("0123456789ab7fffbfffffffffffffff").unwrap(), id);
        assert_eq!(view(id).unix_ms, Some(1_250_999_896_491));
        let e = parse("not-a-uuid").unwrap_err();
        assert!(e.en.contains("not a UUID") && e.zh.contains("不是 UUID"));
        assert!(parse(&"x".repeat(10_000)).is_err());
    }

    #[test]
    fn ids_of_one_millisecond_count_up_in_rand_a() {
        let mut rng = SimRng::seeded(1);
        let mut g = V7Generator::new(V7ClockBack::ReusePrevious);
        let (a, ms, c0, how) = minted(g.mint(1_000, &mut rng));
        assert_eq!((ms, how), (1_000, V7How::NewMillisecond));
        assert!(c0 <= 0x07FF, "the guard bit starts at zero");
        let (b, _, c1, how) = minted(g.mint(1_000, &mut rng));
        assert_eq!((c1, how), (c0 + 1, V7How::SameMillisecond));
        assert!(b > a);
        assert_eq!(view(b).rand_a, Some(c1));
    }

    #[test]
    fn a_clock_going_back_reuses_the_last_timestamp() {
        let mut rng = SimRng::seeded(2);
        let mut g = V7Generator::new(V7ClockBack::ReusePrevious);
        let (a, _, c, _) = minted(g.mint(5_000, &mut rng));
        let (b, ms, c1, how) = minted(g.mint(4_995, &mut rng));
        assert_eq!(
            (ms, c1, how),
            (5_000, c + 1, V7How::ClockBehind { by_ms: 5 })
        );
        assert!(b > a);
    }

    #[test]
    fn a_counter_running_out_moves_the_timestamp_ahead_or_waits() {
        let mut rng = SimRng::seeded(3);
        let mut g = V7Generator::new(V7ClockBack::ReusePrevious);
        let mut last = 0;
        let mut ahead = None;
        for _ in 0..4_097 {
            let (id, ms, _, how) = minted(g.mint(7_000, &mut rng));
            assert!(id > last);
            last = id;
            if let V7How::AheadOfClock { by_ms } = how {
                ahead.get_or_insert((ms, by_ms));
            }
        }
        assert_eq!(ahead, Some((7_001, 1)));

        let mut g = V7Generator::new(V7ClockBack::Refuse);
        let mut refused = None;
        for _ in 0..4_097 {
            if let V7Mint::Refused { retry_at_ms, .. } = g.mint(7_000, &mut rng) {
                refused = retry_at_ms;
                break;
            }
        }
        assert_eq!(refused, Some(7_001));
        assert!(matches!(g.mint(7_001, &mut rng), V7Mint::Minted { .. }));
    }

    #[test]
    fn the_refusing_guard_waits_for_the_clock_to_catch_up() {
        let mut rng = SimRng::seeded(4);
        let mut g = V7Generator::new(V7ClockBack::Refuse);
        minted(g.mint(9_000, &mut rng));
        match g.mint(8_990, &mut rng) {
            V7Mint::Refused {
                reason,
                retry_at_ms,
            } => {
                assert_eq!(retry_at_ms, Some(9_000));
                assert!(reason.en.contains("10 ms earlier") && reason.zh.contains("10 ms"));
            }
            m => panic!("{m:?}"),
        }
        let (_, ms, _, how) = minted(g.mint(9_000, &mut rng));
        assert_eq!((ms, how), (9_000, V7How::SameMillisecond));
    }

    #[test]
    fn the_birthday_bound_matches_the_reference_values() {
        let half = v4_collision_probability(2.71e18);
        assert!((half - 0.5).abs() < 0.005, "{half}");
        let billionth = v4_collision_probability(1.03e14);
        assert!((billionth / 1e-9 - 1.0).abs() < 0.01, "{billionth}");
        // Small n: 1 − exp(−x) would give 0 here; −expm1(−x) keeps x.
        let tiny = v4_collision_probability(4_294_967_296.0);
        assert!((tiny / 1.7347e-18 - 1.0).abs() < 0.001, "{tiny}");
        assert_eq!(v4_collision_probability(0.0), 0.0);
        assert_eq!(v4_collision_probability(1e30), 1.0);
        let n = ids_for_probability(0.5, V4_RANDOM_BITS);
        assert!((n / 2.71e18 - 1.0).abs() < 0.002, "{n}");
        let n = ids_for_probability(1e-9, V4_RANDOM_BITS);
        assert!((n / 1.03e14 - 1.0).abs() < 0.005, "{n}");
    }

    proptest! {
        /// Whatever the clock reads, one generator's ids under the reusing guard strictly
        /// increase, and under the refusing guard every id it does mint does.
        #[test]
        fn v7_ids_of_one_generator_strictly_increase(
            seed in any::<u64>(),
            steps in proptest::collection::vec((-20i64..20, 1usize..120), 1..20),
        ) {
            for guard in [V7ClockBack::ReusePrevious, V7ClockBack::Refuse] {
                let mut rng = SimRng::seeded(seed);
                let mut g = V7Generator::new(guard);
                let mut clock: i64 = 1_000_000;
                let mut ids = Vec::new();
                for (jump, burst) in &steps {
                    clock += jump;
                    for _ in 0..*burst {
                        if let V7Mint::Minted { id, .. } = g.mint(clock as u64, &mut rng) {
                            ids.push(id);
                        }
                    }
                }
                prop_assert!(ids.windows(2).all(|w| w[0] < w[1]));
                if guard == V7ClockBack::ReusePrevious {
                    let total: usize = steps.iter().map(|s| s.1).sum();
                    prop_assert_eq!(ids.len(), total);
                }
            }
        }
    }
}
