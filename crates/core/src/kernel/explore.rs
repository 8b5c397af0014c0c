//! "Find a counterexample": a breadth-first walk over every interleaving of a small configuration.
//!
//! From a starting state the explorer tries every enabled action ([`Model::actions`]: lab
//! operations, deliveries in any order, timers such as a lease running out) and, a bounded number of
//! times per path, each fault it was given (a pause, a crash). Delivering another message first is
//! how a message is delayed. States are de-duplicated by a fingerprint, so each distinct state is
//! expanded once; breadth-first order makes the first violating state found one of the closest to
//! the start, and its path the shortest counterexample. The walk is bounded by depth and by the
//! number of distinct states, and it runs in slices ([`Explorer::run`]) so that a page can stay
//! responsive and stop it at any time.
//!
//! The explorer knows nothing of locks or queues: it only needs a [`Model`] that can fingerprint
//! its state ([`Explorable`]). Only errors count as counterexamples; warnings (liveness) do not.

use alloc::collections::{BTreeMap, VecDeque};
use alloc::vec::Vec;
use core::hash::{Hash, Hasher};

use serde::{Deserialize, Serialize};

use super::model::{Model, Severity, Violation};
use super::world::{Action, Event, Protocol, World};

/// A model whose states can be told apart by a 64-bit fingerprint.
pub trait Explorable: Model {
    /// Equal for states whose futures are the same; different, with overwhelming probability,
    /// otherwise.
    fn fingerprint(&self) -> u64;
    /// Whether applying an action did nothing (it was not enabled).
    fn skipped(events: &[Self::Event]) -> bool;
}

impl<P> Explorable for World<P>
where
    P: Protocol + Hash,
    P::Msg: Hash,
    P::Timer: Hash,
{
    fn fingerprint(&self) -> u64 {
        let mut h = xxhash_rust::xxh64::Xxh64::new(0);
        self.hash_state(&mut h);
        h.finish()
    }

    fn skipped(events: &[Self::Event]) -> bool {
        events.iter().any(|e| matches!(e, Event::Skipped { .. }))
    }
}

impl<P: Protocol> World<P> {
    /// Hashes what decides this world's future: the protocol, time, the nodes, the partition, the
    /// messages in flight and the pending timers. Message and timer ids are left out: they are
    /// counters that differ between interleavings reaching the same state. The random number
    /// generator is hashed by its position whenever it can decide anything (random links, or a
    /// protocol that draws from it), so such worlds stay sound.
    pub fn hash_state<H: Hasher>(&self, h: &mut H)
    where
        P: Hash,
        P::Msg: Hash,
        P::Timer: Hash,
    {
        self.protocol.hash(h);
        self.now.hash(h);
        self.nodes.hash(h);
        self.net.hash_links(h);
        if P::DRAWS_RANDOMNESS || !self.net.is_deterministic() {
            self.rng.hash(h);
        }
        // Links are independent: only the order within one link matters, so messages are hashed
        // link by link (a stable sort keeps each link's order).
        let mut flights: Vec<_> = self.net.in_flight.iter().collect();
        flights.sort_by_key(|e| (e.from, e.to));
        flights.len().hash(h);
        for env in flights {
            (env.from, env.to, env.deliver_at, &env.msg).hash(h);
        }
        let mut timers: Vec<_> = self.timers.iter().collect();
        timers.sort_by_key(|t| (t.node, t.fire_at));
        timers.len().hash(h);
        for t in timers {
            (t.node, t.fire_at, &t.timer).hash(h);
        }
    }
}

/// The bounds of a search and the faults it may inject.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Bounds<A> {
    /// The longest path explored, in actions.
    pub max_depth: usize,
    /// The most distinct states kept; the search stops (incomplete) beyond it.
    pub max_states: usize,
    /// Faults the explorer may inject anywhere along a path.
    pub faults: Vec<A>,
    /// How many faults one path may contain.
    pub max_faults: usize,
}

/// How a search ended, or that it has not yet.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Outcome<A> {
    /// There is more to explore.
    Running,
    /// A path from the start to a state that breaks an invariant: the shortest one there is.
    Found {
        trace: Vec<A>,
        violations: Vec<Violation>,
    },
    /// No state within the bounds breaks an invariant. `depth_cut`: some path went on beyond the
    /// depth bound (every interleaving up to that depth was checked); `state_limit`: the search
    /// stopped at the state limit before it finished the depth it was at. Neither: every reachable
    /// state was checked.
    NoneFound { depth_cut: bool, state_limit: bool },
}

