//! The player's state: which scenario is open, the run with the student's injections, the step on
//! screen, playback, answers to "predict, then reveal" questions, language and projector mode.
//! A reducer: every change is a [`Msg`]; side effects (timers, storage, the URL) live in the app's
//! effects, never here. Bad input leaves the state as it was and sets a message.

use std::collections::BTreeMap;
use std::rc::Rc;

use distlab_core::kernel::{
    Action, ActiveViolation, Event, Fault, FaultKind, Model, NodeState, World,
};
#[cfg(feature = "lab-locks")]
use distlab_core::locks::{LockOp, LocksLab};
#[cfg(feature = "lab-mq")]
use distlab_core::mq::activemq::{AmqLab, AmqOp};
#[cfg(feature = "lab-mq")]
use distlab_core::mq::flow::{FlowLab, FlowOp};
#[cfg(feature = "lab-mq")]
use distlab_core::mq::jms::{JmsLab, JmsOp};
#[cfg(feature = "lab-mq")]
use distlab_core::mq::rabbit::{RabbitLab, RabbitOp};
use distlab_core::ring::{RingLab, RingOp, RingSetup};
use distlab_core::scenario::{
    self, AnyScenario, Injection, InvariantInfo, Lab, Origin, Question, Scenario, ScenarioRun,
};
use distlab_core::{Lang, Text};
use serde::de::DeserializeOwned;
use yew::Reducible;

use crate::share::{self, ScenarioRef, ShareState};

/// One lab's scenario being played.
#[derive(Clone, Debug)]
pub struct Session<L: Lab> {
    pub scenario: Rc<Scenario<L>>,
    pub run: Rc<ScenarioRun<L>>,
    /// The state on screen: after `step` steps.
    pub step: usize,
    pub state: Rc<World<L>>,
}

impl<L: Lab> Session<L> {
    pub fn start(
        scenario: Scenario<L>,
        injections: &[Injection<L::Op>],
        step: usize,
    ) -> Result<Self, Text> {
        let run = scenario.play(injections).map_err(|e| e.message())?;
        let step = step.min(run.run.len());
        let state = Rc::new(run.run.state_at(step));
        Ok(Session {
            scenario: Rc::new(scenario),
            run: Rc::new(run),
            step,
            state,
        })
    }

    pub fn total(&self) -> usize {
        self.run.run.len()
    }

    /// Moves to state `k`. One step forward applies one action to the state on screen; any other
    /// move goes through the run's checkpoints.
    pub fn seek(&mut self, k: usize) {
        let k = k.min(self.total());
        if k == self.step {
            return;
        }
        let state = match self.run.run.step(k) {
            Some(step) if k == self.step + 1 => {
                let mut next = (*self.state).clone();
                next.apply(&step.action, &mut Vec::new());
                next
            }
            _ => self.run.run.state_at(k),
        };
        self.state = Rc::new(state);
        self.step = k;
    }

    /// Injects an action after the state on screen and moves onto it.
    pub fn fork(&mut self, action: Action<L::Op>) -> Result<(), Text> {
        let mut run = (*self.run).clone();
        run.fork(&self.scenario, self.step, action)
            .map_err(|e| e.message())?;
        self.run = Rc::new(run);
        let k = self.step + 1;
        // The old state on screen is still right for `step`: fork only changed what follows it.
        self.seek(k);
        Ok(())
    }

    pub fn origin(&self, k: usize) -> Option<Origin> {
        k.checked_sub(1)
            .and_then(|i| self.run.origins.get(i))
            .copied()
    }

    /// The narration of the state on screen, when it came from the script.
    pub fn narration(&self) -> Option<&Text> {
        self.run
            .script_step(self.step)
            .map(|i| &self.scenario.steps[i].narration)
    }

    /// The question to answer before stepping on, with its script index.
    pub fn question_ahead(&self) -> Option<(usize, &Question)> {
        let i = self.run.script_step(self.step + 1)?;
        self.scenario.steps[i].question.as_ref().map(|q| (i, q))
    }

    /// The question that the step on screen answers.
    pub fn question_here(&self) -> Option<(usize, &Question)> {
        let i = self.run.script_step(self.step)?;
        self.scenario.steps[i].question.as_ref().map(|q| (i, q))
    }

    pub fn violations(&self) -> &[ActiveViolation] {
        self.run.run.violations_at(self.step)
    }

    pub fn events(&self) -> &[<World<L> as Model>::Event] {
        self.run.run.step(self.step).map_or(&[], |s| &s.events[..])
    }

    pub fn injections_json(&self) -> Option<String> {
        if self.run.injections.is_empty() {
            None
        } else {
            serde_json::to_string(&self.run.injections).ok()
        }
    }
}

