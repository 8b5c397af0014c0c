//! Scenarios are data: a bilingual title, a lab set-up, a seed, the faults a student may inject, and
//! a script of steps, each with narration and, before the decisive step, a "predict, then reveal"
//! question. A scenario round-trips through JSON as a scenario file, `{"<lab id>": {…}}`, which says
//! which lab it belongs to. This module knows no lab: each lab lists its own lessons
//! ([`Lab::lessons`]), and [`crate::labs`] lists the labs.

use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::fmt::Debug;

use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::kernel::{Action, Fault, FaultKind, Model, Protocol, Run, Severity, Time, World};
use crate::text::Text;

/// Checkpoint interval of scenario runs: seeking costs at most this many replayed steps.
pub const CHECKPOINT_INTERVAL: usize = 16;
/// Upper bound on script length; a lesson is 8 to 30 steps, free play can be longer.
pub const MAX_STEPS: usize = 500;
/// Upper bound on injected faults in one run.
pub const MAX_INJECTIONS: usize = 50;
/// Upper bound on a scenario file, in bytes: the longest lesson the format allows (500 steps with
/// narration in both languages) fits in it many times over, and reading it stays instant.
pub const MAX_FILE_BYTES: usize = 256 * 1024;

/// A lab: a protocol with a set-up from which its world is built, and its built-in lessons.
pub trait Lab: Protocol + Sized {
    /// What the site says of the lab: its id, name, what it teaches, its syllabus topics.
    const INFO: LabInfo;
    /// The lab's identifier in URLs, page names and scenario files.
    const ID: &'static str = Self::INFO.id;
    type Setup: Clone + Debug + PartialEq + Serialize + DeserializeOwned;
    /// Builds the starting world, or explains (in both languages) why the set-up is invalid.
    fn build(setup: &Self::Setup, seed: u64) -> Result<World<Self>, Text>;
    /// Every invariant the lab checks, for the invariants panel (green until violated).
    fn invariants() -> Vec<InvariantInfo>;
    /// The built-in lessons, in the order the lab's page lists them.
    fn lessons() -> Vec<Scenario<Self>>;
    /// Checks the numbers and sizes of an operation that a scenario file, a share link or the
    /// page carries, against [`crate::kernel::bounds`] (times at most a day, names at most
    /// [`crate::kernel::bounds::MAX_NAME_BYTES`]), or explains in both languages why it is
    /// refused. Whether the operation makes sense in a state is [`Protocol::check_op`]'s work.
    fn check_input(_op: &Self::Op) -> Result<(), Text> {
        Ok(())
    }
}

/// Text in both languages that lives in the program itself, for tables such as [`LabInfo`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct StaticText {
    pub en: &'static str,
    pub zh: &'static str,
}

impl StaticText {
    pub const fn new(en: &'static str, zh: &'static str) -> Self {
        StaticText { en, zh }
    }

    pub fn get(&self, lang: crate::text::Lang) -> &'static str {
        match lang {
            crate::text::Lang::En => self.en,
            crate::text::Lang::Zh => self.zh,
        }
    }
}

/// A section of the syllabus (the four study notes in `shared/seeds/`) that a lab teaches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Topic {
    /// The note: 1 to 4 (seeds 001 to 004).
    pub seed: u8,
    /// The section's heading, as in the note (中文) and in English.
    pub section: StaticText,
}

/// What the site says of a lab, as constant data: the landing page and every lab page's top bar
/// read it without linking the lab's model or lessons.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabInfo {
    pub id: &'static str,
    pub name: StaticText,
    /// One line on what the lab teaches.
    pub teaches: StaticText,
    /// The number of built-in lessons (a test checks it against [`Lab::lessons`]).
    pub lessons: usize,
    pub topics: &'static [Topic],
}

impl LabInfo {
    /// The lab's page, relative to the site's root.
    pub fn page(&self) -> alloc::string::String {
        format!("{}.html", self.id)
    }
}

/// An invariant a lab checks: its id (as in [`crate::kernel::Violation::invariant`]) and name.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct InvariantInfo {
    pub id: &'static str,
    pub name: Text,
    pub severity: crate::kernel::Severity,
}

