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

use crate::diagram::{self, n1, Chip, Stack, PAD, SMALL};

/// The graph's width in viewBox units: about the CSS pixels its stage has on a 1280×720 projector,
/// so that the type sizes of [`crate::diagram`] are about what the class sees.
const WIDTH: f64 = 840.0;
const MARGIN: f64 = 10.0;
/// Producers and consumers: a consumer's settings are the longest lines of the graph.
const PRODUCER_W: f64 = 200.0;
const CONSUMER_W: f64 = 250.0;
const BROKER_W: f64 = 230.0;
/// The length of a link: room for a message on its way and its label.
const LINK: f64 = 70.0;
const MIN_H: f64 = 100.0;
const ROW_GAP: f64 = 16.0;
const BROKER_X: f64 = MARGIN + PRODUCER_W + LINK;
const CONSUMER_X: f64 = BROKER_X + BROKER_W + LINK;

struct Layout {
    height: f64,
    /// Each node's box: left, top, width, height.
    boxes: Vec<(f64, f64, f64, f64)>,
}

/// Places the boxes: producers in the left column, consumers in the right one, each as tall as
/// its content, and the broker between them as tall as the graph.
fn layout(lab: &JmsLab, heights: &[f64]) -> Layout {
    let of = |role: Role| -> Vec<usize> {
        lab.setup
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == role)
            .map(|(i, _)| i)
            .collect()
    };
    let (producers, consumers, brokers) =
        (of(Role::Producer), of(Role::Consumer), of(Role::Broker));
    let column = |list: &[usize]| -> f64 {
        list.iter().map(|&i| heights[i]).sum::<f64>()
            + ROW_GAP * list.len().saturating_sub(1) as f64
    };
    let broker_h = brokers.iter().map(|&i| heights[i]).fold(0.0, f64::max);
    let inner = column(&producers).max(column(&consumers)).max(broker_h);
    let mut boxes = vec![(0.0, 0.0, 0.0, 0.0); lab.setup.nodes.len()];
    let mut place = |list: &[usize], x: f64, w: f64| {
        let mut y = MARGIN + (inner - column(list)) / 2.0;
        for &i in list {
            boxes[i] = (x, y, w, heights[i]);
            y += heights[i] + ROW_GAP;
        }
    };
    place(&producers, MARGIN, PRODUCER_W);
    place(&consumers, CONSUMER_X, CONSUMER_W);
    for i in brokers {
        boxes[i] = (BROKER_X, MARGIN, BROKER_W, inner);
    }
    Layout {
        height: inner + 2.0 * MARGIN,
        boxes,
    }
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
    let offset = if from < to { -8.0 } else { 8.0 };
    ((a.0, a.1 + offset), (b.0, b.1 + offset))
}

/// What the graph needs to let a student pick a message for the inspector: the message picked
/// now, and where to send a new pick.
pub(crate) struct Pick<'a> {
    pub selected: Option<EntryId>,
    pub on_select: &'a Callback<EntryId>,
}

/// What the graph marks on its chips: the message picked for the inspector (and where to send a
/// new pick), and the messages the step on screen moved.
pub(crate) struct Marks<'a> {
    pub pick: Option<&'a Pick<'a>>,
    pub changed: &'a [EntryId],
}

/// A message's chip: given a `Pick`, a button (mouse or keyboard) that selects the message.
fn message_chip(
    label: String,
    class: &'static str,
    title: String,
    entry: EntryId,
    marks: &Marks<'_>,
) -> Chip {
    let pick = marks.pick;
    let wrap = pick.map(|pick| {
        let selected = pick.selected == Some(entry);
        let on_select = pick.on_select.clone();
        // The label before the `→` of a dispatched chip names the message.
        let name = label.split('→').next().unwrap_or(&label).to_string();
        let aria = title.clone();
        Box::new(move |shape: Html, _w: f64| {
            let onclick = on_select.reform(move |_: MouseEvent| entry);
            let on_key = on_select.clone();
            let onkeydown = Callback::from(move |e: KeyboardEvent| {
                if e.key() == "Enter" || e.key() == " " {
                    e.prevent_default();
                    on_key.emit(entry);
                }
            });
            html! {
                <g class={classes!("chip", "pickable", class, selected.then_some("selected"))} role="button" tabindex="0"
                    data-testid={format!("chip-{name}")} aria-label={aria.clone()} aria-pressed={selected.to_string()} {onclick} {onkeydown}>
                    { shape }
                </g>
            }
        }) as Box<dyn Fn(Html, f64) -> Html>
    });
    Chip {
        label,
        class,
        title,
        wrap,
        changed: marks.changed.contains(&entry),
    }
}

