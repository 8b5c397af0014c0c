//! A JMS message selector is a condition over a message's header fields and properties, written in
//! a subset of SQL-92 such as `JMSType = 'car' AND weight > 2500`, and a consumer that sets one is
//! handed only the messages that make it TRUE. Students see the consequence: a consumer with a
//! selector leaves every message that does not match in the queue, where it waits for another
//! consumer or for ever; syllabus note 001 teaches it, and this module parses selectors (with
//! bilingual errors that point at the mistake) and evaluates them with SQL's three-valued logic.

// Sources. The rules come from JMS 1.1 section 3.8.1.1, "Message Selector Syntax", whose text is
// also the javadoc of `javax.jms.Message` and is kept unchanged by JMS 2.0. Where the spec is
// silent, or where a student will meet a different answer in the broker the course uses, the
// choice is written next to the code and summed up on [`Selector`]; the ActiveMQ behaviour quoted
// is from apache/activemq, activemq-client/src/main/java/org/apache/activemq/filter/:
// ComparisonExpression.java (commit 17956eb9936326345bae752ad04bd971c4abbedd),
// ArithmeticExpression.java (2cc17a2fa06b86fef58bd26141d29bb5cb0d715d) and UnaryExpression.java
// (288b9ae983dc344a9fe2da974e7da757d888c836).

use alloc::boxed::Box;
use alloc::collections::BTreeMap;
use alloc::format;
use alloc::string::{String, ToString};
use alloc::vec::Vec;
use core::cmp::Ordering;
use core::fmt;
use core::ops::Not;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use crate::text::Text;

/// The longest selector accepted, in characters. A selector is typed by hand; the limit keeps
/// parsing and evaluation cheap whatever is pasted into the box.
pub const MAX_LEN: usize = 4096;

/// How deeply parentheses, `NOT` and signs may nest. Parsing and evaluation recurse once per level,
/// so the limit is what keeps `((((…` from overflowing the stack in the browser.
pub const MAX_DEPTH: usize = 64;

/// The value of a header field or property, as a selector sees it.
///
/// JMS properties may also be `byte`, `short`, `int` or `float`; they compare and compute like the
/// `Long` or `Double` they widen to, so the caller widens them. In JSON a value is written bare:
/// `true`, `2500`, `2.5` or `"blue"` (a whole number is a `Long`, a number with a fraction or an
/// exponent is a `Double`).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum Value {
    Bool(bool),
    Long(i64),
    Double(f64),
    Str(String),
}

impl From<bool> for Value {
    fn from(b: bool) -> Value {
        Value::Bool(b)
    }
}

impl From<i64> for Value {
    fn from(n: i64) -> Value {
        Value::Long(n)
    }
}

impl From<f64> for Value {
    fn from(d: f64) -> Value {
        Value::Double(d)
    }
}

impl From<&str> for Value {
    fn from(s: &str) -> Value {
        Value::Str(s.to_string())
    }
}

impl From<String> for Value {
    fn from(s: String) -> Value {
        Value::Str(s)
    }
}

/// Where a selector reads header fields and properties from.
pub trait Fields {
    /// The value of the header field or property `name` (names are case-sensitive), or `None` when
    /// the message has no such field; the selector then sees NULL.
    fn field(&self, name: &str) -> Option<Value>;
}

impl Fields for BTreeMap<String, Value> {
    fn field(&self, name: &str) -> Option<Value> {
        self.get(name).cloned()
    }
}

/// SQL's three truth values. A message is selected only when its selector is `True`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum Truth {
    True,
    False,
    /// The answer depends on a NULL: a missing property, arithmetic on one, a division by zero.
    Unknown,
}

impl Truth {
    /// SQL AND: FALSE wins, then UNKNOWN.
    pub fn and(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::False, _) | (_, Truth::False) => Truth::False,
            (Truth::True, Truth::True) => Truth::True,
            _ => Truth::Unknown,
        }
    }

    /// SQL OR: TRUE wins, then UNKNOWN.
    pub fn or(self, other: Truth) -> Truth {
        match (self, other) {
            (Truth::True, _) | (_, Truth::True) => Truth::True,
            (Truth::False, Truth::False) => Truth::False,
            _ => Truth::Unknown,
        }
    }

    pub fn is_true(self) -> bool {
        self == Truth::True
    }

    /// The name the views show.
    pub fn label(self) -> Text {
        match self {
            Truth::True => Text::new("TRUE", "真(TRUE)"),
            Truth::False => Text::new("FALSE", "假(FALSE)"),
            Truth::Unknown => Text::new("UNKNOWN", "未知(UNKNOWN)"),
        }
    }
}

impl Not for Truth {
    type Output = Truth;

    /// SQL NOT: UNKNOWN stays UNKNOWN.
    fn not(self) -> Truth {
        match self {
            Truth::True => Truth::False,
            Truth::False => Truth::True,
            Truth::Unknown => Truth::Unknown,
        }
    }
}

impl From<bool> for Truth {
    fn from(b: bool) -> Truth {
        if b {
            Truth::True
        } else {
            Truth::False
        }
    }
}

/// Why a selector was refused, in both languages, with the part of the text to underline.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectorError {
    pub message: Text,
    /// Byte offset in the selector text where the problem starts. It is `text.len()` when the
    /// selector ends too early.
    pub offset: usize,
    /// Byte offset just past the problem (`end >= offset`); both are on character boundaries.
    pub end: usize,
}

impl fmt::Display for SelectorError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{} (at byte {})", self.message.en, self.offset)
    }
}

impl core::error::Error for SelectorError {}

fn error(offset: usize, end: usize, en: String, zh: String) -> SelectorError {
    SelectorError {
        message: Text::new(en, zh),
        offset,
        end: end.max(offset),
    }
}

/// An arithmetic operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum ArithOp {
    Add,
    Sub,
    Mul,
    Div,
}

impl ArithOp {
    fn symbol(self) -> &'static str {
        match self {
            ArithOp::Add => "+",
            ArithOp::Sub => "-",
            ArithOp::Mul => "*",
            ArithOp::Div => "/",
        }
    }
}

/// A comparison operator.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CompareOp {
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
}

impl CompareOp {
    fn symbol(self) -> &'static str {
        match self {
            CompareOp::Eq => "=",
            CompareOp::Ne => "<>",
            CompareOp::Lt => "<",
            CompareOp::Le => "<=",
            CompareOp::Gt => ">",
            CompareOp::Ge => ">=",
        }
    }

    fn is_ordering(self) -> bool {
        !matches!(self, CompareOp::Eq | CompareOp::Ne)
    }
}

/// A parsed selector. Chains of `AND`, `OR` and of arithmetic operators at one precedence level
/// are kept flat, so the tree is only as deep as the nesting of parentheses, `NOT` and signs.
#[derive(Clone, Debug, PartialEq)]
pub enum Expr {
    /// `'car'`, `2500`, `7E3`, `TRUE`.
    Literal(Value),
    /// A header field or property, by name; NULL when the message has none.
    Field(String),
    /// A sign in front of something other than a number literal: `-weight`.
    Sign {
        negative: bool,
        operand: Box<Expr>,
    },
    /// `first op1 e1 op2 e2 …`, evaluated left to right; all operators of one precedence level.
    Arithmetic {
        first: Box<Expr>,
        rest: Vec<(ArithOp, Expr)>,
    },
    Compare {
        op: CompareOp,
        left: Box<Expr>,
        right: Box<Expr>,
    },
    /// `value [NOT] BETWEEN low AND high`, bounds included.
    Between {
        negated: bool,
        value: Box<Expr>,
        low: Box<Expr>,
        high: Box<Expr>,
    },
    /// `field [NOT] IN ('a', 'b', …)`.
    In {
        negated: bool,
        field: String,
        values: Vec<String>,
    },
    /// `field [NOT] LIKE 'pattern' [ESCAPE 'c']`.
    Like {
        negated: bool,
        field: String,
        pattern: LikePattern,
    },
    /// `operand IS [NOT] NULL`.
    IsNull {
        negated: bool,
        operand: Box<Expr>,
    },
    Not(Box<Expr>),
    And(Vec<Expr>),
    Or(Vec<Expr>),
}

