//! Peak shaving (削峰) as a flow (seed 003): thousands of messages per second are far too many to
//! follow one by one, so this lab counts them. Each tick, producers add messages at their rate,
//! consumers take the oldest ones at theirs, and the database downstream takes what the consumers
//! hand it. Without a queue the producers call the database directly. Everything is integer
//! arithmetic on messages and milliseconds, with the fractions of a message carried from tick to
//! tick so that rates are exact over time.
//!
//! One tick of `tick_ms`, starting at time `now`, in this order:
//! 1. Expiry (with a TTL and a queue): messages that have waited longer than the TTL are dropped.
//!    A message's age is counted from the start of the tick in which it arrived.
//! 2. Arrivals: `producer_rate × tick_ms / 1000`, the remainder carried to the next tick.
//! 3. With a queue: the arrivals join the backlog (stamped `now`); the consumers process
//!    `consumers × consumer_rate × tick_ms / 1000` (remainder carried) oldest first; then whatever
//!    exceeds `queue_capacity` is refused. Those are always messages of this tick, the newest:
//!    during a tick the broker accepts as much as fits in the room the consumers free.
//!    Without a queue: the database takes `db_capacity × tick_ms / 1000` (remainder carried) of the
//!    arrivals and fails the rest, which count as rejected.
//! 4. The database is offered what was processed (with a queue) or what arrived (without one); it is
//!    overloaded when that exceeds what it can take this tick.
//!
//! Conservation: `total_arrived == total_processed + total_expired + total_rejected + backlog`,
//! where `total_rejected` counts both messages the full queue refused and calls the overloaded
//! database failed (without a queue). Nothing is ever lost otherwise.

use alloc::collections::VecDeque;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::kernel::{Ctx, LinkConfig, NodeState, Protocol, Severity, Time, Violation, World};
use crate::scenario::{
    Directive, InvariantInfo, Lab, LabInfo, Scenario, ScriptStep, StaticText, Topic,
};
use crate::text::{thousands, Text};

/// Invariant: the database gets no more than it can take.
pub const DB_OK: &str = "flow.db-not-overloaded";
/// Invariant: no producer is told "queue full" and no call to the database fails. A refused order
/// is lost for good, so once broken it stays broken for the rest of the run.
pub const NONE_REFUSED: &str = "flow.none-refused";
/// Invariant: no message expires before it is processed. An expired order is gone for good, so
/// once broken it stays broken for the rest of the run.
pub const NONE_EXPIRED: &str = "flow.none-expired";
/// Warning: the backlog is not growing (broken in a tick in which it grew).
pub const BACKLOG_STEADY: &str = "flow.backlog-steady";

/// Upper bound of a rate (messages per second), so that the arithmetic never overflows.
pub const MAX_RATE: u64 = 1_000_000_000;
/// Upper bound of the number of consumers.
pub const MAX_CONSUMERS: u32 = 10_000;
/// Upper bound of a tick.
pub const MAX_TICK_MS: u64 = 60_000;

/// The lab's settings.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct FlowSetup {
    /// Length of one step of time in milliseconds, e.g. 100.
    pub tick_ms: u64,
    /// Consumer instances.
    pub consumers: u32,
    /// Messages per second each consumer processes.
    pub consumer_rate: u64,
    /// Messages the broker can hold (disk or memory limit); 0 = unlimited.
    pub queue_capacity: u64,
    /// Messages older than this expire (dropped, counted).
    pub ttl_ms: Option<u64>,
    /// Messages per second the downstream database can take.
    pub db_capacity: u64,
    /// false: producers call the database directly (no message queue).
    pub with_queue: bool,
}

/// What a student or a script can do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowOp {
    /// Advances one tick: arrivals at the current producer rate, processing, expiry.
    Tick,
    SetProducerRate {
        per_second: u64,
    },
    SetConsumers {
        consumers: u32,
    },
    /// Switching the queue off needs an empty backlog.
    SetQueue {
        with_queue: bool,
    },
}

/// One tick, for the chart: rates in messages per second over the tick (the tick's count
/// × 1000 / `tick_ms`, rounded down), except `backlog`, a count. The exact counts are in
/// [`TickCounts`].
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Sample {
    /// Time at the end of the tick, in milliseconds since the start.
    pub at: u64,
    /// Rate at which messages arrived.
    pub arrived: u64,
    /// Rate at which consumers (or, without a queue, the database) processed messages.
    pub processed: u64,
    /// Messages waiting in the queue at the end of the tick.
    pub backlog: u64,
    /// Rate at which messages expired.
    pub expired: u64,
    /// Rate at which messages were refused by the full queue, or failed by the overloaded
    /// database (without a queue).
    pub rejected: u64,
    /// What the database was offered, in messages per second.
    pub db_load: u64,
}

/// The exact number of messages in one tick.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct TickCounts {
    pub arrived: u64,
    pub processed: u64,
    pub expired: u64,
    /// Refused by the full queue, or failed by the overloaded database (without a queue).
    pub rejected: u64,
}

/// What happened in a step, with numbers only: the view writes the sentences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FlowNote {
    Ticked { sample: Sample, counts: TickCounts },
    ProducerRateSet { per_second: u64 },
    ConsumersSet { consumers: u32 },
    QueueSet { with_queue: bool },
}

/// Messages that arrived in the same tick: they share an age.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Bucket {
    /// Start of the tick in which they arrived.
    pub since: Time,
    pub count: u64,
}

/// The lab's state.
#[derive(Clone, Debug, PartialEq)]
pub struct FlowLab {
    pub setup: FlowSetup,
    /// Messages per second now.
    pub producer_rate: u64,
    pub backlog: u64,
    pub total_arrived: u64,
    pub total_processed: u64,
    pub total_expired: u64,
    pub total_rejected: u64,
    /// One per tick, for the chart.
    pub history: Vec<Sample>,
    /// The messages of the last tick, exactly.
    pub last_tick: TickCounts,
    /// The lab's own clock: the start of the next tick (the kernel's clock does not move, as ticks
    /// are operations).
    pub now: Time,
    /// The backlog by age, oldest first; the counts add up to `backlog`.
    pub buckets: VecDeque<Bucket>,
    /// Thousandths of a message carried to the next tick: arrivals, consumption, database.
    arrival_carry: u64,
    consume_carry: u64,
    db_carry: u64,
    /// Whether the database was offered more than it could take in the last tick.
    pub overloaded: bool,
}

/// `rate × ms / 1000` with the remainder carried in `carry`.
fn share(rate: u64, ms: u64, carry: &mut u64) -> u64 {
    let total = rate.saturating_mul(ms).saturating_add(*carry);
    *carry = total % 1000;
    total / 1000
}

