//! The delivery ledger: how many messages are in each place, and every message's journey.

use distlab_core::kernel::NodeId;
use distlab_core::mq::ledger::{EntryId, Ledger, Place};
use distlab_core::Lang;
use yew::prelude::*;

use crate::i18n::tr;

fn place_class(place: Place) -> &'static str {
    match place {
        Place::Acknowledged => "good",
        Place::Lost => "bad",
        Place::DeadLettered | Place::Expired | Place::Discarded => "done",
        Place::InFlight | Place::Consumer | Place::ProducerBuffer => "moving",
        Place::BrokerStore => "stored",
        Place::BrokerMemory => "memory",
    }
}

/// The ledger of any message-queue lab; `name` names the nodes.
pub fn ledger(lang: Lang, ledger: &Ledger, name: &dyn Fn(NodeId) -> String) -> Html {
    ledger_with(lang, ledger, name, None)
}

/// The ledger, whose rows select a message for the inspector when given the selected message and
/// where to send a new selection.
pub fn ledger_with(
    lang: Lang,
    ledger: &Ledger,
    name: &dyn Fn(NodeId) -> String,
    pick: Option<(Option<EntryId>, &Callback<EntryId>)>,
) -> Html {
    let counts = ledger.counts();
    html! {
        <section class="panel ledger" data-testid="ledger">
            <h2>{ tr(lang, "Delivery ledger", "投递账本") }</h2>
            <div class="counters">
                { for Place::ALL.iter().zip(counts.iter()).map(|(place, n)| html! {
                    <div class={classes!("counter", place_class(*place), (*n == 0).then_some("zero"))} data-place={format!("{place:?}")}>
                        <span class="n">{ n }</span>
                        <span class="what">{ place.name().get(lang) }</span>
                    </div>
                }) }
            </div>
            if ledger.journeys.is_empty() {
                <p class="hint">{ tr(lang, "No message has been sent yet.", "还没有发送任何消息。") }</p>
            } else {
                <table class="journeys">
                    <thead><tr>
                        <th>{ tr(lang, "message", "消息") }</th>
                        <th>{ tr(lang, "key", "键") }</th>
                        <th>{ tr(lang, "now", "当前位置") }</th>
                        <th>{ tr(lang, "producer told safe", "生产者已获确认") }</th>
                        <th>{ tr(lang, "processed", "处理次数") }</th>
                        <th>{ tr(lang, "journey", "经过") }</th>
                    </tr></thead>
                    <tbody>
                        { for ledger.journeys.iter().map(|j| {
                            let where_ = match j.holder {
                                Some(n) => format!("{} ({})", j.place.name().get(lang), name(n)),
                                None => j.place.name().get(lang).to_string(),
                            };
                            let twice = j.processed > 1;
                            let lost = j.safe && j.place == Place::Lost;
                            let entry = j.id;
                            let selected = pick.is_some_and(|(s, _)| s == Some(entry));
                            let onclick = pick.map(|(_, on)| on.reform(move |_: MouseEvent| entry));
                            let onkeydown = pick.map(|(_, on)| {
                                let on = on.clone();
                                Callback::from(move |e: KeyboardEvent| {
                                    if e.key() == "Enter" || e.key() == " " {
                                        e.prevent_default();
                                        on.emit(entry);
                                    }
                                })
                            });
                            let tabindex = pick.map(|_| "0");
                            html! {
                                <tr class={classes!(twice.then_some("twice"), lost.then_some("lost"), pick.map(|_| "pickable"), selected.then_some("selected"))}
                                    data-testid="journey" data-label={j.label.clone()} data-place={format!("{:?}", j.place)}
                                    {tabindex} aria-selected={pick.map(|_| selected.to_string())} {onclick} {onkeydown}>
                                    <td class="label">{ &j.label }</td>
                                    <td>{ j.key.clone().unwrap_or_default() }</td>
                                    <td class={classes!("place", place_class(j.place))}>{ where_ }</td>
                                    <td>{ if j.safe { "✓" } else { "—" } }</td>
                                    <td>{ if j.skipped_duplicates > 0 {
                                        format!("{} (+{} {})", j.processed, j.skipped_duplicates, tr(lang, "skipped", "跳过"))
                                    } else { j.processed.to_string() } }
                                    { if twice { " ✗" } else { "" } }</td>
                                    <td class="trail">{ j.trail.iter().map(|p| p.name().get(lang).to_string()).collect::<Vec<_>>().join(" → ") }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}
