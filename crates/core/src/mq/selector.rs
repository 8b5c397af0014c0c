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

#[cfg(test)]
mod tests {
    use super::*;
    use alloc::vec;
    use proptest::prelude::*;

    fn props(pairs: &[(&str, Value)]) -> BTreeMap<String, Value> {
        pairs
            .iter()
            .map(|(k, v)| (k.to_string(), v.clone()))
            .collect()
    }

    fn parse(text: &str) -> Selector {
        Selector::parse(text).unwrap_or_else(|e| panic!("{text:?} should parse: {e}"))
    }

    fn eval_with(text: &str, fields: &BTreeMap<String, Value>) -> Truth {
        parse(text).evaluate(fields)
    }

    /// Evaluates a selector that reads no fields.
    fn eval_const(text: &str) -> Truth {
        eval_with(text, &BTreeMap::new())
    }

    fn parse_err(text: &str) -> SelectorError {
        match Selector::parse(text) {
            Ok(s) => panic!("{text:?} should be refused, parsed as {:?}", s.expr()),
            Err(e) => e,
        }
    }

    use Truth::{False as F, True as T, Unknown as U};

    #[test]
    fn the_specs_examples() {
        let car = props(&[
            ("JMSType", "car".into()),
            ("color", "blue".into()),
            ("weight", 2600.into()),
        ]);
        let s = parse("JMSType = 'car' AND color = 'blue' AND weight > 2500");
        assert!(s.matches(&car));
        let light = props(&[
            ("JMSType", "car".into()),
            ("color", "blue".into()),
            ("weight", 2500.into()),
        ]);
        assert!(!s.matches(&light));

        let age = |n: i64| props(&[("age", n.into())]);
        let s = parse("age BETWEEN 15 AND 19");
        assert_eq!(
            [14, 15, 17, 19, 20].map(|n| s.evaluate(&age(n))),
            [F, T, T, T, F]
        );
        let s = parse("age NOT BETWEEN 15 AND 19");
        assert_eq!(
            [14, 15, 17, 19, 20].map(|n| s.evaluate(&age(n))),
            [T, F, F, F, T]
        );

        let country = |c: &str| props(&[("Country", c.into())]);
        let s = parse("Country IN ('UK','US','France')");
        assert!(s.matches(&country("UK")));
        assert!(!s.matches(&country("Peru")));
        let s = parse("Country NOT IN ('UK','US','France')");
        assert!(!s.matches(&country("UK")));
        assert!(s.matches(&country("Peru")));

        let phone = |p: &str| props(&[("phone", p.into())]);
        let s = parse("phone LIKE '12%3'");
        for p in ["123", "12993"] {
            assert!(s.matches(&phone(p)), "{p}");
        }
        assert!(!s.matches(&phone("1234")));
        let s = parse("phone NOT LIKE '12%3'");
        assert!(!s.matches(&phone("123")));
        assert!(s.matches(&phone("1234")));

        let word = |w: &str| props(&[("word", w.into())]);
        let s = parse("word LIKE 'l_se'");
        assert!(s.matches(&word("lose")));
        assert!(!s.matches(&word("loose")));

        let u = |w: &str| props(&[("underscored", w.into())]);
        let s = parse(r"underscored LIKE '\_%' ESCAPE '\'");
        assert!(s.matches(&u("_foo")));
        assert!(!s.matches(&u("bar")));

        let s = parse("prop_name IS NULL");
        assert!(s.matches(&BTreeMap::new()));
        assert!(!s.matches(&props(&[("prop_name", "x".into())])));
        let s = parse("prop_name IS NOT NULL");
        assert!(!s.matches(&BTreeMap::new()));
        assert!(s.matches(&props(&[("prop_name", "x".into())])));
    }

    #[test]
    fn literals() {
        assert_eq!(eval_const("'literal''s' = 'literal''s'"), T);
        assert_eq!(eval_const("'it''s' <> 'its'"), T);
        assert_eq!(eval_const("'' = ''"), T);
        assert_eq!(eval_const("57 = 57"), T);
        assert_eq!(eval_const("-957 < 0"), T);
        assert_eq!(eval_const("+62 = 62"), T);
        assert_eq!(eval_const("7E3 = 7000"), T);
        assert_eq!(eval_const("-57.9E2 = -5790"), T);
        assert_eq!(eval_const("7. = 7"), T);
        assert_eq!(eval_const(".5 = 0.5"), T);
        assert_eq!(eval_const("95.7 > 95"), T);
        assert_eq!(eval_const("+6.2 = 6.2"), T);
        assert_eq!(eval_const("1.5e-3 = 0.0015"), T);
        assert_eq!(eval_const("2.5f = 2.5 AND 3d = 3"), T);
        assert_eq!(eval_const("0x1F = 31 AND 0XfF = 255"), T);
        assert_eq!(eval_const("017 = 15 AND 0 = 0 AND 00 = 0"), T);
        assert_eq!(eval_const("57L = 57 AND 0x10l = 16"), T);
        assert_eq!(eval_const("TRUE"), T);
        assert_eq!(eval_const("FALSE"), F);
        assert_eq!(eval_const("true = TRUE AND False <> tRuE"), T);
        let extremes = props(&[("min", i64::MIN.into()), ("max", i64::MAX.into())]);
        assert_eq!(
            eval_with(
                "min = -9223372036854775808 AND max = 9223372036854775807",
                &extremes
            ),
            T
        );
        assert_eq!(
            parse("s = 'a''b'").expr(),
            Some(&Expr::Compare {
                op: CompareOp::Eq,
                left: Box::new(Expr::Field("s".into())),
                right: Box::new(Expr::Literal(Value::Str("a'b".into()))),
            })
        );
    }