/// How a lab's view puts one of its trace's events into words (None: not worth a line).
pub trait Narrate: Lab {
    fn describe(
        lang: Lang,
        world: &World<Self>,
        event: &Event<Self::Msg, Self::Note>,
    ) -> Option<String>;
}

/// The session of whichever lab is open.
#[derive(Clone, Debug)]
pub enum LabRun {
    Ring(Session<RingLab>),
    #[cfg(feature = "lab-mq")]
    Jms(Session<JmsLab>),
    #[cfg(feature = "lab-mq")]
    Rabbit(Session<RabbitLab>),
    #[cfg(feature = "lab-mq")]
    Flow(Session<FlowLab>),
    #[cfg(feature = "lab-mq")]
    Activemq(Session<AmqLab>),
    #[cfg(feature = "lab-locks")]
    Locks(Session<LocksLab>),
}

/// Runs the same code on the session of any lab.
macro_rules! with_session {
    ($lab:expr, $s:ident => $body:expr) => {
        match $lab {
            LabRun::Ring($s) => $body,
            #[cfg(feature = "lab-mq")]
            LabRun::Jms($s) => $body,
            #[cfg(feature = "lab-mq")]
            LabRun::Rabbit($s) => $body,
            #[cfg(feature = "lab-mq")]
            LabRun::Flow($s) => $body,
            #[cfg(feature = "lab-mq")]
            LabRun::Activemq($s) => $body,
            #[cfg(feature = "lab-locks")]
            LabRun::Locks($s) => $body,
        }
    };
}

impl LabRun {
    pub fn lab_id(&self) -> &'static str {
        fn id<L: Lab>(_: &Session<L>) -> &'static str {
            L::ID
        }
        with_session!(self, s => id(s))
    }
    pub fn step(&self) -> usize {
        with_session!(self, s => s.step)
    }
    pub fn total(&self) -> usize {
        with_session!(self, s => s.total())
    }
    pub fn seek(&mut self, k: usize) {
        with_session!(self, s => s.seek(k))
    }
    pub fn narration(&self) -> Option<&Text> {
        with_session!(self, s => s.narration())
    }
    pub fn question_ahead(&self) -> Option<(usize, &Question)> {
        with_session!(self, s => s.question_ahead())
    }
    pub fn question_here(&self) -> Option<(usize, &Question)> {
        with_session!(self, s => s.question_here())
    }
    pub fn violations(&self) -> &[ActiveViolation] {
        with_session!(self, s => s.violations())
    }
    pub fn origin(&self, k: usize) -> Option<Origin> {
        with_session!(self, s => s.origin(k))
    }
    pub fn title(&self) -> &Text {
        with_session!(self, s => &s.scenario.title)
    }
    pub fn summary(&self) -> &Text {
        with_session!(self, s => &s.scenario.summary)
    }
    pub fn scenario_id(&self) -> &str {
        with_session!(self, s => &s.scenario.id)
    }
    pub fn seed(&self) -> u64 {
        with_session!(self, s => s.scenario.seed)
    }
    pub fn faults(&self) -> &[FaultKind] {
        with_session!(self, s => &s.scenario.faults)
    }
    pub fn nodes(&self) -> &[NodeState] {
        with_session!(self, s => &s.state.nodes)
    }
    pub fn now(&self) -> u64 {
        with_session!(self, s => s.state.now)
    }
    pub fn invariants(&self) -> Vec<InvariantInfo> {
        fn of<L: Lab>(_: &Session<L>) -> Vec<InvariantInfo> {
            L::invariants()
        }
        with_session!(self, s => of(s))
    }
    pub fn injections_json(&self) -> Option<String> {
        with_session!(self, s => s.injections_json())
    }
    pub fn injection_count(&self) -> usize {
        with_session!(self, s => s.run.injections.len())
    }
    pub fn fork_fault(&mut self, fault: Fault) -> Result<(), Text> {
        with_session!(self, s => s.fork(Action::Fault { fault }))
    }
    /// What the step on screen did, in words.
    pub fn event_lines(&self, lang: Lang) -> Vec<String> {
        fn lines<L: Narrate>(s: &Session<L>, lang: Lang) -> Vec<String> {
            s.events()
                .iter()
                .filter_map(|e| L::describe(lang, &s.state, e))
                .collect()
        }
        with_session!(self, s => lines(s, lang))
    }

    /// Lets the world take its next scheduled step (a delivery, a timer), as an injection: free
    /// play goes on after a lesson's script ends.
    pub fn fork_next(&mut self) -> Result<(), Text> {
        with_session!(self, s => {
            let action = s.state.next_due().unwrap_or(Action::Wait { ms: 100 });
            s.fork(action)
        })
    }

    pub fn scenario_json(&self) -> String {
        match self {
            LabRun::Ring(s) => AnyScenario::Ring(Box::new((*s.scenario).clone())).to_json(),
            #[cfg(feature = "lab-mq")]
            LabRun::Jms(s) => AnyScenario::Jms(Box::new((*s.scenario).clone())).to_json(),
            #[cfg(feature = "lab-mq")]
            LabRun::Rabbit(s) => AnyScenario::Rabbitmq(Box::new((*s.scenario).clone())).to_json(),
            #[cfg(feature = "lab-mq")]
            LabRun::Flow(s) => AnyScenario::Flow(Box::new((*s.scenario).clone())).to_json(),
            #[cfg(feature = "lab-mq")]
            LabRun::Activemq(s) => AnyScenario::Activemq(Box::new((*s.scenario).clone())).to_json(),
            #[cfg(feature = "lab-locks")]
            LabRun::Locks(s) => AnyScenario::Locks(Box::new((*s.scenario).clone())).to_json(),
        }
    }
}

