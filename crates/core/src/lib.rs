//! distlab-core: every protocol model of the distlab playground, deterministic and pure.
//!
//! The crate has no clock, no global random number generator and no IO. Time is virtual and is
//! advanced only by the actions applied to a [`kernel::World`]; randomness comes from a seeded
//! [`kernel::SimRng`] that lives inside the world, so the same scenario and seed always give the same
//! trace, byte for byte. The web crate renders what this crate computes; it decides nothing.
#![no_std]
#![forbid(unsafe_code)]

extern crate alloc;
#[cfg(feature = "std")]
extern crate std;

pub mod ids;
pub mod kernel;
pub mod labs;
pub mod locks;
pub mod mq;
pub mod ring;
pub mod scenario;
pub mod text;

pub use kernel::{Action, Event, Fault, Model, NodeId, Protocol, Run, Time, Violation, World};
pub use mq::topic::topic_matches;
pub use scenario::{Scenario, ScenarioError};
pub use text::{Lang, Text};
