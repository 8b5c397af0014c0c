//! The IDs lab's charts, drawn by plotters into SVG: the ids each millisecond of the run carried
//! against the 4,096 a snowflake worker can mint in one, and the pages an index writes for 1,000
//! inserts of each id scheme (with this run's own index beside them when it has one).

use std::rc::Rc;

use distlab_core::ids::btree::{locality, Workload, CHART_KEYS_PER_PAGE, CHART_ROWS};
use distlab_core::ids::lab::IdsLab;
use distlab_core::ids::snowflake::Field;
use distlab_core::text::plural;
use distlab_core::Lang;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use yew::prelude::*;

use crate::i18n::{thousands, tr, trf};

const FONT: &str = "sans-serif";
/// Plotters axes here are `i32`: its integer key points never end when asked for no light lines
/// (`max_light_lines(0)` loops in plotters 0.3.7's `compute_*_key_points`), so the light lines are
/// drawn transparent instead. Every count the charts show is far below `i32::MAX` (a run mints at
/// most 20,000 ids).
/// Sizes in SVG units, about the CSS px of the stage on a 1280×720 projector; plotters writes
/// four fifths of a text size (21 → 16.8 px).
const CHART_W: u32 = 820;
const CHART_H: u32 = 300;
const CHART_TEXT: u32 = 21;
/// The most milliseconds the rate chart shows: the latest ones with ids.
const SHOWN_MS: usize = 12;

const BAR: RGBColor = RGBColor(0x25, 0x63, 0xeb);
const LIMIT: RGBColor = RGBColor(0xdc, 0x26, 0x26);
const RUN: RGBColor = RGBColor(0xb4, 0x53, 0x09);

/// The ids per time unit of the run, for the rate chart.
#[derive(Clone, Debug, PartialEq)]
pub struct Rate {
    /// (the unit's start in Unix ms, ids), the latest units with ids.
    pub counts: Vec<(u64, u64)>,
    /// The ids one worker can mint in a unit.
    pub capacity: u64,
    pub unit_ms: u64,
}

/// The rate chart's data, for schemes with a sequence.
pub fn per_unit(lab: &IdsLab) -> Option<Rate> {
    let layout = lab.layout()?;
    let mut per_ms: std::collections::BTreeMap<u64, u64> = std::collections::BTreeMap::new();
    for m in &lab.stream {
        *per_ms
            .entry(layout.decompose(m.id as u64).unix_ms)
            .or_default() += 1;
    }
    let skip = per_ms.len().saturating_sub(SHOWN_MS);
    let counts: Vec<(u64, u64)> = per_ms.into_iter().skip(skip).collect();
    Some(Rate {
        counts,
        capacity: layout.max(Field::Sequence) + 1,
        unit_ms: layout.unit_ms,
    })
}

#[derive(Properties, PartialEq)]
pub struct ChartsProps {
    pub lang: Lang,
    /// Ids per time unit, the capacity and the unit ([`per_unit`]); none for schemes without a
    /// sequence.
    pub rate: Option<Rc<Rate>>,
    /// This run's last batch of inserts into its index: pages written per 1,000 inserts, the
    /// inserts, and the rows before them.
    pub run_index: Option<(u64, u64, u64)>,
}

fn svg_html(svg: Result<String, String>, lang: Lang) -> Html {
    match svg {
        Ok(svg) => Html::from_html_unchecked(AttrValue::from(svg)),
        Err(e) => html! {
            <p class="chart-error">{ trf(lang, format!("The chart could not be drawn: {e}"), format!("无法绘制图表：{e}")) }</p>
        },
    }
}

