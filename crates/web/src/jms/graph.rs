//! Producers, the broker and consumers as a graph. Messages on their way are dots on the links,
//! placed by how far they have travelled at the current virtual time; the broker shows what it
//! holds for each queue and subscription, each consumer its prefetch window.

use distlab_core::kernel::{NodeId, NodeStatus, World};
use distlab_core::mq::jms::{JmsLab, JmsMsg, Role};
use distlab_core::mq::ledger::EntryId;
use distlab_core::mq::message::Message;
use distlab_core::Lang;
use yew::prelude::*;

use super::consumer_settings;
use crate::i18n::{tr, trf};

const WIDTH: f64 = 1000.0;
const SIDE_W: f64 = 275.0;
const SIDE_H: f64 = 150.0;
const BROKER_X: f64 = 355.0;
const BROKER_W: f64 = 290.0;
const CHIP_W: f64 = 46.0;
const CHIP_H: f64 = 20.0;

struct Layout {
    height: f64,
    /// Top-left corner of each node's box.
    boxes: Vec<(f64, f64, f64, f64)>,
}

fn layout(lab: &JmsLab) -> Layout {
    let of = |role: Role| -> Vec<usize> {
        lab.setup
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == role)
            .map(|(i, _)| i)
            .collect()
    };
    let producers = of(Role::Producer);
    let consumers = of(Role::Consumer);
    let rows = producers.len().max(consumers.len()).max(2) as f64;
    let height = 40.0 + rows * (SIDE_H + 20.0);
    let mut boxes = vec![(0.0, 0.0, 0.0, 0.0); lab.setup.nodes.len()];
    let place = |list: &[usize], x: f64, boxes: &mut Vec<(f64, f64, f64, f64)>| {
        let gap = (height - list.len() as f64 * SIDE_H) / (list.len() as f64 + 1.0);
        for (k, &i) in list.iter().enumerate() {
            boxes[i] = (x, gap + k as f64 * (SIDE_H + gap), SIDE_W, SIDE_H);
        }
    };
    place(&producers, 20.0, &mut boxes);
    place(&consumers, WIDTH - 20.0 - SIDE_W, &mut boxes);
    for i in of(Role::Broker) {
        boxes[i] = (BROKER_X, 20.0, BROKER_W, height - 40.0);
    }
    Layout { height, boxes }
}

/// The point where a link leaves a node towards another.
fn anchor(l: &Layout, node: NodeId, towards: NodeId) -> (f64, f64) {
    let (x, y, w, h) = l.boxes.get(usize::from(node)).copied().unwrap_or_default();
    let (tx, _, _, _) = l
        .boxes
        .get(usize::from(towards))
        .copied()
        .unwrap_or_default();
    let cy = y + h / 2.0;
    if tx > x {
        (x + w, cy)
    } else {
        (x, cy)
    }
}

/// Two lines per pair of nodes, one per direction, a little apart.
fn lane(l: &Layout, from: NodeId, to: NodeId, lab: &JmsLab) -> ((f64, f64), (f64, f64)) {
    let broker = lab.broker.node;
    // Links end at the broker's edge level with the other node, so they run straight across.
    let (mut a, mut b) = (anchor(l, from, to), anchor(l, to, from));
    if from == broker {
        a.1 = b.1;
    } else if to == broker {
        b.1 = a.1;
    }
    let offset = if from < to { -7.0 } else { 7.0 };
    ((a.0, a.1 + offset), (b.0, b.1 + offset))
}

/// A chip wide enough for its label (at about 7.5 pixels a character).
pub(crate) fn chip_width(label: &str) -> f64 {
    (label.chars().count() as f64 * 7.5 + 14.0).max(CHIP_W)
}

pub(crate) fn chip(x: f64, y: f64, label: &str, class: &'static str, title: String) -> Html {
    message_chip(x, y, label, class, title, None)
}

/// What the graph needs to let a student pick a message for the inspector: the message picked
/// now, and where to send a new pick.
pub(crate) struct Pick<'a> {
    pub selected: Option<EntryId>,
    pub on_select: &'a Callback<EntryId>,
}