impl FlowLab {
    pub fn new(setup: &FlowSetup) -> Result<FlowLab, Text> {
        if setup.tick_ms == 0 || setup.tick_ms > MAX_TICK_MS {
            return Err(Text::new(
                format!("A tick lasts 1 to {MAX_TICK_MS} ms."),
                format!("一个时间步长为 1 到 {MAX_TICK_MS} 毫秒。"),
            ));
        }
        if setup.consumers > MAX_CONSUMERS
            || setup.consumer_rate > MAX_RATE
            || setup.db_capacity > MAX_RATE
        {
            return Err(Text::new(
                format!("At most {MAX_CONSUMERS} consumers and {MAX_RATE} messages per second."),
                format!("最多 {MAX_CONSUMERS} 个消费者，每秒最多 {MAX_RATE} 条消息。"),
            ));
        }
        Ok(FlowLab {
            setup: setup.clone(),
            producer_rate: 0,
            backlog: 0,
            total_arrived: 0,
            total_processed: 0,
            total_expired: 0,
            total_rejected: 0,
            history: Vec::new(),
            last_tick: TickCounts::default(),
            now: 0,
            buckets: VecDeque::new(),
            arrival_carry: 0,
            consume_carry: 0,
            db_carry: 0,
            overloaded: false,
        })
    }

    /// The starting world: four nodes for the picture, no network traffic.
    pub fn world(setup: &FlowSetup, seed: u64) -> Result<World<FlowLab>, Text> {
        let lab = FlowLab::new(setup)?;
        Ok(World::new(
            lab,
            &["Producers", "Broker", "Consumers", "Database"],
            LinkConfig::default(),
            seed,
        ))
    }

    /// A count per tick as a rate per second.
    fn per_second(&self, count: u64) -> u64 {
        count.saturating_mul(1000) / self.setup.tick_ms
    }

    /// Drops the messages older than the TTL at time `now`.
    fn expire(&mut self) -> u64 {
        let Some(ttl) = self.setup.ttl_ms else {
            return 0;
        };
        let mut expired = 0;
        while let Some(b) = self.buckets.front() {
            if self.now - b.since > ttl {
                expired += b.count;
                self.buckets.pop_front();
            } else {
                break;
            }
        }
        self.backlog -= expired;
        expired
    }

    /// Takes up to `n` of the oldest messages.
    fn take_oldest(&mut self, n: u64) -> u64 {
        let mut left = n;
        while left > 0 {
            let Some(b) = self.buckets.front_mut() else {
                break;
            };
            let k = b.count.min(left);
            b.count -= k;
            left -= k;
            if b.count == 0 {
                self.buckets.pop_front();
            }
        }
        let taken = n - left;
        self.backlog -= taken;
        taken
    }

    /// Refuses up to `n` of the newest messages.
    fn drop_newest(&mut self, n: u64) -> u64 {
        let mut left = n;
        while left > 0 {
            let Some(b) = self.buckets.back_mut() else {
                break;
            };
            let k = b.count.min(left);
            b.count -= k;
            left -= k;
            if b.count == 0 {
                self.buckets.pop_back();
            }
        }
        let dropped = n - left;
        self.backlog -= dropped;
        dropped
    }

    /// One tick; returns its sample (also pushed to the history).
    pub fn tick(&mut self) -> Sample {
        let tick = self.setup.tick_ms;
        let expired = if self.setup.with_queue {
            self.expire()
        } else {
            0
        };
        let arrived = share(self.producer_rate, tick, &mut self.arrival_carry);
        let db_room = share(self.setup.db_capacity, tick, &mut self.db_carry);
        let (processed, rejected, offered) = if self.setup.with_queue {
            if arrived > 0 {
                self.buckets.push_back(Bucket {
                    since: self.now,
                    count: arrived,
                });
                self.backlog += arrived;
            }
            let rate = u64::from(self.setup.consumers).saturating_mul(self.setup.consumer_rate);
            let capacity = share(rate, tick, &mut self.consume_carry);
            let processed = self.take_oldest(capacity);
            let cap = self.setup.queue_capacity;
            let rejected = if cap > 0 && self.backlog > cap {
                self.drop_newest(self.backlog - cap)
            } else {
                0
            };
            (processed, rejected, processed)
        } else {
            let processed = arrived.min(db_room);
            (processed, arrived - processed, arrived)
        };
        self.overloaded = offered > db_room;
        self.now += tick;
        self.total_arrived += arrived;
        self.total_processed += processed;
        self.total_expired += expired;
        self.total_rejected += rejected;
        self.last_tick = TickCounts {
            arrived,
            processed,
            expired,
            rejected,
        };
        let sample = Sample {
            at: self.now,
            arrived: self.per_second(arrived),
            processed: self.per_second(processed),
            backlog: self.backlog,
            expired: self.per_second(expired),
            rejected: self.per_second(rejected),
            db_load: self.per_second(offered),
        };
        self.history.push(sample);
        sample
    }

    /// The backlog before the last tick.
    fn backlog_before_last(&self) -> u64 {
        let n = self.history.len();
        if n >= 2 {
            self.history[n - 2].backlog
        } else {
            0
        }
    }
}

impl Protocol for FlowLab {
    type Msg = ();
    type Op = FlowOp;
    type Timer = ();
    type Note = FlowNote;

    fn ops(&self, _nodes: &[NodeState], out: &mut Vec<FlowOp>) {
        out.push(FlowOp::Tick);
    }

    fn check_op(&self, op: &FlowOp, _nodes: &[NodeState]) -> Result<(), Text> {
        match *op {
            FlowOp::Tick => Ok(()),
            FlowOp::SetProducerRate { per_second } if per_second > MAX_RATE => Err(Text::new(
                format!("At most {MAX_RATE} messages per second."),
                format!("每秒最多 {MAX_RATE} 条消息。"),
            )),
            FlowOp::SetConsumers { consumers } if consumers > MAX_CONSUMERS => Err(Text::new(
                format!("At most {MAX_CONSUMERS} consumers."),
                format!("最多 {MAX_CONSUMERS} 个消费者。"),
            )),
            FlowOp::SetQueue { with_queue: false } if self.backlog > 0 => Err(Text::new(
                format!(
                    "{} messages still wait in the queue: let the consumers drain it first.",
                    self.backlog
                ),
                format!(
                    "队列里还有 {} 条消息在等待：先让消费者把它消费完。",
                    self.backlog
                ),
            )),
            _ => Ok(()),
        }
    }

