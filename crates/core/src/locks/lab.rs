//! The distributed-locks lab (seed 004, section 二): clients, one lock service and a protected
//! resource. A client takes the lock, writes to the resource with the fencing token of its grant,
//! and releases; the resource records every write. Three services, one lock name:
//!
//! - [`Backend::Database`]: `INSERT` into a table with a unique index on the method name acquires,
//!   `DELETE` releases. A waiter polls: it retries the insert every `retry` ms, and every query is
//!   counted. A holder that crashes leaves its row behind and the lock is stuck, unless the table
//!   has an expiry column (`ttl`) and a cleanup job (`cleanup_every`) deletes expired rows. The
//!   row's auto-increment id is the fencing token. Every `INSERT` uses up an id, the refused ones
//!   too: InnoDB generates the value before the unique index refuses the row and never gives it
//!   back (MySQL Reference Manual, "AUTO_INCREMENT Handling in InnoDB", "Lost auto-increment
//!   values and sequence gaps": in every `innodb_autoinc_lock_mode`, and MySQL 8's default is 2,
//!   interleaved), so tokens rise with gaps. They rise while the server runs; across a restart only
//!   from MySQL 8.0, which persists the counter through the redo log (worklog WL#6204, "InnoDB
//!   persistent max value for autoinc columns": no reuse after a normal restart, but after a crash
//!   "this can NOT be guaranteed", since the redo log is not flushed at every allocation). MySQL
//!   5.7 and earlier rebuild the counter as `MAX(id) + 1` when the server starts (manual, "InnoDB
//!   AUTO_INCREMENT Counter Initialization"), so an empty lock table starts again at 1 and the token
//!   goes backwards. The lab keeps the counter across a crash, as MySQL 8.0 usually does. The
//!   database is a single point of failure: while it is down nobody acquires or releases.
//! - [`Backend::Redis`]: `SET lock <value> NX PX <ttl>` acquires; a client whose `SET` returns nil
//!   retries. The lease is the application's choice. (Redisson locks differently, with a Lua script
//!   on a hash and `pexpire`; its lease is `lockWatchdogTimeout`, 30 s, and its watchdog renews it
//!   every 10 s, a third of that, while the client lives: `RedissonBaseLock.renewExpiration`. A
//!   pause longer than 30 s still loses the lock.) `SET` answers only `OK`: Redis's lock pattern gives no fencing token. This lab adds
//!   one, an `INCR` of a counter key in the same script, so that the resource has something to
//!   check; real systems take the token from ZooKeeper (the lock node's `czxid` or version) or from
//!   a database sequence (Martin Kleppmann, "How to do distributed locking", 2016). The key expires after
//!   `ttl` even if its holder is still working (a pause, a slow network). Releasing with a plain `DEL`
//!   deletes whatever key is there, perhaps another client's; the safe release is the Lua
//!   compare-and-delete (`if GET == value then DEL`). With `replica`, the master copies its state to
//!   a replica asynchronously (`replication_lag` ms after a change); when the master crashes, the
//!   sentinel promotes the replica after `failover_after` ms, and whatever the replica had not
//!   received is gone: the lock, and the token counter with it.
//! - [`Backend::Zookeeper`]: a client opens a session with its first acquire and keeps it; each
//!   acquire creates an ephemeral sequential node `/lock/n-0000000001` in that session (with
//!   Curator's protection: a retried create finds the node of its first try), and a release deletes
//!   the node and keeps the session, as Curator's `InterProcessMutex.release` does
//!   (`LockInternals.releaseLock` → `deleteOurPath`, a guaranteed delete); the client closes its
//!   session once it has finished its rounds, which would delete any node left in it. The lowest
//!   node holds the lock, and each waiter watches only its
//!   predecessor (with `herd`, every waiter watches the lowest node, so every release wakes them
//!   all, and each re-reads the children). A session expires when the server hears nothing from it
//!   for `session_timeout` ms; its ephemeral nodes go with it. A paused client does not know: it
//!   learns when it resumes and its next heartbeat is answered with `SessionExpired`. The node's
//!   sequence number is the fencing token, which holds only while `/lock` exists: Curator creates
//!   it as a container node (`StandardLockInternalsDriver.createsTheLock`:
//!   `creatingParentContainersIfNeeded`), which the server deletes some time after its last child
//!   goes (ZooKeeper `CreateMode.CONTAINER`), and the numbering then starts again. The node's
//!   `czxid` never goes back. This lab keeps `/lock`, so its numbers only rise.
//!
//! With `fencing`, the resource remembers the newest token it accepted and rejects a write with an
//! older one; without it, it accepts every write (and records the token anyway).
//!
//! Simplified: one lock name; one ZooKeeper server (an ensemble would keep its sessions through a
//! leader change, as this one keeps them through a restart); ZooKeeper's `create`, `getChildren`
//! and `exists(watch)` are one round trip (as a multi-op would be), and so are `getChildren` and the
//! new watch after a notification; the server answers a heartbeat only when the session has
//! expired; a release and an accepted write are not answered (the client does not wait); Redis
//! keeps nothing on disk, so a restarted Redis is empty; a client that loses a request or its reply
//! (a crashed service, a partition) notices at once and retries after `retry` ms, as its request
//! timeout would, and a lost ZooKeeper delete is sent again after `retry` ms (Curator's guaranteed
//! delete); the herd variant has every waiter watch the lowest node, where the classic herd comes
//! from `getChildren(watch)` on `/lock` (which also fires on every create); the `INCR` counter
//! for Redis tokens is this lab's addition, not part of Redis's lock pattern. Lab time is
//! compressed (a 100 ms failover, a 300 ms session): the view shows each real default beside the
//! lab's number.
//!
//! The lab also keeps an oracle that no node can see: every grant the service issued, in order, and
//! when and why it ended. A Redis grant is a lease: the client was told it holds the lock for `ttl`
//! ms, so a grant the service forgets (a failover to a replica that missed the `SET`, a restart
//! with empty memory) still counts until its lease runs out. The invariants are judged against it.

use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::kernel::{
    Ctx, Envelope, LinkConfig, LossReason, NodeId, NodeState, Protocol, Severity, Time, TimerId,
    Violation, World,
};
use crate::scenario::{InvariantInfo, Lab, LabInfo, Scenario, StaticText, Topic};
use crate::text::Text;

pub const MAX_CLIENTS: usize = 5;
pub const MAX_ROUNDS: u32 = 5;
pub const MAX_WRITES: u32 = 5;
/// Upper bound on every duration in a set-up, in milliseconds.
pub const MAX_MS: Time = 600_000;

/// At most one client holds the lock according to the lock service: among the grants the oracle
/// still counts as valid (issued, and not released, expired, cleaned up, deleted, lost with a
/// session or in a failover), at most one client's. After a Redis failover only the new master's
/// key counts. The services in this lab keep it by construction; it is the resource that suffers.
pub const SINGLE_HOLDER: &str = "lock.single-holder";
/// The resource never accepts writes whose leases overlapped: once it has accepted a write under one
/// grant, it never accepts a write from another client under an earlier grant (that client's lease
/// had ended while a later one was valid), nor a write whose token is older than one it accepted.
/// Its subject is the write, so the panel follows it from the write that broke it.
pub const RESOURCE_SAFE: &str = "lock.resource-safe";
/// Liveness (a warning): the lock is held by a crashed client and nothing will free it (a database
/// row without an expiry column or cleanup job), or the lock service is down while clients want the
/// lock.
pub const NOT_STUCK: &str = "lock.not-stuck";

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Backend {
    Database,
    Redis,
    Zookeeper,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LocksSetup {
    pub backend: Backend,
    /// The clients' names; they are nodes 0, 1, ... in this order.
    pub clients: Vec<String>,
    /// How many times each client takes the lock.
    #[serde(default = "one")]
    pub rounds: u32,
    /// How many writes a client makes in each round.
    #[serde(default = "one")]
    pub writes: u32,
    /// The resource rejects a write whose token is older than one it accepted.
    #[serde(default)]
    pub fencing: bool,
    /// Release only one's own lock: Redis compare-and-delete, `DELETE ... AND id = ?`. Without
    /// it, a plain `DEL` / `DELETE WHERE method_name = ?`.
    #[serde(default = "yes")]
    pub safe_release: bool,
    /// ZooKeeper: every waiter watches the lowest node instead of its predecessor.
    #[serde(default)]
    pub herd: bool,
    /// Redis: the key's `PX`. Database: the expiry column's lease (0: no expiry column).
    #[serde(default)]
    pub ttl: Time,
    /// Database: how often the cleanup job deletes expired rows (0: no job).
    #[serde(default)]
    pub cleanup_every: Time,
    /// How long a waiting client sleeps before it polls again.
    #[serde(default = "default_retry")]
    pub retry: Time,
    /// ZooKeeper: the session timeout.
    #[serde(default = "default_session")]
    pub session_timeout: Time,
    /// ZooKeeper: how often a client with a session sends a heartbeat.
    #[serde(default = "default_heartbeat")]
    pub heartbeat: Time,
    /// Redis: a replica with asynchronous replication, and a sentinel that promotes it.
    #[serde(default)]
    pub replica: bool,
    #[serde(default = "default_lag")]
    pub replication_lag: Time,
    #[serde(default = "default_failover")]
    pub failover_after: Time,
    #[serde(default)]
    pub link: Option<LinkConfig>,
}

fn one() -> u32 {
    1
}
fn yes() -> bool {
    true
}
fn default_retry() -> Time {
    100
}
fn default_session() -> Time {
    3000
}
fn default_heartbeat() -> Time {
    1000
}
fn default_lag() -> Time {
    50
}
fn default_failover() -> Time {
    100
}

impl LocksSetup {
    /// A set-up with the defaults and the given clients.
    pub fn new(backend: Backend, clients: &[&str]) -> LocksSetup {
        LocksSetup {
            backend,
            clients: clients.iter().map(|c| String::from(*c)).collect(),
            rounds: 1,
            writes: 1,
            fencing: false,
            safe_release: true,
            herd: false,
            ttl: if backend == Backend::Redis { 1000 } else { 0 },
            cleanup_every: 0,
            retry: default_retry(),
            session_timeout: default_session(),
            heartbeat: default_heartbeat(),
            replica: false,
            replication_lag: default_lag(),
            failover_after: default_failover(),
            link: None,
        }
    }

    pub fn validate(&self) -> Result<(), Text> {
        if self.clients.is_empty() || self.clients.len() > MAX_CLIENTS {
            return Err(Text::new(
                format!("A set-up needs 1 to {MAX_CLIENTS} clients."),
                format!("需要 1 到 {MAX_CLIENTS} 个客户端。"),
            ));
        }
        if self
            .clients
            .iter()
            .any(|c| c.trim().is_empty() || c.len() > 16)
        {
            return Err(Text::new(
                "A client's name has 1 to 16 characters.",
                "客户端名称需要 1 到 16 个字符。",
            ));
        }
        if !(1..=MAX_ROUNDS).contains(&self.rounds) || self.writes > MAX_WRITES {
            return Err(Text::new(
                format!("A client takes the lock 1 to {MAX_ROUNDS} times and writes 0 to {MAX_WRITES} times a round."),
                format!("每个客户端加锁 1 到 {MAX_ROUNDS} 次，每次写 0 到 {MAX_WRITES} 次。"),
            ));
        }
        let durations = [
            self.ttl,
            self.cleanup_every,
            self.retry,
            self.session_timeout,
            self.heartbeat,
            self.replication_lag,
            self.failover_after,
        ];
        if let Some(link) = &self.link {
            link.check()?;
        }
        if durations.iter().any(|&d| d > MAX_MS) || self.retry == 0 {
            return Err(Text::new(
                format!(
                    "Durations are at most {MAX_MS} ms, and the retry interval is at least 1 ms."
                ),
                format!("时长最多 {MAX_MS} 毫秒，重试间隔至少 1 毫秒。"),
            ));
        }
        match self.backend {
            Backend::Redis if self.ttl == 0 => {
                return Err(Text::new(
                    "A Redis lock needs a TTL (PX) above 0.",
                    "Redis 锁需要大于 0 的过期时间（PX）。",
                ))
            }
            Backend::Database if self.cleanup_every > 0 && self.ttl == 0 => {
                return Err(Text::new(
                    "A cleanup job needs an expiry column (a TTL above 0).",
                    "清理任务需要过期时间列（TTL 大于 0）。",
                ))
            }
            Backend::Zookeeper if self.heartbeat == 0 || self.heartbeat >= self.session_timeout => {
                return Err(Text::new(
                    "Heartbeats must come more often than the session timeout.",
                    "心跳间隔必须小于会话超时。",
                ))
            }
            _ => {}
        }
        if self.replica && self.backend != Backend::Redis {
            return Err(Text::new(
                "Only Redis has a replica in this lab.",
                "本实验中只有 Redis 有副本。",
            ));
        }
        if self.replica && (self.replication_lag == 0 || self.failover_after == 0) {
            return Err(Text::new(
                "Replication lag and failover delay are at least 1 ms.",
                "复制延迟和故障转移延迟至少 1 毫秒。",
            ));
        }
        Ok(())
    }
}

/// What a client believes about the lock.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Phase {
    /// Not trying (before a round, or after it lost the lock).
    Idle,
    /// Asked for the lock and waits: for a reply, a retry, or a watch.
    Acquiring,
    /// Believes it holds the lock, whether or not the service still agrees.
    Holding,
    /// Finished every round.
    Done,
}

