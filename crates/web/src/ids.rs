//! The IDs lab's view: the servers with their clocks and the services behind them, the bits of
//! the last id coloured by field, the stream of ids with duplicates and ids out of order flagged,
//! the charts (ids per millisecond against the 4,096 a worker can mint, pages an index writes per
//! 1,000 inserts), a decoder for any id, the controls, and the side-by-side comparison under
//! another guard, scheme or persistence setting.

mod charts;
mod decoder;

use distlab_core::ids::clock::time_text;
use distlab_core::ids::lab::{
    IdsLab, IdsMsg, IdsNote, IdsOp, LayoutName, Minter, Scheme, Service, WorkerIds,
};
use distlab_core::ids::redis::{Aof, LoadedFrom, Persisted, Persistence};
use distlab_core::ids::snowflake::{
    Field, Guard, Report, StartError, Started, WaitCause, WorkerSource,
};
use distlab_core::ids::uuids::{self, V7ClockBack};
use distlab_core::kernel::{Event, NodeId, NodeStatus, World};
use distlab_core::scenario::Scenario;
use distlab_core::text::plural;
use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::views::{advance_button, op_button as button};

use crate::diagram::{self, n1, node_box, Chip, Stack, SMALL, TEXT};
use crate::i18n::{describe_message_event, thousands, tr, trf};
use crate::lab::Variant;
use crate::player::{Msg, Player, Session};

/// The diagram's width in viewBox units: about the CSS px of its stage on a 1280×720 projector.
const W: f64 = 840.0;
const GAP: f64 = 12.0;

/// An id as the narration writes it (a UUID shortened to its first group).
fn short_id(lab: &IdsLab, id: u128) -> String {
    if lab.is_uuid() {
        let text = uuids::view(id).text;
        format!("{}…", &text[..8])
    } else {
        id.to_string()
    }
}

/// Up to three ids, and how many more.
fn id_list(lab: &IdsLab, ids: impl Iterator<Item = u128>) -> String {
    let ids: Vec<u128> = ids.collect();
    let mut out: Vec<String> = ids.iter().take(3).map(|&id| short_id(lab, id)).collect();
    if ids.len() > 3 {
        out.truncate(2);
        out.push(format!("… {}", short_id(lab, ids[ids.len() - 1])));
    }
    out.join(", ")
}

/// What a message carries, in a few words.
pub fn summary(lang: Lang, msg: &IdsMsg) -> String {
    match msg {
        IdsMsg::Insert { count } => trf(
            lang,
            format!("INSERT {}", plural(u64::from(*count), "row", "rows")),
            format!("INSERT {} 行", thousands(u64::from(*count))),
        ),
        IdsMsg::Inserted { ids } | IdsMsg::Incremented { ids } => {
            let list: Vec<String> = ids.iter().take(3).map(u64::to_string).collect();
            let more = if ids.len() > 3 { ", …" } else { "" };
            trf(
                lang,
                format!("ids {}{more}", list.join(", ")),
                format!("ID {}{more}", list.join("、")),
            )
        }
        IdsMsg::Incr { count } => format!("INCR id ×{}", thousands(u64::from(*count))),
        IdsMsg::LoadSegment => "UPDATE leaf_alloc SET max_id = max_id + step".to_string(),
        IdsMsg::SegmentLoaded { segment } => trf(
            lang,
            format!("segment [{}, {})", segment.start(), segment.max()),
            format!("号段 [{}, {})", segment.start(), segment.max()),
        ),
        IdsMsg::Register { .. } => tr(
            lang,
            "register: find or create my node",
            "注册：查找或创建我的节点",
        )
        .to_string(),
        IdsMsg::Registered { result } => match result {
            Ok(s) => trf(
                lang,
                format!("worker id {}", s.worker),
                format!("worker ID {}", s.worker),
            ),
            Err(_) => tr(lang, "refused", "拒绝").to_string(),
        },
        IdsMsg::Report { wall_ms } => trf(
            lang,
            format!("my clock: {}", time_text(*wall_ms)),
            format!("我的时钟：{}", time_text(*wall_ms)),
        ),
    }
}

fn server_name(lab: &IdsLab, server: usize) -> &str {
    lab.servers.get(server).map_or("?", |s| s.name.as_str())
}

fn started_text(lang: Lang, name: &str, result: &Result<Started, StartError>) -> String {
    match result {
        Ok(Started {
            worker,
            source: WorkerSource::NewNode { path },
        }) => trf(
            lang,
            format!("{name} created {path} and took worker id {worker}"),
            format!("{name} 创建了 {path}，拿到 worker ID {worker}"),
        ),
        Ok(Started {
            worker,
            source: WorkerSource::OwnNode { path },
        }) => trf(
            lang,
            format!("{name} found its node {path} and took worker id {worker} again"),
            format!("{name} 找到自己的节点 {path}，再次使用 worker ID {worker}"),
        ),
        Ok(Started { worker, .. }) => trf(
            lang,
            format!("{name} cannot reach ZooKeeper and takes worker id {worker} from its local cache file"),
            format!("{name} 连不上 ZooKeeper，改用本地缓存文件里的 worker ID {worker}"),
        ),
        Err(e) => {
            let why = e.text();
            trf(
                lang,
                format!("{name} does not start: {}", why.en),
                format!("{name} 无法启动：{}", why.zh),
            )
        }
    }
}

