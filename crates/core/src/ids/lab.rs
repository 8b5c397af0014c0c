//! The IDs lab: application servers mint ids under one scheme (snowflake, UUID v4 or v7, database
//! auto-increment, Leaf-segment, Redis `INCR`) and every id they hand out is checked: unique
//! across all servers, increasing on each server, and roughly in time order across servers.
//!
//! The servers (`app1`, `app2`, …) are the kernel's first nodes; the services a scheme needs
//! follow them: the databases (`db1`, …), `redis`, or the ZooKeeper-like registry `zk`. A server's
//! wall clock is the lab's start time plus the kernel's clock plus the node's offset, so the
//! kernel's `ClockJump` fault is what moves it (NTP stepping the clock, a VM resumed with an old
//! clock). Requests to a service travel over the kernel's network, so a crash or a partition
//! stops them; the rules of each scheme are those of the models in [`super`], each with its
//! sources (`docs/ids-research.md` collects them).
//!
//! Time is compressed where the real system would take too long to watch: Redis's save points
//! and fsync interval are the lesson's settings (Redis 7 saves after 3,600 s with one change; a
//! lesson may say 6 s), and a server's registry report runs every 3 s as in Leaf.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::autoinc::{AutoIncrement, MAX_DATABASES};
use super::btree::{BTreeIndex, BatchReport, SplitPolicy};
use super::redis::{Persisted, Persistence, RedisCounter, Restarted};
use super::segment::{Segment, SegmentDb, SegmentServer, MAX_STEP};
use super::snowflake::invariants::K_SORTED_MS;
use super::snowflake::{
    ClockBehindAtStart, Generator, Guard, Layout, LeafNode, Outcome, Refusal, Registry, Report,
    StartError, Started, WaitCause, REPORT_INTERVAL_MS,
};
use super::uuids::{self, V7ClockBack, V7Generator, V7Mint};
use crate::kernel::{bounds, Ctx, Envelope, LinkConfig, LossReason, NodeId, NodeState, Protocol};
use crate::kernel::{Severity, Time, Violation, World};
use crate::scenario::{InvariantInfo, Lab, LabInfo, Scenario, StaticText, Topic};
use crate::text::{plural, thousands, Text};

/// Invariant: no id is handed out twice, by any server.
pub const UNIQUE: &str = "ids.unique";
/// Invariant: each server's ids increase.
pub const MONOTONIC: &str = "ids.monotonic";
/// Warning: ids from different servers are roughly in time order: an id minted later carries a
/// time at most [`K_SORTED_MS`] before the newest time already minted (for schemes without a time
/// in the id: it is not smaller than an id minted before it).
pub const TIME_ORDERED: &str = "ids.time-ordered";

/// The most application servers.
pub const MAX_SERVERS: usize = 8;
/// The most ids one request may ask for.
pub const MAX_MINT: u32 = 5_000;
/// The most ids one run may mint: every id is kept for the checks and the view.
pub const MAX_IDS: u64 = 20_000;
/// The most keys per page of the lab's index.
pub const MAX_KEYS_PER_PAGE: u32 = super::btree::MAX_KEYS_PER_PAGE;
/// The start time of the lab's clock: 2026-11-28 09:00:00 in Beijing (UTC+8), in Unix ms.
pub const DEFAULT_START_UNIX_MS: u64 = 1_795_827_600_000;
/// The latest start time accepted (the year 2100), so that every clock stays far from overflow.
pub const MAX_START_UNIX_MS: u64 = 4_102_444_800_000;

/// The snowflake layouts a lab can use.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LayoutName {
    /// Twitter: 41 bits of ms, 5 + 5 bits of datacenter and worker, 12 bits of sequence.
    Twitter,
    /// Meituan Leaf: 41 bits of ms, 10 bits of worker, 12 bits of sequence.
    Leaf,
    /// Sonyflake: 39 bits of 10 ms, 8 bits of sequence, 16 bits of machine.
    Sonyflake,
}

impl LayoutName {
    pub const fn layout(self) -> Layout {
        match self {
            LayoutName::Twitter => Layout::TWITTER,
            LayoutName::Leaf => Layout::LEAF,
            LayoutName::Sonyflake => Layout::SONYFLAKE,
        }
    }
}

/// Where snowflake servers get their worker ids.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum WorkerIds {
    /// Each server's configuration names its datacenter and worker id ([`ServerSetup`]).
    Static,
    /// Each server registers with the registry `zk` and takes its persistent sequential node's
    /// number (Leaf-snowflake), keeping a local cache of it.
    Registry,
}

/// The settings of one of several databases.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct DbSettings {
    /// `auto_increment_increment`.
    pub increment: u16,
    /// `auto_increment_offset`.
    pub offset: u16,
}

/// How ids are minted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case", tag = "kind")]
pub enum Scheme {
    Snowflake {
        layout: LayoutName,
        guard: Guard,
        workers: WorkerIds,
    },
    UuidV4,
    UuidV7 {
        #[serde(default)]
        clock_back: V7ClockBack,
    },
    /// MySQL auto-increment on one or several databases; `spare` more databases exist as nodes
    /// and join when added ([`IdsOp::AddDatabase`]).
    AutoIncrement {
        databases: Vec<DbSettings>,
        #[serde(default)]
        spare: u8,
    },
    /// Leaf-segment: every server takes ranges of `step` ids from one database row.
    Segment {
        step: u64,
    },
    /// Redis `INCR` on one counter.
    Redis {
        persistence: Persistence,
    },
}

/// One application server.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct ServerSetup {
    pub name: String,
    /// Snowflake with static worker ids: the configured datacenter id.
    #[serde(default)]
    pub datacenter: u64,
    /// Snowflake with static worker ids: the configured worker id.
    #[serde(default)]
    pub worker: u64,
}

/// The lab's set-up.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct IdsSetup {
    pub scheme: Scheme,
    pub servers: Vec<ServerSetup>,
    /// The wall-clock time at the lab's time 0, in Unix ms.
    #[serde(default = "default_start")]
    pub start_unix_ms: u64,
    /// The link between the servers and the services.
    #[serde(default = "default_link")]
    pub link: LinkConfig,
    /// Every minted id is inserted into a clustered index whose pages hold this many keys.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub index_keys_per_page: Option<u32>,
}

fn default_start() -> u64 {
    DEFAULT_START_UNIX_MS
}

fn default_link() -> LinkConfig {
    LinkConfig {
        latency_min: 1,
        latency_max: 1,
        loss_permille: 0,
        duplicate_permille: 0,
        fifo: true,
    }
}

impl IdsSetup {
    /// A set-up with `servers` servers named `app1`, `app2`, …, worker ids 1, 2, …
    pub fn new(scheme: Scheme, servers: usize) -> IdsSetup {
        IdsSetup {
            scheme,
            servers: (1..=servers)
                .map(|i| ServerSetup {
                    name: format!("app{i}"),
                    datacenter: 1,
                    worker: i as u64,
                })
                .collect(),
            start_unix_ms: DEFAULT_START_UNIX_MS,
            link: default_link(),
            index_keys_per_page: None,
        }
    }
}

/// What a student or a script can do.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdsOp {
    /// Server `server` (its index) is asked for `count` ids.
    Mint { server: usize, count: u32 },
    /// A snowflake server with registry worker ids starts: it registers with `zk`.
    Start { server: usize },
    /// Auto-increment: the next spare database joins with these settings.
    AddDatabase { increment: u16, offset: u16 },
    /// Auto-increment: `SET GLOBAL auto_increment_increment/offset` on a database.
    SetSettings {
        database: usize,
        increment: u16,
        offset: u16,
    },
}

/// The messages between servers and services.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdsMsg {
    /// `INSERT` of `count` rows into the table whose auto-increment key is the id.
    Insert {
        count: u32,
    },
    Inserted {
        ids: Vec<u64>,
    },
    /// `count` × `INCR id` (a pipeline).
    Incr {
        count: u32,
    },
    Incremented {
        ids: Vec<u64>,
    },
    /// Leaf-segment's `UPDATE leaf_alloc SET max_id = max_id + step` and `SELECT` in one
    /// transaction.
    LoadSegment,
    SegmentLoaded {
        segment: Segment,
    },
    /// Leaf-snowflake's start: find or create the server's persistent sequential node.
    Register {
        wall_ms: u64,
    },
    Registered {
        result: Result<Started, StartError>,
    },
    /// The server's periodic report of its clock to its node (every 3 s).
    Report {
        wall_ms: u64,
    },
}

