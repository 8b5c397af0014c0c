//! The RabbitMQ lab's view: producers, the cluster's nodes with the queues they hold (masters and
//! mirrors), the exchanges and their bindings, consumers, and the messages on their way; the
//! delivery ledger; and the controls that inject operations and settings into the run.

use distlab_core::kernel::{Event, NodeId, NodeStatus, Protocol, World};
use distlab_core::mq::rabbit::{
    LogEntry, PublishMode, RabbitLab, RabbitMsg, RabbitNote, RabbitOp, Role, ELECTION_TIMEOUT,
};
use distlab_core::mq::topic::ExchangeKind;
use distlab_core::scenario::Scenario;
use distlab_core::Lang;
use distlab_core::Text;
use yew::prelude::*;

use crate::views::{advance_button, op_button as button};

use crate::diagram::{self, Chip, Stack, PAD, SMALL};
use crate::i18n::{describe_message_event, tr, trf};
use crate::jms::graph::status_label;
use crate::player::{Msg, Player, Session, Variant};

/// The labels of ledger entries, as a list in each language.
fn label_list(lab: &RabbitLab, entries: &[u32]) -> (String, String) {
    let labels: Vec<&str> = entries
        .iter()
        .filter_map(|&e| lab.ledger.get(e))
        .map(|j| j.label.as_str())
        .collect();
    distlab_core::text::list(&labels)
}

fn labels(lab: &RabbitLab, entries: &[u32]) -> String {
    label_list(lab, entries).0
}

fn labels_zh(lab: &RabbitLab, entries: &[u32]) -> String {
    label_list(lab, entries).1
}

/// What a message between nodes carries, in a few words.
pub fn summary(lang: Lang, msg: &RabbitMsg, lab: &RabbitLab) -> String {
    match msg {
        RabbitMsg::Publish { messages, .. } => {
            let names: Vec<String> = messages
                .iter()
                .map(|m| format!("{} [{}]", m.label, m.routing_key))
                .collect();
            trf(
                lang,
                format!("publish {}", names.join(", ")),
                format!("发布 {}", names.join("、")),
            )
        }
        RabbitMsg::Confirm {
            acked,
            nacked,
            commit,
        } => {
            if *commit {
                trf(
                    lang,
                    format!("tx.commit-ok for {}", labels(lab, acked)),
                    format!("{} 的 tx.commit-ok", labels_zh(lab, acked)),
                )
            } else if nacked.is_empty() {
                trf(
                    lang,
                    format!("confirm (basic.ack) {}", labels(lab, acked)),
                    format!("生产者确认（basic.ack）{}", labels_zh(lab, acked)),
                )
            } else {
                trf(
                    lang,
                    format!("basic.nack {}", labels(lab, nacked)),
                    format!("basic.nack {}", labels(lab, nacked)),
                )
            }
        }
        RabbitMsg::Deliver { message } => {
            let flag = if message.redelivered {
                tr(lang, ", redelivered", "，重新投递")
            } else {
                ""
            };
            trf(
                lang,
                format!("deliver {}{flag}", message.label),
                format!("投递 {}{flag}", message.label),
            )
        }
        RabbitMsg::Ack { entries } => trf(
            lang,
            format!("ack {}", labels(lab, entries)),
            format!("消费者确认 {}", labels_zh(lab, entries)),
        ),
        RabbitMsg::Nack { entries, requeue } => {
            let how = if *requeue {
                tr(lang, "requeue", "重新入队")
            } else {
                tr(lang, "no requeue", "不重新入队")
            };
            trf(
                lang,
                format!("nack {} ({how})", labels(lab, entries)),
                format!("拒绝 {}（{how}）", labels_zh(lab, entries)),
            )
        }
        RabbitMsg::Return { label, .. } => trf(
            lang,
            format!("basic.return {label} (312 NO_ROUTE)"),
            format!("basic.return 退回 {label}（312 NO_ROUTE）"),
        ),
        RabbitMsg::TxCommit => "tx.commit".to_string(),
        RabbitMsg::TxRollback => "tx.rollback".to_string(),
        RabbitMsg::Append {
            queue,
            term,
            entries,
            commit,
            ..
        } => {
            let what = log_labels(entries);
            trf(
                lang,
                format!("AppendEntries {queue}, term {term}: {what} (commit {commit})"),
                format!("AppendEntries {queue}，任期 {term}：{what}（已提交 {commit}）"),
            )
        }
        RabbitMsg::AppendReply {
            ok, match_index, ..
        } => {
            if *ok {
                trf(
                    lang,
                    format!("appended: holds {match_index} entries"),
                    format!("已追加：共 {match_index} 条"),
                )
            } else {
                trf(
                    lang,
                    format!("refused: holds {match_index} matching entries"),
                    format!("拒绝：匹配的只有 {match_index} 条"),
                )
            }
        }
        RabbitMsg::RequestVote { term, .. } => trf(
            lang,
            format!("RequestVote, term {term}"),
            format!("请求投票，任期 {term}"),
        ),
        RabbitMsg::Vote { term, granted, .. } => {
            if *granted {
                trf(
                    lang,
                    format!("vote granted, term {term}"),
                    format!("赞成票，任期 {term}"),
                )
            } else {
                trf(
                    lang,
                    format!("vote refused, term {term}"),
                    format!("拒绝投票，任期 {term}"),
                )
            }
        }
    }
}

/// The messages of Raft log entries, "·" for a leader's entry of its term.
fn log_labels(entries: &[LogEntry]) -> String {
    if entries.is_empty() {
        return "—".to_string();
    }
    entries
        .iter()
        .map(|e| e.message.as_ref().map_or("·", |m| m.label.as_str()))
        .collect::<Vec<_>>()
        .join(",")
}

impl crate::player::Narrate for RabbitLab {
    fn describe(
        lang: Lang,
        world: &World<Self>,
        event: &Event<Self::Msg, Self::Note>,
    ) -> Option<String> {
        let lab = &world.protocol;
        describe_message_event(
            lang,
            &world.nodes,
            event,
            |m| summary(lang, m, lab),
            |n| describe_note(lang, lab, n),
        )
    }
}

