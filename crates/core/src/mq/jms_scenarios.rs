//! The built-in JMS / ActiveMQ lessons (seed 001 sections 2 and 3, seeds 002 and 003). Each one
//! shows one idea: what a queue keeps until it is acknowledged, selectors, durable subscriptions,
//! the acknowledgement modes, transactions, redelivery and the dead-letter queue, persistence,
//! prefetch, duplicates and idempotent consumers, time to live. The numbers in the narration are
//! the ones the run produces, pinned by the golden traces.

use alloc::collections::BTreeMap;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use super::jms::{
    AckMode, ConsumerSpec, DestinationKind, DestinationSpec, JmsLab, JmsOp, JmsSetup, NodeSpec,
    ProducerSpec, Role, DEFAULT_EXPIRE_PERIOD, DEFAULT_MAX_REDELIVERIES, DEFAULT_REDELIVERY_DELAY,
};
use super::ledger::{NO_LOSS, ONCE};
use super::message::{Body, DeliveryMode};
use super::selector::Value;
use crate::kernel::{Fault, FaultKind, NodeId, Time};
use crate::scenario::{Directive, Scenario, ScriptStep};

const P: NodeId = 0;
const BROKER: NodeId = 1;
const C1: NodeId = 2;
const C2: NodeId = 3;

const PERSISTENT: DeliveryMode = DeliveryMode::Persistent;
const NON_PERSISTENT: DeliveryMode = DeliveryMode::NonPersistent;

type Step = ScriptStep<JmsOp>;

fn consumer(node: NodeId, destination: &str, ack_mode: AckMode) -> ConsumerSpec {
    ConsumerSpec {
        node,
        destination: destination.to_string(),
        ack_mode,
        prefetch: 1000,
        selector: None,
        durable: None,
        idempotent: false,
        connected: true,
    }
}

/// P, Broker and the consumers C1 (and C2), with one queue `orders` or one topic `prices`.
fn setup(destination: (&str, DestinationKind), consumers: Vec<ConsumerSpec>) -> JmsSetup {
    let mut nodes = alloc::vec![
        NodeSpec {
            name: "P".into(),
            role: Role::Producer,
        },
        NodeSpec {
            name: "Broker".into(),
            role: Role::Broker,
        },
        NodeSpec {
            name: "C1".into(),
            role: Role::Consumer,
        },
    ];
    if consumers.iter().any(|c| c.node == C2) {
        nodes.push(NodeSpec {
            name: "C2".into(),
            role: Role::Consumer,
        });
    }
    JmsSetup {
        nodes,
        destinations: alloc::vec![DestinationSpec {
            name: destination.0.to_string(),
            kind: destination.1,
        }],
        producers: alloc::vec![ProducerSpec {
            node: P,
            transacted: false,
        }],
        consumers,
        max_redeliveries: DEFAULT_MAX_REDELIVERIES,
        redelivery_delay: DEFAULT_REDELIVERY_DELAY,
        expire_messages_period: DEFAULT_EXPIRE_PERIOD,
        prioritized: false,
        link: None,
    }
}

const QUEUE: (&str, DestinationKind) = ("orders", DestinationKind::Queue);
const TOPIC: (&str, DestinationKind) = ("prices", DestinationKind::Topic);

fn step(directive: Directive<JmsOp>, en: &str, zh: &str) -> Step {
    ScriptStep::new(directive, en, zh)
}

fn op(op: JmsOp, en: &str, zh: &str) -> Step {
    step(Directive::Op { op }, en, zh)
}

fn fault(fault: Fault, en: &str, zh: &str) -> Step {
    step(Directive::Fault { fault }, en, zh)
}

/// Whatever the network does next: one message arrives.
fn next(en: &str, zh: &str) -> Step {
    step(Directive::Next, en, zh)
}

fn send_op(
    destination: &str,
    delivery_mode: DeliveryMode,
    body: &str,
    properties: &[(&str, &str)],
) -> JmsOp {
    JmsOp::Send {
        producer: P,
        destination: destination.to_string(),
        delivery_mode,
        priority: 4,
        group: None,
        key: None,
        properties: properties
            .iter()
            .map(|(k, v)| (k.to_string(), Value::Str(v.to_string())))
            .collect::<BTreeMap<String, Value>>(),
        body: Body::Text(body.to_string()),
        ttl: None,
        delay: None,
    }
}

/// P sends a message with a text body and no properties.
fn send(destination: &str, mode: DeliveryMode, body: &str, en: &str, zh: &str) -> Step {
    op(send_op(destination, mode, body, &[]), en, zh)
}

fn process(consumer: NodeId, en: &str, zh: &str) -> Step {
    op(JmsOp::Process { consumer }, en, zh)
}

fn acknowledge(consumer: NodeId, en: &str, zh: &str) -> Step {
    op(JmsOp::Acknowledge { consumer }, en, zh)
}

/// Adds a "predict, then reveal" question to a step: `choices` are (English, Chinese) pairs.
fn ask(step: Step, prompt: (&str, &str), choices: &[(&str, &str)], answer: usize) -> Step {
    step.ask(prompt, choices, answer)
}

fn scenario(
    id: &str,
    title: (&str, &str),
    summary: (&str, &str),
    setup: JmsSetup,
    breaks: &[&str],
    steps: Vec<Step>,
) -> Scenario<JmsLab> {
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

pub fn scenarios() -> Vec<Scenario<JmsLab>> {
    alloc::vec![
        unacked_return(),
        selector(),
        durable(),
        client_ack_cumulative(),
        dups_ok(),
        rollback(),
        transacted_send(),
        processed_twice(),
        idempotent(),
        non_persistent(),
        prefetch(),
        ttl(),
    ]
}

fn unacked_return() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    scenario(
        "jms-unacked-return",
        (
            "Unacknowledged messages come back on reconnect",
            "未签收的消息在重新连接后被再次投递",
        ),
        (
            "C1 consumes in CLIENT_ACKNOWLEDGE mode, acknowledges m1 and closes its session before its code gets to m2. When it reconnects, the broker delivers m2 again, but unflagged, with JMSXDeliveryCount still 1: m2 was only prefetched, and the closing session tells the broker which messages its code received. The acknowledged m1 does not come back.",
            "C1 以 CLIENT_ACKNOWLEDGE 模式消费，签收了 m1，代码还没处理到 m2 就关闭了会话。重新连接后，Broker 再次投递 m2，但不带重新投递标记，JMSXDeliveryCount 仍为 1：m2 只是被预取了，而会话关闭时会告诉 Broker 它的代码收到过哪些消息。已签收的 m1 不会回来。",
        ),
        setup(QUEUE, alloc::vec![consumer(C1, q, AckMode::Client)]),
        &[],
        alloc::vec![
            send(q, PERSISTENT, "order 1",
                "P sends m1 (order 1) to the queue orders as a persistent message. C1 consumes in CLIENT_ACKNOWLEDGE mode: a message counts as consumed only once C1 calls acknowledge(), and until then the broker keeps it.",
                "P 向队列 orders 发送持久化消息 m1（正文“order 1”）。C1 以 CLIENT_ACKNOWLEDGE 模式消费：只有 C1 调用 acknowledge() 之后，消息才算被消费；在那之前，Broker 一直保留它。"),
            send(q, PERSISTENT, "order 2",
                "P sends m2 (order 2) the same way.",
                "P 以同样的方式发送 m2（正文“order 2”）。"),
            next(
                "m1 reaches the broker, which writes it to its store, sends P a receipt and pushes m1 on to C1.",
                "m1 到达 Broker：Broker 把它写入持久化存储，给 P 回一个回执，并把 m1 分发给 C1。"),
            next(
                "m2 reaches the broker: stored, a receipt for P, and pushed on to C1.",
                "m2 到达 Broker：写入存储，回执发给 P，消息分发给 C1。"),
            next(
                "m1 reaches C1 with JMSRedelivered = false and JMSXDeliveryCount = 1. The broker now holds it as pushed to C1 and not yet acknowledged.",
                "m1 到达 C1，JMSRedelivered = false，JMSXDeliveryCount = 1。Broker 把它记为“已分发给 C1、尚未签收”。"),
            next(
                "The receipt for m1 reaches P: its send() returns, and P knows that m1 is on the broker's disk.",
                "m1 的回执到达 P：send() 返回，P 知道 m1 已经落在 Broker 的磁盘上。"),
            next(
                "The receipt for m2 reaches P too.",
                "m2 的回执也到达了 P。"),
            next(
                "m2 reaches C1 and waits in its session behind m1.",
                "m2 到达 C1，在会话里排在 m1 后面。"),
            process(C1,
                "C1's code processes m1. Nothing is acknowledged yet: for the broker, m1 is still C1's unacknowledged message.",
                "C1 的业务代码处理了 m1。此时还没有签收：在 Broker 看来，m1 仍是 C1 名下未签收的消息。"),
            acknowledge(C1,
                "C1 calls acknowledge(). An acknowledgement for m1 travels to the broker; m2, which C1 has not consumed, is not part of it.",
                "C1 调用 acknowledge()，m1 的签收发往 Broker；C1 还没消费的 m2 不在其中。"),
            next(
                "The broker gets the acknowledgement and deletes m1: it will never be delivered again.",
                "Broker 收到签收，删除了 m1：它再也不会被投递。"),
            op(JmsOp::Disconnect { consumer: C1 },
                "C1 closes its session before its code gets to m2. The session tells the broker which messages its code received, m1 only, and the broker takes back m2, pushed to C1 but never acknowledged, and keeps it. Amber: a message waits and no consumer is connected.",
                "C1 的代码还没处理到 m2，C1 就关闭了会话。会话告诉 Broker 它的代码收到过哪些消息（只有 m1），Broker 收回这条分发给了 C1 却没有签收的 m2，继续保存。黄色警告：有消息在等待，却没有消费者连接。"),
            ask(
                op(JmsOp::Connect { consumer: C1 },
                    "C1 connects again, and the broker at once pushes m2 a second time. C1's code never received m2, so it does not count as redelivered: JMSRedelivered = false, JMSXDeliveryCount = 1. m1 was acknowledged, so it does not come back.",
                    "C1 重新连接，Broker 立刻再次分发 m2。C1 的代码从没收到过 m2，所以这不算重新投递：JMSRedelivered = false，JMSXDeliveryCount = 1。m1 已经签收，所以不会回来。"),
                ("C1 connects to the queue again. What does the broker deliver?", "C1 重新连接到这个队列。Broker 会投递什么？"),
                &[
                    ("Nothing: both messages were delivered already", "什么都不投递：两条消息都已经投递过了"),
                    ("m2 only, marked as redelivered", "只有 m2，并标记为重新投递"),
                    ("m2 only, as on its first delivery", "只有 m2，和第一次投递时一样"),
                    ("m1 and m2 again", "m1 和 m2 都再投递一次"),
                ],
                2,
            ),
            next(
                "m2 reaches C1 with JMSRedelivered = false and JMSXDeliveryCount = 1. After a clean close, ActiveMQ counts a redelivery only for a message the application received: had C1's code processed m2 before closing, m2 would come back flagged, with JMSXDeliveryCount = 2. Had C1 crashed instead, the broker, not knowing what C1's code had received, would have flagged m2 too.",
                "m2 到达 C1，JMSRedelivered = false，JMSXDeliveryCount = 1。正常关闭时，ActiveMQ 只为应用真正收到过的消息记一次重新投递：如果 C1 的代码在关闭前处理过 m2，m2 回来时就会带上重新投递标记，JMSXDeliveryCount = 2。如果 C1 是宕机了，Broker 不知道它的代码收到过什么，m2 也会带上这个标记。"),
            process(C1,
                "C1 processes m2 for the first time, as its flag says.",
                "C1 处理 m2，正如标记所示，这是第一次。"),
            acknowledge(C1,
                "C1 acknowledges m2.",
                "C1 签收 m2。"),
            next(
                "The broker deletes m2 and the queue is empty. A queue keeps every message until someone acknowledges it, however often its consumer goes away.",
                "Broker 删除 m2，队列清空。无论消费者断开多少次，队列都会保存每条消息，直到有人签收。"),
        ],
    )
}

