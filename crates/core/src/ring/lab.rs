//! The ring lab as a kernel protocol: membership changes, virtual-node changes and lookups are
//! operations; a crash is the kernel's fault, after which the crashed node's keys cannot be served
//! until the node is removed from the ring (or restarts).

use alloc::format;
use alloc::rc::Rc;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::hashing::{mod_n_owner, HashRing, VirtualNode};
use super::keys::KeySet;
use crate::kernel::{Ctx, LinkConfig, NodeId, NodeState, Protocol, Severity, Violation, World};
use crate::scenario::{InvariantInfo, Lab, LabInfo, Scenario, StaticText, Topic};
use crate::text::{thousands, Text};

// The limits below keep every ring the page can be asked for quick to build and to replay: a
// scenario file of 500 steps, or a share link, is played in full when it is opened, and the page
// must not freeze while it does. Measured with `cargo bench -p distlab-core --bench core` (the
// "ring at the limits" line) and in the browser (tests/e2e/ring.test.mjs).
pub const MAX_NODES: usize = 100;
pub const MAX_VNODES: u32 = 1000;
/// Keys in a ring. 200,000 keys show the distribution as well as a million would (the counting
/// noise is a fraction of a percent of each node's share), at a fifth of the cost of hashing and
/// sorting them.
pub const MAX_KEYS: u32 = 200_000;
/// Points on the ring: every node that may join, times its virtual nodes (100 nodes × 200, or 20
/// nodes × 1,000).
pub const MAX_RING_POINTS: u64 = 20_000;
/// Each change of the ring (a node joins or leaves, the virtual nodes change) places every key
/// again; one run, from its set-up on, may place at most this many keys in all: about 10 changes
/// of a ring of 200,000 keys, 20 of the free-play default of 100,000, 200 of a lesson's 10,000
/// (a lesson makes fewer than 10).
pub const MAX_KEYS_PLACED: u64 = 2_000_000;
/// Each change also hashes and sorts every virtual node of the new ring; one run may place at most
/// this many virtual nodes in all: about 12 changes of a ring of 20,000 points, 500 of the
/// free-play default of 500.
pub const MAX_VNODES_PLACED: u64 = 250_000;
/// Keys `k1..` up to this many are drawn and animated; statistics always cover every key.
pub const SHOWN_KEYS: u32 = 240;
pub const KEYS_SERVED: &str = "ring.keys-served";
pub const RING_MINIMAL: &str = "ring.minimal-movement";
pub const MODN_MINIMAL: &str = "modn.minimal-movement";
pub const BALANCE: &str = "ring.balance";

/// A node holding more than this many percent of its fair share raises the skew warning.
const SKEW_WARNING_PERCENT: u64 = 150;
/// The balance of the ring is judged only when the nodes hold this many keys each on average: a
/// handful of keys says nothing about how evenly the hash spreads them (12 keys on 3 nodes are
/// uneven by chance), and a lesson about something else should not open with that warning.
const MIN_KEYS_FOR_BALANCE: f64 = 20.0;

/// The starting point of a ring-lab run.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingSetup {
    /// Every node that can take part, by id; some may join later.
    pub nodes: Vec<String>,
    /// Nodes on the ring at the start.
    pub members: Vec<NodeId>,
    /// Virtual nodes per physical node.
    pub vnodes: u32,
    /// Number of keys, named `k1..=kN`.
    pub keys: u32,
}

impl RingSetup {
    pub fn validate(&self) -> Result<(), Text> {
        if self.nodes.is_empty() || self.nodes.len() > MAX_NODES {
            return Err(Text::new(
                format!(
                    "A ring needs 1 to {MAX_NODES} nodes; this one has {}.",
                    self.nodes.len()
                ),
                format!(
                    "哈希环需要 1 到 {MAX_NODES} 个节点，这里有 {} 个。",
                    self.nodes.len()
                ),
            ));
        }
        for (i, name) in self.nodes.iter().enumerate() {
            if name.trim().is_empty() || name.len() > 32 {
                return Err(Text::new(
                    format!("Node {} needs a name of 1 to 32 characters.", i + 1),
                    format!("第 {} 个节点的名字必须是 1 到 32 个字符。", i + 1),
                ));
            }
            if self.nodes[..i].contains(name) {
                return Err(Text::new(
                    format!("Two nodes are both named \"{name}\"."),
                    format!("有两个节点都叫“{name}”。"),
                ));
            }
        }
        if let Some(bad) = self
            .members
            .iter()
            .find(|&&m| usize::from(m) >= self.nodes.len())
        {
            return Err(Text::new(
                format!(
                    "Ring member {bad} is not one of the {} nodes.",
                    self.nodes.len()
                ),
                format!("环成员 {bad} 不在这 {} 个节点之中。", self.nodes.len()),
            ));
        }
        check_vnodes(self.vnodes)?;
        check_keys(self.keys)?;
        check_ring_points(self.nodes.len(), self.vnodes)
    }
}

/// Checks that `nodes` nodes with `vnodes` virtual nodes each stay within [`MAX_RING_POINTS`]. Every
/// node counts, on the ring or not, since any of them may join.
pub fn check_ring_points(nodes: usize, vnodes: u32) -> Result<(), Text> {
    let points = nodes as u64 * u64::from(vnodes);
    if points <= MAX_RING_POINTS {
        return Ok(());
    }
    let (n, v, p, max) = (
        thousands(nodes as u64),
        thousands(u64::from(vnodes)),
        thousands(points),
        thousands(MAX_RING_POINTS),
    );
    Err(Text::new(
        format!(
            "{n} nodes × {v} virtual nodes = {p} points on the ring; at most {max} are allowed."
        ),
        format!("{n} 个节点 × {v} 个虚拟节点 = 环上 {p} 个点；最多允许 {max} 个。"),
    ))
}

pub fn check_vnodes(vnodes: u32) -> Result<(), Text> {
    if (1..=MAX_VNODES).contains(&vnodes) {
        Ok(())
    } else {
        Err(Text::new(
            format!("Virtual nodes per node must be between 1 and {MAX_VNODES}, not {vnodes}."),
            format!("每个节点的虚拟节点数必须在 1 到 {MAX_VNODES} 之间，而不是 {vnodes}。"),
        ))
    }
}

pub fn check_keys(keys: u32) -> Result<(), Text> {
    if (1..=MAX_KEYS).contains(&keys) {
        Ok(())
    } else {
        Err(Text::new(
            format!(
                "The number of keys must be between 1 and {}, not {}.",
                thousands(u64::from(MAX_KEYS)),
                thousands(u64::from(keys))
            ),
            format!(
                "键的数量必须在 1 到 {} 之间，而不是 {}。",
                thousands(u64::from(MAX_KEYS)),
                thousands(u64::from(keys))
            ),
        ))
    }
}

