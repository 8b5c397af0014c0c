//! Bad input is refused with a message in both languages, and no number a file or a link carries
//! can wrap the virtual clock: the regression tests of the findings that times overflowed (a huge
//! latency, TTL, delivery delay or wait) and that share links carried any fault.

use distlab_core::kernel::bounds::MAX_SPAN_MS;
use distlab_core::kernel::{Action, Fault, LinkConfig};
use distlab_core::mq::activemq::AmqLab;
use distlab_core::mq::jms::{JmsLab, JmsOp};
use distlab_core::scenario::{Directive, Injection, Lab, Scenario, ScenarioError};

fn lesson<L: Lab>(id: &str) -> Scenario<L> {
    L::lessons()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no lesson {id}"))
}

/// The message a file is refused with, after a trip through its text as an import would take.
fn refused<L: Lab>(scenario: &Scenario<L>) -> distlab_core::Text {
    match Scenario::<L>::from_file(&scenario.to_file()) {
        Err(ScenarioError::Invalid(message)) => message,
        other => panic!("expected a refusal, got {other:?}"),
    }
}

/// The JMS TTL lesson with every send's TTL or delay set to `ms`.
fn jms_sends_with(ms: u64, delay: bool) -> Scenario<JmsLab> {
    let mut s = lesson::<JmsLab>("jms-ttl");
    let mut changed = 0;
    for step in &mut s.steps {
        if let Directive::Op {
            op: JmsOp::Send {
                ttl: t, delay: d, ..
            },
        } = &mut step.directive
        {
            *(if delay { d } else { t }) = Some(ms);
            changed += 1;
        }
    }
    assert!(changed > 0);
    s
}

#[test]
fn a_time_to_live_or_a_delivery_delay_past_a_day_is_refused() {
    for delay in [false, true] {
        let message = refused(&jms_sends_with(u64::MAX, delay));
        assert!(
            message
                .en
                .contains("at most a day of virtual time (86,400,000 ms)"),
            "{}",
            message.en
        );
        assert!(message.en.starts_with("Step "), "{}", message.en);
        assert!(
            message.zh.contains("最多允许一天的虚拟时间"),
            "{}",
            message.zh
        );
        // A day itself is allowed, and the run's clock stays far from wrapping.
        let at_limit = jms_sends_with(MAX_SPAN_MS, delay);
        let run = Scenario::<JmsLab>::from_file(&at_limit.to_file())
            .unwrap()
            .play(&[])
            .unwrap();
        assert!(run.run.last().now < u64::MAX / 2);
    }
}

#[test]
fn a_latency_past_a_day_or_out_of_order_is_refused() {
    let mut s = lesson::<JmsLab>("jms-ttl");
    s.setup.link = Some(LinkConfig {
        latency_min: 5,
        latency_max: u64::MAX,
        ..LinkConfig::default()
    });
    assert!(refused(&s)
        .en
        .contains("latency is 18,446,744,073,709,551,615 ms"));
    s.setup.link = Some(LinkConfig {
        latency_min: 50,
        latency_max: 5,
        ..LinkConfig::default()
    });
    assert!(refused(&s).zh.contains("最小延迟"));
}

#[test]
fn waits_pauses_and_clock_jumps_past_a_day_are_refused_in_files_and_links() {
    let base = lesson::<JmsLab>("jms-ttl");
    let directives = [
        Directive::Wait { ms: u64::MAX },
        Directive::Fault {
            fault: Fault::Pause {
                node: 0,
                ms: MAX_SPAN_MS + 1,
            },
        },
        Directive::Fault {
            fault: Fault::ClockJump {
                node: 0,
                delta_ms: i64::MIN,
            },
        },
        Directive::Act {
            action: Action::Wait { ms: u64::MAX },
        },
    ];
    for directive in directives {
        let mut s = base.clone();
        s.steps[1].directive = directive;
        let message = refused(&s);
        assert!(message.en.starts_with("Step 2: "), "{}", message.en);
        assert!(message.zh.starts_with("第 2 步："), "{}", message.zh);
    }
    let link = [Injection {
        at: 1,
        action: Action::Wait { ms: u64::MAX },
    }];
    assert!(matches!(base.play(&link), Err(ScenarioError::Invalid(m)) if m.en.contains("a day")));
}

#[test]
fn a_link_injects_only_faults_the_lessons_toolbar_offers() {
    let replay = lesson::<AmqLab>("activemq-replay");
    assert!(
        !replay
            .faults
            .contains(&distlab_core::kernel::FaultKind::Partition),
        "the finding: the replay lesson offers no partition"
    );
    let partition = [Injection::fault(
        6,
        Fault::Partition {
            groups: vec![vec![1]],
        },
    )];
    let Err(ScenarioError::Invalid(message)) = replay.play(&partition) else {
        panic!("a partition the toolbar does not offer is refused");
    };
    assert!(message
        .en
        .contains("a fault this lesson does not offer (partition)"));
    assert!(message.zh.contains("这节课不提供的故障（网络分区）"));
    let offered = replay.faults[0];
    let fault = match offered {
        distlab_core::kernel::FaultKind::Crash => Fault::Crash { node: 1 },
        distlab_core::kernel::FaultKind::Restart => Fault::Restart { node: 1 },
        other => panic!("unexpected first fault {other:?}"),
    };
    assert!(replay.play(&[Injection::fault(3, fault)]).is_ok());
}

#[test]
fn an_operation_past_the_labs_bounds_is_refused_in_a_link() {
    let base = lesson::<JmsLab>("jms-ttl");
    let Some(Directive::Op { op }) = base.steps.iter().map(|s| &s.directive).find(|d| {
        matches!(
            d,
            Directive::Op {
                op: JmsOp::Send { .. }
            }
        )
    }) else {
        panic!("the lesson sends");
    };
    let mut op = op.clone();
    if let JmsOp::Send { destination, .. } = &mut op {
        *destination = "q".repeat(10_000);
    }
    let link = [Injection {
        at: 0,
        action: Action::Op { op },
    }];
    let Err(ScenarioError::Invalid(message)) = base.play(&link) else {
        panic!("a 10,000-byte destination name is refused");
    };
    assert!(message.en.contains("10,000 bytes long"), "{}", message.en);
}
