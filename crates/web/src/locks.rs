//! The distributed-locks lab's view: a timeline per client (waiting, holding, paused, crashed, and
//! "believes it holds" once the lock service no longer agrees) with the leases the service granted
//! and the writes the resource saw; the lock service's state (the database row, the Redis key with
//! its TTL counting down, the ZooKeeper node tree with sequence numbers and watches); the
//! resource's write log with tokens; the controls; and the explorer.

use std::rc::Rc;

use distlab_core::kernel::{Action, Event, Fault, Model, NodeId, NodeStatus, Protocol, World};
use distlab_core::locks::{Backend, GrantEnd, LockMsg, LockNote, LockOp, LocksLab, Phase};
use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::views::{advance_button, op_button as button};

use crate::diagram::{self, SMALL};
use crate::explorer::{ExplorerPanel, FaultChoice};
use crate::i18n::{describe_message_event, tr, trf};
use crate::player::{Msg, Player, Session};

/// What a message between nodes carries, in a few words.
pub fn summary(lang: Lang, msg: &LockMsg, lab: &LocksLab) -> String {
    let name = |n: NodeId| lab.name(n);
    match msg {
        LockMsg::Insert => tr(lang, "INSERT INTO method_lock", "INSERT INTO method_lock").into(),
        LockMsg::InsertOk { id } => trf(
            lang,
            format!("inserted, id {id}"),
            format!("插入成功，id {id}"),
        ),
        LockMsg::DuplicateKey { id } => trf(
            lang,
            format!("duplicate key: the lock is taken (id {id} used up)"),
            format!("唯一索引冲突：锁已被占用（id {id} 已用掉）"),
        ),
        LockMsg::Delete { id: Some(id) } => format!("DELETE … WHERE id = {id}"),
        LockMsg::Delete { id: None } => "DELETE FROM method_lock".into(),
        LockMsg::SetNx { value, px } => {
            format!("SET lock {}#{} NX PX {px}", name(value.client), value.nonce)
        }
        // SET NX PX answers only OK; the token is the lab's own INCR.
        LockMsg::SetOk { token } => trf(
            lang,
            format!("OK (+ the lab's INCR: token {token})"),
            format!("OK（+ 本实验的 INCR：令牌 {token}）"),
        ),
        LockMsg::SetNil => tr(lang, "(nil): the key exists", "(nil)：键已存在").into(),
        LockMsg::Del => "DEL lock".into(),
        LockMsg::CompareAndDelete { value } => trf(
            lang,
            format!(
                "if GET lock == {}#{} then DEL",
                name(value.client),
                value.nonce
            ),
            format!(
                "若 GET lock == {}#{} 则 DEL",
                name(value.client),
                value.nonce
            ),
        ),
        LockMsg::Sync { key, counter } => match key {
            Some(k) => trf(
                lang,
                format!(
                    "replicate: lock = {}, fence = {counter}",
                    name(k.value.client)
                ),
                format!("复制：lock = {}，fence = {counter}", name(k.value.client)),
            ),
            None => trf(
                lang,
                format!("replicate: no lock, fence = {counter}"),
                format!("复制：无锁，fence = {counter}"),
            ),
        },
        LockMsg::Create { herd, session, .. } => {
            let (watch_en, watch_zh) = if *herd {
                (", watch the lowest", "，监听最小节点")
            } else {
                ("", "")
            };
            match session {
                Some(s) => trf(
                    lang,
                    format!("create /lock/n- (ephemeral, sequential) in session {s}{watch_en}"),
                    format!("在会话 {s} 中创建 /lock/n-（临时顺序节点）{watch_zh}"),
                ),
                None => trf(
                    lang,
                    format!("open a session, create /lock/n- (ephemeral, sequential){watch_en}"),
                    format!("打开会话，创建 /lock/n-（临时顺序节点）{watch_zh}"),
                ),
            }
        }
        LockMsg::Created { seq, .. } => trf(
            lang,
            format!("created {}", distlab_core::locks::lab::znode_path(*seq)),
            format!("已创建 {}", distlab_core::locks::lab::znode_path(*seq)),
        ),
        LockMsg::GetChildren { .. } => tr(lang, "getChildren /lock", "getChildren /lock").into(),
        LockMsg::Children { children, .. } => trf(
            lang,
            format!("{} children", children.len()),
            format!("{} 个子节点", children.len()),
        ),
        LockMsg::WatchEvent { deleted } => trf(
            lang,
            format!(
                "watch: {} deleted",
                distlab_core::locks::lab::znode_path(*deleted)
            ),
            format!(
                "监听事件：{} 已删除",
                distlab_core::locks::lab::znode_path(*deleted)
            ),
        ),
        LockMsg::Ping { .. } => tr(lang, "heartbeat", "心跳").into(),
        LockMsg::SessionExpired { .. } => tr(lang, "session expired", "会话已过期").into(),
        LockMsg::DeleteNode { seq, .. } => trf(
            lang,
            format!(
                "delete {} (the session stays)",
                distlab_core::locks::lab::znode_path(*seq)
            ),
            format!(
                "删除 {}（会话保留）",
                distlab_core::locks::lab::znode_path(*seq)
            ),
        ),
        LockMsg::Close { .. } => tr(lang, "close session", "关闭会话").into(),
        LockMsg::Write { token } => trf(
            lang,
            format!("write, token {token}"),
            format!("写入，令牌 {token}"),
        ),
        LockMsg::Rejected { token, newest } => trf(
            lang,
            format!("rejected: token {token} < {newest}"),
            format!("被拒：令牌 {token} < {newest}"),
        ),
    }
}

