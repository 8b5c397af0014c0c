//! The simulation kernel shared by every lab: virtual time, a seeded random number generator, nodes
//! joined by a lossy network, faults as ordinary actions, and a trace that can be sought forward and
//! back. A lab plugs in as a [`Protocol`]; the kernel wraps it in a [`World`], which implements the
//! small [`Model`] interface that the player, the invariant panel and the explorer all use.

pub mod bounds;
mod explore;
mod model;
mod network;
mod rng;
mod run;
mod world;

pub use explore::{replay, Bounds, Explorable, Explorer, Outcome, Stats};
pub use model::{Model, Severity, Violation};
pub use network::{Envelope, LinkConfig, LossReason, MsgId, Network};
pub use rng::SimRng;
pub use run::{ActiveViolation, Run, Step};
pub use world::{
    Action, Ctx, Event, Fault, FaultKind, NodeId, NodeState, NodeStatus, Protocol, TimerId, World,
};

/// Virtual time in milliseconds since the start of a run. Nothing in the core reads a real clock.
pub type Time = u64;