    fn on_op(&mut self, op: &FlowOp, ctx: &mut Ctx<'_, Self>) {
        match *op {
            FlowOp::Tick => {
                let sample = self.tick();
                ctx.note(FlowNote::Ticked {
                    sample,
                    counts: self.last_tick,
                });
            }
            FlowOp::SetProducerRate { per_second } => {
                self.producer_rate = per_second;
                ctx.note(FlowNote::ProducerRateSet { per_second });
            }
            FlowOp::SetConsumers { consumers } => {
                self.setup.consumers = consumers;
                ctx.note(FlowNote::ConsumersSet { consumers });
            }
            FlowOp::SetQueue { with_queue } => {
                self.setup.with_queue = with_queue;
                ctx.note(FlowNote::QueueSet { with_queue });
            }
        }
    }

    fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
        let Some(last) = self.history.last() else {
            return;
        };
        // The lost orders are one violation from the tick that lost the first of them, while their
        // count grows: the invariant is its own subject. The others are identified by their detail.
        let mut push = |invariant: &str, name: Text, detail: Text, severity: Severity| {
            let lasting = invariant == NONE_REFUSED || invariant == NONE_EXPIRED;
            out.push(Violation {
                invariant: invariant.to_string(),
                subject: if lasting {
                    invariant.to_string()
                } else {
                    String::new()
                },
                name,
                detail,
                severity,
            });
        };
        if self.overloaded {
            push(
                DB_OK,
                name_of(DB_OK),
                Text::new(
                    format!(
                        "The database is offered {}/s and can take {}/s.",
                        thousands(last.db_load),
                        thousands(self.setup.db_capacity)
                    ),
                    format!(
                        "数据库收到每秒 {} 条请求，而它每秒只能处理 {} 条。",
                        thousands(last.db_load),
                        thousands(self.setup.db_capacity)
                    ),
                ),
                Severity::Error,
            );
        }
        // Orders refused or expired are lost: these two stay broken once broken, counting all of
        // them, and say how many were lost in the last tick.
        let counts = self.last_tick;
        if self.total_rejected > 0 {
            // The total may mix both kinds (the queue can be switched on or off); the tick's own
            // refusals say which kind they are.
            let (en, zh) = match (counts.rejected > 0, self.setup.with_queue) {
                (false, _) => ("", ""),
                (true, true) => (", by the full queue", "，因为队列已满"),
                (true, false) => (
                    ", failed by the overloaded database",
                    "，被过载的数据库拒绝",
                ),
            };
            let detail = Text::new(
                format!(
                    "{} orders refused so far ({} in the last tick{en}).",
                    thousands(self.total_rejected),
                    thousands(counts.rejected)
                ),
                format!(
                    "累计拒绝了 {} 个订单（上一个时间片 {} 个{zh}）。",
                    thousands(self.total_rejected),
                    thousands(counts.rejected)
                ),
            );
            push(NONE_REFUSED, name_of(NONE_REFUSED), detail, Severity::Error);
        }
        if self.total_expired > 0 {
            push(
                NONE_EXPIRED,
                name_of(NONE_EXPIRED),
                Text::new(
                    format!(
                        "{} messages expired unprocessed so far ({} in the last tick).",
                        thousands(self.total_expired),
                        thousands(counts.expired)
                    ),
                    format!(
                        "累计有 {} 条消息未被处理就过期了（上一个时间片 {} 条）。",
                        thousands(self.total_expired),
                        thousands(counts.expired)
                    ),
                ),
                Severity::Error,
            );
        }
        let before = self.backlog_before_last();
        if last.backlog > before {
            push(
                BACKLOG_STEADY,
                name_of(BACKLOG_STEADY),
                Text::new(
                    format!(
                        "The backlog grew from {} to {}.",
                        thousands(before),
                        thousands(last.backlog)
                    ),
                    format!(
                        "消息积压从 {} 条增加到 {} 条。",
                        thousands(before),
                        thousands(last.backlog)
                    ),
                ),
                Severity::Warning,
            );
        }
    }
}

fn name_of(id: &str) -> Text {
    match id {
        DB_OK => Text::new("The database is not overloaded", "数据库没有过载"),
        NONE_REFUSED => Text::new("No message is refused", "没有消息被拒绝"),
        NONE_EXPIRED => Text::new("No message expires unprocessed", "没有消息未处理就过期"),
        _ => Text::new("The backlog is not growing", "消息积压没有在增长"),
    }
}

impl Lab for FlowLab {
    const INFO: LabInfo = LabInfo {
        id: "flow",
        name: StaticText::new("Peak shaving", "削峰"),
        teaches: StaticText::new(
            "A burst of orders goes into a queue and drains at a steady rate: the backlog, the database's load, TTL expiry, a full queue.",
            "一阵突发的订单进入队列，再以稳定的速度消费：积压、数据库负载、TTL 过期、队列写满。",
        ),
        lessons: 3,
        topics: &[
            Topic { seed: 1, section: StaticText::new("Async messages, decoupling, peak shaving", "异步消息、解耦、流量削峰") },
            Topic { seed: 3, section: StaticText::new("What message queues are for", "消息队列的用处") },
            Topic { seed: 3, section: StaticText::new("Backlogs, expiry and full storage", "消息队列延时、失效和存储满") },
        ],
    };
    type Setup = FlowSetup;

    fn build(setup: &FlowSetup, seed: u64) -> Result<World<FlowLab>, Text> {
        FlowLab::world(setup, seed)
    }

    fn check_input(op: &FlowOp) -> Result<(), Text> {
        match *op {
            FlowOp::SetProducerRate { per_second } => crate::kernel::bounds::count(
                ("messages per second", "条每秒的消息"),
                per_second,
                MAX_RATE,
            ),
            FlowOp::SetConsumers { consumers } => crate::kernel::bounds::count(
                ("consumers", "消费者"),
                u64::from(consumers),
                u64::from(MAX_CONSUMERS),
            ),
            FlowOp::Tick | FlowOp::SetQueue { .. } => Ok(()),
        }
    }

    fn invariants() -> Vec<InvariantInfo> {
        [
            (DB_OK, Severity::Error),
            (NONE_REFUSED, Severity::Error),
            (NONE_EXPIRED, Severity::Error),
            (BACKLOG_STEADY, Severity::Warning),
        ]
        .into_iter()
        .map(|(id, severity)| InvariantInfo {
            id,
            name: name_of(id),
            severity,
        })
        .collect()
    }

    fn lessons() -> Vec<Scenario<FlowLab>> {
        scenarios()
    }
}

// ---------------------------------------------------------------------------------------------
// The lessons.