/// The value a client stores in the Redis key: who it is and which acquire this is, as a random
/// UUID would tell them apart.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
pub struct LockValue {
    pub client: NodeId,
    pub nonce: u32,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Client {
    pub name: String,
    pub phase: Phase,
    /// The fencing token of the grant it believes it holds.
    pub token: Option<u64>,
    pub rounds_left: u32,
    pub writes_left: u32,
    /// Acquire attempts (inserts, `SET`s, creates): the cost of polling.
    pub queries: u32,
    /// Redis: the value of its current acquire.
    pub value: LockValue,
    /// ZooKeeper: its open session (kept from one round to the next), its node's sequence
    /// number, the node it watches.
    pub session: Option<u32>,
    pub znode: Option<u64>,
    pub watching: Option<u64>,
    /// ZooKeeper: a released node whose delete was lost, to be sent again (Curator's
    /// `delete().guaranteed()` retries in the background).
    #[serde(default)]
    pub pending_delete: Option<u64>,
    pub retry_timer: TimerSlot,
    pub heartbeat_timer: TimerSlot,
}

/// A pending timer's id, kept so that it can be cancelled. It hashes only whether a timer is
/// pending: ids are counters that differ between interleavings reaching the same state, and an
/// explorer's fingerprint must not tell those states apart.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TimerSlot(pub Option<TimerId>);

impl TimerSlot {
    pub fn pending(id: TimerId) -> TimerSlot {
        TimerSlot(Some(id))
    }

    pub fn get(&self) -> Option<TimerId> {
        self.0
    }

    pub fn is_none(&self) -> bool {
        self.0.is_none()
    }