fn with_color(color: &str, body: &str) -> JmsOp {
    send_op(QUEUE.0, PERSISTENT, body, &[("color", color)])
}

fn selector() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    let mut red = consumer(C1, q, AckMode::Auto);
    red.selector = Some("color = 'red'".into());
    let mut any = consumer(C2, q, AckMode::Auto);
    any.connected = false;
    scenario(
        "jms-selector",
        (
            "A selector leaves messages in the queue",
            "消息选择器把不匹配的消息留在队列里",
        ),
        (
            "C1's selector color = 'red' takes the red message and leaves the blue one in the queue, where it waits until C2 connects without a selector.",
            "C1 的消息选择器 color = 'red' 只拿走红色消息，蓝色消息留在队列里，一直等到不带选择器的 C2 连接上来。",
        ),
        setup(QUEUE, alloc::vec![red, any]),
        &[],
        alloc::vec![
            op(with_color("blue", "blue shirt"),
                "C1 listens on the queue orders with the message selector color = 'red'; C2 is not connected yet. P sends m1, a blue shirt, with the property color = 'blue'.",
                "C1 监听队列 orders，消息选择器是 color = 'red'；C2 还没有连接。P 发送 m1（一件蓝衬衫），属性 color = 'blue'。"),
            op(with_color("red", "red shirt"),
                "P sends m2, a red shirt, with color = 'red'.",
                "P 发送 m2（一件红衬衫），属性 color = 'red'。"),
            ask(
                next(
                    "m1 reaches the broker and is stored. C1's selector does not match blue and no other consumer is connected, so m1 stays in the queue.",
                    "m1 到达 Broker 并被存储。C1 的选择器不匹配蓝色，又没有别的消费者连接，所以 m1 留在队列里。"),
                ("m1 is blue, and C1 selects only red messages. What happens to m1 at the broker?", "m1 是蓝色的，而 C1 只选择红色消息。m1 到了 Broker 会怎样？"),
                &[
                    ("It is pushed to C1, which drops it", "分发给 C1，C1 把它丢掉"),
                    ("The broker discards it", "被 Broker 丢弃"),
                    ("It stays in the queue", "留在队列里"),
                ],
                2,
            ),
            next(
                "m2 reaches the broker. Red matches C1's selector, so the broker pushes m2 to C1, past the blue m1 at the head of the queue.",
                "m2 到达 Broker。红色匹配 C1 的选择器，于是 Broker 越过队头的蓝色 m1，把 m2 分发给 C1。"),
            next(
                "The receipt for m1 reaches P: m1 is safely stored, though nobody consumes it yet.",
                "m1 的回执到达 P：m1 已安全存储，只是暂时没人消费。"),
            next(
                "The receipt for m2 reaches P.",
                "m2 的回执到达 P。"),
            next(
                "m2 reaches C1.",
                "m2 到达 C1。"),
            process(C1,
                "C1 processes m2. In AUTO_ACKNOWLEDGE mode the session acknowledges it as soon as processing returns.",
                "C1 处理 m2。在 AUTO_ACKNOWLEDGE 模式下，处理一返回，会话就自动签收。"),
            next(
                "The broker deletes m2. m1 is still there: C1 will never see it, however long it runs.",
                "Broker 删除 m2。m1 还在：无论 C1 运行多久，都看不到它。"),
            ask(
                op(JmsOp::Connect { consumer: C2 },
                    "C2 connects with no selector, and the broker pushes it m1, the message that has waited all along.",
                    "C2 不带选择器连接上来，Broker 把一直在等待的 m1 分发给它。"),
                ("C2 connects without a selector. What does it get?", "C2 不带选择器连接。它会收到什么？"),
                &[
                    ("m1, which has waited in the queue", "m1，一直留在队列里的那条"),
                    ("Nothing: m1 was skipped and is gone", "什么都没有：m1 被跳过后已经没了"),
                    ("m1 and m2", "m1 和 m2"),
                ],
                0,
            ),
            next(
                "m1 reaches C2 with JMSXDeliveryCount = 1: being passed over by C1's selector was not a delivery.",
                "m1 到达 C2，JMSXDeliveryCount = 1：被 C1 的选择器跳过并不算投递。"),
            process(C2,
                "C2 processes m1 and its session acknowledges it.",
                "C2 处理 m1，会话自动签收。"),
            next(
                "The broker deletes m1 and the queue is empty. A selector decides what one consumer takes; it never deletes what that consumer leaves.",
                "Broker 删除 m1，队列清空。选择器只决定某个消费者拿走哪些消息，从不删除它不要的消息。"),
        ],
    )
}