/// Forks a lab's session with one of that lab's operations: `Some(result)`, or `None` when the
/// session on screen belongs to another lab.
macro_rules! fork_op {
    ($lab:expr, $variant:ident, $op:expr) => {
        match $lab {
            LabRun::$variant(session) => Some(session.fork(Action::Op { op: $op })),
            // Other labs are variants only when their features are on.
            #[allow(unreachable_patterns)]
            _ => None,
        }
    };
}

/// Playback speed.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Speed {
    Slow,
    Normal,
    Fast,
    Fastest,
}

impl Speed {
    pub const ALL: [Speed; 4] = [Speed::Slow, Speed::Normal, Speed::Fast, Speed::Fastest];

    /// Milliseconds between two steps while playing.
    pub fn interval_ms(self) -> u32 {
        match self {
            Speed::Slow => 2400,
            Speed::Normal => 1400,
            Speed::Fast => 700,
            Speed::Fastest => 250,
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Speed::Slow => "0.5×",
            Speed::Normal => "1×",
            Speed::Fast => "2×",
            Speed::Fastest => "4×",
        }
    }

    pub fn from_label(label: &str) -> Option<Speed> {
        Speed::ALL.into_iter().find(|s| s.label() == label)
    }
}

/// Where the open scenario came from.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    Builtin,
    Sandbox,
    File,
}

#[derive(Clone, Debug)]
pub struct Player {
    pub lab: LabRun,
    pub source: Source,
    pub playing: bool,
    pub speed: Speed,
    /// The student's predictions: script step index → chosen answer.
    pub answers: BTreeMap<usize, usize>,
    /// A message for the user (a broken link, a refused file); the state stayed as it was.
    pub message: Option<Text>,
    pub lang: Lang,
    pub projector: bool,
    /// The same lesson under another setting, stepped and forked in lockstep with the main run.
    pub compare: Option<Comparison>,
}

/// A second run of the open lesson under a changed setting, for the side-by-side view.
#[derive(Clone, Debug)]
pub struct Comparison {
    /// Identifies the changed setting, for the view's selector.
    pub key: String,
    /// The setting that differs, in words.
    pub label: Text,
    pub lab: LabRun,
}

/// A setting of a lab that the side-by-side view can change.
pub trait Variant<L: Lab> {
    /// Identifies the setting, for the view's selector.
    fn key(&self) -> String;
    /// The lesson with this setting changed in its set-up, and the change in words.
    fn apply(&self, scenario: &Scenario<L>) -> (Scenario<L>, Text);
}

/// The open lesson run again under `variant`, moved to the same step with the same injections.
#[cfg(feature = "lab-mq")]
fn compare_with<L: Lab, V: Variant<L>>(
    variant: &V,
    session: &Session<L>,
    wrap: fn(Session<L>) -> LabRun,
) -> Result<Comparison, Text>
where
    L::Op: serde::Serialize + DeserializeOwned,
{
    let (scenario, label) = variant.apply(&session.scenario);
    let other = start(
        scenario,
        None,
        session.injections_json().as_deref(),
        session.step,
    )?;
    Ok(Comparison {
        key: variant.key(),
        label,
        lab: wrap(other),
    })
}

/// A setting of the JMS lab that the side-by-side view can change.
#[cfg(feature = "lab-mq")]
#[derive(Clone, Debug, PartialEq)]
pub enum JmsVariant {
    AckMode {
        consumer: u8,
        mode: distlab_core::mq::jms::AckMode,
    },
    Prefetch {
        consumer: u8,
        prefetch: u32,
    },
    Idempotent {
        consumer: u8,
        on: bool,
    },
}

