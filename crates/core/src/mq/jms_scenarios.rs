//! The built-in JMS / ActiveMQ lessons.

use alloc::vec::Vec;

use super::jms::JmsLab;
use crate::scenario::Scenario;

pub fn scenarios() -> Vec<Scenario<JmsLab>> {
    Vec::new()
}
