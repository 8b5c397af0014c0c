//! The glossary (`GLOSSARY.md` at the repository's root) holds one 中文 term per concept; this test
//! checks every lab's text against it: no rejected variant anywhere it applies, and every term in
//! use. The text is every string literal with Chinese in it in the core's and the web crate's
//! sources, where every lesson, note, invariant name and label is written.

use std::collections::BTreeMap;
use std::fs;
use std::path::{Path, PathBuf};

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// One row of the glossary's table.
#[derive(Debug)]
struct Rule {
    english: String,
    terms: Vec<String>,
    not: Vec<String>,
    /// Lab ids, or empty for every lab and the shared code.
    labs: Vec<String>,
    except: Vec<String>,
}

fn cells(line: &str) -> Vec<String> {
    line.trim()
        .trim_matches('|')
        .split('|')
        .map(|c| c.trim().to_string())
        .collect()
}

fn split(cell: &str, sep: char) -> Vec<String> {
    cell.split(sep)
        .map(|s| s.trim().to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

fn rules() -> Vec<Rule> {
    let text = fs::read_to_string(root().join("GLOSSARY.md")).expect("GLOSSARY.md at the root");
    let mut rows = text.lines().filter(|l| l.trim_start().starts_with('|'));
    let header = cells(rows.next().expect("the glossary has a table"));
    assert_eq!(header, ["English", "中文", "not", "in", "except"]);
    rows.next(); // |---|
    let rules: Vec<Rule> = rows
        .map(|row| {
            let c = cells(row);
            assert_eq!(c.len(), 5, "a glossary row has five cells: {row}");
            let labs = split(&c[3], ',');
            Rule {
                english: c[0].clone(),
                terms: split(&c[1], '/'),
                not: split(&c[2], ','),
                labs: if labs == ["all"] { Vec::new() } else { labs },
                except: split(&c[4], ','),
            }
        })
        .collect();
    assert!(rules.len() >= 10, "the glossary lost its rows");
    rules
}

/// The lab a source file belongs to, or "" for shared code.
fn lab_of(path: &str) -> &'static str {
    let name = path.rsplit('/').next().unwrap_or(path);
    if path.ends_with("web/src/jms/ledger.rs") {
        ""
    } else if path.contains("/mq/jms")
        || path.ends_with("mq/selector.rs")
        || path.contains("web/src/jms")
    {
        "jms"
    } else if name.starts_with("activemq") {
        "activemq"
    } else if name.starts_with("rabbit") {
        "rabbitmq"
    } else if path.ends_with("mq/flow.rs") || path.ends_with("web/src/flow.rs") {
        "flow"
    } else if path.contains("/locks") || path.ends_with("web/src/explorer.rs") {
        "locks"
    } else if path.contains("/ring") {
        "ring"
    } else {
        ""
    }
}

/// A string literal with Chinese in it: where it is, and its text.
struct Literal {
    file: String,
    line: usize,
    lab: &'static str,
    text: String,
}

fn has_chinese(s: &str) -> bool {
    s.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c))
}

/// The string literals of one line of Rust (comments left out).
fn literals_of(line: &str) -> Vec<String> {
    if line.trim_start().starts_with("//") {
        return Vec::new();
    }
    let mut out = Vec::new();
    let mut chars = line.chars().peekable();
    let mut current: Option<String> = None;
    let mut prev = ' ';
    while let Some(c) = chars.next() {
        match current.as_mut() {
            None if c == '"' && prev != '\'' => current = Some(String::new()),
            None if c == '/' && chars.peek() == Some(&'/') => break,
            None => {}
            Some(s) if c == '\\' => {
                if let Some(n) = chars.next() {
                    s.push('\\');
                    s.push(n);
                }
            }
            Some(_) if c == '"' => out.push(current.take().unwrap_or_default()),
            Some(s) => s.push(c),
        }
        prev = c;
    }
    out
}

fn rust_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for entry in fs::read_dir(dir).expect("a source folder") {
        let path = entry.expect("a folder entry").path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
}

fn chinese_literals() -> Vec<Literal> {
    let mut files = Vec::new();
    for dir in ["crates/core/src", "crates/web/src"] {
        rust_files(&root().join(dir), &mut files);
    }
    files.sort();
    let mut out = Vec::new();
    for path in files {
        let text = fs::read_to_string(&path).expect("a source file");
        let rel = path
            .strip_prefix(root())
            .unwrap_or(&path)
            .to_string_lossy()
            .replace('\\', "/");
        let rel = rel.trim_start_matches("./").to_string();
        let lab = lab_of(&rel);
        for (i, line) in text.lines().enumerate() {
            for lit in literals_of(line).into_iter().filter(|l| has_chinese(l)) {
                out.push(Literal {
                    file: rel.clone(),
                    line: i + 1,
                    lab,
                    text: lit,
                });
            }
        }
    }
    assert!(
        out.len() > 500,
        "found only {} literals with Chinese",
        out.len()
    );
    out
}

