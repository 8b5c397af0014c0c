//! A world: a lab's protocol state plus the kernel's nodes, network, timers, clock and random number
//! generator. Everything that can happen is an [`Action`]; faults are actions like any other, so a
//! scenario, a student's fault toolbar and an explorer all drive the world the same way.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::bounds::{
    MAX_EVENTS_PER_STEP, MAX_IN_FLIGHT, MAX_PENDING_TIMERS, MAX_SENDS_PER_STEP, MAX_TIMERS_PER_STEP,
};
use super::model::{Model, Violation};
use super::network::{Envelope, LinkConfig, LossReason, MsgId, Network, SendOutcome};
use super::rng::SimRng;
use super::Time;
use crate::text::Text;

/// Index of a node in the world, 0-based.
pub type NodeId = u8;
/// Identifies one pending timer.
pub type TimerId = u64;

/// Whether a node is running.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum NodeStatus {
    Up,
    /// Crashed: handles nothing until restarted; what survives is the protocol's choice.
    Down,
    /// Stopped for a while (a GC pause, a slow VM): it keeps its state and resumes at `until`.
    Paused {
        until: Time,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct NodeState {
    pub name: String,
    pub status: NodeStatus,
    /// How far this node's wall clock is from true virtual time, in milliseconds.
    pub clock_offset: i64,
}

impl NodeState {
    pub fn is_up(&self) -> bool {
        self.status == NodeStatus::Up
    }
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct PendingTimer<T> {
    pub id: TimerId,
    pub node: NodeId,
    pub fire_at: Time,
    pub timer: T,
}

/// A fault a teacher, a student or an explorer can inject at any step.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Fault {
    Crash {
        node: NodeId,
    },
    Restart {
        node: NodeId,
    },
    /// Splits the nodes into groups; nodes not listed form one more group together.
    Partition {
        groups: Vec<Vec<NodeId>>,
    },
    Heal,
    Pause {
        node: NodeId,
        ms: Time,
    },
    ClockJump {
        node: NodeId,
        delta_ms: i64,
    },
    Drop {
        msg: MsgId,
    },
    Duplicate {
        msg: MsgId,
    },
}

/// The kinds of fault, for the toolbar and for the list a scenario allows.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FaultKind {
    Crash,
    Restart,
    Partition,
    Heal,
    Pause,
    ClockJump,
    Drop,
    Duplicate,
}

impl Fault {
    pub fn kind(&self) -> FaultKind {
        match self {
            Fault::Crash { .. } => FaultKind::Crash,
            Fault::Restart { .. } => FaultKind::Restart,
            Fault::Partition { .. } => FaultKind::Partition,
            Fault::Heal => FaultKind::Heal,
            Fault::Pause { .. } => FaultKind::Pause,
            Fault::ClockJump { .. } => FaultKind::ClockJump,
            Fault::Drop { .. } => FaultKind::Drop,
            Fault::Duplicate { .. } => FaultKind::Duplicate,
        }
    }
}

/// One step of a world.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action<Op> {
    /// A lab operation: a client request, a membership change, a setting.
    Op {
        op: Op,
    },
    /// The network delivers this message (time moves to its delivery time if that is later).
    Deliver {
        msg: MsgId,
    },
    /// A timer fires (time moves to its deadline if that is later).
    Fire {
        timer: TimerId,
    },
    /// A paused node wakes up at the end of its pause.
    Resume {
        node: NodeId,
    },
    /// Time passes with nothing else happening.
    Wait {
        ms: Time,
    },
    Fault {
        fault: Fault,
    },
}

/// What happened in a step.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Event<M, N> {
    Sent {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        deliver_at: Time,
        body: M,
    },
    Duplicated {
        msg: MsgId,
        copy: MsgId,
        deliver_at: Time,
    },
    Lost {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        reason: LossReason,
    },
    Delivered {
        msg: MsgId,
        from: NodeId,
        to: NodeId,
        body: M,
    },
    TimerSet {
        timer: TimerId,
        node: NodeId,
        fire_at: Time,
    },
    TimerFired {
        timer: TimerId,
        node: NodeId,
    },
    Crashed {
        node: NodeId,
    },
    Restarted {
        node: NodeId,
    },
    Paused {
        node: NodeId,
        until: Time,
    },
    Resumed {
        node: NodeId,
    },
    ClockJumped {
        node: NodeId,
        delta_ms: i64,
        offset: i64,
    },
    Partitioned {
        groups: Vec<u16>,
    },
    Healed,
    Waited {
        ms: Time,
    },
    /// The action was not enabled in this state (for example a message that a fault already dropped);
    /// nothing changed.
    Skipped {
        reason: Text,
    },
    /// A lab-specific event.
    Note {
        note: N,
    },
    /// The step did more work than a step may ([`super::bounds`]): what it would have done beyond
    /// the limit was not done, and the run stops after this step.
    Halted {
        reason: Text,
    },
}

/// A lab's protocol. The kernel calls these handlers; they change the protocol's state and ask the
/// kernel, through [`Ctx`], to send messages, set timers and record events. No handler sees a real
/// clock or a global random number generator.
pub trait Protocol: Clone + Debug {
    type Msg: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    type Op: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    type Timer: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    type Note: Clone + Debug + PartialEq + Serialize + DeserializeOwned;

    /// Whether the protocol's handlers draw from the world's generator (`Ctx::rng`); an explorer's
    /// fingerprint then includes the generator's position.
    const DRAWS_RANDOMNESS: bool = false;

