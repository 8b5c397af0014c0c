//! The player's state: which scenario is open, the run with the student's injections, the step on
//! screen, playback, answers to "predict, then reveal" questions, language and projector mode.
//! A reducer: every change is a [`Msg`]; side effects (timers, storage, the URL, leaving for another
//! lab's page) live in the app's effects, never here. Bad input leaves the state as it was and sets
//! a message. The player is generic over the lab ([`LabView`]) and knows none by name.

use std::collections::BTreeMap;
use std::rc::Rc;

use distlab_core::kernel::{
    Action, ActiveViolation, Event, Fault, FaultKind, Model, NodeState, World,
};
use distlab_core::scenario::{
    Injection, InvariantInfo, Lab, LessonEntry, Origin, Question, Scenario, ScenarioError,
    ScenarioRun,
};
use distlab_core::{Lang, Text};
use yew::Reducible;

pub use crate::lab::{LabView, NoVariant, Variant};
use crate::share::{self, ScenarioRef, ShareState};

/// One lab's scenario being played.
#[derive(Clone, Debug)]
pub struct Session<L: Lab> {
    pub scenario: Rc<Scenario<L>>,
    pub run: Rc<ScenarioRun<L>>,
    /// The state on screen: after `step` steps.
    pub step: usize,
    pub state: Rc<World<L>>,
    /// The state before the step on screen (none before the first step), kept by `seek` so that
    /// a view can see what the step changed without replaying anything on a render.
    before: Option<Rc<World<L>>>,
}

/// The states after `k - 1` and `k` steps of `run` (no first one for `k` = 0).
fn states_around<L: Lab>(run: &ScenarioRun<L>, k: usize) -> (Option<Rc<World<L>>>, Rc<World<L>>) {
    match (k.checked_sub(1), run.run.step(k)) {
        (Some(j), Some(step)) => {
            let before = run.run.state_at(j);
            let mut state = before.clone();
            state.apply(&step.action, &mut Vec::new());
            (Some(Rc::new(before)), Rc::new(state))
        }
        _ => (None, Rc::new(run.run.state_at(k))),
    }
}

impl<L: Lab> Session<L> {
    pub fn start(
        scenario: Scenario<L>,
        injections: &[Injection<L::Op>],
        step: usize,
    ) -> Result<Self, Text> {
        let run = scenario.play(injections).map_err(|e| e.message())?;
        let step = step.min(run.run.len());
        let (before, state) = states_around(&run, step);
        Ok(Session {
            scenario: Rc::new(scenario),
            run: Rc::new(run),
            step,
            state,
            before,
        })
    }

    pub fn total(&self) -> usize {
        self.run.run.len()
    }

    /// When the run stopped because a step did more work than a step may: which step, and why.
    pub fn stopped(&self) -> Option<Text> {
        self.run
            .stopped()
            .map(|(k, clause)| distlab_core::kernel::bounds::halted_run(k, clause))
    }

    /// The state before the step on screen (none before the first step), to see what the step
    /// changed.
    pub fn before(&self) -> Option<&World<L>> {
        self.before.as_deref()
    }

