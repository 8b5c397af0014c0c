//! The lesson list of the open lab, its free play where it has one, and scenario files (import
//! and export).

use distlab_core::Text;
use gloo::file::callbacks::FileReader;
use wasm_bindgen::JsCast;
use yew::prelude::*;

use crate::i18n::tr;
use crate::player::{LabView, Msg, Player, Source};

pub fn sidebar<L: LabView>(player: &Player<L>, dispatch: &Callback<Msg<L>>) -> Html {
    let lang = player.lang;
    let current = player.lab.scenario_id().to_string();
    let builtin = player.source == Source::Builtin;
    // The open scenario's file, written when the student exports it, not on every render.
    let scenario = player.lab.scenario.clone();
    let file = Callback::from(move |()| distlab_core::scenario::pretty_json(&scenario.to_file()));
    let on_file = dispatch.reform(|read: Result<String, Text>| match read {
        Ok(text) => Msg::Import(text),
        Err(message) => Msg::Notice(Some(message)),
    });
    html! {
        <nav class="sidebar" id="lessons" aria-label={tr(lang, "Scenarios", "场景")}>
            <h2>{ tr(lang, "Lessons", "课程") }</h2>
            <ol class="scenarios">
                { for player.lessons.iter().map(|s| {
                    let id = s.entry.id.clone();
                    let active = builtin && id == current;
                    let open = id.clone();
                    html! {
                        <li>
                            <button data-testid={format!("scenario-{id}")} class={classes!("scenario", active.then_some("active"))}
                                aria-current={active.then_some("true")}
                                onclick={dispatch.reform(move |_: MouseEvent| Msg::OpenBuiltin(open.clone()))}>
                                { s.entry.title.get(lang) }
                            </button>
                        </li>
                    }
                }) }
            </ol>
            { L::free_play_form(lang, player.source == Source::Sandbox, dispatch) }
            <FileTools lang={lang} {on_file} {file} />
        </nav>
    }
}

#[derive(Properties, PartialEq)]
struct FileProps {
    lang: distlab_core::Lang,
    /// The text of the file the student picked, or why it could not be read.
    on_file: Callback<Result<String, Text>>,
    /// The open scenario's file.
    file: Callback<(), String>,
}

/// Scenario files: export the open scenario as JSON, import one from disk.
#[function_component(FileTools)]
fn file_tools(props: &FileProps) -> Html {
    let lang = props.lang;
    let reader = use_mut_ref(|| None::<FileReader>);
    let on_import = {
        let on_file = props.on_file.clone();
        Callback::from(move |e: Event| {
            let input: web_sys::HtmlInputElement = e.target_unchecked_into();
            let Some(file) = input.files().and_then(|files| files.get(0)) else {
                return;
            };
            input.set_value("");
            // A file too large to be a scenario is refused before it is read.
            let max = distlab_core::scenario::MAX_FILE_BYTES;
            if file.size() > max as f64 {
                on_file.emit(Err(Text::new(
                    format!(
                        "This file is {} KB; a scenario file is at most {} KB.",
                        (file.size() / 1024.0).ceil() as u64,
                        max / 1024
                    ),
                    format!(
                        "这个文件有 {} KB；场景文件最多 {} KB。",
                        (file.size() / 1024.0).ceil() as u64,
                        max / 1024
                    ),
                )));
                return;
            }
            let on_file = on_file.clone();
            let task =
                gloo::file::callbacks::read_as_text(&gloo::file::File::from(file), move |result| {
                    on_file.emit(result.map_err(|e| {
                        Text::new(
                            format!("The file could not be read: {e}"),
                            format!("无法读取这个文件：{e}"),
                        )
                    }));
                });
            *reader.borrow_mut() = Some(task);
        })
    };
    let on_export = {
        let file = props.file.clone();
        Callback::from(move |_: MouseEvent| download("scenario.json", &file.emit(())))
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