/// What a student or a scenario can do to the ring.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingOp {
    /// A node joins the ring.
    Join { node: NodeId },
    /// A node is taken off the ring (planned, or evicted after it crashed).
    Remove { node: NodeId },
    /// Changes the number of virtual nodes of every node.
    SetVnodes { vnodes: u32 },
    /// Looks up one key: walk clockwise from its hash to the first virtual node.
    Lookup { key: u32 },
}

/// A key that changed node.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeyMove {
    pub key: u32,
    pub from: NodeId,
    pub to: NodeId,
}

/// How many keys one change moved under one placement scheme.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct MoveStats {
    pub moved: u32,
    pub total: u32,
    /// Moves that neither left nor reached the node that joined or left: zero for a ring, and zero
    /// by definition when the number of virtual nodes changed.
    pub between_other_nodes: u32,
    /// Moves among the first [`SHOWN_KEYS`] keys, for the animation.
    pub shown: Vec<KeyMove>,
}

impl MoveStats {
    /// Moved keys in hundredths of a percent, for display without floats.
    pub fn moved_basis_points(&self) -> u32 {
        if self.total == 0 {
            0
        } else {
            (u64::from(self.moved) * 10_000 / u64::from(self.total)) as u32
        }
    }
}

/// What changed the placement.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    Joined { node: NodeId },
    Removed { node: NodeId },
    Vnodes { from: u32, to: u32 },
}

impl ChangeKind {
    fn node(&self) -> Option<NodeId> {
        match self {
            ChangeKind::Joined { node } | ChangeKind::Removed { node } => Some(*node),
            ChangeKind::Vnodes { .. } => None,
        }
    }
}

/// The effect of one change, under the ring and under `hash % N`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct RingChange {
    pub kind: ChangeKind,
    pub ring: MoveStats,
    pub mod_n: MoveStats,
}

/// One key looked up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Lookup {
    pub key: u32,
    pub hash: u32,
    /// The first virtual node clockwise, `None` on an empty ring.
    pub vnode: Option<VirtualNode>,
    pub mod_n_owner: Option<NodeId>,
}

/// Lab events.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RingNote {
    Changed { change: RingChange },
    LookedUp { lookup: Lookup },
}

/// The ring lab's state.
#[derive(Clone, Debug, PartialEq)]
pub struct RingLab {
    pub names: Vec<String>,
    /// Nodes on the ring, ascending by id; also the `N` of `hash % N`, in this order.
    pub members: Vec<NodeId>,
    pub vnodes: u32,
    pub keys: Rc<KeySet>,
    pub ring: HashRing,
    /// Keys per node id under the ring.
    pub ring_load: Vec<u32>,
    /// Keys per node id under `hash % N`.
    pub mod_load: Vec<u32>,
    pub last_change: Option<RingChange>,
    pub last_lookup: Option<Lookup>,
    /// Keys and virtual nodes placed so far in this run, the set-up included, against
    /// [`MAX_KEYS_PLACED`] and [`MAX_VNODES_PLACED`].
    pub placed: Placed,
}

/// The work a run has done: every key and virtual node placed, counting again at each change.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Placed {
    pub keys: u64,
    pub vnodes: u64,
}

impl RingLab {
    pub fn new(setup: &RingSetup) -> Result<RingLab, Text> {
        setup.validate()?;
        let mut members = setup.members.clone();
        members.sort_unstable();
        members.dedup();
        let mut lab = RingLab {
            names: setup.nodes.clone(),
            members,
            vnodes: setup.vnodes,
            keys: Rc::new(KeySet::new(setup.keys)),
            ring: HashRing::default(),
            ring_load: Vec::new(),
            mod_load: Vec::new(),
            last_change: None,
            last_lookup: None,
            placed: Placed::default(),
        };
        lab.ring = lab.build_ring(&lab.members, lab.vnodes);
        lab.recount();
        lab.placed = Placed {
            keys: u64::from(setup.keys),
            vnodes: lab.ring.len() as u64,
        };
        Ok(lab)
    }

    pub fn name(&self, node: NodeId) -> &str {
        self.names
            .get(usize::from(node))
            .map_or("?", String::as_str)
    }

    fn build_ring(&self, members: &[NodeId], vnodes: u32) -> HashRing {
        let named: Vec<(NodeId, &str)> = members.iter().map(|&m| (m, self.name(m))).collect();
        HashRing::build(&named, vnodes)
    }

    fn recount(&mut self) {
        self.ring_load = alloc::vec![0; self.names.len()];
        self.mod_load = alloc::vec![0; self.names.len()];
        for owner in self.ring.owners_sorted(self.keys.sorted_hashes()).flatten() {
            self.ring_load[usize::from(owner)] += 1;
        }
        for &h in self.keys.hashes() {
            if let Some(owner) = mod_n_owner(h, &self.members) {
                self.mod_load[usize::from(owner)] += 1;
            }
        }
    }

    /// Key owner under each scheme.
    pub fn owners(&self, key: u32) -> Option<(Option<NodeId>, Option<NodeId>)> {
        let h = self.keys.hash(key)?;
        Some((self.ring.owner(h), mod_n_owner(h, &self.members)))
    }