/// Timers.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdsTimer {
    /// A snowflake server waited for its clock (an exhausted sequence, a small step back).
    Resume { server: usize },
    /// Leaf-snowflake's report to the registry, every 3 s.
    Report { server: usize },
    /// Redis's next save or fsync is due.
    Persist,
}

/// Which check an id broke when it was minted.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Flags {
    /// The index in the stream of the first mint of the same id.
    pub duplicate_of: Option<u32>,
    /// Not greater than the same server's previous id.
    pub not_increasing: bool,
    /// Behind the newest time (or id) already minted, beyond the tolerance.
    pub out_of_order: bool,
}

/// One minted id.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Mint {
    pub server: u16,
    /// The id; 64-bit ids are widened.
    pub id: u128,
    /// The lab's clock when it was minted.
    pub at: Time,
    /// The server's wall clock then (Unix ms).
    pub wall_ms: u64,
    pub flags: Flags,
}

/// What happened, as numbers: the view writes the sentences.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum IdsNote {
    /// Ids `first .. first + count` of the stream were minted by `server`.
    Minted {
        server: usize,
        first: u32,
        count: u32,
        duplicates: u32,
    },
    /// A snowflake server waits until its clock reads `until_ms` with `pending` ids to go.
    Waiting {
        server: usize,
        until_ms: u64,
        cause: WaitCause,
        pending: u32,
    },
    /// A snowflake server refused `count` requests.
    Refused {
        server: usize,
        count: u32,
        refusal: Refusal,
    },
    /// A request failed for another reason (a service down, a segment not ready, no worker id).
    Failed {
        server: usize,
        count: u32,
        why: Text,
    },
    Registered {
        server: usize,
        result: Result<Started, StartError>,
    },
    Reported {
        server: usize,
        report: Report,
    },
    SegmentLoaded {
        server: usize,
        segment: Segment,
    },
    /// A server restarted and the ids left in its buffers will never be handed out.
    Discarded {
        server: usize,
        ids: u64,
    },
    DatabaseAdded {
        database: usize,
        increment: u16,
        offset: u16,
    },
    SettingsSet {
        database: usize,
        increment: u16,
        offset: u16,
    },
    /// Redis wrote a snapshot or fsynced its AOF.
    Persisted {
        what: Persisted,
    },
    /// Redis crashed with its counter at `value`.
    RedisLost {
        value: u64,
        durable: u64,
    },
    RedisRestarted {
        restarted: Restarted,
    },
    /// The ids of a step went into the index.
    Indexed {
        report: BatchReport,
    },
}

/// A server's generator.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Minter {
    Snowflake {
        generator: Generator,
        /// The registry client (registry worker ids only).
        leaf: Option<LeafNode>,
        /// Whether it has a worker id and serves.
        serving: bool,
        /// The wall-clock time it waits for.
        waiting_until: Option<u64>,
    },
    UuidV4,
    UuidV7(V7Generator),
    /// Auto-increment and Redis: the service mints.
    Remote,
    Segment(SegmentServer),
}

/// One application server.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Server {
    pub name: String,
    pub node: NodeId,
    pub minter: Minter,
    /// Ids asked for and not yet minted (waiting for the clock, or for a reply).
    pub pending: u32,
    /// The last id this server minted.
    pub last: Option<u128>,
    pub minted: u64,
    pub failed: u64,
    /// Auto-increment: the database the next request goes to (round robin).
    next_db: usize,
}

/// The services behind the servers.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Service {
    None,
    Databases {
        cluster: AutoIncrement,
        /// The nodes of all databases, spare ones included; the first `cluster.databases()`
        /// serve.
        nodes: Vec<NodeId>,
    },
    SegmentDb {
        db: SegmentDb,
        node: NodeId,
    },
    Redis {
        counter: RedisCounter,
        node: NodeId,
        persist_timer: bool,
    },
    Registry {
        registry: Registry,
        node: NodeId,
    },
}

/// The biz_tag of the segment lessons' row.
pub const BIZ_TAG: &str = "order";

/// The lab's state.
#[derive(Clone, Debug, PartialEq)]
pub struct IdsLab {
    pub setup: IdsSetup,
    pub servers: Vec<Server>,
    pub service: Service,
    /// Every id minted, in order.
    pub stream: Vec<Mint>,
    /// Each id's first mint.
    seen: BTreeMap<u128, u32>,
    /// The newest time in an id minted so far (Unix ms), or the largest id for schemes without
    /// one.
    newest: Option<u128>,
    pub duplicates: u32,
    pub not_increasing: u32,
    pub out_of_order: u32,
    pub index: Option<BTreeIndex>,
    /// Pages touched in the index so far, summed over the batches.
    pub index_pages_touched: u64,
    /// What the last batch of inserts did to the index.
    pub last_batch: Option<BatchReport>,
}

impl IdsLab {
    /// The layout of the scheme's ids (snowflake only).
    pub fn layout(&self) -> Option<Layout> {
        match &self.setup.scheme {
            Scheme::Snowflake { layout, .. } => Some(layout.layout()),
            _ => None,
        }
    }

    /// Whether ids are 128-bit UUIDs.
    pub fn is_uuid(&self) -> bool {
        matches!(self.setup.scheme, Scheme::UuidV4 | Scheme::UuidV7 { .. })
    }

    /// The server's wall clock in Unix ms.
    fn wall(&self, ctx: &Ctx<'_, Self>, node: NodeId) -> u64 {
        let w = self.setup.start_unix_ms as i128 + i128::from(ctx.wall_clock(node));
        w.clamp(0, i128::from(u64::MAX)) as u64
    }

    /// The time (Unix ms) an id carries, for the time-order check.
    pub fn time_of(&self, id: u128) -> Option<u64> {
        match &self.setup.scheme {
            Scheme::Snowflake { layout, .. } => Some(layout.layout().decompose(id as u64).unix_ms),
            Scheme::UuidV7 { .. } => uuids::view(id).unix_ms,
            _ => None,
        }
    }

    /// Records minted ids of `server`, checks each, and inserts them into the index.
    fn record(&mut self, server: usize, ids: &[u128], wall_ms: u64, ctx: &mut Ctx<'_, Self>) {
        if ids.is_empty() {
            return;
        }
        let first = self.stream.len() as u32;
        let mut duplicates = 0;
        for &id in ids {
            let index = self.stream.len() as u32;
            let mut flags = Flags::default();
            match self.seen.get(&id) {
                Some(&earlier) => {
                    flags.duplicate_of = Some(earlier);
                    duplicates += 1;
                    self.duplicates += 1;
                }
                None => {
                    self.seen.insert(id, index);
                }
            }
            let s = &mut self.servers[server];
            if s.last.is_some_and(|last| id <= last) {
                flags.not_increasing = true;
                self.not_increasing += 1;
            }
            s.last = Some(id);
            s.minted += 1;
            // A time in the id where it has one (tolerance K_SORTED_MS), else the id itself.
            let (key, tolerance) = match self.time_of(id) {
                Some(ms) => (u128::from(ms), u128::from(K_SORTED_MS)),
                None => (id, 0),
            };
            if let Some(newest) = self.newest {
                if key.saturating_add(tolerance) < newest {
                    flags.out_of_order = true;
                    self.out_of_order += 1;
                }
            }
            self.newest = Some(self.newest.map_or(key, |n| n.max(key)));
            self.stream.push(Mint {
                server: server as u16,
                id,
                at: ctx.now(),
                wall_ms,
                flags,
            });
        }
        ctx.note(IdsNote::Minted {
            server,
            first,
            count: ids.len() as u32,
            duplicates,
        });
        if let Some(index) = &mut self.index {
            if let Ok(report) = index.insert_batch(ids) {
                self.index_pages_touched += u64::from(report.pages_touched);
                self.last_batch = Some(report);
                ctx.note(IdsNote::Indexed { report });
            }
        }
    }