/// A chip that, given a message and a `Pick`, is a button (mouse or keyboard) that selects it.
fn message_chip(
    x: f64,
    y: f64,
    label: &str,
    class: &'static str,
    title: String,
    pick: Option<(EntryId, &Pick<'_>)>,
) -> Html {
    let w = chip_width(label);
    let shape = html! {
        <>
            <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{w:.1}")} height={CHIP_H.to_string()} rx="9" />
            <text x={format!("{:.1}", x + w / 2.0)} y={format!("{:.1}", y + 14.5)} text-anchor="middle">{ label.to_string() }</text>
            <title>{ title.clone() }</title>
        </>
    };
    let Some((entry, pick)) = pick else {
        return html! { <g class={classes!("chip", class)}>{ shape }</g> };
    };
    let selected = pick.selected == Some(entry);
    let onclick = pick.on_select.reform(move |_: MouseEvent| entry);
    let on_select = pick.on_select.clone();
    let onkeydown = Callback::from(move |e: KeyboardEvent| {
        if e.key() == "Enter" || e.key() == " " {
            e.prevent_default();
            on_select.emit(entry);
        }
    });
    // The label before the `→` of a dispatched chip names the message.
    let name = label.split('→').next().unwrap_or(label).to_string();
    html! {
        <g class={classes!("chip", "pickable", class, selected.then_some("selected"))} role="button" tabindex="0"
            data-testid={format!("chip-{name}")} aria-label={title} aria-pressed={selected.to_string()} {onclick} {onkeydown}>
            { shape }
        </g>
    }
}

/// Chips laid out left to right, wrapping at `width`; returns them and the height they take.
pub(crate) fn chips(
    x: f64,
    y: f64,
    width: f64,
    items: Vec<(String, &'static str, String)>,
) -> (Html, f64) {
    let items = items
        .into_iter()
        .map(|(label, class, title)| (label, class, title, None))
        .collect();
    message_chips(x, y, width, items, None)
}

/// `chips` for messages: each chip selects its message when there is a `Pick`.
fn message_chips(
    x: f64,
    y: f64,
    width: f64,
    items: Vec<(String, &'static str, String, Option<EntryId>)>,
    pick: Option<&Pick<'_>>,
) -> (Html, f64) {
    let (mut cx, mut cy) = (x, y);
    let mut placed = Vec::new();
    for (label, class, title, entry) in items {
        let w = chip_width(&label);
        if cx > x && cx + w > x + width {
            cx = x;
            cy += CHIP_H + 4.0;
        }
        placed.push(match entry.zip(pick) {
            Some(picked) => message_chip(cx, cy, &label, class, title, Some(picked)),
            None => chip(cx, cy, &label, class, title),
        });
        cx += w + 4.0;
    }
    (html! { <>{ for placed }</> }, cy - y + CHIP_H + 4.0)
}

fn message_title(lang: Lang, m: &Message) -> String {
    let mode = if m.is_persistent() {
        tr(lang, "persistent", "持久化")
    } else {
        tr(lang, "non-persistent", "非持久化")
    };
    let mut t = trf(
        lang,
        format!(
            "{} · {} · {} · priority {} · delivered {}×",
            m.message_id,
            m.body.kind(),
            mode,
            m.priority,
            m.delivery_count
        ),
        format!(
            "{} · {} · {} · 优先级 {} · 已投递 {} 次",
            m.message_id,
            m.body.kind(),
            mode,
            m.priority,
            m.delivery_count
        ),
    );
    if m.redelivered {
        t.push_str(" · JMSRedelivered");
    }
    for (k, v) in &m.properties {
        t.push_str(&format!(" · {k}={v:?}"));
    }
    t
}

pub(crate) fn status_label(lang: Lang, status: NodeStatus) -> (&'static str, &'static str) {
    match status {
        NodeStatus::Up => (tr(lang, "up", "运行中"), "up"),
        NodeStatus::Down => (tr(lang, "✗ down", "✗ 宕机"), "down"),
        NodeStatus::Paused { .. } => (tr(lang, "paused", "暂停"), "paused"),
    }
}

pub fn graph(lang: Lang, world: &World<JmsLab>, pick: Option<&Pick<'_>>) -> Html {
    let lab = &world.protocol;
    let l = layout(lab);
    let broker = lab.broker.node;
    let now = world.now;
    let others: Vec<NodeId> = (0..lab.setup.nodes.len() as NodeId)
        .filter(|&n| n != broker)
        .collect();
    html! {
        <figure class="jms-graph">
            <svg data-testid="jms-graph" viewBox={format!("0 0 {WIDTH} {:.0}", l.height)} role="img"
                aria-label={tr(lang, "Producers, broker and consumers", "生产者、Broker 与消费者")}>
                { for others.iter().flat_map(|&n| [(n, broker), (broker, n)]).map(|(a, b)| {
                    let ((x1, y1), (x2, y2)) = lane(&l, a, b, lab);
                    html! { <line class="link" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} /> }
                }) }
                { for lab.setup.nodes.iter().enumerate().map(|(i, spec)| {
                    let node = i as NodeId;
                    let (x, y, w, h) = l.boxes[i];
                    let status = world.node(node).map_or(NodeStatus::Down, |s| s.status);
                    let (label, class) = status_label(lang, status);
                    let role = match spec.role {
                        Role::Producer => tr(lang, "producer", "生产者"),
                        Role::Broker => tr(lang, "broker", "Broker"),
                        Role::Consumer => tr(lang, "consumer", "消费者"),
                    };
                    let body = match spec.role {
                        Role::Producer => producer_body(lang, lab, node, x, y, pick),
                        Role::Consumer => consumer_body(lang, lab, node, x, y, pick),
                        Role::Broker => broker_body(lang, lab, x, y, w, pick),
                    };
                    html! {
                        <g class={classes!("node", class)} data-node={spec.name.clone()}>
                            <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{w:.1}")} height={format!("{h:.1}")} rx="10" />
                            <text class="node-title" x={format!("{:.1}", x + 10.0)} y={format!("{:.1}", y + 22.0)}>{ format!("{} · {role}", spec.name) }</text>
                            <text class={classes!("node-status", class)} x={format!("{:.1}", x + w - 10.0)} y={format!("{:.1}", y + 22.0)} text-anchor="end">{ label }</text>
                            { body }
                        </g>
                    }
                }) }
                { for world.net.in_flight.iter().map(|env| {
                    let ((x1, y1), (x2, y2)) = lane(&l, env.from, env.to, lab);
                    let span = env.deliver_at.saturating_sub(env.sent_at).max(1) as f64;
                    let f = (now.saturating_sub(env.sent_at) as f64 / span).clamp(0.0, 1.0) * 0.8 + 0.1;
                    let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
                    let text = short(&env.msg, lab);
                    // A packet that carries one message selects it, like a chip.
                    let carried = match &env.msg {
                        JmsMsg::Dispatch { message } => Some(message.entry),
                        JmsMsg::Send { messages, .. } if messages.len() == 1 => messages.first().map(|m| m.entry),
                        _ => None,
                    };
                    let onclick = carried.zip(pick).map(|(entry, p)| p.on_select.reform(move |_: MouseEvent| entry));
                    let picked = carried.is_some() && carried == pick.and_then(|p| p.selected);
                    html! {
                        <g key={env.id} class={classes!("packet", kind_class(&env.msg), onclick.is_some().then_some("pickable"), picked.then_some("selected"))}
                            data-testid="packet" {onclick}>
                            <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="7" />
                            <text x={format!("{x:.1}")} y={format!("{:.1}", y - 11.0)} text-anchor="middle">{ text }</text>
                            <title>{ super::summary(lang, &env.msg, lab) }</title>
                        </g>
                    }
                }) }
            </svg>
            <figcaption>{ tr(lang,
                "Dots on the links are messages on their way (amber). On the broker: green chips are in the persistent store, grey ones only in memory, amber ones are out with a consumer awaiting its acknowledgement.",
                "链路上的圆点是正在传输的消息（黄色）。Broker 中：绿色表示已写入持久化存储，灰色表示只在内存中，黄色表示已投递给消费者、正在等待确认。") }</figcaption>
        </figure>
    }
}

fn kind_class(msg: &JmsMsg) -> &'static str {
    match msg {
        JmsMsg::Send { .. } | JmsMsg::Dispatch { .. } => "data",
        JmsMsg::Receipt { .. } | JmsMsg::Ack { .. } | JmsMsg::Redeliver { .. } => "control",
    }
}

/// The label drawn next to a packet.
fn short(msg: &JmsMsg, lab: &JmsLab) -> String {
    let name = |e: &u32| {
        lab.ledger
            .get(*e)
            .map_or_else(|| "?".to_string(), |j| j.label.clone())
    };
    match msg {
        JmsMsg::Send { messages, .. } => messages
            .iter()
            .map(|m| m.label.clone())
            .collect::<Vec<_>>()
            .join(","),
        JmsMsg::Dispatch { message } => message.label.clone(),
        JmsMsg::Receipt { entries } => format!(
            "✓{}",
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
        JmsMsg::Ack { entries } => format!(
            "ack {}",
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
        JmsMsg::Redeliver { entries } => format!(
            "↺{}",
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
    }
}

pub(crate) fn line(x: f64, y: f64, class: &'static str, text: String) -> Html {
    html! { <text class={class} x={format!("{x:.1}")} y={format!("{y:.1}")}>{ text }</text> }
}

fn producer_body(
    lang: Lang,
    lab: &JmsLab,
    node: NodeId,
    x: f64,
    y: f64,
    pick: Option<&Pick<'_>>,
) -> Html {
    let Some(p) = lab.producers.get(&node) else {
        return html! {};
    };
    let mode = if p.spec.transacted {
        tr(lang, "transacted session", "事务性会话")
    } else {
        tr(lang, "non-transacted", "非事务性")
    };
    let buffered = p
        .uncommitted
        .iter()
        .map(|m| {
            (
                m.label.clone(),
                "buffered",
                message_title(lang, m),
                Some(m.entry),
            )
        })
        .collect();
    let waiting = p
        .awaiting_receipt
        .iter()
        .filter_map(|&e| lab.ledger.get(e))
        .map(|j| {
            (
                j.label.clone(),
                "waiting",
                tr(
                    lang,
                    "waiting for the broker's receipt",
                    "等待 Broker 的回执",
                )
                .to_string(),
                Some(j.id),
            )
        })
        .collect();
    let (buffered_html, h1) = message_chips(x + 10.0, y + 58.0, SIDE_W - 20.0, buffered, pick);
    let (waiting_html, _) = message_chips(x + 10.0, y + 78.0 + h1, SIDE_W - 20.0, waiting, pick);
    html! {
        <>
            { line(x + 10.0, y + 42.0, "node-line", format!("{mode} · {}", tr(lang, "uncommitted:", "未提交："))) }
            { buffered_html }
            { line(x + 10.0, y + 72.0 + h1, "node-line", tr(lang, "awaiting receipt:", "等待回执：").to_string()) }
            { waiting_html }
        </>
    }
}

fn consumer_body(
    lang: Lang,
    lab: &JmsLab,
    node: NodeId,
    x: f64,
    y: f64,
    pick: Option<&Pick<'_>>,
) -> Html {
    let Some(k) = lab.consumers.get(&node) else {
        return html! {};
    };
    let connection = if k.connected {
        tr(lang, "connected", "已连接")
    } else {
        tr(lang, "disconnected", "未连接")
    };
    let prefetched = k
        .prefetched
        .iter()
        .map(|m| {
            (
                m.label.clone(),
                if m.redelivered {
                    "redelivered"
                } else {
                    "prefetched"
                },
                message_title(lang, m),
                Some(m.entry),
            )
        })
        .collect();
    let unacked = k
        .unacked
        .iter()
        .map(|m| {
            (
                m.label.clone(),
                "unacked",
                message_title(lang, m),
                Some(m.entry),
            )
        })
        .collect();
    // The selector on a line of its own, shortened to the box's width (in full on hover).
    let selector = k.spec.selector.as_ref().map(|sel| {
        let short: String = if sel.chars().count() > 34 {
            sel.chars().take(33).chain(['…']).collect()
        } else {
            sel.clone()
        };
        let label = trf(
            lang,
            format!("selector: {short}"),
            format!("选择器：{short}"),
        );
        html! {
            <text class="node-line small selector" x={format!("{:.1}", x + 10.0)} y={format!("{:.1}", y + 68.0)}
                data-testid={format!("consumer-selector-{}", lab.name(node))}>
                { label }
                <title>{ sel.clone() }</title>
            </text>
        }
    });
    let y = if selector.is_some() { y + 14.0 } else { y };
    let (pre_html, h1) = message_chips(x + 10.0, y + 72.0, SIDE_W - 20.0, prefetched, pick);
    let (un_html, _) = message_chips(x + 10.0, y + 92.0 + h1, SIDE_W - 20.0, unacked, pick);
    let top = if selector.is_some() { y - 14.0 } else { y };
    html! {
        <>
            { line(x + 10.0, top + 40.0, "node-line small", format!("{} · {connection}", k.spec.destination)) }
            { line(x + 10.0, top + 54.0, "node-line small", consumer_settings(lang, lab, node)) }
            { selector.unwrap_or_default() }
            { line(x + 10.0, y + 68.0, "node-line", tr(lang, "prefetched:", "已预取：").to_string()) }
            { pre_html }
            { line(x + 10.0, y + 88.0 + h1, "node-line", tr(lang, "consumed, not acknowledged:", "已消费、未确认：").to_string()) }
            { un_html }
        </>
    }
}

fn broker_body(lang: Lang, lab: &JmsLab, x: f64, y: f64, w: f64, pick: Option<&Pick<'_>>) -> Html {
    let mut top = y + 44.0;
    let mut parts = Vec::new();
    for channel in &lab.broker.channels {
        let title = match channel.subscriber {
            None => trf(
                lang,
                format!("queue {}", channel.destination),
                format!("队列 {}", channel.destination),
            ),
            Some((c, true)) => trf(
                lang,
                format!(
                    "topic {} · durable subscription of {}",
                    channel.destination,
                    lab.name(c)
                ),
                format!("主题 {} · {} 的持久订阅", channel.destination, lab.name(c)),
            ),
            Some((c, false)) => trf(
                lang,
                format!(
                    "topic {} · subscription of {}",
                    channel.destination,
                    lab.name(c)
                ),
                format!(
                    "主题 {} · {} 的非持久订阅",
                    channel.destination,
                    lab.name(c)
                ),
            ),
        };
        parts.push(line(x + 10.0, top, "node-line", title));
        let items = channel
            .messages
            .iter()
            .map(|h| {
                let class = match (h.dispatched_to, h.message.is_persistent()) {
                    (Some(_), _) => "dispatched",
                    (None, true) => "stored",
                    (None, false) => "memory",
                };
                let label = match h.dispatched_to {
                    Some(c) => format!("{}→{}", h.message.label, lab.name(c)),
                    None => h.message.label.clone(),
                };
                (
                    label,
                    class,
                    message_title(lang, &h.message),
                    Some(h.message.entry),
                )
            })
            .collect::<Vec<_>>();
        let empty = items.is_empty();
        let (html, h) = message_chips(x + 10.0, top + 6.0, w - 20.0, items, pick);
        parts.push(if empty {
            line(
                x + 14.0,
                top + 20.0,
                "node-line muted",
                tr(lang, "(empty)", "（空）").to_string(),
            )
        } else {
            html
        });
        top += 20.0 + h;
    }
    parts.push(line(
        x + 10.0,
        top,
        "node-line",
        format!(
            "{} ({})",
            distlab_core::mq::jms::DEAD_LETTER_QUEUE,
            tr(lang, "dead-letter queue", "死信队列")
        ),
    ));
    let dead = lab
        .broker
        .dead_letters
        .iter()
        .map(|m| {
            (
                m.label.clone(),
                "dead",
                message_title(lang, m),
                Some(m.entry),
            )
        })
        .collect::<Vec<_>>();
    let empty = dead.is_empty();
    let (html, _) = message_chips(x + 10.0, top + 6.0, w - 20.0, dead, pick);
    parts.push(if empty {
        line(
            x + 14.0,
            top + 20.0,
            "node-line muted",
            tr(lang, "(empty)", "（空）").to_string(),
        )
    } else {
        html
    });
    html! { <>{ for parts }</> }
}
