//! Every built-in scenario of every lab: valid, bilingual, a real lesson, and pinned by a golden
//! trace. Set `UPDATE_GOLDEN=1` to rewrite the golden files after a deliberate change, then read
//! the diff.

use std::path::PathBuf;

use distlab_core::kernel::{Action, Fault, FaultKind, Severity};
use distlab_core::labs::{self, LabVisitor, LABS};
use distlab_core::ring::{RingLab, RingOp};
use distlab_core::scenario::{self, Injection, Lab, Origin, Scenario, ScenarioError};

fn golden_path(id: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/golden")
        .join(format!("{id}.jsonl"))
}

/// Runs `check` on every built-in lesson of every lab, with the lab's type.
fn every_lesson(check: impl FnMut(&dyn Lesson)) {
    struct Visit<F>(F);
    impl<F: FnMut(&dyn Lesson)> LabVisitor for Visit<F> {
        fn visit<L: Lab>(&mut self) {
            for lesson in L::lessons() {
                (self.0)(&lesson);
            }
        }
    }
    labs::visit(&mut Visit(check));
}

/// What these tests ask of a lesson, whatever its lab.
trait Lesson {
    fn lab(&self) -> &'static str;
    fn id(&self) -> &str;
    fn title_zh(&self) -> &str;
    fn steps(&self) -> usize;
    fn questions(&self) -> usize;
    fn faults(&self) -> &[FaultKind];
    fn breaks(&self) -> &[String];
    fn validate(&self) -> Result<(), ScenarioError>;
    fn golden(&self) -> String;
    fn broken(&self) -> Vec<(String, Severity)>;
    fn idle(&self) -> Vec<usize>;
    /// Through its file and back: equal, with the same trace.
    fn round_trips(&self) -> bool;
    /// Every word the lesson shows: title, summary, narration, questions, in both languages.
    fn words(&self) -> Vec<String>;
    /// The ids of the invariants its lab checks.
    fn invariant_ids(&self) -> Vec<&'static str>;
}

impl<L: Lab> Lesson for Scenario<L> {
    fn lab(&self) -> &'static str {
        L::ID
    }
    fn id(&self) -> &str {
        &self.id
    }
    fn title_zh(&self) -> &str {
        &self.title.zh
    }
    fn steps(&self) -> usize {
        self.steps.len()
    }
    fn questions(&self) -> usize {
        self.steps.iter().filter(|s| s.question.is_some()).count()
    }
    fn faults(&self) -> &[FaultKind] {
        &self.faults
    }
    fn breaks(&self) -> &[String] {
        &self.breaks
    }
    fn validate(&self) -> Result<(), ScenarioError> {
        Scenario::validate(self)
    }
    fn golden(&self) -> String {
        self.golden_trace().expect("built-in scenarios play")
    }
    fn broken(&self) -> Vec<(String, Severity)> {
        self.broken_invariants().unwrap()
    }
    fn idle(&self) -> Vec<usize> {
        self.idle_steps().unwrap()
    }
    fn words(&self) -> Vec<String> {
        let mut texts = vec![&self.title, &self.summary];
        for step in &self.steps {
            texts.push(&step.narration);
            if let Some(q) = &step.question {
                texts.push(&q.prompt);
                texts.extend(&q.choices);
            }
        }
        texts
            .into_iter()
            .flat_map(|t| [t.en.clone(), t.zh.clone()])
            .collect()
    }
    fn invariant_ids(&self) -> Vec<&'static str> {
        L::invariants().iter().map(|i| i.id).collect()
    }
    fn round_trips(&self) -> bool {
        let back = Scenario::<L>::from_file(&self.to_file()).unwrap();
        back.to_file() == self.to_file()
            && back.golden_trace().unwrap() == self.golden_trace().unwrap()
    }
}

fn ring_lesson(id: &str) -> Scenario<RingLab> {
    RingLab::lessons()
        .into_iter()
        .find(|s| s.id == id)
        .unwrap_or_else(|| panic!("no ring lesson {id}"))
}

#[test]
fn every_scenario_matches_its_golden_trace() {
    let update = std::env::var_os("UPDATE_GOLDEN").is_some();
    every_lesson(|s| {
        let trace = s.golden();
        let path = golden_path(s.id());
        if update {
            std::fs::write(&path, &trace).unwrap();
            return;
        }
        let expected = std::fs::read_to_string(&path)
            .unwrap_or_else(|_| panic!("missing {}: run with UPDATE_GOLDEN=1", path.display()));
        assert!(
            trace == expected,
            "{} differs from {}",
            s.id(),
            path.display()
        );
    });
}

