//! The snowflake generator: Twitter's `IdWorker.nextId` as a state machine that reads no clock.
//! The caller passes the node's wall clock (the kernel's virtual time plus the node's offset) on
//! every call, and where the real generator would spin or sleep, the model returns
//! [`Outcome::Wait`] with the millisecond to wait for: the lab advances virtual time or holds the
//! request, then calls [`Generator::next`] again.

use alloc::format;
use serde::{Deserialize, Serialize};

use super::{Field, Layout, Parts};
use crate::kernel::bounds;
use crate::text::{thousands, Text};

/// The design limit of one Twitter-layout worker: 4,096 ids per millisecond, 4,096,000 per
/// second (Twitter README.mkd: "sequence number - 12 bits - rolls over every 4096 per machine";
/// the Meituan Leaf blog: "QPS约为409.6w/s").
pub const SEQUENCE_CAPACITY_PER_SECOND: u64 = 4_096_000;

/// What a generator does when the clock reads earlier than the time of its last id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Guard {
    /// No guard: the generator takes the earlier time as a new time unit, restarts the sequence at
    /// 0 and mints, so the ids minted since that time are minted again: duplicates. This is what
    /// rs-snowflake 0.6 does (`SnowflakeIdGenerator::real_time_generate`: on `now_millis !=
    /// last_time_millis` it sets `last_time_millis = now_millis; idx = 0`, with the comment
    /// "supplement code for 'clock is moving backwards situation'" and no code).
    None,
    /// Twitter's guard: refuse with "Clock moved backwards. Refusing to generate id for N
    /// milliseconds" until the clock passes the time of the last id. Source: twitter-archive/snowflake
    /// `IdWorker.scala`, `nextId` (throws `InvalidSystemClock`; README: "snowflake will refuse to
    /// generate ids until a time that is after the last time we generated an id").
    ///
    /// The Scala original steps the sequence *before* this check, so a refused call has already
    /// reset the sequence to 0; if the clock then returns to exactly the last id's millisecond, the
    /// next id takes sequence 1 again, a duplicate when that millisecond had already minted two
    /// ids or more. The model checks first, as the later Java ports of IdWorker do, and never
    /// mints a duplicate under this guard.
    Refuse,
    /// Meituan Leaf's guard: when the clock is at most `max_ms` behind (5 in Leaf), wait twice the
    /// offset and read the clock once more; if it is still behind, refuse (Leaf's result -1).
    /// Further behind, refuse at once (Leaf's result -3). Source: Meituan-Dianping/Leaf
    /// `leaf-core/.../snowflake/SnowflakeIDGenImpl.java`, `get`: `if (offset <= 5) { wait(offset
    /// << 1); timestamp = timeGen(); if (timestamp < lastTimestamp) return new Result(-1, …) }
    /// else return new Result(-3, …)`.
    WaitSmall {
        /// The largest step back that is waited out (5 ms in Leaf).
        max_ms: u64,
    },
}

impl Guard {
    /// Leaf's setting: wait when the clock is at most 5 ms behind.
    pub const LEAF: Guard = Guard::WaitSmall { max_ms: 5 };
}

/// Why the generator asks the caller to wait.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WaitCause {
    /// Every sequence number of the current time unit is taken (4,096 ids in one millisecond for
    /// Twitter): the real generator spins on the clock until the next unit (`tilNextMillis`).
    SequenceExhausted,
    /// [`Guard::WaitSmall`]: the clock is `behind_ms` behind the last id; Leaf waits twice that.
    ClockBackwards {
        /// How far the clock reads behind the last id's time.
        behind_ms: u64,
    },
}

/// Why the generator refused to mint.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Refusal {
    /// [`Guard::Refuse`], or [`Guard::WaitSmall`] when the step back is larger than its limit;
    /// `behind_ms` is how far the clock reads behind the last id's time.
    ClockBackwards { behind_ms: u64 },
    /// [`Guard::WaitSmall`] waited and the clock was still `behind_ms` behind (Leaf's result -1).
    StillBehindAfterWait { behind_ms: u64 },
    /// The clock reads `unix_ms`, before the layout's epoch (Leaf: "Snowflake not support
    /// twepoch gt currentTime").
    BeforeEpoch { unix_ms: u64 },
    /// The clock reads `unix_ms`, past the end of the time field (Baidu's "Timestamp bits is
    /// exhausted").
    TimeFieldExhausted { unix_ms: u64 },
}