fn durable() -> Scenario<JmsLab> {
    let t = TOPIC.0;
    let mut audit = consumer(C1, t, AckMode::Auto);
    audit.durable = Some("audit".into());
    let screen = consumer(C2, t, AckMode::Auto);
    scenario(
        "jms-durable",
        (
            "A durable and a non-durable subscriber go offline",
            "持久订阅者和非持久订阅者同时离线",
        ),
        (
            "Both subscribers of a topic are offline while two prices are published. On reconnect the durable subscriber receives both; the non-durable one never sees them, only what is published after it subscribes again.",
            "主题的两个订阅者都离线时，发布了两个价格。重新连接后，持久订阅者收到了这两条；非持久订阅者永远看不到它们，只能收到重新订阅之后发布的消息。",
        ),
        setup(TOPIC, alloc::vec![audit, screen]),
        &[],
        alloc::vec![
            op(JmsOp::Disconnect { consumer: C1 },
                "The topic prices has two subscribers: C1 with the durable subscription audit, C2 with an ordinary non-durable one. C1 goes offline; its durable subscription stays on the broker.",
                "主题 prices 有两个订阅者：C1 使用名为 audit 的持久订阅，C2 使用普通的非持久订阅。C1 下线，它的持久订阅仍然保留在 Broker 上。"),
            op(JmsOp::Disconnect { consumer: C2 },
                "C2 goes offline too, and its non-durable subscription ends with its session.",
                "C2 也下线了，它的非持久订阅随着会话一起结束。"),
            send(t, PERSISTENT, "price 10",
                "With both subscribers away, P publishes m1 (price 10) to the topic.",
                "两个订阅者都不在线，P 向主题发布 m1（price 10）。"),
            send(t, PERSISTENT, "price 11",
                "P publishes m2 (price 11).",
                "P 发布 m2（price 11）。"),
            next(
                "m1 reaches the broker, which keeps a copy for the durable subscription audit and none for C2, which has no subscription now. Amber: a message waits and no consumer is connected.",
                "m1 到达 Broker，Broker 为持久订阅 audit 保存一份，却不为 C2 保存：C2 现在没有订阅。黄色警告：有消息在等待，却没有消费者连接。"),
            next(
                "m2 is kept for audit as well: two messages wait for C1.",
                "m2 同样为 audit 保存：两条消息在等 C1。"),
            next(
                "P gets the receipt for m1.",
                "P 收到 m1 的回执。"),
            next(
                "P gets the receipt for m2: as far as P knows, both prices are published.",
                "P 收到 m2 的回执：在 P 看来，两个价格都已发布。"),
            ask(
                op(JmsOp::Connect { consumer: C1 },
                    "C1 comes back to its durable subscription audit, and the broker pushes it m1 and m2, which it kept while C1 was away.",
                    "C1 回到持久订阅 audit，Broker 把它离线期间保存的 m1 和 m2 分发给它。"),
                ("Both subscribers come back. Who gets price 10 and price 11?", "两个订阅者都回来了。谁会收到 price 10 和 price 11？"),
                &[
                    ("Both C1 and C2", "C1 和 C2 都会收到"),
                    ("Only C1, the durable subscriber", "只有持久订阅者 C1"),
                    ("Neither: a topic keeps nothing", "谁都收不到：主题不保存消息"),
                ],
                1,
            ),
            op(JmsOp::Connect { consumer: C2 },
                "C2 comes back with a brand-new non-durable subscription. It starts now: nothing published before is kept for it.",
                "C2 回来后建立一个全新的非持久订阅，从此刻开始生效：之前发布的消息不会为它保留。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            next(
                "m2 reaches C1: the durable subscriber missed nothing. C2 missed both, for good.",
                "m2 到达 C1：持久订阅者一条都没错过。C2 则永远错过了这两条。"),
            send(t, PERSISTENT, "price 12",
                "Now that both are subscribed, P publishes m3 (price 12).",
                "两个订阅者都在线了，P 发布 m3（price 12）。"),
            next(
                "The broker keeps one copy per subscription, m3 for audit and m3→C2 for C2's subscription, and pushes each to its subscriber.",
                "Broker 为每个订阅各保存一份：给 audit 的 m3，以及给 C2 订阅的 m3→C2，并分别分发给各自的订阅者。"),
            next(
                "P gets the receipt for m3.",
                "P 收到 m3 的回执。"),
            next(
                "C2 receives its copy, m3→C2: a non-durable subscriber gets what is published while it is connected.",
                "C2 收到自己的副本 m3→C2：非持久订阅者能收到它在线期间发布的消息。"),
            next(
                "C1 receives m3. When every message must arrive, even across a disconnect, use a durable subscription.",
                "C1 收到 m3。如果每条消息都必须收到，即使中途断线也不能漏，就要用持久订阅。"),
        ],
    )
}

fn client_ack_cumulative() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    scenario(
        "jms-client-ack-cumulative",
        (
            "CLIENT_ACKNOWLEDGE acknowledges every message consumed so far",
            "CLIENT_ACKNOWLEDGE 一次签收之前消费过的所有消息",
        ),
        (
            "C1 processes three of four messages and calls acknowledge() once: that single call acknowledges all three. A crash afterwards brings back only m4, the message consumed after the last acknowledge().",
            "C1 处理了四条消息中的三条，只调用了一次 acknowledge()：这一次就签收了全部三条。之后宕机，只有最后一次签收之后消费的 m4 被重新投递。",
        ),
        setup(QUEUE, alloc::vec![consumer(C1, q, AckMode::Client)]),
        &[],
        alloc::vec![
            send(q, PERSISTENT, "order 1",
                "C1 consumes the queue orders in CLIENT_ACKNOWLEDGE mode. In JMS, acknowledge() acknowledges every message the session has consumed so far, not just the one it is called on. P sends m1.",
                "C1 以 CLIENT_ACKNOWLEDGE 模式消费队列 orders。在 JMS 里，acknowledge() 签收的是会话到目前为止消费过的所有消息，而不只是调用它的那一条。P 发送 m1。"),
            send(q, PERSISTENT, "order 2",
                "P sends m2.",
                "P 发送 m2。"),
            send(q, PERSISTENT, "order 3",
                "P sends m3.",
                "P 发送 m3。"),
            send(q, PERSISTENT, "order 4",
                "P sends m4: four persistent orders are on their way.",
                "P 发送 m4：四条持久化订单消息都在路上。"),
            next(
                "m1 reaches the broker: stored, a receipt back to P, and pushed to C1.",
                "m1 到达 Broker：写入存储，回执发回 P，消息分发给 C1。"),
            next(
                "m2 reaches the broker and goes the same way.",
                "m2 到达 Broker，同样处理。"),
            next(
                "m3 reaches the broker.",
                "m3 到达 Broker。"),
            next(
                "m4 reaches the broker. C1's prefetch of 1000 has room for all four, so all four are pushed to it.",
                "m4 到达 Broker。C1 的预取上限是 1000，四条都放得下，所以全部分发给 C1。"),
            next(
                "P gets the receipt for m1.",
                "P 收到 m1 的回执。"),
            next(
                "P gets the receipt for m2.",
                "P 收到 m2 的回执。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            next(
                "m2 reaches C1.",
                "m2 到达 C1。"),
            next(
                "P gets the receipt for m3.",
                "P 收到 m3 的回执。"),
            next(
                "m3 reaches C1.",
                "m3 到达 C1。"),
            next(
                "m4 reaches C1: four messages delivered, none acknowledged.",
                "m4 到达 C1：四条消息都已投递，一条也没签收。"),
            next(
                "P gets the receipt for m4: all four are safe on the broker's disk.",
                "P 收到 m4 的回执：四条消息都安全地落在 Broker 的磁盘上。"),
            process(C1,
                "C1 processes m1 and does not acknowledge yet.",
                "C1 处理 m1，暂不签收。"),
            process(C1,
                "C1 processes m2.",
                "C1 处理 m2。"),
            process(C1,
                "C1 processes m3. Three messages are consumed and unacknowledged.",
                "C1 处理 m3。三条消息已消费、未签收。"),
            ask(
                acknowledge(C1,
                    "C1 calls acknowledge() after m3, and the one acknowledgement that leaves covers m1, m2 and m3: everything consumed so far. m4, delivered but not consumed, is not in it.",
                    "C1 处理完 m3 后调用 acknowledge()，发往 Broker 的这一个签收覆盖了 m1、m2 和 m3：到目前为止消费过的全部消息。已投递但还没消费的 m4 不在其中。"),
                ("C1 calls acknowledge() on m3. Which messages does that acknowledge?", "C1 对 m3 调用 acknowledge()。这会签收哪些消息？"),
                &[
                    ("Only m3", "只有 m3"),
                    ("m1, m2 and m3", "m1、m2 和 m3"),
                    ("All four, m4 included", "全部四条，包括 m4"),
                ],
                1,
            ),
            next(
                "The broker deletes m1, m2 and m3 in one go.",
                "Broker 一次删除了 m1、m2 和 m3。"),
            process(C1,
                "C1 processes m4 and has not acknowledged it yet.",
                "C1 处理了 m4，但还没签收。"),
            fault(Fault::Crash { node: C1 },
                "C1 crashes before its next acknowledge(). Its connection breaks, but the broker notices only a little later; until then it still holds m4 for C1.",
                "C1 在下一次 acknowledge() 之前宕机。它的连接断了，但 Broker 要过一会儿才会发现；在那之前，它仍替 C1 挂着 m4。"),
            fault(Fault::Restart { node: C1 },
                "C1 restarts and connects again. m4 is still locked to C1's old connection: it waits until the broker notices that connection is gone.",
                "C1 重启并重新连接。m4 仍锁定在 C1 的旧连接上：要等 Broker 发现旧连接已经断开，它才能再次分发。"),
            ask(
                next(
                    "The broker notices that C1's old connection is gone and takes back m4, the only message it still holds for C1, counting a delivery for it, as it does for every unacknowledged message of a consumer that crashed. It dispatches m4 to C1's new session: only m4, since m1 to m3 were acknowledged by one call.",
                    "Broker 发现 C1 的旧连接已经断开，收回 m4（这是它还替 C1 挂着的唯一一条消息），并像对待宕机消费者的每一条未签收消息那样，给它记一次投递。它把 m4 分发给 C1 的新会话：只有 m4，因为 m1 到 m3 已经被一次调用签收了。"),
                ("C1 has restarted. Which messages does the broker deliver again?", "C1 已经重启。Broker 会重新投递哪些消息？"),
                &[
                    ("All four", "全部四条"),
                    ("Only m4", "只有 m4"),
                    ("None: m4 was already processed", "一条都没有：m4 已经处理过了"),
                ],
                1,
            ),
            next(
                "m4 arrives with JMSRedelivered = true and JMSXDeliveryCount = 2. C1 has processed m4 once already, so processing it now would be a duplicate: acknowledge sooner, or make the consumer idempotent.",
                "m4 到达，带着 JMSRedelivered = true 和 JMSXDeliveryCount = 2。C1 之前已经处理过一次 m4，现在再处理就是重复消费：要么更早签收，要么让消费者幂等。"),
        ],
    )
}

fn fail(consumer: NodeId, en: &str, zh: &str) -> Step {
    op(JmsOp::Fail { consumer }, en, zh)
}

