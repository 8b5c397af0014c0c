//! The RabbitMQ lab (seed 001 section 2, seed 003): producers publish to exchanges on the nodes of
//! a RabbitMQ cluster, the exchanges route to queues that live on one home node (a plain cluster)
//! or on every node (classic mirrored queues), and consumers take messages with automatic or manual
//! acknowledgements. Messages travel the kernel's network, and the delivery ledger records where
//! each one ends, so the three places seed 003 says a message can be lost are all visible: at the
//! producer (no confirms, or a transaction that was never committed), at the broker (a transient
//! queue or a non-persistent message in memory when the node crashes), and at the consumer
//! (auto-ack, where the broker forgets a message the moment it sends it).
//!
//! Modelled after RabbitMQ 3.x (AMQP 0-9-1):
//! - publisher confirms: the broker sends `basic.ack` once every queue the message routes to has
//!   accepted it, quorum queues once they have committed it (rabbit_channel records every routed
//!   queue, `process_routing_confirm`, and acks when the last one confirms); it sends `basic.nack`
//!   only "if an internal error occurs in the Erlang process responsible for a queue", which this
//!   lab does not model (rabbitmq.com/docs/confirms); an unroutable message is
//!   confirmed too, once the exchange knows that no queue takes it, so a confirm does not tell the
//!   producer that its message reached a queue. Only `mandatory = true` does: the broker then sends
//!   the message back with `basic.return` (reply code 312 NO_ROUTE) *before* the `basic.ack`
//!   (rabbitmq.com/docs/confirms, "When Will Published Messages Be Confirmed by the Broker?";
//!   rabbitmq.com/docs/publishers, "Unroutable Message Handling"); or an alternate exchange
//!   (rabbitmq.com/docs/ae), which takes what its exchange cannot route, so that the message
//!   counts as routed and is neither dropped nor returned. A persistent message on a
//!   durable queue is confirmed after it is written to disk; this model writes it to disk the
//!   moment it is enqueued, so it confirms at once too;
//! - channel transactions (AMQP 0-9-1 class `tx`; rabbitmq.com/docs/semantics): each
//!   `basic.publish` goes to the broker at once, and the broker holds it, uncommitted, in the
//!   channel's transaction; `tx.commit` makes the broker enqueue every held publish and answer
//!   `tx.commit-ok` once all of them are confirmed, quorum commits included
//!   (rabbit_channel:maybe_complete_tx); `tx.rollback` (or a closed channel) makes the broker drop them. A
//!   channel is in one mode for good: "a transactional channel cannot be put into confirm mode"
//!   and a confirm channel cannot be made transactional (rabbitmq.com/docs/confirms), and there is
//!   no method to leave either mode, so a producer that wants the other one opens a new channel;
//! - a producer notices a broken connection: the client library closes the channel and raises an
//!   error (rabbitmq.com/docs/channels, "Channel Closure"; docs/api-guide, "Automatic Recovery").
//!   What it cannot know without confirms is which of its messages arrived;
//! - consumer acknowledgements (rabbitmq.com/docs/confirms): with `noAck` the broker forgets a
//!   message as soon as it sends it, and basic.qos prefetch does not apply; with manual
//!   acknowledgements the unacknowledged messages of a closed channel go back to the queue with the
//!   `redelivered` flag, and so does a `basic.nack`/`basic.reject` with `requeue=true`;
//! - dead lettering (rabbitmq.com/docs/dlx): a message rejected without requeue or expired by TTL
//!   is republished to the queue's dead-letter exchange with its dead-letter routing key (or its
//!   own), its per-message expiration removed; without a DLX it is dropped. A message that
//!   expires in a cycle back into a queue it already expired in is dropped, as RabbitMQ does;
//! - TTL (rabbitmq.com/docs/ttl): per-queue `x-message-ttl` and per-message `expiration`, the lower
//!   one wins, counted from the moment the message enters the queue; no TTL is set by default;
//! - durability (rabbitmq.com/docs/queues, "Durability"): only a persistent message
//!   (`delivery_mode = 2`) in a durable queue survives a restart; a transient queue is gone;
//! - clustering (rabbitmq.com/docs/clustering): in a plain cluster a queue lives on its home node
//!   only, so while that node is down its messages cannot be consumed, and (RabbitMQ 3.x) the
//!   queue leaves the routing table (rabbit_amqqueue:delete_queues_on_node_down): a publish skips
//!   it and is confirmed all the same, or is unroutable when no other queue takes it; a
//!   `basic.consume` on a durable classic queue whose home node is down fails with
//!   `404 NOT_FOUND - home node '…' of durable queue '…' is down or inaccessible`, which closes the
//!   channel (`channel.close`, reply code 404, as the Java client reports it in a
//!   `ShutdownSignalException`; rabbitmq-server's `rabbit_amqqueue` raises it for a queue that is
//!   absent because its node is down), so the consumer must consume again once the node is back.
//!   A consumer already consuming such a queue gets `basic.cancel` when the node fails
//!   (rabbitmq.com/docs/consumer-cancel, "the node on which the queue is located failing") and
//!   must consume again too;
//! - classic mirrored queues (rabbitmq.com/docs/3.13/ha; deprecated, and removed in RabbitMQ 4.0):
//!   a mirrored queue has mirrors on the other broker nodes and, when its master crashes, the
//!   oldest mirror is promoted (`ha-promote-on-failure: always` by default) and requeues every
//!   message that was delivered and not acknowledged. A node that rejoins as a mirror starts
//!   empty and gets only new messages: it is not synchronised with what the master already holds
//!   (`ha-sync-mode: manual` by default), and promoting it loses the messages it lacks;
//! - quorum queues (rabbitmq.com/docs/quorum-queues; Ongaro and Ousterhout, "In Search of an
//!   Understandable Consensus Algorithm", 2014): a queue replicated by Raft over its members. The
//!   leader appends a publish to its log, replicates it with AppendEntries, and commits it (puts
//!   it in the queue and confirms it) once a majority has written it, counting only entries of its
//!   own term (Raft §5.3, §5.4.2). When the leader's node goes down, each follower starts an
//!   election after a randomised election timeout: it raises its term and asks for votes, a member
//!   votes once per term and only for a candidate whose log is at least as up to date as its own
//!   (§5.4.1), and the candidate with a majority leads; as Ra does, the new leader appends an
//!   entry of its own term at once, which commits what the old term left. Its log holds every
//!   committed entry, so nothing confirmed is lost.
//!
//! Simplified: a transaction's publishes are routed at `tx.commit` here, while rabbit_channel routes
//! each at `basic.publish` and keeps the chosen queues with it in the transaction (the two differ
//! only when a queue comes or goes in between); mirrors copy a message when it is enqueued (no asynchronous lag); any ready message
//! expires when its time comes (classic queues expire per-message TTL only at the head of the
//! queue); confirms are not batched; an operation that crosses the cluster (a publish that reaches
//! a queue on another node, a consume) takes no time inside it; a quorum queue's consumer
//! acknowledgements are applied at the leader at once (RabbitMQ commits them through the log too),
//! the leader notices a lost follower only through its replies, and followers notice a lost
//! leader through its node going down (Ra monitors the leader's process) rather than through
//! missed heartbeats; a quorum queue has no TTL here. The lab's times are compressed: links take
//! 5 to 15 ms, and an election timeout is 150 to 300 ms (the range the Raft paper suggests;
//! RabbitMQ notices a node that went down through Erlang distribution: a crashed node's closed
//! connection at once, a silent one after `net_ticktime` ± 25%, 45 to 75 s by default;
//! rabbitmq.com/docs/nettick, Erlang's kernel `net_ticktime`). Ra runs a pre-vote before it
//! raises the term (ra_server, `handle_pre_vote`); the lab follows the Raft paper and leaves it out.

use alloc::boxed::Box;
use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::ledger::{AckWord, Assurance, EntryId, Ledger, Place};
use super::topic::Exchange;
use crate::kernel::bounds;
use crate::kernel::{
    Ctx, Envelope, LinkConfig, LossReason, NodeId, NodeState, Protocol, Time, TimerId, Violation,
    World,
};
use crate::scenario::{InvariantInfo, Lab, LabInfo, Scenario, StaticText, Topic};
use crate::text::Text;

/// What a node is in this lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Producer,
    /// A RabbitMQ cluster node.
    Broker,
    Consumer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    pub name: String,
    pub role: Role,
}

/// A queue declaration with its arguments.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct QueueSpec {
    pub name: String,
    /// A durable queue is recreated when its node restarts; a transient one is gone.
    pub durable: bool,
    /// The node the queue lives on (its master, when mirrored).
    pub home: NodeId,
    /// A classic mirrored queue (`ha-mode: all`): mirrors on every other broker node. Deprecated
    /// since RabbitMQ 3.9 and removed in 4.0 (rabbitmq.com/docs/3.13/ha).
    #[serde(default)]
    pub mirrored: bool,
    /// A quorum queue (`x-queue-type: quorum`): replicated by Raft over every broker node, its home
    /// the leader of the first term (rabbitmq.com/docs/quorum-queues). Always durable.
    #[serde(default)]
    pub quorum: bool,
    /// `x-message-ttl` in milliseconds.
    #[serde(default)]
    pub message_ttl: Option<Time>,
    /// `x-dead-letter-exchange`.
    #[serde(default)]
    pub dead_letter_exchange: Option<String>,
    /// `x-dead-letter-routing-key`; without it a dead letter keeps its routing key.
    #[serde(default)]
    pub dead_letter_routing_key: Option<String>,
}

/// How a producer's channel learns that its messages are safe.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PublishMode {
    /// Fire and forget: `basic.publish` returns at once.
    None,
    /// `confirm.select`: the broker acknowledges each message.
    Confirms,
    /// `tx.select`: the broker holds the channel's publishes until `tx.commit`.
    Tx,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ProducerSpec {
    pub node: NodeId,
    pub mode: PublishMode,
    /// The cluster node its connection goes to.
    pub broker: NodeId,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsumerSpec {
    pub node: NodeId,
    pub queue: String,
    /// `noAck`: the broker counts a message as acknowledged when it sends it.
    pub auto_ack: bool,
    /// basic.qos prefetch count: unacknowledged deliveries at most (0: unlimited).
    pub prefetch: u32,
    /// Remembers what it processed (in a database, so across crashes) and skips duplicates. It
    /// keys on the `message_id` property that the producer set when it published (the message's
    /// label here). AMQP 0-9-1 gives a message no broker-assigned ID: `message-id` is an
    /// "application message identifier" of the basic class's properties (AMQP 0-9-1 specification,
    /// class basic), left to the publisher. Without it, a consumer must deduplicate on a business
    /// key.
    #[serde(default)]
    pub idempotent: bool,
    /// The cluster node its connection goes to.
    pub broker: NodeId,
    /// With manual acknowledgements, ack each message right after processing it.
    #[serde(default)]
    pub ack_on_process: bool,
    /// Connected (consuming) at the start.
    #[serde(default = "yes")]
    pub connected: bool,
}

fn yes() -> bool {
    true
}

/// The starting point of a RabbitMQ run.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct RabbitSetup {
    pub nodes: Vec<NodeSpec>,
    pub exchanges: Vec<Exchange>,
    pub queues: Vec<QueueSpec>,
    pub producers: Vec<ProducerSpec>,
    pub consumers: Vec<ConsumerSpec>,
    #[serde(default)]
    pub link: Option<LinkConfig>,
    /// Exchanges declared with the `alternate-exchange` argument: (exchange, its alternate).
    /// A message the exchange cannot route goes to the alternate exchange instead, and counts as
    /// routed if that one routes it, so it is neither dropped nor returned
    /// (rabbitmq.com/docs/ae).
    #[serde(default)]
    pub alternate_exchanges: Vec<(String, String)>,
}

pub const MAX_NODES: usize = 12;
pub const MAX_QUEUES: usize = 16;
pub const MAX_PREFETCH: u32 = 1000;

fn bad(en: String, zh: String) -> Text {
    Text::new(en, zh)
}

impl RabbitSetup {
    /// The numbers and names of a set-up, within [`bounds`].
    fn check_bounds(&self) -> Result<(), Text> {
        if let Some(link) = &self.link {
            link.check()?;
        }
        bounds::count(("exchanges", "交换器"), self.exchanges.len() as u64, 16)?;
        bounds::count(
            ("alternate exchanges", "备用交换器"),
            self.alternate_exchanges.len() as u64,
            16,
        )?;
        for n in &self.nodes {
            bounds::name(("a node's name", "节点名"), &n.name)?;
        }
        for e in &self.exchanges {
            bounds::name(("an exchange's name", "交换器名"), &e.name)?;
            bounds::count(("bindings", "绑定"), e.bindings.len() as u64, 64)?;
            for b in &e.bindings {
                bounds::name(("a binding key", "绑定键"), &b.key)?;
                bounds::name(("a queue's name", "队列名"), &b.queue)?;
            }
        }
        for (a, b) in &self.alternate_exchanges {
            bounds::name(("an exchange's name", "交换器名"), a)?;
            bounds::name(("an exchange's name", "交换器名"), b)?;
        }
        for q in &self.queues {
            bounds::name(("a queue's name", "队列名"), &q.name)?;
            bounds::span(
                ("a queue's message TTL", "队列的消息 TTL"),
                q.message_ttl.unwrap_or(0),
            )?;
            for name in q
                .dead_letter_exchange
                .iter()
                .chain(&q.dead_letter_routing_key)
            {
                bounds::name(("a dead-letter setting", "死信设置"), name)?;
            }
        }
        Ok(())
    }

    fn role_of(&self, n: NodeId) -> Option<Role> {
        self.nodes.get(usize::from(n)).map(|s| s.role)
    }

    pub fn validate(&self) -> Result<(), Text> {
        if self.nodes.is_empty() || self.nodes.len() > MAX_NODES {
            return Err(bad(
                format!(
                    "A RabbitMQ lab has 1 to {MAX_NODES} nodes, not {}.",
                    self.nodes.len()
                ),
                format!(
                    "RabbitMQ 实验需要 1 到 {MAX_NODES} 个节点，而不是 {} 个。",
                    self.nodes.len()
                ),
            ));
        }
        self.check_bounds()?;
        if !self.nodes.iter().any(|n| n.role == Role::Broker) {
            return Err(bad(
                "A RabbitMQ lab needs at least one broker node.".to_string(),
                "RabbitMQ 实验至少需要一个 Broker 节点。".to_string(),
            ));
        }
        if self.queues.len() > MAX_QUEUES {
            return Err(bad(
                format!("At most {MAX_QUEUES} queues, not {}.", self.queues.len()),
                format!(
                    "最多 {MAX_QUEUES} 个队列，而不是 {} 个。",
                    self.queues.len()
                ),
            ));
        }
        for (i, x) in self.exchanges.iter().enumerate() {
            if x.name.is_empty() {
                return Err(bad(
                    "The default exchange \"\" is built in and cannot be declared.".to_string(),
                    "默认交换器 \"\" 是内置的，不能再声明。".to_string(),
                ));
            }
            if self.exchanges[..i].iter().any(|y| y.name == x.name) {
                return Err(bad(
                    format!("The exchange \"{}\" is declared twice.", x.name),
                    format!("交换器“{}”被声明了两次。", x.name),
                ));
            }
            for b in &x.bindings {
                if !self.queues.iter().any(|q| q.name == b.queue) {
                    return Err(bad(
                        format!(
                            "The exchange \"{}\" is bound to \"{}\", which is not a queue.",
                            x.name, b.queue
                        ),
                        format!("交换器“{}”绑定的“{}”不是队列。", x.name, b.queue),
                    ));
                }
            }
        }
        for (x, ae) in &self.alternate_exchanges {
            for name in [x, ae] {
                if !self.exchanges.iter().any(|e| &e.name == name) {
                    return Err(bad(
                        format!("The alternate exchange setting names \"{name}\", which is not declared."),
                        format!("备用交换器设置中的“{name}”没有声明。"),
                    ));
                }
            }
        }
        for (i, q) in self.queues.iter().enumerate() {
            if self.queues[..i].iter().any(|r| r.name == q.name) {
                return Err(bad(
                    format!("The queue \"{}\" is declared twice.", q.name),
                    format!("队列“{}”被声明了两次。", q.name),
                ));
            }
            if self.role_of(q.home) != Some(Role::Broker) {
                return Err(bad(
                    format!("The home of queue \"{}\" is not a broker node.", q.name),
                    format!("队列“{}”所在的节点不是 Broker 节点。", q.name),
                ));
            }
            if q.quorum && (q.mirrored || !q.durable) {
                return Err(bad(
                    format!(
                        "The quorum queue \"{}\" is always durable and cannot be mirrored.",
                        q.name
                    ),
                    format!("仲裁队列“{}”总是持久化的，也不能做镜像。", q.name),
                ));
            }
            if let Some(dlx) = &q.dead_letter_exchange {
                if !dlx.is_empty() && !self.exchanges.iter().any(|x| &x.name == dlx) {
                    return Err(bad(
                        format!(
                            "The dead-letter exchange \"{dlx}\" of queue \"{}\" is not declared.",
                            q.name
                        ),
                        format!("队列“{}”的死信交换器“{dlx}”没有声明。", q.name),
                    ));
                }
            }
        }
        for (i, p) in self.producers.iter().enumerate() {
            if self.role_of(p.node) != Some(Role::Producer) {
                return Err(bad(
                    format!("Producer {} is not a producer node.", p.node),
                    format!("生产者 {} 不是生产者节点。", p.node),
                ));
            }
            if self.role_of(p.broker) != Some(Role::Broker) {
                return Err(bad(
                    format!(
                        "Producer {} connects to {}, not a broker node.",
                        p.node, p.broker
                    ),
                    format!("生产者 {} 连接的 {} 不是 Broker 节点。", p.node, p.broker),
                ));
            }
            if self.producers[..i].iter().any(|o| o.node == p.node) {
                return Err(bad(
                    "A producer node has one channel in this lab.".to_string(),
                    "在这个实验里，每个生产者节点只有一个信道。".to_string(),
                ));
            }
        }
        for (i, c) in self.consumers.iter().enumerate() {
            if self.role_of(c.node) != Some(Role::Consumer) {
                return Err(bad(
                    format!("Consumer {} is not a consumer node.", c.node),
                    format!("消费者 {} 不是消费者节点。", c.node),
                ));
            }
            if self.role_of(c.broker) != Some(Role::Broker) {
                return Err(bad(
                    format!(
                        "Consumer {} connects to {}, not a broker node.",
                        c.node, c.broker
                    ),
                    format!("消费者 {} 连接的 {} 不是 Broker 节点。", c.node, c.broker),
                ));
            }
            if !self.queues.iter().any(|q| q.name == c.queue) {
                return Err(bad(
                    format!("There is no queue \"{}\".", c.queue),
                    format!("没有队列“{}”。", c.queue),
                ));
            }
            if c.prefetch > MAX_PREFETCH {
                return Err(bad(
                    format!(
                        "Prefetch must be between 0 (unlimited) and {MAX_PREFETCH}, not {}.",
                        c.prefetch
                    ),
                    format!(
                        "预取数量必须在 0（不限）到 {MAX_PREFETCH} 之间，而不是 {}。",
                        c.prefetch
                    ),
                ));
            }
            if self.consumers[..i].iter().any(|o| o.node == c.node) {
                return Err(bad(
                    "A consumer node has one channel in this lab.".to_string(),
                    "在这个实验里，每个消费者节点只有一个信道。".to_string(),
                ));
            }
        }
        Ok(())
    }
}