    /// Replaces ring and membership and records which keys moved.
    fn change(&mut self, kind: ChangeKind, members: Vec<NodeId>, vnodes: u32) -> RingChange {
        let ring = self.build_ring(&members, vnodes);
        let changed = kind.node();
        let total = self.keys.len() as u32;
        let mut ring_stats = MoveStats {
            moved: 0,
            total,
            between_other_nodes: 0,
            shown: Vec::new(),
        };
        let mut mod_stats = ring_stats.clone();
        // Only a membership change has a node that keys may move to or from; after a change of
        // virtual nodes every move counts as ordinary, and none as "between other nodes".
        let involves = |from: NodeId, to: NodeId| {
            changed.is_none() || Some(from) == changed || Some(to) == changed
        };
        // The ring: both rings swept together along the sorted keys, counting the new loads on the
        // way (one pass over the keys, not two).
        let mut ring_load = alloc::vec![0u32; self.names.len()];
        let old = self.ring.owners_sorted(self.keys.sorted_hashes());
        let new = ring.owners_sorted(self.keys.sorted_hashes());
        for (from, to) in old.zip(new) {
            if let Some(to) = to {
                ring_load[usize::from(to)] += 1;
            }
            // Keys move only between two nodes; a key whose old or new ring is empty has nowhere
            // to be.
            if let (Some(from), Some(to)) = (from, to) {
                if from != to {
                    ring_stats.moved += 1;
                    if !involves(from, to) {
                        ring_stats.between_other_nodes += 1;
                    }
                }
            }
        }
        // hash % N: nothing moves when the members stay (a change of virtual nodes).
        let mut mod_load = self.mod_load.clone();
        if members != self.members {
            mod_load = alloc::vec![0u32; self.names.len()];
            for &h in self.keys.hashes() {
                let to = mod_n_owner(h, &members);
                if let Some(to) = to {
                    mod_load[usize::from(to)] += 1;
                }
                if let (Some(from), Some(to)) = (mod_n_owner(h, &self.members), to) {
                    if from != to {
                        mod_stats.moved += 1;
                        if !involves(from, to) {
                            mod_stats.between_other_nodes += 1;
                        }
                    }
                }
            }
        }
        for key in 0..total.min(SHOWN_KEYS) {
            let Some(h) = self.keys.hash(key) else { break };
            if let (Some(from), Some(to)) = (self.ring.owner(h), ring.owner(h)) {
                if from != to {
                    ring_stats.shown.push(KeyMove { key, from, to });
                }
            }
            if let (Some(from), Some(to)) =
                (mod_n_owner(h, &self.members), mod_n_owner(h, &members))
            {
                if from != to {
                    mod_stats.shown.push(KeyMove { key, from, to });
                }
            }
        }
        self.ring = ring;
        self.members = members;
        self.vnodes = vnodes;
        self.ring_load = ring_load;
        self.mod_load = mod_load;
        self.placed.keys += u64::from(total);
        self.placed.vnodes += self.ring.len() as u64;
        let change = RingChange {
            kind,
            ring: ring_stats,
            mod_n: mod_stats,
        };
        self.last_change = Some(change.clone());
        change
    }

    /// Mean, spread and extremes of the per-node key counts of the current members.
    pub fn ring_spread(&self) -> LoadSpread {
        load_spread(self.members.iter().map(|&m| self.ring_load[usize::from(m)]))
    }

    pub fn mod_spread(&self) -> LoadSpread {
        load_spread(self.members.iter().map(|&m| self.mod_load[usize::from(m)]))
    }

    /// Load spread of the current members with `vnodes` virtual nodes each, over the first
    /// `sample` keys (all keys when `sample` is larger), for the chart of spread against vnodes.
    pub fn spread_with_vnodes(&self, vnodes: u32, sample: usize) -> LoadSpread {
        self.key_spread_on(&self.build_ring(&self.members, vnodes), sample)
    }

    /// Spread of the ring share (arc length) of the current members with `vnodes` virtual nodes
    /// each: the load that infinitely many keys would see, independent of the key set.
    pub fn arc_spread_with_vnodes(&self, vnodes: u32) -> LoadSpread {
        self.arc_spread_on(&self.build_ring(&self.members, vnodes))
    }

    /// Both spreads of the chart (keys per node over every key, ring shares) with `vnodes` virtual
    /// nodes each, from one ring built for both.
    pub fn spreads_with_vnodes(&self, vnodes: u32) -> (LoadSpread, LoadSpread) {
        let ring = self.build_ring(&self.members, vnodes);
        (
            self.key_spread_on(&ring, usize::MAX),
            self.arc_spread_on(&ring),
        )
    }

    fn key_spread_on(&self, ring: &HashRing, sample: usize) -> LoadSpread {
        let mut load = alloc::vec![0u32; self.names.len()];
        if sample >= self.keys.len() {
            for owner in ring.owners_sorted(self.keys.sorted_hashes()).flatten() {
                load[usize::from(owner)] += 1;
            }
        } else {
            for &h in &self.keys.hashes()[..sample] {
                if let Some(owner) = ring.owner(h) {
                    load[usize::from(owner)] += 1;
                }
            }
        }
        load_spread(self.members.iter().map(|&m| load[usize::from(m)]))
    }

    fn arc_spread_on(&self, ring: &HashRing) -> LoadSpread {
        let shares = ring.arc_shares(self.names.len());
        // Shares in millionths of the ring fit a u32; the relative spread does not depend on scale.
        load_spread(
            self.members
                .iter()
                .map(|&m| ((shares[usize::from(m)] * 1_000_000) >> 32) as u32),
        )
    }

    /// Whether an operation makes sense in this state: the node exists and is (or is not) on the
    /// ring, the key exists, the virtual nodes are in range.
    fn check_sense(&self, op: &RingOp, nodes: &[NodeState]) -> Result<(), Text> {
        let exists = |n: NodeId| usize::from(n) < self.names.len();
        match op {
            RingOp::Join { node } | RingOp::Remove { node } if !exists(*node) => {
                Err(Text::new("there is no such node", "没有这个节点"))
            }
            RingOp::Join { node } if self.members.contains(node) => {
                let name = self.name(*node);
                Err(Text::new(
                    format!("{name} is already on the ring"),
                    format!("{name} 已经在哈希环上"),
                ))
            }
            RingOp::Join { node }
                if !nodes.get(usize::from(*node)).is_some_and(NodeState::is_up) =>
            {
                let name = self.name(*node);
                Err(Text::new(
                    format!("{name} is not running and cannot join"),
                    format!("{name} 没有运行，无法加入"),
                ))
            }
            RingOp::Remove { node } if !self.members.contains(node) => {
                let name = self.name(*node);
                Err(Text::new(
                    format!("{name} is not on the ring"),
                    format!("{name} 不在哈希环上"),
                ))
            }
            RingOp::SetVnodes { vnodes } => check_vnodes(*vnodes),
            RingOp::Lookup { key } if *key as usize >= self.keys.len() => {
                let n = u64::from(*key) + 1;
                Err(Text::new(
                    format!("there is no key k{n}"),
                    format!("没有键 k{n}"),
                ))
            }
            _ => Ok(()),
        }
    }

