//! The reader's choices that every page of the site shares through local storage: the language and
//! projector mode. Plain `web_sys`, so that the landing page can use it without the player.

use distlab_core::Lang;

const LANG_KEY: &str = "distlab.lang";
const PROJECTOR_KEY: &str = "distlab.projector";

fn storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// A stored value, without the JSON quotes that earlier versions wrote around it.
fn read(key: &str) -> Option<String> {
    let value = storage()?.get_item(key).ok()??;
    Some(value.trim_matches('"').to_string())
}

/// The language to start in: the one chosen before, else the browser's, else English.
pub fn lang() -> Lang {
    read(LANG_KEY)
        .and_then(|tag| Lang::from_tag(&tag))
        .or_else(|| {
            web_sys::window()
                .and_then(|w| w.navigator().language())
                .and_then(|tag| Lang::from_tag(&tag))
        })
        .unwrap_or(Lang::En)
}

/// Whether projector mode was on.
pub fn projector() -> bool {
    read(PROJECTOR_KEY).as_deref() == Some("true")
}

/// Remembers both choices for every page, and shows them on `<html lang>` and `<body class>`.
pub fn apply(lang: Lang, projector: bool) {
    if let Some(storage) = storage() {
        let _ = storage.set_item(LANG_KEY, lang.tag());
        let _ = storage.set_item(PROJECTOR_KEY, if projector { "true" } else { "false" });
    }
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(html) = document.document_element() {
        let _ = html.set_attribute("lang", if lang == Lang::Zh { "zh-CN" } else { "en" });
    }
    if let Some(body) = document.body() {
        let _ = body.class_list().toggle_with_force("projector", projector);
    }
}