fn rollback() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    let mut s = setup(QUEUE, alloc::vec![consumer(C1, q, AckMode::Transacted)]);
    s.max_redeliveries = 2;
    scenario(
        "jms-rollback",
        (
            "A transacted session rolls back until the message is dead-lettered",
            "事务性会话反复回滚，消息最终进入死信队列",
        ),
        (
            "C1's handler fails on m1 three times, and C1 rolls back each time. The ActiveMQ client itself redelivers m1, 1,000 ms after each rollback (the default delay); after maximumRedeliveries = 2 (6 by default) it sends the broker a poison acknowledgement, and the broker moves m1 to ActiveMQ.DLQ. The attempts failed before doing anything, so nothing was processed twice.",
            "C1 的处理代码对 m1 失败了三次，C1 每次都回滚。重新投递由 ActiveMQ 客户端自己完成：每次回滚后等待 1,000 毫秒（默认延迟）再投递；超过最大重新投递次数 2（默认 6）之后，客户端给 Broker 发送毒消息签收（poison ack），Broker 把 m1 移进 ActiveMQ.DLQ。这些尝试都在做任何事之前就失败了，所以没有消息被重复处理。",
        ),
        s,
        &[],
        alloc::vec![
            send(q, PERSISTENT, "order 1",
                "C1 consumes the queue orders in a transacted session, and its handler fails on order 1 every time, before it has written anything. The client's redelivery policy: maximumRedeliveries = 2 in the lab (6 by default), a redelivery delay of 1,000 ms (the default). P sends m1.",
                "C1 在事务性会话里消费队列 orders，它的处理代码每次处理“order 1”都会失败，而且是在写入任何东西之前就失败。客户端的重新投递策略：实验中最大重新投递次数为 2（默认 6），重新投递延迟 1,000 毫秒（默认值）。P 发送 m1。"),
            next(
                "m1 reaches the broker: stored, a receipt for P, and dispatched to C1.",
                "m1 到达 Broker：写入存储，回执发给 P，消息分发给 C1。"),
            next(
                "P gets its receipt: m1 is safe on the broker.",
                "P 收到回执：m1 已安全地保存在 Broker 上。"),
            next(
                "m1 reaches C1 with JMSXDeliveryCount = 1.",
                "m1 到达 C1，JMSXDeliveryCount = 1。"),
            fail(C1,
                "C1's handler runs on m1 and throws before it has done anything: a failed attempt, with no side effect.",
                "C1 的处理代码对 m1 运行，还没做任何事就抛出异常：这是一次失败的尝试，没有副作用。"),
            ask(
                op(JmsOp::Rollback { node: C1 },
                    "C1 rolls back its session. The rollback goes to the broker, but the redelivery is the ActiveMQ client's work: the client raises m1's count and keeps it for 1,000 ms (the default delay) before handing it to the handler again.",
                    "C1 回滚会话。回滚会发给 Broker，但重新投递是 ActiveMQ 客户端的工作：客户端提高 m1 的投递计数，把它留在本地 1,000 毫秒（默认延迟），再交给处理代码。"),
                ("C1 rolls back. Who delivers m1 again, and when?", "C1 回滚了。谁来再次投递 m1，什么时候？"),
                &[
                    ("The broker, at once", "Broker，立刻"),
                    ("C1's own client, after the redelivery delay", "C1 自己的客户端，在重新投递延迟之后"),
                    ("Nobody: a rollback deletes it", "没有人：回滚会删除它"),
                ],
                1,
            ),
            next(
                "The rollback reaches the broker, which undoes the transaction's acknowledgement and keeps m1 as C1's. It is not asked to redeliver and learns nothing of m1's count.",
                "回滚到达 Broker，Broker 撤销这个事务的签收，m1 仍归 C1。没有人要求它重新投递，它也不知道 m1 的投递计数。"),
            next(
                "1,000 ms later the client hands m1 to the handler again, with JMSRedelivered = true and JMSXDeliveryCount = 2.",
                "1,000 毫秒后，客户端把 m1 再次交给处理代码，带着 JMSRedelivered = true 和 JMSXDeliveryCount = 2。"),
            fail(C1,
                "The handler fails a second time, again before doing anything. \"No message is processed twice\" stays green: a failed attempt is not a repeated side effect. Had the handler written to a database before it threw, the retry would repeat that write, and only an idempotent consumer would protect it.",
                "处理代码第二次失败，同样是在做任何事之前。“没有消息被重复处理”保持绿色：失败的尝试不是重复的副作用。如果处理代码在抛出异常前已经写了数据库，重试就会重复这次写入，只有幂等消费才能防住。"),
            op(JmsOp::Rollback { node: C1 },
                "C1 rolls back again. m1 has been redelivered before, so after the rollback the client also sends a redelivered acknowledgement, and waits another 1,000 ms.",
                "C1 再次回滚。m1 之前已经重新投递过，所以回滚之后，客户端还会发送一个“重新投递签收”，然后再等 1,000 毫秒。"),
            next(
                "The rollback reaches the broker: m1 stays C1's, not acknowledged.",
                "回滚到达 Broker：m1 仍归 C1，未签收。"),
            next(
                "The redelivered acknowledgement reaches the broker, which only checks that m1 is dispatched to C1. Its own count for m1 stays 1: the count lives in C1's client.",
                "重新投递签收到达 Broker，Broker 只核对 m1 确实分发给了 C1。它自己记录的 m1 投递计数仍是 1：计数保存在 C1 的客户端里。"),
            next(
                "After the delay the client hands m1 over a third time, with JMSXDeliveryCount = 3.",
                "延迟结束后，客户端第三次交出 m1，JMSXDeliveryCount = 3。"),
            fail(C1,
                "The handler fails a third time.",
                "处理代码第三次失败。"),
            ask(
                op(JmsOp::Rollback { node: C1 },
                    "C1 rolls back a third time. m1's redelivery counter would be 3, above maximumRedeliveries = 2, so the client gives up: after the rollback it sends the broker a poison acknowledgement for m1.",
                    "C1 第三次回滚。m1 的重新投递计数将是 3，超过最大重新投递次数 2，于是客户端放弃：回滚之后，它给 Broker 发送 m1 的毒消息签收（poison ack）。"),
                ("C1 rolls back a third time. m1 has been redelivered twice and maximumRedeliveries is 2. What does C1's client do?", "C1 第三次回滚。m1 已经重新投递了两次，最大重新投递次数是 2。C1 的客户端会怎么做？"),
                &[
                    ("Redeliver it a third time", "第三次重新投递"),
                    ("Send the broker a poison acknowledgement", "给 Broker 发送毒消息签收"),
                    ("Delete it without telling the broker", "不通知 Broker，直接删除"),
                ],
                1,
            ),
            next(
                "The rollback reaches the broker first: m1 is still C1's.",
                "回滚先到达 Broker：m1 仍归 C1。"),
            next(
                "The poison acknowledgement, with the client's count, reaches the broker, which moves the persistent m1 to the dead-letter queue ActiveMQ.DLQ, where someone can inspect it, and the queue moves on. A non-persistent message would simply be dropped: ActiveMQ's dead-letter strategy skips non-persistent messages by default (processNonPersistent = false).",
                "带着客户端计数的毒消息签收到达 Broker，Broker 把持久化消息 m1 移进死信队列 ActiveMQ.DLQ，有人可以在那里检查它，队列也能继续往下走。如果是非持久化消息，则会被直接丢弃：ActiveMQ 的死信策略默认跳过非持久化消息（processNonPersistent = false）。"),
        ],
    )
}

