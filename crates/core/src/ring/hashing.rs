//! The consistent-hash ring itself: every physical node is hashed onto the ring `0..=2^32-1` once per
//! virtual node, and a key belongs to the first virtual node at or clockwise after the key's own
//! hash. Lookups are a binary search; whole-key-set statistics are one linear sweep over keys and
//! virtual nodes that are both sorted, so a million keys cost a million steps, not a million searches.

use alloc::string::String;
use alloc::vec::Vec;
use core::fmt::Write;

use serde::{Deserialize, Serialize};

use crate::kernel::NodeId;

/// The hash function, as the UI names it.
pub const HASH_NAME: &str = "xxHash32 (seed 0), crate xxhash-rust";

/// Hashes bytes onto the ring `0..=u32::MAX`.
pub fn ring_hash(bytes: &[u8]) -> u32 {
    xxhash_rust::xxh32::xxh32(bytes, 0)
}

/// The name hashed for virtual node `replica` of a node: the node's name, `#`, and the replica
/// number, as the syllabus suggests ("在 IP 后加上编号").
pub fn vnode_label(out: &mut String, node_name: &str, replica: u32) {
    out.clear();
    // Writing into a String cannot fail.
    let _ = write!(out, "{node_name}#{replica}");
}

/// Appends `n` in decimal, as `write!` would, without the formatting machinery (building a ring
/// of tens of thousands of virtual nodes is mostly writing their names).
fn push_decimal(out: &mut Vec<u8>, n: u32) {
    let start = out.len();
    let mut n = n;
    loop {
        out.push(b'0' + (n % 10) as u8);
        n /= 10;
        if n == 0 {
            break;
        }
    }
    out[start..].reverse();
}

/// One virtual node on the ring.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct VirtualNode {
    pub point: u32,
    pub node: NodeId,
    pub replica: u32,
}

/// The ring: virtual nodes sorted by their point. Points and owners are kept in separate arrays so
/// that the binary search touches only the points.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct HashRing {
    points: Vec<u32>,
    owners: Vec<NodeId>,
    replicas: Vec<u32>,
}

impl HashRing {
    /// Builds the ring of `members` (node id and name), each with `vnodes` virtual nodes. Two virtual
    /// nodes on the same point are ordered by node id, so the result never depends on input order.
    /// `vnodes` above 2^24 (far beyond [`super::MAX_VNODES`]) count as 2^24.
    pub fn build(members: &[(NodeId, &str)], vnodes: u32) -> HashRing {
        let vnodes = vnodes.min(1 << 24);
        // Point, node and replica packed into one number that sorts in the order wanted.
        let mut all: Vec<u64> = Vec::with_capacity(members.len() * vnodes as usize);
        let mut label = Vec::new();
        for &(node, name) in members {
            label.clear();
            label.extend_from_slice(name.as_bytes());
            label.push(b'#');
            let prefix = label.len();
            for replica in 0..vnodes {
                label.truncate(prefix);
                push_decimal(&mut label, replica);
                let point = ring_hash(&label);
                all.push((u64::from(point) << 32) | (u64::from(node) << 24) | u64::from(replica));
            }
        }
        all.sort_unstable();
        HashRing {
            points: all.iter().map(|&v| (v >> 32) as u32).collect(),
            owners: all.iter().map(|&v| (v >> 24) as NodeId).collect(),
            replicas: all.iter().map(|&v| (v & 0xff_ffff) as u32).collect(),
        }
    }

    pub fn len(&self) -> usize {
        self.points.len()
    }

    pub fn is_empty(&self) -> bool {
        self.points.is_empty()
    }

    pub fn vnode(&self, i: usize) -> Option<VirtualNode> {
        Some(VirtualNode {
            point: *self.points.get(i)?,
            node: self.owners[i],
            replica: self.replicas[i],
        })
    }