impl crate::player::Narrate for LocksLab {
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

pub fn describe_note(lang: Lang, lab: &LocksLab, note: &LockNote) -> String {
    let name = |n: NodeId| lab.name(n);
    let path = distlab_core::locks::lab::znode_path;
    match note {
        LockNote::Granted { client, token } => trf(
            lang,
            format!(
                "the lock service grants the lock to {} (token {token})",
                name(*client)
            ),
            format!("锁服务把锁授予 {}（令牌 {token}）", name(*client)),
        ),
        LockNote::Acquired { client, token } => trf(
            lang,
            format!("{} holds the lock (token {token})", name(*client)),
            format!("{} 拿到锁（令牌 {token}）", name(*client)),
        ),
        LockNote::Busy { client, holder } => match holder {
            Some(h) => trf(
                lang,
                format!(
                    "{} finds the lock held by {}; it will try again",
                    name(*client),
                    name(*h)
                ),
                format!("{} 发现锁被 {} 持有；稍后重试", name(*client), name(*h)),
            ),
            None => trf(
                lang,
                format!("{} finds the lock taken; it will try again", name(*client)),
                format!("{} 发现锁已被占用；稍后重试", name(*client)),
            ),
        },
        LockNote::Released { client, token } => trf(
            lang,
            format!("{} releases its lock (token {token})", name(*client)),
            format!("{} 释放了锁（令牌 {token}）", name(*client)),
        ),
        LockNote::DeletedOthers { by, owner, token } => trf(
            lang,
            format!(
                "{} deletes the lock of {} (token {token}): a plain DEL does not check the owner",
                name(*by),
                name(*owner)
            ),
            format!(
                "{} 删掉了 {} 的锁（令牌 {token}）：普通 DEL 不检查持有者",
                name(*by),
                name(*owner)
            ),
        ),
        LockNote::NotOwner { by, owner } => match owner {
            Some(o) => trf(
                lang,
                format!(
                    "{}'s release finds {}'s lock and leaves it alone",
                    name(*by),
                    name(*o)
                ),
                format!("{} 释放时发现锁属于 {}，不去动它", name(*by), name(*o)),
            ),
            None => trf(
                lang,
                format!("{}'s release finds no lock of its own", name(*by)),
                format!("{} 释放时发现没有自己的锁", name(*by)),
            ),
        },
        LockNote::Expired { client, token } => trf(
            lang,
            format!("the lease of {} (token {token}) runs out", name(*client)),
            format!("{} 的租约（令牌 {token}）到期", name(*client)),
        ),
        LockNote::CleanedUp { client, token } => trf(
            lang,
            format!(
                "the cleanup job deletes the expired row of {} (token {token})",
                name(*client)
            ),
            format!("清理任务删除了 {} 的过期行（令牌 {token}）", name(*client)),
        ),
        LockNote::Lost { client, token } => trf(
            lang,
            format!(
                "the lock service no longer has the grant of {} (token {token})",
                name(*client)
            ),
            format!("锁服务已不再有 {} 的授权（令牌 {token}）", name(*client)),
        ),
        LockNote::Promoted {
            node,
            holder,
            counter,
        } => match holder {
            Some(h) => trf(
                lang,
                format!(
                    "the sentinel promotes {} (it says {} holds the lock; fence {counter})",
                    name(*node),
                    name(*h)
                ),
                format!(
                    "哨兵把 {} 提升为主（它认为 {} 持有锁；fence {counter}）",
                    name(*node),
                    name(*h)
                ),
            ),
            None => trf(
                lang,
                format!(
                    "the sentinel promotes {}, which has no lock key (fence {counter})",
                    name(*node)
                ),
                format!(
                    "哨兵把 {} 提升为主，它没有锁键（fence {counter}）",
                    name(*node)
                ),
            ),
        },
        LockNote::ZnodeCreated { client, seq } => trf(
            lang,
            format!("{} creates {}", name(*client), path(*seq)),
            format!("{} 创建 {}", name(*client), path(*seq)),
        ),
        LockNote::ZnodeDeleted { client, seq } => trf(
            lang,
            format!("{} of {} is deleted", path(*seq), name(*client)),
            format!("{} 的 {} 被删除", name(*client), path(*seq)),
        ),
        LockNote::Watching { client, target } => trf(
            lang,
            format!("{} watches {}", name(*client), path(*target)),
            format!("{} 监听 {}", name(*client), path(*target)),
        ),
        LockNote::Notified { client, deleted } => trf(
            lang,
            format!(
                "{} is notified: {} was deleted",
                name(*client),
                path(*deleted)
            ),
            format!("{} 收到通知：{} 已删除", name(*client), path(*deleted)),
        ),
        LockNote::SessionExpired { client, session } => trf(
            lang,
            format!(
                "session {session} of {} expires: no heartbeat in time; its ephemeral node goes",
                name(*client)
            ),
            format!(
                "{} 的会话 {session} 过期：心跳没有按时到达；它的临时节点被删除",
                name(*client)
            ),
        ),
        LockNote::LearnedLost { client } => trf(
            lang,
            format!("{} learns it no longer holds the lock", name(*client)),
            format!("{} 得知自己已不再持有锁", name(*client)),
        ),
        LockNote::WriteAccepted { client, token } => trf(
            lang,
            format!(
                "the storage accepts the write of {} (token {token})",
                name(*client)
            ),
            format!("存储接受了 {} 的写入（令牌 {token}）", name(*client)),
        ),
        LockNote::WriteRejected {
            client,
            token,
            newest,
        } => trf(
            lang,
            format!(
                "the storage rejects the write of {}: token {token} is older than {newest}",
                name(*client)
            ),
            format!(
                "存储拒绝了 {} 的写入：令牌 {token} 比 {newest} 旧",
                name(*client)
            ),
        ),
        LockNote::FencingSet { on } => {
            if *on {
                tr(
                    lang,
                    "the storage now checks fencing tokens",
                    "存储开始检查防护令牌",
                )
                .into()
            } else {
                tr(
                    lang,
                    "the storage no longer checks fencing tokens",
                    "存储不再检查防护令牌",
                )
                .into()
            }
        }
        LockNote::SafeReleaseSet { on } => {
            if *on {
                tr(
                    lang,
                    "releases now compare the value before deleting",
                    "释放时先比较值再删除",
                )
                .into()
            } else {
                tr(lang, "releases are now a plain DEL", "释放改为普通 DEL").into()
            }
        }
        LockNote::HerdSet { on } => {
            if *on {
                tr(
                    lang,
                    "new waiters watch the lowest node (herd effect)",
                    "新的等待者监听最小节点（惊群效应）",
                )
                .into()
            } else {
                tr(
                    lang,
                    "new waiters watch their predecessor",
                    "新的等待者监听前一个节点",
                )
                .into()
            }
        }
    }
}

/// What a client was doing during one stretch of the timeline.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Stretch {
    Idle,
    Waiting,
    Holding,
    /// Holding by its own account, while the lock service has ended its grant.
    Believes,
    Paused,
    Down,
}

impl Stretch {
    fn class(self) -> &'static str {
        match self {
            Stretch::Idle => "idle",
            Stretch::Waiting => "waiting",
            Stretch::Holding => "holding",
            Stretch::Believes => "believes",
            Stretch::Paused => "paused",
            Stretch::Down => "down",
        }
    }
}

