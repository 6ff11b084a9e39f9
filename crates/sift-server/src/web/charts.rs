//! Charts drawn as SVG on the server: a few paths, rectangles and text, no script and no
//! `style` attribute (the CSP forbids inline style; colours come from classes in our
//! stylesheet). Each chart is an image with a `<title>` and a `<desc>`, followed by its
//! numbers as a table in a `<details>` for anyone who would rather read them.
//!
//! Every chart uses the same frame: a plot area of [`PLOT_W`] x [`PLOT_H`] at ([`LEFT`],
//! [`TOP`]) inside a [`WIDTH`] x [`HEIGHT`] view box.

use maud::{Markup, html};

pub const WIDTH: f64 = 360.0;
pub const HEIGHT: f64 = 300.0;
pub const LEFT: f64 = 52.0;
pub const TOP: f64 = 14.0;
pub const PLOT_W: f64 = 290.0;
pub const PLOT_H: f64 = 230.0;

/// Where a value from 0 to `max` sits across the plot.
fn x_at(v: f64, max: f64) -> f64 {
    LEFT + PLOT_W * (v / max).clamp(0.0, 1.0)
}

/// Where a value from 0 to `max` sits up the plot (SVG's y grows downwards).
fn y_at(v: f64, max: f64) -> f64 {
    TOP + PLOT_H * (1.0 - (v / max).clamp(0.0, 1.0))
}

fn num(v: f64) -> String {
    format!("{v:.1}")
}

/// A line through points, as a path's `d`.
pub fn path_through(points: &[(f64, f64)]) -> String {
    let mut d = String::new();
    for (i, (x, y)) in points.iter().enumerate() {
        d.push_str(if i == 0 { "M" } else { " L" });
        d.push_str(&format!("{} {}", num(*x), num(*y)));
    }
    d
}

/// The words around a chart.
pub struct Labels<'a> {
    /// The id prefix of the chart's title and description.
    pub id: &'a str,
    pub title: &'a str,
    pub desc: String,
    pub x_axis: &'a str,
    pub y_axis: &'a str,
    /// The summary of the `<details>` holding the numbers.
    pub numbers: &'a str,
}

/// The frame: the image with its title and description, the plot's box, the axis names
/// and ticks (`x_ticks`/`y_ticks`: value and label), the chart itself, then the table.
struct Axes<'a> {
    x_ticks: &'a [(f64, String)],
    x_max: f64,
    y_ticks: &'a [(f64, String)],
    y_max: f64,
}

fn frame(labels: &Labels, class: &str, axes: Axes, body: Markup, table: Markup) -> Markup {
    let Axes { x_ticks, x_max, y_ticks, y_max } = axes;
    let title_id = format!("{}-title", labels.id);
    let desc_id = format!("{}-desc", labels.id);
    html! {
        figure.chart id=(labels.id) {
            svg class={ "chart " (class) } viewBox={ "0 0 " (WIDTH) " " (HEIGHT) } role="img"
                aria-labelledby={ (title_id) " " (desc_id) } xmlns="http://www.w3.org/2000/svg" {
                title id=(title_id) { (labels.title) }
                desc id=(desc_id) { (labels.desc) }
                @for (v, label) in y_ticks.iter() {
                    line.grid x1=(num(LEFT)) x2=(num(LEFT + PLOT_W)) y1=(num(y_at(*v, y_max))) y2=(num(y_at(*v, y_max))) {}
                    text.tick x=(num(LEFT - 6.0)) y=(num(y_at(*v, y_max) + 4.0)) text-anchor="end" { (label) }
                }
                @for (v, label) in x_ticks.iter() {
                    text.tick x=(num(x_at(*v, x_max))) y=(num(TOP + PLOT_H + 16.0)) text-anchor="middle" { (label) }
                }
                rect.plot x=(num(LEFT)) y=(num(TOP)) width=(num(PLOT_W)) height=(num(PLOT_H)) fill="none" {}
                (body)
                text.axis x=(num(LEFT + PLOT_W / 2.0)) y=(num(HEIGHT - 6.0)) text-anchor="middle" { (labels.x_axis) }
                text.axis x="14" y=(num(TOP + PLOT_H / 2.0)) text-anchor="middle"
                    transform={ "rotate(-90 14 " (num(TOP + PLOT_H / 2.0)) ")" } { (labels.y_axis) }
            }
            details.numbers {
                summary { (labels.numbers) }
                (table)
            }
        }
    }
}