/// A lab note as a sentence.
pub fn describe_note(lang: Lang, lab: &IdsLab, note: &IdsNote) -> String {
    match note {
        IdsNote::Minted {
            server,
            first,
            count,
            duplicates,
        } => {
            let name = server_name(lab, *server);
            let from = *first as usize;
            let to = (from + *count as usize).min(lab.stream.len());
            let list = id_list(lab, lab.stream[from.min(to)..to].iter().map(|m| m.id));
            let n = u64::from(*count);
            let mut text = trf(
                lang,
                format!("{name} minted {}: {list}", plural(n, "id", "ids")),
                format!("{name} 生成了 {} 个 ID：{list}", thousands(n)),
            );
            if *duplicates > 0 {
                let d = u64::from(*duplicates);
                text.push_str(&trf(
                    lang,
                    format!(" — {} handed out before!", plural(d, "id was", "ids were")),
                    format!("——其中 {} 个以前已经发过！", thousands(d)),
                ));
            }
            text
        }
        IdsNote::Waiting {
            server,
            until_ms,
            cause,
            pending,
        } => {
            let name = server_name(lab, *server);
            let until = time_text(*until_ms);
            let p = u64::from(*pending);
            match cause {
                WaitCause::SequenceExhausted => trf(
                    lang,
                    format!("{name} has used every sequence number of this millisecond: {} until its clock reads {until}", plural(p, "request waits", "requests wait")),
                    format!("{name} 用完了这一毫秒的所有序列号：{} 个请求等到时钟走到 {until}", thousands(p)),
                ),
                WaitCause::ClockBackwards { behind_ms } => trf(
                    lang,
                    format!("{name}'s clock is {} ms behind its last id: {} twice that, until {until}, and then read the clock again", thousands(*behind_ms), plural(p, "request waits", "requests wait")),
                    format!("{name} 的时钟比上一个 ID 晚 {} 毫秒：{} 个请求等待两倍的时间，到 {until} 再读一次时钟", thousands(*behind_ms), thousands(p)),
                ),
            }
        }
        IdsNote::Refused {
            server,
            count,
            refusal,
        } => {
            let name = server_name(lab, *server);
            let why = refusal.text();
            let n = u64::from(*count);
            trf(
                lang,
                format!("{name} refuses {}: {}", plural(n, "request", "requests"), why.en),
                format!("{name} 拒绝了 {} 个请求：{}", thousands(n), why.zh),
            )
        }
        IdsNote::Failed { server, count, why } => {
            let name = server_name(lab, *server);
            if *count == 0 {
                return trf(lang, format!("{name}: {}", why.en), format!("{name}：{}", why.zh));
            }
            let n = u64::from(*count);
            trf(
                lang,
                format!("{name}: {} failed: {}", plural(n, "request", "requests"), why.en),
                format!("{name}：{} 个请求失败：{}", thousands(n), why.zh),
            )
        }
        IdsNote::Registered { server, result } => {
            started_text(lang, server_name(lab, *server), result)
        }
        IdsNote::Reported { server, report } => {
            let name = server_name(lab, *server);
            match report {
                Report::Written => trf(
                    lang,
                    format!("ZooKeeper records {name}'s clock in its node"),
                    format!("ZooKeeper 在 {name} 的节点里记下它的时钟"),
                ),
                Report::SkippedClockBehind => trf(
                    lang,
                    format!("{name}'s clock is behind its last report, so it does not report"),
                    format!("{name} 的时钟落后于上次上报的时间，这次不上报"),
                ),
                Report::Failed => trf(
                    lang,
                    format!("{name}'s report cannot reach ZooKeeper"),
                    format!("{name} 的上报到不了 ZooKeeper"),
                ),
                Report::NotReporting => trf(
                    lang,
                    format!("{name} does not report"),
                    format!("{name} 不上报"),
                ),
            }
        }
        IdsNote::SegmentLoaded { server, segment } => {
            let name = server_name(lab, *server);
            trf(
                lang,
                format!("{name} now holds segment [{}, {})", segment.start(), segment.max()),
                format!("{name} 拿到号段 [{}, {})", segment.start(), segment.max()),
            )
        }
        IdsNote::Discarded { server, ids } => {
            let name = server_name(lab, *server);
            trf(
                lang,
                format!("{name} went down with {} in its buffers: they are never handed out (a gap)", plural(*ids, "id", "ids")),
                format!("{name} 宕机时缓冲区里还有 {} 个 ID：它们永远不会被发出（留下空洞）", thousands(*ids)),
            )
        }
        IdsNote::DatabaseAdded {
            database,
            increment,
            offset,
        } => trf(
            lang,
            format!("db{} joins with auto_increment_increment = {increment}, auto_increment_offset = {offset}", database.saturating_add(1)),
            format!("db{} 加入，auto_increment_increment = {increment}，auto_increment_offset = {offset}", database.saturating_add(1)),
        ),
        IdsNote::SettingsSet {
            database,
            increment,
            offset,
        } => trf(
            lang,
            format!("db{}: SET GLOBAL auto_increment_increment = {increment}, auto_increment_offset = {offset}", database.saturating_add(1)),
            format!("db{}：SET GLOBAL auto_increment_increment = {increment}，auto_increment_offset = {offset}", database.saturating_add(1)),
        ),
        IdsNote::Persisted { what } => match what {
            Persisted::Snapshot { value, .. } => trf(
                lang,
                format!("Redis writes an RDB snapshot: the counter at {value} is on disk"),
                format!("Redis 写入 RDB 快照：计数器 {value} 落盘了"),
            ),
            Persisted::Fsync { value, .. } => trf(
                lang,
                format!("Redis fsyncs its AOF: the counter at {value} is on disk"),
                format!("Redis 对 AOF 执行 fsync：计数器 {value} 落盘了"),
            ),
        },
        IdsNote::RedisLost { value, durable } => trf(
            lang,
            format!("Redis goes down with the counter at {value} in memory; on disk it is {durable}"),
            format!("Redis 宕机时内存里的计数器是 {value}；磁盘上是 {durable}"),
        ),
        IdsNote::RedisRestarted { restarted } => match restarted.from {
            LoadedFrom::Aof => trf(
                lang,
                format!("Redis restarts and replays its AOF: the counter is {}", restarted.value),
                format!("Redis 重启并重放 AOF：计数器为 {}", restarted.value),
            ),
            LoadedFrom::Rdb => trf(
                lang,
                format!("Redis restarts and loads its RDB snapshot: the counter is {}", restarted.value),
                format!("Redis 重启并加载 RDB 快照：计数器为 {}", restarted.value),
            ),
            LoadedFrom::Nothing => trf(
                lang,
                "Redis restarts with nothing on disk: the counter is 0".to_string(),
                "Redis 重启，磁盘上什么也没有：计数器为 0".to_string(),
            ),
        },
        IdsNote::Indexed { report } => trf(
            lang,
            format!(
                "the index takes {}: {} written, {}",
                plural(u64::from(report.inserted), "row", "rows"),
                plural(u64::from(report.pages_touched), "page", "pages"),
                plural(u64::from(report.splits), "split", "splits")
            ),
            format!(
                "索引插入 {} 行：写了 {} 个页，分裂 {} 次",
                thousands(u64::from(report.inserted)),
                thousands(u64::from(report.pages_touched)),
                thousands(u64::from(report.splits))
            ),
        ),
    }
}

impl crate::player::Narrate for IdsLab {
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
            |m| summary(lang, m),
            |n| describe_note(lang, lab, n),
        )
    }
}

/// A node's wall clock, in Unix ms.
fn clock_of(world: &World<IdsLab>, node: NodeId) -> u64 {
    let offset = world
        .nodes
        .get(usize::from(node))
        .map_or(0, |n| n.clock_offset);
    let w =
        i128::from(world.protocol.setup.start_unix_ms) + i128::from(world.now) + i128::from(offset);
    w.clamp(0, i128::from(u64::MAX)) as u64
}

fn status_of(
    lang: Lang,
    world: &World<IdsLab>,
    node: NodeId,
) -> Option<(&'static str, &'static str)> {
    match world.nodes.get(usize::from(node)).map(|n| n.status) {
        Some(NodeStatus::Down) => Some((tr(lang, "✗ down", "✗ 宕机"), "down")),
        Some(NodeStatus::Paused { .. }) => Some((tr(lang, "⏸ paused", "⏸ 暂停"), "paused")),
        _ => None,
    }
}