fn stretch_of(world: &World<LocksLab>, client: usize) -> Stretch {
    let lab = &world.protocol;
    match world.nodes.get(client).map(|n| n.status) {
        Some(NodeStatus::Down) => return Stretch::Down,
        Some(NodeStatus::Paused { .. }) => return Stretch::Paused,
        _ => {}
    }
    let Some(c) = lab.clients.get(client) else {
        return Stretch::Idle;
    };
    match c.phase {
        Phase::Idle | Phase::Done => Stretch::Idle,
        Phase::Acquiring => Stretch::Waiting,
        Phase::Holding => {
            let valid = lab
                .promised_grants()
                .any(|(_, g)| usize::from(g.client) == client && Some(g.token) == c.token);
            if valid {
                Stretch::Holding
            } else {
                Stretch::Believes
            }
        }
    }
}

/// The timeline's width in viewBox units: about the CSS px of its stage on a 1280×720 projector
/// (see [`crate::diagram`]).
const TL_W: f64 = 840.0;
/// The column of the clients' names.
const TL_LEFT: f64 = 56.0;
const TL_RIGHT: f64 = 12.0;
/// A client's row: a lane of write labels above its bar, the bar, its leases under it, and a lane
/// per line of lease labels.
const LABEL_LANE: f64 = 20.0;
const BAR_H: f64 = 24.0;
const LEASE_H: f64 = 6.0;
const ROW_GAP: f64 = 10.0;
/// Room for the time axis under the rows.
const AXIS_H: f64 = 30.0;

/// A tick interval for an axis `span` long: 1, 2 or 5 times a power of ten, for at most 8 ticks.
fn tick_step(span: u64) -> u64 {
    let mut step = 1;
    loop {
        for k in [1, 2, 5] {
            if span / (step * k) <= 7 {
                return step * k;
            }
        }
        step = step.saturating_mul(10);
    }
}

/// Lays labels out left to right in lanes: each goes in the first lane where it does not touch
/// the one before; returns the lane of each (in order of their start).
fn lanes<'a>(labels: impl IntoIterator<Item = &'a Placed>) -> Vec<usize> {
    let mut ends: Vec<f64> = Vec::new();
    labels
        .into_iter()
        .map(
            |label| match ends.iter().position(|&end| end + 6.0 <= label.start) {
                Some(k) => {
                    ends[k] = label.end;
                    k
                }
                None => {
                    ends.push(label.end);
                    ends.len() - 1
                }
            },
        )
        .collect()
}

/// Where a label goes: its extent (`start`, `end`), and the x and text-anchor to draw it with.
#[derive(Clone, Copy, Debug, PartialEq)]
struct Placed {
    start: f64,
    end: f64,
    x: f64,
    anchor: &'static str,
}

/// A label `width` wide that starts at `x` when it fits the timeline, else ends at its right
/// edge.
fn label_at(x: f64, width: f64) -> Placed {
    if x + width <= TL_W - 4.0 {
        Placed {
            start: x,
            end: x + width,
            x,
            anchor: "start",
        }
    } else {
        Placed {
            start: TL_W - 4.0 - width,
            end: TL_W - 4.0,
            x: TL_W - 4.0,
            anchor: "end",
        }
    }
}

