//! The explorer on the distributed-locks lab: it finds the shortest interleaving in which a Redis
//! lease runs out under its holder and two clients write, proves the fenced variant safe within
//! the same bound, and its counterexample becomes a lesson that replays to the violation.

use distlab_core::kernel::{Action, Bounds, Explorer, Fault, NodeId, Outcome};
use distlab_core::locks::{LocksLab, RESOURCE_SAFE};
use distlab_core::scenario::{counterexample, Lab, Scenario};

fn lesson(id: &str) -> Scenario<LocksLab> {
    LocksLab::lessons()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("{id} is a locks lesson"))
}

/// Every interleaving of the lesson's start up to `depth` actions, where each client may be
/// paused once for twice its lease.
fn explore(lesson: &Scenario<LocksLab>, depth: usize) -> Explorer<distlab_core::World<LocksLab>> {
    let start = LocksLab::build(&lesson.setup, lesson.seed).unwrap();
    let faults = (0..start.protocol.clients.len())
        .map(|c| Action::Fault {
            fault: Fault::Pause {
                node: c as NodeId,
                ms: lesson.setup.ttl * 2,
            },
        })
        .collect();
    let mut e = Explorer::new(
        start,
        Bounds {
            max_depth: depth,
            max_states: 1_000_000,
            faults,
            max_faults: 1,
        },
    );
    while *e.run(10_000) == Outcome::Running {}
    e
}

#[test]
fn finds_the_redis_lease_counterexample_and_it_replays_as_a_lesson() {
    let base = lesson("locks-redis-lease-pause");
    let e = explore(&base, 12);
    let Outcome::Found { trace, violations } = e.outcome().clone() else {
        panic!("no counterexample: {:?}", e.outcome());
    };
    // A acquires (op, SET arrives, OK arrives), the lease runs out (timer), B acquires (op, SET
    // arrives, OK arrives), both write (2 ops) and both writes arrive (2): 11 actions.
    assert_eq!(trace.len(), 11, "{trace:#?}");
    assert!(violations.iter().any(|v| v.invariant == RESOURCE_SAFE));
    assert!(
        trace.iter().any(|a| matches!(a, Action::Fire { .. })),
        "the lease expiry is in it"
    );

    let cx = counterexample(&base, &trace, &violations);
    cx.validate().unwrap();
    assert_eq!(cx.breaks, vec![RESOURCE_SAFE.to_string()]);
    let played = cx.play(&[]).unwrap();
    assert_eq!(played.run.len(), 11);
    let at_end = played.run.violations_at(11);
    assert!(at_end
        .iter()
        .any(|v| v.violation.invariant == RESOURCE_SAFE && v.since == 11));
    assert!(
        played.run.violations_at(10).is_empty(),
        "nothing breaks before the last step"
    );
    // It survives the round trip of a scenario file, as the player loads it.
    assert_eq!(Scenario::<LocksLab>::from_file(&cx.to_file()).unwrap(), cx);
}

#[test]
fn proves_the_fenced_lock_safe_within_the_same_bound() {
    let e = explore(&lesson("locks-fencing"), 12);
    assert_eq!(
        *e.outcome(),
        Outcome::NoneFound {
            depth_cut: true,
            state_limit: false
        }
    );
    assert!(e.stats().states > 10_000, "{:?}", e.stats());
}
