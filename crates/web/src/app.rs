//! The app shell: the top bar, the scenario list, the stage with the lab's view, and the side panels.
//! Side effects live here: the playback timer, the keyboard, the URL and local storage.

use gloo::events::{EventListener, EventListenerOptions};
use gloo::storage::{LocalStorage, Storage};
use gloo::timers::callback::Interval;
use wasm_bindgen::JsCast;
use web_sys::KeyboardEvent;
use yew::prelude::*;

use distlab_core::Lang;

use crate::i18n::tr;
use crate::player::{LabRun, Msg, Player};
use crate::share::ShareState;
use crate::views;

const LANG_KEY: &str = "distlab.lang";

/// The labs in the top bar: id, English and Chinese name.
const LABS: &[(&str, &str, &str)] = &[
    ("ring", "Consistent hashing", "一致性哈希"),
    #[cfg(feature = "lab-mq")]
    ("jms", "JMS / ActiveMQ", "JMS / ActiveMQ"),
    #[cfg(feature = "lab-mq")]
    ("activemq", "ActiveMQ clusters", "ActiveMQ 集群"),
    #[cfg(feature = "lab-mq")]
    ("rabbitmq", "RabbitMQ", "RabbitMQ"),
    #[cfg(feature = "lab-mq")]
    ("flow", "Peak shaving", "削峰"),
    #[cfg(feature = "lab-locks")]
    ("locks", "Distributed locks", "分布式锁"),
];
const PROJECTOR_KEY: &str = "distlab.projector";

/// The language to start in: the one chosen before, else the browser's, else English.
fn initial_lang() -> Lang {
    if let Ok(tag) = LocalStorage::get::<String>(LANG_KEY) {
        if let Some(lang) = Lang::from_tag(&tag) {
            return lang;
        }
    }
    web_sys::window()
        .and_then(|w| w.navigator().language())
        .and_then(|tag| Lang::from_tag(&tag))
        .unwrap_or(Lang::En)
}

fn location_hash() -> String {
    web_sys::window()
        .and_then(|w| w.location().hash().ok())
        .unwrap_or_default()
}

fn initial_player() -> Player {
    let projector = LocalStorage::get::<bool>(PROJECTOR_KEY).unwrap_or(false);
    let player = Player::new(initial_lang(), projector);
    match ShareState::parse(&location_hash()) {
        Ok(Some(link)) => player.update(Msg::OpenLink(link)),
        Ok(None) => player,
        Err(message) => player.update(Msg::Notice(Some(message))),
    }
}

/// The full share URL for the state on screen.
pub fn share_url(player: &Player) -> String {
    let base = web_sys::window()
        .and_then(|w| w.location().href().ok())
        .map(|href| href.split('#').next().unwrap_or_default().to_string())
        .unwrap_or_default();
    format!("{base}#{}", player.share().to_fragment())
}

fn is_typing_target(event: &KeyboardEvent) -> bool {
    event
        .target()
        .and_then(|t| t.dyn_into::<web_sys::Element>().ok())
        .is_some_and(|el| matches!(el.tag_name().as_str(), "INPUT" | "SELECT" | "TEXTAREA"))
}

#[function_component(App)]
pub fn app() -> Html {
    let player = use_reducer(initial_player);
    let dispatch: Callback<Msg> = {
        let player = player.clone();
        Callback::from(move |msg| player.dispatch(msg))
    };

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
                        Err(message) => dispatch.emit(Msg::Notice(Some(message))),
                    }
                })
            });
            move || drop(listener)
        });
    }

    // The URL always holds the share link of what is on screen.
    {
        let fragment = player.share().to_fragment();
        use_effect_with(fragment, |fragment| {
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

    // Language and projector mode: remembered, and reflected on <html> and <body>.
    use_effect_with((player.lang, player.projector), |(lang, projector)| {
        let _ = LocalStorage::set(LANG_KEY, lang.tag());
        let _ = LocalStorage::set(PROJECTOR_KEY, *projector);
        if let Some(document) = web_sys::window().and_then(|w| w.document()) {
            if let Some(html) = document.document_element() {
                let _ = html.set_attribute("lang", if *lang == Lang::Zh { "zh-CN" } else { "en" });
            }
            if let Some(body) = document.body() {
                let _ = body.class_list().toggle_with_force("projector", *projector);
            }
            document.set_title(tr(
                *lang,
                "distlab: see distributed systems fail",
                "distlab：看见分布式系统如何出错",
            ));
        }
    });

    let lang = player.lang;
    let other = if lang == Lang::En { Lang::Zh } else { Lang::En };
    let on_lang = dispatch.reform(move |_: MouseEvent| Msg::SetLang(other));
    let on_projector = dispatch.reform(|_: MouseEvent| Msg::ToggleProjector);

    let stage = match &player.lab {
        LabRun::Ring(session) => crate::ring::view(&player, session, &dispatch),
        #[cfg(feature = "lab-mq")]
        LabRun::Jms(session) => crate::jms::view(&player, session, &dispatch),
        #[cfg(feature = "lab-mq")]
        LabRun::Rabbit(session) => crate::rabbit::view(&player, session, &dispatch),
        #[cfg(feature = "lab-mq")]
        LabRun::Flow(session) => crate::flow::view(&player, session, &dispatch),
        #[cfg(feature = "lab-mq")]
        LabRun::Activemq(session) => crate::activemq::view(&player, session, &dispatch),
        #[cfg(feature = "lab-locks")]
        LabRun::Locks(session) => crate::locks::view(&player, session, &dispatch),
    };

    html! {
        <div class="app">
            <header class="topbar">
                <div class="brand">
                    <span class="logo">{"distlab"}</span>
                    <span class="tagline">{ tr(lang, "see distributed systems fail", "看见分布式系统如何出错") }</span>
                </div>
                <nav class="labs" aria-label={tr(lang, "Labs", "实验")}>
                    { for LABS.iter().map(|&(id, en, zh)| {
                        let active = player.lab.lab_id() == id;
                        html! {
                            <button data-testid={format!("lab-{id}")} class={classes!("lab", active.then_some("active"))}
                                aria-pressed={active.to_string()}
                                onclick={dispatch.reform(move |_: MouseEvent| Msg::OpenLab(id.to_string()))}>
                                { tr(lang, en, zh) }
                            </button>
                        }
                    }) }
                </nav>
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
                { views::sidebar(&player, &dispatch) }
                <section class="stage">
                    { views::scenario_head(&player) }
                    { views::controls(&player, &dispatch) }
                    { stage }
                </section>
                <aside class="panels">
                    { views::narration(&player, &dispatch) }
                    { views::invariants(&player, &dispatch) }
                    { views::faults(&player, &dispatch) }
                    { views::share(&player) }
                </aside>
            </main>
        </div>
    }
}