/// Figures for the progress display and the benchmark.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Stats {
    /// Distinct states reached.
    pub states: usize,
    /// Actions applied (including those that led to a state seen before).
    pub transitions: usize,
    /// The depth of the states being expanded now.
    pub depth: usize,
    /// States waiting to be expanded.
    pub frontier: usize,
}

/// One explored state: how it was reached.
#[derive(Clone, Debug)]
struct Node<A> {
    parent: usize,
    action: Option<A>,
    depth: usize,
    faults: usize,
}

/// A breadth-first search over a model's interleavings, run a slice at a time.
#[derive(Clone, Debug)]
pub struct Explorer<M: Explorable> {
    bounds: Bounds<M::Action>,
    nodes: Vec<Node<M::Action>>,
    frontier: VecDeque<(usize, M)>,
    /// Each state seen, with the fewest faults used on a path to it: reaching it again with fewer
    /// faults left to spend is no news, with more it must be expanded again.
    seen: BTreeMap<u64, usize>,
    stats: Stats,
    depth_cut: bool,
    outcome: Outcome<M::Action>,
}

/// The errors among a state's violations.
fn errors<M: Model>(model: &M) -> Vec<Violation> {
    let mut out = Vec::new();
    model.violations(&mut out);
    out.retain(|v| v.severity == Severity::Error);
    out
}

impl<M: Explorable> Explorer<M> {
    pub fn new(start: M, bounds: Bounds<M::Action>) -> Self {
        let mut seen = BTreeMap::new();
        seen.insert(start.fingerprint(), 0);
        let broken = errors(&start);
        let outcome = if broken.is_empty() {
            Outcome::Running
        } else {
            Outcome::Found {
                trace: Vec::new(),
                violations: broken,
            }
        };
        let mut frontier = VecDeque::new();
        frontier.push_back((0, start));
        Explorer {
            bounds,
            nodes: alloc::vec![Node {
                parent: 0,
                action: None,
                depth: 0,
                faults: 0,
            }],
            frontier,
            seen,
            stats: Stats {
                states: 1,
                transitions: 0,
                depth: 0,
                frontier: 1,
            },
            depth_cut: false,
            outcome,
        }
    }

    pub fn stats(&self) -> Stats {
        self.stats
    }

    pub fn outcome(&self) -> &Outcome<M::Action> {
        &self.outcome
    }

    /// The actions from the start to explored state `index`.
    fn path(&self, mut index: usize) -> Vec<M::Action> {
        let mut out = Vec::new();
        while index != 0 {
            let node = &self.nodes[index];
            if let Some(a) = &node.action {
                out.push(a.clone());
            }
            index = node.parent;
        }
        out.reverse();
        out
    }

    /// Expands up to `budget` states, then returns how the search stands.
    pub fn run(&mut self, budget: usize) -> &Outcome<M::Action> {
        let mut left = budget;
        while left > 0 && self.outcome == Outcome::Running {
            let Some((index, state)) = self.frontier.pop_front() else {
                self.outcome = Outcome::NoneFound {
                    depth_cut: self.depth_cut,
                    state_limit: false,
                };
                break;
            };
            left -= 1;
            let (depth, faults) = (self.nodes[index].depth, self.nodes[index].faults);
            self.stats.depth = depth;
            let mut actions = Vec::new();
            state.actions(&mut actions);
            let fault_from = actions.len();
            if faults < self.bounds.max_faults {
                actions.extend(self.bounds.faults.iter().cloned());
            }
            if depth >= self.bounds.max_depth {
                // A path is cut only if some action would really go on from here.
                if !self.depth_cut {
                    self.depth_cut = actions.iter().any(|action| {
                        let mut events = Vec::new();
                        state.clone().apply(action, &mut events);
                        !M::skipped(&events)
                    });
                }
                continue;
            }
            for (k, action) in actions.into_iter().enumerate() {
                let mut next = state.clone();
                let mut events = Vec::new();
                next.apply(&action, &mut events);
                self.stats.transitions += 1;
                if M::skipped(&events) {
                    continue;
                }
                let used = faults + usize::from(k >= fault_from);
                let fingerprint = next.fingerprint();
                let new = match self.seen.get(&fingerprint) {
                    Some(&before) if before <= used => continue,
                    Some(_) => false,
                    None => true,
                };
                self.seen.insert(fingerprint, used);
                self.nodes.push(Node {
                    parent: index,
                    action: Some(action),
                    depth: depth + 1,
                    faults: used,
                });
                let child = self.nodes.len() - 1;
                if new {
                    self.stats.states += 1;
                }
                let broken = errors(&next);
                if !broken.is_empty() {
                    self.outcome = Outcome::Found {
                        trace: self.path(child),
                        violations: broken,
                    };
                    break;
                }
                if self.stats.states >= self.bounds.max_states {
                    self.outcome = Outcome::NoneFound {
                        depth_cut: self.depth_cut,
                        state_limit: true,
                    };
                    break;
                }
                self.frontier.push_back((child, next));
            }
            self.stats.frontier = self.frontier.len();
        }
        &self.outcome
    }
}