    /// Lab operations enabled in this state, for an explorer.
    fn ops(&self, _nodes: &[NodeState], _out: &mut Vec<Self::Op>) {}
    /// Checks an operation before it runs; `Err` records it as skipped with that reason.
    fn check_op(&self, _op: &Self::Op, _nodes: &[NodeState]) -> Result<(), Text> {
        Ok(())
    }
    fn on_op(&mut self, op: &Self::Op, ctx: &mut Ctx<'_, Self>);
    fn on_msg(&mut self, _to: NodeId, _from: NodeId, _msg: Self::Msg, _ctx: &mut Ctx<'_, Self>) {}
    fn on_timer(&mut self, _node: NodeId, _timer: Self::Timer, _ctx: &mut Ctx<'_, Self>) {}
    /// The node crashed: drop whatever this protocol keeps only in memory.
    fn on_crash(&mut self, _node: NodeId, _ctx: &mut Ctx<'_, Self>) {}
    fn on_restart(&mut self, _node: NodeId, _ctx: &mut Ctx<'_, Self>) {}
    fn on_resume(&mut self, _node: NodeId, _ctx: &mut Ctx<'_, Self>) {}
    /// A message was lost (by the link, a partition, a down receiver or a fault), so that a lab
    /// can account for it; the kernel has already recorded the loss in the trace.
    fn on_lost(
        &mut self,
        _envelope: &Envelope<Self::Msg>,
        _reason: LossReason,
        _ctx: &mut Ctx<'_, Self>,
    ) {
    }
    /// The invariants broken in this state.
    fn violations(&self, _nodes: &[NodeState], _out: &mut Vec<Violation>) {}
}

/// The kernel's services, lent to a protocol handler for one step.
pub struct Ctx<'a, P: Protocol> {
    now: Time,
    nodes: &'a [NodeState],
    net: &'a mut Network<P::Msg>,
    timers: &'a mut Vec<PendingTimer<P::Timer>>,
    next_timer: &'a mut TimerId,
    rng: &'a mut SimRng,
    events: &'a mut Vec<Event<P::Msg, P::Note>>,
    /// Messages lost while this handler ran; the world reports them to the protocol afterwards.
    lost: &'a mut Vec<(Envelope<P::Msg>, LossReason)>,
    /// The work done so far in this step.
    budget: &'a mut Budget,
}

/// A piece of work a handler asks the kernel for.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Work {
    Send,
    Timer,
    Event,
}

/// The work one step has done, counted against the limits of [`super::bounds`].
#[derive(Default)]
struct Budget {
    sends: usize,
    timers: usize,
    /// Why the step went over a limit, the first time it did.
    over: Option<Text>,
}

impl Budget {
    /// Notes the first limit the step went over, as a clause ("sent more than 2,000 messages").
    fn exceed(&mut self, en: String, zh: String) {
        if self.over.is_none() {
            self.over = Some(Text::new(en, zh));
        }
    }
}

impl<P: Protocol> Ctx<'_, P> {
    /// True virtual time.
    pub fn now(&self) -> Time {
        self.now
    }

    /// What the node's own wall clock reads; differs from [`Ctx::now`] after a clock jump.
    pub fn wall_clock(&self, node: NodeId) -> i64 {
        let offset = self
            .nodes
            .get(usize::from(node))
            .map_or(0, |n| n.clock_offset);
        self.now as i64 + offset
    }

    pub fn nodes(&self) -> &[NodeState] {
        self.nodes
    }

    pub fn is_up(&self, node: NodeId) -> bool {
        self.nodes
            .get(usize::from(node))
            .is_some_and(NodeState::is_up)
    }

    /// Whether `from` can open a connection to `to` now: `to` is up and no partition separates
    /// them. A protocol uses it for a connection handshake it does not model message by message
    /// (a TCP connect that fails at once across a partition).
    pub fn reachable(&self, from: NodeId, to: NodeId) -> bool {
        self.is_up(to) && !self.net.partitioned(from, to)
    }

    pub fn rng(&mut self) -> &mut SimRng {
        self.rng
    }

    pub fn note(&mut self, note: P::Note) {
        if self.may_work(Work::Event) {
            self.events.push(Event::Note { note });
        }
    }

    /// Whether the step may do one more piece of work; when it may not, the budget remembers why
    /// (the first limit it went over) and the work is not done.
    fn may_work(&mut self, work: Work) -> bool {
        if self.budget.over.is_some() {
            return false;
        }
        let send = work == Work::Send;
        let timer = work == Work::Timer;
        // (applies, count so far, limit, English and Chinese words around the limit)
        let limits = [
            (
                true,
                self.events.len(),
                MAX_EVENTS_PER_STEP,
                ("recorded more than", "events"),
                ("记录的事件超过了", "个"),
            ),
            (
                send,
                self.budget.sends,
                MAX_SENDS_PER_STEP,
                ("sent more than", "messages"),
                ("发送的消息超过了", "条"),
            ),
            (
                send,
                self.net.in_flight.len(),
                MAX_IN_FLIGHT,
                ("would have put more than", "messages in flight"),
                ("会让在途消息超过", "条"),
            ),
            (
                timer,
                self.budget.timers,
                MAX_TIMERS_PER_STEP,
                ("set more than", "timers"),
                ("设置的定时器超过了", "个"),
            ),
            (
                timer,
                self.timers.len(),
                MAX_PENDING_TIMERS,
                ("would have left more than", "timers pending"),
                ("会让待触发的定时器超过", "个"),
            ),
        ];
        if let Some((_, _, limit, en, zh)) = limits
            .into_iter()
            .find(|(applies, count, limit, ..)| *applies && count >= limit)
        {
            let n = crate::text::thousands(limit as u64);
            self.budget.exceed(
                alloc::format!("{} {n} {}", en.0, en.1),
                alloc::format!("{} {n} {}", zh.0, zh.1),
            );
            return false;
        }
        match work {
            Work::Send => self.budget.sends += 1,
            Work::Timer => self.budget.timers += 1,
            Work::Event => {}
        }
        true
    }

    /// Sends a message over the network. A node that is not up cannot send. Past the step's
    /// limits ([`super::bounds`]) nothing is sent and the run stops after the step.
    pub fn send(&mut self, from: NodeId, to: NodeId, msg: P::Msg) {
        if !self.may_work(Work::Send) {
            return;
        }
        if !self.is_up(from) {
            let id = self.net.fresh_id();
            self.events.push(Event::Lost {
                msg: id,
                from,
                to,
                reason: LossReason::SenderDown,
            });
            self.lost.push((
                Envelope {
                    id,
                    from,
                    to,
                    sent_at: self.now,
                    deliver_at: self.now,
                    msg,
                },
                LossReason::SenderDown,
            ));
            return;
        }
        match self.net.send(self.rng, self.now, from, to, msg.clone()) {
            SendOutcome::Sent {
                id,
                deliver_at,
                copy,
            } => {
                self.events.push(Event::Sent {
                    msg: id,
                    from,
                    to,
                    deliver_at,
                    body: msg,
                });
                if let Some((copy, deliver_at)) = copy {
                    self.events.push(Event::Duplicated {
                        msg: id,
                        copy,
                        deliver_at,
                    });
                }
            }
            SendOutcome::Lost { id, reason } => {
                self.events.push(Event::Lost {
                    msg: id,
                    from,
                    to,
                    reason,
                });
                self.lost.push((
                    Envelope {
                        id,
                        from,
                        to,
                        sent_at: self.now,
                        deliver_at: self.now,
                        msg,
                    },
                    reason,
                ));
            }
        }
    }

    /// Sets a timer on a node, `after` milliseconds from now. Timers run on true time: a jump of the
    /// node's wall clock does not move them, as with a monotonic clock. Past the step's limits
    /// ([`super::bounds`]) the timer is not set (its id never fires) and the run stops after the
    /// step.
    pub fn set_timer(&mut self, node: NodeId, after: Time, timer: P::Timer) -> TimerId {
        let id = *self.next_timer;
        *self.next_timer += 1;
        if !self.may_work(Work::Timer) {
            return id;
        }
        let fire_at = self.now.saturating_add(after);
        self.timers.push(PendingTimer {
            id,
            node,
            fire_at,
            timer,
        });
        self.events.push(Event::TimerSet {
            timer: id,
            node,
            fire_at,
        });
        id
    }

    pub fn cancel_timer(&mut self, id: TimerId) {
        self.timers.retain(|t| t.id != id);
    }
}

/// A lab's protocol together with the kernel state around it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct World<P: Protocol> {
    pub protocol: P,
    pub now: Time,
    pub nodes: Vec<NodeState>,
    pub net: Network<P::Msg>,
    pub timers: Vec<PendingTimer<P::Timer>>,
    next_timer: TimerId,
    pub(crate) rng: SimRng,
    /// What the step that stopped the run did beyond its limits, as a clause ("sent more than
    /// 2,000 messages"; [`Event::Halted`]): a halted world does nothing more.
    pub halted: Option<Text>,
}

impl<P: Protocol> World<P> {
    /// A world with the given nodes (all up), network and seed.
    pub fn new(protocol: P, node_names: &[&str], link: LinkConfig, seed: u64) -> Self {
        World {
            protocol,
            now: 0,
            nodes: node_names
                .iter()
                .map(|name| NodeState {
                    name: String::from(*name),
                    status: NodeStatus::Up,
                    clock_offset: 0,
                })
                .collect(),
            net: Network::new(link),
            timers: Vec::new(),
            next_timer: 1,
            rng: SimRng::seeded(seed),
            halted: None,
        }
    }

    pub fn node(&self, id: NodeId) -> Option<&NodeState> {
        self.nodes.get(usize::from(id))
    }

    fn node_exists(&self, id: NodeId) -> bool {
        usize::from(id) < self.nodes.len()
    }

    /// The action that happens next if nobody intervenes: the earliest message delivery, timer or end
    /// of a pause (ties go to the one created first). `None` when nothing is scheduled.
    pub fn next_due(&self) -> Option<Action<P::Op>> {
        if self.halted.is_some() {
            return None;
        }
        let mut best: Option<(Time, u8, u64, Action<P::Op>)> = None;
        let mut consider = |at: Time, rank: u8, id: u64, action: Action<P::Op>| {
            let better = match &best {
                None => true,
                Some((t, r, i, _)) => (at, rank, id) < (*t, *r, *i),
            };
            if better {
                best = Some((at, rank, id, action));
            }
        };
        for env in &self.net.in_flight {
            if !self.is_paused(env.to) {
                consider(env.deliver_at, 0, env.id, Action::Deliver { msg: env.id });
            }
        }
        for t in &self.timers {
            if self.node(t.node).is_some_and(NodeState::is_up) {
                consider(t.fire_at, 1, t.id, Action::Fire { timer: t.id });
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if let NodeStatus::Paused { until } = n.status {
                consider(until, 2, i as u64, Action::Resume { node: i as NodeId });
            }
        }
        best.map(|(_, _, _, action)| action)
    }

    fn is_paused(&self, node: NodeId) -> bool {
        matches!(
            self.node(node).map(|n| n.status),
            Some(NodeStatus::Paused { .. })
        )
    }

    /// Lends the kernel's services to a protocol handler, then reports every message that was lost
    /// meanwhile to the protocol (whose `on_lost` may itself lose more, a bounded number of times).
    fn with_ctx<R>(
        &mut self,
        events: &mut Vec<Event<P::Msg, P::Note>>,
        f: impl FnOnce(&mut P, &mut Ctx<'_, P>) -> R,
    ) -> R {
        let mut lost = Vec::new();
        let mut budget = Budget::default();
        let result = self.lend(events, &mut lost, &mut budget, f);
        for _ in 0..64 {
            if lost.is_empty() {
                break;
            }
            for (envelope, reason) in core::mem::take(&mut lost) {
                self.lend(events, &mut lost, &mut budget, |p, ctx| {
                    p.on_lost(&envelope, reason, ctx)
                });
            }
        }
        if let Some(clause) = budget.over {
            events.push(Event::Halted {
                reason: super::bounds::halted_step(&clause),
            });
            self.halted = Some(clause);
        }
        result
    }

    fn lend<R>(
        &mut self,
        events: &mut Vec<Event<P::Msg, P::Note>>,
        lost: &mut Vec<(Envelope<P::Msg>, LossReason)>,
        budget: &mut Budget,
        f: impl FnOnce(&mut P, &mut Ctx<'_, P>) -> R,
    ) -> R {
        let World {
            protocol,
            now,
            nodes,
            net,
            timers,
            next_timer,
            rng,
            halted: _,
        } = self;
        let mut ctx = Ctx {
            now: *now,
            nodes,
            net,
            timers,
            next_timer,
            rng,
            events,
            lost,
            budget,
        };
        f(protocol, &mut ctx)
    }

    fn skip(events: &mut Vec<Event<P::Msg, P::Note>>, en: &str, zh: &str) {
        events.push(Event::Skipped {
            reason: Text::new(en, zh),
        });
    }

    fn apply_fault(&mut self, fault: &Fault, events: &mut Vec<Event<P::Msg, P::Note>>) {
        match fault {
            Fault::Crash { node } => {
                let node = *node;
                if !self.node_exists(node) {
                    return Self::skip(events, "no such node", "没有这个节点");
                }
                if self.nodes[usize::from(node)].status == NodeStatus::Down {
                    return Self::skip(events, "node is already down", "节点已经宕机");
                }
                self.nodes[usize::from(node)].status = NodeStatus::Down;
                // A crashed process loses its timers; the protocol decides what else is lost.
                self.timers.retain(|t| t.node != node);
                events.push(Event::Crashed { node });
                self.with_ctx(events, |p, ctx| p.on_crash(node, ctx));
            }
            Fault::Restart { node } => {
                let node = *node;
                if !self.node_exists(node) {
                    return Self::skip(events, "no such node", "没有这个节点");
                }
                if self.nodes[usize::from(node)].status != NodeStatus::Down {
                    return Self::skip(events, "node is not down", "节点没有宕机");
                }
                self.nodes[usize::from(node)].status = NodeStatus::Up;
                events.push(Event::Restarted { node });
                self.with_ctx(events, |p, ctx| p.on_restart(node, ctx));
            }
            Fault::Partition { groups } => {
                // Nodes that no listed group names share group 0; listed groups are 1, 2, ...
                let mut of_node = alloc::vec![0u16; self.nodes.len()];
                for (g, members) in groups.iter().enumerate() {
                    for &n in members {
                        if let Some(slot) = of_node.get_mut(usize::from(n)) {
                            *slot = g as u16 + 1;
                        }
                    }
                }
                events.push(Event::Partitioned {
                    groups: of_node.clone(),
                });
                self.net.groups = Some(of_node);
            }
            Fault::Heal => {
                if self.net.groups.take().is_none() {
                    return Self::skip(events, "the network is not partitioned", "网络没有分区");
                }
                events.push(Event::Healed);
            }
            Fault::Pause { node, ms } => {
                let node = *node;
                if !self.node(node).is_some_and(NodeState::is_up) {
                    return Self::skip(
                        events,
                        "only a running node can be paused",
                        "只有运行中的节点才能暂停",
                    );
                }
                let until = self.now.saturating_add(*ms);
                self.nodes[usize::from(node)].status = NodeStatus::Paused { until };
                events.push(Event::Paused { node, until });
            }
            Fault::ClockJump { node, delta_ms } => {
                let Some(state) = self.nodes.get_mut(usize::from(*node)) else {
                    return Self::skip(events, "no such node", "没有这个节点");
                };
                state.clock_offset = state.clock_offset.saturating_add(*delta_ms);
                events.push(Event::ClockJumped {
                    node: *node,
                    delta_ms: *delta_ms,
                    offset: state.clock_offset,
                });
            }
            Fault::Drop { msg } => match self.net.take(*msg) {
                Some(env) => {
                    events.push(Event::Lost {
                        msg: env.id,
                        from: env.from,
                        to: env.to,
                        reason: LossReason::Dropped,
                    });
                    self.with_ctx(events, |p, ctx| p.on_lost(&env, LossReason::Dropped, ctx));
                }
                None => Self::skip(events, "no such message in flight", "没有这条在途消息"),
            },
            Fault::Duplicate { msg } => {
                let Some(env) = self.net.find(*msg).cloned() else {
                    return Self::skip(events, "no such message in flight", "没有这条在途消息");
                };
                if self.net.in_flight.len() >= MAX_IN_FLIGHT {
                    return Self::skip(
                        events,
                        "too many messages are in flight to copy one more",
                        "在途消息太多，不能再复制",
                    );
                }
                let copy = self.net.fresh_id();
                self.net.in_flight.push(Envelope { id: copy, ..env });
                events.push(Event::Duplicated {
                    msg: *msg,
                    copy,
                    deliver_at: env.deliver_at,
                });
            }
        }
    }

    fn deliver(&mut self, id: MsgId, events: &mut Vec<Event<P::Msg, P::Note>>) {
        let Some(env) = self.net.find(id) else {
            return Self::skip(events, "no such message in flight", "没有这条在途消息");
        };
        if self.is_paused(env.to) {
            return Self::skip(events, "the receiver is paused", "接收方处于暂停状态");
        }
        if !self.net.is_head_of_line(env) {
            return Self::skip(
                events,
                "an earlier message on this in-order link must arrive first",
                "这条保序链路上更早的消息必须先到达",
            );
        }
        let Some(env) = self.net.take(id) else {
            return Self::skip(events, "no such message in flight", "没有这条在途消息");
        };
        self.now = self.now.max(env.deliver_at);
        let reason = if self.net.partitioned(env.from, env.to) {
            Some(LossReason::Partition)
        } else if !self.node(env.to).is_some_and(NodeState::is_up) {
            Some(LossReason::ReceiverDown)
        } else {
            None
        };
        if let Some(reason) = reason {
            events.push(Event::Lost {
                msg: env.id,
                from: env.from,
                to: env.to,
                reason,
            });
            return self.with_ctx(events, |p, ctx| p.on_lost(&env, reason, ctx));
        }
        events.push(Event::Delivered {
            msg: env.id,
            from: env.from,
            to: env.to,
            body: env.msg.clone(),
        });
        self.with_ctx(events, |p, ctx| p.on_msg(env.to, env.from, env.msg, ctx));
    }

    fn fire(&mut self, id: TimerId, events: &mut Vec<Event<P::Msg, P::Note>>) {
        let Some(at) = self.timers.iter().position(|t| t.id == id) else {
            return Self::skip(events, "no such timer", "没有这个定时器");
        };
        if !self
            .node(self.timers[at].node)
            .is_some_and(NodeState::is_up)
        {
            return Self::skip(
                events,
                "the timer's node is not running",
                "定时器所在的节点没有运行",
            );
        }
        let timer = self.timers.remove(at);
        self.now = self.now.max(timer.fire_at);
        events.push(Event::TimerFired {
            timer: timer.id,
            node: timer.node,
        });
        self.with_ctx(events, |p, ctx| p.on_timer(timer.node, timer.timer, ctx));
    }

    fn resume(&mut self, node: NodeId, events: &mut Vec<Event<P::Msg, P::Note>>) {
        let Some(NodeStatus::Paused { until }) = self.node(node).map(|n| n.status) else {
            return Self::skip(events, "the node is not paused", "节点没有暂停");
        };
        self.now = self.now.max(until);
        self.nodes[usize::from(node)].status = NodeStatus::Up;
        events.push(Event::Resumed { node });
        self.with_ctx(events, |p, ctx| p.on_resume(node, ctx));
    }
}

impl<P: Protocol> Model for World<P> {
    type Action = Action<P::Op>;
    type Event = Event<P::Msg, P::Note>;

    fn now(&self) -> Time {
        self.now
    }

    fn actions(&self, out: &mut Vec<Self::Action>) {
        if self.halted.is_some() {
            return;
        }
        let mut ops = Vec::new();
        self.protocol.ops(&self.nodes, &mut ops);
        out.extend(ops.into_iter().map(|op| Action::Op { op }));
        for env in &self.net.in_flight {
            if !self.is_paused(env.to) && self.net.is_head_of_line(env) {
                out.push(Action::Deliver { msg: env.id });
            }
        }
        for t in &self.timers {
            if self.node(t.node).is_some_and(NodeState::is_up) {
                out.push(Action::Fire { timer: t.id });
            }
        }
        for (i, n) in self.nodes.iter().enumerate() {
            if matches!(n.status, NodeStatus::Paused { .. }) {
                out.push(Action::Resume { node: i as NodeId });
            }
        }
    }

    fn apply(&mut self, action: &Self::Action, out: &mut Vec<Self::Event>) {
        if self.halted.is_some() {
            return out.push(Event::Skipped {
                reason: Text::new("the run has stopped", "运行已经停止"),
            });
        }
        match action {
            Action::Op { op } => match self.protocol.check_op(op, &self.nodes) {
                Ok(()) => self.with_ctx(out, |p, ctx| p.on_op(op, ctx)),
                Err(reason) => out.push(Event::Skipped { reason }),
            },
            Action::Deliver { msg } => self.deliver(*msg, out),
            Action::Fire { timer } => self.fire(*timer, out),
            Action::Resume { node } => self.resume(*node, out),
            Action::Wait { ms } => {
                self.now = self.now.saturating_add(*ms);
                out.push(Event::Waited { ms: *ms });
            }
            Action::Fault { fault } => self.apply_fault(fault, out),
        }
    }

    fn violations(&self, out: &mut Vec<Violation>) {
        self.protocol.violations(&self.nodes, out);
    }

    fn halted(&self) -> Option<&Text> {
        self.halted.as_ref()
    }
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use alloc::vec;
    use serde::{Deserialize, Serialize};

    /// A tiny echo protocol for kernel tests: a ping op sends a ping, a ping is answered by a pong,
    /// pongs are counted, and a timer re-sends a ping.
    #[derive(Clone, Debug, PartialEq, Eq, Default)]
    pub(crate) struct Echo {
        pub pongs: Vec<u32>,
        /// Volatile state that a crash wipes.
        pub seen: Vec<u32>,
        /// Every loss the kernel reported, in order.
        pub lost: Vec<LossReason>,
        /// A runaway: every lost message is sent again twice.
        pub resend_twice_on_loss: bool,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub(crate) enum EchoMsg {
        Ping,
        Pong,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
    pub(crate) enum EchoOp {
        Ping {
            from: NodeId,
            to: NodeId,
        },
        Retry {
            node: NodeId,
            to: NodeId,
            after: Time,
        },
        /// Sends `n` pings, or sets `n` timers, in one step.
        Flood {
            n: u32,
            timers: bool,
        },
    }

    impl Protocol for Echo {
        type Msg = EchoMsg;
        type Op = EchoOp;
        type Timer = NodeId;
        type Note = ();

        fn ops(&self, nodes: &[NodeState], out: &mut Vec<EchoOp>) {
            if nodes.len() >= 2 {
                out.push(EchoOp::Ping { from: 0, to: 1 });
            }
        }

        fn on_op(&mut self, op: &EchoOp, ctx: &mut Ctx<'_, Self>) {
            match *op {
                EchoOp::Ping { from, to } => ctx.send(from, to, EchoMsg::Ping),
                EchoOp::Retry { node, to, after } => {
                    ctx.set_timer(node, after, to);
                }
                EchoOp::Flood { n, timers } => {
                    for _ in 0..n {
                        if timers {
                            ctx.set_timer(0, 1, 1);
                        } else {
                            ctx.send(0, 1, EchoMsg::Ping);
                        }
                    }
                }
            }
        }

        fn on_msg(&mut self, to: NodeId, from: NodeId, msg: EchoMsg, ctx: &mut Ctx<'_, Self>) {
            match msg {
                EchoMsg::Ping => {
                    self.seen[usize::from(to)] += 1;
                    ctx.send(to, from, EchoMsg::Pong);
                }
                EchoMsg::Pong => self.pongs[usize::from(to)] += 1,
            }
        }

        fn on_timer(&mut self, node: NodeId, to: NodeId, ctx: &mut Ctx<'_, Self>) {
            ctx.send(node, to, EchoMsg::Ping);
        }

        fn on_crash(&mut self, node: NodeId, _ctx: &mut Ctx<'_, Self>) {
            self.seen[usize::from(node)] = 0;
        }

        fn on_lost(
            &mut self,
            envelope: &Envelope<EchoMsg>,
            reason: LossReason,
            ctx: &mut Ctx<'_, Self>,
        ) {
            self.lost.push(reason);
            if self.resend_twice_on_loss {
                ctx.send(envelope.from, envelope.to, EchoMsg::Ping);
                ctx.send(envelope.from, envelope.to, EchoMsg::Ping);
            }
        }

        fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
            if self.pongs.iter().sum::<u32>() > 1 {
                out.push(Violation {
                    invariant: String::from("echo.at-most-one-pong"),
                    subject: String::new(),
                    name: crate::text::Text::new("one pong", "一个回应"),
                    detail: crate::text::Text::new("more than one pong", "多于一个回应"),
                    severity: super::super::Severity::Error,
                });
            }
        }
    }

    pub(crate) fn echo_world(link: LinkConfig, seed: u64) -> World<Echo> {
        let echo = Echo {
            pongs: vec![0; 3],
            seen: vec![0; 3],
            lost: Vec::new(),
            resend_twice_on_loss: false,
        };
        World::new(echo, &["A", "B", "C"], link, seed)
    }

    fn apply(w: &mut World<Echo>, action: Action<EchoOp>) -> Vec<Event<EchoMsg, ()>> {
        let mut out = Vec::new();
        w.apply(&action, &mut out);
        out
    }

    fn ping(w: &mut World<Echo>, from: NodeId, to: NodeId) -> Vec<Event<EchoMsg, ()>> {
        apply(
            w,
            Action::Op {
                op: EchoOp::Ping { from, to },
            },
        )
    }

    /// Runs scheduled deliveries and timers until nothing is due.
    fn settle(w: &mut World<Echo>) -> Vec<Event<EchoMsg, ()>> {
        let mut all = Vec::new();
        for _ in 0..1000 {
            let Some(next) = w.next_due() else { break };
            all.extend(apply(w, next));
        }
        all
    }

    #[test]
    fn ping_pong_round_trip_within_link_latency() {
        let link = LinkConfig {
            latency_min: 5,
            latency_max: 9,
            ..LinkConfig::default()
        };
        let mut w = echo_world(link, 3);
        ping(&mut w, 0, 1);
        let events = settle(&mut w);
        assert_eq!(w.protocol.pongs, vec![1, 0, 0]);
        assert!((10..=18).contains(&w.now), "round trip took {}", w.now);
        assert!(events.iter().any(|e| matches!(
            e,
            Event::Delivered {
                body: EchoMsg::Pong,
                to: 0,
                ..
            }
        )));
        assert!(w.net.in_flight.is_empty());
    }

    #[test]
    fn a_partition_loses_messages_until_healed() {
        let mut w = echo_world(LinkConfig::default(), 1);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Partition {
                    groups: vec![vec![0]],
                },
            },
        );
        let sent = ping(&mut w, 0, 1);
        assert!(matches!(
            sent[0],
            Event::Lost {
                reason: LossReason::Partition,
                ..
            }
        ));
        // Nodes in the unnamed rest group still talk to each other.
        ping(&mut w, 1, 2);
        settle(&mut w);
        assert_eq!(w.protocol.pongs, vec![0, 1, 0]);
        apply(&mut w, Action::Fault { fault: Fault::Heal });
        ping(&mut w, 0, 1);
        settle(&mut w);
        assert_eq!(w.protocol.pongs, vec![1, 1, 0]);
    }

    #[test]
    fn messages_in_flight_when_a_partition_starts_are_lost_on_arrival() {
        let mut w = echo_world(LinkConfig::default(), 1);
        ping(&mut w, 0, 1);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Partition {
                    groups: vec![vec![0], vec![1, 2]],
                },
            },
        );
        let events = settle(&mut w);
        assert!(matches!(
            events[0],
            Event::Lost {
                reason: LossReason::Partition,
                ..
            }
        ));
        assert_eq!(w.protocol.seen, vec![0, 0, 0]);
    }

    #[test]
    fn a_crashed_node_loses_deliveries_and_volatile_state_and_cannot_send() {
        let mut w = echo_world(LinkConfig::default(), 1);
        ping(&mut w, 0, 1);
        settle(&mut w);
        assert_eq!(w.protocol.seen[1], 1);
        ping(&mut w, 0, 1);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Crash { node: 1 },
            },
        );
        assert_eq!(w.protocol.seen[1], 0, "on_crash wiped the volatile state");
        let events = settle(&mut w);
        assert!(matches!(
            events[0],
            Event::Lost {
                reason: LossReason::ReceiverDown,
                ..
            }
        ));
        let sent = ping(&mut w, 1, 0);
        assert!(matches!(
            sent[0],
            Event::Lost {
                reason: LossReason::SenderDown,
                ..
            }
        ));
        let again = apply(
            &mut w,
            Action::Fault {
                fault: Fault::Crash { node: 1 },
            },
        );
        assert!(matches!(again[0], Event::Skipped { .. }));
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Restart { node: 1 },
            },
        );
        ping(&mut w, 0, 1);
        settle(&mut w);
        assert_eq!(w.protocol.pongs[0], 2);
    }

    #[test]
    fn every_loss_is_reported_to_the_protocol_once() {
        let mut w = echo_world(LinkConfig::default(), 1);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Partition {
                    groups: vec![vec![0]],
                },
            },
        );
        ping(&mut w, 0, 1);
        apply(&mut w, Action::Fault { fault: Fault::Heal });
        ping(&mut w, 0, 1);
        let id = w.net.in_flight[0].id;
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Drop { msg: id },
            },
        );
        ping(&mut w, 0, 2);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Crash { node: 2 },
            },
        );
        settle(&mut w);
        ping(&mut w, 2, 0);
        assert_eq!(
            w.protocol.lost,
            vec![
                LossReason::Partition,
                LossReason::Dropped,
                LossReason::ReceiverDown,
                LossReason::SenderDown
            ]
        );
    }

    #[test]
    fn a_runaway_of_losses_stops_the_world_within_the_step_limits() {
        use super::super::bounds::{MAX_EVENTS_PER_STEP, MAX_SENDS_PER_STEP};
        let mut w = echo_world(LinkConfig::default(), 1);
        w.protocol.resend_twice_on_loss = true;
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Partition {
                    groups: vec![vec![0]],
                },
            },
        );
        // Without the budget, 64 rounds of doubling would send 2^64 messages.
        let events = ping(&mut w, 0, 1);
        assert!(events.len() <= MAX_EVENTS_PER_STEP + 1, "{}", events.len());
        let lost = events
            .iter()
            .filter(|e| matches!(e, Event::Lost { .. }))
            .count();
        assert_eq!(lost, MAX_SENDS_PER_STEP);
        let Some(Event::Halted { reason }) = events.last() else {
            panic!("the step ends with the halt: {:?}", events.last());
        };
        assert_eq!(
            reason.en,
            "This step sent more than 2,000 messages, more work than one step may do: the run stops here, and what the step would have done beyond the limit was not done."
        );
        assert!(
            reason.zh.starts_with("这一步发送的消息超过了 2,000 条"),
            "{}",
            reason.zh
        );
        let clause = w.halted.clone().unwrap();
        assert_eq!(clause.en, "sent more than 2,000 messages");
        // A stopped world does nothing more.
        assert_eq!(w.next_due(), None);
        let mut enabled = Vec::new();
        w.actions(&mut enabled);
        assert!(enabled.is_empty());
        let after = ping(&mut w, 2, 1);
        assert!(
            matches!(&after[..], [Event::Skipped { reason: r }] if r.en == "the run has stopped")
        );
    }

    #[test]
    fn a_step_may_set_only_so_many_timers_and_send_only_so_many_messages() {
        use super::super::bounds::{MAX_SENDS_PER_STEP, MAX_TIMERS_PER_STEP};
        let flood = |n: u32, timers: bool| {
            let mut w = echo_world(LinkConfig::default(), 1);
            let events = apply(
                &mut w,
                Action::Op {
                    op: EchoOp::Flood { n, timers },
                },
            );
            (w, events)
        };
        let (w, events) = flood(MAX_SENDS_PER_STEP as u32, false);
        assert!(w.halted.is_none(), "exactly at the limit is allowed");
        assert_eq!(w.net.in_flight.len(), MAX_SENDS_PER_STEP);
        assert!(!events.iter().any(|e| matches!(e, Event::Halted { .. })));
        let (w, _) = flood(MAX_SENDS_PER_STEP as u32 + 1, false);
        assert_eq!(w.net.in_flight.len(), MAX_SENDS_PER_STEP);
        assert!(w.halted.is_some());
        let (w, _) = flood(MAX_TIMERS_PER_STEP as u32, true);
        assert!(w.halted.is_none());
        let (w, events) = flood(1_000_000, true);
        assert_eq!(w.timers.len(), MAX_TIMERS_PER_STEP);
        assert!(
            matches!(events.last(), Some(Event::Halted { reason }) if reason.en.contains("timers"))
        );
    }

    #[test]
    fn a_timer_far_in_the_future_does_not_wrap_the_clock() {
        let mut w = echo_world(LinkConfig::default(), 1);
        apply(&mut w, Action::Wait { ms: 10 });
        apply(
            &mut w,
            Action::Op {
                op: EchoOp::Retry {
                    node: 0,
                    to: 1,
                    after: u64::MAX,
                },
            },
        );
        assert_eq!(w.timers[0].fire_at, u64::MAX);
        apply(&mut w, Action::Wait { ms: u64::MAX });
        assert_eq!(w.now, u64::MAX);
    }

    #[test]
    fn a_crash_cancels_the_nodes_timers() {
        let mut w = echo_world(LinkConfig::default(), 1);
        apply(
            &mut w,
            Action::Op {
                op: EchoOp::Retry {
                    node: 0,
                    to: 1,
                    after: 100,
                },
            },
        );
        assert_eq!(w.timers.len(), 1);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Crash { node: 0 },
            },
        );
        assert!(w.timers.is_empty());
        assert_eq!(w.next_due(), None);
    }

    #[test]
    fn a_paused_node_handles_nothing_until_it_resumes() {
        let link = LinkConfig {
            latency_min: 10,
            latency_max: 10,
            ..LinkConfig::default()
        };
        let mut w = echo_world(link, 1);
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::Pause { node: 1, ms: 500 },
            },
        );
        ping(&mut w, 0, 1);
        let mut enabled = Vec::new();
        w.actions(&mut enabled);
        assert!(!enabled.iter().any(|a| matches!(a, Action::Deliver { .. })));
        assert_eq!(w.next_due(), Some(Action::Resume { node: 1 }));
        let msg = w.net.in_flight[0].id;
        let skipped = apply(&mut w, Action::Deliver { msg });
        assert!(matches!(skipped[0], Event::Skipped { .. }));
        apply(&mut w, Action::Resume { node: 1 });
        assert_eq!(w.now, 500);
        settle(&mut w);
        // The ping waited out the pause; the pong took one more latency.
        assert_eq!(w.protocol.pongs[0], 1);
        assert_eq!(w.now, 510);
    }

    #[test]
    fn a_clock_jump_moves_the_wall_clock_but_not_timers() {
        let mut w = echo_world(LinkConfig::default(), 1);
        apply(
            &mut w,
            Action::Op {
                op: EchoOp::Retry {
                    node: 0,
                    to: 1,
                    after: 100,
                },
            },
        );
        apply(
            &mut w,
            Action::Fault {
                fault: Fault::ClockJump {
                    node: 0,
                    delta_ms: -5_000,
                },
            },
        );
        assert_eq!(w.nodes[0].clock_offset, -5_000);
        let mut events = Vec::new();
        w.with_ctx(&mut events, |_, ctx| {
            assert_eq!(ctx.wall_clock(0), -5_000);
            assert_eq!(ctx.wall_clock(1), 0);
        });
        let next = w.next_due().unwrap();
        let fired = apply(&mut w, next);
        assert!(matches!(fired[0], Event::TimerFired { node: 0, .. }));
        assert_eq!(w.now, 100);
    }

    #[test]
    fn drop_and_duplicate_faults_act_on_one_message() {
        let mut w = echo_world(LinkConfig::default(), 1);
        ping(&mut w, 0, 1);
        let id = w.net.in_flight[0].id;
        let dup = apply(
            &mut w,
            Action::Fault {
                fault: Fault::Duplicate { msg: id },
            },
        );
        assert!(matches!(dup[0], Event::Duplicated { .. }));
        assert_eq!(w.net.in_flight.len(), 2);
        settle(&mut w);
        assert_eq!(w.protocol.seen[1], 2, "the duplicate was delivered too");
        assert_eq!(w.protocol.pongs[0], 2);
        ping(&mut w, 0, 1);
        let id = w.net.in_flight[0].id;
        let dropped = apply(
            &mut w,
            Action::Fault {
                fault: Fault::Drop { msg: id },
            },
        );
        assert!(matches!(
            dropped[0],
            Event::Lost {
                reason: LossReason::Dropped,
                ..
            }
        ));
        assert!(w.net.in_flight.is_empty());
        let again = apply(
            &mut w,
            Action::Fault {
                fault: Fault::Drop { msg: id },
            },
        );
        assert!(matches!(again[0], Event::Skipped { .. }));
    }

    #[test]
    fn link_loss_and_duplication_follow_their_rates() {
        let link = LinkConfig {
            loss_permille: 300,
            duplicate_permille: 200,
            ..LinkConfig::default()
        };
        let mut w = echo_world(link, 11);
        let (mut lost, mut dup) = (0, 0);
        for _ in 0..2000 {
            for e in ping(&mut w, 0, 1) {
                match e {
                    Event::Lost { .. } => lost += 1,
                    Event::Duplicated { .. } => dup += 1,
                    _ => {}
                }
            }
        }
        assert!((500..700).contains(&lost), "lost {lost}");
        // Duplication is drawn only for messages that were not lost: about 20% of 1400.
        assert!((220..340).contains(&dup), "duplicated {dup}");
    }

    #[test]
    fn per_link_settings_override_the_default() {
        let mut w = echo_world(LinkConfig::default(), 1);
        w.net.links.insert(
            (0, 1),
            LinkConfig {
                loss_permille: 1000,
                ..LinkConfig::default()
            },
        );
        assert!(matches!(
            ping(&mut w, 0, 1)[0],
            Event::Lost {
                reason: LossReason::Link,
                ..
            }
        ));
        assert!(matches!(ping(&mut w, 0, 2)[0], Event::Sent { .. }));
    }

    #[test]
    fn a_fifo_link_delivers_in_send_order_and_a_plain_one_may_not() {
        let order = |fifo: bool| {
            let link = LinkConfig {
                latency_min: 1,
                latency_max: 500,
                fifo,
                ..LinkConfig::default()
            };
            let mut w = echo_world(link, 3);
            for _ in 0..20 {
                ping(&mut w, 0, 1);
            }
            let mut enabled = Vec::new();
            w.actions(&mut enabled);
            let sent: Vec<MsgId> = w.net.in_flight.iter().map(|e| e.id).collect();
            let mut arrived = Vec::new();
            while let Some(next) = w.next_due() {
                for e in apply(&mut w, next) {
                    if let Event::Delivered {
                        msg,
                        body: EchoMsg::Ping,
                        ..
                    } = e
                    {
                        arrived.push(msg);
                    }
                }
            }
            (sent, arrived, enabled.len())
        };
        let (sent, arrived, enabled) = order(true);
        assert_eq!(arrived, sent);
        assert_eq!(enabled, 1 + 1, "the ping op and the head of the line");
        let (sent, arrived, enabled) = order(false);
        assert_ne!(arrived, sent, "random latencies reorder twenty messages");
        assert_eq!(enabled, 1 + 20);
    }

    #[test]
    fn next_due_picks_the_earliest_event() {
        let mut w = echo_world(LinkConfig::default(), 1);
        apply(
            &mut w,
            Action::Op {
                op: EchoOp::Retry {
                    node: 2,
                    to: 1,
                    after: 1,
                },
            },
        );
        ping(&mut w, 0, 1);
        assert!(matches!(w.next_due(), Some(Action::Fire { .. })));
        let next = w.next_due().unwrap();
        apply(&mut w, next);
        let first = w
            .net
            .in_flight
            .iter()
            .min_by_key(|e| (e.deliver_at, e.id))
            .unwrap()
            .id;
        assert_eq!(w.next_due(), Some(Action::Deliver { msg: first }));
    }

    #[test]
    fn same_seed_same_events_different_seed_different_latencies() {
        let link = LinkConfig {
            latency_min: 1,
            latency_max: 1000,
            loss_permille: 100,
            duplicate_permille: 100,
            fifo: false,
        };
        let trace = |seed: u64| {
            let mut w = echo_world(link, seed);
            let mut events = Vec::new();
            for i in 0..50u8 {
                events.extend(ping(&mut w, i % 3, (i + 1) % 3));
            }
            events.extend(settle(&mut w));
            serde_json::to_string(&events).unwrap()
        };
        assert_eq!(trace(5), trace(5));
        assert_ne!(trace(5), trace(6));
    }
}