/// The chips of a transaction's messages, sent and not committed.
fn uncommitted_chips(lang: Lang, messages: &[Message], marks: &Marks<'_>) -> Vec<Chip> {
    messages
        .iter()
        .map(|m| {
            message_chip(
                m.label.clone(),
                "buffered",
                message_title(lang, m),
                m.entry,
                marks,
            )
        })
        .collect()
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

/// A node's box: its title (name and role), its state on the right, and what it holds.
fn node_box(
    lang: Lang,
    world: &World<JmsLab>,
    node: NodeId,
    w: f64,
    marks: &Marks<'_>,
) -> (Html, f64) {
    let lab = &world.protocol;
    let Some(spec) = lab.setup.nodes.get(usize::from(node)) else {
        return (html! {}, MIN_H);
    };
    let status = world.node(node).map_or(NodeStatus::Down, |s| s.status);
    let (label, class) = status_label(lang, status);
    let role = match spec.role {
        Role::Producer => tr(lang, "producer", "生产者"),
        Role::Broker => tr(lang, "broker", "Broker"),
        Role::Consumer => tr(lang, "consumer", "消费者"),
    };
    // A node called by its role ("Broker") is not titled "Broker · broker".
    let title = if spec.name.eq_ignore_ascii_case(role) || spec.name.eq_ignore_ascii_case("broker")
    {
        spec.name.clone()
    } else {
        format!("{} · {role}", spec.name)
    };
    let state = (status != NodeStatus::Up).then_some((label, class));
    let (body, h) = diagram::node_box(&title, state, w, |stack| match spec.role {
        Role::Producer => producer_body(lang, lab, node, stack, marks),
        Role::Consumer => consumer_body(lang, lab, node, stack, marks),
        Role::Broker => broker_body(lang, lab, stack, marks),
    });
    (body, h.max(MIN_H))
}

/// Drawn by the lab's view (`pick`: the inspector's selection) with the messages the step on
/// screen moved (`changed`) marked, and what went wrong so far across its top.
pub fn graph(
    lang: Lang,
    world: &World<JmsLab>,
    pick: Option<&Pick<'_>>,
    changed: &[EntryId],
) -> Html {
    let marks = Marks { pick, changed };
    let lab = &world.protocol;
    let broker = lab.broker.node;
    let now = world.now;
    let nodes: Vec<(Html, f64)> = lab
        .setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let w = match spec.role {
                Role::Producer => PRODUCER_W,
                Role::Broker => BROKER_W,
                Role::Consumer => CONSUMER_W,
            };
            node_box(lang, world, i as NodeId, w, &marks)
        })
        .collect();
    let heights: Vec<f64> = nodes.iter().map(|(_, h)| *h).collect();
    let l = layout(lab, &heights);
    let (band, band_h) = super::ledger::outcome_band(lang, &lab.ledger, WIDTH);
    let others: Vec<NodeId> = (0..lab.setup.nodes.len() as NodeId)
        .filter(|&n| n != broker)
        .collect();
    html! {
        <figure class="diagram jms-graph mq-graph">
            <svg data-testid="jms-graph" viewBox={format!("0 0 {WIDTH} {}", (l.height + band_h).ceil() as i64)} role="img"
                aria-label={tr(lang, "Producers, broker and consumers", "生产者、Broker 与消费者")}>
                { band }
                <g transform={format!("translate(0 {})", n1(band_h))}>
                { for others.iter().flat_map(|&n| [(n, broker), (broker, n)]).map(|(a, b)| {
                    let ((x1, y1), (x2, y2)) = lane(&l, a, b, lab);
                    html! { <line class="link" x1={n1(x1)} y1={n1(y1)} x2={n1(x2)} y2={n1(y2)} /> }
                }) }
                { for lab.setup.nodes.iter().zip(nodes).enumerate().map(|(i, (spec, (body, _)))| {
                    let (x, y, w, h) = l.boxes[i];
                    let status = world.node(i as NodeId).map_or(NodeStatus::Down, |s| s.status);
                    let (_, class) = status_label(lang, status);
                    html! {
                        <g class={classes!("node", class)} data-node={spec.name.clone()} transform={format!("translate({} {})", n1(x), n1(y))}>
                            <rect width={n1(w)} height={n1(h)} rx="10" />
                            { body }
                        </g>
                    }
                }) }
                { for world.net.in_flight.iter().map(|env| {
                    let ((x1, y1), (x2, y2)) = lane(&l, env.from, env.to, lab);
                    let span = env.deliver_at.saturating_sub(env.sent_at).max(1) as f64;
                    let f = (now.saturating_sub(env.sent_at) as f64 / span).clamp(0.0, 1.0) * 0.8 + 0.1;
                    let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
                    let text = short(lang, &env.msg, lab);
                    // The label stays between the two boxes the link joins, so that a packet about
                    // to arrive does not write over its receiver.
                    let half = diagram::text_width(&text, diagram::CHIP_TEXT) / 2.0;
                    let (left, right) = (x1.min(x2) + half, x1.max(x2) - half);
                    let tx = if left <= right { x.clamp(left, right) } else { x };
                    // Above the upper lane, under the lower one: two messages on one link keep apart.
                    let ty = if y2 < y1 || (y1 - y2).abs() < 0.5 && env.from < env.to { y - 13.0 } else { y + 24.0 };
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
                            <circle cx={n1(x)} cy={n1(y)} r="8" />
                            <text x={n1(tx)} y={n1(ty)} text-anchor="middle" style={diagram::font(diagram::CHIP_TEXT)}>{ text }</text>
                            <title>{ super::summary(lang, &env.msg, lab) }</title>
                        </g>
                    }
                }) }
                </g>
            </svg>
            <figcaption>{ tr(lang,
                "Dots on the links are messages on their way (amber). On the broker: green chips are in the persistent store, grey ones only in memory, amber ones are out with a consumer awaiting its acknowledgement.",
                "链路上的圆点是正在传输的消息（黄色）。Broker 中：绿色表示已写入持久化存储，灰色表示只在内存中，黄色表示已分发给消费者、正在等待签收。") }</figcaption>
        </figure>
    }
}

