//! Message-queue labs (seeds 001, 002 and 003): JMS/ActiveMQ and RabbitMQ semantics, with a delivery
//! ledger that follows every message and catches each one that is lost, processed twice or
//! processed out of order.

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