#[cfg(feature = "lab-mq")]
impl Variant<JmsLab> for JmsVariant {
    fn key(&self) -> String {
        match self {
            JmsVariant::AckMode { consumer, mode } => format!("ack:{consumer}:{}", mode.name()),
            JmsVariant::Prefetch { consumer, prefetch } => {
                format!("prefetch:{consumer}:{prefetch}")
            }
            JmsVariant::Idempotent { consumer, on } => format!("idem:{consumer}:{on}"),
        }
    }

    fn apply(&self, scenario: &Scenario<JmsLab>) -> (Scenario<JmsLab>, Text) {
        let mut changed = scenario.clone();
        let name = |n: u8| {
            changed
                .setup
                .nodes
                .get(usize::from(n))
                .map_or_else(|| "?".to_string(), |s| s.name.clone())
        };
        let label = match self {
            JmsVariant::AckMode { consumer, mode } => Text::new(
                format!("{} uses {}", name(*consumer), mode.name()),
                format!("{} 使用 {}", name(*consumer), mode.name()),
            ),
            JmsVariant::Prefetch { consumer, prefetch } => Text::new(
                format!("{} has prefetch {prefetch}", name(*consumer)),
                format!("{} 的预取为 {prefetch}", name(*consumer)),
            ),
            JmsVariant::Idempotent { consumer, on } => Text::new(
                format!(
                    "{} {} a dedup table",
                    name(*consumer),
                    if *on { "keeps" } else { "has no" }
                ),
                format!(
                    "{} {}去重表",
                    name(*consumer),
                    if *on { "使用" } else { "不用" }
                ),
            ),
        };
        for c in &mut changed.setup.consumers {
            match self {
                JmsVariant::AckMode { consumer, mode } if c.node == *consumer => c.ack_mode = *mode,
                JmsVariant::Prefetch { consumer, prefetch } if c.node == *consumer => {
                    c.prefetch = *prefetch
                }
                JmsVariant::Idempotent { consumer, on } if c.node == *consumer => {
                    c.idempotent = *on
                }
                _ => {}
            }
        }
        (changed, label)
    }
}

/// A setting of the RabbitMQ lab that the side-by-side view can change.
#[cfg(feature = "lab-mq")]
#[derive(Clone, Debug, PartialEq)]
pub enum RabbitVariant {
    Mode {
        producer: u8,
        mode: distlab_core::mq::rabbit::PublishMode,
    },
    AutoAck {
        consumer: u8,
        on: bool,
    },
    Idempotent {
        consumer: u8,
        on: bool,
    },
    /// Every queue durable and every scripted publish persistent.
    Durable,
}

#[cfg(feature = "lab-mq")]
impl Variant<RabbitLab> for RabbitVariant {
    fn key(&self) -> String {
        match self {
            RabbitVariant::Mode { producer, mode } => format!("mode:{producer}:{mode:?}"),
            RabbitVariant::AutoAck { consumer, on } => format!("autoack:{consumer}:{on}"),
            RabbitVariant::Idempotent { consumer, on } => format!("idem:{consumer}:{on}"),
            RabbitVariant::Durable => String::from("durable"),
        }
    }

    fn apply(&self, scenario: &Scenario<RabbitLab>) -> (Scenario<RabbitLab>, Text) {
        use distlab_core::mq::rabbit::PublishMode;
        use distlab_core::scenario::Directive;
        let mut changed = scenario.clone();
        let name = |n: u8| {
            changed
                .setup
                .nodes
                .get(usize::from(n))
                .map_or_else(|| "?".to_string(), |s| s.name.clone())
        };
        let label = match self {
            RabbitVariant::Mode { producer, mode } => {
                let (en, zh) = match mode {
                    PublishMode::None => ("publishes without confirms", "不使用确认发布"),
                    PublishMode::Confirms => ("uses publisher confirms", "使用生产者确认"),
                    PublishMode::Tx => ("uses a channel transaction", "使用信道事务"),
                };
                Text::new(
                    format!("{} {en}", name(*producer)),
                    format!("{} {zh}", name(*producer)),
                )
            }
            RabbitVariant::AutoAck { consumer, on } => Text::new(
                format!(
                    "{} uses {}",
                    name(*consumer),
                    if *on { "auto-ack" } else { "manual ack" }
                ),
                format!(
                    "{} 使用{}",
                    name(*consumer),
                    if *on { "自动确认" } else { "手动确认" }
                ),
            ),
            RabbitVariant::Idempotent { consumer, on } => Text::new(
                format!(
                    "{} {} a dedup table",
                    name(*consumer),
                    if *on { "keeps" } else { "has no" }
                ),
                format!(
                    "{} {}去重表",
                    name(*consumer),
                    if *on { "使用" } else { "不用" }
                ),
            ),
            RabbitVariant::Durable => Text::new(
                "queues are durable and messages persistent",
                "队列持久化、消息持久化",
            ),
        };
        match self {
            RabbitVariant::Mode { producer, mode } => {
                for p in changed
                    .setup
                    .producers
                    .iter_mut()
                    .filter(|p| p.node == *producer)
                {
                    p.mode = *mode;
                }
            }
            RabbitVariant::AutoAck { consumer, on } => {
                for c in changed
                    .setup
                    .consumers
                    .iter_mut()
                    .filter(|c| c.node == *consumer)
                {
                    c.auto_ack = *on;
                }
            }
            RabbitVariant::Idempotent { consumer, on } => {
                for c in changed
                    .setup
                    .consumers
                    .iter_mut()
                    .filter(|c| c.node == *consumer)
                {
                    c.idempotent = *on;
                }
            }
            RabbitVariant::Durable => {
                for q in &mut changed.setup.queues {
                    q.durable = true;
                }
                for step in &mut changed.steps {
                    if let Directive::Op {
                        op: RabbitOp::Publish { persistent, .. },
                    } = &mut step.directive
                    {
                        *persistent = true;
                    }
                }
            }
        }
        (changed, label)
    }
}

