//! Message-queue labs (seeds 001, 002 and 003): JMS/ActiveMQ and RabbitMQ semantics, with a delivery
//! ledger that follows every message and catches each one that is lost, processed twice or
//! processed out of order.

#[cfg(feature = "jms")]
pub mod jms;
#[cfg(feature = "jms")]
pub mod jms_scenarios;
pub mod ledger;
pub mod message;
#[cfg(feature = "jms")]
pub mod rabbit;
pub mod selector;
pub mod topic;