/// Bars of ids per time unit, against the capacity line, each bar labelled with its count.
fn rate_chart(
    lang: Lang,
    counts: &[(u64, u64)],
    capacity: u64,
    unit_ms: u64,
) -> Result<String, String> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (CHART_W, CHART_H)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = (counts.iter().map(|c| c.1).max().unwrap_or(0).max(capacity) * 118 / 100) as i32;
        let n = counts.len().max(1) as i32;
        let first = counts.first().map_or(0, |c| c.0);
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(78)
            .build_cartesian_2d((0i32..n).into_segmented(), 0i32..top.max(1))
            .map_err(|e| e.to_string())?;
        let labels: Vec<String> = counts
            .iter()
            .map(|(t, _)| format!("+{}", thousands(t - first)))
            .collect();
        chart
            .configure_mesh()
            .disable_x_mesh()
            .light_line_style(TRANSPARENT)
            .x_labels(counts.len().max(1))
            .y_labels(5)
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => labels.get(*i as usize).cloned().unwrap_or_default(),
                _ => String::new(),
            })
            .y_label_formatter(&|y| thousands(*y as u64))
            .x_desc(if unit_ms == 1 {
                tr(
                    lang,
                    "millisecond (after the first shown)",
                    "毫秒（相对第一个显示的毫秒）",
                )
            } else {
                tr(
                    lang,
                    "time unit of 10 ms (ms after the first shown)",
                    "10 毫秒的时间单位（相对第一个的毫秒数）",
                )
            })
            .y_desc(tr(lang, "ids", "ID 数"))
            .label_style((FONT, CHART_TEXT))
            .axis_desc_style((FONT, CHART_TEXT))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &(_, c))| {
                let colour = if c >= capacity { LIMIT } else { BAR };
                let i = i as i32;
                Rectangle::new(
                    [
                        (SegmentValue::Exact(i), 0),
                        (SegmentValue::Exact(i + 1), c as i32),
                    ],
                    colour.mix(0.8).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(counts.iter().enumerate().map(|(i, &(_, c))| {
                Text::new(
                    thousands(c),
                    (SegmentValue::CenterOf(i as i32), c as i32 + top / 60),
                    TextStyle::from((FONT, CHART_TEXT).into_font())
                        .pos(Pos::new(HPos::Center, VPos::Bottom)),
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(LineSeries::new(
                [
                    (SegmentValue::Exact(0), capacity as i32),
                    (SegmentValue::Last, capacity as i32),
                ],
                LIMIT.stroke_width(3),
            ))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// Horizontal bars: pages written by 1,000 inserts under each scheme, the first at the top.
fn locality_chart(lang: Lang, bars: &[(String, u64, bool)]) -> Result<String, String> {
    let mut svg = String::new();
    {
        let h = 80 + 52 * bars.len() as u32;
        let root = SVGBackend::with_string(&mut svg, (CHART_W, h)).into_drawing_area();
        root.fill(&WHITE).map_err(|e| e.to_string())?;
        let top = (bars.iter().map(|b| b.1).max().unwrap_or(1).max(1) * 120 / 100) as i32;
        let n = bars.len().max(1) as i32;
        let mut chart = ChartBuilder::on(&root)
            .margin(10)
            .x_label_area_size(48)
            .y_label_area_size(300)
            .build_cartesian_2d(0i32..top, (0i32..n).into_segmented())
            .map_err(|e| e.to_string())?;
        let names: Vec<String> = bars.iter().map(|b| b.0.clone()).collect();
        chart
            .configure_mesh()
            .disable_y_mesh()
            .light_line_style(TRANSPARENT)
            .y_labels(bars.len().max(1))
            .x_labels(5)
            .y_label_formatter(&|y| match y {
                // The first bar at the top: segment n - 1.
                SegmentValue::CenterOf(y) => names
                    .get((n - 1 - *y) as usize)
                    .cloned()
                    .unwrap_or_default(),
                _ => String::new(),
            })
            .x_label_formatter(&|x| thousands(*x as u64))
            .x_desc(tr(
                lang,
                "pages written by 1,000 inserts",
                "1,000 次插入写的页数",
            ))
            .label_style((FONT, CHART_TEXT))
            .axis_desc_style((FONT, CHART_TEXT))
            .draw()
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, &(_, pages, run))| {
                let y = n - 1 - i as i32;
                let colour = if run { RUN } else { BAR };
                Rectangle::new(
                    [
                        (0, SegmentValue::Exact(y)),
                        (pages as i32, SegmentValue::Exact(y + 1)),
                    ],
                    colour.mix(0.8).filled(),
                )
            }))
            .map_err(|e| e.to_string())?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, &(_, pages, _))| {
                let y = n - 1 - i as i32;
                Text::new(
                    thousands(pages),
                    (pages as i32 + top / 80, SegmentValue::CenterOf(y)),
                    (FONT, CHART_TEXT).into_font(),
                )
            }))
            .map_err(|e| e.to_string())?;
        root.present().map_err(|e| e.to_string())?;
    }
    Ok(svg)
}

/// The pages written by 1,000 inserts under each scheme, computed once per page.
fn reference_pages() -> Vec<(Workload, u64)> {
    Workload::ALL
        .iter()
        .map(|&w| {
            let pages = locality(w, CHART_ROWS, CHART_KEYS_PER_PAGE)
                .map_or(0, |r| u64::from(r.pages_touched));
            (w, pages)
        })
        .collect()
}

