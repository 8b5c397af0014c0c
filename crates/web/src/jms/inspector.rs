//! The message inspector: a student clicks a message (a chip in the graph, a packet on a link, a
//! row of the ledger) and reads every JMS header, every property and the body, as the message is
//! at the step on screen. The selection follows the message from step to step by its ledger entry;
//! at a step where no copy of it exists (not sent yet, or acknowledged and gone), the panel says so.

use distlab_core::kernel::{NodeId, World};
use distlab_core::mq::jms::{JmsLab, JmsMsg};
use distlab_core::mq::ledger::EntryId;
use distlab_core::mq::message::{Body, DeliveryMode, Message};
use distlab_core::mq::selector::Value;
use distlab_core::{Lang, Text};
use yew::prelude::*;

use super::graph::{self, Pick};
use super::ledger;
use crate::i18n::{tr, trf};
use crate::ring::Shared;

/// The other side of a side-by-side comparison.
#[derive(Clone, PartialEq)]
pub struct OtherSide {
    /// The setting that differs, in words.
    pub label: Text,
    pub world: Shared<World<JmsLab>>,
    pub summary: Html,
    /// The messages the step on screen moved in this run.
    pub changed: std::rc::Rc<[EntryId]>,
}

#[derive(Properties, PartialEq)]
pub struct SceneProps {
    pub lang: Lang,
    pub world: Shared<World<JmsLab>>,
    /// The messages the step on screen moved.
    pub changed: std::rc::Rc<[EntryId]>,
    /// The main run's broken invariants, shown under its side when comparing.
    pub summary: Html,
    pub other: Option<OtherSide>,
}

/// The graph and the ledger (of one run, or two side by side) with the inspector under them. The
/// selected message is this component's own state: it is a way of looking, not part of the run.
#[function_component(Scene)]
pub fn scene(props: &SceneProps) -> Html {
    let lang = props.lang;
    let selected = use_state(|| None::<EntryId>);
    let on_select = {
        let selected = selected.clone();
        Callback::from(move |entry: EntryId| selected.set(Some(entry)))
    };
    let on_clear = {
        let selected = selected.clone();
        Callback::from(move |_: MouseEvent| selected.set(None))
    };
    let pick = Pick {
        selected: *selected,
        on_select: &on_select,
    };
    let side = |world: &World<JmsLab>, changed: &[EntryId]| {
        let lab = &world.protocol;
        html! {
            <>
                { graph::graph(lang, world, Some(&pick), changed) }
                { ledger::ledger_with(lang, &lab.ledger, &|n| lab.name(n).to_string(), Some((*selected, &on_select))) }
            </>
        }
    };
    let world = &props.world.0;
    html! {
        <>
            if let Some(other) = &props.other {
                { crate::views::compare::side_by_side(lang, &other.label,
                    html! { <>{ side(world, &props.changed) }{ props.summary.clone() }</> },
                    html! { <>{ side(&other.world.0, &other.changed) }{ other.summary.clone() }</> }) }
            } else {
                { side(world, &props.changed) }
            }
            { inspector(lang, world, *selected, on_clear) }
        </>
    }
}

