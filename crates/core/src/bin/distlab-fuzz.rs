//! The fuzzer: what a hostile or careless user could feed a lab's page, over every built-in lesson
//! of every lab, for a bounded time and from a fixed seed.
//!
//!     cargo run --profile fuzz -p distlab-core --bin distlab-fuzz -- [--seconds N] [--seed S]
//!
//! Inputs, in turn:
//! - a lesson's scenario file with bytes flipped, inserted, deleted or cut off (an import);
//! - the same file with its structure changed: absurd numbers (0, a day and one millisecond,
//!   2^53, `u64::MAX`, negative, fractions), long or foreign names, arrays copied many times or
//!   emptied, members removed (a hand-edited file);
//! - a share link: a lesson with a random seed and random injected actions at random steps
//!   (faults the toolbar offers and faults it does not, the lab's operations, deliveries, timers,
//!   waits), and those injections with their JSON changed as above.
//!
//! Every input runs with overflow checks and debug assertions on (the `fuzz` profile) and is
//! checked for: no panic; a refusal (a message in both languages) or a run in which no step goes
//! over the kernel's limits; determinism (the same input plays to the same golden trace, byte for
//! byte); seeking (the state at a step through the run's checkpoints is the state reached by
//! replaying every step from the start); and time (loading and playing an input takes at most
//! 200 ms here, in an optimised native build; the page's build is slower, so anything near that
//! would freeze it). It prints
//!
//!     fuzz: N inputs, P panics, S slow, D nondeterministic
//!
//! with a second line of the other findings, and for each failure (the first few) a reproducer: the
//! share link, or the file it wrote under `target/fuzz/`. It exits with 1 when anything failed.

use std::fmt::Write as _;
use std::panic::{self, AssertUnwindSafe};
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use distlab_core::kernel::bounds::{MAX_EVENTS_PER_STEP, MAX_IN_FLIGHT, MAX_SPAN_MS};
use distlab_core::kernel::{Action, Fault, FaultKind, Model, SimRng, World};
use distlab_core::labs::{self, LabVisitor};
use distlab_core::scenario::{
    Directive, Injection, Lab, Scenario, ScenarioRun, ScriptStep, MAX_INJECTIONS, MAX_STEPS,
};
use serde_json::Value;

/// Where the last panic happened, which the panic hook notes instead of printing it.
static LAST_PANIC: std::sync::Mutex<String> = std::sync::Mutex::new(String::new());

/// Loading and playing one input may take this long here (the fastest of three tries) before it
/// counts as slow.
const SLOW: Duration = Duration::from_millis(200);
/// How many failures are described in full.
const SHOWN: usize = 5;

#[derive(Default)]
struct Tally {
    inputs: u64,
    panics: u64,
    slow: u64,
    nondeterministic: u64,
    over_limits: u64,
    seek_mismatches: u64,
    refused: u64,
    played: u64,
    halted: u64,
    steps: u64,
    slowest: Duration,
    failures: Vec<String>,
    /// The first input whose run stopped at a limit: not a failure (the limit did its work), but
    /// a lab that runs away is worth a look.
    halted_example: Option<String>,
}

impl Tally {
    fn failed(&self) -> u64 {
        self.panics + self.slow + self.nondeterministic + self.over_limits + self.seek_mismatches
    }

    fn fail(&mut self, what: &str, reproducer: String) {
        if self.failures.len() < SHOWN {
            self.failures
                .push(format!("{what}\n  reproduce: {reproducer}"));
        }
    }
}

/// The fuzzing of every lab in turn, each for its share of the time.
struct Fuzz {
    rng: SimRng,
    tally: Tally,
    /// Each lab's share of the time.
    slice: Duration,
    out: PathBuf,
    per_lab: Vec<String>,
}

impl LabVisitor for Fuzz {
    fn visit<L: Lab>(&mut self) {
        let lessons = L::lessons()
            .into_iter()
            .map(|lesson| {
                let file = lesson.to_file();
                (lesson, file)
            })
            .collect();
        let target = LabTarget::<L> { lessons };
        let end = Instant::now() + self.slice;
        let mut n = 0u64;
        let halted = self.tally.halted;
        while Instant::now() < end {
            target.one(&mut self.rng, &mut self.tally, &self.out);
            n += 1;
        }
        let halted = self.tally.halted - halted;
        self.per_lab.push(if halted > 0 {
            format!("{} {n} ({halted} stopped)", L::ID)
        } else {
            format!("{} {n}", L::ID)
        });
    }
}

