//! The peak-shaving lab's view: the burst arriving, the steady rate the consumers drain, the
//! backlog in between and the load on the database, plotted over time, with the controls that
//! change the rates, the consumers and whether there is a queue at all.

use distlab_core::kernel::{Event, World};
use distlab_core::mq::flow::{FlowLab, FlowNote, FlowOp, Sample};
use distlab_core::Lang;
use plotters::prelude::*;
use yew::prelude::*;

use crate::i18n::{describe_kernel_event, thousands, tr, trf};
use crate::player::{Msg, Player, Session};
use distlab_core::text::plural;

const FONT: &str = "sans-serif";

impl crate::player::Narrate for FlowLab {
    fn describe(
        lang: Lang,
        world: &World<Self>,
        event: &Event<Self::Msg, Self::Note>,
    ) -> Option<String> {
        match event {
            Event::Note { note } => Some(describe_note(lang, note)),
            other => describe_kernel_event(lang, &world.nodes, other),
        }
    }
}

pub fn describe_note(lang: Lang, note: &FlowNote) -> String {
    match note {
        FlowNote::Ticked { sample, counts } => {
            let t = seconds(sample.at);
            let mut en = format!(
                "by {t:.1} s: {} arrived, {} processed, backlog {}",
                thousands(counts.arrived),
                thousands(counts.processed),
                thousands(sample.backlog)
            );
            let mut zh = format!(
                "到 {t:.1} 秒：到达 {} 条，处理 {} 条，积压 {} 条",
                thousands(counts.arrived),
                thousands(counts.processed),
                thousands(sample.backlog)
            );
            if counts.expired > 0 {
                en.push_str(&format!(", {} expired", thousands(counts.expired)));
                zh.push_str(&format!("，过期 {} 条", thousands(counts.expired)));
            }
            if counts.rejected > 0 {
                en.push_str(&format!(", {} refused", thousands(counts.rejected)));
                zh.push_str(&format!("，被拒绝 {} 条", thousands(counts.rejected)));
            }
            trf(lang, en, zh)
        }
        FlowNote::ProducerRateSet { per_second } => trf(
            lang,
            format!("producers now send {} messages/s", thousands(*per_second)),
            format!("生产者现在每秒发送 {} 条消息", thousands(*per_second)),
        ),
        FlowNote::ConsumersSet { consumers } => trf(
            lang,
            format!(
                "{} now drain the queue",
                plural(u64::from(*consumers), "consumer", "consumers")
            ),
            format!("现在有 {consumers} 个消费者处理队列"),
        ),
        FlowNote::QueueSet { with_queue } => {
            if *with_queue {
                tr(
                    lang,
                    "a queue now sits between the producers and the database",
                    "生产者和数据库之间加上了队列",
                )
                .to_string()
            } else {
                tr(
                    lang,
                    "the producers now call the database directly",
                    "生产者现在直接调用数据库",
                )
                .to_string()
            }
        }
    }
}

fn seconds(ms: u64) -> f64 {
    ms as f64 / 1000.0
}

/// The chart's size in SVG units: about the CSS px of its stage on a 1280×720 projector, so that
/// its type sizes are what a class sees (see [`crate::diagram`]).
const CHART_W: u32 = 820;
const CHART_H: u32 = 430;
/// The type size of the axes' labels and names, as plotters takes it: its SVG backend writes
/// four fifths of it (21 → 16.8 px).
const CHART_TEXT: u32 = 21;

/// Which number of a sample a line plots.
type Field = fn(&Sample) -> u64;

/// The chart's lines: colour, and what each is, for the chart and its legend (drawn under the
/// chart, off the data).
const PRODUCED: RGBColor = RGBColor(0xb4, 0x53, 0x09);
const PROCESSED: RGBColor = RGBColor(0x25, 0x63, 0xeb);
const DB_LOAD: RGBColor = RGBColor(0x0f, 0x17, 0x2a);
const EXPIRED: RGBColor = RGBColor(0x7c, 0x3a, 0xed);
const LIMIT: RGBColor = RGBColor(0xdc, 0x26, 0x26);