fn transacted_send() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    let mut s = setup(QUEUE, alloc::vec![consumer(C1, q, AckMode::Auto)]);
    s.producers[0].transacted = true;
    scenario(
        "jms-tx-send",
        (
            "A transacted producer's sends stay invisible until the commit",
            "事务性生产者发送的消息在提交前不可见",
        ),
        (
            "P sends in a transacted session: each message reaches the broker at once, and the broker holds it where no consumer can see it. A rollback makes the broker discard them; a commit makes them visible together; a crash before the commit makes the broker roll the transaction back.",
            "P 在事务性会话中发送：每条消息都立即到达 Broker，Broker 把它们放在消费者看不到的地方。回滚让 Broker 丢弃它们；提交让它们一起变为可见；提交前宕机，Broker 会回滚这个事务。",
        ),
        s,
        &[],
        alloc::vec![
            send(q, PERSISTENT, "debit A",
                "P sends in a transacted session; a transfer takes two messages, debit account A and credit account B. P sends m1 (debit A): ActiveMQ sends it to the broker at once, without waiting for a receipt.",
                "P 使用事务性会话发送；一次转账需要两条消息：从账户 A 扣款，给账户 B 入账。P 发送 m1（debit A）：ActiveMQ 立即把它发给 Broker，不等回执。"),
            send(q, PERSISTENT, "credit B",
                "P sends m2 (credit B) the same way.",
                "P 以同样的方式发送 m2（credit B）。"),
            next(
                "m1 reaches the broker, which holds it in P's transaction: it is not in the queue, and no consumer can see it.",
                "m1 到达 Broker，Broker 把它保存在 P 的事务里：它不在队列中，任何消费者都看不到它。"),
            next(
                "m2 reaches the broker and joins m1 in P's transaction.",
                "m2 到达 Broker，和 m1 一起留在 P 的事务里。"),
            ask(
                op(JmsOp::Rollback { node: P },
                    "P finds the transfer invalid and rolls back: a rollback request goes to the broker.",
                    "P 发现这笔转账无效，于是回滚：一个回滚请求发往 Broker。"),
                ("P rolls back. Where are m1 and m2 at this moment?", "P 回滚了。此刻 m1 和 m2 在哪里？"),
                &[
                    ("Still in P: a transaction sends nothing before the commit", "还在 P 里：事务在提交前什么都不发送"),
                    ("At the broker, invisible to consumers, until the rollback reaches it", "在 Broker 上，对消费者不可见，直到回滚请求到达"),
                    ("With C1, which must undo them", "在 C1 那里，C1 得撤销它们"),
                ],
                1,
            ),
            next(
                "The rollback reaches the broker, which discards m1 and m2. The broker had them; C1 never saw them.",
                "回滚请求到达 Broker，Broker 丢弃了 m1 和 m2。Broker 曾经拿到过它们，C1 却从未看到。"),
            send(q, PERSISTENT, "debit A",
                "P tries again: m3 (debit A) goes to the broker in a new transaction.",
                "P 重新来过：m3（debit A）在新的事务里发往 Broker。"),
            send(q, PERSISTENT, "credit B",
                "m4 (credit B) follows.",
                "m4（credit B）随后发出。"),
            next(
                "m3 reaches the broker and waits, invisible, in P's transaction.",
                "m3 到达 Broker，在 P 的事务里不可见地等待。"),
            next(
                "m4 joins it.",
                "m4 也加入进来。"),
            op(JmsOp::Commit { node: P },
                "P commits: a commit request goes to the broker, and commit() waits for its reply.",
                "P 提交：一个提交请求发往 Broker，commit() 等待它的答复。"),
            next(
                "The commit reaches the broker: m3 and m4 enter the queue together, so a consumer never sees the debit without the credit. The broker answers P and dispatches both to C1.",
                "提交请求到达 Broker：m3 和 m4 一起进入队列，消费者永远不会只看到扣款而看不到入账。Broker 答复 P，并把两条都分发给 C1。"),
            next(
                "m3 reaches C1.",
                "m3 到达 C1。"),
            next(
                "The reply reaches P, and its commit() returns: now P knows that m3 and m4 are stored.",
                "答复到达 P，commit() 返回：现在 P 知道 m3 和 m4 已经存下了。"),
            next(
                "m4 reaches C1.",
                "m4 到达 C1。"),
            send(q, PERSISTENT, "debit C",
                "P starts another transfer: m5 (debit C) goes to the broker in a new transaction.",
                "P 开始另一笔转账：m5（debit C）在新的事务里发往 Broker。"),
            next(
                "m5 reaches the broker and waits, invisible, in P's transaction.",
                "m5 到达 Broker，在 P 的事务里不可见地等待。"),
            ask(
                fault(Fault::Crash { node: P },
                    "P crashes before it commits. P was never told that m5 was stored, so the no-loss invariant stays green: an uncommitted send is not a promise, and P can redo the transfer after a restart.",
                    "P 在提交之前宕机。P 从未被告知 m5 已存下，所以不丢消息的不变式保持绿色：未提交的发送不算承诺，P 重启后可以重做这笔转账。"),
                ("P crashes before committing m5. Does the invariant \"no message the producer counts as sent is lost\" turn red?", "P 在提交 m5 之前宕机。“生产者认为已发出的消息不会丢失”这个不变式会变红吗？"),
                &[
                    ("Yes: m5 is lost", "会：m5 丢了"),
                    ("No: P was never told that m5 was stored", "不会：P 从未被告知 m5 已存下"),
                ],
                1,
            ),
            fault(Fault::Restart { node: P },
                "P restarts with no transaction open. The broker still holds m5 in P's old transaction: it has not noticed yet that the connection is gone.",
                "P 重启，没有打开的事务。Broker 仍在 P 的旧事务里保存着 m5：它还没发现旧连接已经断开。"),
            next(
                "The broker notices that P's old connection is gone and rolls its transaction back: m5 is discarded, and no consumer ever saw it.",
                "Broker 发现 P 的旧连接已经断开，回滚了它的事务：m5 被丢弃，没有任何消费者见过它。"),
            process(C1,
                "C1 processes m3: account A is debited.",
                "C1 处理 m3：账户 A 扣款。"),
            process(C1,
                "C1 processes m4: account B is credited. What P committed reached C1 as a whole; what it rolled back or never committed reached the broker but no consumer.",
                "C1 处理 m4：账户 B 入账。提交了的消息完整地到达了 C1；回滚或未提交的消息到过 Broker，却没有到达任何消费者。"),
        ],
    )
}

fn non_persistent() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    let mut c = consumer(C1, q, AckMode::Auto);
    c.connected = false;
    scenario(
        "jms-non-persistent",
        (
            "Non-persistent messages vanish when the broker restarts",
            "非持久化消息在 Broker 重启后消失",
        ),
        (
            "Two persistent and two non-persistent messages wait in a queue with no consumer. The broker crashes and restarts: the persistent ones come back from its store, the non-persistent ones are gone, although the producer's asynchronous send had told it they were sent.",
            "队列里有两条持久化消息和两条非持久化消息，暂时没有消费者。Broker 宕机后重启：持久化消息从存储中恢复，非持久化消息丢失了，尽管生产者的异步发送早已告诉它消息已发出。",
        ),
        setup(QUEUE, alloc::vec![c]),
        &[NO_LOSS],
        alloc::vec![
            send(q, PERSISTENT, "order 1",
                "No consumer is connected to the queue orders yet. P sends m1 (order 1) as a persistent message: ActiveMQ sends it synchronously, and send() waits for the broker's receipt.",
                "队列 orders 目前没有消费者连接。P 把 m1（正文“order 1”）作为持久化消息发送：ActiveMQ 同步发送持久化消息，send() 要等 Broker 的回执。"),
            send(q, NON_PERSISTENT, "stock tick 1",
                "P sends m2 (stock tick 1) as non-persistent: ActiveMQ sends it asynchronously, so send() returns at once and P takes m2 as sent.",
                "P 把 m2（stock tick 1）作为非持久化消息发送：ActiveMQ 异步发送非持久化消息，send() 立即返回，P 认为 m2 已经发出。"),
            send(q, PERSISTENT, "order 2",
                "P sends m3 (order 2), persistent.",
                "P 发送持久化消息 m3（正文“order 2”）。"),
            send(q, NON_PERSISTENT, "stock tick 2",
                "P sends m4 (stock tick 2), non-persistent: again send() returns at once.",
                "P 发送非持久化消息 m4（stock tick 2）：send() 又是立即返回。"),
            next(
                "m1 reaches the broker and is written to its store; a receipt goes back to P. With no consumer connected, m1 waits (amber).",
                "m1 到达 Broker，写入持久化存储，回执发回 P。没有消费者连接，m1 只能等待（黄色）。"),
            next(
                "m2 reaches the broker and is kept in memory only: a non-persistent message is not written to disk.",
                "m2 到达 Broker，只保存在内存里：非持久化消息不写磁盘。"),
            next(
                "m3 is written to the store, and its receipt goes back to P.",
                "m3 写入存储，回执发回 P。"),
            next(
                "m4 is kept in memory. The queue holds four messages: two on disk, two in memory.",
                "m4 保存在内存中。队列里现在有四条消息：两条在磁盘上，两条在内存里。"),
            next(
                "The receipt for m1 reaches P: m1 is on disk.",
                "m1 的回执到达 P：m1 已经落盘。"),
            next(
                "The receipt for m3 reaches P.",
                "m3 的回执到达 P。"),
            ask(
                fault(Fault::Crash { node: BROKER },
                    "The broker crashes, and m2 and m4 go with its memory. P was told they were sent, so \"no message the producer counts as sent is lost\" turns red; sending them PERSISTENT would have prevented it.",
                    "Broker 宕机，内存里的 m2 和 m4 随之丢失。P 以为它们已经发出，所以“生产者认为已发出的消息不会丢失”的不变式变红；把它们作为持久化消息（PERSISTENT）发送就能避免。"),
                ("The broker crashes and restarts. How many of the 4 messages are still in the queue afterwards?", "Broker 宕机后又重启。之后队列里还剩几条消息？"),
                &[
                    ("All 4", "4 条都在"),
                    ("2: the persistent ones", "2 条：持久化的那两条"),
                    ("None", "一条都没有"),
                ],
                1,
            ),
            fault(Fault::Restart { node: BROKER },
                "The broker restarts and reloads its store: m1 and m3 are back in the queue, still waiting for a consumer. P did notice the crash, since its connection broke (an exception, or a transport interruption with the failover transport); what it cannot tell is which of its asynchronous sends the broker had only in memory. Only a receipt says that a message was stored.",
                "Broker 重启，从持久化存储中恢复：m1 和 m3 回到队列里，继续等待消费者。P 其实注意到了宕机：它的连接断了（抛出异常，或在 failover 传输下收到传输中断的通知）；它无法知道的是，哪些异步发送的消息当时只在 Broker 的内存里。只有回执才能说明一条消息已经存下。"),
            op(JmsOp::Connect { consumer: C1 },
                "C1 connects, and the broker pushes it m1 and m3.",
                "C1 连接上来，Broker 把 m1 和 m3 分发给它。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            next(
                "m3 reaches C1.",
                "m3 到达 C1。"),
            process(C1,
                "C1 processes m1 (order 1).",
                "C1 处理 m1（正文“order 1”）。"),
            process(C1,
                "C1 processes m3 (order 2): both orders survived the crash, the two stock ticks did not. Non-persistent suits data that is cheap to lose, such as a price the next tick replaces anyway.",
                "C1 处理 m3（正文“order 2”）：两条订单都挺过了宕机，两条行情消息则没有。非持久化适合丢了也无妨的数据，比如反正会被下一条行情覆盖的价格。"),
        ],
    )
}