/// Why a message was dead-lettered (the `reason` of its `x-death` header).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeathReason {
    Rejected,
    Expired,
}

impl DeathReason {
    pub fn name(self) -> Text {
        match self {
            DeathReason::Rejected => Text::new("rejected", "被拒绝"),
            DeathReason::Expired => Text::new("expired", "过期"),
        }
    }
}

/// An AMQP message with the properties the lab uses.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RabbitMessage {
    /// The ledger entry that follows this copy of the message.
    pub entry: EntryId,
    /// The short name the views use, such as `m3` or `m3→audit`; it also stands for the
    /// `message_id` property the producer sets, which an idempotent consumer keys on.
    pub label: String,
    pub exchange: String,
    pub routing_key: String,
    /// `delivery_mode = 2`.
    pub persistent: bool,
    /// The per-message `expiration`, in milliseconds.
    pub expiration: Option<Time>,
    /// Set when the message is delivered again.
    pub redelivered: bool,
    /// Published with `mandatory = true`.
    #[serde(default)]
    pub mandatory: bool,
    /// Sent with `noAck`: the broker has already forgotten it.
    #[serde(default)]
    pub no_ack: bool,
    /// The queues it died in, most recent last, with the reason (`x-death`).
    #[serde(default)]
    pub deaths: Vec<(String, DeathReason)>,
}

/// A message in a queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub message: RabbitMessage,
    /// The consumer it was delivered to and that has not acknowledged it yet.
    pub dispatched_to: Option<NodeId>,
    /// When it expires, if it has a TTL.
    pub expires_at: Option<Time>,
    /// The nodes that hold a copy: the master and the mirrors that were up when it was enqueued.
    /// A mirror that rejoins later is not synchronised: it does not hold the older messages.
    #[serde(default)]
    pub copies: Vec<NodeId>,
}

/// One entry of a quorum queue member's Raft log.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LogEntry {
    /// The term of the leader that appended it.
    pub term: u32,
    /// The message it enqueues, or `None` for the entry a new leader appends to commit what
    /// earlier terms left (Raft §5.4.2, §8).
    pub message: Option<RabbitMessage>,
    /// The channel to confirm to once it commits: (the channel's node, the producer).
    pub confirm_to: Option<(NodeId, NodeId)>,
}

/// A member of a quorum queue: what Raft keeps on its disk (term, vote, log) and its commit index.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RaftMember {
    pub node: NodeId,
    pub term: u32,
    pub voted_for: Option<NodeId>,
    pub log: Vec<LogEntry>,
    /// How many entries it knows to be committed.
    pub commit: usize,
}

impl RaftMember {
    fn last(&self) -> (u32, usize) {
        (self.log.last().map_or(0, |e| e.term), self.log.len())
    }
}

/// Raft's election restriction (§5.4.1): a member votes only for a candidate whose log is at
/// least as up to date as its own: a later last term, or the same last term and at least as long.
pub fn up_to_date(candidate: (u32, usize), voter: (u32, usize)) -> bool {
    candidate.0 > voter.0 || (candidate.0 == voter.0 && candidate.1 >= voter.1)
}

/// A quorum queue's replication state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Raft {
    pub members: Vec<RaftMember>,
    /// The member that leads now, if any.
    pub leader: Option<NodeId>,
    /// The member asking for votes, and the votes it has.
    pub candidate: Option<(NodeId, BTreeSet<NodeId>)>,
    /// At the leader: the next log index to send each follower (1-based, Raft's `nextIndex`) and
    /// the highest it is known to hold (`matchIndex`).
    pub next_index: BTreeMap<NodeId, usize>,
    pub match_index: BTreeMap<NodeId, usize>,
    /// How many committed entries the queue has applied (enqueued and confirmed).
    pub applied: usize,
    /// Pending election timers: member, timer, when it fires.
    pub elections: Vec<(NodeId, TimerId, Time)>,
    /// Publishes that arrived while there was no leader; the leader appends them when elected.
    pub pending: Vec<(RabbitMessage, Option<(NodeId, NodeId)>)>,
}

impl Raft {
    pub fn member(&self, node: NodeId) -> Option<&RaftMember> {
        self.members.iter().find(|m| m.node == node)
    }

    fn member_mut(&mut self, node: NodeId) -> Option<&mut RaftMember> {
        self.members.iter_mut().find(|m| m.node == node)
    }

    pub fn majority(&self) -> usize {
        self.members.len() / 2 + 1
    }
}

/// The lab's election timeout, randomised between these bounds (the Raft paper's 150–300 ms).
pub const ELECTION_TIMEOUT: (Time, Time) = (150, 300);

/// A queue in the cluster.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Queue {
    pub spec: QueueSpec,
    /// The node that holds the queue now (the master, when mirrored).
    pub master: NodeId,
    /// Mirror nodes, oldest first.
    pub mirrors: Vec<NodeId>,
    /// A transient queue disappears with its node.
    pub exists: bool,
    pub messages: Vec<Held>,
    /// Round-robin position among the queue's consumers.
    next_consumer: usize,
    /// A quorum queue's Raft state; `messages` are then its committed, unsettled messages.
    #[serde(default)]
    pub raft: Option<Raft>,
}

impl Queue {
    fn place_of(&self, message: &RabbitMessage) -> Place {
        if self.spec.durable && message.persistent {
            Place::BrokerStore
        } else {
            Place::BrokerMemory
        }
    }
}

/// A producer's channel, with what its broker node holds for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Producer {
    pub spec: ProducerSpec,
    /// At the broker: publishes of the open transaction that arrived, held uncommitted.
    pub uncommitted: Vec<RabbitMessage>,
    /// At the producer: published in the open transaction, not yet committed or rolled back.
    pub in_tx: Vec<EntryId>,
    /// Published in confirm mode or committed, waiting for the broker's answer.
    pub awaiting: Vec<EntryId>,
    /// Sent back with `basic.return`: they reached no queue.
    pub returned: Vec<EntryId>,
    /// Never confirmed, and the connection they went out on is gone: to publish again.
    pub unconfirmed: Vec<EntryId>,
    /// The connection broke (its broker node went down); the client reconnects when it is back.
    pub connection_lost: bool,
    /// Channels opened so far, this one included.
    pub channel: u32,
}

/// A consumer's channel.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Consumer {
    pub spec: ConsumerSpec,
    pub connected: bool,
    /// Delivered, not yet handed to the application.
    pub prefetched: VecDeque<RabbitMessage>,
    /// Processed, not yet acknowledged.
    pub unacked: Vec<RabbitMessage>,
    /// Labels already processed (kept in a database, so they survive a crash).
    pub processed_ids: BTreeSet<String>,
    /// Why the broker closed the channel, when its last `basic.consume` failed, or why it
    /// cancelled the consumer.
    #[serde(default)]
    pub closed: Option<Text>,
    /// The broker sent `basic.cancel`: the queue's node went down.
    #[serde(default)]
    pub cancelled: bool,
}

/// Operations the script or the student can run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RabbitOp {
    /// `basic.publish`.
    Publish {
        producer: NodeId,
        exchange: String,
        routing_key: String,
        /// `delivery_mode = 2`.
        #[serde(default)]
        persistent: bool,
        /// Per-message TTL in milliseconds.
        #[serde(default)]
        expiration: Option<Time>,
        /// The business key whose messages must be processed in order, for the ledger.
        #[serde(default)]
        key: Option<String>,
        /// `mandatory`: an unroutable message comes back with `basic.return`.
        #[serde(default)]
        mandatory: bool,
    },
    /// The application takes the next delivered message and processes it.
    Process {
        consumer: NodeId,
    },
    /// `basic.ack` with `multiple = true`: every processed message.
    Ack {
        consumer: NodeId,
    },
    /// `basic.nack`: the application rejects the next delivered message without processing it
    /// (or, when nothing is waiting, every processed and unacknowledged one).
    Nack {
        consumer: NodeId,
        requeue: bool,
    },
    TxCommit {
        producer: NodeId,
    },
    TxRollback {
        producer: NodeId,
    },
    /// The consumer starts consuming (again).
    Connect {
        consumer: NodeId,
    },
    /// The consumer closes its channel; what it has not acknowledged goes back to the queue.
    Disconnect {
        consumer: NodeId,
    },
    SetAutoAck {
        consumer: NodeId,
        auto_ack: bool,
    },
    /// `confirm.select` or `tx.select` on a channel that is in neither mode yet.
    SetConfirms {
        producer: NodeId,
        mode: PublishMode,
    },
    /// The producer closes its channel and opens a new one in this mode: the only way to leave
    /// confirm or transaction mode.
    OpenChannel {
        producer: NodeId,
        mode: PublishMode,
    },
}

/// What travels between the nodes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RabbitMsg {
    /// Producer to broker: `basic.publish`, or a committed transaction.
    Publish {
        messages: Vec<RabbitMessage>,
        reply: Reply,
    },
    /// Broker to producer: `basic.ack`/`basic.nack` in confirm mode, or `tx.commit-ok`.
    Confirm {
        acked: Vec<EntryId>,
        nacked: Vec<EntryId>,
        commit: bool,
    },
    /// Broker to producer: `basic.return` of a mandatory message no queue took (312 NO_ROUTE).
    Return { entry: EntryId, label: String },
    /// Producer to broker: `tx.commit`.
    TxCommit,
    /// Producer to broker: `tx.rollback`.
    TxRollback,
    /// Raft AppendEntries from a quorum queue's leader to a follower.
    Append {
        queue: String,
        term: u32,
        prev_index: usize,
        prev_term: u32,
        entries: Vec<LogEntry>,
        commit: usize,
    },
    /// A follower's answer: whether it took the entries, and how much of the log it holds.
    AppendReply {
        queue: String,
        term: u32,
        ok: bool,
        match_index: usize,
    },
    /// Raft RequestVote from a candidate.
    RequestVote {
        queue: String,
        term: u32,
        last_index: usize,
        last_term: u32,
    },
    Vote {
        queue: String,
        term: u32,
        granted: bool,
    },
    /// Broker to consumer: `basic.deliver`.
    Deliver { message: Box<RabbitMessage> },
    /// Consumer to broker.
    Ack { entries: Vec<EntryId> },
    Nack {
        entries: Vec<EntryId>,
        requeue: bool,
    },
}

/// What the producer waits for after a publish.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Reply {
    Nothing,
    Confirm,
    /// In a transaction: the broker holds the message until `tx.commit`.
    Tx,
}

/// The cluster's one wake-up: a message expires.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RabbitTimer {
    Wake,
    /// A quorum queue member's election timeout.
    Election {
        queue: String,
    },
}

/// Lab events, in the lab's own words.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RabbitNote {
    /// `on_disk`: a persistent message in a durable queue, written to disk before any confirm.
    Enqueued {
        label: String,
        queue: String,
        node: NodeId,
        on_disk: bool,
    },
    Unroutable {
        label: String,
        exchange: String,
        routing_key: String,
    },
    /// The exchange routed a message nowhere, and its alternate exchange took it.
    Rerouted {
        label: String,
        exchange: String,
        alternate: String,
    },
    /// The broker holds a publish in the channel's open transaction.
    Buffered {
        label: String,
    },
    /// `basic.return`: a mandatory message that no queue took is back at the producer.
    Returned {
        label: String,
    },
    /// The producer's connection broke with its broker node.
    ConnectionLost {
        producer: NodeId,
        unconfirmed: Vec<String>,
    },
    ChannelOpened {
        producer: NodeId,
        mode: PublishMode,
    },
    /// The broker cancelled a consumer (`basic.cancel`): its queue's node went down.
    Cancelled {
        consumer: NodeId,
        queue: String,
    },
    /// `basic.consume` failed with 404 NOT_FOUND: the queue's home node is down.
    ConsumeFailed {
        consumer: NodeId,
        queue: String,
        home: NodeId,
    },
    /// A quorum queue's leader appended a message to its log.
    Appended {
        label: String,
        queue: String,
        node: NodeId,
        index: usize,
        term: u32,
    },
    /// A quorum queue's leader committed entries: a majority holds them.
    QuorumCommitted {
        queue: String,
        index: usize,
        labels: Vec<String>,
    },
    ElectionStarted {
        queue: String,
        node: NodeId,
        term: u32,
    },
    VoteGranted {
        queue: String,
        voter: NodeId,
        candidate: NodeId,
        term: u32,
    },
    VoteRefused {
        queue: String,
        voter: NodeId,
        candidate: NodeId,
        term: u32,
    },
    Elected {
        queue: String,
        node: NodeId,
        term: u32,
    },
    Confirmed {
        labels: Vec<String>,
    },
    Nacked {
        labels: Vec<String>,
    },
    /// `basic.ack` for messages that came back with `basic.return`: no queue took them.
    AckedReturned {
        labels: Vec<String>,
    },
    Committed {
        labels: Vec<String>,
    },
    RolledBack {
        labels: Vec<String>,
        why: Text,
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
    Requeued {
        label: String,
        queue: String,
    },
    DeadLettered {
        label: String,
        reason: DeathReason,
        queues: Vec<String>,
    },
    Dropped {
        label: String,
        why: Text,
    },
    Lost {
        label: String,
        why: Text,
    },
    QueueVanished {
        queue: String,
    },
    FailedOver {
        queue: String,
        from: NodeId,
        to: NodeId,
    },
    Nothing {
        why: Text,
    },
}

/// What the broker answers for one published message.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Outcome {
    /// Enqueued everywhere it routes to: `basic.ack` now.
    Ack,
    /// Quorum queues confirm it when they commit it: `basic.ack` once the last one has.
    Pending,
    /// No queue takes it: dropped, and acknowledged all the same.
    Unroutable,
}

/// A routed publish its channel has not confirmed yet: the quorum queues that have still to commit
/// it, each with the ledger entry of its copy. As rabbit_channel does (`process_routing_confirm`
/// records every queue the message was routed to with `rabbit_confirms:insert`), the channel
/// sends `basic.ack` only once every one of them has confirmed it (rabbitmq.com/docs/confirms: a
/// routable message is confirmed "when the message has been accepted by all the queues").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unconfirmed {
    /// The publish's own ledger entry, which the producer waits on.
    pub entry: EntryId,
    /// The channel: its broker node and its producer.
    pub via: NodeId,
    pub producer: NodeId,
    /// Quorum queues (index, entry of the copy there) that have not committed it yet.
    pub waiting: Vec<(usize, EntryId)>,
}

/// The lab's state.
#[derive(Clone, Debug, PartialEq)]
pub struct RabbitLab {
    pub setup: RabbitSetup,
    pub queues: Vec<Queue>,
    pub producers: BTreeMap<NodeId, Producer>,
    pub consumers: BTreeMap<NodeId, Consumer>,
    pub ledger: Ledger,
    /// The copies made of each entry (one per further queue, or into a dead-letter queue), so a
    /// confirm marks them all safe.
    copies: BTreeMap<EntryId, Vec<EntryId>>,
    /// Routed publishes waiting for quorum queues to commit them before the confirm.
    pub unconfirmed: Vec<Unconfirmed>,
    /// Channels whose `tx.commit` waits for its publishes to be confirmed (rabbit_channel's
    /// `maybe_complete_tx` sends `tx.commit-ok` only when nothing is left unconfirmed): the
    /// producer, with its broker node and the committed publishes.
    pub committing: BTreeMap<NodeId, (NodeId, Vec<EntryId>)>,
    /// The cluster's one pending wake-up: its timer, its node and when it fires.
    wake: Option<(TimerId, NodeId, Time)>,
    created: u32,
}

