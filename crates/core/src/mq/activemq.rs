//! The ActiveMQ deployment lab (seed 001 sections 6 and 7, seed 002 "集群"): how brokers are put
//! together, and what each arrangement loses or keeps when a broker goes down.
//!
//! A *group* is one logical broker: a master and its slaves. Three kinds of store decide who the
//! master is and what a new master knows:
//! - [`StoreKind::Own`]: a lone broker with its own disk (KahaDB); a restart reloads it.
//! - [`StoreKind::Shared`]: every broker of the group uses one store (a shared file system or a
//!   database). The broker holding the store's exclusive lock is the master; the others poll for
//!   the lock and do not accept connections. When the master dies its lock is released, and the
//!   first slave to poll takes it and loads the store: persistent messages survive, messages the
//!   old master held only in memory (non-persistent ones) are gone.
//! - [`StoreKind::Replicated`]: Replicated LevelDB. Each broker has its own log; the master sends
//!   every write to its slaves and confirms a persistent send only once a quorum of the group
//!   (`n/2 + 1` brokers, itself included) has it. When the master dies, ZooKeeper elects the most
//!   up-to-date of the live brokers, and only if a quorum of them is up; otherwise the group
//!   serves nobody until enough brokers return.
//!
//! Groups can be joined by *network connectors* (a network of brokers): a broker forwards a queue's
//! messages to a bridged broker on which consumers of that queue are connected (demand
//! forwarding), round-robin with its own consumers, up to the bridge's prefetch. A connector is
//! one-way: the `<networkConnector>` in broker A's configuration makes A forward to B, never B to
//! A, unless it says `duplex="true"` (ActiveMQ's "Networks of Brokers" page; `NetworkConnector`'s
//! `duplex` is false by default, and `DemandForwardingBridgeSupport` only subscribes the local
//! broker on behalf of the remote one's consumers). Each [`Connector`] names its direction. A forwarded
//! message carries the path of brokers it passed (`brokerPath`), and a broker does not send a
//! message back to a broker it came from (networkTTL 1). That is the failure of seed 001 section 6:
//! broker 1 pulled messages from broker 2 for its consumers, broker 1 restarts, its consumers fail
//! over to broker 2, and the messages forwarded to broker 1 are stranded there: not lost, but no
//! consumer will ever see them unless one connects to broker 1. The remedy is
//! `replayWhenNoConsumers="true"` on the destination policy: a broker with no consumer of its own
//! may send a message back the way it came.
//!
//! Clients connect with the failover transport, `failover:(tcp://B1,tcp://B2)?randomize=false`:
//! when the connection breaks they try the listed brokers in order (a slave refuses; it has no
//! transport connector running), back off between rounds, and on reconnecting resend every send
//! still waiting for its receipt; the broker drops a resend it already stored (its duplicate
//! detection). A plain `tcp://` client stays disconnected, and its sends fail with an exception.
//!
//! Modelled after ActiveMQ 5.x: persistent messages are sent synchronously (the producer waits for
//! the broker's receipt), non-persistent ones asynchronously; consumers acknowledge automatically
//! after processing (AUTO_ACKNOWLEDGE) and have a prefetch window.
//!
//! A network connector's bridge is a connection like a client's: when a message on it is lost (a
//! partition, a dropped message), the connector tears the bridge down, puts back what it had
//! forwarded unacknowledged, and reconnects with `SimpleDiscoveryAgent`'s backoff while the
//! messages wait on their broker ([`Bridge`]). A client whose message is lost loses its
//! connection, and its failover transport reconnects.
//!
//! Simplified: brokers notice a crashed peer or client, and a lost message, at once (ActiveMQ
//! notices a failed write at once, a silent peer through its inactivity monitor, 30 s by
//! default); a bridge to a crashed broker is back as soon as that broker restarts (ActiveMQ
//! reconnects it with the same backoff); a client's failover transport cannot see a partition
//! when it connects (a broker that is up and master accepts it, and the first message lost
//! breaks the connection again); the slaves poll for the shared lock every [`LOCK_POLL`] ms (ActiveMQ's
//! `lockAcquireSleepInterval` is 10 s) and ZooKeeper elects after [`ELECTION_DELAY`] ms; a
//! forwarding broker is acknowledged as soon as the receiving master has stored the message; a
//! new master does not know which of its messages were delivered before, so it does not flag them
//! redelivered; acknowledgements are replicated without waiting for a quorum.

use alloc::collections::{BTreeMap, BTreeSet, VecDeque};
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::ledger::{Assurance, EntryId, Ledger, Place};
use crate::kernel::{
    bounds, Ctx, Envelope, LinkConfig, LossReason, NodeId, NodeState, Protocol, Severity, Time,
    TimerId, Violation, World,
};
use crate::scenario::{InvariantInfo, Lab, LabInfo, Scenario, StaticText, Topic};
use crate::text::Text;

/// How often a slave tries to take the shared store's lock, in milliseconds.
pub const LOCK_POLL: Time = 100;
/// ActiveMQ's default for the same: the locker's `lockAcquireSleepInterval`, 10 s (ActiveMQ's
/// "Pluggable storage lockers" page).
pub const REAL_LOCK_POLL: Time = 10_000;
/// How long ZooKeeper takes to notice a dead master and elect another, in milliseconds.
pub const ELECTION_DELAY: Time = 100;
/// What it takes in ActiveMQ: the dead master's ZooKeeper session must expire first, and the
/// Replicated LevelDB store's `zkSessionTimeout` is 2 s by default (its documentation page).
pub const REAL_ELECTION_DELAY: Time = 2_000;
/// The failover transport's first reconnect delay (`initialReconnectDelay`), in milliseconds; it
/// doubles after each round that finds no broker, up to [`MAX_RECONNECT_DELAY`].
pub const RECONNECT_DELAY: Time = 10;
pub const MAX_RECONNECT_DELAY: Time = 320;
/// The failover transport's real `maxReconnectDelay`, 30 s by default (ActiveMQ's "Failover
/// Transport Reference"; `initialReconnectDelay` is 10 ms there too, doubling each round).
pub const REAL_MAX_RECONNECT_DELAY: Time = 30_000;
/// How long a network connector waits before it reconnects a bridge whose connection broke, in
/// milliseconds; each attempt that fails doubles the wait, up to [`MAX_NETWORK_RECONNECT_DELAY`].
/// The lab compresses ActiveMQ's defaults tenfold.
pub const NETWORK_RECONNECT_DELAY: Time = 100;
pub const MAX_NETWORK_RECONNECT_DELAY: Time = 3_000;
/// ActiveMQ's defaults for the same: a `static:(...)` network connector is discovered by
/// `SimpleDiscoveryAgent`, whose `initialReconnectDelay` is 1000 ms, `maxReconnectDelay` 30000 ms,
/// `useExponentialBackOff` true and `backOffMultiplier` 2 (the fields of
/// `org.apache.activemq.transport.discovery.simple.SimpleDiscoveryAgent`; the "Static Transport
/// Reference" page lists the same options).
pub const REAL_NETWORK_RECONNECT_DELAY: Time = 1_000;
pub const REAL_MAX_NETWORK_RECONNECT_DELAY: Time = 30_000;
pub const MAX_NODES: usize = 12;
pub const MAX_PREFETCH: u32 = 1000;
/// The most broker groups and network connectors a set-up may have (every node a broker of its
/// own group, and a connector between every two of them).
pub const MAX_GROUPS: usize = MAX_NODES;
pub const MAX_CONNECTORS: usize = MAX_NODES * (MAX_NODES - 1) / 2;

/// The lab's invariants besides the ledger's.
pub const STRANDED: &str = "amq.no-stranded";
pub const AVAILABLE: &str = "amq.master-available";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Producer,
    Broker,
    Consumer,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct NodeSpec {
    pub name: String,
    pub role: Role,
}

/// Where a group keeps its persistent messages, which decides who its master is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum StoreKind {
    /// One broker with its own disk.
    Own,
    /// One store for all brokers of the group; its exclusive lock decides the master.
    Shared,
    /// Replicated LevelDB: a log on every broker, writes confirmed after a quorum has them.
    Replicated,
}

/// A `<networkConnector>` in the configuration of group `from`'s brokers, naming group `to`'s
/// brokers in its URI: `from` forwards messages to `to` when `to` has consumers for them. The
/// other way only if `duplex` (false by default, as in ActiveMQ: `NetworkConnector.setDuplex`).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Connector {
    pub from: usize,
    pub to: usize,
    #[serde(default)]
    pub duplex: bool,
}

impl Connector {
    /// A one-way connector: `from` forwards to `to`.
    pub const fn one_way(from: usize, to: usize) -> Connector {
        Connector {
            from,
            to,
            duplex: false,
        }
    }

    /// A duplex connector between `a` (whose configuration holds it) and `b`.
    pub const fn duplex(a: usize, b: usize) -> Connector {
        Connector {
            from: a,
            to: b,
            duplex: true,
        }
    }

    /// Does this connector carry messages from group `g` to group `h`?
    pub fn carries(&self, g: usize, h: usize) -> bool {
        (self.from == g && self.to == h) || (self.duplex && self.from == h && self.to == g)
    }
}

/// A logical broker: a master and its slaves.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct GroupSpec {
    pub name: String,
    /// Its brokers; the first starts as master.
    pub brokers: Vec<NodeId>,
    pub store: StoreKind,
}

/// A producer's or consumer's connection settings.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClientSpec {
    pub node: NodeId,
    /// The brokers in its connection URI, in order.
    pub uris: Vec<NodeId>,
    /// `failover:(...)` rather than a plain `tcp://` URI.
    #[serde(default = "yes")]
    pub failover: bool,
    /// The queue a consumer reads; empty for a producer.
    #[serde(default)]
    pub queue: String,
    /// A consumer's prefetch window.
    #[serde(default = "one")]
    pub prefetch: u32,
}

fn yes() -> bool {
    true
}

fn is_zero(n: &u32) -> bool {
    *n == 0
}

fn one() -> u32 {
    1
}

