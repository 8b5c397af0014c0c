//! The built-in lessons of the IDs lab (seed 004, section 六 "分布式 ID"): a snowflake clock
//! stepped back with each guard, two servers given one worker id, 4,097 ids in one millisecond,
//! worker ids from a registry, a single auto-increment database, step and offset across three
//! databases and a fourth, Leaf-segment riding out a database outage, Redis `INCR` after a restart
//! without AOF, and UUID v4 against v7 in an index. The lab's clock starts at 09:00:00.000 Beijing
//! time on 2026-11-28; every link takes 1 ms. The numbers in the narration are the ones the run
//! produces, pinned by the golden traces.

use alloc::format;
use alloc::vec;
use alloc::vec::Vec;

use super::lab::{DbSettings, IdsLab, IdsOp, IdsSetup, LayoutName, Scheme, WorkerIds};
use super::lab::{MONOTONIC, UNIQUE};
use super::redis::{Persistence, SavePoint};
use super::snowflake::Guard;
use crate::kernel::{Fault, FaultKind, NodeId, Time};
use crate::scenario::{Directive, Scenario, ScriptStep};

type Step = ScriptStep<IdsOp>;

const APP1: NodeId = 0;
const APP2: NodeId = 1;

fn next(en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Next, en, zh)
}

fn mint(server: NodeId, count: u32, en: &str, zh: &str) -> Step {
    let server = usize::from(server);
    ScriptStep::new(
        Directive::Op {
            op: IdsOp::Mint { server, count },
        },
        en,
        zh,
    )
}

fn op(op: IdsOp, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Op { op }, en, zh)
}

fn wait(ms: Time, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Wait { ms }, en, zh)
}

fn fault(fault: Fault, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Fault { fault }, en, zh)
}

fn jump(node: NodeId, delta_ms: i64, en: &str, zh: &str) -> Step {
    fault(Fault::ClockJump { node, delta_ms }, en, zh)
}

fn crash(node: NodeId, en: &str, zh: &str) -> Step {
    fault(Fault::Crash { node }, en, zh)
}

fn restart(node: NodeId, en: &str, zh: &str) -> Step {
    fault(Fault::Restart { node }, en, zh)
}

fn snowflake(guard: Guard, servers: usize) -> IdsSetup {
    IdsSetup::new(
        Scheme::Snowflake {
            layout: LayoutName::Twitter,
            guard,
            workers: WorkerIds::Static,
        },
        servers,
    )
}

/// Every lesson, in the order the page lists them.
pub fn lessons() -> Vec<Scenario<IdsLab>> {
    vec![
        clock_back(),
        guard_refuse(),
        guard_leaf(),
        same_worker(),
        sequence_full(),
        registry(),
        autoinc_single(),
        autoinc_step(),
        segment_outage(),
        redis_restart(),
        uuid_index(),
    ]
}

const CLOCK_FAULTS: &[FaultKind] = &[FaultKind::ClockJump, FaultKind::Crash, FaultKind::Restart];

/// The first steps of the three clock lessons: two ids at 09:00:00.000, two at .010, and NTP
/// steps the clock back 5 ms.
fn clock_intro(guard_en: &str, guard_zh: &str) -> Vec<Step> {
    vec![
        mint(APP1, 2,
            &format!("app1 is a snowflake server: datacenter 1, worker 1, {guard_en}. At 09:00:00.000 it is asked for two ids: sequence 0 and 1 of that millisecond. Look at the 64 bits: 41 of time, 5 + 5 of machine, 12 of sequence."),
            &format!("app1 是一台 snowflake 服务：数据中心 1，worker 1，{guard_zh}。09:00:00.000 它收到两次取号请求：这一毫秒的序列号 0 和 1。看这 64 位：41 位时间、5 + 5 位机器、12 位序列号。")),
        wait(10, "10 ms pass.", "过了 10 毫秒。"),
        mint(APP1, 2,
            "At 09:00:00.010, two more ids: sequence 0 and 1 of millisecond .010. Every id so far is larger than the one before.",
            "09:00:00.010，又生成两个 ID：毫秒 .010 的序列号 0 和 1。到目前为止，每个 ID 都比前一个大。"),
        jump(APP1, -5,
            "NTP finds app1's clock 5 ms fast and steps it back: app1's clock now reads 09:00:00.005, earlier than the time in its last id. (ntpd steps a clock when it is off by more than 128 ms and slews it below that; a VM resumed from a snapshot, or a hand-set clock, steps at once. 5 ms stands for any step back.)",
            "NTP 发现 app1 的时钟快了 5 毫秒，把它往回拨：app1 的时钟现在显示 09:00:00.005，比它上一个 ID 里的时间还早。（ntpd 在偏差超过 128 毫秒时直接跳变时钟，低于它时缓慢校正；从快照恢复的虚拟机、手工改时间都会直接跳变。这里的 5 毫秒代表任何一次回拨。）"),
    ]
}

fn clock_back() -> Scenario<IdsLab> {
    let mut steps = clock_intro(
        "with no guard against a clock moving back",
        "没有防时钟回拨的保护",
    );
    steps.extend([
        mint(APP1, 2,
            "Asked for two ids at .005, app1 sees a new millisecond, starts the sequence at 0 and mints: ids smaller than the one before. Red: app1's ids no longer increase.",
            "在 .005 收到两次请求，app1 认为这是一个新的毫秒，序列号从 0 开始生成：ID 比前一个还小。红色：app1 的 ID 不再递增。"),
        wait(5, "5 ms pass: app1's clock reads 09:00:00.010 again.", "过了 5 毫秒：app1 的时钟再次显示 09:00:00.010。")
            ,
        mint(APP1, 2,
            "Millisecond .010 again, sequence 0 and 1 again: the same two ids app1 handed out 5 ms of real time ago. Two orders now share a primary key; the second INSERT fails, or worse, overwrites. Nothing in the id says which came first.",
            "又是毫秒 .010，又是序列号 0 和 1：正是 app1 在真实时间 5 毫秒前发过的那两个 ID。两个订单共用一个主键：第二次 INSERT 失败，更糟的是覆盖了前一条。ID 本身看不出谁先谁后。")
            .ask(
                ("5 ms later app1's clock reads .010 again, and it is asked for two ids. What does it hand out?", "5 毫秒后 app1 的时钟又到了 .010，它又收到两次取号请求。它会发出什么？"),
                &[
                    ("Two new ids: its sequence keeps counting", "两个新 ID：序列号会接着往上数"),
                    ("The two ids it minted at .010 before: duplicates", "它之前在 .010 发过的两个 ID：重复了"),
                    ("Nothing: it notices the clock went back", "什么也不发：它发现了时钟回拨"),
                ],
                1,
            ),
        wait(1, "1 ms later: 09:00:00.011.", "1 毫秒后：09:00:00.011。"),
        mint(APP1, 2,
            "From .011 on the ids are new again. The damage is every id of the 5 ms that were lived twice: the bigger the step back and the busier the server, the more duplicates.",
            "从 .011 起 ID 又是新的了。损失是被重复经历的那 5 毫秒里的每一个 ID：回拨越多、服务越忙，重复就越多。"),
    ]);
    Scenario::lesson(
        "ids-snowflake-clock-back",
        ("Snowflake: the clock steps back 5 ms, and ids repeat", "雪花算法：时钟回拨 5 毫秒，ID 重复了"),
        ("A snowflake id is time + machine + sequence. When NTP steps the clock back, a generator with no guard mints the same milliseconds again, with the same sequence numbers: duplicate ids.",
         "雪花 ID = 时间 + 机器 + 序列号。NTP 把时钟往回拨时，没有保护的生成器会再次经过同样的毫秒，用同样的序列号：ID 重复。"),
        snowflake(Guard::None, 1),
        CLOCK_FAULTS,
        &[UNIQUE, MONOTONIC],
        steps,
    )
}