impl RabbitLab {
    pub fn new(setup: &RabbitSetup) -> Result<RabbitLab, Text> {
        setup.validate()?;
        let brokers: Vec<NodeId> = setup
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == Role::Broker)
            .map(|(i, _)| i as NodeId)
            .collect();
        let queues = setup
            .queues
            .iter()
            .map(|q| Queue {
                spec: q.clone(),
                master: q.home,
                mirrors: if q.mirrored {
                    brokers.iter().copied().filter(|&b| b != q.home).collect()
                } else {
                    Vec::new()
                },
                exists: true,
                messages: Vec::new(),
                next_consumer: 0,
                raft: q.quorum.then(|| {
                    // The lab starts after the first election: the home node leads term 1.
                    let mut nodes = alloc::vec![q.home];
                    nodes.extend(brokers.iter().copied().filter(|&b| b != q.home));
                    Raft {
                        members: nodes
                            .iter()
                            .map(|&node| RaftMember {
                                node,
                                term: 1,
                                voted_for: Some(q.home),
                                log: Vec::new(),
                                commit: 0,
                            })
                            .collect(),
                        leader: Some(q.home),
                        candidate: None,
                        next_index: nodes.iter().map(|&n| (n, 1)).collect(),
                        match_index: nodes.iter().map(|&n| (n, 0)).collect(),
                        applied: 0,
                        elections: Vec::new(),
                        pending: Vec::new(),
                    }
                }),
            })
            .collect();
        let producers = setup
            .producers
            .iter()
            .map(|p| {
                (
                    p.node,
                    Producer {
                        spec: p.clone(),
                        uncommitted: Vec::new(),
                        in_tx: Vec::new(),
                        awaiting: Vec::new(),
                        returned: Vec::new(),
                        unconfirmed: Vec::new(),
                        connection_lost: false,
                        channel: 1,
                    },
                )
            })
            .collect();
        let consumers = setup
            .consumers
            .iter()
            .map(|c| {
                (
                    c.node,
                    Consumer {
                        spec: c.clone(),
                        connected: c.connected,
                        prefetched: VecDeque::new(),
                        unacked: Vec::new(),
                        processed_ids: BTreeSet::new(),
                        closed: None,
                        cancelled: false,
                    },
                )
            })
            .collect();
        Ok(RabbitLab {
            setup: setup.clone(),
            queues,
            producers,
            consumers,
            ledger: Ledger::with_acks(AckWord::Amqp),
            copies: BTreeMap::new(),
            unconfirmed: Vec::new(),
            committing: BTreeMap::new(),
            wake: None,
            created: 0,
        })
    }

    pub fn world(setup: &RabbitSetup, seed: u64) -> Result<World<RabbitLab>, Text> {
        let lab = RabbitLab::new(setup)?;
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

    pub fn queue(&self, name: &str) -> Option<&Queue> {
        self.queues.iter().find(|q| q.spec.name == name)
    }

    fn exchange_exists(&self, name: &str) -> bool {
        name.is_empty() || self.setup.exchanges.iter().any(|x| x.name == name)
    }

    /// The indices of the existing queues a routing key reaches through an exchange; the default
    /// exchange "" routes to the queue named by the key. A classic queue whose node is down is no
    /// target (RabbitMQ 3.x): when a node goes down, its non-replicated queues, durable ones
    /// included, leave the `rabbit_queue` table (rabbit_amqqueue:delete_queues_on_node_down,
    /// `queues_to_delete_when_node_down`) and the channel looks up routed queues only there
    /// (rabbit_amqqueue:lookup), so the message is neither put there nor nacked: it is confirmed
    /// once the other queues have it, or counts as unroutable when no queue is left.
    fn route(&self, exchange: &str, routing_key: &str, nodes: &[NodeState]) -> Vec<usize> {
        let names: Vec<&str> = if exchange.is_empty() {
            alloc::vec![routing_key]
        } else {
            match self.setup.exchanges.iter().find(|x| x.name == exchange) {
                Some(x) => x.route(routing_key),
                None => Vec::new(),
            }
        };
        names
            .into_iter()
            .filter_map(|n| self.queues.iter().position(|q| q.spec.name == n))
            .filter(|&i| self.queues[i].raft.is_some() || self.available(i, nodes))
            .collect()
    }

    /// Routes a publish, through the exchange's alternate exchanges (in a chain, each once) when
    /// the exchange routes it nowhere; with the alternate exchange that routed it, if any.
    fn route_publish(
        &self,
        exchange: &str,
        routing_key: &str,
        nodes: &[NodeState],
    ) -> (Vec<usize>, Option<String>) {
        let mut seen: Vec<&str> = alloc::vec![exchange];
        let mut at = exchange;
        loop {
            let targets = self.route(at, routing_key, nodes);
            let via = (at != exchange).then(|| at.to_string());
            if !targets.is_empty() {
                return (targets, via);
            }
            let next = self
                .setup
                .alternate_exchanges
                .iter()
                .find(|(x, _)| x == at)
                .map(|(_, ae)| ae.as_str());
            match next {
                Some(ae) if !seen.contains(&ae) => {
                    seen.push(ae);
                    at = ae;
                }
                _ => return (Vec::new(), None),
            }
        }
    }

    /// Whether the queue can be used now: its master is up, or, for a quorum queue, it has a
    /// leader that is up.
    fn available(&self, qi: usize, nodes: &[NodeState]) -> bool {
        let q = &self.queues[qi];
        let up = |n: NodeId| nodes.get(usize::from(n)).is_some_and(NodeState::is_up);
        match &q.raft {
            Some(r) => r.leader.is_some_and(up),
            None => q.exists && up(q.master),
        }
    }

    fn mark_safe_all(&mut self, entry: EntryId, how: Assurance) {
        let mut stack = alloc::vec![entry];
        while let Some(e) = stack.pop() {
            self.ledger.mark_safe(e, how);
            if let Some(more) = self.copies.get(&e) {
                // Copies are always newer entries, so this ends.
                stack.extend(more.iter().copied().filter(|&c| c > e));
            }
        }
    }

    fn copy_of(&mut self, base: &RabbitMessage, queue: &str) -> RabbitMessage {
        let label = format!("{}→{}", base.label, queue);
        let mut copy = base.clone();
        if let Some(entry) = self.ledger.copy(base.entry, label.clone()) {
            self.copies.entry(base.entry).or_default().push(entry);
            copy.entry = entry;
        }
        copy.label = label;
        copy
    }

    fn enqueue(&mut self, qi: usize, message: RabbitMessage, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let q = &mut self.queues[qi];
        let ttl = match (q.spec.message_ttl, message.expiration) {
            (Some(a), Some(b)) => Some(a.min(b)),
            (a, b) => a.or(b),
        };
        let place = q.place_of(&message);
        self.ledger.move_to(message.entry, place, Some(q.master));
        ctx.note(RabbitNote::Enqueued {
            label: message.label.clone(),
            queue: q.spec.name.clone(),
            node: q.master,
            on_disk: place == Place::BrokerStore,
        });
        let mut copies = alloc::vec![q.master];
        copies.extend(q.mirrors.iter().copied().filter(|&m| ctx.is_up(m)));
        q.messages.push(Held {
            message,
            dispatched_to: None,
            expires_at: ttl.map(|t| now.saturating_add(t)),
            copies,
        });
    }

    /// Puts a message into each target queue: the first one keeps the message's own ledger entry
    /// when `reuse` is set, every other one gets a copy. A quorum queue appends it to its
    /// leader's log; the publish is confirmed (to `confirm`) only once every quorum queue it went
    /// to has committed it.
    fn fan_out(
        &mut self,
        base: &RabbitMessage,
        targets: &[usize],
        reuse: bool,
        confirm: Option<(NodeId, NodeId)>,
        ctx: &mut Ctx<'_, Self>,
    ) -> Outcome {
        let mut waiting = Vec::new();
        let mut first = reuse;
        let mut appends = Vec::new();
        for &qi in targets {
            let name = self.queues[qi].spec.name.clone();
            let message = if first {
                first = false;
                base.clone()
            } else {
                self.copy_of(base, &name)
            };
            if self.queues[qi].raft.is_some() {
                waiting.push((qi, message.entry));
                appends.push((qi, message));
            } else {
                self.enqueue(qi, message, ctx);
            }
        }
        if waiting.is_empty() {
            return Outcome::Ack;
        }
        if let Some((via, producer)) = confirm {
            self.unconfirmed.push(Unconfirmed {
                entry: base.entry,
                via,
                producer,
                waiting,
            });
        }
        // Appending may commit at once (a single member): the publish is registered first.
        for (qi, message) in appends {
            self.quorum_append(qi, message, confirm, ctx);
        }
        Outcome::Pending
    }

    /// The broker takes in a published message: routes it and enqueues it. An unroutable message
    /// is dropped, and confirmed like any other (rabbitmq.com/docs/confirms).
    fn publish_in(
        &mut self,
        message: RabbitMessage,
        confirm: Option<(NodeId, NodeId)>,
        ctx: &mut Ctx<'_, Self>,
    ) -> Outcome {
        let (targets, via) =
            self.route_publish(&message.exchange, &message.routing_key, ctx.nodes());
        if let Some(alternate) = via {
            ctx.note(RabbitNote::Rerouted {
                label: message.label.clone(),
                exchange: message.exchange.clone(),
                alternate,
            });
        }
        if targets.is_empty() {
            self.ledger.move_to(message.entry, Place::Discarded, None);
            ctx.note(RabbitNote::Unroutable {
                label: message.label,
                exchange: message.exchange,
                routing_key: message.routing_key,
            });
            return Outcome::Unroutable;
        }
        self.fan_out(&message, &targets, true, confirm, ctx)
    }

    /// A channel's publishes arrive at its broker node `at` from `producer`: held in the open
    /// transaction, or routed, with `basic.return` for a mandatory one that no queue takes (sent
    /// before the confirm, as RabbitMQ does) and the confirms of those that need no replication.
    fn publishes_in(
        &mut self,
        at: NodeId,
        producer: NodeId,
        messages: Vec<RabbitMessage>,
        reply: Reply,
        ctx: &mut Ctx<'_, Self>,
    ) {
        if reply == Reply::Tx {
            let open = ctx.is_up(producer);
            for m in messages {
                if open {
                    self.ledger.move_to(m.entry, Place::BrokerMemory, Some(at));
                    ctx.note(RabbitNote::Buffered {
                        label: m.label.clone(),
                    });
                    if let Some(p) = self.producers.get_mut(&producer) {
                        p.uncommitted.push(m);
                    }
                } else {
                    self.ledger.move_to(m.entry, Place::Discarded, None);
                    ctx.note(RabbitNote::RolledBack {
                        labels: alloc::vec![m.label],
                        why: Text::new(
                            "its channel closed before the commit, so the broker drops it",
                            "提交前信道已关闭，Broker 丢弃了它",
                        ),
                    });
                }
            }
            return;
        }
        let confirm = (reply == Reply::Confirm).then_some((at, producer));
        let acked = self.route_all(at, producer, messages, confirm, ctx);
        if reply == Reply::Confirm && !acked.is_empty() {
            ctx.send(
                at,
                producer,
                RabbitMsg::Confirm {
                    acked,
                    nacked: Vec::new(),
                    commit: false,
                },
            );
        }
        self.dispatch(ctx);
    }

    /// Routes published messages; returns those to acknowledge at once.
    fn route_all(
        &mut self,
        at: NodeId,
        producer: NodeId,
        messages: Vec<RabbitMessage>,
        confirm: Option<(NodeId, NodeId)>,
        ctx: &mut Ctx<'_, Self>,
    ) -> Vec<EntryId> {
        let mut acked = Vec::new();
        for m in messages {
            let (entry, label, mandatory) = (m.entry, m.label.clone(), m.mandatory);
            match self.publish_in(m, confirm, ctx) {
                Outcome::Ack => acked.push(entry),
                Outcome::Pending => {}
                Outcome::Unroutable => {
                    if mandatory {
                        ctx.send(at, producer, RabbitMsg::Return { entry, label });
                    }
                    acked.push(entry);
                }
            }
        }
        acked
    }

    /// Quorum queue `qi` committed `entry`, its copy of a publish. Once no queue is left to commit
    /// the publish, its channel confirms it; a `tx.commit` waiting for it completes with
    /// `tx.commit-ok` when it was the last of the transaction's publishes
    /// (rabbit_channel:maybe_complete_tx).
    fn quorum_confirmed(&mut self, qi: usize, entry: EntryId, ctx: &mut Ctx<'_, Self>) {
        let Some(i) = self
            .unconfirmed
            .iter()
            .position(|u| u.waiting.contains(&(qi, entry)))
        else {
            return;
        };
        self.unconfirmed[i].waiting.retain(|&w| w != (qi, entry));
        if !self.unconfirmed[i].waiting.is_empty() {
            return;
        }
        let u = self.unconfirmed.remove(i);
        match self.committing.get(&u.producer) {
            Some((_, entries)) if entries.contains(&u.entry) => {
                self.maybe_complete_tx(u.producer, ctx);
            }
            _ => ctx.send(
                u.via,
                u.producer,
                RabbitMsg::Confirm {
                    acked: alloc::vec![u.entry],
                    nacked: Vec::new(),
                    commit: false,
                },
            ),
        }
    }

    /// Sends `tx.commit-ok` for a committing transaction once none of its publishes is left
    /// unconfirmed (rabbit_channel:maybe_complete_tx).
    fn maybe_complete_tx(&mut self, producer: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some((via, entries)) = self.committing.get(&producer) else {
            return;
        };
        if self
            .unconfirmed
            .iter()
            .any(|u| u.producer == producer && entries.contains(&u.entry))
        {
            return;
        }
        let (via, entries) = (*via, entries.clone());
        self.committing.remove(&producer);
        ctx.send(
            via,
            producer,
            RabbitMsg::Confirm {
                acked: entries,
                nacked: Vec::new(),
                commit: true,
            },
        );
    }

    /// Dead-letters a message that left queue `qi`: republishes it to the queue's dead-letter
    /// exchange, or drops it when there is none or it routes nowhere.
    fn dead_letter(
        &mut self,
        qi: usize,
        message: RabbitMessage,
        reason: DeathReason,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let spec = self.queues[qi].spec.clone();
        let holder = Some(self.queues[qi].master);
        let routing_key = spec
            .dead_letter_routing_key
            .clone()
            .unwrap_or_else(|| message.routing_key.clone());
        let mut targets = match &spec.dead_letter_exchange {
            Some(dlx) => self.route(dlx, &routing_key, ctx.nodes()),
            None => Vec::new(),
        };
        let mut dead = message.clone();
        dead.deaths.push((spec.name.clone(), reason));
        if reason == DeathReason::Expired {
            // A cycle of expiries is broken: RabbitMQ drops a message that would come back to a
            // queue it already died in, when no rejection happened on the way.
            targets.retain(|&t| {
                let name = &self.queues[t].spec.name;
                !dead.deaths.iter().any(|(q, _)| q == name)
            });
        }
        if targets.is_empty() {
            let (place, why) = match reason {
                DeathReason::Expired => (
                    Place::Expired,
                    Text::new(
                        "it expired and its queue has no dead-letter exchange that takes it",
                        "它过期了，而它的队列没有能接收它的死信交换器",
                    ),
                ),
                DeathReason::Rejected => (
                    Place::Discarded,
                    Text::new(
                        "it was rejected without requeue and its queue has no dead-letter exchange that takes it",
                        "它被拒绝且不重新入队，而它的队列没有能接收它的死信交换器",
                    ),
                ),
            };
            self.ledger.move_to(message.entry, place, None);
            ctx.note(RabbitNote::Dropped {
                label: message.label,
                why,
            });
            return;
        }
        dead.exchange = spec.dead_letter_exchange.clone().unwrap_or_default();
        dead.routing_key = routing_key;
        dead.redelivered = false;
        dead.no_ack = false;
        // RabbitMQ removes the per-message expiration so the dead letter does not expire again.
        dead.expiration = None;
        let queues = targets
            .iter()
            .map(|&t| self.queues[t].spec.name.clone())
            .collect();
        self.fan_out(&dead, &targets, false, None, ctx);
        self.ledger
            .move_to(message.entry, Place::DeadLettered, holder);
        ctx.note(RabbitNote::DeadLettered {
            label: message.label,
            reason,
            queues,
        });
    }

    /// Sets the cluster's wake-up for the next message that expires.
    fn schedule_wake(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let next = (0..self.queues.len())
            .filter(|&qi| self.available(qi, ctx.nodes()))
            .flat_map(|qi| self.queues[qi].messages.iter())
            .filter(|h| h.dispatched_to.is_none())
            .filter_map(|h| h.expires_at)
            .filter(|&t| t > now)
            .min();
        let node = self
            .setup
            .nodes
            .iter()
            .enumerate()
            .find(|(i, n)| n.role == Role::Broker && ctx.is_up(*i as NodeId))
            .map(|(i, _)| i as NodeId);
        let wanted = next.zip(node);
        // One wake-up at a time: keep the pending one if it is still the right moment.
        if self.wake.map(|(_, n, at)| (at, n)) == wanted {
            return;
        }
        if let Some((timer, _, _)) = self.wake.take() {
            ctx.cancel_timer(timer);
        }
        if let Some((at, node)) = wanted {
            let timer = ctx.set_timer(node, at - now, RabbitTimer::Wake);
            self.wake = Some((timer, node, at));
        }
    }

    /// Expires the ready messages whose time has come, in every reachable queue. A dead letter
    /// can land in a queue where it is already due (a TTL of 0), so the sweep repeats; an expired
    /// message never re-enters a queue it expired in, so it passes each queue once at most.
    fn expire(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        for _ in 0..=self.queues.len() {
            let mut any = false;
            for qi in 0..self.queues.len() {
                if !self.available(qi, ctx.nodes()) {
                    continue;
                }
                // Take them out first: dead letters may come back into this very queue.
                let mut expired = Vec::new();
                self.queues[qi].messages.retain(|h| {
                    if h.dispatched_to.is_none() && h.expires_at.is_some_and(|at| now >= at) {
                        expired.push(h.message.clone());
                        false
                    } else {
                        true
                    }
                });
                any |= !expired.is_empty();
                for message in expired {
                    self.dead_letter(qi, message, DeathReason::Expired, ctx);
                }
            }
            if !any {
                break;
            }
        }
    }

    /// Messages delivered to a consumer with manual acknowledgement and not yet acknowledged.
    fn window_used(&self, consumer: NodeId) -> usize {
        self.queues
            .iter()
            .flat_map(|q| q.messages.iter())
            .filter(|h| h.dispatched_to == Some(consumer))
            .count()
    }

    fn can_receive(&self, consumer: NodeId, ctx: &Ctx<'_, Self>) -> bool {
        let Some(k) = self.consumers.get(&consumer) else {
            return false;
        };
        k.connected
            && ctx.is_up(consumer)
            && ctx.is_up(k.spec.broker)
            && (k.spec.auto_ack
                || k.spec.prefetch == 0
                || self.window_used(consumer) < k.spec.prefetch as usize)
    }

    /// Pushes ready messages to consumers, round robin among a queue's consumers, up to each
    /// one's prefetch (which auto-ack consumers ignore).
    fn dispatch(&mut self, ctx: &mut Ctx<'_, Self>) {
        self.expire(ctx);
        for qi in 0..self.queues.len() {
            if !self.available(qi, ctx.nodes()) {
                continue;
            }
            let name = self.queues[qi].spec.name.clone();
            let candidates: Vec<NodeId> = self
                .consumers
                .values()
                .filter(|k| k.spec.queue == name)
                .map(|k| k.spec.node)
                .collect();
            if candidates.is_empty() {
                continue;
            }
            let mut i = 0;
            while i < self.queues[qi].messages.len() {
                if self.queues[qi].messages[i].dispatched_to.is_some() {
                    i += 1;
                    continue;
                }
                let start = self.queues[qi].next_consumer % candidates.len();
                let chosen = (0..candidates.len())
                    .map(|k| (start + k) % candidates.len())
                    .find(|&k| self.can_receive(candidates[k], ctx));
                let Some(position) = chosen else { break };
                let consumer = candidates[position];
                self.queues[qi].next_consumer = position + 1;
                let Some(k) = self.consumers.get(&consumer) else {
                    break;
                };
                let (auto_ack, via) = (k.spec.auto_ack, k.spec.broker);
                let mut message = if auto_ack {
                    // noAck: the broker forgets the message the moment it sends it.
                    self.queues[qi].messages.remove(i).message
                } else {
                    let held = &mut self.queues[qi].messages[i];
                    held.dispatched_to = Some(consumer);
                    i += 1;
                    held.message.clone()
                };
                message.no_ack = auto_ack;
                self.ledger
                    .move_to(message.entry, Place::InFlight, Some(consumer));
                ctx.send(
                    via,
                    consumer,
                    RabbitMsg::Deliver {
                        message: Box::new(message),
                    },
                );
            }
        }
        self.schedule_wake(ctx);
    }

    /// Puts back every message delivered to `consumer` and not acknowledged, flagged redelivered.
    fn take_back(&mut self, consumer: NodeId, only: Option<&[EntryId]>, ctx: &mut Ctx<'_, Self>) {
        for q in &mut self.queues {
            for h in &mut q.messages {
                if h.dispatched_to == Some(consumer)
                    && only.is_none_or(|o| o.contains(&h.message.entry))
                {
                    h.dispatched_to = None;
                    h.message.redelivered = true;
                    let place = if q.spec.durable && h.message.persistent {
                        Place::BrokerStore
                    } else {
                        Place::BrokerMemory
                    };
                    self.ledger.move_to(h.message.entry, place, Some(q.master));
                    ctx.note(RabbitNote::Requeued {
                        label: h.message.label.clone(),
                        queue: q.spec.name.clone(),
                    });
                }
            }
        }
    }

    /// The consumer's channel is gone (closed, crashed, or its broker node is down): what it
    /// held with noAck is lost, the rest goes back to the queue.
    fn close_channel(&mut self, consumer: NodeId, why: Text, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        let held: Vec<RabbitMessage> = k.prefetched.drain(..).chain(k.unacked.drain(..)).collect();
        for m in held {
            if m.no_ack {
                self.ledger.move_to(m.entry, Place::Lost, None);
                ctx.note(RabbitNote::Lost {
                    label: m.label,
                    why: why.clone(),
                });
            }
        }
        self.take_back(consumer, None, ctx);
    }

    fn process(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        let Some(message) = k.prefetched.pop_front() else {
            ctx.note(RabbitNote::Nothing {
                why: Text::new("no message has been delivered", "没有收到消息"),
            });
            return;
        };
        if k.spec.idempotent && k.processed_ids.contains(&message.label) {
            self.ledger.skipped_duplicate(message.entry);
            ctx.note(RabbitNote::SkippedDuplicate {
                consumer,
                label: message.label.clone(),
            });
        } else {
            self.ledger.processed(message.entry);
            if k.spec.idempotent {
                k.processed_ids.insert(message.label.clone());
            }
            ctx.note(RabbitNote::Processed {
                consumer,
                label: message.label.clone(),
                redelivered: message.redelivered,
            });
        }
        if message.no_ack {
            self.ledger
                .move_to(message.entry, Place::Acknowledged, None);
            return;
        }
        let ack_now = k.spec.ack_on_process;
        k.unacked.push(message);
        if ack_now {
            self.ack(consumer, ctx);
        }
    }

    fn ack(&mut self, consumer: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        if k.unacked.is_empty() {
            ctx.note(RabbitNote::Nothing {
                why: Text::new(
                    "nothing processed is waiting for an acknowledgement",
                    "没有已处理、等待确认的消息",
                ),
            });
            return;
        }
        let acked = core::mem::take(&mut k.unacked);
        let via = k.spec.broker;
        ctx.send(
            consumer,
            via,
            RabbitMsg::Ack {
                entries: acked.iter().map(|m| m.entry).collect(),
            },
        );
        ctx.note(RabbitNote::Acked {
            consumer,
            labels: acked.into_iter().map(|m| m.label).collect(),
        });
    }

    fn nack(&mut self, consumer: NodeId, requeue: bool, ctx: &mut Ctx<'_, Self>) {
        let Some(k) = self.consumers.get_mut(&consumer) else {
            return;
        };
        if k.prefetched.front().is_some_and(|m| m.no_ack) {
            // The broker forgot it when it sent it: there is no delivery left to reject.
            ctx.note(RabbitNote::Nothing {
                why: Text::new(
                    "a message consumed with auto-ack cannot be rejected: the broker already forgot it",
                    "以自动确认方式消费的消息无法拒绝：Broker 已经把它忘了",
                ),
            });
            return;
        }
        let manual: Vec<RabbitMessage> = match k.prefetched.pop_front() {
            Some(m) => alloc::vec![m],
            None => core::mem::take(&mut k.unacked),
        };
        if manual.is_empty() {
            ctx.note(RabbitNote::Nothing {
                why: Text::new("there is nothing to reject", "没有可以拒绝的消息"),
            });
            return;
        }
        let via = k.spec.broker;
        ctx.send(
            consumer,
            via,
            RabbitMsg::Nack {
                entries: manual.iter().map(|m| m.entry).collect(),
                requeue,
            },
        );
    }

    /// The broker drops the publishes it holds in the producer's open transaction (tx.rollback,
    /// or the channel closed).
    fn rollback(&mut self, producer: NodeId, why: Text, ctx: &mut Ctx<'_, Self>) {
        let Some(p) = self.producers.get_mut(&producer) else {
            return;
        };
        let dropped = core::mem::take(&mut p.uncommitted);
        if dropped.is_empty() {
            return;
        }
        for m in &dropped {
            self.ledger.move_to(m.entry, Place::Discarded, None);
        }
        ctx.note(RabbitNote::RolledBack {
            labels: dropped.into_iter().map(|m| m.label).collect(),
            why,
        });
    }

    /// Every delivery of queue `qi` not yet acknowledged comes back, flagged redelivered; the
    /// consumers drop their copies, as their channel to the old master or leader is gone.
    fn recall_deliveries(&mut self, qi: usize) {
        let returned: Vec<(NodeId, EntryId)> = self.queues[qi]
            .messages
            .iter()
            .filter_map(|h| h.dispatched_to.map(|c| (c, h.message.entry)))
            .collect();
        for (c, entry) in &returned {
            if let Some(k) = self.consumers.get_mut(c) {
                k.prefetched.retain(|m| m.entry != *entry);
                k.unacked.retain(|m| m.entry != *entry);
            }
        }
        for h in &mut self.queues[qi].messages {
            if h.dispatched_to.take().is_some() {
                h.message.redelivered = true;
            }
        }
    }

    /// A broker node crashed: its memory is gone, transient queues with it; a mirrored queue
    /// fails over to its oldest mirror that is up, losing what that mirror never had; a quorum
    /// queue whose leader was there elects a new one.
    fn broker_crashed(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        if self.wake.is_some_and(|(_, n, _)| n == node) {
            // The kernel cancelled the node's timers.
            self.wake = None;
        }
        // Clients connected through this node lose their connection.
        let through: Vec<NodeId> = self
            .consumers
            .values()
            .filter(|k| k.spec.broker == node)
            .map(|k| k.spec.node)
            .collect();
        for c in through {
            self.close_channel(
                c,
                Text::new(
                    "its consumer's connection broke before it was processed (auto-ack)",
                    "消息处理前消费者的连接断了（自动确认）",
                ),
                ctx,
            );
        }
        // Classic queues that lived on the node only: their consumers get basic.cancel.
        let mut cancelled: Vec<String> = Vec::new();
        for qi in 0..self.queues.len() {
            if self.queues[qi].raft.is_some() {
                self.quorum_member_down(qi, node, ctx);
                continue;
            }
            if !self.queues[qi].exists {
                continue;
            }
            if self.queues[qi].master != node {
                // A mirror that goes down loses its copy: it rejoins empty.
                for h in &mut self.queues[qi].messages {
                    h.copies.retain(|&c| c != node);
                }
                continue;
            }
            let promoted = self.queues[qi]
                .mirrors
                .iter()
                .copied()
                .find(|&m| m != node && ctx.is_up(m));
            self.recall_deliveries(qi);
            let q = &mut self.queues[qi];
            if let Some(new_master) = promoted {
                q.mirrors.retain(|&m| m != new_master);
                q.mirrors.push(node);
                q.master = new_master;
                let durable = q.spec.durable;
                // ha-promote-on-failure "always": the mirror is promoted even when it is not
                // synchronised, and the messages it never had are gone.
                let mut lost = Vec::new();
                q.messages.retain_mut(|h| {
                    h.copies.retain(|&c| c != node);
                    if h.copies.contains(&new_master) {
                        true
                    } else {
                        lost.push((h.message.entry, h.message.label.clone()));
                        false
                    }
                });
                for h in &q.messages {
                    let place = if durable && h.message.persistent {
                        Place::BrokerStore
                    } else {
                        Place::BrokerMemory
                    };
                    self.ledger
                        .move_to(h.message.entry, place, Some(new_master));
                }
                ctx.note(RabbitNote::FailedOver {
                    queue: q.spec.name.clone(),
                    from: node,
                    to: new_master,
                });
                for (entry, label) in lost {
                    self.ledger.move_to(entry, Place::Lost, None);
                    ctx.note(RabbitNote::Lost {
                        label,
                        why: Text::new(
                            format!(
                                "the promoted mirror on {} was not synchronised and never had it",
                                self.name(new_master)
                            ),
                            format!(
                                "被提升的 {} 上的镜像没有同步，从来没有这条消息",
                                self.name(new_master)
                            ),
                        ),
                    });
                }
                continue;
            }
            let durable = q.spec.durable;
            cancelled.push(q.spec.name.clone());
            let mut lost = Vec::new();
            q.messages.retain_mut(|h| {
                if durable && h.message.persistent {
                    h.copies = alloc::vec![node];
                    true
                } else {
                    lost.push((h.message.entry, h.message.label.clone()));
                    false
                }
            });
            for h in &q.messages {
                self.ledger
                    .move_to(h.message.entry, Place::BrokerStore, Some(node));
            }
            if !durable {
                q.exists = false;
                ctx.note(RabbitNote::QueueVanished {
                    queue: q.spec.name.clone(),
                });
            }
            for (entry, label) in lost {
                self.ledger.move_to(entry, Place::Lost, None);
                ctx.note(RabbitNote::Lost {
                    label,
                    why: Text::new(
                        "it was only in the memory of the broker node that went down",
                        "它只在宕机的 Broker 节点的内存里",
                    ),
                });
            }
        }
        // rabbitmq.com/docs/consumer-cancel: the broker cancels a consumer when its queue becomes
        // unavailable, for instance "the node on which the queue is located failing"; the client
        // must consume again once the queue is back.
        let to_cancel: Vec<(NodeId, String)> = self
            .consumers
            .values()
            .filter(|k| k.connected && k.spec.broker != node && cancelled.contains(&k.spec.queue))
            .map(|k| (k.spec.node, k.spec.queue.clone()))
            .collect();
        for (consumer, queue) in to_cancel {
            if let Some(k) = self.consumers.get_mut(&consumer) {
                k.connected = false;
                k.cancelled = true;
                k.closed = Some(Text::new(
                    format!("basic.cancel: the node of queue {queue} went down; consume again"),
                    format!("basic.cancel：队列 {queue} 所在的节点宕机了，需要重新消费"),
                ));
            }
            ctx.note(RabbitNote::Cancelled { consumer, queue });
        }
        // Producers connected through this node see their connection close (the client raises
        // an error): they know that the confirms they wait for will not come, and the broker
        // drops what their open transaction held.
        let producers: Vec<NodeId> = self
            .producers
            .values()
            .filter(|p| p.spec.broker == node)
            .map(|p| p.spec.node)
            .collect();
        // Their channels are gone, and with them the confirms they owed.
        self.unconfirmed.retain(|u| u.via != node);
        self.committing.retain(|_, (via, _)| *via != node);
        for producer in producers {
            self.rollback(
                producer,
                Text::new(
                    "the connection closed with the transaction open, so the broker dropped it",
                    "事务未提交时连接断开，Broker 丢弃了它",
                ),
                ctx,
            );
            let Some(p) = self.producers.get_mut(&producer) else {
                continue;
            };
            let open: Vec<EntryId> = p.awaiting.drain(..).chain(p.in_tx.drain(..)).collect();
            p.unconfirmed.extend(open.iter().copied());
            p.connection_lost = true;
            let unconfirmed = open
                .iter()
                .filter_map(|&e| self.ledger.get(e))
                .map(|j| j.label.clone())
                .collect();
            ctx.note(RabbitNote::ConnectionLost {
                producer,
                unconfirmed,
            });
        }
    }

    // ----- Quorum queues: Raft (rabbitmq.com/docs/quorum-queues; the Raft paper, §5) -----

    /// Sets (or resets) a member's randomised election timeout.
    fn arm_election(&mut self, qi: usize, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        let queue = self.queues[qi].spec.name.clone();
        let after = ctx.rng().between(ELECTION_TIMEOUT.0, ELECTION_TIMEOUT.1);
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        if let Some(i) = r.elections.iter().position(|&(n, _, _)| n == node) {
            let (_, timer, _) = r.elections.remove(i);
            ctx.cancel_timer(timer);
        }
        let timer = ctx.set_timer(node, after, RabbitTimer::Election { queue });
        let at = ctx.now() + after;
        if let Some(r) = self.queues[qi].raft.as_mut() {
            r.elections.push((node, timer, at));
        }
    }

    fn disarm_election(&mut self, qi: usize, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        if let Some(r) = self.queues[qi].raft.as_mut() {
            if let Some(i) = r.elections.iter().position(|&(n, _, _)| n == node) {
                let (_, timer, _) = r.elections.remove(i);
                ctx.cancel_timer(timer);
            }
        }
    }

    /// A member's node went down. Its term, vote and log are on disk and survive; if it led, the
    /// queue has no leader until an election, and its deliveries come back.
    fn quorum_member_down(&mut self, qi: usize, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        // The kernel cancelled the node's timers.
        r.elections.retain(|&(n, _, _)| n != node);
        if r.candidate.as_ref().is_some_and(|(c, _)| *c == node) {
            r.candidate = None;
        }
        if r.leader != Some(node) {
            return;
        }
        r.leader = None;
        let followers: Vec<NodeId> = r
            .members
            .iter()
            .map(|m| m.node)
            .filter(|&n| n != node)
            .collect();
        self.recall_deliveries(qi);
        for h in &self.queues[qi].messages {
            self.ledger
                .move_to(h.message.entry, Place::BrokerStore, None);
        }
        for f in followers {
            if ctx.is_up(f) {
                self.arm_election(qi, f, ctx);
            }
        }
    }

    /// The leader appends a publish to its log and sends it to its followers; without a leader
    /// the publish waits for the next one.
    fn quorum_append(
        &mut self,
        qi: usize,
        message: RabbitMessage,
        confirm_to: Option<(NodeId, NodeId)>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let queue = self.queues[qi].spec.name.clone();
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        let Some(leader) = r.leader.filter(|&l| ctx.is_up(l)) else {
            self.ledger
                .move_to(message.entry, Place::BrokerMemory, None);
            r.pending.push((message, confirm_to));
            return;
        };
        let Some(l) = r.member_mut(leader) else {
            return;
        };
        let (term, entry, label) = (l.term, message.entry, message.label.clone());
        l.log.push(LogEntry {
            term,
            message: Some(message),
            confirm_to,
        });
        let index = l.log.len();
        r.match_index.insert(leader, index);
        self.ledger.move_to(entry, Place::BrokerStore, Some(leader));
        ctx.note(RabbitNote::Appended {
            label,
            queue,
            node: leader,
            index,
            term,
        });
        self.replicate_all(qi, ctx);
    }

    fn replicate_all(&mut self, qi: usize, ctx: &mut Ctx<'_, Self>) {
        let Some(r) = &self.queues[qi].raft else {
            return;
        };
        let Some(leader) = r.leader else { return };
        let followers: Vec<NodeId> = r
            .members
            .iter()
            .map(|m| m.node)
            .filter(|&n| n != leader && ctx.is_up(n))
            .collect();
        for f in followers {
            self.replicate(qi, f, ctx);
        }
        self.advance_commit(qi, ctx);
    }

    /// AppendEntries to one follower: every entry from its `nextIndex` on.
    fn replicate(&mut self, qi: usize, follower: NodeId, ctx: &mut Ctx<'_, Self>) {
        let queue = self.queues[qi].spec.name.clone();
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        let Some(leader) = r.leader else { return };
        let Some(l) = r.member(leader) else { return };
        let next = r.next_index.get(&follower).copied().unwrap_or(1).max(1);
        let prev_index = (next - 1).min(l.log.len());
        let prev_term = if prev_index == 0 {
            0
        } else {
            l.log[prev_index - 1].term
        };
        let msg = RabbitMsg::Append {
            queue,
            term: l.term,
            prev_index,
            prev_term,
            entries: l.log[prev_index..].to_vec(),
            commit: l.commit,
        };
        let len = l.log.len();
        r.next_index.insert(follower, len + 1);
        ctx.send(leader, follower, msg);
    }

    /// The leader commits the highest index of its own term that a majority holds (Raft §5.3,
    /// §5.4.2), then applies what is newly committed: the messages enter the queue and their
    /// publishers get their confirms.
    fn advance_commit(&mut self, qi: usize, ctx: &mut Ctx<'_, Self>) {
        let queue = self.queues[qi].spec.name.clone();
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        let Some(leader) = r.leader else { return };
        let majority = r.majority();
        let Some(l) = r.member(leader) else { return };
        let (term, len, commit) = (l.term, l.log.len(), l.commit);
        let held = |n: usize| {
            r.members
                .iter()
                .filter(|m| {
                    if m.node == leader {
                        len >= n
                    } else {
                        r.match_index.get(&m.node).is_some_and(|&i| i >= n)
                    }
                })
                .count()
        };
        let Some(new_commit) = (commit + 1..=len)
            .rev()
            .find(|&n| l.log[n - 1].term == term && held(n) >= majority)
        else {
            return;
        };
        let applying: Vec<LogEntry> = l.log[r.applied.min(new_commit)..new_commit].to_vec();
        r.applied = r.applied.max(new_commit);
        if let Some(l) = r.member_mut(leader) {
            l.commit = new_commit;
        }
        let mut labels = Vec::new();
        for e in applying {
            let Some(message) = e.message else { continue };
            labels.push(message.label.clone());
            self.ledger
                .move_to(message.entry, Place::BrokerStore, Some(leader));
            if e.confirm_to.is_some() {
                self.quorum_confirmed(qi, message.entry, ctx);
            }
            self.queues[qi].messages.push(Held {
                message,
                dispatched_to: None,
                expires_at: None,
                copies: Vec::new(),
            });
        }
        ctx.note(RabbitNote::QuorumCommitted {
            queue,
            index: new_commit,
            labels,
        });
    }

    /// A member's election timeout fired: with no leader, it stands as a candidate for the next
    /// term, votes for itself and asks the others.
    fn start_election(&mut self, qi: usize, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        let queue = self.queues[qi].spec.name.clone();
        let up = |n: NodeId| ctx.is_up(n);
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        r.elections.retain(|&(n, _, _)| n != node);
        if r.leader.is_some_and(up) {
            return;
        }
        let others: Vec<NodeId> = r
            .members
            .iter()
            .map(|m| m.node)
            .filter(|&n| n != node && up(n))
            .collect();
        let Some(m) = r.member_mut(node) else { return };
        m.term += 1;
        m.voted_for = Some(node);
        let (term, (last_term, last_index)) = (m.term, m.last());
        r.candidate = Some((node, BTreeSet::from([node])));
        ctx.note(RabbitNote::ElectionStarted {
            queue: queue.clone(),
            node,
            term,
        });
        // A split vote ends with another timeout and a later term.
        self.arm_election(qi, node, ctx);
        for o in others {
            ctx.send(
                node,
                o,
                RabbitMsg::RequestVote {
                    queue: queue.clone(),
                    term,
                    last_index,
                    last_term,
                },
            );
        }
        self.count_votes(qi, ctx);
    }

    fn count_votes(&mut self, qi: usize, ctx: &mut Ctx<'_, Self>) {
        let Some(r) = &self.queues[qi].raft else {
            return;
        };
        let Some((c, votes)) = &r.candidate else {
            return;
        };
        if votes.len() >= r.majority() {
            let c = *c;
            self.become_leader(qi, c, ctx);
        }
    }

    /// A candidate with a majority leads: it appends an entry of its own term at once (as Ra
    /// does), so that committing it commits every entry earlier terms left, and appends the
    /// publishes that waited for a leader.
    fn become_leader(&mut self, qi: usize, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        self.disarm_election(qi, node, ctx);
        let queue = self.queues[qi].spec.name.clone();
        let Some(r) = self.queues[qi].raft.as_mut() else {
            return;
        };
        r.candidate = None;
        r.leader = Some(node);
        let nodes: Vec<NodeId> = r.members.iter().map(|m| m.node).collect();
        let Some(l) = r.member_mut(node) else { return };
        let term = l.term;
        l.log.push(LogEntry {
            term,
            message: None,
            confirm_to: None,
        });
        let len = l.log.len();
        for n in nodes {
            r.next_index.insert(n, len);
            r.match_index.insert(n, if n == node { len } else { 0 });
        }
        let pending = core::mem::take(&mut r.pending);
        self.queues[qi].master = node;
        for h in &self.queues[qi].messages {
            self.ledger
                .move_to(h.message.entry, Place::BrokerStore, Some(node));
        }
        ctx.note(RabbitNote::Elected { queue, node, term });
        for (message, confirm_to) in pending {
            self.quorum_append(qi, message, confirm_to, ctx);
        }
        self.replicate_all(qi, ctx);
    }

    fn quorum_index(&self, queue: &str) -> Option<usize> {
        self.queues
            .iter()
            .position(|q| q.spec.name == queue && q.raft.is_some())
    }

    /// Raft's messages between the members of a quorum queue.
    fn on_raft(&mut self, to: NodeId, from: NodeId, msg: RabbitMsg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            RabbitMsg::Append {
                queue,
                term,
                prev_index,
                prev_term,
                entries,
                commit,
            } => {
                let Some(qi) = self.quorum_index(&queue) else {
                    return;
                };
                let Some(r) = self.queues[qi].raft.as_mut() else {
                    return;
                };
                let Some(m) = r.member_mut(to) else { return };
                if term < m.term {
                    let reply = RabbitMsg::AppendReply {
                        queue,
                        term: m.term,
                        ok: false,
                        match_index: m.log.len(),
                    };
                    ctx.send(to, from, reply);
                    return;
                }
                if term > m.term {
                    m.term = term;
                    m.voted_for = None;
                }
                let consistent = prev_index <= m.log.len()
                    && (prev_index == 0 || m.log[prev_index - 1].term == prev_term);
                let mut dropped = Vec::new();
                let reply = if consistent {
                    let n = entries.len();
                    for (i, e) in entries.into_iter().enumerate() {
                        let at = prev_index + i;
                        if at < m.log.len() {
                            if m.log[at].term != e.term {
                                dropped.extend(m.log.drain(at..));
                                m.log.push(e);
                            }
                        } else {
                            m.log.push(e);
                        }
                    }
                    m.commit = m.commit.max(commit.min(prev_index + n));
                    (true, prev_index + n)
                } else {
                    (false, m.log.len().min(prev_index.saturating_sub(1)))
                };
                let reply_term = m.term;
                if r.candidate.as_ref().is_some_and(|(c, _)| *c == to) {
                    r.candidate = None;
                }
                // There is a leader: no election.
                self.disarm_election(qi, to, ctx);
                self.forget_dropped(qi, dropped, ctx);
                ctx.send(
                    to,
                    from,
                    RabbitMsg::AppendReply {
                        queue,
                        term: reply_term,
                        ok: reply.0,
                        match_index: reply.1,
                    },
                );
            }
            RabbitMsg::AppendReply {
                term,
                ok,
                match_index,
                queue,
            } => {
                let Some(qi) = self.quorum_index(&queue) else {
                    return;
                };
                let Some(r) = self.queues[qi].raft.as_mut() else {
                    return;
                };
                let Some(m) = r.member_mut(to) else { return };
                if term > m.term {
                    m.term = term;
                    m.voted_for = None;
                    if r.leader == Some(to) {
                        r.leader = None;
                    }
                    return;
                }
                let stale = term < m.term;
                if r.leader != Some(to) || stale {
                    return;
                }
                if ok {
                    let matched = r.match_index.entry(from).or_insert(0);
                    *matched = (*matched).max(match_index);
                    let next = r.next_index.entry(from).or_insert(1);
                    *next = (*next).max(match_index + 1);
                    self.advance_commit(qi, ctx);
                    self.dispatch(ctx);
                } else {
                    r.next_index.insert(from, match_index + 1);
                    self.replicate(qi, from, ctx);
                }
            }
            RabbitMsg::RequestVote {
                queue,
                term,
                last_index,
                last_term,
            } => {
                let Some(qi) = self.quorum_index(&queue) else {
                    return;
                };
                let Some(r) = self.queues[qi].raft.as_mut() else {
                    return;
                };
                let Some(m) = r.member_mut(to) else { return };
                // A later term: this member was behind, and steps down if it led or stood.
                let stepped_down = term > m.term;
                if stepped_down {
                    m.term = term;
                    m.voted_for = None;
                }
                let granted = term == m.term
                    && m.voted_for.is_none_or(|v| v == from)
                    && up_to_date((last_term, last_index), m.last());
                if granted {
                    m.voted_for = Some(from);
                }
                let my_term = m.term;
                if stepped_down {
                    if r.leader == Some(to) {
                        r.leader = None;
                    }
                    if r.candidate.as_ref().is_some_and(|(c, _)| *c == to) {
                        r.candidate = None;
                    }
                }
                ctx.note(if granted {
                    RabbitNote::VoteGranted {
                        queue: queue.clone(),
                        voter: to,
                        candidate: from,
                        term,
                    }
                } else {
                    RabbitNote::VoteRefused {
                        queue: queue.clone(),
                        voter: to,
                        candidate: from,
                        term,
                    }
                });
                if granted {
                    self.arm_election(qi, to, ctx);
                }
                ctx.send(
                    to,
                    from,
                    RabbitMsg::Vote {
                        queue,
                        term: my_term,
                        granted,
                    },
                );
            }
            RabbitMsg::Vote {
                queue,
                term,
                granted,
            } => {
                let Some(qi) = self.quorum_index(&queue) else {
                    return;
                };
                let Some(r) = self.queues[qi].raft.as_mut() else {
                    return;
                };
                let Some(m) = r.member_mut(to) else { return };
                if term > m.term {
                    m.term = term;
                    m.voted_for = None;
                    r.candidate = None;
                    return;
                }
                let my_term = m.term;
                if let Some((c, votes)) = r.candidate.as_mut() {
                    if *c == to && granted && term == my_term {
                        votes.insert(from);
                    }
                }
                self.count_votes(qi, ctx);
                self.dispatch(ctx);
            }
            _ => {}
        }
    }

    /// Entries a follower dropped because the leader's log differs: a message whose entry no
    /// member holds any more was never committed, and is gone.
    fn forget_dropped(&mut self, qi: usize, dropped: Vec<LogEntry>, ctx: &mut Ctx<'_, Self>) {
        let Some(r) = &self.queues[qi].raft else {
            return;
        };
        let mut gone = Vec::new();
        for e in dropped {
            let Some(m) = e.message else { continue };
            let kept = r.members.iter().any(|x| {
                x.log
                    .iter()
                    .any(|y| y.message.as_ref().is_some_and(|z| z.entry == m.entry))
            });
            if !kept {
                gone.push(m);
            }
        }
        for m in gone {
            self.ledger.move_to(m.entry, Place::Lost, None);
            ctx.note(RabbitNote::Lost {
                label: m.label,
                why: Text::new(
                    "its log entry was never committed, and the new leader's log replaced it",
                    "它的日志条目从未提交，被新 leader 的日志覆盖了",
                ),
            });
        }
    }
}

