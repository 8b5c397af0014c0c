//! The lessons a lab's page fetches from the site, as data: the list of its lessons and each
//! lesson's file, under `lessons/<lab id>/` beside the page (relative URLs, like every URL of the
//! site, so that it works from any folder of any static server).

use distlab_core::scenario::{Lab, LessonEntry};
use distlab_core::Text;
use wasm_bindgen::JsCast;
use wasm_bindgen_futures::JsFuture;

/// The URL of a lab's list of lessons.
pub fn index_url<L: Lab>() -> String {
    format!("lessons/{}/index.json", L::ID)
}

/// The URL of one lesson's file.
pub fn lesson_url<L: Lab>(id: &str) -> String {
    format!("lessons/{}/{id}.json", L::ID)
}

fn failed(url: &str, why: &str) -> Text {
    Text::new(
        format!("The lesson file {url} could not be loaded ({why}). Check that the site is served whole, lessons/ folder included, and reload."),
        format!("无法加载课程文件 {url}（{why}）。请确认整个网站（包括 lessons/ 文件夹）都已发布，然后重新加载。"),
    )
}

/// The text at `url`, or why it could not be had.
pub async fn text(url: &str) -> Result<String, Text> {
    let window = web_sys::window().ok_or_else(|| failed(url, "no window"))?;
    let response = JsFuture::from(window.fetch_with_str(url))
        .await
        .map_err(|_| failed(url, "network error"))?
        .dyn_into::<web_sys::Response>()
        .map_err(|_| failed(url, "not a response"))?;
    if !response.ok() {
        return Err(failed(url, &format!("HTTP {}", response.status())));
    }
    let body = response
        .text()
        .map_err(|_| failed(url, "unreadable body"))?;
    JsFuture::from(body)
        .await
        .ok()
        .and_then(|v| v.as_string())
        .ok_or_else(|| failed(url, "unreadable body"))
}

/// The list of a lab's lessons.
pub async fn index<L: Lab>() -> Result<Vec<LessonEntry>, Text> {
    let url = index_url::<L>();
    let text = text(&url).await?;
    let index: Vec<LessonEntry> =
        serde_json::from_str(&text).map_err(|e| failed(&url, &e.to_string()))?;
    if index.is_empty() {
        return Err(failed(&url, "no lesson in it"));
    }
    Ok(index)
}
