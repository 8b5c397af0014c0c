//! The built-in RabbitMQ lessons (seed 001 section 2, seed 003). Each one shows one idea: fanout,
//! direct and topic routing; losing messages at the producer and the broker without confirms and
//! persistence, and keeping them with both; losing a message at an auto-ack consumer; processing a
//! message twice after a crash before the ack, and an idempotent consumer that does not; TTL into a
//! dead-letter exchange; a plain cluster queue against a mirrored one when its node goes down; nack
//! with and without requeue; a channel transaction against publisher confirms. The numbers in the
//! narration are the ones the run produces, pinned by the golden traces.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::ledger::{NO_LOSS, ONCE};
use super::rabbit::{
    ConsumerSpec, NodeSpec, ProducerSpec, PublishMode, QueueSpec, RabbitLab, RabbitOp, RabbitSetup,
    Role,
};
use super::topic::{Binding, Exchange, ExchangeKind};
use crate::kernel::{Fault, FaultKind, NodeId};
use crate::scenario::{Directive, Scenario, ScriptStep};

const P: NodeId = 0;
const B1: NodeId = 1;
const C1: NodeId = 2;
const C2: NodeId = 3;
const B2: NodeId = 4;

type Step = ScriptStep<RabbitOp>;

/// The first `n` of P, B1, C1, C2, B2.
fn nodes(n: usize) -> Vec<NodeSpec> {
    [
        ("P", Role::Producer),
        ("B1", Role::Broker),
        ("C1", Role::Consumer),
        ("C2", Role::Consumer),
        ("B2", Role::Broker),
    ][..n]
        .iter()
        .map(|(name, role)| NodeSpec {
            name: name.to_string(),
            role: *role,
        })
        .collect()
}

fn exchange(name: &str, kind: ExchangeKind, bindings: &[(&str, &str)]) -> Exchange {
    Exchange {
        name: name.to_string(),
        kind,
        bindings: bindings
            .iter()
            .map(|(queue, key)| Binding {
                queue: queue.to_string(),
                key: key.to_string(),
            })
            .collect(),
    }
}

/// A durable queue on B1.
fn queue(name: &str) -> QueueSpec {
    QueueSpec {
        name: name.to_string(),
        durable: true,
        home: B1,
        mirrored: false,
        quorum: false,
        message_ttl: None,
        dead_letter_exchange: None,
        dead_letter_routing_key: None,
    }
}

fn consumer(node: NodeId, queue: &str, auto_ack: bool) -> ConsumerSpec {
    ConsumerSpec {
        node,
        queue: queue.to_string(),
        auto_ack,
        prefetch: 0,
        idempotent: false,
        broker: B1,
        ack_on_process: false,
        connected: true,
    }
}

fn setup(
    n: usize,
    exchanges: Vec<Exchange>,
    queues: Vec<QueueSpec>,
    mode: PublishMode,
    consumers: Vec<ConsumerSpec>,
) -> RabbitSetup {
    RabbitSetup {
        nodes: nodes(n),
        exchanges,
        queues,
        producers: alloc::vec![ProducerSpec {
            node: P,
            mode,
            broker: B1,
        }],
        consumers,
        link: None,
        alternate_exchanges: Vec::new(),
    }
}

fn step(directive: Directive<RabbitOp>, en: &str, zh: &str) -> Step {
    ScriptStep::new(directive, en, zh)
}

fn op(op: RabbitOp, en: &str, zh: &str) -> Step {
    step(Directive::Op { op }, en, zh)
}

fn fault(fault: Fault, en: &str, zh: &str) -> Step {
    step(Directive::Fault { fault }, en, zh)
}

/// Whatever happens next: one message arrives or a timer fires.
fn next(en: &str, zh: &str) -> Step {
    step(Directive::Next, en, zh)
}

fn publish_op(exchange: &str, routing_key: &str, persistent: bool) -> RabbitOp {
    RabbitOp::Publish {
        producer: P,
        exchange: exchange.to_string(),
        routing_key: routing_key.to_string(),
        persistent,
        expiration: None,
        key: None,
        mandatory: false,
    }
}

/// A publish with `mandatory = true`.
fn publish_mandatory(exchange: &str, routing_key: &str, en: &str, zh: &str) -> Step {
    let mut o = publish_op(exchange, routing_key, true);
    if let RabbitOp::Publish { mandatory, .. } = &mut o {
        *mandatory = true;
    }
    op(o, en, zh)
}

fn publish(exchange: &str, routing_key: &str, persistent: bool, en: &str, zh: &str) -> Step {
    op(publish_op(exchange, routing_key, persistent), en, zh)
}

fn process(consumer: NodeId, en: &str, zh: &str) -> Step {
    op(RabbitOp::Process { consumer }, en, zh)
}

fn ack(consumer: NodeId, en: &str, zh: &str) -> Step {
    op(RabbitOp::Ack { consumer }, en, zh)
}

/// Adds a "predict, then reveal" question to a step: `choices` are (English, Chinese) pairs.
fn ask(step: Step, prompt: (&str, &str), choices: &[(&str, &str)], answer: usize) -> Step {
    step.ask(prompt, choices, answer)
}

