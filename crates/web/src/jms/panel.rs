//! The JMS lab's controls. Every button injects an operation at the step on screen, so a student
//! can send, consume, acknowledge, commit, roll back, reconnect, or change a guarantee setting
//! mid-run and watch what follows.

use std::collections::BTreeMap;

use distlab_core::kernel::{NodeId, World};
use distlab_core::mq::jms::{AckMode, DestinationKind, JmsLab, JmsOp, MAX_PREFETCH};
use distlab_core::mq::message::{Body, DeliveryMode};
use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::player::Msg;

const MODES: [AckMode; 4] = [
    AckMode::Auto,
    AckMode::Client,
    AckMode::DupsOk,
    AckMode::Transacted,
];

fn send(producer: NodeId, destination: &str, mode: DeliveryMode) -> JmsOp {
    JmsOp::Send {
        producer,
        destination: destination.to_string(),
        delivery_mode: mode,
        priority: 4,
        group: None,
        key: None,
        properties: BTreeMap::new(),
        body: Body::Text("hello".to_string()),
        ttl: None,
        delay: None,
    }
}

fn button(
    dispatch: &Callback<Msg<JmsLab>>,
    testid: String,
    label: String,
    op: JmsOp,
    enabled: bool,
) -> Html {
    html! {
        <button data-testid={testid} disabled={!enabled} onclick={dispatch.reform(move |_: MouseEvent| Msg::Op(op.clone()))}>{ label }</button>
    }
}

pub fn controls(lang: Lang, world: &World<JmsLab>, dispatch: &Callback<Msg<JmsLab>>) -> Html {
    let lab = &world.protocol;
    let up = |n: NodeId| world.node(n).is_some_and(|s| s.is_up());
    let next = world.next_due().is_some();
    html! {
        <section class="panel jms-controls" data-testid="jms-controls">
            <h2>{ tr(lang, "Act on the run", "操作") }</h2>
            <p class="hint">{ tr(lang,
                "Each action forks the run at the step on screen; the lesson's remaining steps follow it.",
                "每个操作都会在当前这一步分叉；课程剩下的步骤接着在新分支上执行。") }</p>
            <div class="row">
                <button data-testid="advance" disabled={!next} onclick={dispatch.reform(|_: MouseEvent| Msg::Advance)}>
                    { tr(lang, "Deliver the next message", "投递下一条消息") }
                </button>
            </div>
            { for lab.producers.values().map(|p| {
                let node = p.spec.node;
                let name = lab.name(node).to_string();
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { for lab.setup.destinations.iter().flat_map(|d| {
                            let kind = if d.kind == DestinationKind::Queue { tr(lang, "queue", "队列") } else { tr(lang, "topic", "主题") };
                            [DeliveryMode::Persistent, DeliveryMode::NonPersistent].into_iter().map(move |mode| (d.name.clone(), kind, mode))
                        }).map(|(dest, kind, mode)| {
                            let what = if mode == DeliveryMode::Persistent { tr(lang, "persistent", "持久化") } else { tr(lang, "non-persistent", "非持久化") };
                            button(dispatch, format!("send-{name}-{dest}-{}", if mode == DeliveryMode::Persistent { "p" } else { "np" }),
                                trf(lang, format!("send {what} to {kind} {dest}"), format!("发送{what}消息到{kind} {dest}")),
                                send(node, &dest, mode), up(node))
                        }) }
                        if p.spec.transacted {
                            { button(dispatch, format!("commit-{name}"), tr(lang, "commit", "提交").into(), JmsOp::Commit { node }, up(node)) }
                            { button(dispatch, format!("rollback-{name}"), tr(lang, "roll back", "回滚").into(), JmsOp::Rollback { node }, up(node)) }
                        }
                    </div>
                }
            }) }
            { for lab.consumers.values().map(|k| {
                let node = k.spec.node;
                let name = lab.name(node).to_string();
                let running = up(node);
                let on_mode = dispatch.reform(move |e: Event| {
                    let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
                    let mode = MODES.iter().copied().find(|m| m.name() == select.value()).unwrap_or(AckMode::Auto);
                    Msg::Op(JmsOp::SetAckMode { consumer: node, mode })
                });
                let on_prefetch = dispatch.reform(move |e: Event| {
                    let input: web_sys::HtmlInputElement = e.target_unchecked_into();
                    match input.value().trim().parse::<u32>() {
                        Ok(prefetch) if (1..=MAX_PREFETCH).contains(&prefetch) => Msg::Op(JmsOp::SetPrefetch { consumer: node, prefetch }),
                        _ => Msg::Notice(Some(Text::new(
                            format!("Prefetch must be a whole number from 1 to {MAX_PREFETCH}."),
                            format!("预取数量必须是 1 到 {MAX_PREFETCH} 之间的整数。"),
                        ))),
                    }
                });
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { button(dispatch, format!("process-{name}"), tr(lang, "process next", "处理下一条").into(), JmsOp::Process { consumer: node }, running && !k.prefetched.is_empty()) }
                        { button(dispatch, format!("fail-{name}"), tr(lang, "next fails", "下一条处理失败").into(), JmsOp::Fail { consumer: node }, running && !k.prefetched.is_empty()) }
                        if k.spec.ack_mode == AckMode::Client {
                            { button(dispatch, format!("acknowledge-{name}"), tr(lang, "acknowledge()", "acknowledge()").into(), JmsOp::Acknowledge { consumer: node }, running) }
                        }
                        if k.spec.ack_mode == AckMode::Transacted {
                            { button(dispatch, format!("commit-{name}"), tr(lang, "commit", "提交").into(), JmsOp::Commit { node }, running) }
                            { button(dispatch, format!("rollback-{name}"), tr(lang, "roll back", "回滚").into(), JmsOp::Rollback { node }, running) }
                        }
                        if k.connected {
                            { button(dispatch, format!("disconnect-{name}"), tr(lang, "close session", "关闭会话").into(), JmsOp::Disconnect { consumer: node }, running) }
                        } else {
                            { button(dispatch, format!("connect-{name}"), tr(lang, "connect", "连接").into(), JmsOp::Connect { consumer: node }, running) }
                        }
                        <label class="setting">{ tr(lang, "ack mode", "签收模式") }
                            <select data-testid={format!("ack-mode-{name}")} onchange={on_mode}>
                                { for MODES.iter().map(|m| html! { <option value={m.name()} selected={*m == k.spec.ack_mode}>{ m.name() }</option> }) }
                            </select>
                        </label>
                        <label class="setting" title={tr(lang, "Fixed when a consumer is created: a new value closes the consumer and creates it again.", "预取在消费者创建时确定：改变它会关闭消费者并重新创建。")}>{ tr(lang, "prefetch", "预取") }
                            <input data-testid={format!("prefetch-{name}")} class="number" type="number" min="1" max={MAX_PREFETCH.to_string()}
                                value={k.spec.prefetch.to_string()} onchange={on_prefetch} />
                        </label>
                    </div>
                }
            }) }
        </section>
    }
}

