//! The built-in distributed-lock lessons (seed 004, section 二): a database lock stuck behind a
//! crashed holder and the expiry column that frees it; Redis `SET NX PX`, the lease that runs out
//! during a pause, the plain `DEL` that releases someone else's lock and the compare-and-delete
//! that does not, fencing tokens, and a failover to a replica that missed the `SET`; ZooKeeper's
//! queue of sequential nodes, the herd effect, and a session that expires during a pause. Every
//! link takes 10 ms, so the narration can say what arrives first; the numbers in the narration are
//! the ones the run produces, pinned by the golden traces.

use alloc::vec::Vec;

use super::lab::{Backend, LockOp, LocksLab, LocksSetup, NOT_STUCK, RESOURCE_SAFE, SINGLE_HOLDER};
use crate::kernel::{Fault, FaultKind, LinkConfig, NodeId, Time};
use crate::scenario::{Directive, Scenario, ScriptStep};

type Step = ScriptStep<LockOp>;

const A: NodeId = 0;
const B: NodeId = 1;
const C: NodeId = 2;
const D: NodeId = 3;

fn setup(backend: Backend, clients: &[&str]) -> LocksSetup {
    let mut s = LocksSetup::new(backend, clients);
    s.link = Some(LinkConfig {
        latency_min: 10,
        latency_max: 10,
        ..LinkConfig::default()
    });
    s
}

fn next(en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Next, en, zh)
}

fn op(op: LockOp, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Op { op }, en, zh)
}

fn acquire(client: NodeId, en: &str, zh: &str) -> Step {
    op(LockOp::Acquire { client }, en, zh)
}

fn write(client: NodeId, en: &str, zh: &str) -> Step {
    op(LockOp::Write { client }, en, zh)
}

fn release(client: NodeId, en: &str, zh: &str) -> Step {
    op(LockOp::Release { client }, en, zh)
}

fn fault(fault: Fault, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Fault { fault }, en, zh)
}

fn pause(node: NodeId, ms: Time, en: &str, zh: &str) -> Step {
    fault(Fault::Pause { node, ms }, en, zh)
}

fn wait(ms: Time, en: &str, zh: &str) -> Step {
    ScriptStep::new(Directive::Wait { ms }, en, zh)
}

fn scenario(
    id: &str,
    title: (&str, &str),
    summary: (&str, &str),
    setup: LocksSetup,
    breaks: &[&str],
    steps: Vec<Step>,
) -> Scenario<LocksLab> {
    Scenario::lesson(
        id,
        title,
        summary,
        setup,
        &[FaultKind::Crash, FaultKind::Restart, FaultKind::Pause],
        breaks,
        steps,
    )
}

pub fn scenarios() -> Vec<Scenario<LocksLab>> {
    alloc::vec![
        db_stuck(),
        db_expiry(),
        db_down(),
        redis_happy(),
        redis_lease_pause(),
        redis_del_others(),
        redis_safe_release(),
        fencing(),
        redis_failover(),
        zk_queue(),
        zk_herd(),
        zk_session(),
    ]
}

fn db_stuck() -> Scenario<LocksLab> {
    scenario(
        "locks-db-stuck",
        (
            "A holder crashes, and the database lock is stuck for good",
            "持锁者宕机，数据库锁永远卡死",
        ),
        (
            "INSERT into a table with a unique index takes the lock, DELETE releases it. A crashes while holding it: its row stays, and everyone polls in vain.",
            "向带唯一索引的表 INSERT 一行即加锁，DELETE 即释放。A 持锁时宕机：它那一行留在表里，所有人都在白白轮询。",
        ),
        setup(Backend::Database, &["A", "B"]),
        &[NOT_STUCK],
        alloc::vec![
            acquire(A, "Clients A and B share a database table `method_lock` with a unique index on the method name. A runs INSERT to take the lock.", "客户端 A 和 B 共用数据库表 method_lock，方法名上有唯一索引。A 执行 INSERT 来加锁。"),
            next("The insert succeeds: the row gets auto-increment id 1, which is A's fencing token. The table has no expiry column.", "插入成功：这一行的自增 id 是 1，也就是 A 的防护令牌（fencing token）。表里没有过期时间列。"),
            next("A hears that its insert worked: it holds the lock.", "A 收到插入成功的回复：它持有了锁。"),
            acquire(B, "B wants the lock too and runs the same INSERT.", "B 也想要这把锁，执行同样的 INSERT。"),
            next("The unique index on the method name refuses B's row: duplicate key. The INSERT still used up auto-increment id 2: InnoDB never gives back an id it generated, even for a failed INSERT.", "方法名上的唯一索引拒绝了 B 的这一行：唯一索引冲突（duplicate key）。这条 INSERT 照样用掉了自增 id 2：InnoDB 生成的自增值即使插入失败也不会退回。"),
            next("B learns the lock is taken and will poll again in 100 ms. Every poll is one more query on the database.", "B 得知锁已被占用，100 毫秒后再轮询。每次轮询都是数据库上多一条查询。"),
            fault(Fault::Crash { node: A }, "A crashes before it deletes its row. Nobody will ever run that DELETE: \"The lock is never stuck\" turns amber.", "A 在删除自己那一行之前宕机。再也没有人会执行那条 DELETE：“锁不会卡死”变成黄色。"),
            next("B's retry timer fires: a second INSERT.", "B 的重试定时器触发：第二次 INSERT。"),
            next("Duplicate key again, and id 3 used up: A's row is still there.", "又是唯一索引冲突，又用掉了 id 3：A 的那一行还在。"),
            next("B schedules another poll. It will keep polling as long as the row exists.", "B 安排下一次轮询。只要那一行还在，它就会一直轮询下去。"),
            fault(Fault::Restart { node: A }, "A's process restarts with empty memory: it does not know it once held the lock.", "A 的进程重启，内存是空的：它不知道自己曾经持有过锁。"),
            acquire(A, "The restarted A wants the lock and runs INSERT.", "重启后的 A 想要加锁，执行 INSERT。")
                .ask(
                    ("A's own row from before the crash is still in the table. What does A's INSERT get?", "A 宕机前留下的那一行还在表里。A 的 INSERT 会得到什么？"),
                    &[("The lock: the row is A's own", "锁：那一行是 A 自己的"), ("Duplicate key, like everyone else", "和别人一样：唯一索引冲突")],
                    1,
                ),
            next("Duplicate key (id 4 gone too): the unique index does not know whose row it is. A is locked out by its own past.", "唯一索引冲突（id 4 也用掉了）：唯一索引不管那一行是谁的。A 被自己过去留下的行锁在门外。"),
            next("A schedules a poll too. Now two clients poll the database, and no one will ever win.", "A 也安排了轮询。现在两个客户端都在轮询数据库，却永远不会有人成功。"),
            next("B polls once more: its third query. Without an expiry column and a cleanup job, only a person deleting the row by hand frees this lock.", "B 再次轮询：这是它的第三条查询。没有过期时间列和清理任务，只有人工删除那一行才能释放这把锁。"),
        ],
    )
}

