//! "Find a counterexample": the explorer of the core, run from the page in slices so that the page
//! stays responsive, with its progress (states, depth, time, states per second), a stop button, and
//! the shortest violating trace loaded into the player as a lesson of its own.
//!
//! Generic over the lab: a lab's view supplies the lesson whose set-up is explored, the faults the
//! explorer may inject, and where to send the counterexample's scenario file.

use std::hash::Hash;
use std::rc::Rc;

use distlab_core::kernel::{Action, Bounds, Explorer, Outcome, Stats, Violation, World};
use distlab_core::scenario::{counterexample, Lab, Scenario};
use distlab_core::{Lang, Text};
use gloo::timers::callback::Timeout;
use yew::prelude::*;

use crate::i18n::{thousands, tr, trf};

/// How long one slice of the search may take before the page gets control back, in milliseconds.
const SLICE_MS: f64 = 25.0;

fn now_ms() -> f64 {
    web_sys::window()
        .and_then(|w| w.performance())
        .map_or(0.0, |p| p.now())
}

/// A fault the student may let the explorer inject.
#[derive(Clone, PartialEq)]
pub struct FaultChoice<Op> {
    pub label: Text,
    pub action: Action<Op>,
    /// Ticked when the panel opens.
    pub on: bool,
}

#[derive(Properties)]
pub struct ExplorerProps<L: Lab> {
    pub lang: Lang,
    /// The lesson whose starting state is explored.
    pub lesson: Rc<Scenario<L>>,
    pub faults: Vec<FaultChoice<L::Op>>,
    /// Opens a scenario file (the counterexample) in the player.
    pub on_load: Callback<String>,
}

impl<L: Lab> PartialEq for ExplorerProps<L> {
    fn eq(&self, other: &Self) -> bool {
        self.lang == other.lang
            && Rc::ptr_eq(&self.lesson, &other.lesson)
            && self.faults == other.faults
            && self.on_load == other.on_load
    }
}

/// Where a search stands, for the view.
#[derive(Clone, PartialEq)]
enum Status {
    Idle,
    Running,
    Stopped,
    Found {
        steps: usize,
        broken: Vec<Violation>,
    },
    NoneFound {
        depth_cut: bool,
        state_limit: bool,
        depth: usize,
    },
    Invalid(Text),
}

/// The search and the figures that go with it; kept outside Yew's state so a slice can mutate it.
struct Search<L: Lab>
where
    L: Hash,
    L::Msg: Hash,
    L::Timer: Hash,
{
    explorer: Explorer<World<L>>,
    elapsed_ms: f64,
}

