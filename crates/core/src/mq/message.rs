//! A JMS message (seed 001, 消息组成): headers that identify and route it, application properties,
//! and a body of one of the five JMS kinds. Selectors read headers and properties through
//! [`Fields`]; the views show all of it.

use alloc::collections::BTreeMap;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use super::ledger::EntryId;
use super::selector::{Fields, Value};
use crate::kernel::Time;
use crate::text::Text;

/// Whether the broker writes the message to its store before it acknowledges it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DeliveryMode {
    Persistent,
    NonPersistent,
}

/// The five JMS body kinds.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    Text(String),
    Map(BTreeMap<String, Value>),
    Bytes(Vec<u8>),
    Stream(Vec<Value>),
    /// A serialised Java object: its class name and fields.
    Object {
        class: String,
        fields: BTreeMap<String, Value>,
    },
}

impl Default for Body {
    fn default() -> Self {
        Body::Text(String::new())
    }
}

impl Body {
    /// The JMS interface name of the body kind.
    pub fn kind(&self) -> &'static str {
        match self {
            Body::Text(_) => "TextMessage",
            Body::Map(_) => "MapMessage",
            Body::Bytes(_) => "BytesMessage",
            Body::Stream(_) => "StreamMessage",
            Body::Object { .. } => "ObjectMessage",
        }
    }

    pub fn describe(&self) -> Text {
        match self {
            Body::Text(_) => Text::new("text", "文本"),
            Body::Map(_) => Text::new("name-value map", "键值对"),
            Body::Bytes(_) => Text::new("raw bytes", "字节"),
            Body::Stream(_) => Text::new("stream of values", "值的流"),
            Body::Object { .. } => Text::new("serialised object", "序列化对象"),
        }
    }
}

/// A message with its JMS headers.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct Message {
    /// The ledger entry that follows this copy of the message.
    pub entry: EntryId,
    /// `JMSMessageID`, such as `ID:m3`.
    pub message_id: String,
    /// The short name the views use, such as `m3`.
    pub label: String,
    /// `JMSDestination`.
    pub destination: String,
    /// `JMSTimestamp`: virtual time of the send.
    pub timestamp: Time,
    /// `JMSPriority`, 0 to 9 (4 by default).
    pub priority: u8,
    /// `JMSRedelivered`: set when the message is delivered again.
    pub redelivered: bool,
    /// `JMSXDeliveryCount`: how many times it has been delivered.
    pub delivery_count: u32,
    /// `JMSDeliveryMode`.
    pub delivery_mode: DeliveryMode,
    /// `JMSExpiration`: the message expires at this time (none: never).
    pub expiration: Option<Time>,
    /// ActiveMQ's scheduled delivery: not delivered before this time.
    pub deliver_after: Option<Time>,
    /// `JMSCorrelationID`.
    pub correlation_id: Option<String>,
    /// `JMSType`.
    pub jms_type: Option<String>,
    /// `JMSXGroupID`: the ordering key.
    pub group: Option<String>,
    pub properties: BTreeMap<String, Value>,
    pub body: Body,
}

impl Message {
    pub fn is_persistent(&self) -> bool {
        self.delivery_mode == DeliveryMode::Persistent
    }

    pub fn is_expired(&self, now: Time) -> bool {
        self.expiration.is_some_and(|at| now >= at)
    }

    pub fn is_due(&self, now: Time) -> bool {
        self.deliver_after.is_none_or(|at| now >= at)
    }
}

impl Fields for Message {
    /// Header fields a selector may name (JMS 1.1 section 3.8.1.1), JMSX properties, and the
    /// application properties.
    fn field(&self, name: &str) -> Option<Value> {
        match name {
            "JMSMessageID" => Some(Value::Str(self.message_id.clone())),
            "JMSTimestamp" => Some(Value::Long(self.timestamp as i64)),
            "JMSPriority" => Some(Value::Long(i64::from(self.priority))),
            "JMSDeliveryMode" => Some(Value::Str(String::from(match self.delivery_mode {
                DeliveryMode::Persistent => "PERSISTENT",
                DeliveryMode::NonPersistent => "NON_PERSISTENT",
            }))),
            "JMSCorrelationID" => self.correlation_id.clone().map(Value::Str),
            "JMSType" => self.jms_type.clone().map(Value::Str),
            "JMSXDeliveryCount" => Some(Value::Long(i64::from(self.delivery_count))),
            "JMSXGroupID" => self.group.clone().map(Value::Str),
            _ => self.properties.get(name).cloned(),
        }
    }
}