/// A copy of the message somewhere in the world, and where it is, in words.
fn copies(world: &World<JmsLab>, entry: EntryId) -> Vec<(Text, &Message)> {
    let lab = &world.protocol;
    let name = |n: NodeId| lab.name(n).to_string();
    let mut out = Vec::new();
    // The copy nearest the application first: its headers are the ones a consumer would read.
    for k in lab.consumers.values() {
        let c = name(k.spec.node);
        for m in k.prefetched.iter().filter(|m| m.entry == entry) {
            out.push((
                Text::new(format!("prefetched by {c}"), format!("{c} 已预取")),
                m,
            ));
        }
        for m in k.unacked.iter().filter(|m| m.entry == entry) {
            out.push((
                Text::new(
                    format!("consumed by {c}, not acknowledged"),
                    format!("{c} 已消费、未签收"),
                ),
                m,
            ));
        }
    }
    for env in &world.net.in_flight {
        if let JmsMsg::Dispatch { message } = &env.msg {
            if message.entry == entry {
                let c = name(env.to);
                out.push((
                    Text::new(
                        format!("on its way from the broker to {c}"),
                        format!("正在从 Broker 发往 {c}"),
                    ),
                    message,
                ));
            }
        }
    }
    for channel in &lab.broker.channels {
        for h in channel.messages.iter().filter(|h| h.message.entry == entry) {
            let d = &channel.destination;
            let mut at = match channel.subscriber {
                None => Text::new(
                    format!("held by the broker in queue {d}"),
                    format!("Broker 在队列 {d} 中保存"),
                ),
                Some((c, _)) => Text::new(
                    format!("held by the broker for {}'s subscription to {d}", name(c)),
                    format!("Broker 为 {} 对主题 {d} 的订阅保存", name(c)),
                ),
            };
            if let Some(c) = h.dispatched_to {
                at.en
                    .push_str(&format!(", sent to {} and awaiting its ack", name(c)));
                at.zh.push_str(&format!("，已分发给 {}、等待签收", name(c)));
            }
            out.push((at, &h.message));
        }
    }
    for env in &world.net.in_flight {
        if let JmsMsg::Send { messages, .. } = &env.msg {
            for m in messages.iter().filter(|m| m.entry == entry) {
                let p = name(env.from);
                out.push((
                    Text::new(
                        format!("on its way from {p} to the broker"),
                        format!("正在从 {p} 发往 Broker"),
                    ),
                    m,
                ));
            }
        }
    }
    for p in lab.producers.values() {
        for m in p.uncommitted.iter().filter(|m| m.entry == entry) {
            let n = name(p.spec.node);
            out.push((
                Text::new(
                    format!("sent in {n}'s open transaction, not committed"),
                    format!("已在 {n} 尚未提交的事务中发出"),
                ),
                m,
            ));
        }
    }
    for (producer, (_, held)) in &lab.broker.transactions {
        for m in held.iter().filter(|m| m.entry == entry) {
            let n = name(*producer);
            out.push((
                Text::new(
                    format!("held by the broker in {n}'s transaction, invisible until the commit"),
                    format!("Broker 在 {n} 的事务中保存着它，提交前不可见"),
                ),
                m,
            ));
        }
    }
    for m in lab.broker.dead_letters.iter().filter(|m| m.entry == entry) {
        out.push((Text::new("in the dead-letter queue", "在死信队列中"), m));
    }
    out
}

fn value_text(lang: Lang, v: &Value) -> (String, &'static str) {
    match v {
        Value::Bool(b) => (b.to_string(), "boolean"),
        Value::Long(n) => (n.to_string(), "long"),
        Value::Double(x) => (x.to_string(), "double"),
        Value::Str(s) => (format!("'{s}'"), tr(lang, "String", "String")),
    }
}

fn none(lang: Lang) -> String {
    tr(lang, "(not set)", "（未设置）").to_string()
}

/// One row of the header table: the JMS name, what it means, and its value.
fn row(lang: Lang, field: &str, meaning: (&'static str, &'static str), value: String) -> Html {
    html! {
        <tr data-field={field.to_string()}>
            <th scope="row"><code>{ field.to_string() }</code><span class="meaning">{ tr(lang, meaning.0, meaning.1) }</span></th>
            <td>{ value }</td>
        </tr>
    }
}