/// Replays a trace from a start state: the states along it, for checking a counterexample.
pub fn replay<P: Protocol>(start: &World<P>, trace: &[Action<P::Op>]) -> World<P> {
    let mut world = start.clone();
    for action in trace {
        world.apply(action, &mut Vec::new());
    }
    world
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Ctx, Fault, LinkConfig, NodeId, NodeState};
    use crate::text::Text;
    use alloc::string::String;
    use alloc::vec;

    /// Two clients each add 1 to a register on a server by reading it and writing back read + 1:
    /// the lost update. With `atomic` the server increments in one step.
    #[derive(Clone, Debug, PartialEq, Eq, Hash)]
    struct Counter {
        atomic: bool,
        value: u32,
        /// Per client: 0 idle, 1 read sent, 2 holds a value, 3 write sent.
        phase: [u8; 2],
        read: [u32; 2],
        done: u32,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    enum CounterMsg {
        Read,
        Value(u32),
        Write(u32),
        Increment,
        Done,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    enum CounterOp {
        Start(NodeId),
        Write(NodeId),
    }

    impl Protocol for Counter {
        type Msg = CounterMsg;
        type Op = CounterOp;
        type Timer = ();
        type Note = ();

        fn ops(&self, nodes: &[NodeState], out: &mut Vec<CounterOp>) {
            for c in 0..2u8 {
                if !nodes[usize::from(c)].is_up() {
                    continue;
                }
                match self.phase[usize::from(c)] {
                    0 => out.push(CounterOp::Start(c)),
                    2 => out.push(CounterOp::Write(c)),
                    _ => {}
                }
            }
        }

        fn on_op(&mut self, op: &CounterOp, ctx: &mut Ctx<'_, Self>) {
            match *op {
                CounterOp::Start(c) if self.phase[usize::from(c)] == 0 => {
                    if self.atomic {
                        self.phase[usize::from(c)] = 3;
                        ctx.send(c, 2, CounterMsg::Increment);
                    } else {
                        self.phase[usize::from(c)] = 1;
                        ctx.send(c, 2, CounterMsg::Read);
                    }
                }
                CounterOp::Write(c) if self.phase[usize::from(c)] == 2 => {
                    self.phase[usize::from(c)] = 3;
                    ctx.send(c, 2, CounterMsg::Write(self.read[usize::from(c)] + 1));
                }
                _ => {}
            }
        }

        fn on_msg(&mut self, to: NodeId, from: NodeId, msg: CounterMsg, ctx: &mut Ctx<'_, Self>) {
            match msg {
                CounterMsg::Read => ctx.send(to, from, CounterMsg::Value(self.value)),
                CounterMsg::Value(v) => {
                    self.read[usize::from(to)] = v;
                    self.phase[usize::from(to)] = 2;
                }
                CounterMsg::Write(v) => {
                    self.value = v;
                    ctx.send(to, from, CounterMsg::Done);
                }
                CounterMsg::Increment => {
                    self.value += 1;
                    ctx.send(to, from, CounterMsg::Done);
                }
                CounterMsg::Done => self.done += 1,
            }
        }

        fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
            if self.done == 2 && self.value != 2 {
                out.push(Violation {
                    invariant: String::from("counter.no-lost-update"),
                    subject: String::new(),
                    name: Text::new("no lost update", "没有丢失更新"),
                    detail: Text::new("two increments, one counted", "两次加一，只算了一次"),
                    severity: Severity::Error,
                });
            }
        }
    }

    fn world(atomic: bool) -> World<Counter> {
        World::new(
            Counter {
                atomic,
                value: 0,
                phase: [0; 2],
                read: [0; 2],
                done: 0,
            },
            &["A", "B", "S"],
            LinkConfig {
                latency_min: 10,
                latency_max: 10,
                ..LinkConfig::default()
            },
            1,
        )
    }

    fn bounds(faults: Vec<Action<CounterOp>>) -> Bounds<Action<CounterOp>> {
        Bounds {
            max_depth: 20,
            max_states: 100_000,
            faults,
            max_faults: 1,
        }
    }

    fn explore(atomic: bool, faults: Vec<Action<CounterOp>>) -> Explorer<World<Counter>> {
        let mut e = Explorer::new(world(atomic), bounds(faults));
        while *e.run(100) == Outcome::Running {}
        e
    }

    #[test]
    fn finds_the_shortest_lost_update_and_it_replays() {
        let e = explore(false, Vec::new());
        let Outcome::Found { trace, violations } = e.outcome().clone() else {
            panic!("no counterexample: {:?}", e.outcome());
        };
        // Both start (2), both reads arrive (2), both values return (2), both write (2), both
        // writes arrive (2), both acknowledgements arrive (2): 12 actions, none can be skipped.
        assert_eq!(trace.len(), 12, "{trace:?}");
        assert_eq!(violations[0].invariant, "counter.no-lost-update");
        let end = replay(&world(false), &trace);
        assert_eq!(end.protocol.value, 1);
        let mut v = Vec::new();
        end.violations(&mut v);
        assert!(!v.is_empty());
    }

    #[test]
    fn proves_the_atomic_version_safe_within_the_bound() {
        let e = explore(true, Vec::new());
        assert_eq!(
            *e.outcome(),
            Outcome::NoneFound {
                depth_cut: false,
                state_limit: false
            }
        );
        assert!(e.stats().states > 10);
    }

    #[test]
    fn deduplicates_states_reached_in_different_orders() {
        let e = explore(true, Vec::new());
        // Every interleaving of two independent 3-message exchanges: far fewer distinct states than
        // paths.
        assert!(e.stats().transitions > e.stats().states);
    }

    #[test]
    fn faults_are_injected_at_most_as_often_as_allowed_and_run_in_slices() {
        let crash = Action::Fault {
            fault: Fault::Crash { node: 2 },
        };
        let mut e = Explorer::new(world(true), bounds(vec![crash.clone()]));
        let mut slices = 0;
        while *e.run(3) == Outcome::Running {
            slices += 1;
        }
        assert!(slices > 3, "the search ran in several slices");
        assert!(matches!(e.outcome(), Outcome::NoneFound { .. }));
        let without = explore(true, Vec::new());
        assert!(
            e.stats().states > without.stats().states,
            "crashes add states"
        );
    }

    #[test]
    fn a_depth_bound_makes_the_answer_incomplete() {
        let mut e = Explorer::new(
            world(true),
            Bounds {
                max_depth: 3,
                ..bounds(Vec::new())
            },
        );
        while *e.run(100) == Outcome::Running {}
        assert_eq!(
            *e.outcome(),
            Outcome::NoneFound {
                depth_cut: true,
                state_limit: false
            }
        );
        let mut e = Explorer::new(
            world(false),
            Bounds {
                max_states: 5,
                ..bounds(Vec::new())
            },
        );
        while *e.run(100) == Outcome::Running {}
        assert_eq!(
            *e.outcome(),
            Outcome::NoneFound {
                depth_cut: false,
                state_limit: true
            }
        );
    }

    /// A state first reached through a fault must be expanded again when a path without the fault
    /// reaches it, since that path may still spend its fault.
    #[derive(Clone, Debug, PartialEq, Eq, Hash, Default)]
    struct Bits {
        phase: u8,
        a: bool,
        b: bool,
    }

    #[derive(Clone, Debug, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
    enum BitsOp {
        Step1,
        Step2,
        FaultA,
        FaultB,
    }

    impl Protocol for Bits {
        type Msg = ();
        type Op = BitsOp;
        type Timer = ();
        type Note = ();

        fn ops(&self, _nodes: &[NodeState], out: &mut Vec<BitsOp>) {
            match (self.phase, self.a) {
                (0, false) => out.push(BitsOp::Step1),
                (1, _) => out.push(BitsOp::Step2),
                _ => {}
            }
        }

        fn on_op(&mut self, op: &BitsOp, _ctx: &mut Ctx<'_, Self>) {
            match op {
                BitsOp::Step1 => self.phase = 1,
                BitsOp::Step2 => {
                    self.phase = 0;
                    self.a = true;
                }
                BitsOp::FaultA => self.a = true,
                // Only once `a` is set does the second fault matter.
                BitsOp::FaultB => self.b = self.a,
            }
        }

        fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
            if self.a && self.b {
                out.push(Violation {
                    invariant: String::from("bits.not-both"),
                    subject: String::new(),
                    name: Text::new("not both", "不能同时"),
                    detail: Text::new("a and b", "a 与 b"),
                    severity: Severity::Error,
                });
            }
        }
    }

    #[test]
    fn a_state_reached_again_with_a_fault_to_spare_is_expanded_again() {
        let world = World::new(Bits::default(), &["X"], LinkConfig::default(), 1);
        let faults = vec![
            Action::Op { op: BitsOp::FaultA },
            Action::Op { op: BitsOp::FaultB },
        ];
        let mut e = Explorer::new(
            world,
            Bounds {
                max_depth: 5,
                max_states: 1000,
                faults,
                max_faults: 1,
            },
        );
        while *e.run(10) == Outcome::Running {}
        // FaultA reaches {a} at depth 1 with the fault spent; Step1, Step2 reach it at depth 2
        // with the fault still to spend, and FaultB then breaks the invariant.
        let Outcome::Found { trace, .. } = e.outcome().clone() else {
            panic!("{:?}", e.outcome());
        };
        assert_eq!(
            trace,
            vec![
                Action::Op { op: BitsOp::Step1 },
                Action::Op { op: BitsOp::Step2 },
                Action::Op { op: BitsOp::FaultB },
            ]
        );
    }

    #[test]
    fn a_fault_that_cannot_apply_does_not_count_as_a_cut_path() {
        // Every path of the atomic counter ends after 6 actions; crashing a node that does not
        // exist is always skipped, so nothing goes on beyond depth 6.
        let ghost = Action::Fault {
            fault: Fault::Crash { node: 9 },
        };
        let mut e = Explorer::new(
            world(true),
            Bounds {
                max_depth: 6,
                ..bounds(vec![ghost])
            },
        );
        while *e.run(100) == Outcome::Running {}
        assert_eq!(
            *e.outcome(),
            Outcome::NoneFound {
                depth_cut: false,
                state_limit: false
            }
        );
    }

    #[test]
    fn the_generator_counts_only_when_it_can_decide_something() {
        // Same state, generator at another position (one message sent and delivered more).
        let roundtrip = |w: &mut World<Counter>| {
            w.apply(
                &Action::Op {
                    op: CounterOp::Start(0),
                },
                &mut Vec::new(),
            );
            let id = w.net.in_flight[0].id;
            w.apply(&Action::Deliver { msg: id }, &mut Vec::new());
        };
        let fixed = world(true);
        let mut a = fixed.clone();
        let mut b = fixed.clone();
        roundtrip(&mut a);
        roundtrip(&mut b);
        b.rng.next_u64();
        assert_eq!(
            a.fingerprint(),
            b.fingerprint(),
            "fixed links: the generator decides nothing"
        );
        let mut random = world(true);
        random.net.default_link.latency_max = 20;
        let mut c = random.clone();
        let mut d = random.clone();
        roundtrip(&mut c);
        roundtrip(&mut d);
        d.rng.next_u64();
        assert_ne!(
            c.fingerprint(),
            d.fingerprint(),
            "random links: the generator decides latencies"
        );
    }

    #[test]
    fn the_fingerprint_ignores_message_ids_but_not_content() {
        let mut a = world(true);
        let mut b = world(true);
        // Same state reached by sending in a different order: ids differ.
        a.apply(
            &Action::Op {
                op: CounterOp::Start(0),
            },
            &mut Vec::new(),
        );
        a.apply(
            &Action::Op {
                op: CounterOp::Start(1),
            },
            &mut Vec::new(),
        );
        b.apply(
            &Action::Op {
                op: CounterOp::Start(1),
            },
            &mut Vec::new(),
        );
        b.apply(
            &Action::Op {
                op: CounterOp::Start(0),
            },
            &mut Vec::new(),
        );
        // The messages went out in another order on two independent links: the same state.
        assert_ne!(a.net.in_flight[0].from, b.net.in_flight[0].from);
        assert_ne!(a.net.in_flight[0].id, b.net.in_flight[1].id);
        assert_eq!(a.fingerprint(), b.fingerprint());
        // A changed register is another state.
        let mut c = a.clone();
        c.protocol.value = 7;
        assert_ne!(a.fingerprint(), c.fingerprint());
    }
}