type Step = ScriptStep<FlowOp>;

fn step(op: FlowOp, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Op { op }, en, zh)
}

fn tick(en: &str, zh: &str) -> Step {
    step(FlowOp::Tick, en, zh)
}

fn rate(per_second: u64, en: &str, zh: &str) -> Step {
    step(FlowOp::SetProducerRate { per_second }, en, zh)
}

/// Adds a "predict, then reveal" question to a step: `choices` are (English, Chinese) pairs.
fn ask(step: Step, prompt: (&str, &str), choices: &[(&str, &str)], answer: usize) -> Step {
    step.ask(prompt, choices, answer)
}

fn scenario(
    id: &str,
    title: (&str, &str),
    summary: (&str, &str),
    setup: FlowSetup,
    breaks: &[&str],
    steps: Vec<Step>,
) -> Scenario<FlowLab> {
    Scenario::lesson(id, title, summary, setup, &[], breaks, steps)
}

/// Ticks of half a second (one step each, so that a lesson fits in 30 steps), two consumers of
/// 1,000 messages per second, a database that takes 2,500 per second.
fn burst_setup(with_queue: bool) -> FlowSetup {
    FlowSetup {
        tick_ms: 500,
        consumers: 2,
        consumer_rate: 1000,
        queue_capacity: 0,
        ttl_ms: None,
        db_capacity: 2500,
        with_queue,
    }
}

/// The lessons of this lab, in the order the picker lists them.
pub fn scenarios() -> Vec<Scenario<FlowLab>> {
    alloc::vec![peak_shaving(), no_queue(), backlog_ttl()]
}

fn peak_shaving() -> Scenario<FlowLab> {
    scenario(
        "flow-peak-shaving",
        (
            "A burst of 5,000 messages/s into consumers that drain 2,000/s",
            "每秒 5,000 条的突发流量，消费者每秒只能处理 2,000 条",
        ),
        (
            "A 2-second flash sale sends 5,000 messages/s into the queue, while two consumers process 2,000/s. The backlog peaks at 6,000 messages and drains 4 seconds after the burst; the database never sees more than 2,000 writes/s.",
            "一场 2 秒的秒杀活动每秒向队列发送 5,000 条消息，而两个消费者每秒只处理 2,000 条。消息积压最高达到 6,000 条，突发结束 4 秒后清空；数据库每秒收到的写入从未超过 2,000 条。",
        ),
        burst_setup(true),
        &[],
        alloc::vec![
            rate(500,
                "The order service sends 500 messages/s into the message queue. Two consumers each process 1,000 messages/s and write to a database that takes at most 2,500 writes/s. Each step is half a second: watch the backlog and the database's load.",
                "订单服务每秒向消息队列发送 500 条消息。两个消费者每个每秒处理 1,000 条，并写入一个每秒最多承受 2,500 次写入的数据库。每一步是半秒：请观察消息积压和数据库的负载。"),
            tick(
                "Half a second: 250 messages arrive and the consumers process all 250 at once. The backlog is 0 and the database sees 500 writes/s.",
                "过了半秒：到达 250 条消息，消费者立刻全部处理完。消息积压为 0，数据库每秒收到 500 次写入。"),
            rate(5000,
                "A flash sale starts: the producers now send 5,000 messages/s, twice what the database can take.",
                "秒杀开始：生产者现在每秒发送 5,000 条消息，是数据库承受能力的两倍。"),
            tick(
                "2,500 messages arrive; the consumers take 1,000 (2 × 1,000/s × 0.5 s) and the other 1,500 wait in the queue. Amber warning: the backlog is growing. The database still gets 2,000 writes/s, under its 2,500.",
                "到达 2,500 条消息；消费者取走 1,000 条（2 × 1,000/秒 × 0.5 秒），其余 1,500 条在队列里等待。黄色警告：消息积压在增长。数据库仍然每秒只收到 2,000 次写入，低于它的 2,500。"),
            tick(
                "Another 2,500 arrive and 1,000 are processed: the backlog is 3,000. The consumers set the pace, not the producers.",
                "又到达 2,500 条，处理了 1,000 条：积压达到 3,000 条。节奏由消费者决定，而不是生产者。"),
            tick(
                "The backlog is 4,500, growing by 1,500 every half-second. The database is still at a steady 2,000 writes/s.",
                "积压达到 4,500 条，每半秒增加 1,500 条。数据库仍然稳定在每秒 2,000 次写入。"),
            ask(
                tick(
                    "The burst's last half-second: the backlog peaks at 6,000 messages, 2 s × (5,000 − 2,000)/s, and the database is still at 2,000 writes/s. The queue has absorbed the peak (peak shaving) and turned it into a longer, flat stretch of work.",
                    "突发的最后半秒：积压达到峰值 6,000 条，即 2 秒 × (5,000 − 2,000)/秒，数据库仍然是每秒 2,000 次写入。队列吸收了流量高峰（削峰），把它变成一段更长、更平稳的工作。"),
                ("The burst lasts 2 seconds at 5,000 messages/s, and the consumers drain 2,000/s. How many messages wait in the queue when it ends?", "突发持续 2 秒，每秒 5,000 条，消费者每秒处理 2,000 条。突发结束时，队列里有多少条消息在等待？"),
                &[
                    ("None: the consumers keep up", "0 条：消费者跟得上"),
                    ("3,000", "3,000 条"),
                    ("6,000", "6,000 条"),
                    ("10,000: every message of the burst", "10,000 条：突发的所有消息"),
                ],
                2,
            ),
            rate(500,
                "The sale ends: the producers fall back to 500 messages/s.",
                "秒杀结束：生产者回落到每秒 500 条消息。"),
            ask(
                tick(
                    "250 arrive and 1,000 are processed: the backlog falls by 750 to 5,250. At 1,500 fewer per second, 6,000 messages take 4 seconds to drain: the queue is empty at 6.5 s.",
                    "到达 250 条，处理 1,000 条：积压减少 750 条，降到 5,250 条。每秒净减少 1,500 条，6,000 条需要 4 秒才能消费完：队列在第 6.5 秒清空。"),
                ("Now 500 messages/s come in and 2,000/s go out. When is the queue empty again?", "现在每秒进来 500 条，出去 2,000 条。队列什么时候再次清空？"),
                &[
                    ("At once: the burst is over", "立刻：突发已经结束了"),
                    ("4 seconds after the burst, at 6.5 s", "突发结束 4 秒后，即第 6.5 秒"),
                    ("12 seconds after the burst", "突发结束 12 秒后"),
                    ("Never: the backlog stays", "永远不会：积压会一直留着"),
                ],
                1,
            ),
            tick("The backlog is 4,500: the warning is gone, as the backlog shrinks.", "积压降到 4,500 条：积压在减少，警告消失了。"),
            tick("3,750 messages wait. The database stays at 2,000 writes/s while the consumers catch up.", "还有 3,750 条在等待。消费者追赶进度时，数据库保持每秒 2,000 次写入。"),
            tick("3,000 messages wait.", "还有 3,000 条在等待。"),
            tick("2,250 messages wait.", "还有 2,250 条在等待。"),
            tick("1,500 messages wait.", "还有 1,500 条在等待。"),
            tick("750 messages wait.", "还有 750 条在等待。"),
            tick(
                "At 6.5 s the queue is empty: all 12,250 messages were processed and none was refused, while the database never saw more than 2,000 writes/s. The price is latency: the last order of the burst waited about 4 seconds in the backlog, on the broker's disk.",
                "第 6.5 秒队列清空：全部 12,250 条消息都被处理，没有一条被拒绝，而数据库每秒的写入从未超过 2,000 次。代价是延迟：突发中的最后一个订单在积压中、在 Broker 的磁盘上等了大约 4 秒。"),
        ],
    )
}