/// One lab's part of the fuzzing: its lessons and their files.
struct LabTarget<L: Lab> {
    lessons: Vec<(Scenario<L>, String)>,
}

/// What one input is, to play it and to describe it.
enum Input<Op> {
    File(String),
    Link {
        lesson: usize,
        seed: u64,
        injections: String,
        parsed: Option<Vec<Injection<Op>>>,
    },
}

impl<L: Lab> LabTarget<L> {
    fn one(&self, rng: &mut SimRng, tally: &mut Tally, out: &PathBuf) {
        let lesson = rng.below(self.lessons.len() as u64) as usize;
        let input = match rng.below(5) {
            0 => Input::File(mutate_bytes(rng, &self.lessons[lesson].1)),
            1 => Input::File(mutate_structure(rng, &self.lessons[lesson].1)),
            2 => Input::File(with_fault_step(rng, &self.lessons[lesson].0)),
            kind => {
                let (scenario, _) = &self.lessons[lesson];
                let seed = if rng.below(3) == 0 {
                    rng.next_u64()
                } else {
                    scenario.seed
                };
                let injections = random_injections(rng, scenario, seed);
                let mut json = serde_json::to_string(&injections).unwrap_or_default();
                if kind == 4 {
                    json = mutate_structure(rng, &json);
                }
                let parsed = serde_json::from_str::<Vec<Injection<L::Op>>>(&json).ok();
                Input::Link {
                    lesson,
                    seed,
                    injections: json,
                    parsed,
                }
            }
        };
        tally.inputs += 1;
        let reproducer = |tally: &Tally| self.reproducer(&input, tally.inputs, out);
        let started = Instant::now();
        let result = panic::catch_unwind(AssertUnwindSafe(|| self.play(&input)));
        let mut took = started.elapsed();
        if took > SLOW {
            // Another process may have had the CPU: slow is the fastest of three tries.
            for _ in 0..2 {
                let again = Instant::now();
                let _ = panic::catch_unwind(AssertUnwindSafe(|| self.play(&input)));
                took = took.min(again.elapsed());
            }
        }
        tally.slowest = tally.slowest.max(took);
        let played = match result {
            Err(payload) => {
                tally.panics += 1;
                let mut what = payload
                    .downcast_ref::<String>()
                    .cloned()
                    .or_else(|| payload.downcast_ref::<&str>().map(|s| s.to_string()))
                    .unwrap_or_default();
                if let Ok(at) = LAST_PANIC.lock() {
                    what.push_str(&at);
                }
                let link = reproducer(tally);
                tally.fail(&format!("{}: panic: {what}", L::ID), link);
                return;
            }
            Ok(played) => played,
        };
        if took > SLOW {
            tally.slow += 1;
            let link = reproducer(tally);
            tally.fail(
                &format!("{}: slow: loading and playing took {took:?}", L::ID),
                link,
            );
        }
        let (scenario, run) = match played {
            Err(message) => {
                tally.refused += 1;
                if message.en.trim().is_empty() || message.zh.trim().is_empty() {
                    tally.over_limits += 1;
                    let link = reproducer(tally);
                    tally.fail(
                        &format!("{}: refused without a message in both languages", L::ID),
                        link,
                    );
                }
                return;
            }
            Ok(played) => played,
        };
        tally.played += 1;
        tally.steps += run.run.len() as u64;
        if let Some((k, why)) = run.stopped() {
            tally.halted += 1;
            if tally.halted_example.is_none() {
                tally.halted_example = Some(format!(
                    "{}: {}\n  reproduce: {}",
                    L::ID,
                    distlab_core::kernel::bounds::halted_run(k, why).en,
                    reproducer(tally)
                ));
            }
        }
        let checked = panic::catch_unwind(AssertUnwindSafe(|| {
            check_run(rng, &scenario, &run, &self.injections_of(&input))
        }));
        match checked {
            Ok(Ok(())) => {}
            Ok(Err(Finding::OverLimits(what))) => {
                tally.over_limits += 1;
                let link = reproducer(tally);
                tally.fail(&format!("{}: over the limits: {what}", L::ID), link);
            }
            Ok(Err(Finding::Nondeterministic(what))) => {
                tally.nondeterministic += 1;
                let link = reproducer(tally);
                tally.fail(&format!("{}: nondeterministic: {what}", L::ID), link);
            }
            Ok(Err(Finding::Seek(k))) => {
                tally.seek_mismatches += 1;
                let link = reproducer(tally);
                tally.fail(
                    &format!(
                        "{}: the state at step {k} through the checkpoints differs from the replay",
                        L::ID
                    ),
                    link,
                );
            }
            Err(_) => {
                tally.panics += 1;
                let link = reproducer(tally);
                tally.fail(&format!("{}: panic while checking the run", L::ID), link);
            }
        }
    }
}