/// What one step of a script does.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Directive<Op> {
    /// Whatever the world does next on its own: the earliest delivery, timer or end of a pause.
    Next,
    Op {
        op: Op,
    },
    Fault {
        fault: Fault,
    },
    Wait {
        ms: Time,
    },
    /// One exact kernel action: this message delivered now, this timer fired now. A trace found by
    /// the explorer is replayed with these, since it chooses which message arrives next.
    Act {
        action: Action<Op>,
    },
}

/// A "predict, then reveal" question, asked before the step it belongs to.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Question {
    pub prompt: Text,
    pub choices: Vec<Text>,
    /// Index of the right choice; the step's narration explains it.
    pub answer: usize,
}

/// One step of a script.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ScriptStep<Op> {
    #[serde(rename = "do")]
    pub directive: Directive<Op>,
    pub narration: Text,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub question: Option<Question>,
}

impl<Op> ScriptStep<Op> {
    /// A step with its narration in both languages.
    pub fn new(directive: Directive<Op>, en: &str, zh: &str) -> Self {
        ScriptStep {
            directive,
            narration: Text::new(en, zh),
            question: None,
        }
    }

    /// Adds a "predict, then reveal" question, asked before this step; `choices` are
    /// (English, Chinese) pairs and `answer` indexes the right one.
    pub fn ask(mut self, prompt: (&str, &str), choices: &[(&str, &str)], answer: usize) -> Self {
        self.question = Some(Question {
            prompt: Text::new(prompt.0, prompt.1),
            choices: choices.iter().map(|(en, zh)| Text::new(*en, *zh)).collect(),
            answer,
        });
        self
    }
}

/// A scenario of one lab.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(bound = "")]
pub struct Scenario<L: Lab> {
    pub id: String,
    pub title: Text,
    pub summary: Text,
    pub seed: u64,
    pub setup: L::Setup,
    /// The faults the toolbar offers in this scenario.
    pub faults: Vec<FaultKind>,
    /// Invariants this scenario is meant to show broken.
    #[serde(default)]
    pub breaks: Vec<String>,
    pub steps: Vec<ScriptStep<L::Op>>,
}

impl<L: Lab> Scenario<L> {
    /// A built-in lesson: seed 1, title and summary as (English, Chinese), the faults the toolbar
    /// offers, and the invariants the lesson is meant to show broken.
    pub fn lesson(
        id: &str,
        title: (&str, &str),
        summary: (&str, &str),
        setup: L::Setup,
        faults: &[FaultKind],
        breaks: &[&str],
        steps: Vec<ScriptStep<L::Op>>,
    ) -> Self {
        Scenario {
            id: id.to_string(),
            title: Text::new(title.0, title.1),
            summary: Text::new(summary.0, summary.1),
            seed: 1,
            setup,
            faults: faults.to_vec(),
            breaks: breaks.iter().map(|b| String::from(*b)).collect(),
            steps,
        }
    }
}

/// A built-in lesson in a lab's list: its id and title. A lab's page reads the list from the file
/// `lessons/<lab id>/index.json` and each lesson from `lessons/<lab id>/<lesson id>.json` when it
/// is opened, so that a page loads its lessons' text as data, one lesson at a time (see
/// [`lesson_files`]).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LessonEntry {
    pub id: String,
    pub title: Text,
}

impl LessonEntry {
    pub fn of<L: Lab>(lesson: &Scenario<L>) -> LessonEntry {
        LessonEntry {
            id: lesson.id.clone(),
            title: lesson.title.clone(),
        }
    }
}