fn no_queue() -> Scenario<FlowLab> {
    scenario(
        "flow-no-queue",
        (
            "Without a queue, the burst hits the database at 5,000/s",
            "没有消息队列，突发流量以每秒 5,000 次直接打到数据库",
        ),
        (
            "The same 2-second flash sale, but the order service calls the database directly. The database is offered 5,000 writes/s and can take 2,500: half of the burst, 5,000 orders, fails. With a queue in front, the same burst reaches the database at 2,000/s.",
            "同样一场 2 秒的秒杀，但订单服务直接调用数据库。数据库每秒收到 5,000 次写入，只能承受 2,500 次：突发的一半，即 5,000 个订单失败。在前面加上消息队列后，同样的突发到达数据库时只有每秒 2,000 次。",
        ),
        burst_setup(false),
        &[DB_OK, NONE_REFUSED],
        alloc::vec![
            rate(500,
                "The same flash sale, without a message queue: the order service calls the database directly, and the database takes at most 2,500 writes/s. Each step is half a second.",
                "同样的秒杀，但没有消息队列：订单服务直接调用数据库，数据库每秒最多承受 2,500 次写入。每一步是半秒。"),
            tick(
                "250 calls reach the database in half a second: 500 writes/s, no problem.",
                "半秒内有 250 次调用到达数据库：每秒 500 次写入，毫无问题。"),
            rate(5000,
                "The sale starts: 5,000 requests/s.",
                "秒杀开始：每秒 5,000 个请求。"),
            ask(
                tick(
                    "5,000 calls/s hit the database, which can take 2,500: red, it is overloaded, and 1,250 of this half-second's 2,500 calls fail (red: refused). A real database would slow down for everyone, or fall over.",
                    "每秒 5,000 次调用打到只能承受 2,500 次的数据库上：红色，数据库过载，这半秒的 2,500 次调用中有 1,250 次失败（红色：被拒绝）。真实的数据库会让所有人都变慢，甚至直接宕机。"),
                ("Without a queue, what does the burst do to the database?", "没有队列，这次突发会对数据库造成什么影响？"),
                &[
                    ("It takes all 5,000/s, just a little slower", "它能接住每秒 5,000 次，只是慢一点"),
                    ("It takes 2,500/s and the rest of the calls fail", "它每秒只能处理 2,500 次，其余调用失败"),
                    ("The extra requests wait until it has time", "多出的请求会等到它有空时再处理"),
                ],
                1,
            ),
            tick("Another 1,250 calls fail: 2,500 orders lost so far.", "又有 1,250 次调用失败：目前已丢失 2,500 个订单。"),
            tick("3,750 orders lost so far.", "目前已丢失 3,750 个订单。"),
            tick(
                "The burst's last half-second: 5,000 orders lost in all, half of the burst. Nothing holds the excess: what the database cannot take at once is gone.",
                "突发的最后半秒：总共丢失 5,000 个订单，占突发的一半。没有任何东西能暂存多出的请求：数据库当下接不住的，就没了。"),
            rate(500,
                "The sale ends: 500 requests/s.",
                "秒杀结束：每秒 500 个请求。"),
            tick(
                "The database is back to 500 writes/s and no longer overloaded, but \"No message is refused\" stays red: 5,000 users got an error, and their orders are lost.",
                "数据库回到每秒 500 次写入，不再过载；但“没有消息被拒绝”仍是红色：5,000 个用户收到了错误，他们的订单丢了。"),
            step(FlowOp::SetQueue { with_queue: true },
                "Now put a message queue in front: the producers write to the broker, and two consumers of 1,000 messages/s each write to the database.",
                "现在在前面加上消息队列：生产者写入 Broker，两个各自每秒处理 1,000 条的消费者再写入数据库。"),
            rate(5000,
                "The same burst again: 5,000 requests/s.",
                "再来一次同样的突发：每秒 5,000 个请求。"),
            tick(
                "This time 1,000 are processed and 1,500 wait in the queue; the database gets 2,000 writes/s and nothing fails. That is peak shaving: the queue takes the peak, the database sees a flat line (the lab's first lesson).",
                "这一次处理了 1,000 条，1,500 条在队列里等待；数据库每秒收到 2,000 次写入，没有任何失败。这就是削峰：高峰由队列承接，数据库看到的是一条平线（见本实验的第一课）。"),
        ],
    )
}

