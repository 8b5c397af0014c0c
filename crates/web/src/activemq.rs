//! The ActiveMQ deployment lab's view: producers and consumers with their connection URIs, broker
//! groups (a master and its slaves) with their stores (own disk, shared store and its lock,
//! replicated logs), network connectors between groups, and the messages on their way; the
//! delivery ledger; and the controls that inject operations and settings into the run.

use distlab_core::kernel::{Event, NodeId, NodeStatus, World};
use distlab_core::mq::activemq::{
    stored, AmqLab, AmqMessage, AmqMsg, AmqNote, AmqOp, Refusal, Role, StoreKind, Target,
    ELECTION_DELAY, LOCK_POLL, MAX_NETWORK_RECONNECT_DELAY, MAX_RECONNECT_DELAY,
    NETWORK_RECONNECT_DELAY, REAL_ELECTION_DELAY, REAL_LOCK_POLL, REAL_MAX_NETWORK_RECONNECT_DELAY,
    REAL_MAX_RECONNECT_DELAY, REAL_NETWORK_RECONNECT_DELAY, RECONNECT_DELAY,
};
use distlab_core::scenario::Scenario;
use distlab_core::Lang;
use distlab_core::Text;
use yew::prelude::*;

use crate::views::{advance_button, op_button as button};

use crate::diagram::{self, Chip, Stack, PAD, SMALL};
use crate::i18n::{describe_message_event, tr, trf};
use crate::jms::graph::status_label;
use crate::player::{Msg, Player, Session, Variant};

fn join(labels: &[String]) -> String {
    labels.join(", ")
}

fn entry_label(lab: &AmqLab, entry: u32) -> String {
    lab.ledger
        .get(entry)
        .map_or_else(|| format!("#{entry}"), |j| j.label.clone())
}

/// What a message between nodes carries, in a few words.
pub fn summary(lang: Lang, msg: &AmqMsg, lab: &AmqLab) -> String {
    let group_name = |g: usize| {
        lab.groups
            .get(g)
            .map_or_else(|| "?".to_string(), |g| g.spec.name.clone())
    };
    match msg {
        AmqMsg::Send(m) => {
            let kind = if m.persistent {
                tr(lang, "persistent", "持久")
            } else {
                tr(lang, "non-persistent", "非持久")
            };
            trf(
                lang,
                format!("send {} to {} ({kind})", m.label, m.queue),
                format!("发送 {} 到 {}（{kind}）", m.label, m.queue),
            )
        }
        AmqMsg::Receipt { entry } => trf(
            lang,
            format!("receipt for {}", entry_label(lab, *entry)),
            format!("{} 的回执", entry_label(lab, *entry)),
        ),
        AmqMsg::Dispatch(m) => {
            let flag = if m.redelivered {
                tr(lang, ", redelivered", "，重新投递")
            } else {
                ""
            };
            trf(
                lang,
                format!("dispatch {}{flag}", m.label),
                format!("分发 {}{flag}", m.label),
            )
        }
        AmqMsg::Ack { entry } => trf(
            lang,
            format!("acknowledge {}", entry_label(lab, *entry)),
            format!("签收 {}", entry_label(lab, *entry)),
        ),
        AmqMsg::Forward { from, message, .. } => trf(
            lang,
            format!(
                "network connector forwards {} (from {})",
                message.label,
                group_name(*from)
            ),
            format!(
                "网络连接器转发 {}（来自 {}）",
                message.label,
                group_name(*from)
            ),
        ),
        AmqMsg::ForwardAck { entry, .. } => trf(
            lang,
            format!("forwarded {} is stored", entry_label(lab, *entry)),
            format!("转发的 {} 已存下", entry_label(lab, *entry)),
        ),
        AmqMsg::BridgeConnect { connector, .. } => {
            let (a, b) = lab.setup.bridges.get(*connector).map_or_else(
                || ("?".to_string(), "?".to_string()),
                |c| (group_name(c.from), group_name(c.to)),
            );
            trf(
                lang,
                format!("{a}'s network connector connects its bridge to {b}"),
                format!("{a} 的网络连接器连接通往 {b} 的网桥"),
            )
        }
        AmqMsg::Replicate { index, record } => {
            let what = match record {
                distlab_core::mq::activemq::Record::Add(m) => m.label.clone(),
                distlab_core::mq::activemq::Record::Remove(e) => trf(
                    lang,
                    format!("remove {}", entry_label(lab, *e)),
                    format!("删除 {}", entry_label(lab, *e)),
                ),
            };
            trf(
                lang,
                format!("replicate log record {} ({what})", index + 1),
                format!("复制日志第 {} 条（{what}）", index + 1),
            )
        }
        AmqMsg::Replicated { len } => trf(
            lang,
            format!("my log has {len} records"),
            format!("我的日志已有 {len} 条"),
        ),
        AmqMsg::Sync { records } => trf(
            lang,
            format!("the whole log, {} records", records.len()),
            format!("整份日志，{} 条", records.len()),
        ),
    }
}

fn short(msg: &AmqMsg, lab: &AmqLab) -> String {
    match msg {
        AmqMsg::Send(m) | AmqMsg::Dispatch(m) => m.label.clone(),
        AmqMsg::Forward { message, .. } => format!("⇢{}", message.label),
        AmqMsg::Receipt { entry } => format!("✓{}", entry_label(lab, *entry)),
        AmqMsg::Ack { entry } => format!("ack {}", entry_label(lab, *entry)),
        AmqMsg::ForwardAck { entry, .. } => format!("✓⇢{}", entry_label(lab, *entry)),
        AmqMsg::BridgeConnect { .. } => "connect".to_string(),
        AmqMsg::Replicate { record, .. } => match record {
            distlab_core::mq::activemq::Record::Add(m) => format!("log {}", m.label),
            distlab_core::mq::activemq::Record::Remove(e) => {
                format!("log −{}", entry_label(lab, *e))
            }
        },
        AmqMsg::Replicated { len } => format!("✓{len}"),
        AmqMsg::Sync { records } => format!("log ×{}", records.len()),
    }
}