enum Finding {
    OverLimits(String),
    Nondeterministic(String),
    Seek(usize),
}

type Played<L> = Result<(Scenario<L>, ScenarioRun<L>), distlab_core::Text>;

impl<L: Lab> LabTarget<L> {
    /// Loads and plays an input as the page would: a file through `Scenario::from_file`, a link
    /// through its lesson, seed and parsed injections.
    fn play(&self, input: &Input<L::Op>) -> Played<L> {
        match input {
            Input::File(text) => {
                let scenario = Scenario::<L>::from_file(text).map_err(|e| e.message())?;
                let run = scenario.play(&[]).map_err(|e| e.message())?;
                Ok((scenario, run))
            }
            Input::Link {
                lesson,
                seed,
                parsed,
                ..
            } => {
                let Some(injections) = parsed else {
                    return Err(distlab_core::Text::new(
                        "not JSON of injections",
                        "不是注入操作的 JSON",
                    ));
                };
                let mut scenario = self.lessons[*lesson].0.clone();
                scenario.seed = *seed;
                let run = scenario.play(injections).map_err(|e| e.message())?;
                Ok((scenario, run))
            }
        }
    }

    fn injections_of(&self, input: &Input<L::Op>) -> Vec<Injection<L::Op>> {
        match input {
            Input::Link {
                parsed: Some(p), ..
            } => p.clone(),
            _ => Vec::new(),
        }
    }

    /// A share link that reproduces a link input, or the file written for a file input.
    fn reproducer(&self, input: &Input<L::Op>, n: u64, out: &PathBuf) -> String {
        match input {
            Input::Link {
                lesson,
                seed,
                injections,
                ..
            } => format!(
                "{id}.html#lab={id}&scenario={}&seed={seed}&step=0&inject={}",
                uri_component(&self.lessons[*lesson].0.id),
                uri_component(injections),
                id = L::ID
            ),
            Input::File(text) => {
                let path = out.join(format!("{}-{n}.json", L::ID));
                match std::fs::create_dir_all(out).and_then(|()| std::fs::write(&path, text)) {
                    Ok(()) => format!(
                        "import {} on {}.html (Import scenario file)",
                        path.display(),
                        L::ID
                    ),
                    Err(e) => format!("(could not write {}: {e})", path.display()),
                }
            }
        }
    }
}

/// Checks a run that loaded: no step over the kernel's limits, the same trace when played again,
/// and the same state at a step whether reached through the checkpoints or replayed.
fn check_run<L: Lab>(
    rng: &mut SimRng,
    scenario: &Scenario<L>,
    run: &ScenarioRun<L>,
    injections: &[Injection<L::Op>],
) -> Result<(), Finding> {
    for (i, step) in run.run.steps().iter().enumerate() {
        // The kernel's own events around a handler (a loss, the halt) come on top of the budget.
        if step.events.len() > MAX_EVENTS_PER_STEP + 2 {
            return Err(Finding::OverLimits(format!(
                "step {} recorded {} events",
                i + 1,
                step.events.len()
            )));
        }
    }
    let in_flight = run.run.last().net.in_flight.len();
    if in_flight > MAX_IN_FLIGHT + 1 {
        return Err(Finding::OverLimits(format!(
            "{in_flight} messages in flight"
        )));
    }
    let again = scenario.play(injections).map_err(|e| {
        Finding::Nondeterministic(format!("played again, it was refused: {}", e.message().en))
    })?;
    let (a, b) = (run.golden(), again.golden());
    if a != b {
        let line = a
            .lines()
            .zip(b.lines())
            .position(|(x, y)| x != y)
            .map_or(a.lines().count().min(b.lines().count()), |i| i);
        return Err(Finding::Nondeterministic(format!(
            "played twice, the golden traces differ from step {}",
            line + 1
        )));
    }
    let total = run.run.len();
    for _ in 0..3 {
        let k = rng.below(total as u64 + 1) as usize;
        let sought = run.run.state_at(k);
        let mut replayed: World<L> = L::build(&scenario.setup, scenario.seed)
            .map_err(|e| Finding::Nondeterministic(format!("built again, refused: {}", e.en)))?;
        let mut scratch = Vec::new();
        for step in &run.run.steps()[..k] {
            scratch.clear();
            replayed.apply(&step.action, &mut scratch);
        }
        if format!("{sought:?}") != format!("{replayed:?}") {
            return Err(Finding::Seek(k));
        }
    }
    Ok(())
}

