//! The built-in ActiveMQ deployment lessons (seed 001 sections 6 and 7, seed 002 "集群"): a
//! network of brokers forwarding to where the consumers are; the messages stranded on a broker
//! whose consumers failed over elsewhere, and the replay that brings them back; a shared-store
//! master/slave pair where the lock decides the master; a replicated LevelDB group (a deprecated
//! store) that answers after a quorum and elects its most up-to-date broker. The numbers in the narration are the ones
//! the run produces, pinned by the golden traces.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::activemq::{
    AmqLab, AmqOp, AmqSetup, ClientSpec, Connector, GroupSpec, NodeSpec, Role, StoreKind,
    AVAILABLE, MAX_PREFETCH, STRANDED,
};
use super::ledger::ONCE;
use crate::kernel::{Fault, FaultKind, LinkConfig, NodeId};
use crate::scenario::{Directive, Scenario, ScriptStep};

type Step = ScriptStep<AmqOp>;

const P: NodeId = 0;
const B1: NodeId = 1;
const B2: NodeId = 2;
/// The groups of the network lessons: B1 and B2, each a broker of its own.
const B1_GROUP: usize = 0;
const B2_GROUP: usize = 1;

fn nodes(names: &[(&str, Role)]) -> Vec<NodeSpec> {
    names
        .iter()
        .map(|(name, role)| NodeSpec {
            name: name.to_string(),
            role: *role,
        })
        .collect()
}

fn client(node: NodeId, uris: &[NodeId], queue: &str) -> ClientSpec {
    ClientSpec {
        node,
        uris: uris.to_vec(),
        failover: true,
        queue: queue.to_string(),
        prefetch: 1,
    }
}

fn group(name: &str, brokers: &[NodeId], store: StoreKind) -> GroupSpec {
    GroupSpec {
        name: name.to_string(),
        brokers: brokers.to_vec(),
        store,
    }
}

/// Every lesson's links take 10 ms, so the narration can tell which message arrives first.
fn link() -> Option<LinkConfig> {
    Some(LinkConfig {
        latency_min: 10,
        latency_max: 10,
        ..LinkConfig::default()
    })
}

/// P on B2; C1 and C2 on B1 with `failover:(B1,B2)`; B1 and B2 joined by `connector`.
fn network(connector: Connector, replay: bool) -> AmqSetup {
    let (c1, c2) = (3, 4);
    AmqSetup {
        nodes: nodes(&[
            ("P", Role::Producer),
            ("B1", Role::Broker),
            ("B2", Role::Broker),
            ("C1", Role::Consumer),
            ("C2", Role::Consumer),
        ]),
        groups: alloc::vec![
            group("B1", &[B1], StoreKind::Own),
            group("B2", &[B2], StoreKind::Own),
        ],
        bridges: alloc::vec![connector],
        replay_when_no_consumers: replay,
        enable_audit: !replay,
        network_prefetch: MAX_PREFETCH,
        producers: alloc::vec![client(P, &[B2], "")],
        consumers: alloc::vec![
            client(c1, &[B1, B2], "orders"),
            client(c2, &[B1, B2], "orders"),
        ],
        link: link(),
    }
}

/// P and C1 with `failover:(B1,B2[,B3])` on one master/slave group.
fn master_slave(store: StoreKind, brokers: usize) -> AmqSetup {
    let mut names = alloc::vec![("P", Role::Producer)];
    let broker_names = ["B1", "B2", "B3"];
    for name in &broker_names[..brokers] {
        names.push((name, Role::Broker));
    }
    names.push(("C1", Role::Consumer));
    let ids: Vec<NodeId> = (1..=brokers as NodeId).collect();
    let c1 = brokers as NodeId + 1;
    AmqSetup {
        nodes: nodes(&names),
        groups: alloc::vec![group("G", &ids, store)],
        bridges: Vec::new(),
        replay_when_no_consumers: false,
        enable_audit: true,
        network_prefetch: MAX_PREFETCH,
        producers: alloc::vec![client(P, &ids, "")],
        consumers: alloc::vec![client(c1, &ids, "orders")],
        link: link(),
    }
}

fn step(directive: Directive<AmqOp>, en: &str, zh: &str) -> Step {
    ScriptStep::new(directive, en, zh)
}

fn next(en: &str, zh: &str) -> Step {
    step(Directive::Next, en, zh)
}

fn send(persistent: bool, en: &str, zh: &str) -> Step {
    step(
        Directive::Op {
            op: AmqOp::Send {
                producer: P,
                queue: "orders".to_string(),
                persistent,
            },
        },
        en,
        zh,
    )
}

fn process(consumer: NodeId, en: &str, zh: &str) -> Step {
    step(
        Directive::Op {
            op: AmqOp::Process { consumer },
        },
        en,
        zh,
    )
}

fn crash(node: NodeId, en: &str, zh: &str) -> Step {
    step(
        Directive::Fault {
            fault: Fault::Crash { node },
        },
        en,
        zh,
    )
}

fn restart(node: NodeId, en: &str, zh: &str) -> Step {
    step(
        Directive::Fault {
            fault: Fault::Restart { node },
        },
        en,
        zh,
    )
}

fn scenario(
    id: &str,
    title: (&str, &str),
    summary: (&str, &str),
    setup: AmqSetup,
    breaks: &[&str],
    steps: Vec<Step>,
) -> Scenario<AmqLab> {
    Scenario::lesson(
        id,
        title,
        summary,
        setup,
        &[FaultKind::Crash, FaultKind::Restart],
        breaks,
        steps,
    )
}

pub fn scenarios() -> Vec<Scenario<AmqLab>> {
    alloc::vec![
        forwarding(),
        partition(),
        stranded(),
        replay(),
        shared_store(),
        replicated()
    ]
}