/// Everything that can change the player.
#[derive(Clone, Debug)]
pub enum Msg {
    /// Opens what a share link describes.
    OpenLink(ShareState),
    OpenBuiltin(String),
    OpenSandbox(RingSetup),
    /// Imports a scenario file.
    Import(String),
    Seek(usize),
    Forward,
    Back,
    First,
    Last,
    TogglePlay,
    /// The playback timer fired.
    Tick,
    SetSpeed(Speed),
    Answer {
        question: usize,
        choice: usize,
    },
    Fault(Fault),
    Ring(RingOp),
    #[cfg(feature = "lab-mq")]
    Jms(JmsOp),
    #[cfg(feature = "lab-mq")]
    Rabbit(RabbitOp),
    #[cfg(feature = "lab-mq")]
    Flow(FlowOp),
    #[cfg(feature = "lab-mq")]
    Activemq(AmqOp),
    #[cfg(feature = "lab-locks")]
    Locks(LockOp),
    /// The world takes its next scheduled step, injected at the step on screen.
    Advance,
    /// Opens the first lesson of a lab.
    OpenLab(String),
    /// Runs the JMS lesson side by side under another setting (or stops comparing).
    #[cfg(feature = "lab-mq")]
    CompareJms(Option<JmsVariant>),
    /// Runs the RabbitMQ lesson side by side under another setting (or stops comparing).
    #[cfg(feature = "lab-mq")]
    CompareRabbit(Option<RabbitVariant>),
    /// Runs the ActiveMQ clusters lesson side by side under another setting (or stops comparing).
    #[cfg(feature = "lab-mq")]
    CompareActivemq(Option<AmqVariant>),
    SetLang(Lang),
    ToggleProjector,
    /// Shows a message (or clears it with `None`).
    Notice(Option<Text>),
}

/// A setting of the ActiveMQ clusters lab that the side-by-side view can change.
#[cfg(feature = "lab-mq")]
#[derive(Clone, Debug, PartialEq)]
pub enum AmqVariant {
    /// `replayWhenNoConsumers` with the duplicate audit off (on), or neither (off).
    Replay { on: bool },
    /// Every client with the failover transport (on) or a plain `tcp://` URI (off).
    Failover { on: bool },
}

#[cfg(feature = "lab-mq")]
impl Variant<AmqLab> for AmqVariant {
    fn key(&self) -> String {
        match self {
            AmqVariant::Replay { on } => format!("replay:{on}"),
            AmqVariant::Failover { on } => format!("failover:{on}"),
        }
    }

    fn apply(&self, scenario: &Scenario<AmqLab>) -> (Scenario<AmqLab>, Text) {
        let mut changed = scenario.clone();
        let label = match self {
            AmqVariant::Replay { on } => {
                changed.setup.replay_when_no_consumers = *on;
                changed.setup.enable_audit = !*on;
                if *on {
                    Text::new(
                        "with replayWhenNoConsumers on (and the audit off)",
                        "开启 replayWhenNoConsumers（并关闭重复检测）",
                    )
                } else {
                    Text::new(
                        "without replayWhenNoConsumers",
                        "不开启 replayWhenNoConsumers",
                    )
                }
            }
            AmqVariant::Failover { on } => {
                for c in changed
                    .setup
                    .producers
                    .iter_mut()
                    .chain(changed.setup.consumers.iter_mut())
                {
                    c.failover = *on;
                }
                if *on {
                    Text::new(
                        "every client uses failover:(…)",
                        "所有客户端使用 failover:(…)",
                    )
                } else {
                    Text::new(
                        "every client uses a plain tcp:// URI",
                        "所有客户端使用普通 tcp:// 地址",
                    )
                }
            }
        };
        (changed, label)
    }
}