impl Refusal {
    /// The error the real generator reports, in both languages.
    pub fn text(&self) -> Text {
        match *self {
            Refusal::ClockBackwards { behind_ms } => Text::new(
                format!(
                    "Clock moved backwards. Refusing to generate id for {} milliseconds.",
                    thousands(behind_ms)
                ),
                format!(
                    "时钟回拨：拒绝发号，{} 毫秒内不生成 ID。",
                    thousands(behind_ms)
                ),
            ),
            Refusal::StillBehindAfterWait { behind_ms } => Text::new(
                format!(
                    "Clock moved backwards; after waiting, it is still {} ms behind the last id. Refusing to generate an id.",
                    thousands(behind_ms)
                ),
                format!(
                    "时钟回拨：等待之后仍比上一个 ID 的时间晚 {} 毫秒，拒绝发号。",
                    thousands(behind_ms)
                ),
            ),
            Refusal::BeforeEpoch { unix_ms } => Text::new(
                format!(
                    "The clock reads {} ms, before the layout's epoch: no id can be made.",
                    thousands(unix_ms)
                ),
                format!(
                    "时钟读数为 {} ms，早于位布局的起始时间（epoch），无法生成 ID。",
                    thousands(unix_ms)
                ),
            ),
            Refusal::TimeFieldExhausted { unix_ms } => Text::new(
                format!(
                    "The clock reads {} ms, past the end of the time field: the timestamp bits are exhausted.",
                    thousands(unix_ms)
                ),
                format!(
                    "时钟读数为 {} ms，超出了时间戳字段能表示的范围：时间戳位已用尽。",
                    thousands(unix_ms)
                ),
            ),
        }
    }
}

/// What one call of [`Generator::next`] did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Outcome {
    /// A new id, `id`.
    Minted { id: u64 },
    /// The real generator would block until the clock reads `until_ms` (Unix ms) and then go on,
    /// for the reason `cause`; the caller waits (advances virtual time or holds the request) and
    /// calls `next` again.
    Wait { until_ms: u64, cause: WaitCause },
    /// No id; the request fails.
    Refused(Refusal),
}

/// What a generator has done so far, for the view.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Counts {
    /// Ids minted.
    pub minted: u64,
    /// Requests refused.
    pub refused: u64,
    /// Waits asked for, for an exhausted sequence or a small step back.
    pub waited: u64,
}

/// One snowflake worker, following Twitter's `IdWorker.nextId` (twitter-archive/snowflake
/// `IdWorker.scala`): within one time unit the sequence counts up from 0; when it is exhausted the
/// generator waits for the next unit (`tilNextMillis`); in a new unit the sequence starts again
/// at 0. It works in the units of its [`Layout`], so with [`Layout::SONYFLAKE`] a unit is 10 ms and
/// with [`Layout::BAIDU`] a second; its clock guard is its own setting ([`Guard`]), whatever the
/// layout (the real Sonyflake instead keeps counting on its last time unit when the clock goes
/// back, and sleeps when that unit is used up: `sonyflake.go`, `NextID`).
///
/// Leaf-snowflake starts each millisecond's sequence at a random number from 0 to 99
/// (`RANDOM.nextInt(100)` in `SnowflakeIDGenImpl.get`), so that ids taken modulo a small number
/// spread evenly; the model starts at 0, as Twitter does, and leaves that out.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Generator {
    /// Where the fields sit.
    pub layout: Layout,
    /// What it does when the clock goes back.
    pub guard: Guard,
    /// The configured datacenter id (0 in a layout without that field).
    pub datacenter: u64,
    /// The worker id, configured or from the [`super::Registry`].
    pub worker: u64,
    /// The start, in Unix ms, of the time unit of the last id (Twitter's `lastTimestamp`); `None`
    /// before the first id.
    pub last_ms: Option<u64>,
    /// The sequence number of the last id.
    pub sequence: u64,
    /// True after [`Guard::WaitSmall`] asked to wait: the next call is Leaf's one retry.
    pub retrying: bool,
    /// What it has done so far.
    pub counts: Counts,
}