/// The files of a lab's lessons, as the site serves them under `lessons/`: `(path, text)` pairs,
/// the list `<lab id>/index.json` first (a JSON array of [`LessonEntry`]), then
/// `<lab id>/<lesson id>.json` for each lesson (its scenario file).
pub fn lesson_files<L: Lab>() -> Vec<(String, String)> {
    let lessons = L::lessons();
    let index: Vec<LessonEntry> = lessons.iter().map(LessonEntry::of).collect();
    let mut files = Vec::with_capacity(lessons.len() + 1);
    files.push((
        format!("{}/index.json", L::ID),
        serde_json::to_string(&index).unwrap_or_default(),
    ));
    files.extend(
        lessons
            .iter()
            .map(|s| (format!("{}/{}.json", L::ID, s.id), s.to_file())),
    );
    files
}

/// An action injected by the student (a fault, or a lab operation from free play): applied right
/// after state `at` (0 = before the first step). Later script steps still follow it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(bound = "Op: Serialize + serde::de::DeserializeOwned")]
pub struct Injection<Op> {
    pub at: usize,
    pub action: Action<Op>,
}

impl<Op> Injection<Op> {
    pub fn fault(at: usize, fault: Fault) -> Self {
        Injection {
            at,
            action: Action::Fault { fault },
        }
    }
}

/// Where a trace step came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Origin {
    /// Step `i` of the scenario's script.
    Script(usize),
    /// Injection `i` of the run.
    Injected(usize),
}

/// A scenario played out, with the student's injections.
#[derive(Clone, Debug)]
pub struct ScenarioRun<L: Lab> {
    pub run: Run<World<L>>,
    /// For every trace step (index k-1 for step k), where it came from.
    pub origins: Vec<Origin>,
    /// The injections in this run, in order.
    pub injections: Vec<Injection<L::Op>>,
}

/// A scenario file or a share link that cannot be used, with a message for the user.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioError {
    /// The text is not valid JSON for a scenario.
    Json(String),
    /// The scenario is well-formed but not valid.
    Invalid(Text),
    /// The file is a scenario of another lab (its id), to be opened on that lab's page.
    OtherLab(String),
}

impl ScenarioError {
    pub fn message(&self) -> Text {
        match self {
            ScenarioError::Json(e) => Text::new(
                format!("This is not a valid scenario file: {e}"),
                format!("这不是有效的场景文件：{e}"),
            ),
            ScenarioError::Invalid(t) => t.clone(),
            ScenarioError::OtherLab(lab) => Text::new(
                format!("This scenario file belongs to the lab \"{lab}\"."),
                format!("这个场景文件属于实验“{lab}”。"),
            ),
        }
    }
}

fn invalid(en: String, zh: String) -> ScenarioError {
    ScenarioError::Invalid(Text::new(en, zh))
}

impl<L: Lab> Scenario<L> {
    /// Checks everything that a file could get wrong, so that a loaded scenario cannot misbehave.
    pub fn validate(&self) -> Result<(), ScenarioError> {
        if self.id.trim().is_empty() || self.id.len() > 64 {
            return Err(invalid(
                "A scenario needs an id of 1 to 64 characters.".to_string(),
                "场景需要一个 1 到 64 个字符的 id。".to_string(),
            ));
        }
        if self.title.is_incomplete() || self.summary.is_incomplete() {
            return Err(invalid(
                format!(
                    "Scenario {} needs a title and summary in both English and Chinese.",
                    self.id
                ),
                format!("场景 {} 需要中英文的标题和简介。", self.id),
            ));
        }
        if self.steps.is_empty() || self.steps.len() > MAX_STEPS {
            return Err(invalid(
                format!(
                    "A scenario has 1 to {MAX_STEPS} steps; {} has {}.",
                    self.id,
                    self.steps.len()
                ),
                format!(
                    "场景的步骤数必须在 1 到 {MAX_STEPS} 之间；{} 有 {} 步。",
                    self.id,
                    self.steps.len()
                ),
            ));
        }
        for (i, step) in self.steps.iter().enumerate() {
            if step.narration.is_incomplete() {
                return Err(invalid(
                    format!(
                        "Step {} needs narration in both English and Chinese.",
                        i + 1
                    ),
                    format!("第 {} 步需要中英文旁白。", i + 1),
                ));
            }
            let checked = match &step.directive {
                Directive::Next => Ok(()),
                Directive::Op { op } => L::check_input(op),
                Directive::Fault { fault } => check_fault(fault),
                Directive::Wait { ms } => crate::kernel::bounds::span(("a wait", "等待时间"), *ms),
                Directive::Act { action } => check_action::<L>(action),
            };
            if let Err(why) = checked {
                return Err(invalid(
                    format!("Step {}: {}", i + 1, why.en),
                    format!("第 {} 步：{}", i + 1, why.zh),
                ));
            }
            if let Some(q) = &step.question {
                if q.prompt.is_incomplete()
                    || !(2..=4).contains(&q.choices.len())
                    || q.choices.iter().any(Text::is_incomplete)
                    || q.answer >= q.choices.len()
                {
                    return Err(invalid(
                        format!("The question at step {} needs a bilingual prompt, 2 to 4 bilingual choices and a valid answer.", i + 1),
                        format!("第 {} 步的问题需要中英文题干、2 到 4 个中英文选项和一个有效答案。", i + 1),
                    ));
                }
            }
        }
        L::build(&self.setup, self.seed)
            .map(|_| ())
            .map_err(ScenarioError::Invalid)
    }