pub fn describe_note(lang: Lang, lab: &RabbitLab, note: &RabbitNote) -> String {
    let name = |n: NodeId| lab.name(n).to_string();
    let join = |l: &[String]| distlab_core::text::list(l).0;
    let join_zh = |l: &[String]| distlab_core::text::list(l).1;
    match note {
        RabbitNote::Enqueued { label, queue, node, on_disk } => {
            if *on_disk {
                trf(lang, format!("{label} is written to disk in queue {queue} on {}", name(*node)), format!("{label} 写入 {} 上队列 {queue} 的磁盘", name(*node)))
            } else {
                trf(lang, format!("{label} waits in memory in queue {queue} on {}", name(*node)), format!("{label} 在 {} 上队列 {queue} 的内存中等待", name(*node)))
            }
        }
        RabbitNote::Unroutable { label, exchange, routing_key } => trf(
            lang,
            format!("{label} matches no binding of exchange \"{exchange}\" with key \"{routing_key}\" and is dropped"),
            format!("{label} 的路由键“{routing_key}”在交换器“{exchange}”上没有匹配的绑定，被丢弃"),
        ),
        RabbitNote::Buffered { label } => trf(lang, format!("the broker holds {label} in the channel's open transaction, outside any queue"), format!("Broker 把 {label} 扣在信道尚未提交的事务里，不进任何队列")),
        RabbitNote::Rerouted { label, exchange, alternate } => trf(lang, format!("exchange {exchange} routes {label} nowhere and hands it to its alternate exchange {alternate}"), format!("交换器 {exchange} 无法路由 {label}，把它交给备用交换器 {alternate}")),
        RabbitNote::Returned { label } => trf(lang, format!("basic.return: {label} reached no queue and is back at the producer"), format!("basic.return：{label} 没有进入任何队列，被退回生产者")),
        RabbitNote::AckedReturned { labels } => trf(lang, format!("basic.ack for {}, which came back: not safe", join(labels)), format!("{} 收到 basic.ack，但它已被退回：并不安全", join_zh(labels))),
        RabbitNote::ConnectionLost { producer, unconfirmed } => {
            if unconfirmed.is_empty() {
                trf(lang, format!("{}'s connection closes and its client raises an error", name(*producer)), format!("{} 的连接断开，客户端抛出异常", name(*producer)))
            } else {
                trf(lang, format!("{}'s connection closes and its client raises an error; unconfirmed, to publish again: {}", name(*producer), join(unconfirmed)), format!("{} 的连接断开，客户端抛出异常；未确认、需重发的：{}", name(*producer), join_zh(unconfirmed)))
            }
        }
        RabbitNote::ChannelOpened { producer, mode } => {
            let (en, zh) = mode_name(*mode);
            trf(lang, format!("{} closes its channel and opens a new one: {en}", name(*producer)), format!("{} 关闭信道，新开一个信道：{zh}", name(*producer)))
        }
        RabbitNote::Cancelled { consumer, queue } => trf(lang, format!("the node of {queue} went down: the broker cancels {}'s consumer (basic.cancel); it must consume again", name(*consumer)), format!("{queue} 所在的节点宕机：Broker 取消了 {} 的消费（basic.cancel），它需要重新消费", name(*consumer))),
        RabbitNote::ConsumeFailed { consumer, queue, home } => trf(lang, format!("basic.consume fails: 404 NOT_FOUND, home node {} of durable queue {queue} is down; {}'s channel is closed", name(*home), name(*consumer)), format!("basic.consume 失败：404 NOT_FOUND，持久化队列 {queue} 的主节点 {} 已宕机；{} 的信道被关闭", name(*home), name(*consumer))),
        RabbitNote::Appended { label, queue, node, index, term } => trf(lang, format!("leader {} appends {label} to the log of {queue} as entry {index}, term {term}", name(*node)), format!("leader {} 把 {label} 作为任期 {term} 的第 {index} 条追加到 {queue} 的日志", name(*node))),
        RabbitNote::QuorumCommitted { queue, index, labels } => {
            if labels.is_empty() {
                trf(lang, format!("a majority holds entry {index} of {queue}: committed"), format!("多数成员已保存 {queue} 的第 {index} 条：已提交"))
            } else {
                trf(lang, format!("a majority holds entry {index} of {queue}: committed, {} enters the queue", join(labels)), format!("多数成员已保存 {queue} 的第 {index} 条：已提交，{} 进入队列", join_zh(labels)))
            }
        }
        RabbitNote::ElectionStarted { queue, node, term } => trf(lang, format!("{}'s election timeout runs out: it stands for leader of {queue} in term {term}", name(*node)), format!("{} 的选举超时到期：它竞选 {queue} 任期 {term} 的 leader", name(*node))),
        RabbitNote::VoteGranted { voter, candidate, term, .. } => trf(lang, format!("{} votes for {} in term {term}", name(*voter), name(*candidate)), format!("{} 在任期 {term} 投票给 {}", name(*voter), name(*candidate))),
        RabbitNote::VoteRefused { voter, candidate, term, .. } => trf(lang, format!("{} refuses its vote to {} in term {term} (already voted, or its log is more up to date)", name(*voter), name(*candidate)), format!("{} 在任期 {term} 拒绝投票给 {}（已经投过票，或自己的日志更新）", name(*voter), name(*candidate))),
        RabbitNote::Elected { queue, node, term } => trf(lang, format!("{} wins a majority and leads {queue} in term {term}", name(*node)), format!("{} 赢得多数票，成为 {queue} 任期 {term} 的 leader", name(*node))),
        RabbitNote::Confirmed { labels } => trf(lang, format!("the producer is told {} is safe", join(labels)), format!("生产者得知 {} 已安全", join_zh(labels))),
        RabbitNote::Nacked { labels } => trf(lang, format!("the broker nacks {}: the producer knows to resend", join(labels)), format!("Broker 对 {} 回复 nack：生产者知道需要重发", join_zh(labels))),
        RabbitNote::Committed { labels } => trf(lang, format!("the transaction commits {}", join(labels)), format!("事务提交 {}", join_zh(labels))),
        RabbitNote::RolledBack { labels, why } => trf(lang, format!("{} rolled back: {}", join(labels), why.en), format!("{} 被回滚：{}", join_zh(labels), why.zh)),
        RabbitNote::Processed { consumer, label, redelivered } => {
            if *redelivered {
                trf(lang, format!("{} processes {label}, which is marked redelivered", name(*consumer)), format!("{} 处理 {label}（带有重新投递标记）", name(*consumer)))
            } else {
                trf(lang, format!("{} processes {label}", name(*consumer)), format!("{} 处理 {label}", name(*consumer)))
            }
        }
        RabbitNote::SkippedDuplicate { consumer, label } => trf(lang, format!("{} has processed {label} before and skips it (dedup table)", name(*consumer)), format!("{} 已经处理过 {label}，根据去重表跳过", name(*consumer))),
        RabbitNote::Acked { consumer, labels } => trf(lang, format!("{} acknowledges {}", name(*consumer), join(labels)), format!("{} 确认 {}", name(*consumer), join_zh(labels))),
        RabbitNote::Requeued { label, queue } => trf(lang, format!("{label} goes back to queue {queue}"), format!("{label} 回到队列 {queue}")),
        RabbitNote::DeadLettered { label, reason, queues } => trf(
            lang,
            format!("{label} is dead-lettered ({}) into {}", reason.name().en, queues.join(", ")),
            format!("{label} 成为死信（{}），进入 {}", reason.name().zh, queues.join("、")),
        ),
        RabbitNote::Dropped { label, why } => trf(lang, format!("{label} is dropped: {}", why.en), format!("{label} 被丢弃：{}", why.zh)),
        RabbitNote::Lost { label, why } => trf(lang, format!("{label} is lost: {}", why.en), format!("{label} 丢失：{}", why.zh)),
        RabbitNote::QueueVanished { queue } => trf(lang, format!("the non-durable queue {queue} is gone"), format!("非持久化队列 {queue} 消失了")),
        RabbitNote::FailedOver { queue, from, to } => trf(
            lang,
            format!("queue {queue} fails over from {} to its mirror on {}", name(*from), name(*to)),
            format!("队列 {queue} 从 {} 故障转移到 {} 上的镜像", name(*from), name(*to)),
        ),
        RabbitNote::Nothing { why } => why.get(lang).to_string(),
    }
}

