//! Interface strings. Each label is written in both languages at the place it is used, through
//! [`tr`]; kernel events are put into words here so that every lab describes them the same way.

use distlab_core::kernel::{Event, LossReason, NodeState};
use distlab_core::Lang;

/// Picks the string for the language.
pub fn tr(lang: Lang, en: &'static str, zh: &'static str) -> &'static str {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

/// Formats a string for the language.
pub fn trf(lang: Lang, en: String, zh: String) -> String {
    match lang {
        Lang::En => en,
        Lang::Zh => zh,
    }
}

pub fn node_name(nodes: &[NodeState], id: u8) -> String {
    nodes
        .get(usize::from(id))
        .map_or_else(|| format!("#{id}"), |n| n.name.clone())
}

pub use distlab_core::text::thousands;

fn loss_reason(lang: Lang, reason: LossReason) -> &'static str {
    match reason {
        LossReason::Link => tr(lang, "lost by the link", "被链路丢失"),
        LossReason::Partition => tr(lang, "blocked by a network partition", "被网络分区阻断"),
        LossReason::ReceiverDown => tr(lang, "the receiver is down", "接收方已宕机"),
        LossReason::SenderDown => tr(lang, "the sender is down", "发送方已宕机"),
        LossReason::Dropped => tr(lang, "dropped by a fault", "被注入的故障丢弃"),
    }
}

/// Describes a kernel event; lab notes are described by the lab's own view.
pub fn describe_kernel_event<M, N>(
    lang: Lang,
    nodes: &[NodeState],
    event: &Event<M, N>,
) -> Option<String> {
    let name = |id: u8| node_name(nodes, id);
    let text = match event {
        Event::Sent {
            msg,
            from,
            to,
            deliver_at,
            ..
        } => trf(
            lang,
            format!(
                "{} sends message #{msg} to {} (arrives at {deliver_at} ms)",
                name(*from),
                name(*to)
            ),
            format!(
                "{} 向 {} 发送消息 #{msg}（{deliver_at} ms 到达）",
                name(*from),
                name(*to)
            ),
        ),
        Event::Duplicated { msg, copy, .. } => trf(
            lang,
            format!("message #{msg} is duplicated as #{copy}"),
            format!("消息 #{msg} 被复制为 #{copy}"),
        ),
        Event::Lost {
            msg,
            from,
            to,
            reason,
        } => trf(
            lang,
            format!(
                "message #{msg} from {} to {} is lost: {}",
                name(*from),
                name(*to),
                loss_reason(lang, *reason)
            ),
            format!(
                "{} 发给 {} 的消息 #{msg} 丢失：{}",
                name(*from),
                name(*to),
                loss_reason(lang, *reason)
            ),
        ),
        Event::Delivered { msg, from, to, .. } => trf(
            lang,
            format!(
                "message #{msg} from {} arrives at {}",
                name(*from),
                name(*to)
            ),
            format!("{} 发出的消息 #{msg} 到达 {}", name(*from), name(*to)),
        ),
        Event::TimerSet { node, fire_at, .. } => trf(
            lang,
            format!("{} sets a timer for {fire_at} ms", name(*node)),
            format!("{} 设置了一个 {fire_at} ms 的定时器", name(*node)),
        ),
        Event::TimerFired { node, .. } => trf(
            lang,
            format!("a timer of {} fires", name(*node)),
            format!("{} 的定时器触发", name(*node)),
        ),
        Event::Crashed { node } => trf(
            lang,
            format!("{} crashes", name(*node)),
            format!("{} 宕机", name(*node)),
        ),
        Event::Restarted { node } => trf(
            lang,
            format!("{} restarts", name(*node)),
            format!("{} 重启", name(*node)),
        ),
        Event::Paused { node, until } => trf(
            lang,
            format!("{} pauses until {until} ms", name(*node)),
            format!("{} 暂停到 {until} ms", name(*node)),
        ),
        Event::Resumed { node } => trf(
            lang,
            format!("{} resumes", name(*node)),
            format!("{} 恢复运行", name(*node)),
        ),
        Event::ClockJumped { node, delta_ms, .. } => trf(
            lang,
            format!("the clock of {} jumps by {delta_ms} ms", name(*node)),
            format!("{} 的时钟跳变了 {delta_ms} ms", name(*node)),
        ),
        Event::Partitioned { .. } => {
            tr(lang, "the network is partitioned", "网络发生分区").to_string()
        }
        Event::Healed => tr(lang, "the partition heals", "网络分区恢复").to_string(),
        Event::Waited { ms } => trf(lang, format!("{ms} ms pass"), format!("过去了 {ms} ms")),
        Event::Skipped { reason } => trf(
            lang,
            format!("nothing happens: {}", reason.en),
            format!("什么也没发生：{}", reason.zh),
        ),
        Event::Halted { reason } => trf(lang, reason.en.clone(), reason.zh.clone()),
        Event::Note { .. } => return None,
    };
    Some(text)
}

/// Describes an event of a lab whose messages say what they carry: a send or an arrival names the
/// content (`summary`), a lab note is the lab's own sentence (`note`), anything else is a kernel
/// event in words.
pub fn describe_message_event<M, N>(
    lang: Lang,
    nodes: &[NodeState],
    event: &Event<M, N>,
    summary: impl Fn(&M) -> String,
    note: impl Fn(&N) -> String,
) -> Option<String> {
    let name = |id: u8| node_name(nodes, id);
    match event {
        Event::Sent {
            from,
            to,
            body,
            deliver_at,
            ..
        } => Some(trf(
            lang,
            format!(
                "{} → {}: {} (arrives at {deliver_at} ms)",
                name(*from),
                name(*to),
                summary(body)
            ),
            format!(
                "{} → {}：{}（{deliver_at} ms 到达）",
                name(*from),
                name(*to),
                summary(body)
            ),
        )),
        Event::Delivered { from, to, body, .. } => Some(trf(
            lang,
            format!(
                "{} receives from {}: {}",
                name(*to),
                name(*from),
                summary(body)
            ),
            format!(
                "{} 收到 {} 的消息：{}",
                name(*to),
                name(*from),
                summary(body)
            ),
        )),
        Event::Note { note: n } => Some(note(n)),
        other => describe_kernel_event(lang, nodes, other),
    }
}