fn kind_class(msg: &JmsMsg) -> &'static str {
    match msg {
        JmsMsg::Send { .. } | JmsMsg::Dispatch { .. } => "data",
        JmsMsg::Receipt { .. }
        | JmsMsg::Ack { .. }
        | JmsMsg::Redelivered { .. }
        | JmsMsg::Poison { .. }
        | JmsMsg::ExpiredAck { .. }
        | JmsMsg::Commit { .. }
        | JmsMsg::Rollback { .. } => "control",
    }
}

/// The label drawn next to a packet.
fn short(lang: Lang, msg: &JmsMsg, lab: &JmsLab) -> String {
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
            "{} {}",
            tr(lang, "ack", "签收"),
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
        JmsMsg::Redelivered { entries } => format!(
            "↺{}",
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
        JmsMsg::Poison { entries, .. } => format!(
            "☠{}",
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
        JmsMsg::ExpiredAck { entries } => format!(
            "⌛{}",
            entries.iter().map(name).collect::<Vec<_>>().join(",")
        ),
        JmsMsg::Commit { .. } => tr(lang, "commit", "提交").to_string(),
        JmsMsg::Rollback { .. } => tr(lang, "rollback", "回滚").to_string(),
    }
}

fn none(lang: Lang) -> &'static str {
    tr(lang, "(none)", "（无）")
}

fn producer_body(lang: Lang, lab: &JmsLab, node: NodeId, stack: &mut Stack, marks: &Marks<'_>) {
    let Some(p) = lab.producers.get(&node) else {
        return;
    };
    if p.spec.transacted {
        stack.text(
            "node-line small",
            SMALL,
            tr(lang, "transacted session", "事务性会话"),
        );
        let buffered = uncommitted_chips(lang, &p.uncommitted, marks);
        stack.labelled(
            "node-line",
            tr(lang, "sent, not committed:", "已发送、未提交："),
            &buffered,
            none(lang),
        );
    } else {
        stack.text(
            "node-line small",
            SMALL,
            tr(lang, "non-transacted session", "非事务性会话"),
        );
    }
    let waiting: Vec<Chip> = p
        .awaiting_receipt
        .iter()
        .filter_map(|&e| lab.ledger.get(e))
        .map(|j| {
            let title = tr(
                lang,
                "waiting for the broker's receipt",
                "等待 Broker 的回执",
            );
            message_chip(j.label.clone(), "waiting", title.to_string(), j.id, marks)
        })
        .collect();
    stack.labelled(
        "node-line",
        tr(lang, "awaiting receipt:", "等待回执："),
        &waiting,
        none(lang),
    );
}

