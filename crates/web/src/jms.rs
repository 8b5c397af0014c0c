//! The JMS / ActiveMQ lab's view: producers, the broker and consumers as a graph with the messages
//! on their way drawn on the links; what the broker holds per queue and subscription; each
//! consumer's window (prefetched, consumed but unacknowledged); the delivery ledger; and the
//! controls that inject operations and settings into the run.

pub(crate) mod graph;
mod inspector;
pub(crate) mod ledger;
mod panel;

use distlab_core::kernel::{Event, NodeId, World};
use distlab_core::mq::jms::{AckMode, JmsLab, JmsMsg, JmsNote};
use distlab_core::scenario::Scenario;
use distlab_core::Lang;
use distlab_core::Text;
use yew::prelude::*;

use crate::i18n::{describe_message_event, tr, trf};
use crate::player::{Msg, Player, Session};
use crate::ring::Shared;

fn labels(messages: &[String]) -> String {
    distlab_core::text::list(messages).0
}

fn labels_zh(messages: &[String]) -> String {
    distlab_core::text::list(messages).1
}

/// What a message between nodes carries, in a few words.
pub fn summary(lang: Lang, msg: &JmsMsg, lab: &JmsLab) -> String {
    match msg {
        JmsMsg::Send {
            messages,
            receipt,
            transaction,
        } => {
            let names: Vec<String> = messages.iter().map(|m| m.label.clone()).collect();
            if transaction.is_some() {
                trf(
                    lang,
                    format!("send {} in a transaction", labels(&names)),
                    format!("在事务中发送 {}", labels_zh(&names)),
                )
            } else if *receipt {
                trf(
                    lang,
                    format!("send {} (waits for a receipt)", labels(&names)),
                    format!("发送 {}（等待回执）", labels_zh(&names)),
                )
            } else {
                trf(
                    lang,
                    format!("send {}", labels(&names)),
                    format!("发送 {}", labels_zh(&names)),
                )
            }
        }
        JmsMsg::Receipt { entries } => {
            let names: Vec<String> = entries
                .iter()
                .filter_map(|&e| lab.ledger.get(e))
                .map(|j| j.label.clone())
                .collect();
            trf(
                lang,
                format!("receipt for {}", labels(&names)),
                format!("{} 的回执", labels_zh(&names)),
            )
        }
        JmsMsg::Dispatch { message } => {
            let flag = if message.redelivered {
                tr(lang, ", redelivered", "，重新投递")
            } else {
                ""
            };
            trf(
                lang,
                format!("dispatch {}{flag}", message.label),
                format!("分发 {}{flag}", message.label),
            )
        }
        JmsMsg::Ack { entries } => {
            let names: Vec<String> = entries
                .iter()
                .filter_map(|&e| lab.ledger.get(e))
                .map(|j| j.label.clone())
                .collect();
            trf(
                lang,
                format!("ack {}", labels(&names)),
                format!("签收 {}", labels_zh(&names)),
            )
        }
        JmsMsg::Redelivered { entries } => {
            let names = entry_labels(lab, entries);
            trf(
                lang,
                format!("redelivered ack: the client redelivers {}", labels(&names)),
                format!("重新投递签收：客户端正在重新投递 {}", labels_zh(&names)),
            )
        }
        JmsMsg::Poison {
            entries,
            redeliveries,
        } => {
            let names = entry_labels(lab, entries);
            trf(
                lang,
                format!(
                    "poison ack for {} (redelivery counter {redeliveries})",
                    labels(&names)
                ),
                format!(
                    "{} 的毒消息签收（poison ack，重新投递计数 {redeliveries}）",
                    labels_zh(&names)
                ),
            )
        }
        JmsMsg::ExpiredAck { entries } => {
            let names = entry_labels(lab, entries);
            trf(
                lang,
                format!("expired ack for {}", labels(&names)),
                format!("{} 的过期签收", labels_zh(&names)),
            )
        }
        JmsMsg::Commit { .. } => tr(lang, "commit the transaction", "提交事务").to_string(),
        JmsMsg::Rollback { .. } => tr(lang, "roll the transaction back", "回滚事务").to_string(),
    }
}

