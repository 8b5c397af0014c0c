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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::string::ToString;
    use proptest::prelude::*;

    fn exchange(kind: ExchangeKind, bindings: &[(&str, &str)]) -> Exchange {
        Exchange {
            name: "x".to_string(),
            kind,
            bindings: bindings
                .iter()
                .map(|&(queue, key)| Binding {
                    queue: queue.to_string(),
                    key: key.to_string(),
                })
                .collect(),
        }
    }

    /// The bindings of `topic1/1` in rabbitmq-server deps/rabbit/test/routing_SUITE.erl
    /// (commit 4b6292b6488bc5acd4ab25ae7edb93ffff402b2b). t27 is bound twice with the same key
    /// (RabbitMQ's two bindings differ only in arguments, which this model does not have).
    const SUITE_BINDINGS: [(&str, &str); 28] = [
        ("t1", "a.b.c"),
        ("t2", "a.*.c"),
        ("t3", "a.#.b"),
        ("t4", "a.b.b.c"),
        ("t5", "#"),
        ("t6", "#.#"),
        ("t7", "#.b"),
        ("t8", "*.*"),
        ("t9", "a.*"),
        ("t10", "*.b.c"),
        ("t11", "a.#"),
        ("t12", "a.#.#"),
        ("t13", "b.b.c"),
        ("t14", "a.b.b"),
        ("t15", "a.b"),
        ("t16", "b.c"),
        ("t17", ""),
        ("t18", "*.*.*"),
        ("t19", "vodka.martini"),
        ("t20", "a.b.c"),
        ("t21", "*.#"),
        ("t22", "#.*.#"),
        ("t23", "*.#.#"),
        ("t24", "#.#.#"),
        ("t25", "*"),
        ("t26", "#.b.#"),
        ("t27", "args-test"),
        ("t27", "args-test"),
    ];

    #[test]
    fn rabbitmq_routing_suite_all_bindings() {
        let x = exchange(ExchangeKind::Topic, &SUITE_BINDINGS);
        let cases: [(&str, &[&str]); 12] = [
            (
                "a.b.c",
                &[
                    "t1", "t2", "t5", "t6", "t10", "t11", "t12", "t18", "t20", "t21", "t22", "t23",
                    "t24", "t26",
                ],
            ),
            (
                "a.b",
                &[
                    "t3", "t5", "t6", "t7", "t8", "t9", "t11", "t12", "t15", "t21", "t22", "t23",
                    "t24", "t26",
                ],
            ),
            (
                "a.b.b",
                &[
                    "t3", "t5", "t6", "t7", "t11", "t12", "t14", "t18", "t21", "t22", "t23", "t24",
                    "t26",
                ],
            ),
            ("", &["t5", "t6", "t17", "t24"]),
            (
                "b.c.c",
                &["t5", "t6", "t18", "t21", "t22", "t23", "t24", "t26"],
            ),
            (
                "a.a.a.a.a",
                &["t5", "t6", "t11", "t12", "t21", "t22", "t23", "t24"],
            ),
            ("vodka.gin", &["t5", "t6", "t8", "t21", "t22", "t23", "t24"]),
            (
                "vodka.martini",
                &["t5", "t6", "t8", "t19", "t21", "t22", "t23", "t24"],
            ),
            (
                "b.b.c",
                &[
                    "t5", "t6", "t10", "t13", "t18", "t21", "t22", "t23", "t24", "t26",
                ],
            ),
            (
                "nothing.here.at.all",
                &["t5", "t6", "t21", "t22", "t23", "t24"],
            ),
            ("oneword", &["t5", "t6", "t21", "t22", "t23", "t24", "t25"]),
            (
                "args-test",
                &["t5", "t6", "t21", "t22", "t23", "t24", "t25", "t27"],
            ),
        ];
        for (key, expected) in cases {
            assert_eq!(x.route(key), expected, "routing key {key:?}");
        }
    }

    #[test]
    fn rabbitmq_routing_suite_after_removing_bindings() {
        let mut x = exchange(ExchangeKind::Topic, &SUITE_BINDINGS);
        // The suite removes bindings 1, 5, 11, 19, 21 and 28 (1-based); t27 keeps one binding.
        for n in [28, 21, 19, 11, 5, 1] {
            x.bindings.remove(n - 1);
        }
        let cases: [(&str, &[&str]); 12] = [
            (
                "a.b.c",
                &[
                    "t2", "t6", "t10", "t12", "t18", "t20", "t22", "t23", "t24", "t26",
                ],
            ),
            (
                "a.b",
                &[
                    "t3", "t6", "t7", "t8", "t9", "t12", "t15", "t22", "t23", "t24", "t26",
                ],
            ),
            (
                "a.b.b",
                &[
                    "t3", "t6", "t7", "t12", "t14", "t18", "t22", "t23", "t24", "t26",
                ],
            ),
            ("", &["t6", "t17", "t24"]),
            ("b.c.c", &["t6", "t18", "t22", "t23", "t24", "t26"]),
            ("a.a.a.a.a", &["t6", "t12", "t22", "t23", "t24"]),
            ("vodka.gin", &["t6", "t8", "t22", "t23", "t24"]),
            ("vodka.martini", &["t6", "t8", "t22", "t23", "t24"]),
            (
                "b.b.c",
                &["t6", "t10", "t13", "t18", "t22", "t23", "t24", "t26"],
            ),
            ("nothing.here.at.all", &["t6", "t22", "t23", "t24"]),
            ("oneword", &["t6", "t22", "t23", "t24", "t25"]),
            ("args-test", &["t6", "t22", "t23", "t24", "t25", "t27"]),
        ];
        for (key, expected) in cases {
            assert_eq!(x.route(key), expected, "routing key {key:?}");
        }
        x.bindings.clear();
        for key in ["a.b.c", "b.b.c", ""] {
            assert!(x.route(key).is_empty());
        }
    }

    #[test]
    fn tutorial_five_topics() {
        let x = exchange(
            ExchangeKind::Topic,
            &[("Q1", "*.orange.*"), ("Q2", "*.*.rabbit"), ("Q2", "lazy.#")],
        );
        let cases: [(&str, &[&str]); 9] = [
            ("quick.orange.rabbit", &["Q1", "Q2"]),
            ("lazy.orange.elephant", &["Q1", "Q2"]),
            ("quick.orange.fox", &["Q1"]),
            ("lazy.brown.fox", &["Q2"]),
            // Matches both bindings of Q2, delivered once.
            ("lazy.pink.rabbit", &["Q2"]),
            ("quick.brown.fox", &[]),
            ("orange", &[]),
            ("quick.orange.new.rabbit", &[]),
            ("lazy.orange.new.rabbit", &["Q2"]),
        ];
        for (key, expected) in cases {
            assert_eq!(x.route(key), expected, "routing key {key:?}");
        }
    }

    #[test]
    fn edge_cases() {
        let cases: &[(&str, &str, bool)] = &[
            // The empty routing key has zero words.
            ("", "", true),
            ("#", "", true),
            ("#.#", "", true),
            ("#.#.#.#", "", true),
            ("*", "", false),
            ("*.#", "", false),
            ("#.*", "", false),
            ("a", "", false),
            (".", "", false),
            // The empty binding key matches only the empty routing key.
            ("", "a", false),
            ("", ".", false),
            ("", "#", false),
            // "." is two empty words.
            (".", ".", true),
            ("*.*", ".", true),
            ("#", ".", true),
            ("*", ".", false),
            ("*.*.*", ".", false),
            // Empty words inside, before and after.
            ("a..b", "a..b", true),
            ("a.*.b", "a..b", true),
            ("a.#.b", "a..b", true),
            ("a.b", "a..b", false),
            ("a.#.b", "a.b", true),
            (".a", ".a", true),
            ("*.a", ".a", true),
            ("#.a", ".a", true),
            ("a", ".a", false),
            ("#.a", "a", true),
            ("a.", "a.", true),
            ("a.*", "a.", true),
            ("a.#", "a.", true),
            ("a", "a.", false),
            ("a.", "a", false),
            ("a.#", "a", true),
            ("a.*", "a", false),
            // Repeated '#'.
            ("#.#", "a.b.c", true),
            ("a.#.#.b", "a.b", true),
            ("a.#.#.b", "a.x.y.b", true),
            ("a.#.#.b", "a", false),
            ("a.#.#.b", "b.a", false),
            ("#.#.b.#.#", "b", true),
            ("#.*.#", "a", true),
            ("#.*.#", "", false),
            ("#.*.*.#", "a", false),
            // '#' at the start, in the middle and at the end.
            ("#.c", "a.b.c", true),
            ("#.c", "c", true),
            ("#.c", "c.d", false),
            ("a.#.c", "a.c", true),
            ("a.#.c", "a.b.b.c", true),
            ("a.#.c", "a.b.b", false),
            ("a.#", "b", false),
            ("#.b.#", "b", true),
            ("#.b.#", "a.c", false),
            // A '*' or '#' inside a longer word is a literal.
            ("a*", "ab", false),
            ("a*", "a", false),
            ("a*", "a*", true),
            ("*a", "xa", false),
            ("a#", "a", false),
            ("a#", "a.b", false),
            ("a#", "a#", true),
            ("#a", "a", false),
            ("#a", "x.a", false),
            ("**", "x", false),
            ("##", "", false),
            ("##", "x.y", false),
            ("##", "##", true),
            ("*.a*", "x.a*", true),
            ("*.a*", "x.ab", false),
            // In the routing key, '*' and '#' are ordinary words.
            ("a", "*", false),
            ("a", "#", false),
            ("*", "#", true),
            ("#", "*", true),
            ("a.b", "a.*", false),
            ("a.*", "a.#", true),
            ("a.#", "a.#", true),
            ("*", "a.#", false),
            // Words compare exactly: case and Unicode.
            ("A", "a", false),
            ("*.橙色.*", "快.橙色.兔", true),
            ("*.橙色.*", "快.橙.兔", false),
        ];
        for &(binding, routing, expected) in cases {
            assert_eq!(
                topic_matches(binding, routing),
                expected,
                "binding {binding:?}, routing {routing:?}"
            );
        }
    }

    #[test]
    fn many_hashes_are_not_exponential() {
        // Backtracking would try every way of sharing the words among the '#'s: far too many to
        // finish. The table is 41 × 2001 cells.
        let binding = ["#"; 40].join(".") + ".x";
        let many_a = ["a"; 2000].join(".");
        assert!(!topic_matches(&binding, &many_a));
        assert!(topic_matches(&binding, &(many_a.clone() + ".x")));
        let alternating = ["#.*"; 30].join(".") + ".#.x";
        assert!(!topic_matches(&alternating, &many_a));
        assert!(topic_matches(&alternating, &(many_a + ".x")));
        let adversarial = "#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.#.x";
        assert!(!topic_matches(adversarial, &["y"; 500].join(".")));
    }

    #[test]
    fn direct_compares_whole_keys() {
        let x = exchange(
            ExchangeKind::Direct,
            &[
                ("errors", "error"),
                ("all", "error"),
                ("all", "warning"),
                ("star", "*"),
                ("hash", "#"),
                ("empty", ""),
            ],
        );
        assert_eq!(x.route("error"), ["errors", "all"]);
        assert_eq!(x.route("warning"), ["all"]);
        assert_eq!(x.route("info"), Vec::<&str>::new());
        // No wildcards in a direct exchange.
        assert_eq!(x.route("*"), ["star"]);
        assert_eq!(x.route("#"), ["hash"]);
        assert_eq!(x.route(""), ["empty"]);
        assert_eq!(x.route("Error"), Vec::<&str>::new());
        assert_eq!(x.route("error."), Vec::<&str>::new());
    }

    #[test]
    fn fanout_ignores_the_key_and_sends_one_copy_per_queue() {
        let x = exchange(
            ExchangeKind::Fanout,
            &[("b", "x"), ("a", ""), ("b", "y"), ("c", "#")],
        );
        for key in ["", "x", "anything.at.all", "#"] {
            assert_eq!(x.route(key), ["b", "a", "c"]);
        }
        assert!(exchange(ExchangeKind::Fanout, &[]).route("x").is_empty());
    }

    #[test]
    fn topic_sends_one_copy_in_first_binding_order() {
        let x = exchange(
            ExchangeKind::Topic,
            &[("q2", "a.#"), ("q1", "#"), ("q2", "*.b"), ("q3", "c")],
        );
        assert_eq!(x.route("a.b"), ["q2", "q1"]);
        assert_eq!(x.route("c"), ["q1", "q3"]);
    }

    #[test]
    fn serde_shapes() {
        assert_eq!(
            serde_json::to_string(&ExchangeKind::Fanout).unwrap(),
            "\"fanout\""
        );
        let x = exchange(ExchangeKind::Topic, &[("q", "a.#")]);
        let json = serde_json::to_string(&x).unwrap();
        assert_eq!(
            json,
            r#"{"name":"x","kind":"topic","bindings":[{"queue":"q","key":"a.#"}]}"#
        );
        assert_eq!(serde_json::from_str::<Exchange>(&json).unwrap(), x);
    }

    /// An independent reference: the words as RabbitMQ's `split_topic_key` builds them, and the
    /// rule as plain backtracking over word slices.
    fn reference_words(key: &str) -> Vec<&str> {
        if key.is_empty() {
            Vec::new()
        } else {
            key.split('.').collect()
        }
    }

    fn reference_matches(binding: &[&str], routing: &[&str]) -> bool {
        match binding.split_first() {
            None => routing.is_empty(),
            Some((&"#", rest)) => {
                (0..=routing.len()).any(|k| reference_matches(rest, &routing[k..]))
            }
            Some((&"*", rest)) => !routing.is_empty() && reference_matches(rest, &routing[1..]),
            Some((word, rest)) => {
                routing.first() == Some(word) && reference_matches(rest, &routing[1..])
            }
        }
    }

    fn reference(binding: &str, routing: &str) -> bool {
        reference_matches(&reference_words(binding), &reference_words(routing))
    }

    /// Keys built from whole words, including the empty word and wildcards inside longer words.
    fn word_key() -> impl Strategy<Value = String> {
        prop::collection::vec(
            prop::sample::select(vec!["a", "b", "", "*", "#", "a*", "#b"]),
            0..7,
        )
        .prop_map(|words| words.join("."))
    }

    /// Keys built character by character, so runs of dots and dots at either end are common.
    fn char_key() -> impl Strategy<Value = String> {
        "[ab.*#]{0,12}"
    }

    proptest! {
        #[test]
        fn agrees_with_the_reference_on_word_keys(binding in word_key(), routing in word_key()) {
            prop_assert_eq!(topic_matches(&binding, &routing), reference(&binding, &routing));
        }

        #[test]
        fn agrees_with_the_reference_on_character_keys(binding in char_key(), routing in char_key()) {
            prop_assert_eq!(topic_matches(&binding, &routing), reference(&binding, &routing));
        }

        #[test]
        fn route_never_panics_and_sends_one_copy_per_queue(
            kind in prop::sample::select(vec![ExchangeKind::Direct, ExchangeKind::Fanout, ExchangeKind::Topic]),
            bindings in prop::collection::vec(
                (prop::sample::select(vec!["q1", "q2", "q3", "q4"]), prop_oneof![word_key(), char_key(), any::<String>()]),
                0..8,
            ),
            routing in prop_oneof![word_key(), char_key(), any::<String>()],
        ) {
            let x = Exchange {
                name: "x".to_string(),
                kind,
                bindings: bindings
                    .iter()
                    .map(|(q, k)| Binding { queue: q.to_string(), key: k.clone() })
                    .collect(),
            };
            let routed = x.route(&routing);
            // The queues whose first accepting binding comes earliest come first, each once.
            let mut expected: Vec<&str> = Vec::new();
            for b in &x.bindings {
                let accepts = match kind {
                    ExchangeKind::Fanout => true,
                    ExchangeKind::Direct => b.key == routing,
                    ExchangeKind::Topic => reference(&b.key, &routing),
                };
                if accepts && !expected.contains(&b.queue.as_str()) {
                    expected.push(&b.queue);
                }
            }
            prop_assert_eq!(routed, expected);
        }
    }
}