#[function_component(ExplorerPanel)]
pub fn explorer_panel<L>(props: &ExplorerProps<L>) -> Html
where
    L: Lab + Hash + 'static,
    L::Msg: Hash,
    L::Timer: Hash,
    L::Op: PartialEq,
{
    let lang = props.lang;
    let depth = use_state(|| 12usize);
    let max_states = use_state(|| 100_000usize);
    let chosen = use_state(|| props.faults.iter().map(|f| f.on).collect::<Vec<bool>>());
    let status = use_state(|| Status::Idle);
    let stats = use_state(|| (Stats::default(), 0.0f64));
    let search = use_mut_ref(|| None::<Search<L>>);
    let found = use_mut_ref(|| None::<Vec<Action<L::Op>>>);
    let tick = use_state(|| 0u32);

    // A new lesson resets the panel.
    {
        let (status, search, chosen, faults, stats) = (
            status.clone(),
            search.clone(),
            chosen.clone(),
            props.faults.clone(),
            stats.clone(),
        );
        use_effect_with(props.lesson.id.clone(), move |_| {
            status.set(Status::Idle);
            stats.set((Stats::default(), 0.0));
            *search.borrow_mut() = None;
            chosen.set(faults.iter().map(|f| f.on).collect());
        });
    }

    // While running: one slice per timeout, so the page keeps painting and the stop button works.
    {
        let (status, stats, search, found, tick) = (
            status.clone(),
            stats.clone(),
            search.clone(),
            found.clone(),
            tick.clone(),
        );
        let running = *status == Status::Running;
        use_effect_with((running, *tick), move |(running, _)| {
            let timeout = running.then(|| {
                Timeout::new(0, move || {
                    let mut guard = search.borrow_mut();
                    let Some(s) = guard.as_mut() else {
                        status.set(Status::Idle);
                        return;
                    };
                    let start = now_ms();
                    let mut budget = 64;
                    loop {
                        let outcome = s.explorer.run(budget).clone();
                        if outcome != Outcome::Running || now_ms() - start > SLICE_MS {
                            break;
                        }
                        budget = (budget * 2).min(4096);
                    }
                    s.elapsed_ms += now_ms() - start;
                    let figures = s.explorer.stats();
                    stats.set((figures, s.elapsed_ms));
                    let outcome = s.explorer.outcome().clone();
                    if outcome != Outcome::Running {
                        // The search is over: free its states (a frontier can be large).
                        *guard = None;
                    }
                    match outcome {
                        Outcome::Running => tick.set(tick.wrapping_add(1)),
                        Outcome::Found { trace, violations } => {
                            status.set(Status::Found {
                                steps: trace.len(),
                                broken: violations,
                            });
                            *found.borrow_mut() = Some(trace);
                        }
                        Outcome::NoneFound {
                            depth_cut,
                            state_limit,
                        } => {
                            status.set(Status::NoneFound {
                                depth_cut,
                                state_limit,
                                depth: figures.depth,
                            });
                        }
                    }
                })
            });
            move || drop(timeout)
        });
    }

    let on_start = {
        let (status, stats, search, found, chosen, depth, max_states) = (
            status.clone(),
            stats.clone(),
            search.clone(),
            found.clone(),
            chosen.clone(),
            depth.clone(),
            max_states.clone(),
        );
        let lesson = props.lesson.clone();
        let faults = props.faults.clone();
        Callback::from(move |_: MouseEvent| {
            let world = match L::build(&lesson.setup, lesson.seed) {
                Ok(w) => w,
                Err(e) => {
                    status.set(Status::Invalid(e));
                    return;
                }
            };
            let bounds = Bounds {
                max_depth: *depth,
                max_states: *max_states,
                faults: faults
                    .iter()
                    .zip(chosen.iter())
                    .filter(|(_, on)| **on)
                    .map(|(f, _)| f.action.clone())
                    .collect(),
                max_faults: 1,
            };
            *found.borrow_mut() = None;
            *search.borrow_mut() = Some(Search {
                explorer: Explorer::new(world, bounds),
                elapsed_ms: 0.0,
            });
            stats.set((Stats::default(), 0.0));
            status.set(Status::Running);
        })
    };
    let on_stop = {
        let (status, search) = (status.clone(), search.clone());
        Callback::from(move |_: MouseEvent| {
            *search.borrow_mut() = None;
            status.set(Status::Stopped);
        })
    };
    let on_load = {
        let (found, lesson, on_load, status) = (
            found.clone(),
            props.lesson.clone(),
            props.on_load.clone(),
            status.clone(),
        );
        Callback::from(move |_: MouseEvent| {
            let Status::Found { broken, .. } = &*status else {
                return;
            };
            if let Some(trace) = found.borrow().as_ref() {
                let cx = counterexample(&lesson, trace, broken);
                on_load.emit(cx.to_file());
            }
        })
    };
    let on_depth = {
        let depth = depth.clone();
        Callback::from(move |e: yew::Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<usize>() {
                depth.set(v.clamp(1, 60));
            }
        })
    };
    let on_states = {
        let max_states = max_states.clone();
        Callback::from(move |e: yew::Event| {
            let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
            if let Ok(v) = select.value().parse::<usize>() {
                max_states.set(v.clamp(1_000, 300_000));
            }
        })
    };

    let running = *status == Status::Running;
    let (s, elapsed) = *stats;
    let rate = if elapsed > 0.0 {
        (s.states as f64 / (elapsed / 1000.0)) as u64
    } else {
        0
    };
    let progress = trf(
        lang,
        format!(
            "{} states, {} transitions, depth {}, {:.2} s, {} states/s",
            thousands(s.states as u64),
            thousands(s.transitions as u64),
            s.depth,
            elapsed / 1000.0,
            thousands(rate)
        ),
        format!(
            "{} 个状态，{} 次转移，深度 {}，{:.2} 秒，每秒 {} 个状态",
            thousands(s.states as u64),
            thousands(s.transitions as u64),
            s.depth,
            elapsed / 1000.0,
            thousands(rate)
        ),
    );
    let result = match &*status {
        Status::Idle => html! {},
        Status::Running => {
            html! { <p class="explorer-result running">{ tr(lang, "Searching…", "搜索中……") }</p> }
        }
        Status::Stopped => {
            html! { <p class="explorer-result">{ tr(lang, "Stopped. Nothing found so far.", "已停止。目前还没找到反例。") }</p> }
        }
        Status::Invalid(e) => {
            html! { <p class="explorer-result bad">{ e.get(lang).to_string() }</p> }
        }
        Status::Found { steps, broken } => html! {
            <div class="explorer-result bad" data-testid="explorer-found" data-steps={steps.to_string()}>
                <p><strong>{ trf(lang, format!("Counterexample found: {steps} steps."), format!("找到反例：{steps} 步。")) }</strong></p>
                <ul>{ for broken.iter().map(|v| html! { <li>{ v.detail.get(lang).to_string() }</li> }) }</ul>
                <button data-testid="explorer-load" class="primary" onclick={on_load}>{ tr(lang, "Step through it in the player", "在播放器中逐步查看") }</button>
            </div>
        },
        Status::NoneFound {
            depth_cut,
            state_limit,
            depth,
        } => {
            let text = match (depth_cut, state_limit) {
                (_, true) => trf(lang,
                    format!("No counterexample among the {} states explored; the state limit stopped the search at depth {depth}, so deeper paths were not checked.", thousands(s.states as u64)),
                    format!("在已探索的 {} 个状态中没有反例；状态上限让搜索停在深度 {depth}，更深的路径没有检查。", thousands(s.states as u64))),
                (true, false) => trf(lang,
                    format!("No counterexample: every interleaving of up to {depth} steps keeps the invariants (longer paths were cut at the depth bound)."),
                    format!("没有反例：所有长度不超过 {depth} 步的交错执行都满足不变式（更长的路径在深度上限处截断）。")),
                (false, false) => tr(lang,
                    "No counterexample: every reachable state keeps the invariants.",
                    "没有反例：每一个可达状态都满足不变式。").to_string(),
            };
            html! {
                <p class={classes!("explorer-result", if *state_limit { "warn" } else { "ok" })} data-testid="explorer-none"
                    data-depth-cut={depth_cut.to_string()} data-state-limit={state_limit.to_string()}>{ text }</p>
            }
        }
    };
    html! {
        <section class="panel explorer" data-testid="explorer">
            <h2>{ tr(lang, "Find a counterexample", "寻找反例") }</h2>
            <p class="hint">{ tr(lang,
                "The explorer tries every order of every message, timer and client step from this lesson's start, and the faults you tick (at most one per path), and stops at the first state that breaks an invariant: the shortest counterexample. It lets any message or timer wait as long as it likes: a message may arrive long after the link's usual latency, as on a congested network, and a client may be slow between two steps, as in a pause.",
                "探索器从本课的起点出发，尝试所有消息、定时器和客户端步骤的每一种顺序，以及你勾选的故障（每条路径至多一个），在第一个破坏不变式的状态停下：这就是最短的反例。它允许任何消息或定时器等待任意长的时间：消息可能比链路平常的延迟晚很久才到（如网络拥塞），客户端在两步之间也可能很慢（如暂停）。") }</p>
            <div class="row">
                <label class="setting">{ tr(lang, "depth bound", "深度上限") }
                    <input data-testid="explorer-depth" type="number" min="1" max="60" value={depth.to_string()} onchange={on_depth} disabled={running} />
                </label>
                <label class="setting">{ tr(lang, "state limit", "状态上限") }
                    <select onchange={on_states} disabled={running}>
                        { for [10_000usize, 100_000, 300_000].into_iter().map(|n| html! {
                            <option value={n.to_string()} selected={*max_states == n}>{ thousands(n as u64) }</option>
                        }) }
                    </select>
                </label>
            </div>
            <div class="row">
                { for props.faults.iter().enumerate().map(|(i, f)| {
                    let handle = chosen.clone();
                    let onchange = Callback::from(move |_: yew::Event| {
                        let mut next = (*handle).clone();
                        if let Some(c) = next.get_mut(i) {
                            *c = !*c;
                        }
                        handle.set(next);
                    });
                    html! {
                        <label class="check">
                            <input type="checkbox" data-testid={format!("explorer-fault-{i}")} checked={chosen.get(i).copied().unwrap_or(false)} {onchange} disabled={running} />
                            { f.label.get(lang).to_string() }
                        </label>
                    }
                }) }
            </div>
            <div class="row">
                if running {
                    <button data-testid="explorer-stop" onclick={on_stop}>{ tr(lang, "Stop", "停止") }</button>
                } else {
                    <button data-testid="explorer-run" class="primary" onclick={on_start}>{ tr(lang, "Find a counterexample", "寻找反例") }</button>
                }
                <span class="explorer-progress" data-testid="explorer-progress" data-states={s.states.to_string()}>{ progress }</span>
            </div>
            { result }
        </section>
    }
}