impl Protocol for RabbitLab {
    type Msg = RabbitMsg;
    type Op = RabbitOp;
    type Timer = RabbitTimer;
    type Note = RabbitNote;

    fn check_op(&self, op: &RabbitOp, nodes: &[NodeState]) -> Result<(), Text> {
        let up = |n: NodeId| nodes.get(usize::from(n)).is_some_and(NodeState::is_up);
        let consumer = |n: &NodeId| {
            if !self.consumers.contains_key(n) {
                return Err(Text::new(
                    format!("{} is not a consumer", self.name(*n)),
                    format!("{} 不是消费者", self.name(*n)),
                ));
            }
            if !up(*n) {
                return Err(Text::new("the consumer is not running", "消费者没有运行"));
            }
            Ok(())
        };
        let producer = |n: &NodeId| {
            let Some(p) = self.producers.get(n) else {
                return Err(Text::new(
                    format!("{} is not a producer", self.name(*n)),
                    format!("{} 不是生产者", self.name(*n)),
                ));
            };
            if !up(*n) {
                return Err(Text::new("the producer is not running", "生产者没有运行"));
            }
            if p.connection_lost {
                return Err(Text::new(
                    format!(
                        "{}'s connection to {} is closed; it reconnects when {} is back",
                        self.name(*n),
                        self.name(p.spec.broker),
                        self.name(p.spec.broker)
                    ),
                    format!(
                        "{} 到 {} 的连接已断开，等 {} 恢复后才会重连",
                        self.name(*n),
                        self.name(p.spec.broker),
                        self.name(p.spec.broker)
                    ),
                ));
            }
            Ok(p)
        };
        let tx = |n: &NodeId| {
            let p = producer(n)?;
            if p.spec.mode == PublishMode::Tx {
                Ok(())
            } else {
                Err(Text::new(
                    format!(
                        "{}'s channel is not transactional (tx.select)",
                        self.name(*n)
                    ),
                    format!("{} 的信道没有开启事务（tx.select）", self.name(*n)),
                ))
            }
        };
        match op {
            RabbitOp::Publish {
                producer: p,
                exchange,
                ..
            } => {
                producer(p)?;
                if self.exchange_exists(exchange) {
                    Ok(())
                } else {
                    Err(Text::new(
                        format!("there is no exchange {exchange}"),
                        format!("没有交换器 {exchange}"),
                    ))
                }
            }
            RabbitOp::TxCommit { producer: p } | RabbitOp::TxRollback { producer: p } => tx(p),
            RabbitOp::SetConfirms { producer: p, mode } => {
                let current = producer(p)?.spec.mode;
                // rabbitmq.com/docs/confirms: "a transactional channel cannot be put into
                // confirm mode and once a channel is in confirm mode, it cannot be made
                // transactional"; and AMQP 0-9-1 has no method that leaves either mode.
                match (current, *mode) {
                    (PublishMode::None, PublishMode::Confirms | PublishMode::Tx) => Ok(()),
                    (PublishMode::Tx, PublishMode::Confirms) => Err(Text::new(
                        "a transactional channel cannot be put into confirm mode: open a new channel",
                        "事务模式的信道不能再切换为确认模式：请新开一个信道",
                    )),
                    (PublishMode::Confirms, PublishMode::Tx) => Err(Text::new(
                        "a channel in confirm mode cannot be made transactional: open a new channel",
                        "确认模式的信道不能再开启事务：请新开一个信道",
                    )),
                    _ => Err(Text::new(
                        "a channel cannot leave confirm or transaction mode: open a new channel",
                        "信道无法退出确认模式或事务模式：请新开一个信道",
                    )),
                }
            }
            RabbitOp::OpenChannel { producer: p, .. } => {
                let p = producer(p)?;
                if !p.in_tx.is_empty() {
                    Err(Text::new(
                        "commit or roll back the open transaction first (closing the channel would roll it back)",
                        "请先提交或回滚当前事务（关闭信道会回滚它）",
                    ))
                } else if !p.awaiting.is_empty() {
                    Err(Text::new(
                        "wait for the outstanding confirms first",
                        "请先等待尚未返回的确认",
                    ))
                } else {
                    Ok(())
                }
            }
            RabbitOp::Connect { consumer: c } => {
                consumer(c)?;
                if self.consumers.get(c).is_some_and(|k| k.connected) {
                    Err(Text::new(
                        "the consumer is already connected",
                        "消费者已经连接",
                    ))
                } else {
                    Ok(())
                }
            }
            RabbitOp::Process { consumer: c }
            | RabbitOp::Ack { consumer: c }
            | RabbitOp::Nack { consumer: c, .. }
            | RabbitOp::Disconnect { consumer: c }
            | RabbitOp::SetAutoAck { consumer: c, .. } => consumer(c),
        }
    }

