//! The lab's charts, drawn by plotters into SVG: keys per node under both schemes, and the spread
//! of the load (standard deviation as a share of the mean) against the number of virtual nodes.

use distlab_core::kernel::World;
use distlab_core::ring::{RingLab, MAX_RING_POINTS};
use distlab_core::Lang;
use plotters::prelude::*;
use yew::prelude::*;

use super::Shared;
use crate::i18n::{thousands, tr, trf};
use crate::views::node_colour;

/// The virtual-node counts on the spread chart, as far as the lab allows them for this many nodes
/// (`MAX_RING_POINTS`): the curve costs what the rings it draws cost, and no more.
const CURVE_VNODES: [u32; 10] = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000];
const FONT: &str = "sans-serif";

#[derive(Properties, PartialEq)]
pub struct ChartProps {
    pub lang: Lang,
    pub world: Shared<World<RingLab>>,
}

fn hex(colour: &str) -> RGBColor {
    let v = u32::from_str_radix(colour.trim_start_matches('#'), 16).unwrap_or(0x64748b);
    RGBColor((v >> 16) as u8, (v >> 8) as u8, v as u8)
}

fn svg_html(svg: Result<String, String>, lang: Lang) -> Html {
    match svg {
        Ok(svg) => Html::from_html_unchecked(AttrValue::from(svg)),
        Err(e) => {
            html! { <p class="chart-error">{ trf(lang, format!("The chart could not be drawn: {e}"), format!("无法绘制图表：{e}")) }</p> }
        }
    }
}