fn mode_name(mode: PublishMode) -> (&'static str, &'static str) {
    match mode {
        PublishMode::None => ("no confirms", "无确认"),
        PublishMode::Confirms => ("publisher confirms", "生产者确认"),
        PublishMode::Tx => ("channel transaction", "信道事务"),
    }
}

/// A node's box: x, y, width, height.
type Rect = (f64, f64, f64, f64);

/// The graph's width in viewBox units: about the CSS px of its stage on a 1280×720 projector (see
/// [`crate::diagram`]).
const WIDTH: f64 = 840.0;
const MARGIN: f64 = 10.0;
const SIDE_W: f64 = 210.0;
const MID_X: f64 = MARGIN + SIDE_W + 60.0;
const MID_W: f64 = WIDTH - 2.0 * MID_X;
const GAP: f64 = 16.0;

fn kind_name(kind: ExchangeKind) -> &'static str {
    match kind {
        ExchangeKind::Direct => "direct",
        ExchangeKind::Fanout => "fanout",
        ExchangeKind::Topic => "topic",
    }
}

/// Node boxes, each as tall as its content (`heights`, `exchanges_h` for the exchanges'): the
/// exchanges at the top of the middle column with the cluster's nodes under them, producers left,
/// consumers right, each side centred. Returns the boxes, the exchanges' box and the height.
fn layout(lab: &RabbitLab, heights: &[f64], exchanges_h: f64) -> (Vec<Rect>, Rect, f64) {
    let of = |role: Role| -> Vec<usize> {
        lab.setup
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == role)
            .map(|(i, _)| i)
            .collect()
    };
    let exchanges = (MID_X, MARGIN, MID_W, exchanges_h);
    let mut boxes = vec![(0.0, 0.0, 0.0, 0.0); lab.setup.nodes.len()];
    let mut y = if exchanges_h > 0.0 {
        MARGIN + exchanges_h + GAP
    } else {
        MARGIN
    };
    for i in of(Role::Broker) {
        boxes[i] = (MID_X, y, MID_W, heights[i]);
        y += heights[i] + GAP;
    }
    let column = |list: &[usize]| -> f64 {
        list.iter().map(|&i| heights[i]).sum::<f64>() + GAP * list.len().saturating_sub(1) as f64
    };
    let (producers, consumers) = (of(Role::Producer), of(Role::Consumer));
    let height = (y - GAP + MARGIN)
        .max(column(&producers) + 2.0 * MARGIN)
        .max(column(&consumers) + 2.0 * MARGIN);
    for (list, x) in [(producers, MARGIN), (consumers, WIDTH - MARGIN - SIDE_W)] {
        let mut y = (height - column(&list)) / 2.0;
        for &i in &list {
            boxes[i] = (x, y, SIDE_W, heights[i]);
            y += heights[i] + GAP;
        }
    }
    (boxes, exchanges, height)
}

fn lane(boxes: &[Rect], from: NodeId, to: NodeId) -> ((f64, f64), (f64, f64)) {
    let b = |n: NodeId| boxes.get(usize::from(n)).copied().unwrap_or_default();
    let (fx, fy, fw, fh) = b(from);
    let (tx, ty, tw, th) = b(to);
    let a = if tx > fx {
        (fx + fw, fy + fh / 2.0)
    } else {
        (fx, fy + fh / 2.0)
    };
    let z = if fx > tx {
        (tx + tw, ty + th / 2.0)
    } else {
        (tx, ty + th / 2.0)
    };
    let offset = if from < to { -8.0 } else { 8.0 };
    ((a.0, a.1 + offset), (z.0, z.1 + offset))
}

/// The exchanges and their bindings, drawn at (0, 0), with their height.
fn exchanges_box(lang: Lang, lab: &RabbitLab) -> (Html, f64) {
    if lab.setup.exchanges.is_empty() {
        // Only the default exchange: no box, so the cluster's nodes start at the top.
        return (html! {}, 0.0);
    }
    let mut stack = Stack::new(PAD, PAD, MID_W - 2.0 * PAD);
    stack.head(tr(lang, "exchanges and bindings", "交换器与绑定"), None);
    for e in &lab.setup.exchanges {
        let name = if e.name.is_empty() {
            tr(lang, "(default)", "（默认）")
        } else {
            &e.name
        };
        stack.line("node-line", &format!("{name} ({})", kind_name(e.kind)));
        if let Some((_, ae)) = lab
            .setup
            .alternate_exchanges
            .iter()
            .find(|(x, _)| *x == e.name)
        {
            stack.text(
                "node-line small",
                SMALL,
                &trf(
                    lang,
                    format!("  alternate exchange: {ae}"),
                    format!("  备用交换器：{ae}"),
                ),
            );
        }
        for b in &e.bindings {
            let key = if e.kind == ExchangeKind::Fanout {
                String::new()
            } else {
                format!(" \"{}\"", b.key)
            };
            stack.text("node-line small", SMALL, &format!("  → {}{key}", b.queue));
        }
    }
    let (body, h) = stack.finish();
    (body, h + 2.0 * PAD)
}