    pub fn vnodes(&self) -> impl Iterator<Item = VirtualNode> + '_ {
        (0..self.len()).filter_map(|i| self.vnode(i))
    }

    /// Index of the first virtual node at or clockwise after `hash`, wrapping past `2^32-1` to the
    /// start of the ring.
    pub fn successor(&self, hash: u32) -> Option<usize> {
        if self.points.is_empty() {
            return None;
        }
        let i = self.points.partition_point(|&p| p < hash);
        Some(if i == self.points.len() { 0 } else { i })
    }

    /// The node that owns a hash.
    pub fn owner(&self, hash: u32) -> Option<NodeId> {
        self.successor(hash).map(|i| self.owners[i])
    }

    /// Owners of keys whose hashes are given in ascending order, in the same order, by one sweep
    /// (`None` for every key when the ring is empty).
    pub fn owners_sorted<'a>(
        &'a self,
        sorted_hashes: &'a [u32],
    ) -> impl Iterator<Item = Option<NodeId>> + 'a {
        let mut j = 0;
        sorted_hashes.iter().map(move |&h| {
            while j < self.points.len() && self.points[j] < h {
                j += 1;
            }
            // Past the last point the walk wraps to the first one.
            self.owners.get(j).or_else(|| self.owners.first()).copied()
        })
    }

    /// The share of the ring (out of 2^32) that each node owns: the arcs ending at its virtual nodes.
    pub fn arc_shares(&self, nodes: usize) -> Vec<u64> {
        let mut shares = alloc::vec![0u64; nodes];
        let n = self.points.len();
        for i in 0..n {
            let start = if i == 0 {
                self.points[n - 1]
            } else {
                self.points[i - 1]
            };
            let len = u64::from(self.points[i].wrapping_sub(start));
            // A ring with one virtual node owns the whole circle.
            let len = if n == 1 { 1u64 << 32 } else { len };
            if let Some(s) = shares.get_mut(usize::from(self.owners[i])) {
                *s += len;
            }
        }
        shares
    }
}

/// Owner of a hash under plain modulo placement over the live member list.
pub fn mod_n_owner(hash: u32, members: &[NodeId]) -> Option<NodeId> {
    if members.is_empty() {
        None
    } else {
        Some(members[hash as usize % members.len()])
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn three() -> HashRing {
        HashRing::build(&[(0, "N1"), (1, "N2"), (2, "N3")], 1)
    }

    #[test]
    fn hash_is_xxh32_with_seed_zero() {
        // Reference value of XXH32("", 0) from the xxHash specification.
        assert_eq!(ring_hash(b""), 0x02CC_5D05);
    }

    #[test]
    fn successor_wraps_around_the_top_of_the_ring() {
        let ring = three();
        let max = ring.vnode(ring.len() - 1).unwrap().point;
        assert_eq!(ring.successor(max), Some(ring.len() - 1));
        assert_eq!(ring.successor(max.wrapping_add(1)), Some(0));
        assert_eq!(
            ring.successor(u32::MAX).unwrap(),
            if max == u32::MAX { 2 } else { 0 }
        );
        assert_eq!(ring.successor(0), Some(0));
    }

    #[test]
    fn empty_ring_owns_nothing() {
        let ring = HashRing::build(&[], 10);
        assert_eq!(ring.owner(5), None);
        assert!(ring.owners_sorted(&[1, 2, 3]).all(|o| o.is_none()));
        assert_eq!(ring.arc_shares(2), alloc::vec![0, 0]);
        assert_eq!(mod_n_owner(5, &[]), None);
    }

    #[test]
    fn arc_shares_cover_the_whole_ring() {
        for vnodes in [1, 3, 50] {
            let ring = HashRing::build(&[(0, "a"), (1, "b"), (2, "c"), (3, "d")], vnodes);
            assert_eq!(ring.arc_shares(4).iter().sum::<u64>(), 1u64 << 32);
        }
        let single = HashRing::build(&[(0, "a")], 1);
        assert_eq!(single.arc_shares(1), alloc::vec![1u64 << 32]);
    }

    #[test]
    fn the_fast_build_is_the_plain_definition() {
        // Every virtual node hashed from `vnode_label`, sorted by (point, node, replica).
        let members = [(0, "N1"), (1, "N2"), (7, "a-longer-name")];
        let ring = HashRing::build(&members, 1500);
        let mut plain = Vec::new();
        let mut label = String::new();
        for &(node, name) in &members {
            for replica in 0..1500 {
                vnode_label(&mut label, name, replica);
                plain.push(VirtualNode {
                    point: ring_hash(label.as_bytes()),
                    node,
                    replica,
                });
            }
        }
        plain.sort_unstable_by_key(|v| (v.point, v.node, v.replica));
        assert!(ring.vnodes().eq(plain.into_iter()));
    }

    #[test]
    fn build_is_independent_of_member_order() {
        let a = HashRing::build(&[(0, "N1"), (1, "N2"), (2, "N3")], 20);
        let b = HashRing::build(&[(2, "N3"), (0, "N1"), (1, "N2")], 20);
        assert_eq!(a, b);
    }
}