    /// Moves to state `k`. One step forward applies one action to the state on screen; any other
    /// move goes through the run's checkpoints.
    pub fn seek(&mut self, k: usize) {
        let k = k.min(self.total());
        if k == self.step {
            return;
        }
        match self.run.run.step(k) {
            Some(step) if k == self.step + 1 => {
                let mut next = (*self.state).clone();
                next.apply(&step.action, &mut Vec::new());
                self.before = Some(std::mem::replace(&mut self.state, Rc::new(next)));
            }
            _ => (self.before, self.state) = states_around(&self.run, k),
        }
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

impl<L: Lab> Session<L> {
    pub fn step(&self) -> usize {
        self.step
    }
    pub fn title(&self) -> &Text {
        &self.scenario.title
    }
    pub fn summary(&self) -> &Text {
        &self.scenario.summary
    }
    pub fn scenario_id(&self) -> &str {
        &self.scenario.id
    }
    pub fn seed(&self) -> u64 {
        self.scenario.seed
    }
    pub fn faults(&self) -> &[FaultKind] {
        &self.scenario.faults
    }
    pub fn nodes(&self) -> &[NodeState] {
        &self.state.nodes
    }
    pub fn now(&self) -> u64 {
        self.state.now
    }
    pub fn invariants(&self) -> Vec<InvariantInfo> {
        L::invariants()
    }
    pub fn injection_count(&self) -> usize {
        self.run.injections.len()
    }
    pub fn fork_fault(&mut self, fault: Fault) -> Result<(), Text> {
        self.fork(Action::Fault { fault })
    }
    pub fn fork_op(&mut self, op: L::Op) -> Result<(), Text> {
        self.fork(Action::Op { op })
    }

    /// Lets the world take its next scheduled step (a delivery, a timer), as an injection: free
    /// play goes on after a lesson's script ends.
    pub fn fork_next(&mut self) -> Result<(), Text> {
        let action = self.state.next_due().unwrap_or(Action::Wait { ms: 100 });
        self.fork(action)
    }
}

impl<L: Narrate> Session<L> {
    /// What the step on screen did, in words.
    pub fn event_lines(&self, lang: Lang) -> Vec<String> {
        self.events()
            .iter()
            .filter_map(|e| L::describe(lang, &self.state, e))
            .collect()
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

/// A built-in lesson of the page's lab: its entry in the list, and the lesson itself once its file
/// has been fetched (lessons are data, loaded one at a time: see `scenario::lesson_files`).
#[derive(Clone, Debug)]
pub struct Lesson<L: Lab> {
    pub entry: LessonEntry,
    pub scenario: Option<Rc<Scenario<L>>>,
}

/// A lesson whose file is being fetched, and what to do with it once it arrives.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Pending {
    pub lesson: String,
    /// The link of it to open (its seed, injections and step), or `None` to open it from its start.
    pub link: Option<ShareState>,
}

#[derive(Clone, Debug)]
pub struct Player<L: LabView> {
    /// The lab's built-in lessons, in the order of its list.
    pub lessons: Rc<[Lesson<L>]>,
    /// A lesson being fetched (the app's effect fetches it and answers with [`Msg::Loaded`]); the
    /// state on screen stays until it arrives.
    pub pending: Option<Pending>,
    pub lab: Session<L>,
    pub source: Source,
    /// The open scenario's file when it came from one (an import, a link that carries it), written
    /// once for the share link rather than on every render.
    pub file: Option<Rc<str>>,
    pub playing: bool,
    pub speed: Speed,
    /// The student's predictions: script step index → chosen answer.
    pub answers: BTreeMap<usize, usize>,
    /// A message for the user (a broken link, a refused file); the state stayed as it was.
    pub message: Option<Text>,
    pub lang: Lang,
    pub projector: bool,
    /// The same lesson under another setting, stepped and forked in lockstep with the main run.
    pub compare: Option<Comparison<L>>,
    /// Another lab's page to open, with the link or file that belongs there: the app's effect
    /// leaves for it. The state on screen is kept meanwhile.
    pub leave_for: Option<String>,
}

/// A second run of the open lesson under a changed setting, for the side-by-side view.
#[derive(Clone, Debug)]
pub struct Comparison<L: Lab> {
    /// Identifies the changed setting, for the view's selector.
    pub key: String,
    /// The setting that differs, in words.
    pub label: Text,
    pub lab: Session<L>,
}

/// The open lesson run again under `variant`, moved to the same step with the same injections.
fn compare_with<L: LabView>(
    variant: &L::Variant,
    session: &Session<L>,
) -> Result<Comparison<L>, Text> {
    let (scenario, label) = variant.apply(&session.scenario);
    let other = Session::start(scenario, &session.run.injections, session.step)?;
    Ok(Comparison {
        key: variant.key(),
        label,
        lab: other,
    })
}

/// Everything that can change the player.
#[derive(Clone, Debug)]
pub enum Msg<L: LabView> {
    /// Opens what a share link describes.
    OpenLink(ShareState),
    OpenBuiltin(String),
    /// Free play from this set-up (labs that have free play).
    OpenSandbox(L::Setup),
    /// Imports a scenario file.
    Import(String),
    /// A built-in lesson's file arrived (or could not be fetched).
    Loaded {
        id: String,
        file: Result<String, Text>,
    },
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
    /// One of the lab's own operations, injected at the step on screen.
    Op(L::Op),
    /// The world takes its next scheduled step, injected at the step on screen.
    Advance,
    /// Runs the lesson side by side under another setting (or stops comparing).
    Compare(Option<L::Variant>),
    SetLang(Lang),
    ToggleProjector,
    /// Shows a message (or clears it with `None`).
    Notice(Option<Text>),
}

fn parse_injections<Op: serde::de::DeserializeOwned + serde::Serialize>(
    json: Option<&str>,
) -> Result<Vec<Injection<Op>>, Text> {
    match json {
        None => Ok(Vec::new()),
        Some(text) => serde_json::from_str(text)
            .map_err(|e| share::bad_part("injected actions", &e.to_string())),
    }
}

impl<L: LabView> Player<L> {
    /// The player on `first`, one of the lessons of `index`, whose file has been fetched.
    pub fn new(
        lang: Lang,
        projector: bool,
        index: Vec<LessonEntry>,
        first: Scenario<L>,
    ) -> Result<Player<L>, Text> {
        let lab = Session::start(first.clone(), &[], 0)?;
        let first = Rc::new(first);
        let lessons = index
            .into_iter()
            .map(|entry| Lesson {
                scenario: (entry.id == first.id).then(|| first.clone()),
                entry,
            })
            .collect();
        Ok(Player {
            lessons,
            pending: None,
            lab,
            source: Source::Builtin,
            file: None,
            playing: false,
            speed: Speed::Normal,
            answers: BTreeMap::new(),
            message: None,
            lang,
            projector,
            compare: None,
            leave_for: None,
        })
    }

    /// The player on the first of `lessons`, every one of them already at hand (for tests and
    /// tools; the page fetches its lessons one at a time).
    pub fn with_lessons(lang: Lang, projector: bool, lessons: Vec<Scenario<L>>) -> Player<L> {
        let index = lessons.iter().map(LessonEntry::of).collect();
        let first = lessons.first().cloned().expect("a lab has lessons");
        let mut player =
            Player::new(lang, projector, index, first).expect("the built-in lessons start");
        player.lessons = lessons
            .into_iter()
            .map(|s| Lesson {
                entry: LessonEntry::of(&s),
                scenario: Some(Rc::new(s)),
            })
            .collect();
        player
    }

    /// The lesson being fetched, if any.
    pub fn pending_lesson(&self) -> Option<&str> {
        self.pending.as_ref().map(|p| p.lesson.as_str())
    }

    /// The share link state of what is on screen.
    pub fn share(&self) -> ShareState {
        let scenario = match self.source {
            Source::Builtin => ScenarioRef::Builtin(self.lab.scenario_id().to_string()),
            Source::Sandbox => ScenarioRef::Sandbox(
                serde_json::to_string(&self.lab.scenario.setup).unwrap_or_default(),
            ),
            Source::File => ScenarioRef::File(self.file.as_deref().unwrap_or_default().to_string()),
        };
        ShareState {
            lab: L::ID.to_string(),
            scenario,
            seed: Some(self.lab.seed()),
            step: self.lab.step(),
            inject: self.lab.injections_json(),
        }
    }

    /// The open lesson's number in the lab's list (1 for the first), when a built-in lesson is open.
    pub fn lesson_number(&self) -> Option<usize> {
        if self.source != Source::Builtin {
            return None;
        }
        let id = self.lab.scenario_id();
        self.lessons
            .iter()
            .position(|l| l.entry.id == id)
            .map(|k| k + 1)
    }

    fn entry(&self, id: &str) -> Option<&Lesson<L>> {
        self.lessons.iter().find(|l| l.entry.id == id)
    }

    /// The built-in lesson a link names, when its file has not been fetched yet.
    fn not_at_hand(&self, link: &ShareState) -> Option<String> {
        match &link.scenario {
            ScenarioRef::Builtin(id) if self.entry(id).is_some_and(|l| l.scenario.is_none()) => {
                Some(id.clone())
            }
            _ => None,
        }
    }

    /// The built-in lesson with this id, if its file is at hand.
    fn lesson(&self, id: &str) -> Option<Scenario<L>> {
        self.entry(id)?.scenario.as_deref().cloned()
    }

    /// Waits for a lesson's file: the state on screen stays meanwhile.
    fn waiting(&self, pending: Pending) -> Player<L> {
        Player {
            pending: Some(pending),
            playing: false,
            message: None,
            ..self.clone()
        }
    }

    /// A lesson's file arrived: it joins the list, and what waited for it opens.
    fn loaded(&self, id: String, file: Result<String, Text>) -> Player<L> {
        let scenario = file
            .and_then(|text| Scenario::<L>::from_file(&text).map_err(|e| e.message()))
            .and_then(|s| {
                if s.id == id {
                    Ok(s)
                } else {
                    Err(Text::new(
                        format!(
                            "The file of the lesson \"{id}\" holds the lesson \"{}\".",
                            s.id
                        ),
                        format!("课程“{id}”的文件里是课程“{}”。", s.id),
                    ))
                }
            });
        // A lesson that arrives after the student asked for another one joins the list, and the
        // other one is still awaited.
        let waited = self.pending.clone().filter(|p| p.lesson == id);
        let next = match scenario {
            Ok(s) => {
                let s = Rc::new(s);
                let mut next = self.clone();
                next.lessons = self
                    .lessons
                    .iter()
                    .map(|l| Lesson {
                        entry: l.entry.clone(),
                        scenario: if l.entry.id == id {
                            Some(s.clone())
                        } else {
                            l.scenario.clone()
                        },
                    })
                    .collect();
                next
            }
            Err(e) if waited.is_some() => {
                let mut refused = self.with_message(e);
                refused.pending = None;
                return refused;
            }
            Err(_) => return self.clone(),
        };
        match waited {
            Some(pending) => {
                let next = Player {
                    pending: None,
                    ..next
                };
                match pending.link {
                    Some(link) => next.update_main(Msg::OpenLink(link)),
                    None => next.update_main(Msg::OpenBuiltin(pending.lesson)),
                }
            }
            None => next,
        }
    }

    /// Builds what a link of this lab describes, or says why it cannot.
    fn open_link(&self, link: &ShareState) -> Result<(Session<L>, Source), Text> {
        let (scenario, source) = match &link.scenario {
            ScenarioRef::Builtin(id) => match self.lesson(id) {
                Some(s) => (s, Source::Builtin),
                None => return Err(share::unknown("scenario", "场景", id)),
            },
            ScenarioRef::Sandbox(setup) => {
                let setup: L::Setup = serde_json::from_str(setup)
                    .map_err(|e| share::bad_part("set-up", &e.to_string()))?;
                (L::free_play(setup)?, Source::Sandbox)
            }
            ScenarioRef::File(file) => match Scenario::<L>::from_file(file) {
                Ok(s) => (s, Source::File),
                Err(e) => return Err(e.message()),
            },
        };
        let lab = start(scenario, link.seed, link.inject.as_deref(), link.step)?;
        Ok((lab, source))
    }

    fn opened(&self, lab: Session<L>, source: Source) -> Player<L> {
        Player {
            file: (source == Source::File).then(|| Rc::from(lab.scenario.to_file())),
            message: lab.stopped(),
            lab,
            source,
            pending: None,
            playing: false,
            answers: BTreeMap::new(),
            compare: None,
            ..self.clone()
        }
    }

    fn open(&self, started: Result<Session<L>, Text>, source: Source) -> Player<L> {
        match started {
            Ok(lab) => self.opened(lab, source),
            Err(e) => self.with_message(e),
        }
    }

    /// The state after a fork: the fork's message if it was refused, paused on the new step
    /// otherwise.
    fn after_fork(&self, mut next: Player<L>, result: Result<(), Text>) -> Player<L> {
        match result {
            Err(e) => self.with_message(e),
            Ok(()) => {
                next.playing = false;
                if let Some(message) = next.lab.stopped() {
                    next.message = Some(message);
                }
                next
            }
        }
    }

    fn with_message(&self, message: Text) -> Player<L> {
        Player {
            message: Some(message),
            playing: false,
            ..self.clone()
        }
    }

    fn leaving(&self, page: Result<String, Text>) -> Player<L> {
        match page {
            Ok(url) => Player {
                leave_for: Some(url),
                playing: false,
                ..self.clone()
            },
            Err(e) => self.with_message(e),
        }
    }

    /// Applies one message; the result is the next state. A comparison run follows the main run:
    /// it moves to the same step, and takes the same fault or operation at the same step.
    pub fn update(&self, msg: Msg<L>) -> Player<L> {
        let mut next = self.update_main(msg.clone());
        let Some(mut compare) = next.compare.take() else {
            return next;
        };
        let forked = next.lab.total() != self.lab.total()
            || next.lab.injection_count() != self.lab.injection_count();
        let result = match msg {
            _ if !forked => Ok(()),
            Msg::Fault(fault) => compare.lab.fork_fault(fault),
            Msg::Advance => compare.lab.fork_next(),
            Msg::Op(op) => compare.lab.fork_op(op),
            _ => Ok(()),
        };
        if result.is_ok() {
            compare.lab.seek(next.lab.step());
            next.compare = Some(compare);
        }
        next
    }

    fn update_main(&self, msg: Msg<L>) -> Player<L> {
        let mut next = self.clone();
        match msg {
            Msg::OpenLink(link) if link.lab != L::ID => {
                return self.leaving(share::lab_page(&link).map_err(share::kept))
            }
            Msg::OpenLink(link) => {
                if let Some(lesson) = self.not_at_hand(&link) {
                    return self.waiting(Pending {
                        lesson,
                        link: Some(link),
                    });
                }
                return match self.open_link(&link) {
                    Ok((lab, source)) => self.opened(lab, source),
                    Err(e) => self.with_message(share::kept(e)),
                };
            }
            Msg::OpenBuiltin(id) => {
                return match (self.entry(&id), self.lesson(&id)) {
                    (_, Some(s)) => self.open(Session::start(s, &[], 0), Source::Builtin),
                    (Some(_), None) => self.waiting(Pending {
                        lesson: id,
                        link: None,
                    }),
                    (None, _) => self.with_message(share::unknown("scenario", "场景", &id)),
                }
            }
            Msg::Loaded { id, file } => return self.loaded(id, file),
            Msg::OpenSandbox(setup) => {
                let started = L::free_play(setup).and_then(|s| Session::start(s, &[], 0));
                return self.open(started, Source::Sandbox);
            }
            Msg::Import(text) => {
                return match Scenario::<L>::from_file(&text) {
                    Ok(s) => self.open(Session::start(s, &[], 0), Source::File),
                    // Another lab's file opens on that lab's page, carried whole by the link.
                    Err(ScenarioError::OtherLab(lab)) => {
                        let page = share::lab_page(&ShareState {
                            lab: lab.clone(),
                            scenario: ScenarioRef::File(text),
                            seed: None,
                            step: 0,
                            inject: None,
                        });
                        self.leaving(page.map_err(|_| {
                            Text::new(
                                format!("This is a scenario file of the lab \"{lab}\", which this site does not have."),
                                format!("这是实验“{lab}”的场景文件，而本网站没有这个实验。"),
                            )
                        }))
                    }
                    Err(e) => self.with_message(e.message()),
                };
            }
            Msg::Seek(k) => next.lab.seek(k),
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
                return self.after_fork(next, result);
            }
            Msg::Op(op) => {
                let result = next.lab.fork_op(op);
                return self.after_fork(next, result);
            }
            Msg::Advance => {
                let result = next.lab.fork_next();
                return self.after_fork(next, result);
            }
            Msg::Compare(None) => next.compare = None,
            Msg::Compare(Some(variant)) => match compare_with(&variant, &self.lab) {
                Ok(c) => next.compare = Some(c),
                Err(e) => return self.with_message(e),
            },
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
) -> Result<Session<L>, Text> {
    if let Some(seed) = seed {
        scenario.seed = seed;
    }
    let injections = parse_injections::<L::Op>(inject)?;
    Session::start(scenario, &injections, step)
}

impl<L: LabView> Reducible for Player<L> {
    type Action = Msg<L>;

    fn reduce(self: Rc<Self>, action: Msg<L>) -> Rc<Self> {
        Rc::new(self.update(action))
    }
}
