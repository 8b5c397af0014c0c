//! The built-in consistent-hashing lessons. Each one shows one idea of seed 004 section 七; the
//! numbers in the narration are the ones the run produces, pinned by the golden traces.

use alloc::string::ToString;
use alloc::vec::Vec;

use super::lab::{RingOp, RingSetup};
use super::RingLab;
use crate::kernel::{Fault, FaultKind, NodeId};
use crate::scenario::{Directive, Scenario, ScriptStep};

fn setup(nodes: &[&str], members: &[NodeId], vnodes: u32, keys: u32) -> RingSetup {
    RingSetup {
        nodes: nodes.iter().map(|n| n.to_string()).collect(),
        members: members.to_vec(),
        vnodes,
        keys,
    }
}

fn op(op: RingOp, en: &str, zh: &str) -> ScriptStep<RingOp> {
    ScriptStep::new(Directive::Op { op }, en, zh)
}

fn fault(fault: Fault, en: &str, zh: &str) -> ScriptStep<RingOp> {
    ScriptStep::new(Directive::Fault { fault }, en, zh)
}

fn lookup(key: u32, en: &str, zh: &str) -> ScriptStep<RingOp> {
    // Keys are named from k1, indices from 0.
    op(RingOp::Lookup { key: key - 1 }, en, zh)
}

/// Adds a "predict, then reveal" question to a step: `choices` are (English, Chinese) pairs.
fn ask(
    step: ScriptStep<RingOp>,
    prompt: (&str, &str),
    choices: &[(&str, &str)],
    answer: usize,
) -> ScriptStep<RingOp> {
    step.ask(prompt, choices, answer)
}

fn scenario(
    id: &str,
    title: (&str, &str),
    summary: (&str, &str),
    setup: RingSetup,
    breaks: &[&str],
    steps: Vec<ScriptStep<RingOp>>,
) -> Scenario<RingLab> {
    Scenario::lesson(
        id,
        title,
        summary,
        setup,
        &[FaultKind::Crash, FaultKind::Restart],
        breaks,
        steps,
    )
}

const N1: NodeId = 0;
const N2: NodeId = 1;
const N4: NodeId = 3;

pub fn scenarios() -> Vec<Scenario<RingLab>> {
    alloc::vec![
        n1_dies(),
        add_n4(),
        skew(),
        vnodes_even_out(),
        mod_n_reshuffles()
    ]
}