/// Random injections as a share link could carry them: at random steps, faults of every kind
/// (offered by the lesson's toolbar or not), the lab's operations and the world's own next
/// actions at that step, and waits.
fn random_injections<L: Lab>(
    rng: &mut SimRng,
    scenario: &Scenario<L>,
    seed: u64,
) -> Vec<Injection<L::Op>> {
    let Ok(world) = L::build(&scenario.setup, seed) else {
        return Vec::new();
    };
    let nodes = world.nodes.len() as u64;
    let steps = scenario.steps.len() as u64;
    let count = match rng.below(10) {
        0 => rng.below(MAX_INJECTIONS as u64 + 3),
        _ => 1 + rng.below(4),
    };
    // The actions enabled along the scripted run, to draw operations and deliveries from.
    let mut enabled = Vec::new();
    if let Ok(run) = scenario.play(&[]) {
        for k in [0, run.run.len() / 3, run.run.len() / 2, run.run.len()] {
            run.run.state_at(k).actions(&mut enabled);
        }
    }
    let mut at: Vec<usize> = (0..count).map(|_| rng.below(steps + 2) as usize).collect();
    at.sort_unstable();
    at.into_iter()
        .map(|at| {
            let action = match rng.below(5) {
                0 | 1 if !enabled.is_empty() => {
                    enabled[rng.below(enabled.len() as u64) as usize].clone()
                }
                3 => Action::Wait {
                    ms: absurd_time(rng),
                },
                _ => Action::Fault {
                    fault: random_fault(rng, scenario, nodes),
                },
            };
            Injection { at, action }
        })
        .collect()
}

fn random_fault<L: Lab>(rng: &mut SimRng, scenario: &Scenario<L>, nodes: u64) -> Fault {
    const KINDS: [FaultKind; 8] = [
        FaultKind::Crash,
        FaultKind::Restart,
        FaultKind::Partition,
        FaultKind::Heal,
        FaultKind::Pause,
        FaultKind::ClockJump,
        FaultKind::Drop,
        FaultKind::Duplicate,
    ];
    // Mostly the toolbar's faults; now and then one it does not offer.
    let kind = if !scenario.faults.is_empty() && rng.below(5) != 0 {
        scenario.faults[rng.below(scenario.faults.len() as u64) as usize]
    } else {
        KINDS[rng.below(KINDS.len() as u64) as usize]
    };
    let node = rng.below(nodes + 2) as u8;
    match kind {
        FaultKind::Crash => Fault::Crash { node },
        FaultKind::Restart => Fault::Restart { node },
        FaultKind::Partition => Fault::Partition {
            groups: (0..1 + rng.below(3))
                .map(|_| {
                    (0..1 + rng.below(nodes + 1))
                        .map(|_| rng.below(nodes + 2) as u8)
                        .collect()
                })
                .collect(),
        },
        FaultKind::Heal => Fault::Heal,
        FaultKind::Pause => Fault::Pause {
            node,
            ms: absurd_time(rng),
        },
        FaultKind::ClockJump => Fault::ClockJump {
            node,
            delta_ms: absurd_time(rng) as i64 * if rng.below(2) == 0 { -1 } else { 1 },
        },
        FaultKind::Drop => Fault::Drop {
            msg: rng.below(200),
        },
        FaultKind::Duplicate => Fault::Duplicate {
            msg: rng.below(200),
        },
    }
}

/// The lesson's file with a fault step (of any kind, with random numbers) at a random place in
/// its script: a teacher's hand-written scenario.
fn with_fault_step<L: Lab>(rng: &mut SimRng, lesson: &Scenario<L>) -> String {
    let nodes = L::build(&lesson.setup, lesson.seed).map_or(4, |w| w.nodes.len() as u64);
    let mut scenario = lesson.clone();
    for _ in 0..1 + rng.below(3) {
        let fault = random_fault(rng, lesson, nodes);
        let at = rng.below(scenario.steps.len() as u64 + 1) as usize;
        scenario.steps.insert(
            at,
            ScriptStep::new(Directive::Fault { fault }, "A fault.", "一个故障。"),
        );
    }
    scenario.to_file()
}

