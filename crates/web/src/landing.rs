//! The landing page: every lab of the site as a card (its name, what it teaches, its number of
//! lessons, the syllabus sections it covers), in both languages, with the language and projector
//! switches that every page shares. An old share link (`index.html#lab=jms&…`, from the days of one
//! page for all labs) opens the right lab's page in the same state.
//!
//! It reads only the registry's constant data ([`distlab_core::labs::LABS`]) and draws with plain
//! `web_sys`, without Yew or any lab's code, so that it loads in a few kilobytes.

use std::cell::{Cell, RefCell};
use std::fmt::Write;

use distlab_core::labs::LABS;
use distlab_core::scenario::LabInfo;
use distlab_core::{Lang, Text};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::i18n::tr;
use crate::prefs;
use crate::share::{self, ShareState};

/// Escapes text for HTML, attributes included.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

fn card(out: &mut String, lang: Lang, info: &LabInfo) {
    let lessons = match lang {
        Lang::En if info.lessons == 1 => "1 lesson".to_string(),
        Lang::En => format!("{} lessons", info.lessons),
        Lang::Zh => format!("{} 节课", info.lessons),
    };
    let _ = write!(
        out,
        r#"<li><a class="lab-card" href="{page}" data-testid="card-{id}"><h2>{name}</h2><p class="teaches">{teaches}</p><p class="lessons" data-testid="lessons-{id}">{lessons}</p><h3>{syllabus}</h3><ul class="topics">"#,
        page = escape(&info.page()),
        id = escape(info.id),
        name = escape(info.name.get(lang)),
        teaches = escape(info.teaches.get(lang)),
        syllabus = tr(lang, "In the syllabus", "对应的学习笔记"),
    );
    for topic in info.topics {
        let note = match lang {
            Lang::En => format!("Note {:03}", topic.seed),
            Lang::Zh => format!("笔记 {:03}", topic.seed),
        };
        let _ = write!(
            out,
            r#"<li><span class="note">{note}</span> {section}</li>"#,
            section = escape(topic.section.get(lang)),
        );
    }
    out.push_str("</ul></a></li>");
}

/// The whole page for a language, with a message (a broken old link) above the cards.
fn page(lang: Lang, projector: bool, message: Option<&Text>) -> String {
    let mut out = String::new();
    let other = if lang == Lang::En {
        "中文"
    } else {
        "English"
    };
    let _ = write!(
        out,
        r#"<div class="app landing"><header class="topbar"><div class="brand"><span class="logo">distlab</span><span class="tagline">{tagline}</span></div><div class="top-actions"><button type="button" class="toggle" data-action="lang" data-testid="lang-toggle" title="{switch}">{other}</button><button type="button" class="toggle" data-action="projector" data-testid="projector-toggle" aria-pressed="{projector}">{projector_label}</button></div></header>"#,
        tagline = tr(
            lang,
            "see distributed systems fail",
            "看见分布式系统如何出错"
        ),
        switch = tr(lang, "Switch language", "切换语言"),
        projector_label = tr(lang, "Projector", "投影模式"),
    );
    if let Some(message) = message {
        let _ = write!(
            out,
            r#"<div data-testid="message" class="message" role="alert"><span class="icon" aria-hidden="true">⚠</span><span>{}</span></div>"#,
            escape(message.get(lang))
        );
    }
    let _ = write!(
        out,
        r#"<main class="landing-main"><h1>{title}</h1><p class="intro">{intro}</p><ol class="lab-cards">"#,
        title = tr(
            lang,
            "Pick a lab, step through a failure",
            "选一个实验，一步一步看系统如何出错"
        ),
        intro = tr(
            lang,
            "A lesson is a short failure scenario played one step at a time: each step is one event (a message arrives, a node crashes), and → and ← move forward and back. An invariant is a promise the system should keep, such as \u{201c}no acknowledged message is lost\u{201d}: it turns red at the step that breaks it.",
            "每节课是一个简短的故障场景，一步一步地播放：每一步发生一件事（一条消息到达、一个节点宕机），用 → 和 ← 前进、后退。不变式是系统应当遵守的承诺，例如“已确认的消息不会丢失”：哪一步破坏了它，它就在那一步变红。"
        ),
    );
    for info in LABS {
        card(&mut out, lang, info);
    }
    out.push_str("</ol></main></div>");
    out
}