fn n1_dies() -> Scenario<RingLab> {
    scenario(
        "ring-n1-dies",
        ("N1 dies: only its arc moves", "N1 宕机：只有它那段弧上的键迁移"),
        (
            "Three nodes on the ring, one point each. N1 crashes and is removed: only the keys on N1's arc move, all to the next node clockwise.",
            "哈希环上有三个节点，每个节点一个位置。N1 宕机并被移出哈希环：只有 N1 那段弧上的键迁移，而且全部迁到顺时针方向的下一个节点。",
        ),
        setup(&["N1", "N2", "N3"], &[0, 1, 2], 1, 12),
        &["ring.keys-served", "modn.minimal-movement"],
        alloc::vec![
            lookup(1,
                "Three cache nodes sit on the hash ring 0 to 2^32-1, one point each. Key k1 hashes to 9.5° and walks clockwise to the first node it meets: N1 at 277.5°.",
                "三个缓存节点各自在哈希环（0 ~ 2^32-1）上占一个位置。键 k1 的哈希落在 9.5°，顺时针走到遇到的第一个节点：277.5° 处的 N1。"),
            lookup(2,
                "k2 hashes to 307.1°; the next node clockwise is N3 at 328.7°, so k2 lives on N3. Every key belongs to the first node clockwise from its hash.",
                "k2 的哈希是 307.1°，顺时针的下一个节点是 328.7° 处的 N3，所以 k2 存在 N3 上。每个键都属于从它的哈希位置顺时针遇到的第一个节点。"),
            fault(Fault::Crash { node: N1 },
                "N1 crashes. Its 8 keys still map to N1, which is down, so they cannot be served: the invariant \"every key's node is up\" turns red.",
                "N1 宕机。它的 8 个键仍然映射到已宕机的 N1，因此无法访问：不变式“每个键所在的节点都在线”变红。"),
            ask(
                op(RingOp::Remove { node: N1 },
                    "N1 is removed from the ring. Only the 8 keys of N1's arc move, and all go to the next node clockwise, N3. k2, k3, k5 and k10 stay put. Under hash % N, N drops from 3 to 2 and keys also move between N2 and N3, which never failed.",
                    "N1 被移出哈希环。只有 N1 那段弧上的 8 个键迁移，而且全部迁到顺时针的下一个节点 N3；k2、k3、k5、k10 原地不动。换成 hash % N，N 从 3 变成 2，连从未出故障的 N2 和 N3 之间也要迁移键。"),
                ("The failure detector now removes N1 from the ring. Which keys move?", "故障检测把 N1 移出哈希环。哪些键会迁移？"),
                &[
                    ("Only the 8 keys that were on N1", "只有原来在 N1 上的 8 个键"),
                    ("Every key is re-hashed over the two remaining nodes", "所有键在剩下的两个节点上重新哈希"),
                    ("N1's keys and some of N2's keys", "N1 的键，以及 N2 的一部分键"),
                ],
                0,
            ),
            lookup(1,
                "k1 walks clockwise past the spot where N1 was and reaches N3 at 328.7°.",
                "k1 顺时针走过 N1 原来的位置，到达 328.7° 处的 N3。"),
            lookup(2,
                "k2 is still on N3: a node leaving disturbs only its own arc.",
                "k2 仍在 N3 上：节点离开只影响它自己那段弧。"),
            fault(Fault::Restart { node: N1 },
                "N1 restarts with an empty cache. It is running, but until it joins the ring it owns no keys.",
                "N1 重启，缓存是空的。它在运行，但在重新加入哈希环之前不负责任何键。"),
            op(RingOp::Join { node: N1 },
                "N1 rejoins at the same point, 277.5°, and takes back exactly the keys of its arc: the same 8 keys move from N3 to N1, and nothing else moves.",
                "N1 在同一个位置 277.5° 重新加入，正好收回它那段弧上的键：同样的 8 个键从 N3 迁回 N1，其他键都不动。"),
        ],
    )
}

fn add_n4() -> Scenario<RingLab> {
    scenario(
        "ring-add-n4",
        ("Adding N4 takes part of one arc", "加入 N4：只分走一段弧的一部分"),
        (
            "N4 joins inside N1's arc and takes only the keys between N1's predecessor and itself; N2 and N3 do not notice.",
            "N4 落在 N1 的弧里，只分走从 N1 的前一个节点到 N4 之间的键；N2 和 N3 毫无感觉。",
        ),
        setup(&["N1", "N2", "N3", "N4"], &[0, 1, 2], 1, 12),
        &["modn.minimal-movement"],
        alloc::vec![
            lookup(1,
                "Three nodes are on the ring; N4 is running but not on the ring yet. k1 (9.5°) belongs to N1, whose arc runs from N2 at 342.0° past 0° round to N1 at 277.5°.",
                "哈希环上有三个节点；N4 已经启动，但还没加入哈希环。k1（9.5°）属于 N1，N1 的弧从 342.0° 处的 N2 经过 0° 一直到 277.5° 处的 N1。"),
            lookup(4,
                "k4 (262.4°) is on N1's arc too, near its end.",
                "k4（262.4°）也在 N1 的弧上，靠近弧的末端。"),
            ask(
                op(RingOp::Join { node: N4 },
                    "N4 joins at 223.5° and takes the part of N1's arc before it: 7 keys move from N1 to N4, and nothing else moves. Under hash % N, going from 3 to 4 nodes moves keys between N1, N2 and N3 as well.",
                    "N4 在 223.5° 加入，分走 N1 弧上位于它之前的那一段：7 个键从 N1 迁到 N4，其他键都不动。换成 hash % N，从 3 个节点变成 4 个，N1、N2、N3 之间也要迁移键。"),
                ("N4 joins at 223.5°, inside N1's arc. Which keys move?", "N4 在 223.5° 加入，正好落在 N1 的弧里。哪些键会迁移？"),
                &[
                    ("Only N1's keys between 342.0° and 223.5°, all to N4", "只有 N1 在 342.0° 到 223.5° 之间的键，全部迁到 N4"),
                    ("A share of every node's keys moves to N4", "每个节点都分一部分键给 N4"),
                    ("All keys are redistributed over four nodes", "所有键在四个节点上重新分布"),
                ],
                0,
            ),
            lookup(1,
                "k1 at 9.5° now stops at N4 (223.5°), the first node clockwise.",
                "k1（9.5°）现在顺时针先遇到 N4（223.5°），于是落在 N4 上。"),
            lookup(4,
                "k4 at 262.4° lies after N4, so it still belongs to N1.",
                "k4（262.4°）在 N4 之后，所以仍属于 N1。"),
            lookup(2,
                "k2 stays on N3: its arc was not touched.",
                "k2 仍在 N3 上：它所在的弧没有变化。"),
            op(RingOp::Remove { node: N4 },
                "N4 leaves again; its 7 keys go back to N1, the next node clockwise. Joining and leaving are mirror images.",
                "N4 再次离开；它的 7 个键回到顺时针的下一个节点 N1。加入和离开互为镜像。"),
            lookup(1,
                "k1 is back on N1.",
                "k1 回到了 N1。"),
        ],
    )
}