    #[test]
    fn keywords_ignore_case_and_identifiers_do_not() {
        let f = props(&[("Color", "red".into()), ("n", 3.into())]);
        assert_eq!(
            eval_with(
                "Color = 'red' and n between 1 AnD 5 oR n iS nUlL AND NOT n In ('x')",
                &f
            ),
            T
        );
        // `color` is another property, absent here, so the comparison is UNKNOWN.
        assert_eq!(eval_with("color = 'red'", &f), U);
        assert_eq!(eval_with("Color = 'RED'", &f), F);
        // Identifiers may use `_`, `$`, digits after the first character, and non-ASCII letters.
        let g = props(&[
            ("_x$1", 1.into()),
            ("颜色", "红".into()),
            ("JMSXGroupID", "g".into()),
        ]);
        assert_eq!(
            eval_with("_x$1 = 1 AND 颜色 = '红' AND JMSXGroupID = 'g'", &g),
            T
        );
        // A keyword inside a longer word is just part of an identifier.
        let h = props(&[
            ("ORDER", 1.into()),
            ("android", 2.into()),
            ("INx", 3.into()),
        ]);
        assert_eq!(eval_with("ORDER = 1 AND android = 2 AND INx = 3", &h), T);
    }

    #[test]
    fn every_comparison_operator() {
        let cases = [
            ("=", [F, T, F]),
            ("<>", [T, F, T]),
            ("<", [T, F, F]),
            ("<=", [T, T, F]),
            (">", [F, F, T]),
            (">=", [F, T, T]),
        ];
        for (op, expected) in cases {
            let got = [1, 2, 3].map(|n| eval_const(&format!("{n} {op} 2")));
            assert_eq!(got, expected, "{op}");
            let got = [1.0, 2.0, 3.0]
                .map(|d: f64| eval_with(&format!("x {op} 2"), &props(&[("x", d.into())])));
            assert_eq!(got, expected, "{op} on doubles");
        }
    }

    #[test]
    fn every_arithmetic_operator() {
        assert_eq!(eval_const("2 + 3 = 5"), T);
        assert_eq!(eval_const("2 - 3 = -1"), T);
        assert_eq!(eval_const("2 * 3 = 6"), T);
        assert_eq!(eval_const("6 / 3 = 2"), T);
        assert_eq!(eval_const("-(2) = -2 AND +(2) = 2 AND - -2 = 2"), T);
        let f = props(&[("a", 4.into()), ("b", 0.5.into())]);
        assert_eq!(
            eval_with("a * b = 2 AND a / b = 8 AND -a = -4 AND a - b = 3.5", &f),
            T
        );
    }

    #[test]
    fn precedence_and_associativity() {
        assert_eq!(eval_const("1 + 2 * 3 = 7"), T);
        assert_eq!(eval_const("(1 + 2) * 3 = 9"), T);
        assert_eq!(eval_const("10 - 3 - 2 = 5"), T);
        assert_eq!(eval_const("24 / 4 / 2 = 3"), T);
        assert_eq!(eval_const("-2 * 3 = -6 AND 2 * -3 = -6 AND 2 - -3 = 5"), T);
        assert_eq!(eval_const("2 * 3 + 4 * 5 = 26"), T);
        assert_eq!(eval_const("1 + 1 > 1 AND 3 BETWEEN 1 + 1 AND 2 * 2"), T);
        // AND binds tighter than OR; NOT tighter than both.
        assert_eq!(eval_const("TRUE OR TRUE AND FALSE"), T);
        assert_eq!(eval_const("(TRUE OR TRUE) AND FALSE"), F);
        assert_eq!(eval_const("NOT FALSE AND FALSE"), F);
        assert_eq!(eval_const("NOT (FALSE AND FALSE)"), T);
        assert_eq!(eval_const("NOT 1 = 2"), T);
        assert_eq!(eval_const("NOT NOT TRUE"), T);
        assert_eq!(
            parse("a OR b AND c").expr(),
            Some(&Expr::Or(vec![
                Expr::Field("a".into()),
                Expr::And(vec![Expr::Field("b".into()), Expr::Field("c".into())]),
            ]))
        );
        // A condition in parentheses may be compared with a boolean.
        assert_eq!(eval_const("(1 < 2) = TRUE AND (1 > 2) <> TRUE"), T);
    }

