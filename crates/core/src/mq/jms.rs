//! The JMS / ActiveMQ lab (seed 001 sections 1-3, seed 002): producers, a broker with queues and
//! topics, and consumer sessions in every acknowledgement mode. Messages travel the kernel's
//! network, so a crash, a partition or a lost packet does to them what it does in life, and the
//! delivery ledger records where each one ends: acknowledged, dead-lettered, expired, or lost.
//!
//! Modelled after JMS 1.1 / 2.0 and ActiveMQ 5 defaults: persistent sends are synchronous (the
//! producer waits for the broker's receipt, sent once the message is in the store); non-persistent
//! sends are asynchronous, and so are sends in a transaction, which the broker holds invisible
//! until the commit (`ActiveMQSession.send`); a consumer's unacknowledged messages go back to the
//! broker when its session closes or crashes, and a rollback's are redelivered by the client,
//! which poison-acknowledges them past `max_redeliveries` so that the broker dead-letters them.
//!
//! Redelivery counts (`JMSXDeliveryCount`: 1 on the first delivery, one more per redelivery) follow
//! ActiveMQ 5's broker, `Queue.removeSubscription`: when a consumer *closes*, it names the last
//! message its application received (`RemoveInfo.lastDeliveredSequenceId`), so only the messages
//! the application received come back flagged `JMSRedelivered`, and a message that was only
//! prefetched comes back unflagged. When a consumer *crashes*, the broker has no such information
//! (`LAST_DELIVERED_UNKNOWN`) and raises the count of every message it dispatched to that consumer
//! and did not get an acknowledgement for, prefetched ones included. The lab records which
//! messages reached the application on the broker when the application receives one, without a
//! packet of its own.
//!
//! When a consumer crashes, the broker does not know at once: its TCP connection breaks, and the
//! broker notices a little later ([`CONNECTION_LOST_AFTER`]). Acknowledgements the consumer sent
//! before it crashed are already on the wire and arrive first, so they count.
//!
//! A transacted consumer's `session.rollback()` reaches the broker (`TransactionContext.rollback`
//! sends `TransactionInfo.ROLLBACK` and waits for the reply): the broker undoes the transaction's
//! acknowledgement and keeps the messages dispatched to that consumer
//! (`PrefetchSubscription.registerRemoveSync` removes them only after a commit). The redelivery
//! itself is the client's work, as in `ActiveMQMessageConsumer.rollback`: the client raises the
//! messages' redelivery counter, waits the `RedeliveryPolicy` delay (`initialRedeliveryDelay`,
//! 1,000 ms by default) and hands them to the application again; from a message's second rollback
//! on it also sends a `REDELIVERED_ACK_TYPE` acknowledgement, which the broker only matches
//! against what it dispatched (`PrefetchSubscription.acknowledge`): the broker's own count is
//! raised only when a subscription goes away (`Queue.removeSubscription`), so during client
//! redeliveries the count lives in the client. Once the counter passes `maximumRedeliveries`
//! (6 by default) the client sends a poison acknowledgement (`POISON_ACK_TYPE`) carrying its
//! counter and the broker moves a persistent message to `ActiveMQ.DLQ`; a
//! non-persistent one is dropped, since `SharedDeadLetterStrategy.processNonPersistent` is false
//! by default (`AbstractDeadLetterStrategy.isSendToDeadLetterQueue`).
//!
//! Time to live, as in ActiveMQ 5: no timer fires when a message expires. The broker finds it
//! expired when it pages it in for dispatch (`Queue.doPageInForDispatch`), when it is about to
//! dispatch it from a subscription's pending list (`PrefetchSubscription.dispatchPending`: "Message
//! may have been sitting in the pending list"), or in its periodic sweep
//! (`PolicyEntry.expireMessagesPeriod`, 30 s by default); a consumer drops an expired message it
//! receives and tells the broker (`EXPIRED_ACK_TYPE`, `ActiveMQMessageConsumer.dequeue`).

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::ledger::{Assurance, EntryId, Ledger, Place};
use super::message::{Body, DeliveryMode, Message};
use super::selector::{Selector, Value};
use crate::kernel::bounds;
use crate::kernel::{
    Ctx, Envelope, LinkConfig, LossReason, NodeId, NodeState, Protocol, Severity, Time, TimerId,
    Violation, World,
};
use crate::scenario::{InvariantInfo, Lab, LabInfo, Scenario, StaticText, Topic};
use crate::text::Text;

/// What a node is in this lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Producer,
    Broker,
    Consumer,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DestinationKind {
    /// Point-to-point: each message goes to one consumer.
    Queue,
    /// Publish/subscribe: each subscription gets its own copy.
    Topic,
}

/// How a consumer session acknowledges what it received.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckMode {
    /// The session acknowledges each message as soon as the listener returns.
    Auto,
    /// The application calls `acknowledge()`, which acknowledges every message the session has
    /// consumed so far.
    Client,
    /// On a topic the session acknowledges lazily, in batches of half the prefetch, so a crash can
    /// deliver a message twice; on a queue ActiveMQ acknowledges each message as AUTO does
    /// (`ActiveMQMessageConsumer.isAutoAcknowledgeEach` / `isAutoAcknowledgeBatch`).
    DupsOk,
    /// Receives are acknowledged, and sends released, only on `commit()`.
    Transacted,
}

impl AckMode {
    pub fn name(self) -> &'static str {
        match self {
            AckMode::Auto => "AUTO_ACKNOWLEDGE",
            AckMode::Client => "CLIENT_ACKNOWLEDGE",
            AckMode::DupsOk => "DUPS_OK_ACKNOWLEDGE",
            AckMode::Transacted => "SESSION_TRANSACTED",
        }
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    pub name: String,
    pub role: Role,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct DestinationSpec {
    pub name: String,
    pub kind: DestinationKind,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerSpec {
    pub node: NodeId,
    /// A transacted producer's sends reach the broker one by one, and the broker keeps them
    /// invisible until the commit.
    #[serde(default)]
    pub transacted: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    pub node: NodeId,
    pub destination: String,
    pub ack_mode: AckMode,
    /// How many unacknowledged messages the broker may push to this consumer (ActiveMQ: 1000).
    pub prefetch: u32,
    /// A JMS message selector; messages it does not match stay on the broker.
    #[serde(default)]
    pub selector: Option<String>,
    /// For a topic: the name of a durable subscription, which keeps messages while the
    /// consumer is away.
    #[serde(default)]
    pub durable: Option<String>,
    /// Remembers the IDs of processed messages and skips a message it has already processed.
    #[serde(default)]
    pub idempotent: bool,
    /// Connected at the start.
    pub connected: bool,
}

/// The starting point of a JMS run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct JmsSetup {
    pub nodes: Vec<NodeSpec>,
    pub destinations: Vec<DestinationSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    /// The client's `RedeliveryPolicy.maximumRedeliveries` (ActiveMQ: 6): past it, a rolled-back
    /// message is poison-acknowledged and goes to the dead-letter queue.
    pub max_redeliveries: u32,
    /// The client's `RedeliveryPolicy.initialRedeliveryDelay` in ms (ActiveMQ: 1,000): how long
    /// after a rollback it hands the messages to the application again.
    #[serde(default = "default_redelivery_delay")]
    pub redelivery_delay: Time,
    /// The broker's `expireMessagesPeriod` in ms (ActiveMQ: 30,000): how often it sweeps its
    /// destinations for expired messages.
    #[serde(default = "default_expire_period")]
    pub expire_messages_period: Time,
    /// Dispatch by `JMSPriority` first (ActiveMQ's `prioritizedMessages`), else in arrival order.
    #[serde(default)]
    pub prioritized: bool,
    #[serde(default)]
    pub link: Option<LinkConfig>,
}

pub const MAX_NODES: usize = 12;
/// ActiveMQ's `RedeliveryPolicy` defaults: `maximumRedeliveries` and `initialRedeliveryDelay`.
pub const DEFAULT_MAX_REDELIVERIES: u32 = 6;
pub const DEFAULT_REDELIVERY_DELAY: Time = 1000;
/// ActiveMQ's `PolicyEntry.expireMessagesPeriod` default.
pub const DEFAULT_EXPIRE_PERIOD: Time = 30_000;
/// ActiveMQ's default prefetch: queues, durable topic subscriptions, non-durable ones
/// (`ActiveMQPrefetchPolicy`).
pub const DEFAULT_QUEUE_PREFETCH: u32 = 1000;
pub const DEFAULT_DURABLE_TOPIC_PREFETCH: u32 = 100;
pub const DEFAULT_TOPIC_PREFETCH: u32 = 32_767;

fn default_redelivery_delay() -> Time {
    DEFAULT_REDELIVERY_DELAY
}

fn default_expire_period() -> Time {
    DEFAULT_EXPIRE_PERIOD
}
pub const MAX_PREFETCH: u32 = 1000;
pub const DEAD_LETTER_QUEUE: &str = "ActiveMQ.DLQ";

fn bad(en: String, zh: String) -> Text {
    Text::new(en, zh)
}

impl JmsSetup {
    pub fn validate(&self) -> Result<(), Text> {
        if self.nodes.is_empty() || self.nodes.len() > MAX_NODES {
            return Err(bad(
                format!(
                    "A JMS lab has 1 to {MAX_NODES} nodes, not {}.",
                    self.nodes.len()
                ),
                format!(
                    "JMS 实验需要 1 到 {MAX_NODES} 个节点，而不是 {} 个。",
                    self.nodes.len()
                ),
            ));
        }
        let brokers = self.nodes.iter().filter(|n| n.role == Role::Broker).count();
        if brokers != 1 {
            return Err(bad(
                format!("This lab has exactly one broker, not {brokers}."),
                format!("这个实验只能有一个 Broker，而不是 {brokers} 个。"),
            ));
        }
        self.check_bounds()?;
        let role_of = |n: NodeId| self.nodes.get(usize::from(n)).map(|s| s.role);
        for p in &self.producers {
            if role_of(p.node) != Some(Role::Producer) {
                return Err(bad(
                    format!("Producer {} is not a producer node.", p.node),
                    format!("生产者 {} 不是生产者节点。", p.node),
                ));
            }
        }
        for c in &self.consumers {
            if role_of(c.node) != Some(Role::Consumer) {
                return Err(bad(
                    format!("Consumer {} is not a consumer node.", c.node),
                    format!("消费者 {} 不是消费者节点。", c.node),
                ));
            }
            let Some(dest) = self.destinations.iter().find(|d| d.name == c.destination) else {
                return Err(bad(
                    format!("There is no destination \"{}\".", c.destination),
                    format!("没有目的地“{}”。", c.destination),
                ));
            };
            if c.durable.is_some() && dest.kind != DestinationKind::Topic {
                return Err(bad(
                    format!(
                        "Only a topic has durable subscriptions; \"{}\" is a queue.",
                        c.destination
                    ),
                    format!("只有主题才有持久订阅；“{}”是队列。", c.destination),
                ));
            }
            if !(1..=MAX_PREFETCH).contains(&c.prefetch) {
                return Err(bad(
                    format!(
                        "Prefetch must be between 1 and {MAX_PREFETCH}, not {}.",
                        c.prefetch
                    ),
                    format!(
                        "预取数量必须在 1 到 {MAX_PREFETCH} 之间，而不是 {}。",
                        c.prefetch
                    ),
                ));
            }
            if let Some(text) = &c.selector {
                Selector::parse(text).map_err(|e| e.message)?;
            }
        }
        if self
            .consumers
            .iter()
            .enumerate()
            .any(|(i, c)| self.consumers[..i].iter().any(|d| d.node == c.node))
        {
            return Err(bad(
                "A consumer node has one session in this lab.".to_string(),
                "在这个实验里，每个消费者节点只有一个会话。".to_string(),
            ));
        }
        Ok(())
    }
}

impl JmsSetup {
    /// The numbers and names of a set-up, within [`bounds`].
    fn check_bounds(&self) -> Result<(), Text> {
        bounds::span(
            ("the redelivery delay", "重新投递的延迟"),
            self.redelivery_delay,
        )?;
        bounds::span(
            ("the expiry sweep's period", "过期扫描周期"),
            self.expire_messages_period,
        )?;
        bounds::count(
            ("redeliveries", "重新投递次数"),
            u64::from(self.max_redeliveries),
            1_000,
        )?;
        bounds::count(
            ("destinations", "目的地"),
            self.destinations.len() as u64,
            32,
        )?;
        if let Some(link) = &self.link {
            link.check()?;
        }
        for n in &self.nodes {
            bounds::name(("a node's name", "节点名"), &n.name)?;
        }
        for d in &self.destinations {
            bounds::name(("a destination's name", "目的地名"), &d.name)?;
        }
        for c in &self.consumers {
            if let Some(durable) = &c.durable {
                bounds::name(("a subscription's name", "订阅名"), durable)?;
            }
        }
        Ok(())
    }
}

/// A message held by the broker for one queue or one subscription.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Held {
    pub message: Message,
    /// The consumer it was pushed to and that has not acknowledged it yet.
    pub dispatched_to: Option<NodeId>,
    /// In this dispatch, the consumer's application received it (not only prefetched it).
    #[serde(default)]
    pub delivered: bool,
}

/// Where the broker keeps messages: a queue, or one subscription to a topic.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Channel {
    /// The queue or topic.
    pub destination: String,
    /// For a subscription: its consumer, and whether it is durable.
    pub subscriber: Option<(NodeId, bool)>,
    pub messages: Vec<Held>,
    /// Round-robin position among the queue's consumers.
    next_consumer: usize,
}

/// The broker.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Broker {
    pub node: NodeId,
    pub channels: Vec<Channel>,
    pub dead_letters: Vec<Message>,
    next_message: u32,
    /// The broker's one pending wake-up: its timer and when it fires.
    wake: Option<(TimerId, Time)>,
    /// Message groups (`JMSXGroupID`) and the consumer each one is pinned to.
    pub groups: BTreeMap<String, NodeId>,
    /// Consumers that crashed and whose broken connection the broker has not noticed yet, with
    /// the timer that notices it.
    #[serde(default)]
    pub lost_connections: BTreeMap<NodeId, TimerId>,
    /// Each transacted producer's open transaction: its number and the messages sent in it, which
    /// the broker holds invisible until the commit (ActiveMQ: `TransactionBroker`).
    #[serde(default)]
    pub transactions: BTreeMap<NodeId, (u32, Vec<Message>)>,
    /// The next periodic sweep for expired messages, while a message with a time to live waits.
    #[serde(default)]
    sweep: Option<(TimerId, Time)>,
}

/// A producer session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Producer {
    pub spec: ProducerSpec,
    /// Messages sent in the open transaction, not yet committed: they are at the broker (or on
    /// their way), invisible to consumers.
    pub uncommitted: Vec<Message>,
    /// Sent synchronously (or committed), waiting for the broker's receipt.
    pub awaiting_receipt: Vec<EntryId>,
    /// The number of the open transaction; a rollback, a commit or a crash starts the next one.
    #[serde(default)]
    pub transaction: u32,
}

/// A consumer session.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Consumer {
    pub spec: ConsumerSpec,
    #[serde(skip)]
    pub selector: Option<Selector>,
    pub connected: bool,
    /// Prefetched messages, not yet handed to the application.
    pub prefetched: VecDeque<Message>,
    /// Consumed by the application, not yet acknowledged to the broker.
    pub unacked: Vec<Message>,
    /// Message IDs already processed (kept in a database, so it survives a crash).
    pub processed_ids: BTreeSet<String>,
    /// In a transacted session, IDs processed in the open transaction: they join
    /// `processed_ids` on commit and are forgotten on rollback, with the work they stand for.
    #[serde(default)]
    pub uncommitted_ids: BTreeSet<String>,
    /// Entries whose acknowledgement this session has sent. A clean close travels on the same
    /// connection after them, so the broker sees those acknowledgements first.
    #[serde(default)]
    pub acks_sent: Vec<EntryId>,
    /// Rolled back and waiting out the redelivery delay in the client, with the timer that
    /// hands them to the application again.
    #[serde(default)]
    pub redelivering: Vec<Message>,
    #[serde(default)]
    pub redelivery_timer: Option<TimerId>,
    /// DUPS_OK on a topic: messages in `unacked` whose handler threw. ActiveMQ skips
    /// `afterMessageIsConsumed` for them, so they do not count towards the batch, but the next
    /// batched acknowledgement's range covers them.
    #[serde(default)]
    pub failed_in_batch: usize,
    /// The number of the open transaction of a transacted session; a commit or a rollback starts
    /// the next one.
    #[serde(default)]
    pub transaction: u32,
}