    fn on_op(&mut self, op: &RabbitOp, ctx: &mut Ctx<'_, Self>) {
        match op {
            RabbitOp::Publish {
                producer,
                exchange,
                routing_key,
                persistent,
                expiration,
                key,
                mandatory,
            } => {
                let Some(p) = self.producers.get(producer) else {
                    return;
                };
                let (mode, broker) = (p.spec.mode, p.spec.broker);
                self.created += 1;
                let label = format!("m{}", self.created);
                let entry = self.ledger.create(label.clone(), key.as_deref());
                let message = RabbitMessage {
                    entry,
                    label,
                    exchange: exchange.clone(),
                    routing_key: routing_key.clone(),
                    persistent: *persistent,
                    expiration: *expiration,
                    redelivered: false,
                    mandatory: *mandatory,
                    no_ack: false,
                    deaths: Vec::new(),
                };
                let Some(p) = self.producers.get_mut(producer) else {
                    return;
                };
                let reply = match mode {
                    PublishMode::Tx => {
                        // The publish goes to the broker now; the broker holds it until commit.
                        p.in_tx.push(entry);
                        Reply::Tx
                    }
                    PublishMode::Confirms => {
                        p.awaiting.push(entry);
                        Reply::Confirm
                    }
                    PublishMode::None => {
                        // basic.publish returns at once: the application believes it is sent.
                        self.ledger.mark_safe(entry, Assurance::SendReturned);
                        Reply::Nothing
                    }
                };
                self.ledger.move_to(entry, Place::InFlight, None);
                ctx.send(
                    *producer,
                    broker,
                    RabbitMsg::Publish {
                        messages: alloc::vec![message],
                        reply,
                    },
                );
            }
            RabbitOp::Process { consumer } => self.process(*consumer, ctx),
            RabbitOp::Ack { consumer } => self.ack(*consumer, ctx),
            RabbitOp::Nack { consumer, requeue } => self.nack(*consumer, *requeue, ctx),
            RabbitOp::TxCommit { producer } => {
                let Some(p) = self.producers.get_mut(producer) else {
                    return;
                };
                if p.in_tx.is_empty() {
                    ctx.note(RabbitNote::Nothing {
                        why: Text::new("the transaction is empty", "事务里没有消息"),
                    });
                    return;
                }
                let committed: Vec<EntryId> = p.in_tx.drain(..).collect();
                p.awaiting.extend(committed);
                let broker = p.spec.broker;
                ctx.send(*producer, broker, RabbitMsg::TxCommit);
            }
            RabbitOp::TxRollback { producer } => {
                let Some(p) = self.producers.get_mut(producer) else {
                    return;
                };
                if p.in_tx.is_empty() {
                    ctx.note(RabbitNote::Nothing {
                        why: Text::new("the transaction is empty", "事务里没有消息"),
                    });
                    return;
                }
                p.in_tx.clear();
                let broker = p.spec.broker;
                ctx.send(*producer, broker, RabbitMsg::TxRollback);
            }
            RabbitOp::Connect { consumer } => {
                let Some(k) = self.consumers.get(consumer) else {
                    return;
                };
                let queue = k.spec.queue.clone();
                let qi = self.queues.iter().position(|q| q.spec.name == queue);
                let refused = qi.and_then(|qi| {
                    let q = &self.queues[qi];
                    (q.raft.is_none()
                        && q.exists
                        && q.spec.durable
                        && !self.available(qi, ctx.nodes()))
                    .then_some(q.master)
                });
                let Some(k) = self.consumers.get_mut(consumer) else {
                    return;
                };
                if let Some(home) = refused {
                    // 404 NOT_FOUND: the broker closes the channel; the consumer must consume
                    // again later.
                    k.connected = false;
                    k.cancelled = false;
                    k.closed = Some(Text::new(
                        format!(
                            "404 NOT_FOUND: home node of durable queue {queue} is down; channel closed"
                        ),
                        format!("404 NOT_FOUND：持久化队列 {queue} 的主节点已宕机，信道被关闭"),
                    ));
                    ctx.note(RabbitNote::ConsumeFailed {
                        consumer: *consumer,
                        queue,
                        home,
                    });
                    return;
                }
                k.connected = true;
                k.closed = None;
                k.cancelled = false;
                self.dispatch(ctx);
            }
            RabbitOp::Disconnect { consumer } => {
                self.close_channel(
                    *consumer,
                    Text::new(
                        "its consumer closed the channel before processing it (auto-ack)",
                        "消费者在处理它之前关闭了信道（自动确认）",
                    ),
                    ctx,
                );
                if let Some(k) = self.consumers.get_mut(consumer) {
                    k.connected = false;
                }
                self.dispatch(ctx);
            }
            RabbitOp::SetAutoAck { consumer, auto_ack } => {
                if let Some(k) = self.consumers.get_mut(consumer) {
                    k.spec.auto_ack = *auto_ack;
                }
                self.dispatch(ctx);
            }
            RabbitOp::SetConfirms { producer, mode } => {
                if let Some(p) = self.producers.get_mut(producer) {
                    p.spec.mode = *mode;
                }
            }
            RabbitOp::OpenChannel { producer, mode } => {
                if let Some(p) = self.producers.get_mut(producer) {
                    p.spec.mode = *mode;
                    p.channel += 1;
                    p.returned.clear();
                }
                ctx.note(RabbitNote::ChannelOpened {
                    producer: *producer,
                    mode: *mode,
                });
            }
        }
    }