fn forwarding() -> Scenario<AmqLab> {
    let (c1, c2) = (3, 4);
    scenario(
        "activemq-network",
        (
            "A network of brokers sends messages to the consumers",
            "Broker 网络把消息送到消费者所在的地方",
        ),
        (
            "P sends to B2, the consumers are on B1: B2's network connector forwards each message to B1. It is one-way, as every network connector is unless it says duplex=\"true\".",
            "P 发送到 B2，消费者在 B1 上：B2 的网络连接器把每条消息转发给 B1。它是单向的：网络连接器除非配置 duplex=\"true\"，否则都是单向的。",
        ),
        network(Connector::one_way(B2_GROUP, B1_GROUP), false),
        &[],
        alloc::vec![
            send(
                true,
                "P is connected to B2 only; C1 and C2 are connected to B1. B2's configuration has a networkConnector to B1: a one-way bridge that carries messages from B2 to B1 and never back, since it does not say duplex=\"true\". P sends m1, persistent, so it waits for B2's receipt.",
                "P 只连着 B2；C1 和 C2 连着 B1。B2 的配置里有一个指向 B1 的 networkConnector：这是单向网桥，只把消息从 B2 送到 B1，不会反向，因为它没有配置 duplex=\"true\"。P 发送持久化消息 m1，并等待 B2 的回执。",
            ),
            next(
                "B2 writes m1 to its store and sends P the receipt. No consumer of orders is on B2, but B1 has two: the bridge learned of them from B1's advisory messages (demand), so it forwards m1 to B1.",
                "B2 把 m1 写入存储并给 P 回执。B2 上没有 orders 的消费者，但 B1 上有两个：网桥从 B1 的通知消息（advisory）得知了这一需求，于是把 m1 转发给 B1。",
            )
            .ask(
                (
                    "B2 has no consumer of orders. What does it do with m1?",
                    "B2 上没有 orders 的消费者。它会怎样处理 m1？",
                ),
                &[
                    (
                        "Keeps it until a consumer connects to B2",
                        "留着，直到有消费者连上 B2",
                    ),
                    (
                        "Forwards it to B1, where the consumers are",
                        "转发给消费者所在的 B1",
                    ),
                    ("Drops it", "丢弃"),
                ],
                1,
            ),
            next("P has its receipt: B2 stored m1.", "P 收到回执：B2 已存下 m1。"),
            next(
                "B1 stores m1 (its brokerPath now says it came through B2), acknowledges it to the bridge and dispatches it to C1.",
                "B1 存下 m1（它的 brokerPath 记下了它经过 B2），向网桥签收，并把它分发给 C1。",
            ),
            next(
                "B2 hears that B1 has m1 and deletes its own copy: a message lives on one broker at a time.",
                "B2 得知 B1 已收到 m1，删除自己的副本：一条消息同一时刻只在一个 Broker 上。",
            ),
            next("C1 has m1 in its prefetch window (1 message).", "C1 的预取窗口（1 条）里有了 m1。"),
            send(true, "P sends m2.", "P 发送 m2。"),
            send(true, "And m3.", "再发 m3。"),
            next("B2 stores m2 and forwards it too.", "B2 存下 m2，同样转发出去。"),
            next("And m3.", "m3 也一样。"),
            next("P has m2's receipt.", "P 收到 m2 的回执。"),
            next(
                "B1 stores m2 and dispatches it to C2, since C1's window is full.",
                "B1 存下 m2 并分发给 C2，因为 C1 的窗口已满。",
            ),
            next("P has m3's receipt.", "P 收到 m3 的回执。"),
            next(
                "B1 stores m3. Both windows are full, so m3 waits on B1.",
                "B1 存下 m3。两个窗口都满了，m3 在 B1 上等待。",
            ),
            next("B2 deletes m2.", "B2 删除 m2。"),
            next("C2 receives m2.", "C2 收到 m2。"),
            next("B2 deletes m3: B2 is empty.", "B2 删除 m3：B2 空了。"),
            process(c1, "C1 processes m1 and acknowledges it.", "C1 处理 m1 并签收。"),
            process(c2, "C2 processes m2 and acknowledges it.", "C2 处理 m2 并签收。"),
            next(
                "B1 has C1's acknowledgement: m1 is done, and C1's window has room for m3.",
                "B1 收到 C1 的签收：m1 完成，C1 的窗口腾出位置给 m3。",
            ),
            next("B1 has C2's acknowledgement: m2 is done.", "B1 收到 C2 的签收：m2 完成。"),
            next("C1 receives m3.", "C1 收到 m3。"),
            process(
                c1,
                "C1 processes m3. Every message went to where the consumers are; B2, which has none, keeps nothing. Had the consumers been on B2 and the producer on B1, nothing would have moved: this connector carries messages from B2 to B1 only.",
                "C1 处理 m3。每条消息都去了消费者所在的地方；没有消费者的 B2 什么也没留下。如果消费者在 B2、生产者在 B1，消息就不会移动：这个连接器只把消息从 B2 送往 B1。",
            )
            .ask(
                (
                    "Had P been connected to B1 and the consumers to B2, would this connector have moved the messages to B2?",
                    "如果 P 连着 B1、消费者连着 B2，这个连接器会把消息送到 B2 吗？",
                ),
                &[
                    (
                        "Yes: a network connector joins two brokers both ways",
                        "会：网络连接器把两个 Broker 双向连起来",
                    ),
                    (
                        "No: it is configured on B2 and carries B2's messages to B1 only, unless it says duplex=\"true\"",
                        "不会：它配置在 B2 上，只把 B2 的消息送往 B1，除非配置 duplex=\"true\"",
                    ),
                ],
                1,
            ),
        ],
    )
}

fn fault(fault: Fault, en: &str, zh: &str) -> Step {
    step(Directive::Fault { fault }, en, zh)
}

