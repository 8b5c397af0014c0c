//! The player's views, shared by every lab: scenario list, transport controls, narration with the
//! "predict, then reveal" questions, the invariants panel, the fault toolbar and the share link.
//! Each is a function of the player state that renders and dispatches, nothing more.

pub mod compare;
mod controls;
mod panels;
mod sidebar;

pub use controls::{advance_button, controls, op_button, scenario_head};
pub use panels::{faults, invariants, message, narration, share};
pub use sidebar::sidebar;

/// A colour per node id; red and amber are kept for violations and things in motion.
pub const NODE_COLOURS: [&str; 10] = [
    "#2563eb", "#0d9488", "#7c3aed", "#db2777", "#0891b2", "#65a30d", "#9333ea", "#475569",
    "#b45309", "#4f46e5",
];

pub fn node_colour(node: u8) -> &'static str {
    NODE_COLOURS[usize::from(node) % NODE_COLOURS.len()]
}
