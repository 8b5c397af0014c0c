//! Transport controls: step back and forward, play and pause, speed, the timeline scrubber.

use yew::prelude::*;

use crate::i18n::{tr, trf};
use crate::player::{LabView, Msg, Player, Speed};

pub fn scenario_head<L: LabView>(player: &Player<L>) -> Html {
    let lang = player.lang;
    html! {
        <div class="scenario-head">
            <h1 data-testid="scenario-title">{ player.lab.title().get(lang) }</h1>
            <p class="summary">{ player.lab.summary().get(lang) }</p>
            if let Some(id) = player.pending_lesson() {
                <p class="hint" data-testid="loading-lesson">{ tr(lang, "Loading the lesson ", "正在加载课程 ") }<code>{ id.to_string() }</code>{ "…" }</p>
            }
        </div>
    }
}

pub fn controls<L: LabView>(player: &Player<L>, dispatch: &Callback<Msg<L>>) -> Html {
    let lang = player.lang;
    let step = player.lab.step();
    let total = player.lab.total();
    let on_scrub = dispatch.reform(|e: InputEvent| {
        let input: web_sys::HtmlInputElement = e.target_unchecked_into();
        Msg::Seek(input.value().parse().unwrap_or(0))
    });
    let on_speed = dispatch.reform(|e: Event| {
        let select: web_sys::HtmlSelectElement = e.target_unchecked_into();
        Msg::SetSpeed(Speed::from_label(&select.value()).unwrap_or(Speed::Normal))
    });
    let play_label = if player.playing {
        tr(lang, "Pause", "暂停")
    } else {
        tr(lang, "Play", "播放")
    };
    html! {
        <div class="controls" role="toolbar" aria-label={tr(lang, "Player", "播放控制")}>
            <button data-testid="restart" onclick={dispatch.reform(|_: MouseEvent| Msg::First)}
                title={tr(lang, "Back to the start (Home)", "回到开头（Home）")} disabled={step == 0}>{"|◀"}</button>
            <button data-testid="step-back" onclick={dispatch.reform(|_: MouseEvent| Msg::Back)}
                title={tr(lang, "Step back (←)", "后退一步（←）")} disabled={step == 0}>{"◀"}</button>
            <button data-testid="play" class="play" onclick={dispatch.reform(|_: MouseEvent| Msg::TogglePlay)}
                title={tr(lang, "Play or pause (Space)", "播放或暂停（空格）")} disabled={step >= total && !player.playing}>
                { if player.playing { "⏸ " } else { "▶ " } }{ play_label }
            </button>
            <button data-testid="step-forward" onclick={dispatch.reform(|_: MouseEvent| Msg::Forward)}
                title={tr(lang, "Step forward (→)", "前进一步（→）")} disabled={step >= total}>{"▶"}</button>
            <button data-testid="to-end" onclick={dispatch.reform(|_: MouseEvent| Msg::Last)}
                title={tr(lang, "To the last step (End)", "跳到最后（End）")} disabled={step >= total}>{"▶|"}</button>
            <input data-testid="scrubber" class="scrubber" type="range" min="0" max={total.to_string()}
                value={step.to_string()} oninput={on_scrub} aria-label={tr(lang, "Timeline", "时间轴")} />
            <span data-testid="step-counter" class="step-counter" data-step={step.to_string()} data-total={total.to_string()}>
                { trf(lang, format!("step {step} / {total}"), format!("第 {step} / {total} 步")) }
            </span>
            <label class="speed">
                <span>{ tr(lang, "Speed", "速度") }</span>
                <select data-testid="speed" onchange={on_speed}>
                    { for Speed::ALL.iter().map(|s| html! {
                        <option value={s.label()} selected={*s == player.speed}>{ s.label() }</option>
                    }) }
                </select>
            </label>
        </div>
    }
}

/// A button of a lab's own controls: clicking it forks the run at the step on screen with the
/// lab operation `op`.
pub fn op_button<L: LabView>(
    dispatch: &Callback<Msg<L>>,
    testid: String,
    label: String,
    op: L::Op,
    enabled: bool,
) -> Html {
    html! { <button data-testid={testid} disabled={!enabled} onclick={dispatch.reform(move |_: MouseEvent| Msg::Op(op.clone()))}>{ label }</button> }
}

/// The button that lets the world take its next action on its own (the earliest delivery or
/// timer), forking the run there; `enabled` when there is one.
pub fn advance_button<L: LabView>(label: &str, enabled: bool, dispatch: &Callback<Msg<L>>) -> Html {
    html! {
        <div class="row">
            <button data-testid="advance" disabled={!enabled} onclick={dispatch.reform(|_: MouseEvent| Msg::Advance)}>
                { label.to_string() }
            </button>
        </div>
    }
}