impl crate::player::Narrate for AmqLab {
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

pub fn describe_note(lang: Lang, lab: &AmqLab, note: &AmqNote) -> String {
    let name = |n: NodeId| lab.name(n).to_string();
    let group = |g: usize| {
        lab.groups
            .get(g)
            .map_or_else(|| "?".to_string(), |g| g.spec.name.clone())
    };
    let ms = |t: u64| distlab_core::text::duration(t).get(lang).to_string();
    match note {
        AmqNote::Connected { client, broker } => trf(
            lang,
            format!("{} connects to {}", name(*client), name(*broker)),
            format!("{} 连上 {}", name(*client), name(*broker)),
        ),
        AmqNote::NoBroker {
            client,
            tried,
            retry_in,
        } => {
            let tried: Vec<String> = tried
                .iter()
                .map(|(b, why)| {
                    let why = match why {
                        Refusal::Down => tr(lang, "down", "宕机"),
                        Refusal::Slave => tr(lang, "not a master", "不是主节点"),
                        Refusal::Unreachable => {
                            tr(lang, "cut off by the partition", "被网络分区隔开")
                        }
                    };
                    trf(
                        lang,
                        format!("{} ({why})", name(*b)),
                        format!("{}（{why}）", name(*b)),
                    )
                })
                .collect();
            match retry_in {
                Some(ms) => trf(
                    lang,
                    format!(
                        "{} finds no broker to connect to: {}; the failover transport tries again in {ms} ms",
                        name(*client),
                        tried.join(", ")
                    ),
                    format!(
                        "{} 找不到可连接的 Broker：{}；failover 传输 {ms} 毫秒后重试",
                        name(*client),
                        tried.join("、")
                    ),
                ),
                None => trf(
                    lang,
                    format!(
                        "{} cannot connect: {}; a plain tcp:// client does not try again",
                        name(*client),
                        tried.join(", ")
                    ),
                    format!(
                        "{} 无法连接：{}；普通 tcp:// 客户端不会重试",
                        name(*client),
                        tried.join("、")
                    ),
                ),
            }
        }
        AmqNote::ConnectionLost { client, broker } => trf(
            lang,
            format!(
                "{} loses its connection to {}",
                name(*client),
                name(*broker)
            ),
            format!("{} 与 {} 的连接断开", name(*client), name(*broker)),
        ),
        AmqNote::Buffered { producer, label } => trf(
            lang,
            format!(
                "{}'s failover transport holds {label} until it reconnects",
                name(*producer)
            ),
            format!(
                "{} 的 failover 传输暂存 {label}，等重新连上再发",
                name(*producer)
            ),
        ),
        AmqNote::SendFailed { producer, label } => trf(
            lang,
            format!(
                "sending {label} fails with an exception in {}: no connection",
                name(*producer)
            ),
            format!("{} 发送 {label} 抛出异常：没有连接", name(*producer)),
        ),
        AmqNote::Resent { producer, labels } => trf(
            lang,
            format!(
                "{} resends what had no receipt: {}",
                name(*producer),
                join(labels)
            ),
            format!(
                "{} 重发没有回执的消息：{}",
                name(*producer),
                labels.join("、")
            ),
        ),
        AmqNote::Stored {
            broker,
            label,
            persistent,
        } => {
            if *persistent {
                trf(
                    lang,
                    format!("{} writes {label} to its store", name(*broker)),
                    format!("{} 把 {label} 写入存储", name(*broker)),
                )
            } else {
                trf(
                    lang,
                    format!("{} keeps {label} in memory only", name(*broker)),
                    format!("{} 只把 {label} 放在内存里", name(*broker)),
                )
            }
        }
        AmqNote::DuplicateDropped { broker, label } => trf(
            lang,
            format!(
                "{} has seen {label} before and drops it as a duplicate",
                name(*broker)
            ),
            format!("{} 见过 {label}，把它当作重复消息丢弃", name(*broker)),
        ),
        AmqNote::AwaitingQuorum {
            broker,
            label,
            have,
            need,
        } => trf(
            lang,
            format!(
                "{} waits to confirm {label}: {have} of the {need} brokers a quorum needs have it",
                name(*broker)
            ),
            format!(
                "{} 暂不发 {label} 的回执：多数派需要 {need} 个 Broker，目前 {have} 个有它",
                name(*broker)
            ),
        ),
        AmqNote::Confirmed { producer, label } => trf(
            lang,
            format!("{} has the receipt: {label} is stored", name(*producer)),
            format!("{} 收到回执：{label} 已存下", name(*producer)),
        ),
        AmqNote::Forwarded { from, to, label } => trf(
            lang,
            format!(
                "{} forwards {label} to {}, where its consumers are",
                name(*from),
                name(*to)
            ),
            format!(
                "{} 把 {label} 转发给消费者所在的 {}",
                name(*from),
                name(*to)
            ),
        ),
        AmqNote::Processed {
            consumer,
            label,
            redelivered,
            times,
        } => {
            let flag = if *redelivered {
                tr(lang, " (redelivered)", "（重新投递）")
            } else {
                ""
            };
            if *times > 1 {
                trf(
                    lang,
                    format!(
                        "{} processes {label}{flag}: the {} time this message is processed",
                        name(*consumer),
                        distlab_core::text::ordinal(u64::from(*times))
                    ),
                    format!(
                        "{} 处理 {label}{flag}：这条消息第 {times} 次被处理",
                        name(*consumer)
                    ),
                )
            } else {
                trf(
                    lang,
                    format!(
                        "{} processes {label}{flag} and acknowledges it",
                        name(*consumer)
                    ),
                    format!("{} 处理 {label}{flag} 并签收", name(*consumer)),
                )
            }
        }
        AmqNote::Lost { labels, why } => trf(
            lang,
            format!("gone: {} ({})", join(labels), why.en),
            format!("消失：{}（{}）", labels.join("、"), why.zh),
        ),
        AmqNote::Requeued { broker, labels } => trf(
            lang,
            format!(
                "{} puts back what was not acknowledged: {}",
                name(*broker),
                join(labels)
            ),
            format!("{} 收回未签收的消息：{}", name(*broker), labels.join("、")),
        ),
        AmqNote::LockTaken { broker } => trf(
            lang,
            format!(
                "{} takes the store's exclusive lock and becomes the master",
                name(*broker)
            ),
            format!("{} 拿到存储的排它锁，成为主节点", name(*broker)),
        ),
        AmqNote::Elected {
            broker,
            log,
            others,
        } => {
            let others: Vec<String> = others
                .iter()
                .map(|(b, n)| format!("{} {n}", name(*b)))
                .collect();
            trf(
                lang,
                format!(
                    "ZooKeeper elects {} (log of {log} records; {}) as the master",
                    name(*broker),
                    others.join(", ")
                ),
                format!(
                    "ZooKeeper 选 {}（日志 {log} 条；{}）为主节点",
                    name(*broker),
                    others.join("、")
                ),
            )
        }
        AmqNote::NoQuorum { group, up, need } => {
            let g = lab.groups.get(*group).map_or("?", |g| g.spec.name.as_str());
            trf(
                lang,
                format!("{g}: only {up} broker(s) up, a quorum needs {need}; no master is elected"),
                format!("{g}：只有 {up} 个 Broker 在运行，多数派需要 {need} 个；选不出主节点"),
            )
        }
        AmqNote::Loaded { broker, labels } => {
            if labels.is_empty() {
                trf(
                    lang,
                    format!("{} is the master; its store is empty", name(*broker)),
                    format!("{} 成为主节点；存储是空的", name(*broker)),
                )
            } else {
                trf(
                    lang,
                    format!(
                        "{} is the master and loads {} from its store",
                        name(*broker),
                        join(labels)
                    ),
                    format!(
                        "{} 成为主节点，从存储载入 {}",
                        name(*broker),
                        labels.join("、")
                    ),
                )
            }
        }
        AmqNote::Slave { broker, master } => match master {
            Some(m) => trf(
                lang,
                format!("{} starts as a slave of {}", name(*broker), name(*m)),
                format!("{} 作为 {} 的从节点启动", name(*broker), name(*m)),
            ),
            None => trf(
                lang,
                format!("{} starts as a slave", name(*broker)),
                format!("{} 作为从节点启动", name(*broker)),
            ),
        },
        AmqNote::Synced {
            slave,
            records,
            dropped,
        } => {
            if dropped.is_empty() {
                trf(
                    lang,
                    format!("{} takes the master's log: {records} records", name(*slave)),
                    format!("{} 接收主节点的日志：{records} 条", name(*slave)),
                )
            } else {
                trf(
                    lang,
                    format!(
                        "{} takes the master's log ({records} records) and drops what only it had: {}",
                        name(*slave),
                        join(dropped)
                    ),
                    format!(
                        "{} 接收主节点的日志（{records} 条），丢弃只有它有的：{}",
                        name(*slave),
                        dropped.join("、")
                    ),
                )
            }
        }
        AmqNote::BridgeFailed { from, to, retry_in } => {
            let (a, b) = (group(*from), group(*to));
            match retry_in {
                Some(t) => trf(
                    lang,
                    format!(
                        "the bridge from {a} to {b} lost its connection: the network connector tears it down, puts back what it had forwarded unacknowledged, and reconnects in {}",
                        ms(*t)
                    ),
                    format!(
                        "{a} 到 {b} 的网桥连接断了：网络连接器拆掉网桥，把已转发、未签收的消息放回队列，{}后重连",
                        ms(*t)
                    ),
                ),
                None => trf(
                    lang,
                    format!("the bridge from {a} to {b} lost its connection"),
                    format!("{a} 到 {b} 的网桥连接断了"),
                ),
            }
        }
        AmqNote::BridgeRetry { from, to, retry_in } => {
            let (a, b) = (group(*from), group(*to));
            trf(
                lang,
                format!(
                    "{a}'s network connector cannot reach {b}; it tries again in {}",
                    ms(*retry_in)
                ),
                format!("{a} 的网络连接器连不上 {b}；{}后再试", ms(*retry_in)),
            )
        }
        AmqNote::BridgeConnected { from, to } => {
            let (a, b) = (group(*from), group(*to));
            trf(
                lang,
                format!("the bridge from {a} to {b} is connected again"),
                format!("{a} 到 {b} 的网桥重新连上了"),
            )
        }
        AmqNote::ReplaySet { on } => {
            if *on {
                tr(
                    lang,
                    "replayWhenNoConsumers is on",
                    "已开启 replayWhenNoConsumers",
                )
                .to_string()
            } else {
                tr(
                    lang,
                    "replayWhenNoConsumers is off",
                    "已关闭 replayWhenNoConsumers",
                )
                .to_string()
            }
        }
        AmqNote::AuditSet { on } => {
            if *on {
                tr(
                    lang,
                    "the duplicate audit (enableAudit) is on",
                    "已开启重复检测（enableAudit）",
                )
                .to_string()
            } else {
                tr(
                    lang,
                    "the duplicate audit (enableAudit) is off",
                    "已关闭重复检测（enableAudit）",
                )
                .to_string()
            }
        }
        AmqNote::FailoverSet { client, on } => {
            if *on {
                trf(
                    lang,
                    format!("{} now connects with failover:(…)", name(*client)),
                    format!("{} 改用 failover:(…) 连接", name(*client)),
                )
            } else {
                trf(
                    lang,
                    format!("{} now connects with a plain tcp:// URI", name(*client)),
                    format!("{} 改用普通 tcp:// 地址连接", name(*client)),
                )
            }
        }
    }
}

type Rect = (f64, f64, f64, f64);

/// The graph's width in viewBox units: about the CSS px of its stage on a 1280×720 projector (see
/// [`crate::diagram`]).
const WIDTH: f64 = 840.0;
const MARGIN: f64 = 10.0;
const SIDE_W: f64 = 200.0;
/// The middle column: the broker groups.
const MID_X: f64 = MARGIN + SIDE_W + 60.0;
const MID_W: f64 = WIDTH - 2.0 * (MID_X);
/// A group's padding round its brokers.
const GROUP_PAD: f64 = 10.0;
const GAP: f64 = 10.0;
/// The room between two groups: a network connector, its name and its direction (two lines).
const BRIDGE_GAP: f64 = 2.0 * SMALL * 1.25 + 24.0;

/// The chips of a list of messages: label, class, tooltip.
type Chips = Vec<(String, &'static str, String)>;

fn message_title(lang: Lang, lab: &AmqLab, m: &AmqMessage) -> String {
    let kind = if m.persistent {
        tr(lang, "persistent", "持久")
    } else {
        tr(lang, "non-persistent", "非持久")
    };
    let path: Vec<&str> = m
        .path
        .iter()
        .filter_map(|g| lab.groups.get(*g).map(|g| g.spec.name.as_str()))
        .collect();
    let path = if path.is_empty() {
        String::new()
    } else {
        trf(
            lang,
            format!(", brokerPath: {}", path.join(" → ")),
            format!("，brokerPath：{}", path.join(" → ")),
        )
    };
    format!("{} · {} · {kind}{path}", m.label, m.queue)
}

/// What a broker box shows, as (heading, chips) sections.
fn broker_sections(lang: Lang, lab: &AmqLab, node: NodeId) -> Vec<(String, Chips)> {
    let Some(g) = lab.group_of(node) else {
        return Vec::new();
    };
    let group = &lab.groups[g];
    let mut out = Vec::new();
    if group.master == Some(node) {
        let stranded: Vec<u32> = lab.stranded(g).iter().map(|m| m.entry).collect();
        for (queue, held) in group.queues.iter().filter(|(_, h)| !h.is_empty()) {
            let items = held
                .iter()
                .map(|h| {
                    let (label, class) = match h.sent_to {
                        Some(Target::Consumer(c)) => {
                            (format!("{}→{}", h.message.label, lab.name(c)), "dispatched")
                        }
                        Some(Target::Bridge(b)) => (
                            format!(
                                "{}⇢{}",
                                h.message.label,
                                lab.groups.get(b).map_or("?", |g| g.spec.name.as_str())
                            ),
                            "dispatched",
                        ),
                        None if stranded.contains(&h.message.entry) => {
                            (h.message.label.clone(), "redelivered")
                        }
                        None if h.message.persistent => (h.message.label.clone(), "stored"),
                        None => (h.message.label.clone(), "memory"),
                    };
                    (label, class, message_title(lang, lab, &h.message))
                })
                .collect();
            out.push((
                trf(lang, format!("queue {queue}"), format!("队列 {queue}")),
                items,
            ));
        }
        if group.queues.values().all(Vec::is_empty) {
            out.push((
                tr(lang, "queues: empty", "队列：空").to_string(),
                Vec::new(),
            ));
        }
    }
    if group.spec.store != StoreKind::Shared {
        let disk = lab.disks.get(&node).map(Vec::as_slice).unwrap_or(&[]);
        let items = stored(disk)
            .into_iter()
            .map(|m| (m.label.clone(), "stored", message_title(lang, lab, m)))
            .collect();
        let heading = match group.spec.store {
            StoreKind::Replicated => trf(
                lang,
                format!("its log: {} records", disk.len()),
                format!("自己的日志：{} 条记录", disk.len()),
            ),
            _ => tr(lang, "its store (KahaDB):", "自己的存储（KahaDB）：").to_string(),
        };
        out.push((heading, items));
    }
    out
}

fn to_chips(items: Chips, moved: &[String]) -> Vec<Chip> {
    items
        .into_iter()
        .map(|(label, class, title)| Chip {
            changed: crate::jms::ledger::names_moved(&label, moved),
            label,
            class,
            title,
            wrap: None,
        })
        .collect()
}

struct Layout {
    nodes: Vec<Rect>,
    groups: Vec<Rect>,
    /// The shared store's box of each group that has one.
    stores: Vec<Option<Rect>>,
    height: f64,
}

/// Places the boxes, each as tall as its content (`heights` of the nodes, `titles` of the
/// groups, `store_heights` of the shared stores): the groups one under the other in the middle,
/// producers on the left, consumers on the right, each column centred on the groups.
fn layout(lab: &AmqLab, heights: &[f64], titles: &[f64], store_heights: &[Option<f64>]) -> Layout {
    let mut nodes = vec![(0.0, 0.0, 0.0, 0.0); lab.setup.nodes.len()];
    let mut groups = Vec::new();
    let mut stores = Vec::new();
    let mut y = MARGIN;
    let inner_w = MID_W - 2.0 * GROUP_PAD;
    for (g, group) in lab.groups.iter().enumerate() {
        let top = y;
        y += titles.get(g).copied().unwrap_or_default() + GROUP_PAD;
        for &b in &group.spec.brokers {
            let h = heights.get(usize::from(b)).copied().unwrap_or_default();
            nodes[usize::from(b)] = (MID_X + GROUP_PAD, y, inner_w, h);
            y += h + GAP;
        }
        match store_heights.get(g).copied().flatten() {
            Some(h) => {
                stores.push(Some((MID_X + GROUP_PAD, y, inner_w, h)));
                y += h + GAP;
            }
            None => stores.push(None),
        }
        groups.push((MID_X, top, MID_W, y - top));
        y += if lab.setup.bridges.is_empty() {
            GAP
        } else {
            BRIDGE_GAP
        };
    }
    let middle = y - if lab.setup.bridges.is_empty() {
        GAP
    } else {
        BRIDGE_GAP
    } + MARGIN;
    let of = |role: Role| -> Vec<usize> {
        lab.setup
            .nodes
            .iter()
            .enumerate()
            .filter(|(_, n)| n.role == role)
            .map(|(i, _)| i)
            .collect()
    };
    let column = |list: &[usize]| -> f64 {
        list.iter().map(|&i| heights[i]).sum::<f64>()
            + 2.0 * GAP * list.len().saturating_sub(1) as f64
    };
    let (producers, consumers) = (of(Role::Producer), of(Role::Consumer));
    let height = middle
        .max(column(&producers) + 2.0 * MARGIN)
        .max(column(&consumers) + 2.0 * MARGIN);
    for (list, x) in [(producers, MARGIN), (consumers, WIDTH - MARGIN - SIDE_W)] {
        let mut y = (height - column(&list)) / 2.0;
        for &i in &list {
            nodes[i] = (x, y, SIDE_W, heights[i]);
            y += heights[i] + 2.0 * GAP;
        }
    }
    Layout {
        nodes,
        groups,
        stores,
        height,
    }
}

fn shared_chips(lang: Lang, lab: &AmqLab, g: &distlab_core::mq::activemq::Group) -> Chips {
    stored(&g.shared)
        .into_iter()
        .map(|m| (m.label.clone(), "stored", message_title(lang, lab, m)))
        .collect()
}

/// The ends of the line between two nodes' boxes, offset so both directions show.
fn lane(boxes: &[Rect], from: NodeId, to: NodeId) -> ((f64, f64), (f64, f64)) {
    let b = |n: NodeId| boxes.get(usize::from(n)).copied().unwrap_or_default();
    let (fx, fy, fw, fh) = b(from);
    let (tx, ty, tw, th) = b(to);
    let offset = if from < to { -6.0 } else { 6.0 };
    if (fx - tx).abs() < 1.0 {
        // Two brokers in the middle column: along their left edge.
        let a = (fx + 18.0 + offset, if ty > fy { fy + fh } else { fy });
        let z = (tx + 18.0 + offset, if ty > fy { ty } else { ty + th });
        return (a, z);
    }
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
    ((a.0, a.1 + offset), (z.0, z.1 + offset))
}

fn uri(lab: &AmqLab, node: NodeId) -> String {
    let Some(c) = lab
        .producers
        .get(&node)
        .or_else(|| lab.consumers.get(&node))
    else {
        return String::new();
    };
    let names: Vec<String> = c
        .spec
        .uris
        .iter()
        .map(|&b| format!("tcp://{}", lab.name(b)))
        .collect();
    if c.spec.failover {
        format!("failover:({})", names.join(","))
    } else {
        names.first().cloned().unwrap_or_default()
    }
}

/// What a producer or consumer box holds: its URI, its connection, the messages it waits on or
/// has prefetched, and (a consumer) what it processed.
fn client_body(lang: Lang, lab: &AmqLab, node: NodeId, stack: &mut Stack, moved: &[String]) {
    let Some(c) = lab
        .producers
        .get(&node)
        .or_else(|| lab.consumers.get(&node))
    else {
        return;
    };
    let state = match (c.connected, c.reconnecting) {
        (Some(b), _) => trf(
            lang,
            format!("connected to {}", lab.name(b)),
            format!("已连接 {}", lab.name(b)),
        ),
        (None, true) => tr(lang, "reconnecting…", "正在重连……").to_string(),
        (None, false) => tr(lang, "not connected", "未连接").to_string(),
    };
    let state = if c.spec.queue.is_empty() {
        state
    } else {
        trf(
            lang,
            format!("{state} · reads {}", c.spec.queue),
            format!("{state} · 消费 {}", c.spec.queue),
        )
    };
    let state_class = if c.connected.is_some() {
        "node-line"
    } else {
        "node-line warn"
    };
    stack.text("node-line small", SMALL, &uri(lab, node));
    stack.line(state_class, &state);
    let none = tr(lang, "(none)", "（无）");
    if lab.producers.contains_key(&node) {
        let mut items: Chips = c
            .awaiting
            .iter()
            .map(|m| (m.label.clone(), "waiting", message_title(lang, lab, m)))
            .collect();
        items.extend(
            c.buffered
                .iter()
                .map(|m| (m.label.clone(), "buffered", message_title(lang, lab, m))),
        );
        stack.labelled(
            "node-line",
            tr(lang, "awaiting receipt:", "等待回执："),
            &to_chips(items, moved),
            none,
        );
        return;
    }
    let prefetched = c
        .prefetched
        .iter()
        .map(|m| {
            let class = if m.redelivered {
                "redelivered"
            } else {
                "prefetched"
            };
            (m.label.clone(), class, message_title(lang, lab, m))
        })
        .collect();
    let heading = trf(
        lang,
        format!("prefetched (window {}):", c.spec.prefetch),
        format!("已预取（窗口 {}）：", c.spec.prefetch),
    );
    stack.labelled("node-line", &heading, &to_chips(prefetched, moved), none);
    let done = if c.processed.is_empty() {
        tr(lang, "processed: none", "已处理：无").to_string()
    } else {
        trf(
            lang,
            format!("processed: {}", c.processed.join(", ")),
            format!("已处理：{}", c.processed.join("、")),
        )
    };
    stack.line("node-line", &done);
}

/// A node's box drawn at (0, 0): its title and state, and its body; with its height.
fn node_box(
    lang: Lang,
    world: &World<AmqLab>,
    node: NodeId,
    w: f64,
    moved: &[String],
) -> (Html, f64) {
    let lab = &world.protocol;
    let Some(spec) = lab.setup.nodes.get(usize::from(node)) else {
        return (html! {}, 0.0);
    };
    let status = world.node(node).map_or(NodeStatus::Down, |s| s.status);
    let up = matches!(status, NodeStatus::Up);
    let (label, class) = status_label(lang, status);
    let role = match spec.role {
        Role::Producer => tr(lang, "producer", "生产者").to_string(),
        Role::Consumer => tr(lang, "consumer", "消费者").to_string(),
        Role::Broker => broker_role(lang, lab, node, up),
    };
    let title = if role.is_empty() {
        spec.name.clone()
    } else {
        format!("{} · {role}", spec.name)
    };
    diagram::node_box(
        &title,
        (!up).then_some((label, class)),
        w,
        |stack| match spec.role {
            Role::Broker => {
                for (heading, items) in broker_sections(lang, lab, node) {
                    stack.labelled("node-line", &heading, &to_chips(items, moved), "");
                }
            }
            _ => client_body(lang, lab, node, stack, moved),
        },
    )
}

/// A group's shared store drawn at (0, 0), with its height.
fn store_box(lang: Lang, lab: &AmqLab, g: usize, w: f64, moved: &[String]) -> (Html, f64) {
    let group = &lab.groups[g];
    let lock = match group.lock {
        Some(b) => trf(
            lang,
            format!("exclusive lock: held by {}", lab.name(b)),
            format!("排它锁：由 {} 持有", lab.name(b)),
        ),
        None => tr(lang, "exclusive lock: free", "排它锁：空闲").to_string(),
    };
    let mut stack = Stack::new(PAD, PAD, w - 2.0 * PAD);
    stack.bold(
        "node-title",
        diagram::TEXT,
        tr(
            lang,
            "shared store (file system or database)",
            "共享存储（文件系统或数据库）",
        ),
    );
    let lock_class = if group.lock.is_none() {
        "node-line warn"
    } else {
        "node-line"
    };
    stack.tagged("lock", lock_class, diagram::TEXT, &lock);
    stack.chips(
        &to_chips(shared_chips(lang, lab, group), moved),
        tr(lang, "(empty)", "（空）"),
    );
    let (body, h) = stack.finish();
    (body, h + 2.0 * PAD)
}

fn broker_role(lang: Lang, lab: &AmqLab, node: NodeId, up: bool) -> String {
    let Some(g) = lab.group_of(node) else {
        return String::new();
    };
    let group = &lab.groups[g];
    if group.master == Some(node) {
        if group.spec.brokers.len() > 1 {
            tr(lang, "master", "主节点").to_string()
        } else {
            tr(lang, "broker", "Broker").to_string()
        }
    } else if !up {
        String::new()
    } else {
        match group.spec.store {
            StoreKind::Shared => {
                tr(lang, "slave · waits for the lock", "从节点 · 等待锁").to_string()
            }
            _ => tr(lang, "slave", "从节点").to_string(),
        }
    }
}

fn group_caption(lang: Lang, lab: &AmqLab, g: usize) -> String {
    let group = &lab.groups[g];
    match group.spec.store {
        StoreKind::Own => trf(
            lang,
            format!("{} · one broker, its own store", group.spec.name),
            format!("{} · 单个 Broker，自己的存储", group.spec.name),
        ),
        StoreKind::Shared => trf(
            lang,
            format!("{} · master/slave on a shared store", group.spec.name),
            format!("{} · 共享存储主从", group.spec.name),
        ),
        StoreKind::Replicated => trf(
            lang,
            format!(
                "{} · Replicated LevelDB, quorum {} of {}",
                group.spec.name,
                group.quorum(),
                group.spec.brokers.len()
            ),
            format!(
                "{} · Replicated LevelDB，多数派 {}/{}",
                group.spec.name,
                group.quorum(),
                group.spec.brokers.len()
            ),
        ),
    }
}

/// How long a group takes to find a new master in the lab, next to ActiveMQ's default: the lab
/// compresses time.
fn group_timing(lang: Lang, lab: &AmqLab, g: usize) -> Option<String> {
    let ms = |t: u64| distlab_core::text::duration(t).get(lang).to_string();
    match lab.groups[g].spec.store {
        StoreKind::Own => None,
        StoreKind::Shared => Some(trf(
            lang,
            format!(
                "lock poll {} here · {} by default",
                ms(LOCK_POLL),
                ms(REAL_LOCK_POLL)
            ),
            format!(
                "锁轮询：实验中 {} · 默认 {}",
                ms(LOCK_POLL),
                ms(REAL_LOCK_POLL)
            ),
        )),
        StoreKind::Replicated => Some(trf(
            lang,
            format!(
                "election after {} here · session {} by default",
                ms(ELECTION_DELAY),
                ms(REAL_ELECTION_DELAY)
            ),
            format!(
                "选主：实验中 {} · 默认会话 {}",
                ms(ELECTION_DELAY),
                ms(REAL_ELECTION_DELAY)
            ),
        )),
    }
}

/// The run's deployment at the step on screen, the messages the step moved marked, and what went
/// wrong so far across the top.
fn graph(lang: Lang, session: &Session<AmqLab>) -> Html {
    let world = &*session.state;
    let lab = &world.protocol;
    let moved = crate::jms::ledger::moved_labels(session, |lab: &AmqLab| &lab.ledger);
    let (band, band_h) = crate::jms::ledger::outcome_band(lang, &lab.ledger, WIDTH);
    let boxes: Vec<(Html, f64)> = lab
        .setup
        .nodes
        .iter()
        .enumerate()
        .map(|(i, spec)| {
            let w = if spec.role == Role::Broker {
                MID_W - 2.0 * GROUP_PAD
            } else {
                SIDE_W
            };
            node_box(lang, world, i as NodeId, w, &moved)
        })
        .collect();
    let titles: Vec<(Html, f64)> = (0..lab.groups.len())
        .map(|g| {
            let mut stack = Stack::new(GROUP_PAD, 0.0, MID_W - 2.0 * GROUP_PAD);
            stack.bold("group-title", SMALL, &group_caption(lang, lab, g));
            if let Some(timing) = group_timing(lang, lab, g) {
                stack.text("group-timing", SMALL, &timing);
            }
            stack.finish()
        })
        .collect();
    let stores: Vec<Option<(Html, f64)>> = lab
        .groups
        .iter()
        .enumerate()
        .map(|(g, group)| {
            (group.spec.store == StoreKind::Shared)
                .then(|| store_box(lang, lab, g, MID_W - 2.0 * GROUP_PAD, &moved))
        })
        .collect();
    let l = layout(
        lab,
        &boxes.iter().map(|(_, h)| *h).collect::<Vec<_>>(),
        &titles.iter().map(|(_, h)| *h).collect::<Vec<_>>(),
        &stores
            .iter()
            .map(|s| s.as_ref().map(|(_, h)| *h))
            .collect::<Vec<_>>(),
    );
    let connections: Vec<(NodeId, NodeId)> = lab
        .producers
        .values()
        .chain(lab.consumers.values())
        .filter_map(|c| c.connected.map(|b| (c.spec.node, b)))
        .collect();
    // (from, to, duplex, live): a network connector carries messages from `from` to `to`, and back
    // only when duplex.
    let bridges: Vec<(Rect, Rect, bool, bool, String, Option<String>)> = lab
        .setup
        .bridges
        .iter()
        .enumerate()
        .filter_map(|(i, c)| {
            let (from, to) = (lab.groups.get(c.from)?, lab.groups.get(c.to)?);
            let link = lab.links.get(i)?;
            let live = from.master.is_some() && to.master.is_some() && link.up;
            // A bridge whose connection broke says when its connector tries again.
            let state = (!link.up).then(|| {
                let ms = |t: u64| distlab_core::text::duration(t).get(lang).to_string();
                match link.retry_at {
                    Some(at) => {
                        let left = ms(at.saturating_sub(world.now));
                        trf(
                            lang,
                            format!("bridge down, retry in {left}"),
                            format!("网桥断开，{left}后重连"),
                        )
                    }
                    None => tr(lang, "bridge down, connecting…", "网桥断开，正在连接…").to_string(),
                }
            });
            let (a, b) = (&from.spec.name, &to.spec.name);
            let label = if c.duplex {
                trf(
                    lang,
                    format!("{a} ⇄ {b}, duplex"),
                    format!("{a} ⇄ {b}（双向）"),
                )
            } else {
                trf(
                    lang,
                    format!("{a} → {b}, one-way"),
                    format!("{a} → {b}（单向）"),
                )
            };
            Some((
                *l.groups.get(c.from)?,
                *l.groups.get(c.to)?,
                c.duplex,
                live,
                label,
                state,
            ))
        })
        .collect();
    let at = |(x, y, _, _): Rect| format!("translate({x:.1} {y:.1})");
    html! {
        <figure class="diagram jms-graph mq-graph amq-graph">
            <svg data-testid="amq-graph" viewBox={format!("0 0 {WIDTH} {:.0}", l.height + band_h)} role="img"
                aria-label={tr(lang, "Producers, ActiveMQ brokers and consumers", "生产者、ActiveMQ Broker 与消费者")}>
                { band }
                <g transform={format!("translate(0 {band_h:.1})")}>
                { for bridges.iter().map(|(from, to, duplex, live, label, state)| {
                    let x = MID_X + 24.0;
                    // The line runs from the edge of one group's box to the other's; an arrowhead
                    // marks each end messages can arrive at.
                    let down = from.1 < to.1;
                    let (y_from, y_to) = if down { (from.1 + from.3, to.1) } else { (from.1, to.1 + to.3) };
                    let head = |y: f64, pointing_down: bool| {
                        let d = if pointing_down { -12.0 } else { 12.0 };
                        html! { <polygon class="arrow" points={format!("{:.1},{y:.1} {:.1},{:.1} {:.1},{:.1}", x, x - 8.0, y + d, x + 8.0, y + d)} /> }
                    };
                    html! {
                        <g class={classes!("bridge", (!*live).then_some("down"))} data-duplex={duplex.to_string()}>
                            <line x1={format!("{x:.1}")} y1={format!("{y_from:.1}")} x2={format!("{x:.1}")} y2={format!("{y_to:.1}")} />
                            { head(y_to, down) }
                            { if *duplex { head(y_from, !down) } else { html! {} } }
                            // A bridge whose connection broke says so in place of its title,
                            // in the colour of things waiting.
                            { match state {
                                Some(state) => html! {
                                    <text class="bridge-state" data-testid="amq-bridge-state" x={format!("{:.1}", x + 16.0)} y={format!("{:.1}", (y_from + y_to) / 2.0 - 2.0)} style={format!("{};fill:var(--warn)", diagram::font(SMALL))}>
                                        { state }
                                    </text>
                                },
                                None => html! {
                                    <text x={format!("{:.1}", x + 16.0)} y={format!("{:.1}", (y_from + y_to) / 2.0 - 2.0)} style={diagram::font(SMALL)}>
                                        { tr(lang, "network connector", "网络连接器") }
                                    </text>
                                },
                            } }
                            <text x={format!("{:.1}", x + 16.0)} y={format!("{:.1}", (y_from + y_to) / 2.0 + SMALL + 2.0)} style={diagram::font(SMALL)}>
                                { label }
                            </text>
                        </g>
                    }
                }) }
                { for connections.iter().map(|&(c, b)| {
                    let ((x1, y1), (x2, y2)) = lane(&l.nodes, c, b);
                    html! { <line class="link" x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} /> }
                }) }
                { for lab.groups.iter().zip(titles).zip(stores).enumerate().map(|(g, ((group, (title, _)), store))| {
                    let (x, y, w, h) = l.groups[g];
                    let store = store.zip(l.stores[g]).map(|((body, _), rect)| html! {
                        <g class="node store" data-testid={format!("store-{}", group.spec.name)} transform={at(rect)}>
                            <rect width={format!("{:.1}", rect.2)} height={format!("{:.1}", rect.3)} rx="6" />
                            { body }
                        </g>
                    });
                    html! {
                        <g class={classes!("group", group.master.is_none().then_some("down"))} data-group={group.spec.name.clone()}>
                            <rect x={format!("{x:.1}")} y={format!("{y:.1}")} width={format!("{w:.1}")} height={format!("{h:.1}")} rx="12" />
                            <g transform={format!("translate({x:.1} {:.1})", y + 4.0)}>{ title }</g>
                            { for store }
                        </g>
                    }
                }) }
                { for lab.setup.nodes.iter().zip(boxes).enumerate().map(|(i, (spec, (body, _)))| {
                    let rect = l.nodes[i];
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
                    let ((x1, y1), (x2, y2)) = lane(&l.nodes, env.from, env.to);
                    let span = env.deliver_at.saturating_sub(env.sent_at).max(1) as f64;
                    let f = (world.now.saturating_sub(env.sent_at) as f64 / span).clamp(0.0, 1.0) * 0.8 + 0.1;
                    let (x, y) = (x1 + (x2 - x1) * f, y1 + (y2 - y1) * f);
                    let control = !matches!(env.msg, AmqMsg::Send(_) | AmqMsg::Dispatch(_) | AmqMsg::Forward { .. });
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
                "Dots on the links are messages on their way. Green chips are persistent messages (in a store), grey dashed ones only in memory, amber ones dispatched or forwarded and not yet acknowledged, red-edged ones stranded or redelivered.",
                "链路上的圆点是正在传输的消息。绿色表示持久化消息（在存储里），灰色虚线表示只在内存中，黄色表示已分发或已转发、尚未签收，红边表示滞留或重新投递。") }</figcaption>
        </figure>
    }
}

fn controls(lang: Lang, world: &World<AmqLab>, dispatch: &Callback<Msg<AmqLab>>) -> Html {
    let lab = &world.protocol;
    let up = |n: NodeId| world.node(n).is_some_and(|s| s.is_up());
    let queue = lab
        .consumers
        .values()
        .next()
        .map_or_else(|| "orders".to_string(), |c| c.spec.queue.clone());
    html! {
        <section class="panel jms-controls" data-testid="amq-controls">
            <h2>{ tr(lang, "Act on the run", "操作") }</h2>
            <p class="hint">{ tr(lang,
                "Each action forks the run at the step on screen; the lesson's remaining steps follow it. Crash and restart brokers with the fault buttons.",
                "每个操作都会在当前这一步分叉；课程剩下的步骤接着在新分支上执行。用故障按钮让 Broker 宕机或重启。") }</p>
            <p class="hint" data-testid="amq-lab-time">{ {
                let ms = |t: u64| distlab_core::text::duration(t).get(lang).to_string();
                trf(lang,
                    format!("Lab time is compressed. The failover transport retries after {}, doubling up to {} here; ActiveMQ's defaults are {} doubling up to {} (maxReconnectDelay).",
                        ms(RECONNECT_DELAY), ms(MAX_RECONNECT_DELAY), ms(RECONNECT_DELAY), ms(REAL_MAX_RECONNECT_DELAY)),
                    format!("实验的时间是压缩过的。failover 传输在 {} 后重试，每轮加倍，实验中最多 {}；ActiveMQ 的默认值是 {}，加倍到最多 {}（maxReconnectDelay）。",
                        ms(RECONNECT_DELAY), ms(MAX_RECONNECT_DELAY), ms(RECONNECT_DELAY), ms(REAL_MAX_RECONNECT_DELAY)))
            } }{ if lab.setup.bridges.is_empty() { String::new() } else {
                let ms = |t: u64| distlab_core::text::duration(t).get(lang).to_string();
                trf(lang,
                    format!(" A network connector whose bridge broke reconnects after {}, doubling up to {} here; ActiveMQ's defaults are {} (initialReconnectDelay) doubling up to {} (maxReconnectDelay).",
                        ms(NETWORK_RECONNECT_DELAY), ms(MAX_NETWORK_RECONNECT_DELAY), ms(REAL_NETWORK_RECONNECT_DELAY), ms(REAL_MAX_NETWORK_RECONNECT_DELAY)),
                    format!("网桥断开的网络连接器在 {} 后重连，每次失败加倍，实验中最多 {}；ActiveMQ 的默认值是 {}（initialReconnectDelay），加倍到最多 {}（maxReconnectDelay）。",
                        ms(NETWORK_RECONNECT_DELAY), ms(MAX_NETWORK_RECONNECT_DELAY), ms(REAL_NETWORK_RECONNECT_DELAY), ms(REAL_MAX_NETWORK_RECONNECT_DELAY)))
            } }</p>
            { advance_button(tr(lang, "Next event", "下一个事件"), world.next_due().is_some(), dispatch) }
            if !lab.setup.bridges.is_empty() {
                <div class="row">
                    <strong>{ tr(lang, "destination policy", "目的地策略") }</strong>
                    { button(dispatch, "amq-replay".into(),
                        if lab.setup.replay_when_no_consumers { tr(lang, "replayWhenNoConsumers: on → off", "replayWhenNoConsumers：开 → 关") } else { tr(lang, "replayWhenNoConsumers: off → on", "replayWhenNoConsumers：关 → 开") }.into(),
                        AmqOp::SetReplay { on: !lab.setup.replay_when_no_consumers }, true) }
                    { button(dispatch, "amq-audit".into(),
                        if lab.setup.enable_audit { tr(lang, "enableAudit: on → off", "enableAudit：开 → 关") } else { tr(lang, "enableAudit: off → on", "enableAudit：关 → 开") }.into(),
                        AmqOp::SetAudit { on: !lab.setup.enable_audit }, true) }
                </div>
            }
            { for lab.producers.values().map(|p| {
                let node = p.spec.node;
                let name = lab.name(node).to_string();
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { button(dispatch, format!("send-{name}"), trf(lang, format!("send persistent to {queue}"), format!("发送持久化消息到 {queue}")),
                            AmqOp::Send { producer: node, queue: queue.clone(), persistent: true }, up(node)) }
                        { button(dispatch, format!("send-np-{name}"), tr(lang, "send non-persistent", "发送非持久化消息").into(),
                            AmqOp::Send { producer: node, queue: queue.clone(), persistent: false }, up(node)) }
                        { button(dispatch, format!("failover-{name}"),
                            if p.spec.failover { tr(lang, "use plain tcp://", "改用普通 tcp://") } else { tr(lang, "use failover:(…)", "改用 failover:(…)") }.into(),
                            AmqOp::SetFailover { client: node, on: !p.spec.failover }, true) }
                    </div>
                }
            }) }
            { for lab.consumers.values().map(|k| {
                let node = k.spec.node;
                let name = lab.name(node).to_string();
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { button(dispatch, format!("process-{name}"), tr(lang, "process next", "处理下一条").into(),
                            AmqOp::Process { consumer: node }, up(node) && !k.prefetched.is_empty()) }
                        { button(dispatch, format!("failover-{name}"),
                            if k.spec.failover { tr(lang, "use plain tcp://", "改用普通 tcp://") } else { tr(lang, "use failover:(…)", "改用 failover:(…)") }.into(),
                            AmqOp::SetFailover { client: node, on: !k.spec.failover }, true) }
                    </div>
                }
            }) }
        </section>
    }
}