impl Consumer {
    /// Acknowledgements a DUPS_OK session on a topic collects before it sends them: half the
    /// prefetch, rounded up (`ActiveMQMessageConsumer.ackLater`:
    /// `0.5 * prefetchSize <= deliveredCounter`, so prefetch 5 sends at the third message).
    fn dups_ok_batch(&self) -> usize {
        (self.spec.prefetch as usize).div_ceil(2).max(1)
    }
}

/// Operations the script or the student can run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JmsOp {
    Send {
        producer: NodeId,
        destination: String,
        delivery_mode: DeliveryMode,
        #[serde(default = "default_priority")]
        priority: u8,
        /// `JMSXGroupID`: ActiveMQ sends every message of a group to the same consumer.
        #[serde(default)]
        group: Option<String>,
        /// The business key whose messages must be processed in order (an order id), for the
        /// ledger; the group, when there is one, is the key too.
        #[serde(default)]
        key: Option<String>,
        #[serde(default)]
        properties: BTreeMap<String, Value>,
        #[serde(default)]
        body: Body,
        /// Time to live in milliseconds.
        #[serde(default)]
        ttl: Option<Time>,
        /// ActiveMQ's `AMQ_SCHEDULED_DELAY` in milliseconds.
        #[serde(default)]
        delay: Option<Time>,
    },
    /// The application receives the next prefetched message and processes it.
    Process {
        consumer: NodeId,
    },
    /// The application receives the next prefetched message and its handler throws before it
    /// has done anything: a failed attempt, not a side effect. Under AUTO_ACKNOWLEDGE and
    /// DUPS_OK the session rolls back at once, as ActiveMQ's listener dispatch does; in a
    /// transacted or CLIENT_ACKNOWLEDGE session the message stays received and unacknowledged.
    Fail {
        consumer: NodeId,
    },
    /// `message.acknowledge()` in CLIENT_ACKNOWLEDGE mode.
    Acknowledge {
        consumer: NodeId,
    },
    /// `session.commit()` of a transacted producer or consumer.
    Commit {
        node: NodeId,
    },
    /// `session.rollback()`.
    Rollback {
        node: NodeId,
    },
    /// The consumer connects (again); a durable subscriber receives what it missed.
    Connect {
        consumer: NodeId,
    },
    /// The consumer closes its session; what it has not acknowledged goes back to the broker.
    Disconnect {
        consumer: NodeId,
    },
    SetAckMode {
        consumer: NodeId,
        mode: AckMode,
    },
    /// A new prefetch for the consumer. The application cannot change a consumer's prefetch once
    /// it is created: JMS has no setter, and ActiveMQ takes it from the `prefetchPolicy` or the
    /// destination option `consumer.prefetchSize` at creation (`ConsumerInfo.prefetchSize`; only
    /// the broker can push a new one, with `ConsumerControl`). So, as for a selector, the
    /// consumer is closed and opened again with it.
    SetPrefetch {
        consumer: NodeId,
        prefetch: u32,
    },
    /// A new message selector for the consumer, or none. JMS fixes a consumer's selector when
    /// the consumer is created, so the consumer is closed (what it has not acknowledged goes back
    /// to the broker, as on [`JmsOp::Disconnect`]) and opened again with the new selector.
    SetSelector {
        consumer: NodeId,
        #[serde(default)]
        selector: Option<String>,
    },
}

fn default_priority() -> u8 {
    4
}

/// What travels between the nodes.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JmsMsg {
    /// Producer to broker; `receipt` when the producer waits for one (a synchronous send);
    /// `transaction` when it is sent in a transaction, which ActiveMQ sends asynchronously
    /// (`ActiveMQSession.send`: `txid != null`) and the broker holds until the commit.
    Send {
        messages: Vec<Message>,
        receipt: bool,
        #[serde(default, skip_serializing_if = "Option::is_none")]
        transaction: Option<u32>,
    },
    /// Broker to producer: the messages are stored (or committed).
    Receipt { entries: Vec<EntryId> },
    /// Broker to consumer.
    Dispatch { message: Box<Message> },
    /// Consumer to broker.
    Ack { entries: Vec<EntryId> },
    /// Consumer to broker after a rollback of messages already redelivered once: the client is
    /// redelivering them (`MessageAck.REDELIVERED_ACK_TYPE`). The broker only matches it against
    /// what it dispatched (`PrefetchSubscription.acknowledge`); it does not raise its count.
    Redelivered { entries: Vec<EntryId> },
    /// Consumer to broker: these ran out of redeliveries (`MessageAck.POISON_ACK_TYPE`), with the
    /// client's redelivery counter, which the broker never saw (the poison cause reads
    /// "Exceeded redelivery policy limit").
    Poison {
        entries: Vec<EntryId>,
        #[serde(default)]
        redeliveries: u32,
    },
    /// Consumer to broker: these had expired when they reached the application
    /// (`MessageAck.EXPIRED_ACK_TYPE`).
    ExpiredAck { entries: Vec<EntryId> },
    /// Producer to broker: commit the transaction (a synchronous request; the reply is a receipt).
    Commit { transaction: u32 },
    /// Producer or transacted consumer to broker: roll the transaction back
    /// (`TransactionContext.rollback`, `TransactionInfo.ROLLBACK`).
    Rollback { transaction: u32 },
}

/// Broker timers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JmsTimer {
    /// A delayed message becomes due.
    Wake,
    /// The broker's periodic sweep for expired messages (`expireMessagesPeriod`).
    Sweep,
    /// The broker notices that a crashed consumer's connection is gone.
    ConnectionLost { consumer: NodeId },
    /// The broker notices that a crashed producer's connection is gone, and rolls back its open
    /// transaction.
    ProducerLost { producer: NodeId, transaction: u32 },
    /// The consumer's redelivery delay after a rollback is over.
    Redeliver { consumer: NodeId },
}

/// How long after a consumer crashes the broker notices that its connection is gone. Longer than
/// the largest latency of the default link (15 ms), and stretched past a slower configured link's,
/// so whatever the consumer sent before it crashed, an acknowledgement above all, reaches the
/// broker first, as over TCP. (ActiveMQ notices
/// a broken socket when a read or write fails, or through its inactivity monitor; the lab keeps
/// the delay short so a lesson can show it.)
pub const CONNECTION_LOST_AFTER: Time = 50;

/// Lab events, in the lab's own words.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum JmsNote {
    Stored {
        label: String,
        destination: String,
        persistent: bool,
    },
    /// A message sent in a transaction reached the broker, which holds it until the commit.
    HeldInTransaction {
        label: String,
    },
    /// The broker makes a committed transaction's messages visible.
    CommittedTransaction {
        labels: Vec<String>,
    },
    Processed {
        consumer: NodeId,
        label: String,
        redelivered: bool,
    },
    SkippedDuplicate {
        consumer: NodeId,
        label: String,
    },
    Acked {
        consumer: NodeId,
        labels: Vec<String>,
    },
    /// The handler threw on this message before it did anything.
    Failed {
        consumer: NodeId,
        label: String,
    },
    Returned {
        label: String,
        delivery_count: u32,
        /// The consumer crashed, so the broker counted a delivery for every message it had out.
        #[serde(default)]
        unknown: bool,
    },
    /// The client rolled these back and hands them to the application again after `delay` ms;
    /// `told_broker` when it also sent a redelivered acknowledgement.
    RedeliveryScheduled {
        consumer: NodeId,
        labels: Vec<String>,
        delay: Time,
        told_broker: bool,
    },
    /// The client's redelivery delay is over.
    RedeliveredLocally {
        consumer: NodeId,
        labels: Vec<String>,
    },
    /// The client ran out of redeliveries and sent a poison acknowledgement: the redelivery
    /// counter is `redeliveries`, above `limit` (`maximumRedeliveries`).
    PoisonAcked {
        consumer: NodeId,
        labels: Vec<String>,
        redeliveries: u32,
        #[serde(default)]
        limit: u32,
    },
    /// A transacted consumer's rollback reached the broker: it undid the transaction's
    /// acknowledgement and keeps `labels` dispatched to the consumer, count unchanged.
    ConsumerRolledBack {
        consumer: NodeId,
        labels: Vec<String>,
    },
    /// A consumer received an already expired message and dropped it.
    ExpiredAtConsumer {
        consumer: NodeId,
        label: String,
    },
    /// The broker dead-lettered a poison-acknowledged message; `redeliveries` is the client's
    /// redelivery counter that the poison acknowledgement carried.
    DeadLettered {
        label: String,
        redeliveries: u32,
    },
    Expired {
        label: String,
        /// Found in the broker's periodic sweep, rather than when it was about to be dispatched
        /// or by a consumer.
        #[serde(default)]
        swept: bool,
    },
    LostOnRestart {
        label: String,
    },
    Discarded {
        label: String,
        why: Text,
    },
    Confirmed {
        labels: Vec<String>,
    },
    Nothing {
        why: Text,
    },
    /// The consumer took a new selector (none: it receives every message); `reopened` when it was
    /// connected, so it was closed and opened again, rather than only set for its next connection.
    SelectorChanged {
        consumer: NodeId,
        selector: Option<String>,
        reopened: bool,
    },
    /// The consumer took a new prefetch; `reopened` as for a selector.
    PrefetchChanged {
        consumer: NodeId,
        prefetch: u32,
        reopened: bool,
    },
}

/// The lab's state.
#[derive(Clone, Debug, PartialEq)]
pub struct JmsLab {
    pub setup: JmsSetup,
    pub broker: Broker,
    pub producers: BTreeMap<NodeId, Producer>,
    pub consumers: BTreeMap<NodeId, Consumer>,
    pub ledger: Ledger,
    /// Messages created so far, for their labels.
    created: u32,
}

impl JmsLab {
    pub fn new(setup: &JmsSetup) -> Result<JmsLab, Text> {
        setup.validate()?;
        let broker_node = setup
            .nodes
            .iter()
            .position(|n| n.role == Role::Broker)
            .unwrap_or(0) as NodeId;
        let mut channels: Vec<Channel> = setup
            .destinations
            .iter()
            .filter(|d| d.kind == DestinationKind::Queue)
            .map(|d| Channel {
                destination: d.name.clone(),
                subscriber: None,
                messages: Vec::new(),
                next_consumer: 0,
            })
            .collect();
        let mut consumers = BTreeMap::new();
        for spec in &setup.consumers {
            let selector = spec
                .selector
                .as_deref()
                .and_then(|t| Selector::parse(t).ok());
            let is_topic = setup
                .destinations
                .iter()
                .any(|d| d.name == spec.destination && d.kind == DestinationKind::Topic);
            // A durable subscription exists from the start; a non-durable one only while connected.
            if is_topic && (spec.durable.is_some() || spec.connected) {
                channels.push(Channel {
                    destination: spec.destination.clone(),
                    subscriber: Some((spec.node, spec.durable.is_some())),
                    messages: Vec::new(),
                    next_consumer: 0,
                });
            }
            consumers.insert(
                spec.node,
                Consumer {
                    spec: spec.clone(),
                    selector,
                    connected: spec.connected,
                    prefetched: VecDeque::new(),
                    unacked: Vec::new(),
                    processed_ids: BTreeSet::new(),
                    uncommitted_ids: BTreeSet::new(),
                    acks_sent: Vec::new(),
                    redelivering: Vec::new(),
                    redelivery_timer: None,
                    failed_in_batch: 0,
                    transaction: 0,
                },
            );
        }
        let producers = setup
            .producers
            .iter()
            .map(|p| {
                (
                    p.node,
                    Producer {
                        spec: p.clone(),
                        uncommitted: Vec::new(),
                        awaiting_receipt: Vec::new(),
                        transaction: 1,
                    },
                )
            })
            .collect();
        Ok(JmsLab {
            setup: setup.clone(),
            broker: Broker {
                node: broker_node,
                channels,
                dead_letters: Vec::new(),
                next_message: 0,
                wake: None,
                groups: BTreeMap::new(),
                lost_connections: BTreeMap::new(),
                transactions: BTreeMap::new(),
                sweep: None,
            },
            producers,
            consumers,
            ledger: Ledger::new(),
            created: 0,
        })
    }

    pub fn world(setup: &JmsSetup, seed: u64) -> Result<World<JmsLab>, Text> {
        let lab = JmsLab::new(setup)?;
        let names: Vec<&str> = setup.nodes.iter().map(|n| n.name.as_str()).collect();
        let link = super::client_link(setup.link);
        Ok(World::new(lab, &names, link, seed))
    }

    pub fn name(&self, node: NodeId) -> &str {
        self.setup
            .nodes
            .get(usize::from(node))
            .map_or("?", |n| n.name.as_str())
    }

    fn kind_of(&self, destination: &str) -> Option<DestinationKind> {
        self.setup
            .destinations
            .iter()
            .find(|d| d.name == destination)
            .map(|d| d.kind)
    }

    fn broker_place(message: &Message) -> Place {
        if message.is_persistent() {
            Place::BrokerStore
        } else {
            Place::BrokerMemory
        }
    }

    /// The broker takes in messages from a producer: one copy per queue, or per subscription.
    fn store(&mut self, messages: Vec<Message>, ctx: &mut Ctx<'_, Self>) -> Vec<EntryId> {
        let broker = self.broker.node;
        let mut stored = Vec::new();
        for message in messages {
            let kind = self.kind_of(&message.destination);
            let targets: Vec<usize> = self
                .broker
                .channels
                .iter()
                .enumerate()
                .filter(|(_, c)| c.destination == message.destination)
                .map(|(i, _)| i)
                .collect();
            stored.push(message.entry);
            if targets.is_empty() {
                let why = match kind {
                    Some(DestinationKind::Topic) => {
                        Text::new("the topic has no subscription", "这个主题没有订阅者")
                    }
                    _ => Text::new("there is no such destination", "没有这个目的地"),
                };
                self.ledger.move_to(message.entry, Place::Discarded, None);
                ctx.note(JmsNote::Discarded {
                    label: message.label.clone(),
                    why,
                });
                continue;
            }
            for (n, &target) in targets.iter().enumerate() {
                let mut copy = message.clone();
                if n > 0 || kind == Some(DestinationKind::Topic) {
                    let subscriber = self.broker.channels[target].subscriber.map(|(c, _)| c);
                    if n > 0 {
                        let label = format!(
                            "{}→{}",
                            message.label,
                            subscriber.map_or("?", |c| self.name(c))
                        );
                        copy.entry = self
                            .ledger
                            .copy(message.entry, label.clone())
                            .unwrap_or(message.entry);
                        copy.label = label;
                    }
                }
                self.ledger
                    .move_to(copy.entry, Self::broker_place(&copy), Some(broker));
                ctx.note(JmsNote::Stored {
                    label: copy.label.clone(),
                    destination: copy.destination.clone(),
                    persistent: copy.is_persistent(),
                });
                self.broker.channels[target].messages.push(Held {
                    message: copy,
                    dispatched_to: None,
                    delivered: false,
                });
            }
        }
        stored
    }

    /// Sets a broker timer for the next delayed message that becomes due, and keeps the periodic
    /// sweep for expired messages going while a message with a time to live waits. No timer is set
    /// for the moment a message expires: ActiveMQ has none (see the module's doc).
    fn schedule_wake(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let waiting = || {
            self.broker
                .channels
                .iter()
                .flat_map(|c| c.messages.iter())
                .filter(|h| h.dispatched_to.is_none())
        };
        let next = waiting()
            .filter_map(|h| h.message.deliver_after)
            .filter(|&t| t > now)
            .min();
        let period = self.setup.expire_messages_period;
        let sweep = (period > 0 && waiting().any(|h| h.message.expiration.is_some()))
            .then(|| (now / period + 1) * period);
        // One wake-up at a time: keep the pending one if it is still the right moment.
        if self.broker.wake.map(|(_, at)| at) != next {
            if let Some((timer, _)) = self.broker.wake.take() {
                ctx.cancel_timer(timer);
            }
            if let Some(at) = next {
                let timer = ctx.set_timer(self.broker.node, at - now, JmsTimer::Wake);
                self.broker.wake = Some((timer, at));
            }
        }
        if self.broker.sweep.map(|(_, at)| at) != sweep {
            if let Some((timer, _)) = self.broker.sweep.take() {
                ctx.cancel_timer(timer);
            }
            if let Some(at) = sweep {
                let timer = ctx.set_timer(self.broker.node, at - now, JmsTimer::Sweep);
                self.broker.sweep = Some((timer, at));
            }
        }
    }