    pub fn take(&mut self) -> Option<TimerId> {
        self.0.take()
    }
}

impl core::hash::Hash for TimerSlot {
    fn hash<H: core::hash::Hasher>(&self, state: &mut H) {
        self.0.is_some().hash(state);
    }
}

/// The row of the `method_lock` table (one lock name, so at most one row).
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct LockRow {
    /// The auto-increment primary key: the fencing token.
    pub id: u64,
    pub owner: NodeId,
    /// The expiry column, if the table has one.
    pub expires_at: Option<Time>,
    /// The oracle's mark: its owner crashed while holding it, so no one remembers to delete it.
    pub orphaned: bool,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Database {
    pub node: NodeId,
    pub row: Option<LockRow>,
    /// The last auto-increment value generated; every `INSERT` generates one, the ones the
    /// unique index refuses too, and none is given back. It survives a crash of the database, as
    /// MySQL 8.0 usually (not certainly) keeps it; MySQL 5.7 would restart from `MAX(id) + 1`.
    pub auto_increment: u64,
    /// Every query it served (inserts and deletes).
    pub queries: u32,
    pub cleanup_timer: TimerSlot,
    /// A `DELETE` is on its way (the oracle's knowledge, for the liveness warning).
    #[serde(default)]
    pub deleting: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RedisKey {
    pub value: LockValue,
    /// When the key expires (its `PX` counted from the `SET`).
    pub expires_at: Time,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct RedisNode {
    pub node: NodeId,
    pub master: bool,
    /// The lock key, if set.
    pub key: Option<RedisKey>,
    /// The fencing counter key, `INCR`ed by every successful acquire.
    pub counter: u64,
    pub expire_timer: TimerSlot,
    pub replicate_timer: TimerSlot,
}

/// An ephemeral sequential node under `/lock`.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZNode {
    pub seq: u64,
    pub owner: NodeId,
    pub session: u32,
    /// Which acquire of its owner created it: Curator's protected create puts a GUID in the
    /// node's name, so that a retried create finds the node of its first try.
    #[serde(default)]
    pub attempt: u32,
}

impl ZNode {
    pub fn path(&self) -> String {
        znode_path(self.seq)
    }
}

/// `/lock/n-0000000001` for sequence number 1.
pub fn znode_path(seq: u64) -> String {
    format!("/lock/n-{seq:010}")
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Session {
    pub id: u32,
    pub client: NodeId,
    pub last_heard: Time,
    pub expired: bool,
    pub timer: TimerSlot,
}

/// A one-shot watch on a node's deletion.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZWatch {
    pub watcher: NodeId,
    pub session: u32,
    pub target: u64,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct ZooKeeper {
    pub node: NodeId,
    /// The children of `/lock`, by sequence number.
    pub children: Vec<ZNode>,
    pub next_seq: u64,
    pub sessions: Vec<Session>,
    pub watches: Vec<ZWatch>,
    pub next_session: u32,
    /// Watch notifications sent.
    pub watch_events: u32,
    /// `getChildren` calls after a notification.
    pub rereads: u32,
}

/// Why the oracle ended a grant.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum GrantEnd {
    Released,
    /// Another client's plain `DEL` / `DELETE` removed it.
    DeletedBy {
        client: NodeId,
    },
    Expired,
    CleanedUp,
    SessionExpired,
    /// The Redis master went down, or the promoted replica never had the key.
    Lost,
}

/// One grant of the lock, as the oracle saw the service issue it.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Grant {
    pub client: NodeId,
    pub token: u64,
    pub granted_at: Time,
    pub ended: Option<(Time, GrantEnd)>,
    /// The end of the lease the client was promised (Redis: `PX` after the `SET`). A grant the
    /// service lost (a failover, a restart with empty memory) stays valid until then: the client
    /// was told it holds the lock that long, whatever the service forgot.
    #[serde(default)]
    pub lease_until: Option<Time>,
}

impl Grant {
    /// Whether the lock service's promise still stands at `now`.
    pub fn valid_at(&self, now: Time) -> bool {
        let in_lease = self.lease_until.is_none_or(|t| t > now);
        match self.ended {
            None => in_lease,
            Some((_, GrantEnd::Lost)) => self.lease_until.is_some() && in_lease,
            Some(_) => false,
        }
    }
}

/// One write the resource received.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct WriteRecord {
    pub client: NodeId,
    pub token: u64,
    pub at: Time,
    pub accepted: bool,
    /// The oracle's grant this write was made under.
    pub grant: Option<usize>,
    /// Accepted after a write under this later grant of another client.
    pub overlaps: Option<usize>,
    /// Accepted with a token older than the newest accepted before it.
    pub stale: bool,
}

/// The protected resource (storage) and its write log.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
pub struct Resource {
    pub node: NodeId,
    pub log: Vec<WriteRecord>,
    /// The newest token it accepted.
    pub newest: Option<u64>,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockOp {
    /// The client asks for the lock.
    Acquire {
        client: NodeId,
    },
    /// The client writes to the resource with its token (it believes it holds the lock).
    Write {
        client: NodeId,
    },
    /// The client releases the lock it believes it holds.
    Release {
        client: NodeId,
    },
    SetFencing {
        on: bool,
    },
    SetSafeRelease {
        on: bool,
    },
    SetHerd {
        on: bool,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockMsg {
    /// `INSERT INTO method_lock (method_name, ...)`.
    Insert,
    InsertOk {
        id: u64,
    },
    /// The unique index refused the insert; the auto-increment value `id` it generated is used
    /// up all the same.
    DuplicateKey {
        id: u64,
    },
    /// `DELETE FROM method_lock WHERE method_name = ?` (and `AND id = ?` if `id` is given).
    Delete {
        id: Option<u64>,
    },
    /// `SET lock value NX PX ttl` and `INCR fence`.
    SetNx {
        value: LockValue,
        px: Time,
    },
    SetOk {
        token: u64,
    },
    SetNil,
    /// Plain `DEL lock`.
    Del,
    /// The Lua script: `if GET lock == value then DEL lock`.
    CompareAndDelete {
        value: LockValue,
    },
    /// Asynchronous replication: the master's lock key and counter.
    Sync {
        key: Option<RedisKey>,
        counter: u64,
    },
    /// Creates `/lock/n-` (ephemeral, sequential) in the client's session, or in a new one if
    /// `session` is `None`; reads the children and watches the predecessor (or, with `herd`, the
    /// lowest node). `attempt` is the protected create's GUID.
    Create {
        herd: bool,
        #[serde(default)]
        session: Option<u32>,
        #[serde(default)]
        attempt: u32,
    },
    Created {
        session: u32,
        seq: u64,
        children: Vec<u64>,
        watching: Option<u64>,
    },
    GetChildren {
        session: u32,
        herd: bool,
        /// The client's node.
        #[serde(default)]
        seq: u64,
    },
    Children {
        children: Vec<u64>,
        watching: Option<u64>,
    },
    WatchEvent {
        deleted: u64,
    },
    Ping {
        session: u32,
    },
    SessionExpired {
        session: u32,
    },
    /// Curator's release: deletes the client's node and keeps its session.
    DeleteNode {
        session: u32,
        seq: u64,
    },
    /// Closes the session, which deletes every ephemeral node left in it.
    Close {
        session: u32,
    },
    Write {
        token: u64,
    },
    Rejected {
        token: u64,
        newest: u64,
    },
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockTimer {
    /// A waiting client polls again.
    Retry,
    /// A ZooKeeper client's heartbeat.
    Heartbeat,
    /// The server checks whether a session has timed out.
    SessionCheck { session: u32 },
    /// The Redis key's TTL runs out.
    Expire,
    /// The database's cleanup job.
    Cleanup,
    /// The Redis master ships its changes to the replica.
    Replicate,
    /// The sentinel promotes the replica.
    Promote,
}

#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum LockNote {
    /// The service granted the lock (the oracle's view).
    Granted {
        client: NodeId,
        token: u64,
    },
    /// The client learned it holds the lock.
    Acquired {
        client: NodeId,
        token: u64,
    },
    /// The lock is taken; the client will poll again.
    Busy {
        client: NodeId,
        holder: Option<NodeId>,
    },
    /// The lock was released by its owner.
    Released {
        client: NodeId,
        token: u64,
    },
    /// A plain `DEL` / `DELETE` removed another client's lock.
    DeletedOthers {
        by: NodeId,
        owner: NodeId,
        token: u64,
    },
    /// A safe release found another client's lock and left it alone.
    NotOwner {
        by: NodeId,
        owner: Option<NodeId>,
    },
    /// The Redis key's TTL ran out.
    Expired {
        client: NodeId,
        token: u64,
    },
    /// The cleanup job deleted an expired row.
    CleanedUp {
        client: NodeId,
        token: u64,
    },
    /// A grant the lock service no longer has (its Redis master died, or the promoted replica never
    /// saw it).
    Lost {
        client: NodeId,
        token: u64,
    },
    Promoted {
        node: NodeId,
        holder: Option<NodeId>,
        counter: u64,
    },
    ZnodeCreated {
        client: NodeId,
        seq: u64,
    },
    ZnodeDeleted {
        client: NodeId,
        seq: u64,
    },
    Watching {
        client: NodeId,
        target: u64,
    },
    Notified {
        client: NodeId,
        deleted: u64,
    },
    SessionExpired {
        client: NodeId,
        session: u32,
    },
    /// The client learned it no longer holds the lock (or its place in the queue).
    LearnedLost {
        client: NodeId,
    },
    WriteAccepted {
        client: NodeId,
        token: u64,
    },
    WriteRejected {
        client: NodeId,
        token: u64,
        newest: u64,
    },
    FencingSet {
        on: bool,
    },
    SafeReleaseSet {
        on: bool,
    },
    HerdSet {
        on: bool,
    },
}

/// The lab: clients (nodes `0..n`), the lock service, then the resource (the last node).
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub struct LocksLab {
    pub setup: LocksSetup,
    pub clients: Vec<Client>,
    pub fencing: bool,
    pub safe_release: bool,
    pub herd: bool,
    pub db: Option<Database>,
    /// The Redis master first, then the replica (if any); `master` says who is master now.
    pub redis: Vec<RedisNode>,
    pub zk: Option<ZooKeeper>,
    pub resource: Resource,
    /// The oracle: every grant, in the order the service issued them.
    pub grants: Vec<Grant>,
    /// The time of the latest step, for the oracle's leases.
    pub now: Time,
}

impl LocksLab {
    pub fn new(setup: &LocksSetup) -> Result<LocksLab, Text> {
        setup.validate()?;
        let n = setup.clients.len() as NodeId;
        let clients = setup
            .clients
            .iter()
            .enumerate()
            .map(|(i, name)| Client {
                name: name.clone(),
                phase: Phase::Idle,
                token: None,
                rounds_left: setup.rounds,
                writes_left: 0,
                queries: 0,
                value: LockValue {
                    client: i as NodeId,
                    nonce: 0,
                },
                session: None,
                znode: None,
                watching: None,
                pending_delete: None,
                retry_timer: TimerSlot(None),
                heartbeat_timer: TimerSlot(None),
            })
            .collect();
        let mut lab = LocksLab {
            setup: setup.clone(),
            clients,
            fencing: setup.fencing,
            safe_release: setup.safe_release,
            herd: setup.herd,
            db: None,
            redis: Vec::new(),
            zk: None,
            resource: Resource::default(),
            grants: Vec::new(),
            now: 0,
        };
        let storage = match setup.backend {
            Backend::Database => {
                lab.db = Some(Database {
                    node: n,
                    row: None,
                    auto_increment: 0,
                    queries: 0,
                    cleanup_timer: TimerSlot(None),
                    deleting: false,
                });
                n + 1
            }
            Backend::Redis => {
                let node = |node, master| RedisNode {
                    node,
                    master,
                    key: None,
                    counter: 0,
                    expire_timer: TimerSlot(None),
                    replicate_timer: TimerSlot(None),
                };
                lab.redis.push(node(n, true));
                if setup.replica {
                    lab.redis.push(node(n + 1, false));
                    n + 2
                } else {
                    n + 1
                }
            }
            Backend::Zookeeper => {
                lab.zk = Some(ZooKeeper {
                    node: n,
                    children: Vec::new(),
                    next_seq: 1,
                    sessions: Vec::new(),
                    watches: Vec::new(),
                    next_session: 1,
                    watch_events: 0,
                    rereads: 0,
                });
                n + 1
            }
        };
        lab.resource.node = storage;
        Ok(lab)
    }

    /// The node names: the clients, then the service, then the resource.
    pub fn node_names(&self) -> Vec<String> {
        let mut names: Vec<String> = self.clients.iter().map(|c| c.name.clone()).collect();
        match self.setup.backend {
            Backend::Database => names.push(String::from("DB")),
            Backend::Redis => {
                names.push(String::from("Redis"));
                if self.setup.replica {
                    names.push(String::from("Replica"));
                }
            }
            Backend::Zookeeper => names.push(String::from("ZK")),
        }
        names.push(String::from("Storage"));
        names
    }

    pub fn world(setup: &LocksSetup, seed: u64) -> Result<World<LocksLab>, Text> {
        let lab = LocksLab::new(setup)?;
        let names = lab.node_names();
        let names: Vec<&str> = names.iter().map(String::as_str).collect();
        let link = setup.link.unwrap_or(LinkConfig {
            latency_min: 5,
            latency_max: 15,
            ..LinkConfig::default()
        });
        Ok(World::new(lab, &names, link, seed))
    }

    pub fn name(&self, node: NodeId) -> String {
        self.node_names()
            .get(usize::from(node))
            .cloned()
            .unwrap_or_else(|| String::from("?"))
    }

    fn is_client(&self, node: NodeId) -> bool {
        usize::from(node) < self.clients.len()
    }

    /// The node clients send lock requests to: the database, ZooKeeper, or the Redis master the
    /// sentinel names.
    pub fn service(&self) -> NodeId {
        if let Some(db) = &self.db {
            return db.node;
        }
        if let Some(zk) = &self.zk {
            return zk.node;
        }
        self.redis.iter().find(|r| r.master).map_or(0, |r| r.node)
    }

    fn redis_index(&self, node: NodeId) -> Option<usize> {
        self.redis.iter().position(|r| r.node == node)
    }

    /// The grants the oracle still counts as valid.
    pub fn valid_grants(&self) -> impl Iterator<Item = (usize, &Grant)> {
        self.grants
            .iter()
            .enumerate()
            .filter(|(_, g)| g.ended.is_none())
    }

    /// The grants whose promise still stands now: the open ones within their lease, and the ones
    /// the service lost while their lease runs. More than one client here is two holders.
    pub fn promised_grants(&self) -> impl Iterator<Item = (usize, &Grant)> {
        let now = self.now;
        self.grants
            .iter()
            .enumerate()
            .filter(move |(_, g)| g.valid_at(now))
    }

    /// Who holds the lock according to the service's current authoritative node.
    pub fn holder(&self) -> Option<NodeId> {
        if let Some(db) = &self.db {
            return db.row.as_ref().map(|r| r.owner);
        }
        if let Some(zk) = &self.zk {
            return zk.children.first().map(|z| z.owner);
        }
        self.redis
            .iter()
            .find(|r| r.master)
            .and_then(|r| r.key)
            .map(|k| k.value.client)
    }

    fn grant(&mut self, client: NodeId, token: u64, ctx: &mut Ctx<'_, Self>) {
        let lease_until = (self.setup.backend == Backend::Redis && self.setup.ttl > 0)
            .then(|| ctx.now() + self.setup.ttl);
        self.grants.push(Grant {
            client,
            token,
            granted_at: ctx.now(),
            ended: None,
            lease_until,
        });
        ctx.note(LockNote::Granted { client, token });
    }

    /// Ends the valid grants of `client` (every client's if `None`).
    fn end_grants(&mut self, client: Option<NodeId>, why: GrantEnd, now: Time) {
        for g in &mut self.grants {
            let open = matches!(g.ended, None | Some((_, GrantEnd::Lost)));
            if open && client.is_none_or(|c| g.client == c) {
                g.ended = Some((now, why));
            }
        }
    }

    fn acquire_request(&mut self, c: NodeId, ctx: &mut Ctx<'_, Self>) {
        let service = self.service();
        let herd = self.herd;
        let px = self.setup.ttl;
        let client = &mut self.clients[usize::from(c)];
        if let Some(stray) = client.retry_timer.take() {
            ctx.cancel_timer(stray);
        }
        match self.setup.backend {
            Backend::Database => {
                client.queries += 1;
                ctx.send(c, service, LockMsg::Insert);
            }
            Backend::Redis => {
                client.queries += 1;
                let value = client.value;
                ctx.send(c, service, LockMsg::SetNx { value, px });
            }
            Backend::Zookeeper => {
                if let (Some(session), Some(seq)) = (client.session, client.pending_delete.take()) {
                    // The guaranteed delete of a released node goes first.
                    ctx.send(c, service, LockMsg::DeleteNode { session, seq });
                }
                match (client.session, client.znode) {
                    (session, None) => {
                        client.queries += 1;
                        let attempt = client.value.nonce;
                        ctx.send(
                            c,
                            service,
                            LockMsg::Create {
                                herd,
                                session,
                                attempt,
                            },
                        );
                    }
                    (Some(session), Some(seq)) => {
                        if let Some(zk) = &mut self.zk {
                            zk.rereads += 1;
                        }
                        ctx.send(c, service, LockMsg::GetChildren { session, herd, seq });
                    }
                    (None, Some(_)) => {}
                }
            }
        }
    }

    fn schedule_retry(&mut self, c: NodeId, ctx: &mut Ctx<'_, Self>) {
        let after = self.setup.retry;
        let client = &mut self.clients[usize::from(c)];
        if client.phase == Phase::Acquiring && client.retry_timer.is_none() {
            client.retry_timer = TimerSlot::pending(ctx.set_timer(c, after, LockTimer::Retry));
        }
    }

    fn hold(&mut self, c: NodeId, token: u64, ctx: &mut Ctx<'_, Self>) {
        let writes = self.setup.writes;
        let client = &mut self.clients[usize::from(c)];
        client.phase = Phase::Holding;
        client.token = Some(token);
        client.writes_left = writes;
        client.watching = None;
        ctx.note(LockNote::Acquired { client: c, token });
    }

    /// The client drops every belief about the lock and its retry timer (not its rounds, not its
    /// ZooKeeper session).
    fn forget_lock(&mut self, c: NodeId, ctx: &mut Ctx<'_, Self>) {
        let client = &mut self.clients[usize::from(c)];
        if let Some(t) = client.retry_timer.take() {
            ctx.cancel_timer(t);
        }
        if client.phase != Phase::Done {
            client.phase = Phase::Idle;
        }
        client.token = None;
        client.znode = None;
        client.watching = None;
        client.writes_left = 0;
    }

    /// The client drops its ZooKeeper session (closed, expired, or gone with its memory) and stops
    /// its heartbeats.
    fn drop_session(&mut self, c: NodeId, ctx: &mut Ctx<'_, Self>) {
        let client = &mut self.clients[usize::from(c)];
        if let Some(t) = client.heartbeat_timer.take() {
            ctx.cancel_timer(t);
        }
        client.session = None;
        client.pending_delete = None;
    }

    /// The client drops every belief about the lock and its session.
    fn forget(&mut self, c: NodeId, ctx: &mut Ctx<'_, Self>) {
        self.forget_lock(c, ctx);
        self.drop_session(c, ctx);
    }

    /// The client learned from the service or the resource that its lock is gone.
    fn learn_lost(&mut self, c: NodeId, ctx: &mut Ctx<'_, Self>) {
        let session = self.clients[usize::from(c)].session;
        if let (Some(session), Some(zk)) = (session, &self.zk) {
            let zk_node = zk.node;
            ctx.send(c, zk_node, LockMsg::Close { session });
        }
        self.forget(c, ctx);
        ctx.note(LockNote::LearnedLost { client: c });
    }

    // --- Database ---

    fn db_on_msg(&mut self, from: NodeId, msg: LockMsg, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let ttl = self.setup.ttl;
        let cleanup_every = self.setup.cleanup_every;
        let Some(db) = &mut self.db else { return };
        let me = db.node;
        db.queries += 1;
        match msg {
            LockMsg::Insert => {
                // InnoDB generates the auto-increment value before the unique index refuses the
                // row, and never gives it back, in every innodb_autoinc_lock_mode (MySQL Reference
                // Manual, "AUTO_INCREMENT Handling in InnoDB": "Once a value is generated for an
                // auto-increment column, it cannot be rolled back, whether or not the INSERT-like
                // statement is completed"). A refused insert leaves a gap in the ids.
                db.auto_increment += 1;
                let id = db.auto_increment;
                if let Some(row) = &db.row {
                    let holder = Some(row.owner);
                    ctx.send(me, from, LockMsg::DuplicateKey { id });
                    ctx.note(LockNote::Busy {
                        client: from,
                        holder,
                    });
                    return;
                }
                db.row = Some(LockRow {
                    id,
                    owner: from,
                    expires_at: (ttl > 0).then_some(now + ttl),
                    orphaned: false,
                });
                if ttl > 0 && cleanup_every > 0 && db.cleanup_timer.is_none() {
                    db.cleanup_timer =
                        TimerSlot::pending(ctx.set_timer(me, cleanup_every, LockTimer::Cleanup));
                }
                ctx.send(me, from, LockMsg::InsertOk { id });
                self.grant(from, id, ctx);
            }
            LockMsg::Delete { id } => {
                db.deleting = false;
                let Some(row) = db.row.clone() else {
                    return ctx.note(LockNote::NotOwner {
                        by: from,
                        owner: None,
                    });
                };
                if id.is_some_and(|id| id != row.id) {
                    return ctx.note(LockNote::NotOwner {
                        by: from,
                        owner: Some(row.owner),
                    });
                }
                db.row = None;
                if let Some(t) = db.cleanup_timer.take() {
                    ctx.cancel_timer(t);
                }
                self.removed(from, row.owner, row.id, now, ctx);
            }
            _ => {}
        }
    }

    /// A release by `by` removed the lock of `owner`.
    fn removed(
        &mut self,
        by: NodeId,
        owner: NodeId,
        token: u64,
        now: Time,
        ctx: &mut Ctx<'_, Self>,
    ) {
        if by == owner {
            self.end_grants(Some(owner), GrantEnd::Released, now);
            ctx.note(LockNote::Released {
                client: owner,
                token,
            });
        } else {
            self.end_grants(Some(owner), GrantEnd::DeletedBy { client: by }, now);
            ctx.note(LockNote::DeletedOthers { by, owner, token });
        }
    }

    fn db_cleanup(&mut self, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let every = self.setup.cleanup_every;
        let Some(db) = &mut self.db else { return };
        db.cleanup_timer = TimerSlot(None);
        let me = db.node;
        match db.row.clone() {
            Some(row) if row.expires_at.is_some_and(|t| t <= now) => {
                db.row = None;
                self.end_grants(Some(row.owner), GrantEnd::CleanedUp, now);
                ctx.note(LockNote::CleanedUp {
                    client: row.owner,
                    token: row.id,
                });
            }
            Some(_) => {
                db.cleanup_timer = TimerSlot::pending(ctx.set_timer(me, every, LockTimer::Cleanup));
            }
            None => {}
        }
    }

    // --- Redis ---

    /// Deletes the key on Redis node `r` if its TTL has run out (lazy or active expiry).
    fn redis_expire(&mut self, r: usize, now: Time, ctx: &mut Ctx<'_, Self>) {
        let node = &mut self.redis[r];
        let Some(key) = node.key else { return };
        if key.expires_at > now || !node.master {
            return;
        }
        node.key = None;
        if let Some(t) = node.expire_timer.take() {
            ctx.cancel_timer(t);
        }
        self.end_grants(Some(key.value.client), GrantEnd::Expired, now);
        let token = self.token_of(key.value.client);
        ctx.note(LockNote::Expired {
            client: key.value.client,
            token,
        });
        self.redis_changed(r, ctx);
    }

    fn token_of(&self, client: NodeId) -> u64 {
        self.grants
            .iter()
            .rev()
            .find(|g| g.client == client)
            .map_or(0, |g| g.token)
    }

    /// The master changed its data: replicate it after the lag.
    fn redis_changed(&mut self, r: usize, ctx: &mut Ctx<'_, Self>) {
        let lag = self.setup.replication_lag;
        let has_replica = self.redis.len() > 1;
        let node = &mut self.redis[r];
        if has_replica && node.master && node.replicate_timer.is_none() {
            node.replicate_timer =
                TimerSlot::pending(ctx.set_timer(node.node, lag, LockTimer::Replicate));
        }
    }

    fn redis_on_msg(&mut self, to: NodeId, from: NodeId, msg: LockMsg, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let Some(r) = self.redis_index(to) else {
            return;
        };
        if let LockMsg::Sync { key, counter } = msg {
            let node = &mut self.redis[r];
            if !node.master {
                node.key = key;
                node.counter = counter;
            }
            return;
        }
        if !self.redis[r].master {
            // A replica is read-only; clients only talk to the master the sentinel names.
            return;
        }
        self.redis_expire(r, now, ctx);
        match msg {
            LockMsg::SetNx { value, px } => {
                let node = &mut self.redis[r];
                if let Some(key) = node.key {
                    ctx.send(to, from, LockMsg::SetNil);
                    return ctx.note(LockNote::Busy {
                        client: from,
                        holder: Some(key.value.client),
                    });
                }
                node.key = Some(RedisKey {
                    value,
                    expires_at: now + px,
                });
                node.counter += 1;
                let token = node.counter;
                if let Some(t) = node.expire_timer.take() {
                    ctx.cancel_timer(t);
                }
                node.expire_timer = TimerSlot::pending(ctx.set_timer(to, px, LockTimer::Expire));
                ctx.send(to, from, LockMsg::SetOk { token });
                self.grant(from, token, ctx);
                self.redis_changed(r, ctx);
            }
            LockMsg::Del | LockMsg::CompareAndDelete { .. } => {
                let node = &mut self.redis[r];
                let Some(key) = node.key else {
                    return ctx.note(LockNote::NotOwner {
                        by: from,
                        owner: None,
                    });
                };
                if let LockMsg::CompareAndDelete { value } = msg {
                    if value != key.value {
                        return ctx.note(LockNote::NotOwner {
                            by: from,
                            owner: Some(key.value.client),
                        });
                    }
                }
                node.key = None;
                if let Some(t) = node.expire_timer.take() {
                    ctx.cancel_timer(t);
                }
                let owner = key.value.client;
                let token = self.token_of(owner);
                self.removed(from, owner, token, now, ctx);
                self.redis_changed(r, ctx);
            }
            _ => {}
        }
    }

    fn redis_replicate(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        let Some(r) = self.redis_index(node) else {
            return;
        };
        self.redis[r].replicate_timer = TimerSlot(None);
        let (key, counter) = (self.redis[r].key, self.redis[r].counter);
        let replicas: Vec<NodeId> = self
            .redis
            .iter()
            .filter(|x| !x.master)
            .map(|x| x.node)
            .collect();
        for to in replicas {
            ctx.send(node, to, LockMsg::Sync { key, counter });
        }
    }

    fn redis_promote(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let Some(r) = self.redis_index(node) else {
            return;
        };
        let master_up = self.redis.iter().any(|x| x.master && ctx.is_up(x.node));
        if master_up || self.redis[r].master {
            return;
        }
        for x in &mut self.redis {
            x.master = x.node == node;
        }
        let key = self.redis[r].key;
        let holder = key.map(|k| k.value.client);
        // Grants the new master does not have are gone.
        let lost: Vec<(NodeId, u64)> = self
            .valid_grants()
            .filter(|(_, g)| Some(g.client) != holder)
            .map(|(_, g)| (g.client, g.token))
            .collect();
        for (client, token) in lost {
            self.end_grants(Some(client), GrantEnd::Lost, now);
            ctx.note(LockNote::Lost { client, token });
        }
        ctx.note(LockNote::Promoted {
            node,
            holder,
            counter: self.redis[r].counter,
        });
        if let Some(key) = key {
            let after = key.expires_at.saturating_sub(now);
            self.redis[r].expire_timer =
                TimerSlot::pending(ctx.set_timer(node, after, LockTimer::Expire));
        }
    }

    // --- ZooKeeper ---

    fn zk_target(children: &[ZNode], seq: u64, herd: bool) -> Option<u64> {
        let lowest = children.first()?.seq;
        if lowest == seq {
            return None;
        }
        if herd {
            return Some(lowest);
        }
        children
            .iter()
            .take_while(|z| z.seq < seq)
            .last()
            .map(|z| z.seq)
    }

    /// Gives a grant to the owner of the lowest node if it has none yet.
    fn zk_grant_lowest(&mut self, ctx: &mut Ctx<'_, Self>) {
        let Some(lowest) = self.zk.as_ref().and_then(|zk| zk.children.first().cloned()) else {
            return;
        };
        let granted = self
            .valid_grants()
            .any(|(_, g)| g.client == lowest.owner && g.token == lowest.seq);
        if !granted {
            self.grant(lowest.owner, lowest.seq, ctx);
        }
    }

    /// Deletes the nodes of a session (closed or expired), drops the session's watches, and fires
    /// the watches on its nodes.
    fn zk_delete_session_nodes(&mut self, session: u32, why: GrantEnd, ctx: &mut Ctx<'_, Self>) {
        if let Some(zk) = &mut self.zk {
            zk.watches.retain(|w| w.session != session);
        }
        self.zk_delete_nodes(|z| z.session == session, why, ctx);
    }

    /// Deletes the nodes that `which` picks and fires the watches on them.
    fn zk_delete_nodes(
        &mut self,
        which: impl Fn(&ZNode) -> bool,
        why: GrantEnd,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let now = ctx.now();
        let Some(zk) = &mut self.zk else { return };
        let me = zk.node;
        let (gone, kept): (Vec<ZNode>, Vec<ZNode>) = zk.children.drain(..).partition(|z| which(z));
        zk.children = kept;
        let mut notify = Vec::new();
        for z in &gone {
            zk.watches.retain(|w| {
                if w.target == z.seq {
                    notify.push((w.watcher, z.seq));
                    false
                } else {
                    true
                }
            });
        }
        zk.watch_events += notify.len() as u32;
        for z in &gone {
            ctx.note(LockNote::ZnodeDeleted {
                client: z.owner,
                seq: z.seq,
            });
            for g in &mut self.grants {
                if g.ended.is_none() && g.client == z.owner && g.token == z.seq {
                    g.ended = Some((now, why));
                }
            }
        }
        for (watcher, deleted) in notify {
            ctx.send(me, watcher, LockMsg::WatchEvent { deleted });
        }
        self.zk_grant_lowest(ctx);
    }

    fn zk_touch(&mut self, session: u32, ctx: &mut Ctx<'_, Self>) -> bool {
        let now = ctx.now();
        let timeout = self.setup.session_timeout;
        let Some(zk) = &mut self.zk else { return false };
        let me = zk.node;
        let Some(s) = zk.sessions.iter_mut().find(|s| s.id == session) else {
            return false;
        };
        if s.expired {
            return false;
        }
        s.last_heard = now;
        if let Some(t) = s.timer.take() {
            ctx.cancel_timer(t);
        }
        s.timer =
            TimerSlot::pending(ctx.set_timer(me, timeout, LockTimer::SessionCheck { session }));
        true
    }

    /// The children of `/lock`, and the node that the client's node `seq` watches (set here).
    fn zk_view(
        &mut self,
        from: NodeId,
        session: u32,
        seq: u64,
        herd: bool,
    ) -> (Vec<u64>, Option<u64>) {
        let Some(zk) = &mut self.zk else {
            return (Vec::new(), None);
        };
        let children: Vec<u64> = zk.children.iter().map(|z| z.seq).collect();
        let mine = zk
            .children
            .iter()
            .find(|z| z.session == session && z.seq == seq)
            .map(|z| z.seq);
        let target = mine.and_then(|seq| Self::zk_target(&zk.children, seq, herd));
        if let Some(target) = target {
            let watch = ZWatch {
                watcher: from,
                session,
                target,
            };
            // A watch is set once per node: reading again does not add a second notification.
            if !zk.watches.contains(&watch) {
                zk.watches.push(watch);
            }
        }
        (children, target)
    }

    fn zk_on_msg(&mut self, from: NodeId, msg: LockMsg, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let timeout = self.setup.session_timeout;
        let Some(zk) = &mut self.zk else { return };
        let me = zk.node;
        match msg {
            LockMsg::Create {
                herd,
                session,
                attempt,
            } => {
                let session = match session {
                    Some(session) => {
                        if !self.zk_touch(session, ctx) {
                            return ctx.send(me, from, LockMsg::SessionExpired { session });
                        }
                        session
                    }
                    None => {
                        let session = zk.next_session;
                        zk.next_session += 1;
                        let timer = ctx.set_timer(me, timeout, LockTimer::SessionCheck { session });
                        zk.sessions.push(Session {
                            id: session,
                            client: from,
                            last_heard: now,
                            expired: false,
                            timer: TimerSlot::pending(timer),
                        });
                        session
                    }
                };
                let Some(zk) = &mut self.zk else { return };
                // A protected create: a retry finds the node its first try made.
                let earlier = zk
                    .children
                    .iter()
                    .find(|z| z.session == session && z.owner == from && z.attempt == attempt)
                    .map(|z| z.seq);
                let seq = match earlier {
                    Some(seq) => seq,
                    None => {
                        let seq = zk.next_seq;
                        zk.next_seq += 1;
                        zk.children.push(ZNode {
                            seq,
                            owner: from,
                            session,
                            attempt,
                        });
                        ctx.note(LockNote::ZnodeCreated { client: from, seq });
                        seq
                    }
                };
                let (children, watching) = self.zk_view(from, session, seq, herd);
                if let Some(target) = watching {
                    ctx.note(LockNote::Watching {
                        client: from,
                        target,
                    });
                }
                ctx.send(
                    me,
                    from,
                    LockMsg::Created {
                        session,
                        seq,
                        children,
                        watching,
                    },
                );
                self.zk_grant_lowest(ctx);
            }
            LockMsg::GetChildren { session, herd, seq } => {
                if !self.zk_touch(session, ctx) {
                    return ctx.send(me, from, LockMsg::SessionExpired { session });
                }
                let (children, watching) = self.zk_view(from, session, seq, herd);
                if let Some(target) = watching {
                    ctx.note(LockNote::Watching {
                        client: from,
                        target,
                    });
                }
                ctx.send(me, from, LockMsg::Children { children, watching });
            }
            LockMsg::Ping { session } => {
                let alive = self.zk_touch(session, ctx);
                if !alive {
                    ctx.send(me, from, LockMsg::SessionExpired { session });
                }
            }
            LockMsg::DeleteNode { session, seq } => {
                // Curator's release (LockInternals.releaseLock → deleteOurPath): the node goes,
                // the session stays. Any request counts as the session being heard from.
                if !self.zk_touch(session, ctx) {
                    return ctx.send(me, from, LockMsg::SessionExpired { session });
                }
                let node = self
                    .zk
                    .as_ref()
                    .and_then(|zk| zk.children.iter().find(|z| z.seq == seq))
                    .map(|z| z.owner);
                match node {
                    Some(owner) => {
                        ctx.note(LockNote::Released {
                            client: owner,
                            token: seq,
                        });
                        self.zk_delete_nodes(|z| z.seq == seq, GrantEnd::Released, ctx);
                    }
                    // Already gone (its session expired): nothing to delete.
                    None => ctx.note(LockNote::NotOwner {
                        by: from,
                        owner: None,
                    }),
                }
            }
            LockMsg::Close { session } => {
                let open = zk.sessions.iter().any(|s| s.id == session && !s.expired);
                if let Some(zk) = &mut self.zk {
                    if let Some(i) = zk.sessions.iter().position(|s| s.id == session) {
                        if let Some(t) = zk.sessions[i].timer.get() {
                            ctx.cancel_timer(t);
                        }
                        zk.sessions.remove(i);
                    }
                }
                if open {
                    if let Some(z) = self
                        .zk
                        .as_ref()
                        .and_then(|zk| zk.children.iter().find(|z| z.session == session))
                    {
                        let (owner, seq) = (z.owner, z.seq);
                        ctx.note(LockNote::Released {
                            client: owner,
                            token: seq,
                        });
                    }
                    self.zk_delete_session_nodes(session, GrantEnd::Released, ctx);
                }
            }
            _ => {}
        }
    }

    fn zk_session_check(&mut self, session: u32, ctx: &mut Ctx<'_, Self>) {
        let now = ctx.now();
        let timeout = self.setup.session_timeout;
        let Some(zk) = &mut self.zk else { return };
        let Some(s) = zk.sessions.iter_mut().find(|s| s.id == session) else {
            return;
        };
        s.timer = TimerSlot(None);
        if s.expired || now < s.last_heard + timeout {
            return;
        }
        s.expired = true;
        let client = s.client;
        ctx.note(LockNote::SessionExpired { client, session });
        self.zk_delete_session_nodes(session, GrantEnd::SessionExpired, ctx);
    }

    /// A ZooKeeper client looks at the children it was sent.
    fn zk_evaluate(
        &mut self,
        c: NodeId,
        children: &[u64],
        watching: Option<u64>,
        ctx: &mut Ctx<'_, Self>,
    ) {
        let client = &mut self.clients[usize::from(c)];
        let Some(mine) = client.znode else { return };
        if !children.contains(&mine) {
            return;
        }
        if children.first() == Some(&mine) {
            return self.hold(c, mine, ctx);
        }
        client.watching = watching;
        if watching.is_none() {
            // The node to watch was already gone: read again.
            self.schedule_retry(c, ctx);
        }
    }

    fn client_on_msg(&mut self, c: NodeId, msg: LockMsg, ctx: &mut Ctx<'_, Self>) {
        let phase = self.clients[usize::from(c)].phase;
        match msg {
            LockMsg::InsertOk { id: token } | LockMsg::SetOk { token }
                if phase == Phase::Acquiring =>
            {
                self.hold(c, token, ctx);
            }
            LockMsg::DuplicateKey { .. } | LockMsg::SetNil => self.schedule_retry(c, ctx),
            LockMsg::Created {
                session,
                seq,
                children,
                watching,
            } => {
                let zk = self.service();
                let client = &mut self.clients[usize::from(c)];
                match client.session {
                    Some(mine) if mine != session => {
                        // A second session, opened by a retried first create: close it.
                        return ctx.send(c, zk, LockMsg::Close { session });
                    }
                    None if phase != Phase::Acquiring => {
                        // A session it no longer wants.
                        return ctx.send(c, zk, LockMsg::Close { session });
                    }
                    _ => {}
                }
                if client.znode == Some(seq) && phase != Phase::Acquiring {
                    // A repeated reply about the node it already has.
                    return;
                }
                if phase != Phase::Acquiring || client.znode.is_some_and(|z| z != seq) {
                    // A stale reply in its own session: delete the node it made.
                    return ctx.send(c, zk, LockMsg::DeleteNode { session, seq });
                }
                client.session = Some(session);
                client.znode = Some(seq);
                self.zk_evaluate(c, &children, watching, ctx);
            }
            LockMsg::Children { children, watching } if phase == Phase::Acquiring => {
                self.zk_evaluate(c, &children, watching, ctx);
            }
            LockMsg::WatchEvent { deleted } => {
                let client = &mut self.clients[usize::from(c)];
                if phase == Phase::Acquiring && client.watching == Some(deleted) {
                    client.watching = None;
                    ctx.note(LockNote::Notified { client: c, deleted });
                    self.acquire_request(c, ctx);
                }
            }
            LockMsg::SessionExpired { session }
                if self.clients[usize::from(c)].session == Some(session) =>
            {
                let client = &self.clients[usize::from(c)];
                if client.znode.is_some() {
                    // Its node went with the session: the lock, or its place in the queue.
                    self.forget(c, ctx);
                    ctx.note(LockNote::LearnedLost { client: c });
                } else {
                    // Between rounds, or about to create its node: a new session will do.
                    self.drop_session(c, ctx);
                    if phase == Phase::Acquiring {
                        self.acquire_request(c, ctx);
                    }
                }
            }
            LockMsg::Rejected { token, .. }
                if phase == Phase::Holding && self.clients[usize::from(c)].token == Some(token) =>
            {
                self.learn_lost(c, ctx);
            }
            _ => {}
        }
    }

    fn storage_on_write(&mut self, c: NodeId, token: u64, ctx: &mut Ctx<'_, Self>) {
        let me = self.resource.node;
        let grant = self
            .grants
            .iter()
            .rposition(|g| g.client == c && g.token == token);
        let newest = self.resource.newest;
        let stale = newest.is_some_and(|n| token < n);
        let accepted = !(self.fencing && stale);
        let mut record = WriteRecord {
            client: c,
            token,
            at: ctx.now(),
            accepted,
            grant,
            overlaps: None,
            stale: accepted && stale,
        };
        if accepted {
            record.overlaps = grant.and_then(|g| {
                self.resource
                    .log
                    .iter()
                    .filter(|r| r.accepted)
                    .filter_map(|r| r.grant)
                    .filter(|&later| later > g && self.grants[later].client != c)
                    .max()
            });
            self.resource.newest = Some(newest.map_or(token, |n| n.max(token)));
            ctx.note(LockNote::WriteAccepted { client: c, token });
        } else {
            let newest = newest.unwrap_or(0);
            ctx.note(LockNote::WriteRejected {
                client: c,
                token,
                newest,
            });
            ctx.send(me, c, LockMsg::Rejected { token, newest });
        }
        self.resource.log.push(record);
    }

    /// Whether the lock service can serve nobody now: its node is down (for Redis, the master is
    /// down and no live replica will be promoted).
    pub fn service_down(&self, nodes: &[NodeState]) -> bool {
        let up = |n: NodeId| {
            nodes
                .get(usize::from(n))
                .is_some_and(|s| s.status != crate::kernel::NodeStatus::Down)
        };
        if let Some(db) = &self.db {
            return !up(db.node);
        }
        if let Some(zk) = &self.zk {
            return !up(zk.node);
        }
        !self.redis.iter().any(|r| up(r.node))
    }
}

fn text(en: String, zh: String) -> Text {
    Text::new(en, zh)
}

impl Protocol for LocksLab {
    type Msg = LockMsg;
    type Op = LockOp;
    type Timer = LockTimer;
    type Note = LockNote;

    /// Client operations that make sense now, client by client: `Acquire` for an idle running
    /// client with rounds left, `Write` for a client that believes it holds and has writes left,
    /// `Release` for one that believes it holds and has written. Settings are for students, not
    /// for an explorer.
    fn ops(&self, nodes: &[NodeState], out: &mut Vec<LockOp>) {
        for (i, c) in self.clients.iter().enumerate() {
            let client = i as NodeId;
            if !nodes.get(i).is_some_and(NodeState::is_up) {
                continue;
            }
            match c.phase {
                Phase::Idle if c.rounds_left > 0 => out.push(LockOp::Acquire { client }),
                Phase::Holding if c.writes_left > 0 => out.push(LockOp::Write { client }),
                Phase::Holding => out.push(LockOp::Release { client }),
                _ => {}
            }
        }
    }

    fn check_op(&self, op: &LockOp, nodes: &[NodeState]) -> Result<(), Text> {
        let client = match op {
            LockOp::Acquire { client } | LockOp::Write { client } | LockOp::Release { client } => {
                *client
            }
            _ => return Ok(()),
        };
        let Some(c) = self.clients.get(usize::from(client)) else {
            return Err(Text::new("no such client", "没有这个客户端"));
        };
        if !nodes.get(usize::from(client)).is_some_and(NodeState::is_up) {
            return Err(text(
                format!("{} is not running", c.name),
                format!("{} 没有在运行", c.name),
            ));
        }
        match op {
            LockOp::Acquire { .. } if c.phase != Phase::Idle || c.rounds_left == 0 => Err(text(
                format!("{} is not idle or has finished its rounds", c.name),
                format!("{} 不是空闲状态，或已完成所有轮次", c.name),
            )),
            LockOp::Write { .. } | LockOp::Release { .. } if c.phase != Phase::Holding => {
                Err(text(
                    format!("{} does not believe it holds the lock", c.name),
                    format!("{} 并不认为自己持有锁", c.name),
                ))
            }
            LockOp::Write { .. } if c.writes_left == 0 => Err(text(
                format!("{} has no writes left in this round", c.name),
                format!("{} 本轮没有剩余的写操作", c.name),
            )),
            _ => Ok(()),
        }
    }

    fn on_op(&mut self, op: &LockOp, ctx: &mut Ctx<'_, Self>) {
        self.now = ctx.now();
        match *op {
            LockOp::Acquire { client } => {
                let heartbeat = self.setup.heartbeat;
                let zk = self.zk.is_some();
                let c = &mut self.clients[usize::from(client)];
                c.phase = Phase::Acquiring;
                c.value.nonce += 1;
                if zk && c.heartbeat_timer.is_none() {
                    c.heartbeat_timer =
                        TimerSlot::pending(ctx.set_timer(client, heartbeat, LockTimer::Heartbeat));
                }
                self.acquire_request(client, ctx);
            }
            LockOp::Write { client } => {
                let to = self.resource.node;
                let c = &mut self.clients[usize::from(client)];
                c.writes_left = c.writes_left.saturating_sub(1);
                let token = c.token.unwrap_or(0);
                ctx.send(client, to, LockMsg::Write { token });
            }
            LockOp::Release { client } => {
                let service = self.service();
                let c = &self.clients[usize::from(client)];
                let msg = match self.setup.backend {
                    Backend::Database => LockMsg::Delete {
                        id: if self.safe_release { c.token } else { None },
                    },
                    Backend::Redis if self.safe_release => {
                        LockMsg::CompareAndDelete { value: c.value }
                    }
                    Backend::Redis => LockMsg::Del,
                    // Curator's InterProcessMutex.release: delete the node, keep the session.
                    Backend::Zookeeper => LockMsg::DeleteNode {
                        session: c.session.unwrap_or(0),
                        seq: c.znode.unwrap_or(0),
                    },
                };
                if let (LockMsg::Delete { .. }, Some(db)) = (&msg, &mut self.db) {
                    db.deleting = true;
                }
                ctx.send(client, service, msg);
                self.forget_lock(client, ctx);
                let c = &mut self.clients[usize::from(client)];
                c.rounds_left = c.rounds_left.saturating_sub(1);
                if c.rounds_left == 0 {
                    c.phase = Phase::Done;
                    // Done with the lock for good: the application closes its ZooKeeper client,
                    // which ends the session (a separate event from the release).
                    if let Some(session) = c.session {
                        ctx.send(client, service, LockMsg::Close { session });
                        self.drop_session(client, ctx);
                    }
                }
            }
            LockOp::SetFencing { on } => {
                self.fencing = on;
                ctx.note(LockNote::FencingSet { on });
            }
            LockOp::SetSafeRelease { on } => {
                self.safe_release = on;
                ctx.note(LockNote::SafeReleaseSet { on });
            }
            LockOp::SetHerd { on } => {
                self.herd = on;
                ctx.note(LockNote::HerdSet { on });
            }
        }
    }

    fn on_msg(&mut self, to: NodeId, from: NodeId, msg: LockMsg, ctx: &mut Ctx<'_, Self>) {
        self.now = ctx.now();
        if self.is_client(to) {
            return self.client_on_msg(to, msg, ctx);
        }
        if to == self.resource.node {
            if let LockMsg::Write { token } = msg {
                self.storage_on_write(from, token, ctx);
            }
            return;
        }
        match self.setup.backend {
            Backend::Database => self.db_on_msg(from, msg, ctx),
            Backend::Redis => self.redis_on_msg(to, from, msg, ctx),
            Backend::Zookeeper => self.zk_on_msg(from, msg, ctx),
        }
    }

    fn on_timer(&mut self, node: NodeId, timer: LockTimer, ctx: &mut Ctx<'_, Self>) {
        self.now = ctx.now();
        match timer {
            LockTimer::Retry => {
                if self.is_client(node) {
                    self.clients[usize::from(node)].retry_timer = TimerSlot(None);
                    let c = &mut self.clients[usize::from(node)];
                    if c.phase == Phase::Acquiring {
                        self.acquire_request(node, ctx);
                    } else if let (Some(session), Some(seq)) = (c.session, c.pending_delete.take())
                    {
                        // Curator's guaranteed delete tries again.
                        let zk = self.service();
                        ctx.send(node, zk, LockMsg::DeleteNode { session, seq });
                    }
                }
            }
            LockTimer::Heartbeat => {
                if !self.is_client(node) {
                    return;
                }
                let every = self.setup.heartbeat;
                let zk = self.service();
                let c = &mut self.clients[usize::from(node)];
                c.heartbeat_timer = TimerSlot(None);
                // A ZooKeeper client pings for as long as its session is open, between rounds too.
                if c.session.is_some() || c.phase == Phase::Acquiring {
                    if let Some(session) = c.session {
                        ctx.send(node, zk, LockMsg::Ping { session });
                    }
                    let c = &mut self.clients[usize::from(node)];
                    c.heartbeat_timer =
                        TimerSlot::pending(ctx.set_timer(node, every, LockTimer::Heartbeat));
                }
            }
            LockTimer::SessionCheck { session } => self.zk_session_check(session, ctx),
            LockTimer::Expire => {
                if let Some(r) = self.redis_index(node) {
                    self.redis[r].expire_timer = TimerSlot(None);
                    let now = ctx.now();
                    self.redis_expire(r, now, ctx);
                }
            }
            LockTimer::Cleanup => self.db_cleanup(ctx),
            LockTimer::Replicate => self.redis_replicate(node, ctx),
            LockTimer::Promote => self.redis_promote(node, ctx),
        }
    }

    fn on_crash(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        self.now = ctx.now();
        let now = ctx.now();
        if self.is_client(node) {
            // The process and its memory are gone; its rounds are still to do after a restart.
            let c = &mut self.clients[usize::from(node)];
            c.retry_timer = TimerSlot(None);
            c.heartbeat_timer = TimerSlot(None);
            if let Some(row) = self.db.as_mut().and_then(|db| db.row.as_mut()) {
                if row.owner == node {
                    row.orphaned = true;
                }
            }
            return self.forget(node, ctx);
        }
        if let Some(db) = &mut self.db {
            if db.node == node {
                // The table is on disk, and so is the auto-increment counter: MySQL 8.0 writes it
                // to the redo log (WL#6204), though after a crash it does not guarantee it (see
                // the module doc). Only the job's timer is gone.
                db.cleanup_timer = TimerSlot(None);
            }
        }
        if let Some(zk) = &mut self.zk {
            if zk.node == node {
                for s in &mut zk.sessions {
                    s.timer = TimerSlot(None);
                }
            }
        }
        if let Some(r) = self.redis_index(node) {
            let was_master = self.redis[r].master;
            let x = &mut self.redis[r];
            x.expire_timer = TimerSlot(None);
            x.replicate_timer = TimerSlot(None);
            if !was_master {
                return;
            }
            let after = self.setup.failover_after;
            let replica = self
                .redis
                .iter()
                .find(|x| !x.master && ctx.is_up(x.node))
                .map(|x| x.node);
            match replica {
                Some(replica) => {
                    ctx.set_timer(replica, after, LockTimer::Promote);
                }
                None => {
                    // Redis keeps its keys in memory only: the lock dies with the master.
                    let lost: Vec<(NodeId, u64)> = self
                        .valid_grants()
                        .map(|(_, g)| (g.client, g.token))
                        .collect();
                    for (client, token) in lost {
                        self.end_grants(Some(client), GrantEnd::Lost, now);
                        ctx.note(LockNote::Lost { client, token });
                    }
                }
            }
        }
    }

    fn on_restart(&mut self, node: NodeId, ctx: &mut Ctx<'_, Self>) {
        self.now = ctx.now();
        if self.is_client(node) {
            return;
        }
        if let Some(db) = &mut self.db {
            if db.node == node {
                let every = self.setup.cleanup_every;
                if every > 0 && db.row.as_ref().is_some_and(|r| r.expires_at.is_some()) {
                    db.cleanup_timer =
                        TimerSlot::pending(ctx.set_timer(node, every, LockTimer::Cleanup));
                }
            }
        }
        if let Some(zk) = &mut self.zk {
            if zk.node == node {
                // Sessions get a fresh timeout after the server recovers.
                let now = ctx.now();
                let timeout = self.setup.session_timeout;
                for s in zk.sessions.iter_mut().filter(|s| !s.expired) {
                    s.last_heard = now;
                    s.timer = TimerSlot::pending(ctx.set_timer(
                        node,
                        timeout,
                        LockTimer::SessionCheck { session: s.id },
                    ));
                }
            }
        }
        if let Some(r) = self.redis_index(node) {
            // Memory is empty after a restart.
            let x = &mut self.redis[r];
            x.key = None;
            x.counter = 0;
            let other_master = self.redis.iter().position(|x| x.master && x.node != node);
            match other_master {
                Some(m) if ctx.is_up(self.redis[m].node) => {
                    // It rejoins as a replica of the live master.
                    self.redis[r].master = false;
                    self.redis_changed(m, ctx);
                }
                Some(_) => {
                    // A replica back while the master is down: the sentinel promotes it.
                    let after = self.setup.failover_after;
                    ctx.set_timer(node, after, LockTimer::Promote);
                }
                None => {
                    // The master itself is back before any failover, with empty memory: every
                    // lock it granted is gone.
                    let now = ctx.now();
                    let lost: Vec<(NodeId, u64)> = self
                        .valid_grants()
                        .map(|(_, g)| (g.client, g.token))
                        .collect();
                    for (client, token) in lost {
                        self.end_grants(Some(client), GrantEnd::Lost, now);
                        ctx.note(LockNote::Lost { client, token });
                    }
                }
            }
        }
    }

    fn on_lost(
        &mut self,
        envelope: &Envelope<LockMsg>,
        _reason: LossReason,
        ctx: &mut Ctx<'_, Self>,
    ) {
        self.now = ctx.now();
        if let (LockMsg::Delete { .. }, Some(db)) = (&envelope.msg, &mut self.db) {
            db.deleting = false;
        }
        // A lost acquire request or reply: the client's request times out and it tries again.
        let client = if self.is_client(envelope.from) {
            envelope.from
        } else {
            envelope.to
        };
        if !self.is_client(client) || !ctx.is_up(client) {
            return;
        }
        let acquire = matches!(
            envelope.msg,
            LockMsg::Insert
                | LockMsg::InsertOk { .. }
                | LockMsg::DuplicateKey { .. }
                | LockMsg::SetNx { .. }
                | LockMsg::SetOk { .. }
                | LockMsg::SetNil
                | LockMsg::Create { .. }
                | LockMsg::Created { .. }
                | LockMsg::GetChildren { .. }
                | LockMsg::Children { .. }
                | LockMsg::WatchEvent { .. }
        );
        if acquire {
            self.schedule_retry(client, ctx);
        }
        if let LockMsg::DeleteNode { session, seq } = envelope.msg {
            // The release did not arrive: the guaranteed delete sends it again after `retry`.
            let after = self.setup.retry;
            let c = &mut self.clients[usize::from(client)];
            if c.session == Some(session) {
                c.pending_delete = Some(seq);
                if c.retry_timer.is_none() {
                    c.retry_timer =
                        TimerSlot::pending(ctx.set_timer(client, after, LockTimer::Retry));
                }
            }
        }
    }

    fn violations(&self, nodes: &[NodeState], out: &mut Vec<Violation>) {
        let mut holders: Vec<NodeId> = self.promised_grants().map(|(_, g)| g.client).collect();
        holders.sort_unstable();
        holders.dedup();
        if holders.len() > 1 {
            let names: Vec<String> = holders.iter().map(|&h| self.name(h)).collect();
            let (names, names_zh) = crate::text::list(&names);
            out.push(Violation {
                invariant: String::from(SINGLE_HOLDER),
                subject: String::from("lock"),
                name: invariant_name(SINGLE_HOLDER),
                detail: text(
                    format!("The lock service has promised the lock to {names} at once: each was told it holds the lock, and neither lease has run out."),
                    format!("锁服务同时把锁许诺给了 {names_zh}：每个都被告知持有锁，而且租约都还没到期。"),
                ),
                severity: Severity::Error,
            });
        }
        for (i, w) in self.resource.log.iter().enumerate() {
            if !w.accepted || (w.overlaps.is_none() && !w.stale) {
                continue;
            }
            let who = self.name(w.client);
            let (en, zh) = match w.overlaps.and_then(|g| self.grants.get(g)) {
                Some(later) => {
                    let other = self.name(later.client);
                    (
                        format!(
                            "Write {} by {who} (token {}) was accepted after a write by {other} under a later lease (token {}): their leases overlapped.",
                            i + 1,
                            w.token,
                            later.token
                        ),
                        format!(
                            "第 {} 次写入来自 {who}（令牌 {}），却在 {other} 以更新的租约（令牌 {}）写入之后被接受：两个租约重叠了。",
                            i + 1,
                            w.token,
                            later.token
                        ),
                    )
                }
                None => (
                    format!(
                        "Write {} by {who} carries token {}, older than one the resource had accepted.",
                        i + 1,
                        w.token
                    ),
                    format!(
                        "第 {} 次写入来自 {who}，令牌 {} 比资源已接受过的令牌更旧。",
                        i + 1,
                        w.token
                    ),
                ),
            };
            out.push(Violation {
                invariant: String::from(RESOURCE_SAFE),
                subject: format!("write {}", i + 1),
                name: invariant_name(RESOURCE_SAFE),
                detail: text(en, zh),
                severity: Severity::Error,
            });
        }
        if let Some(row) = self.db.as_ref().and_then(|db| db.row.as_ref()) {
            let never_cleaned = row.expires_at.is_none() || self.setup.cleanup_every == 0;
            // The owner let go of a row that is still there, and no DELETE is on its way (it was
            // lost, or the database was down).
            let let_go = !self.db.as_ref().is_some_and(|db| db.deleting)
                && self
                    .clients
                    .get(usize::from(row.owner))
                    .is_some_and(|c| matches!(c.phase, Phase::Idle | Phase::Done));
            if never_cleaned && (row.orphaned || let_go) {
                let who = self.name(row.owner);
                let (en, zh) = if row.orphaned {
                    (
                        format!("{who} crashed holding the lock row (id {}), and nothing will ever delete it.", row.id),
                        format!("{who} 持有锁记录（id {}）时宕机了，而没有任何机制会删除这条记录。", row.id),
                    )
                } else {
                    (
                        format!("{who} let go of the lock, but its row (id {}) is still there: its DELETE never arrived, and nothing else will ever delete it.", row.id),
                        format!("{who} 已经放弃了锁，但它的记录（id {}）还在：DELETE 没有送达，而且没有任何机制会删除它。", row.id),
                    )
                };
                out.push(Violation {
                    invariant: String::from(NOT_STUCK),
                    subject: String::from("row"),
                    name: invariant_name(NOT_STUCK),
                    detail: text(en, zh),
                    severity: Severity::Warning,
                });
            }
        }
        let wanting = self.clients.iter().enumerate().any(|(i, c)| {
            matches!(c.phase, Phase::Acquiring | Phase::Holding)
                && nodes
                    .get(i)
                    .is_some_and(|n| n.status != crate::kernel::NodeStatus::Down)
        });
        if wanting && self.service_down(nodes) {
            out.push(Violation {
                invariant: String::from(NOT_STUCK),
                subject: String::from("service"),
                name: invariant_name(NOT_STUCK),
                detail: Text::new(
                    "The lock service is down: nobody can acquire or release the lock.",
                    "锁服务宕机了：没有人能加锁或释放锁。",
                ),
                severity: Severity::Warning,
            });
        }
    }
}

pub fn invariant_name(id: &str) -> Text {
    match id {
        SINGLE_HOLDER => Text::new(
            "At most one client holds the lock",
            "同一时刻至多一个客户端持有锁",
        ),
        RESOURCE_SAFE => Text::new(
            "The resource never accepts writes from overlapping leases",
            "资源从不接受租约重叠的写入",
        ),
        NOT_STUCK => Text::new("The lock is never stuck", "锁不会卡死"),
        _ => Text::new(id, id),
    }
}

impl Lab for LocksLab {
    const INFO: LabInfo = LabInfo {
        id: "locks",
        name: StaticText::new("Distributed locks", "分布式锁"),
        teaches: StaticText::new(
            "Database, Redis and ZooKeeper locks: a lease that runs out during a pause, a release of someone else's lock, fencing tokens, and an explorer that finds counterexamples.",
            "数据库、Redis 与 ZooKeeper 锁：暂停期间租约到期、释放了别人的锁、防护令牌，以及自动寻找反例的探索器。",
        ),
        lessons: 12,
        topics: &[
            Topic { seed: 4, section: StaticText::new("Distributed locks", "二、分布式锁") },
            Topic { seed: 4, section: StaticText::new("ZooKeeper as a coordinator", "五、协调器【Zookeeper】") },
        ],
    };
    type Setup = LocksSetup;

    fn build(setup: &LocksSetup, seed: u64) -> Result<World<LocksLab>, Text> {
        LocksLab::world(setup, seed)
    }

    fn invariants() -> Vec<InvariantInfo> {
        [
            (SINGLE_HOLDER, Severity::Error),
            (RESOURCE_SAFE, Severity::Error),
            (NOT_STUCK, Severity::Warning),
        ]
        .into_iter()
        .map(|(id, severity)| InvariantInfo {
            id,
            name: invariant_name(id),
            severity,
        })
        .collect()
    }

    fn lessons() -> Vec<Scenario<LocksLab>> {
        super::scenarios::scenarios()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernel::{Action, Bounds, Event, Explorer, Fault, Model, NodeStatus, Outcome};
    use alloc::vec;
    use proptest::prelude::*;

    const A: NodeId = 0;
    const B: NodeId = 1;
    const C: NodeId = 2;

    type W = World<LocksLab>;
    type Ev = Event<LockMsg, LockNote>;

    fn setup(backend: Backend, clients: usize) -> LocksSetup {
        let names = ["A", "B", "C", "D", "E"];
        let mut s = LocksSetup::new(backend, &names[..clients]);
        s.link = Some(LinkConfig {
            latency_min: 10,
            latency_max: 10,
            ..LinkConfig::default()
        });
        s
    }

    fn world(s: &LocksSetup) -> W {
        LocksLab::world(s, 1).unwrap()
    }

    fn apply(w: &mut W, action: Action<LockOp>) -> Vec<Ev> {
        let mut out = Vec::new();
        w.apply(&action, &mut out);
        out
    }

    fn op(w: &mut W, op: LockOp) -> Vec<Ev> {
        apply(w, Action::Op { op })
    }

    fn fault(w: &mut W, fault: Fault) -> Vec<Ev> {
        apply(w, Action::Fault { fault })
    }

    /// Runs whatever is due until `until` (virtual time) or until nothing is scheduled.
    fn run_until(w: &mut W, until: Time) -> Vec<Ev> {
        let mut all = Vec::new();
        for _ in 0..10_000 {
            let Some(next) = w.next_due() else { break };
            let mut probe = w.clone();
            let mut out = Vec::new();
            probe.apply(&next, &mut out);
            if probe.now > until {
                break;
            }
            *w = probe;
            all.extend(out);
        }
        all
    }

    fn notes(events: &[Ev]) -> Vec<LockNote> {
        events
            .iter()
            .filter_map(|e| match e {
                Event::Note { note } => Some(note.clone()),
                _ => None,
            })
            .collect()
    }

    fn broken(w: &W) -> Vec<(String, String)> {
        let mut v = Vec::new();
        w.violations(&mut v);
        v.into_iter().map(|v| (v.invariant, v.subject)).collect()
    }

    fn phase(w: &W, c: NodeId) -> Phase {
        w.protocol.clients[usize::from(c)].phase
    }

    fn acquire_and_write(w: &mut W, c: NodeId) {
        op(w, LockOp::Acquire { client: c });
        let t = w.now + 20;
        run_until(w, t);
        assert_eq!(phase(w, c), Phase::Holding);
        op(w, LockOp::Write { client: c });
    }

    #[test]
    fn a_database_insert_acquires_a_duplicate_waits_and_a_delete_releases() {
        let mut w = world(&setup(Backend::Database, 2));
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Acquire { client: B });
        run_until(&mut w, 40);
        assert_eq!(phase(&w, B), Phase::Acquiring);
        assert_eq!(
            w.protocol.db.as_ref().unwrap().row.as_ref().unwrap().owner,
            A
        );
        op(&mut w, LockOp::Release { client: A });
        assert_eq!(phase(&w, A), Phase::Done);
        run_until(&mut w, 200);
        assert_eq!(phase(&w, B), Phase::Holding);
        // The row's auto-increment id is the token; B's refused insert used up id 2.
        assert_eq!(w.protocol.clients[1].token, Some(3));
        assert_eq!(
            w.protocol.clients[1].queries, 2,
            "one refused insert, one poll"
        );
        assert!(broken(&w).is_empty());
    }

    /// InnoDB does not give back the auto-increment value of an `INSERT` the unique index refused
    /// (MySQL Reference Manual, "AUTO_INCREMENT Handling in InnoDB"): after four refused inserts,
    /// the next row's id is 6, not 2. Tokens still rise.
    #[test]
    fn a_refused_insert_uses_up_an_auto_increment_id() {
        let mut w = world(&setup(Backend::Database, 2));
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Acquire { client: B });
        let mut refused = Vec::new();
        while refused.len() < 4 {
            let t = w.now + 100;
            for e in run_until(&mut w, t) {
                if let Event::Delivered {
                    body: LockMsg::DuplicateKey { id },
                    ..
                } = e
                {
                    refused.push(id);
                }
            }
        }
        assert_eq!(refused, vec![2, 3, 4, 5], "each refused insert used an id");
        assert_eq!(w.protocol.db.as_ref().unwrap().auto_increment, 5);
        op(&mut w, LockOp::Release { client: A });
        let t = w.now + 200;
        run_until(&mut w, t);
        assert_eq!(phase(&w, B), Phase::Holding);
        assert_eq!(w.protocol.clients[1].token, Some(6));
    }

    #[test]
    fn a_crashed_holder_leaves_the_database_lock_stuck_even_after_it_restarts() {
        let mut w = world(&setup(Backend::Database, 2));
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Acquire { client: B });
        fault(&mut w, Fault::Crash { node: A });
        run_until(&mut w, 1000);
        let stuck = (String::from(NOT_STUCK), String::from("row"));
        assert!(broken(&w).contains(&stuck));
        assert!(w.protocol.clients[1].queries >= 8, "B polls every 100 ms");
        fault(&mut w, Fault::Restart { node: A });
        op(&mut w, LockOp::Acquire { client: A });
        run_until(&mut w, 1100);
        assert_eq!(phase(&w, A), Phase::Acquiring, "its own row locks it out");
        assert!(broken(&w).contains(&stuck));
    }

    #[test]
    fn an_expiry_column_and_a_cleanup_job_free_a_crashed_holders_row() {
        let mut s = setup(Backend::Database, 2);
        s.ttl = 300;
        s.cleanup_every = 200;
        let mut w = world(&s);
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Acquire { client: B });
        fault(&mut w, Fault::Crash { node: A });
        assert!(broken(&w).is_empty(), "the job will free it");
        let events = run_until(&mut w, 600);
        assert!(notes(&events).contains(&LockNote::CleanedUp {
            client: A,
            token: 1
        }));
        assert_eq!(phase(&w, B), Phase::Holding);
        assert_eq!(
            w.protocol.grants[0].ended.map(|e| e.1),
            Some(GrantEnd::CleanedUp)
        );
    }