pub fn view(
    player: &Player<AmqLab>,
    session: &Session<AmqLab>,
    dispatch: &Callback<Msg<AmqLab>>,
) -> Html {
    let lang = player.lang;
    let world = &session.state;
    let ledger = |w: &World<AmqLab>| {
        crate::jms::ledger::ledger(lang, &w.protocol.ledger, &|n| {
            w.protocol.name(n).to_string()
        })
    };
    let compared = player.compare.as_ref().map(|c| (c, &c.lab));
    html! {
        <div class="jms-lab">
            if let Some((comparison, other)) = compared {
                { crate::views::compare::side_by_side(lang, &comparison.label,
                    html! { <>{ graph(lang, session) }{ ledger(world) }{ crate::jms::invariant_summary(lang, session.violations()) }</> },
                    html! { <>{ graph(lang, other) }{ ledger(&other.state) }{ crate::jms::invariant_summary(lang, other.violations()) }</> }) }
            } else {
                { graph(lang, session) }
                { ledger(world) }
            }
            { controls(lang, world, dispatch) }
            { compare(lang, world, player.compare.as_ref().map(|c| c.key.as_str()), dispatch) }
        </div>
    }
}

/// Runs the lesson side by side with the replay remedy switched, or the clients' transport.
fn compare(
    lang: Lang,
    world: &World<AmqLab>,
    comparing: Option<&str>,
    dispatch: &Callback<Msg<AmqLab>>,
) -> Html {
    let lab = &world.protocol;
    let mut options: Vec<(String, AmqVariant)> = Vec::new();
    if !lab.setup.bridges.is_empty() {
        let on = !lab.setup.replay_when_no_consumers;
        let label = if on {
            tr(
                lang,
                "replayWhenNoConsumers on (audit off)",
                "开启 replayWhenNoConsumers（关闭重复检测）",
            )
        } else {
            tr(
                lang,
                "no replayWhenNoConsumers",
                "不开启 replayWhenNoConsumers",
            )
        };
        options.push((label.to_string(), AmqVariant::Replay { on }));
    }
    let all_failover = lab
        .producers
        .values()
        .chain(lab.consumers.values())
        .all(|c| c.spec.failover);
    let label = if all_failover {
        tr(
            lang,
            "plain tcp:// clients (no failover)",
            "普通 tcp:// 客户端（不做失效转移）",
        )
    } else {
        tr(lang, "failover:(…) clients", "failover:(…) 客户端")
    };
    options.push((
        label.to_string(),
        AmqVariant::Failover { on: !all_failover },
    ));
    let options = options
        .into_iter()
        .map(|(label, v)| (v.key(), label, v))
        .collect();
    crate::views::compare::panel(lang, options, comparing, dispatch.reform(Msg::Compare))
}

