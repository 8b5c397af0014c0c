//! The delivery ledger follows every message from the producer to its end: where it is now, whether
//! the producer counts it as sent (and why: a receipt, a publisher confirm, or only a send call that
//! returned), how often a consumer processed it, and in which order messages of one key were
//! processed. Its invariants are the questions every message-queue lesson asks: is a message the
//! producer counts as sent ever gone, is any message processed twice, and are the messages of one
//! key processed in order? It knows nothing of JMS, RabbitMQ or Kafka, so every
//! message-queue lab keeps one.

use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::String;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

use crate::kernel::{NodeId, Severity, Violation};
use crate::scenario::InvariantInfo;
use crate::text::Text;

/// Identifies one tracked delivery: a message on its way to one queue or one subscription.
pub type EntryId = u32;

/// Where a message is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Place {
    /// Still in the producer (unsent, or buffered by a transaction or a batch).
    ProducerBuffer,
    /// On the network.
    InFlight,
    /// Held by a broker in memory only: a crash loses it.
    BrokerMemory,
    /// Written to a broker's persistent store: it survives a restart.
    BrokerStore,
    /// Delivered to a consumer, not yet acknowledged.
    Consumer,
    /// Acknowledged: done.
    Acknowledged,
    DeadLettered,
    Expired,
    /// Thrown away on purpose: a rolled-back send, a topic message nobody subscribed to.
    Discarded,
    /// Gone without anyone meaning it to be: a crash, a lost packet.
    Lost,
}

impl Place {
    pub const ALL: [Place; 10] = [
        Place::ProducerBuffer,
        Place::InFlight,
        Place::BrokerMemory,
        Place::BrokerStore,
        Place::Consumer,
        Place::Acknowledged,
        Place::DeadLettered,
        Place::Expired,
        Place::Discarded,
        Place::Lost,
    ];

    /// The place's name, for a lab whose consumers acknowledge as `acks` says.
    pub fn name_in(self, acks: AckWord) -> Text {
        match (self, acks) {
            (Place::Acknowledged, AckWord::Jms) => Text::new("acknowledged", "已签收"),
            (Place::Acknowledged, AckWord::Amqp) => Text::new("acknowledged", "消费者已确认"),
            _ => self.name(),
        }
    }

    /// The place's name in words every lab shares; [`Place::name_in`] for the one that differs.
    pub fn name(self) -> Text {
        match self {
            Place::ProducerBuffer => Text::new("producer buffer", "生产者缓冲区"),
            Place::InFlight => Text::new("in flight", "网络传输中"),
            Place::BrokerMemory => Text::new("broker memory", "Broker 内存"),
            Place::BrokerStore => Text::new("broker store", "Broker 持久化存储"),
            Place::Consumer => Text::new("consumer", "消费者"),
            Place::Acknowledged => Text::new("acknowledged", "已签收 / 已确认"),
            Place::DeadLettered => Text::new("dead-lettered", "死信"),
            Place::Expired => Text::new("expired", "已过期"),
            Place::Discarded => Text::new("discarded", "被丢弃"),
            Place::Lost => Text::new("lost", "丢失"),
        }
    }

    /// A place the message can never leave again.
    pub fn is_final(self) -> bool {
        matches!(
            self,
            Place::Acknowledged
                | Place::DeadLettered
                | Place::Expired
                | Place::Discarded
                | Place::Lost
        )
    }
}

/// One message's journey.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Journey {
    pub id: EntryId,
    /// What the views call it: `m3`, or `m3→audit` for a copy bound for one subscription.
    pub label: String,
    /// The ordering key (message group, Kafka key, order id), if the lesson cares about order.
    pub key: Option<String>,
    /// Position among the messages of its key, in the order the producer sent them.
    pub seq: u32,
    pub place: Place,
    /// The node that holds it (broker or consumer), when it is held somewhere.
    pub holder: Option<NodeId>,
    /// The producer counts the message as sent, and why; `None` while it does not (it waits for a
    /// receipt or a confirm, or has not sent it).
    pub safe: Option<Assurance>,
    /// How many times a consumer processed it (ran its business logic).
    pub processed: u32,
    /// Deliveries that an idempotent consumer recognised as duplicates and skipped.
    pub skipped_duplicates: u32,
    /// Every place it has been, in order.
    pub trail: Vec<Place>,
}

/// A key whose messages were processed out of order.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Reorder {
    pub key: String,
    /// The message processed late.
    pub late: EntryId,
    /// A message after it in send order that was processed before it.
    pub overtaken_by: EntryId,
}