fn processed_twice() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    scenario(
        "jms-processed-twice",
        (
            "A consumer crashes after processing and before acknowledging: processed twice",
            "消费者处理完、签收前宕机：消息被处理两次",
        ),
        (
            "C1 processes a payment and crashes before acknowledging it. The broker delivers the payment again and C1 charges the customer a second time.",
            "C1 处理了一笔支付，在签收之前宕机。Broker 再次投递这条支付消息，C1 又扣了一次款。",
        ),
        setup(QUEUE, alloc::vec![consumer(C1, q, AckMode::Client)]),
        &[ONCE],
        alloc::vec![
            send(q, PERSISTENT, "pay order 7",
                "C1 charges customers: for each payment message it debits the customer's account, then calls acknowledge() (CLIENT_ACKNOWLEDGE). P sends m1, pay order 7.",
                "C1 负责扣款：每收到一条支付消息，就从顾客账户扣一次款，然后调用 acknowledge()（CLIENT_ACKNOWLEDGE 模式）。P 发送 m1：为订单 7 付款。"),
            next(
                "m1 reaches the broker: stored, a receipt for P, and pushed to C1.",
                "m1 到达 Broker：写入存储，回执发给 P，消息分发给 C1。"),
            next(
                "P gets its receipt: m1 is safe.",
                "P 收到回执：m1 是安全的。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            process(C1,
                "C1 processes m1: the customer is charged for order 7. The acknowledgement is the next line of code.",
                "C1 处理 m1：为订单 7 扣了款。签收是下一行代码。"),
            fault(Fault::Crash { node: C1 },
                "C1 crashes between those two lines. Its TCP connection breaks, but the broker does not know yet: for now, m1 is still C1's unacknowledged message. A broker notices a broken connection when the socket reports it, or through its inactivity monitor (maxInactivityDuration, 30 s by default) when C1's machine simply vanishes; the lab takes 50 ms.",
                "C1 恰好在这两行代码之间宕机。它的 TCP 连接断了，但 Broker 还不知道：此刻 m1 仍是 C1 名下未签收的消息。Broker 要么在套接字报错时发现连接断开，要么在 C1 的机器直接消失时靠不活动监测发现（maxInactivityDuration，默认 30 秒）；实验中用 50 毫秒。"),
            fault(Fault::Restart { node: C1 },
                "C1 restarts and connects again. m1 is still locked to C1's old connection: it waits until the broker notices that connection is gone.",
                "C1 重启并重新连接。m1 仍锁定在 C1 的旧连接上：要等 Broker 发现旧连接已经断开，它才能再次分发。"),
            ask(
                next(
                    "The broker notices that C1's old connection is gone and takes m1 back: as far as it knows, m1 was never consumed. It cannot know whether m1 reached C1's code, so it counts a delivery for every message it had dispatched to C1 and not got an acknowledgement for, even one only prefetched: m1 is flagged as redelivered and dispatched to C1's new session.",
                    "Broker 发现 C1 的旧连接已经断开，收回 m1：在它看来，m1 从未被消费。它无法知道 m1 是否到过 C1 的代码，所以凡是分发给 C1 而没收到签收的消息（哪怕只是被预取），都记一次投递：m1 带上重新投递标记，分发给 C1 的新会话。"),
                ("C1 has restarted. What happens to m1?", "C1 已经重启。m1 会怎样？"),
                &[
                    ("Nothing: C1 already processed it", "什么也不会发生：C1 已经处理过它了"),
                    ("It is delivered again, flagged as redelivered", "再次投递，并标记为重新投递"),
                    ("It goes to the dead-letter queue", "进入死信队列"),
                ],
                1,
            ),
            next(
                "m1 arrives again with JMSRedelivered = true and JMSXDeliveryCount = 2.",
                "m1 再次到达，带着 JMSRedelivered = true 和 JMSXDeliveryCount = 2。"),
            ask(
                process(C1,
                    "C1's code checks nothing and charges the customer for order 7 a second time: the invariant \"no message is processed twice\" turns red. An idempotent consumer, which keeps the IDs of processed messages in a dedup table, would have skipped it.",
                    "C1 的代码什么也没检查，又为订单 7 扣了一次款：“没有消息被重复处理”的不变式变红。如果是幂等消费者，用去重表记录已处理的消息 ID，就会跳过这条消息。"),
                ("C1 processes the redelivered m1. What happens to the customer?", "C1 处理重新投递的 m1。顾客会怎样？"),
                &[
                    ("Charged twice for order 7", "订单 7 被扣了两次款"),
                    ("Nothing: JMS delivers exactly once", "什么也不会发生：JMS 保证恰好投递一次"),
                    ("The broker refuses to deliver a duplicate", "Broker 会拒绝投递重复消息"),
                ],
                0,
            ),
            acknowledge(C1,
                "This time C1 acknowledges m1.",
                "这一次 C1 签收了 m1。"),
            next(
                "The broker deletes m1. Nothing was lost, but the order was paid twice: acknowledging after processing gives at-least-once delivery, and duplicates are its price.",
                "Broker 删除 m1。消息没有丢，但订单被付了两次款：处理完再签收，得到的是“至少一次”投递，代价就是可能重复。"),
        ],
    )
}

fn idempotent() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    let mut c = consumer(C1, q, AckMode::Client);
    c.idempotent = true;
    scenario(
        "jms-idempotent",
        (
            "An idempotent consumer with a dedup table processes it once",
            "带去重表的幂等消费者只处理一次",
        ),
        (
            "The same crash as in \"processed twice\", but C1 keeps a dedup table of processed message IDs: it recognises the redelivered payment and skips it.",
            "和“被处理两次”那一课同样的宕机，但 C1 用去重表记录已处理的消息 ID：它认出了重新投递的支付消息并跳过。",
        ),
        setup(QUEUE, alloc::vec![c]),
        &[],
        alloc::vec![
            send(q, PERSISTENT, "pay order 7",
                "The same payment consumer C1, now idempotent: before it charges, it looks the message ID up in a dedup table in its database, and it records the ID in the same database transaction as the charge. P sends m1, pay order 7.",
                "还是那个扣款消费者 C1，但这次是幂等消费：扣款前先在数据库的去重表里查消息 ID，并在扣款的同一个数据库事务里记下这个 ID。P 发送 m1：为订单 7 付款。"),
            next(
                "m1 reaches the broker: stored, a receipt for P, and pushed to C1.",
                "m1 到达 Broker：写入存储，回执发给 P，消息分发给 C1。"),
            next(
                "P gets its receipt: m1 is safe.",
                "P 收到回执：m1 是安全的。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            process(C1,
                "C1 processes m1: it charges the customer for order 7 and records ID:m1 in the dedup table.",
                "C1 处理 m1：为订单 7 扣款，并把 ID:m1 记入去重表。"),
            fault(Fault::Crash { node: C1 },
                "C1 crashes before acknowledging. As in the last lesson, the broker does not notice the broken connection at once.",
                "C1 在签收之前宕机。和上一课一样，Broker 没有立刻发现连接已经断开。"),
            fault(Fault::Restart { node: C1 },
                "C1 restarts with its dedup table intact, since the table lives in the database, and connects again.",
                "C1 重启，去重表存在数据库里，完好无损；C1 重新连接。"),
            next(
                "The broker notices that C1's old connection is gone, takes m1 back, flagged as redelivered, and pushes it to C1's new session, exactly as before.",
                "Broker 发现 C1 的旧连接已经断开，收回 m1，加上重新投递标记，分发给 C1 的新会话，和上一课完全一样。"),
            next(
                "m1 arrives with JMSRedelivered = true and JMSXDeliveryCount = 2.",
                "m1 到达，带着 JMSRedelivered = true 和 JMSXDeliveryCount = 2。"),
            ask(
                process(C1,
                    "C1 finds ID:m1 in its dedup table and skips the charge. The ledger counts one skipped duplicate, m1 is processed once, and the invariant stays green.",
                    "C1 在去重表里找到 ID:m1，跳过扣款。账本记下一次被跳过的重复消息，m1 只被处理了一次，不变式保持绿色。"),
                ("m1 has arrived a second time. How many times is the customer charged in all?", "m1 第二次送达。顾客一共被扣几次款？"),
                &[
                    ("Once", "一次"),
                    ("Twice", "两次"),
                ],
                0,
            ),
            acknowledge(C1,
                "C1 acknowledges m1.",
                "C1 签收 m1。"),
            next(
                "The broker deletes m1. Delivery was still at least once; the idempotent consumer made the processing happen once.",
                "Broker 删除 m1。投递仍然是“至少一次”，而幂等消费保证了处理只发生一次。"),
        ],
    )
}