/// Runs the lesson side by side under another setting of one consumer.
pub fn compare(
    lang: Lang,
    world: &World<JmsLab>,
    comparing: Option<&str>,
    dispatch: &Callback<Msg<JmsLab>>,
) -> Html {
    use crate::jms::JmsVariant;
    use crate::player::Variant;
    let lab = &world.protocol;
    let mut options: Vec<(String, String, JmsVariant)> = Vec::new();
    for k in lab.consumers.values() {
        let node = k.spec.node;
        let name = lab.name(node);
        for mode in MODES {
            if mode != k.spec.ack_mode {
                let v = JmsVariant::AckMode {
                    consumer: node,
                    mode,
                };
                options.push((v.key(), format!("{name}: {}", mode.name()), v));
            }
        }
        let on = !k.spec.idempotent;
        options.push((
            JmsVariant::Idempotent { consumer: node, on }.key(),
            trf(
                lang,
                format!(
                    "{name}: {} dedup table",
                    if on { "with a" } else { "without the" }
                ),
                format!("{name}：{}去重表", if on { "加上" } else { "去掉" }),
            ),
            JmsVariant::Idempotent { consumer: node, on },
        ));
        let prefetch = if k.spec.prefetch == 1 { 1000 } else { 1 };
        options.push((
            JmsVariant::Prefetch {
                consumer: node,
                prefetch,
            }
            .key(),
            trf(
                lang,
                format!("{name}: prefetch {prefetch}"),
                format!("{name}：预取 {prefetch}"),
            ),
            JmsVariant::Prefetch {
                consumer: node,
                prefetch,
            },
        ));
    }
    crate::views::compare::panel(lang, options, comparing, dispatch.reform(Msg::Compare))
}

#[derive(Properties, PartialEq)]
pub struct TesterProps {
    pub lang: Lang,
    pub world: crate::ring::Shared<World<JmsLab>>,
    pub dispatch: Callback<Msg<JmsLab>>,
}

