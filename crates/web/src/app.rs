//! A lab's page: the top bar with every lab of the site, the lesson list, the stage with the lab's
//! view, and the side panels. Side effects live here: fetching the lessons, the playback timer,
//! the keyboard, the URL, local storage, and leaving for another lab's page.

use gloo::events::{EventListener, EventListenerOptions};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use std::rc::Rc;

use distlab_core::labs::MENU;
use distlab_core::scenario::Scenario;
use distlab_core::{Lang, Text};

use crate::i18n::tr;
use crate::player::{LabView, Msg, Player};
use crate::share::{self, ScenarioRef, ShareState};
use crate::{fetch, prefs, views};

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

/// The player a page starts with: the lab's list of lessons, and the lesson the link in the URL
/// names (or the first), fetched; then the link opened.
async fn initial_player<L: LabView>() -> Result<Player<L>, Text> {
    let link = ShareState::parse(&location_hash());
    // A link of another lab (an edited address, an old bookmark) goes straight to that lab's page.
    if let Ok(Some(other)) = &link {
        if other.lab != L::ID {
            if let (Ok(page), Some(window)) = (share::lab_page(other), web_sys::window()) {
                let _ = window.location().replace(&page);
            }
        }
    }
    let index = fetch::index::<L>().await?;
    let named = match &link {
        Ok(Some(ShareState {
            lab,
            scenario: ScenarioRef::Builtin(id),
            ..
        })) if lab == L::ID && index.iter().any(|e| e.id == *id) => Some(id.clone()),
        _ => None,
    };
    let id = named.unwrap_or_else(|| index[0].id.clone());
    let file = fetch::text(&fetch::lesson_url::<L>(&id)).await?;
    let first = Scenario::<L>::from_file(&file).map_err(|e| e.message())?;
    let player = Player::new(prefs::lang(), prefs::projector(), index, first)?;
    Ok(match link {
        Ok(Some(link)) => player.update(Msg::OpenLink(link)),
        Ok(None) => player,
        Err(message) => player.update(Msg::Notice(Some(share::kept(message)))),
    })
}

/// The full share URL of a fragment: this page's address with it.
pub fn share_url(fragment: &str) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    format!("{base}#{fragment}")
}

fn is_typing_target(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

/// The top bar's menu of labs: the open lab's name, which opens the list of the site's landing
/// page and every lab's page, the open one marked. A menu, so that the bar never wraps, whatever
/// the screen and the language.
pub fn lab_links(lang: Lang, open: &str) -> Html {
    let name = MENU
        .iter()
        .find(|info| info.id == open)
        .map_or("", |info| info.name.get(lang));
    html! {
        <details class="menu labs-menu" data-testid="labs-menu">
            <summary title={tr(lang, "Every lab of the site", "本网站的全部实验")}>
                <span class="menu-icon" aria-hidden="true">{"☰ "}</span>{ name }
            </summary>
            <nav class="labs" aria-label={tr(lang, "Labs", "实验")}>
                <a class="lab home" href="index.html" data-testid="home">{ tr(lang, "All labs", "全部实验") }</a>
                { for MENU.iter().map(|info| {
                    let active = info.id == open;
                    html! {
                        <a data-testid={format!("lab-{}", info.id)} class={classes!("lab", active.then_some("active"))}
                            href={info.page()} aria-current={active.then_some("page")}>
                            { info.name.get(lang) }
                        </a>
                    }
                }) }
            </nav>
        </details>
    }
}

/// Closes the open menus (`details.menu`) that do not hold `inside`; all of them for `None`.
fn close_menus(inside: Option<&web_sys::Node>) {
    let Some(document) = web_sys::window().and_then(|w| w.document()) else {
        return;
    };
    let Ok(open) = document.query_selector_all("details.menu[open]") else {
        return;
    };
    for k in 0..open.length() {
        let Some(menu) = open.get(k) else { continue };
        if inside.is_some_and(|node| menu.contains(Some(node))) {
            continue;
        }
        if let Ok(menu) = menu.dyn_into::<web_sys::Element>() {
            let _ = menu.remove_attribute("open");
        }
    }
}

/// A lab's page: the lab's lessons are fetched first (a line says so meanwhile, or why they could
/// not be), then the player starts.
#[function_component(App)]
pub fn app<L: LabView>() -> Html {
    let start = use_state(|| None::<Result<Rc<Player<L>>, Text>>);
    {
        let start = start.clone();
        use_effect_with((), move |_| {
            yew::platform::spawn_local(async move {
                start.set(Some(initial_player::<L>().await.map(Rc::new)));
            });
        });
    }
    let lang = prefs::lang();
    // The page's language and projector mode from the first frame, so that nothing moves once the
    // lessons arrive.
    use_effect_with((), move |_| prefs::apply(lang, prefs::projector()));
    match &*start {
        None => html! {
            <p class="loading" data-testid="loading">{ tr(lang, "Loading the lessons…", "正在加载课程…") }</p>
        },
        Some(Err(message)) => html! {
            <div data-testid="message" class="message" role="alert">
                <span class="icon" aria-hidden="true">{"⚠"}</span>
                <span>{ message.get(lang) }</span>
            </div>
        },
        Some(Ok(player)) => html! { <Page<L> start={player.clone()} /> },
    }
}

#[derive(Properties)]
pub struct PageProps<L: LabView> {
    /// The player as the page starts.
    pub start: Rc<Player<L>>,
}

impl<L: LabView> PartialEq for PageProps<L> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.start, &other.start)
    }
}