#[test]
fn every_golden_file_belongs_to_a_scenario() {
    let mut ids = Vec::new();
    every_lesson(|s| ids.push(s.id().to_string()));
    for entry in std::fs::read_dir(golden_path("x").parent().unwrap()).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        let id = name.trim_end_matches(".jsonl");
        assert!(ids.iter().any(|i| i == id), "stale golden file {name}");
    }
}

#[test]
fn same_scenario_and_seed_give_the_same_trace_byte_for_byte() {
    every_lesson(|s| assert_eq!(s.golden(), s.golden(), "{}", s.id()));
}

#[test]
fn scenarios_are_short_bilingual_lessons_with_a_question() {
    let mut ids = Vec::new();
    every_lesson(|s| {
        ids.push(s.id().to_string());
        s.validate()
            .unwrap_or_else(|e| panic!("{}: {:?}", s.id(), e.message()));
        let steps = s.steps();
        assert!((8..=30).contains(&steps), "{} has {steps} steps", s.id());
        assert!(s.questions() > 0, "{} asks nothing", s.id());
        assert!(!s.title_zh().is_ascii(), "{} needs a Chinese title", s.id());
    });
    assert!(ids.len() >= 40, "{} lessons", ids.len());
    let count = ids.len();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(ids.len(), count, "scenario ids are unique across labs");
}