    /// Where an expired message ends: a persistent one in the dead-letter queue, a non-persistent
    /// one dropped (`processExpired` is true and `processNonPersistent` false by default,
    /// `AbstractDeadLetterStrategy.isSendToDeadLetterQueue`).
    fn expired(&mut self, message: Message, swept: bool, ctx: &mut Ctx<'_, Self>) {
        self.ledger.move_to(message.entry, Place::Expired, None);
        ctx.note(JmsNote::Expired {
            label: message.label.clone(),
            swept,
        });
        if message.is_persistent() {
            self.broker.dead_letters.push(message);
        }
    }

    /// The periodic sweep (`Queue.expireMessages`, every `expireMessagesPeriod`): every waiting
    /// message whose time is up expires.
    fn sweep(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        for c in 0..self.broker.channels.len() {
            let mut i = 0;
            while i < self.broker.channels[c].messages.len() {
                let held = &self.broker.channels[c].messages[i];
                if held.dispatched_to.is_none() && held.message.is_expired(now) {
                    let held = self.broker.channels[c].messages.remove(i);
                    self.expired(held.message, true, ctx);
                } else {
                    i += 1;
                }
            }
        }
    }

    /// Pushes pending messages to connected consumers with room in their prefetch window, round
    /// robin among a queue's consumers, skipping consumers whose selector does not match.
    fn dispatch(&mut self, ctx: &mut Ctx<'_, Self>) {
        if !ctx.is_up(self.broker.node) {
            return;
        }
        let now = ctx.now();
        let broker = self.broker.node;
        for c in 0..self.broker.channels.len() {
            let mut order: Vec<usize> = (0..self.broker.channels[c].messages.len()).collect();
            if self.setup.prioritized {
                // Higher priority first; arrival order within a priority.
                order.sort_by_key(|&i| {
                    core::cmp::Reverse(self.broker.channels[c].messages[i].message.priority)
                });
            }
            let mut expired = Vec::new();
            for i in order {
                let channel = &self.broker.channels[c];
                let held = &channel.messages[i];
                if held.dispatched_to.is_some() || !held.message.is_due(now) {
                    continue;
                }
                let candidates: Vec<NodeId> = match channel.subscriber {
                    Some((consumer, _)) => alloc::vec![consumer],
                    None => self
                        .consumers
                        .values()
                        .filter(|k| k.spec.destination == channel.destination)
                        .map(|k| k.spec.node)
                        .collect(),
                };
                // A message group stays with the consumer it was first given to, while that
                // consumer's session lasts: the messages of one group are processed in order.
                let pinned = held
                    .message
                    .group
                    .as_ref()
                    .and_then(|g| self.broker.groups.get(g))
                    .copied();
                let candidates: Vec<NodeId> = match pinned {
                    Some(owner) => candidates.into_iter().filter(|&n| n == owner).collect(),
                    None => candidates,
                };
                if candidates.is_empty() {
                    continue;
                }
                let start = channel.next_consumer % candidates.len();
                let chosen = (0..candidates.len())
                    .map(|k| candidates[(start + k) % candidates.len()])
                    .find(|&node| {
                        let Some(k) = self.consumers.get(&node) else {
                            return false;
                        };
                        k.connected
                            && ctx.is_up(node)
                            && !self.broker.lost_connections.contains_key(&node)
                            && self.window_used(node) < k.spec.prefetch as usize
                            && k.selector.as_ref().is_none_or(|s| s.matches(&held.message))
                    });
                let Some(consumer) = chosen else { continue };
                // About to dispatch it, the broker checks its expiration (ActiveMQ's
                // `Queue.doPageInForDispatch` when it pages messages in, and
                // `PrefetchSubscription.dispatchPending` for one that sat in a subscription's
                // pending list, e.g. until its consumer connected): it is not dispatched.
                if held.message.is_expired(now) {
                    expired.push(i);
                    continue;
                }
                let position = candidates.iter().position(|&n| n == consumer).unwrap_or(0);
                let channel = &mut self.broker.channels[c];
                channel.next_consumer = position + 1;
                let held = &mut channel.messages[i];
                if let Some(group) = &held.message.group {
                    self.broker.groups.entry(group.clone()).or_insert(consumer);
                }
                held.dispatched_to = Some(consumer);
                held.delivered = false;
                // JMSXDeliveryCount is 1 on the first delivery; `take_back` raises it.
                held.message.delivery_count = held.message.delivery_count.max(1);
                let message = held.message.clone();
                self.ledger
                    .move_to(message.entry, Place::InFlight, Some(consumer));
                ctx.send(
                    broker,
                    consumer,
                    JmsMsg::Dispatch {
                        message: Box::new(message),
                    },
                );
            }
            expired.sort_unstable();
            for i in expired.into_iter().rev() {
                let held = self.broker.channels[c].messages.remove(i);
                self.expired(held.message, false, ctx);
            }
        }
        self.schedule_wake(ctx);
    }

    /// Messages pushed to a consumer and not yet acknowledged.
    fn window_used(&self, consumer: NodeId) -> usize {
        self.broker
            .channels
            .iter()
            .flat_map(|c| c.messages.iter())
            .filter(|h| h.dispatched_to == Some(consumer))
            .count()
    }

    /// Puts unacknowledged messages back for another delivery. The broker never dead-letters
    /// here: redelivery limits are the client's (see the module's doc). With `unknown` (the
    /// consumer crashed, `LAST_DELIVERED_UNKNOWN` in `Queue.removeSubscription`) every message
    /// comes back flagged `JMSRedelivered` with its delivery count raised; after a clean close only
    /// the messages the application received do, and a message only prefetched comes back as it
    /// was.
    fn take_back(
        &mut self,
        mut returned: impl FnMut(&Held) -> bool,
        unknown: bool,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let broker = self.broker.node;
        for c in 0..self.broker.channels.len() {
            for held in &mut self.broker.channels[c].messages {
                if !returned(held) {
                    continue;
                }
                held.dispatched_to = None;
                let delivered = core::mem::take(&mut held.delivered);
                let raised = delivered || unknown;
                let deliveries = if raised {
                    held.message.redelivered = true;
                    held.message.delivery_count += 1;
                    held.message.delivery_count - 1
                } else {
                    0
                };
                let message = &held.message;
                self.ledger
                    .move_to(message.entry, Self::broker_place(message), Some(broker));
                ctx.note(JmsNote::Returned {
                    label: message.label.clone(),
                    delivery_count: deliveries,
                    unknown,
                });
            }
        }
    }

    /// The broker removes messages a consumer poison-acknowledged: a persistent one goes to the
    /// dead-letter queue, a non-persistent one is dropped (`processNonPersistent` is false by
    /// default, `AbstractDeadLetterStrategy.isSendToDeadLetterQueue`). The broker's own copy keeps
    /// its count: redelivered acknowledgements never raised it; `redeliveries` is the client's
    /// counter, from the poison acknowledgement.
    fn apply_poison(
        &mut self,
        consumer: NodeId,
        entries: &[EntryId],
        redeliveries: u32,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let broker = self.broker.node;
        let mut removed = Vec::new();
        for c in &mut self.broker.channels {
            c.messages.retain(|h| {
                if entries.contains(&h.message.entry) && h.dispatched_to == Some(consumer) {
                    removed.push(h.message.clone());
                    false
                } else {
                    true
                }
            });
        }
        for message in removed {
            if message.is_persistent() {
                self.ledger
                    .move_to(message.entry, Place::DeadLettered, Some(broker));
                ctx.note(JmsNote::DeadLettered {
                    label: message.label.clone(),
                    redeliveries,
                });
                self.broker.dead_letters.push(message);
            } else {
                self.ledger.move_to(message.entry, Place::Discarded, None);
                ctx.note(JmsNote::Discarded {
                    label: message.label,
                    why: Text::new(
                        "a non-persistent message that runs out of redeliveries is dropped, not dead-lettered (processNonPersistent = false)",
                        "非持久化消息用完重新投递次数后被直接丢弃，不进死信队列（processNonPersistent = false）",
                    ),
                });
            }
        }
    }

    /// The broker removes messages a consumer found expired on receipt.
    fn apply_expired_ack(
        &mut self,
        consumer: NodeId,
        entries: &[EntryId],
        ctx: &mut Ctx<'_, Self>,
    ) {
        let mut removed = Vec::new();
        for c in &mut self.broker.channels {
            c.messages.retain(|h| {
                if entries.contains(&h.message.entry) && h.dispatched_to == Some(consumer) {
                    removed.push(h.message.clone());
                    false
                } else {
                    true
                }
            });
        }
        for message in removed {
            self.expired(message, false, ctx);
        }
    }

    /// The client's rollback (`ActiveMQMessageConsumer.rollback`): the messages the application
    /// received and did not acknowledge get their redelivery counter raised; past
    /// `maximumRedeliveries` they are poison-acknowledged, else the client tells the broker (from
    /// their second rollback on) and hands them to the application again after the redelivery
    /// delay.
    fn consumer_rollback(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        let broker = self.broker.node;
        let limit = self.setup.max_redeliveries;
        let delay = self.setup.redelivery_delay;
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        k.uncommitted_ids.clear();
        if k.unacked.is_empty() {
            return;
        }
        let mut messages: Vec<Message> = k.unacked.drain(..).collect();
        k.failed_in_batch = 0;
        // ActiveMQ decides on the most recently received message's counter.
        let before = messages
            .last()
            .map_or(0, |m| m.delivery_count.saturating_sub(1));
        for m in &mut messages {
            m.redelivered = true;
            m.delivery_count += 1;
        }
        let entries: Vec<EntryId> = messages.iter().map(|m| m.entry).collect();
        let labels: Vec<String> = messages.iter().map(|m| m.label.clone()).collect();
        if before + 1 > limit {
            ctx.send(
                consumer,
                broker,
                JmsMsg::Poison {
                    entries,
                    redeliveries: before + 1,
                },
            );
            ctx.note(JmsNote::PoisonAcked {
                consumer,
                labels,
                redeliveries: before + 1,
                limit,
            });
            return;
        }
        let told_broker = before > 0;
        if told_broker {
            ctx.send(consumer, broker, JmsMsg::Redelivered { entries });
        }
        ctx.note(JmsNote::RedeliveryScheduled {
            consumer,
            labels,
            delay,
            told_broker,
        });
        if delay == 0 {
            for m in messages.into_iter().rev() {
                k.prefetched.push_front(m);
            }
        } else {
            k.redelivering.extend(messages);
            if k.redelivery_timer.is_none() {
                let timer = ctx.set_timer(consumer, delay, JmsTimer::Redeliver { consumer });
                k.redelivery_timer = Some(timer);
            }
        }
    }

    /// The broker forgets the messages `consumer` acknowledged that it still has out to it.
    fn apply_ack(&mut self, consumer: NodeId, entries: &[EntryId]) {
        for c in &mut self.broker.channels {
            c.messages.retain(|h| {
                if entries.contains(&h.message.entry) && h.dispatched_to == Some(consumer) {
                    self.ledger
                        .move_to(h.message.entry, Place::Acknowledged, None);
                    false
                } else {
                    true
                }
            });
        }
    }

    fn acknowledge(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        if k.unacked.is_empty() {
            return;
        }
        let acked: Vec<Message> = core::mem::take(&mut k.unacked);
        k.failed_in_batch = 0;
        k.acks_sent.extend(acked.iter().map(|m| m.entry));
        ctx.send(
            consumer,
            self.broker.node,
            JmsMsg::Ack {
                entries: acked.iter().map(|m| m.entry).collect(),
            },
        );
        ctx.note(JmsNote::Acked {
            consumer,
            labels: acked.into_iter().map(|m| m.label).collect(),
        });
    }

    /// The application receives the next prefetched message: it processes it, or, with `fail`,
    /// its handler throws before doing anything.
    fn process(&mut self, consumer: NodeId, fail: bool, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let broker = self.broker.node;
        let limit = self.setup.max_redeliveries;
        let is_queue = self
            .consumers
            .get(&consumer)
            .and_then(|k| self.kind_of(&k.spec.destination))
            == Some(DestinationKind::Queue);
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        let Some(message) = k.prefetched.pop_front() else {
            ctx.note(JmsNote::Nothing {
                why: Text::new("no message has been prefetched", "没有预取到消息"),
            });
            return;
        };
        // The client drops a message that expired before the application got it, and tells the
        // broker (`ActiveMQMessageConsumer.dequeue`, `consumerExpiryCheckEnabled` by default).
        if message.is_expired(now) {
            ctx.send(
                consumer,
                broker,
                JmsMsg::ExpiredAck {
                    entries: alloc::vec![message.entry],
                },
            );
            ctx.note(JmsNote::ExpiredAtConsumer {
                consumer,
                label: message.label,
            });
            return;
        }
        // A transacted session checks the redelivery limit before it hands a message over
        // (`ActiveMQMessageConsumer.redeliveryExceeded`): after a crash the broker may have
        // raised the count past it.
        let redeliveries = message.delivery_count.saturating_sub(1);
        if k.spec.ack_mode == AckMode::Transacted && redeliveries > limit {
            ctx.send(
                consumer,
                broker,
                JmsMsg::Poison {
                    entries: alloc::vec![message.entry],
                    redeliveries,
                },
            );
            ctx.note(JmsNote::PoisonAcked {
                consumer,
                labels: alloc::vec![message.label],
                redeliveries,
                limit,
            });
            return;
        }
        // The application has received it: the broker learns so from the consumer's delivered
        // acknowledgement (recorded here at once, without a packet of its own).
        for held in self
            .broker
            .channels
            .iter_mut()
            .flat_map(|c| c.messages.iter_mut())
        {
            if held.message.entry == message.entry && held.dispatched_to == Some(consumer) {
                held.delivered = true;
            }
        }
        let mode = k.spec.ack_mode;
        if fail {
            // Nothing was done, so nothing is repeated: the ledger counts no processing.
            ctx.note(JmsNote::Failed {
                consumer,
                label: message.label.clone(),
            });
            k.unacked.push(message);
            if mode == AckMode::DupsOk && !is_queue {
                // Batch mode (`isAutoAcknowledgeBatch`): `beforeMessageIsConsumed` never put the
                // message in `deliveredMessages`, so `ActiveMQMessageConsumer.rollback` finds
                // nothing to redeliver. The message is not counted towards the batch
                // (`afterMessageIsConsumed` is skipped), but the next batched acknowledgement's
                // range covers it: it is acknowledged without being processed.
                k.failed_in_batch += 1;
            } else if matches!(mode, AckMode::Auto | AckMode::DupsOk) {
                self.consumer_rollback(consumer, ctx);
            }
            return;
        }
        let seen = k.processed_ids.contains(&message.message_id)
            || k.uncommitted_ids.contains(&message.message_id);
        if k.spec.idempotent && seen {
            self.ledger.skipped_duplicate(message.entry);
            ctx.note(JmsNote::SkippedDuplicate {
                consumer,
                label: message.label.clone(),
            });
        } else {
            self.ledger.processed(message.entry);
            if k.spec.idempotent {
                // In a transacted session the ID is written with the transaction's work, on
                // commit; a rollback undoes both.
                if k.spec.ack_mode == AckMode::Transacted {
                    k.uncommitted_ids.insert(message.message_id.clone());
                } else {
                    k.processed_ids.insert(message.message_id.clone());
                }
            }
            ctx.note(JmsNote::Processed {
                consumer,
                label: message.label.clone(),
                redelivered: message.redelivered,
            });
        }
        let batch = k.dups_ok_batch();
        k.unacked.push(message);
        let pending = k.unacked.len() - k.failed_in_batch;
        match mode {
            AckMode::Auto => self.acknowledge(consumer, ctx),
            // On a queue DUPS_OK acknowledges each message, as AUTO does; only on a topic does it
            // batch (`isAutoAcknowledgeEach`, `isAutoAcknowledgeBatch`).
            AckMode::DupsOk if is_queue || pending >= batch => self.acknowledge(consumer, ctx),
            _ => {}
        }
    }

