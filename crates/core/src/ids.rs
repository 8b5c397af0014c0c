//! The models of the IDs lab (seed 004, section 六 "分布式 ID"): how distributed systems mint unique
//! identifiers, and why each scheme breaks. Every model is a plain, deterministic state machine: it
//! reads no clock (the caller passes the node's wall clock, the kernel's virtual time plus the
//! node's offset, so that the kernel's `ClockJump` fault is what moves it) and draws randomness only
//! from bytes the caller passes (from the world's seeded generator).
//!
//! - [`snowflake`]: the bit layouts (Twitter, Sonyflake, Baidu uid-generator) with `compose` and
//!   `decompose`, and a snowflake generator with its guards against a clock moving backwards and
//!   its worker ids, configured or taken from a ZooKeeper-like registry (Leaf-snowflake).
//! - [`uuids`]: UUID v4 and v7 (the `uuid` crate, fed bytes from the world's generator), and the
//!   birthday bound of random ids.
//! - [`autoinc`]: database auto-increment, one database or several with `auto_increment_increment`
//!   and `auto_increment_offset`.
//! - [`segment`]: Leaf-segment, ranges taken from a database row with a double buffer.
//! - [`redis`]: Redis `INCR` with its persistence settings.
//! - [`btree`]: how ids spread their inserts over the pages of a B-tree index.

pub mod autoinc;
pub mod btree;
pub mod clock;
pub mod lab;
pub mod redis;
pub mod scenarios;
pub mod segment;
pub mod snowflake;
pub mod uuids;