fn headers(lang: Lang, m: &Message) -> Html {
    let time = |t: u64| trf(lang, format!("{t} ms"), format!("{t} 毫秒"));
    let mode = match m.delivery_mode {
        DeliveryMode::Persistent => format!("PERSISTENT ({})", tr(lang, "persistent", "持久化")),
        DeliveryMode::NonPersistent => {
            format!(
                "NON_PERSISTENT ({})",
                tr(lang, "non-persistent", "非持久化")
            )
        }
    };
    let expiration = match m.expiration {
        Some(t) => time(t),
        None => format!("0 ({})", tr(lang, "never expires", "永不过期")),
    };
    html! {
        <>
            <tr class="section"><th colspan="2">{ tr(lang, "Headers", "消息头") }</th></tr>
            <tr data-field="JMSMessageID">
                <th scope="row"><code>{ "JMSMessageID" }</code><span class="meaning">{ tr(lang, "unique ID of the message", "消息的唯一标识") }</span></th>
                <td data-testid="inspector-message-id">{ m.message_id.clone() }</td>
            </tr>
            { row(lang, "JMSDestination", ("queue or topic it was sent to", "发往的队列或主题"), m.destination.clone()) }
            { row(lang, "JMSTimestamp", ("when the producer sent it (virtual time)", "生产者发送的时间（虚拟时间）"), time(m.timestamp)) }
            { row(lang, "JMSDeliveryMode", ("written to the store before the broker answers?", "Broker 回执前是否写入持久化存储"), mode) }
            { row(lang, "JMSPriority", ("0 lowest to 9 highest, 4 by default", "0 最低、9 最高，默认 4"), m.priority.to_string()) }
            { row(lang, "JMSExpiration", ("when it expires; 0 means never", "过期时间；0 表示永不过期"), expiration) }
            { row(lang, "JMSRedelivered", ("it may have been delivered before", "此前可能已经投递过"), m.redelivered.to_string()) }
            { row(lang, "JMSXDeliveryCount", ("deliveries so far", "到目前为止的投递次数"), m.delivery_count.to_string()) }
            { row(lang, "JMSCorrelationID", ("ties a reply to its request", "把应答与请求关联起来"), m.correlation_id.clone().unwrap_or_else(|| none(lang))) }
            { row(lang, "JMSType", ("a type name the application chose", "应用程序自定的消息类型"), m.jms_type.clone().unwrap_or_else(|| none(lang))) }
            { row(lang, "JMSXGroupID", ("message group: one consumer gets the whole group", "消息组：同一组的消息都交给同一个消费者"), m.group.clone().unwrap_or_else(|| none(lang))) }
            if let Some(t) = m.deliver_after {
                { row(lang, "AMQ_SCHEDULED_DELAY", ("not delivered before", "在此之前不会投递"), time(t)) }
            }
            <tr class="section"><th colspan="2">{ tr(lang, "Properties", "属性") }</th></tr>
            if m.properties.is_empty() {
                <tr class="muted"><td colspan="2">{ tr(lang, "(no application properties)", "（没有应用属性）") }</td></tr>
            }
            { for m.properties.iter().map(|(k, v)| {
                let (text, kind) = value_text(lang, v);
                html! {
                    <tr data-field={k.clone()}>
                        <th scope="row"><code>{ k.clone() }</code><span class="meaning">{ kind }</span></th>
                        <td>{ text }</td>
                    </tr>
                }
            }) }
        </>
    }
}

/// Name and value pairs as table rows (a map body, an object's fields).
fn pairs<'a>(lang: Lang, items: impl Iterator<Item = (&'a String, &'a Value)>) -> Html {
    html! {
        <table class="body-pairs">
            { for items.map(|(k, v)| {
                let (text, kind) = value_text(lang, v);
                html! { <tr><th scope="row"><code>{ k.clone() }</code><span class="meaning">{ kind }</span></th><td>{ text }</td></tr> }
            }) }
        </table>
    }
}