    /// `Disconnect`: the session closes, and the broker offers what it took back to the other
    /// consumers.
    fn disconnect(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        self.close_session(consumer, ctx);
        self.dispatch(ctx);
    }

    /// A selector is part of a JMS consumer from its creation: to change it the application closes
    /// the consumer and creates another, so what the old one held unacknowledged goes back to the
    /// broker exactly as on `Disconnect`, and the new one receives what its selector matches. A
    /// consumer that is not connected only keeps the selector for its next connection.
    fn set_selector(&mut self, consumer: NodeId, text: Option<&str>, ctx: &mut Ctx<'_, Self>) {
        // `check_op` refused a selector that does not parse, so this never leaves early.
        let Ok(parsed) = text.map(Selector::parse).transpose() else {
            return;
        };
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        k.spec.selector = text.map(String::from);
        k.selector = parsed;
        let reopened = k.connected;
        ctx.note(JmsNote::SelectorChanged {
            consumer,
            selector: text.map(String::from),
            reopened,
        });
        if reopened {
            self.disconnect(consumer, ctx);
            self.connect(consumer, ctx);
        }
    }

    /// The application cannot change a prefetch, like a selector, once the consumer is created
    /// (`ConsumerInfo.prefetchSize`, set from `prefetchPolicy`; only the broker's
    /// `ConsumerControl` changes it later): a connected consumer is closed and opened again.
    fn set_prefetch(&mut self, consumer: NodeId, prefetch: u32, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        k.spec.prefetch = prefetch;
        let reopened = k.connected;
        ctx.note(JmsNote::PrefetchChanged {
            consumer,
            prefetch,
            reopened,
        });
        if reopened {
            self.disconnect(consumer, ctx);
            self.connect(consumer, ctx);
        }
    }

    /// The consumer's session closes: it drops what it prefetched, and its open transaction, if
    /// any, rolls back; the broker takes back what it did not acknowledge.
    fn close_session(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        if let Some(k) = self.consumers.get_mut(&consumer) {
            k.connected = false;
            // The acknowledgements already on the wire reach the broker before the close.
            let sent = core::mem::take(&mut k.acks_sent);
            if ctx.is_up(self.broker.node) {
                self.apply_ack(consumer, &sent);
            }
        }
        self.forget_session(consumer, ctx);
        self.end_session(consumer, false, ctx);
    }

    /// The consumer's side of a session that ends: what it prefetched, consumed without
    /// acknowledging, or processed in an open transaction.
    fn forget_session(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        if let Some(k) = self.consumers.get_mut(&consumer) {
            k.prefetched.clear();
            k.unacked.clear();
            k.failed_in_batch = 0;
            k.uncommitted_ids.clear();
            k.acks_sent.clear();
            k.redelivering.clear();
            if let Some(timer) = k.redelivery_timer.take() {
                ctx.cancel_timer(timer);
            }
        }
    }

    /// The broker's side of a session that ends (closed, or its connection is gone: `crashed`):
    /// it takes back everything it dispatched to the consumer and did not get an acknowledgement
    /// for.
    fn end_session(&mut self, consumer: NodeId, crashed: bool, ctx: &mut Ctx<'_, Self>) {
        // Its message groups are free to move to another consumer.
        self.broker.groups.retain(|_, owner| *owner != consumer);
        if ctx.is_up(self.broker.node) {
            self.take_back(|h| h.dispatched_to == Some(consumer), crashed, ctx);
            // A non-durable subscription ends with its session, and its messages with it.
            let mut dropped = Vec::new();
            self.broker.channels.retain(|c| {
                if c.subscriber == Some((consumer, false)) {
                    dropped.extend(
                        c.messages
                            .iter()
                            .map(|h| (h.message.entry, h.message.label.clone())),
                    );
                    false
                } else {
                    true
                }
            });
            for (entry, label) in dropped {
                self.ledger.move_to(entry, Place::Discarded, None);
                ctx.note(JmsNote::Discarded {
                    label,
                    why: Text::new(
                        "its non-durable subscription ended",
                        "它所在的非持久订阅结束了",
                    ),
                });
            }
        }
    }

    fn connect(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        k.connected = true;
        let destination = k.spec.destination.clone();
        let durable = k.spec.durable.is_some();
        let is_topic = self.kind_of(&destination) == Some(DestinationKind::Topic);
        let exists = self
            .broker
            .channels
            .iter()
            .any(|c| c.subscriber.map(|s| s.0) == Some(consumer));
        if is_topic && !exists {
            self.broker.channels.push(Channel {
                destination,
                subscriber: Some((consumer, durable)),
                messages: Vec::new(),
                next_consumer: 0,
            });
        }
        self.dispatch(ctx);
    }

    /// A message sent in a transaction reaches the broker, which holds it, invisible to every
    /// consumer, until the commit (ActiveMQ's `TransactionBroker`; KahaDB keeps a local
    /// transaction's messages in memory until it commits). Sends of one connection arrive in
    /// order, so a transaction's sends all arrive before its commit or rollback.
    fn hold_in_transaction(
        &mut self,
        producer: NodeId,
        transaction: u32,
        messages: Vec<Message>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let broker = self.broker.node;
        // A new transaction from a restarted producer whose old connection the broker has not
        // let go yet: the old transaction is over.
        if self
            .broker
            .transactions
            .get(&producer)
            .is_some_and(|(open, _)| *open != transaction)
        {
            let why = Text::new(
                "its producer's connection broke before the commit, so the broker rolled the transaction back",
                "生产者在提交前断开了连接，Broker 回滚了这个事务",
            );
            self.discard_transaction(producer, why, ctx);
        }
        let open = self
            .broker
            .transactions
            .entry(producer)
            .or_insert_with(|| (transaction, Vec::new()));
        for m in messages {
            self.ledger
                .move_to(m.entry, Place::BrokerMemory, Some(broker));
            ctx.note(JmsNote::HeldInTransaction {
                label: m.label.clone(),
            });
            open.1.push(m);
        }
    }

    /// The broker drops a producer's open transaction and everything sent in it.
    fn discard_transaction(&mut self, producer: NodeId, why: Text, ctx: &mut Ctx<'_, Self>) {
        let Some((_, held)) = self.broker.transactions.remove(&producer) else {
            return;
        };
        for m in held {
            self.ledger.move_to(m.entry, Place::Discarded, None);
            ctx.note(JmsNote::Discarded {
                label: m.label,
                why: why.clone(),
            });
        }
    }

    /// The messages the broker holds for a destination (all its channels), for the views.
    pub fn held(&self, destination: &str) -> impl Iterator<Item = &Held> + '_ {
        let destination = String::from(destination);
        self.broker
            .channels
            .iter()
            .filter(move |c| c.destination == destination)
            .flat_map(|c| c.messages.iter())
    }
}

impl Protocol for JmsLab {
    type Msg = JmsMsg;
    type Op = JmsOp;
    type Timer = JmsTimer;
    type Note = JmsNote;

    fn check_op(&self, op: &JmsOp, nodes: &[NodeState]) -> Result<(), Text> {
        let up = |n: NodeId| nodes.get(usize::from(n)).is_some_and(NodeState::is_up);
        let consumer = |n: NodeId| {
            self.consumers.get(&n).map(|_| ()).ok_or_else(|| {
                Text::new(
                    format!("{} is not a consumer", self.name(n)),
                    format!("{} 不是消费者", self.name(n)),
                )
            })
        };
        match op {
            JmsOp::Send {
                producer,
                destination,
                priority,
                ..
            } => {
                if !self.producers.contains_key(producer) {
                    return Err(Text::new(
                        format!("{} is not a producer", self.name(*producer)),
                        format!("{} 不是生产者", self.name(*producer)),
                    ));
                }
                if self.kind_of(destination).is_none() {
                    return Err(Text::new(
                        format!("there is no destination {destination}"),
                        format!("没有目的地 {destination}"),
                    ));
                }
                if *priority > 9 {
                    return Err(Text::new(
                        "JMS priorities run from 0 to 9",
                        "JMS 优先级的范围是 0 到 9",
                    ));
                }
                if !up(*producer) {
                    return Err(Text::new(
                        "a producer that is not running cannot send",
                        "没有运行的生产者无法发送",
                    ));
                }
                Ok(())
            }
            JmsOp::Process { consumer: c }
            | JmsOp::Fail { consumer: c }
            | JmsOp::Acknowledge { consumer: c }
            | JmsOp::Disconnect { consumer: c } => {
                consumer(*c)?;
                if up(*c) {
                    Ok(())
                } else {
                    Err(Text::new("the consumer is not running", "消费者没有运行"))
                }
            }
            JmsOp::Connect { consumer: c } => {
                consumer(*c)?;
                if !up(*c) {
                    Err(Text::new("the consumer is not running", "消费者没有运行"))
                } else if self.consumers.get(c).is_some_and(|k| k.connected) {
                    Err(Text::new(
                        "the consumer is already connected",
                        "消费者已经连接",
                    ))
                } else {
                    Ok(())
                }
            }
            JmsOp::Commit { node } | JmsOp::Rollback { node } => {
                let transacted = self.producers.get(node).is_some_and(|p| p.spec.transacted)
                    || self
                        .consumers
                        .get(node)
                        .is_some_and(|k| k.spec.ack_mode == AckMode::Transacted);
                if transacted {
                    Ok(())
                } else {
                    Err(Text::new(
                        format!("{} has no transacted session", self.name(*node)),
                        format!("{} 没有事务性会话", self.name(*node)),
                    ))
                }
            }
            JmsOp::SetAckMode { consumer: c, .. } => consumer(*c),
            JmsOp::SetSelector {
                consumer: c,
                selector,
            } => {
                consumer(*c)?;
                // The same bilingual, positioned message as a selector in the set-up.
                if let Some(text) = selector {
                    Selector::parse(text).map_err(|e| e.message)?;
                }
                if up(*c) {
                    Ok(())
                } else {
                    Err(Text::new("the consumer is not running", "消费者没有运行"))
                }
            }
            JmsOp::SetPrefetch {
                consumer: c,
                prefetch,
            } => {
                consumer(*c)?;
                if (1..=MAX_PREFETCH).contains(prefetch) {
                    Ok(())
                } else {
                    Err(Text::new(
                        format!("prefetch must be between 1 and {MAX_PREFETCH}"),
                        format!("预取数量必须在 1 到 {MAX_PREFETCH} 之间"),
                    ))
                }
            }
        }
    }

    fn on_op(&mut self, op: &JmsOp, ctx: &mut Ctx<'_, Self>) {
        match op {
            JmsOp::Send {
                producer,
                destination,
                delivery_mode,
                priority,
                group,
                key,
                properties,
                body,
                ttl,
                delay,
            } => {
                self.created += 1;
                let label = format!("m{}", self.created);
                let entry = self
                    .ledger
                    .create(label.clone(), key.as_deref().or(group.as_deref()));
                let now = ctx.now();
                let message = Message {
                    entry,
                    message_id: format!("ID:{label}"),
                    label: label.clone(),
                    destination: destination.clone(),
                    timestamp: now,
                    priority: *priority,
                    redelivered: false,
                    delivery_count: 0,
                    delivery_mode: *delivery_mode,
                    expiration: ttl.map(|t| now + t),
                    deliver_after: delay.map(|d| now + d),
                    correlation_id: None,
                    jms_type: None,
                    group: group.clone(),
                    properties: properties.clone(),
                    body: body.clone(),
                };
                let Some(p) = self.producers.get_mut(producer) else {
                    return;
                };
                if p.spec.transacted {
                    // Sent at once and asynchronously; the broker holds it until the commit.
                    let transaction = p.transaction;
                    p.uncommitted.push(message.clone());
                    self.ledger.move_to(entry, Place::InFlight, None);
                    ctx.send(
                        *producer,
                        self.broker.node,
                        JmsMsg::Send {
                            messages: alloc::vec![message],
                            receipt: false,
                            transaction: Some(transaction),
                        },
                    );
                    return;
                }
                // ActiveMQ sends persistent messages synchronously and the rest asynchronously:
                // an asynchronous send returns at once, so the application believes it is sent.
                let receipt = *delivery_mode == DeliveryMode::Persistent;
                if receipt {
                    p.awaiting_receipt.push(entry);
                } else {
                    self.ledger.mark_safe(entry, Assurance::SendReturned);
                }
                self.ledger.move_to(entry, Place::InFlight, None);
                ctx.send(
                    *producer,
                    self.broker.node,
                    JmsMsg::Send {
                        messages: alloc::vec![message],
                        receipt,
                        transaction: None,
                    },
                );
            }
            JmsOp::Process { consumer } => self.process(*consumer, false, ctx),
            JmsOp::Fail { consumer } => self.process(*consumer, true, ctx),
            JmsOp::Acknowledge { consumer } => {
                if self
                    .consumers
                    .get(consumer)
                    .is_some_and(|k| k.spec.ack_mode == AckMode::Client)
                {
                    self.acknowledge(*consumer, ctx);
                } else {
                    ctx.note(JmsNote::Nothing {
                        why: Text::new(
                            "acknowledge() does nothing outside CLIENT_ACKNOWLEDGE mode",
                            "在 CLIENT_ACKNOWLEDGE 模式之外，acknowledge() 不起作用",
                        ),
                    });
                }
            }
            JmsOp::Commit { node } => {
                if let Some(p) = self.producers.get_mut(node) {
                    if p.spec.transacted && !p.uncommitted.is_empty() {
                        let messages = core::mem::take(&mut p.uncommitted);
                        p.awaiting_receipt.extend(messages.iter().map(|m| m.entry));
                        let transaction = p.transaction;
                        p.transaction += 1;
                        ctx.send(*node, self.broker.node, JmsMsg::Commit { transaction });
                    }
                }
                if let Some(k) = self
                    .consumers
                    .get_mut(node)
                    .filter(|k| k.spec.ack_mode == AckMode::Transacted)
                {
                    if !k.unacked.is_empty() {
                        k.transaction += 1;
                    }
                    let ids = core::mem::take(&mut k.uncommitted_ids);
                    k.processed_ids.extend(ids);
                    self.acknowledge(*node, ctx);
                }
            }
            JmsOp::Rollback { node } => {
                if let Some(p) = self.producers.get_mut(node) {
                    // The broker holds the sends and discards them when the rollback arrives.
                    if p.spec.transacted && !p.uncommitted.is_empty() {
                        p.uncommitted.clear();
                        let transaction = p.transaction;
                        p.transaction += 1;
                        ctx.send(*node, self.broker.node, JmsMsg::Rollback { transaction });
                    }
                }
                if let Some(k) = self
                    .consumers
                    .get_mut(node)
                    .filter(|k| k.spec.ack_mode == AckMode::Transacted)
                {
                    // `TransactionContext.rollback`: a transaction that received messages is
                    // rolled back on the broker too (`TransactionInfo.ROLLBACK`), before the
                    // client redelivers (`afterRollback`, `ActiveMQMessageConsumer.rollback`).
                    if !k.unacked.is_empty() {
                        let transaction = k.transaction;
                        k.transaction += 1;
                        ctx.send(*node, self.broker.node, JmsMsg::Rollback { transaction });
                    }
                    self.consumer_rollback(*node, ctx);
                }
            }
            JmsOp::Connect { consumer } => self.connect(*consumer, ctx),
            JmsOp::Disconnect { consumer } => self.disconnect(*consumer, ctx),
            JmsOp::SetSelector { consumer, selector } => {
                self.set_selector(*consumer, selector.as_deref(), ctx);
            }
            JmsOp::SetAckMode { consumer, mode } => {
                if let Some(k) = self.consumers.get_mut(consumer) {
                    k.spec.ack_mode = *mode;
                }
            }
            JmsOp::SetPrefetch { consumer, prefetch } => {
                self.set_prefetch(*consumer, *prefetch, ctx);
            }
        }
    }