/// One step of a compiled LIKE pattern.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum LikePart {
    Char(char),
    /// `_`: exactly one character.
    One,
    /// `%`: any sequence of characters, the empty one included.
    Any,
}

/// A LIKE pattern with its escape character, compiled once at parse time.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LikePattern {
    pattern: String,
    escape: Option<char>,
    parts: Vec<LikePart>,
}

impl LikePattern {
    /// Compiles `pattern`; on a bad escape, returns the character index (in `pattern`) of the
    /// escape character that is not followed by `_`, `%` or itself.
    fn compile(pattern: &str, escape: Option<char>) -> Result<LikePattern, usize> {
        let mut parts = Vec::new();
        let mut chars = pattern.chars().enumerate();
        while let Some((i, c)) = chars.next() {
            if Some(c) == escape {
                // SQL-92 calls any other escape sequence an error; ActiveMQ instead reads a lone
                // escape character as itself. The pattern is a literal, so the error is caught
                // while parsing, where the student can see it.
                match chars.next() {
                    Some((_, next)) if next == '_' || next == '%' || Some(next) == escape => {
                        parts.push(LikePart::Char(next));
                    }
                    _ => return Err(i),
                }
            } else if c == '%' {
                if parts.last() != Some(&LikePart::Any) {
                    parts.push(LikePart::Any);
                }
            } else if c == '_' {
                parts.push(LikePart::One);
            } else {
                parts.push(LikePart::Char(c));
            }
        }
        Ok(LikePattern {
            pattern: pattern.to_string(),
            escape,
            parts,
        })
    }

    /// The pattern as written, without its quotes.
    pub fn pattern(&self) -> &str {
        &self.pattern
    }

    pub fn escape(&self) -> Option<char> {
        self.escape
    }

    /// Whether the whole of `text` matches. Case-sensitive; `_` is one Unicode character.
    ///
    /// Greedy matching that, on a mismatch, lets the most recent `%` swallow one more character.
    /// Going back to the latest `%` only is enough, because anything an earlier `%` could absorb
    /// the latest one can absorb too; time is O(pattern × text), with no recursion.
    pub fn matches(&self, text: &str) -> bool {
        let text: Vec<char> = text.chars().collect();
        let parts = &self.parts;
        let (mut t, mut p) = (0, 0);
        // After the latest `%`: where the pattern resumes and how much text it has swallowed.
        let mut retry: Option<(usize, usize)> = None;
        while t < text.len() {
            match parts.get(p) {
                Some(LikePart::One) => {
                    t += 1;
                    p += 1;
                    continue;
                }
                Some(LikePart::Char(c)) if *c == text[t] => {
                    t += 1;
                    p += 1;
                    continue;
                }
                Some(LikePart::Any) => {
                    p += 1;
                    retry = Some((p, t));
                    continue;
                }
                _ => {}
            }
            match retry {
                Some((resume, swallowed)) => {
                    p = resume;
                    t = swallowed + 1;
                    retry = Some((resume, t));
                }
                None => return false,
            }
        }
        parts[p.min(parts.len())..]
            .iter()
            .all(|part| *part == LikePart::Any)
    }
}

/// A parsed JMS message selector.
///
/// Where JMS 1.1 section 3.8.1.1 is silent, or where ActiveMQ answers differently, this module
/// chooses as follows.
///
/// - **Types that cannot be compared.** The spec: "If the comparison of non-like type values is
///   attempted, the value of the operation is false." That holds for every comparison operator,
///   `<>` included, so `'21' <> 21` is FALSE. ActiveMQ builds `<>` as `NOT (=)` and answers TRUE.
/// - **Strings and booleans** support only `=` and `<>`. With a literal operand (`name < 'm'`) that
///   is a parse error, as in ActiveMQ; between two properties (`name < other`) it is FALSE at run
///   time, where ActiveMQ compares the strings alphabetically. Comparing two literals or
///   conditions whose types can never match (`'a' = 1`, `TRUE = 'x'`) is also a parse error.
/// - **`IN`, `LIKE`, `BETWEEN` on the wrong type.** Following the spec's equivalences, `x IN (…)`
///   and `x LIKE …` on a non-string are FALSE, so `NOT IN` and `NOT LIKE` are TRUE; `BETWEEN`
///   and `NOT BETWEEN` (= `x < low OR x > high`) on a non-number are both FALSE. ActiveMQ agrees
///   for LIKE and BETWEEN, and gives UNKNOWN for both `IN` and `NOT IN`.
/// - **Numbers.** A long and a double compare as doubles (Java numeric promotion); two longs
///   compare exactly. `/` on two longs is integer division truncated towards zero, as in Java
///   (ActiveMQ always divides in double: `7 / 2` is 3.5 there, 3 here). Long arithmetic that
///   overflows is redone in double instead of wrapping round as Java does, so `big * 2 > big`
///   stays TRUE. Division by zero, of longs or doubles, is UNKNOWN (Java throws for longs and
///   gives Infinity or NaN for doubles). A comparison with NaN is FALSE.
/// - **Arithmetic on a non-number** (a string property plus one) is UNKNOWN; ActiveMQ throws,
///   which also leaves the message unselected.
/// - **A bare property as a condition** (`urgent AND …`) is its value when it is a boolean and
///   UNKNOWN otherwise (ActiveMQ: FALSE), so neither `price` nor `NOT price` selects anything.
/// - **Syntax.** `IN` and `LIKE` apply to a property name, as in the spec; `IS NULL` applies to any
///   operand. `NULL` may appear only in `IS [NOT] NULL`. Comparisons do not chain (`a = b = c`).
///   Integer literals follow Java: decimal, hexadecimal `0x1F`, octal `017`, optional `L`; a
///   trailing `f` or `d` on a decimal literal is accepted and the value kept as a double. A number
///   run straight into a letter (`12abc`) is refused, where ActiveMQ would read two tokens.
///   Identifier characters follow Java's `isJavaIdentifierStart`/`Part` closely but not exactly
///   (Unicode letters and digits, `_`, `$` and the currency signs).
/// - **Empty.** An empty or blank selector selects every message, as the spec says of the empty
///   string.
#[derive(Clone, Debug, PartialEq, Default)]
pub struct Selector {
    text: String,
    expr: Option<Expr>,
}