fn consumer_body(lang: Lang, lab: &JmsLab, node: NodeId, stack: &mut Stack, marks: &Marks<'_>) {
    let Some(k) = lab.consumers.get(&node) else {
        return;
    };
    let connection = if k.connected {
        tr(lang, "connected", "已连接")
    } else {
        tr(lang, "disconnected", "未连接")
    };
    let prefetched: Vec<Chip> = k
        .prefetched
        .iter()
        .map(|m| {
            let class = if m.redelivered {
                "redelivered"
            } else {
                "prefetched"
            };
            message_chip(
                m.label.clone(),
                class,
                message_title(lang, m),
                m.entry,
                marks,
            )
        })
        .collect();
    let unacked: Vec<Chip> = k
        .unacked
        .iter()
        .map(|m| {
            message_chip(
                m.label.clone(),
                "unacked",
                message_title(lang, m),
                m.entry,
                marks,
            )
        })
        .collect();
    stack.text(
        "node-line small",
        SMALL,
        &format!(
            "{} · {connection} · {}",
            k.spec.destination,
            consumer_settings(lang, lab, node)
        ),
    );
    // The selector on lines of its own, shortened (in full on hover).
    if let Some(sel) = &k.spec.selector {
        let short: String = if sel.chars().count() > 60 {
            sel.chars().take(59).chain(['…']).collect()
        } else {
            sel.clone()
        };
        let label = trf(
            lang,
            format!("selector: {short}"),
            format!("选择器：{short}"),
        );
        let testid = format!("consumer-selector-{}", lab.name(node));
        let full = sel.clone();
        let lines = diagram::wrap(&label, CONSUMER_W - 2.0 * PAD, SMALL);
        let height = lines.len() as f64 * SMALL * 1.3;
        stack.place(height, move |x, y| {
            html! {
                <text class="node-line small selector" x={n1(x)} y={n1(y)} data-testid={testid} style={diagram::font(SMALL)}>
                    { for lines.iter().enumerate().map(|(k, line)| html! {
                        <tspan x={n1(x)} style={diagram::font(SMALL)} dy={if k == 0 { n1(SMALL) } else { n1(SMALL * 1.3) }}>{ line.clone() }</tspan>
                    }) }
                    <title>{ full }</title>
                </text>
            }
        });
    }
    stack.labelled(
        "node-line",
        tr(lang, "prefetched:", "已预取："),
        &prefetched,
        none(lang),
    );
    stack.labelled(
        "node-line",
        tr(lang, "consumed, unacked:", "已消费、未签收："),
        &unacked,
        none(lang),
    );
    if !k.redelivering.is_empty() {
        let waiting: Vec<Chip> = k
            .redelivering
            .iter()
            .map(|m| {
                message_chip(
                    m.label.clone(),
                    "redelivered",
                    message_title(lang, m),
                    m.entry,
                    marks,
                )
            })
            .collect();
        let delay = lab.setup.redelivery_delay;
        stack.labelled(
            "node-line",
            &super::redelivery_delay_label(lang, delay),
            &waiting,
            none(lang),
        );
    }
}

fn broker_body(lang: Lang, lab: &JmsLab, stack: &mut Stack, marks: &Marks<'_>) {
    let empty = tr(lang, "(empty)", "（空）");
    for (producer, (_, held)) in &lab.broker.transactions {
        let items = uncommitted_chips(lang, held, marks);
        stack.line(
            "node-line",
            &trf(
                lang,
                format!(
                    "{}'s transaction (invisible until commit)",
                    lab.name(*producer)
                ),
                format!("{} 的事务（提交前对消费者不可见）", lab.name(*producer)),
            ),
        );
        stack.chips(&items, empty);
        stack.gap(4.0);
    }
    for consumer in lab.broker.lost_connections.keys() {
        let after = distlab_core::mq::jms::CONNECTION_LOST_AFTER;
        stack.text(
            "node-line small",
            SMALL,
            &trf(
                lang,
                format!(
                    "has not noticed that {}'s connection broke ({after} ms in the lab · 30–60 s by default: maxInactivityDuration 30 s)",
                    lab.name(*consumer)
                ),
                format!(
                    "还没发现 {} 的连接已断开（实验中 {after} 毫秒 · 默认 30–60 秒：maxInactivityDuration 30 秒）",
                    lab.name(*consumer)
                ),
            ),
        );
    }
    let ttl = lab
        .broker
        .channels
        .iter()
        .flat_map(|c| c.messages.iter())
        .any(|h| h.message.expiration.is_some());
    if ttl {
        stack.text(
            "node-line small",
            SMALL,
            &super::expire_period_label(lang, lab.setup.expire_messages_period),
        );
    }
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
        let items: Vec<Chip> = channel
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
                message_chip(
                    label,
                    class,
                    message_title(lang, &h.message),
                    h.message.entry,
                    marks,
                )
            })
            .collect();
        stack.line("node-line", &title);
        stack.chips(&items, empty);
        stack.gap(4.0);
    }
    let dead: Vec<Chip> = lab
        .broker
        .dead_letters
        .iter()
        .map(|m| {
            message_chip(
                m.label.clone(),
                "dead",
                message_title(lang, m),
                m.entry,
                marks,
            )
        })
        .collect();
    stack.line(
        "node-line",
        &trf(
            lang,
            format!(
                "{} (dead-letter queue)",
                distlab_core::mq::jms::DEAD_LETTER_QUEUE
            ),
            format!("{}（死信队列）", distlab_core::mq::jms::DEAD_LETTER_QUEUE),
        ),
    );
    stack.chips(&dead, empty);
}