    fn on_msg(&mut self, to: NodeId, from: NodeId, msg: JmsMsg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            JmsMsg::Send {
                messages,
                transaction: Some(transaction),
                ..
            } => self.hold_in_transaction(from, transaction, messages, ctx),
            JmsMsg::Commit { transaction } => {
                let held = match self.broker.transactions.get(&from) {
                    Some((open, _)) if *open == transaction => self
                        .broker
                        .transactions
                        .remove(&from)
                        .map(|(_, m)| m)
                        .unwrap_or_default(),
                    _ => Vec::new(),
                };
                if !held.is_empty() {
                    ctx.note(JmsNote::CommittedTransaction {
                        labels: held.iter().map(|m| m.label.clone()).collect(),
                    });
                }
                let stored = self.store(held, ctx);
                ctx.send(to, from, JmsMsg::Receipt { entries: stored });
                self.dispatch(ctx);
            }
            JmsMsg::Rollback { transaction } => {
                if self
                    .broker
                    .transactions
                    .get(&from)
                    .is_some_and(|(open, _)| *open == transaction)
                {
                    let why = Text::new("its transaction rolled back", "它所在的事务回滚了");
                    self.discard_transaction(from, why, ctx);
                } else if self.consumers.contains_key(&from) {
                    // A transacted consumer's rollback: the broker undoes the transaction's
                    // acknowledgement and keeps the messages dispatched to the consumer
                    // (`PrefetchSubscription.registerRemoveSync` removes them only on commit).
                    // It is not asked to redeliver and learns nothing of their count.
                    let labels: Vec<String> = self
                        .broker
                        .channels
                        .iter()
                        .flat_map(|c| c.messages.iter())
                        .filter(|h| h.dispatched_to == Some(from) && h.delivered)
                        .map(|h| h.message.label.clone())
                        .collect();
                    ctx.note(JmsNote::ConsumerRolledBack {
                        consumer: from,
                        labels,
                    });
                }
            }
            JmsMsg::Send {
                messages, receipt, ..
            } => {
                let stored = self.store(messages, ctx);
                if receipt {
                    ctx.send(to, from, JmsMsg::Receipt { entries: stored });
                }
                self.dispatch(ctx);
            }
            JmsMsg::Receipt { entries } => {
                if let Some(p) = self.producers.get_mut(&to) {
                    p.awaiting_receipt.retain(|e| !entries.contains(e));
                }
                for &e in &entries {
                    self.ledger.mark_safe(e, Assurance::Receipt);
                }
                let labels = entries
                    .iter()
                    .filter_map(|&e| self.ledger.get(e))
                    .map(|j| j.label.clone())
                    .collect();
                ctx.note(JmsNote::Confirmed { labels });
            }
            JmsMsg::Dispatch { message } => {
                let Some(k) = self.consumers.get_mut(&to) else {
                    return;
                };
                // A message that reaches a closed session is dropped; the broker already took it back.
                // So is one sent on the connection of a session that crashed: it reaches no new
                // session, and the broker delivers it again once it notices the old one is gone.
                if self.broker.lost_connections.contains_key(&to) {
                    self.ledger.move_to(
                        message.entry,
                        Self::broker_place(&message),
                        Some(self.broker.node),
                    );
                } else if k.connected {
                    // A dispatch to an earlier session of this consumer (closed and opened again,
                    // for a new selector, while the message was on its way) is dropped too, as
                    // ActiveMQ drops a dispatch for a consumer that is gone: the broker took the
                    // message back and has sent it again, to this consumer or another.
                    let current = self
                        .broker
                        .channels
                        .iter()
                        .flat_map(|c| c.messages.iter())
                        .any(|h| h.message.entry == message.entry && h.dispatched_to == Some(to));
                    let held = k
                        .prefetched
                        .iter()
                        .chain(k.unacked.iter())
                        .any(|m| m.entry == message.entry);
                    if current && !held {
                        self.ledger
                            .move_to(message.entry, Place::Consumer, Some(to));
                        k.prefetched.push_back(*message);
                    }
                }
            }
            JmsMsg::Ack { entries } => {
                self.apply_ack(from, &entries);
                self.dispatch(ctx);
            }
            // The broker only matches a redelivered acknowledgement against what it dispatched
            // (`PrefetchSubscription.acknowledge`, the `isRedeliveredAck` branch): its own count
            // stays as it is.
            JmsMsg::Redelivered { .. } => {}
            JmsMsg::Poison {
                entries,
                redeliveries,
            } => {
                self.apply_poison(from, &entries, redeliveries, ctx);
                self.dispatch(ctx);
            }
            JmsMsg::ExpiredAck { entries } => {
                self.apply_expired_ack(from, &entries, ctx);
                self.dispatch(ctx);
            }
        }
    }

    fn on_timer(&mut self, _node: NodeId, timer: JmsTimer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            JmsTimer::Wake => self.broker.wake = None,
            JmsTimer::Sweep => {
                self.broker.sweep = None;
                self.sweep(ctx);
            }
            JmsTimer::ProducerLost {
                producer,
                transaction,
            } => {
                if self
                    .broker
                    .transactions
                    .get(&producer)
                    .is_none_or(|(open, _)| *open != transaction)
                {
                    return;
                }
                let why = Text::new(
                    "its producer's connection broke before the commit, so the broker rolled the transaction back",
                    "生产者在提交前断开了连接，Broker 回滚了这个事务",
                );
                self.discard_transaction(producer, why, ctx);
            }
            JmsTimer::Redeliver { consumer } => {
                if let Some(k) = self.consumers.get_mut(&consumer) {
                    k.redelivery_timer = None;
                    let messages = core::mem::take(&mut k.redelivering);
                    let labels: Vec<String> = messages.iter().map(|m| m.label.clone()).collect();
                    for m in messages.into_iter().rev() {
                        k.prefetched.push_front(m);
                    }
                    if !labels.is_empty() {
                        ctx.note(JmsNote::RedeliveredLocally { consumer, labels });
                    }
                }
                return;
            }
            JmsTimer::ConnectionLost { consumer } => {
                self.broker.lost_connections.remove(&consumer);
                // Every acknowledgement sent before the crash has arrived; what is still
                // unacknowledged goes back, each message counted as redelivered.
                self.end_session(consumer, true, ctx);
                // A consumer that restarted meanwhile gets its new session now.
                let reconnecting = ctx.is_up(consumer)
                    && self.consumers.get(&consumer).is_some_and(|k| k.connected);
                if reconnecting {
                    self.connect(consumer, ctx);
                }
            }
        }
        self.dispatch(ctx);
    }

    fn on_crash(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        if node == self.broker.node {
            // The kernel cancelled the broker's timers, and message groups live in memory.
            self.broker.wake = None;
            self.broker.sweep = None;
            self.broker.lost_connections.clear();
            self.broker.groups.clear();
            // Open transactions live in memory: they roll back, and their producers learn it
            // from the broken connection (the commit would fail).
            for (_, (_, held)) in core::mem::take(&mut self.broker.transactions) {
                for m in held {
                    self.ledger.move_to(m.entry, Place::Discarded, None);
                    ctx.note(JmsNote::Discarded {
                        label: m.label,
                        why: Text::new(
                            "the broker went down before the commit, and the open transaction rolled back",
                            "Broker 在提交前宕机，未提交的事务回滚了",
                        ),
                    });
                }
            }
            for p in self.producers.values_mut() {
                if !p.uncommitted.is_empty() {
                    p.uncommitted.clear();
                    p.transaction += 1;
                }
            }
            // Memory is gone: non-persistent messages, and non-durable subscriptions with all
            // their messages. The store survives, and with it what the broker must deliver again,
            // as the store has it: the redelivery count lives in the broker's memory, so a message
            // delivered before the crash comes back unflagged (ActiveMQ's `persistJMSRedelivered`
            // policy, false by default, would write the flag to the store before each dispatch:
            // `PolicyEntry.setPersistJMSRedelivered`, AMQ-5068).
            let mut lost = Vec::new();
            for c in &mut self.broker.channels {
                let durable = c.subscriber.is_none_or(|(_, durable)| durable);
                c.messages.retain_mut(|h| {
                    if durable && h.message.is_persistent() {
                        h.delivered = false;
                        h.dispatched_to = None;
                        h.message.redelivered = false;
                        h.message.delivery_count = 0;
                        true
                    } else {
                        lost.push((h.message.entry, h.message.label.clone()));
                        false
                    }
                });
            }
            self.broker
                .channels
                .retain(|c| c.subscriber.is_none_or(|(_, durable)| durable));
            for (entry, label) in lost {
                self.ledger.move_to(entry, Place::Lost, None);
                ctx.note(JmsNote::LostOnRestart { label });
            }
            for c in &self.broker.channels {
                for h in &c.messages {
                    self.ledger
                        .move_to(h.message.entry, Place::BrokerStore, Some(node));
                }
            }
            // Every client loses its connection; a consumer drops what it prefetched or consumed
            // without acknowledging, since the broker will deliver it again.
            let consumers: Vec<NodeId> = self.consumers.keys().copied().collect();
            for consumer in consumers {
                self.forget_session(consumer, ctx);
            }
        } else if let Some(p) = self.producers.get_mut(&node) {
            // What it sent in its open transaction is at the broker (or on its way there); the
            // broker rolls it back once it notices the broken connection.
            let open = !p.uncommitted.is_empty();
            let transaction = p.transaction;
            p.uncommitted.clear();
            p.awaiting_receipt.clear();
            p.transaction += 1;
            let broker = self.broker.node;
            if open && ctx.is_up(broker) {
                let after = CONNECTION_LOST_AFTER.max(
                    self.setup
                        .link
                        .map_or(0, |l| l.latency_max.saturating_add(1)),
                );
                ctx.set_timer(
                    broker,
                    after,
                    JmsTimer::ProducerLost {
                        producer: node,
                        transaction,
                    },
                );
            }
        } else if let Some(k) = self.consumers.get(&node) {
            // The consumer's memory is gone, and its open transaction with it; it stays
            // `connected` in the sense that it reconnects when it restarts.
            let connected = k.connected;
            self.forget_session(node, ctx);
            // The broker notices the broken connection a little later; acknowledgements already
            // on the wire arrive before then.
            let broker = self.broker.node;
            if connected && ctx.is_up(broker) && !self.broker.lost_connections.contains_key(&node) {
                let after = CONNECTION_LOST_AFTER.max(
                    self.setup
                        .link
                        .map_or(0, |l| l.latency_max.saturating_add(1)),
                );
                let timer =
                    ctx.set_timer(broker, after, JmsTimer::ConnectionLost { consumer: node });
                self.broker.lost_connections.insert(node, timer);
            }
        }
    }

    fn on_restart(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        if node == self.broker.node {
            // Clients with a failover transport reconnect; non-durable subscriptions start afresh.
            let reconnecting: Vec<NodeId> = self
                .consumers
                .values()
                .filter(|k| k.connected && ctx.is_up(k.spec.node))
                .map(|k| k.spec.node)
                .collect();
            for consumer in reconnecting {
                self.connect(consumer, ctx);
            }
            self.dispatch(ctx);
        } else if self.consumers.get(&node).is_some_and(|k| k.connected)
            && !self.broker.lost_connections.contains_key(&node)
        {
            // (While the broker still holds the old connection, the new session starts when the
            // broker notices the old one is gone: see `JmsTimer::ConnectionLost`. A compression:
            // ActiveMQ accepts a restarted queue consumer's new connection at once, and only the
            // messages still locked to the dead subscription wait for `Queue.removeSubscription`;
            // a durable subscriber's reconnect with the same clientID is refused until then
            // (unless `allowLinkStealing`). The lessons narrate the waiting messages.)
            self.connect(node, ctx);
        }
    }

    fn on_lost(
        &mut self,
        envelope: &Envelope<JmsMsg>,
        _reason: LossReason,
        ctx: &mut Ctx<'_, Self>,
    ) {
        match &envelope.msg {
            // The producer's only copy is gone.
            JmsMsg::Send { messages, .. } => {
                for m in messages {
                    self.ledger.move_to(m.entry, Place::Lost, None);
                    ctx.note(JmsNote::Discarded {
                        label: m.label.clone(),
                        why: Text::new("the send never reached the broker", "发送没有到达 Broker"),
                    });
                }
            }
            // The broker still holds the message and delivers it again when it learns that the
            // consumer's session is gone; the ledger shows it back at the broker.
            JmsMsg::Dispatch { message } => {
                let held = self
                    .broker
                    .channels
                    .iter()
                    .flat_map(|c| c.messages.iter())
                    .any(|h| h.message.entry == message.entry);
                if held {
                    let place = Self::broker_place(message);
                    self.ledger
                        .move_to(message.entry, place, Some(self.broker.node));
                }
            }
            JmsMsg::Receipt { .. }
            | JmsMsg::Ack { .. }
            | JmsMsg::Redelivered { .. }
            | JmsMsg::Poison { .. }
            | JmsMsg::ExpiredAck { .. }
            | JmsMsg::Commit { .. }
            | JmsMsg::Rollback { .. } => {}
        }
    }

    fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
        self.ledger.violations(out);
        let stuck: Vec<&str> = self
            .broker
            .channels
            .iter()
            .flat_map(|c| c.messages.iter())
            .filter(|h| h.dispatched_to.is_none())
            .map(|h| h.message.label.as_str())
            .collect();
        if !stuck.is_empty() && !self.consumers.values().any(|k| k.connected) {
            out.push(Violation {
                invariant: String::from(DRAINED),
                // The same warning while it lasts, however many messages wait.
                subject: String::from("no consumer"),
                name: Text::new("Someone can consume every message", "每条消息都有人能消费"),
                detail: Text::new(
                    format!(
                        "{} message(s) wait on the broker and no consumer is connected.",
                        stuck.len()
                    ),
                    format!(
                        "有 {} 条消息在 Broker 上等待，但没有消费者连接。",
                        stuck.len()
                    ),
                ),
                severity: Severity::Warning,
            });
        }
    }
}

pub const DRAINED: &str = "jms.consumable";

impl Lab for JmsLab {
    const INFO: LabInfo = LabInfo {
        id: "jms",
        name: StaticText::new("JMS / ActiveMQ", "JMS / ActiveMQ"),
        teaches: StaticText::new(
            "Queues and topics, acknowledge modes, transacted sessions, prefetch and selectors: when a message is lost or processed twice.",
            "队列与主题、签收模式、事务性会话、预取和消息选择器：消息何时丢失、何时被处理两次。",
        ),
        lessons: 12,
        topics: &[
            Topic { seed: 1, section: StaticText::new("Messaging: point-to-point and publish-subscribe", "2. 消息传递") },
            Topic { seed: 1, section: StaticText::new("JMS reliability", "3. JMS的可靠性机制") },
            Topic { seed: 2, section: StaticText::new("Persistent and non-persistent messages", "持久化与非持久化") },
            Topic { seed: 2, section: StaticText::new("Not losing messages", "保障消息不丢失") },
            Topic { seed: 2, section: StaticText::new("Unbalanced consumption (prefetch)", "消费消息不均衡") },
            Topic { seed: 3, section: StaticText::new("Idempotent consumers", "消息队列的幂等性") },
        ],
    };
    type Setup = JmsSetup;

    fn build(setup: &JmsSetup, seed: u64) -> Result<World<JmsLab>, Text> {
        JmsLab::world(setup, seed)
    }

    fn check_input(op: &JmsOp) -> Result<(), Text> {
        match op {
            JmsOp::Send {
                destination,
                group,
                key,
                properties,
                body,
                ttl,
                delay,
                ..
            } => {
                bounds::name(("the destination's name", "目的地名"), destination)?;
                for name in group.iter().chain(key).chain(properties.keys()) {
                    bounds::name(("a message's header or property", "消息头或属性"), name)?;
                }
                bounds::count(("properties", "属性"), properties.len() as u64, 32)?;
                let body_items = match body {
                    Body::Text(text) => text.len() / bounds::MAX_NAME_BYTES,
                    Body::Map(map) => map.len(),
                    Body::Bytes(bytes) => bytes.len() / bounds::MAX_NAME_BYTES,
                    Body::Stream(items) => items.len(),
                    Body::Object { fields, .. } => fields.len(),
                };
                bounds::count(
                    ("parts in a message body", "消息体的部分"),
                    body_items as u64,
                    64,
                )?;
                bounds::span(("the time to live", "存活时间（TTL）"), ttl.unwrap_or(0))?;
                bounds::span(("the delivery delay", "延迟投递时间"), delay.unwrap_or(0))
            }
            JmsOp::SetPrefetch { prefetch, .. } => bounds::count(
                ("messages of prefetch", "条预取消息"),
                u64::from(*prefetch),
                u64::from(MAX_PREFETCH),
            ),
            JmsOp::SetSelector {
                selector: Some(text),
                ..
            } => Selector::parse(text).map(|_| ()).map_err(|e| e.message),
            _ => Ok(()),
        }
    }