fn guard_refuse() -> Scenario<IdsLab> {
    let mut steps = clock_intro(
        "with Twitter's guard: refuse while the clock is behind",
        "带 Twitter 的保护：时钟落后时拒绝服务",
    );
    steps.extend([
        mint(APP1, 2,
            "app1 compares its clock with the time of its last id, .010: 5 ms behind. It throws \"Clock moved backwards. Refusing to generate id for 5 milliseconds\" (Twitter's IdWorker), and both requests fail. No duplicate, but for 5 ms this server mints nothing.",
            "app1 把时钟和上一个 ID 的时间 .010 比较：落后 5 毫秒。它抛出 \"Clock moved backwards. Refusing to generate id for 5 milliseconds\"（Twitter 的 IdWorker），两次请求都失败了。没有重复，但这 5 毫秒里这台服务发不出任何 ID。")
            .ask(
                ("app1 now refuses while its clock is behind the time of its last id. Asked for two ids at .005, what does it do?", "现在 app1 在时钟落后于上一个 ID 的时间时拒绝服务。在 .005 收到两次请求，它会怎样？"),
                &[
                    ("Mints them in millisecond .005", "在毫秒 .005 生成它们"),
                    ("Refuses both with an error", "两次都报错拒绝"),
                    ("Mints them in millisecond .010, after its last id", "在毫秒 .010、接着上一个 ID 生成"),
                ],
                1,
            ),
        wait(5, "5 ms pass: app1's clock reads .010 again.", "过了 5 毫秒：app1 的时钟又到了 .010。"),
        mint(APP1, 2,
            "The clock has caught up with the last id's millisecond, so app1 mints again: sequence 2 and 3 of .010, after the 0 and 1 it used before. Unique and increasing, at the price of an outage as long as the step back; a step of minutes would be minutes of errors.",
            "时钟追上了上一个 ID 的毫秒，app1 恢复生成：毫秒 .010 的序列号 2 和 3，接在之前用过的 0 和 1 后面。唯一且递增，代价是一段与回拨时长相同的停服；回拨几分钟，就报错几分钟。"),
        jump(APP1, -2_000,
            "A step back of 2 s: app1 will refuse every request for 2 s. Twitter's README says to run NTP so that it never steps the clock back, only slews it.",
            "回拨 2 秒：app1 会在这 2 秒内拒绝每一个请求。Twitter 的 README 要求 NTP 只能缓慢校正时钟，不能往回跳。"),
        mint(APP1, 1,
            "Refused: \"Refusing to generate id for 2,000 milliseconds\". Safe ids, and a 2-second outage of every caller that needs one.",
            "被拒绝：\"Refusing to generate id for 2,000 milliseconds\"。ID 是安全的，但所有需要 ID 的调用方都要停 2 秒。"),
    ]);
    Scenario::lesson(
        "ids-snowflake-guard-refuse",
        ("Snowflake with Twitter's guard: refuse until the clock catches up", "带 Twitter 保护的雪花算法：拒绝服务直到时钟追上"),
        ("The same 5 ms step back, now with the guard of Twitter's original snowflake: the server refuses to mint while its clock is behind its last id. No duplicates; an outage instead.",
         "同样回拨 5 毫秒，这次带着 Twitter 原版 snowflake 的保护：时钟落后于上一个 ID 时拒绝生成。不会重复，代价是停服。"),
        snowflake(Guard::Refuse, 1),
        CLOCK_FAULTS,
        &[],
        steps,
    )
}

fn guard_leaf() -> Scenario<IdsLab> {
    let mut steps = clock_intro(
        "with Meituan Leaf's guard: wait out a step back of up to 5 ms",
        "带美团 Leaf 的保护：5 毫秒以内的回拨就等过去",
    );
    steps.extend([
        mint(APP1, 2,
            "5 ms behind is within Leaf's limit, so app1 waits twice the offset, 10 ms, and reads its clock again (SnowflakeIDGenImpl: wait(offset << 1)). The two requests wait.",
            "落后 5 毫秒在 Leaf 的容忍范围内，app1 等待两倍的偏差，即 10 毫秒，再读一次时钟（SnowflakeIDGenImpl：wait(offset << 1)）。两次请求在等待。")
            .ask(
                ("Leaf waits when the clock is at most 5 ms behind. What happens to the two requests?", "Leaf 在时钟落后不超过 5 毫秒时会等待。这两次请求会怎样？"),
                &[
                    ("They fail at once", "立即失败"),
                    ("They wait 10 ms and then get ids", "等 10 毫秒后拿到 ID"),
                    ("They get ids from millisecond .005 at once", "立即拿到毫秒 .005 的 ID"),
                ],
                1,
            ),
        next(
            "10 ms later the clock reads .015, past the last id: app1 mints sequence 0 and 1 of .015. The callers waited 10 ms; no duplicate, no error.",
            "10 毫秒后时钟到了 .015，已经超过上一个 ID：app1 生成毫秒 .015 的序列号 0 和 1。调用方等了 10 毫秒；没有重复，也没有报错。"),
        jump(APP1, -50,
            "Now the clock steps back 50 ms, to 08:59:59.965.",
            "现在时钟回拨 50 毫秒，到 08:59:59.965。"),
        mint(APP1, 1,
            "50 ms is more than Leaf waits for: the request fails at once with Leaf's error -3 and an alarm, as in Twitter's guard. Leaf also checks the clock when a server starts, against the time it last reported to ZooKeeper (the registry lesson).",
            "50 毫秒超过了 Leaf 愿意等待的范围：请求立即以 Leaf 的错误码 -3 失败并报警，和 Twitter 的保护一样。Leaf 还会在服务启动时，把时钟和上次上报到 ZooKeeper 的时间比较（见注册中心那节课）。"),
    ]);
    Scenario::lesson(
        "ids-snowflake-guard-leaf",
        ("Snowflake with Leaf's guard: wait out a small step back", "带 Leaf 保护的雪花算法：小幅回拨就等过去"),
        ("Meituan Leaf waits when the clock is at most 5 ms behind (twice the offset, then reads it again) and refuses when it is further behind.",
         "美团 Leaf 在时钟落后不超过 5 毫秒时等待（等两倍的偏差再读一次时钟），落后更多就拒绝服务。"),
        snowflake(Guard::LEAF, 1),
        CLOCK_FAULTS,
        &[],
        steps,
    )
}