    /// Checks an action a student injects (from the page, or carried by a share link): a fault
    /// must be one this scenario's toolbar offers, an operation must be within the lab's bounds,
    /// and every number within [`crate::kernel::bounds`]. A link can carry only what the page
    /// could have made.
    pub fn check_injection(&self, action: &Action<L::Op>) -> Result<(), ScenarioError> {
        if let Action::Fault { fault } = action {
            if !self.faults.contains(&fault.kind()) {
                let (en, zh) = fault_name(fault.kind());
                return Err(invalid(
                    format!("It injects a fault this lesson does not offer ({en}); a lesson's fault toolbar lists the faults it can take."),
                    format!("它注入了这节课不提供的故障（{zh}）；一节课能注入的故障都在它的故障工具栏里。"),
                ));
            }
        }
        check_action::<L>(action).map_err(ScenarioError::Invalid)
    }

    /// Plays the script with the student's injections.
    pub fn play(&self, injections: &[Injection<L::Op>]) -> Result<ScenarioRun<L>, ScenarioError> {
        let world = L::build(&self.setup, self.seed).map_err(ScenarioError::Invalid)?;
        if injections.len() > MAX_INJECTIONS {
            return Err(too_many_injections());
        }
        for injection in injections {
            self.check_injection(&injection.action)?;
        }
        if injections.windows(2).any(|w| w[0].at > w[1].at) {
            return Err(invalid(
                "The injected faults are out of order.".to_string(),
                "注入的故障顺序不对。".to_string(),
            ));
        }
        let mut played = ScenarioRun {
            run: Run::new(world, CHECKPOINT_INTERVAL),
            origins: Vec::new(),
            injections: Vec::new(),
        };
        played.continue_script(self, injections);
        if played.injections.len() < injections.len() && played.stopped().is_none() {
            let inj = &injections[played.injections.len()];
            return Err(invalid(
                format!(
                    "An action injected at step {} does not fit this run of {} steps.",
                    inj.at,
                    played.run.len()
                ),
                format!(
                    "注入在第 {} 步的操作与这次运行（共 {} 步）对不上。",
                    inj.at,
                    played.run.len()
                ),
            ));
        }
        Ok(played)
    }
}

/// Checks the numbers of a fault against [`crate::kernel::bounds`].
pub fn check_fault(fault: &Fault) -> Result<(), Text> {
    use crate::kernel::bounds;
    match fault {
        Fault::Pause { ms, .. } => bounds::span(("a pause", "暂停时长"), *ms),
        Fault::ClockJump { delta_ms, .. } => {
            bounds::signed_span(("a clock jump", "时钟跳变"), *delta_ms)
        }
        Fault::Partition { groups } => bounds::count(
            ("nodes named in a partition", "分区里列出的节点"),
            groups.iter().map(|g| g.len() as u64 + 1).sum(),
            1_000,
        ),
        Fault::Crash { .. }
        | Fault::Restart { .. }
        | Fault::Heal
        | Fault::Drop { .. }
        | Fault::Duplicate { .. } => Ok(()),
    }
}