fn backlog_ttl() -> Scenario<FlowLab> {
    let mut steps = alloc::vec![
        rate(1000,
            "The producers send 1,000 messages/s, steadily; one consumer processes 500/s. Every message has a time to live (TTL) of 2 seconds: the broker drops messages that have waited longer. Each step is half a second.",
            "生产者稳定地每秒发送 1,000 条消息；一个消费者每秒处理 500 条。每条消息的存活时间（TTL）是 2 秒：等待超过 2 秒的消息会被 Broker 丢弃。每一步是半秒。"),
        tick(
            "500 arrive, 250 are processed: the backlog is 250, and it will grow by 250 every half-second (amber).",
            "到达 500 条，处理 250 条：积压 250 条，并且每半秒增加 250 条（黄色）。"),
    ];
    let growing = [
        ("500", "500"),
        ("750", "750"),
        ("1,000", "1,000"),
        ("1,250", "1,250"),
        ("1,500", "1,500"),
        ("1,750", "1,750"),
        ("2,000", "2,000"),
    ];
    for (en, zh) in growing {
        steps.push(tick(
            &format!(
                "The backlog is {en}. The consumer is always busy, yet it falls further behind."
            ),
            &format!("积压 {zh} 条。消费者一直在忙，却落后得越来越多。"),
        ));
    }
    steps.push(tick(
        "The backlog is 2,250: the oldest messages waiting now arrived more than 2 seconds ago.",
        "积压 2,250 条：队列里最老的消息已经是 2 秒多以前到达的了。",
    ));
    steps.push(ask(
        tick(
            "The broker drops the 250 oldest messages: red, they expired without ever being processed. The backlog stays at 2,250: 500 in, 250 processed, 250 expired. From now on half of all orders are lost this way: with a TTL, a backlog loses data, not just time.",
            "Broker 丢弃了最老的 250 条消息：红色，它们还没被处理就过期了。积压保持在 2,250 条：进来 500 条，处理 250 条，过期 250 条。从此一半的订单都会这样丢失：有了 TTL，消息积压丢掉的就不只是时间，而是数据。",
        ),
        (
            "The oldest 250 messages have now waited longer than their 2-second TTL, and the consumer has not reached them. What happens to them?",
            "最老的 250 条消息已经等待超过了 2 秒的 TTL，消费者还没轮到它们。它们会怎样？",
        ),
        &[
            ("The consumer processes them late", "消费者晚一点处理它们"),
            ("They expire: dropped unprocessed", "它们过期了：未经处理就被丢弃"),
            ("They go back to the producers", "它们被退回给生产者"),
        ],
        1,
    ));
    steps.push(step(
        FlowOp::SetConsumers { consumers: 4 },
        "Three more consumers start: 4 × 500 = 2,000 messages/s, twice the producers' rate and within the database's 2,500 writes/s.",
        "再启动三个消费者：4 × 500 = 每秒 2,000 条，是生产者速率的两倍，也在数据库每秒 2,500 次写入的能力之内。",
    ));
    steps.push(tick(
        "1,000 are processed, yet 250 more expire: they were already past the TTL when this half-second began. The backlog falls to 1,500.",
        "处理了 1,000 条，但又有 250 条过期：这半秒开始时它们就已经超过了 TTL。积压降到 1,500 条。",
    ));
    steps.push(tick(
        "No more expiries: the consumers now reach every message within 2 seconds. The backlog is 1,000.",
        "不再有消息过期：消费者现在能在 2 秒内处理到每一条消息。积压 1,000 条。",
    ));
    steps.push(tick("The backlog is 500.", "积压 500 条。"));
    steps.push(tick(
        "The backlog is empty at 7 s. 500 orders expired in all. Enough consumers (or a longer TTL, or a dead-letter queue for expired messages) would have prevented it; the warning sign was a backlog that grew for 4.5 seconds.",
        "第 7 秒积压清空。总共有 500 个订单过期。足够的消费者（或更长的 TTL，或用死信队列接住过期消息）本可以避免这一切；预警信号就是那段持续增长了 4.5 秒的消息积压。",
    ));
    steps.push(tick(
        "500 in, 500 out: the backlog stays at 0, and the database sees 1,000 writes/s.",
        "进 500 条，出 500 条：积压保持为 0，数据库每秒收到 1,000 次写入。",
    ));
    scenario(
        "flow-backlog-ttl",
        (
            "A growing backlog with a TTL: messages expire before they are processed",
            "消息积压遇上 TTL：消息还没被处理就过期了",
        ),
        (
            "One consumer drains 500 messages/s while 1,000/s arrive, and messages live 2 seconds. The backlog grows until its oldest messages expire: 250 every half-second. Adding three consumers drains it in 2 seconds, after 500 messages have expired.",
            "一个消费者每秒处理 500 条消息，而每秒到达 1,000 条，消息的存活时间是 2 秒。积压不断增长，直到最老的消息开始过期：每半秒 250 条。再加三个消费者后，积压在 2 秒内清空，此前共有 500 条消息过期。",
        ),
        FlowSetup {
            tick_ms: 500,
            consumers: 1,
            consumer_rate: 500,
            queue_capacity: 0,
            ttl_ms: Some(2000),
            db_capacity: 2500,
            with_queue: true,
        },
        &[NONE_EXPIRED],
        steps,
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Action, Event, Model};
    use proptest::prelude::*;

    fn setup() -> FlowSetup {
        FlowSetup {
            tick_ms: 100,
            consumers: 1,
            consumer_rate: 1000,
            queue_capacity: 0,
            ttl_ms: None,
            db_capacity: 1_000_000,
            with_queue: true,
        }
    }

    fn world(setup: FlowSetup) -> World<FlowLab> {
        FlowLab::world(&setup, 1).unwrap()
    }

    fn apply(w: &mut World<FlowLab>, op: FlowOp) -> Vec<Event<(), FlowNote>> {
        let mut out = Vec::new();
        w.apply(&Action::Op { op }, &mut out);
        out
    }

    /// One tick: its exact counts.
    fn tick(w: &mut World<FlowLab>) -> TickCounts {
        apply(w, FlowOp::Tick);
        w.protocol.last_tick
    }

    fn sample(w: &World<FlowLab>) -> Sample {
        *w.protocol.history.last().unwrap()
    }

    fn broken(w: &World<FlowLab>) -> Vec<String> {
        let mut out = Vec::new();
        w.violations(&mut out);
        out.into_iter().map(|v| v.invariant).collect()
    }

    fn conserved(lab: &FlowLab) -> bool {
        lab.total_arrived
            == lab.total_processed + lab.total_expired + lab.total_rejected + lab.backlog
            && lab.backlog == lab.buckets.iter().map(|b| b.count).sum::<u64>()
    }

    #[test]
    fn rates_carry_their_remainders_so_a_second_is_exact() {
        let mut s = setup();
        s.consumer_rate = 7;
        let mut w = world(s);
        apply(&mut w, FlowOp::SetProducerRate { per_second: 333 });
        let counts: Vec<TickCounts> = (0..10).map(|_| tick(&mut w)).collect();
        let arrived: Vec<u64> = counts.iter().map(|c| c.arrived).collect();
        assert_eq!(arrived, [33, 33, 33, 34, 33, 33, 34, 33, 33, 34]);
        assert_eq!(w.protocol.total_arrived, 333);
        // 7 per second at 0.7 per tick: exactly 7 in the first second.
        assert_eq!(w.protocol.total_processed, 7);
        let processed: Vec<u64> = counts.iter().map(|c| c.processed).collect();
        assert_eq!(processed, [0, 1, 1, 0, 1, 1, 0, 1, 1, 1]);
        // The chart's rates are the counts per second, rounded down.
        let rates: Vec<(u64, u64)> = w
            .protocol
            .history
            .iter()
            .map(|s| (s.at, s.arrived))
            .collect();
        assert_eq!(rates[..4], [(100, 330), (200, 330), (300, 330), (400, 340)]);
        for _ in 0..10 {
            tick(&mut w);
        }
        assert_eq!(w.protocol.total_arrived, 666);
        assert_eq!(w.protocol.total_processed, 14);
        assert!(conserved(&w.protocol));
    }

    #[test]
    fn consumers_take_the_oldest_first_and_the_ttl_drops_what_they_do_not_reach() {
        let mut s = setup();
        s.consumers = 0;
        s.ttl_ms = Some(300);
        let mut w = world(s);
        apply(&mut w, FlowOp::SetProducerRate { per_second: 1000 });
        // Ticks starting at 0, 100, 200, 300: ages up to 300 ms, nothing is older than the TTL.
        for _ in 0..4 {
            assert_eq!(tick(&mut w).expired, 0);
        }
        assert_eq!(w.protocol.backlog, 400);
        assert!(broken(&w).contains(&String::from(BACKLOG_STEADY)));
        // At 400 the messages of the tick at 0 are 400 ms old: they expire.
        let c = tick(&mut w);
        assert_eq!((c.expired, w.protocol.backlog), (100, 400));
        assert_eq!(sample(&w).expired, 1000);
        assert_eq!(w.protocol.buckets.front().unwrap().since, 100);
        assert!(broken(&w).contains(&String::from(NONE_EXPIRED)));
        // At 500 the tick of 100 is 400 ms old and expires first; then one consumer of 1,500/s
        // takes 150, oldest first: all 100 of the tick at 200 and 50 of the tick at 300.
        apply(&mut w, FlowOp::SetConsumers { consumers: 1 });
        w.protocol.setup.consumer_rate = 1500;
        let c = tick(&mut w);
        assert_eq!((c.expired, c.processed), (100, 150));
        // Left: 50 of the tick at 300, 100 at 400, 100 at 500.
        let left: Vec<(u64, u64)> = w
            .protocol
            .buckets
            .iter()
            .map(|b| (b.since, b.count))
            .collect();
        assert_eq!(left, [(300, 50), (400, 100), (500, 100)]);
        assert!(conserved(&w.protocol));
        assert_eq!(w.protocol.total_expired, 200);
    }

    #[test]
    fn a_full_queue_refuses_the_excess() {
        let mut s = setup();
        s.queue_capacity = 1000;
        let mut w = world(s);
        apply(&mut w, FlowOp::SetProducerRate { per_second: 5000 });
        let backlogs: Vec<(u64, u64)> = (0..4)
            .map(|_| (tick(&mut w).rejected, w.protocol.backlog))
            .map(|(rejected, backlog)| (backlog, rejected))
            .collect();
        // 500 in, 100 out per tick: 400, 800, then capped at 1,000 (200 and 400 refused).
        assert_eq!(backlogs, [(400, 0), (800, 0), (1000, 200), (1000, 400)]);
        assert_eq!(w.protocol.total_rejected, 600);
        assert!(broken(&w).contains(&String::from(NONE_REFUSED)));
        assert!(!broken(&w).contains(&String::from(BACKLOG_STEADY)));
        assert!(conserved(&w.protocol));
        // The refused ones are this tick's: the oldest still wait.
        assert_eq!(w.protocol.buckets.front().unwrap().since, 0);
    }

    #[test]
    fn without_a_queue_the_database_takes_the_burst_and_fails_the_excess() {
        let mut s = setup();
        s.with_queue = false;
        s.db_capacity = 2500;
        let mut w = world(s);
        apply(&mut w, FlowOp::SetProducerRate { per_second: 2500 });
        let c = tick(&mut w);
        assert_eq!(
            (c.processed, c.rejected, sample(&w).db_load),
            (250, 0, 2500)
        );
        assert!(broken(&w).is_empty());
        apply(&mut w, FlowOp::SetProducerRate { per_second: 5000 });
        let c = tick(&mut w);
        assert_eq!((c.arrived, c.processed, c.rejected), (500, 250, 250));
        let s = sample(&w);
        assert_eq!(
            (s.arrived, s.processed, s.rejected, s.db_load, s.backlog),
            (5000, 2500, 2500, 5000, 0)
        );
        assert_eq!(broken(&w), [DB_OK, NONE_REFUSED]);
        assert!(conserved(&w.protocol));
    }

    #[test]
    fn consumers_faster_than_the_database_overload_it() {
        let mut s = setup();
        s.consumers = 3;
        s.db_capacity = 2500;
        let mut w = world(s);
        apply(&mut w, FlowOp::SetProducerRate { per_second: 5000 });
        assert_eq!(tick(&mut w).processed, 300);
        assert_eq!((sample(&w).processed, sample(&w).db_load), (3000, 3000));
        assert_eq!(broken(&w), [DB_OK, BACKLOG_STEADY]);
    }

    #[test]
    fn the_queue_can_be_switched_off_only_when_it_is_empty() {
        let mut w = world(setup());
        apply(&mut w, FlowOp::SetProducerRate { per_second: 2000 });
        tick(&mut w);
        let events = apply(&mut w, FlowOp::SetQueue { with_queue: false });
        assert!(matches!(events[..], [Event::Skipped { .. }]));
        assert!(w.protocol.setup.with_queue);
        apply(&mut w, FlowOp::SetProducerRate { per_second: 0 });
        tick(&mut w);
        let events = apply(&mut w, FlowOp::SetQueue { with_queue: false });
        assert_eq!(
            events,
            [Event::Note {
                note: FlowNote::QueueSet { with_queue: false }
            }]
        );
    }

    #[test]
    fn ops_and_notes_are_externally_tagged_in_snake_case() {
        assert_eq!(serde_json::to_string(&FlowOp::Tick).unwrap(), r#""tick""#);
        assert_eq!(
            serde_json::to_string(&FlowOp::SetProducerRate { per_second: 5 }).unwrap(),
            r#"{"set_producer_rate":{"per_second":5}}"#
        );
        let op: FlowOp = serde_json::from_str(r#"{"set_queue":{"with_queue":true}}"#).unwrap();
        assert_eq!(op, FlowOp::SetQueue { with_queue: true });
        assert_eq!(
            serde_json::to_string(&FlowNote::ConsumersSet { consumers: 2 }).unwrap(),
            r#"{"consumers_set":{"consumers":2}}"#
        );
    }

    #[test]
    fn invalid_setups_are_refused() {
        let mut s = setup();
        s.tick_ms = 0;
        assert!(FlowLab::world(&s, 1).is_err());
        let mut s = setup();
        s.consumer_rate = MAX_RATE + 1;
        assert!(FlowLab::world(&s, 1).is_err());
    }

    fn played(id: &str) -> FlowLab {
        let s = scenarios().into_iter().find(|s| s.id == id).unwrap();
        s.play(&[]).unwrap().run.last().protocol.clone()
    }

    #[test]
    fn the_lessons_show_the_numbers_their_narration_states() {
        let lab = played("flow-peak-shaving");
        let h = &lab.history;
        let peak = h.iter().max_by_key(|s| s.backlog).unwrap();
        assert_eq!((peak.backlog, peak.at), (6000, 2500));
        assert!(h.iter().all(|s| s.db_load <= 2000 && s.rejected == 0));
        let drained = h.iter().find(|s| s.at > 2500 && s.backlog == 0).unwrap();
        assert_eq!(drained.at, 6500);
        assert_eq!((lab.total_processed, lab.total_arrived), (12_250, 12_250));

        let lab = played("flow-no-queue");
        let h = &lab.history;
        assert_eq!(lab.total_rejected, 5000);
        assert_eq!(h[1].rejected, 2500);
        assert_eq!(h.iter().map(|s| s.db_load).max(), Some(5000));
        let last = h.last().unwrap();
        assert_eq!(
            (last.processed, last.backlog, last.db_load),
            (2000, 1500, 2000)
        );

        let lab = played("flow-backlog-ttl");
        let h = &lab.history;
        let first = h.iter().find(|s| s.expired > 0).unwrap();
        assert_eq!((first.at, first.expired, first.backlog), (5000, 500, 2250));
        assert_eq!(lab.total_expired, 500);
        let drained = h.iter().find(|s| s.at > 5000 && s.backlog == 0).unwrap();
        assert_eq!(drained.at, 7000);
        assert!(h.iter().all(|s| s.db_load <= 2000));
    }

    #[test]
    fn lessons_are_valid_short_and_ask_a_question() {
        for s in scenarios() {
            s.validate().unwrap();
            assert!((8..=30).contains(&s.steps.len()), "{}", s.id);
            assert!(s.steps.iter().any(|st| st.question.is_some()), "{}", s.id);
            assert!(s.id.starts_with("flow-"));
        }
    }

    #[test]
    fn lessons_are_deterministic() {
        for s in scenarios() {
            let a = s.play(&[]).unwrap().golden();
            let b = s.play(&[]).unwrap().golden();
            assert_eq!(a, b, "{}", s.id);
            assert_eq!(a.lines().count(), s.steps.len());
        }
    }

    fn op_strategy() -> impl Strategy<Value = FlowOp> {
        prop_oneof![
            4 => Just(FlowOp::Tick),
            1 => (0u64..20_000).prop_map(|per_second| FlowOp::SetProducerRate { per_second }),
            1 => (0u32..6).prop_map(|consumers| FlowOp::SetConsumers { consumers }),
            1 => any::<bool>().prop_map(|with_queue| FlowOp::SetQueue { with_queue }),
        ]
    }

    proptest! {
        /// Every message that arrived is processed, expired, rejected (refused by the full queue or
        /// failed by the overloaded database without a queue) or still waiting, after every step,
        /// and the ticks' exact counts add up to the totals.
        #[test]
        fn messages_are_conserved(
            tick_ms in 1u64..1500,
            consumer_rate in 0u64..3000,
            queue_capacity in 0u64..5000,
            ttl_ms in proptest::option::of(0u64..3000),
            db_capacity in 0u64..10_000,
            ops in prop::collection::vec(op_strategy(), 1..80),
        ) {
            let mut w = world(FlowSetup {
                tick_ms,
                consumers: 1,
                consumer_rate,
                queue_capacity,
                ttl_ms,
                db_capacity,
                with_queue: true,
            });
            let mut sums = TickCounts::default();
            for op in ops {
                let ticked = op == FlowOp::Tick;
                apply(&mut w, op);
                let lab = &w.protocol;
                if ticked {
                    let c = lab.last_tick;
                    sums.arrived += c.arrived;
                    sums.processed += c.processed;
                    sums.expired += c.expired;
                    sums.rejected += c.rejected;
                }
                prop_assert!(conserved(lab));
                prop_assert!(lab.setup.queue_capacity == 0 || lab.backlog <= lab.setup.queue_capacity);
            }
            let lab = &w.protocol;
            let h = &lab.history;
            prop_assert_eq!(sums.arrived, lab.total_arrived);
            prop_assert_eq!(sums.processed, lab.total_processed);
            prop_assert_eq!(sums.expired, lab.total_expired);
            prop_assert_eq!(sums.rejected, lab.total_rejected);
            prop_assert!(h.windows(2).all(|p| p[1].at == p[0].at + tick_ms));
        }
    }

    #[test]
    fn lost_orders_keep_their_invariants_red_from_the_first_loss_on() {
        use crate::scenario::Lab;
        for (id, invariant) in [
            ("flow-backlog-ttl", NONE_EXPIRED),
            ("flow-no-queue", NONE_REFUSED),
        ] {
            let lesson = FlowLab::lessons().into_iter().find(|s| s.id == id).unwrap();
            let run = lesson.play(&[]).unwrap().run;
            let first = (1..=run.len())
                .find(|&k| {
                    run.violations_at(k)
                        .iter()
                        .any(|v| v.violation.invariant == invariant)
                })
                .unwrap_or_else(|| panic!("{id} loses orders"));
            // From the first loss to the end, the invariant stays broken and points at that step,
            // though the lesson ends with nothing lost any more in its last ticks.
            for k in first..=run.len() {
                let v = run
                    .violations_at(k)
                    .iter()
                    .find(|v| v.violation.invariant == invariant);
                assert_eq!(v.map(|v| v.since), Some(first), "{id}, step {k}");
            }
            assert_eq!(
                run.last().protocol.last_tick.expired + run.last().protocol.last_tick.rejected,
                0
            );
        }
    }

    #[test]
    fn the_backlog_invariant_holds_while_the_backlog_does_not_grow() {
        let mut w = world(setup());
        apply(&mut w, FlowOp::SetProducerRate { per_second: 100 });
        tick(&mut w);
        assert!(!broken(&w).contains(&String::from(BACKLOG_STEADY)));
        assert_eq!(name_of(BACKLOG_STEADY).en, "The backlog is not growing");
    }
}