#[test]
fn every_lab_is_listed_with_its_lessons_counted_and_its_topics_in_both_languages() {
    struct Check(Vec<&'static str>);
    impl LabVisitor for Check {
        fn visit<L: Lab>(&mut self) {
            let info = L::INFO;
            assert_eq!(L::ID, info.id);
            assert_eq!(
                info.lessons,
                L::lessons().len(),
                "{}: LabInfo::lessons",
                info.id
            );
            // A lesson is served as `lessons/<lab id>/<lesson id>.json`: its id names a file.
            assert!(L::lessons().iter().all(|s| s.id.starts_with(info.id)
                && s.id
                    .bytes()
                    .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')));
            let files = scenario::lesson_files::<L>();
            assert_eq!(files.len(), info.lessons + 1);
            assert_eq!(files[0].0, format!("{}/index.json", info.id));
            let index: Vec<scenario::LessonEntry> = serde_json::from_str(&files[0].1).unwrap();
            for ((entry, (path, text)), lesson) in index.iter().zip(&files[1..]).zip(L::lessons()) {
                assert_eq!((&entry.id, &entry.title), (&lesson.id, &lesson.title));
                assert_eq!(*path, format!("{}/{}.json", info.id, lesson.id));
                assert_eq!(*text, lesson.to_file());
            }
            for text in [info.name, info.teaches] {
                assert!(!text.en.trim().is_empty() && !text.zh.trim().is_empty());
            }
            assert!(!info.teaches.zh.is_ascii(), "{}", info.id);
            assert!(
                !info.topics.is_empty(),
                "{} lists no syllabus topic",
                info.id
            );
            for topic in info.topics {
                assert!((1..=4).contains(&topic.seed));
                assert!(!topic.section.en.is_empty() && !topic.section.zh.is_empty());
            }
            self.0.push(info.id);
        }
    }
    let mut visited = Check(Vec::new());
    labs::visit(&mut visited);
    let listed: Vec<&str> = LABS.iter().map(|info| info.id).collect();
    assert_eq!(visited.0, listed);
    let mut unique = listed.clone();
    unique.sort_unstable();
    unique.dedup();
    assert_eq!(unique.len(), listed.len(), "lab ids are unique");
    assert_eq!(labs::find("jms").map(|i| i.page()), Some("jms.html".into()));
    assert_eq!(labs::find("nope"), None);
}

#[test]
fn each_scenario_breaks_exactly_the_errors_it_promises() {
    every_lesson(|s| {
        let broken = s.broken();
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
    });
}

#[test]
fn every_scenario_step_does_something() {
    every_lesson(|s| {
        assert_eq!(
            s.idle(),
            Vec::<usize>::new(),
            "{} has steps where nothing happens",
            s.id()
        )
    });
}

#[test]
fn lessons_name_invariants_by_their_names_and_cite_no_section_numbers() {
    // Nor a lesson by its id: a lesson is named in words ("the next lesson").
    let mut ids = Vec::new();
    every_lesson(|s| ids.push(s.id().to_string()));
    every_lesson(|s| {
        for words in s.words() {
            for id in s.invariant_ids() {
                assert!(!words.contains(id), "{}: {id} in {words:?}", s.id());
            }
            for id in &ids {
                assert!(
                    !words.contains(id.as_str()),
                    "{}: the lesson id {id} in {words:?}",
                    s.id()
                );
            }
            for citation in ["seed 00", "笔记 00"] {
                assert!(
                    !words.contains(citation),
                    "{}: {citation:?} in {words:?}",
                    s.id()
                );
            }
            // "section 6", "第 6 节": a number of the syllabus, not a word of the lesson ("the
            // critical section" and "第 6.5 秒" are fine).
            let numbered = |after: &str, unit: &str| {
                words.match_indices(after).any(|(i, m)| {
                    let rest = words[i + m.len()..].trim_start();
                    let digits = rest.trim_start_matches(|c: char| c.is_ascii_digit());
                    digits.len() < rest.len() && digits.trim_start().starts_with(unit)
                })
            };
            assert!(
                !numbered("section", "") && !numbered("第", "节"),
                "{}: {words:?}",
                s.id()
            );
        }
    });
}

#[test]
fn scenarios_round_trip_through_their_files() {
    every_lesson(|s| assert!(s.round_trips(), "{}", s.id()));
}

#[test]
fn a_file_names_its_lab_and_another_labs_file_is_sent_there() {
    let ring = ring_lesson("ring-skew");
    let file = ring.to_file();
    assert!(file.starts_with("{\"ring\":{"), "{file}");
    let pretty = scenario::pretty_json(&file);
    assert!(
        pretty.starts_with("{\n  \"ring\": {\n    \"id\": \"ring-skew\","),
        "{pretty}"
    );
    assert_eq!(
        Scenario::<RingLab>::from_file(&pretty).unwrap().to_file(),
        file
    );
    assert_eq!(scenario::file_lab(&file), Ok("ring".to_string()));
    // On the JMS lab's page, a ring file is not refused as broken: it belongs elsewhere.
    let err = Scenario::<distlab_core::mq::jms::JmsLab>::from_file(&file).unwrap_err();
    assert_eq!(err, ScenarioError::OtherLab("ring".into()));
    assert!(err.message().en.contains("\"ring\""));
    // Two labs in one file, or none, is not a scenario file.
    for text in ["{}", "{\"ring\": {}, \"jms\": {}}", "[1]", "{\"ring\": 1"] {
        assert!(
            matches!(scenario::file_lab(text), Err(ScenarioError::Json(_))),
            "{text}"
        );
    }
}

#[test]
fn malformed_files_give_clear_errors() {
    let cases = [
        ("not json", "not a valid scenario file"),
        ("{\"ring\": 1}", "not a valid scenario file"),
        ("{\"ring\": {\"id\": \"x\"}}", "not a valid scenario file"),
    ];
    for (text, expected) in cases {
        let err = Scenario::<RingLab>::from_file(text).unwrap_err();
        assert!(matches!(err, ScenarioError::Json(_)));
        assert!(err.message().en.contains(expected), "{:?}", err.message());
        assert!(err.message().zh.contains("不是有效的场景文件"));
    }
    // A file too large to be a scenario is refused before it is read.
    let huge = format!("{{\"ring\": \"{}\"}}", "x".repeat(scenario::MAX_FILE_BYTES));
    let err = Scenario::<RingLab>::from_file(&huge).unwrap_err();
    assert!(
        err.message().en.contains("at most 256 KB"),
        "{:?}",
        err.message()
    );
    // A lab this file format does not know is another lab's business: the page decides.
    assert_eq!(
        Scenario::<RingLab>::from_file("{\"lab\": \"nope\"}"),
        Err(ScenarioError::OtherLab("lab".into()))
    );
    // Well-formed JSON that breaks a rule: too many virtual nodes.
    let mut r = ring_lesson("ring-skew");
    r.setup.vnodes = 5000;
    let err = Scenario::<RingLab>::from_file(&r.to_file()).unwrap_err();
    assert!(
        err.message().en.contains("between 1 and 1000"),
        "{:?}",
        err.message()
    );
    // A question whose answer is not one of its choices.
    let mut r = ring_lesson("ring-skew");
    r.steps[2].question.as_mut().unwrap().answer = 7;
    assert!(matches!(
        Scenario::<RingLab>::from_file(&r.to_file()),
        Err(ScenarioError::Invalid(_))
    ));
}

#[test]
fn an_injected_fault_forks_the_run_and_the_script_continues() {
    let r = ring_lesson("ring-add-n4");
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
    let r = ring_lesson("ring-add-n4");
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
    let r = ring_lesson("ring-n1-dies");
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
    every_lesson(|s| {
        if s.lab() != "flow" {
            assert!(
                s.faults().contains(&FaultKind::Crash) && s.faults().contains(&FaultKind::Restart),
                "{}",
                s.id()
            );
        }
    });
}