#[function_component(Charts)]
pub fn charts(props: &ChartsProps) -> Html {
    let lang = props.lang;
    let reference = use_memo((), |_| reference_pages());
    let rate = props.rate.as_ref().map(|r| {
        let (counts, capacity, unit_ms) = (&r.counts, r.capacity, r.unit_ms);
        let caption = trf(
            lang,
            format!("Ids minted in each of the last time units with ids, against the {} a worker can mint in one (the red line: {} sequence numbers).", thousands(capacity), thousands(capacity)),
            format!("最近有 ID 的各个时间单位里生成的 ID 数，对照一个 worker 每个单位最多能生成的 {} 个（红线：{} 个序列号）。", thousands(capacity), thousands(capacity)),
        );
        html! {
            <figure class="chart" data-testid="ids-rate-chart">
                { svg_html(rate_chart(lang, counts, capacity, unit_ms), lang) }
                <figcaption>{ caption }</figcaption>
            </figure>
        }
    });
    let mut bars: Vec<(String, u64, bool)> = reference
        .iter()
        .map(|(w, pages)| (w.name().get(lang).to_string(), *pages, false))
        .collect();
    if let Some((per_thousand, inserts, rows)) = props.run_index {
        bars.push((
            trf(
                lang,
                format!("this run: {} into {}", thousands(inserts), thousands(rows)),
                format!("本次：{} 行插入 {} 行", thousands(inserts), thousands(rows)),
            ),
            per_thousand,
            true,
        ));
    }
    let caption = trf(
        lang,
        format!("An InnoDB clustered index of {} rows, {} rows per leaf page: the leaf pages that 1,000 more inserts write (a split writes two). Ids that grow with time write the last pages; random v4 ids write almost every page.", thousands(CHART_ROWS as u64), CHART_KEYS_PER_PAGE),
        format!("一个有 {} 行、每个叶子页 {} 行的 InnoDB 聚簇索引：再插入 1,000 行要写的叶子页数（分裂写两个页）。随时间增长的 ID 只写最后几页；随机的 v4 ID 几乎每页都写。", thousands(CHART_ROWS as u64), CHART_KEYS_PER_PAGE),
    );
    html! {
        <section class="panel charts ids-charts" data-testid="ids-charts">
            <h2>{ tr(lang, "Charts", "图表") }</h2>
            { for rate }
            <figure class="chart" data-testid="ids-index-chart">
                { svg_html(locality_chart(lang, &bars), lang) }
                <figcaption>{ caption }</figcaption>
            </figure>
        </section>
    }
}

/// The run's outcome in numbers, for each side of the comparison.
pub fn summary(lang: Lang, lab: &IdsLab) -> Html {
    let ids = lab.stream.len() as u64;
    let failed: u64 = lab.servers.iter().map(|s| s.failed).sum();
    let mut parts = vec![trf(
        lang,
        plural(ids, "id", "ids"),
        format!("{} 个 ID", thousands(ids)),
    )];
    let dups = u64::from(lab.duplicates);
    parts.push(trf(
        lang,
        plural(dups, "duplicate", "duplicates"),
        format!("{} 个重复", thousands(dups)),
    ));
    parts.push(trf(
        lang,
        format!("{} failed", plural(failed, "request", "requests")),
        format!("{} 个请求失败", thousands(failed)),
    ));
    // The last batch of inserts into the index, per 1,000.
    let last = lab.last_batch.map_or((0, 0), |r| {
        (u64::from(r.pages_touched), u64::from(r.inserted))
    });
    if let Some(per_thousand) = (last.0 * 1000).checked_div(last.1) {
        parts.push(trf(
            lang,
            format!(
                "the last inserts wrote {} per 1,000",
                plural(per_thousand, "page", "pages")
            ),
            format!("最近的插入每 1,000 行写 {} 个页", thousands(per_thousand)),
        ));
    }
    html! { <p class="ids-summary" data-testid="ids-summary">{ parts.join(" · ") }</p> }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wasm_bindgen_test::wasm_bindgen_test as test;

    #[test]
    fn the_charts_draw_with_data_and_without() {
        // No ids yet: the axes alone, up to the capacity.
        let svg = rate_chart(Lang::En, &[], 4_096, 1).unwrap();
        assert!(svg.len() < 50_000 && svg.contains("4,000"), "{}", svg.len());
        // Each bar is labelled with its count.
        let counts = [(1_000, 4_096), (1_001, 4_096), (1_002, 905)];
        let svg = rate_chart(Lang::En, &counts, 4_096, 1).unwrap();
        assert!(svg.len() < 50_000, "{}", svg.len());
        assert!(
            svg.contains("4,096") && svg.contains("905") && svg.contains("+2"),
            "{svg}"
        );
        let bars: Vec<(String, u64, bool)> = reference_pages()
            .into_iter()
            .map(|(w, p)| (w.name().en, p, false))
            .collect();
        assert!(bars[3].1 > 10 * bars[0].1, "{bars:?}");
        let svg = locality_chart(Lang::Zh, &bars).unwrap();
        assert!(
            svg.len() < 50_000 && svg.contains("UUID v4"),
            "{}",
            svg.len()
        );
    }
}