fn prefetch() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    scenario(
        "jms-prefetch",
        (
            "Prefetch 1000 starves the second consumer; prefetch 1 shares the work",
            "预取 1000 让第二个消费者闲着；预取 1 让两者分担工作",
        ),
        (
            "With the default prefetch of 1000, the broker pushes job 3 to the slow C1 while the fast C2 sits idle. With prefetch 1, set by creating each consumer again since a prefetch is fixed at creation, the next jobs wait on the broker and go to whichever consumer is free.",
            "预取为默认的 1000 时，Broker 把 job 3 分发给慢的 C1，快的 C2 却闲着。预取在创建消费者时确定，所以要重新创建消费者才能把它改成 1；预取为 1 时，后面的任务留在 Broker 上，谁空闲就交给谁。",
        ),
        setup(
            QUEUE,
            alloc::vec![consumer(C1, q, AckMode::Auto), consumer(C2, q, AckMode::Auto)],
        ),
        &[],
        alloc::vec![
            send(q, PERSISTENT, "job 1",
                "C1 and C2 share the queue orders with ActiveMQ's default prefetch of 1000, so the broker may push each of them up to 1000 unacknowledged messages. C2 is fast, C1 is slow and finishes nothing in this lesson, and P sends m1 (job 1).",
                "C1 和 C2 共同消费队列 orders，预取都是 ActiveMQ 的默认值 1000：Broker 最多可以给每个消费者分发 1000 条未签收的消息。C2 很快，C1 很慢，这一课里它一件事也没做完；P 发送 m1（job 1）。"),
            send(q, PERSISTENT, "job 2",
                "P sends m2 (job 2).",
                "P 发送 m2（job 2）。"),
            send(q, PERSISTENT, "job 3",
                "P sends m3 (job 3).",
                "P 发送 m3（job 3）。"),
            next(
                "m1 reaches the broker and goes to C1, whose turn it is.",
                "m1 到达 Broker，轮到 C1，于是分发给 C1。"),
            next(
                "m2 reaches the broker and goes to C2: the broker takes turns.",
                "m2 到达 Broker，分发给 C2：Broker 轮流分发。"),
            next(
                "m3 reaches the broker and goes to C1, whose prefetch buffer has plenty of room.",
                "m3 到达 Broker，分发给 C1：它的预取缓冲区还有大把空间。"),
            next(
                "P gets the receipt for m1.",
                "P 收到 m1 的回执。"),
            next(
                "m2 reaches C2.",
                "m2 到达 C2。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            next(
                "m3 reaches C1 and queues up behind m1 in C1's buffer.",
                "m3 到达 C1，在 C1 的缓冲区里排在 m1 后面。"),
            next(
                "P gets the receipt for m2.",
                "P 收到 m2 的回执。"),
            next(
                "P gets the receipt for m3.",
                "P 收到 m3 的回执。"),
            process(C2,
                "C2 finishes m2 at once, and its session acknowledges it.",
                "C2 很快处理完 m2，会话自动签收。"),
            ask(
                next(
                    "The broker deletes m2 and has nothing left to push: m3 already belongs to C1. C2 sits idle while m3 waits behind the slow m1, dispatched but not consumed.",
                    "Broker 删除 m2，却没有消息可以再分发了：m3 已经分给了 C1。C2 闲着，m3 却在慢吞吞的 m1 后面排队：已分配，未消费。"),
                ("C2's acknowledgement of m2 reaches the broker. Does C2 get m3 next?", "C2 对 m2 的签收到达 Broker。接下来 m3 会交给 C2 吗？"),
                &[
                    ("Yes: the broker hands it to the idle consumer", "会：Broker 把它交给空闲的消费者"),
                    ("No: m3 is already in C1's prefetch buffer", "不会：m3 已经在 C1 的预取缓冲区里了"),
                ],
                1,
            ),
            op(JmsOp::SetPrefetch { consumer: C2, prefetch: 1 },
                "The fix is prefetch = 1. The application cannot change a consumer's prefetch once it is created, so C2 is closed and created again with prefetch 1. It holds nothing, so nothing goes back to the broker.",
                "解决办法是把预取设为 1。消费者创建后，应用程序无法再改变它的预取，所以 C2 先关闭，再以预取 1 重新创建。它手上没有消息，所以没有消息回到 Broker。"),
            op(JmsOp::SetPrefetch { consumer: C1, prefetch: 1 },
                "C1 is re-created with prefetch 1 too. Closing it sends m1 and m3 back to the broker, unflagged since C1's code never received them, and the broker dispatches them again, one to each consumer: m1 to C2, m3 to the new C1.",
                "C1 也以预取 1 重新创建。关闭它让 m1 和 m3 回到 Broker：C1 的代码从没收到过它们，所以不带重新投递标记。Broker 再次分发，每个消费者一条：m1 给 C2，m3 给新的 C1。"),
            send(q, PERSISTENT, "job 4",
                "P sends m4 (job 4).",
                "P 发送 m4（job 4）。"),
            next(
                "m3 reaches the new C1.",
                "m3 到达新的 C1。"),
            next(
                "m1 reaches C2.",
                "m1 到达 C2。"),
            ask(
                next(
                    "m4 reaches the broker, and both consumers are full: each holds one unacknowledged message, its whole prefetch. m4 waits in the queue for whichever consumer frees up first.",
                    "m4 到达 Broker，两个消费者都满了：各自手上有一条未签收的消息，正好用完预取。m4 留在队列里，哪个消费者先空出来就交给谁。"),
                ("m4 reaches the broker. C1 holds m3 and C2 holds m1, each with prefetch 1. Where does m4 go?", "m4 到达 Broker。C1 手上有 m3，C2 手上有 m1，预取都是 1。m4 去哪里？"),
                &[
                    ("To C1, whose turn it is", "给 C1：轮到它了"),
                    ("It waits on the broker for a free consumer", "留在 Broker 上，等待空闲的消费者"),
                    ("To C2, behind m1", "给 C2，排在 m1 后面"),
                ],
                1,
            ),
            process(C2,
                "C2 finishes m1 and acknowledges it.",
                "C2 处理完 m1 并签收。"),
            next(
                "P gets the receipt for m4.",
                "P 收到 m4 的回执。"),
            next(
                "The acknowledgement frees C2's single slot, and the broker dispatches m4 to C2 at once.",
                "签收让 C2 唯一的名额空了出来，Broker 立即把 m4 分发给 C2。"),
            next(
                "m4 reaches C2.",
                "m4 到达 C2。"),
            process(C2,
                "C2 finishes m4: with prefetch 1 the work goes to the consumer that is free, and slow C1 holds up only one message, m3. Keep prefetch low when consumers are slow or uneven; to change it, create the consumer again.",
                "C2 处理完 m4：预取为 1 时，工作交给空闲的消费者，慢吞吞的 C1 只压住了一条消息 m3。消费者处理慢或快慢不均时，要把预取调小；要改预取，就得重新创建消费者。"),
        ],
    )
}

fn dups_ok() -> Scenario<JmsLab> {
    let logs = ("logs", DestinationKind::Topic);
    let q = logs.0;
    let mut c = consumer(C1, q, AckMode::DupsOk);
    c.prefetch = 4;
    c.durable = Some("writer".into());
    scenario(
        "jms-dups-ok",
        (
            "DUPS_OK on a topic acknowledges lazily, so a crash repeats a message",
            "主题上的 DUPS_OK 延迟签收，宕机后消息被重复处理",
        ),
        (
            "C1 subscribes to a topic in DUPS_OK_ACKNOWLEDGE mode: one acknowledgement for every two messages (on a queue, ActiveMQ would acknowledge each one, as in AUTO_ACKNOWLEDGE). It crashes after processing m3, whose acknowledgement was still being saved up, and processes m3 again after the restart.",
            "C1 以 DUPS_OK_ACKNOWLEDGE 模式订阅一个主题：每两条消息才签收一次（如果是队列，ActiveMQ 会像 AUTO_ACKNOWLEDGE 一样逐条签收）。它处理完 m3 后宕机，m3 的签收还在攒着没发出，重启后 m3 又被处理了一次。",
        ),
        setup(logs, alloc::vec![c]),
        &[ONCE],
        alloc::vec![
            send(q, PERSISTENT, "log line 1",
                "C1 writes log lines, where a repeated line does little harm. It has the durable subscription writer on the topic logs and consumes in DUPS_OK_ACKNOWLEDGE mode: on a topic, ActiveMQ collects acknowledgements and sends them in batches of half the prefetch, here one for every two messages (prefetch 4 in the lab; 100 by default for a durable subscriber). On a queue DUPS_OK would acknowledge each message, exactly as AUTO_ACKNOWLEDGE does. P publishes m1.",
                "C1 负责写日志，多写一行也无大碍。它在主题 logs 上有名为 writer 的持久订阅，以 DUPS_OK_ACKNOWLEDGE 模式消费：在主题上，ActiveMQ 把签收攒起来，按预取数量的一半批量发送，这里每两条消息签收一次（实验中预取为 4；持久订阅者默认 100）。如果是队列，DUPS_OK 会像 AUTO_ACKNOWLEDGE 一样逐条签收。P 发布 m1。"),
            send(q, PERSISTENT, "log line 2",
                "P publishes m2.",
                "P 发布 m2。"),
            send(q, PERSISTENT, "log line 3",
                "P publishes m3.",
                "P 发布 m3。"),
            next(
                "m1 reaches the broker: stored, a receipt for P, and pushed to C1.",
                "m1 到达 Broker：写入存储，回执发给 P，消息分发给 C1。"),
            next(
                "m2 reaches the broker and is pushed to C1 too.",
                "m2 到达 Broker，同样分发给 C1。"),
            next(
                "m3 reaches the broker and is pushed to C1.",
                "m3 到达 Broker，分发给 C1。"),
            next(
                "P gets the receipt for m1.",
                "P 收到 m1 的回执。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            next(
                "m2 reaches C1.",
                "m2 到达 C1。"),
            next(
                "m3 reaches C1.",
                "m3 到达 C1。"),
            next(
                "P gets the receipt for m2.",
                "P 收到 m2 的回执。"),
            next(
                "P gets the receipt for m3: all three are safe on the broker.",
                "P 收到 m3 的回执：三条消息都已安全地保存在 Broker 上。"),
            process(C1,
                "C1 processes m1. The session notes the acknowledgement but does not send it yet: the batch has one of two.",
                "C1 处理 m1。会话记下这次签收，但先不发送：这一批才攒了一条。"),
            process(C1,
                "C1 processes m2. The batch is full, and one acknowledgement for m1 and m2 goes to the broker.",
                "C1 处理 m2。一批攒满了，一个同时签收 m1 和 m2 的签收请求发往 Broker。"),
            next(
                "The broker deletes m1 and m2.",
                "Broker 删除了 m1 和 m2。"),
            process(C1,
                "C1 processes m3. Its acknowledgement waits for a second message to fill the batch.",
                "C1 处理 m3。它的签收要等下一条消息来凑满一批。"),
            fault(Fault::Crash { node: C1 },
                "C1 crashes with m3 processed and its acknowledgement never sent. The broker does not notice the broken connection at once.",
                "C1 宕机：m3 已经处理，签收却一直没发出。Broker 没有立刻发现连接已经断开。"),
            fault(Fault::Restart { node: C1 },
                "C1 restarts and connects again; its new session starts once the broker notices that the old connection is gone.",
                "C1 重启并重新连接；等 Broker 发现旧连接已经断开，它的新会话才开始。"),
            ask(
                next(
                    "The broker notices that C1's old connection is gone and takes m3 back for the durable subscription. It cannot know whether m3 reached C1's code, so it counts a delivery for every message it had dispatched to C1 and not got an acknowledgement for: m3 comes back flagged as redelivered, for C1's new session. m1 and m2 were acknowledged and stay deleted.",
                    "Broker 发现 C1 的旧连接已经断开，为持久订阅收回 m3。它无法知道 m3 是否到过 C1 的代码，所以凡是分发给 C1 而没收到签收的消息，都记一次投递：m3 带着重新投递标记回来，交给 C1 的新会话。m1 和 m2 已经签收，不会回来。"),
                ("C1 has restarted. Which messages does the broker deliver again?", "C1 已经重启。Broker 会重新投递哪些消息？"),
                &[
                    ("Only m3, whose acknowledgement was never sent", "只有 m3：它的签收从未发出"),
                    ("m1, m2 and m3", "m1、m2 和 m3"),
                    ("None: DUPS_OK never delivers anything twice", "一条都没有：DUPS_OK 从不重复投递"),
                ],
                0,
            ),
            next(
                "m3 arrives with JMSRedelivered = true and JMSXDeliveryCount = 2.",
                "m3 到达，带着 JMSRedelivered = true 和 JMSXDeliveryCount = 2。"),
            process(C1,
                "C1 processes m3 a second time and \"no message is processed twice\" turns red: on a topic, DUPS_OK trades fewer acknowledgements for duplicates after a crash, so use it only where a duplicate does no harm. AUTO_ACKNOWLEDGE, or DUPS_OK on a queue, acknowledges each message right after processing and shrinks the window to an instant.",
                "C1 第二次处理 m3，“没有消息被重复处理”的不变式变红：在主题上，DUPS_OK 用宕机后的重复换来更少的签收，所以只能用在重复无害的地方。AUTO_ACKNOWLEDGE（或队列上的 DUPS_OK）在每条消息处理完后立即签收，能把这个窗口缩小到一瞬间。"),
        ],
    )
}