/// A time a careless hand could type: mostly ordinary, sometimes at or just past the bound,
/// sometimes absurd.
fn absurd_time(rng: &mut SimRng) -> u64 {
    match rng.below(8) {
        0 => MAX_SPAN_MS,
        1 => MAX_SPAN_MS + 1,
        2 => u64::MAX,
        3 => rng.next_u64(),
        4 => 0,
        _ => rng.below(5_000),
    }
}

/// Flips, inserts, deletes or cuts bytes of a text (kept valid UTF-8 by working on chars).
fn mutate_bytes(rng: &mut SimRng, text: &str) -> String {
    let mut chars: Vec<char> = text.chars().collect();
    const NOISE: &[char] = &[
        '{', '}', '[', ']', '"', ',', ':', '0', '9', '-', '.', 'e', 'x', '\\', '中', ' ',
    ];
    for _ in 0..1 + rng.below(8) {
        if chars.is_empty() {
            break;
        }
        let at = rng.below(chars.len() as u64) as usize;
        match rng.below(5) {
            0 => chars[at] = NOISE[rng.below(NOISE.len() as u64) as usize],
            1 => chars.insert(at, NOISE[rng.below(NOISE.len() as u64) as usize]),
            2 => {
                chars.remove(at);
            }
            3 => chars.truncate(at),
            _ => {
                // A digit run inside a number makes it huge.
                if chars[at].is_ascii_digit() {
                    for _ in 0..rng.below(25) {
                        chars.insert(at, '9');
                    }
                }
            }
        }
    }
    chars.into_iter().collect()
}

/// Changes the structure of a JSON text in one to four places: absurd numbers, long or foreign
/// strings, arrays copied or emptied, members removed, booleans flipped.
fn mutate_structure(rng: &mut SimRng, text: &str) -> String {
    let Ok(mut value) = serde_json::from_str::<Value>(text) else {
        return text.to_string();
    };
    for _ in 0..1 + rng.below(4) {
        let mut paths = Vec::new();
        collect_paths(&value, String::new(), &mut paths);
        if paths.is_empty() {
            break;
        }
        let path = paths[rng.below(paths.len() as u64) as usize].clone();
        let Some(node) = value.pointer_mut(&path) else {
            continue;
        };
        mutate_value(rng, node);
    }
    serde_json::to_string(&value).unwrap_or_default()
}

fn collect_paths(value: &Value, at: String, out: &mut Vec<String>) {
    out.push(at.clone());
    match value {
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                collect_paths(item, format!("{at}/{i}"), out);
            }
        }
        Value::Object(members) => {
            for (key, item) in members {
                let key = key.replace('~', "~0").replace('/', "~1");
                collect_paths(item, format!("{at}/{key}"), out);
            }
        }
        _ => {}
    }
}

fn mutate_value(rng: &mut SimRng, node: &mut Value) {
    match node {
        Value::Number(_) => {
            *node = match rng.below(12) {
                0 => Value::from(0u64),
                1 => Value::from(1u64),
                2 => Value::from(MAX_SPAN_MS + 1),
                3 => Value::from(MAX_SPAN_MS),
                4 => Value::from(u64::MAX),
                5 => Value::from(1u64 << 53),
                6 => Value::from(-1i64),
                7 => Value::from(i64::MIN),
                8 => Value::from(1.5f64),
                9 => Value::from(u64::from(u32::MAX) + 1),
                10 => Value::from(255u64 + rng.below(3)),
                _ => Value::from(rng.below(1_000_001)),
            }
        }
        Value::String(s) => {
            *node = match rng.below(5) {
                0 => Value::from(""),
                1 => Value::from("x".repeat(1 + rng.below(5_000) as usize)),
                2 => Value::from("队列.订单/*#>"),
                3 => Value::from(format!("{s}{s}")),
                _ => Value::from(" "),
            }
        }
        Value::Bool(b) => *b = !*b,
        Value::Array(items) => match rng.below(4) {
            0 if !items.is_empty() => {
                let copy = items[rng.below(items.len() as u64) as usize].clone();
                let times = 1 + rng.below(MAX_STEPS as u64 / 2);
                for _ in 0..times {
                    items.push(copy.clone());
                }
            }
            1 => items.clear(),
            2 if !items.is_empty() => {
                items.remove(rng.below(items.len() as u64) as usize);
            }
            _ => items.reverse(),
        },
        Value::Object(members) => {
            let keys: Vec<String> = members.keys().cloned().collect();
            if !keys.is_empty() && rng.below(2) == 0 {
                members.remove(&keys[rng.below(keys.len() as u64) as usize]);
            } else {
                members.insert("unknown".to_string(), Value::from(u64::MAX));
            }
        }
        Value::Null => *node = Value::from(u64::MAX),
    }
}