/// Keys per member node, ring and `hash % N` side by side.
fn load_chart(lang: Lang, lab: &RingLab) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let n = lab.members.len().max(1);
        let top = lab
            .members
            .iter()
            .map(|&m| lab.ring_load[usize::from(m)].max(lab.mod_load[usize::from(m)]))
            .max()
            .unwrap_or(1)
            .max(1);
        // Three units per node: the ring's bar, the hash % N bar, a gap. Names sit under the pair.
        let width = 3 * n as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(28)
            .y_label_area_size(60)
            .build_cartesian_2d(0i32..width, 0f64..f64::from(top) * 1.1)
            .map_err(|e| e.to_string())?;
        let names: Vec<String> = lab
            .members
            .iter()
            .map(|&m| lab.name(m).to_string())
            .collect();
        let labelled = n <= 20;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(if labelled { width as usize + 1 } else { 0 })
            .x_label_formatter(&|x| {
                if x % 3 == 1 {
                    names.get((x / 3) as usize).cloned().unwrap_or_default()
                } else {
                    String::new()
                }
            })
            .y_label_formatter(&|y| thousands(*y as u64))
            .y_desc(tr(lang, "keys", "键数"))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let fair = lab.keys.len() as f64 / n as f64;
        chart
            .draw_series(lab.members.iter().enumerate().flat_map(|(i, &m)| {
                let x = 3 * i as i32;
                let ring = f64::from(lab.ring_load[usize::from(m)]);
                let modn = f64::from(lab.mod_load[usize::from(m)]);
                [
                    Rectangle::new([(x, 0.0), (x + 1, ring)], hex(node_colour(m)).filled()),
                    Rectangle::new(
                        [(x + 1, 0.0), (x + 2, modn)],
                        RGBColor(0xcb, 0xd5, 0xe1).filled(),
                    ),
                ]
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                [(0, fair), (width, fair)],
                BLACK.stroke_width(1),
            ))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Load spread (% of the mean) against virtual nodes per node, with the current setting marked.
fn spread_chart(lang: Lang, curve: &[(u32, f64, f64)], now: (u32, f64)) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (560, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = curve
            .iter()
            .flat_map(|p| [p.1, p.2])
            .chain([now.1])
            .fold(1.0f64, f64::max)
            * 1.15;
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(40)
            .y_label_area_size(60)
            .build_cartesian_2d((1f64..1000f64).log_scale(), 0f64..top)
            .map_err(|e| e.to_string())?;
        chart
            .configure_mesh()
            .x_desc(tr(
                lang,
                "virtual nodes per node (log scale)",
                "每个节点的虚拟节点数（对数坐标）",
            ))
            .y_desc(tr(lang, "std dev, % of mean", "标准差（占均值的 %）"))
            .x_label_formatter(&|x| format!("{x:.0}"))
            .y_label_formatter(&|y| format!("{y:.0}%"))
            .label_style((FONT, 13))
            .axis_desc_style((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let keys = hex("#2563eb");
        let arcs = hex("#64748b");
        chart
            .draw_series(LineSeries::new(
                curve.iter().map(|&(v, _, a)| (f64::from(v), a)),
                arcs.stroke_width(2),
            ))
            .map_err(|e| e.to_string())?
            .label(tr(lang, "ring share (arc length)", "环上份额（弧长）"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], arcs.stroke_width(2)));
        chart
            .draw_series(LineSeries::new(
                curve.iter().map(|&(v, k, _)| (f64::from(v), k)),
                keys.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?
            .label(tr(lang, "keys per node", "每个节点的键数"))
            .legend(move |(x, y)| PathElement::new([(x, y), (x + 16, y)], keys.stroke_width(3)));
        chart
            .draw_series(
                curve
                    .iter()
                    .map(|&(v, k, _)| Circle::new((f64::from(v), k), 3, keys.filled())),
            )
            .map_err(|e| e.to_string())?;
        chart
            .configure_series_labels()
            .position(SeriesLabelPosition::UpperRight)
            .background_style(WHITE.mix(0.9))
            .border_style(RGBColor(0xcb, 0xd5, 0xe1))
            .label_font((FONT, 13))
            .draw()
            .map_err(|e| e.to_string())?;
        let marker = hex("#b45309");
        chart
            .draw_series([Circle::new(
                (f64::from(now.0), now.1),
                7,
                marker.stroke_width(3),
            )])
            .map_err(|e| e.to_string())?;
        chart
            .draw_series([Text::new(
                trf(
                    lang,
                    format!("now: {:.1}%", now.1),
                    format!("当前：{:.1}%", now.1),
                ),
                (f64::from(now.0), now.1),
                (FONT, 14).into_font().color(&marker),
            )])
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

#[function_component(RingCharts)]
pub fn ring_charts(props: &ChartProps) -> Html {
    let lang = props.lang;
    let lab = &props.world.0.protocol;
    let sample = lab.keys.len();
    let curve = {
        let world = props.world.clone();
        use_memo(
            (lab.members.clone(), lab.keys.len(), lab.names.len()),
            move |_| {
                let lab = &world.0.protocol;
                let nodes = lab.names.len() as u64;
                CURVE_VNODES
                    .iter()
                    .filter(|&&v| nodes * u64::from(v) <= MAX_RING_POINTS)
                    .map(|&v| {
                        let (keys, arcs) = lab.spreads_with_vnodes(v);
                        (v, keys.relative_std_dev(), arcs.relative_std_dev())
                    })
                    .collect::<Vec<_>>()
            },
        )
    };
    let spread = lab.ring_spread();
    let now = (lab.vnodes, spread.relative_std_dev());
    // The curve stops where this many nodes would pass the lab's limit of points on the ring.
    let curve_end = curve.last().map_or(0, |p| p.0);
    let cut = curve_end < CURVE_VNODES[CURVE_VNODES.len() - 1];
    html! {
        <div class="charts">
            <figure data-testid="load-chart">
                { svg_html(load_chart(lang, lab), lang) }
                <figcaption>{ trf(lang,
                    format!("Keys per node: coloured bars on the ring, grey bars under hash % N; the line is the fair share. Spread on the ring: {:.1}% of the mean; busiest {} keys, quietest {}.", spread.relative_std_dev(), thousands(u64::from(spread.max)), thousands(u64::from(spread.min))),
                    format!("每个节点的键数：彩色柱是哈希环，灰色柱是 hash % N；横线是平均值。哈希环上的标准差为均值的 {:.1}%；最多 {} 个键，最少 {} 个。", spread.relative_std_dev(), thousands(u64::from(spread.max)), thousands(u64::from(spread.min)))) }</figcaption>
            </figure>
            <figure data-testid="spread-chart">
                { svg_html(spread_chart(lang, &curve, now), lang) }
                <figcaption>{ trf(lang,
                    format!("Spread of the load (standard deviation as % of the mean) against virtual nodes, for these {} nodes: keys counted over {} keys, and the ring share each node owns, which is what many keys converge to. More virtual nodes, smaller arcs, a more even load.", lab.members.len(), thousands(sample as u64)),
                    format!("这 {} 个节点的负载离散程度（标准差占均值的百分比）随虚拟节点数的变化：一条按 {} 个键计数，一条按每个节点在环上占的份额计算（键足够多时键数会趋近于它）。虚拟节点越多，弧越小，负载越均匀。", lab.members.len(), thousands(sample as u64))) }
                    if cut {
                        { trf(lang,
                            format!(" The curve ends at {curve_end} virtual nodes: with {} nodes, the next value would pass the lab's limit of {} points on a ring.", lab.names.len(), thousands(MAX_RING_POINTS)),
                            format!("曲线止于 {curve_end} 个虚拟节点：{} 个节点时，再往后就会超过本实验环上 {} 个点的上限。", lab.names.len(), thousands(MAX_RING_POINTS))) }
                    }
                </figcaption>
            </figure>
        </div>
    }
}
