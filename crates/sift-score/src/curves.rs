//! The curves of a training report, from the cross-validated predictions: the ROC curve,
//! lift by decile, and the factors that move scores most across the training leads. They
//! are what a person looks at to decide whether to trust a model (the web app draws them).

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

use crate::metrics::round4;
use crate::model::{ModelFile, Scorer, Scratch};
use crate::table::Table;

/// One point of the ROC curve: above `threshold` (inclusive), the share of converted leads
/// found (`tpr`) and the share of the others let through (`fpr`).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct RocPoint {
    pub fpr: f64,
    pub tpr: f64,
    pub threshold: f64,
}

/// Points kept on a stored ROC curve at most (a step of about 1% on either axis).
const ROC_POINTS: usize = 101;

/// The ROC curve from (0, 0) to (1, 1), ties taken together, thinned to about a hundred
/// points (both rates never decrease along it). Empty with a single class.
pub fn roc_curve(y: &[bool], p: &[f64]) -> Vec<RocPoint> {
    let positives = y.iter().filter(|&&v| v).count();
    let negatives = y.len() - positives;
    if positives == 0 || negatives == 0 || y.len() != p.len() {
        return Vec::new();
    }
    let mut order: Vec<usize> = (0..p.len()).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let mut all = vec![RocPoint { fpr: 0.0, tpr: 0.0, threshold: 1.0 }];
    let (mut tp, mut fp) = (0usize, 0usize);
    let mut i = 0;
    while i < order.len() {
        let threshold = p[order[i]];
        while i < order.len() && p[order[i]] == threshold {
            if y[order[i]] {
                tp += 1;
            } else {
                fp += 1;
            }
            i += 1;
        }
        all.push(RocPoint {
            fpr: fp as f64 / negatives as f64,
            tpr: tp as f64 / positives as f64,
            threshold: round4(threshold),
        });
    }
    thin(all)
}

/// Keeps the first and last points and those a step of 1/100 on either axis from the last
/// kept one.
fn thin(all: Vec<RocPoint>) -> Vec<RocPoint> {
    let step = 1.0 / (ROC_POINTS - 1) as f64;
    let last = all.len() - 1;
    let mut kept: Vec<RocPoint> = Vec::with_capacity(all.len().min(ROC_POINTS * 2));
    for (i, point) in all.into_iter().enumerate() {
        let far = kept.last().is_none_or(|k| point.fpr - k.fpr >= step || point.tpr - k.tpr >= step);
        if i == 0 || i == last || far {
            kept.push(point);
        }
    }
    for point in &mut kept {
        point.fpr = round4(point.fpr);
        point.tpr = round4(point.tpr);
    }
    kept
}

/// One tenth of the leads by score, best first: how many converted and the lift over the
/// base rate.
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct LiftDecile {
    /// 1 (highest scores) to 10.
    pub decile: u32,
    pub leads: usize,
    pub converted: usize,
    /// Share of the decile that converted.
    pub rate: f64,
    /// `rate` over the base rate.
    pub lift: f64,
}

/// Lift by decile of score, best first (fewer than ten deciles with fewer than ten leads).
pub fn lift_by_decile(y: &[bool], p: &[f64]) -> Vec<LiftDecile> {
    let n = y.len().min(p.len());
    let positives = y.iter().take(n).filter(|&&v| v).count();
    if n == 0 || positives == 0 {
        return Vec::new();
    }
    let base = positives as f64 / n as f64;
    let mut order: Vec<usize> = (0..n).collect();
    order.sort_by(|&a, &b| p[b].total_cmp(&p[a]));
    let deciles = n.min(10);
    (0..deciles)
        .map(|d| {
            let (from, to) = (d * n / deciles, (d + 1) * n / deciles);
            let slice = &order[from..to];
            let converted = slice.iter().filter(|&&i| y[i]).count();
            let rate = converted as f64 / slice.len().max(1) as f64;
            LiftDecile {
                decile: d as u32 + 1,
                leads: slice.len(),
                converted,
                rate: round4(rate),
                lift: round4(rate / base),
            }
        })
        .collect()
}

