//! The delivery ledger: how many messages are in each place, and every message's journey.

use distlab_core::kernel::NodeId;
use distlab_core::mq::ledger::{Ledger, Place};
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
                            html! {
                                <tr class={classes!(twice.then_some("twice"), lost.then_some("lost"))} data-testid="journey" data-label={j.label.clone()} data-place={format!("{:?}", j.place)}>
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