/// A partition between the brokers of a network: B2's network connector notices the broken
/// connection, waits and reconnects with its backoff, and the messages wait on B2 until the
/// bridge is back ([`super::activemq::Bridge`]).
fn partition() -> Scenario<AmqLab> {
    let (c1, c2) = (3, 4);
    scenario(
        "activemq-partition",
        (
            "A partition cuts the network connector: messages wait, the bridge reconnects",
            "网络分区切断网络连接器：消息等待，网桥重连",
        ),
        (
            "P sends to B2, the consumers are on B1. The network splits between the brokers: B2's network connector loses its bridge, keeps the messages in its queue and reconnects with a growing delay until the partition heals.",
            "P 发送到 B2，消费者在 B1 上。两个 Broker 之间发生网络分区：B2 的网络连接器失去网桥，把消息留在自己的队列里，并以越来越长的间隔重连，直到分区恢复。",
        ),
        network(Connector::one_way(B2_GROUP, B1_GROUP), false),
        &[],
        alloc::vec![
            send(
                true,
                "P is connected to B2; C1 and C2 to B1. B2's networkConnector to B1 forwards messages to where the consumers are. P sends m1.",
                "P 连着 B2；C1 和 C2 连着 B1。B2 指向 B1 的 networkConnector 会把消息转发到消费者所在的地方。P 发送 m1。",
            ),
            next(
                "B2 stores m1, sends the receipt and forwards m1 to B1.",
                "B2 存下 m1，发出回执，并把 m1 转发给 B1。",
            ),
            next("P has m1's receipt.", "P 收到 m1 的回执。"),
            next(
                "B1 stores m1, acknowledges it to the bridge and dispatches it to C1.",
                "B1 存下 m1，向网桥签收，并把它分发给 C1。",
            ),
            next("B2 deletes m1: it is B1's now.", "B2 删除 m1：它现在归 B1 了。"),
            next("C1 receives m1.", "C1 收到 m1。"),
            fault(
                Fault::Partition {
                    groups: alloc::vec![alloc::vec![P, B2]],
                },
                "The network splits: P and B2 on one side, B1, C1 and C2 on the other. Nothing is on its way between the brokers, so nobody notices yet.",
                "网络发生分区：P 和 B2 在一边，B1、C1、C2 在另一边。此刻两个 Broker 之间没有在途消息，所以谁也还没察觉。",
            ),
            send(true, "P sends m2 to B2, on its side of the partition.", "P 把 m2 发给分区同侧的 B2。"),
            next(
                "B2 stores m2 and forwards it, but the forward cannot cross the partition: the bridge's connection is broken. The network connector tears the bridge down; m2 goes back to B2's queue, once, and waits there. The connector will connect again in 100 ms (lab time; ActiveMQ's initialReconnectDelay is 1 s).",
                "B2 存下 m2 并转发，但转发过不了分区：网桥的连接断了。网络连接器拆掉网桥；m2 回到 B2 的队列（只回去一次），在那里等待。连接器 100 毫秒后重连（实验时间；ActiveMQ 的 initialReconnectDelay 是 1 秒）。",
            )
            .ask(
                (
                    "B2's forward of m2 cannot reach B1. What does B2 do with m2?",
                    "B2 转发的 m2 到不了 B1。B2 会怎样处理 m2？",
                ),
                &[
                    (
                        "Sends it again at once, over and over, until it gets through",
                        "立即一遍又一遍地重发，直到发过去",
                    ),
                    (
                        "Keeps it in its queue; the connector reconnects the bridge after a delay that grows with each failure",
                        "留在自己的队列里；连接器隔一段时间重连网桥，每失败一次间隔就加长",
                    ),
                    ("Drops it", "丢弃"),
                ],
                1,
            ),
            send(true, "P sends m3.", "P 发送 m3。"),
            next("P has m2's receipt: B2 stored it.", "P 收到 m2 的回执：B2 已存下它。"),
            next(
                "B2 stores m3. The bridge is down, so m3 waits in B2's queue with m2.",
                "B2 存下 m3。网桥断着，m3 和 m2 一起在 B2 的队列里等待。",
            ),
            next("P has m3's receipt.", "P 收到 m3 的回执。"),
            next(
                "100 ms later B2's connector tries B1 again: the partition still stands, the attempt fails, and the next one waits twice as long, 200 ms (ActiveMQ: backOffMultiplier 2, up to maxReconnectDelay 30 s).",
                "100 毫秒后 B2 的连接器再次尝试连接 B1：分区还在，尝试失败，下一次等两倍长，200 毫秒（ActiveMQ：backOffMultiplier 为 2，最多到 maxReconnectDelay 30 秒）。",
            ),
            next(
                "The attempt after 200 ms fails too; the next waits 400 ms. No message moves meanwhile: m2 and m3 are safe in B2's store.",
                "200 毫秒后的尝试也失败了；下一次等 400 毫秒。这期间没有消息移动：m2 和 m3 安全地存在 B2 的存储里。",
            ),
            fault(
                Fault::Heal,
                "The partition heals. The connector does not know yet: it waits for its next attempt.",
                "分区恢复了。连接器还不知道：它要等到下一次尝试。",
            ),
            next(
                "400 ms after the last failure the connector tries again. The partition has healed, so its request for a new connection is on its way to B1.",
                "上次失败 400 毫秒后，连接器再次尝试。分区已经恢复，它建立新连接的请求正发往 B1。",
            ),
            next(
                "The bridge is up again. B1 still has two consumers, so B2 forwards m2 and m3.",
                "网桥恢复了。B1 上仍有两个消费者，于是 B2 转发 m2 和 m3。",
            )
            .ask(
                (
                    "The bridge is back. Which messages will C1 and C2 get, and how many times?",
                    "网桥恢复了。C1 和 C2 会收到哪些消息，各几次？",
                ),
                &[
                    (
                        "m2 and m3, once each",
                        "m2 和 m3，各一次",
                    ),
                    (
                        "m2 several times, once for every failed forward",
                        "m2 收到好几次，每次转发失败算一次",
                    ),
                    ("None: they were lost in the partition", "都收不到：它们在分区中丢了"),
                ],
                0,
            ),
            next("B1 stores m2 and dispatches it to C2, since C1's window is full.", "B1 存下 m2 并分发给 C2，因为 C1 的窗口已满。"),
            next("B1 stores m3; both windows are full, so it waits on B1.", "B1 存下 m3；两个窗口都满了，它在 B1 上等待。"),
            next("B2 deletes m2.", "B2 删除 m2。"),
            next("C2 receives m2.", "C2 收到 m2。"),
            next("B2 deletes m3: B2 is empty.", "B2 删除 m3：B2 空了。"),
            process(c1, "C1 processes m1.", "C1 处理 m1。"),
            process(c2, "C2 processes m2.", "C2 处理 m2。"),
            next("B1 has C1's acknowledgement and dispatches m3 to C1.", "B1 收到 C1 的签收，把 m3 分发给 C1。"),
            next("B1 has C2's acknowledgement.", "B1 收到 C2 的签收。"),
            next("C1 receives m3.", "C1 收到 m3。"),
            process(
                c1,
                "C1 processes m3. Each message was consumed once: during the partition the messages waited on B2 and the connector retried its connection, not the messages. (The lab notices the broken connection as soon as a message is lost; ActiveMQ notices a write that fails or, on a silent network, its inactivity monitor after 30 s.)",
                "C1 处理 m3。每条消息都只消费了一次：分区期间消息在 B2 上等待，连接器重试的是连接，而不是消息。（实验在消息一丢失时就察觉连接断了；ActiveMQ 靠写入失败察觉，网络无声无息时则靠不活动监测，默认 30 秒。）",
            ),
        ],
    )
}

