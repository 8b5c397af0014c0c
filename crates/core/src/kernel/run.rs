//! A run: the trace of a model stepped action by action, with checkpoints so that any step can be
//! reached, forward or back, by cloning the nearest earlier checkpoint and replaying at most one
//! checkpoint interval of actions. Invariants are evaluated after every step, and every violation
//! remembers the step at which it first appeared: the step that caused it.

use alloc::vec::Vec;

use serde::Serialize;

use super::model::{Model, Violation};
use super::Time;

/// A violation that is present in a state, with the step that caused it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct ActiveViolation {
    pub violation: Violation,
    /// 1-based index of the step after which this violation first held (without a break), where
    /// a violation is the same while its invariant and subject are (or, without a subject, its
    /// whole text);
    /// 0 when it already failed in the initial state.
    pub since: usize,
}

/// One applied action and what it did.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Step<M: Model> {
    pub action: M::Action,
    /// Virtual time after the step.
    pub time: Time,
    pub events: Vec<M::Event>,
    /// The invariants broken in the state after this step.
    pub violations: Vec<ActiveViolation>,
}

/// A trace with checkpoints.
#[derive(Clone, Debug)]
pub struct Run<M: Model> {
    interval: usize,
    /// `checkpoints[i]` is the state after `i * interval` steps.
    checkpoints: Vec<M>,
    initial_violations: Vec<ActiveViolation>,
    steps: Vec<Step<M>>,
    last: M,
}

impl<M: Model> Run<M> {
    /// Starts a run from `initial`, keeping a checkpoint every `interval` steps (at least 1).
    pub fn new(initial: M, interval: usize) -> Self {
        let mut found = Vec::new();
        initial.violations(&mut found);
        let initial_violations = found
            .into_iter()
            .map(|violation| ActiveViolation {
                violation,
                since: 0,
            })
            .collect();
        Run {
            interval: interval.max(1),
            checkpoints: alloc::vec![initial.clone()],
            initial_violations,
            steps: Vec::new(),
            last: initial,
        }
    }

    pub fn interval(&self) -> usize {
        self.interval
    }

    /// Number of steps applied.
    pub fn len(&self) -> usize {
        self.steps.len()
    }

    pub fn is_empty(&self) -> bool {
        self.steps.is_empty()
    }

    pub fn steps(&self) -> &[Step<M>] {
        &self.steps
    }

    /// The step that led to state `k` (1-based), if any.
    pub fn step(&self, k: usize) -> Option<&Step<M>> {
        k.checked_sub(1).and_then(|i| self.steps.get(i))
    }

    /// The state after all steps.
    pub fn last(&self) -> &M {
        &self.last
    }

    /// The violations in state `k` (0 is the initial state).
    pub fn violations_at(&self, k: usize) -> &[ActiveViolation] {
        match self.step(k) {
            Some(step) => &step.violations,
            None if k == 0 => &self.initial_violations,
            None => self.violations_at(self.len()),
        }
    }

    /// Applies one action to the last state and records it.
    pub fn push(&mut self, action: M::Action) -> &Step<M> {
        let mut events = Vec::new();
        self.last.apply(&action, &mut events);
        let mut found = Vec::new();
        self.last.violations(&mut found);
        let previous = self.violations_at(self.len());
        let k = self.steps.len() + 1;
        let violations = found
            .into_iter()
            .map(|violation| {
                let since = previous
                    .iter()
                    .find(|p| p.violation.same_as(&violation))
                    .map_or(k, |p| p.since);
                ActiveViolation { violation, since }
            })
            .collect();
        self.steps.push(Step {
            action,
            time: self.last.now(),
            events,
            violations,
        });
        if self.steps.len().is_multiple_of(self.interval) {
            self.checkpoints.push(self.last.clone());
        }
        &self.steps[self.steps.len() - 1]
    }

    /// The state after `k` steps (clamped to the trace): the nearest checkpoint at or before `k`,
    /// then at most `interval - 1` actions replayed. The cost does not grow with the trace length.
    pub fn state_at(&self, k: usize) -> M {
        let k = k.min(self.steps.len());
        if k == self.steps.len() {
            return self.last.clone();
        }
        let base = (k / self.interval).min(self.checkpoints.len() - 1);
        let mut state = self.checkpoints[base].clone();
        let mut scratch = Vec::new();
        for step in &self.steps[base * self.interval..k] {
            scratch.clear();
            state.apply(&step.action, &mut scratch);
        }
        state
    }