/// A value of a column and its mean effect on the log-odds of the training leads that have
/// it, relative to an average lead (positive: more likely to convert).
#[derive(Debug, Clone, Serialize, Deserialize, PartialEq)]
#[serde(deny_unknown_fields)]
pub struct OverallFactor {
    pub column: String,
    pub value: String,
    /// Training leads with this value.
    pub leads: usize,
    pub effect: f64,
}

/// Rows scored at most to find the overall factors (evenly spaced over the table).
const FACTOR_ROWS: usize = 5_000;

/// The `k` values that raise scores most and the `k` that lower them most, across the rows
/// of `table` scored by `model` (each row's factors as [`Scorer::explain`] names them). A
/// value counts only when at least 2% of the rows (and three) have it, so a rare value
/// does not top the list by chance; numeric columns appear when a value repeats that often.
/// Strongest positive first, then the negatives strongest first.
pub fn overall_factors(model: &ModelFile, table: &Table, k: usize) -> Vec<OverallFactor> {
    let Ok(scorer) = Scorer::new(model, &table.headers) else {
        return Vec::new();
    };
    let step = table.rows.div_ceil(FACTOR_ROWS).max(1);
    let mut sums: HashMap<(String, String), (usize, f64)> = HashMap::new();
    let mut scratch = Scratch::default();
    let mut scored = 0usize;
    for row in (0..table.rows).step_by(step) {
        let cell = |i: usize| table.columns[scorer.positions[i]][row].as_deref();
        if scorer.score(cell, row + 1, &mut scratch).is_err() {
            continue;
        }
        scored += 1;
        for &(slot, effect) in &scratch.effects {
            let (column, value) = scorer.factor_label(slot, cell, &scratch);
            let entry = sums.entry((column.to_owned(), value.as_str().to_owned())).or_insert((0, 0.0));
            entry.0 += 1;
            entry.1 += effect;
        }
    }
    let support = (scored / 50).max(3);
    let mut all: Vec<OverallFactor> = sums
        .into_iter()
        .filter(|(_, (n, _))| *n >= support)
        .map(|((column, value), (n, sum))| OverallFactor { column, value, leads: n, effect: round4(sum / n as f64) })
        .filter(|f| f.effect.abs() >= crate::model::NEGLIGIBLE_EFFECT)
        .collect();
    // Ties broken by name, so the report is the same on every run.
    all.sort_by(|a, b| b.effect.total_cmp(&a.effect).then_with(|| (&a.column, &a.value).cmp(&(&b.column, &b.value))));
    let positive: Vec<OverallFactor> = all.iter().filter(|f| f.effect > 0.0).take(k).cloned().collect();
    let negative: Vec<OverallFactor> = all.iter().rev().filter(|f| f.effect < 0.0).take(k).cloned().collect();
    positive.into_iter().chain(negative).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn roc_runs_from_the_origin_to_the_corner_without_going_back() {
        let y = [true, false, true, true, false, false, true, false];
        let p = [0.9, 0.8, 0.7, 0.7, 0.4, 0.3, 0.2, 0.1];
        let roc = roc_curve(&y, &p);
        assert_eq!((roc[0].fpr, roc[0].tpr), (0.0, 0.0));
        let last = roc.last().expect("points");
        assert_eq!((last.fpr, last.tpr), (1.0, 1.0));
        assert!(roc.windows(2).all(|w| w[1].fpr >= w[0].fpr && w[1].tpr >= w[0].tpr), "{roc:?}");
        // The tie at 0.7 is one step: two positives at once.
        assert!(roc.iter().any(|pt| pt.threshold == 0.7 && pt.tpr == 0.75 && pt.fpr == 0.25), "{roc:?}");
        // The area under the points is the AUC.
        let area: f64 = roc.windows(2).map(|w| (w[1].fpr - w[0].fpr) * (w[1].tpr + w[0].tpr) / 2.0).sum();
        let auc = crate::metrics::auc(&y, &p).expect("two classes");
        assert!((area - auc).abs() < 1e-9, "{area} vs {auc}");
    }

    #[test]
    fn a_perfect_ranking_goes_straight_up_then_across() {
        let roc = roc_curve(&[true, true, false, false], &[0.9, 0.8, 0.2, 0.1]);
        let points: Vec<(f64, f64)> = roc.iter().map(|p| (p.fpr, p.tpr)).collect();
        assert_eq!(points, [(0.0, 0.0), (0.0, 0.5), (0.0, 1.0), (0.5, 1.0), (1.0, 1.0)]);
    }

    #[test]
    fn roc_is_thinned_to_about_a_hundred_points_and_empty_with_one_class() {
        let n = 10_000;
        let y: Vec<bool> = (0..n).map(|i| (i * 7919) % 3 == 0).collect();
        let p: Vec<f64> = (0..n).map(|i| i as f64 / n as f64).collect();
        let roc = roc_curve(&y, &p);
        assert!(roc.len() <= 2 * ROC_POINTS && roc.len() > 50, "{}", roc.len());
        assert!(roc.windows(2).all(|w| w[1].fpr >= w[0].fpr && w[1].tpr >= w[0].tpr));
        assert!(roc_curve(&[true, true], &[0.2, 0.4]).is_empty());
    }

    #[test]
    fn lift_by_decile_counts_every_lead_once_best_first() {
        // 100 leads, the top 10 scores all converted, 20 converted in all.
        let y: Vec<bool> = (0..100).map(|i| i < 10 || i % 9 == 0 && i < 90).collect();
        let p: Vec<f64> = (0..100).map(|i| 1.0 - i as f64 / 100.0).collect();
        let lift = lift_by_decile(&y, &p);
        assert_eq!(lift.len(), 10);
        assert_eq!(lift.iter().map(|d| d.leads).sum::<usize>(), 100);
        assert_eq!(lift.iter().map(|d| d.converted).sum::<usize>(), y.iter().filter(|&&v| v).count());
        let base = y.iter().filter(|&&v| v).count() as f64 / 100.0;
        assert_eq!(lift[0].decile, 1);
        assert_eq!(lift[0].rate, 1.0);
        assert_eq!(lift[0].lift, round4(1.0 / base));
        assert!(lift_by_decile(&[false, false], &[0.1, 0.2]).is_empty());
        // Fewer than ten leads: one "decile" each.
        assert_eq!(lift_by_decile(&[true, false, false], &[0.9, 0.5, 0.1]).len(), 3);
    }

    #[test]
    fn overall_factors_name_the_values_that_move_scores_with_their_sign() {
        let mut rows = Vec::new();
        for i in 0..120 {
            let industry = ["Software", "Retail", "Logistics"][i % 3];
            let converted = if industry == "Software" && i % 4 != 0 || industry == "Logistics" && i % 5 == 0 {
                "yes"
            } else {
                "no"
            };
            rows.push(vec![industry, converted]);
        }
        let table = Table::from_rows(&["industry", "converted"], &rows);
        let options = crate::TrainOptions::new("converted", crate::ModelKind::Logistic);
        let model = crate::train(&table, &options).expect("trained");
        let factors = overall_factors(&model, &table, 3);
        let software = factors.iter().find(|f| f.value == "Software").expect("software is a factor");
        let retail = factors.iter().find(|f| f.value == "Retail").expect("retail is a factor");
        assert!(software.effect > 0.0 && retail.effect < 0.0, "{factors:?}");
        assert_eq!(software.leads, 40);
        assert_eq!(factors[0].value, "Software", "strongest first: {factors:?}");
        // The report carries them, with the curves.
        assert_eq!(model.report.top_factors, factors);
        assert!(!model.report.roc.is_empty() && model.report.lift.len() == 10);
    }
}
