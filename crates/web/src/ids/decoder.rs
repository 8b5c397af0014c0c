//! The id decoder: paste any id and see what it says. A 64-bit number is read under each
//! snowflake layout (Twitter, Leaf, Sonyflake, Baidu uid-generator), a UUID as RFC 9562 reads it.

use distlab_core::ids::clock::datetime_text;
use distlab_core::ids::snowflake::{Field, Layout};
use distlab_core::ids::uuids;
use distlab_core::{Lang, Text};
use web_sys::HtmlInputElement;
use yew::prelude::*;

use crate::i18n::{thousands, tr};

/// The longest text the decoder reads.
const MAX_INPUT: usize = 100;

/// What the decoder found.
#[derive(Clone, Debug, PartialEq)]
pub enum Decoded {
    /// A 64-bit id under each layout: (layout name, time, machine, sequence).
    Snowflake(u64, Vec<(&'static str, String, String, String)>),
    Uuid(uuids::UuidView),
}

const LAYOUTS: [(&str, Layout); 4] = [
    ("Twitter", Layout::TWITTER),
    ("Leaf", Layout::LEAF),
    ("Sonyflake", Layout::SONYFLAKE),
    ("Baidu", Layout::BAIDU),
];

/// Reads `input` as a decimal 64-bit id or a UUID, or says why it cannot.
pub fn decode(input: &str) -> Result<Decoded, Text> {
    let s = input.trim();
    if s.is_empty() {
        return Err(Text::new(
            "Type or paste an id first.",
            "请先输入或粘贴一个 ID。",
        ));
    }
    if s.len() > MAX_INPUT {
        return Err(Text::new(
            format!(
                "That is {} characters; an id is at most 20 digits, a UUID 36 characters.",
                thousands(s.len() as u64)
            ),
            format!(
                "输入有 {} 个字符；ID 最多 20 位数字，UUID 最多 36 个字符。",
                thousands(s.len() as u64)
            ),
        ));
    }
    if s.bytes().all(|b| b.is_ascii_digit()) {
        let id: u64 = s.parse().map_err(|_| {
            Text::new(
                "That number does not fit in 64 bits (at most 18,446,744,073,709,551,615).",
                "这个数超出了 64 位（最大 18,446,744,073,709,551,615）。",
            )
        })?;
        let rows = LAYOUTS
            .iter()
            .map(|(name, layout)| {
                let p = layout.decompose(id);
                let machine = if layout.bits(Field::Datacenter) > 0 {
                    format!("{} / {}", p.datacenter, p.worker)
                } else {
                    p.worker.to_string()
                };
                (
                    *name,
                    datetime_text(p.unix_ms),
                    machine,
                    p.sequence.to_string(),
                )
            })
            .collect();
        return Ok(Decoded::Snowflake(id, rows));
    }
    uuids::parse(s).map(|u| Decoded::Uuid(uuids::view(u)))
}

#[derive(Properties, PartialEq)]
pub struct DecoderProps {
    pub lang: Lang,
}

#[function_component(Decoder)]
pub fn decoder(props: &DecoderProps) -> Html {
    let lang = props.lang;
    let input = use_node_ref();
    let result = use_state(|| None::<Result<Decoded, Text>>);
    let onsubmit = {
        let input = input.clone();
        let result = result.clone();
        Callback::from(move |e: SubmitEvent| {
            e.prevent_default();
            if let Some(field) = input.cast::<HtmlInputElement>() {
                result.set(Some(decode(&field.value())));
            }
        })
    };
    let shown = match &*result {
        None => html! {
            <p class="hint">{ tr(lang,
                "Paste an id from the stream above, or any snowflake id or UUID.",
                "粘贴上面列表里的 ID，或任何雪花 ID、UUID。") }</p>
        },
        Some(Err(why)) => {
            html! { <p class="message bad" data-testid="decoder-error" role="alert">{ why.get(lang).to_string() }</p> }
        }
        Some(Ok(Decoded::Snowflake(id, rows))) => html! {
            <>
                <p class="bits-line">{ format!("{id} = 0b {id:064b}") }</p>
                <table class="journeys" data-testid="decoder-result">
                    <thead><tr>
                        <th>{ tr(lang, "read as", "按此布局") }</th><th>{ tr(lang, "time (Beijing)", "时间（北京时间）") }</th>
                        <th>{ tr(lang, "machine", "机器") }</th><th>{ tr(lang, "sequence", "序列号") }</th>
                    </tr></thead>
                    <tbody>
                        { for rows.iter().map(|(name, time, machine, seq)| html! {
                            <tr><td>{ *name }</td><td>{ time.clone() }</td><td>{ machine.clone() }</td><td>{ seq.clone() }</td></tr>
                        }) }
                    </tbody>
                </table>
                <p class="hint">{ tr(lang,
                    "The bits do not say which layout made them: the same number is a different time and machine under each. Only the layout that minted it reads it right.",
                    "这些位本身不说明是哪种布局生成的：同一个数在不同布局下是不同的时间和机器。只有生成它的布局才能正确解读。") }</p>
            </>
        },
        Some(Ok(Decoded::Uuid(v))) => {
            let time = v.unix_ms.map(datetime_text);
            html! {
                <table class="journeys" data-testid="decoder-result">
                    <tbody>
                        <tr><td>{ "UUID" }</td><td>{ v.text.clone() }</td></tr>
                        <tr><td>{ tr(lang, "version", "版本") }</td><td>{ match v.version {
                            4 => tr(lang, "4: random", "4：随机").to_string(),
                            7 => tr(lang, "7: Unix time, then random", "7：Unix 时间在前，其后随机").to_string(),
                            n => n.to_string(),
                        } }</td></tr>
                        <tr><td>{ tr(lang, "variant", "变体") }</td><td>{ if v.rfc_variant { "RFC 9562" } else { tr(lang, "other", "其他") } }</td></tr>
                        if let Some(t) = time {
                            <tr><td>{ tr(lang, "time (Beijing)", "时间（北京时间）") }</td><td>{ t }</td></tr>
                        }
                        if let Some(a) = v.rand_a {
                            <tr><td>{ "rand_a" }</td><td>{ a.to_string() }</td></tr>
                        }
                    </tbody>
                </table>
            }
        }
    };
    html! {
        <section class="panel ids-decoder" data-testid="ids-decoder">
            <h2>{ tr(lang, "Decode an id", "解码一个 ID") }</h2>
            <form class="row" {onsubmit}>
                <input ref={input} data-testid="decoder-input" type="text" maxlength="100" spellcheck="false"
                    aria-label={tr(lang, "An id or a UUID", "一个 ID 或 UUID")} placeholder="2126481196488724480" />
                <button type="submit" data-testid="decode">{ tr(lang, "Decode", "解码") }</button>
            </form>
            { shown }
        </section>
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn a_snowflake_id_reads_as_its_time_machine_and_sequence() {
        let id = Layout::TWITTER.compose(1_795_827_600_010, 1, 1, 1).unwrap();
        let Ok(Decoded::Snowflake(_, rows)) = decode(&format!(" {id} ")) else {
            panic!("not decoded");
        };
        assert_eq!(
            rows[0],
            (
                "Twitter",
                "2026-11-28 09:00:00.010".to_string(),
                "1 / 1".to_string(),
                "1".to_string()
            )
        );
    }

    #[test]
    fn bad_input_says_why() {
        assert!(decode("").is_err());
        assert!(decode("18446744073709551616").is_err());
        assert!(decode("not an id").is_err());
        assert!(decode(&"9".repeat(1_000)).is_err());
        let v7 = "01234567-89ab-7fff-bfff-ffffffffffff";
        let Ok(Decoded::Uuid(v)) = decode(v7) else {
            panic!()
        };
        assert_eq!((v.version, v.unix_ms), (7, Some(0x0123_4567_89ab)));
    }
}
