//! Message-queue labs (seeds 001, 002 and 003): JMS/ActiveMQ and RabbitMQ semantics, with a delivery
//! ledger that follows every message and catches each one that is lost, processed twice or
//! processed out of order.

#[cfg(feature = "mq")]
pub mod activemq;
#[cfg(feature = "mq")]
pub mod activemq_scenarios;
#[cfg(feature = "mq")]
pub mod flow;
#[cfg(feature = "mq")]
pub mod jms;
#[cfg(feature = "mq")]
pub mod jms_scenarios;
pub mod ledger;
pub mod message;
#[cfg(feature = "mq")]
pub mod rabbit;
#[cfg(feature = "mq")]
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
