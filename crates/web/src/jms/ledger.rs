//! The delivery ledger: how many messages are in each place, and every message's journey.

use distlab_core::kernel::NodeId;
use distlab_core::mq::ledger::{Assurance, EntryId, Ledger, Place};
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
                        <span class="what">{ place.name_in(ledger.acks).get(lang) }</span>
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
                        <th>{ tr(lang, "producer counts it sent", "生产者认为已发出") }</th>
                        <th>{ tr(lang, "processed", "处理次数") }</th>
                        <th>{ tr(lang, "journey", "经过") }</th>
                    </tr></thead>
                    <tbody>
                        { for ledger.journeys.iter().map(|j| {
                            let where_ = match j.holder {
                                Some(n) => format!("{} ({})", j.place.name_in(ledger.acks).get(lang), name(n)),
                                None => j.place.name_in(ledger.acks).get(lang).to_string(),
                            };
                            let twice = j.processed > 1;
                            let lost = j.safe.is_some() && j.place == Place::Lost;
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
                                    <td>{ assurance(lang, j.safe) }</td>
                                    <td>{ if j.skipped_duplicates > 0 {
                                        format!("{} (+{} {})", j.processed, j.skipped_duplicates, tr(lang, "skipped", "跳过"))
                                    } else { j.processed.to_string() } }
                                    { if twice { " ✗" } else { "" } }</td>
                                    <td class="trail">{ j.trail.iter().map(|p| p.name_in(ledger.acks).get(lang).to_string()).collect::<Vec<_>>().join(" → ") }</td>
                                </tr>
                            }
                        }) }
                    </tbody>
                </table>
            }
        </section>
    }
}

/// The messages the step on screen moved, for a lab whose world keeps a ledger (`of`).
pub fn moved_by_step<L: distlab_core::scenario::Lab>(
    session: &crate::player::Session<L>,
    of: fn(&L) -> &Ledger,
) -> std::rc::Rc<[EntryId]> {
    match session.before() {
        Some(before) => changed(of(&before.protocol), of(&session.state.protocol)).into(),
        None => std::rc::Rc::from([]),
    }
}

/// The labels of the messages the step on screen moved (for graphs whose chips know their label).
pub fn moved_labels<L: distlab_core::scenario::Lab>(
    session: &crate::player::Session<L>,
    of: fn(&L) -> &Ledger,
) -> Vec<String> {
    let ledger = of(&session.state.protocol);
    moved_by_step(session, of)
        .iter()
        .filter_map(|&e| ledger.get(e).map(|j| j.label.clone()))
        .collect()
}

/// Whether a chip's label (`m1`, `m1→C1`, `m1⇢B2`) names one of the `moved` messages.
pub fn names_moved(label: &str, moved: &[String]) -> bool {
    let name = label.split(['→', '⇢']).next().unwrap_or(label);
    moved.iter().any(|m| m == name)
}

/// The messages this step moved: those whose place, holder or number of processings differ
/// between the ledger `before` the step and the one after it.
pub fn changed(before: &Ledger, after: &Ledger) -> Vec<EntryId> {
    after
        .journeys
        .iter()
        .filter(|j| {
            before.get(j.id).is_none_or(|b| {
                b.place != j.place || b.holder != j.holder || b.processed != j.processed
            })
        })
        .map(|j| j.id)
        .collect()
}

/// What went wrong so far, for the top of a lab's diagram: every message lost, expired or
/// processed more than once, as red chips ("m2 lost", "m1 processed 2 times").
pub fn outcomes(lang: Lang, ledger: &Ledger) -> Vec<crate::diagram::Chip> {
    ledger
        .journeys
        .iter()
        .filter_map(|j| {
            let label = match j.place {
                Place::Lost => crate::i18n::trf(
                    lang,
                    format!("✗ {} lost", j.label),
                    format!("✗ {} 丢失", j.label),
                ),
                Place::Expired => crate::i18n::trf(
                    lang,
                    format!("✗ {} expired", j.label),
                    format!("✗ {} 过期", j.label),
                ),
                _ if j.processed > 1 => crate::i18n::trf(
                    lang,
                    format!("✗ {} processed {} times", j.label, j.processed),
                    format!("✗ {} 处理了 {} 次", j.label, j.processed),
                ),
                _ => return None,
            };
            Some(crate::diagram::Chip {
                title: label.clone(),
                label,
                class: "outcome",
                wrap: None,
                changed: false,
            })
        })
        .collect()
}

/// The outcomes as a band across the top of a diagram `width` wide, with its height (0 when
/// nothing went wrong).
pub fn outcome_band(lang: Lang, ledger: &Ledger, width: f64) -> (Html, f64) {
    let chips = outcomes(lang, ledger);
    if chips.is_empty() {
        return (html! {}, 0.0);
    }
    let mut stack = crate::diagram::Stack::new(10.0, 4.0, width - 20.0);
    stack.chips(&chips, "");
    let (html, h) = stack.finish();
    (
        html! { <g class="outcomes" data-testid="outcomes">{ html }</g> },
        h + 8.0,
    )
}

/// Whether, and why, the producer counts a message as sent: what it was told, or that it assumes.
fn assurance(lang: Lang, how: Option<Assurance>) -> &'static str {
    match how {
        None => "—",
        Some(Assurance::Receipt) => tr(lang, "✓ receipt", "✓ 回执"),
        Some(Assurance::Committed) => tr(lang, "✓ commit-ok", "✓ commit-ok"),
        Some(Assurance::Confirm) => tr(lang, "✓ confirm", "✓ 生产者确认"),
        Some(Assurance::SendReturned) => tr(lang, "✓ send returned", "✓ 发送已返回"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_step_changes_the_messages_it_moves_and_only_those() {
        let mut before = Ledger::new();
        let m1 = before.create("m1", None);
        let m2 = before.create("m2", None);
        let mut after = before.clone();
        after.move_to(m2, Place::InFlight, None);
        assert_eq!(changed(&before, &after), vec![m2]);
        after.processed(m1);
        assert_eq!(changed(&before, &after), vec![m1, m2]);
        // A message the step created is new, so it changed.
        let m3 = after.create("m3", None);
        assert!(changed(&before, &after).contains(&m3));
    }

    #[test]
    fn lost_expired_and_twice_processed_messages_are_outcomes() {
        let mut ledger = Ledger::new();
        let m1 = ledger.create("m1", None);
        let m2 = ledger.create("m2", None);
        let m3 = ledger.create("m3", None);
        ledger.create("m4", None);
        ledger.move_to(m1, Place::Lost, None);
        ledger.move_to(m2, Place::Expired, None);
        ledger.processed(m3);
        ledger.processed(m3);
        let labels: Vec<String> = outcomes(Lang::En, &ledger)
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert_eq!(
            labels,
            ["✗ m1 lost", "✗ m2 expired", "✗ m3 processed 2 times"]
        );
        let zh: Vec<String> = outcomes(Lang::Zh, &ledger)
            .into_iter()
            .map(|c| c.label)
            .collect();
        assert_eq!(zh, ["✗ m1 丢失", "✗ m2 过期", "✗ m3 处理了 2 次"]);
    }
}
