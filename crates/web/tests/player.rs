// Ring sessions are the only kind unless the lab-mq feature adds more.
#![allow(irrefutable_let_patterns)]

//! The player's state in a real browser (wasm-bindgen-test in headless Chromium): stepping,
//! playback stopping at questions, forking with a fault, share links, and bad input.

use distlab_core::kernel::Fault;
use distlab_core::ring::{RingOp, RingSetup};
use distlab_core::scenario::{self, AnyScenario};
use distlab_core::Lang;
use distlab_web::player::{LabRun, Msg, Player, Source};
use distlab_web::share::{ScenarioRef, ShareState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

fn open(id: &str) -> Player {
    Player::new(Lang::En, false).update(Msg::OpenBuiltin(id.to_string()))
}

fn steps(mut p: Player, msgs: &[Msg]) -> Player {
    for m in msgs {
        p = p.update(m.clone());
    }
    p
}

#[wasm_bindgen_test]
fn starts_on_the_first_lesson_before_its_first_step() {
    let p = Player::new(Lang::Zh, false);
    assert_eq!(p.lab.scenario_id(), scenario::all()[0].id());
    assert_eq!(p.lab.step(), 0);
    assert!(p.lab.total() >= 8);
    assert_eq!(p.lang, Lang::Zh);
    assert!(p.message.is_none());
}

#[wasm_bindgen_test]
fn steps_forward_and_back_and_jumps_to_either_end() {
    let p = open("ring-n1-dies");
    let total = p.lab.total();
    let p = steps(p, &[Msg::Forward, Msg::Forward, Msg::Forward]);
    assert_eq!(p.lab.step(), 3);
    let p = p.update(Msg::Back);
    assert_eq!(p.lab.step(), 2);
    let p = p.update(Msg::Last);
    assert_eq!(p.lab.step(), total);
    assert_eq!(
        p.update(Msg::Forward).lab.step(),
        total,
        "no step past the end"
    );
    let p = p.update(Msg::First);
    assert_eq!(p.lab.step(), 0);
    assert_eq!(
        p.update(Msg::Back).lab.step(),
        0,
        "no step before the start"
    );
    assert_eq!(p.update(Msg::Seek(999)).lab.step(), total);
}

#[wasm_bindgen_test]
fn the_state_on_screen_matches_the_run_however_it_was_reached() {
    let p = open("ring-vnodes");
    let total = p.lab.total();
    let forward = steps(p.clone(), &vec![Msg::Forward; total]);
    for k in (0..=total).rev() {
        let by_seek = p.update(Msg::Seek(k));
        let back = steps(forward.clone(), &vec![Msg::Back; total - k]);
        let (LabRun::Ring(a), LabRun::Ring(b)) = (&by_seek.lab, &back.lab) else {
            panic!("both are ring sessions")
        };
        assert_eq!(*a.state, *b.state, "state {k}");
        assert_eq!(*a.state, a.run.run.state_at(k));
    }
}

#[wasm_bindgen_test]
fn the_crash_step_turns_the_invariant_red_and_points_at_itself() {
    let p = open("ring-n1-dies").update(Msg::Seek(3));
    let v = p
        .lab
        .violations()
        .iter()
        .find(|v| v.violation.invariant == "ring.keys-served");
    assert_eq!(v.map(|v| v.since), Some(3));
    let before = p.update(Msg::Back);
    assert!(!before
        .lab
        .violations()
        .iter()
        .any(|v| v.violation.invariant == "ring.keys-served"));
}

#[wasm_bindgen_test]
fn playback_stops_at_a_question_until_it_is_answered() {
    let mut p = open("ring-n1-dies").update(Msg::TogglePlay);
    assert!(p.playing);
    for _ in 0..10 {
        p = p.update(Msg::Tick);
    }
    let (question, _) = p.lab.question_ahead().expect("stopped before the question");
    assert!(!p.playing);
    assert_eq!(p.lab.step(), 3);
    let p = steps(
        p,
        &[
            Msg::Answer {
                question,
                choice: 1,
            },
            Msg::TogglePlay,
            Msg::Tick,
        ],
    );
    assert_eq!(p.lab.step(), 4);
    assert!(
        p.lab.question_here().is_some(),
        "the step reveals the answer"
    );
    assert_eq!(p.answers.get(&question), Some(&1));
}

#[wasm_bindgen_test]
fn a_fault_forks_the_run_at_the_step_on_screen() {
    let p = open("ring-add-n4").update(Msg::Seek(2));
    let total = p.lab.total();
    let p = p.update(Msg::Fault(Fault::Crash { node: 1 }));
    assert_eq!(p.lab.total(), total + 1);
    assert_eq!(p.lab.step(), 3);
    assert_eq!(p.lab.injection_count(), 1);
    assert!(p
        .lab
        .violations()
        .iter()
        .any(|v| v.violation.invariant == "ring.keys-served" && v.since == 3));
    // A fault that cannot happen (N2 is already down) is a step in which nothing happens.
    let again = p.update(Msg::Fault(Fault::Crash { node: 1 }));
    assert_eq!(again.lab.total(), p.lab.total() + 1);
    assert!(again
        .lab
        .event_lines(Lang::En)
        .iter()
        .any(|l| l.contains("already down")));
    let bad = p.update(Msg::Ring(RingOp::Join { node: 99 }));
    assert!(bad
        .lab
        .event_lines(Lang::En)
        .iter()
        .any(|l| l.contains("no such node")));
}

#[wasm_bindgen_test]
fn a_share_link_restores_lab_scenario_seed_faults_and_step() {
    let p = steps(
        open("ring-mod-n"),
        &[
            Msg::Seek(1),
            Msg::Fault(Fault::Crash { node: 0 }),
            Msg::Ring(RingOp::SetVnodes { vnodes: 7 }),
            Msg::Forward,
        ],
    );
    let fragment = p.share().to_fragment();
    let link = ShareState::parse(&format!("#{fragment}")).unwrap().unwrap();
    assert_eq!(link.scenario, ScenarioRef::Builtin("ring-mod-n".into()));
    let q = Player::new(Lang::En, false).update(Msg::OpenLink(link));
    assert!(q.message.is_none(), "{:?}", q.message);
    assert_eq!(q.lab.step(), p.lab.step());
    assert_eq!(q.lab.total(), p.lab.total());
    assert_eq!(q.lab.injections_json(), p.lab.injections_json());
    let (LabRun::Ring(a), LabRun::Ring(b)) = (&p.lab, &q.lab) else {
        panic!("both are ring sessions")
    };
    assert_eq!(*a.state, *b.state);
    assert_eq!(a.run.golden(), b.run.golden());
}

#[wasm_bindgen_test]
fn free_play_and_imported_scenarios_travel_in_the_link_too() {
    let setup = RingSetup {
        nodes: vec!["A".into(), "B".into(), "C".into()],
        members: vec![0, 2],
        vnodes: 9,
        keys: 500,
    };
    let p = Player::new(Lang::En, false).update(Msg::OpenSandbox(setup.clone()));
    assert_eq!(p.source, Source::Sandbox);
    let p = p.update(Msg::Ring(RingOp::Join { node: 1 }));
    let q = Player::new(Lang::En, false).update(Msg::OpenLink(
        ShareState::parse(&p.share().to_fragment())
            .unwrap()
            .unwrap(),
    ));
    let (LabRun::Ring(a), LabRun::Ring(b)) = (&p.lab, &q.lab) else {
        panic!("both are ring sessions")
    };
    assert_eq!(b.scenario.setup, setup);
    assert_eq!(*a.state, *b.state);

    let mut file = scenario::find("ring-skew").unwrap();
    let AnyScenario::Ring(s) = &mut file else {
        panic!("ring-skew is a ring scenario")
    };
    s.id = "my-lesson".into();
    let p = Player::new(Lang::En, false)
        .update(Msg::Import(file.to_json()))
        .update(Msg::Seek(2));
    assert_eq!(p.source, Source::File);
    let q = Player::new(Lang::En, false).update(Msg::OpenLink(
        ShareState::parse(&p.share().to_fragment())
            .unwrap()
            .unwrap(),
    ));
    assert_eq!(q.lab.scenario_id(), "my-lesson");
    assert_eq!(q.lab.step(), 2);
}

#[wasm_bindgen_test]
fn broken_links_and_files_leave_the_state_as_it_was() {
    let p = open("ring-skew").update(Msg::Seek(4));
    let links = [
        "#lab=ring&scenario=nope",
        "#lab=queues&scenario=ring-skew",
        "#lab=ring&scenario=ring-skew&step=minus-one",
        "#lab=ring&scenario=ring-skew&seed=1.5",
        "#lab=ring&scenario=ring-skew&inject=%5B%7B%22at%22",
        "#lab=ring&scenario=ring-skew&inject=%E0%A4%A",
        "#lab=ring&scenario=sandbox&setup=%7B%22nodes%22%3A%5B%5D%2C%22members%22%3A%5B%5D%2C%22vnodes%22%3A1%2C%22keys%22%3A1%7D",
        "#lab=ring&scenario=ring-skew&inject=%5B%7B%22at%22%3A99%2C%22action%22%3A%22wait%22%2C%22ms%22%3A1%7D%5D",
        "#scenario=ring-skew",
        "#lab",
    ];
    for link in links {
        let after = match ShareState::parse(link) {
            Ok(Some(state)) => p.update(Msg::OpenLink(state)),
            Ok(None) => panic!("{link} parsed as empty"),
            Err(message) => p.update(Msg::Notice(Some(message))),
        };
        let message = after
            .message
            .as_ref()
            .unwrap_or_else(|| panic!("no message for {link}"));
        assert!(!message.en.is_empty() && !message.zh.is_empty());
        assert_eq!(after.lab.scenario_id(), "ring-skew", "{link}");
        assert_eq!(after.lab.step(), 4, "{link}");
    }
    for file in ["", "{", "{\"lab\":\"ring\"}", "[1,2,3]"] {
        let after = p.update(Msg::Import(file.to_string()));
        assert!(after.message.is_some(), "{file}");
        assert_eq!(after.lab.step(), 4);
    }
    let absurd = RingSetup {
        nodes: vec!["A".into()],
        members: vec![0],
        vnodes: 1_000_000,
        keys: 5,
    };
    let after = p.update(Msg::OpenSandbox(absurd));
    assert!(after
        .message
        .as_ref()
        .is_some_and(|m| m.en.contains("1000")));
    assert_eq!(after.lab.scenario_id(), "ring-skew");
    assert!(after.update(Msg::Notice(None)).message.is_none());
}

#[wasm_bindgen_test]
fn language_and_projector_mode_are_part_of_the_state() {
    let p = Player::new(Lang::En, false)
        .update(Msg::SetLang(Lang::Zh))
        .update(Msg::ToggleProjector);
    assert_eq!(p.lang, Lang::Zh);
    assert!(p.projector);
    assert_eq!(p.lab.title().get(Lang::Zh), scenario::all()[0].title().zh);
}

#[cfg(feature = "lab-mq")]
mod jms {
    use super::*;
    use distlab_web::player::JmsVariant;

    fn consumer_of(p: &Player, name: &str) -> u8 {
        let LabRun::Jms(s) = &p.lab else {
            panic!("a JMS lesson")
        };
        s.scenario
            .setup
            .nodes
            .iter()
            .position(|n| n.name == name)
            .expect("the consumer") as u8
    }

    fn once_broken(lab: &LabRun) -> bool {
        lab.violations()
            .iter()
            .any(|v| v.violation.invariant == "mq.processed-once")
    }

    #[wasm_bindgen_test]
    fn the_idempotent_consumer_side_by_side_stays_green_in_lockstep() {
        let p = open("jms-processed-twice");
        let c1 = consumer_of(&p, "C1");
        let p = p.update(Msg::CompareJms(Some(JmsVariant::Idempotent {
            consumer: c1,
            on: true,
        })));
        let compare = p.compare.as_ref().expect("comparing");
        assert_eq!(compare.lab.total(), p.lab.total());
        let p = p.update(Msg::Last);
        let compare = p.compare.as_ref().expect("still comparing");
        assert_eq!(compare.lab.step(), p.lab.step(), "both runs step together");
        assert!(
            once_broken(&p.lab),
            "the lesson's consumer processes m1 twice"
        );
        assert!(!once_broken(&compare.lab), "the idempotent one does not");
        // A fault goes into both runs at the same step.
        let p = p
            .update(Msg::Seek(2))
            .update(Msg::Fault(Fault::Crash { node: 1 }));
        let compare = p.compare.as_ref().expect("still comparing");
        assert_eq!(
            (compare.lab.step(), compare.lab.total()),
            (p.lab.step(), p.lab.total())
        );
        assert_eq!(compare.lab.injection_count(), 1);
        // Opening another lesson ends the comparison.
        assert!(p
            .update(Msg::OpenBuiltin("jms-selector".into()))
            .compare
            .is_none());
        assert!(p.update(Msg::CompareJms(None)).compare.is_none());
    }

    #[wasm_bindgen_test]
    fn the_replay_remedy_side_by_side_leaves_nothing_stranded() {
        use distlab_web::player::AmqVariant;
        let stranded = |lab: &LabRun| {
            lab.violations()
                .iter()
                .any(|v| v.violation.invariant == "amq.no-stranded")
        };
        let p = open("activemq-stranded")
            .update(Msg::CompareActivemq(Some(AmqVariant::Replay { on: true })))
            .update(Msg::Last);
        let compare = p.compare.as_ref().expect("comparing");
        assert_eq!(compare.lab.step(), p.lab.step());
        assert!(stranded(&p.lab), "the lesson strands m1 and m2 on B1");
        assert!(!stranded(&compare.lab), "with replay they go back to B2");
        // Another lab's setting is no comparison for this lesson.
        let p = p.update(Msg::CompareJms(Some(
            distlab_web::player::JmsVariant::Idempotent {
                consumer: 0,
                on: true,
            },
        )));
        assert!(p.compare.is_none());
    }

    #[wasm_bindgen_test]
    fn manual_acks_side_by_side_keep_what_auto_ack_loses() {
        use distlab_web::player::RabbitVariant;
        let p = open("rabbitmq-auto-ack");
        let LabRun::Rabbit(s) = &p.lab else {
            panic!("a RabbitMQ lesson")
        };
        let c1 = s
            .scenario
            .setup
            .nodes
            .iter()
            .position(|n| n.name == "C1")
            .expect("C1") as u8;
        let p = p
            .update(Msg::CompareRabbit(Some(RabbitVariant::AutoAck {
                consumer: c1,
                on: false,
            })))
            .update(Msg::Last);
        let lost = |lab: &LabRun| {
            lab.violations()
                .iter()
                .any(|v| v.violation.invariant == "mq.no-acked-loss")
        };
        assert!(lost(&p.lab), "auto-ack loses the delivered message");
        let compare = p.compare.as_ref().expect("comparing");
        assert_eq!(compare.lab.step(), p.lab.step());
        assert!(
            !lost(&compare.lab),
            "with manual acks it goes back to the queue"
        );
    }
}