fn network_prefetch() -> u32 {
    MAX_PREFETCH
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmqSetup {
    pub nodes: Vec<NodeSpec>,
    pub groups: Vec<GroupSpec>,
    /// Network connectors between groups (indexes into `groups`), each one-way unless duplex.
    #[serde(default)]
    pub bridges: Vec<Connector>,
    /// `replayWhenNoConsumers`: a broker without consumers may send a message back the way it came.
    #[serde(default)]
    pub replay_when_no_consumers: bool,
    /// The destination's duplicate audit (`enableAudit`, on by default): a message id the broker
    /// has seen before is dropped as a duplicate, which also drops a message replayed back to a
    /// broker it once left. ActiveMQ's documentation pairs replay with `enableAudit="false"`.
    #[serde(default = "yes")]
    pub enable_audit: bool,
    /// The network connector's `prefetchSize`: how many messages a bridge may have unacknowledged.
    #[serde(default = "network_prefetch")]
    pub network_prefetch: u32,
    pub producers: Vec<ClientSpec>,
    pub consumers: Vec<ClientSpec>,
    #[serde(default)]
    pub link: Option<LinkConfig>,
}

fn bad(en: String, zh: String) -> Text {
    Text::new(en, zh)
}

impl AmqSetup {
    fn role_of(&self, n: NodeId) -> Option<Role> {
        self.nodes.get(usize::from(n)).map(|s| s.role)
    }

    /// The sizes a file could make absurd, checked before anything loops over them
    /// ([`crate::kernel::bounds`]): the link, the number of groups, connectors and URIs, and
    /// every name.
    fn check_bounds(&self) -> Result<(), Text> {
        if let Some(link) = &self.link {
            link.check()?;
        }
        bounds::count(
            ("broker groups", "Broker 组"),
            self.groups.len() as u64,
            MAX_GROUPS as u64,
        )?;
        bounds::count(
            ("network connectors", "网络连接器"),
            self.bridges.len() as u64,
            MAX_CONNECTORS as u64,
        )?;
        for n in &self.nodes {
            bounds::name(("a node's name", "节点名"), &n.name)?;
        }
        for g in &self.groups {
            bounds::name(("a group's name", "组名"), &g.name)?;
            bounds::count(
                ("brokers in a group", "组内 Broker"),
                g.brokers.len() as u64,
                MAX_NODES as u64,
            )?;
        }
        for c in self.producers.iter().chain(&self.consumers) {
            bounds::count(
                ("brokers in a client's URI", "客户端地址里的 Broker"),
                c.uris.len() as u64,
                MAX_NODES as u64,
            )?;
            bounds::name(("a queue's name", "队列名"), &c.queue)?;
        }
        bounds::count(
            ("clients", "客户端"),
            (self.producers.len() + self.consumers.len()) as u64,
            MAX_NODES as u64,
        )
    }

    pub fn validate(&self) -> Result<(), Text> {
        if self.nodes.is_empty() || self.nodes.len() > MAX_NODES {
            return Err(bad(
                format!("A set-up needs 1 to {MAX_NODES} nodes."),
                format!("需要 1 到 {MAX_NODES} 个节点。"),
            ));
        }
        self.check_bounds()?;
        let mut grouped = BTreeSet::new();
        for g in &self.groups {
            if g.brokers.is_empty() {
                return Err(bad(
                    format!("Group {} has no broker.", g.name),
                    format!("组 {} 没有 Broker。", g.name),
                ));
            }
            if g.store == StoreKind::Own && g.brokers.len() != 1 {
                return Err(bad(
                    format!(
                        "Group {} has its own store, so it has exactly one broker.",
                        g.name
                    ),
                    format!("组 {} 使用独立存储，只能有一个 Broker。", g.name),
                ));
            }
            for &b in &g.brokers {
                if self.role_of(b) != Some(Role::Broker) {
                    return Err(bad(
                        format!("Node {b} of group {} is not a broker.", g.name),
                        format!("组 {} 的节点 {b} 不是 Broker。", g.name),
                    ));
                }
                if !grouped.insert(b) {
                    return Err(bad(
                        format!("Broker {b} is in two groups."),
                        format!("Broker {b} 属于两个组。"),
                    ));
                }
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if n.role == Role::Broker && !grouped.contains(&(i as NodeId)) {
                return Err(bad(
                    format!("Broker {} is in no group.", n.name),
                    format!("Broker {} 不属于任何组。", n.name),
                ));
            }
        }
        for (i, c) in self.bridges.iter().enumerate() {
            let (a, b) = (c.from, c.to);
            if a == b || a >= self.groups.len() || b >= self.groups.len() {
                return Err(bad(
                    format!("A network connector must join two different groups ({a}, {b})."),
                    format!("网络连接器必须连接两个不同的组（{a}, {b}）。"),
                ));
            }
            if self.bridges[..i]
                .iter()
                .any(|d| d.carries(a, b) || (c.duplex && d.carries(b, a)))
            {
                return Err(bad(
                    format!(
                        "Two network connectors carry messages the same way between groups {a} and {b}."
                    ),
                    format!("组 {a} 与组 {b} 之间有两个同方向的网络连接器。"),
                ));
            }
        }
        if self.network_prefetch == 0 || self.network_prefetch > MAX_PREFETCH {
            return Err(bad(
                format!("The network prefetch must be 1 to {MAX_PREFETCH}."),
                format!("网络预取必须在 1 到 {MAX_PREFETCH} 之间。"),
            ));
        }
        let clients = self
            .producers
            .iter()
            .map(|c| (c, Role::Producer))
            .chain(self.consumers.iter().map(|c| (c, Role::Consumer)));
        let mut seen = BTreeSet::new();
        for (c, role) in clients {
            if self.role_of(c.node) != Some(role) || !seen.insert(c.node) {
                return Err(bad(
                    format!("Client {} is not a distinct node of its role.", c.node),
                    format!("客户端 {} 不是对应角色的唯一节点。", c.node),
                ));
            }
            if c.uris.is_empty()
                || c.uris
                    .iter()
                    .any(|&u| self.role_of(u) != Some(Role::Broker))
            {
                return Err(bad(
                    format!("Client {} must list one or more brokers.", c.node),
                    format!("客户端 {} 必须列出至少一个 Broker。", c.node),
                ));
            }
            if role == Role::Consumer
                && (c.queue.is_empty() || c.prefetch == 0 || c.prefetch > MAX_PREFETCH)
            {
                return Err(bad(
                    format!(
                        "Consumer {} needs a queue and a prefetch of 1 to {MAX_PREFETCH}.",
                        c.node
                    ),
                    format!(
                        "消费者 {} 需要一个队列，预取在 1 到 {MAX_PREFETCH} 之间。",
                        c.node
                    ),
                ));
            }
        }
        Ok(())
    }
}

/// A message with what this lab needs of its headers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AmqMessage {
    pub entry: EntryId,
    pub label: String,
    pub queue: String,
    pub persistent: bool,
    /// JMSRedelivered.
    #[serde(default)]
    pub redelivered: bool,
    /// The groups it has been forwarded from, oldest first (ActiveMQ's `brokerPath`).
    #[serde(default)]
    pub path: Vec<usize>,
}

/// Where a broker has sent a message that is not acknowledged yet.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Target {
    Consumer(NodeId),
    /// Over the network connector to another group.
    Bridge(usize),
}

/// A message in a master's queue.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Held {
    pub message: AmqMessage,
    pub sent_to: Option<Target>,
}

/// One record of a store: the journal of adds and removes.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    Add(AmqMessage),
    Remove(EntryId),
}

/// The messages a journal still holds, in order.
pub fn stored(records: &[Record]) -> Vec<&AmqMessage> {
    let mut out: Vec<&AmqMessage> = Vec::new();
    for r in records {
        match r {
            Record::Add(m) => {
                if !out.iter().any(|o| o.entry == m.entry) {
                    out.push(m);
                }
            }
            Record::Remove(e) => out.retain(|o| o.entry != *e),
        }
    }
    out
}

/// A group's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Group {
    pub spec: GroupSpec,
    /// The broker serving clients, if any.
    pub master: Option<NodeId>,
    /// The master's queues (memory), persistent and non-persistent messages alike.
    pub queues: BTreeMap<String, Vec<Held>>,
    /// The shared store's journal (shared store only).
    pub shared: Vec<Record>,
    /// Who holds the shared store's lock.
    pub lock: Option<NodeId>,
    /// Replicated: the log length each slave has confirmed to the master.
    pub confirmed: BTreeMap<NodeId, usize>,
    /// Replicated: persistent sends waiting for a quorum: (log position, producer, entry).
    pub waiting: Vec<(usize, NodeId, EntryId)>,
    /// Pending lock polls or election timers while the group has no master.
    pub timers: Vec<TimerId>,
    /// Replicated: how many masters the group has had; a log written or synced under a later
    /// master is more up to date than a longer log of an earlier one.
    pub epoch: u32,
    next_target: usize,
}

impl Group {
    /// How many brokers make a quorum of this group.
    pub fn quorum(&self) -> usize {
        self.spec.brokers.len() / 2 + 1
    }
}

/// A client's state.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Client {
    pub spec: ClientSpec,
    pub connected: Option<NodeId>,
    /// The failover transport is trying to reconnect.
    pub reconnecting: bool,
    /// The delay before the next round of reconnect attempts.
    pub backoff: Time,
    /// Producer: sent and waiting for a receipt.
    pub awaiting: Vec<AmqMessage>,
    /// Producer: held by the failover transport until it reconnects.
    pub buffered: Vec<AmqMessage>,
    /// Consumer: delivered, not yet processed.
    pub prefetched: VecDeque<AmqMessage>,
    /// Consumer: labels it has processed.
    pub processed: Vec<String>,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmqOp {
    /// `producer.send(queue, message)`; persistent sends wait for the broker's receipt.
    Send {
        producer: NodeId,
        queue: String,
        #[serde(default = "yes")]
        persistent: bool,
    },
    /// The consumer's application receives and processes its next message; AUTO_ACKNOWLEDGE
    /// sends the acknowledgement.
    Process { consumer: NodeId },
    /// Turns `replayWhenNoConsumers` on or off.
    SetReplay { on: bool },
    /// Turns the destination's duplicate audit (`enableAudit`) on or off.
    SetAudit { on: bool },
    /// Switches a client between the failover transport and a plain `tcp://` URI.
    SetFailover { client: NodeId, on: bool },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmqMsg {
    Send(AmqMessage),
    Receipt {
        entry: EntryId,
    },
    Dispatch(AmqMessage),
    Ack {
        entry: EntryId,
    },
    /// A network connector forwards a message to the master of another group, over its bridge's
    /// connection number `connection`.
    Forward {
        from: usize,
        message: AmqMessage,
        #[serde(default, skip_serializing_if = "is_zero")]
        connection: u32,
    },
    ForwardAck {
        entry: EntryId,
        #[serde(default, skip_serializing_if = "is_zero")]
        connection: u32,
    },
    /// A network connector opens a new connection for its bridge to the master of the other
    /// group (the `BrokerInfo` exchange that starts a `DemandForwardingBridge`).
    BridgeConnect {
        connector: usize,
        connection: u32,
    },
    /// The master's write to a slave's log, at `index`.
    Replicate {
        index: usize,
        record: Record,
    },
    /// The slave's log now has `len` records.
    Replicated {
        len: usize,
    },
    /// The master's whole log, for a slave that comes back.
    Sync {
        records: Vec<Record>,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmqTimer {
    Reconnect,
    /// A network connector tries to connect its bridge again.
    BridgeReconnect {
        connector: usize,
    },
    LockPoll {
        group: usize,
    },
    Elect {
        group: usize,
    },
}

/// Why a client could not connect to a broker.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Refusal {
    Down,
    /// A slave: no transport connector runs until it becomes master.
    Slave,
    /// A partition separates the client from the broker: the TCP connect fails (times out), and
    /// the failover transport backs off as for a broker that is down (`FailoverTransport.doReconnect`).
    Unreachable,
}

#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AmqNote {
    Connected {
        client: NodeId,
        broker: NodeId,
    },
    /// One round of the failover transport found no broker; it tries again after `retry_in`.
    NoBroker {
        client: NodeId,
        tried: Vec<(NodeId, Refusal)>,
        retry_in: Option<Time>,
    },
    ConnectionLost {
        client: NodeId,
        broker: NodeId,
    },
    /// The failover transport keeps a send until it reconnects.
    Buffered {
        producer: NodeId,
        label: String,
    },
    /// A plain `tcp://` send without a connection throws.
    SendFailed {
        producer: NodeId,
        label: String,
    },
    /// The failover transport resends what had no receipt.
    Resent {
        producer: NodeId,
        labels: Vec<String>,
    },
    Stored {
        broker: NodeId,
        label: String,
        persistent: bool,
    },
    /// A resend the broker already had.
    DuplicateDropped {
        broker: NodeId,
        label: String,
    },
    /// A replicated write waits for a quorum.
    AwaitingQuorum {
        broker: NodeId,
        label: String,
        have: usize,
        need: usize,
    },
    Confirmed {
        producer: NodeId,
        label: String,
    },
    Forwarded {
        from: NodeId,
        to: NodeId,
        label: String,
    },
    Processed {
        consumer: NodeId,
        label: String,
        redelivered: bool,
        times: u32,
    },
    /// Messages gone from memory with a crashed broker or a broken connection.
    Lost {
        labels: Vec<String>,
        why: Text,
    },
    /// Messages a crashed consumer or bridge had not acknowledged go back to the queue.
    Requeued {
        broker: NodeId,
        labels: Vec<String>,
    },
    LockTaken {
        broker: NodeId,
    },
    Elected {
        broker: NodeId,
        log: usize,
        others: Vec<(NodeId, usize)>,
    },
    NoQuorum {
        group: usize,
        up: usize,
        need: usize,
    },
    /// A new master loaded the messages of its store.
    Loaded {
        broker: NodeId,
        labels: Vec<String>,
    },
    /// A broker became a slave (of a shared store, or of a replicated group).
    Slave {
        broker: NodeId,
        master: Option<NodeId>,
    },
    Synced {
        slave: NodeId,
        records: usize,
        dropped: Vec<String>,
    },
    /// A network connector's bridge lost its connection (a message on it was lost): it tears the
    /// bridge down and connects again after `retry_in` (none while the broker running the
    /// connector is down).
    BridgeFailed {
        from: usize,
        to: usize,
        retry_in: Option<Time>,
    },
    /// A network connector could not reach the other group's master; it tries again after
    /// `retry_in`, a longer wait each time.
    BridgeRetry {
        from: usize,
        to: usize,
        retry_in: Time,
    },
    /// A network connector's bridge is connected again.
    BridgeConnected {
        from: usize,
        to: usize,
    },
    ReplaySet {
        on: bool,
    },
    AuditSet {
        on: bool,
    },
    FailoverSet {
        client: NodeId,
        on: bool,
    },
}

/// The bridge of one network connector: the connection over which it forwards messages.
///
/// ActiveMQ's `DiscoveryNetworkConnector` opens the bridge's connection when its discovery agent
/// (`SimpleDiscoveryAgent` for `static:(...)` URIs) reports the remote broker
/// (`onServiceAdd`). When the connection fails, the `DemandForwardingBridge` stops
/// (`serviceRemoteException`) and reports it to the agent (`serviceFailed`), which waits and
/// reports the broker again: `initialReconnectDelay` after a connection that had been up,
/// `backOffMultiplier` times longer after each attempt that failed at once, up to
/// `maxReconnectDelay` (`SimpleDiscoveryAgent.serviceFailed`). While the bridge is down the
/// messages wait on their broker; the ones it had forwarded without an acknowledgement go back
/// to the queue when it stops, as a closed consumer's do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bridge {
    /// Connected: messages may be forwarded over it.
    pub up: bool,
    /// Which connection it is (0 for the first): a message sent on an earlier connection, which
    /// has closed since, never arrives.
    pub connection: u32,
    /// The wait after the next attempt that fails.
    pub backoff: Time,
    /// When the next attempt is due, while the bridge is down and an attempt is scheduled.
    pub retry_at: Option<Time>,
}

#[derive(Clone, Debug, PartialEq)]
pub struct AmqLab {
    pub setup: AmqSetup,
    pub groups: Vec<Group>,
    /// The bridge of each network connector, in the order of `setup.bridges`.
    pub links: Vec<Bridge>,
    /// Each broker's own disk (own and replicated stores).
    pub disks: BTreeMap<NodeId, Vec<Record>>,
    /// The epoch of the master that last wrote to each replicated broker's log.
    pub epochs: BTreeMap<NodeId, u32>,
    pub producers: BTreeMap<NodeId, Client>,
    pub consumers: BTreeMap<NodeId, Client>,
    pub ledger: Ledger,
    created: u32,
}

fn labels<'a>(messages: impl IntoIterator<Item = &'a AmqMessage>) -> Vec<String> {
    messages.into_iter().map(|m| m.label.clone()).collect()
}