/// The first steps of the stranded and replay lessons: two messages pulled over to B1 and
/// dispatched, one processed, then B1 crashes and its consumers fail over to B2.
fn pull_then_crash(c1: NodeId) -> Vec<Step> {
    alloc::vec![
        send(
            true,
            "P (connected to B2) sends m1. C1 and C2 are on B1, with failover:(B1,B2) in their connection URI. B1 and B2 are joined by a duplex network connector (duplex=\"true\"): it carries messages both ways.",
            "P（连着 B2）发送 m1。C1、C2 连着 B1，连接地址是 failover:(B1,B2)。B1 与 B2 之间是双向网络连接器（duplex=\"true\"）：两个方向都能转发消息。",
        ),
        send(true, "P sends m2.", "P 发送 m2。"),
        next(
            "B2 stores m1, sends the receipt and forwards m1 to B1, where the consumers are.",
            "B2 存下 m1，发出回执，并把 m1 转发给消费者所在的 B1。",
        ),
        next("The same for m2.", "m2 也一样。"),
        next("P has m1's receipt.", "P 收到 m1 的回执。"),
        next(
            "B1 stores m1 and dispatches it to C1.",
            "B1 存下 m1 并分发给 C1。",
        ),
        next("P has m2's receipt: both messages are stored.", "P 收到 m2 的回执：两条都已存下。"),
        next(
            "B1 stores m2 and dispatches it to C2.",
            "B1 存下 m2 并分发给 C2。",
        ),
        next("B2 deletes m1: it is B1's now.", "B2 删除 m1：它现在归 B1 了。"),
        next("C1 receives m1.", "C1 收到 m1。"),
        next("B2 deletes m2.", "B2 删除 m2。"),
        next("C2 receives m2.", "C2 收到 m2。"),
        process(
            c1,
            "C1 processes m1; its acknowledgement is on its way to B1.",
            "C1 处理 m1，签收正发往 B1。",
        ),
        crash(
            B1,
            "B1 crashes before the acknowledgement arrives. C1 and C2 lose their connection and drop what they prefetched; m1 and m2 are in B1's store.",
            "签收到达之前 B1 宕机了。C1、C2 断开连接，丢掉预取的消息；m1 和 m2 都在 B1 的存储里。",
        ),
        next(
            "C1's acknowledgement reaches a dead broker and is lost.",
            "C1 的签收到达一个已宕机的 Broker，丢了。",
        ),
        next(
            "C1's failover transport tries B1 (down), then B2: connected.",
            "C1 的 failover 传输先试 B1（宕机），再试 B2：连上了。",
        ),
        next("C2 fails over to B2 too.", "C2 也 failover 到了 B2。"),
    ]
}

fn stranded() -> Scenario<AmqLab> {
    let (c1, c2) = (3, 4);
    let mut steps = pull_then_crash(c1);
    steps.extend([
        restart(
            B1,
            "B1 restarts with m1 and m2 stored, but both consumers are on B2 now: m1 and m2 are stranded. Not lost, yet no consumer will see them: the duplex connector leads to B2, but they came from B2, and a message never goes back to a broker on its brokerPath.",
            "B1 重启，存储里有 m1 和 m2，但两个消费者都已在 B2 上：m1 和 m2 滞留了。没丢，却没有消费者会看到：双向连接器通往 B2，但它们正是从 B2 来的，而消息不会回到它 brokerPath 上的 Broker。",
        )
        .ask(
            (
                "B1 is back with m1 and m2, and the consumers are on B2. What happens to the two messages?",
                "B1 带着 m1 和 m2 回来了，而消费者在 B2 上。这两条消息会怎样？",
            ),
            &[
                (
                    "B1 forwards them to B2, where the consumers are",
                    "B1 把它们转发到消费者所在的 B2",
                ),
                (
                    "They stay on B1: they came from B2 and may not go back",
                    "留在 B1：它们来自 B2，不能回去",
                ),
                ("They were lost in the crash", "已随宕机丢失"),
            ],
            1,
        ),
        send(true, "P sends m3.", "P 发送 m3。"),
        next(
            "B2 stores m3 and dispatches it to C2, now connected to B2.",
            "B2 存下 m3，分发给现在连着 B2 的 C2。",
        ),
        next("P has m3's receipt.", "P 收到 m3 的回执。"),
        next("C2 receives m3.", "C2 收到 m3。"),
        process(
            c2,
            "C2 processes m3. New messages flow, while m1 and m2 wait on B1 until a consumer connects there: the \"lost\" messages that the study notes on ActiveMQ warn about. The next lesson shows the remedy.",
            "C2 处理 m3。新消息照常流动，而 m1 和 m2 会一直留在 B1，直到有消费者连上 B1：这就是 ActiveMQ 学习笔记里所说的“丢失”的消息。下一课介绍补救办法。",
        ),
    ]);
    scenario(
        "activemq-stranded",
        (
            "Stranded messages in a network of brokers",
            "Broker 网络里滞留的消息",
        ),
        (
            "B1 pulled messages from B2 for its consumers, then restarted; the consumers failed over to B2 and the messages on B1 have nowhere to go.",
            "B1 为自己的消费者从 B2 拉取了消息，随后重启；消费者 failover 到 B2，B1 上的消息无处可去。",
        ),
        network(Connector::duplex(B2_GROUP, B1_GROUP), false),
        &[STRANDED, AVAILABLE],
        steps,
    )
}