    #[test]
    fn three_valued_logic_truth_tables() {
        let value = |t: Truth| match t {
            T => Some(Value::Bool(true)),
            F => Some(Value::Bool(false)),
            U => None,
        };
        let fields = |a: Truth, b: Truth| {
            let mut m = BTreeMap::new();
            if let Some(v) = value(a) {
                m.insert("a".to_string(), v);
            }
            if let Some(v) = value(b) {
                m.insert("b".to_string(), v);
            }
            m
        };
        // (a, b, a AND b, a OR b), from the tables in JMS 1.1 section 3.8.1.1.
        let table = [
            (T, T, T, T),
            (T, F, F, T),
            (T, U, U, T),
            (F, T, F, T),
            (F, F, F, F),
            (F, U, F, U),
            (U, T, U, T),
            (U, F, F, U),
            (U, U, U, U),
        ];
        let and = parse("a AND b");
        let or = parse("a OR b");
        for (a, b, a_and_b, a_or_b) in table {
            let f = fields(a, b);
            assert_eq!(and.evaluate(&f), a_and_b, "{a:?} AND {b:?}");
            assert_eq!(or.evaluate(&f), a_or_b, "{a:?} OR {b:?}");
            assert_eq!(a.and(b), a_and_b);
            assert_eq!(a.or(b), a_or_b);
        }
        let not = parse("NOT a");
        for (a, not_a) in [(T, F), (F, T), (U, U)] {
            assert_eq!(not.evaluate(&fields(a, U)), not_a, "NOT {a:?}");
            assert_eq!(!a, not_a);
        }
        // Only TRUE selects.
        assert!(and.matches(&fields(T, T)));
        assert!(!and.matches(&fields(T, U)));
        assert!(!not.matches(&fields(U, U)));
    }

    #[test]
    fn null_in_comparisons_and_arithmetic_is_unknown() {
        let f = props(&[("n", 5.into())]);
        for s in [
            "missing = 5",
            "missing <> 5",
            "5 < missing",
            "missing + 1 > 0",
            "-missing < 0",
            "n * missing = 0",
            "missing = missing",
            "missing BETWEEN 1 AND 10",
            "missing NOT BETWEEN 1 AND 10",
            "missing IN ('a')",
            "missing NOT IN ('a')",
            "missing LIKE '%'",
            "missing NOT LIKE '%'",
            "NOT (missing = 5)",
        ] {
            assert_eq!(eval_with(s, &f), U, "{s}");
        }
        // The spec's expansions settle NULL bounds: FALSE wins over UNKNOWN in the AND, TRUE
        // wins in the OR.
        assert_eq!(eval_with("n BETWEEN missing AND 4", &f), F);
        assert_eq!(eval_with("n BETWEEN missing AND 9", &f), U);
        assert_eq!(eval_with("n NOT BETWEEN missing AND 4", &f), T);
        assert_eq!(eval_with("n NOT BETWEEN 1 AND missing", &f), U);
        assert_eq!(eval_with("missing = 5 OR n = 5", &f), T);
        assert_eq!(eval_with("missing = 5 AND n = 4", &f), F);
    }

    #[test]
    fn is_null_and_is_not_null() {
        let f = props(&[("s", "".into()), ("zero", 0.into()), ("no", false.into())]);
        // Empty strings, zero and FALSE are values, not NULL.
        for name in ["s", "zero", "no"] {
            assert_eq!(eval_with(&format!("{name} IS NULL"), &f), F);
            assert_eq!(eval_with(&format!("{name} IS NOT NULL"), &f), T);
        }
        assert_eq!(eval_with("gone IS NULL AND gone IS NOT NULL", &f), F);
        assert_eq!(eval_with("gone IS NULL", &f), T);
        // IS NULL turns UNKNOWN into a plain answer, so it works on any operand.
        assert_eq!(eval_with("zero + gone IS NULL", &f), T);
        assert_eq!(eval_with("zero + 1 IS NOT NULL", &f), T);
        assert_eq!(eval_with("(gone = 1) IS NULL", &f), T);
        assert_eq!(eval_with("1 / zero IS NULL", &f), T);
    }