/// A write on the timeline: when, its label, its class, where its label goes, whether the step on
/// screen made it.
type WriteMark = (u64, String, &'static str, Placed, bool);
/// A lease on the timeline: where it starts, where its solid part ends (now, for a lease still
/// running), where it ends, its label, where its label goes, whether the step on screen granted it.
type LeaseMark = (f64, f64, f64, String, Placed, bool);

/// The timeline of every client up to the step on screen: what each client was doing, the
/// leases the service granted it (running on, dashed, past now), its writes with their tokens,
/// and a time axis. The window runs from 0 to a third past now, so that the step's events are
/// not squeezed against its edge. The writes and grants from `fresh` (writes, grants) on are the
/// step's own, and marked.
fn timeline(lang: Lang, session: &Session<LocksLab>, fresh: (usize, usize)) -> Html {
    let steps = session.run.run.steps();
    let mut world = session.run.run.state_at(0);
    let n = world.protocol.clients.len();
    let mut samples: Vec<(u64, Vec<Stretch>)> =
        vec![(0, (0..n).map(|c| stretch_of(&world, c)).collect())];
    let mut scratch = Vec::new();
    for step in steps.iter().take(session.step) {
        scratch.clear();
        world.apply(&step.action, &mut scratch);
        samples.push((world.now, (0..n).map(|c| stretch_of(&world, c)).collect()));
    }
    let now = session.state.now;
    let lab = &session.state.protocol;
    // The window: 0 to a third past now, and at least far enough for every lease to end in it.
    let leases_end = lab
        .grants
        .iter()
        .filter(|g| g.ended.is_none())
        .filter_map(|g| g.lease_until)
        .max()
        .unwrap_or(0);
    let end = (now + now / 3).max(leases_end.min(now * 2)).max(100);
    let x = |t: u64| TL_LEFT + (TL_W - TL_LEFT - TL_RIGHT) * (t.min(end) as f64 / end as f64);
    let label = |text: &str, size: f64| diagram::bold_width(text, size);

    // Each row's labels, laid out in lanes first: the rows are as tall as their lanes need.
    struct Row {
        writes: Vec<WriteMark>,
        write_lanes: Vec<usize>,
        leases: Vec<LeaseMark>,
        lease_lanes: Vec<usize>,
    }
    let rows: Vec<Row> = (0..n)
        .map(|c| {
            let writes: Vec<_> = lab
                .resource
                .log
                .iter()
                .enumerate()
                .filter(|(_, w)| usize::from(w.client) == c)
                .map(|(k, w)| {
                    let class = if !w.accepted {
                        "rejected"
                    } else if w.stale || w.overlaps.is_some() {
                        "unsafe"
                    } else {
                        "accepted"
                    };
                    let text = format!("{}{}", if w.accepted { "✎" } else { "✗" }, w.token);
                    let placed = label_at(x(w.at) + 3.0, label(&text, diagram::CHIP_TEXT));
                    (w.at, text, class, placed, k >= fresh.0)
                })
                .collect();
            let write_lanes = lanes(writes.iter().map(|w| &w.3));
            let leases: Vec<_> = lab
                .grants
                .iter()
                .enumerate()
                .filter(|(_, g)| usize::from(g.client) == c)
                .map(|(k, g)| {
                    // A grant the service lost still stands until its lease runs out.
                    let (until, running) = match g.ended {
                        Some((_, GrantEnd::Lost)) | None => match g.lease_until {
                            Some(t) => (t, t > now),
                            None => (now, false),
                        },
                        Some((t, _)) => (t, false),
                    };
                    let how = match g.ended.map(|(_, e)| e) {
                        None => tr(lang, "valid", "有效"),
                        Some(GrantEnd::Released) => tr(lang, "released", "已释放"),
                        Some(GrantEnd::DeletedBy { .. }) => {
                            tr(lang, "deleted by another", "被他人删除")
                        }
                        Some(GrantEnd::Expired) => tr(lang, "expired", "已过期"),
                        Some(GrantEnd::CleanedUp) => tr(lang, "cleaned up", "被清理"),
                        Some(GrantEnd::SessionExpired) => tr(lang, "session expired", "会话过期"),
                        Some(GrantEnd::Lost) if g.valid_at(now) => {
                            tr(lang, "forgotten, lease running", "服务已忘记，租约仍在计时")
                        }
                        Some(GrantEnd::Lost) => tr(lang, "forgotten by the service", "被服务遗忘"),
                    };
                    let text = format!("#{} {how}", g.token);
                    let placed = label_at(x(g.granted_at), diagram::text_width(&text, SMALL));
                    let cut = if running { x(now) } else { x(until) };
                    (x(g.granted_at), cut, x(until), text, placed, k >= fresh.1)
                })
                .collect();
            let lease_lanes = lanes(leases.iter().map(|l| &l.4));
            Row {
                writes,
                write_lanes,
                leases,
                lease_lanes,
            }
        })
        .collect();
    let lane_count = |l: &[usize]| l.iter().max().map_or(0, |m| m + 1) as f64;
    let mut tops = Vec::new();
    let mut y = 26.0;
    for row in &rows {
        let above = lane_count(&row.write_lanes).max(1.0) * LABEL_LANE;
        tops.push(y + above);
        y += above + BAR_H + 4.0 + LEASE_H + lane_count(&row.lease_lanes) * LABEL_LANE + ROW_GAP;
    }
    let axis_y = y;
    let height = axis_y + AXIS_H;

    let mut bars = Vec::new();
    for (c, (row, &top)) in rows.iter().zip(&tops).enumerate() {
        // Consecutive samples in the same stretch make one bar; the last lasts until now.
        let mut k = 0;
        while k < samples.len() {
            let (t0, s0) = (samples[k].0, samples[k].1[c]);
            let mut j = k + 1;
            while j < samples.len() && samples[j].1[c] == s0 {
                j += 1;
            }
            let t1 = samples.get(j).map_or(now, |s| s.0);
            if s0 != Stretch::Idle {
                bars.push(html! {
                    <rect class={classes!("stretch", s0.class())} x={format!("{:.1}", x(t0))} y={format!("{top:.1}")}
                        width={format!("{:.1}", (x(t1) - x(t0)).max(3.0))} height={BAR_H.to_string()} rx="3" />
                });
            }
            k = j;
        }
        let lease_y = top + BAR_H + 4.0;
        for ((x0, cut, until, text, placed, new), lane) in row.leases.iter().zip(&row.lease_lanes) {
            let (tx, anchor) = (placed.x, placed.anchor);
            let ty = lease_y + LEASE_H + (*lane as f64 + 1.0) * LABEL_LANE - 5.0;
            bars.push(html! {
                <g class={classes!("lease", new.then_some("fresh"))}>
                    <rect x={format!("{x0:.1}")} y={format!("{lease_y:.1}")} width={format!("{:.1}", (cut - x0).max(2.0))} height={LEASE_H.to_string()} />
                    if until > cut {
                        <line class="lease-ahead" x1={format!("{cut:.1}")} y1={format!("{:.1}", lease_y + LEASE_H / 2.0)}
                            x2={format!("{until:.1}")} y2={format!("{:.1}", lease_y + LEASE_H / 2.0)} />
                    }
                    <text x={format!("{tx:.1}")} y={format!("{ty:.1}")} text-anchor={anchor} style={diagram::font(SMALL)}>{ text.clone() }</text>
                </g>
            });
        }
        for ((at, text, class, placed, new), lane) in row.writes.iter().zip(&row.write_lanes) {
            let (tx, anchor) = (placed.x, placed.anchor);
            let ty = top - 5.0 - *lane as f64 * LABEL_LANE;
            bars.push(html! {
                <g class={classes!("write", *class, new.then_some("fresh"))} data-testid="timeline-write" data-changed={new.then_some("true")}>
                    <line x1={format!("{:.1}", x(*at))} y1={format!("{:.1}", ty + 3.0)} x2={format!("{:.1}", x(*at))} y2={format!("{:.1}", top + BAR_H)} />
                    <text x={format!("{tx:.1}")} y={format!("{ty:.1}")} text-anchor={anchor} style={diagram::font(diagram::CHIP_TEXT)}>{ text.clone() }</text>
                </g>
            });
        }
    }
    let step = tick_step(end);
    let ticks: Vec<u64> = (0..=end / step).map(|k| k * step).collect();
    let now_label = trf(lang, format!("now {now} ms"), format!("现在 {now} ms"));
    let Placed {
        x: now_x,
        anchor: now_anchor,
        ..
    } = label_at(x(now) + 4.0, diagram::bold_width(&now_label, SMALL));
    html! {
        <figure class="diagram locks-timeline">
            <svg data-testid="locks-timeline" viewBox={format!("0 0 {TL_W} {height:.0}")} role="img"
                aria-label={tr(lang, "Each client over time", "每个客户端随时间的状态")}>
                <g class="axis">
                    <line x1={format!("{TL_LEFT:.1}")} y1={format!("{axis_y:.1}")} x2={format!("{:.1}", TL_W - TL_RIGHT)} y2={format!("{axis_y:.1}")} />
                    // The last tick says the unit.
                    { for ticks.iter().map(|&t| {
                        let text = if Some(&t) == ticks.last() { format!("{t} ms") } else { t.to_string() };
                        // A label that would stick out of the right edge ends at its tick.
                        let anchor = if x(t) + diagram::text_width(&text, SMALL) / 2.0 > TL_W - 2.0 { "end" } else { "middle" };
                        html! {
                            <g>
                                <line class="grid" x1={format!("{:.1}", x(t))} y1="22" x2={format!("{:.1}", x(t))} y2={format!("{:.1}", axis_y + 5.0)} />
                                <text x={format!("{:.1}", x(t))} y={format!("{:.1}", axis_y + 22.0)} text-anchor={anchor} style={diagram::font(SMALL)}>{ text }</text>
                            </g>
                        }
                    }) }
                </g>
                { for lab.clients.iter().zip(&tops).map(|(client, top)| html! {
                    <text class="row-label" x="6" y={format!("{:.1}", top + BAR_H / 2.0 + 7.0)} style={diagram::font(diagram::TITLE)}>{ client.name.clone() }</text>
                }) }
                { for bars }
                <line class="now" x1={format!("{:.1}", x(now))} y1="20" x2={format!("{:.1}", x(now))} y2={format!("{axis_y:.1}")} />
                <text class="now-label" x={format!("{now_x:.1}")} y="16" text-anchor={now_anchor} style={diagram::font(SMALL)}>{ now_label }</text>
            </svg>
            <figcaption class="legend">
                <span class="key waiting">{ tr(lang, "waiting", "等待") }</span>
                <span class="key holding">{ tr(lang, "holds the lock", "持有锁") }</span>
                <span class="key believes">{ tr(lang, "believes it holds (the service disagrees)", "自以为持有（服务已不认可）") }</span>
                <span class="key paused">{ tr(lang, "paused", "暂停") }</span>
                <span class="key down">{ tr(lang, "crashed", "宕机") }</span>
                <span class="key lease">{ tr(lang, "lease granted by the service (#token; dashed: still to run)", "服务授予的租约（#令牌；虚线：尚未走完）") }</span>
                <span class="key write">{ tr(lang, "✎ write with its token, ✗ rejected", "✎ 带令牌的写入，✗ 被拒") }</span>
            </figcaption>
        </figure>
    }
}

/// Each number of the lab's compressed time beside the real system's default, as "lab · real"
/// lines. Sources: Redisson `Config.lockWatchdogTimeout` (30,000 ms), renewed every third of it
/// while the client lives (`RedissonBaseLock.renewExpiration`: `internalLockLeaseTime / 3`);
/// Redis `sentinel.conf` and the Sentinel docs (`down-after-milliseconds` 30,000: how long the
/// master must not answer before a Sentinel calls it down; then the Sentinels agree, elect a
/// leader and promote a replica; `failover-timeout` is not the failover's duration but a limit
/// on retries and reconfiguration, so the view leaves it out); Curator
/// `CuratorFrameworkFactory` (`DEFAULT_SESSION_TIMEOUT_MS` 60 s, `DEFAULT_CONNECTION_TIMEOUT_MS`
/// 15 s); the ZooKeeper Administrator's Guide (`minSessionTimeout` 2 × `tickTime`,
/// `maxSessionTimeout` 20 × `tickTime`; `ZooKeeperServer.processConnectRequest` raises a shorter
/// request to the minimum and lowers a longer one to the maximum); the ZooKeeper client (`ClientCnxn`) pings after about a third
/// of the session timeout without traffic.
pub fn lab_times(lab: &LocksLab) -> Vec<Text> {
    let setup = &lab.setup;
    let ms = |t: u64| distlab_core::text::thousands(t);
    let mut out = Vec::new();
    match setup.backend {
        Backend::Database => {
            out.push(Text::new(
                format!(
                    "poll every {} ms in the lab · no default: the application's choice",
                    ms(setup.retry)
                ),
                format!(
                    "实验中每 {} 毫秒轮询一次 · 没有默认值，由应用自己定",
                    ms(setup.retry)
                ),
            ));
            if setup.ttl > 0 {
                out.push(Text::new(
                    format!("row expiry {} ms, cleanup every {} ms in the lab · no default: the application's table and job", ms(setup.ttl), ms(setup.cleanup_every)),
                    format!("实验中行 {} 毫秒过期、每 {} 毫秒清理 · 没有默认值，表和任务都由应用自己定", ms(setup.ttl), ms(setup.cleanup_every)),
                ));
            }
        }
        Backend::Redis => {
            out.push(Text::new(
                format!("lease (PX) {} ms in the lab · the application's choice; Redisson: 30 s (lockWatchdogTimeout), renewed every 10 s while its client lives", ms(setup.ttl)),
                format!("实验中租约（PX）{} 毫秒 · 由应用自己定；Redisson 用 30 秒（lockWatchdogTimeout），客户端存活时每 10 秒续期", ms(setup.ttl)),
            ));
            out.push(Text::new(
                format!("retry every {} ms in the lab · Redisson waits for the unlock message on a pub/sub channel instead", ms(setup.retry)),
                format!("实验中每 {} 毫秒重试 · Redisson 改为在发布订阅频道上等待解锁消息", ms(setup.retry)),
            ));
            if setup.replica {
                out.push(Text::new(
                    format!("failover {} ms after the crash in the lab · Sentinel calls the master down after down-after-milliseconds 30 s by default, then promotes a replica", ms(setup.failover_after)),
                    format!("实验中宕机 {} 毫秒后故障转移 · Sentinel 默认 down-after-milliseconds 30 秒后判定主节点下线，再提升副本", ms(setup.failover_after)),
                ));
                out.push(Text::new(
                    format!("replication {} ms after a change in the lab · asynchronous in Redis, with no fixed delay", ms(setup.replication_lag)),
                    format!("实验中变更 {} 毫秒后复制 · Redis 的复制是异步的，没有固定延迟", ms(setup.replication_lag)),
                ));
            }
        }
        Backend::Zookeeper => {
            out.push(Text::new(
                format!("ZooKeeper session {} ms in the lab · Curator default 60 s (sessionTimeoutMs; connection 15 s), ZooKeeper allows 2 to 20 × tickTime", ms(setup.session_timeout)),
                format!("实验中 ZooKeeper 会话 {} 毫秒 · Curator 默认 60 秒（sessionTimeoutMs；连接 15 秒），ZooKeeper 允许 tickTime 的 2 到 20 倍", ms(setup.session_timeout)),
            ));
            out.push(Text::new(
                format!("heartbeat every {} ms in the lab · the ZooKeeper client pings after about a third of the session timeout without traffic", ms(setup.heartbeat)),
                format!("实验中每 {} 毫秒心跳 · ZooKeeper 客户端在大约三分之一会话超时内没有通信时发送 ping", ms(setup.heartbeat)),
            ));
        }
    }
    out
}

fn service(lang: Lang, world: &World<LocksLab>) -> Html {
    let lab = &world.protocol;
    let now = world.now;
    let up = |n: NodeId| world.node(n).is_some_and(|s| s.is_up());
    let status = |n: NodeId| {
        if up(n) {
            html! {}
        } else {
            html! { <span class="badge down">{ tr(lang, "down", "宕机") }</span> }
        }
    };
    let body = match lab.setup.backend {
        Backend::Database => {
            let Some(db) = &lab.db else { return html! {} };
            let row = match &db.row {
                Some(r) => {
                    let expiry = match r.expires_at {
                        Some(t) if t > now => trf(
                            lang,
                            format!("expires at {t} ms (in {} ms)", t - now),
                            format!("{t} ms 过期（还剩 {} ms）", t - now),
                        ),
                        Some(t) => trf(
                            lang,
                            format!("expired at {t} ms, waiting for the cleanup job"),
                            format!("已于 {t} ms 过期，等待清理任务"),
                        ),
                        None => tr(lang, "no expiry", "没有过期时间").to_string(),
                    };
                    let owner_down = !up(r.owner);
                    html! {
                        <tr data-testid="db-row" class={classes!(owner_down.then_some("stuck"))}>
                            <td>{ r.id }</td><td>{ "lock" }</td><td>{ lab.name(r.owner) }{ if owner_down { tr(lang, " (crashed)", "（已宕机）") } else { "" } }</td><td>{ expiry }</td>
                        </tr>
                    }
                }
                None => {
                    html! { <tr><td colspan="4" class="muted">{ tr(lang, "(no row: the lock is free)", "（没有行：锁是空闲的）") }</td></tr> }
                }
            };
            html! {
                <>
                    <h3>{ "DB · method_lock" }{ status(db.node) }</h3>
                    <p class="hint" data-testid="auto-increment">{ trf(lang,
                        format!("AUTO_INCREMENT has handed out ids up to {}: every INSERT takes one, and a refused one does not give it back (InnoDB).", db.auto_increment),
                        format!("AUTO_INCREMENT 已发出到 id {}：每条 INSERT 都拿一个，被拒绝的也不退回（InnoDB）。", db.auto_increment)) }</p>
                    <table class="service-table">
                        <thead><tr><th>{ "id" }</th><th>{ tr(lang, "method_name (unique)", "method_name（唯一索引）") }</th><th>{ tr(lang, "owner", "持有者") }</th><th>{ tr(lang, "expiry", "过期") }</th></tr></thead>
                        <tbody>{ row }</tbody>
                    </table>
                    <p class="hint">{ trf(lang,
                        format!("Queries the database has served (inserts of waiting clients polling, and deletes): {}. Acquire attempts by client: {}.", db.queries,
                            lab.clients.iter().map(|c| format!("{} {}", c.name, c.queries)).collect::<Vec<_>>().join(", ")),
                        format!("数据库处理过的查询（等待者轮询的插入，以及删除）：{} 次。各客户端的加锁尝试：{}。", db.queries,
                            lab.clients.iter().map(|c| format!("{} {}", c.name, c.queries)).collect::<Vec<_>>().join("、"))) }</p>
                </>
            }
        }
        Backend::Redis => html! {
            <>
                { for lab.redis.iter().map(|r| {
                    let role = if r.master { tr(lang, "master", "主") } else { tr(lang, "replica", "从") };
                    let key = match &r.key {
                        _ if !up(r.node) => html! { <div class="redis-key muted">{ tr(lang, "down: what it held in memory is gone", "宕机：它内存里的数据已丢失") }</div> },
                        Some(k) => {
                            let left = k.expires_at.saturating_sub(now);
                            let pct = (left as f64 / lab.setup.ttl.max(1) as f64 * 100.0).clamp(0.0, 100.0);
                            html! {
                                <div class="redis-key" data-testid={format!("redis-key-{}", lab.name(r.node))}>
                                    <code>{ format!("lock = \"{}#{}\"", lab.name(k.value.client), k.value.nonce) }</code>
                                    <span class="ttl">{ trf(lang, format!("PX left: {left} ms"), format!("剩余 PX：{left} ms")) }</span>
                                    <span class="ttl-bar"><span style={format!("width:{pct:.0}%")}></span></span>
                                </div>
                            }
                        }
                        None => html! { <div class="redis-key muted">{ tr(lang, "lock: (no key)", "lock：（无此键）") }</div> },
                    };
                    html! {
                        <div class="redis-node">
                            <h3>{ format!("{} · {role}", lab.name(r.node)) }{ status(r.node) }</h3>
                            { key }
                            if up(r.node) {
                                <div><code>{ format!("fence = {}", r.counter) }</code>
                                    <span class="hint">{ tr(lang, " · this lab's INCR: SET NX PX gives no token", " · 本实验的 INCR：SET NX PX 不提供令牌") }</span></div>
                            }
                        </div>
                    }
                }) }
            </>
        },
        Backend::Zookeeper => {
            let Some(zk) = &lab.zk else { return html! {} };
            html! {
                <>
                    <h3>{ "ZooKeeper · /lock" }{ status(zk.node) }</h3>
                    <ul class="ztree" data-testid="zk-tree">
                        { for zk.children.iter().enumerate().map(|(i, z)| {
                            let watchers: Vec<String> = zk.watches.iter().filter(|w| w.target == z.seq).map(|w| lab.name(w.watcher)).collect();
                            let watched = if watchers.is_empty() { String::new() } else { trf(lang, format!(" ← watched by {}", watchers.join(", ")), format!(" ← 被 {} 监听", watchers.join("、"))) };
                            html! {
                                <li class={classes!((i == 0).then_some("holder"))}>
                                    <code>{ distlab_core::locks::lab::znode_path(z.seq) }</code>
                                    { format!(" · {} · {} {}", lab.name(z.owner), tr(lang, "session", "会话"), z.session) }
                                    if i == 0 { <strong>{ tr(lang, " · lowest: holds the lock", " · 最小：持有锁") }</strong> }
                                    <span class="watchers">{ watched }</span>
                                </li>
                            }
                        }) }
                        if zk.children.is_empty() {
                            <li class="muted">{ tr(lang, "(no children: the lock is free)", "（没有子节点：锁是空闲的）") }</li>
                        }
                    </ul>
                    <p class="hint" data-testid="zk-counts" data-notifications={zk.watch_events.to_string()}>{ trf(lang,
                        format!("Watch notifications sent: {}; children lists re-read: {}.", zk.watch_events, zk.rereads),
                        format!("已发送的监听通知：{} 次；重新读取子节点列表：{} 次。", zk.watch_events, zk.rereads)) }</p>
                    <ul class="sessions">
                        { for zk.sessions.iter().map(|s| html! {
                            <li class={classes!(s.expired.then_some("expired"))}>
                                { trf(lang, format!("session {} of {}: last heartbeat at {} ms", s.id, lab.name(s.client), s.last_heard), format!("{} 的会话 {}：最后心跳 {} ms", lab.name(s.client), s.id, s.last_heard)) }
                                if s.expired { <strong>{ tr(lang, " · expired", " · 已过期") }</strong> }
                                else if !zk.children.iter().any(|z| z.session == s.id) { { tr(lang, " · open, no node: kept after a release", " · 打开着、没有节点：释放锁后保留") } }
                            </li>
                        }) }
                    </ul>
                </>
            }
        }
    };
    html! {
        <section class="panel lock-service" data-testid="lock-service">
            <h2>{ tr(lang, "Lock service", "锁服务") }</h2>
            { body }
            <ul class="hint lab-times" data-testid="lab-times" aria-label={tr(lang, "Lab time and the real defaults", "实验时间与真实默认值")}>
                { for lab_times(lab).iter().map(|t| html! { <li>{ t.get(lang).to_string() }</li> }) }
            </ul>
        </section>
    }
}

/// The storage's log of writes; the rows from `fresh` on were written by the step on screen.
fn write_log(lang: Lang, lab: &LocksLab, fresh: usize) -> Html {
    html! {
        <section class="panel write-log" data-testid="write-log">
            <h2>{ tr(lang, "Storage: every write it received", "存储：收到的每一次写入") }</h2>
            <p class="hint">{ if lab.fencing {
                tr(lang, "Fencing is on: a write with a token older than the newest accepted one is rejected.", "防护令牌已开启：令牌比已接受的最新令牌旧的写入会被拒绝。")
            } else {
                tr(lang, "Fencing is off: every write is accepted; the token is only recorded.", "防护令牌未开启：所有写入都会被接受，令牌只是被记录下来。")
            } }</p>
            <table class="journeys">
                <thead><tr>
                    <th>{ tr(lang, "time", "时间") }</th><th>{ tr(lang, "client", "客户端") }</th><th>{ tr(lang, "token", "令牌") }</th><th>{ tr(lang, "result", "结果") }</th>
                </tr></thead>
                <tbody>
                    { for lab.resource.log.iter().enumerate().map(|(k, w)| {
                        let (class, what) = if !w.accepted {
                            ("rejected", tr(lang, "rejected (older token)", "拒绝（令牌更旧）").to_string())
                        } else if let Some(g) = w.overlaps {
                            let other = lab.grants.get(g).map_or_else(|| "?".to_string(), |g| lab.name(g.client));
                            ("unsafe", trf(lang, format!("accepted, while {} held the lock: two holders", other), format!("已接受，而此时 {} 持有锁：两个持有者", other)))
                        } else if w.stale {
                            ("unsafe", tr(lang, "accepted with an older token", "以更旧的令牌被接受").to_string())
                        } else {
                            ("accepted", tr(lang, "accepted", "已接受").to_string())
                        };
                        html! {
                            <tr class={classes!(class, (k >= fresh).then_some("fresh"))} data-testid="write">
                                <td>{ format!("{} ms", w.at) }</td><td>{ lab.name(w.client) }</td><td>{ w.token }</td><td>{ what }</td>
                            </tr>
                        }
                    }) }
                </tbody>
            </table>
            if lab.resource.log.is_empty() {
                <p class="muted">{ tr(lang, "(no write yet)", "（还没有写入）") }</p>
            }
        </section>
    }
}

fn controls(lang: Lang, world: &World<LocksLab>, dispatch: &Callback<Msg<LocksLab>>) -> Html {
    let lab = &world.protocol;
    let mut enabled = Vec::new();
    world.protocol.ops(&world.nodes, &mut enabled);
    let can = |op: &LockOp| enabled.contains(op);
    html! {
        <section class="panel jms-controls" data-testid="locks-controls">
            <h2>{ tr(lang, "Act on the run", "操作") }</h2>
            <p class="hint">{ tr(lang,
                "Each action forks the run at the step on screen. Pause or crash a client with the fault buttons.",
                "每个操作都会在当前这一步分叉。用故障按钮让客户端暂停或宕机。") }</p>
            { advance_button(tr(lang, "Next event", "下一个事件"), world.next_due().is_some(), dispatch) }
            { for lab.clients.iter().enumerate().map(|(i, c)| {
                let node = i as NodeId;
                let name = c.name.clone();
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { button(dispatch, format!("acquire-{name}"), tr(lang, "acquire", "加锁").into(), LockOp::Acquire { client: node }, can(&LockOp::Acquire { client: node })) }
                        { button(dispatch, format!("write-{name}"), tr(lang, "write", "写入").into(), LockOp::Write { client: node }, can(&LockOp::Write { client: node })) }
                        { button(dispatch, format!("release-{name}"), tr(lang, "release", "释放").into(), LockOp::Release { client: node }, can(&LockOp::Release { client: node })) }
                    </div>
                }
            }) }
            <div class="row">
                <strong>{ tr(lang, "settings", "设置") }</strong>
                { button(dispatch, "set-fencing".into(), if lab.fencing { tr(lang, "fencing tokens: on → off", "防护令牌：开 → 关") } else { tr(lang, "fencing tokens: off → on", "防护令牌：关 → 开") }.into(), LockOp::SetFencing { on: !lab.fencing }, true) }
                if lab.setup.backend == Backend::Redis {
                    { button(dispatch, "set-safe-release".into(), if lab.safe_release { tr(lang, "release: compare-and-delete → plain DEL", "释放：比较后删除 → 普通 DEL") } else { tr(lang, "release: plain DEL → compare-and-delete", "释放：普通 DEL → 比较后删除") }.into(), LockOp::SetSafeRelease { on: !lab.safe_release }, true) }
                }
                if lab.setup.backend == Backend::Zookeeper {
                    { button(dispatch, "set-herd".into(), if lab.herd { tr(lang, "watch: the lowest node → the predecessor", "监听：最小节点 → 前一个节点") } else { tr(lang, "watch: the predecessor → the lowest node", "监听：前一个节点 → 最小节点") }.into(), LockOp::SetHerd { on: !lab.herd }, true) }
                }
            </div>
        </section>
    }
}