fn entry_labels(lab: &JmsLab, entries: &[distlab_core::mq::ledger::EntryId]) -> Vec<String> {
    entries
        .iter()
        .filter_map(|&e| lab.ledger.get(e))
        .map(|j| j.label.clone())
        .collect()
}

/// "1,000" / "30,000": a number of ms with a thousands separator.
fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::new();
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The lab's number with ActiveMQ's default beside it, or "(the default)".
fn with_default(lang: Lang, lab_value: String, default: String, same: bool) -> String {
    if same {
        trf(
            lang,
            format!("{lab_value} (the default)"),
            format!("{lab_value}（默认值）"),
        )
    } else {
        trf(
            lang,
            format!("{lab_value} in the lab · {default} by default"),
            format!("实验中 {lab_value} · 默认 {default}"),
        )
    }
}

/// The client's redelivery delay, for the consumer's box.
pub(crate) fn redelivery_delay_label(lang: Lang, delay: u64) -> String {
    let default = distlab_core::mq::jms::DEFAULT_REDELIVERY_DELAY;
    let value = with_default(
        lang,
        trf(
            lang,
            format!("{} ms", thousands(delay)),
            format!("{} 毫秒", thousands(delay)),
        ),
        trf(
            lang,
            format!("{} ms", thousands(default)),
            format!("{} 毫秒", thousands(default)),
        ),
        delay == default,
    );
    trf(
        lang,
        format!("redelivered after {value}:"),
        format!("重新投递延迟 {value}："),
    )
}

/// The broker's expiry sweep period, for the broker's box.
pub(crate) fn expire_period_label(lang: Lang, period: u64) -> String {
    let default = distlab_core::mq::jms::DEFAULT_EXPIRE_PERIOD;
    let secs = |ms: u64| {
        if ms.is_multiple_of(1000) {
            trf(
                lang,
                format!("{} s", ms / 1000),
                format!("{} 秒", ms / 1000),
            )
        } else {
            trf(
                lang,
                format!("{} ms", thousands(ms)),
                format!("{} 毫秒", thousands(ms)),
            )
        }
    };
    let value = with_default(lang, secs(period), secs(default), period == default);
    trf(
        lang,
        format!("no timer at expiry · sweep for expired messages every {value}"),
        format!("过期时不触发定时器 · 每 {value} 扫描一次过期消息"),
    )
}

fn ack_mode_name(mode: AckMode) -> &'static str {
    mode.name()
}

/// One event of the step on screen, in words.
impl crate::player::Narrate for JmsLab {
    fn describe(
        lang: Lang,
        world: &World<Self>,
        event: &Event<Self::Msg, Self::Note>,
    ) -> Option<String> {
        let lab = &world.protocol;
        describe_message_event(
            lang,
            &world.nodes,
            event,
            |m| summary(lang, m, lab),
            |n| describe_note(lang, lab, n),
        )
    }
}

