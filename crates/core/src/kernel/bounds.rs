//! The bounds on every number and size that a scenario file, a share link or a form can carry, and
//! on the work one step may do. A lesson is a few dozen steps of milliseconds to seconds; a day of
//! virtual time, a thousand messages in flight are far beyond any lesson and far below what could
//! freeze a page or wrap the clock. Every lab checks its set-up and its operations against these
//! (in `Lab::build` and `Lab::check_input`), and the kernel counts each step's work against
//! [`Budget`].

use alloc::format;

use super::Time;
use crate::text::{thousands, Text};

/// The longest span of virtual time one number may name: a wait, a latency, a time to live, a
/// delay, a pause, a clock jump, a timeout. A day. A run of [`crate::scenario::MAX_STEPS`] steps,
/// each at most a day, stays far below `u64::MAX` milliseconds, so the clock cannot wrap.
pub const MAX_SPAN_MS: Time = 24 * 60 * 60 * 1000;

/// The most messages one step may send (counting the ones a fault or a loss handler sends).
pub const MAX_SENDS_PER_STEP: usize = 2_000;
/// The most timers one step may set.
pub const MAX_TIMERS_PER_STEP: usize = 2_000;
/// The most events one step may record.
pub const MAX_EVENTS_PER_STEP: usize = 10_000;
/// The most messages in flight at once.
pub const MAX_IN_FLIGHT: usize = 5_000;
/// The most timers pending at once.
pub const MAX_PENDING_TIMERS: usize = 5_000;

/// The longest name (of a queue, a key, a selector, a client) a file may carry, in bytes.
pub const MAX_NAME_BYTES: usize = 200;

/// The sentence of the step that went over a limit, from what it did (a clause such as "sent more
/// than 2,000 messages", [`crate::kernel::World::halted`]).
pub fn halted_step(clause: &Text) -> Text {
    Text::new(
        format!(
            "This step {}, more work than one step may do: the run stops here, and what the step would have done beyond the limit was not done.",
            clause.en
        ),
        format!(
            "这一步{}，超出了一步允许的工作量：运行到此停止，这一步超出限制的部分没有执行。",
            clause.zh
        ),
    )
}

/// What the page says when a run stopped at step `k` (1-based) because of a limit.
pub fn halted_run(k: usize, clause: &Text) -> Text {
    Text::new(
        format!(
            "The run stopped at step {k}: that step {}, more work than one step may do. What it would have done beyond the limit was not done, and no later step is played.",
            clause.en
        ),
        format!(
            "运行在第 {k} 步停止：这一步{}，超出了一步允许的工作量。超出限制的部分没有执行，之后的步骤也不再执行。",
            clause.zh
        ),
    )
}

/// Checks that a span of virtual time is at most [`MAX_SPAN_MS`]; `what` names it in both
/// languages ("the lock's TTL", "锁的 TTL").
pub fn span(what: (&str, &str), ms: Time) -> Result<(), Text> {
    if ms <= MAX_SPAN_MS {
        return Ok(());
    }
    Err(Text::new(
        format!(
            "{} is {} ms; at most a day of virtual time ({} ms) is allowed.",
            capitalised(what.0),
            thousands(ms),
            thousands(MAX_SPAN_MS)
        ),
        format!(
            "{}是 {} ms；最多允许一天的虚拟时间（{} ms）。",
            what.1,
            thousands(ms),
            thousands(MAX_SPAN_MS)
        ),
    ))
}

/// Checks a signed span (a clock jump) against [`MAX_SPAN_MS`] either way.
pub fn signed_span(what: (&str, &str), ms: i64) -> Result<(), Text> {
    span(what, ms.unsigned_abs())
}

/// Checks that a count is at most `max`; `what` names what is counted ("virtual nodes", "虚拟节点").
pub fn count(what: (&str, &str), n: u64, max: u64) -> Result<(), Text> {
    if n <= max {
        return Ok(());
    }
    Err(Text::new(
        format!(
            "{} {} is too many; at most {} are allowed.",
            thousands(n),
            what.0,
            thousands(max)
        ),
        format!(
            "{}个{}太多了；最多允许 {} 个。",
            thousands(n),
            what.1,
            thousands(max)
        ),
    ))
}

/// Checks that a name is at most [`MAX_NAME_BYTES`] long.
pub fn name(what: (&str, &str), name: &str) -> Result<(), Text> {
    if name.len() <= MAX_NAME_BYTES {
        return Ok(());
    }
    Err(Text::new(
        format!(
            "{} is {} bytes long; at most {MAX_NAME_BYTES} are allowed.",
            capitalised(what.0),
            thousands(name.len() as u64)
        ),
        format!(
            "{}有 {} 字节长；最多允许 {MAX_NAME_BYTES} 字节。",
            what.1,
            thousands(name.len() as u64)
        ),
    ))
}

/// The English name with its first letter capitalised (ASCII only: Unicode's case tables would
/// cost every page kilobytes).
fn capitalised(s: &str) -> alloc::string::String {
    let mut out = alloc::string::String::from(s);
    if let Some(first) = out.get_mut(..1) {
        first.make_ascii_uppercase();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_day_passes_and_a_day_and_a_millisecond_does_not() {
        assert!(span(("the wait", "等待时间"), MAX_SPAN_MS).is_ok());
        let e = span(("the wait", "等待时间"), MAX_SPAN_MS + 1).unwrap_err();
        assert_eq!(
            e.en,
            "The wait is 86,400,001 ms; at most a day of virtual time (86,400,000 ms) is allowed."
        );
        assert!(e.zh.starts_with("等待时间是 86,400,001 ms"));
        assert!(signed_span(("the jump", "跳变"), -(MAX_SPAN_MS as i64)).is_ok());
        assert!(signed_span(("the jump", "跳变"), i64::MIN).is_err());
    }

    #[test]
    fn counts_and_names_have_their_limits() {
        assert!(count(("virtual nodes", "虚拟节点"), 10, 10).is_ok());
        assert!(count(("virtual nodes", "虚拟节点"), 11, 10).is_err());
        assert!(name(("the queue's name", "队列名"), "q").is_ok());
        assert!(name(("the queue's name", "队列名"), &"q".repeat(201)).is_err());
    }
}
