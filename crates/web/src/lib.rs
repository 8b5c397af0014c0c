//! The distlab playground in the browser: one page per lab, each a Yew app that renders the core's
//! traces of that lab and dispatches the student's actions back to it, and a landing page.
//!
//! Every lab page is a binary of its own (`src/bin/<lab id>.rs`, calling [`start`] with its lab),
//! so that a page's wasm holds its own lab and nothing of the others.
//!
//! **Architecture invariant:** this crate holds no protocol logic. The player state ([`player`]) and
//! the share-link format ([`share`]) are plain Rust; components only render and dispatch.
//!
//! **Architecture invariant:** the player, the shared views and the app shell know no lab by name;
//! they are generic over [`lab::LabView`].

pub mod activemq;
pub mod app;
pub mod diagram;
pub mod explorer;
pub mod fetch;
pub mod flow;
pub mod i18n;
pub mod ids;
pub mod jms;
pub mod lab;
pub mod landing;
pub mod locks;
pub mod player;
pub mod prefs;
pub mod rabbit;
pub mod ring;
pub mod share;
pub mod views;

use wasm_bindgen::JsCast;

#[cfg(test)]
wasm_bindgen_test::wasm_bindgen_test_configure!(run_in_browser);

/// Shows the error overlay of the page (`index.html`, `crates/web/page.html`) with the panic
/// message. A panic is a bug; the overlay
/// tells the user what happened and offers a reload instead of leaving a dead page.
pub(crate) fn show_panic(info: &std::panic::PanicHookInfo<'_>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    if let Some(text) = document.get_element_by_id("error-text") {
        text.set_text_content(Some(&info.to_string()));
    }
    if let Some(overlay) = document
        .get_element_by_id("error-overlay")
        .and_then(|e| e.dyn_into::<web_sys::HtmlElement>().ok())
    {
        overlay.set_hidden(false);
    }
    web_sys::console::error_1(&info.to_string().into());
}

/// Panics on purpose, so that the end-to-end suite can check that a panic shows the error overlay
/// instead of a dead page. Nothing in the interface calls it.
#[wasm_bindgen::prelude::wasm_bindgen]
pub fn distlab_panic_for_test() {
    panic!("a deliberate panic, raised by the end-to-end test of the error overlay");
}

/// Installs the panic overlay and mounts the page of lab `L` on `#app`.
pub fn start<L: lab::LabView>() {
    // Through Yew, which would otherwise replace any hook with its own when it starts rendering.
    yew::set_custom_panic_hook(Box::new(show_panic));
    let Some(root) = web_sys::window()
        .and_then(|w| w.document())
        .and_then(|d| d.get_element_by_id("app"))
    else {
        return;
    };
    yew::Renderer::<app::App<L>>::with_root(root).render();
}