    /// Mints what server `s` can mint now, locally (snowflake, UUID, segment).
    fn pump(&mut self, s: usize, ctx: &mut Ctx<'_, Self>) {
        if self.servers[s].pending == 0 {
            return;
        }
        let node = self.servers[s].node;
        let wall = self.wall(ctx, node);
        let mut ids: Vec<u128> = Vec::new();
        let mut stop: Option<IdsNote> = None;
        let mut load = false;
        let pending = self.servers[s].pending;
        match &mut self.servers[s].minter {
            Minter::Snowflake {
                generator,
                serving,
                waiting_until,
                ..
            } => {
                if !*serving {
                    stop = Some(IdsNote::Failed {
                        server: s,
                        count: pending,
                        why: Text::new(
                            "the server has no worker id yet, so it cannot mint",
                            "服务还没有拿到 worker ID，无法生成 ID",
                        ),
                    });
                } else {
                    *waiting_until = None;
                    while (ids.len() as u32) < pending {
                        match generator.next(wall) {
                            Outcome::Minted { id } => ids.push(u128::from(id)),
                            Outcome::Wait { until_ms, cause } => {
                                *waiting_until = Some(until_ms);
                                stop = Some(IdsNote::Waiting {
                                    server: s,
                                    until_ms,
                                    cause,
                                    pending: pending - ids.len() as u32,
                                });
                                break;
                            }
                            Outcome::Refused(refusal) => {
                                stop = Some(IdsNote::Refused {
                                    server: s,
                                    count: pending - ids.len() as u32,
                                    refusal,
                                });
                                break;
                            }
                        }
                    }
                }
            }
            Minter::UuidV4 => {
                for _ in 0..pending {
                    ids.push(uuids::v4(ctx.rng()).as_u128());
                }
            }
            Minter::UuidV7(generator) => {
                for done in 0..pending {
                    match generator.mint(wall, ctx.rng()) {
                        V7Mint::Minted { id, .. } => ids.push(id),
                        V7Mint::Refused { reason, .. } => {
                            stop = Some(IdsNote::Failed {
                                server: s,
                                count: pending - done,
                                why: reason,
                            });
                            break;
                        }
                    }
                }
            }
            Minter::Segment(server) => {
                for done in 0..pending {
                    let take = server.next_id();
                    load |= take.load.is_some();
                    match take.result {
                        Ok(id) => ids.push(u128::from(id)),
                        // Leaf's request waits for a load in progress (the first load is made by
                        // the request itself; `waitAndSleep` waits for a background one).
                        Err(_) if server.is_loading() => break,
                        Err(why) => {
                            stop = Some(IdsNote::Failed {
                                server: s,
                                count: pending - done,
                                why,
                            });
                            break;
                        }
                    }
                }
            }
            Minter::Remote => return,
        }
        let minted = ids.len() as u32;
        self.record(s, &ids, wall, ctx);
        let server = &mut self.servers[s];
        server.pending -= minted;
        match stop {
            Some(IdsNote::Waiting { until_ms, .. }) => {
                let after = until_ms.saturating_sub(wall).max(1);
                ctx.set_timer(node, after, IdsTimer::Resume { server: s });
            }
            Some(IdsNote::Refused { count, .. }) | Some(IdsNote::Failed { count, .. }) => {
                server.failed += u64::from(count);
                server.pending = 0;
            }
            _ => {}
        }
        if let Some(note) = stop {
            ctx.note(note);
        }
        if load {
            if let Service::SegmentDb { node: db, .. } = self.service {
                ctx.send(node, db, IdsMsg::LoadSegment);
            }
        }
    }

    /// A request to a service was lost or refused: its ids fail.
    fn fail(&mut self, server: usize, count: u32, why: Text, ctx: &mut Ctx<'_, Self>) {
        let s = &mut self.servers[server];
        s.pending = s.pending.saturating_sub(count);
        s.failed += u64::from(count);
        ctx.note(IdsNote::Failed { server, count, why });
    }

    fn server_of(&self, node: NodeId) -> Option<usize> {
        self.servers.iter().position(|s| s.node == node)
    }

    /// Sets Redis's timer for its next save or fsync, if one is due and none is set.
    fn arm_persist(&mut self, ctx: &mut Ctx<'_, Self>) {
        if let Service::Redis {
            counter,
            node,
            persist_timer,
        } = &mut self.service
        {
            if *persist_timer {
                return;
            }
            if let Some(at) = counter.next_persist_ms() {
                let after = at.saturating_sub(ctx.now()).max(1);
                ctx.set_timer(*node, after, IdsTimer::Persist);
                *persist_timer = true;
            }
        }
    }

    /// The ids minted or asked for so far, against [`MAX_IDS`].
    fn ids_used(&self) -> u64 {
        self.stream.len() as u64
            + self
                .servers
                .iter()
                .map(|s| u64::from(s.pending))
                .sum::<u64>()
    }

    /// Builds the world.
    pub fn world(setup: &IdsSetup, seed: u64) -> Result<World<IdsLab>, Text> {
        check_setup(setup)?;
        let mut names: Vec<String> = setup.servers.iter().map(|s| s.name.clone()).collect();
        let first_service = names.len() as NodeId;
        let service = match &setup.scheme {
            Scheme::Snowflake {
                workers: WorkerIds::Registry,
                ..
            } => {
                names.push("zk".to_string());
                Service::Registry {
                    registry: Registry::new("leaf")?,
                    node: first_service,
                }
            }
            Scheme::Snowflake { .. } | Scheme::UuidV4 | Scheme::UuidV7 { .. } => Service::None,
            Scheme::AutoIncrement { databases, spare } => {
                let mut cluster = AutoIncrement::empty();
                for d in databases {
                    cluster.add_database(d.increment, d.offset)?;
                }
                let total = databases.len() + usize::from(*spare);
                let nodes = (0..total)
                    .map(|i| {
                        names.push(format!("db{}", i + 1));
                        first_service + i as NodeId
                    })
                    .collect();
                Service::Databases { cluster, nodes }
            }
            Scheme::Segment { step } => {
                let mut db = SegmentDb::new();
                db.insert_tag(BIZ_TAG, 1, *step)?;
                names.push("db".to_string());
                Service::SegmentDb {
                    db,
                    node: first_service,
                }
            }
            Scheme::Redis { persistence } => {
                names.push("redis".to_string());
                Service::Redis {
                    counter: RedisCounter::new(persistence.clone(), 0)?,
                    node: first_service,
                    persist_timer: false,
                }
            }
        };
        let mut servers = Vec::with_capacity(setup.servers.len());
        for (i, s) in setup.servers.iter().enumerate() {
            servers.push(Server {
                name: s.name.clone(),
                node: i as NodeId,
                minter: new_minter(setup, s)?,
                pending: 0,
                last: None,
                minted: 0,
                failed: 0,
                next_db: 0,
            });
        }
        let index = match setup.index_keys_per_page {
            Some(k) => Some(BTreeIndex::new(k, SplitPolicy::InnoDb)?),
            None => None,
        };
        let lab = IdsLab {
            setup: setup.clone(),
            servers,
            service,
            stream: Vec::new(),
            seen: BTreeMap::new(),
            newest: None,
            duplicates: 0,
            not_increasing: 0,
            out_of_order: 0,
            index,
            index_pages_touched: 0,
            last_batch: None,
        };
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        Ok(World::new(lab, &names, setup.link, seed))
    }

