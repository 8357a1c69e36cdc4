//! Charts over time, drawn as SVG: lines for counts, bars for money.

use leptos::prelude::*;
use textback_shared::stats::nice_ceiling;

const WIDTH: f64 = 640.0;
const HEIGHT: f64 = 220.0;
const LEFT: f64 = 56.0;
const RIGHT: f64 = 12.0;
const TOP: f64 = 12.0;
const BOTTOM: f64 = 28.0;

/// One line (or the bars) of a chart.
#[derive(Clone)]
pub struct Series {
    pub name: &'static str,
    /// The CSS class that colours it.
    pub class: &'static str,
    pub values: Vec<f64>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
pub enum Style {
    Lines,
    Bars,
}

/// A chart of `series` over `labels` (one per day or week), with its scale at the left.
#[component]
pub fn Chart(
    #[prop(into)] title: String,
    #[prop(into)] testid: String,
    labels: Vec<String>,
    series: Vec<Series>,
    style: Style,
    /// How the scale's values read (money, counts).
    format: Callback<f64, String>,
) -> impl IntoView {
    let top = nice_ceiling(
        series
            .iter()
            .flat_map(|s| s.values.iter().copied())
            .fold(0.0, f64::max),
    );
    let points = labels.len().max(1);
    let plot_width = WIDTH - LEFT - RIGHT;
    let plot_height = HEIGHT - TOP - BOTTOM;
    let x = move |i: usize| {
        if points == 1 {
            LEFT + plot_width / 2.0
        } else {
            LEFT + plot_width * i as f64 / (points - 1) as f64
        }
    };
    let y = move |v: f64| TOP + plot_height * (1.0 - v / top);
    let grid = [0.0, 0.5, 1.0]
        .into_iter()
        .map(|f| {
            let at = y(top * f);
            view! {
                <line class="chart-grid" x1=LEFT x2=WIDTH - RIGHT y1=at y2=at />
                <text class="chart-scale" x=LEFT - 6.0 y=at + 4.0 text-anchor="end">{format.run(top * f)}</text>
            }
        })
        .collect_view();
    // First, middle and last labels: enough to read the time axis without crowding it.
    let ticks = [0, points / 2, points - 1]
        .into_iter()
        .filter(|&i| i < labels.len())
        .fold(Vec::new(), |mut seen, i| {
            if !seen.contains(&i) {
                seen.push(i);
            }
            seen
        })
        .into_iter()
        .map(|i| {
            let anchor = match i {
                0 => "start",
                i if i + 1 == points => "end",
                _ => "middle",
            };
            view! {
                <text class="chart-label" x=x(i) y=HEIGHT - 8.0 text-anchor=anchor>{labels[i].clone()}</text>
            }
        })
        .collect_view();
    let bar_width = (plot_width / points as f64 * 0.6).max(1.0);
    let marks = series
        .iter()
        .map(|s| match style {
            Style::Lines => {
                let path = s
                    .values
                    .iter()
                    .enumerate()
                    .map(|(i, v)| format!("{:.1},{:.1}", x(i), y(*v)))
                    .collect::<Vec<_>>()
                    .join(" ");
                view! { <polyline class=format!("chart-line {}", s.class) points=path data-series=s.name /> }
                    .into_any()
            }
            Style::Bars => s
                .values
                .iter()
                .enumerate()
                .map(|(i, v)| {
                    let left = (x(i) - bar_width / 2.0).clamp(LEFT, WIDTH - RIGHT - bar_width);
                    view! {
                        <rect class=format!("chart-bar {}", s.class) x=left y=y(*v) width=bar_width
                            height=(TOP + plot_height - y(*v)).max(0.0) data-value=*v>
                            <title>{format!("{}: {}", labels.get(i).cloned().unwrap_or_default(), format.run(*v))}</title>
                        </rect>
                    }
                })
                .collect_view()
                .into_any(),
        })
        .collect_view();
    let legend = series
        .iter()
        .map(|s| view! { <span class=format!("chart-key {}", s.class)>{s.name}</span> })
        .collect_view();
    view! {
        <figure class="card chart" data-testid=testid>
            <figcaption>
                <h2>{title.clone()}</h2>
                <span class="chart-legend">{legend}</span>
            </figcaption>
            <svg viewBox=format!("0 0 {WIDTH} {HEIGHT}") role="img" aria-label=title>
                {grid}
                {marks}
                {ticks}
            </svg>
        </figure>
    }
}
