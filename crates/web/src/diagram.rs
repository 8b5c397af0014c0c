//! Laying out the text of a diagram so that it reads from the back of a classroom and stays inside
//! its boxes.
//!
//! A diagram is an SVG that scales to the width it is given (`viewBox`, `width: 100%`). Each
//! diagram is drawn about as many units wide as its stage is CSS pixels wide on a 1280×720
//! projector, so that its type sizes ([`TEXT`], [`TITLE`], [`SMALL`]) are about the pixels a class
//! sees there. SVG text does not wrap and the page cannot measure it before it is drawn, so the
//! width of a text is estimated ([`text_width`]): a CJK character is one em, a Latin one about
//! 0.6 em (a little more than the average of a sans-serif face, so that an estimate errs wide).
//! [`Stack`] stacks lines and rows of chips in a box, wrapping what does not fit, and says how
//! tall the box must be.

use yew::prelude::*;

/// The type size of a diagram's lines, in viewBox units.
pub const TEXT: f64 = 18.0;
/// The type size of a box's title.
pub const TITLE: f64 = 20.0;
/// The smallest type a diagram uses (settings, hints).
pub const SMALL: f64 = 17.0;
/// The height of a chip (a message), and its type size.
pub const CHIP_H: f64 = 28.0;
pub const CHIP_TEXT: f64 = 17.0;
/// The space between two chips, and between two rows of them.
const CHIP_GAP: f64 = 5.0;
/// A line's height, as a multiple of its type size.
const LEADING: f64 = 1.3;

/// The inline style that sets a text's type size (inline, so that no style sheet rule overrides
/// the size its layout was computed for).
pub fn font(size: f64) -> String {
    format!("font-size:{}px", n1(size))
}

/// A coordinate or size for SVG, to a tenth: "12.5", "-3", "40". Written with integers, because
/// the standard library's fixed-precision float formatting costs every page kilobytes of wasm.
pub fn n1(x: f64) -> String {
    // `as` saturates and maps NaN to 0: no input can panic here.
    let tenths = (x * 10.0).round() as i64;
    let sign = if tenths < 0 { "-" } else { "" };
    let t = tenths.unsigned_abs();
    match t % 10 {
        0 => format!("{sign}{}", t / 10),
        frac => format!("{sign}{}.{frac}", t / 10),
    }
}

/// The estimated width of `text` at type size `size`, erring wide: wide characters (CJK,
/// full-width punctuation, arrows) are 1 em; capitals, `m` and `w` 0.76 em, digits 0.64 em, other
/// letters 0.6 em, spaces and narrow punctuation 0.36 em (the widths of DejaVu Sans, the widest
/// of the faces the style sheet names, rounded up).
pub fn text_width(text: &str, size: f64) -> f64 {
    text.chars()
        .map(|c| match c {
            c if is_wide(c) || ('\u{2190}'..='\u{21FF}').contains(&c) => 1.0,
            'A'..='Z' | '@' | '%' | 'm' | 'w' => 0.76,
            '0'..='9' => 0.64,
            ' ' | '.' | ',' | ':' | ';' | '·' | '\'' | '|' | '!' | 'i' | 'l' | 'j' | '(' | ')' => {
                0.36
            }
            _ => 0.6,
        })
        .sum::<f64>()
        * size
}

/// The estimated width of bold text (titles, chips): a tenth wider.
pub fn bold_width(text: &str, size: f64) -> f64 {
    text_width(text, size) * 1.1
}

fn is_wide(c: char) -> bool {
    matches!(c as u32,
        0x1100..=0x115F | 0x2E80..=0x303E | 0x3041..=0x33FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF
        | 0xA000..=0xA4CF | 0xAC00..=0xD7A3 | 0xF900..=0xFAFF | 0xFE30..=0xFE4F | 0xFF00..=0xFF60
        | 0xFFE0..=0xFFE6)
}

