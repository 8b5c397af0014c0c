//! The network between nodes: every message is an envelope in flight with a delivery time drawn from
//! its link's latency range. Links can lose and duplicate messages at a configured rate, and a
//! partition splits the nodes into groups that cannot reach each other.

use alloc::collections::BTreeMap;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::rng::SimRng;
use super::{NodeId, Time};

/// Identifies one message (or one copy of a duplicated message) for the whole run.
pub type MsgId = u64;

/// The behaviour of a directed link.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LinkConfig {
    pub latency_min: Time,
    pub latency_max: Time,
    /// Chance in thousandths that a sent message is lost.
    pub loss_permille: u16,
    /// Chance in thousandths that a sent message arrives twice.
    pub duplicate_permille: u16,
    /// Messages on this link arrive in the order they were sent, as on a TCP connection. Without
    /// it each message draws its own latency and may overtake the one before.
    #[serde(default = "fifo_default")]
    pub fifo: bool,
}

impl LinkConfig {
    /// Checks a link's settings from a file: latencies in order and at most a day, rates at most
    /// 1,000 per mille.
    pub fn check(&self) -> Result<(), crate::text::Text> {
        super::bounds::span(("the link's latency", "链路延迟"), self.latency_max)?;
        if self.latency_min > self.latency_max {
            return Err(crate::text::Text::new(
                alloc::format!(
                    "The link's smallest latency ({} ms) is larger than its largest ({} ms).",
                    self.latency_min,
                    self.latency_max
                ),
                alloc::format!(
                    "链路的最小延迟（{} ms）大于最大延迟（{} ms）。",
                    self.latency_min,
                    self.latency_max
                ),
            ));
        }
        if self.loss_permille > 1000 || self.duplicate_permille > 1000 {
            return Err(crate::text::Text::new(
                "A link's loss and duplication rates are per mille: 0 to 1,000.",
                "链路的丢失率和重复率以千分比计：0 到 1,000。",
            ));
        }
        Ok(())
    }
}

fn fifo_default() -> bool {
    true
}

impl Default for LinkConfig {
    fn default() -> Self {
        LinkConfig {
            latency_min: 10,
            latency_max: 30,
            loss_permille: 0,
            duplicate_permille: 0,
            fifo: true,
        }
    }
}

/// Why a message did not arrive.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum LossReason {
    /// The link lost it at random (its loss rate).
    Link,
    /// Sender and receiver were on different sides of a partition.
    Partition,
    /// The receiver was down when the message arrived.
    ReceiverDown,
    /// The sender was down and could not send.
    SenderDown,
    /// A fault dropped this very message.
    Dropped,
}

/// A message in flight.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Envelope<M> {
    pub id: MsgId,
    pub from: NodeId,
    pub to: NodeId,
    pub sent_at: Time,
    pub deliver_at: Time,
    pub msg: M,
}

/// Where messages travel.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Network<M> {
    pub default_link: LinkConfig,
    /// Links that behave differently from the default, keyed by (from, to).
    pub links: BTreeMap<(NodeId, NodeId), LinkConfig>,
    /// Partition group of every node; `None` when the network is whole.
    pub groups: Option<Vec<u16>>,
    /// Messages on their way, in the order they were sent.
    pub in_flight: Vec<Envelope<M>>,
    next_id: MsgId,
    /// The latest delivery time scheduled on each link, to keep FIFO links in order.
    last_delivery: BTreeMap<(NodeId, NodeId), Time>,
}

/// What a send did, for the trace.
pub(crate) enum SendOutcome {
    Sent {
        id: MsgId,
        deliver_at: Time,
        copy: Option<(MsgId, Time)>,
    },
    Lost {
        id: MsgId,
        reason: LossReason,
    },
}

impl<M: Clone> Network<M> {
    pub fn new(default_link: LinkConfig) -> Self {
        Network {
            default_link,
            links: BTreeMap::new(),
            groups: None,
            in_flight: Vec::new(),
            next_id: 1,
            last_delivery: BTreeMap::new(),
        }
    }

    pub fn link(&self, from: NodeId, to: NodeId) -> LinkConfig {
        self.links
            .get(&(from, to))
            .copied()
            .unwrap_or(self.default_link)
    }

