//! Worker ids from a registry, as Leaf-snowflake takes them from ZooKeeper
//! (Meituan-Dianping/Leaf `leaf-core/.../snowflake/SnowflakeZookeeperHolder.java`, `init`).
//!
//! Each Leaf server, known by its `ip:port`, owns one persistent sequential node
//! `/snowflake/<leaf.name>/forever/<ip:port>-<sequence>`; the sequence number ZooKeeper appended
//! is the server's worker id. A server that starts again finds its own node and gets its old
//! number back, so worker ids survive restarts without anyone configuring them. Each server also
//! keeps its worker id in a local file (`workerID.properties`) and starts from it when ZooKeeper
//! cannot be reached, and it writes its clock into its node every 3 s so that, at its next start,
//! a clock that went back across the restart can be caught.
//!
//! Static configuration needs none of this: each [`super::Generator`] is given its ids, and two
//! servers given the same ones mint the same ids (see the tests of [`super::invariants`]).

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;
use serde::{Deserialize, Serialize};

use crate::kernel::bounds;
use crate::text::{thousands, Text};

/// How often a server writes its clock into its node: every 3 s, the first time 1 s after it
/// starts (`scheduleWithFixedDelay(…, 1L, 3L, TimeUnit.SECONDS)`, "每3s上报数据").
pub const REPORT_INTERVAL_MS: u64 = 3_000;
/// When the first report is written after a start.
pub const FIRST_REPORT_AFTER_MS: u64 = 1_000;

/// One persistent sequential node under `/snowflake/<name>/forever`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RegistryNode {
    /// The server's `ip:port`.
    pub address: String,
    /// The number ZooKeeper appended to the node's name: the worker id.
    pub sequence: u64,
    /// The clock the server last wrote into the node (its data `{ip, port, timestamp}`).
    pub reported_ms: u64,
}

/// The ZooKeeper-like registry: the persistent sequential nodes of one Leaf name. Nodes are never
/// deleted (they are persistent), so a number once given is never given to another server.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Registry {
    /// `leaf.name`, the second part of the path.
    pub name: String,
    /// The children of `forever`, in the order they were created.
    pub nodes: Vec<RegistryNode>,
    /// The next number ZooKeeper appends under `forever` (the parent's child counter, written as
    /// 10 digits).
    pub next_sequence: u64,
    /// False while the servers cannot reach ZooKeeper (a partition, the ensemble down).
    pub reachable: bool,
}

impl Registry {
    /// An empty registry for the Leaf name `name`.
    pub fn new(name: &str) -> Result<Registry, Text> {
        bounds::name(("the Leaf name", "Leaf 名称"), name)?;
        Ok(Registry {
            name: String::from(name),
            nodes: Vec::new(),
            next_sequence: 0,
            reachable: true,
        })
    }

    /// The node's path, as ZooKeeper names a sequential node: the prefix and 10 digits.
    pub fn path(&self, node: &RegistryNode) -> String {
        format!(
            "/snowflake/{}/forever/{}-{:010}",
            self.name, node.address, node.sequence
        )
    }

    fn node_of(&self, address: &str) -> Option<usize> {
        self.nodes.iter().position(|n| n.address == address)
    }
}

/// Where a started server's worker id came from.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum WorkerSource {
    /// A new persistent sequential node was created (the server's first start).
    /// `path` is the node's full path.
    NewNode { path: String },
    /// The server's own node, at `path`, from an earlier start.
    OwnNode { path: String },
    /// The local cache file, because the registry could not be used.
    LocalCache,
}

/// A successful start.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Started {
    /// The worker id the server mints with.
    pub worker: u64,
    /// Where it came from.
    pub source: WorkerSource,
}

/// Why a server could not start.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum StartError {
    /// The registry is unreachable and there is no local cache file (Leaf's `init` returns false:
    /// "Snowflake Id Gen is not init ok").
    NoRegistryNoCache,
    /// The server's clock reads earlier than the last time it reported into its node: its clock
    /// went back across the restart, by `behind_ms`.
    ClockBehindLastReport { behind_ms: u64 },
    /// The sequence number `worker` does not fit the worker field, whose largest value is `max`
    /// (Leaf: "workerID must gte 0 and lte 1023").
    WorkerIdTooLarge { worker: u64, max: u64 },
}

impl StartError {
    /// The error, in both languages.
    pub fn text(&self) -> Text {
        match *self {
            StartError::NoRegistryNoCache => Text::new(
                "The registry cannot be reached and there is no local cache of the worker id: the server does not start.",
                "无法连接注册中心，本地也没有缓存的 worker ID：服务无法启动。",
            ),
            StartError::ClockBehindLastReport { behind_ms } => Text::new(
                format!(
                    "The server's clock is {} ms behind the time it last reported to the registry: its clock went back, so it does not start (an alarm goes off).",
                    thousands(behind_ms)
                ),
                format!(
                    "本机时钟比上次上报到注册中心的时间晚 {} 毫秒：时钟发生了回拨，服务不启动（并触发报警）。",
                    thousands(behind_ms)
                ),
            ),
            StartError::WorkerIdTooLarge { worker, max } => Text::new(
                format!(
                    "The registry gave sequence number {}, which does not fit the worker field (at most {}): the server does not start.",
                    thousands(worker),
                    thousands(max)
                ),
                format!(
                    "注册中心分配的顺序号 {} 超出了 worker ID 字段的范围（最大 {}）：服务无法启动。",
                    thousands(worker),
                    thousands(max)
                ),
            ),
        }
    }
}