    fn on_service_msg(&mut self, from: NodeId, msg: IdsMsg, ctx: &mut Ctx<'_, Self>) {
        let Some(server) = self.server_of(from) else {
            return;
        };
        let now = ctx.now();
        let bits = self
            .layout()
            .map_or(10, |l| l.bits(super::snowflake::Field::Worker));
        match (msg, &mut self.service) {
            (IdsMsg::Incr { count }, Service::Redis { counter, node, .. }) => {
                let node = *node;
                let mut ids = Vec::with_capacity(count as usize);
                let mut persisted = Vec::new();
                for _ in 0..count {
                    match counter.incr(now) {
                        Ok(incr) => {
                            ids.push(incr.value);
                            persisted.extend(incr.persisted);
                        }
                        Err(_) => break,
                    }
                }
                for what in persisted {
                    ctx.note(IdsNote::Persisted { what });
                }
                ctx.send(node, from, IdsMsg::Incremented { ids });
                self.arm_persist(ctx);
            }
            (IdsMsg::LoadSegment, Service::SegmentDb { db, node }) => {
                let node = *node;
                if let Ok(segment) = db.allocate(BIZ_TAG) {
                    ctx.send(node, from, IdsMsg::SegmentLoaded { segment });
                }
            }
            (IdsMsg::Register { wall_ms }, Service::Registry { registry, node }) => {
                let node = *node;
                if let Minter::Snowflake {
                    leaf: Some(leaf), ..
                } = &mut self.servers[server].minter
                {
                    let result = leaf.start(registry, wall_ms, bits);
                    ctx.send(node, from, IdsMsg::Registered { result });
                }
            }
            (IdsMsg::Report { wall_ms }, Service::Registry { registry, .. }) => {
                if let Minter::Snowflake {
                    leaf: Some(leaf), ..
                } = &mut self.servers[server].minter
                {
                    let report = leaf.report(registry, wall_ms);
                    ctx.note(IdsNote::Reported { server, report });
                }
            }
            _ => {}
        }
    }

    /// A server's worker id arrived (or the registry was out of reach): it serves or it does not.
    fn started(
        &mut self,
        server: usize,
        result: Result<Started, StartError>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let node = self.servers[server].node;
        let guard = match &self.setup.scheme {
            Scheme::Snowflake { guard, .. } => *guard,
            _ => return,
        };
        let layout = self.layout().unwrap_or(Layout::LEAF);
        if let Minter::Snowflake {
            generator,
            serving,
            leaf,
            ..
        } = &mut self.servers[server].minter
        {
            match &result {
                Ok(started) => {
                    if let Ok(g) = Generator::new(layout, guard, 0, started.worker) {
                        *generator = g;
                        *serving = true;
                    }
                    if leaf.as_ref().is_some_and(|l| l.reporting) {
                        ctx.set_timer(node, REPORT_INTERVAL_MS, IdsTimer::Report { server });
                    }
                }
                Err(_) => *serving = false,
            }
        }
        ctx.note(IdsNote::Registered { server, result });
    }
}

fn new_minter(setup: &IdsSetup, s: &ServerSetup) -> Result<Minter, Text> {
    Ok(match &setup.scheme {
        Scheme::Snowflake {
            layout,
            guard,
            workers,
        } => {
            let layout = layout.layout();
            match workers {
                WorkerIds::Static => Minter::Snowflake {
                    generator: Generator::new(layout, *guard, s.datacenter, s.worker)?,
                    leaf: None,
                    serving: true,
                    waiting_until: None,
                },
                WorkerIds::Registry => Minter::Snowflake {
                    generator: Generator::new(layout, *guard, 0, 0)?,
                    leaf: Some(LeafNode::new(&s.name, ClockBehindAtStart::Refuse)?),
                    serving: false,
                    waiting_until: None,
                },
            }
        }
        Scheme::UuidV4 => Minter::UuidV4,
        Scheme::UuidV7 { clock_back } => Minter::UuidV7(V7Generator::new(*clock_back)),
        Scheme::AutoIncrement { .. } | Scheme::Redis { .. } => Minter::Remote,
        Scheme::Segment { .. } => Minter::Segment(SegmentServer::new(BIZ_TAG)?),
    })
}

/// Checks a set-up's numbers and sizes.
pub fn check_setup(setup: &IdsSetup) -> Result<(), Text> {
    if setup.servers.is_empty() || setup.servers.len() > MAX_SERVERS {
        return Err(Text::new(
            format!("The lab needs 1 to {MAX_SERVERS} servers."),
            format!("实验需要 1 到 {MAX_SERVERS} 台服务器。"),
        ));
    }
    for (i, s) in setup.servers.iter().enumerate() {
        bounds::name(("a server's name", "服务器名称"), &s.name)?;
        if s.name.is_empty() || setup.servers[..i].iter().any(|o| o.name == s.name) {
            return Err(Text::new(
                "Every server needs a name of its own.",
                "每台服务器都要有自己的名字。",
            ));
        }
    }
    if setup.start_unix_ms > MAX_START_UNIX_MS {
        return Err(Text::new(
            format!(
                "The start time is after the year 2100 ({} ms since 1970 at most).",
                thousands(MAX_START_UNIX_MS)
            ),
            format!(
                "开始时间晚于 2100 年（最多为 1970 年起的 {} 毫秒）。",
                thousands(MAX_START_UNIX_MS)
            ),
        ));
    }
    setup.link.check()?;
    if let Some(k) = setup.index_keys_per_page {
        BTreeIndex::new(k, SplitPolicy::InnoDb)?;
    }
    match &setup.scheme {
        Scheme::Snowflake { guard, .. } => {
            if let Guard::WaitSmall { max_ms } = guard {
                bounds::span(("the guard's wait", "守卫的等待时间"), *max_ms)?;
            }
        }
        Scheme::AutoIncrement { databases, spare } => {
            if databases.is_empty() || databases.len() + usize::from(*spare) > MAX_DATABASES {
                return Err(Text::new(
                    format!(
                        "Auto-increment needs 1 to {MAX_DATABASES} databases, spare ones included."
                    ),
                    format!("自增 ID 需要 1 到 {MAX_DATABASES} 台数据库（包括备用的）。"),
                ));
            }
        }
        Scheme::Segment { step } => {
            bounds::count(("ids per segment", "每个号段的 ID 数"), *step, MAX_STEP)?;
        }
        Scheme::Redis { persistence } => persistence.check()?,
        Scheme::UuidV4 | Scheme::UuidV7 { .. } => {}
    }
    Ok(())
}

impl Protocol for IdsLab {
    type Msg = IdsMsg;
    type Op = IdsOp;
    type Timer = IdsTimer;
    type Note = IdsNote;

    const DRAWS_RANDOMNESS: bool = true;

    fn check_op(&self, op: &IdsOp, nodes: &[NodeState]) -> Result<(), Text> {
        match *op {
            IdsOp::Mint { server, count } => {
                let Some(s) = self.servers.get(server) else {
                    return Err(no_server(server));
                };
                if !nodes.get(usize::from(s.node)).is_some_and(NodeState::is_up) {
                    return Err(Text::new(
                        format!("{} is not running.", s.name),
                        format!("{} 没有在运行。", s.name),
                    ));
                }
                if self.ids_used() + u64::from(count) > MAX_IDS {
                    return Err(Text::new(
                        format!(
                            "A run of this lab mints at most {} ids, and this request would pass that; start the lesson again for more.",
                            thousands(MAX_IDS)
                        ),
                        format!(
                            "本实验的一次运行最多生成 {} 个 ID，这次请求会超过上限；请重新开始这节课。",
                            thousands(MAX_IDS)
                        ),
                    ));
                }
                Ok(())
            }
            IdsOp::Start { server } => match self.servers.get(server).map(|s| &s.minter) {
                Some(Minter::Snowflake { leaf: Some(_), .. }) => Ok(()),
                Some(_) => Err(Text::new(
                    "Only a snowflake server with registry worker ids registers.",
                    "只有从注册中心获取 worker ID 的 snowflake 服务才需要注册。",
                )),
                None => Err(no_server(server)),
            },
            IdsOp::AddDatabase { .. } => match &self.service {
                Service::Databases { cluster, nodes }
                    if cluster.databases().len() < nodes.len() =>
                {
                    Ok(())
                }
                Service::Databases { .. } => Err(Text::new(
                    "There is no spare database left to add.",
                    "没有可以加入的备用数据库了。",
                )),
                _ => Err(not_autoinc()),
            },
            IdsOp::SetSettings { database, .. } => match &self.service {
                Service::Databases { cluster, .. } if database < cluster.databases().len() => {
                    Ok(())
                }
                Service::Databases { .. } => Err(Text::new(
                    format!("There is no database db{}.", database.saturating_add(1)),
                    format!("没有数据库 db{}。", database.saturating_add(1)),
                )),
                _ => Err(not_autoinc()),
            },
        }
    }