    /// The lab keeps the auto-increment counter across a database crash, as MySQL 8.0 does when
    /// its redo log holds the counter (WL#6204; not guaranteed after a crash). With the lock
    /// table empty, MySQL 5.7's `MAX(id) + 1` would hand out id 1 again, and the token would go
    /// backwards; here B's token is 2.
    #[test]
    fn the_auto_increment_counter_survives_a_database_crash() {
        let mut w = world(&setup(Backend::Database, 2));
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Release { client: A });
        let t = w.now + 50;
        run_until(&mut w, t);
        assert!(
            w.protocol.db.as_ref().unwrap().row.is_none(),
            "the table is empty"
        );
        fault(&mut w, Fault::Crash { node: 2 });
        fault(&mut w, Fault::Restart { node: 2 });
        op(&mut w, LockOp::Acquire { client: B });
        let t = w.now + 50;
        run_until(&mut w, t);
        assert_eq!(phase(&w, B), Phase::Holding);
        assert_eq!(w.protocol.clients[1].token, Some(2));
    }

    #[test]
    fn while_the_database_is_down_nobody_acquires_and_the_service_is_flagged() {
        let mut w = world(&setup(Backend::Database, 1));
        fault(&mut w, Fault::Crash { node: 1 });
        op(&mut w, LockOp::Acquire { client: A });
        run_until(&mut w, 350);
        assert_eq!(phase(&w, A), Phase::Acquiring);
        assert!(broken(&w).contains(&(String::from(NOT_STUCK), String::from("service"))));
        assert!(w.protocol.clients[0].queries >= 3, "it keeps retrying");
        fault(&mut w, Fault::Restart { node: 1 });
        run_until(&mut w, 600);
        assert_eq!(phase(&w, A), Phase::Holding);
        assert!(broken(&w).is_empty());
    }

