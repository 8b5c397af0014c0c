//! The same keys under both schemes, side by side: each node's keys (as chips for a small key set,
//! as bars for a large one) and how many keys the last membership change moved.

use distlab_core::kernel::{NodeId, World};
use distlab_core::ring::{mod_n_owner, MoveStats, RingChange, RingLab};
use distlab_core::Lang;
use yew::prelude::*;

use super::{change_label, StepEffect};
use crate::i18n::{thousands, tr, trf};
use crate::views::node_colour;

/// Keys are drawn as chips in the buckets up to this many.
const CHIP_KEYS: usize = 48;

#[derive(Clone, Copy, PartialEq)]
enum Scheme {
    Ring,
    ModN,
}

fn percent(stats: &MoveStats) -> String {
    let bp = stats.moved_basis_points();
    format!("{}.{:02}%", bp / 100, bp % 100)
}

pub fn side_by_side(lang: Lang, world: &World<RingLab>, effect: &StepEffect<'_>) -> Html {
    let lab = &world.protocol;
    let this_step = effect.change.is_some();
    html! {
        <div class="schemes">
            { scheme(lang, world, Scheme::Ring, lab.last_change.as_ref(), this_step) }
            { scheme(lang, world, Scheme::ModN, lab.last_change.as_ref(), this_step) }
        </div>
    }
}

fn scheme(
    lang: Lang,
    world: &World<RingLab>,
    which: Scheme,
    change: Option<&RingChange>,
    this_step: bool,
) -> Html {
    let lab = &world.protocol;
    let (title, testid, loads) = match which {
        Scheme::Ring => (
            tr(lang, "Consistent hashing", "一致性哈希"),
            "moved-ring",
            &lab.ring_load,
        ),
        Scheme::ModN => (
            tr(lang, "hash % N", "hash % N"),
            "moved-modn",
            &lab.mod_load,
        ),
    };
    let stats = change.map(|c| match which {
        Scheme::Ring => &c.ring,
        Scheme::ModN => &c.mod_n,
    });
    let total = lab.keys.len() as u64;
    let moved_keys: Vec<(u32, NodeId)> = if this_step {
        stats
            .map(|s| s.shown.iter().map(|m| (m.key, m.from)).collect())
            .unwrap_or_default()
    } else {
        Vec::new()
    };
    let owner_of = |key: u32| -> Option<NodeId> {
        let h = lab.keys.hash(key)?;
        match which {
            Scheme::Ring => lab.ring.owner(h),
            Scheme::ModN => mod_n_owner(h, &lab.members),
        }
    };
    let chips = lab.keys.len() <= CHIP_KEYS;
    let max_load = lab
        .members
        .iter()
        .map(|&m| loads[usize::from(m)])
        .max()
        .unwrap_or(0)
        .max(1);
    let moved_text = match (stats, change) {
        (Some(s), Some(c)) => trf(
            lang,
            format!(
                "{}: {} of {} keys moved ({})",
                change_label(lang, lab, c),
                thousands(u64::from(s.moved)),
                thousands(total),
                percent(s)
            ),
            format!(
                "{}：{} 个键中有 {} 个迁移（{}）",
                change_label(lang, lab, c),
                thousands(total),
                thousands(u64::from(s.moved)),
                percent(s)
            ),
        ),
        _ => tr(
            lang,
            "No node has joined or left yet.",
            "还没有节点加入或离开。",
        )
        .to_string(),
    };
    let between = stats.map_or(0, |s| s.between_other_nodes);
    html! {
        <section class={classes!("scheme", if which == Scheme::Ring { "ring-scheme" } else { "modn-scheme" })}>
            <h3>{ title }</h3>
            <div data-testid={testid} class={classes!("moved", this_step.then_some("fresh"), (between > 0).then_some("bad"))}
                data-moved={stats.map(|s| s.moved.to_string())}>
                { moved_text }
                if between > 0 {
                    <div class="between">{ trf(lang,
                        format!("✗ {} of them moved between nodes that did not change", thousands(u64::from(between))),
                        format!("✗ 其中 {} 个是在没有变化的节点之间迁移", thousands(u64::from(between)))) }</div>
                }
            </div>
            <div class={classes!("buckets", (lab.members.len() > 12).then_some("many"))}>
                { for lab.members.iter().map(|&m| {
                    let up = world.node(m).is_some_and(|s| s.is_up());
                    let load = loads[usize::from(m)];
                    let share = if total == 0 { 0.0 } else { 100.0 * f64::from(load) / total as f64 };
                    html! {
                        <div class={classes!("bucket", (!up).then_some("down"))}>
                            <div class="bucket-head" style={format!("border-color: {}", node_colour(m))}>
                                <span class="node" style={format!("color: {}", node_colour(m))}>{ lab.name(m) }</span>
                                if !up { <span class="down-tag">{ tr(lang, "✗ down", "✗ 宕机") }</span> }
                                <span class="count">{ format!("{} · {share:.1}%", thousands(u64::from(load))) }</span>
                            </div>
                            if chips {
                                <div class="chips">
                                    { for (0..lab.keys.len() as u32).filter(|&k| owner_of(k) == Some(m)).map(|k| {
                                        let from = moved_keys.iter().find(|(key, _)| *key == k).map(|(_, f)| *f);
                                        html! {
                                            <span class={classes!("chip", from.is_some().then_some("moved"), (!up).then_some("stranded"))}
                                                title={from.map(|f| trf(lang, format!("moved here from {}", lab.name(f)), format!("从 {} 迁来", lab.name(f))))}>
                                                { lab.keys.name(k) }
                                                if let Some(f) = from { <small>{ format!(" ←{}", lab.name(f)) }</small> }
                                            </span>
                                        }
                                    }) }
                                </div>
                            } else {
                                <div class="bar"><div class="fill" style={format!("width: {:.1}%; background: {}", 100.0 * f64::from(load) / f64::from(max_load), node_colour(m))}></div></div>
                            }
                        </div>
                    }
                }) }
            </div>
        </section>
    }
}