fn db_down() -> Scenario<LocksLab> {
    let db: NodeId = 2;
    scenario(
        "locks-db-down",
        (
            "The database is a single point of failure",
            "数据库是单点故障",
        ),
        (
            "One database is the whole lock service. While it is down nobody can take or release the lock, and a DELETE lost meanwhile leaves the lock stuck after it comes back.",
            "一个数据库就是整个锁服务。它宕机时，谁都无法加锁或释放锁；而这期间丢失的 DELETE 会让锁在它恢复后仍然卡死。",
        ),
        setup(Backend::Database, &["A", "B"]),
        &[NOT_STUCK],
        alloc::vec![
            acquire(A, "A and B share the table method_lock (unique index on the method name, no expiry column) on one database. A runs INSERT.", "A 和 B 共用一个数据库上的表 method_lock（方法名上有唯一索引，没有过期时间列）。A 执行 INSERT。"),
            next("The insert succeeds: row id 1, A's fencing token.", "插入成功：行 id 为 1，也就是 A 的防护令牌。"),
            next("A holds the lock.", "A 持有锁。"),
            write(A, "A writes with token 1.", "A 带着令牌 1 写入。"),
            next("Accepted.", "写入被接受。"),
            fault(Fault::Crash { node: db }, "The database crashes. It is the lock service, and there is only one: while it is down nobody can take or give back the lock. \"The lock is never stuck\" turns amber: A holds a lock it cannot release.", "数据库宕机了。它就是锁服务，而且只有一个：它宕机期间，谁都无法加锁或还锁。“锁不会卡死”变成黄色：A 持有一把无法释放的锁。"),
            release(A, "A is done and runs DELETE to release the lock.", "A 用完了，执行 DELETE 释放锁。"),
            next("The DELETE reaches a dead database and is lost. A moves on; its row is still on the database's disk, and nothing will delete it now.", "DELETE 到达一个已宕机的数据库，丢失了。A 继续做别的事；它的那一行还在数据库的磁盘上，现在没有任何东西会删除它。"),
            acquire(B, "B wants the lock and runs INSERT.", "B 想要加锁，执行 INSERT。"),
            next("The database is down: the INSERT fails, and B will try again in 100 ms.", "数据库宕机：INSERT 失败，B 将在 100 毫秒后重试。"),
            next("B's retry: another INSERT.", "B 重试：又一次 INSERT。"),
            next("Lost again: nobody gets anything done while the one database is down.", "又丢失了：唯一的数据库宕机时，谁都办不成事。"),
            fault(Fault::Restart { node: db }, "The database is back, with its table on disk. MySQL 8.0 keeps the auto-increment counter too, though not guaranteed after a crash.", "数据库恢复了，表还在磁盘上。MySQL 8.0 也保留了自增计数器，但宕机后不保证。")
                .ask(
                    ("The database is back. Is the lock free for B?", "数据库恢复了。B 能拿到锁吗？"),
                    &[("Yes: A released it", "能：A 已经释放了"), ("No: A's DELETE was lost, its row is still there", "不能：A 的 DELETE 丢了，那一行还在")],
                    1,
                ),
            next("B's retry fires: INSERT.", "B 的重试触发：INSERT。"),
            next("Duplicate key: A's row holds the lock, though A let go of it long ago.", "唯一索引冲突：A 的那一行仍占着锁，尽管 A 早就放手了。"),
            next("B will poll again in 100 ms, and again, for ever. A single database fails the lock twice: nobody can lock while it is down, and a release lost meanwhile leaves the lock stuck after it returns. An expiry column with a cleanup job would free it; a replicated database or ZooKeeper removes the single point.", "B 将在 100 毫秒后再轮询，然后一次又一次，永无止境。单个数据库让锁失败了两次：它宕机时谁都无法加锁；这期间丢失的释放又让锁在它恢复后依旧卡死。过期时间列加清理任务可以解开它；主从复制的数据库或 ZooKeeper 则能消除单点。"),
            next("B's next poll: the row is still there.", "B 的下一次轮询：那一行还在。"),
        ],
    )
}

fn db_expiry() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Database, &["A", "B"]);
    s.ttl = 300;
    s.cleanup_every = 200;
    scenario(
        "locks-db-expiry",
        (
            "An expiry column and a cleanup job free a crashed holder's lock",
            "过期时间列加清理任务，释放宕机者的锁",
        ),
        (
            "The lock row now has an expiry time, and a job deletes expired rows every 200 ms. A crashes holding the lock; B polls until the job frees it.",
            "锁记录现在带有过期时间，一个定时任务每 200 毫秒删除过期的行。A 持锁时宕机；B 不断轮询，直到清理任务释放了锁。",
        ),
        s,
        &[],
        alloc::vec![
            acquire(A, "Same table as before, plus an expiry column: a row expires 300 ms after its insert, and a cleanup job runs every 200 ms. (Lab time is compressed: a real application picks these itself, and the view shows them next to the lab's numbers.) A runs INSERT.", "和上一课同一张表，但多了过期时间列：一行在插入 300 毫秒后过期，清理任务每 200 毫秒运行一次。（实验中的时间是压缩过的：真实应用自己选这些值，视图里会在实验数字旁边注明。）A 执行 INSERT。"),
            next("Row id 1 is inserted with an expiry time of 310 ms; the cleanup job is scheduled for 210 ms.", "插入了 id 为 1 的行，过期时间是 310 毫秒；清理任务安排在 210 毫秒。"),
            next("A holds the lock, token 1.", "A 持有锁，令牌 1。"),
            acquire(B, "B runs INSERT.", "B 执行 INSERT。"),
            next("Duplicate key; the failed INSERT used up id 2.", "唯一索引冲突；这次失败的 INSERT 用掉了 id 2。"),
            next("B will poll again in 100 ms.", "B 将在 100 毫秒后再次轮询。"),
            fault(Fault::Crash { node: A }, "A crashes holding the lock. This time \"The lock is never stuck\" stays green: the job will delete the row once it expires.", "A 持锁时宕机。这一次“锁不会卡死”保持绿色：行过期后清理任务会删除它。"),
            next("B polls: INSERT number 2.", "B 轮询：第 2 次 INSERT。"),
            next("Duplicate key; id 3 used up.", "唯一索引冲突；用掉了 id 3。"),
            next("B waits another 100 ms.", "B 再等 100 毫秒。"),
            next("At 210 ms the cleanup job runs, but the row only expires at 310 ms: nothing to delete, see you at 410 ms.", "210 毫秒时清理任务运行，但这一行要到 310 毫秒才过期：没有可删的，410 毫秒再来。"),
            next("B polls: INSERT number 3.", "B 轮询：第 3 次 INSERT。"),
            next("Duplicate key; id 4 used up.", "唯一索引冲突；用掉了 id 4。"),
            next("B waits.", "B 继续等待。"),
            next("B polls: INSERT number 4.", "B 轮询：第 4 次 INSERT。"),
            next("Duplicate key, id 5 used up: the row has expired at 310 ms, but an expired row still blocks the unique index until the job deletes it.", "唯一索引冲突，用掉了 id 5：这一行在 310 毫秒已经过期，但在清理任务删除它之前，过期的行照样占着唯一索引。"),
            next("B waits.", "B 继续等待。"),
            next("At 410 ms the cleanup job deletes the expired row. The lock is free.", "410 毫秒时清理任务删除了过期的行。锁空出来了。")
                .ask(
                    ("The job runs at 410 ms. What happens to A's row?", "清理任务在 410 毫秒运行。A 的那一行会怎样？"),
                    &[("It is deleted: it expired at 310 ms", "被删除：它在 310 毫秒就过期了"), ("It stays until A restarts", "一直留到 A 重启")],
                    0,
                ),
            next("B polls: INSERT number 5.", "B 轮询：第 5 次 INSERT。"),
            next("This insert succeeds: row id 6, token 6. Ids 2 to 5 went to B's four refused inserts, and InnoDB does not reuse them (MySQL 8.0+; not guaranteed across a database crash). The token still rises, which is all fencing needs.", "这次插入成功：id 为 6 的行，令牌 6。id 2 到 5 被 B 那四次失败的插入用掉了，InnoDB 不会再用它们（MySQL 8.0 及以上；数据库宕机后不保证）。令牌仍然只增不减，防护令牌要的就是这一点。")
                .ask(
                    ("A's row had id 1, and B's four INSERTs before this one were refused. What id does B's row get?", "A 的那一行 id 是 1，B 在这之前的四次 INSERT 都被拒绝了。B 的这一行会得到什么 id？"),
                    &[("2: refused inserts give their ids back", "2：失败的插入会退回 id"), ("6: each refused insert used one up", "6：每次失败的插入都用掉了一个")],
                    1,
                ),
            next("B holds the lock after 5 queries. The expiry freed the lock, at a price: polling, and a lease that could also run out under a holder that is merely slow.", "B 用了 5 条查询才拿到锁。过期机制释放了锁，但有代价：轮询，以及一个租约——持锁者只是慢了一点，租约也可能先到期。"),
            write(B, "B writes to the resource with token 6.", "B 带着令牌 6 写入资源。"),
            next("The resource accepts the write.", "资源接受了这次写入。"),
            release(B, "B deletes its row: DELETE ... WHERE method_name = ? AND id = 6.", "B 删除自己那一行：DELETE ... WHERE method_name = ? AND id = 6。"),
            next("The row is gone; the lock is free.", "这一行删除了，锁空出来了。"),
        ],
    )
}