pub fn describe_note(lang: Lang, lab: &JmsLab, note: &JmsNote) -> String {
    let name = |n: NodeId| lab.name(n).to_string();
    match note {
        JmsNote::Stored { label, destination, persistent } => {
            if *persistent {
                trf(lang, format!("the broker writes {label} to its store for {destination}"), format!("Broker 把 {label} 写入 {destination} 的持久化存储"))
            } else {
                trf(lang, format!("the broker keeps {label} in memory for {destination}"), format!("Broker 把 {label} 放在 {destination} 的内存里"))
            }
        }
        JmsNote::HeldInTransaction { label } => trf(lang, format!("the broker holds {label} in the producer's transaction, invisible to consumers until the commit"), format!("Broker 把 {label} 保存在生产者的事务里，提交之前消费者看不到它")),
        JmsNote::CommittedTransaction { labels: committed } => trf(lang, format!("the commit makes {} visible at once", labels(committed)), format!("提交让 {} 同时变为可见", labels_zh(committed))),
        JmsNote::Failed { consumer, label } => trf(lang, format!("{}'s handler throws on {label} before doing anything: a failed attempt, no side effect", name(*consumer)), format!("{} 的处理代码在处理 {label} 时抛出异常，什么都还没做：这是一次失败的尝试，没有副作用", name(*consumer))),
        JmsNote::RedeliveryScheduled { consumer, labels: back, delay, told_broker } => {
            let delay = with_default(
                lang,
                trf(lang, format!("{} ms", thousands(*delay)), format!("{} 毫秒", thousands(*delay))),
                trf(lang, "1,000 ms".to_string(), "1,000 毫秒".to_string()),
                *delay == distlab_core::mq::jms::DEFAULT_REDELIVERY_DELAY,
            );
            if *told_broker {
                trf(lang, format!("{}'s client raises the count of {}, tells the broker (redelivered ack) and redelivers after {delay}", name(*consumer), labels(back)), format!("{} 的客户端提高 {} 的投递计数，通知 Broker（重新投递签收），并在 {delay} 后重新投递", name(*consumer), labels_zh(back)))
            } else {
                trf(lang, format!("{}'s client raises the count of {} and redelivers after {delay}; no redelivered ack yet", name(*consumer), labels(back)), format!("{} 的客户端提高 {} 的投递计数，在 {delay} 后重新投递；还不发重新投递签收", name(*consumer), labels_zh(back)))
            }
        }
        JmsNote::RedeliveredLocally { consumer, labels: back } => trf(lang, format!("{}'s client hands {} to the application again", name(*consumer), labels(back)), format!("{} 的客户端把 {} 再次交给应用程序", name(*consumer), labels_zh(back))),
        JmsNote::PoisonAcked { consumer, labels: poisoned, redeliveries, limit } => trf(lang, format!("the redelivery counter of {} would be {redeliveries}, above maximumRedeliveries {limit}: {} sends the broker a poison ack", labels(poisoned), name(*consumer)), format!("{} 的重新投递计数将是 {redeliveries}，超过最大重新投递次数 {limit}：{} 给 Broker 发送毒消息签收（poison ack）", labels_zh(poisoned), name(*consumer))),
        JmsNote::ConsumerRolledBack { consumer, labels: kept } if kept.is_empty() => trf(lang, format!("the broker rolls back {}'s transaction", name(*consumer)), format!("Broker 回滚 {} 的事务", name(*consumer))),
        JmsNote::ConsumerRolledBack { consumer, labels: kept } => trf(lang, format!("the broker rolls back {}'s transaction and keeps {} as {}'s; it is not asked to redeliver", name(*consumer), labels(kept), name(*consumer)), format!("Broker 回滚 {} 的事务，{} 仍归 {}；没有人要求它重新投递", name(*consumer), labels_zh(kept), name(*consumer))),
        JmsNote::ExpiredAtConsumer { consumer, label } => trf(lang, format!("{label} has expired by the time {} receives it: the client drops it and tells the broker", name(*consumer)), format!("{} 收到 {label} 时它已经过期：客户端丢弃它并通知 Broker", name(*consumer))),
        JmsNote::PrefetchChanged { consumer, prefetch, reopened: true } => trf(lang, format!("{} is closed and created again with prefetch {prefetch}, since the application cannot change a consumer's prefetch once it is created: what it had not acknowledged goes back to the broker", name(*consumer)), format!("消费者创建后，应用程序无法再改变它的预取，所以 {} 先关闭，再以预取 {prefetch} 重新创建：它尚未签收的消息回到 Broker", name(*consumer))),
        JmsNote::PrefetchChanged { consumer, prefetch, reopened: false } => trf(lang, format!("{} will use prefetch {prefetch} when it connects", name(*consumer)), format!("{} 下次连接时使用预取 {prefetch}", name(*consumer))),
        JmsNote::Processed { consumer, label, redelivered } => {
            if *redelivered {
                trf(lang, format!("{} processes {label}, which is marked redelivered", name(*consumer)), format!("{} 处理 {label}（带有重新投递标记）", name(*consumer)))
            } else {
                trf(lang, format!("{} processes {label}", name(*consumer)), format!("{} 处理 {label}", name(*consumer)))
            }
        }
        JmsNote::SkippedDuplicate { consumer, label } => trf(
            lang,
            format!("{} has processed {label} before and skips it (dedup table)", name(*consumer)),
            format!("{} 已经处理过 {label}，根据去重表跳过", name(*consumer)),
        ),
        JmsNote::Acked { consumer, labels: acked } => trf(
            lang,
            format!("{} acknowledges {}", name(*consumer), labels(acked)),
            format!("{} 签收 {}", name(*consumer), labels_zh(acked)),
        ),
        JmsNote::Returned { label, delivery_count, unknown: true } => trf(
            lang,
            format!("{label} goes back to the broker counted as redelivered (delivered {delivery_count} times so far): the consumer crashed, and the broker does not know what its application received"),
            format!("{label} 回到 Broker，记为重新投递（已投递 {delivery_count} 次）：消费者宕机了，Broker 不知道它的应用程序收到过哪些消息"),
        ),
        JmsNote::Returned { label, delivery_count: 0, .. } => trf(
            lang,
            format!("{label} goes back to the broker unflagged: the application never received it"),
            format!("{label} 回到 Broker，不带重新投递标记：应用程序从未收到过它"),
        ),
        JmsNote::Returned { label, delivery_count, .. } => trf(
            lang,
            format!("{label} goes back to the broker for redelivery (delivered {delivery_count} times so far)"),
            format!("{label} 回到 Broker 等待重新投递（已投递 {delivery_count} 次）"),
        ),
        JmsNote::DeadLettered { label, redeliveries } => trf(
            lang,
            format!("{label} goes to the dead-letter queue (the client's redelivery counter: {redeliveries})"),
            format!("{label} 进入死信队列（客户端的重新投递计数：{redeliveries}）"),
        ),
        JmsNote::Expired { label, swept: true } => trf(lang, format!("the broker's periodic sweep finds {label} expired"), format!("Broker 的定期扫描发现 {label} 已过期")),
        JmsNote::Expired { label, swept: false } => trf(lang, format!("{label} is found expired"), format!("发现 {label} 已过期")),
        JmsNote::LostOnRestart { label } => trf(
            lang,
            format!("{label} was only in the broker's memory and is lost"),
            format!("{label} 只在 Broker 内存中，因此丢失"),
        ),
        JmsNote::Discarded { label, why } => trf(
            lang,
            format!("{label} is discarded: {}", why.en),
            format!("{label} 被丢弃：{}", why.zh),
        ),
        JmsNote::Confirmed { labels: confirmed } => trf(
            lang,
            format!("the producer is told {} is stored", labels(confirmed)),
            format!("生产者得知 {} 已存下", labels_zh(confirmed)),
        ),
        JmsNote::Nothing { why } => why.get(lang).to_string(),
        JmsNote::SelectorChanged { consumer, selector, reopened: true } => match selector {
            Some(sel) => trf(
                lang,
                format!("{} is closed and opened again with the message selector {sel}: what it had not acknowledged goes back to the broker, and only matching messages come to it", name(*consumer)),
                format!("{} 先关闭，再以消息选择器 {sel} 重新创建：它尚未签收的消息回到 Broker，之后只有匹配的消息会投递给它", name(*consumer)),
            ),
            None => trf(
                lang,
                format!("{} is closed and opened again without a message selector: what it had not acknowledged goes back to the broker, and every message can come to it", name(*consumer)),
                format!("{} 先关闭，再不带消息选择器重新创建：它尚未签收的消息回到 Broker，之后所有消息都可以投递给它", name(*consumer)),
            ),
        },
        JmsNote::SelectorChanged { consumer, selector, reopened: false } => match selector {
            Some(sel) => trf(
                lang,
                format!("{} will use the message selector {sel} when it connects", name(*consumer)),
                format!("{} 下次连接时将使用消息选择器 {sel}", name(*consumer)),
            ),
            None => trf(
                lang,
                format!("{} will take every message, with no selector, when it connects", name(*consumer)),
                format!("{} 下次连接时不再使用消息选择器，接收所有消息", name(*consumer)),
            ),
        },
    }
}

