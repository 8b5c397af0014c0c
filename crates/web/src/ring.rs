//! The consistent-hashing lab's view: the ring drawn as a circle with its virtual nodes and keys,
//! the same keys under `hash % N` side by side, the lab's own controls, and the load charts.

mod buckets;
mod charts;
mod circle;
pub mod free_play;
mod panel;

use std::rc::Rc;

use distlab_core::kernel::{Event, World};
use distlab_core::ring::{ChangeKind, Lookup, RingChange, RingLab, RingNote, RingSetup};
use distlab_core::scenario::Scenario;
use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::i18n::{thousands, trf};
use crate::lab::{LabView, NoVariant};
use crate::player::{Msg, Player, Session};
use distlab_core::text::plural;

/// An `Rc` compared by pointer, so that props holding a whole world compare in constant time.
#[derive(Clone)]
pub struct Shared<T>(pub Rc<T>);

impl<T> PartialEq for Shared<T> {
    fn eq(&self, other: &Self) -> bool {
        Rc::ptr_eq(&self.0, &other.0)
    }
}

/// What the step on screen did to the ring.
pub struct StepEffect<'a> {
    pub change: Option<&'a RingChange>,
    pub lookup: Option<&'a Lookup>,
}

pub fn step_effect(session: &Session<RingLab>) -> StepEffect<'_> {
    let mut effect = StepEffect {
        change: None,
        lookup: None,
    };
    for event in session.events() {
        if let Event::Note { note } = event {
            match note {
                RingNote::Changed { change } => effect.change = Some(change),
                RingNote::LookedUp { lookup } => effect.lookup = Some(lookup),
            }
        }
    }
    effect
}

fn degrees(hash: u32) -> f64 {
    f64::from(hash) / 4_294_967_296.0 * 360.0
}

/// A change of the ring in a few words: "N4 joined", "virtual nodes 1 → 10".
pub fn change_label(lang: Lang, lab: &RingLab, change: &RingChange) -> String {
    let name = |node| lab.name(node).to_string();
    match change.kind {
        ChangeKind::Joined { node } => trf(
            lang,
            format!("{} joined", name(node)),
            format!("{} 加入", name(node)),
        ),
        ChangeKind::Removed { node } => trf(
            lang,
            format!("{} left", name(node)),
            format!("{} 离开", name(node)),
        ),
        ChangeKind::Vnodes { from, to } => trf(
            lang,
            format!("virtual nodes {from} → {to}"),
            format!("虚拟节点 {from} → {to}"),
        ),
    }
}

/// A lab event in words, for the event list under the narration.
impl crate::player::Narrate for RingLab {
    fn describe(
        lang: Lang,
        world: &distlab_core::World<RingLab>,
        event: &distlab_core::Event<(), RingNote>,
    ) -> Option<String> {
        match event {
            distlab_core::Event::Note { note } => Some(describe_note(lang, &world.protocol, note)),
            other => crate::i18n::describe_kernel_event(lang, &world.nodes, other),
        }
    }
}

pub fn describe_note(lang: Lang, lab: &RingLab, note: &RingNote) -> String {
    match note {
        RingNote::Changed { change } => {
            let (ring, modn) = (&change.ring, &change.mod_n);
            let what = change_label(lang, lab, change);
            trf(
                lang,
                format!(
                    "{what}: {} moved on the ring, {} under hash % N",
                    plural(u64::from(ring.moved), "key", "keys"),
                    thousands(u64::from(modn.moved))
                ),
                format!(
                    "{what}：哈希环上迁移 {} 个键，hash % N 下迁移 {} 个",
                    thousands(u64::from(ring.moved)),
                    thousands(u64::from(modn.moved))
                ),
            )
        }
        RingNote::LookedUp { lookup } => {
            let key = lab.keys.name(lookup.key);
            let at = degrees(lookup.hash);
            match lookup.vnode {
                Some(v) => trf(
                    lang,
                    format!("{key} hashes to {} ({at:.1}°) and walks clockwise to {}#{} at {:.1}°, so it lives on {}", lookup.hash, lab.name(v.node), v.replica, degrees(v.point), lab.name(v.node)),
                    format!("{key} 的哈希是 {}（{at:.1}°），顺时针走到 {:.1}° 处的 {}#{}，所以它存在 {} 上", lookup.hash, degrees(v.point), lab.name(v.node), v.replica, lab.name(v.node)),
                ),
                None => trf(lang, format!("{key}: the ring is empty"), format!("{key}：哈希环是空的")),
            }
        }
    }
}

impl LabView for RingLab {
    type Variant = NoVariant;

    fn view(player: &Player<RingLab>, dispatch: &Callback<Msg<RingLab>>) -> Html {
        let session = &player.lab;
        let world: &World<RingLab> = &session.state;
        let effect = step_effect(session);
        html! {
            <div class="ring-lab">
                <div class="ring-top">
                    { circle::circle(player.lang, world, &effect) }
                    { buckets::side_by_side(player.lang, world, &effect) }
                </div>
                { panel::controls(player.lang, world, dispatch) }
                <charts::RingCharts lang={player.lang} world={Shared(session.state.clone())} />
            </div>
        }
    }

    fn free_play(setup: RingSetup) -> Result<Scenario<RingLab>, Text> {
        setup.validate()?;
        Ok(free_play::sandbox(setup, 1))
    }

    fn free_play_form(lang: Lang, active: bool, dispatch: &Callback<Msg<RingLab>>) -> Html {
        html! { <free_play::SandboxForm {lang} {active} dispatch={dispatch.clone()} /> }
    }
}