fn replay() -> Scenario<AmqLab> {
    let (c1, c2) = (3, 4);
    let mut steps = pull_then_crash(c1);
    steps.extend([
        restart(
            B1,
            "B1 restarts with m1 and m2. This time its destination policy says replayWhenNoConsumers=\"true\" and enableAudit=\"false\": with no consumer of its own, B1 may send a message back the way it came, and the duplex connector carries it. (Over a one-way connector from B2 to B1 nothing could go back, replay or not.)",
            "B1 带着 m1 和 m2 重启。这次它的目的地策略设置了 replayWhenNoConsumers=\"true\" 和 enableAudit=\"false\"：自己没有消费者时，B1 可以把消息原路送回，双向连接器也能把它们带过去。（如果只有一条从 B2 到 B1 的单向连接器，不管是否回流，消息都回不去。）",
        )
        .ask(
            ("What happens to m1 and m2 now?", "现在 m1 和 m2 会怎样？"),
            &[
                ("They stay on B1", "留在 B1"),
                (
                    "B1 replays them back to B2, to the consumers",
                    "B1 把它们回流到 B2，交给消费者",
                ),
                ("They are lost", "丢失"),
            ],
            1,
        ),
        next(
            "B2 stores m1 again and dispatches it to C2. The duplicate audit is off, so B2 does not drop a message id it has seen before; with the audit on it would, and the replayed messages would vanish. ActiveMQ's documentation sets both options together.",
            "B2 再次存下 m1 并分发给 C2。重复检测已关闭，所以 B2 不会丢弃见过的消息 ID；要是开着，回流的消息就会消失。ActiveMQ 文档总是把这两个选项一起设置。",
        ),
        next("B2 stores m2 and dispatches it to C1.", "B2 存下 m2 并分发给 C1。"),
        next("B1 learns B2 has m1 and deletes it.", "B1 得知 B2 已收到 m1，删除它。"),
        next("C2 receives m1.", "C2 收到 m1。"),
        next("B1 deletes m2: nothing is stranded.", "B1 删除 m2：没有滞留了。"),
        next("C1 receives m2.", "C1 收到 m2。"),
        process(c1, "C1 processes m2.", "C1 处理 m2。"),
        process(
            c2,
            "C2 processes m1, which C1 processed before the crash: its acknowledgement died with B1. Nothing is stranded and nothing is lost, but a message was processed twice, which a consumer must be ready for (an idempotent consumer).",
            "C2 处理 m1，而 C1 在宕机前已经处理过它：那次签收随 B1 一起丢了。没有滞留也没有丢失，但有一条消息被处理了两次，消费者必须能应对（幂等消费）。",
        ),
    ]);
    scenario(
        "activemq-replay",
        ("The remedy: replay when no consumers", "补救：无消费者时回流"),
        (
            "The same failure with replayWhenNoConsumers=\"true\" (and the duplicate audit off): B1 sends the stranded messages back to B2 over the duplex connector.",
            "同样的故障，但设置了 replayWhenNoConsumers=\"true\"（并关闭重复检测）：B1 通过双向连接器把滞留的消息送回 B2。",
        ),
        network(Connector::duplex(B2_GROUP, B1_GROUP), true),
        &[AVAILABLE, ONCE],
        steps,
    )
}