fn same_worker() -> Scenario<IdsLab> {
    let mut setup = snowflake(Guard::Refuse, 2);
    setup.servers[1].worker = 1;
    Scenario::lesson(
        "ids-snowflake-same-worker",
        ("Snowflake: two servers configured with the same worker id", "雪花算法：两台服务配置了同一个 worker ID"),
        ("The 10 machine bits are what keep two servers apart. Copy one server's configuration to a second and forget to change the worker id: in every millisecond both mint the same sequence numbers, so the same ids.",
         "10 位机器号是区分两台服务的唯一依据。把一台服务的配置复制给第二台，却忘了改 worker ID：每一毫秒两台都生成同样的序列号，也就是同样的 ID。"),
        setup,
        CLOCK_FAULTS,
        &[UNIQUE],
        vec![
            mint(APP1, 3,
                "app1 (datacenter 1, worker 1) mints three ids at 09:00:00.000: sequence 0, 1, 2.",
                "app1（数据中心 1，worker 1）在 09:00:00.000 生成三个 ID：序列号 0、1、2。"),
            mint(APP2, 1,
                "app2 was deployed from a copy of app1's configuration: datacenter 1, worker 1 as well. Both clocks are right. Within the same millisecond app2 mints its first id.",
                "app2 用 app1 的配置副本部署：同样是数据中心 1、worker 1。两台的时钟都是准的。在同一毫秒里，app2 生成了它的第一个 ID。")
                .ask(
                    ("app2 has the same datacenter and worker id as app1, and its clock is right. Its first id in millisecond .000 is…", "app2 的数据中心和 worker ID 与 app1 相同，时钟也准。它在毫秒 .000 的第一个 ID 是……"),
                    &[
                        ("New: app2's sequence is its own", "新的：app2 有自己的序列号"),
                        ("The same as app1's first id", "和 app1 的第一个 ID 相同"),
                        ("Refused: the guard sees the clash", "被拒绝：保护机制会发现冲突"),
                    ],
                    1,
                ),
            mint(APP2, 2,
                "Two more: sequence 1 and 2, the same ids app1 minted. Each server's own ids still increase and no clock moved, so no guard can see it: only the ids seen together show the duplicates.",
                "又生成两个：序列号 1 和 2，与 app1 生成的 ID 相同。每台服务自己的 ID 仍然递增，时钟也没有回拨，所以任何保护都发现不了：只有把所有 ID 放在一起才能看出重复。"),
            wait(1, "1 ms later.", "1 毫秒后。"),
            mint(APP1, 2,
                "At .001 app1 mints two ids, sequence 0 and 1.",
                "在 .001，app1 生成两个 ID，序列号 0 和 1。"),
            mint(APP2, 1,
                "app2 mints one in the same millisecond: sequence 0, app1's id again. Every millisecond in which both mint repeats the first ids of that millisecond.",
                "app2 在同一毫秒生成一个：序列号 0，又是 app1 的 ID。两台都发号的每一毫秒，开头的 ID 都会重复。"),
            wait(1, "1 ms later.", "1 毫秒后。"),
            mint(APP2, 1,
                "In a millisecond where only app2 mints, its id is unique, by luck. Worker ids need an authority that hands each out once: the registry lesson shows Leaf's, ZooKeeper's sequential nodes.",
                "在只有 app2 生成 ID 的毫秒里，它的 ID 是唯一的，只是运气好。worker ID 需要一个只发一次的权威来源：注册中心那节课展示 Leaf 的做法，ZooKeeper 的顺序节点。"),
        ],
    )
}

