//! A RabbitMQ producer publishes to an exchange, never to a queue: the exchange reads the message's
//! routing key and copies the message to every queue whose binding accepts that key. Students see
//! fanout routing (every bound queue), direct routing (binding key equals routing key) and topic
//! routing (dot-separated words, `*` exactly one word, `#` zero or more), as taught in syllabus
//! note 001 (RabbitMQ exchange types).

use alloc::collections::BTreeSet;
use alloc::string::String;
use alloc::vec;
use alloc::vec::Vec;

use serde::{Deserialize, Serialize};

// The topic rule follows RabbitMQ's code rather than the tutorial's prose, because the two agree
// only on tidy keys and students type untidy ones. Source: rabbitmq/rabbitmq-server,
// deps/rabbit/src/rabbit_db_topic_exchange.erl at commit 0e8ea17d20f33eb011e36561c1e5a7490ab938f5
// (RabbitMQ 4.x): split_topic_key/1 and split_topic_key_binary/1 for words, trie_match/5 and
// trie_match_skip_any/5 (and their _in_khepri twins) for matching. The same functions, with the
// same behaviour, are in src/rabbit_exchange_type_topic.erl back to RabbitMQ 2.x.

/// The words of a binding or routing key.
///
/// RabbitMQ turns the empty key into zero words (`split_topic_key(<<>>, [], []) -> []`) and splits
/// every other key at each '.', keeping empty words: "a." is ["a", ""], ".a" is ["", "a"], "a..b"
/// is ["a", "", "b"] and "." is ["", ""]. Rust's `split` gives one empty word for "", so that one
/// case drops it. Splitting on the byte '.' of a UTF-8 string equals RabbitMQ's byte-wise split.
fn words(key: &str) -> impl Iterator<Item = &str> {
    key.split('.').skip(usize::from(key.is_empty()))
}

/// Whether a topic binding key accepts a routing key already split into words.
///
/// RabbitMQ walks a trie of binding words: at each step it follows the edge named by the routing
/// word itself, the edge "*" (consuming one word) and the edge "#" (consuming zero, one, two, ...
/// words). Only a whole word "*" or "#" is a wildcard there, because edges are looked up by the
/// exact word; "a*" or "#b" is a literal word. A routing word "*" or "#" is looked up like any
/// other word, so it is literal too (it can still be matched by a binding wildcard).
///
/// Walking that rule by backtracking is exponential when a binding repeats `#`, so this computes
/// the same relation by dynamic programming: `reach[j]` says whether the binding words seen so far
/// can consume exactly the first `j` routing words. Time is O(binding words × routing words),
/// memory O(routing words).
fn matches_words(binding_key: &str, routing: &[&str]) -> bool {
    let m = routing.len();
    let mut reach = vec![false; m + 1];
    let mut next = vec![false; m + 1];
    reach[0] = true;
    for word in words(binding_key) {
        match word {
            "#" => {
                // Zero or more words: reachable at j if reachable at any k <= j.
                let mut any = false;
                for (n, &r) in next.iter_mut().zip(&reach) {
                    any |= r;
                    *n = any;
                }
            }
            "*" => {
                next[0] = false;
                for (n, &r) in next[1..].iter_mut().zip(&reach[..m]) {
                    *n = r;
                }
            }
            literal => {
                next[0] = false;
                for ((n, &r), &w) in next[1..].iter_mut().zip(&reach[..m]).zip(routing) {
                    *n = r && w == literal;
                }
            }
        }
        core::mem::swap(&mut reach, &mut next);
        if !reach.contains(&true) {
            return false;
        }
    }
    reach[m]
}

/// RabbitMQ's topic exchange rule: does a queue bound with `binding_key` receive a message
/// published with `routing_key`?
///
/// Both keys are words separated by '.'; in the binding a whole word `*` matches exactly one word
/// and a whole word `#` matches zero or more. The empty key has zero words, so "" is matched by
/// "", "#" and "#.#" but not by "*", while "a." has the two words "a" and "" and is matched by
/// "a.*" and "a.#" but not by "a". Never panics, and runs in O(binding words × routing words).
///
/// Recent RabbitMQ also refuses to create a topic binding whose key has more than two `#` words
/// (`validate_binding/2` in `rabbit_exchange_type_topic.erl`, `?MAX_HASH_WILDCARDS`); that guards
/// binding creation, not the rule, so such keys are still answered here.
pub fn topic_matches(binding_key: &str, routing_key: &str) -> bool {
    let routing: Vec<&str> = words(routing_key).collect();
    matches_words(binding_key, &routing)
}

/// The three exchange types of the lab.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExchangeKind {
    /// Queues whose binding key equals the routing key exactly.
    Direct,
    /// Every bound queue; the routing key is ignored.
    Fanout,
    /// Queues whose binding key matches the routing key word by word ([`topic_matches`]).
    Topic,
}

/// A queue bound to an exchange with a binding key.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Binding {
    pub queue: String,
    pub key: String,
}

/// An exchange and its bindings, as plain data.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exchange {
    pub name: String,
    pub kind: ExchangeKind,
    pub bindings: Vec<Binding>,
}

impl Exchange {
    /// The queues a message with this routing key reaches, each once, in binding order
    /// (a queue bound twice receives one copy, as in RabbitMQ).
    ///
    /// RabbitMQ's exchange types may return a queue several times ("The caller of these functions
    /// is responsible for deduplication", `rabbit_exchange_type_topic.erl`); `rabbit_exchange:route`
    /// collects the destinations into a map keyed by queue name (`process_route/2`; `lists:usort`
    /// in 3.x), so each queue gets one copy. The tutorial shows it with "lazy.pink.rabbit", which
    /// matches both bindings of one queue and is delivered to it once.
    pub fn route(&self, routing_key: &str) -> Vec<&str> {
        // Split the routing key once for all topic bindings.
        let routing: Vec<&str> = match self.kind {
            ExchangeKind::Topic => words(routing_key).collect(),
            ExchangeKind::Direct | ExchangeKind::Fanout => Vec::new(),
        };
        let mut seen = BTreeSet::new();
        self.bindings
            .iter()
            .filter(|b| match self.kind {
                ExchangeKind::Fanout => true,
                ExchangeKind::Direct => b.key == routing_key,
                ExchangeKind::Topic => matches_words(&b.key, &routing),
            })
            .map(|b| b.queue.as_str())
            .filter(|q| seen.insert(*q))
            .collect()
    }
}