/// A node's box drawn at (0, 0): its title and state, and what it holds; with its height.
fn node_box(
    lang: Lang,
    world: &World<RabbitLab>,
    node: NodeId,
    w: f64,
    moved: &[String],
) -> (Html, f64) {
    let lab = &world.protocol;
    let Some(spec) = lab.setup.nodes.get(usize::from(node)) else {
        return (html! {}, 0.0);
    };
    let status = world.node(node).map_or(NodeStatus::Down, |s| s.status);
    let (label, class) = status_label(lang, status);
    let role = match spec.role {
        Role::Producer => tr(lang, "producer", "生产者"),
        Role::Broker => tr(lang, "RabbitMQ node", "RabbitMQ 节点"),
        Role::Consumer => tr(lang, "consumer", "消费者"),
    };
    let state = (status != NodeStatus::Up).then_some((label, class));
    diagram::node_box(
        &format!("{} · {role}", spec.name),
        state,
        w,
        |stack| match spec.role {
            Role::Producer => producer_body(lang, lab, node, stack, moved),
            Role::Consumer => consumer_body(lang, lab, node, stack, moved),
            Role::Broker => broker_body(lang, lab, node, status == NodeStatus::Up, stack, moved),
        },
    )
}

/// The cluster at the step on screen, the messages the step moved marked, and what went wrong so
/// far across the top.
fn graph(lang: Lang, session: &Session<RabbitLab>) -> Html {
    let world = &*session.state;
    let lab = &world.protocol;
    let moved = crate::jms::ledger::moved_labels(session, |lab: &RabbitLab| &lab.ledger);
    let (band, band_h) = crate::jms::ledger::outcome_band(lang, &lab.ledger, WIDTH);
    let nodes: Vec<(Html, f64)> = lab
        .setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let w = if spec.role == Role::Broker {
                MID_W
            } else {
                SIDE_W
            };
            node_box(lang, world, i as NodeId, w, &moved)
        })
        .collect();
    let (exchanges, exchanges_h) = exchanges_box(lang, lab);
    let heights: Vec<f64> = nodes.iter().map(|(_, h)| *h).collect();
    let (boxes, ex, height) = layout(lab, &heights, exchanges_h);
    let links: Vec<(NodeId, NodeId)> = lab
        .producers
        .values()
        .map(|p| (p.spec.node, p.spec.broker))
        .chain(lab.consumers.values().map(|k| (k.spec.node, k.spec.broker)))
        .collect();
    let at = |(x, y, _, _): Rect| format!("translate({x:.1} {y:.1})");
    html! {
        <figure class="diagram jms-graph mq-graph rabbit-graph">
            <svg data-testid="rabbit-graph" viewBox={format!("0 0 {WIDTH} {:.0}", height + band_h)} role="img"
                aria-label={tr(lang, "Producers, the RabbitMQ cluster and consumers", "生产者、RabbitMQ 集群与消费者")}>
                { band }
                <g transform={format!("translate(0 {band_h:.1})")}>
                { for links.iter().flat_map(|&(a, b)| [(a, b), (b, a)]).map(|(a, b)| {
                    let ((x1, y1), (x2, y2)) = lane(&boxes, a, b);
                    html! { <line class="link" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} /> }
                }) }
                if ex.3 > 0.0 {
                    <g class="node exchanges" transform={at(ex)}>
                        <rect width={format!("{:.1}", ex.2)} height={format!("{:.1}", ex.3)} rx="10" />
                        { exchanges }
                    </g>
                }
                { for lab.setup.nodes.iter().zip(nodes).enumerate().map(|(i, (spec, (body, _)))| {
                    let rect = boxes[i];
                    let status = world.node(i as NodeId).map_or(NodeStatus::Down, |s| s.status);
                    let (_, class) = status_label(lang, status);
                    html! {
                        <g class={classes!("node", class)} data-node={spec.name.clone()} transform={at(rect)}>
                            <rect width={format!("{:.1}", rect.2)} height={format!("{:.1}", rect.3)} rx="10" />
                            { body }
                        </g>
                    }
                }) }
                { for world.net.in_flight.iter().map(|env| {
                    let ((x1, y1), (x2, y2)) = lane(&boxes, env.from, env.to);
                    let span = env.deliver_at.saturating_sub(env.sent_at).max(1) as f64;
                    let f = (world.now.saturating_sub(env.sent_at) as f64 / span).clamp(0.0, 1.0) * 0.8 + 0.1;
                    let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
                    let control = !matches!(env.msg, RabbitMsg::Publish { .. } | RabbitMsg::Deliver { .. } | RabbitMsg::Return { .. });
                    // Above the upper lane, under the lower one: two messages on one link keep apart.
                    let ty = if env.from < env.to { y - 13.0 } else { y + 24.0 };
                    html! {
                        <g key={env.id} class={classes!("packet", if control { "control" } else { "data" })} data-testid="packet">
                            <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r="8" />
                            <text x={format!("{x:.1}")} y={format!("{ty:.1}")} text-anchor="middle" style={diagram::font(diagram::CHIP_TEXT)}>{ short(&env.msg, lab) }</text>
                            <title>{ summary(lang, &env.msg, lab) }</title>
                        </g>
                    }
                }) }
                </g>
            </svg>
            <figcaption>{ tr(lang,
                "Dots on the links are messages on their way. In a queue: green chips are persistent messages in a durable queue (on disk), grey ones only in memory, amber ones delivered and awaiting their acknowledgement. In a quorum queue's log (index:message term), green entries are committed (a majority holds them), amber ones not yet. Red chips: a returned message, a closed connection or channel.",
                "链路上的圆点是正在传输的消息。队列中：绿色表示持久化消息在持久化队列里（在磁盘上），灰色表示只在内存中，黄色表示已投递、等待消费者确认。仲裁队列的日志（序号:消息 任期）中，绿色条目已提交（多数成员已保存），黄色尚未提交。红色：被退回的消息、已断开的连接或已关闭的信道。") }</figcaption>
        </figure>
    }
}