impl Selector {
    /// Parses a selector, or says what is wrong with it and where.
    pub fn parse(text: &str) -> Result<Selector, SelectorError> {
        if let Some((offset, _)) = text.char_indices().nth(MAX_LEN) {
            return Err(error(
                offset,
                text.len(),
                format!("a selector may be at most {MAX_LEN} characters long; this one is longer"),
                format!("选择器最多只能有 {MAX_LEN} 个字符,这个超出了"),
            ));
        }
        let tokens = lex(text)?;
        if tokens.len() == 1 {
            return Ok(Selector {
                text: text.to_string(),
                expr: None,
            });
        }
        let mut parser = Parser {
            src: text,
            tokens,
            pos: 0,
            depth: 0,
        };
        let node = parser.parse_or()?;
        let next = parser.peek().clone();
        if next.tok != Tok::End {
            return Err(parser.trailing(&next));
        }
        let expr = require_condition(
            node,
            "a selector must be a condition that is TRUE or FALSE",
            "选择器必须是一个结果为真或假的条件",
        )?;
        Ok(Selector {
            text: text.to_string(),
            expr: Some(expr),
        })
    }

    /// Whether the message is selected: only when the selector is TRUE, never when it is FALSE or
    /// UNKNOWN.
    pub fn matches(&self, fields: &dyn Fields) -> bool {
        self.evaluate(fields).is_true()
    }

    /// The selector's truth value for a message, so the views can show why a message stayed in
    /// the queue (FALSE, or UNKNOWN because a property is missing).
    pub fn evaluate(&self, fields: &dyn Fields) -> Truth {
        match &self.expr {
            None => Truth::True,
            Some(expr) => truth(eval(expr, fields)),
        }
    }

    /// The selector as typed.
    pub fn text(&self) -> &str {
        &self.text
    }

    /// The parsed expression; `None` for an empty selector.
    pub fn expr(&self) -> Option<&Expr> {
        self.expr.as_ref()
    }

    /// True for the empty selector, which selects every message.
    pub fn selects_all(&self) -> bool {
        self.expr.is_none()
    }
}

impl fmt::Display for Selector {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

impl core::str::FromStr for Selector {
    type Err = SelectorError;

    fn from_str(text: &str) -> Result<Selector, SelectorError> {
        Selector::parse(text)
    }
}

/// A selector is stored as the text the student typed.
impl Serialize for Selector {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.text)
    }
}

/// Reading a selector parses it, so a scenario with a malformed selector is refused with the
/// parser's message.
impl<'de> Deserialize<'de> for Selector {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Selector, D::Error> {
        let text = String::deserialize(deserializer)?;
        Selector::parse(&text).map_err(|e| {
            serde::de::Error::custom(format_args!(
                "invalid JMS selector: {} (at byte {})",
                e.message.en, e.offset
            ))
        })
    }
}

// ---------------------------------------------------------------------------------------------
// Evaluation. A value of `None` is SQL's NULL; a condition that is UNKNOWN is the same `None`,
// which is how SQL treats them too, so one evaluator serves values and conditions.

fn truth(value: Option<Value>) -> Truth {
    match value {
        Some(Value::Bool(b)) => Truth::from(b),
        _ => Truth::Unknown,
    }
}

fn truth_value(t: Truth) -> Option<Value> {
    match t {
        Truth::True => Some(Value::Bool(true)),
        Truth::False => Some(Value::Bool(false)),
        Truth::Unknown => None,
    }
}

fn number(v: &Value) -> Option<f64> {
    match v {
        Value::Long(n) => Some(*n as f64),
        Value::Double(d) => Some(*d),
        Value::Bool(_) | Value::Str(_) => None,
    }
}

fn float_op(op: ArithOp, x: f64, y: f64) -> f64 {
    match op {
        ArithOp::Add => x + y,
        ArithOp::Sub => x - y,
        ArithOp::Mul => x * y,
        ArithOp::Div => x / y,
    }
}

fn arithmetic(op: ArithOp, a: &Value, b: &Value) -> Option<Value> {
    if let (Value::Long(x), Value::Long(y)) = (a, b) {
        let exact = match op {
            ArithOp::Add => x.checked_add(*y),
            ArithOp::Sub => x.checked_sub(*y),
            ArithOp::Mul => x.checked_mul(*y),
            ArithOp::Div if *y == 0 => return None,
            // Fails only for i64::MIN / -1, which then goes to double like any overflow.
            ArithOp::Div => x.checked_div(*y),
        };
        return Some(exact.map_or_else(
            || Value::Double(float_op(op, *x as f64, *y as f64)),
            Value::Long,
        ));
    }
    let (x, y) = (number(a)?, number(b)?);
    if op == ArithOp::Div && y == 0.0 {
        return None;
    }
    Some(Value::Double(float_op(op, x, y)))
}

fn compare(op: CompareOp, a: &Value, b: &Value) -> Truth {
    let equality_only = |equal: bool| match op {
        CompareOp::Eq => Truth::from(equal),
        CompareOp::Ne => Truth::from(!equal),
        _ => Truth::False,
    };
    let ordering = match (a, b) {
        (Value::Long(x), Value::Long(y)) => Some(x.cmp(y)),
        (Value::Long(_) | Value::Double(_), Value::Long(_) | Value::Double(_)) => {
            match (number(a), number(b)) {
                (Some(x), Some(y)) => x.partial_cmp(&y),
                _ => None,
            }
        }
        (Value::Str(x), Value::Str(y)) => return equality_only(x == y),
        (Value::Bool(x), Value::Bool(y)) => return equality_only(x == y),
        _ => return Truth::False,
    };
    match ordering {
        None => Truth::False,
        Some(o) => Truth::from(match op {
            CompareOp::Eq => o == Ordering::Equal,
            CompareOp::Ne => o != Ordering::Equal,
            CompareOp::Lt => o == Ordering::Less,
            CompareOp::Le => o != Ordering::Greater,
            CompareOp::Gt => o == Ordering::Greater,
            CompareOp::Ge => o != Ordering::Less,
        }),
    }
}

fn compare_nullable(op: CompareOp, a: &Option<Value>, b: &Option<Value>) -> Truth {
    match (a, b) {
        (Some(a), Some(b)) => compare(op, a, b),
        _ => Truth::Unknown,
    }
}

/// The truth of a string test (`IN`, `LIKE`) on a field: UNKNOWN on NULL, FALSE on a non-string
/// before any `NOT`, as the spec's equivalences give.
fn string_test(value: Option<Value>, negated: bool, test: impl Fn(&str) -> bool) -> Truth {
    let t = match value {
        None => Truth::Unknown,
        Some(Value::Str(s)) => Truth::from(test(&s)),
        Some(_) => Truth::False,
    };
    if negated {
        !t
    } else {
        t
    }
}

