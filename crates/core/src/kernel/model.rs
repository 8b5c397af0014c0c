//! The one interface every lab model offers: list the enabled actions, apply one, report broken
//! invariants. The player steps it, the fault toolbar injects into it, and an explorer can walk every
//! interleaving of it, all without knowing which lab it is.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use super::Time;
use crate::text::Text;

/// How bad a broken invariant is. Safety properties are errors; liveness concerns (a lock that may
/// stay stuck, a skewed load) are warnings.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Severity {
    Error,
    Warning,
}

/// One broken invariant in one state.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Violation {
    /// Stable identifier of the invariant, such as `ring.keys-served`.
    pub invariant: String,
    /// What breaks it, such as a message's label: the run tracks each (invariant, subject) pair
    /// from the step that caused it, while its detail may change (a count that grows). Empty when
    /// the detail itself identifies the violation.
    #[serde(default)]
    pub subject: String,
    /// The invariant's name, shown in the invariants panel.
    pub name: Text,
    /// What exactly is wrong in this state.
    pub detail: Text,
    pub severity: Severity,
}

impl Violation {
    /// Whether two violations are the same one, perhaps described differently.
    pub fn same_as(&self, other: &Violation) -> bool {
        self.invariant == other.invariant
            && if self.subject.is_empty() {
                self == other
            } else {
                self.subject == other.subject
            }
    }
}

/// A state machine that can be stepped, explored and checked.
pub trait Model: Clone {
    /// A choice the world can make next: deliver a message, a client operation, a fault.
    type Action: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    /// What happened, for the trace and the views.
    type Event: Clone + Debug + PartialEq + Serialize;

    /// The model's virtual time.
    fn now(&self) -> Time;
    /// Every action enabled in this state, in a deterministic order (faults excluded).
    fn actions(&self, out: &mut Vec<Self::Action>);
    /// Applies one action. An action that is not enabled is recorded as skipped, never a panic.
    fn apply(&mut self, action: &Self::Action, out: &mut Vec<Self::Event>);
    /// The invariants broken in this state.
    fn violations(&self, out: &mut Vec<Violation>);
    /// Why the model stopped, when a step went over the limits of [`super::bounds`]; a stopped
    /// model has no actions and applies none.
    fn halted(&self) -> Option<&Text> {
        None
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn v(subject: &str, detail: &str) -> Violation {
        Violation {
            invariant: String::from("mq.processed-once"),
            subject: String::from(subject),
            name: Text::new("once", "一次"),
            detail: Text::new(detail, detail),
            severity: Severity::Error,
        }
    }

    #[test]
    fn a_subject_keeps_a_violation_the_same_while_its_detail_changes() {
        assert!(v("m1", "processed 2 times").same_as(&v("m1", "processed 3 times")));
        assert!(!v("m1", "x").same_as(&v("m2", "x")));
        assert!(v("", "x").same_as(&v("", "x")));
        assert!(!v("", "processed 2 times").same_as(&v("", "processed 3 times")));
    }
}