fn node_class(world: &World<IdsLab>, node: NodeId) -> &'static str {
    match world.nodes.get(usize::from(node)).map(|n| n.status) {
        Some(NodeStatus::Down) => "node down",
        Some(NodeStatus::Paused { .. }) => "node paused",
        _ => "node",
    }
}

/// The lines of a server's box.
fn server_lines(lang: Lang, world: &World<IdsLab>, i: usize, s: &mut Stack) {
    let lab = &world.protocol;
    let server = &lab.servers[i];
    let offset = world
        .nodes
        .get(usize::from(server.node))
        .map_or(0, |n| n.clock_offset);
    let clock = time_text(clock_of(world, server.node));
    if offset == 0 {
        s.line(
            "node-line clock",
            &trf(lang, format!("clock {clock}"), format!("时钟 {clock}")),
        );
    } else {
        let sign = if offset < 0 { "−" } else { "+" };
        let by = thousands(offset.unsigned_abs());
        let text = trf(
            lang,
            format!("clock {clock} ({sign}{by} ms)"),
            format!("时钟 {clock}（{sign}{by} 毫秒）"),
        );
        s.line(
            if offset < 0 {
                "node-line clock back"
            } else {
                "node-line clock"
            },
            &text,
        );
    }
    match &server.minter {
        Minter::Snowflake {
            generator,
            leaf,
            serving,
            waiting_until,
        } => {
            if let (Some(leaf), false) = (leaf, serving) {
                // Never registered and nothing failed yet: it has not been started.
                if leaf.cached_worker.is_none() && server.failed == 0 {
                    s.line(
                        "node-line muted",
                        tr(
                            lang,
                            "not started: no worker id yet",
                            "未启动：还没有 worker ID",
                        ),
                    );
                } else {
                    s.line(
                        "node-line bad",
                        tr(
                            lang,
                            "no worker id: not serving",
                            "没有 worker ID：不提供服务",
                        ),
                    );
                }
            } else {
                let dc = if generator.layout.bits(Field::Datacenter) > 0 {
                    trf(
                        lang,
                        format!("datacenter {} · ", generator.datacenter),
                        format!("数据中心 {} · ", generator.datacenter),
                    )
                } else {
                    String::new()
                };
                s.line("node-line", &format!("{dc}worker {}", generator.worker));
            }
            if let Some(last) = generator.last_ms {
                s.text(
                    "node-line small",
                    SMALL,
                    &trf(
                        lang,
                        format!("last id: {} · seq {}", time_text(last), generator.sequence),
                        format!(
                            "上一个 ID：{} · 序列号 {}",
                            time_text(last),
                            generator.sequence
                        ),
                    ),
                );
            }
            if let Some(until) = waiting_until {
                s.line(
                    "node-line warn",
                    &trf(
                        lang,
                        format!(
                            "{} wait for {}",
                            plural(u64::from(server.pending), "request", "requests"),
                            time_text(*until)
                        ),
                        format!(
                            "{} 个请求等到 {}",
                            thousands(u64::from(server.pending)),
                            time_text(*until)
                        ),
                    ),
                );
            }
        }
        Minter::UuidV4 => {
            s.line(
                "node-line",
                tr(lang, "UUID v4: 122 random bits", "UUID v4：122 位随机数"),
            );
        }
        Minter::UuidV7(g) => {
            let line = match g.last_ms() {
                Some(ms) => trf(
                    lang,
                    format!("UUID v7 · last {} · counter {}", time_text(ms), g.counter()),
                    format!(
                        "UUID v7 · 上一个 {} · 计数器 {}",
                        time_text(ms),
                        g.counter()
                    ),
                ),
                None => "UUID v7".to_string(),
            };
            s.line("node-line", &line);
        }
        Minter::Remote => {
            if server.pending > 0 {
                s.line(
                    "node-line warn",
                    &trf(
                        lang,
                        format!(
                            "waits for {}",
                            plural(u64::from(server.pending), "id", "ids")
                        ),
                        format!("等待 {} 个 ID", thousands(u64::from(server.pending))),
                    ),
                );
            }
        }
        Minter::Segment(seg) => {
            let range = |x: Option<&distlab_core::ids::segment::Segment>| {
                x.map_or_else(
                    || "—".to_string(),
                    |g| format!("[{}, {})", g.start(), g.max()),
                )
            };
            let next = seg.current().map_or(0, |c| c.value());
            s.line(
                "node-line",
                &trf(
                    lang,
                    format!("segment {} · next {next}", range(seg.current())),
                    format!("号段 {} · 下一个 {next}", range(seg.current())),
                ),
            );
            let spare = if seg.is_loading() {
                tr(lang, "loading…", "加载中…").to_string()
            } else {
                range(seg.next())
            };
            s.line(
                "node-line",
                &trf(
                    lang,
                    format!("spare {spare} · {} left", thousands(seg.remaining())),
                    format!("备用 {spare} · 剩 {} 个", thousands(seg.remaining())),
                ),
            );
        }
    }
    let mut counts = trf(
        lang,
        format!("minted {}", thousands(server.minted)),
        format!("已发 {}", thousands(server.minted)),
    );
    if server.failed > 0 {
        counts.push_str(&trf(
            lang,
            format!(" · failed {}", thousands(server.failed)),
            format!(" · 失败 {}", thousands(server.failed)),
        ));
    }
    s.line(
        if server.failed > 0 {
            "node-line bad"
        } else {
            "node-line"
        },
        &counts,
    );
}