    fn on_msg(&mut self, to: NodeId, from: NodeId, msg: RabbitMsg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            RabbitMsg::Publish { messages, reply } => {
                self.publishes_in(to, from, messages, reply, ctx);
            }
            RabbitMsg::TxCommit => {
                let held = self
                    .producers
                    .get_mut(&from)
                    .map(|p| core::mem::take(&mut p.uncommitted))
                    .unwrap_or_default();
                // rabbit_channel answers tx.commit-ok only once every publish of the
                // transaction is confirmed, quorum commits included (maybe_complete_tx).
                let entries: Vec<EntryId> = held.iter().map(|m| m.entry).collect();
                self.committing.insert(from, (to, entries));
                self.route_all(to, from, held, Some((to, from)), ctx);
                self.maybe_complete_tx(from, ctx);
                self.dispatch(ctx);
            }
            RabbitMsg::TxRollback => {
                self.rollback(
                    from,
                    Text::new(
                        "tx.rollback: the broker drops the uncommitted publishes",
                        "tx.rollback：Broker 丢弃未提交的消息",
                    ),
                    ctx,
                );
            }
            RabbitMsg::Return { entry, label } => {
                if let Some(p) = self.producers.get_mut(&to) {
                    p.returned.push(entry);
                }
                ctx.note(RabbitNote::Returned { label });
            }
            RabbitMsg::Confirm {
                acked,
                nacked,
                commit,
            } => {
                let mut returned = Vec::new();
                if let Some(p) = self.producers.get_mut(&to) {
                    p.awaiting
                        .retain(|e| !acked.contains(e) && !nacked.contains(e));
                    returned = p.returned.clone();
                }
                let how = if commit {
                    Assurance::Committed
                } else {
                    Assurance::Confirm
                };
                // A message that came back with basic.return is acknowledged too, but the
                // producer knows that no queue took it.
                let (back, safe): (Vec<EntryId>, Vec<EntryId>) =
                    acked.iter().partition(|e| returned.contains(e));
                for &e in &safe {
                    self.mark_safe_all(e, how);
                }
                let labels = |ids: &[EntryId], l: &Ledger| -> Vec<String> {
                    ids.iter()
                        .filter_map(|&e| l.get(e))
                        .map(|j| j.label.clone())
                        .collect()
                };
                if !safe.is_empty() {
                    let labels = labels(&safe, &self.ledger);
                    ctx.note(if commit {
                        RabbitNote::Committed { labels }
                    } else {
                        RabbitNote::Confirmed { labels }
                    });
                }
                if !back.is_empty() {
                    ctx.note(RabbitNote::AckedReturned {
                        labels: labels(&back, &self.ledger),
                    });
                }
                if !nacked.is_empty() {
                    ctx.note(RabbitNote::Nacked {
                        labels: labels(&nacked, &self.ledger),
                    });
                }
            }
            RabbitMsg::Deliver { message } => {
                let expected = message.no_ack
                    || self.queues.iter().any(|q| {
                        q.messages.iter().any(|h| {
                            h.message.entry == message.entry && h.dispatched_to == Some(to)
                        })
                    });
                let Some(k) = self.consumers.get_mut(&to) else {
                    return;
                };
                if k.connected && expected {
                    self.ledger
                        .move_to(message.entry, Place::Consumer, Some(to));
                    k.prefetched.push_back(*message);
                } else if message.no_ack {
                    self.ledger.move_to(message.entry, Place::Lost, None);
                    ctx.note(RabbitNote::Lost {
                        label: message.label,
                        why: Text::new(
                            "it was delivered with auto-ack to a closed channel",
                            "它以自动确认方式投递给了已关闭的信道",
                        ),
                    });
                }
                // Otherwise the broker already took it back: the stale delivery is ignored.
            }
            RabbitMsg::Ack { entries } => {
                for q in &mut self.queues {
                    q.messages.retain(|h| {
                        if entries.contains(&h.message.entry) && h.dispatched_to == Some(from) {
                            self.ledger
                                .move_to(h.message.entry, Place::Acknowledged, None);
                            false
                        } else {
                            true
                        }
                    });
                }
                self.dispatch(ctx);
            }
            RabbitMsg::Nack { entries, requeue } => {
                if requeue {
                    self.take_back(from, Some(&entries), ctx);
                } else {
                    for qi in 0..self.queues.len() {
                        let mut rejected = Vec::new();
                        self.queues[qi].messages.retain(|h| {
                            if entries.contains(&h.message.entry) && h.dispatched_to == Some(from) {
                                rejected.push(h.message.clone());
                                false
                            } else {
                                true
                            }
                        });
                        for m in rejected {
                            self.dead_letter(qi, m, DeathReason::Rejected, ctx);
                        }
                    }
                }
                self.dispatch(ctx);
            }
            raft @ (RabbitMsg::Append { .. }
            | RabbitMsg::AppendReply { .. }
            | RabbitMsg::RequestVote { .. }
            | RabbitMsg::Vote { .. }) => self.on_raft(to, from, raft, ctx),
        }
    }

    fn on_timer(&mut self, node: NodeId, timer: RabbitTimer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            RabbitTimer::Wake => {
                self.wake = None;
                self.dispatch(ctx);
            }
            RabbitTimer::Election { queue } => {
                if let Some(qi) = self.quorum_index(&queue) {
                    self.start_election(qi, node, ctx);
                    self.dispatch(ctx);
                }
            }
        }
    }

    fn on_crash(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        match self.setup.role_of(node) {
            Some(Role::Broker) => {
                self.broker_crashed(node, ctx);
                self.dispatch(ctx);
            }
            Some(Role::Producer) => {
                // Its connection closes: the broker rolls back the open transaction.
                self.rollback(
                    node,
                    Text::new(
                        "the producer went down with the transaction open, so the broker dropped it",
                        "生产者在事务未提交时宕机，Broker 丢弃了它",
                    ),
                    ctx,
                );
                if let Some(p) = self.producers.get_mut(&node) {
                    p.in_tx.clear();
                    p.awaiting.clear();
                }
            }
            Some(Role::Consumer) => {
                // The broker sees the connection drop at once (a simplification of heartbeats).
                self.close_channel(
                    node,
                    Text::new(
                        "the consumer went down before processing it (auto-ack)",
                        "消费者在处理它之前宕机了（自动确认）",
                    ),
                    ctx,
                );
                self.dispatch(ctx);
            }
            None => {}
        }
    }

    fn on_restart(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        // A broker node brings back its durable queues; clients reconnect on their own
        // (automatic connection recovery), producers in their channel's mode.
        for p in self.producers.values_mut() {
            if p.spec.broker == node {
                p.connection_lost = false;
            }
        }
        for qi in 0..self.queues.len() {
            let Some(r) = &self.queues[qi].raft else {
                continue;
            };
            if r.member(node).is_none() {
                continue;
            }
            match r.leader.filter(|&l| l != node && ctx.is_up(l)) {
                // The leader brings the member's log up to date.
                Some(_) => self.replicate(qi, node, ctx),
                None if r.leader == Some(node) => {
                    // Nobody took over while it was down: it stands again.
                    if let Some(r) = self.queues[qi].raft.as_mut() {
                        r.leader = None;
                    }
                    self.arm_election(qi, node, ctx);
                }
                None => self.arm_election(qi, node, ctx),
            }
        }
        self.dispatch(ctx);
    }

    fn on_lost(
        &mut self,
        envelope: &Envelope<RabbitMsg>,
        _reason: LossReason,
        ctx: &mut Ctx<'_, Self>,
    ) {
        match &envelope.msg {
            // The producer's only copy is gone.
            RabbitMsg::Publish { messages, .. } => {
                for m in messages {
                    self.ledger.move_to(m.entry, Place::Lost, None);
                    ctx.note(RabbitNote::Lost {
                        label: m.label.clone(),
                        why: Text::new(
                            "the publish never reached the broker",
                            "发布的消息没有到达 Broker",
                        ),
                    });
                }
            }
            RabbitMsg::Deliver { message } => {
                if message.no_ack {
                    self.ledger.move_to(message.entry, Place::Lost, None);
                    ctx.note(RabbitNote::Lost {
                        label: message.label.clone(),
                        why: Text::new(
                            "an auto-ack delivery was lost on the way",
                            "一条自动确认的投递在路上丢失了",
                        ),
                    });
                } else {
                    // The channel is broken: the queue takes the message back.
                    let to = envelope.to;
                    self.take_back(to, Some(&[message.entry]), ctx);
                }
            }
            // Raft retries through later messages; the others need no account.
            _ => {}
        }
    }

    fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
        self.ledger.violations(out);
    }
}

impl Lab for RabbitLab {
    const INFO: LabInfo = LabInfo {
        id: "rabbitmq",
        name: StaticText::new("RabbitMQ", "RabbitMQ"),
        teaches: StaticText::new(
            "Exchanges and bindings, publisher confirms and transactions, manual acks, mirrored queues, TTL and dead letters.",
            "交换器与绑定、生产者确认与事务、手动确认、镜像队列、TTL 与死信。",
        ),
        lessons: 12,
        topics: &[
            Topic { seed: 1, section: StaticText::new("RabbitMQ exchange types", "2、RabbitMQ") },
            Topic { seed: 3, section: StaticText::new("High availability of message queues", "消息队列的高可用") },
            Topic { seed: 3, section: StaticText::new("Reliability: where messages are lost", "消息队列的可靠性") },
            Topic { seed: 3, section: StaticText::new("Idempotent consumers", "消息队列的幂等性") },
        ],
    };
    type Setup = RabbitSetup;

    fn check_input(op: &RabbitOp) -> Result<(), Text> {
        match op {
            RabbitOp::Publish {
                exchange,
                routing_key,
                expiration,
                key,
                ..
            } => {
                bounds::name(("the exchange's name", "交换器名"), exchange)?;
                bounds::name(("the routing key", "路由键"), routing_key)?;
                bounds::name(
                    ("the message's id", "消息 id"),
                    key.as_deref().unwrap_or(""),
                )?;
                bounds::span(
                    ("the message's expiration", "消息的过期时间"),
                    expiration.unwrap_or(0),
                )
            }
            _ => Ok(()),
        }
    }

    fn build(setup: &RabbitSetup, seed: u64) -> Result<World<RabbitLab>, Text> {
        RabbitLab::world(setup, seed)
    }

    fn invariants() -> Vec<InvariantInfo> {
        super::ledger::invariants()
    }

    fn lessons() -> Vec<Scenario<RabbitLab>> {
        super::rabbit_scenarios::scenarios()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Action, Fault, Model};
    use crate::mq::ledger::{NO_LOSS, ONCE};
    use crate::mq::topic::{Binding, ExchangeKind};
    use alloc::vec;
    use proptest::prelude::*;

    const P: NodeId = 0;
    const B1: NodeId = 1;
    const B2: NodeId = 2;
    const C1: NodeId = 3;
    const C2: NodeId = 4;

    fn exchange(name: &str, kind: ExchangeKind, bindings: &[(&str, &str)]) -> Exchange {
        Exchange {
            name: name.into(),
            kind,
            bindings: bindings
                .iter()
                .map(|&(queue, key)| Binding {
                    queue: queue.into(),
                    key: key.into(),
                })
                .collect(),
        }
    }

    fn queue(name: &str) -> QueueSpec {
        QueueSpec {
            name: name.into(),
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
            queue: queue.into(),
            auto_ack,
            prefetch: 0,
            idempotent: false,
            broker: B1,
            ack_on_process: false,
            connected: true,
        }
    }

    fn setup(mode: PublishMode, consumers: Vec<ConsumerSpec>) -> RabbitSetup {
        let node = |name: &str, role| NodeSpec {
            name: name.into(),
            role,
        };
        RabbitSetup {
            nodes: vec![
                node("P", Role::Producer),
                node("B1", Role::Broker),
                node("B2", Role::Broker),
                node("C1", Role::Consumer),
                node("C2", Role::Consumer),
            ],
            exchanges: vec![
                exchange("fan", ExchangeKind::Fanout, &[("a", ""), ("b", "")]),
                exchange("direct", ExchangeKind::Direct, &[("a", "a"), ("b", "b")]),
                exchange(
                    "topic",
                    ExchangeKind::Topic,
                    &[("a", "orders.*"), ("b", "#.error")],
                ),
                exchange("dlx", ExchangeKind::Fanout, &[("dlq", "")]),
            ],
            queues: vec![queue("a"), queue("b"), queue("dlq")],
            producers: vec![ProducerSpec {
                node: P,
                mode,
                broker: B1,
            }],
            consumers,
            link: None,
            alternate_exchanges: Vec::new(),
        }
    }

    fn world(s: &RabbitSetup) -> World<RabbitLab> {
        RabbitLab::world(s, 7).unwrap()
    }

    fn op(
        w: &mut World<RabbitLab>,
        op: RabbitOp,
    ) -> Vec<crate::kernel::Event<RabbitMsg, RabbitNote>> {
        let mut out = Vec::new();
        w.apply(&Action::Op { op }, &mut out);
        out
    }

    fn fault(w: &mut World<RabbitLab>, fault: Fault) {
        w.apply(&Action::Fault { fault }, &mut Vec::new());
    }

    fn settle(w: &mut World<RabbitLab>) {
        for _ in 0..10_000 {
            let Some(next) = w.next_due() else { return };
            w.apply(&next, &mut Vec::new());
        }
        panic!("the world did not settle");
    }

    fn publish_op(exchange: &str, key: &str, persistent: bool) -> RabbitOp {
        RabbitOp::Publish {
            producer: P,
            exchange: exchange.into(),
            routing_key: key.into(),
            persistent,
            expiration: None,
            key: None,
            mandatory: false,
        }
    }

    fn publish(w: &mut World<RabbitLab>, exchange: &str, key: &str, persistent: bool, n: usize) {
        for _ in 0..n {
            op(w, publish_op(exchange, key, persistent));
        }
        settle(w);
    }

    fn process_all(w: &mut World<RabbitLab>, consumer: NodeId) -> usize {
        let mut n = 0;
        while !w.protocol.consumers[&consumer].prefetched.is_empty() {
            op(w, RabbitOp::Process { consumer });
            settle(w);
            n += 1;
        }
        n
    }

    fn ack(w: &mut World<RabbitLab>, consumer: NodeId) {
        op(w, RabbitOp::Ack { consumer });
        settle(w);
    }

    fn broken(w: &World<RabbitLab>) -> Vec<String> {
        let mut out = Vec::new();
        w.violations(&mut out);
        out.into_iter().map(|v| v.invariant).collect()
    }

    fn places(w: &World<RabbitLab>) -> Vec<Place> {
        w.protocol.ledger.journeys.iter().map(|j| j.place).collect()
    }

    fn held(w: &World<RabbitLab>, q: &str) -> Vec<String> {
        w.protocol
            .queue(q)
            .map(|q| q.messages.iter().map(|h| h.message.label.clone()).collect())
            .unwrap_or_default()
    }