    /// Whether a change that builds a ring of `points` virtual nodes and places every key on it
    /// again stays within the run's budget ([`MAX_KEYS_PLACED`], [`MAX_VNODES_PLACED`]).
    fn check_budget(&self, points: u64) -> Result<(), Text> {
        let keys = self.keys.len() as u64;
        if self.placed.keys + keys > MAX_KEYS_PLACED {
            let (k, max, done) = (
                thousands(keys),
                thousands(MAX_KEYS_PLACED),
                thousands(self.placed.keys),
            );
            return Err(Text::new(
                format!("each change of the ring places all {k} keys again, one run may place at most {max} keys in all, and this run has placed {done}; for a longer run, start free play with fewer keys"),
                format!("哈希环每变化一次，都要把全部 {k} 个键重新放置一遍，一次运行最多放置 {max} 个键，这次运行已经放置了 {done} 个；想做更长的练习，请用更少的键开始自由练习"),
            ));
        }
        if self.placed.vnodes + points > MAX_VNODES_PLACED {
            let (p, max, done) = (
                thousands(points),
                thousands(MAX_VNODES_PLACED),
                thousands(self.placed.vnodes),
            );
            return Err(Text::new(
                format!("this change would place {p} virtual nodes on a new ring, one run may place at most {max} in all, and this run has placed {done}; for a longer run, use fewer nodes or virtual nodes"),
                format!("这次变化要在新的哈希环上放置 {p} 个虚拟节点，一次运行最多放置 {max} 个，这次运行已经放置了 {done} 个；想做更长的练习，请减少节点数或虚拟节点数"),
            ));
        }
        Ok(())
    }

    /// Builds the world for this lab: one kernel node per ring node.
    pub fn world(setup: &RingSetup, seed: u64) -> Result<World<RingLab>, Text> {
        let lab = RingLab::new(setup)?;
        let names: Vec<&str> = setup.nodes.iter().map(String::as_str).collect();
        Ok(World::new(lab, &names, LinkConfig::default(), seed))
    }
}

/// Summary of a load distribution.
#[derive(Clone, Copy, Debug, PartialEq, Serialize, Deserialize)]
pub struct LoadSpread {
    pub nodes: u32,
    pub mean: f64,
    /// Population standard deviation of keys per node.
    pub std_dev: f64,
    pub min: u32,
    pub max: u32,
}

impl LoadSpread {
    /// Standard deviation as a percentage of the mean (the coefficient of variation).
    pub fn relative_std_dev(&self) -> f64 {
        if self.mean == 0.0 {
            0.0
        } else {
            100.0 * self.std_dev / self.mean
        }
    }
}

pub fn load_spread(loads: impl Iterator<Item = u32> + Clone) -> LoadSpread {
    let nodes = loads.clone().count() as u32;
    if nodes == 0 {
        return LoadSpread {
            nodes: 0,
            mean: 0.0,
            std_dev: 0.0,
            min: 0,
            max: 0,
        };
    }
    let sum: u64 = loads.clone().map(u64::from).sum();
    let mean = sum as f64 / f64::from(nodes);
    let var = loads
        .clone()
        .map(|l| {
            let d = f64::from(l) - mean;
            d * d
        })
        .sum::<f64>()
        / f64::from(nodes);
    LoadSpread {
        nodes,
        mean,
        std_dev: libm::sqrt(var),
        min: loads.clone().min().unwrap_or(0),
        max: loads.max().unwrap_or(0),
    }
}

impl Protocol for RingLab {
    type Msg = ();
    type Op = RingOp;
    type Timer = ();
    type Note = RingNote;

    fn ops(&self, nodes: &[NodeState], out: &mut Vec<RingOp>) {
        for (i, n) in nodes.iter().enumerate() {
            let node = i as NodeId;
            if self.members.contains(&node) {
                out.push(RingOp::Remove { node });
            } else if n.is_up() {
                out.push(RingOp::Join { node });
            }
        }
    }

    fn check_op(&self, op: &RingOp, nodes: &[NodeState]) -> Result<(), Text> {
        self.check_sense(op, nodes)?;
        let members = self.members.len() as u64;
        let points = match *op {
            RingOp::Join { .. } => (members + 1) * u64::from(self.vnodes),
            RingOp::Remove { .. } => (members - 1) * u64::from(self.vnodes),
            RingOp::SetVnodes { vnodes } => {
                check_ring_points(self.names.len(), vnodes)?;
                members * u64::from(vnodes)
            }
            RingOp::Lookup { .. } => return Ok(()),
        };
        self.check_budget(points)
    }

    fn on_op(&mut self, op: &RingOp, ctx: &mut Ctx<'_, Self>) {
        match *op {
            RingOp::Join { node } => {
                let mut members = self.members.clone();
                members.push(node);
                members.sort_unstable();
                let change = self.change(ChangeKind::Joined { node }, members, self.vnodes);
                ctx.note(RingNote::Changed { change });
            }
            RingOp::Remove { node } => {
                let members = self
                    .members
                    .iter()
                    .copied()
                    .filter(|&m| m != node)
                    .collect();
                let change = self.change(ChangeKind::Removed { node }, members, self.vnodes);
                ctx.note(RingNote::Changed { change });
            }
            RingOp::SetVnodes { vnodes } => {
                let kind = ChangeKind::Vnodes {
                    from: self.vnodes,
                    to: vnodes,
                };
                let change = self.change(kind, self.members.clone(), vnodes);
                ctx.note(RingNote::Changed { change });
            }
            RingOp::Lookup { key } => {
                let Some(hash) = self.keys.hash(key) else {
                    return;
                };
                let lookup = Lookup {
                    key,
                    hash,
                    vnode: self.ring.successor(hash).and_then(|i| self.ring.vnode(i)),
                    mod_n_owner: mod_n_owner(hash, &self.members),
                };
                self.last_lookup = Some(lookup.clone());
                ctx.note(RingNote::LookedUp { lookup });
            }
        }
    }

