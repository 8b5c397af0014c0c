//! Message-queue labs (seeds 001, 002 and 003): JMS/ActiveMQ and RabbitMQ semantics, with a delivery
//! ledger that follows every message and catches each one that is lost, processed twice or
//! processed out of order.

pub mod activemq;
pub mod activemq_scenarios;
pub mod flow;
pub mod jms;
pub mod jms_scenarios;
pub mod ledger;
pub mod message;
pub mod rabbit;
pub mod rabbit_scenarios;
pub mod selector;
pub mod topic;

use crate::kernel::LinkConfig;

/// Client connections to a broker are TCP: in order, 5 to 15 ms, and neither lossy nor
/// duplicating unless a lesson says so.
pub fn client_link(configured: Option<LinkConfig>) -> LinkConfig {
    configured.unwrap_or(LinkConfig {
        latency_min: 5,
        latency_max: 15,
        ..LinkConfig::default()
    })
}
