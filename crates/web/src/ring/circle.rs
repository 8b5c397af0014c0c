//! The ring `0..=2^32-1` as a circle, 0 at the top and growing clockwise: arcs coloured by the node
//! that owns them, virtual nodes as points, keys as dots, and a lookup's clockwise walk.

use distlab_core::kernel::{NodeId, World};
use distlab_core::ring::{RingLab, HASH_NAME, SHOWN_KEYS};
use distlab_core::Lang;
use yew::prelude::*;

use super::StepEffect;
use crate::i18n::{thousands, tr, trf};
use crate::views::node_colour;

const CENTRE: f64 = 250.0;
const RADIUS: f64 = 170.0;
const KEY_RADIUS: f64 = 140.0;
/// Arcs are drawn one per virtual node up to this many, else in bins of half a degree.
const EXACT_ARCS: usize = 1500;
const BINS: u64 = 720;
/// Virtual nodes are drawn as points up to this many.
const DRAWN_VNODES: usize = 1500;
/// Keys are labelled by name up to this many.
const LABELLED_KEYS: u32 = 24;
/// The type size of the keys' names and the quarter marks, in viewBox units (the ring is drawn
/// about as many CSS px tall as it has units on a 1280×720 projector).
const LABEL_TEXT: f64 = 16.0;
/// The rings of labels inside the keys: a name that would touch another goes one ring further in.
const LABEL_RADII: [f64; 3] = [KEY_RADIUS - 22.0, KEY_RADIUS - 42.0, KEY_RADIUS - 62.0];
/// The type size of the text at the centre (the ring's range, or a lookup), in projector mode.
const CENTRE_TEXT: f64 = 26.0;

/// Where each key's name goes: the first of [`LABEL_RADII`] where its box touches neither a name
/// placed before it nor the `centre` text (its width), or nowhere (`None`: the dot keeps its name
/// in its tooltip) when all three are taken. `keys` are (hash, name); the result is in their order.
fn place_labels(keys: &[(u32, String)], centre: f64) -> Vec<Option<(f64, f64)>> {
    // Boxes taken: centre x, centre y, half width, half height.
    let mut taken: Vec<(f64, f64, f64, f64)> =
        vec![(CENTRE, CENTRE, centre / 2.0, CENTRE_TEXT * 0.7)];
    let half_h = LABEL_TEXT / 2.0 + 1.0;
    keys.iter()
        .map(|(hash, name)| {
            let half_w = crate::diagram::text_width(name, LABEL_TEXT) / 2.0 + 3.0;
            LABEL_RADII.iter().find_map(|&r| {
                let (x, y) = at(*hash, r);
                let free = taken.iter().all(|&(tx, ty, tw, th)| {
                    (tx - x).abs() >= tw + half_w || (ty - y).abs() >= th + half_h
                });
                free.then(|| {
                    taken.push((x, y, half_w, half_h));
                    (x, y)
                })
            })
        })
        .collect()
}

fn angle(hash: u32) -> f64 {
    f64::from(hash) / 4_294_967_296.0 * std::f64::consts::TAU
}

fn at(hash: u32, r: f64) -> (f64, f64) {
    let a = angle(hash);
    (CENTRE + r * a.sin(), CENTRE - r * a.cos())
}

/// The SVG path of the clockwise arc from `from` to `to` at radius `r`.
fn arc(from: u32, to: u32, r: f64) -> String {
    let span = to.wrapping_sub(from);
    if span == 0 {
        // A whole circle, drawn as two halves.
        let (x1, y1) = at(from, r);
        let (x2, y2) = at(from.wrapping_add(1 << 31), r);
        return format!(
            "M {x1:.2} {y1:.2} A {r} {r} 0 1 1 {x2:.2} {y2:.2} A {r} {r} 0 1 1 {x1:.2} {y1:.2}"
        );
    }
    let (x1, y1) = at(from, r);
    let (x2, y2) = at(to, r);
    let large = u8::from(span > 1 << 31);
    format!("M {x1:.2} {y1:.2} A {r} {r} 0 {large} 1 {x2:.2} {y2:.2}")
}