impl AmqLab {
    pub fn new(setup: &AmqSetup) -> Result<AmqLab, Text> {
        setup.validate()?;
        let groups = setup
            .groups
            .iter()
            .map(|g| Group {
                spec: g.clone(),
                master: g.brokers.first().copied(),
                queues: BTreeMap::new(),
                shared: Vec::new(),
                lock: match g.store {
                    StoreKind::Shared => g.brokers.first().copied(),
                    _ => None,
                },
                confirmed: BTreeMap::new(),
                waiting: Vec::new(),
                timers: Vec::new(),
                epoch: 1,
                next_target: 0,
            })
            .collect();
        let disks: BTreeMap<NodeId, Vec<Record>> = setup
            .groups
            .iter()
            .filter(|g| g.store != StoreKind::Shared)
            .flat_map(|g| g.brokers.iter().map(|&b| (b, Vec::new())))
            .collect();
        let client = |c: &ClientSpec| {
            // Every client starts connected to the first broker of its list, which the set-ups
            // make a master.
            (
                c.node,
                Client {
                    spec: c.clone(),
                    connected: c.uris.first().copied(),
                    reconnecting: false,
                    backoff: RECONNECT_DELAY,
                    awaiting: Vec::new(),
                    buffered: Vec::new(),
                    prefetched: VecDeque::new(),
                    processed: Vec::new(),
                },
            )
        };
        let epochs = disks.keys().map(|&b| (b, 1)).collect();
        let links = setup
            .bridges
            .iter()
            .map(|_| Bridge {
                up: true,
                connection: 0,
                backoff: NETWORK_RECONNECT_DELAY,
                retry_at: None,
            })
            .collect();
        let lab = AmqLab {
            setup: setup.clone(),
            groups,
            links,
            disks,
            epochs,
            producers: setup.producers.iter().map(client).collect(),
            consumers: setup.consumers.iter().map(client).collect(),
            ledger: Ledger::new(),
            created: 0,
        };
        for c in lab.producers.values().chain(lab.consumers.values()) {
            if let Some(b) = c.connected {
                if !lab.is_master(b) {
                    return Err(bad(
                        format!("Client {} must list a master first.", c.spec.node),
                        format!("客户端 {} 的第一个地址必须是主节点。", c.spec.node),
                    ));
                }
            }
        }
        Ok(lab)
    }

    pub fn world(setup: &AmqSetup, seed: u64) -> Result<World<AmqLab>, Text> {
        let lab = AmqLab::new(setup)?;
        let names: Vec<&str> = setup.nodes.iter().map(|n| n.name.as_str()).collect();
        Ok(World::new(
            lab,
            &names,
            super::client_link(setup.link),
            seed,
        ))
    }

    pub fn name(&self, node: NodeId) -> &str {
        self.setup
            .nodes
            .get(usize::from(node))
            .map_or("?", |n| n.name.as_str())
    }

    /// The group a broker belongs to.
    pub fn group_of(&self, broker: NodeId) -> Option<usize> {
        self.groups
            .iter()
            .position(|g| g.spec.brokers.contains(&broker))
    }

    pub fn is_master(&self, broker: NodeId) -> bool {
        self.group_of(broker)
            .is_some_and(|g| self.groups[g].master == Some(broker))
    }

    /// The journal a group's master reads and writes.
    pub fn journal(&self, g: usize) -> &[Record] {
        let group = &self.groups[g];
        match group.spec.store {
            StoreKind::Shared => &group.shared,
            _ => group
                .master
                .and_then(|m| self.disks.get(&m))
                .map_or(&[], |d| d.as_slice()),
        }
    }

    /// The consumers of `queue` connected to the master of group `g`.
    pub fn local_consumers(&self, g: usize, queue: &str) -> Vec<NodeId> {
        let Some(master) = self.groups[g].master else {
            return Vec::new();
        };
        self.consumers
            .values()
            .filter(|c| c.connected == Some(master) && c.spec.queue == queue)
            .map(|c| c.spec.node)
            .collect()
    }

    /// The groups joined to `g` by a network connector, whichever way it carries messages.
    pub fn bridged(&self, g: usize) -> Vec<usize> {
        self.setup
            .bridges
            .iter()
            .filter_map(|c| {
                if c.from == g {
                    Some(c.to)
                } else if c.to == g {
                    Some(c.from)
                } else {
                    None
                }
            })
            .collect()
    }

    /// Does a network connector carry messages from group `g` to group `h`?
    pub fn connects(&self, g: usize, h: usize) -> bool {
        self.setup.bridges.iter().any(|c| c.carries(g, h))
    }

    /// The groups `g` may forward messages to: over a connector of its own, or a duplex one.
    pub fn forwards_to(&self, g: usize) -> Vec<usize> {
        self.bridged(g)
            .into_iter()
            .filter(|&h| self.connects(g, h))
            .collect()
    }

    /// The network connector that carries messages from group `g` to group `h`.
    pub fn connector(&self, g: usize, h: usize) -> Option<usize> {
        self.setup.bridges.iter().position(|c| c.carries(g, h))
    }

    /// Is the bridge that carries messages from `g` to `h` connected, on connection `connection`?
    fn bridge_live(&self, g: usize, h: usize, connection: Option<u32>) -> bool {
        self.connector(g, h)
            .and_then(|i| self.links.get(i))
            .is_some_and(|l| l.up && connection.is_none_or(|n| n == l.connection))
    }

    /// May group `g` forward `message` to group `h`?
    fn may_forward(&self, g: usize, h: usize, message: &AmqMessage) -> bool {
        !message.path.contains(&h)
            || (self.setup.replay_when_no_consumers
                && self.local_consumers(g, &message.queue).is_empty())
    }