    fn violations(&self, nodes: &[NodeState], out: &mut Vec<Violation>) {
        let down: Vec<NodeId> = self
            .members
            .iter()
            .copied()
            .filter(|&m| !nodes.get(usize::from(m)).is_some_and(NodeState::is_up))
            .collect();
        let stranded: u32 = down.iter().map(|&m| self.ring_load[usize::from(m)]).sum();
        if self.members.is_empty() && !self.keys.is_empty() {
            let n = self.keys.len();
            out.push(Violation {
                invariant: String::from(KEYS_SERVED),
                subject: String::new(),
                name: Text::new("Every key's node is up", "每个键所在的节点都在线"),
                detail: Text::new(
                    format!("No node is on the ring: none of the {n} keys can be served."),
                    format!("哈希环上没有节点：{n} 个键都无法访问。"),
                ),
                severity: Severity::Error,
            });
        }
        if stranded > 0 {
            let who: Vec<&str> = down.iter().map(|&m| self.name(m)).collect();
            let (who, who_zh) = crate::text::list(&who);
            out.push(Violation {
                invariant: String::from(KEYS_SERVED),
                subject: String::new(),
                name: Text::new("Every key's node is up", "每个键所在的节点都在线"),
                detail: Text::new(
                    if stranded == 1 {
                        format!("1 key maps to {who}, which is down: it cannot be served until the node is removed from the ring or restarts.")
                    } else {
                        format!("{stranded} keys map to {who}, which is down: they cannot be served until it is removed from the ring or restarts.")
                    },
                    format!("有 {stranded} 个键映射到已宕机的 {who_zh}：在它被移出哈希环或重启之前，这些键无法访问。"),
                ),
                severity: Severity::Error,
            });
        }
        if let Some(change) = &self.last_change {
            if let Some(node) = change.kind.node() {
                for (stats, invariant, scheme) in [
                    (
                        &change.ring,
                        "ring.minimal-movement",
                        ("consistent hashing", "一致性哈希"),
                    ),
                    (
                        &change.mod_n,
                        "modn.minimal-movement",
                        ("hash % N", "hash % N"),
                    ),
                ] {
                    if stats.between_other_nodes > 0 {
                        let name = self.name(node);
                        let (did_en, did_zh) = match change.kind {
                            ChangeKind::Joined { .. } => ("joined", "加入"),
                            _ => ("left", "离开"),
                        };
                        let pct = stats.moved_basis_points();
                        out.push(Violation {
                            invariant: String::from(invariant),
                            subject: String::new(),
                            name: Text::new(
                                format!("Only the changed node's keys move ({})", scheme.0),
                                format!("只有变化节点的键迁移（{}）", scheme.1),
                            ),
                            detail: Text::new(
                                format!(
                                    "{name} {did_en}: {} of {} keys moved ({}.{:02}%); {} of them moved between nodes that did not change.",
                                    stats.moved, stats.total, pct / 100, pct % 100, stats.between_other_nodes
                                ),
                                format!(
                                    "{name} {did_zh}后，{} 个键中有 {} 个迁移（{}.{:02}%），其中 {} 个是在没有变化的节点之间迁移。",
                                    stats.total, stats.moved, pct / 100, pct % 100, stats.between_other_nodes
                                ),
                            ),
                            severity: Severity::Error,
                        });
                    }
                }
            }
        }
        let spread = self.ring_spread();
        if spread.nodes >= 2 && spread.mean >= MIN_KEYS_FOR_BALANCE {
            let fair = spread.mean;
            if f64::from(spread.max) * 100.0 > fair * SKEW_WARNING_PERCENT as f64 {
                let busiest = self
                    .members
                    .iter()
                    .copied()
                    .max_by_key(|&m| (self.ring_load[usize::from(m)], core::cmp::Reverse(m)))
                    .map_or("?", |m| self.name(m));
                let times = f64::from(spread.max) / fair;
                out.push(Violation {
                    invariant: String::from(BALANCE),
                    subject: String::new(),
                    name: Text::new("Keys are spread evenly", "键分布均匀"),
                    detail: Text::new(
                        format!("{busiest} holds {} keys, {times:.1}× its fair share of {fair:.0}. More virtual nodes even this out.", spread.max),
                        format!("{busiest} 上有 {} 个键，是平均值 {fair:.0} 的 {times:.1} 倍。增加虚拟节点可以让分布更均匀。", spread.max),
                    ),
                    severity: Severity::Warning,
                });
            }
        }
    }
}

impl Lab for RingLab {
    const INFO: LabInfo = LabInfo {
        id: "ring",
        name: StaticText::new("Consistent hashing", "一致性哈希"),
        teaches: StaticText::new(
            "Keys on a hash ring with virtual nodes: a node that joins or leaves moves only its own arc, while hash % N moves almost every key.",
            "哈希环与虚拟节点：节点加入或离开只迁移它自己那一段的键，而 hash % N 几乎要迁移所有键。",
        ),
        lessons: 5,
        topics: &[Topic {
            seed: 4,
            section: StaticText::new("Consistent hashing", "七、一致性Hash算法"),
        }],
    };
    type Setup = RingSetup;

    fn build(setup: &RingSetup, seed: u64) -> Result<World<RingLab>, Text> {
        RingLab::world(setup, seed)
    }

    /// An operation from a file or a link names a node, a key or a number of virtual nodes within
    /// what any ring may have; whether that node or key exists in this ring is `check_op`'s work.
    fn check_input(op: &RingOp) -> Result<(), Text> {
        match *op {
            RingOp::Join { node } | RingOp::Remove { node } if usize::from(node) >= MAX_NODES => {
                Err(Text::new(
                    format!(
                        "There is no node {}: a ring has at most {MAX_NODES} nodes.",
                        u32::from(node) + 1
                    ),
                    format!(
                        "没有第 {} 个节点：哈希环最多有 {MAX_NODES} 个节点。",
                        u32::from(node) + 1
                    ),
                ))
            }
            RingOp::SetVnodes { vnodes } => check_vnodes(vnodes),
            RingOp::Lookup { key } if key >= MAX_KEYS => {
                let (n, max) = (
                    thousands(u64::from(key) + 1),
                    thousands(u64::from(MAX_KEYS)),
                );
                Err(Text::new(
                    format!("There is no key k{n}: a ring has at most {max} keys."),
                    format!("没有键 k{n}：哈希环最多有 {max} 个键。"),
                ))
            }
            _ => Ok(()),
        }
    }

    fn invariants() -> Vec<InvariantInfo> {
        alloc::vec![
            InvariantInfo {
                id: KEYS_SERVED,
                name: Text::new("Every key's node is up", "每个键所在的节点都在线"),
                severity: Severity::Error,
            },
            InvariantInfo {
                id: RING_MINIMAL,
                name: Text::new(
                    "Only the changed node's keys move (ring)",
                    "只有变化节点的键迁移（哈希环）"
                ),
                severity: Severity::Error,
            },
            InvariantInfo {
                id: MODN_MINIMAL,
                name: Text::new(
                    "Only the changed node's keys move (hash % N)",
                    "只有变化节点的键迁移（hash % N）"
                ),
                severity: Severity::Error,
            },
            InvariantInfo {
                id: BALANCE,
                name: Text::new("Keys are spread evenly", "键分布均匀"),
                severity: Severity::Warning,
            },
        ]
    }

    fn lessons() -> Vec<Scenario<RingLab>> {
        super::scenarios::scenarios()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Action, Event, Fault, Model};
    use alloc::string::ToString;
    use alloc::vec;
    use proptest::prelude::*;

    fn names(n: usize) -> Vec<String> {
        (1..=n).map(|i| format!("N{i}")).collect()
    }

    fn lab(nodes: usize, members: Vec<NodeId>, vnodes: u32, keys: u32) -> RingLab {
        RingLab::new(&RingSetup {
            nodes: names(nodes),
            members,
            vnodes,
            keys,
        })
        .unwrap()
    }

