//! The side-by-side comparison every lab with settings to compare shares: the selector of the
//! changed setting, and the two runs next to each other.

use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::i18n::{tr, trf};

/// The two runs next to each other: the lesson as it is set, and the same with `label` changed.
/// Each side is its views followed by its summary of broken invariants.
pub fn side_by_side(lang: Lang, label: &Text, ours: Html, theirs: Html) -> Html {
    html! {
        <div class="side-by-side" data-testid="side-by-side">
            <section class="side">
                <h3>{ tr(lang, "As the lesson sets it", "课程原本的设置") }</h3>
                { ours }
            </section>
            <section class="side other" data-testid="compare-side">
                <h3>{ trf(lang, format!("The same, but {}", label.en), format!("同样的过程，但{}", label.zh)) }</h3>
                { theirs }
            </section>
        </div>
    }
}

/// The selector of the setting to compare: `options` are (key, label, value); choosing one sends
/// `Some(value)` to `pick`, choosing "no comparison" sends `None`.
pub fn panel<V: Clone + 'static>(
    lang: Lang,
    options: Vec<(String, String, V)>,
    comparing: Option<&str>,
    pick: Callback<Option<V>>,
) -> Html {
    let values: Vec<(String, V)> = options
        .iter()
        .map(|(k, _, v)| (k.clone(), v.clone()))
        .collect();
    let onchange = pick.reform(move |e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        let key = select.value();
        values
            .iter()
            .find(|(k, _)| *k == key)
            .map(|(_, v)| v.clone())
    });
    html! {
        <section class="panel compare">
            <h2>{ tr(lang, "Side by side", "并排对比") }</h2>
            <label class="setting">{ tr(lang, "Run this lesson again, with", "把这节课再运行一遍，改为") }
                <select data-testid="compare" {onchange}>
                    <option value="" selected={comparing.is_none()}>{ tr(lang, "no comparison", "不对比") }</option>
                    { for options.iter().map(|(key, label, _)| html! {
                        <option value={key.clone()} selected={comparing == Some(key.as_str())}>{ label.clone() }</option>
                    }) }
                </select>
            </label>
            <p class="hint">{ tr(lang,
                "Both runs step together, and a fault you inject goes into both.",
                "两次运行同步前进，你注入的故障会同时作用于两边。") }</p>
        </section>
    }
}