    #[test]
    fn exchanges_route_fanout_direct_and_topic_to_the_right_queues() {
        let mut w = world(&setup(PublishMode::Confirms, vec![]));
        publish(&mut w, "fan", "ignored", true, 1);
        assert_eq!(held(&w, "a"), ["m1"]);
        assert_eq!(held(&w, "b"), ["m1→b"]);
        publish(&mut w, "direct", "b", true, 1);
        assert_eq!(held(&w, "b"), ["m1→b", "m2"]);
        publish(&mut w, "topic", "orders.created", true, 1);
        publish(&mut w, "topic", "payments.eu.error", true, 1);
        publish(&mut w, "", "a", true, 1);
        assert_eq!(held(&w, "a"), ["m1", "m3", "m5"]);
        assert_eq!(held(&w, "b"), ["m1→b", "m2", "m4"]);
        assert!(held(&w, "dlq").is_empty());
        assert!(w.protocol.ledger.journeys.iter().all(|j| j.safe.is_some()));
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn an_unroutable_message_is_discarded_and_still_confirmed() {
        let mut w = world(&setup(PublishMode::Confirms, vec![]));
        publish(&mut w, "direct", "nobody", true, 1);
        let j = &w.protocol.ledger.journeys[0];
        assert_eq!(j.place, Place::Discarded);
        assert!(j.safe.is_some());
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn without_confirms_a_broker_crash_loses_what_the_producer_believed_sent() {
        let mut s = setup(PublishMode::None, vec![]);
        s.queues[0].durable = false;
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(places(&w), [Place::BrokerMemory]);
        assert!(
            w.protocol.ledger.journeys[0].safe.is_some(),
            "publish returned at once"
        );
        fault(&mut w, Fault::Crash { node: B1 });
        assert_eq!(places(&w), [Place::Lost]);
        assert_eq!(broken(&w), [NO_LOSS]);
    }

    #[test]
    fn a_publish_lost_on_the_way_breaks_no_loss_only_without_confirms() {
        for (mode, red) in [(PublishMode::None, true), (PublishMode::Confirms, false)] {
            let mut w = world(&setup(mode, vec![]));
            op(&mut w, publish_op("direct", "a", true));
            fault(&mut w, Fault::Crash { node: B1 });
            settle(&mut w);
            assert_eq!(places(&w), [Place::Lost]);
            assert_eq!(broken(&w).contains(&NO_LOSS.to_string()), red);
        }
    }

    #[test]
    fn confirmed_persistent_messages_on_a_durable_queue_survive_a_crash() {
        let mut w = world(&setup(
            PublishMode::Confirms,
            vec![consumer(C1, "a", false)],
        ));
        op(&mut w, RabbitOp::Disconnect { consumer: C1 });
        publish(&mut w, "direct", "a", true, 2);
        publish(&mut w, "direct", "a", false, 1);
        assert!(w.protocol.ledger.journeys.iter().all(|j| j.safe.is_some()));
        assert_eq!(
            places(&w),
            [Place::BrokerStore, Place::BrokerStore, Place::BrokerMemory]
        );
        fault(&mut w, Fault::Crash { node: B1 });
        fault(&mut w, Fault::Restart { node: B1 });
        assert_eq!(&places(&w)[..2], &[Place::BrokerStore; 2]);
        assert_eq!(
            places(&w)[2],
            Place::Lost,
            "a transient message is confirmed once it is in memory"
        );
        assert_eq!(broken(&w), [NO_LOSS], "only the transient one");
        op(&mut w, RabbitOp::Connect { consumer: C1 });
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 2);
        ack(&mut w, C1);
        assert_eq!(&places(&w)[..2], &[Place::Acknowledged; 2]);
    }

    #[test]
    fn a_transaction_sends_each_publish_at_once_and_the_broker_holds_it_until_commit() {
        let mut w = world(&setup(PublishMode::Tx, vec![]));
        publish(&mut w, "direct", "a", true, 2);
        // The publishes reached B1, which holds them uncommitted, routed nowhere yet.
        assert_eq!(places(&w), [Place::BrokerMemory; 2]);
        assert!(w
            .protocol
            .ledger
            .journeys
            .iter()
            .all(|j| j.holder == Some(B1)));
        assert_eq!(w.protocol.producers[&P].uncommitted.len(), 2);
        assert!(held(&w, "a").is_empty());
        op(&mut w, RabbitOp::TxRollback { producer: P });
        assert_eq!(
            places(&w),
            [Place::BrokerMemory; 2],
            "tx.rollback is on its way"
        );
        settle(&mut w);
        assert_eq!(places(&w), [Place::Discarded; 2], "the broker dropped them");
        publish(&mut w, "direct", "a", true, 2);
        assert!(w.protocol.ledger.journeys[2].safe.is_none());
        op(&mut w, RabbitOp::TxCommit { producer: P });
        settle(&mut w);
        assert_eq!(held(&w, "a"), ["m3", "m4"]);
        assert!(w.protocol.ledger.journeys[2..]
            .iter()
            .all(|j| j.safe == Some(Assurance::Committed)));
        assert!(broken(&w).is_empty());
        // A producer that goes down with a transaction open: the broker drops what it holds.
        publish(&mut w, "direct", "a", true, 1);
        fault(&mut w, Fault::Crash { node: P });
        assert_eq!(places(&w)[4], Place::Discarded);
    }

    #[test]
    fn a_transactional_channel_cannot_switch_to_confirms_and_a_new_channel_can() {
        let mut w = world(&setup(PublishMode::Tx, vec![]));
        let to = |mode| RabbitOp::SetConfirms { producer: P, mode };
        assert!(w
            .protocol
            .check_op(&to(PublishMode::Confirms), &w.nodes)
            .is_err());
        assert!(w
            .protocol
            .check_op(&to(PublishMode::None), &w.nodes)
            .is_err());
        let new = RabbitOp::OpenChannel {
            producer: P,
            mode: PublishMode::Confirms,
        };
        op(&mut w, publish_op("direct", "a", true));
        assert!(
            w.protocol.check_op(&new, &w.nodes).is_err(),
            "a transaction is open"
        );
        op(&mut w, RabbitOp::TxCommit { producer: P });
        settle(&mut w);
        op(&mut w, new);
        assert_eq!(w.protocol.producers[&P].spec.mode, PublishMode::Confirms);
        assert_eq!(w.protocol.producers[&P].channel, 2);
        assert!(w.protocol.check_op(&to(PublishMode::Tx), &w.nodes).is_err());
        // A plain channel can be put into either mode.
        let w = world(&setup(PublishMode::None, vec![]));
        assert!(w
            .protocol
            .check_op(&to(PublishMode::Confirms), &w.nodes)
            .is_ok());
        assert!(w.protocol.check_op(&to(PublishMode::Tx), &w.nodes).is_ok());
    }

    #[test]
    fn only_mandatory_reveals_an_unroutable_message_with_a_return_before_the_ack() {
        let mut w = world(&setup(PublishMode::Confirms, vec![]));
        let mut m = publish_op("direct", "nobody", true);
        if let RabbitOp::Publish { mandatory, .. } = &mut m {
            *mandatory = true;
        }
        op(&mut w, publish_op("direct", "nobody", true));
        op(&mut w, m);
        let mut order = Vec::new();
        while let Some(next) = w.next_due() {
            let mut out = Vec::new();
            w.apply(&next, &mut out);
            for e in out {
                if let crate::kernel::Event::Note { note } = e {
                    match note {
                        RabbitNote::Returned { label } => order.push(format!("return {label}")),
                        RabbitNote::Confirmed { labels } => {
                            order.push(format!("ack {}", labels.join(",")))
                        }
                        RabbitNote::AckedReturned { labels } => {
                            order.push(format!("ack {} (returned)", labels.join(",")))
                        }
                        _ => {}
                    }
                }
            }
        }
        assert_eq!(order, ["ack m1", "return m2", "ack m2 (returned)"]);
        let j = &w.protocol.ledger.journeys;
        assert_eq!(
            (j[0].place, j[1].place),
            (Place::Discarded, Place::Discarded)
        );
        assert!(j[0].safe.is_some(), "confirmed though no queue took it");
        assert!(j[1].safe.is_none(), "the producer knows it was returned");
        assert_eq!(w.protocol.producers[&P].returned, [j[1].id]);
    }

    #[test]
    fn an_alternate_exchange_takes_what_its_exchange_cannot_route_and_nothing_is_returned() {
        let mut s = setup(PublishMode::Confirms, vec![]);
        s.alternate_exchanges = vec![("direct".into(), "dlx".into())];
        let mut w = world(&s);
        let mut m = publish_op("direct", "nobody", true);
        if let RabbitOp::Publish { mandatory, .. } = &mut m {
            *mandatory = true;
        }
        op(&mut w, m);
        settle(&mut w);
        assert_eq!(held(&w, "dlq"), ["m1"]);
        assert!(
            w.protocol.producers[&P].returned.is_empty(),
            "routed: no basic.return"
        );
        assert!(w.protocol.ledger.journeys[0].safe.is_some());
        // Routable messages ignore the alternate exchange; a cycle of alternates ends.
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(held(&w, "a"), ["m2"]);
        s.alternate_exchanges = vec![
            ("direct".into(), "fan".into()),
            ("fan".into(), "direct".into()),
        ];
        s.exchanges[0].bindings.clear();
        let mut w = world(&s);
        publish(&mut w, "direct", "nobody", true, 1);
        assert_eq!(places(&w), [Place::Discarded]);
        s.alternate_exchanges = vec![("direct".into(), "missing".into())];
        assert!(RabbitLab::new(&s).is_err());
    }

    #[test]
    fn a_producer_notices_its_connection_closing_when_its_broker_goes_down() {
        let mut w = world(&setup(PublishMode::Confirms, vec![]));
        publish(&mut w, "direct", "a", true, 1);
        op(&mut w, publish_op("direct", "a", true));
        fault(&mut w, Fault::Crash { node: B1 });
        let p = &w.protocol.producers[&P];
        assert!(p.connection_lost);
        assert!(p.awaiting.is_empty());
        assert_eq!(
            p.unconfirmed,
            [w.protocol.ledger.journeys[1].id],
            "m2: resend"
        );
        assert!(w
            .protocol
            .check_op(&publish_op("direct", "a", true), &w.nodes)
            .is_err());
        fault(&mut w, Fault::Restart { node: B1 });
        assert!(!w.protocol.producers[&P].connection_lost, "reconnected");
        assert!(w
            .protocol
            .check_op(&publish_op("direct", "a", true), &w.nodes)
            .is_ok());
    }

    #[test]
    fn an_auto_ack_consumer_crash_loses_the_unprocessed_message() {
        let mut w = world(&setup(PublishMode::Confirms, vec![consumer(C1, "a", true)]));
        publish(&mut w, "direct", "a", true, 2);
        assert!(held(&w, "a").is_empty(), "the broker forgot them at once");
        op(&mut w, RabbitOp::Process { consumer: C1 });
        fault(&mut w, Fault::Crash { node: C1 });
        assert_eq!(places(&w), [Place::Acknowledged, Place::Lost]);
        assert_eq!(broken(&w), [NO_LOSS], "it was confirmed to the producer");
    }

    #[test]
    fn a_manual_ack_consumer_that_crashes_before_acking_processes_twice_unless_idempotent() {
        for idempotent in [false, true] {
            let mut spec = consumer(C1, "a", false);
            spec.idempotent = idempotent;
            let mut w = world(&setup(PublishMode::Confirms, vec![spec]));
            publish(&mut w, "direct", "a", true, 1);
            op(&mut w, RabbitOp::Process { consumer: C1 });
            fault(&mut w, Fault::Crash { node: C1 });
            assert_eq!(places(&w), [Place::BrokerStore]);
            assert!(w.protocol.queues[0].messages[0].message.redelivered);
            fault(&mut w, Fault::Restart { node: C1 });
            settle(&mut w);
            let again = &w.protocol.consumers[&C1].prefetched;
            assert_eq!(again.len(), 1);
            assert!(again[0].redelivered);
            process_all(&mut w, C1);
            ack(&mut w, C1);
            let j = &w.protocol.ledger.journeys[0];
            assert_eq!(j.place, Place::Acknowledged);
            if idempotent {
                assert_eq!((j.processed, j.skipped_duplicates), (1, 1));
                assert!(broken(&w).is_empty());
            } else {
                assert_eq!(j.processed, 2);
                assert_eq!(broken(&w), [ONCE]);
            }
        }
    }

    #[test]
    fn nack_with_requeue_redelivers_and_without_requeue_dead_letters() {
        let mut s = setup(PublishMode::Confirms, vec![consumer(C1, "a", false)]);
        s.queues[0].dead_letter_exchange = Some("dlx".into());
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        op(
            &mut w,
            RabbitOp::Nack {
                consumer: C1,
                requeue: true,
            },
        );
        settle(&mut w);
        let again = &w.protocol.consumers[&C1].prefetched;
        assert_eq!(again.len(), 1);
        assert!(again[0].redelivered);
        op(
            &mut w,
            RabbitOp::Nack {
                consumer: C1,
                requeue: false,
            },
        );
        settle(&mut w);
        assert_eq!(places(&w)[0], Place::DeadLettered);
        assert_eq!(held(&w, "dlq"), ["m1→dlq"]);
        let dead = &w.protocol.queue("dlq").unwrap().messages[0].message;
        assert_eq!(dead.deaths, [("a".to_string(), DeathReason::Rejected)]);
        assert!(w.protocol.ledger.journeys[1].safe.is_some());
        // Without a dead-letter exchange the rejected message is dropped.
        let mut w = world(&setup(
            PublishMode::Confirms,
            vec![consumer(C1, "a", false)],
        ));
        publish(&mut w, "direct", "a", true, 1);
        op(
            &mut w,
            RabbitOp::Nack {
                consumer: C1,
                requeue: false,
            },
        );
        settle(&mut w);
        assert_eq!(places(&w), [Place::Discarded]);
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn an_expired_message_goes_to_the_dead_letter_queue_or_is_dropped() {
        let mut s = setup(PublishMode::Confirms, vec![]);
        s.queues[0].message_ttl = Some(1000);
        s.queues[0].dead_letter_exchange = Some("dlx".into());
        s.queues[1].message_ttl = Some(1000);
        let mut w = world(&s);
        let mut shorter = publish_op("direct", "a", true);
        if let RabbitOp::Publish { expiration, .. } = &mut shorter {
            *expiration = Some(200);
        }
        op(&mut w, shorter);
        op(&mut w, publish_op("direct", "b", true));
        for _ in 0..3 {
            let next = w.next_due().unwrap();
            w.apply(&next, &mut Vec::new());
        }
        assert_eq!(w.timers.len(), 1, "one wake-up at a time");
        settle(&mut w);
        assert!(w.now >= 1000);
        assert_eq!(places(&w)[0], Place::DeadLettered);
        assert_eq!(places(&w)[1], Place::Expired);
        assert_eq!(held(&w, "dlq"), ["m1→dlq"]);
        let dead = &w.protocol.queue("dlq").unwrap().messages[0].message;
        assert_eq!(dead.deaths, [("a".to_string(), DeathReason::Expired)]);
        assert_eq!(dead.expiration, None);
        assert!(w.timers.is_empty());
    }

    #[test]
    fn an_expiry_cycle_back_into_the_same_queue_is_broken() {
        let mut s = setup(PublishMode::Confirms, vec![]);
        s.queues[0].message_ttl = Some(0);
        s.queues[0].dead_letter_exchange = Some("direct".into());
        s.queues[0].dead_letter_routing_key = Some("a".into());
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(places(&w), [Place::Expired]);
        // dlq (swept after a) expires at once into a, which would expire it back into dlq: the
        // chain ends at the queue it already expired in, within the same step.
        s.queues[0].dead_letter_exchange = Some("dlx".into());
        s.queues[0].dead_letter_routing_key = None;
        s.queues[2].message_ttl = Some(0);
        s.queues[2].dead_letter_exchange = Some("direct".into());
        s.queues[2].dead_letter_routing_key = Some("a".into());
        let mut w = world(&s);
        publish(&mut w, "", "dlq", true, 1);
        assert_eq!(places(&w), [Place::DeadLettered, Place::Expired]);
        assert_eq!(w.protocol.ledger.journeys[1].label, "m1→a");
        assert!(held(&w, "a").is_empty() && held(&w, "dlq").is_empty());
        assert!(w.timers.is_empty());
    }

    #[test]
    fn a_transient_queue_vanishes_when_its_node_restarts() {
        let mut s = setup(PublishMode::Confirms, vec![]);
        s.queues[0].durable = false;
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(
            places(&w),
            [Place::BrokerMemory],
            "a transient queue keeps nothing on disk"
        );
        fault(&mut w, Fault::Crash { node: B1 });
        fault(&mut w, Fault::Restart { node: B1 });
        assert!(!w.protocol.queue("a").unwrap().exists);
        assert_eq!(places(&w), [Place::Lost]);
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(places(&w)[1], Place::Discarded, "no queue, so unroutable");
    }

    #[test]
    fn a_plain_cluster_queue_is_gone_while_its_node_is_down_and_a_mirrored_one_fails_over() {
        // Plain: the queue lives on B1 only; the producer and consumer use B2.
        let mut s = setup(PublishMode::Confirms, vec![consumer(C1, "a", false)]);
        s.producers[0].broker = B2;
        s.consumers[0].broker = B2;
        s.consumers[0].connected = false;
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        fault(&mut w, Fault::Crash { node: B1 });
        publish(&mut w, "direct", "a", true, 1);
        // RabbitMQ 3.x: the queue left the routing table with its node, so m2 is unroutable, and
        // confirmed; mandatory would return it.
        assert_eq!(places(&w), [Place::BrokerStore, Place::Discarded]);
        assert!(
            w.protocol.ledger.journeys[1].safe.is_some(),
            "basic.ack, no nack"
        );
        let mut mandatory = publish_op("direct", "a", true);
        if let RabbitOp::Publish { mandatory: m, .. } = &mut mandatory {
            *m = true;
        }
        op(&mut w, mandatory);
        settle(&mut w);
        assert_eq!(w.protocol.producers[&P].returned.len(), 1, "basic.return");
        // basic.consume on a durable queue whose home node is down: 404, channel closed.
        op(&mut w, RabbitOp::Connect { consumer: C1 });
        let k = &w.protocol.consumers[&C1];
        assert!(!k.connected && k.closed.is_some());
        fault(&mut w, Fault::Restart { node: B1 });
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 0, "it must consume again");
        op(&mut w, RabbitOp::Connect { consumer: C1 });
        settle(&mut w);
        assert!(w.protocol.consumers[&C1].closed.is_none());
        assert_eq!(process_all(&mut w, C1), 1, "back with its node");

        // Mirrored, transient messages included: B2 takes over with every message.
        s.queues[0].mirrored = true;
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        publish(&mut w, "direct", "a", false, 1);
        fault(&mut w, Fault::Crash { node: B1 });
        let q = w.protocol.queue("a").unwrap();
        assert_eq!((q.master, q.mirrors.as_slice()), (B2, &[B1][..]));
        assert_eq!(held(&w, "a"), ["m1", "m2"]);
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(held(&w, "a"), ["m1", "m2", "m3"]);
        op(&mut w, RabbitOp::Connect { consumer: C1 });
        settle(&mut w);
        assert_eq!(process_all(&mut w, C1), 3);
        ack(&mut w, C1);
        assert_eq!(places(&w), [Place::Acknowledged; 3]);
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_consumer_of_a_classic_queue_whose_node_fails_is_cancelled_and_must_consume_again() {
        // The queue lives on B1; C1 consumes it through B2.
        let mut s = setup(PublishMode::Confirms, vec![consumer(C1, "a", false)]);
        s.consumers[0].broker = B2;
        let mut w = world(&s);
        fault(&mut w, Fault::Crash { node: B1 });
        let k = &w.protocol.consumers[&C1];
        assert!(!k.connected && k.cancelled, "basic.cancel");
        fault(&mut w, Fault::Restart { node: B1 });
        publish(&mut w, "direct", "a", true, 1);
        assert_eq!(
            process_all(&mut w, C1),
            0,
            "cancelled: nothing is delivered"
        );
        op(&mut w, RabbitOp::Connect { consumer: C1 });
        settle(&mut w);
        assert!(!w.protocol.consumers[&C1].cancelled);
        assert_eq!(process_all(&mut w, C1), 1);
    }

    #[test]
    fn a_rejoined_mirror_is_not_synchronised_and_its_promotion_loses_what_it_lacks() {
        let mut s = setup(PublishMode::Confirms, vec![]);
        s.queues[0].mirrored = true;
        s.producers[0].broker = B2;
        let mut w = world(&s);
        fault(&mut w, Fault::Crash { node: B1 });
        publish(&mut w, "direct", "a", true, 1);
        fault(&mut w, Fault::Restart { node: B1 });
        // B1 rejoins as a mirror, empty: m1 is on B2 only, and m2 on both.
        publish(&mut w, "direct", "a", true, 1);
        let q = w.protocol.queue("a").unwrap();
        assert_eq!(q.messages[0].copies, [B2]);
        assert_eq!(q.messages[1].copies, [B2, B1]);
        fault(&mut w, Fault::Crash { node: B2 });
        let q = w.protocol.queue("a").unwrap();
        assert_eq!(q.master, B1, "promoted although unsynchronised");
        assert_eq!(held(&w, "a"), ["m2"]);
        assert_eq!(places(&w)[0], Place::Lost);
        assert_eq!(broken(&w), [NO_LOSS], "m1 was confirmed");
    }

    /// P, B1, B2, C1, C2 and a third broker B3; the queue `a` is a quorum queue led by B1, and P
    /// and C1 connect through B2.
    fn quorum_world(seed: u64) -> World<RabbitLab> {
        let mut s = setup(PublishMode::Confirms, vec![consumer(C1, "a", false)]);
        s.nodes.push(NodeSpec {
            name: "B3".into(),
            role: Role::Broker,
        });
        s.queues[0].quorum = true;
        s.producers[0].broker = B2;
        s.consumers[0].broker = B2;
        s.consumers[0].connected = false;
        RabbitLab::world(&s, seed).unwrap()
    }

    const B3: NodeId = 5;

    fn raft(w: &World<RabbitLab>) -> &Raft {
        w.protocol.queue("a").unwrap().raft.as_ref().unwrap()
    }

    #[test]
    fn a_quorum_queue_confirms_a_publish_only_once_a_majority_has_written_it() {
        let mut w = quorum_world(7);
        // B3 is cut off: B1 and B2 are still a majority of three.
        fault(
            &mut w,
            Fault::Partition {
                groups: vec![vec![P, B1, B2, C1, C2], vec![B3]],
            },
        );
        op(&mut w, publish_op("direct", "a", true));
        let next = w.next_due().unwrap();
        w.apply(&next, &mut Vec::new()); // the publish reaches B2, and B1 appends it
        assert_eq!(raft(&w).member(B1).unwrap().log.len(), 1);
        assert!(held(&w, "a").is_empty(), "not committed yet");
        // Deliver the AppendEntries to B2 and its reply, but nothing else.
        for _ in 0..2 {
            let next = w.next_due().unwrap();
            w.apply(&next, &mut Vec::new());
        }
        assert_eq!(raft(&w).member(B2).unwrap().log.len(), 1);
        assert_eq!(
            raft(&w).member(B1).unwrap().commit,
            1,
            "B1 and B2: a majority"
        );
        assert_eq!(held(&w, "a"), ["m1"]);
        settle(&mut w);
        assert!(w.protocol.ledger.journeys[0].safe.is_some());
        assert!(raft(&w).member(B3).unwrap().log.is_empty());
        // Cut off from both followers, the leader commits nothing.
        fault(&mut w, Fault::Heal);
        fault(
            &mut w,
            Fault::Partition {
                groups: vec![vec![P, B2, C1, C2], vec![B1], vec![B3]],
            },
        );
        op(&mut w, publish_op("direct", "a", true));
        settle(&mut w);
        assert_eq!(raft(&w).member(B1).unwrap().log.len(), 2);
        assert_eq!(raft(&w).member(B1).unwrap().commit, 1);
        assert!(w.protocol.ledger.journeys[1].safe.is_none());
    }

    #[test]
    fn when_the_leader_dies_an_up_to_date_follower_is_elected_and_nothing_confirmed_is_lost() {
        let mut refused_b3 = false;
        for seed in 1..20 {
            let mut w = quorum_world(seed);
            fault(
                &mut w,
                Fault::Partition {
                    groups: vec![vec![P, B1, B2, C1, C2], vec![B3]],
                },
            );
            publish(&mut w, "direct", "a", true, 1);
            assert!(w.protocol.ledger.journeys[0].safe.is_some());
            fault(&mut w, Fault::Heal);
            fault(&mut w, Fault::Crash { node: B1 });
            assert_eq!(raft(&w).leader, None);
            assert_eq!(
                raft(&w).elections.len(),
                2,
                "B2 and B3 wait out their timeouts"
            );
            let mut votes = Vec::new();
            for _ in 0..10_000 {
                let Some(next) = w.next_due() else { break };
                let mut out = Vec::new();
                w.apply(&next, &mut out);
                for e in out {
                    if let crate::kernel::Event::Note { note } = e {
                        match note {
                            RabbitNote::VoteGranted {
                                voter,
                                candidate,
                                term,
                                ..
                            } => votes.push((voter, candidate, term, true)),
                            RabbitNote::VoteRefused {
                                voter,
                                candidate,
                                term,
                                ..
                            } => votes.push((voter, candidate, term, false)),
                            _ => {}
                        }
                    }
                }
            }
            refused_b3 |= votes.contains(&(B2, B3, 2, false))
                || votes
                    .iter()
                    .any(|&(v, c, _, g)| (v, c, g) == (B2, B3, false));
            assert!(
                !votes
                    .iter()
                    .any(|&(v, c, _, g)| (v, c, g) == (B2, B3, true)),
                "B3 lacks m1"
            );
            for &(v, _, t, g) in &votes {
                let once = votes
                    .iter()
                    .filter(|&&(v2, _, t2, g2)| g && g2 && v2 == v && t2 == t)
                    .count();
                assert!(!g || once == 1, "one vote per member and term");
            }
            let r = raft(&w);
            // B3 lacks m1, so B2 never votes for it: only B2 can win (Raft §5.4.1).
            assert_eq!(r.leader, Some(B2), "seed {seed}");
            let term = r.member(B2).unwrap().term;
            assert!(term >= 2);
            assert_eq!(r.member(B3).unwrap().term, term);
            assert_eq!(
                r.member(B3).unwrap().log,
                r.member(B2).unwrap().log,
                "caught up"
            );
            assert!(r.elections.is_empty());
            // Publishers and consumers carry on through B2.
            publish(&mut w, "direct", "a", true, 1);
            assert!(w.protocol.ledger.journeys[1].safe.is_some());
            op(&mut w, RabbitOp::Connect { consumer: C1 });
            settle(&mut w);
            assert_eq!(process_all(&mut w, C1), 2);
            ack(&mut w, C1);
            assert_eq!(places(&w), [Place::Acknowledged; 2]);
            assert!(broken(&w).is_empty());
            // The old leader comes back as a follower of the later term.
            fault(&mut w, Fault::Restart { node: B1 });
            settle(&mut w);
            let r = raft(&w);
            assert_eq!(r.leader, Some(B2));
            assert_eq!(r.member(B1).unwrap().term, term);
            assert_eq!(r.member(B1).unwrap().log, r.member(B2).unwrap().log);
        }
        assert!(refused_b3, "in some run B3 stands first and B2 refuses it");
    }

    /// Queues a and b behind the fanout `fan`, with B3 in the cluster; a is a quorum queue led by
    /// B1 or a classic queue on B1, b is a quorum queue led by B2. B2 is cut off from the others,
    /// so b cannot commit.
    fn fan_world(mode: PublishMode, a_quorum: bool) -> World<RabbitLab> {
        let mut s = setup(mode, vec![]);
        s.nodes.push(NodeSpec {
            name: "B3".into(),
            role: Role::Broker,
        });
        s.queues[0].quorum = a_quorum;
        s.queues[1].quorum = true;
        s.queues[1].home = B2;
        let mut w = RabbitLab::world(&s, 7).unwrap();
        fault(
            &mut w,
            Fault::Partition {
                groups: vec![vec![P, B1, B3, C1, C2], vec![B2]],
            },
        );
        w
    }

    #[test]
    fn a_publish_to_several_queues_is_confirmed_only_once_every_quorum_queue_has_committed_it() {
        for a_quorum in [true, false] {
            let mut w = fan_world(PublishMode::Confirms, a_quorum);
            op(&mut w, publish_op("fan", "", true));
            settle(&mut w);
            assert_eq!(held(&w, "a"), ["m1"], "a has it (quorum: {a_quorum})");
            assert!(held(&w, "b").is_empty(), "b cannot commit: B2 is alone");
            assert!(
                w.protocol.ledger.journeys[0].safe.is_none(),
                "no basic.ack while b has not committed (quorum a: {a_quorum})"
            );
            assert_eq!(w.protocol.producers[&P].awaiting.len(), 1);
            fault(&mut w, Fault::Heal);
            op(&mut w, publish_op("fan", "", true));
            settle(&mut w);
            assert_eq!(held(&w, "b"), ["m1→b", "m2→b"]);
            assert!(w.protocol.ledger.journeys.iter().all(|j| j.safe.is_some()));
            assert!(w.protocol.producers[&P].awaiting.is_empty());
            assert!(w.protocol.unconfirmed.is_empty());
        }
    }

    #[test]
    fn tx_commit_ok_waits_until_every_quorum_queue_has_committed_the_transaction() {
        let mut w = fan_world(PublishMode::Tx, true);
        op(&mut w, publish_op("fan", "", true));
        settle(&mut w);
        op(&mut w, RabbitOp::TxCommit { producer: P });
        settle(&mut w);
        assert_eq!(held(&w, "a"), ["m1"]);
        assert!(
            w.protocol.ledger.journeys[0].safe.is_none(),
            "no tx.commit-ok while b has not committed"
        );
        assert!(w.protocol.committing.contains_key(&P));
        fault(&mut w, Fault::Heal);
        op(&mut w, publish_op("fan", "", true));
        settle(&mut w);
        op(&mut w, RabbitOp::TxCommit { producer: P });
        settle(&mut w);
        assert!(w.protocol.committing.is_empty());
        assert!(w.protocol.ledger.journeys.iter().all(|j| j.safe.is_some()));
    }

    #[test]
    fn a_vote_goes_once_per_term_to_a_candidate_whose_log_is_at_least_as_up_to_date() {
        assert!(up_to_date((2, 1), (1, 5)), "a later last term wins");
        assert!(up_to_date((1, 3), (1, 3)));
        assert!(!up_to_date((1, 2), (1, 3)), "same term, shorter log");
        assert!(!up_to_date((1, 9), (2, 1)));
    }

    #[test]
    fn a_failover_requeues_unacknowledged_deliveries_flagged() {
        let mut s = setup(PublishMode::Confirms, vec![consumer(C1, "a", false)]);
        s.queues[0].mirrored = true;
        s.consumers[0].broker = B2;
        let mut w = world(&s);
        publish(&mut w, "direct", "a", true, 1);
        op(&mut w, RabbitOp::Process { consumer: C1 });
        fault(&mut w, Fault::Crash { node: B1 });
        settle(&mut w);
        let again = &w.protocol.consumers[&C1].prefetched;
        assert_eq!(again.len(), 1);
        assert!(again[0].redelivered);
        process_all(&mut w, C1);
        assert_eq!(broken(&w), [ONCE]);
    }

    #[test]
    fn prefetch_limits_unacknowledged_deliveries() {
        let mut spec = consumer(C1, "a", false);
        spec.prefetch = 2;
        let mut w = world(&setup(PublishMode::Confirms, vec![spec]));
        publish(&mut w, "direct", "a", true, 5);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 2);
        op(&mut w, RabbitOp::Process { consumer: C1 });
        settle(&mut w);
        assert_eq!(
            w.protocol.consumers[&C1].prefetched.len(),
            1,
            "processed but not acknowledged still counts"
        );
        ack(&mut w, C1);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 2);
        // Auto-ack ignores the prefetch.
        op(
            &mut w,
            RabbitOp::SetAutoAck {
                consumer: C1,
                auto_ack: true,
            },
        );
        op(&mut w, RabbitOp::Disconnect { consumer: C1 });
        op(&mut w, RabbitOp::Connect { consumer: C1 });
        settle(&mut w);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 4);
    }

    #[test]
    fn two_consumers_share_a_queue_round_robin() {
        let mut w = world(&setup(
            PublishMode::Confirms,
            vec![consumer(C1, "a", true), consumer(C2, "a", true)],
        ));
        publish(&mut w, "direct", "a", true, 4);
        assert_eq!(w.protocol.consumers[&C1].prefetched.len(), 2);
        assert_eq!(w.protocol.consumers[&C2].prefetched.len(), 2);
        assert_eq!(process_all(&mut w, C1) + process_all(&mut w, C2), 4);
        assert_eq!(places(&w), [Place::Acknowledged; 4]);
    }

    #[test]
    fn ack_on_process_and_set_confirms_change_behaviour_mid_run() {
        let mut spec = consumer(C1, "a", false);
        spec.ack_on_process = true;
        let mut w = world(&setup(PublishMode::None, vec![spec]));
        op(
            &mut w,
            RabbitOp::SetConfirms {
                producer: P,
                mode: PublishMode::Confirms,
            },
        );
        op(&mut w, publish_op("direct", "a", true));
        assert!(
            w.protocol.ledger.journeys[0].safe.is_none(),
            "waiting for the confirm"
        );
        settle(&mut w);
        assert!(w.protocol.ledger.journeys[0].safe.is_some());
        process_all(&mut w, C1);
        assert_eq!(places(&w), [Place::Acknowledged]);
    }

    #[test]
    fn invalid_set_ups_and_ops_are_refused_with_a_message() {
        let mut s = setup(PublishMode::None, vec![consumer(C1, "nowhere", false)]);
        assert!(RabbitLab::new(&s).is_err());
        s.consumers[0].queue = "a".into();
        s.consumers[0].prefetch = MAX_PREFETCH + 1;
        assert!(RabbitLab::new(&s).is_err());
        s.consumers[0].prefetch = 0;
        s.queues[0].home = P;
        assert!(RabbitLab::new(&s).is_err());
        s.queues[0].home = B1;
        s.queues[0].dead_letter_exchange = Some("missing".into());
        assert!(RabbitLab::new(&s).is_err());
        s.queues[0].dead_letter_exchange = None;
        s.exchanges[0].bindings[0].queue = "zzz".into();
        assert!(RabbitLab::new(&s).is_err());
        s.exchanges[0].bindings[0].queue = "a".into();
        let w = world(&s);
        let nodes = &w.nodes;
        assert!(w
            .protocol
            .check_op(&publish_op("nope", "a", true), nodes)
            .is_err());
        assert!(w
            .protocol
            .check_op(&RabbitOp::TxCommit { producer: P }, nodes)
            .is_err());
        assert!(w
            .protocol
            .check_op(&RabbitOp::Process { consumer: P }, nodes)
            .is_err());
        assert!(w
            .protocol
            .check_op(&publish_op("", "a", true), nodes)
            .is_ok());
    }

    #[test]
    fn ops_serialise_externally_tagged() {
        let json = serde_json::to_string(&RabbitOp::Nack {
            consumer: 3,
            requeue: true,
        })
        .unwrap();
        assert_eq!(json, r#"{"nack":{"consumer":3,"requeue":true}}"#);
        let back: RabbitOp = serde_json::from_str(&json).unwrap();
        assert_eq!(
            back,
            RabbitOp::Nack {
                consumer: 3,
                requeue: true
            }
        );
    }

    #[derive(Clone, Debug)]
    enum Step {
        Publish,
        Process,
        Ack,
        Deliver,
        Crash(NodeId),
        Restart(NodeId),
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        prop_oneof![
            3 => Just(Step::Publish),
            3 => Just(Step::Process),
            2 => Just(Step::Ack),
            6 => Just(Step::Deliver),
            1 => prop_oneof![Just(B1), Just(B2), Just(C1)].prop_map(Step::Crash),
            1 => prop_oneof![Just(B1), Just(B2), Just(C1)].prop_map(Step::Restart),
        ]
    }

    proptest! {
        #[test]
        fn confirmed_persistent_messages_on_a_durable_queue_survive_any_broker_crashes(
            steps in prop::collection::vec(step_strategy(), 1..60),
            quorum in any::<bool>(),
        ) {
            // A plain queue, or a quorum queue over B1 and B2 (classic mirrors can lose confirmed
            // messages when an unsynchronised mirror is promoted, so they are not tried here).
            let mut s = setup(PublishMode::Confirms, vec![consumer(C1, "a", false)]);
            s.queues[0].quorum = quorum;
            s.consumers[0].broker = B2;
            let mut w = world(&s);
            for step in steps {
                let action = match step {
                    Step::Publish => Action::Op { op: publish_op("direct", "a", true) },
                    Step::Process => Action::Op { op: RabbitOp::Process { consumer: C1 } },
                    Step::Ack => Action::Op { op: RabbitOp::Ack { consumer: C1 } },
                    Step::Deliver => w.next_due().unwrap_or(Action::Wait { ms: 1 }),
                    Step::Crash(n) => Action::Fault { fault: Fault::Crash { node: n } },
                    Step::Restart(n) => Action::Fault { fault: Fault::Restart { node: n } },
                };
                w.apply(&action, &mut Vec::new());
            }
            for n in [B1, B2, C1] {
                fault(&mut w, Fault::Restart { node: n });
            }
            settle(&mut w);
            // A consumer cancelled (basic.cancel) when the queue's node went down consumes again.
            if !w.protocol.consumers[&C1].connected {
                op(&mut w, RabbitOp::Connect { consumer: C1 });
            }
            for _ in 0..200 {
                op(&mut w, RabbitOp::Process { consumer: C1 });
                op(&mut w, RabbitOp::Ack { consumer: C1 });
                settle(&mut w);
            }
            prop_assert!(!broken(&w).contains(&NO_LOSS.to_string()));
            for j in &w.protocol.ledger.journeys {
                if j.safe.is_some() {
                    prop_assert_eq!(j.place, Place::Acknowledged, "{} was confirmed and ended {:?}", j.label, j.place);
                }
            }
        }
    }
}
