//! The built-in RabbitMQ lessons.

use alloc::vec::Vec;

use super::rabbit::RabbitLab;
use crate::scenario::Scenario;

pub fn scenarios() -> Vec<Scenario<RabbitLab>> {
    Vec::new()
}
