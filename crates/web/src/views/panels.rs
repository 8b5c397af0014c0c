//! The side panels: narration and questions, invariants, the fault toolbar, the share link, and
//! the message banner.

use distlab_core::kernel::{Fault, FaultKind, NodeStatus, Severity};
use distlab_core::scenario::Origin;
use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::player::{LabView, Msg, Player};

pub fn message<L: LabView>(player: &Player<L>, dispatch: &Callback<Msg<L>>) -> Html {
    let Some(message) = &player.message else {
        return html! {};
    };
    html! {
        <div data-testid="message" class="message" role="alert">
            <span class="icon" aria-hidden="true">{"⚠"}</span>
            <span>{ message.get(player.lang) }</span>
            <button class="dismiss" onclick={dispatch.reform(|_: MouseEvent| Msg::Notice(None))}>
                { tr(player.lang, "Dismiss", "关闭") }
            </button>
        </div>
    }
}

pub fn narration<L: LabView>(player: &Player<L>, dispatch: &Callback<Msg<L>>) -> Html {
    let lang = player.lang;
    let lab = &player.lab;
    let step = lab.step();
    let heading = match lab.origin(step) {
        None => tr(lang, "Before the first step", "开始之前").to_string(),
        Some(Origin::Script(_)) => trf(lang, format!("Step {step}"), format!("第 {step} 步")),
        Some(Origin::Injected(_)) => trf(
            lang,
            format!("Step {step}: your fault"),
            format!("第 {step} 步：你注入的操作"),
        ),
    };
    let body = match (lab.origin(step), lab.narration()) {
        (None, _) => {
            html! { <p>{ tr(lang, "Press → or Play to begin. Each step shows one event; the narration explains it.", "按 → 或“播放”开始。每一步发生一件事，旁白会解释它。") }</p> }
        }
        (Some(Origin::Script(_)), Some(text)) => html! { <p>{ text.get(lang) }</p> },
        _ => html! {
            <p class="forked">{ tr(lang, "You changed this run here. The narration of later steps describes the original run; the picture and the invariants show yours.", "你在这里改变了这次运行。后面各步的旁白描述的是原来的运行；图和不变式显示的是你的运行。") }</p>
        },
    };
    let reveal = lab.question_here().map(|(i, q)| {
        let chosen = player.answers.get(&i).copied();
        let verdict = match chosen {
            Some(c) if c == q.answer => tr(lang, "You predicted it.", "你预测对了。"),
            Some(_) => tr(lang, "Not what you predicted: see why above.", "和你的预测不同：原因见上文。"),
            None => "",
        };
        html! {
            <div class="reveal" data-testid="reveal">
                <div class="q">{ q.prompt.get(lang) }</div>
                <div class="a">{"✓ "}{ q.choices.get(q.answer).map(|c| c.get(lang)).unwrap_or_default() }</div>
                <div class="verdict">{ verdict }</div>
            </div>
        }
    });
    let ask = lab.question_ahead().map(|(i, q)| {
        let chosen = player.answers.get(&i).copied();
        html! {
            <div class="question" data-testid="question">
                <div class="predict">{ tr(lang, "Predict, then step on to see", "先预测，再前进一步看答案") }</div>
                <div class="q">{ q.prompt.get(lang) }</div>
                <div class="choices">
                    { for q.choices.iter().enumerate().map(|(c, choice)| {
                        let selected = chosen == Some(c);
                        html! {
                            <button data-testid={format!("choice-{c}")} class={classes!("choice", selected.then_some("selected"))}
                                aria-pressed={selected.to_string()}
                                onclick={dispatch.reform(move |_: MouseEvent| Msg::Answer { question: i, choice: c })}>
                                { choice.get(lang) }
                            </button>
                        }
                    }) }
                </div>
            </div>
        }
    });
    let events = lab.event_lines(lang);
    html! {
        <section class="panel narration-panel">
            <h2>{ heading }</h2>
            <div data-testid="narration" class="narration">{ body }</div>
            { for reveal }
            { for ask }
            if !events.is_empty() {
                <ul class="events" data-testid="events">
                    { for events.iter().map(|e| html! { <li>{ e }</li> }) }
                </ul>
            }
        </section>
    }
}