/// What a server does at start when its clock is behind its node's last report.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum ClockBehindAtStart {
    /// The design in the Meituan blog: the start fails and an alarm goes off ("若写过，则用自身
    /// 系统时间与leaf_forever/${self}节点记录时间做比较，若小于leaf_forever/${self}时间则认为机器
    /// 时间发生了大步长回拨，服务启动失败并报警").
    Refuse,
    /// What the open-source code does: `checkInitTimeStamp` throws `CheckLastTimeException`, which
    /// the same `catch` as a ZooKeeper failure handles by reading the local cache file, so the
    /// server starts anyway with its cached worker id (and no report schedule).
    UseCachedId,
}

/// One Leaf server's side: its address, the local cache file (which survives a restart) and what
/// it holds in memory (lost on a restart).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LeafNode {
    /// `ip:port`.
    pub address: String,
    /// The worker id in the local file `${java.io.tmpdir}/<name>/leafconf/<port>/workerID.properties`
    /// (`updateLocalWorkerID`), written after every start from the registry.
    pub cached_worker: Option<u64>,
    /// The worker id of the running server; `None` until it has started.
    pub worker: Option<u64>,
    /// True while the server writes its clock into its node every 3 s.
    pub reporting: bool,
    /// The clock of the last successful report (`lastUpdateTime`, 0 after a start).
    pub last_report_ms: u64,
    /// What a start does when the clock is behind the node's last report.
    pub on_clock_behind: ClockBehindAtStart,
}

/// What one periodic report did.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Report {
    /// The clock was written into the node.
    Written,
    /// The clock reads earlier than the last report: Leaf skips the write (`if
    /// (System.currentTimeMillis() < lastUpdateTime) return;`).
    SkippedClockBehind,
    /// The registry is unreachable: the write fails and is logged.
    Failed,
    /// The server does not report (not started, or started from its cache file).
    NotReporting,
}

impl LeafNode {
    /// A server that has never started: no cache file yet.
    pub fn new(address: &str, on_clock_behind: ClockBehindAtStart) -> Result<LeafNode, Text> {
        bounds::name(("the server's address", "服务地址"), address)?;
        Ok(LeafNode {
            address: String::from(address),
            cached_worker: None,
            worker: None,
            reporting: false,
            last_report_ms: 0,
            on_clock_behind,
        })
    }

    /// The server stops (or crashes): what it held in memory is gone, the cache file stays.
    pub fn stop(&mut self) {
        self.worker = None;
        self.reporting = false;
        self.last_report_ms = 0;
    }

    /// Starts the server with its clock reading `wall_ms`, taking a worker id that must fit in
    /// `worker_bits` bits (10 in Leaf). Follows `SnowflakeZookeeperHolder.init` and the
    /// `SnowflakeIDGenImpl` constructor:
    /// - registry unreachable: the cached worker id, or no start;
    /// - own node found: its number, after checking that the node's last report is not later
    ///   than the clock (see [`ClockBehindAtStart`] for what happens when it is);
    /// - no node yet: a new persistent sequential node (created *before* the worker id is checked
    ///   against its field, so a refused server still uses up a number, as in Leaf);
    /// - on success, the worker id is written to the cache file and the reports begin.
    ///
    /// The blog also describes checking a new server's clock against the average of the running
    /// servers' (`leaf_temporary`); the open-source code has no such check, and neither does the
    /// model.
    pub fn start(
        &mut self,
        registry: &mut Registry,
        wall_ms: u64,
        worker_bits: u32,
    ) -> Result<Started, StartError> {
        self.stop();
        if !registry.reachable {
            return self.start_from_cache();
        }
        let (index, new) = match registry.node_of(&self.address) {
            Some(index) => {
                let reported = registry.nodes[index].reported_ms;
                if reported > wall_ms {
                    let behind_ms = reported - wall_ms;
                    return match self.on_clock_behind {
                        ClockBehindAtStart::Refuse => {
                            Err(StartError::ClockBehindLastReport { behind_ms })
                        }
                        ClockBehindAtStart::UseCachedId => self.start_from_cache(),
                    };
                }
                (index, false)
            }
            None => {
                registry.nodes.push(RegistryNode {
                    address: self.address.clone(),
                    sequence: registry.next_sequence,
                    reported_ms: wall_ms,
                });
                registry.next_sequence = registry.next_sequence.saturating_add(1);
                (registry.nodes.len() - 1, true)
            }
        };
        let node = &registry.nodes[index];
        let max = if worker_bits >= 64 {
            u64::MAX
        } else {
            (1u64 << worker_bits) - 1
        };
        if node.sequence > max {
            return Err(StartError::WorkerIdTooLarge {
                worker: node.sequence,
                max,
            });
        }
        let path = registry.path(node);
        let worker = node.sequence;
        self.worker = Some(worker);
        self.cached_worker = Some(worker);
        self.reporting = true;
        Ok(Started {
            worker,
            source: if new {
                WorkerSource::NewNode { path }
            } else {
                WorkerSource::OwnNode { path }
            },
        })
    }