    /// The messages of group `g` that wait for a consumer no one will ever connect, while consumers
    /// of their queue are connected to a bridged group.
    pub fn stranded(&self, g: usize) -> Vec<&AmqMessage> {
        let group = &self.groups[g];
        if group.master.is_none() {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (queue, held) in &group.queues {
            if !self.local_consumers(g, queue).is_empty() {
                continue;
            }
            let wanted: Vec<usize> = self
                .bridged(g)
                .into_iter()
                .filter(|&h| !self.local_consumers(h, queue).is_empty())
                .collect();
            if wanted.is_empty() {
                continue;
            }
            out.extend(
                held.iter()
                    .filter(|h| h.sent_to.is_none())
                    .filter(|h| {
                        wanted
                            .iter()
                            .all(|&w| !self.connects(g, w) || !self.may_forward(g, w, &h.message))
                    })
                    .map(|h| &h.message),
            );
        }
        out
    }

    fn place_of(message: &AmqMessage) -> Place {
        if message.persistent {
            Place::BrokerStore
        } else {
            Place::BrokerMemory
        }
    }

    /// Writes a record to group `g`'s store; for a replicated group, sends it to the slaves and
    /// returns its position in the log.
    fn persist(&mut self, g: usize, record: Record, ctx: &mut Ctx<'_, Self>) -> usize {
        let group = &mut self.groups[g];
        let Some(master) = group.master else {
            return 0;
        };
        match group.spec.store {
            StoreKind::Shared => {
                group.shared.push(record);
                group.shared.len() - 1
            }
            StoreKind::Own => {
                let disk = self.disks.entry(master).or_default();
                disk.push(record);
                disk.len() - 1
            }
            StoreKind::Replicated => {
                let disk = self.disks.entry(master).or_default();
                let index = disk.len();
                disk.push(record.clone());
                for &slave in &group.spec.brokers {
                    if slave != master && ctx.is_up(slave) {
                        ctx.send(
                            master,
                            slave,
                            AmqMsg::Replicate {
                                index,
                                record: record.clone(),
                            },
                        );
                    }
                }
                index
            }
        }
    }

    /// The log position up to which a quorum of the replicated group `g` has the log.
    fn committed(&self, g: usize) -> usize {
        let group = &self.groups[g];
        let Some(master) = group.master else {
            return 0;
        };
        let mut lens: Vec<usize> = group
            .spec
            .brokers
            .iter()
            .map(|&b| {
                if b == master {
                    self.disks.get(&b).map_or(0, Vec::len)
                } else {
                    group.confirmed.get(&b).copied().unwrap_or(0)
                }
            })
            .collect();
        lens.sort_unstable_by(|a, b| b.cmp(a));
        lens.get(group.quorum() - 1).copied().unwrap_or(0)
    }

    /// Sends the receipts of replicated writes a quorum now has.
    fn release_receipts(&mut self, g: usize, ctx: &mut Ctx<'_, Self>) {
        let committed = self.committed(g);
        let Some(master) = self.groups[g].master else {
            return;
        };
        let ready: Vec<(usize, NodeId, EntryId)> = self.groups[g]
            .waiting
            .iter()
            .copied()
            .filter(|(index, _, _)| *index < committed)
            .collect();
        self.groups[g]
            .waiting
            .retain(|(index, _, _)| *index >= committed);
        for (_, producer, entry) in ready {
            ctx.send(master, producer, AmqMsg::Receipt { entry });
        }
    }

    /// A master stores a message a producer sent or a bridge forwarded; returns false for a
    /// duplicate it already had.
    fn store(
        &mut self,
        g: usize,
        message: AmqMessage,
        producer: Option<NodeId>,
        ctx: &mut Ctx<'_, Self>,
    ) -> bool {
        let Some(master) = self.groups[g].master else {
            return false;
        };
        let entry = message.entry;
        let held = self.groups[g]
            .queues
            .values()
            .flatten()
            .any(|h| h.message.entry == entry);
        // The producer audit always catches a failover resend; a forwarded message is checked
        // against every id the destination has seen only while its audit is on.
        let seen = || {
            self.journal(g).iter().any(|r| match r {
                Record::Add(m) => m.entry == entry,
                Record::Remove(e) => *e == entry,
            })
        };
        let duplicate = held || ((producer.is_some() || self.setup.enable_audit) && seen());
        if duplicate {
            ctx.note(AmqNote::DuplicateDropped {
                broker: master,
                label: message.label.clone(),
            });
            match producer {
                Some(p)
                    if message.persistent
                        && !self.groups[g].waiting.iter().any(|w| w.2 == entry) =>
                {
                    ctx.send(master, p, AmqMsg::Receipt { entry });
                }
                Some(_) => {}
                None if !held && self.ledger.get(entry).is_some_and(|j| !j.place.is_final()) => {
                    // The forwarding broker is told it arrived and forgets it: it is gone. (A
                    // message already consumed here, forwarded again after its acknowledgement
                    // was lost with a bridge's connection, is only a duplicate dropped.)
                    self.ledger.move_to(entry, Place::Lost, None);
                    ctx.note(AmqNote::Lost {
                        labels: alloc::vec![message.label.clone()],
                        why: Text::new(
                            "replayed back to a broker whose duplicate audit had seen it",
                            "回流到一个见过它的 Broker，被重复检测丢弃",
                        ),
                    });
                }
                None => {}
            }
            return false;
        }
        self.ledger
            .move_to(entry, Self::place_of(&message), Some(master));
        ctx.note(AmqNote::Stored {
            broker: master,
            label: message.label.clone(),
            persistent: message.persistent,
        });
        let persistent = message.persistent;
        self.groups[g]
            .queues
            .entry(message.queue.clone())
            .or_default()
            .push(Held {
                message: message.clone(),
                sent_to: None,
            });
        if persistent {
            let label = message.label.clone();
            let index = self.persist(g, Record::Add(message), ctx);
            if let Some(p) = producer {
                if self.groups[g].spec.store == StoreKind::Replicated {
                    self.groups[g].waiting.push((index, p, entry));
                    let group = &self.groups[g];
                    if group.quorum() > 1 {
                        ctx.note(AmqNote::AwaitingQuorum {
                            broker: master,
                            label,
                            have: 1,
                            need: group.quorum(),
                        });
                    }
                    self.release_receipts(g, ctx);
                } else {
                    ctx.send(master, p, AmqMsg::Receipt { entry });
                }
            }
        }
        true
    }

    /// Removes a delivered message from group `g`'s master once it is acknowledged.
    fn remove(&mut self, g: usize, entry: EntryId, ctx: &mut Ctx<'_, Self>) -> Option<AmqMessage> {
        let mut found = None;
        for held in self.groups[g].queues.values_mut() {
            if let Some(i) = held.iter().position(|h| h.message.entry == entry) {
                found = Some(held.remove(i).message);
                break;
            }
        }
        let message = found?;
        if message.persistent {
            self.persist(g, Record::Remove(entry), ctx);
        }
        Some(message)
    }

    /// Every live master hands out what it can: to its own consumers, and over its network
    /// connectors to groups with consumers, round-robin, within each window.
    fn pump(&mut self, ctx: &mut Ctx<'_, Self>) {
        for g in 0..self.groups.len() {
            let Some(master) = self.groups[g].master else {
                continue;
            };
            if !ctx.is_up(master) {
                continue;
            }
            let queues: Vec<String> = self.groups[g].queues.keys().cloned().collect();
            for queue in queues {
                let locals = self.local_consumers(g, &queue);
                // Only over a connected bridge: while it is down, the messages wait here.
                let remotes: Vec<(usize, NodeId)> = self
                    .forwards_to(g)
                    .into_iter()
                    .filter(|&h| self.bridge_live(g, h, None))
                    .filter(|&h| !self.local_consumers(h, &queue).is_empty())
                    .filter_map(|h| self.groups[h].master.map(|m| (h, m)))
                    .filter(|&(_, m)| ctx.is_up(m))
                    .collect();
                let targets: Vec<Target> = locals
                    .iter()
                    .map(|&c| Target::Consumer(c))
                    .chain(remotes.iter().map(|&(h, _)| Target::Bridge(h)))
                    .collect();
                if targets.is_empty() {
                    continue;
                }
                let mut i = 0;
                while i < self.groups[g].queues[&queue].len() {
                    let held = &self.groups[g].queues[&queue][i];
                    if held.sent_to.is_some() {
                        i += 1;
                        continue;
                    }
                    let message = held.message.clone();
                    let start = self.groups[g].next_target;
                    let chosen = (0..targets.len())
                        .map(|k| targets[(start + k) % targets.len()])
                        .find(|&t| self.has_room(g, t) && self.accepts(g, t, &message));
                    let Some(target) = chosen else {
                        i += 1;
                        continue;
                    };
                    let pos = targets.iter().position(|&t| t == target).unwrap_or(0);
                    self.groups[g].next_target = pos + 1;
                    if let Some(h) = self.groups[g].queues.get_mut(&queue) {
                        h[i].sent_to = Some(target);
                    }
                    match target {
                        Target::Consumer(c) => {
                            ctx.send(master, c, AmqMsg::Dispatch(message));
                        }
                        Target::Bridge(h) => {
                            if let Some(&(_, to)) = remotes.iter().find(|(x, _)| *x == h) {
                                let mut forwarded = message;
                                forwarded.path.push(g);
                                ctx.note(AmqNote::Forwarded {
                                    from: master,
                                    to,
                                    label: forwarded.label.clone(),
                                });
                                let connection = self
                                    .connector(g, h)
                                    .and_then(|i| self.links.get(i))
                                    .map_or(0, |l| l.connection);
                                ctx.send(
                                    master,
                                    to,
                                    AmqMsg::Forward {
                                        from: g,
                                        message: forwarded,
                                        connection,
                                    },
                                );
                            }
                        }
                    }
                    i += 1;
                }
            }
        }
    }

    fn has_room(&self, g: usize, target: Target) -> bool {
        let used = self.groups[g]
            .queues
            .values()
            .flatten()
            .filter(|h| h.sent_to == Some(target))
            .count();
        let window = match target {
            Target::Consumer(c) => self.consumers.get(&c).map_or(0, |c| c.spec.prefetch),
            Target::Bridge(_) => self.setup.network_prefetch,
        };
        used < window as usize
    }

    fn accepts(&self, g: usize, target: Target, message: &AmqMessage) -> bool {
        match target {
            Target::Consumer(_) => true,
            Target::Bridge(h) => self.may_forward(g, h, message),
        }
    }

    /// Puts back the messages group `g` sent to `target` and that were not acknowledged.
    fn requeue(&mut self, g: usize, target: Target, ctx: &mut Ctx<'_, Self>) {
        let Some(master) = self.groups[g].master else {
            return;
        };
        let mut back = Vec::new();
        for held in self.groups[g].queues.values_mut() {
            for h in held.iter_mut().filter(|h| h.sent_to == Some(target)) {
                h.sent_to = None;
                if matches!(target, Target::Consumer(_)) {
                    h.message.redelivered = true;
                }
                back.push(h.message.clone());
            }
        }
        if back.is_empty() {
            return;
        }
        for m in &back {
            self.ledger
                .move_to(m.entry, Self::place_of(m), Some(master));
        }
        ctx.note(AmqNote::Requeued {
            broker: master,
            labels: labels(&back),
        });
    }

    /// A network connector's bridge lost its connection: the bridge stops, the messages it had
    /// forwarded without an acknowledgement go back to their queue (once, however many of its
    /// messages are lost), and the connector connects again after `initialReconnectDelay`
    /// ([`Bridge`]). Messages wait on their broker meanwhile.
    fn bridge_failed(&mut self, i: usize, ctx: &mut Ctx<'_, Self>) {
        let Some(&c) = self.setup.bridges.get(i) else {
            return;
        };
        match self.links.get_mut(i) {
            Some(link) if link.up => {
                link.up = false;
                link.backoff = NETWORK_RECONNECT_DELAY;
                link.retry_at = None;
            }
            _ => return,
        }
        let local = self.groups[c.from].master.filter(|&m| ctx.is_up(m));
        let retry_in = local.map(|_| NETWORK_RECONNECT_DELAY);
        ctx.note(AmqNote::BridgeFailed {
            from: c.from,
            to: c.to,
            retry_in,
        });
        self.requeue(c.from, Target::Bridge(c.to), ctx);
        if c.duplex {
            self.requeue(c.to, Target::Bridge(c.from), ctx);
        }
        if let Some(local) = local {
            self.schedule_bridge(i, local, ctx);
        }
    }

    /// Sets the timer of the connector's next attempt, after its current wait, and doubles the
    /// wait for the attempt after it (`useExponentialBackOff`, `backOffMultiplier` 2), up to
    /// [`MAX_NETWORK_RECONNECT_DELAY`].
    fn schedule_bridge(&mut self, i: usize, local: NodeId, ctx: &mut Ctx<'_, Self>) -> Time {
        let Some(link) = self.links.get_mut(i) else {
            return 0;
        };
        let wait = link.backoff;
        link.backoff = (wait * 2).min(MAX_NETWORK_RECONNECT_DELAY);
        link.retry_at = Some(ctx.now() + wait);
        ctx.set_timer(local, wait, AmqTimer::BridgeReconnect { connector: i });
        wait
    }

    /// An attempt to connect the bridge failed: the connector tries again later.
    fn bridge_attempt_failed(&mut self, i: usize, ctx: &mut Ctx<'_, Self>) {
        let Some(&c) = self.setup.bridges.get(i) else {
            return;
        };
        if self
            .links
            .get(i)
            .is_none_or(|l| l.up || l.retry_at.is_some())
        {
            return;
        }
        let Some(local) = self.groups[c.from].master.filter(|&m| ctx.is_up(m)) else {
            return;
        };
        let retry_in = self.schedule_bridge(i, local, ctx);
        ctx.note(AmqNote::BridgeRetry {
            from: c.from,
            to: c.to,
            retry_in,
        });
    }

    /// The connector's broker (the master of the group whose configuration holds it) connects
    /// its bridge to the master of the other group, the first broker of its `static:(...)` URI
    /// that answers.
    fn connect_bridge(&mut self, i: usize, ctx: &mut Ctx<'_, Self>) {
        let Some(&c) = self.setup.bridges.get(i) else {
            return;
        };
        let Some(link) = self.links.get_mut(i) else {
            return;
        };
        if link.up {
            return;
        }
        link.retry_at = None;
        let connection = link.connection + 1;
        let Some(local) = self.groups[c.from].master.filter(|&m| ctx.is_up(m)) else {
            return;
        };
        match self.groups[c.to].master.filter(|&m| ctx.is_up(m)) {
            Some(remote) => ctx.send(
                local,
                remote,
                AmqMsg::BridgeConnect {
                    connector: i,
                    connection,
                },
            ),
            None => self.bridge_attempt_failed(i, ctx),
        }
    }

    /// A message between a client and its broker was lost on a live connection: over TCP that
    /// means the connection broke. The broker puts back what it had dispatched to a consumer
    /// and not heard about (flagged redelivered), the client drops its prefetched messages (they
    /// are on the broker still) and its failover transport reconnects.
    fn client_connection_broken(
        &mut self,
        client: NodeId,
        broker: NodeId,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let Some(c) = self.client_mut(client) else {
            return;
        };
        if c.connected != Some(broker) {
            return;
        }
        c.prefetched.clear();
        if let Some(g) = self.group_of(broker).filter(|_| self.is_master(broker)) {
            self.requeue(g, Target::Consumer(client), ctx);
        }
        self.disconnect(client, ctx);
    }

    /// A broker becomes its group's master and loads its store.
    fn activate(&mut self, g: usize, broker: NodeId, ctx: &mut Ctx<'_, Self>) {
        self.groups[g].master = Some(broker);
        for t in core::mem::take(&mut self.groups[g].timers) {
            ctx.cancel_timer(t);
        }
        if self.groups[g].spec.store == StoreKind::Replicated {
            self.groups[g].epoch += 1;
            self.epochs.insert(broker, self.groups[g].epoch);
        }
        self.groups[g].confirmed.clear();
        self.groups[g].waiting.clear();
        let messages: Vec<AmqMessage> = stored(self.journal(g)).into_iter().cloned().collect();
        let mut queues: BTreeMap<String, Vec<Held>> = BTreeMap::new();
        let keep: BTreeSet<EntryId> = messages.iter().map(|m| m.entry).collect();
        for m in &messages {
            self.ledger
                .move_to(m.entry, Place::BrokerStore, Some(broker));
            queues.entry(m.queue.clone()).or_default().push(Held {
                message: m.clone(),
                sent_to: None,
            });
        }
        self.groups[g].queues = queues;
        // Messages the group held that the new master's store does not have are gone: writes
        // that never reached this replica.
        let brokers = self.groups[g].spec.brokers.clone();
        let gone: Vec<(EntryId, String)> = self
            .ledger
            .journeys
            .iter()
            .filter(|j| matches!(j.place, Place::BrokerStore | Place::BrokerMemory))
            .filter(|j| j.holder.is_some_and(|h| brokers.contains(&h)))
            .filter(|j| !keep.contains(&j.id))
            .map(|j| (j.id, j.label.clone()))
            .collect();
        let mut resendable = BTreeSet::new();
        for p in self.producers.values() {
            for m in p
                .awaiting
                .iter()
                .filter(|m| gone.iter().any(|(id, _)| *id == m.entry))
            {
                // The producer still waits for its receipt: the failover transport will resend.
                self.ledger
                    .move_to(m.entry, Place::ProducerBuffer, Some(p.spec.node));
                resendable.insert(m.entry);
            }
        }
        let gone: Vec<(EntryId, String)> = gone
            .into_iter()
            .filter(|(id, _)| !resendable.contains(id))
            .collect();
        for (id, _) in &gone {
            self.ledger.move_to(*id, Place::Lost, None);
        }
        ctx.note(AmqNote::Loaded {
            broker,
            labels: labels(&messages),
        });
        if !gone.is_empty() {
            ctx.note(AmqNote::Lost {
                labels: gone.into_iter().map(|(_, l)| l).collect(),
                why: Text::new(
                    "the new master's log does not have them",
                    "新主节点的日志里没有它们",
                ),
            });
        }
        // A replicated master brings every live slave up to its log.
        if self.groups[g].spec.store == StoreKind::Replicated {
            for b in brokers {
                if b != broker && ctx.is_up(b) {
                    self.sync(g, b, ctx);
                }
            }
        }
        // A starting broker starts its network connectors: a bridge that is down connects now.
        for i in 0..self.setup.bridges.len() {
            if self.setup.bridges[i].from == g && self.links.get(i).is_some_and(|l| !l.up) {
                self.connect_bridge(i, ctx);
            }
        }
    }

    fn sync(&mut self, g: usize, slave: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(master) = self.groups[g].master else {
            return;
        };
        let records = self.disks.get(&master).cloned().unwrap_or_default();
        ctx.send(master, slave, AmqMsg::Sync { records });
    }

    /// Starts whatever makes a new master for a group without one: a lock poll on each live
    /// slave (shared store), or an election (replicated).
    fn seek_master(&mut self, g: usize, ctx: &mut Ctx<'_, Self>) {
        if self.groups[g].master.is_some() {
            return;
        }
        for t in core::mem::take(&mut self.groups[g].timers) {
            ctx.cancel_timer(t);
        }
        let live: Vec<NodeId> = self.groups[g]
            .spec
            .brokers
            .iter()
            .copied()
            .filter(|&b| ctx.is_up(b))
            .collect();
        let Some(&first) = live.first() else {
            return;
        };
        let timers = match self.groups[g].spec.store {
            StoreKind::Own => Vec::new(),
            // Every live slave polls on its own schedule; the first poll takes the lock.
            StoreKind::Shared => {
                let now = ctx.now();
                live.iter()
                    .enumerate()
                    .map(|(k, &b)| {
                        let phase = (k as Time + 1) * LOCK_POLL / 2 % LOCK_POLL;
                        let wait = (phase + LOCK_POLL - now % LOCK_POLL) % LOCK_POLL;
                        ctx.set_timer(b, wait.max(1), AmqTimer::LockPoll { group: g })
                    })
                    .collect()
            }
            StoreKind::Replicated => {
                alloc::vec![ctx.set_timer(first, ELECTION_DELAY, AmqTimer::Elect { group: g })]
            }
        };
        self.groups[g].timers = timers;
    }

    fn elect(&mut self, g: usize, ctx: &mut Ctx<'_, Self>) {
        self.groups[g].timers.clear();
        if self.groups[g].master.is_some() {
            return;
        }
        let group = &self.groups[g];
        let live: Vec<(NodeId, usize)> = group
            .spec
            .brokers
            .iter()
            .copied()
            .filter(|&b| ctx.is_up(b))
            .map(|b| (b, self.disks.get(&b).map_or(0, Vec::len)))
            .collect();
        let epoch = |b: NodeId| self.epochs.get(&b).copied().unwrap_or(0);
        if live.len() < group.quorum() {
            ctx.note(AmqNote::NoQuorum {
                group: g,
                up: live.len(),
                need: group.quorum(),
            });
            return;
        }
        // The most up-to-date broker wins: the latest master's log, then the longest; a tie goes
        // to the first listed.
        let Some(&(winner, log)) = live.iter().max_by(|a, b| {
            (epoch(a.0), a.1)
                .cmp(&(epoch(b.0), b.1))
                .then(b.0.cmp(&a.0))
        }) else {
            return;
        };
        ctx.note(AmqNote::Elected {
            broker: winner,
            log,
            others: live.iter().copied().filter(|(b, _)| *b != winner).collect(),
        });
        self.activate(g, winner, ctx);
    }

    /// One round of the failover transport (or the single attempt of a plain client).
    fn try_connect(&mut self, client: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(c) = self
            .producers
            .get(&client)
            .or_else(|| self.consumers.get(&client))
        else {
            return;
        };
        if c.connected.is_some() || !ctx.is_up(client) {
            return;
        }
        let mut tried = Vec::new();
        let mut found = None;
        for &b in &c.spec.uris {
            if !ctx.is_up(b) {
                tried.push((b, Refusal::Down));
            } else if !ctx.reachable(client, b) {
                tried.push((b, Refusal::Unreachable));
            } else if !self.is_master(b) {
                tried.push((b, Refusal::Slave));
            } else {
                found = Some(b);
                break;
            }
        }
        let failover = c.spec.failover;
        let backoff = c.backoff;
        let Some(broker) = found else {
            let retry_in = failover.then_some(backoff);
            ctx.note(AmqNote::NoBroker {
                client,
                tried,
                retry_in,
            });
            if let Some(c) = self.client_mut(client) {
                c.reconnecting = failover;
                c.backoff = (backoff * 2).min(MAX_RECONNECT_DELAY);
            }
            if failover {
                ctx.set_timer(client, backoff, AmqTimer::Reconnect);
            }
            return;
        };
        let Some(c) = self.client_mut(client) else {
            return;
        };
        c.connected = Some(broker);
        c.reconnecting = false;
        c.backoff = RECONNECT_DELAY;
        let resend: Vec<AmqMessage> = c
            .awaiting
            .iter()
            .chain(c.buffered.iter())
            .cloned()
            .collect();
        let buffered = core::mem::take(&mut c.buffered);
        for m in &buffered {
            if m.persistent {
                c.awaiting.push(m.clone());
            }
        }
        ctx.note(AmqNote::Connected { client, broker });
        if !resend.is_empty() {
            ctx.note(AmqNote::Resent {
                producer: client,
                labels: labels(&resend),
            });
            for m in resend {
                self.ledger.move_to(m.entry, Place::InFlight, None);
                ctx.send(client, broker, AmqMsg::Send(m));
            }
        }
    }

    fn client_mut(&mut self, node: NodeId) -> Option<&mut Client> {
        if self.producers.contains_key(&node) {
            self.producers.get_mut(&node)
        } else {
            self.consumers.get_mut(&node)
        }
    }

    /// A client's connection broke: the failover transport starts reconnecting.
    fn disconnect(&mut self, client: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(c) = self.client_mut(client) else {
            return;
        };
        let Some(broker) = c.connected.take() else {
            return;
        };
        let dropped: Vec<AmqMessage> = c.prefetched.drain(..).collect();
        let failover = c.spec.failover;
        let failed: Vec<AmqMessage> = if failover {
            Vec::new()
        } else {
            core::mem::take(&mut c.awaiting)
        };
        ctx.note(AmqNote::ConnectionLost { client, broker });
        self.forget_prefetched(&dropped, broker, ctx);
        for m in failed {
            ctx.note(AmqNote::SendFailed {
                producer: client,
                label: m.label,
            });
        }
        if failover && ctx.is_up(client) {
            if let Some(c) = self.client_mut(client) {
                c.reconnecting = true;
            }
            ctx.set_timer(client, RECONNECT_DELAY, AmqTimer::Reconnect);
        }
    }

    /// A consumer's prefetched messages are gone from it; the broker's store still has the
    /// persistent ones.
    fn forget_prefetched(
        &mut self,
        dropped: &[AmqMessage],
        broker: NodeId,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let mut lost = Vec::new();
        for m in dropped {
            if m.persistent {
                self.ledger
                    .move_to(m.entry, Place::BrokerStore, Some(broker));
            } else if self
                .ledger
                .get(m.entry)
                .is_some_and(|j| !j.place.is_final())
            {
                self.ledger.move_to(m.entry, Place::Lost, None);
                lost.push(m.label.clone());
            }
        }
        if !lost.is_empty() {
            ctx.note(AmqNote::Lost {
                labels: lost,
                why: Text::new(
                    "non-persistent, in a consumer's prefetch when its broker died",
                    "非持久化消息，Broker 宕机时还在消费者的预取缓冲里",
                ),
            });
        }
    }

    fn broker_crashed(&mut self, broker: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(g) = self.group_of(broker) else {
            return;
        };
        if self.groups[g].master.is_none() {
            // A slave died while the group looked for a master: look again without it.
            self.seek_master(g, ctx);
            return;
        }
        if self.groups[g].master != Some(broker) {
            self.groups[g].confirmed.remove(&broker);
            return;
        }
        // The master's memory is gone: non-persistent messages with it.
        let queues = core::mem::take(&mut self.groups[g].queues);
        let mut lost = Vec::new();
        for held in queues.into_values().flatten() {
            if held.message.persistent {
                self.ledger
                    .move_to(held.message.entry, Place::BrokerStore, Some(broker));
            } else if matches!(
                self.ledger.get(held.message.entry).map(|j| j.place),
                Some(Place::BrokerMemory)
            ) {
                self.ledger.move_to(held.message.entry, Place::Lost, None);
                lost.push(held.message.label);
            }
        }
        if !lost.is_empty() {
            ctx.note(AmqNote::Lost {
                labels: lost,
                why: Text::new(
                    "non-persistent, in the crashed master's memory",
                    "非持久化消息，在宕机主节点的内存里",
                ),
            });
        }
        self.groups[g].master = None;
        self.groups[g].waiting.clear();
        self.groups[g].confirmed.clear();
        if self.groups[g].spec.store == StoreKind::Shared {
            // The operating system releases a dead process's file lock.
            self.groups[g].lock = None;
        }
        // Its clients' connections break.
        let clients: Vec<NodeId> = self
            .producers
            .values()
            .chain(self.consumers.values())
            .filter(|c| c.connected == Some(broker))
            .map(|c| c.spec.node)
            .collect();
        for c in clients {
            self.disconnect(c, ctx);
        }
        // Groups that forward to this one take back what they forwarded and did not hear about.
        for h in self.bridged(g) {
            self.requeue(h, Target::Bridge(g), ctx);
        }
        self.seek_master(g, ctx);
    }

    fn broker_restarted(&mut self, broker: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(g) = self.group_of(broker) else {
            return;
        };
        match self.groups[g].spec.store {
            StoreKind::Own => self.activate(g, broker, ctx),
            StoreKind::Shared => {
                if self.groups[g].lock.is_none() {
                    self.groups[g].lock = Some(broker);
                    ctx.note(AmqNote::LockTaken { broker });
                    self.activate(g, broker, ctx);
                } else {
                    ctx.note(AmqNote::Slave {
                        broker,
                        master: self.groups[g].master,
                    });
                }
            }
            StoreKind::Replicated => {
                if let Some(master) = self.groups[g].master {
                    ctx.note(AmqNote::Slave {
                        broker,
                        master: Some(master),
                    });
                    self.sync(g, broker, ctx);
                } else {
                    self.seek_master(g, ctx);
                }
            }
        }
    }
}

impl Protocol for AmqLab {
    type Msg = AmqMsg;
    type Op = AmqOp;
    type Timer = AmqTimer;
    type Note = AmqNote;

