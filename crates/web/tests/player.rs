//! The player's state in a real browser (wasm-bindgen-test in headless Chromium): stepping,
//! playback stopping at questions, forking with a fault, share links, links and files of another
//! lab, the side-by-side comparison, and bad input.

use distlab_core::kernel::Fault;
use distlab_core::ring::{RingLab, RingOp, RingSetup};
use distlab_core::scenario::{Lab, Scenario};
use distlab_core::Lang;
use distlab_web::lab::LabView;
use distlab_web::player::{Msg, Player, Source};
use distlab_web::share::{ScenarioRef, ShareState};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_browser);

type Ring = Player<RingLab>;

fn open_in<L: LabView>(id: &str) -> Player<L> {
    let p = Player::<L>::with_lessons(Lang::En, false, L::lessons())
        .update(Msg::OpenBuiltin(id.to_string()));
    assert!(p.message.is_none(), "{id}: {:?}", p.message);
    p
}

fn open(id: &str) -> Ring {
    open_in(id)
}

fn lesson(id: &str) -> Scenario<RingLab> {
    RingLab::lessons()
        .into_iter()
        .find(|s| s.id == id)
        .expect("a ring lesson")
}

fn steps<L: LabView>(mut p: Player<L>, msgs: &[Msg<L>]) -> Player<L> {
    for m in msgs {
        p = p.update(m.clone());
    }
    p
}