fn skew() -> Scenario<RingLab> {
    scenario(
        "ring-skew",
        ("Three nodes without virtual nodes are skewed", "没有虚拟节点时，三个节点负载倾斜"),
        (
            "With one point per node, where the hashes happen to land decides the load: N1 ends up with 83% of the keys.",
            "每个节点只有一个位置时，哈希恰好落在哪里就决定了负载：N1 最后拿到了 83% 的键。",
        ),
        setup(&["N1", "N2", "N3"], &[0], 1, 10_000),
        &["ring.balance", "ring.keys-served", "modn.minimal-movement"],
        alloc::vec![
            lookup(1,
                "N1 is alone on the ring and owns all 10,000 keys, whatever their hash. k1 walks clockwise to N1.",
                "哈希环上只有 N1，不管哈希是多少，10,000 个键全在它身上。k1 顺时针走到 N1。"),
            op(RingOp::Join { node: N2 },
                "N2 joins at 342.0°. It takes only the arc from N1 (277.5°) to itself, 64.5° of 360°: 1,735 keys. N1 keeps 8,265, 1.7 times its fair share, and the balance warning turns amber.",
                "N2 在 342.0° 加入。它只分到从 N1（277.5°）到自己的那段弧，360° 中的 64.5°：1,735 个键。N1 还剩 8,265 个，是平均值的 1.7 倍，负载均衡警告变成黄色。"),
            ask(
                op(RingOp::Join { node: 2 },
                    "N3 lands at 328.7°, between N1 and N2, so it takes keys from N2 only. N1 still holds 8,265 keys, 2.5 times its fair share: three points rarely split a circle evenly.",
                    "N3 落在 328.7°，在 N1 和 N2 之间，所以它只从 N2 那里分走键。N1 仍有 8,265 个键，是平均值的 2.5 倍：三个点很难把一个圆分得均匀。"),
                ("N3 joins at 328.7°. How many keys will N1 hold afterwards?", "N3 在 328.7° 加入。之后 N1 上有多少个键？"),
                &[
                    ("About a third: 3,333", "大约三分之一：3,333 个"),
                    ("About half: 5,000", "大约一半：5,000 个"),
                    ("Still 8,265", "仍然是 8,265 个"),
                ],
                2,
            ),
            lookup(5,
                "k5 (341.8°) is in N2's sliver of an arc: N2 now holds only 340 keys.",
                "k5（341.8°）落在 N2 那一小段弧上：N2 现在只有 340 个键。"),
            fault(Fault::Crash { node: N1 },
                "N1 crashes, and 8,265 keys, 83% of all, cannot be served. A skewed ring makes one failure hurt more.",
                "N1 宕机，8,265 个键（占全部的 83%）无法访问。负载倾斜的环让一次故障的伤害更大。"),
            op(RingOp::Remove { node: N1 },
                "N1 is removed, and all of its keys fall on one node, N3, the next clockwise: N3 jumps to 9,660 keys. The next lesson shows how virtual nodes fix both problems.",
                "N1 被移除，它的键全部落到顺时针的下一个节点 N3 上：N3 一下子有了 9,660 个键。下一课会展示虚拟节点如何同时解决这两个问题。"),
            fault(Fault::Restart { node: N1 },
                "N1 restarts, still off the ring.",
                "N1 重启，但还不在哈希环上。"),
            op(RingOp::Join { node: N1 },
                "N1 rejoins at 277.5° and takes its 8,265 keys back from N3: the same skew as before.",
                "N1 在 277.5° 重新加入，从 N3 收回它的 8,265 个键：倾斜和之前一模一样。"),
        ],
    )
}