fn redis_happy() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Redis, &["A", "B"]);
    s.ttl = 1000;
    scenario(
        "locks-redis-happy",
        (
            "SET NX PX: one client holds the Redis lock, the other polls",
            "SET NX PX：一个客户端持有 Redis 锁，另一个轮询",
        ),
        (
            "A sets the key with NX and a 1 s expiry; B's SET returns nil and B retries; A deletes its own key; B's next try succeeds.",
            "A 用 NX 和 1 秒过期时间设置键；B 的 SET 返回 nil，于是重试；A 删除自己的键；B 下一次尝试成功。",
        ),
        s,
        &[],
        alloc::vec![
            acquire(A, "A sends SET lock A:1 NX PX 1000: set the key only if it does not exist, and let it expire after 1000 ms. The value A:1 says whose lock it is. (Lab time: a 1 s lease, the application's choice. Redisson takes 30 s, lockWatchdogTimeout, and its watchdog renews it every 10 s while the client lives.)", "A 发送 SET lock A:1 NX PX 1000：只有键不存在时才设置，1000 毫秒后自动过期。值 A:1 表明这是谁的锁。（实验时间：租约 1 秒，由应用自己选。Redisson 用 30 秒，即 lockWatchdogTimeout，客户端存活时看门狗每 10 秒续期一次。）"),
            next("Redis sets the key and answers OK, nothing more: SET NX PX gives no fencing token. This lab adds one, an INCR of a fence counter in the same script, so A's token is 1. Real systems take the token from ZooKeeper (the lock node's zxid or version) or a database sequence. The key will expire at 1010 ms.", "Redis 设置了键，只回答 OK，别的什么都没有：SET NX PX 不提供防护令牌。本实验额外加了一个：在同一个脚本里对计数器 fence 执行 INCR，所以 A 的令牌是 1。真实系统从 ZooKeeper（锁节点的 zxid 或版本号）或数据库序列取令牌。这个键将在 1010 毫秒过期。")
                .ask(
                    ("A's SET lock A:1 NX PX 1000 succeeds. What does Redis answer?", "A 的 SET lock A:1 NX PX 1000 成功了。Redis 回答什么？"),
                    &[("OK, and a fencing token", "OK，外加一个防护令牌"), ("OK, nothing more", "只有 OK")],
                    1,
                ),
            next("A holds the lock.", "A 持有锁。"),
            acquire(B, "B sends the same SET with its own value B:1.", "B 用自己的值 B:1 发送同样的 SET。"),
            next("The key exists, so SET NX returns nil.", "键已存在，所以 SET NX 返回 nil。"),
            next("B will retry in 100 ms.", "B 将在 100 毫秒后重试。"),
            write(A, "A writes to the resource with token 1.", "A 带着令牌 1 写入资源。"),
            next("The resource accepts it.", "资源接受了这次写入。"),
            release(A, "A releases with the compare-and-delete script: delete the key only if its value is still A:1.", "A 用比较并删除的脚本释放锁：只有当键的值仍是 A:1 时才删除。"),
            next("The value matches; Redis deletes the key.", "值匹配，Redis 删除了这个键。"),
            next("B's retry: SET lock B:1 NX PX 1000 again.", "B 重试：再次 SET lock B:1 NX PX 1000。")
                .ask(
                    ("B's retry reaches Redis. What does it get?", "B 的重试到达 Redis。它会得到什么？"),
                    &[("nil again", "还是 nil"), ("The lock, token 2", "锁，令牌 2"), ("The lock, token 1", "锁，令牌 1")],
                    1,
                ),
            next("The key was free: B gets the lock, and INCR gives token 2.", "键是空的：B 拿到锁，INCR 给出令牌 2。"),
            next("B holds the lock with token 2.", "B 持有锁，令牌 2。"),
            write(B, "B writes with token 2.", "B 带着令牌 2 写入。"),
            next("Accepted. Tokens only grow: 1, then 2.", "写入被接受。令牌只增不减：先 1，后 2。"),
            release(B, "B releases with compare-and-delete.", "B 用比较并删除释放锁。"),
            next("The key is gone. Each client held the lock in turn, and the resource saw their writes in token order.", "键删除了。两个客户端轮流持锁，资源按令牌顺序收到了它们的写入。"),
        ],
    )
}