fn shared_store() -> Scenario<AmqLab> {
    let c1 = 3;
    scenario(
        "activemq-shared-store",
        (
            "Master/slave on a shared store: the lock decides",
            "共享存储主从：谁拿到锁谁是主",
        ),
        (
            "B1 and B2 share one store; B1 holds its exclusive lock. B1 dies, B2 takes the lock, and the clients' failover transport finds it.",
            "B1 和 B2 共用一个存储，B1 持有它的排它锁。B1 宕机，B2 拿到锁，客户端的 failover 传输找到它。",
        ),
        master_slave(StoreKind::Shared, 2),
        &[AVAILABLE],
        alloc::vec![
            send(
                true,
                "B1 and B2 share one store (a shared file system or database). B1 holds the store's exclusive lock, so B1 is the master; B2 waits for the lock and accepts no connection. P sends m1, persistent.",
                "B1 和 B2 共用一个存储（共享文件系统或数据库）。B1 持有存储的排它锁，所以 B1 是主；B2 等锁，不接受连接。P 发送持久化消息 m1。",
            ),
            send(
                false,
                "P sends m2, non-persistent: sent asynchronously, no receipt.",
                "P 发送非持久化消息 m2：异步发送，没有回执。",
            ),
            send(true, "P sends m3, persistent.", "P 发送持久化消息 m3。"),
            next(
                "B1 writes m1 to the shared store, sends the receipt and dispatches m1 to C1.",
                "B1 把 m1 写入共享存储，发出回执，并把 m1 分发给 C1。",
            ),
            next(
                "B1 keeps m2 in memory only. C1's window (1) is full, so m2 waits.",
                "B1 只把 m2 放在内存里。C1 的窗口（1 条）已满，m2 等待。",
            ),
            next("B1 writes m3 to the store.", "B1 把 m3 写入存储。"),
            next("P has m1's receipt.", "P 收到 m1 的回执。"),
            next("C1 receives m1.", "C1 收到 m1。"),
            next("P has m3's receipt.", "P 收到 m3 的回执。"),
            send(true, "P sends m4.", "P 发送 m4。"),
            crash(
                B1,
                "B1 crashes with m4 on the wire. m2 dies with B1's memory. The operating system releases a dead process's file lock, so the store's lock is free. C1 drops m1 from its prefetch; the store still has it.",
                "m4 还在路上时 B1 宕机了。m2 随 B1 的内存一起消失。操作系统释放已死进程的文件锁，存储的锁空了出来。C1 丢掉预取的 m1；存储里还有它。",
            )
            .ask(
                (
                    "Which messages will C1 get once B2 takes over?",
                    "B2 接管后，C1 会收到哪些消息？",
                ),
                &[
                    ("m1, m2, m3 and m4", "m1、m2、m3 和 m4"),
                    ("m1, m3 and m4", "m1、m3 和 m4"),
                    ("Only m3", "只有 m3"),
                ],
                1,
            ),
            next(
                "m4 reaches a dead broker and is lost, but P still waits for its receipt.",
                "m4 到达一个已宕机的 Broker，丢了，但 P 仍在等它的回执。",
            ),
            next(
                "P's failover transport tries B1 (down) and B2 (a slave runs no transport connector), finds nothing, and will try again in 10 ms (initialReconnectDelay, 10 ms by default too). P's send does not return meanwhile: the transport holds it, and a plain tcp:// connection would have thrown an exception instead.",
                "P 的 failover 传输试了 B1（宕机）和 B2（从节点不启动传输连接器），都连不上，10 毫秒后再试（initialReconnectDelay，默认也是 10 毫秒）。这期间 P 的发送调用不会返回：传输层扣住了它；如果是普通的 tcp:// 连接，发送会直接抛出异常。",
            ),
            next("So does C1's.", "C1 的也一样。"),
            next("P's second round fails too; the delay doubles to 20 ms.", "P 的第二轮也失败了；延迟加倍到 20 毫秒。"),
            next("C1's too.", "C1 的也一样。"),
            next(
                "B2's lock poll comes round: the lock is free. B2 takes it, becomes the master and loads the store: m1 and m3. m2 was never in the store, and P never had a receipt for it: P's send returned at once, which is all a non-persistent send promises. (The lab polls every 100 ms; ActiveMQ's lockAcquireSleepInterval is 10 s by default.)",
                "B2 轮询锁的时间到了：锁是空的。B2 拿到锁，成为主节点，载入存储：m1 和 m3。m2 从未进过存储，P 也从没收到它的回执：P 的发送调用立刻返回，非持久化消息承诺的也仅此而已。（实验中每 100 毫秒轮询一次；ActiveMQ 的 lockAcquireSleepInterval 默认是 10 秒。）",
            ),
            next(
                "P's next round connects to B2 and resends m4, which had no receipt.",
                "P 的下一轮连上 B2，并重发没有回执的 m4。",
            ),
            next(
                "C1 connects to B2, which dispatches m1 to it.",
                "C1 连上 B2，B2 把 m1 分发给它。",
            ),
            next("B2 stores m4 and sends the receipt.", "B2 存下 m4 并发出回执。"),
            next("C1 receives m1.", "C1 收到 m1。"),
            process(c1, "C1 processes m1.", "C1 处理 m1。"),
            next("P has m4's receipt.", "P 收到 m4 的回执。"),
            next(
                "B2 has C1's acknowledgement and dispatches m3.",
                "B2 收到 C1 的签收，分发 m3。",
            ),
            next("C1 receives m3.", "C1 收到 m3。"),
            process(c1, "C1 processes m3.", "C1 处理 m3。"),
            next(
                "B2 has the acknowledgement for m3 and dispatches m4.",
                "B2 收到 m3 的签收，分发 m4。",
            ),
            next("C1 receives m4.", "C1 收到 m4。"),
            process(
                c1,
                "C1 processes m4. Every message P had a receipt for survived the failover; only the non-persistent m2 is gone.",
                "C1 处理 m4。P 收到过回执的每条消息都挺过了主从切换；只有非持久化消息 m2 没了。",
            ),
        ],
    )
}