    fn on_op(&mut self, op: &IdsOp, ctx: &mut Ctx<'_, Self>) {
        match *op {
            IdsOp::Mint { server, count } => {
                let node = self.servers[server].node;
                self.servers[server].pending += count;
                match &self.service {
                    Service::Databases { cluster, nodes } => {
                        let serving = cluster.databases().len();
                        let s = &mut self.servers[server];
                        let db = s.next_db % serving.max(1);
                        s.next_db = (db + 1) % serving.max(1);
                        let to = nodes[db];
                        ctx.send(node, to, IdsMsg::Insert { count });
                    }
                    Service::Redis { node: redis, .. } => {
                        let redis = *redis;
                        ctx.send(node, redis, IdsMsg::Incr { count });
                    }
                    _ => {
                        // A server waiting for its clock takes the request into its queue; once
                        // its clock has passed the time it waits for, it mints at once (the
                        // timer that would have woken it is then late, and finds nothing to do).
                        let wall = self.wall(ctx, node);
                        let waiting = matches!(
                            self.servers[server].minter,
                            Minter::Snowflake {
                                waiting_until: Some(until),
                                ..
                            } if until > wall
                        );
                        if !waiting {
                            self.pump(server, ctx);
                        }
                    }
                }
            }
            IdsOp::Start { server } => {
                let node = self.servers[server].node;
                let wall_ms = self.wall(ctx, node);
                if let Service::Registry { node: zk, .. } = self.service {
                    if let Minter::Snowflake {
                        leaf: Some(leaf),
                        serving,
                        ..
                    } = &mut self.servers[server].minter
                    {
                        leaf.stop();
                        *serving = false;
                    }
                    ctx.send(node, zk, IdsMsg::Register { wall_ms });
                }
            }
            IdsOp::AddDatabase { increment, offset } => {
                if let Service::Databases { cluster, .. } = &mut self.service {
                    if let Ok(database) = cluster.add_database(increment, offset) {
                        ctx.note(IdsNote::DatabaseAdded {
                            database,
                            increment,
                            offset,
                        });
                    }
                }
            }
            IdsOp::SetSettings {
                database,
                increment,
                offset,
            } => {
                if let Service::Databases { cluster, .. } = &mut self.service {
                    if cluster.set_settings(database, increment, offset).is_ok() {
                        ctx.note(IdsNote::SettingsSet {
                            database,
                            increment,
                            offset,
                        });
                    }
                }
            }
        }
    }

    fn on_msg(&mut self, to: NodeId, from: NodeId, msg: IdsMsg, ctx: &mut Ctx<'_, Self>) {
        if let Some(server) = self.server_of(to) {
            let wall = self.wall(ctx, to);
            match msg {
                IdsMsg::Inserted { ids } | IdsMsg::Incremented { ids } => {
                    let ids: Vec<u128> = ids.into_iter().map(u128::from).collect();
                    let s = &mut self.servers[server];
                    s.pending = s.pending.saturating_sub(ids.len() as u32);
                    self.record(server, &ids, wall, ctx);
                }
                IdsMsg::SegmentLoaded { segment } => {
                    if let Minter::Segment(s) = &mut self.servers[server].minter {
                        if s.loaded(segment) {
                            ctx.note(IdsNote::SegmentLoaded { server, segment });
                            if self.servers[server].pending > 0 {
                                self.pump(server, ctx);
                            }
                        }
                    }
                }
                IdsMsg::Registered { result } => self.started(server, result, ctx),
                _ => {}
            }
            return;
        }
        if let Service::Databases { cluster, nodes } = &mut self.service {
            if let (IdsMsg::Insert { count }, Some(db)) =
                (&msg, nodes.iter().position(|&n| n == to))
            {
                let mut ids = Vec::with_capacity(*count as usize);
                for _ in 0..*count {
                    match cluster.insert(db) {
                        Ok(inserted) => ids.push(inserted.id),
                        Err(_) => break,
                    }
                }
                ctx.send(to, from, IdsMsg::Inserted { ids });
            }
            return;
        }
        self.on_service_msg(from, msg, ctx);
    }

    fn on_timer(&mut self, node: NodeId, timer: IdsTimer, ctx: &mut Ctx<'_, Self>) {
        match timer {
            IdsTimer::Resume { server } => self.pump(server, ctx),
            IdsTimer::Report { server } => {
                let wall_ms = self.wall(ctx, node);
                if let Service::Registry { node: zk, .. } = self.service {
                    ctx.send(node, zk, IdsMsg::Report { wall_ms });
                    ctx.set_timer(node, REPORT_INTERVAL_MS, IdsTimer::Report { server });
                }
            }
            IdsTimer::Persist => {
                let now = ctx.now();
                if let Service::Redis {
                    counter,
                    persist_timer,
                    ..
                } = &mut self.service
                {
                    *persist_timer = false;
                    for what in counter.tick(now) {
                        ctx.note(IdsNote::Persisted { what });
                    }
                }
                self.arm_persist(ctx);
            }
        }
    }

    fn on_crash(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        if let Some(server) = self.server_of(node) {
            let s = &mut self.servers[server];
            let lost = s.pending;
            s.pending = 0;
            s.failed += u64::from(lost);
            // What a process keeps in memory: the generator's last time and sequence, the
            // segments in its buffers, its registry session.
            let discarded = match &mut s.minter {
                Minter::Snowflake {
                    generator,
                    leaf,
                    serving,
                    waiting_until,
                } => {
                    let (layout, guard, dc, worker) = (
                        generator.layout,
                        generator.guard,
                        generator.datacenter,
                        generator.worker,
                    );
                    if let Ok(g) = Generator::new(layout, guard, dc, worker) {
                        *generator = g;
                    }
                    *waiting_until = None;
                    if let Some(leaf) = leaf {
                        leaf.stop();
                        *serving = false;
                    }
                    0
                }
                Minter::UuidV7(g) => {
                    *g = V7Generator::new(g.guard());
                    0
                }
                Minter::Segment(seg) => seg.restart(),
                Minter::UuidV4 | Minter::Remote => 0,
            };
            if discarded > 0 {
                ctx.note(IdsNote::Discarded {
                    server,
                    ids: discarded,
                });
            }
            return;
        }
        match &mut self.service {
            Service::Redis {
                counter,
                persist_timer,
                ..
            } => {
                let (value, durable) = (counter.value(), counter.durable_value());
                counter.crash();
                *persist_timer = false;
                ctx.note(IdsNote::RedisLost { value, durable });
            }
            Service::Databases { cluster, nodes } => {
                if let Some(db) = nodes.iter().position(|&n| n == node) {
                    let _ = cluster.set_up(db, false);
                }
            }
            Service::SegmentDb { db, .. } => db.set_up(false),
            _ => {}
        }
    }

    fn on_restart(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        if let Some(server) = self.server_of(node) {
            // A Leaf-snowflake server registers again as it starts.
            if let (Minter::Snowflake { leaf: Some(_), .. }, Service::Registry { node: zk, .. }) =
                (&self.servers[server].minter, &self.service)
            {
                let zk = *zk;
                let wall_ms = self.wall(ctx, node);
                ctx.send(node, zk, IdsMsg::Register { wall_ms });
            }
            return;
        }
        let now = ctx.now();
        match &mut self.service {
            Service::Redis { counter, .. } => {
                if let Ok(restarted) = counter.restart(now) {
                    ctx.note(IdsNote::RedisRestarted { restarted });
                }
                self.arm_persist(ctx);
            }
            Service::Databases { cluster, nodes } => {
                if let Some(db) = nodes.iter().position(|&n| n == node) {
                    let _ = cluster.set_up(db, true);
                }
            }
            Service::SegmentDb { db, .. } => db.set_up(true),
            _ => {}
        }
    }

