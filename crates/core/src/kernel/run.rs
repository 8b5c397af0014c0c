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
    /// 1-based index of the step after which this exact violation first held (without a break);
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
                    .find(|p| p.violation == violation)
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
        if self.steps.len() % self.interval == 0 {
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