fn render(lang: Lang, projector: bool) {
    SHOWN.with(|shown| shown.set(Some((lang, projector))));
    prefs::apply(lang, projector);
    let message = MESSAGE.with(|m| m.borrow().clone());
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    document.set_title(tr(
        lang,
        "distlab: see distributed systems fail",
        "distlab：看见分布式系统如何出错",
    ));
    if let Some(root) = document.get_element_by_id("app") {
        root.set_inner_html(&page(lang, projector, message.as_ref()));
    }
}

/// Where an old link of the one-page site goes: the lab's page with the same fragment, or the
/// message that says why it cannot be followed. `None` for no link at all.
pub fn old_link_target(hash: &str) -> Option<Result<String, Text>> {
    match ShareState::parse(hash) {
        Ok(Some(link)) => Some(share::lab_page(&link)),
        Ok(None) => None,
        Err(message) => Some(Err(message)),
    }
}

/// Follows the old link in the address, if any: `false` when the page is leaving for a lab's page;
/// otherwise the cards are drawn, with the message of a link that cannot be followed.
fn follow_or_render() -> bool {
    let Some(window) = web_sys::window() else {
        return true;
    };
    let hash = window.location().hash().unwrap_or_default();
    let message = match old_link_target(&hash) {
        Some(Ok(page)) => {
            // `replace`: the back button returns to where the old link came from.
            let _ = window.location().replace(&page);
            return false;
        }
        Some(Err(message)) => Some(Text::new(
            format!("{} Pick a lab below.", message.en),
            format!("{}请在下面选择一个实验。", message.zh),
        )),
        None => None,
    };
    MESSAGE.with(|m| *m.borrow_mut() = message);
    let (lang, projector) = shown();
    render(lang, projector);
    true
}

thread_local! {
    /// The message of the link in the address, kept while the page draws itself again.
    static MESSAGE: RefCell<Option<Text>> = const { RefCell::new(None) };
    /// The language and projector mode on screen: the switches flip these, and local storage only
    /// remembers them (it may be unavailable).
    static SHOWN: Cell<Option<(Lang, bool)>> = const { Cell::new(None) };
}

/// The language and projector mode on screen, or the remembered ones before the first drawing.
fn shown() -> (Lang, bool) {
    SHOWN
        .with(Cell::get)
        .unwrap_or_else(|| (prefs::lang(), prefs::projector()))
}

/// Follows an old link, or draws the cards and listens to the two switches and to links pasted
/// into the address bar.
pub fn start() {
    std::panic::set_hook(Box::new(crate::show_panic));
    if !follow_or_render() {
        return;
    }
    let Some(window) = web_sys::window() else {
        return;
    };
    let Some(root) = window.document().and_then(|d| d.get_element_by_id("app")) else {
        return;
    };
    // Listeners for the page's life; the switches are found by their data-action.
    let on_click = Closure::<dyn Fn(web_sys::Event)>::new(move |event: web_sys::Event| {
        let action = event
            .target()
            .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
            .and_then(|el| el.closest("[data-action]").ok().flatten())
            .and_then(|el| el.get_attribute("data-action"));
        let (lang, projector) = shown();
        match action.as_deref() {
            Some("lang") => render(
                if lang == Lang::En { Lang::Zh } else { Lang::En },
                projector,
            ),
            Some("projector") => render(lang, !projector),
            _ => {}
        }
    });
    let _ = root.add_event_listener_with_callback("click", on_click.as_ref().unchecked_ref());
    on_click.forget();
    let on_hash = Closure::<dyn Fn()>::new(|| {
        follow_or_render();
    });
    let _ = window.add_event_listener_with_callback("hashchange", on_hash.as_ref().unchecked_ref());
    on_hash.forget();
}