pub fn view(
    player: &Player<JmsLab>,
    session: &Session<JmsLab>,
    dispatch: &Callback<Msg<JmsLab>>,
) -> Html {
    let lang = player.lang;
    let world = &session.state;
    let compared = player.compare.as_ref().map(|c| (c, &c.lab));
    let other = compared.map(|(comparison, other)| inspector::OtherSide {
        label: comparison.label.clone(),
        world: Shared(other.state.clone()),
        summary: invariant_summary(lang, other.violations()),
        changed: ledger::moved_by_step(other, |lab: &JmsLab| &lab.ledger),
    });
    let changed = ledger::moved_by_step(session, |lab: &JmsLab| &lab.ledger);
    let summary = if other.is_some() {
        invariant_summary(lang, session.violations())
    } else {
        html! {}
    };
    html! {
        <div class="jms-lab">
            // Keyed by the lesson, so a selected message does not carry over to another lesson.
            <inspector::Scene key={session.scenario.id.clone()} lang={lang} world={Shared(session.state.clone())} {changed} {summary} {other} />
            { panel::controls(lang, world, dispatch) }
            { panel::compare(lang, world, player.compare.as_ref().map(|c| c.key.as_str()), dispatch) }
            <panel::SelectorTester lang={lang} world={Shared(session.state.clone())} dispatch={dispatch.clone()} />
        </div>
    }
}