fn quarter_ticks() -> Vec<(f64, String)> {
    [0.0, 0.25, 0.5, 0.75, 1.0].iter().map(|&v| (v, format!("{v}"))).collect()
}

/// The ROC curve (true against false positive rate) with the diagonal of a guess.
/// `points` are (fpr, tpr, threshold); `headers` the table's three column names.
pub fn roc(labels: &Labels, points: &[(f64, f64, f64)], headers: [&str; 3]) -> Markup {
    let line: Vec<(f64, f64)> = points.iter().map(|&(f, t, _)| (x_at(f, 1.0), y_at(t, 1.0))).collect();
    let diagonal = path_through(&[(x_at(0.0, 1.0), y_at(0.0, 1.0)), (x_at(1.0, 1.0), y_at(1.0, 1.0))]);
    let body = html! {
        path.diagonal d=(diagonal) fill="none" stroke-dasharray="6 4" {}
        path.roc-line d=(path_through(&line)) fill="none" {}
    };
    let table = html! {
        table {
            thead { tr { th scope="col" { (headers[0]) } th scope="col" { (headers[1]) } th scope="col" { (headers[2]) } } }
            tbody {
                @for (f, t, threshold) in points {
                    tr { td.num { (format!("{threshold:.3}")) } td.num { (format!("{f:.3}")) } td.num { (format!("{t:.3}")) } }
                }
            }
        }
    };
    let ticks = quarter_ticks();
    let axes = Axes { x_ticks: &ticks, x_max: 1.0, y_ticks: &ticks, y_max: 1.0 };
    frame(labels, "roc", axes, body, table)
}

/// Calibration: the share that converted against the mean predicted probability of each
/// bin, with the line of a perfectly calibrated model. `bins` are (predicted, observed,
/// leads, bin label); `headers` the table's four column names.
pub fn calibration(labels: &Labels, bins: &[(f64, f64, usize, String)], headers: [&str; 4]) -> Markup {
    let ideal = path_through(&[(x_at(0.0, 1.0), y_at(0.0, 1.0)), (x_at(1.0, 1.0), y_at(1.0, 1.0))]);
    let points: Vec<(f64, f64)> = bins.iter().map(|&(p, o, _, _)| (x_at(p, 1.0), y_at(o, 1.0))).collect();
    let body = html! {
        path.diagonal d=(ideal) fill="none" stroke-dasharray="6 4" {}
        path.calibration-line d=(path_through(&points)) fill="none" {}
        @for ((x, y), (p, o, n, _)) in points.iter().zip(bins) {
            circle.calibration-point cx=(num(*x)) cy=(num(*y)) r="4.5" {
                title { (format!("{p:.3} → {o:.3} ({n})")) }
            }
        }
    };
    let table = html! {
        table {
            thead { tr { @for h in headers { th scope="col" { (h) } } } }
            tbody {
                @for (p, o, n, bin) in bins {
                    tr { td { (bin) } td.num { (n) } td.num { (format!("{p:.3}")) } td.num { (format!("{o:.3}")) } }
                }
            }
        }
    };
    let ticks = quarter_ticks();
    let axes = Axes { x_ticks: &ticks, x_max: 1.0, y_ticks: &ticks, y_max: 1.0 };
    frame(labels, "calibration", axes, body, table)
}