fn short(msg: &RabbitMsg, lab: &RabbitLab) -> String {
    match msg {
        RabbitMsg::Publish { messages, .. } => messages
            .iter()
            .map(|m| m.label.clone())
            .collect::<Vec<_>>()
            .join(","),
        RabbitMsg::Deliver { message } => message.label.clone(),
        RabbitMsg::Confirm { acked, nacked, .. } if nacked.is_empty() => {
            format!("✓{}", labels(lab, acked))
        }
        RabbitMsg::Confirm { nacked, .. } => format!("✗{}", labels(lab, nacked)),
        RabbitMsg::Ack { entries } => format!("ack {}", labels(lab, entries)),
        RabbitMsg::Nack { entries, .. } => format!("nack {}", labels(lab, entries)),
        RabbitMsg::Return { label, .. } => format!("↩{label}"),
        RabbitMsg::TxCommit => "commit".to_string(),
        RabbitMsg::TxRollback => "rollback".to_string(),
        RabbitMsg::Append { entries, .. } => format!("append {}", log_labels(entries)),
        RabbitMsg::AppendReply {
            ok, match_index, ..
        } => {
            format!("{}{match_index}", if *ok { "ok " } else { "✗ " })
        }
        RabbitMsg::RequestVote { term, .. } => format!("vote? t{term}"),
        RabbitMsg::Vote { granted, .. } => (if *granted { "vote ✓" } else { "vote ✗" }).to_string(),
    }
}

fn chip_list(
    items: impl Iterator<Item = (String, &'static str, String)>,
    moved: &[String],
) -> Vec<Chip> {
    items
        .map(|(label, class, title)| Chip {
            changed: crate::jms::ledger::names_moved(&label, moved),
            label,
            class,
            title,
            wrap: None,
        })
        .collect()
}

fn producer_body(lang: Lang, lab: &RabbitLab, node: NodeId, stack: &mut Stack, moved: &[String]) {
    let Some(p) = lab.producers.get(&node) else {
        return;
    };
    let (en, zh) = mode_name(p.spec.mode);
    let mode = tr(lang, en, zh);
    let chips = |entries: &[u32], class: &'static str| {
        chip_list(
            entries
                .iter()
                .filter_map(|&e| lab.ledger.get(e))
                .map(|j| (j.label.clone(), class, String::new())),
            moved,
        )
    };
    let broker = lab.name(p.spec.broker);
    let channel = trf(
        lang,
        format!("channel {} · {mode} → {broker}", p.channel),
        format!("信道 {} · {mode} → {broker}", p.channel),
    );
    stack.text("node-line small", SMALL, &channel);
    if p.connection_lost {
        let lost = tr(lang, "✗ disconnected", "✗ 连接已断开");
        stack.chips(&[diagram_chip(lost.to_string(), "outcome")], "");
        stack.text(
            "node-line small",
            SMALL,
            &trf(
                lang,
                format!("its connection to {broker} closed; the client raised an error"),
                format!("到 {broker} 的连接已断开，客户端抛出异常"),
            ),
        );
    }
    let none = tr(lang, "(none)", "（无）");
    if p.spec.mode == PublishMode::Tx || !p.in_tx.is_empty() {
        stack.labelled(
            "node-line",
            tr(lang, "in the open tx:", "未提交事务："),
            &chips(&p.in_tx, "buffered"),
            none,
        );
    }
    if !p.awaiting.is_empty() {
        let label = if p.spec.mode == PublishMode::Tx {
            tr(lang, "awaiting commit-ok:", "等待 commit-ok：")
        } else {
            tr(lang, "awaiting confirm:", "等待生产者确认：")
        };
        stack.labelled("node-line", label, &chips(&p.awaiting, "waiting"), none);
    }
    if !p.returned.is_empty() {
        let returned: Vec<u32> = p.returned.clone();
        let mut list = chips(&returned, "outcome");
        for c in &mut list {
            c.label = format!("↩ {}", c.label);
        }
        stack.labelled(
            "node-line",
            tr(lang, "returned (no queue):", "被退回（无队列）："),
            &list,
            none,
        );
    }
    if !p.unconfirmed.is_empty() {
        stack.labelled(
            "node-line",
            tr(lang, "unconfirmed, resend:", "未确认、需重发："),
            &chips(&p.unconfirmed, "waiting"),
            none,
        );
    }
}

/// A chip that stands for no message: a state drawn in the diagram.
fn diagram_chip(label: String, class: &'static str) -> Chip {
    Chip {
        label,
        class,
        title: String::new(),
        wrap: None,
        changed: false,
    }
}

fn consumer_body(lang: Lang, lab: &RabbitLab, node: NodeId, stack: &mut Stack, moved: &[String]) {
    let Some(k) = lab.consumers.get(&node) else {
        return;
    };
    let ack = if k.spec.auto_ack {
        tr(lang, "auto-ack", "自动确认")
    } else {
        tr(lang, "manual ack", "手动确认")
    };
    let connection = if k.connected {
        tr(lang, "consuming", "消费中")
    } else {
        tr(lang, "not consuming", "未消费")
    };
    let prefetch = if k.spec.prefetch == 0 {
        tr(lang, "unlimited", "不限").to_string()
    } else {
        k.spec.prefetch.to_string()
    };
    let mut settings = trf(
        lang,
        format!(
            "{connection} · {} · {} · {ack} · prefetch {prefetch}",
            lab.name(k.spec.broker),
            k.spec.queue
        ),
        format!(
            "{connection} · {} · {} · {ack} · 预取 {prefetch}",
            lab.name(k.spec.broker),
            k.spec.queue
        ),
    );
    if k.spec.idempotent {
        settings.push_str(&format!(" · {}", tr(lang, "dedup table", "去重表")));
    }
    let prefetched = chip_list(
        k.prefetched.iter().map(|m| {
            let class = if m.redelivered {
                "redelivered"
            } else {
                "prefetched"
            };
            (m.label.clone(), class, String::new())
        }),
        moved,
    );
    let unacked = chip_list(
        k.unacked
            .iter()
            .map(|m| (m.label.clone(), "unacked", String::new())),
        moved,
    );
    let none = tr(lang, "(none)", "（无）");
    stack.text("node-line small", SMALL, &settings);
    if let Some(why) = &k.closed {
        let closed = if k.cancelled {
            "✗ basic.cancel"
        } else {
            "✗ 404 NOT_FOUND"
        };
        stack.chips(&[diagram_chip(closed.to_string(), "outcome")], "");
        stack.text("node-line small", SMALL, why.get(lang));
    }
    stack.labelled(
        "node-line",
        tr(lang, "delivered:", "已投递："),
        &prefetched,
        none,
    );
    stack.labelled(
        "node-line",
        tr(lang, "processed, unacked:", "已处理、未确认："),
        &unacked,
        none,
    );
}