fn scenario(
    id: &str,
    title: (&str, &str),
    summary: (&str, &str),
    setup: RabbitSetup,
    breaks: &[&str],
    steps: Vec<Step>,
) -> Scenario<RabbitLab> {
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

pub fn scenarios() -> Vec<Scenario<RabbitLab>> {
    alloc::vec![
        routing(),
        no_confirms(),
        confirms(),
        mandatory(),
        auto_ack(),
        manual_ack_twice(),
        idempotent(),
        ttl_dlx(),
        mirrored(),
        quorum(),
        nack(),
        tx(),
    ]
}

fn routing() -> Scenario<RabbitLab> {
    let s = setup(
        2,
        alloc::vec![
            exchange("logs", ExchangeKind::Fanout, &[("Q1", ""), ("Q2", "")]),
            exchange(
                "colors",
                ExchangeKind::Direct,
                &[("Q1", "orange"), ("Q2", "black"), ("Q2", "green")],
            ),
            exchange(
                "animals",
                ExchangeKind::Topic,
                &[("Q1", "*.orange.*"), ("Q2", "*.*.rabbit"), ("Q2", "lazy.#")],
            ),
        ],
        alloc::vec![queue("Q1"), queue("Q2")],
        PublishMode::None,
        alloc::vec![],
    );
    scenario(
        "rabbitmq-fanout-direct-topic",
        (
            "Fanout, direct and topic exchanges send the same keys to different queues",
            "同样的路由键，经 fanout、direct、topic 交换器进入不同的队列",
        ),
        (
            "P publishes to three exchanges bound to the same two queues. The fanout exchange copies to both queues, the direct one only where the binding key equals the routing key, and the topic one word by word: * is exactly one word, # is zero or more, and a key that matches nothing is dropped.",
            "P 向三个交换器发布消息，它们绑定的是同样两个队列。fanout 交换器复制到两个队列；direct 交换器只投给绑定键与路由键完全相同的队列；topic 交换器逐个单词匹配：* 恰好匹配一个单词，# 匹配零个或多个单词，什么都匹配不上的消息被丢弃。",
        ),
        s,
        &[],
        alloc::vec![
            publish("logs", "quick.orange.rabbit", true,
                "P publishes to exchanges, never to queues. B1 has the queues Q1 and Q2 and three exchanges: the fanout logs, bound to both; the direct colors (Q1 by orange, Q2 by black and green); and the topic animals (Q1 by *.orange.*, Q2 by *.*.rabbit and lazy.#). P publishes m1 to logs with the routing key quick.orange.rabbit.",
                "P 只向交换器发布消息，从不直接发给队列。B1 上有队列 Q1、Q2 和三个交换器：fanout 类型的 logs，绑定了两个队列；direct 类型的 colors（Q1 的绑定键是 orange，Q2 的是 black 和 green）；topic 类型的 animals（Q1 绑定 *.orange.*，Q2 绑定 *.*.rabbit 和 lazy.#）。P 向 logs 发布 m1，路由键是 quick.orange.rabbit。"),
            next(
                "m1 reaches B1. A fanout exchange ignores the routing key and copies the message to every bound queue: m1 goes into Q1 and its copy m1→Q2 into Q2.",
                "m1 到达 B1。fanout 交换器不看路由键，把消息复制到每个绑定的队列：m1 进入 Q1，它的副本 m1→Q2 进入 Q2。"),
            publish("colors", "orange", true,
                "P publishes m2 to the direct exchange colors with the routing key orange.",
                "P 向 direct 交换器 colors 发布 m2，路由键是 orange。"),
            next(
                "m2 reaches B1. A direct exchange picks the queues whose binding key equals the routing key exactly: only Q1 is bound with orange, so m2 goes to Q1 alone.",
                "m2 到达 B1。direct 交换器只选绑定键与路由键完全相同的队列：只有 Q1 用 orange 绑定，所以 m2 只进入 Q1。"),
            publish("animals", "quick.orange.rabbit", true,
                "P publishes m3 to the topic exchange animals with quick.orange.rabbit, the key m1 carried.",
                "P 向 topic 交换器 animals 发布 m3，路由键是 quick.orange.rabbit，和 m1 的一样。"),
            next(
                "m3 reaches B1. Topic bindings match word by word: *.orange.* accepts it for Q1 and *.*.rabbit for Q2, so m3 and m3→Q2 are enqueued.",
                "m3 到达 B1。topic 绑定逐个单词匹配：*.orange.* 为 Q1 接下它，*.*.rabbit 为 Q2 接下它，于是 m3 和 m3→Q2 分别入队。"),
            publish("animals", "lazy.pink.rabbit", true,
                "P publishes m4 to animals with lazy.pink.rabbit.",
                "P 向 animals 发布 m4，路由键是 lazy.pink.rabbit。"),
            ask(
                next(
                    "m4 reaches B1. Both *.*.rabbit and lazy.# match, yet Q2 gets a single m4: a queue receives a message once, however many of its bindings match. *.orange.* wants orange in the middle, so Q1 gets nothing.",
                    "m4 到达 B1。*.*.rabbit 和 lazy.# 都匹配，但 Q2 只收到一份 m4：不管一个队列有几个绑定匹配，消息只进入它一次。*.orange.* 要求中间的单词是 orange，所以 Q1 什么也没收到。"),
                ("Both of Q2's bindings accept lazy.pink.rabbit. How many copies of m4 end up in Q2?", "Q2 的两个绑定都接受 lazy.pink.rabbit。Q2 里最终有几份 m4？"),
                &[
                    ("None", "零份"),
                    ("One", "一份"),
                    ("Two, one per binding", "两份，每个绑定一份"),
                ],
                1,
            ),
            publish("animals", "quick.brown.fox", true,
                "P publishes m5 to animals with quick.brown.fox.",
                "P 向 animals 发布 m5，路由键是 quick.brown.fox。"),
            next(
                "m5 reaches B1 and matches no binding: its middle word is not orange, its last is not rabbit, its first is not lazy. The exchange drops it as unroutable. Publisher confirms would not have told P: RabbitMQ confirms an unroutable message too. Only the mandatory flag, which sends it back with basic.return, or an alternate exchange reveals it.",
                "m5 到达 B1，没有任何绑定匹配：中间的单词不是 orange，最后一个不是 rabbit，第一个也不是 lazy。交换器把这条无法路由的消息丢弃。即使开了生产者确认，P 也得不到提醒：RabbitMQ 对无法路由的消息同样回复确认。只有 mandatory 标志（用 basic.return 把消息退回）或备用交换器（alternate exchange）才能让 P 发现它。"),
            publish("animals", "quick.orange.male.rabbit", true,
                "P publishes m6 with the four-word key quick.orange.male.rabbit.",
                "P 发布 m6，路由键有四个单词：quick.orange.male.rabbit。"),
            ask(
                next(
                    "m6 is dropped as unroutable too: * stands for exactly one word, so *.orange.* and *.*.rabbit both need a key of three words, and this one has four.",
                    "m6 同样因无法路由而被丢弃：* 恰好代表一个单词，所以 *.orange.* 和 *.*.rabbit 都只接受三个单词的键，而这个键有四个。"),
                ("Which binding accepts quick.orange.male.rabbit?", "哪个绑定接受 quick.orange.male.rabbit？"),
                &[
                    ("Q1's *.orange.*", "Q1 的 *.orange.*"),
                    ("Q2's *.*.rabbit", "Q2 的 *.*.rabbit"),
                    ("Both", "两个都接受"),
                    ("Neither", "都不接受"),
                ],
                3,
            ),
            publish("animals", "lazy.orange.male.rabbit", true,
                "P publishes m7 with lazy.orange.male.rabbit, four words again.",
                "P 发布 m7，路由键 lazy.orange.male.rabbit，同样是四个单词。"),
            next(
                "m7 lands in Q2 alone: # stands for zero or more words, so lazy.# accepts every key that starts with lazy, while *.orange.* still wants exactly three. Q1 holds m1, m2 and m3; Q2 holds m1→Q2, m3→Q2, m4 and m7.",
                "m7 只进入 Q2：# 代表零个或多个单词，所以 lazy.# 接受任何以 lazy 开头的键，而 *.orange.* 仍然只要三个单词。现在 Q1 里是 m1、m2、m3；Q2 里是 m1→Q2、m3→Q2、m4、m7。"),
        ],
    )
}

fn no_confirms() -> Scenario<RabbitLab> {
    let mut q = queue("orders");
    q.durable = false;
    let s = setup(
        2,
        alloc::vec![],
        alloc::vec![q],
        PublishMode::None,
        alloc::vec![],
    );
    let o = "orders";
    scenario(
        "rabbitmq-no-confirms",
        (
            "Without confirms and persistence, a broker crash loses what the producer counted as sent",
            "不开确认、不做持久化，Broker 一宕机，生产者以为发出去的消息就丢了",
        ),
        (
            "P publishes without publisher confirms to a transient queue, with non-persistent messages. B1 crashes: the two messages in its memory and the one on the wire are gone, and the queue itself does not come back, so the next message is dropped. P sees its connection close, but without confirms it cannot tell which of its messages arrived.",
            "P 不开生产者确认，向非持久化队列发布非持久化消息。B1 宕机：内存里的两条消息和还在路上的一条全部丢失，队列本身也没有恢复，于是下一条消息被丢弃。P 能看到连接断开，但没有确认机制，它无法知道哪些消息到达了。",
        ),
        s,
        &[NO_LOSS],
        alloc::vec![
            publish("", o, false,
                "P publishes order m1 to the queue orders (through the default exchange) with all three safety settings off: no publisher confirms, a transient queue, and a non-persistent message (delivery_mode 1). basic.publish returns at once, so P's code counts m1 as sent.",
                "P 经默认交换器向队列 orders 发布订单 m1，三项保障全部关闭：没开生产者确认（confirm 机制），队列不是持久化的，消息也是非持久化的（delivery_mode 1）。basic.publish 立即返回，P 的代码就认为 m1 已经发出。"),
            publish("", o, false,
                "P publishes m2 the same way and moves on.",
                "P 以同样的方式发布 m2，接着做别的事。"),
            next(
                "m1 reaches B1 and waits in orders, in memory only: neither the queue nor the message is persistent, so nothing goes to disk.",
                "m1 到达 B1，在 orders 里等待，但只在内存中：队列和消息都不是持久化的，所以什么都没写入磁盘。"),
            next(
                "m2 joins it, also in memory.",
                "m2 也进了队列，同样只在内存中。"),
            publish("", o, false,
                "P publishes m3.",
                "P 发布 m3。"),
            ask(
                fault(Fault::Crash { node: B1 },
                    "B1 crashes and its memory is wiped: m1 and m2 are lost, and \"no message the producer counts as sent is lost\" turns red, since P counted both as sent. A durable queue with persistent messages (delivery_mode 2) would have kept them on disk. P's connection to B1 closes and its client raises an error, so P knows that something failed, but not what.",
                    "B1 宕机，内存清空：m1 和 m2 丢失，“生产者认为已发出的消息不会丢失”变红，因为 P 认为它们都已发出。如果队列是持久化的、消息也是持久化的（delivery_mode 2），它们会保存在磁盘上。P 到 B1 的连接断开，客户端抛出异常，所以 P 知道出了故障，却不知道具体丢了什么。"),
                ("B1 crashes now, with m1 and m2 in the queue and m3 still on the wire. Which of them survive?", "B1 此刻宕机：m1、m2 在队列里，m3 还在路上。哪些消息能留下来？"),
                &[
                    ("All three", "三条都能"),
                    ("m1 and m2, which reached the broker", "m1 和 m2，它们已经到了 Broker"),
                    ("None of them", "一条都不能"),
                ],
                2,
            ),
            next(
                "m3 arrives at a broker that is down and is lost on the spot, the third red message: P counted it as sent. P saw the connection break, but without confirms it cannot tell whether m1, m2 or m3 had arrived, so it cannot know which to send again.",
                "m3 到达时 Broker 已经宕机，当场丢失，成为第三条变红的消息：P 以为它已经发出。P 看到了连接断开，但没有确认机制，它分不清 m1、m2、m3 哪些已经到达，也就不知道该重发哪些。"),
            fault(Fault::Restart { node: B1 },
                "B1 restarts and P's client reconnects. A transient queue is not recreated: orders no longer exists.",
                "B1 重启，P 的客户端重新连上。非持久化队列不会被重建：orders 已经不存在了。"),
            publish("", o, false,
                "P, not knowing that the queue is gone, publishes m4 to orders.",
                "P 并不知道队列已经没了，继续向 orders 发布 m4。"),
            next(
                "m4 finds no queue called orders and is dropped as unroutable. Four orders published, none kept: P knew only that its connection had broken once, never which orders were lost. Publisher confirms, a durable queue and persistent messages close these holes, as the next lesson shows.",
                "m4 找不到名为 orders 的队列，作为无法路由的消息被丢弃。发布了四个订单，一个都没留下：P 只知道连接断过一次，却始终不知道丢了哪些订单。生产者确认、持久化队列和持久化消息可以堵住这些漏洞，见下一课。"),
        ],
    )
}

fn confirms() -> Scenario<RabbitLab> {
    let s = setup(
        2,
        alloc::vec![],
        alloc::vec![queue("orders")],
        PublishMode::Confirms,
        alloc::vec![],
    );
    let o = "orders";
    scenario(
        "rabbitmq-confirms",
        (
            "Confirms, a durable queue and persistent messages: the crash loses nothing P counted as safe",
            "确认 + 持久化队列 + 持久化消息：宕机不会丢掉 P 认为安全的消息",
        ),
        (
            "The same crash with publisher confirms, a durable queue and persistent messages. The two confirmed messages are reloaded from disk; the one on the wire is lost, but P never got its confirm, so it publishes it again.",
            "同样的宕机，但打开了生产者确认，队列和消息都是持久化的。已确认的两条消息从磁盘恢复；路上那条丢了，但 P 从未收到它的确认，于是重新发布。",
        ),
        s,
        &[],
        alloc::vec![
            publish("", o, true,
                "The same orders with all three settings on: P's channel is in confirm mode (confirm.select), orders is a durable queue, and every message is persistent (delivery_mode 2). P publishes m1 and keeps it on its list of unconfirmed messages until B1 answers.",
                "同样的订单，这次三项设置全部打开：P 的信道处于确认模式（confirm.select），orders 是持久化队列，每条消息都是持久化的（delivery_mode 2）。P 发布 m1，并把它记在“未确认”列表里，直到 B1 回复。"),
            publish("", o, true,
                "P publishes m2, which waits for its confirm too.",
                "P 发布 m2，同样等待确认。"),
            next(
                "m1 reaches B1, which writes it to disk and only then sends P a basic.ack for it.",
                "m1 到达 B1，B1 先把它写入磁盘，然后才给 P 发送 basic.ack。"),
            next(
                "m2 is written to disk too, and its basic.ack sets off.",
                "m2 也写入了磁盘，它的 basic.ack 随即发出。"),
            next(
                "The confirm for m1 reaches P: now, and only now, P counts m1 as safe.",
                "m1 的生产者确认到达 P：直到此刻，P 才认为 m1 是安全的。"),
            next(
                "m2 is confirmed as well.",
                "m2 也得到了生产者确认。"),
            publish("", o, true,
                "P publishes m3.",
                "P 发布 m3。"),
            fault(Fault::Crash { node: B1 },
                "B1 crashes while m3 is still on the wire. m1 and m2 are on its disk.",
                "m3 还在路上，B1 就宕机了。m1 和 m2 在它的磁盘上。"),
            next(
                "m3 arrives at the dead broker and is lost. P's connection closed when B1 went down, so P knows that m3's confirm will never come: m3 stays on its list of unconfirmed messages, to publish again, and \"no message the producer counts as sent is lost\" stays green: P was never told m3 is safe.",
                "m3 到达已经宕机的 Broker，丢失了。B1 宕机时 P 的连接就断了，所以 P 知道 m3 的确认永远不会来：m3 留在它的“未确认”列表里，等待重发；“生产者认为已发出的消息不会丢失”保持绿色：从没有人告诉 P，m3 是安全的。"),
            ask(
                fault(Fault::Restart { node: B1 },
                    "B1 restarts, recreates the durable queue orders and reloads m1 and m2 from disk: both confirmed messages are back. P's client reconnects.",
                    "B1 重启，重建持久化队列 orders，并从磁盘恢复 m1 和 m2：两条已确认的消息都回来了。P 的客户端重新连上。"),
                ("B1 restarts. What is in the queue orders?", "B1 重启。队列 orders 里有什么？"),
                &[
                    ("Nothing: the crash wiped it", "什么都没有：宕机把它清空了"),
                    ("m1 and m2, the confirmed messages", "m1 和 m2，即已确认的消息"),
                    ("m1, m2 and m3", "m1、m2 和 m3"),
                ],
                1,
            ),
            publish("", o, true,
                "P publishes the order of the unconfirmed m3 again, as m4. Confirms are what told P which order to resend; the broken connection alone only told it that something failed.",
                "P 把未确认的 m3 所代表的订单重新发布，即 m4。告诉 P 该重发哪一条的是确认机制；连接断开本身只能说明出了故障。"),
            next(
                "m4 reaches B1 and is written to disk.",
                "m4 到达 B1，写入磁盘。"),
            next(
                "The confirm for m4 reaches P. Every order P counts as safe is in the queue: confirms tell the producer what to resend, and durable queues with persistent messages keep what was confirmed.",
                "m4 的生产者确认到达 P。P 认为安全的每个订单都在队列里：确认机制告诉生产者该重发什么，持久化队列加持久化消息保住已确认的内容。"),
        ],
    )
}

fn mandatory() -> Scenario<RabbitLab> {
    let mut s = setup(
        2,
        alloc::vec![
            exchange("shop", ExchangeKind::Direct, &[("orders", "new")]),
            exchange("checkout", ExchangeKind::Direct, &[("orders", "new")]),
            exchange("unrouted", ExchangeKind::Fanout, &[("unrouted", "")]),
        ],
        alloc::vec![queue("orders"), queue("unrouted")],
        PublishMode::Confirms,
        alloc::vec![],
    );
    s.alternate_exchanges = alloc::vec![("checkout".to_string(), "unrouted".to_string())];
    scenario(
        "rabbitmq-mandatory",
        (
            "A confirm does not say that a queue took the message; mandatory does",
            "确认不代表消息进了队列；mandatory 才能告诉你",
        ),
        (
            "P publishes with confirms to the direct exchange shop. m2 has a typo in its routing key and reaches no queue, yet B1 confirms it: the exchange dropped it, and P counts it as safe. m3, with the same typo but mandatory = true, comes back with basic.return before its basic.ack, so P knows. m4 goes to the exchange checkout, whose alternate exchange keeps what it cannot route.",
            "P 开启生产者确认，向 direct 交换器 shop 发布消息。m2 的路由键有笔误，没有进入任何队列，B1 却照样确认了它：交换器丢弃了它，P 却认为它安全了。m3 有同样的笔误，但设置了 mandatory = true，它先被 basic.return 退回，然后才收到 basic.ack，所以 P 知道出了问题。m4 发往交换器 checkout，它的备用交换器会收下它路由不了的消息。",
        ),
        s,
        &[],
        alloc::vec![
            publish("shop", "new", true,
                "The direct exchange shop is bound to the durable queue orders by the key new; so is checkout, which was declared with an alternate exchange, unrouted, a fanout exchange bound to the queue unrouted. P's channel is in confirm mode. P publishes m1 to shop with the routing key new.",
                "direct 交换器 shop 用绑定键 new 绑定到持久化队列 orders；checkout 也一样，但它声明时指定了备用交换器 unrouted，这是一个绑定了队列 unrouted 的 fanout 交换器。P 的信道处于确认模式。P 向 shop 发布 m1，路由键是 new。"),
            next(
                "m1 reaches B1, enters orders, is written to disk, and its basic.ack sets off.",
                "m1 到达 B1，进入 orders，写入磁盘，它的 basic.ack 随即发出。"),
            next(
                "P gets the confirm for m1.",
                "P 收到 m1 的生产者确认。"),
            publish("shop", "nwe", true,
                "P publishes m2 with the routing key nwe: a typo.",
                "P 发布 m2，路由键写成了 nwe：一个笔误。"),
            ask(
                next(
                    "m2 reaches B1. No binding of shop matches nwe, so the exchange drops it, and B1 sends basic.ack all the same: a confirm means the broker has finished with the message, and for an unroutable one that is as soon as the exchange finds that no queue takes it.",
                    "m2 到达 B1。shop 没有与 nwe 匹配的绑定，交换器把它丢弃，而 B1 照样发送 basic.ack：确认的意思是 Broker 已经处理完这条消息，对无法路由的消息来说，交换器一发现没有队列接收它，就算处理完了。"),
                ("No queue takes m2. What does B1 answer P?", "没有队列接收 m2。B1 会怎样答复 P？"),
                &[
                    ("basic.nack: the message was not stored", "basic.nack：消息没有存下"),
                    ("basic.ack, as for any message it has finished with", "basic.ack，和其他处理完的消息一样"),
                    ("Nothing at all", "什么都不回复"),
                ],
                1,
            ),
            next(
                "The confirm for m2 reaches P, and P counts m2 as safe; yet no queue holds it. The ledger shows it discarded. Confirms tell a producer which messages the broker took responsibility for, not where they went.",
                "m2 的生产者确认到达 P，P 认为 m2 安全了，可是没有任何队列里有它，账本显示它已被丢弃。确认告诉生产者 Broker 对哪些消息负起了责任，而不是这些消息去了哪里。"),
            publish_mandatory("shop", "nwe",
                "P publishes m3 with the same typo, this time with mandatory = true: a message that reaches no queue must come back.",
                "P 以同样的笔误发布 m3，这次设置了 mandatory = true：没有进入任何队列的消息必须退回。"),
            ask(
                next(
                    "m3 reaches B1 and routes nowhere. Because it is mandatory, B1 first sends it back with basic.return (312 NO_ROUTE), then its basic.ack.",
                    "m3 到达 B1，无处可去。因为它设置了 mandatory，B1 先用 basic.return（312 NO_ROUTE）把它退回，然后才发送 basic.ack。"),
                ("m3 is mandatory and reaches no queue. What does B1 send P?", "m3 设置了 mandatory，且没有进入任何队列。B1 会给 P 发什么？"),
                &[
                    ("basic.return, then basic.ack", "先 basic.return，再 basic.ack"),
                    ("basic.ack only, as for m2", "只有 basic.ack，和 m2 一样"),
                    ("basic.nack", "basic.nack"),
                ],
                0,
            ),
            next(
                "basic.return reaches P first: P's return listener learns that m3 reached no queue, and can fix the key, store the order elsewhere or raise an alarm.",
                "basic.return 先到达 P：P 的 return 监听器得知 m3 没有进入任何队列，可以修正路由键、把订单另存起来或者报警。"),
            next(
                "Then the basic.ack for m3 arrives. Since m3 came back, P does not count it as safe.",
                "随后 m3 的 basic.ack 到达。因为 m3 已被退回，P 不会认为它安全。"),
            publish("checkout", "nwe", true,
                "P publishes m4, with the same typo, to checkout, the exchange with an alternate exchange.",
                "P 以同样的笔误把 m4 发布到 checkout，即设置了备用交换器的那个交换器。"),
            ask(
                next(
                    "m4 reaches B1. checkout routes it nowhere, so B1 hands it to checkout's alternate exchange unrouted, which puts it in the queue unrouted. m4 counts as routed: it would not be returned even if it were mandatory, and B1 confirms it.",
                    "m4 到达 B1。checkout 无法路由它，于是 B1 把它交给 checkout 的备用交换器 unrouted，unrouted 把它放进队列 unrouted。m4 算作已路由：即使设置了 mandatory 也不会被退回，B1 照常确认它。"),
                ("checkout cannot route m4. Where does m4 end up?", "checkout 无法路由 m4。m4 最终去了哪里？"),
                &[
                    ("Dropped, like m2", "被丢弃，和 m2 一样"),
                    ("In the queue unrouted, through the alternate exchange", "经备用交换器进入队列 unrouted"),
                    ("Back at P, with basic.return", "用 basic.return 退回 P"),
                ],
                1,
            ),
            next(
                "The confirm for m4 reaches P, and this time it is true that a queue holds it: unrouted keeps it for someone to inspect and route again. mandatory tells the producer; an alternate exchange keeps the message in the broker.",
                "m4 的生产者确认到达 P，这一次它确实在队列里：unrouted 把它保存下来，等人检查、重新路由。mandatory 让生产者知道出了问题；备用交换器则把消息留在 Broker 里。"),
        ],
    )
}

fn auto_ack() -> Scenario<RabbitLab> {
    let s = setup(
        3,
        alloc::vec![],
        alloc::vec![queue("orders")],
        PublishMode::Confirms,
        alloc::vec![consumer(C1, "orders", true)],
    );
    let o = "orders";
    scenario(
        "rabbitmq-auto-ack",
        (
            "An auto-ack consumer crashes, and a delivered message is gone",
            "自动确认的消费者宕机，已投递的消息随之消失",
        ),
        (
            "C1 consumes with automatic acknowledgement, so B1 deletes each message the moment it sends it. C1 crashes with m2 delivered but not yet processed, and nothing can bring m2 back, although P was told it is safe.",
            "C1 以自动确认方式消费，B1 每发出一条消息就立刻删除它。C1 在 m2 已投递、尚未处理时宕机，没有任何办法能找回 m2，尽管 P 早已得到了它安全的确认。",
        ),
        s,
        &[NO_LOSS],
        alloc::vec![
            publish("", o, true,
                "C1 consumes the queue orders with automatic acknowledgement (autoAck = true): B1 counts a message as acknowledged as soon as it sends it. The producer side is safe: P publishes m1 with confirms to a durable queue, as a persistent message.",
                "C1 以自动确认（autoAck = true）方式消费队列 orders：B1 一发出消息，就当作已确认（消费者确认）。生产者这一侧是安全的：P 开启生产者确认，向持久化队列发布持久化消息 m1。"),
            publish("", o, true,
                "P publishes m2 the same way.",
                "P 以同样的方式发布 m2。"),
            next(
                "m1 reaches B1: written to disk, confirmed to P and sent to C1. With auto-ack, B1 deletes m1 as it sends it.",
                "m1 到达 B1：写入磁盘，向 P 发送生产者确认，再发给 C1。因为是自动确认，B1 一发出 m1 就把它删除了。"),
            next(
                "m2 goes the same way. orders is empty, though C1 has processed nothing yet.",
                "m2 也是如此。orders 已经空了，而 C1 还一条都没处理。"),
            next(
                "m1 reaches C1 and waits for its code.",
                "m1 到达 C1，等待业务代码处理。"),
            next(
                "P gets the confirm for m1.",
                "P 收到 m1 的生产者确认。"),
            next(
                "P gets the confirm for m2: as far as P can tell, both orders are safe.",
                "P 收到 m2 的生产者确认：在 P 看来，两个订单都安全了。"),
            next(
                "m2 reaches C1 and waits behind m1.",
                "m2 到达 C1，排在 m1 后面。"),
            process(C1,
                "C1's code processes m1.",
                "C1 的业务代码处理了 m1。"),
            ask(
                fault(Fault::Crash { node: C1 },
                    "C1 crashes before its code gets to m2. B1 forgot m2 when it sent it, so nothing brings it back: m2 is lost and \"no message the producer counts as sent is lost\" turns red. Manual acknowledgement (autoAck = false, basic.ack after processing) would have kept m2 in the queue until C1 acknowledged it.",
                    "C1 的代码还没处理到 m2，C1 就宕机了。B1 发出 m2 时就已经把它忘了，没有任何东西能把它找回来：m2 丢失，“生产者认为已发出的消息不会丢失”变红。如果用手动确认（autoAck = false，处理完再 basic.ack），m2 会一直留在队列里，直到 C1 确认。"),
                ("C1 crashes with m2 delivered but not processed. What happens to m2?", "C1 宕机时，m2 已投递、还没处理。m2 会怎样？"),
                &[
                    ("B1 delivers it again when C1 is back", "C1 回来后，B1 重新投递它"),
                    ("It goes back to the queue for another consumer", "它回到队列，等别的消费者"),
                    ("It is gone", "它没了"),
                ],
                2,
            ),
            fault(Fault::Restart { node: C1 },
                "C1 restarts and consumes orders again, but the queue is empty: m2 is lost for good, although P was told it is safe.",
                "C1 重启，重新消费 orders，但队列是空的：m2 永远丢失了，尽管 P 收到过它的生产者确认。"),
        ],
    )
}

/// The steps shared by `rabbitmq-manual-ack-twice` and `rabbitmq-idempotent`.
fn crash_before_ack(idempotent: bool) -> Vec<Step> {
    let o = "orders";
    let (first_en, first_zh) = if idempotent {
        (
            "C1 consumes the queue orders with manual acknowledgement, and this time it is an idempotent consumer: it records the ID of every message it processes in the same database transaction as the order itself, so a crash cannot separate the two, and skips an ID it has seen. P publishes m1 with confirms to a durable queue, as a persistent message.",
            "C1 以手动确认方式消费队列 orders，这次它是幂等消费者：每处理一条消息，就在写入订单的同一个数据库事务里记下消息 ID（宕机无法把两者分开），见过的 ID 直接跳过（去重）。P 开启生产者确认，向持久化队列发布持久化消息 m1。",
        )
    } else {
        (
            "C1 consumes the queue orders with manual acknowledgement: after processing a message it sends basic.ack, and until then B1 keeps the message. P publishes m1 with confirms to a durable queue, as a persistent message.",
            "C1 以手动确认方式消费队列 orders：处理完一条消息后才发送 basic.ack，在那之前 B1 一直保留这条消息。P 开启生产者确认，向持久化队列发布持久化消息 m1。",
        )
    };
    let again = if idempotent {
        process(C1,
            "C1 looks up m2 in its table of processed IDs, finds it and skips the work: m2 is processed once, and \"no message is processed twice\" stays green.",
            "C1 在已处理 ID 表里查到了 m2，于是跳过业务处理：m2 只被处理了一次，“没有消息被重复处理”保持绿色。")
    } else {
        process(C1,
            "C1 processes m2 a second time, and \"no message is processed twice\" turns red. Manual ack cannot close the gap between processing and acknowledging; an idempotent consumer that records processed IDs can, as the next lesson shows.",
            "C1 第二次处理 m2，“没有消息被重复处理”变红。手动确认无法消除“处理完”与“确认”之间的空隙；记录已处理 ID 的幂等消费者可以，见下一课。")
    };
    let (ack_en, ack_zh) = if idempotent {
        (
            "C1 acknowledges m2, so B1 can finally delete it.",
            "C1 发送 m2 的消费者确认，B1 终于可以删除它了。",
        )
    } else {
        ("C1 acknowledges m2.", "C1 发送 m2 的消费者确认。")
    };
    let (last_en, last_zh) = if idempotent {
        (
            "B1 deletes m2 and the queue is empty: each order was processed exactly once. RabbitMQ delivers at least once; the dedup table turns that into processing once.",
            "B1 删除 m2，队列清空：每个订单都恰好处理了一次。RabbitMQ 只保证至少投递一次；去重表把它变成了只处理一次。",
        )
    } else {
        (
            "B1 deletes m2. The order behind m2 was carried out twice, say two shipments for one purchase.",
            "B1 删除 m2。m2 代表的订单被执行了两次，比如一笔购买发了两次货。",
        )
    };
    alloc::vec![
        publish("", o, true, first_en, first_zh),
        publish("", o, true,
            "P publishes m2 the same way.",
            "P 以同样的方式发布 m2。"),
        next(
            "m1 reaches B1: written to disk, confirmed to P and sent to C1, where it counts as unacknowledged.",
            "m1 到达 B1：写入磁盘，向 P 发送生产者确认，再发给 C1，等待消费者确认。"),
        next(
            "m2 goes the same way.",
            "m2 也是如此。"),
        next(
            "m1 reaches C1.",
            "m1 到达 C1。"),
        next(
            "P gets the confirm for m1.",
            "P 收到 m1 的生产者确认。"),
        next(
            "P gets the confirm for m2.",
            "P 收到 m2 的生产者确认。"),
        next(
            "m2 reaches C1 and waits behind m1.",
            "m2 到达 C1，排在 m1 后面。"),
        process(C1,
            "C1 processes m1.",
            "C1 处理 m1。"),
        ack(C1,
            "C1 sends basic.ack for m1.",
            "C1 发送 m1 的 basic.ack。"),
        next(
            "B1 gets the ack and deletes m1 for good.",
            "B1 收到消费者确认，彻底删除 m1。"),
        process(C1,
            "C1 processes m2; its ack has not been sent yet.",
            "C1 处理了 m2，但消费者确认还没发出。"),
        ask(
            fault(Fault::Crash { node: C1 },
                "C1 crashes between processing m2 and acknowledging it. Its channel closes, and B1 puts m2 back in the queue with the redelivered flag: it cannot know that the work was done.",
                "C1 在处理完 m2、发出消费者确认之前宕机。它的信道随之关闭，B1 把 m2 放回队列并打上 redelivered 标记：B1 无从知道这项工作已经做完了。"),
            ("C1 crashes after processing m2, before its basic.ack. What does B1 do with m2?", "C1 处理完 m2、还没发出 basic.ack 就宕机了。B1 会怎么处理 m2？"),
            &[
                ("Deletes it: C1 processed it", "删除它：C1 已经处理过了"),
                ("Puts it back in the queue, flagged as redelivered", "放回队列，并标记为重新投递"),
                ("Keeps it reserved for C1 forever", "一直为 C1 保留，不再投递"),
            ],
            1,
        ),
        fault(Fault::Restart { node: C1 },
            "C1 restarts and consumes again, and B1 sends it m2 once more.",
            "C1 重启并重新消费，B1 再次把 m2 发给它。"),
        next(
            "m2 reaches C1 with redelivered = true.",
            "m2 到达 C1，redelivered = true。"),
        again,
        ack(C1, ack_en, ack_zh),
        next(last_en, last_zh),
    ]
}

fn manual_ack_twice() -> Scenario<RabbitLab> {
    let s = setup(
        3,
        alloc::vec![],
        alloc::vec![queue("orders")],
        PublishMode::Confirms,
        alloc::vec![consumer(C1, "orders", false)],
    );
    scenario(
        "rabbitmq-manual-ack-twice",
        (
            "A consumer crashes after processing and before acking, and the message is processed twice",
            "消费者处理完、发出消费者确认前宕机，消息被处理了两次",
        ),
        (
            "C1 acknowledges manually. It crashes after processing m2 and before sending its basic.ack, so B1 puts m2 back in the queue and C1 processes it again after the restart.",
            "C1 手动确认。它处理完 m2、还没发出 basic.ack 就宕机了，于是 B1 把 m2 放回队列，C1 重启后又处理了一次。",
        ),
        s,
        &[ONCE],
        crash_before_ack(false),
    )
}

fn idempotent() -> Scenario<RabbitLab> {
    let mut c = consumer(C1, "orders", false);
    c.idempotent = true;
    let s = setup(
        3,
        alloc::vec![],
        alloc::vec![queue("orders")],
        PublishMode::Confirms,
        alloc::vec![c],
    );
    scenario(
        "rabbitmq-idempotent",
        (
            "An idempotent consumer skips the redelivered message",
            "幂等消费者跳过重新投递的消息",
        ),
        (
            "The same crash between processing and acking, but C1 records the ID of every processed message in the same database transaction as its effect (recorded apart, a crash between the two would still process twice). When m2 comes back, C1 finds its ID and skips it: processed once. The ID is the message_id property P sets when it publishes: AMQP 0-9-1 gives a message no ID of its own, so without one C1 would have to deduplicate on a business key, such as the order number.",
            "同样在处理完、发出消费者确认前宕机，但 C1 会在写入处理结果的同一个数据库事务里记下消息 ID（分开记录的话，两者之间的宕机仍会导致重复处理）。m2 再次到来时，C1 查到它的 ID，直接跳过：只处理一次。这个 ID 是 P 发布时设置的 message_id 属性：AMQP 0-9-1 不会给消息分配 ID，没有它，C1 就只能按业务键（比如订单号）去重。",
        ),
        s,
        &[],
        crash_before_ack(true),
    )
}

fn ttl_dlx() -> Scenario<RabbitLab> {
    let mut q = queue("orders");
    q.message_ttl = Some(100);
    q.dead_letter_exchange = Some("dlx".into());
    let mut c1 = consumer(C1, "orders", false);
    c1.connected = false;
    c1.ack_on_process = true;
    let mut c2 = consumer(C2, "dlq", false);
    c2.connected = false;
    c2.ack_on_process = true;
    let s = setup(
        4,
        alloc::vec![exchange("dlx", ExchangeKind::Fanout, &[("dlq", "")])],
        alloc::vec![q, queue("dlq")],
        PublishMode::Confirms,
        alloc::vec![c1, c2],
    );
    let o = "orders";
    scenario(
        "rabbitmq-ttl-dlx",
        (
            "A message outlives the queue's TTL and is dead-lettered into the DLQ",
            "消息超过队列的 TTL，被转入死信队列",
        ),
        (
            "orders has a message TTL of 100 ms (a lab value; RabbitMQ has no TTL by default) and the dead-letter exchange dlx. m1 waits there with no consumer, expires, and is republished through dlx into dlq, where C2 later reads it. m2, published once C1 is connected, is consumed in time.",
            "orders 的消息 TTL 是 100 毫秒（实验值；RabbitMQ 默认不设 TTL），死信交换器是 dlx。m1 在那里等不到消费者，过期后经 dlx 重新发布到 dlq，之后由 C2 读取。C1 连上后发布的 m2 被及时消费。",
        ),
        s,
        &[],
        alloc::vec![
            publish("", o, true,
                "The queue orders has x-message-ttl = 100 ms and x-dead-letter-exchange = dlx, a fanout exchange bound to the queue dlq. 100 ms is a lab value that keeps the lesson short: RabbitMQ sets no TTL unless a queue or message asks for one, and real TTLs are seconds to days. C1 will consume orders and C2 will read dlq, but neither is connected yet. P publishes m1.",
                "队列 orders 设置了 x-message-ttl = 100 毫秒和 x-dead-letter-exchange = dlx；dlx 是一个 fanout 交换器，绑定了队列 dlq（死信队列）。100 毫秒是为了让课程简短而取的实验值：RabbitMQ 默认不设 TTL，实际使用的 TTL 通常是几秒到几天。C1 将消费 orders，C2 将读取 dlq，但两者都还没连接。P 发布 m1。"),
            next(
                "m1 enters orders and is confirmed to P. Its 100 ms start now, and B1 sets a timer for the moment they run out.",
                "m1 进入 orders，并向 P 发送生产者确认。它的 100 毫秒从此刻开始计算，B1 为到期时刻设了一个定时器。"),
            next(
                "P gets the confirm for m1.",
                "P 收到 m1 的生产者确认。"),
            ask(
                next(
                    "100 ms after m1 entered orders, it expires. The queue has a dead-letter exchange, so B1 republishes m1 to dlx with an x-death header (queue orders, reason expired), and dlx routes it into dlq as m1→dlq.",
                    "m1 进入 orders 满 100 毫秒，过期了。队列配置了死信交换器，所以 B1 给 m1 加上 x-death 头（队列 orders，原因 expired），重新发布到 dlx，dlx 把它路由进 dlq，成为 m1→dlq。"),
                ("No consumer shows up within 100 ms. What happens to m1?", "100 毫秒内没有消费者出现。m1 会怎样？"),
                &[
                    ("It waits in orders until a consumer comes", "留在 orders 里，直到有消费者来"),
                    ("It expires and is deleted", "过期并被删除"),
                    ("It expires and ends up in dlq", "过期，最终进入 dlq"),
                ],
                2,
            ),
            op(RabbitOp::Connect { consumer: C1 },
                "C1 connects to orders, which is empty now: the expired m1 will not reach it.",
                "C1 连接到 orders，此时队列已经空了：过期的 m1 不会再到它手里。"),
            publish("", o, true,
                "P publishes m2.",
                "P 发布 m2。"),
            next(
                "m2 enters orders, is confirmed to P and goes straight to C1. A delivered message no longer waits in the queue, so its TTL no longer applies.",
                "m2 进入 orders，向 P 发送生产者确认，并直接发给 C1。已投递的消息不再在队列里等待，TTL 也就不再起作用。"),
            next(
                "P gets the confirm for m2.",
                "P 收到 m2 的生产者确认。"),
            next(
                "m2 reaches C1.",
                "m2 到达 C1。"),
            process(C1,
                "C1 processes m2 and acknowledges it.",
                "C1 处理 m2 并发送消费者确认（basic.ack）。"),
            next(
                "B1 gets the ack and deletes m2.",
                "B1 收到消费者确认，删除 m2。"),
            op(RabbitOp::Connect { consumer: C2 },
                "C2 connects to dlq, and B1 sends it m1→dlq: the dead-letter queue kept the expired order for inspection.",
                "C2 连接到 dlq，B1 把 m1→dlq 发给它：死信队列把过期的订单留了下来，供人检查。"),
            next(
                "m1→dlq reaches C2, its x-death header saying where and why it died.",
                "m1→dlq 到达 C2，x-death 头写明了它死在哪里、为什么死。"),
            process(C2,
                "C2 handles the dead letter, say by logging it or alerting someone, and acknowledges it.",
                "C2 处理这条死信，比如记录日志或通知相关人员，然后发送消费者确认（basic.ack）。"),
            next(
                "B1 deletes m1→dlq. Without a dead-letter exchange the expired m1 would simply have been dropped; with one, nothing vanishes without a trace.",
                "B1 删除 m1→dlq。如果没有死信交换器，过期的 m1 会被直接丢弃；有了它，消息不会无声无息地消失。"),
        ],
    )
}

fn mirrored() -> Scenario<RabbitLab> {
    let mut m = queue("mirrored");
    m.mirrored = true;
    let mut c1 = consumer(C1, "plain", false);
    c1.connected = false;
    c1.ack_on_process = true;
    c1.broker = B2;
    let mut c2 = consumer(C2, "mirrored", false);
    c2.connected = false;
    c2.ack_on_process = true;
    c2.broker = B2;
    let mut s = setup(
        5,
        alloc::vec![exchange(
            "orders",
            ExchangeKind::Fanout,
            &[("plain", ""), ("mirrored", "")]
        )],
        alloc::vec![queue("plain"), m],
        PublishMode::Confirms,
        alloc::vec![c1, c2],
    );
    s.producers[0].broker = B2;
    scenario(
        "rabbitmq-mirrored",
        (
            "A node goes down: the plain queue is out of reach, the mirrored queue fails over (classic mirroring, deprecated)",
            "节点宕机：普通集群的队列无法访问，镜像队列自动切换（经典镜像队列，已弃用）",
        ),
        (
            "The fanout exchange orders feeds two queues on B1: plain, which lives on B1 only, and mirrored, a classic mirrored queue with a mirror on B2. B1 crashes. mirrored fails over to B2 and C2 consumes without a pause; consuming plain fails with 404 NOT_FOUND, and new publishes skip it, yet are confirmed, until B1 comes back. B1 rejoins mirrored as an empty, unsynchronised mirror. Classic mirrored queues are deprecated and removed in RabbitMQ 4.0; quorum queues replace them.",
            "fanout 交换器 orders 连着 B1 上的两个队列：只存在于 B1 的 plain，以及在 B2 上有镜像的经典镜像队列 mirrored。B1 宕机后，mirrored 切换到 B2，C2 照常消费；在 B1 恢复之前，消费 plain 会失败（404 NOT_FOUND），新消息也不再进入 plain，却照样得到生产者确认。B1 重新加入 mirrored 时是一个空的、未同步的镜像。经典镜像队列已被弃用，RabbitMQ 4.0 中已移除，由仲裁队列取代。",
        ),
        s,
        &[],
        alloc::vec![
            publish("orders", "", true,
                "B1 and B2 form a RabbitMQ cluster. The fanout exchange orders feeds two durable queues whose home is B1: plain, which lives on B1 only (a plain cluster), and mirrored, a mirrored queue with a mirror on B2. P, C1 (reading plain) and C2 (reading mirrored) are all connected to B2, and the consumers have not started yet. P publishes m1 with confirms, as a persistent message. Classic mirrored queues are deprecated, and RabbitMQ 4.0 removed them; quorum queues, the next lesson, replace them.",
                "B1 和 B2 组成一个 RabbitMQ 集群。fanout 交换器 orders 连着两个持久化队列，它们的主节点都是 B1：plain 只存在于 B1 上（普通集群模式），mirrored 是镜像队列，在 B2 上有一个镜像。P、C1（读 plain）和 C2（读 mirrored）都连接到 B2，两个消费者还没开始消费。P 开启生产者确认，发布持久化消息 m1。经典镜像队列已被弃用，RabbitMQ 4.0 已将其移除，取代它的是下一课的仲裁队列。"),
            next(
                "m1 reaches B2, which routes it into both queues on B1: m1 into plain, and m1→mirrored into mirrored, whose mirror on B2 keeps a copy too. B2 confirms m1 to P.",
                "m1 到达 B2，B2 把它路由到 B1 上的两个队列：m1 进入 plain，m1→mirrored 进入 mirrored，而 mirrored 在 B2 上的镜像也保存一份。B2 向 P 发送 m1 的生产者确认。"),
            next(
                "P gets the confirm for m1.",
                "P 收到 m1 的生产者确认。"),
            ask(
                fault(Fault::Crash { node: B1 },
                    "B1 crashes. mirrored fails over: its mirror on B2 is promoted to master, holding m1→mirrored. plain lived only on B1, so its m1 sits on B1's disk, out of reach.",
                    "B1 宕机。mirrored 自动切换：B2 上的镜像被提升为主节点，m1→mirrored 还在。plain 只存在于 B1，它的 m1 留在 B1 的磁盘上，谁也拿不到。"),
                ("B1, home of both queues, crashes. Which queue can the consumers on B2 still read?", "两个队列的主节点 B1 宕机了。连在 B2 上的消费者还能读哪个队列？"),
                &[
                    ("Both: B2 is still in the cluster", "两个都能：B2 还在集群里"),
                    ("Only mirrored", "只有 mirrored"),
                    ("Neither, until B1 is back", "都不能，要等 B1 恢复"),
                ],
                1,
            ),
            ask(
                publish("orders", "", true,
                    "P publishes m2 to orders.",
                    "P 向 orders 发布 m2。"),
                ("B1 is down. The fanout orders feeds plain and mirrored. What does B2 answer P for m2?", "B1 已宕机。fanout 交换器 orders 连着 plain 和 mirrored。B2 会怎样答复 P 的 m2？"),
                &[
                    ("basic.nack: plain cannot take it", "basic.nack：plain 收不下它"),
                    ("basic.ack, once mirrored has it", "basic.ack，只要 mirrored 收下了它"),
                    ("Nothing until B1 is back", "B1 恢复前不答复"),
                ],
                1,
            ),
            next(
                "m2 reaches B2. In RabbitMQ 3.x a queue whose node is down leaves the routing table, so orders routes m2 to mirrored only. mirrored, now mastered on B2, takes it, and B2 sends basic.ack.",
                "m2 到达 B2。在 RabbitMQ 3.x 中，节点宕机的队列会从路由表中移除，所以 orders 只把 m2 路由到 mirrored。mirrored 的主节点现在是 B2，它收下 m2，B2 回复 basic.ack。"),
            next(
                "The ack reaches P: m2 is confirmed, yet plain never got its copy: another thing a confirm does not tell you. Had plain been the only queue, m2 would count as unroutable: confirmed, or returned if mandatory.",
                "ack 到达 P：m2 得到了生产者确认，可 plain 从未收到它的那一份：这又是生产者确认不会告诉你的事。如果 plain 是唯一的队列，m2 就算作无法路由：照样得到生产者确认，设置了 mandatory 则被退回。"),
            op(RabbitOp::Connect { consumer: C1 },
                "C1 asks to consume plain (basic.consume). plain is durable and its home node B1 is down, so B2 answers 404 NOT_FOUND, \"home node of durable queue plain is down or inaccessible\", and closes C1's channel.",
                "C1 请求消费 plain（basic.consume）。plain 是持久化队列，而它的主节点 B1 已宕机，所以 B2 回复 404 NOT_FOUND（“持久化队列 plain 的主节点已宕机或无法访问”），并关闭 C1 的信道。"),
            op(RabbitOp::Connect { consumer: C2 },
                "C2 starts consuming mirrored, and B2, its new master, sends it m1→mirrored and m2.",
                "C2 开始消费 mirrored，新的主节点 B2 把 m1→mirrored 和 m2 发给它。"),
            next(
                "m1→mirrored reaches C2.",
                "m1→mirrored 到达 C2。"),
            next(
                "m2 reaches C2.",
                "m2 到达 C2。"),
            process(C2,
                "C2 processes m1→mirrored and acknowledges it.",
                "C2 处理 m1→mirrored 并发送消费者确认（basic.ack）。"),
            process(C2,
                "C2 processes m2 and acknowledges it.",
                "C2 处理 m2 并发送消费者确认（basic.ack）。"),
            next(
                "B2 deletes m1→mirrored.",
                "B2 删除 m1→mirrored。"),
            next(
                "B2 deletes m2: the mirrored queue worked through the whole outage.",
                "B2 删除 m2：镜像队列在整个故障期间都在正常工作。"),
            fault(Fault::Restart { node: B1 },
                "B1 restarts. plain is durable and m1 persistent, so plain comes back with m1; C1's channel was closed, so nothing reaches it yet. B1 rejoins mirrored as a mirror, and it rejoins empty: a new mirror is not synchronised with what the master already holds (ha-sync-mode is manual by default) and gets only the messages published from now on. mirrored happens to be empty; had it held messages and B2 crashed before a synchronisation, promoting B1 would have lost them.",
                "B1 重启。plain 是持久化队列，m1 是持久化消息，所以 plain 带着 m1 回来了；但 C1 的信道已被关闭，暂时收不到任何消息。B1 重新加入 mirrored 成为镜像，但它是空的：新加入的镜像不会与主节点已有的消息同步（ha-sync-mode 默认为 manual），只会收到此后发布的消息。mirrored 此刻恰好是空的；如果它里面有消息，而 B2 在同步之前宕机，提升 B1 就会丢掉这些消息。"),
            op(RabbitOp::Connect { consumer: C1 },
                "C1 consumes plain again, now that B1 is back, and B2 passes m1 on to it.",
                "B1 已经恢复，C1 重新消费 plain，B2 把 m1 转给它。"),
            next(
                "m1 reaches C1, only now.",
                "m1 直到此刻才到达 C1。"),
            process(C1,
                "C1 processes m1 and acknowledges it.",
                "C1 处理 m1 并发送消费者确认（basic.ack）。"),
            next(
                "m1 leaves plain. A plain cluster spreads queues over nodes for throughput, but each queue lives on one node. The mirrored queue stayed available through B1's crash, at the cost of copying every message, but only because its mirror was synchronised: a promoted mirror that is not loses messages. RabbitMQ 4.0 removed classic mirroring; quorum queues, next, confirm a message only once a majority holds it.",
                "m1 离开 plain。普通集群把队列分散到各个节点上以提高吞吐量，但每个队列只在一个节点上。镜像队列在 B1 宕机期间依然可用，代价是每条消息都要复制，但前提是它的镜像已经同步：被提升的镜像若未同步，就会丢消息。RabbitMQ 4.0 已移除经典镜像队列；下一课的仲裁队列只在多数成员都保存了消息后才发送生产者确认。"),
        ],
    )
}

fn quorum() -> Scenario<RabbitLab> {
    // P, B1, C1 and two more brokers.
    const QB3: NodeId = 4;
    let mut q = queue("orders");
    q.quorum = true;
    let mut c1 = consumer(C1, "orders", false);
    c1.connected = false;
    c1.ack_on_process = true;
    c1.broker = QB3;
    let mut s = setup(
        3,
        alloc::vec![],
        alloc::vec![q],
        PublishMode::Confirms,
        alloc::vec![c1],
    );
    for name in ["B2", "B3"] {
        s.nodes.push(NodeSpec {
            name: name.to_string(),
            role: Role::Broker,
        });
    }
    s.producers[0].broker = QB3;
    let o = "orders";
    scenario(
        "rabbitmq-quorum",
        (
            "A quorum queue loses its leader, elects another, and keeps every confirmed message",
            "仲裁队列失去 leader，选出新的 leader，得到生产者确认的消息一条不少",
        ),
        (
            "orders is a quorum queue replicated by Raft over B1, B2 and B3, led by B1. B1 confirms m1 only once a majority (itself and one follower) has written it. B1 crashes; after an election timeout a follower whose log holds m1 raises the term, wins a majority of votes and leads. C1 consumes m1 and P publishes m2 as if nothing had happened.",
            "orders 是一个仲裁队列，由 Raft 复制到 B1、B2、B3 上，leader 是 B1。只有当多数成员（B1 自己加上一个 follower）都写入了 m1，B1 才发送生产者确认。B1 宕机后，经过一个选举超时，一个日志里有 m1 的 follower 提升任期、赢得多数选票，成为新的 leader。C1 照常消费 m1，P 照常发布 m2。",
        ),
        s,
        &[],
        alloc::vec![
            publish("", o, true,
                "orders is a quorum queue (x-queue-type: quorum), the replicated queue that replaces classic mirrored queues: its members on B1, B2 and B3 each keep a Raft log on disk, and B1 is the leader of term 1. P publishes with confirms and C1 will consume; both are connected to B3. P publishes m1.",
                "orders 是一个仲裁队列（x-queue-type: quorum），即取代经典镜像队列的复制队列：它在 B1、B2、B3 上的成员各自在磁盘上保存一份 Raft 日志，B1 是任期 1 的 leader。P 开启生产者确认发布消息，C1 稍后消费，两者都连接到 B3。P 发布 m1。"),
            next(
                "m1 reaches B3, which hands it to the leader B1: B1 appends it to its log as entry 1 of term 1 and sends it to B2 and B3 (AppendEntries). m1 is not in the queue yet, and not confirmed.",
                "m1 到达 B3，B3 把它交给 leader B1：B1 把它作为任期 1 的第 1 条追加到自己的日志中，并发给 B2 和 B3（AppendEntries）。m1 还没进入队列，也还没有生产者确认。"),
            next(
                "B2 writes m1 to its log and answers B1.",
                "B2 把 m1 写入日志并答复 B1。"),
            next(
                "B3 writes m1 too and answers; both answers are on their way to B1.",
                "B3 也写入了 m1 并答复；两份答复都在发往 B1 的路上。"),
            ask(
                next(
                    "B2's answer reaches B1: with B1's own copy, two of three members hold m1, a majority. B1 commits entry 1, puts m1 in the queue, and the confirm sets off to P, without waiting for B3's answer.",
                    "B2 的答复到达 B1：加上 B1 自己的一份，三个成员中已有两个保存了 m1，构成多数。B1 提交第 1 条，把 m1 放进队列，生产者确认随即发往 P，并不等 B3 的答复。"),
                ("B2's answer is about to reach B1, and B3's is still on its way. Does B1 confirm m1 now?", "B2 的答复即将到达 B1，B3 的答复还在路上。B1 现在会发送 m1 的生产者确认吗？"),
                &[
                    ("No: it waits until all three members have answered", "不会：要等三个成员都答复"),
                    ("Yes: B1 and B2 are a majority of three", "会：B1 和 B2 已是三个中的多数"),
                    ("It confirmed already, as soon as it wrote m1 itself", "它自己一写入就已发送生产者确认"),
                ],
                1,
            ),
            next(
                "B3's answer reaches B1: all three logs hold m1.",
                "B3 的答复到达 B1：三份日志里都有 m1 了。"),
            next(
                "The confirm for m1 reaches P: P counts m1 as safe.",
                "m1 的生产者确认到达 P：P 认为 m1 安全了。"),
            ask(
                fault(Fault::Crash { node: B1 },
                    "B1, the leader, crashes. orders has no leader: nothing commits, nothing is delivered. B2 and B3 notice that B1 is down and each starts a random election timeout of 150–300 ms (lab time, the Raft paper's range). RabbitMQ notices a crashed node at once, a silent one only after 45–75 s (net_ticktime 60 s ± 25%). m1 is safe: two surviving logs hold it.",
                    "leader B1 宕机。orders 没有了 leader：既不能提交，也不能投递。B2 和 B3 发现 B1 宕机，各自开始一个 150–300 毫秒的随机选举超时（实验时间，取自 Raft 论文）。RabbitMQ 对宕机的节点立即察觉，对无声失联的节点要等 45–75 秒（net_ticktime 60 秒 ± 25%）。m1 是安全的：两份存活的日志里都有它。"),
                ("The leader B1 crashes right after confirming m1. What becomes of m1?", "leader B1 刚发出 m1 的生产者确认就宕机了。m1 会怎样？"),
                &[
                    ("It is lost with B1 until B1 comes back", "随 B1 一起丢失，直到 B1 恢复"),
                    ("It survives: a majority of the logs hold it, and the next leader will be one of them", "留存下来：多数成员的日志里有它，下一任 leader 必定是其中之一"),
                    ("It survives only if B1 had synchronised its mirrors", "只有 B1 事先同步了镜像才能留存"),
                ],
                1,
            ),
            next(
                "B3's timeout runs out first, 200 ms after the crash. B3 becomes a candidate: it raises the term to 2, votes for itself and asks B2 for its vote (RequestVote, with the term and index of its last log entry). Ra runs a pre-vote first; the lab follows the Raft paper and leaves it out.",
                "B3 的超时先到期，距宕机 200 毫秒。B3 成为候选者：把任期提升到 2，投自己一票，并向 B2 请求投票（RequestVote，附上它最后一条日志的任期和序号）。Ra 会先进行一轮预投票（pre-vote），本实验按 Raft 论文省略了这一步。"),
            next(
                "B2 grants its vote: it has not voted in term 2, and B3's log is at least as up to date as its own. A member whose log lacked a committed entry could never gather a majority, so the new leader always has every committed message.",
                "B2 投出赞成票：它在任期 2 里还没投过票，而 B3 的日志至少和它的一样新。日志缺少已提交条目的成员永远凑不齐多数票，所以新 leader 一定拥有每一条已提交的消息。"),
            next(
                "B2's vote reaches B3: two of three votes, a majority. B3 leads term 2. It appends an entry of its own term and sends it to B2: a leader commits only entries of its own term by counting, and committing this one commits everything before it.",
                "B2 的选票到达 B3：三票中得两票，构成多数。B3 成为任期 2 的 leader。它追加一条属于本任期的条目并发给 B2：leader 只按多数提交自己任期的条目，提交了这一条，它之前的条目也就都提交了。"),
            next(
                "B2 writes the new entry and answers.",
                "B2 写入这条新条目并答复。"),
            next(
                "The answer reaches B3: entry 2 is committed, and orders is available again, with m1 in it.",
                "答复到达 B3：第 2 条已提交，orders 重新可用，m1 还在里面。"),
            op(RabbitOp::Connect { consumer: C1 },
                "C1 starts consuming orders, and B3, the new leader, sends it m1.",
                "C1 开始消费 orders，新 leader B3 把 m1 发给它。"),
            next(
                "m1 reaches C1.",
                "m1 到达 C1。"),
            process(C1,
                "C1 processes m1 and acknowledges it.",
                "C1 处理 m1 并发送消费者确认（basic.ack）。"),
            next(
                "B3 gets the ack and removes m1 from the queue.",
                "B3 收到消费者确认，把 m1 从队列中移除。"),
            publish("", o, true,
                "P, still connected to B3, publishes m2.",
                "P 仍连接在 B3 上，发布 m2。"),
            next(
                "m2 reaches B3, the leader, which appends it to its log as entry 3 of term 2 and sends it to B2 (B1 is still down).",
                "m2 到达 leader B3，B3 把它作为任期 2 的第 3 条追加到日志，并发给 B2（B1 仍然宕机）。"),
            next(
                "B2 writes m2 and answers.",
                "B2 写入 m2 并答复。"),
            next(
                "B2's answer reaches B3: two of three, m2 is committed, its confirm sets off, and B3 delivers m2 to C1.",
                "B2 的答复到达 B3：三分之二，m2 已提交，生产者确认随即发出，B3 把 m2 投递给 C1。"),
            next(
                "The confirm for m2 reaches P. Every confirmed message survived the leader's crash, with no synchronisation step and no lost writes; the price is a majority: with two of the three nodes down, orders would stop taking messages rather than lose them.",
                "m2 的生产者确认到达 P。每一条得到生产者确认的消息都挺过了 leader 的宕机，不需要同步这一步，也没有丢失写入；代价是需要多数成员在线：三个节点宕掉两个时，orders 宁可停止接收消息，也不会丢失消息。"),
        ],
    )
}

fn nack() -> Scenario<RabbitLab> {
    let mut q = queue("orders");
    q.dead_letter_exchange = Some("dlx".into());
    let s = setup(
        3,
        alloc::vec![exchange("dlx", ExchangeKind::Fanout, &[("dlq", "")])],
        alloc::vec![q, queue("dlq")],
        PublishMode::Confirms,
        alloc::vec![consumer(C1, "orders", false)],
    );
    scenario(
        "rabbitmq-nack",
        (
            "A nack with requeue brings the message straight back; without requeue it is dead-lettered",
            "带 requeue 的 nack 让消息立刻回来；不带 requeue 则转入死信队列",
        ),
        (
            "C1 cannot handle m1. It rejects it with basic.nack and requeue = true, and B1 delivers m1 right back to it, flagged as redelivered. It rejects it again with requeue = false, and m1 goes through the dead-letter exchange dlx into dlq.",
            "C1 处理不了 m1。它用 basic.nack 拒绝，并设 requeue = true，B1 立刻把 m1 带着重新投递标记送回给它。它再次拒绝，这次 requeue = false，m1 经死信交换器 dlx 进入 dlq。",
        ),
        s,
        &[],
        alloc::vec![
            publish("", "orders", true,
                "C1 consumes the queue orders with manual acknowledgement; orders has the dead-letter exchange dlx, a fanout exchange bound to the queue dlq. P publishes m1, an order C1 will not be able to handle.",
                "C1 以手动确认方式消费队列 orders；orders 配置了死信交换器 dlx，它是一个绑定了队列 dlq 的 fanout 交换器。P 发布 m1，这是一个 C1 处理不了的订单。"),
            next(
                "m1 reaches B1: written to disk, confirmed to P and sent to C1.",
                "m1 到达 B1：写入磁盘，向 P 发送生产者确认，再发给 C1。"),
            next(
                "P gets the confirm for m1.",
                "P 收到 m1 的生产者确认。"),
            next(
                "m1 reaches C1, which finds that it cannot handle it.",
                "m1 到达 C1，C1 发现自己处理不了它。"),
            op(RabbitOp::Nack { consumer: C1, requeue: true },
                "C1 rejects m1 with basic.nack and requeue = true, hoping it goes better next time.",
                "C1 用 basic.nack 拒绝 m1，并设 requeue = true，希望下次能处理成功。"),
            ask(
                next(
                    "B1 puts m1 back in orders with the redelivered flag and, since C1 is the only consumer, sends it straight back to C1. A message that always fails and is always requeued loops like this forever: a poison message.",
                    "B1 把 m1 放回 orders 并打上 redelivered 标记；C1 是唯一的消费者，所以 m1 立刻又被发给 C1。一条总是失败、又总被放回队列的消息会这样无休止地循环，这就是“毒消息”。"),
                ("B1 gets the nack with requeue = true. What happens to m1?", "B1 收到 requeue = true 的 nack。m1 会怎样？"),
                &[
                    ("It goes back to orders and straight back to C1", "回到 orders，又立刻发给 C1"),
                    ("It is deleted", "被删除"),
                    ("It goes to dlq", "进入 dlq"),
                ],
                0,
            ),
            next(
                "m1 reaches C1 again, with redelivered = true.",
                "m1 再次到达 C1，redelivered = true。"),
            op(RabbitOp::Nack { consumer: C1, requeue: false },
                "C1 gives up on m1 and rejects it with requeue = false.",
                "C1 放弃 m1，用 requeue = false 拒绝它。"),
            ask(
                next(
                    "B1 dead-letters m1: it republishes it to dlx with an x-death header (queue orders, reason rejected), and dlx routes it into dlq as m1→dlq. Without a dead-letter exchange the rejected m1 would simply be dropped; with one, it waits in dlq for someone to look at it.",
                    "B1 把 m1 作为死信处理：给它加上 x-death 头（队列 orders，原因 rejected），重新发布到 dlx，dlx 把它路由进 dlq，成为 m1→dlq。如果没有死信交换器，被拒绝的 m1 会被直接丢弃；有了它，m1 就在 dlq 里等人来查看。"),
                ("B1 gets the nack with requeue = false. Where does m1 end up?", "B1 收到 requeue = false 的 nack。m1 最终去了哪里？"),
                &[
                    ("Back in orders", "回到 orders"),
                    ("Nowhere: it is deleted", "哪里都没有：被删除了"),
                    ("In dlq, through the dead-letter exchange", "经死信交换器进入 dlq"),
                ],
                2,
            ),
        ],
    )
}

fn tx() -> Scenario<RabbitLab> {
    let s = setup(
        2,
        alloc::vec![],
        alloc::vec![queue("orders")],
        PublishMode::Tx,
        alloc::vec![],
    );
    let o = "orders";
    scenario(
        "rabbitmq-tx",
        (
            "A channel transaction: the broker holds the publishes until commit and drops them on rollback",
            "信道事务：Broker 把发布的消息扣在事务里，提交时才入队，回滚时丢弃",
        ),
        (
            "P publishes m1 and m2 in a channel transaction: each goes to B1 at once, and B1 holds them outside the queue until tx.commit, then answers tx.commit-ok. m3 reaches B1 too, and tx.rollback makes B1 drop it. A transactional channel cannot be put into confirm mode, so P opens a new channel for publisher confirms, and publishes m4 and m5 without waiting.",
            "P 在信道事务中发布 m1 和 m2：每条都立即发往 B1，B1 把它们扣在队列之外，直到 tx.commit 才入队，并回复 tx.commit-ok。m3 同样到达了 B1，tx.rollback 让 B1 把它丢弃。事务模式的信道不能再切换为确认模式，所以 P 新开一个信道使用生产者确认，发布 m4 和 m5，无需等待。",
        ),
        s,
        &[],
        alloc::vec![
            publish("", o, true,
                "P's channel is transactional (tx.select). P publishes m1 to the durable queue orders as a persistent message. basic.publish sends it to B1 at once: a transaction does not hold messages back in the producer, it tells the broker to hold them.",
                "P 的信道开启了事务（tx.select）。P 向持久化队列 orders 发布持久化消息 m1。basic.publish 立即把它发往 B1：事务并不会把消息留在生产者这边，而是让 Broker 先扣住它们。"),
            publish("", o, true,
                "P publishes m2 in the same transaction; it follows m1 on the wire.",
                "P 在同一个事务中发布 m2，它紧跟着 m1 发出。"),
            next(
                "m1 reaches B1, which holds it in the channel's open transaction: not enqueued yet. The exchange has already picked its queues; the channel holds the message, and no consumer can see it.",
                "m1 到达 B1，B1 把它扣在这个信道尚未提交的事务里：还没有入队。交换器已经选好了队列，消息由信道扣着，任何消费者都看不到它。"),
            next(
                "m2 is held the same way.",
                "m2 也同样被扣住。"),
            op(RabbitOp::TxCommit { producer: P },
                "P calls tx.commit, and the call blocks until B1 answers.",
                "P 调用 tx.commit，这个调用一直阻塞到 B1 回复为止。"),
            next(
                "tx.commit reaches B1: it routes m1 and m2 into orders together, writes them to disk and answers tx.commit-ok.",
                "tx.commit 到达 B1：B1 把 m1 和 m2 一起路由进 orders，写入磁盘，然后回复 tx.commit-ok。"),
            next(
                "tx.commit-ok reaches P, a full round trip after the commit: m1 and m2 are safe, and P's code can go on. Every commit costs such a round trip, which is why transactions slow a producer down.",
                "tx.commit-ok 到达 P，距离提交已过了一个完整的往返：m1 和 m2 安全了，P 的代码才能继续。每次提交都要这样往返一次，所以事务会拖慢生产者。"),
            publish("", o, true,
                "P publishes m3 in a new transaction, and it goes to B1 at once.",
                "P 在一个新事务中发布 m3，它立即发往 B1。"),
            next(
                "m3 reaches B1 and waits, uncommitted, in the transaction.",
                "m3 到达 B1，在事务中等待提交。"),
            op(RabbitOp::TxRollback { producer: P },
                "P changes its mind and calls tx.rollback.",
                "P 改变主意，调用 tx.rollback。"),
            ask(
                next(
                    "tx.rollback reaches B1, which drops m3: it had reached the broker, but it never entered orders, and no consumer ever saw it.",
                    "tx.rollback 到达 B1，B1 丢弃 m3：它已经到过 Broker，但从未进入 orders，也没有任何消费者见过它。"),
                ("m3 is at B1, uncommitted, when the rollback arrives. What happens to it?", "回滚到达时，m3 正未提交地待在 B1 上。它会怎样？"),
                &[
                    ("B1 drops it: it never enters orders", "B1 丢弃它：它从未进入 orders"),
                    ("B1 removes it from orders, where it already was", "B1 把它从 orders 中删除，它原本已在队列里"),
                    ("It was never sent: it stayed in P", "它根本没发出去，一直留在 P 那里"),
                ],
                0,
            ),
            op(RabbitOp::OpenChannel { producer: P, mode: PublishMode::Confirms },
                "P wants publisher confirms now. A transactional channel cannot be put into confirm mode, and no method leaves transaction mode, so P closes this channel, opens a new one and sends confirm.select on it.",
                "P 现在想用生产者确认。事务模式的信道不能再切换为确认模式，也没有退出事务模式的方法，所以 P 关闭这个信道，新开一个信道，并在上面发送 confirm.select。"),
            publish("", o, true,
                "P publishes m4 on the new channel, which leaves at once.",
                "P 在新信道上发布 m4，它立即发出。"),
            publish("", o, true,
                "P publishes m5 right after it, without waiting for m4's confirm.",
                "P 紧接着发布 m5，不等 m4 的确认。"),
            next(
                "m4 reaches B1, is written to disk, and its basic.ack sets off.",
                "m4 到达 B1，写入磁盘，它的 basic.ack 随即发出。"),
            next(
                "m5 follows it.",
                "m5 紧随其后。"),
            next(
                "The confirm for m4 reaches P.",
                "m4 的生产者确认到达 P。"),
            next(
                "The confirm for m5 reaches P. Both are as safe as a committed transaction, but P kept publishing while the confirms travelled: confirms are asynchronous, tx.commit is not, so confirms are the usual choice.",
                "m5 的生产者确认到达 P。两条消息和提交过的事务一样安全，但在确认返回的途中 P 一直在发布：确认是异步的，tx.commit 是同步的，所以一般选用确认机制。"),
        ],
    )
}