    fn check_op(&self, op: &AmqOp, nodes: &[NodeState]) -> Result<(), Text> {
        let up = |n: NodeId| nodes.get(usize::from(n)).is_some_and(NodeState::is_up);
        match op {
            AmqOp::Send {
                producer, queue, ..
            } => {
                if !self.producers.contains_key(producer) {
                    return Err(Text::new("no such producer", "没有这个生产者"));
                }
                if queue.is_empty() || queue.len() > 64 {
                    return Err(Text::new(
                        "a queue name has 1 to 64 characters",
                        "队列名需要 1 到 64 个字符",
                    ));
                }
                if !up(*producer) {
                    return Err(Text::new("the producer is down", "生产者宕机了"));
                }
            }
            AmqOp::Process { consumer } => {
                let Some(c) = self.consumers.get(consumer) else {
                    return Err(Text::new("no such consumer", "没有这个消费者"));
                };
                if !up(*consumer) {
                    return Err(Text::new("the consumer is down", "消费者宕机了"));
                }
                if c.prefetched.is_empty() {
                    return Err(Text::new(
                        "the consumer has no message to process",
                        "消费者没有可处理的消息",
                    ));
                }
            }
            AmqOp::SetReplay { .. } | AmqOp::SetAudit { .. } => {}
            AmqOp::SetFailover { client, .. } => {
                if !self.producers.contains_key(client) && !self.consumers.contains_key(client) {
                    return Err(Text::new("no such client", "没有这个客户端"));
                }
            }
        }
        Ok(())
    }

    fn on_op(&mut self, op: &AmqOp, ctx: &mut Ctx<'_, Self>) {
        match op {
            AmqOp::Send {
                producer,
                queue,
                persistent,
            } => {
                self.created += 1;
                let label = format!("m{}", self.created);
                let entry = self.ledger.create(label.clone(), None);
                let message = AmqMessage {
                    entry,
                    label: label.clone(),
                    queue: queue.clone(),
                    persistent: *persistent,
                    redelivered: false,
                    path: Vec::new(),
                };
                let Some(p) = self.producers.get_mut(producer) else {
                    return;
                };
                match p.connected {
                    Some(broker) => {
                        if *persistent {
                            p.awaiting.push(message.clone());
                        }
                        self.ledger.move_to(entry, Place::InFlight, None);
                        ctx.send(*producer, broker, AmqMsg::Send(message));
                    }
                    None if p.spec.failover => {
                        p.buffered.push(message);
                        ctx.note(AmqNote::Buffered {
                            producer: *producer,
                            label,
                        });
                    }
                    None => {
                        self.ledger.move_to(entry, Place::Discarded, None);
                        ctx.note(AmqNote::SendFailed {
                            producer: *producer,
                            label,
                        });
                    }
                }
            }
            AmqOp::Process { consumer } => {
                let Some(c) = self.consumers.get_mut(consumer) else {
                    return;
                };
                let Some(m) = c.prefetched.pop_front() else {
                    return;
                };
                c.processed.push(m.label.clone());
                let broker = c.connected;
                self.ledger.processed(m.entry);
                let times = self.ledger.get(m.entry).map_or(1, |j| j.processed);
                ctx.note(AmqNote::Processed {
                    consumer: *consumer,
                    label: m.label.clone(),
                    redelivered: m.redelivered,
                    times,
                });
                if let Some(b) = broker {
                    ctx.send(*consumer, b, AmqMsg::Ack { entry: m.entry });
                }
            }
            AmqOp::SetReplay { on } => {
                self.setup.replay_when_no_consumers = *on;
                ctx.note(AmqNote::ReplaySet { on: *on });
            }
            AmqOp::SetAudit { on } => {
                self.setup.enable_audit = *on;
                ctx.note(AmqNote::AuditSet { on: *on });
            }
            AmqOp::SetFailover { client, on } => {
                let Some(c) = self.client_mut(*client) else {
                    return;
                };
                c.spec.failover = *on;
                let idle = c.connected.is_none() && !c.reconnecting;
                ctx.note(AmqNote::FailoverSet {
                    client: *client,
                    on: *on,
                });
                if *on && idle {
                    self.try_connect(*client, ctx);
                }
            }
        }
        self.pump(ctx);
    }