/// Checks the numbers of any action against [`crate::kernel::bounds`] and the lab's
/// [`Lab::check_input`].
pub fn check_action<L: Lab>(action: &Action<L::Op>) -> Result<(), Text> {
    match action {
        Action::Op { op } => L::check_input(op),
        Action::Fault { fault } => check_fault(fault),
        Action::Wait { ms } => crate::kernel::bounds::span(("a wait", "等待时间"), *ms),
        Action::Deliver { .. } | Action::Fire { .. } | Action::Resume { .. } => Ok(()),
    }
}

/// A fault kind's name in both languages, as the fault toolbar shows it.
pub fn fault_name(kind: FaultKind) -> (&'static str, &'static str) {
    match kind {
        FaultKind::Crash => ("crash", "宕机"),
        FaultKind::Restart => ("restart", "重启"),
        FaultKind::Partition => ("partition", "网络分区"),
        FaultKind::Heal => ("heal the network", "恢复网络"),
        FaultKind::Pause => ("pause", "暂停"),
        FaultKind::ClockJump => ("clock jump", "时钟跳变"),
        FaultKind::Drop => ("drop a message", "丢弃消息"),
        FaultKind::Duplicate => ("duplicate a message", "复制消息"),
    }
}

fn too_many_injections() -> ScenarioError {
    invalid(
        format!("At most {MAX_INJECTIONS} actions can be injected into one run."),
        format!("一次运行最多注入 {MAX_INJECTIONS} 个操作。"),
    )
}

impl<L: Lab> ScenarioRun<L> {
    /// Pushes the remaining script steps, inserting `injections` (sorted by position) where they
    /// belong. Injections that lie beyond the end are left out.
    fn continue_script(&mut self, scenario: &Scenario<L>, injections: &[Injection<L::Op>]) {
        let done = self
            .origins
            .iter()
            .filter(|o| matches!(o, Origin::Script(_)))
            .count();
        let mut pending = injections.iter().peekable();
        let mut script = scenario.steps.iter().enumerate().skip(done);
        while self.stopped().is_none() {
            while let Some(inj) = pending.next_if(|inj| inj.at == self.run.len()) {
                self.run.push(inj.action.clone());
                self.origins.push(Origin::Injected(self.injections.len()));
                self.injections.push(inj.clone());
                if self.stopped().is_some() {
                    return;
                }
            }
            let Some((i, step)) = script.next() else {
                break;
            };
            let action = resolve(self.run.last(), &step.directive);
            self.run.push(action);
            self.origins.push(Origin::Script(i));
        }
    }

    /// When a step went over the limits of [`crate::kernel::bounds`]: that step (1-based) and
    /// what it did beyond them (a clause; [`crate::kernel::bounds::halted_run`] makes the
    /// sentence). The run ends there.
    pub fn stopped(&self) -> Option<(usize, &Text)> {
        self.run
            .last()
            .halted
            .as_ref()
            .map(|why| (self.run.len(), why))
    }

    /// Forks the run after state `at`: everything after it is forgotten (with the injections that
    /// lay there), `action` is applied, and the rest of the script follows.
    pub fn fork(
        &mut self,
        scenario: &Scenario<L>,
        at: usize,
        action: Action<L::Op>,
    ) -> Result<(), ScenarioError> {
        if at > self.run.len() {
            return Err(invalid(
                format!(
                    "Step {at} is past the end of the run ({} steps).",
                    self.run.len()
                ),
                format!("第 {at} 步超出了这次运行的长度（{} 步）。", self.run.len()),
            ));
        }
        let kept = self
            .origins
            .iter()
            .take(at)
            .filter(|o| matches!(o, Origin::Injected(_)))
            .count();
        if kept >= MAX_INJECTIONS {
            return Err(too_many_injections());
        }
        scenario.check_injection(&action)?;
        self.run.truncate(at);
        self.origins.truncate(at);
        self.injections.truncate(kept);
        self.continue_script(scenario, &[Injection { at, action }]);
        Ok(())
    }
}