/// The faults the explorer may inject in this lesson: pause each client for longer than its lease
/// or session, crash each client, and crash the Redis master.
fn explorer_faults(lab: &LocksLab) -> Vec<FaultChoice<LockOp>> {
    let long = match lab.setup.backend {
        Backend::Zookeeper => lab.setup.session_timeout * 2,
        Backend::Redis => lab.setup.ttl.max(1) * 2,
        Backend::Database => lab.setup.ttl.max(lab.setup.cleanup_every).max(100) * 2,
    };
    let mut out = Vec::new();
    for (i, c) in lab.clients.iter().enumerate() {
        out.push(FaultChoice {
            label: Text::new(
                format!("pause {} for {long} ms", c.name),
                format!("暂停 {} {long} 毫秒", c.name),
            ),
            action: Action::Fault {
                fault: Fault::Pause {
                    node: i as NodeId,
                    ms: long,
                },
            },
            on: true,
        });
    }
    for (i, c) in lab.clients.iter().enumerate() {
        out.push(FaultChoice {
            label: Text::new(format!("crash {}", c.name), format!("{} 宕机", c.name)),
            action: Action::Fault {
                fault: Fault::Crash { node: i as NodeId },
            },
            on: false,
        });
    }
    if let Some(m) = lab
        .redis
        .iter()
        .find(|r| r.master)
        .filter(|_| lab.setup.replica)
    {
        out.push(FaultChoice {
            label: Text::new("crash the Redis master", "Redis 主节点宕机"),
            action: Action::Fault {
                fault: Fault::Crash { node: m.node },
            },
            on: false,
        });
    }
    out
}