    fn on_msg(&mut self, to: NodeId, from: NodeId, msg: AmqMsg, ctx: &mut Ctx<'_, Self>) {
        match msg {
            AmqMsg::Send(message) => {
                if let Some(g) = self.group_of(to).filter(|_| self.is_master(to)) {
                    self.store(g, message, Some(from), ctx);
                }
            }
            AmqMsg::Receipt { entry } => {
                if let Some(p) = self.producers.get_mut(&to) {
                    if let Some(i) = p.awaiting.iter().position(|m| m.entry == entry) {
                        let m = p.awaiting.remove(i);
                        self.ledger.mark_safe(entry, Assurance::Receipt);
                        ctx.note(AmqNote::Confirmed {
                            producer: to,
                            label: m.label,
                        });
                    }
                }
            }
            AmqMsg::Dispatch(message) => {
                let broker = from;
                let Some(c) = self.consumers.get_mut(&to) else {
                    return;
                };
                if c.connected == Some(broker) {
                    self.ledger
                        .move_to(message.entry, Place::Consumer, Some(to));
                    c.prefetched.push_back(message);
                }
            }
            AmqMsg::Ack { entry } => {
                if let Some(g) = self.group_of(to).filter(|_| self.is_master(to)) {
                    if self.remove(g, entry, ctx).is_some() {
                        self.ledger.move_to(entry, Place::Acknowledged, None);
                    }
                }
            }
            AmqMsg::Forward {
                from: g,
                message,
                connection,
            } => {
                let Some(h) = self.group_of(to).filter(|_| self.is_master(to)) else {
                    return;
                };
                // What was sent on a connection that has closed since never reaches the broker.
                if self.bridge_live(g, h, Some(connection)) {
                    let entry = message.entry;
                    self.store(h, message, None, ctx);
                    ctx.send(to, from, AmqMsg::ForwardAck { entry, connection });
                }
            }
            AmqMsg::ForwardAck { entry, connection } => {
                if let Some(g) = self.group_of(to).filter(|_| self.is_master(to)) {
                    let live = self
                        .group_of(from)
                        .is_some_and(|h| self.bridge_live(g, h, Some(connection)));
                    if live {
                        self.remove(g, entry, ctx);
                    }
                }
            }
            AmqMsg::BridgeConnect {
                connector,
                connection,
            } => {
                let Some(&c) = self.setup.bridges.get(connector) else {
                    return;
                };
                let accepted = self.is_master(to) && self.group_of(to) == Some(c.to);
                let Some(link) = self.links.get_mut(connector) else {
                    return;
                };
                if link.up {
                    // An attempt overtaken by another.
                } else if accepted {
                    link.up = true;
                    link.connection = connection;
                    link.backoff = NETWORK_RECONNECT_DELAY;
                    link.retry_at = None;
                    ctx.note(AmqNote::BridgeConnected {
                        from: c.from,
                        to: c.to,
                    });
                } else {
                    self.bridge_attempt_failed(connector, ctx);
                }
            }
            AmqMsg::Replicate { index, record } => {
                if !self.is_master(from) {
                    return;
                }
                if let Some(g) = self.group_of(from) {
                    self.epochs.insert(to, self.groups[g].epoch);
                }
                let disk = self.disks.entry(to).or_default();
                if disk.len() == index {
                    disk.push(record);
                    let len = disk.len();
                    ctx.send(to, from, AmqMsg::Replicated { len });
                }
            }
            AmqMsg::Replicated { len } => {
                if let Some(g) = self.group_of(to).filter(|_| self.is_master(to)) {
                    self.groups[g].confirmed.insert(from, len);
                    self.release_receipts(g, ctx);
                }
            }
            AmqMsg::Sync { records } => {
                if !self.is_master(from) {
                    return;
                }
                if let Some(g) = self.group_of(from) {
                    self.epochs.insert(to, self.groups[g].epoch);
                }
                let old: Vec<AmqMessage> = self
                    .disks
                    .get(&to)
                    .map(|d| stored(d).into_iter().cloned().collect())
                    .unwrap_or_default();
                let keep: BTreeSet<EntryId> = records
                    .iter()
                    .filter_map(|r| match r {
                        Record::Add(m) => Some(m.entry),
                        Record::Remove(_) => None,
                    })
                    .collect();
                let dropped = old
                    .iter()
                    .filter(|m| !keep.contains(&m.entry))
                    .map(|m| m.label.clone())
                    .collect();
                let len = records.len();
                self.disks.insert(to, records);
                ctx.note(AmqNote::Synced {
                    slave: to,
                    records: len,
                    dropped,
                });
                ctx.send(to, from, AmqMsg::Replicated { len });
            }
        }
        self.pump(ctx);
    }

    fn on_timer(&mut self, node: NodeId, timer: AmqTimer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            AmqTimer::Reconnect => self.try_connect(node, ctx),
            AmqTimer::BridgeReconnect { connector } => self.connect_bridge(connector, ctx),
            AmqTimer::LockPoll { group } => {
                let Some(g) = self.groups.get_mut(group) else {
                    return;
                };
                g.timers.clear();
                if g.lock.is_none() {
                    g.lock = Some(node);
                    ctx.note(AmqNote::LockTaken { broker: node });
                    self.activate(group, node, ctx);
                }
            }
            AmqTimer::Elect { group } => {
                if group < self.groups.len() {
                    self.elect(group, ctx);
                }
            }
        }
        self.pump(ctx);
    }

    fn on_crash(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        match self.setup.role_of(node) {
            Some(Role::Broker) => self.broker_crashed(node, ctx),
            Some(Role::Consumer) => {
                // The broker sees the connection drop at once (a simplification of heartbeats).
                let Some(c) = self.consumers.get_mut(&node) else {
                    return;
                };
                let dropped: Vec<AmqMessage> = c.prefetched.drain(..).collect();
                c.reconnecting = false;
                if let Some(broker) = c.connected.take() {
                    self.forget_prefetched(&dropped, broker, ctx);
                    if let Some(g) = self.group_of(broker) {
                        self.requeue(g, Target::Consumer(node), ctx);
                    }
                }
            }
            Some(Role::Producer) => {
                let Some(p) = self.producers.get_mut(&node) else {
                    return;
                };
                p.connected = None;
                p.reconnecting = false;
                let gone: Vec<AmqMessage> = p.buffered.drain(..).collect();
                p.awaiting.clear();
                for m in &gone {
                    self.ledger.move_to(m.entry, Place::Lost, None);
                }
                if !gone.is_empty() {
                    ctx.note(AmqNote::Lost {
                        labels: labels(&gone),
                        why: Text::new("buffered in the crashed producer", "缓存在宕机的生产者里"),
                    });
                }
            }
            None => {}
        }
        self.pump(ctx);
    }

    fn on_restart(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        match self.setup.role_of(node) {
            Some(Role::Broker) => self.broker_restarted(node, ctx),
            Some(_) => {
                if let Some(c) = self.client_mut(node) {
                    c.backoff = RECONNECT_DELAY;
                }
                self.try_connect(node, ctx);
            }
            None => {}
        }
        self.pump(ctx);
    }

    fn on_lost(
        &mut self,
        envelope: &Envelope<AmqMsg>,
        reason: LossReason,
        ctx: &mut Ctx<'_, Self>,
    ) {
        // A message lost between two live nodes (a partition, the link, a dropped message) breaks
        // the connection it travelled on; a message to or from a crashed node is the crash's
        // business, which the brokers notice at once.
        let broken = !matches!(reason, LossReason::ReceiverDown | LossReason::SenderDown);
        let (from, to) = (envelope.from, envelope.to);
        match &envelope.msg {
            AmqMsg::Forward {
                from: g,
                connection,
                ..
            } if broken => {
                if let Some(h) = self.group_of(to) {
                    if self.bridge_live(*g, h, Some(*connection)) {
                        if let Some(i) = self.connector(*g, h) {
                            self.bridge_failed(i, ctx);
                        }
                    }
                }
            }
            AmqMsg::ForwardAck { connection, .. } if broken => {
                if let (Some(h), Some(g)) = (self.group_of(from), self.group_of(to)) {
                    if self.bridge_live(g, h, Some(*connection)) {
                        if let Some(i) = self.connector(g, h) {
                            self.bridge_failed(i, ctx);
                        }
                    }
                }
            }
            AmqMsg::BridgeConnect { connector, .. } => {
                self.bridge_attempt_failed(*connector, ctx);
            }
            AmqMsg::Dispatch(_) | AmqMsg::Receipt { .. } if broken => {
                self.client_connection_broken(to, from, ctx)
            }
            AmqMsg::Ack { .. } if broken => self.client_connection_broken(from, to, ctx),
            _ => {}
        }
        if broken && matches!(envelope.msg, AmqMsg::Send(_)) {
            self.client_connection_broken(from, to, ctx);
        }
        match &envelope.msg {
            // A send that never arrived: the failover transport resends it on reconnect if it
            // waits for a receipt; a non-persistent one is gone.
            AmqMsg::Send(m) if !m.persistent => {
                self.ledger.move_to(m.entry, Place::Lost, None);
                ctx.note(AmqNote::Lost {
                    labels: alloc::vec![m.label.clone()],
                    why: Text::new(
                        "a non-persistent send lost on the way",
                        "非持久化消息在发送途中丢失",
                    ),
                });
            }
            AmqMsg::Send(m) => {
                let waiting = self
                    .producers
                    .get(&envelope.from)
                    .is_some_and(|p| p.awaiting.iter().any(|a| a.entry == m.entry));
                if !waiting {
                    self.ledger.move_to(m.entry, Place::Lost, None);
                }
            }
            AmqMsg::Dispatch(m) if !broken => {
                if let Some(g) = self.group_of(envelope.from) {
                    if self.is_master(envelope.from) {
                        self.requeue(g, Target::Consumer(envelope.to), ctx);
                    } else {
                        self.forget_prefetched(core::slice::from_ref(m), envelope.from, ctx);
                    }
                }
            }
            AmqMsg::Forward { .. } if !broken => {
                if let Some(g) = self.group_of(envelope.from) {
                    if let Some(h) = self.group_of(envelope.to) {
                        self.requeue(g, Target::Bridge(h), ctx);
                    }
                }
            }
            _ => {}
        }
        self.pump(ctx);
    }

    fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
        self.ledger.violations(out);
        for (g, group) in self.groups.iter().enumerate() {
            let stranded = self.stranded(g);
            if !stranded.is_empty() {
                let (names, names_zh) = crate::text::list(&labels(stranded));
                out.push(Violation {
                    invariant: String::from(STRANDED),
                    subject: group.spec.name.clone(),
                    name: invariant_name(STRANDED),
                    detail: Text::new(
                        format!(
                            "{names} wait on {} with no consumer there, while the consumers of their queue are on another broker that they cannot reach: no network connector carries messages that way, or they came from there.",
                            group.spec.name
                        ),
                        format!(
                            "{names_zh} 滞留在 {}：这里没有消费者，而它们队列的消费者在另一个 Broker 上，消息却到不了那里：没有朝那个方向的网络连接器，或者消息正是从那里来的。",
                            group.spec.name
                        ),
                    ),
                    severity: Severity::Warning,
                });
            }
            if group.master.is_none() {
                out.push(Violation {
                    invariant: String::from(AVAILABLE),
                    subject: group.spec.name.clone(),
                    name: invariant_name(AVAILABLE),
                    detail: Text::new(
                        format!("{} has no master: no client can connect.", group.spec.name),
                        format!("{} 没有主节点：客户端无法连接。", group.spec.name),
                    ),
                    severity: Severity::Warning,
                });
            }
        }
    }
}

/// The names of this lab's own invariants and the ledger's.
pub fn invariant_name(id: &str) -> Text {
    match id {
        STRANDED => Text::new(
            "No message is stranded on a broker without consumers",
            "没有消息滞留在无消费者的 Broker 上",
        ),
        AVAILABLE => Text::new(
            "Every broker group has a master",
            "每个 Broker 组都有主节点",
        ),
        other => super::ledger::invariant_name(other),
    }
}

impl Lab for AmqLab {
    const INFO: LabInfo = LabInfo {
        id: "activemq",
        name: StaticText::new("ActiveMQ clusters", "ActiveMQ 集群"),
        teaches: StaticText::new(
            "A network of brokers strands messages; master/slave on a shared store or Replicated LevelDB; the failover transport resends.",
            "Broker 网络会滞留消息；共享存储与 Replicated LevelDB 的主从；failover 传输会重发。",
        ),
        lessons: 6,
        topics: &[
            Topic { seed: 1, section: StaticText::new("Lost messages in a network of brokers", "6. 丢失的消息") },
            Topic { seed: 1, section: StaticText::new("High availability", "7. 高可用方案") },
            Topic { seed: 2, section: StaticText::new("Master/slave clusters", "集群搭建") },
            Topic { seed: 2, section: StaticText::new("Network of brokers", "基于NetworkConnector的Broker Clusters模式") },
            Topic { seed: 2, section: StaticText::new("The failover transport", "failover失效转移") },
        ],
    };
    type Setup = AmqSetup;

    fn build(setup: &AmqSetup, seed: u64) -> Result<World<AmqLab>, Text> {
        AmqLab::world(setup, seed)
    }

    /// A queue's name is at most [`bounds::MAX_NAME_BYTES`] long; the other operations carry only
    /// node ids and switches, which [`Protocol::check_op`] checks against the set-up.
    fn check_input(op: &AmqOp) -> Result<(), Text> {
        match op {
            AmqOp::Send { queue, .. } => bounds::name(("the queue's name", "队列名"), queue),
            AmqOp::Process { .. }
            | AmqOp::SetReplay { .. }
            | AmqOp::SetAudit { .. }
            | AmqOp::SetFailover { .. } => Ok(()),
        }
    }

    fn invariants() -> Vec<InvariantInfo> {
        let mut all = super::ledger::invariants();
        for id in [STRANDED, AVAILABLE] {
            all.push(InvariantInfo {
                id,
                name: invariant_name(id),
                severity: Severity::Warning,
            });
        }
        all
    }

    fn lessons() -> Vec<Scenario<AmqLab>> {
        super::activemq_scenarios::scenarios()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Action, Event, Fault, Model};
    use alloc::string::ToString;
    use alloc::vec;
    use proptest::prelude::*;

    const P: NodeId = 0;
    const B1: NodeId = 1;
    const B2: NodeId = 2;
    const B3: NodeId = 3;
    const C1: NodeId = 4;
    const C2: NodeId = 5;