/// Loads and plays a scenario file as an import would, ten times, and prints how it went.
fn replay(path: &str) -> ExitCode {
    struct Replay {
        text: String,
        lab: String,
    }
    impl LabVisitor for Replay {
        fn visit<L: Lab>(&mut self) {
            if self.lab != L::ID {
                return;
            }
            for _ in 0..10 {
                let started = Instant::now();
                let played = Scenario::<L>::from_file(&self.text)
                    .map_err(|e| e.message())
                    .and_then(|s| s.play(&[]).map_err(|e| e.message()));
                let took = started.elapsed();
                match played {
                    Ok(run) => println!(
                        "{}: {} steps in {took:?}{}",
                        L::ID,
                        run.run.len(),
                        run.stopped().map_or(String::new(), |(k, why)| format!(
                            "; {}",
                            distlab_core::kernel::bounds::halted_run(k, why).en
                        ))
                    ),
                    Err(message) => println!("{}: refused in {took:?}: {}", L::ID, message.en),
                }
            }
        }
    }
    let text = match std::fs::read_to_string(path) {
        Ok(text) => text,
        Err(e) => {
            eprintln!("{path}: {e}");
            return ExitCode::from(2);
        }
    };
    let lab = match distlab_core::scenario::file_lab(&text) {
        Ok(lab) => lab,
        Err(e) => {
            println!("refused: {}", e.message().en);
            return ExitCode::SUCCESS;
        }
    };
    labs::visit(&mut Replay { text, lab });
    ExitCode::SUCCESS
}

/// `encodeURIComponent`: what a share link's values are encoded with.
fn uri_component(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            let _ = write!(out, "%{b:02X}");
        }
    }
    out
}

fn main() -> ExitCode {
    let mut seconds = 60u64;
    let mut seed = 20261128u64;
    let mut args = std::env::args().skip(1);
    let first: Vec<String> = std::env::args().skip(1).take(2).collect();
    if let [flag, path] = &first[..] {
        if flag == "--replay" {
            return replay(path);
        }
    }
    while let Some(arg) = args.next() {
        let value = args.next().and_then(|v| v.parse::<u64>().ok());
        match (arg.as_str(), value) {
            ("--seconds", Some(v)) => seconds = v,
            ("--seed", Some(v)) => seed = v,
            _ => {
                eprintln!("usage: distlab-fuzz [--seconds N] [--seed S] | --replay FILE");
                return ExitCode::from(2);
            }
        }
    }
    // Panics are counted and described, not printed one by one.
    panic::set_hook(Box::new(|info| {
        let at = info
            .location()
            .map_or(String::new(), |l| format!(" at {}:{}", l.file(), l.line()));
        if let Ok(mut last) = LAST_PANIC.lock() {
            *last = at;
        }
    }));
    let mut fuzz = Fuzz {
        rng: SimRng::seeded(seed),
        tally: Tally::default(),
        slice: Duration::from_secs(seconds) / labs::LABS.len().max(1) as u32,
        out: std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .ancestors()
            .nth(2)
            .map_or_else(|| PathBuf::from("target"), |root| root.join("target"))
            .join("fuzz"),
        per_lab: Vec::new(),
    };
    labs::visit(&mut fuzz);
    let _ = panic::take_hook();
    let Fuzz {
        tally,
        per_lab: labs,
        ..
    } = fuzz;
    println!(
        "fuzz: {} inputs, {} panics, {} slow, {} nondeterministic",
        tally.inputs, tally.panics, tally.slow, tally.nondeterministic
    );
    println!(
        "fuzz: {} over the limits, {} seek mismatches; {} refused with a message, {} played ({} steps, {} stopped at a limit); slowest {:?}; seed {seed}, {seconds} s; per lab: {}",
        tally.over_limits,
        tally.seek_mismatches,
        tally.refused,
        tally.played,
        tally.steps,
        tally.halted,
        tally.slowest,
        labs.join(", ")
    );
    for failure in &tally.failures {
        println!("{failure}");
    }
    if let Some(example) = &tally.halted_example {
        println!("first run that stopped at a limit (not a failure): {example}");
    }
    if tally.failed() > 0 {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    }
}