/// Top: the rates (produced, processed, the database's load and what expired, per second) against
/// the database's capacity; bottom: the backlog, against the expiry line, the backlog over which
/// a new message waits longer than its TTL at the rate the consumers drain the queue (`expiry_at`).
fn chart(
    lang: Lang,
    history: &[Sample],
    db_capacity: u64,
    expiry_at: Option<u64>,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, CHART_H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (upper, lower) = root.split_vertically(CHART_H / 2);
        let end = history.last().map_or(1.0, |s| seconds(s.at)).max(1.0);
        let top_rate = history
            .iter()
            .flat_map(|s| [s.arrived, s.processed, s.db_load])
            .chain([db_capacity])
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.15;
        let mut rates = ChartBuilder::on(&upper)
            .margin(10)
            .x_label_area_size(0)
            .y_label_area_size(78)
            .build_cartesian_2d(0f64..end, 0f64..top_rate)
            .map_err(|e| e.to_string())?;
        rates
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .y_labels(5)
            .y_desc(tr(lang, "messages / s", "条/秒"))
            .y_label_formatter(&|y| thousands(*y as u64))
            .label_style((FONT, CHART_TEXT))
            .axis_desc_style((FONT, CHART_TEXT))
            .draw()
            .map_err(|e| e.to_string())?;
        let line =
            |pick: fn(&Sample) -> u64| history.iter().map(move |s| (seconds(s.at), pick(s) as f64));
        rates
            .draw_series(LineSeries::new(
                [(0.0, db_capacity as f64), (end, db_capacity as f64)],
                LIMIT.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?;
        let series: [(RGBColor, Field); 4] = [
            (PRODUCED, |s| s.arrived),
            (PROCESSED, |s| s.processed),
            (DB_LOAD, |s| s.db_load),
            (EXPIRED, |s| s.expired),
        ];
        for (colour, pick) in series {
            rates
                .draw_series(LineSeries::new(line(pick), colour.stroke_width(3)))
                .map_err(|e| e.to_string())?;
        }
        let top_backlog = history
            .iter()
            .map(|s| s.backlog)
            .chain(expiry_at)
            .max()
            .unwrap_or(1)
            .max(1) as f64
            * 1.15;
        let mut backlog = ChartBuilder::on(&lower)
            .margin(10)
            .x_label_area_size(40)
            .y_label_area_size(78)
            .build_cartesian_2d(0f64..end, 0f64..top_backlog)
            .map_err(|e| e.to_string())?;
        backlog
            .configure_mesh()
            .disable_x_mesh()
            .max_light_lines(0)
            .x_labels(8)
            .y_labels(4)
            .x_desc(tr(lang, "time (s)", "时间（秒）"))
            .y_desc(tr(lang, "backlog", "积压"))
            .y_label_formatter(&|y| thousands(*y as u64))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .label_style((FONT, CHART_TEXT))
            .axis_desc_style((FONT, CHART_TEXT))
            .draw()
            .map_err(|e| e.to_string())?;
        backlog
            .draw_series(
                AreaSeries::new(
                    history.iter().map(|s| (seconds(s.at), s.backlog as f64)),
                    0.0,
                    RGBColor(0xfe, 0xf3, 0xc7),
                )
                .border_style(PRODUCED.stroke_width(2)),
            )
            .map_err(|e| e.to_string())?;
        if let Some(level) = expiry_at {
            backlog
                .draw_series(DashedLineSeries::new(
                    [(0.0, level as f64), (end, level as f64)],
                    8,
                    5,
                    EXPIRED.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?;
        }
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The chart's legend: a swatch of each line's colour and what it is.
fn legend(lang: Lang, expiry_at: Option<u64>, ttl_ms: Option<u64>) -> Html {
    let css = |c: RGBColor| format!("background:rgb({},{},{})", c.0, c.1, c.2);
    let lines = [
        (PRODUCED, "produced / s", "生产速率"),
        (PROCESSED, "processed / s", "处理速率"),
        (DB_LOAD, "database load / s", "数据库负载"),
        (EXPIRED, "expired / s", "过期速率"),
        (LIMIT, "database capacity", "数据库容量"),
    ];
    let mut keys: Vec<(String, String, &str)> = lines
        .iter()
        .map(|&(colour, en, zh)| (css(colour), tr(lang, en, zh).to_string(), ""))
        .collect();
    if let (Some(level), Some(ttl)) = (expiry_at, ttl_ms) {
        keys.push((
            css(EXPIRED),
            trf(
                lang,
                format!(
                    "expiry line: a message that arrives with more than {} ahead of it waits longer than its TTL ({:.1} s) and expires unprocessed",
                    thousands(level),
                    seconds(ttl)
                ),
                format!(
                    "过期线：新到的消息前面排着超过 {} 条时，它的等待时间会超过 TTL（{:.1} 秒），未处理就过期",
                    thousands(level),
                    seconds(ttl)
                ),
            ),
            "dashed",
        ));
    }
    html! {
        <ul class="chart-legend" data-testid="flow-legend">
            { for keys.into_iter().map(|(style, label, class)| html! {
                <li><span class={classes!("swatch", class)} style={style}></span>{ label }</li>
            }) }
        </ul>
    }
}

fn button(dispatch: &Callback<Msg<FlowLab>>, testid: &str, label: String, op: FlowOp) -> Html {
    crate::views::op_button(dispatch, testid.to_string(), label, op, true)
}

pub fn view(
    player: &Player<FlowLab>,
    session: &Session<FlowLab>,
    dispatch: &Callback<Msg<FlowLab>>,
) -> Html {
    let lang = player.lang;
    let lab = &session.state.protocol;
    let drain = u64::from(lab.setup.consumers) * lab.setup.consumer_rate;
    // The backlog a consumer group drains in one TTL: a message that finds more ahead of it
    // expires before its turn (first in, first out).
    let expiry_at = lab
        .setup
        .ttl_ms
        .filter(|_| lab.setup.with_queue)
        .map(|ttl| drain.saturating_mul(ttl) / 1000);
    let svg = match chart(lang, &lab.history, lab.setup.db_capacity, expiry_at) {
        Ok(svg) => Html::from_html_unchecked(AttrValue::from(svg)),
        Err(e) => html! { <p class="chart-error">{ e }</p> },
    };
    html! {
        <div class="flow-lab">
            <div class="flow-numbers" data-testid="flow-numbers">
                <div class="counter moving"><span class="n">{ thousands(lab.producer_rate) }</span><span class="what">{ tr(lang, "produced / s", "每秒生产") }</span></div>
                <div class="counter good"><span class="n">{ thousands(drain) }</span><span class="what">{ trf(lang, format!("drained / s ({})", plural(u64::from(lab.setup.consumers), "consumer", "consumers")), format!("每秒处理（{} 个消费者）", lab.setup.consumers)) }</span></div>
                <div class="counter stored" data-testid="backlog"><span class="n">{ thousands(lab.backlog) }</span><span class="what">{ tr(lang, "backlog", "积压") }</span></div>
                <div class="counter done"><span class="n">{ thousands(lab.total_expired) }</span><span class="what">{ tr(lang, "expired", "过期") }</span></div>
                <div class="counter bad"><span class="n">{ thousands(lab.total_rejected) }</span><span class="what">{ tr(lang, "refused", "被拒绝") }</span></div>
                <div class="counter"><span class="n">{ if lab.setup.with_queue { tr(lang, "yes", "有") } else { tr(lang, "no", "无") } }</span><span class="what">{ tr(lang, "queue in between", "中间有队列") }</span></div>
            </div>
            <figure class="diagram flow-chart" data-testid="flow-chart">
                { svg }
                { legend(lang, expiry_at, lab.setup.ttl_ms) }
                <figcaption>{ tr(lang,
                    "Top: the rates, per second, against the database's capacity. Bottom: the backlog waiting in the queue.",
                    "上图：每秒的各项速率，对照数据库容量。下图：在队列里等待的积压消息。") }</figcaption>
            </figure>
            <section class="panel jms-controls">
                <h2>{ tr(lang, "Act on the run", "操作") }</h2>
                <div class="row">
                    { button(dispatch, "flow-tick", trf(lang, format!("let {} ms pass", lab.setup.tick_ms), format!("过去 {} 毫秒", lab.setup.tick_ms)), FlowOp::Tick) }
                    { for [500u64, 2_000, 5_000].into_iter().map(|r| button(dispatch, &format!("flow-rate-{r}"), trf(lang, format!("produce {} / s", thousands(r)), format!("每秒生产 {}", thousands(r))), FlowOp::SetProducerRate { per_second: r })) }
                    { button(dispatch, "flow-more-consumers", tr(lang, "add a consumer", "增加一个消费者").into(), FlowOp::SetConsumers { consumers: lab.setup.consumers.saturating_add(1).min(100) }) }
                    { button(dispatch, "flow-queue", if lab.setup.with_queue { tr(lang, "remove the queue", "去掉队列").into() } else { tr(lang, "put a queue in between", "中间加上队列").into() }, FlowOp::SetQueue { with_queue: !lab.setup.with_queue }) }
                </div>
            </section>
        </div>
    }
}

impl crate::lab::LabView for FlowLab {
    type Variant = crate::lab::NoVariant;

    fn view(player: &Player<FlowLab>, dispatch: &Callback<Msg<FlowLab>>) -> Html {
        view(player, &player.lab, dispatch)
    }
}
