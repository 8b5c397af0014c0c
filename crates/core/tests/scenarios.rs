//! Every built-in scenario: valid, bilingual, a real lesson, and pinned by a golden trace.
//! Set `UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate change, then read the diff.

use std::path::PathBuf;

use distlab_core::kernel::{Action, Fault, FaultKind, Severity};
use distlab_core::ring::RingOp;
use distlab_core::scenario::{self, AnyScenario, Injection, Origin, ScenarioError};

fn golden_path(id: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{id}.jsonl"))
}

#[test]
fn every_scenario_matches_its_golden_trace() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    for s in scenario::all() {
        let trace = s.golden().expect("built-in scenarios play");
        let path = golden_path(s.id());
        if update {
            std::fs::write(&path, &trace).unwrap();
            continue;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
        assert!(
            trace == expected,
            "{} differs from {}",
            s.id(),
            path.display()
        );
    }
}

#[test]
fn every_golden_file_belongs_to_a_scenario() {
    let ids: Vec<String> = scenario::all().iter().map(|s| s.id().to_string()).collect();
    for entry in std::fs::read_dir(golden_path("x").parent().unwrap()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let id = name.trim_end_matches(".jsonl");
        assert!(ids.iter().any(|i| i == id), "stale golden file {name}");
    }
}

#[test]
fn same_scenario_and_seed_give_the_same_trace_byte_for_byte() {
    for s in scenario::all() {
        assert_eq!(s.golden().unwrap(), s.golden().unwrap(), "{}", s.id());
    }
}

#[test]
fn scenarios_are_short_bilingual_lessons_with_a_question() {
    let all = scenario::all();
    assert!(all.len() >= 5);
    let mut ids: Vec<&str> = all.iter().map(AnyScenario::id).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), all.len(), "scenario ids are unique");
    for s in &all {
        s.validate()
            .unwrap_or_else(|e| panic!("{}: {:?}", s.id(), e.message()));
        let steps = s.step_count();
        assert!((8..=30).contains(&steps), "{} has {steps} steps", s.id());
        assert!(s.question_count() > 0, "{} asks nothing", s.id());
        assert!(!s.title().zh.is_ascii(), "{} needs a Chinese title", s.id());
    }
}

#[test]
fn each_scenario_breaks_exactly_the_errors_it_promises() {
    for s in scenario::all() {
        let broken = s.broken_invariants().unwrap();
        // Warnings may be promised too; every error the run shows must be promised, so that a
        // lesson whose narration says an invariant stays green cannot break it by accident.
        let errors: Vec<&String> = broken
            .iter()
            .filter(|(_, sev)| *sev == Severity::Error)
            .map(|(id, _)| id)
            .collect();
        for invariant in s.breaks() {
            assert!(
                broken.iter().any(|(id, _)| id == invariant),
                "{} never breaks {invariant}",
                s.id()
            );
        }
        for id in errors {
            assert!(
                s.breaks().contains(id),
                "{} breaks {id} without saying so",
                s.id()
            );
        }
    }
}

#[test]
fn every_scenario_step_does_something() {
    for s in scenario::all() {
        assert_eq!(
            s.idle_steps().unwrap(),
            Vec::<usize>::new(),
            "{} has steps where nothing happens",
            s.id()
        );
    }
}

#[test]
fn scenarios_round_trip_through_json() {
    for s in scenario::all() {
        let json = s.to_json();
        let back = AnyScenario::from_json(&json).unwrap();
        assert_eq!(back, s);
        assert_eq!(back.golden().unwrap(), s.golden().unwrap());
    }
}

#[test]
fn malformed_files_give_clear_errors() {
    let cases = [
        ("not json", "not a valid scenario file"),
        ("{\"lab\":\"nope\"}", "not a valid scenario file"),
        (
            "{\"lab\":\"ring\",\"id\":\"x\"}",
            "not a valid scenario file",
        ),
    ];
    for (text, expected) in cases {
        let err = AnyScenario::from_json(text).unwrap_err();
        assert!(matches!(err, ScenarioError::Json(_)));
        assert!(err.message().en.contains(expected), "{:?}", err.message());
        assert!(err.message().zh.contains("不是有效的场景文件"));
    }
    // Well-formed JSON that breaks a rule: too many virtual nodes.
    let mut s = scenario::find("ring-skew").unwrap();
    let AnyScenario::Ring(r) = &mut s else {
        panic!("ring-skew is a ring scenario")
    };
    r.setup.vnodes = 5000;
    let err = AnyScenario::from_json(&s.to_json()).unwrap_err();
    assert!(
        err.message().en.contains("between 1 and 1000"),
        "{:?}",
        err.message()
    );
    // A question whose answer is not one of its choices.
    let mut s = scenario::find("ring-skew").unwrap();
    let AnyScenario::Ring(r) = &mut s else {
        panic!("ring-skew is a ring scenario")
    };
    r.steps[2].question.as_mut().unwrap().answer = 7;
    assert!(matches!(
        AnyScenario::from_json(&s.to_json()),
        Err(ScenarioError::Invalid(_))
    ));
}