fn sequence_full() -> Scenario<IdsLab> {
    Scenario::lesson(
        "ids-snowflake-sequence-full",
        ("Snowflake: 4,097 ids in one millisecond", "雪花算法：一毫秒内要 4,097 个 ID"),
        ("12 bits of sequence give 4,096 ids per millisecond per worker, 4,096,000 a second. The 4,097th request of a millisecond waits for the next millisecond.",
         "12 位序列号意味着每个 worker 每毫秒 4,096 个 ID，每秒 4,096,000 个。一毫秒内的第 4,097 次请求要等到下一毫秒。"),
        snowflake(Guard::Refuse, 1),
        CLOCK_FAULTS,
        &[],
        vec![
            mint(APP1, 1000,
                "A flash sale: at 09:00:00.000 app1 is asked for 1,000 ids, sequence 0 to 999. The chart counts ids per millisecond against the 4,096 that 12 bits of sequence hold.",
                "秒杀开始：09:00:00.000，app1 收到 1,000 次取号请求，序列号 0 到 999。图表统计每毫秒的 ID 数，对照 12 位序列号能容纳的 4,096。"),
            wait(1, "1 ms later: 09:00:00.001.", "1 毫秒后：09:00:00.001。"),
            mint(APP1, 4096,
                "4,096 requests in this millisecond: sequence 0 to 4,095, every value of the 12 bits. Nobody waits.",
                "这一毫秒有 4,096 次请求：序列号 0 到 4,095，用满了 12 位的每一个值。没有人需要等待。"),
            wait(1, "1 ms later: 09:00:00.002.", "1 毫秒后：09:00:00.002。"),
            mint(APP1, 4097,
                "4,097 requests arrive at once. Sequence 0 to 4,095 fill the 12 bits; the 4,097th finds the sequence used up, and app1 spins on its clock until the next millisecond (Twitter's tilNextMillis).",
                "4,097 个请求同时到达。序列号 0 到 4,095 填满了 12 位；第 4,097 个发现序列号用完了，app1 空转等待时钟走到下一毫秒（Twitter 的 tilNextMillis）。")
                .ask(
                    ("12 bits of sequence hold 0 to 4,095. What happens to the 4,097th request of the millisecond?", "12 位序列号能表示 0 到 4,095。这一毫秒的第 4,097 个请求会怎样？"),
                    &[
                        ("It fails: the sequence overflowed", "失败：序列号溢出了"),
                        ("It waits for the next millisecond and gets sequence 0", "等到下一毫秒，拿到序列号 0"),
                        ("The sequence wraps to 0 in the same millisecond: a duplicate", "序列号在同一毫秒内回到 0：重复"),
                    ],
                    1,
                ),
            next(
                "At .003 the last request gets sequence 0 of the new millisecond; it waited under a millisecond.",
                "到 .003，最后一个请求拿到新毫秒的序列号 0；它等了不到一毫秒。"),
            mint(APP1, 5000,
                "5,000 more requests at .003: sequence 1 to 4,095 of .003, then the rest wait for .004.",
                "在 .003 又来 5,000 次请求：先用掉 .003 的序列号 1 到 4,095，其余的等到 .004。"),
            next(
                "At .004 the last 905 get sequence 0 to 904. However the requests bunch up, one worker never mints more than 4,096 ids in a millisecond: 4,096,000 a second is its design limit. More needs more workers, or fewer sequence bits traded for more machine bits.",
                "到 .004，最后 905 个拿到序列号 0 到 904。不管请求如何扎堆，一个 worker 每毫秒最多 4,096 个 ID：每秒 4,096,000 个就是设计上限。要更多，就得加 worker，或者用更少的序列号位换更多的机器位。"),
            wait(6, "Later, at .010.", "稍后，在 .010。"),
            mint(APP1, 10,
                "A normal millisecond: 10 ids, sequence 0 to 9. (Leaf starts each millisecond's sequence at a random 0 to 99, so that ids modulo a small number spread evenly; this lab starts at 0, as Twitter does.)",
                "一个普通的毫秒：10 个 ID，序列号 0 到 9。（Leaf 每毫秒的序列号从 0 到 99 之间的随机数开始，让 ID 对小数取模时分布均匀；本实验和 Twitter 一样从 0 开始。）"),
        ],
    )
}