/// The broken invariants of one side, for the side-by-side view.
pub(crate) fn invariant_summary(
    lang: Lang,
    violations: &[distlab_core::kernel::ActiveViolation],
) -> Html {
    html! {
        <ul class="summary-invariants">
            if violations.is_empty() {
                <li class="ok">{ "✓ " }{ tr(lang, "every invariant holds", "所有不变式都成立") }</li>
            }
            { for violations.iter().map(|v| html! {
                <li class={if v.violation.severity == distlab_core::kernel::Severity::Error { "bad" } else { "warn" }}>
                    { if v.violation.severity == distlab_core::kernel::Severity::Error { "✗ " } else { "! " } }
                    { v.violation.detail.get(lang) }
                </li>
            }) }
        </ul>
    }
}

/// A consumer's settings in one line, for the graph (its selector has a line of its own).
pub fn consumer_settings(lang: Lang, lab: &JmsLab, consumer: NodeId) -> String {
    let Some(k) = lab.consumers.get(&consumer) else {
        return String::new();
    };
    use distlab_core::mq::jms::{
        DestinationKind, DEFAULT_DURABLE_TOPIC_PREFETCH, DEFAULT_MAX_REDELIVERIES,
        DEFAULT_QUEUE_PREFETCH, DEFAULT_TOPIC_PREFETCH,
    };
    let is_topic = lab
        .setup
        .destinations
        .iter()
        .any(|d| d.name == k.spec.destination && d.kind == DestinationKind::Topic);
    let default_prefetch = match (is_topic, k.spec.durable.is_some()) {
        (false, _) => DEFAULT_QUEUE_PREFETCH,
        (true, true) => DEFAULT_DURABLE_TOPIC_PREFETCH,
        (true, false) => DEFAULT_TOPIC_PREFETCH,
    };
    let prefetch = if k.spec.prefetch == default_prefetch {
        trf(
            lang,
            format!(
                "prefetch {} (default)",
                thousands(u64::from(k.spec.prefetch))
            ),
            format!("预取 {}（默认）", thousands(u64::from(k.spec.prefetch))),
        )
    } else {
        trf(
            lang,
            format!(
                "prefetch {} · {} by default",
                k.spec.prefetch,
                thousands(u64::from(default_prefetch))
            ),
            format!(
                "预取 {} · 默认 {}",
                k.spec.prefetch,
                thousands(u64::from(default_prefetch))
            ),
        )
    };
    let mut parts = vec![ack_mode_name(k.spec.ack_mode).to_string(), prefetch];
    if k.spec.ack_mode == AckMode::Transacted {
        let max = lab.setup.max_redeliveries;
        parts.push(if max == DEFAULT_MAX_REDELIVERIES {
            trf(
                lang,
                format!("maximumRedeliveries {max} (default)"),
                format!("最大重新投递 {max} 次（默认）"),
            )
        } else {
            trf(
                lang,
                format!("maximumRedeliveries {max} · {DEFAULT_MAX_REDELIVERIES} by default"),
                format!("最大重新投递 {max} 次 · 默认 {DEFAULT_MAX_REDELIVERIES} 次"),
            )
        });
    }
    if let Some(d) = &k.spec.durable {
        parts.push(trf(
            lang,
            format!("durable \"{d}\""),
            format!("持久订阅“{d}”"),
        ));
    }
    if k.spec.idempotent {
        parts.push(tr(lang, "dedup table", "去重表").to_string());
    }
    parts.join(" · ")
}