    fn invariants() -> Vec<InvariantInfo> {
        let mut all = super::ledger::invariants();
        all.push(InvariantInfo {
            id: DRAINED,
            name: Text::new("Someone can consume every message", "每条消息都有人能消费"),
            severity: Severity::Warning,
        });
        all
    }

    fn lessons() -> Vec<Scenario<JmsLab>> {
        super::jms_scenarios::scenarios()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Action, Fault, Model};
    use crate::mq::ledger::{NO_LOSS, ONCE, ORDER};
    use alloc::vec;
    use proptest::prelude::*;

    const P: NodeId = 0;
    const B: NodeId = 1;
    const C1: NodeId = 2;
    const C2: NodeId = 3;

    fn consumer(node: NodeId, destination: &str, ack_mode: AckMode) -> ConsumerSpec {
        ConsumerSpec {
            node,
            destination: destination.to_string(),
            ack_mode,
            prefetch: 10,
            selector: None,
            durable: None,
            idempotent: false,
            connected: true,
        }
    }

    fn setup(consumers: Vec<ConsumerSpec>) -> JmsSetup {
        JmsSetup {
            nodes: vec![
                NodeSpec {
                    name: "P".into(),
                    role: Role::Producer,
                },
                NodeSpec {
                    name: "B".into(),
                    role: Role::Broker,
                },
                NodeSpec {
                    name: "C1".into(),
                    role: Role::Consumer,
                },
                NodeSpec {
                    name: "C2".into(),
                    role: Role::Consumer,
                },
            ],
            destinations: vec![
                DestinationSpec {
                    name: "orders".into(),
                    kind: DestinationKind::Queue,
                },
                DestinationSpec {
                    name: "prices".into(),
                    kind: DestinationKind::Topic,
                },
            ],
            producers: vec![ProducerSpec {
                node: P,
                transacted: false,
            }],
            consumers,
            max_redeliveries: 6,
            redelivery_delay: 0,
            expire_messages_period: DEFAULT_EXPIRE_PERIOD,
            prioritized: false,
            link: None,
        }
    }

    fn world(consumers: Vec<ConsumerSpec>) -> World<JmsLab> {
        JmsLab::world(&setup(consumers), 7).unwrap()
    }

    fn send_op(destination: &str, mode: DeliveryMode) -> JmsOp {
        JmsOp::Send {
            producer: P,
            destination: destination.to_string(),
            delivery_mode: mode,
            priority: 4,
            group: None,
            key: None,
            properties: BTreeMap::new(),
            body: Body::Text("hello".into()),
            ttl: None,
            delay: None,
        }
    }

    fn op(w: &mut World<JmsLab>, op: JmsOp) -> Vec<crate::kernel::Event<JmsMsg, JmsNote>> {
        let mut out = Vec::new();
        w.apply(&Action::Op { op }, &mut out);
        out
    }

    fn fault(w: &mut World<JmsLab>, fault: Fault) {
        w.apply(&Action::Fault { fault }, &mut Vec::new());
    }

    /// Delivers everything in flight and fires every timer, in time order.
    fn settle(w: &mut World<JmsLab>) {
        for _ in 0..10_000 {
            let Some(next) = w.next_due() else { return };
            w.apply(&next, &mut Vec::new());
        }
        panic!("the world did not settle");
    }

    fn send(w: &mut World<JmsLab>, destination: &str, mode: DeliveryMode, n: usize) {
        for _ in 0..n {
            op(w, send_op(destination, mode));
        }
        settle(w);
    }

    fn process_all(w: &mut World<JmsLab>, consumer: NodeId) -> usize {
        let mut n = 0;
        while !w.protocol.consumers[&consumer].prefetched.is_empty() {
            op(w, JmsOp::Process { consumer });
            settle(w);
            n += 1;
        }
        n
    }

    fn broken(w: &World<JmsLab>) -> Vec<String> {
        let mut out = Vec::new();
        w.violations(&mut out);
        out.into_iter().map(|v| v.invariant).collect()
    }

    fn places(w: &World<JmsLab>) -> Vec<Place> {
        w.protocol.ledger.journeys.iter().map(|j| j.place).collect()
    }