fn registry() -> Scenario<IdsLab> {
    let mut setup = IdsSetup::new(
        Scheme::Snowflake {
            layout: LayoutName::Leaf,
            guard: Guard::LEAF,
            workers: WorkerIds::Registry,
        },
        3,
    );
    setup.link.latency_min = 1;
    let zk: NodeId = 3;
    let start = |server: usize, en: &str, zh: &str| op(IdsOp::Start { server }, en, zh);
    Scenario::lesson(
        "ids-snowflake-registry",
        ("Leaf-snowflake: worker ids from ZooKeeper", "Leaf-snowflake：从 ZooKeeper 获取 worker ID"),
        ("Each server creates a persistent sequential node in ZooKeeper and takes its number as worker id; it keeps the number in a local file for when ZooKeeper is down, and reports its clock every 3 s so that a restart with a clock behind is refused.",
         "每台服务在 ZooKeeper 中创建一个持久顺序节点，用它的序号作 worker ID；把这个号缓存在本地文件里，以防 ZooKeeper 宕机；每 3 秒上报一次时钟，这样时钟回拨后重启会被拒绝。"),
        setup,
        &[FaultKind::Crash, FaultKind::Restart, FaultKind::ClockJump, FaultKind::Partition, FaultKind::Heal],
        &[],
        vec![
            start(0,
                "app1 starts and asks ZooKeeper for its worker id: it looks for its node under /snowflake/leaf/forever.",
                "app1 启动，向 ZooKeeper 请求 worker ID：在 /snowflake/leaf/forever 下查找自己的节点。"),
            next(
                "No node for app1's address yet, so ZooKeeper creates a persistent sequential node for it: app1-0000000000. Sequence 0 is app1's worker id.",
                "还没有 app1 地址的节点，ZooKeeper 为它创建一个持久顺序节点：app1-0000000000。序号 0 就是 app1 的 worker ID。"),
            next(
                "app1 takes worker id 0, writes it to its local cache file, and starts serving.",
                "app1 拿到 worker ID 0，写入本地缓存文件，开始提供服务。"),
            start(1, "app2 starts.", "app2 启动。"),
            next("ZooKeeper creates app2-0000000001.", "ZooKeeper 创建 app2-0000000001。"),
            next(
                "app2 gets worker id 1: no two servers can get the same number, because ZooKeeper hands out each sequence number once.",
                "app2 拿到 worker ID 1：ZooKeeper 的每个顺序号只发一次，两台服务不可能拿到同一个号。"),
            mint(0, 2, "app1 mints two ids with worker 0.", "app1 用 worker 0 生成两个 ID。"),
            mint(1, 2,
                "app2 mints two ids with worker 1, in the same millisecond, with the same sequence numbers: different ids, because the worker field differs.",
                "app2 在同一毫秒、用同样的序列号生成两个 ID，用的是 worker 1：ID 不同，因为 worker 字段不同。"),
            crash(APP1, "app1 crashes.", "app1 宕机了。"),
            restart(APP1, "app1 restarts and asks ZooKeeper again.", "app1 重启，再次询问 ZooKeeper。"),
            next(
                "ZooKeeper already has a node for app1's address, and the time app1 last reported is not ahead of app1's clock: app1 gets its own node back.",
                "ZooKeeper 里已经有 app1 地址的节点，且 app1 上次上报的时间没有超过它现在的时钟：app1 拿回自己的节点。")
                .ask(
                    ("app1 restarts. Which worker id does it get?", "app1 重启了。它会拿到哪个 worker ID？"),
                    &[
                        ("0 again: its node is persistent and found by its address", "还是 0：它的节点是持久的，按地址就能找到"),
                        ("2: a new sequential node", "2：一个新的顺序节点"),
                        ("None until an operator assigns one", "没有，直到运维手工分配"),
                    ],
                    0,
                ),
            next("app1 serves again with worker id 0.", "app1 再次以 worker ID 0 提供服务。"),
            wait(3_000, "3 s pass.", "过了 3 秒。"),
            next(
                "Every 3 s each registered server writes its clock into its node (Leaf's ScheduledUploadData): app2's timer fires first.",
                "每台注册过的服务每 3 秒把自己的时钟写进自己的节点（Leaf 的 ScheduledUploadData）：app2 的定时器先触发。"),
            next("app1's timer fires.", "app1 的定时器触发。"),
            next("ZooKeeper records app2's clock.", "ZooKeeper 记下 app2 的时钟。"),
            next("ZooKeeper records app1's clock: 09:00:03.", "ZooKeeper 记下 app1 的时钟：09:00:03。"),
            jump(APP1, -10_000,
                "A bad NTP server steps app1's clock back 10 s, to 08:59:53.",
                "一台出错的 NTP 服务器把 app1 的时钟往回拨了 10 秒，到 08:59:53。"),
            crash(APP1, "app1 crashes before it mints again.", "app1 在再次发号前宕机了。"),
            restart(APP1,
                "app1 restarts. Its generator's memory of the last millisecond is gone, so only the registry can tell that its clock is behind.",
                "app1 重启。生成器对上一个毫秒的记忆已经丢失，只有注册中心能看出它的时钟落后了。"),
            next(
                "ZooKeeper has app1's node, last reported at 09:00:03, 10 s ahead of app1's clock.",
                "ZooKeeper 里有 app1 的节点，上次上报的时间是 09:00:03，比 app1 现在的时钟快 10 秒。"),
            next(
                "Leaf refuses to start with a clock behind its last report (checkInitTimeStamp): app1 stays out of service and an alarm goes off. Without that check it would mint the ids of the last 10 s again.",
                "Leaf 发现时钟落后于上次上报的时间，拒绝启动（checkInitTimeStamp）：app1 不提供服务并报警。没有这项检查，它会把过去 10 秒的 ID 再发一遍。")
                .ask(
                    ("app1's clock is 10 s behind its last report to ZooKeeper. What does Leaf do at start?", "app1 的时钟比它上次上报到 ZooKeeper 的时间晚 10 秒。Leaf 启动时会怎样？"),
                    &[
                        ("Starts and waits 10 s before minting", "启动，等 10 秒再发号"),
                        ("Refuses to start", "拒绝启动"),
                        ("Starts with a new worker id", "换一个新的 worker ID 启动"),
                    ],
                    1,
                ),
            crash(zk, "ZooKeeper goes down.", "ZooKeeper 宕机了。"),
            crash(APP2, "app2 crashes too.", "app2 也宕机了。"),
            restart(APP2, "app2 restarts while ZooKeeper is down.", "ZooKeeper 宕机时，app2 重启。"),
            next(
                "The registration cannot reach ZooKeeper. app2 falls back to the worker id in its local cache file: 1. It serves; the registry is not a single point of failure for servers that ran before.",
                "注册请求到不了 ZooKeeper。app2 退而使用本地缓存文件里的 worker ID：1。它照常服务；对以前运行过的服务来说，注册中心不是单点故障。")
                .ask(
                    ("ZooKeeper is down and app2 restarts. Can it serve?", "ZooKeeper 宕机了，app2 重启。它还能提供服务吗？"),
                    &[
                        ("No: it needs ZooKeeper for its worker id", "不能：它需要 ZooKeeper 分配 worker ID"),
                        ("Yes, with worker id 1 from its local cache", "能，用本地缓存里的 worker ID 1"),
                        ("Yes, with a random worker id", "能，用一个随机的 worker ID"),
                    ],
                    1,
                ),
            start(2, "A new server, app3, starts while ZooKeeper is down.", "一台新服务 app3 在 ZooKeeper 宕机时启动。"),
            next(
                "app3 has never registered, so it has no cache: it cannot start. A new server needs the registry; an old one does not.",
                "app3 从未注册过，没有缓存：它无法启动。新服务离不开注册中心，老服务可以。"),
            mint(2, 1, "app3 is asked for an id and has none to give.", "app3 收到取号请求，却发不出 ID。"),
        ],
    )
}

fn autoinc(databases: &[(u16, u16)], spare: u8, servers: usize) -> IdsSetup {
    IdsSetup::new(
        Scheme::AutoIncrement {
            databases: databases
                .iter()
                .map(|&(increment, offset)| DbSettings { increment, offset })
                .collect(),
            spare,
        },
        servers,
    )
}

fn autoinc_single() -> Scenario<IdsLab> {
    let db: NodeId = 2;
    Scenario::lesson(
        "ids-autoinc-single",
        ("Database auto-increment: one database, a single point of failure", "数据库自增：一台数据库，单点故障"),
        ("Every server inserts into one MySQL table and takes the AUTO_INCREMENT value as the id: simple, unique and ordered, until the database goes down and no server can mint.",
         "所有服务都往一张 MySQL 表插入数据，用 AUTO_INCREMENT 的值作 ID：简单、唯一、有序，直到数据库宕机，哪台服务都发不出 ID。"),
        autoinc(&[(1, 1)], 0, 2),
        &[FaultKind::Crash, FaultKind::Restart, FaultKind::Partition, FaultKind::Heal],
        &[],
        vec![
            mint(APP1, 2, "app1 inserts two rows into db1.", "app1 向 db1 插入两行。"),
            next("db1 assigns 1 and 2.", "db1 分配 1 和 2。"),
            next("app1 has ids 1 and 2.", "app1 拿到 ID 1 和 2。"),
            mint(APP2, 2, "app2 inserts two rows.", "app2 插入两行。"),
            next("db1 assigns 3 and 4.", "db1 分配 3 和 4。"),
            next(
                "app2 has 3 and 4: one counter for everyone, so unique and in order.",
                "app2 拿到 3 和 4：所有人共用一个计数器，所以唯一且有序。"),
            crash(db, "db1 goes down.", "db1 宕机了。"),
            mint(APP1, 1, "app1 needs an id for a new order.", "app1 要为一个新订单取 ID。")
                .ask(
                    ("db1 is down. What happens to app1's request?", "db1 宕机了。app1 的请求会怎样？"),
                    &[
                        ("app2 gives it an id instead", "由 app2 代为发号"),
                        ("It fails: no database, no id", "失败：没有数据库，就没有 ID"),
                        ("app1 uses 5, the next number", "app1 自己用下一个号 5"),
                    ],
                    1,
                ),
            next(
                "The insert cannot reach db1: it fails, and so would every server's. One database is a single point of failure for every order. (A primary with a replica helps, but a failover to a replica that missed the last inserts can issue their ids again.)",
                "插入到不了 db1：失败了，每台服务都一样。一台数据库就是所有订单的单点故障。（主从可以缓解，但如果切换到的从库少了最后几次插入，就可能再次发出那些 ID。）"),
            restart(db, "db1 comes back.", "db1 恢复了。"),
            mint(APP2, 1, "app2 inserts again.", "app2 再次插入。"),
            next(
                "db1 goes on from the largest value in the column: 5. (MySQL 8.0 also writes the counter to the redo log, so a restart does not re-issue values taken by rows that were deleted.)",
                "db1 从列中的最大值继续：5。（MySQL 8.0 还把计数器写入 redo log，所以重启后不会重新发出已被删除的行用过的值。）"),
            next("app2 has 5.", "app2 拿到 5。"),
        ],
    )
}