fn body(lang: Lang, b: &Body) -> Html {
    let content = match b {
        Body::Text(t) => html! { <pre class="body-text">{ t.clone() }</pre> },
        Body::Map(map) if map.is_empty() => {
            html! { <p class="muted">{ tr(lang, "(empty map)", "（空的键值对）") }</p> }
        }
        Body::Map(map) => pairs(lang, map.iter()),
        Body::Bytes(bytes) => {
            let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
            html! {
                <p class="body-bytes">
                    <span class="meaning">{ trf(lang, format!("{} bytes:", bytes.len()), format!("{} 个字节：", bytes.len())) }</span>
                    <code>{ hex.join(" ") }</code>
                </p>
            }
        }
        Body::Stream(values) => html! {
            <ol class="body-stream">
                { for values.iter().map(|v| {
                    let (text, kind) = value_text(lang, v);
                    html! { <li>{ text }<span class="meaning">{ kind }</span></li> }
                }) }
            </ol>
        },
        Body::Object { class, fields } => html! {
            <>
                <p>{ tr(lang, "class ", "类 ") }<code>{ class.clone() }</code></p>
                { pairs(lang, fields.iter()) }
            </>
        },
    };
    html! {
        <div class="inspector-body">
            <h3>
                { tr(lang, "Body", "消息体") }{ ": " }
                <code data-testid="inspector-body-kind">{ b.kind() }</code>
                <span class="meaning">{ format!(" · {}", b.describe().get(lang)) }</span>
            </h3>
            { content }
        </div>
    }
}

/// The inspector panel for the selected message, at the step on screen.
pub fn inspector(
    lang: Lang,
    world: &World<JmsLab>,
    selected: Option<EntryId>,
    on_clear: Callback<MouseEvent>,
) -> Html {
    let lab = &world.protocol;
    let content = match selected {
        None => html! {
            <p class="hint" data-testid="inspector-hint">{ tr(lang, "Click a message to inspect it.", "点击一条消息查看详情。") }</p>
        },
        Some(entry) => match lab.ledger.get(entry) {
            None => html! {
                <p class="hint" data-testid="inspector-missing">{ tr(lang,
                    "The selected message does not exist yet at this step: step forward to see it sent.",
                    "在这一步，所选消息还不存在：往后走几步就能看到它被发送。") }</p>
            },
            Some(journey) => {
                let found = copies(world, entry);
                let place = match journey.holder {
                    Some(n) => format!(
                        "{} ({})",
                        journey.place.name_in(lab.ledger.acks).get(lang),
                        lab.name(n)
                    ),
                    None => journey.place.name_in(lab.ledger.acks).get(lang).to_string(),
                };
                let head = html! {
                    <p class="inspector-where">
                        <strong>{ journey.label.clone() }</strong>
                        { trf(lang, format!(" · in the ledger: {place}"), format!(" · 账本中的位置：{place}")) }
                    </p>
                };
                match found.first() {
                    None => html! {
                        <>
                            { head }
                            <p class="hint" data-testid="inspector-missing">{ trf(lang,
                                format!("No copy of {} exists at this step, so it has no headers to show. Step back to see it.", journey.label),
                                format!("在这一步，{} 已经没有任何副本，因此没有消息头可看。往回走几步就能看到它。", journey.label)) }</p>
                        </>
                    },
                    Some((_, message)) => html! {
                        <>
                            { head }
                            <ul class="inspector-copies">
                                { for found.iter().map(|(at, _)| html! { <li>{ at.get(lang).to_string() }</li> }) }
                            </ul>
                            <table class="inspector-table">
                                <thead><tr>
                                    <th scope="col">{ tr(lang, "field", "字段") }</th>
                                    <th scope="col">{ tr(lang, "value", "值") }</th>
                                </tr></thead>
                                <tbody>{ headers(lang, message) }</tbody>
                            </table>
                            { body(lang, &message.body) }
                        </>
                    },
                }
            }
        },
    };
    html! {
        <section class="panel message-inspector" data-testid="message-inspector" aria-live="polite">
            <h2>
                { tr(lang, "Message inspector", "消息查看器") }
                if selected.is_some() {
                    <button class="inspector-clear" data-testid="inspector-clear" onclick={on_clear}>{ tr(lang, "✕ close", "✕ 关闭") }</button>
                }
            </h2>
            { content }
        </section>
    }
}