/// Lift by decile as bars (best decile first), with the line of no lift (1x).
/// `deciles` are (decile, lift, leads, converted); `headers` the table's four column names.
pub fn lift(labels: &Labels, deciles: &[(u32, f64, usize, usize)], headers: [&str; 4]) -> Markup {
    let top = deciles.iter().map(|d| d.1).fold(1.0f64, f64::max);
    // A round top: the next whole number (or half) above the highest bar.
    let y_max = if top <= 2.0 { (top * 2.0).ceil() / 2.0 + 0.5 } else { top.ceil() + 1.0 };
    let step = if y_max <= 3.0 { 0.5 } else { (y_max / 5.0).ceil() };
    let y_ticks: Vec<(f64, String)> =
        (0..).map(|i| f64::from(i) * step).take_while(|v| *v <= y_max + 1e-9).map(|v| (v, format!("{v}"))).collect();
    let n = deciles.len().max(1) as f64;
    let slot = PLOT_W / n;
    let x_ticks: Vec<(f64, String)> =
        deciles.iter().enumerate().map(|(i, d)| ((i as f64 + 0.5) / n, d.0.to_string())).collect();
    let body = html! {
        @for (i, (decile, lift, leads, converted)) in deciles.iter().enumerate() {
            @let height = PLOT_H * (lift / y_max).clamp(0.0, 1.0);
            rect.lift-bar x=(num(LEFT + slot * i as f64 + slot * 0.15)) y=(num(TOP + PLOT_H - height))
                width=(num(slot * 0.7)) height=(num(height)) {
                title { (format!("{decile}: {lift:.2}x ({converted}/{leads})")) }
            }
        }
        path.baseline d=(path_through(&[(LEFT, y_at(1.0, y_max)), (LEFT + PLOT_W, y_at(1.0, y_max))])) fill="none" stroke-dasharray="6 4" {}
    };
    let table = html! {
        table {
            thead { tr { @for h in headers { th scope="col" { (h) } } } }
            tbody {
                @for (decile, lift, leads, converted) in deciles {
                    tr { td.num { (decile) } td.num { (leads) } td.num { (converted) } td.num { (format!("{lift:.2}")) } }
                }
            }
        }
    };
    frame(labels, "lift", Axes { x_ticks: &x_ticks, x_max: 1.0, y_ticks: &y_ticks, y_max }, body, table)
}

/// A funnel as bars, one a step from left to right, each with its count above it.
/// `steps` are (label, count); the table has `headers` (step, leads, share of the step
/// before) and `shares` (already formatted, one a step).
pub fn funnel(labels: &Labels, steps: &[(&str, String, i64)], headers: [&str; 3], shares: &[String]) -> Markup {
    let top = steps.iter().map(|s| s.2).max().unwrap_or(0).max(1) as f64;
    let n = steps.len().max(1) as f64;
    let slot = PLOT_W / n;
    let y_ticks: Vec<(f64, String)> = vec![(0.0, "0".to_owned()), (top, format!("{top}"))];
    let x_ticks: Vec<(f64, String)> =
        steps.iter().enumerate().map(|(i, s)| ((i as f64 + 0.5) / n, s.0.to_owned())).collect();
    let body = html! {
        @for (i, (label, shown, count)) in steps.iter().enumerate() {
            @let height = PLOT_H * (*count as f64 / top).clamp(0.0, 1.0);
            rect.funnel-bar x=(num(LEFT + slot * i as f64 + slot * 0.15)) y=(num(TOP + PLOT_H - height))
                width=(num(slot * 0.7)) height=(num(height)) {
                title { (label) ": " (shown) }
            }
            text.tick x=(num(LEFT + slot * (i as f64 + 0.5))) y=(num(TOP + PLOT_H - height - 4.0)) text-anchor="middle" { (shown) }
        }
    };
    let table = html! {
        table {
            thead { tr { @for h in headers { th scope="col" { (h) } } } }
            tbody {
                @for ((label, shown, _), share) in steps.iter().zip(shares) {
                    tr { th scope="row" { (label) } td.num { (shown) } td.num { (share) } }
                }
            }
        }
    };
    frame(labels, "funnel", Axes { x_ticks: &x_ticks, x_max: 1.0, y_ticks: &y_ticks, y_max: top }, body, table)
}

/// The longest label drawn beside a factor's bar; the whole label is in its tooltip and
/// in the table.
const FACTOR_LABEL_CHARS: usize = 26;