fn vnodes_even_out() -> Scenario<RingLab> {
    scenario(
        "ring-vnodes",
        ("Virtual nodes even it out", "虚拟节点让分布变均匀"),
        (
            "Hashing each node many times (N1#0, N1#1, ...) cuts the ring into many small arcs: the load evens out, and a failed node's keys spread over all the others.",
            "把每个节点哈希多次（N1#0、N1#1……）会把环切成许多小弧：负载变得均匀，宕机节点的键也会分散到其他所有节点。",
        ),
        setup(&["N1", "N2", "N3"], &[0, 1, 2], 1, 10_000),
        &["ring.balance", "ring.keys-served", "modn.minimal-movement"],
        alloc::vec![
            lookup(1,
                "The same three nodes, one point each: N1 holds 8,265 of 10,000 keys and the balance warning is on. k1 goes to N1.",
                "还是这三个节点，每个一个位置：N1 有 10,000 个键中的 8,265 个，负载均衡警告亮着。k1 落在 N1 上。"),
            op(RingOp::SetVnodes { vnodes: 10 },
                "Each node now has 10 virtual nodes, N1#0 to N1#9 and so on: 30 points on the ring. The busiest node holds 3,720 keys, 1.12 times the fair share, and the warning clears.",
                "现在每个节点有 10 个虚拟节点（N1#0 到 N1#9，依此类推）：环上共 30 个点。最忙的节点有 3,720 个键，是平均值的 1.12 倍，警告消失。"),
            op(RingOp::SetVnodes { vnodes: 100 },
                "100 virtual nodes each, 300 points: the standard deviation of the load falls to 6.8% of the mean.",
                "每个节点 100 个虚拟节点，共 300 个点：负载的标准差降到平均值的 6.8%。"),
            ask(
                op(RingOp::SetVnodes { vnodes: 1000 },
                    "3,000 points: the nodes hold 3,350, 3,328 and 3,322 keys, a standard deviation of 0.4% of the mean. More virtual nodes, smaller arcs, a more even load.",
                    "3,000 个点：三个节点分别有 3,350、3,328、3,322 个键，标准差只有平均值的 0.4%。虚拟节点越多，弧越小，负载越均匀。"),
                ("With 1,000 virtual nodes each, how uneven will the load be?", "每个节点 1,000 个虚拟节点时，负载会有多不均匀？"),
                &[
                    ("Within 1% of the fair share", "与平均值相差不到 1%"),
                    ("About 7%, as with 100", "和 100 个时一样，大约 7%"),
                    ("Worse: more points collide more", "更糟：点越多，冲突越多"),
                ],
                0,
            ),
            lookup(1,
                "A lookup still walks clockwise to the first point; that point is now a virtual node, which maps back to its physical node.",
                "查找仍然是顺时针走到第一个点；现在这个点是一个虚拟节点，再由它映射回对应的物理节点。"),
            fault(Fault::Crash { node: N1 },
                "N1 crashes: its 3,350 keys cannot be served until it is removed.",
                "N1 宕机：在它被移除之前，它的 3,350 个键无法访问。"),
            ask(
                op(RingOp::Remove { node: N1 },
                    "N1's 1,000 arcs each end at some other virtual node, so its keys are shared out between N2 and N3 instead of landing on a single neighbour.",
                    "N1 的 1,000 段弧各自接着别的虚拟节点，所以它的键被 N2 和 N3 分摊，而不是全压到一个邻居身上。"),
                ("N1 is removed. Where do its 3,350 keys go?", "N1 被移除。它的 3,350 个键去哪儿？"),
                &[
                    ("All to one neighbour", "全部给一个邻居"),
                    ("Shared between N2 and N3", "由 N2 和 N3 分摊"),
                    ("Nowhere: they are lost", "哪儿也不去：丢了"),
                ],
                1,
            ),
            fault(Fault::Restart { node: N1 },
                "N1 restarts, still off the ring.",
                "N1 重启，但还不在哈希环上。"),
            op(RingOp::Join { node: N1 },
                "N1 rejoins with its 1,000 virtual nodes and takes a small slice from both N2 and N3.",
                "N1 带着 1,000 个虚拟节点重新加入，从 N2 和 N3 各拿回一小部分键。"),
        ],
    )
}