/// The free-play set-up the sandbox starts from.
pub fn default_sandbox() -> RingSetup {
    RingSetup {
        nodes: (1..=5).map(|i| format!("N{i}")).collect(),
        members: vec![0, 1, 2, 3],
        vnodes: 100,
        keys: 100_000,
    }
}

/// A free-play scenario: no script, every step is the student's.
pub fn sandbox(setup: RingSetup, seed: u64) -> Scenario<RingLab> {
    Scenario {
        id: share::SANDBOX_ID.to_string(),
        title: Text::new("Free play", "自由练习"),
        summary: Text::new(
            "Your own ring: add, remove and crash nodes, change virtual nodes, look up keys.",
            "你自己的哈希环：加入、移除、宕掉节点，调整虚拟节点数，查找键。",
        ),
        seed,
        setup,
        faults: vec![FaultKind::Crash, FaultKind::Restart],
        breaks: Vec::new(),
        steps: Vec::new(),
    }
}

fn parse_injections<Op: DeserializeOwned + serde::Serialize>(
    json: Option<&str>,
) -> Result<Vec<Injection<Op>>, Text> {
    match json {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| share::bad_part("injected actions", &e.to_string())),
    }
}

impl Player {
    /// The player on the first built-in scenario.
    pub fn new(lang: Lang, projector: bool) -> Player {
        let first = scenario::all()
            .into_iter()
            .next()
            .ok_or_else(Text::default)
            .and_then(|s| start_any(s, None, None, 0));
        // Every built-in scenario and the default free play start: the tests check both.
        let lab = first
            .or_else(|_| Session::start(sandbox(default_sandbox(), 1), &[], 0).map(LabRun::Ring))
            .expect("the built-in scenarios start");
        Player {
            lab,
            source: Source::Builtin,
            playing: false,
            speed: Speed::Normal,
            answers: BTreeMap::new(),
            message: None,
            lang,
            projector,
            compare: None,
        }
    }

    /// The share link state of what is on screen.
    pub fn share(&self) -> ShareState {
        let scenario = match (&self.source, &self.lab) {
            (Source::Builtin, lab) => ScenarioRef::Builtin(lab.scenario_id().to_string()),
            (Source::Sandbox, LabRun::Ring(s)) => {
                ScenarioRef::Sandbox(serde_json::to_string(&s.scenario.setup).unwrap_or_default())
            }
            (Source::File, lab) => ScenarioRef::File(lab.scenario_json()),
            // Free play exists only in the ring lab; anything else travels whole.
            #[cfg(feature = "lab-mq")]
            (Source::Sandbox, lab) => ScenarioRef::File(lab.scenario_json()),
        };
        ShareState {
            lab: self.lab.lab_id().to_string(),
            scenario,
            seed: Some(self.lab.seed()),
            step: self.lab.step(),
            inject: self.lab.injections_json(),
        }
    }

    /// Builds what a link describes, or says why it cannot.
    fn open_link(link: &ShareState) -> Result<(LabRun, Source), Text> {
        let (scenario, source) = match &link.scenario {
            ScenarioRef::Builtin(id) => match scenario::find(id) {
                Some(s) => (s, Source::Builtin),
                None => return Err(share::unknown("scenario", "场景", id)),
            },
            ScenarioRef::Sandbox(setup) => {
                if link.lab != RingLab::ID {
                    return Err(share::unknown(
                        "free play of the lab",
                        "自由练习所属的实验",
                        &link.lab,
                    ));
                }
                let setup: RingSetup = serde_json::from_str(setup)
                    .map_err(|e| share::bad_part("set-up", &e.to_string()))?;
                setup.validate()?;
                (
                    AnyScenario::Ring(Box::new(sandbox(setup, 1))),
                    Source::Sandbox,
                )
            }
            ScenarioRef::File(file) => match AnyScenario::from_json(file) {
                Ok(s) => (s, Source::File),
                Err(e) => return Err(e.message()),
            },
        };
        if scenario.lab() != link.lab {
            return Err(share::unknown("lab", "实验", &link.lab));
        }
        let lab = start_any(scenario, link.seed, link.inject.as_deref(), link.step)?;
        Ok((lab, source))
    }

    fn opened(&self, lab: LabRun, source: Source) -> Player {
        Player {
            lab,
            source,
            playing: false,
            answers: BTreeMap::new(),
            message: None,
            compare: None,
            ..self.clone()
        }
    }

    /// The state after choosing a comparison: none (`None`, or another lab's setting), the
    /// comparison, or the message of a comparison that could not start (the state is kept).
    #[cfg(feature = "lab-mq")]
    fn comparing(&self, mut next: Player, started: Option<Result<Comparison, Text>>) -> Player {
        match started {
            None => next.compare = None,
            Some(Ok(c)) => next.compare = Some(c),
            Some(Err(e)) => return self.with_message(e),
        }
        next
    }