fn broker_body(
    lang: Lang,
    lab: &RabbitLab,
    node: NodeId,
    up: bool,
    stack: &mut Stack,
    moved: &[String],
) {
    for q in lab.queues.iter().filter(|q| {
        q.raft
            .as_ref()
            .map_or(q.master == node || q.mirrors.contains(&node), |r| {
                r.member(node).is_some()
            })
    }) {
        if let Some(r) = &q.raft {
            quorum_member(lang, q, r, node, stack, moved);
            continue;
        }
        let unsynced: Vec<&str> = q
            .messages
            .iter()
            .filter(|h| !h.copies.contains(&node))
            .map(|h| h.message.label.as_str())
            .collect();
        let role = if q.master == node {
            String::new()
        } else if !up {
            tr(
                lang,
                " (mirror; down, rejoins empty)",
                "（镜像；已宕机，重新加入时为空）",
            )
            .to_string()
        } else if unsynced.is_empty() {
            tr(lang, " (mirror, synchronised)", "（镜像，已同步）").to_string()
        } else {
            trf(
                lang,
                format!(" (mirror, unsynchronised: lacks {})", unsynced.join(", ")),
                format!("（镜像，未同步：缺 {}）", unsynced.join("、")),
            )
        };
        let flags = match (q.spec.durable, q.exists) {
            (_, false) => tr(lang, "gone", "已消失"),
            (true, _) => tr(lang, "durable", "持久化"),
            (false, _) => tr(lang, "transient", "非持久化"),
        };
        let kind = if q.spec.mirrored {
            tr(
                lang,
                " · classic mirrored (deprecated)",
                " · 经典镜像（已弃用）",
            )
        } else {
            ""
        };
        // A mirror shows only the messages it holds a copy of.
        let items = chip_list(
            q.messages
                .iter()
                .filter(|h| q.master == node || h.copies.contains(&node))
                .map(|h| {
                    let class = match (h.dispatched_to, q.spec.durable && h.message.persistent) {
                        (Some(_), _) => "dispatched",
                        (None, true) => "stored",
                        (None, false) => "memory",
                    };
                    let label = match h.dispatched_to {
                        Some(c) => format!("{}→{}", h.message.label, lab.name(c)),
                        None => h.message.label.clone(),
                    };
                    (label, class, h.message.routing_key.clone())
                }),
            moved,
        );
        let heading = trf(
            lang,
            format!("queue {}{role} · {flags}{kind}", q.spec.name),
            format!("队列 {}{role} · {flags}{kind}", q.spec.name),
        );
        stack.line("node-line", &heading);
        if let Some(ttl) = q.spec.message_ttl {
            stack.text(
                "node-line small",
                SMALL,
                &trf(
                    lang,
                    format!("TTL {ttl} ms in the lab · none by default"),
                    format!("TTL：实验中 {ttl} 毫秒 · 默认不设"),
                ),
            );
        }
        stack.chips(&items, tr(lang, "(empty)", "（空）"));
    }
    // Publishes this node holds in a producer's open transaction.
    for p in lab.producers.values().filter(|p| p.spec.broker == node) {
        if p.uncommitted.is_empty() {
            continue;
        }
        let held = chip_list(
            p.uncommitted
                .iter()
                .map(|m| (m.label.clone(), "buffered", String::new())),
            moved,
        );
        let name = lab.name(p.spec.node);
        stack.labelled(
            "node-line",
            &trf(
                lang,
                format!("{name}'s tx, uncommitted:"),
                format!("{name} 的事务，未提交："),
            ),
            &held,
            "",
        );
    }
}

/// A quorum queue's member on this node: its role and term, its Raft log (committed entries
/// green), and, on the leader, the queue's messages.
fn quorum_member(
    lang: Lang,
    q: &distlab_core::mq::rabbit::Queue,
    r: &distlab_core::mq::rabbit::Raft,
    node: NodeId,
    stack: &mut Stack,
    moved: &[String],
) {
    let Some(m) = r.member(node) else {
        return;
    };
    let role = if r.leader == Some(node) {
        tr(lang, "leader", "leader")
    } else if r.candidate.as_ref().is_some_and(|(c, _)| *c == node) {
        tr(lang, "candidate", "候选者")
    } else {
        tr(lang, "follower", "follower")
    };
    let commit = if r.leader == Some(node) {
        m.commit
    } else {
        m.commit.min(m.log.len())
    };
    stack.line(
        "node-line",
        &trf(
            lang,
            format!("quorum queue {} · {role} · term {}", q.spec.name, m.term),
            format!("仲裁队列 {} · {role} · 任期 {}", q.spec.name, m.term),
        ),
    );
    let log = chip_list(
        m.log.iter().enumerate().map(|(i, e)| {
            let what = e.message.as_ref().map_or("·", |x| x.label.as_str());
            let label = format!("{}:{what} t{}", i + 1, e.term);
            let class = if i < commit { "stored" } else { "waiting" };
            (label, class, String::new())
        }),
        moved,
    );
    stack.labelled(
        "node-line",
        &trf(
            lang,
            format!("log, commit {commit}:"),
            format!("日志，已提交 {commit}："),
        ),
        &log,
        tr(lang, "(empty)", "（空）"),
    );
    if let Some(&(_, _, at)) = r.elections.iter().find(|(n, _, _)| *n == node) {
        stack.text(
            "node-line small",
            SMALL,
            &trf(
                lang,
                format!(
                    "election timeout at {at} ms ({}–{} ms in the lab, randomised · RabbitMQ: a crashed node at once, a silent one after 45–75 s)",
                    ELECTION_TIMEOUT.0, ELECTION_TIMEOUT.1
                ),
                format!(
                    "选举超时于 {at} 毫秒（实验中随机取 {}–{} 毫秒 · RabbitMQ：节点宕机立即察觉，无声失联需 45–75 秒）",
                    ELECTION_TIMEOUT.0, ELECTION_TIMEOUT.1
                ),
            ),
        );
    }
    if r.leader == Some(node) {
        let items = chip_list(
            q.messages.iter().map(|h| {
                let class = if h.dispatched_to.is_some() {
                    "dispatched"
                } else {
                    "stored"
                };
                (h.message.label.clone(), class, String::new())
            }),
            moved,
        );
        stack.labelled(
            "node-line",
            tr(lang, "queue:", "队列："),
            &items,
            tr(lang, "(empty)", "（空）"),
        );
    }
}