    /// True when a partition separates the two nodes.
    pub fn partitioned(&self, a: NodeId, b: NodeId) -> bool {
        match &self.groups {
            None => false,
            Some(groups) => {
                let ga = groups.get(usize::from(a)).copied().unwrap_or(0);
                let gb = groups.get(usize::from(b)).copied().unwrap_or(0);
                ga != gb
            }
        }
    }

    /// True when this message is the next one its FIFO link may deliver (always true on a link
    /// that may reorder).
    pub fn is_head_of_line(&self, env: &Envelope<M>) -> bool {
        !self.link(env.from, env.to).fifo
            || !self.in_flight.iter().any(|e| {
                e.from == env.from
                    && e.to == env.to
                    && (e.deliver_at, e.id) < (env.deliver_at, env.id)
            })
    }

    /// A delivery time for a new message on a link: drawn from its latency range, and on a FIFO
    /// link no earlier than the message sent before it.
    fn schedule(&mut self, rng: &mut SimRng, now: Time, from: NodeId, to: NodeId) -> Time {
        let link = self.link(from, to);
        let drawn = now.saturating_add(rng.between(link.latency_min, link.latency_max));
        if !link.fifo {
            return drawn;
        }
        let last = self.last_delivery.entry((from, to)).or_insert(0);
        *last = (*last).max(drawn);
        *last
    }

    /// Whether every link has a fixed latency and neither loses nor duplicates at random: then
    /// the generator decides nothing on the network.
    pub fn is_deterministic(&self) -> bool {
        core::iter::once(&self.default_link)
            .chain(self.links.values())
            .all(|l| {
                l.latency_min == l.latency_max && l.loss_permille == 0 && l.duplicate_permille == 0
            })
    }

    /// Hashes what the network keeps besides the messages in flight: the partition and, when
    /// latencies are random, the latest delivery time scheduled on each link (a FIFO link
    /// delivers nothing earlier; with fixed latencies it never holds a message back).
    pub fn hash_links<H: core::hash::Hasher>(&self, h: &mut H) {
        use core::hash::Hash;
        self.groups.hash(h);
        if !self.is_deterministic() {
            self.last_delivery.hash(h);
        }
    }

    pub fn find(&self, id: MsgId) -> Option<&Envelope<M>> {
        self.in_flight.iter().find(|e| e.id == id)
    }

    pub(crate) fn take(&mut self, id: MsgId) -> Option<Envelope<M>> {
        let at = self.in_flight.iter().position(|e| e.id == id)?;
        Some(self.in_flight.remove(at))
    }

    pub(crate) fn fresh_id(&mut self) -> MsgId {
        let id = self.next_id;
        self.next_id += 1;
        id
    }

    /// Sends a message: the link decides whether it is lost, when it arrives, and whether a second
    /// copy follows it. Loss and duplication are drawn from the world's seeded generator.
    pub(crate) fn send(
        &mut self,
        rng: &mut SimRng,
        now: Time,
        from: NodeId,
        to: NodeId,
        msg: M,
    ) -> SendOutcome {
        let id = self.fresh_id();
        if self.partitioned(from, to) {
            return SendOutcome::Lost {
                id,
                reason: LossReason::Partition,
            };
        }
        let link = self.link(from, to);
        if rng.chance_permille(link.loss_permille) {
            return SendOutcome::Lost {
                id,
                reason: LossReason::Link,
            };
        }
        let deliver_at = self.schedule(rng, now, from, to);
        let copy = if rng.chance_permille(link.duplicate_permille) {
            let copy_id = self.fresh_id();
            let copy_at = self.schedule(rng, now, from, to);
            self.in_flight.push(Envelope {
                id: copy_id,
                from,
                to,
                sent_at: now,
                deliver_at: copy_at,
                msg: msg.clone(),
            });
            Some((copy_id, copy_at))
        } else {
            None
        };
        self.in_flight.push(Envelope {
            id,
            from,
            to,
            sent_at: now,
            deliver_at,
            msg,
        });
        SendOutcome::Sent {
            id,
            deliver_at,
            copy,
        }
    }
}