    fn nodes() -> Vec<NodeSpec> {
        [
            ("P", Role::Producer),
            ("B1", Role::Broker),
            ("B2", Role::Broker),
            ("B3", Role::Broker),
            ("C1", Role::Consumer),
            ("C2", Role::Consumer),
        ]
        .iter()
        .map(|(n, r)| NodeSpec {
            name: n.to_string(),
            role: *r,
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

    /// B1 and B2 (and B3) standalone, joined by a duplex connector; P on B2; consumers on B1.
    fn network(replay: bool) -> AmqSetup {
        AmqSetup {
            nodes: nodes(),
            groups: vec![
                GroupSpec {
                    name: "B1".into(),
                    brokers: vec![B1],
                    store: StoreKind::Own,
                },
                GroupSpec {
                    name: "B2".into(),
                    brokers: vec![B2],
                    store: StoreKind::Own,
                },
                GroupSpec {
                    name: "B3".into(),
                    brokers: vec![B3],
                    store: StoreKind::Own,
                },
            ],
            bridges: vec![Connector::duplex(1, 0)],
            replay_when_no_consumers: replay,
            enable_audit: !replay,
            network_prefetch: MAX_PREFETCH,
            producers: vec![client(P, &[B2], "")],
            consumers: vec![
                client(C1, &[B1, B2], "orders"),
                client(C2, &[B1, B2], "orders"),
            ],
            link: None,
        }
    }

    /// P, the brokers B1.. (ids 1..), and one consumer after them.
    fn master_slave(store: StoreKind, brokers: &[NodeId]) -> AmqSetup {
        let mut nodes = nodes();
        nodes.truncate(1 + brokers.len());
        nodes.push(NodeSpec {
            name: "C1".into(),
            role: Role::Consumer,
        });
        let c = nodes.len() as NodeId - 1;
        AmqSetup {
            nodes,
            groups: vec![GroupSpec {
                name: "G".into(),
                brokers: brokers.to_vec(),
                store,
            }],
            bridges: vec![],
            replay_when_no_consumers: false,
            enable_audit: true,
            network_prefetch: MAX_PREFETCH,
            producers: vec![client(P, brokers, "")],
            consumers: vec![client(c, brokers, "orders")],
            link: None,
        }
    }

    fn consumer(w: &World<AmqLab>) -> NodeId {
        w.protocol.setup.consumers[0].node
    }

    fn world(s: &AmqSetup) -> World<AmqLab> {
        AmqLab::world(s, 3).unwrap()
    }

    fn apply(w: &mut World<AmqLab>, action: Action<AmqOp>) -> Vec<Event<AmqMsg, AmqNote>> {
        let mut out = Vec::new();
        w.apply(&action, &mut out);
        out
    }

    fn op(w: &mut World<AmqLab>, op: AmqOp) {
        apply(w, Action::Op { op });
    }

    fn fault(w: &mut World<AmqLab>, fault: Fault) {
        apply(w, Action::Fault { fault });
    }

    /// Runs until nothing can happen but clients retrying brokers that will refuse them again.
    fn settle(w: &mut World<AmqLab>) {
        for _ in 0..10_000 {
            let lab = &w.protocol;
            let stuck = w.net.in_flight.is_empty()
                && w.timers.iter().all(|t| {
                    t.timer == AmqTimer::Reconnect
                        && lab
                            .producers
                            .get(&t.node)
                            .or_else(|| lab.consumers.get(&t.node))
                            .is_some_and(|c| {
                                c.spec
                                    .uris
                                    .iter()
                                    .all(|&b| !w.nodes[usize::from(b)].is_up() || !lab.is_master(b))
                            })
                });
            if stuck {
                return;
            }
            let Some(next) = w.next_due() else { return };
            w.apply(&next, &mut Vec::new());
        }
        panic!("the world did not settle");
    }

    fn send(w: &mut World<AmqLab>, persistent: bool) {
        op(
            w,
            AmqOp::Send {
                producer: P,
                queue: "orders".into(),
                persistent,
            },
        );
    }

    fn process_all(w: &mut World<AmqLab>, consumer: NodeId) -> Vec<String> {
        let mut out = Vec::new();
        for _ in 0..100 {
            settle(w);
            let Some(m) = w.protocol.consumers[&consumer].prefetched.front() else {
                break;
            };
            out.push(m.label.clone());
            op(w, AmqOp::Process { consumer });
        }
        settle(w);
        out
    }

    fn broken(w: &World<AmqLab>) -> Vec<String> {
        let mut v = Vec::new();
        w.protocol.violations(&w.nodes, &mut v);
        v.into_iter().map(|v| v.invariant).collect()
    }

    fn on(w: &World<AmqLab>, g: usize) -> Vec<String> {
        w.protocol.groups[g]
            .queues
            .values()
            .flatten()
            .map(|h| h.message.label.clone())
            .collect()
    }

    #[test]
    fn a_network_forwards_messages_to_the_broker_with_consumers() {
        let mut w = world(&network(false));
        for _ in 0..4 {
            send(&mut w, true);
        }
        settle(&mut w);
        assert!(on(&w, 1).is_empty(), "B2 forwarded everything");
        assert_eq!(on(&w, 0).len(), 4, "B1 holds what it pulled");
        let mut got = process_all(&mut w, C1);
        got.extend(process_all(&mut w, C2));
        got.extend(process_all(&mut w, C1));
        got.sort();
        assert_eq!(got, ["m1", "m2", "m3", "m4"]);
        assert!(broken(&w).is_empty());
    }

    /// ActiveMQ's network connectors are one-way unless duplex: a connector configured on B1
    /// towards B2 carries nothing from B2 to B1.
    #[test]
    fn a_one_way_connector_forwards_only_its_own_way() {
        let mut s = network(false);
        s.bridges = vec![Connector::one_way(0, 1)];
        let mut w = world(&s);
        for _ in 0..2 {
            send(&mut w, true);
        }
        settle(&mut w);
        assert_eq!(
            on(&w, 1).len(),
            2,
            "B2 has no connector to B1: it keeps them"
        );
        assert!(on(&w, 0).is_empty());
        assert_eq!(
            w.protocol.stranded(1).len(),
            2,
            "they wait for a consumer on B2 while the consumers are on B1"
        );
        s.bridges = vec![Connector::one_way(1, 0)];
        let mut w = world(&s);
        for _ in 0..2 {
            send(&mut w, true);
        }
        settle(&mut w);
        assert!(
            on(&w, 1).is_empty(),
            "B2's own connector carries them to B1"
        );
        // A consumer that fails over to B2 gets nothing back from B1: no connector leads there,
        // replay or not.
        op(&mut w, AmqOp::SetAudit { on: false });
        op(&mut w, AmqOp::SetReplay { on: true });
        fault(&mut w, Fault::Crash { node: B1 });
        settle(&mut w);
        fault(&mut w, Fault::Restart { node: B1 });
        settle(&mut w);
        assert_eq!(on(&w, 0).len(), 2);
        assert_eq!(w.protocol.stranded(0).len(), 2);
    }

    #[test]
    fn messages_forwarded_to_a_restarted_broker_are_stranded_without_replay() {
        let mut w = world(&network(false));
        for _ in 0..4 {
            send(&mut w, true);
        }
        settle(&mut w);
        fault(&mut w, Fault::Crash { node: B1 });
        settle(&mut w);
        assert_eq!(w.protocol.consumers[&C1].connected, Some(B2), "failover");
        fault(&mut w, Fault::Restart { node: B1 });
        settle(&mut w);
        assert_eq!(on(&w, 0).len(), 4, "the persistent messages are back on B1");
        assert_eq!(w.protocol.stranded(0).len(), 4);
        assert!(broken(&w).contains(&STRANDED.to_string()));
        assert!(
            process_all(&mut w, C1).is_empty(),
            "nothing reaches C1 on B2"
        );
        // New messages to B2 are consumed there.
        send(&mut w, true);
        settle(&mut w);
        let mut got = process_all(&mut w, C1);
        got.extend(process_all(&mut w, C2));
        assert_eq!(got, ["m5"]);
        // Replay with the audit on: B2 has seen m1..m4 and drops them as duplicates.
        let mut audited = w.clone();
        op(&mut audited, AmqOp::SetReplay { on: true });
        settle(&mut audited);
        assert!(audited.protocol.stranded(0).is_empty());
        assert_eq!(
            audited.protocol.ledger.find("m1").unwrap().place,
            Place::Lost
        );
        assert!(broken(&audited).contains(&super::super::ledger::NO_LOSS.to_string()));
        // Replay with the audit off sends them back to the consumers.
        op(&mut w, AmqOp::SetAudit { on: false });
        op(&mut w, AmqOp::SetReplay { on: true });
        settle(&mut w);
        assert!(w.protocol.stranded(0).is_empty());
        let mut got = process_all(&mut w, C1);
        got.extend(process_all(&mut w, C2));
        got.extend(process_all(&mut w, C1));
        got.extend(process_all(&mut w, C2));
        got.sort();
        assert_eq!(got, ["m1", "m2", "m3", "m4"]);
        assert!(!broken(&w).contains(&STRANDED.to_string()));
    }

    #[test]
    fn non_persistent_messages_die_with_the_master_and_persistent_ones_survive_the_shared_store() {
        let mut w = world(&master_slave(StoreKind::Shared, &[B1, B2]));
        send(&mut w, true);
        send(&mut w, false);
        send(&mut w, true);
        settle(&mut w);
        fault(&mut w, Fault::Crash { node: B1 });
        assert_eq!(w.protocol.groups[0].master, None);
        assert!(broken(&w).contains(&AVAILABLE.to_string()));
        settle(&mut w);
        assert_eq!(w.protocol.groups[0].master, Some(B2), "B2 took the lock");
        assert_eq!(w.protocol.groups[0].lock, Some(B2));
        let c = consumer(&w);
        assert_eq!(w.protocol.consumers[&c].connected, Some(B2));
        assert_eq!(process_all(&mut w, c), ["m1", "m3"]);
        let m2 = w.protocol.ledger.find("m2").unwrap();
        assert_eq!(m2.place, Place::Lost);
        assert!(
            m2.safe.is_none(),
            "a non-persistent send is never confirmed"
        );
        assert!(broken(&w).is_empty());
        // The old master comes back as a slave: the lock is taken.
        fault(&mut w, Fault::Restart { node: B1 });
        settle(&mut w);
        assert_eq!(w.protocol.groups[0].master, Some(B2));
    }

    #[test]
    fn the_failover_transport_resends_a_send_that_had_no_receipt_and_a_plain_client_fails() {
        for failover in [true, false] {
            let mut s = master_slave(StoreKind::Shared, &[B1, B2]);
            s.producers[0].failover = failover;
            let mut w = world(&s);
            send(&mut w, true);
            // The master dies while m1 is on the wire.
            fault(&mut w, Fault::Crash { node: B1 });
            settle(&mut w);
            let m1 = w.protocol.ledger.find("m1").unwrap().clone();
            if failover {
                assert!(m1.safe.is_some(), "resent to the new master and confirmed");
                assert_eq!(m1.place, Place::Consumer);
            } else {
                assert!(m1.safe.is_none());
                assert_eq!(m1.place, Place::Lost);
                assert_eq!(w.protocol.producers[&P].connected, None);
                send(&mut w, true);
                assert_eq!(
                    w.protocol.ledger.find("m2").unwrap().place,
                    Place::Discarded,
                    "a send without a connection throws"
                );
            }
        }
    }

    #[test]
    fn a_resend_the_store_already_has_is_dropped_not_duplicated() {
        let mut w = world(&master_slave(StoreKind::Shared, &[B1, B2]));
        send(&mut w, true);
        // The send arrives and is stored; its receipt is lost, then the master dies.
        let next = w.next_due().unwrap();
        w.apply(&next, &mut Vec::new());
        let receipt = w
            .net
            .in_flight
            .iter()
            .find(|e| matches!(e.msg, AmqMsg::Receipt { .. }))
            .unwrap()
            .id;
        fault(&mut w, Fault::Drop { msg: receipt });
        fault(&mut w, Fault::Crash { node: B1 });
        let mut events = Vec::new();
        for _ in 0..100 {
            let Some(next) = w.next_due() else { break };
            w.apply(&next, &mut events);
        }
        assert!(events.iter().any(|e| matches!(
            e,
            Event::Note {
                note: AmqNote::DuplicateDropped { .. }
            }
        )));
        assert!(w.protocol.ledger.find("m1").unwrap().safe.is_some());
        let c = consumer(&w);
        assert_eq!(process_all(&mut w, c), ["m1"]);
        assert_eq!(w.protocol.ledger.find("m1").unwrap().processed, 1);
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_replicated_write_is_confirmed_only_after_a_quorum_has_it() {
        let mut w = world(&master_slave(StoreKind::Replicated, &[B1, B2, B3]));
        fault(&mut w, Fault::Crash { node: B3 });
        send(&mut w, true);
        settle(&mut w);
        assert!(
            w.protocol.ledger.find("m1").unwrap().safe.is_some(),
            "B1 + B2 is a quorum of 3"
        );
        fault(&mut w, Fault::Crash { node: B2 });
        send(&mut w, true);
        settle(&mut w);
        assert!(
            w.protocol.ledger.find("m2").unwrap().safe.is_none(),
            "B1 alone is no quorum"
        );
        fault(&mut w, Fault::Restart { node: B3 });
        settle(&mut w);
        assert!(
            w.protocol.ledger.find("m2").unwrap().safe.is_some(),
            "B3 caught up"
        );
        assert_eq!(w.protocol.disks[&B3].len(), 2);
    }

    #[test]
    fn zookeeper_elects_the_most_up_to_date_broker_and_needs_a_quorum() {
        let mut w = world(&master_slave(StoreKind::Replicated, &[B1, B2, B3]));
        send(&mut w, true);
        settle(&mut w);
        fault(&mut w, Fault::Crash { node: B2 });
        send(&mut w, true);
        settle(&mut w);
        assert!(w.protocol.ledger.find("m2").unwrap().safe.is_some());
        fault(&mut w, Fault::Crash { node: B1 });
        settle(&mut w);
        assert_eq!(
            w.protocol.groups[0].master, None,
            "one of three is no quorum"
        );
        assert!(broken(&w).contains(&AVAILABLE.to_string()));
        fault(&mut w, Fault::Restart { node: B2 });
        settle(&mut w);
        assert_eq!(
            w.protocol.groups[0].master,
            Some(B3),
            "B3 has m2, B2 does not"
        );
        let c = consumer(&w);
        assert_eq!(process_all(&mut w, c), ["m1", "m2"]);
        assert!(broken(&w).is_empty());
        assert_eq!(
            stored(&w.protocol.disks[&B2]).len(),
            0,
            "B2 synced and saw the acks"
        );
    }

    #[test]
    fn an_unreplicated_write_on_a_dead_master_is_lost_but_was_never_confirmed() {
        let mut s = master_slave(StoreKind::Replicated, &[B1, B2, B3]);
        s.link = Some(LinkConfig {
            latency_min: 5,
            latency_max: 5,
            ..LinkConfig::default()
        });
        let mut w = world(&s);
        send(&mut w, true);
        // The send arrives; the master writes and replicates; it dies before any slave answers.
        let next = w.next_due().unwrap();
        w.apply(&next, &mut Vec::new());
        fault(&mut w, Fault::Crash { node: B1 });
        settle(&mut w);
        let m1 = w.protocol.ledger.find("m1").unwrap();
        assert!(
            m1.safe.is_some(),
            "the slaves had it after all, and the resend was confirmed"
        );
        assert!(broken(&w).is_empty(), "{:?}", broken(&w));
    }

    #[test]
    fn a_crashed_consumer_gets_its_unacknowledged_message_again_flagged() {
        let mut w = world(&master_slave(StoreKind::Own, &[B1]));
        send(&mut w, true);
        settle(&mut w);
        let c = consumer(&w);
        assert_eq!(w.protocol.consumers[&c].prefetched.len(), 1);
        fault(&mut w, Fault::Crash { node: c });
        fault(&mut w, Fault::Restart { node: c });
        settle(&mut w);
        let m = w.protocol.consumers[&c].prefetched.front().unwrap();
        assert!(m.redelivered);
        assert_eq!(process_all(&mut w, c), ["m1"]);
    }

    #[test]
    fn invalid_set_ups_are_refused_with_a_message() {
        let mut s = network(false);
        s.bridges = vec![Connector::one_way(0, 0)];
        assert!(AmqLab::new(&s).is_err());
        let mut s = network(false);
        s.bridges = vec![Connector::one_way(0, 1), Connector::duplex(1, 0)];
        assert!(AmqLab::new(&s).is_err(), "two connectors carry B1 → B2");
        s.bridges = vec![Connector::one_way(0, 1), Connector::one_way(1, 0)];
        assert!(
            AmqLab::new(&s).is_ok(),
            "one each way is a duplex made of two"
        );
        let mut s = network(false);
        s.groups[0].brokers.push(B2);
        assert!(AmqLab::new(&s).is_err());
        let mut s = network(false);
        s.consumers[0].prefetch = 0;
        assert!(AmqLab::new(&s).is_err());
        let mut s = master_slave(StoreKind::Shared, &[B1, B2]);
        s.producers[0].uris = vec![B2, B1];
        assert!(AmqLab::new(&s).is_err(), "B2 starts as a slave");
        let mut w = world(&network(false));
        let mut out = Vec::new();
        w.apply(
            &Action::Op {
                op: AmqOp::Process { consumer: C1 },
            },
            &mut out,
        );
        assert!(matches!(out[0], Event::Skipped { .. }));
    }

    /// Applies what is due next, `n` times or until nothing is, checking that no step records
    /// more than a handful of events; returns every note.
    fn run_bounded(w: &mut World<AmqLab>, n: usize) -> Vec<AmqNote> {
        let mut notes = Vec::new();
        for _ in 0..n {
            let Some(next) = w.next_due() else { break };
            let mut events = Vec::new();
            w.apply(&next, &mut events);
            assert!(events.len() < 40, "{} events in one step", events.len());
            notes.extend(events.into_iter().filter_map(|e| match e {
                Event::Note { note } => Some(note),
                _ => None,
            }));
        }
        notes
    }

    /// Issue 11: a partition cut a bridge with messages forwarded on it unacknowledged, and every
    /// lost forward put them all back and sent them all again at once. Now the connector tears
    /// the bridge down once, the messages wait on B2, and it reconnects with its backoff.
    #[test]
    fn a_partition_between_brokers_keeps_the_messages_waiting_while_the_bridge_reconnects() {
        let mut w = world(&network(false));
        send(&mut w, true);
        send(&mut w, true);
        // B2 stores both and forwards them; the network splits before they reach B1.
        run_bounded(&mut w, 2);
        assert_eq!(
            w.net
                .in_flight
                .iter()
                .filter(|e| matches!(e.msg, AmqMsg::Forward { .. }))
                .count(),
            2
        );
        fault(
            &mut w,
            Fault::Partition {
                groups: vec![vec![B1, C1, C2]],
            },
        );
        let mut notes = Vec::new();
        while w.now < 2_000 {
            notes.extend(run_bounded(&mut w, 1));
        }
        let failed = notes
            .iter()
            .filter(|n| matches!(n, AmqNote::BridgeFailed { .. }))
            .count();
        assert_eq!(failed, 1, "one teardown for two lost forwards");
        let requeued: Vec<&Vec<String>> = notes
            .iter()
            .filter_map(|n| match n {
                AmqNote::Requeued { labels, .. } => Some(labels),
                _ => None,
            })
            .collect();
        assert_eq!(
            requeued,
            [&vec!["m1".to_string(), "m2".to_string()]],
            "back once"
        );
        let waits: Vec<Time> = notes
            .iter()
            .filter_map(|n| match n {
                AmqNote::BridgeRetry { retry_in, .. } => Some(*retry_in),
                _ => None,
            })
            .collect();
        assert_eq!(
            waits[..3],
            [200, 400, 800],
            "each failed attempt doubles the wait"
        );
        assert!(!w.protocol.links[0].up);
        assert_eq!(on(&w, 1), ["m1", "m2"], "the messages wait on B2");
        assert!(w.protocol.groups[1].queues["orders"]
            .iter()
            .all(|h| h.sent_to.is_none()));
        assert!(
            !broken(&w).contains(&STRANDED.to_string()),
            "waiting for the bridge is not stranded"
        );
        // Many attempts later the wait stops growing.
        while w.now < 20_000 {
            run_bounded(&mut w, 1);
        }
        assert_eq!(w.protocol.links[0].backoff, MAX_NETWORK_RECONNECT_DELAY);
        fault(&mut w, Fault::Heal);
        let notes = run_bounded(&mut w, 4);
        assert!(notes
            .iter()
            .any(|n| matches!(n, AmqNote::BridgeConnected { from: 1, to: 0 })));
        assert!(w.protocol.links[0].up);
        assert_eq!(w.protocol.links[0].connection, 1, "a new connection");
        let mut got = process_all(&mut w, C1);
        got.extend(process_all(&mut w, C2));
        got.sort();
        assert_eq!(got, ["m1", "m2"]);
        for label in ["m1", "m2"] {
            assert_eq!(w.protocol.ledger.find(label).unwrap().processed, 1);
        }
        assert!(broken(&w).is_empty(), "{:?}", broken(&w));
    }

    /// A forward dropped alone breaks the bridge's connection; the other forward on that
    /// connection is never stored, so the message is forwarded once more, not twice.
    #[test]
    fn a_dropped_forward_closes_the_connection_and_nothing_arrives_twice() {
        let mut w = world(&network(false));
        send(&mut w, true);
        send(&mut w, true);
        run_bounded(&mut w, 2);
        let first = w
            .net
            .in_flight
            .iter()
            .find(|e| matches!(e.msg, AmqMsg::Forward { .. }))
            .unwrap()
            .id;
        fault(&mut w, Fault::Drop { msg: first });
        assert!(!w.protocol.links[0].up);
        settle(&mut w);
        assert!(w.protocol.links[0].up);
        let mut got = process_all(&mut w, C1);
        got.extend(process_all(&mut w, C2));
        got.sort();
        assert_eq!(got, ["m1", "m2"]);
        assert!(broken(&w).is_empty(), "{:?}", broken(&w));
    }

    /// A consumer cut off from its broker: the lost dispatch breaks the connection, the broker
    /// puts the messages back once (not once per lost message), and after the heal each is
    /// consumed.
    #[test]
    fn a_partition_between_a_consumer_and_its_broker_does_bounded_work() {
        let mut s = master_slave(StoreKind::Own, &[B1]);
        s.consumers[0].prefetch = 5;
        let mut w = world(&s);
        let c = consumer(&w);
        fault(
            &mut w,
            Fault::Partition {
                groups: vec![vec![c]],
            },
        );
        for _ in 0..4 {
            send(&mut w, true);
        }
        let notes = run_bounded(&mut w, 200);
        assert!(notes
            .iter()
            .any(|n| matches!(n, AmqNote::ConnectionLost { .. })));
        // Across the partition the failover transport's connect fails, and it backs off: 10 ms,
        // 20, 40, … (not a reconnect and a drop every 10 ms).
        let retries: Vec<Time> = notes
            .iter()
            .filter_map(|n| match n {
                AmqNote::NoBroker {
                    client,
                    tried,
                    retry_in: Some(after),
                } if *client == c => {
                    assert!(tried.iter().all(|(_, why)| *why == Refusal::Unreachable));
                    Some(*after)
                }
                _ => None,
            })
            .collect();
        assert!(retries.len() >= 3, "{retries:?}");
        assert!(retries
            .windows(2)
            .all(|w| w[1] == (w[0] * 2).min(MAX_RECONNECT_DELAY)));
        assert!(!notes
            .iter()
            .any(|n| matches!(n, AmqNote::Connected { client, .. } if *client == c)));
        fault(&mut w, Fault::Heal);
        run_bounded(&mut w, 50);
        let got = process_all(&mut w, c);
        assert_eq!(got, ["m1", "m2", "m3", "m4"]);
        assert!(!broken(&w).contains(&super::super::ledger::NO_LOSS.to_string()));
    }

    #[test]
    fn set_ups_and_operations_beyond_the_bounds_are_refused() {
        let long = "q".repeat(bounds::MAX_NAME_BYTES + 1);
        let refused = |s: &AmqSetup| AmqLab::new(s).unwrap_err().en;
        let mut s = network(false);
        s.link = Some(LinkConfig {
            latency_min: 1,
            latency_max: bounds::MAX_SPAN_MS + 1,
            ..LinkConfig::default()
        });
        assert!(refused(&s).contains("at most a day"));
        let mut s = network(false);
        s.network_prefetch = MAX_PREFETCH + 1;
        assert!(refused(&s).contains("network prefetch"));
        s.network_prefetch = 0;
        assert!(refused(&s).contains("network prefetch"));
        let mut s = network(false);
        s.nodes[0].name = long.clone();
        assert!(refused(&s).contains("node's name"));
        let mut s = network(false);
        s.groups[0].name = long.clone();
        assert!(refused(&s).contains("group's name"));
        let mut s = network(false);
        s.consumers[0].queue = long.clone();
        assert!(refused(&s).contains("queue's name"));
        let mut s = network(false);
        s.consumers[0].uris = vec![B1; MAX_NODES + 1];
        assert!(refused(&s).contains("client's URI"));
        let mut s = network(false);
        s.bridges = vec![Connector::one_way(0, 1); MAX_CONNECTORS + 1];
        assert!(refused(&s).contains("network connectors"));
        let mut s = network(false);
        s.groups = vec![s.groups[0].clone(); MAX_GROUPS + 1];
        assert!(refused(&s).contains("broker groups"));
        let send = |queue: String| AmqOp::Send {
            producer: P,
            queue,
            persistent: true,
        };
        let e = AmqLab::check_input(&send(long)).unwrap_err();
        assert!(e.en.contains("queue's name") && e.zh.contains("队列名"));
        assert!(AmqLab::check_input(&send("q".repeat(bounds::MAX_NAME_BYTES))).is_ok());
        assert!(AmqLab::check_input(&AmqOp::Process { consumer: C1 }).is_ok());
    }

    #[derive(Clone, Debug)]
    enum Step {
        Send(bool),
        Process,
        Crash(NodeId),
        Restart(NodeId),
        Wait(u64),
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        prop_oneof![
            any::<bool>().prop_map(Step::Send),
            Just(Step::Process),
            prop::sample::select(vec![B1, B2, B3]).prop_map(Step::Crash),
            prop::sample::select(vec![B1, B2, B3]).prop_map(Step::Restart),
            (1u64..200).prop_map(Step::Wait),
        ]
    }

    proptest! {
        /// Persistent messages the producer was told are safe survive any sequence of broker
        /// crashes and restarts, in both master/slave arrangements.
        #[test]
        fn confirmed_messages_survive_any_broker_crashes(
            replicated in any::<bool>(),
            steps in prop::collection::vec(step_strategy(), 1..40),
        ) {
            let (store, brokers) = if replicated {
                (StoreKind::Replicated, vec![B1, B2, B3])
            } else {
                (StoreKind::Shared, vec![B1, B2])
            };
            let mut w = world(&master_slave(store, &brokers));
            let c = w.protocol.setup.consumers[0].node;
            for step in steps {
                let action = match step {
                    Step::Send(p) => Action::Op { op: AmqOp::Send { producer: P, queue: "orders".into(), persistent: p } },
                    Step::Process => Action::Op { op: AmqOp::Process { consumer: c } },
                    Step::Crash(b) if brokers.contains(&b) => Action::Fault { fault: Fault::Crash { node: b } },
                    Step::Restart(b) if brokers.contains(&b) => Action::Fault { fault: Fault::Restart { node: b } },
                    Step::Wait(ms) => Action::Wait { ms },
                    _ => continue,
                };
                w.apply(&action, &mut Vec::new());
                let mut v = Vec::new();
                w.protocol.violations(&w.nodes, &mut v);
                prop_assert!(
                    !v.iter().any(|v| v.invariant == super::super::ledger::NO_LOSS),
                    "{v:?}"
                );
            }
        }
    }
}