/// Why the producer counts a message as sent: what it was told, or that it was told nothing.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Assurance {
    /// The broker answered the send: an ActiveMQ receipt (the response to a synchronous send,
    /// `ActiveMQConnection.syncSendPacket`, or to a transaction's commit).
    Receipt,
    /// RabbitMQ answered `tx.commit` with `tx.commit-ok` (AMQP 0-9-1, class tx).
    Committed,
    /// A RabbitMQ publisher confirm (`basic.ack` on a channel in confirm mode).
    Confirm,
    /// The send call returned and nothing more: an asynchronous ActiveMQ send, or a RabbitMQ
    /// `basic.publish` without confirms. The producer was told nothing; it assumes.
    SendReturned,
}

impl Assurance {
    /// What the producer heard, as a clause the invariants panel puts before "and it is gone".
    fn clause(self, label: &str) -> Text {
        match self {
            Assurance::Receipt => Text::new(
                format!("The broker's receipt told the producer that {label} was stored"),
                format!("Broker 的回执告诉生产者 {label} 已存下"),
            ),
            Assurance::Committed => Text::new(
                format!("tx.commit-ok told the producer that the broker took {label}"),
                format!("tx.commit-ok 告诉生产者 Broker 已收下 {label}"),
            ),
            Assurance::Confirm => Text::new(
                format!("A publisher confirm told the producer that the broker took {label}"),
                format!("生产者确认告诉生产者 Broker 已收下 {label}"),
            ),
            Assurance::SendReturned => Text::new(
                format!("The producer's send of {label} returned without an error, so the producer counts it as sent (it was told nothing more)"),
                format!("生产者发送 {label} 的调用已正常返回，它便认为 {label} 已发出（此外它没有得到任何答复）"),
            ),
        }
    }
}

/// How a lab's consumers acknowledge, which decides the word for [`Place::Acknowledged`]: a JMS
/// consumer's acknowledgement is 签收 in 中文, a RabbitMQ consumer's 消费者确认 (the glossary).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AckWord {
    #[default]
    Jms,
    Amqp,
}

/// Every tracked message.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Ledger {
    /// Whose words the views use for an acknowledged message.
    #[serde(default)]
    pub acks: AckWord,
    pub journeys: Vec<Journey>,
    /// Next sequence number per key.
    next_seq: BTreeMap<String, u32>,
    /// Highest sequence processed so far per key, with the message that had it.
    last_processed: BTreeMap<String, (u32, EntryId)>,
    pub reorders: Vec<Reorder>,
}

pub const NO_LOSS: &str = "mq.no-acked-loss";
pub const ONCE: &str = "mq.processed-once";
pub const ORDER: &str = "mq.key-order";

/// The name of one of the ledger's invariants, as the invariants panel shows it.
pub fn invariant_name(id: &str) -> Text {
    match id {
        NO_LOSS => Text::new(
            "No message the producer counts as sent is lost",
            "生产者认为已发出的消息不会丢失",
        ),
        ONCE => Text::new("No message is processed twice", "没有消息被重复处理"),
        _ => Text::new(
            "Messages of one key are processed in order",
            "同一个键的消息按顺序处理",
        ),
    }
}

/// The ledger's invariants, for a message-queue lab's catalogue.
pub fn invariants() -> Vec<InvariantInfo> {
    [NO_LOSS, ONCE, ORDER]
        .into_iter()
        .map(|id| InvariantInfo {
            id,
            name: invariant_name(id),
            severity: Severity::Error,
        })
        .collect()
}

impl Ledger {
    pub fn new() -> Ledger {
        Ledger::default()
    }

    /// An empty ledger for a lab whose consumers acknowledge as `acks` says.
    pub fn with_acks(acks: AckWord) -> Ledger {
        Ledger {
            acks,
            ..Ledger::default()
        }
    }

    /// Starts tracking a message that a producer created.
    pub fn create(&mut self, label: impl Into<String>, key: Option<&str>) -> EntryId {
        let id = self.journeys.len() as EntryId;
        let seq = match key {
            Some(k) => {
                let next = self.next_seq.entry(String::from(k)).or_insert(0);
                *next += 1;
                *next - 1
            }
            None => 0,
        };
        self.journeys.push(Journey {
            id,
            label: label.into(),
            key: key.map(String::from),
            seq,
            place: Place::ProducerBuffer,
            holder: None,
            safe: None,
            processed: 0,
            skipped_duplicates: 0,
            trail: alloc::vec![Place::ProducerBuffer],
        });
        id
    }