    /// The owner by definition: scan every virtual node for the smallest point at or after the
    /// hash, else the smallest point of all.
    fn brute_force_owner(lab: &RingLab, hash: u32) -> Option<NodeId> {
        let vnodes: Vec<VirtualNode> = lab.ring.vnodes().collect();
        vnodes
            .iter()
            .filter(|v| v.point >= hash)
            .min_by_key(|v| (v.point, v.node, v.replica))
            .or_else(|| vnodes.iter().min_by_key(|v| (v.point, v.node, v.replica)))
            .map(|v| v.node)
    }

    fn members_strategy() -> impl Strategy<Value = (Vec<NodeId>, NodeId, u32)> {
        (prop::collection::btree_set(0u8..8, 2..8), 0u8..8, 1u32..40)
            .prop_map(|(set, pick, vnodes)| (set.into_iter().collect(), pick, vnodes))
    }

    proptest! {
        #[test]
        fn each_key_maps_to_the_first_virtual_node_clockwise(
            (members, _, vnodes) in members_strategy(),
            hashes in prop::collection::vec(any::<u32>(), 1..200),
        ) {
            let lab = lab(8, members, vnodes, 1);
            for h in hashes {
                prop_assert_eq!(lab.ring.owner(h), brute_force_owner(&lab, h));
            }
        }

        #[test]
        fn the_sweep_agrees_with_lookups((members, _, vnodes) in members_strategy()) {
            let lab = lab(8, members, vnodes, 3000);
            let swept: Vec<Option<NodeId>> = lab.ring.owners_sorted(lab.keys.sorted_hashes()).collect();
            for (pos, &h) in lab.keys.sorted_hashes().iter().enumerate() {
                prop_assert_eq!(swept[pos], lab.ring.owner(h));
            }
            prop_assert_eq!(lab.ring_load.iter().sum::<u32>(), 3000);
            prop_assert_eq!(lab.mod_load.iter().sum::<u32>(), 3000);
        }

        #[test]
        fn removing_a_node_moves_only_that_nodes_keys((members, pick, vnodes) in members_strategy()) {
            let node = members[usize::from(pick) % members.len()];
            let before = lab(8, members.clone(), vnodes, 2000);
            let mut after = before.clone();
            let rest: Vec<NodeId> = members.iter().copied().filter(|&m| m != node).collect();
            let change = after.change(ChangeKind::Removed { node }, rest, vnodes);
            for key in 0..2000 {
                let (old, _) = before.owners(key).unwrap();
                let (new, _) = after.owners(key).unwrap();
                if old != Some(node) {
                    prop_assert_eq!(old, new, "k{} moved though it was not on the removed node", key + 1);
                } else {
                    prop_assert_ne!(new, Some(node));
                }
            }
            prop_assert_eq!(change.ring.moved, before.ring_load[usize::from(node)]);
            prop_assert_eq!(change.ring.between_other_nodes, 0);
        }

        #[test]
        fn adding_a_node_moves_keys_only_onto_it((members, pick, vnodes) in members_strategy()) {
            let node = members[usize::from(pick) % members.len()];
            let rest: Vec<NodeId> = members.iter().copied().filter(|&m| m != node).collect();
            let before = lab(8, rest, vnodes, 2000);
            let mut after = before.clone();
            let change = after.change(ChangeKind::Joined { node }, members.clone(), vnodes);
            for key in 0..2000 {
                let (old, _) = before.owners(key).unwrap();
                let (new, _) = after.owners(key).unwrap();
                if old != new {
                    prop_assert_eq!(new, Some(node));
                }
            }
            prop_assert_eq!(change.ring.moved, after.ring_load[usize::from(node)]);
            prop_assert_eq!(change.ring.between_other_nodes, 0);
        }
    }

    fn world(members: Vec<NodeId>, vnodes: u32, keys: u32) -> crate::kernel::World<RingLab> {
        RingLab::world(
            &RingSetup {
                nodes: names(4),
                members,
                vnodes,
                keys,
            },
            1,
        )
        .unwrap()
    }

    fn violations(w: &crate::kernel::World<RingLab>) -> Vec<String> {
        let mut out = Vec::new();
        w.violations(&mut out);
        out.into_iter().map(|v| v.invariant).collect()
    }

    #[test]
    fn balance_is_judged_only_with_enough_keys_to_tell() {
        // One point per node: the arcs are uneven, and with 10,000 keys the warning says so.
        let skewed = |keys| {
            let w = world(vec![0, 1, 2], 1, keys);
            let spread = w.protocol.ring_spread();
            (
                f64::from(spread.max) / spread.mean,
                violations(&w).contains(&String::from(BALANCE)),
            )
        };
        let (times, warned) = skewed(10_000);
        assert!(times > 1.5 && warned, "{times}");
        // 12 keys on 3 nodes, 4 each on average: too few for their spread to say anything.
        let (_, warned) = skewed(12);
        assert!(!warned);
    }

    #[test]
    fn a_crashed_member_strands_its_keys_until_removed() {
        let mut w = world(vec![0, 1, 2], 50, 1000);
        let mut ev = Vec::new();
        w.apply(
            &Action::Fault {
                fault: Fault::Crash { node: 1 },
            },
            &mut ev,
        );
        assert!(violations(&w).contains(&"ring.keys-served".to_string()));
        w.apply(
            &Action::Op {
                op: RingOp::Remove { node: 1 },
            },
            &mut ev,
        );
        let v = violations(&w);
        assert!(!v.contains(&"ring.keys-served".to_string()));
        assert!(!v.contains(&"ring.minimal-movement".to_string()));
        assert!(v.contains(&"modn.minimal-movement".to_string()));
    }

    #[test]
    fn removing_every_node_leaves_the_keys_unserved_without_a_panic() {
        let mut w = world(vec![0, 1], 20, 500);
        let mut ev = Vec::new();
        for node in [0, 1] {
            w.apply(
                &Action::Op {
                    op: RingOp::Remove { node },
                },
                &mut ev,
            );
        }
        assert!(w.protocol.members.is_empty());
        assert_eq!(w.protocol.ring_load.iter().sum::<u32>(), 0);
        assert!(violations(&w).contains(&"ring.keys-served".to_string()));
        w.apply(
            &Action::Op {
                op: RingOp::Lookup { key: 3 },
            },
            &mut ev,
        );
        assert!(w
            .protocol
            .last_lookup
            .as_ref()
            .is_some_and(|l| l.vnode.is_none()));
        assert_eq!(w.protocol.spread_with_vnodes(10, 100).nodes, 0);
        assert_eq!(w.protocol.arc_spread_with_vnodes(10).nodes, 0);
        w.apply(
            &Action::Op {
                op: RingOp::Join { node: 2 },
            },
            &mut ev,
        );
        assert_eq!(w.protocol.ring_load[2], 500);
        assert!(violations(&w).is_empty());
    }