impl crate::lab::LabView for AmqLab {
    type Variant = AmqVariant;

    fn view(player: &Player<AmqLab>, dispatch: &Callback<Msg<AmqLab>>) -> Html {
        view(player, &player.lab, dispatch)
    }
}

/// A setting of the ActiveMQ clusters lab that the side-by-side view can change.
#[derive(Clone, Debug, PartialEq)]
pub enum AmqVariant {
    /// `replayWhenNoConsumers` with the duplicate audit off (on), or neither (off).
    Replay { on: bool },
    /// Every client with the failover transport (on) or a plain `tcp://` URI (off).
    Failover { on: bool },
}

impl Variant<AmqLab> for AmqVariant {
    fn key(&self) -> String {
        match self {
            AmqVariant::Replay { on } => format!("replay:{on}"),
            AmqVariant::Failover { on } => format!("failover:{on}"),
        }
    }

    fn apply(&self, scenario: &Scenario<AmqLab>) -> (Scenario<AmqLab>, Text) {
        let mut changed = scenario.clone();
        let label = match self {
            AmqVariant::Replay { on } => {
                changed.setup.replay_when_no_consumers = *on;
                changed.setup.enable_audit = !*on;
                if *on {
                    Text::new(
                        "with replayWhenNoConsumers on (and the audit off)",
                        "开启 replayWhenNoConsumers（并关闭重复检测）",
                    )
                } else {
                    Text::new(
                        "without replayWhenNoConsumers",
                        "不开启 replayWhenNoConsumers",
                    )
                }
            }
            AmqVariant::Failover { on } => {
                for c in changed
                    .setup
                    .producers
                    .iter_mut()
                    .chain(changed.setup.consumers.iter_mut())
                {
                    c.failover = *on;
                }
                if *on {
                    Text::new(
                        "every client uses failover:(…)",
                        "所有客户端使用 failover:(…)",
                    )
                } else {
                    Text::new(
                        "every client uses a plain tcp:// URI",
                        "所有客户端使用普通 tcp:// 地址",
                    )
                }
            }
        };
        (changed, label)
    }
}