/// A holds a 200 ms lease; A pauses; the lease expires; B takes the lock and writes; A wakes.
fn lease_pause_steps(fencing: bool) -> Vec<Step> {
    let mut steps = alloc::vec![
        acquire(A, "A sends SET lock A:1 NX PX 200: a lease of 200 ms (lab time; Redisson's 30 s lease is renewed by its watchdog every 10 s, but a pause longer than 30 s still loses it).", "A 发送 SET lock A:1 NX PX 200：200 毫秒的租约（实验时间；Redisson 的 30 秒租约由看门狗每 10 秒续期，但超过 30 秒的暂停照样会失去它）。"),
        next("Redis sets the key, expiring at 210 ms. A's token is 1, from this lab's INCR counter: SET NX PX itself gives no token.", "Redis 设置了键，210 毫秒过期。A 的令牌是 1，来自本实验的 INCR 计数器：SET NX PX 本身不提供令牌。"),
        next("A holds the lock.", "A 持有锁。"),
        acquire(B, "B tries too: SET lock B:1 NX PX 200.", "B 也尝试加锁：SET lock B:1 NX PX 200。"),
        next("nil: the key exists.", "nil：键已存在。"),
        next("B will retry every 100 ms.", "B 每 100 毫秒重试一次。"),
        pause(A, 400, "A stops for 400 ms before its write: a long garbage-collection pause. Its process is frozen, but it still believes it holds the lock.", "A 在写入之前停顿了 400 毫秒：一次很长的垃圾回收暂停。进程被冻结，但它仍然以为自己持有锁。"),
        next("B retries.", "B 重试。"),
        next("nil: A's key has not expired yet.", "nil：A 的键还没过期。"),
        next("B will retry again.", "B 将再次重试。"),
        next("At 210 ms the key expires. Redis does not know A is paused; the lease is simply over.", "210 毫秒时键过期了。Redis 不知道 A 在暂停，租约就这样结束了。"),
        next("B retries.", "B 重试。"),
        next("The key is free: B gets the lock with token 2.", "键是空的：B 拿到锁，令牌 2。"),
        next("B holds the lock.", "B 持有锁。"),
        write(B, "B writes with token 2.", "B 带着令牌 2 写入。"),
        next("The resource accepts B's write. Its newest token is now 2.", "资源接受了 B 的写入。它见过的最新令牌现在是 2。"),
        next("A's pause ends at 440 ms. A picks up where it stopped: right before its write, still sure it holds the lock.", "A 的暂停在 440 毫秒结束。A 从停下的地方继续：正要写入，仍确信自己持有锁。"),
    ];
    let question = (
        "A writes with its old token 1. What does the resource do?",
        "A 用旧令牌 1 写入。资源会怎么做？",
    );
    let choices = [
        ("Accepts it", "接受"),
        (
            "Rejects it: token 1 is older than 2",
            "拒绝：令牌 1 比 2 旧",
        ),
    ];
    if fencing {
        steps.extend([
            write(A, "A sends its write with token 1.", "A 发送带令牌 1 的写入。").ask(question, &choices, 1),
            next("The resource has accepted token 2, so it rejects token 1. The fencing token stopped the stale writer; \"The resource never accepts writes from overlapping leases\" stays green. Redis gives no such token: here it comes from the lab's INCR counter; with ZooKeeper use the lock node's zxid or version, with a database a sequence or auto-increment id.", "资源已经接受过令牌 2，所以拒绝了令牌 1。防护令牌挡住了过期的写入者；“资源从不接受租约重叠的写入”保持绿色。Redis 本身不提供这种令牌：这里的令牌来自本实验的 INCR 计数器；用 ZooKeeper 时取锁节点的 zxid 或版本号，用数据库时取序列或自增 id。"),
            next("A hears its write was rejected and learns it lost the lock. The resource refused a write from behind, once it had seen a newer token: the lock alone could not do that, the token did. Fencing orders writes, it does not prove a lease is current: had A's stale write arrived before B's first write, it would have been accepted, and B's later writes would still win.", "A 收到写入被拒绝的回复，得知自己已经失去了锁。资源在见过更新的令牌之后，拒绝了来自过去的写入：光靠锁做不到这一点，靠的是令牌。防护令牌保证的是写入的顺序，而不是租约仍然有效：如果 A 的过期写入在 B 的第一次写入之前到达，它仍会被接受，只是 B 之后的写入会覆盖它。"),
        ]);
    } else {
        steps.extend([
            write(A, "A sends its write with token 1.", "A 发送带令牌 1 的写入。").ask(question, &choices, 0),
            next("Without fencing the resource accepts every write: A's write lands after B's. Two clients worked in the critical section at once, and \"The resource never accepts writes from overlapping leases\" turns red. The lock service never had two holders: \"At most one client holds the lock\" stays green.", "没有防护令牌，资源接受所有写入：A 的写入落在 B 之后。两个客户端同时进入了临界区，“资源从不接受租约重叠的写入”变红。锁服务从未同时有两个持有者：“同一时刻至多一个客户端持有锁”一直是绿色。"),
            release(B, "B releases with compare-and-delete.", "B 用比较并删除释放锁。"),
            next("B's key is deleted.", "B 的键被删除。"),
            release(A, "A releases too, with compare-and-delete.", "A 也用比较并删除释放锁。"),
            next("There is no key to delete. The damage is in the resource, not in Redis: a lease cannot stop a paused client. Turn fencing on to see the fix.", "没有键可删。损坏发生在资源里，而不在 Redis 里：租约拦不住一个暂停的客户端。打开防护令牌看看修复办法。"),
        ]);
    }
    steps
}

fn redis_lease_pause() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Redis, &["A", "B"]);
    s.ttl = 200;
    scenario(
        "locks-redis-lease-pause",
        (
            "A lease expires during a pause, and two clients write",
            "租约在暂停期间到期，两个客户端都写入了",
        ),
        (
            "A holds a 200 ms Redis lease and pauses for 400 ms. The key expires, B takes the lock and writes, then A wakes up and writes too.",
            "A 持有 200 毫秒的 Redis 租约，然后暂停了 400 毫秒。键过期了，B 拿到锁并写入，随后 A 醒来也写入了。",
        ),
        s,
        &[RESOURCE_SAFE],
        lease_pause_steps(false),
    )
}

fn fencing() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Redis, &["A", "B"]);
    s.ttl = 200;
    s.fencing = true;
    scenario(
        "locks-fencing",
        (
            "Fencing tokens: the resource refuses the paused client's write",
            "防护令牌：资源拒绝了暂停客户端的写入",
        ),
        (
            "The same pause as before, with fencing on: the resource remembers the newest token it accepted and rejects an older one.",
            "和上一课同样的暂停，但打开了防护令牌：资源记住它接受过的最新令牌，拒绝更旧的令牌。",
        ),
        s,
        &[],
        lease_pause_steps(true),
    )
}

