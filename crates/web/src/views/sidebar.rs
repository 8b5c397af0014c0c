//! The scenario list of the open lab, free play, and scenario files (import and export).

use distlab_core::ring::{RingSetup, MAX_KEYS, MAX_NODES, MAX_VNODES};
use distlab_core::scenario;
use distlab_core::Text;
use gloo::file::callbacks::FileReader;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::tr;
use crate::player::{default_sandbox, Msg, Player, Source};

pub fn sidebar(player: &Player, dispatch: &Callback<Msg>) -> Html {
    let lang = player.lang;
    let current = player.lab.scenario_id().to_string();
    let builtin = player.source == Source::Builtin;
    html! {
        <nav class="sidebar" aria-label={tr(lang, "Scenarios", "场景")}>
            <h2>{ tr(lang, "Lessons", "课程") }</h2>
            <ol class="scenarios">
                { for scenario::all().into_iter().filter(|s| s.lab() == player.lab.lab_id()).map(|s| {
                    let id = s.id().to_string();
                    let active = builtin && id == current;
                    let open = id.clone();
                    html! {
                        <li>
                            <button data-testid={format!("scenario-{id}")} class={classes!("scenario", active.then_some("active"))}
                                aria-current={active.then_some("true")}
                                onclick={dispatch.reform(move |_: MouseEvent| Msg::OpenBuiltin(open.clone()))}>
                                { s.title().get(lang) }
                            </button>
                        </li>
                    }
                }) }
            </ol>
            if player.lab.lab_id() == <distlab_core::ring::RingLab as scenario::Lab>::ID {
                <SandboxForm lang={lang} active={player.source == Source::Sandbox} dispatch={dispatch.clone()} />
            }
            <FileTools lang={lang} dispatch={dispatch.clone()} json={player.lab.scenario_json()} />
        </nav>
    }
}

#[derive(Properties, PartialEq)]
struct SandboxProps {
    lang: distlab_core::Lang,
    active: bool,
    dispatch: Callback<Msg>,
}

fn read_number(node: &NodeRef) -> String {
    node.cast::<web_sys::HtmlInputElement>()
        .map(|i| i.value())
        .unwrap_or_default()
}

/// Free play: pick the number of nodes, virtual nodes and keys, then play with your own ring.
#[function_component(SandboxForm)]
fn sandbox_form(props: &SandboxProps) -> Html {
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
            <button type="submit" data-testid="sandbox-start">{ tr(lang, "Build this ring", "生成哈希环") }</button>
        </form>
    }
}

#[derive(Properties, PartialEq)]
struct FileProps {
    lang: distlab_core::Lang,
    dispatch: Callback<Msg>,
    json: String,
}

/// Scenario files: export the open scenario as JSON, import one from disk.
#[function_component(FileTools)]
fn file_tools(props: &FileProps) -> Html {
    let lang = props.lang;
    let reader = use_mut_ref(|| None::<FileReader>);
    let on_import = {
        let dispatch = props.dispatch.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            let dispatch = dispatch.clone();
            let task =
                gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |result| {
                    dispatch.emit(match result {
                        Ok(text) => Msg::Import(text),
                        Err(e) => Msg::Notice(Some(Text::new(
                            format!("The file could not be read: {e}"),
                            format!("无法读取这个文件：{e}"),
                        ))),
                    });
                });
            *reader.borrow_mut() = Some(task);
            input.set_value("");
        })
    };
    let on_export = {
        let json = props.json.clone();
        Callback::from(move |_: MouseEvent| download("scenario.json", &json))
    };
    html! {
        <div class="files">
            <h2>{ tr(lang, "Scenario files", "场景文件") }</h2>
            <button data-testid="export" onclick={on_export}>{ tr(lang, "Export JSON", "导出 JSON") }</button>
            <label class="import">
                { tr(lang, "Import JSON…", "导入 JSON…") }
                <input data-testid="import" type="file" accept=".json,application/json" onchange={on_import} />
            </label>
        </div>
    }
}

/// Offers text as a file download, through a blob URL (no request leaves the page).
fn download(name: &str, text: &str) {
    let parts = js_sys::Array::of1(&wasm_bindgen::JsValue::from_str(text));
    let options = web_sys::BlobPropertyBag::new();
    options.set_type("application/json");
    let Ok(blob) = web_sys::Blob::new_with_str_sequence_and_options(&parts, &options) else {
        return;
    };
    let Ok(url) = web_sys::Url::create_object_url_with_blob(&blob) else {
        return;
    };
    if let Some(anchor) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.create_element("a").ok())
        .and_then(|a| a.dyn_into::<web_sys::HtmlAnchorElement>().ok())
    {
        anchor.set_href(&url);
        anchor.set_download(name);
        anchor.click();
    }
    let _ = web_sys::Url::revoke_object_url(&url);
}