/// A lesson made of an explorer's counterexample: the base lesson's set-up and seed, and one step
/// per action of the trace, the last one saying which invariant breaks. It validates, shares and
/// steps like any other scenario.
pub fn counterexample<L: Lab>(
    base: &Scenario<L>,
    trace: &[Action<L::Op>],
    broken: &[crate::kernel::Violation],
) -> Scenario<L> {
    let n = trace.len();
    let mut steps: Vec<ScriptStep<L::Op>> = trace
        .iter()
        .enumerate()
        .map(|(i, action)| ScriptStep {
            directive: Directive::Act {
                action: action.clone(),
            },
            narration: Text::new(
                format!("Counterexample, step {} of {n}.", i + 1),
                format!("反例，第 {} 步（共 {n} 步）。", i + 1),
            ),
            question: None,
        })
        .collect();
    if let Some(last) = steps.last_mut() {
        let en: Vec<&str> = broken.iter().map(|v| v.detail.en.as_str()).collect();
        let zh: Vec<&str> = broken.iter().map(|v| v.detail.zh.as_str()).collect();
        last.narration = Text::new(
            format!("Counterexample, step {n} of {n}: {}", en.join(" ")),
            format!("反例，第 {n} 步（共 {n} 步）：{}", zh.join(" ")),
        );
    }
    let id: String = base.id.chars().take(60).collect();
    Scenario {
        id: format!("{id}-cx"),
        title: Text::new(
            format!("Counterexample found by the explorer, from the start of \"{}\"", base.title.en),
            format!("探索器找到的反例（起点同“{}”）", base.title.zh),
        ),
        summary: Text::new(
            format!("The shortest interleaving the explorer found that breaks an invariant, in {n} steps. The explorer lets any message or timer wait as long as it likes, so a message may arrive much later than the link's usual latency (a congested network) and a process may be slow between two steps (a pause)."),
            format!("探索器找到的最短的破坏不变式的交错执行，共 {n} 步。探索器允许任何消息或定时器等待任意长的时间，所以消息可能比链路平常的延迟晚很久才到（网络拥塞），进程在两步之间也可能很慢（暂停）。"),
        ),
        seed: base.seed,
        setup: base.setup.clone(),
        faults: base.faults.clone(),
        breaks: {
            let mut ids: Vec<String> = broken.iter().map(|v| v.invariant.clone()).collect();
            ids.sort();
            ids.dedup();
            ids
        },
        steps,
    }
}

/// Turns a script directive into the action it means in this state.
pub fn resolve<P: Protocol>(world: &World<P>, directive: &Directive<P::Op>) -> Action<P::Op> {
    match directive {
        Directive::Next => world.next_due().unwrap_or(Action::Wait { ms: 0 }),
        Directive::Op { op } => Action::Op { op: op.clone() },
        Directive::Fault { fault } => Action::Fault {
            fault: fault.clone(),
        },
        Directive::Wait { ms } => Action::Wait { ms: *ms },
        Directive::Act { action } => action.clone(),
    }
}

impl<L: Lab> ScenarioRun<L> {
    /// The script step behind trace step `k` (1-based), if it came from the script.
    pub fn script_step(&self, k: usize) -> Option<usize> {
        match k.checked_sub(1).and_then(|i| self.origins.get(i)) {
            Some(Origin::Script(i)) => Some(*i),
            _ => None,
        }
    }

    /// The golden text of this run: one JSON line per step with its action, time, events and
    /// violations. Same scenario, seed and injections give the same text, byte for byte.
    pub fn golden(&self) -> String
    where
        World<L>: Model,
    {
        let mut out = String::new();
        for (i, step) in self.run.steps().iter().enumerate() {
            let line = serde_json::to_string(&(
                i + 1,
                &self.origins[i],
                &step.action,
                step.time,
                &step.events,
                step.violations
                    .iter()
                    .map(|v| (&v.violation.invariant, v.since, &v.violation.detail.en))
                    .collect::<Vec<_>>(),
            ))
            .unwrap_or_else(|e| format!("unserialisable step: {e}"));
            out.push_str(&line);
            out.push('\n');
        }
        out
    }
}