    /// Starts tracking one more copy of a message (for another subscription or queue), at the same
    /// place as the original and with the same safety.
    pub fn copy(&mut self, of: EntryId, label: impl Into<String>) -> Option<EntryId> {
        let original = self.get(of)?.clone();
        let id = self.journeys.len() as EntryId;
        self.journeys.push(Journey {
            id,
            label: label.into(),
            processed: 0,
            skipped_duplicates: 0,
            ..original
        });
        Some(id)
    }

    pub fn get(&self, id: EntryId) -> Option<&Journey> {
        self.journeys.get(id as usize)
    }

    pub fn find(&self, label: &str) -> Option<&Journey> {
        self.journeys.iter().find(|j| j.label == label)
    }

    /// Moves a message. A message in a final place stays there: a late copy of an acknowledged
    /// message does not make it un-acknowledged, and losing a message that is already done is not
    /// a loss.
    pub fn move_to(&mut self, id: EntryId, place: Place, holder: Option<NodeId>) {
        let Some(j) = self.journeys.get_mut(id as usize) else {
            return;
        };
        if j.place.is_final() || (j.place == place && j.holder == holder) {
            return;
        }
        j.place = place;
        j.holder = holder;
        if j.trail.last() != Some(&place) {
            j.trail.push(place);
        }
    }

    /// The producer now counts the message as sent, for the reason given. A receipt or a confirm
    /// replaces a send that only returned; nothing replaces a receipt or a confirm.
    pub fn mark_safe(&mut self, id: EntryId, how: Assurance) {
        if let Some(j) = self.journeys.get_mut(id as usize) {
            if matches!(j.safe, None | Some(Assurance::SendReturned)) {
                j.safe = Some(how);
            }
        }
    }

    /// A consumer ran its business logic on the message.
    pub fn processed(&mut self, id: EntryId) {
        let Some(j) = self.journeys.get_mut(id as usize) else {
            return;
        };
        j.processed += 1;
        if let Some(key) = j.key.clone() {
            let seq = j.seq;
            match self.last_processed.get(&key).copied() {
                Some((last, by)) if last > seq => self.reorders.push(Reorder {
                    key,
                    late: id,
                    overtaken_by: by,
                }),
                Some((last, _)) if last == seq => {}
                _ => {
                    self.last_processed.insert(key, (seq, id));
                }
            }
        }
    }

    /// An idempotent consumer saw the message again and skipped it.
    pub fn skipped_duplicate(&mut self, id: EntryId) {
        if let Some(j) = self.journeys.get_mut(id as usize) {
            j.skipped_duplicates += 1;
        }
    }

    /// How many messages are in each place, in the order of [`Place::ALL`].
    pub fn counts(&self) -> [usize; Place::ALL.len()] {
        let mut counts = [0; Place::ALL.len()];
        for j in &self.journeys {
            if let Some(i) = Place::ALL.iter().position(|p| *p == j.place) {
                counts[i] += 1;
            }
        }
        counts
    }