/// A's lease expires during a pause, B takes the lock, A wakes and releases; then C wants it.
fn release_steps(safe: bool) -> Vec<Step> {
    let (how_en, how_zh) = if safe {
        (
            "A releases with the compare-and-delete script: DEL only if the value is still A:1.",
            "A 用比较并删除的脚本释放锁：只有值仍是 A:1 时才 DEL。",
        )
    } else {
        (
            "A releases with a plain DEL lock.",
            "A 用普通的 DEL lock 释放锁。",
        )
    };
    let mut steps = alloc::vec![
        acquire(
            A,
            if safe {
                "Same story, with the safe release. A sends SET lock A:1 NX PX 200 (a 200 ms lease in lab time; Redisson's is 30 s, renewed by its watchdog every 10 s)."
            } else {
                "Clients A, B and C release with a plain DEL. A sends SET lock A:1 NX PX 200 (a 200 ms lease in lab time; Redisson's is 30 s, renewed by its watchdog every 10 s)."
            },
            if safe {
                "同样的故事，这次用安全释放。A 发送 SET lock A:1 NX PX 200（实验时间 200 毫秒的租约；Redisson 用 30 秒，由看门狗每 10 秒续期）。"
            } else {
                "客户端 A、B、C 用普通的 DEL 释放锁。A 发送 SET lock A:1 NX PX 200（实验时间 200 毫秒的租约；Redisson 用 30 秒，由看门狗每 10 秒续期）。"
            }
        ),
        next(
            "A gets the lock with token 1 (from the lab's INCR counter: SET NX PX gives no token); the key expires at 210 ms.",
            "A 拿到锁，令牌 1（来自本实验的 INCR 计数器：SET NX PX 不提供令牌）；键在 210 毫秒过期。"
        ),
        next("A holds the lock.", "A 持有锁。"),
        write(A, "A writes with token 1.", "A 带着令牌 1 写入。"),
        next("Accepted.", "写入被接受。"),
        pause(
            A,
            300,
            "A pauses for 300 ms, just before it releases.",
            "A 在释放锁之前暂停了 300 毫秒。"
        ),
        acquire(
            B,
            "B tries: SET lock B:1 NX PX 200.",
            "B 尝试加锁：SET lock B:1 NX PX 200。"
        ),
        next("nil.", "nil。"),
        next("B will retry in 100 ms.", "B 将在 100 毫秒后重试。"),
        next("B retries.", "B 重试。"),
        next("nil again.", "又是 nil。"),
        next("B waits another 100 ms.", "B 再等 100 毫秒。"),
        next(
            "At 210 ms A's key expires while A is still paused.",
            "210 毫秒时 A 的键过期了，而 A 仍在暂停。"
        ),
        next("B retries.", "B 重试。"),
        next(
            "B gets the lock: key value B:1, token 2.",
            "B 拿到锁：键的值是 B:1，令牌 2。"
        ),
        next("B holds the lock.", "B 持有锁。"),
        next(
            "A wakes at 330 ms and goes on with what it was doing: releasing its lock.",
            "A 在 330 毫秒醒来，继续做它停下时要做的事：释放它的锁。"
        ),
        release(A, how_en, how_zh),
    ];
    if safe {
        steps.extend([
            next("The key's value is B:1, not A:1: the script deletes nothing. B keeps its lock.", "键的值是 B:1 而不是 A:1：脚本什么也没删。B 保住了它的锁。")
                .ask(
                    ("The key now holds B:1. What does A's compare-and-delete do?", "键现在的值是 B:1。A 的比较并删除会做什么？"),
                    &[("Deletes B's key", "删除 B 的键"), ("Nothing: the value is not A's", "什么也不做：值不是 A 的")],
                    1,
                ),
            acquire(C, "C tries: SET lock C:1 NX PX 200.", "C 尝试加锁：SET lock C:1 NX PX 200。"),
            next("nil: B's key is still there.", "nil：B 的键还在。"),
            next("C will retry in 100 ms.", "C 将在 100 毫秒后重试。"),
            write(B, "B writes with token 2.", "B 带着令牌 2 写入。"),
            next("Accepted. Only B is in the critical section.", "写入被接受。临界区里只有 B。"),
            release(B, "B releases with compare-and-delete.", "B 用比较并删除释放锁。"),
            next("B's own key: deleted.", "是 B 自己的键：删除了。"),
            next("C retries.", "C 重试。"),
            next("Redis gives C the lock with token 3, after B was done. Every client released only its own lock.", "Redis 在 B 完成之后把锁交给 C，令牌 3。每个客户端都只释放了自己的锁。"),
        ]);
    } else {
        steps.extend([
            next("DEL does not ask whose key it is: A has just deleted B's lock, and B does not know.", "DEL 不管键是谁的：A 刚刚删掉了 B 的锁，而 B 毫不知情。")
                .ask(
                    ("The key now holds B:1. What does A's DEL delete?", "键现在的值是 B:1。A 的 DEL 会删除什么？"),
                    &[("Nothing: the key is not A's", "什么也不删：键不是 A 的"), ("B's key", "B 的键")],
                    1,
                ),
            acquire(C, "C tries: SET lock C:1 NX PX 200.", "C 尝试加锁：SET lock C:1 NX PX 200。"),
            next("The key is free: C gets the lock with token 3, while B still believes it holds it.", "键是空的：C 拿到锁，令牌 3，而 B 仍以为自己持有锁。"),
            next("C holds the lock.", "C 持有锁。"),
            write(C, "C writes with token 3.", "C 带着令牌 3 写入。"),
            next("Accepted.", "写入被接受。"),
            write(B, "B writes with token 2.", "B 带着令牌 2 写入。"),
            next("Accepted too: B and C were both in the critical section, and \"The resource never accepts writes from overlapping leases\" turns red. The cure is the compare-and-delete script (next lesson), and fencing would have rejected token 2.", "也被接受了：B 和 C 同时进入了临界区，“资源从不接受租约重叠的写入”变红。解药是比较并删除脚本（下一课）；防护令牌也会拒绝令牌 2。"),
        ]);
    }
    steps
}

fn redis_del_others() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Redis, &["A", "B", "C"]);
    s.ttl = 200;
    s.safe_release = false;
    scenario(
        "locks-redis-del-others",
        (
            "A plain DEL releases someone else's lock",
            "普通的 DEL 释放了别人的锁",
        ),
        (
            "A's lease expires during a pause and B takes the lock. A wakes up and releases with DEL, which deletes B's key; C takes the lock while B still works.",
            "A 的租约在暂停期间到期，B 拿到了锁。A 醒来后用 DEL 释放锁，删掉的却是 B 的键；B 还在工作，C 就拿到了锁。",
        ),
        s,
        &[RESOURCE_SAFE],
        release_steps(false),
    )
}

fn redis_safe_release() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Redis, &["A", "B", "C"]);
    s.ttl = 200;
    scenario(
        "locks-redis-safe-release",
        (
            "Compare-and-delete releases only your own lock",
            "比较并删除：只释放自己的锁",
        ),
        (
            "The same pause, but A releases with the Lua script that deletes the key only if it still holds A's value. B's lock survives, and C waits its turn.",
            "同样的暂停，但 A 用 Lua 脚本释放锁：只有键的值仍是 A 的才删除。B 的锁保住了，C 排队等候。",
        ),
        s,
        &[],
        release_steps(true),
    )
}