fn controls(lang: Lang, world: &World<RabbitLab>, dispatch: &Callback<Msg<RabbitLab>>) -> Html {
    let lab = &world.protocol;
    let up = |n: NodeId| world.node(n).is_some_and(|s| s.is_up());
    html! {
        <section class="panel jms-controls" data-testid="rabbit-controls">
            <h2>{ tr(lang, "Act on the run", "操作") }</h2>
            <p class="hint">{ tr(lang,
                "Each action forks the run at the step on screen; the lesson's remaining steps follow it.",
                "每个操作都会在当前这一步分叉；课程剩下的步骤接着在新分支上执行。") }</p>
            { advance_button(tr(lang, "Deliver the next message", "投递下一条消息"), world.next_due().is_some(), dispatch) }
            { for lab.producers.values().map(|p| {
                let node = p.spec.node;
                let name = lab.name(node).to_string();
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { for lab.setup.exchanges.iter().flat_map(|e| {
                            let keys: Vec<String> = if e.kind == ExchangeKind::Fanout { vec![String::new()] } else { e.bindings.iter().map(|b| b.key.replace('*', "x").replace('#', "x.y")).collect() };
                            let mut keys = keys;
                            keys.dedup();
                            keys.into_iter().map(move |k| (e.name.clone(), k))
                        }).map(|(exchange, key)| {
                            let op = RabbitOp::Publish { producer: node, exchange: exchange.clone(), routing_key: key.clone(), persistent: true, expiration: None, key: None, mandatory: false };
                            let label = if key.is_empty() {
                                trf(lang, format!("publish to {exchange}"), format!("发布到 {exchange}"))
                            } else {
                                trf(lang, format!("publish to {exchange} \"{key}\""), format!("发布到 {exchange}“{key}”"))
                            };
                            button(dispatch, format!("publish-{name}-{exchange}-{key}"), label, op, up(node))
                        }) }
                        if p.spec.mode == PublishMode::Tx {
                            { button(dispatch, format!("commit-{name}"), tr(lang, "tx.commit", "tx.commit").into(), RabbitOp::TxCommit { producer: node }, up(node)) }
                            { button(dispatch, format!("rollback-{name}"), tr(lang, "tx.rollback", "tx.rollback").into(), RabbitOp::TxRollback { producer: node }, up(node)) }
                        }
                        // A key no binding matches: a fanout exchange would route it anyway, so the
                        // first other exchange that routes it nowhere, else the default exchange
                        // (which routes to the queue named by the key; there is no queue no.route).
                        { {
                            let exchange = lab.setup.exchanges.iter()
                                .find(|e| e.kind != ExchangeKind::Fanout && e.route("no.route").is_empty())
                                .map_or(String::new(), |e| e.name.clone());
                            let shown = if exchange.is_empty() { tr(lang, "the default exchange", "默认交换器").to_string() } else { exchange.clone() };
                            button(dispatch, format!("publish-mandatory-{name}"),
                                trf(lang, format!("mandatory publish to {shown} \"no.route\""), format!("mandatory 发布到 {shown}“no.route”")),
                                RabbitOp::Publish { producer: node, exchange, routing_key: "no.route".to_string(), persistent: true, expiration: None, key: None, mandatory: true },
                                up(node))
                        } }
                        if p.spec.mode == PublishMode::None {
                            { button(dispatch, format!("mode-{name}-Confirms"), "confirm.select".to_string(), RabbitOp::SetConfirms { producer: node, mode: PublishMode::Confirms }, up(node)) }
                            { button(dispatch, format!("mode-{name}-Tx"), "tx.select".to_string(), RabbitOp::SetConfirms { producer: node, mode: PublishMode::Tx }, up(node)) }
                        }
                        { for [PublishMode::None, PublishMode::Confirms, PublishMode::Tx].into_iter().filter(|m| *m != p.spec.mode).map(|mode| {
                            let what = match mode { PublishMode::None => tr(lang, "new channel, no confirms", "新信道：无确认"), PublishMode::Confirms => tr(lang, "new channel with confirms", "新信道：生产者确认"), PublishMode::Tx => tr(lang, "new channel with a transaction", "新信道：事务") };
                            let op = RabbitOp::OpenChannel { producer: node, mode };
                            let enabled = world.protocol.check_op(&op, &world.nodes).is_ok();
                            button(dispatch, format!("channel-{name}-{mode:?}"), what.into(), op, enabled)
                        }) }
                    </div>
                }
            }) }
            { for lab.consumers.values().map(|k| {
                let node = k.spec.node;
                let name = lab.name(node).to_string();
                let running = up(node);
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { button(dispatch, format!("process-{name}"), tr(lang, "process next", "处理下一条").into(), RabbitOp::Process { consumer: node }, running && !k.prefetched.is_empty()) }
                        if !k.spec.auto_ack {
                            { button(dispatch, format!("ack-{name}"), tr(lang, "basic.ack", "basic.ack").into(), RabbitOp::Ack { consumer: node }, running) }
                            { button(dispatch, format!("nack-requeue-{name}"), tr(lang, "nack, requeue", "nack 并重新入队").into(), RabbitOp::Nack { consumer: node, requeue: true }, running) }
                            { button(dispatch, format!("nack-{name}"), tr(lang, "nack, no requeue", "nack 不重新入队").into(), RabbitOp::Nack { consumer: node, requeue: false }, running) }
                        }
                        if k.connected {
                            { button(dispatch, format!("disconnect-{name}"), tr(lang, "close channel", "关闭信道").into(), RabbitOp::Disconnect { consumer: node }, running) }
                        } else {
                            { button(dispatch, format!("connect-{name}"), tr(lang, "consume", "开始消费").into(), RabbitOp::Connect { consumer: node }, running) }
                        }
                        { button(dispatch, format!("auto-ack-{name}"),
                            if k.spec.auto_ack { tr(lang, "switch to manual ack", "改为手动确认").into() } else { tr(lang, "switch to auto-ack", "改为自动确认").into() },
                            RabbitOp::SetAutoAck { consumer: node, auto_ack: !k.spec.auto_ack }, true) }
                    </div>
                }
            }) }
        </section>
    }
}

fn ledger(lang: Lang, world: &World<RabbitLab>) -> Html {
    crate::jms::ledger::ledger(lang, &world.protocol.ledger, &|n| {
        world.protocol.name(n).to_string()
    })
}

pub fn view(
    player: &Player<RabbitLab>,
    session: &Session<RabbitLab>,
    dispatch: &Callback<Msg<RabbitLab>>,
) -> Html {
    let lang = player.lang;
    let world = &session.state;
    let compared = player.compare.as_ref().map(|c| (c, &c.lab));
    html! {
        <div class="jms-lab">
            if let Some((comparison, other)) = compared {
                { crate::views::compare::side_by_side(lang, &comparison.label,
                    html! { <>{ graph(lang, session) }{ ledger(lang, world) }{ crate::jms::invariant_summary(lang, session.violations()) }</> },
                    html! { <>{ graph(lang, other) }{ ledger(lang, &other.state) }{ crate::jms::invariant_summary(lang, other.violations()) }</> }) }
            } else {
                { graph(lang, session) }
                { ledger(lang, world) }
            }
            { controls(lang, world, dispatch) }
            { compare(lang, world, player.compare.as_ref().map(|c| c.key.as_str()), dispatch) }
        </div>
    }
}