fn eval(expr: &Expr, fields: &dyn Fields) -> Option<Value> {
    match expr {
        Expr::Literal(v) => Some(v.clone()),
        Expr::Field(name) => fields.field(name),
        Expr::Sign { negative, operand } => match eval(operand, fields)? {
            Value::Long(n) if *negative => Some(
                n.checked_neg()
                    .map_or(Value::Double(-(n as f64)), Value::Long),
            ),
            Value::Double(d) if *negative => Some(Value::Double(-d)),
            v @ (Value::Long(_) | Value::Double(_)) => Some(v),
            Value::Bool(_) | Value::Str(_) => None,
        },
        Expr::Arithmetic { first, rest } => {
            let mut acc = eval(first, fields)?;
            for (op, operand) in rest {
                acc = arithmetic(*op, &acc, &eval(operand, fields)?)?;
            }
            Some(acc)
        }
        Expr::Compare { op, left, right } => truth_value(compare_nullable(
            *op,
            &eval(left, fields),
            &eval(right, fields),
        )),
        Expr::Between {
            negated,
            value,
            low,
            high,
        } => {
            let (v, lo, hi) = (eval(value, fields), eval(low, fields), eval(high, fields));
            // The spec defines both forms by these expansions, which settles NULL bounds too.
            let t = if *negated {
                compare_nullable(CompareOp::Lt, &v, &lo).or(compare_nullable(
                    CompareOp::Gt,
                    &v,
                    &hi,
                ))
            } else {
                compare_nullable(CompareOp::Ge, &v, &lo).and(compare_nullable(
                    CompareOp::Le,
                    &v,
                    &hi,
                ))
            };
            truth_value(t)
        }
        Expr::In {
            negated,
            field,
            values,
        } => truth_value(string_test(fields.field(field), *negated, |s| {
            values.iter().any(|v| v == s)
        })),
        Expr::Like {
            negated,
            field,
            pattern,
        } => truth_value(string_test(fields.field(field), *negated, |s| {
            pattern.matches(s)
        })),
        Expr::IsNull { negated, operand } => {
            Some(Value::Bool(eval(operand, fields).is_none() != *negated))
        }
        Expr::Not(operand) => truth_value(!truth(eval(operand, fields))),
        Expr::And(items) => {
            let mut acc = Truth::True;
            for item in items {
                acc = acc.and(truth(eval(item, fields)));
                if acc == Truth::False {
                    break;
                }
            }
            truth_value(acc)
        }
        Expr::Or(items) => {
            let mut acc = Truth::False;
            for item in items {
                acc = acc.or(truth(eval(item, fields)));
                if acc == Truth::True {
                    break;
                }
            }
            truth_value(acc)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Lexing.

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Keyword {
    Not,
    And,
    Or,
    Between,
    Like,
    In,
    Is,
    Null,
    Escape,
    True,
    False,
}

const KEYWORDS: [(&str, Keyword); 11] = [
    ("NOT", Keyword::Not),
    ("AND", Keyword::And),
    ("OR", Keyword::Or),
    ("BETWEEN", Keyword::Between),
    ("LIKE", Keyword::Like),
    ("IN", Keyword::In),
    ("IS", Keyword::Is),
    ("NULL", Keyword::Null),
    ("ESCAPE", Keyword::Escape),
    ("TRUE", Keyword::True),
    ("FALSE", Keyword::False),
];

impl Keyword {
    fn from_word(word: &str) -> Option<Keyword> {
        KEYWORDS
            .iter()
            .find(|(name, _)| name.eq_ignore_ascii_case(word))
            .map(|(_, k)| *k)
    }

    fn name(self) -> &'static str {
        KEYWORDS
            .iter()
            .find(|(_, k)| *k == self)
            .map_or("", |(name, _)| name)
    }
}

#[derive(Clone, Debug, PartialEq)]
enum Tok {
    Ident(String),
    Keyword(Keyword),
    Str(String),
    /// The magnitude of an integer literal, at most 2^63 so that `-9223372036854775808` can be
    /// written; the parser refuses 2^63 without its minus sign.
    Int(u64),
    Float(f64),
    LParen,
    RParen,
    Comma,
    Plus,
    Minus,
    Star,
    Slash,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    End,
}

#[derive(Clone, Debug, PartialEq)]
struct Token {
    tok: Tok,
    start: usize,
    end: usize,
}

const LONG_MIN_MAGNITUDE: u64 = 1 << 63;

fn is_currency(c: char) -> bool {
    matches!(c, '$' | '\u{a2}'..='\u{a5}' | '\u{20a0}'..='\u{20cf}' | '\u{ffe0}' | '\u{ffe1}' | '\u{ffe5}' | '\u{ffe6}')
}

fn is_ident_start(c: char) -> bool {
    c.is_alphabetic() || c == '_' || is_currency(c)
}

fn is_ident_part(c: char) -> bool {
    is_ident_start(c) || c.is_numeric()
}

/// The ASCII character a Chinese input method's full-width punctuation stands for.
fn full_width(c: char) -> Option<char> {
    Some(match c {
        '（' => '(',
        '）' => ')',
        '，' => ',',
        '＝' => '=',
        '＜' => '<',
        '＞' => '>',
        '＋' => '+',
        '－' => '-',
        '＊' => '*',
        '／' => '/',
        '．' | '。' => '.',
        '‘' | '’' | '＇' => '\'',
        '“' | '”' | '＂' => '"',
        _ => return None,
    })
}

fn lex(src: &str) -> Result<Vec<Token>, SelectorError> {
    let mut tokens = Vec::new();
    let mut pos = 0;
    while let Some(c) = src[pos..].chars().next() {
        let start = pos;
        let after = pos + c.len_utf8();
        if c.is_whitespace() {
            pos = after;
            continue;
        }
        let next = src[after..].chars().next();
        let (tok, end) = match c {
            '(' => (Tok::LParen, after),
            ')' => (Tok::RParen, after),
            ',' => (Tok::Comma, after),
            '+' => (Tok::Plus, after),
            '-' => (Tok::Minus, after),
            '*' => (Tok::Star, after),
            '/' => (Tok::Slash, after),
            '=' if next == Some('=') => {
                return Err(error(
                    start,
                    after + 1,
                    "equality is tested with a single '=', not '=='".to_string(),
                    "判断相等只用一个“=”,不要写“==”".to_string(),
                ))
            }
            '=' => (Tok::Eq, after),
            '<' => match next {
                Some('>') => (Tok::Ne, after + 1),
                Some('=') => (Tok::Le, after + 1),
                _ => (Tok::Lt, after),
            },
            '>' => match next {
                Some('=') => (Tok::Ge, after + 1),
                _ => (Tok::Gt, after),
            },
            '!' if next == Some('=') => {
                return Err(error(
                    start,
                    after + 1,
                    "'!=' is not selector syntax; write '<>' for 'not equal'".to_string(),
                    "选择器里没有“!=”,“不等于”要写成“<>”".to_string(),
                ))
            }
            '&' if next == Some('&') => {
                return Err(error(
                    start,
                    after + 1,
                    "write AND instead of '&&'".to_string(),
                    "请用 AND 代替“&&”".to_string(),
                ))
            }
            '|' if next == Some('|') => {
                return Err(error(
                    start,
                    after + 1,
                    "write OR instead of '||'".to_string(),
                    "请用 OR 代替“||”".to_string(),
                ))
            }
            '\'' => lex_string(src, start)?,
            '"' => {
                return Err(error(
                    start,
                    after,
                    "strings are written in single quotes ('blue'), not double quotes".to_string(),
                    "字符串要用单引号括起来(如 'blue'),不能用双引号".to_string(),
                ))
            }
            '0'..='9' => lex_number(src, start)?,
            '.' if next.is_some_and(|n| n.is_ascii_digit()) => lex_number(src, start)?,
            c if is_ident_start(c) => {
                let end = src[start..]
                    .char_indices()
                    .find(|&(_, ch)| !is_ident_part(ch))
                    .map_or(src.len(), |(i, _)| start + i);
                let word = &src[start..end];
                let tok = match Keyword::from_word(word) {
                    Some(k) => Tok::Keyword(k),
                    None => Tok::Ident(word.to_string()),
                };
                (tok, end)
            }
            c => {
                return Err(match full_width(c) {
                    Some(ascii) => error(
                        start,
                        after,
                        format!(
                            "'{c}' is a full-width character; switch the input method to \
                             half-width and type {ascii} instead"
                        ),
                        format!("“{c}”是全角字符,请把输入法切换到半角,改用“{ascii}”"),
                    ),
                    None => error(
                        start,
                        after,
                        format!("the character '{c}' has no meaning in a selector"),
                        format!("选择器里不能出现字符“{c}”"),
                    ),
                })
            }
        };
        tokens.push(Token { tok, start, end });
        pos = end;
    }
    tokens.push(Token {
        tok: Tok::End,
        start: src.len(),
        end: src.len(),
    });
    Ok(tokens)
}

/// A string literal starting at the quote at `start`; `''` inside it is one quote.
fn lex_string(src: &str, start: usize) -> Result<(Tok, usize), SelectorError> {
    let mut value = String::new();
    let mut pos = start + 1;
    loop {
        let Some(i) = src[pos..].find('\'') else {
            return Err(error(
                start,
                src.len(),
                "this string has no closing quote (')".to_string(),
                "这个字符串缺少结尾的单引号(')".to_string(),
            ));
        };
        value.push_str(&src[pos..pos + i]);
        pos += i + 1;
        if src[pos..].starts_with('\'') {
            value.push('\'');
            pos += 1;
        } else {
            return Ok((Tok::Str(value), pos));
        }
    }
}

/// The byte span, in the source, of the `index`-th character of the string literal at `start`.
fn string_char_span(src: &str, start: usize, index: usize) -> (usize, usize) {
    let mut pos = start + 1;
    let mut i = 0;
    while let Some(c) = src[pos..].chars().next() {
        // A doubled quote is one character of the value.
        let width = if c == '\'' { 2 } else { c.len_utf8() };
        if i == index {
            return (pos, (pos + width).min(src.len()));
        }
        pos += width;
        i += 1;
    }
    (start, start + 1)
}

fn count_while(s: &str, f: impl Fn(u8) -> bool) -> usize {
    s.bytes().take_while(|&b| f(b)).count()
}

fn too_large(start: usize, end: usize) -> SelectorError {
    error(
        start,
        end,
        "this whole number does not fit in a long (-9223372036854775808 to 9223372036854775807)"
            .to_string(),
        "这个整数超出了 long 的范围(-9223372036854775808 到 9223372036854775807)".to_string(),
    )
}

/// A numeric literal in Java syntax starting at `start` (a digit, or a '.' before a digit).
fn lex_number(src: &str, start: usize) -> Result<(Tok, usize), SelectorError> {
    let too_large = |end: usize| too_large(start, end);
    let rest = &src[start..];
    let mut pos = start;
    let tok;
    if rest.starts_with("0x") || rest.starts_with("0X") {
        pos += 2;
        let n = count_while(&src[pos..], |b| b.is_ascii_hexdigit());
        if n == 0 {
            return Err(error(
                start,
                pos,
                "'0x' must be followed by hexadecimal digits (0-9, A-F)".to_string(),
                "“0x”后面必须跟十六进制数字(0-9、A-F)".to_string(),
            ));
        }
        let digits = &src[pos..pos + n];
        pos += n;
        let magnitude = u64::from_str_radix(digits, 16).map_err(|_| too_large(pos))?;
        tok = Tok::Int(magnitude);
        if src[pos..].starts_with(['l', 'L']) {
            pos += 1;
        }
    } else {
        let int_digits = count_while(&src[pos..], |b| b.is_ascii_digit());
        pos += int_digits;
        let mut is_float = false;
        if src[pos..].starts_with('.') {
            is_float = true;
            pos += 1;
            pos += count_while(&src[pos..], |b| b.is_ascii_digit());
        }
        if src[pos..].starts_with(['e', 'E']) {
            is_float = true;
            let e = pos;
            pos += 1;
            if src[pos..].starts_with(['+', '-']) {
                pos += 1;
            }
            let n = count_while(&src[pos..], |b| b.is_ascii_digit());
            if n == 0 {
                let bad = src[e..].chars().next().map_or(e, |c| e + c.len_utf8());
                return Err(error(
                    start,
                    pos.max(bad),
                    "the exponent 'E' must be followed by at least one digit, as in 7E3"
                        .to_string(),
                    "指数符号“E”后面至少要有一位数字,例如 7E3".to_string(),
                ));
            }
            pos += n;
        }
        let digits_end = pos;
        if src[pos..].starts_with(['f', 'F', 'd', 'D']) {
            is_float = true;
            pos += 1;
        } else if !is_float && src[pos..].starts_with(['l', 'L']) {
            pos += 1;
        }
        tok = if is_float {
            match src[start..digits_end].parse::<f64>() {
                Ok(d) if d.is_finite() => Tok::Float(d),
                _ => {
                    return Err(error(
                        start,
                        pos,
                        "this number is too large for a double".to_string(),
                        "这个数超出了 double 的范围".to_string(),
                    ))
                }
            }
        } else {
            let digits = &src[start..start + int_digits];
            let magnitude = if digits.len() > 1 && digits.starts_with('0') {
                if digits.bytes().any(|b| b > b'7') {
                    return Err(error(
                        start,
                        pos,
                        "a whole number that starts with 0 is octal (as in Java) and may use \
                         only the digits 0 to 7"
                            .to_string(),
                        "以 0 开头的整数是八进制(与 Java 相同),只能使用数字 0 到 7".to_string(),
                    ));
                }
                u64::from_str_radix(&digits[1..], 8)
            } else {
                digits.parse::<u64>()
            };
            Tok::Int(magnitude.map_err(|_| too_large(pos))?)
        };
    }
    if let Tok::Int(m) = tok {
        if m > LONG_MIN_MAGNITUDE {
            return Err(too_large(pos));
        }
    }
    if let Some(c) = src[pos..].chars().next().filter(|&c| is_ident_part(c)) {
        return Err(error(
            start,
            pos + c.len_utf8(),
            "a number cannot be followed directly by a letter; put a space or an operator \
             between them"
                .to_string(),
            "数字后面不能紧跟字母,中间要加空格或运算符".to_string(),
        ));
    }
    Ok((tok, pos))
}

// ---------------------------------------------------------------------------------------------
// Parsing: recursive descent, one function per precedence level, checking types as it goes so
// that a mistake is reported where it is.

/// What the parser knows about an expression's type. `Any` is a property, whose type is known
/// only when a message arrives.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Ty {
    Bool,
    Num,
    Str,
    Any,
}

impl Ty {
    fn describe(self) -> (&'static str, &'static str) {
        match self {
            Ty::Bool => ("a condition (TRUE or FALSE)", "一个条件(真或假)"),
            Ty::Num => ("a number", "一个数值"),
            Ty::Str => ("a string", "一个字符串"),
            Ty::Any => ("a property", "一个属性"),
        }
    }
}

struct Node {
    expr: Expr,
    ty: Ty,
    start: usize,
    end: usize,
}

fn require_condition(node: Node, need_en: &str, need_zh: &str) -> Result<Expr, SelectorError> {
    match node.ty {
        Ty::Bool | Ty::Any => Ok(node.expr),
        ty => {
            let (en, zh) = ty.describe();
            Err(error(
                node.start,
                node.end,
                format!("{need_en}, but this is {en}"),
                format!("{need_zh},而这里是{zh}"),
            ))
        }
    }
}

fn require_number(node: &Node, need_en: &str, need_zh: &str) -> Result<(), SelectorError> {
    match node.ty {
        Ty::Num | Ty::Any => Ok(()),
        ty => {
            let (en, zh) = ty.describe();
            Err(error(
                node.start,
                node.end,
                format!("{need_en}, but this is {en}"),
                format!("{need_zh},而这里是{zh}"),
            ))
        }
    }
}

fn compare_op(tok: &Tok) -> Option<CompareOp> {
    Some(match tok {
        Tok::Eq => CompareOp::Eq,
        Tok::Ne => CompareOp::Ne,
        Tok::Lt => CompareOp::Lt,
        Tok::Le => CompareOp::Le,
        Tok::Gt => CompareOp::Gt,
        Tok::Ge => CompareOp::Ge,
        _ => return None,
    })
}

fn additive_op(tok: &Tok) -> Option<ArithOp> {
    match tok {
        Tok::Plus => Some(ArithOp::Add),
        Tok::Minus => Some(ArithOp::Sub),
        _ => None,
    }
}

fn multiplicative_op(tok: &Tok) -> Option<ArithOp> {
    match tok {
        Tok::Star => Some(ArithOp::Mul),
        Tok::Slash => Some(ArithOp::Div),
        _ => None,
    }
}

struct Parser<'a> {
    src: &'a str,
    /// Never empty: the last token is `Tok::End`.
    tokens: Vec<Token>,
    pos: usize,
    depth: usize,
}