impl Generator {
    /// A worker with a configured datacenter and worker id. Like Twitter's `IdWorker`
    /// constructor ("worker Id can't be greater than %d or less than 0"), an id that does not fit
    /// its field is refused; so is a layout that is not valid or a wait limit above a day.
    pub fn new(layout: Layout, guard: Guard, datacenter: u64, worker: u64) -> Result<Self, Text> {
        layout.check()?;
        if let Guard::WaitSmall { max_ms } = guard {
            bounds::span(("the guard's wait limit", "防护的等待上限"), max_ms)?;
        }
        for (value, field, en, zh) in [
            (datacenter, Field::Datacenter, "datacenter", "数据中心"),
            (worker, Field::Worker, "worker", "机器"),
        ] {
            let max = layout.max(field);
            if value > max {
                return Err(Text::new(
                    format!(
                        "The {en} id {} does not fit: it can't be greater than {}.",
                        thousands(value),
                        thousands(max)
                    ),
                    format!(
                        "{zh} ID {} 超出范围：不能大于 {}。",
                        thousands(value),
                        thousands(max)
                    ),
                ));
            }
        }
        Ok(Generator {
            layout,
            guard,
            datacenter,
            worker,
            last_ms: None,
            sequence: 0,
            retrying: false,
            counts: Counts::default(),
        })
    }

    /// Asks for one id with the node's clock reading `wall_ms` (Unix ms).
    pub fn next(&mut self, wall_ms: u64) -> Outcome {
        let outcome = self.step(wall_ms);
        match outcome {
            Outcome::Minted { .. } => self.counts.minted = self.counts.minted.saturating_add(1),
            Outcome::Wait { .. } => self.counts.waited = self.counts.waited.saturating_add(1),
            Outcome::Refused(_) => self.counts.refused = self.counts.refused.saturating_add(1),
        }
        outcome
    }

    fn step(&mut self, wall_ms: u64) -> Outcome {
        let layout = &self.layout;
        let Some(tick) = layout.tick(wall_ms) else {
            return Outcome::Refused(if wall_ms < layout.epoch_ms {
                Refusal::BeforeEpoch { unix_ms: wall_ms }
            } else {
                Refusal::TimeFieldExhausted { unix_ms: wall_ms }
            });
        };
        let now_ms = layout.tick_start_ms(tick);
        let retry = core::mem::take(&mut self.retrying);
        match self.last_ms {
            Some(last) if now_ms < last => {
                let behind_ms = last - wall_ms;
                match self.guard {
                    Guard::None => {}
                    _ if retry => {
                        return Outcome::Refused(Refusal::StillBehindAfterWait { behind_ms })
                    }
                    Guard::Refuse => {
                        return Outcome::Refused(Refusal::ClockBackwards { behind_ms })
                    }
                    Guard::WaitSmall { max_ms } if behind_ms <= max_ms => {
                        self.retrying = true;
                        return Outcome::Wait {
                            until_ms: wall_ms.saturating_add(behind_ms.saturating_mul(2)),
                            cause: WaitCause::ClockBackwards { behind_ms },
                        };
                    }
                    Guard::WaitSmall { .. } => {
                        return Outcome::Refused(Refusal::ClockBackwards { behind_ms })
                    }
                }
                self.sequence = 0;
            }
            Some(last) if now_ms == last => {
                if self.sequence >= layout.max(Field::Sequence) {
                    return Outcome::Wait {
                        until_ms: now_ms.saturating_add(layout.unit_ms),
                        cause: WaitCause::SequenceExhausted,
                    };
                }
                self.sequence += 1;
            }
            _ => self.sequence = 0,
        }
        self.last_ms = Some(now_ms);
        Outcome::Minted {
            id: layout.compose_fields(tick, self.datacenter, self.worker, self.sequence),
        }
    }

