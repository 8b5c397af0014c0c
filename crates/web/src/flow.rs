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

fn chart(lang: Lang, history: &[Sample], db_capacity: u64) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (760, 300)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let (upper, lower) = root.split_vertically(150);
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
            .margin(8)
            .x_label_area_size(0)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..end, 0f64..top_rate)
            .map_err(|e| e.to_string())?;
        rates
            .configure_mesh()
            .disable_x_mesh()
            .y_desc(tr(lang, "messages/s", "条/秒"))
            .y_label_formatter(&|y| thousands(*y as u64))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let series = [
            (
                RGBColor(0xb4, 0x53, 0x09),
                tr(lang, "produced", "生产速率"),
                0usize,
            ),
            (
                RGBColor(0x25, 0x63, 0xeb),
                tr(lang, "processed", "处理速率"),
                1,
            ),
            (
                RGBColor(0x0f, 0x17, 0x2a),
                tr(lang, "database load", "数据库负载"),
                2,
            ),
        ];
        for (colour, label, which) in series {
            rates
                .draw_series(LineSeries::new(
                    history.iter().map(|s| {
                        let v = [s.arrived, s.processed, s.db_load][which];
                        (seconds(s.at), v as f64)
                    }),
                    colour.stroke_width(2),
                ))
                .map_err(|e| e.to_string())?
                .label(label)
                .legend(move |(x, y)| {
                    PathElement::new([(x, y), (x + 14, y)], colour.stroke_width(2))
                });
        }
        rates
            .draw_series(LineSeries::new(
                [(0.0, db_capacity as f64), (end, db_capacity as f64)],
                RED.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?
            .label(tr(lang, "database capacity", "数据库容量"))
            .legend(|(x, y)| PathElement::new([(x, y), (x + 14, y)], RED.stroke_width(1)));
        rates
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .label_font((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        let top_backlog = history.iter().map(|s| s.backlog).max().unwrap_or(1).max(1) as f64 * 1.15;
        let mut backlog = ChartBuilder::on(&lower)
            .margin(8)
            .x_label_area_size(30)
            .y_label_area_size(60)
            .build_cartesian_2d(0f64..end, 0f64..top_backlog)
            .map_err(|e| e.to_string())?;
        backlog
            .configure_mesh()
            .disable_x_mesh()
            .x_desc(tr(lang, "time (s)", "时间（秒）"))
            .y_desc(tr(lang, "backlog", "积压"))
            .y_label_formatter(&|y| thousands(*y as u64))
            .label_style((FONT, 12))
            .axis_desc_style((FONT, 12))
            .draw()
            .map_err(|e| e.to_string())?;
        backlog
            .draw_series(
                AreaSeries::new(
                    history.iter().map(|s| (seconds(s.at), s.backlog as f64)),
                    0.0,
                    RGBColor(0xfe, 0xf3, 0xc7),
                )
                .border_style(RGBColor(0xb4, 0x53, 0x09)),
            )
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

fn button(dispatch: &Callback<Msg<FlowLab>>, testid: &str, label: String, op: FlowOp) -> Html {
    html! { <button data-testid={testid.to_string()} onclick={dispatch.reform(move |_: MouseEvent| Msg::Op(op.clone()))}>{ label }</button> }
}

pub fn view(
    player: &Player<FlowLab>,
    session: &Session<FlowLab>,
    dispatch: &Callback<Msg<FlowLab>>,
) -> Html {
    let lang = player.lang;
    let lab = &session.state.protocol;
    let svg = match chart(lang, &lab.history, lab.setup.db_capacity) {
        Ok(svg) => Html::from_html_unchecked(AttrValue::from(svg)),
        Err(e) => html! { <p class="chart-error">{ e }</p> },
    };
    let drain = u64::from(lab.setup.consumers) * lab.setup.consumer_rate;
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
                <figcaption>{ tr(lang,
                    "Top: the rate messages are produced, the rate they are processed and the load on the database, against its capacity (red). Bottom: the backlog waiting in the queue.",
                    "上图：消息的生产速率、处理速率和数据库负载，红线是数据库容量。下图：在队列里等待的积压消息。") }</figcaption>
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