/// A box of the diagram: its title, its node (none for the index, a table on no node of its
/// own), and its lines with their CSS classes.
type NodeBox = (String, Option<NodeId>, Vec<(String, &'static str)>);

/// The boxes of the services.
fn services(lang: Lang, world: &World<IdsLab>) -> Vec<NodeBox> {
    let lab = &world.protocol;
    let mut boxes = service_boxes(lang, world);
    if let Some(index) = &lab.index {
        let mut lines = vec![(
            trf(
                lang,
                format!(
                    "{} · {} of {} keys",
                    plural(index.len(), "row", "rows"),
                    plural(u64::from(index.leaf_pages()), "leaf page", "leaf pages"),
                    index.keys_per_page()
                ),
                format!(
                    "{} 行 · {} 个叶子页，每页 {} 个键",
                    thousands(index.len()),
                    thousands(u64::from(index.leaf_pages())),
                    index.keys_per_page()
                ),
            ),
            "node-line",
        )];
        if let Some(r) = lab.last_batch {
            lines.push((
                trf(
                    lang,
                    format!(
                        "last {} inserts: {} written, {}",
                        thousands(u64::from(r.inserted)),
                        plural(u64::from(r.pages_touched), "page", "pages"),
                        plural(u64::from(r.splits), "split", "splits")
                    ),
                    format!(
                        "最近 {} 次插入：写了 {} 个页，分裂 {} 次",
                        thousands(u64::from(r.inserted)),
                        thousands(u64::from(r.pages_touched)),
                        thousands(u64::from(r.splits))
                    ),
                ),
                if r.pages_touched * 10 > r.inserted.max(1) {
                    "node-line bad"
                } else {
                    "node-line"
                },
            ));
        }
        boxes.push((
            tr(
                lang,
                "orders: primary key (InnoDB)",
                "orders 表：主键索引（InnoDB）",
            )
            .to_string(),
            None,
            lines,
        ));
    }
    boxes
}

/// The boxes of the scheme's own services.
fn service_boxes(lang: Lang, world: &World<IdsLab>) -> Vec<NodeBox> {
    let lab = &world.protocol;
    match &lab.service {
        Service::None => Vec::new(),
        Service::Databases { cluster, nodes } => nodes
            .iter()
            .enumerate()
            .map(|(i, &node)| {
                let name = format!("db{}", i + 1);
                let lines = match cluster.databases().get(i) {
                    Some(db) => vec![
                        (
                            format!("increment {} · offset {}", db.increment(), db.offset()),
                            "node-line",
                        ),
                        (
                            trf(
                                lang,
                                format!("next id {}", db.next_value()),
                                format!("下一个 ID {}", db.next_value()),
                            ),
                            "node-line",
                        ),
                    ],
                    None => vec![(
                        tr(lang, "spare: not in service yet", "备用：尚未加入").to_string(),
                        "node-line muted",
                    )],
                };
                (name, Some(node), lines)
            })
            .collect(),
        Service::SegmentDb { db, node } => {
            let lines = db
                .rows()
                .iter()
                .map(|r| {
                    (
                        format!(
                            "leaf_alloc '{}': max_id {} · step {}",
                            r.biz_tag, r.max_id, r.step
                        ),
                        "node-line",
                    )
                })
                .collect();
            vec![("db".to_string(), Some(*node), lines)]
        }
        Service::Redis { counter, node, .. } => {
            let p = counter.persistence();
            let mut lines = vec![(
                trf(
                    lang,
                    format!("id = {} in memory", counter.value()),
                    format!("内存中 id = {}", counter.value()),
                ),
                "node-line",
            )];
            if !p.save_points.is_empty() {
                let rdb = counter
                    .rdb_value()
                    .map_or_else(|| "—".to_string(), |v| v.to_string());
                lines.push((
                    trf(
                        lang,
                        format!("RDB snapshot: {rdb}"),
                        format!("RDB 快照：{rdb}"),
                    ),
                    "node-line",
                ));
            }
            if p.aof != Aof::Off {
                lines.push((
                    trf(
                        lang,
                        format!("AOF on disk: {}", counter.aof_value()),
                        format!("AOF 已落盘：{}", counter.aof_value()),
                    ),
                    "node-line",
                ));
            }
            if p.save_points.is_empty() && p.aof == Aof::Off {
                lines.push((
                    tr(lang, "no persistence", "不持久化").to_string(),
                    "node-line bad",
                ));
            }
            vec![("redis".to_string(), Some(*node), lines)]
        }
        Service::Registry { registry, node } => {
            let mut lines: Vec<(String, &'static str)> = registry
                .nodes
                .iter()
                .map(|n| {
                    (
                        format!(
                            "{}-{:010} · {}",
                            n.address,
                            n.sequence,
                            time_text(n.reported_ms)
                        ),
                        "node-line",
                    )
                })
                .collect();
            if lines.is_empty() {
                lines.push((
                    tr(
                        lang,
                        "/snowflake/leaf/forever: empty",
                        "/snowflake/leaf/forever：空",
                    )
                    .to_string(),
                    "node-line muted",
                ));
            } else {
                lines.insert(
                    0,
                    ("/snowflake/leaf/forever".to_string(), "node-line small"),
                );
            }
            vec![("zk".to_string(), Some(*node), lines)]
        }
    }
}

/// A row of boxes, each `w` wide: returns the drawing and its height.
fn row(boxes: Vec<(Html, f64, &'static str, String)>, y: f64, w: f64) -> (Html, f64) {
    let h = boxes.iter().map(|b| b.1).fold(0.0, f64::max);
    let html = html! {
        <>
            { for boxes.into_iter().enumerate().map(|(i, (body, _, class, testid))| {
                let x = i as f64 * (w + GAP);
                html! {
                    <g class={class} transform={format!("translate({},{})", n1(x), n1(y))} data-testid={testid}>
                        <rect width={n1(w)} height={n1(h)} rx="10" />
                        { body }
                    </g>
                }
            }) }
        </>
    };
    (html, h)
}

fn box_width(n: usize) -> f64 {
    let n = n.max(1) as f64;
    ((W - GAP * (n - 1.0)) / n).min(W)
}

/// The bits of an id, coloured by field: (label, bits, value text, CSS class) from the most
/// significant bit down, and the bits as text.
fn fields_of(
    lang: Lang,
    lab: &IdsLab,
    id: u128,
) -> (Vec<(String, u32, String, &'static str)>, u32) {
    match &lab.setup.scheme {
        Scheme::Snowflake { layout, .. } => {
            let layout = layout.layout();
            let parts = layout.decompose(id as u64);
            let mut out = Vec::new();
            let unused = layout.unused_bits();
            if unused > 0 {
                out.push(("0".to_string(), unused, String::new(), "f-unused"));
            }
            let mut ranges = layout.field_ranges();
            ranges.sort_by_key(|r| core::cmp::Reverse(r.low));
            for r in ranges {
                if r.bits == 0 {
                    continue;
                }
                let (label, value, class) = match r.field {
                    Field::Time => (tr(lang, "time", "时间"), time_text(parts.unix_ms), "f-time"),
                    Field::Datacenter => (
                        tr(lang, "datacenter", "数据中心"),
                        parts.datacenter.to_string(),
                        "f-dc",
                    ),
                    Field::Worker => (
                        tr(lang, "worker", "worker"),
                        parts.worker.to_string(),
                        "f-worker",
                    ),
                    Field::Sequence => (
                        tr(lang, "sequence", "序列号"),
                        parts.sequence.to_string(),
                        "f-seq",
                    ),
                };
                out.push((label.to_string(), r.bits, value, class));
            }
            (out, 64)
        }
        Scheme::UuidV4 | Scheme::UuidV7 { .. } => {
            let v = uuids::view(id);
            let v7 = v.version == 7;
            let first = if v7 {
                (
                    tr(lang, "unix_ts_ms", "unix_ts_ms").to_string(),
                    48,
                    v.unix_ms.map(time_text).unwrap_or_default(),
                    "f-time",
                )
            } else {
                (
                    tr(lang, "random", "随机").to_string(),
                    48,
                    String::new(),
                    "f-rand",
                )
            };
            let second = if v7 {
                (
                    "rand_a".to_string(),
                    12,
                    trf(
                        lang,
                        format!("counter {}", v.rand_a.unwrap_or(0)),
                        format!("计数器 {}", v.rand_a.unwrap_or(0)),
                    ),
                    "f-seq",
                )
            } else {
                (
                    tr(lang, "random", "随机").to_string(),
                    12,
                    String::new(),
                    "f-rand",
                )
            };
            (
                vec![
                    first,
                    (
                        tr(lang, "ver", "版本").to_string(),
                        4,
                        v.version.to_string(),
                        "f-ver",
                    ),
                    second,
                    (
                        tr(lang, "variant + random", "变体 + 随机").to_string(),
                        64,
                        String::new(),
                        "f-rand",
                    ),
                ],
                128,
            )
        }
        _ => (
            vec![(
                tr(
                    lang,
                    "a counter: no time, no machine",
                    "一个计数器：没有时间，也没有机器",
                )
                .to_string(),
                64,
                id.to_string(),
                "f-counter",
            )],
            64,
        ),
    }
}

/// The last id's bits, drawn at `y`; returns the drawing and its height.
fn bits_figure(lang: Lang, lab: &IdsLab, y: f64) -> (Html, f64) {
    let Some(last) = lab.stream.last() else {
        let text = tr(lang, "No id minted yet.", "还没有生成 ID。");
        return (
            html! { <text class="node-line muted" x="0" y={n1(y + TEXT)} style={diagram::font(TEXT)}>{ text }</text> },
            TEXT * 1.6,
        );
    };
    let id = last.id;
    let (fields, total) = fields_of(lang, lab, id);
    let hex = total == 128;
    let mono = 17.0;
    let title = trf(
        lang,
        format!(
            "The last id, {} from {}:",
            lab.id_text(id),
            lab.servers[usize::from(last.server)].name
        ),
        format!(
            "最新的 ID：{}，来自 {}：",
            lab.id_text(id),
            lab.servers[usize::from(last.server)].name
        ),
    );
    let mut x = 0.0;
    let mut shift = total;
    let mut parts = Vec::new();
    let box_y = y + 34.0;
    let box_h = 34.0;
    for (k, (label, bits, value, class)) in fields.into_iter().enumerate() {
        shift -= bits;
        let field = if bits >= 128 {
            id
        } else {
            (id >> shift) & ((1u128 << bits) - 1)
        };
        let text = if hex {
            let n = (bits / 4).max(1) as usize;
            format!("{field:0n$x}")
        } else {
            format!("{field:0n$b}", n = bits as usize)
        };
        let w = f64::from(bits) / f64::from(total) * W;
        let label_line = if value.is_empty() {
            label.clone()
        } else {
            format!("{label}: {value}")
        };
        // Labels under the boxes on two rows, so that two narrow neighbours never overlap.
        let label_y = box_y + box_h + SMALL * (1.2 + 1.3 * (k % 2) as f64);
        let width = diagram::text_width(&label_line, SMALL);
        let (lx, anchor) = if x + width > W {
            (x + w, "end")
        } else {
            (x, "start")
        };
        parts.push(html! {
            <g class={classes!("field", class)}>
                <rect x={n1(x)} y={n1(box_y)} width={n1(w)} height={n1(box_h)} />
                <text class="bits" x={n1(x + w / 2.0)} y={n1(box_y + 23.0)} text-anchor="middle" style={diagram::font(mono)}>{ text }</text>
                <text class="field-label" x={n1(lx)} y={n1(label_y)} text-anchor={anchor} style={diagram::font(SMALL)}>{ label_line.clone() }</text>
                <title>{ format!("{label_line} ({bits} bits)") }</title>
            </g>
        });
        x += w;
    }
    let h = 34.0 + box_h + SMALL * 2.9;
    (
        html! {
            <g data-testid="ids-bits">
                <text class="node-title" x="0" y={n1(y + 22.0)} style={diagram::font(TEXT)}>{ title }</text>
                { for parts }
            </g>
        },
        h,
    )
}

/// The servers, what is in flight, the services, and the last id's bits.
fn graph(lang: Lang, session: &Session<IdsLab>) -> Html {
    let world = &session.state;
    let lab = &world.protocol;
    let n = lab.servers.len();
    let w = box_width(n);
    let servers: Vec<(Html, f64, &'static str, String)> = (0..n)
        .map(|i| {
            let node = lab.servers[i].node;
            let (body, h) = node_box(&lab.servers[i].name, status_of(lang, world, node), w, |s| {
                server_lines(lang, world, i, s)
            });
            (
                body,
                h,
                node_class(world, node),
                format!("server-{}", lab.servers[i].name),
            )
        })
        .collect();
    let (servers_html, servers_h) = row(servers, 0.0, w);
    let mut y = servers_h + GAP;
    // Messages on their way.
    let chips: Vec<Chip> = world
        .net
        .in_flight
        .iter()
        .map(|env| {
            let from = world
                .nodes
                .get(usize::from(env.from))
                .map_or("?", |n| n.name.as_str());
            let to = world
                .nodes
                .get(usize::from(env.to))
                .map_or("?", |n| n.name.as_str());
            Chip {
                label: format!("{from} → {to}: {}", summary(lang, &env.msg)),
                class: "waiting",
                title: format!("#{}", env.id),
                wrap: None,
                changed: false,
            }
        })
        .collect();
    let flight = if chips.is_empty() {
        Html::default()
    } else {
        let mut s = Stack::new(0.0, y, W);
        s.chips(&chips, "");
        let (html, h) = s.finish();
        y += h + GAP / 2.0;
        html
    };
    let svc = services(lang, world);
    let svc_html = if svc.is_empty() {
        Html::default()
    } else {
        let sw = box_width(svc.len());
        let boxes = svc
            .into_iter()
            .map(|(name, node, lines)| {
                let status = node.and_then(|n| status_of(lang, world, n));
                let (body, h) = node_box(&name, status, sw, |s| {
                    for (line, class) in &lines {
                        s.text(
                            class,
                            if class.contains("small") { SMALL } else { TEXT },
                            line,
                        );
                    }
                });
                let class = node.map_or("node", |n| node_class(world, n));
                (body, h, class, format!("service-{name}"))
            })
            .collect();
        let (html, h) = row(boxes, y, sw);
        y += h + GAP;
        html
    };
    let (bits, bits_h) = bits_figure(lang, lab, y);
    y += bits_h;
    html! {
        <figure class="diagram jms-graph ids-graph">
            <svg data-testid="ids-graph" viewBox={format!("0 0 {} {}", W as u32, y.ceil() as u32 + 4)} role="img"
                aria-label={tr(lang, "The servers with their clocks, the services, and the bits of the last id", "服务器和它们的时钟、后端服务，以及最新 ID 的各个位")}>
                { servers_html }
                { flight }
                { svc_html }
                { bits }
            </svg>
        </figure>
    }
}

/// The last ids minted, newest first, with what is wrong with each.
fn stream(lang: Lang, lab: &IdsLab, fresh: usize) -> Html {
    const SHOWN: usize = 10;
    let total = lab.stream.len();
    let layout = lab.layout();
    let rows: Vec<Html> = lab
        .stream
        .iter()
        .enumerate()
        .rev()
        .take(SHOWN)
        .map(|(i, m)| {
            let server = &lab.servers[usize::from(m.server)].name;
            let fields = match layout {
                Some(l) => {
                    let p = l.decompose(m.id as u64);
                    let machine = if l.bits(Field::Datacenter) > 0 {
                        format!("{}/{}", p.datacenter, p.worker)
                    } else {
                        p.worker.to_string()
                    };
                    format!("{} · {machine} · {}", time_text(p.unix_ms), p.sequence)
                }
                None => match lab.time_of(m.id) {
                    Some(ms) => time_text(ms),
                    None => String::new(),
                },
            };
            let mut flags: Vec<(String, &'static str)> = Vec::new();
            if let Some(first) = m.flags.duplicate_of {
                flags.push((trf(lang, format!("✗ duplicate of #{}", first + 1), format!("✗ 与 #{} 重复", first + 1)), "bad"));
            }
            if m.flags.not_increasing {
                flags.push((tr(lang, "✗ not greater than its server's last", "✗ 不大于本服务的上一个").to_string(), "bad"));
            }
            if m.flags.out_of_order {
                flags.push((tr(lang, "⚠ out of time order", "⚠ 时间顺序错乱").to_string(), "warn"));
            }
            let class = if m.flags.duplicate_of.is_some() || m.flags.not_increasing {
                "bad"
            } else if m.flags.out_of_order {
                "warn"
            } else {
                ""
            };
            html! {
                <tr class={classes!(class, (i >= fresh).then_some("fresh"))}>
                    <td class="num">{ format!("#{}", i + 1) }</td>
                    <td>{ server.clone() }</td>
                    <td class={classes!("id", lab.is_uuid().then_some("uuid"))}>{ lab.id_text(m.id) }</td>
                    if layout.is_none() {
                        <td>{ time_text(m.wall_ms) }</td>
                    }
                    if !fields.is_empty() {
                        <td>{ fields }</td>
                    }
                    <td>{ for flags.into_iter().map(|(t, c)| html! { <span class={classes!("flag", c)}>{ t }</span> }) }</td>
                </tr>
            }
        })
        .collect();
    let fields_head = if layout.is_some() {
        tr(lang, "time · machine · seq", "时间 · 机器 · 序列号")
    } else if matches!(lab.setup.scheme, Scheme::UuidV7 { .. }) {
        tr(lang, "time in the id", "ID 中的时间")
    } else {
        ""
    };
    html! {
        <section class="panel ids-stream" data-testid="ids-stream">
            <h2>{ trf(lang, format!("The ids, newest first ({} in all)", thousands(total as u64)), format!("生成的 ID，最新的在前（共 {} 个）", thousands(total as u64))) }</h2>
            if total == 0 {
                <p class="muted">{ tr(lang, "(no id yet)", "（还没有 ID）") }</p>
            } else {
                <table class="journeys">
                    <thead><tr>
                        <th></th><th>{ tr(lang, "server", "服务") }</th><th>{ "id" }</th>
                        if layout.is_none() {
                            <th>{ tr(lang, "minted at", "生成时间") }</th>
                        }
                        if !fields_head.is_empty() {
                            <th>{ fields_head }</th>
                        }
                        <th></th>
                    </tr></thead>
                    <tbody>{ for rows }</tbody>
                </table>
            }
        </section>
    }
}

fn controls(lang: Lang, world: &World<IdsLab>, dispatch: &Callback<Msg<IdsLab>>) -> Html {
    let lab = &world.protocol;
    let snowflake = lab.layout().is_some();
    let registry = matches!(
        lab.setup.scheme,
        Scheme::Snowflake {
            workers: WorkerIds::Registry,
            ..
        }
    );
    html! {
        <section class="panel jms-controls" data-testid="ids-controls">
            <h2>{ tr(lang, "Act on the run", "操作") }</h2>
            <p class="hint">{ tr(lang,
                "Each action forks the run at the step on screen. Step a clock back with the fault buttons (clock jump), or crash a server or a database.",
                "每个操作都会在当前这一步分叉。用故障按钮回拨时钟（时钟跳变），或让服务器、数据库宕机。") }</p>
            { advance_button(tr(lang, "Next event", "下一个事件"), world.next_due().is_some(), dispatch) }
            { for lab.servers.iter().enumerate().map(|(i, s)| {
                let name = s.name.clone();
                let up = world.nodes.get(usize::from(s.node)).is_some_and(|n| n.is_up());
                html! {
                    <div class="row">
                        <strong>{ &name }</strong>
                        { button(dispatch, format!("mint1-{name}"), tr(lang, "1 id", "1 个 ID").into(), IdsOp::Mint { server: i, count: 1 }, up) }
                        { button(dispatch, format!("mint10-{name}"), tr(lang, "10 ids", "10 个 ID").into(), IdsOp::Mint { server: i, count: 10 }, up) }
                        if snowflake {
                            { button(dispatch, format!("mint4097-{name}"), tr(lang, "4,097 ids", "4,097 个 ID").into(), IdsOp::Mint { server: i, count: 4097 }, up) }
                        }
                        if registry {
                            { button(dispatch, format!("start-{name}"), tr(lang, "start", "启动").into(), IdsOp::Start { server: i }, up) }
                        }
                    </div>
                }
            }) }
            if let Service::Databases { cluster, nodes } = &lab.service {
                if cluster.databases().len() < nodes.len() {
                    <div class="row">
                        { {
                            let n = cluster.databases().len() as u16 + 1;
                            button(dispatch, "add-database".into(),
                                trf(lang, format!("add db{n} (increment {n}, offset {n})"), format!("加入 db{n}（increment {n}，offset {n}）")),
                                IdsOp::AddDatabase { increment: n, offset: n }, true)
                        } }
                    </div>
                }
            }
        </section>
    }
}

/// What the lab compresses, beside the real default.
pub fn lab_times(lab: &IdsLab) -> Vec<Text> {
    let mut out = Vec::new();
    match &lab.setup.scheme {
        Scheme::Redis { persistence } => {
            for sp in &persistence.save_points {
                out.push(Text::new(
                    format!("save after {} s with {} in the lab · Redis 7's default: save 3600 1 300 100 60 10000 (an hour with one change)", sp.after_ms / 1000, plural(sp.changes, "change", "changes")),
                    format!("实验中 {} 秒内有 {} 次修改就保存 · Redis 7 默认：save 3600 1 300 100 60 10000（一次修改要等一小时）", sp.after_ms / 1000, sp.changes),
                ));
            }
            if let Aof::EverySec { interval_ms } = persistence.aof {
                out.push(Text::new(
                    format!("appendfsync everysec: an fsync every {} ms in the lab · Redis: every 1,000 ms", thousands(interval_ms)),
                    format!("实验中 appendfsync everysec 每 {} 毫秒 fsync 一次 · Redis：每 1,000 毫秒", thousands(interval_ms)),
                ));
            }
        }
        Scheme::Segment { step } => out.push(Text::new(
            format!("step {} ids in the lab · Leaf doubles the step up to 1,000,000 so that a segment lasts about 15 minutes", thousands(*step)),
            format!("实验中步长 {} 个 ID · Leaf 会把步长加倍（最多 1,000,000），让一个号段大约用 15 分钟", thousands(*step)),
        )),
        Scheme::Snowflake { workers: WorkerIds::Registry, .. } => out.push(Text::new(
            "a report to ZooKeeper every 3 s in the lab · Leaf: every 3 s (ScheduledUploadData)",
            "实验中每 3 秒向 ZooKeeper 上报一次 · Leaf：每 3 秒（ScheduledUploadData）",
        )),
        _ => {}
    }
    if lab.setup.link.latency_max <= 1 && !matches!(lab.service, Service::None) {
        out.push(Text::new(
            "1 ms between a server and its database in the lab · about 0.1 to 1 ms in one datacenter",
            "实验中服务与数据库之间 1 毫秒 · 同一机房内大约 0.1 到 1 毫秒",
        ));
    }
    out
}

/// For random ids, the chance of a collision among those minted so far (the birthday bound).
fn birthday_line(lang: Lang, lab: &IdsLab) -> Option<String> {
    let n = lab.stream.len() as u64;
    match lab.setup.scheme {
        Scheme::UuidV4 => {
            let p = uuids::probability_text(uuids::v4_collision_probability(n as f64));
            Some(trf(
                lang,
                format!("{} so far: the chance that two of them are equal is about {p} (the birthday bound n² / 2¹²³, with 122 random bits); 50% takes about 2.7 × 10¹⁸ ids.", plural(n, "random id", "random ids")),
                format!("到目前为止 {} 个随机 ID：其中两个相同的概率约为 {p}（生日界 n² / 2¹²³，122 位随机数）；要约 2.7 × 10¹⁸ 个 ID 才到 50%。", thousands(n)),
            ))
        }
        Scheme::UuidV7 { .. } => Some(tr(
            lang,
            "Only ids of the same millisecond can collide: on one server the 12-bit counter tells them apart, across servers their 74 random bits do.",
            "只有同一毫秒内的 ID 才可能碰撞：同一台服务靠 12 位计数器区分，不同服务靠它们的 74 位随机数区分。",
        ).to_string()),
        _ => None,
    }
}

/// The scheme in one line.
fn scheme_line(lang: Lang, lab: &IdsLab) -> String {
    match &lab.setup.scheme {
        Scheme::Snowflake {
            layout,
            guard,
            workers,
        } => {
            let layout = match layout {
                LayoutName::Twitter => tr(
                    lang,
                    "Twitter layout 1 + 41 + 5 + 5 + 12 bits",
                    "Twitter 布局 1 + 41 + 5 + 5 + 12 位",
                ),
                LayoutName::Leaf => tr(
                    lang,
                    "Leaf layout 1 + 41 + 10 + 12 bits",
                    "Leaf 布局 1 + 41 + 10 + 12 位",
                ),
                LayoutName::Sonyflake => tr(
                    lang,
                    "Sonyflake layout 1 + 39 + 8 + 16 bits",
                    "Sonyflake 布局 1 + 39 + 8 + 16 位",
                ),
            };
            let workers = match workers {
                WorkerIds::Static => tr(lang, "worker ids configured", "worker ID 由配置指定"),
                WorkerIds::Registry => tr(
                    lang,
                    "worker ids from ZooKeeper",
                    "worker ID 来自 ZooKeeper",
                ),
            };
            format!(
                "{}: {layout}; {}; {workers}",
                tr(lang, "Snowflake", "雪花算法"),
                guard_name(lang, *guard)
            )
        }
        Scheme::UuidV4 => tr(
            lang,
            "UUID v4 (RFC 9562): 122 random bits",
            "UUID v4（RFC 9562）：122 位随机数",
        )
        .to_string(),
        Scheme::UuidV7 { .. } => tr(
            lang,
            "UUID v7 (RFC 9562): 48 bits of Unix ms, a 12-bit counter, 62 random bits",
            "UUID v7（RFC 9562）：48 位 Unix 毫秒、12 位计数器、62 位随机数",
        )
        .to_string(),
        Scheme::AutoIncrement { databases, .. } => trf(
            lang,
            format!(
                "MySQL AUTO_INCREMENT on {}",
                plural(databases.len() as u64, "database", "databases")
            ),
            format!("MySQL AUTO_INCREMENT，{} 台数据库", databases.len()),
        ),
        Scheme::Segment { step } => trf(
            lang,
            format!(
                "Leaf-segment: ranges of {} ids from one database row, double buffer",
                thousands(*step)
            ),
            format!(
                "Leaf 号段模式：每次从数据库的一行取 {} 个 ID，双缓冲",
                thousands(*step)
            ),
        ),
        Scheme::Redis { persistence } => trf(
            lang,
            format!("Redis INCR, {}", persistence_name(Lang::En, persistence)),
            format!("Redis INCR，{}", persistence_name(Lang::Zh, persistence)),
        ),
    }
}

fn guard_name(lang: Lang, guard: Guard) -> String {
    match guard {
        Guard::None => tr(lang, "no guard against a clock going back", "不防时钟回拨").to_string(),
        Guard::Refuse => tr(
            lang,
            "refuses while the clock is behind (Twitter)",
            "时钟落后时拒绝（Twitter）",
        )
        .to_string(),
        Guard::WaitSmall { max_ms } => trf(
            lang,
            format!("waits out a step back of up to {max_ms} ms, refuses a bigger one (Leaf)"),
            format!("回拨不超过 {max_ms} 毫秒就等待，更多则拒绝（Leaf）"),
        ),
    }
}

fn persistence_name(lang: Lang, p: &Persistence) -> String {
    let rdb = !p.save_points.is_empty();
    match (rdb, p.aof) {
        (false, Aof::Off) => tr(lang, "no persistence", "不持久化").to_string(),
        (true, Aof::Off) => tr(lang, "RDB snapshots only", "只有 RDB 快照").to_string(),
        (_, Aof::EverySec { .. }) => tr(
            lang,
            "AOF, appendfsync everysec",
            "AOF，appendfsync everysec",
        )
        .to_string(),
        (_, Aof::Always) => {
            tr(lang, "AOF, appendfsync always", "AOF，appendfsync always").to_string()
        }
    }
}

/// The settings the comparison can change for this lesson.
fn variants(lab: &IdsLab) -> Vec<IdsVariant> {
    match &lab.setup.scheme {
        Scheme::Snowflake { guard, .. } => [Guard::None, Guard::Refuse, Guard::LEAF]
            .into_iter()
            .filter(|g| g != guard)
            .map(IdsVariant::Guard)
            .collect(),
        Scheme::UuidV4 | Scheme::UuidV7 { .. } => [
            IdsVariant::Scheme(Scheme::UuidV4),
            IdsVariant::Scheme(Scheme::UuidV7 { clock_back: V7ClockBack::ReusePrevious }),
            IdsVariant::Scheme(Scheme::Snowflake { layout: LayoutName::Twitter, guard: Guard::Refuse, workers: WorkerIds::Static }),
        ]
        .into_iter()
        .filter(|v| !matches!(v, IdsVariant::Scheme(s) if std::mem::discriminant(s) == std::mem::discriminant(&lab.setup.scheme)))
        .collect(),
        Scheme::Redis { persistence } => [
            Persistence::none(),
            Persistence::aof_everysec(),
            Persistence::aof_always(),
        ]
        .into_iter()
        .filter(|p| p != persistence)
        .map(IdsVariant::Persistence)
        .collect(),
        Scheme::Segment { step } => [100, 1000]
            .into_iter()
            .filter(|s| s != step)
            .map(IdsVariant::Step)
            .collect(),
        Scheme::AutoIncrement { .. } => Vec::new(),
    }
}

/// A setting of the IDs lab that the side-by-side view can change.
#[derive(Clone, Debug, PartialEq)]
pub enum IdsVariant {
    Guard(Guard),
    Scheme(Scheme),
    Persistence(Persistence),
    Step(u64),
}

impl IdsVariant {
    /// The changed setting, in words.
    fn label(&self) -> Text {
        match self {
            IdsVariant::Guard(g) => Text::new(guard_name(Lang::En, *g), guard_name(Lang::Zh, *g)),
            IdsVariant::Scheme(s) => {
                let name = |lang| match s {
                    Scheme::UuidV4 => tr(lang, "with UUID v4", "使用 UUID v4"),
                    Scheme::UuidV7 { .. } => tr(lang, "with UUID v7", "使用 UUID v7"),
                    _ => tr(lang, "with snowflake ids", "使用雪花 ID"),
                };
                Text::new(name(Lang::En), name(Lang::Zh))
            }
            IdsVariant::Persistence(p) => Text::new(
                format!("with {}", persistence_name(Lang::En, p)),
                format!("使用{}", persistence_name(Lang::Zh, p)),
            ),
            IdsVariant::Step(step) => Text::new(
                format!("with a step of {}", thousands(*step)),
                format!("步长为 {}", thousands(*step)),
            ),
        }
    }
}

impl Variant<IdsLab> for IdsVariant {
    fn key(&self) -> String {
        match self {
            IdsVariant::Guard(g) => format!("guard:{g:?}"),
            IdsVariant::Scheme(s) => format!("scheme:{s:?}"),
            IdsVariant::Persistence(p) => format!("persistence:{p:?}"),
            IdsVariant::Step(s) => format!("step:{s}"),
        }
    }

    fn apply(&self, scenario: &Scenario<IdsLab>) -> (Scenario<IdsLab>, Text) {
        let mut changed = scenario.clone();
        match self {
            IdsVariant::Guard(g) => {
                if let Scheme::Snowflake { guard, .. } = &mut changed.setup.scheme {
                    *guard = *g;
                }
            }
            IdsVariant::Scheme(s) => changed.setup.scheme = s.clone(),
            IdsVariant::Persistence(p) => {
                changed.setup.scheme = Scheme::Redis {
                    persistence: p.clone(),
                }
            }
            IdsVariant::Step(step) => changed.setup.scheme = Scheme::Segment { step: *step },
        }
        (changed, self.label())
    }
}

fn compare(
    lang: Lang,
    world: &World<IdsLab>,
    comparing: Option<&str>,
    dispatch: &Callback<Msg<IdsLab>>,
) -> Html {
    let options: Vec<(String, String, IdsVariant)> = variants(&world.protocol)
        .into_iter()
        .map(|v| (v.key(), v.label().get(lang).to_string(), v))
        .collect();
    if options.is_empty() {
        return Html::default();
    }
    crate::views::compare::panel(lang, options, comparing, dispatch.reform(Msg::Compare))
}

pub fn view(
    player: &Player<IdsLab>,
    session: &Session<IdsLab>,
    dispatch: &Callback<Msg<IdsLab>>,
) -> Html {
    let lang = player.lang;
    let world = &session.state;
    let lab = &world.protocol;
    let fresh = session.before().map_or(0, |w| w.protocol.stream.len());
    let times = lab_times(lab);
    let compared = player.compare.as_ref();
    let rate = charts::per_unit(lab).map(std::rc::Rc::new);
    // The last batch of inserts: (pages written per 1,000, inserts, rows before it).
    let run_index = lab.last_batch.filter(|r| r.inserted > 0).map(|r| {
        let rows = lab.index.as_ref().map_or(0, |i| i.len());
        (
            u64::from(r.pages_touched) * 1000 / u64::from(r.inserted),
            u64::from(r.inserted),
            rows.saturating_sub(u64::from(r.inserted)),
        )
    });
    html! {
        <div class="jms-lab ids-lab">
            <p class="ids-scheme" data-testid="ids-scheme">{ scheme_line(lang, lab) }</p>
            if let Some(line) = birthday_line(lang, lab) {
                <p class="hint ids-birthday" data-testid="ids-birthday">{ line }</p>
            }
            if let Some(c) = compared {
                { crate::views::compare::side_by_side(lang, &c.label,
                    html! { <>{ graph(lang, session) }{ charts::summary(lang, &session.state.protocol) }{ crate::jms::invariant_summary(lang, session.violations()) }</> },
                    html! { <>{ graph(lang, &c.lab) }{ charts::summary(lang, &c.lab.state.protocol) }{ crate::jms::invariant_summary(lang, c.lab.violations()) }</> }) }
            } else {
                { graph(lang, session) }
            }
            { stream(lang, lab, fresh) }
            <charts::Charts {lang} {rate} {run_index} />
            if !times.is_empty() {
                <section class="panel lab-times" data-testid="lab-times">
                    <h2>{ tr(lang, "Lab time and real defaults", "实验时间与真实默认值") }</h2>
                    <ul>{ for times.iter().map(|t| html! { <li>{ t.get(lang).to_string() }</li> }) }</ul>
                </section>
            }
            <decoder::Decoder {lang} />
            { controls(lang, world, dispatch) }
            { compare(lang, world, compared.map(|c| c.key.as_str()), dispatch) }
        </div>
    }
}

impl crate::lab::LabView for IdsLab {
    type Variant = IdsVariant;

    fn view(player: &Player<IdsLab>, dispatch: &Callback<Msg<IdsLab>>) -> Html {
        view(player, &player.lab, dispatch)
    }
}