fn applies(rule: &Rule, lab: &str) -> bool {
    rule.labs.is_empty() || rule.labs.iter().any(|l| l == lab)
}

/// `{…}` format placeholders removed: `{broker}` names a variable, not a word of the text.
fn without_placeholders(text: &str) -> String {
    let mut out = String::new();
    let mut depth = 0;
    for c in text.chars() {
        match c {
            '{' => depth += 1,
            '}' if depth > 0 => depth -= 1,
            _ if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

/// Where `word` occurs in `text` as a word of its own: Latin words must not run into other
/// letters (so "broker" is not found in "brokerPath"), Chinese ones may; an occurrence inside one
/// of `except` does not count.
fn occurs(text: &str, word: &str, except: &[String]) -> bool {
    let latin = word.chars().all(|c| c.is_ascii_alphabetic());
    let mut masked = text.to_string();
    for e in except {
        masked = masked.replace(e.as_str(), &"\u{2591}".repeat(e.chars().count()));
    }
    masked.match_indices(word).any(|(i, _)| {
        if !latin {
            return true;
        }
        let before = masked[..i].chars().next_back();
        let after = masked[i + word.len()..].chars().next();
        !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
            && !after.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_')
    })
}

#[test]
fn the_text_of_every_lab_uses_the_glossarys_terms() {
    let rules = rules();
    let literals = chinese_literals();
    let mut wrong: Vec<String> = Vec::new();
    let mut used: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for lit in &literals {
        let text = without_placeholders(&lit.text);
        for (r, rule) in rules.iter().enumerate() {
            if !applies(rule, lit.lab) {
                continue;
            }
            for bad in &rule.not {
                if occurs(&text, bad, &rule.except) {
                    wrong.push(format!(
                        "{}:{}: \"{bad}\" where the glossary says {} ({}): {}",
                        lit.file,
                        lit.line,
                        rule.terms.join(" / "),
                        rule.english,
                        lit.text
                    ));
                }
            }
            for (t, term) in rule.terms.iter().enumerate() {
                if occurs(&text, term, &[]) {
                    *used.entry((r, t)).or_default() += 1;
                }
            }
        }
    }
    for (r, rule) in rules.iter().enumerate() {
        for (t, term) in rule.terms.iter().enumerate() {
            if !used.contains_key(&(r, t)) {
                wrong.push(format!(
                    "the glossary's term {term} ({}) is used nowhere in {}",
                    rule.english,
                    if rule.labs.is_empty() {
                        "the labs".to_string()
                    } else {
                        rule.labs.join(", ")
                    }
                ));
            }
        }
    }
    assert!(
        wrong.is_empty(),
        "{} places break the glossary (GLOSSARY.md):\n{}",
        wrong.len(),
        wrong.join("\n")
    );
}

#[test]
fn the_checker_finds_words_and_skips_placeholders_comments_and_exceptions() {
    assert!(occurs("Broker 宕机了", "宕机", &[]));
    assert!(!occurs("brokerPath 记下了", "broker", &[]));
    assert!(occurs("这个 broker 上", "broker", &[]));
    assert!(!occurs(
        "生产者确认到了",
        "确认",
        &["生产者确认".to_string()]
    ));
    assert!(occurs(
        "生产者确认，消费者确认",
        "确认",
        &["生产者确认".to_string()]
    ));
    assert_eq!(without_placeholders("{broker} 宕机"), " 宕机");
    assert_eq!(
        literals_of(r#"tr(lang, "crash", "宕机") // "崩溃""#),
        ["crash", "宕机"]
    );
    assert!(literals_of(r#"    // "崩溃""#).is_empty());
    assert_eq!(literals_of(r#"f("a\"b", '"')"#), [r#"a\"b"#]);
    assert_eq!(lab_of("crates/web/src/jms/ledger.rs"), "");
    assert_eq!(lab_of("crates/web/src/jms/graph.rs"), "jms");
    assert_eq!(
        lab_of("crates/core/src/mq/activemq_scenarios.rs"),
        "activemq"
    );
    assert_eq!(lab_of("crates/core/src/locks/lab.rs"), "locks");
}