    fn on_lost(
        &mut self,
        envelope: &Envelope<IdsMsg>,
        _reason: LossReason,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let (server, service) = match self.server_of(envelope.from) {
            Some(s) => (s, envelope.to),
            None => match self.server_of(envelope.to) {
                Some(s) => (s, envelope.from),
                None => return,
            },
        };
        let name = ctx
            .nodes()
            .get(usize::from(service))
            .map_or_else(String::new, |n| n.name.clone());
        match &envelope.msg {
            IdsMsg::Insert { count } | IdsMsg::Incr { count } => {
                let why = Text::new(
                    format!("{name} cannot be reached: the request fails and no id is issued"),
                    format!("连不上 {name}：请求失败，发不出 ID"),
                );
                self.fail(server, *count, why, ctx);
            }
            IdsMsg::Inserted { ids } | IdsMsg::Incremented { ids } => {
                let count = ids.len() as u32;
                let why = Text::new(
                    format!(
                        "the reply from {name} was lost: the ids it issued are never used (a gap)"
                    ),
                    format!("{name} 的回复丢失了：它发出的这些 ID 永远不会被使用（留下空洞）"),
                );
                self.fail(server, count, why, ctx);
            }
            IdsMsg::LoadSegment | IdsMsg::SegmentLoaded { .. } => {
                if let Minter::Segment(s) = &mut self.servers[server].minter {
                    s.load_failed();
                }
                // Requests waiting for this load fail with error -3.
                let waiting = self.servers[server].pending;
                if waiting > 0 {
                    self.fail(server, waiting, super::segment::both_empty(), ctx);
                }
                ctx.note(IdsNote::Failed {
                    server,
                    count: 0,
                    why: Text::new(
                        format!("loading the next segment from {name} failed; the server keeps serving from its buffer and tries again on the next request"),
                        format!("从 {name} 加载下一个号段失败；服务继续用缓冲区里的号段，下次取号时再试"),
                    ),
                });
            }
            IdsMsg::Register { .. } | IdsMsg::Registered { .. } => {
                // The registry is out of reach: Leaf starts from its local cache of the worker id.
                let wall_ms = self.wall(ctx, self.servers[server].node);
                let bits = self
                    .layout()
                    .map_or(10, |l| l.bits(super::snowflake::Field::Worker));
                if let (
                    Minter::Snowflake {
                        leaf: Some(leaf), ..
                    },
                    Service::Registry { registry, .. },
                ) = (&mut self.servers[server].minter, &mut self.service)
                {
                    let reachable = registry.reachable;
                    registry.reachable = false;
                    let result = leaf.start(registry, wall_ms, bits);
                    registry.reachable = reachable;
                    self.started(server, result, ctx);
                }
            }
            IdsMsg::Report { .. } => {
                ctx.note(IdsNote::Reported {
                    server,
                    report: Report::Failed,
                });
            }
        }
    }

    fn violations(&self, _nodes: &[NodeState], out: &mut Vec<Violation>) {
        let name = |m: &Mint| self.servers[usize::from(m.server)].name.as_str();
        if let Some(m) = self.stream.iter().find(|m| m.flags.duplicate_of.is_some()) {
            let first = &self.stream[m.flags.duplicate_of.map_or(0, |i| i as usize)];
            let (a, b, id) = (name(first), name(m), self.id_text(m.id));
            let n = u64::from(self.duplicates);
            let (en, zh) = if a == b {
                (
                    format!("{id} handed out twice by {a}"),
                    format!("{a} 两次发出 {id}"),
                )
            } else {
                (
                    format!("{id} handed out by {a} and again by {b}"),
                    format!("{id} 先由 {a} 发出，又由 {b} 再次发出"),
                )
            };
            out.push(violation(
                UNIQUE,
                Text::new(
                    format!("{en}; {} in all", plural(n, "duplicate", "duplicates")),
                    format!("{zh}；共 {} 个重复", thousands(n)),
                ),
                Severity::Error,
            ));
        }
        if let Some(m) = self.stream.iter().find(|m| m.flags.not_increasing) {
            let n = u64::from(self.not_increasing);
            let who = name(m);
            out.push(violation(
                MONOTONIC,
                Text::new(
                    format!(
                        "{who} handed out an id not greater than its previous one; {} in all",
                        plural(n, "such id", "such ids")
                    ),
                    format!(
                        "{who} 发出的 ID 不大于它的上一个 ID；共 {} 个",
                        thousands(n)
                    ),
                ),
                Severity::Error,
            ));
        }
        if self.out_of_order > 0 {
            let n = u64::from(self.out_of_order);
            let carries_time =
                self.layout().is_some() || matches!(self.setup.scheme, Scheme::UuidV7 { .. });
            let (en, zh) = if carries_time {
                (
                    format!(
                        "{} a time more than {} ms before an id minted earlier",
                        plural(n, "id carries", "ids carry"),
                        thousands(K_SORTED_MS)
                    ),
                    format!(
                        "{} 个 ID 携带的时间比更早生成的 ID 早了 {} 毫秒以上",
                        thousands(n),
                        thousands(K_SORTED_MS)
                    ),
                )
            } else {
                (
                    format!(
                        "{} smaller than an id minted before",
                        plural(n, "id is", "ids are")
                    ),
                    format!("{} 个 ID 比在它之前生成的 ID 还小", thousands(n)),
                )
            };
            out.push(violation(
                TIME_ORDERED,
                Text::new(en, zh),
                Severity::Warning,
            ));
        }
    }
}

impl IdsLab {
    /// An id as the lab writes it: a UUID in its 8-4-4-4-12 form, others in decimal.
    pub fn id_text(&self, id: u128) -> String {
        if self.is_uuid() {
            uuids::view(id).text
        } else {
            id.to_string()
        }
    }
}

fn violation(id: &str, detail: Text, severity: Severity) -> Violation {
    Violation {
        invariant: id.to_string(),
        // One violation per invariant, whose count grows: broken since the first bad id.
        subject: String::from("ids"),
        name: name_of(id),
        detail,
        severity,
    }
}

fn no_server(server: usize) -> Text {
    Text::new(
        format!("There is no server number {}.", server.saturating_add(1)),
        format!("没有第 {} 台服务器。", server.saturating_add(1)),
    )
}

fn not_autoinc() -> Text {
    Text::new(
        "Only the auto-increment scheme has databases to add or set.",
        "只有数据库自增方案才有可以加入或设置的数据库。",
    )
}

/// The invariant's name.
pub fn name_of(id: &str) -> Text {
    match id {
        UNIQUE => Text::new("Every id is unique", "每个 ID 都唯一"),
        MONOTONIC => Text::new("Each server's ids increase", "每台服务器的 ID 递增"),
        _ => Text::new("Ids are roughly in time order", "ID 大致按时间有序"),
    }
}

impl Lab for IdsLab {
    const INFO: LabInfo = LabInfo {
        id: "ids",
        name: StaticText::new("Distributed IDs", "分布式 ID"),
        teaches: StaticText::new(
            "Snowflake, UUID, database sequences, segments and Redis INCR: a clock stepping back, a shared worker id, a restart that forgets.",
            "雪花算法、UUID、数据库自增、号段与 Redis INCR：时钟回拨、重复的 worker ID、重启后忘掉的计数。",
        ),
        lessons: 11,
        topics: &[Topic {
            seed: 4,
            section: StaticText::new("Distributed IDs", "分布式 ID"),
        }],
    };
    type Setup = IdsSetup;

    fn build(setup: &IdsSetup, seed: u64) -> Result<World<IdsLab>, Text> {
        IdsLab::world(setup, seed)
    }

    fn check_input(op: &IdsOp) -> Result<(), Text> {
        match *op {
            IdsOp::Mint { server, count } => {
                bounds::count(
                    ("servers", "台服务器"),
                    (server as u64).saturating_add(1),
                    MAX_SERVERS as u64,
                )?;
                if count == 0 {
                    return Err(Text::new(
                        "A request asks for at least one id.",
                        "一次请求至少要一个 ID。",
                    ));
                }
                bounds::count(
                    ("ids in one request", "一次请求的 ID"),
                    u64::from(count),
                    u64::from(MAX_MINT),
                )
            }
            IdsOp::Start { server } => bounds::count(
                ("servers", "台服务器"),
                (server as u64).saturating_add(1),
                MAX_SERVERS as u64,
            ),
            IdsOp::AddDatabase { increment, offset } => check_settings(increment, offset),
            IdsOp::SetSettings {
                database,
                increment,
                offset,
            } => {
                bounds::count(
                    ("databases", "台数据库"),
                    (database as u64).saturating_add(1),
                    MAX_DATABASES as u64,
                )?;
                check_settings(increment, offset)
            }
        }
    }