    fn start_from_cache(&mut self) -> Result<Started, StartError> {
        let worker = self.cached_worker.ok_or(StartError::NoRegistryNoCache)?;
        self.worker = Some(worker);
        Ok(Started {
            worker,
            source: WorkerSource::LocalCache,
        })
    }

    /// The periodic report (`updateNewData`): writes the clock into the server's node, unless the
    /// clock reads earlier than the last report.
    pub fn report(&mut self, registry: &mut Registry, wall_ms: u64) -> Report {
        if !self.reporting {
            return Report::NotReporting;
        }
        if wall_ms < self.last_report_ms {
            return Report::SkippedClockBehind;
        }
        if !registry.reachable {
            return Report::Failed;
        }
        let Some(index) = registry.node_of(&self.address) else {
            return Report::Failed;
        };
        registry.nodes[index].reported_ms = wall_ms;
        self.last_report_ms = wall_ms;
        Report::Written
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn setup() -> (Registry, LeafNode, LeafNode) {
        (
            Registry::new("leaf").unwrap(),
            LeafNode::new("10.0.0.1:8080", ClockBehindAtStart::Refuse).unwrap(),
            LeafNode::new("10.0.0.2:8080", ClockBehindAtStart::Refuse).unwrap(),
        )
    }

    #[test]
    fn servers_get_sequential_numbers_and_keep_them_across_restarts() {
        let (mut zk, mut a, mut b) = setup();
        let sa = a.start(&mut zk, 1_000, 10).unwrap();
        assert_eq!(
            sa,
            Started {
                worker: 0,
                source: WorkerSource::NewNode {
                    path: "/snowflake/leaf/forever/10.0.0.1:8080-0000000000".into()
                }
            }
        );
        assert_eq!(b.start(&mut zk, 1_000, 10).unwrap().worker, 1);
        a.stop();
        let again = a.start(&mut zk, 5_000, 10).unwrap();
        assert_eq!(again.worker, 0);
        assert!(matches!(again.source, WorkerSource::OwnNode { .. }));
        assert_eq!(zk.nodes.len(), 2);
        assert_eq!(a.cached_worker, Some(0));
    }

    #[test]
    fn an_unreachable_registry_falls_back_to_the_cache_file() {
        let (mut zk, mut a, mut b) = setup();
        a.start(&mut zk, 1_000, 10).unwrap();
        zk.reachable = false;
        a.stop();
        let s = a.start(&mut zk, 2_000, 10).unwrap();
        assert_eq!((s.worker, s.source), (0, WorkerSource::LocalCache));
        let e = b.start(&mut zk, 2_000, 10).unwrap_err();
        assert_eq!(e, StartError::NoRegistryNoCache);
        assert!(e.text().zh.contains("注册中心"));
        assert_eq!(a.report(&mut zk, 3_000), Report::NotReporting);
    }

    #[test]
    fn a_clock_behind_the_last_report_is_refused_or_uses_the_cache_as_the_code_does() {
        let (mut zk, mut a, _) = setup();
        a.start(&mut zk, 1_000, 10).unwrap();
        assert_eq!(a.report(&mut zk, 4_000), Report::Written);
        assert_eq!(a.report(&mut zk, 3_500), Report::SkippedClockBehind);
        assert_eq!(zk.nodes[0].reported_ms, 4_000);
        a.stop();
        let e = a.start(&mut zk, 3_000, 10).unwrap_err();
        assert_eq!(e, StartError::ClockBehindLastReport { behind_ms: 1_000 });
        assert!(e.text().en.contains("1,000 ms behind"));
        a.on_clock_behind = ClockBehindAtStart::UseCachedId;
        let s = a.start(&mut zk, 3_000, 10).unwrap();
        assert_eq!((s.worker, s.source), (0, WorkerSource::LocalCache));
        assert!(!a.reporting);
        // Once the clock has passed the last report the server starts from its node again.
        a.on_clock_behind = ClockBehindAtStart::Refuse;
        assert!(a.start(&mut zk, 4_000, 10).is_ok());
    }

    #[test]
    fn a_number_past_the_worker_field_is_refused_and_still_used_up() {
        let mut zk = Registry::new("leaf").unwrap();
        for i in 0..4 {
            let mut n =
                LeafNode::new(&format!("10.0.0.{i}:8080"), ClockBehindAtStart::Refuse).unwrap();
            assert_eq!(n.start(&mut zk, 1_000, 2).unwrap().worker, i);
        }
        let mut late = LeafNode::new("10.0.0.9:8080", ClockBehindAtStart::Refuse).unwrap();
        let e = late.start(&mut zk, 1_000, 2).unwrap_err();
        assert_eq!(e, StartError::WorkerIdTooLarge { worker: 4, max: 3 });
        assert_eq!(zk.next_sequence, 5);
        assert_eq!(late.cached_worker, None);
    }
}