fn replicated() -> Scenario<AmqLab> {
    let b3 = 3;
    let mut setup = master_slave(StoreKind::Replicated, 3);
    setup.nodes.pop();
    setup.consumers.clear();
    scenario(
        "activemq-replicated",
        (
            "Replicated LevelDB (deprecated): a quorum answers, the newest log wins",
            "Replicated LevelDB（已废弃）：多数派写好才回执，最新的日志当选",
        ),
        (
            "Three brokers, each with its own log. The master sends the receipt for a write once two of the three have it; ZooKeeper elects the most up-to-date broker. ActiveMQ has deprecated the LevelDB store and no longer supports it (its documentation recommends KahaDB); the study notes teach it, and its quorum rule lives on in Raft-based queues such as RabbitMQ's quorum queues.",
            "三个 Broker，各有自己的日志。主节点在三个中有两个写好之后才发回执；ZooKeeper 选出数据最新的 Broker。ActiveMQ 已废弃 LevelDB 存储、不再支持它（官方文档推荐 KahaDB）；学习笔记讲到了它，而它的多数派规则在基于 Raft 的队列里延续了下来，比如 RabbitMQ 的仲裁队列（quorum queue）。",
        ),
        setup,
        &[AVAILABLE],
        alloc::vec![
            send(
                true,
                "B1 is the master of B1, B2 and B3 (Replicated LevelDB, a deprecated store; ZooKeeper elected it). P sends m1.",
                "B1 是 B1、B2、B3 的主节点（Replicated LevelDB，一种已废弃的存储；由 ZooKeeper 选出）。P 发送 m1。",
            ),
            next(
                "B1 writes m1 to its log and sends it to both slaves. A quorum of three is two, so B1 waits for one slave before it sends the receipt.",
                "B1 把 m1 写进自己的日志，发给两个从节点。三个的多数派是两个，所以 B1 要等一个从节点写好才发回执。",
            ),
            next("B2 has m1 and tells B1.", "B2 写好 m1，告诉 B1。"),
            next("B3 too.", "B3 也是。"),
            next(
                "B2's answer arrives: B1 and B2 make two of three, so B1 sends P the receipt.",
                "B2 的回报到了：B1 和 B2 是三个中的两个，于是 B1 给 P 回执。",
            ),
            next("B3's answer arrives.", "B3 的回报到了。"),
            next("P has m1's receipt.", "P 收到 m1 的回执。"),
            crash(b3, "B3 crashes.", "B3 宕机。"),
            send(true, "P sends m2.", "P 发送 m2。"),
            next(
                "B1 writes m2 and sends it to B2, the only live slave.",
                "B1 写入 m2，发给唯一活着的从节点 B2。",
            ),
            next("B2 has m2.", "B2 写好 m2。"),
            next(
                "B1 and B2 are still two of three: B1 sends m2's receipt.",
                "B1 和 B2 仍是三个中的两个：B1 发出 m2 的回执。",
            ),
            next("P has m2's receipt.", "P 收到 m2 的回执。"),
            crash(B2, "B2 crashes too.", "B2 也宕机了。"),
            send(true, "P sends m3.", "P 发送 m3。"),
            next(
                "B1 writes m3, but no slave is up to take it: one of three is no quorum, so no receipt. P waits: its send has not returned.",
                "B1 写入 m3，但没有从节点能接收：三个中的一个不是多数派，所以没有回执。P 在等：它的发送调用还没有返回。",
            )
            .ask(
                ("Should B1 send P the receipt for m3 now?", "B1 现在应该给 P 发 m3 的回执吗？"),
                &[
                    ("Yes: it is on B1's disk", "应该：它已在 B1 的磁盘上"),
                    (
                        "No: if B1 dies, a new master might not have it",
                        "不应该：如果 B1 宕机，新主节点可能没有它",
                    ),
                ],
                1,
            ),
            restart(
                b3,
                "B3 comes back with only m1 in its log. B1 sends it its whole log.",
                "B3 回来了，日志里只有 m1。B1 把整份日志发给它。",
            ),
            next("B3 takes the log: m1, m2, m3.", "B3 接收日志：m1、m2、m3。"),
            next(
                "B3 has three records: with B1 that is two of three, so B1 sends m3's receipt now.",
                "B3 有三条记录：加上 B1 就是三个中的两个，B1 现在发出 m3 的回执。",
            ),
            next("P has m3's receipt.", "P 收到 m3 的回执。"),
            crash(
                B1,
                "B1, the master, crashes. Only B3 is up: one of three, so ZooKeeper cannot elect anyone and no broker serves clients.",
                "主节点 B1 宕机。只有 B3 还活着：三个中的一个，ZooKeeper 无法选主，没有 Broker 为客户端服务。",
            ),
            restart(
                B2,
                "B2 comes back with m1 and m2; B3 has m1, m2 and m3. Two of three are up, so ZooKeeper will elect a master in a moment (100 ms in the lab; ZooKeeper first has to see B1's session expire, 2 s by default for this store's zkSessionTimeout).",
                "B2 带着 m1、m2 回来了；B3 有 m1、m2、m3。三个中有两个活着，ZooKeeper 马上要选主（实验中 100 毫秒；实际上 ZooKeeper 要先等 B1 的会话过期，这种存储的 zkSessionTimeout 默认 2 秒）。",
            ),
            next(
                "P's failover transport finds no master: B1 is down, B2 and B3 are not masters yet.",
                "P 的 failover 传输找不到主节点：B1 宕机，B2 和 B3 还不是主节点。",
            ),
            next("Again, 10 ms later.", "10 毫秒后再试。"),
            next("Again, 20 ms later.", "20 毫秒后再试。"),
            next("Again, 40 ms later.", "40 毫秒后再试。"),
            next(
                "ZooKeeper elects the most up-to-date broker: B3, whose log has m3. Had it chosen B2, m3, whose receipt P holds, would be gone. B3 sends B2 its log.",
                "ZooKeeper 选出数据最新的 Broker：B3，它的日志里有 m3。要是选了 B2，P 已拿到回执的 m3 就没了。B3 把日志发给 B2。",
            )
            .ask(
                ("Which broker should become master?", "哪个 Broker 应当成为主节点？"),
                &[
                    ("B2, listed first", "B2，排在前面"),
                    ("B3, whose log is newest", "B3，日志最新"),
                    ("Either: they hold the same", "都行：它们的数据一样"),
                ],
                1,
            ),
            next("B2 takes B3's log.", "B2 接收 B3 的日志。"),
            next(
                "B3 hears from B2: B2 and B3 now hold the same log, two of three, a quorum. The group is not whole: B1 is still down, and one more crash would stop it again.",
                "B3 收到 B2 的回报：B2 和 B3 现在日志相同，三个中的两个，构成多数派。但这个组并不完整：B1 仍然宕机，再宕机一个，它就又停了。",
            ),
            next(
                "P's next round connects to B3. Every message P had a receipt for (m1, m2, m3) is on the new master.",
                "P 的下一轮连上了 B3。P 收到过回执的每条消息（m1、m2、m3）都在新主节点上。",
            ),
        ],
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Event, Model};
    use crate::mq::activemq::AmqNote;
    use crate::scenario::Injection;

    /// The most events one step of an ActiveMQ lesson records, with any injection: a lesson
    /// step moves a handful of messages.
    const MAX_EVENTS: usize = 200;

    /// The lesson as a teacher's file that offers every fault, so that its run can take any of
    /// them (a share link carries only the faults a lesson offers).
    fn offering_every_fault(lesson: &Scenario<AmqLab>) -> Scenario<AmqLab> {
        use crate::kernel::FaultKind::*;
        let mut file = lesson.clone();
        file.faults =
            alloc::vec![Crash, Restart, Partition, Heal, Pause, ClockJump, Drop, Duplicate];
        file
    }

    fn most_events(lesson: &Scenario<AmqLab>, injections: &[Injection<AmqOp>]) -> usize {
        let lesson = &offering_every_fault(lesson);
        let run = lesson.play(injections).expect("the run plays");
        assert_eq!(
            run.run.len(),
            lesson.steps.len() + injections.len(),
            "{}: every step ran",
            lesson.id
        );
        run.run
            .steps()
            .iter()
            .map(|s| s.events.len())
            .max()
            .unwrap_or(0)
    }

    /// The partitions a student could make of a lesson's set-up: each broker cut off alone, and
    /// every node on a side of its own.
    fn partitions(lesson: &Scenario<AmqLab>) -> Vec<Fault> {
        let brokers: Vec<NodeId> = lesson
            .setup
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == Role::Broker)
            .map(|(i, _)| i as NodeId)
            .collect();
        let mut out: Vec<Fault> = brokers
            .iter()
            .map(|&b| Fault::Partition {
                groups: alloc::vec![alloc::vec![b]],
            })
            .collect();
        out.push(Fault::Partition {
            groups: (0..lesson.setup.nodes.len() as NodeId)
                .map(|n| alloc::vec![n])
                .collect(),
        });
        out
    }

    /// Issue 11's finding: a partition at step 6 of the replay lesson cut B1 off while B2 had
    /// messages forwarded to it unacknowledged; every lost forward put them all back and sent
    /// them all again over the cut link, and the work grew exponentially within one step.
    #[test]
    fn a_partition_at_step_6_of_the_replay_lesson_does_bounded_work() {
        let lesson = replay();
        for groups in [
            alloc::vec![alloc::vec![B1]],
            alloc::vec![alloc::vec![B2]],
            alloc::vec![alloc::vec![B1, 3, 4]],
            alloc::vec![alloc::vec![P, B2]],
        ] {
            let most = most_events(
                &lesson,
                &[Injection::fault(
                    6,
                    Fault::Partition {
                        groups: groups.clone(),
                    },
                )],
            );
            assert!(most < MAX_EVENTS, "{groups:?}: {most} events in one step");
        }
    }

    #[test]
    fn a_partition_at_any_step_of_any_lesson_does_bounded_work() {
        for lesson in scenarios() {
            for fault in partitions(&lesson) {
                for at in 0..=lesson.steps.len() {
                    let most = most_events(&lesson, &[Injection::fault(at, fault.clone())]);
                    assert!(
                        most < MAX_EVENTS,
                        "{} with {fault:?} at step {at}: {most} events in one step",
                        lesson.id
                    );
                }
            }
        }
    }

    /// A dropped message anywhere (every message in flight at every step of every lesson) breaks
    /// only its own connection: bounded work, and the run goes on.
    #[test]
    fn a_dropped_message_at_any_step_of_any_lesson_does_bounded_work() {
        for lesson in scenarios() {
            let plain = lesson.play(&[]).unwrap();
            for at in 0..=lesson.steps.len() {
                let ids: Vec<u64> = plain
                    .run
                    .state_at(at)
                    .net
                    .in_flight
                    .iter()
                    .map(|e| e.id)
                    .collect();
                for msg in ids {
                    let most = most_events(&lesson, &[Injection::fault(at, Fault::Drop { msg })]);
                    assert!(
                        most < MAX_EVENTS,
                        "{} drop {msg} at {at}: {most}",
                        lesson.id
                    );
                }
            }
        }
    }

    /// A partition and its heal a few steps later, anywhere in any lesson: still bounded, and
    /// once healed no bridge stays down for good.
    #[test]
    fn a_partition_healed_later_does_bounded_work() {
        for lesson in scenarios() {
            for fault in partitions(&lesson) {
                for at in (0..lesson.steps.len() - 3).step_by(3) {
                    let injections = [
                        Injection::fault(at, fault.clone()),
                        Injection::fault(at + 4, Fault::Heal),
                    ];
                    let most = most_events(&lesson, &injections);
                    assert!(most < MAX_EVENTS, "{}: {most} events", lesson.id);
                    let mut w = offering_every_fault(&lesson)
                        .play(&injections)
                        .unwrap()
                        .run
                        .last()
                        .clone();
                    for _ in 0..200 {
                        let Some(next) = w.next_due() else { break };
                        w.apply(&next, &mut Vec::new());
                    }
                    assert!(
                        w.protocol.links.iter().all(|l| l.up),
                        "{} with {fault:?} at {at}: a bridge stays down after the heal",
                        lesson.id
                    );
                }
            }
        }
    }

    #[test]
    fn the_partition_lesson_waits_retries_and_delivers_after_the_heal() {
        let lesson = partition();
        let run = lesson.play(&[]).unwrap();
        let notes = |f: fn(&AmqNote) -> bool| {
            run.run
                .steps()
                .iter()
                .flat_map(|s| &s.events)
                .filter(|e| matches!(e, Event::Note { note } if f(note)))
                .count()
        };
        assert_eq!(notes(|n| matches!(n, AmqNote::BridgeFailed { .. })), 1);
        assert!(notes(|n| matches!(n, AmqNote::BridgeRetry { .. })) >= 2);
        assert_eq!(notes(|n| matches!(n, AmqNote::BridgeConnected { .. })), 1);
        let end = run.run.last();
        let ledger = &end.protocol.ledger;
        for label in ["m1", "m2", "m3"] {
            assert_eq!(ledger.find(label).unwrap().processed, 1, "{label}");
        }
        assert!(end.protocol.links[0].up);
    }
}