fn redis_failover() -> Scenario<LocksLab> {
    let mut s = setup(Backend::Redis, &["A", "B"]);
    s.ttl = 1000;
    s.replica = true;
    s.fencing = true;
    scenario(
        "locks-redis-failover",
        (
            "Failover to a replica that missed the SET: two holders, one token",
            "故障转移到漏掉 SET 的副本：两个持有者，同一个令牌",
        ),
        (
            "Redis replicates asynchronously. The master crashes before A's SET reaches the replica, the sentinel promotes the replica, and B takes the lock there, with the same token as A.",
            "Redis 异步复制。A 的 SET 还没到达副本，主节点就宕机了；哨兵把副本提升为主节点，B 在那里拿到了锁，令牌和 A 的一样。",
        ),
        s,
        &[SINGLE_HOLDER, RESOURCE_SAFE],
        alloc::vec![
            acquire(A, "Redis has a master and a replica; the master copies its changes to the replica 50 ms after they happen (asynchronous replication). Fencing is on. A sends SET lock A:1 NX PX 1000.", "Redis 有一个主节点和一个副本；主节点在变更发生 50 毫秒后才把它复制给副本（异步复制）。防护令牌已打开。A 发送 SET lock A:1 NX PX 1000。"),
            next("The master sets the key and INCRs the counter: token 1 (the counter is this lab's addition; SET NX PX gives no token). Replication is due at 60 ms.", "主节点设置了键，并对计数器 INCR：令牌 1（计数器是本实验加的；SET NX PX 不提供令牌）。复制安排在 60 毫秒。"),
            next("A holds the lock with token 1.", "A 持有锁，令牌 1。"),
            fault(Fault::Crash { node: 2 }, "The master crashes at 20 ms, before it replicated anything. The replica has neither the key nor the counter. The sentinel will promote the replica in 100 ms: lab time, since a real Sentinel waits 30 s by default (down-after-milliseconds) before it even calls the master down.", "主节点在 20 毫秒宕机，还没复制任何东西。副本既没有这个键，也没有计数器。哨兵将在 100 毫秒后提升副本：这是实验时间，真实的 Sentinel 默认要等 30 秒（down-after-milliseconds）才判定主节点下线。"),
            next("The sentinel promotes the replica. A's lock is gone with the old master, but A does not know.", "哨兵提升了副本。A 的锁随旧主节点一起消失了，但 A 并不知道。")
                .ask(
                    ("The replica becomes master. Does it know that A holds the lock?", "副本成为主节点。它知道 A 持有锁吗？"),
                    &[("Yes, replicas have every write", "知道，副本有所有写入"), ("No, the SET never reached it", "不知道，SET 从未到达它")],
                    1,
                ),
            acquire(B, "B sends SET lock B:1 NX PX 1000 to the new master.", "B 向新主节点发送 SET lock B:1 NX PX 1000。"),
            next("The key does not exist there: B gets the lock. The counter was lost too, so INCR gives token 1 again. A was promised the lock until its PX of 1000 ms runs out, so the lock service has now promised it to two clients: \"At most one client holds the lock\" turns red. This time the lock itself is broken, not only the resource.", "新主节点上没有这个键：B 拿到了锁。计数器也丢了，所以 INCR 又给出令牌 1。A 被许诺持有锁直到 1000 毫秒的 PX 到期，所以锁服务现在把锁许诺给了两个客户端：“同一时刻至多一个客户端持有锁”变红。这一次坏掉的是锁本身，而不只是资源。"),
            next("B holds the lock with token 1, the same token as A.", "B 持有锁，令牌 1，和 A 的一样。"),
            write(B, "B writes with token 1.", "B 带着令牌 1 写入。"),
            next("Accepted: newest token 1.", "写入被接受：最新令牌为 1。"),
            write(A, "A, still sure of its lock, writes with token 1.", "A 仍确信自己持有锁，带着令牌 1 写入。")
                .ask(
                    ("Fencing is on. Does the resource accept A's write with token 1?", "防护令牌已打开。资源会接受 A 带令牌 1 的写入吗？"),
                    &[("No, fencing rejects it", "不会，防护令牌会拒绝它"), ("Yes: token 1 is not older than 1", "会：令牌 1 并不比 1 旧")],
                    1,
                ),
            next("Accepted: token 1 is not older than the newest, 1. Two clients wrote under overlapping leases, and \"The resource never accepts writes from overlapping leases\" turns red. Fencing is only as good as the counter behind it: asynchronous replication lost this lab's INCR counter. A token from ZooKeeper (the lock node's zxid) does not go back like that: ZooKeeper answers a write only once a majority of its servers has it.", "被接受了：令牌 1 并不比最新的 1 旧。两个客户端在重叠的租约下写入，“资源从不接受租约重叠的写入”变红。防护令牌只和它背后的计数器一样可靠：异步复制把本实验的 INCR 计数器弄丢了。来自 ZooKeeper（锁节点的 zxid）的令牌不会这样倒退：ZooKeeper 要等多数服务器都存下一次写入，才会回复它。"),
            release(B, "B releases with compare-and-delete.", "B 用比较并删除释放锁。"),
            next("B's key is deleted from the new master.", "新主节点上 B 的键被删除。"),
            fault(Fault::Restart { node: 2 }, "The old master restarts, empty (no persistence), and rejoins as a replica of the new master.", "旧主节点重启，内存为空（没有持久化），作为新主节点的副本重新加入。"),
        ],
    )
}

fn zk_setup(clients: &[&str]) -> LocksSetup {
    setup(Backend::Zookeeper, clients)
}