fn autoinc_step() -> Scenario<IdsLab> {
    let one = |en: &str, zh: &str| mint(APP1, 1, en, zh);
    let mut steps = vec![
        one("Three databases share the work: auto_increment_increment = 3 on each, auto_increment_offset 1, 2 and 3. app1 sends its inserts to them in turn. First insert: db1.",
            "三台数据库分担工作：每台的 auto_increment_increment = 3，auto_increment_offset 分别为 1、2、3。app1 轮流向它们插入。第一次插入：db1。"),
        next("db1 takes 1.", "db1 分配 1。"),
        next("app1 has 1.", "app1 拿到 1。"),
        one("Second insert: db2.", "第二次插入：db2。"),
        next("db2 takes 2.", "db2 分配 2。"),
        next("app1 has 2.", "app1 拿到 2。"),
        one("Third insert: db3.", "第三次插入：db3。"),
        next("db3 takes 3.", "db3 分配 3。"),
        next("app1 has 3. db1 will hand out 1, 4, 7…, db2 2, 5, 8…, db3 3, 6, 9…: never the same number.",
            "app1 拿到 3。db1 会发 1、4、7……，db2 发 2、5、8……，db3 发 3、6、9……：永远不会撞号。"),
        one("A fourth round: db1.", "第四次：db1。"),
        next("db1 takes 4.", "db1 分配 4。"),
        next("app1 has 4.", "app1 拿到 4。"),
        op(IdsOp::AddDatabase { increment: 4, offset: 4 },
            "Traffic grows and a fourth database joins, configured as the fourth of four: increment 4, offset 4. db1 to db3 keep increment 3, since changing a running database is risky.",
            "流量增长，加入第四台数据库，按四台中的第四台配置：increment 4，offset 4。db1 到 db3 保持 increment 3，因为改动运行中的数据库有风险。"),
    ];
    for (en, zh) in [
        ("db2 takes 5.", "db2 分配 5。"),
        ("db3 takes 6.", "db3 分配 6。"),
    ] {
        steps.push(one("app1's next insert.", "app1 的下一次插入。"));
        steps.push(next(en, zh));
        steps.push(next("app1 has it.", "app1 拿到它。"));
    }
    steps.extend([
        one("app1's next insert goes to the new db4.", "app1 的下一次插入发往新的 db4。"),
        next(
            "db4 knows only its own column: the least value of its series 4, 8, 12… above its maximum (none) is 4.",
            "db4 只知道自己这一列：它的序列 4、8、12……中大于列中最大值（空）的最小值是 4。"),
        next(
            "app1 has 4 a second time: db1 issued 4 already. Two orders share a primary key.",
            "app1 第二次拿到 4：db1 早就发过 4 了。两个订单共用一个主键。")
            .ask(
                ("db4 answers 4, the first of its series 4, 8, 12… What happens when app1 uses it?", "db4 返回 4，它的序列 4、8、12……中的第一个。app1 用它会怎样？"),
                &[
                    ("Nothing: 4 is new", "没问题：4 是新的"),
                    ("A duplicate: db1 handed out 4 already", "重复：db1 早就发过 4 了"),
                    ("MySQL refuses to hand out 4", "MySQL 会拒绝发出 4"),
                ],
                1,
            ),
        op(IdsOp::SetSettings { database: 0, increment: 4, offset: 1 },
            "Try to fix it: set db1 to increment 4, offset 1. MySQL: the next value is the least in the new series 1, 5, 9… above the column's maximum, 4.",
            "试着修复：把 db1 设为 increment 4，offset 1。MySQL 规定：下一个值是新序列 1、5、9……中大于该列最大值 4 的最小值。"),
        one("app1's next insert goes to db1.", "app1 的下一次插入发往 db1。"),
        next(
            "db1 takes 5, which db2 already issued: each database computes from its own column only, so changing the settings of running databases collides as well. Adding a database means stopping the writes and choosing the new series above every database's maximum, by hand. That is why Leaf calls this scheme hard to scale out, and why segments came next.",
            "db1 分配 5，而 db2 已经发过 5：每台数据库只根据自己这一列计算，所以修改运行中数据库的设置同样会撞号。要加数据库，只能停止写入，手工为每台选一个高于所有数据库最大值的新序列。这就是 Leaf 说这种方案难以水平扩展的原因，也是号段模式出现的原因。"),
        next("app1 has 5 a second time.", "app1 第二次拿到 5。"),
    ]);
    Scenario::lesson(
        "ids-autoinc-step",
        ("Auto-increment across three databases, then a fourth", "三台数据库分段自增，再加第四台"),
        ("auto_increment_increment and auto_increment_offset let N databases hand out disjoint series. Adding a database later breaks the arithmetic: each database only sees its own column.",
         "auto_increment_increment 和 auto_increment_offset 让 N 台数据库发出互不相交的序列。之后再加数据库会打破这个算式：每台数据库只看得到自己这一列。"),
        autoinc(&[(3, 1), (3, 2), (3, 3)], 1, 1),
        &[FaultKind::Crash, FaultKind::Restart],
        &[UNIQUE, MONOTONIC],
        steps,
    )
}