    /// The ledger's invariants, one violation per message or key that breaks them.
    pub fn violations(&self, out: &mut Vec<Violation>) {
        for j in &self.journeys {
            if let (Some(how), Place::Lost) = (j.safe, j.place) {
                let told = how.clause(&j.label);
                out.push(Violation {
                    invariant: String::from(NO_LOSS),
                    subject: j.label.clone(),
                    name: invariant_name(NO_LOSS),
                    detail: Text::new(
                        format!("{}, and it is gone.", told.en),
                        format!("{}，但它丢失了。", told.zh),
                    ),
                    severity: Severity::Error,
                });
            }
            if j.processed > 1 {
                out.push(Violation {
                    invariant: String::from(ONCE),
                    subject: j.label.clone(),
                    name: invariant_name(ONCE),
                    detail: Text::new(
                        format!("{} was processed {} times.", j.label, j.processed),
                        format!("{} 被处理了 {} 次。", j.label, j.processed),
                    ),
                    severity: Severity::Error,
                });
            }
        }
        for r in &self.reorders {
            let late = self.get(r.late).map_or("?", |j| j.label.as_str());
            let by = self.get(r.overtaken_by).map_or("?", |j| j.label.as_str());
            out.push(Violation {
                invariant: String::from(ORDER),
                subject: format!("{}/{}", r.key, r.late),
                name: Text::new(
                    "Messages of one key are processed in order",
                    "同一个键的消息按顺序处理",
                ),
                detail: Text::new(
                    format!(
                        "Key {}: {late} was processed after {by}, which was sent after it.",
                        r.key
                    ),
                    format!(
                        "键 {}：{late} 在 {by} 之后才被处理，而 {by} 是在它之后发送的。",
                        r.key
                    ),
                ),
                severity: Severity::Error,
            });
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn invariants(ledger: &Ledger) -> Vec<String> {
        let mut out = Vec::new();
        ledger.violations(&mut out);
        out.into_iter().map(|v| v.invariant).collect()
    }

    #[test]
    fn an_acknowledged_message_is_named_in_the_labs_own_words() {
        assert_eq!(Place::Acknowledged.name_in(AckWord::Jms).zh, "已签收");
        assert_eq!(
            Place::Acknowledged.name_in(AckWord::Amqp).zh,
            "消费者已确认"
        );
        assert_eq!(Place::Lost.name_in(AckWord::Amqp), Place::Lost.name());
        assert_eq!(Ledger::new().acks, AckWord::Jms);
    }

    #[test]
    fn a_journey_records_every_place_once_in_order() {
        let mut l = Ledger::new();
        let m = l.create("m1", None);
        l.move_to(m, Place::InFlight, None);
        l.move_to(m, Place::BrokerStore, Some(1));
        l.move_to(m, Place::BrokerStore, Some(1));
        l.move_to(m, Place::Consumer, Some(2));
        l.processed(m);
        l.move_to(m, Place::Acknowledged, None);
        let j = l.get(m).unwrap();
        assert_eq!(
            j.trail,
            [
                Place::ProducerBuffer,
                Place::InFlight,
                Place::BrokerStore,
                Place::Consumer,
                Place::Acknowledged
            ]
        );
        assert_eq!(l.counts()[5], 1);
        assert!(invariants(&l).is_empty());
    }

    #[test]
    fn only_a_safe_message_that_is_lost_breaks_the_no_loss_invariant() {
        let mut l = Ledger::new();
        let unsafe_one = l.create("m1", None);
        let safe_one = l.create("m2", None);
        l.mark_safe(safe_one, Assurance::Receipt);
        l.move_to(unsafe_one, Place::Lost, None);
        assert!(
            invariants(&l).is_empty(),
            "a message nobody promised may be lost"
        );
        l.move_to(safe_one, Place::Lost, None);
        assert_eq!(invariants(&l), [NO_LOSS]);
    }

    #[test]
    fn a_finished_message_cannot_be_lost_or_revived() {
        let mut l = Ledger::new();
        let m = l.create("m1", None);
        l.mark_safe(m, Assurance::Confirm);
        l.move_to(m, Place::Acknowledged, None);
        l.move_to(m, Place::Lost, None);
        l.move_to(m, Place::Consumer, Some(3));
        assert_eq!(l.get(m).unwrap().place, Place::Acknowledged);
        assert!(invariants(&l).is_empty());
    }

    #[test]
    fn processing_twice_is_caught_and_a_skipped_duplicate_is_not() {
        let mut l = Ledger::new();
        let m = l.create("m1", None);
        l.processed(m);
        l.skipped_duplicate(m);
        assert!(invariants(&l).is_empty());
        l.processed(m);
        assert_eq!(invariants(&l), [ONCE]);
    }

    #[test]
    fn out_of_order_processing_within_a_key_is_caught() {
        let mut l = Ledger::new();
        let a1 = l.create("m1", Some("order-1"));
        let b1 = l.create("m2", Some("order-2"));
        let a2 = l.create("m3", Some("order-1"));
        l.processed(b1);
        l.processed(a1);
        assert!(invariants(&l).is_empty(), "different keys may interleave");
        l.processed(a2);
        assert!(invariants(&l).is_empty());
        let a3 = l.create("m4", Some("order-1"));
        let a4 = l.create("m5", Some("order-1"));
        l.processed(a4);
        l.processed(a3);
        assert_eq!(invariants(&l), [ORDER]);
        assert_eq!(l.reorders[0].late, a3);
        assert_eq!(l.reorders[0].overtaken_by, a4);
    }

    #[test]
    fn a_copy_for_another_subscription_is_tracked_on_its_own() {
        let mut l = Ledger::new();
        let m = l.create("m1", None);
        l.move_to(m, Place::BrokerStore, Some(0));
        l.mark_safe(m, Assurance::Confirm);
        let c = l.copy(m, "m1→audit").unwrap();
        l.processed(m);
        l.processed(c);
        assert!(invariants(&l).is_empty());
        assert_eq!(l.get(c).unwrap().place, Place::BrokerStore);
        assert_eq!(l.get(c).unwrap().safe, Some(Assurance::Confirm));
        assert_eq!(l.find("m1→audit").map(|j| j.id), Some(c));
        assert!(l.copy(99, "x").is_none());
    }
}