    /// Forgets every step after `k`, so that the run can fork there.
    pub fn truncate(&mut self, k: usize) {
        if k >= self.steps.len() {
            return;
        }
        self.last = self.state_at(k);
        self.steps.truncate(k);
        self.checkpoints.truncate(k / self.interval + 1);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::world::tests::{echo_world, Echo, EchoOp};
    use crate::kernel::{Action, Fault, LinkConfig, World};
    use proptest::prelude::*;

    /// Turns a random choice into an action that makes sense in the current state.
    fn pick(world: &World<Echo>, choice: u8, arg: u8) -> Action<EchoOp> {
        let n = arg % 3;
        match choice % 6 {
            0 => Action::Op {
                op: EchoOp::Ping {
                    from: n,
                    to: (n + 1) % 3,
                },
            },
            1 | 2 => world.next_due().unwrap_or(Action::Wait { ms: 1 }),
            3 => Action::Fault {
                fault: if arg.is_multiple_of(2) {
                    Fault::Crash { node: n }
                } else {
                    Fault::Restart { node: n }
                },
            },
            4 => Action::Fault {
                fault: Fault::Pause {
                    node: n,
                    ms: u64::from(arg),
                },
            },
            _ => Action::Op {
                op: EchoOp::Retry {
                    node: n,
                    to: (n + 2) % 3,
                    after: u64::from(arg),
                },
            },
        }
    }

    fn lossy() -> LinkConfig {
        LinkConfig {
            latency_min: 1,
            latency_max: 50,
            loss_permille: 100,
            duplicate_permille: 100,
            fifo: false,
        }
    }

    fn build(choices: &[(u8, u8)], interval: usize) -> Run<World<Echo>> {
        let mut run = Run::new(echo_world(lossy(), 9), interval);
        for &(c, a) in choices {
            let action = pick(run.last(), c, a);
            run.push(action);
        }
        run
    }

    proptest! {
        #[test]
        fn seeking_equals_replaying_from_the_start(
            choices in proptest::collection::vec((any::<u8>(), any::<u8>()), 0..120),
            interval in 1usize..20,
            k in 0usize..130,
        ) {
            let run = build(&choices, interval);
            let mut replayed = echo_world(lossy(), 9);
            let mut scratch = Vec::new();
            for step in run.steps().iter().take(k) {
                replayed.apply(&step.action, &mut scratch);
            }
            prop_assert_eq!(run.state_at(k), replayed);
        }

        #[test]
        fn truncating_then_pushing_again_reproduces_the_run(
            choices in proptest::collection::vec((any::<u8>(), any::<u8>()), 1..80),
            cut in 0usize..80,
        ) {
            let full = build(&choices, 4);
            let mut forked = full.clone();
            forked.truncate(cut);
            prop_assert_eq!(forked.len(), cut.min(full.len()));
            for step in &full.steps()[forked.len()..] {
                forked.push(step.action.clone());
            }
            prop_assert_eq!(forked.steps(), full.steps());
            prop_assert_eq!(forked.last(), full.last());
            prop_assert_eq!(forked.state_at(cut / 2), full.state_at(cut / 2));
        }
    }

    #[test]
    fn a_violation_points_at_the_step_that_caused_it() {
        let mut run = Run::new(echo_world(LinkConfig::default(), 1), 3);
        let ping = Action::Op {
            op: EchoOp::Ping { from: 0, to: 1 },
        };
        run.push(ping.clone());
        for _ in 0..2 {
            let next = run.last().next_due().unwrap();
            run.push(next);
        }
        assert!(run.violations_at(3).is_empty(), "one pong is fine");
        run.push(ping);
        for _ in 0..2 {
            let next = run.last().next_due().unwrap();
            run.push(next);
        }
        run.push(Action::Wait { ms: 5 });
        assert_eq!(run.violations_at(6).len(), 1);
        assert_eq!(run.violations_at(6)[0].since, 6);
        assert_eq!(
            run.violations_at(7)[0].since,
            6,
            "the cause stays the second pong"
        );
        assert_eq!(run.violations_at(run.len() + 10)[0].since, 6);
        assert!(run.violations_at(0).is_empty());
    }
}
