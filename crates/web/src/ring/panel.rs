//! The ring lab's own controls. Each one injects an operation into the run at the step on screen,
//! like a fault: nodes join and leave, the number of virtual nodes changes, a key is looked up.

use distlab_core::kernel::{NodeStatus, World};
use distlab_core::ring::{RingLab, RingOp, MAX_RING_POINTS, MAX_VNODES};
use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::i18n::{thousands, tr};
use crate::player::Msg;
use crate::views::node_colour;

pub fn controls(lang: Lang, world: &World<RingLab>, dispatch: &Callback<Msg<RingLab>>) -> Html {
    let lab = &world.protocol;
    html! {
        <section class="panel ring-controls" data-testid="ring-controls">
            <h2>{ tr(lang, "Change the ring", "改变哈希环") }</h2>
            <div class="members">
                { for world.nodes.iter().enumerate().map(|(i, node)| {
                    let id = i as u8;
                    let member = lab.members.contains(&id);
                    let down = node.status == NodeStatus::Down;
                    let (label, op, testid) = if member {
                        (tr(lang, "Remove", "移除"), RingOp::Remove { node: id }, format!("ring-remove-{}", node.name))
                    } else {
                        (tr(lang, "Join", "加入"), RingOp::Join { node: id }, format!("ring-join-{}", node.name))
                    };
                    let status = match (member, down) {
                        (true, true) => tr(lang, "on the ring, down", "在环上，已宕机"),
                        (true, false) => tr(lang, "on the ring", "在环上"),
                        (false, true) => tr(lang, "off the ring, down", "不在环上，已宕机"),
                        (false, false) => tr(lang, "off the ring", "不在环上"),
                    };
                    html! {
                        <div class={classes!("member", (!member).then_some("off"), down.then_some("down"))}>
                            <span class="swatch" style={format!("background: {}", node_colour(id))}></span>
                            <span class="node-name">{ &node.name }</span>
                            <span class="status">{ status }</span>
                            <button data-testid={testid} disabled={!member && down}
                                onclick={dispatch.reform(move |_: MouseEvent| Msg::Op(op.clone()))}>{ label }</button>
                        </div>
                    }
                }) }
            </div>
            <VnodeSlider lang={lang} vnodes={lab.vnodes} max={max_vnodes(lab.names.len())} dispatch={dispatch.clone()} />
            <LookupBox lang={lang} keys={lab.keys.len() as u32} dispatch={dispatch.clone()} />
        </section>
    }
}

/// The most virtual nodes each of `nodes` nodes may have: `MAX_VNODES`, or fewer when the ring would
/// pass `MAX_RING_POINTS` (every node counts, since any may join).
fn max_vnodes(nodes: usize) -> u32 {
    let by_points = MAX_RING_POINTS / (nodes.max(1) as u64);
    MAX_VNODES.min(u32::try_from(by_points).unwrap_or(u32::MAX))
}

#[derive(Properties, PartialEq)]
struct SliderProps {
    lang: Lang,
    vnodes: u32,
    /// The slider's top: [`max_vnodes`] for the lab's nodes.
    max: u32,
    dispatch: Callback<Msg<RingLab>>,
}

/// Virtual nodes per node, 1 to `max`: the label follows the slider, the ring changes on release.
#[function_component(VnodeSlider)]
fn vnode_slider(props: &SliderProps) -> Html {
    let lang = props.lang;
    let live = use_state(|| props.vnodes);
    {
        let live = live.clone();
        use_effect_with(props.vnodes, move |v| live.set(*v));
    }
    let oninput = {
        let live = live.clone();
        Callback::from(move |e: InputEvent| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            if let Ok(v) = input.value().parse::<u32>() {
                live.set(v);
            }
        })
    };
    let max = props.max;
    let onchange = props.dispatch.reform(move |e: Event| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        match input.value().trim().parse::<u32>() {
            // A number above the top still goes to the lab, which says why it is refused.
            Ok(vnodes) => Msg::Op(RingOp::SetVnodes { vnodes }),
            Err(_) => Msg::Notice(Some(Text::new(
                format!("Virtual nodes must be a whole number between 1 and {max}."),
                format!("虚拟节点数必须是 1 到 {max} 之间的整数。"),
            ))),
        }
    });
    html! {
        <div class="vnodes">
            <label for="vnodes">{ tr(lang, "Virtual nodes per node", "每个节点的虚拟节点数") }
                <strong data-testid="vnodes-value">{ format!(" {}", *live) }</strong>
            </label>
            <input id="vnodes" data-testid="vnodes-slider" type="range" min="1" max={max.to_string()}
                value={live.to_string()} {oninput} onchange={onchange.clone()} />
            <input data-testid="vnodes-number" class="number" type="number" min="1" max={max.to_string()}
                value={live.to_string()} onchange={onchange} aria-label={tr(lang, "Virtual nodes per node", "每个节点的虚拟节点数")} />
        </div>
    }
}

#[derive(Properties, PartialEq)]
struct LookupProps {
    lang: Lang,
    keys: u32,
    dispatch: Callback<Msg<RingLab>>,
}

/// Looks up one key by number: the ring shows its clockwise walk.
#[function_component(LookupBox)]
fn lookup_box(props: &LookupProps) -> Html {
    let lang = props.lang;
    let input = use_node_ref();
    let keys = props.keys;
    let onsubmit = {
        let input = input.clone();
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let raw = input
                .cast::<web_sys::HtmlInputElement>()
                .map(|i| i.value())
                .unwrap_or_default();
            let number = raw.trim().trim_start_matches(['k', 'K']).parse::<u32>();
            dispatch.emit(match number {
                Ok(n) if (1..=keys).contains(&n) => Msg::Op(RingOp::Lookup { key: n - 1 }),
                _ => Msg::Notice(Some(Text::new(
                    format!("Look up a key from k1 to k{keys}; \"{raw}\" is not one of them."),
                    format!("请查找 k1 到 k{keys} 之间的键；“{raw}”不在其中。"),
                ))),
            });
        })
    };
    html! {
        <form class="lookup" {onsubmit}>
            <label>{ tr(lang, "Look up key", "查找键") }
                <input ref={input} data-testid="lookup-key" type="text" placeholder="k1" size="8" />
            </label>
            <button type="submit" data-testid="lookup">{ tr(lang, "Look up", "查找") }</button>
            <span class="hint">{ format!("k1 … k{}", thousands(u64::from(keys))) }</span>
        </form>
    }
}