    /// The fields of an id of this generator's layout.
    pub fn decompose(&self, id: u64) -> Parts {
        self.layout.decompose(id)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec::Vec;
    use proptest::prelude::*;

    const T0: u64 = 1_700_000_000_000;

    fn twitter(guard: Guard) -> Generator {
        Generator::new(Layout::TWITTER, guard, 1, 1).unwrap()
    }

    fn parts(g: &mut Generator, wall_ms: u64) -> Parts {
        let id = id(g.next(wall_ms));
        g.decompose(id)
    }

    fn id(o: Outcome) -> u64 {
        match o {
            Outcome::Minted { id } => id,
            other => panic!("expected an id, got {other:?}"),
        }
    }

    #[test]
    fn the_sequence_counts_within_a_millisecond_and_restarts_at_zero() {
        let mut g = twitter(Guard::Refuse);
        let a = parts(&mut g, T0);
        let b = parts(&mut g, T0);
        let c = parts(&mut g, T0 + 1);
        assert_eq!((a.unix_ms, a.sequence), (T0, 0));
        assert_eq!((b.unix_ms, b.sequence), (T0, 1));
        assert_eq!((c.unix_ms, c.sequence), (T0 + 1, 0));
        assert_eq!((a.datacenter, a.worker), (1, 1));
    }

    #[test]
    fn the_4097th_id_in_one_millisecond_waits_for_the_next() {
        let mut g = twitter(Guard::Refuse);
        let mut last = 0;
        for _ in 0..4_096 {
            last = id(g.next(T0));
        }
        assert_eq!(g.decompose(last).sequence, 4_095);
        let wait = Outcome::Wait {
            until_ms: T0 + 1,
            cause: WaitCause::SequenceExhausted,
        };
        assert_eq!(g.next(T0), wait);
        assert_eq!(g.next(T0), wait, "spinning on the same millisecond");
        let next = parts(&mut g, T0 + 1);
        assert_eq!((next.unix_ms, next.sequence), (T0 + 1, 0));
        assert_eq!(
            g.counts,
            Counts {
                minted: 4_097,
                refused: 0,
                waited: 2
            }
        );
    }

    #[test]
    fn sonyflake_units_are_ten_milliseconds() {
        let mut g = Generator::new(Layout::SONYFLAKE, Guard::Refuse, 0, 7).unwrap();
        for _ in 0..256 {
            id(g.next(T0 + 3));
        }
        assert_eq!(
            g.next(T0 + 9),
            Outcome::Wait {
                until_ms: T0 + 10,
                cause: WaitCause::SequenceExhausted
            }
        );
        assert_eq!(parts(&mut g, T0 + 10).sequence, 0);
    }

    #[test]
    fn without_a_guard_a_5_ms_step_back_mints_duplicates() {
        let mut g = twitter(Guard::None);
        let first: Vec<u64> = (0..=5).map(|ms| id(g.next(T0 + ms))).collect();
        // NTP steps the clock back 5 ms.
        let again = id(g.next(T0));
        assert_eq!(again, first[0], "the same time, worker and sequence");
        assert_eq!(g.counts.refused, 0);
    }

    #[test]
    fn refuse_says_how_long_and_resumes_when_the_clock_catches_up() {
        let mut g = twitter(Guard::Refuse);
        let a = id(g.next(T0 + 5));
        let r = g.next(T0);
        assert_eq!(
            r,
            Outcome::Refused(Refusal::ClockBackwards { behind_ms: 5 })
        );
        let Outcome::Refused(refusal) = r else {
            unreachable!()
        };
        let t = refusal.text();
        assert_eq!(
            t.en,
            "Clock moved backwards. Refusing to generate id for 5 milliseconds."
        );
        assert!(t.zh.contains("时钟回拨") && t.zh.contains("5 毫秒"));
        let b = id(g.next(T0 + 5));
        assert!(b > a);
        assert_eq!(g.decompose(b).sequence, 1);
        assert_eq!(g.counts.refused, 1);
    }

    #[test]
    fn leaf_waits_twice_a_small_step_then_retries_once() {
        let mut g = twitter(Guard::LEAF);
        let a = id(g.next(T0 + 5));
        // 3 ms behind: wait 6 ms.
        assert_eq!(
            g.next(T0 + 2),
            Outcome::Wait {
                until_ms: T0 + 8,
                cause: WaitCause::ClockBackwards { behind_ms: 3 }
            }
        );
        assert!(id(g.next(T0 + 8)) > a, "caught up: minted");
        // Another small step whose retry is still behind: Leaf's -1.
        assert!(matches!(g.next(T0 + 4), Outcome::Wait { .. }));
        assert_eq!(
            g.next(T0 + 6),
            Outcome::Refused(Refusal::StillBehindAfterWait { behind_ms: 2 })
        );
        // More than 5 ms behind: Leaf's -3 at once.
        assert_eq!(
            g.next(T0 + 2),
            Outcome::Refused(Refusal::ClockBackwards { behind_ms: 6 })
        );
        assert_eq!(
            g.counts,
            Counts {
                minted: 2,
                refused: 2,
                waited: 2
            }
        );
    }

    #[test]
    fn ids_that_do_not_fit_are_refused() {
        assert!(Generator::new(Layout::TWITTER, Guard::Refuse, 32, 0).is_err());
        let e = Generator::new(Layout::TWITTER, Guard::Refuse, 0, 32).unwrap_err();
        assert_eq!(
            e.en,
            "The worker id 32 does not fit: it can't be greater than 31."
        );
        assert!(e.zh.contains("不能大于 31"));
        assert!(Generator::new(Layout::LEAF, Guard::LEAF, 0, 1_023).is_ok());
        assert!(Generator::new(Layout::LEAF, Guard::LEAF, 1, 0).is_err());
        assert!(
            Generator::new(Layout::TWITTER, Guard::WaitSmall { max_ms: u64::MAX }, 0, 0).is_err()
        );
        let mut g = twitter(Guard::None);
        assert_eq!(
            g.next(5),
            Outcome::Refused(Refusal::BeforeEpoch { unix_ms: 5 })
        );
        let mut b = Generator::new(Layout::BAIDU, Guard::Refuse, 0, 1).unwrap();
        assert!(matches!(
            b.next(1_795_000_000_000),
            Outcome::Refused(Refusal::TimeFieldExhausted { .. })
        ));
        assert!(b.next(1_700_000_000_000).is_minted());
    }

    #[test]
    fn a_generator_edited_into_a_bad_layout_does_not_panic() {
        // A file can carry any state: shifts past 64 bits and huge waits must not panic.
        let mut g = twitter(Guard::LEAF);
        g.layout.sequence_bits = 70;
        g.guard = Guard::WaitSmall { max_ms: u64::MAX };
        g.counts.minted = u64::MAX;
        assert!(g.next(T0).is_minted());
        assert!(matches!(g.next(T0 - 1), Outcome::Wait { .. }));
        assert_eq!(
            g.next(0),
            Outcome::Refused(Refusal::BeforeEpoch { unix_ms: 0 })
        );
    }

    #[test]
    fn the_state_round_trips_through_json_for_checkpoints() {
        let mut g = Generator::new(Layout::SONYFLAKE, Guard::LEAF, 0, 9).unwrap();
        id(g.next(T0 + 20));
        assert!(matches!(g.next(T0 + 15), Outcome::Wait { .. }));
        let json = serde_json::to_string(&g).unwrap();
        let back: Generator = serde_json::from_str(&json).unwrap();
        assert_eq!(back, g);
        assert!(back.retrying);
    }

    impl Outcome {
        fn is_minted(&self) -> bool {
            matches!(self, Outcome::Minted { .. })
        }
    }

    proptest! {
        /// Whatever the clock does (steps back and forth of up to 30 ms, repeats), a generator with
        /// a guard mints ids that only increase, so never the same id twice.
        #[test]
        fn with_a_guard_ids_are_unique_and_increasing_under_any_clock_steps(
            steps in proptest::collection::vec(-30i64..=12, 1..400),
            leaf in any::<bool>(),
            layout in 0usize..2,
        ) {
            let layout = [Layout::TWITTER, Layout::SONYFLAKE][layout];
            let guard = if leaf { Guard::LEAF } else { Guard::Refuse };
            let mut g = Generator::new(layout, guard, 0, 3).unwrap();
            let mut clock = T0 as i64;
            let mut previous: Option<u64> = None;
            for step in steps {
                clock += step;
                // Every reading is also asked several times, to exhaust sequences in Sonyflake.
                for _ in 0..(if step == 0 { 300 } else { 1 }) {
                    if let Outcome::Minted { id } = g.next(clock as u64) {
                        if let Some(p) = previous {
                            prop_assert!(id > p, "{} after {} at {}", id, p, clock);
                        }
                        previous = Some(id);
                    }
                }
            }
        }
    }
}
