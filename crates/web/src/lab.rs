//! What a lab's page adds to the generic player: its view, its narration, the settings its
//! side-by-side comparison can change, and free play where it has one. The player, the share link,
//! scenario files, the comparison, the fault toolbar and the explorer panel are generic over this
//! trait; a lab's page is `start::<ItsLab>()` in its own binary (`crates/web/src/bin/<id>.rs`).

use std::fmt::Debug;

use distlab_core::scenario::{Lab, Scenario};
use distlab_core::{Lang, Text};
use yew::prelude::*;

use crate::player::{Msg, Narrate, Player};

/// A setting of a lab that the side-by-side view can change.
pub trait Variant<L: Lab> {
    /// Identifies the setting, for the view's selector.
    fn key(&self) -> String;
    /// The lesson with this setting changed in its set-up, and the change in words.
    fn apply(&self, scenario: &Scenario<L>) -> (Scenario<L>, Text);
}

/// The setting of a lab without a side-by-side comparison: there is none to choose.
#[derive(Clone, Debug, PartialEq)]
pub enum NoVariant {}

impl<L: Lab> Variant<L> for NoVariant {
    fn key(&self) -> String {
        match *self {}
    }
    fn apply(&self, _: &Scenario<L>) -> (Scenario<L>, Text) {
        match *self {}
    }
}

/// A lab as its page shows it.
pub trait LabView: Narrate + 'static {
    /// The settings the side-by-side comparison can change ([`NoVariant`] for none).
    type Variant: Variant<Self> + Clone + Debug + PartialEq + 'static;

    /// The lab's stage for the state on screen: its diagrams, panels and controls.
    fn view(player: &Player<Self>, dispatch: &Callback<Msg<Self>>) -> Html;

    /// Free play from a set-up, for labs that have it: a scenario with no script.
    fn free_play(_setup: Self::Setup) -> Result<Scenario<Self>, Text> {
        Err(Text::new(
            "This lab has no free play; open one of its lessons.",
            "这个实验没有自由练习；请打开它的一节课。",
        ))
    }

    /// The form in the lesson list that starts free play (nothing for labs without).
    fn free_play_form(_lang: Lang, _active: bool, _dispatch: &Callback<Msg<Self>>) -> Html {
        Html::default()
    }
}