#[wasm_bindgen_test]
fn starts_on_the_first_lesson_before_its_first_step() {
    let p = Ring::with_lessons(Lang::Zh, false, RingLab::lessons());
    assert_eq!(p.lab.scenario_id(), RingLab::lessons()[0].id);
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
        let (a, b) = (&by_seek.lab, &back.lab);
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
    let bad = p.update(Msg::Op(RingOp::Join { node: 99 }));
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
            Msg::Op(RingOp::SetVnodes { vnodes: 7 }),
            Msg::Forward,
        ],
    );
    let fragment = p.share().to_fragment();
    let link = ShareState::parse(&format!("#{fragment}")).unwrap().unwrap();
    assert_eq!(link.scenario, ScenarioRef::Builtin("ring-mod-n".into()));
    let q = Ring::with_lessons(Lang::En, false, RingLab::lessons()).update(Msg::OpenLink(link));
    assert!(q.message.is_none(), "{:?}", q.message);
    assert_eq!(q.lab.step(), p.lab.step());
    assert_eq!(q.lab.total(), p.lab.total());
    assert_eq!(q.lab.injections_json(), p.lab.injections_json());
    let (a, b) = (&p.lab, &q.lab);
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
    let p = Ring::with_lessons(Lang::En, false, RingLab::lessons())
        .update(Msg::OpenSandbox(setup.clone()));
    assert_eq!(p.source, Source::Sandbox);
    let p = p.update(Msg::Op(RingOp::Join { node: 1 }));
    let q = Ring::with_lessons(Lang::En, false, RingLab::lessons()).update(Msg::OpenLink(
        ShareState::parse(&p.share().to_fragment())
            .unwrap()
            .unwrap(),
    ));
    let (a, b) = (&p.lab, &q.lab);
    assert_eq!(b.scenario.setup, setup);
    assert_eq!(*a.state, *b.state);

    let mut file = lesson("ring-skew");
    file.id = "my-lesson".into();
    let p = Ring::with_lessons(Lang::En, false, RingLab::lessons())
        .update(Msg::Import(file.to_file()))
        .update(Msg::Seek(2));
    assert_eq!(p.source, Source::File);
    let q = Ring::with_lessons(Lang::En, false, RingLab::lessons()).update(Msg::OpenLink(
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
    let long = format!("#lab=ring&scenario=ring-skew&x={}", "y".repeat(1_000_001));
    let links = [
        "#lab=ring&scenario=nope",
        "#lab=queues&scenario=ring-skew",
        "#lab=ring&scenario=jms-selector",
        long.as_str(),
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
    for file in [
        "",
        "{",
        "{\"ring\": {}}",
        "[1,2,3]",
        "{\"ring\": 1, \"jms\": 2}",
        "{\"queues\": {}}",
    ] {
        let after = p.update(Msg::Import(file.to_string()));
        assert!(after.message.is_some(), "{file}");
        assert!(after.leave_for.is_none(), "{file}");
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
    let p = Ring::with_lessons(Lang::En, false, RingLab::lessons())
        .update(Msg::SetLang(Lang::Zh))
        .update(Msg::ToggleProjector);
    assert_eq!(p.lang, Lang::Zh);
    assert!(p.projector);
    assert_eq!(p.lab.title().get(Lang::Zh), RingLab::lessons()[0].title.zh);
}

#[wasm_bindgen_test]
fn a_link_or_a_file_of_another_lab_leaves_for_that_labs_page() {
    use distlab_core::mq::jms::JmsLab;
    let p = open("ring-skew").update(Msg::Seek(4));
    // A link of the JMS lab, opened on the ring's page (an edited address, an old link).
    let link = ShareState::parse("#lab=jms&scenario=jms-selector&seed=1&step=3")
        .unwrap()
        .unwrap();
    let after = p.update(Msg::OpenLink(link.clone()));
    assert_eq!(
        after.leave_for.as_deref(),
        Some("jms.html#lab=jms&scenario=jms-selector&seed=1&step=3")
    );
    assert!(after.message.is_none());
    assert_eq!(after.lab.step(), 4, "the state on screen stays meanwhile");
    // That page opens it in the same state.
    let jms = Player::<JmsLab>::with_lessons(Lang::En, false, JmsLab::lessons())
        .update(Msg::OpenLink(link));
    assert!(jms.message.is_none(), "{:?}", jms.message);
    assert_eq!((jms.lab.scenario_id(), jms.lab.step()), ("jms-selector", 3));

    // A JMS scenario file imported on the ring's page travels whole in the link to the JMS page.
    let file = JmsLab::lessons().remove(0).to_file();
    let after = p.update(Msg::Import(file.clone()));
    let page = after.leave_for.expect("leaves for the JMS page");
    let (path, fragment) = page.split_once('#').unwrap();
    assert_eq!(path, "jms.html");
    let link = ShareState::parse(fragment).unwrap().unwrap();
    assert_eq!(link.scenario, ScenarioRef::File(file));
    let jms = Player::<JmsLab>::with_lessons(Lang::En, false, JmsLab::lessons())
        .update(Msg::OpenLink(link));
    assert!(jms.message.is_none(), "{:?}", jms.message);
    assert_eq!(jms.source, Source::File);
    assert_eq!(jms.lab.scenario_id(), JmsLab::lessons()[0].id);
}

#[wasm_bindgen_test]
fn labs_without_free_play_refuse_a_free_play_link() {
    use distlab_core::mq::flow::FlowLab;
    let p = Player::<FlowLab>::with_lessons(Lang::En, false, FlowLab::lessons());
    let setup = serde_json::to_string(&p.lab.scenario.setup).unwrap();
    let link = ShareState {
        lab: "flow".into(),
        scenario: ScenarioRef::Sandbox(setup),
        seed: None,
        step: 0,
        inject: None,
    };
    let after = p.update(Msg::OpenLink(link));
    assert!(after
        .message
        .as_ref()
        .is_some_and(|m| m.en.contains("no free play")));
    assert_eq!(after.lab.scenario_id(), p.lab.scenario_id());
}

mod compare {
    use super::*;
    use distlab_core::mq::activemq::AmqLab;
    use distlab_core::mq::jms::JmsLab;
    use distlab_core::mq::rabbit::RabbitLab;
    use distlab_web::jms::JmsVariant;
    use distlab_web::player::Session;

    fn consumer_of(p: &Player<JmsLab>, name: &str) -> u8 {
        p.lab
            .scenario
            .setup
            .nodes
            .iter()
            .position(|n| n.name == name)
            .expect("the consumer") as u8
    }

    fn once_broken(lab: &Session<JmsLab>) -> bool {
        lab.violations()
            .iter()
            .any(|v| v.violation.invariant == "mq.processed-once")
    }

    #[wasm_bindgen_test]
    fn the_idempotent_consumer_side_by_side_stays_green_in_lockstep() {
        let p = open_in::<JmsLab>("jms-processed-twice");
        let c1 = consumer_of(&p, "C1");
        let p = p.update(Msg::Compare(Some(JmsVariant::Idempotent {
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
        assert!(p.update(Msg::Compare(None)).compare.is_none());
    }

    #[wasm_bindgen_test]
    fn the_replay_remedy_side_by_side_leaves_nothing_stranded() {
        use distlab_web::activemq::AmqVariant;
        let stranded = |lab: &Session<AmqLab>| {
            lab.violations()
                .iter()
                .any(|v| v.violation.invariant == "amq.no-stranded")
        };
        let p = open_in::<AmqLab>("activemq-stranded")
            .update(Msg::Compare(Some(AmqVariant::Replay { on: true })))
            .update(Msg::Last);
        let compare = p.compare.as_ref().expect("comparing");
        assert_eq!(compare.lab.step(), p.lab.step());
        assert!(stranded(&p.lab), "the lesson strands m1 and m2 on B1");
        assert!(!stranded(&compare.lab), "with replay they go back to B2");
        assert!(p.update(Msg::Compare(None)).compare.is_none());
    }

    #[wasm_bindgen_test]
    fn manual_acks_side_by_side_keep_what_auto_ack_loses() {
        use distlab_web::rabbit::RabbitVariant;
        let p = open_in::<RabbitLab>("rabbitmq-auto-ack");
        let c1 = p
            .lab
            .scenario
            .setup
            .nodes
            .iter()
            .position(|n| n.name == "C1")
            .expect("C1") as u8;
        let p = p
            .update(Msg::Compare(Some(RabbitVariant::AutoAck {
                consumer: c1,
                on: false,
            })))
            .update(Msg::Last);
        let lost = |lab: &Session<RabbitLab>| {
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

#[wasm_bindgen_test]
fn a_lesson_not_yet_fetched_opens_when_its_file_arrives_and_a_bad_file_is_refused() {
    let lessons = RingLab::lessons();
    let index: Vec<_> = lessons
        .iter()
        .map(|s| distlab_core::scenario::LessonEntry {
            id: s.id.clone(),
            title: s.title.clone(),
        })
        .collect();
    // The page starts with the list and one lesson; the others are fetched when opened.
    let p = Ring::new(Lang::En, false, index, lessons[0].clone())
        .unwrap()
        .update(Msg::Seek(2));
    let other = lessons[3].clone();
    let waiting = p.update(Msg::OpenBuiltin(other.id.clone()));
    assert_eq!(waiting.pending_lesson(), Some(other.id.as_str()));
    assert_eq!(
        waiting.lab.scenario_id(),
        lessons[0].id,
        "the state on screen stays"
    );
    assert_eq!(waiting.lab.step(), 2);
    // A file that is not that lesson is refused, and nothing else changes.
    let wrong = waiting.update(Msg::Loaded {
        id: other.id.clone(),
        file: Ok(lessons[1].to_file()),
    });
    assert!(wrong.message.is_some());
    assert_eq!(wrong.pending_lesson(), None);
    assert_eq!(wrong.lab.step(), 2);
    // A lesson that could not be fetched says why.
    let lost = waiting.update(Msg::Loaded {
        id: other.id.clone(),
        file: Err(distlab_core::Text::new("HTTP 404", "HTTP 404")),
    });
    assert!(lost.message.as_ref().is_some_and(|m| m.en.contains("404")));
    assert_eq!(lost.lab.scenario_id(), lessons[0].id);
    // The right file opens the lesson, and it stays at hand: opening it again needs no fetch.
    let opened = waiting.update(Msg::Loaded {
        id: other.id.clone(),
        file: Ok(other.to_file()),
    });
    assert_eq!(opened.lab.scenario_id(), other.id);
    assert_eq!((opened.lab.step(), opened.pending_lesson()), (0, None));
    let again = opened
        .update(Msg::OpenBuiltin(lessons[0].id.clone()))
        .update(Msg::OpenBuiltin(other.id.clone()));
    assert_eq!(
        (again.lab.scenario_id(), again.pending_lesson()),
        (other.id.as_str(), None)
    );
    // Asked for one lesson, then another before the first arrived: the first joins the list when
    // it arrives, and the second is still awaited and opens when it comes.
    let (a, b) = (lessons[1].clone(), lessons[4].clone());
    let both = p
        .update(Msg::OpenBuiltin(a.id.clone()))
        .update(Msg::OpenBuiltin(b.id.clone()))
        .update(Msg::Loaded {
            id: a.id.clone(),
            file: Ok(a.to_file()),
        });
    assert_eq!(both.pending_lesson(), Some(b.id.as_str()));
    assert_eq!(both.lab.scenario_id(), lessons[0].id);
    let both = both.update(Msg::Loaded {
        id: b.id.clone(),
        file: Ok(b.to_file()),
    });
    assert_eq!(
        (both.lab.scenario_id(), both.pending_lesson()),
        (b.id.as_str(), None)
    );
    let back = both.update(Msg::OpenBuiltin(a.id.clone()));
    assert_eq!(
        (back.lab.scenario_id(), back.pending_lesson()),
        (a.id.as_str(), None)
    );
    // A link to a lesson not yet fetched waits for it, then opens at its step.
    let link = ShareState::parse(&format!(
        "#lab=ring&scenario={}&seed=1&step=3",
        lessons[2].id
    ))
    .unwrap()
    .unwrap();
    let waiting = p.update(Msg::OpenLink(link));
    assert_eq!(waiting.pending_lesson(), Some(lessons[2].id.as_str()));
    let opened = waiting.update(Msg::Loaded {
        id: lessons[2].id.clone(),
        file: Ok(lessons[2].to_file()),
    });
    assert_eq!(
        (opened.lab.scenario_id(), opened.lab.step()),
        (lessons[2].id.as_str(), 3)
    );
}

#[wasm_bindgen_test]
fn the_landing_page_sends_an_old_link_to_its_labs_page() {
    use distlab_web::landing::old_link_target;
    assert_eq!(
        old_link_target("#lab=jms&scenario=jms-selector&step=3"),
        Some(Ok(
            "jms.html#lab=jms&scenario=jms-selector&step=3".to_string()
        ))
    );
    assert_eq!(old_link_target(""), None);
    assert_eq!(old_link_target("#"), None);
    for broken in [
        "#lab=nope&scenario=x",
        "#scenario=ring-skew",
        "#lab=ring&scenario=x&step=-1",
    ] {
        let message = old_link_target(broken)
            .expect("a link")
            .expect_err("cannot be followed");
        assert!(!message.en.is_empty() && !message.zh.is_empty(), "{broken}");
        assert!(
            !message.en.contains("lesson stays open"),
            "{broken}: {}",
            message.en
        );
    }
}

#[wasm_bindgen_test]
fn the_state_before_the_step_on_screen_follows_every_move() {
    let scenario = lesson("ring-n1-dies");
    let at = |k: usize| {
        scenario
            .play(&[])
            .expect("the lesson plays")
            .run
            .state_at(k)
    };
    let mut p = open("ring-n1-dies");
    assert!(p.lab.before().is_none(), "nothing before the first step");
    // One step forward, a jump, a step back, and a fresh start at a step: each keeps the state
    // before the one on screen.
    for msg in [
        Msg::Forward,
        Msg::Seek(5),
        Msg::Back,
        Msg::Last,
        Msg::First,
        Msg::Seek(3),
    ] {
        p = p.update(msg);
        let k = p.lab.step();
        match k.checked_sub(1) {
            Some(j) => assert_eq!(
                format!("{:?}", p.lab.before()),
                format!("{:?}", Some(&at(j))),
                "at step {k}"
            ),
            None => assert!(p.lab.before().is_none()),
        }
        assert_eq!(
            format!("{:?}", *p.lab.state),
            format!("{:?}", at(k)),
            "at step {k}"
        );
    }
}