/// Runs the lesson side by side with confirms switched, acknowledgements switched, a dedup table,
/// or durable queues and persistent messages.
fn compare(
    lang: Lang,
    world: &World<RabbitLab>,
    comparing: Option<&str>,
    dispatch: &Callback<Msg<RabbitLab>>,
) -> Html {
    let lab = &world.protocol;
    let mut options: Vec<(String, RabbitVariant)> = Vec::new();
    for p in lab.producers.values() {
        for mode in [PublishMode::None, PublishMode::Confirms, PublishMode::Tx] {
            if mode != p.spec.mode {
                let v = RabbitVariant::Mode {
                    producer: p.spec.node,
                    mode,
                };
                let what = match mode {
                    PublishMode::None => tr(lang, "without confirms", "不使用确认"),
                    PublishMode::Confirms => tr(lang, "with publisher confirms", "使用生产者确认"),
                    PublishMode::Tx => tr(lang, "with a channel transaction", "使用信道事务"),
                };
                options.push((format!("{}: {what}", lab.name(p.spec.node)), v));
            }
        }
    }
    for k in lab.consumers.values() {
        let name = lab.name(k.spec.node);
        let ack = if k.spec.auto_ack {
            tr(lang, "manual ack", "手动确认")
        } else {
            tr(lang, "auto-ack", "自动确认")
        };
        options.push((
            format!("{name}: {ack}"),
            RabbitVariant::AutoAck {
                consumer: k.spec.node,
                on: !k.spec.auto_ack,
            },
        ));
        let dedup = if k.spec.idempotent {
            tr(lang, "without the dedup table", "去掉去重表")
        } else {
            tr(lang, "with a dedup table", "加上去重表")
        };
        options.push((
            format!("{name}: {dedup}"),
            RabbitVariant::Idempotent {
                consumer: k.spec.node,
                on: !k.spec.idempotent,
            },
        ));
    }
    options.push((
        tr(
            lang,
            "durable queues, persistent messages",
            "持久化队列与持久化消息",
        )
        .to_string(),
        RabbitVariant::Durable,
    ));
    let options = options
        .into_iter()
        .map(|(label, v)| (v.key(), label, v))
        .collect();
    crate::views::compare::panel(lang, options, comparing, dispatch.reform(Msg::Compare))
}

impl crate::lab::LabView for RabbitLab {
    type Variant = RabbitVariant;

    fn view(player: &Player<RabbitLab>, dispatch: &Callback<Msg<RabbitLab>>) -> Html {
        view(player, &player.lab, dispatch)
    }
}

/// A setting of the RabbitMQ lab that the side-by-side view can change.
#[derive(Clone, Debug, PartialEq)]
pub enum RabbitVariant {
    Mode {
        producer: u8,
        mode: distlab_core::mq::rabbit::PublishMode,
    },
    AutoAck {
        consumer: u8,
        on: bool,
    },
    Idempotent {
        consumer: u8,
        on: bool,
    },
    /// Every queue durable and every scripted publish persistent.
    Durable,
}

impl Variant<RabbitLab> for RabbitVariant {
    fn key(&self) -> String {
        match self {
            RabbitVariant::Mode { producer, mode } => format!("mode:{producer}:{mode:?}"),
            RabbitVariant::AutoAck { consumer, on } => format!("autoack:{consumer}:{on}"),
            RabbitVariant::Idempotent { consumer, on } => format!("idem:{consumer}:{on}"),
            RabbitVariant::Durable => String::from("durable"),
        }
    }

    fn apply(&self, scenario: &Scenario<RabbitLab>) -> (Scenario<RabbitLab>, Text) {
        use distlab_core::mq::rabbit::PublishMode;
        use distlab_core::scenario::Directive;
        let mut changed = scenario.clone();
        let name = |n: u8| {
            changed
                .setup
                .nodes
                .get(usize::from(n))
                .map_or_else(|| "?".to_string(), |s| s.name.clone())
        };
        let label = match self {
            RabbitVariant::Mode { producer, mode } => {
                let (en, zh) = match mode {
                    PublishMode::None => ("publishes without confirms", "不使用确认发布"),
                    PublishMode::Confirms => ("uses publisher confirms", "使用生产者确认"),
                    PublishMode::Tx => ("uses a channel transaction", "使用信道事务"),
                };
                Text::new(
                    format!("{} {en}", name(*producer)),
                    format!("{} {zh}", name(*producer)),
                )
            }
            RabbitVariant::AutoAck { consumer, on } => Text::new(
                format!(
                    "{} uses {}",
                    name(*consumer),
                    if *on { "auto-ack" } else { "manual ack" }
                ),
                format!(
                    "{} 使用{}",
                    name(*consumer),
                    if *on { "自动确认" } else { "手动确认" }
                ),
            ),
            RabbitVariant::Idempotent { consumer, on } => Text::new(
                format!(
                    "{} {} a dedup table",
                    name(*consumer),
                    if *on { "keeps" } else { "has no" }
                ),
                format!(
                    "{} {}去重表",
                    name(*consumer),
                    if *on { "使用" } else { "不用" }
                ),
            ),
            RabbitVariant::Durable => Text::new(
                "queues are durable and messages persistent",
                "队列持久化、消息持久化",
            ),
        };
        match self {
            RabbitVariant::Mode { producer, mode } => {
                for p in changed
                    .setup
                    .producers
                    .iter_mut()
                    .filter(|p| p.node == *producer)
                {
                    p.mode = *mode;
                }
            }
            RabbitVariant::AutoAck { consumer, on } => {
                for c in changed
                    .setup
                    .consumers
                    .iter_mut()
                    .filter(|c| c.node == *consumer)
                {
                    c.auto_ack = *on;
                }
            }
            RabbitVariant::Idempotent { consumer, on } => {
                for c in changed
                    .setup
                    .consumers
                    .iter_mut()
                    .filter(|c| c.node == *consumer)
                {
                    c.idempotent = *on;
                }
            }
            RabbitVariant::Durable => {
                for q in &mut changed.setup.queues {
                    q.durable = true;
                }
                for step in &mut changed.steps {
                    if let Directive::Op {
                        op: RabbitOp::Publish { persistent, .. },
                    } = &mut step.directive
                    {
                        *persistent = true;
                    }
                }
            }
        }
        (changed, label)
    }
}