fn shorten(label: &str) -> String {
    if label.chars().count() <= FACTOR_LABEL_CHARS {
        return label.to_owned();
    }
    let mut short: String = label.chars().take(FACTOR_LABEL_CHARS - 1).collect();
    short.push('…');
    short
}

/// Factors as horizontal bars from a zero line: to the right (raising scores) and to the
/// left (lowering them), each with its label and signed weight. `factors` are (label,
/// effect, leads); `headers` the table's three column names.
pub fn factors(labels: &Labels, factors: &[(String, f64, usize)], headers: [&str; 3]) -> Markup {
    const ROW: f64 = 22.0;
    const LABEL_W: f64 = 180.0;
    const BARS_W: f64 = 170.0;
    let height = TOP * 2.0 + ROW * factors.len().max(1) as f64;
    let largest = factors.iter().map(|f| f.1.abs()).fold(0.0f64, f64::max).max(1e-9);
    let zero = LABEL_W + BARS_W / 2.0;
    let title_id = format!("{}-title", labels.id);
    let desc_id = format!("{}-desc", labels.id);
    html! {
        figure.chart id=(labels.id) {
            svg class="chart factors" viewBox={ "0 0 " (WIDTH) " " (num(height)) } role="img"
                aria-labelledby={ (title_id) " " (desc_id) } xmlns="http://www.w3.org/2000/svg" {
                title id=(title_id) { (labels.title) }
                desc id=(desc_id) { (labels.desc) }
                @for (i, (label, effect, leads)) in factors.iter().enumerate() {
                    @let y = TOP + ROW * i as f64;
                    @let width = (BARS_W / 2.0 - 28.0) * effect.abs() / largest;
                    @let x = if *effect >= 0.0 { zero } else { zero - width };
                    g.factor {
                        title { (label) ": " (format!("{effect:+.3}")) " (" (leads) ")" }
                        text.factor-label x=(num(LABEL_W - 6.0)) y=(num(y + ROW * 0.65)) text-anchor="end" { (shorten(label)) }
                        rect class={ "factor-bar " @if *effect >= 0.0 { "raises" } @else { "lowers" } }
                            x=(num(x)) y=(num(y + 4.0)) width=(num(width)) height=(num(ROW - 8.0)) {}
                        text.tick x=(num(if *effect >= 0.0 { x + width + 3.0 } else { x - 3.0 })) y=(num(y + ROW * 0.65))
                            text-anchor=(if *effect >= 0.0 { "start" } else { "end" }) { (format!("{effect:+.2}")) }
                    }
                }
                path.zero d=(path_through(&[(zero, TOP - 4.0), (zero, height - TOP + 4.0)])) fill="none" {}
            }
            details.numbers {
                summary { (labels.numbers) }
                table {
                    thead { tr { @for h in headers { th scope="col" { (h) } } } }
                    tbody {
                        @for (label, effect, leads) in factors {
                            tr { td { (label) } td.num { (format!("{effect:+.3}")) } td.num { (leads) } }
                        }
                    }
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn labels() -> Labels<'static> {
        Labels { id: "t", title: "T", desc: "D".into(), x_axis: "x", y_axis: "y", numbers: "n" }
    }

    #[test]
    fn the_roc_line_stays_inside_the_plot() {
        let svg = roc(&labels(), &[(0.0, 0.0, 1.0), (0.5, 0.9, 0.4), (1.0, 1.0, 0.0)], ["a", "b", "c"]).into_string();
        let d = svg.split("class=\"roc-line\" d=\"").nth(1).and_then(|s| s.split('"').next()).expect("the line");
        assert_eq!(d, "M52.0 244.0 L197.0 37.0 L342.0 14.0");
    }

    #[test]
    fn long_factor_names_are_shortened_in_the_picture_only() {
        let long = "a column with a very long name indeed";
        let svg = factors(&labels(), &[(long.to_owned(), -0.4, 12)], ["f", "w", "n"]).into_string();
        assert!(svg.contains("a column with a very long…"), "{svg}");
        assert!(svg.contains(&format!("<td>{long}</td>")), "{svg}");
        assert!(svg.contains("class=\"factor-bar lowers\""), "{svg}");
    }
}