fn with_ttl(body: &str, ttl: Time) -> JmsOp {
    let mut send = send_op(QUEUE.0, PERSISTENT, body, &[]);
    if let JmsOp::Send { ttl: t, .. } = &mut send {
        *t = Some(ttl);
    }
    send
}

fn ttl() -> Scenario<JmsLab> {
    let q = QUEUE.0;
    let mut c = consumer(C1, q, AckMode::Auto);
    c.connected = false;
    scenario(
        "jms-ttl",
        (
            "An expired message waits until the broker or a consumer notices it",
            "过期消息一直等到 Broker 或消费者发现它",
        ),
        (
            "No timer fires when a message's time to live runs out. The broker finds m1 expired when it is about to dispatch it, C1's client finds m2 expired in its prefetch buffer, and the broker's periodic sweep, every 30 s by default, finds m3. Each persistent message ends in ActiveMQ.DLQ.",
            "消息的存活时间用完时，并没有定时器触发。Broker 在准备分发 m1 时发现它已过期；C1 的客户端在预取缓冲区里发现 m2 已过期；Broker 的定期扫描（默认每 30 秒）发现了 m3。这些持久化消息最后都进了 ActiveMQ.DLQ。",
        ),
        setup(QUEUE, alloc::vec![c]),
        &[],
        alloc::vec![
            op(with_ttl("flash sale", 100),
                "No consumer is connected to the queue orders. P sends m1 (flash sale) with a time to live of 100 ms: its JMSExpiration is 100 ms after the send, and after that nobody should act on it.",
                "队列 orders 目前没有消费者连接。P 发送 m1（flash sale），存活时间（TTL）为 100 毫秒：它的 JMSExpiration 是发送后 100 毫秒，过了这个时间就没人该再处理它。"),
            next(
                "m1 reaches the broker and is stored. The broker sets no timer for m1's expiry; it sweeps its queues for expired messages every 30 s (expireMessagesPeriod, the default, which the lab keeps). With no consumer connected, m1 waits (amber).",
                "m1 到达 Broker 并被存储。Broker 不会为 m1 的过期时刻设定时器；它每 30 秒扫描一次队列里的过期消息（expireMessagesPeriod，默认值，实验中也用它）。没有消费者连接，m1 只能等待（黄色）。"),
            next(
                "P gets the receipt for m1: it is safely stored.",
                "P 收到 m1 的回执：它已被安全存储。"),
            step(Directive::Wait { ms: 200 },
                "200 ms pass. m1 expired 100 ms after the send, and nothing happened: it is still in the queue.",
                "过了 200 毫秒。m1 在发送后 100 毫秒就过期了，但什么也没发生：它仍在队列里。"),
            ask(
                op(JmsOp::Connect { consumer: C1 },
                    "C1 connects. About to dispatch m1, the broker checks its expiration, finds it past, and moves the persistent m1 to the dead-letter queue ActiveMQ.DLQ instead. C1 gets nothing.",
                    "C1 连接上来。Broker 准备分发 m1 时检查它的过期时间，发现已经过了，于是把持久化消息 m1 移进死信队列 ActiveMQ.DLQ。C1 什么也没收到。"),
                ("m1 expired 100 ms after the send; now, at 200 ms, C1 connects. What happens to m1?", "m1 在发送后 100 毫秒过期；现在是 200 毫秒，C1 连接上来。m1 会怎样？"),
                &[
                    ("It was deleted at 100 ms, when its timer fired", "在 100 毫秒时被定时器删除了"),
                    ("The broker finds it expired as it is about to dispatch it, and dead-letters it", "Broker 准备分发时发现它已过期，把它移进死信队列"),
                    ("It is delivered to C1 anyway", "照样投递给 C1"),
                ],
                1,
            ),
            op(with_ttl("flash sale 2", 100),
                "P sends m2 with a time to live of 100 ms as well.",
                "P 发送 m2，存活时间同样是 100 毫秒。"),
            next(
                "m2 reaches the broker, which dispatches it to C1 at once: it is fresh.",
                "m2 到达 Broker，还没过期，Broker 立即把它分发给 C1。"),
            next(
                "P gets the receipt for m2.",
                "P 收到 m2 的回执。"),
            next(
                "m2 reaches C1's prefetch buffer.",
                "m2 进入 C1 的预取缓冲区。"),
            step(Directive::Wait { ms: 200 },
                "C1 is busy elsewhere for 200 ms, and m2 expires in its buffer.",
                "C1 忙别的事忙了 200 毫秒，m2 在它的缓冲区里过期了。"),
            process(C1,
                "C1's application asks for the next message. The ActiveMQ client finds m2 expired, drops it without handing it over, and tells the broker with an expired acknowledgement.",
                "C1 的应用程序要下一条消息。ActiveMQ 客户端发现 m2 已经过期，不把它交出去，直接丢弃，并用“过期签收”通知 Broker。"),
            next(
                "The broker gets the expired acknowledgement and moves m2 to ActiveMQ.DLQ.",
                "Broker 收到过期签收，把 m2 移进 ActiveMQ.DLQ。"),
            op(JmsOp::Disconnect { consumer: C1 },
                "C1 disconnects.",
                "C1 断开连接。"),
            op(with_ttl("flash sale 3", 100),
                "P sends m3 with a time to live of 100 ms, and no consumer will come for it.",
                "P 发送 m3，存活时间 100 毫秒，而且不会有消费者来取它。"),
            next(
                "m3 reaches the broker and waits.",
                "m3 到达 Broker，开始等待。"),
            next(
                "P gets the receipt for m3.",
                "P 收到 m3 的回执。"),
            ask(
                next(
                    "At 30 s the broker's periodic sweep runs, finds m3 expired and moves it to ActiveMQ.DLQ: about 30 s after its time ran out. A time to live stops stale work from running; it does not free the broker the moment it runs out, so the sweep period matters when expired messages pile up.",
                    "到了 30 秒，Broker 的定期扫描开始，发现 m3 已过期，把它移进 ActiveMQ.DLQ：这时离它过期已经过了将近 30 秒。存活时间能防止执行过时的工作，但不会在到期那一刻就释放 Broker 的空间；过期消息堆积时，扫描周期就很重要。"),
                ("Nobody connects. When does m3 leave the queue?", "没有人连接。m3 什么时候离开队列？"),
                &[
                    ("At 100 ms after the send, exactly", "发送后恰好 100 毫秒"),
                    ("At the broker's next periodic sweep", "在 Broker 下一次定期扫描时"),
                    ("Never, until a consumer connects", "永远不会，除非有消费者连接"),
                ],
                1,
            ),
        ],
    )
}