/// Owner arcs: (start, end, owner), merged where neighbours share an owner.
fn owner_arcs(lab: &RingLab) -> Vec<(u32, u32, NodeId)> {
    let ring = &lab.ring;
    let n = ring.len();
    let mut arcs: Vec<(u32, u32, NodeId)> = Vec::new();
    if n == 0 {
        return arcs;
    }
    if n <= EXACT_ARCS {
        for i in 0..n {
            let (Some(prev), Some(v)) = (ring.vnode((i + n - 1) % n), ring.vnode(i)) else {
                continue;
            };
            arcs.push((prev.point, v.point, v.node));
        }
    } else {
        for b in 0..BINS {
            let start = ((b << 32) / BINS) as u32;
            let end = ((((b + 1) << 32) / BINS) - 1) as u32;
            let Some(owner) = ring.owner(end) else {
                continue;
            };
            arcs.push((start, end, owner));
        }
    }
    let mut merged: Vec<(u32, u32, NodeId)> = Vec::new();
    for (start, end, owner) in arcs {
        match merged.last_mut() {
            Some(last) if last.2 == owner && n > 1 => last.1 = end,
            _ => merged.push((start, end, owner)),
        }
    }
    merged
}

pub fn circle(lang: Lang, world: &World<RingLab>, effect: &StepEffect<'_>) -> Html {
    let lab = &world.protocol;
    let is_up = |n: NodeId| world.node(n).is_some_and(|s| s.is_up());
    let moved: Vec<u32> = effect
        .change
        .map(|c| c.ring.shown.iter().map(|m| m.key).collect())
        .unwrap_or_default();
    let shown = (lab.keys.len() as u32).min(SHOWN_KEYS);
    let vnode_count = lab.ring.len();
    let arcs = owner_arcs(lab);
    let quarter_labels = [
        (0u32, "0"),
        (1 << 30, "2³⁰"),
        (1 << 31, "2³¹"),
        (3 << 30, "3·2³⁰"),
    ];
    let lookup = effect.lookup;
    let keys: Vec<(u32, u32)> = (0..shown)
        .filter_map(|key| Some((key, lab.keys.hash(key)?)))
        .collect();
    // Names for the keys when there are few, the looked-up key's first so that it always has one.
    let mut named: Vec<(usize, (u32, String))> = keys
        .iter()
        .enumerate()
        .filter(|(_, &(key, _))| shown <= LABELLED_KEYS || lookup.is_some_and(|l| l.key == key))
        .map(|(i, &(key, h))| (i, (h, lab.keys.name(key))))
        .collect();
    named.sort_by_key(|(i, _)| lookup.is_none_or(|l| l.key != keys[*i].0));
    let centre = lookup
        .map(|l| {
            format!(
                "{} → {}",
                lab.keys.name(l.key),
                l.vnode
                    .map(|v| format!("{}#{}", lab.name(v.node), v.replica))
                    .unwrap_or_else(|| "—".into())
            )
        })
        .unwrap_or_else(|| "0 … 2³²−1".into());
    let places = place_labels(
        &named.iter().map(|(_, k)| k.clone()).collect::<Vec<_>>(),
        crate::diagram::bold_width(&centre, CENTRE_TEXT),
    );
    let mut labels = vec![None; keys.len()];
    for ((i, _), place) in named.iter().zip(places) {
        labels[*i] = place;
    }
    html! {
        <figure class="diagram ring-figure">
            <svg data-testid="ring" viewBox="0 0 500 500" role="img"
                aria-label={tr(lang, "The hash ring", "哈希环")}>
                <circle cx={CENTRE.to_string()} cy={CENTRE.to_string()} r={RADIUS.to_string()} class="track" />
                { for arcs.iter().map(|&(start, end, owner)| html! {
                    <path d={arc(start, end, RADIUS)} class={classes!("owner-arc", (!is_up(owner)).then_some("down"))}
                        stroke={if is_up(owner) { node_colour(owner) } else { "#dc2626" }} />
                }) }
                { for quarter_labels.iter().map(|&(h, label)| {
                    let (x, y) = at(h, RADIUS + 34.0);
                    let (x1, y1) = at(h, RADIUS - 8.0);
                    let (x2, y2) = at(h, RADIUS + 8.0);
                    html! { <g class="quarter">
                        <line x1={format!("{x1:.1}")} y1={format!("{y1:.1}")} x2={format!("{x2:.1}")} y2={format!("{y2:.1}")} />
                        <text x={format!("{x:.1}")} y={format!("{y:.1}")} text-anchor="middle" dominant-baseline="middle" style={crate::diagram::font(LABEL_TEXT)}>{ label }</text>
                    </g> }
                }) }
                if vnode_count <= DRAWN_VNODES {
                    { for lab.ring.vnodes().map(|v| {
                        let (x, y) = at(v.point, RADIUS);
                        let up = is_up(v.node);
                        let big = vnode_count <= 60;
                        html! {
                            <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r={if big { "7" } else { "3" }}
                                class={classes!("vnode", (!up).then_some("down"))}
                                fill={if up { node_colour(v.node) } else { "#9ca3af" }}>
                                <title>{ format!("{}#{} @ {}", lab.name(v.node), v.replica, v.point) }</title>
                            </circle>
                        }
                    }) }
                }
                if lab.vnodes == 1 {
                    { for lab.members.iter().filter_map(|&m| lab.ring.vnodes().find(|v| v.node == m)).map(|v| {
                        let (x, y) = at(v.point, RADIUS + 20.0);
                        let up = is_up(v.node);
                        let label = if up { lab.name(v.node).to_string() } else { format!("{} ✗", lab.name(v.node)) };
                        html! { <text class={classes!("node-label", (!up).then_some("down"))} x={format!("{x:.1}")} y={format!("{y:.1}")}
                            text-anchor="middle" dominant-baseline="middle" fill={if up { node_colour(v.node) } else { "#dc2626" }}>{ label }</text> }
                    }) }
                }
                if let Some(l) = lookup {
                    if let Some(v) = l.vnode {
                        <path d={arc(l.hash, v.point, KEY_RADIUS + 14.0)} class="walk" marker-end="url(#arrow)" />
                    }
                }
                <defs>
                    <marker id="arrow" viewBox="0 0 10 10" refX="5" refY="5" markerWidth="5" markerHeight="5" orient="auto-start-reverse">
                        <path d="M 0 0 L 10 5 L 0 10 z" class="arrow-head" />
                    </marker>
                </defs>
                { for keys.iter().zip(&labels).map(|(&(key, h), label)| {
                    let owner = lab.ring.owner(h);
                    let (x, y) = at(h, KEY_RADIUS);
                    let stranded = owner.is_some_and(|o| !is_up(o));
                    let was_moved = moved.contains(&key);
                    let looked = lookup.is_some_and(|l| l.key == key);
                    let fill = match owner {
                        Some(_) if stranded => "#dc2626",
                        Some(o) => node_colour(o),
                        None => "#9ca3af",
                    };
                    let name = lab.keys.name(key);
                    let label = label.map(|(lx, ly)| html! {
                        <text class="key-label" x={format!("{lx:.1}")} y={format!("{ly:.1}")} text-anchor="middle"
                            dominant-baseline="middle" style={crate::diagram::font(LABEL_TEXT)}>{ name.clone() }</text>
                    });
                    html! {
                        <g key={key} class={classes!("key", was_moved.then_some("moved"), stranded.then_some("stranded"), looked.then_some("looked-up"))}>
                            <circle cx={format!("{x:.1}")} cy={format!("{y:.1}")} r={if looked { "9" } else if shown <= LABELLED_KEYS { "6" } else { "3.5" }} fill={fill}>
                                <title>{ format!("{name} @ {h}") }</title>
                            </circle>
                            if stranded {
                                <text class="cross" x={format!("{x:.1}")} y={format!("{y:.1}")} text-anchor="middle" dominant-baseline="central">{"✕"}</text>
                            }
                            { for label }
                        </g>
                    }
                }) }
                <text x={CENTRE.to_string()} y={(CENTRE + 8.0).to_string()} class="centre big" text-anchor="middle">{ centre }</text>
            </svg>
            <figcaption>
                <strong>{ trf(lang, format!("{} keys · {} on the ring · {} each. ", thousands(lab.keys.len() as u64), lab.members.len(),
                        distlab_core::text::plural(u64::from(lab.vnodes), "virtual node", "virtual nodes")),
                    format!("{} 个键 · 环上 {} 个节点 · 每个节点 {} 个虚拟节点。", thousands(lab.keys.len() as u64), lab.members.len(), lab.vnodes)) }</strong>
                { trf(lang,
                    format!("Hash function: {HASH_NAME}. Keys are shown as dots (k1 to k{shown}); each belongs to the first virtual node clockwise."),
                    format!("哈希函数：{HASH_NAME}。圆点表示键（k1 到 k{shown}）；每个键属于顺时针方向遇到的第一个虚拟节点。")) }
                if lab.keys.len() as u32 > shown {
                    { trf(lang, format!(" Drawing {shown} of {} keys; counts and charts cover all of them.", thousands(lab.keys.len() as u64)),
                               format!(" 图中画出 {} 个键中的 {shown} 个；计数和图表覆盖全部键。", thousands(lab.keys.len() as u64))) }
                }
                if vnode_count > EXACT_ARCS {
                    { tr(lang, " Arcs are drawn at half-degree resolution.", " 弧以半度的精度绘制。") }
                }
            </figcaption>
        </figure>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn angles_run_clockwise_from_the_top() {
        let (x, y) = at(0, 100.0);
        assert!((x - CENTRE).abs() < 1e-9 && (y - (CENTRE - 100.0)).abs() < 1e-9);
        let (x, y) = at(1 << 30, 100.0);
        assert!((x - (CENTRE + 100.0)).abs() < 1e-6 && (y - CENTRE).abs() < 1e-6);
    }

    #[test]
    fn names_that_would_touch_go_further_in_and_never_over_the_centre() {
        let keys: Vec<(u32, String)> = [0u32, 1 << 20, 2 << 20, 3 << 20, 1 << 30]
            .iter()
            .enumerate()
            .map(|(k, &h)| (h, format!("k{}", k + 1)))
            .collect();
        let places = place_labels(&keys, 150.0);
        // Four keys at nearly the same point: three rings of names, the fourth goes without.
        let radii: Vec<Option<f64>> = places
            .iter()
            .map(|p| p.map(|(x, y)| ((x - CENTRE).powi(2) + (y - CENTRE).powi(2)).sqrt()))
            .collect();
        for (k, r) in LABEL_RADII.iter().enumerate() {
            assert!((radii[k].unwrap_or_default() - r).abs() < 1e-6, "{radii:?}");
        }
        assert_eq!(places[3], None);
        // A key a quarter round has the first ring to itself, clear of the centre's text.
        let (x, y) = places[4].unwrap_or_default();
        assert!((x - (CENTRE + LABEL_RADII[0])).abs() < 1e-6 && (y - CENTRE).abs() < 1e-6);
    }

    #[test]
    fn arcs_longer_than_half_the_ring_use_the_large_flag() {
        assert!(arc(0, 3 << 30, 10.0).contains(" 0 1 1 "));
        assert!(arc(0, 1 << 30, 10.0).contains(" 0 0 1 "));
    }
}