    /// The state after a fork: the fork's message if it was refused, unchanged if the operation
    /// belongs to another lab (`None`), and paused on the new step otherwise.
    fn after_fork(&self, mut next: Player, result: Option<Result<(), Text>>) -> Player {
        match result {
            None => self.clone(),
            Some(Err(e)) => self.with_message(e),
            Some(Ok(())) => {
                next.playing = false;
                next
            }
        }
    }

    fn with_message(&self, message: Text) -> Player {
        Player {
            message: Some(message),
            playing: false,
            ..self.clone()
        }
    }

    /// Applies one message; the result is the next state. A comparison run follows the main run:
    /// it moves to the same step, and takes the same fault or operation at the same step.
    pub fn update(&self, msg: Msg) -> Player {
        let mut next = self.update_main(msg.clone());
        let Some(mut compare) = next.compare.take() else {
            return next;
        };
        let forked = next.lab.total() != self.lab.total()
            || next.lab.injection_count() != self.lab.injection_count();
        let result = match msg {
            _ if !forked => {
                compare.lab.seek(next.lab.step());
                Ok(())
            }
            Msg::Fault(fault) => compare.lab.fork_fault(fault),
            Msg::Advance => compare.lab.fork_next(),
            #[cfg(feature = "lab-mq")]
            Msg::Rabbit(op) => fork_op!(&mut compare.lab, Rabbit, op).unwrap_or(Ok(())),
            #[cfg(feature = "lab-mq")]
            Msg::Jms(op) => fork_op!(&mut compare.lab, Jms, op).unwrap_or(Ok(())),
            #[cfg(feature = "lab-mq")]
            Msg::Flow(op) => fork_op!(&mut compare.lab, Flow, op).unwrap_or(Ok(())),
            #[cfg(feature = "lab-mq")]
            Msg::Activemq(op) => fork_op!(&mut compare.lab, Activemq, op).unwrap_or(Ok(())),
            #[cfg(feature = "lab-locks")]
            Msg::Locks(op) => fork_op!(&mut compare.lab, Locks, op).unwrap_or(Ok(())),
            Msg::Ring(op) => fork_op!(&mut compare.lab, Ring, op).unwrap_or(Ok(())),
            _ => Ok(()),
        };
        if result.is_ok() {
            compare.lab.seek(next.lab.step());
            next.compare = Some(compare);
        }
        next
    }

