//! The share link: the URL fragment that restores lab, scenario, seed, injected actions and step.
//! `#lab=ring&scenario=ring-n1-dies&seed=1&step=4&inject=[...]`; free play adds `setup={...}` and an
//! imported scenario travels whole in `file={...}`. Values are URI-encoded.

use distlab_core::Text;

/// Which scenario a link names.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ScenarioRef {
    /// A built-in scenario by id.
    Builtin(String),
    /// Free play with this set-up (JSON of the lab's set-up).
    Sandbox(String),
    /// An imported scenario file (JSON).
    File(String),
}

/// Everything a share link holds.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ShareState {
    pub lab: String,
    pub scenario: ScenarioRef,
    pub seed: Option<u64>,
    pub step: usize,
    /// JSON array of injected actions.
    pub inject: Option<String>,
}

pub const SANDBOX_ID: &str = "sandbox";
/// Upper bound on a link's fragment, in characters: room for a scenario file of the largest size
/// (`scenario::MAX_FILE_BYTES`) URI-encoded, and under what browsers accept in an address.
pub const MAX_LINK_CHARS: usize = 1_000_000;
pub const FILE_ID: &str = "file";

fn encode(value: &str) -> String {
    String::from(js_sys::encode_uri_component(value))
}

fn decode(key: &str, value: &str) -> Result<String, Text> {
    js_sys::decode_uri_component(value)
        .map(String::from)
        .map_err(|_| {
            broken(
                format!("the value of \"{key}\" is not properly encoded"),
                format!("“{key}”的值编码不正确"),
            )
        })
}

fn broken(en: String, zh: String) -> Text {
    Text::new(
        format!("This share link is broken: {en}."),
        format!("这个分享链接已损坏：{zh}。"),
    )
}

/// A link's problem as a lab's page says it: the lesson on screen stays.
pub fn kept(message: Text) -> Text {
    Text::new(
        format!("{} The current lesson stays open.", message.en),
        format!("{}当前课程保持不变。", message.zh),
    )
}

impl ShareState {
    /// The fragment, without the leading `#`.
    pub fn to_fragment(&self) -> String {
        let (id, extra) = match &self.scenario {
            ScenarioRef::Builtin(id) => (id.as_str(), None),
            ScenarioRef::Sandbox(setup) => (SANDBOX_ID, Some(("setup", setup))),
            ScenarioRef::File(file) => (FILE_ID, Some(("file", file))),
        };
        let mut out = format!("lab={}&scenario={}", encode(&self.lab), encode(id));
        if let Some((key, value)) = extra {
            out.push_str(&format!("&{key}={}", encode(value)));
        }
        if let Some(seed) = self.seed {
            out.push_str(&format!("&seed={seed}"));
        }
        out.push_str(&format!("&step={}", self.step));
        if let Some(inject) = &self.inject {
            out.push_str(&format!("&inject={}", encode(inject)));
        }
        out
    }

    /// Parses a fragment (with or without `#`). An empty fragment is `Ok(None)`.
    pub fn parse(fragment: &str) -> Result<Option<ShareState>, Text> {
        let fragment = fragment.trim_start_matches('#').trim();
        if fragment.is_empty() {
            return Ok(None);
        }
        if fragment.len() > MAX_LINK_CHARS {
            return Err(broken(
                format!(
                    "it is {} characters long, more than the {MAX_LINK_CHARS} a link may have",
                    fragment.len()
                ),
                format!(
                    "它有 {} 个字符，超过了链接允许的 {MAX_LINK_CHARS} 个",
                    fragment.len()
                ),
            ));
        }
        let mut lab = None;
        let mut scenario = None;
        let mut setup = None;
        let mut file = None;
        let mut seed = None;
        let mut step = 0;
        let mut inject = None;
        for pair in fragment.split('&').filter(|p| !p.is_empty()) {
            let Some((key, raw)) = pair.split_once('=') else {
                return Err(broken(
                    format!("\"{pair}\" has no value"),
                    format!("“{pair}”没有值"),
                ));
            };
            let value = decode(key, raw)?;
            match key {
                "lab" => lab = Some(value),
                "scenario" => scenario = Some(value),
                "setup" => setup = Some(value),
                "file" => file = Some(value),
                "seed" => {
                    seed = Some(value.parse::<u64>().map_err(|_| {
                        broken(
                            format!("the seed \"{value}\" is not a whole number"),
                            format!("种子“{value}”不是整数"),
                        )
                    })?)
                }
                "step" => {
                    step = value.parse::<usize>().map_err(|_| {
                        broken(
                            format!("the step \"{value}\" is not a whole number"),
                            format!("步骤“{value}”不是整数"),
                        )
                    })?
                }
                "inject" => inject = Some(value),
                // Unknown keys are ignored, so that newer links still open in part.
                _ => {}
            }
        }
        let lab = lab.ok_or_else(|| broken("it names no lab".into(), "它没有指明实验".into()))?;
        let id = scenario
            .ok_or_else(|| broken("it names no scenario".into(), "它没有指明场景".into()))?;
        let scenario = match id.as_str() {
            SANDBOX_ID => ScenarioRef::Sandbox(setup.ok_or_else(|| {
                broken(
                    "free play without a set-up".into(),
                    "自由练习缺少设置".into(),
                )
            })?),
            FILE_ID => ScenarioRef::File(file.ok_or_else(|| {
                broken(
                    "an imported scenario without its file".into(),
                    "导入的场景缺少文件内容".into(),
                )
            })?),
            _ => ScenarioRef::Builtin(id),
        };
        Ok(Some(ShareState {
            lab,
            scenario,
            seed,
            step,
            inject,
        }))
    }
}

/// The page of the lab a link names, with the link in its fragment (`jms.html#lab=jms&…`), or the
/// message for a lab the site does not have.
pub fn lab_page(link: &ShareState) -> Result<String, Text> {
    match distlab_core::labs::named(&link.lab) {
        Some(info) => Ok(format!("{}#{}", info.page(), link.to_fragment())),
        None => Err(unknown("lab", "实验", &link.lab)),
    }
}

/// The message for a link that names something this build does not have.
pub fn unknown(what_en: &str, what_zh: &str, name: &str) -> Text {
    broken(
        format!("there is no {what_en} \"{name}\""),
        format!("没有{what_zh}“{name}”"),
    )
}

/// The message for a link whose JSON part cannot be read.
pub fn bad_part(part: &str, error: &str) -> Text {
    broken(
        format!("its {part} cannot be read ({error})"),
        format!("无法读取其中的 {part}（{error}）"),
    )
}