/// Try a JMS message selector against the messages the broker holds: a syntax error is shown
/// where it is, and each message gets TRUE, FALSE or UNKNOWN (only TRUE selects it). A selector
/// that parses can then be applied to a consumer (which closes it and opens it again with the
/// selector, as in JMS), and a consumer's selector can be cleared.
#[function_component(SelectorTester)]
pub fn selector_tester(props: &TesterProps) -> Html {
    use distlab_core::mq::selector::{Selector, Truth};
    let lang = props.lang;
    let text = use_state(|| String::from("JMSPriority > 4 AND color = 'red'"));
    let oninput = {
        let text = text.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            text.set(input.value());
        })
    };
    let world = &props.world.0;
    let lab = &world.protocol;
    let parsed = Selector::parse(&text);
    let result = match &parsed {
        Err(e) => {
            // Point at the problem: the text before it, the part that is wrong, the rest.
            let start = e.offset.min(text.len());
            let end = e.end.clamp(start, text.len());
            let (before, wrong, after) =
                match (text.get(..start), text.get(start..end), text.get(end..)) {
                    (Some(a), Some(b), Some(c)) => (a.to_string(), b.to_string(), c.to_string()),
                    _ => (text.to_string(), String::new(), String::new()),
                };
            html! {
                <div class="selector-error" data-testid="selector-error" role="alert">
                    <code>{ before }<mark>{ if wrong.is_empty() { "␣".to_string() } else { wrong } }</mark>{ after }</code>
                    <div>{ e.message.get(lang) }</div>
                </div>
            }
        }
        Ok(selector) => {
            let held: Vec<_> = lab
                .broker
                .channels
                .iter()
                .flat_map(|c| c.messages.iter())
                .map(|h| &h.message)
                .collect();
            html! {
                <ul class="selector-results" data-testid="selector-results">
                    if held.is_empty() {
                        <li class="hint">{ tr(lang, "The broker holds no message right now.", "Broker 现在没有消息。") }</li>
                    }
                    { for held.iter().map(|m| {
                        let truth = selector.evaluate(*m);
                        let class = match truth { Truth::True => "true", Truth::False => "false", Truth::Unknown => "unknown" };
                        html! { <li class={class}><strong>{ &m.label }</strong>{ " → " }{ truth.label().get(lang) }</li> }
                    }) }
                </ul>
            }
        }
    };
    // An empty selector is no selector, as in JMS.
    let typed = text.trim();
    let applied = (!typed.is_empty()).then(|| typed.to_string());
    let apply = lab.consumers.values().map(|k| {
        let node = k.spec.node;
        let name = lab.name(node).to_string();
        let running = world.node(node).is_some_and(|s| s.is_up());
        let current = match &k.spec.selector {
            Some(sel) => html! { <code>{ sel.clone() }</code> },
            None => html! { <span class="muted">{ tr(lang, "none: every message", "无：接收所有消息") }</span> },
        };
        let set = JmsOp::SetSelector { consumer: node, selector: applied.clone() };
        let clear = JmsOp::SetSelector { consumer: node, selector: None };
        html! {
            <div class="row selector-apply">
                <strong>{ &name }</strong>
                <span class="current" data-testid={format!("selector-current-{name}")}>
                    { tr(lang, "selector: ", "选择器：") }{ current }
                </span>
                { button(&props.dispatch, format!("selector-apply-{name}"),
                    trf(lang, format!("apply to {name}"), format!("应用到 {name}")), set,
                    running && parsed.is_ok() && applied != k.spec.selector) }
                { button(&props.dispatch, format!("selector-clear-{name}"),
                    trf(lang, format!("clear {name}'s selector"), format!("清除 {name} 的选择器")), clear,
                    running && k.spec.selector.is_some()) }
            </div>
        }
    });
    html! {
        <section class="panel selector-tester">
            <h2>{ tr(lang, "Try a message selector", "试一试消息选择器") }</h2>
            <input data-testid="selector-input" class="selector" type="text" value={(*text).clone()} {oninput}
                aria-label={tr(lang, "JMS message selector", "JMS 消息选择器")} spellcheck="false" />
            { result }
            <p class="hint">{ tr(lang,
                "A consumer with this selector would receive only the messages marked TRUE; the others stay in the queue.",
                "使用这个选择器的消费者只会收到标为 TRUE 的消息，其余消息留在队列里。") }</p>
            { for apply }
            <p class="hint">{ tr(lang,
                "A JMS consumer's selector is fixed when it is created: applying one closes the consumer and opens it again, so what it had not acknowledged goes back to the broker first. Like every control, it forks the run.",
                "JMS 消费者的消息选择器在创建时就已确定：应用新的选择器会先关闭消费者再重新创建，它尚未签收的消息会先回到 Broker。和其他操作一样，这会让运行分叉。") }</p>
        </section>
    }
}