/// `text` broken into lines no wider than `width` at type size `size`: between words where it has
/// spaces, after any wide character, and inside a word only when the word alone is too wide.
pub fn wrap(text: &str, width: f64, size: f64) -> Vec<String> {
    let mut lines = Vec::new();
    let mut line = String::new();
    // Pieces that may not be split: a run of narrow characters with the space before it, or one
    // wide character.
    let mut pieces: Vec<String> = Vec::new();
    for c in text.chars() {
        let joins = !is_wide(c)
            && c != ' '
            && pieces
                .last()
                .and_then(|p| p.chars().last())
                .is_some_and(|last| !is_wide(last));
        match pieces.last_mut() {
            Some(piece) if joins || (is_closing(c) && !piece.is_empty()) => piece.push(c),
            _ => pieces.push(c.to_string()),
        }
    }
    for piece in pieces {
        let candidate = format!("{line}{piece}");
        if line.is_empty() || text_width(candidate.trim_end(), size) <= width {
            line = candidate;
        } else {
            lines.push(line.trim_end().to_string());
            line = piece.trim_start().to_string();
        }
        // A piece wider than the whole line is cut where it must be.
        while text_width(&line, size) > width && line.chars().count() > 1 {
            let mut cut = String::new();
            let mut rest = line.chars().peekable();
            while let Some(&c) = rest.peek() {
                let longer = format!("{cut}{c}");
                if !cut.is_empty() && text_width(&longer, size) > width {
                    break;
                }
                cut = longer;
                rest.next();
            }
            lines.push(cut);
            line = rest.collect();
        }
    }
    if !line.trim().is_empty() || lines.is_empty() {
        lines.push(line.trim_end().to_string());
    }
    lines
}

/// Punctuation that stays with the character before it rather than start a line.
fn is_closing(c: char) -> bool {
    matches!(
        c,
        '，' | '。' | '、' | '：' | '；' | '）' | '”' | '！' | '？' | ',' | '.' | ':' | ';' | ')'
    )
}

/// A chip: a message as a rounded label, coloured by its state (`class`), with `title` as its
/// tooltip. Returns it with its width.
pub struct Chip {
    pub label: String,
    pub class: &'static str,
    pub title: String,
    /// Extra attributes and handlers: a chip that can be picked is a button.
    pub wrap: Option<Box<dyn Fn(Html, f64) -> Html>>,
    /// The step on screen moved this message: the chip is marked.
    pub changed: bool,
}

/// How wide a chip with this label is drawn.
pub fn chip_width(label: &str) -> f64 {
    (bold_width(label, CHIP_TEXT) + 16.0).max(48.0)
}

fn draw_chip(x: f64, y: f64, chip: &Chip) -> (Html, f64) {
    let w = chip_width(&chip.label);
    let shape = html! {
        <>
            <rect x={n1(x)} y={n1(y)} width={n1(w)} height={CHIP_H.to_string()} rx="12" />
            <text x={n1(x + w / 2.0)} y={n1(y + CHIP_H / 2.0 + CHIP_TEXT * 0.36)} text-anchor="middle" style={font(CHIP_TEXT)}>{ chip.label.clone() }</text>
            <title>{ chip.title.clone() }</title>
        </>
    };
    let html = match &chip.wrap {
        Some(wrap) => wrap(shape, w),
        None => html! { <g class={classes!("chip", chip.class)}>{ shape }</g> },
    };
    if chip.changed {
        // A ring round the chip, under it: what this step moved stands out.
        let ring = html! {
            <rect class="changed-ring" x={n1(x - 4.0)} y={n1(y - 4.0)}
                width={n1(w + 8.0)} height={n1(CHIP_H + 8.0)} rx="15" />
        };
        return (
            html! { <g class="changed" data-changed="true">{ ring }{ html }</g> },
            w,
        );
    }
    (html, w)
}

/// The padding inside a node's box.
pub const PAD: f64 = 10.0;