pub fn view(
    player: &Player<LocksLab>,
    session: &Session<LocksLab>,
    dispatch: &Callback<Msg<LocksLab>>,
) -> Html {
    let lang = player.lang;
    let world = &session.state;
    // What the step on screen added: the writes and the grants past those of the state before it.
    let fresh = session.before().map_or((0, 0), |w| {
        (w.protocol.resource.log.len(), w.protocol.grants.len())
    });
    let start = session.run.run.state_at(0);
    let faults = explorer_faults(&start.protocol);
    let lesson: Rc<distlab_core::Scenario<LocksLab>> = session.scenario.clone();
    let on_load = dispatch.reform(Msg::Import);
    html! {
        <div class="jms-lab locks-lab">
            { timeline(lang, session, fresh) }
            <div class="locks-panels">
                { service(lang, world) }
                { write_log(lang, &world.protocol, fresh.0) }
            </div>
            { controls(lang, world, dispatch) }
            <ExplorerPanel<LocksLab> {lang} {lesson} {faults} {on_load} />
        </div>
    }
}

impl crate::lab::LabView for LocksLab {
    type Variant = crate::lab::NoVariant;

    fn view(player: &Player<LocksLab>, dispatch: &Callback<Msg<LocksLab>>) -> Html {
        view(player, &player.lab, dispatch)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn ticks_are_round_and_few() {
        for (span, step) in [
            (100, 20),
            (440, 100),
            (586, 100),
            (1000, 200),
            (7, 1),
            (3_000, 500),
        ] {
            assert_eq!(tick_step(span), step, "span {span}");
            assert!(span / tick_step(span) <= 7);
        }
        // No span makes the loop run away.
        assert!(tick_step(u64::MAX) > 0);
    }

    #[test]
    fn labels_that_would_touch_go_to_the_next_lane() {
        // The second starts before the first ends; the third starts after it.
        let spans: Vec<Placed> = [(0.0, 50.0), (40.0, 90.0), (60.0, 100.0), (200.0, 220.0)]
            .iter()
            .map(|&(start, end)| Placed {
                start,
                end,
                x: start,
                anchor: "start",
            })
            .collect();
        assert_eq!(lanes(&spans), vec![0, 1, 0, 0]);
    }

    /// Lab time is compressed: every number the lab uses is shown beside the real default (or
    /// the note that the real system has none), in both languages.
    #[test]
    fn every_lab_time_is_shown_beside_the_real_default() {
        use distlab_core::locks::LocksSetup;
        for backend in [Backend::Database, Backend::Redis, Backend::Zookeeper] {
            let mut s = LocksSetup::new(backend, &["A"]);
            match backend {
                Backend::Database => {
                    s.ttl = 300;
                    s.cleanup_every = 200;
                }
                Backend::Redis => s.replica = true,
                Backend::Zookeeper => {}
            }
            let lines = lab_times(&LocksLab::new(&s).unwrap());
            assert!(lines.len() >= 2, "{backend:?}");
            for t in &lines {
                assert!(t.en.contains(" in the lab · "), "{}", t.en);
                assert!(
                    t.zh.starts_with("实验中") && t.zh.contains(" · "),
                    "{}",
                    t.zh
                );
            }
        }
        let mut s = LocksSetup::new(Backend::Redis, &["A"]);
        s.replica = true;
        let all: Vec<String> = lab_times(&LocksLab::new(&s).unwrap())
            .into_iter()
            .map(|t| t.en)
            .collect();
        assert!(all.iter().any(|l| l.contains("lockWatchdogTimeout")));
        assert!(all
            .iter()
            .any(|l| l.contains("down-after-milliseconds 30 s")));
        assert!(all.iter().any(|l| l.contains("renewed every 10 s")));
        assert!(
            !all.iter().any(|l| l.contains("failover-timeout")),
            "failover-timeout is not how long a failover takes"
        );
        let zk = lab_times(&LocksLab::new(&LocksSetup::new(Backend::Zookeeper, &["A"])).unwrap());
        assert!(zk[0].en.contains("Curator default 60 s"));
    }

    #[test]
    fn a_label_near_the_right_edge_ends_there() {
        assert_eq!(label_at(100.0, 50.0).anchor, "start");
        let placed = label_at(TL_W - 20.0, 50.0);
        assert_eq!(placed.anchor, "end");
        assert!(placed.end <= TL_W && placed.start >= 0.0);
    }
}