impl<L: Lab> Scenario<L> {
    /// Every invariant broken at some step of the scripted run, with how bad it is.
    pub fn broken_invariants(&self) -> Result<Vec<(String, Severity)>, ScenarioError> {
        let run = self.play(&[])?.run;
        let mut broken: Vec<(String, Severity)> = (0..=run.len())
            .flat_map(|k| run.violations_at(k).iter())
            .map(|v| (v.violation.invariant.clone(), v.violation.severity))
            .collect();
        broken.sort_unstable_by(|a, b| a.0.cmp(&b.0));
        broken.dedup();
        Ok(broken)
    }

    /// The 1-based steps of the scripted run in which nothing happened (a skipped action).
    pub fn idle_steps(&self) -> Result<Vec<usize>, ScenarioError> {
        let run = self.play(&[])?.run;
        Ok(run
            .steps()
            .iter()
            .enumerate()
            .filter(|(_, step)| {
                step.events
                    .iter()
                    .any(|e| matches!(e, crate::kernel::Event::Skipped { .. }))
            })
            .map(|(i, _)| i + 1)
            .collect())
    }

    /// The golden trace of the scenario as scripted.
    pub fn golden_trace(&self) -> Result<String, ScenarioError> {
        Ok(self.play(&[])?.golden())
    }

    /// The scenario as a file: `{"<lab id>": {…}}`, on one line ([`pretty_json`] lays it out for a
    /// person). One way of writing JSON, so that a page's wasm holds one serializer, not two.
    pub fn to_file(&self) -> String {
        serde_json::to_string(&LabFile(self)).unwrap_or_default()
    }

    /// Parses and validates a scenario file of this lab. A file of another lab is refused with
    /// [`ScenarioError::OtherLab`], so that the caller can open it on that lab's page.
    pub fn from_file(text: &str) -> Result<Self, ScenarioError> {
        let lab = file_lab(text)?;
        if lab != L::ID {
            return Err(ScenarioError::OtherLab(lab));
        }
        let OwnedLabFile(scenario) = serde_json::from_str::<OwnedLabFile<L>>(text)
            .map_err(|e| ScenarioError::Json(e.to_string()))?;
        scenario.validate()?;
        Ok(scenario)
    }
}

/// Lays out JSON for a person to read and edit: one member or element a line, indented by two
/// spaces. It changes only white space outside strings, so the text means the same JSON.
pub fn pretty_json(json: &str) -> String {
    fn newline(out: &mut String, depth: usize) {
        out.push('\n');
        for _ in 0..depth {
            out.push_str("  ");
        }
    }
    let mut out = String::with_capacity(json.len() + json.len() / 4);
    let mut depth = 0usize;
    let (mut in_string, mut escaped) = (false, false);
    let mut chars = json.chars().peekable();
    while let Some(c) = chars.next() {
        if in_string {
            out.push(c);
            match c {
                _ if escaped => escaped = false,
                '\\' => escaped = true,
                '"' => in_string = false,
                _ => {}
            }
            continue;
        }
        match c {
            '"' => {
                in_string = true;
                out.push(c);
            }
            '{' | '[' => {
                out.push(c);
                // An empty object or array stays on its line.
                if matches!(chars.peek(), Some('}' | ']')) {
                    if let Some(close) = chars.next() {
                        out.push(close);
                    }
                } else {
                    depth += 1;
                    newline(&mut out, depth);
                }
            }
            '}' | ']' => {
                depth = depth.saturating_sub(1);
                newline(&mut out, depth);
                out.push(c);
            }
            ',' => {
                out.push(c);
                newline(&mut out, depth);
            }
            ':' => out.push_str(": "),
            c if c.is_whitespace() => {}
            c => out.push(c),
        }
    }
    out
}