    #[test]
    fn like_patterns() {
        let like = |value: &str, pattern: &str| {
            eval_with(
                &format!("v LIKE '{pattern}'"),
                &props(&[("v", value.into())]),
            )
        };
        assert_eq!(like("abc", "abc"), T);
        assert_eq!(like("abc", "ab"), F);
        assert_eq!(like("abc", "a%"), T);
        assert_eq!(like("abc", "%c"), T);
        assert_eq!(like("abc", "%b%"), T);
        assert_eq!(like("abc", "%"), T);
        assert_eq!(like("", "%"), T);
        assert_eq!(like("", "_"), F);
        assert_eq!(like("", ""), T);
        assert_eq!(like("abc", "a_c"), T);
        assert_eq!(like("abbc", "a_c"), F);
        assert_eq!(like("abc", "___"), T);
        assert_eq!(like("abc", "____"), F);
        assert_eq!(like("abc", "%%%"), T);
        assert_eq!(like("aXbXc", "a%b%c"), T);
        assert_eq!(like("abcabd", "%ab_"), T);
        assert_eq!(like("mississippi", "%iss%ppi"), T);
        assert_eq!(like("mississippi", "m%s_s%i"), T);
        assert_eq!(like("mississippi", "m%x%"), F);
        assert_eq!(like("ABC", "abc"), F, "LIKE is case-sensitive");
        // `_` is one character, not one byte.
        assert_eq!(like("北京", "北_"), T);
        assert_eq!(like("北京市", "北_"), F);
        // Regular-expression characters are plain characters.
        assert_eq!(like("a.c", "a.c"), T);
        assert_eq!(like("abc", "a.c"), F);
        assert_eq!(like("a*", "a*"), T);
        assert_eq!(like("it's", "it''s"), T);

        let f = props(&[
            ("v", "100%".into()),
            ("w", "a_b".into()),
            ("x", "a!b".into()),
        ]);
        assert_eq!(eval_with("v LIKE '100!%' ESCAPE '!'", &f), T);
        assert_eq!(eval_with("v LIKE '10!%' ESCAPE '!'", &f), F);
        assert_eq!(eval_with("w LIKE 'a!_b' ESCAPE '!'", &f), T);
        assert_eq!(eval_with("x LIKE 'a!_b' ESCAPE '!'", &f), F);
        assert_eq!(eval_with("x LIKE 'a!!b' ESCAPE '!'", &f), T);
        assert_eq!(eval_with("x LIKE 'a!b'", &f), T, "no ESCAPE: '!' is plain");
        assert_eq!(eval_with(r"w LIKE 'a\_%' ESCAPE '\'", &f), T);
        // A quote can be the escape character.
        let q = props(&[("q", "50%".into())]);
        assert_eq!(eval_with("q LIKE '50''%' ESCAPE ''''", &q), T);
        assert_eq!(eval_with("q NOT LIKE '50%' ESCAPE '#'", &q), F);

        let p = parse("v LIKE 'a!%' ESCAPE '!'");
        match p.expr() {
            Some(Expr::Like { pattern, .. }) => {
                assert_eq!(pattern.pattern(), "a!%");
                assert_eq!(pattern.escape(), Some('!'));
                assert!(pattern.matches("a%"));
                assert!(!pattern.matches("ab"));
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn between_is_inclusive_and_numeric() {
        let x = |v: Value| props(&[("x", v)]);
        let s = parse("x BETWEEN 1.5 AND 3");
        assert_eq!(s.evaluate(&x(1.into())), F);
        assert_eq!(s.evaluate(&x(1.5.into())), T);
        assert_eq!(s.evaluate(&x(2.into())), T);
        assert_eq!(s.evaluate(&x(3.into())), T);
        assert_eq!(s.evaluate(&x(3.0001.into())), F);
        // Reversed bounds select nothing, as the expansion x >= 3 AND x <= 1 says.
        assert_eq!(eval_with("x BETWEEN 3 AND 1", &x(2.into())), F);
        // Bounds may be expressions.
        assert_eq!(eval_with("x BETWEEN x - 1 AND x + 1", &x(2.into())), T);
    }

    #[test]
    fn in_lists() {
        let c = |v: Value| props(&[("c", v)]);
        let s = parse("c IN ('a', 'b''s', '')");
        assert_eq!(s.evaluate(&c("a".into())), T);
        assert_eq!(s.evaluate(&c("b's".into())), T);
        assert_eq!(s.evaluate(&c("".into())), T);
        assert_eq!(s.evaluate(&c("A".into())), F);
        assert_eq!(parse("c IN ('x')").evaluate(&c("x".into())), T);
    }

    #[test]
    fn numbers_promote_and_never_panic() {
        let f = props(&[
            ("l", 2.into()),
            ("d", 2.0.into()),
            ("max", i64::MAX.into()),
            ("min", i64::MIN.into()),
            ("big", 9_007_199_254_740_993_i64.into()),
            ("nan", f64::NAN.into()),
        ]);
        // Exact and approximate numbers compare numerically.
        assert_eq!(eval_with("l = d AND l = 2.0 AND d = 2 AND l < 2.5", &f), T);
        // Two longs compare exactly, beyond what a double can tell apart.
        assert_eq!(eval_with("big = 9007199254740993", &f), T);
        assert_eq!(eval_with("big = 9007199254740992", &f), F);
        // Java promotion: long / long is whole-number division, truncated towards zero.
        assert_eq!(eval_const("7 / 2 = 3 AND -7 / 2 = -3 AND 7 / 2.0 = 3.5"), T);
        // Overflow is redone in double rather than wrapping round.
        assert_eq!(
            eval_with("max * 2 > max AND max + 1 > 0 AND min - 1 < 0", &f),
            T
        );
        assert_eq!(eval_with("-min > 0 AND min / -1 > 0", &f), T);
        assert_eq!(eval_with("- -9223372036854775808 > 0", &f), T);
        // Division by zero is UNKNOWN, for longs and for doubles.
        assert_eq!(eval_with("l / 0 = 1", &f), U);
        assert_eq!(eval_with("d / 0 = 1", &f), U);
        assert_eq!(eval_with("l / 0.0 > 0", &f), U);
        assert_eq!(eval_with("NOT (l / 0 = 1)", &f), U);
        // NaN compares FALSE with everything, itself included.
        for op in ["=", "<>", "<", ">"] {
            assert_eq!(eval_with(&format!("nan {op} nan"), &f), F, "{op}");
        }
        assert_eq!(eval_const("1E308 * 10 > 1E308"), T);
    }

    #[test]
    fn strings_and_booleans_compare_only_for_equality() {
        let f = props(&[
            ("a", "apple".into()),
            ("b", "banana".into()),
            ("t", true.into()),
            ("u", true.into()),
        ]);
        assert_eq!(
            eval_with("a = 'apple' AND a <> b AND t = u AND t <> FALSE", &f),
            T
        );
        // Between two properties the ordering operators are FALSE, not alphabetical order.
        for op in ["<", "<=", ">", ">="] {
            assert_eq!(eval_with(&format!("a {op} b"), &f), F, "{op}");
            assert_eq!(eval_with(&format!("b {op} a"), &f), F, "{op}");
            assert_eq!(eval_with(&format!("t {op} u"), &f), F, "{op}");
        }
        // Strings are compared character by character: no trimming, no case folding.
        assert_eq!(eval_with("a = 'apple '", &f), F);
        assert_eq!(eval_with("a = 'Apple'", &f), F);
    }

    #[test]
    fn values_of_different_types_are_never_equal() {
        let f = props(&[
            ("age", "21".into()),
            ("n", 1.into()),
            ("flag", true.into()),
            ("word", "TRUE".into()),
        ]);
        // A string property is not converted to a number (the ActiveMQ docs' own example).
        assert_eq!(eval_with("age > 18", &f), F);
        assert_eq!(eval_with("age = 21", &f), F);
        // "the value of the operation is false", for <> too.
        assert_eq!(eval_with("age <> 21", &f), F);
        assert_eq!(eval_with("n = '1'", &f), F);
        assert_eq!(eval_with("n <> '1'", &f), F);
        assert_eq!(eval_with("flag = 'TRUE'", &f), F);
        assert_eq!(eval_with("word = TRUE", &f), F);
        assert_eq!(eval_with("flag = 1", &f), F);
        assert_eq!(eval_with("n = flag OR n <> flag", &f), F);
        // IN and LIKE on a non-string are FALSE, and their NOT forms TRUE.
        assert_eq!(eval_with("n IN ('1')", &f), F);
        assert_eq!(eval_with("n NOT IN ('1')", &f), T);
        assert_eq!(eval_with("n LIKE '%'", &f), F);
        assert_eq!(eval_with("n NOT LIKE '%'", &f), T);
        // BETWEEN and NOT BETWEEN on a non-number are both FALSE.
        assert_eq!(eval_with("age BETWEEN 1 AND 100", &f), F);
        assert_eq!(eval_with("age NOT BETWEEN 1 AND 100", &f), F);
        // Arithmetic on a non-number has no value.
        assert_eq!(eval_with("age + 1 > 0", &f), U);
        assert_eq!(eval_with("-flag < 0", &f), U);
        assert_eq!(eval_with("age * 2 IS NULL", &f), T);
        // A bare property is a condition only when it holds a boolean.
        assert_eq!(eval_with("flag", &f), T);
        assert_eq!(eval_with("NOT flag", &f), F);
        assert_eq!(eval_with("n", &f), U);
        assert_eq!(eval_with("NOT n", &f), U);
        assert_eq!(eval_with("word OR flag", &f), T);
    }

    #[test]
    fn an_empty_selector_selects_everything() {
        for text in ["", " ", "\t\n  ", "\u{3000}"] {
            let s = parse(text);
            assert!(s.selects_all());
            assert_eq!(s.text(), text);
            assert!(s.matches(&BTreeMap::new()));
            assert_eq!(s.evaluate(&props(&[("x", 1.into())])), T);
        }
        assert_eq!(Selector::default(), parse(""));
        assert!(!parse("TRUE").selects_all());
    }

    #[test]
    fn text_and_display_keep_what_was_typed() {
        let text = "  color = 'blue'  ";
        let s = parse(text);
        assert_eq!(s.text(), text);
        assert_eq!(format!("{s}"), text);
        let t: Selector = "a = 1".parse().expect("parses");
        assert_eq!(t.text(), "a = 1");
    }

    /// (selector, byte offset of the problem).
    const MALFORMED: &[(&str, usize)] = &[
        // Lexing.
        ("color = 'blue", 8),
        ("color = \"blue\"", 8),
        ("color = ‘blue’", 8),
        ("a IN （'x'）", 5),
        ("a != 1", 2),
        ("a == 1", 2),
        ("a = 1 && b = 2", 6),
        ("a = 1 || b = 2", 6),
        ("a.b = 1", 1),
        ("# = 1", 0),
        ("a = 9223372036854775808", 4),
        ("a = 99999999999999999999", 4),
        ("a = 0x8000000000000001", 4),
        ("a = 1e999", 4),
        ("a = 12abc", 4),
        ("a = 1e", 4),
        ("a = 1e+x", 4),
        ("a = 0x", 4),
        ("a = 0xg", 4),
        ("a = 09", 4),
        ("a = 1.5L", 4),
        // Structure.
        ("(a = 1", 6),
        ("a = 1)", 5),
        ("a = ", 4),
        ("= 1", 0),
        ("(", 1),
        ("()", 1),
        ("a = 1 b = 2", 6),
        ("a = 'x' ESCAPE", 8),
        ("a = 1 = 2", 6),
        ("a < b < c", 6),
        ("a = 1 IS NULL", 6),
        ("a NOT 5", 2),
        ("a NOT = 5", 2),
        ("a IS 5", 5),
        ("a IS NOT 5", 9),
        ("a IS", 4),
        ("a BETWEEN 1 5", 12),
        ("a BETWEEN 1", 11),
        ("a IN 'x'", 5),
        ("a IN ('x', 'y'", 14),
        ("a IN ('x' 'y')", 10),
        ("a IN ('x',)", 10),
        ("a IN ()", 5),
        ("a IN ('x', 1)", 11),
        ("a IN (b)", 6),
        ("a + 1 IN ('x')", 0),
        ("'a' IN ('x')", 0),
        ("a LIKE b", 7),
        ("a LIKE", 6),
        ("a LIKE 'x' ESCAPE", 17),
        ("a LIKE 'x' ESCAPE 'ab'", 18),
        ("a LIKE 'x' ESCAPE ''", 18),
        ("a LIKE 'a\\b' ESCAPE '\\'", 9),
        ("a LIKE 'ab\\' ESCAPE '\\'", 10),
        ("a LIKE 'it''s!' ESCAPE '!'", 13),
        ("1 LIKE 'x'", 0),
        ("a = NULL", 4),
        ("NULL IS NULL", 0),
        ("and = 1", 0),
        ("a = NOT b", 4),
        ("a = ,", 4),
        // Types.
        ("price + 1", 0),
        ("'x'", 0),
        ("1", 0),
        ("(a + 1)", 0),
        ("1 AND a", 0),
        ("a AND 1", 6),
        ("a OR 'x'", 5),
        ("NOT 5", 4),
        ("a > 'x'", 4),
        ("'x' < a", 0),
        ("TRUE > a", 0),
        ("(a = 1) < 2", 0),
        ("'a' = 1", 0),
        ("TRUE = 'x'", 0),
        ("(a = 1) = 2", 0),
        ("a = 'x' + 1", 4),
        ("a = 1 + 'x'", 8),
        ("a = -'x'", 5),
        ("a = -TRUE", 5),
        ("a BETWEEN 'x' AND 5", 10),
        ("'x' BETWEEN 1 AND 5", 0),
        ("a BETWEEN 1 AND TRUE", 16),
    ];

    #[test]
    fn malformed_selectors_are_refused_where_the_mistake_is() {
        for &(text, offset) in MALFORMED {
            let e = parse_err(text);
            assert_eq!(e.offset, offset, "{text:?}: {}", e.message.en);
            assert!(e.end >= e.offset && e.end <= text.len(), "{text:?}: {e:?}");
            assert!(text.is_char_boundary(e.offset) && text.is_char_boundary(e.end));
            assert!(!e.message.is_incomplete(), "{text:?}: {e:?}");
            assert_ne!(e.message.en, e.message.zh, "{text:?}");
        }
    }

    #[test]
    fn error_messages_say_what_is_wrong() {
        let e = parse_err("Country IN ('UK', 'US'");
        assert_eq!(
            e.message.en,
            "expected ')' after the list of values (the list opens at byte 11)"
        );
        assert_eq!(e.message.zh, "值列表后面缺少“)”(列表从第 11 个字节处开始)");
        assert_eq!((e.offset, e.end), (22, 22));

        let e = parse_err("price + 1");
        assert!(e.message.en.contains("condition"), "{}", e.message.en);
        assert!(e.message.en.contains("a number"), "{}", e.message.en);
        assert_eq!((e.offset, e.end), (0, 9));

        let e = parse_err("a != 1");
        assert!(e.message.en.contains("<>"));
        assert_eq!((e.offset, e.end), (2, 4));

        let e = parse_err("颜色 = ‘红’");
        assert!(e.message.zh.contains("全角"), "{}", e.message.zh);
        assert_eq!(e.offset, "颜色 = ".len());

        let e = parse_err("a LIKE 'a\\b' ESCAPE '\\'");
        assert_eq!(
            (e.offset, e.end),
            (9, 11),
            "underlines the escape and what follows"
        );

        let e = parse_err("a = 1 b");
        assert!(e.message.en.contains("'b'") && e.message.en.contains("AND or OR"));
        assert_eq!(format!("{e}"), format!("{} (at byte 6)", e.message.en));
    }

    #[test]
    fn nesting_is_limited_without_overflowing_the_stack() {
        let nested =
            |n: usize, open: &str, close: &str| format!("{}a{}", open.repeat(n), close.repeat(n));
        assert!(Selector::parse(&nested(MAX_DEPTH, "(", ")")).is_ok());
        let e = parse_err(&nested(MAX_DEPTH + 1, "(", ")"));
        assert_eq!(e.offset, MAX_DEPTH, "the first '(' too many");
        assert!(e.message.en.contains("nested too deeply"));

        assert_eq!(
            eval_with(
                &nested(MAX_DEPTH, "NOT ", ""),
                &props(&[("a", true.into())])
            ),
            T
        );
        assert!(Selector::parse(&nested(MAX_DEPTH + 1, "NOT ", "")).is_err());
        assert!(Selector::parse(&format!("{}a > 0", "-".repeat(MAX_DEPTH))).is_ok());
        assert!(Selector::parse(&format!("{}a > 0", "-".repeat(MAX_DEPTH + 1))).is_err());
        // Mixed nesting counts every level.
        let mixed = "(NOT -".repeat(MAX_DEPTH / 3 + 1);
        assert!(Selector::parse(&format!("{mixed}a")).is_err());

        // Far beyond the limits: an error, not a stack overflow.
        for text in [
            "(".repeat(10_000),
            "NOT ".repeat(10_000),
            "-".repeat(10_000),
        ] {
            let e = parse_err(&text);
            assert!(!e.message.is_incomplete());
        }
        let e = parse_err(&"(".repeat(MAX_LEN));
        assert!(e.message.en.contains("nested too deeply"));

        // Long flat chains are not nesting: they parse and evaluate.
        let chain = vec!["a"; 600].join(" AND ");
        assert!(chain.len() <= MAX_LEN);
        assert_eq!(eval_with(&chain, &props(&[("a", true.into())])), T);
        let sum = format!("{} = 1000", vec!["1"; 1000].join("+"));
        assert_eq!(eval_const(&sum), T);
    }

    #[test]
    fn length_is_limited() {
        let at_limit = format!("a = '{}'", "x".repeat(MAX_LEN - 6));
        assert_eq!(at_limit.chars().count(), MAX_LEN);
        assert!(Selector::parse(&at_limit).is_ok());
        let over = format!("a = '{}'", "x".repeat(MAX_LEN - 5));
        let e = parse_err(&over);
        assert_eq!((e.offset, e.end), (MAX_LEN, over.len()));
        // The limit counts characters, not bytes.
        let wide = format!("a = '{}'", "字".repeat(MAX_LEN - 6));
        assert!(Selector::parse(&wide).is_ok());
    }

    #[test]
    fn serde_stores_the_text_and_refuses_malformed_selectors() {
        let s = parse("color = 'blue' AND weight > 2500");
        let json = serde_json::to_string(&s).expect("serialises");
        assert_eq!(json, r#""color = 'blue' AND weight > 2500""#);
        let back: Selector = serde_json::from_str(&json).expect("deserialises");
        assert_eq!(back, s);

        let err = serde_json::from_str::<Selector>(r#""color = 'blue""#)
            .expect_err("malformed selector refused");
        let msg = format!("{err}");
        assert!(msg.contains("no closing quote"), "{msg}");
        assert!(msg.contains("at byte 8"), "{msg}");
        assert!(serde_json::from_str::<Selector>("12").is_err());

        let e = parse_err("a =");
        let json = serde_json::to_string(&e).expect("serialises");
        assert_eq!(
            serde_json::from_str::<SelectorError>(&json).expect("reads"),
            e
        );
    }

    #[test]
    fn values_are_bare_json() {
        let m = props(&[
            ("b", true.into()),
            ("l", 2500.into()),
            ("d", 2.5.into()),
            ("w", 3.0.into()),
            ("s", "blue".into()),
        ]);
        let json = serde_json::to_string(&m).expect("serialises");
        assert_eq!(json, r#"{"b":true,"d":2.5,"l":2500,"s":"blue","w":3.0}"#);
        let back: BTreeMap<String, Value> = serde_json::from_str(&json).expect("reads");
        assert_eq!(back, m);
        let read: Value = serde_json::from_str("-7").expect("reads");
        assert_eq!(read, Value::Long(-7));
        let read: Value = serde_json::from_str("1e3").expect("reads");
        assert_eq!(read, Value::Double(1000.0));
    }

    #[test]
    fn truth_labels_are_bilingual() {
        for t in [T, F, U] {
            assert!(!t.label().is_incomplete());
        }
        assert_eq!(Truth::from(true), T);
        assert!(T.is_true() && !U.is_true() && !F.is_true());
    }

    /// Pieces of selectors, valid and not, for building token soup.
    const PIECES: &[&str] = &[
        "(",
        ")",
        "NOT",
        "not",
        "AND",
        "OR",
        "BETWEEN",
        "IN",
        "LIKE",
        "ESCAPE",
        "IS",
        "NULL",
        "TRUE",
        "FALSE",
        "'a'",
        "'%'",
        "'_b%'",
        "'!'",
        "''''",
        "'",
        "a",
        "b",
        "s",
        "n",
        "x",
        "0",
        "1",
        "-1",
        "2.5",
        "7E3",
        ".5",
        "7.",
        "9223372036854775808",
        "0x1F",
        "017",
        "1e",
        "=",
        "<>",
        "<",
        "<=",
        ">",
        ">=",
        "+",
        "-",
        "*",
        "/",
        ",",
        "!=",
        "（",
        "\"",
        "颜色",
        "_",
    ];

    fn soup() -> impl Strategy<Value = String> {
        (
            prop::collection::vec(prop::sample::select(PIECES.to_vec()), 0..40),
            prop::sample::select(vec![" ", ""]),
        )
            .prop_map(|(pieces, sep)| pieces.join(sep))
    }

    fn field_maps() -> Vec<BTreeMap<String, Value>> {
        vec![
            BTreeMap::new(),
            props(&[
                ("a", true.into()),
                ("b", false.into()),
                ("n", 3.into()),
                ("s", "ab".into()),
            ]),
            props(&[
                ("a", 1.into()),
                ("b", "%".into()),
                ("n", 2.5.into()),
                ("x", i64::MIN.into()),
            ]),
            props(&[("a", "a".into()), ("x", 0.into()), ("颜色", "a".into())]),
        ]
    }

    fn opt_value() -> impl Strategy<Value = Option<Value>> {
        prop_oneof![
            Just(None),
            (-3i64..4).prop_map(|n| Some(Value::Long(n))),
            (-3i64..4).prop_map(|n| Some(Value::Double(n as f64 / 2.0))),
            prop::sample::select(vec!["a", "1"]).prop_map(|s| Some(Value::Str(s.into()))),
            any::<bool>().prop_map(|b| Some(Value::Bool(b))),
        ]
    }

    /// Numeric expressions over the fields of [`field_maps`] and literals, nested a little.
    fn numeric() -> impl Strategy<Value = String> {
        let leaf = prop::sample::select(vec!["a", "n", "x", "0", "1", "-1", "2.5", "7E3", "0x1F"])
            .prop_map(String::from);
        leaf.prop_recursive(3, 12, 2, |inner| {
            prop_oneof![
                (
                    inner.clone(),
                    prop::sample::select(vec!["+", "-", "*", "/"]),
                    inner.clone()
                )
                    .prop_map(|(l, op, r)| format!("({l} {op} {r})")),
                inner.prop_map(|v| format!("-{v}")),
            ]
        })
    }

    /// Well-formed selectors using every kind of condition.
    fn well_formed() -> impl Strategy<Value = String> {
        let field = || prop::sample::select(vec!["a", "b", "n", "s", "x", "颜色"]);
        let not = || any::<bool>().prop_map(|n| if n { "NOT " } else { "" });
        let in_items = prop::collection::vec(
            prop::sample::select(vec!["'a'", "'ab'", "'%'", "''''"]),
            1..4,
        );
        let patterns = prop::sample::select(vec![
            "'%'",
            "'a%'",
            "'_b'",
            "'!%' ESCAPE '!'",
            "'a!_' ESCAPE '!'",
        ]);
        let leaf = prop_oneof![
            (
                numeric(),
                prop::sample::select(vec!["=", "<>", "<", "<=", ">", ">="]),
                numeric()
            )
                .prop_map(|(l, op, r)| format!("{l} {op} {r}")),
            (numeric(), not(), numeric(), numeric())
                .prop_map(|(v, not, lo, hi)| format!("{v} {not}BETWEEN {lo} AND {hi}")),
            (field(), not(), in_items)
                .prop_map(|(f, not, items)| format!("{f} {not}IN ({})", items.join(", "))),
            (field(), not(), patterns).prop_map(|(f, not, p)| format!("{f} {not}LIKE {p}")),
            (
                prop_oneof![field().prop_map(String::from), numeric()],
                not()
            )
                .prop_map(|(v, not)| format!("{v} IS {not}NULL")),
            (
                field(),
                prop::sample::select(vec!["=", "<>"]),
                prop::sample::select(vec!["'a'", "'%'", "TRUE"])
            )
                .prop_map(|(f, op, v)| format!("{f} {op} {v}")),
            prop::sample::select(vec!["TRUE", "FALSE", "a", "b"]).prop_map(String::from),
        ];
        leaf.prop_recursive(4, 24, 2, |inner| {
            prop_oneof![
                inner.clone().prop_map(|c| format!("NOT {c}")),
                (inner.clone(), inner.clone()).prop_map(|(l, r)| format!("({l} AND {r})")),
                (inner.clone(), inner).prop_map(|(l, r)| format!("({l} OR {r})")),
            ]
        })
    }

    /// Checks what every parsed selector must satisfy, whatever it says.
    fn check_parsed(s: &Selector) -> Result<(), TestCaseError> {
        let negated = Selector::parse(&format!("NOT ({})", s.text()));
        for f in field_maps() {
            let t = s.evaluate(&f);
            prop_assert_eq!(s.matches(&f), t == T);
            if let Ok(n) = &negated {
                if !s.selects_all() {
                    prop_assert_eq!(n.evaluate(&f), !t);
                }
            }
        }
        let json = serde_json::to_string(s).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        let back: Selector =
            serde_json::from_str(&json).map_err(|e| TestCaseError::fail(format!("{e}")))?;
        prop_assert_eq!(&back, s);
        Ok(())
    }

    fn check_error(text: &str, e: &SelectorError) -> Result<(), TestCaseError> {
        prop_assert!(
            e.offset <= e.end && e.end <= text.len(),
            "{:?}: {:?}",
            text,
            e
        );
        prop_assert!(text.is_char_boundary(e.offset) && text.is_char_boundary(e.end));
        prop_assert!(!e.message.is_incomplete());
        Ok(())
    }

    proptest! {
        #[test]
        fn parse_never_panics_on_arbitrary_text(text in any::<String>()) {
            match Selector::parse(&text) {
                Ok(s) => check_parsed(&s)?,
                Err(e) => check_error(&text, &e)?,
            }
        }

        #[test]
        fn parse_never_panics_on_token_soup(text in soup()) {
            match Selector::parse(&text) {
                Ok(s) => check_parsed(&s)?,
                Err(e) => check_error(&text, &e)?,
            }
        }

        #[test]
        fn well_formed_selectors_parse_and_negate(text in well_formed()) {
            let s = Selector::parse(&text);
            prop_assert!(s.is_ok(), "{:?}: {:?}", text, s);
            if let Ok(s) = s {
                check_parsed(&s)?;
            }
        }

        #[test]
        fn an_escaped_pattern_matches_exactly_its_text(value in any::<String>(), other in any::<String>()) {
            let mut pattern = String::new();
            for c in value.chars() {
                if matches!(c, '%' | '_' | '\\') {
                    pattern.push('\\');
                }
                if c == '\'' {
                    pattern.push('\'');
                }
                pattern.push(c);
            }
            let s = parse(&format!("v LIKE '{pattern}' ESCAPE '\\'"));
            prop_assert!(s.matches(&props(&[("v", value.clone().into())])));
            prop_assert_eq!(s.matches(&props(&[("v", other.clone().into())])), other == value);
            let any = parse("v LIKE '%'");
            prop_assert!(any.matches(&props(&[("v", value.into())])));
        }

        #[test]
        fn between_is_its_expansion(x in opt_value(), lo in opt_value(), hi in opt_value()) {
            let mut f = BTreeMap::new();
            for (name, v) in [("x", x), ("lo", lo), ("hi", hi)] {
                if let Some(v) = v {
                    f.insert(name.to_string(), v);
                }
            }
            prop_assert_eq!(
                eval_with("x BETWEEN lo AND hi", &f),
                eval_with("x >= lo AND x <= hi", &f)
            );
            prop_assert_eq!(
                eval_with("x NOT BETWEEN lo AND hi", &f),
                eval_with("x < lo OR x > hi", &f)
            );
        }
    }
}