/// A node's box drawn at (0, 0), `w` wide: its title, its `state` (text and CSS class) beside it
/// when there is one (a crashed or paused node says so; one that is up says nothing), and what
/// `body` stacks under them; with the box's height.
pub fn node_box(
    title: &str,
    state: Option<(&str, &'static str)>,
    w: f64,
    body: impl FnOnce(&mut Stack),
) -> (Html, f64) {
    let mut stack = Stack::new(PAD, PAD, w - 2.0 * PAD);
    stack.head(title, state);
    stack.gap(4.0);
    body(&mut stack);
    let (html, h) = stack.finish();
    (html, h + 2.0 * PAD)
}

/// Lines and rows of chips stacked top to bottom in a box `width` wide, from (`x`, `y`).
pub struct Stack {
    x: f64,
    y: f64,
    top: f64,
    width: f64,
    parts: Vec<Html>,
}

impl Stack {
    pub fn new(x: f64, y: f64, width: f64) -> Self {
        Stack {
            x,
            y,
            top: y,
            width,
            parts: Vec::new(),
        }
    }

    /// A line of text at type size `size` in CSS class `class`, wrapped to the box's width.
    pub fn text(&mut self, class: &'static str, size: f64, text: &str) -> &mut Self {
        self.lines(class, size, wrap(text, self.width, size))
    }

    /// `text` as [`Stack::text`] draws it, its lines in a group with this test id (whose text is
    /// the whole of it).
    pub fn tagged(
        &mut self,
        testid: &str,
        class: &'static str,
        size: f64,
        text: &str,
    ) -> &mut Self {
        let start = self.parts.len();
        self.text(class, size, text);
        let lines: Vec<Html> = self.parts.drain(start..).collect();
        self.parts
            .push(html! { <g data-testid={testid.to_string()}>{ for lines }</g> });
        self
    }

    fn lines(&mut self, class: &'static str, size: f64, mut lines: Vec<String>) -> &mut Self {
        // A line broken between two words keeps its space, so that the text of the diagram (its
        // `textContent`, what a screen reader reads) has the words apart.
        for k in 1..lines.len() {
            let between = |c: Option<char>| c.is_some_and(|c| !is_wide(c));
            if between(lines[k - 1].chars().last()) && between(lines[k].chars().next()) {
                lines[k - 1].push(' ');
            }
        }
        for line in lines {
            self.y += size * LEADING;
            self.parts.push(html! {
                <text class={class} x={n1(self.x)} y={n1(self.y - size * 0.3)} style={font(size)}>{ line }</text>
            });
        }
        self
    }

    /// A bold line (a title) at type size `size`, wrapped to the box's width.
    pub fn bold(&mut self, class: &'static str, size: f64, text: &str) -> &mut Self {
        self.lines(class, size, wrap(text, self.width / 1.1, size))
    }

    /// A box's title, with a state (text and CSS class) right-aligned beside it when both fit,
    /// else on the line under it.
    pub fn head(&mut self, title: &str, state: Option<(&str, &'static str)>) -> &mut Self {
        self.bold("node-title", TITLE, title);
        let Some((text, class)) = state else {
            return self;
        };
        let one_line = wrap(title, self.width / 1.1, TITLE).len() == 1;
        let beside =
            one_line && bold_width(title, TITLE) + bold_width(text, SMALL) + 12.0 <= self.width;
        let y = if beside {
            self.y - TITLE * 0.3
        } else {
            self.y += SMALL * LEADING;
            self.y - SMALL * 0.3
        };
        self.parts.push(html! {
            <text class={classes!("node-status", class)} x={n1(self.x + self.width)} y={n1(y)}
                text-anchor="end" style={font(SMALL)}>{ text.to_string() }</text>
        });
        self
    }

    /// A line of the diagram's usual size.
    pub fn line(&mut self, class: &'static str, text: &str) -> &mut Self {
        self.text(class, TEXT, text)
    }

    /// Any drawing of `height` units placed at the current height (its top left is handed over).
    pub fn place(&mut self, height: f64, draw: impl FnOnce(f64, f64) -> Html) -> &mut Self {
        self.parts.push(draw(self.x, self.y));
        self.y += height;
        self
    }

    /// Chips left to right, wrapping at the box's width; `empty` is written when there are none.
    pub fn chips(&mut self, chips: &[Chip], empty: &str) -> &mut Self {
        if chips.is_empty() {
            return self.text("node-line muted", SMALL, empty);
        }
        self.chip_rows(chips, 0.0)
    }

    /// Rows of chips, the first `indent` units in.
    fn chip_rows(&mut self, chips: &[Chip], indent: f64) -> &mut Self {
        self.y += CHIP_GAP;
        let mut cx = self.x + indent;
        for chip in chips {
            let w = chip_width(&chip.label);
            if cx > self.x && cx + w > self.x + self.width {
                cx = self.x;
                self.y += CHIP_H + CHIP_GAP;
            }
            let (html, w) = draw_chip(cx, self.y, chip);
            self.parts.push(html);
            cx += w + CHIP_GAP;
        }
        self.y += CHIP_H + CHIP_GAP;
        self
    }

    /// A label with its chips: on one row when the label leaves room for the first chip, else
    /// the chips under it; the label and `empty` on one line when there are none.
    pub fn labelled(
        &mut self,
        class: &'static str,
        label: &str,
        chips: &[Chip],
        empty: &str,
    ) -> &mut Self {
        let label_w = text_width(label, TEXT);
        let Some(first) = chips.first() else {
            if label_w + text_width(empty, SMALL) + 8.0 > self.width {
                self.line(class, label);
                return self.text("node-line muted", SMALL, empty);
            }
            self.y += TEXT * LEADING;
            let (x, y) = (self.x, self.y - TEXT * 0.3);
            self.parts.push(html! {
                <text class={class} x={n1(x)} y={n1(y)} style={font(TEXT)}>
                    { label.to_string() }
                    <tspan class="node-line muted" dx="8" style={font(SMALL)}>{ empty.to_string() }</tspan>
                </text>
            });
            return self;
        };
        if label_w + 8.0 + chip_width(&first.label) > self.width {
            self.line(class, label);
            return self.chips(chips, empty);
        }
        // The label on the first row of chips, at their text's baseline.
        let (x, y) = (self.x, self.y + CHIP_GAP + CHIP_H / 2.0 + CHIP_TEXT * 0.36);
        self.parts.push(html! {
            <text class={class} x={n1(x)} y={n1(y)} style={font(TEXT)}>{ label.to_string() }</text>
        });
        self.chip_rows(chips, label_w + 8.0)
    }

    /// Some room.
    pub fn gap(&mut self, height: f64) -> &mut Self {
        self.y += height;
        self
    }

    /// The height stacked so far.
    pub fn height(&self) -> f64 {
        self.y - self.top
    }

    /// What was stacked, and its height.
    pub fn finish(self) -> (Html, f64) {
        let height = self.height();
        (html! { <>{ for self.parts }</> }, height)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_short_text_is_one_line() {
        assert_eq!(wrap("queue orders", 300.0, TEXT), vec!["queue orders"]);
    }

    #[test]
    fn words_wrap_between_them_and_every_line_fits() {
        let text = "consumed, not acknowledged: m1 m2 m3 m4 m5";
        let lines = wrap(text, 150.0, TEXT);
        assert!(lines.len() > 1, "{lines:?}");
        for line in &lines {
            assert!(text_width(line, TEXT) <= 150.0, "{line:?} is too wide");
        }
        assert_eq!(lines.join(" "), text);
    }

    #[test]
    fn chinese_wraps_between_characters_and_keeps_punctuation_with_its_word() {
        let text = "已消费、未确认的消息会在重新连接后再次投递。";
        let lines = wrap(text, 8.0 * TEXT, TEXT);
        assert!(lines.len() >= 3, "{lines:?}");
        for line in &lines {
            assert!(text_width(line, TEXT) <= 8.0 * TEXT, "{line:?}");
            assert!(
                !line.starts_with('、') && !line.starts_with('。'),
                "{line:?}"
            );
        }
        assert_eq!(lines.concat(), text);
    }

    #[test]
    fn a_word_wider_than_the_box_is_cut() {
        let lines = wrap("CLIENT_ACKNOWLEDGE_AND_MORE", 100.0, TEXT);
        assert!(lines.len() > 1);
        for line in &lines {
            assert!(text_width(line, TEXT) <= 100.0, "{line:?}");
        }
        assert_eq!(lines.concat(), "CLIENT_ACKNOWLEDGE_AND_MORE");
    }

    #[test]
    fn a_stack_grows_by_its_lines_and_chip_rows() {
        let mut stack = Stack::new(0.0, 0.0, 120.0);
        stack.line("node-line", "one");
        let one = stack.height();
        let chips: Vec<Chip> = (1..=6)
            .map(|k| Chip {
                label: format!("m{k}"),
                class: "stored",
                title: String::new(),
                wrap: None,
                changed: false,
            })
            .collect();
        stack.chips(&chips, "(empty)");
        // Six chips of 48 units, two to a row of 120: three rows.
        assert_eq!(stack.height(), one + 3.0 * (CHIP_H + CHIP_GAP) + CHIP_GAP);
    }
}