fn zk_queue() -> Scenario<LocksLab> {
    let mut s = zk_setup(&["A", "B", "C"]);
    s.rounds = 2;
    scenario(
        "locks-zk-queue",
        (
            "ZooKeeper's sequential nodes queue the clients fairly",
            "ZooKeeper 的顺序节点让客户端公平排队",
        ),
        (
            "Each client creates an ephemeral sequential node under /lock; the lowest holds the lock and each waiter watches only its predecessor. A release deletes the node and keeps the session, wakes exactly one client, and the released client can queue again in the same session.",
            "每个客户端在 /lock 下创建一个临时顺序节点；序号最小的持有锁，每个等待者只监听它的前一个节点。释放锁只删除节点、保留会话，并且只唤醒一个客户端；释放了锁的客户端可以在同一个会话里再次排队。",
        ),
        s,
        &[],
        alloc::vec![
            acquire(A, "A opens a session and creates an ephemeral sequential node under /lock. Each client will take the lock twice, keeping its session in between.", "A 打开一个会话，在 /lock 下创建一个临时顺序节点。每个客户端要加锁两次，其间一直保持同一个会话。"),
            next("ZooKeeper creates /lock/n-0000000001. It is the lowest, so A holds the lock; sequence number 1 is its fencing token while /lock exists. Curator makes /lock a container node, which the server deletes once empty, and the numbers restart; the node's czxid never goes back.", "ZooKeeper 创建了 /lock/n-0000000001。它的序号最小，所以 A 持有锁；只要 /lock 还在，序号 1 就是它的防护令牌。Curator 把 /lock 建成容器节点，变空后会被服务端删除，序号从头再来；节点的 czxid 则不会倒退。"),
            next("A learns it has the lowest node and holds the lock.", "A 得知自己的节点最小，持有锁。"),
            acquire(B, "B creates its node.", "B 创建自己的节点。"),
            next("/lock/n-0000000002. Not the lowest, so B sets a watch on its predecessor, n-0000000001.", "/lock/n-0000000002。不是最小的，所以 B 在它的前一个节点 n-0000000001 上设置监听（watch）。"),
            next("B waits for a notification. No polling.", "B 等待通知，不需要轮询。"),
            acquire(C, "C creates its node.", "C 创建自己的节点。"),
            next("/lock/n-0000000003. C watches its predecessor, B's node n-0000000002, not A's.", "/lock/n-0000000003。C 监听它的前一个节点，也就是 B 的 n-0000000002，而不是 A 的。"),
            next("C waits. The queue is A, B, C, in the order they asked.", "C 等待。队列是 A、B、C，正是它们请求的顺序。"),
            write(A, "A writes with token 1.", "A 带着令牌 1 写入。"),
            next("Accepted.", "写入被接受。"),
            release(A, "A releases as Curator's InterProcessMutex.release does: it deletes its node n-0000000001 and keeps its session 1 open for its next round.", "A 像 Curator 的 InterProcessMutex.release 那样释放锁：删除自己的节点 n-0000000001，会话 1 保持打开，留给下一轮用。"),
            next("n-0000000001 is deleted, and its watch fires: one notification, to B only. B's node is now the lowest.", "n-0000000001 被删除，监听触发：只有一个通知，发给 B。B 的节点现在是最小的。")
                .ask(
                    ("A's node is deleted. Which clients are notified?", "A 的节点被删除。哪些客户端会收到通知？"),
                    &[("B only", "只有 B"), ("B and C", "B 和 C"), ("Nobody; they poll", "没有人，它们靠轮询")],
                    0,
                ),
            next("B is notified and re-reads the children of /lock.", "B 收到通知，重新读取 /lock 的子节点。"),
            next("The children are n-0000000002 and n-0000000003.", "子节点是 n-0000000002 和 n-0000000003。"),
            next("B's node is the lowest: B holds the lock, token 2. C slept through it all.", "B 的节点最小：B 持有锁，令牌 2。C 对这一切毫无察觉，继续等待。"),
            acquire(A, "A wants the lock again, in the session it kept.", "A 又想要锁了，用的是它保留下来的会话。"),
            next("ZooKeeper creates /lock/n-0000000004 in A's session 1: no new session. It is the highest, so A watches C's node n-0000000003.", "ZooKeeper 在 A 的会话 1 里创建了 /lock/n-0000000004：没有开新会话。它的序号最大，所以 A 监听 C 的节点 n-0000000003。")
                .ask(
                    ("A released its first lock and kept its session. What does its new acquire create?", "A 释放了第一把锁，但保留了会话。它这次加锁会创建什么？"),
                    &[("A new session, and a node in it", "一个新会话，以及其中的节点"), ("Only a new node, in session 1", "只有一个新节点，在会话 1 里")],
                    1,
                ),
            next("A waits at the back of the queue, behind C.", "A 排在队尾，在 C 后面等待。"),
            write(B, "B writes with token 2.", "B 带着令牌 2 写入。"),
            next("Accepted.", "写入被接受。"),
            release(B, "B deletes its node and keeps its session.", "B 删除自己的节点，保留会话。"),
            next("n-0000000002 is deleted; its watch notifies C.", "n-0000000002 被删除；监听通知了 C。"),
            next("C re-reads the children.", "C 重新读取子节点。"),
            next("Only n-0000000003 is left.", "只剩下 n-0000000003。"),
            next("C holds the lock with token 3; A waits behind it. Two releases, two notifications, two re-reads: each waiter woke once, in turn. A session ends only when its client closes it or stops sending heartbeats, and that deletes whatever ephemeral node is left in it.", "C 持有锁，令牌 3；A 在它后面等待。两次释放，两个通知，两次重读：每个等待者按顺序只被唤醒一次。会话只在客户端关闭它或不再发送心跳时才结束，那时会删除它里面剩下的临时节点。"),
        ],
    )
}

fn zk_herd() -> Scenario<LocksLab> {
    let mut s = zk_setup(&["A", "B", "C", "D"]);
    s.herd = true;
    scenario(
        "locks-zk-herd",
        (
            "The herd effect: one release wakes every waiter",
            "惊群效应：一次释放唤醒所有等待者",
        ),
        (
            "Every waiter watches the lowest node instead of its predecessor. When A releases, all three waiters are notified and all re-read the children, though only B can go ahead.",
            "每个等待者都监听最小的节点，而不是自己的前一个节点。A 释放锁时，三个等待者全被通知，全都重新读取子节点，尽管只有 B 能继续。",
        ),
        s,
        &[],
        alloc::vec![
            acquire(A, "This time every waiter watches the lowest node, the holder's, instead of its predecessor. A creates its node.", "这一次每个等待者都监听最小的节点，也就是持锁者的节点，而不是自己的前一个节点。A 创建节点。"),
            next("/lock/n-0000000001: A's node is the lowest.", "/lock/n-0000000001：A 的节点最小。"),
            next("A holds the lock.", "A 持有锁。"),
            acquire(B, "B creates its node.", "B 创建节点。"),
            next("n-0000000002 watches n-0000000001.", "n-0000000002 监听 n-0000000001。"),
            next("B waits.", "B 等待。"),
            acquire(C, "C creates its node.", "C 创建节点。"),
            next("n-0000000003 also watches n-0000000001, the lowest.", "n-0000000003 也监听最小的 n-0000000001。"),
            next("C waits.", "C 等待。"),
            acquire(D, "D creates its node.", "D 创建节点。"),
            next("n-0000000004 watches n-0000000001 too: three watches on one node.", "n-0000000004 也监听 n-0000000001：三个监听落在同一个节点上。"),
            next("D waits.", "D 等待。"),
            release(A, "A releases: it deletes its node n-0000000001. It has no more rounds, so it also closes its session.", "A 释放锁：删除自己的节点 n-0000000001。它没有下一轮了，所以还会关闭会话。"),
            next("n-0000000001 is deleted and all three watches fire: 3 notifications go out, where predecessor watches would send 1: the herd effect.", "n-0000000001 被删除，三个监听全部触发：发出 3 个通知，而监听前一个节点只需要 1 个：这就是惊群效应。")
                .ask(
                    ("How many watch notifications does A's release send?", "A 的释放会发出多少个监听通知？"),
                    &[("1", "1 个"), ("3", "3 个")],
                    1,
                ),
            next("A's session ends: a separate event from the release. Its node is already gone, so nothing else changes.", "A 的会话结束：这和释放锁是两件事。它的节点已经删除了，所以别的都不变。"),
            next("B is notified and re-reads the children of /lock.", "B 收到通知，重新读取 /lock 的子节点。"),
            next("C is notified and re-reads them too.", "C 也收到通知，也去重新读取。"),
            next("D is notified and re-reads them too: 3 re-reads hit ZooKeeper at once.", "D 也收到通知，也去重新读取：3 次重读同时打到 ZooKeeper 上。"),
            next("ZooKeeper answers B: n-0000000002 is now the lowest.", "ZooKeeper 回复 B：n-0000000002 现在是最小的。"),
            next("ZooKeeper answers C, which watches the new lowest node, B's.", "ZooKeeper 回复 C，C 改为监听新的最小节点，也就是 B 的。"),
            next("ZooKeeper answers D, which also watches B's node.", "ZooKeeper 回复 D，D 也监听 B 的节点。"),
            next("B holds the lock with token 2.", "B 持有锁，令牌 2。"),
            next("C sees it is not the lowest and goes back to waiting: woken for nothing.", "C 发现自己不是最小的，又回去等待：白白被唤醒了一次。"),
            next("D goes back to waiting too. One release cost 3 notifications and 3 re-reads for one client that could go ahead; with a thousand waiters, a thousand. Watching the predecessor costs 1 of each.", "D 也回去等待。一次释放花了 3 个通知和 3 次重读，只为让一个客户端继续；如果有一千个等待者，就是一千次。监听前一个节点只需各 1 次。"),
        ],
    )
}