#[function_component(Page)]
fn page<L: LabView>(props: &PageProps<L>) -> Html {
    let start = props.start.clone();
    let player = use_reducer(move || (*start).clone());
    let dispatch: Callback<Msg<L>> = {
        let player = player.clone();
        Callback::from(move |msg| player.dispatch(msg))
    };

    // The lesson list as a drawer, where the screen has no room for it beside the stage (projector
    // mode, narrow screens): view state of this page only. Opening a lesson closes it.
    let drawer = use_state_eq(|| false);
    let sidebar_dispatch: Callback<Msg<L>> = {
        let dispatch = dispatch.clone();
        let drawer = drawer.clone();
        Callback::from(move |msg: Msg<L>| {
            if matches!(
                msg,
                Msg::OpenBuiltin(_) | Msg::OpenSandbox(_) | Msg::Import(_)
            ) {
                drawer.set(false);
            }
            dispatch.emit(msg)
        })
    };

    // A click outside an open menu closes it, and Escape closes the menus and the drawer.
    {
        let drawer = drawer.clone();
        use_effect_with((), move |_| {
            let document = web_sys::window().and_then(|w| w.document());
            let listeners = document.map(|document| {
                let click = EventListener::new(&document, "click", |event| {
                    let target = event
                        .target()
                        .and_then(|t| t.dyn_into::<web_sys::Node>().ok());
                    close_menus(target.as_ref());
                });
                let escape = EventListener::new(&document, "keydown", move |event| {
                    if event
                        .dyn_ref::<KeyboardEvent>()
                        .is_some_and(|e| e.key() == "Escape")
                    {
                        close_menus(None);
                        drawer.set(false);
                    }
                });
                (click, escape)
            });
            move || drop(listeners)
        });
    }

    // Playback: a timer that lives while playing; dropping it stops it.
    {
        let dispatch = dispatch.clone();
        use_effect_with((player.playing, player.speed), move |(playing, speed)| {
            let timer = playing.then(|| {
                let dispatch = dispatch.clone();
                Interval::new(speed.interval_ms(), move || dispatch.emit(Msg::Tick))
            });
            move || drop(timer)
        });
    }

    // Keyboard: → ← Space Home End, except while typing in a field.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                // Not passive: the arrow keys and Space must not also scroll the page.
                let options = EventListenerOptions::enable_prevent_default();
                EventListener::new_with_options(&window, "keydown", options, move |event| {
                    let Some(event) = event.dyn_ref::<KeyboardEvent>() else {
                        return;
                    };
                    if is_typing_target(event)
                        || event.ctrl_key()
                        || event.meta_key()
                        || event.alt_key()
                    {
                        return;
                    }
                    let msg = match event.key().as_str() {
                        "ArrowRight" => Msg::Forward,
                        "ArrowLeft" => Msg::Back,
                        " " | "Spacebar" => Msg::TogglePlay,
                        "Home" => Msg::First,
                        "End" => Msg::Last,
                        _ => return,
                    };
                    event.prevent_default();
                    dispatch.emit(msg);
                })
            });
            move || drop(listener)
        });
    }

    // A link pasted into the address bar of an open page.
    {
        let dispatch = dispatch.clone();
        use_effect_with((), move |_| {
            let listener = web_sys::window().map(|window| {
                EventListener::new(&window, "hashchange", move |_| {
                    match ShareState::parse(&location_hash()) {
                        Ok(Some(link)) => dispatch.emit(Msg::OpenLink(link)),
                        Ok(None) => {}
                        Err(message) => dispatch.emit(Msg::Notice(Some(share::kept(message)))),
                    }
                })
            });
            move || drop(listener)
        });
    }

    // The URL always holds the share link of what is on screen (written once per render: for an
    // imported file it carries the whole file).
    let fragment = player.share().to_fragment();
    {
        use_effect_with(fragment.clone(), |fragment| {
            if let Some(window) = web_sys::window() {
                let wanted = format!("#{fragment}");
                if window.location().hash().ok().as_deref() != Some(wanted.as_str()) {
                    if let Ok(history) = window.history() {
                        let _ = history.replace_state_with_url(
                            &wasm_bindgen::JsValue::NULL,
                            "",
                            Some(&wanted),
                        );
                    }
                }
            }
        });
    }

    // Language and projector mode: remembered for every page, and reflected on <html> and <body>.
    use_effect_with((player.lang, player.projector), |(lang, projector)| {
        prefs::apply(*lang, *projector);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            let name = L::INFO.name.get(*lang);
            document.set_title(&format!("{name} · distlab"));
        }
    });

    // A lesson to fetch: its file, then what waited for it.
    {
        let dispatch = dispatch.clone();
        let pending = player.pending_lesson().map(str::to_string);
        use_effect_with(pending, move |pending| {
            if let Some(id) = pending.clone() {
                yew::platform::spawn_local(async move {
                    let file = fetch::text(&fetch::lesson_url::<L>(&id)).await;
                    dispatch.emit(Msg::Loaded { id, file });
                });
            }
        });
    }

    // A link or a file of another lab: open that lab's page with it.
    use_effect_with(player.leave_for.clone(), |page| {
        if let (Some(page), Some(window)) = (page, web_sys::window()) {
            let _ = window.location().assign(page);
        }
    });

    let lang = player.lang;
    let other = if lang == Lang::En { Lang::Zh } else { Lang::En };
    let on_lang = dispatch.reform(move |_: MouseEvent| Msg::SetLang(other));
    let on_projector = dispatch.reform(|_: MouseEvent| Msg::ToggleProjector);

    let stage = L::view(&player, &dispatch);

    let open_drawer = {
        let drawer = drawer.clone();
        Callback::from(move |_: MouseEvent| drawer.set(!*drawer))
    };
    let close_drawer = {
        let drawer = drawer.clone();
        Callback::from(move |_: MouseEvent| drawer.set(false))
    };
    let (lesson, lessons) = (player.lesson_number(), player.lessons.len());

    html! {
        <div class={classes!("app", drawer.then_some("drawer-open"))}>
            <header class="topbar">
                <div class="brand">
                    <a class="logo" href="index.html">{"distlab"}</a>
                    <span class="tagline">{ tr(lang, "see distributed systems fail", "看见分布式系统如何出错") }</span>
                </div>
                { lab_links(lang, L::ID) }
                <button data-testid="lessons-toggle" class="toggle lessons-toggle" aria-expanded={drawer.to_string()}
                    aria-controls="lessons" onclick={open_drawer}>
                    { tr(lang, "Lessons", "课程") }
                    if let Some(k) = lesson {
                        <span class="of">{ format!(" {k}/{lessons}") }</span>
                    }
                </button>
                <div class="top-actions">
                    <button data-testid="lang-toggle" class="toggle" onclick={on_lang}
                        title={tr(lang, "Switch language", "切换语言")}>
                        { if lang == Lang::En { "中文" } else { "English" } }
                    </button>
                    <button data-testid="projector-toggle" class="toggle" aria-pressed={player.projector.to_string()}
                        onclick={on_projector}>
                        { tr(lang, "Projector", "投影模式") }
                    </button>
                </div>
            </header>
            { views::message(&player, &dispatch) }
            <main class="layout">
                { views::sidebar(&player, &sidebar_dispatch) }
                <div class="drawer-backdrop" onclick={close_drawer} aria-hidden="true"></div>
                <section class="stage">
                    { views::scenario_head(&player) }
                    { views::controls(&player, &dispatch) }
                    { stage }
                </section>
                <aside class="panels">
                    { views::narration(&player, &dispatch) }
                    { views::invariants(&player, &dispatch) }
                    { views::faults(&player, &dispatch) }
                    { views::share(lang, &share_url(&fragment)) }
                </aside>
            </main>
        </div>
    }
}