fn segment_outage() -> Scenario<IdsLab> {
    let db: NodeId = 2;
    let mut setup = IdsSetup::new(Scheme::Segment { step: 10 }, 2);
    setup.link.latency_min = 1;
    Scenario::lesson(
        "ids-segment-outage",
        ("Leaf-segment: riding out a database outage on the buffer", "Leaf 号段模式：靠缓冲区扛过数据库故障"),
        ("Each server takes a range of ids from one database row at a time and loads the next range when 10% of the current one is used (the double buffer). When the database goes down, the servers serve from their buffers until they run dry.",
         "每台服务一次从数据库的一行取一段 ID，当前号段用掉 10% 时加载下一段（双缓冲）。数据库宕机时，服务靠缓冲区继续发号，直到用完。"),
        setup,
        &[FaultKind::Crash, FaultKind::Restart, FaultKind::Partition, FaultKind::Heal],
        &[],
        vec![
            mint(APP1, 1,
                "The row is biz_tag \"order\", max_id 1, step 10 (Leaf's real steps are thousands; 10 keeps it visible). app1's first request finds no segment, so it loads one at once.",
                "这一行是 biz_tag \"order\"，max_id 1，step 10（Leaf 实际的步长是几千；用 10 便于观察）。app1 的第一次请求发现没有号段，于是立即加载一段。"),
            next(
                "db runs UPDATE leaf_alloc SET max_id = max_id + step WHERE biz_tag = 'order' and reads the row back, in one transaction: app1 owns [1, 11).",
                "db 在一个事务里执行 UPDATE leaf_alloc SET max_id = max_id + step WHERE biz_tag = 'order'，再读回这一行：app1 拿到 [1, 11)。"),
            next("app1 hands out 1 from its segment.", "app1 从号段中发出 1。"),
            mint(APP2, 1, "app2's first request loads a segment too.", "app2 的第一次请求也去加载号段。"),
            next("db moves max_id on: app2 owns [11, 21).", "db 把 max_id 往后推：app2 拿到 [11, 21)。"),
            next(
                "app2 hands out 11. Amber: 11 came before app1's next id, 2. Ids are unique, but not in time order across servers.",
                "app2 发出 11。黄色：11 比 app1 的下一个 ID 2 先发出。ID 唯一，但跨服务并不按时间有序。"),
            mint(APP1, 2,
                "app1 hands out 2 and 3. Taking 3 it finds less than 90% of its segment idle, so it loads the next segment in the background while it serves (Leaf's updateSegmentFromDb in a thread pool).",
                "app1 发出 2 和 3。取 3 时它发现号段剩余不到 90%，于是一边发号，一边在后台加载下一段（Leaf 在线程池里执行 updateSegmentFromDb）。"),
            next("db: app1 owns [21, 31) as well.", "db：app1 又拿到 [21, 31)。"),
            next(
                "app1 keeps [21, 31) as its spare: 7 ids left in the current segment and 10 in the spare.",
                "app1 把 [21, 31) 作为备用：当前号段还剩 7 个，备用号段 10 个。"),
            crash(db, "The database goes down.", "数据库宕机了。"),
            mint(APP1, 7,
                "app1 is asked for 7 ids: 4 to 10, from its buffer. The outage is invisible.",
                "app1 收到 7 次请求：从缓冲区发出 4 到 10。故障对调用方不可见。"),
            mint(APP1, 10,
                "10 more: app1 switches to its spare segment and hands out 21 to 30. Taking 23 it tries to load another segment.",
                "再来 10 次：app1 切换到备用号段，发出 21 到 30。取 23 时它尝试加载下一段。"),
            next(
                "The load cannot reach the database. app1 has served 17 ids during the outage; its buffer is now empty.",
                "加载请求到不了数据库。故障期间 app1 已经发出 17 个 ID；它的缓冲区现在空了。"),
            mint(APP1, 1, "One more request.", "再来一次请求。")
                .ask(
                    ("app1's buffer is empty and the database is still down. What happens to the next request?", "app1 的缓冲区空了，数据库仍然宕机。下一次请求会怎样？"),
                    &[
                        ("It waits until the database is back", "一直等到数据库恢复"),
                        ("It fails: Leaf's error -3, both segments not ready", "失败：Leaf 的错误码 -3，两个号段都没准备好"),
                        ("app1 reuses its old segment", "app1 重新使用旧号段"),
                    ],
                    1,
                ),
            next(
                "It tries a load once more, the load fails, and the request fails with error -3. A larger step (Leaf uses 15 minutes of traffic) rides out a longer outage.",
                "它又试着加载一次，加载失败，请求以错误码 -3 失败。更大的步长（Leaf 用 15 分钟的流量）能扛过更长的故障。"),
            restart(db, "The database is back.", "数据库恢复了。"),
            mint(APP1, 1, "app1 is asked for an id.", "app1 收到取号请求。"),
            next("db: app1 owns [31, 41).", "db：app1 拿到 [31, 41)。"),
            next("app1 hands out 31.", "app1 发出 31。"),
            crash(APP1,
                "app1 restarts (a deployment): its buffer lived in memory, so 32 to 40 are never handed out.",
                "app1 重启（一次发布）：缓冲区在内存里，所以 32 到 40 永远不会被发出。"),
            restart(APP1, "app1 is back with empty buffers.", "app1 带着空的缓冲区回来了。"),
            mint(APP1, 1, "app1 is asked for an id.", "app1 收到取号请求。"),
            next("db: app1 owns [41, 51).", "db：app1 拿到 [41, 51)。"),
            next(
                "app1 hands out 41: a gap of nine ids. Gaps are harmless for uniqueness, but ids cannot count orders.",
                "app1 发出 41：跳过了九个 ID。空洞不影响唯一性，但 ID 不能用来数订单。"),
        ],
    )
}