    fn invariants() -> Vec<InvariantInfo> {
        [
            (UNIQUE, Severity::Error),
            (MONOTONIC, Severity::Error),
            (TIME_ORDERED, Severity::Warning),
        ]
        .into_iter()
        .map(|(id, severity)| InvariantInfo {
            id,
            name: name_of(id),
            severity,
        })
        .collect()
    }

    fn lessons() -> Vec<Scenario<IdsLab>> {
        super::scenarios::lessons()
    }
}

/// Both settings range over 1 to 65,535 (MySQL).
fn check_settings(increment: u16, offset: u16) -> Result<(), Text> {
    if increment == 0 || offset == 0 {
        return Err(Text::new(
            "auto_increment_increment and auto_increment_offset range from 1 to 65,535.",
            "auto_increment_increment 和 auto_increment_offset 的取值范围是 1 到 65,535。",
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ids::snowflake::invariants::{self, Minted};
    use crate::kernel::{Action, Fault, Model};
    use crate::scenario::Lab;
    use proptest::prelude::*;
    use std::vec;

    fn lesson(id: &str) -> Scenario<IdsLab> {
        IdsLab::lessons()
            .into_iter()
            .find(|s| s.id == id)
            .unwrap_or_else(|| panic!("no lesson {id}"))
    }

    fn end(s: &Scenario<IdsLab>) -> IdsLab {
        s.play(&[]).unwrap().run.last().protocol.clone()
    }

    fn ids(lab: &IdsLab) -> Vec<u128> {
        lab.stream.iter().map(|m| m.id).collect()
    }

    /// (millisecond after 09:00:00.000, worker, sequence) of each snowflake id.
    fn fields(lab: &IdsLab) -> Vec<(u64, u64, u64)> {
        let layout = lab.layout().unwrap();
        lab.stream
            .iter()
            .map(|m| {
                let p = layout.decompose(m.id as u64);
                (p.unix_ms - DEFAULT_START_UNIX_MS, p.worker, p.sequence)
            })
            .collect()
    }

    /// The lab's incremental checks agree with the batch functions of `snowflake::invariants`.
    fn agrees_with_batch_checks(lab: &IdsLab) {
        let minted: Vec<Minted> = lab
            .stream
            .iter()
            .map(|m| Minted {
                generator: usize::from(m.server),
                id: m.id as u64,
            })
            .collect();
        let dups: usize = invariants::duplicates(&minted)
            .iter()
            .map(|d| d.mints.len() - 1)
            .sum();
        assert_eq!(dups, lab.duplicates as usize);
        assert_eq!(
            invariants::non_monotonic(&minted).len(),
            lab.not_increasing as usize
        );
        if let Some(layout) = lab.layout() {
            assert_eq!(
                invariants::out_of_order(&minted, &layout, K_SORTED_MS).len(),
                lab.out_of_order as usize
            );
        }
    }

    #[test]
    fn with_no_guard_the_5_ms_step_back_mints_the_ids_of_millisecond_010_again() {
        let lab = end(&lesson("ids-snowflake-clock-back"));
        assert_eq!(
            fields(&lab),
            vec![
                (0, 1, 0),
                (0, 1, 1),
                (10, 1, 0),
                (10, 1, 1),
                (5, 1, 0),
                (5, 1, 1),
                (10, 1, 0),
                (10, 1, 1),
                (11, 1, 0),
                (11, 1, 1)
            ]
        );
        assert_eq!(lab.stream[6].flags.duplicate_of, Some(2));
        assert_eq!(lab.stream[7].flags.duplicate_of, Some(3));
        assert!(lab.stream[4].flags.not_increasing);
        assert_eq!((lab.duplicates, lab.not_increasing), (2, 1));
        agrees_with_batch_checks(&lab);
    }

    #[test]
    fn twitters_guard_refuses_until_the_clock_catches_up() {
        let lab = end(&lesson("ids-snowflake-guard-refuse"));
        assert_eq!(
            fields(&lab),
            vec![
                (0, 1, 0),
                (0, 1, 1),
                (10, 1, 0),
                (10, 1, 1),
                (10, 1, 2),
                (10, 1, 3)
            ]
        );
        assert_eq!(lab.servers[0].failed, 3);
        assert_eq!(lab.duplicates + lab.not_increasing, 0);
    }

    #[test]
    fn leafs_guard_waits_10_ms_for_a_5_ms_step_and_refuses_a_50_ms_one() {
        let lab = end(&lesson("ids-snowflake-guard-leaf"));
        assert_eq!(
            fields(&lab),
            vec![
                (0, 1, 0),
                (0, 1, 1),
                (10, 1, 0),
                (10, 1, 1),
                (15, 1, 0),
                (15, 1, 1)
            ]
        );
        // Minted at the lab's time 20 with the clock 5 ms behind: after a wait of 10 ms.
        assert_eq!(lab.stream[4].at, 20);
        assert_eq!(lab.servers[0].failed, 1);
    }

    #[test]
    fn two_servers_with_one_worker_id_repeat_each_others_ids() {
        let lab = end(&lesson("ids-snowflake-same-worker"));
        assert_eq!(lab.duplicates, 4);
        assert_eq!(lab.not_increasing, 0);
        agrees_with_batch_checks(&lab);
    }

    #[test]
    fn a_worker_never_mints_more_than_4096_ids_in_a_millisecond() {
        let lab = end(&lesson("ids-snowflake-sequence-full"));
        let mut per_ms: BTreeMap<u64, u64> = BTreeMap::new();
        for (ms, _, _) in fields(&lab) {
            *per_ms.entry(ms).or_default() += 1;
        }
        let counts: Vec<(u64, u64)> = per_ms.into_iter().collect();
        assert_eq!(
            counts,
            vec![
                (0, 1000),
                (1, 4096),
                (2, 4096),
                (3, 4096),
                (4, 905),
                (10, 10)
            ]
        );
        assert_eq!(lab.duplicates + lab.not_increasing, 0);
    }

    #[test]
    fn the_registry_hands_out_worker_ids_once_and_refuses_a_clock_behind_its_report() {
        let lab = end(&lesson("ids-snowflake-registry"));
        let workers: Vec<u64> = fields(&lab).iter().map(|f| f.1).collect();
        assert_eq!(workers, vec![0, 0, 1, 1]);
        let serving: Vec<bool> = lab
            .servers
            .iter()
            .map(|s| matches!(s.minter, Minter::Snowflake { serving: true, .. }))
            .collect();
        // app1 refused to start (its clock behind its report), app2 serves from its cache, app3
        // never had a worker id.
        assert_eq!(serving, vec![false, true, false]);
        match &lab.servers[1].minter {
            Minter::Snowflake { generator, .. } => assert_eq!(generator.worker, 1),
            other => panic!("{other:?}"),
        }
        assert_eq!(lab.servers[2].failed, 1);
        let run = lesson("ids-snowflake-registry").play(&[]).unwrap();
        let golden = run.golden();
        assert!(golden.contains("ClockBehindLastReport"), "{golden}");
        assert!(golden.contains("LocalCache"), "{golden}");
        assert!(golden.contains("NoRegistryNoCache"), "{golden}");
    }

    #[test]
    fn one_database_is_a_single_point_of_failure() {
        let lab = end(&lesson("ids-autoinc-single"));
        assert_eq!(ids(&lab), vec![1, 2, 3, 4, 5]);
        assert_eq!(lab.servers[0].failed, 1);
    }

    #[test]
    fn a_fourth_database_and_new_settings_collide_with_ids_already_issued() {
        let lab = end(&lesson("ids-autoinc-step"));
        assert_eq!(ids(&lab), vec![1, 2, 3, 4, 5, 6, 4, 5]);
        assert_eq!(lab.duplicates, 2);
    }

    #[test]
    fn segments_ride_out_an_outage_until_the_buffer_runs_dry() {
        let lab = end(&lesson("ids-segment-outage"));
        let mut want: Vec<u128> = vec![1, 11, 2, 3];
        want.extend(4..=10);
        want.extend(21..=30);
        want.extend([31, 41]);
        assert_eq!(ids(&lab), want);
        assert_eq!(lab.servers[0].failed, 1);
        assert_eq!(lab.duplicates, 0);
        // 2 to 10 came after app2's 11.
        assert_eq!(lab.out_of_order, 9);
    }

    #[test]
    fn redis_without_aof_hands_out_4_and_5_again() {
        let lab = end(&lesson("ids-redis-restart"));
        assert_eq!(ids(&lab), vec![1, 2, 3, 4, 5, 4, 5]);
        // The crash loses the counter at 5; the snapshot on disk holds 3.
        let golden = lesson("ids-redis-restart").play(&[]).unwrap().golden();
        assert!(
            golden.contains(r#""redis_lost":{"value":5,"durable":3}"#),
            "{golden}"
        );
        // With `appendfsync always` nothing is lost; with `everysec` the last second is.
        for (persistence, dups) in [
            (Persistence::aof_always(), 0),
            (Persistence::aof_everysec(), 2),
        ] {
            let mut s = lesson("ids-redis-restart");
            s.setup.scheme = Scheme::Redis { persistence };
            assert_eq!(end(&s).duplicates, dups);
        }
    }

    #[test]
    fn random_uuids_write_every_page_and_v7_writes_a_few() {
        let pages = |scheme: Scheme| {
            let mut s = lesson("ids-uuid-index");
            s.setup.scheme = scheme;
            let lab = end(&s);
            (lab.index_pages_touched, lab.not_increasing)
        };
        let (v4, v4_down) = pages(Scheme::UuidV4);
        let (v7, v7_down) = pages(Scheme::UuidV7 {
            clock_back: V7ClockBack::ReusePrevious,
        });
        let (sf, sf_down) = pages(Scheme::Snowflake {
            layout: LayoutName::Twitter,
            guard: Guard::Refuse,
            workers: WorkerIds::Static,
        });
        assert_eq!(v4, 345);
        assert!(
            v7 * 4 < v4 && sf * 4 < v4,
            "v4 {v4}, v7 {v7}, snowflake {sf}"
        );
        assert!(v4_down > 3000);
        assert_eq!((v7_down, sf_down), (0, 0));
    }

    #[test]
    fn a_run_mints_at_most_max_ids_and_requests_are_bounded() {
        assert!(IdsLab::check_input(&IdsOp::Mint {
            server: 0,
            count: MAX_MINT + 1
        })
        .is_err());
        assert!(IdsLab::check_input(&IdsOp::Mint {
            server: 0,
            count: 0
        })
        .is_err());
        assert!(IdsLab::check_input(&IdsOp::AddDatabase {
            increment: 0,
            offset: 1
        })
        .is_err());
        let mut w = IdsLab::world(&IdsSetup::new(Scheme::UuidV4, 1), 1).unwrap();
        let mut out = Vec::new();
        for _ in 0..4 {
            w.apply(
                &Action::Op {
                    op: IdsOp::Mint {
                        server: 0,
                        count: MAX_MINT,
                    },
                },
                &mut out,
            );
        }
        out.clear();
        w.apply(
            &Action::Op {
                op: IdsOp::Mint {
                    server: 0,
                    count: 1,
                },
            },
            &mut out,
        );
        assert_eq!(w.protocol.stream.len() as u64, MAX_IDS);
        assert!(
            matches!(out[0], crate::kernel::Event::Skipped { .. }),
            "{out:?}"
        );
    }

    #[test]
    fn a_server_whose_wait_is_over_mints_at_the_next_request() {
        let setup = IdsSetup::new(
            Scheme::Snowflake {
                layout: LayoutName::Twitter,
                guard: Guard::Refuse,
                workers: WorkerIds::Static,
            },
            1,
        );
        let mut w = IdsLab::world(&setup, 1).unwrap();
        let mut out = Vec::new();
        let mint = |count| Action::Op {
            op: IdsOp::Mint { server: 0, count },
        };
        w.apply(&mint(4097), &mut out);
        assert_eq!(
            (w.protocol.stream.len(), w.protocol.servers[0].pending),
            (4096, 1)
        );
        // Time passes without the timer firing (a wait in a script): the next request finds the
        // wait over and mints both.
        w.apply(&Action::Wait { ms: 5 }, &mut out);
        w.apply(&mint(1), &mut out);
        assert_eq!(
            (w.protocol.stream.len(), w.protocol.servers[0].pending),
            (4098, 0)
        );
        // The late timer finds nothing to do.
        out.clear();
        let due = w.next_due().unwrap();
        w.apply(&due, &mut out);
        assert_eq!(w.protocol.stream.len(), 4098);
        assert_eq!(w.protocol.servers[0].failed, 0);
        assert!(
            !out.iter()
                .any(|e| matches!(e, crate::kernel::Event::Note { .. })),
            "{out:?}"
        );
    }

    #[test]
    fn bad_setups_are_refused_with_a_reason() {
        let mut s = IdsSetup::new(Scheme::UuidV4, 0);
        assert!(IdsLab::world(&s, 1).is_err());
        s = IdsSetup::new(Scheme::UuidV4, MAX_SERVERS + 1);
        assert!(IdsLab::world(&s, 1).is_err());
        s = IdsSetup::new(Scheme::Segment { step: MAX_STEP + 1 }, 1);
        assert!(IdsLab::world(&s, 1).is_err());
        s = IdsSetup::new(Scheme::UuidV4, 2);
        s.servers[1].name = "app1".into();
        assert!(IdsLab::world(&s, 1).is_err());
        s = IdsSetup::new(Scheme::UuidV4, 1);
        s.start_unix_ms = u64::MAX;
        assert!(IdsLab::world(&s, 1).is_err());
        s = IdsSetup::new(
            Scheme::Snowflake {
                layout: LayoutName::Twitter,
                guard: Guard::Refuse,
                workers: WorkerIds::Static,
            },
            1,
        );
        s.servers[0].worker = 32;
        assert!(IdsLab::world(&s, 1).is_err());
    }

    /// Plays mints and clock jumps on `servers` snowflake servers with distinct worker ids.
    fn clock_play(guard: Guard, steps: &[(u8, i64, u32)]) -> IdsLab {
        let setup = IdsSetup::new(
            Scheme::Snowflake {
                layout: LayoutName::Twitter,
                guard,
                workers: WorkerIds::Static,
            },
            2,
        );
        let mut w = IdsLab::world(&setup, 7).unwrap();
        let mut out = Vec::new();
        for &(server, jump, count) in steps {
            let server = server % 2;
            let action = match jump {
                0 => Action::Wait { ms: 1 },
                j if j % 3 == 0 => Action::Fault {
                    fault: Fault::ClockJump {
                        node: server,
                        delta_ms: j,
                    },
                },
                _ => Action::Op {
                    op: IdsOp::Mint {
                        server: usize::from(server),
                        count,
                    },
                },
            };
            w.apply(&action, &mut out);
            // Waits end: fire every timer that is due.
            while let Some(a) = w.next_due() {
                w.apply(&a, &mut out);
            }
        }
        w.protocol
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]

        #[test]
        fn with_a_guard_no_clock_step_makes_a_duplicate(
            steps in proptest::collection::vec((0u8..2, -60i64..60, 1u32..300), 1..60),
            leaf in any::<bool>(),
        ) {
            let guard = if leaf { Guard::LEAF } else { Guard::Refuse };
            let lab = clock_play(guard, &steps);
            prop_assert_eq!(lab.duplicates, 0);
            prop_assert_eq!(lab.not_increasing, 0);
            agrees_with_batch_checks(&lab);
        }

        #[test]
        fn without_a_guard_the_checks_find_every_duplicate(
            steps in proptest::collection::vec((0u8..2, -60i64..60, 1u32..300), 1..60),
        ) {
            let lab = clock_play(Guard::None, &steps);
            agrees_with_batch_checks(&lab);
        }
    }

    #[test]
    fn without_a_guard_a_step_back_into_used_milliseconds_duplicates() {
        // Mint at 0, step forward 3 ms and mint, step back 3 ms and mint: millisecond 0 again.
        let lab = clock_play(
            Guard::None,
            &[(0, 1, 5), (0, 3, 0), (0, 1, 5), (0, -3, 0), (0, 1, 5)],
        );
        assert_eq!(lab.duplicates, 5);
        let lab = clock_play(
            Guard::Refuse,
            &[(0, 1, 5), (0, 3, 0), (0, 1, 5), (0, -3, 0), (0, 1, 5)],
        );
        assert_eq!(lab.duplicates, 0);
    }
}