#[test]
fn an_injected_fault_forks_the_run_and_the_script_continues() {
    let Some(AnyScenario::Ring(r)) = scenario::find("ring-add-n4") else {
        panic!()
    };
    let plain = r.play(&[]).unwrap();
    let inj = [Injection::fault(2, Fault::Crash { node: 1 })];
    let forked = r.play(&inj).unwrap();
    assert_eq!(forked.run.len(), plain.run.len() + 1);
    assert_eq!(forked.origins[2], Origin::Injected(0));
    assert_eq!(forked.script_step(4), Some(2));
    assert_eq!(&forked.run.steps()[..2], &plain.run.steps()[..2]);
    // From the fault on, N2 is down and its keys are stranded.
    let since = forked
        .run
        .violations_at(3)
        .iter()
        .find(|v| v.violation.invariant == "ring.keys-served");
    assert_eq!(since.map(|v| v.since), Some(3));
    // Forks are deterministic too.
    assert_eq!(r.play(&inj).unwrap().golden(), forked.golden());
}

#[test]
fn injections_that_do_not_fit_the_run_are_refused() {
    let Some(AnyScenario::Ring(r)) = scenario::find("ring-add-n4") else {
        panic!()
    };
    let late = [Injection::fault(99, Fault::Heal)];
    assert!(matches!(r.play(&late), Err(ScenarioError::Invalid(_))));
    let unordered = [
        Injection::fault(3, Fault::Crash { node: 0 }),
        Injection::fault(1, Fault::Crash { node: 1 }),
    ];
    assert!(matches!(r.play(&unordered), Err(ScenarioError::Invalid(_))));
    let at_end = [Injection::fault(r.steps.len(), Fault::Crash { node: 0 })];
    assert_eq!(r.play(&at_end).unwrap().run.len(), r.steps.len() + 1);
}

#[test]
fn forking_equals_playing_with_the_same_injections() {
    let Some(AnyScenario::Ring(r)) = scenario::find("ring-n1-dies") else {
        panic!()
    };
    let mut live = r.play(&[]).unwrap();
    live.fork(
        &r,
        5,
        Action::Fault {
            fault: Fault::Crash { node: 1 },
        },
    )
    .unwrap();
    live.fork(
        &r,
        6,
        Action::Op {
            op: RingOp::Remove { node: 1 },
        },
    )
    .unwrap();
    // A fork earlier than an existing injection replaces the future, that injection included.
    let mut rewritten = live.clone();
    rewritten
        .fork(
            &r,
            2,
            Action::Op {
                op: RingOp::SetVnodes { vnodes: 3 },
            },
        )
        .unwrap();
    assert_eq!(rewritten.injections.len(), 1);
    assert_eq!(rewritten.run.len(), r.steps.len() + 1);
    let replayed = r.play(&live.injections).unwrap();
    assert_eq!(replayed.golden(), live.golden());
    assert_eq!(live.run.len(), r.steps.len() + 2);
    assert!(live.fork(&r, 99, Action::Wait { ms: 1 }).is_err());
    // Injections survive a JSON round trip, as a share link needs.
    let json = serde_json::to_string(&live.injections).unwrap();
    let back: Vec<Injection<RingOp>> = serde_json::from_str(&json).unwrap();
    assert_eq!(back, live.injections);
}

#[test]
fn lessons_with_nodes_offer_crash_and_restart() {
    // The peak-shaving lab models rates, not nodes: it has nothing to crash.
    for s in scenario::all().iter().filter(|s| s.lab() != "flow") {
        assert!(
            s.faults().contains(&FaultKind::Crash) && s.faults().contains(&FaultKind::Restart),
            "{}",
            s.id()
        );
    }
}
