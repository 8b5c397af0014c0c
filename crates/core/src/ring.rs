//! Consistent-hashing lab (seed 004, section 七). Keys are placed on the ring `0..=2^32-1` and belong
//! to the first virtual node clockwise; the same keys are also placed by plain `hash % N`, side by
//! side. When a node joins, leaves or is evicted after a crash, the lab counts the keys that move
//! under each scheme: the ring moves only the changed node's share, `hash % N` moves almost all.

mod hashing;
mod keys;
mod lab;
mod scenarios;

pub use hashing::{mod_n_owner, ring_hash, vnode_label, HashRing, VirtualNode, HASH_NAME};
pub use keys::{key_name, KeySet};
pub use lab::{
    check_ring_points, load_spread, ChangeKind, KeyMove, LoadSpread, Lookup, MoveStats, Placed,
    RingChange, RingLab, RingNote, RingOp, RingSetup, BALANCE, KEYS_SERVED, MAX_KEYS,
    MAX_KEYS_PLACED, MAX_NODES, MAX_RING_POINTS, MAX_VNODES, MAX_VNODES_PLACED, MODN_MINIMAL,
    RING_MINIMAL, SHOWN_KEYS,
};
pub use scenarios::scenarios;