fn zk_session() -> Scenario<LocksLab> {
    let mut s = zk_setup(&["A", "B"]);
    s.session_timeout = 300;
    s.heartbeat = 100;
    scenario(
        "locks-zk-session",
        (
            "A session expires during a pause, and the client still believes it holds the lock",
            "会话在暂停期间过期，客户端却仍以为自己持有锁",
        ),
        (
            "A holds the ZooKeeper lock and pauses longer than its 300 ms session timeout. Its node disappears, B takes the lock, and A writes after it wakes, before its next heartbeat tells it the session is gone.",
            "A 持有 ZooKeeper 锁，暂停时间超过了 300 毫秒的会话超时。它的节点消失了，B 拿到锁；A 醒来后在下一次心跳告诉它会话已失效之前就写入了。",
        ),
        s,
        &[RESOURCE_SAFE],
        alloc::vec![
            acquire(A, "Sessions now time out after 300 ms without a heartbeat, and clients send one every 100 ms. (Lab time: Curator's default session timeout is 60 s, and a ZooKeeper server accepts 2 to 20 times its tickTime.) A creates its node.", "现在会话在 300 毫秒内收不到心跳就会超时，客户端每 100 毫秒发送一次心跳。（实验时间：Curator 默认会话超时 60 秒，ZooKeeper 服务器接受 tickTime 的 2 到 20 倍。）A 创建节点。"),
            next("/lock/n-0000000001 belongs to A's session 1, which ZooKeeper will expire at 310 ms unless it hears from A. A real server would not accept 300 ms: it raises a session timeout to its minimum, 2 × tickTime (4 s with tickTime=2000), which this lab compresses.", "/lock/n-0000000001 属于 A 的会话 1；如果收不到 A 的消息，ZooKeeper 将在 310 毫秒让它过期。真实的服务器不会接受 300 毫秒：它会把会话超时提高到最小值 2 × tickTime（tickTime=2000 时是 4 秒），本实验把时间压缩了。")
                .ask(
                    ("A asks for a 300 ms session. What would a real ZooKeeper server with tickTime=2000 give it?", "A 请求 300 毫秒的会话。tickTime=2000 的真实 ZooKeeper 服务器会给它多长？"),
                    &[("300 ms, as asked", "300 毫秒，按请求的给"), ("4 s: its minimum, 2 × tickTime", "4 秒：它的最小值 2 × tickTime")],
                    1,
                ),
            next("A holds the lock with token 1.", "A 持有锁，令牌 1。"),
            pause(A, 600, "A pauses for 600 ms before its write. A paused process sends no heartbeats.", "A 在写入之前暂停了 600 毫秒。暂停的进程不会发送心跳。"),
            wait(200, "200 ms pass.", "过去了 200 毫秒。"),
            acquire(B, "B creates its node.", "B 创建节点。"),
            next("n-0000000002 watches A's node.", "n-0000000002 监听 A 的节点。"),
            next("B waits.", "B 等待。"),
            next("At 310 ms ZooKeeper has not heard from A's session for 300 ms: the session expires, and its ephemeral node goes with it. B's watch fires.", "310 毫秒时，ZooKeeper 已经 300 毫秒没收到 A 的会话的消息：会话过期，它的临时节点也随之删除。B 的监听触发。"),
            next("B is notified and re-reads the children.", "B 收到通知，重新读取子节点。"),
            next("B's heartbeat timer fires: a ping for its session.", "B 的心跳定时器触发：为它的会话发送一个 ping。"),
            next("ZooKeeper answers B's read: only n-0000000002 is left.", "ZooKeeper 回复 B 的读取：只剩下 n-0000000002。"),
            next("The ping keeps B's session alive.", "这个 ping 让 B 的会话保持存活。"),
            next("B holds the lock with token 2.", "B 持有锁，令牌 2。"),
            write(B, "B writes with token 2.", "B 带着令牌 2 写入。"),
            next("Accepted.", "写入被接受。"),
            release(B, "B is done: it deletes its node, and, with no rounds left, closes its session.", "B 完成工作：删除自己的节点；它没有下一轮了，于是关闭会话。"),
            next("B's node is deleted.", "B 的节点被删除。"),
            next("B's session ends, a separate event; nothing is left in it to delete.", "B 的会话结束，这是另一件事；里面已经没有要删的节点了。"),
            next("A's pause ends at 620 ms. It remembers holding the lock; nothing has told it otherwise.", "A 的暂停在 620 毫秒结束。它记得自己持有锁；没有任何消息告诉它事实并非如此。"),
            write(A, "A writes with token 1, right away.", "A 立刻带着令牌 1 写入。")
                .ask(
                    ("A has just woken up. Does it know its session expired?", "A 刚刚醒来。它知道自己的会话已经过期了吗？"),
                    &[("Yes, ZooKeeper told it", "知道，ZooKeeper 告诉了它"), ("No, not until its next heartbeat is answered", "不知道，要等到下一次心跳得到回复")],
                    1,
                ),
            next("A's overdue heartbeat timer fires: it pings its old session.", "A 早已到期的心跳定时器触发：它为旧会话发送 ping。"),
            next("The resource accepts A's write with token 1 after B's token 2: the leases overlapped in the resource's history, and \"The resource never accepts writes from overlapping leases\" turns red. ZooKeeper's lock was correct all along; fencing would have rejected token 1.", "资源在接受令牌 2 之后又接受了 A 的令牌 1：两个租约在资源的历史里重叠了，“资源从不接受租约重叠的写入”变红。ZooKeeper 的锁始终是正确的；防护令牌本可以拒绝令牌 1。"),
            next("ZooKeeper answers the ping: SessionExpired.", "ZooKeeper 回复这个 ping：SessionExpired（会话已过期）。"),
            next("Only now does A learn it lost the lock, one write too late. A real client does a little better: once it notices its connection is gone it hears Disconnected (Curator: SUSPENDED) and should stop treating the lock as held until it knows more. But a pause can end with the write already on its way, so that does not replace fencing.", "直到现在 A 才知道自己失去了锁，晚了一次写入。真实的客户端会好一点：一旦发现连接断了，它会收到 Disconnected（Curator 里是 SUSPENDED），此时就该不再当作自己持有锁，直到弄清情况。但暂停结束时写入可能已经发出去了，所以这替代不了防护令牌。"),
        ],
    )
}