fn mod_n_reshuffles() -> Scenario<RingLab> {
    scenario(
        "ring-mod-n",
        ("hash % N reshuffles almost everything", "hash % N：几乎所有键都要搬家"),
        (
            "The same 10,000 keys placed by the ring and by hash % N. Adding a fourth node moves about a quarter of the keys on the ring, and about three quarters under hash % N.",
            "同样 10,000 个键，分别用哈希环和 hash % N 放置。加入第四个节点时，哈希环只迁移大约四分之一的键，hash % N 却要迁移大约四分之三。",
        ),
        setup(&["N1", "N2", "N3", "N4"], &[0, 1, 2], 100, 10_000),
        &["modn.minimal-movement", "ring.keys-served"],
        alloc::vec![
            lookup(1,
                "10,000 keys are placed twice: on the ring, with 100 virtual nodes per node, and by index = hash(key) % 3 over the list N1, N2, N3. Both spread the keys about evenly.",
                "10,000 个键被放置两次：一次放在哈希环上（每个节点 100 个虚拟节点），一次按 index = hash(key) % 3 放到 N1、N2、N3 的列表里。两种方式都分得比较均匀。"),
            ask(
                op(RingOp::Join { node: N4 },
                    "Under hash % 4 a key stays only where hash % 3 and hash % 4 pick the same node: about 3 keys in 4 move, most of them between N1, N2 and N3, which did not change (red). The ring moves about a quarter, all of it onto N4.",
                    "改成 hash % 4 后，只有 hash % 3 和 hash % 4 恰好选中同一个节点的键才不动：大约每 4 个键就有 3 个迁移，而且大多是在没有变化的 N1、N2、N3 之间（变红）。哈希环只迁移大约四分之一，而且全部迁到 N4。"),
                ("N4 joins, so hash % N becomes hash % 4. What share of the keys change node under hash % N?", "N4 加入，hash % N 变成 hash % 4。在 hash % N 下有多大比例的键要换节点？"),
                &[
                    ("About 25%: just N4's new share", "大约 25%：只是 N4 新分到的那部分"),
                    ("About 50%", "大约 50%"),
                    ("About 75%: almost every key", "大约 75%：几乎所有键"),
                ],
                2,
            ),
            lookup(1,
                "Look up k1 again and compare where the two schemes send it now.",
                "再查一次 k1，比较两种方案现在把它放在哪里。"),
            fault(Fault::Crash { node: N2 },
                "N2 crashes. Both schemes still send a quarter of the keys to it.",
                "N2 宕机。两种方案仍然把大约四分之一的键发给它。"),
            ask(
                op(RingOp::Remove { node: N2 },
                    "N2 is removed and N becomes 3 again: hash % N moves about three quarters of the keys once more, while the ring moves only N2's quarter.",
                    "N2 被移除，N 又变回 3：hash % N 又一次迁移大约四分之三的键，而哈希环只迁移 N2 的那四分之一。"),
                ("N2 is removed. How many keys move under hash % N this time?", "移除 N2。这次在 hash % N 下有多少键迁移？"),
                &[
                    ("Only N2's quarter", "只有 N2 的那四分之一"),
                    ("About three quarters again", "又是大约四分之三"),
                ],
                1,
            ),
            fault(Fault::Restart { node: N2 },
                "N2 restarts, off the ring for now.",
                "N2 重启，暂时不在哈希环上。"),
            op(RingOp::Join { node: N2 },
                "N2 rejoins. A cache placed by hash % N would lose most of its hits on every resize; a ring loses only the changed node's share.",
                "N2 重新加入。如果缓存用 hash % N 放置，每次扩缩容都会让大部分缓存失效；哈希环只影响变化节点的那一份。"),
            lookup(1,
                "k1 is where the ring put it before N2 left: membership changes undo cleanly on a ring.",
                "k1 回到 N2 离开之前哈希环给它的位置：在哈希环上，成员变化可以干净地复原。"),
        ],
    )
}