    #[test]
    fn invalid_operations_are_skipped_with_a_reason() {
        let mut w = world(vec![0, 1], 10, 100);
        for op in [
            RingOp::Join { node: 0 },
            RingOp::Join { node: 9 },
            RingOp::Remove { node: 3 },
            RingOp::SetVnodes { vnodes: 0 },
            RingOp::SetVnodes { vnodes: 1001 },
            RingOp::Lookup { key: 100 },
        ] {
            let before = w.clone();
            let mut ev = Vec::new();
            w.apply(&Action::Op { op: op.clone() }, &mut ev);
            assert!(
                matches!(ev[..], [Event::Skipped { .. }]),
                "{op:?} gave {ev:?}"
            );
            assert_eq!(w, before);
        }
        let mut ev = Vec::new();
        w.apply(
            &Action::Fault {
                fault: Fault::Crash { node: 2 },
            },
            &mut ev,
        );
        w.apply(
            &Action::Op {
                op: RingOp::Join { node: 2 },
            },
            &mut ev,
        );
        assert!(
            matches!(ev.last(), Some(Event::Skipped { .. })),
            "a down node cannot join"
        );
    }

    #[test]
    fn lookup_reports_the_virtual_node_and_the_mod_n_owner() {
        let mut w = world(vec![0, 1, 2], 5, 50);
        let mut ev = Vec::new();
        w.apply(
            &Action::Op {
                op: RingOp::Lookup { key: 7 },
            },
            &mut ev,
        );
        let Some(Event::Note {
            note: RingNote::LookedUp { lookup },
        }) = ev.first()
        else {
            panic!("expected a lookup, got {ev:?}");
        };
        let lab = &w.protocol;
        assert_eq!(lookup.hash, lab.keys.hash(7).unwrap());
        assert_eq!(lookup.vnode.map(|v| v.node), lab.ring.owner(lookup.hash));
        assert_eq!(
            lookup.mod_n_owner,
            Some([0, 1, 2][lookup.hash as usize % 3])
        );
    }

    #[test]
    fn setups_out_of_range_are_refused_with_a_message() {
        let ok = RingSetup {
            nodes: names(3),
            members: vec![0],
            vnodes: 1,
            keys: 1,
        };
        assert!(ok.validate().is_ok());
        for bad in [
            RingSetup {
                nodes: vec![],
                ..ok.clone()
            },
            RingSetup {
                nodes: names(101),
                ..ok.clone()
            },
            RingSetup {
                nodes: vec!["A".into(), "A".into()],
                ..ok.clone()
            },
            RingSetup {
                nodes: vec!["".into()],
                ..ok.clone()
            },
            RingSetup {
                members: vec![3],
                ..ok.clone()
            },
            RingSetup {
                vnodes: 0,
                ..ok.clone()
            },
            RingSetup {
                vnodes: 100_000,
                ..ok.clone()
            },
            RingSetup {
                keys: 0,
                ..ok.clone()
            },
            RingSetup {
                keys: 2_000_000,
                ..ok.clone()
            },
        ] {
            let err = bad.validate().unwrap_err();
            assert!(!err.is_incomplete(), "{err:?}");
        }
    }

    #[test]
    fn more_virtual_nodes_even_out_the_load() {
        let lab = lab(10, (0..10).collect(), 1, 50_000);
        let one = lab.spread_with_vnodes(1, usize::MAX).relative_std_dev();
        let many = lab.spread_with_vnodes(500, usize::MAX).relative_std_dev();
        assert!(
            many * 4.0 < one,
            "1 vnode: {one:.1}%, 500 vnodes: {many:.1}%"
        );
        // The arc shares follow the same trend without any keys.
        let arc_one = lab.arc_spread_with_vnodes(1).relative_std_dev();
        let arc_many = lab.arc_spread_with_vnodes(500).relative_std_dev();
        assert!(
            arc_many * 4.0 < arc_one,
            "arcs: {arc_one:.1}% against {arc_many:.1}%"
        );
        assert!((lab.arc_spread_with_vnodes(7).mean - 100_000.0).abs() < 1.0);
        // The sampled variant uses only the first keys and still counts each exactly once.
        let sampled = lab.spread_with_vnodes(50, 1000);
        assert!((sampled.mean - 100.0).abs() < 1e-9);
    }

    /// A scenario file with `steps` steps, the last node joining and leaving again and again.
    fn churn_file(nodes: usize, vnodes: u32, keys: u32, steps: usize) -> Scenario<RingLab> {
        use crate::scenario::{Directive, ScriptStep};
        let last = (nodes - 1) as NodeId;
        Scenario {
            id: "churn".into(),
            title: Text::new("Churn", "反复加入离开"),
            summary: Text::new("One node joins and leaves.", "一个节点反复加入和离开。"),
            seed: 1,
            setup: RingSetup {
                nodes: names(nodes),
                members: (0..last).collect(),
                vnodes,
                keys,
            },
            faults: Vec::new(),
            breaks: Vec::new(),
            steps: (0..steps)
                .map(|i| {
                    let op = if i % 2 == 0 {
                        RingOp::Join { node: last }
                    } else {
                        RingOp::Remove { node: last }
                    };
                    ScriptStep::new(Directive::Op { op }, "A change.", "一次变化。")
                })
                .collect(),
        }
    }

    fn refusal(s: &Scenario<RingLab>) -> Text {
        match s.validate() {
            Err(crate::scenario::ScenarioError::Invalid(t)) => t,
            other => panic!("expected a refusal, got {other:?}"),
        }
    }

    #[test]
    fn the_issue_file_at_every_cap_is_refused_with_a_message() {
        // Issue 11: 100 nodes, 1,000 virtual nodes, 1,000,000 keys, 500 steps took over 3 s.
        let file = churn_file(MAX_NODES, MAX_VNODES, 1_000_000, crate::scenario::MAX_STEPS);
        let e = refusal(&file);
        assert_eq!(
            e.en,
            "The number of keys must be between 1 and 200,000, not 1,000,000."
        );
        assert_eq!(e.zh, "键的数量必须在 1 到 200,000 之间，而不是 1,000,000。");
        // With keys allowed, the ring's points are refused, naming both factors.
        let file = churn_file(MAX_NODES, MAX_VNODES, MAX_KEYS, crate::scenario::MAX_STEPS);
        let e = refusal(&file);
        assert_eq!(
            e.en,
            "100 nodes × 1,000 virtual nodes = 100,000 points on the ring; at most 20,000 are allowed."
        );
        assert_eq!(
            e.zh,
            "100 个节点 × 1,000 个虚拟节点 = 环上 100,000 个点；最多允许 20,000 个。"
        );
    }