    #[test]
    fn a_lost_delete_leaves_the_row_for_good_and_the_lock_is_flagged_stuck() {
        let mut w = world(&setup(Backend::Database, 2));
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Release { client: A });
        // While the DELETE is on its way, nothing is stuck yet.
        assert!(broken(&w).is_empty(), "{:?}", broken(&w));
        let delete = w
            .net
            .in_flight
            .iter()
            .find(|e| matches!(e.msg, LockMsg::Delete { .. }))
            .unwrap()
            .id;
        fault(&mut w, Fault::Drop { msg: delete });
        assert!(w.protocol.db.as_ref().unwrap().row.is_some());
        assert!(broken(&w).contains(&(String::from(NOT_STUCK), String::from("row"))));
        op(&mut w, LockOp::Acquire { client: B });
        run_until(&mut w, 1000);
        assert_eq!(
            phase(&w, B),
            Phase::Acquiring,
            "B polls against A's row forever"
        );
    }

    #[test]
    fn a_redis_key_expires_after_its_ttl_and_the_next_set_nx_wins() {
        let mut s = setup(Backend::Redis, 2);
        s.ttl = 200;
        let mut w = world(&s);
        acquire_and_write(&mut w, A);
        fault(&mut w, Fault::Pause { node: A, ms: 1000 });
        op(&mut w, LockOp::Acquire { client: B });
        let events = run_until(&mut w, 400);
        assert!(notes(&events).contains(&LockNote::Expired {
            client: A,
            token: 1
        }));
        assert_eq!(phase(&w, B), Phase::Holding);
        assert_eq!(w.protocol.clients[1].token, Some(2));
        assert_eq!(phase(&w, A), Phase::Holding, "A still believes it holds");
        assert!(broken(&w).is_empty(), "one valid grant: B's");
    }

    #[test]
    fn a_lazy_expiry_frees_a_key_whose_timer_has_not_fired() {
        let mut s = setup(Backend::Redis, 2);
        s.ttl = 100;
        let mut w = world(&s);
        acquire_and_write(&mut w, A);
        // Time jumps past the TTL without the expiry timer firing.
        apply(&mut w, Action::Wait { ms: 500 });
        op(&mut w, LockOp::Acquire { client: B });
        let msg = w.net.in_flight.last().unwrap().id;
        let events = apply(&mut w, Action::Deliver { msg });
        let notes = notes(&events);
        assert!(notes.contains(&LockNote::Expired {
            client: A,
            token: 1
        }));
        assert!(notes.contains(&LockNote::Granted {
            client: B,
            token: 2
        }));
    }

    /// A holds, pauses past its TTL, B takes the lock; A wakes and releases.
    fn release_after_expiry(safe: bool) -> (W, Vec<Ev>) {
        let mut s = setup(Backend::Redis, 3);
        s.ttl = 200;
        s.safe_release = safe;
        let mut w = world(&s);
        acquire_and_write(&mut w, A);
        fault(&mut w, Fault::Pause { node: A, ms: 300 });
        op(&mut w, LockOp::Acquire { client: B });
        run_until(&mut w, 320);
        assert_eq!(phase(&w, B), Phase::Holding);
        run_until(&mut w, 330);
        assert_eq!(w.nodes[0].status, NodeStatus::Up);
        op(&mut w, LockOp::Release { client: A });
        let events = run_until(&mut w, 345);
        (w, events)
    }

    #[test]
    fn a_plain_del_releases_someone_elses_lock() {
        let (mut w, events) = release_after_expiry(false);
        assert!(notes(&events).contains(&LockNote::DeletedOthers {
            by: A,
            owner: B,
            token: 2
        }));
        assert_eq!(w.protocol.holder(), None);
        assert_eq!(phase(&w, B), Phase::Holding, "B does not know");
        op(&mut w, LockOp::Acquire { client: C });
        run_until(&mut w, 370);
        assert_eq!(phase(&w, C), Phase::Holding);
        op(&mut w, LockOp::Write { client: C });
        run_until(&mut w, 380);
        op(&mut w, LockOp::Write { client: B });
        run_until(&mut w, 390);
        assert!(broken(&w).contains(&(String::from(RESOURCE_SAFE), String::from("write 3"))));
    }

    #[test]
    fn compare_and_delete_leaves_another_clients_key_alone() {
        let (w, events) = release_after_expiry(true);
        assert!(notes(&events).contains(&LockNote::NotOwner {
            by: A,
            owner: Some(B)
        }));
        assert_eq!(w.protocol.holder(), Some(B));
    }

    #[test]
    fn fencing_rejects_the_older_token_and_the_writer_learns_it_lost_the_lock() {
        for fencing in [false, true] {
            let mut s = setup(Backend::Redis, 2);
            s.ttl = 200;
            s.fencing = fencing;
            let mut w = world(&s);
            op(&mut w, LockOp::Acquire { client: A });
            run_until(&mut w, 20);
            fault(&mut w, Fault::Pause { node: A, ms: 400 });
            op(&mut w, LockOp::Acquire { client: B });
            run_until(&mut w, 300);
            assert_eq!(phase(&w, B), Phase::Holding);
            op(&mut w, LockOp::Write { client: B });
            run_until(&mut w, 440);
            op(&mut w, LockOp::Write { client: A });
            run_until(&mut w, 470);
            let log = &w.protocol.resource.log;
            assert_eq!(log.len(), 2);
            assert_eq!(log[1].accepted, !fencing);
            assert_eq!(log[1].token, 1, "the token is recorded either way");
            let unsafe_write = broken(&w).iter().any(|(i, _)| i == RESOURCE_SAFE);
            assert_eq!(unsafe_write, !fencing);
            let a = if fencing { Phase::Idle } else { Phase::Holding };
            assert_eq!(phase(&w, A), a);
        }
    }

    fn failover(replicated: bool) -> W {
        let mut s = setup(Backend::Redis, 2);
        s.replica = true;
        s.fencing = true;
        let mut w = world(&s);
        op(&mut w, LockOp::Acquire { client: A });
        run_until(&mut w, if replicated { 80 } else { 20 });
        fault(&mut w, Fault::Crash { node: 2 });
        run_until(&mut w, 200);
        w
    }

    #[test]
    fn a_failover_to_a_replica_that_missed_the_set_loses_the_lock_and_the_counter() {
        let mut w = failover(false);
        assert_eq!(w.protocol.service(), 3, "the replica is master");
        assert_eq!(
            w.protocol.grants[0].ended.map(|e| e.1),
            Some(GrantEnd::Lost)
        );
        op(&mut w, LockOp::Acquire { client: B });
        run_until(&mut w, 250);
        assert_eq!(
            w.protocol.clients[1].token,
            Some(1),
            "the counter started over"
        );
        assert_eq!(w.protocol.clients[0].token, Some(1));
    }

    #[test]
    fn a_failover_after_replication_keeps_the_lock() {
        let mut w = failover(true);
        assert_eq!(w.protocol.holder(), Some(A));
        assert!(w.protocol.grants[0].ended.is_none());
        op(&mut w, LockOp::Acquire { client: B });
        run_until(&mut w, 250);
        assert_eq!(phase(&w, B), Phase::Acquiring);
    }

    #[test]
    fn a_redis_master_back_before_the_failover_is_empty_and_the_lock_is_gone() {
        let mut s = setup(Backend::Redis, 2);
        s.replica = true;
        let mut w = world(&s);
        op(&mut w, LockOp::Acquire { client: A });
        run_until(&mut w, 20);
        fault(&mut w, Fault::Crash { node: 2 });
        assert!(w.protocol.grants[0].ended.is_none(), "the failover decides");
        let events = fault(&mut w, Fault::Restart { node: 2 });
        assert!(notes(&events).contains(&LockNote::Lost {
            client: A,
            token: 1
        }));
        run_until(&mut w, 300);
        assert_eq!(w.protocol.service(), 2, "no failover: the master is back");
        op(&mut w, LockOp::Acquire { client: B });
        run_until(&mut w, 400);
        assert_eq!(
            w.protocol.clients[1].token,
            Some(1),
            "the counter started over"
        );
        // A was promised the lock until its PX ran out; the restarted master forgot it and
        // granted it to B within that time: two holders, by the lock service's own promises.
        let (a, b) = (&w.protocol.grants[0], &w.protocol.grants[1]);
        assert!(a.lease_until.unwrap() > b.granted_at);
        assert!(broken(&w).iter().any(|(i, _)| i == SINGLE_HOLDER));
    }

    #[test]
    fn zookeeper_queues_in_sequence_order_and_wakes_only_the_successor() {
        for (herd, events, rereads) in [(false, 1, 1), (true, 3, 3)] {
            let mut s = setup(Backend::Zookeeper, 4);
            s.herd = herd;
            let mut w = world(&s);
            for c in 0..4 {
                op(&mut w, LockOp::Acquire { client: c });
                let t = w.now + 20;
                run_until(&mut w, t);
            }
            let zk = w.protocol.zk.as_ref().unwrap();
            let seqs: Vec<u64> = zk.children.iter().map(|z| z.seq).collect();
            assert_eq!(seqs, vec![1, 2, 3, 4]);
            assert_eq!(zk.children[1].path(), "/lock/n-0000000002");
            let targets: Vec<u64> = zk.watches.iter().map(|w| w.target).collect();
            assert_eq!(targets, if herd { vec![1, 1, 1] } else { vec![1, 2, 3] });
            op(&mut w, LockOp::Release { client: A });
            let t = w.now + 100;
            run_until(&mut w, t);
            let zk = w.protocol.zk.as_ref().unwrap();
            assert_eq!((zk.watch_events, zk.rereads), (events, rereads));
            assert_eq!(phase(&w, B), Phase::Holding);
            assert_eq!(w.protocol.clients[1].token, Some(2));
            assert_eq!(phase(&w, C), Phase::Acquiring);
        }
    }

    /// Curator's `InterProcessMutex.release` deletes the lock node and keeps the session
    /// (`LockInternals.releaseLock` → `deleteOurPath`): the client locks again in the same
    /// session. Closing the session, once the client is done, is a separate event.
    #[test]
    fn a_zookeeper_release_deletes_the_node_and_keeps_the_session() {
        let mut s = setup(Backend::Zookeeper, 2);
        s.rounds = 2;
        let mut w = world(&s);
        acquire_and_write(&mut w, A);
        op(&mut w, LockOp::Acquire { client: B });
        let t = w.now + 20;
        run_until(&mut w, t);
        let released = op(&mut w, LockOp::Release { client: A });
        let sent: Vec<LockMsg> = released
            .iter()
            .filter_map(|e| match e {
                Event::Sent { body, .. } => Some(body.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(sent, vec![LockMsg::DeleteNode { session: 1, seq: 1 }]);
        assert_eq!(
            w.protocol.clients[0].session,
            Some(1),
            "A keeps its session"
        );
        let t = w.now + 50;
        let events = run_until(&mut w, t);
        assert!(notes(&events).contains(&LockNote::Released {
            client: A,
            token: 1
        }));
        assert_eq!(phase(&w, B), Phase::Holding);
        let zk = w.protocol.zk.as_ref().unwrap();
        assert!(zk.sessions.iter().any(|s| s.id == 1 && !s.expired));
        // A locks again in session 1: a new node behind B's.
        op(&mut w, LockOp::Acquire { client: A });
        let t = w.now + 20;
        run_until(&mut w, t);
        let zk = w.protocol.zk.as_ref().unwrap();
        assert_eq!(zk.next_session, 3, "no new session was opened");
        assert_eq!(
            zk.children
                .iter()
                .map(|z| (z.seq, z.session))
                .collect::<Vec<_>>(),
            vec![(2, 2), (3, 1)]
        );
        assert_eq!(w.protocol.clients[0].watching, Some(2));
        op(&mut w, LockOp::Write { client: B });
        op(&mut w, LockOp::Release { client: B });
        let t = w.now + 100;
        run_until(&mut w, t);
        assert_eq!(phase(&w, A), Phase::Holding);
        assert_eq!(w.protocol.clients[0].token, Some(3));
        // A's last round: it deletes its node, then closes its session.
        op(&mut w, LockOp::Write { client: A });
        let released = op(&mut w, LockOp::Release { client: A });
        let sent: Vec<LockMsg> = released
            .iter()
            .filter_map(|e| match e {
                Event::Sent { body, .. } => Some(body.clone()),
                _ => None,
            })
            .collect();
        assert_eq!(
            sent,
            vec![
                LockMsg::DeleteNode { session: 1, seq: 3 },
                LockMsg::Close { session: 1 }
            ]
        );
        assert_eq!(w.protocol.clients[0].session, None);
        let t = w.now + 100;
        run_until(&mut w, t);
        let zk = w.protocol.zk.as_ref().unwrap();
        assert!(zk.sessions.iter().all(|s| s.id != 1));
        assert!(zk.sessions.iter().any(|s| s.id == 2), "B keeps its session");
    }

    /// A lost release is sent again (Curator's `delete().guaranteed()`), and a create whose
    /// reply was lost is retried with the same protected name, so that it finds its first node.
    #[test]
    fn a_lost_zookeeper_delete_is_sent_again_and_a_retried_create_finds_its_node() {
        let mut s = setup(Backend::Zookeeper, 2);
        s.rounds = 2;
        let mut w = world(&s);
        acquire_and_write(&mut w, A);
        let released = op(&mut w, LockOp::Release { client: A });
        let Some(Event::Sent { msg, .. }) = released.first().cloned() else {
            panic!("a release is sent: {released:?}")
        };
        fault(&mut w, Fault::Drop { msg });
        assert_eq!(w.protocol.clients[0].pending_delete, Some(1));
        let t = w.now + 150;
        run_until(&mut w, t);
        assert!(w.protocol.zk.as_ref().unwrap().children.is_empty());
        // A second round: drop the reply to A's create; the retry finds the same node.
        op(&mut w, LockOp::Acquire { client: A });
        let t = w.now + 12;
        let events = run_until(&mut w, t);
        let reply = events.iter().find_map(|e| match e {
            Event::Sent {
                msg,
                body: LockMsg::Created { .. },
                ..
            } => Some(*msg),
            _ => None,
        });
        fault(
            &mut w,
            Fault::Drop {
                msg: reply.unwrap(),
            },
        );
        let t = w.now + 200;
        run_until(&mut w, t);
        let zk = w.protocol.zk.as_ref().unwrap();
        assert_eq!(zk.children.len(), 1, "one node: {:?}", zk.children);
        assert_eq!(phase(&w, A), Phase::Holding);
        assert_eq!(w.protocol.clients[0].token, Some(2));
    }

    #[test]
    fn a_paused_client_whose_session_expired_learns_only_after_it_resumes() {
        let mut s = setup(Backend::Zookeeper, 2);
        s.session_timeout = 300;
        s.heartbeat = 100;
        let mut w = world(&s);
        op(&mut w, LockOp::Acquire { client: A });
        run_until(&mut w, 20);
        fault(&mut w, Fault::Pause { node: A, ms: 600 });
        op(&mut w, LockOp::Acquire { client: B });
        let events = run_until(&mut w, 400);
        assert!(notes(&events).contains(&LockNote::SessionExpired {
            client: A,
            session: 1
        }));
        assert_eq!(phase(&w, B), Phase::Holding);
        assert_eq!(phase(&w, A), Phase::Holding, "paused: it heard nothing");
        let events = run_until(&mut w, 700);
        assert!(notes(&events).contains(&LockNote::LearnedLost { client: A }));
        assert_eq!(phase(&w, A), Phase::Idle);
        // Heartbeats keep a live session: B's survives the whole time.
        let zk = w.protocol.zk.as_ref().unwrap();
        assert!(zk.sessions.iter().any(|s| s.client == B && !s.expired));
    }

    #[test]
    fn ops_list_what_each_client_can_do_next() {
        let mut w = world(&setup(Backend::Redis, 2));
        let ops = |w: &W| {
            let mut out = Vec::new();
            w.protocol.ops(&w.nodes, &mut out);
            out
        };
        assert_eq!(
            ops(&w),
            vec![LockOp::Acquire { client: A }, LockOp::Acquire { client: B }]
        );
        op(&mut w, LockOp::Acquire { client: A });
        run_until(&mut w, 20);
        assert_eq!(
            ops(&w),
            vec![LockOp::Write { client: A }, LockOp::Acquire { client: B }]
        );
        op(&mut w, LockOp::Write { client: A });
        fault(&mut w, Fault::Pause { node: B, ms: 50 });
        assert_eq!(ops(&w), vec![LockOp::Release { client: A }]);
        op(&mut w, LockOp::Release { client: A });
        run_until(&mut w, 100);
        assert_eq!(ops(&w), vec![LockOp::Acquire { client: B }]);
        // A finished its one round; an operation that is not enabled is skipped.
        let skipped = op(&mut w, LockOp::Write { client: A });
        assert!(matches!(skipped[0], Event::Skipped { .. }));
    }

    #[test]
    fn states_that_differ_only_in_timer_ids_hash_alike() {
        use core::hash::{Hash, Hasher};
        let hash = |slot: TimerSlot| {
            let mut h = xxhash_rust::xxh64::Xxh64::new(0);
            slot.hash(&mut h);
            h.finish()
        };
        assert_eq!(hash(TimerSlot::pending(3)), hash(TimerSlot::pending(7)));
        assert_ne!(hash(TimerSlot::pending(3)), hash(TimerSlot(None)));
    }

    #[test]
    fn invalid_set_ups_are_refused_with_a_message() {
        let ok = setup(Backend::Redis, 2);
        assert!(ok.validate().is_ok());
        let mut cases = Vec::new();
        let mut s = ok.clone();
        s.clients.clear();
        cases.push(s);
        let mut s = ok.clone();
        s.ttl = 0;
        cases.push(s);
        let mut s = setup(Backend::Database, 1);
        s.cleanup_every = 100;
        cases.push(s);
        let mut s = setup(Backend::Zookeeper, 1);
        s.heartbeat = s.session_timeout;
        cases.push(s);
        let mut s = setup(Backend::Zookeeper, 1);
        s.replica = true;
        cases.push(s);
        let mut s = ok.clone();
        s.rounds = 0;
        cases.push(s);
        let mut s = ok;
        s.retry = 0;
        cases.push(s);
        for s in cases {
            let err = LocksLab::new(&s).unwrap_err();
            assert!(!err.en.is_empty() && !err.zh.is_empty());
        }
    }

    #[test]
    fn the_explorer_finds_the_paused_writer_without_fencing_and_nothing_with_it() {
        for fencing in [false, true] {
            let mut s = setup(Backend::Database, 2);
            s.ttl = 30;
            s.cleanup_every = 30;
            s.retry = 30;
            s.fencing = fencing;
            let start = world(&s);
            let faults = vec![Action::Fault {
                fault: Fault::Pause { node: A, ms: 200 },
            }];
            let mut explorer = Explorer::new(
                start,
                Bounds {
                    max_depth: 24,
                    max_states: 200_000,
                    faults,
                    max_faults: 1,
                },
            );
            let mut outcome = explorer.run(1_000_000).clone();
            while outcome == Outcome::Running {
                outcome = explorer.run(1_000_000).clone();
            }
            match outcome {
                Outcome::Found { violations, .. } => {
                    assert!(!fencing, "fencing should prevent {violations:?}");
                    assert!(violations.iter().any(|v| v.invariant == RESOURCE_SAFE));
                }
                other => assert!(fencing, "no counterexample without fencing: {other:?}"),
            }
        }
    }

    #[derive(Clone, Debug)]
    enum Step {
        /// One of the enabled actions (ops, deliveries, timers, resumes), by index.
        Enabled(usize),
        Next,
        Pause(NodeId, Time),
        Crash(NodeId),
        Restart(NodeId),
        Wait(Time),
    }

    fn step_strategy() -> impl Strategy<Value = Step> {
        prop_oneof![
            6 => (0usize..16).prop_map(Step::Enabled),
            4 => Just(Step::Next),
            1 => (0u8..4, 50u64..500).prop_map(|(n, ms)| Step::Pause(n, ms)),
            1 => (0u8..4).prop_map(Step::Crash),
            1 => (0u8..4).prop_map(Step::Restart),
            1 => (1u64..300).prop_map(Step::Wait),
        ]
    }

    fn backend_strategy() -> impl Strategy<Value = Backend> {
        prop::sample::select(vec![Backend::Database, Backend::Redis, Backend::Zookeeper])
    }

    /// Plays random steps on a small set-up (3 clients, 2 rounds, 2 writes) and checks `check`
    /// after every step.
    fn play(
        s: &LocksSetup,
        steps: &[Step],
        mut check: impl FnMut(&W, &[Ev]) -> Result<(), TestCaseError>,
    ) -> Result<(), TestCaseError> {
        let mut w = world(s);
        for step in steps {
            let action = match *step {
                Step::Enabled(i) => {
                    let mut enabled = Vec::new();
                    w.actions(&mut enabled);
                    if enabled.is_empty() {
                        continue;
                    }
                    enabled[i % enabled.len()].clone()
                }
                Step::Next => match w.next_due() {
                    Some(a) => a,
                    None => continue,
                },
                Step::Pause(node, ms) => Action::Fault {
                    fault: Fault::Pause { node, ms },
                },
                Step::Crash(node) => Action::Fault {
                    fault: Fault::Crash { node },
                },
                Step::Restart(node) => Action::Fault {
                    fault: Fault::Restart { node },
                },
                Step::Wait(ms) => Action::Wait { ms },
            };
            let events = apply(&mut w, action);
            check(&w, &events)?;
        }
        Ok(())
    }

    fn small(backend: Backend) -> LocksSetup {
        let mut s = setup(backend, 3);
        s.rounds = 2;
        s.writes = 2;
        s.ttl = 150;
        if backend == Backend::Database {
            s.cleanup_every = 100;
        }
        s.session_timeout = 300;
        s.heartbeat = 100;
        s
    }

    proptest! {
        /// With fencing on, the resource never accepts a token older than one it accepted, under
        /// any interleaving of client operations, pauses and crashes; with the database and
        /// ZooKeeper, whose state is durable, no two leases ever overlap at the resource and the
        /// service never promises the lock to two clients at once.
        #[test]
        fn fencing_keeps_the_resource_safe(
            backend in backend_strategy(),
            steps in prop::collection::vec(step_strategy(), 1..120),
        ) {
            let mut s = small(backend);
            s.fencing = true;
            play(&s, &steps, |w, _| {
                let mut newest = 0;
                for r in w.protocol.resource.log.iter().filter(|r| r.accepted) {
                    prop_assert!(r.token >= newest, "{:?}", w.protocol.resource.log);
                    newest = r.token;
                }
                let broken = broken(w);
                // Redis keeps its lock in memory only: a restart or a failover can forget a lease
                // it promised (two holders) and start its counter over.
                if backend != Backend::Redis {
                    prop_assert!(!broken.iter().any(|(i, _)| i == SINGLE_HOLDER), "{broken:?}");
                    prop_assert!(!broken.iter().any(|(i, _)| i == RESOURCE_SAFE), "{broken:?}");
                }
                Ok(())
            })?;
        }

        /// ZooKeeper grants the lock in sequence order: each grant's token is higher than the one
        /// before, whatever pauses, crashes and herd setting.
        #[test]
        fn zookeeper_grants_in_sequence_order(
            herd in any::<bool>(),
            steps in prop::collection::vec(step_strategy(), 1..150),
        ) {
            let mut s = small(Backend::Zookeeper);
            s.herd = herd;
            play(&s, &steps, |w, _| {
                let tokens: Vec<u64> = w.protocol.grants.iter().map(|g| g.token).collect();
                prop_assert!(tokens.windows(2).all(|p| p[0] < p[1]), "{tokens:?}");
                Ok(())
            })?;
        }

        /// A safe release (compare-and-delete, or `DELETE ... AND id = ?`) never deletes another
        /// client's lock; a plain one may.
        #[test]
        fn a_safe_release_never_deletes_another_clients_lock(
            redis in any::<bool>(),
            steps in prop::collection::vec(step_strategy(), 1..150),
        ) {
            let s = small(if redis { Backend::Redis } else { Backend::Database });
            play(&s, &steps, |w, events| {
                let others = notes(events)
                    .into_iter()
                    .any(|n| matches!(n, LockNote::DeletedOthers { .. }));
                prop_assert!(!others);
                let deleted_by_other = w
                    .protocol
                    .grants
                    .iter()
                    .any(|g| matches!(g.ended, Some((_, GrantEnd::DeletedBy { .. }))));
                prop_assert!(!deleted_by_other);
                Ok(())
            })?;
        }
    }
}
