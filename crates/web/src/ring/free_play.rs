//! Free play in the ring lab: a ring of the student's own size, with no script, every step theirs.

use distlab_core::kernel::FaultKind;
use distlab_core::ring::{RingLab, RingSetup, MAX_KEYS, MAX_NODES, MAX_RING_POINTS, MAX_VNODES};
use distlab_core::{Scenario, Text};
use yew::prelude::*;

use crate::i18n::{thousands, tr, trf};
use crate::player::Msg;
use crate::share;

/// The free-play set-up the sandbox starts from.
pub fn default_sandbox() -> RingSetup {
    RingSetup {
        nodes: (1..=5).map(|i| format!("N{i}")).collect(),
        members: vec![0, 1, 2, 3],
        vnodes: 100,
        keys: 100_000,
    }
}
/// A free-play scenario: no script, every step is the student's.
pub fn sandbox(setup: RingSetup, seed: u64) -> Scenario<RingLab> {
    Scenario {
        id: share::SANDBOX_ID.to_string(),
        title: Text::new("Free play", "自由练习"),
        summary: Text::new(
            "Your own ring: add, remove and crash nodes, change virtual nodes, look up keys.",
            "你自己的哈希环：加入、移除、宕掉节点，调整虚拟节点数，查找键。",
        ),
        seed,
        setup,
        faults: vec![FaultKind::Crash, FaultKind::Restart],
        breaks: Vec::new(),
        steps: Vec::new(),
    }
}

#[derive(Properties, PartialEq)]
pub struct SandboxProps {
    pub lang: distlab_core::Lang,
    pub active: bool,
    pub dispatch: Callback<Msg<RingLab>>,
}

fn read_number(node: &NodeRef) -> String {
    node.cast::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Free play: pick the number of nodes, virtual nodes and keys, then play with your own ring.
#[function_component(SandboxForm)]
pub fn sandbox_form(props: &SandboxProps) -> Html {
    let lang = props.lang;
    let defaults = default_sandbox();
    let nodes = use_node_ref();
    let vnodes = use_node_ref();
    let keys = use_node_ref();
    let onsubmit = {
        let (nodes, vnodes, keys) = (nodes.clone(), vnodes.clone(), keys.clone());
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            let parse = |node: &NodeRef, what: (&str, &str)| -> Result<u32, Text> {
                let raw = read_number(node);
                raw.trim().parse::<u32>().map_err(|_| {
                    Text::new(
                        format!(
                            "The number of {} must be a whole number, not \"{raw}\".",
                            what.0
                        ),
                        format!("{}必须是整数，而不是“{raw}”。", what.1),
                    )
                })
            };
            let setup = (|| -> Result<RingSetup, Text> {
                let n = parse(&nodes, ("nodes", "节点数"))?;
                if n == 0 || n as usize > MAX_NODES {
                    return Err(Text::new(
                        format!("Free play takes 1 to {MAX_NODES} nodes, not {n}."),
                        format!("自由练习支持 1 到 {MAX_NODES} 个节点，而不是 {n} 个。"),
                    ));
                }
                Ok(RingSetup {
                    nodes: (1..=n).map(|i| format!("N{i}")).collect(),
                    members: (0..n as u8).collect(),
                    vnodes: parse(&vnodes, ("virtual nodes", "虚拟节点数"))?,
                    keys: parse(&keys, ("keys", "键的数量"))?,
                })
            })();
            dispatch.emit(match setup {
                Ok(setup) => Msg::OpenSandbox(setup),
                Err(message) => Msg::Notice(Some(message)),
            });
        })
    };
    html! {
        <form class={classes!("sandbox", props.active.then_some("active"))} {onsubmit} data-testid="sandbox-form">
            <h2>{ tr(lang, "Free play", "自由练习") }</h2>
            <label>{ tr(lang, "Nodes", "节点") }
                <input ref={nodes} data-testid="sandbox-nodes" type="number" min="1" max={MAX_NODES.to_string()}
                    value={defaults.nodes.len().to_string()} />
            </label>
            <label>{ tr(lang, "Virtual nodes each", "每个节点的虚拟节点") }
                <input ref={vnodes} data-testid="sandbox-vnodes" type="number" min="1" max={MAX_VNODES.to_string()}
                    value={defaults.vnodes.to_string()} />
            </label>
            <label>{ tr(lang, "Keys", "键") }
                <input ref={keys} data-testid="sandbox-keys" type="number" min="1" max={MAX_KEYS.to_string()}
                    value={defaults.keys.to_string()} />
            </label>
            <p class="hint" data-testid="sandbox-limits">{ trf(lang,
                format!("Nodes × virtual nodes: at most {} points on the ring; at most {} keys.", thousands(MAX_RING_POINTS), thousands(u64::from(MAX_KEYS))),
                format!("节点数 × 虚拟节点数：环上最多 {} 个点；键最多 {} 个。", thousands(MAX_RING_POINTS), thousands(u64::from(MAX_KEYS)))) }</p>
            <button type="submit" data-testid="sandbox-start">{ tr(lang, "Build this ring", "生成哈希环") }</button>
        </form>
    }
}
