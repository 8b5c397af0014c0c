//! The distributed-locks lab (seed 004, section 二 "分布式锁"): clients take a lock from a lock
//! service (a database table, Redis, or ZooKeeper) before they write to a shared resource, and the
//! resource records every write with the fencing token it carried.
//!
//! The lab shows what each recipe costs and where it breaks: a database row left behind by a
//! crashed holder, a Redis lease that runs out while its holder is paused, a plain `DEL` that
//! releases someone else's lock, a failover to a replica that missed the `SET`, ZooKeeper's queue of
//! ephemeral sequential nodes and its herd effect, a session that expires during a pause; and how
//! fencing tokens let the resource refuse the write of a client that no longer holds the lock.

pub mod lab;
pub mod scenarios;

pub use lab::{
    Backend, Client, Grant, GrantEnd, LockMsg, LockNote, LockOp, LockTimer, LockValue, LocksLab,
    LocksSetup, Phase, TimerSlot, NOT_STUCK, RESOURCE_SAFE, SINGLE_HOLDER,
};
pub use scenarios::scenarios;