    #[test]
    fn auto_acknowledge_consumes_every_message_once() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Auto)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 3);
        assert!(
            w.protocol.ledger.journeys.iter().all(|j| j.safe.is_some()),
            "persistent sends got receipts"
        );
        assert_eq!(places(&w), vec![Place::Consumer; 3]);
        assert_eq!(process_all(&mut w, C1), 3);
        assert_eq!(places(&w), vec![Place::Acknowledged; 3]);
        assert!(w.protocol.broker.channels[0].messages.is_empty());
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn client_acknowledge_is_cumulative() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 5);
        for _ in 0..3 {
            op(&mut w, JmsOp::Process { consumer: C1 });
        }
        settle(&mut w);
        assert_eq!(w.protocol.consumers[&C1].unacked.len(), 3);
        op(&mut w, JmsOp::Acknowledge { consumer: C1 });
        settle(&mut w);
        // Acknowledging the third message acknowledged the first two as well, and no more.
        assert_eq!(&places(&w)[..3], &[Place::Acknowledged; 3]);
        assert_eq!(&places(&w)[3..], &[Place::Consumer; 2]);
    }

    #[test]
    fn unacknowledged_messages_come_back_flagged_after_a_consumer_crash() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 3);
        process_all(&mut w, C1);
        fault(&mut w, Fault::Crash { node: C1 });
        assert_eq!(
            places(&w),
            vec![Place::Consumer; 3],
            "the broker has not noticed yet"
        );
        settle(&mut w);
        assert!(places(&w).iter().all(|p| *p == Place::BrokerStore));
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        let again: Vec<&Message> = w.protocol.consumers[&C1].prefetched.iter().collect();
        assert_eq!(again.len(), 3);
        assert!(again.iter().all(|m| m.redelivered && m.delivery_count == 2));
        process_all(&mut w, C1);
        assert!(
            broken(&w).contains(&ONCE.to_string()),
            "processed twice without a dedup table"
        );
    }

    #[test]
    fn an_idempotent_consumer_skips_the_redelivered_duplicate() {
        let mut spec = consumer(C1, "orders", AckMode::Client);
        spec.idempotent = true;
        let mut w = world(vec![spec]);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        op(&mut w, JmsOp::Process { consumer: C1 });
        // The consumer crashes after processing and before it acknowledges.
        fault(&mut w, Fault::Crash { node: C1 });
        settle(&mut w);
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        process_all(&mut w, C1);
        op(&mut w, JmsOp::Acknowledge { consumer: C1 });
        settle(&mut w);
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!(
            (j.processed, j.skipped_duplicates, j.place),
            (1, 1, Place::Acknowledged)
        );
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn an_acknowledgement_on_the_wire_when_the_consumer_crashes_still_counts() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Auto)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        // AUTO_ACKNOWLEDGE sends the acknowledgement as the listener returns; the consumer
        // crashes at once, with the acknowledgement still travelling.
        op(&mut w, JmsOp::Process { consumer: C1 });
        fault(&mut w, Fault::Crash { node: C1 });
        assert!(w.protocol.broker.lost_connections.contains_key(&C1));
        settle(&mut w);
        assert!(w.protocol.broker.lost_connections.is_empty());
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!((j.processed, j.place), (1, Place::Acknowledged));
        assert!(
            w.protocol.consumers[&C1].prefetched.is_empty(),
            "no redelivery"
        );
        assert!(broken(&w).is_empty());
        // The same when the consumer restarts before the acknowledgement has arrived.
        let mut w = world(vec![consumer(C1, "orders", AckMode::Auto)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        op(&mut w, JmsOp::Process { consumer: C1 });
        fault(&mut w, Fault::Crash { node: C1 });
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!((j.processed, j.place), (1, Place::Acknowledged));
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_clean_close_right_after_an_auto_ack_counts_the_ack_first() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Auto)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        // The listener returns (the acknowledgement leaves), and the application closes the
        // session at once: on one connection the close comes after the acknowledgement.
        op(&mut w, JmsOp::Process { consumer: C1 });
        op(&mut w, JmsOp::Disconnect { consumer: C1 });
        assert_eq!(w.protocol.ledger.journeys[0].place, Place::Acknowledged);
        op(&mut w, JmsOp::Connect { consumer: C1 });
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 1, "only m2 comes back");
        assert_eq!(w.protocol.ledger.journeys[0].processed, 1);
        assert!(broken(&w).is_empty(), "{:?}", broken(&w));
    }

    #[test]
    fn a_consumer_that_restarts_before_the_broker_notices_gets_each_message_once() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        op(&mut w, JmsOp::Process { consumer: C1 });
        // A third message is on its way to C1 when it crashes.
        op(&mut w, send_op("orders", DeliveryMode::Persistent));
        let next = w.next_due().unwrap();
        w.apply(&next, &mut Vec::new());
        fault(&mut w, Fault::Crash { node: C1 });
        fault(&mut w, Fault::Restart { node: C1 });
        // The new session starts only once the broker has let the old one go.
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        assert_eq!(w.protocol.broker.channels[0].messages.len(), 3);
        assert!(w.protocol.broker.channels[0]
            .messages
            .iter()
            .all(|h| h.dispatched_to == Some(C1)));
        settle(&mut w);
        let again: Vec<(&str, bool, u32)> = w.protocol.consumers[&C1]
            .prefetched
            .iter()
            .map(|m| (m.label.as_str(), m.redelivered, m.delivery_count))
            .collect();
        // The broker does not know what reached the application: every message it had out to
        // the crashed consumer comes back counted as redelivered.
        assert_eq!(again, [("m1", true, 2), ("m2", true, 2), ("m3", true, 2)]);
        assert!(w.protocol.broker.lost_connections.is_empty());
    }

    #[test]
    fn after_a_close_only_messages_the_application_received_come_back_flagged() {
        // After a crash the broker raises the count of every message it had out, prefetched
        // ones included (`Queue.removeSubscription` with `LAST_DELIVERED_UNKNOWN`).
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 3);
        op(&mut w, JmsOp::Process { consumer: C1 });
        fault(&mut w, Fault::Crash { node: C1 });
        settle(&mut w);
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        let flags = |w: &World<JmsLab>| -> Vec<(bool, u32)> {
            w.protocol.consumers[&C1]
                .prefetched
                .iter()
                .map(|m| (m.redelivered, m.delivery_count))
                .collect()
        };
        assert_eq!(flags(&w), [(true, 2), (true, 2), (true, 2)]);
        // After a close the consumer names the last message its application received: only
        // that one is counted, the prefetched ones are not.
        op(&mut w, JmsOp::Process { consumer: C1 });
        op(&mut w, JmsOp::Disconnect { consumer: C1 });
        op(&mut w, JmsOp::Connect { consumer: C1 });
        settle(&mut w);
        assert_eq!(flags(&w), [(true, 3), (true, 2), (true, 2)]);
        // Taken back again and again without being received, a message's count stays, and the
        // broker never dead-letters on its own.
        for _ in 0..10 {
            op(&mut w, JmsOp::Disconnect { consumer: C1 });
            op(&mut w, JmsOp::Connect { consumer: C1 });
            settle(&mut w);
        }
        assert_eq!(flags(&w), [(true, 3), (true, 2), (true, 2)]);
        assert!(w.protocol.broker.dead_letters.is_empty());
    }

    #[test]
    fn the_connection_lost_timer_and_the_wake_up_timer_do_not_cancel_each_other() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        op(&mut w, JmsOp::Process { consumer: C1 });
        let mut delayed = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send { delay, .. } = &mut delayed {
            *delay = Some(500);
        }
        op(&mut w, delayed);
        let next = w.next_due().unwrap();
        w.apply(&next, &mut Vec::new());
        assert_eq!(w.timers.len(), 1, "the wake-up for the delayed message");
        fault(&mut w, Fault::Crash { node: C1 });
        assert_eq!(w.timers.len(), 2);
        // The connection-lost timer fires first (after the receipt for the delayed message) and
        // leaves the wake-up alone.
        loop {
            let next = w.next_due().unwrap();
            let fire = matches!(next, Action::Fire { .. });
            w.apply(&next, &mut Vec::new());
            if fire {
                break;
            }
        }
        assert!(w.now < 500);
        assert_eq!(places(&w)[0], Place::BrokerStore);
        assert_eq!(w.timers.len(), 1);
        assert!(w.protocol.broker.wake.is_some());
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        assert!(w.now >= 500);
        assert_eq!(places(&w), [Place::Consumer, Place::Consumer]);
        assert!(w.timers.is_empty());
    }

    #[test]
    fn an_idempotent_transacted_consumer_records_ids_only_on_commit() {
        let mut spec = consumer(C1, "orders", AckMode::Transacted);
        spec.idempotent = true;
        let mut w = world(vec![spec]);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        op(&mut w, JmsOp::Process { consumer: C1 });
        assert!(w.protocol.consumers[&C1].processed_ids.is_empty());
        // The rollback undoes the work, and the dedup record with it.
        op(&mut w, JmsOp::Rollback { node: C1 });
        settle(&mut w);
        op(&mut w, JmsOp::Process { consumer: C1 });
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!(
            (j.processed, j.skipped_duplicates),
            (2, 0),
            "the redelivered message is processed, not skipped"
        );
        op(&mut w, JmsOp::Commit { node: C1 });
        settle(&mut w);
        assert_eq!(w.protocol.ledger.journeys[0].place, Place::Acknowledged);
        assert!(w.protocol.consumers[&C1].processed_ids.contains("ID:m1"));
        assert!(w.protocol.consumers[&C1].uncommitted_ids.is_empty());
    }

    #[test]
    fn dups_ok_on_a_queue_acknowledges_each_message_like_auto() {
        let mut spec = consumer(C1, "orders", AckMode::DupsOk);
        spec.prefetch = 4;
        let mut w = world(vec![spec]);
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(
            places(&w),
            [Place::Acknowledged, Place::Consumer],
            "acknowledged at once, as under AUTO_ACKNOWLEDGE"
        );
    }

    #[test]
    fn dups_ok_on_a_topic_acknowledges_in_batches_so_a_crash_repeats_the_last_ones() {
        let mut spec = consumer(C1, "prices", AckMode::DupsOk);
        spec.prefetch = 4;
        spec.durable = Some("audit".into());
        let mut w = world(vec![spec]);
        send(&mut w, "prices", DeliveryMode::Persistent, 3);
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(
            places(&w)[0],
            Place::Consumer,
            "no acknowledgement after one message"
        );
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(
            &places(&w)[..2],
            &[Place::Acknowledged; 2],
            "a batch of two"
        );
        op(&mut w, JmsOp::Process { consumer: C1 });
        fault(&mut w, Fault::Crash { node: C1 });
        fault(&mut w, Fault::Restart { node: C1 });
        settle(&mut w);
        process_all(&mut w, C1);
        assert_eq!(w.protocol.ledger.journeys[2].processed, 2);
        assert!(broken(&w).contains(&ONCE.to_string()));
    }

    #[test]
    fn a_transacted_consumer_rolls_back_into_redelivery_and_then_the_dead_letter_queue() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Transacted)]);
        s.max_redeliveries = 1;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        process_all(&mut w, C1);
        op(&mut w, JmsOp::Rollback { node: C1 });
        settle(&mut w);
        let again: Vec<&Message> = w.protocol.consumers[&C1].prefetched.iter().collect();
        assert_eq!(again.len(), 2);
        assert!(again.iter().all(|m| m.redelivered));
        process_all(&mut w, C1);
        op(&mut w, JmsOp::Rollback { node: C1 });
        settle(&mut w);
        assert_eq!(places(&w), vec![Place::DeadLettered; 2]);
        assert_eq!(w.protocol.broker.dead_letters.len(), 2);
    }

    #[test]
    fn a_transacted_commit_acknowledges_what_was_received() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Transacted)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        process_all(&mut w, C1);
        assert_eq!(places(&w), vec![Place::Consumer; 2]);
        op(&mut w, JmsOp::Commit { node: C1 });
        settle(&mut w);
        assert_eq!(places(&w), vec![Place::Acknowledged; 2]);
    }

    #[test]
    fn transacted_sends_reach_the_broker_at_once_and_stay_invisible_until_commit() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Auto)]);
        s.producers[0].transacted = true;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        assert_eq!(
            places(&w),
            vec![Place::BrokerMemory; 2],
            "each send reached the broker"
        );
        assert_eq!(w.protocol.broker.transactions[&P].1.len(), 2);
        assert!(
            w.protocol.broker.channels[0].messages.is_empty(),
            "no consumer can see them"
        );
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        // The rollback reaches the broker, which discards them.
        op(&mut w, JmsOp::Rollback { node: P });
        assert_eq!(places(&w), vec![Place::BrokerMemory; 2]);
        settle(&mut w);
        assert_eq!(places(&w), vec![Place::Discarded; 2]);
        assert!(w.protocol.broker.transactions.is_empty());
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        assert!(w.protocol.ledger.journeys[2].safe.is_none());
        op(&mut w, JmsOp::Commit { node: P });
        settle(&mut w);
        let j = &w.protocol.ledger.journeys[2];
        assert_eq!(j.safe, Some(Assurance::Receipt), "the commit's reply");
        assert_eq!(j.place, Place::Consumer);
        assert!(broken(&w).is_empty(), "discarded sends were never promised");
    }

    #[test]
    fn the_broker_rolls_back_a_crashed_producers_transaction() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Auto)]);
        s.producers[0].transacted = true;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        // A second send is still on its way when the producer crashes.
        op(&mut w, send_op("orders", DeliveryMode::Persistent));
        fault(&mut w, Fault::Crash { node: P });
        assert_eq!(places(&w)[0], Place::BrokerMemory, "not noticed yet");
        settle(&mut w);
        assert_eq!(places(&w), [Place::Discarded; 2]);
        assert!(w.protocol.broker.transactions.is_empty());
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        assert!(broken(&w).is_empty());
        // After a restart the producer's new transaction is not caught by the old one's end.
        fault(&mut w, Fault::Restart { node: P });
        op(&mut w, send_op("orders", DeliveryMode::Persistent));
        op(&mut w, JmsOp::Commit { node: P });
        settle(&mut w);
        assert_eq!(places(&w)[2], Place::Consumer);
    }

    #[test]
    fn a_rollback_redelivers_in_the_client_after_the_redelivery_delay() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Transacted)]);
        s.redelivery_delay = DEFAULT_REDELIVERY_DELAY;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        op(&mut w, JmsOp::Fail { consumer: C1 });
        let before = w.now;
        let notes = op(&mut w, JmsOp::Rollback { node: C1 });
        // The first rollback reaches the broker as a transaction rollback, without a
        // redelivered acknowledgement.
        let sent: Vec<&JmsMsg> = notes
            .iter()
            .filter_map(|e| match e {
                crate::kernel::Event::Sent { body, .. } => Some(body),
                _ => None,
            })
            .collect();
        assert_eq!(sent.len(), 1);
        assert!(matches!(sent[0], JmsMsg::Rollback { .. }));
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        assert_eq!(w.protocol.consumers[&C1].redelivering.len(), 1);
        assert_eq!(
            w.protocol.broker.channels[0].messages[0]
                .message
                .delivery_count,
            1
        );
        settle(&mut w);
        assert_eq!(w.now - before, DEFAULT_REDELIVERY_DELAY);
        let m = &w.protocol.consumers[&C1].prefetched[0];
        assert_eq!((m.redelivered, m.delivery_count), (true, 2));
        // The broker kept m1 as C1's, its own count unchanged.
        let held = &w.protocol.broker.channels[0].messages[0];
        assert_eq!(held.dispatched_to, Some(C1));
        assert_eq!(held.message.delivery_count, 1);
        // From the second rollback on the client also sends a redelivered acknowledgement, which
        // does not raise the broker's count either.
        op(&mut w, JmsOp::Fail { consumer: C1 });
        let notes = op(&mut w, JmsOp::Rollback { node: C1 });
        assert!(notes.iter().any(|e| matches!(
            e,
            crate::kernel::Event::Sent {
                body: JmsMsg::Redelivered { .. },
                ..
            }
        )));
        settle(&mut w);
        let held = &w.protocol.broker.channels[0].messages[0];
        assert_eq!(held.dispatched_to, Some(C1));
        assert_eq!(held.message.delivery_count, 1);
        assert_eq!(w.protocol.consumers[&C1].prefetched[0].delivery_count, 3);
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!(j.processed, 0, "failed attempts are not processing");
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn the_poison_ack_carries_the_clients_counter_to_the_dead_letter_note() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Transacted)]);
        s.max_redeliveries = 2;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        let mut notes = Vec::new();
        for _ in 0..3 {
            op(&mut w, JmsOp::Fail { consumer: C1 });
            notes.extend(op(&mut w, JmsOp::Rollback { node: C1 }));
            while let Some(next) = w.next_due() {
                w.apply(&next, &mut notes);
            }
        }
        let note = |e: &crate::kernel::Event<JmsMsg, JmsNote>| match e {
            crate::kernel::Event::Note { note, .. } => Some(note.clone()),
            _ => None,
        };
        let notes: Vec<JmsNote> = notes.iter().filter_map(note).collect();
        assert!(notes.contains(&JmsNote::PoisonAcked {
            consumer: C1,
            labels: vec!["m1".into()],
            redeliveries: 3,
            limit: 2,
        }));
        assert!(notes.contains(&JmsNote::DeadLettered {
            label: "m1".into(),
            redeliveries: 3,
        }));
        // The broker's copy was never counted up by the redelivered acknowledgements.
        assert_eq!(w.protocol.broker.dead_letters[0].delivery_count, 1);
    }

    #[test]
    fn dups_ok_batches_half_the_prefetch_rounded_up() {
        let mut spec = consumer(C1, "prices", AckMode::DupsOk);
        spec.prefetch = 5;
        let mut w = world(vec![spec]);
        send(&mut w, "prices", DeliveryMode::Persistent, 3);
        op(&mut w, JmsOp::Process { consumer: C1 });
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(
            &places(&w)[..2],
            &[Place::Consumer; 2],
            "2 < 2.5: no ack yet"
        );
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(places(&w), vec![Place::Acknowledged; 3], "a batch of three");
    }

    #[test]
    fn a_failure_on_a_dups_ok_topic_is_not_redelivered_but_acknowledged_with_the_batch() {
        let mut spec = consumer(C1, "prices", AckMode::DupsOk);
        spec.prefetch = 4;
        let mut w = world(vec![spec]);
        send(&mut w, "prices", DeliveryMode::Persistent, 3);
        let notes = op(&mut w, JmsOp::Fail { consumer: C1 });
        assert!(
            notes.iter().all(|e| !matches!(
                e,
                crate::kernel::Event::Sent { .. }
                    | crate::kernel::Event::Note {
                        note: JmsNote::RedeliveryScheduled { .. },
                        ..
                    }
            )),
            "no redelivery, no poison ack"
        );
        settle(&mut w);
        assert!(w.protocol.consumers[&C1].redelivering.is_empty());
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 2);
        // The failed message does not count towards the batch of two.
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(places(&w)[0], Place::Consumer);
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        // The batch's range covers m1 too: acknowledged, never processed.
        assert_eq!(places(&w), vec![Place::Acknowledged; 3]);
        assert_eq!(w.protocol.ledger.journeys[0].processed, 0);
    }

    #[test]
    fn a_non_persistent_message_out_of_redeliveries_is_dropped_not_dead_lettered() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Transacted)]);
        s.max_redeliveries = 0;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::NonPersistent, 1);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        op(&mut w, JmsOp::Fail { consumer: C1 });
        op(&mut w, JmsOp::Fail { consumer: C1 });
        op(&mut w, JmsOp::Rollback { node: C1 });
        settle(&mut w);
        assert_eq!(places(&w), [Place::Discarded, Place::DeadLettered]);
        assert_eq!(w.protocol.broker.dead_letters.len(), 1);
        assert_eq!(w.protocol.broker.dead_letters[0].label, "m2");
    }

    #[test]
    fn a_transacted_consumer_poison_acks_a_message_a_crash_pushed_past_the_limit() {
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Transacted)]);
        s.max_redeliveries = 1;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        for _ in 0..2 {
            fault(&mut w, Fault::Crash { node: C1 });
            settle(&mut w);
            fault(&mut w, Fault::Restart { node: C1 });
            settle(&mut w);
        }
        assert_eq!(w.protocol.consumers[&C1].prefetched[0].delivery_count, 3);
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(places(&w), [Place::DeadLettered]);
        assert_eq!(w.protocol.ledger.journeys[0].processed, 0);
        // A CLIENT_ACKNOWLEDGE consumer has no such check.
        let mut s = setup(vec![consumer(C1, "orders", AckMode::Client)]);
        s.max_redeliveries = 1;
        let mut w = JmsLab::world(&s, 1).unwrap();
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        for _ in 0..2 {
            fault(&mut w, Fault::Crash { node: C1 });
            settle(&mut w);
            fault(&mut w, Fault::Restart { node: C1 });
            settle(&mut w);
        }
        op(&mut w, JmsOp::Process { consumer: C1 });
        assert_eq!(w.protocol.ledger.journeys[0].processed, 1);
    }

    #[test]
    fn a_new_prefetch_closes_and_reopens_the_consumer() {
        let mut w = world(vec![
            consumer(C1, "orders", AckMode::Client),
            consumer(C2, "orders", AckMode::Client),
        ]);
        send(&mut w, "orders", DeliveryMode::Persistent, 4);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 2);
        let notes = op(
            &mut w,
            JmsOp::SetPrefetch {
                consumer: C1,
                prefetch: 1,
            },
        );
        assert!(notes.iter().any(|e| matches!(
            e,
            crate::kernel::Event::Note {
                note: JmsNote::PrefetchChanged { reopened: true, .. }
            }
        )));
        settle(&mut w);
        // C1's two prefetched messages went back to the queue, and C2 had room for them.
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 0);
        assert_eq!(w.protocol.consumers[&C2].prefetched.len(), 4);
        // The new C1 takes at most one message at a time.
        send(&mut w, "orders", DeliveryMode::Persistent, 4);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 1);
        assert_eq!(w.protocol.consumers[&C2].prefetched.len(), 7);
    }

    #[test]
    fn no_timer_expires_a_message_the_broker_finds_it_on_dispatch_or_in_its_sweep() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.connected = false;
        let mut w = world(vec![spec]);
        let mut ttl_send = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send { ttl, .. } = &mut ttl_send {
            *ttl = Some(100);
        }
        op(&mut w, ttl_send.clone());
        for _ in 0..2 {
            let next = w.next_due().unwrap();
            w.apply(&next, &mut Vec::new());
        }
        // Long past its expiration, it waits in the queue: the only timer is the sweep.
        w.apply(&Action::Wait { ms: 500 }, &mut Vec::new());
        assert_eq!(places(&w), [Place::BrokerStore]);
        assert_eq!(
            w.protocol.broker.sweep.map(|(_, at)| at),
            Some(DEFAULT_EXPIRE_PERIOD)
        );
        // About to dispatch it to a consumer that connects, the broker expires it.
        op(&mut w, JmsOp::Connect { consumer: C1 });
        assert_eq!(places(&w), [Place::Expired]);
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        // With nobody connected, the sweep finds the next one, at 30 s.
        op(&mut w, JmsOp::Disconnect { consumer: C1 });
        op(&mut w, ttl_send);
        settle(&mut w);
        assert_eq!(places(&w)[1], Place::Expired);
        assert_eq!(w.now, DEFAULT_EXPIRE_PERIOD);
        assert_eq!(w.protocol.broker.dead_letters.len(), 2);
    }

    #[test]
    fn a_consumer_drops_a_message_that_expired_in_its_prefetch_buffer() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Auto)]);
        let mut ttl_send = send_op("orders", DeliveryMode::NonPersistent);
        if let JmsOp::Send { ttl, .. } = &mut ttl_send {
            *ttl = Some(100);
        }
        op(&mut w, ttl_send);
        settle(&mut w);
        assert_eq!(places(&w), [Place::Consumer]);
        w.apply(&Action::Wait { ms: 200 }, &mut Vec::new());
        op(&mut w, JmsOp::Process { consumer: C1 });
        settle(&mut w);
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!((j.place, j.processed), (Place::Expired, 0));
        assert!(
            w.protocol.broker.dead_letters.is_empty(),
            "non-persistent: dropped"
        );
    }

    #[test]
    fn non_persistent_messages_vanish_when_the_broker_restarts() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.connected = false;
        let mut w = world(vec![spec]);
        send(&mut w, "orders", DeliveryMode::NonPersistent, 2);
        send(&mut w, "orders", DeliveryMode::Persistent, 2);
        assert_eq!(
            places(&w),
            [
                Place::BrokerMemory,
                Place::BrokerMemory,
                Place::BrokerStore,
                Place::BrokerStore
            ]
        );
        fault(&mut w, Fault::Crash { node: B });
        fault(&mut w, Fault::Restart { node: B });
        assert_eq!(&places(&w)[..2], &[Place::Lost; 2]);
        assert!(
            broken(&w).contains(&NO_LOSS.to_string()),
            "an asynchronous send told the producer it was sent"
        );
        op(&mut w, JmsOp::Connect { consumer: C1 });
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 2);
        assert_eq!(&places(&w)[2..], &[Place::Acknowledged; 2]);
    }

    /// The redelivery count is kept in the broker's memory (`persistJMSRedelivered` is false by
    /// default), so a message delivered before a broker crash comes back unflagged.
    #[test]
    fn a_broker_restart_forgets_that_a_message_was_delivered() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 1);
        settle(&mut w);
        assert!(
            !w.protocol.consumers[&C1].prefetched.is_empty(),
            "m1 reached C1"
        );
        // C1's application receives m1 and does not acknowledge it (CLIENT_ACKNOWLEDGE).
        op(&mut w, JmsOp::Process { consumer: C1 });
        assert!(w
            .protocol
            .broker
            .channels
            .iter()
            .flat_map(|c| c.messages.iter())
            .any(|h| h.delivered));
        fault(&mut w, Fault::Crash { node: B });
        fault(&mut w, Fault::Restart { node: B });
        settle(&mut w);
        let held: Vec<_> = w
            .protocol
            .broker
            .channels
            .iter()
            .flat_map(|c| c.messages.iter())
            .collect();
        assert_eq!(held.len(), 1, "the store kept m1");
        assert!(!held[0].message.redelivered);
        assert!(held[0].message.delivery_count <= 1);
    }

    #[test]
    fn a_selector_leaves_non_matching_messages_in_the_queue() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.selector = Some("color = 'red'".into());
        let mut w = world(vec![spec]);
        for color in ["red", "blue", "red"] {
            let JmsOp::Send { mut properties, .. } = send_op("orders", DeliveryMode::Persistent)
            else {
                unreachable!()
            };
            properties.insert("color".into(), Value::Str(color.into()));
            let mut send = send_op("orders", DeliveryMode::Persistent);
            if let JmsOp::Send { properties: p, .. } = &mut send {
                *p = properties;
            }
            op(&mut w, send);
        }
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 2);
        assert_eq!(
            places(&w),
            [Place::Acknowledged, Place::BrokerStore, Place::Acknowledged]
        );
        assert!(broken(&w).is_empty());
    }

    fn send_colored(w: &mut World<JmsLab>, color: &str) {
        let mut send = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send { properties, .. } = &mut send {
            properties.insert("color".into(), Value::Str(color.into()));
        }
        op(w, send);
    }

    fn set_selector(w: &mut World<JmsLab>, selector: Option<&str>) -> Vec<JmsNote> {
        let events = op(
            w,
            JmsOp::SetSelector {
                consumer: C1,
                selector: selector.map(String::from),
            },
        );
        settle(w);
        events
            .into_iter()
            .filter_map(|e| match e {
                crate::kernel::Event::Note { note } => Some(note),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn a_new_selector_reopens_the_consumer_and_leaves_non_matching_messages_in_the_queue() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        for color in ["red", "blue", "red"] {
            send_colored(&mut w, color);
        }
        settle(&mut w);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 3);
        let notes = set_selector(&mut w, Some("color = 'red'"));
        assert_eq!(
            notes[0],
            JmsNote::SelectorChanged {
                consumer: C1,
                selector: Some("color = 'red'".into()),
                reopened: true,
            }
        );
        // The closed consumer's prefetched messages went back, unflagged, as on a disconnect.
        assert_eq!(
            notes[1..]
                .iter()
                .filter(|n| matches!(n, JmsNote::Returned { .. }))
                .count(),
            3
        );
        let k = &w.protocol.consumers[&C1];
        assert!(k.connected);
        assert_eq!(k.spec.selector.as_deref(), Some("color = 'red'"));
        let labels: Vec<&str> = k.prefetched.iter().map(|m| m.label.as_str()).collect();
        assert_eq!(labels, ["m1", "m3"]);
        assert!(k.prefetched.iter().all(|m| !m.redelivered));
        assert_eq!(process_all(&mut w, C1), 2);
        op(&mut w, JmsOp::Acknowledge { consumer: C1 });
        settle(&mut w);
        assert_eq!(
            places(&w),
            [Place::Acknowledged, Place::BrokerStore, Place::Acknowledged]
        );
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_selector_that_does_not_parse_is_refused_and_changes_nothing() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send_colored(&mut w, "red");
        settle(&mut w);
        let before = w.protocol.clone();
        let events = op(
            &mut w,
            JmsOp::SetSelector {
                consumer: C1,
                selector: Some("color = ".into()),
            },
        );
        let Some(crate::kernel::Event::Skipped { reason }) = events.first() else {
            panic!("the op was not refused: {events:?}");
        };
        assert_eq!(
            *reason,
            Selector::parse("color = ")
                .err()
                .map(|e| e.message)
                .unwrap()
        );
        assert!(!reason.en.is_empty() && !reason.zh.is_empty());
        assert_eq!(events.len(), 1);
        assert_eq!(w.protocol, before);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 1);
    }

    #[test]
    fn clearing_the_selector_lets_the_held_back_messages_flow() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.selector = Some("color = 'red'".into());
        let mut w = world(vec![spec]);
        for color in ["blue", "red", "green"] {
            send_colored(&mut w, color);
        }
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 1);
        assert_eq!(
            places(&w),
            [Place::BrokerStore, Place::Acknowledged, Place::BrokerStore]
        );
        let notes = set_selector(&mut w, None);
        assert_eq!(
            notes,
            [JmsNote::SelectorChanged {
                consumer: C1,
                selector: None,
                reopened: true,
            }]
        );
        assert!(w.protocol.consumers[&C1].selector.is_none());
        assert_eq!(process_all(&mut w, C1), 2);
        assert_eq!(places(&w), [Place::Acknowledged; 3]);
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_new_selector_redelivers_what_the_consumer_received_without_acknowledging() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
        send(&mut w, "orders", DeliveryMode::Persistent, 3);
        op(&mut w, JmsOp::Process { consumer: C1 });
        set_selector(&mut w, Some("JMSPriority >= 0"));
        // Exactly as after `Disconnect` and `Connect`: the message the application received
        // comes back flagged, the two it only prefetched do not.
        let flags: Vec<(bool, u32)> = w.protocol.consumers[&C1]
            .prefetched
            .iter()
            .map(|m| (m.redelivered, m.delivery_count))
            .collect();
        assert_eq!(flags, [(true, 2), (false, 1), (false, 1)]);
        assert!(w.protocol.consumers[&C1].unacked.is_empty());
    }

    #[test]
    fn a_dispatch_on_its_way_to_the_closed_consumer_is_not_received_twice() {
        let mut w = world(vec![
            consumer(C1, "orders", AckMode::Auto),
            consumer(C2, "orders", AckMode::Auto),
        ]);
        send_colored(&mut w, "blue");
        // Deliver until the broker has dispatched the message to C1 and it is on its way.
        while !w
            .protocol
            .held("orders")
            .any(|h| h.dispatched_to == Some(C1))
        {
            let next = w.next_due().unwrap();
            w.apply(&next, &mut Vec::new());
        }
        set_selector(&mut w, Some("color = 'red'"));
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        assert_eq!(process_all(&mut w, C2), 1);
        assert_eq!(places(&w), [Place::Acknowledged]);
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_disconnected_consumer_keeps_its_new_selector_for_the_next_connection() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.connected = false;
        let mut w = world(vec![spec]);
        send_colored(&mut w, "blue");
        settle(&mut w);
        let notes = set_selector(&mut w, Some("color = 'red'"));
        assert_eq!(
            notes,
            [JmsNote::SelectorChanged {
                consumer: C1,
                selector: Some("color = 'red'".into()),
                reopened: false,
            }]
        );
        assert!(!w.protocol.consumers[&C1].connected);
        op(&mut w, JmsOp::Connect { consumer: C1 });
        settle(&mut w);
        assert!(w.protocol.consumers[&C1].prefetched.is_empty());
        assert_eq!(places(&w), [Place::BrokerStore]);
    }

    #[test]
    fn a_set_selector_op_round_trips_through_json() {
        let op = JmsOp::SetSelector {
            consumer: C1,
            selector: Some("color = 'red'".into()),
        };
        let json = serde_json::to_string(&op).unwrap();
        assert_eq!(
            json,
            r#"{"set_selector":{"consumer":2,"selector":"color = 'red'"}}"#
        );
        assert_eq!(serde_json::from_str::<JmsOp>(&json).unwrap(), op);
        let cleared: JmsOp = serde_json::from_str(r#"{"set_selector":{"consumer":2}}"#).unwrap();
        assert_eq!(
            cleared,
            JmsOp::SetSelector {
                consumer: C1,
                selector: None,
            }
        );
    }

    #[test]
    fn a_durable_subscriber_gets_what_it_missed_and_a_non_durable_one_does_not() {
        let mut durable = consumer(C1, "prices", AckMode::Auto);
        durable.durable = Some("audit".into());
        durable.connected = false;
        let mut plain = consumer(C2, "prices", AckMode::Auto);
        plain.connected = false;
        let mut w = world(vec![durable, plain]);
        send(&mut w, "prices", DeliveryMode::Persistent, 2);
        op(&mut w, JmsOp::Connect { consumer: C1 });
        op(&mut w, JmsOp::Connect { consumer: C2 });
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 2);
        assert_eq!(process_all(&mut w, C2), 0);
        // Once both are subscribed, each gets its own copy.
        send(&mut w, "prices", DeliveryMode::Persistent, 1);
        assert_eq!(process_all(&mut w, C1), 1);
        assert_eq!(process_all(&mut w, C2), 1);
        assert!(w.protocol.ledger.find("m3→C2").is_some());
    }

    #[test]
    fn a_large_prefetch_starves_the_other_consumer() {
        let mut greedy = consumer(C1, "orders", AckMode::Client);
        greedy.prefetch = 1000;
        let mut modest = consumer(C2, "orders", AckMode::Client);
        modest.prefetch = 1;
        let mut w = world(vec![greedy, modest]);
        send(&mut w, "orders", DeliveryMode::Persistent, 10);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 9);
        assert_eq!(w.protocol.consumers[&C2].prefetched.len(), 1);
        // With a prefetch of one, the broker waits for an acknowledgement before it pushes more,
        // so the two consumers share the work.
        let mut fair = world(vec![
            consumer(C1, "orders", AckMode::Auto),
            consumer(C2, "orders", AckMode::Auto),
        ]);
        for c in [C1, C2] {
            op(
                &mut fair,
                JmsOp::SetPrefetch {
                    consumer: c,
                    prefetch: 1,
                },
            );
        }
        send(&mut fair, "orders", DeliveryMode::Persistent, 10);
        let mut processed = BTreeMap::new();
        for _ in 0..5 {
            for c in [C1, C2] {
                for event in op(&mut fair, JmsOp::Process { consumer: c }) {
                    if let crate::kernel::Event::Note {
                        note: JmsNote::Processed { consumer, .. },
                    } = event
                    {
                        *processed.entry(consumer).or_insert(0) += 1;
                    }
                }
                settle(&mut fair);
            }
        }
        assert_eq!(processed.get(&C1), Some(&5));
        assert_eq!(processed.get(&C2), Some(&5));
    }

    #[test]
    fn an_expired_persistent_message_goes_to_the_dead_letter_queue_at_the_sweep() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.connected = false;
        let mut w = world(vec![spec]);
        let mut send = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send { ttl, .. } = &mut send {
            *ttl = Some(100);
        }
        op(&mut w, send);
        settle(&mut w);
        assert_eq!(places(&w), [Place::Expired]);
        assert!(w.now >= 100);
        assert_eq!(w.protocol.broker.dead_letters.len(), 1);
    }

    #[test]
    fn a_delayed_message_waits_for_its_time() {
        let mut w = world(vec![consumer(C1, "orders", AckMode::Auto)]);
        let mut send = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send { delay, .. } = &mut send {
            *delay = Some(500);
        }
        op(&mut w, send);
        for _ in 0..2 {
            let next = w.next_due().unwrap();
            w.apply(&next, &mut Vec::new());
        }
        assert_eq!(
            places(&w),
            [Place::BrokerStore],
            "stored, not yet delivered"
        );
        settle(&mut w);
        assert_eq!(places(&w), [Place::Consumer]);
        assert!(w.now >= 500);
    }

    fn send_keyed(w: &mut World<JmsLab>, key: Option<&str>, group: Option<&str>) {
        let mut send = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send {
            key: k, group: g, ..
        } = &mut send
        {
            *k = key.map(String::from);
            *g = group.map(String::from);
        }
        op(w, send);
    }

    #[test]
    fn two_consumers_on_one_queue_can_process_a_key_out_of_order() {
        let mut w = world(vec![
            consumer(C1, "orders", AckMode::Auto),
            consumer(C2, "orders", AckMode::Auto),
        ]);
        for _ in 0..2 {
            send_keyed(&mut w, Some("order-42"), None);
        }
        settle(&mut w);
        op(&mut w, JmsOp::Process { consumer: C2 });
        op(&mut w, JmsOp::Process { consumer: C1 });
        assert_eq!(broken(&w), [ORDER]);
    }

    #[test]
    fn a_message_group_sticks_to_one_consumer_so_its_order_holds() {
        let mut w = world(vec![
            consumer(C1, "orders", AckMode::Auto),
            consumer(C2, "orders", AckMode::Auto),
        ]);
        for _ in 0..4 {
            send_keyed(&mut w, None, Some("order-42"));
        }
        send_keyed(&mut w, None, Some("order-7"));
        settle(&mut w);
        assert_eq!(
            w.protocol.consumers[&C1].prefetched.len(),
            4,
            "the whole group on C1"
        );
        assert_eq!(
            w.protocol.consumers[&C2].prefetched.len(),
            1,
            "another group may go elsewhere"
        );
        process_all(&mut w, C2);
        process_all(&mut w, C1);
        assert!(broken(&w).is_empty());
        // When C1 goes, the group moves to C2 with the messages C1 had not acknowledged.
        send_keyed(&mut w, None, Some("order-42"));
        settle(&mut w);
        op(&mut w, JmsOp::Disconnect { consumer: C1 });
        settle(&mut w);
        assert_eq!(w.protocol.broker.groups.get("order-42"), Some(&C2));
    }

    #[test]
    fn the_broker_keeps_one_wake_up_timer() {
        let mut spec = consumer(C1, "orders", AckMode::Auto);
        spec.connected = false;
        let mut w = world(vec![spec]);
        let mut first = send_op("orders", DeliveryMode::Persistent);
        if let JmsOp::Send { ttl, .. } = &mut first {
            *ttl = Some(100);
        }
        op(&mut w, first);
        op(&mut w, send_op("orders", DeliveryMode::Persistent));
        for _ in 0..4 {
            let next = w.next_due().unwrap();
            w.apply(&next, &mut Vec::new());
        }
        assert_eq!(w.timers.len(), 1);
        settle(&mut w);
        assert!(w.timers.is_empty());
    }

    #[test]
    fn invalid_set_ups_are_refused_with_a_message() {
        let mut s = setup(vec![consumer(C1, "nowhere", AckMode::Auto)]);
        assert!(JmsLab::new(&s).is_err());
        s.consumers[0].destination = "orders".into();
        s.consumers[0].selector = Some("color = ".into());
        let err = JmsLab::new(&s).unwrap_err();
        assert!(!err.is_incomplete());
        s.consumers[0].selector = None;
        s.consumers[0].prefetch = 0;
        assert!(JmsLab::new(&s).is_err());
        s.consumers[0].prefetch = 5;
        s.consumers[0].durable = Some("x".into());
        assert!(
            JmsLab::new(&s).is_err(),
            "a queue has no durable subscription"
        );
    }

    /// A random history of sends, consumption, acknowledgements and crashes of every node.
    #[derive(Clone, Debug)]
    enum Step {
        Send,
        SendNonPersistent,
        Process,
        Ack,
        Deliver,
        Crash(NodeId),
        Restart(NodeId),
        /// A new selector that still matches every message, or none: the consumer closes and
        /// opens again, possibly with dispatches on their way.
        Reselect,
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => Just(Step::Send),
            1 => Just(Step::SendNonPersistent),
            3 => Just(Step::Process),
            2 => Just(Step::Ack),
            6 => Just(Step::Deliver),
            1 => prop_oneof![Just(B), Just(C1)].prop_map(Step::Crash),
            1 => prop_oneof![Just(B), Just(C1)].prop_map(Step::Restart),
            1 => Just(Step::Reselect),
        ]
    }

    proptest! {
        #[test]
        fn persistent_confirmed_messages_survive_any_crashes(steps in prop::collection::vec(step_strategy(), 1..60)) {
            let mut w = world(vec![consumer(C1, "orders", AckMode::Client)]);
            let mut persistent = Vec::new();
            for step in steps {
                let mut out = Vec::new();
                let action = match step {
                    Step::Send | Step::SendNonPersistent => {
                        let mode = if matches!(step, Step::Send) { DeliveryMode::Persistent } else { DeliveryMode::NonPersistent };
                        if mode == DeliveryMode::Persistent {
                            persistent.push(w.protocol.created);
                        }
                        Action::Op { op: send_op("orders", mode) }
                    }
                    Step::Process => Action::Op { op: JmsOp::Process { consumer: C1 } },
                    Step::Ack => Action::Op { op: JmsOp::Acknowledge { consumer: C1 } },
                    Step::Deliver => w.next_due().unwrap_or(Action::Wait { ms: 1 }),
                    Step::Crash(n) => Action::Fault { fault: Fault::Crash { node: n } },
                    Step::Restart(n) => Action::Fault { fault: Fault::Restart { node: n } },
                    Step::Reselect => {
                        let selector = match w.protocol.consumers[&C1].spec.selector {
                            None => Some("JMSPriority >= 0".into()),
                            Some(_) => None,
                        };
                        Action::Op { op: JmsOp::SetSelector { consumer: C1, selector } }
                    }
                };
                w.apply(&action, &mut out);
            }
            // Recover everything and drain the queue.
            for n in [B, C1] {
                fault(&mut w, Fault::Restart { node: n });
            }
            settle(&mut w);
            for _ in 0..200 {
                op(&mut w, JmsOp::Process { consumer: C1 });
                op(&mut w, JmsOp::Acknowledge { consumer: C1 });
                settle(&mut w);
            }
            for &created in &persistent {
                let j = &w.protocol.ledger.journeys[created as usize];
                if j.safe.is_some() {
                    prop_assert_eq!(j.place, Place::Acknowledged, "{} was confirmed and ended {:?}", j.label, j.place);
                }
                prop_assert!(j.place != Place::Lost || j.safe.is_none());
            }
        }
    }
}