/// The lab a scenario file belongs to: the one key of its outer object. The rest of the file is
/// only checked to be JSON here; [`Scenario::from_file`] reads it.
pub fn file_lab(text: &str) -> Result<String, ScenarioError> {
    if text.len() > MAX_FILE_BYTES {
        return Err(invalid(
            format!(
                "This file is {} KB; a scenario file is at most {} KB.",
                text.len().div_ceil(1024),
                MAX_FILE_BYTES / 1024
            ),
            format!(
                "这个文件有 {} KB；场景文件最多 {} KB。",
                text.len().div_ceil(1024),
                MAX_FILE_BYTES / 1024
            ),
        ));
    }
    struct OuterKey;
    impl<'de> serde::de::Visitor<'de> for OuterKey {
        type Value = String;
        fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
            f.write_str("an object with one key, the lab's id")
        }
        fn visit_map<A: serde::de::MapAccess<'de>>(self, mut map: A) -> Result<String, A::Error> {
            let Some(lab) = map.next_key::<String>()? else {
                return Err(serde::de::Error::invalid_length(0, &self));
            };
            map.next_value::<serde::de::IgnoredAny>()?;
            if map.next_key::<String>()?.is_some() {
                return Err(serde::de::Error::invalid_length(2, &self));
            }
            Ok(lab)
        }
    }
    struct Outer(String);
    impl<'de> Deserialize<'de> for Outer {
        fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
            d.deserialize_map(OuterKey).map(Outer)
        }
    }
    serde_json::from_str::<Outer>(text)
        .map(|o| o.0)
        .map_err(|e| ScenarioError::Json(e.to_string()))
}

/// A scenario wrapped in its file's outer object, `{"<lab id>": {…}}`.
struct LabFile<'a, L: Lab>(&'a Scenario<L>);

/// A scenario read from its file's outer object.
struct OwnedLabFile<L: Lab>(Scenario<L>);

impl<L: Lab> Serialize for LabFile<'_, L> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let mut map = s.serialize_map(Some(1))?;
        map.serialize_entry(L::ID, self.0)?;
        map.end()
    }
}

impl<'de, L: Lab> Deserialize<'de> for OwnedLabFile<L> {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        struct Inner<L>(core::marker::PhantomData<L>);
        impl<'de, L: Lab> serde::de::Visitor<'de> for Inner<L> {
            type Value = Scenario<L>;
            fn expecting(&self, f: &mut core::fmt::Formatter) -> core::fmt::Result {
                write!(f, "an object with one key, \"{}\"", L::ID)
            }
            fn visit_map<A: serde::de::MapAccess<'de>>(
                self,
                mut map: A,
            ) -> Result<Scenario<L>, A::Error> {
                match map.next_key::<String>()? {
                    Some(key) if key == L::ID => {}
                    Some(key) => return Err(serde::de::Error::unknown_variant(&key, &[L::ID])),
                    None => return Err(serde::de::Error::invalid_length(0, &self)),
                }
                let scenario = map.next_value::<Scenario<L>>()?;
                if map.next_key::<String>()?.is_some() {
                    return Err(serde::de::Error::invalid_length(2, &self));
                }
                Ok(scenario)
            }
        }
        d.deserialize_map(Inner(core::marker::PhantomData))
            .map(OwnedLabFile)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pretty_json_lays_out_without_changing_the_json() {
        let compact = r#"{"ring":{"id":"x, {y}","a":[],"b":{},"c":[1,{"d":"\\\"]"}],"e":null}}"#;
        let pretty = pretty_json(compact);
        assert_eq!(
            pretty,
            "{\n  \"ring\": {\n    \"id\": \"x, {y}\",\n    \"a\": [],\n    \"b\": {},\n    \"c\": [\n      1,\n      {\n        \"d\": \"\\\\\\\"]\"\n      }\n    ],\n    \"e\": null\n  }\n}"
        );
        let a: serde_json::Value = serde_json::from_str(compact).unwrap();
        let b: serde_json::Value = serde_json::from_str(&pretty).unwrap();
        assert_eq!(a, b);
        assert_eq!(
            pretty_json(&pretty),
            pretty,
            "laying out twice changes nothing"
        );
    }
}
