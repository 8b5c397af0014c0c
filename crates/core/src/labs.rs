//! The registry of labs: one line per lab, in the order the site lists them. It sits above the
//! labs and the scenario format; neither knows it. The site's landing page and every lab page's
//! top bar read [`LABS`] (constant data, no code of any lab); tests and tools visit every lab's
//! type with [`visit`].
//!
//! Adding a lab: its model in `crates/core/src/<lab>/` with `impl Lab` (its `INFO` and lessons),
//! its view in `crates/web/src/<lab>/`, one line below, and one page entry in the web crate
//! (`crates/web/src/bin/<lab id>.rs`). ARCHITECTURE.md has the whole recipe.

use crate::scenario::{Lab, LabInfo, StaticText};

/// A lab as the top bar of every page lists it: its id and name. Every page links this table
/// and not [`LABS`], whose lines on what each lab teaches only the landing page shows: they would
/// add a kilobyte to every page for each lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LabName {
    pub id: &'static str,
    pub name: StaticText,
}

impl LabName {
    /// The lab's page, relative to the site's root.
    pub fn page(&self) -> alloc::string::String {
        alloc::format!("{}.html", self.id)
    }
}

/// Something done once per lab, with the lab's type: a test, a tool.
pub trait LabVisitor {
    fn visit<L: Lab>(&mut self);
}

macro_rules! registry {
    ($($lab:ty),* $(,)?) => {
        /// What the site says of every lab, in the order it lists them.
        pub const LABS: &[LabInfo] = &[$(<$lab as Lab>::INFO),*];

        /// Every lab's id and name, in the order of [`LABS`].
        pub const MENU: &[LabName] = &[$(LabName {
            id: <$lab as Lab>::INFO.id,
            name: <$lab as Lab>::INFO.name,
        }),*];

        /// Calls `visitor` once per lab, in the order of [`LABS`].
        pub fn visit(visitor: &mut impl LabVisitor) {
            $(visitor.visit::<$lab>();)*
        }
    };
}

registry! {
    crate::ring::RingLab,
    crate::mq::jms::JmsLab,
    crate::mq::activemq::AmqLab,
    crate::mq::rabbit::RabbitLab,
    crate::mq::flow::FlowLab,
    crate::locks::LocksLab,
    crate::ids::lab::IdsLab,
}

/// The lab with this id.
pub fn find(id: &str) -> Option<&'static LabInfo> {
    LABS.iter().find(|info| info.id == id)
}

/// The id and name of the lab with this id.
pub fn named(id: &str) -> Option<&'static LabName> {
    MENU.iter().find(|lab| lab.id == id)
}