pub fn invariants<L: LabView>(player: &Player<L>, dispatch: &Callback<Msg<L>>) -> Html {
    let lang = player.lang;
    let active = player.lab.violations();
    html! {
        <section class="panel" data-testid="invariants">
            <h2>{ tr(lang, "Invariants", "不变式") }</h2>
            <ul class="invariants">
                { for player.lab.invariants().into_iter().map(|info| {
                    // Several messages can break one invariant; the earliest cause is the one to jump to.
                    let found: Vec<_> = active.iter().filter(|v| v.violation.invariant == info.id).collect();
                    let worst = found.iter().map(|v| v.violation.severity).min_by_key(|s| match s {
                        Severity::Error => 0,
                        Severity::Warning => 1,
                    });
                    let (state, icon, label) = match worst {
                        None => ("ok", "✓", tr(lang, "holds", "成立")),
                        Some(Severity::Error) => ("violated", "✗", tr(lang, "violated", "被违反")),
                        Some(Severity::Warning) => ("warning", "!", tr(lang, "warning", "警告")),
                    };
                    let since = found.iter().map(|v| v.since).min();
                    let onclick = since.map(|k| dispatch.reform(move |_: MouseEvent| Msg::Seek(k)));
                    // On the projector, one cause each, so that every invariant stays on screen.
                    let shown = if player.projector { 1 } else { 4 };
                    html! {
                        <li data-testid="invariant" data-invariant={info.id} data-state={state}
                            data-since={since.map(|s| s.to_string())} data-count={found.len().to_string()}
                            class={classes!("invariant", state)}>
                            <button class="inv-head" {onclick} disabled={since.is_none()}
                                title={since.map(|k| trf(lang, format!("Jump to step {k}, which caused it"), format!("跳到导致它的第 {k} 步")))}>
                                <span class="badge" aria-hidden="true">{ icon }</span>
                                <span class="name">{ info.name.get(lang) }</span>
                                <span class="state-label">{ label }</span>
                            </button>
                            { for found.iter().take(shown).map(|v| html! {
                                <div class="detail">
                                    { v.violation.detail.get(lang) }
                                    <span class="since">{ trf(lang, format!(" (since step {})", v.since), format!("（自第 {} 步起）", v.since)) }</span>
                                </div>
                            }) }
                            if found.len() > shown {
                                <div class="detail more">{ trf(lang, format!("and {} more", found.len() - shown), format!("另有 {} 条", found.len() - shown)) }</div>
                            }
                        </li>
                    }
                }) }
            </ul>
        </section>
    }
}

pub fn faults<L: LabView>(player: &Player<L>, dispatch: &Callback<Msg<L>>) -> Html {
    let lang = player.lang;
    let allowed = player.lab.faults();
    let crash = allowed.contains(&FaultKind::Crash);
    let restart = allowed.contains(&FaultKind::Restart);
    let step = player.lab.step();
    if allowed.is_empty() {
        return html! {
            <section class="panel" data-testid="fault-toolbar">
                <h2>{ tr(lang, "Inject a fault", "注入故障") }</h2>
                <p class="hint">{ tr(lang,
                    "This lesson has no node to crash; change its rates and settings with the lab's own controls.",
                    "这节课没有可以宕机的节点；请用实验自己的控件改变速率和设置。") }</p>
            </section>
        };
    }
    html! {
        <section class="panel" data-testid="fault-toolbar">
            <h2>{ tr(lang, "Inject a fault", "注入故障") }</h2>
            <p class="hint">{ trf(lang,
                format!("A fault injected now forks the run after step {step}; the rest of the lesson then plays on from there."),
                format!("现在注入故障，会在第 {step} 步之后分叉；课程的其余步骤随后在新的分支上继续。")) }</p>
            <div class="fault-buttons">
                { for player.lab.nodes().iter().enumerate().map(|(i, node)| {
                    let id = i as u8;
                    let down = node.status == NodeStatus::Down;
                    let name = node.name.clone();
                    html! {
                        <div class="fault-node">
                            <span class="node-name">{ &node.name }</span>
                            if crash {
                                <button data-testid={format!("fault-crash-{name}")} class="fault crash" disabled={down}
                                    onclick={dispatch.reform(move |_: MouseEvent| Msg::Fault(Fault::Crash { node: id }))}>
                                    { tr(lang, "Crash", "宕机") }
                                </button>
                            }
                            if restart {
                                <button data-testid={format!("fault-restart-{name}")} class="fault restart" disabled={!down}
                                    onclick={dispatch.reform(move |_: MouseEvent| Msg::Fault(Fault::Restart { node: id }))}>
                                    { tr(lang, "Restart", "重启") }
                                </button>
                            }
                        </div>
                    }
                }) }
            </div>
            if player.lab.injection_count() > 0 {
                <p class="hint">{ trf(lang,
                    format!("{} action(s) injected in this run. Pick the scenario again to undo them.", player.lab.injection_count()),
                    format!("这次运行中注入了 {} 个操作。重新选择场景即可撤销。", player.lab.injection_count())) }</p>
            }
        </section>
    }
}

/// The share link of the step on screen, `url`.
pub fn share(lang: distlab_core::Lang, url: &str) -> Html {
    let on_focus = Callback::from(|e: FocusEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        input.select();
    });
    html! {
        <section class="panel">
            <h2>{ tr(lang, "Share this step", "分享这一步") }</h2>
            <input data-testid="share-link" class="share" readonly=true value={url.to_string()} onfocus={on_focus}
                aria-label={tr(lang, "Share link", "分享链接")} />
            <p class="hint">{ tr(lang, "The link restores the lab, scenario, seed, your faults and this step.", "这个链接会恢复实验、场景、随机种子、你注入的故障和当前这一步。") }</p>
        </section>
    }
}
