//! Bilingual text. Every title, narration line, question and message the core produces exists in
//! 中文 and English, written natively in each language.

use alloc::format;
use alloc::string::{String, ToString};
use serde::{Deserialize, Serialize};

/// The two languages of the playground.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub enum Lang {
    #[default]
    En,
    Zh,
}

impl Lang {
    /// The BCP 47 tag used for the `lang` attribute and for storage.
    pub fn tag(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Zh => "zh",
        }
    }

    /// Picks a language from a browser language tag such as `zh-CN` or `en-GB`.
    pub fn from_tag(tag: &str) -> Option<Lang> {
        let lower = tag.trim().to_ascii_lowercase();
        if lower.starts_with("zh") {
            Some(Lang::Zh)
        } else if lower.starts_with("en") {
            Some(Lang::En)
        } else {
            None
        }
    }
}

/// A piece of text in both languages.
#[derive(Clone, Debug, PartialEq, Eq, Hash, Serialize, Deserialize, Default)]
pub struct Text {
    pub en: String,
    pub zh: String,
}

impl Text {
    pub fn new(en: impl Into<String>, zh: impl Into<String>) -> Text {
        Text {
            en: en.into(),
            zh: zh.into(),
        }
    }

    pub fn get(&self, lang: Lang) -> &str {
        match lang {
            Lang::En => &self.en,
            Lang::Zh => &self.zh,
        }
    }

    /// True when either language is missing; scenarios are checked for this in the tests.
    pub fn is_incomplete(&self) -> bool {
        self.en.trim().is_empty() || self.zh.trim().is_empty()
    }
}

/// Groups digits by thousands, the one way numbers are written in both languages: 10000 → 10,000.
pub fn thousands(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A count and its noun in English, singular for one: `plural(1, "consumer", "consumers")` is
/// "1 consumer", `plural(4, …)` "4 consumers"; counts are grouped by thousands.
pub fn plural(n: u64, one: &str, many: &str) -> String {
    let mut out = thousands(n);
    out.push(' ');
    out.push_str(if n == 1 { one } else { many });
    out
}

/// A list as each language writes it: `("m1, m2", "m1、m2")`.
pub fn list<S: AsRef<str>>(items: &[S]) -> (String, String) {
    let mut en = String::new();
    let mut zh = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            en.push_str(", ");
            zh.push('、');
        }
        en.push_str(item.as_ref());
        zh.push_str(item.as_ref());
    }
    (en, zh)
}

/// An English ordinal: 1st, 2nd, 3rd, 4th, 11th, 12th, 13th, 21st, 112th.
pub fn ordinal(n: u64) -> String {
    let suffix = match (n % 10, n % 100) {
        (_, 11..=13) => "th",
        (1, _) => "st",
        (2, _) => "nd",
        (3, _) => "rd",
        _ => "th",
    };
    let mut out = n.to_string();
    out.push_str(suffix);
    out
}

/// A span of (virtual) time in the largest whole unit each language writes it in: 300 ms → "300 ms"
/// / "300 毫秒", 10,000 ms → "10 s" / "10 秒", 60,000 ms → "1 min" / "1 分钟", 1,500 ms → "1,500 ms".
pub fn duration(ms: u64) -> Text {
    let (n, en, zh) = if ms >= 60_000 && ms.is_multiple_of(60_000) {
        (ms / 60_000, "min", "分钟")
    } else if ms >= 1000 && ms.is_multiple_of(1000) {
        (ms / 1000, "s", "秒")
    } else {
        (ms, "ms", "毫秒")
    };
    let n = thousands(n);
    Text::new(format!("{n} {en}"), format!("{n} {zh}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn durations_take_the_largest_whole_unit() {
        assert_eq!(duration(100).en, "100 ms");
        assert_eq!(duration(100).zh, "100 毫秒");
        assert_eq!(duration(1_500).en, "1,500 ms");
        assert_eq!(duration(10_000).en, "10 s");
        assert_eq!(duration(10_000).zh, "10 秒");
        assert_eq!(duration(90_000).en, "90 s");
        assert_eq!(duration(120_000).zh, "2 分钟");
        assert_eq!(duration(0).en, "0 ms");
    }

    #[test]
    fn lists_are_written_as_each_language_writes_them() {
        assert_eq!(
            list(&["m1", "m2", "m3"]),
            ("m1, m2, m3".into(), "m1、m2、m3".into())
        );
        assert_eq!(list(&["N1"]), ("N1".into(), "N1".into()));
        assert_eq!(list::<&str>(&[]), (String::new(), String::new()));
    }

    #[test]
    fn counts_and_ordinals_read_as_english() {
        assert_eq!(plural(1, "consumer", "consumers"), "1 consumer");
        assert_eq!(plural(0, "key", "keys"), "0 keys");
        assert_eq!(plural(8265, "key", "keys"), "8,265 keys");
        let ordinals: alloc::vec::Vec<String> = [1, 2, 3, 4, 11, 12, 13, 21, 22, 23, 101, 111, 112]
            .map(ordinal)
            .into();
        assert_eq!(
            ordinals,
            [
                "1st", "2nd", "3rd", "4th", "11th", "12th", "13th", "21st", "22nd", "23rd",
                "101st", "111th", "112th"
            ]
        );
    }

    #[test]
    fn thousands_are_grouped() {
        assert_eq!(thousands(0), "0");
        assert_eq!(thousands(999), "999");
        assert_eq!(thousands(1_000), "1,000");
        assert_eq!(thousands(10_000), "10,000");
        assert_eq!(thousands(1_000_000), "1,000,000");
        assert_eq!(thousands(u64::MAX), "18,446,744,073,709,551,615");
    }

    #[test]
    fn browser_tags_pick_the_language() {
        assert_eq!(Lang::from_tag("zh-CN"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("zh-Hant-TW"), Some(Lang::Zh));
        assert_eq!(Lang::from_tag("en-GB"), Some(Lang::En));
        assert_eq!(Lang::from_tag("fr-FR"), None);
    }

    #[test]
    fn text_returns_the_requested_language() {
        let t = Text::new("ring", "哈希环");
        assert_eq!(t.get(Lang::En), "ring");
        assert_eq!(t.get(Lang::Zh), "哈希环");
        assert!(!t.is_incomplete());
        assert!(Text::new("only english", " ").is_incomplete());
    }
}