    #[test]
    fn set_ups_just_under_the_limits_are_accepted() {
        for (nodes, vnodes) in [(100, 200), (20, 1000), (1, 1000)] {
            let file = churn_file(nodes.max(2), vnodes, MAX_KEYS, 2);
            let points = file.setup.nodes.len() as u64 * u64::from(vnodes);
            if points <= MAX_RING_POINTS {
                assert!(file.validate().is_ok(), "{nodes} × {vnodes}");
            }
        }
        assert!(churn_file(100, 200, MAX_KEYS, 2).validate().is_ok());
        assert!(churn_file(100, 201, 1, 2).validate().is_err());
        assert!(churn_file(21, 1000, 1, 2).validate().is_err());
        assert!(churn_file(20, 1000, 1, 2).validate().is_ok());
    }

    /// The applied changes and the refusals of a played run.
    fn changes_and_refusals(s: &Scenario<RingLab>) -> (usize, Vec<Text>) {
        let played = s.play(&[]).unwrap();
        let mut changes = 0;
        let mut refused = Vec::new();
        for step in played.run.steps() {
            for e in &step.events {
                match e {
                    Event::Note {
                        note: RingNote::Changed { .. },
                    } => changes += 1,
                    Event::Skipped { reason } => refused.push(reason.clone()),
                    _ => {}
                }
            }
        }
        let placed = played.run.last().protocol.placed;
        assert!(placed.keys <= MAX_KEYS_PLACED && placed.vnodes <= MAX_VNODES_PLACED);
        (changes, refused)
    }

    #[test]
    fn a_long_run_of_many_keys_stops_changing_at_its_budget_of_keys() {
        // 100,000 keys: the set-up and 19 changes place 2,000,000 keys; the 20th is refused.
        let file = churn_file(4, 10, 100_000, crate::scenario::MAX_STEPS);
        let (changes, refused) = changes_and_refusals(&file);
        assert_eq!(changes, 19);
        assert_eq!(refused.len(), crate::scenario::MAX_STEPS - 19);
        assert_eq!(
            refused[0].en,
            "each change of the ring places all 100,000 keys again, one run may place at most 2,000,000 keys in all, and this run has placed 2,000,000; for a longer run, start free play with fewer keys"
        );
        assert!(
            refused[0].zh.contains("全部 100,000 个键"),
            "{}",
            refused[0].zh
        );
        // A lookup costs nothing and still works.
        let mut w = RingLab::build(&file.setup, 1).unwrap();
        w.protocol.placed.keys = MAX_KEYS_PLACED;
        let mut ev = Vec::new();
        w.apply(
            &Action::Op {
                op: RingOp::Lookup { key: 5 },
            },
            &mut ev,
        );
        assert!(matches!(ev[..], [Event::Note { .. }]), "{ev:?}");
    }

    #[test]
    fn a_long_run_of_many_points_stops_changing_at_its_budget_of_virtual_nodes() {
        // 100 nodes × 200: each change builds a ring of 19,800 or 20,000 points.
        let file = churn_file(100, 200, 1, crate::scenario::MAX_STEPS);
        let (changes, refused) = changes_and_refusals(&file);
        // Set-up 19,800; then 20,000 and 19,800 in turn: after 11 changes 238,800 are placed, and
        // the 12th would pass 250,000.
        assert_eq!(changes, 11);
        assert_eq!(refused[0].en, "this change would place 19,800 virtual nodes on a new ring, one run may place at most 250,000 in all, and this run has placed 238,800; for a longer run, use fewer nodes or virtual nodes");
        // The lessons' rings are far from either budget.
        for lesson in RingLab::lessons() {
            let (_, refused) = changes_and_refusals(&lesson);
            assert!(
                refused.iter().all(|r| !r.en.contains("one run may place")),
                "{}",
                lesson.id
            );
        }
    }

    #[test]
    fn more_virtual_nodes_than_the_ring_may_hold_are_refused_naming_both_factors() {
        let mut w = RingLab::build(&churn_file(30, 10, 100, 2).setup, 1).unwrap();
        let mut ev = Vec::new();
        w.apply(
            &Action::Op {
                op: RingOp::SetVnodes { vnodes: 700 },
            },
            &mut ev,
        );
        let [Event::Skipped { reason }] = &ev[..] else {
            panic!("{ev:?}");
        };
        assert_eq!(
            reason.en,
            "30 nodes × 700 virtual nodes = 21,000 points on the ring; at most 20,000 are allowed."
        );
        ev.clear();
        w.apply(
            &Action::Op {
                op: RingOp::SetVnodes { vnodes: 666 },
            },
            &mut ev,
        );
        assert!(matches!(ev[..], [Event::Note { .. }]), "{ev:?}");
    }

    #[test]
    fn operations_out_of_any_rings_range_are_refused_as_input() {
        for op in [
            RingOp::Join { node: 100 },
            RingOp::Remove { node: 255 },
            RingOp::SetVnodes { vnodes: 0 },
            RingOp::SetVnodes { vnodes: u32::MAX },
            RingOp::Lookup { key: MAX_KEYS },
            RingOp::Lookup { key: u32::MAX },
        ] {
            let e = RingLab::check_input(&op).unwrap_err();
            assert!(!e.is_incomplete(), "{op:?}");
        }
        assert_eq!(
            RingLab::check_input(&RingOp::Lookup { key: u32::MAX })
                .unwrap_err()
                .en,
            "There is no key k4,294,967,296: a ring has at most 200,000 keys."
        );
        for op in [
            RingOp::Join { node: 99 },
            RingOp::Remove { node: 0 },
            RingOp::SetVnodes { vnodes: MAX_VNODES },
            RingOp::Lookup { key: MAX_KEYS - 1 },
        ] {
            assert!(RingLab::check_input(&op).is_ok(), "{op:?}");
        }
    }

    #[test]
    fn the_chart_spreads_agree_with_their_separate_functions() {
        let lab = lab(6, vec![0, 2, 3, 5], 1, 5_000);
        for v in [1, 7, 100] {
            let (keys, arcs) = lab.spreads_with_vnodes(v);
            assert_eq!(keys, lab.spread_with_vnodes(v, usize::MAX));
            assert_eq!(arcs, lab.arc_spread_with_vnodes(v));
        }
    }
}