impl Parser<'_> {
    fn peek(&self) -> &Token {
        &self.tokens[self.pos.min(self.tokens.len() - 1)]
    }

    fn peek_second(&self) -> &Tok {
        &self.tokens[(self.pos + 1).min(self.tokens.len() - 1)].tok
    }

    /// Takes the next token; `End` is never passed.
    fn bump(&mut self) -> Token {
        let token = self.peek().clone();
        if self.pos + 1 < self.tokens.len() {
            self.pos += 1;
        }
        token
    }

    fn at(&self, keyword: Keyword) -> bool {
        self.peek().tok == Tok::Keyword(keyword)
    }

    /// How the views quote a token in a message, in English and in Chinese.
    fn found(&self, token: &Token) -> (String, String) {
        match &token.tok {
            Tok::End => (
                "the end of the selector".to_string(),
                "选择器的结尾".to_string(),
            ),
            Tok::Keyword(k) => (
                format!("the reserved word {}", k.name()),
                format!("保留字 {}", k.name()),
            ),
            _ => {
                let text = self.src.get(token.start..token.end).unwrap_or("");
                let shown: String = if text.chars().count() > 24 {
                    let mut s: String = text.chars().take(24).collect();
                    s.push('…');
                    s
                } else {
                    text.to_string()
                };
                // A string literal already shows its own quotes.
                let en = if matches!(token.tok, Tok::Str(_)) {
                    shown.clone()
                } else {
                    format!("'{shown}'")
                };
                (en, format!("“{shown}”"))
            }
        }
    }

    fn enter(&mut self, at: &Token) -> Result<(), SelectorError> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err(error(
                at.start,
                at.end,
                format!(
                    "the selector is nested too deeply: parentheses, NOT and signs may nest at \
                     most {MAX_DEPTH} levels"
                ),
                format!("选择器嵌套太深:括号、NOT 和正负号最多只能嵌套 {MAX_DEPTH} 层"),
            ));
        }
        Ok(())
    }

    fn leave(&mut self) {
        self.depth = self.depth.saturating_sub(1);
    }

    /// The error for a token left over after a complete expression.
    fn trailing(&self, token: &Token) -> SelectorError {
        if token.tok == Tok::RParen {
            return error(
                token.start,
                token.end,
                "this ')' has no matching '('".to_string(),
                "这个“)”没有与之配对的“(”".to_string(),
            );
        }
        let (en, zh) = self.found(token);
        error(
            token.start,
            token.end,
            format!("{en} cannot follow a complete expression; join conditions with AND or OR"),
            format!("完整的表达式后面多出了{zh};多个条件要用 AND 或 OR 连接"),
        )
    }

    /// `a OR b OR …`
    fn parse_or(&mut self) -> Result<Node, SelectorError> {
        self.parse_logical(Keyword::Or)
    }

    /// `a AND b AND …`
    fn parse_and(&mut self) -> Result<Node, SelectorError> {
        self.parse_logical(Keyword::And)
    }

    fn parse_logical(&mut self, keyword: Keyword) -> Result<Node, SelectorError> {
        let operand = |p: &mut Self| match keyword {
            Keyword::Or => p.parse_and(),
            _ => p.parse_not(),
        };
        let first = operand(self)?;
        if !self.at(keyword) {
            return Ok(first);
        }
        let name = keyword.name();
        let need_en = format!("{name} needs a condition on each side");
        let need_zh = format!("{name} 两边都必须是条件");
        let start = first.start;
        let mut end = first.end;
        let mut items = Vec::new();
        items.push(require_condition(first, &need_en, &need_zh)?);
        while self.at(keyword) {
            self.bump();
            let next = operand(self)?;
            end = next.end;
            items.push(require_condition(next, &need_en, &need_zh)?);
        }
        let expr = if keyword == Keyword::Or {
            Expr::Or(items)
        } else {
            Expr::And(items)
        };
        Ok(Node {
            expr,
            ty: Ty::Bool,
            start,
            end,
        })
    }

    /// `NOT NOT … predicate`
    fn parse_not(&mut self) -> Result<Node, SelectorError> {
        if !self.at(Keyword::Not) {
            return self.parse_predicate();
        }
        let not = self.bump();
        self.enter(&not)?;
        let operand = self.parse_not()?;
        self.leave();
        let end = operand.end;
        let inner = require_condition(
            operand,
            "NOT needs a condition after it",
            "NOT 后面必须是条件",
        )?;
        Ok(Node {
            expr: Expr::Not(Box::new(inner)),
            ty: Ty::Bool,
            start: not.start,
            end,
        })
    }

    fn starts_predicate(&self) -> bool {
        let tok = &self.peek().tok;
        compare_op(tok).is_some()
            || matches!(
                tok,
                Tok::Keyword(Keyword::Between | Keyword::In | Keyword::Like | Keyword::Is)
            )
            || (*tok == Tok::Keyword(Keyword::Not)
                && matches!(
                    self.peek_second(),
                    Tok::Keyword(Keyword::Between | Keyword::In | Keyword::Like)
                ))
    }

    /// A value, optionally followed by one comparison, BETWEEN, IN, LIKE or IS NULL.
    fn parse_predicate(&mut self) -> Result<Node, SelectorError> {
        let left = self.parse_additive()?;
        let next = self.peek().clone();
        let node = if let Some(op) = compare_op(&next.tok) {
            self.bump();
            let right = self.parse_additive()?;
            self.check_comparison(op, &left, &right)?;
            let (start, end) = (left.start, right.end);
            Node {
                expr: Expr::Compare {
                    op,
                    left: Box::new(left.expr),
                    right: Box::new(right.expr),
                },
                ty: Ty::Bool,
                start,
                end,
            }
        } else {
            let negated = next.tok == Tok::Keyword(Keyword::Not);
            if negated {
                if !matches!(
                    self.peek_second(),
                    Tok::Keyword(Keyword::Between | Keyword::In | Keyword::Like)
                ) {
                    return Err(error(
                        next.start,
                        next.end,
                        "NOT here must be followed by BETWEEN, IN or LIKE; to negate a \
                         condition, put NOT in front of it"
                            .to_string(),
                        "这里的 NOT 后面只能跟 BETWEEN、IN 或 LIKE;要否定一个条件,请把 NOT \
                         写在条件前面"
                            .to_string(),
                    ));
                }
                self.bump();
            }
            match self.peek().tok {
                Tok::Keyword(Keyword::Between) => self.parse_between(left, negated)?,
                Tok::Keyword(Keyword::In) => self.parse_in(left, negated)?,
                Tok::Keyword(Keyword::Like) => self.parse_like(left, negated)?,
                Tok::Keyword(Keyword::Is) => self.parse_is_null(left)?,
                _ => return Ok(left),
            }
        };
        if self.starts_predicate() {
            let t = self.peek();
            return Err(error(
                t.start,
                t.end,
                "conditions cannot be chained; join them with AND or OR, as in \
                 a > 1 AND a < 5"
                    .to_string(),
                "条件不能连着写,要用 AND 或 OR 连接,例如 a > 1 AND a < 5".to_string(),
            ));
        }
        Ok(node)
    }

    fn check_comparison(
        &self,
        op: CompareOp,
        left: &Node,
        right: &Node,
    ) -> Result<(), SelectorError> {
        let sym = op.symbol();
        if op.is_ordering() {
            for side in [left, right] {
                let (en, zh) = match side.ty {
                    Ty::Str => ("strings", "字符串"),
                    Ty::Bool => ("conditions (TRUE or FALSE)", "条件(真或假)"),
                    Ty::Num | Ty::Any => continue,
                };
                return Err(error(
                    side.start,
                    side.end,
                    format!("{en} can only be compared with = and <>, not with '{sym}'"),
                    format!("{zh}只能用 = 或 <> 比较,不能用“{sym}”"),
                ));
            }
        } else if left.ty != Ty::Any && right.ty != Ty::Any && left.ty != right.ty {
            let (l_en, l_zh) = left.ty.describe();
            let (r_en, r_zh) = right.ty.describe();
            return Err(error(
                left.start,
                right.end,
                format!(
                    "{l_en} is never comparable with {r_en}: comparing values of different \
                     types is always FALSE"
                ),
                format!("{l_zh}不能和{r_zh}比较:不同类型的值相比较,结果总是 FALSE"),
            ));
        }
        Ok(())
    }

    fn parse_between(&mut self, value: Node, negated: bool) -> Result<Node, SelectorError> {
        self.bump();
        let (need_en, need_zh) = ("BETWEEN compares numbers", "BETWEEN 只能比较数值");
        require_number(&value, need_en, need_zh)?;
        let low = self.parse_additive()?;
        require_number(&low, need_en, need_zh)?;
        if !self.at(Keyword::And) {
            let t = self.peek().clone();
            let (en, zh) = self.found(&t);
            return Err(error(
                t.start,
                t.end,
                format!(
                    "expected AND between the two bounds of BETWEEN, as in age BETWEEN 15 AND \
                     19, but found {en}"
                ),
                format!("BETWEEN 的两个边界之间应为 AND,例如 age BETWEEN 15 AND 19,却遇到了{zh}"),
            ));
        }
        self.bump();
        let high = self.parse_additive()?;
        require_number(&high, need_en, need_zh)?;
        Ok(Node {
            ty: Ty::Bool,
            start: value.start,
            end: high.end,
            expr: Expr::Between {
                negated,
                value: Box::new(value.expr),
                low: Box::new(low.expr),
                high: Box::new(high.expr),
            },
        })
    }

    fn parse_in(&mut self, left: Node, negated: bool) -> Result<Node, SelectorError> {
        let Expr::Field(field) = left.expr else {
            return Err(error(
                left.start,
                left.end,
                "IN can only test a property name, as in Country IN ('UK', 'US')".to_string(),
                "IN 只能用来检查属性名,例如 Country IN ('UK', 'US')".to_string(),
            ));
        };
        self.bump();
        let open = self.peek().clone();
        if open.tok != Tok::LParen {
            let (en, zh) = self.found(&open);
            return Err(error(
                open.start,
                open.end,
                format!("expected '(' after IN, as in IN ('UK', 'US'), but found {en}"),
                format!("IN 后面应为“(”,例如 IN ('UK', 'US'),却遇到了{zh}"),
            ));
        }
        self.bump();
        let mut values = Vec::new();
        loop {
            let item = self.bump();
            match item.tok {
                Tok::Str(s) => values.push(s),
                Tok::RParen if values.is_empty() => {
                    return Err(error(
                        open.start,
                        item.end,
                        "the list after IN needs at least one value".to_string(),
                        "IN 后面的列表至少要有一个值".to_string(),
                    ))
                }
                _ => {
                    let (en, zh) = self.found(&item);
                    return Err(error(
                        item.start,
                        item.end,
                        format!(
                            "the list after IN may hold only strings in single quotes, such as \
                             'UK', but found {en}"
                        ),
                        format!("IN 后面的列表里只能写单引号括起来的字符串,例如 'UK',却遇到了{zh}"),
                    ));
                }
            }
            let sep = self.bump();
            match sep.tok {
                Tok::Comma => {}
                Tok::RParen => {
                    return Ok(Node {
                        expr: Expr::In {
                            negated,
                            field,
                            values,
                        },
                        ty: Ty::Bool,
                        start: left.start,
                        end: sep.end,
                    })
                }
                Tok::End => {
                    return Err(error(
                        sep.start,
                        sep.end,
                        format!(
                            "expected ')' after the list of values (the list opens at byte {})",
                            open.start
                        ),
                        format!("值列表后面缺少“)”(列表从第 {} 个字节处开始)", open.start),
                    ))
                }
                _ => {
                    let (en, zh) = self.found(&sep);
                    return Err(error(
                        sep.start,
                        sep.end,
                        format!("expected ',' or ')' after a value in the list, but found {en}"),
                        format!("列表中的值后面应为“,”或“)”,却遇到了{zh}"),
                    ));
                }
            }
        }
    }

    fn parse_like(&mut self, left: Node, negated: bool) -> Result<Node, SelectorError> {
        let Expr::Field(field) = left.expr else {
            return Err(error(
                left.start,
                left.end,
                "LIKE can only test a property name, as in phone LIKE '12%3'".to_string(),
                "LIKE 只能用来检查属性名,例如 phone LIKE '12%3'".to_string(),
            ));
        };
        self.bump();
        let pattern_token = self.bump();
        let Tok::Str(pattern) = &pattern_token.tok else {
            let (en, zh) = self.found(&pattern_token);
            return Err(error(
                pattern_token.start,
                pattern_token.end,
                format!("LIKE must be followed by a pattern in single quotes, such as '12%3', but found {en}"),
                format!("LIKE 后面必须是单引号括起来的模式,例如 '12%3',却遇到了{zh}"),
            ));
        };
        let mut end = pattern_token.end;
        let mut escape = None;
        if self.at(Keyword::Escape) {
            self.bump();
            let esc = self.bump();
            let Tok::Str(s) = &esc.tok else {
                let (en, zh) = self.found(&esc);
                return Err(error(
                    esc.start,
                    esc.end,
                    format!(
                        "ESCAPE must be followed by one character in single quotes, such as \
                         '\\', but found {en}"
                    ),
                    format!("ESCAPE 后面必须是单引号括起来的一个字符,例如 '\\',却遇到了{zh}"),
                ));
            };
            let mut chars = s.chars();
            match (chars.next(), chars.next()) {
                (Some(c), None) => escape = Some(c),
                _ => {
                    let n = s.chars().count();
                    return Err(error(
                        esc.start,
                        esc.end,
                        format!("the escape character must be exactly one character, not {n}"),
                        format!("转义字符必须正好是一个字符,这里却有 {n} 个"),
                    ));
                }
            }
            end = esc.end;
        }
        let pattern = LikePattern::compile(pattern, escape).map_err(|index| {
            // Underline the escape character and what follows it, if anything does.
            let (start, mut stop) = string_char_span(self.src, pattern_token.start, index);
            if index + 1 < pattern.chars().count() {
                stop = string_char_span(self.src, pattern_token.start, index + 1).1;
            }
            let esc = escape.unwrap_or('\\');
            error(
                start,
                stop,
                format!(
                    "in this pattern the escape character '{esc}' must be followed by '_', '%' \
                     or another '{esc}'"
                ),
                format!("在这个模式里,转义字符“{esc}”后面只能跟“_”、“%”或它自己"),
            )
        })?;
        Ok(Node {
            expr: Expr::Like {
                negated,
                field,
                pattern,
            },
            ty: Ty::Bool,
            start: left.start,
            end,
        })
    }

    fn parse_is_null(&mut self, operand: Node) -> Result<Node, SelectorError> {
        self.bump();
        let negated = self.at(Keyword::Not);
        if negated {
            self.bump();
        }
        let null = self.bump();
        if null.tok != Tok::Keyword(Keyword::Null) {
            let (en, zh) = self.found(&null);
            return Err(error(
                null.start,
                null.end,
                format!("expected NULL or NOT NULL after IS, but found {en}"),
                format!("IS 后面应为 NULL 或 NOT NULL,却遇到了{zh}"),
            ));
        }
        Ok(Node {
            ty: Ty::Bool,
            start: operand.start,
            end: null.end,
            expr: Expr::IsNull {
                negated,
                operand: Box::new(operand.expr),
            },
        })
    }

    fn parse_additive(&mut self) -> Result<Node, SelectorError> {
        let first = self.parse_multiplicative()?;
        self.arithmetic_chain(first, additive_op, Self::parse_multiplicative)
    }

    fn parse_multiplicative(&mut self) -> Result<Node, SelectorError> {
        let first = self.parse_unary()?;
        self.arithmetic_chain(first, multiplicative_op, Self::parse_unary)
    }

    /// `first op e op e …` for the operators of one precedence level, left to right.
    fn arithmetic_chain(
        &mut self,
        first: Node,
        op_of: fn(&Tok) -> Option<ArithOp>,
        operand: fn(&mut Self) -> Result<Node, SelectorError>,
    ) -> Result<Node, SelectorError> {
        let Some(op) = op_of(&self.peek().tok) else {
            return Ok(first);
        };
        let need = |op: ArithOp| {
            let sym = op.symbol();
            (
                format!("'{sym}' needs a number on each side"),
                format!("“{sym}”两边都必须是数值"),
            )
        };
        let (en, zh) = need(op);
        require_number(&first, &en, &zh)?;
        let (start, mut end) = (first.start, first.end);
        let mut rest = Vec::new();
        while let Some(op) = op_of(&self.peek().tok) {
            self.bump();
            let next = operand(self)?;
            let (en, zh) = need(op);
            require_number(&next, &en, &zh)?;
            end = next.end;
            rest.push((op, next.expr));
        }
        Ok(Node {
            expr: Expr::Arithmetic {
                first: Box::new(first.expr),
                rest,
            },
            ty: Ty::Num,
            start,
            end,
        })
    }

    /// `+x`, `-x`; a sign directly before a number literal is part of the literal, as in the
    /// spec's examples `-957` and `+62`.
    fn parse_unary(&mut self) -> Result<Node, SelectorError> {
        let negative = match self.peek().tok {
            Tok::Plus => false,
            Tok::Minus => true,
            _ => return self.parse_primary(),
        };
        let sign = self.bump();
        self.enter(&sign)?;
        let next = self.peek().clone();
        let node = match next.tok {
            Tok::Int(magnitude) => {
                self.bump();
                let value = match i64::try_from(magnitude) {
                    Ok(v) if negative => -v,
                    Ok(v) => v,
                    Err(_) if negative && magnitude == LONG_MIN_MAGNITUDE => i64::MIN,
                    Err(_) => return Err(too_large(next.start, next.end)),
                };
                Node {
                    expr: Expr::Literal(Value::Long(value)),
                    ty: Ty::Num,
                    start: sign.start,
                    end: next.end,
                }
            }
            Tok::Float(d) => {
                self.bump();
                Node {
                    expr: Expr::Literal(Value::Double(if negative { -d } else { d })),
                    ty: Ty::Num,
                    start: sign.start,
                    end: next.end,
                }
            }
            _ => {
                let operand = self.parse_unary()?;
                let sym = if negative { '-' } else { '+' };
                require_number(
                    &operand,
                    &format!("the sign '{sym}' needs a number after it"),
                    &format!("正负号“{sym}”后面必须是数值"),
                )?;
                Node {
                    start: sign.start,
                    end: operand.end,
                    expr: Expr::Sign {
                        negative,
                        operand: Box::new(operand.expr),
                    },
                    ty: Ty::Num,
                }
            }
        };
        self.leave();
        Ok(node)
    }

    fn parse_primary(&mut self) -> Result<Node, SelectorError> {
        let t = self.bump();
        let (expr, ty) = match t.tok {
            Tok::LParen => {
                self.enter(&t)?;
                let inner = self.parse_or()?;
                let close = self.peek().clone();
                if close.tok != Tok::RParen {
                    let (en, zh) = self.found(&close);
                    return Err(error(
                        close.start,
                        close.end,
                        format!(
                            "expected ')' to close the '(' at byte {}, but found {en}",
                            t.start
                        ),
                        format!(
                            "这里应为“)”,与第 {} 个字节处的“(”配对,却遇到了{zh}",
                            t.start
                        ),
                    ));
                }
                self.bump();
                self.leave();
                return Ok(Node {
                    expr: inner.expr,
                    ty: inner.ty,
                    start: t.start,
                    end: close.end,
                });
            }
            Tok::Ident(ref name) => (Expr::Field(name.clone()), Ty::Any),
            Tok::Str(ref s) => (Expr::Literal(Value::Str(s.clone())), Ty::Str),
            Tok::Int(magnitude) => match i64::try_from(magnitude) {
                Ok(v) => (Expr::Literal(Value::Long(v)), Ty::Num),
                Err(_) => return Err(too_large(t.start, t.end)),
            },
            Tok::Float(d) => (Expr::Literal(Value::Double(d)), Ty::Num),
            Tok::Keyword(Keyword::True) => (Expr::Literal(Value::Bool(true)), Ty::Bool),
            Tok::Keyword(Keyword::False) => (Expr::Literal(Value::Bool(false)), Ty::Bool),
            Tok::Keyword(Keyword::Null) => {
                return Err(error(
                    t.start,
                    t.end,
                    "NULL is not a value that can be compared; test for it with IS NULL or IS \
                     NOT NULL"
                        .to_string(),
                    "NULL 不是可以比较的值;请用 IS NULL 或 IS NOT NULL 来判断".to_string(),
                ))
            }
            _ => {
                let (en, zh) = self.found(&t);
                return Err(error(
                    t.start,
                    t.end,
                    format!(
                        "expected a value (a property name, a number, a string in single \
                         quotes, TRUE, FALSE or '(') but found {en}"
                    ),
                    format!(
                        "这里需要一个值(属性名、数字、单引号括起来的字符串、TRUE、FALSE 或“(”),\
                         却遇到了{zh}"
                    ),
                ));
            }
        };
        Ok(Node {
            expr,
            ty,
            start: t.start,
            end: t.end,
        })
    }
}