fn redis_restart() -> Scenario<IdsLab> {
    let redis: NodeId = 2;
    let persistence = Persistence::rdb(&[SavePoint {
        after_ms: 5_000,
        changes: 1,
    }]);
    Scenario::lesson(
        "ids-redis-restart",
        ("Redis INCR: a restart without AOF hands ids out again", "Redis INCR：没有 AOF 的重启会重复发号"),
        ("INCR on one key is a fast, ordered id generator, but the counter lives in memory. With RDB snapshots only, a crash takes it back to the last snapshot and Redis hands out again every id issued since.",
         "对一个键 INCR 是又快又有序的发号器，但计数器在内存里。只有 RDB 快照时，一次宕机会让它回到上一次快照，Redis 会再次发出之后发过的每一个 ID。"),
        IdsSetup::new(Scheme::Redis { persistence }, 2),
        &[FaultKind::Crash, FaultKind::Restart],
        &[UNIQUE],
        vec![
            mint(APP1, 3,
                "Redis with RDB snapshots only: save after 5 s if at least 1 change (the lab's compressed time; Redis 7's default is save 3600 1 300 100 60 10000, an hour with one change), appendonly no. app1 sends INCR id three times.",
                "Redis 只开了 RDB 快照：5 秒内至少 1 次修改就保存（实验压缩了时间；Redis 7 默认 save 3600 1 300 100 60 10000，一次修改要等一小时），appendonly no。app1 发送三次 INCR id。"),
            next("Redis answers 1, 2, 3.", "Redis 返回 1、2、3。"),
            next("app1 has 1, 2 and 3.", "app1 拿到 1、2、3。"),
            wait(6_000, "6 s pass.", "过了 6 秒。"),
            next("The save point is reached: Redis writes a snapshot with the counter at 3.", "达到保存条件：Redis 写入快照，计数器为 3。"),
            mint(APP2, 2, "app2 sends INCR twice.", "app2 发送两次 INCR。"),
            next("Redis answers 4 and 5; they are in memory only.", "Redis 返回 4 和 5；它们只在内存里。"),
            next("app2 has 4 and 5, and two orders are saved with them.", "app2 拿到 4 和 5，两个订单用它们保存了。"),
            crash(redis, "The Redis machine loses power.", "Redis 所在的机器断电了。"),
            restart(redis, "Redis restarts and loads its snapshot.", "Redis 重启并加载快照。")
                .ask(
                    ("Redis restarts from its last snapshot. app1 asks for two ids: what does it get?", "Redis 从上一次快照重启。app1 再要两个 ID：会拿到什么？"),
                    &[
                        ("6 and 7", "6 和 7"),
                        ("4 and 5, which app2 already used", "4 和 5，而 app2 已经用过了"),
                        ("1 and 2: the counter starts again", "1 和 2：计数器从头开始"),
                    ],
                    1,
                ),
            mint(APP1, 2, "app1 sends INCR twice.", "app1 发送两次 INCR。"),
            next("The counter was 3 in the snapshot: Redis answers 4 and 5.", "快照里计数器是 3：Redis 返回 4 和 5。"),
            next(
                "app1 has 4 and 5, the ids of app2's orders: duplicates. With appendonly yes and appendfsync everysec at most about a second of INCRs is lost; with always, none, at the cost of an fsync per write. Compare them side by side.",
                "app1 拿到 4 和 5，正是 app2 那两个订单的 ID：重复了。开启 appendonly yes、appendfsync everysec 时最多丢约一秒的 INCR；用 always 则一个不丢，代价是每次写都 fsync。可以并排对比。"),
        ],
    )
}

fn uuid_index() -> Scenario<IdsLab> {
    let mut setup = IdsSetup::new(Scheme::UuidV4, 2);
    setup.index_keys_per_page = Some(100);
    Scenario::lesson(
        "ids-uuid-index",
        ("UUID v4 against v7 in a database index", "数据库索引里的 UUID v4 与 v7"),
        ("Random v4 UUIDs never collide in practice, need no coordination, and scatter every insert across the primary key's B-tree; v7 puts the time first and inserts at the end, like a sequence.",
         "随机的 v4 UUID 实际上不会碰撞，也不需要协调，却把每次插入分散到主键 B 树的各处；v7 把时间放在最前面，像自增序列一样插在末尾。"),
        setup,
        &[FaultKind::ClockJump, FaultKind::Crash, FaultKind::Restart],
        &[MONOTONIC],
        vec![
            mint(APP1, 5000,
                "app1 mints 5,000 random UUIDs (v4: 122 random bits) and inserts them as the primary key of a table: an InnoDB clustered index whose leaf pages hold 100 rows each here.",
                "app1 生成 5,000 个随机 UUID（v4：122 位随机数），作为一张表的主键插入：InnoDB 的聚簇索引，这里每个叶子页放 100 行。"),
            wait(1, "1 ms later.", "1 毫秒后。"),
            mint(APP1, 1000,
                "1,000 more inserts. Random keys land anywhere in the index: they write all 76 pages, and 15 of them split, 91 pages written in all.",
                "再插入 1,000 行。随机的键落在索引的任意位置：76 个页全部被写到，其中 15 个分裂，一共写了 91 个页。")
                .ask(
                    ("The index has 76 leaf pages. How many pages do 1,000 random v4 inserts write?", "索引有 76 个叶子页。1,000 次随机 v4 插入会写多少页？"),
                    &[
                        ("About 10, the last pages", "大约 10 页，都是最后几页"),
                        ("All of them, and some split", "所有的页，还有一些会分裂"),
                        ("One", "1 页"),
                    ],
                    1,
                ),
            wait(1, "1 ms later.", "1 毫秒后。"),
            mint(APP2, 1000,
                "app2 adds 1,000 more, just as scattered. Red: the ids do not increase, which is what scatters them.",
                "app2 再插入 1,000 行，同样分散。红色：ID 不递增，这正是它们分散的原因。"),
            wait(1, "1 ms later.", "1 毫秒后。"),
            mint(APP1, 100,
                "Even 100 inserts write dozens of pages. In a real table each page is 16 KB that must be in the buffer pool: with a table larger than memory, random keys mean a disk read per insert, and half-empty pages after splits.",
                "即使只插入 100 行也要写几十个页。真实的表里每页 16 KB，必须在缓冲池中：表比内存大时，随机的键意味着每次插入都要读一次磁盘，分裂后还留下半空的页。"),
            wait(1, "1 ms later.", "1 毫秒后。"),
            mint(APP2, 10,
                "What v4 buys: no coordination and no collisions in practice. 122 random bits: for 7,110 ids the chance that any two are equal is about 5 × 10⁻³⁰ (the birthday bound n² / 2¹²³). Switch the side-by-side view to v7: 48 bits of milliseconds first, so the same inserts write a dozen pages at the end of the index.",
                "v4 换来的是：不需要协调，实际上也不会碰撞。122 位随机数：7,110 个 ID 中任意两个相同的概率约为 5 × 10⁻³⁰（生日界 n² / 2¹²³）。把并排视图切到 v7：最前面是 48 位毫秒时间戳，同样的插入只写索引末尾的十几页。"),
        ],
    )
}