    fn update_main(&self, msg: Msg) -> Player {
        let mut next = self.clone();
        match msg {
            Msg::OpenLink(link) => {
                return match Player::open_link(&link) {
                    Ok((lab, source)) => self.opened(lab, source),
                    Err(e) => self.with_message(e),
                }
            }
            Msg::OpenBuiltin(id) => {
                return match scenario::find(&id) {
                    Some(s) => match start_any(s, None, None, 0) {
                        Ok(lab) => self.opened(lab, Source::Builtin),
                        Err(e) => self.with_message(e),
                    },
                    None => self.with_message(share::unknown("scenario", "场景", &id)),
                }
            }
            Msg::OpenLab(lab) => {
                return match scenario::all().into_iter().find(|s| s.lab() == lab) {
                    Some(s) => match start_any(s, None, None, 0) {
                        Ok(lab) => self.opened(lab, Source::Builtin),
                        Err(e) => self.with_message(e),
                    },
                    None => self.with_message(share::unknown("lab", "实验", &lab)),
                }
            }
            Msg::OpenSandbox(setup) => {
                return match setup
                    .validate()
                    .and_then(|()| Session::start(sandbox(setup, 1), &[], 0))
                {
                    Ok(session) => self.opened(LabRun::Ring(session), Source::Sandbox),
                    Err(e) => self.with_message(e),
                }
            }
            Msg::Import(text) => {
                return match AnyScenario::from_json(&text)
                    .map_err(|e| e.message())
                    .and_then(|s| start_any(s, None, None, 0))
                {
                    Ok(lab) => self.opened(lab, Source::File),
                    Err(e) => self.with_message(e),
                }
            }
            Msg::Seek(k) => {
                next.lab.seek(k);
            }
            Msg::Forward => next.lab.seek(self.lab.step() + 1),
            Msg::Back => next.lab.seek(self.lab.step().saturating_sub(1)),
            Msg::First => next.lab.seek(0),
            Msg::Last => next.lab.seek(self.lab.total()),
            Msg::TogglePlay => {
                next.playing = !self.playing && self.lab.step() < self.lab.total();
            }
            Msg::Tick => {
                if !self.playing {
                    return next;
                }
                let waiting = self
                    .lab
                    .question_ahead()
                    .is_some_and(|(i, _)| !self.answers.contains_key(&i));
                if waiting || self.lab.step() >= self.lab.total() {
                    // Stop at a question so that the class can predict before the reveal.
                    next.playing = false;
                } else {
                    next.lab.seek(self.lab.step() + 1);
                    next.playing = next.lab.step() < next.lab.total();
                }
            }
            Msg::SetSpeed(speed) => next.speed = speed,
            Msg::Answer { question, choice } => {
                next.answers.insert(question, choice);
            }
            Msg::Fault(fault) => {
                let result = next.lab.fork_fault(fault);
                return self.after_fork(next, Some(result));
            }
            Msg::Ring(op) => {
                let result = fork_op!(&mut next.lab, Ring, op);
                return self.after_fork(next, result);
            }
            #[cfg(feature = "lab-mq")]
            Msg::Jms(op) => {
                let result = fork_op!(&mut next.lab, Jms, op);
                return self.after_fork(next, result);
            }
            #[cfg(feature = "lab-mq")]
            Msg::Flow(op) => {
                let result = fork_op!(&mut next.lab, Flow, op);
                return self.after_fork(next, result);
            }
            #[cfg(feature = "lab-mq")]
            Msg::Activemq(op) => {
                let result = fork_op!(&mut next.lab, Activemq, op);
                return self.after_fork(next, result);
            }
            #[cfg(feature = "lab-locks")]
            Msg::Locks(op) => {
                let result = fork_op!(&mut next.lab, Locks, op);
                return self.after_fork(next, result);
            }
            #[cfg(feature = "lab-mq")]
            Msg::Rabbit(op) => {
                let result = fork_op!(&mut next.lab, Rabbit, op);
                return self.after_fork(next, result);
            }
            Msg::Advance => {
                let result = next.lab.fork_next();
                return self.after_fork(next, Some(result));
            }
            #[cfg(feature = "lab-mq")]
            Msg::CompareJms(variant) => {
                let started = match (variant, &self.lab) {
                    (Some(v), LabRun::Jms(s)) => Some(compare_with(&v, s, LabRun::Jms)),
                    _ => None,
                };
                return self.comparing(next, started);
            }
            #[cfg(feature = "lab-mq")]
            Msg::CompareRabbit(variant) => {
                let started = match (variant, &self.lab) {
                    (Some(v), LabRun::Rabbit(s)) => Some(compare_with(&v, s, LabRun::Rabbit)),
                    _ => None,
                };
                return self.comparing(next, started);
            }
            #[cfg(feature = "lab-mq")]
            Msg::CompareActivemq(variant) => {
                let started = match (variant, &self.lab) {
                    (Some(v), LabRun::Activemq(s)) => Some(compare_with(&v, s, LabRun::Activemq)),
                    _ => None,
                };
                return self.comparing(next, started);
            }
            Msg::SetLang(lang) => next.lang = lang,
            Msg::ToggleProjector => next.projector = !self.projector,
            Msg::Notice(message) => next.message = message,
        }
        next
    }
}

/// Starts a lab's session on a scenario, with a link's seed, injections and step.
fn start<L: Lab>(
    mut scenario: Scenario<L>,
    seed: Option<u64>,
    inject: Option<&str>,
    step: usize,
) -> Result<Session<L>, Text>
where
    L::Op: serde::Serialize + DeserializeOwned,
{
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let injections = parse_injections::<L::Op>(inject)?;
    Session::start(scenario, &injections, step)
}

fn start_any(
    scenario: AnyScenario,
    seed: Option<u64>,
    inject: Option<&str>,
    step: usize,
) -> Result<LabRun, Text> {
    match scenario {
        AnyScenario::Ring(s) => start(*s, seed, inject, step).map(LabRun::Ring),
        #[cfg(feature = "lab-mq")]
        AnyScenario::Jms(s) => start(*s, seed, inject, step).map(LabRun::Jms),
        #[cfg(feature = "lab-mq")]
        AnyScenario::Rabbitmq(s) => start(*s, seed, inject, step).map(LabRun::Rabbit),
        #[cfg(feature = "lab-mq")]
        AnyScenario::Flow(s) => start(*s, seed, inject, step).map(LabRun::Flow),
        #[cfg(feature = "lab-mq")]
        AnyScenario::Activemq(s) => start(*s, seed, inject, step).map(LabRun::Activemq),
        #[cfg(feature = "lab-locks")]
        AnyScenario::Locks(s) => start(*s, seed, inject, step).map(LabRun::Locks),
    }
}

impl Reducible for Player {
    type Action = Msg;

    fn reduce(self: Rc<Self>, action: Msg) -> Rc<Self> {
        Rc::new(self.update(action))
    }
}

/// Keeps the events type visible to views without naming the world type.
pub type RingEvent = Event<(), distlab_core::ring::RingNote>;