impl crate::lab::LabView for JmsLab {
    type Variant = JmsVariant;

    fn view(player: &Player<JmsLab>, dispatch: &Callback<Msg<JmsLab>>) -> Html {
        view(player, &player.lab, dispatch)
    }
}

/// A setting of the JMS lab that the side-by-side view can change.
#[derive(Clone, Debug, PartialEq)]
pub enum JmsVariant {
    AckMode {
        consumer: u8,
        mode: distlab_core::mq::jms::AckMode,
    },
    Prefetch {
        consumer: u8,
        prefetch: u32,
    },
    Idempotent {
        consumer: u8,
        on: bool,
    },
}

impl crate::lab::Variant<JmsLab> for JmsVariant {
    fn key(&self) -> String {
        match self {
            JmsVariant::AckMode { consumer, mode } => format!("ack:{consumer}:{}", mode.name()),
            JmsVariant::Prefetch { consumer, prefetch } => {
                format!("prefetch:{consumer}:{prefetch}")
            }
            JmsVariant::Idempotent { consumer, on } => format!("idem:{consumer}:{on}"),
        }
    }

    fn apply(&self, scenario: &Scenario<JmsLab>) -> (Scenario<JmsLab>, Text) {
        let mut changed = scenario.clone();
        let name = |n: u8| {
            changed
                .setup
                .nodes
                .get(usize::from(n))
                .map_or_else(|| "?".to_string(), |s| s.name.clone())
        };
        let label = match self {
            JmsVariant::AckMode { consumer, mode } => Text::new(
                format!("{} uses {}", name(*consumer), mode.name()),
                format!("{} 使用 {}", name(*consumer), mode.name()),
            ),
            JmsVariant::Prefetch { consumer, prefetch } => Text::new(
                format!("{} has prefetch {prefetch}", name(*consumer)),
                format!("{} 的预取为 {prefetch}", name(*consumer)),
            ),
            JmsVariant::Idempotent { consumer, on } => Text::new(
                format!(
                    "{} {} a dedup table",
                    name(*consumer),
                    if *on { "keeps" } else { "has no" }
                ),
                format!(
                    "{} {}去重表",
                    name(*consumer),
                    if *on { "使用" } else { "不用" }
                ),
            ),
        };
        for c in &mut changed.setup.consumers {
            match self {
                JmsVariant::AckMode { consumer, mode } if c.node == *consumer => c.ack_mode = *mode,
                JmsVariant::Prefetch { consumer, prefetch } if c.node == *consumer => {
                    c.prefetch = *prefetch
                }
                JmsVariant::Idempotent { consumer, on } if c.node == *consumer => {
                    c.idempotent = *on
                }
                _ => {}
            }
        }
        (changed, label)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_lab_numbers_carry_activemqs_default_beside_them() {
        assert_eq!(
            redelivery_delay_label(Lang::En, 1000),
            "redelivered after 1,000 ms (the default):"
        );
        assert_eq!(
            redelivery_delay_label(Lang::Zh, 100),
            "重新投递延迟 实验中 100 毫秒 · 默认 1,000 毫秒："
        );
        assert_eq!(
            expire_period_label(Lang::En, 30_000),
            "no timer at expiry · sweep for expired messages every 30 s (the default)"
        );
        assert_eq!(
            expire_period_label(Lang::En, 1_500),
            "no timer at expiry · sweep for expired messages every 1,500 ms in the lab · 30 s by default"
        );
    }
}
